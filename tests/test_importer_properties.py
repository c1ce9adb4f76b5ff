"""The importers against the real libraries, on random parameter combinations (hypothesis).

Each property makes a spectrogram of a random signal with scipy or librosa, imports it with the
same arguments, and checks that gl understood it: the imported magnitude is ``|geometry.stft|``
of the same signal placed on the frame grid (so the scaling, the framing and the offset are
right at once), and the frames sit where the library's ``t`` (or ``frames_to_time``) says. One
property inverts and has the library analyse the result again. The exploration that chose
these ran thousands of combinations per importer (``max_examples`` here is kept small: the file
takes a few seconds); torchaudio is not installed here and is left out.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gl
from gl import importers
from gl.importers import LossWarning

signal = pytest.importorskip("scipy.signal")

FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

#: Window names gl and scipy both know (a string or tuple window is periodic in both).
NAMES = ["hann", "hamming", "blackman", "bartlett", "triang", "boxcar", "cosine", ("tukey", 0.25), ("kaiser", 6.0),
         ("gaussian", 5.0)]


def tolerance(dtype) -> float:
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-9


def assert_magnitude_of(spec: gl.Spectrogram, grid: np.ndarray, dtype) -> None:
    """``spec.magnitude`` is ``|spec.geometry.stft(grid)|`` to a tolerance scaled to ``dtype``."""
    expected = np.abs(spec.geometry.stft(grid))
    assert spec.magnitude.shape == expected.shape
    error = np.max(np.abs(spec.magnitude - expected)) / max(float(np.max(expected)), 1e-300)  # (slices of zeros: 0 / 1e-300)
    assert error <= tolerance(dtype), error


def on_grid(spec: gl.Spectrogram, extended: np.ndarray, start: int) -> np.ndarray:
    """The non-centred frame grid of ``spec`` filled from ``extended``, whose sample ``start`` is the
    signal's first (the library's padding before it, zeros past its ends)."""
    grid = np.zeros(spec.geometry.default_length(spec.n_frames))
    shift = spec.offset - start  # grid[i] = extended[i - shift]
    low, high = max(0, shift), min(grid.shape[0], shift + extended.shape[0])
    if high > low:
        grid[low:high] = extended[low - shift : high - shift]
    return grid


@st.composite
def scipy_windows(draw, length: int):
    kind = draw(st.sampled_from(["name", "symmetric hann", "array"]))
    if kind == "name":
        return draw(st.sampled_from(NAMES))
    if kind == "symmetric hann":
        return signal.windows.hann(length, sym=False if length < 3 else True)
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).uniform(0.05, 1.0, length)


def imported(function, *args, **keywords) -> gl.Spectrogram:
    """The import, NOLA refusals skipped (gl refuses window sums below 1e-6 of their peak, scipy
    below 1e-10 absolute) and loss warnings (detrend off here; low overlap) silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LossWarning)
            return function(*args, **keywords)
    except ValueError as error:
        assume("NOLA" not in str(error))
        raise


@FEW
@given(data=st.data(), nperseg=st.integers(4, 64), mode=st.sampled_from(["psd", "magnitude", "complex"]),
       scaling=st.sampled_from(["density", "spectrum"]), fs=st.sampled_from([8000.0, 22050.5, 44100.0]),
       dtype=st.sampled_from([np.float32, np.float64]), axes=st.booleans())
def test_scipy_spectrogram_is_understood(data, nperseg, mode, scaling, fs, dtype, axes):
    noverlap = data.draw(st.one_of(st.none(), st.integers(0, nperseg - 1)))
    nfft = data.draw(st.one_of(st.none(), st.integers(nperseg, nperseg + 40)))
    window = data.draw(scipy_windows(nperseg))
    x = np.random.default_rng(nperseg).standard_normal(nperseg + data.draw(st.integers(0, 150))).astype(dtype)
    keywords = dict(window=window, detrend=False, scaling=scaling, mode=mode)
    f, t, Sxx = signal.spectrogram(x, fs, nperseg=nperseg, noverlap=noverlap, nfft=nfft, **keywords)
    given_ = dict(f=f, t=t) if axes else dict(nperseg=nperseg, noverlap=noverlap, nfft=nfft)
    spec = imported(importers.from_scipy_spectrogram, Sxx, fs, **given_, **keywords)
    assert_magnitude_of(spec, on_grid(spec, x.astype(np.float64), 0), dtype)
    starts = spec.geometry.hop_length * np.arange(spec.n_frames) - spec.offset
    np.testing.assert_allclose(t, (starts + nperseg / 2) / fs)  # scipy's t: segment centres
    assert spec.sample_rate == fs


_EXTENSIONS = {"zeros": "constant", "even": "reflect", "constant": "edge"}


@FEW
@given(data=st.data(), nperseg=st.integers(4, 64), boundary=st.sampled_from([None, "zeros", "even", "odd", "constant"]),
       padded=st.booleans(), scaling=st.sampled_from(["spectrum", "psd"]), dtype=st.sampled_from([np.float32, np.float64]),
       magnitude=st.booleans())
def test_scipy_stft_is_understood(data, nperseg, boundary, padded, scaling, dtype, magnitude):
    noverlap = data.draw(st.one_of(st.none(), st.integers(0, nperseg - 1)))
    nfft = data.draw(st.one_of(st.none(), st.integers(nperseg, nperseg + 40)))
    window = data.draw(scipy_windows(nperseg))
    fs = 16000.0
    x = np.random.default_rng(nperseg).standard_normal(nperseg + data.draw(st.integers(0, 150))).astype(dtype)
    keywords = dict(window=window, nperseg=nperseg, noverlap=noverlap, nfft=nfft, boundary=boundary, padded=padded, scaling=scaling)
    f, t, Zxx = signal.stft(x, fs, **keywords)
    spec = imported(importers.from_scipy_stft, np.abs(Zxx) if magnitude else Zxx, fs, **keywords)
    hop = spec.geometry.hop_length
    extension = nperseg // 2 if boundary is not None else 0
    if spec.geometry.center:  # scipy's zero extension is gl's centre padding; padded's zeros follow the signal
        grid = np.zeros(max(x.shape[0], spec.geometry.default_length(spec.n_frames)))
        grid[: x.shape[0]] = x
        first = -(spec.geometry.n_fft // 2)
    else:  # the extended signal scipy framed, cut off by offset and tail
        extended = x.astype(np.float64)
        if boundary is not None:
            extended = np.pad(extended, extension, mode=_EXTENSIONS.get(boundary, "reflect"),
                              **({"reflect_type": "odd"} if boundary == "odd" else {}))
        grid = on_grid(spec, extended, extension)
        first = -spec.offset
    assert_magnitude_of(spec, grid, dtype)
    assert first == -extension  # frame 0 starts where scipy's first segment does
    np.testing.assert_allclose(t, hop * np.arange(spec.n_frames) / fs + (0 if boundary is not None else nperseg / 2 / fs))


@FEW
@given(data=st.data(), m=st.integers(4, 48), fft_mode=st.sampled_from(["onesided", "onesided2X", "twosided", "centered"]),
       scale_to=st.sampled_from([None, "magnitude", "psd"]), phase_shift=st.sampled_from([0, None, 3]),
       padding=st.sampled_from(["zeros", "edge", "even", "odd"]), kind=st.sampled_from(["stft", "spectrogram", "abs"]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_shorttimefft_is_understood(data, m, fft_mode, scale_to, phase_shift, padding, kind, dtype):
    assume(not (fft_mode == "onesided2X" and scale_to is None))
    win = data.draw(scipy_windows(m))
    win = signal.get_window(win, m) if not isinstance(win, np.ndarray) else win
    hop = data.draw(st.integers(1, m))
    mfft = data.draw(st.one_of(st.none(), st.integers(m, m + 20)))
    n = m + data.draw(st.integers(0, 120))
    x = np.random.default_rng(m).standard_normal(n).astype(dtype)
    sft = signal.ShortTimeFFT(win, hop, 8000.0, fft_mode=fft_mode, mfft=mfft, scale_to=scale_to, phase_shift=phase_shift)
    p0 = data.draw(st.one_of(st.none(), st.integers(sft.p_min, sft.p_max(n) - 1)))
    p1 = data.draw(st.one_of(st.none(), st.integers((sft.p_min if p0 is None else p0) + 1, sft.p_max(n))))
    k_offset = data.draw(st.integers(-m // 2, m // 2))
    slicing = dict(p0=p0, p1=p1, k_offset=k_offset, padding=padding)
    try:
        S = sft.spectrogram(x, **slicing) if kind == "spectrogram" else sft.stft(x, **slicing)
    except ValueError:  # scipy cannot pad an empty part of x but with zeros (slices that see none of it)
        assume(False)
    keywords = dict(win=win, hop=hop, fs=8000.0, fft_mode=fft_mode, mfft=mfft, scale_to=scale_to, phase_shift=phase_shift,
                    power=2.0 if kind == "spectrogram" else 1.0, k_offset=k_offset)
    if p0 is not None or p1 is not None:
        keywords["p_min"] = sft.p_min if p0 is None else p0
    try:
        spec = imported(importers.from_shorttimefft, np.abs(S) if kind == "abs" else S, **keywords)
    except ValueError as error:  # slices of scipy's padding alone, before x[0] (a k_offset < 0 and an early p1)
        assert "hold nothing of the signal" in str(error)
        return
    first, last = sft.p_min if p0 is None else p0, sft.p_max(n) if p1 is None else p1
    start = first * hop - sft.m_num_mid + k_offset  # the sample of x slice p0 starts at
    assert spec.offset == -start
    end = start + (last - first) * hop + sft.m_num  # scipy's own padding of x over the slices
    low, high = max(start, 0), min(end, n)
    modes = {"zeros": {"mode": "constant"}, "edge": {"mode": "edge"}, "even": {"mode": "reflect"},
             "odd": {"mode": "reflect", "reflect_type": "odd"}}
    if high > low:
        extended = np.pad(x.astype(np.float64)[low:high], (low - start, end - high), **modes[padding])
        assert_magnitude_of(spec, on_grid(spec, extended, spec.offset), dtype)
    centres = hop * np.arange(spec.n_frames) - spec.offset + sft.m_num_mid
    np.testing.assert_allclose(sft.t(n, first, last, k_offset=k_offset) * 8000.0, centres)


@FEW
@given(data=st.data(), n_fft=st.integers(4, 96), center=st.booleans(), pad_mode=st.sampled_from(["constant", "edge", "wrap"]),
       form=st.sampled_from(["complex", "magnitude", "power", "amplitude_to_db", "power_to_db"]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_librosa_is_understood(data, n_fft, center, pad_mode, form, dtype):
    """``pad_mode='wrap'`` only with ``center=False``, where librosa ignores it (librosa refuses it
    for centred frames; 'reflect' is left out: librosa reflects a short tail of the signal, not the
    signal, into the last frame's padding, which no np.pad does)."""
    librosa = pytest.importorskip("librosa")
    assume(center is False or pad_mode != "wrap")
    win_length = data.draw(st.one_of(st.none(), st.integers(2, n_fft)))
    hop_length = data.draw(st.one_of(st.none(), st.integers(1, win_length or n_fft)))
    assume(hop_length is not None or (win_length or n_fft) >= 4)
    window = data.draw(st.sampled_from(NAMES))
    x = np.random.default_rng(n_fft).standard_normal(n_fft + data.draw(st.integers(0, 200))).astype(dtype)
    geometry = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center, pad_mode=pad_mode)
    D = librosa.stft(x, **geometry)
    keywords = dict(geometry)
    ok = np.ones(D.shape, dtype=bool)
    if form == "complex":
        S = D
    elif form == "magnitude":
        S = np.abs(D)
    elif form == "power":
        S, keywords["power"] = np.abs(D) ** 2, 2.0
    else:
        top_db = data.draw(st.sampled_from([None, 40.0, 80.0]))
        to_db, db, power = ((librosa.amplitude_to_db, "amplitude", 1) if form == "amplitude_to_db"
                            else (librosa.power_to_db, "power", 2))
        S = to_db(np.abs(D) ** power, ref=np.max, top_db=top_db)
        keywords.update(db=db, ref=float(np.max(np.abs(D) ** power)), top_db=top_db)
        ok = (np.abs(D) ** power >= (1e-5 if power == 1 else 1e-10)) & (S > (S.max() - top_db if top_db else -np.inf))
    spec = imported(importers.from_librosa, S, sr=22050, **keywords)
    expected = np.abs(spec.geometry.stft(x.astype(np.float64)))
    assert spec.magnitude.shape == expected.shape
    scale = tolerance(dtype) if form in ("complex", "magnitude", "power") else 1e-4
    assert np.max(np.abs(spec.magnitude - expected)[ok], initial=0) <= scale * expected.max()
    hop = spec.geometry.hop_length
    times = librosa.frames_to_time(np.arange(spec.n_frames), sr=22050, hop_length=hop, n_fft=None if center else n_fft)
    centres = hop * np.arange(spec.n_frames) + (0 if center else n_fft // 2)
    np.testing.assert_allclose(times * 22050, centres)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n_fft=st.integers(32, 400), n_mels=st.integers(1, 48), htk=st.booleans(),
       norm=st.sampled_from(["slaney", None, 1, 2, np.inf]), power=st.sampled_from([1.0, 2.0]),
       sr=st.sampled_from([8000.0, 16000.0, 22050.0, 11025.0]), db=st.booleans())
def test_librosa_mel_is_understood(data, n_fft, n_mels, htk, norm, power, sr, db):
    """gl's estimate of ``|X|``, put through librosa's own filterbank, gives librosa's mel back."""
    librosa = pytest.importorskip("librosa")
    fmin = data.draw(st.sampled_from([0.0, sr / 16]))
    fmax = data.draw(st.sampled_from([None, sr / 3]))
    hop_length = data.draw(st.integers(n_fft // 8 + 1, n_fft // 2))
    x = np.random.default_rng(n_fft).standard_normal(n_fft + data.draw(st.integers(0, 1500)))
    keywords = dict(sr=sr, n_fft=n_fft, hop_length=hop_length, power=power, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # empty filters: librosa's warning, and gl's
        M = librosa.feature.melspectrogram(y=x, **keywords)
        F = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
        assume(M.max() > 0)
        if db:
            spec = importers.from_mel(librosa.power_to_db(M, ref=1.0, top_db=None), db="power", ref=1.0, **keywords)
        else:
            spec = importers.from_mel(M, **keywords)
        filterbank = gl.mel.mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    np.testing.assert_allclose(filterbank, F, rtol=1e-5, atol=1e-6 * F.max())
    assert spec.magnitude.shape == (n_fft // 2 + 1, M.shape[-1])
    assert np.linalg.norm(F @ spec.magnitude**power - M) <= 0.01 * np.linalg.norm(M)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(nperseg=st.integers(16, 64), overlap=st.sampled_from([0.5, 0.75]), mode=st.sampled_from(["psd", "magnitude"]),
       scaling=st.sampled_from(["density", "spectrum"]), window=st.sampled_from(["hann", ("tukey", 0.25), "hamming"]))
def test_scipy_spectrogram_inverts_to_a_signal_scipy_agrees_with(nperseg, overlap, mode, scaling, window):
    """The signal ``invert`` returns, analysed by scipy again, gives ``Sxx`` back at its level: a
    misread convention shows as a level error of many dB (psd read as magnitude: the square)."""
    fs = 8000.0
    x = np.random.default_rng(nperseg).standard_normal(10 * nperseg)
    keywords = dict(window=window, nperseg=nperseg, noverlap=int(overlap * nperseg), detrend=False, scaling=scaling, mode=mode)
    _, _, Sxx = signal.spectrogram(x, fs, **keywords)
    y = importers.from_scipy_spectrogram(Sxx, fs, **keywords).invert(n_iter=60, rng=0)
    _, _, again = signal.spectrogram(y, fs, **keywords)
    root = 0.5 if mode == "psd" else 1.0
    target, result = Sxx**root, again**root
    level = 20 * np.log10(np.linalg.norm(result) / np.linalg.norm(target))
    assert abs(level) < 1.0, level
    assert 20 * np.log10(np.linalg.norm(result - target) / np.linalg.norm(target)) < -8.0
