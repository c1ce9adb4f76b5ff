"""A self-describing magnitude spectrogram: :class:`Spectrogram`.

A magnitude array alone does not say how it was made: the hop, the window, whether the
frames were centred, the sample rate, how long the signal was. Get any of these wrong
and the audio comes back at the wrong tempo, with clicks or at the wrong level. A
:class:`Spectrogram` carries the magnitude together with its :class:`gl.STFT` geometry,
so ``spec.invert()`` needs no parameter repeated by hand, and ``spec.save`` /
``Spectrogram.load`` keep them together on disk (an ``.npz`` file).

The magnitude is always in gl's convention, whatever library made the original:

.. math:: S[m, n] = \\Big| \\sum_{j} w[j]\\, x_{pad}[n a + j - o]\\, e^{-2\\pi i m j / N} \\Big|,

the unscaled DFT of a windowed frame (:meth:`gl.STFT.stft`), where ``o`` is
:attr:`Spectrogram.offset`, the number of samples the frame grid starts before the
signal (0 except for some scipy framings; negative if it starts after the signal's first
sample, which then comes back as zeros). The importers of :mod:`gl.importers`
undo each library's scaling (PSD, one-sided doubling, window normalisation, power,
dB) into this form; inverting it with the least-squares ISTFT then gives the signal
back at its original level.

Examples
--------
>>> import numpy as np
>>> import gl
>>> sr = 8000
>>> x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
>>> spec = gl.Spectrogram.from_audio(x, sr, n_fft=512, hop_length=128)
>>> spec.magnitude.shape, spec.length
((257, 63), 8000)
>>> y = spec.invert(n_iter=30, rng=0)
>>> y.shape, round(float(np.sqrt(np.mean(y**2)) / np.sqrt(np.mean(x**2))), 2)
((8000,), 1.0)
"""

from __future__ import annotations

import contextlib
import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Optional, Union, overload

import numpy as np

from ._checks import check_choice, check_flag, underflow_is_a_value
from ._engine import floored_between_frames
from ._iterative import Callback, InitSpec, PhaseRetrievalInfo, RngSpec, check_magnitude, measure_convergence
from .transform import EDGE_FADE, RESULT_FLOOR, STFT
from .windows import WindowSpec

#: A file name as ``save`` and ``load`` take it (bytes decoded as the file system does: ``_file_name``).
FileName = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

__all__ = ["Spectrogram", "FORMAT_VERSION"]

#: Version of the ``.npz`` layout written by :meth:`Spectrogram.save`: 2 added ``tail``, 3 a
#: negative ``offset`` (a file without them is written as version 1, which every gl reads).
FORMAT_VERSION = 3

#: Fields every saved spectrogram holds (the ``metadata`` JSON keys).
_METADATA_FIELDS = ("format_version", "n_fft", "hop_length", "win_length", "center", "pad_mode", "sym", "window_spec",
                    "sample_rate", "length", "source", "offset")


def _window_to_json(window: WindowSpec):
    """A named window as JSON (``'hann'`` or ``['kaiser', 8.0]``); None for an array.

    The name and the parameter go in as ``str`` and ``float``, as :func:`gl.windows.get_window`
    reads them: a numpy scalar (``('kaiser', np.float32(8))``) is no JSON value."""
    if isinstance(window, np.ndarray):
        return None
    if isinstance(window, tuple):
        return [str(window[0])] + [float(parameter) for parameter in window[1:]]
    return str(window)


def _check_optional_int(name: str, value, minimum: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer or None")
    if value < minimum:
        raise ValueError(f"{name}={value} must be >= {minimum}")
    return int(value)


class DamagedFileError(ValueError):
    """A spectrogram file whose contents do not make a spectrogram. Its message quotes the
    names stored in the file (``hop_length=...``), which the command line leaves as they are
    (they are not flags the user gave)."""


def load_error_text(error: BaseException) -> str:
    """What ``np.load(..., allow_pickle=False)`` said, without its advice to load pickled data
    unsafely (numpy reads a file that is not NumPy's as a pickle, and an object array needs one)."""
    text = " ".join(str(error).split())
    if "allow_pickle" in text:
        return "numpy reads it as pickled Python objects, which gl does not load"
    return text


def _stored_int(path, metadata: dict, name: str, low: Optional[int] = None, high: Optional[tuple[str, int]] = None) -> int:
    """``metadata[name]`` of the file at ``path``, checked to be an integer (not a bool), at
    least ``low`` and at most the value of ``high = (its name, value)`` when given."""
    value = metadata[name]
    too_low = low is not None and isinstance(value, int) and value < low
    too_high = high is not None and isinstance(value, int) and value > high[1]
    if isinstance(value, bool) or not isinstance(value, int) or too_low or too_high:
        rule = f" in [{low}, {high[0]}={high[1]}]" if high is not None else (f" >= {low}" if low is not None else "")
        raise DamagedFileError(f"{path}: {name} must be an integer{rule}, got {value!r}")
    return value


def _check_member_size(data, name: str, path) -> Optional[tuple]:
    """The shape an .npz member's header declares, after checking that the member holds that
    many bytes (a damaged or forged header must not make ``np.load`` allocate terabytes).
    None when the header is in a format this check does not read (numpy then reads it)."""
    import zipfile

    archive = getattr(data, "zip", None)
    if archive is None:
        return None
    try:
        info = archive.getinfo(f"{name}.npy")
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            else:
                return None
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise DamagedFileError(f"{path}: the {name!r} field cannot be read: {error}") from None
    declared = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
    if declared > info.file_size:
        raise DamagedFileError(
            f"{path}: the {name!r} field declares shape {shape} of {dtype} ({declared} bytes) but holds "
            f"{info.file_size} bytes: the file is damaged"
        )
    return tuple(shape)


@dataclass(frozen=True, eq=False)
class Spectrogram:
    """A magnitude spectrogram that knows how it was made.

    Parameters
    ----------
    magnitude : np.ndarray [shape=(..., n_freq, n_frames), non-negative, float]
        Linear STFT magnitude in gl's convention: ``|rfft(window * frame)|``, unscaled,
        what ``np.abs(geometry.stft(x))`` gives. Leading axes are channels/batch.
    geometry : gl.STFT
        The transform that made it.
    sample_rate : float, optional
        Sample rate in Hz (needed to write audio files).
    length : int, optional
        Length of the original signal in samples, when known; :meth:`invert` returns
        exactly this many samples.
    source : str
        Where it came from: ``'gl'``, ``'scipy'``, ``'librosa'``, ``'torchaudio'``,
        ``'mel'`` ...
    offset : int
        Samples of the frame grid before the signal's first sample (for framings gl's
        ``center`` does not express, such as ``scipy.signal.stft`` with ``nfft >
        nperseg``): frame ``m`` covers signal samples ``m * hop - offset`` onwards.
        Negative when the grid starts ``-offset`` samples after the signal's first sample
        (``ShortTimeFFT.stft`` from a ``p0`` above ``p_min``): no frame saw those samples,
        and :meth:`invert` returns zeros there.
    tail : int >= 0
        Samples of the frame grid after the signal that are not part of it (the padding
        torchaudio's ``pad`` or scipy's boundary extension put there): without ``length``,
        :meth:`invert` returns ``grid_length - offset - tail`` samples.

    Notes
    -----
    The array is stored as given (not copied) and must not be modified afterwards; the
    importers always hand over arrays of their own.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> geometry = gl.STFT(n_fft=256, hop_length=64)
    >>> x = np.random.default_rng(0).standard_normal(2000)
    >>> spec = gl.Spectrogram(np.abs(geometry.stft(x)), geometry, sample_rate=8000, length=2000)
    >>> spec.invert(n_iter=5, rng=0).shape
    (2000,)
    """

    magnitude: np.ndarray
    geometry: STFT
    sample_rate: Optional[float] = None
    length: Optional[int] = None
    source: str = "gl"
    offset: int = 0
    tail: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.geometry, STFT):
            raise TypeError(f"geometry must be a gl.STFT, got {type(self.geometry).__name__}")
        magnitude = check_magnitude(self.magnitude, self.geometry, name="magnitude")
        object.__setattr__(self, "magnitude", magnitude)
        if self.sample_rate is not None:
            rate = self.sample_rate
            if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
                raise TypeError(f"sample_rate={rate!r} must be a number or None")
            if not np.isfinite(rate) or rate <= 0:
                raise ValueError(f"sample_rate={rate} must be a finite number > 0")
            object.__setattr__(self, "sample_rate", float(rate))
        object.__setattr__(self, "length", _check_optional_int("length", self.length, 1))
        if isinstance(self.offset, bool) or not isinstance(self.offset, (int, np.integer)):
            raise TypeError(f"offset={self.offset!r} must be an integer (negative: the frames start after the signal's first sample)")
        object.__setattr__(self, "offset", int(self.offset))
        object.__setattr__(self, "tail", _check_optional_int("tail", self.tail, 0))
        if not isinstance(self.source, str):
            raise TypeError(f"source={self.source!r} must be a string")
        grid = self.grid_length
        if grid <= 0 and self.length is None:  # one centred frame of an even n_fft: only its padding
            raise ValueError(
                f"the {self.n_frames} frame(s) of {self.geometry!r} cover no sample without their centre padding; "
                "give length= (the length of the signal they were made from)"
            )
        if self.length is None and (self.offset or self.tail) and self.offset + self.tail >= grid:  # (with a length: below)
            raise ValueError(f"offset={self.offset} and tail={self.tail} must leave some of the {grid} samples the frames cover")
        if self.offset < 0 and self.length is not None and -self.offset >= self.length:
            raise ValueError(f"offset={self.offset} starts the frames after the end of the signal (length={self.length}): "
                             "they must cover some of it")
        if self.length is not None:
            # the signal ends less than a hop after the last sample a frame covers (that tail
            # was never analysed) and before the padding the tail counts; a shorter one is
            # possible (scipy pads to fill the last frame)
            hop = self.geometry.hop_length
            longest = grid - self.offset - self.tail + hop - 1
            if self.length > longest:
                raise ValueError(
                    f"length={self.length} does not fit {self.n_frames} frames of hop {hop} "
                    f"({self.geometry!r}): the signal they were made from had at most {longest} samples"
                )

    # ------------------------------------------------------------------ description
    @property
    def n_frames(self) -> int:
        """Number of frames (the last axis)."""
        return self.magnitude.shape[-1]

    @property
    def grid_length(self) -> int:
        """Samples the frames cover (without centre padding): ``geometry.default_length(n_frames)``."""
        return self.geometry.default_length(self.n_frames)

    @property
    def output_length(self) -> int:
        """Samples :meth:`invert` returns: :attr:`length`, or the frames' span without the offset and the tail."""
        return self.length if self.length is not None else self.grid_length - self.offset - self.tail

    @property
    def duration(self) -> Optional[float]:
        """Duration in seconds of the audio :meth:`invert` returns, if the sample rate is known."""
        return None if self.sample_rate is None else self.output_length / self.sample_rate

    def __repr__(self) -> str:
        rate = "unknown" if self.sample_rate is None else f"{self.sample_rate:g} Hz"
        return (
            f"Spectrogram(shape={self.magnitude.shape}, dtype={self.magnitude.dtype}, source={self.source!r}, "
            f"sample_rate={rate}, length={self.length}, offset={self.offset}, tail={self.tail}, geometry={self.geometry!r})"
        )

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_audio(cls, x: Any, sample_rate: Optional[float], *, geometry: Optional[STFT] = None,
                   **geometry_keywords: Any) -> "Spectrogram":
        """The magnitude spectrogram of a signal ``x`` (..., n), channels first.

        ``geometry`` or the keywords of :class:`gl.STFT` (``n_fft``, ``hop_length`` ...)
        give the transform; :math:`S = |\\mathrm{STFT}(x)|`.

        Parameters
        ----------
        x : np.ndarray [shape=(..., n), real floating point]
            The signal; leading axes are channels.
        sample_rate : float
            Its sample rate in Hz.
        geometry : gl.STFT, optional
            The transform; or give it by ``geometry_keywords``, not both.
        **geometry_keywords
            The keywords of :class:`gl.STFT` (``n_fft``, ``hop_length`` ...).

        Returns
        -------
        Spectrogram
            ``|STFT(x)|`` with its geometry, ``sample_rate`` and ``length=n``.

        Examples
        --------
        >>> import numpy as np
        >>> import gl
        >>> x = np.zeros((2, 4000), dtype=np.float32)          # two channels
        >>> spec = gl.Spectrogram.from_audio(x, 16000, n_fft=400, hop_length=100)
        >>> spec.magnitude.shape, spec.magnitude.dtype, spec.sample_rate
        ((2, 201, 41), dtype('float32'), 16000.0)
        """
        if geometry is None:
            geometry = STFT(**geometry_keywords)
        elif geometry_keywords:
            raise ValueError(f"give either geometry or {', '.join(sorted(geometry_keywords))}, not both")
        elif not isinstance(geometry, STFT):  # it was 'str' object has no attribute 'check_signal'
            raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
        x = geometry.check_signal(x)
        magnitude = np.abs(geometry.stft(x))
        return cls(magnitude, geometry, sample_rate=sample_rate, length=x.shape[-1], source="gl")

    # ------------------------------------------------------------------ inversion
    # What a call returns, for type checkers: the signal, and the info with ``return_info``.
    @overload
    def invert(self, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
               tol: Optional[float] = ..., callback: Optional[Callback] = ..., return_info: Literal[False] = ...,
               n_threads: Optional[int] = ..., fade_edges: bool = ..., floor_between_frames: Optional[bool] = ...,
               block_frames: Optional[int] = ..., block_seconds: Optional[float] = ..., **method_options: Any) -> np.ndarray: ...
    @overload
    def invert(self, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
               tol: Optional[float] = ..., callback: Optional[Callback] = ..., return_info: Literal[True],
               n_threads: Optional[int] = ..., fade_edges: bool = ..., floor_between_frames: Optional[bool] = ...,
               block_frames: Optional[int] = ..., block_seconds: Optional[float] = ..., **method_options: Any) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
    @overload
    def invert(self, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
               tol: Optional[float] = ..., callback: Optional[Callback] = ..., return_info: bool = ...,
               n_threads: Optional[int] = ..., fade_edges: bool = ..., floor_between_frames: Optional[bool] = ...,
               block_frames: Optional[int] = ..., block_seconds: Optional[float] = ..., **method_options: Any) -> Any: ...
    def invert(
        self,
        *,
        method: Optional[str] = None,
        n_iter: Optional[int] = None,
        init: InitSpec = None,
        rng: RngSpec = None,
        tol: Optional[float] = None,
        callback: Optional[Callback] = None,
        return_info: bool = False,
        n_threads: Optional[int] = None,
        fade_edges: bool = True,
        floor_between_frames: Optional[bool] = None,
        block_frames: Optional[int] = None,
        block_seconds: Optional[float] = None,
        **method_options,
    ):
        """Phase retrieval in this spectrogram's geometry: audio (..., length) at the original level.

        Runs :func:`gl.reconstruct` (gl's default method unless ``method`` says otherwise)
        on the frame grid, then drops the :attr:`offset` samples and returns
        :attr:`output_length` samples; samples after the last frame, which no frame saw,
        are zeros. With the :attr:`length` known, the run has the signal's own padding;
        without it, it runs on every sample the frames see, and centred frames with
        reflect padding (librosa's and torchaudio's option), whose padding at the end
        depends on where the signal ended, run on the padded signal itself as a free
        signal, frames not centred: the spectrogram then stays one that a signal has.
        Because the magnitude is unscaled (see the module docstring), the
        least-squares ISTFT

        .. math:: x[n] = \\frac{\\sum_m w[n - ma]\\, y_m[n - ma]}{\\sum_m w[n - ma]^2}

        returns the signal at the level it had.

        At the ends of a non-centred framing (scipy's) only the tapering edge of the first
        or last window sees the first or last samples, so the denominator there falls
        towards 0 and whatever the retrieved phase got wrong comes back amplified: clicks
        of 11 to 60 times the peak of a tone through scipy's default window, and up to 190
        times on a tabla excerpt (Hann 1024, hop 256), were measured.
        ``fade_edges`` (the default) divides those end samples, where
        :math:`W[n] = \\sum_m w[n - ma]^2` is below ``EDGE_FADE`` (10 %) of its maximum,
        by that floor instead: they are faded in (out) by :math:`W[n] / (0.1 \\max W)`,
        which bounds the amplification at about 3. The window all but hides those samples,
        so the spectrogram hardly tells, but the fade also lowers them where they were right
        (a signal at full level from its first sample comes back faded in over the first
        few dozen samples at n_fft 512). What that costs in spectral convergence depends on
        how much of the signal the ends are: 0 to 3.4 dB on excerpts of a few seconds
        (5 dB on one already at -88 dB); 8 to 20 dB on speech excerpts of 0.125 to 0.5 s,
        and 55 dB on a tone of 900 samples, at n_fft 512 (numbers for the spectrogram; the
        ear hears a fade of a few ms, where it heard a click). Interior samples, and
        every sample of a centred framing whose window sum stays above the floor (librosa's
        and torchaudio's defaults), are untouched.

        Where the windows barely overlap (:attr:`gl.STFT.low_overlap`: the window sum below
        10 % of its largest value between frames, as scipy's ``window='hann'`` at its
        default overlap), the spectrogram hardly constrains the samples between frames and
        the least-squares iterations can build spikes there: speech and music came back 4
        to 6 dB too loud with peaks up to 11 times the signal's. A signal carries as much
        energy between frames as elsewhere (within 1.3 dB on the 66 inputs measured:
        ``SPIKE_RATIO``), a result full of spikes up to 11 dB more (4 to 11 dB through
        scipy's ``'hann'``). So when the result's samples
        between frames carry more than twice the energy of the others, the run is made
        again with the iterations dividing by that 10 % floor between frames
        (:mod:`gl._engine`, *Low overlap*), from the same start (a generator ``rng`` is
        copied first). It cannot be the only rule: the floor moves the iterations' fixed
        point, and a steady sine, which least squares returns clean (no extra energy
        between frames), comes back with a flutter. On 3 s of the six dev clips, greasy and
        gspi through five low-overlap geometries (Hann 256 at hops 224 and 192, Hamming
        256/224, Kaiser 14 512/256, Blackman 512/384), gl's default method's result, seen
        at a hop of ``n_fft / 8`` (which shows the samples between frames), came out 0 to
        7.6 dB closer to the signal's on average per geometry than with least squares alone
        (-0.5 -> -8.1 dB through scipy's ``'hann'``, the level +4.2 -> -0.4 dB, peaks 11.4x
        -> 1.7x), from 0.3 dB further to 1.1 dB closer than with the floor always, and a
        steady sine as clean as least squares made it (-30.4 dB there; -14.1 with the
        floor) (``python benchmarks/bench_low_overlap.py``). The run with the floor returns
        the least-squares synthesis of its last spectra but in the deepest dips, where the
        window sum is below ``RESULT_FLOOR`` (0.1 %) of its peak (a Hann window's at a hop
        above about 0.93 ``n_fft``), which it divides by that instead: at Hann 1024/1000
        (4 s of the six dev clips) least squares there had left the result +2.6 dB too loud,
        peaks 10 times the input's, -0.7 dB at a hop of 128; now -1.1 dB, 1.6 times, -6.8 dB.

        Parameters
        ----------
        method, n_iter, init, rng, tol, callback, return_info, n_threads
            As in :func:`gl.reconstruct`. ``init`` may be an array of the magnitude's
            shape (phases in radians, or a complex spectrogram whose phase is used).
        fade_edges : bool
            Fade the end samples whose window sum is below ``EDGE_FADE`` of its maximum
            (default True); False returns the plain least-squares values.
        floor_between_frames : None or bool
            For a :attr:`gl.STFT.low_overlap` geometry: None (default) runs least squares
            and runs again with the floor between frames if the result shows spikes there
            (above: twice the time then; ``callback`` sees both runs, each counting its
            ``times`` and ``elapsed`` from its own start, so that a time budget kept by the
            callback gives the run with the floor its own; ``info`` is the
            returned run's (both runs', channel by channel, where they differ), its
            ``elapsed`` both runs' and its ``times`` counted from the start of the first;
            not with ``n_iter=0``, whose result is the
            least-squares synthesis of the start either way, unless the window sum falls
            below ``RESULT_FLOOR`` between frames); True
            uses the floor at once; False never. Each channel is judged on its own and
            takes the run it needs (a stereo pair of speech and a sine: the speech floored,
            the sine least squares; the info's history columns and starts likewise, and
            its ``floored_between_frames`` is then an array, one flag a channel), except
            where ``tol`` or the callback stopped the two runs at different iterations: then
            one decision for all, on the energy pooled over the channels.
            Other geometries, and the streams
            (``'rtisila'``, ``'rtpghi'``), are not affected (RTISI-LA, which cannot run
            again, floors its analysis there always: :mod:`gl.rtisila`). With the floor the history
            before its last row (and ``tol``) measures the floored iterates, the last row
            the least-squares result, which matches the spectrogram better (on d01 through
            Hann 256/224, gl's default method: -29 dB at iteration 99, -39 dB for the
            result).

        block_frames, block_seconds : int or float, optional
            Invert block by block with :func:`gl.reconstruct_long`, in memory bounded by
            the block (frames, or seconds at :attr:`sample_rate`; blocks share
            :func:`gl.reconstruct_long`'s default overlap, 0.3 s with a known
            :attr:`sample_rate`, else 32 frames), for a spectrogram too long to invert at
            once: the same geometry, length, fades and ``floor_between_frames`` (block by
            block), not ``tol`` nor ``callback``; the info then has one row, the whole
            result's spectral convergence (see :func:`gl.reconstruct_long`). Default: one
            inversion of the whole.
        **method_options
            The method's own parameters, as among :func:`gl.reconstruct`'s ``options``
            (``momentum`` for FGLA ...). Not the geometry keywords, ``length`` or ``S``
            (the spectrogram holds them), ``return_phase``, nor
            :func:`gl.reconstruct_long`'s ``output``, ``subtype``, ``force`` and ``sr``:
            those are a ``TypeError``.

        Returns
        -------
        y : np.ndarray [shape=(..., output_length)]
            The signal.
        info : PhaseRetrievalInfo
            Only with ``return_info=True``. It measures the run's signal (faded as ``y``).
            With the :attr:`length` known that is ``y``; without it the run covers every
            sample the frames see (with reflect padding, a padding of its own), ``y`` is its
            first :attr:`output_length` samples, and ``geometry.stft(y)``, which pads ``y``
            where it ends, can measure far worse than the last row, as it assumes the signal
            ended there (0.25 s of the dev clip d01, librosa's framing at 512/128 with reflect
            padding, 50 fast Griffin-Lim iterations: -30.1 dB in the info, -13.7 dB for
            ``geometry.stft(y)``; with constant padding -33.6 against -24.3 dB; on 2 s, -28.9
            against -21.3 dB with reflect padding, within 0.01 dB with constant padding).

        References
        ----------
        D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier
        transform", IEEE Trans. ASSP 32(2), 1984.

        Examples
        --------
        >>> import numpy as np
        >>> import gl
        >>> x = np.random.default_rng(2).standard_normal(3000)
        >>> spec = gl.Spectrogram.from_audio(x, 8000, n_fft=256, hop_length=64)
        >>> y, info = spec.invert(method="gla", n_iter=3, rng=0, return_info=True)
        >>> y.shape, info.n_iter
        ((3000,), 3)
        """
        from .reconstruct import METHODS, SINGLE_PASS_METHODS, reconstruct

        check_choice("method", method, sorted(METHODS), none=True)
        owned = sorted(set(method_options) & {"length", "geometry", "n_fft", "hop_length", "win_length", "window", "center",
                                              "pad_mode", "sym", "S"})
        if owned:
            raise TypeError(
                f"Spectrogram.invert takes no {', '.join(o + '=' for o in owned)}: the spectrogram holds its geometry "
                f"and length ({self.geometry!r}, length={self.length}); for others make a Spectrogram with them "
                "(gl.Spectrogram(magnitude, geometry, length=...)) or call gl.reconstruct on the magnitude"
            )
        writing = sorted(set(method_options) & {"output", "subtype", "force", "sr"})  # gl.reconstruct_long's, not the method's
        if writing:  # in blocks they wrote the run's samples (uncropped) to a file and returned a count, or failed after
            raise TypeError(
                f"Spectrogram.invert takes no {', '.join(o + '=' for o in writing)}: it returns the signal, at the spectrogram's "
                f"sample_rate ({self.sample_rate}); write it with gl.audio.write_audio, or call gl.reconstruct_long(spec.magnitude, "
                "geometry=..., output=...) to write block by block"
            )
        if method_options.get("return_phase"):  # the phase of the run's frames, which invert cuts and fades
            way = (f"for the phase call the method on the magnitude, as gl.reconstruct(spec.magnitude, method={method!r}, "
                   "geometry=spec.geometry, return_phase=True)" if method in ("pghi", "spsi")
                   else "PGHI and SPSI return their phase: gl.reconstruct(spec.magnitude, method='pghi', "
                   "geometry=spec.geometry, return_phase=True)")
            raise TypeError(f"Spectrogram.invert takes no return_phase=: it returns the signal (and the info); {way}")
        geometry = self.geometry
        n_frames = self.n_frames
        wanted = self.output_length
        fade_edges = check_flag("fade_edges", fade_edges)
        if floor_between_frames is not None:
            floor_between_frames = check_flag("floor_between_frames", floor_between_frames)
        # Run on the exact signal length when it is consistent with the frames (centred
        # frames then see the right padding); otherwise on the whole frame grid.
        direct = self.offset == 0 and self.length is not None and _frames_of(geometry, self.length) == n_frames
        start = self.offset  # where the output starts in the run's signal
        run_geometry = geometry
        if direct:
            assert self.length is not None  # direct is only for a known length
            run_length = self.length
        elif self.length is not None and self.offset > 0 and _frames_of(geometry, self.length + 2 * self.offset) == n_frames:
            run_length = self.length + 2 * self.offset  # padded the same at both ends (torchaudio's pad)
        elif geometry.center and geometry.pad_mode == "reflect":
            # the reflection at the end depends on where the signal ends, which is not known:
            # no signal on a longer (or shorter) grid reflects the same. Retrieve the padded
            # signal itself instead, frames starting at its sample 0 (a free signal over every
            # sample the frames see, which the spectrogram matches whatever the true length)
            run_geometry = geometry.replace(center=False)
            run_length = run_geometry.default_length(n_frames)
            start += geometry.pad  # the output starts where the centred padding ended: the window sum is full
            fade_edges = False  # there; the low sums at the run's ends fall in the padding, which is cut off
        else:  # every sample some frame sees: n_fft + hop * n_frames - 1, minus the centre padding
            # (constant and edge padding continue a longer signal the same way)
            run_length = geometry.n_fft + geometry.hop_length * n_frames - 1 - 2 * geometry.pad
        options = dict(method_options)
        streaming = method in ("rtisila", "rtpghi")  # they fade (or not) their result themselves, as gl.rtisila does
        if streaming:
            options["fade_edges"] = fade_edges
        for name, value in (("tol", tol), ("callback", callback), ("n_threads", n_threads)):
            if value is not None:
                options[name] = value
        if block_frames is not None or block_seconds is not None:
            y, info = self._invert_in_blocks(method, n_iter, init, rng, options, fade_edges, floor_between_frames, block_frames,
                                             block_seconds, run_geometry, run_length, return_info)
            if not direct:
                y = _crop(y, start, wanted)
            return (y, info) if return_info else y
        # where tol or a callback stops the two runs at different iterations, only their infos tell it (the
        # channels are then decided at once: _merge_runs); they already measure every iteration, so the
        # infos are asked for then, that the signal be the same with return_info as without
        with_info = return_info or (tol is not None or callback is not None) and method not in SINGLE_PASS_METHODS

        def run(floored: bool, rng):
            with floored_between_frames(floored):
                return reconstruct(self.magnitude, method=method, n_iter=n_iter, init=init, rng=rng, geometry=run_geometry,
                                   return_info=with_info, length=run_length, **options)

        result, floored = run_with_floor_rule(run, run_geometry, n_frames, floor_between_frames, rng, method, n_iter,
                                              return_info=with_info)
        y, info = result if with_info else (result, None)  # (..., run_length), sample j at grid sample pad + j
        if not return_info:
            info = None
        if info is not None:
            info.floored_between_frames = floored
        if fade_edges and not streaming and _fade_edges(y, run_geometry, n_frames) and info is not None:
            # the last row of the history is that of the signal returned (before the crop); with no
            # iteration, the signal returned is the starting point
            sc = measure_convergence(self.magnitude, y, run_geometry)
            if info.n_iter:
                info.spectral_convergence[-1] = sc
            else:
                info.initial_spectral_convergence = sc
        if not direct:
            y = _crop(y, start, wanted)
        return (y, info) if return_info else y

    def _invert_in_blocks(self, method, n_iter, init, rng, options: dict, fade_edges: bool, floor_between_frames,
                          block_frames, block_seconds, run_geometry: STFT, run_length: int, return_info: bool):
        """:meth:`invert`'s run block by block: :func:`gl.reconstruct_long` on the run's geometry
        and length, which fades the ends and floors the blocks as ``invert`` does. Returns
        ``(y, info)`` (info None without ``return_info``)."""
        from .longform import reconstruct_long

        for name in ("tol", "callback"):
            if options.get(name) is not None:
                raise ValueError(f"{name} is not supported with block_frames or block_seconds: the blocks are inverted "
                                 "separately (invert the whole for a history per iteration)")
        if block_seconds is not None and self.sample_rate is None:
            raise ValueError(f"block_seconds={block_seconds!r} needs the spectrogram's sample_rate, which it does not hold: "
                             "give block_frames instead, or make the Spectrogram with sample_rate=")
        options = {name: value for name, value in options.items() if name != "fade_edges"}  # the streams': reconstruct_long's own
        result = reconstruct_long(self.magnitude, method=method, n_iter=n_iter, init=init, rng=rng, geometry=run_geometry,
                                  length=run_length, block_frames=block_frames, block_seconds=block_seconds,
                                  sr=self.sample_rate, fade_edges=fade_edges,
                                  floor_between_frames=floor_between_frames, return_info=return_info, **options)
        return result if return_info else (result, None)

    # ------------------------------------------------------------------ files
    def save(self, path: FileName, *, force: bool = True) -> None:
        """Write an ``.npz`` file: the magnitude, the window and the geometry as metadata.

        The file is written to a temporary file in the same folder and moved into place
        (:func:`gl.audio.atomic_output`), so a crash never leaves half a file under
        ``path``. An existing file is replaced, as ``np.save`` does; ``force=False``
        refuses to. A name without an extension gets ``.npz``, as ``np.savez`` gives it;
        another extension is refused (``save('out.wav')`` would write no audio).

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (``.npz`` added to a name without an extension).
        force : bool
            Replace an existing file (default True); False refuses to.

        Raises
        ------
        FileExistsError
            ``path`` exists and ``force=False``.
        ValueError
            ``path`` is a folder, ends in another extension than ``.npz``, or its folder
            does not exist (:func:`gl.audio.check_output_path`).

        Examples
        --------
        >>> import numpy as np, os, tempfile
        >>> import gl
        >>> spec = gl.Spectrogram.from_audio(np.ones(1000), 8000, n_fft=128, hop_length=32)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "tone.npz")
        ...     spec.save(path)
        ...     again = gl.Spectrogram.load(path)
        >>> again.geometry == spec.geometry, again.length, again.sample_rate
        (True, 1000, 8000.0)
        """
        import json

        from .audio import atomic_output

        force = check_flag("force", force)
        path = _file_name(path)
        if not (isinstance(path, str) and path.endswith(("/", os.sep))) and not Path(path).is_dir():  # else atomic_output says why
            name = Path(path)
            if name.suffix == "":
                path = name.with_name(name.name + ".npz")
            elif name.suffix.lower() != ".npz":
                raise ValueError(f"{path}: Spectrogram.save writes a .npz file (magnitude and geometry, not audio); end the name in "
                                 ".npz, or write audio with gl.audio.write_audio(path, spec.invert(), sample_rate)")
        geometry = self.geometry
        metadata = {
            "format_version": 3 if self.offset < 0 else 2 if self.tail else 1,  # an older gl ignores the tail, refuses offset < 0
            "n_fft": geometry.n_fft,
            "hop_length": geometry.hop_length,
            "win_length": geometry.win_length,
            "center": geometry.center,
            "pad_mode": geometry.pad_mode,
            "sym": bool(geometry.sym),
            "window_spec": _window_to_json(geometry.window),
            "sample_rate": self.sample_rate,
            "length": self.length,
            "source": self.source,
            "offset": self.offset,
            "tail": self.tail,
        }
        window = np.asarray(geometry.window if isinstance(geometry.window, np.ndarray) else geometry.window_array)
        with atomic_output(path, force=force) as temporary:
            with open(temporary, "wb") as file:
                np.savez(file, magnitude=self.magnitude, window=window, metadata=np.array(json.dumps(metadata)))

    @classmethod
    def load(cls, path: FileName) -> "Spectrogram":
        """Read a file written by :meth:`save` (or by ``gl spectrogram``, whose ``--power`` and
        ``--mel`` files go through their importer); a clear ``ValueError`` names anything missing.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.npz`` file.

        Returns
        -------
        Spectrogram
            The spectrogram the file holds, with its geometry and metadata.

        Examples
        --------
        >>> import numpy as np, os, tempfile
        >>> import gl
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "bare.npz")
        ...     np.savez(path, magnitude=np.ones((5, 3)))
        ...     gl.Spectrogram.load(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...bare.npz is not a gl spectrogram file: it has no 'metadata' field ...
        """

        path = os.fspath(_file_name(path))
        if os.path.isdir(path):
            raise ValueError(f"{path} is a folder, not a gl spectrogram file")
        with open(path, "rb") as handle:  # ours, so that it is closed even when np.load fails half-way
            try:
                loaded = np.load(handle, allow_pickle=False)
            except Exception as error:  # not a NumPy file, or a truncated or damaged one
                if not (isinstance(error, ValueError) or is_damage(error)):
                    raise
                raise ValueError(f"{path} is not a gl spectrogram file (.npz written by gl.Spectrogram.save): "
                                 f"{load_error_text(error)}") from None
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise ValueError(
                    f"{path} holds a bare array, not a gl spectrogram file (.npz written by gl.Spectrogram.save); "
                    "say what it is with gl.importers (from_librosa, from_scipy_spectrogram, ...)"
                )
            with damaged_archive(path):  # a member is read (and its CRC checked) only now
                return cls._from_archive(loaded, path)

    @classmethod
    def _from_archive(cls, loaded, path) -> "Spectrogram":
        import json

        with loaded as data:
            names = set(data.files)
            if "magnitude" not in names and {"data", "metadata"} <= names:  # gl spectrogram --power / --mel
                _check_member_size(data, "metadata", path)
                features = features_metadata(data, path)
                if features is not None:
                    return from_features(data["data"], features, path)
            for required in ("magnitude", "metadata", "window"):
                if required not in names:
                    raise ValueError(
                        f"{path} is not a gl spectrogram file: it has no {required!r} field "
                        f"(it has {', '.join(sorted(names)) or 'nothing'}); write it with gl.Spectrogram.save"
                    )
            _check_member_size(data, "metadata", path)
            metadata_text = str(data["metadata"][()])
            try:
                metadata = json.loads(metadata_text)
            except json.JSONDecodeError as error:
                raise DamagedFileError(f"{path}: the 'metadata' field is not valid JSON ({error})") from None
            if not isinstance(metadata, dict):
                raise DamagedFileError(f"{path}: the 'metadata' field must be a JSON object")
            missing = [name for name in _METADATA_FIELDS if name not in metadata]
            if missing:
                raise DamagedFileError(f"{path}: the metadata has no {', '.join(repr(m) for m in missing)} field(s)")
            version = _stored_int(path, metadata, "format_version")
            if version > FORMAT_VERSION:
                raise ValueError(f"{path} has format_version {version}; this gl reads up to {FORMAT_VERSION}")
            n_fft = _stored_int(path, metadata, "n_fft", 2)
            # the arrays' headers, before anything of their declared size is allocated
            shape = _check_member_size(data, "magnitude", path)
            if shape is not None and (len(shape) < 2 or shape[-2] != n_fft // 2 + 1):
                raise DamagedFileError(
                    f"{path}: the magnitude has shape {shape}, but n_fft={n_fft} gives {n_fft // 2 + 1} frequency bins: the file is damaged"
                )
            window_shape = _check_member_size(data, "window", path)
            win_length = _stored_int(path, metadata, "win_length", 1, ("n_fft", n_fft))
            lengths = {n_fft, win_length}  # an array window is stored with its own length
            if window_shape is not None and (len(window_shape) != 1 or window_shape[0] not in lengths):
                raise DamagedFileError(
                    f"{path}: the window has shape {window_shape}, not ({n_fft},) or the win_length's: the file is damaged"
                )
            magnitude = data["magnitude"]
            window = data["window"]
        try:  # the stored geometry and fields, checked as a user's would be, but said of the file
            spec = metadata["window_spec"]
            if spec is None:
                window_spec = window
            else:
                window_spec = tuple(spec) if isinstance(spec, list) else spec
            geometry = STFT(
                n_fft=metadata["n_fft"],
                hop_length=metadata["hop_length"],
                win_length=metadata["win_length"],
                window=window_spec,
                center=metadata["center"],
                pad_mode=metadata["pad_mode"],
                sym=metadata["sym"],
            )
            if spec is not None and window.shape == geometry.window_array.shape and not np.allclose(window, geometry.window_array):
                # the name meant another window when the file was written ('cosine' and 'triangle'
                # before gl followed scipy's): the window stored beside it is the one that made it
                geometry = _geometry_with_stored_window(metadata, np.asarray(window, dtype=np.float64))
            return cls(
                magnitude,
                geometry,
                sample_rate=metadata["sample_rate"],
                length=metadata["length"],
                source=metadata["source"],
                offset=metadata["offset"],
                tail=_stored_int(path, metadata, "tail", 0) if "tail" in metadata else 0,  # files before the field: 0
            )
        except DamagedFileError:
            raise
        except (ValueError, TypeError) as error:
            raise DamagedFileError(f"{path} is damaged: what it stores does not make a spectrogram ({error}); make it again") from None


@contextlib.contextmanager
def damaged_archive(path):
    """Within, the errors of reading a damaged .npz member (a bad CRC, truncated or corrupt
    compressed data: ``zipfile.BadZipFile``, ``zlib.error``, ``EOFError``) become a
    :class:`DamagedFileError` (a ``ValueError``) that names the file. ``np.load`` opens an
    archive without reading its members, so these come from ``archive[name]``, after the
    file looked fine. A damaged
    byte can also read as a zip feature gl never writes: a newer zip version
    (``NotImplementedError``) or encryption (zipfile's ``RuntimeError``)."""
    try:
        yield
    except Exception as error:
        if isinstance(error, ValueError) and "allow_pickle" in str(error):  # a member holds Python objects
            raise DamagedFileError(f"{path} holds an array of Python objects where gl stores numbers: "
                                   f"{load_error_text(error)}") from None
        if not is_damage(error):
            raise
        raise DamagedFileError(f"{path} is damaged ({error}): make it again") from None


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` is what zipfile, zlib or numpy raise for a damaged archive."""
    import zipfile
    import zlib

    if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)):
        return True
    return isinstance(error, RuntimeError) and "encrypted" in str(error)  # zipfile: "... is encrypted, password required"


#: The ``format`` of the files ``gl spectrogram --power/--mel`` writes: the array as the
#: library would have made it (a power or mel spectrogram), and the importer that undoes it.
FEATURES_FORMAT = "gl-features"
FEATURES_VERSION = 1


def features_metadata(archive, path="the file") -> Optional[dict]:
    """The metadata of a ``gl spectrogram --power/--mel`` archive, checked; None for any other file."""
    import json

    try:
        metadata = json.loads(str(archive["metadata"][()]))
    except (KeyError, ValueError, TypeError):
        return None
    if not isinstance(metadata, dict) or metadata.get("format") != FEATURES_FORMAT:
        return None
    version = _stored_int(path, metadata, "format_version") if "format_version" in metadata else 0  # '2' or null: damaged
    if version > FEATURES_VERSION:
        raise ValueError(f"{path} has features format_version {version}; this gl reads up to {FEATURES_VERSION}")
    if not isinstance(metadata.get("convention"), str) or not isinstance(metadata.get("keywords"), dict):
        raise ValueError(f"{path} has no 'convention' and 'keywords' in its metadata; make it again with gl spectrogram")
    return metadata


def from_features(array: np.ndarray, metadata: dict, path="the file") -> "Spectrogram":
    """The :class:`Spectrogram` of a features file's array (``metadata`` from :func:`features_metadata`):
    its importer with the keywords it was made with (a mel spectrogram's linear magnitude is an estimate)."""
    import importlib

    convention, keywords = metadata["convention"], dict(metadata["keywords"])
    importers = importlib.import_module("gl.importers")
    if convention not in importers.CONVENTIONS:
        raise ValueError(f"{path} needs the {convention!r} importer, which this version of gl does not have")
    if isinstance(keywords.get("window"), list):
        keywords["window"] = tuple(keywords["window"])
    try:  # said of the file, as Spectrogram.load says a stored magnitude's faults (not of the importer's M or S)
        return importers.CONVENTIONS[convention](np.asarray(array), **keywords)
    except (ValueError, TypeError) as error:
        raise DamagedFileError(f"{path} is damaged: what it stores does not make a spectrogram ({error}); make it again") from None


#: Energy per sample between frames (window sum below ``EDGE_FADE`` of its largest value)
#: over that elsewhere, above which :meth:`Spectrogram.invert` takes a least-squares result
#: of a low-overlap geometry for spiky: signals measured 0.74 to 1.2 (-1.3 to +0.8 dB; 66
#: inputs: six dev clips, greasy, gspi, a sine, a chord and tone bursts through Hann 256 at
#: hops 224 and 192, Hann 320/280, Hamming 256/224, Kaiser 14 512/256, Blackman 512/384),
#: least-squares results of the default method on the recordings up to 13 (+11.2 dB; 2.7 to
#: 13 through scipy's 'hann', gspi the 2.7, the others 5.8 and above), on a sine 1.0. Sparse spikes carry little energy: a random
#: start's on tone bursts, 2.6 times the peak, gave 1.3 (+1.1 dB) and are not caught.
SPIKE_RATIO = 2.0


def run_with_floor_rule(run, geometry: STFT, n_frames: int, floor_between_frames: Optional[bool], rng,
                        method: Optional[str] = None, n_iter: Optional[int] = None, return_info: bool = False):
    """``run(floored, rng)`` by the low-overlap rule of :meth:`Spectrogram.invert` (its
    ``floor_between_frames``): returns ``(result, floored)``.

    ``run`` returns the signal (..., n; sample ``i`` at grid sample ``pad + i`` of
    ``n_frames`` frames of ``geometry``), or ``(signal, info)`` with ``return_info``, made
    with the floor between frames when ``floored`` (within :func:`gl._engine.floored_between_frames`).
    For a :attr:`gl.STFT.low_overlap` geometry (and a ``method`` of :func:`gl.reconstruct`
    that is not a stream, ``'rtisila'`` or ``'rtpghi'``, whose frames are final as they
    come, nor an iterative one run for ``n_iter=0``, whose result is the least-squares
    synthesis of its start either way where the window sum stays above ``RESULT_FLOOR``)
    and ``floor_between_frames=None``, least squares runs first and runs again with the
    floor, from the same start (a generator ``rng`` is copied first; None becomes one fresh
    generator), when its result carries more than ``SPIKE_RATIO`` times the energy per
    sample between frames as elsewhere; the info's ``elapsed`` and ``times`` then count from
    the start of the first run (a callback sees each run's from its own start). Each item
    (channel) of a batch is judged on its own and takes the run it needs
    (:func:`_merge_runs`). True floors at once, False never.
    ``floored``: a bool for a single signal, an array of them (the batch's shape) for a batch.
    """
    from .reconstruct import SINGLE_PASS_METHODS

    # an iterative method run for 0 iterations returns the least-squares synthesis of its start,
    # with the floor or without, unless the window sum dips below RESULT_FLOOR (which the floored
    # result divides by): then running again changes those samples
    period = geometry.window_sum_period
    no_iteration = (n_iter == 0 and method not in SINGLE_PASS_METHODS and floor_between_frames is None
                    and period.min() >= RESULT_FLOOR * period.max())
    may_floor = (geometry.low_overlap and floor_between_frames is not False
                 and not (method in ("rtisila", "rtpghi") or no_iteration))
    if not may_floor or floor_between_frames:
        result = run(bool(may_floor), rng)
        y = result[0] if return_info else result
        return result, _flags(np.full(y.shape[:-1], bool(may_floor)))
    if rng is None:
        rng = np.random.default_rng()  # fresh entropy, as None gives, but drawn once: the rerun starts where the first run did
    same_draws = copy.deepcopy(rng) if isinstance(rng, (np.random.Generator, np.random.RandomState)) else rng
    result = run(False, rng)
    y = result[0] if return_info else result
    spiky = _energy_between_frames(y, geometry, n_frames, per_item=True).reshape(y.shape[:-1]) > SPIKE_RATIO
    if not spiky.any():
        return result, _flags(spiky)
    first_info = result[1] if return_info else None
    if spiky.all():
        del result, y  # a signal (and a history) less while the second run works
        result = run(True, same_draws)
        if return_info:
            _after_first_run(result[1], first_info)
        return result, _flags(spiky)
    # some items need the floor, others not: both runs, each item from its own
    floored = run(True, same_draws)
    if return_info:
        _after_first_run(floored[1], first_info)
    result, spiky = _merge_runs(result, floored, spiky, geometry, n_frames, return_info)
    if return_info:
        result[1].elapsed = floored[1].elapsed  # the wall time of both runs (_after_first_run)
    return result, _flags(spiky)


def _after_first_run(info, first) -> None:
    """The info of the run with the floor, made after the least-squares run (whose info is
    ``first``): its ``elapsed`` and ``times`` count from the start of that first run (the wall
    time of the call, as a comparison of methods at equal time needs: before, its times
    started again from 0); ``times``, which leave out the time spent in the callback, leave
    out the first run's too."""
    info.elapsed += first.elapsed
    if info.times is not None:
        info.times = np.asarray(info.times, dtype=np.float64) + (first.elapsed - first._callback_seconds)


def _flags(floored: np.ndarray):
    """Per item whether it was floored: a bool for a single signal, else the array."""
    return bool(floored) if floored.ndim == 0 else floored


def _file_name(path: FileName) -> Union[str, "os.PathLike[str]"]:
    """``path`` if it names a file (a str or ``os.PathLike``; bytes, which pathlib refuses
    ('argument should be a str object ..., not bytes'), decoded as the file system does), else a
    TypeError naming it (pathlib's own said 'expected str, bytes or os.PathLike object, not
    int', naming nothing)."""
    try:
        name = os.fspath(path)
    except TypeError:
        raise TypeError(f"path must be a file name (a str or os.PathLike), got {type(path).__name__}") from None
    if isinstance(name, bytes):
        return os.fsdecode(name)
    return path  # type: ignore[return-value]  # os.fspath gave a str: path is a str or an os.PathLike[str]


def _merge_runs(least_squares, floored, spiky: np.ndarray, geometry: STFT, n_frames: int, return_info: bool):
    """The items ``spiky`` (the batch's shape) of the ``floored`` run, the others of the
    ``least_squares`` run, and which items are floored; with infos, their histories and
    starts merged the same way (into the least-squares info, which takes the floored run's
    ``times``: row ``n`` of the batch exists once the second run has made it). Where the two
    runs stopped at different iterations (``tol``, a callback) their histories cannot be
    merged: then one decision for all the items, on their energy pooled."""
    y = least_squares[0] if return_info else least_squares
    y_floored = floored[0] if return_info else floored
    if return_info and least_squares[1].spectral_convergence.shape != floored[1].spectral_convergence.shape:
        pooled = _energy_between_frames(y, geometry, n_frames) > SPIKE_RATIO
        return (floored if pooled else least_squares), np.full(spiky.shape, pooled)
    items = spiky.reshape(-1)
    y.reshape(-1, y.shape[-1])[items] = y_floored.reshape(-1, y.shape[-1])[items]
    if not return_info:
        return y, spiky
    info, other = least_squares[1], floored[1]
    # a one-pass method's start is its result, the only row (one array: invert's fade updates both)
    one_pass = info.initial_spectral_convergence is not None and np.shares_memory(info.initial_spectral_convergence,
                                                                                  info.spectral_convergence)
    history = np.array(info.spectral_convergence, dtype=np.float64)
    rows = history.reshape(history.shape[0], -1)
    rows[:, items] = np.asarray(other.spectral_convergence).reshape(rows.shape[0], -1)[:, items]
    info.spectral_convergence = history
    if one_pass:
        info.initial_spectral_convergence = history[0]
    elif info.initial_spectral_convergence is not None and other.initial_spectral_convergence is not None:
        start = np.array(info.initial_spectral_convergence, dtype=np.float64)
        start.reshape(-1)[items] = np.asarray(other.initial_spectral_convergence).reshape(-1)[items]
        info.initial_spectral_convergence = start
    info.times = other.times
    info.converged = info.converged and other.converged
    info.stopped_by_callback = info.stopped_by_callback or other.stopped_by_callback
    return (y, info), spiky


def _energy_between_frames(y: np.ndarray, geometry: STFT, n_frames: int, per_item: bool = False):
    """Mean square of ``y`` (..., n; sample ``i`` at grid sample ``pad + i``) where the window sum
    is below ``EDGE_FADE`` of its largest value over the mean square elsewhere, over the grid's
    steady part (``(R - 1) hop`` to ``n_frames hop``, where the window sum repeats every hop:
    the samples are taken a hop at a time against one period of it); 0 for a silent result
    or one too short to have a steady part. Pooled over the items of a batch, or with
    ``per_item`` one ratio an item (a 1-D array over the flattened leading axes)."""
    hop = geometry.hop_length
    period = geometry.window_sum_period
    dips = period < EDGE_FADE * period.max()  # (hop,): grid sample g lies in a dip if dips[g % hop]
    low = max((geometry.frame_hops - 1) * hop - geometry.pad, 0)  # output samples of the steady part
    high = min(n_frames * hop - geometry.pad, y.shape[-1])
    rows = (high - low) // hop
    items = int(np.prod(y.shape[:-1], dtype=int))
    if rows < 1 or not dips.any():
        return np.zeros(items) if per_item else 0.0
    flat = y.reshape(-1, y.shape[-1])[:, low : low + rows * hop].reshape(-1, rows, hop)
    mask = np.roll(dips, -((low + geometry.pad) % hop))  # mask[j]: output sample low + j (mod hop) in a dip
    if per_item:
        energy = np.einsum("brh,brh->bh", flat, flat)  # per item and position within the hop, over rows
        inside, outside = energy[:, mask].mean(axis=1), energy[:, ~mask].mean(axis=1)
        return np.divide(inside, outside, out=np.zeros(items), where=outside > 0)
    energy = np.einsum("brh,brh->h", flat, flat)  # per position within the hop, over items and rows
    inside, outside = energy[mask].mean(), energy[~mask].mean()
    return float(inside / outside) if outside > 0 else 0.0


def _fade_edges(y: np.ndarray, geometry: STFT, n_frames: int) -> bool:
    """Multiply the end samples of ``y`` (..., n) by ``W / (EDGE_FADE max W)`` where ``W < EDGE_FADE max W``.

    ``y[..., i]`` sits at sample ``pad + i`` of the frame grid (``W`` is 0 past it). Only
    the runs of low window sum at the two ends are faded, not dips inside. Returns True
    if anything changed.
    """
    gains = edge_fade_gains(geometry, n_frames, y.shape[-1])
    return gains is not None and apply_edge_fade(y, 0, gains, in_place=True)[1]


@underflow_is_a_value  # once per output: a narrow window's sums over the floor (Kaiser, beta 700: 1e-300) are values
def edge_fade_gains(geometry: STFT, n_frames: int, n_samples: int):
    """The factors of :func:`_fade_edges` for an output of ``n_samples`` (output sample ``i``
    at sample ``pad + i`` of the grid of ``n_frames`` frames): ``(head gains, tail gains,
    tail start)``, the head's from output sample 0, the tail's from ``tail start``; None when
    no output sample is faded. The grid's ends only see its first and last ``ceil(n_fft /
    hop)`` frames, so the window sum of a few frames gives them (not one as long as the
    signal). Centred frames put the low sums in the padding, unless the output reaches past
    the last frame's centre."""
    frames = min(n_frames, 2 * geometry.frame_hops + 1)
    short = geometry.window_sum_square(frames)  # the first and last samples' sums, and the steady maximum
    floor = EDGE_FADE * short.max()
    above = short >= floor
    pad, head, tail = geometry.pad, int(np.argmax(above)), int(np.argmax(above[::-1]))
    grid_end = (n_frames - 1) * geometry.hop_length + geometry.n_fft
    if not above.any() or not (pad + n_samples > head and pad < grid_end - tail):  # no output sample above the floor
        return None
    head_gains = short[pad:head] / floor  # output samples 0 .. head - pad
    tail_start = grid_end - tail - pad  # output sample of the tail's first low sum
    tail_gains = np.zeros(max(0, n_samples - tail_start))  # 0 past the grid's end
    tail_gains[: min(tail, tail_gains.shape[0])] = (short[short.shape[0] - tail :] / floor)[: tail_gains.shape[0]]
    if head_gains.size == 0 and tail_gains.size == 0:
        return None
    return head_gains, tail_gains, tail_start


@underflow_is_a_value  # once per output (or long-form block): such gains, and their products, in float32
def apply_edge_fade(samples: np.ndarray, start: int, gains, in_place: bool = False) -> tuple[np.ndarray, bool]:
    """``samples`` (..., n), output samples ``start ..``, times the :func:`edge_fade_gains` where
    they fall (a copy unless ``in_place``), and whether any fell there."""
    head, tail, tail_start = gains
    end = start + samples.shape[-1]
    parts = [(first, factors) for first, factors in ((0, head), (tail_start, tail))
             if factors.size and first < end and first + factors.shape[0] > start]
    if not parts:
        return samples, False
    if not in_place:
        samples = samples.copy()
    for first, factors in parts:
        low, high = max(start, first), min(end, first + factors.shape[0])
        samples[..., low - start : high - start] *= factors[low - first : high - first].astype(samples.dtype)
    return samples, True


def _geometry_with_stored_window(metadata: dict, stored: np.ndarray) -> STFT:
    """The geometry of a file whose window name no longer means its stored window: by the name
    of the window it is (the sine window for the old 'cosine', Bartlett for the old 'triangle',
    so that PGHI knows its gamma), else the array itself."""
    from .windows import name_of

    n_fft, win_length = metadata["n_fft"], metadata["win_length"]
    left = (n_fft - win_length) // 2
    common = dict(n_fft=n_fft, hop_length=metadata["hop_length"], center=metadata["center"], pad_mode=metadata["pad_mode"])
    named = name_of(stored[left : left + win_length])
    if named is None:
        return STFT(win_length=n_fft, window=stored, **common)
    return STFT(win_length=win_length, window=named[0], sym=named[1], **common)


def _frames_of(geometry: STFT, n_samples: int) -> Optional[int]:
    """Frames ``geometry`` gives a signal of ``n_samples``, or None if it is too short."""
    try:
        return geometry.n_frames(n_samples)
    except ValueError:
        return None


def _crop(y: np.ndarray, start: int, count: int) -> np.ndarray:
    """``y[..., start : start + count]``, zero-padded at the end when ``y`` is too short and at
    the start for a negative ``start`` (a grid that starts after the signal's first sample)."""
    out = np.zeros(y.shape[:-1] + (count,), dtype=y.dtype)
    lead = min(max(0, -start), count)
    piece = y[..., max(0, start) : max(0, start + count)]
    out[..., lead : lead + piece.shape[-1]] = piece
    return out
