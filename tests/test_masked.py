"""Masked arrays are refused by name everywhere gl reads an array: np.asarray would give the
values under the mask, whatever they are, as data."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import gl
from gl import audio, importers, mel, metrics

GEOMETRY = gl.STFT(256, 64)
X = np.random.default_rng(0).standard_normal(4000)
S = np.abs(GEOMETRY.stft(X))


def masked(a):
    hidden = np.ma.masked_array(np.array(a, copy=True), mask=np.zeros(np.shape(a), dtype=bool))
    hidden.mask.flat[0] = True
    hidden.data.flat[0] = 1e30  # what np.asarray would have used
    return hidden


CALLS = {
    "x": lambda: gl.stft(masked(X), n_fft=256, hop_length=64),
    "X": lambda: gl.istft(masked(S.astype(complex)), n_fft=256, hop_length=64),
    "S": lambda: gl.griffinlim(masked(S), n_fft=256, hop_length=64, n_iter=1),
    "init": lambda: gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=1, init=masked(np.zeros(S.shape))),
    "magnitude": lambda: gl.Spectrogram(masked(S), GEOMETRY),
    "window": lambda: gl.STFT(256, 64, window=masked(np.hanning(256))),
    "reference": lambda: metrics.snr(masked(X), X),
    "M": lambda: mel.mel_to_stft(masked(np.ones((40, 5))), filterbank=mel.mel_filterbank(sr=8000, n_fft=256, n_mels=40)),
    "Sxx": lambda: importers.from_scipy_spectrogram(masked(S), fs=8000, nperseg=256, noverlap=192),
    "ratio": lambda: metrics.to_db(masked(np.ones(3))),
}

# the public functions that read an array by another name (missed by the first pass)
MORE = {
    "pghi initial_phase": lambda: importlib.import_module("gl.pghi").initial_phase(masked(S), GEOMETRY),
    "spsi initial_phase": lambda: importlib.import_module("gl.spsi").initial_phase(masked(S), GEOMETRY),
    "to_pcm": lambda: audio.to_pcm(masked(X), 16),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_masked_arrays_are_refused_by_name(name):
    with pytest.raises(TypeError, match=rf"^{name} is a masked array, and gl does not read masks.*{name}\.filled\(0\)"):
        CALLS[name]()


@pytest.mark.parametrize("function", [gl.reconstruct, gl.pghi, gl.spsi, gl.reconstruct_long])
def test_every_method_refuses_a_masked_magnitude(function):
    with pytest.raises(TypeError, match="^S is a masked array"):
        function(masked(S), geometry=GEOMETRY)


@pytest.mark.parametrize("name", list(MORE))
def test_the_other_readers_refuse_masked_arrays_too(name):
    with pytest.raises(TypeError, match=r"is a masked array, and gl does not read masks"):
        MORE[name]()


def test_write_audio_refuses_a_masked_signal(tmp_path):
    with pytest.raises(TypeError, match=r"^x is a masked array"):
        audio.write_audio(tmp_path / "a.wav", masked(0.5 * X / np.abs(X).max()), 8000)
    assert not list(tmp_path.iterdir())
