"""Accelerated Griffin-Lim (AGLA): FGLA with a second, relaxed extrapolation.

Notation as in :mod:`gl.griffinlim`: ``S`` is the target magnitude,
``P_C2(c) = S c / |c|`` imposes it and keeps the phase, ``P_C1(c) = STFT(ISTFT(c))``
projects onto the consistent spectrograms. Nenov, Nguyen, Balazs and Bot (2023) keep
FGLA's inertial step and add a second sequence ``d_n`` that relaxes the projection::

    t_n = (1 - gamma) d_{n-1} + gamma P_C1(P_C2(c_{n-1}))
    c_n = t_n + alpha (t_n - t_{n-1})
    d_n = t_n + beta  (t_n - t_{n-1})
    x   = ISTFT(P_C2(c_N))

With ``gamma = 1`` it is FGLA, whatever ``beta`` (``d_n`` then never enters the update);
with ``alpha = 0`` and ``gamma = 1`` plain GLA. The first iteration is a plain GLA step
(``t_0 = d_0 = t_1``, so that ``c_1 = d_1 = t_1``), which makes ``gamma = 1`` exactly
FGLA from the same start. The literal full-array form of these three lines, for reading
beside them, is ``Naive.agla`` in ``tests/test_algorithms.py``, which the tests hold both
code paths below to.

One iteration is one sweep of :class:`gl._engine.SweepEngine`: the sweep hands over
``P_C1(P_C2(c_{n-1}))`` block by block (the STFT of the current signal), the update above
runs on the block, and ``P_C2(c_n)`` is synthesised into the next signal. The state is
two full-size complex arrays, ``t_{n-1}`` and ``d_{n-1}`` each times a constant chosen so
that every step of the update is one pass over the block (six in all, the constants are in
the code); with ``gamma = 1`` only ``t_{n-1}`` is kept and the update is FGLA's.

When nothing measures the spectral convergence (no ``return_info``, ``tol`` or
``callback``), the same iteration runs on signals instead. Every ``t_n`` and ``d_n`` is a
linear combination of consistent spectrograms, so it is the STFT of the same combination
of signals: with ``x_n = ISTFT(P_C2(c_{n-1}))``, ``t_n = STFT(tau_n)`` and
``d_n = STFT(delta_n)``::

    tau_n   = (1 - gamma) delta_{n-1} + gamma x_n
    delta_n = tau_n + beta (tau_n - tau_{n-1})
    c_n     = STFT(tau_n + alpha (tau_n - tau_{n-1}))

A few passes over two state signals between the sweeps replace the passes over two
full-size spectrograms in every sweep (a signal holds ``hop / n_fft`` of their numbers);
the iterates are the same up to rounding.

References
----------
R. Nenov, D.-K. Nguyen, P. Balazs and R. I. Bot, "Accelerated Griffin-Lim algorithm: a
fast and provably converging numerical method for phase retrieval", arXiv:2306.12504, 2023
(title, authors and number checked against the arXiv page; no journal version could be
confirmed, so cite the preprint).

Examples
--------
A voiced sound (seven harmonics gliding from 150 to 250 Hz, faded in and out), 100
iterations from the same three random starts. ``gamma = 1`` is fast Griffin-Lim exactly, so
the two lines differ only in the relaxation ``gamma`` and the second inertia ``beta``:

>>> import numpy as np
>>> import gl
>>> t = np.arange(4000) / 8000                                   # 0.5 s at 8 kHz
>>> x = np.hanning(4000) * sum(np.sin(2 * np.pi * k * (150 * t + 100 * t**2)) / k for k in range(1, 8))
>>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
>>> def db(**options):                                           # spectral convergence after 100 iterations
...     runs = [gl.agla(S, n_iter=100, rng=seed, length=len(x), n_fft=256, hop_length=64, return_info=True,
...                     **options) for seed in range(3)]
...     return [round(info.final_db) for _, info in runs]
>>> db(gamma=1.0)                                                # fast Griffin-Lim (alpha = 0.99)
[-38, -36, -38]
>>> db()                                                         # defaults alpha, beta, gamma = 0.99, 1.1, 1.2
[-43, -42, -44]

(Over seeds 0-4 the gain is 5 to 8 dB; ``gamma = 1.3`` does about as well here, but sits
next to divergence on speech: see :func:`agla`'s notes.)
"""

from __future__ import annotations

from typing import Any, Literal, Optional, overload

import numpy as np

from ._iterative import Callback, InitSpec, PhaseRetrievalInfo, RngSpec, check_momentum, check_n_iter, check_real
from ._run import IterativeRun, parameter_defaults
from .transform import STFT, PadMode
from .windows import WindowSpec

__all__ = ["agla"]


def check_agla_parameters(alpha, beta, gamma) -> tuple[float, float, float]:
    """Validate AGLA's ``(alpha, beta, gamma)``: ``alpha >= 0``, ``beta >= 0``, ``gamma > 0``."""
    alpha = check_momentum(alpha, "alpha")
    beta = check_real("beta", beta)
    if beta < 0:
        raise ValueError(f"beta={beta} must be >= 0")
    gamma = check_real("gamma", gamma)
    if gamma <= 0:
        raise ValueError(f"gamma={gamma} must be > 0")
    return alpha, beta, gamma


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def agla(S: Any, *, n_iter: int = ..., alpha: float = ..., beta: float = ..., gamma: float = ...,
         init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
         callback: Optional[Callback] = ..., return_info: Literal[False] = ..., n_threads: Optional[int] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> np.ndarray: ...
@overload
def agla(S: Any, *, n_iter: int = ..., alpha: float = ..., beta: float = ..., gamma: float = ...,
         init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
         callback: Optional[Callback] = ..., return_info: Literal[True], n_threads: Optional[int] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def agla(S: Any, *, n_iter: int = ..., alpha: float = ..., beta: float = ..., gamma: float = ...,
         init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
         callback: Optional[Callback] = ..., return_info: bool = ..., n_threads: Optional[int] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> Any: ...
def agla(
    S,
    *,
    n_iter: int = 100,
    alpha: float = 0.99,
    beta: float = 1.1,
    gamma: float = 1.2,
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
    r"""Recover a signal from an STFT magnitude by accelerated Griffin-Lim.

    With :math:`P_{C_2}(c) = S\,c/|c|` and
    :math:`P_{C_1}(c) = \mathrm{STFT}(\mathrm{ISTFT}(c))`, AGLA iterates

    .. math::

        t_n &= (1 - \gamma)\, d_{n-1} + \gamma\, P_{C_1}(P_{C_2}(c_{n-1})) \\
        c_n &= t_n + \alpha\,(t_n - t_{n-1}) \\
        d_n &= t_n + \beta\,(t_n - t_{n-1})

    from :math:`c_0 = S e^{i\phi_0}` and returns
    :math:`x = \mathrm{ISTFT}(P_{C_2}(c_N))`. The first iteration is a plain GLA
    step (:math:`t_0 = d_0 = t_1`). :math:`\gamma = 1` (whatever :math:`\beta`) is fast
    Griffin-Lim with momentum :math:`\alpha` (:func:`gl.griffinlim`), exactly.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude. Leading axes are batch axes; float32 stays float32.
    n_iter : int >= 0
        Number of iterations (one STFT and one ISTFT each).
    alpha : float >= 0
        Inertia of :math:`c_n` (FGLA's momentum), default 0.99.
    beta : float >= 0
        Inertia of :math:`d_n`, default 1.1.
    gamma : float > 0
        Relaxation of the projection step, default 1.2 (:math:`\gamma > 1`
        over-relaxes; :math:`\gamma < 1` with :math:`\alpha = 0.99` converges badly).
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
        the signal :math:`\mathrm{ISTFT}(P_{C_2}(c_n))` after iteration ``n``, the last
        row that of ``y``.

    Notes
    -----
    The defaults (0.99, 1.1, 1.2) were chosen by measurement on gl's development corpus
    (6 clips, 4 s, Hann 1024 / hop 256, random init; mean dB after 10 / 30 / 100 / 300
    iterations): (0.99, 1.1, 1.2) -15.8 / -22.0 / -27.1 / -28.2 against FGLA's
    -15.1 / -21.1 / -25.8 / -28.8; (0.99, 1.1, 1.3) -15.5 / -21.2 / -28.7 / -30.3 is
    better late but sits next to divergence ((0.99, 1.3, 1.3) stalls at -12 dB), and
    beta = 0.5 is worse everywhere. The paper proves convergence of the iterates for
    suitable parameters; the spectral convergence is not monotonic.

    References
    ----------
    R. Nenov, D.-K. Nguyen, P. Balazs and R. I. Bot, "Accelerated Griffin-Lim
    algorithm: a fast and provably converging numerical method for phase
    retrieval", arXiv:2306.12504, 2023.
    N. Perraudin, P. Balazs and P. L. Sondergaard, "A fast Griffin-Lim algorithm",
    IEEE WASPAA 2013.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.agla import agla
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t)   # a decaying tone
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = agla(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((8000,), 50)
    >>> _, fgla = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> print(f"AGLA {info.final_db:.1f} dB, fast GLA {fgla.final_db:.1f} dB")  # spectral convergence, same start
    AGLA -36.6 dB, fast GLA -32.9 dB
    """
    n_iter = check_n_iter(n_iter)
    alpha, beta, gamma = check_agla_parameters(alpha, beta, gamma)
    run = IterativeRun(
        "agla", S, init=init, rng=rng, length=length, tol=tol, callback=callback, return_info=return_info, n_threads=n_threads,
        geometry=geometry, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode, sym=sym,
        parameters=parameter_defaults(agla, alpha=alpha, beta=beta, gamma=gamma),
    )  # fmt: skip
    with run:
        run.start_signal()  # x_1 = ISTFT(P_C2(c_0)) = ISTFT(c_0), c_0 = S exp(i phi_0)
        if not run.measure:
            _iterate_on_signals(run, n_iter, alpha, beta, gamma)
            return run.result()
        if gamma == 1:  # d_n is never used: FGLA's update with momentum alpha (two passes a block)
            scaled_previous = run.new_state() if alpha else None  # -k t_{n-1}, 0 before the plain first step
            if scaled_previous is not None:
                scaled_previous.fill(0)
            run.iterate(n_iter, run.momentum_update(scaled_previous, alpha / (1.0 + alpha)))
            return run.result()
        # The update of the module docstring, unscaled (P = P_C1(P_C2(c_{n-1}))):
        #   t_n = (1 - gamma) d_{n-1} + gamma P
        #   c_n = t_n + alpha (t_n - t_{n-1})
        #   d_n = t_n + beta (t_n - t_{n-1})
        # Two full-size arrays, kept scaled so that every step is one pass:
        #   kept_t = scale_t t_{n-1},  kept_d = d_{n-1} / (G (1 + beta))
        # with G = gamma and scale_t = -k / G, k = alpha / (1 + alpha) (-1 / G when k is 0 or tiny). Then
        #   P + relax kept_d              = t_n / G,                relax = (1 - gamma)(1 + beta)
        #   t_n / G + kept_t              = c_n / ((1 + alpha) G)   (only its phase is used)
        #   t_n / G + scale_step kept_t   = d_n / (G (1 + beta)),   scale_step = -beta / (G (1 + beta) scale_t)
        # The constants would overflow float32 for a tiny alpha or gamma: below 1e-3, scale_t = -1 / G
        # and c_n costs one pass more (t_n / G + k kept_t); for gamma, G = 1 and P is first
        # multiplied by gamma (one pass more).
        small = 1e-3
        scale_input = gamma if gamma < small else None  # P *= gamma first, then G = 1
        G = 1.0 if scale_input is not None else gamma
        k = alpha / (1.0 + alpha)
        one_add = k >= small  # c_n in one pass
        scale_t = -k / G if one_add else -1.0 / G
        scale_step = -beta / (G * (1.0 + beta) * scale_t)
        relax = (1.0 - gamma) * (1.0 + beta)
        kept_t = run.new_state()
        kept_d = run.new_state()

        def update(b: int, frames: slice, consistent: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
            # consistent = P_C1(P_C2(c_{n-1})) on this block; modulus = its |.| (None if the sweep did not measure)
            t_prev, d_prev = kept_t[b, frames], kept_d[b, frames]
            if run.iteration == 1:
                # t_0 = d_0 = t_1: t_1 = P_C1(P_C2(c_0)), c_1 = d_1 = t_1 (a plain GLA step)
                np.multiply(consistent, scale_t, out=t_prev)  # a t_1
                np.multiply(consistent, 1.0 / (G * (1.0 + beta)), out=d_prev)  # d_1 / (G (1 + beta))
                if modulus is None:  # not measured by this sweep
                    modulus = scratch.abs(consistent)
                return run.project(consistent, modulus, b, frames, scratch)  # P_C2(c_1)
            if scale_input is not None:
                consistent *= scale_input
            d_prev *= relax
            consistent += d_prev  # t_n / G
            if not alpha:
                direction = consistent  # c_n = t_n
            elif one_add:
                direction = np.add(consistent, t_prev, out=scratch.spare[: consistent.shape[0]])  # c_n / ((1 + alpha) G)
            else:
                direction = np.multiply(t_prev, k, out=scratch.spare[: consistent.shape[0]])
                direction += consistent  # c_n / ((1 + alpha) G)
            np.multiply(t_prev, scale_step, out=d_prev)
            d_prev += consistent  # d_n / (G (1 + beta))
            np.multiply(consistent, scale_t * G, out=t_prev)  # a t_n
            return run.project(direction, scratch.abs(direction), b, frames, scratch)  # P_C2(c_n)

        run.iterate(n_iter, update)
    return run.result()


def _iterate_on_signals(run: IterativeRun, n_iter: int, alpha: float, beta: float, gamma: float) -> None:
    """AGLA with its two sequences kept as signals (see the module docstring).

    Before sweep ``n`` the engine holds ``x_n``; it is overwritten by the signal to analyse,
    ``tau_n - k tau_{n-1}`` with ``k = alpha / (1 + alpha)`` (``(1 + alpha)^-1`` times
    ``tau_n + alpha (tau_n - tau_{n-1})``: the same phase, and only the phase of ``c_n`` is
    used). The padded signals are combined padding included: every pad mode is linear.
    """
    engine = run.engine
    k = alpha / (1.0 + alpha)
    tau: Optional[np.ndarray] = None  # tau_{n-1}  (batch, padded length)
    delta: Optional[np.ndarray] = None  # delta_{n-1}, unused when gamma = 1

    def one_iteration(iteration: int) -> None:  # the sweep does not measure: nothing to return
        nonlocal tau, delta
        x = engine.signal  # x_n
        if iteration == 1:  # tau_1 = delta_1 = x_1 (t_0 = d_0 = t_1): a plain GLA step
            tau = x.copy()
            delta = x.copy() if gamma != 1 else np.empty_like(x)
        else:
            assert tau is not None and delta is not None  # made by iteration 1
            if gamma != 1:  # tau_n = (1 - gamma) delta_{n-1} + gamma x_n, in delta's place
                delta *= 1.0 - gamma
                x *= gamma
                delta += x
            else:
                np.copyto(delta, x)
            tau_n = delta
            np.multiply(tau, -k, out=x)
            x += tau_n  # the signal to analyse: tau_n - k tau_{n-1}
            if gamma != 1:  # delta_n = (1 + beta) tau_n - beta tau_{n-1}, in tau_{n-1}'s place
                tau *= -beta / (1.0 + beta)
                tau += tau_n
                tau *= 1.0 + beta
            tau, delta = tau_n, tau
        engine.sweep(run.projection_step, measure=False)  # x_{n+1} = ISTFT(P_C2(c_n))

    run.iterate(n_iter, step=one_iteration)
