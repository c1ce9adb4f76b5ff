"""How good is a reconstruction? Spectral convergence, inconsistency, SNR.

All functions reduce over the last axes (two for spectrograms, one for signals) and keep
any leading batch axes; they return float64: a NumPy scalar (``np.float64``, a subclass of
Python's ``float``) for one spectrogram or signal, an array of the batch's shape for a batch.

Spectral convergence (phaseret's ``magnitudeerrdb``, the measure of most papers)::

    SC = || |X| - S ||_F / || S ||_F,        SC_dB = 20 log10(SC)

over the one-sided spectrum, the ``n_fft // 2 + 1`` bins of ``X`` each counted once, as
phaseret and LTFAT count them. Counting the two-sided spectrum (every bin but 0 and
``n_fft / 2`` twice) changes the figure little for the frames audio uses (0.01 dB on 4 s of
speech after 30 fast-GLA iterations at n_fft 1024 and 256) but by about 1 dB for very short
frames (1.2 dB at n_fft 64, 0.9 dB at 32): compare figures across papers with that in mind.
Some papers report the ratio in another form: the fast Griffin-Lim paper (Perraudin, Balazs
and Sondergaard 2013) gives an "SSNR" of ``-10 log10(SC)``, so its 20 dB is ``SC_dB = -40``
here (minus twice its figure).

Inconsistency of a complex spectrogram ``X`` (how far it is from the STFT of any signal)::

    I = || STFT(ISTFT(X)) - X ||_F / || X ||_F

the relative form (phaseret's ``consistencyerrdb`` is ``20 log10(I)``); Le Roux et al.
(2008), who named it, minimise the unnormalised ``|| STFT(ISTFT(X)) - X ||_F^2``.

References
----------
N. Sturmel and L. Daudet, "Signal reconstruction from STFT magnitude: a state of the
art", DAFx-11, 2011 (spectral convergence, the comparison measure of phase retrieval).
J. Le Roux, N. Ono and S. Sagayama, "Explicit consistency constraints for STFT
spectrograms and their application to phase reconstruction", SAPA 2008; J. Le Roux,
H. Kameoka, N. Ono and S. Sagayama, "Fast signal reconstruction from magnitude STFT
spectrogram based on spectrogram consistency", DAFx-10, 2010 (inconsistency).

Examples
--------
>>> import numpy as np
>>> import gl
>>> from gl.metrics import spectral_convergence, snr
>>> x = np.random.default_rng(0).standard_normal(4096)
>>> X = gl.stft(x, n_fft=256, hop_length=64)
>>> float(spectral_convergence(np.abs(X), X))
0.0
>>> float(np.round(snr(x, 0.5 * x), 2))
6.02
"""

from __future__ import annotations

from typing import Optional, Union, cast

import numpy as np

from ._checks import as_array, check_non_negative, underflow_is_a_value
from .transform import STFT, binary_exponents

__all__ = ["spectral_convergence", "spectral_convergence_db", "signal_spectral_convergence", "inconsistency", "snr", "to_db"]


#: What a metric returns: ``np.float64`` for one item, an array over the batch axes for a batch.
Metric = Union[np.float64, np.ndarray]

#: Coefficients per block of :func:`spectral_convergence` (its float64 temporaries: 0.5 MB each).
_METRIC_BLOCK = 1 << 16


def _frame_blocks(a: np.ndarray) -> list[slice]:
    """Slices of the last axis (frames) of ``a`` holding about :data:`_METRIC_BLOCK` values each."""
    n_frames = a.shape[-1]
    step = max(1, _METRIC_BLOCK // max(1, a.size // max(n_frames, 1)))
    return [slice(first, min(first + step, n_frames)) for first in range(0, n_frames, step)]


def to_db(ratio) -> Metric:
    """``20 log10(ratio)`` of a ratio of norms (>= 0); ``-inf`` for 0, ``inf`` for ``inf``.

    20, not 10: the ratio is of norms (amplitudes), so its square, the ratio of energies,
    gives the same dB with ``10 log10``.

    Parameters
    ----------
    ratio : float or np.ndarray, real, >= 0
        A ratio of norms, e.g. a :func:`spectral_convergence`.

    Returns
    -------
    np.float64 or np.ndarray [shape=ratio.shape]
        The ratio in dB.

    Raises
    ------
    ValueError
        A negative or NaN ratio.
    TypeError
        A ratio that is not real (complex, bool, not numeric).

    Examples
    --------
    A tenth is -20 dB, a half about -6 dB, and an exact match (ratio 0) is ``-inf``:

    >>> import numpy as np
    >>> from gl.metrics import to_db
    >>> to_db(np.array([1.0, 0.5, 0.1, 0.0])).round(2)
    array([  0.  ,  -6.02, -20.  ,   -inf])
    """
    values = as_array("ratio", ratio)
    if values.dtype == bool or values.dtype.kind not in "fiu":
        raise TypeError(f"ratio must be a real number or array (a ratio of norms), got dtype {values.dtype}")
    values = values.astype(np.float64)
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("ratio must be >= 0 (a ratio of norms, e.g. a spectral convergence); it has "
                         + ("NaN" if np.isnan(values).any() else f"negative values (min {np.min(values):.3g})"))
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(values)


def _ratio(error_sq: np.ndarray, reference_sq: np.ndarray, shift=0) -> Metric:
    """``sqrt(error_sq / reference_sq) 2^shift``: inf where only the error is non-zero, 0
    where both are. The sums come scaled (each item's squares by a power of two): ``shift``
    (an int per item) is the error's exponent minus the reference's, which undoes it."""
    error = np.sqrt(error_sq)
    out = np.where(error > 0, np.inf, 0.0)
    np.divide(error, np.sqrt(reference_sq), out=out, where=reference_sq > 0)
    with np.errstate(over="ignore", under="ignore"):  # beyond float64's range: inf or 0, as a quotient would be
        np.ldexp(out, shift, out=out)
    return out[()]  # a 0-d result as a NumPy scalar, as numpy's own reductions give it


#: The dB of a factor 2 in a ratio of norms, ``20 log10 2``.
_DB_PER_OCTAVE = 20.0 * np.log10(2.0)


def _ratio_db(error_sq: np.ndarray, reference_sq: np.ndarray, shift=0) -> Metric:
    """``to_db`` of :func:`_ratio`, finite also where the ratio itself is beyond float64's
    range (above 1.8e308 or below 2.2e-308: signals that far apart in level): there the dB
    are those of the unshifted ratio plus ``shift`` times ``20 log10 2``."""
    unshifted = _ratio(error_sq, reference_sq)
    with np.errstate(over="ignore", under="ignore"):
        ratio = np.ldexp(unshifted, shift)
    in_db = np.asarray(to_db(ratio))
    outside = np.isfinite(unshifted) & (unshifted > 0) & ((ratio < np.finfo(np.float64).tiny) | np.isinf(ratio))
    if np.any(outside):
        in_db = np.where(outside, to_db(unshifted) + _DB_PER_OCTAVE * np.asarray(shift), in_db)
    return in_db[()]


def _finite(name: str, a) -> np.ndarray:
    """``a`` as an array of finite numbers, or a ValueError naming it."""
    a = as_array(name, a)
    if a.dtype == bool or a.dtype.kind not in "fiuc":
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _peaks(a: np.ndarray, axes) -> np.ndarray:
    """The largest ``|value|`` over ``axes`` per item; of a complex array, the largest
    ``|real|`` or ``|imag|`` (within a factor sqrt(2) of the modulus, which can overflow).
    The extremes are negated in float64: in an integer type ``-min`` overflows for the
    type's own minimum (``-int16(-32768)``, a full-scale PCM sample, is -32768)."""
    peaks: Optional[np.ndarray] = None
    for part in (a.real, a.imag) if np.iscomplexobj(a) else (a,):  # by reductions: no temporary as large as a
        peak = np.maximum(part.max(axis=axes, initial=0).astype(np.float64), -part.min(axis=axes, initial=0).astype(np.float64))
        peaks = peak if peaks is None else np.maximum(peaks, peak)
    return cast(np.ndarray, peaks)  # not None: the loop runs at least once


def _ldexp_in_place(a: np.ndarray, exponents: np.ndarray) -> None:
    """``a *= 2^exponents`` exactly, for a real or complex float array (complex: both parts)."""
    if np.iscomplexobj(a):
        np.ldexp(a.real, exponents, out=a.real)
        np.ldexp(a.imag, exponents, out=a.imag)
    else:
        np.ldexp(a, exponents, out=a)


@underflow_is_a_value  # squares below 1e-308 (a magnitude spanning 1e-290..1e3) are 0: values, not errors
def _sum_sq(a: np.ndarray, axes) -> np.ndarray:
    a = np.asarray(a)
    if np.iscomplexobj(a):
        a = np.abs(a)
    return np.sum(np.square(a, dtype=np.float64), axis=axes)


def spectral_convergence(S, X) -> Metric:
    """``|| |X| - S ||_F / ||S||_F`` over the last two axes.

    How far the magnitudes of ``X`` are from the target ``S``, relative to ``S``: 0 for a
    perfect match, 1 for silence (``X = 0``). Only magnitudes count: ``X`` with any phase
    scores the same; to score a signal, take its STFT (:func:`signal_spectral_convergence`).
    In dB (:func:`spectral_convergence_db`) it is the measure phase-retrieval papers report.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        Target magnitude.
    X : np.ndarray [shape=(..., n_freq, n_frames)]
        Spectrogram of the reconstruction (complex, or its magnitude).

    Returns
    -------
    np.float64 or np.ndarray [shape=(...)]
        The spectral convergence of each item; 0 when both are zero, inf when only ``S`` is.

    Raises
    ------
    ValueError
        Shapes that differ, NaN or infinite values, a negative ``S``.
    TypeError
        A complex ``S``, or arrays that are not numeric.

    References
    ----------
    N. Sturmel and L. Daudet, "Signal reconstruction from STFT magnitude: a state of
    the art", DAFx-11, 2011; phaseret's ``magnitudeerrdb`` (in dB).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.metrics import spectral_convergence
    >>> X = gl.stft(np.sin(2 * np.pi * 440 * np.arange(8000) / 8000), n_fft=512, hop_length=128)
    >>> S = np.abs(X)
    >>> round(float(spectral_convergence(S, 1.1 * X)), 3)      # every magnitude 10 % too large
    0.1
    >>> phase = np.random.default_rng(0).uniform(-np.pi, np.pi, X.shape)
    >>> round(float(spectral_convergence(S, S * np.exp(1j * phase))), 3)   # the phase is not looked at
    0.0
    """
    return _ratio(*_convergence_sums(S, X))


@underflow_is_a_value  # S far below X: S's values at the error's scale underflow to 0 (negligible there)
def _convergence_sums(S, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`spectral_convergence`'s checks and sums: ``|| |X| - S ||^2`` and ``||S||^2`` per
    item, each scaled by a power of two, and the first's exponent minus the second's
    (:func:`_ratio`'s ``shift``)."""
    S = _finite("S", S)
    X = _finite("X", X)
    if S.dtype.kind == "c":
        raise TypeError("S must be the real target magnitude; got a complex array (pass np.abs(S))")
    check_non_negative("S", S)
    if S.shape != X.shape:
        raise ValueError(f"S has shape {S.shape} but X has shape {X.shape}; they must match")
    if S.ndim < 2:
        raise ValueError(f"S must have shape (..., n_freq, n_frames), got {S.shape}")
    if X.dtype.kind in "iu":  # abs in the integer type: abs(int8(-128)) is -128
        X = X.astype(np.float64)
    # a block of frames at a time (float64 copies of a block, not of the whole: a float32
    # spectrogram's metric peaked at 4x its complex size)
    blocks = _frame_blocks(S)
    # the error: each item of both by one power of two, exactly: no square under- or overflows
    # (the peak of |X| is within sqrt(2) of its parts' peak: one power of two more for a complex X)
    X_peaks = _peaks(X, (-2, -1))
    S_peaks = _peaks(S, (-2, -1))
    exponents = (binary_exponents(np.maximum(S_peaks, X_peaks)) + (1 if X.dtype.kind == "c" else 0))[..., None, None]
    # S's own sum of squares by a power of two of S's peak: scaled with a far louder X it would
    # underflow (S 1e-200 of X: an SC of inf, not 1e200)
    S_exponents = binary_exponents(S_peaks)[..., None, None]
    # |X| may overflow in X's own precision (1.5e308 + 1.5e308j) only if a part exceeds half the
    # largest float: then its parts are scaled before the modulus is taken
    halve = X.dtype.kind == "c" and bool(np.any(X_peaks > float(np.finfo(X.dtype).max) / 2))
    error_sq, reference_sq = np.zeros(S.shape[:-2]), np.zeros(S.shape[:-2])
    for block in blocks:
        target = np.ldexp(S[..., block].astype(np.float64), -S_exponents)
        reference_sq += _sum_sq(target, (-2, -1))
        np.ldexp(target, S_exponents - exponents, out=target)  # to the error's scale
        if halve:  # (every block alike, so that the sums are of the same numbers)
            magnitude = np.abs(np.ldexp(X[..., block].real.astype(np.float64), -exponents)
                               + 1j * np.ldexp(X[..., block].imag.astype(np.float64), -exponents))
        else:
            magnitude = np.ldexp(np.abs(X[..., block]).astype(np.float64), -exponents)
        magnitude -= target
        error_sq += _sum_sq(magnitude, (-2, -1))
    return error_sq, reference_sq, (exponents - S_exponents)[..., 0, 0]


def spectral_convergence_db(S, X) -> Metric:
    """:func:`spectral_convergence` in dB, ``20 log10``.

    ``SC_dB = 20 log10(|| |X| - S ||_F / ||S||_F)``. Lower is better: -20 dB is an error
    a tenth of the target's norm, an exact match ``-inf``. (The fast Griffin-Lim paper's
    "SSNR" is ``-10 log10(SC)``: its 20 dB is -40 dB here.)

    Parameters
    ----------
    S, X
        As in :func:`spectral_convergence`.

    Returns
    -------
    np.float64 or np.ndarray [shape=(...)]
        ``20 log10`` of the spectral convergence; ``-inf`` for an exact match.

    References
    ----------
    N. Sturmel and L. Daudet, "Signal reconstruction from STFT magnitude: a state of
    the art", DAFx-11, 2011; phaseret's ``magnitudeerrdb``.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.metrics import spectral_convergence_db
    >>> S = np.abs(gl.stft(np.sin(2 * np.pi * 440 * np.arange(8000) / 8000), n_fft=512, hop_length=128))
    >>> round(float(spectral_convergence_db(S, 1.1 * S)), 1)   # an error of 10 %: -20 dB
    -20.0
    >>> float(spectral_convergence_db(S, S))
    -inf
    """
    return _ratio_db(*_convergence_sums(S, X))


def signal_spectral_convergence(S, x, geometry: STFT) -> Metric:
    """Spectral convergence of a signal ``x`` against the target magnitude ``S``.

    ``SC = || |STFT(x)| - S ||_F / ||S||_F``, the measure of a phase retrieval's result:
    how well the magnitudes of the signal it returned match the ones it was given. It
    cannot tell ``x`` from ``-x`` (or from other signals with the same magnitudes), which
    is right: the magnitudes do not say which.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        Target magnitude.
    x : np.ndarray [shape=(..., n)]
        The signal; its STFT by ``geometry`` must have the shape of ``S``.
    geometry : gl.STFT
        The geometry of ``S``.

    Returns
    -------
    np.float64 or np.ndarray [shape=(...)]
        ``spectral_convergence(S, geometry.stft(x))``.

    References
    ----------
    N. Sturmel and L. Daudet, "Signal reconstruction from STFT magnitude: a state of
    the art", DAFx-11, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.metrics import signal_spectral_convergence, snr
    >>> geometry = gl.STFT(n_fft=512, hop_length=128)
    >>> x = np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    >>> S = np.abs(geometry.stft(x))
    >>> float(signal_spectral_convergence(S, -x, geometry))   # -x has the magnitudes of x: a perfect answer
    0.0
    >>> round(float(snr(x, -x)), 2)                            # which SNR, comparing samples, calls worse than silence
    -6.02
    """
    _check_geometry(geometry)
    X = geometry.stft(x)
    S_shape = np.shape(as_array("S", S))
    if len(S_shape) >= 2 and S_shape != X.shape:  # else spectral_convergence's message, about an X this function has not
        hint = ""
        if S_shape[:-1] == X.shape[:-1] and S_shape[-1] >= 1:
            hint = f" (S's {S_shape[-1]} frames come from a signal of about {geometry.default_length(S_shape[-1])} samples)"
        raise ValueError(f"x gives an STFT of shape {X.shape} but S has shape {S_shape}; they must match{hint}")
    return spectral_convergence(S, X)


def _check_geometry(geometry) -> None:
    if not isinstance(geometry, STFT):
        raise TypeError(f"geometry={geometry!r} must be a gl.STFT, the geometry S was made with")


#: The binary exponents of an item's peak within which :func:`inconsistency` takes X as it
#: is, by the float's bits: a round trip of values up to 2^e grows them by at most n_fft,
#: and their squares are summed in float64 (float32: 2^64 x n_fft stays far below its
#: 2^128, the squares' sum below 2^1024; float64: 2^256 the same), while values down to
#: 2^-e keep their significant parts above the subnormals (for a window whose peak is near
#: 1: the limit shrinks by the binary exponent of the window's peak, as the signal the
#: round trip carries is about X / w). Beyond, X is scaled by a power
#: of two first, exactly: the same ratio to rounding, at the cost of a copy of X (always,
#: for long doubles, which the transform takes in float64).
_UNSCALED_EXPONENT = {16: 4, 32: 64, 64: 256}


def inconsistency(X, geometry: STFT) -> Metric:
    """``|| STFT(ISTFT(X)) - X ||_F / ||X||_F``, over the last two axes.

    How far ``X`` is from being the STFT of any signal: overlapping frames share samples,
    so not every array of coefficients is a spectrogram (one that is, is *consistent*).
    0 (to rounding) for the STFT of a signal, except where the ISTFT zeroes samples whose
    window sum is at or below ``WINDOW_SUM_FLOOR`` of its maximum: the first and last samples of
    a non-centred framing, seen only by a window's tip (about 1e-6 to 1e-5 for Hann frames
    of 256 to 4096 samples). An ``X`` near the ends of the float range is scaled by a power
    of two first (exactly), so that its values neither overflow nor underflow.

    Parameters
    ----------
    X : np.ndarray [shape=(..., n_freq, n_frames)]
        A complex spectrogram.
    geometry : gl.STFT
        The geometry of ``X``.

    Returns
    -------
    np.float64 or np.ndarray [shape=(...)]
        The relative inconsistency of each item.

    References
    ----------
    J. Le Roux, N. Ono and S. Sagayama, "Explicit consistency constraints for STFT
    spectrograms and their application to phase reconstruction", SAPA 2008.
    J. Le Roux, H. Kameoka, N. Ono and S. Sagayama, "Fast signal reconstruction from
    magnitude STFT spectrogram based on spectrogram consistency", DAFx-10, 2010.

    Examples
    --------
    The STFT of a signal is consistent; its magnitude with a random phase is far from it
    (which is why phase retrieval has to iterate):

    >>> import numpy as np
    >>> import gl
    >>> from gl.metrics import inconsistency
    >>> geometry = gl.STFT(n_fft=512, hop_length=128)
    >>> X = geometry.stft(np.sin(2 * np.pi * 440 * np.arange(8000) / 8000))
    >>> bool(inconsistency(X, geometry) < 1e-12)
    True
    >>> phase = np.random.default_rng(0).uniform(-np.pi, np.pi, X.shape)
    >>> round(float(inconsistency(np.abs(X) * np.exp(1j * phase), geometry)), 1)
    0.9
    """
    _check_geometry(geometry)
    X = _finite("X", X)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., n_freq, n_frames), got shape {X.shape}")
    if X.size and X.dtype.kind in "fc":  # (an integer X is istft's to refuse)
        # far from the ends of the range, X as it is; else a copy, each item scaled exactly
        # (by the larger of its real and imaginary peaks: no abs overflows)
        exponents = binary_exponents(_peaks(X, (-2, -1)))[..., None, None]
        # the round trip's signal is about X / w: a window far from 1 (up to 1e18, down to
        # 1e-15) moves it as many binary orders nearer the ends of the range
        window_exponent = int(binary_exponents(np.abs(geometry.window_array).max()))
        limit = _UNSCALED_EXPONENT.get(np.finfo(X.dtype).bits, -1) - abs(window_exponent)
        if np.any(np.abs(exponents) > limit):
            X = X.copy()
            _ldexp_in_place(X, -exponents)
    length = geometry.max_length(X.shape[-1]) if X.shape[-1] else None  # no frames: istft says so
    rebuilt = geometry.stft(geometry.istft(X, length=length))
    if rebuilt.shape != X.shape:
        raise ValueError(f"X with {X.shape[-1]} frames does not round-trip through {geometry!r}")
    # the sums a block of frames at a time: no difference as large as X
    error_sq, reference_sq = np.zeros(X.shape[:-2]), np.zeros(X.shape[:-2])
    for block in _frame_blocks(X):
        error_sq += _sum_sq(rebuilt[..., block] - X[..., block], (-2, -1))
        reference_sq += _sum_sq(X[..., block], (-2, -1))
    return _ratio(error_sq, reference_sq)


#: Samples (over all items) a block of :func:`snr` converts to float64 at a time (2 MiB).
_SNR_BLOCK = 1 << 18


@underflow_is_a_value  # a reference far below the estimate: its samples at the noise's scale underflow (negligible there)
def snr(reference, estimate) -> Metric:
    """Signal-to-noise ratio in dB, ``10 log10(||ref||^2 / ||ref - est||^2)``, over the last axis.

    ``inf`` for an exact match (a silent reference included), ``-inf`` for a silent
    reference and a non-silent estimate.

    Note that phase retrieval recovers a signal only up to a global sign (and, for
    tones, up to phase shifts), so SNR against the original is a harsh measure.

    Parameters
    ----------
    reference, estimate : np.ndarray [shape=(..., n), real]
        The original signal and the reconstruction, of one shape.

    Returns
    -------
    np.float64 or np.ndarray [shape=(...)]
        The SNR in dB of each item.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.metrics import snr
    >>> x = np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    >>> round(float(snr(x, 1.1 * x)), 2)     # an error a tenth of the signal: 20 dB
    20.0
    >>> round(float(snr(x, -x)), 2)          # the sign flipped, as phase retrieval may return it
    -6.02
    >>> float(snr(x, x))
    inf
    """
    reference = _finite("reference", reference)
    estimate = _finite("estimate", estimate)
    if reference.dtype.kind == "c" or estimate.dtype.kind == "c":
        raise TypeError("reference and estimate must be real signals")
    if reference.shape != estimate.shape:
        raise ValueError(f"reference has shape {reference.shape} but estimate has {estimate.shape}")
    if reference.ndim < 1:
        raise ValueError("reference and estimate must be signals (at least one axis)")
    # the noise: each item of both by one power of two, exactly: no square under- or overflows;
    # the reference's power by one of its own peak (scaled with a far louder estimate, its
    # squares would underflow: -inf dB, not the -4000 dB of an estimate 1e200 times as loud)
    reference_peaks = _peaks(reference, -1)
    exponents = binary_exponents(np.maximum(reference_peaks, _peaks(estimate, -1)))[..., None]
    reference_exponents = binary_exponents(reference_peaks)[..., None]
    # the sums in float64 a block of samples at a time: no float64 copy of the whole signals
    n_samples = reference.shape[-1]
    items = reference.size // n_samples if n_samples else 0
    block = max(1, _SNR_BLOCK // max(items, 1))
    noise = np.zeros(reference.shape[:-1])
    power = np.zeros(reference.shape[:-1])
    for first in range(0, n_samples, block):
        part = np.ldexp(reference[..., first : first + block], -reference_exponents, dtype=np.float64)
        power += np.einsum("...i,...i->...", part, part)
        np.ldexp(part, reference_exponents - exponents, out=part)  # to the noise's scale
        part -= np.ldexp(estimate[..., first : first + block], -exponents, dtype=np.float64)
        noise += np.einsum("...i,...i->...", part, part)
    return 0.0 - _ratio_db(noise, power, (exponents - reference_exponents)[..., 0])  # 0.0 - : 0 dB, not -0 dB
