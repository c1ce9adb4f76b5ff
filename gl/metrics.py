"""How good is a reconstruction? Spectral convergence, inconsistency, SNR.

All functions reduce over the last axes (two for spectrograms, one for signals) and keep
any leading batch axes; they return float64.

Spectral convergence (phaseret's ``magnitudeerrdb``, the measure of most papers)::

    SC = || |X| - S ||_F / || S ||_F,        SC_dB = 20 log10(SC)

Inconsistency of a complex spectrogram ``X`` (how far it is from the STFT of any signal)::

    I = || STFT(ISTFT(X)) - X ||_F / || X ||_F

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

import numpy as np

from .transform import STFT

__all__ = ["spectral_convergence", "spectral_convergence_db", "signal_spectral_convergence", "inconsistency", "snr", "to_db"]


def to_db(ratio) -> np.ndarray:
    """``20 log10(ratio)``; ``-inf`` for 0."""
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(np.asarray(ratio, dtype=np.float64))


def _ratio(error_sq: np.ndarray, reference_sq: np.ndarray) -> np.ndarray:
    error = np.sqrt(error_sq)
    out = np.where(error > 0, np.inf, 0.0)
    return np.divide(error, np.sqrt(reference_sq), out=out, where=reference_sq > 0)


def _sum_sq(a: np.ndarray, axes) -> np.ndarray:
    a = np.asarray(a)
    if np.iscomplexobj(a):
        a = np.abs(a)
    return np.sum(np.square(a, dtype=np.float64), axis=axes)


def spectral_convergence(S, X) -> np.ndarray:
    """``|| |X| - S ||_F / ||S||_F`` over the last two axes.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        Target magnitude.
    X : np.ndarray [shape=(..., n_freq, n_frames)]
        Spectrogram of the reconstruction (complex, or its magnitude).

    Returns
    -------
    np.ndarray [shape=(...)] float64; 0 when both are zero, inf when only ``S`` is.
    """
    S = np.asarray(S)
    X = np.asarray(X)
    if S.shape != X.shape:
        raise ValueError(f"S has shape {S.shape} but X has shape {X.shape}; they must match")
    if S.ndim < 2:
        raise ValueError(f"S must have shape (..., n_freq, n_frames), got {S.shape}")
    magnitude = np.abs(X)
    return _ratio(_sum_sq(magnitude - S, (-2, -1)), _sum_sq(S, (-2, -1)))


def spectral_convergence_db(S, X) -> np.ndarray:
    """:func:`spectral_convergence` in dB, ``20 log10``."""
    return to_db(spectral_convergence(S, X))


def signal_spectral_convergence(S, x, geometry: STFT) -> np.ndarray:
    """Spectral convergence of a signal ``x`` against the target magnitude ``S``."""
    return spectral_convergence(S, geometry.stft(x))


def inconsistency(X, geometry: STFT) -> np.ndarray:
    """``|| STFT(ISTFT(X)) - X ||_F / ||X||_F``: 0 for the STFT of a signal."""
    X = np.asarray(X)
    length = geometry.max_length(X.shape[-1])
    rebuilt = geometry.stft(geometry.istft(X, length=length))
    if rebuilt.shape != X.shape:
        raise ValueError(f"X with {X.shape[-1]} frames does not round-trip through {geometry!r}")
    return _ratio(_sum_sq(rebuilt - X, (-2, -1)), _sum_sq(X, (-2, -1)))


def snr(reference, estimate) -> np.ndarray:
    """Signal-to-noise ratio in dB, ``10 log10(||ref||^2 / ||ref - est||^2)``, over the last axis.

    Note that phase retrieval recovers a signal only up to a global sign (and, for
    tones, up to phase shifts), so SNR against the original is a harsh measure.
    """
    reference = np.asarray(reference, dtype=np.float64)
    estimate = np.asarray(estimate, dtype=np.float64)
    if reference.shape != estimate.shape:
        raise ValueError(f"reference has shape {reference.shape} but estimate has {estimate.shape}")
    noise = _sum_sq(reference - estimate, -1)
    power = _sum_sq(reference, -1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(power) - 10.0 * np.log10(noise)
