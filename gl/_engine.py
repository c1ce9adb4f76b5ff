"""The sweep: one STFT -> update -> ISTFT pass of an iterative algorithm, block by block.

Every Griffin-Lim-type iteration is ``x_{n+1} = ISTFT(update(STFT(x_n)))`` where
``update`` acts frame by frame (momentum, magnitude projection ...). Done naively it
makes full-size temporary spectrograms; here one pass walks the frames in blocks of
about 1 MiB: analyse the block from the current signal, let the algorithm update it,
and synthesise its inverse into the next signal, all while the block is in cache.
The only full-size arrays are the target magnitude and the algorithm's own state.

Synthesis. The inverse FFT frames are turned into finished samples of the next signal by
one ``einsum`` per block, window, overlap-add and normalisation at once
(:meth:`SweepEngine._plan_fused` has the algebra; a hop that does not divide ``n_fft``
sees each frame zero-padded to a whole number of hops). Only when that cannot work (no
overlap, a window sum that vanishes, fewer than ``2 R`` frames) is each block windowed,
overlap-added slab by slab and normalised at the end (the general path,
:meth:`SweepEngine._emit`).

Low overlap. Where the windows barely overlap (:attr:`gl.STFT.low_overlap`: the window sum
below ``EDGE_FADE``, 10 %, of its largest value between frames, as a Hann window's at a
hop above about 0.7 ``n_fft``), the least-squares inverse amplifies each projection's
error between frames by ``w / W``, up to 20 times, and the iterations can build spikes
there that the spectrogram barely sees. Within :func:`floored_between_frames` each sweep
of such a geometry divides by that floor instead of the sum, ``x[n] = sum_m w[n - m a]
y_m[n - m a] / max(W[n], 0.1 max W)``: a Tikhonov-regularised inverse whose penalty acts
only there. A method's result is then the least-squares synthesis of its last spectra
(:meth:`SweepEngine.to_least_squares`, one multiplication), but for the samples whose window
sum is below ``RESULT_FLOOR``, 0.1 %, of its largest value, divided by that instead (the
deepest dips, as a Hann window's at a hop above about 0.93 ``n_fft``, where least squares
would amplify the projection's error hundreds of times); a single pass (PGHI, SPSI)
keeps the floor between frames. The floor moves the iterations' fixed point (a steady
sine that least squares returns clean comes back with a flutter), so gl uses it only
where a least-squares result shows the spikes: :meth:`gl.Spectrogram.invert` decides.
Outside the switch, and for every other geometry, the sweeps are least squares.

Threads. numpy's FFT and ufuncs release the GIL, so threads can share the work. A batch
that shares out between them evenly enough (:func:`items_per_thread`) gives each thread
whole items, each made exactly as one thread makes it: one hand-off a sweep and nothing to
join. Otherwise every item's frames are split between the threads, each thread a
contiguous range of frames, writing samples no other thread writes.
In the fused path a thread writes the rows of its own frames; the first ``R - 1`` rows of
a later thread also need the previous thread's last frames, so the later thread keeps its
first ``R - 1`` inverse FFT frames and the main thread makes those rows from both threads'
frames with the same ``einsum``: every row is the sum a single thread makes, so the result
does not depend on the number of threads, to the last bit. In the general path thread
``k`` owns the samples from the end of thread ``k-1``'s last frame to the end of its own:
it zeroes, overlap-adds and normalises them, and only its first few frames (which reach
back into thread ``k-1``'s samples) go to a small edge buffer added in afterwards (which
changes the order of a few additions: the results agree with one thread's to rounding).

Internal layout is frame-major, ``(batch, n_frames, n_freq)``, so that each frame's
spectrum is contiguous for the FFT.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from typing import Callable, Iterator, Optional

import numpy as np

from .transform import EDGE_FADE, STFT, _irfft, complex_dtype, fft_norms

#: Whether the engines made in this context divide by a floor between the frames of a
#: low-overlap geometry (module docstring, *Low overlap*; :func:`floored_between_frames`).
_FLOORED: contextvars.ContextVar[bool] = contextvars.ContextVar("gl_floored_between_frames", default=False)


@contextlib.contextmanager
def floored_between_frames(enabled: bool = True) -> Iterator[None]:
    """Within this block, the sweeps of a :attr:`gl.STFT.low_overlap` geometry divide by
    ``EDGE_FADE`` of the largest window sum between frames (module docstring, *Low
    overlap*); a context variable, so other threads' runs are not affected."""
    token = _FLOORED.set(bool(enabled))
    try:
        yield
    finally:
        _FLOORED.reset(token)

#: Work (frames x n_fft) below which one thread is faster: the second thread's hand-off is
#: a fixed cost a sweep, which from 2^18 (256 frames of 1024, 1024 of 256) pays for itself.
#: In the speed study's lengths (``benchmarks/results/speed.json``, ``lengths``: FGLA, n_fft
#: 1024, hop 256, a 2-core AMD EPYC, 2026-11-30) two threads took 1.10 to 1.18 times one
#: thread's time at 87 frames (2^16.4), 0.72 to 0.78 at 259 (2^18.0) and 0.47 to 0.59 from
#: 862 on. The other geometries come from an ad-hoc measurement made when the constant was
#: chosen (2026-11-29, the same machine; no result kept): n_fft 256 to 2048, hop 1/8 to 7/8
#: of it, float32 and float64, two threads 0.6-0.8 of one thread's time from 2^18 on,
#: 0.7-1.07 at 2^17, 0.9-1.4 at 2^16. (``results/geometries.json``, run at a load average of
#: 4.5 on the 2 cores, has two threads no faster in 9 of its 10 rows: the second core was busy.)
_MIN_WORK_PER_EXTRA_THREAD = 2**18

#: The most threads a sweep uses: a larger ``n_threads`` (a config value from a big host, say)
#: only adds threads that wait for cores (10**6 started 173 threads here, and ran much slower).
MAX_THREADS = 64

BlockUpdate = Callable[[int, slice, np.ndarray, Optional[np.ndarray], "_Scratch"], np.ndarray]


#: The environment variable that sets the threads a call uses when ``n_threads`` is not given
#: (a server's workers set it to 1, as they would ``OMP_NUM_THREADS``).
THREADS_VARIABLE = "GL_NUM_THREADS"


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity (a container or ``taskset`` pinned
    to one core gets 1) where the system tells it, else ``os.cpu_count()``; fewer when a
    Linux cgroup's CPU quota allows fewer (``docker run --cpus=1`` leaves the affinity at
    every core of the host but lets the process use one: a second thread would only be
    throttled)."""
    try:
        cores = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on macOS or Windows
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    return cores if quota is None else max(1, min(cores, quota))


#: Where Linux keeps the cgroup files: version 2's ``cpu.max`` (``"quota period"`` or
#: ``"max period"``) in the directory of each cgroup, version 1's ``cpu/cpu.cfs_quota_us`` and
#: ``cpu/cpu.cfs_period_us`` (microseconds; quota -1: none).
_CGROUP_ROOT = "/sys/fs/cgroup"


def _read_fields(*parts: str) -> Optional[list[str]]:
    """The whitespace-separated fields of the file at ``os.path.join(*parts)``, or None when
    it cannot be read (absent, a folder, not ASCII)."""
    try:
        with open(os.path.join(*parts), encoding="ascii") as file:
            return file.read().split()
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _whole_cores(quota: Optional[list[str]], period: Optional[list[str]]) -> Optional[int]:
    """``quota / period`` rounded up, or None for no quota ("max", -1) or an unreadable one."""
    if not quota or not period:
        return None
    try:
        quota_us, period_us = int(quota[0]), int(period[0])
    except ValueError:  # "max"
        return None
    return -(-quota_us // period_us) if quota_us > 0 and period_us > 0 else None


def _own_cgroups() -> dict[str, str]:
    """The process's cgroup paths from ``/proc/self/cgroup``: ``{"": path}`` for version 2
    (its ``0::`` line) and ``{"cpu": path}`` for version 1's cpu controller; {} off Linux."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8", errors="replace") as file:
            return parse_cgroup_lines(file.read().splitlines())
    except OSError:
        return {}


def parse_cgroup_lines(lines: list[str]) -> dict[str, str]:
    """``/proc/self/cgroup``'s lines (``number:controllers:path``) as :func:`_own_cgroups` gives them."""
    found = {}
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":
            found[""] = path
        elif "cpu" in controllers.split(","):
            found["cpu"] = path
    return found


def _up_the_tree(path: str) -> Iterator[str]:
    """``path`` (a cgroup's, relative to its hierarchy's root), then each parent, then ``""``."""
    directory = path.strip("/")
    while True:
        yield directory
        if not directory:
            return
        directory = os.path.dirname(directory)


def cgroup_cpu_quota(root: Optional[str] = None, cgroup: Optional[str] = None) -> Optional[int]:
    """The whole cores the process's cgroup CPU quota allows (quota over period, rounded
    up; the smallest along its cgroup and the cgroup's parents), or None when there is no
    quota or no cgroup file to read (not Linux).

    ``root`` is where the cgroup files are (default ``/sys/fs/cgroup``), ``cgroup`` the
    process's cgroup path (default: from ``/proc/self/cgroup``; in a container, ``/``, or
    a host path that does not exist there: the container's own limit is at the root).
    Version 2 keeps ``cpu.max`` in each cgroup's folder; version 1 keeps
    ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` under ``cpu/``.
    """
    root = _CGROUP_ROOT if root is None else root
    own = _own_cgroups() if cgroup is None else {"": cgroup, "cpu": cgroup}
    quotas = []
    for directory in _up_the_tree(own.get("", "/")):  # version 2
        fields = _read_fields(root, directory, "cpu.max")
        if fields is not None and len(fields) == 2:
            quotas.append(_whole_cores(fields[:1], fields[1:]))
    if not quotas:  # version 1
        for directory in _up_the_tree(own.get("cpu", "/")):
            quotas.append(_whole_cores(_read_fields(root, "cpu", directory, "cpu.cfs_quota_us"),
                                       _read_fields(root, "cpu", directory, "cpu.cfs_period_us")))
    found = [quota for quota in quotas if quota is not None]
    return min(found) if found else None


def threads_from_environment() -> Optional[int]:
    """``GL_NUM_THREADS`` as a whole number >= 1, or None when it is not set (or empty).

    Raises ValueError naming the variable when it is set to anything else."""
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"the environment variable {THREADS_VARIABLE}={text!r} must be a whole number >= 1 "
                         "(the threads a call uses when n_threads is not given), or unset")
    return min(value, MAX_THREADS)


def items_per_thread(batch: int, n_threads: int) -> bool:
    """Whether ``n_threads`` threads take whole batch items (item ``b`` on thread ``b mod n_threads``)
    rather than each a range of every item's frames: when the items share out evenly
    (``batch`` a multiple of the threads) or nearly (at least 3 items a thread). Whole
    items need one hand-off a sweep instead of one an item, and nothing to join."""
    return n_threads > 1 and batch >= n_threads and (batch % n_threads == 0 or batch >= 3 * n_threads)


def default_threads(n_frames: int, n_fft: int, batch: int = 1) -> int:
    """Threads worth using for a sweep over ``batch`` items of ``n_frames`` frames of
    ``n_fft``: 2 when the work a split shares out, ``n_frames * n_fft`` (times ``batch``
    when the threads take whole items, see :func:`items_per_thread`), is at least 2^18
    and the process may run on 2 cores, else 1. ``GL_NUM_THREADS`` (see
    :func:`threads_from_environment`), when set, takes the place of the 2 and of the cores:
    1 keeps every call on its caller's thread; more is used as given, on work this large.

    An iteration costs about the same per frame x n_fft in every geometry (the FFTs and
    the passes around them), so the work decides whether the second thread's hand-off
    (a fixed cost a sweep) pays for itself.
    """
    wanted = threads_from_environment()
    if wanted == 1:
        return 1
    work = n_frames * n_fft * (batch if items_per_thread(batch, wanted or 2) else 1)
    if work < _MIN_WORK_PER_EXTRA_THREAD:
        return 1
    return wanted if wanted is not None else int(min(2, available_cores()))  # the cores last: a system call and files


def _even_blocks(first: int, last: int, block: int):
    """Frames ``first:last`` as ``(start, stop)`` blocks of at most ``block`` frames, as even as possible.

    431 frames in blocks of 127 are 107, 108, 108, 108 rather than 127, 127, 127, 50: the
    same number of blocks (each costs the same Python), none of them a short tail.

    >>> _even_blocks(0, 431, 127)
    [(0, 107), (107, 215), (215, 323), (323, 431)]
    """
    count = -(-(last - first) // block)
    if count <= 0:
        return []
    bounds = [first + (i * (last - first)) // count for i in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


class _Done:
    """The result of work done in the calling thread, as a future gives it."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _Scratch:
    """The work arrays of one thread: one block of frames, spectra and magnitudes."""

    def __init__(self, geometry: STFT, block: int, dtype: np.dtype, edge_length: int, slabs: int = 0, width: int = 0):
        if slabs:  # the fused synthesis (see SweepEngine._fused_block)
            # inverse FFT frames, after the last slabs - 1 frames of the previous block (the carry),
            # each in a row of width = max(n_fft, R hops) samples, whose end past n_fft stays 0
            self.frames_ext = np.zeros((max(block, slabs - 1) + slabs - 1, width), dtype=dtype)
            # a later thread's first rows: the previous thread's last R - 1 inverse FFT frames, then its own first R - 1
            self.boundary_frames = np.zeros((2 * (slabs - 1), width), dtype=dtype)
            # the windowed frames of the analysis go where the block's inverse FFT frames will:
            # the forward FFT has used them by then (one block of memory, and of cache, less)
            self.frames = self.frames_ext[slabs - 1 : slabs - 1 + block, : geometry.n_fft]
        else:
            self.frames = np.empty((block, geometry.n_fft), dtype=dtype)  # windowed frames (and inverse FFT frames)
        # the block's samples of x_n - k x_{n-1} (SweepEngine.sweep with previous_weight)
        self.extrapolated = np.empty((block - 1) * geometry.hop_length + geometry.n_fft, dtype=dtype)
        self.spectra = np.empty((block, geometry.n_freq), dtype=complex_dtype(dtype))
        self.magnitude = np.empty((block, geometry.n_freq), dtype=dtype)
        self.residual = np.empty((block, geometry.n_freq), dtype=dtype)
        self.spare = np.empty((block, geometry.n_freq), dtype=complex_dtype(dtype))
        self.edge = np.zeros(edge_length, dtype=dtype)  # general path: the edge frames' overlap-add (threads > 0)

    def abs(self, spectra: np.ndarray) -> np.ndarray:
        """``|spectra|`` of a block, into this thread's magnitude array."""
        return np.abs(spectra, out=self.magnitude[: spectra.shape[0]])


class SweepEngine:
    """Holds a signal estimate and runs sweeps over it.

    Parameters
    ----------
    geometry : STFT
    magnitude : np.ndarray [shape=(batch, n_frames, n_freq)]
        Target magnitude, frame-major, C-contiguous, float32 or float64.
    length : int
        Length of the signal estimate (without padding).
    n_threads : int
    """

    def __init__(self, geometry: STFT, magnitude: np.ndarray, length: int, n_threads: int = 1):
        self.geometry = geometry
        self.magnitude = magnitude
        self.dtype = magnitude.dtype
        self.spectra_dtype = complex_dtype(self.dtype)
        self.batch, self.n_frames, _ = magnitude.shape
        self.length = length
        self.padded_length = length + 2 * geometry.pad
        # the samples the frames reach, rounded up to whole hops (the fused synthesis writes rows of a hop)
        hop = geometry.hop_length
        self.ola_length = max(self.padded_length, (geometry.frame_hops + self.n_frames - 1) * hop)
        self.signal = np.zeros((self.batch, self.ola_length), dtype=self.dtype)  # x_n, padded
        self._next = np.zeros(self.signal.shape, dtype=self.dtype)  # x_{n+1} (np.zeros: pages untouched until written)
        self._previous: Optional[np.ndarray] = None  # x_{n-1}, once keep_previous() is called
        # 1 / W, or with low overlap, when asked, 1 / max(W, EDGE_FADE max W) (module docstring, *Low overlap*)
        self._floor = EDGE_FADE if _FLOORED.get() and geometry.low_overlap else 0.0
        self._least_squares = not self._floor  # whether the current signal is the least-squares synthesis
        self._inverse_sum = geometry._inverse_window_sum(self.n_frames, self.dtype, floor=self._floor)
        self.block = min(self.n_frames, geometry.block_frames(self.dtype))
        # frames that start before the previous range ends; every range needs frames of its
        # own beyond those edge frames (see _plan_threads)
        self._reach = -(-(geometry.n_fft - geometry.hop_length) // geometry.hop_length)
        # whole batch items per thread when they share out evenly enough (see items_per_thread),
        # else every item's frames split into contiguous ranges, one per thread
        n_threads = min(int(n_threads), MAX_THREADS)
        self._item_threads = n_threads if items_per_thread(self.batch, n_threads) else 1
        n_threads = 1 if self._item_threads > 1 else n_threads
        n_threads = max(1, min(n_threads, self.n_frames // max(16, 2 * (self._reach + 1)) or 1))
        edges = np.linspace(0, self.n_frames, n_threads + 1).astype(int)
        self.ranges = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]
        self.block = min(self.block, max(last - first for first, last in self.ranges))  # no thread needs more
        self._plan_threads()
        self._plan_fused()
        threads = max(len(self.ranges), self._item_threads)
        self._scratch = [
            _Scratch(geometry, self.block, self.dtype, 0 if self._slabs or k >= len(self.ranges) else self._edge_length[k],
                     self._slabs, self._slabs and self._width)
            for k in range(threads)
        ]  # fmt: skip
        # the calling thread takes range (or item) 0, the pool the others
        self._pool = None
        if threads > 1:
            try:
                from concurrent.futures import ThreadPoolExecutor  # here: `import gl` stays light

                self._pool = ThreadPoolExecutor(threads - 1)
            except RuntimeError:  # first imported while the interpreter shuts down: the calling thread does it all (_submit)
                pass
        norm = np.sqrt(np.einsum("btf,btf->b", magnitude, magnitude, dtype=np.float64))
        self.magnitude_norm = norm  # ||S|| per batch item, float64

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _submit(self, function: Callable, *args):
        """``function(*args)`` on the pool; in the calling thread, at once, when Python starts
        no more threads (the interpreter is shutting down: a call from an ``atexit`` handler,
        or from a thread that outlives the main one). Every range and item writes its own
        samples, so the order they run in changes no result."""
        if self._pool is not None:
            try:
                return self._pool.submit(function, *args)
            except RuntimeError as error:
                # only the refusal that comes before the work is queued: after it (a thread that
                # cannot start, under a process limit) a pool thread may run it too, so that error stands
                if "cannot schedule new futures" not in str(error):
                    raise
                self._pool = None  # its threads, if any, are being joined by the interpreter
        return _Done(function(*args))

    def __enter__(self) -> "SweepEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ threads
    def _plan_threads(self) -> None:
        """Who owns which samples of the next signal (see the module docstring).

        Thread ``k`` (first frame ``f_k``) owns samples ``[B_k, B_{k+1})`` with
        ``B_k = f_k a + M - a``, the end of thread ``k-1``'s last frame (``B_0 = 0``, the
        last bound is the end of the signal). Its first ``e = ceil((M - a) / a)`` frames
        start before ``B_k``: they go to its edge buffer, which covers samples
        ``[f_k a, f_k a + len)``; every other sample it owns is final once it is done.
        """
        hop, n_fft = self.geometry.hop_length, self.geometry.n_fft
        reach = self._reach
        bounds = [0] + [first * hop + n_fft - hop for first, _ in self.ranges[1:]] + [self.ola_length]
        self._owned = list(zip(bounds[:-1], bounds[1:]))
        self._direct_from = [first if k == 0 else min(last, first + reach) for k, (first, last) in enumerate(self.ranges)]
        self._edge_length = [
            0 if k == 0 else (self._direct_from[k] - first - 1) * hop + n_fft for k, (first, _) in enumerate(self.ranges)
        ]
        self._edge_span = [(first * hop, first * hop + self._edge_length[k]) for k, (first, _) in enumerate(self.ranges)]
        # the samples a thread may normalise itself: owned and touched by no edge buffer
        # (ranges of at least 2 (e + 1) frames keep each edge buffer inside the two owned
        # ranges it straddles); the main thread normalises the rest, the edge spans
        self._final = []
        for k, (low, high) in enumerate(self._owned):
            if k > 0:
                low = max(low, self._edge_span[k][1])
            if k + 1 < len(self.ranges):
                high = min(high, self._edge_span[k + 1][0])
            self._final.append((low, max(low, high)))
        self._main_spans = [(a[1], b[0]) for a, b in zip(self._final[:-1], self._final[1:]) if b[0] > a[1]]

    def _plan_fused(self) -> None:
        """Decide whether the synthesis can be fused (window, overlap-add and normalisation in one pass).

        Let ``R = ceil(n_fft / a)`` for the hop ``a``, and see every frame as ``R a``
        samples, the ``R a - n_fft`` after its end zero (none when ``a`` divides
        ``n_fft``). The signal is a stack of rows of ``a`` samples and frame ``j`` covers
        rows ``j .. j + R - 1``, its slab ``r`` landing on row ``j + r``. Row ``g`` of the
        next signal is then

            x[g] = sum_r w_r * y_{g - r, r} / W_g,

        with ``w_r`` the (zero-padded) window's slab ``r`` and ``W_g`` the window sum, which away from
        the ends (every row with all ``R`` frames) is the same periodic ``W_p`` for every
        row. So one ``einsum`` over a strided view of the inverse FFT frames, with the
        weights ``w_r / W_p``, writes the finished rows: no windowed copy of the frames, no
        ``R`` passes of overlap-add, no normalisation pass, no zeroing. The first and last
        ``R - 1`` rows of the signal, where fewer frames overlap, get a correction factor
        ``W_p / W_g`` afterwards. The padding costs ``R a / n_fft - 1`` more work in the
        ``einsum`` (25 % for n_fft 512 and hop 160, 17 % for 1024 and 300), far less than
        the general path's passes. A window shorter than ``n_fft`` (zero-padded to it) may
        leave whole slabs zero: ``R`` is then the last slab its support reaches and the sum
        starts at the first (``lead``), so that 512/160 with a window of 400 sums 3 slabs,
        not 4, and 2048/275 with 1100 sums 5 of 8 (3-5 % off an iteration; the zero terms
        it skips changed no bit). Needs frames that overlap (``R >= 2``), a window sum
        that does not vanish in the steady state (NOLA) and at least ``2 R`` frames;
        otherwise the general path (``_emit``) runs.
        """
        geometry = self.geometry
        hop, n_fft = geometry.hop_length, geometry.n_fft
        inverse = self._inverse_sum  # (extent,) 1 / W, 0 where W is below the floor
        self._slabs = 0
        window = np.zeros(geometry.frame_hops * hop)  # w, with the inverse FFT's missing 1 / n_fft if any, zero-padded
        window[:n_fft] = geometry._synthesis_window(self.dtype)
        support = np.flatnonzero(window)
        if support.size == 0:
            return
        # the slabs the window's support reaches: a window shorter than n_fft leaves some zero
        lead, slabs = int(support[0]) // hop, -(-(int(support[-1]) + 1) // hop)
        if slabs < 2 or self.n_frames < 2 * slabs or not geometry.nola_ok:
            return
        periodic = inverse[(slabs - 1) * hop : slabs * hop]  # 1 / W_p, the first row with all R frames
        if not np.all(periodic > 0):
            return
        self._slabs, self._lead, self._width = slabs, lead, max(n_fft, slabs * hop)
        self._weights = (window.reshape(-1, hop)[lead:slabs] * periodic).astype(self.dtype)  # w_r / W_p, r = lead .. R - 1
        edge = (slabs - 1) * hop
        last = self.n_frames * hop  # the first row after the last frame's first slab
        self._head_fix = (inverse[:edge] / np.tile(periodic, slabs - 1)).astype(self.dtype)  # W_p / W_g
        tail = np.zeros(edge, dtype=inverse.dtype)  # 1 / W_g, 0 past the last frame's end
        tail[: max(0, min(edge, inverse.shape[0] - last))] = inverse[last : last + edge]
        self._tail_fix = (tail / np.tile(periodic, slabs - 1)).astype(self.dtype)

    def _rows(self, b: int) -> np.ndarray:
        """The next signal of batch item ``b`` as rows of one hop."""
        extent = (self.n_frames + self._slabs - 1) * self.geometry.hop_length
        return self._next[b, :extent].reshape(-1, self.geometry.hop_length)

    def _fused_rows(self, frames_ext: np.ndarray, count: int, out: np.ndarray) -> None:
        """``out[t] = sum_r weights_r * frames_ext[R - 1 + t - r, slab r]`` for ``t < count``, ``r = lead .. R - 1``."""
        slabs, lead, hop = self._slabs, self._lead, self.geometry.hop_length
        row, item = frames_ext.strides
        # view[t, r - lead] = slab r of row R - 1 + t - r: an ndarray on the same memory (cheaper to make than as_strided)
        view: np.ndarray = np.ndarray((count, slabs - lead, hop), dtype=frames_ext.dtype, buffer=frames_ext,
                          offset=(slabs - 1) * row + lead * (hop * item - row), strides=(row, hop * item - row, item))
        np.einsum("trh,rh->th", view, self._weights, out=out)

    def _fused_block(self, b: int, k: int, first: int, spectra: np.ndarray, scratch: "_Scratch") -> None:
        """Synthesise frames ``first .. first + count`` of thread ``k`` and write their finished rows."""
        slabs, n_fft = self._slabs, self.geometry.n_fft
        count = spectra.shape[0]
        ext = scratch.frames_ext
        _irfft(spectra, n_fft, ext[slabs - 1 : slabs - 1 + count, :n_fft], norm=fft_norms(self.dtype)[1])
        rows = self._rows(b)
        start = self.ranges[k][0]
        done = 0
        if k > 0 and first < start + slabs - 1:  # a later thread's first rows lack the previous frames:
            done = min(start + slabs - 1 - first, count)  # keep its first frames for _run, which makes those rows
            offset = slabs - 1 + first - start
            scratch.boundary_frames[offset : offset + done] = ext[slabs - 1 : slabs - 1 + done]
        if done < count:  # the rest: finished rows, straight into the next signal
            self._fused_rows(ext[done:], count - done, rows[first + done : first + count])
        # the carry: the last R - 1 frames, for the next block
        ext[: slabs - 1] = ext[count : count + slabs - 1].copy() if count < slabs - 1 else ext[count : count + slabs - 1]

    def _fused_flush(self, b: int, scratch: "_Scratch") -> None:
        """The ``R - 1`` rows after the last frame, from the last thread's carried frames alone."""
        slabs = self._slabs
        ext = scratch.frames_ext
        ext[slabs - 1 : 2 * slabs - 2] = 0
        self._fused_rows(ext, slabs - 1, self._rows(b)[self.n_frames : self.n_frames + slabs - 1])

    def _fused_boundary(self, b: int, k: int) -> None:
        """Rows ``f_k .. f_k + R - 2`` of thread ``k``'s first frame ``f_k``: the frames of thread
        ``k - 1`` (its carry) and of thread ``k`` meet there. Made from all ``R`` frames with
        the same ``einsum`` as every other row, so that the sum is the one a single thread
        makes, to the last bit."""
        slabs = self._slabs
        frames = self._scratch[k].boundary_frames
        frames[: slabs - 1] = self._scratch[k - 1].frames_ext[: slabs - 1]  # thread k - 1's last R - 1 frames
        start = self.ranges[k][0]
        self._fused_rows(frames, slabs - 1, self._rows(b)[start : start + slabs - 1])

    def _normalise(self, b: int, low: int, high: int) -> None:
        """Divide samples ``low:high`` of the next signal by the window sum (0 past its end)."""
        inverse = self._inverse_sum
        middle = min(high, inverse.shape[0])
        if middle > low:
            self._next[b, low:middle] *= inverse[low:middle]
        if high > max(low, middle):
            self._next[b, max(low, middle) : high] = 0

    def _synthesize(self, b: int, k: int, first: int, spectra: np.ndarray, scratch: "_Scratch") -> None:
        """Inverse FFT of the block's ``spectra`` (frames ``first, ...`` of thread ``k``) into the next signal."""
        if self._slabs:
            self._fused_block(b, k, first, spectra, scratch)
        else:
            self._emit(b, k, first, self.geometry.synthesize_frames(spectra, scratch.frames), scratch)

    def _emit(self, b: int, k: int, first: int, frames: np.ndarray, scratch: "_Scratch") -> None:
        """Overlap-add the windowed frames ``first, first+1, ...`` of thread ``k`` (batch item ``b``)."""
        hop = self.geometry.hop_length
        direct_from = self._direct_from[k]
        if first < direct_from:  # edge frames: into the thread's own buffer
            count = min(direct_from - first, frames.shape[0])
            start = (first - self.ranges[k][0]) * hop
            self.geometry._overlap_add(frames[:count], scratch.edge[start:])
            frames, first = frames[count:], first + count
        if frames.shape[0]:
            self.geometry._overlap_add(frames, self._next[b, first * hop :])

    def _run(self, work: Callable[[int, int, _Scratch], float]) -> np.ndarray:
        """Run ``work(b, k, scratch)`` over every (batch item, thread range), threads in parallel,
        then normalise the next signal, rebuild its padding and make it the current one."""
        totals = np.zeros(self.batch)
        fused = self._slabs > 0

        def task(b: int, k: int, scratch: _Scratch) -> float:
            if fused:
                scratch.frames_ext[: self._slabs - 1] = 0  # no frames before the range
                total = work(b, k, scratch)
                if k == len(self.ranges) - 1:
                    self._fused_flush(b, scratch)
                return total
            low, high = self._owned[k]
            self._next[b, low:high] = 0
            if k > 0:
                scratch.edge.fill(0)
            total = work(b, k, scratch)
            self._normalise(b, *self._final[k])
            return total

        def finish(b: int) -> None:
            """What joins the ranges of item ``b`` (none when its frames are one range)."""
            if fused:  # rows shared by two threads; the rows where fewer frames overlap
                rows = self._rows(b)
                for k in range(1, len(self.ranges)):
                    self._fused_boundary(b, k)
                rows[: self._slabs - 1] *= self._head_fix.reshape(-1, self.geometry.hop_length)
                rows[self.n_frames :] *= self._tail_fix.reshape(-1, self.geometry.hop_length)
                return
            for k in range(1, len(self.ranges)):  # the edge buffers, then their samples' normalisation
                low, high = self._edge_span[k]
                self._next[b, low:high] += self._scratch[k].edge
            for low, high in self._main_spans:
                self._normalise(b, low, high)

        if self._item_threads > 1:  # whole items per thread: item b on thread b mod T, each as one thread would

            def items(t: int) -> None:
                for b in range(t, self.batch, self._item_threads):
                    totals[b] = task(b, 0, self._scratch[t])
                    finish(b)

            futures = [self._submit(items, t) for t in range(1, self._item_threads)]
            items(0)
            for future in futures:
                future.result()
        else:
            for b in range(self.batch):
                futures = [self._submit(task, b, k, self._scratch[k]) for k in range(1, len(self.ranges))]
                totals[b] = task(b, 0, self._scratch[0]) + sum(f.result() for f in futures)
                finish(b)
        if fused:
            self._next[:, (self.n_frames + self._slabs - 1) * self.geometry.hop_length :] = 0
        self.geometry.refresh_padding(self._next[:, : self.padded_length], self.length)
        self._least_squares = not self._floor
        if self._previous is None:
            self.signal, self._next = self._next, self.signal
        else:
            self._previous, self.signal, self._next = self.signal, self._next, self._previous
        return totals

    def _blocks(self, k: int):
        return _even_blocks(*self.ranges[k], self.block)

    # ------------------------------------------------------------------ the two passes
    def synthesize(self, spectrogram) -> None:
        """Set the signal estimate to ``ISTFT(spectrogram)``.

        ``spectrogram`` is an array (batch, n_frames, n_freq), or a function
        ``fill(b, first, last, out)`` that writes the spectra of frames ``first:last`` of
        batch item ``b`` into ``out`` and returns it (so that a full spectrogram never
        needs to exist).
        """
        if callable(spectrogram):
            fill = spectrogram
        else:

            def fill(b, first, last, out):
                block = out[: last - first]
                np.copyto(block, spectrogram[b, first:last])
                return block

        def work(b: int, k: int, scratch: _Scratch) -> float:
            for first, last in self._blocks(k):
                self._synthesize(b, k, first, fill(b, first, last, scratch.spectra), scratch)
            return 0.0

        self._run(work)

    def keep_previous(self, from_current: bool = False) -> None:
        """From now on keep the signal before each sweep, ``x_{n-1}`` (0 before the first, or
        the current signal with ``from_current``), for :meth:`sweep`'s ``previous_weight``.
        Costs one more signal of memory."""
        if self._previous is None:
            self._previous = self.signal.copy() if from_current else np.zeros(self.signal.shape, dtype=self.dtype)

    def sweep(self, update: BlockUpdate, measure: bool = True, previous_weight: float = 0.0) -> Optional[np.ndarray]:
        """One iteration: ``x <- ISTFT(update(STFT(x)))``, block by block.

        ``update(b, frames, T, |T|, scratch)`` receives the batch index, the slice of frames
        of the block, the block's consistent spectra ``T = STFT(x)[frames]`` and their
        moduli (None when the sweep does not ``measure``: ``scratch.abs(T)`` computes them),
        and the thread's work arrays (``scratch.residual`` real and ``scratch.spare``
        complex, one block each, free to use; ``scratch.abs`` writes into
        ``scratch.magnitude``); it returns the spectra to synthesise (it may overwrite
        ``T`` and ``|T|``).

        With ``measure``, returns ``|| |STFT(x)| - S ||_F^2`` per batch item, for the signal
        ``x`` the sweep started from (float64): the spectral convergence, at no extra
        transform. Without, returns None and saves ``|T|`` and two passes per block.

        With ``previous_weight = k`` (after :meth:`keep_previous`, and without ``measure``)
        the spectra given to ``update`` are those of ``x_n - k x_{n-1}`` instead: by
        linearity, ``STFT(x_n) - k STFT(x_{n-1})``. This is how fast Griffin-Lim's momentum
        step is taken on the signal (a quarter of the data at hop ``n_fft / 4``) rather
        than on a stored spectrogram.
        """
        geometry = self.geometry
        hop, n_fft = geometry.hop_length, geometry.n_fft
        previous = self._previous if previous_weight else None
        if previous_weight and (previous is None or measure):
            raise RuntimeError("previous_weight needs keep_previous() and measure=False")

        def work(b: int, k: int, scratch: _Scratch) -> float:
            signal = self.signal[b]
            error = 0.0
            for first, last in self._blocks(k):
                if previous is None:
                    spectra = geometry.analyze(signal, first, last, scratch.frames, scratch.spectra)
                else:  # the block's samples of x_n - k x_{n-1}, then their frames
                    low, high = first * hop, (last - 1) * hop + n_fft
                    span = np.multiply(previous[b, low:high], -previous_weight, out=scratch.extrapolated[: high - low])
                    span += signal[low:high]
                    spectra = geometry.analyze(span, 0, last - first, scratch.frames, scratch.spectra)
                magnitude = None
                if measure:
                    magnitude, block_error = self._block_error(b, first, spectra, scratch)
                    error += block_error
                new = update(b, slice(first, last), spectra, magnitude, scratch)
                self._synthesize(b, k, first, new, scratch)
            return error

        totals = self._run(work)
        return totals if measure else None

    def measure(self) -> np.ndarray:
        """``|| |STFT(x)| - S ||_F^2`` per batch item for the current signal (one STFT)."""
        geometry = self.geometry
        totals = np.zeros(self.batch)
        scratch = self._scratch[0]
        for b in range(self.batch):
            for first, last in self._blocks_all():
                spectra = geometry.analyze(self.signal[b], first, last, scratch.frames, scratch.spectra)
                totals[b] += self._block_error(b, first, spectra, scratch)[1]
        return totals

    def _block_error(self, b: int, first: int, spectra: np.ndarray, scratch: _Scratch) -> tuple[np.ndarray, float]:
        """``|T|`` of a block of spectra (frames ``first, ...``) and ``|| |T| - S ||^2`` over it."""
        magnitude = scratch.abs(spectra)
        count = spectra.shape[0]
        residual = np.subtract(magnitude, self.magnitude[b, first : first + count], out=scratch.residual[:count])
        return magnitude, float(np.einsum("ij,ij->", residual, residual))  # no BLAS: its threads spin

    def _blocks_all(self):
        return _even_blocks(0, self.n_frames, self.block)

    def spectral_convergence(self, squared_error: np.ndarray) -> np.ndarray:
        """``sqrt(error) / ||S||`` per batch item; 0 for a silent target matched exactly."""
        error = np.sqrt(squared_error)
        norm = self.magnitude_norm
        return np.divide(error, norm, out=np.where(error > 0, np.inf, 0.0), where=norm > 0)

    def release_work(self) -> None:
        """Free everything but the current signal (the engine can no longer sweep)."""
        self.close()
        # the engine no longer sweeps: the arrays its sweeps use are not Optional for them
        self._next = self._previous = self._inverse_sum = None  # type: ignore[assignment]
        self._scratch = []

    def to_least_squares(self, between_frames: bool = True) -> None:
        """Make the current signal the least-squares synthesis of the spectra it was made from.

        A low-overlap geometry's sweeps divide by ``max(W, f)``, ``f = EDGE_FADE max W``
        (module docstring, *Low overlap*); an iterative method's result is the least-squares
        synthesis of its last spectra, as :func:`gl.istft`'s, ``x max(W, f) / W``: one
        multiplication, no transform (where the sum is below ``RESULT_FLOOR`` of its largest
        value between frames, divided by that: :meth:`gl.STFT._apply_least_squares_gain`).
        With ``between_frames=False`` only the runs below
        the floor at the two ends become least squares (where ``Spectrogram.invert`` fades
        every geometry's), and the samples between frames keep the floor: a single pass's
        synthesis of a spectrogram far from consistent, whose errors least squares would
        amplify there. For every other geometry, and a second time, it does nothing.
        """
        if self._least_squares:
            return
        self.geometry._apply_least_squares_gain(self.signal, self.n_frames, self._floor, between_frames)
        self.geometry.refresh_padding(self.signal[:, : self.padded_length], self.length)
        self._least_squares = True

    def output(self, between_frames: bool = True) -> np.ndarray:
        """The current signal estimate without its padding, (batch, length), a copy: the
        least-squares synthesis (:meth:`to_least_squares`, with ``between_frames``)."""
        self.to_least_squares(between_frames)
        pad = self.geometry.pad
        return self.signal[:, pad : pad + self.length].copy()


def magnitude_floor(magnitude: np.ndarray) -> float:
    """The ``delta`` of :func:`project_magnitude` for target magnitudes ``magnitude``.

    ``tiny * max(1, max(S))``: small enough to change no nonzero modulus, large enough
    that ``S / delta`` never overflows (it is at most ``1 / tiny``).
    """
    info = np.finfo(magnitude.dtype)
    peak = float(magnitude.max()) if magnitude.size else 0.0
    return float(info.tiny) * max(1.0, peak)


def project_magnitude(
    spectra: np.ndarray,
    magnitude: np.ndarray,
    target: np.ndarray,
    work: np.ndarray,
    delta: float,
    scale: float = 1.0,
    out: Optional[np.ndarray] = None,
) -> np.ndarray:
    """``P_C2``: give ``spectra`` the modulus ``target`` and keep its phase, in place (or into ``out``).

    ``spectra <- scale * target * spectra / (|spectra| + delta)`` with ``delta`` from
    :func:`magnitude_floor` (``scale`` folds a later scaling of the result into the ratio,
    a pass over reals instead of complex numbers). ``magnitude`` holds ``|spectra|``;
    ``work`` is overwritten. A zero coefficient has no phase to keep and stays zero.
    """
    np.add(magnitude, delta, out=work)
    np.divide(target, work, out=work)
    if scale != 1.0:
        work *= scale
    return np.multiply(spectra, work, out=spectra if out is None else out)
