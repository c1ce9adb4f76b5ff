"""ADMM phase retrieval (Masuyama, Yatabe and Oikawa 2019).

Notation: ``P_A(c) = S c / |c|`` imposes the target magnitude ``S``,
``P_C(c) = STFT(ISTFT(c))`` projects onto the consistent spectrograms (:mod:`gl.griffinlim`'s
``P_C2`` and ``P_C1``). Griffin-Lim's
problem posed from the magnitude side, an ``X`` with the target magnitude as close as
possible to the consistent spectrograms, ``min (1/2) || Z - P_C(Z) ||^2`` over ``X`` in
the magnitude set subject to ``X = Z``, solved by the alternating direction method of
multipliers (a projection for ``X``, the proximal step of the squared distance for
``Z``, which pulls ``Z`` towards the consistent set without reaching it for ``rho > 0``),
gives::

    X_{n+1} = P_A(Z_n - U_n)
    Y_{n+1} = X_{n+1} + U_n
    Z_{n+1} = (rho Y_{n+1} + P_C(Y_{n+1})) / (1 + rho)
    U_{n+1} = U_n + X_{n+1} - Z_{n+1}
    x       = ISTFT(X_{N+1})

from ``Z_0 = S exp(i phi_0)``, ``U_0 = 0``. ``rho = 0`` is the Douglas-Rachford
splitting ``Y <- Y + P_A(2 P_C(Y) - Y) - P_C(Y)``. The literal full-array forms of both,
for reading beside the equations, are ``Naive.admm`` and ``Naive.douglas_rachford`` in
``tests/test_algorithms.py``, which the tests hold the code to.

How one iteration is one sweep, with one full-size array
--------------------------------------------------------
``P_C`` is linear and idempotent, so ``P_C(Z_{n+1}) = P_C(Y_{n+1})`` and
``P_C(U_{n+1}) = P_C(U_n) + P_C(X_{n+1}) - P_C(Y_{n+1}) = P_C(U_n) - P_C(U_n) = 0``:
the multiplier has no consistent part, hence ``P_C(Y_{n+1}) = P_C(X_{n+1})``, the STFT
of the output signal ``ISTFT(X_{n+1})`` that a sweep analyses anyway. Everything else
follows from ``W = Y_{n+1}`` and ``T = P_C(X_{n+1})``::

    Z = (rho W + T) / (1 + rho),      U = W - Z = (W - T) / (1 + rho)
    X_{n+2} = P_A(Z - U) = P_A(((rho - 1) W + 2 T) / (1 + rho)) = P_A(T + (rho - 1) W / 2)
    W      <- X_{n+2} + U

(``P_A`` ignores positive factors). The only state is ``W``.

References
----------
Y. Masuyama, K. Yatabe and Y. Oikawa, "Griffin-Lim like phase recovery via alternating
direction method of multipliers", IEEE Signal Processing Letters 26(1), 2019.

Examples
--------
A voiced sound (seven harmonics gliding from 150 to 250 Hz, faded in and out), 100
iterations from the same three random starts, against fast Griffin-Lim and against
``rho = 0`` (Douglas-Rachford: ``Z`` is then the consistent projection of ``Y`` itself):

>>> import numpy as np
>>> import gl
>>> t = np.arange(4000) / 8000                                   # 0.5 s at 8 kHz
>>> x = np.hanning(4000) * sum(np.sin(2 * np.pi * k * (150 * t + 100 * t**2)) / k for k in range(1, 8))
>>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
>>> def db(method, **options):                                   # spectral convergence after 100 iterations
...     runs = [gl.reconstruct(S, method=method, n_iter=100, rng=seed, length=len(x), n_fft=256, hop_length=64,
...                            return_info=True, **options) for seed in range(3)]
...     return [round(info.final_db) for _, info in runs]
>>> db("fgla")
[-38, -36, -38]
>>> db("admm")                                                   # rho = 0.1, the default
[-44, -45, -50]
>>> db("admm", rho=0)                                            # Douglas-Rachford
[-34, -34, -35]
"""

from __future__ import annotations

from typing import Any, Literal, Optional, overload

import numpy as np

from ._iterative import Callback, InitSpec, PhaseRetrievalInfo, RngSpec, check_n_iter, check_real
from ._run import IterativeRun, parameter_defaults
from .transform import STFT, PadMode
from .windows import WindowSpec

__all__ = ["admm"]


def check_rho(rho) -> float:
    """ADMM's penalty parameter: a finite real number >= 0."""
    checked = check_real("rho", rho, ">= 0")
    if checked < 0:
        raise ValueError(f"rho={rho} must be finite and >= 0")
    return checked


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def admm(S: Any, *, n_iter: int = ..., rho: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
         return_info: Literal[False] = ..., n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
         n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
         window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> np.ndarray: ...
@overload
def admm(S: Any, *, n_iter: int = ..., rho: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
         return_info: Literal[True], n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
         n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
         window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def admm(S: Any, *, n_iter: int = ..., rho: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
         return_info: bool = ..., n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
         n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
         window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> Any: ...
def admm(
    S,
    *,
    n_iter: int = 100,
    rho: float = 0.1,
    init: InitSpec = "random",
    rng: RngSpec = None,
    length: Optional[int] = None,
    tol: Optional[float] = None,
    callback: Optional[Callback] = None,
    return_info: bool = False,
    n_threads: Optional[int] = None,
    geometry: Optional[STFT] = None,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
):
    r"""Recover a signal from an STFT magnitude by ADMM.

    With :math:`P_A(c) = S\,c/|c|` and :math:`P_C(c) = \mathrm{STFT}(\mathrm{ISTFT}(c))`,

    .. math::

        X_{n+1} &= P_A(Z_n - U_n), \qquad Y_{n+1} = X_{n+1} + U_n, \\
        Z_{n+1} &= \frac{\rho\, Y_{n+1} + P_C(Y_{n+1})}{1 + \rho}, \qquad
        U_{n+1} = U_n + X_{n+1} - Z_{n+1},

    from :math:`Z_0 = S e^{i\phi_0}`, :math:`U_0 = 0`; the output is
    :math:`x = \mathrm{ISTFT}(X_{N+1})`. :math:`\rho = 0` is Douglas-Rachford
    splitting. One iteration costs one STFT and one ISTFT (see the module notes).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude. Leading axes are batch axes; float32 stays float32.
    n_iter : int >= 0
        Number of iterations.
    rho : float >= 0
        Penalty parameter, default 0.1. Measured on gl's dev corpus from the PGHI phase,
        after 100 iterations: 0.1 gives -31.8 dB, 0 (Douglas-Rachford) -29.2 dB; large
        values move little per iteration (3 gave -11 dB after 20 on speech).
    init, rng, length, tol, callback, return_info, n_threads
        As in :func:`gl.griffinlim`.
    geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym
        The STFT geometry, as in :func:`gl.griffinlim`.

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``; ``info.spectral_convergence[n - 1]`` is that of
        :math:`\mathrm{ISTFT}(X_{n+1})` after iteration ``n``, the last row that of ``y``.

    References
    ----------
    Y. Masuyama, K. Yatabe and Y. Oikawa, "Griffin-Lim like phase recovery via
    alternating direction method of multipliers", IEEE Signal Process. Lett. 26(1), 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.admm import admm
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t)   # a decaying tone
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = admm(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((8000,), 50)
    >>> _, fgla = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> print(f"ADMM {info.final_db:.1f} dB, fast GLA {fgla.final_db:.1f} dB")  # spectral convergence, same start
    ADMM -37.0 dB, fast GLA -32.9 dB
    """
    n_iter = check_n_iter(n_iter)
    rho = check_rho(rho)
    run = IterativeRun(
        "admm", S, init=init, rng=rng, length=length, tol=tol, callback=callback, return_info=return_info, n_threads=n_threads,
        geometry=geometry, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode, sym=sym, parameters=parameter_defaults(admm, rho=rho),
    )  # fmt: skip
    with run:
        state = run.new_state()  # W = Y_1 = X_1 + U_0 = Z_0 = S exp(i phi_0)  (batch, n_frames, n_freq)
        run.start_signal(keep=state)  # x_0 = ISTFT(X_1)
        half_rho_minus_one = 0.5 * (rho - 1.0)
        dual_scale = 1.0 / (1.0 + rho)  # U_{n+1} = (W - T) / (1 + rho)

        def update(b: int, frames: slice, consistent: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
            # consistent = T = P_C(X_{n+1}) = P_C(Y_{n+1}) on this block
            count = consistent.shape[0]
            w = state[b, frames]  # Y_{n+1}
            difference = np.subtract(w, consistent, out=scratch.spare[:count])  # W - T = (1 + rho) U_{n+1}
            w *= half_rho_minus_one
            w += consistent  # T + (rho - 1) W / 2, a positive multiple of Z_{n+1} - U_{n+1}
            x_next = run.project(w, scratch.abs(w), b, frames, scratch, out=consistent)  # X_{n+2}, in T's block
            np.multiply(difference, dual_scale, out=w)
            w += x_next  # Y_{n+2} = X_{n+2} + U_{n+1}
            return x_next  # X_{n+2}, synthesised into the next signal

        run.iterate(n_iter, update)
    return run.result()
