"""Griffin-Lim (GLA) and fast Griffin-Lim (FGLA).

Notation: ``S`` is the target magnitude, ``P_C2(c) = S c / |c|`` keeps the phase of
``c`` and imposes the magnitude, ``P_C1(c) = STFT(ISTFT(c))`` projects onto the
spectrograms of real signals (the *consistent* ones).

GLA (Griffin and Lim 1984) alternates the two projections,
``c_n = P_C1(P_C2(c_{n-1}))``; its spectral convergence never increases (measured over the
two-sided spectrum; the one-sided figure can rise by about 1e-6 of itself). FGLA
(Perraudin, Balazs and Sondergaard 2013) adds momentum to the consistent iterate::

    t_n = P_C1(P_C2(c_{n-1}))
    c_n = t_n + alpha (t_n - t_{n-1})        (t_0 = 0; alpha = 0 is GLA)
    x   = ISTFT(P_C2(c_N))

The code runs that update one block of frames at a time (the loop is
``gl._run.IterativeRun.iterate``, the block sweep ``gl._engine``); its literal full-array
form, for reading beside the equations, is ``Naive.fgla`` in ``tests/test_algorithms.py``,
which the tests hold gl to.
Since the STFT is linear and every ``t_n = STFT(x_n)`` is the STFT of the signal
``x_n = ISTFT(P_C2(c_{n-1}))``, the momentum step can also be taken on the signals::

    c_n = STFT(x_n + alpha (x_n - x_{n-1}))          (x_0 = 0, as t_0 = 0)

(the code takes librosa's form, ``STFT(x_n - k x_{n-1})`` with ``k = alpha / (1 + alpha)``,
this divided by ``1 + alpha``: the same phase). That is what runs when nothing measures
``|t_n|`` (no ``return_info``, ``tol`` or ``callback``): a signal holds ``hop / n_fft`` of
the numbers of a spectrogram, so the step is cheaper and no spectrogram ``t_{n-1}`` has to
be stored. The two forms give the same iterates up to rounding.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, overload

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import check_choice
from ._iterative import Callback, InitSpec, PhaseRetrievalInfo, RngSpec, check_momentum, check_n_iter, from_random_state
from ._run import IterativeRun, parameter_defaults
from .transform import STFT, PadMode
from .windows import WindowSpec

__all__ = ["griffinlim", "METHODS"]

#: The methods :func:`griffinlim` runs.
METHODS = ("gla", "fgla")


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def griffinlim(S: Any, *, method: Literal["gla", "fgla"] = ..., n_iter: int = ..., momentum: float = ...,
               init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
               callback: Optional[Callback] = ..., return_info: Literal[False] = ...,
               n_threads: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
               hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
               center: bool = ..., pad_mode: PadMode = ..., sym: bool = ..., random_state: RngSpec = ...,
               dtype: Optional[DTypeLike] = ...) -> np.ndarray: ...
@overload
def griffinlim(S: Any, *, method: Literal["gla", "fgla"] = ..., n_iter: int = ..., momentum: float = ...,
               init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
               callback: Optional[Callback] = ..., return_info: Literal[True],
               n_threads: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
               hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
               center: bool = ..., pad_mode: PadMode = ..., sym: bool = ..., random_state: RngSpec = ...,
               dtype: Optional[DTypeLike] = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def griffinlim(S: Any, *, method: Literal["gla", "fgla"] = ..., n_iter: int = ..., momentum: float = ...,
               init: InitSpec = ..., rng: RngSpec = ..., length: Optional[int] = ..., tol: Optional[float] = ...,
               callback: Optional[Callback] = ..., return_info: bool = ...,
               n_threads: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
               hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
               center: bool = ..., pad_mode: PadMode = ..., sym: bool = ..., random_state: RngSpec = ...,
               dtype: Optional[DTypeLike] = ...) -> Any: ...
def griffinlim(
    S,
    *,
    method: Literal["gla", "fgla"] = "fgla",
    n_iter: int = 100,
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
    random_state: RngSpec = None,
    dtype: Optional[DTypeLike] = None,
):
    r"""Recover a signal from an STFT magnitude by (fast) Griffin-Lim.

    With :math:`P_{C_2}(c) = S\,c/|c|` (impose the magnitude, keep the phase) and
    :math:`P_{C_1}(c) = \mathrm{STFT}(\mathrm{ISTFT}(c))` (nearest consistent
    spectrogram), fast Griffin-Lim iterates

    .. math::

        t_n = P_{C_1}(P_{C_2}(c_{n-1})), \qquad
        c_n = t_n + \alpha\,(t_n - t_{n-1}), \qquad
        x = \mathrm{ISTFT}(P_{C_2}(c_N)),

    from :math:`c_0 = S e^{i\phi_0}` and :math:`t_0 = 0`. With :math:`\alpha = 0` it is
    plain Griffin-Lim, whose spectral convergence never increases (in the two-sided
    spectrum's norm; the one-sided figure by a hair at most).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude (not power, not dB). Leading axes are batch axes.
        float32 is computed and returned in float32.
    method : {'fgla', 'gla'}
        Fast Griffin-Lim (default) or plain Griffin-Lim (``momentum`` is then unused).
    n_iter : int >= 0
        Number of iterations (default 100; librosa's default is 32).
    momentum : float >= 0
        FGLA's :math:`\alpha` (default 0.99, as librosa). Values above 1 warn.
    init : {'random', 'zeros'} or np.ndarray
        Initial phase :math:`\phi_0`: ``'random'`` draws ``2 pi rng.random(S.shape)``
        (the same draw as librosa, so the same generator gives the same start),
        ``'zeros'`` (or None) starts from zero phase, a real array gives phases in
        radians, a complex array its phase. Never modified. Real coefficients (such as
        ``S (-1)^k``) are not phases: pass them complex; a real array equal to ``S`` up
        to sign is read as phases with a warning that says so.
    rng : None, int, np.random.Generator or np.random.RandomState
        Seed (for ``np.random.default_rng``) or generator for ``init='random'``.
    length : int, optional
        Length of the output signal; must give ``n_frames`` frames. Default: the
        length :meth:`STFT.default_length` gives (librosa's).
    tol : float in (0, 1), optional
        Stop when the spectral convergence changes by less than ``tol`` (relative)
        from one iteration to the next, three iterations in a row, for every batch item
        (one small change can be chance where a method's curve turns). Like the callback,
        ``tol`` learns of iteration ``n`` while ``n + 1`` is done: the run that the change
        into iteration ``n`` stops returns iteration ``n + 1``'s signal, with
        ``info.n_iter = n + 1`` (the four values it decided on are the history's rows
        ``-5`` to ``-2``).
    callback : callable, optional
        ``callback(iteration, info)`` after each iteration, with ``info`` a
        :class:`~gl.PhaseRetrievalInfo` holding the history so far (shaped as it will be
        returned); return True (or a numpy bool, or an array of them all True) to stop.
        The spectral convergence of iteration ``n`` comes from the STFT that iteration
        ``n + 1`` makes, so the callback sees iteration ``n`` while ``n + 1`` is done: a
        run stopped there returns that newer signal, with ``info.n_iter = n + 1`` and its
        own spectral convergence as the last row (the callback sees that row too).
    return_info : bool
        Also return the :class:`~gl.PhaseRetrievalInfo`.
    n_threads : int, optional
        Threads to split the frames over (numpy's FFT releases the GIL). Default: 2 when
        the process may run on 2 or more cores (its CPU affinity, and a container's CPU
        quota) and the frames times ``n_fft`` make at least 2^18 (256 frames of 1024, 128
        of 2048, 1024 of 256), else 1. The environment variable ``GL_NUM_THREADS`` replaces
        that 2 (and the cores): ``GL_NUM_THREADS=1`` keeps every call that is not given
        ``n_threads`` on its caller's thread.
        A batch that shares out between the threads (a multiple of their number, or at least
        3 items a thread: for the default 2 threads, an even number of items or 6 or more)
        gives each thread whole items, and then the frames of the whole batch count;
        otherwise each item's frames are split between the threads. The result is the same,
        bit for bit, for any number of threads, except with a window whose sum vanishes
        somewhere (NOLA fails, which :class:`gl.STFT` warns about) and three or more frames
        over each sample: there the split changes the order of a few additions (the samples
        two threads' frames share), the results agree to rounding (1e-16 relative in float64, 1e-7 in
        float32, per iteration), and rounding differences can grow over many iterations
        of the difference map (to several % of the peak in float32); pass ``n_threads``
        explicitly for results that do not depend on the machine's cores. Each call starts
        its threads and stops them before it returns; more than 64 are taken as 64. A
        server that runs several calls at once may prefer ``n_threads=1``, so that the calls,
        not their threads, share the cores.
    geometry : gl.STFT, optional
        The STFT geometry; or give it by the keywords below.
    n_fft, hop_length, win_length, window, center, pad_mode, sym
        The geometry's parameters, as in :class:`gl.STFT` (``n_fft`` defaults to
        ``2 * (n_freq - 1)``, as in librosa; give it for an odd size). Not with ``geometry``.
    random_state : None, int, np.random.Generator or np.random.RandomState
        librosa 0.10 and 0.11's name for the seed, with their meaning, so that a call moves
        over unchanged: an int seeds a legacy ``np.random.RandomState`` (``rng=0`` seeds
        ``np.random.default_rng``, another stream). librosa 1.0 renamed it ``rng``, read as
        gl's ``rng`` (an int seeds ``np.random.default_rng``), and kept ``random_state`` as
        a deprecated alias of it: a call written for librosa 1.0 moves over with ``rng``.
        Give ``rng`` or ``random_state``, not both.
    dtype : np.float32 or np.float64, optional
        Precision of the returned signal, as librosa's ``dtype`` (default: that of ``S``).
        The iterations run in the precision of ``S`` (librosa rounds its signal to
        ``dtype`` in every iteration: the results differ by that rounding).

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``. ``info.spectral_convergence[n - 1]`` is
        :math:`\| |\mathrm{STFT}(y_n)| - S \|_F / \|S\|_F` of the signal after iteration
        ``n``, :math:`y_n = \mathrm{ISTFT}(P_{C_2}(c_n))` (the module's :math:`x_{n+1}`),
        computed from the STFT the next iteration makes anyway; the last row is that of
        ``y``.

    Notes
    -----
    Differences from ``librosa.griffinlim``: ``n_iter`` defaults to 100; gl's own seed
    keyword is ``rng`` (an int seeds ``np.random.default_rng``: the same draw as librosa
    1.0's ``rng``), while ``random_state`` keeps librosa 0.10 and 0.11's meaning (an int
    seeds ``np.random.RandomState``: the same draw as theirs; librosa 1.0's deprecated
    ``random_state`` is its ``rng``); ``init`` also takes an array; ``tol``, ``callback``, ``return_info``,
    ``method`` and ``n_threads`` are new; a near-zero window sum zeroes samples instead
    of inflating them. librosa writes the momentum step as
    ``c = t_n - m/(1+m) t_{n-1}``, which has the phase of FGLA's ``c_n`` with
    :math:`\alpha = m`; since only the phase of ``c_n`` is used, the iterates are the
    same. phaseret extrapolates the magnitude-projected iterate instead, which gives the
    same iterates from a different starting point, and returns ``ISTFT(c_N)``, the
    extrapolated iterate, where gl returns ``ISTFT(P_C2(c_N))`` (greasy, Blackman 1024 / hop
    128, 100 iterations from phaseret's test's start: -35.2 dB for phaseret's loop written
    out with gl's STFT, -35.4 for gl). gl and librosa sum in
    different orders: from the same start the signals agree to 1e-10 at most after 100
    iterations on the dev corpus from ``np.random.default_rng(0)``'s draw, but fast
    Griffin-Lim can amplify rounding (d01 from ``default_rng(1)``'s draw: 4e-9; d02 from
    ``random_state=0``'s: 9e-8, float64, 100 iterations; 1e-3 of the peak in float32). librosa does so to itself: from that start
    turned by 1e-15 rad, its result moves by 1.6e-8 (``benchmarks/convergence.py``
    measures both, start by start).

    ``torchaudio.transforms.GriffinLim`` runs librosa's iteration with ``pad_mode='reflect'``
    and its own start: ``rand_init=False`` is ``init='zeros'`` here (with
    ``geometry=gl.STFT(..., pad_mode='reflect')`` the signals agree to 1e-8, float64), and
    ``rand_init=True`` draws the real and imaginary parts uniform on [0, 1), so its
    phases all lie in the first quadrant.

    References
    ----------
    D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier
    transform", IEEE Trans. ASSP 32(2), 1984.
    N. Perraudin, P. Balazs and P. L. Sondergaard, "A fast Griffin-Lim algorithm",
    IEEE WASPAA 2013.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-3 * t)   # a decaying tone
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=50, rng=0, length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((8000,), 50)
    >>> _, plain = gl.griffinlim(S, n_fft=512, hop_length=128, n_iter=50, rng=0, method="gla", length=len(x),
    ...                         return_info=True)
    >>> print(f"fast GLA {info.final_db:.1f} dB, GLA {plain.final_db:.1f} dB")  # spectral convergence, same start
    fast GLA -32.9 dB, GLA -23.8 dB
    """
    check_choice("method", method, METHODS)
    if method not in METHODS:
        raise ValueError(f"method={method!r} is unknown; griffinlim runs {', '.join(METHODS)}")
    n_iter = check_n_iter(n_iter)
    if random_state is not None:
        rng = from_random_state(random_state, rng)
    output_dtype = _check_output_dtype(dtype)
    alpha = check_momentum(momentum)  # checked even where unused: momentum=-1 is an error with either method
    if method == "gla":
        alpha = 0.0
    run = IterativeRun(
        method, S, init=init, rng=rng, length=length, tol=tol, callback=callback, return_info=return_info, n_threads=n_threads,
        geometry=geometry, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
        center=center, pad_mode=pad_mode, sym=sym, parameters=parameter_defaults(griffinlim, momentum=alpha) if alpha else None,
    )  # fmt: skip
    with run:
        run.start_signal()  # x_1 = ISTFT(P_C2(c_0)) = ISTFT(S exp(i phi_0)) (the engine's x_0: gl._run's notes)
        if alpha == 0:  # plain GLA: c_n = t_n, the update is P_C2 alone
            run.iterate(n_iter, run.projection_step)  # x_{n+1} = ISTFT(P_C2(t_n))
            return _cast(run.result(), output_dtype)
        # librosa's form of the momentum step: c_n = t_n - k t_{n-1}, k = alpha / (1 + alpha),
        # is (1 + alpha)^-1 times FGLA's c_n = t_n + alpha (t_n - t_{n-1}): the same phase, and
        # only the phase of c_n is used.
        k = alpha / (1.0 + alpha)
        if not run.measure:  # on the signals: c_n = STFT(x_n - k x_{n-1})
            run.engine.keep_previous()
            run.iterate(n_iter, run.projection_step, previous_weight=k)  # x_{n+1} = ISTFT(P_C2(c_n))
            return _cast(run.result(), output_dtype)
        # on the spectrograms, where |t_n| is measured anyway: we keep -k t_{n-1}, so that one add makes c_n
        scaled_previous = run.new_state()  # -k t_{n-1}  (batch, n_frames, n_freq)
        scaled_previous.fill(0)  # t_0 = 0: the first step is a plain GLA step
        run.iterate(n_iter, run.momentum_update(scaled_previous, k))
        del scaled_previous  # frees the state before the result is copied out
    return _cast(run.result(), output_dtype)


def _check_output_dtype(dtype):
    """librosa's ``dtype``: None, or a real floating type (float32 or float64)."""
    if dtype is None:
        return None
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype={dtype!r} must be np.float32, np.float64 or None") from None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype={dtype!r} must be np.float32, np.float64 or None (the signal is real)")
    return resolved


def _cast(result, dtype):
    """``y`` (or ``(y, info)``) with ``y`` in ``dtype`` (None: as it is)."""
    if dtype is None:
        return result
    if isinstance(result, tuple):
        return (result[0].astype(dtype, copy=False),) + result[1:]
    return result.astype(dtype, copy=False)
