"""Streaming phase retrieval: push magnitude frames in, read finished samples out.

A streaming inverter turns a magnitude spectrogram into a signal frame by frame, with a
fixed delay and a memory that does not depend on how long the stream runs. This module
holds what every streaming algorithm shares (``gl.rtisila``, ``gl.rtpghi``):

* :class:`StreamingInverter`, the base class: it checks the pushed frames, keeps the
  counters, and turns the complex frames an algorithm *commits* into samples by
  windowed overlap-add, normalised by the window sum exactly as :meth:`gl.STFT.istft`
  does. An algorithm only implements what happens to one new magnitude frame.
* :func:`invert_stream`, which pushes a whole spectrogram through an inverter in chunks.

How the output lines up
-----------------------
Let ``a`` be the hop, ``M`` the FFT size, ``L`` the look-ahead of the algorithm (frames it
must see after frame ``m`` before it can fix frame ``m``'s phase) and ``pad`` the centre
padding (``M // 2`` for a centred geometry, else 0). The algorithm commits frame ``m``
with spectrum ``c_m = S[:, m] exp(i phi_m)`` once frame ``m + L`` has been pushed. The
least-squares overlap-add of the committed frames,

.. math:: x[p] = \\frac{\\sum_{m} w[p - ma]\\, \\mathrm{IDFT}(c_m)[p - ma]}
                      {\\sum_{m} w[p - ma]^2}

(sums over the frames that exist, ``p`` a position in the padded signal), is final for
``p < (m + 1) a`` as soon as frame ``m`` is committed, because no later frame touches
those samples. The stream returns those samples, minus the first ``pad`` of them (the
padding of a centred geometry is not part of the signal; nothing is returned until the
padding is passed). :meth:`StreamingInverter.flush` commits the last ``L`` frames and
returns the rest, without the last ``pad`` samples. So for ``N`` pushed frames the
concatenated output has ``geometry.default_length(N)`` samples and equals
``geometry.istft(c)`` of the committed spectrogram ``c`` (up to the rounding of a
different summation order), with ``fade_edges=False``; by default the first and last
samples, which only a window's tip sees, are faded (``fade_edges``). The other difference:
``istft`` zeroes the samples whose
window sum is at or below ``WINDOW_SUM_FLOOR`` times the *largest* window sum of the whole
signal; a stream does not know that maximum in advance and uses the steady-state maximum
instead, which is the same number for every stream of at least ``2 ceil(M / a)`` frames.
And where the windows hardly overlap, the samples between frames whose steady-state window
sum is below ``RESULT_FLOOR`` (0.1 %) of its largest value are divided by that instead of
the sum (a Hann window's at a hop above about 0.93 ``M``): least squares amplified the
stream's errors there hundreds of times (4 s of the six dev clips at Hann 1024, hop 1000:
RTISI-LA +13.2 dB too loud, peaks 85 times the input's; RTPGHI +19.1 dB, 136 times; now
+1.0 dB, 6 times and +4.4 dB, 10 times, and a 440 Hz sine 5 to 14 dB closer to its own
spectrogram at a hop of 128); no other sample changes.

Latency
-------
``latency_frames = L``: the samples of frame ``m`` come out of the push that delivers
frame ``m + L``. In samples, ``latency_samples = M - a + L a``: if the pushed frames are
the STFT of a live signal, frame ``j`` can only be computed once the signal is known up
to sample ``j a + M - pad``, and then the output is final up to sample
``(j - L + 1) a - pad``: ``M - a + L a`` samples earlier. (``M - a`` is the delay of any
frame-by-frame overlap-add; each frame of look-ahead adds a hop.) One exception: without
look-ahead and with ``a > M - pad``, the samples from ``j a + M - 2 pad`` on are held back
(they would be the right padding if the stream ended there), and the delay is ``pad``:
``latency_samples = max(M - a + L a, pad)``.

Memory
------
An inverter holds a fixed number of arrays sized by the geometry and the look-ahead
(the overlap-add accumulator here is ``M`` samples); pushing more frames allocates
nothing that stays (but :class:`gl.RTISILA` with a look-ahead of
:data:`gl.rtisila.EAGER_SLOTS` frames or more, whose buffer grows with the frames pushed
until it holds ``lookahead + 1``). :attr:`StreamingInverter.state_bytes` reports the total.

Examples
--------
The base class on its own needs an algorithm; here a toy one that knows the true phase
(a real algorithm estimates it) shows the bookkeeping:

>>> import numpy as np
>>> import gl
>>> from gl.streaming import StreamingInverter, invert_stream
>>> geometry = gl.STFT(n_fft=256, hop_length=64)
>>> x = np.random.default_rng(0).standard_normal(2000)
>>> X = geometry.stft(x)
>>> class KnownPhase(StreamingInverter):
...     def _process(self, magnitude):       # commit each frame at once, true phase
...         m = self.frames_committed
...         self._commit(magnitude * np.exp(1j * np.angle(X[:, m])))
>>> stream = KnownPhase(geometry)
>>> stream.latency_frames, stream.latency_samples
(0, 192)
>>> y = invert_stream(stream, np.abs(X), chunk_frames=5)
>>> len(y) == geometry.default_length(X.shape[1]), bool(np.allclose(y, x[: len(y)]))
(True, True)
"""

from __future__ import annotations

import contextlib
from typing import Optional

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import as_array, check_flag, check_non_negative, underflow_is_a_value
from ._iterative import check_magnitude_range
from .transform import EDGE_FADE, RESULT_FLOOR, STFT, WINDOW_SUM_FLOOR, _irfft, bins_mismatch, complex_dtype

__all__ = ["StreamingInverter", "invert_stream", "check_lookahead", "check_iterations"]


def check_lookahead(lookahead) -> int:
    """``lookahead`` as an int >= 0, or a clear error naming it.

    Parameters
    ----------
    lookahead : int
        A look-ahead in frames.

    Returns
    -------
    int
        ``lookahead`` as a Python int.

    Raises
    ------
    TypeError
        Not an integer (a bool included).
    ValueError
        A negative ``lookahead``.

    Examples
    --------
    For a subclass of :class:`StreamingInverter` that takes a look-ahead of its own:

    >>> import numpy as np
    >>> from gl.streaming import check_lookahead
    >>> check_lookahead(np.int64(3))
    3
    >>> check_lookahead(-1)
    Traceback (most recent call last):
    ...
    ValueError: lookahead=-1 must be >= 0 (frames the inverter waits for)
    """
    if isinstance(lookahead, bool) or not isinstance(lookahead, (int, np.integer)):
        raise TypeError(f"lookahead={lookahead!r} must be an integer")
    if lookahead < 0:
        raise ValueError(f"lookahead={lookahead} must be >= 0 (frames the inverter waits for)")
    return int(lookahead)


def check_iterations(n_iter, name: str = "n_iter_per_frame") -> int:
    """An iteration count as an int >= 0, or a clear error naming ``name``.

    Parameters
    ----------
    n_iter : int
        The count.
    name : str
        The parameter's name, for the errors (default ``'n_iter_per_frame'``).

    Returns
    -------
    int
        ``n_iter`` as a Python int.

    Raises
    ------
    TypeError
        Not an integer (a bool included).
    ValueError
        A negative count.

    Examples
    --------
    >>> from gl.streaming import check_iterations
    >>> check_iterations(5)
    5
    >>> check_iterations(2.5, name="n_iter")
    Traceback (most recent call last):
    ...
    TypeError: n_iter=2.5 must be an integer
    """
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)):
        raise TypeError(f"{name}={n_iter!r} must be an integer")
    if n_iter < 0:
        raise ValueError(f"{name}={n_iter} must be >= 0")
    return int(n_iter)


def _stream_dtype(dtype) -> np.dtype:
    """float32 stays float32 (float16 too); every other dtype computes in float64."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:  # numpy's 'data type 'nope' not understood' does not say which argument
        raise TypeError(f"dtype={dtype!r} must be a real floating-point dtype") from None
    if dtype.kind != "f":
        raise TypeError(f"dtype={dtype} must be a real floating-point dtype")
    return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)


class StreamingInverter:
    """Base class of the frame-by-frame phase-retrieval algorithms.

    A subclass implements ``_process(magnitude)``, called once per pushed frame with the
    frame's magnitude ``(n_freq,)`` (a view it must not keep), and calls
    ``self._commit(spectrum)`` for each frame whose phase it has fixed, in frame order;
    ``_flush_pending()`` commits the frames still held back at the end of the stream;
    ``_reset_state()`` (re)allocates its own fixed-size state in ``self.dtype``. The base
    class does the synthesis: ``y_m = w * IDFT(c_m)`` overlap-added and divided by the
    window sum, as in :meth:`gl.STFT.istft`.

    An inverter holds one stream, one channel: for several channels, or several threads,
    use one inverter each (they are independent; one object is not safe to push to from
    two threads at once).

    Parameters
    ----------
    geometry : gl.STFT
        The STFT geometry of the frames that will be pushed.
    lookahead : int >= 0
        Frames the algorithm must see after frame ``m`` before it commits frame ``m``.
    dtype : {None, np.float32, np.float64}
        Precision of the work and the output. None (default): that of the first pushed
        frames (float16 and float32 give float32, other floats float64); later frames
        of another float dtype are converted to it.
    fade_edges : bool
        Fade in the first samples of the stream and fade out its last ones where the
        window sum is below ``EDGE_FADE`` (10 %) of its maximum, instead of dividing by
        that vanishing sum (default True). Only a non-centred geometry (or a centred one
        whose window sum at the signal's ends is that small) has such samples; there an
        error of the retrieved phase would come back as a click of many times the
        signal's peak (see :meth:`gl.Spectrogram.invert`). False: the least-squares
        values, as :meth:`gl.STFT.istft` gives. Where the windows barely overlap
        (:attr:`gl.STFT.low_overlap`) a window's tip alone sees more than the last
        ``n_fft - hop`` samples, the tail returned at the flush (48 samples at Hann 256, hop
        224): the samples before the tail are faded too if they are still held at the flush
        (a look-ahead of at least one frame, as RTISI-LA's default there); returned before
        the stream knew they were the last (no look-ahead), they stay divided by a window
        sum down to 0.02 of its peak. :func:`gl.rtisila`, :func:`gl.rtpghi` and
        :meth:`gl.Spectrogram.invert`, which have the whole signal, fade all of it.

    Attributes
    ----------
    latency_frames : int
        ``lookahead``: the samples of frame ``m`` are returned by the push that delivers
        frame ``m + latency_frames``.
    latency_samples : int
        ``max(n_fft - hop_length + lookahead * hop_length, pad)``: delay between the end
        of the input that a pushed frame describes and the end of the finished output.
    frames_pushed, frames_committed, samples_returned : int
        Counters since the last :meth:`reset`.

    Notes
    -----
    Streams are one-channel; use one inverter per channel.

    Examples
    --------
    The smallest subclass: a toy that gives every frame phase 0 and commits it at once (a
    real one estimates the phase, as :class:`gl.rtisila.RTISILA`; the module docstring has
    one that knows it). The samples come a hop a frame, once the centre padding is passed:

    >>> import numpy as np
    >>> import gl
    >>> class ZeroPhase(gl.StreamingInverter):
    ...     def _process(self, magnitude):
    ...         self._commit(magnitude.astype(complex))   # frame m's phase fixed: commit it
    >>> stream = ZeroPhase(gl.STFT(n_fft=256, hop_length=64))
    >>> S = np.ones((stream.n_freq, 5))
    >>> [len(stream.push(S[:, m])) for m in range(5)], len(stream.flush())
    ([0, 0, 64, 64, 64], 64)
    >>> stream.samples_returned == stream.geometry.default_length(5)
    True
    """

    def __init__(self, geometry: STFT, *, lookahead: int = 0, dtype: Optional[DTypeLike] = None, fade_edges: bool = True):
        if not isinstance(geometry, STFT):
            raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
        self.geometry = geometry
        geometry._warn_nola()  # samples no frame covers come back as 0, their neighbours amplified (once: see nola_warned)
        self.lookahead = check_lookahead(lookahead)
        self._fixed_dtype = None if dtype is None else _stream_dtype(dtype)
        hop, n_fft = geometry.hop_length, geometry.n_fft
        self.latency_frames = self.lookahead
        # a sample past (N - 1) a + M - pad is held back until the next frame shows it is not the
        # right padding: with no look-ahead and hop > M - pad, that, not M - a, is the delay
        self.latency_samples = max(n_fft - hop + self.lookahead * hop, geometry.pad)
        # window sum of the steady state, D[k] = sum_i w[k + i a]^2 for k in [0, M): the
        # denominator of every sample once all the frames that cover it exist
        squared = geometry._window_squared
        steady = np.zeros(n_fft)
        for shift in range(-(n_fft // hop) * hop, n_fft, hop):
            lo, hi = max(0, -shift), min(n_fft, n_fft - shift)
            steady[lo:hi] += squared[lo + shift : hi + shift]
        self._steady_sum = steady  # (n_fft,) float64
        self._floor = WINDOW_SUM_FLOOR * steady.max()
        self.fade_edges = check_flag("fade_edges", fade_edges)
        self._edge_floor = EDGE_FADE * steady.max()
        self.dtype: Optional[np.dtype] = None
        self.reset()

    # ------------------------------------------------------------------ public API
    @property
    def n_freq(self) -> int:
        """Frequency bins per frame, ``n_fft // 2 + 1``."""
        return self.geometry.n_freq

    @property
    def finished(self) -> bool:
        """True after :meth:`flush`, until :meth:`reset`."""
        return self._finished

    @property
    def state_bytes(self) -> int:
        """Bytes held by the inverter's arrays between pushes.

        Fixed once the first frame is pushed, except for fewer than ``hop_length`` samples
        held back when ``hop_length > n_fft - pad`` (see the module docstring), and for
        :class:`gl.RTISILA` with a look-ahead of :data:`gl.rtisila.EAGER_SLOTS` frames or
        more, whose buffer grows with the frames pushed until it holds ``lookahead + 1``
        (:meth:`reset` gives it back).
        """
        return sum(value.nbytes for value in vars(self).values() if isinstance(value, np.ndarray))

    def reset(self) -> None:
        """Forget the stream: the next push starts a new signal (the dtype is kept if fixed)."""
        self.frames_pushed = 0
        self.frames_committed = 0
        self.samples_returned = 0
        self._finished = False
        self._failed = False
        self._empty_dtype = np.dtype(np.float64)  # what empty outputs are before the first frame sets self.dtype
        self.dtype = self._fixed_dtype
        if self.dtype is not None:
            self._allocate()

    @underflow_is_a_value  # once per push, not per frame: a quiet frame's products that underflow are values
    def push(self, frames) -> np.ndarray:
        """Push magnitude frames; return the samples that became final.

        Parameters
        ----------
        frames : np.ndarray [shape=(n_freq, k) or (n_freq,), non-negative, real float]
            ``k >= 0`` new frames (a 1-D array is one frame). Never modified.

        Returns
        -------
        np.ndarray [shape=(n,)]
            The next ``n >= 0`` samples of the signal, in the stream's dtype.

        Raises
        ------
        TypeError, ValueError
            ``frames`` refused (dtype, shape, NaN, inf or negative values, too large for the
            dtype): all of them are checked before any is taken, so the stream is as it was
            and takes the next push. A ValueError too once the stream is finished, or after
            a push or flush interrupted part-way, until :meth:`reset`.
        """
        if self._finished:
            raise ValueError("the stream is finished (flush() was called); call reset() to start a new one")
        self._check_intact()
        frames = self._check_frames(frames)
        if frames.shape[1] == 0:  # nothing new (and the dtype stays to be set by the first real frames)
            if self.dtype is None:  # the dtype the frames would give: concatenated outputs keep float32
                self._empty_dtype = _stream_dtype(frames.dtype)
                return np.zeros(0, dtype=self._empty_dtype)
            return self._release()
        with self._failing():  # some frames in, some not (or the state half made)
            if self.dtype is None:
                self.dtype = _stream_dtype(frames.dtype)
                self._allocate()
            for column in range(frames.shape[1]):
                magnitude = np.ascontiguousarray(frames[:, column], dtype=self.dtype)  # (n_freq,)
                self._process(magnitude)
                self.frames_pushed += 1
        return self._release()

    @contextlib.contextmanager
    def _failing(self):
        """Ctrl-C or an error part-way through a push or a flush: the stream has lost track of
        its frames, and says so until :meth:`reset`."""
        try:
            yield
        except BaseException:
            self._failed = True
            raise

    def _check_intact(self) -> None:
        if self._failed:
            raise ValueError(
                "an earlier push() or flush() was interrupted part-way, so the stream lost track of its frames; call reset() to start a new one"
            )

    def flush(self) -> np.ndarray:
        """Commit every frame still held back and return the rest of the signal.

        The stream is then finished: :meth:`push` refuses more frames until :meth:`reset`
        starts a new one; flushing again returns no samples (so that a ``finally`` block
        may flush a stream that was flushed already).

        Returns
        -------
        np.ndarray [shape=(n,)]
            The signal's remaining ``n >= 0`` samples, in the stream's dtype; with the
            earlier pushes' samples, ``geometry.default_length(frames_pushed)`` in all.
        """
        self._check_intact()  # a flush interrupted part-way lost samples: say so, not 'nothing left'
        if self._finished:
            return np.zeros(0, dtype=self.dtype or self._empty_dtype)
        return self._finish(keep_right_padding=False)

    @underflow_is_a_value  # as push, for flush() and stream_batch, which commit the frames held back
    def _finish(self, keep_right_padding: bool) -> np.ndarray:
        """:meth:`flush`; with ``keep_right_padding``, the samples the frames cover past the
        stream's default length (centred frames' right padding) are returned too, for a
        caller that asked for a longer ``length`` (:func:`stream_batch`)."""
        if self._finished:
            raise ValueError("the stream is already finished; call reset() to start a new one")
        self._check_intact()
        self._finished = True
        if self.dtype is None or self.frames_pushed == 0:
            return np.zeros(0, dtype=self.dtype or self._empty_dtype)
        hop, n_fft = self.geometry.hop_length, self.geometry.n_fft
        with self._failing():  # the rest of the signal lost
            self._flush_pending()
            if self.frames_committed != self.frames_pushed:  # pragma: no cover - subclass contract
                raise RuntimeError(f"{type(self).__name__} committed {self.frames_committed} of {self.frames_pushed} frames")
            # the tail: padded positions [N a, (N - 1) a + M), which only frames 0 .. N-1 cover
            n_frames = self.frames_committed
            total = self._window_sum(n_frames * hop, n_fft - hop, last_frame=n_frames - 1)
            if np.all(total < self._edge_floor):  # the last low run reaches back past the tail
                self._end_run_before_tail(n_frames * hop)
            self._emit(self._accumulator[: n_fft - hop], total, end=True)
        return self._release(keep_right_padding)

    def _end_run_before_tail(self, tail_start: int) -> None:
        """Where the windows barely overlap, the last run of window sums below the edge floor
        begins in the last hop before the tail, whose samples were normalised by ``max(D,
        RESULT_FLOOR max D)`` when their frame was committed, as samples between frames are:
        those not yet returned (all of them when the last frame is committed at the flush, as
        with a look-ahead) are divided by the edge floor instead (``fade_edges``), or by ``D``
        (least squares, as the tail and the first run), as an end run is. No frame after the
        last reaches that hop, so its window sum there is ``D``."""
        hop = self.geometry.hop_length
        steady = self._steady_sum[:hop]  # D on [tail_start - hop, tail_start)
        above = np.flatnonzero(steady >= self._edge_floor)
        first = tail_start - hop + (int(above[-1]) + 1 if above.size else 0)
        first = max(first, self._head_end)  # the first run's samples are the first run's already
        end = self._held_start + len(self._held) + sum(len(chunk) for chunk in self._emitted)  # = tail_start
        for chunk in reversed([self._held] + self._emitted):
            start = end - len(chunk)
            low = max(first, start)
            if low < end:
                sums = steady[low - (tail_start - hop) : end - (tail_start - hop)]
                divided = np.maximum(sums, self._dip_floor)
                if self.fade_edges:
                    chunk[low - start :] *= divided / self._edge_floor
                else:  # 1 where D reaches the dip floor; D below the zero floor was zeroed anyway
                    chunk[low - start :] *= np.divide(divided, sums, out=np.ones_like(sums), where=sums > self._floor)
            end = start
            if end <= first:
                break

    # ------------------------------------------------------------------ for subclasses
    def _reset_state(self) -> None:
        """(Re)allocate the algorithm's fixed-size state in ``self.dtype``."""

    def _process(self, magnitude: np.ndarray) -> None:  # pragma: no cover - abstract
        """Take one new magnitude frame ``(n_freq,)``; commit the frames that are ready."""
        raise NotImplementedError

    def _flush_pending(self) -> None:
        """Commit the frames still held back (the stream has ended)."""
        if self.frames_committed != self.frames_pushed:  # pragma: no cover - subclass contract
            raise NotImplementedError(f"{type(self).__name__} holds frames back but has no _flush_pending")

    def _commit(self, spectrum: np.ndarray, contribution: Optional[np.ndarray] = None) -> None:
        """Fix the next frame as ``spectrum`` (n_freq,) complex; emit the samples now final.

        ``y = w * IDFT(spectrum)`` is added to the accumulator, which holds the padded
        positions ``[m a, m a + M)`` of frame ``m``; the first hop of it is final. An
        algorithm that has ``y`` already may pass it as ``contribution`` (n_fft,).
        """
        hop, n_fft = self.geometry.hop_length, self.geometry.n_fft
        if contribution is None:
            np.copyto(self._spectrum, spectrum)
            contribution = _irfft(self._spectrum, n_fft, self._frame)  # (n_fft,)
            contribution *= self._window  # y = w IDFT(c)
        self._accumulator += contribution
        position = self.frames_committed * hop
        # near the start fewer frames cover a sample than in the steady state
        # (frames 0 .. m cover these positions: the sum of all frames, a slice of _allocate's)
        total = self._start_sum[position : position + hop] if position < self._start_positions else None
        self._emit(self._accumulator[:hop], total)
        # slide the accumulator by a hop: it now holds frame m + 1's positions
        self._accumulator[:-hop] = self._accumulator[hop:]
        self._accumulator[-hop:] = 0
        self.frames_committed += 1

    # ------------------------------------------------------------------ internals
    @underflow_is_a_value  # once per stream (a reset, or the first push): a narrow window's tails cast to float32
    def _allocate(self) -> None:
        geometry, dtype = self.geometry, self.dtype
        assert dtype is not None  # called once the dtype is fixed or set by the first frame
        n_fft, hop = geometry.n_fft, geometry.hop_length
        self._window = geometry.window_array.astype(dtype)  # (n_fft,)
        self._accumulator = np.zeros(n_fft, dtype=dtype)  # padded positions [m a, m a + M)
        self._frame = np.empty(n_fft, dtype=dtype)
        self._spectrum = np.empty(geometry.n_freq, dtype=complex_dtype(dtype))
        # 1 / D on one hop of the steady state (D is a-periodic), 0 where D is below the floor, and
        # 1 / (RESULT_FLOOR max D) in the deepest dips of windows that hardly overlap (module docstring)
        steady = self._steady_sum[:hop]
        inverse = np.zeros(hop)
        self._dip_floor = RESULT_FLOOR * self._steady_sum.max()
        np.divide(1.0, np.maximum(steady, self._dip_floor), out=inverse, where=steady > self._floor)
        self._inverse_steady = inverse.astype(dtype)  # (hop,)
        # positions below this have a smaller window sum than the steady state
        self._start_positions = n_fft - hop
        # the first run of positions whose window sum (all frames) is below the edge floor: over
        # the first frame's whole support, since where the windows barely overlap the run goes on
        # past the start positions (49 samples at Hann 256, hop 224, of which 32 are start positions)
        start_sum = self._window_sum(0, n_fft, last_frame=(1 << 62) // max(hop, 1))
        self._start_sum = start_sum  # the window sums of the start positions (_commit), one pass instead of one a hop
        above = np.flatnonzero(start_sum >= self._edge_floor)
        self._head_end = int(above[0]) if above.size else n_fft
        self._padded_count = 0  # padded positions normalised so far
        self._emitted: list = []  # normalised runs not yet released
        self._held = np.zeros(0, dtype=dtype)  # released-later samples, fewer than a hop
        self._held_start = 0  # padded position of self._held[0]
        self._reset_state()

    def _window_sum(self, start: int, count: int, last_frame: int) -> np.ndarray:
        """``sum_m w[p - m a]^2`` over frames ``0 <= m <= last_frame``, ``p = start .. start+count-1``."""
        hop, n_fft = self.geometry.hop_length, self.geometry.n_fft
        squared = self.geometry._window_squared
        positions = np.arange(start, start + count)
        total = np.zeros(count)
        for back in range(-(-n_fft // hop) + 1):
            frame = positions // hop - back  # frames that may cover each position
            offset = positions - frame * hop
            valid = (frame >= 0) & (frame <= last_frame) & (offset < n_fft)
            total[valid] += squared[offset[valid]]
        return total

    def _emit(self, samples: np.ndarray, total: Optional[np.ndarray], end: bool = False) -> None:
        """Normalise the next run of final samples of the padded signal by the window sum.

        With ``fade_edges``, the samples of the stream's first run of window sums below
        the edge floor (from position 0), and of its last run (``end``: the tail at the
        flush), are divided by that floor instead. Samples whose sum is the steady state's
        ``D`` (all but the start positions and the tail) are divided by ``max(D,
        RESULT_FLOOR max D)`` (the module docstring).
        """
        if total is None:  # steady state: D is periodic with period a, and a run is <= a long
            inverse = self._inverse_steady[: len(samples)]
            if self._padded_count < self._head_end:  # the first low run, past the start positions: faded, or least squares
                head = np.arange(min(self._head_end - self._padded_count, len(samples)))
                head = head[self._steady_sum[head] < self._edge_floor]  # D is the true sum there: one frame
                inverse = inverse.copy()
                if self.fade_edges:
                    inverse[head] = 1.0 / self._edge_floor
                else:  # 1 / D, not RESULT_FLOOR's: an end run
                    inverse[head] = np.divide(1.0, self._steady_sum[head], out=np.zeros(head.shape),
                                              where=self._steady_sum[head] > self._floor)
            normalised = samples * inverse
        else:
            denominator = total
            if not end:  # past the start positions (and the first low run) the sum is the steady D: as in the steady state
                steady_from = max(0, self._start_positions - self._padded_count, self._head_end - self._padded_count)
                deep = np.zeros(len(samples), dtype=bool)
                deep[steady_from:] = total[steady_from:] < self._dip_floor
                denominator = np.where(deep, self._dip_floor, total)
            if self.fade_edges:
                low = total < self._edge_floor
                edge = np.zeros(len(samples), dtype=bool)
                if self._padded_count < self._head_end:  # the first run, from position 0
                    edge[: self._head_end - self._padded_count] = True
                if end and len(low) and low[-1]:  # the last run, to the end of the tail (empty when hop = n_fft)
                    above = np.flatnonzero(~low)
                    edge[(above[-1] + 1 if above.size else 0) :] = True
                denominator = np.where(edge & low, self._edge_floor, denominator)
            inverse = np.zeros(len(samples))
            np.divide(1.0, denominator, out=inverse, where=total > self._floor)
            normalised = samples * inverse.astype(self.dtype)
        self._emitted.append(normalised)
        self._padded_count += len(samples)

    def _release(self, keep_right_padding: bool = False) -> np.ndarray:
        """The normalised samples that belong to the output and are final, as one array.

        Padded positions below ``pad`` are dropped (left padding); positions from
        ``(N - 1) a + M - pad`` on, with ``N`` the frames pushed so far, are held back:
        they are right padding if the stream ends now (only when ``hop > n_fft - pad``
        can a committed sample lie there). ``keep_right_padding`` releases them too.
        """
        pad = self.geometry.pad
        end = (self.frames_pushed - 1) * self.geometry.hop_length + self.geometry.n_fft - pad
        if keep_right_padding:
            end += pad
        block = np.concatenate([self._held] + self._emitted) if self._emitted else self._held
        self._emitted = []
        start = self._held_start  # padded position of block[0]
        lo = max(start, pad)
        hi = max(lo, min(end, self._padded_count))
        result = block[lo - start : hi - start].copy() if hi > lo else np.zeros(0, dtype=self.dtype)
        keep_from = min(hi, self._padded_count)
        self._held = block[keep_from - start :].copy()
        self._held_start = keep_from
        self.samples_returned += len(result)
        return result

    def _check_frames(self, frames, name: str = "frames") -> np.ndarray:
        """``frames`` (n_freq, k) or one frame (n_freq,), checked with the batch methods' rules
        and words (:func:`gl._iterative.check_magnitude`), the errors naming ``name``."""
        frames = as_array(name, frames)
        if frames.dtype.kind == "c":
            raise TypeError(f"{name} must be a real magnitude spectrogram; got a complex array (pass np.abs({name}))")
        if frames.dtype.kind != "f":
            raise TypeError(f"{name} must be a floating-point magnitude spectrogram, got dtype {frames.dtype}")
        if frames.ndim == 1:
            frames = frames[:, None]
        if frames.ndim != 2:
            several = "; an inverter takes one channel: use one inverter per channel" if frames.ndim == 3 else ""
            raise ValueError(f"{name} must have shape (n_freq, k) = ({self.n_freq}, k), got shape {frames.shape}{several}")
        if frames.shape[0] != self.n_freq:
            # (frames, bins) given the other way round is told to transpose, as the batch methods' S is
            raise ValueError(bins_mismatch(name, frames.shape[0], self.geometry.n_fft, n_frames=frames.shape[1])
                             + f"; {name} must have shape ({self.n_freq}, k)")
        if frames.size and not np.all(np.isfinite(frames)):
            raise ValueError(f"{name} contains NaN or infinite values")
        check_non_negative(name, frames)
        check_magnitude_range(frames, name, self.dtype if self.dtype is not None else _stream_dtype(frames.dtype))
        return frames


def invert_stream(inverter: StreamingInverter, S, chunk_frames: Optional[int] = None) -> np.ndarray:
    """Run a whole magnitude spectrogram through ``inverter``, ``chunk_frames`` at a time.

    The inverter is reset first and flushed at the end, so the result is the complete
    signal of ``geometry.default_length(n_frames)`` samples; it is the same for every
    ``chunk_frames`` (that is the streaming contract) and lines up with
    ``geometry.istft`` of the committed frames (see the module docstring).

    Parameters
    ----------
    inverter : StreamingInverter
        The inverter (a :class:`gl.RTISILA`, a :class:`gl.RTPGHI` ...); it is reset first.
    S : np.ndarray [shape=(n_freq, n_frames), non-negative]
        The magnitude frames of one channel, in the inverter's geometry.
    chunk_frames : int >= 1, optional
        Frames per push; default all at once.

    Returns
    -------
    np.ndarray [shape=(geometry.default_length(n_frames),)]
        The signal: the pushes' samples and the flush's, concatenated.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> geometry = gl.STFT(n_fft=256, hop_length=64)
    >>> S = np.abs(geometry.stft(np.sin(2 * np.pi * 0.05 * np.arange(4000))))
    >>> inverter = gl.RTISILA(geometry)
    >>> y = gl.invert_stream(inverter, S, chunk_frames=7)
    >>> y.shape == (geometry.default_length(S.shape[1]),)
    True
    >>> bool(np.array_equal(y, gl.invert_stream(inverter, S, chunk_frames=20)))   # any chunking
    True
    """
    if not isinstance(inverter, StreamingInverter):
        raise TypeError(f"inverter must be a StreamingInverter, got {type(inverter).__name__}")
    S = as_array("S", S)
    if S.ndim != 2:
        raise ValueError(f"S must have shape (n_freq, n_frames) for a stream, got shape {S.shape}")
    inverter._check_frames(S, "S")  # the errors name S, not the frames of a push
    n_frames = S.shape[1]
    if chunk_frames is None:
        chunk_frames = max(1, n_frames)
    if isinstance(chunk_frames, bool) or not isinstance(chunk_frames, (int, np.integer)):
        raise TypeError(f"chunk_frames={chunk_frames!r} must be an integer")
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames={chunk_frames} must be >= 1")
    inverter.reset()
    pieces = [inverter.push(S[:, start : start + chunk_frames]) for start in range(0, n_frames, int(chunk_frames))]
    if not pieces:  # no frames: one empty push gives the empty result S's dtype
        pieces.append(inverter.push(S))
    pieces.append(inverter.flush())
    return np.concatenate(pieces)


def stream_batch(
    inverter: StreamingInverter, magnitude: np.ndarray, length: int, phases: Optional[np.ndarray] = None
) -> np.ndarray:
    """Stream every item of ``magnitude`` (batch, n_frames, n_freq) through ``inverter`` in one push.

    Returns (batch, length): each item's complete stream (reset, push, then a flush that
    keeps the right padding when ``length`` reaches into it), cut or zero-padded to
    ``length``. ``phases`` (same layout) are passed to ``push`` as starting phases, for an
    inverter that takes them.
    """
    batch, n_frames, _ = magnitude.shape
    signal = np.zeros((batch, length), dtype=magnitude.dtype)
    geometry = inverter.geometry
    # every sample some frame covers: the default length, and the right padding if length asks for it
    keep = min(geometry._padded_length(n_frames) - geometry.pad, length)
    # the ends are faded from the window sum of the whole, as Spectrogram.invert fades every method's
    # result: a stream's own fade stops n_fft - hop samples in, short of a low-overlap window's tip
    fade = inverter.fade_edges
    inverter.fade_edges = False
    try:
        for b in range(batch):
            inverter.reset()
            frames = magnitude[b].T  # (n_freq, n_frames)
            # phases come only with an inverter whose push takes them (RTISILA), which the base class does not say
            first = inverter.push(frames) if phases is None else inverter.push(frames, phase=phases[b].T)  # type: ignore[call-arg]
            rest = inverter._finish(keep_right_padding=keep > geometry.default_length(n_frames))
            signal[b, :keep] = np.concatenate([first, rest])[:keep]
    finally:
        inverter.fade_edges = fade
    if fade:
        from .spectrogram import apply_edge_fade, edge_fade_gains

        gains = edge_fade_gains(geometry, n_frames, length)
        if gains is not None:
            apply_edge_fade(signal, 0, gains, in_place=True)
    return signal
