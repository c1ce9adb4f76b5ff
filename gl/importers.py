"""Spectrograms made by other libraries, turned into :class:`gl.Spectrogram` objects.

Every library frames, windows and scales its STFT its own way (the table below and each
importer's docstring say how; ``docs/05-scipy-spectrogram.md`` works one through). Each
importer here takes the array a library returned together with the parameters it was
called with (its own names and defaults), undoes the scaling, and returns a
:class:`~gl.Spectrogram` whose magnitude is gl's unscaled ``|rfft(window * frame)|`` and
whose geometry reproduces the library's frames. No importer imports the library itself.

=================  ====================================================  ================================
importer           made by                                               ``|X|`` from the input
=================  ====================================================  ================================
scipy              ``scipy.signal.spectrogram``                          ``sqrt(Sxx / (c_k s))`` (psd),
                                                                         ``Sxx / sqrt(s)`` (magnitude)
scipy-stft         ``scipy.signal.stft``                                 ``|Z| sum(w)`` or ``|Z| sqrt(fs sum(w^2))``
shorttimefft       ``scipy.signal.ShortTimeFFT.stft`` / ``.spectrogram``   ``|S| / fac`` (``/2`` for onesided2X)
librosa            ``librosa.stft`` (``** power``, ``*_to_db``)          ``S^(1/power)``, dB undone
torchaudio         ``torchaudio.transforms.Spectrogram``                 ``S^(1/power)`` (``* ||w||`` if normalized)
mel                ``librosa.feature.melspectrogram``                    NNLS, :func:`gl.mel.mel_to_stft`
torchaudio-mel     ``torchaudio.transforms.MelSpectrogram``              the same, torchaudio's filterbank
                                                                         (``* ||w||`` if normalized)
=================  ====================================================  ================================

(``s = 1 / (fs sum(w^2))`` for scipy's 'density' scaling, ``1 / sum(w)^2`` for
'spectrum'; ``c_k = 2`` for the bins a one-sided spectrum doubles, 1 at DC and at an even
``nfft``'s Nyquist bin.)

Information a spectrogram no longer holds is reported by a :class:`LossWarning`:
``detrend`` in scipy (the frame means), dB values clipped by ``top_db`` or ``amin``, and
samples that the windows barely see (:attr:`gl.STFT.low_overlap`: their summed squares
below 10 % of the peak between frames, as a Hann's at scipy's default overlap), and frames
that add fewer magnitudes than samples (``n_fft // 2 + 1 < hop``, as at scipy's default
overlap with any window: many signals then share the magnitudes, and a reconstruction can
match them closely and still be far from the recording; docs/05).
Phase-only modes (scipy's 'angle' and 'phase') are rejected, and so is a geometry
whose windows do not overlap enough to rebuild every sample (NOLA).

References
----------
D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier transform",
IEEE Trans. ASSP 32(2), 1984 (the least-squares ISTFT these geometries are inverted with).

Examples
--------
The classic mistake and its fix: a ``scipy.signal.spectrogram`` PSD of a tone, back to
audio at the right tempo, pitch and level.

>>> import numpy as np
>>> import gl
>>> fs = 8000
>>> x = 0.3 * np.sin(2 * np.pi * 500 * np.arange(fs) / fs)
>>> w = np.hanning(256)                         # what scipy.signal.windows.hann(256) gives
>>> spec = gl.Spectrogram.from_audio(x, fs, n_fft=256, hop_length=64, window=w, center=False)
>>> scale = 1 / (fs * np.sum(w**2))             # scipy's 'density' scaling
>>> Sxx = spec.magnitude**2 * scale; Sxx[1:-1] *= 2
>>> restored = gl.importers.from_scipy_spectrogram(Sxx, fs, window=w, noverlap=192, detrend=False)
>>> bool(np.allclose(restored.magnitude, spec.magnitude))
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from typing import Callable, Literal, Optional, Union

import numpy as np

from ._checks import as_array, check_choice, check_flag, underflow_is_a_value
from .audio import FORMAT_LIMITS
from .mel import NormSpec, filterbank_and_warning, mel_to_stft
from .spectrogram import Spectrogram
from .transform import PAD_MODES, STFT, PadMode, _caller_stacklevel, implied_sizes, real_dtype
from .windows import WindowSpec, get_window, name_of

__all__ = [
    "from_scipy_spectrogram",
    "from_scipy_stft",
    "from_shorttimefft",
    "from_librosa",
    "from_torchaudio",
    "from_mel",
    "from_torchaudio_mel",
    "from_db",
    "CONVENTIONS",
    "LossWarning",
]


class LossWarning(UserWarning):
    """The spectrogram no longer holds some of the signal: that part cannot come back.

    A warning, not an error: the import goes on and that part comes back as well as the
    data allows (clipped dB values at their floor, say). To avoid it, make the spectrogram
    without the loss (``top_db=None`` in librosa, ``detrend=False`` in scipy, a smaller hop);
    where the loss is known and accepted, filter it (``warnings.simplefilter("ignore",
    LossWarning)``).

    Examples
    --------
    dB values clipped by librosa's ``top_db=80`` (two at the floor, 80 dB below the peak):

    >>> import warnings
    >>> import numpy as np
    >>> from gl.importers import from_db
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     S = from_db(np.array([[0.0, -20.0], [-80.0, -80.0]]), db="amplitude", ref=1.0, top_db=80)
    >>> type(caught[0].message).__name__, str(caught[0].message).split(":")[0]
    ('LossWarning', '2 of 4 values of S (50.0 %) sit at -80.0 dB, top_db=80 below the peak 0.0 dB')
    >>> S.tolist()                                  # the clipped ones come back at the floor, 1e-4
    [[1.0, 0.1], [0.0001, 0.0001]]
    """


# ---------------------------------------------------------------------- checks


#: Below this many Hz a sample rate is no audio rate: scipy's default ``fs=1.0`` left in place.
LOWEST_AUDIO_RATE = 100.0

#: Above this many Hz no audio file holds the rate (a WAV header's 32 bits, :data:`gl.audio.FORMAT_LIMITS`), and
#: ``gl invert`` refuses it: ``fs=1e300`` is no spectrogram's rate (it made scipy's ``f`` imply an nfft of 300 digits).
HIGHEST_AUDIO_RATE = max(rate for _, rate in FORMAT_LIMITS.values())


def _check_rate(name: str, value) -> float:
    rate = _check_positive(name, value, "the sample rate in Hz")
    if rate > HIGHEST_AUDIO_RATE:
        raise ValueError(f"{name}={rate:g} must be at most {HIGHEST_AUDIO_RATE} Hz, the fastest sample rate an audio file "
                         "holds; pass the rate the spectrogram was made at")
    return rate


def _shown(count: int) -> str:
    """A count of samples read off scipy's ``f`` or ``t`` for a message: as it is, or in ``:g``
    form past 1e15 (an ``f`` or ``t`` off by orders of magnitude gave hundreds of digits)."""
    return str(count) if abs(count) < 1e15 else f"{count:.6g}"


def _check_scipy_rate(value) -> float:
    """``fs`` of a scipy spectrogram; a warning for scipy's default 1.0 (or any rate no audio has):
    the result would be written at that rate, and a density scaling divided by it."""
    fs = _check_rate("fs", value)
    if fs < LOWEST_AUDIO_RATE:
        warnings.warn(
            f"fs={fs:g} Hz is no audio sample rate (scipy's default fs is 1.0): pass the rate the spectrogram was made "
            "at; the result's sample rate, and the level of a density ('psd') scaling, depend on it",
            stacklevel=_caller_stacklevel(),
        )
    return fs


def _check_positive(name: str, value, what: str) -> float:
    """A finite number > 0; ``what`` says what it is, for the message."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}={value!r} must be a number ({what})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value} must be a finite number > 0 ({what})")
    return float(value)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer")
    if value < minimum:
        raise ValueError(f"{name}={value} must be >= {minimum}")
    return int(value)


def _check_power(value, name: str = "power") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}={value!r} must be a number > 0 (1 for magnitude, 2 for power)")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value} must be > 0 (1 for magnitude, 2 for power)")
    return float(value)


def _spectrogram_array(S, name: str, *, complex_ok: bool, min_rows: int = 2) -> np.ndarray:
    """``S`` as an array (..., n_freq, n_frames): numeric, finite; complex only if allowed.
    ``min_rows``: 2 frequency bins (n_fft >= 2); 1 for mel bands or values converted one by one."""
    S = as_array(name, S)
    if S.dtype == bool or S.dtype.kind not in "fiuc":
        raise TypeError(f"{name} must be a numeric array, got dtype {S.dtype}")
    if S.dtype.kind == "c" and not complex_ok:
        raise TypeError(f"{name} is complex, but this mode gives real values; pass np.abs({name}) or say it is complex")
    if S.ndim < 2:
        raise ValueError(f"{name} must have shape (..., n_freq, n_frames), got shape {S.shape}")
    _check_rows(S, name, min_rows)
    if not np.all(np.isfinite(S)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return S


def _check_rows(S: np.ndarray, name: str, min_rows: int) -> None:
    """At least ``min_rows`` rows (2 frequency bins; 1 for mel bands) and one frame."""
    if S.shape[-1] < 1 or S.shape[-2] < min_rows:
        rows = "2 frequency bins" if min_rows == 2 else "1 row"
        raise ValueError(f"{name} has shape {S.shape}: it needs at least {rows} and 1 frame")


def _with_two_bins(S, name: str) -> np.ndarray:
    """``S`` as an array, if its shape can be a linear spectrogram's (..., n_freq >= 2, n_frames):
    checked before :func:`from_db`, which takes any number of rows (and -inf dB)."""
    S = as_array(name, S)
    if S.ndim >= 2:
        _check_rows(S, name, 2)
    return S


def _non_negative(S: np.ndarray, name: str, narrow_ok: bool = False, from_db: bool = False) -> np.ndarray:
    """``S`` after checking it is >= 0 and (unless it came out of :func:`from_db`) does not look like dB."""
    if S.dtype.kind != "c" and S.size and S.min() < 0:
        raise ValueError(
            f"{name} has negative values (min {S.min():.3g}); a magnitude or power spectrogram is >= 0 "
            f"(is it in dB? {_DB_HINT})"
        )
    if not from_db:
        _warn_if_db(S, name, narrow_ok)
    return S


_DB_HINT = "then pass db='power' or db='amplitude' (db='ln' for a natural log), or convert it first with gl.importers.from_db"


def _warn_if_db(S: np.ndarray, name: str, narrow_ok: bool = False) -> None:
    """Warn when non-negative "linear" values look like dB (levels of a loud signal, e.g. 40-120 dB).

    Two signs, neither of which a magnitude or power spectrogram shows: every value within
    a factor of 10 of every other (|STFT| values of any real signal spread over decades;
    dB values of a signal at int16 scale sit between about 40 and 120), or the signature
    of ``top_db``: the minimum exactly 80 below the maximum, held by many values.
    """
    if S.dtype.kind == "c" or S.size < 1000:
        return
    low, high = float(S.min()), float(S.max())
    if low == 0 and high > 0:
        _warn_if_shifted_db(S, name, high)
    if not low > 0 or high == low:
        return
    narrow = high < 10.0 * low and not narrow_ok
    clipped = abs(high - low - 80.0) < 1e-3 and np.count_nonzero(S <= low + 1e-3) >= max(2, S.size // 1000)
    if narrow or clipped:
        why = (f"all its values lie between {low:.4g} and {high:.4g}, within a factor of 10 of each other"
               if narrow else f"many values sit exactly 80 below the maximum {high:.4g}, as top_db=80 leaves them")
        warnings.warn(
            f"{name} looks like dB, not a linear magnitude or power: {why}; if it is in dB, {_DB_HINT}",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )


# dB made non-negative (librosa's S_db + 80 with top_db=80, S_db - S_db.min(), Tacotron's
# clip((S_db - min_db) / -min_db, 0, 1), or that times 4) read as a magnitude comes out 15 dB
# too loud. Measured on the six dev clips and greasy, each as librosa |STFT| and |STFT|**2,
# melspectrogram power and amplitude, scipy.signal.spectrogram psd and spectrum, and a
# torchaudio-style power (n_fft 400): the median of the non-zero values over the maximum is
# 0 to 0.0118 for all 49 of those magnitudes (a pure tone, a silence-padded clip and a click
# on noise at most 0.022), and 0.0615 to 0.79 for all 245 dB forms of them (+80 with top_db=80,
# minus the minimum with top_db 80 or None, Tacotron's [0, 1] and [0, 4]); on the subsample of
# at most 256 frames, 0.138 to 0.69 for the 200 that hold an exact zero in at least 16 frames.
# White noise overlaps the dB forms (0.06 to 0.39), as does a click on digital silence (0.25
# to 0.85, in at most 8 frames): hence two conditions besides the median. Exact zeros, at
# least 0.1 % of the values, among the values of frames and rows that hold others: the floor
# that top_db, the shift by the minimum or the clip of a normalisation leaves at 0. White noise
# has none; digital silence, scipy's slices past the signal and empty mel bands leave whole
# frames or rows at 0 (noise padded with silence, a click on silence: not warned about); a
# stray zero bin (scipy.signal.stft of noise, odd nperseg: 0.016 %, median 0.04 to 0.08) is
# too rare. And non-zero values in at least 16 frames of the subsample. Caught: 151 of the 245
# dB forms (median 0.138 to 0.69). Missed: those with fewer zeros (nothing, or little, reached
# the floor: 'minus the minimum' without top_db, a normalisation that clipped nothing; median
# 0.29 to 0.69, where white noise's 0.39 lies too) and arrays of fewer than 16 frames.
_SHIFTED_DB_MEDIAN = 0.04  # 3.4x the largest magnitude's 0.0118, 3.5x below the smallest dB form's 0.139
_SHIFTED_DB_FRAMES = 16
_SHIFTED_DB_ZEROS = 0.001


def _warn_if_shifted_db(S: np.ndarray, name: str, high: float) -> None:
    """Warn when a non-negative array with exact zeros inside its frames has the narrow spread of
    dB values made non-negative: the median of its non-zero values at least 4 % of its maximum. On a
    subsample of at most 256 frames: one pass over a small part of ``S``."""
    step = max(1, S.shape[-1] // 256)
    sample = np.asarray(S[..., ::step], dtype=np.float64)
    nonzero = sample > 0
    active_frames = nonzero.any(axis=tuple(range(sample.ndim - 1)))  # (n_frames,)
    active_rows = nonzero.any(axis=-1, keepdims=True)  # (..., n_freq, 1)
    # a floor clipped to 0 leaves zeros among the values of a frame; digital silence (or scipy's
    # slices past the signal, or an empty mel band) leaves whole frames or rows at 0
    scattered = np.count_nonzero(~nonzero & active_frames & active_rows)
    if int(np.count_nonzero(active_frames)) < _SHIFTED_DB_FRAMES or scattered < _SHIFTED_DB_ZEROS * sample.size:
        return
    ratio = float(np.median(sample[nonzero])) / high
    if ratio < _SHIFTED_DB_MEDIAN:
        return
    zeros = 100.0 * (1.0 - np.count_nonzero(nonzero) / nonzero.size)
    warnings.warn(
        f"{name} looks like dB made non-negative, not a linear magnitude or power: {zeros:.2g}% of it is exactly 0 "
        f"and the median of the rest is {100 * ratio:.2g}% of its maximum {high:.4g} (a magnitude's values spread over "
        "decades, its median under 2% of the peak); if it is in dB shifted or normalised to be >= 0 (S_db + 80, "
        "S_db - S_db.min(), a [0, 1] or [0, 4] normalisation), undo that first (take the 80 off S_db + 80), which gl "
        f"cannot guess, {_DB_HINT}",
        UserWarning,
        stacklevel=_caller_stacklevel(),
    )


def _magnitude_from(S: np.ndarray, power: float, name: str, from_db: bool = False) -> np.ndarray:
    """``|S|`` for complex input, else ``S ** (1 / power)``, as float32/float64."""
    dtype = real_dtype(S)
    if S.dtype.kind == "c":
        return np.abs(S).astype(dtype, copy=False)
    _non_negative(S, name, from_db=from_db)
    S = S.astype(dtype, copy=True)
    if power == 1:
        return S
    if power == 2:
        return np.sqrt(S, out=S)
    with np.errstate(over="ignore"):
        np.power(S, 1.0 / power, out=S)
    if not np.all(np.isfinite(S)):
        raise ValueError(f"power={power:g} takes {name} to the power {1.0 / power:.3g}, which overflows {S.dtype}: "
                         "power is the exponent the spectrogram was made with (1 for a magnitude, 2 for a power)")
    return S


# An importer warns where the summed squared windows fall below 10 % of their peak between
# frames (gl.STFT.low_overlap): phase retrieval barely constrains those samples. On 3 s of
# four dev clips (d01-d04), scipy.signal.spectrogram with nperseg=256, detrend=False, then
# least-squares ``invert(floor_between_frames=False)``: a periodic Hann at scipy's default
# noverlap (32; 0.3 %) came back +3.8 to +6.4 dB too loud with peaks 4 to 11 times the
# input's while matching the spectrogram; Hamming there (2.6 %) +1.1 to +2.1 dB; Hann at
# noverlap 64 (4.3 %) +0.7 to +1.6 dB, noverlap 96 (19 %) +0.2 to +0.5 dB, 128 (50 %) and
# scipy's Tukey (50 %) within 0.2 dB. ``invert()`` sees such spikes and runs again with a
# floor between frames, which brings the level back, but what the windows hardly saw is
# still hardly known.


def _check_nola(geometry: STFT, parameter: str, value) -> None:
    """Refuse a geometry that breaks NOLA; warn (:class:`LossWarning`) where the summed squared
    windows dip below 10 % of their peak between frames (:attr:`gl.STFT.low_overlap`), and
    where each frame adds fewer magnitudes than samples (``n_freq < hop``, as scipy's default
    hop, 7/8 of the segment, does: 129 for 224)."""
    period = geometry.window_sum_period
    if geometry.nola_ok and geometry.low_overlap:
        warnings.warn(
            f"{parameter}={value} with this window leaves the summed squared windows at "
            f"{100 * period.min() / period.max():.2g}% of their peak between frames: the spectrogram barely "
            "constrains those samples, and least-squares phase retrieval can put spikes there, several times "
            "the signal's peak (scipy's 'hann' at its default noverlap = nperseg // 8: +4 to +6 dB on speech "
            "and music); invert() sees them and runs again with a floor between frames (gl.STFT.low_overlap), "
            "but what the windows hardly saw cannot be recovered; if you can recompute the spectrogram, give "
            "it more overlap (a hop of at most half the window)",
            LossWarning,
            stacklevel=_caller_stacklevel(),
        )
    if geometry.nola_ok and geometry.n_freq < geometry.hop_length:
        warnings.warn(
            f"{parameter}={value}: each frame adds {geometry.hop_length} samples but {geometry.n_freq} magnitudes, so "
            "the spectrogram holds fewer magnitudes than the signal has samples and many signals share them: a "
            "reconstruction can match them closely (a low spectral convergence) and still sound unlike the recording; "
            "if you can recompute the spectrogram, a hop of a quarter of the FFT "
            f"({max(1, geometry.n_fft // 4)}) gives about twice as many magnitudes as samples",
            LossWarning,
            stacklevel=_caller_stacklevel(),
        )
    if not geometry.nola_ok:
        layout = ""
        if geometry.n_fft <= 8:  # a handful of frequency rows: more likely the wrong axis than a real STFT
            layout = (f" (or the array is not laid out (..., n_freq, n_frames): its {geometry.n_freq} rows on "
                      f"axis -2 mean n_fft={geometry.n_fft}; move the frequency axis to -2 and time to -1)")  # fmt: skip
        raise ValueError(
            f"{parameter}={value} with this window breaks NOLA: the summed squared windows vanish at some "
            "sample of every hop, so no inversion can recover those samples; the spectrogram was made with "
            f"too little overlap for its window{layout}"
        )


def _window_samples(window: WindowSpec, length: int, name: str = "window") -> np.ndarray:
    """A named window (periodic, as scipy and librosa use for spectra) or an array of ``length``."""
    if isinstance(window, (list, np.ndarray)):
        array = as_array(name, window)
        if array.ndim != 1 or array.shape[0] != length:
            raise ValueError(f"{name} array has {array.shape} samples but the segment length is {length}")
    try:
        return get_window(window, length)
    except ValueError as error:
        if "is unknown" not in str(error) and "a window tuple is" not in str(error):  # a name, or a scipy tuple, gl does not know
            raise
        spec = repr(window)
        raise ValueError(f"{error}: for a window gl does not name, pass the samples scipy used, "
                         f"{name}=scipy.signal.get_window({spec}, {length}) (periodic, as scipy's spectrogram and stft take it)") from None


def _window_keywords(spec: WindowSpec, samples: np.ndarray) -> dict:
    """``window`` and ``sym`` for :class:`gl.STFT`: the name when the window has one, else the array.

    A string or tuple is kept (scipy's and gl's named windows are both periodic); an array
    equal to a named window (``scipy.signal.windows.hann(n)`` is the symmetric Hann) is
    replaced by its name, so that initialisers that need the window's shape (PGHI) work.
    """
    if not isinstance(spec, (list, np.ndarray)):
        return {"window": spec, "sym": False}
    named = name_of(samples)
    return {"window": samples, "sym": False} if named is None else {"window": named[0], "sym": named[1]}


def _padded_window(window: np.ndarray, n_fft: int, start: int = 0) -> np.ndarray:
    """``window`` placed at ``start`` in ``n_fft`` zeros (a frame zero-padded after the window)."""
    full = np.zeros(n_fft)
    full[start : start + window.shape[0]] = window
    return full


def _check_length(length, n_frames: int, frames_of: Callable[[int], int], what: str) -> Optional[int]:
    """Validate a user's ``length`` against the frame count it implies."""
    if length is None:
        return None
    length = _check_int("length", length, 1)
    implied = frames_of(length)
    if implied < 1:
        raise ValueError(f"length={length} is shorter than one frame with {what}; the spectrogram has {n_frames} frames")
    if implied != n_frames:
        raise ValueError(f"length={length} gives {implied} frames with {what}, but the spectrogram has {n_frames}")
    return length


def _one_sided_rows(S: np.ndarray, n_fft: int, name: str, *, centered: bool = False) -> np.ndarray:
    """Rows ``0 .. n_fft // 2`` of a two-sided (fft-order or centred) spectrum of a real signal."""
    if centered:
        S = np.fft.ifftshift(S, axes=-2)
    half = S[..., : n_fft // 2 + 1, :]
    mirror = np.abs(S[..., (n_fft - np.arange(1, n_fft // 2 + 1)) % n_fft, :])
    scale = float(np.abs(S).max()) if S.size else 0.0
    if not np.allclose(np.abs(half[..., 1:, :]), mirror, rtol=1e-5, atol=1e-6 * scale):
        raise ValueError(
            f"{name} is two-sided but its negative frequencies do not mirror the positive ones: it is the "
            "spectrogram of a complex signal, and gl rebuilds real signals only"
        )
    return np.array(half)


# ---------------------------------------------------------------------- dB


#: No audio spectrogram reaches this many dB (a full-scale int32 signal: about 250 dB).
_MAX_DB = 400.0

#: The same level as a natural log (``db='ln'``): ``ln(10^40)``, about 92.1, that of a power
#: of 400 dB (a magnitude of 400 dB is half of it); a linear magnitude of 100 read as a
#: natural log would be ``e^100``, 2.7e43.
_MAX_LN = _MAX_DB / 10.0 * math.log(10.0)


def _check_looks_like_db(values: np.ndarray, name: str, db: str) -> None:
    """Refuse or warn about a linear spectrogram passed as dB (the reverse of :func:`_warn_if_db`).

    Refused: values above ``_MAX_DB`` (a linear power of 1e4 read as dB is 10^1000), or
    ``_MAX_LN`` for a natural log.
    Warned: every value >= 0 and most of them far below the peak (the median under 1 % of
    it), the shape of a linear magnitude or power; dB values, being logarithms, spread
    over their range (a loud signal's dB, all >= 0, has its median near the middle).
    """
    if not values.size:
        return
    peak = float(values.max())
    if peak > (_MAX_LN if db == "ln" else _MAX_DB):
        raise ValueError(
            f"{name} has values up to {peak:.4g}, which as {'a natural log' if db == 'ln' else 'dB'} (db={db!r}) would be "
            "a level no audio reaches; "
            f"it looks like a linear spectrogram: drop db="
        )
    if values.size >= 1000 and float(values.min()) >= 0 and peak > 0 and float(np.median(values)) < 0.01 * peak:
        warnings.warn(
            f"{name} looks linear, not dB (db={db!r}): every value is >= 0 and most are far below the peak "
            f"(median {float(np.median(values)):.3g}, peak {peak:.3g}); dB values spread over their range. "
            "If it is a magnitude or power spectrogram, drop db=",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )


#: What ``db=`` names: the dB conversions (10 or 20 log10) and the natural logarithm.
_DB_SCALES = ("power", "amplitude", "ln")

#: librosa's default ``amin``: ``amplitude_to_db`` 1e-5, ``power_to_db`` 1e-10.
_LIBROSA_AMIN = {"amplitude": 1e-5, "power": 1e-10}


def _check_db_keywords(db, **keywords) -> None:
    """Refuse ``ref``, ``amin`` or ``top_db`` given without ``db``: they describe a dB
    conversion, and without ``db`` the array is read as linear and they would do nothing
    (a dB array whose values are all >= 0 would then come back as a magnitude of dB values)."""
    check_choice("db", db, _DB_SCALES, none=True)
    if db is None:
        given = [f"{name}={value!r}" for name, value in keywords.items() if value is not None]
        if given:
            raise ValueError(f"{', '.join(given)} describe{'s' if len(given) == 1 else ''} a dB input, but without db the "
                             "array is read as linear: if it is in dB, pass db='power' (power_to_db) or db='amplitude' "
                             "(amplitude_to_db) too (db='ln' for a natural log); else drop " + ("it" if len(given) == 1 else "them"))


def _ln_power(power):
    """``power`` for ``db='ln'``, which must say it: the log of a magnitude (1, Tacotron 2's and
    HiFi-GAN's log-mel) and of a power (2) are both common, and the wrong one halves or doubles
    every log-magnitude."""
    if power is None:
        raise ValueError("db='ln' needs power: 1 for the log of a magnitude (Tacotron 2's and HiFi-GAN's log-mel, "
                         "np.log(np.clip(M, 1e-5, None)) of a magnitude mel), 2 for the log of a power")
    return power


def _librosa_amin(db, ref, amin):
    """The ``amin`` librosa divided by when none was given: its default, where ``ref`` is below it
    (librosa divides by ``max(amin, ref)``: ``amplitude_to_db(S, ref=1e-7)`` is relative to 1e-5);
    else ``amin`` as it is (None: nothing changes; a bad ``ref`` is refused by :func:`from_db`)."""
    default = _LIBROSA_AMIN.get(db) if isinstance(db, str) else None
    if (amin is None and default is not None and isinstance(ref, (int, float, np.integer, np.floating))
            and not isinstance(ref, bool) and 0 < ref < default):
        return default
    return amin


#: Values :func:`from_db` converts at a time (2 MiB of float64).
_FROM_DB_BLOCK = 1 << 18


@underflow_is_a_value  # once per import: 10^(dB / 10) below 1e-308 is 0 (or subnormal): a value, not an error
def from_db(
    S_db,
    *,
    db: str = "power",
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
    name: str = "S",
    peak_ndim: Optional[int] = None,
) -> np.ndarray:
    """Undo ``librosa.power_to_db`` (``db='power'``) or ``amplitude_to_db`` (``db='amplitude'``),
    or a natural logarithm (``db='ln'``).

    .. math:: S = \\mathrm{ref} \\cdot 10^{S_{dB} / 10} \\ (\\text{power}), \\qquad
              S = \\mathrm{ref} \\cdot 10^{S_{dB} / 20} \\ (\\text{amplitude}), \\qquad
              S = \\mathrm{ref} \\cdot e^{S_{\\ln}} \\ (\\text{ln}).

    ``db='ln'`` is the log-mel of Tacotron 2 and HiFi-GAN, ``np.log(np.clip(M, 1e-5, None))``
    of a magnitude mel (their ``amin`` is the clip, 1e-5); it has no ``top_db``.

    with ``ref`` raised to ``amin`` when ``amin`` is given and larger (librosa divides by
    ``max(amin, ref)``: with a ``ref`` below librosa's default ``amin``, 1e-10 for power and
    1e-5 for amplitude, pass that ``amin`` too). ``-inf`` dB (what ``10 * np.log10`` makes
    of an exact 0) comes back as 0.

    Values the forward transform clipped cannot come back: those at ``max - top_db``
    (``top_db``) or at the ``amin`` floor come back at the floor, and a
    :class:`LossWarning` says how many there are. When ``top_db`` is not given but the
    data look clipped at librosa's default 80 dB below the peak, the warning says so too.

    Parameters
    ----------
    S_db : np.ndarray
        Values in dB.
    db : {'power', 'amplitude', 'ln'}
        Which conversion made them: 10 or 20 log10, or the natural logarithm (whether of a
        magnitude or a power is the importers' ``power``).
    ref : float > 0, optional
        The ``ref`` the forward call used (a number; default 1.0, librosa's). ``ref=np.max``
        threw the absolute level away: pass the value it had, or 1.0 for a level relative
        to the peak (without ``ref``, values that peak at exactly 0 dB get a
        :class:`LossWarning` saying so).
    amin, top_db : float, optional
        The ``amin`` and ``top_db`` the forward call used, to find clipped values.
    name : str
        What the error messages and warnings call ``S_db`` (default ``'S'``).
    peak_ndim : int, optional
        How many trailing axes the forward call took the peak of ``top_db`` over: all
        (None, librosa's), or 3 for torchaudio's ``AmplitudeToDB`` (each item of a
        (batch, channel, freq, time) input is clipped below its own peak).

    Returns
    -------
    np.ndarray
        The linear power or amplitude.

    References
    ----------
    B. McFee et al., "librosa: audio and music signal analysis in Python", SciPy 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.importers import from_db
    >>> from_db(np.array([[0.0, -20.0], [-40.0, 20.0]]), db="amplitude")
    array([[ 1. ,  0.1 ],
           [ 0.01, 10.  ]])
    """
    check_choice("db", db, _DB_SCALES)
    if db not in _DB_SCALES:
        raise ValueError(f"db={db!r} must be 'power' (power_to_db, 10 log10), 'amplitude' (amplitude_to_db, 20 log10) "
                         "or 'ln' (the natural log, as Tacotron 2's and HiFi-GAN's log-mel)")
    if db == "ln" and top_db is not None:
        raise ValueError(f"top_db={top_db!r} is for dB; a natural log (db='ln') has no top_db: drop it (amin is its clip)")
    if callable(ref):
        # numpy's own name for it: np.max and np.min first (before numpy 1.25 their __name__ was amax, amin)
        named = next((name for name in ("max", "min", getattr(ref, "__name__", "")) if name and getattr(np, name, None) is ref), "")
        shown = f"np.{named}" if named else repr(ref)
        raise TypeError(
            f"ref must be the number the dB conversion used, not a function (ref={shown}): "
            "a function of the data (np.max, np.median, ...) threw the absolute level away - pass the value it "
            "returned to get the level back, or ref=1.0 for a level relative to that value"
        )
    ref_given = ref is not None
    ref = 1.0 if ref is None else _check_positive("ref", ref, "the reference level the dB conversion divided by")
    if amin is not None:
        amin = _check_positive("amin", amin, "the smallest value the dB conversion kept")
    if top_db is not None:
        top_db = _check_positive("top_db", top_db, "how far below the peak the dB conversion clipped")
    if peak_ndim is not None and (isinstance(peak_ndim, bool) or not isinstance(peak_ndim, (int, np.integer)) or peak_ndim < 1):
        raise ValueError(f"peak_ndim={peak_ndim!r} must be None or an integer >= 1 (the trailing axes of one item)")
    S_db = as_array(name, S_db)
    silent = None
    if S_db.dtype.kind == "f":  # 10 log10(0): a value that was exactly 0
        silent = np.isneginf(S_db)
        if silent.any():
            S_db = np.where(silent, S_db.dtype.type(0), S_db)  # a new array of S_db's dtype: the caller's is kept
        else:
            silent = None
    S_db = _spectrogram_array(S_db, name, complex_ok=False, min_rows=1)  # value by value: any number of rows
    dtype = real_dtype(S_db)
    values = S_db.astype(dtype, copy=False)
    finite = values if silent is None else values[~silent]
    _check_looks_like_db(finite, name, db)
    factor = {"power": 10.0, "amplitude": 20.0}.get(db)  # dB per decade; None for the natural log
    unit = "" if factor is None else " dB"
    peak = float(finite.max()) if finite.size else 0.0
    lowest = float(finite.min()) if finite.size else 0.0
    tolerance = 1e-3
    floors: list[tuple[Union[np.ndarray, float], str]] = []  # (the floor, an array for one peak per item; why)
    if top_db is not None:
        if peak_ndim is not None and values.ndim > peak_ndim and silent is None:  # a peak for each item
            items = values.reshape((-1,) + values.shape[values.ndim - peak_ndim :])
            item_peaks = items.max(axis=tuple(range(1, items.ndim)), keepdims=True)
            floors.append((np.broadcast_to(item_peaks - top_db, items.shape).reshape(values.shape),
                           f"top_db={top_db:g} below the peak of their item"))
        else:
            floors.append((peak - top_db, f"top_db={top_db:g} below the peak {peak:.1f} dB"))
    # librosa subtracts log10(max(amin, ref)): a ref below the amin it was given is raised to it
    reference = ref if amin is None else max(amin, ref)
    if amin is not None:
        floor = np.log(amin) - np.log(reference) if factor is None else factor * np.log10(amin) - factor * np.log10(reference)
        floors.append((floor, f"the amin={amin:g} floor"))
    for floor, why in floors:
        clipped = int(np.count_nonzero((values if np.ndim(floor) else finite) <= floor + tolerance))
        if clipped:
            where = "their item's floor" if np.ndim(floor) else f"{floor:.1f}{unit}"
            warnings.warn(
                f"{clipped} of {values.size} values of {name} ({100.0 * clipped / values.size:.1f} %) sit at "
                f"{where}, {why}: clipped values cannot come back - their true level was lower and "
                "they return at the floor (a noise floor at that level)",
                LossWarning,
                stacklevel=_caller_stacklevel(),
            )
    if factor is not None and not ref_given and finite.size and abs(peak) < 1e-6 and lowest < peak:
        warnings.warn(
            f"{name} peaks at exactly 0 dB: it looks made relative to its maximum (ref=np.max), which threw the absolute "
            "level away, and comes back with its peak at 1; to get the level back pass ref=... (the maximum the "
            "dB conversion divided by), else normalise the audio (ref=1.0 says the relative level is meant)",
            LossWarning,
            stacklevel=_caller_stacklevel(),
        )
    if factor is not None and top_db is None and abs(peak - lowest - 80.0) < tolerance:
        at_floor = int(np.count_nonzero(finite <= lowest + tolerance))
        if at_floor > 1:
            warnings.warn(
                f"{at_floor} values of {name} sit exactly 80 dB below the peak: they look clipped by "
                "librosa's default top_db=80; clipped values cannot come back (they return at the floor)",
                LossWarning,
                stacklevel=_caller_stacklevel(),
            )
    # in float64, a block at a time (no full-size float64 array for float32 values); the
    # largest is the peak's, checked first against dtype's range: float32 powers overflow
    # from about 385 dB
    with np.errstate(over="ignore"):  # inf is caught here, with advice
        exponent = np.exp(np.float64(peak)) if factor is None else np.power(10.0, np.float64(peak) / factor)
        largest = float(exponent * reference) if finite.size else 0.0
    if largest > float(np.finfo(dtype).max):
        way_out = (f"pass {name} as float64 ({name}.astype(np.float64))" if dtype == np.float32 else
                   "check ref and the dB values (no audio comes near this)")
        raise ValueError(
            f"{name} gives {'powers' if db == 'power' else 'amplitudes' if db == 'amplitude' else 'values'} up to {largest:.3g} "
            f"(peak {peak:.1f}{unit}, ref={ref:g}), "
            f"beyond {dtype}'s range: {way_out}"
        )
    del finite  # (a copy when there are silent values)
    order: Literal["C", "F"] = "F" if values.flags.f_contiguous and not values.flags.c_contiguous else "C"  # a transposed array: no copy, the same layout
    linear = np.empty(values.shape, dtype=dtype, order=order)
    flat_values, flat_linear = values.ravel(order), linear.ravel(order)
    work = np.empty(min(flat_values.size, _FROM_DB_BLOCK))
    for first in range(0, flat_values.size, _FROM_DB_BLOCK):
        last = min(first + _FROM_DB_BLOCK, flat_values.size)
        block = work[: last - first]
        block[...] = flat_values[first:last]  # float64 first: a float32 block divided by a Python float stays float32
        if factor is None:
            np.exp(block, out=block)
        else:
            block /= factor
            np.power(10.0, block, out=block)
        block *= reference
        flat_linear[first:last] = block
    if silent is not None:
        linear[silent] = 0
    return linear


# ---------------------------------------------------------------------- scipy.signal.spectrogram

_SCIPY_MODES = ("psd", "magnitude", "complex")
_SCIPY_SCALINGS = ("density", "spectrum")


def _transposed_hint(name: str, n_columns: Optional[int], expected_rows: int,
                     made_by: str = "scipy returns it with its default axis=-1") -> str:
    """The hint for an array whose columns, not its rows, have the count of frequency rows expected."""
    if n_columns is None or n_columns != expected_rows:
        return ""
    return (f"; its {n_columns} columns are that many: if {name} is (frames, bins), transpose it ({name}.T), since gl reads "
            f"(..., bins, frames), as {made_by}")


def _scipy_fft_size(
    n_rows: int, onesided: bool, fs: float, f, nfft, nperseg_known: Optional[int], stated: bool = False,
    n_columns: Optional[int] = None, name: str = "Sxx",
) -> int:
    """The FFT size: from ``nfft``, else ``f``, else the shape; each checked against the others.
    ``stated``: ``nperseg_known`` is what the caller said (``nperseg``, a window array), not
    what scipy's time axis shows; a padded FFT must then be said too. ``n_columns`` (the
    frames) only feeds the hints for an array given the other way round, (frames, bins); ``name``
    is the importer's word for that array."""
    candidates = (2 * (n_rows - 1), 2 * n_rows - 1) if onesided else (n_rows,)
    rows_for = (lambda n: n // 2 + 1) if onesided else (lambda n: n)
    if nfft is not None:
        nfft = _check_int("nfft", nfft, 2)
        if rows_for(nfft) != n_rows:
            raise ValueError(
                f"nfft={nfft} gives {rows_for(nfft)} frequency rows but the spectrogram has {n_rows} "
                f"(it implies nfft={' or '.join(str(c) for c in candidates)}){_transposed_hint(name, n_columns, rows_for(nfft))}"
            )
    if f is not None:
        f = np.asarray(f, dtype=np.float64)
        if not np.all(np.isfinite(f)):
            raise ValueError("f contains NaN or infinite values: pass the frequencies scipy returned")
        if f.ndim != 1 or f.shape[0] != n_rows:
            transposed = (f" (its {n_columns} columns have f's length: if it is (frames, bins), transpose it)"
                          if f.ndim == 1 and f.shape[0] == n_columns else "")
            raise ValueError(
                f"f has shape {f.shape}, but the spectrogram has {n_rows} frequency rows on axis -2: it must be "
                f"laid out (..., n_freq, n_frames){transposed}, as scipy returns it with its default axis=-1 (for another "
                "axis, np.moveaxis the frequency axis to -2 and the time axis to -1)"
            )
        if n_rows < 2 or not f[1] > 0:
            raise ValueError("f must start 0, fs/nfft, ... (the frequencies scipy returned)")
        from_f = int(round(fs / f[1]))
        if nfft is not None and from_f != nfft:
            raise ValueError(f"nfft={nfft} contradicts f, whose spacing {f[1]:g} Hz at fs={fs:g} means nfft={_shown(from_f)}")
        if from_f not in candidates:  # f was made at another rate: say which (fs forgotten, scipy's default 1, or wrong)
            rates = " or ".join(f"fs={f[1] * size:g} (nfft={size})" for size in candidates)
            raise ValueError(f"f implies nfft={_shown(from_f)} (spacing {f[1]:g} Hz at fs={fs:g}) but the spectrogram has {n_rows} "
                             f"rows: that spacing over {n_rows} rows means {rates}")
        expected = np.fft.rfftfreq(from_f, 1.0 / fs) if onesided else np.fft.fftfreq(from_f, 1.0 / fs)
        if not np.allclose(f, expected, rtol=1e-6, atol=1e-9 * fs):
            raise ValueError(f"f is not the frequency axis of nfft={from_f} at fs={fs:g}: check fs and return_onesided")
        nfft = from_f
    if nfft is None:
        if nperseg_known is not None and nperseg_known in candidates:
            nfft = nperseg_known  # scipy's default nfft = nperseg
        elif stated and nperseg_known is not None and nperseg_known < candidates[0]:  # scipy pads to nfft > nperseg only when told: say so, or fix nperseg
            raise ValueError(
                f"nperseg={nperseg_known} gives {rows_for(nperseg_known)} frequency rows with scipy's default nfft "
                f"(= nperseg), but the spectrogram has {n_rows}: pass nfft={' or '.join(str(c) for c in candidates)} "
                "if scipy was given it (zero-padding), else the nperseg scipy was given (or pass f, which says)"
                + _transposed_hint(name, n_columns, rows_for(nperseg_known))
            )
        else:
            nfft = candidates[0]
            # (129 columns: scipy's default nperseg, 256; a signal of 1 s at 16 kHz has fewer frames)
            if (nperseg_known is None and onesided and n_columns is not None
                    and (looks_transposed(n_rows, n_columns) or (n_columns == 129 != n_rows))):
                warnings.warn(
                    f"the spectrogram has {n_rows} rows (frequencies, implying nfft={nfft}) and {n_columns} columns (segments), "
                    f"and {n_columns} is the row count of nperseg={2 * (n_columns - 1)}: if it is (frames, bins), pass its "
                    "transpose; gl reads (..., bins, frames), as scipy returns it with its default axis=-1",
                    stacklevel=_caller_stacklevel(),
                )
    return nfft


#: The most channels an audio file holds (a WAV file's, :data:`gl.audio.FORMAT_LIMITS`).
_MOST_CHANNELS = FORMAT_LIMITS["WAV"][0]

#: The longest segment :func:`_refuse_framed_channels` takes for a signal's channels (64: 7th-order
#: Ambisonics, the larger microphone arrays), a quarter of scipy's default nperseg (256).
_FRAMED_CHANNELS = 64


def _refuse_framed_channels(shape: tuple, name: str, onesided: bool, fs: float, f, function: str) -> None:
    """scipy given a (samples, channels) signal, as soundfile reads a stereo file, frames its last
    axis, the channels: ``scipy.signal.spectrogram(x, fs)`` of 2 channels is ``Sxx`` of shape
    (samples, 2, 1), a segment of 2 samples (scipy shrinks nperseg to the axis, with a warning).
    Said so where the shape leaves no doubt: at most 3 frames (scipy's count for one segment,
    its boundary extension included) of a segment no longer than a channel count (64), after
    more entries on axis -3 than an audio file holds channels (1024)."""
    if len(shape) < 3 or shape[-1] > 3 or shape[-3] <= _MOST_CHANNELS:
        return
    rows = shape[-2]
    sizes = tuple(n for n in ((2 * (rows - 1), 2 * rows - 1) if onesided else (rows,)) if n >= 1)
    if not sizes or max(sizes) > _FRAMED_CHANNELS:
        return
    if f is not None:  # f says which (0 and fs / 2 for 2 samples, 0 and fs / 3 for 3)
        spacing = np.asarray(f, dtype=np.float64).ravel()
        if spacing.size >= 2 and np.isfinite(spacing[1]) and spacing[1] > 0 and round(fs / spacing[1]) in sizes:
            sizes = (round(fs / spacing[1]),)
    samples = " or ".join(str(n) for n in sizes) + (" sample" if sizes == (1,) else " samples")
    raise ValueError(f"{name} has shape {tuple(shape)}: scipy framed an axis of {samples}, the channels of a (samples, "
                     f"channels) signal as soundfile reads it; give scipy the channels first, {function}(x.T, fs, ...), "
                     "whose segments are of each channel's samples")


def scipy_axis(values, name: str, function: str) -> np.ndarray:
    """scipy's frequency axis ``f`` or time axis ``t`` (``name``) as float64, or a ValueError that
    names it and says what it must be: the numbers ``function`` (``scipy.signal.stft``) returned."""
    array = np.asarray(values)
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
    if array.dtype.kind == "O":  # numbers NumPy keeps as objects
        with contextlib.suppress(TypeError, ValueError):
            return array.astype(np.float64)
    if array.dtype.kind in "US":
        held = f"text ({str(array.ravel()[0])!r}{', ...' if array.size > 1 else ''})" if array.size else "text"
    else:
        held = f"values of dtype {array.dtype}"
    what = "frequency axis, in Hz" if name == "f" else "time axis, in seconds"
    result = "Sxx" if function.endswith("spectrogram") else "Zxx"
    raise ValueError(f"{name} holds {held}, not numbers: it must be scipy's numeric {what}, the {name} of "
                     f"f, t, {result} = {function}(x, fs, ...)")


def _scipy_times(t, n_frames: int, n_rows: int, name: str) -> np.ndarray:
    """scipy's time axis ``t`` as float64, checked: one finite time per frame of ``name``."""
    times = np.asarray(t, dtype=np.float64)
    if times.ndim != 1 or times.shape[0] != n_frames:
        transposed = (f" (and {n_rows} rows, t's length: if {name} is (frames, bins), transpose it, since gl reads "
                      "(..., bins, frames), as scipy returns it with its default axis=-1)"
                      if times.ndim == 1 and times.shape[0] == n_rows else "")
        raise ValueError(f"t has shape {times.shape}, but {name} has {n_frames} frames{transposed}")
    if not np.all(np.isfinite(times)):
        raise ValueError("t contains NaN or infinite values: pass the segment times scipy returned")
    return times


@underflow_is_a_value  # once per import: a narrow window's squares, a quiet Sxx's scaling: values, not errors
def from_scipy_spectrogram(
    Sxx,
    fs: float = 1.0,
    *,
    f=None,
    t=None,
    window: WindowSpec = ("tukey", 0.25),
    nperseg: Optional[int] = None,
    noverlap: Optional[int] = None,
    nfft: Optional[int] = None,
    detrend: Union[str, bool, None] = "constant",
    return_onesided: bool = True,
    scaling: str = "density",
    mode: str = "psd",
    length: Optional[int] = None,
    db: Optional[str] = None,
    ref: Optional[float] = None,
    top_db: Optional[float] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``f, t, Sxx = scipy.signal.spectrogram(x, fs, ...)``.

    Pass the same keywords you gave scipy (its defaults are the defaults here), and
    ``f``/``t`` when you have them: the geometry is then inferred and checked (FFT size
    ``round(fs / f[1])``, segment ``round(2 t[0] fs)``, hop ``round((t[1] - t[0]) fs)``).
    With ``s = 1 / (fs sum(w^2))`` ('density') or ``1 / sum(w)^2`` ('spectrum'):

    .. math:: |X_k| = \\sqrt{S_{xx} / (c_k s)} \\ (\\text{psd}), \\qquad
              |X_k| = S_{xx} / \\sqrt{s} \\ (\\text{magnitude}), \\qquad
              |X_k| = |S_{xx}| / \\sqrt{s} \\ (\\text{complex}),

    ``c_k = 2`` for one-sided bins other than DC and an even ``nfft``'s Nyquist. Frames
    are not centred: frame ``j`` is ``x[j*hop : j*hop + nperseg]``, zero-padded to
    ``nfft``; the signal after the last frame was never analysed and comes back as zeros.

    Parameters
    ----------
    Sxx : np.ndarray [shape=(..., n_freq, n_frames)]
        scipy's output (complex for ``mode='complex'``).
    fs : float
        Sample rate.
    f, t : np.ndarray, optional
        scipy's frequency and time axes, to infer and check the geometry.
    window, nperseg, noverlap, nfft, detrend, return_onesided, scaling, mode
        As given to scipy (a string window is periodic, an array is used as it is).
    length : int, optional
        The original signal's length; default ``nperseg + hop * (n_frames - 1)``.
    db, ref, top_db : optional
        If you plotted ``10 * np.log10(Sxx / ref)`` (``db='power'``, for 'psd') or
        ``20 * np.log10(Sxx / ref)`` (``db='amplitude'``, for 'magnitude'), pass that array
        and say so; see :func:`from_db`. ``ref`` or ``top_db`` without ``db`` is a
        ``ValueError``.

    Returns
    -------
    Spectrogram
        ``source='scipy'``, non-centred frames.

    Raises
    ------
    ValueError
        ``mode='angle'``/``'phase'`` (no magnitude), a parameter that contradicts ``f``,
        ``t`` or the shape, negative or non-finite values, or a geometry that breaks NOLA.

    Warns
    -----
    LossWarning
        When ``detrend`` was on (scipy's default): each frame's mean is gone.

    References
    ----------
    P. Welch, "The use of fast Fourier transform for the estimation of power spectra",
    IEEE Trans. Audio Electroacoustics 15(2), 1967 (the density scaling).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> Sxx = np.ones((129, 10))                  # what scipy gives for nperseg=256
    >>> spec = gl.importers.from_scipy_spectrogram(Sxx, 8000.0, detrend=False)
    >>> spec.geometry.n_fft, spec.geometry.hop_length, spec.length   # hop = 256 - 256 // 8
    (256, 224, 2272)
    """
    check_choice("mode", mode, _SCIPY_MODES)
    check_choice("scaling", scaling, _SCIPY_SCALINGS)
    if not (isinstance(detrend, (str, bool, int, float, np.bool_, np.number)) or detrend is None or callable(detrend)):
        raise TypeError(f"detrend={detrend!r} must be False, 'constant', 'linear' or a function, as scipy takes it")
    if mode in ("angle", "phase"):
        raise ValueError(
            f"mode={mode!r} holds only the phase of the STFT, not its magnitude: there is nothing for phase "
            "retrieval to work from; compute the spectrogram with mode='psd', 'magnitude' or 'complex'"
        )
    if mode not in _SCIPY_MODES:
        raise ValueError(f"mode={mode!r} is unknown; use one of {', '.join(_SCIPY_MODES)}")
    if scaling not in _SCIPY_SCALINGS:
        raise ValueError(f"scaling={scaling!r} is unknown; use 'density' or 'spectrum'")
    fs = _check_scipy_rate(fs)
    onesided = check_flag("return_onesided", return_onesided)
    f, t = (None if axis is None else scipy_axis(axis, name, "scipy.signal.spectrogram") for axis, name in ((f, "f"), (t, "t")))
    _refuse_framed_channels(np.shape(as_array("Sxx", Sxx)), "Sxx", onesided, fs, f, "scipy.signal.spectrogram")
    _check_db_keywords(db, ref=ref, top_db=top_db)
    if db is not None:
        if mode == "complex":
            raise ValueError("db is for real spectrograms; mode='complex' values have no dB form")
        Sxx = from_db(_with_two_bins(Sxx, "Sxx"), db=db, ref=ref, top_db=top_db, name="Sxx")
    Sxx = _spectrogram_array(Sxx, "Sxx", complex_ok=(mode == "complex"))
    n_rows, n_frames = Sxx.shape[-2], Sxx.shape[-1]

    # ---- the segment length, from what is known (nperseg, an array window, t)
    window_is_array = isinstance(window, (list, np.ndarray))
    nfft_given = nfft is not None
    known, known_from = None, None
    if nperseg is not None:
        known = _check_int("nperseg", nperseg, 1)
        if window_is_array and len(window) != known:
            raise ValueError(f"nperseg={known} contradicts the window array of {len(window)} samples")
        known_from = "nperseg"
    elif window_is_array:
        known, known_from = len(window), "the window array"
    times = None
    if t is not None:
        times = _scipy_times(t, n_frames, n_rows, "Sxx")
        from_t = int(round(2 * times[0] * fs))
        if known is not None and from_t != known:
            given = f"nperseg={known}" if nperseg is not None else f"the window array has {known} samples"
            raise ValueError(f"{given} but t[0]={times[0]:g} s means segments of {_shown(from_t)} samples")
        if known is None:
            known, known_from = from_t, f"t[0]={times[0]:g} s at fs={fs:g}"
    nfft = _scipy_fft_size(n_rows, onesided, fs, f, nfft, known, stated=known_from in ("nperseg", "the window array"),
                           n_columns=n_frames)
    if known is None:
        # scipy's default segment is 256 samples (fewer for a shorter signal), and its
        # default nfft is nperseg: a spectrogram made with nfft but no nperseg has
        # segments of 256; otherwise the rows tell the segment length
        known = min(256, nfft) if nfft_given else nfft
    nperseg = known
    if nperseg > nfft:
        source = "" if known_from in (None, "nperseg") else f" (from {known_from})"
        shrunk = (f"; if the signal was shorter than nperseg, scipy used its length as nperseg ({nfft} or {nfft + 1}; it "
                  f"warns 'nperseg = {nperseg} is greater than input length'): pass f and t, which tell which, or that nperseg"
                  if known_from == "nperseg" and n_frames == 1 else "")
        raise ValueError(
            f"nperseg={_shown(nperseg)}{source} must be <= nfft={nfft}, the FFT size the spectrogram's {n_rows} rows "
            f"on axis -2 imply{': check fs' if known_from and known_from.startswith('t[0]') else ''}{shrunk}; "
            "Sxx must be laid out (..., n_freq, n_frames), as scipy returns it with its default axis=-1"
            + (f" (its {n_frames} columns are the rows nperseg={nperseg} gives: if Sxx is (frames, bins), transpose it (Sxx.T))"
               if n_frames == (nperseg // 2 + 1 if onesided else nperseg) else "")
        )

    # ---- the hop
    if noverlap is not None:
        noverlap = _check_int("noverlap", noverlap, 0)
        if noverlap >= nperseg:
            raise ValueError(f"noverlap={noverlap} must be < nperseg={nperseg}")
        hop = nperseg - noverlap
        if times is not None and n_frames >= 2 and int(round((times[1] - times[0]) * fs)) != hop:
            raise ValueError(
                f"noverlap={noverlap} gives a hop of {hop} samples but t steps by {(times[1] - times[0]) * fs:g} samples"
            )
    elif times is not None and n_frames >= 2:
        hop = int(round((times[1] - times[0]) * fs))
        if not 1 <= hop <= nperseg:
            raise ValueError(f"t steps by {_shown(hop)} samples, which is not a hop for segments of {nperseg} samples")
        noverlap = nperseg - hop
    else:
        noverlap = nperseg // 8
        hop = nperseg - noverlap
    if times is not None:
        expected = (nperseg / 2 + hop * np.arange(n_frames)) / fs
        if not np.allclose(times, expected, rtol=1e-9, atol=1e-6 / fs):
            raise ValueError(f"t does not match segments of nperseg={nperseg} samples every {hop} samples at fs={fs:g}")

    # ---- the window and the scaling
    w = _window_samples(window, nperseg)
    if scaling == "density":
        scale = 1.0 / (fs * np.sum(w**2))
    else:
        scale = 1.0 / np.sum(w) ** 2
    dtype = real_dtype(Sxx)
    values = Sxx if onesided else _one_sided_rows(Sxx, nfft, "Sxx")
    if mode == "psd":
        _non_negative(values, "Sxx", from_db=db is not None)
        doubled = np.full(nfft // 2 + 1, 2.0)  # c_k
        doubled[0] = 1.0
        if nfft % 2 == 0:
            doubled[-1] = 1.0
        if not onesided:
            doubled[:] = 1.0
        with np.errstate(over="ignore"):
            magnitude = np.sqrt(values.astype(dtype) / (doubled * scale).astype(dtype)[:, None])
        if not np.all(np.isfinite(magnitude)):  # Sxx / (c_k s) beyond dtype's range, its square root within
            magnitude = (np.sqrt(values.astype(np.float64)) / np.sqrt(doubled * scale)[:, None]).astype(dtype)
    else:
        if mode == "magnitude":
            _non_negative(values, "Sxx", from_db=db is not None)
        with np.errstate(over="ignore"):
            magnitude = (values if mode == "magnitude" else np.abs(values)).astype(dtype) / dtype.type(np.sqrt(scale))
        if not np.all(np.isfinite(magnitude)):
            raise ValueError(
                f"|X| = |Sxx| / sqrt(s) reaches {float(np.max(np.abs(values))) / np.sqrt(scale):.3g}, beyond {dtype}'s "
                f"range (scaling={scaling!r}, s={scale:.3g}): pass Sxx as float64 (Sxx.astype(np.float64))"
            )

    valid = detrend in ("constant", "linear") if isinstance(detrend, str) else detrend in (False, None) or callable(detrend)
    if not valid:
        raise ValueError(f"detrend={detrend!r} must be False, 'constant', 'linear' or a function, as scipy takes it")
    if detrend not in (False, None):
        what = "its mean" if detrend == "constant" else ("its mean and slope" if detrend == "linear" else "a trend")
        warnings.warn(
            f"detrend={detrend!r}: scipy removed {what} from every segment before the FFT, so the DC bin is "
            f"about 0 and the lowest bins (below about {2 * fs / nperseg:.3g} Hz) are distorted; the signal's "
            "offset and its slowest variations cannot come back (pass detrend=False if Sxx was made without it)",
            LossWarning,
            stacklevel=_caller_stacklevel(),
        )

    if nfft == nperseg:
        geometry = STFT(n_fft=nfft, hop_length=hop, center=False, **_window_keywords(window, w))
    else:  # the segment is zero-padded after the window: a window array of nfft samples
        geometry = STFT(n_fft=nfft, hop_length=hop, win_length=nfft, window=_padded_window(w, nfft), center=False)
    _check_nola(geometry, "noverlap", noverlap)
    natural = nperseg + hop * (n_frames - 1)
    length = _check_length(length, n_frames, lambda n: (n - nperseg) // hop + 1, f"nperseg={nperseg}, hop={hop}")
    return Spectrogram(magnitude, geometry, sample_rate=fs, length=natural if length is None else length, source="scipy")


# ---------------------------------------------------------------------- scipy.signal.stft

#: scipy's boundary extensions and the centre padding of gl that matches them.
_SCIPY_BOUNDARIES: dict[Optional[str], Optional[PadMode]] = {"zeros": "constant", "even": "reflect", "constant": "edge", "odd": None, None: None}


@underflow_is_a_value  # once per import: a quiet Zxx times the window's gain: values, not errors
def from_scipy_stft(
    Zxx,
    fs: float = 1.0,
    *,
    f=None,
    t=None,
    window: WindowSpec = "hann",
    nperseg: Optional[int] = None,
    noverlap: Optional[int] = None,
    nfft: Optional[int] = None,
    boundary: Optional[str] = "zeros",
    padded: bool = True,
    scaling: str = "spectrum",
    return_onesided: bool = True,
    length: Optional[int] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``f, t, Zxx = scipy.signal.stft(x, fs, ...)``.

    ``Zxx`` may be complex or already ``np.abs(Zxx)``. scipy divides the STFT by
    ``sum(w)`` (``scaling='spectrum'``) or ``sqrt(fs sum(w^2))`` ('psd') and never doubles:

    .. math:: |X| = |Z| \\sum_n w[n] \\quad\\text{or}\\quad |X| = |Z| \\sqrt{f_s \\sum_n w[n]^2}.

    With ``boundary`` the signal was extended by ``nperseg // 2`` samples each side
    (zeros, even = reflect, constant = edge, odd); ``padded`` added zeros at the end.
    When ``nfft == nperseg`` and the extension is zeros (scipy's default), or even or
    constant with ``length`` given and ``padded=False``, the geometry is centred with the
    matching padding, which phase retrieval then keeps consistent. Otherwise the extension
    depends on where the signal ended, or zeros follow it, and no centred framing holds
    it: the frames are not centred, the extended signal is retrieved as a free signal,
    and :attr:`~gl.Spectrogram.offset` and :attr:`~gl.Spectrogram.tail` cut the
    extension off.

    Parameters
    ----------
    Zxx : np.ndarray [shape=(..., n_freq, n_frames)]
        scipy's STFT, complex, or its magnitude ``np.abs(Zxx)``.
    fs : float
        Sample rate, as given to ``scipy.signal.stft``.
    f, t : np.ndarray, optional
        scipy's frequency and time axes, to infer and check the geometry, as
        :func:`from_scipy_spectrogram` does: FFT size ``round(fs / f[1])`` (and
        ``nperseg``, scipy's default ``nfft`` being ``nperseg``), hop
        ``round((t[1] - t[0]) fs)``; ``t`` starts at 0 with ``boundary``, at
        ``nperseg / (2 fs)`` without it (which then says ``nperseg``). With a boundary
        and no ``nperseg``, ``nperseg`` is taken to be the ``nfft`` of ``f``; a warning
        says so when a complex ``Zxx``'s segments end in zeros (scipy zero-padded
        shorter segments to ``nfft``: pass ``nperseg`` and ``nfft``); a magnitude
        cannot tell, so pass ``nperseg`` if scipy was given one below ``nfft``.
    window, nperseg, noverlap, nfft, boundary, padded, scaling, return_onesided
        As given to ``scipy.signal.stft`` (same defaults: ``nperseg`` 256, unless ``f``,
        ``t`` or an array ``window`` say it).
    length : int, optional
        Length of the original signal; default the length ``scipy.signal.istft`` returns.

    Returns
    -------
    Spectrogram
        ``source='scipy-stft'``.

    References
    ----------
    D. Griffin and J. Lim, IEEE Trans. ASSP 32(2), 1984.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> spec = gl.importers.from_scipy_stft(np.ones((129, 33)), 8000.0)
    >>> spec.geometry.center, spec.geometry.hop_length, spec.output_length
    (True, 128, 4096)
    """
    check_choice("scaling", scaling, ("spectrum", "psd"))
    if scaling not in ("spectrum", "psd"):
        raise ValueError(f"scaling={scaling!r} is unknown; use 'spectrum' or 'psd'")
    padded, return_onesided = check_flag("padded", padded), check_flag("return_onesided", return_onesided)
    if not (boundary is None or isinstance(boundary, str)):  # a list was 'unhashable type', naming nothing
        raise TypeError(f"boundary={boundary!r} must be 'zeros', 'even', 'odd', 'constant' or None")
    if boundary not in _SCIPY_BOUNDARIES:
        raise ValueError(f"boundary={boundary!r} is unknown; use 'zeros', 'even', 'odd', 'constant' or None")
    fs = _check_scipy_rate(fs)
    f, t = (None if axis is None else scipy_axis(axis, name, "scipy.signal.stft") for axis, name in ((f, "f"), (t, "t")))
    _refuse_framed_channels(np.shape(as_array("Zxx", Zxx)), "Zxx", return_onesided, fs, f, "scipy.signal.stft")
    if isinstance(window, (list, np.ndarray)) and (nperseg is None or (nperseg == 256 and len(window) != 256)):
        nperseg = len(window)  # scipy takes nperseg from an array window
    stated = nperseg is not None
    times = None
    checked = f is not None or t is not None  # Zxx checked before its axes are read, else after the keywords
    if checked:  # scipy's axes say the geometry: nfft (and so nperseg) from f, the hop from t
        if stated:
            nperseg = _check_int("nperseg", nperseg, 2)
        Zxx = _spectrogram_array(Zxx, "Zxx", complex_ok=True)
        n_rows, n_frames = Zxx.shape[-2], Zxx.shape[-1]
        nfft_given = nfft is not None
        if f is not None:
            nfft = _scipy_fft_size(n_rows, return_onesided, fs, f, nfft, nperseg, stated=stated, n_columns=n_frames, name="Zxx")
            if nperseg is not None and not nfft_given and nfft < nperseg:  # (stated) scipy pads a segment to nfft, never shortens it
                raise ValueError(f"f implies nfft={nfft}, shorter than nperseg={nperseg}: scipy pads a segment to nfft, never "
                                 f"shortens it; pass the nperseg scipy was given ({nfft}, with scipy's default nfft)")
            if stated and not nfft_given and nfft != nperseg:  # t starts at 0 whatever nperseg: only f tells
                raise ValueError(f"f implies nfft={nfft}, but nperseg={nperseg} alone means nfft={nperseg} (scipy's default): "
                                 f"pass nfft={nfft} too if scipy zero-padded the segments, else the nperseg scipy was given")
        if t is not None:
            times = _scipy_times(t, n_frames, n_rows, "Zxx")
            if not stated and boundary is None:  # without the extension, the first segment is centred on nperseg / 2
                nperseg = int(round(2 * times[0] * fs))
                if nperseg < 2:
                    raise ValueError(f"t[0]={times[0]:g} s means segments of {nperseg} samples with boundary=None; a t that "
                                     "starts at 0 was made with a boundary (scipy's default, 'zeros'): pass the boundary scipy "
                                     "was given")
                stated = True
        if not stated and f is not None and not nfft_given:
            assert nfft is not None  # f said it
            nperseg = nfft  # scipy's default nfft is nperseg
            _warn_if_segments_padded(Zxx, nfft, return_onesided)
        if noverlap is None and times is not None and n_frames >= 2:
            from_t = int(round((times[1] - times[0]) * fs))
            segment = 256 if nperseg is None else nperseg
            if not 1 <= from_t <= segment:
                raise ValueError(f"t steps by {_shown(from_t)} samples, which is not a hop for segments of {segment} samples")
            noverlap = segment - from_t
    nperseg = _check_int("nperseg", 256 if nperseg is None else nperseg, 2)
    noverlap = nperseg // 2 if noverlap is None else _check_int("noverlap", noverlap, 0)
    if noverlap >= nperseg:
        raise ValueError(f"noverlap={noverlap} must be < nperseg={nperseg}")
    nfft = nperseg if nfft is None else _check_int("nfft", nfft, 2)
    if nfft < nperseg:
        raise ValueError(f"nfft={nfft} must be >= nperseg={nperseg}")
    hop = nperseg - noverlap
    if not checked:
        Zxx = _spectrogram_array(Zxx, "Zxx", complex_ok=True)
    n_rows, n_frames = Zxx.shape[-2], Zxx.shape[-1]
    if times is not None:
        start = 0.0 if boundary is not None else nperseg / 2
        if n_frames >= 2 and int(round((times[1] - times[0]) * fs)) != hop:
            raise ValueError(f"noverlap={noverlap} gives a hop of {hop} samples but t steps by {(times[1] - times[0]) * fs:g} samples")
        if not np.allclose(times, (start + hop * np.arange(n_frames)) / fs, rtol=1e-9, atol=1e-6 / fs):
            other = nperseg / 2 if boundary is not None else 0.0  # t as the other boundary makes it
            hint = ""
            if np.allclose(times, (other + hop * np.arange(n_frames)) / fs, rtol=1e-9, atol=1e-6 / fs):
                hint = (": t starts at 0 with a boundary (scipy's default, 'zeros'), at nperseg / (2 fs) without: pass "
                        + ("boundary=None" if boundary is not None else "the boundary scipy was given"))
            raise ValueError(f"t does not match segments of nperseg={nperseg} samples every {hop} samples at fs={fs:g} with "
                             f"boundary={boundary!r}{hint}")
    expected_rows = nfft // 2 + 1 if return_onesided else nfft
    if n_rows != expected_rows:
        sizes = (2 * (n_rows - 1), 2 * n_rows - 1) if return_onesided else (n_rows,)
        implied = " or ".join(str(n) for n in sizes)
        # scipy.signal.stft uses a signal shorter than nperseg as one segment, with a warning: 3 frames
        # with its boundary extension of nperseg // 2 each side, 1 without
        shrunk = (f"; if the signal was shorter than nperseg, scipy used its length as nperseg ({implied}; it warns "
                  f"'nperseg = {nperseg} is greater than input length'): pass that nperseg"
                  if max(sizes) < nperseg and nfft == nperseg and n_frames <= (1 if boundary is None else 3) else "")
        raise ValueError(
            f"nfft={nfft} gives {expected_rows} frequency rows but Zxx has {n_rows}, which implies an FFT of {implied}: "
            f"pass the nperseg scipy was given (here nperseg={nperseg}), "
            f"and nfft too if scipy zero-padded the segments{shrunk}{_transposed_hint('Zxx', n_frames, expected_rows)}"
        )
    values = _non_negative(Zxx, "Zxx") if return_onesided else _one_sided_rows(Zxx, nfft, "Zxx")
    w = _window_samples(window, nperseg)
    gain = np.sum(w) if scaling == "spectrum" else np.sqrt(fs * np.sum(w**2))
    dtype = real_dtype(Zxx)
    magnitude = np.abs(values).astype(dtype) * dtype.type(gain)

    extension = nperseg // 2 if boundary is not None else 0
    pad_mode = _SCIPY_BOUNDARIES[boundary]
    # gl's centred frames hold scipy's zero extension whatever the signal's length. An even
    # (reflect) or constant (edge) extension depends on where the signal ends, and padded's
    # zeros follow it: unless the length is known and nothing was padded, the extended signal
    # is retrieved as a free signal over the whole grid, frames not centred (no padding rule
    # to break), and offset and tail cut the extension off
    centred = nfft == nperseg and (pad_mode == "constant" or (pad_mode is not None and not padded and length is not None))
    if centred:
        assert pad_mode is not None  # centred needs one: boundary='odd' and None have none
        geometry = STFT(n_fft=nfft, hop_length=hop, center=True, pad_mode=pad_mode, **_window_keywords(window, w))
        offset = 0
    else:
        geometry = STFT(n_fft=nfft, hop_length=hop, win_length=nfft, window=_padded_window(w, nfft), center=False)
        offset = extension
    _check_nola(geometry, "noverlap", noverlap)

    def frames_of(n_samples: int) -> int:  # scipy's count, boundary and padding included
        extended = n_samples + 2 * extension
        if padded:
            extended += (-(extended - nperseg) % hop) % nperseg
        return (extended - nperseg) // hop + 1

    length = _check_length(length, n_frames, frames_of, f"nperseg={nperseg}, hop={hop}, boundary={boundary!r}")
    natural = nperseg + hop * (n_frames - 1) - 2 * extension  # the length scipy.signal.istft returns
    if natural < 1:
        raise ValueError(f"Zxx has too few frames ({n_frames}) for nperseg={nperseg} with boundary={boundary!r}")
    # without length the signal may be up to a hop longer than natural, and the frames saw that
    # tail: the length stays unknown (invert then runs on every sample the frames see) and the
    # output is natural samples long
    tail = geometry.default_length(n_frames) - offset - natural
    return Spectrogram(magnitude, geometry, sample_rate=fs, length=length, source="scipy-stft", offset=offset, tail=tail)


def _padding_of_frames(Zxx: np.ndarray, nfft: int, onesided: bool) -> int:
    """How many zeros end the segments a complex ``Zxx`` transforms back to (up to 256 of its
    frames, spread over it): scipy's zero-padding of segments of ``nperseg`` samples to ``nfft``
    (0 when the segments fill the FFT). The near-zero samples that start a segment (a periodic
    window's, hann's w[0] = 0 and its neighbours, which end it as well, one fewer) are the window's,
    not padding."""
    frames = Zxx.reshape(-1, *Zxx.shape[-2:])
    frames = frames[..., np.unique(np.linspace(0, frames.shape[-1] - 1, min(frames.shape[-1], 256)).round().astype(int))]
    segments = np.fft.irfft(frames, n=nfft, axis=-2) if onesided else np.fft.ifft(frames, n=nfft, axis=-2)
    energy = np.sum(np.abs(segments) ** 2, axis=(0, 2))
    peak = float(np.max(energy))
    if not (math.isfinite(peak) and peak > 0):
        return 0
    small = energy <= peak * (100 * np.finfo(real_dtype(Zxx)).eps) ** 2
    head = int(np.argmin(small)) if not small.all() else nfft
    tail = int(np.argmin(small[::-1])) if not small.all() else nfft
    return max(0, tail - max(head - 1, 0))


def _warn_if_segments_padded(Zxx, nfft: int, onesided: bool) -> None:
    """scipy.signal.stft's ``f`` says nfft, and with a boundary ``t`` starts at 0 whatever nperseg: with
    nothing else to say nperseg, it is taken to be nfft (scipy's default). A complex ``Zxx`` tells
    (its segments end in zeros when scipy zero-padded them): warn when they do. A magnitude cannot
    tell, and gets no warning: one would come with every file made with scipy's defaults, where
    nperseg is nfft and the reading is right. Shorter segments zero-padded to nfft and read as
    segments of nfft come back wrong (a wrong window: -15 dB spectral convergence where the right
    reading gives -40, and the level off by 1 dB)."""
    Zxx = np.asarray(Zxx)
    if np.iscomplexobj(Zxx) and Zxx.size:
        padding = _padding_of_frames(Zxx, nfft, onesided)
        if padding <= 2:  # (a window's near-zero ends, told apart from zeros to rounding: complex64's may differ by one)
            return
        about = "about " if np.finfo(real_dtype(Zxx)).eps > 1e-10 else ""
        warnings.warn(
            f"the segments of Zxx end in {about}{padding} zeros: scipy zero-padded segments of {about}{nfft - padding} samples to "
            f"nfft={nfft}, but nothing given says nperseg (f says nfft; with a boundary, t starts at 0 whatever nperseg), "
            f"so they are read as segments of {nfft} samples and the signal comes back wrong: pass nperseg={nfft - padding} "
            f"and nfft={nfft}",
            UserWarning, stacklevel=_caller_stacklevel(),
        )


# ---------------------------------------------------------------------- scipy.signal.ShortTimeFFT

_FFT_MODES = ("onesided", "onesided2X", "twosided", "centered")


def _shorttimefft_first_slice(window: np.ndarray, hop: int) -> int:
    """``ShortTimeFFT.p_min``: the first slice whose window still touches sample 0 (scipy's loop)."""
    squared = window**2
    m_num = window.shape[0]
    start = -(m_num // 2)
    for p, n in enumerate(range(start, start - m_num - 1, -hop)):
        following = n - hop
        if following + m_num <= 0 or np.all(squared[following:] == 0):
            return -p
    raise AssertionError("unreachable")  # pragma: no cover


def _shorttimefft_slices(window: np.ndarray, hop: int, first: int, length: int) -> int:
    """``ShortTimeFFT.p_max(length) - first``: the slices ``stft`` gives for ``length`` samples (scipy's loop)."""
    squared = window**2
    m_num = window.shape[0]
    q1 = length // hop
    for q, start in enumerate(range(q1 * hop - m_num // 2, length + m_num, hop), start=q1):
        following = start + hop
        if following >= length or np.all(squared[: length - following] == 0):
            return q + 1 - first
    raise AssertionError("unreachable")  # pragma: no cover


def _whole_number(name: str, value, what: str) -> int:
    """An integer, or a float that is one (``-3.0``, as ``-P name=`` of the command line may give)."""
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating))
            or not np.isfinite(value) or float(value) != int(value)):
        raise TypeError(f"{name}={value!r} must be a whole number ({what})" + (" or None" if name == "p_min" else ""))
    return int(value)


@underflow_is_a_value  # once per import: a narrow window's squares: values, not errors
def from_shorttimefft(
    S,
    *,
    win,
    hop: int,
    fs: float,
    fft_mode: str = "onesided",
    mfft: Optional[int] = None,
    scale_to: Optional[str] = None,
    phase_shift: Optional[int] = 0,
    power: float = 2.0,
    p_min: Optional[int] = None,
    k_offset: int = 0,
    length: Optional[int] = None,
    db: Optional[str] = None,
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``scipy.signal.ShortTimeFFT(win, hop, fs, ...)``.

    ``S`` is ``SFT.stft(x)`` (complex: ``power`` is ignored) or ``SFT.spectrogram(x)``
    (``|S|^2``: ``power=2``, the default for real input). Slice ``p`` is centred on
    time sample ``p * hop`` (``win`` from ``p * hop - len(win) // 2``; time 0 is
    ``x[k_offset]``), slices start at ``p_min`` (scipy's default unless you passed
    ``p0``). Outside the signal the slices
    see scipy's ``padding`` (zeros, the edge values, or the signal reflected: 'even',
    'odd'): those samples are part of the slice grid gl rebuilds and then cuts off, so
    every ``padding`` imports alike (re-analysing the result with 'edge', 'even' or 'odd'
    differs at the first and last slices: scipy extends the result's edges, not the
    rebuilt extension). Scaling: ``fac = 1`` (``scale_to=None``), ``1 / sum(w)`` ('magnitude'),
    ``1 / sqrt(fs sum(w^2))`` ('psd'); 'onesided2X' multiplies the bins other than DC and
    Nyquist by 2 ('magnitude') or ``sqrt(2)`` ('psd'):

    .. math:: |X_k| = |S_k| / (\\mathrm{fac}\\ d_k).

    ``phase_shift`` only changes the phase, so it does not matter here.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_slices)]
        ``SFT.stft(x)`` (complex) or ``SFT.spectrogram(x)`` (``|S|^2``), see above.
    win : np.ndarray
        The window array given to ``ShortTimeFFT`` (real), or ``SFT.win``, which
        ``from_window`` and ``from_dual`` compute (scaled by ``scale_to``, also when called
        after construction: pass the same ``scale_to``, whose factor on it is 1).
    hop : int
        The ``hop`` given to ``ShortTimeFFT`` (``SFT.hop``: ``nperseg - noverlap`` of
        ``from_window``).
    fs : float
        The ``fs`` (sample rate) given to ``ShortTimeFFT``.
    fft_mode, mfft, scale_to, phase_shift
        As given to ``ShortTimeFFT``.
    power : float
        Exponent of real ``S`` (2 for ``spectrogram()``, 1 for ``abs(stft())``).
    p_min : int, optional
        Index of the first slice in ``S`` (``p0`` of ``stft``); default ``SFT.p_min``.
    k_offset : int
        As given to ``stft``: the index in ``x`` of time 0, where slice 0 is centred.
        ``x`` starts ``len(win) // 2 - p_min * hop - k_offset`` samples into the slice
        grid (:attr:`gl.Spectrogram.offset`); the number of slices does not depend on it.
        Where that is negative (a ``p0`` or ``k_offset`` that starts the slices after
        ``x[0]``), the samples before the first slice come back as zeros, with a
        :class:`LossWarning`. scipy takes any ``k_offset``: slices wholly before ``x[0]``
        or wholly after its end are made of its padding alone (past the end zeros: its
        other paddings refuse to extend nothing). Those before
        ``x[0]`` are a ``ValueError`` naming ``p_min`` and ``k_offset``; those after the
        end are one only with ``length``, which says where the end is: ``S`` does not
        (``stft``'s default ``p1``, ``p_max(len(x))``, does not follow ``k_offset``, and a
        ``p1`` given may stop anywhere), and without ``length`` the slices are taken as
        part of a signal long enough to hold them (the warning asks for ``length`` when
        ``S`` is all zeros).
    length : int, optional
        Samples of the original signal; default: up to the end of the last slice. With
        the default ``p_min`` it must give ``S``'s number of slices (``p_max(length) -
        p_min``); with ``p_min`` given, slices that stop before ``p_max(length)`` (``stft``'s
        ``p1``) are taken if they reach sample ``length``. Slices that start at or after
        sample ``length`` are a ``ValueError``.
    db, ref, amin, top_db : optional
        If ``S`` is in dB (``10 log10`` of ``spectrogram()``: ``db='power'``; ``20 log10``
        of ``abs(stft())``: ``db='amplitude'``), as in :func:`from_db`; ``db='ln'`` for
        a natural log of ``|S|**power`` (``power=1`` for the log of ``abs(stft())``).
        ``ref``, ``amin`` or ``top_db`` without ``db`` is a ``ValueError``.

    Returns
    -------
    Spectrogram
        ``source='shorttimefft'``.

    References
    ----------
    scipy.signal.ShortTimeFFT, SciPy 1.12 documentation (the slice and scaling conventions).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> w = np.hanning(64)
    >>> spec = gl.importers.from_shorttimefft(np.ones((33, 70)), win=w, hop=16, fs=8000.0)
    >>> spec.offset, spec.geometry.center          # slice p_min = -1 starts 48 samples early
    (48, False)
    """
    check_choice("fft_mode", fft_mode, _FFT_MODES)
    check_choice("scale_to", scale_to, ("magnitude", "psd"), none=True)
    if fft_mode not in _FFT_MODES:
        raise ValueError(f"fft_mode={fft_mode!r} is unknown; use one of {', '.join(_FFT_MODES)}")
    if scale_to not in (None, "magnitude", "psd"):
        raise ValueError(f"scale_to={scale_to!r} must be None, 'magnitude' or 'psd'")
    if fft_mode == "onesided2X" and scale_to is None:
        raise ValueError("fft_mode='onesided2X' needs scale_to='magnitude' or 'psd' (as in ShortTimeFFT)")
    if phase_shift is not None and (isinstance(phase_shift, bool) or not isinstance(phase_shift, (int, np.integer))):
        raise TypeError(f"phase_shift={phase_shift!r} must be an integer or None (as in ShortTimeFFT)")  # unused, but not anything
    fs = _check_rate("fs", fs)
    hop = _check_int("hop", hop, 1)
    win = as_array("win", win)
    if win.dtype.kind == "c":
        raise ValueError("win is complex: gl rebuilds real signals with real windows only")
    if win.dtype == bool or win.dtype.kind not in "fiu":  # as gl.STFT's window array (bool was taken as 0 and 1)
        raise TypeError(f"win must be a real-valued window array, got dtype {win.dtype}")
    if win.ndim != 1 or win.shape[0] < 2:
        raise ValueError(f"win must be a 1-D window array of at least 2 samples, got shape {win.shape}")
    if not np.all(np.isfinite(win)):
        raise ValueError("win contains NaN or infinite values")
    win = win.astype(np.float64)
    m_num = win.shape[0]
    mfft = m_num if mfft is None else _check_int("mfft", mfft, 2)
    if mfft < m_num:
        raise ValueError(f"mfft={mfft} must be >= len(win)={m_num}")
    if hop > m_num:
        raise ValueError(f"hop={hop} must be <= len(win)={m_num}: a larger hop skips samples")
    power = _check_power(power)
    _check_db_keywords(db, ref=ref, amin=amin, top_db=top_db)
    if db is not None:
        S = from_db(_with_two_bins(S, "S"), db=db, ref=ref, amin=amin, top_db=top_db, name="S")
    S = _spectrogram_array(S, "S", complex_ok=True)
    n_rows, n_frames = S.shape[-2], S.shape[-1]
    expected_rows = mfft // 2 + 1 if fft_mode in ("onesided", "onesided2X") else mfft
    if n_rows != expected_rows:
        implied = implied_sizes(n_rows, "mfft") if fft_mode in ("onesided", "onesided2X") else f"mfft={n_rows}"
        raise ValueError(f"mfft={mfft} with fft_mode={fft_mode!r} gives {expected_rows} frequency rows but S has {n_rows}, "
                         f"which implies {implied}"
                         + _transposed_hint("S", n_frames, expected_rows, made_by="ShortTimeFFT.stft returns it"))
    if fft_mode in ("twosided", "centered"):
        S = _one_sided_rows(S, mfft, "S", centered=(fft_mode == "centered"))
    magnitude = _magnitude_from(S, power, "S", from_db=db is not None)
    factor = 1.0
    if scale_to == "magnitude":
        factor = 1.0 / np.sum(win)
    elif scale_to == "psd":
        factor = 1.0 / np.sqrt(fs * np.sum(win**2))
    per_bin = np.full(mfft // 2 + 1, factor)  # fac d_k
    if fft_mode == "onesided2X":
        interior = slice(1, None) if mfft % 2 else slice(1, -1)
        per_bin[interior] *= 2.0 if scale_to == "magnitude" else np.sqrt(2.0)
    magnitude /= per_bin.astype(magnitude.dtype)[:, None]

    # scipy counts its slices on the window as scale_to left it (win * fac): squares of its
    # tails that underflow to 0 there end the count earlier than on the unscaled window
    counted = win * factor if scale_to is not None else win
    if p_min is not None:
        p_min = _whole_number("p_min", p_min, "the index of the first slice")
    k_offset = _whole_number("k_offset", k_offset, "the index in x of time 0")
    first = _shorttimefft_first_slice(counted, hop) if p_min is None else p_min
    offset = m_num // 2 - first * hop - k_offset  # grid samples before signal sample 0
    slice_said = f"p_min={first}" if p_min is not None else f"slice {first} (scipy's default p_min)"
    # the first and the end of the samples of x the slices' windows (without their zeros) see
    nonzero = np.flatnonzero(win)
    if not nonzero.size:
        raise ValueError("win is all zeros")  # (gl.STFT's words)
    first_seen = first * hop - m_num // 2 + int(nonzero[0]) + k_offset
    last_end = (first + n_frames - 1) * hop - m_num // 2 + int(nonzero[-1]) + 1 + k_offset
    # Slices that see none of x: scipy computes them on either side, of its padding alone (past
    # the end zeros: np.pad's other modes refuse an empty part of x). Before x[0] they hold
    # nothing of any signal, whatever its length: refused. After its end only `length` can tell:
    # S's slice count does not give len(x), for stft's default p1 (p_max(len(x))) does not follow
    # k_offset and a p1 given may stop anywhere, so stft(x, p1=10, k_offset=5000) of a long x
    # starts its slices at x[4952] as validly as k_offset=5000 of a short x starts them past its
    # end. Without length they are taken as part of a signal that reaches them, and the warning
    # below asks for length when S is all zeros.
    if last_end < 1:
        raise ValueError(f"the {n_frames} slices of S from {slice_said} with k_offset={k_offset} end at sample {last_end}, "
                         "before the signal's first: scipy made them of its padding alone and they hold nothing of the "
                         "signal; check p_min and k_offset (stft's p0 and k_offset)")
    if length is not None:
        length = _check_int("length", length, m_num - m_num // 2)  # scipy's own minimum, ceil(len(win) / 2)
        if first_seen >= length:
            raise ValueError(f"the {n_frames} slices of S from {slice_said} with k_offset={k_offset} start at sample "
                             f"{first_seen}, after the end of the signal (length={length}): they hold nothing of it; check "
                             "p_min, k_offset (stft's p0 and k_offset) and length")
    if offset < 0:  # the Spectrogram's negative offset: those samples come back as zeros
        # (all zeros, as scipy makes slices past the end: said so where length cannot tell, see above)
        unchecked = ("" if length is not None or np.any(magnitude) else
                     f"; S is all zeros, as scipy makes slices past the end of the signal: if it has at most {first_seen} "
                     "samples, they hold nothing of it (give length, the signal's length, to check p_min and k_offset)")
        warnings.warn(f"{slice_said} with k_offset={k_offset}: the first slice starts at sample {-offset} of the signal; "
                      f"no slice saw the {-offset} samples before it, which come back as zeros{unchecked}", LossWarning,
                      stacklevel=_caller_stacklevel())
    if mfft == m_num:
        geometry = STFT(n_fft=mfft, hop_length=hop, center=False, **_window_keywords(win, win))
    else:
        geometry = STFT(n_fft=mfft, hop_length=hop, win_length=mfft, window=_padded_window(win, mfft), center=False)
    _check_nola(geometry, "hop", hop)
    if length is not None:
        slices = _shorttimefft_slices(counted, hop, first, length)  # scipy's p_max(length) - p0
        given = f"length={length} gives {slices} slices with hop={hop} and len(win)={m_num}"
        if n_frames > slices:  # stft refuses p1 > p_max(length)
            raise ValueError(f"{given}" + (f" from p_min={first}" if p_min is not None else "") + f", but S has {n_frames}: "
                             "check length" + (" and p_min" if p_min is not None else ""))
        if n_frames < slices and p_min is None:  # the default p0 and p1: a wrong length (strict), or p1 was given
            raise ValueError(f"{given}, but S has {n_frames}: check length; if S was made with stft(x, p1={first + n_frames}) "
                             f"(< p_max({length}) = {first + slices}), pass p_min={first} (its p0) as well")
        if n_frames < slices and length > last_end:  # stft(x, p0, p1) with p1 < p_max(length), or a wrong length
            raise ValueError(
                f"length={length} gives {slices} slices with hop={hop} and len(win)={m_num}, but S has {n_frames}, "
                f"which end at sample {last_end}: if S was made with p1 < p_max({length}) = {first + slices}, the samples "
                f"from {last_end} on were never analysed: leave out length to rebuild the {last_end} samples the slices "
                "cover (and pad the result with zeros if you need the full length); else check length"
            )
        longest = geometry.default_length(n_frames) - offset + hop - 1  # the longest signal a Spectrogram of them takes
        if length > longest:  # stft's p1 defaults to p_max(len(x)), which does not follow a k_offset < 0
            moved = (f"k_offset={k_offset} moves the slices {-k_offset} samples earlier and stft's default p1, p_max(n), "
                     "does not follow it: " if k_offset < 0 else "")
            raise ValueError(
                f"length={length}, but the {n_frames} slices of S from {slice_said} with k_offset={k_offset} end at sample "
                f"{last_end}: {moved}the samples from {last_end} on were never analysed: leave out length to rebuild the "
                f"{last_end} samples the slices cover (and pad the result with zeros if you need the full length), or "
                "give stft a larger p1"
            )
    spec = Spectrogram(magnitude, geometry, sample_rate=fs, length=max(1, last_end) if length is None else length,
                       source="shorttimefft", offset=offset)
    return spec


# ---------------------------------------------------------------------- librosa / torchaudio


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


#: Mel band counts in common use (librosa's 128, torchaudio's and speech models' 80, the
#: 100 of recent vocoders ...). As STFT rows they would mean n_fft 62, 78, 126, 158, 190,
#: 198, 254 or 510, which no one picks.
COMMON_MEL_BANDS = (32, 40, 64, 80, 96, 100, 128, 256)


def _largest_prime_factor(n: int) -> int:
    largest, factor = 1, 2
    while factor * factor <= n:
        while n % factor == 0:
            largest, n = factor, n // factor
        factor += 1
    return max(largest, n)


def mel_like_rows(n_rows: int) -> bool:
    """Whether ``n_rows`` rows look like mel bands rather than the ``n_fft // 2 + 1`` bins
    of an STFT: a common mel band count (:data:`COMMON_MEL_BANDS`). (Sizes from a duration
    at a rate, 1102 for 25 ms at 44.1 kHz, have large prime factors too: the count of
    rows alone is the sign.)"""
    return n_rows in COMMON_MEL_BANDS


def mel_hint(n_rows: int, convention: str = "from_mel") -> str:
    """``'; ...'``: advice for an array whose rows look like mel bands, else ``''``."""
    if not mel_like_rows(n_rows):
        return ""
    return f"; {n_rows} rows look like mel bands: if it is a mel spectrogram, use {convention}"


def looks_transposed(n_rows: int, n_columns: Optional[int]) -> bool:
    """Whether a (rows, columns) array read as (bins, frames) looks like (frames, bins): its
    columns are the bin count of a power-of-two n_fft of at least 256, and its rows would
    mean an n_fft with a prime factor above 7 (201 rows, torchaudio's n_fft 400, are bins,
    whatever the number of frames; it takes both coincidences to be misread)."""
    return (n_columns is not None and n_columns >= 129 and _is_power_of_two(n_columns - 1)
            and n_rows > 2 and _largest_prime_factor(2 * (n_rows - 1)) > 7 and n_rows != n_columns)


def _librosa_geometry(n_rows, n_fft, hop_length, win_length, window, center, pad_mode, n_columns=None,
                      mel_importer: str = "from_mel") -> STFT:
    """The geometry of a (..., n_rows bins, n_columns frames) array; the frames' count only feeds the hints
    for an array given the other way round, (frames, bins)."""
    if n_fft is None:
        n_fft = 2 * (n_rows - 1)
        if looks_transposed(n_rows, n_columns):
            warnings.warn(
                f"the spectrogram has {n_rows} rows (bins, implying n_fft={n_fft}) and {n_columns} columns (frames), and "
                f"{n_columns} is the bin count of n_fft={2 * (n_columns - 1)}: if it is (frames, bins), pass its transpose; "
                "gl reads (..., bins, frames), as librosa and torchaudio make them",
                stacklevel=_caller_stacklevel(),
            )
        elif mel_like_rows(n_rows):
            warnings.warn(
                f"n_fft={n_fft} was read off the spectrogram's {n_rows} rows (n_fft // 2 + 1 bins){mel_hint(n_rows, mel_importer)} "
                "(a mel spectrogram read as an STFT comes back at the wrong pitch); else pass n_fft to say so",
                stacklevel=_caller_stacklevel(),
            )
    else:
        n_fft = _check_int("n_fft", n_fft, 2)
        if n_fft // 2 + 1 != n_rows:
            two_sided = "; a two-sided spectrogram (torchaudio's onesided=False) has n_fft rows: pass its first n_fft // 2 + 1" if n_rows == n_fft else ""
            transposed = (f"; its {n_columns} columns are n_fft // 2 + 1: if it is (frames, bins), pass its transpose"
                          if n_columns == n_fft // 2 + 1 else "")
            raise ValueError(
                f"n_fft={n_fft} gives {n_fft // 2 + 1} frequency bins but the spectrogram has {n_rows} "
                f"(it implies {implied_sizes(n_rows)}){two_sided}{transposed}"
                f"{'' if two_sided else mel_hint(n_rows, mel_importer)}"
            )
    if isinstance(center, (bool, np.bool_)) and not center:
        pad_mode = "constant"  # librosa and torch pad centred frames only: with center=False they never read pad_mode
    if isinstance(pad_mode, str) and pad_mode not in PAD_MODES:  # not a string: gl.STFT's TypeError
        raise ValueError(f"pad_mode={pad_mode!r} is not supported; use one of {', '.join(PAD_MODES)}")
    return STFT(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center, pad_mode=pad_mode)


@underflow_is_a_value  # once per import: S^(1 / power) (S^2 for power 0.5) that underflows is a value, not an error
def from_librosa(
    S,
    *,
    sr: float = 22050,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: Optional[float] = None,
    db: Optional[str] = None,
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
    length: Optional[int] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``librosa.stft`` output, its magnitude, power or dB.

    ``S`` is ``librosa.stft(y, ...)`` (complex), ``np.abs(...) ** power``, or that passed
    through ``librosa.amplitude_to_db`` (``db='amplitude'``) or ``power_to_db``
    (``db='power'``) with ``ref``, ``amin`` and ``top_db``. librosa does not scale its STFT,
    so only the power and the dB are undone:

    .. math:: |X| = \\big(\\mathrm{ref}\\; 10^{S / (10 \\text{ or } 20)}\\big)^{1 / \\mathrm{power}}.

    Parameters
    ----------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)]
        ``librosa.stft`` output, its magnitude, power or dB, as above.
    sr : float
        The audio's sample rate (``librosa.load``'s, whose default is 22050; ``librosa.stft``
        takes none). It is only :attr:`~gl.Spectrogram.sample_rate`, the rate audio files
        are written at, not part of the inversion: give it for audio at any other rate.
    n_fft, hop_length, win_length, window, center, pad_mode
        As given to ``librosa.stft`` (``n_fft`` defaults to ``2 * (n_freq - 1)``: give it
        for an odd size).
    power : float, optional
        Exponent of the magnitude in ``S``: default 1, or 2 with ``db='power'``; with
        ``db='ln'`` it must be given.
    db : {None, 'amplitude', 'power', 'ln'}
        Whether ``S`` is in dB and which conversion made it (``'ln'``: a natural log, see
        :func:`from_db`).
    ref, amin, top_db
        As given to the dB conversion (see :func:`from_db`; clipped values cannot come
        back, a :class:`LossWarning` says how many there are). Without ``amin``, a ``ref``
        below librosa's default ``amin`` (1e-5 for ``amplitude_to_db``, 1e-10 for
        ``power_to_db``) is raised to it, as librosa does.
    length : int, optional
        Length of the original signal (librosa's ``istft`` ``length``).

    Returns
    -------
    Spectrogram
        ``source='librosa'``.

    References
    ----------
    B. McFee et al., "librosa: audio and music signal analysis in Python", SciPy 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> S_db = np.full((1025, 20), -20.0)            # amplitude_to_db of 0.1 everywhere
    >>> spec = gl.importers.from_librosa(S_db, db="amplitude")
    >>> float(spec.magnitude.max()), spec.geometry.hop_length
    (0.1, 512)
    """
    sr = _check_rate("sr", sr)
    _check_db_keywords(db, ref=ref, amin=amin, top_db=top_db)
    if db is not None:
        linear = from_db(_with_two_bins(S, "S"), db=db, ref=ref, amin=_librosa_amin(db, ref, amin), top_db=top_db, name="S")
        power = _check_power(_ln_power(power) if db == "ln" else
                             2.0 if (power is None and db == "power") else (1.0 if power is None else power))
        magnitude = _magnitude_from(linear, power, "S", from_db=True)
    else:
        S = _spectrogram_array(S, "S", complex_ok=True)
        power = _check_power(1.0 if power is None else power)
        magnitude = _magnitude_from(S, power, "S")
    n_frames = magnitude.shape[-1]
    geometry = _librosa_geometry(magnitude.shape[-2], n_fft, hop_length, win_length, window, center, pad_mode, magnitude.shape[-1])
    _check_nola(geometry, "hop_length", geometry.hop_length)
    length = _check_length(length, n_frames, geometry.n_frames, f"hop_length={geometry.hop_length}")
    return Spectrogram(magnitude, geometry, sample_rate=sr, length=length, source="librosa")


def _check_normalized(normalized):
    """torchaudio's ``normalized`` as one of False, True (= 'window') or 'frame_length' (a
    NumPy bool as Python's). As torchaudio's ``_get_spec_norms`` refuses them: a string other
    than its two names is a ValueError, a value of another type (0 or 1, None, an array) a
    TypeError."""
    if isinstance(normalized, (bool, np.bool_)):
        return bool(normalized)
    rule = f"normalized={normalized!r} must be False, True, 'window' or 'frame_length'"
    if not isinstance(normalized, str):
        raise TypeError(f"{rule} (a bool or a string, as torchaudio takes it), not a value of type {type(normalized).__name__}")
    if normalized not in ("window", "frame_length"):
        raise ValueError(rule)
    return normalized


def _normalization(normalized, geometry: STFT) -> float:
    """What torchaudio divided its STFT by: the window's norm (True, 'window') or ``sqrt(n_fft)``."""
    if normalized in (True, "window"):
        return float(np.sqrt(np.sum(geometry._window_squared)))
    return float(np.sqrt(geometry.n_fft))


def _check_torchaudio_pad(pad: int, geometry: STFT, n_frames: int, length: Optional[int]) -> None:
    """Without ``length``, torchaudio's ``pad`` zeros on each side must leave some of the samples
    the frames cover (with it, :func:`_check_length` checks that the two fit the frames)."""
    covered = geometry.default_length(n_frames)
    if length is None and 0 < covered <= 2 * pad:  # (covering none, the frames are refused for that: give length=)
        raise ValueError(f"pad={pad}, the zeros torchaudio added on each side, must be below {(covered + 1) // 2}: the {n_frames} "
                         f"frames cover {covered} samples, and two pads of them leave none for the signal; or give length=, "
                         "the signal's length")


@underflow_is_a_value  # once per import: a quiet S times the window's norm: values, not errors
def from_torchaudio(
    S,
    *,
    sample_rate: float = 16000,
    n_fft: int = 400,
    win_length: Optional[int] = None,
    hop_length: Optional[int] = None,
    pad: int = 0,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: str = "reflect",
    power: Optional[float] = 2.0,
    normalized: Union[bool, str] = False,
    length: Optional[int] = None,
    db: Optional[str] = None,
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``torchaudio.transforms.Spectrogram`` (its defaults).

    torchaudio frames like librosa but with its own defaults (n_fft 400, hop
    ``win_length // 2``, reflect padding, power 2). ``normalized=True`` (or
    ``'window'``) divided by the window's L2 norm, ``'frame_length'`` by ``sqrt(n_fft)``:

    .. math:: |X| = S^{1 / \\mathrm{power}} \\cdot \\big(\\|w\\|_2 \\text{ or } \\sqrt{n_{fft}}\\big).

    Parameters
    ----------
    S : array-like [shape=(..., n_fft // 2 + 1, n_frames)]
        The output (a CPU tensor works: it is read with ``np.asarray``). Complex when
        ``power=None``.
    sample_rate : float
        The audio's sample rate (``transforms.Spectrogram`` takes none; the default, 16000, is
        ``transforms.MelSpectrogram``'s). It is only :attr:`~gl.Spectrogram.sample_rate`, the
        rate audio files are written at, not part of the inversion: give it for audio at
        any other rate.
    n_fft, win_length, hop_length, pad, window, center, pad_mode, power, normalized
        As given to torchaudio (``window`` names the ``window_fn``: 'hann' for
        ``torch.hann_window``, periodic). ``normalized`` is False, True, ``'window'`` or
        ``'frame_length'``: as in torchaudio, another string is a ValueError, a value of
        another type (0 or 1, None) a TypeError.
    length : int, optional
        Length of the original signal.
    db, ref, amin, top_db : optional
        If ``S`` went through ``torchaudio.transforms.AmplitudeToDB``: ``db='power'`` for
        its ``stype='power'`` (10 log10), ``db='amplitude'`` for ``stype='magnitude'``
        (20 log10); ``amin`` and ``top_db`` as given to it (its ``amin`` default is
        1e-10). ``db='ln'`` for a natural log of the spectrogram, ``|X|**power``: give
        ``power=1`` for the log of a magnitude (``power`` defaults to torchaudio's 2). See
        :func:`from_db`.

    Returns
    -------
    Spectrogram
        ``source='torchaudio'``.

    References
    ----------
    Y.-Y. Yang et al., "TorchAudio: building blocks for audio and speech processing",
    ICASSP 2022.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> spec = gl.importers.from_torchaudio(np.ones((201, 81)))
    >>> spec.geometry.hop_length, spec.geometry.pad_mode, spec.output_length
    (200, 'reflect', 16000)
    """
    sample_rate = _check_rate("sample_rate", sample_rate)
    n_fft = _check_int("n_fft", n_fft, 2)
    win_length = n_fft if win_length is None else _check_int("win_length", win_length, 1)
    hop_length = win_length // 2 if hop_length is None else hop_length
    pad = _check_int("pad", pad, 0)
    normalized = _check_normalized(normalized)
    _check_db_keywords(db, ref=ref, amin=amin, top_db=top_db)
    if db is not None:
        if power is None:
            raise ValueError("db is for real spectrograms; power=None means a complex one, which has no dB form")
        S = from_db(_with_two_bins(S, "S"), db=db, ref=ref, amin=amin, top_db=top_db, name="S",
                    peak_ndim=3)  # AmplitudeToDB: per item
    S = _spectrogram_array(S, "S", complex_ok=True)
    if power is None:
        if S.dtype.kind != "c":
            raise ValueError("power=None means a complex spectrogram, but S is real; pass the power it was raised to")
        power = 1.0
    power = _check_power(power)
    magnitude = _magnitude_from(S, power, "S", from_db=db is not None)
    geometry = _librosa_geometry(magnitude.shape[-2], n_fft, hop_length, win_length, window, center, pad_mode, magnitude.shape[-1],
                                 mel_importer="from_torchaudio_mel")
    _check_nola(geometry, "hop_length", geometry.hop_length)
    if normalized is not False:
        magnitude *= magnitude.dtype.type(_normalization(normalized, geometry))
    n_frames = magnitude.shape[-1]
    _check_torchaudio_pad(pad, geometry, n_frames, length)
    length = _check_length(length, n_frames, lambda n: geometry.n_frames(n + 2 * pad),
                           f"pad={pad} and hop_length={hop_length}" if pad else f"hop_length={hop_length}")
    if pad:  # zeros before and after the signal; without length, where it ended is not known
        return Spectrogram(magnitude, geometry, sample_rate=sample_rate, length=length, source="torchaudio", offset=pad, tail=pad)
    return Spectrogram(magnitude, geometry, sample_rate=sample_rate, length=length, source="torchaudio")


# ---------------------------------------------------------------------- mel


def from_mel(
    M,
    *,
    sr: float = 22050,
    n_fft: int = 2048,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: Optional[float] = None,
    n_mels: Optional[int] = None,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    htk: bool = False,
    norm: NormSpec = "slaney",
    bins: str = "librosa",
    db: Optional[str] = None,
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
    n_iter_nnls: int = 200,
    length: Optional[int] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from a mel spectrogram, by non-negative least squares.

    ``M = F |X|^power`` (``librosa.feature.melspectrogram``; torchaudio's
    ``MelSpectrogram`` with ``htk=True, norm=None, pad_mode='reflect'``), possibly in dB.
    The filterbank is librosa's exactly; with ``bins='torchaudio'``, torchaudio's
    (``linspace(0, sr // 2, n_freq)`` for the bins, ``fmax`` defaulting to ``sr // 2``).
    The two are the same when ``n_fft`` and the rate are even; with an odd ``n_fft`` or
    rate the wrong one differs by 4 % of a filter's peak (``n_fft=401``, 40 bands) or more,
    and the estimate is less consistent.
    The linear magnitude is estimated as :math:`\\hat P^{1/\\mathrm{power}}` with
    :math:`\\hat P = \\arg\\min_{P \\ge 0} \\|F P - M\\|^2` (:func:`gl.mel.mel_to_stft`).
    Fine spectral detail inside a mel band is lost; the estimate spreads each band's
    energy over its bins.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, n_frames), non-negative (or dB)]
        The mel spectrogram, linear or in dB (``db``).
    sr, n_fft, hop_length, win_length, window, center, pad_mode
        The STFT the mel spectrogram was made from (librosa's defaults).
    power : float, optional
        Exponent of the magnitude in ``M``: default 2 (librosa's and torchaudio's
        melspectrogram), or 1 with ``db='amplitude'`` (``amplitude_to_db`` of a mel
        spectrogram made with ``power=1``), as in :func:`from_librosa`.
    n_mels, fmin, fmax, htk, norm, bins
        The filterbank (:func:`gl.mel.mel_filterbank`); ``n_mels`` defaults to ``M``'s rows.
        For torchaudio's ``MelSpectrogram``: ``htk=True, norm=None, bins='torchaudio'``.
    db, ref, amin, top_db
        If ``M`` is in dB (``db='power'`` for ``power_to_db``), as in :func:`from_db`;
        ``db='ln'`` for a natural-log mel, with ``power`` given (1 for Tacotron 2's and
        HiFi-GAN's ``np.log(np.clip(M, 1e-5, None))`` of a magnitude mel, with
        ``amin=1e-5`` to count the clipped values); without ``amin``, a ``ref`` below
        librosa's default ``amin`` is raised to it, as in :func:`from_librosa`. ``ref``,
        ``amin`` or ``top_db`` without ``db`` is a ``ValueError`` (they would do nothing:
        the array would be read as linear).
    n_iter_nnls : int
        Iterations of the NNLS solver.
    length : int, optional
        Length of the original signal.

    Returns
    -------
    Spectrogram
        ``source='mel'``.

    References
    ----------
    A. Beck and M. Teboulle, SIAM J. Imaging Sciences 2(1), 2009 (the NNLS solver).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> spec = gl.importers.from_mel(np.ones((40, 10)), sr=8000, n_fft=256, hop_length=64)
    >>> spec.magnitude.shape, spec.source
    ((129, 10), 'mel')
    """
    sr = _check_rate("sr", sr)
    n_fft = _check_int("n_fft", n_fft, 2)
    check_choice("db", db, _DB_SCALES, none=True)  # before db == 'ln' below
    power = _check_power(_ln_power(power) if db == "ln" else (1.0 if db == "amplitude" else 2.0) if power is None else power)
    n_iter_nnls = _check_int("n_iter_nnls", n_iter_nnls, 0)
    _check_db_keywords(db, ref=ref, amin=amin, top_db=top_db)
    if db is not None:
        M = from_db(M, db=db, ref=ref, amin=_librosa_amin(db, ref, amin), top_db=top_db, name="M")
    M = _spectrogram_array(M, "M", complex_ok=False, min_rows=1)  # mel bands: one will do
    _non_negative(M, "M", narrow_ok=True, from_db=db is not None)  # a mel band averages many bins: a narrow range is normal
    if n_mels is not None and _check_int("n_mels", n_mels, 1) != M.shape[-2]:
        raise ValueError(f"n_mels={n_mels} but M has {M.shape[-2]} mel bands")
    rows, columns = M.shape[-2], M.shape[-1]
    if n_mels is None and rows == n_fft // 2 + 1:
        warnings.warn(f"M has {rows} rows, the n_fft // 2 + 1 bins of an STFT of n_fft={n_fft}, not mel bands: if it is a "
                      "linear spectrogram, use from_librosa (or from_torchaudio)", stacklevel=_caller_stacklevel())
    elif n_mels is None and columns in COMMON_MEL_BANDS and rows not in COMMON_MEL_BANDS and rows > columns:
        warnings.warn(f"M has {rows} rows (mel bands) and {columns} columns (frames), and {columns} is a common number of "
                      "mel bands: if it is (frames, mel bands), pass its transpose; gl reads (..., n_mels, n_frames), as "
                      "librosa and torchaudio make them", stacklevel=_caller_stacklevel())
    dtype = real_dtype(M)
    # empty filters: not mel_filterbank's warning; the LossWarning below says when they matter
    filterbank, _ = filterbank_and_warning(sr=sr, n_fft=n_fft, n_mels=M.shape[-2], fmin=fmin, fmax=fmax, htk=htk, norm=norm,
                                           dtype=dtype, bins=bins)
    empty = filterbank.max(axis=1) == 0  # bands that cover no FFT bin
    if empty.all():
        raise ValueError(
            f"no mel band covers an FFT bin (fmin={fmin:g}, fmax={fmax if fmax is not None else sr / 2:g} Hz, "
            f"sr={sr:g}, n_fft={n_fft}): check sr, n_fft, fmin and fmax"
        )
    # ... that hold energy: above 0, or above the floor of a dB array (power_to_db makes a
    # silent band amin, 1e-10, not 0)
    floor = float(M.min()) if db is not None and M.size else 0.0
    lost = empty & (M.reshape(-1, M.shape[-2], M.shape[-1]).max(axis=(0, 2)) > floor)
    if lost.any():
        beyond = fmax is not None and fmax > sr / 2
        cause = (f"fmax={fmax:g} Hz is above sr / 2 = {sr / 2:g}" if beyond
                 else f"{M.shape[-2]} mel bands are too many for n_fft={n_fft}")  # fmt: skip
        warnings.warn(
            f"{int(lost.sum())} mel bands of M hold energy but cover no FFT bin with this filterbank ({cause}; "
            "or M was made with another sr, n_fft, fmin or fmax): their energy cannot come back",
            LossWarning,
            stacklevel=_caller_stacklevel(),
        )
    magnitude = mel_to_stft(M.astype(dtype, copy=False), filterbank=filterbank, power=power, n_iter=n_iter_nnls)
    geometry = _librosa_geometry(magnitude.shape[-2], n_fft, hop_length, win_length, window, center, pad_mode, magnitude.shape[-1])
    _check_nola(geometry, "hop_length", geometry.hop_length)
    length = _check_length(length, magnitude.shape[-1], geometry.n_frames, f"hop_length={geometry.hop_length}")
    return Spectrogram(magnitude, geometry, sample_rate=sr, length=length, source="mel")


@underflow_is_a_value  # once per import: a quiet magnitude times the window's norm: values, not errors
def from_torchaudio_mel(
    M,
    *,
    sample_rate: float = 16000,
    n_fft: int = 400,
    win_length: Optional[int] = None,
    hop_length: Optional[int] = None,
    pad: int = 0,
    f_min: float = 0.0,
    f_max: Optional[float] = None,
    n_mels: Optional[int] = None,
    window: WindowSpec = "hann",
    power: float = 2.0,
    normalized: Union[bool, str] = False,
    center: bool = True,
    pad_mode: str = "reflect",
    norm: Optional[str] = None,
    mel_scale: str = "htk",
    db: Optional[str] = None,
    ref: Optional[float] = None,
    amin: Optional[float] = None,
    top_db: Optional[float] = None,
    n_iter_nnls: int = 200,
    length: Optional[int] = None,
) -> Spectrogram:
    """A :class:`~gl.Spectrogram` from ``torchaudio.transforms.MelSpectrogram`` (its names and defaults).

    torchaudio's ``MelSpectrogram`` differs from librosa's ``melspectrogram`` in every
    default: n_fft 400, hop ``win_length // 2``, reflect padding, an HTK mel scale without
    area normalisation, and its own bin frequencies (``linspace(0, sr // 2, n_freq)``).
    Read with :func:`from_mel`'s librosa defaults, a 440 Hz tone comes back near 590 Hz and
    4 times too loud. This importer passes torchaudio's conventions to :func:`from_mel`
    (``htk=(mel_scale == 'htk'), norm=norm, bins='torchaudio'``), undoes ``normalized``
    as :func:`from_torchaudio` does, and a dB input as ``AmplitudeToDB`` makes it (its
    ``top_db`` clips each item below its own peak).

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, n_frames), non-negative]
        ``MelSpectrogram(...)(x).numpy()``.
    sample_rate, n_fft, win_length, hop_length, pad, f_min, f_max, n_mels, window, power, normalized, center, pad_mode, norm, mel_scale
        As given to ``MelSpectrogram`` (``window`` names what ``window_fn`` made;
        ``n_mels`` defaults to ``M``'s rows; ``pad`` zeros on both sides of the signal,
        and ``normalized``'s values, as in :func:`from_torchaudio`).
    db, ref, amin, top_db
        For ``AmplitudeToDB(stype='power')(M)``: ``db='power'`` (``stype='magnitude'``:
        ``db='amplitude'``, which does not change ``power``); ``db='ln'`` for a natural log
        of the mel (``power=1`` for the log of a magnitude mel: ``power`` defaults to
        torchaudio's 2); see :func:`from_db`.
    n_iter_nnls, length
        As in :func:`from_mel`.

    Returns
    -------
    Spectrogram
        ``source='mel'``.

    References
    ----------
    Y.-Y. Yang et al., "TorchAudio: building blocks for audio and speech processing",
    ICASSP 2022.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> spec = gl.importers.from_torchaudio_mel(np.ones((40, 81)), n_iter_nnls=10)
    >>> spec.geometry.n_fft, spec.geometry.hop_length, spec.geometry.pad_mode, spec.magnitude.shape
    (400, 200, 'reflect', (201, 81))
    """
    check_choice("mel_scale", mel_scale, ("htk", "slaney"))
    check_choice("norm", norm, ("slaney",), none=True)
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f"mel_scale={mel_scale!r} must be 'htk' or 'slaney' (torchaudio's two scales)")
    if norm not in (None, "slaney"):
        raise ValueError(f"norm={norm!r} must be None or 'slaney' (torchaudio's two filter normalisations)")
    normalized = _check_normalized(normalized)
    n_fft = _check_int("n_fft", n_fft, 2)
    win_length = n_fft if win_length is None else _check_int("win_length", win_length, 1)
    hop_length = win_length // 2 if hop_length is None else hop_length
    _check_db_keywords(db, ref=ref, amin=amin, top_db=top_db)
    if db is not None:  # AmplitudeToDB: each item clipped below its own peak
        M = from_db(M, db=db, ref=ref, amin=amin, top_db=top_db, name="M", peak_ndim=3)
    pad = _check_int("pad", pad, 0)
    spec = from_mel(M, sr=sample_rate, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                    center=center, pad_mode=pad_mode, power=power, n_mels=n_mels, fmin=f_min, fmax=f_max,
                    htk=mel_scale == "htk", norm=norm, n_iter_nnls=n_iter_nnls, length=None if pad else length,
                    bins="torchaudio")
    if pad:  # zeros before and after the signal (from_torchaudio's reading); without length, where it ended is not known
        geometry = spec.geometry
        _check_torchaudio_pad(pad, geometry, spec.n_frames, length)
        length = _check_length(length, spec.n_frames, lambda n: geometry.n_frames(n + 2 * pad),
                               f"pad={pad} and hop_length={geometry.hop_length}")
        spec = dataclasses.replace(spec, length=length, offset=pad, tail=pad)
    if normalized is False:
        return spec
    return dataclasses.replace(spec, magnitude=spec.magnitude * spec.magnitude.dtype.type(_normalization(normalized, spec.geometry)))


#: Importer by convention name (the ``gl`` command's ``--from``).
CONVENTIONS: dict[str, Callable[..., Spectrogram]] = {
    "scipy": from_scipy_spectrogram,
    "scipy-stft": from_scipy_stft,
    "shorttimefft": from_shorttimefft,
    "librosa": from_librosa,
    "torchaudio": from_torchaudio,
    "mel": from_mel,
    "torchaudio-mel": from_torchaudio_mel,
}
