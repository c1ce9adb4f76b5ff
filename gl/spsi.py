"""Single Pass Spectrogram Inversion (SPSI): a phase-vocoder guess of the phase, in one pass.

Every frame is read as a sum of stationary sinusoids, one per magnitude peak (Beauregard,
Harish and Wyse 2015). For a peak at bin ``k`` its frequency is refined by fitting a
parabola through the peak and its two neighbours. gl fits the log-magnitudes (``l_-, l_0,
l_+`` = the log-magnitudes at ``k - 1, k, k + 1``: quadratic interpolation of the log
spectrum, exact for a Gaussian main lobe and closer than the linear fit for the usual
windows), as LTFAT/phaseret's ``spsi`` does; the authors' own code fits the magnitudes
themselves::

    p = 0.5 (l_- - l_+) / (l_- - 2 l_0 + l_+)     (-0.5 <= p <= 0.5)
    f = (k + p) / M                                (cycles per sample)

and the sinusoid's phase advances by ``2 pi f a`` per hop ``a``::

    phi[k, n] = phi[k, n-1] + 2 pi a (k + p) / M      (bin first, frame second, as the docs write it)

Every bin of the peak's lobe (the bins that fall away from it down to the troughs on
either side) gets the peak's phase: with the phase referenced to the window's centre, a
windowed sinusoid's main lobe has one phase. gl's frames are referenced to their first
sample, so the result is shifted by ``-2 pi m c / M`` (``c`` the window centre, see
:func:`gl.pghi.window_centre`). This is phaseret's rule. The authors' own code works with
the frame-start phase directly and gives the bins beside a peak its phase or its phase
plus ``pi`` in a fixed pattern: a Hann window's lobe signs, which differ from one phase
per lobe on the bins past the main lobe down to the trough and on long lobes. Measured
(2026-11-30; the first 8 s of the six dev clips, greasy and gspi; Hann 1024/256, 2048/512
and torchaudio's 400/200 with reflect padding): that pattern made SPSI 1.0 to 1.3 dB
worse on average, up to 3.9 dB on a clip, though 1 to 2 dB better on steady tones; as a
start for FGLA or gl's default method it was 0.0 to 0.7 dB worse on average. The linear
fit changed SPSI alone by less than 0.1 dB but made FGLA from SPSI 5.5 dB worse on gspi
and 11 dB worse on a tone: gl keeps the log fit and one phase per lobe.

The logs are those of each frame divided by a power of two of its own peak (``2^e``,
``2^(e-1) <=`` peak ``< 2^e``; log 0 taken as the log of the smallest subnormal), so that a
frame's logs, peaks and offsets are the same numbers whatever power of two ``S`` is scaled
by, and ``spsi(2^k S) = 2^k spsi(S)`` to the bit, as for gl's other methods: ``log``
rounds, and on a frame flat to rounding two magnitudes an ulp apart had equal logs at one
scale and not at another (other peaks, a phase up to ``pi`` off). For a frame whose peak is
near 1 the division moves the logs by rounding only (measured on the first 10 s of the six
dev clips, Hann 1024/256: SPSI's spectral convergence moved by less than 1e-13 dB, its
phases by at most 1.5e-11 rad); a peak beside a silent bin has its offset from the floor,
which now sits at the same distance below every frame's peak.

The rule written out bin by bin and frame by frame, for reading beside it, is
``naive_spsi_phase`` in ``tests/test_spsi.py``, which the tests hold the vectorised lobes to.

Frame ``n`` needs only frame ``n - 1``'s phase, so :func:`spsi` makes the phase a block of
frames at a time, as the synthesis asks for it (:class:`_PhaseStream`), carrying the last
frame's phase (float64) from one block to the next: no full-size phase array exists, and
the values are those of the whole array made at once (:func:`initial_phase`, which
``init='spsi'`` needs whole).

References
----------
G. T. Beauregard, M. Harish and L. Wyse, "Single pass spectrogram inversion", IEEE
International Conference on Digital Signal Processing (DSP), 2015.
"""

from __future__ import annotations

import time
from typing import Any, Generator, Iterator, Literal, Optional, overload

import numpy as np

from ._checks import as_array, check_flag
from ._iterative import PhaseRetrievalInfo, check_n_threads, one_pass_info, prepare, refuse_iteration_options, wrapped_phase
from ._trig import unit_phasors
from .pghi import check_known_phase, window_centre
from .transform import STFT, PadMode, binary_exponents
from .windows import WindowSpec

__all__ = ["spsi", "initial_phase"]


#: Coefficients per block of frames in :func:`_phase_blocks` (a few 100 KB per temporary).
_LOBE_BLOCK = 32768


def _frame_normalised(S: np.ndarray) -> np.ndarray:
    """``S`` (frames, n_freq) as float64, each frame divided by ``2^e``, ``2^(e-1) <=`` its peak
    ``< 2^e`` (a silent frame as it is), zeros raised to the smallest subnormal: what SPSI
    takes the logs of.

    SPSI compares log-magnitudes and fits parabolas to them, and ``log`` rounds: two
    magnitudes an ulp apart can have equal logs at one scale and not at another (near 1 they
    differ, near ``2^10`` they round equal), which moved peaks and lobes on frames flat to
    rounding, so that ``spsi(2^k S)`` was not ``2^k spsi(S)``. Divided by a power of two of
    its own peak, a frame has the same values (exactly: a power of two scales exactly) at any
    scale ``2^k S``, so its logs, peaks, lobes and offsets are the same to the bit. Per frame,
    not per batch item: a frame's lobes depend on that frame alone, as they did, so a frame
    gets the same phase increment in whatever block, item or stretch of frames it is given
    (:func:`gl.reconstruct_long`'s overlapping blocks), and its log(0) floor, which decides
    the offset of a peak beside a silent bin, is the same distance below its own peak. For
    a frame with a peak near 1 this changes the logs by rounding only. (Digits are lost only
    where a frame peaking above 1 has bins more than 2^1022 below its peak: they become
    subnormal, or the floor.)
    """
    scaled = np.array(S, dtype=np.float64)  # a copy: S is the caller's
    exponents = binary_exponents(scaled.max(axis=1, initial=0.0))  # (frames,), 0 for a silent frame
    np.ldexp(scaled, -exponents[:, None], out=scaled)
    # log(0) made finite by the smallest subnormal: a subnormal S keeps its own values (tiny flattened them)
    return np.maximum(scaled, np.finfo(np.float64).smallest_subnormal, out=scaled)


def _lobes(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For a frame-major magnitude block (frames, n_freq): where every bin's phase comes from.

    Returns ``(source, frequency)``: bin ``m`` of frame ``n`` continues the previous frame's
    phase at bin ``source[n, m]``, the peak ``k`` whose lobe holds it (itself outside every
    lobe), and advances it by ``2 pi a f / M`` with ``f = frequency[n, m]``, that peak's
    ``k + p`` (0 outside every lobe). Peaks, lobes and ``p`` are found for the whole block at
    once: comparisons, two running extrema and ``np.where``, no Python loop.
    """
    n_frames, n_freq = S.shape
    logs = _frame_normalised(S)  # (n_frames, n_freq), a float64 copy
    np.log(logs, out=logs)
    loud = S > 0
    up = logs[:, 1:] > logs[:, :-1]  # bin m + 1 above bin m
    not_up = ~up
    # a peak: above its left neighbour and at least its right one (an edge bin has no
    # neighbour beyond the edge to beat), and not silent
    is_peak = loud.copy()
    is_peak[:, 1:] &= up
    is_peak[:, :-1] &= not_up
    bins = np.arange(n_freq)
    previous_peak = np.maximum.accumulate(np.where(is_peak, bins, -1), axis=1)
    next_peak = np.minimum.accumulate(np.where(is_peak, bins, n_freq)[:, ::-1], axis=1)[:, ::-1]
    # a lobe: the bins climbing to a peak from its left and falling from it on its right
    climbing = np.zeros_like(is_peak)  # below the right neighbour: the next peak's
    climbing[:, :-1] = up
    climbing &= loud & (next_peak < n_freq)
    falling = np.zeros_like(is_peak)  # below the left neighbour and not climbing: the previous peak's
    falling[:, 1:] = logs[:, 1:] < logs[:, :-1]
    falling[:, :-1] &= not_up
    falling &= loud & (previous_peak >= 0)
    source = np.where(climbing, next_peak, bins)  # the two are disjoint; a peak is its own source
    source = np.where(falling, previous_peak, source)
    # quadratic interpolation of the log-magnitude around each interior peak (bins 1 .. n_freq - 2)
    lower, centre, upper = logs[:, :-2], logs[:, 1:-1], logs[:, 2:]  # l_-, l_0, l_+
    curvature = lower - 2.0 * centre + upper
    offset = np.zeros(S.shape)
    np.divide(0.5 * (lower - upper), curvature, out=offset[:, 1:-1], where=is_peak[:, 1:-1] & (curvature < 0))
    np.clip(offset, -0.5, 0.5, out=offset)
    peak_frequency = np.where(is_peak, bins + offset, 0.0)  # k + p at the peaks, 0 elsewhere
    return source, np.take_along_axis(peak_frequency, source, axis=1)


def _centre_shift(geometry: STFT, n_freq: int) -> np.ndarray:
    """``2 pi m c / M`` in bin ``m``: the window-centred phase minus gl's frame-start phase."""
    return (2.0 * np.pi * window_centre(geometry) / geometry.n_fft) * np.arange(n_freq)


def _phase_blocks(S: np.ndarray, geometry: STFT, previous: Optional[np.ndarray] = None) -> Generator[np.ndarray, None, None]:
    """gl-convention SPSI phase of one frame-major magnitude (n_frames, n_freq), a block of frames at a time.

    Yields float64 arrays (frames, n_freq), the phase of frames ``0, 1, ...`` in order, in
    blocks of ``max(1, _LOBE_BLOCK // n_freq)`` frames (the last one shorter). ``S`` may be
    any view (a transposed one, say): each block is copied contiguous before its lobes are
    found. The recursion runs along the frames, so only the previous frame's
    (window-centred) phase is carried from one block to the next, in float64, and no array
    as large as ``S`` is made. ``previous`` (n_freq,): the window-centred phase of the frame
    before ``S``'s first (default zero: SPSI's own start).
    """
    n_frames, n_freq = S.shape
    a, M = geometry.hop_length, geometry.n_fft
    step = 2.0 * np.pi * a / M
    # window-centred phase -> gl's frame-start phase: minus 2 pi m c / M in bin m
    to_frame_start = _centre_shift(geometry, n_freq)
    if previous is None:
        previous = np.zeros(n_freq)  # phase of every bin in the previous frame (window-centred)
    # the lobes of a frame depend on that frame alone: found a block of frames at a time, so
    # that their dozen temporaries stay small (full-size ones were fresh memory on every
    # call, page faults that cost the lobes more time than their arithmetic)
    block = max(1, _LOBE_BLOCK // n_freq)
    for start in range(0, n_frames, block):
        source, frequency = _lobes(np.ascontiguousarray(S[start : start + block]))  # k + p (bins) of each bin's peak
        increment = np.multiply(frequency, step, out=frequency)  # 2 pi a (k + p) / M, in its place
        rows = np.empty(source.shape)  # (frames, n_freq)
        for n in range(source.shape[0]):
            # phi[m, n] = phi[k, n-1] + 2 pi a (k + p) / M for every bin m of peak k's lobe
            previous.take(source[n], out=rows[n])  # the method: np.take's Python wrapper adds a cost to every frame
            rows[n] += increment[n]
            previous = rows[n]
        # reduced once per block, not per frame: a frame adds at most 2 pi a (k + p) / M <= pi a
        # rad, a block of 32768 / n_freq frames at most about 2e5 rad (hop <= win_length <= n_fft)
        previous = np.mod(previous, 2.0 * np.pi)  # a new array: the shift below leaves it as it is
        rows -= to_frame_start
        yield rows


class _PhaseStream:
    """The SPSI phase of one batch item, handed out in consecutive runs of frames of any length.

    :func:`_phase_blocks` makes the phase in blocks of its own size; a synthesis asks for
    blocks of another (:meth:`gl.STFT.block_frames`). :meth:`frames` gives the phase of
    frames ``first:last`` as pieces (views of the blocks) that together cover them, and
    keeps what is left of the last block for the next call. Once the item's last frame is
    handed out it keeps nothing: a batch's streams all live until the synthesis ends.
    """

    def __init__(self, S: np.ndarray, geometry: STFT):
        self._blocks = _phase_blocks(S, geometry)  # S: (n_frames, n_freq), a view
        self._left = np.empty((0, S.shape[1]))  # the frames of the last block not handed out yet
        self._next_frame = 0
        self._n_frames = S.shape[0]

    def frames(self, first: int, last: int) -> Iterator[np.ndarray]:
        """The float64 phase of frames ``first:last``, (frames, n_freq) pieces in order; ``first``
        must be where the previous run ended (the recursion cannot go back)."""
        if first != self._next_frame:
            raise RuntimeError(f"SPSI's phase is made frame after frame: frames {first}:{last} asked for "
                               f"after frames up to {self._next_frame}")
        self._next_frame = last
        while first < last:
            if not self._left.shape[0]:
                self._left = next(self._blocks)
            piece, self._left = self._left[: last - first], self._left[last - first :]
            first += piece.shape[0]
            yield piece
        if last == self._n_frames:
            # the item is done: let go of its last block and of the suspended recursion's
            # work arrays (about 24 bytes a coefficient of a block), which would otherwise
            # stay until the whole batch is synthesised (for short items: all of their phase)
            self._blocks.close()
            self._left = self._left[:0].copy()


def _phases(S: np.ndarray, geometry: STFT, known: Optional[np.ndarray] = None) -> np.ndarray:
    """SPSI phase of ``S`` (..., n_freq, n_frames) in full: float64, the layout of ``S``.
    ``known`` (..., n_freq, k), float64, ``k >= 1``: the phases of the first frames, kept."""
    flat = S.reshape((-1,) + S.shape[-2:])  # (batch, n_freq, n_frames)
    phase = np.empty(flat.shape, dtype=np.float64)
    knowns = [None] * flat.shape[0] if known is None else known.reshape((-1,) + known.shape[-2:])
    for item, out, item_known in zip(flat, phase, knowns):  # each block of frames straight into its place: no second copy
        start, previous = 0, None
        if item_known is not None:
            start = item_known.shape[-1]
            out[:, :start] = item_known  # exactly as given
            # the last given frame, gl's frame-start phase -> the window-centred phase the recursion carries
            previous = np.mod(item_known[:, -1] + _centre_shift(geometry, item.shape[0]), 2.0 * np.pi)
        for rows in _phase_blocks(item[:, start:].T, geometry, previous):
            out[:, start : start + rows.shape[0]] = rows.T
            start += rows.shape[0]
    return phase.reshape(S.shape)


def initial_phase(S: np.ndarray, geometry: STFT, known=None) -> np.ndarray:
    r"""SPSI phase of ``S`` (..., n_freq, n_frames) for ``init='spsi'`` (radians, float64).

    ``known`` (shape ``(..., n_freq, k)``, radians in gl's convention, ``k <= n_frames``;
    ``k = 0`` is as without it): the phase of the first ``k`` frames, kept as it is; the
    recursion goes on from the last of them instead of from phase 0: for every bin ``m`` of
    the lobe of frame ``k``'s peak ``q`` (``p`` its offset),

    .. math::

        \phi_{gl}[m, k] = \phi_{known}[q, k-1] + \frac{2\pi q c}{M} + \frac{2\pi a (q + p)}{M}
                          - \frac{2\pi m c}{M}

    (the known phase moved to the window-centred convention the recursion carries, one hop
    on, and back: see :func:`spsi`), and frame by frame as without ``known`` after it.
    Checked as :func:`gl.pghi.initial_phase`'s ``known``. Given the phase of a previous
    block's result on 32 shared frames (3 s of docs/04's harmonic voice, Hann 512, hop 128),
    the continued start was as consistent as the one-shot start (-27.9 dB against -27.7;
    the shared frames pasted before SPSI's own phase: -24.1), and 50 FGLA iterations from
    it reached -37.1 dB (pasted -33.8). :func:`gl.reconstruct_long` starts its blocks from it
    with ``init='spsi'`` (over the study in :mod:`gl.longform`: 0.42 dB better on average
    than pasting, the worst cost against one shot 8.2 -> 2.6 dB, but 1.5 dB worse in one
    layout).

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
    >>> for init in ("spsi", "random"):
    ...     y, info = gl.griffinlim(S, n_fft=256, hop_length=64, init=init, n_iter=5, length=len(x), rng=0,
    ...                             return_info=True)
    ...     print(f"from {init}: {info.final_db:.1f} dB after 5 iterations")
    from spsi: -37.4 dB after 5 iterations
    from random: -11.9 dB after 5 iterations
    """
    S = as_array("S", S)
    if known is not None:
        known = check_known_phase(known, S.shape)
        if known.shape[-1] == 0:  # no frame given (k = 0): SPSI as without known
            known = None
    return _phases(S, geometry, known)


# What a call returns, for type checkers: the signal, then the phase (``return_phase``), then the info (``return_info``).
@overload
def spsi(S: Any, *, length: Optional[int] = ..., return_info: Literal[False] = ...,
         return_phase: Literal[False] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
         hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
         center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> np.ndarray: ...
@overload
def spsi(S: Any, *, length: Optional[int] = ..., return_info: Literal[True], return_phase: Literal[False] = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def spsi(S: Any, *, length: Optional[int] = ..., return_info: Literal[False] = ..., return_phase: Literal[True],
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def spsi(S: Any, *, length: Optional[int] = ..., return_info: Literal[True], return_phase: Literal[True],
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> tuple[np.ndarray, np.ndarray, PhaseRetrievalInfo]: ...
@overload
def spsi(S: Any, *, length: Optional[int] = ..., return_info: bool = ..., return_phase: bool = ...,
         geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
         win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
         sym: bool = ...) -> Any: ...
def spsi(
    S,
    *,
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
    r"""Recover a signal from an STFT magnitude by Single Pass Spectrogram Inversion.

    Each magnitude peak :math:`k` of frame :math:`n` is taken for a sinusoid of frequency
    :math:`(k + p)/M`, :math:`p = \tfrac12(l_- - l_+)/(l_- - 2 l_0 + l_+)` the
    vertex of the parabola through the log-magnitudes :math:`l_-, l_0, l_+` of bins
    :math:`k-1, k, k+1`; its phase advances by one hop and is given to every bin
    :math:`m` of its lobe:

    .. math::

        \phi[m, n] = \phi[k, n-1] + \frac{2\pi a (k + p)}{M}, \qquad
        \phi_{gl}[m, n] = \phi[m, n] - \frac{2\pi m c}{M},

    (the second step moves the window-centred phase to gl's frame-start convention,
    :math:`c` the window's centre), and :math:`x = \mathrm{ISTFT}(S e^{i\phi_{gl}})`.
    Deterministic (no random numbers); bins with zero magnitude keep the phase they had.
    The logs are taken of each frame divided by a power of two of its peak, so that
    ``spsi(2^k S)`` is ``2^k spsi(S)`` to the bit.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target STFT magnitude; leading axes are batch axes. float32 in, float32 out.
    length : int, optional
        Length of the output (default: :meth:`gl.STFT.default_length`).
    return_info : bool
        Also return a :class:`~gl.PhaseRetrievalInfo` (``method='spsi'``, one pass,
        ``n_iter=1``; ``spectral_convergence[0]`` is that of the returned signal).
    return_phase : bool
        Also return the phase (radians in [-pi, pi], gl's convention, shape of ``S``).
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

    References
    ----------
    G. T. Beauregard, M. Harish and L. Wyse, "Single pass spectrogram inversion", IEEE
    International Conference on Digital Signal Processing (DSP), 2015.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> x = np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 1250 * t)
    >>> S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    >>> y, info = gl.spsi(S, n_fft=512, hop_length=128, length=len(x), return_info=True)
    >>> y.shape
    (8000,)
    >>> print(f"{info.final_db:.1f} dB")   # spectral convergence; two steady tones: SPSI's best case
    -28.5 dB
    """
    check_flag("return_info", return_info)
    check_flag("return_phase", return_phase)
    problem = prepare(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym, length)
    geometry = problem.geometry
    S = np.asarray(S)
    start = time.perf_counter()
    # the phase of each item made block by block as the synthesis asks for it: no full-size
    # float64 phase (one complex64 spectrogram's worth of memory for float32 input)
    streams = [_PhaseStream(item.T, geometry) for item in S.reshape((-1,) + S.shape[-2:])]
    phase = np.empty(S.shape, dtype=problem.dtype) if return_phase else None  # wrapped, S's precision
    returned_phase = None if phase is None else phase.reshape((-1,) + S.shape[-2:])  # (batch, n_freq, n_frames), a view

    def phasors(b: int, first: int, last: int, out: np.ndarray) -> np.ndarray:
        row = 0
        for piece in streams[b].frames(first, last):  # float64 (frames, n_freq)
            count = piece.shape[0]
            unit_phasors(piece, out[row : row + count])
            if returned_phase is not None:
                returned_phase[b, :, first + row : first + row + count] = wrapped_phase(piece, problem.dtype).T
            row += count
        return out

    y = problem.signal_from_phasors(phasors)
    if return_info:
        info = one_pass_info("spsi", "spsi", S, y, geometry, time.perf_counter() - start)
    result: tuple[Any, ...] = (y,)
    if return_phase:
        result += (phase,)
    if return_info:
        result += (info,)
    return result[0] if len(result) == 1 else result


def _as_method(S, *, n_iter: int = 0, init=None, rng=None, tol=None, callback=None, n_threads=None, **options):
    """``gl.reconstruct(S, method='spsi')``: SPSI alone. ``n_iter`` and ``rng`` do not apply
    to a deterministic single pass and are ignored; ``init``, ``tol`` and ``callback`` are refused."""
    check_n_threads(n_threads)  # checked, though one pass has nothing to split
    refuse_iteration_options("spsi", init, tol, callback)
    del n_iter, rng, n_threads
    return spsi(S, **options)


_as_method.forwards_to = spsi  # type: ignore[attr-defined]  # its options are spsi's (gl.cli lists them)
