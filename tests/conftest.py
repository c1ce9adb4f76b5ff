"""Shared fixtures: paths to the corpus in ../shared, seeded generators."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from benchmarks.common import librosa_seed  # the tests hand librosa its seed as the benchmarks do

__all__ = ["librosa_seed"]  # (imported by the test modules)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GL_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"


def checkout_env(**variables: str) -> dict:
    """The environment of a subprocess that imports gl, with this checkout first on its path,
    as in the test process (pytest puts it first): a subprocess would otherwise run the
    installed copy, an older one after an edit without a reinstall (``pip install .`` copies
    the code), or none (50 of the command-line tests failed with 'No module named gl' in a checkout
    that was not installed)."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(REPO) + (os.pathsep + path if path else ""), **variables}


def corpus_file(*parts: str) -> Path:
    """A file of ../shared/corpus, or skip the test when the corpus is not there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file {path} not found (set GL_SHARED to the shared folder)")
    return path


def recording(inverter_class):
    """A subclass of a streaming inverter that keeps the spectra it commits (tests only: memory grows)."""

    class Recording(inverter_class):
        def _reset_state(self):
            super()._reset_state()
            self.committed = []

        def _commit(self, spectrum, contribution=None):
            self.committed.append(np.array(spectrum))
            super()._commit(spectrum, contribution)

    Recording.__name__ = Recording.__qualname__ = "Recording" + inverter_class.__name__
    return Recording


def read_audio(*parts: str, mono: bool = True):
    """(signal float64, sample rate) of a corpus file."""
    import soundfile as sf

    data, sr = sf.read(str(corpus_file(*parts)), dtype="float64", always_2d=True)
    if mono:
        data = data.mean(axis=1)
    else:
        data = data.T
    return data, sr


def traced_peak(call, warm_up: bool = False) -> int:
    """tracemalloc's peak (bytes) over ``call()``; with ``warm_up``, after a first, untraced
    call (which fills the caches a first call makes, gl._trig's work arrays say)."""
    import tracemalloc

    if warm_up:
        call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def rng():
    return np.random.default_rng(20261128)


@pytest.fixture(scope="session")
def greasy():
    return read_audio("reference", "greasy.wav")


DEV_FILES = [
    "d01_speech_arctic-slt_16k.flac",
    "d02_speech_alsa-voice_22k.flac",
    "d03_music_tabla_44k.flac",
    "d04_music_band-midi_16k.flac",
    "d05_env_vinyl-crackle_22k.flac",
    "d06_env_cineboom_stereo_44k.flac",
]
