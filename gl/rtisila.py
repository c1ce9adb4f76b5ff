"""RTISI-LA: real-time iterative spectrogram inversion with look-ahead, frame by frame.

Zhu, Beauregard and Wyse (2007) run Griffin-Lim on a sliding window of frames instead of
the whole spectrogram. With hop ``a``, FFT size ``M`` and look-ahead ``L``, the buffer
holds, around the *submit* frame ``s``:

* the committed frames before it (their phase is final; only their overlap-added
  samples are kept),
* the submit frame ``s`` and the ``L`` look-ahead frames ``s+1 .. s+L``, whose phases
  are still being refined.

When frame ``s + L`` arrives its first estimate comes from the samples the buffer already
overlap-adds over its support (the *partial reconstruction*), and then every uncommitted
frame is updated, newest to oldest, ``n_iter_per_frame`` times (one Gauss-Seidel sweep of
GLA each); finally frame ``s`` is committed and the buffer slides by a hop. Updating
frame ``j`` is one GLA step on that frame alone::

    x_hat = (sum_m y_m[. - m a]) / D                            (the current signal estimate)
    X_j   = DFT(v_j * x_hat[j a : j a + M])                      (its STFT frame, window v_j)
    X_j  <- S_j X_j / |X_j|                                      (impose the magnitude)
    y_j   = w * IDFT(X_j)                                        (the frame's new contribution)

with ``D[k] = sum_i w[k + i a]^2`` the window sum. ``v_j`` is the analysis window ``w``,
except for the newest frame, whose right part is only partly overlap-added: as in the
paper, it gets an asymmetric window, ``v = sum_{i >= 1} w[k - i a]`` on its first update
(its own contribution is still zero) and ``v = sum_{i >= 0} w[k - i a]`` afterwards, which
restore a bell-shaped effective window on the incomplete estimate. phaseret overlays the
dual windows ``w / D`` instead, ``v / D``. The two are the same where ``D`` is constant
(Hann at hop ``n_fft / 4``, Blackman at ``n_fft / 8``: a scale, which no phase sees).
Elsewhere neither is better everywhere (measured below): where each frame overlaps only its
neighbours (``win_length / 2 <= hop < win_length``: torchaudio's and scipy's default
geometries, hop ``n_fft / 2``) phaseret's are 0.6-2.5 dB better while ``D`` varies by up to
4.3x (the most measured), and worse from 5.2x (by 0.8 dB), more beyond (2.6 dB at 23x,
6.5 dB at 391x, with the floored analysis of windows that barely overlap, below), where ``D``
falls towards ``w^2`` near a frame's ends and ``1 / D`` magnifies them; where frames overlap
more, the paper's are as good or better (by 1.8 dB with Blackman at hop 384 of 1024). gl
takes ``v / D`` where each frame overlaps only its neighbours and ``max D <= 4.5 min D``
(:func:`uses_dual_windows`), ``v`` otherwise: an empirical rule, which picked the better
window, or windows within 0.1 dB, in each of the fourteen geometries measured (a review over
32 geometries found three where it loses 0.6-1.3 dB: Blackman 1024/480 and 1024/540, Hamming
1024/400).

What costs RTISI-LA most where each frame overlaps only its neighbours is not that choice
but the first estimate: the earlier frames overlap-add samples ``0 .. M - a`` of the new
frame's support, and its first window ``sum_{i >= 1} w[k - i a]`` is zero below ``a``;
with ``a >= M / 2`` the two never meet, so the new frame starts from the impulse at its
centre (the phase gl gives a zero coefficient), not from the partial reconstruction
(the paper's and phaseret's windows alike). A least-squares first estimate, ``w / P`` with
``P`` the window sum of the frames present, was measured 5-9 dB better there (default
look-ahead, 5 iterations, the geometries above, mean of eight clips) but fails on
transients, which that mean hides: the start copies the estimate of the frames before, so
a click first seen at a frame's edge is copied to the wrong place frame after frame (a
lone click at Hann 256/100 -6.4 dB against -27.1, twelve clicks at torchaudio's 400/200
-20.5 against -272, the tabla clip at a sine window 1024/400 6.7 dB worse), and it is
worse at hop ``>= 3 M / 4`` (by 11 dB at 900 of 1024) and with 0 or 1 iterations per
frame; it is not used (it was adopted and reverted on 2026-11-29). Choosing, frame by
frame, whichever of the two starts adds less to Griffin-Lim's inconsistency (the growth of
its objective on the samples the frames present cover, plus the expected growth on those
later frames will) kept most of the gain (5 iterations: Hann 1024/512 -14.4 -> -20.2 dB,
400/200 -14.9 -> -20.4 dB; 3 s of eight clips) and fixed the lone clicks, but was still
worse in 9 of 147 (geometry, iterations) cells by more than 0.3 dB on the mean or 1 dB on a
clip (scipy's Tukey 256/224 at 20 iterations by 1.4 dB on the mean, 3.6 on one clip; sine
1024/768; Gaussian 1024/512 on greasy) and in 10 of 1092 transient tests (synthetic kicks
by up to 3.8 dB, click trains by 1.7 dB): not used either (a review, 2026-11-30).

Where the windows barely overlap (:attr:`gl.STFT.low_overlap`: ``D`` below 10 % of its
peak between frames, 0.3 % for scipy's ``window='hann'`` at its default overlap) each
analysis divides the overlap-added samples by ``max(D, 0.1 max D)`` instead
(``LOW_OVERLAP_FLOOR``; near the ends of the stream, below, the estimate ``sum / W`` is
multiplied by ``D / max(D, 0.1 max D)``, ``D`` continued with period ``a``): dividing by ``D`` amplified every error between frames into the
next frame's estimate, as in the least-squares iterations of the offline methods, which
:meth:`gl.Spectrogram.invert` runs again with such a floor when their result shows spikes;
a stream cannot run again, so RTISI-LA floors its analysis always, for those geometries
only. The samples it returns stay least squares. On the first 3 s of the six dev clips,
greasy and gspi (``benchmarks/bench_rtisila_low_overlap.py``, default look-ahead, 5
iterations), the result's spectrogram at a hop of ``n_fft / 8``, which shows the samples
between frames, came 0.4 to 2.5 dB closer to the signal's on average in each of six
such geometries (Hann 256/224 -3.8 -> -6.3 dB, its level +2.0 -> +0.7 dB, peaks 5.7 ->
3.8 times the signal's; Blackman 512/384 -6.3 -> -7.6 dB), levels moved by -0.4 to -1.3
dB, a steady sine kept its figures (to 0.7 dB better; 1.4 at Hann 1024/1000) and a
four-note chord moved by -0.8 to +0.3 dB (-1.0 at Hann 1024/1000), while the given
spectrogram was matched 1 to 3.7 dB less closely in five of them (least squares matches
it with the samples it cannot see) and as closely at Hann 1024/1000.

Near the start of the stream (fewer frames than in the steady state cover a sample) and
at its end, the estimate is divided by the true window sum instead of ``D``; with
``pad_mode='constant'`` the zero padding of a centred geometry is imposed.

All of this written out on full-length arrays (each update overlap-adds every frame set so
far), for reading beside the equations, is ``literal_rtisila_spectra`` in
``tests/test_streaming.py``, which the tests hold the committed frames to, to rounding
(the floored analysis of windows that barely overlap included).

Cost per frame: ``(L + 1) * n_iter_per_frame`` FFT/inverse-FFT pairs of size ``M`` (the new
frame's first estimate is the first of them; the commit reuses the frame's last synthesis,
and ``n_iter_per_frame=0`` costs the one pair of the first estimate); memory: ``(L + 1)``
frames and ``L a + M`` samples, whatever the length.

Measured (``benchmarks/bench_rtisila.py``, ``benchmarks/results/rtisila.json``; Hann, n_fft
1024, hop 256; spectral convergence in dB, mean of the six dev clips, whole: 3.1 to 8 s):
with 5 iterations per frame RTISI-LA(0) -18.1, RTISI-LA(1) -21.9, RTISI-LA(3) (the default
look-ahead) -25.1; with 20, -19.2, -23.8 and -28.5.
The newest frame's windows (``benchmarks/bench_rtisila_windows.py``,
``results/rtisila_windows.json``: default look-ahead, 5 iterations, the first 4 s of the dev
clips, greasy and gspi; mean dB with ``v`` / with ``v / D``, ``D``'s max / min in brackets).
Frames that overlap two or more: Hann 256/100 (1.15) -21.0 / -20.6, Hann 1024/384 (1.09)
-21.6 / -21.6, Hann 512/160 with a 400 window (1.19) -20.3 / -20.1, Blackman 1024/384 (1.64)
-22.6 / -20.8. Frames that overlap their neighbours only: Hann 1024/512 (2.0) -13.6 / -14.5,
Hamming 1024/512 (1.7) -13.4 / -14.4, Blackman 1024/512 (4.3) -16.0 / -17.0, torchaudio's
Hann 400/200 (2.0) -13.7 / -15.2, scipy's Tukey 256/224 (2.0) -21.4 / -23.8, Hann 1024/576
(3.1) -16.0 / -16.6, Hamming 400/240 (3.2) -15.3 / -16.9, Hann 1024/640 (5.2) -18.8 / -18.0,
1024/768 (23) -23.9 / -21.3, 1024/900 (391) -29.5 / -23.0 (these two barely overlap: the
analysis floored, above). On
greasy (16 kHz, 0.37 s; ``bench_rtisila.py``, defaults: 5 iterations, the default
look-ahead) -17.7 dB (Hann 1024/256, L = 3) and -20.5 dB (phaseret's Blackman 1024/128,
L = 7), with the default output lengths (5632 and 5760 samples; with ``length=5880``, the
recording's, -18.3 and -20.8 dB). The RTPGHI paper reports about -20 dB for RTISI-LA on
SQAM (hop 256, Hann) with look-ahead 0 and 1: RTISI-LA(0) -20.2, RTISI-LA(1) -19.9 dB.
Speed, default settings (L = 3, 5 iterations; ``rtisila.json``, median of 3 on one core,
the machine's two cores at a load average of 1.7): 0.030 s (16 kHz) to 0.084 s (44.1 kHz)
of computing per second of audio on the dev clips, wall and CPU time alike, 12-33x faster
than real time.

References
----------
X. Zhu, G. T. Beauregard and L. L. Wyse, "Real-time signal estimation from modified
short-time Fourier transform magnitude spectra", IEEE Trans. Audio, Speech and Language
Processing 15(5), 1645-1653, 2007.
Z. Prusa, "The Phase Retrieval Toolbox", AES International Conference on Semantic Audio,
2017 (phaseret's ``rtisila``, whose asymmetric windows are gl's divided by ``D``).
"""

from __future__ import annotations

import time
from typing import Any, Literal, Optional, overload

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import as_array, check_flag
from ._iterative import InitSpec, PhaseRetrievalInfo, RngSpec, check_n_threads, check_rng, initial_phase, one_pass_info, prepare, working_exponent
from .pghi import window_centre
from .streaming import StreamingInverter, check_iterations, check_lookahead, stream_batch
from .transform import EDGE_FADE, STFT, PadMode, _irfft, _rfft, nola_warned
from .windows import WindowSpec

#: Where the windows barely overlap (:attr:`gl.STFT.low_overlap`), the analysis divides the
#: overlap-added samples by ``max(D, LOW_OVERLAP_FLOOR max D)`` instead of ``D`` (the module's
#: notes); the samples returned stay least squares. 0 turns it off.
LOW_OVERLAP_FLOOR = EDGE_FADE

#: The buffer of ``lookahead + 1`` frames a stream allocates at its first push, at most.
#: A look-ahead of up to ``EAGER_SLOTS - 1`` frames gets its whole buffer then; a longer one
#: gets it as the frames arrive (doubling), so that it holds no more than about the frames
#: pushed: ``lookahead=10**9`` holds the whole stream until the flush, as :func:`rtisila`
#: caps the look-ahead at the frames given, instead of asking for terabytes.
EAGER_SLOTS = 64

#: The lowest power of two the nudge of a zero coefficient is scaled by for quiet input
#: (:meth:`RTISILA._follow_level`): ``sqrt(tiny) * 2^-511`` is float64's smallest normal number.
_NUDGE_LOWEST_EXPONENT = -511

#: Where each frame overlaps only its neighbours, the newest frame gets phaseret's dual
#: windows while the window sum ``D`` varies by at most this factor over a hop.
DUAL_WINDOW_MAX_RATIO = 4.5


def uses_dual_windows(geometry: STFT, window_sum: Optional[np.ndarray] = None) -> bool:
    """Whether the newest frame is analysed with phaseret's overlaid dual windows ``v / D``
    (else with the paper's ``v``): where each frame overlaps only its neighbours
    (``win_length / 2 <= hop < win_length``) and ``D`` (``window_sum``, by default the
    geometry's :attr:`~gl.STFT.window_sum_period`) varies by at most
    :data:`DUAL_WINDOW_MAX_RATIO`. An empirical rule: see the module's notes."""
    if not isinstance(geometry, STFT):
        raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
    if default_lookahead(geometry) != 1:
        return False
    window_sum = geometry.window_sum_period if window_sum is None else window_sum
    low, high = float(np.min(window_sum)), float(np.max(window_sum))
    return high > 0 and low * DUAL_WINDOW_MAX_RATIO >= high


__all__ = ["RTISILA", "rtisila", "default_lookahead", "reconstruct_rtisila", "EAGER_SLOTS"]


def default_lookahead(geometry: STFT) -> int:
    """``ceil(win_length / hop) - 1``: the later frames that overlap a frame's window.

    (``ceil(n_fft / hop) - 1`` for a full-length window, the paper's and phaseret's default.)

    Parameters
    ----------
    geometry : gl.STFT
        The geometry of the frames.

    Returns
    -------
    int
        The look-ahead in frames.

    Examples
    --------
    >>> import gl
    >>> default_lookahead(gl.STFT(n_fft=1024, hop_length=256))
    3
    """
    return -(-geometry.win_length // geometry.hop_length) - 1


class RTISILA(StreamingInverter):
    """Streaming RTISI-LA: push magnitude frames, get the finished samples.

    Parameters
    ----------
    geometry : gl.STFT
        The geometry of the frames.
    lookahead : int >= 0, optional
        Look-ahead ``L`` in frames; default :func:`default_lookahead`
        (``ceil(win_length / hop) - 1``, 3 for 75 % overlap). The latency is ``L`` frames,
        ``n_fft - hop + L * hop`` samples (at least the centre padding ``n_fft // 2``:
        see :mod:`gl.streaming`). The stream holds ``L + 1`` frames; from ``L + 1 >``
        :data:`EAGER_SLOTS` (64) it allocates them as they arrive, so that a look-ahead
        past the stream's end (``10**9``) holds just the frames pushed, as :func:`rtisila`
        caps it at the frames given.
    n_iter_per_frame : int >= 0
        GLA sweeps over the uncommitted frames per new frame (default 5, the paper's).
        Each frame is thus updated ``(L + 1) * n_iter_per_frame`` times. 0 keeps each
        frame's first estimate.
    dtype : {None, np.float32, np.float64}
        Precision of the output (see :class:`gl.streaming.StreamingInverter`). The
        buffer of a few frames is kept in float64 in both cases (numpy's one-frame
        float32 FFTs are slower); float32 output is rounded from it.
    fade_edges : bool
        Fade the stream's first and last samples where the window sum is small, instead
        of dividing by it (default True); see :class:`gl.streaming.StreamingInverter`.

    Notes
    -----
    :meth:`push` also takes ``phase`` (radians, same shape as the frames): the first
    estimate of each new frame is then ``S exp(i phase)`` instead of the partial
    reconstruction (for a better initial phase computed elsewhere, e.g. PGHI).

    References
    ----------
    X. Zhu, G. T. Beauregard and L. L. Wyse, IEEE TASLP 15(5), 2007.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> geometry = gl.STFT(n_fft=256, hop_length=64)
    >>> t = np.arange(4000) / 8000
    >>> x = np.sin(2 * np.pi * (300 + 400 * t) * t)          # a chirp
    >>> S = np.abs(geometry.stft(x))
    >>> stream = gl.RTISILA(geometry)
    >>> stream.lookahead, stream.latency_samples
    (3, 384)
    >>> pieces = [stream.push(S[:, i : i + 10]) for i in range(0, S.shape[1], 10)]
    >>> y = np.concatenate(pieces + [stream.flush()])
    >>> len(y) == geometry.default_length(S.shape[1])
    True
    >>> bool(gl.metrics.spectral_convergence_db(S, geometry.stft(y)) < -15)
    True
    """

    # the buffer of uncommitted frames, made (and grown) by _allocate_slots: a row per slot, and
    # the overlap-add of every frame so far
    _target: np.ndarray
    _contribution: np.ndarray
    _coefficients: np.ndarray
    _first_phase: np.ndarray
    _has_phase: np.ndarray
    _overlap: np.ndarray

    def __init__(self, geometry: STFT, *, lookahead: Optional[int] = None, n_iter_per_frame: int = 5, dtype: Optional[DTypeLike] = None,
                 fade_edges: bool = True):
        if not isinstance(geometry, STFT):
            raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
        lookahead = default_lookahead(geometry) if lookahead is None else check_lookahead(lookahead)
        self.n_iter_per_frame = check_iterations(n_iter_per_frame, "n_iter_per_frame")
        self._phase_queue = None  # phases given to the current push, (n_freq, k), if any
        self._phase_column = 0
        super().__init__(geometry, lookahead=lookahead, dtype=dtype, fade_edges=fade_edges)

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget the stream: the next push starts a new signal (the dtype is kept if fixed).

        A buffer grown past :data:`EAGER_SLOTS` frames for a long look-ahead is given back
        here, not at the next push.
        """
        super().reset()  # with a fixed dtype this already allocates the first EAGER_SLOTS frames
        target = getattr(self, "_target", None)  # (none before the first frame sets the dtype)
        if target is not None and len(target) > EAGER_SLOTS:
            self._pending = 0
            self._allocate_slots(EAGER_SLOTS, held=0)

    def _reset_state(self) -> None:
        # The buffer is a few frames long, so it is kept in float64 whatever the stream's
        # dtype: numpy's float32 FFT of a single frame is slower than its float64 one, and
        # mixed-precision steps would add casts. A float32 stream still takes and returns
        # float32 (its magnitudes are float32; the output is rounded to float32).
        geometry = self.geometry
        n_fft, n_freq = geometry.n_fft, geometry.n_freq
        # the uncommitted frames: slot 0 is the submit frame s, slot j is frame s + j. A
        # look-ahead of EAGER_SLOTS frames or more gets its buffer as the frames arrive (_process)
        self._pending = 0  # uncommitted frames in the buffer
        self._allocate_slots(min(self.lookahead + 1, EAGER_SLOTS), held=0)
        # work arrays of one update
        self._segment = np.empty(n_fft)
        self._spectrum = np.empty(n_freq, dtype=np.complex128)
        self._modulus = np.empty(n_freq)
        self._ratio = np.empty(n_freq)
        self._frame = np.empty(n_fft)
        self._window64 = geometry.window_array
        # gives a zero coefficient the phase of an impulse at the window's centre (see _update)
        centre = round(window_centre(geometry))
        self._unit_nudge = np.sqrt(np.finfo(np.float64).tiny) * np.exp(-2j * np.pi * centre / n_fft * np.arange(n_freq))
        self._nudge = self._unit_nudge  # times 2^e for the loudest frame so far, as gl.rtisila scales S (_follow_level)
        self._peak_seen, self._nudge_exponent = 0.0, 0
        if getattr(self, "_start_gain", None) is None:
            self._make_tables()

    def _allocate_slots(self, slots: int, held: int) -> None:
        """The buffer of ``slots`` frames (at most ``lookahead + 1``), the ``held`` frames of
        the current one copied into it."""
        geometry, dtype = self.geometry, np.dtype(np.float64)
        n_fft, hop, n_freq = geometry.n_fft, geometry.hop_length, geometry.n_freq
        try:
            target = np.zeros((slots, n_freq), dtype=dtype)  # S of each slot
            contribution = np.zeros((slots, n_fft), dtype=dtype)  # y_j = w IDFT(X_j)
            coefficients = np.zeros((slots, n_freq), dtype=np.complex128)  # X_j after the last update
            first_phase = np.zeros((slots, n_freq), dtype=dtype)  # given initial phase (if any)
            has_phase = np.zeros(slots, dtype=bool)
            # overlap-add of every frame so far (committed or not) on padded positions
            # [s a, s a + (slots - 1) a + M): everything frame s .. s+L can see
            overlap = np.zeros((slots - 1) * hop + n_fft, dtype=dtype)
        except MemoryError:
            raise MemoryError(
                f"lookahead={self.lookahead}: RTISI-LA holds up to lookahead + 1 frames before it commits one, and "
                f"{slots} frames of n_fft={n_fft} do not fit in memory ({held} held so far); use a smaller lookahead"
            ) from None
        if held:
            target[:held] = self._target[:held]
            contribution[:held] = self._contribution[:held]
            coefficients[:held] = self._coefficients[:held]
            first_phase[:held] = self._first_phase[:held]
            has_phase[:held] = self._has_phase[:held]
            span = (held - 1) * hop + n_fft
            overlap[:span] = self._overlap[:span]
        self._target, self._contribution, self._coefficients = target, contribution, coefficients
        self._first_phase, self._has_phase, self._overlap = first_phase, has_phase, overlap

    def _make_tables(self) -> None:
        """The analysis windows and start-of-stream gains: they depend on the geometry alone,
        so they are made once, not at every :meth:`reset` (for n_fft 8192 at hop 16 the
        gains cost seconds)."""
        geometry, dtype = self.geometry, np.dtype(np.float64)
        n_fft, hop = geometry.n_fft, geometry.hop_length
        # the analysis windows v_j divided by D: the buffer holds x_hat D, so that
        # segment = (v_j / D) * buffer is one product (see the module's notes for v_j)
        window = geometry.window_array
        steady = self._steady_sum  # D[k], (n_fft,) float64
        # where the windows barely overlap, 1 / max(D, LOW_OVERLAP_FLOOR max D) (the module's notes)
        floored = np.maximum(steady, LOW_OVERLAP_FLOOR * steady.max()) if geometry.low_overlap else steady
        inverse = np.zeros(n_fft)
        np.divide(1.0, floored, out=inverse, where=steady > self._floor)
        later = np.zeros(n_fft)  # sum_{i >= 1} w[k - i a]: the frames after this one
        for shift in range(hop, n_fft, hop):
            later[shift:] += window[: n_fft - shift]
        # the windows multiply the overlap-added samples before their 1 / D (x_hat = sum / D):
        # each holds v / D, and phaseret's dual windows v / D for the newest frame hold v / D^2
        newest_scale = inverse * inverse if uses_dual_windows(geometry, steady) else inverse
        self._window_plain = (window * inverse).astype(dtype)  # v = w
        self._window_newest_first = (later * newest_scale).astype(dtype)  # v = sum_{i >= 1} w[k - i a] (/ D)
        self._window_newest = ((later + window) * newest_scale).astype(dtype)  # v = sum_{i >= 0} w[k - i a] (/ D)
        # start of the stream: D / (true window sum) per frame whose support is short of
        # frames on the left (and 0 on the constant zero padding), one row per frame
        start_frames = -(-max(n_fft - hop, 0) // hop) if n_fft > hop else 0
        self._start_gain = self._edge_gains(0, start_frames, last_frame=None).astype(dtype)

    def _edge_gains(self, first: int, count: int, last_frame: Optional[int]) -> np.ndarray:
        """``D / W`` on the supports of frames ``first .. first + count - 1``, a row each,
        ``W`` the window sum of frames ``0 .. last_frame``, float64 ``(count, n_fft)``.

        ``last_frame=None`` means unbounded on the right (the stream goes on). Positions of
        the zero padding (``pad_mode='constant'``, centred) and where ``W`` is below the
        floor get 0. ``W`` is summed once over the frames' whole span, the rows are views
        of it (each position's sum is the same whatever span it is summed in): a frame's row
        alone would cost ``n_fft / hop`` passes, and a stream's start or end has about as
        many frames, which made hops far below ``n_fft`` quadratically slow.
        """
        geometry = self.geometry
        n_fft, hop = geometry.n_fft, geometry.hop_length
        start, span = first * hop, max(count - 1, 0) * hop + n_fft
        big = (1 << 62) // max(hop, 1) if last_frame is None else last_frame
        total = self._window_sum(start, span, last_frame=big)
        rows = np.lib.stride_tricks.sliding_window_view(total, n_fft)[::hop][:count]  # row j: frame first + j's support
        gains = np.zeros((count, n_fft))
        np.divide(self._steady_sum, rows, out=gains, where=rows > self._floor)
        if geometry.center and geometry.pad_mode == "constant":
            positions = (first + np.arange(count))[:, None] * hop + np.arange(n_fft)
            gains[positions < geometry.pad] = 0
            if last_frame is not None:  # the right padding of a stream that has ended
                gains[positions >= (last_frame * hop + n_fft - geometry.pad)] = 0
        return gains

    # ------------------------------------------------------------------ one update
    def _update(self, slot: int, window: np.ndarray, gain: Optional[np.ndarray]) -> None:
        """One GLA step on the frame in ``slot``: re-estimate its phase from the buffer."""
        geometry = self.geometry
        n_fft, hop = geometry.n_fft, geometry.hop_length
        span = self._overlap[slot * hop : slot * hop + n_fft]  # x_hat * D on its support
        segment = np.multiply(span, window, out=self._segment)  # v_j x_hat
        if gain is not None:
            segment *= gain
        spectrum = _rfft(segment, n_fft, self._spectrum)  # X_j = DFT(v_j x_hat)
        # X_j <- S_j X_j / |X_j|; a zero coefficient has no phase: adding 1e-154 times the
        # phasor of an impulse at the window's centre gives it that phase (a silent start
        # would otherwise stay silent for ever), and changes no other coefficient. Not phase
        # 0: from the frame's start, a flat magnitude would be an impulse at sample 0, where
        # the window is 0, and the frame would add nothing (a lone click stayed silent)
        spectrum += self._nudge
        modulus = np.abs(spectrum, out=self._modulus)
        np.divide(self._target[slot], modulus, out=self._ratio)
        spectrum *= self._ratio
        self._set_frame(slot, spectrum)

    def _set_frame(self, slot: int, spectrum: np.ndarray) -> None:
        """Make ``spectrum`` the frame's coefficients; swap its contribution in the overlap-add."""
        n_fft, hop = self.geometry.n_fft, self.geometry.hop_length
        self._coefficients[slot] = spectrum
        contribution = self._contribution[slot]
        span = self._overlap[slot * hop : slot * hop + n_fft]
        span -= contribution  # remove the old y_j ...
        frame = _irfft(spectrum, n_fft, self._frame)
        np.multiply(frame, self._window64, out=contribution)  # y_j = w IDFT(X_j)
        span += contribution  # ... and add the new one

    def _gain(self, slot: int, end_gains: Optional[tuple[int, np.ndarray]]) -> Optional[np.ndarray]:
        """The gain of the frame in ``slot`` (None: ``D`` is its window sum); ``end_gains``, at the
        end of the stream, holds the first frame it starts at and :meth:`_edge_gains`' rows."""
        frame = self.frames_committed + slot
        if end_gains is not None:
            first, gains = end_gains
            return gains[frame - first]
        if frame < len(self._start_gain):
            return self._start_gain[frame]
        return None

    def _sweeps(self, newest_is_new: bool, end_gains: Optional[tuple[int, np.ndarray]] = None) -> None:
        """The new frame's first estimate, then ``n_iter_per_frame`` sweeps, newest to oldest
        (``end_gains``: at the end of the stream, with the true window sum, :meth:`_gain`)."""
        newest = self._pending - 1
        gains = [self._gain(slot, end_gains) for slot in range(self._pending)]
        at_end = end_gains is not None
        if newest_is_new:
            if self._has_phase[newest]:  # a given initial phase instead of the partial OLA
                spectrum = self._target[newest] * np.exp(1j * self._first_phase[newest])
                self._set_frame(newest, spectrum)
            else:
                self._update(newest, self._window_newest_first, gains[newest])
        for sweep in range(self.n_iter_per_frame):
            for slot in range(newest, -1, -1):
                if newest_is_new and sweep == 0 and slot == newest:
                    continue  # its first estimate was this sweep's update
                if slot == newest and not at_end:
                    window = self._window_newest  # later frames are missing on its right
                else:
                    window = self._window_plain
                self._update(slot, window, gains[slot])

    def _commit_oldest(self) -> None:
        """Commit the submit frame (slot 0) and slide the buffer by a hop."""
        hop = self.geometry.hop_length
        self._commit(self._coefficients[0], contribution=self._contribution[0])
        for array in (self._target, self._contribution, self._coefficients, self._first_phase, self._has_phase):
            array[:-1] = array[1:]
            array[-1] = 0
        self._overlap[:-hop] = self._overlap[hop:]
        self._overlap[-hop:] = 0
        self._pending -= 1

    # ------------------------------------------------------------------ the stream
    def push(self, frames, phase=None) -> np.ndarray:
        """Push magnitude frames (n_freq, k); return the samples that became final.

        Parameters
        ----------
        frames : np.ndarray [shape=(n_freq, k) or (n_freq,), non-negative, real float]
            ``k >= 0`` new frames (a 1-D array is one frame). Never modified.
        phase : np.ndarray [shape=frames.shape], optional
            Radians: replaces the partial reconstruction as the first estimate of each
            new frame (for a better initial phase computed elsewhere, e.g. PGHI).

        Returns
        -------
        np.ndarray [shape=(n,)]
            The next ``n >= 0`` samples of the signal, in the stream's dtype.

        Raises
        ------
        TypeError, ValueError
            ``frames`` or ``phase`` refused (as in :meth:`gl.StreamingInverter.push`; a
            ``phase`` not real, not finite or not of the frames' shape): nothing is taken,
            and the stream takes the next push.
        """
        if phase is None:
            self._phase_queue = None
            return super().push(frames)
        phase = as_array("phase", phase)
        frames_shape = np.shape(frames)
        if phase.shape != frames_shape:
            raise ValueError(f"phase has shape {phase.shape}; it must match frames {frames_shape}")
        if phase.dtype.kind == "c":  # the complex STFT itself, most likely: its angle is the phase
            raise TypeError("phase must be real radians; got a complex array (pass np.angle(phase))")
        if phase.dtype.kind not in "fiu":
            raise TypeError(f"phase must be real radians, got dtype {phase.dtype}")
        if not np.all(np.isfinite(phase)):
            raise ValueError("phase must be finite real numbers (radians); it contains NaN or infinite values")
        self._phase_queue = phase.reshape(frames_shape[0], -1)
        self._phase_column = 0
        try:
            return super().push(frames)
        finally:
            self._phase_queue = None

    def _process(self, magnitude: np.ndarray) -> None:
        slot = self._pending
        if slot == len(self._target):  # a look-ahead past EAGER_SLOTS: double the buffer (up to lookahead + 1)
            self._allocate_slots(min(self.lookahead + 1, 2 * slot), held=slot)
        self._target[slot] = magnitude
        self._follow_level(self._target[slot])
        self._contribution[slot] = 0
        if self._phase_queue is not None:
            self._first_phase[slot] = self._phase_queue[:, self._phase_column]
            self._has_phase[slot] = True
            self._phase_column += 1
        self._pending += 1
        self._sweeps(newest_is_new=True)
        if self._pending == self.lookahead + 1:
            self._commit_oldest()

    def _follow_level(self, magnitude: np.ndarray) -> None:
        """Scale the nudge of a zero coefficient (:meth:`_update`) with the loudest frame so far,
        by the power of two :func:`gl.rtisila` scales ``S`` by (none for peaks within
        ``[2^-32, 2^32]``): 1e-154 is not negligible beside magnitudes of 1e-150, where the
        stream came out 82 % off the batch function's signal. The nudge stays at least
        float64's smallest normal number (a peak below about 1e-154 brings it closer)."""
        peak = float(magnitude.max()) if magnitude.size else 0.0
        if peak <= self._peak_seen:
            return
        self._peak_seen = peak
        exponent = max(working_exponent(peak), _NUDGE_LOWEST_EXPONENT)
        if exponent != self._nudge_exponent:
            self._nudge_exponent = exponent
            self._nudge = self._unit_nudge * 2.0**exponent  # exact: a power of two, the result normal

    def _flush_pending(self) -> None:
        last_frame = self.frames_pushed - 1
        # the true window sum at the end, on every frame left (once: each sweep below sees most of them)
        end_gains = (self.frames_committed, self._edge_gains(self.frames_committed, self._pending, last_frame))
        while self._pending:
            # no new frame: sweep what is left
            self._sweeps(newest_is_new=False, end_gains=end_gains)
            self._commit_oldest()


# What a call returns, for type checkers: the signal, and the info with ``return_info``.
@overload
def rtisila(S: Any, *, n_iter_per_frame: int = ..., lookahead: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
            length: Optional[int] = ..., return_info: Literal[False] = ..., fade_edges: bool = ...,
            geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
            win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
            sym: bool = ...) -> np.ndarray: ...
@overload
def rtisila(S: Any, *, n_iter_per_frame: int = ..., lookahead: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
            length: Optional[int] = ..., return_info: Literal[True], fade_edges: bool = ...,
            geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
            win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
            sym: bool = ...) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def rtisila(S: Any, *, n_iter_per_frame: int = ..., lookahead: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
            length: Optional[int] = ..., return_info: bool = ..., fade_edges: bool = ...,
            geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
            win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ...,
            sym: bool = ...) -> Any: ...
def rtisila(
    S,
    *,
    n_iter_per_frame: int = 5,
    lookahead: Optional[int] = None,
    init: InitSpec = None,
    rng: RngSpec = None,
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
    r"""Recover a signal from an STFT magnitude with RTISI-LA, streaming it frame by frame.

    Runs :class:`RTISILA` over the whole spectrogram (each channel of a batch in turn).
    Each new frame ``j`` starts from the partial reconstruction and every uncommitted
    frame is updated newest to oldest, ``n_iter_per_frame`` times, by one GLA step,

    .. math::

        X_j \leftarrow S_j \frac{X_j}{|X_j|}, \quad
        X_j = \mathrm{DFT}\big(v_j\, \hat{x}[ja : ja + M]\big), \quad
        \hat{x} = \frac{\sum_m w[\cdot - ma]\, \mathrm{IDFT}(X_m)[\cdot - ma]}{\sum_m w[\cdot - ma]^2},

    before the oldest is committed (see :mod:`gl.rtisila`). The result is identical to
    pushing the frames in chunks of any size, but for the faded ends (``fade_edges``).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_fft // 2 + 1, n_frames), non-negative, float]
        Target magnitude; float32 gives float32.
    n_iter_per_frame : int >= 0
        GLA sweeps per new frame (default 5).
    lookahead : int >= 0, optional
        Look-ahead frames; default ``ceil(win_length / hop) - 1``.
    init : None, 'overlap', or any ``init`` of :func:`gl.griffinlim`
        First estimate of each new frame: None or ``'overlap'`` (default) the partial
        reconstruction, as in the paper; otherwise a phase computed from the whole of ``S``
        (``'random'``, ``'zeros'``, ``'pghi'``, ``'spsi'``, an array), which makes the
        function offline.
    rng : None, int, np.random.Generator or np.random.RandomState
        For ``init='random'``.
    length : int, optional
        Output length; must give ``n_frames`` frames. Default ``geometry.default_length``.
    return_info : bool
        Also return a :class:`gl.PhaseRetrievalInfo` (``n_iter`` = ``n_iter_per_frame``,
        one spectral-convergence value: that of the output).
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
    X. Zhu, G. T. Beauregard and L. L. Wyse, "Real-time signal estimation from modified
    short-time Fourier transform magnitude spectra", IEEE TASLP 15(5), 2007.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> t = np.arange(4000) / 8000
    >>> x = np.sin(2 * np.pi * 440 * t) * np.exp(-4 * t)
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> y, info = gl.rtisila(S, n_fft=256, hop_length=64, length=len(x), return_info=True)
    >>> y.shape, info.n_iter
    ((4000,), 5)
    >>> for n_iter_per_frame in (0, 3, 5):            # 0: each frame keeps its first estimate
    ...     _, info = gl.rtisila(S, n_fft=256, hop_length=64, n_iter_per_frame=n_iter_per_frame, length=len(x),
    ...                          return_info=True)
    ...     print(f"{n_iter_per_frame} per frame: {info.final_db:.1f} dB")
    0 per frame: -23.5 dB
    3 per frame: -42.4 dB
    5 per frame: -42.6 dB
    """
    start_time = time.perf_counter()
    n_iter_per_frame = check_iterations(n_iter_per_frame, "n_iter_per_frame")
    check_rng(rng)  # checked even when the overlap-add start draws nothing
    return_info = check_flag("return_info", return_info)
    problem = prepare(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym, length)
    geometry = problem.geometry
    S = np.asarray(S)
    if lookahead is not None:  # a look-ahead past the last frame waits for frames that never come: the same
        # signal as one of n_frames (and a latency_samples that says so)
        lookahead = min(check_lookahead(lookahead), problem.magnitude.shape[1])
    with nola_warned():  # prepare() has warned
        stream = RTISILA(geometry, lookahead=lookahead, n_iter_per_frame=n_iter_per_frame, dtype=problem.dtype,
                         fade_edges=fade_edges)
    magnitude = problem.magnitude  # (batch, n_frames, n_freq)
    phases = None
    label = "overlap"
    if init is not None and not (isinstance(init, str) and init == "overlap"):
        phasors, label = initial_phase(S, init, rng, geometry)
        phases = problem.to_frames(np.angle(phasors))  # (batch, n_frames, n_freq)
    y = problem.signal_shape(stream_batch(stream, magnitude, problem.length, phases))
    if not return_info:
        return y
    return y, one_pass_info("rtisila", label, S, y, geometry, time.perf_counter() - start_time, n_iter=n_iter_per_frame)


def reconstruct_rtisila(
    S,
    *,
    n_iter: int = 5,
    init: InitSpec = None,
    rng: RngSpec = None,
    geometry: Optional[STFT] = None,
    return_info: bool = False,
    tol=None,
    callback=None,
    n_threads=None,
    **options,
):
    """:func:`rtisila` under :func:`gl.reconstruct`'s keywords (``method='rtisila'``).

    ``n_iter`` is the number of iterations **per frame** (``n_iter_per_frame``; each
    frame is then updated ``(lookahead + 1) * n_iter`` times). ``gl.reconstruct`` passes
    no ``init`` unless told, so the paper's first estimate (the partial reconstruction,
    ``init='overlap'``) is used; any ``init`` of :func:`rtisila` may be given instead.
    ``tol`` and ``callback`` do not apply to a single streaming pass and are refused; ``n_threads``
    is unused (a stream is sequential).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        Target STFT magnitude.
    n_iter : int >= 0
        Iterations per frame (default 5), :func:`rtisila`'s ``n_iter_per_frame``.
    init, rng, geometry, return_info
        As in :func:`rtisila` (``init`` None: the partial reconstruction).
    tol, callback
        Refused unless None (``ValueError``): a single pass has no iterations to stop.
    n_threads : int, optional
        Checked, and unused.
    **options
        :func:`rtisila`'s other keywords (``lookahead``, ``length``, ``fade_edges``,
        geometry keywords ...).

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``.

    Examples
    --------
    A voiced sound (seven harmonics gliding from 150 to 250 Hz, faded in and out). Under
    ``gl.reconstruct``, ``n_iter`` is :func:`rtisila`'s ``n_iter_per_frame`` and the start is
    the partial reconstruction (``init='overlap'``): the same signal, to the bit.

    >>> import numpy as np
    >>> import gl
    >>> t = np.arange(4000) / 8000                                   # 0.5 s at 8 kHz
    >>> x = np.hanning(4000) * sum(np.sin(2 * np.pi * k * (150 * t + 100 * t**2)) / k for k in range(1, 8))
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> options = dict(length=len(x), n_fft=256, hop_length=64)
    >>> y = gl.reconstruct(S, method="rtisila", n_iter=3, **options)
    >>> bool(np.array_equal(y, gl.rtisila(S, n_iter_per_frame=3, init="overlap", **options)))
    True

    Each frame is updated ``(lookahead + 1) * n_iter`` times before it is committed, so a
    longer look-ahead buys quality for latency (the default here is 3, ``ceil(256 / 64) - 1``):

    >>> for lookahead in (0, 1, 3):
    ...     _, info = gl.reconstruct(S, method="rtisila", n_iter=3, lookahead=lookahead, return_info=True, **options)
    ...     print(f"look-ahead {lookahead}: {(lookahead + 1) * 3:2d} updates per frame, {info.final_db:.0f} dB")
    look-ahead 0:  3 updates per frame, -38 dB
    look-ahead 1:  6 updates per frame, -41 dB
    look-ahead 3: 12 updates per frame, -44 dB

    The paper's start is worth keeping: from random phases (three seeds) the same pass
    ends about 30 dB worse (spectral convergence in dB, rounded):

    >>> [round(gl.reconstruct(S, method="rtisila", n_iter=3, init="random", rng=seed, return_info=True,
    ...                       **options)[1].final_db) for seed in range(3)]
    [-14, -13, -14]
    """
    if tol is not None:
        raise ValueError(f"tol={tol} is not supported by rtisila: it makes one streaming pass (give n_iter)")
    if callback is not None:
        raise ValueError("callback is not supported by rtisila: it makes one streaming pass")
    check_n_threads(n_threads)  # checked, though a streaming pass runs on one thread
    if "n_iter_per_frame" in options:  # this wrapper passes n_iter on as rtisila's n_iter_per_frame
        given = options["n_iter_per_frame"]
        raise TypeError(f"n_iter_per_frame={given!r}: under gl.reconstruct, method='rtisila' takes its iterations per frame "
                        f"as n_iter (n_iter={given!r})")
    n_iter_per_frame = check_iterations(n_iter, "n_iter")
    return rtisila(
        S, n_iter_per_frame=n_iter_per_frame, init=init, rng=rng, geometry=geometry, return_info=return_info, **options
    )


reconstruct_rtisila.forwards_to = rtisila  # type: ignore[attr-defined]  # its options are rtisila's (gl.cli lists them)
