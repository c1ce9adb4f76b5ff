"""Phase Gradient Heap Integration (PGHI): a phase from the magnitude alone, in one pass.

For a Gaussian window ``g(t) = exp(-pi t^2 / gamma)`` the phase ``phi`` and the
log-magnitude ``log s`` of the STFT are tied together (Portnoff; Prusa, Balazs and
Sondergaard 2017). With the phase referenced to the centre of each window
(the *time-invariant* convention), time ``t`` in samples and frequency ``f`` in cycles
per sample (the letters of docs/03; ``x`` stays the signal and ``w`` the window)::

    d phi / dt = 2 pi f + (1 / gamma) d log s / df
    d phi / df = -gamma d log s / dt

On the sampled grid (hop ``a``, FFT size ``M``, bin ``m``, frame ``n``; indexed ``[m, n]``, bin first, as the arrays are) these become,
in radians per hop and per bin, with centred differences::

    tgrad[m, n] = 2 pi a m / M + (a M / (2 gamma)) (log s[m+1, n] - log s[m-1, n])
    fgrad[m, n] = -(gamma / (2 a M)) (log s[m, n+1] - log s[m, n-1])

For other windows the same formulas hold approximately with ``gamma = C_g L^2`` for a
window of ``L`` samples (:data:`GAMMA_CONSTANTS`). The phase is then integrated
along the largest coefficients first (a max-heap), because the gradients are reliable
where the magnitude is large: every coefficient popped from the heap gives its
not-yet-known neighbours its own phase plus the trapezoid rule of the gradients::

    phi[m, n+1] = phi[m, n] + (tgrad[m, n] + tgrad[m, n+1]) / 2
    phi[m+1, n] = phi[m, n] + (fgrad[m, n] + fgrad[m+1, n]) / 2

Only the coefficients above ``tol`` times the largest go through the heap (a Python
loop, PGHI's cost); the others are filled, vectorised, by carrying the phase along time
from the nearest heap-integrated coefficient of the same bin with the same trapezoid
rule (a phase vocoder step), which loses nothing measurable at ``tol = 1e-3`` and about
0.3 dB at the default ``3e-3`` (``fill=False`` gives them a random phase instead, as in
the paper).

gl's frames are referenced to their first sample, not to their window's centre ``c``
(``c = n_fft / 2`` for a full-length window and even ``n_fft``), so the phase of gl's
STFT is ``phi_gl[m, n] = phi[m, n] - 2 pi m c / M`` (``(-1)^m`` for ``c = M / 2``).
Without this correction PGHI falls from about -26 dB to about -2 dB.

Equal magnitudes leave the heap in bin-major order (the lower bin first, then the earlier
frame), so the phase depends on ``S`` alone. The algorithm written out coefficient by
coefficient (the gradients, the heap over the whole grid with ``heapq``, the islands, the
fill), for reading beside these equations, is ``literal_pghi_phase`` in
``tests/test_pghi.py``, which the tests hold gl's phase to, to rounding.

References
----------
Z. Prusa, P. Balazs and P. L. Sondergaard, "A noniterative method for reconstruction of
phase from STFT magnitude", IEEE/ACM Trans. ASLP 25(5), 2017.
M. Portnoff, "Magnitude-phase relationships for short-time Fourier transforms based on
Gaussian analysis windows", IEEE ICASSP 1979.
"""

from __future__ import annotations

import sys
import time
from heapq import heappop, heappush, heappushpop
from typing import Any, Literal, Optional, Sequence, Union, overload

import numpy as np

from ._checks import as_array, check_flag, underflow_is_a_value
from ._iterative import PhaseRetrievalInfo, RngSpec, as_generator, check_n_threads, one_pass_info, prepare, refuse_iteration_options, wrapped_phase
from .transform import STFT, PadMode
from .windows import WindowSpec, window_parameter

__all__ = ["pghi", "initial_phase", "window_gamma", "fitted_gamma", "window_centre", "phase_gradients", "GAMMA_CONSTANTS", "DEFAULT_TOL"]

#: ``C_g`` of ``gamma = C_g * win_length^2`` for the windows gl offers (Prusa, Balazs and
#: Sondergaard 2017, Table I; LTFAT ``pghi.m``). The Gaussian window needs none: gl's
#: ``('gaussian', std)`` is ``exp(-t^2 / (2 std^2)) = exp(-pi t^2 / gamma)`` with
#: ``gamma = 2 pi std^2``.
GAMMA_CONSTANTS = {
    "hann": 0.25645,
    "hamming": 0.29794,
    "blackman": 0.17954,
    "sine": 0.41532,  # also 'sqrt_hann'
    "bartlett": 0.27561,
    # scipy's 'cosine' and 'triang' are the sine and Bartlett shapes sampled half a sample
    # (or one sample) inside their zeros: the same Gaussian fits them
    "cosine": 0.41532,
    "triang": 0.27561,
}

#: Default relative tolerance of the heap integration. Measured (greasy, gspi and the dev
#: corpus, hop 256 Hann, 10 s): with the fill, 3e-3 is within 0.3 dB of an exact heap over
#: every coefficient above 1e-4 (0.7 dB on the tabla) at less cost, with fewer coefficients
#: through the heap (a timing not kept as a result);
#: 1e-3 loses nothing; 1e-2 loses 1-2 dB. LTFAT's two passes ``(1e-1, 1e-10)`` measured
#: worse than one pass (-23.5 against -27.7 dB at the default tol on greasy, -27.9 at 1e-3).
DEFAULT_TOL = 3e-3

#: Log-magnitudes below ``max + LOG_FLOOR`` are clipped (LTFAT clips at -11 too), so the
#: gradients of near-silent coefficients stay bounded.
LOG_FLOOR = -11.0

Tolerance = Union[float, Sequence[float]]


# ---------------------------------------------------------------------------- parameters
#: A Gaussian window's own ``gamma = 2 pi std^2`` holds while ``std`` is at most this many
#: window lengths; a wider one, cut before it has fallen far, gets the fitted gamma (the fit
#: equals the formula to 1e-6 at L/8, 6e-4 at L/6, 0.8 % at L/5, 6 % at L/4; 86 % below it at L).
GAUSSIAN_FORMULA_MAX_STD = 0.2


#: The smallest ``gamma`` (samples^2) a Gaussian window may give PGHI: its time-direction
#: gradient carries ``a M / (2 gamma)``, and the integrated phase must stay finite.
MIN_WINDOW_GAMMA = 1e-3

#: The largest integrated phase (radians) PGHI may produce: beyond it a float64 phase is no
#: closer than 0.1 rad (a ``gamma`` far from the window's own drives it there).
MAX_PHASE = 1e15


def window_gamma(geometry: STFT) -> float:
    """The ``gamma`` of the Gaussian that best matches ``geometry``'s window, in samples^2.

    ``C_g * win_length^2`` with ``C_g`` from :data:`GAMMA_CONSTANTS`, ``2 pi std^2``
    for ``('gaussian', std)`` with ``std <= win_length / 5`` (:data:`GAUSSIAN_FORMULA_MAX_STD`),
    and for any other window (tukey, kaiser, rectangular, an array, a wider Gaussian)
    the least-squares fit of :func:`fitted_gamma`, the criterion the table's
    constants come from.

    Parameters
    ----------
    geometry : gl.STFT
        The geometry whose window (and ``win_length``) is matched.

    Returns
    -------
    float
        ``gamma`` of the Gaussian ``exp(-pi t^2 / gamma)``, in samples^2.

    Examples
    --------
    >>> import gl
    >>> from gl.pghi import window_gamma
    >>> round(window_gamma(gl.STFT(n_fft=1024, window="hann")), 1)   # 0.25645 * 1024^2
    268907.3
    >>> round(window_gamma(gl.STFT(n_fft=512, window=("gaussian", 64.0))), 1)  # 2 pi 64^2
    25735.9
    >>> round(window_gamma(gl.STFT(n_fft=1024, window="tukey")) / 1024**2, 3)  # fitted
    0.537
    """
    name = geometry.window_name
    if name == "gaussian":
        std = window_parameter(geometry.window)
        assert std is not None  # gl.windows requires the std of a gaussian window
        if std <= GAUSSIAN_FORMULA_MAX_STD * geometry.win_length:
            gamma = 2.0 * np.pi * std**2
            if not gamma >= MIN_WINDOW_GAMMA:
                raise ValueError(
                    f"window={geometry.window!r} is too narrow for PGHI: its gamma = 2 pi std^2 = {gamma:.3g} samples^2 "
                    f"must be at least {MIN_WINDOW_GAMMA:g} (the phase gradients carry 1 / gamma); use std >= "
                    f"{np.sqrt(MIN_WINDOW_GAMMA / (2 * np.pi)):.2g} samples"
                )
            return gamma
        # wider: the window is cut before it has fallen far (at +-L/2, exp(-3.1) at L/5, 0.88
        # at L), and the formula's gamma (which overflows from std 1e154) fits it no more: the
        # least-squares fit below does
    if name in GAMMA_CONSTANTS:
        return GAMMA_CONSTANTS[name] * float(geometry.win_length) ** 2
    return fitted_gamma(geometry.window_array, window_centre(geometry))


def fitted_gamma(window: np.ndarray, centre: float) -> float:
    r"""``gamma`` of the Gaussian :math:`g(t) = e^{-\pi t^2 / \gamma}` closest to ``window``.

    The window is scaled to a peak of 1 and :math:`\sum_n (g(n - c) - w[n])^2` is minimised
    over :math:`\gamma`, the sum running over every integer ``n`` (the window is zero
    outside its samples, the Gaussian is not), with ``c = centre``. This is LTFAT's
    criterion (``pghi_findgamma``'s search for the closest peak-normalised Gaussian): it
    gives the constants of :data:`GAMMA_CONSTANTS` to 0.1 % for Hann, Hamming, Blackman,
    sine and Bartlett windows of 1024 samples (0.3 % for scipy's cosine and triang, which
    are sampled half a sample or a sample inside the zeros; several % for windows of a few
    dozen samples, whose samples are not the continuous shape the table fits). The sum of :math:`g^2` over
    the integers is taken in closed form (Poisson summation), so a fit costs a few dozen
    passes over the window's samples (a golden-section search on :math:`\log \gamma`).

    Parameters
    ----------
    window : np.ndarray [shape=(n,), real]
        The window's samples.
    centre : float
        Where the Gaussian is centred, in samples from ``window[0]`` (see
        :func:`window_centre`).

    Returns
    -------
    float
        The fitted ``gamma``, in samples^2.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.pghi import fitted_gamma
    >>> hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)   # periodic, centre 512
    >>> round(fitted_gamma(hann, 512.0) / 1024**2, 4)                   # table: 0.25645
    0.2562
    """
    window = np.abs(np.asarray(window, dtype=np.float64))  # the sign changes no magnitude
    support = np.flatnonzero(window)
    peak = np.max(np.abs(window)) if support.size else 0.0
    if peak == 0 or not np.isfinite(peak):
        raise ValueError("the window must have a finite, nonzero sample to fit a Gaussian to")
    values = window[support] / peak
    squared_offsets = (support - float(centre)) ** 2
    fraction = float(centre) - np.floor(float(centre))
    harmonics = np.arange(1, 11)
    span = float(support[-1] - support[0] + 1)

    def misfit(log_gamma: float) -> float:
        gamma = np.exp(log_gamma)
        # The Gaussian's tails and the higher harmonics fall below the smallest double (exp(-745)
        # at a window's ends, for a narrow gamma): 0 is their value, not an error, also under a
        # host's np.seterr(all='raise'), which made every non-tabulated window's PGHI raise
        with np.errstate(under="ignore"):
            # sum over all integers n of g(n - c)^2 = sqrt(gamma / 2) sum_k exp(-pi gamma k^2 / 2) cos(2 pi k c)
            energy = np.sqrt(gamma / 2.0) * (1.0 + 2.0 * np.sum(np.exp(-np.pi * gamma * harmonics**2 / 2.0) * np.cos(2.0 * np.pi * harmonics * fraction)))
            return float(energy - 2.0 * np.dot(values, np.exp(-np.pi * squared_offsets / gamma)))

    low, high = np.log(max(1e-3 * span**2, 0.05)), np.log(4.0 * span**2)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = misfit(a), misfit(b)
    while high - low > 1e-7:
        if fa <= fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = misfit(a)
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = misfit(b)
    return float(np.exp((low + high) / 2.0))


def check_gamma(gamma, geometry: STFT) -> float:
    """``gamma`` if given (a number > 0), else :func:`window_gamma` of ``geometry``."""
    if gamma is None:
        return window_gamma(geometry)
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.integer, np.floating)):
        raise TypeError(f"gamma={gamma!r} must be a number > 0 (samples^2) or None")
    if not np.isfinite(gamma) or gamma <= 0:
        raise ValueError(f"gamma={gamma} must be finite and > 0 (samples^2)")
    return float(gamma)


def check_heap_tol(tol: Tolerance, name: str = "tol") -> tuple[float, ...]:
    """``tol`` as a tuple of decreasing relative tolerances, each in (0, 1); errors call it ``name``."""
    # (np.ndim tells a number, numpy's included, from a sequence; mypy does not narrow on it)
    values: tuple[float, ...] = (tol,) if np.ndim(as_array(name, tol)) == 0 else tuple(tol)  # type: ignore[assignment, arg-type]
    if len(values) == 0:
        raise ValueError(f"{name}={tol!r} must hold at least one tolerance in (0, 1)")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name}={tol!r} must be a number in (0, 1) or a sequence of them")
        if not 0 < value < 1:
            raise ValueError(f"{name}={tol} must be in (0, 1): coefficients below {name} * max(S) are left out of the heap")
    if any(b >= a for a, b in zip(values, values[1:])):
        raise ValueError(f"{name}={tol} must be decreasing: each pass integrates smaller coefficients")
    return tuple(float(v) for v in values)


def window_centre(geometry: STFT) -> float:
    """Where the window's centre lies in the frame, in samples from the frame's start.

    A named window of ``L = win_length`` samples starts at ``(n_fft - L) // 2``; a
    periodic one (the default) is the symmetric window of ``L + 1`` samples without its
    last, so its centre is ``L / 2`` samples further; a symmetric one's (``sym=True``) is
    ``(L - 1) / 2``. A window given as an array is centred at the centroid of ``w^2``.

    Parameters
    ----------
    geometry : gl.STFT
        The geometry whose window is placed.

    Returns
    -------
    float
        The centre, in samples from the frame's first sample.

    Examples
    --------
    >>> import gl
    >>> from gl.pghi import window_centre
    >>> window_centre(gl.STFT(n_fft=1024)), window_centre(gl.STFT(n_fft=1023))
    (512.0, 511.5)
    >>> window_centre(gl.STFT(n_fft=1024, win_length=501))   # 261 + 501 / 2
    511.5
    """
    if geometry.window_name is None:
        energy = geometry._window_squared
        return float(np.dot(np.arange(geometry.n_fft), energy) / energy.sum())
    length = geometry.win_length
    start = (geometry.n_fft - length) // 2
    return start + ((length - 1) / 2.0 if geometry.sym else length / 2.0)


# ---------------------------------------------------------------------------- gradients
def _log_magnitude(S: np.ndarray, out: Optional[np.ndarray] = None, peak: Optional[float] = None) -> np.ndarray:
    """``log(S)``, clipped at ``log(peak) + LOG_FLOOR`` (float64), into ``out`` if given;
    ``peak`` defaults to ``S.max()`` (RTPGHI passes the largest magnitude seen so far)."""
    peak = float(S.max()) if peak is None else peak
    floor = peak * np.exp(LOG_FLOOR) if peak > 0 else 1.0
    if floor > 0:
        logs = np.maximum(S, floor, dtype=np.float64, out=out)
        return np.log(logs, out=logs)
    # a float64 peak below 4e-319 (a few subnormal steps): its floor underflows to 0, whose log is
    # -inf, and the gradients were NaN. S 2^_SUBNORMAL_SHIFT (exact) has the same logs but for a
    # constant, taken off after
    logs = np.ldexp(np.asarray(S, dtype=np.float64), _SUBNORMAL_SHIFT, out=out)
    np.maximum(logs, np.ldexp(peak, _SUBNORMAL_SHIFT) * np.exp(LOG_FLOOR), out=logs)
    np.log(logs, out=logs)
    logs -= _SUBNORMAL_SHIFT * np.log(2.0)
    return logs


#: The power of two :func:`_log_magnitude` scales a subnormal ``S`` by: its smallest value
#: (2^-1074) becomes 2^-474, so that the floor ``peak exp(LOG_FLOOR)`` is a normal number.
_SUBNORMAL_SHIFT = 600


def phase_gradients(S: np.ndarray, geometry: STFT, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """The phase gradients of a magnitude, in the window-centred (time-invariant) convention.

    Parameters
    ----------
    S : np.ndarray [shape=(n_freq, n_frames)]
        One magnitude.
    geometry : gl.STFT
        The STFT geometry of ``S``.
    gamma : float
        ``gamma`` of the Gaussian ``exp(-pi t^2 / gamma)``, samples^2.

    Returns
    -------
    tgrad, fgrad : np.ndarray [shape=(n_freq, n_frames), float64]
        Phase advance per hop and per bin (radians), for bin ``m`` and frame ``n``::

            tgrad[m, n] = 2 pi a m / M + (a M / (2 gamma)) (log s[m+1, n] - log s[m-1, n])
            fgrad[m, n] = -(gamma / (2 a M)) (log s[m, n+1] - log s[m, n-1])

        At DC and Nyquist ``|X|`` is mirrored (``s[-1] = s[1]``), so the log-difference
        vanishes; for odd ``n_fft`` the top bin's mirror is itself. At the first and last
        frame the time difference is one-sided.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> from gl.pghi import phase_gradients
    >>> geometry = gl.STFT(n_fft=256, hop_length=64, window=("gaussian", 32.0))
    >>> x = np.cos(2 * np.pi * 0.125 * np.arange(4096))          # bin 32 of 256
    >>> S = np.abs(geometry.stft(x))                              # (n_freq, n_frames)
    >>> tgrad, fgrad = phase_gradients(S, geometry, 2 * np.pi * 32.0**2)
    >>> bool(np.isclose(tgrad[33, 30], 2 * np.pi * 0.125 * 64))   # the tone's advance per hop
    True
    """
    n_freq, n_frames = np.shape(S)
    tgrad, fgrad = np.empty((n_freq, n_frames)), np.empty((n_freq, n_frames))
    _gradients_into(S, geometry, gamma, tgrad, fgrad)
    return tgrad, fgrad


@underflow_is_a_value  # once per item: the log's floor under a peak near 1e-305 is a value (subnormal), not an error
def _gradients_into(
    S: np.ndarray, geometry: STFT, gamma: float, tgrad: np.ndarray, fgrad: np.ndarray, scale: float = 1.0, work: Optional[np.ndarray] = None
) -> None:
    """:func:`phase_gradients` times ``scale``, written into ``tgrad`` and ``fgrad`` (views allowed).

    ``work``, a float64 array of ``S``'s shape, receives the log-magnitude if given.
    """
    a, M = geometry.hop_length, geometry.n_fft
    logs = _log_magnitude(S, out=work)  # (n_freq, n_frames)
    n_freq, n_frames = logs.shape
    # tgrad: log s[m+1] - log s[m-1], mirrored at DC and at the top
    if n_freq > 1:
        np.subtract(logs[2:], logs[:-2], out=tgrad[1:-1])
        tgrad[0] = 0.0  # DC: |X[-1]| = |X[1]|
        if M % 2 == 0:  # Nyquist: |X[M/2 + 1]| = |X[M/2 - 1]|
            tgrad[-1] = 0.0
        else:  # odd M: bin (M+1)/2 mirrors bin (M-1)/2, the top bin itself
            np.subtract(logs[-1], logs[-2], out=tgrad[-1])
    else:
        tgrad[...] = 0.0
    tgrad *= scale * a * M / (2.0 * gamma)
    tgrad += ((scale * 2.0 * np.pi * a / M) * np.arange(n_freq))[:, None]
    # fgrad: centred (l[n+1] - l[n-1]) / 2, one-sided at the ends (np.gradient's)
    if n_frames > 1:
        factor = -scale * gamma / (a * M)
        np.subtract(logs[:, 2:], logs[:, :-2], out=fgrad[:, 1:-1])
        fgrad[:, 1:-1] *= 0.5 * factor  # one pass: the centred difference's 1/2 and the scale
        np.subtract(logs[:, 1], logs[:, 0], out=fgrad[:, 0])
        np.subtract(logs[:, -1], logs[:, -2], out=fgrad[:, -1])
        fgrad[:, 0] *= factor
        fgrad[:, -1] *= factor
    else:
        fgrad[...] = 0.0


# ---------------------------------------------------------------------------- integration
def _flood(heap, todo, values, half_t, half_f, order_list, rank_list, width: int, seeds=()) -> None:
    """Pop the largest known coefficient, give its unknown neighbours their phase, push them.

    ``heap`` holds ranks (0 = largest magnitude) of coefficients whose phase is known;
    ``todo[j]`` is 1 while ``values[j]`` still has to be integrated. Flat bin-major grid:
    ``j +- 1`` is the next/previous frame, ``j +- width`` the next/previous bin. When the
    heap runs dry, the next of ``seeds`` (grid indices, largest first) still to integrate
    starts a new island with phase 0. The arrays come as memoryviews (indexing them gives
    Python numbers, as a list would), every name is local and a gradient is read only
    when a neighbour needs it: this loop is PGHI's cost.

    The first neighbour reached is not pushed at once but held back (``held``) and pushed
    by the next pop, ``heappushpop`` (push, then pop: one call instead of two, and no heap
    work at all when it is the smallest rank). The ranks are distinct integers, so the
    heap pops them in the same order however they were pushed.
    """
    pop, push, pushpop = heappop, heappush, heappushpop
    seeds = iter(seeds)
    while True:
        if heap:
            rank = pop(heap)
            while True:  # until the heap runs dry
                i = order_list[rank]
                value = values[i]
                held = -1  # the rank of the first neighbour reached, if any: pushed by the next pop
                j = i + 1  # next frame: phi_j = phi_i + (tgrad_i + tgrad_j) / 2
                if todo[j]:
                    todo[j] = 0
                    values[j] = value + half_t[i] + half_t[j]
                    held = rank_list[j]
                j = i - 1  # previous frame
                if todo[j]:
                    todo[j] = 0
                    values[j] = value - half_t[i] - half_t[j]
                    if held < 0:
                        held = rank_list[j]
                    else:
                        push(heap, rank_list[j])
                j = i + width  # next bin: phi_j = phi_i + (fgrad_i + fgrad_j) / 2
                if todo[j]:
                    todo[j] = 0
                    values[j] = value + half_f[i] + half_f[j]
                    if held < 0:
                        held = rank_list[j]
                    else:
                        push(heap, rank_list[j])
                j = i - width  # previous bin
                if todo[j]:
                    todo[j] = 0
                    values[j] = value - half_f[i] - half_f[j]
                    if held < 0:
                        held = rank_list[j]
                    else:
                        push(heap, rank_list[j])
                if held >= 0:
                    rank = pushpop(heap, held)
                elif heap:
                    rank = pop(heap)
                else:
                    break
        for seed in seeds:  # an island the flood did not reach: its largest coefficient, phase 0
            if todo[seed]:
                todo[seed] = 0
                values[seed] = 0.0
                heap.append(rank_list[seed])
                break
        else:
            return


def _heap_integrate(S: np.ndarray, half_t: np.ndarray, half_f: np.ndarray, values: np.ndarray, tols: tuple[float, ...],
                    known_frames: int = 0) -> np.ndarray:
    """Integrate the gradients along the largest coefficients first; return what was integrated.

    ``half_t``, ``half_f`` and ``values`` are *padded* grids of shape
    ``(n_freq + 2, n_frames + 1)``: the coefficients in ``[1:-1, :n_frames]``, one guard
    bin row before and after and one guard frame after every bin's row, never to be
    integrated, so that on the flat grid the four neighbours of a coefficient ``i`` are
    simply ``i - 1``, ``i + 1`` (frames) and ``i - width``, ``i + width`` (bins) with no
    bounds checks. ``half_t``, ``half_f`` hold half the gradients, so that the trapezoid
    rule is one addition. ``values`` holds the starting phases and receives the
    integrated ones. The heap holds the rank of a coefficient in decreasing magnitude
    order (an int, which ``heapq`` compares fastest), so the smallest rank is the largest
    magnitude. Returns the mask (n_freq, n_frames) of the coefficients the heap reached.

    With ``known_frames = k > 0`` the phases of the first ``k`` frames are given (in
    ``values``): they are never integrated, and every pass starts its flood from those of
    them above the pass's tolerance as well as from the coefficients already known, so that
    the integration continues them (see :func:`initial_phase`'s ``known``).
    """
    n_freq, n_frames = S.shape
    width = n_frames + 1
    peak = float(S.max())
    if peak <= 0:
        reached = np.zeros(S.shape, dtype=bool)
        reached[:, :known_frames] = True  # the given phases
        return reached
    # rank the coefficients any pass will integrate, largest first (rank 0 = largest); the
    # index arrays are int32 when the grid allows (PGHI's peak memory is these arrays and
    # the three grids: every full-size temporary counts)
    index = np.int32 if values.size < 2**31 else np.int64
    by_size, counts = _ranked_candidates(S, peak, tols, index)
    # pass p integrates ranks counts[p-1] .. counts[p] (a prefix of the ranks per tolerance)
    order = by_size  # becomes the position in the padded grid of each, largest first
    frame = np.empty_like(by_size)
    np.divmod(by_size, index(n_frames), out=(order, frame))  # bin, frame
    order += 1
    order *= index(width)
    order += frame
    del frame, by_size
    rank = np.zeros(values.size, dtype=index)
    chunk_size = max(1, min(_CHUNK, -(-order.size // 8)))
    for start in range(0, order.size, chunk_size):  # rank[order] = arange(len(order)), without the arange
        stop = min(start + chunk_size, order.size)
        rank[order[start:stop]] = np.arange(start, stop, dtype=index)
    todo = bytearray(values.size)  # 1 where the phase is still to integrate
    todo_array = np.frombuffer(todo, dtype=np.uint8)  # the same bytes, for numpy
    # memoryviews index like lists (Python floats and ints out) without converting arrays (the
    # ignores: numpy's stubs give ndarray the buffer protocol, __buffer__, from Python 3.12 only)
    values_view = memoryview(values.reshape(-1))  # type: ignore[arg-type, unused-ignore]
    views = (values_view, memoryview(half_t.reshape(-1)), memoryview(half_f.reshape(-1)), memoryview(order), memoryview(rank))  # type: ignore[arg-type, unused-ignore]
    seeds: Optional[np.ndarray] = None
    seed_ranks: Optional[np.ndarray] = None
    if known_frames:  # the given coefficients' places in the padded grid, and the ranks of the candidates among them
        bins, frames = np.divmod(np.arange(n_freq * known_frames, dtype=index), index(known_frames))
        seeds = (bins + 1) * index(width) + frames
        seed_ranks = rank[seeds]
        seed_ranks = seed_ranks[(seed_ranks > 0) | (seeds == order[0])]  # rank 0 is also every non-candidate's
        del bins, frames
    known = 0
    for count in counts:
        if count <= known:
            continue
        todo_array[order[known:count]] = 1
        heap = []
        if known:  # a later pass starts from every known coefficient next to an unknown one
            inner = order[:known]
            border = todo_array[inner + 1] | todo_array[inner - 1] | todo_array[inner + width] | todo_array[inner - width]
            heap = np.flatnonzero(border).tolist()  # ranks in increasing order: already a heap
        if seeds is not None:  # given phases: never integrated, and the flood starts from them
            assert seed_ranks is not None  # made with seeds
            todo_array[seeds] = 0
            heap = np.union1d(heap, seed_ranks[seed_ranks < count]).astype(index).tolist()  # sorted: a heap
        _flood(heap, todo, *views, width)
        # islands the flood did not reach: seed each at its largest coefficient, phase 0;
        # numpy skips the ranks already reached, a chunk at a time
        for start in range(known, count, 4096):
            chunk = order[start : min(start + 4096, count)]
            _flood([], todo, *views, width, seeds=chunk[todo_array[chunk] != 0].tolist())
        known = count
    # every candidate: the heap reaches them all (islands are seeded); the threshold in S's dtype,
    # as _ranked_candidates makes it: numpy 1.x casts a Python float to float32 by its value, and
    # a threshold below 1e-38 (a quiet float32 item) raised FloatingPointError (underflow in cast)
    # under a host's np.seterr(all='raise'); the same comparison, the same bits
    reached = S > S.dtype.type(tols[-1] * peak)
    reached[:, :known_frames] = True  # and the given phases (no full-size array for them: PGHI's peak)
    return reached


#: Elements a chunk of :func:`_ranked_candidates` and of the rank table: no full-size temporaries.
_CHUNK = 1 << 20
#: Coefficients a block of :func:`_fill` (2 MiB of float64 temporaries).
_FILL_BLOCK = 1 << 18


def _rows_per_block(n_rows: int, n_columns: int, elements: int) -> int:
    """Rows of a block of about ``elements`` elements, and at most an eighth of the rows
    (so that a block's temporaries stay small next to the whole, however small it is)."""
    return max(1, min(elements // max(n_columns, 1), -(-n_rows // 8)))


def _ranked_candidates(S: np.ndarray, peak: float, tols: tuple[float, ...], index: type) -> tuple[np.ndarray, list[int]]:
    """The coefficients above ``tols[-1] * peak``, largest first, and how many are above each tolerance.

    Returns their flat (bin-major) indices into ``S`` (n_freq, n_frames), dtype
    ``index``, ordered by decreasing magnitude and, among equal magnitudes, increasing
    index (``np.argsort(-values, kind='stable')``), and ``counts[p]``, the number above
    ``tols[p] * peak`` (a prefix of the order). Comparisons are made in ``S``'s dtype.

    float32 magnitudes (with fewer than ``2**32`` coefficients) are ranked by one sort of
    64-bit keys: the high half is the magnitude's bits inverted (the bits of a positive
    float32 grow with its value), the low half the index, so the sorted keys give the
    order above, ties included, with no argsort, no float copy and no second (stable)
    sort. On a minute of white noise (10.6 million coefficients, half a million of them
    tied) the ranking's peak memory fell from 2.5 to 1.5 times the complex spectrogram.
    Other magnitudes take :func:`_descending_order`.
    """
    n_freq, n_frames = S.shape
    thresholds = [S.dtype.type(tol * peak) for tol in tols]  # as numpy compares S with a Python float
    rows = _rows_per_block(n_freq, n_frames, _CHUNK)
    if S.dtype != np.float32 or S.size >= 2**32:
        above = S > thresholds[-1]
        magnitude = S[above]  # bin-major, whatever S's memory layout (S may be a transposed view)
        candidates: np.ndarray = np.flatnonzero(above).astype(index, copy=False)
        del above
        counts = [int(np.count_nonzero(magnitude > threshold)) for threshold in thresholds]
        return candidates[_descending_order(magnitude)], counts
    total = sum(int(np.count_nonzero(S[first : first + rows] > thresholds[-1])) for first in range(0, n_freq, rows))
    keys = np.empty(total, dtype=np.uint64)
    halves = keys.view(np.uint32).reshape(total, 2)
    low, high = (0, 1) if sys.byteorder == "little" else (1, 0)
    filled = 0
    for first in range(0, n_freq, rows):  # a block of bins at a time: no full-size temporaries
        block = S[first : first + rows]
        above = block > thresholds[-1]
        count = int(np.count_nonzero(above))
        np.invert(block[above].view(np.uint32), out=halves[filled : filled + count, high])
        halves[filled : filled + count, low] = np.flatnonzero(above) + first * n_frames
        filled += count
    keys.sort()
    # above tols[p]: a key below that of the threshold's bits inverted, index 0
    bounds = [(int(~np.asarray(t).view(np.uint32)) & 0xFFFFFFFF) << 32 for t in thresholds]
    counts = [int(np.searchsorted(keys, np.uint64(bound), side="left")) for bound in bounds]
    ranked: np.ndarray = halves[:, low].astype(index)
    return ranked, counts


def _descending_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(-values, kind='stable')``: equal values keep their order.

    numpy's quicksort is several times faster than its stable sort (SIMD); ties are
    checked for and then sorted stably, so the result is the same. Ties are rare in
    float64 magnitudes (none in a minute of noise) and common in float32 ones (half a
    million), which :func:`_ranked_candidates` therefore ranks another way.
    """
    order = np.argsort(-values)
    ranked = values[order]
    if ranked.size > 1 and np.any(ranked[1:] == ranked[:-1]):
        return np.argsort(-values, kind="stable")
    return order


def _trapezoid_sum(half_gradient: np.ndarray, rows: int = 32) -> np.ndarray:
    """``G[:, j] = sum_{k=1}^{j} (h[:, k-1] + h[:, k])`` of half gradients ``h`` along axis 1,
    written over ``h`` (a block of rows at a time) and returned; ``h`` may be a view (a
    transposed one sums down the columns, in place)."""
    n_rows, n_columns = half_gradient.shape
    pairs = np.empty((min(rows, n_rows), max(n_columns - 1, 0)))
    for first in range(0, n_rows, rows):
        block = half_gradient[first : first + rows]
        count = block.shape[0]
        np.add(block[:, 1:], block[:, :-1], out=pairs[:count])
        block[:, 0] = 0.0
        block[:, 1:] = pairs[:count]
        np.add.accumulate(block, axis=1, out=block)  # cumsum(out=) keeps a little memory per new shape in numpy 2.4
    return half_gradient


def _fill(known: np.ndarray, half_t: np.ndarray, half_f: np.ndarray, phase: np.ndarray) -> None:
    """Give the coefficients the heap left out a phase, vectorised. All (n_freq, n_frames).

    Along each bin, the phase is carried in time from the nearest known coefficient
    ``p`` before it (else after it) with the trapezoid rule, as a phase vocoder does::

        phi[m, n] = phi[m, p] + T[m, n] - T[m, p],   T[m, n] = sum_{k=1}^{n} (tgrad[m, k-1] + tgrad[m, k]) / 2

    This reaches every coefficient of a bin with at least one known coefficient. The
    bins with none are then carried across frequency from the nearest such bin below
    (else above) with ``fgrad`` in the same way, frame by frame. ``half_t`` and ``half_f``
    are half the gradients (float32 or float64), left as they are; ``phase`` is modified in
    place. ``T`` and the sums across bins are made in float64 a block at a time.

    Each known coefficient ``p`` owns the run of its bin from itself (from the bin's first
    frame, for the first known of the bin) to the next known one (or the bin's end), so
    ``phi[m, p] - T[m, p]`` is repeated over its run (``np.repeat``) and ``T`` added.
    """
    if known.all() or not known.any():
        return
    n_freq, n_frames = known.shape
    reached = np.zeros(n_freq, dtype=bool)  # bins with a known coefficient
    # a block of bins at a time, so that no index array or temporary is full-size (they, not
    # the grids, would set PGHI's peak memory; fresh memory also costs page faults)
    bins_per_block = _rows_per_block(n_freq, n_frames, _FILL_BLOCK)
    for first in range(0, n_freq, bins_per_block):
        block = slice(first, first + bins_per_block)
        block_known, block_phase = known[block], phase[block]
        flat_known = np.flatnonzero(block_known)  # bin-major, increasing
        if flat_known.size == 0:
            continue
        # T of the block's bins, in float64 whatever the grid's dtype (a float32 cumulative
        # sum would lose the phase: T reaches 1e5 rad and more)
        block_time = _trapezoid_sum(half_t[block].astype(np.float64))
        rows, columns = np.divmod(flat_known, n_frames)
        base = block_phase[rows, columns]  # phase may be a strided view: no ravel (a copy)
        base -= block_time[rows, columns]  # phi[m, p] - T[m, p]
        first_of_row = np.ones(flat_known.size, dtype=bool)
        first_of_row[1:] = rows[1:] != rows[:-1]
        last_of_row = np.ones(flat_known.size, dtype=bool)
        last_of_row[:-1] = first_of_row[1:]
        # run lengths: from each known coefficient (a bin's first: from the bin's start) to the next (or the bin's end)
        run_lengths = np.empty_like(flat_known)
        run_lengths[:-1] = flat_known[1:]
        run_lengths[last_of_row] = (rows[last_of_row] + 1) * n_frames
        run_lengths -= np.where(first_of_row, rows * n_frames, flat_known)
        hit = rows[first_of_row]  # the block's bins with a known coefficient, increasing; the runs tile them
        reached[first + hit] = True
        carried = np.repeat(base, run_lengths).reshape(hit.size, n_frames)
        carried += block_time[hit]
        block_phase[hit] = np.where(block_known[hit], block_phase[hit], carried)  # the known ones stay exactly
    if reached.all():
        return
    # bins that no frame reached: from the nearest reached bin, across frequency
    bins = np.arange(n_freq)
    below = np.maximum.accumulate(np.where(reached, bins, -1))
    above = np.minimum.accumulate(np.where(reached, bins, n_freq)[::-1])[::-1]
    source = np.where(below >= 0, below, above)  # (n_freq,) a reached bin for every bin
    lost = np.flatnonzero(~reached)
    # F[m, n], summed across the bins, a block of frames at a time and in float64 (as T)
    frames_per_block = _rows_per_block(n_frames, n_freq, _FILL_BLOCK)
    for first in range(0, n_frames, frames_per_block):  # phi[m] = phi[s] + F[m] - F[s], s = source[m]
        frames = slice(first, first + frames_per_block)
        along_freq = _trapezoid_sum(half_f[:, frames].T.astype(np.float64)).T  # (n_freq, frames)
        carried = phase[source[lost], frames]
        carried += along_freq[lost]
        carried -= along_freq[source[lost]]
        phase[lost, frames] = carried


def _item_phase(
    S: np.ndarray,
    geometry: STFT,
    gamma: float,
    tols: tuple[float, ...],
    generator: np.random.Generator,
    fill: bool,
    grids: tuple[np.ndarray, np.ndarray, np.ndarray],
    known: Optional[np.ndarray] = None,
) -> np.ndarray:
    """gl-convention phase of one magnitude (n_freq, n_frames), float64: a view into ``grids[2]``.

    ``grids`` are three padded work arrays (see :func:`_heap_integrate`), reused for
    every batch item: fresh memory costs page faults, a noticeable part of PGHI's time.
    With the fill every coefficient gets an integrated or carried phase, so no random
    phase is drawn; without it the coefficients below ``tol`` keep a uniform random phase.
    ``known`` (n_freq, k): the gl-convention phases of the first ``k`` frames, kept.
    """
    n_freq, n_frames = S.shape
    half_t, half_f, values = grids  # (n_freq + 2, n_frames + 1), guards never read
    inside = (slice(1, -1), slice(0, n_frames))
    phase = values[inside]
    _gradients_into(S, geometry, gamma, half_t[inside], half_f[inside], scale=0.5, work=phase)  # log S there, for now
    if not fill:
        np.multiply(generator.random(S.shape), 2.0 * np.pi, out=phase)
    centre_shift = ((2.0 * np.pi * window_centre(geometry) / geometry.n_fft) * np.arange(geometry.n_freq))[:, None]
    known_frames = 0 if known is None else known.shape[-1]
    if known is not None and known_frames:  # gl's frame-start phase -> the window-centred phase the heap integrates
        np.add(known, centre_shift, out=phase[:, :known_frames])
    reached = _heap_integrate(S, half_t, half_f, values, tols, known_frames)
    if fill:
        if reached.any():
            _fill(reached, half_t[inside], half_f[inside], phase)
        else:  # silence: any phase will do
            phase[...] = 0.0
    # window-centred phase -> gl's frame-start phase: X = exp(-2 pi i m c / M) c_centred
    phase -= centre_shift
    if known_frames:  # exactly as given (the two shifts can differ in the last bit)
        phase[:, :known_frames] = known
    return phase


def _phases(S: np.ndarray, geometry: STFT, gamma, tol: Tolerance, rng, fill: bool = True,
            known: Optional[np.ndarray] = None) -> np.ndarray:
    """PGHI phase of ``S`` (..., n_freq, n_frames), same shape, float64 radians (maybe a strided view).
    ``gamma``: None for the window's own; ``known``: the phases of the first frames (..., n_freq, k), kept."""
    given = gamma is not None
    gamma = check_gamma(gamma, geometry)
    tols = check_heap_tol(tol)
    generator = as_generator(rng)
    flat = S.reshape((-1,) + S.shape[-2:])
    padded = (flat.shape[1] + 2, flat.shape[2] + 1)  # the heap's grid: see _heap_integrate
    # the guards are never read (never to integrate), so the grids need no zeroing. The two
    # gradient grids are one allocation (one fresh mapping instead of two; above numpy's
    # 4 MiB it gets huge pages where the system offers them). The phase grid stays
    # separate: the caller keeps it, and it must not keep the gradients alive.
    # the gradients in float32 for a float32 S (half the memory of float64: the grids are most
    # of PGHI's peak), always summed in float64; the phase is always float64 (it reaches 1e5 rad)
    gradient_dtype = np.float32 if S.dtype.kind == "f" and S.dtype.itemsize == 4 else np.float64  # '>f4' too
    half_t, half_f = np.empty((2,) + padded, dtype=gradient_dtype)
    grids = (half_t, half_f, np.empty(padded))
    knowns = [None] * flat.shape[0] if known is None else known.reshape((-1,) + known.shape[-2:])
    if flat.shape[0] == 1:  # one item: its phase stays in the grid (no copy)
        phase = _item_phase(flat[0], geometry, gamma, tols, generator, bool(fill), grids, knowns[0]).reshape(S.shape)
    else:
        phase = np.empty(flat.shape, dtype=np.float64)
        for item, out, item_known in zip(flat, phase, knowns):
            out[...] = _item_phase(item, geometry, gamma, tols, generator, bool(fill), grids, item_known)
        phase = phase.reshape(S.shape)
    if phase.size and not (-MAX_PHASE <= phase.min() and phase.max() <= MAX_PHASE):  # NaN fails both
        what = f"gamma={gamma:g}" if given else f"window={geometry.window!r} (gamma={gamma:.3g} samples^2)"
        raise ValueError(
            f"{what} makes PGHI's integrated phase overflow (beyond {MAX_PHASE:g} rad or NaN)"
            + (f": give a gamma nearer the window's own, {window_gamma(geometry):.4g} samples^2 (gl.pghi.window_gamma)"
               if given else "")
        )
    return phase


def check_known_phase(known, shape: tuple) -> np.ndarray:
    """``known``, the given phases of the first ``k`` frames of a magnitude of ``shape``
    (..., n_freq, n_frames), checked and as float64 (``k = 0`` allowed): real numbers (a
    TypeError for complex, bool or text), of shape (..., n_freq, k) with ``k <= n_frames``,
    finite and within +-:data:`MAX_PHASE` rad (a ValueError otherwise). For the ``known`` of
    :func:`initial_phase` and :func:`gl.spsi.initial_phase`."""
    known = as_array("known", known)
    if known.dtype == bool or known.dtype.kind not in "fiu":
        raise TypeError(f"known must be real phases in radians, got dtype {known.dtype}")
    known = known.astype(np.float64, copy=False)
    if known.shape[:-1] != tuple(shape[:-1]) or known.shape[-1] > shape[-1]:
        raise ValueError(f"known has shape {known.shape}; it must be (..., n_freq, k) with S's leading axes "
                         f"{tuple(shape[:-1])} and k <= {shape[-1]}")
    if not np.all(np.isfinite(known)):
        raise ValueError("known contains NaN or infinite values")
    if known.size and np.abs(known).max() > MAX_PHASE:  # the integrated phase would overflow from it
        raise ValueError(f"known must be phases within +-{MAX_PHASE:g} rad; its largest is {np.abs(known).max():.3g}")
    return known


def initial_phase(S: np.ndarray, geometry: STFT, known=None) -> np.ndarray:
    """PGHI phase of ``S`` (..., n_freq, n_frames) for ``init='pghi'`` (radians, float64).

    Uses the window's own ``gamma``, :data:`DEFAULT_TOL` and the fill, which gives
    every coefficient a phase (zero for a silent ``S``): no random numbers are drawn and
    the result is deterministic.

    ``known`` (shape ``(..., n_freq, k)``, radians in gl's convention, ``k <= n_frames``):
    the phase of the first ``k`` frames, kept as it is; the heap integrates onwards from
    those coefficients (above the tolerance) as well as from its own largest ones, so the
    phase continues them. Without it every island of the heap starts at phase 0, an offset
    unrelated to any phase given next to it. :func:`gl.reconstruct_long` passes the phase
    of the previous block on the overlap: with it, on 8 s of docs/04's harmonic voice in
    blocks of 300 frames sharing 32, consecutive blocks of gl's default method agreed in
    the overlap to 23-28 dB (signal to difference) instead of 5-11 dB, and the frames
    around the seams reached -50.8 dB instead of -41.1 dB (the blocks' ends as before).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        The magnitude.
    geometry : gl.STFT
        Its geometry.
    known : np.ndarray [shape=(..., n_freq, k)], optional
        The phase of the first ``k`` frames, kept (see above).

    Returns
    -------
    np.ndarray [shape=S.shape, float64]
        The phase in radians (not wrapped to ``[-pi, pi]``).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> x = np.sin(2 * np.pi * 300 * np.arange(4000) / 8000)
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> for init in ("pghi", "random"):
    ...     y, info = gl.griffinlim(S, n_fft=256, hop_length=64, init=init, n_iter=5, length=len(x), rng=0,
    ...                             return_info=True)
    ...     print(f"from {init}: {info.final_db:.1f} dB after 5 iterations")
    from pghi: -40.3 dB after 5 iterations
    from random: -11.9 dB after 5 iterations
    """
    S = as_array("S", S)
    if known is not None:
        known = check_known_phase(known, S.shape)
        if not np.all(np.isfinite(S)):  # the heap has no candidate and the fill would carry NaN from the known frames
            raise ValueError("S contains NaN or infinite values")
        if known.shape[-1] == 0:  # no frame given (k = 0): PGHI as without known
            known = None
    return _phases(S, geometry, None, DEFAULT_TOL, 0, known=known)


# ---------------------------------------------------------------------------- public
# What a call returns, for type checkers: the signal, then the phase (``return_phase``), then the info (``return_info``).
@overload
def pghi(S: Any, *, gamma: Optional[float] = ..., tol: Tolerance = ..., fill: bool = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., return_info: Literal[False] = ..., return_phase: Literal[False] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> np.ndarray: ...
@overload
def pghi(S: Any, *, gamma: Optional[float] = ..., tol: Tolerance = ..., fill: bool = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., return_info: Literal[True], return_phase: Literal[False] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def pghi(S: Any, *, gamma: Optional[float] = ..., tol: Tolerance = ..., fill: bool = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., return_info: Literal[False] = ..., return_phase: Literal[True],
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def pghi(S: Any, *, gamma: Optional[float] = ..., tol: Tolerance = ..., fill: bool = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., return_info: Literal[True], return_phase: Literal[True],
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, np.ndarray, PhaseRetrievalInfo]: ...
@overload
def pghi(S: Any, *, gamma: Optional[float] = ..., tol: Tolerance = ..., fill: bool = ..., rng: RngSpec = ...,
         length: Optional[int] = ..., return_info: bool = ..., return_phase: bool = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> Any: ...
def pghi(
    S,
    *,
    gamma: Optional[float] = None,
    tol: Tolerance = DEFAULT_TOL,
    fill: bool = True,
    rng: RngSpec = None,
    length: Optional[int] = None,
    return_info: bool = False,
    return_phase: bool = False,
    geometry: Optional[STFT] = None,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
):
    r"""Recover a signal from an STFT magnitude by Phase Gradient Heap Integration.

    With the window approximated by the Gaussian :math:`e^{-\pi t^2/\gamma}`, the phase
    gradients of the STFT follow from its log-magnitude (hop :math:`a`, FFT size
    :math:`M`, bin :math:`m`, frame :math:`n`, centred differences :math:`\Delta`):

    .. math::

        \phi_t[m, n] = \frac{2\pi a m}{M} + \frac{aM}{2\gamma}\,\Delta_m \log s[m, n],
        \qquad
        \phi_\omega[m, n] = -\frac{\gamma}{2aM}\,\Delta_n \log s[m, n],

    integrated with the trapezoid rule along the largest coefficients first
    (:math:`\phi[m, n+1] = \phi[m, n] + (\phi_t[m, n] + \phi_t[m, n+1])/2`, and the same
    across bins with :math:`\phi_\omega`), then shifted to gl's frame-start convention,
    :math:`\phi_{gl}[m, n] = \phi[m, n] - 2\pi m c / M` with :math:`c` the window's centre
    in the frame. The signal is :math:`x = \mathrm{ISTFT}(S e^{i\phi_{gl}})`.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude. Leading axes are batch axes; float32 in, float32 out.
    gamma : float > 0, optional
        :math:`\gamma` in samples^2. Default: ``C_g * win_length^2`` for hann, hamming,
        blackman, sine (sqrt_hann) and bartlett windows (:data:`GAMMA_CONSTANTS`),
        ``2 pi std^2`` for ``('gaussian', std)`` with ``std <= win_length / 5`` (a wider
        Gaussian is cut off by its frame, and fitted), and for any other window the fitted
        constant of :func:`fitted_gamma` (see :func:`window_gamma`).
    tol : float in (0, 1) or a decreasing sequence of them
        The heap integrates the coefficients above ``tol * max(S)``. A sequence runs
        one heap pass per tolerance, each continuing from the phases already known
        (LTFAT's ``(1e-1, 1e-10)``). Default :data:`DEFAULT_TOL` (3e-3).
    fill : bool
        True (default): the coefficients below the tolerance get their phase carried
        along time from the nearest integrated one of the same bin,
        :math:`\phi[m, n] = \phi[m, p] + \sum_{k=p+1}^{n} (\phi_t[m, k-1] + \phi_t[m, k])/2`
        (vectorised; a bin with no integrated coefficient is filled across bins).
        False: they get a random phase (the paper's choice).
    rng : None, int, np.random.Generator or np.random.RandomState
        Seed or generator for the random phases of the coefficients below ``tol`` with
        ``fill=False`` (unused with the fill, which reaches every coefficient).
    length : int, optional
        Length of the output (default: :meth:`gl.STFT.default_length`).
    return_info : bool
        Also return a :class:`~gl.PhaseRetrievalInfo` (``method='pghi'``, one pass:
        ``n_iter=1``; ``spectral_convergence[0]`` is that of the returned signal).
    return_phase : bool
        Also return the phase (radians in ``[-pi, pi]``, gl's convention, shape of ``S``)
        after the signal.
    geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym
        The STFT geometry, as in :func:`gl.griffinlim`.

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    phase : np.ndarray [shape=S.shape]
        Only with ``return_phase=True``: the phase (radians in ``[-pi, pi]``).
    info : PhaseRetrievalInfo
        Only with ``return_info=True``.

    Notes
    -----
    PGHI is a starting point for the iterative methods as well: ``init='pghi'`` in
    :func:`gl.griffinlim` (and every method of :func:`gl.reconstruct`) starts from this
    phase. Cost: the gradients and the fill are vectorised; the heap integration is a
    Python loop (``heapq``) over the coefficients above ``tol``, and most of PGHI's time.
    On 10 s of 22.05 kHz speech (n_fft 1024, hop 256: 513 x 862 coefficients, 42 000 of
    them above the default ``tol``, in about 1000 islands) PGHI took as long as 9.9
    single-threaded fast Griffin-Lim iterations on the same spectrogram (7.2 with
    ``tol=1e-2``), CPU time, median of 15 in each of three processes
    (``python benchmarks/bench_pghi_cost.py``, ``benchmarks/results/pghi_cost.json``,
    2026-12-01), and as long as about 5 to 31 of them on the six dev recordings, whose
    share of coefficients above ``tol`` differs (the JSON's ``per_clip``). A smaller
    ``tol``, or ``fill=False``, puts more coefficients through the heap and costs more. The
    heap's cost follows the number of coefficients above ``tol``, so it depends on the
    sound: white noise has all of them above it (speech about 16 %), and costs PGHI more
    than speech of the same length (no committed result measures by how much). For
    noise-like input, ``init='random'`` saves that time (and Ctrl-C, which waits for
    numpy's sort of the coefficients).

    References
    ----------
    Z. Prusa, P. Balazs and P. L. Sondergaard, "A noniterative method for
    reconstruction of phase from STFT magnitude", IEEE/ACM Trans. ASLP 25(5), 2017.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * (300 + 400 * t) * t)              # a chirp
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> y, info = gl.pghi(S, n_fft=256, hop_length=64, length=len(x), return_info=True)
    >>> y.shape
    (8000,)
    >>> print(f"{info.final_db:.1f} dB")                          # spectral convergence, no iteration
    -32.5 dB
    """
    check_flag("return_info", return_info)
    check_flag("return_phase", return_phase)
    problem = prepare(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym, length)
    geometry = problem.geometry
    S = np.asarray(S)
    start = time.perf_counter()
    check_flag("fill", fill)
    phase = _phases(S, geometry, gamma, tol, rng, fill)  # (..., n_freq, n_frames)
    y = problem.signal_from_phase(phase)
    if return_info:
        info = one_pass_info("pghi", "pghi", S, y, geometry, time.perf_counter() - start)
    result: tuple[Any, ...] = (y,)
    if return_phase:
        result += (wrapped_phase(phase, problem.dtype),)
    if return_info:
        result += (info,)
    return result[0] if len(result) == 1 else result


def _as_method(
    S,
    *,
    n_iter: int = 0,
    init=None,
    tol=None,
    callback=None,
    n_threads=None,
    heap_tol: Tolerance = DEFAULT_TOL,
    **options,
):
    """``gl.reconstruct(S, method='pghi')``: PGHI alone (non-iterative).

    ``n_iter`` of :func:`gl.reconstruct` does not apply to a single pass and is ignored;
    ``init``, ``tol`` (an iteration tolerance there) and ``callback`` are refused; the heap
    tolerance, :func:`pghi`'s ``tol``, is ``heap_tol`` here (``gl -O heap_tol=``). For
    PGHI followed by iterations use ``gl.reconstruct(S, method='fgla', init='pghi')``.
    """
    check_n_threads(n_threads)  # checked, though one pass has nothing to split
    refuse_iteration_options("pghi", init, tol, callback, own_tol=True)
    check_heap_tol(heap_tol, name="heap_tol")
    del n_iter, n_threads
    return pghi(S, tol=heap_tol, **options)


_as_method.forwards_to = pghi  # type: ignore[attr-defined]  # its options are pghi's (gl.cli lists them)
