"""RTPGHI: real-time phase gradient heap integration, frame by frame.

Prusa and Sondergaard (DAFx 2016) make PGHI (:mod:`gl.pghi`) causal: the phase of frame ``n``
is integrated from the known phase of frame ``n - 1`` alone, with a heap over just these
two frames. With ``gamma`` the window's Gaussian constant, hop ``a``, FFT size ``M`` and
``l = log s`` (window-centred phase convention, see :mod:`gl.pghi`; indexed ``[m, n]``, bin
first, as there)::

    tgrad[m, n] = 2 pi a m / M + (a M / (2 gamma)) (l[m+1, n] - l[m-1, n])
    fgrad[m, n] = -(gamma / (a M)) dl[m, n] / dn

with ``dl / dn`` a difference *per frame* (PGHI's ``(l[m, n+1] - l[m, n-1]) / 2``, hence its
``gamma / (2 a M)`` on the undivided difference).

``tgrad`` needs frame ``n`` only. The time derivative of ``l`` needs other frames:

* look-ahead 1, RTPGHI(1): the centred difference ``(l[n+1] - l[n-1]) / 2``, so frame ``n``
  is fixed when frame ``n + 1`` arrives;
* look-ahead 0, RTPGHI(0) (causal): the centred difference with the unknown next frame
  held at the current one, ``(l[n] - l[n-1]) / 2`` (``causal_difference='hold'``, gl's
  default), or the backward difference of second order ``(3 l[n] - 4 l[n-1] + l[n-2]) / 2``
  (``'backward2'``, the paper's RTPGHI(0)). Measured on 10 s excerpts (n_fft 1024, hop 256, Hann), 'hold' is
  better on all four: -21.7 / -26.6 / -20.2 / -21.9 dB against -20.5 / -19.6 / -19.4 /
  -20.1 dB (alsa speech, glockenspiel, arctic speech, tabla); on greasy with Blackman 1024
  and hop 128 (phaseret's setup) 'backward2' is ahead (-18.0 against -17.2 dB with the default
  output length; -18.4 against -17.8 with ``length=5880``, the recording's). At an onset,
  a jump ``J`` of ``l`` into frame ``n`` that then stays, the second-order difference gives
  ``3 J / 2``, three times the centred difference's ``J / 2``; ``hold`` gives ``J / 2``. So gl's default
  RTPGHI(0) is not the paper's: compare with the paper's figures with ``causal_difference='backward2'``.

Per frame, with ``I`` the bins of frame ``n`` above ``tol`` times the largest magnitude
seen so far: push ``(m, n-1)`` for every ``m`` in ``I`` into a max-heap keyed by
magnitude; pop the largest; from a coefficient of frame ``n - 1`` go forward in time,
``phi[m, n] = phi[m, n-1] + (tgrad[m, n-1] + tgrad[m, n]) / 2``; from one of frame ``n``
go across bins, ``phi[m+-1, n] = phi[m, n] +- (fgrad[m, n] + fgrad[m+-1, n]) / 2``; push
what was reached; stop when ``I`` is done. The other bins get a random phase. Frame
``n`` is then committed as ``S[:, n] exp(i (phi[n] - 2 pi m c / M))`` (gl's frame-start
phase, ``c`` the window centre) and overlap-added by :class:`gl.streaming.StreamingInverter`.
Equal magnitudes leave the heap frame ``n - 1`` first, then the lower bin. The same,
written out frame by frame and bin by bin for reading beside these equations, is
``literal_rtpghi_phase`` in ``tests/test_rtpghi.py``, which the tests hold the committed
phases to, to rounding.

Memory: three frames of magnitudes and gradients, whatever the length of the stream.
Latency: ``latency_samples = n_fft - hop + lookahead * hop`` (see :mod:`gl.streaming`; at
least the centre padding ``n_fft // 2``, which only a hop above ``n_fft / 2`` without
look-ahead reaches).

References
----------
Z. Prusa and P. L. Sondergaard, "Real-time spectrogram inversion using phase gradient heap
integration", DAFx 2016 (RTPGHI);
Z. Prusa and N. Holighaus, "Phase vocoder done right", EUSIPCO 2017 (its use for time
stretching).
"""

from __future__ import annotations

import time
from heapq import heappop, heappush
from typing import Any, Literal, Optional, overload

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import check_choice, check_flag
from ._iterative import PhaseRetrievalInfo, RngSpec, as_generator, check_n_threads, check_rng, one_pass_info, prepare, refuse_iteration_options
from .pghi import LOG_FLOOR, MAX_PHASE, _log_magnitude, check_gamma, window_centre, window_gamma
from .streaming import StreamingInverter, check_lookahead, stream_batch
from .transform import STFT, PadMode, complex_dtype, nola_warned
from .windows import WindowSpec

__all__ = ["RTPGHI", "rtpghi", "DEFAULT_TOL", "CAUSAL_DIFFERENCES"]

#: The causal time derivatives of ``log s`` for ``lookahead=0``.
CAUSAL_DIFFERENCES = ("hold", "backward2")

#: Default relative tolerance: bins below ``tol`` times the largest magnitude seen so far
#: get a random phase.
DEFAULT_TOL = 1e-6


def _check_tol(tol, name: str = "tol") -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}={tol!r} must be a number in (0, 1)")
    if not 0 < tol < 1:
        raise ValueError(f"{name}={tol} must be in (0, 1): bins below {name} * max(S) get a random phase")
    return float(tol)


class RTPGHI(StreamingInverter):
    """Streaming RTPGHI: push magnitude frames, read finished samples.

    Parameters
    ----------
    geometry : gl.STFT
        Geometry of the frames that will be pushed.
    lookahead : {0, 1}
        0: causal RTPGHI(0), the time derivative from the current and previous frames;
        1 (default): RTPGHI(1), the centred time derivative, one frame of delay more.
    tol : float in (0, 1)
        Bins below ``tol`` times the largest magnitude pushed so far get a random phase.
    gamma : float > 0, optional
        The window's Gaussian constant (samples^2); default :func:`gl.pghi.window_gamma`.
    rng : None, int, np.random.Generator or np.random.RandomState
        Seed of the random phases. An int is re-seeded by :meth:`reset`, so the
        same stream gives the same output; None draws fresh entropy at every reset; a
        Generator or RandomState is used as it is (reset continues its stream).
    causal_difference : {'hold', 'backward2'}
        The time derivative of ``log s`` with ``lookahead=0``: ``'hold'`` (default)
        ``(l[n] - l[n-1]) / 2``, the centred difference with ``l[n+1] := l[n]``;
        ``'backward2'`` ``(3 l[n] - 4 l[n-1] + l[n-2]) / 2``, the paper's RTPGHI(0) (see the
        module's notes for the measurements behind gl's default). Unused with ``lookahead=1``.
    dtype : {None, np.float32, np.float64}
        Precision of the output and its overlap-add (the phase is integrated in float64
        either way); default that of the first frames, later frames of another float
        dtype converted to it (see :class:`gl.streaming.StreamingInverter`).
    fade_edges : bool
        Fade the stream's first and last samples where the window sum is small, instead
        of dividing by it (default True); see :class:`gl.streaming.StreamingInverter`.

    Attributes
    ----------
    latency_frames, latency_samples : int
        ``lookahead`` and ``max(n_fft - hop_length + lookahead * hop_length, pad)``, ``pad``
        the centre padding (``n_fft // 2`` for centred frames, else 0): see :mod:`gl.streaming`.

    Notes
    -----
    Log-magnitudes are clipped at ``exp(LOG_FLOOR)`` times the largest magnitude seen so
    far (as PGHI clips at the global maximum), and ``tol`` is relative to the same
    running maximum, so the result depends only on the frames, never on how they are
    split into pushes.

    References
    ----------
    Z. Prusa and P. L. Sondergaard, "Real-time spectrogram inversion using phase gradient
    heap integration", DAFx 2016.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> geometry = gl.STFT(n_fft=256, hop_length=64)
    >>> x = np.sin(2 * np.pi * 0.05 * np.arange(4000))
    >>> S = np.abs(geometry.stft(x))
    >>> stream = gl.RTPGHI(geometry, lookahead=1, rng=0)
    >>> stream.latency_samples                      # 256 - 64 + 64
    256
    >>> first = stream.push(S[:, :10])              # 10 frames in: frames 0..8 are fixed
    >>> len(first)                                  # 9 hops, minus the 128 padding samples
    448
    >>> y = np.concatenate([first, stream.push(S[:, 10:]), stream.flush()])
    >>> y.shape == (geometry.default_length(S.shape[1]),)
    True
    """

    def __init__(
        self,
        geometry: STFT,
        *,
        lookahead: int = 1,
        tol: float = DEFAULT_TOL,
        gamma: Optional[float] = None,
        rng: RngSpec = None,
        causal_difference: str = "hold",
        dtype: Optional[DTypeLike] = None,
        fade_edges: bool = True,
    ):
        if not isinstance(geometry, STFT):
            raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
        lookahead = check_lookahead(lookahead)
        if lookahead > 1:
            raise ValueError(f"lookahead={lookahead} must be 0 (causal RTPGHI(0)) or 1 (RTPGHI(1))")
        check_choice("causal_difference", causal_difference, CAUSAL_DIFFERENCES)
        if causal_difference not in CAUSAL_DIFFERENCES:
            raise ValueError(
                f"causal_difference={causal_difference!r} is unknown; use one of {', '.join(CAUSAL_DIFFERENCES)}"
            )
        self.causal_difference = causal_difference
        self.tol = _check_tol(tol)
        self.gamma = check_gamma(gamma, geometry)
        self._seed = check_rng(rng)
        a, M = geometry.hop_length, geometry.n_fft
        self._tgrad_scale = a * M / (2.0 * self.gamma)  # times (l[m+1] - l[m-1])
        self._fgrad_scale = -self.gamma / (a * M)  # times dl/dn
        # logs differ by at most -LOG_FLOOR: gamma=5e-324 made the steps inf and the output NaN
        if gamma is not None and not -LOG_FLOOR * max(self._tgrad_scale, -self._fgrad_scale) <= MAX_PHASE:
            raise ValueError(f"gamma={self.gamma:g} makes RTPGHI's phase steps overflow (beyond {MAX_PHASE:g} rad or NaN): "
                             f"give a gamma nearer the window's own, {window_gamma(geometry):.4g} samples^2 (gl.pghi.window_gamma)")
        n_freq = geometry.n_freq
        self._ramp = (2.0 * np.pi * a / M) * np.arange(n_freq)  # 2 pi a m / M
        self._to_frame_start = (2.0 * np.pi * window_centre(geometry) / M) * np.arange(n_freq)
        super().__init__(geometry, lookahead=lookahead, dtype=dtype, fade_edges=fade_edges)

    # ------------------------------------------------------------------ state
    def _reset_state(self) -> None:
        n_freq = self.geometry.n_freq
        seed = self._seed
        self._rng = as_generator(seed)
        # the last three frames received, oldest first: magnitude and clipped log-magnitude
        self._magnitudes = np.zeros((3, n_freq))  # float64 work
        self._logs = np.zeros((3, n_freq))
        self._received = 0  # frames in the buffer (up to 3)
        self._peak = 0.0  # largest magnitude so far
        self._phase = np.zeros(n_freq)  # window-centred phase of the last committed frame
        self._tgrad = np.zeros(n_freq)  # its tgrad
        self._last_magnitude = np.zeros(n_freq)  # its magnitude
        assert self.dtype is not None  # _allocate, which calls this, runs once the dtype is known
        self._spectrum_out = np.empty(n_freq, dtype=complex_dtype(self.dtype))

    def _receive(self, magnitude: np.ndarray) -> None:
        """Shift the new frame into the three-frame buffer."""
        peak = max(self._peak, float(magnitude.max()))
        self._magnitudes[:-1] = self._magnitudes[1:]
        self._logs[:-1] = self._logs[1:]
        self._magnitudes[-1] = magnitude
        if peak == 0:  # silence so far: no gradient to speak of
            self._logs[-1] = 0.0
        elif peak > self._peak:  # a new peak moves the floor: the buffered frames' logs with it,
            # so that every difference of logs is taken with one floor (and scaling S scales y)
            _log_magnitude(self._magnitudes, out=self._logs, peak=peak)
        else:
            _log_magnitude(magnitude, out=self._logs[-1], peak=peak)
        self._peak = peak
        self._received = min(self._received + 1, 3)

    # ------------------------------------------------------------------ one frame
    def _tgrad_of(self, logs: np.ndarray) -> np.ndarray:
        """tgrad of one frame: 2 pi a m / M + (a M / (2 gamma)) (l[m+1] - l[m-1]), mirrored ends."""
        n_freq = logs.shape[0]
        difference = np.empty_like(logs)
        if n_freq == 1:
            difference[0] = 0.0
        else:
            difference[1:-1] = logs[2:] - logs[:-2]
            difference[0] = 0.0  # DC: |X[-1]| = |X[1]|
            # top bin: Nyquist mirrors bin M/2 - 1 (difference 0); for odd M it mirrors itself
            difference[-1] = 0.0 if self.geometry.n_fft % 2 == 0 else logs[-1] - logs[-2]
        difference *= self._tgrad_scale
        difference += self._ramp
        return difference

    def _fix(self, index: int, dlog_dn: np.ndarray) -> None:
        """Integrate the phase of buffered frame ``index`` and commit it."""
        magnitude = self._magnitudes[index]  # (n_freq,)
        tgrad = self._tgrad_of(self._logs[index])
        fgrad = self._fgrad_scale * dlog_dn
        # a random phase, drawn for every frame, replaced by the integrated one where significant
        phase = 2.0 * np.pi * self._rng.random(magnitude.shape[0])
        significant = magnitude > self.tol * self._peak
        if significant.any():
            integrated = _integrate_frame(
                magnitude,
                tgrad,
                fgrad,
                self._last_magnitude,
                self._tgrad,
                self._phase,
                significant,
                previous_silent=not np.any(self._last_magnitude > self.tol * self._peak),
            )
            phase[significant] = integrated[significant]
        # keep this frame as the known one for the next
        self._phase[...] = phase
        self._tgrad[...] = tgrad
        self._last_magnitude[...] = magnitude
        # window-centred -> frame-start phase, X = S exp(i phi_gl)
        spectrum = self._spectrum_out
        np.exp(1j * (phase - self._to_frame_start), out=spectrum, casting="same_kind")
        spectrum *= magnitude
        self._commit(spectrum)

    def _process(self, magnitude: np.ndarray) -> None:
        self._receive(magnitude)
        logs, received = self._logs, self._received
        if self.lookahead == 0:
            # causal: dl/dn at the newest frame from the ones before it
            if received == 1:
                dlog_dn = np.zeros_like(logs[2])
            elif self.causal_difference == "hold":  # (l[n+1] - l[n-1]) / 2 with l[n+1] := l[n]
                dlog_dn = 0.5 * (logs[2] - logs[1])
            elif received >= 3:  # second-order backward difference
                dlog_dn = 0.5 * (3.0 * logs[2] - 4.0 * logs[1] + logs[0])
            else:
                dlog_dn = logs[2] - logs[1]
            self._fix(2, dlog_dn)
        elif received >= 2:
            # look-ahead 1: frame n = buffer[1] is fixed now that n + 1 = buffer[2] is here
            if received >= 3:
                dlog_dn = 0.5 * (logs[2] - logs[0])
            else:  # frame 0 has no predecessor: forward difference (np.gradient's)
                dlog_dn = logs[2] - logs[1]
            self._fix(1, dlog_dn)

    def _flush_pending(self) -> None:
        if self.lookahead == 1 and self.frames_committed < self.frames_pushed:
            logs = self._logs
            # the last frame has no successor: backward difference (np.gradient's)
            dlog_dn = logs[2] - logs[1] if self._received >= 2 else np.zeros_like(logs[2])
            self._fix(2, dlog_dn)


def _integrate_frame(
    magnitude: np.ndarray,
    tgrad: np.ndarray,
    fgrad: np.ndarray,
    last_magnitude: np.ndarray,
    last_tgrad: np.ndarray,
    last_phase: np.ndarray,
    significant: np.ndarray,
    previous_silent: bool,
) -> np.ndarray:
    """The heap integration over the known frame ``n - 1`` and the new frame ``n``.

    Coefficients are numbered ``0 .. F-1`` for frame ``n - 1`` and ``F .. 2F-1`` for frame
    ``n``; they are taken in rank order of decreasing magnitude (0 = largest; ranks are
    ints). If the previous frame is entirely below the tolerance (the stream's start, or
    after silence), frame ``n`` is also seeded at its largest coefficient, so that the
    integration spreads from there rather than from the first bin.

    The coefficients of frame ``n - 1`` are all there from the start and none is ever added
    (every step reaches a coefficient of frame ``n``), so they need no heap: they are taken
    from a list sorted by rank, and only frame ``n`` goes through the heap. Before each one
    of frame ``n - 1``, the heap gives up its coefficients of smaller rank: the order a
    single heap holding both would pop them in.
    """
    n_freq = magnitude.shape[0]
    both = np.concatenate([last_magnitude, magnitude])  # (2 n_freq,)
    order = np.argsort(-both, kind="stable")
    rank = np.empty(2 * n_freq, dtype=np.int64)
    rank[order] = np.arange(2 * n_freq)
    half_t_now = (0.5 * tgrad).tolist()
    half_t_last = (0.5 * last_tgrad).tolist()
    half_f = (0.5 * fgrad).tolist()
    values = [0.0] * n_freq
    previous = last_phase.tolist()
    bin_of = (order - n_freq).tolist()  # the bin m of the coefficient (m, n) of each rank
    rank_now = rank[n_freq:].tolist()  # the rank of (m, n)
    # 1 for the bins of frame n still to integrate, and a guard, 0, for m = n_freq and m = -1
    todo = bytearray(significant.astype(np.uint8).tobytes()) + b"\x00"
    heap: list[int] = []  # ranks of coefficients of frame n
    if previous_silent:  # nothing to continue: start at the largest bin, as PGHI seeds an island
        seed = int(np.argmax(np.where(significant, magnitude, -1.0)))
        todo[seed] = 0
        values[seed] = previous[seed] + half_t_last[seed] + half_t_now[seed]
        heap.append(rank_now[seed])
    # (m, n-1) for m in I by rank, then a guard (rank 2 n_freq, above all; bin n_freq, never to do)
    waiting = np.sort(rank[:n_freq][significant])
    pop, push = heappop, heappush
    for upcoming, i in zip(waiting.tolist() + [2 * n_freq], order[waiting].tolist() + [n_freq]):
        while heap and heap[0] < upcoming:  # a coefficient of frame n, larger: step across bins
            m = bin_of[pop(heap)]
            value = values[m]
            hf = half_f[m]
            j = m + 1
            if todo[j]:
                todo[j] = 0
                values[j] = value + hf + half_f[j]
                push(heap, rank_now[j])
            j = m - 1
            if todo[j]:  # (todo[-1] is the guard)
                todo[j] = 0
                values[j] = value - hf - half_f[j]
                push(heap, rank_now[j])
        if todo[i]:  # the coefficient (i, n-1): step forward in time
            todo[i] = 0
            values[i] = previous[i] + half_t_last[i] + half_t_now[i]
            push(heap, rank_now[i])
    return np.asarray(values)


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def rtpghi(S: Any, *, lookahead: int = ..., tol: float = ..., gamma: Optional[float] = ..., rng: RngSpec = ...,
           causal_difference: str = ..., length: Optional[int] = ..., return_info: Literal[False] = ...,
           fade_edges: bool = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
           hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
           center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> np.ndarray: ...
@overload
def rtpghi(S: Any, *, lookahead: int = ..., tol: float = ..., gamma: Optional[float] = ..., rng: RngSpec = ...,
           causal_difference: str = ..., length: Optional[int] = ..., return_info: Literal[True],
           fade_edges: bool = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
           hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
           center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def rtpghi(S: Any, *, lookahead: int = ..., tol: float = ..., gamma: Optional[float] = ..., rng: RngSpec = ...,
           causal_difference: str = ..., length: Optional[int] = ..., return_info: bool = ..., fade_edges: bool = ...,
           geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
           win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
           sym: bool = ...) -> Any: ...
def rtpghi(
    S,
    *,
    lookahead: int = 1,
    tol: float = DEFAULT_TOL,
    gamma: Optional[float] = None,
    rng: RngSpec = None,
    causal_difference: str = "hold",
    length: Optional[int] = None,
    return_info: bool = False,
    fade_edges: bool = True,
    geometry: Optional[STFT] = None,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
):
    r"""Recover a signal from an STFT magnitude with RTPGHI, streaming it frame by frame.

    Runs :class:`RTPGHI` over the spectrogram (each batch item in turn). Frame :math:`n`'s
    phase is integrated from frame :math:`n-1`'s by a heap over the two frames, with

    .. math::

        \phi[m, n] = \phi[m, n-1] + \tfrac12(\phi_t[m, n-1] + \phi_t[m, n]), \qquad
        \phi[m \pm 1, n] = \phi[m, n] \pm \tfrac12(\phi_\omega[m, n] + \phi_\omega[m \pm 1, n]),

    :math:`\phi_t = 2\pi a m / M + \frac{aM}{2\gamma}\Delta_m \log s` and
    :math:`\phi_\omega = -\frac{\gamma}{aM}\partial_n \log s`, with :math:`\partial_n` a
    difference per frame, centred (``lookahead=1``: half the difference of the frames either
    side) or causal (``lookahead=0``, see ``causal_difference``).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target magnitude; float32 gives float32.
    lookahead : {0, 1}
        Frames of look-ahead (default 1).
    tol : float in (0, 1)
        Relative tolerance of the heap (default 1e-6).
    gamma : float > 0, optional
        Default: the window's constant (:func:`gl.pghi.window_gamma`).
    rng : None, int, np.random.Generator or np.random.RandomState
        Seed of the random phases of the bins below ``tol``. One generator serves the
        batch items in turn (item 0's frames, then item 1's ...), so an item of a batch gets
        other random phases than the same spectrogram alone with the same seed.
    causal_difference : {'hold', 'backward2'}
        The time derivative with ``lookahead=0``; see :class:`RTPGHI`.
    length : int, optional
        Output length; must give ``n_frames`` frames. Default ``geometry.default_length``.
    return_info : bool
        Also return a :class:`gl.PhaseRetrievalInfo` (one pass: ``n_iter=1``, the
        spectral convergence of the output).
    fade_edges : bool
        As in :class:`gl.streaming.StreamingInverter` (default True), but from the window
        sum of the whole signal, as :meth:`gl.Spectrogram.invert` fades: the stream's own
        fade stops ``n_fft - hop`` samples in, short of where a low-overlap window's tip
        alone sees the signal (49 samples at Hann 256, hop 224).
    geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym
        The STFT geometry, as in :func:`gl.griffinlim`.

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``.

    References
    ----------
    Z. Prusa and P. L. Sondergaard, "Real-time spectrogram inversion using phase gradient
    heap integration", DAFx 2016.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> t = np.arange(8000) / 8000
    >>> x = np.sin(2 * np.pi * (300 + 300 * t) * t)
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> y, info = gl.rtpghi(S, n_fft=256, hop_length=64, length=len(x), rng=0, return_info=True)
    >>> y.shape, bool(info.final_db < -20)
    ((8000,), True)
    """
    start_time = time.perf_counter()
    check_flag("return_info", return_info)
    problem = prepare(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym, length)
    geometry = problem.geometry
    generator = as_generator(rng)
    with nola_warned():  # prepare() has warned
        stream = RTPGHI(
            geometry,
            lookahead=lookahead,
            tol=tol,
            gamma=gamma,
            rng=generator,
            causal_difference=causal_difference,
            dtype=problem.dtype,
            fade_edges=fade_edges,
        )
    magnitude = problem.magnitude  # (batch, n_frames, n_freq)
    y = problem.signal_shape(stream_batch(stream, magnitude, problem.length))
    if not return_info:
        return y
    return y, one_pass_info("rtpghi", "rtpghi", S, y, geometry, time.perf_counter() - start_time)


def _as_method(S, *, n_iter: int = 0, init=None, tol=None, callback=None, n_threads=None, heap_tol: float = DEFAULT_TOL,
               **options):
    """``gl.reconstruct(S, method='rtpghi')``: one streaming pass. ``n_iter`` does not apply
    and is ignored; ``init``, ``tol`` (an iteration tolerance there) and ``callback`` are
    refused; the heap tolerance, :func:`rtpghi`'s ``tol``, is ``heap_tol`` here (``gl -O heap_tol=``)."""
    check_n_threads(n_threads)  # checked, though one pass has nothing to split
    refuse_iteration_options("rtpghi", init, tol, callback, own_tol=True)
    _check_tol(heap_tol, name="heap_tol")
    del n_iter, n_threads
    return rtpghi(S, tol=heap_tol, **options)


_as_method.forwards_to = rtpghi  # type: ignore[attr-defined]  # its options are rtpghi's (gl.cli lists them)
