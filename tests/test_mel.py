"""gl.mel against librosa: the filterbank, the mel scale, NNLS quality; from_mel end to end."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gl
from gl import importers
from gl.mel import hz_to_mel, mel_filterbank, mel_frequencies, mel_to_hz, mel_to_stft
from gl.metrics import spectral_convergence

from .conftest import read_audio

librosa = pytest.importorskip("librosa")


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_matches_librosa(htk):
    f = np.concatenate([np.linspace(0, 2000, 101), np.geomspace(10, 24000, 50)])
    np.testing.assert_allclose(hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk), rtol=1e-12, atol=1e-12)
    m = np.linspace(0, hz_to_mel(24000.0, htk=htk), 77)
    np.testing.assert_allclose(mel_to_hz(m, htk=htk), librosa.mel_to_hz(m, htk=htk), rtol=1e-12, atol=1e-9)


FILTERBANK_GRID = [
    (sr, n_fft, n_mels, fmin, fmax, htk, norm)
    # (16000, 400, 128): empty filters (4 with htk), whose zero p-norm leaves them unscaled, as librosa does
    for sr, n_fft, n_mels in ((16000, 512, 40), (22050, 2048, 128), (44100, 1023, 80), (8000, 256, 64), (16000, 400, 128))
    for fmin, fmax in ((0.0, None), (60.0, 7600.0))
    for htk in (False, True)
    for norm in ("slaney", None, 1, 2, np.inf, 0, -np.inf)  # 0: the count of nonzero weights; -inf: a row's min, 0, leaves it as it is
    if fmax is None or fmax <= sr / 2
]


@pytest.mark.parametrize("sr, n_fft, n_mels, fmin, fmax, htk, norm", FILTERBANK_GRID)
def test_filterbank_equals_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # librosa and gl: "Empty filters detected", "cover no FFT bin" for some grids
        reference = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float64)
        ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float64)
        float32 = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)
    assert float32.dtype == np.float32
    np.testing.assert_allclose(float32, reference, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "keywords, error, match",
    [
        ({"sr": 0}, ValueError, "sr=0"),
        ({"n_fft": 1}, ValueError, "n_fft=1"),
        ({"n_fft": 2**40}, ValueError, r"n_fft=1099511627776 is larger than gl handles"),  # was a MemoryError
        ({"n_mels": 0}, ValueError, "n_mels=0"),
        ({"fmin": 5000.0, "fmax": 1000.0}, ValueError, "fmin=5000.0 and fmax=1000.0"),
        ({"norm": "area"}, ValueError, "norm='area' is unknown"),
        ({"norm": -1}, ValueError, "norm=-1 must be"),
        ({"n_mels": 2.5}, TypeError, "n_mels=2.5"),
    ],
)
def test_filterbank_errors(keywords, error, match):
    arguments = {"sr": 16000, "n_fft": 512}
    arguments.update(keywords)
    with pytest.raises(error, match=match):
        mel_filterbank(**arguments)


@pytest.fixture(scope="module")
def speech():
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[sr : 4 * sr].astype(np.float32)  # 3 s
    S = np.abs(librosa.stft(x, n_fft=1024, hop_length=256))
    F = mel_filterbank(sr=sr, n_fft=1024, n_mels=80)
    return x, sr, S, F


def sc_db(estimate, truth):
    return float(20 * np.log10(spectral_convergence(truth, estimate)))


def test_nnls_is_at_least_as_good_as_librosa_mel_to_stft(speech):
    x, sr, S, F = speech
    M = F @ S**2  # (80, n_frames) power mel spectrogram
    ours = mel_to_stft(M, filterbank=F, power=2.0)
    theirs = librosa.feature.inverse.mel_to_stft(M, sr=sr, n_fft=1024, power=2.0)
    assert ours.dtype == np.float32 and ours.shape == S.shape
    assert ours.min() >= 0
    # measured: gl -14.4 dB, librosa -12.1 dB on this excerpt
    assert sc_db(ours, S) <= sc_db(theirs, S) + 0.1
    assert sc_db(ours, S) < -12.0
    # and the mel spectrogram of the estimate fits M better than librosa's does
    fit = np.linalg.norm(F @ ours**2 - M) / np.linalg.norm(M)
    fit_librosa = np.linalg.norm(F @ theirs**2 - M) / np.linalg.norm(M)
    assert fit <= fit_librosa


def test_nnls_iterations_decrease_the_objective(speech):
    _, _, S, F = speech
    M = (F @ S[:, :40]).astype(np.float64)  # power=1 mel spectrogram
    F64 = F.astype(np.float64)
    errors = [np.linalg.norm(F64 @ mel_to_stft(M, filterbank=F64, power=1.0, n_iter=n) - M) for n in (0, 10, 50, 200)]
    assert all(later < earlier for earlier, later in zip(errors, errors[1:]))


def test_nnls_batches_and_power(rng):
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=30, dtype=np.float64)
    P = rng.random((2, 129, 7)) ** 3
    M = F @ P
    both = mel_to_stft(M, filterbank=F, power=1.0, n_iter=50)
    first = mel_to_stft(M[0], filterbank=F, power=1.0, n_iter=50)
    np.testing.assert_allclose(both[0], first, rtol=1e-9, atol=1e-12)  # frames are independent problems
    squared = mel_to_stft(M, filterbank=F, power=2.0, n_iter=50)
    np.testing.assert_allclose(squared**2, both, rtol=1e-10, atol=1e-12)
    # another power, on an M far from [0.5, 1) (so that the solver's power-of-two scaling of M
    # is undone through the root): |X|^1.5 is the same P
    loud = mel_to_stft(1000 * M, filterbank=F, power=1.0, n_iter=50)
    np.testing.assert_allclose(mel_to_stft(1000 * M, filterbank=F, power=1.5, n_iter=50) ** 1.5, loud, rtol=1e-10, atol=1e-12)


def naive_nnls(F, M, n_iter):
    """The module docstring's update, written out: projected gradient from max(0, F^+ M) with
    step 1 / ||F||_2^2, Nesterov momentum t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2 and, per frame,
    a restart (momentum 0, t = 1) when <Z_k - P_k, P_k - P_{k-1}> > 0."""
    L = np.linalg.norm(F, 2) ** 2
    P = np.maximum(0, np.linalg.pinv(F) @ M)
    P_previous, Z = P.copy(), P.copy()
    t = np.ones(M.shape[1])
    for _ in range(n_iter):
        P_new = np.maximum(0, Z - F.T @ (F @ Z - M) / L)
        restart = np.sum((Z - P_new) * (P_new - P), axis=0) > 0
        t_next = (1 + np.sqrt(1 + 4 * t**2)) / 2
        weight = np.where(restart, 0.0, (t - 1) / t_next)
        P, P_previous = P_new, P
        Z = P + weight * (P - P_previous)
        t = np.where(restart, 1.0, t_next)
    return P


def test_nnls_follows_the_documented_update(rng):
    """mel_to_stft's iterates are the module docstring's (momentum, its schedule, the restart),
    not merely a fit as good: against naive_nnls on a small problem after 1 to 40 iterations
    (the quality tests let a wrong momentum schedule through: it converges too)."""
    F = mel_filterbank(sr=8000, n_fft=64, n_mels=12, dtype=np.float64)
    P = rng.random((33, 9)) ** 3
    P[:, 4] = 0.0  # a silent frame
    M = F @ P
    for n_iter in (1, 2, 5, 40):
        expected = naive_nnls(F, M, n_iter)
        got = mel_to_stft(M, filterbank=F, power=1.0, n_iter=n_iter)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12 * expected.max())
    assert not np.allclose(naive_nnls(F, M, 40), naive_nnls(F, M, 5), rtol=1e-3)  # the iterations move it


def test_nnls_from_a_given_init(rng):
    """``init`` is the starting P, its negative values clipped to 0: with no iteration the result
    is its root, whatever power of two M's peak is (the solver scales init as it scales M)."""
    F = mel_filterbank(sr=8000, n_fft=64, n_mels=12, dtype=np.float64)
    M = 300.0 * (F @ rng.random((33, 5)))  # a peak far from [0.5, 1)
    init = rng.standard_normal((33, 5)) ** 3
    np.testing.assert_allclose(mel_to_stft(M, filterbank=F, init=init, n_iter=0), np.sqrt(np.maximum(init, 0)), rtol=1e-15, atol=0)
    np.testing.assert_allclose(mel_to_stft(M, filterbank=F, init=init, n_iter=0, power=1.0), np.maximum(init, 0), rtol=1e-15, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_band_products_equal_the_dense_ones(rng, dtype):
    """The NNLS's products by F and F^T run over each filter's band (no BLAS): the same
    products as the dense ones to rounding, batched, with an empty filter row too."""
    from gl.mel import _BandProducts

    F = mel_filterbank(sr=16000, n_fft=512, n_mels=40, dtype=dtype)
    F[7] = 0  # an empty filter: its row of F Z is zero
    Z = rng.random((2, 3, 257, 256)).astype(dtype)  # >= 2^16 values an item: long enough for the bands
    FZ = np.full((2, 3, 40, 256), np.nan, dtype=dtype)
    FTR = np.full((2, 3, 257, 256), np.nan, dtype=dtype)
    products = _BandProducts.of(F, Z, FZ, FTR)
    assert products is not None and len(products.empty) == 1
    products.forward()
    forward = FZ.copy()
    R = rng.standard_normal(FZ.shape).astype(dtype)
    FZ[...] = R
    products.adjoint()
    adjoint = FTR
    tolerance = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(forward, F @ Z, rtol=tolerance, atol=tolerance * np.abs(F @ Z).max())
    np.testing.assert_allclose(adjoint, F.T @ R, rtol=tolerance, atol=tolerance * np.abs(F.T @ R).max())
    assert not forward[..., 7, :].any()
    # a filterbank whose rows are not narrow bands keeps the dense products, as a short input does
    assert _BandProducts.of(rng.random((40, 257)).astype(dtype) + 0.1, Z, FZ, FTR) is None
    assert _BandProducts.of(F, Z[0, 0, :, :10], FZ[0, 0, :, :10], FTR[0, 0, :, :10]) is None
    many = np.zeros((300, 257, 10), dtype=dtype)  # a batch of short items: each too short for the bands
    assert _BandProducts.of(F, many, np.zeros((300, 40, 10), dtype=dtype), many.copy()) is None


def test_filterbank_constants_are_computed_once_and_follow_the_filterbank(rng):
    """mel_to_stft keeps F's pseudo-inverse and norm per filterbank (LAPACK, its fixed cost):
    a second call with the same filterbank computes neither and gives the same result; a
    changed filterbank, even the caller's array changed in place, gets its own."""
    import gl.mel

    F = mel_filterbank(sr=8000, n_fft=256, n_mels=30, dtype=np.float64)
    M = F @ rng.random((129, 6)) ** 2
    gl.mel._pseudo_inverse.cache_clear()
    gl.mel._cached_norm_squared.cache_clear()
    first = mel_to_stft(M, filterbank=F, n_iter=20)
    again = mel_to_stft(M, filterbank=F.copy(), n_iter=20)
    assert np.array_equal(first, again)
    assert gl.mel._pseudo_inverse.cache_info().misses == 1 and gl.mel._pseudo_inverse.cache_info().hits == 1
    assert gl.mel._cached_norm_squared.cache_info().misses == 1
    key = gl.mel._FilterbankKey(F / 2.0 ** gl.mel.binary_exponent(float(F.max())))
    inverse = gl.mel._pseudo_inverse(key)
    assert not inverse.flags.writeable  # shared by every caller: nobody may write into it
    np.testing.assert_array_equal(inverse, np.linalg.pinv(key.array()))
    F[3] *= 2.0  # the caller's array changed in place: another filterbank, another key
    changed = mel_to_stft(M, filterbank=F, n_iter=20)
    assert gl.mel._pseudo_inverse.cache_info().misses == 2
    assert not np.array_equal(changed, first)


def test_nnls_reaches_the_same_fit_by_bands_as_by_blas(speech, monkeypatch):
    import gl.mel

    _, _, S, F = speech
    assert S.size >= gl.mel._BAND_PRODUCTS_FROM  # long enough for the bands
    M = F @ S**2
    by_bands = mel_to_stft(M, filterbank=F)
    monkeypatch.setattr(gl.mel._BandProducts, "of", classmethod(lambda cls, *args: None))
    by_blas = mel_to_stft(M, filterbank=F)
    fits = [np.linalg.norm(F @ P**2 - M) / np.linalg.norm(M) for P in (by_bands, by_blas)]
    assert fits[0] == pytest.approx(fits[1], rel=1e-3)
    assert sc_db(by_bands, S) == pytest.approx(sc_db(by_blas, S), abs=0.01)


@pytest.mark.parametrize(
    "M, keywords, error, match",
    [
        (-np.ones((30, 4)), {}, ValueError, "non-negative"),
        (np.full((30, 4), np.nan), {}, ValueError, "NaN"),
        (np.ones((31, 4)), {}, ValueError, "n_mels=30"),
        (np.ones((30, 4)), {"power": 0}, ValueError, "power=0"),
        (np.ones((30, 4)), {"n_iter": -1}, ValueError, "n_iter=-1"),
        (np.ones((30, 4), dtype=complex), {}, TypeError, "real mel"),
        (np.ones((30, 4)), {"init": np.ones((5, 4))}, ValueError, "init has shape"),
    ],
)
def test_mel_to_stft_errors(M, keywords, error, match):
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=30)
    with pytest.raises(error, match=match):
        mel_to_stft(M, filterbank=F, **keywords)


def test_from_mel_inverts_a_librosa_melspectrogram(speech):
    x, sr, S, _ = speech
    M = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=1024, hop_length=256, n_mels=80)
    spec = importers.from_mel(M, sr=sr, n_fft=1024, hop_length=256, length=len(x))
    assert spec.source == "mel" and spec.magnitude.shape == S.shape
    y = spec.invert(n_iter=30, rng=0)
    assert y.shape == x.shape
    # the audio's spectrogram is close to the true one (mel loses detail, so not as close as |X| itself)
    assert sc_db(np.abs(spec.geometry.stft(y)), S) < -5.0
    assert abs(20 * np.log10(np.std(y) / np.std(x))) < 1.5


def test_from_mel_db_and_torchaudio_style_filterbank(speech):
    x, sr, S, _ = speech
    F = mel_filterbank(sr=sr, n_fft=1024, n_mels=64, htk=True, norm=None)  # torchaudio MelSpectrogram's defaults
    M_db = librosa.power_to_db(F @ S**2, top_db=None)
    spec = importers.from_mel(M_db, sr=sr, n_fft=1024, hop_length=256, htk=True, norm=None, db="power", pad_mode="reflect")
    direct = mel_to_stft(F @ S**2, filterbank=F, power=2.0)
    # the dB round trip rounds M to float32 and the inversion is ill-conditioned, so a few
    # coefficients move by up to 3e-4 of the peak with numpy's version (SIMD paths): compare overall
    assert sc_db(spec.magnitude, direct) < -70  # -84 to -88 dB over numpy 1.23 to 2.5
    with pytest.raises(ValueError, match="n_mels=80 but M has 64"):
        importers.from_mel(M_db, sr=sr, n_fft=1024, db="power", n_mels=80)
    with pytest.warns(importers.LossWarning, match="cover no FFT bin"):
        importers.from_mel(np.ones((128, 3)), sr=8000, n_fft=128, hop_length=32)


# ---------------------------------------------------------------------- found in review (2026-11-29)


def _speech_mel(power, n_mels=80, n_fft=1024, **keywords):
    x = np.random.default_rng(30).standard_normal(16000) * np.hanning(16000)
    geometry = gl.STFT(n_fft, 256)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".* mel filters cover no FFT bin")  # tested below
        F = mel_filterbank(sr=16000, n_fft=n_fft, n_mels=n_mels, **keywords).astype(np.float64)
    return x, F @ np.abs(geometry.stft(x)) ** power


def test_amplitude_db_mel_means_power_1():
    x, M1 = _speech_mel(1)
    M_db = 20 * np.log10(np.maximum(1e-5, M1))  # amplitude_to_db of a power=1 mel spectrogram
    spec = importers.from_mel(M_db, sr=16000, n_fft=1024, hop_length=256, db="amplitude", length=len(x))
    linear = importers.from_mel(M1, sr=16000, n_fft=1024, hop_length=256, power=1.0, length=len(x))
    np.testing.assert_allclose(spec.magnitude, linear.magnitude, rtol=1e-6, atol=1e-9 * linear.magnitude.max())


def test_empty_bands_warn_only_when_they_hold_energy():
    _, M = _speech_mel(2, n_mels=128, n_fft=400, htk=True, norm=None)  # torchaudio's defaults: 4 bands are empty
    with pytest.warns(UserWarning, match=r"4 of the 128 mel filters cover no FFT bin \(n_mels=128 is too many between 0 and 8000 Hz for n_fft=400"):
        empty = np.count_nonzero(mel_filterbank(sr=16000, n_fft=400, n_mels=128, htk=True, norm=None).max(axis=1) == 0)
    assert empty == 4  # as librosa, which warns too
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # those rows of M are 0: nothing is lost
        # (but hop 256 adds fewer magnitudes a frame, 201, than samples: that LossWarning is another matter)
        warnings.filterwarnings("ignore", message=r"hop_length=256: each frame adds 256 samples but 201 magnitudes", category=importers.LossWarning)
        importers.from_mel(M, sr=16000, n_fft=400, hop_length=256, n_mels=128, htk=True, norm=None)
        # in dB those rows sit at power_to_db's floor (amin, 1e-10 back in power): nothing is lost either
        importers.from_mel(librosa.power_to_db(M, top_db=None), sr=16000, n_fft=400, hop_length=256, htk=True, norm=None,
                           db="power")
    loud = M.copy()
    loud[np.flatnonzero(M.max(axis=1) == 0)[:2]] = M.max()  # energy in two empty bands: lost, in dB or not
    for given, db in ((loud, None), (librosa.power_to_db(loud, top_db=None), "power")):
        with pytest.warns(importers.LossWarning, match=r"^2 mel bands of M hold energy but cover no FFT bin .*\(128 mel bands are "
                                                       r"too many for n_fft=400"):
            importers.from_mel(given, sr=16000, n_fft=400, hop_length=256, htk=True, norm=None, db=db)
    _, M = _speech_mel(2, n_mels=80, fmax=8000.0)
    with pytest.warns(importers.LossWarning, match=r"fmax=12000 Hz is above sr / 2 = 8000"):
        importers.from_mel(M, sr=16000, n_fft=1024, hop_length=256, fmax=12000.0)


def test_no_band_covering_a_bin_is_an_error():
    with pytest.raises(ValueError, match="no mel band covers an FFT bin"):
        importers.from_mel(np.ones((4, 5)), sr=16000, n_fft=16, hop_length=4, fmin=1100, fmax=1900)
    with pytest.raises(ValueError, match="every filter of the filterbank is empty"):
        mel_to_stft(np.zeros((4, 5)), filterbank=np.zeros((4, 33)))


@pytest.mark.parametrize("keywords, rule", [({"n_iter_nnls": -1}, "n_iter_nnls=-1"), ({"fmax": np.inf}, "fmax=inf must be a finite"),
                                             ({"sr": np.inf}, "sr=inf must be a finite")])  # fmt: skip
def test_mel_parameters_are_named(keywords, rule):
    with pytest.raises(ValueError, match=rule):
        importers.from_mel(np.ones((40, 5)), **{"sr": 16000, "n_fft": 512, "hop_length": 128, **keywords})


def test_large_float32_mel_does_not_overflow():
    _, M = _speech_mel(2, n_mels=40)
    M = M.astype(np.float32)
    F = mel_filterbank(sr=16000, n_fft=1024, n_mels=40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = mel_to_stft(M * np.float32(2.0**70), filterbank=F)  # a power of two: the same problem exactly
    np.testing.assert_allclose(big / np.float32(2.0**35), mel_to_stft(M, filterbank=F), rtol=1e-5, atol=1e-6 * big.max() / 2.0**35)


def test_mel_of_noise_is_not_taken_for_db():
    geometry = gl.STFT(4096, 1024, center=False)
    noise = np.random.default_rng(31).standard_normal(16000 * 3)
    M = mel_filterbank(sr=16000, n_fft=4096, n_mels=20).astype(np.float64) @ np.abs(geometry.stft(noise))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importers.from_mel(M, sr=16000, n_fft=4096, hop_length=1024, center=False)


def test_mel_to_stft_checks_the_filterbank_and_init():
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=20)
    M = F @ np.ones((129, 4), dtype=np.float32)
    for bad, error, message in [
        (F.astype(complex), TypeError, "filterbank must be a real array"),
        (F > 0, TypeError, "filterbank must be a real array"),
        (np.where(F > 0, np.nan, F), ValueError, "filterbank contains NaN"),
        (-F, ValueError, "filterbank must be non-negative"),
    ]:
        with pytest.raises(error, match=message):
            mel_to_stft(M, filterbank=bad)
    init = np.ones((129, 4))
    init[0, 0] = np.nan
    with pytest.raises(ValueError, match="init contains NaN"):
        mel_to_stft(M, filterbank=F, init=init)
    with pytest.raises(ValueError, match="init contains NaN or infinite"):
        mel_to_stft(M, filterbank=F, init=np.full((129, 4), np.inf))
    with pytest.raises(TypeError, match="init must be a real"):
        mel_to_stft(M, filterbank=F, init=np.ones((129, 4), dtype=complex))
    with pytest.raises(TypeError, match="dtype=<class 'numpy.int16'> must be a floating-point dtype"):
        mel_filterbank(sr=8000, n_fft=256, n_mels=20, dtype=np.int16)


def test_mel_to_stft_scales_before_the_pseudo_inverse():
    """float32 M near the top of its range: F^+ M is formed after the power-of-two scaling,
    so it does not overflow (it returned NaN), and the result scales with M exactly."""
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=20)
    S = np.abs(np.random.default_rng(0).standard_normal((129, 6))).astype(np.float32)
    M = F @ S**2
    small = mel_to_stft(M, filterbank=F, n_iter=10)
    shift = 2 * ((127 - int(np.frexp(M.max())[1])) // 2)  # even, and the peak above 2^125 (4e37)
    huge = mel_to_stft(np.ldexp(M, shift), filterbank=F, n_iter=10)
    assert np.all(np.isfinite(huge))
    np.testing.assert_array_equal(huge, np.ldexp(small, shift // 2))  # S = sqrt(P): half the exponent


@pytest.mark.parametrize("shift", [-1000, -60, 60, 1000])
def test_mel_to_stft_scales_the_filterbank(shift):
    """A filterbank scaled by 2^shift (its squared norm beyond float64 at +-1000: it overflowed, or
    underflowed to 'every filter is empty') gives the same S as the original, to rounding: the
    problem is solved for F / 2^f and the solution scaled back."""
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=20).astype(np.float64)
    S = np.abs(np.random.default_rng(0).standard_normal((129, 6)))
    M = F @ S**2
    reference = mel_to_stft(M, filterbank=F, n_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        scaled = mel_to_stft(np.ldexp(M, shift), filterbank=np.ldexp(F, shift), n_iter=20)
    np.testing.assert_allclose(scaled, reference, rtol=1e-12, atol=1e-12 * reference.max())


def torchaudio_triangles(top, n_freq, n_mels):
    """torchaudio's HTK triangles without norm written out: evaluated at ``n_freq`` points of
    ``linspace(0, top)``, between ``n_mels + 2`` mel-spaced edges from 0 to ``top``."""
    grid = np.linspace(0.0, top, n_freq)
    edges = mel_frequencies(n_mels + 2, fmin=0.0, fmax=top, htk=True)
    return np.maximum(0, np.minimum((grid - edges[:-2, None]) / np.diff(edges)[:-1, None],
                                    (edges[2:, None] - grid) / np.diff(edges)[1:, None]))  # fmt: skip


def test_torchaudio_bins():
    """bins='torchaudio' evaluates the filters at linspace(0, sr // 2, n_freq) with fmax
    sr // 2 (torchaudio.functional.melscale_fbanks; tests/test_torchaudio.py compares): the
    same as librosa's grid for an even n_fft and rate, another one otherwise."""
    even = dict(sr=16000, n_fft=512, n_mels=40, htk=True, norm=None)
    np.testing.assert_allclose(mel_filterbank(**even, bins="torchaudio"), mel_filterbank(**even), rtol=0, atol=1e-6)
    odd = dict(sr=16000, n_fft=401, n_mels=40, htk=True, norm=None, dtype=np.float64)
    expected = torchaudio_triangles(top=8000.0, n_freq=201, n_mels=40)
    np.testing.assert_allclose(mel_filterbank(**odd, bins="torchaudio"), expected, rtol=0, atol=1e-12)
    assert not np.allclose(mel_filterbank(**odd), expected, atol=1e-3)
    # an odd rate: the grid and fmax stop at sr // 2 = 11025 Hz, not sr / 2 = 11025.5
    odd_rate = dict(sr=22051, n_fft=512, n_mels=40, htk=True, norm=None, dtype=np.float64)
    expected = torchaudio_triangles(top=11025.0, n_freq=257, n_mels=40)
    np.testing.assert_allclose(mel_filterbank(**odd_rate, bins="torchaudio"), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mel_filterbank(**odd_rate, fmax=11025.0, bins="torchaudio"), expected, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match=r"bins='kaldi' must be 'librosa'"):
        mel_filterbank(**even, bins="kaldi")


@pytest.mark.parametrize("keywords, match", [
    ({"n_mels": -1}, "n_mels=-1 must be a whole number >= 1"),
    ({"n_mels": 10, "fmin": float("nan")}, "fmin=nan must be a finite frequency"),
    ({"n_mels": 10, "fmax": float("inf")}, "fmax=inf must be a finite frequency"),
])
def test_mel_frequencies_names_bad_arguments(keywords, match):
    """fmin=nan returned NaN frequencies; n_mels=-1 gave numpy's message."""
    from gl.mel import mel_frequencies

    with pytest.raises(ValueError, match=match):
        mel_frequencies(**keywords)


@pytest.mark.parametrize("shift", [-160, -140, 140, 160])
def test_a_float64_filterbank_beyond_float32_serves_a_float32_mel(shift):
    """The filterbank is scaled in float64 before it is cast to M's float32: one beyond float32's
    range underflowed to 'every filter is empty' (-160) or to subnormals (-140: 36 % off)."""
    F = mel_filterbank(sr=8000, n_fft=256, n_mels=20).astype(np.float64)
    S = np.abs(np.random.default_rng(0).standard_normal((129, 6)))
    M = (F @ S**2).astype(np.float32)
    reference = mel_to_stft(M, filterbank=F, n_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = mel_to_stft(M, filterbank=np.ldexp(F, shift), n_iter=20)  # S scales by 2^(-shift / 2)
    assert scaled.dtype == np.float32
    np.testing.assert_array_equal(np.ldexp(scaled, shift // 2), reference)


def test_from_mel_db_with_ref_below_librosas_amin_keeps_the_level():
    """power_to_db(M, ref=1e-12) divides by max(1e-10, 1e-12) = 1e-10 (librosa's amin): read
    with ref=1e-12 alone, the mel spectrogram came back 20 dB too quiet (power 100 times too small)."""
    x = np.random.default_rng(46).standard_normal(8000)
    M = librosa.feature.melspectrogram(y=x, sr=8000, n_fft=512, hop_length=128, n_mels=40)
    reference = importers.from_mel(M, sr=8000, n_fft=512, hop_length=128, n_iter_nnls=20)
    for db, values in (("power", librosa.power_to_db(M, ref=1e-12, top_db=None)),
                       ("amplitude", librosa.amplitude_to_db(M, ref=1e-7, top_db=None))):
        spec = importers.from_mel(values, sr=8000, n_fft=512, hop_length=128, db=db, ref=1e-12 if db == "power" else 1e-7,
                                  power=2.0, n_iter_nnls=20)
        np.testing.assert_allclose(spec.magnitude, reference.magnitude, rtol=1e-6, atol=1e-9 * reference.magnitude.max())


@pytest.mark.parametrize("dtype, expected", [(np.float16, np.float32), (np.float32, np.float32), (np.float64, np.float64),
                                             (np.int16, np.float64)])
def test_mel_to_stft_returns_the_documented_dtype(dtype, expected):
    filterbank = mel_filterbank(sr=16000, n_fft=512, n_mels=40)
    S = mel_to_stft(np.ones((40, 6), dtype=dtype), filterbank=filterbank)
    assert S.dtype == expected and S.shape == (257, 6) and np.all(S >= 0)


@pytest.mark.parametrize("frames", [40, 125])  # BLAS's products, and the bands'
def test_nnls_under_a_hosts_seterr_raise(frames):
    """The projected gradient drives the bins no filter needs towards 0: in float32 its
    products fell below 1e-38 and, under a host application's np.seterr(all='raise'),
    raised FloatingPointError (torchaudio's filterbank of a decaying tone and a silence)."""
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    x = (np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    x[12000:] = 0
    F = mel_filterbank(sr=16000, n_fft=512, n_mels=64, dtype=np.float32, htk=True, norm=None, bins="torchaudio")
    M = (F @ np.abs(gl.stft(x, n_fft=512, hop_length=128)) ** 2)[:, :frames]
    expected = mel_to_stft(M, filterbank=F)
    with np.errstate(all="raise"):
        P = mel_to_stft(M, filterbank=F)
        assert np.geterr()["under"] == "raise"
    np.testing.assert_array_equal(P, expected)
