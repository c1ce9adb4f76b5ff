"""The difference map (Elser 2003), alone and followed by fast Griffin-Lim.

Notation: ``A`` is the set of spectrograms with the target magnitude ``S``,
``P_A(c) = S c / |c|``; ``C`` the consistent spectrograms, ``P_C(c) = STFT(ISTFT(c))``
(:mod:`gl.griffinlim`'s ``P_C2`` and ``P_C1``).
The difference map with parameter ``beta`` iterates::

    f_A(c)  = P_A(c) + (P_A(c) - c) / beta
    f_C(c)  = P_C(c) - (P_C(c) - c) / beta
    c_{n+1} = c_n + beta [P_C(f_A(c_n)) - P_A(f_C(c_n))]
    x_n     = ISTFT(P_A(c_n))

Peer, Welker and Gerkmann (2022) found it converges to better points than GLA but
slowly at the end, and proposed running it first and then switching to GLA: the
hybrid :func:`difference_map_fgla` runs ``n_dm`` DM iterations, then fast Griffin-Lim
(momentum 0.99, or 0 for plain GLA as in the paper) from the DM output. The literal
full-array form of both, for reading beside the equations, is ``Naive.dm`` in
``tests/test_algorithms.py``, which the tests hold the code to.

Cost: two sweeps per DM iteration
---------------------------------
Write ``a_n = P_A(c_n)``, ``b_n = P_A(f_C(c_n))`` and ``p_n = P_C(c_n)``. As ``P_C`` is
linear, ``P_C(f_A(c_n)) = ((1 + beta) P_C(a_n) - p_n) / beta`` and
``f_C(c_n) = ((beta - 1) p_n + c_n) / beta``, so::

    c_{n+1} = c_n + (1 + beta) P_C(a_n) - p_n - beta b_n
    p_{n+1} = (1 + beta) P_C(a_n) - beta P_C(b_n)

Each iteration needs ``P_C`` of two new, nonlinear quantities, ``a_n`` and ``b_n``:
two sweeps of :class:`gl._engine.SweepEngine`. Sweep 1 analyses ``ISTFT(a_n)`` (the
output, so it also measures it) and synthesises ``beta b_n``; sweep 2 analyses
``ISTFT(beta b_n)`` and synthesises ``a_{n+1}``. A DM iteration therefore costs as much as
two GLA iterations and the passes over the state. Those are fewest with the state
``c_n`` and ``u_n = c_n - p_n`` (the inconsistent part), for which the updates read::

    b_n     = P_A(c_n + (1 - beta) / beta u_n)        (the argument is f_C(c_n) = p_n + u_n / beta)
    u_n'    = u_n - beta b_n                           (sweep 1)
    c_{n+1} = u_n' + (1 + beta) P_C(a_n)               (sweep 1)
    u_{n+1} = u_n' + P_C(beta b_n)                     (sweep 2)

seven passes over complex blocks in sweep 1 and three in sweep 2, against fifteen for
``c_n`` and ``p_n`` (5-12 % off a DM iteration at n_fft 1024, 3-6 % off gl.reconstruct). State: two
full-size complex arrays (one, FGLA's ``t_{n-1}``, after the switch).

References
----------
V. Elser, "Phase retrieval by iterated projections", J. Opt. Soc. Am. A 20(1), 2003.
T. Peer, S. Welker and T. Gerkmann, "Beyond Griffin-Lim: improved iterative phase
retrieval for speech", IWAENC 2022.

Examples
--------
A voiced sound (seven harmonics gliding from 150 to 250 Hz, faded in and out), from the
same three random starts, at the cost of 60 GLA iterations (a DM iteration costs two):

>>> import numpy as np
>>> import gl
>>> t = np.arange(4000) / 8000                                   # 0.5 s at 8 kHz
>>> x = np.hanning(4000) * sum(np.sin(2 * np.pi * k * (150 * t + 100 * t**2)) / k for k in range(1, 8))
>>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
>>> def db(method, **options):                                   # spectral convergence; a random start
...     runs = [gl.reconstruct(S, method=method, rng=seed, init="random", length=len(x), n_fft=256, hop_length=64,
...                            return_info=True, **options) for seed in range(3)]
...     return [round(info.final_db) for _, info in runs]
>>> db("gla", n_iter=60)
[-24, -23, -20]
>>> db("dm_fgla", n_iter=40, n_dm=20, momentum=0)               # 20 DM, then 20 GLA: the paper's hybrid
[-26, -27, -25]
>>> db("fgla", n_iter=60)
[-32, -31, -29]
>>> db("dm_fgla", n_iter=40, n_dm=20)                           # 20 DM, then 20 fast GLA
[-33, -34, -30]

The gain over plain GLA is the paper's, and holds at other costs; the lead over fast
Griffin-Lim is smaller and depends on the budget (over seeds 0-4 at this cost 1 to 3.5 dB;
level at 140 GLA iterations' worth with ``n_dm=40``, 1 dB behind at 80). Its place as gl's
default comes from the PGHI start on speech (:data:`gl.reconstruct.DEFAULT_METHOD`).
``init="random"`` is needed for ``dm_fgla``: as the default method it starts from PGHI's phase.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, overload

import numpy as np

from ._iterative import Callback, InitSpec, PhaseRetrievalInfo, RngSpec, check_momentum, check_n_iter, check_real, check_tol
from ._run import IterativeRun, parameter_defaults
from .transform import STFT, PadMode
from .windows import WindowSpec

__all__ = ["difference_map", "difference_map_fgla"]


def check_dm_beta(beta) -> float:
    """The difference map's parameter: a real number in (0, 1]."""
    checked = check_real("beta", beta, "in (0, 1]")
    if not 0 < checked <= 1:
        raise ValueError(f"beta={beta} must be in (0, 1]")
    return checked


def _run(
    method: str,
    S,
    n_iter: int,
    n_dm: int,
    beta: float,
    momentum: float,
    init: InitSpec,
    rng,
    length: Optional[int],
    tol: Optional[float],
    callback: Optional[Callback],
    return_info: bool,
    n_threads: Optional[int],
    geometry: Optional[STFT],
    n_fft: Optional[int],
    hop_length: Optional[int],
    win_length: Optional[int],
    window: WindowSpec,
    center: bool,
    pad_mode: PadMode,
    sym: bool,
):
    """``n_dm`` difference-map iterations, then ``n_iter - n_dm`` FGLA iterations."""
    run = IterativeRun(
        method, S, init=init, rng=rng, length=length, tol=tol, callback=callback, return_info=return_info, n_threads=n_threads,
        geometry=geometry, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode, sym=sym,
        parameters=parameter_defaults(difference_map, beta=beta) if method == "dm"
        else parameter_defaults(difference_map_fgla, beta=beta, momentum=momentum),
    )  # fmt: skip
    if method == "dm_fgla":  # tol watches the fast Griffin-Lim iterations only: the difference map is a prelude
        run.tracker.tol_from = n_dm + 1
    with run:
        iterate: Optional[np.ndarray] = run.new_state()  # c_n, from c_0 = S exp(i phi_0)  (batch, n_frames, n_freq)
        run.start_signal(keep=iterate)  # x_0 = ISTFT(a_0), a_0 = P_A(c_0) = c_0
        inconsistent = run.new_state() if n_dm > 0 else None  # u_n = c_n - P_C(c_n)
        weight = (1.0 - beta) / beta

        def dm_first_half(b: int, frames: slice, consistent: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
            # consistent = P_C(a_n) on this block; returns beta b_n = beta P_A(f_C(c_n))
            assert iterate is not None and inconsistent is not None  # freed after the difference map only
            count = consistent.shape[0]
            c = iterate[b, frames]
            u = inconsistent[b, frames]
            if run.iteration == 1:
                np.subtract(c, consistent, out=u)  # u_0 = c_0 - P_C(c_0), P_C(c_0) = P_C(a_0)
            f_c = np.multiply(u, weight, out=scratch.spare[:count])
            f_c += c  # f_C(c_n) = p_n + u_n / beta = c_n + (1 - beta) / beta u_n
            run.project(f_c, scratch.abs(f_c), b, frames, scratch, scale=beta)  # now beta b_n = beta P_A(f_C(c_n))
            u -= f_c  # u_n' = u_n - beta b_n
            np.multiply(consistent, 1.0 + beta, out=c)
            c += u  # c_{n+1} = u_n' + (1 + beta) P_C(a_n)
            return f_c  # synthesised so that sweep 2 sees P_C(beta b_n)

        def dm_second_half(b: int, frames: slice, consistent: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
            # consistent = P_C(beta b_n) on this block; returns a_{n+1} = P_A(c_{n+1})
            assert iterate is not None and inconsistent is not None  # freed after the difference map only
            c = iterate[b, frames]
            inconsistent[b, frames] += consistent  # u_{n+1} = u_n' + P_C(beta b_n)
            return run.project(c, scratch.abs(c), b, frames, scratch, out=consistent)

        # after the switch, measuring, c_n's array is reused for -k t_{n-1}, k = alpha / (1 + alpha),
        # the state of gl.griffinlim's update on the spectrograms (its first step, from 0, a plain GLA step)
        k = momentum / (1.0 + momentum)
        fgla_step = None

        # not measuring, FGLA takes its momentum step on the signals, as gl.griffinlim does:
        # c_n = STFT(x_n - k x_{n-1}), k = alpha / (1 + alpha) (the phase of t_n + alpha (t_n - t_{n-1}))
        on_signals = momentum > 0 and not run.measure

        def one_iteration(iteration: int) -> Optional[np.ndarray]:
            nonlocal inconsistent, iterate, fgla_step
            if iteration <= n_dm:
                squared_error = run.engine.sweep(dm_first_half, run.measure)  # measures x_{iteration-1} = ISTFT(a_{iteration-1})
                run.engine.sweep(dm_second_half, measure=False)  # makes x_iteration (its error is not needed)
                return squared_error
            inconsistent = None  # free u_n after the switch
            if not on_signals:
                if fgla_step is None:  # the switch
                    scaled_previous = iterate if momentum > 0 else None  # -k t_{n-1}; plain GLA keeps nothing
                    iterate = None
                    if scaled_previous is not None:
                        scaled_previous.fill(0)  # t_0 = 0
                    fgla_step = run.momentum_update(scaled_previous, k)
                return run.engine.sweep(fgla_step, run.measure)
            if iteration == n_dm + 1:  # the plain first step; from now on the engine keeps x_{n-1}
                iterate = None
                run.engine.keep_previous()
                return run.engine.sweep(run.projection_step, measure=False)
            return run.engine.sweep(run.projection_step, measure=False, previous_weight=k)

        run.iterate(n_iter, step=one_iteration)
    return run.result()


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def difference_map(S: Any, *, n_iter: int = ..., beta: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
                   length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
                   return_info: Literal[False] = ..., n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
                   n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
                   window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
                   sym: bool = ...) -> np.ndarray: ...
@overload
def difference_map(S: Any, *, n_iter: int = ..., beta: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
                   length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
                   return_info: Literal[True], n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
                   n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
                   window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
                   sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def difference_map(S: Any, *, n_iter: int = ..., beta: float = ..., init: InitSpec = ..., rng: RngSpec = ...,
                   length: Optional[int] = ..., tol: Optional[float] = ..., callback: Optional[Callback] = ...,
                   return_info: bool = ..., n_threads: Optional[int] = ..., geometry: Optional[STFT] = ...,
                   n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
                   window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> Any: ...
def difference_map(
    S,
    *,
    n_iter: int = 100,
    beta: float = 0.7,
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
    r"""Recover a signal from an STFT magnitude by the difference map.

    With :math:`P_A(c) = S\,c/|c|`, :math:`P_C(c) = \mathrm{STFT}(\mathrm{ISTFT}(c))`,
    :math:`f_A = P_A + (P_A - I)/\beta` and :math:`f_C = P_C - (P_C - I)/\beta`,

    .. math::

        c_{n+1} = c_n + \beta\,\bigl[P_C(f_A(c_n)) - P_A(f_C(c_n))\bigr],
        \qquad x = \mathrm{ISTFT}(P_A(c_N)),

    from :math:`c_0 = S e^{i\phi_0}`. Each iteration costs two STFTs and two ISTFTs
    (twice a GLA iteration; see the module notes).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude. Leading axes are batch axes; float32 stays float32.
    n_iter : int >= 0
        Number of iterations.
    beta : float in (0, 1]
        The difference map's parameter, default 0.7. Measured on gl's dev corpus (6 clips,
        4 s, Hann 1024 / hop 256, mean after 100 iterations) from a random phase, the
        default start: 0.5 -26.7 dB, 0.7 -27.9, 0.9 -26.8, 1.0 -26.8; from the PGHI
        phase 0.5 is better: 0.5 -32.7 dB, 0.7 -31.8, 0.9 -30.1, 1.0 -29.4.
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
        :math:`\mathrm{ISTFT}(P_A(c_n))`, the last row that of ``y``.

    References
    ----------
    V. Elser, "Phase retrieval by iterated projections", J. Opt. Soc. Am. A 20(1), 2003.
    T. Peer, S. Welker and T. Gerkmann, "Beyond Griffin-Lim: improved iterative phase
    retrieval for speech", IWAENC 2022.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.diffmap import difference_map
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t)   # a decaying tone
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = difference_map(S, n_fft=512, hop_length=128, n_iter=40, rng=0, length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((8000,), 40)
    >>> _, fgla = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=40, rng=0, length=len(x), return_info=True)
    >>> print(f"DM {info.final_db:.1f} dB, fast GLA {fgla.final_db:.1f} dB")  # spectral convergence, same start
    DM -31.1 dB, fast GLA -28.9 dB
    """
    n_iter = check_n_iter(n_iter)
    beta = check_dm_beta(beta)
    tol = check_tol(tol)
    return _run(
        "dm", S, n_iter, n_iter, beta, 0.0, init, rng, length, tol, callback, return_info, n_threads,
        geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym,
    )  # fmt: skip


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def difference_map_fgla(S: Any, *, n_iter: int = ..., n_dm: int = ..., beta: float = ..., momentum: float = ...,
                        init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
                        callback: Optional[Callback] = ..., return_info: Literal[False] = ...,
                        n_threads: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
                        hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
                        center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> np.ndarray: ...
@overload
def difference_map_fgla(S: Any, *, n_iter: int = ..., n_dm: int = ..., beta: float = ..., momentum: float = ...,
                        init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
                        callback: Optional[Callback] = ..., return_info: Literal[True],
                        n_threads: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
                        hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
                        center: bool = ..., pad_mode: PadMode = ...,
                        sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def difference_map_fgla(S: Any, *, n_iter: int = ..., n_dm: int = ..., beta: float = ..., momentum: float = ...,
                        init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
                        callback: Optional[Callback] = ..., return_info: bool = ..., n_threads: Optional[int] = ...,
                        geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
                        win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ...,
                        pad_mode: PadMode = ..., sym: bool = ...) -> Any: ...
def difference_map_fgla(
    S,
    *,
    n_iter: int = 100,
    n_dm: int = 40,
    beta: float = 0.8,
    momentum: float = 0.99,
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
    r"""The difference map for ``n_dm`` iterations, then fast Griffin-Lim (Peer et al.'s hybrid).

    Iterations :math:`1 \dots n_{dm}` are those of :func:`difference_map`; from the
    signal :math:`\mathrm{ISTFT}(P_A(c_{n_{dm}}))` the remaining
    :math:`N - n_{dm}` iterations are fast Griffin-Lim,

    .. math::

        t_n = P_C(P_A(c_{n-1})), \qquad c_n = t_n + \alpha\,(t_n - t_{n-1}),

    whose first step is a plain GLA step (:math:`c_{n_{dm}+1} = t_{n_{dm}+1}`).
    ``momentum=0`` gives the paper's DM-then-GLA. From the PGHI phase this is gl's
    default method (``gl.reconstruct(S)``): the best of every method x init measured on
    gl's dev corpus after 100 and 300 iterations (``benchmarks/explore_default.py``).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude. Leading axes are batch axes; float32 stays float32.
    n_iter : int >= 0
        Total number of iterations (DM and FGLA).
    n_dm : int >= 0
        Difference-map iterations before the switch, default 40 (all ``n_iter`` are DM
        when ``n_iter <= n_dm``, so a shorter run is the start of a longer one). Each
        costs two GLA iterations.
    beta : float in (0, 1]
        The difference map's parameter, default 0.8 (with ``n_dm=40``, the best of the
        values measured on gl's dev corpus with the PGHI initial phase).
    momentum : float >= 0
        FGLA's :math:`\alpha` after the switch, default 0.99 (0 is GLA).
    init, rng, length
        As in :func:`gl.griffinlim`.
    tol : float in (0, 1), optional
        As in :func:`gl.griffinlim`, counting the fast Griffin-Lim iterations only: the
        difference map's spectral convergence creeps up and down, and the switch gains far
        more than a stalled difference map suggests.
    callback, return_info, n_threads
        As in :func:`gl.griffinlim`.
    geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym
        The STFT geometry, as in :func:`gl.griffinlim`.

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``; the history of the signal after each iteration,
        DM or FGLA, the last row that of ``y``.

    References
    ----------
    T. Peer, S. Welker and T. Gerkmann, "Beyond Griffin-Lim: improved iterative phase
    retrieval for speech", IWAENC 2022.
    V. Elser, "Phase retrieval by iterated projections", J. Opt. Soc. Am. A 20(1), 2003.
    N. Perraudin, P. Balazs and P. L. Sondergaard, "A fast Griffin-Lim algorithm",
    IEEE WASPAA 2013.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.diffmap import difference_map_fgla
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t)   # a decaying tone
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = difference_map_fgla(S, n_fft=512, hop_length=128, n_iter=50, n_dm=10, rng=0,
    ...                               length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((8000,), 50)
    >>> _, fgla = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> print(f"DM + fast GLA {info.final_db:.1f} dB, fast GLA {fgla.final_db:.1f} dB")  # spectral convergence, same start
    DM + fast GLA -35.5 dB, fast GLA -32.9 dB
    """
    n_iter = check_n_iter(n_iter)
    if isinstance(n_dm, bool) or not isinstance(n_dm, (int, np.integer)):
        raise TypeError(f"n_dm={n_dm!r} must be an integer")
    if n_dm < 0:
        raise ValueError(f"n_dm={n_dm} must be >= 0")
    beta = check_dm_beta(beta)
    momentum = check_momentum(momentum)
    tol = check_tol(tol)
    return _run(
        "dm_fgla", S, n_iter, min(int(n_dm), n_iter), beta, momentum, init, rng, length, tol, callback, return_info, n_threads,
        geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym,
    )  # fmt: skip
