"""gl.mel against librosa: the filterbank, the mel scale, NNLS quality; from_mel end to end."""

from __future__ import annotations

import numpy as np
import pytest

from gl import importers
from gl.mel import hz_to_mel, mel_filterbank, mel_to_hz, mel_to_stft
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
    for sr, n_fft, n_mels in ((16000, 512, 40), (22050, 2048, 128), (44100, 1023, 80), (8000, 256, 64))
    for fmin, fmax in ((0.0, None), (60.0, 7600.0))
    for htk in (False, True)
    for norm in ("slaney", None, 1, 2, np.inf)
    if fmax is None or fmax <= sr / 2
]


@pytest.mark.parametrize("sr, n_fft, n_mels, fmin, fmax, htk, norm", FILTERBANK_GRID)
def test_filterbank_equals_librosa(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # librosa: "Empty filters detected" for some grids
        reference = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float64)
    ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm, dtype=np.float64)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-6)
    float32 = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    assert float32.dtype == np.float32
    np.testing.assert_allclose(float32, reference, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "keywords, error, match",
    [
        ({"sr": 0}, ValueError, "sr=0"),
        ({"n_fft": 1}, ValueError, "n_fft=1"),
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
    np.testing.assert_allclose(spec.magnitude, direct, rtol=2e-3, atol=1e-4 * direct.max())
    with pytest.raises(ValueError, match="n_mels=80 but M has 64"):
        importers.from_mel(M_db, sr=sr, n_fft=1024, db="power", n_mels=80)
    with pytest.warns(importers.LossWarning, match="cover no FFT bin"):
        importers.from_mel(np.ones((128, 3)), sr=8000, n_fft=128, hop_length=32)
