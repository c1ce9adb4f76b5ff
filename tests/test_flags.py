"""Boolean keywords across the public API take True or False only: a string such as 'False'
is truthy and silently meant True."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gl



def _flag_calls(folder):
    """Every public boolean keyword: a call taking the flag's value (files go to ``folder``)."""
    import os

    from gl import audio, importers, mel, windows

    x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(4000) / 8000)  # within full scale: written without clipping
    geometry = gl.STFT(n_fft=64, hop_length=16)
    S = np.abs(geometry.stft(x))
    return {
        "write_audio force": lambda v: audio.write_audio(os.path.join(folder, "a.wav"), x, 8000, force=v),
        "write_audio normalize": lambda v: audio.write_audio(os.path.join(folder, "b.wav"), x, 8000, normalize=v),
        "reconstruct_long warm_start": lambda v: gl.reconstruct_long(S, geometry=geometry, warm_start=v, n_iter=2),
        "reconstruct_long bridge": lambda v: gl.reconstruct_long(S, geometry=geometry, bridge=v, n_iter=2),
        "hz_to_mel htk": lambda v: mel.hz_to_mel(440.0, htk=v),
        "mel_to_hz htk": lambda v: mel.mel_to_hz(4.0, htk=v),
        "mel_frequencies htk": lambda v: mel.mel_frequencies(10, htk=v),
        "mel_filterbank htk": lambda v: mel.mel_filterbank(sr=8000, n_fft=64, n_mels=8, htk=v),
        "from_mel htk": lambda v: importers.from_mel(np.ones((8, 20)), sr=8000, n_fft=64, htk=v),
        "rtisila return_info": lambda v: gl.rtisila(S, geometry=geometry, return_info=v),
        "pghi return_phase": lambda v: gl.pghi(S, geometry=geometry, return_phase=v),
        "spsi return_phase": lambda v: gl.spsi(S, geometry=geometry, return_phase=v),
        "get_window sym": lambda v: windows.get_window("hann", 8, sym=v),
        "from_scipy_spectrogram return_onesided": lambda v: importers.from_scipy_spectrogram(
            np.ones((64 if v is False or v is np.False_ else 33, 20)), 8000, nperseg=64, noverlap=48, return_onesided=v,
            detrend=False),
        "from_scipy_stft padded": lambda v: importers.from_scipy_stft(np.ones((33, 20)), 8000, nperseg=64, noverlap=48, padded=v),
        "Spectrogram.save force": lambda v: gl.Spectrogram.from_audio(x, 8000, n_fft=64, hop_length=16).save(
            os.path.join(folder, "s.npz"), force=v),
    }


CALLS = sorted([
    "write_audio force", "write_audio normalize", "reconstruct_long warm_start", "reconstruct_long bridge",
    "hz_to_mel htk", "mel_to_hz htk", "mel_frequencies htk", "mel_filterbank htk", "from_mel htk",
    "rtisila return_info", "pghi return_phase", "spsi return_phase", "get_window sym",
    "from_scipy_spectrogram return_onesided", "from_scipy_stft padded", "Spectrogram.save force",
])


def test_the_list_covers_every_call(tmp_path):
    assert sorted(_flag_calls(str(tmp_path))) == CALLS


@pytest.mark.parametrize("call", CALLS)
def test_a_boolean_keyword_refuses_a_string(call, tmp_path):
    """`force='False'` overwrote files, `htk='no'` (from `-P htk=no`) chose the HTK scale."""
    with pytest.raises(TypeError, match=r"='False' must be True or False \(a string is not a flag\)"):
        _flag_calls(str(tmp_path))[call]("False")


@pytest.mark.parametrize("call", CALLS)
def test_numpy_bools_still_count_as_flags(call, tmp_path):
    _flag_calls(str(tmp_path))[call](np.False_)


@pytest.mark.parametrize("value", [1, 0, np.int64(1), 1.0, None])
@pytest.mark.parametrize("call", CALLS)
def test_a_boolean_keyword_refuses_a_number(call, value, tmp_path):
    """A number is no flag either: bool is an int, but an int is not a bool (force=1 is a mistake
    or a value meant for another keyword)."""
    with pytest.raises(TypeError, match=re.escape(f"={value!r} must be True or False") + "$"):
        _flag_calls(str(tmp_path))[call](value)
