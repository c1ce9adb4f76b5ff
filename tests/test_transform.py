"""The STFT and its inverse against librosa, a naive loop oracle, and perfect reconstruction."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gl
from gl.transform import WINDOW_SUM_FLOOR, NOLAWarning, STFT
from gl.windows import get_window

from .conftest import traced_peak

librosa = pytest.importorskip("librosa")
scipy_signal = pytest.importorskip("scipy.signal")


def rel_tol(dtype) -> float:
    """The accuracy the issue requires: 1e-12 relative in float64, 1e-5 in float32."""
    return 1e-12 if np.dtype(dtype) in (np.float64, np.complex128) else 1e-5


def naive_stft(x: np.ndarray, n_fft: int, hop: int, window: np.ndarray, center: bool, pad_mode: str) -> np.ndarray:
    """The textbook definition, one frame at a time: an oracle independent of librosa and of gl."""
    if center:
        x = np.pad(x, n_fft // 2, mode=pad_mode)
    n_frames = 1 + (len(x) - n_fft) // hop
    out = np.empty((n_fft // 2 + 1, n_frames), dtype=np.complex128)
    k = np.arange(n_fft // 2 + 1)[:, None]
    n = np.arange(n_fft)[None, :]
    dft = np.exp(-2j * np.pi * k * n / n_fft)  # explicit DFT matrix, no FFT
    for m in range(n_frames):
        out[:, m] = dft @ (window * x[m * hop : m * hop + n_fft])
    return out


def naive_istft(X: np.ndarray, n_fft: int, hop: int, window: np.ndarray, center: bool, length: int) -> np.ndarray:
    """Least-squares overlap-add, one frame at a time, dividing only where the window sum is safe."""
    n_frames = X.shape[1]
    total = n_fft + hop * (n_frames - 1)
    y = np.zeros(total)
    wsum = np.zeros(total)
    for m in range(n_frames):
        frame = np.fft.irfft(X[:, m], n=n_fft)
        y[m * hop : m * hop + n_fft] += window * frame
        wsum[m * hop : m * hop + n_fft] += window**2
    safe = wsum > WINDOW_SUM_FLOOR * wsum.max()
    y[safe] /= wsum[safe]
    y[~safe] = 0
    start = n_fft // 2 if center else 0
    out = np.zeros(length)
    piece = y[start : start + length]
    out[: len(piece)] = piece
    return out


GRID = [
    # n_fft, hop, win_length
    (64, 16, None),
    (63, 16, None),  # odd n_fft
    (64, 1, None),  # hop = 1
    (64, 64, None),  # hop = n_fft (Hann violates NOLA there)
    (64, 13, 48),  # win_length < n_fft, hop not dividing n_fft
    (65, 20, 41),  # odd everything
    (256, 64, None),
]


@pytest.mark.parametrize("n_fft,hop,win_length", GRID)
@pytest.mark.parametrize("center,pad_mode", [(True, "constant"), (True, "reflect"), (True, "edge"), (False, "constant")])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stft_matches_librosa(n_fft, hop, win_length, center, pad_mode, dtype, rng):
    x = rng.standard_normal((2, 3, 700)).astype(dtype)  # batched
    ours = gl.stft(x, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, pad_mode=pad_mode)
    ref = librosa.stft(x, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, pad_mode=pad_mode)
    assert ours.dtype == ref.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    assert ours.shape == ref.shape
    err = np.max(np.abs(ours - ref)) / np.max(np.abs(ref))
    assert err <= rel_tol(dtype)
    # single signal == batch member
    single = gl.stft(x[1, 2], n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, pad_mode=pad_mode)
    np.testing.assert_array_equal(single, ours[1, 2])


@pytest.mark.parametrize("n_fft,hop,win_length", GRID)
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_istft_matches_librosa(n_fft, hop, win_length, center, dtype, rng):
    n = 900
    geometry = STFT(n_fft, hop, win_length, center=center)
    # an arbitrary (inconsistent) spectrogram: the least-squares inverse is still defined
    n_frames = geometry.n_frames(n)
    X = (rng.standard_normal((2, geometry.n_freq, n_frames)) + 1j * rng.standard_normal((2, geometry.n_freq, n_frames)))
    X = X.astype(np.complex64 if dtype == np.float32 else np.complex128)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NOLAWarning)
        ours = gl.istft(X, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, length=n)
        ours_default = gl.istft(X, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center)
    ref = librosa.istft(X, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, length=n)
    ref_default = librosa.istft(X, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    assert ours_default.shape == ref_default.shape  # same default length as librosa
    # librosa divides by any window sum above ~1e-308; gl zeroes samples below the floor
    recoverable = geometry.recoverable(n)
    scale = np.max(np.abs(ref[..., recoverable]))
    err = np.max(np.abs(ours - ref)[..., recoverable]) / scale
    assert err <= rel_tol(dtype) * 10  # the inverse divides by the window sum: allow a decade
    assert np.all(ours[..., ~recoverable] == 0)


@pytest.mark.parametrize("n_fft,hop,win_length,window", [(64, 16, None, "hann"), (63, 10, 50, "blackman"), (32, 8, None, ("kaiser", 6.0)), (40, 40, None, "rectangular")])
@pytest.mark.parametrize("center,pad_mode", [(True, "reflect"), (False, "constant")])
def test_naive_oracle(n_fft, hop, win_length, window, center, pad_mode, rng):
    geometry = STFT(n_fft, hop, win_length, window, center, pad_mode)
    x = rng.standard_normal(500)
    X = geometry.stft(x)
    ref = naive_stft(x, n_fft, hop, geometry.window_array, center, pad_mode)
    assert np.max(np.abs(X - ref)) <= 1e-12 * np.max(np.abs(ref))
    y = geometry.istft(X * 1.5, length=480)  # not consistent after scaling? it is: scaling is linear
    ref_y = naive_istft(X * 1.5, n_fft, hop, geometry.window_array, center, 480)
    np.testing.assert_allclose(y, ref_y, rtol=0, atol=1e-12 * np.abs(ref_y).max())


@pytest.mark.parametrize("n_fft,hop,win_length", [(64, 16, None), (63, 10, 50), (1000, 250, None), (1024, 256, 1000)])
@pytest.mark.parametrize("center", [True, False])
def test_float32_transforms_against_the_oracle(n_fft, hop, win_length, center, rng):
    # float32 blocks are transformed with numpy's scaled FFTs (norm='forward' forward, the
    # usual inverse) and float64 ones unscaled inverse (norm='forward'), the factor folded
    # into the window (gl.transform.fft_norms): both must still be the plain rfft / irfft
    geometry = STFT(n_fft, hop, win_length, "hann", center)
    x = rng.standard_normal(20 * n_fft)
    ref = naive_stft(x, n_fft, hop, geometry.window_array, center, "constant")
    for dtype, tolerance in ((np.float32, 2e-6), (np.float64, 1e-12)):
        X = geometry.stft(x.astype(dtype))
        assert X.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
        assert np.max(np.abs(X - ref)) <= tolerance * np.max(np.abs(ref))
        y = geometry.istft(ref.astype(X.dtype), length=len(x))
        ref_y = naive_istft(ref, n_fft, hop, geometry.window_array, center, len(x))
        assert y.dtype == dtype
        # where the window sum is small (the ends of an uncentred STFT) the division amplifies
        # the rounding of the frames: compare where it is at least a tenth of its peak
        total = geometry.window_sum_square(X.shape[-1])[geometry.pad : geometry.pad + len(x)]
        steady = np.zeros(len(x), dtype=bool)
        steady[: len(total)] = total >= 0.1 * total.max()
        np.testing.assert_allclose(y[steady], ref_y[steady], rtol=0, atol=tolerance * np.abs(ref_y).max())


def test_odd_n_fft_frames_and_bins():
    geometry = STFT(n_fft=441, hop_length=110)
    X = geometry.stft(np.zeros(2205))
    assert X.shape == (221, 1 + 2205 // 110)


def test_window_shorter_than_n_fft_is_centred_and_zero_padded():
    geometry = STFT(n_fft=16, win_length=10, hop_length=2)
    w = geometry.window_array
    np.testing.assert_array_equal(w[:3], 0)
    np.testing.assert_array_equal(w[13:], 0)
    np.testing.assert_allclose(w[3:13], get_window("hann", 10))
    # an odd number of zeros: the extra one goes after the window, as librosa's pad_center
    # puts it (lpad = (n_fft - win_length) // 2 = 3 of the 7)
    w = STFT(n_fft=16, win_length=9, hop_length=2).window_array
    np.testing.assert_array_equal(w[:3], 0)
    np.testing.assert_array_equal(w[12:], 0)
    np.testing.assert_allclose(w[3:12], get_window("hann", 9))


@pytest.mark.parametrize("spec", ["hann", "hamming", "blackman", "bartlett", ("gaussian", 9.5), ("kaiser", 8.0), ("tukey", 0.25), "boxcar",
                                  "cosine", "triang", "triangle", "tri", "halfcosine", "bart", "brt", "box", "han",
                                  "tukey", ("tukey", 0.0), ("tukey", 1.0)])  # the default alpha 0.5, and both special cases
@pytest.mark.parametrize("length", [1, 7, 8, 64, 441])  # 1: every window is [1.]
@pytest.mark.parametrize("sym", [False, True])
def test_windows_match_scipy(spec, length, sym):
    ours = get_window(spec, length, sym=sym)
    ref = scipy_signal.get_window(spec, length, fftbins=not sym)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("std", [1e-300, 1e-3, 1e200])
def test_extreme_gaussian_windows_are_finite(std):
    """std**2 overflowed (OverflowError at 1e200) or 0 / 0 gave NaN (1e-300): a spike or a
    rectangle instead (a fuzzing review)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        window = get_window(("gaussian", std), 17, sym=True)  # a centre sample: its value is 1
    assert np.all(np.isfinite(window)) and window.max() == 1.0


def test_sine_window_is_sqrt_hann():
    np.testing.assert_allclose(get_window("sqrt_hann", 100) ** 2, get_window("hann", 100), atol=1e-15)
    np.testing.assert_allclose(get_window("sine", 100, sym=True) ** 2, get_window("hann", 100, sym=True), atol=1e-15)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_window_array_with_nan_or_inf_is_refused_as_such(bad):
    """get_window's own words, not STFT's later 'too large; scale it down' of a NaN peak."""
    window = np.ones(8)
    window[3] = bad
    with pytest.raises(ValueError, match="window array must contain only finite values"):
        get_window(window, 8)
    with pytest.raises(ValueError, match="window array must contain only finite values"):
        STFT(8, 2, window=window)


def test_array_window_used_as_given(rng):
    w = rng.random(32)
    geometry = STFT(32, 8, window=w)
    np.testing.assert_array_equal(geometry.window_array, w)
    w[0] = 99  # the geometry keeps its own copy
    assert geometry.window_array[0] != 99
    # get_window returns an array's samples as a float64 copy, whatever their dtype
    for samples in (np.array([1, 2, 3]), np.array([0.5, 1.0, 0.25], dtype=np.float32), [1, 2, 3]):
        window = get_window(samples, 3)
        assert window.dtype == np.float64 and not np.shares_memory(window, samples)
        np.testing.assert_array_equal(window, np.asarray(samples, dtype=np.float64))


# ---------------------------------------------------------------------------------- perfect reconstruction


@st.composite
def geometries(draw):
    n_fft = draw(st.integers(4, 96))
    win_length = draw(st.integers(max(3, n_fft // 2), n_fft))
    hop = draw(st.integers(1, win_length))
    window = draw(st.sampled_from(["hann", "hamming", "blackman", "rectangular", "sine", ("gaussian", 5.0), ("kaiser", 4.0)]))
    center = draw(st.booleans())
    pad_mode = draw(st.sampled_from(["constant", "reflect", "edge"])) if center else "constant"
    sym = draw(st.booleans())
    return STFT(n_fft, hop, win_length, window, center, pad_mode, sym)


@settings(max_examples=150, deadline=None)
@given(geometry=geometries(), extra=st.integers(0, 300), seed=st.integers(0, 2**32 - 1), single=st.booleans())
def test_perfect_reconstruction(geometry, extra, seed, single):
    """istft(stft(x)) == x on every sample the geometry can recover, for every NOLA geometry."""
    n = geometry.n_fft + extra
    x = np.random.default_rng(seed).standard_normal(n if single else (2, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NOLAWarning)
        y = geometry.istft(geometry.stft(x), length=n)
    recoverable = geometry.recoverable(n)
    if geometry.nola_ok:
        # away from the ends every sample is seen by enough of the window to be recovered
        assert recoverable[geometry.n_fft : n - geometry.n_fft].all()
    # error grows like eps / sqrt(window sum) where the window sum is small
    np.testing.assert_allclose(y[..., recoverable], x[..., recoverable], rtol=0, atol=1e-7)
    assert np.all(y[..., ~recoverable] == 0)


def test_perfect_reconstruction_float32(rng):
    x = rng.standard_normal((3, 5000)).astype(np.float32)
    geometry = STFT(512, 128)
    y = geometry.istft(geometry.stft(x), length=5000)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=2e-6)


# ---------------------------------------------------------------------------------- NOLA


def test_nola_warning_when_window_sum_vanishes():
    geometry = STFT(64, 64)  # Hann with hop = n_fft: the sum is 0 at every frame start
    assert not geometry.nola_ok
    X = geometry.stft(np.random.default_rng(0).standard_normal(640))
    with pytest.warns(NOLAWarning, match="NOLA condition fails"):
        geometry.istft(X)


def test_no_warning_when_nola_holds():
    geometry = STFT(64, 16)
    assert geometry.nola_ok
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geometry.istft(geometry.stft(np.ones(640)))


def test_symmetric_hann_edges_are_not_inflated():
    """scipy's hann(320) is symmetric: its window sum at the first samples is ~1e-8 of the peak.
    Griffin-Lim through it (frames not centred, the scipy.signal.spectrogram setting, 12.5 %
    overlap: poorly determined) must keep the edge samples within a few times the interior
    peak (the floor bounds the amplification to 1000); the naive division by any sum > 1e-308
    (librosa's) gives spikes far larger."""
    fs = 16000
    t = np.arange(2 * fs) / fs
    x = 0.3 * np.sin(2 * np.pi * 220 * t)
    for k in range(8):
        start = int(k * 0.25 * fs)
        x[start : start + 800] += 0.5 * np.sin(2 * np.pi * 660 * t[:800])
    geometry = STFT(320, 280, window="hann", sym=True, center=False)
    S = np.abs(geometry.stft(x))
    y = gl.griffinlim(S, geometry=geometry, n_iter=30, rng=0)
    interior = np.abs(y[400:-400]).max()
    edges = max(np.abs(y[:400]).max(), np.abs(y[-400:]).max())
    assert edges <= 5 * interior
    assert y[0] == 0 and y[-1] == 0  # window sum exactly 0: unrecoverable, zeroed


def test_tiny_window_sum_is_zeroed_not_divided(rng):
    """A window computed with a tiny nonzero end (1e-9, as a numerically evaluated symmetric
    window can have) and an inconsistent spectrogram: dividing by the window sum (1e-18) would
    give ~1e9 samples; gl zeroes them and bounds the amplification to 1 / sqrt(floor)."""
    window = get_window("hann", 256, sym=True)
    window[0] = window[-1] = 1e-9
    geometry = STFT(256, 64, window=window, center=False)
    X = rng.standard_normal((geometry.n_freq, 40)) + 1j * rng.standard_normal((geometry.n_freq, 40))
    y = geometry.istft(X)
    frames = np.fft.irfft(X, n=256, axis=0) * window[:, None]
    wsum = geometry.window_sum_square(40)
    naive_first = frames[0, 0] / wsum[0]
    assert abs(naive_first) > 1e6
    assert y[0] == 0
    frame_peak = np.abs(np.fft.irfft(X, n=256, axis=0)).max()
    assert np.abs(y).max() <= frame_peak / np.sqrt(WINDOW_SUM_FLOOR * wsum.max())


# ---------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(hop_length=0), ValueError, "hop_length=0 must be >= 1"),
        (dict(n_fft=64, win_length=32, hop_length=40), ValueError, "hop_length=40 must be <= win_length=32"),
        (dict(n_fft=64, win_length=65), ValueError, "win_length=65 must be <= n_fft=64"),
        (dict(n_fft=1), ValueError, "n_fft=1 must be >= 2"),
        (dict(n_fft=2**70), ValueError, r"n_fft=1180591620717411303424 is larger than gl handles \(at most 2\*\*26"),  # was numpy's 'Maximum allowed size exceeded'
        (dict(n_fft=2**40), ValueError, r"n_fft=1099511627776 is larger than gl handles"),  # was a MemoryError
        (dict(n_fft=64.0), TypeError, "n_fft=64.0 must be an integer"),
        (dict(window="hannn"), ValueError, "window='hannn' is unknown"),
        (dict(window="gaussian"), ValueError, "gaussian window needs its std"),
        (dict(window=("gaussian", -1.0)), ValueError, "gaussian std must be > 0"),
        (dict(window=("gaussian", 0.0)), ValueError, "gaussian std must be > 0"),
        (dict(window=("kaiser", 800.0)), ValueError, r"kaiser beta must satisfy \|beta\| <= 700"),  # was NaN
        (dict(window=("kaiser", -800.0)), ValueError, r"kaiser beta must satisfy \|beta\| <= 700"),
        (dict(n_fft=64, window=np.ones(10)), ValueError, "window array has shape"),
        (dict(n_fft=8, window=np.ones(8) * 1j), TypeError, "window array must be real"),
        (dict(pad_mode="wrap"), ValueError, "pad_mode='wrap' is unknown"),
        (dict(center="yes"), TypeError, "center='yes' must be True or False"),
    ],
)
def test_bad_geometry(kwargs, error, match):
    with pytest.raises(error, match=match):
        STFT(**kwargs)


@pytest.mark.parametrize("method, value, error, match", [
    ("n_frames", 1.5, TypeError, "n_samples=1.5 must be an integer"),  # gave 1.0
    ("n_frames", -1, ValueError, "n_samples=-1 must be >= 0"),
    ("default_length", -3, ValueError, "n_frames=-3 must be >= 1"),  # gave -256
    ("default_length", 0, ValueError, "n_frames=0 must be >= 1"),
    ("max_length", -1, ValueError, "n_frames=-1 must be >= 1"),  # gave -65
    ("max_length", 2.0, TypeError, "n_frames=2.0 must be an integer"),
])
def test_geometry_counts_are_checked(method, value, error, match):
    geometry = STFT(256, 64)
    with pytest.raises(error, match=match):
        getattr(geometry, method)(value)
    assert (geometry.n_frames(1000), geometry.default_length(np.int64(10)), geometry.max_length(10)) == (16, 576, 639)


def test_bad_signals():
    geometry = STFT(64, 16)
    with pytest.raises(TypeError, match="x must be a floating-point array"):
        geometry.stft(np.arange(100))
    with pytest.raises(TypeError, match="x must be real-valued"):
        geometry.stft(np.ones(100, dtype=complex))
    with pytest.raises(ValueError, match="x contains NaN"):
        geometry.stft(np.full(100, np.nan))
    with pytest.raises(ValueError, match="at least one sample"):
        geometry.stft(np.zeros(0))
    with pytest.raises(ValueError, match="too short for n_fft=64"):
        STFT(64, 16, center=False).stft(np.zeros(10))


def test_bad_spectrograms():
    geometry = STFT(64, 16)
    with pytest.raises(ValueError, match="33 frequency bins.*implies n_fft=64"):
        STFT(128, 32).istft(np.ones((33, 10), complex))
    with pytest.raises(ValueError, match="shape \\(..., n_freq, n_frames\\)"):
        geometry.istft(np.ones(33, complex))
    with pytest.raises(TypeError, match="floating-point"):
        geometry.istft(np.ones((33, 4), dtype=int))
    with pytest.raises(ValueError, match="NaN or infinite"):
        geometry.istft(np.full((33, 4), np.inf, complex))
    with pytest.raises(ValueError, match="length=0 must be >= 1"):
        geometry.istft(np.ones((33, 4), complex), length=0)


def test_geometry_equality_and_replace():
    a = STFT(512, 128)
    assert a == STFT(512, 128, 512, "hann")
    assert a != STFT(512, 128, window="hamming")
    assert a.replace(hop_length=64) == STFT(512, 64)
    assert hash(a) == hash(STFT(512, 128))
    assert a.n_freq == 257 and a.pad == 256 and STFT(512, 128, center=False).pad == 0


def test_defaults_follow_librosa():
    geometry = STFT()
    assert (geometry.n_fft, geometry.hop_length, geometry.win_length, geometry.center, geometry.pad_mode) == (2048, 512, 2048, True, "constant")
    assert STFT(1024, win_length=400).hop_length == 100


@pytest.mark.parametrize("n_fft,hop,center", list(itertools.product([64, 63], [16, 7], [True, False])))
def test_frame_count_matches_librosa(n_fft, hop, center):
    for n in [n_fft, n_fft + 1, 333, 1000]:
        x = np.zeros(n)
        assert STFT(n_fft, hop, center=center).n_frames(n) == librosa.stft(x, n_fft=n_fft, hop_length=hop, center=center).shape[-1]


@pytest.mark.parametrize(
    "n_fft, hop, win_length",
    [(1024, 256, None), (512, 128, None), (16, 4, None), (8, 2, None), (1024, 1024, None), (1000, 250, None), (64, 1, None),
     (100, 30, None), (512, 160, 400), (1025, 256, None), (17, 9, 12), (2048, 275, 1100)],
)
@pytest.mark.parametrize("n_frames", [1, 3, 8, 9, 17, 100])
def test_window_sum_square_equals_the_full_overlap_add(n_fft, hop, win_length, n_frames):
    # the periodic middle is repeated rather than overlap-added: the same sums, bit for bit,
    # also when the hop does not divide n_fft (frames seen as ceil(n_fft / hop) hops, 0 at the end)
    for window in ("hann", "blackman"):
        geometry = STFT(n_fft, hop, win_length, window=window)
        full = np.zeros(geometry._padded_length(n_frames))
        geometry._overlap_add(np.broadcast_to(geometry.window_array**2, (n_frames, n_fft)), full)
        np.testing.assert_array_equal(geometry.window_sum_square(n_frames), full)


# ---------------------------------------------------------------------- found in review (2026-11-29)


def test_sym_must_be_a_bool_and_a_list_window_is_an_array():
    for value in ("False", None, 1):
        with pytest.raises(TypeError, match="sym="):
            gl.STFT(8, 2, sym=value)
    geometry = gl.STFT(8, 2, window=[1.0] * 8)
    assert isinstance(geometry.window, np.ndarray) and not geometry.window.flags.writeable
    assert geometry.window_name is None  # (an AttributeError on .lower() before)


def test_a_batch_of_short_centred_signals_is_fine_but_channels_last_audio_is_not():
    assert gl.stft(np.zeros((20, 10)), n_fft=16, hop_length=4).shape == (20, 9, 3)  # as librosa
    with pytest.raises(ValueError, match="pass x.T"):
        gl.stft(np.zeros((70000, 2)), n_fft=2048)
    # what gl itself returns for a tiny geometry can be analysed again (a fuzzing review)
    geometry = gl.STFT(n_fft=2, hop_length=1)
    y = gl.reconstruct(np.ones((3, 2, 2)), method="gla", n_iter=1, geometry=geometry, rng=0)
    assert y.shape == (3, 1) and geometry.stft(y).shape == (3, 2, 2)


def test_istft_of_one_frame_says_to_pass_the_length():
    with pytest.raises(ValueError, match=r"X has 1 frame\(s\).*pass length="):
        gl.istft(np.ones((5, 1), complex))
    assert gl.istft(np.ones((5, 1), complex), length=4).shape == (4,)


def test_istft_takes_any_length_as_documented(rng):
    # STFT.istft's and gl.istft's docs: any length >= 1, 0 past the last frame's end, cut when
    # shorter, as librosa's length (they said it 'must give n_frames frames')
    geometry = STFT(512, 128)
    x = rng.standard_normal(2000)
    X = geometry.stft(x)
    end = geometry.n_fft + geometry.hop_length * (X.shape[-1] - 1) - geometry.pad  # the last frame's end
    full = geometry.istft(X, length=end)
    for length in (10, 2000, end + 1000):
        y = geometry.istft(X, length=length)
        assert y.shape == (length,)
        np.testing.assert_array_equal(y[: full.size], full[:length])
        assert not np.any(y[full.size :])
        np.testing.assert_array_equal(gl.istft(X, hop_length=128, length=length), y)


def test_replace_n_fft_brings_the_defaults_that_followed_from_it():
    assert gl.STFT(1024).replace(n_fft=2048) == gl.STFT(2048)
    assert gl.STFT(1024).replace(n_fft=512) == gl.STFT(512)
    assert gl.STFT(1024, 128).replace(n_fft=2048).hop_length == 128  # an explicit hop stays
    assert gl.STFT(1024, win_length=600).replace(n_fft=2048).win_length == 600


def test_nola_warning_points_at_the_callers_line():
    x = np.random.default_rng(0).standard_normal(4000)
    geometry = gl.STFT(256, 256)
    for call in (lambda: gl.istft(geometry.stft(x), n_fft=256, hop_length=256),
                 lambda: gl.griffinlim(np.abs(geometry.stft(x)), geometry=geometry, n_iter=1)):  # fmt: skip
        with pytest.warns(NOLAWarning) as caught:
            call()
        assert caught[0].filename == __file__


def test_a_window_too_small_to_carry_a_signal_is_refused():
    """float32 transforms carry w^2 x and divide by sum w^2: a window peaking at 1e-20 gave inf/NaN."""
    with pytest.raises(ValueError, match=r"the window array has its largest value 9.5e-21, too small"):
        gl.STFT(8, 2, window=np.hanning(8) * 1e-20)
    with pytest.raises(ValueError, match=r"window=\('gaussian', 0.05\) with win_length=2 has its largest value"):
        gl.STFT(4, 1, win_length=2, window=("gaussian", 0.05), sym=True)
    geometry = gl.STFT(8, 2, window=np.hanning(8) * 1e-12)  # small, but carried
    x = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    np.testing.assert_allclose(geometry.istft(geometry.stft(x), length=64)[8:-8], x[8:-8], rtol=1e-4, atol=1e-5)


def test_float32_stft_near_the_top_of_the_range_is_finite_where_the_result_fits():
    """float32 frames are windowed times n_fft before an FFT that sums them and then scales by
    1 / n_fft, which overflowed (to NaN, every coefficient) from about 1e32 at n_fft 1024; the
    signal is now brought down by a power of two first, so only coefficients whose true value
    float32 cannot hold are inf, with a warning. The same for the inverse (whose result fits)."""
    geometry = STFT(1024, 256)
    noise = np.random.default_rng(4).uniform(-1, 1, 8000)
    for amplitude in (1.0, 3e33, 3e35, 3e36):
        x = (noise * amplitude).astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            X = geometry.stft(x)
        reference = geometry.stft(x.astype(np.float64))
        assert X.dtype == np.complex64 and np.all(np.isfinite(X))
        np.testing.assert_allclose(X, reference, rtol=0, atol=1e-6 * np.abs(reference).max())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = geometry.istft(X, length=x.shape[-1])  # the inverse sums n_fft values before its 1 / n_fft too
        assert y.dtype == np.float32
        np.testing.assert_allclose(y, x, rtol=0, atol=1e-5 * amplitude)
    x = (noise * 3e38).astype(np.float32)  # sums of 1024 such samples exceed float32's 3.4e38
    with pytest.warns(RuntimeWarning, match=r"exceeds float32's range in \d+ real or imaginary parts, which are inf"):
        X = geometry.stft(x)
    assert not np.any(np.isnan(X)) and np.any(np.isinf(X))
    finite = np.isfinite(X)
    reference = geometry.stft(x.astype(np.float64))
    np.testing.assert_allclose(X[finite], reference[finite], rtol=0, atol=1e-6 * np.abs(reference).max())


def test_float64_stft_beyond_float64_says_so():
    """Near float64's largest number the STFT's sums overflow as well: the coefficients whose
    true value float64 cannot hold are inf, with gl's warning (numpy's bare overflow warning
    before), and the others are the exact scaled transform."""
    geometry = STFT(256, 64)
    noise = np.random.default_rng(5).uniform(-1, 1, 3000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = geometry.stft(noise * 1e305)  # brought down and back up by a power of two: exact
    np.testing.assert_array_equal(X, geometry.stft(noise * 1e305 / 2.0**1000) * 2.0**1000)
    with pytest.warns(RuntimeWarning, match=r"exceeds float64's range in \d+ real or imaginary parts, which are inf; scale x down"):
        X = geometry.stft(np.full(100, 1e308))
    assert not np.any(np.isnan(X)) and np.any(np.isinf(X))


def test_repr_of_a_window_array_is_short():
    geometry = gl.STFT(512, 128, win_length=400, window=np.hanning(400))
    assert repr(geometry) == ("STFT(n_fft=512, hop_length=128, win_length=400, window=<array of 400 samples>, center=True, "
                              "pad_mode='constant', sym=False)")
    assert repr(gl.STFT(512, 128, window=("kaiser", 8.0))).count("window=('kaiser', 8.0)") == 1


@pytest.mark.parametrize("scale", [1e19, 1e200, np.inf])
def test_a_window_whose_square_overflows_is_refused(scale):
    """pghi, spsi and rtpghi gave NaN with such a window, fgla and istft zeros."""
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=r"window array .* too large|finite"):
        STFT(n_fft=32, hop_length=8, window=np.hanning(32) * scale)


def test_istft_of_a_float64_spectrogram_near_the_top_of_the_range():
    """Peaking at 1e308 it returned NaN (the inverse FFT's sum overflowed), though the signal fits
    (a fuzzing review); float32 was already scaled by a power of two on the way."""
    geometry = STFT(256, 64)
    x = np.sin(np.arange(4000) / 7.0)
    X = geometry.stft(x)
    scale = 1e308 / np.abs(X).max()
    y = geometry.istft(X * scale, length=4000)
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y / scale, x, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_fft", [7, 1024])
def test_numpy1_block_transforms_give_numpy_s_bits(monkeypatch, dtype, n_fft):
    """numpy 1.x's path of the block transforms (gl.transform._legacy_fft: kept float64 /
    complex128 work arrays, in chunks), run here on any numpy: the same values as numpy's
    transform of the float64 frames, whatever the chunking, and the spare arrays kept bounded."""
    from gl import transform
    from gl._spares import Spares

    monkeypatch.setattr(transform, "_LEGACY_BYTES", 3 * n_fft * 16)  # chunks of 1-6 rows: several per block
    monkeypatch.setattr(transform, "_LEGACY_SPARES", {
        kind: Spares(lambda size, kind=kind: np.empty(max(size, transform._LEGACY_BYTES // kind.itemsize), kind))
        for kind in (np.dtype(np.float64), np.dtype(np.complex128))
    })
    rng = np.random.default_rng(n_fft)
    frames = rng.standard_normal((20, n_fft)).astype(dtype)
    complex_dtype = np.result_type(dtype, np.complex64)
    spectra = np.empty((20, n_fft // 2 + 1), complex_dtype)
    transform._legacy_fft(np.fft.rfft, frames, n_fft, spectra, "backward", np.dtype(np.float64))
    np.testing.assert_array_equal(spectra, np.fft.rfft(frames.astype(np.float64), axis=-1).astype(complex_dtype))
    signal = np.empty((20, n_fft), dtype)
    for _ in range(2):  # the second call takes the kept work array
        transform._legacy_fft(np.fft.irfft, spectra, n_fft, signal, "ortho", np.dtype(np.complex128))
    expected = np.fft.irfft(spectra.astype(np.complex128), n=n_fft, axis=-1, norm="ortho").astype(dtype)
    np.testing.assert_array_equal(signal, expected)
    assert [len(kept) for kept in transform._LEGACY_SPARES.values()] == [1, 1]
    empty = np.empty((0, n_fft // 2 + 1), complex_dtype)
    assert transform._legacy_fft(np.fft.rfft, frames[:0], n_fft, empty, "backward", np.dtype(np.float64)).shape == (0, n_fft // 2 + 1)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_istft_of_a_real_spectrogram_is_that_of_x_plus_0i_without_a_complex_copy(dtype, rng):
    """A real X is synthesised as X + 0i block by block: the bits of istft(X.astype(complex)),
    and the peak memory of the complex call (the complex copy the inverse made first cost a
    complex spectrogram, 8 or 16 bytes a coefficient); also on the path that scales a
    spectrogram near the top of the range by a power of two (which made a scaled copy)."""
    geometry = STFT(512, 128)
    x = rng.standard_normal((2, 10 * 8000)).astype(np.float32)
    S = np.abs(geometry.stft(x)).astype(dtype)
    S[:, :, ::3] *= -1  # any real values
    complex_S = S.astype(np.complex128 if dtype == np.float64 else np.complex64)
    top = float(np.finfo(np.float32 if dtype == np.float16 else dtype).max) / 8
    huge = np.ldexp(S.astype(complex_S.real.dtype), int(np.log2(top / float(np.abs(S).max()))))  # istft scales these down first
    complex_huge = huge.astype(complex_S.dtype)
    for real, as_complex in ((S, complex_S), (huge, complex_huge)):
        y = geometry.istft(real, length=x.shape[-1])
        assert y.dtype == (np.float64 if dtype == np.float64 else np.float32)
        np.testing.assert_array_equal(y, geometry.istft(as_complex, length=x.shape[-1]))
        assert np.all(np.isfinite(y))

    def peak(argument):
        return traced_peak(lambda: geometry.istft(argument), warm_up=True)

    complex_bytes = complex_S.nbytes
    assert peak(S) - peak(complex_S) < complex_bytes / 4
    assert peak(complex_huge) - peak(complex_S) < complex_bytes / 4


@pytest.mark.parametrize("window", ["hann", ("kaiser", 8.0), np.hanning(100)])
def test_a_pickled_or_copied_geometry_is_the_same_and_still_read_only(window, rng):
    """Pickle and copy rebuild an STFT from its parameters (found in review, 2026-11-30):
    unpickled, its window came back writable, so an in-place change of
    ``geometry.window_array`` altered every later transform of that object."""
    import copy
    import pickle

    geometry = gl.STFT(128, 32, win_length=100, window=window, center=False, pad_mode="reflect")
    geometry.stft(np.zeros(400, np.float32))  # fills a per-dtype cache, which must not travel
    x = rng.standard_normal(1000)
    for other in (pickle.loads(pickle.dumps(geometry)), copy.deepcopy(geometry), copy.copy(geometry)):
        assert other == geometry and hash(other) == hash(geometry) and repr(other) == repr(geometry)
        assert not other.window_array.flags.writeable and not other._window_squared.flags.writeable
        assert not other.window_sum_period.flags.writeable
        assert not isinstance(window, np.ndarray) or not other.window.flags.writeable
        np.testing.assert_array_equal(other.stft(x), geometry.stft(x))
    assert len(pickle.dumps(geometry)) < 2000 + 8 * 100  # the parameters (and an array window's samples), no caches


def test_a_window_sum_between_one_millionth_and_one_thousandth_is_recovered():
    """WINDOW_SUM_FLOOR is 1e-6 of the largest sum, not more. Non-centred Hann frames of 64
    at hop 16: samples 1 and 255 of 256 are seen by one window tip only, w[1]^2 = w[63]^2 =
    sin(pi / 64)^4 = 5.8e-6, 3.9e-6 of the steady sum of 1.5: above the floor, so
    recovered; sample 0 (w[0] = 0) is not. A floor of 1e-3 lost samples 1 and 255 too (a
    mutation that no test saw)."""
    geometry = STFT(64, 16, center=False)
    tip = np.sin(np.pi / 64) ** 4
    peak = geometry.window_sum_square(geometry.n_frames(256)).max()
    assert peak == pytest.approx(1.5) and 1e-6 < tip / peak < 1e-3
    mask = geometry.recoverable(256)
    assert not mask[0] and mask[1:].all()
    x = np.random.default_rng(3).standard_normal(256)
    y = geometry.istft(geometry.stft(x), length=256)
    assert y[0] == 0.0
    np.testing.assert_allclose(y[1:], x[1:], rtol=0, atol=1e-9)


@pytest.mark.parametrize("n_samples", [4, 64])  # the full window sum (2 frames, 2 R or fewer), and the periodic one
def test_a_window_sum_exactly_at_the_floor_is_unrecoverable_everywhere_alike(n_samples):
    """At a sum of exactly WINDOW_SUM_FLOOR times the largest (w = [1, 1e-3] with hop
    n_fft = 2: sums 1 and 1e-6, 1e-3**2 being 1e-6 in float64), NOLA fails, the mask says
    unrecoverable and the inverse gives 0 there: the three comparisons agree (nola_ok's
    ``>``, the inverse's ``<=``); ``>=`` in either left one of them recovering the sample."""
    geometry = STFT(2, 2, window=np.array([1.0, 1e-3]), center=False)
    assert 1e-3**2 == WINDOW_SUM_FLOOR
    assert not geometry.nola_ok
    assert geometry.recoverable(n_samples).tolist() == [True, False] * (n_samples // 2)
    x = np.arange(1.0, n_samples + 1)
    with pytest.warns(NOLAWarning):
        y = geometry.istft(geometry.stft(x), length=n_samples)
    expected = x.copy()
    expected[1::2] = 0.0
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=0)


def test_float32_stft_of_a_large_constant_has_the_exact_dc():
    """A float32 frame is windowed times n_fft before an FFT that sums its n_fft values
    (then scaled by 1 / n_fft): a constant 3e33 at n_fft 1024 sums to 512 * 1024 * 3e33 =
    1.6e39 on the way, past float32's 3.4e38, though the DC coefficient, sum(w) * 3e33 =
    512 * 3e33 (a periodic Hann window sums to n_fft / 2), fits. The signal is brought down
    by a power of two whenever its peak exceeds max / (4 n_fft^2) in float32; a threshold of
    max / (4 n_fft), as float64 has, gave inf there."""
    geometry = STFT(1024, 256)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = geometry.stft(np.full(8192, 3e33, dtype=np.float32))
    assert X.dtype == np.complex64 and np.all(np.isfinite(X))
    assert X[0, 10].real == pytest.approx(512 * 3e33, rel=1e-6)
    assert abs(X[0, 10].imag) <= 1e-6 * 512 * 3e33
