"""Long inputs: run any offline method over overlapping blocks of frames, join the seams.

An iterative method holds several full-size copies of the spectrogram (the target, its
own state, the signal estimates): for an hour of 44.1 kHz audio with ``n_fft=2048`` and
``hop_length=512`` (310 000 frames of 1025 bins) each complex copy is 2.4 GiB (complex64)
or 4.9 GiB (complex128). :func:`reconstruct_long` bounds the memory by inverting
``block_frames`` frames at a time:

1. block ``k`` holds frames ``[f_k, f_k + B)``, with ``f_{k+1} = f_k + B - O`` (``B``
   frames per block, ``O`` frames of overlap); it is inverted on its own with the
   non-centred version of the geometry, which gives the samples its frames cover,
   ``[f_k a, (f_k + B - 1) a + M)`` of the padded signal;
   *ends*: with centred frames the first and last blocks are inverted with the centred
   geometry instead, so that their outer frames see the padding the whole's frames see,
   and with ``O + ceil(floor(M / 2) / a)`` more frames on their inner side to take the
   padding they then also have there (the end blocks own that many fewer than ``B``
   frames, so no inversion exceeds ``B`` frames); not for RTISI-LA's own start and the
   single passes, which gained nothing from it and lost where it adds a block or where
   RTISI-LA's own centred ends are weak (edge padding);
2. *warm start*: the initial phase of block ``k`` on its first ``O`` frames is the phase
   of the STFT of the result so far there (elsewhere the ``init`` asked for), so that the
   block continues the previous one; PGHI's phase (``init='pghi'``, the default method's)
   is integrated on from those frames (:func:`gl.pghi.initial_phase`'s ``known``), not
   started afresh beside them;
3. *sign*: phase retrieval determines a signal only up to its sign, so a block that still
   correlates negatively with the previous one in the overlap is negated;
4. *seam*: in the middle of the overlap (a zone of up to ``4 M`` samples, at least ``M``
   from either block's edge) the two results are cross-faded,
   ``y = (1 - r) y_{k-1} + r y_k`` with ``r`` rising as ``sin^2``, and then *bridged*:
   ``n_iter`` fast Griffin-Lim iterations on the frames that touch the zone, with every
   sample outside the zone held fixed (and blended into over a hop at the zone's edges),
   so the seam is consistent with both sides;
5. the finished samples go out (to the returned array, or to a sound file block by
   block) and the block is dropped.

Without steps 2 and 4 the seams dominate the error (two independent solutions
cross-faded partly cancel): on the dev clips below a plain cross-fade costs 2-6 dB.
Without the ends and PGHI's continuation, gl's default method lost 6 dB in blocks (below).

Measured with ``benchmarks/bench_longform.py`` (machine shared with other jobs; numpy 2.4):

* **one hour** of a 44.1 kHz synthetic mix of gliding harmonic tones, chirps, a chord and
  noise, ``n_fft=2048``, ``hop_length=512`` (310 079 frames), float32 spectrogram read
  from disk one block at a time, FGLA, the default blocks with ``sr=44100``: 2584 frames
  (30.0 s) overlapping by 26, written to a FLOAT wav block by block, one thread. With 100
  iterations per block: 302 s wall (0.084 s per second of audio, on a quiet machine),
  **peak RSS 0.12 GiB** (the process's own peak, ``VmHWM``), numpy's allocations peaking at
  63 MiB (``tracemalloc``), spectral convergence of the written hour -27.0 dB
  (``python benchmarks/bench_longform.py hour --n-iter 100 --trace``,
  ``results/longform_hour.json``). The memory depends on the block size, not on the length
  or ``n_iter``; a one-shot FGLA of the hour would hold about 1.2 GiB of float32
  magnitude, 2.4 GiB per complex64 spectrogram of state, and the signal.
* **quality cost** against one-shot FGLA, 100 iterations, random initial phase, same
  seed (spectral convergence difference, positive = worse): default 30 s blocks on 5
  minutes of the synthetic signal +0.01 dB (-26.97 against -26.98 dB; -0.2 dB before the
  ends, -27.20 dB; ``python benchmarks/bench_longform.py synthetic-quality``,
  ``results/longform_synthetic_quality.json``);
  ``d03_music_tabla_44k`` (8 s) +0.9 dB with 2 s blocks, +1.6 dB with 4 s blocks;
  ``d02_speech_alsa-voice_22k`` (6 s) -0.5 dB (2 s), +0.4 dB (4 s)
  (``python benchmarks/bench_longform.py quality``, ``results/longform_quality.json``;
  +1.1, +1.6, -0.9 and +0.6 dB before a last block with fewer new frames than the
  overlap gave way to two of the same size (all but d03's 4 s blocks changed); +2.1, +0.6,
  0.0 and +0.8 dB before the ends and PGHI's continuation). Between random starts the
  one-shot result itself varies by about 2 dB.
* gl's default method (PGHI, then the difference map and FGLA), which goes further, lost
  more before the ends and PGHI's continuation: on 8 s of docs/04's harmonic voice
  without its decay (16 kHz, n_fft 512, hop 128) -40.9 dB in blocks of 300 frames
  sharing 32 against -47.2 dB in one shot: consecutive blocks disagreed in the overlap
  (5 to 11 dB signal to difference; the frames around the seams -41.1 dB) and the first
  and last 4 frames held 72 % of the error (frame 0 at -11.8 dB, -23.4 in one shot).
  Now -47.6 dB (seams -50.3 dB), -47.5 dB in blocks of 600 sharing 64 (before -42.9),
  -48.5 dB in the default 30 s blocks on 64 s of it (one shot -48.3, before -45.6), and on
  an 8 s chirp (100 to 3000 Hz, one shot -75.0 dB) -52.2 and -74.8 dB in blocks of 300
  and 600 (before -39.0 and -44.7). On the six dev clips tiled to 16 s (n_fft 1024, hop
  256) blocks of 300 and 600 frames cost it 0.06 dB on average (-0.7 to +0.9 by clip and
  size; before 1.0 dB, up to 4.2), tiled to 40 s the default 30 s blocks 0.01 dB (before
  0.03). FGLA in blocks there came out 0.7 dB better than before on average with
  blocks of 300 and 600 frames and 0.2 dB worse with the 30 s blocks (-0.65 to +0.09 dB
  by clip), within its spread between seeds (the blocks, thus its random draws, differ).
  At the clips' own lengths (3.1 to 8 s) the default method's cost was 0.27 dB on average
  in a review's block layouts (0.39 before) and 0.42 dB in blocks of 150/32, 230/32,
  300/32 and 600/64, up to 2.7 dB on d05 (vinyl crackle), whose one-shot result moves by
  0.8 dB (standard deviation) when its start is nudged by 0.01 rad. Rules tried against that and not kept (2026-11-30; each within the
  clip's spread of about 1.5 dB per block layout, and each losing over 1 dB somewhere):
  seeding PGHI only from the strong or the well-matched known coefficients, from fewer of
  the overlap's frames, and choosing per block between the continued and the pasted
  start by their consistency (0.42 -> 0.22 dB on average at native length, but 2.2 dB
  worse on d05 at 150/32 and 1.7-2.0 dB worse on d05 tiled to 16 s).
* ``init='spsi'`` continues the previous block's phase as well: SPSI's recursion goes on
  from the overlap's last frame (:func:`gl.spsi.initial_phase`'s ``known``), where each
  block's SPSI used to start from phase 0 with the previous phase pasted on the overlap.
  Against one-shot :func:`gl.reconstruct` from SPSI (no random numbers: one run a case)
  with the default method and FGLA, on 8 s of the harmonic voice above, an 8 s chirp
  (100 to 3000 Hz) and the six dev clips tiled to 16 s and at their own lengths, in
  blocks of 150/32, 300/32 and 600/64 (76 cases, 2026-11-30): 0.42 dB better on average
  (46 better; the voice 3.3 dB, up to 5.6; the dev clips 0.18 dB), the worst cost
  against one shot down from 8.2 to 2.6 dB; but 1.5 dB worse on d03 at its own length
  (default method, 300/32; 1.2 dB on the means of 0.01 rad nudges of the starts, which
  moved either by 0.3 dB) and 1.3 dB on the chirp (150/32, where both were 2 to 3 dB
  better than one shot). Continuing from the middle of the overlap instead: 0.46 dB on
  average, but up to 2.7 dB worse.

With a memory-mapped ``S`` (``np.load(..., mmap_mode='r')``) and ``output=`` a file, only
one block is in memory at any time (pages of the map that were read count towards the
resident set size until the kernel reclaims them; they are clean file pages).

References
----------
D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier transform",
IEEE Trans. ASSP 32(2), 1984 (the magnitude cannot tell ``x`` from ``-x``).
N. Perraudin, P. Balazs and P. L. Sondergaard, "A fast Griffin-Lim algorithm",
IEEE WASPAA 2013 (the seam bridge).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Literal, Optional, Protocol, Union, overload

import numpy as np

from ._checks import as_array, check_choice, check_flag
from ._engine import floored_between_frames
from ._run import measuring_only_the_ends, within_measuring_only_the_ends
from ._iterative import (InitSpec, PhaseRetrievalInfo, RngSpec, as_generator, check_init_array, check_magnitude, from_random_state, initial_phase, measure_convergence,
                         resolve_geometry, working_exponents)
from .audio import SUBTYPES, PathLike, check_output_path
from .pghi import initial_phase as pghi_continuing
from .spsi import initial_phase as spsi_continuing
from .reconstruct import DEFAULT_METHOD, SINGLE_PASS_METHODS, _method_parameters, _refuse_unknown_options, default_init, method_function
from .spectrogram import _flags, apply_edge_fade, edge_fade_gains, run_with_floor_rule
from .transform import EDGE_FADE, RESULT_FLOOR, STFT, PadMode, bins_mismatch, nola_warned, real_dtype
from .windows import WindowSpec

__all__ = ["reconstruct_long", "DEFAULT_BLOCK_SECONDS", "DEFAULT_OVERLAP_SECONDS", "plan_blocks"]

#: Block length when ``sr`` is known and no ``block_frames`` is given.
DEFAULT_BLOCK_SECONDS = 30.0
#: Overlap when ``sr`` is known and no ``overlap_frames`` is given.
DEFAULT_OVERLAP_SECONDS = 0.3
#: Without ``sr``: frames per block and of overlap (30 s and 0.37 s at 44.1 kHz, hop 512).
DEFAULT_BLOCK_FRAMES = 2600
DEFAULT_OVERLAP_FRAMES = 32


def _check_count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer")
    if value < minimum:
        raise ValueError(f"{name}={value} must be >= {minimum}")
    return int(value)


def plan_blocks(n_frames: int, block_frames: int, overlap_frames: int) -> list[tuple[int, int]]:
    """The ``(first, last)`` frame ranges of the blocks.

    Consecutive blocks share ``overlap_frames`` frames; every block has ``block_frames``
    frames except the last, which ends at ``n_frames`` and absorbs a remainder that would
    be no longer than the overlap (so it has at most ``block_frames + overlap_frames``).

    Parameters
    ----------
    n_frames : int
        Frames of the whole spectrogram.
    block_frames : int
        Frames per block.
    overlap_frames : int
        Frames shared by consecutive blocks, ``< block_frames``.

    Returns
    -------
    list of (int, int)
        ``(first, last)`` of each block, ``last`` excluded; one block ``(0, n_frames)``
        when ``n_frames <= block_frames``.

    Examples
    --------
    >>> plan_blocks(10, 4, 1)
    [(0, 4), (3, 7), (6, 10)]
    """
    if n_frames <= block_frames:
        return [(0, n_frames)]
    step = block_frames - overlap_frames
    blocks = []
    first = 0
    while True:
        last = min(first + block_frames, n_frames)
        if n_frames - last < overlap_frames + 1 and last < n_frames:
            # a last block shorter than the overlap would add nothing: stretch this one
            last = n_frames
        blocks.append((first, last))
        if last == n_frames:
            return blocks
        first += step


#: Fast Griffin-Lim iterations of the seam bridge when ``n_iter`` is not given.
DEFAULT_BRIDGE_ITERATIONS = 100


def _check_sound_file(output, subtype: Optional[str], sr, channels: int = 1) -> None:
    """Before any work: a format soundfile knows from ``output``'s extension, a subtype it can
    hold, a sample rate that is a whole number of Hz, and (WAV, FLAC) the channels and rate
    the format holds (:data:`gl.audio.FORMAT_LIMITS`)."""
    from .audio import _soundfile

    soundfile = _soundfile()  # or an ImportError that says what to install

    suffix = Path(output).suffix.lstrip(".").upper()
    formats = soundfile.available_formats()
    if suffix not in formats:
        raise ValueError(f"cannot tell the audio format of {str(output)!r} from its extension; name the output with one of "
                         f"{', '.join('.' + name.lower() for name in ('WAV', 'FLAC', 'AIFF', 'CAF', 'W64', 'RF64') if name in formats)}")
    check_choice("subtype", subtype, soundfile.available_subtypes(suffix), none=True)
    if subtype is not None and not soundfile.check_format(suffix, subtype):
        raise ValueError(f"subtype={subtype!r} cannot be written to a {suffix} file; use one of "
                         f"{', '.join(soundfile.available_subtypes(suffix))}")
    if sr is None:
        raise ValueError("writing to a file needs the sample rate: give sr")
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not np.isfinite(sr) or sr <= 0:
        raise ValueError(f"sr={sr!r} must be a positive number (samples per second)")
    if float(sr) != round(float(sr)):
        raise ValueError(f"sr={sr} is not a whole number of Hz, which audio files need")
    from .audio import FORMAT_LIMITS, check_format_limits

    if suffix in FORMAT_LIMITS:
        check_format_limits(output, suffix, channels, sr)


def _frames_from(geometry: STFT, sr: Optional[float], seconds: float, name: str) -> Optional[int]:
    if sr is None:
        return None
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not 0 < sr < float("inf"):
        raise ValueError(f"sr={sr!r} must be a positive number (samples per second)")
    if isinstance(seconds, bool) or not (isinstance(seconds, (int, float, np.integer, np.floating))
                                         and 0 < seconds < float("inf")):
        raise ValueError(f"{name}={seconds!r} must be a positive, finite number of seconds")
    # more frames than any array holds (1e305 s overflowed the float to inf): as many as an int64 counts
    return max(1, int(round(min(seconds * sr / geometry.hop_length, 2.0**62))))


def default_overlap_frames(geometry: STFT, sr: Optional[float], block_frames: int,
                           overlap_seconds: Optional[float] = None) -> int:
    """The frames consecutive blocks share when :func:`reconstruct_long` is not told:
    ``overlap_seconds`` (default ``DEFAULT_OVERLAP_SECONDS``) at ``sr``, or
    ``DEFAULT_OVERLAP_FRAMES`` without it; at least ``2 ceil(n_fft / hop)``, at most half
    a block but never below ``ceil(n_fft / hop)`` (nor above ``block_frames - 1``). (A
    block shorter than the overlap shared all its frames but one with the next: blocks
    that moved on by one frame, each inverted again, a block's frames times the work.)

    >>> default_overlap_frames(STFT(256, 64), 16000, 2600), default_overlap_frames(STFT(256, 64), None, 2600)
    (75, 32)
    >>> default_overlap_frames(STFT(256, 64), 16000, 100), default_overlap_frames(STFT(256, 64), 16000, 6)
    (50, 4)
    """
    frames = _frames_from(geometry, sr, DEFAULT_OVERLAP_SECONDS if overlap_seconds is None else overlap_seconds,
                          "overlap_seconds") or DEFAULT_OVERLAP_FRAMES
    least = -(-geometry.n_fft // geometry.hop_length)
    return min(max(frames, 2 * least), max(least, block_frames // 2), block_frames - 1)


class _Writer:
    """Where finished samples go: an array, or a sound file written block by block."""

    def __init__(self, output, length: int, batch_shape: tuple, dtype, sr, subtype, force: bool = False, fade=None):
        self.length = length
        self.written = 0
        self.fade = fade  # gl.spectrogram.edge_fade_gains, or None
        self.batch_shape = batch_shape
        self.array = None
        # a soundfile.SoundFile (which has no annotations) or the caller's object with a write(samples)
        # method; None when writing to the array
        self.file: Any = None
        self._own_file = False
        self.name = None  # the path written, for the clipping warning
        self.clipped = 0  # samples beyond full scale of an integer PCM subtype
        self.peak = 0.0
        channels = int(np.prod(batch_shape, dtype=int)) if batch_shape else 1
        if output is None:
            self.array = np.zeros((channels, length), dtype=dtype)
        elif isinstance(output, (str, Path)):
            if sr is None:
                raise ValueError("writing to a file needs the sample rate: give sr")
            from .audio import _sndfile_name, _soundfile, atomic_output

            soundfile = _soundfile()

            # written to a temporary file beside it, renamed when complete (finish), removed on error (abort)
            self._publication = contextlib.ExitStack()
            temporary = self._publication.enter_context(atomic_output(output, force=force))
            try:
                self.file = soundfile.SoundFile(_sndfile_name(temporary), "w", samplerate=int(sr), channels=channels, subtype=subtype)
            except BaseException:
                self._publication.__exit__(*sys.exc_info())
                raise
            self._temporary = temporary
            self._own_file = True
            self.name = str(output)
        elif hasattr(output, "write"):
            self.file = output
        else:
            raise TypeError("output must be None, a path, or an object with a write(samples) method (soundfile.SoundFile)")

    def write(self, samples: np.ndarray) -> None:
        """Append ``samples`` (channels, n), cropped to the output length."""
        count = max(0, min(samples.shape[-1], self.length - self.written))
        if count == 0:
            return
        if self.fade is not None:
            samples = apply_edge_fade(samples[:, :count], self.written, self.fade)[0]
        if self.array is not None:
            self.array[:, self.written : self.written + count] = samples[:, :count]
        else:
            frames = np.ascontiguousarray(samples[:, :count].T)
            bits = SUBTYPES.get(getattr(self.file, "subtype", ""))  # 16 or 24 for integer PCM
            if bits is not None:  # the codes gl.audio.write_audio writes, and the clipping counted
                from .audio import to_pcm

                self.peak = max(self.peak, float(np.max(np.abs(frames))) if frames.size else 0.0)
                frames, clipped = to_pcm(frames, bits)
                self.clipped += clipped
            with self._os_reasons():
                self.file.write(frames)
        self.written += count

    def _os_reasons(self):
        """A full disk as the OSError it is, for the file this writer opened (see
        :func:`gl.audio.os_reason_of_write_errors`); a caller's own file's errors as they come."""
        if not self._own_file:
            return contextlib.nullcontext()
        from .audio import os_reason_of_write_errors

        return os_reason_of_write_errors(self._temporary, self.name)

    def abort(self) -> None:
        """After an error (called in the ``except`` block): close and remove a file this writer opened."""
        if self._own_file:
            self._own_file = False
            try:
                with contextlib.suppress(Exception):  # the error being handled is the one to report
                    self.file.close()
            finally:
                self._publication.__exit__(*sys.exc_info())  # removes the temporary file

    def finish(self):
        if self.written < self.length:  # a `length` beyond the frames: zeros, as istft
            channels = self.array.shape[0] if self.array is not None else (int(np.prod(self.batch_shape, dtype=int)) or 1)
            filler = np.zeros((channels, min(self.length - self.written, 1 << 16)))
            while self.written < self.length:
                self.write(filler)
        if self.clipped:
            from .audio import ClippingWarning

            channels = int(np.prod(self.batch_shape, dtype=int)) or 1
            warnings.warn(
                f"{self.clipped} of {self.written * channels} samples clipped writing {self.name or 'the output'} "
                f"(peak {self.peak:.3g} = {20 * np.log10(self.peak):+.1f} dBFS; subtype {self.file.subtype}): scale S down, "
                "or write subtype='FLOAT'",
                ClippingWarning,
                stacklevel=3,
            )
        if self._own_file:
            try:
                with self._os_reasons():
                    self.file.close()  # writes what libsndfile still holds
            except BaseException:
                self.abort()  # removes the temporary file
                raise
            self._own_file = False
            self._publication.close()  # flushed to disk and renamed onto the output path
        if self.array is not None:
            return self.array.reshape(self.batch_shape + (self.length,))
        return self.written


class _SampleSink(Protocol):
    """What ``output`` may be besides a path: an object with ``write(samples)`` (a
    ``soundfile.SoundFile``), given ``samples`` of shape (n, channels)."""

    def write(self, samples: np.ndarray, /) -> Any: ...


# What a call returns, for type checkers: the signal (and the info with ``return_info``),
# or, with ``output`` (a path or a _SampleSink), the number of samples written per channel.
@overload
def reconstruct_long(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ...,
                     rng: RngSpec = ..., block_frames: Optional[int] = ..., overlap_frames: Optional[int] = ...,
                     sr: Optional[float] = ..., block_seconds: Optional[float] = ...,
                     overlap_seconds: Optional[float] = ..., warm_start: bool = ..., bridge: bool = ...,
                     fade_edges: bool = ..., floor_between_frames: Optional[bool] = ...,
                     return_info: Literal[False] = ..., output: None = ..., subtype: Optional[str] = ...,
                     force: bool = ..., length: Optional[int] = ..., geometry: Optional[STFT] = ...,
                     n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
                     window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...,
                     **options: Any) -> np.ndarray: ...
@overload
def reconstruct_long(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ...,
                     rng: RngSpec = ..., block_frames: Optional[int] = ..., overlap_frames: Optional[int] = ...,
                     sr: Optional[float] = ..., block_seconds: Optional[float] = ...,
                     overlap_seconds: Optional[float] = ..., warm_start: bool = ..., bridge: bool = ...,
                     fade_edges: bool = ..., floor_between_frames: Optional[bool] = ..., return_info: Literal[True],
                     output: None = ..., subtype: Optional[str] = ..., force: bool = ..., length: Optional[int] = ...,
                     geometry: Optional[STFT] = ..., n_fft: Optional[int] = ..., hop_length: Optional[int] = ...,
                     win_length: Optional[int] = ..., window: WindowSpec = ..., center: bool = ...,
                     pad_mode: PadMode = ..., sym: bool = ...,
                     **options: Any) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def reconstruct_long(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ...,
                     rng: RngSpec = ..., block_frames: Optional[int] = ..., overlap_frames: Optional[int] = ...,
                     sr: Optional[float] = ..., block_seconds: Optional[float] = ...,
                     overlap_seconds: Optional[float] = ..., warm_start: bool = ..., bridge: bool = ...,
                     fade_edges: bool = ..., floor_between_frames: Optional[bool] = ...,
                     return_info: Literal[False] = ..., output: Union[PathLike, _SampleSink], subtype: Optional[str] = ...,
                     force: bool = ..., length: Optional[int] = ..., geometry: Optional[STFT] = ...,
                     n_fft: Optional[int] = ..., hop_length: Optional[int] = ..., win_length: Optional[int] = ...,
                     window: WindowSpec = ..., center: bool = ..., pad_mode: PadMode = ..., sym: bool = ...,
                     **options: Any) -> int: ...
@overload
def reconstruct_long(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ...,
                     rng: RngSpec = ..., block_frames: Optional[int] = ..., overlap_frames: Optional[int] = ...,
                     sr: Optional[float] = ..., block_seconds: Optional[float] = ...,
                     overlap_seconds: Optional[float] = ..., warm_start: bool = ..., bridge: bool = ...,
                     fade_edges: bool = ..., floor_between_frames: Optional[bool] = ..., return_info: bool = ...,
                     output: Union[PathLike, _SampleSink, None] = ..., subtype: Optional[str] = ..., force: bool = ...,
                     length: Optional[int] = ..., geometry: Optional[STFT] = ..., n_fft: Optional[int] = ...,
                     hop_length: Optional[int] = ..., win_length: Optional[int] = ..., window: WindowSpec = ...,
                     center: bool = ..., pad_mode: PadMode = ..., sym: bool = ..., **options: Any) -> Any: ...
def reconstruct_long(
    S,
    *,
    method: Optional[str] = None,
    n_iter: Optional[int] = None,
    init: InitSpec = None,
    rng: RngSpec = None,
    block_frames: Optional[int] = None,
    overlap_frames: Optional[int] = None,
    sr: Optional[float] = None,
    block_seconds: Optional[float] = None,
    overlap_seconds: Optional[float] = None,
    warm_start: bool = True,
    bridge: bool = True,
    fade_edges: bool = True,
    floor_between_frames: Optional[bool] = None,
    return_info: bool = False,
    output=None,
    subtype: Optional[str] = None,
    force: bool = False,
    length: Optional[int] = None,
    geometry: Optional[STFT] = None,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
    **options,
):
    r"""Invert an arbitrarily long magnitude spectrogram block by block, in bounded memory.

    Every block of ``block_frames`` frames is inverted by ``method`` (any key of
    :data:`gl.reconstruct.METHODS`) with the non-centred geometry (with centred frames,
    the first and last blocks with the centred one: :mod:`gl.longform`, *ends*); consecutive blocks
    share ``overlap_frames`` frames, block ``k`` starts from block ``k - 1``'s phase in
    the overlap (``warm_start``), is negated if it still anti-correlates there, is
    cross-faded in, and the seam is refined (``bridge``, see :mod:`gl.longform`):

    .. math::

        y[n] = (1 - r[n])\, y_{k-1}[n] + r[n]\, y_k[n], \qquad
        r[n] = \sin^2\!\Big(\frac{\pi}{2} \frac{n - n_0}{n_1 - n_0}\Big)

    on the overlap's interior ``[n_0, n_1)``. A spectrogram of at most ``block_frames``
    frames is inverted in one call, as :func:`gl.reconstruct` (and, where the windows barely
    overlap, by the rule of ``floor_between_frames``).

    Parameters
    ----------
    S : array-like [shape=(..., n_freq, n_frames), non-negative, float]
        Target magnitude; anything sliceable along the last axis (an ``np.memmap``
        works and is read one block at a time). Leading axes are channels.
    method : str, optional
        A method of :func:`gl.reconstruct` (default its default).
    n_iter, init, rng
        As in :func:`gl.reconstruct` (per block; ``n_iter`` and ``init`` default as there;
        the seam bridge runs ``n_iter`` iterations, 100 by default).
        ``rng`` seeds one generator used for every block, so results are reproducible.
    block_frames : int, optional
        Frames per block, ``> overlap_frames``. Default ``block_seconds * sr / hop``
        when ``sr`` is given, else 2600 (30 s at 44.1 kHz with hop 512). With centred
        frames the first and last blocks are inverted with ``overlap_frames +
        ceil((n_fft // 2) / hop)`` frames more on their inner side (:mod:`gl.longform`,
        *ends*) and own as many fewer, so that no inversion exceeds ``block_frames``.
    overlap_frames : int, optional
        Frames shared by consecutive blocks, ``>= ceil(n_fft / hop)``. Default
        ``overlap_seconds * sr / hop`` (at least ``2 ceil(n_fft / hop)``) or 32.
    sr : float, optional
        Sample rate: needed for ``block_seconds`` / ``overlap_seconds`` and to write a file.
    block_seconds, overlap_seconds : float, optional
        Block and overlap lengths in seconds, with ``sr`` (default 30 and 0.3); each
        instead of ``block_frames`` / ``overlap_frames``, not with them.
    warm_start : bool
        Start each block from the previous block's phase in the overlap (default True);
        with ``init='pghi'`` (the default method's) or ``'spsi'``, that start's phase
        continues it.
        Not with RTISI-LA's own start (``method='rtisila'`` without ``init``, or
        ``init='overlap'``): its first estimate is the partial reconstruction itself; nor
        with the single passes (``'pghi'``, ``'spsi'``, ``'rtpghi'``), which take no start.
    bridge : bool
        Refine each seam with fast Griffin-Lim, the samples around it held fixed
        (default True; ``n_iter`` iterations on a few dozen frames per seam).
    fade_edges : bool
        With frames that are not centred, fade the first and last samples, which only a
        window's tip sees (window sum below ``EDGE_FADE``, 10 %, of its maximum), as
        :meth:`gl.Spectrogram.invert` does: a phase error there comes back as a click, up
        to 5 times the signal's peak on a chirp (default True; False keeps the
        least-squares values).
    floor_between_frames : None or bool
        For a :attr:`gl.STFT.low_overlap` geometry (scipy's ``window='hann'`` at its
        default overlap), block by block as :meth:`gl.Spectrogram.invert` does: None
        (default) inverts each block by least squares and again, from the same start,
        with the iterations dividing by a floor between frames when the block's result
        carries more than ``SPIKE_RATIO`` (2) times the energy per sample between frames
        than elsewhere (twice the time for that block); True floors every block at once;
        False never. A seam's bridge floors where either block did. The six dev clips tiled
        to 20 s through Hann 256 at hop 224, in blocks of 300 frames sharing 32, gl's
        default method: least squares came back 4.6 dB too loud on average with peaks up
        to 11.4 times the signal's, as far from it as silence seen at a hop of 32 (+0.6
        dB); with the rule -0.4 dB, 2.1 times and -7.9 dB, as ``Spectrogram.invert`` in
        one call (-0.5, 2.1, -7.9); a sine kept least squares (-34.5 dB at a hop of 32;
        -13.9 with the floor). Blackman 512/384: +2.2 dB, 4.8 times, -4.7 dB with least
        squares; -0.1, 2.3, -8.2 with the rule (``python benchmarks/bench_longform.py
        low-overlap``). Not for the streams (``'rtisila'``, ``'rtpghi'``).
    return_info : bool
        Also return a :class:`gl.PhaseRetrievalInfo` (see Returns); needs ``output=None``.
    output : None, str, Path or file-like
        None: return the signal. A path: write it there with :mod:`soundfile` (format
        from the extension: any the installed libsndfile writes, WAV, FLAC, AIFF, CAF, W64,
        RF64, and OGG and MP3 from libsndfile 1.1, where :func:`gl.audio.write_audio`
        writes WAV and FLAC only; ``subtype`` e.g. ``'FLOAT'``), block by block, and return the
        number of samples written; the file is written to a temporary file beside it and
        renamed when complete, so an error or Ctrl-C leaves no partial file. An object
        with ``write(samples)`` (a ``soundfile.SoundFile``): write to it, ``samples`` of
        shape (n, channels).
    subtype : str, optional
        With an ``output`` path: the file's sample format, a :mod:`soundfile` subtype
        (``'PCM_16'``, ``'PCM_24'``, ``'FLOAT'`` ...) that the file's format takes (checked
        before any work); default soundfile's for that format.
    force : bool
        Replace an existing ``output`` file (default False: refused before any work).
    length : int, optional
        Output length (default ``geometry.default_length(n_frames)``); must give
        ``n_frames`` frames, as in :func:`gl.reconstruct`.
    geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym
        The STFT geometry of ``S``.
    **options
        Passed to the method (``momentum``, ``n_threads`` ...).

    Returns
    -------
    y : np.ndarray [shape=(..., length)] or int
        The signal; with ``output``, the number of samples written per channel instead.
    info : PhaseRetrievalInfo
        Only with ``return_info=True`` (and ``output=None``): the first block's ``method``
        and ``init`` (later blocks start from their predecessor's phase), the most
        iterations a block ran, ``floored_between_frames`` if any block was, the wall time,
        and one row of history: the spectral convergence of the whole ``y``, measured
        block by block (the seams included). Each block's run then measures only its
        start and its result (:func:`gl._run.measuring_only_the_ends`): ``y`` is the same,
        to the bit, as without ``return_info``. ``initial_spectral_convergence`` is that
        of the start for a single block (for a one-pass method, that of ``y``, as its
        only row), None for several (no whole start exists).

    Notes
    -----
    With ``center=True`` the first and last blocks keep the whole's padding (*ends*), unless
    the method makes its own start (RTISI-LA without ``init``, the single passes) or
    ``block_frames <= 2 overlap_frames + ceil((n_fft // 2) / hop) + 1`` leaves no room for
    their margin: then every block uses the non-centred geometry (and the blocks of
    :func:`plan_blocks`, the last up to ``block_frames + overlap_frames`` frames), and the
    signal's first and last ``n_fft // 2`` samples are computed without the padding's
    constraint. ``tol`` and ``callback`` would apply per block and are not accepted here.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> t = np.arange(16000) / 8000
    >>> x = np.sin(2 * np.pi * (200 + 300 * t) * t)
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> y = gl.reconstruct_long(S, n_iter=30, rng=0, block_frames=100, overlap_frames=16,
    ...                         length=len(x), n_fft=256, hop_length=64)
    >>> y.shape
    (16000,)
    >>> bool(gl.metrics.spectral_convergence_db(S, gl.stft(y, n_fft=256, hop_length=64)) < -20)
    True
    """
    started = time.perf_counter()
    for refused in ("tol", "callback"):
        if options.get(refused) is not None:
            raise ValueError(f"{refused} is not supported by reconstruct_long (blocks are inverted separately)")
        options.pop(refused, None)
    return_info = check_flag("return_info", return_info)
    if return_info and output is not None:
        raise ValueError("return_info=True needs output=None: the spectral convergence is measured on the signal returned")
    if not (hasattr(S, "shape") and hasattr(S, "dtype")) or isinstance(S, np.ndarray):
        S = as_array("S", S)
    if len(S.shape) < 2:
        raise ValueError(f"S must have shape (..., n_freq, n_frames), got shape {S.shape}")
    geometry = resolve_geometry(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym)
    if S.shape[-2] != geometry.n_freq:
        raise ValueError(bins_mismatch("S", S.shape[-2], geometry.n_fft, S.shape[-1]))
    if S.shape[-1] < 1:
        raise ValueError("S has no frames")
    n_frames = S.shape[-1]
    hop, n_fft = geometry.hop_length, geometry.n_fft
    function, fixed = method_function(DEFAULT_METHOD if method is None else method)
    _refuse_unknown_options(function, fixed, options, DEFAULT_METHOD if method is None else method)  # before any block
    method_options = dict(fixed)
    method_options.update(options)
    method_parameters = _method_parameters(function)  # with those of the function a wrapper hands its **options to
    if method_options.get("random_state") is not None and "random_state" in inspect.signature(function).parameters:
        # gl.griffinlim's librosa name for the seed: as rng, one generator for every block
        rng = from_random_state(method_options.pop("random_state"), rng)
    generator = as_generator(rng)
    if init is None and method in (None, DEFAULT_METHOD):  # as gl.reconstruct: the default method's init, else the method's own
        init = default_init(S, geometry, {})
    elif init is not None and not isinstance(init, str):  # a list or a number, as the methods take it: cut into blocks
        init = as_array("init", init)
    # a start the warm start cannot blend a phase into: RTISI-LA's own, the partial
    # reconstruction; and the single passes, which make their own phase (no init)
    own_start = ((init is None and method == "rtisila") or (isinstance(init, str) and init == "overlap")
                 or method in SINGLE_PASS_METHODS)

    if floor_between_frames is not None:
        floor_between_frames = check_flag("floor_between_frames", floor_between_frames)
    # with return_info every block's info, its run measuring only its start and its result (the
    # iterations on the path of a plain call: the same signal as without return_info)
    block_infos: list = []
    own_context = return_info and not within_measuring_only_the_ends()

    def run(block, block_init, block_geometry, block_length=None):
        given = {} if block_init is None else {"init": block_init}  # None: the method's own default start
        if n_iter is not None:  # else the method's own default
            given["n_iter"] = n_iter

        def attempt(floored: bool, block_rng):
            with floored_between_frames(floored), measuring_only_the_ends() if own_context else contextlib.nullcontext():
                return function(block, rng=block_rng, geometry=block_geometry, length=block_length, **given,
                                **(dict(method_options, return_info=True) if return_info else method_options))  # fmt: skip

        # the low-overlap rule of Spectrogram.invert, block by block; a rerun draws from a copy of
        # the generator, so the next blocks draw the same either way
        result, floored = run_with_floor_rule(attempt, block_geometry, block.shape[-1], floor_between_frames, generator,
                                              method, n_iter, return_info=return_info)
        if not return_info:
            return result, floored
        block_infos.append((result[1], floored))
        return result[0], floored

    # ---- block sizes
    overlap_min = -(-n_fft // hop)
    for name, seconds, frames in (("block_seconds", block_seconds, block_frames), ("overlap_seconds", overlap_seconds, overlap_frames)):
        if seconds is None:
            continue
        counterpart = name.replace("seconds", "frames")
        if frames is not None:
            raise ValueError(f"give {name} or {counterpart}, not both")
        if sr is None:
            raise ValueError(f"{name}={seconds!r} needs sr (the sample rate) to become frames; give sr= or {counterpart}=")
    if block_frames is None:
        block_frames = _frames_from(geometry, sr, DEFAULT_BLOCK_SECONDS if block_seconds is None else block_seconds,
                                    "block_seconds") or DEFAULT_BLOCK_FRAMES
    if block_seconds is not None and block_frames < 2:
        assert sr is not None  # block_seconds without sr was refused above
        raise ValueError(f"block_seconds={block_seconds!r} is {block_frames} frame at hop_length={hop} and sr={sr!r}: "
                         f"a block needs at least 2 frames ({2 * hop / sr:.3g} s)")
    block_frames = _check_count("block_frames", block_frames, 2)
    overlap_given = overlap_frames is not None or overlap_seconds is not None
    if overlap_frames is None:
        overlap_frames = default_overlap_frames(geometry, sr, block_frames, overlap_seconds)
    overlap_frames = _check_count("overlap_frames", overlap_frames, 1)
    if block_frames <= overlap_frames:
        raise ValueError(f"block_frames={block_frames} must be > overlap_frames={overlap_frames}")
    if n_frames > block_frames and overlap_frames < overlap_min and not overlap_given:
        # the default overlap, cut to block_frames - 1: the block is what is too short
        given = f"block_frames={block_frames}" if block_seconds is None else f"block_seconds={block_seconds!r} ({block_frames} frames)"
        raise ValueError(f"{given} is too short: consecutive blocks share at least ceil(n_fft / hop_length) = {overlap_min} "
                         f"frames, so a block needs at least {overlap_min + 1}")
    if n_frames > block_frames and overlap_frames < overlap_min:
        raise ValueError(
            f"overlap_frames={overlap_frames} must be >= ceil(n_fft / hop_length) = {overlap_min}, "
            "so that the overlap holds samples both blocks determine fully"
        )
    if isinstance(init, np.ndarray):  # as a method says it (else a block's shapes, in a block's error)
        check_init_array(init, S.shape)

    batch_shape = tuple(S.shape[:-2])
    out_length = geometry.default_length(n_frames) if length is None else _check_count("length", length, 1)
    if length is not None and geometry.n_frames(out_length) != n_frames:
        raise ValueError(
            f"length={length} gives {geometry.n_frames(out_length)} frames with hop_length={hop}, but S has "
            f"{n_frames}; the matching lengths are about {geometry.default_length(n_frames)}"
        )
    dtype = real_dtype(np.empty(0, dtype=S.dtype)) if np.dtype(S.dtype).kind == "f" else np.dtype(np.float64)
    if subtype is not None and not isinstance(output, (str, Path)):  # it was ignored without a word
        raise ValueError(f"subtype={subtype!r} is the sample format of an output file, but output="
                         f"{'None' if output is None else type(output).__name__} is no file path: give output='name.wav' or leave subtype out")
    if subtype is None:
        subtype = "FLOAT" if output is not None and str(output).lower().endswith((".wav", ".w64", ".rf64", ".caf", ".aiff", ".aif")) else None

    check_flag("force", force)
    warm_start, bridge = check_flag("warm_start", warm_start), check_flag("bridge", bridge)
    if isinstance(output, (str, Path)):
        check_output_path(output, force=force)  # before any work
        _check_sound_file(output, subtype, sr, int(np.prod(S.shape[:-2], dtype=int)))

    # the end samples only a window's tip sees (frames not centred), faded as Spectrogram.invert does
    fade = edge_fade_gains(geometry, n_frames, out_length) if check_flag("fade_edges", fade_edges) else None
    if "fade_edges" in method_parameters:  # a stream fades its own ends: every block's, here; the writer fades the output's
        method_options["fade_edges"] = False

    # ---- short input (one block, stretched or not): one call, as gl.reconstruct (with the low-overlap rule)
    blocks = plan_blocks(n_frames, block_frames, overlap_frames)
    if len(blocks) == 1:
        block = check_magnitude(np.asarray(S[..., 0:n_frames]), geometry)  # a slice: S may be any sliceable (a reader)
        y, _ = run(block, init, geometry, length)
        writer = _Writer(output, y.shape[-1], batch_shape, y.dtype, sr, subtype, force, fade)
        try:
            writer.write(y.reshape(-1, y.shape[-1]))
        except BaseException:
            writer.abort()
            raise
        y = writer.finish()
        return (y, _whole_info(block_infos, S, y, geometry, started)) if return_info else y

    # ---- blocks (at the ends of centred frames, shorter by the margin of the end blocks: _block_plan),
    # for the methods that iterate from a start; a start of their own (RTISI-LA's, the single
    # passes) gained nothing from the centred ends, and lost where they add a block (RTPGHI in
    # blocks of 40 sharing 8: 2.5 dB) or inherit a weak end (RTISI-LA with edge padding: 5.8 dB)
    margin = 0
    if not own_start:
        blocks, margin = _block_plan(n_frames, block_frames, overlap_frames, geometry)
    bridge_iterations = DEFAULT_BRIDGE_ITERATIONS if n_iter is None else n_iter
    geometry._warn_nola()  # once here, not once per block and per seam
    block_geometry = geometry.replace(center=False)
    pad = geometry.pad
    writer = _Writer(output, out_length, batch_shape, dtype, sr, subtype, force, fade)
    pending = None  # (channels, n) samples of the previous block not yet written
    pending_floored = False  # whether the previous block was inverted with the floor between frames
    pending_start = 0  # padded position of pending[:, 0]
    written_until = pad  # padded position up to which the output is written (starts at the signal)
    try:
        with nola_warned():  # the NOLA warning was given above
            for index, (first, last) in enumerate(blocks):
                count = last - first
                # the frames inverted: the block's own, and at the signal's ends (centred frames)
                # the block's as centred frames with a margin on the inner side (_end_block)
                lo, hi, centred = _end_block(index, blocks, n_frames, margin, geometry,
                                             None if pending is None else pending_start // hop)
                block = check_magnitude(np.asarray(S[..., lo:hi]), geometry)  # (..., n_freq, hi - lo)
                block_init = init
                if isinstance(init, np.ndarray):
                    block_init = init[..., lo:hi]
                if warm_start and pending is not None and not own_start:
                    # phase of the previous result on the frames this block shares with it (its
                    # first `overlap`, and the margin before them), the init asked for elsewhere
                    shared = min(overlap_frames, count) + first - lo
                    offset = lo * hop - pending_start  # padded positions of those frames in `pending`
                    span = pending[:, offset : offset + (shared - 1) * hop + n_fft]
                    previous = np.angle(block_geometry.stft(span).reshape(batch_shape + (geometry.n_freq, -1))[..., :shared])
                    del span
                    if isinstance(block_init, str) and block_init == "pghi":
                        # PGHI continuing the previous phase (gl.pghi.initial_phase's `known`), not
                        # with islands of its own at arbitrary offsets next to it
                        block_init = pghi_continuing(block, geometry if centred else block_geometry, known=previous)
                    elif isinstance(block_init, str) and block_init == "spsi":
                        # SPSI's recursion continuing the previous phase from the overlap's last frame
                        block_init = spsi_continuing(block, geometry if centred else block_geometry, known=previous)
                    else:
                        phasors, _ = initial_phase(block, "random" if block_init is None else block_init, generator,
                                                   geometry if centred else block_geometry)
                        phase = np.angle(phasors)  # (..., n_freq, hi - lo)
                        del phasors  # a block of complex numbers, alive through the block's run otherwise
                        phase[..., :shared] = previous
                        block_init = phase
                    del previous
                if centred:
                    # local sample s is padded position lo hop + pad + s; the samples of [first, last)
                    # as the non-centred block would give them (zeros in the padding). For example,
                    # the first block (lo = first = 0): padded position 0 is local sample -pad, so
                    # y's first pad samples stay zero and y[pad:] = local[:...]; the last block with
                    # a margin (lo < first): y starts at local sample (first - lo) hop - pad
                    local, floored = run(block, block_init, geometry,
                                         out_length - lo * hop if hi == n_frames else geometry.default_length(hi - lo))
                    local = local.reshape(-1, local.shape[-1])
                    y = np.zeros((local.shape[0], (count - 1) * hop + n_fft), dtype=local.dtype)
                    skip = (first - lo) * hop - pad  # the local sample at padded position first hop
                    taken = local[:, max(skip, 0) :][:, : y.shape[-1] - max(-skip, 0)]
                    y[:, max(-skip, 0) : max(-skip, 0) + taken.shape[-1]] = taken
                    del local, taken
                else:
                    y, floored = run(block, block_init, block_geometry)
                    y = y.reshape(-1, y.shape[-1])  # (channels, (count - 1) hop + n_fft): padded [first hop, ...)
                start = first * hop
                if pending is not None:
                    overlap_end = pending_start + pending.shape[-1]  # the previous block's end
                    # the seam's bridge divides by the floor between frames where either block did
                    merged = _join(pending, pending_start, y, start, overlap_end, S, geometry, block_geometry, bridge_iterations,
                                   bridge, np.logical_or(floored, pending_floored).reshape(-1))
                    y[:, : merged.shape[-1]] = merged
                    # everything before `start` was final already
                    _write(writer, pending[:, : start - pending_start], pending_start, written_until)
                    written_until = max(written_until, start)
                # keep this block for the next overlap (the last one is written out whole)
                pending, pending_start, pending_floored = y, start, floored
            assert pending is not None  # plan_blocks gives at least one block
            _write(writer, pending, pending_start, written_until)
    except BaseException:
        writer.abort()
        raise
    y = writer.finish()
    return (y, _whole_info(block_infos, S, y, geometry, started)) if return_info else y


def _whole_info(block_infos: list, S, y: np.ndarray, geometry: STFT, started: float) -> PhaseRetrievalInfo:
    """The info of :func:`reconstruct_long`'s ``return_info``: the first block's method and
    start, the most iterations a block ran, whether any block was floored between frames,
    one row of history, the spectral convergence of the whole result ``y`` (measured block
    by block, :func:`gl._iterative.measure_convergence`), and, from a single block, its start's."""
    first, _ = block_infos[0]
    magnitude = check_magnitude(np.asarray(S[..., 0 : S.shape[-1]]), geometry)
    sc = np.asarray(measure_convergence(magnitude, y, geometry), dtype=np.float64)
    elapsed = time.perf_counter() - started
    start = first.initial_spectral_convergence if len(block_infos) == 1 else None
    if start is not None and np.shares_memory(start, first.spectral_convergence):
        start = sc  # a one-pass method's start is its result (the only row): the whole's, faded
    return PhaseRetrievalInfo(
        method=first.method, n_iter=max(info.n_iter for info, _ in block_infos), spectral_convergence=sc[None],
        init=first.init, elapsed=elapsed, times=np.array([elapsed]), initial_spectral_convergence=start,
        floored_between_frames=_flags(np.logical_or.reduce([np.asarray(floored) for _, floored in block_infos])),
    )


def _padding_frames(geometry: STFT) -> int:
    """``ceil(pad / hop)``: the frames whose support reaches into a centred geometry's padding."""
    return -(-geometry.pad // geometry.hop_length)


def _block_plan(n_frames: int, block_frames: int, overlap_frames: int, geometry: STFT) -> tuple[list[tuple[int, int]], int]:
    """The blocks' own frames and the margin of the end blocks (:func:`_end_block`).

    Without centred frames, or with blocks too short for the margin (``block_frames <= 2
    overlap + ceil(pad / hop) + 1``): :func:`plan_blocks`, margin 0. With centred frames
    the first and last blocks are inverted with a margin of ``m = overlap + ceil(pad /
    hop)`` frames on their inner side, and the plan keeps every inversion within
    ``block_frames`` frames: the first block owns ``block_frames - m`` frames, the next ones
    ``block_frames`` (consecutive blocks sharing ``overlap_frames``), the last the rest
    (``m`` frames fewer than ``block_frames``, at most). Where a full block would leave
    the last one fewer new frames than the overlap (a single one, at worst), the rest is
    cut into two inversions of the same size instead (of an odd number of frames, the
    earlier inversion takes the extra one). Measured with the default method
    (``python benchmarks/bench_longform.py last-block``): on docs/04's harmonic voice and
    a chirp at 9 such lengths each, 0.17 dB better on average (from 0.92 better to 0.05
    worse); on the 5 such layouts of the dev clips (blocks 150/32, 300/32, 600/64, native
    length and tiled to 16 s), 0.15 dB better (from 0.65 better to 0.01 worse). Cutting
    every last pair in two halves instead changed 25 layouts of the dev clips, 0.00 dB on
    average, and lost 2.5 dB on one (d05, whose result is chaotic).

    >>> _block_plan(1000, 300, 32, STFT(512, 128))  # margin 32 + 2
    ([(0, 266), (234, 534), (502, 802), (770, 1000)], 34)
    >>> _block_plan(800, 300, 32, STFT(512, 128))  # not (502, 799), (767, 800)
    ([(0, 266), (234, 534), (502, 684), (652, 800)], 34)
    >>> _block_plan(801, 300, 32, STFT(512, 128))  # inversions of 685 - 502 = 183 and 801 - 653 + 34 = 182 frames
    ([(0, 266), (234, 534), (502, 685), (653, 801)], 34)
    """
    margin = overlap_frames + _padding_frames(geometry) if geometry.center else 0
    if not margin or block_frames - margin <= overlap_frames + 1 or n_frames <= block_frames:
        return plan_blocks(n_frames, block_frames, overlap_frames), 0
    blocks = [(0, block_frames - margin)]
    while True:
        first = blocks[-1][1] - overlap_frames
        rest = n_frames - first
        if rest + margin <= block_frames:  # the rest, with the margin, is the last block
            blocks.append((first, n_frames))
            return blocks, margin
        if rest < block_frames + overlap_frames and rest + overlap_frames + margin <= 2 * block_frames:
            # a full block would leave the last block fewer new frames than the overlap (a
            # single one, at worst): cut the rest where both inversions have the same size
            # (cut - first == n_frames - (cut - overlap) + margin); the last block keeps >
            # overlap frames
            cut = min((first + n_frames + overlap_frames + margin + 1) // 2, n_frames - 1)
            blocks.append((first, cut))
            blocks.append((cut - overlap_frames, n_frames))
            return blocks, margin
        blocks.append((first, first + block_frames))


def _end_block(index: int, blocks: list, n_frames: int, margin: int, geometry: STFT,
               previous_first: Optional[int]) -> tuple[int, int, bool]:
    """The frames ``[lo, hi)`` to invert for block ``index``, and whether they are inverted
    as centred frames: a block's own frames (not centred), or at an end of a signal with
    centred frames, the block with ``margin`` frames on its inner side, centred.

    Why (:mod:`gl.longform`, *ends*, has the figures): a non-centred block's outermost
    samples are free, while the whole's first and last frames see its padding (zeros for
    ``pad_mode='constant'``); without that constraint the end frames of the blocks held
    most of their error. Inverted as centred frames, an end block gets the whole's padding
    on its outer side, and a padding of its own on its inner side, which the signal does
    not have: the ``margin`` (``overlap + ceil(pad / hop)`` frames, from the neighbouring
    block's) takes it, so that the frames of the seam and of the warm start are not pulled
    towards it (shorter margins left the seams worse). The last block's margin stops at the
    previous block's first frame (the warm start's phases come from that block); if fewer
    than ``ceil(pad / hop)`` frames remain, that block is inverted as the others are.
    """
    first, last = blocks[index]
    if not margin or 0 < index < len(blocks) - 1:
        return first, last, False
    if index == 0:
        return first, min(last + margin, n_frames), True
    lo = max(first - margin, previous_first)
    if lo > 0 and first - lo < _padding_frames(geometry):  # the padding would reach the block's frames
        return first, last, False
    return lo, last, True


def _join(pending, pending_start, y, start, overlap_end, S, geometry, block_geometry, n_iter, bridge, floored=False):
    """The samples ``[start, overlap_end)`` of the joined signal: previous block, then new.

    The new block is negated if it anti-correlates with the previous one in the overlap;
    then the middle of the overlap (the *zone*, ``2 * half`` samples, ``half =
    min(2 M, overlap / 2 - M)``) is cross-faded and, with ``bridge``, refined by fast
    Griffin-Lim with every sample outside the zone held fixed (the previous block on the
    left, the new one on the right), so that the seam is consistent; ``floored``: with the
    floor between frames of a low-overlap geometry (:func:`_bridge`).
    """
    n_fft, hop = geometry.n_fft, geometry.hop_length
    overlap = overlap_end - start
    old = pending[:, start - pending_start :].astype(np.float64)  # (channels, overlap)
    new = y[:, :overlap].astype(np.float64)
    margin = min(n_fft, overlap // 4)
    agreement = np.einsum("cn,cn->c", old[:, margin:overlap - margin], new[:, margin:overlap - margin])
    y[agreement < 0] *= -1  # phase retrieval cannot tell x from -x
    new[agreement < 0] *= -1
    cut = overlap // 2
    half = max(min(2 * n_fft, overlap // 2 - n_fft), hop)
    zone_lo, zone_hi = max(cut - half, 0), min(cut + half, overlap)
    ramp = _rise(zone_hi - zone_lo)
    joined = np.concatenate([old[:, :zone_lo], (1 - ramp) * old[:, zone_lo:zone_hi] + ramp * new[:, zone_lo:zone_hi], new[:, zone_hi:]], axis=1)
    if bridge and n_iter > 0 and zone_lo >= n_fft and overlap - zone_hi >= n_fft:
        joined = _bridge(joined, zone_lo, zone_hi, start, S, geometry, block_geometry, n_iter, floored=floored)
    return joined.astype(y.dtype)


def _rise(n: int) -> np.ndarray:
    """``n`` samples rising from 0 to 1 as ``sin^2`` (half a sample in from either end)."""
    return np.sin(0.5 * np.pi * (np.arange(n) + 0.5) / n) ** 2


def _bridge(signal, zone_lo, zone_hi, start, S, geometry, block_geometry, n_iter, momentum=0.99, floored=False):
    r"""Fast Griffin-Lim on ``signal[:, zone_lo:zone_hi]`` with the rest held fixed.

    The frames that touch the zone are analysed, given the target magnitude (momentum
    ``alpha``), resynthesised, and the samples outside the zone put back:

    .. math:: t_n = \mathrm{STFT}(x_n), \quad c_n = t_n + \alpha (t_n - t_{n-1}), \quad
              x_{n+1} = \Pi\big(\mathrm{ISTFT}(S c_n / |c_n|)\big)

    with :math:`\Pi` restoring the fixed samples. A hard restore leaves a kink where the zone
    meets them (a click 36 dB below the signal, measured on a tone, where the blocks alone
    are 80 dB below): the zone's first and last ``hop`` samples blend into the fixed ones,
    :math:`\Pi(x) = f + m (x - f)` with ``m`` rising as ``sin^2`` from 0 outside the zone to 1.

    With ``floored`` (a low-overlap geometry whose blocks needed it: :mod:`gl._engine`, *Low
    overlap*) every ISTFT but the last divides by ``max(W, EDGE_FADE max W)`` instead of the
    window sum ``W``, as the blocks' iterations did: least squares built a spike of 5.5
    times the signal's peak at a seam of 20 s of d01 through Hann 256/224, where the blocks
    had none. The last is the floored run's result, as the blocks' are: least squares but
    where ``W`` is below ``RESULT_FLOOR`` of its largest value, divided by that instead
    (Hann 1024 at hop 1000: the plain least squares left a seam of 6 s of d02 with a peak of
    5.3 times the signal's).
    """
    n_fft, hop = geometry.n_fft, geometry.hop_length
    # frames (absolute, of the non-centred geometry) that overlap the zone
    first = -(-(start + zone_lo - n_fft + 1) // hop)
    last = (start + zone_hi - 1) // hop + 1
    lo = first * hop - start  # buffer = signal[:, lo : lo + span]
    span = (last - first - 1) * hop + n_fft
    buffer = signal[:, lo : lo + span].copy()
    fixed = buffer.copy()
    inside = np.zeros(span, dtype=bool)
    inside[zone_lo - lo : zone_hi - lo] = True
    ramp_length = max(1, min(hop, (zone_hi - zone_lo) // 4))
    rise = _rise(ramp_length)
    weight = inside.astype(np.float64)  # m: 0 outside, 1 inside, sin^2 at the zone's edges
    weight[zone_lo - lo : zone_lo - lo + ramp_length] = rise
    weight[zone_hi - lo - ramp_length : zone_hi - lo] = rise[::-1]
    target = np.asarray(S[..., first:last], dtype=np.float64).reshape(-1, geometry.n_freq, last - first)
    # each channel scaled by a power of two into a safe range, as gl.reconstruct scales S
    # (exact, and the iteration is scale-equivariant): S * step overflowed for peaks beyond 1e154
    peaks = np.maximum(target.reshape(target.shape[0], -1).max(axis=1, initial=0.0), np.abs(buffer).max(axis=1, initial=0.0))
    exponents = working_exponents(peaks)  # (channels,)
    scaled = bool(exponents.any())
    if scaled:
        target = np.ldexp(target, -exponents[:, None, None])
        buffer, fixed = (np.ldexp(array, -exponents[:, None]) for array in (buffer, fixed))
    tiny = np.finfo(np.float64).tiny
    floor_gain = None  # W / max(W, EDGE_FADE max W): least squares -> the floored synthesis, for the floored channels
    result_gain = None  # W / max(W, RESULT_FLOOR max W): least squares -> the floored run's result (the last synthesis)
    floored = np.broadcast_to(np.asarray(floored, dtype=bool).reshape(-1), (buffer.shape[0],))
    if floored.any():
        window_sum = block_geometry.window_sum_square(last - first)[:span]
        floor_gain = np.ones((buffer.shape[0], span))
        floor_gain[floored] = window_sum / np.maximum(window_sum, EDGE_FADE * window_sum.max())
        result_gain = np.ones((buffer.shape[0], span))
        result_gain[floored] = window_sum / np.maximum(window_sum, RESULT_FLOOR * window_sum.max())
    previous = None
    for iteration in range(n_iter):
        consistent = block_geometry.stft(buffer)  # (channels, n_freq, frames)
        step = consistent
        if previous is not None:
            step = consistent + momentum * (consistent - previous)
        previous = consistent
        step = target * step / np.maximum(np.abs(step), tiny)
        buffer = block_geometry.istft(step, length=span)
        if floor_gain is not None:  # the last: the least-squares synthesis, but in the deepest dips (RESULT_FLOOR)
            buffer *= floor_gain if iteration < n_iter - 1 else result_gain
        buffer -= fixed
        buffer *= weight
        buffer += fixed  # f + m (x - f)
    if scaled:
        buffer = np.ldexp(buffer, exponents[:, None]).astype(signal.dtype, copy=False)
    signal = signal.copy()
    signal[:, zone_lo:zone_hi] = buffer[:, inside]
    return signal


def _write(writer: _Writer, samples: np.ndarray, samples_start: int, written_until: int) -> None:
    """Write padded positions ``[written_until, samples_start + n)`` of ``samples``."""
    skip = max(0, written_until - samples_start)
    if skip < samples.shape[-1]:
        writer.write(samples[:, skip:])
