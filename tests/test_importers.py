"""gl.importers against scipy, librosa and (emulated) torchaudio conventions."""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pytest

import gl
from gl import importers
from gl.importers import LossWarning
from gl.metrics import spectral_convergence

from .conftest import read_audio, traced_peak

signal = pytest.importorskip("scipy.signal")


def scipy_frames_magnitude(x, nperseg, hop, nfft, window, detrend):
    """The oracle: |rfft(window * (frame - detrend))| of frames x[j*hop : j*hop + nperseg]."""
    count = (len(x) - nperseg) // hop + 1
    frames = np.stack([x[j * hop : j * hop + nperseg] for j in range(count)])  # (frames, nperseg)
    if detrend == "constant":
        frames = frames - frames.mean(axis=1, keepdims=True)
    return np.abs(np.fft.rfft(frames * window, n=nfft, axis=1)).T  # (n_freq, frames)


# ---------------------------------------------------------------------- scipy.signal.spectrogram

SPECTROGRAM_CASES = list(
    itertools.product(
        ("psd", "magnitude", "complex"),
        ("density", "spectrum"),
        (False, "constant"),
        ((256, None), (255, None), (200, 512), (201, 300)),  # (nperseg, nfft): even, odd, zero-padded
        (True, False),  # one-sided
    )
)


@pytest.mark.parametrize("mode, scaling, detrend, sizes, onesided", SPECTROGRAM_CASES)
def test_every_scipy_scaling_and_mode_recovers_the_stft_magnitude(mode, scaling, detrend, sizes, onesided):
    nperseg, nfft = sizes
    fs = 8000.0
    x = np.random.default_rng(nperseg).standard_normal(3000)
    window = ("tukey", 0.25) if nperseg % 2 == 0 else signal.windows.hann(nperseg, sym=True)
    f, t, Sxx = signal.spectrogram(
        x, fs, window=window, nperseg=nperseg, nfft=nfft, detrend=detrend, return_onesided=onesided,
        scaling=scaling, mode=mode,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LossWarning)
        spec = importers.from_scipy_spectrogram(
            Sxx, fs, f=f, t=t, window=window, detrend=detrend, return_onesided=onesided, scaling=scaling, mode=mode
        )
    w = signal.get_window(window, nperseg) if isinstance(window, tuple) else window
    hop = nperseg - nperseg // 8
    expected = scipy_frames_magnitude(x, nperseg, hop, nfft or nperseg, w, detrend)
    assert spec.magnitude.shape == expected.shape
    np.testing.assert_allclose(spec.magnitude, expected, rtol=0, atol=1e-10 * expected.max())
    assert spec.geometry.n_fft == (nfft or nperseg) and spec.geometry.hop_length == hop
    if not detrend:  # gl's own STFT in the inferred geometry gives the same frames
        own = np.abs(spec.geometry.stft(np.concatenate([x, np.zeros(spec.geometry.n_fft)])))[:, : expected.shape[1]]
        np.testing.assert_allclose(own, expected, rtol=0, atol=1e-10 * expected.max())


def test_scipy_complex_mode_with_its_phase_gives_the_signal_back_at_its_level():
    fs = 16000.0
    x = 0.01 * np.random.default_rng(1).standard_normal(4000)
    f, t, Sxx = signal.spectrogram(x, fs, nperseg=400, noverlap=300, nfft=512, mode="complex", detrend=False, window="hann")
    spec = importers.from_scipy_spectrogram(Sxx, fs, f=f, t=t, window="hann", mode="complex", detrend=False)
    y = spec.invert(n_iter=0, init=np.angle(Sxx), fade_edges=False)  # the least-squares values at the ends too
    assert len(y) == 400 + 100 * (Sxx.shape[-1] - 1)
    # the first and last few samples have a window sum ~0 (Hann): gl sets those to 0
    np.testing.assert_allclose(y[8:-8], x[8 : len(y) - 8], atol=1e-12)
    assert y[0] == 0


def test_scipy_psd_in_db():
    x = np.random.default_rng(12).standard_normal(4000)
    f, t, Sxx = signal.spectrogram(x, 8000.0, detrend=False)
    linear = importers.from_scipy_spectrogram(Sxx, 8000.0, f=f, t=t, detrend=False)
    in_db = importers.from_scipy_spectrogram(10 * np.log10(Sxx), 8000.0, f=f, t=t, detrend=False, db="power")
    np.testing.assert_allclose(in_db.magnitude, linear.magnitude, rtol=1e-10)
    with pytest.raises(ValueError, match="mode='complex' values have no dB form"):
        importers.from_scipy_spectrogram(Sxx, 8000.0, mode="complex", db="power", detrend=False)


def test_scipy_geometry_inferred_from_f_and_t_alone():
    x = np.random.default_rng(13).standard_normal(6000)
    f, t, Sxx = signal.spectrogram(x, 11025.0, window="hann", nperseg=200, noverlap=150, nfft=512, detrend=False)
    spec = importers.from_scipy_spectrogram(Sxx, 11025.0, f=f, t=t, window="hann", detrend=False)
    assert (spec.geometry.n_fft, spec.geometry.hop_length) == (512, 50)
    assert spec.length == 200 + 50 * (Sxx.shape[-1] - 1)
    expected = scipy_frames_magnitude(x, 200, 50, 512, signal.get_window("hann", 200), False)
    np.testing.assert_allclose(spec.magnitude, expected, rtol=0, atol=1e-10 * expected.max())


def test_scipy_f_and_t_must_be_numbers():
    """A text f or t (np.savez of labels, a column read as strings) was NumPy's bare 'could not
    convert string to float: np.str_('a')': it names the array and says it must be scipy's numeric
    axis; numbers of any dtype (or a list) are read as before."""
    x = np.random.default_rng(13).standard_normal(4000)
    for importer, call, name, keywords in ((importers.from_scipy_spectrogram, signal.spectrogram, "Sxx", {"detrend": False}),
                                           (importers.from_scipy_stft, signal.stft, "Zxx", {})):
        f, t, array = call(x, 8000.0)
        made_by = f"the {{axis}} of f, t, {name} = scipy\\.signal\\.{call.__name__}\\(x, fs, \\.\\.\\.\\)$"
        for axis, what in (("f", "frequency axis, in Hz"), ("t", "time axis, in seconds")):
            text = {"f": f, "t": t, axis: np.array(["a"] * len({"f": f, "t": t}[axis]))}
            with pytest.raises(ValueError, match=rf"^{axis} holds text \('a', \.\.\.\), not numbers: it must be scipy's numeric "
                                                 rf"{what}, " + made_by.format(axis=axis)):
                importer(array, 8000.0, **text, **keywords)
        with pytest.raises(ValueError, match=r"^t holds values of dtype complex128, not numbers"):
            importer(array, 8000.0, f=f, t=t + 0j, **keywords)
        expected = importer(array, 8000.0, f=f, t=t, **keywords)
        for same in (importer(array, 8000.0, f=f.astype(np.float32), t=list(t), **keywords),
                     importer(array, 8000.0, f=f.astype(object), t=t, **keywords)):
            assert same.geometry == expected.geometry and np.array_equal(same.magnitude, expected.magnitude)


def test_scipy_defaults_and_geometry_from_shape():
    x = np.random.default_rng(2).standard_normal(5000)
    f, t, Sxx = signal.spectrogram(x)  # all defaults: tukey, nperseg 256, noverlap 32, fs 1
    with pytest.warns(LossWarning, match="mean"), pytest.warns(UserWarning, match=r"fs=1 Hz is no audio sample rate \(scipy's default"):
        spec = importers.from_scipy_spectrogram(Sxx)
    assert (spec.geometry.n_fft, spec.geometry.hop_length, spec.geometry.center) == (256, 224, False)
    assert spec.length == 256 + 224 * (Sxx.shape[-1] - 1)
    assert spec.sample_rate == 1.0


def test_scipy_float32_stays_float32():
    x = np.random.default_rng(3).standard_normal(3000).astype(np.float32)
    f, t, Sxx = signal.spectrogram(x, 8000, detrend=False)
    assert Sxx.dtype == np.float32
    spec = importers.from_scipy_spectrogram(Sxx, 8000, f=f, t=t, detrend=False)
    assert spec.magnitude.dtype == np.float32
    assert spec.invert(n_iter=2, rng=0).dtype == np.float32


def test_scipy_psd_near_the_top_of_the_float_range():
    """|X| = sqrt(Sxx / (c_k s)) divided before the root: a float32 PSD above about 1e31
    overflowed there ('magnitude contains NaN or infinite values', after a RuntimeWarning)
    though |X| is about 1e20; a float64 PSD the same from about 1e302. Now the root comes
    first there; an |X| beyond the dtype (modes 'magnitude', 'complex') is refused, named."""
    x = np.random.default_rng(3).standard_normal(4000)
    w = np.hanning(256)
    X = np.abs(gl.STFT(n_fft=256, hop_length=64, window=w, center=False).stft(x))
    scale = 1 / (16000 * np.sum(w**2))
    psd = X**2 * scale
    psd[1:-1] *= 2
    for dtype, peak in ((np.float32, 1e35), (np.float64, 1e305)):  # Sxx / (c_k s) up to 1.7e6 times more
        factor = peak / psd.max()
        Sxx = psd * factor
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            spec = importers.from_scipy_spectrogram(Sxx.astype(dtype), 16000, window=w, noverlap=192, detrend=False)
        assert spec.magnitude.dtype == dtype
        np.testing.assert_allclose(spec.magnitude, X * np.sqrt(factor), rtol=1e-5 if dtype == np.float32 else 1e-12)
    loud = (X * np.sqrt(scale) * 1e38).astype(np.float32)  # |X| up to 4e39: not a float32
    with pytest.raises(ValueError, match=r"beyond float32's range .* pass Sxx as float64"):
        importers.from_scipy_spectrogram(loud, 16000, window=w, noverlap=192, detrend=False, mode="magnitude")


@pytest.mark.parametrize("mode", ["angle", "phase"])
def test_scipy_phase_modes_are_rejected_with_a_reason(mode):
    with pytest.raises(ValueError, match=f"mode='{mode}' holds only the phase"):
        importers.from_scipy_spectrogram(np.zeros((129, 4)), 8000, mode=mode)


def test_scipy_detrend_warning_says_what_was_destroyed():
    with pytest.warns(LossWarning, match=r"removed its mean from every segment.*DC bin.*below about 62.5 Hz"):
        importers.from_scipy_spectrogram(np.ones((129, 4)), 8000)
    with pytest.warns(LossWarning, match="its mean and slope"):
        importers.from_scipy_spectrogram(np.ones((129, 4)), 8000, detrend="linear")


def test_scipy_windows_that_barely_overlap_warn_and_come_back_at_level():
    # scipy's default noverlap (nperseg // 8) suits its Tukey window, not a Hann: between frames
    # the summed squared windows fall to 0.3 % of their peak, and least-squares iterations matched
    # the spectrogram with spikes there that made the audio 3 to 6 dB too loud (measured +3.7 dB
    # here); gl's iterations divide by a floor there (gl._engine, Low overlap): -0.2 dB
    x, fs = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[: 2 * fs]
    level = {}
    for window in ("hann", ("tukey", 0.25)):
        f, t, Sxx = signal.spectrogram(x, fs, window=window, detrend=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec = importers.from_scipy_spectrogram(Sxx, fs, f=f, t=t, window=window, detrend=False)
        messages = [str(w.message) for w in caught if issubclass(w.category, LossWarning)]
        y = spec.invert()
        level[window[0] if isinstance(window, tuple) else window] = 20 * np.log10(np.std(y) / np.std(x[: len(y)]))
        # and with either window, scipy's default hop (224) adds fewer magnitudes (129) a frame than samples
        fewer = "noverlap=32: each frame adds 224 samples but 129 magnitudes, so the spectrogram holds fewer magnitudes than the signal"
        if window == "hann":
            assert len(messages) == 2 and re.match(r"noverlap=32 with this window leaves the summed squared windows at 0\.29% of their peak", messages[0])
            assert messages[1].startswith(fewer)
        else:
            assert len(messages) == 1 and messages[0].startswith(fewer)  # scipy's own Tukey at its own overlap: 50 %, no low-overlap warning
    assert abs(level["hann"]) < 1 and abs(level["tukey"]) < 0.5
    # at half overlap the same Hann is well seen; a librosa geometry at hop 3/4 of the window is not
    f, t, Sxx = signal.spectrogram(x, fs, window="hann", noverlap=128, detrend=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_scipy_spectrogram(Sxx, fs, f=f, t=t, window="hann", noverlap=128, detrend=False)
    with pytest.warns(LossWarning, match=r"hop_length=768 with this window leaves the summed squared windows at 4\.3%"):
        importers.from_librosa(np.ones((513, 8)), sr=16000, hop_length=768)


def test_frames_that_add_fewer_magnitudes_than_samples_are_a_loss():
    """n_fft // 2 + 1 magnitudes a frame against hop new samples: below one a sample (scipy's
    default hop, 7/8 of the segment), many signals share the magnitudes and a reconstruction
    can match them to -60 dB while 9 dB from the recording (docs/05). Every importer warns
    from hop = n_freq + 1 (a LossWarning naming its own hop keyword), not at hop = n_freq."""
    def losses(function, *args, **keywords):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            function(*args, **keywords)
        return [str(w.message) for w in caught if issubclass(w.category, LossWarning) and "magnitudes" in str(w.message)]

    ones = np.ones((129, 20))
    assert losses(importers.from_scipy_spectrogram, ones, 8000, detrend=False) == [  # scipy's defaults
        "noverlap=32: each frame adds 224 samples but 129 magnitudes, so the spectrogram holds fewer magnitudes than the "
        "signal has samples and many signals share them: a reconstruction can match them closely (a low spectral "
        "convergence) and still sound unlike the recording; if you can recompute the spectrogram, a hop of a quarter of "
        "the FFT (64) gives about twice as many magnitudes as samples"]
    assert losses(importers.from_scipy_spectrogram, ones, 8000, noverlap=127, detrend=False) == []  # hop 129
    assert len(losses(importers.from_scipy_spectrogram, ones, 8000, noverlap=126, detrend=False)) == 1  # hop 130
    assert losses(importers.from_scipy_stft, ones + 0j, 8000) == []  # stft's default hop: 128
    assert len(losses(importers.from_scipy_stft, ones + 0j, 8000, noverlap=100)) == 1  # hop 156
    assert losses(importers.from_librosa, ones, hop_length=129) == []
    assert losses(importers.from_librosa, ones, hop_length=130)[0].startswith("hop_length=130: each frame adds 130 samples but 129")
    assert losses(importers.from_torchaudio, np.ones((201, 20))) == []  # n_fft 400, hop 200
    assert len(losses(importers.from_torchaudio, np.ones((201, 20)), hop_length=202)) == 1

@pytest.fixture
def scipy_output():
    x = np.random.default_rng(4).standard_normal(4000)
    return signal.spectrogram(x, 8000.0, nperseg=256, noverlap=128, detrend=False)


@pytest.mark.parametrize(
    "keywords, match",
    [
        ({"nperseg": 200}, r"nperseg=200 but t\[0\]=0.016 s means segments of 256 samples"),
        ({"nfft": 512}, "nfft=512 gives 257 frequency rows but the spectrogram has 129"),
        ({"noverlap": 64}, "noverlap=64 gives a hop of 192 samples but t steps by 128"),
        ({"window": np.hanning(200)}, r"the window array has 200 samples but t\[0\]=0.016 s means segments of 256"),
        ({"fs": 16000.0}, "f implies nfft=512 \\(spacing 31.25 Hz at fs=16000\\)"),
        ({"nperseg": 256, "window": np.hanning(128)}, "nperseg=256 contradicts the window array of 128"),
    ],
)
def test_scipy_contradictions_name_the_parameter(scipy_output, keywords, match):
    f, t, Sxx = scipy_output
    arguments = {"fs": 8000.0, "f": f, "t": t, "detrend": False}
    arguments.update(keywords)
    fs = arguments.pop("fs")
    with pytest.raises(ValueError, match=match):
        importers.from_scipy_spectrogram(Sxx, fs, **arguments)


def test_scipy_f_of_another_rate_names_the_rate_it_implies(scipy_output):
    # f, t, Sxx = spectrogram(x, 8000.0, nperseg=256): f steps by 31.25 Hz over 129 rows, which only fs=8000
    # (nfft 256) or 8031.25 (nfft 257) give; the message says so, for a wrong fs as for a forgotten one
    f, t, Sxx = scipy_output
    implied = r"that spacing over 129 rows means fs=8000 \(nfft=256\) or fs=8031\.25 \(nfft=257\)"
    with pytest.raises(ValueError, match=r"^f implies nfft=512 \(spacing 31\.25 Hz at fs=16000\) but the spectrogram has 129 "
                                         r"rows: " + implied + "$"):
        importers.from_scipy_spectrogram(Sxx, 16000, f=f, t=t, detrend=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fs=1 Hz is no audio sample rate: said too
        with pytest.raises(ValueError, match=r"at fs=1\) but the spectrogram has 129 rows: " + implied + "$"):
            importers.from_scipy_spectrogram(Sxx, f=f, t=t, detrend=False)


def test_scipy_contradictions_without_axes():
    with pytest.raises(ValueError, match="nfft=300 gives 151 frequency rows but the spectrogram has 129"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 8000, nfft=300, detrend=False)
    with pytest.raises(ValueError, match="nperseg=300 must be <= nfft=256"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 8000, nperseg=300, detrend=False)
    with pytest.raises(ValueError, match="f has shape"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 8000, f=np.arange(10.0), detrend=False)
    with pytest.raises(ValueError, match="length=1000 gives 4 frames"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 8000, length=1000, detrend=False)
    with pytest.raises(ValueError, match="complex signal"):
        importers.from_scipy_spectrogram(np.random.default_rng(0).random((256, 5)), 8000, return_onesided=False, detrend=False)


@pytest.mark.parametrize(
    "Sxx, error, match",
    [
        (np.full((129, 5), np.nan), ValueError, "NaN or infinite"),
        (np.full((129, 5), np.inf), ValueError, "NaN or infinite"),
        (-np.ones((129, 5)), ValueError, "negative values"),
        (np.ones((129, 5), dtype=complex), TypeError, "complex"),
        (np.ones(129), ValueError, "shape"),
        (np.array([["a"]]), TypeError, "numeric"),
    ],
)
def test_scipy_bad_values(Sxx, error, match):
    with pytest.raises(error, match=match):
        importers.from_scipy_spectrogram(Sxx, 8000, detrend=False)


def test_scipy_nola_violation_is_an_error():
    with pytest.raises(ValueError, match="noverlap=0 with this window breaks NOLA"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 8000, window=signal.windows.hann(256, sym=True), noverlap=0, detrend=False)


def test_scipy_run_on_samples_by_channels_is_named():
    """scipy.signal.spectrogram(x, fs) of x as soundfile reads a stereo file, (samples, 2), frames the
    last axis, 2 samples: Sxx (n, 2, 1) was a NOLA error, and scipy.signal.stft's Zxx (n, 2, 3) with f
    and t was taken, 16000 'channels' of 2 bins. Both say that scipy framed the channels and to
    give it x.T; a spectrogram of few frames whose shape does not say so is left alone."""
    x = np.random.default_rng(4).standard_normal((4000, 2)) * 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's 'nperseg = 256 is greater than input length = 2'
        f, t, Sxx = signal.spectrogram(x, 8000)
        fz, tz, Zxx = signal.stft(x, 8000)
    said = r"scipy framed an axis of 2 samples, the channels of a \(samples, channels\) signal as soundfile reads it; give "
    with pytest.raises(ValueError, match=r"^Sxx has shape \(4000, 2, 1\): " + said + r"scipy the channels first, "
                       r"scipy\.signal\.spectrogram\(x\.T, fs, \.\.\.\)"):
        importers.from_scipy_spectrogram(Sxx, 8000, f=f, t=t)
    with pytest.raises(ValueError, match=r"^Sxx has shape \(4000, 2, 1\): scipy framed an axis of 2 or 3 samples"):
        importers.from_scipy_spectrogram(Sxx, 8000)  # without f, the rows say 2 or 3
    with pytest.raises(ValueError, match=r"^Zxx has shape \(4000, 2, 3\): " + said + r".*scipy\.signal\.stft\(x\.T"):
        importers.from_scipy_stft(Zxx, 8000, f=fz, t=tz)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f, t, right = signal.spectrogram(x.T, 8000)
    assert importers.from_scipy_spectrogram(right, 8000, f=f, t=t, detrend=False).magnitude.shape == (2, 129, 17)
    few = np.ones((2, 129, 1))  # two channels of one frame: a spectrogram, not framed channels
    with pytest.raises(ValueError, match="NOLA|nperseg"):
        importers.from_scipy_spectrogram(np.ones((1500, 129, 1)), 8000, nperseg=256, noverlap=0, detrend=False,
                                         window=signal.windows.hann(256, sym=True))
    assert importers.from_scipy_spectrogram(few, 8000, detrend=False).magnitude.shape == (2, 129, 1)


def test_scipy_bad_options():
    with pytest.raises(ValueError, match="mode='power' is unknown"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), mode="power")
    with pytest.raises(ValueError, match="scaling='psd' is unknown"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), scaling="psd")
    with pytest.raises(ValueError, match="fs=0"):
        importers.from_scipy_spectrogram(np.ones((129, 5)), 0)


def test_a_rate_no_audio_file_holds_is_refused_in_a_few_words():
    """fs=1e300 made scipy's f imply an nfft of 300 digits in the message (and from_librosa, from_mel,
    from_shorttimefft ... took it): every importer refuses a rate above 2**31 - 1 Hz, the fastest an
    audio file holds (the rule of gl invert), naming the keyword; and an f or t off by hundreds of
    orders of magnitude at a good rate gives its count of samples in :g form."""
    x = np.random.default_rng(3).standard_normal(4000)
    f, t, Sxx = signal.spectrogram(x, 8000, nperseg=256, noverlap=192)
    fz, tz, Zxx = signal.stft(x, 8000, nperseg=256, noverlap=192)
    rule = r"must be at most 2147483647 Hz, the fastest sample rate an audio file holds; pass the rate"
    calls = [
        ("fs=1e\\+300", lambda: importers.from_scipy_spectrogram(Sxx, 1e300, f=f, t=t)),
        ("fs=1e\\+300", lambda: importers.from_scipy_stft(Zxx, 1e300, f=fz, t=tz)),
        ("fs=1e\\+300", lambda: importers.from_shorttimefft(Zxx, fs=1e300, win=np.hanning(256), hop=64)),
        ("sr=3e\\+09", lambda: importers.from_librosa(np.abs(Zxx), sr=3e9, n_fft=256, hop_length=64)),
        ("sr=1e\\+300", lambda: importers.from_mel(np.abs(Zxx)[:40], sr=1e300, n_fft=256, hop_length=64)),
        ("sample_rate=1e\\+300", lambda: importers.from_torchaudio(np.abs(Zxx), sample_rate=1e300, n_fft=256, hop_length=64)),
    ]
    for keyword, call in calls:
        with pytest.raises(ValueError, match=rf"^{keyword} {rule}"):
            call()
    assert importers.from_librosa(np.abs(Zxx), sr=2**31 - 1, n_fft=256, hop_length=64).sample_rate == 2**31 - 1
    with pytest.raises(ValueError, match=r"^f implies nfft=2\.56e\+292 \(spacing"):
        importers.from_scipy_spectrogram(Sxx, 8000, f=f * 1e-290, t=t, detrend=False)
    with pytest.raises(ValueError, match=r"^t steps by 6\.4e\+291 samples, which is not a hop"):
        importers.from_scipy_stft(Zxx, 8000, f=fz, t=tz * 1e290)
    with pytest.raises(ValueError, match=r"^nperseg=2\.56e\+292 \(from t\[0\]"):
        importers.from_scipy_spectrogram(Sxx, 8000, t=t * 1e290, detrend=False)


# ---------------------------------------------------------------------- scipy.signal.stft


@pytest.mark.parametrize(
    "boundary, padded, scaling, nperseg, nfft",
    list(itertools.product(("zeros", "even", "constant", "odd", None), (True, False), ("spectrum", "psd"), (256, 255), (None, 400))),
)
def test_scipy_stft_with_its_phase_gives_the_signal_back(boundary, padded, scaling, nperseg, nfft):
    fs = 8000.0
    x = np.random.default_rng(5).standard_normal(3000)
    f, t, Zxx = signal.stft(x, fs, nperseg=nperseg, noverlap=nperseg * 3 // 4, nfft=nfft, boundary=boundary, padded=padded, scaling=scaling)
    spec = importers.from_scipy_stft(
        np.abs(Zxx), fs, nperseg=nperseg, noverlap=nperseg * 3 // 4, nfft=nfft, boundary=boundary, padded=padded,
        scaling=scaling, length=len(x),
    )
    y = spec.invert(n_iter=0, init=np.angle(Zxx), fade_edges=False)  # the least-squares values at the ends too
    assert y.shape == x.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scipy: "NOLA condition failed" at the edges without boundary
        _, reference = signal.istft(Zxx, fs, nperseg=nperseg, noverlap=nperseg * 3 // 4, nfft=nfft, boundary=boundary is not None, scaling=scaling)
    n = min(len(reference), len(x))
    good = np.abs(reference[:n] - x[:n]) < 1e-9  # the samples scipy itself recovers ...
    good &= gl_recoverable(spec)[:n]  # ... and whose window sum is not ~0 (gl zeroes those)
    assert good.mean() > 0.9
    np.testing.assert_allclose(y[:n][good], x[:n][good], atol=1e-9)


def gl_recoverable(spec: gl.Spectrogram) -> np.ndarray:
    """Samples of the original signal whose window sum gl does not treat as zero."""
    total = spec.geometry.window_sum_square(spec.n_frames)[spec.geometry.pad + spec.offset :]
    mask = np.zeros(spec.output_length, dtype=bool)
    piece = (total > 1e-6 * total.max())[: spec.output_length]
    mask[: len(piece)] = piece
    return mask


def test_scipy_stft_shape_and_length_errors():
    Z = np.ones((129, 20))
    with pytest.raises(ValueError, match="nfft=256 gives 129 frequency rows but Zxx has 257"):
        importers.from_scipy_stft(np.ones((257, 20)), 8000)
    with pytest.raises(ValueError, match="length=100 gives"):
        importers.from_scipy_stft(Z, 8000, length=100)
    with pytest.raises(ValueError, match="boundary='wrap' is unknown"):
        importers.from_scipy_stft(Z, boundary="wrap")
    with pytest.raises(ValueError, match="noverlap=0 with this window breaks NOLA"):
        importers.from_scipy_stft(Z, 8000, noverlap=0, window=signal.windows.hann(256, sym=True))


@pytest.mark.parametrize("keywords", [
    {}, {"nperseg": 512, "noverlap": 384}, {"nperseg": 255, "noverlap": 191}, {"nperseg": 512, "noverlap": 384, "boundary": None},
    {"nperseg": 256, "padded": False, "boundary": "even"}, {"nperseg": 256, "boundary": None, "padded": False},
    {"nperseg": 256, "noverlap": 192, "scaling": "psd"}, {"nperseg": 256, "noverlap": 192, "return_onesided": False},
], ids=lambda keywords: ",".join(f"{k}={v}" for k, v in keywords.items()) or "defaults")
def test_scipy_stft_reads_its_geometry_off_f_and_t(keywords):
    """``f, t, Zxx = scipy.signal.stft(...)``: f and t say nfft (and so nperseg) and the hop, as they
    do for scipy.signal.spectrogram (they were not taken: scipy's defaults, nperseg 256 and a hop of
    128, were assumed whatever the axes said); the same spectrogram as with scipy's keywords."""
    x = np.random.default_rng(12).standard_normal(6000)
    f, t, Zxx = signal.stft(x, 16000, **keywords)
    given = importers.from_scipy_stft(Zxx, 16000, **keywords)
    rest = {k: v for k, v in keywords.items() if k in ("boundary", "padded", "scaling", "return_onesided")}
    for read in (importers.from_scipy_stft(Zxx, 16000, f=f, t=t, **rest), importers.from_scipy_stft(Zxx, 16000, f=f, t=t, **keywords)):
        assert read.geometry == given.geometry and (read.offset, read.length, read.tail) == (given.offset, given.length, given.tail)
        np.testing.assert_array_equal(read.magnitude, given.magnitude)


def test_scipy_stft_f_shorter_than_nperseg_offers_no_zero_padding():
    """f saying an FFT shorter than the nperseg given: no zero-padding makes that (scipy pads a segment to
    nfft, never shortens it), so the advice is the nperseg f says; it was 'pass nfft=256 too if scipy
    zero-padded the segments', which nfft < nperseg refuses."""
    x = np.random.default_rng(13).standard_normal(6000)
    f, t, Zxx = signal.stft(x, 16000, nperseg=256)
    for axes in ({"f": f}, {"f": f, "t": t}):
        with pytest.raises(ValueError, match=r"^f implies nfft=256, shorter than nperseg=512: scipy pads a segment to nfft, never "
                                             r"shortens it; pass the nperseg scipy was given \(256, with scipy's default nfft\)$"):
            importers.from_scipy_stft(Zxx, 16000, nperseg=512, **axes)
    right = importers.from_scipy_stft(Zxx, 16000, f=f, t=t, nperseg=256)
    assert right.geometry == importers.from_scipy_stft(Zxx, 16000).geometry


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_scipy_stft_segments_zero_padded_to_the_nfft_f_says_are_said(dtype):
    """scipy.signal.stft(x, fs, nperseg=400, nfft=512) saved as f, t, Zxx: with scipy's boundary t starts
    at 0 whatever nperseg, and f says nfft, so with nothing else to say nperseg it was silently read as
    512 (the wrong window: the signal came back wrong). A complex Zxx tells: its segments end in zeros,
    and a warning says so and what to pass; one whose segments fill the FFT is read without one. A
    magnitude cannot tell, and is read without one (as every file made with scipy's defaults, whose
    reading is right). t without a boundary says nperseg."""
    x = np.random.default_rng(21).standard_normal(8000)
    f, t, Zxx = signal.stft(x, 16000, nperseg=400, noverlap=300, nfft=512)
    Zxx = Zxx.astype(dtype)
    about = "about " if dtype == np.complex64 else ""
    with pytest.warns(UserWarning, match=rf"^the segments of Zxx end in {about}112 zeros: scipy zero-padded segments of {about}400 "
                                         r"samples to nfft=512, but nothing given says nperseg .* pass nperseg=400 and nfft=512$"):
        read = importers.from_scipy_stft(Zxx, 16000, f=f, t=t)
    assert read.geometry.win_length == 512  # as before: what is read is unchanged, and said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = importers.from_scipy_stft(Zxx, 16000, f=f, t=t, nperseg=400, nfft=512)
        assert right.geometry == importers.from_scipy_stft(Zxx, 16000, nperseg=400, noverlap=300, nfft=512).geometry
        for keywords in ({}, {"window": "hamming"}, {"window": "blackman"}):
            for nperseg in (512, 4096):
                fi, ti, filled = signal.stft(x, 16000, nperseg=nperseg, **keywords)  # segments that fill the FFT
                importers.from_scipy_stft(filled.astype(dtype), 16000, f=fi, t=ti, **keywords)
        _, tn, unbounded = signal.stft(x, 16000, nperseg=400, noverlap=300, nfft=512, boundary=None)
        assert importers.from_scipy_stft(np.abs(unbounded), 16000, f=f, t=tn, boundary=None).geometry == right.geometry
    with warnings.catch_warnings():  # a magnitude cannot tell, and a warning would come with every file of scipy's defaults
        warnings.simplefilter("error")
        importers.from_scipy_stft(np.abs(Zxx), 16000, f=f, t=t)


def test_scipy_stft_f_and_t_check_the_keywords():
    x = np.random.default_rng(13).standard_normal(6000)
    f, t, Zxx = signal.stft(x, 16000, nperseg=512, noverlap=384)
    with pytest.raises(ValueError, match=r"noverlap=256 gives a hop of 256 samples but t steps by 128 samples"):
        importers.from_scipy_stft(Zxx, 16000, f=f, t=t, nperseg=512, noverlap=256)
    with pytest.raises(ValueError, match=r"f implies nfft=512, but nperseg=256 alone means nfft=256 \(scipy's default\): pass "
                                         r"nfft=512 too if scipy zero-padded"):
        importers.from_scipy_stft(Zxx, 16000, f=f, t=t, nperseg=256)
    with pytest.raises(ValueError, match=r"f implies nfft=256 \(spacing 31.25 Hz at fs=8000\) but the spectrogram has 257 rows"):
        importers.from_scipy_stft(Zxx, 8000, f=f, t=t)  # another fs
    with pytest.raises(ValueError, match=r"t\[0\]=0 s means segments of 0 samples with boundary=None; a t that starts at 0 "
                                         r"was made with a boundary"):
        importers.from_scipy_stft(Zxx, 16000, f=f, t=t, boundary=None)
    _, t_none, Z_none = signal.stft(x, 16000, nperseg=512, noverlap=384, boundary=None)
    with pytest.raises(ValueError, match=r"t does not match .* boundary='zeros': t starts at 0 with a boundary .* pass boundary=None"):
        importers.from_scipy_stft(Z_none, 16000, f=f, t=t_none)
    with pytest.raises(ValueError, match=r"t has shape \(3,\), but Zxx has \d+ frames"):
        importers.from_scipy_stft(Zxx, 16000, f=f, t=t[:3])


# ---------------------------------------------------------------------- ShortTimeFFT


@pytest.mark.parametrize(
    "fft_mode, scale_to, mfft",
    [(m, s, n) for m in ("onesided", "onesided2X", "twosided", "centered") for s in (None, "magnitude", "psd") for n in (None, 96)
     if not (m == "onesided2X" and s is None)],
)
def test_shorttimefft_magnitudes_and_reconstruction(fft_mode, scale_to, mfft):
    fs = 8000.0
    x = np.random.default_rng(6).standard_normal(2000)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, hop=16, fs=fs, fft_mode=fft_mode, mfft=mfft, scale_to=scale_to, phase_shift=None)
    S = SFT.stft(x)
    P = SFT.spectrogram(x)
    spec = importers.from_shorttimefft(S, win=win, hop=16, fs=fs, fft_mode=fft_mode, mfft=mfft, scale_to=scale_to, phase_shift=None, length=len(x))
    spec_power = importers.from_shorttimefft(P, win=win, hop=16, fs=fs, fft_mode=fft_mode, mfft=mfft, scale_to=scale_to, length=len(x))
    np.testing.assert_allclose(spec_power.magnitude, spec.magnitude, rtol=1e-9, atol=1e-12)
    plain = signal.ShortTimeFFT(win, hop=16, fs=fs, fft_mode="onesided", mfft=mfft, phase_shift=None).stft(x)
    np.testing.assert_allclose(spec.magnitude, np.abs(plain), rtol=0, atol=1e-10 * np.abs(plain).max())
    y = spec.invert(n_iter=0, init=np.angle(plain))
    np.testing.assert_allclose(y, x, atol=1e-10)


@pytest.mark.parametrize("padding", ["zeros", "edge", "even", "odd"])
def test_shorttimefft_padding_is_rebuilt_with_the_grid_and_cut_off(padding):
    """stft(x, padding=...) fills the slices' samples outside [0, N) with zeros, x's edge values or
    x reflected (even, odd): the slice grid, and so offset and length, are those of 'zeros', and the
    rebuilt grid holds that extension, which invert cuts off. A DC offset makes the modes differ."""
    fs, hop = 8000.0, 64
    t = np.arange(4000) / fs
    x = 0.3 + 0.5 * np.sin(2 * np.pi * 440 * t + 0.3) + 0.1 * np.random.default_rng(7).standard_normal(t.size)
    win = signal.windows.hann(256, sym=False)
    SFT = signal.ShortTimeFFT(win, hop, fs=fs, phase_shift=None)
    S = SFT.stft(x, padding=padding)
    spec = importers.from_shorttimefft(S, win=win, hop=hop, fs=fs, length=x.size)
    assert (spec.offset, spec.length) == (128 - SFT.p_min * hop, x.size) == (192, 4000)
    mode = {"zeros": {"mode": "constant"}, "edge": {"mode": "edge"}, "even": {"mode": "reflect"},
            "odd": {"mode": "reflect", "reflect_type": "odd"}}[padding]
    extended = np.pad(x, (spec.offset, spec.grid_length - spec.offset - x.size), **mode)  # scipy's slices, gl's frames
    np.testing.assert_allclose(spec.magnitude, np.abs(spec.geometry.stft(extended)), atol=1e-10 * np.abs(S).max())
    y = spec.invert(n_iter=0, init=np.angle(S))  # scipy's phase: the extended grid, cut to x
    np.testing.assert_allclose(y, x, atol=1e-10)
    y, info = spec.invert(n_iter=200, rng=0, return_info=True)  # phase retrieval as good as with zeros (0.006 .. 0.013)
    assert info.spectral_convergence[-1] < 0.03
    inner = slice(SFT.lower_border_end[1] - SFT.p_min, SFT.upper_border_begin(x.size)[1] - SFT.p_min)
    assert spectral_convergence(np.abs(S[:, inner]), SFT.stft(y, padding=padding)[:, inner]) < 0.03  # slices inside x


@pytest.mark.parametrize("k_offset", [0, 5, 32, -30])
def test_shorttimefft_k_offset_moves_the_signal_on_the_grid(k_offset):
    """stft(x, k_offset=k) puts time 0 at x[k]: slice p covers x[p * hop - len(win) // 2 + k:], so x
    starts 48 - k samples into the grid (p_min = -1, hop 16, len(win) 64); the slice count stays p_max(N) - p_min."""
    x = np.random.default_rng(8).standard_normal(1000)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, phase_shift=None)
    S = SFT.stft(x, k_offset=k_offset)
    assert S.shape[-1] == SFT.p_max(x.size) - SFT.p_min == 66
    for length in (x.size, None):
        spec = importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, k_offset=k_offset, length=length)
        assert spec.offset == 48 - k_offset
        y = spec.invert(n_iter=0, init=np.angle(S), fade_edges=False)  # (x[0] is 16 samples into the first slice at k 32)
        assert y.size == (x.size if length else x.size + 56 + k_offset)  # without length: to the last slice's end
        np.testing.assert_allclose(y[: x.size], x, atol=1e-10)
        np.testing.assert_allclose(np.abs(SFT.stft(y[: x.size], k_offset=k_offset)), np.abs(S), atol=1e-10)
    with pytest.raises(TypeError, match=r"k_offset=0.5 must be a whole number \(the index in x of time 0\)"):
        importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, k_offset=0.5)


def test_shorttimefft_p1_below_p_max():
    """stft(x, p1=...) stops before p_max(N): the slices cover x up to the last one's end; with the
    default p_min, a length that gives more slices is refused (a wrong length, or p1: pass p_min);
    with p_min, a length the slices reach is taken and one past their end is refused with advice."""
    x = np.random.default_rng(9).standard_normal(1000)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, phase_shift=None)
    assert (SFT.p_min, SFT.p_max(x.size)) == (-1, 65)
    S = SFT.stft(x, p1=40)  # slices -1 .. 39: the last covers x[39 * 16 - 32 : 656]
    spec = importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0)
    assert spec.length == 656
    y = spec.invert(n_iter=0, init=np.angle(S), fade_edges=False)
    np.testing.assert_allclose(y, x[:656], atol=1e-10)
    np.testing.assert_allclose(np.abs(SFT.stft(y, p1=40)), np.abs(S), atol=1e-10)
    with pytest.raises(ValueError, match=r"length=1000 gives 66 slices .* but S has 41: check length; if S was made with "
                                         r"stft\(x, p1=40\) \(< p_max\(1000\) = 65\), pass p_min=-1 \(its p0\) as well"):
        importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, length=1000)
    with pytest.raises(ValueError, match=r"which end at sample 656: .* the samples from 656 on were never analysed: leave out length"):
        importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, length=1000, p_min=-1)
    with pytest.raises(ValueError, match=r"length=500 gives 35 slices .* from p_min=-1, but S has 41: check length and p_min"):
        importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, length=500, p_min=-1)
    S = SFT.stft(x, p1=64)  # without the last slice the others still reach sample 1040: x is whole
    spec = importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, length=1000, p_min=-1)
    np.testing.assert_allclose(spec.invert(n_iter=0, init=np.angle(S)), x, atol=1e-10)


def _shorttimefft_round_trip(SFT, x, win, **keywords):
    """Import SFT.stft(x) given win and the keywords; its magnitude is |stft| of the unscaled
    window win, and scipy's phase gives x back."""
    S = SFT.stft(x)
    spec = importers.from_shorttimefft(S, win=win, hop=SFT.hop, fs=SFT.fs, mfft=SFT.mfft, fft_mode=SFT.fft_mode,
                                       length=x.size, **keywords)
    plain = signal.ShortTimeFFT(win, SFT.hop, fs=SFT.fs, mfft=SFT.mfft, phase_shift=None).stft(x)
    assert spec.magnitude.shape == plain.shape
    np.testing.assert_allclose(spec.magnitude, np.abs(plain), atol=1e-10 * np.abs(plain).max())
    y = spec.invert(n_iter=0, init=np.angle(plain))
    np.testing.assert_allclose(y, x, atol=1e-10)
    return spec


@pytest.mark.parametrize("fft_mode", ["onesided", "onesided2X", "twosided", "centered"])
@pytest.mark.parametrize("mfft", [None, 97])
def test_shorttimefft_odd_window_and_mfft(fft_mode, mfft):
    """An odd window (63: slices from p * hop - 31) and an odd mfft (97: no Nyquist bin, 'centered'
    puts bin -48 first, 'onesided2X' doubles every bin but DC)."""
    x = np.random.default_rng(10).standard_normal(1500)
    win = signal.windows.hann(63, sym=True)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, fft_mode=fft_mode, mfft=mfft, scale_to="psd", phase_shift=None)
    spec = _shorttimefft_round_trip(SFT, x, win, scale_to="psd")
    assert spec.offset == 31 - SFT.p_min * 16 and spec.geometry.n_fft == SFT.mfft


def test_shorttimefft_scale_to_after_construction():
    """SFT.scale_to('psd') after construction (also over an earlier 'magnitude') scales the window as
    scale_to='psd' in the constructor does; fft_mode set afterwards as given to it."""
    x = np.random.default_rng(11).standard_normal(1500)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, phase_shift=None)
    SFT.scale_to("magnitude")
    SFT.scale_to("psd")
    SFT.fft_mode = "onesided2X"
    _shorttimefft_round_trip(SFT, x, win, scale_to="psd")
    with pytest.raises(AssertionError):  # the scaling matters: as 'magnitude' the level is wrong
        _shorttimefft_round_trip(SFT, x, win, scale_to="magnitude")


def test_shorttimefft_from_window_and_from_dual():
    """from_window(win_param, fs, nperseg, noverlap, symmetric_win=...) is ShortTimeFFT(get_window(win_param,
    nperseg, fftbins=not symmetric_win), nperseg - noverlap, fs); from_dual computes the window from the
    dual one. Passing SFT.win (scaled by scale_to) with the same scale_to works too: the scaling of a
    scaled window is 1, and the magnitude and window then agree."""
    x = np.random.default_rng(12).standard_normal(1500)
    SFT = signal.ShortTimeFFT.from_window(("kaiser", 8.0), 8000.0, 200, 150, symmetric_win=True, fft_mode="onesided2X",
                                          scale_to="magnitude", phase_shift=None)
    win = signal.get_window(("kaiser", 8.0), 200, fftbins=False)
    assert SFT.hop == 50 and np.allclose(SFT.win, win / win.sum())
    _shorttimefft_round_trip(SFT, x, win, scale_to="magnitude")
    _shorttimefft_round_trip(SFT, x, SFT.win, scale_to="magnitude")
    dual = signal.windows.kaiser(64, 6.0)  # its squares do not add up to a constant at hop 16, as a Hann's would
    SFT = signal.ShortTimeFFT.from_dual(dual, 16, fs=8000.0, scale_to="psd", fft_mode="centered", mfft=80, phase_shift=None)
    assert not np.allclose(SFT.win / SFT.win.max(), dual)  # the window is not the dual one
    _shorttimefft_round_trip(SFT, x, SFT.win, scale_to="psd")
    with pytest.raises(AssertionError):
        _shorttimefft_round_trip(SFT, x, dual, scale_to="psd")


@pytest.mark.parametrize("p0, k_offset", [(3, 0), (None, 70)])
def test_shorttimefft_slices_that_start_after_the_first_sample(p0, k_offset):
    """stft(x, p0=3) (p_min -1) or k_offset=70 start the slices 16 or 22 samples into x: a negative
    Spectrogram.offset; the samples before come back as zeros, with a LossWarning, the rest as x."""
    x = np.random.default_rng(13).standard_normal(1000)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, phase_shift=None)
    S = SFT.stft(x, p0=p0, k_offset=k_offset)
    start = (-1 if p0 is None else p0) * 16 - 32 + k_offset  # the first slice's first sample in x
    assert start == (16 if p0 else 22)
    for length in (x.size, None):
        with pytest.warns(LossWarning, match=f"the first slice starts at sample {start} of the signal; no slice saw the {start} samples"):
            spec = importers.from_shorttimefft(S, win=win, hop=16, fs=8000.0, p_min=p0, k_offset=k_offset, length=length)
        assert spec.offset == -start
        y = spec.invert(n_iter=0, init=np.angle(S), fade_edges=False)
        assert y.size == (x.size if length else x.size + 56 + k_offset)  # without length: to the last slice's end
        np.testing.assert_array_equal(y[:start], 0)
        np.testing.assert_allclose(y[start + 1 : x.size], x[start + 1 :], atol=1e-10)  # (win[0] = 0: x[start] unseen too)
        np.testing.assert_allclose(np.abs(SFT.stft(y[: x.size], p0=p0, k_offset=k_offset)), np.abs(S), atol=1e-10)
    y, info = spec.invert(n_iter=100, rng=0, return_info=True)
    assert info.spectral_convergence[-1] < 0.08 and not np.any(y[:start])  # 0.052, 0.065; from p_min: 0.053


def test_shorttimefft_slices_that_see_no_sample_of_the_signal_are_named():
    """stft(x, p0, p1, k_offset=...) computes slices wholly before x[0] (or after its end) from its
    padding alone: refused naming p_min and k_offset. It was a message about a length no one gave
    ('length=1 does not fit 2 frames ... had at most 0 samples') or about 'the -2 samples the slices
    cover' (found by the property tests)."""
    w = np.hanning(5)
    sft = signal.ShortTimeFFT(w, 2, 8000.0)
    x = np.random.default_rng(0).standard_normal(15)
    S = sft.stft(x, p0=-1, p1=1, k_offset=-4)  # slices centred on x[-6] and x[-4]
    for length in (None, 15):
        with pytest.raises(ValueError, match=r"slices of S from p_min=-1 with k_offset=-4 end at sample -2, before the signal's first"):
            importers.from_shorttimefft(S, win=w, hop=2, fs=8000.0, p_min=-1, k_offset=-4, length=length)
    S = sft.stft(np.zeros(40), p0=7, p1=9, k_offset=6)  # windows seeing x[19] on (w[0] = 0), of a signal said to be 15 long
    with pytest.raises(ValueError, match=r"start at sample 19, after the end of the signal \(length=15\)"):
        importers.from_shorttimefft(S, win=w, hop=2, fs=8000.0, p_min=7, k_offset=6, length=15)
    with pytest.raises(ValueError, match="win is all zeros"):
        importers.from_shorttimefft(np.ones((3, 4)), win=np.zeros(5), hop=2, fs=8000.0)


def test_shorttimefft_k_offset_past_either_end_of_the_signal():
    """scipy takes a k_offset that puts every slice before x[0] or past its end, and makes those
    slices of zeros. Before x[0] gl refuses them, with length or without; past the end only with
    length, which says where the end is: S does not (stft's default p1 does not follow k_offset, and
    a p1 given stops anywhere), and the same slices of a longer x, as many, hold signal. Without
    length, an all-zero S past the end was a LossWarning about the samples before it only; it now
    says the slices may be past the end and asks for length."""
    x = np.random.default_rng(1).standard_normal(1000)
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=8000.0, phase_shift=None)
    keywords = dict(win=win, hop=16, fs=8000.0)
    before, after = SFT.stft(x, k_offset=-5000), SFT.stft(x, k_offset=5000)
    assert before.shape == after.shape == SFT.stft(x).shape == (33, 66) and not np.any(before) and not np.any(after)
    for length in (None, 1000):
        with pytest.raises(ValueError, match=r"^the 66 slices of S from slice -1 \(scipy's default p_min\) with k_offset=-5000 end "
                                             r"at sample -3944, before the signal's first: .*; check p_min and k_offset"):
            importers.from_shorttimefft(before, k_offset=-5000, length=length, **keywords)
    with pytest.raises(ValueError, match=r"^the 66 slices of S from slice -1 \(scipy's default p_min\) with k_offset=5000 start at "
                                         r"sample 4953, after the end of the signal \(length=1000\): they hold nothing of it; check "
                                         r"p_min, k_offset \(stft's p0 and k_offset\) and length$"):
        importers.from_shorttimefft(after, k_offset=5000, length=1000, **keywords)
    with pytest.warns(LossWarning, match=r"the first slice starts at sample 4952 of the signal; .* come back as zeros; S is all "
                                         r"zeros, as scipy makes slices past the end of the signal: if it has at most 4953 "
                                         r"samples, they hold nothing of it \(give length, the signal's length, to check p_min "
                                         r"and k_offset\)$"):
        spec = importers.from_shorttimefft(after, k_offset=5000, **keywords)
    assert spec.output_length == 6056 and not np.any(spec.invert(n_iter=1, rng=0))
    # as many slices with the same k_offset, of a longer x (p1 = 65): its samples from x[4953] on
    longer = np.random.default_rng(2).standard_normal(20000)
    S = SFT.stft(longer, p1=65, k_offset=5000)
    with pytest.warns(LossWarning, match=r"which come back as zeros$"):
        spec = importers.from_shorttimefft(S, k_offset=5000, **keywords)
    y = spec.invert(n_iter=0, init=np.angle(S), fade_edges=False)
    assert y.size == 6056 and not np.any(y[:4953])
    np.testing.assert_allclose(y[4953:6000], longer[4953:6000], atol=1e-10)


def test_shorttimefft_negative_k_offset_with_the_signal_length_is_explained():
    """stft(x, k_offset=-25) with its default p0 and p1 (p_max(len(x)), which does not follow
    k_offset) leaves x's last samples unanalysed: with length=len(x), the import said 'length=85
    does not fit 18 frames of hop 6 ... had at most 83 samples', naming neither k_offset nor a way
    out (found by the property tests). Without length it rebuilds what the slices saw."""
    w = np.hanning(25)
    sft = signal.ShortTimeFFT(w, 6, 1000.0)
    x = np.random.default_rng(0).standard_normal(85)
    S = sft.stft(x, k_offset=-25)
    with pytest.raises(ValueError, match=r"length=85, but the 18 slices of S from slice -2 \(scipy's default p_min\) with "
                                         r"k_offset=-25 end at sample 77: k_offset=-25 moves the slices 25 samples earlier"):
        importers.from_shorttimefft(S, win=w, hop=6, fs=1000.0, k_offset=-25, length=85)
    spec = importers.from_shorttimefft(S, win=w, hop=6, fs=1000.0, k_offset=-25)
    assert spec.output_length == 77
    importers.from_shorttimefft(sft.stft(x, k_offset=-3), win=w, hop=6, fs=1000.0, k_offset=-3, length=85)  # still within reach


def test_shorttimefft_errors():
    win = np.hanning(64)
    with pytest.raises(ValueError, match="fft_mode='onesided2X' needs scale_to"):
        importers.from_shorttimefft(np.ones((33, 10)), win=win, hop=16, fs=1.0, fft_mode="onesided2X")
    with pytest.raises(ValueError, match="mfft=64 with fft_mode='onesided' gives 33 frequency rows but S has 40"):
        importers.from_shorttimefft(np.ones((40, 10)), win=win, hop=16, fs=1.0)
    with pytest.raises(ValueError, match="win is complex"):
        importers.from_shorttimefft(np.ones((33, 10)), win=win.astype(complex), hop=16, fs=1.0)
    with pytest.raises(ValueError, match="hop=64 with this window breaks NOLA"):
        importers.from_shorttimefft(np.ones((33, 10)), win=signal.windows.hann(64, sym=True), hop=64, fs=1.0)


# ---------------------------------------------------------------------- librosa and torchaudio on the corpus

EXCERPTS = [
    ("d01_speech_arctic-slt_16k.flac", 1.0),
    ("d02_speech_alsa-voice_22k.flac", 1.0),
    ("d03_music_tabla_44k.flac", 0.5),
]


def excerpt(name: str, start: float, seconds: float = 1.5):
    x, sr = read_audio("dev", name)
    first = int(start * sr)
    return x[first : first + int(seconds * sr)], sr


def torchaudio_spectrogram(x, *, n_fft=400, win_length=None, hop_length=None, power=2.0, normalized=False):
    """torchaudio.functional.spectrogram's formula, written out in NumPy (torchaudio is not installed).

    torch.stft with center=True reflect-pads n_fft // 2 each side; the periodic Hann window of
    win_length is zero-padded to n_fft in the middle; normalized=True divides by the
    window's L2 norm, 'frame_length' by sqrt(n_fft); then |.|**power.
    """
    win_length = win_length or n_fft
    hop_length = hop_length or win_length // 2
    n = np.arange(win_length)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / win_length)  # torch.hann_window(periodic=True)
    left = (n_fft - win_length) // 2
    full = np.zeros(n_fft)
    full[left : left + win_length] = window
    padded = np.pad(x, n_fft // 2, mode="reflect")
    count = 1 + (len(padded) - n_fft) // hop_length
    frames = np.stack([padded[j * hop_length : j * hop_length + n_fft] for j in range(count)])
    spec = np.fft.rfft(frames * full, axis=1).T
    if normalized in (True, "window"):
        spec = spec / np.sqrt(np.sum(window**2))
    elif normalized == "frame_length":
        spec = spec / np.sqrt(n_fft)
    return np.abs(spec) ** power


def sc_db(spec: gl.Spectrogram, y: np.ndarray, truth: np.ndarray) -> float:
    geometry = spec.geometry
    return float(20 * np.log10(spectral_convergence(truth, geometry.stft(y))))


@pytest.mark.parametrize("name, start", EXCERPTS)
def test_librosa_spectrograms_invert_as_well_as_gl_own(name, start):
    librosa = pytest.importorskip("librosa")
    x, sr = excerpt(name, start)
    x = x.astype(np.float32)
    n_fft, hop = 1024, 256
    own = gl.Spectrogram.from_audio(x, sr, n_fft=n_fft, hop_length=hop)
    y_own = own.invert(n_iter=40, rng=0)
    sc_own = sc_db(own, y_own, own.magnitude)
    power = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop)) ** 2
    spec = importers.from_librosa(power, sr=sr, hop_length=hop, power=2.0, length=len(x))
    np.testing.assert_allclose(spec.magnitude, own.magnitude, rtol=0, atol=1e-5 * own.magnitude.max())
    y = spec.invert(n_iter=40, rng=0)
    assert y.shape == x.shape and spec.sample_rate == sr
    # float32 inversion is chaotic at this level: perturbing gl's own magnitude by 1e-6 of its
    # maximum (less than the 1e-5 allowed above) moves the result of 40 iterations by up to
    # +-0.9 dB on these excerpts; a wrong convention costs tens of dB
    assert sc_db(spec, y, own.magnitude) <= sc_own + 1.5
    assert sc_own < -15


@pytest.mark.parametrize("name, start", EXCERPTS[:2])
@pytest.mark.parametrize("normalized", [False, True, "frame_length"])
def test_torchaudio_spectrograms_invert_as_well_as_gl_own(name, start, normalized):
    x, sr = excerpt(name, start, seconds=1.0)
    S = torchaudio_spectrogram(x, normalized=normalized)
    spec = importers.from_torchaudio(S, sample_rate=sr, normalized=normalized, length=len(x))
    own = gl.Spectrogram.from_audio(x, sr, n_fft=400, hop_length=200, pad_mode="reflect")
    np.testing.assert_allclose(spec.magnitude, own.magnitude, rtol=0, atol=1e-10 * own.magnitude.max())
    y = spec.invert(n_iter=40, rng=0)
    y_own = own.invert(n_iter=40, rng=0)
    assert y.shape == x.shape
    assert sc_db(spec, y, own.magnitude) <= sc_db(own, y_own, own.magnitude) + 0.5
    # level: the normalised spectrogram comes back at the input's level
    assert abs(20 * np.log10(np.std(y) / np.std(x))) < 1.0


def test_torchaudio_level_is_exact_with_the_true_phase():
    x = 0.2 * np.random.default_rng(7).standard_normal(3000)
    geometry = gl.STFT(n_fft=400, hop_length=100, win_length=300, pad_mode="reflect")
    phase = np.angle(geometry.stft(x))
    for normalized in (False, True, "window", "frame_length"):
        S = torchaudio_spectrogram(x, win_length=300, hop_length=100, power=1.0, normalized=normalized)
        spec = importers.from_torchaudio(S, sample_rate=16000, win_length=300, hop_length=100, power=1.0, normalized=normalized, length=3000)
        np.testing.assert_allclose(spec.invert(n_iter=0, init=phase), x, atol=1e-10)


def test_torchaudio_pad_and_errors():
    x = np.random.default_rng(8).standard_normal(2000)
    padded = np.pad(x, 50)
    S = torchaudio_spectrogram(padded, power=1.0)
    spec = importers.from_torchaudio(S, power=1.0, pad=50, length=2000)
    phase = np.angle(gl.STFT(n_fft=400, hop_length=200, pad_mode="reflect").stft(padded))
    np.testing.assert_allclose(spec.invert(n_iter=0, init=phase), x, atol=1e-10)
    with pytest.raises(ValueError, match="normalized='yes'"):
        importers.from_torchaudio(S, normalized="yes")
    with pytest.raises(ValueError, match="power=None means a complex spectrogram"):
        importers.from_torchaudio(S, power=None)
    with pytest.raises(ValueError, match="hop_length=400 with this window breaks NOLA"):
        importers.from_torchaudio(np.ones((201, 5)), hop_length=400)
    # pads that leave no signal are named as pad (they were named as the Spectrogram's offset and tail)
    covered = gl.STFT(n_fft=400, hop_length=200).default_length(S.shape[-1])
    for too_large in (covered // 2, 10**6):
        with pytest.raises(ValueError, match=rf"pad={too_large}, the zeros torchaudio added on each side, must be below {covered // 2}"):
            importers.from_torchaudio(S, power=1.0, pad=too_large)
        with pytest.raises(ValueError, match=rf"pad={too_large}, .* must be below {covered // 2}"):
            importers.from_torchaudio_mel(np.ones((40, S.shape[-1])), pad=too_large)
    assert importers.from_torchaudio(S, power=1.0, pad=covered // 2 - 1).output_length == 2
    with pytest.raises(ValueError, match=r"length=100 gives \d+ frames with pad=1000000 and hop_length=200"):
        importers.from_torchaudio(S, power=1.0, pad=10**6, length=100)


def test_torchaudio_pads_longer_than_the_signal_work_with_its_length():
    """150 samples padded by 400 zeros each side (torchaudio's Spectrogram(pad=400)): the pads
    fill every frame's centre span, and with the length given the signal comes back exactly
    (it was refused: the Spectrogram wanted the two pads to leave some of the span)."""
    geometry = gl.STFT(n_fft=400, hop_length=200, pad_mode="reflect")
    x = np.random.default_rng(3).standard_normal(150)
    padded = np.pad(x, 400)
    spec = importers.from_torchaudio(np.abs(geometry.stft(padded)), power=1.0, pad=400, length=150)
    assert spec.output_length == 150
    np.testing.assert_allclose(spec.invert(n_iter=0, init=np.angle(geometry.stft(padded))), x, atol=1e-12)
    mel = importers.from_torchaudio_mel(np.ones((40, spec.n_frames)), pad=400, length=150, n_iter_nnls=2)
    assert mel.output_length == 150


# ---------------------------------------------------------------------- dB


def test_librosa_db_without_clipping_is_exact():
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(9).standard_normal(8000)
    S = np.abs(librosa.stft(x, n_fft=512, hop_length=128))
    for db, values, power in (("amplitude", librosa.amplitude_to_db(S, ref=2.0, top_db=None), 1.0),
                              ("power", librosa.power_to_db(S**2, ref=3.0, top_db=None), None)):
        ref = 2.0 if db == "amplitude" else 3.0
        spec = importers.from_librosa(values, sr=8000, hop_length=128, db=db, ref=ref, power=power)
        np.testing.assert_allclose(spec.magnitude, np.maximum(S, 1e-5), rtol=1e-6)


def test_librosa_db_clipping_warns_that_values_cannot_come_back():
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(10).standard_normal(8000)
    x[2000:6000] *= 1e-6  # a quiet stretch, below -80 dB
    S = np.abs(librosa.stft(x, n_fft=512, hop_length=128))
    S_db = librosa.amplitude_to_db(S, top_db=80.0)
    with pytest.warns(LossWarning, match=r"top_db=80 below the peak.*clipped values cannot come back"):
        spec = importers.from_librosa(S_db, sr=8000, hop_length=128, db="amplitude", top_db=80.0)
    assert np.isclose(spec.magnitude.min(), S.max() * 1e-4, rtol=1e-4)
    with pytest.warns(LossWarning, match="librosa's default top_db=80"):
        importers.from_librosa(S_db, sr=8000, hop_length=128, db="amplitude")
    with pytest.raises(TypeError, match=r"not a function \(ref=np.max\): a function of the data .* threw the absolute level away"):
        importers.from_librosa(S_db, db="amplitude", ref=np.max)
    with pytest.raises(TypeError, match=r"\(ref=np.median\)"):  # the message named np.max whatever was given
        importers.from_librosa(S_db, db="amplitude", ref=np.median)
    with pytest.raises(ValueError, match="db='dB' must be"):
        importers.from_librosa(S_db, db="dB")


def test_librosa_db_with_ref_below_its_amin_comes_back_at_its_level():
    """librosa divides by max(amin, ref), amin 1e-5 (amplitude_to_db) or 1e-10 (power_to_db) by
    default: amplitude_to_db(S, ref=1e-7) is relative to 1e-5. Given only that ref (as the
    user gave librosa), from_librosa multiplied by 1e-7 and the audio came back 40 dB too quiet."""
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(45).standard_normal(8000)
    S = np.abs(librosa.stft(x, n_fft=512, hop_length=128))
    for db, values, power in (("amplitude", librosa.amplitude_to_db(S, ref=1e-7, top_db=None), None),
                              ("power", librosa.power_to_db(S**2, ref=1e-14, top_db=None), None)):
        ref = 1e-7 if db == "amplitude" else 1e-14
        spec = importers.from_librosa(values, sr=8000, hop_length=128, db=db, ref=ref, power=power)
        np.testing.assert_allclose(spec.magnitude, np.maximum(S, 1e-5), rtol=1e-6)


def test_negative_input_hints_at_db():
    with pytest.raises(ValueError, match="is it in dB"):
        importers.from_librosa(-np.ones((513, 5)))


# ---------------------------------------------------------------------- librosa geometry errors


def test_librosa_geometry_errors():
    with pytest.raises(ValueError, match="n_fft=1024 gives 513 frequency bins but the spectrogram has 1025"):
        importers.from_librosa(np.ones((1025, 5)), n_fft=1024)
    with pytest.raises(ValueError, match="length=100000 gives"):
        importers.from_librosa(np.ones((1025, 5)), length=100000)
    with pytest.raises(ValueError, match="hop_length=2048 with this window breaks NOLA"):
        importers.from_librosa(np.ones((1025, 5)), hop_length=2048)
    with pytest.raises(ValueError, match="pad_mode='wrap' is not supported"):
        importers.from_librosa(np.ones((1025, 5)), pad_mode="wrap")
    spec = importers.from_librosa(np.ones((221, 5)), n_fft=441, hop_length=110)
    assert spec.geometry.n_fft == 441  # an odd size, given explicitly


@pytest.mark.parametrize("pad_mode", ["wrap", "symmetric", "mean", "reflect"])
def test_pad_mode_given_with_uncentred_frames_is_unused_as_in_librosa(pad_mode):
    """librosa.stft(center=False) and torch.stft(center=False) pad nothing and never read pad_mode:
    the importers took the same arguments only for the three modes gl pads with, and refused
    librosa.stft(x, center=False, pad_mode='wrap')'s spectrogram (found by the property tests)."""
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(5).standard_normal(2000)
    S = np.abs(librosa.stft(x, n_fft=256, hop_length=64, center=False, pad_mode=pad_mode))
    spec = importers.from_librosa(S, n_fft=256, hop_length=64, center=False, pad_mode=pad_mode)
    assert spec.geometry == gl.STFT(n_fft=256, hop_length=64, center=False)
    np.testing.assert_allclose(spec.magnitude, np.abs(spec.geometry.stft(x)), rtol=1e-9, atol=1e-9)
    M = librosa.feature.melspectrogram(y=x, sr=8000, n_fft=256, hop_length=64, center=False, pad_mode=pad_mode, n_mels=32)
    assert importers.from_mel(M, sr=8000, n_fft=256, hop_length=64, center=False, pad_mode=pad_mode).geometry.center is False
    assert importers.from_torchaudio(S**2, n_fft=256, hop_length=64, center=False, pad_mode=pad_mode).geometry.center is False
    with pytest.raises(ValueError, match="pad_mode='wrap' is not supported"):  # centred frames do read it
        importers.from_librosa(S, n_fft=256, hop_length=64, center=True, pad_mode="wrap")


def test_a_transposed_spectrogram_gets_a_hint():
    """(frames, bins), as a user's own code may store it: 1025 columns are n_fft=2048's bins."""
    transposed = np.ones((261, 1025))
    with pytest.warns(UserWarning, match=r"1025 is the bin count of n_fft=2048: if it is \(frames, bins\), pass its transpose"):
        importers.from_librosa(transposed, hop_length=128)
    with pytest.raises(ValueError, match=r"its 1025 columns are n_fft // 2 \+ 1: if it is \(frames, bins\), pass its transpose"):
        importers.from_librosa(transposed, n_fft=2048, hop_length=512)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_librosa(np.ones((1025, 261)), hop_length=512)  # the right way round: no hint
        importers.from_librosa(np.ones((513, 1025)), hop_length=256)  # 513 bins are n_fft=1024's: no hint either


def test_a_transposed_scipy_spectrogram_gets_a_hint():
    """scipy's Sxx transposed (to plot it, say): read as it comes, 497 rows would mean an
    nfft of 992 and 6.5 s of audio at the wrong pitch from 2 s. Found in a user's audit."""
    pytest.importorskip("scipy")
    from scipy.signal import spectrogram, stft

    fs = 16000
    x = np.sin(2 * np.pi * 440 * np.arange(2 * fs) / fs)
    f, t, Sxx = spectrogram(x, fs, nperseg=256, noverlap=192)
    assert Sxx.shape == (129, 497)
    hint = r"its 129 columns are that many: if Sxx is \(frames, bins\), transpose it \(Sxx\.T\)"
    for keywords in ({}, {"noverlap": 192}):
        with pytest.warns(UserWarning, match=r"129 is the row count of nperseg=256: if it is \(frames, bins\), pass its transpose"):
            importers.from_scipy_spectrogram(Sxx.T, fs, detrend=False, **keywords)
    with pytest.raises(ValueError, match=r"pass nfft=992 or 993 .*" + hint):
        importers.from_scipy_spectrogram(Sxx.T, fs, nperseg=256, noverlap=192, detrend=False)
    with pytest.raises(ValueError, match=r"\(it implies nfft=992 or 993\); " + hint):
        importers.from_scipy_spectrogram(Sxx.T, fs, nperseg=256, nfft=256, noverlap=192, detrend=False)
    with pytest.raises(ValueError, match=r"its 129 columns have f's length: if it is \(frames, bins\), transpose it"):
        importers.from_scipy_spectrogram(Sxx.T, fs, f=f, detrend=False)
    with pytest.raises(ValueError, match=r"t has shape \(497,\), but Sxx has 129 frames \(and 497 rows, t's length: if Sxx is \(frames"):
        importers.from_scipy_spectrogram(Sxx.T, fs, t=t, detrend=False)
    Zxx = stft(x, fs)[2]
    with pytest.raises(ValueError, match=r"its 129 columns are that many: if Zxx is \(frames, bins\), transpose it \(Zxx\.T\)"):
        importers.from_scipy_stft(Zxx.T, fs)
    short = spectrogram(x[:fs], fs)[2]  # scipy's defaults on 1 s: 71 frames, fewer than the 129 bins
    with pytest.warns(UserWarning, match=r"129 is the row count of nperseg=256: if it is \(frames, bins\), pass its transpose"):
        importers.from_scipy_spectrogram(short.T, fs, detrend=False)  # (2 (71 - 1) = 140 = 2^2 5 7)
    with pytest.raises(ValueError, match=r"nperseg=256 must be <= nfft=140.*\(its 129 columns are the rows nperseg=256 gives: "
                                         r"if Sxx is \(frames, bins\), transpose it \(Sxx\.T\)\)"):
        importers.from_scipy_spectrogram(short.T, fs, nperseg=256, detrend=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # (scipy's default hop adds fewer magnitudes a frame than samples: that LossWarning is no hint)
        warnings.filterwarnings("ignore", message=r"noverlap=32: each frame adds 224 samples but 129 magnitudes", category=LossWarning)
        importers.from_scipy_spectrogram(short, fs, detrend=False)
        importers.from_scipy_spectrogram(Sxx, fs, noverlap=192, detrend=False)  # the right way round: no hint
        with pytest.raises(ValueError) as error:  # a wrong nperseg the right way round: no transposition in the advice
            importers.from_scipy_spectrogram(Sxx, fs, nperseg=128, detrend=False)
        assert "transpose" not in str(error.value)


def test_conventions_registry():
    assert set(importers.CONVENTIONS) == {"scipy", "scipy-stft", "shorttimefft", "librosa", "torchaudio", "mel", "torchaudio-mel"}
    assert all(callable(function) for function in importers.CONVENTIONS.values())


# ---------------------------------------------------------------------- found in review (2026-11-29)


def test_scipy_nfft_without_nperseg_means_segments_of_256():
    """scipy's nperseg defaults to 256 whatever nfft is: the hop is 224, not nfft - nfft // 8."""
    x = np.random.default_rng(20).standard_normal(8000)
    f, t, Sxx = signal.spectrogram(x, 8000.0, nfft=512, detrend=False)
    for known in ({}, {"f": f, "t": t}):
        spec = importers.from_scipy_spectrogram(Sxx, 8000.0, nfft=512, detrend=False, **known)
        assert spec.geometry.hop_length == 224 and spec.length == 256 + 224 * (Sxx.shape[-1] - 1)
        np.testing.assert_allclose(spec.magnitude, scipy_frames_magnitude(x, 256, 224, 512, signal.get_window(("tukey", 0.25), 256), False),
                                   rtol=0, atol=1e-9 * spec.magnitude.max())  # fmt: skip


@pytest.mark.parametrize("window", ["cosine", "triang", "triangle", "bartlett", "boxcar"])
def test_scipy_window_names_mean_scipy_windows(window):
    x = np.random.default_rng(21).standard_normal(4000)
    f, t, Sxx = signal.spectrogram(x, 8000.0, window=window, nperseg=64, noverlap=48, detrend=False, mode="magnitude")
    spec = importers.from_scipy_spectrogram(Sxx, 8000.0, f=f, t=t, window=window, detrend=False, mode="magnitude")
    w = signal.get_window(window, 64)
    np.testing.assert_allclose(spec.geometry.window_array, w, rtol=0, atol=1e-15)
    np.testing.assert_allclose(spec.magnitude, scipy_frames_magnitude(x, 64, 16, 64, w, False), rtol=0, atol=1e-9 * spec.magnitude.max())


def test_from_db_divides_by_the_larger_of_ref_and_amin_as_librosa():
    S = np.abs(np.fft.rfft(np.random.default_rng(22).standard_normal((40, 512)), axis=1)).T
    amplitude_db = 20 * np.log10(np.maximum(1e-5, S)) - 20 * np.log10(max(1e-5, 1e-6))  # amplitude_to_db(S, ref=1e-6)
    np.testing.assert_allclose(importers.from_db(amplitude_db, db="amplitude", ref=1e-6, amin=1e-5), S, rtol=1e-12)
    power_db = 10 * np.log10(np.maximum(1e-10, S**2)) - 10 * np.log10(max(1e-10, 1e-12))
    np.testing.assert_allclose(importers.from_db(power_db, db="power", ref=1e-12, amin=1e-10), S**2, rtol=1e-12)


def test_minus_infinite_db_is_an_exact_zero():
    x = np.random.default_rng(23).standard_normal(8000)
    x[:2000] = 0
    f, t, Sxx = signal.spectrogram(x, 8000.0, nperseg=256, noverlap=192, detrend=False)
    with np.errstate(divide="ignore"):
        Sxx_db = 10 * np.log10(Sxx)
    assert np.isneginf(Sxx_db).any()
    spec = importers.from_scipy_spectrogram(Sxx_db, 8000.0, f=f, t=t, db="power", detrend=False)
    linear = importers.from_scipy_spectrogram(Sxx, 8000.0, f=f, t=t, detrend=False)
    np.testing.assert_allclose(spec.magnitude, linear.magnitude, rtol=1e-12, atol=0)
    for bad in (np.inf, np.nan):
        with pytest.raises(ValueError, match="NaN or infinite"):
            importers.from_db(np.where(np.isneginf(Sxx_db), bad, Sxx_db))


def test_db_passed_as_linear_warns():
    rng = np.random.default_rng(24)
    geometry = gl.STFT(512, 128)
    x = 10000 * rng.standard_normal(16000)  # int16-scale audio
    X = np.abs(geometry.stft(x))
    with pytest.warns(UserWarning, match="S looks like dB.*within a factor of 10"):
        importers.from_librosa(20 * np.log10(np.maximum(1e-5, X)), n_fft=512)  # amplitude_to_db(X, top_db=None)
    x[:8000] = 0  # half silent: librosa's top_db=80 clips it, 80 dB below the peak
    amplitude_db = 20 * np.log10(np.maximum(1e-5, np.abs(geometry.stft(x))))
    clipped = np.maximum(amplitude_db, amplitude_db.max() - 80.0) - (amplitude_db.max() - 85.0)  # 5 .. 85 dB
    with pytest.warns(UserWarning, match="S looks like dB.*many values sit exactly 80 below the maximum 85"):
        importers.from_librosa(clipped, n_fft=512)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # real magnitudes and powers do not warn
        importers.from_librosa(X, n_fft=512)
        importers.from_librosa(X**2, n_fft=512, power=2.0)
        importers.from_librosa(np.ones((257, 40)), n_fft=512)


def test_torchaudio_and_shorttimefft_take_db():
    x = np.random.default_rng(25).standard_normal(6000)
    S = torchaudio_spectrogram(x, n_fft=512, hop_length=128)
    S_db = 10 * np.log10(np.maximum(S, 1e-10))  # AmplitudeToDB(stype='power')
    spec = importers.from_torchaudio(S_db, n_fft=512, hop_length=128, db="power")
    np.testing.assert_allclose(spec.magnitude, importers.from_torchaudio(S, n_fft=512, hop_length=128).magnitude, rtol=1e-10)
    with pytest.raises(ValueError, match="power=None means a complex one"):
        importers.from_torchaudio(S_db, n_fft=512, hop_length=128, db="power", power=None)
    win = signal.windows.hann(128, sym=False)
    SFT = signal.ShortTimeFFT(win, 32, fs=8000.0)
    P = SFT.spectrogram(x)
    spec = importers.from_shorttimefft(10 * np.log10(P), win=win, hop=32, fs=8000.0, db="power")
    np.testing.assert_allclose(spec.magnitude, importers.from_shorttimefft(P, win=win, hop=32, fs=8000.0).magnitude, rtol=1e-10)


def test_shorttimefft_length_must_give_the_slices():
    win = signal.windows.hann(64, sym=False)
    SFT = signal.ShortTimeFFT(win, 16, fs=1.0)
    for n in (32, 100, 257):
        S = np.abs(SFT.stft(np.ones(n)))
        assert importers.from_shorttimefft(S, win=win, hop=16, fs=1.0, power=1.0, length=n).length == n
        with pytest.raises(ValueError, match=f"length={n + 40} gives .* slices"):
            importers.from_shorttimefft(S, win=win, hop=16, fs=1.0, power=1.0, length=n + 40)
    with pytest.raises(ValueError, match="length=5 must be >= 32"):
        importers.from_shorttimefft(np.ones((33, 10)), win=win, hop=16, fs=1.0, length=5)


def test_messages_point_at_the_cause():
    x = np.random.default_rng(26).standard_normal(8000)
    f, t, Sxx = signal.spectrogram(x, 8000.0, detrend=False)
    with pytest.raises(ValueError, match=r"from t\[0\].*at fs=16000.*check fs"):
        importers.from_scipy_spectrogram(Sxx, 16000.0, t=t, detrend=False)  # t made at 8 kHz
    f, t, S2 = signal.spectrogram(np.stack([x, x], axis=1), 8000.0, axis=0, detrend=False)  # (n_freq, 2, n_frames)
    for known in ({"f": f}, {"t": t}, {}):
        with pytest.raises(ValueError, match=r"laid out \(\.\.\., n_freq, n_frames\)"):
            importers.from_scipy_spectrogram(S2, 8000.0, detrend=False, **known)
    for keyword, rule in (("ref", "the reference level"), ("amin", "the smallest value"), ("top_db", "how far below the peak")):
        with pytest.raises(TypeError, match=f"{keyword}='x' must be a number \\({rule}"):
            importers.from_db(np.zeros((3, 3)), **{keyword: "x"})


def test_from_db_without_amin_divides_by_ref_as_numpy_would():
    S = np.abs(np.fft.rfft(np.random.default_rng(43).standard_normal((30, 256)), axis=1)).T
    np.testing.assert_allclose(importers.from_db(20 * np.log10(S / 1e-6), db="amplitude", ref=1e-6), S, rtol=1e-12)


def test_torchaudio_pad_lengths_are_accepted():
    x = np.random.default_rng(44).standard_normal(700)
    for length in (600, 650, 700):
        S = torchaudio_spectrogram(np.pad(x[:length], 40), n_fft=64, hop_length=16)[:, :]
        padded_frames = S.shape[-1]
        spec = importers.from_torchaudio(S, n_fft=64, hop_length=16, pad=40, length=length)
        assert spec.length == length and spec.magnitude.shape[-1] == padded_frames


def test_a_linear_spectrogram_passed_as_db_is_caught():
    """The reverse of dB passed as linear: a power spectrogram read as dB is 10^(P/10), far
    beyond any audio level (refused); a magnitude read as dB is a flat floor at 0 dB and a
    wrong level (warned: all >= 0 and most far below the peak, which dB values never are)."""
    geometry = gl.STFT(512, 128)
    t = np.arange(8000) / 8000
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.01 * np.random.default_rng(0).standard_normal(t.size)
    A = np.abs(geometry.stft(x))
    with pytest.raises(ValueError, match=r"S has values up to .* as dB \(db='power'\) would be a level no audio reaches"):
        importers.from_librosa(A**2 * 100, sr=8000, n_fft=512, hop_length=128, db="power")
    with pytest.warns(UserWarning, match=r"S looks linear, not dB \(db='amplitude'\)"):
        importers.from_librosa(A, sr=8000, n_fft=512, hop_length=128, db="amplitude")
    with pytest.warns(UserWarning, match=r"M looks linear, not dB") as record:
        importers.from_mel(np.abs(np.random.default_rng(1).standard_normal((40, 60))) ** 4, sr=8000, n_fft=512,
                           hop_length=128, db="power", n_mels=40)
    assert not any("looks like dB" in str(w.message) for w in record)  # not the contrary advice after it
    for level in (1.0, 1e4):  # real dB, quiet and loud (all >= 0): no such warning
        decibels = 20 * np.log10(np.maximum(A * level, 1e-5))
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*looks linear")
            importers.from_librosa(decibels, sr=8000, n_fft=512, hop_length=128, db="amplitude")


def test_shorttimefft_slices_are_counted_on_the_scaled_window():
    """scipy counts its slices on win * fac after scale_to: a Gaussian's tails whose squares
    underflow there end the count earlier (gl refused a valid spectrogram with its length)."""
    scipy_signal = pytest.importorskip("scipy.signal")
    window = scipy_signal.get_window(("gaussian", 5), 444)
    stfft = scipy_signal.ShortTimeFFT(window, 1, 8000, mfft=718, fft_mode="centered", scale_to="psd")
    x = np.random.default_rng(0).standard_normal(1774)
    S = np.abs(stfft.stft(x))
    spec = importers.from_shorttimefft(S, win=window, hop=1, fs=8000, mfft=718, fft_mode="centered", scale_to="psd",
                                       power=1, length=1774)
    assert spec.magnitude.shape[-1] == S.shape[-1] == stfft.p_max(1774) - stfft.p_min and spec.length == 1774


@pytest.mark.parametrize("detrend", [True, "bogus"])
def test_scipy_detrend_values_are_checked(detrend):
    with pytest.raises(ValueError, match=r"detrend=.* must be False, 'constant', 'linear' or a function"):
        importers.from_scipy_spectrogram(np.ones((129, 10)), 8000.0, detrend=detrend)


def test_a_two_sided_spectrogram_is_named():
    with pytest.raises(ValueError, match=r"a two-sided spectrogram \(torchaudio's onesided=False\) has n_fft rows"):
        importers.from_librosa(np.ones((400, 10)), sr=16000, n_fft=400)


# ---------------------------------------------------------------------- consistency when the length is unknown
def exact_phase_error_db(spec, phase):
    """50 GLA iterations from the library's own phase: a spectrogram that some signal in the
    run's framing matches stays where it is (far below -60 dB); one no signal matches drifts."""
    _, info = spec.invert(method="gla", n_iter=50, init=phase, fade_edges=False, return_info=True)
    return info.final_db


def test_reflect_padding_with_an_unknown_length_stays_consistent():
    # librosa's (and torchaudio's) reflection at the end depends on where the signal ended:
    # the padded signal is retrieved as a free signal instead (it was -36 dB)
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(30).standard_normal(22050)
    D = librosa.stft(x, n_fft=1024, hop_length=256, pad_mode="reflect")
    spec = importers.from_librosa(D, n_fft=1024, hop_length=256, pad_mode="reflect")
    assert spec.length is None and spec.output_length == 256 * (D.shape[-1] - 1)
    assert exact_phase_error_db(spec, np.angle(D)) < -90
    known = importers.from_librosa(D, n_fft=1024, hop_length=256, pad_mode="reflect", length=22050)
    assert exact_phase_error_db(known, np.angle(D)) < -250


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_torchaudio_pad_with_an_unknown_length_stays_consistent(pad_mode):
    # torchaudio's Spectrogram(pad=50): zeros each side, then its centred frames (it was -37 dB)
    x = np.random.default_rng(31).standard_normal(16190)
    Z = gl.STFT(400, 200, pad_mode=pad_mode).stft(np.pad(x, 50))
    spec = importers.from_torchaudio(Z, n_fft=400, hop_length=200, power=None, pad=50, pad_mode=pad_mode)
    assert (spec.length, spec.offset, spec.tail) == (None, 50, 50)
    assert spec.output_length == 200 * (Z.shape[-1] - 1) - 100  # as before: the natural length
    assert exact_phase_error_db(spec, np.angle(Z)) < -90


@pytest.mark.parametrize("boundary, padded, noverlap", [("zeros", False, 128), ("even", True, 128), ("even", True, 192),
                                                         ("constant", True, 192), ("odd", True, 128)])
def test_scipy_stft_extensions_stay_consistent(boundary, padded, noverlap):
    # an even or constant extension is followed by padded's zeros; with no length, the samples
    # after scipy's natural length were analysed too (it was -27 to -34 dB)
    x = np.random.default_rng(32).standard_normal(3001)
    _, _, Z = signal.stft(x, 8000, nperseg=256, noverlap=noverlap, boundary=boundary, padded=padded)
    for length in (None, 3001):
        spec = importers.from_scipy_stft(Z, 8000, nperseg=256, noverlap=noverlap, boundary=boundary, padded=padded, length=length)
        y = spec.invert(method="gla", n_iter=0, init=np.angle(Z), fade_edges=False)
        n = min(len(y), 3001)
        np.testing.assert_allclose(y[:n], x[:n], rtol=0, atol=1e-9)  # scipy's own phase gives the signal back
        assert exact_phase_error_db(spec, np.angle(Z)) < -90
    _, x_back = signal.istft(Z, 8000, nperseg=256, noverlap=noverlap, boundary=boundary is not None)
    assert spec.output_length == 3001 and importers.from_scipy_stft(
        Z, 8000, nperseg=256, noverlap=noverlap, boundary=boundary, padded=padded).output_length <= len(x_back)


def test_torchaudio_db_clipping_is_counted_per_item():
    # AmplitudeToDB(top_db=80) clips each (channel, freq, time) item below its own peak
    rng = np.random.default_rng(33)
    power = rng.random((2, 1, 101, 40)) ** 8 + 1e-12
    power[1] *= 1e-6  # the second item 60 dB quieter
    db = 10 * np.log10(power)
    peaks = db.max(axis=(1, 2, 3), keepdims=True)
    clipped = np.maximum(db, peaks - 80)
    expected = int(np.count_nonzero(db <= peaks - 80))
    with pytest.warns(LossWarning, match=rf"^{expected} of {db.size} values of S .* sit at their item's floor, top_db=80"):
        spec = importers.from_torchaudio(clipped, n_fft=200, hop_length=100, power=2.0, db="power", top_db=80)
    np.testing.assert_allclose(spec.magnitude ** 2, 10 ** (clipped / 10), rtol=1e-9)


def test_scipy_shrinking_nperseg_for_a_short_signal_is_explained():
    x = np.random.default_rng(34).standard_normal(201)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy: nperseg = 256 is greater than input length
        f, t, Sxx = signal.spectrogram(x[:200], 8000.0, nperseg=256)
    with pytest.raises(ValueError, match=r"scipy used its length as nperseg \(200 or 201; .*pass f and t"):
        importers.from_scipy_spectrogram(Sxx, 8000.0, nperseg=256)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f, t, Sxx = signal.spectrogram(x[:201], 8000.0, nperseg=256, detrend=False)
    assert importers.from_scipy_spectrogram(Sxx, 8000.0, f=f, t=t, detrend=False).geometry.n_fft == 201
    assert importers.from_scipy_spectrogram(Sxx, 8000.0, nperseg=200, detrend=False).geometry.n_fft == 200


def test_scipy_stft_shrinking_nperseg_for_a_short_signal_is_explained():
    x = np.random.default_rng(36).standard_normal(200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy: nperseg = 256 is greater than input length
        _, _, Z = signal.stft(x, 8000.0)
    with pytest.raises(ValueError, match=r"scipy used its length as nperseg \(200 or 201; it warns 'nperseg = 256 is greater"):
        importers.from_scipy_stft(Z, 8000.0)
    assert importers.from_scipy_stft(Z, 8000.0, nperseg=200).invert(n_iter=2).shape == (200,)
    with pytest.raises(ValueError) as error:  # a longer signal, the wrong nperseg: no such hint
        importers.from_scipy_stft(signal.stft(np.tile(x, 3), 8000.0, nperseg=128)[2], 8000.0)
    assert "shorter than nperseg" not in str(error.value)


def test_tail_bounds_the_length_and_is_saved(tmp_path):
    import dataclasses
    import json

    x = np.random.default_rng(35).standard_normal(1037)
    _, _, Z = signal.stft(x, nperseg=64, boundary="even")
    spec = importers.from_scipy_stft(Z, 8000, nperseg=64, boundary="even")
    with pytest.raises(ValueError, match="length=1108"):
        importers.from_scipy_stft(Z, 8000, nperseg=64, boundary="even", length=1108)
    with pytest.raises(ValueError, match="length=1108 does not fit"):  # the extension is not signal
        dataclasses.replace(spec, length=1108)
    dataclasses.replace(spec, length=1037)
    spec.save(tmp_path / "tail.npz")
    with np.load(tmp_path / "tail.npz") as data:
        metadata = json.loads(str(data["metadata"][()]))
    assert metadata["format_version"] == 2 and metadata["tail"] == spec.tail > 0  # an older gl refuses it
    again = gl.Spectrogram.load(tmp_path / "tail.npz")
    assert (again.tail, again.offset, again.output_length) == (spec.tail, spec.offset, spec.output_length)
    gl.Spectrogram.from_audio(x, 8000, n_fft=64, hop_length=16).save(tmp_path / "plain.npz")
    with np.load(tmp_path / "plain.npz") as data:
        assert json.loads(str(data["metadata"][()]))["format_version"] == 1  # readable by every gl


def test_from_db_beyond_float32_says_so():
    """float32 powers overflowed to inf from about 385 dB (numpy's RuntimeWarning, then
    'contains NaN or infinite values' further on); they are computed in float64 and
    refused with the way out (a fuzzing review)."""
    for values, keywords in ((np.array([[390.0, 0.0], [0.0, 0.0]], np.float32), {}),
                             (np.array([[100.0, 0.0], [0.0, 0.0]], np.float32), {"ref": 1e30})):
        with pytest.raises(ValueError, match=r"beyond float32's range: pass S_db as float64"):
            importers.from_db(values, name="S_db", **keywords)
        assert np.isfinite(importers.from_db(values.astype(np.float64), **keywords)).all()
    assert importers.from_db(np.array([[380.0, 0.0], [0.0, -np.inf]], np.float32)).dtype == np.float32


@pytest.mark.parametrize("silent", [False, True])
def test_from_db_of_float32_makes_no_full_size_float64(silent):
    """float32 dB values are converted in float64 a block at a time (the same values as a
    whole float64 array), so the peak memory is the float32 result and a few bytes a value
    of masks, not the three float64 temporaries of the whole-array conversion."""
    values = np.random.default_rng(5).uniform(-90.0, 0.0, (1025, 2048)).astype(np.float32)
    if silent:
        values[:, ::9] = -np.inf
    made = []
    peak = traced_peak(lambda: made.append(importers.from_db(values, ref=2.0, top_db=120.0)))
    linear = made[0]
    assert linear.dtype == np.float32
    assert peak < (12 if silent else 7) * values.size  # float64 alone would take 8 bytes a value (it was 16 and 24.6)
    whole = 2.0 * np.power(10.0, np.where(np.isneginf(values), 0, values).astype(np.float64) / 10.0)
    whole[np.isneginf(values)] = 0
    np.testing.assert_array_equal(linear, whole.astype(np.float32))


@pytest.mark.parametrize("peak_ndim", ["a", 0, -1, 1.5, True])
def test_from_db_checks_peak_ndim(peak_ndim):
    with pytest.raises(ValueError, match=r"peak_ndim=.* must be None or an integer >= 1"):
        importers.from_db(np.zeros((3, 4)), peak_ndim=peak_ndim)


def test_from_mel_takes_one_band():
    """mel_filterbank, mel_to_stft and librosa take n_mels=1; from_mel said 'at least 2
    frequency bins' (a fuzzing review). A linear spectrogram still needs two."""
    from gl.mel import mel_filterbank

    M = mel_filterbank(sr=8000, n_fft=64, n_mels=1) @ np.ones((33, 5))
    assert importers.from_mel(M, sr=8000, n_fft=64, n_mels=1, hop_length=16).magnitude.shape == (33, 5)
    assert importers.from_mel(10 * np.log10(M), sr=8000, n_fft=64, hop_length=16, db="power").magnitude.shape == (33, 5)
    assert importers.from_db(np.zeros((1, 5))).shape == (1, 5)
    with pytest.raises(ValueError, match=r"S has shape \(1, 5\): it needs at least 2 frequency bins"):
        importers.from_librosa(-np.ones((1, 5)), sr=8000, hop_length=16, db="power")


def test_shorttimefft_p_min_must_be_a_whole_number():
    """-P p_min=1e999 gave an OverflowError traceback (int(inf)); a CLI fuzzing review. A whole
    float (-3.0) is taken, as the sample rates are."""
    for bad in (float("inf"), 1.5, "1"):
        with pytest.raises(TypeError, match=r"p_min=.* must be a whole number"):
            importers.from_shorttimefft(np.ones((129, 10)), fs=8000, win=np.hanning(256), hop=64, p_min=bad)
    whole = importers.from_shorttimefft(np.ones((129, 10)), fs=8000, win=np.hanning(256), hop=64, p_min=-3.0)
    assert whole.offset == importers.from_shorttimefft(np.ones((129, 10)), fs=8000, win=np.hanning(256), hop=64, p_min=-3).offset


def test_rows_that_look_like_mel_bands_are_flagged():
    """A mel spectrogram handed to an STFT importer comes back at the wrong pitch: n_fft read
    off 128 rows is 254. Say so (a warning when n_fft is read off the rows; in the error
    when the n_fft given does not fit)."""
    assert gl.importers.mel_like_rows(128) and gl.importers.mel_like_rows(80) and gl.importers.mel_like_rows(40)
    assert not any(gl.importers.mel_like_rows(n // 2 + 1) for n in (256, 320, 400, 480, 512, 882, 1024, 2048, 4096))
    with pytest.warns(UserWarning, match=r"n_fft=254 was read off the spectrogram's 128 rows .*look like mel bands: "
                                         r"if it is a mel spectrogram, use from_mel"):
        gl.importers.from_librosa(np.ones((128, 40)), sr=16000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gl.importers.from_librosa(np.ones((128, 40)), sr=16000, n_fft=254)  # said so: no warning
        gl.importers.from_librosa(np.ones((513, 40)), sr=16000)
    with pytest.raises(ValueError, match=r"n_fft=400 gives 201 frequency bins but the spectrogram has 80 .*80 rows look "
                                         r"like mel bands: if it is a mel spectrogram, use from_torchaudio_mel"):
        gl.importers.from_torchaudio(np.ones((80, 40)))
    # sizes from a duration at a rate (25 ms at 44.1 kHz: 1102) have large prime factors, and are not mel bands
    assert not any(gl.importers.mel_like_rows(n // 2 + 1) for n in (110, 220, 662, 706, 1102, 2822))
    assert not gl.importers.looks_transposed(201, 257)  # torchaudio's n_fft 400 over 2^k + 1 frames: bins, not frames


def test_scipy_mistakes_that_gave_silent_wrong_audio():
    """From a review of users migrating scipy code: a typo in nperseg, scipy's default fs=1
    left in place, and a dB array relative to its peak were accepted without a word."""
    fs = 16000
    x = np.random.default_rng(7).standard_normal(2 * fs) * 0.1
    _, _, Sxx = signal.spectrogram(x, fs, window="hann", nperseg=512, noverlap=384, detrend=False)
    with pytest.raises(ValueError, match=r"nperseg=256 gives 129 frequency rows with scipy's default nfft \(= nperseg\), but "
                                         r"the spectrogram has 257: pass nfft=512 or 513 if scipy was given it"):
        importers.from_scipy_spectrogram(Sxx, fs, window="hann", nperseg=256, noverlap=128, detrend=False)
    spec = importers.from_scipy_spectrogram(Sxx, fs, window="hann", nperseg=256, nfft=512, noverlap=128, detrend=False)
    assert spec.geometry.n_fft == 512  # said: zero-padded segments
    with pytest.warns(UserWarning, match=r"fs=1 Hz is no audio sample rate"):
        importers.from_scipy_spectrogram(Sxx, window="hann", nperseg=512, noverlap=384, detrend=False)
    with pytest.raises(ValueError, match=r"which implies an FFT of 1024 or 1025: pass the nperseg scipy was given \(here nperseg=256\)"):
        importers.from_scipy_stft(np.ones((513, 20)), fs)
    relative = 20 * np.log10(np.maximum(Sxx, 1e-12) / Sxx.max())
    with pytest.warns(LossWarning, match=r"peaks at exactly 0 dB: it looks made relative to its maximum \(ref=np.max\)"):
        importers.from_db(relative, db="amplitude")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_db(relative, db="amplitude", ref=float(Sxx.max()))  # the level given back: nothing to say


def test_from_mel_says_when_m_looks_linear_or_transposed():
    with pytest.warns(UserWarning, match=r"M has 513 rows, the n_fft // 2 \+ 1 bins of an STFT of n_fft=1024, not mel bands"), \
            pytest.warns(LossWarning, match="cover no FFT bin"):
        importers.from_mel(np.ones((513, 20)), sr=16000, n_fft=1024, hop_length=256, n_iter_nnls=2)
    with pytest.warns(UserWarning, match=r"M has 173 rows \(mel bands\) and 80 columns .*pass its transpose"):
        importers.from_mel(np.ones((173, 80)), sr=16000, n_fft=1024, hop_length=256, n_iter_nnls=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_mel(np.ones((80, 173)), sr=16000, n_fft=1024, hop_length=256, n_iter_nnls=2)


def test_from_torchaudio_mel_is_from_mel_with_torchaudio_conventions():
    """Emulated MelSpectrogram (torch is not a test dependency; tests/test_torchaudio.py
    checks the real one): the same estimate as from_mel given torchaudio's settings by hand."""
    sr = 16000
    x = np.random.default_rng(3).standard_normal(sr)
    geometry = gl.STFT(400, 200, pad_mode="reflect")
    F = gl.mel.mel_filterbank(sr=sr, n_fft=400, n_mels=40, htk=True, norm=None, bins="torchaudio")
    M = F @ np.abs(geometry.stft(x)) ** 2
    spec = importers.from_torchaudio_mel(M, sample_rate=sr, n_iter_nnls=50)
    by_hand = importers.from_mel(M, sr=sr, n_fft=400, hop_length=200, pad_mode="reflect", htk=True, norm=None,
                                 bins="torchaudio", n_iter_nnls=50)
    assert spec.geometry == by_hand.geometry == geometry and spec.sample_rate == sr
    np.testing.assert_array_equal(spec.magnitude, by_hand.magnitude)
    normalized = importers.from_torchaudio_mel(M / np.sum(geometry.window_array**2), sample_rate=sr, normalized=True,
                                               n_iter_nnls=50)
    np.testing.assert_allclose(normalized.magnitude, spec.magnitude, rtol=1e-6, atol=1e-9 * spec.magnitude.max())
    M_db = 10 * np.log10(np.maximum(M, 1e-10))  # AmplitudeToDB(stype='power'), no top_db
    from_db = importers.from_torchaudio_mel(M_db, sample_rate=sr, db="power", n_iter_nnls=50)
    np.testing.assert_allclose(from_db.magnitude, spec.magnitude, rtol=1e-5, atol=1e-6 * spec.magnitude.max())
    with pytest.raises(ValueError, match="mel_scale='mel' must be 'htk' or 'slaney'"):
        importers.from_torchaudio_mel(M, mel_scale="mel")
    with pytest.raises(ValueError, match="norm='area' must be None or 'slaney'"):
        importers.from_torchaudio_mel(M, norm="area")
    assert importers.CONVENTIONS["torchaudio-mel"] is importers.from_torchaudio_mel


def test_a_scipy_window_tuple_with_two_parameters_points_to_get_window():
    """('general_gaussian', 1.5, 30) is a scipy window; the importers said only 'a window tuple is
    (name,) or (name, parameter)', as if it were mistyped, without the way out an unknown name gets."""
    for importer, keywords in ((importers.from_scipy_spectrogram, {"detrend": False}), (importers.from_scipy_stft, {})):
        with pytest.raises(ValueError, match=r"a window tuple is \(name,\) or \(name, parameter\).*pass the samples scipy used, "
                                             r"window=scipy.signal.get_window\(\('general_gaussian', 1.5, 30\), 256\)"):
            importer(np.ones((129, 20)), 8000, window=("general_gaussian", 1.5, 30), nperseg=256, **keywords)


def test_an_unnamed_scipy_window_points_to_get_window():
    with pytest.raises(ValueError, match=r"window='blackmanharris' is unknown.*pass the samples scipy used, "
                                         r"window=scipy.signal.get_window\('blackmanharris', 256\)"):
        importers.from_scipy_spectrogram(np.ones((129, 20)), 8000, window="blackmanharris", nperseg=256, detrend=False)
    samples = signal.get_window("blackmanharris", 256)
    with pytest.warns(LossWarning, match=r"noverlap=32 with this window leaves the summed squared windows at 0\.0019% of"):
        spec = importers.from_scipy_spectrogram(np.ones((129, 20)), 8000, window=samples, nperseg=256, detrend=False)
    assert "<array of 256 samples>" in repr(spec) and len(repr(spec)) < 400  # not the window's digits


def test_from_torchaudio_mel_takes_pad_and_ref_given_silences_the_0_db_warning():
    spec = importers.from_torchaudio_mel(np.ones((40, 81)) + 0.1, pad=10, n_iter_nnls=3)
    assert (spec.offset, spec.tail) == (10, 10)
    relative = np.array([[0.0, -20.0], [-40.0, -3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_db(relative, db="amplitude", ref=1.0)  # said: the relative level is meant


def test_torchaudio_normalized_takes_bools_and_its_two_names_only():
    """As torchaudio's _get_spec_norms: a string other than its two names is a ValueError, a value
    that is neither a bool nor a string (0, 1, 3, None ...) a TypeError (it was a ValueError too)."""
    assert importers.from_torchaudio(np.ones((201, 10)), normalized=np.False_).magnitude.max() == 1.0
    for value in (0, 0.0, 1, 3, None, [True]):  # torchaudio refuses them; 0 was read as 'frame_length' (sqrt(n_fft))
        with pytest.raises(TypeError, match=r"^normalized=.* must be False, True, 'window' or 'frame_length' \(a bool or a "
                                            r"string, as torchaudio takes it\), not a value of type (int|float|NoneType|list)$"):
            importers.from_torchaudio(np.ones((201, 10)), normalized=value)
        with pytest.raises(TypeError, match=r"^normalized=.* must be False, True, 'window' or 'frame_length' \(a bool"):
            importers.from_torchaudio_mel(np.ones((40, 10)), normalized=value)
    for value in ("x", "yes", "Window", ""):
        for importer, S in ((importers.from_torchaudio, np.ones((201, 10))), (importers.from_torchaudio_mel, np.ones((40, 10)))):
            with pytest.raises(ValueError, match=r"^normalized='.*' must be False, True, 'window' or 'frame_length'$"):
                importer(S, normalized=value)


def test_scipy_axes_with_nan_or_inf_are_named():
    """An inf in t raised OverflowError ('cannot convert float infinity to integer'), naming nothing."""
    Sxx = np.ones((129, 20))
    t = (np.arange(20) * 128 + 128) / 8000.0
    f = np.arange(129) * 8000 / 256
    for bad in (np.inf, np.nan):
        times = t.copy()
        times[3] = bad
        with pytest.raises(ValueError, match="t contains NaN or infinite values"):
            importers.from_scipy_spectrogram(Sxx, 8000, f=f, t=times)
        freqs = f.copy()
        freqs[1] = bad
        with pytest.raises(ValueError, match="f contains NaN or infinite values"):
            importers.from_scipy_spectrogram(Sxx, 8000, f=freqs, t=t)


def test_a_power_whose_inverse_overflows_is_named():
    S = np.full((129, 10), 2.0)
    with pytest.raises(ValueError, match=r"power=1e-300 .* overflows"):
        importers.from_librosa(S, power=1e-300)


def test_from_db_undoes_a_natural_log_and_from_mel_reads_a_log_mel():
    """db='ln': Tacotron 2's and HiFi-GAN's log-mel, np.log(np.clip(M, 1e-5, None)) of a
    magnitude mel, gives the mel back (the clipped values at the clip, counted with amin);
    power must be given (the log of a magnitude and of a power are both common); no top_db."""
    librosa = pytest.importorskip("librosa")
    values = np.array([[1.0, 0.1], [1e-5, 3.0]])
    np.testing.assert_allclose(importers.from_db(np.log(values), db="ln"), values, rtol=1e-15)
    np.testing.assert_allclose(importers.from_db(np.log(values) - np.log(2.0), db="ln", ref=2.0), values, rtol=1e-15)
    x = np.concatenate([np.zeros(4000), np.random.default_rng(1).standard_normal(12000)])  # silence first: clipped bands
    mel = librosa.feature.melspectrogram(y=x, sr=16000, n_fft=512, hop_length=128, n_mels=64, fmax=8000, power=1.0)
    keywords = dict(sr=16000, n_fft=512, hop_length=128, fmax=8000, length=len(x))
    with pytest.warns(importers.LossWarning, match=r"sit at -11.5, the amin=1e-05 floor"):
        from_log = importers.from_mel(np.log(np.clip(mel, 1e-5, None)), db="ln", power=1, amin=1e-5, **keywords)
    linear = importers.from_mel(np.maximum(mel, 1e-5), power=1, **keywords)
    np.testing.assert_allclose(from_log.magnitude, linear.magnitude, rtol=1e-9, atol=1e-12 * linear.magnitude.max())
    with pytest.raises(ValueError, match=r"db='ln' needs power: 1 for the log of a magnitude"):
        importers.from_mel(np.log(np.clip(mel, 1e-5, None)), db="ln", **keywords)
    with pytest.raises(ValueError, match=r"db='ln' needs power"):
        importers.from_librosa(np.log(np.abs(gl.STFT(512, 128).stft(x)) + 1e-5), db="ln", sr=16000, hop_length=128)
    with pytest.raises(ValueError, match=r"top_db=80 is for dB; a natural log \(db='ln'\) has no top_db"):
        importers.from_db(np.log(values), db="ln", top_db=80)
    with pytest.raises(ValueError, match=r"db='log' must be 'power' .* or 'ln'"):
        importers.from_db(np.log(values), db="log")


def test_db_keywords_without_db_are_refused():
    """ref, amin or top_db without db did nothing: the array was read as linear, so a dB mel
    whose values are all >= 0 (a mel of int16-scaled audio, say) came back as a magnitude of
    dB values, silently, though the caller had said it was in dB."""
    M = np.abs(np.random.default_rng(61).standard_normal((80, 12))) + 30.0  # dB values, all > 0
    calls = [
        lambda **k: importers.from_mel(M, sr=16000, n_fft=1024, hop_length=256, **k),
        lambda **k: importers.from_torchaudio_mel(M, n_fft=1024, hop_length=256, **k),
        lambda **k: importers.from_librosa(np.ones((513, 12)), **k),
        lambda **k: importers.from_torchaudio(np.ones((201, 12)), **k),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"^top_db=80\.0 describes a dB input, but without db the array is read as linear: .* pass db='power'"):
            call(top_db=80.0)
        with pytest.raises(ValueError, match=r"^ref=1\.0, amin=1e-10 describe a dB input"):
            call(ref=1.0, amin=1e-10)
        call(db="power", top_db=200.0)  # with db they are used



def test_db_keywords_without_db_are_refused_by_the_scipy_importers_too():
    """60bb34c refused ref, amin or top_db without db in four importers; from_scipy_spectrogram
    and from_shorttimefft still dropped them silently and read a dB array whose values are
    all >= 0 as a linear one."""
    S = np.abs(np.random.default_rng(62).standard_normal((129, 12))) + 30.0  # dB values, all > 0
    scipy_call = lambda **k: importers.from_scipy_spectrogram(S, 8000.0, nperseg=256, noverlap=128, detrend=False, **k)  # noqa: E731
    stfft_call = lambda **k: importers.from_shorttimefft(S, win=np.hanning(256), hop=64, fs=8000.0, **k)  # noqa: E731
    for call in (scipy_call, stfft_call):
        with pytest.raises(ValueError, match=r"^top_db=80\.0 describes a dB input, but without db the array is read as linear"):
            call(top_db=80.0)
        with pytest.raises(ValueError, match=r"^ref=2\.0 describes a dB input"):
            call(ref=2.0)
        call(db="power", top_db=200.0)  # with db they are used
    with pytest.raises(ValueError, match=r"^amin=1e-10 describes a dB input"):
        stfft_call(amin=1e-10)


def test_a_linear_spectrogram_read_as_a_natural_log_is_refused():
    """db='ln' took values up to 400 (the dB limit), so a linear magnitude of 100 came back as
    e^100 (2.7e43) with no word, and a float32 one was told to pass float64; as a natural
    log the limit is that of 400 dB of power, ln(10^40), about 92."""
    linear = np.abs(np.random.default_rng(3).standard_normal((129, 20))) * 50.0
    linear[0, 0] = 100.0
    for dtype in (np.float64, np.float32):
        with pytest.raises(ValueError, match=r"as a natural log \(db='ln'\) would be a level no audio reaches"):
            importers.from_db(linear.astype(dtype), db="ln")
        with pytest.raises(ValueError, match=r"no audio reaches"):
            importers.from_librosa(linear.astype(dtype), db="ln", power=1)
    loud = np.log(np.full((129, 4), 1e38))  # 87.5: float32 still holds e^87.5
    assert importers.from_db(loud.astype(np.float32), db="ln").dtype == np.float32
    assert np.isfinite(importers.from_db(np.full((2, 3), 92.0), db="ln")).all()
