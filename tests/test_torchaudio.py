"""gl against torchaudio itself, when it is installed (it is not in the test extra: with torch
it weighs several GB). The importer tests emulate torchaudio's formulas in NumPy
(``tests/test_importers.py``); these check the emulation and gl against the real thing.

Checked last with torch and torchaudio 2.9.1: ``pip install torch==2.9.1 'torchaudio==2.9.*'``
beside the test extra, then ``python -m pytest tests/test_torchaudio.py``.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import gl
from gl import importers
from gl.mel import mel_filterbank
from gl.metrics import spectral_convergence

from .conftest import read_audio
from .test_importers import torchaudio_spectrogram

torch = pytest.importorskip("torch")
torchaudio = pytest.importorskip("torchaudio")
functional = pytest.importorskip("torchaudio.functional")

# torchaudio's windows are float32 (torch.hann_window's default dtype) even for float64 input
WINDOW_PRECISION = 1e-6


def noise(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n) * np.hanning(n)


@pytest.mark.parametrize(
    "n_fft, win_length, hop_length, power, normalized, center, pad, pad_mode",
    list(itertools.product([400, 401], [None, 300], [None, 128], [2.0, 1.0, None], [False, True, "frame_length"],
                           [True, False], [0, 37], ["reflect", "constant"]))[::5],
)  # fmt: skip
def test_from_torchaudio_gives_the_stft_magnitude(n_fft, win_length, hop_length, power, normalized, center, pad, pad_mode):
    x = noise(6000)
    transform = torchaudio.transforms.Spectrogram(n_fft=n_fft, win_length=win_length, hop_length=hop_length, power=power,
                                                  normalized=normalized, center=center, pad=pad, pad_mode=pad_mode)  # fmt: skip
    S = transform(torch.from_numpy(x)).numpy()
    spec = importers.from_torchaudio(S, sample_rate=16000, n_fft=n_fft, win_length=win_length, hop_length=hop_length, power=power,
                                     normalized=normalized, center=center, pad=pad, pad_mode=pad_mode, length=len(x))  # fmt: skip
    truth = np.abs(spec.geometry.stft(np.pad(x, pad)))
    assert spec.magnitude.shape == truth.shape
    np.testing.assert_allclose(spec.magnitude, truth, rtol=0, atol=WINDOW_PRECISION * truth.max())


@pytest.mark.parametrize("normalized", [False, True, "frame_length"])
def test_the_emulation_in_the_importer_tests_is_torchaudio(normalized):
    x = noise(5000, seed=1)
    S = torchaudio.transforms.Spectrogram(normalized=normalized)(torch.from_numpy(x)).numpy()
    emulated = torchaudio_spectrogram(x, normalized=normalized)
    np.testing.assert_allclose(emulated, S, rtol=0, atol=WINDOW_PRECISION * S.max())


@pytest.mark.parametrize(
    "sr, n_fft, n_mels, f_min, f_max, htk, norm",
    [(16000, 400, 128, 0.0, None, True, None), (16000, 512, 40, 0.0, None, True, None),
     (22050, 1024, 80, 0.0, 8000.0, False, "slaney"), (16000, 1024, 64, 50.0, 7600.0, True, "slaney")],
)  # fmt: skip
def test_mel_filterbank_is_torchaudio(sr, n_fft, n_mels, f_min, f_max, htk, norm):
    # torchaudio evaluates the filters at linspace(0, sr // 2, ...): the bin frequencies only
    # for an even sample rate (for 11025 Hz its filters are off by 4e-4 of their peak)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchaudio warns about the empty filters of 128 mels at n_fft 400
        theirs = functional.melscale_fbanks(n_fft // 2 + 1, f_min=f_min, f_max=f_max or sr / 2, n_mels=n_mels, sample_rate=sr,
                                            norm=norm, mel_scale="htk" if htk else "slaney").numpy().T  # fmt: skip
    ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max, htk=htk, norm=norm)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * ours.max())  # torchaudio's are float32


@pytest.mark.parametrize("sr, n_fft", [(16000, 401), (11025, 512), (22050, 1023), (8001, 256)])
@pytest.mark.parametrize("htk, norm", [(True, None), (False, "slaney")])
def test_torchaudio_bins_for_odd_sizes_and_rates(sr, n_fft, htk, norm):
    """With an odd n_fft or rate torchaudio's grid, linspace(0, sr // 2, n_freq), is not the
    bins' frequencies: bins='torchaudio' follows it (and its fmax default, sr // 2)."""
    theirs = functional.melscale_fbanks(n_fft // 2 + 1, f_min=0.0, f_max=float(sr // 2), n_mels=40, sample_rate=sr,
                                        norm=norm, mel_scale="htk" if htk else "slaney").numpy().T  # fmt: skip
    ours = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=40, htk=htk, norm=norm, bins="torchaudio")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * ours.max())
    librosa_grid = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=40, htk=htk, norm=norm)
    assert np.abs(librosa_grid - theirs).max() > 2e-4 * ours.max()  # the case the option is for


def test_torchaudio_mel_of_an_odd_size_is_consistent_with_bins_torchaudio():
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[sr : 2 * sr].astype(np.float32)
    M = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=401, hop_length=100, n_mels=40)(torch.from_numpy(x)).numpy()
    options = dict(sr=sr, n_fft=401, hop_length=100, htk=True, norm=None, pad_mode="reflect", length=len(x))
    errors = {}
    for bins in ("librosa", "torchaudio"):
        spec = importers.from_mel(M, bins=bins, **options)
        F = mel_filterbank(sr=sr, n_fft=401, n_mels=40, htk=True, norm=None, bins="torchaudio")
        errors[bins] = np.linalg.norm(F @ spec.magnitude**2 - M) / np.linalg.norm(M)
    assert errors["torchaudio"] < 1e-3 < errors["librosa"], errors


def test_torchaudio_mel_and_db_invert_at_the_right_level():
    x, sr = read_audio("dev", "d01_speech_arctic-slt_16k.flac")
    x = x[sr : 3 * sr].astype(np.float32)
    M = torchaudio.transforms.MelSpectrogram(sample_rate=sr)(torch.from_numpy(x))  # its defaults: n_fft 400, 128 HTK mels
    M_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=80)(M).numpy()
    options = dict(sr=sr, n_fft=400, hop_length=200, htk=True, norm=None, pad_mode="reflect", length=len(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", importers.LossWarning)  # 4 of the 128 mel bands cover no bin
        for spec in (importers.from_mel(M.numpy(), **options), importers.from_mel(M_db, db="power", top_db=80, **options)):
            y = spec.invert(n_iter=60, rng=0)
            assert y.dtype == np.float32 and y.shape == x.shape
            sc_db = 20 * np.log10(spectral_convergence(np.abs(spec.geometry.stft(x)), spec.geometry.stft(y)))
            assert sc_db < -20
            assert abs(20 * np.log10(np.std(y) / np.std(x))) < 0.5


@pytest.mark.parametrize("options", [
    {},  # torchaudio's defaults: n_fft 400, hop 200, 128 HTK mels without normalisation, reflect padding
    {"n_fft": 1024, "hop_length": 256, "n_mels": 80},
    {"n_fft": 1024, "hop_length": 256, "n_mels": 80, "normalized": True},
    {"n_fft": 512, "win_length": 400, "hop_length": 160, "n_mels": 64, "mel_scale": "slaney", "norm": "slaney",
     "f_min": 50.0, "f_max": 7000.0, "normalized": "frame_length"},
])
def test_from_torchaudio_mel_takes_melspectrogram_as_it_is_called(options):
    """The same keywords as MelSpectrogram, nothing else: the right pitch and level (from_mel
    with its librosa defaults puts a 440 Hz tone near 590 Hz, 4 times too loud)."""
    sr = 16000
    x = (0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr)).astype(np.float32)
    M = torchaudio.transforms.MelSpectrogram(sample_rate=sr, **options)(torch.from_numpy(x))
    M_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=80)(M).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", importers.LossWarning)  # empty bands of 128 mels on 201 bins; top_db's floor
        for spec in (importers.from_torchaudio_mel(M.numpy(), sample_rate=sr, length=len(x), **options),
                     importers.from_torchaudio_mel(M_db, sample_rate=sr, length=len(x), db="power", top_db=80, **options)):
            y = spec.invert(n_iter=30, rng=0)
            assert y.shape == x.shape and spec.source == "mel"
            pitch = np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(np.abs(np.fft.rfft(y)))]
            assert abs(pitch - 440) < 5
            assert abs(20 * np.log10(np.std(y) / np.std(x))) < 1.5


@pytest.mark.parametrize("n_fft, hop_length, win_length", [(512, 128, 512), (512, 128, 400), (511, 100, 511)])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.99])
def test_griffinlim_reproduces_torchaudio(n_fft, hop_length, win_length, momentum):
    """torchaudio's griffinlim is librosa's fast GLA (the same ``momentum / (1 + momentum)``)
    with reflect padding; from its ``rand_init=False`` start (all phases 0) gl gives the same
    signal."""
    sr = 8000
    t = np.arange(2 * sr) / sr
    x = np.sin(2 * np.pi * 440 * t + 3 * np.sin(2 * np.pi * 2 * t)) * np.exp(-t) + 0.05 * noise(t.size, seed=2)
    geometry = gl.STFT(n_fft, hop_length, win_length, pad_mode="reflect")
    S = np.abs(geometry.stft(x))
    window = torch.hann_window(win_length, dtype=torch.float64)  # the float64 window of float64 work
    theirs = functional.griffinlim(torch.from_numpy(S), window, n_fft, hop_length, win_length, 1.0, 50, momentum, len(x), False)
    ours = gl.griffinlim(S, n_iter=50, momentum=momentum, init="zeros", geometry=geometry, length=len(x))
    assert np.max(np.abs(ours - theirs.numpy())) < 1e-8


def test_griffinlim_float32_close_to_torchaudio():
    x = noise(8000, seed=3).astype(np.float32)
    geometry = gl.STFT(512, 128, pad_mode="reflect")
    S = np.abs(geometry.stft(x))
    theirs = torchaudio.transforms.GriffinLim(n_fft=512, hop_length=128, power=1.0, n_iter=10, length=len(x), rand_init=False)
    ref = theirs(torch.from_numpy(S)).numpy()
    ours = gl.griffinlim(S, n_iter=10, init="zeros", geometry=geometry, length=len(x))
    assert ours.dtype == np.float32
    assert np.max(np.abs(ours - ref)) < 1e-4 * np.abs(ref).max()  # float32 rounding grows over iterations
