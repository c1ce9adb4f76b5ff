"""The ``gl`` command: phase retrieval from the shell.

::

    gl demo [-o DIR]                          reconstruct the built-in recording
    gl roundtrip IN.wav -o OUT.wav            analysis + phase retrieval + synthesis
    gl spectrogram IN.wav -o SPEC.npz         a self-describing magnitude spectrogram
    gl invert SPEC.npz -o OUT.wav             phase retrieval from a spectrogram file

Every command prints what it did on stdout (``--json``: one JSON object instead),
shows progress on stderr when that is a terminal and the job takes more than about a
second (``--quiet`` silences it), writes its outputs atomically and never replaces an
existing file without ``--force`` (but ``gl demo`` replaces its own two files, both or neither). A
mistake (missing input, a file that is not audio, a bad flag ...) is one line on stderr
and exit status 2; Ctrl-C is exit status 130,
SIGTERM 143 and SIGHUP 129, and none leaves a partial file. A report that cannot be
printed after the outputs were written is status 1 (141 when the reader of a pipe left).
A file name that holds a control character is printed as bash's ``$'...'`` quotes it
(:func:`_shown`), so that no name breaks a message's line.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import errno
import importlib
import importlib.util
import inspect
import json
import math
import os
import re
import shlex
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Mapping, NoReturn, Optional, Sequence, Union

import numpy as np

from . import __version__
from .transform import PAD_MODES, STFT, _abs_peak, binary_exponent

__all__ = ["main", "build_parser", "Progress", "default_n_fft"]

#: The built-in recording of ``gl demo`` (see ``gl/data/README.md``).
DEMO_FILE = "arctic_a0009_slt_16k.flac"
DEMO_TITLE = "CMU ARCTIC speaker slt, sentence arctic_a0009"
DEMO_OUTPUT = "gl-demo.wav"
DEMO_ORIGINAL = "gl-demo-original.wav"

#: Seconds a block when the whole inversion would not fit in memory: gl.longform's default (a
#: test holds them equal; so the parser's help does not import gl.longform).
DEFAULT_BLOCK_SECONDS = 30.0

#: Exit statuses.
EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130
EXIT_REPORT = 1  # the outputs were written, but the report could not be (stdout closed or full)
EXIT_BROKEN_PIPE = 128 + 13  # as a shell reports a command killed by SIGPIPE


class _ReportError(Exception):
    """The report could not be written to stdout (after the outputs were)."""


class _Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt so that temporary files are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

#: Analysis window length ``default_n_fft`` aims at, in seconds.
DEFAULT_WINDOW_SECONDS = 0.05


class UsageError(Exception):
    """A mistake on the command line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line instead of the usage and ``exit(2)``."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


# ----------------------------------------------------------------------------- helpers
def default_n_fft(sample_rate: float) -> int:
    """The FFT size ``gl`` uses when none is given: the power of two nearest 50 ms.

    ``2 ** round(log2(0.05 * sample_rate))``: 512 at 8 kHz, 1024 at 16 and 22.05 kHz,
    2048 at 44.1 and 48 kHz; never below 16 (below about 226 Hz the nearest power of two
    would be 8 samples or fewer: too few bins to retrieve a phase from).

    >>> [default_n_fft(sr) for sr in (8000, 16000, 22050, 44100, 48000)]
    [512, 1024, 1024, 2048, 2048]
    >>> default_n_fft(100)
    16
    """
    return int(2 ** max(4, round(math.log2(DEFAULT_WINDOW_SECONDS * float(sample_rate)))))


def _window_spec(text: str):
    """``'hann'`` -> ``'hann'``; ``'kaiser,8'`` or ``'kaiser:8'`` -> ``('kaiser', 8.0)``."""
    for separator in (",", ":"):
        if separator in text:
            name, _, parameter = text.partition(separator)
            try:
                return (name.strip(), float(parameter))
            except ValueError:
                raise argparse.ArgumentTypeError(f"{text!r}: the window parameter after {separator!r} must be a number") from None
    return text.strip()


def _whole_number(text: str, smallest: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < smallest:
        raise argparse.ArgumentTypeError(f"{value} must be >= {smallest}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text} must be a finite number > 0")
    return value


def _option(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` with VALUE read as a Python literal (number, True, 'text') or else a string."""
    name, equals, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE, e.g. momentum=0.99")
    raw = raw.strip()
    lowered = raw.lower()
    if lowered in ("true", "false", "none"):
        return name, {"true": True, "false": False, "none": None}[lowered]
    try:
        return name, ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return name, raw


def _finite_or_none(value) -> Optional[float]:
    value = float(value)
    return value if math.isfinite(value) else None


def _db(ratio) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return 20.0 * np.log10(np.asarray(ratio, dtype=np.float64))


def _format_db(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "-inf dB" if value < 0 else "inf dB"
    return f"{value:.1f} dB"


def _overall_sc(magnitude: np.ndarray, per_item: np.ndarray) -> float:
    """One spectral convergence over all channels from the per-channel ones.

    With ``E_c = SC_c ||S_c||`` the error of channel ``c``,
    ``SC = sqrt(sum_c E_c^2) / sqrt(sum_c ||S_c||^2)``.
    """
    exponent = binary_exponent(float(np.max(magnitude, initial=0.0)))  # by a power of two: squares of 1e-305 underflow
    flat = magnitude.reshape((-1,) + magnitude.shape[-2:])
    energy = np.zeros(flat.shape[0])
    step = max(1, 2**17 // max(flat.shape[-2], 1))  # frames a block: a float64 copy of a block, not of the whole
    for channel in range(flat.shape[0]):
        for first in range(0, flat.shape[-1], step):
            scaled = np.ldexp(flat[channel, :, first : first + step], -exponent, dtype=np.float64)
            energy[channel] += np.einsum("ij,ij->", scaled, scaled)
    per_item = np.asarray(per_item, dtype=np.float64).reshape(-1)
    total = energy.sum()
    if total == 0:
        return 0.0 if np.all(per_item == 0) else math.inf
    return float(np.sqrt(np.sum(np.square(per_item) * energy) / total))


def _spectral_convergence(magnitude: np.ndarray, geometry: STFT, y: np.ndarray) -> tuple[float, list]:
    """Spectral convergence of ``y`` against ``magnitude``: overall and per channel."""
    from .metrics import spectral_convergence

    per_item = np.atleast_1d(spectral_convergence(magnitude, geometry.stft(y)))
    return _overall_sc(magnitude, per_item), per_item.reshape(-1).tolist()


class Progress:
    """Progress on a terminal: iteration, spectral convergence, time left.

    Use as the ``callback`` of a phase-retrieval function. It writes nothing unless
    ``stream`` is a terminal, and nothing until the job looks longer than ``min_total``
    seconds (and ``delay`` seconds have passed); it redraws at most every ``interval``
    seconds and :meth:`close` erases the line.

    >>> import io
    >>> progress = Progress(100, stream=io.StringIO())   # not a terminal: silent
    >>> progress.enabled
    False
    """

    def __init__(
        self,
        n_iter: int,
        *,
        stream=None,
        magnitude: Optional[np.ndarray] = None,
        label: str = "",
        enabled: Optional[bool] = None,
        delay: float = 0.3,
        min_total: float = 1.0,
        interval: float = 0.1,
    ):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.n_iter = n_iter
        self.magnitude = magnitude
        self.label = label
        self.delay, self.min_total, self.interval = delay, min_total, interval
        self._last_draw = -math.inf
        self._width = 0
        self._first_tick: Optional[tuple[int, float]] = None  # (iteration, elapsed) of the first tick
        # a run again (Spectrogram.invert's rerun with the floor between frames) counts its
        # iterations from 1 again, and a tick's elapsed from 0: the line says which run it is
        self._run, self._last_iteration = 1, 0
        self._elapsed_before = self._last_elapsed = 0.0  # ticks: the earlier runs' seconds, the last tick's

    def __call__(self, iteration: int, info) -> None:
        """As a ``callback``: the line with the spectral convergence of the last iteration."""
        if not self.enabled or iteration < 1:
            return None
        self._count_runs(iteration)
        times = getattr(info, "times", None)
        if times is not None and len(times) >= 2:  # the pace since the first iteration, which includes the start (PGHI's)
            per_iteration = (float(times[-1]) - float(times[0])) / (len(times) - 1)
        else:
            per_iteration = float(info.elapsed) / iteration

        def spectral_convergence() -> str:
            latest = np.asarray(info.spectral_convergence[-1])
            sc = _overall_sc(self.magnitude, latest) if self.magnitude is not None else float(np.sqrt(np.mean(latest**2)))
            return f"  spectral convergence {_format_db(_db(sc))}"

        self._draw(iteration, float(info.elapsed), per_iteration, spectral_convergence)
        return None

    def tick(self, iteration: int, elapsed: float) -> None:
        """As the ``on_iteration`` of :func:`gl._run.measuring_only_the_ends`: the line
        without a spectral convergence (a run that measures only its ends has none). The
        pace counts from the first iteration, so that the start (PGHI's phase, which can
        take seconds) does not swell the time left."""
        if not self.enabled or iteration < 1:
            return
        if self._count_runs(iteration):
            self._elapsed_before += self._last_elapsed
        self._last_elapsed = elapsed
        if self._first_tick is None:  # no pace yet: drawn from the next iteration on
            self._first_tick = (iteration, elapsed)
            return
        first_iteration, first_elapsed = self._first_tick
        self._draw(iteration, self._elapsed_before + elapsed, (elapsed - first_elapsed) / max(iteration - first_iteration, 1),
                   lambda: "")

    def _count_runs(self, iteration: int) -> bool:
        """Whether ``iteration`` starts another run (its count no higher than the last one's):
        then the pace is measured afresh."""
        again = iteration <= self._last_iteration
        if again:
            self._run += 1
            self._first_tick = None
        self._last_iteration = iteration
        return again

    def _draw(self, iteration: int, elapsed: float, per_iteration: float, measured: Callable[[], str]) -> None:
        remaining = per_iteration * max(self.n_iter - iteration, 0)
        now = time.perf_counter()
        if elapsed < self.delay or elapsed + remaining < self.min_total or now - self._last_draw < self.interval:
            return
        self._last_draw = now
        run = f" (run {self._run})" if self._run > 1 else ""
        line = f"{self.label}iteration {iteration}/{self.n_iter}{run}{measured()}  {remaining:.1f} s left"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = max(self._width, len(line))

    def close(self) -> None:
        """Erase the progress line, if one was drawn."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


#: Windows reports a write to a pipe whose reader has left as EINVAL, not EPIPE.
_WINDOWS = os.name == "nt"


class _Report:
    """What a command did: printed as text, or as one JSON object with ``--json``."""

    #: The layout of the ``--json`` object: raised when a field changes meaning or goes away.
    SCHEMA = 1

    def __init__(self, command: str):
        self.fields: dict[str, Any] = {"command": command, "schema": self.SCHEMA, "gl_version": __version__}
        self.lines: list[str] = []

    def emit(self, args) -> None:
        if sys.stdout is None and (args.json or not args.quiet):  # started with stdout closed: print() would drop it
            raise _ReportError("standard output is closed (add --quiet to print nothing)")
        try:
            if args.json:
                print(json.dumps(self.fields, allow_nan=False))
            elif not args.quiet:
                for line in self.lines:  # (the command's file names as _shown prints them)
                    print(_printable(_in_flags(line, flags=False)))
            if sys.stdout is not None:  # None when the process was started with stdout closed
                sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            if _WINDOWS and error.errno == errno.EINVAL:  # how Windows says the reader of a pipe has left
                raise BrokenPipeError(errno.EPIPE, "the reader of the output left") from None
            raise _ReportError(error.strerror or str(error)) from None


def _printable(text: str) -> str:
    """``text`` as stdout can encode it: what it cannot (a file name that is not UTF-8, held as a
    surrogate escape, on a strict UTF-8 stdout) as ``\\udcff``, as Python's stderr shows it; it
    was a UnicodeEncodeError, status 2 after the outputs were written. (--json escapes them.)"""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding, getattr(sys.stdout, "errors", None) or "strict")
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding or error handler Python does not know: print() will say
        pass
    return text


#: What :func:`_shown` escapes in a file name, because it breaks or garbles a line: the C0 and
#: C1 control characters and DEL (a line break, a carriage return, a terminal's escape
#: sequences ...), Unicode's line and paragraph separators, and the bidirectional embeddings,
#: overrides and isolates (they reorder the rest of the line on a terminal).
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: Characters bash's ``$'...'`` writes as a letter after a backslash (or as themselves after one).
_SHELL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'"}


def _shown(name, *, shell: bool = False) -> str:
    """A file name as the command's messages print it (errors, warnings, the report): as it is,
    unless it holds a control character (:data:`_CONTROL_CHARACTERS`), which would split the
    message's one line or garble it; then as bash's ``$'...'`` quotes it, which names the file
    when pasted into a shell. In the quotes ``\\n``, ``\\r``, ``\\t``; ``\\xHH`` for the other
    ASCII control characters and for a byte of a name that is not UTF-8 (held as a surrogate
    escape); ``\\uHHHH`` for the other characters escaped; a backslash or quote of the name
    with a backslash. With ``shell``, any other name is quoted for the shell
    (:func:`shlex.quote`), for a command the message suggests.

    >>> print(_shown("take 2.wav"), _shown("été.wav"), _shown("a\\nb.npy"), _shown("it's\\x1b[1m.wav"))
    take 2.wav été.wav $'a\\nb.npy' $'it\\'s\\x1b[1m.wav'
    >>> print(_shown("take 2.wav", shell=True), _shown("a\\nb.npy", shell=True))
    'take 2.wav' $'a\\nb.npy'
    """
    name = os.fspath(name)
    if not _CONTROL_CHARACTERS.search(name):
        return shlex.quote(name) if shell else name

    def escaped(character: str) -> str:
        code = ord(character)
        if character in _SHELL_ESCAPES:
            return _SHELL_ESCAPES[character]
        if code < 0x80 and (code < 0x20 or code == 0x7F):
            return f"\\x{code:02x}"
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (os.fsdecode's surrogate escape): that byte to bash
            return f"\\x{code - 0xDC00:02x}"
        return f"\\u{code:04x}" if _CONTROL_CHARACTERS.match(character) else character

    return "$'" + "".join(map(escaped, name)) + "'"


# ----------------------------------------------------------------------------- options
def _add_output_options(parser: argparse.ArgumentParser, edge_fade: bool = False) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("--subtype", default="PCM_16", choices=["PCM_16", "PCM_24", "FLOAT"], help="sample format of the audio written (default PCM_16; FLOAT only in .wav)")
    group.add_argument("--normalize", action="store_true", help="peak-normalise the audio written to --peak-db instead of clipping it")
    group.add_argument("--peak-db", type=float, default=None, metavar="DB", help="the peak --normalize scales to, in dBFS (default -1)")
    group.add_argument("--force", action="store_true", help="replace output files that already exist")
    if edge_fade:
        group.add_argument(
            "--no-edge-fade", dest="fade_edges", action="store_false",
            help="keep the least-squares values of the end samples only a window's tip sees (by default they are faded: "
                 "a phase error there comes back as a click; see Spectrogram.invert)")  # fmt: skip


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reporting")
    group.add_argument("--json", action="store_true", help="print the results as one JSON object on stdout")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary (errors and warnings still go to stderr)")


def _add_geometry_options(parser: argparse.ArgumentParser, *, with_power: bool = False, importing: bool = False) -> None:
    """The geometry flags; ``importing``: of a bare array, whose defaults are its convention's (--from)."""
    if importing:
        group = parser.add_argument_group("STFT geometry of a bare .npy array (the defaults are those of --from's library)")
        helps = {
            "n_fft": ("FFT size (scipy: the segment length nperseg, required; shorttimefft: the window's length, len(win), "
                      "required; librosa, torchaudio: read off the array's rows; mel, torchaudio-mel: required)"),
            "hop": ("hop between frames in samples, nperseg - noverlap for scipy (required for a bare array, or -P noverlap=... "
                    "for scipy: a wrong hop changes the tempo)"),
            "win_length": "window length (default n_fft; scipy: nperseg, with --n-fft as nfft; shorttimefft: len(win), with --n-fft as mfft)",
            "window": ("analysis window, e.g. hann, hamming, kaiser,8, tukey,0.25 (default: hann; scipy's spectrogram: tukey,0.25; "
                       "shorttimefft: the win array, periodic as scipy.signal.get_window makes it)"),
            "center": ("frames centred on multiples of the hop, signal padded (default for librosa, torchaudio and the mels; "
                       "the scipy conventions set it from their own arguments)"),
            "no_center": "frame n starts at sample n*hop, no padding (librosa, torchaudio, mel with center=False)",
            "pad_mode": "padding of centred frames (default: constant for librosa and mel, reflect for torchaudio and torchaudio-mel)",
        }
    else:
        group = parser.add_argument_group("STFT geometry")
        helps = {
            "n_fft": "FFT size (default: the power of two nearest 50 ms, at least 16, or --win-length when that is longer)",
            "hop": "hop between frames in samples (default: window length / 4)",
            "win_length": "window length (default: n_fft)",
            "window": "analysis window, e.g. hann (default), hamming, kaiser,8, tukey,0.25",
            "center": "frames centred on multiples of the hop, signal padded (default)",
            "no_center": "frame n starts at sample n*hop, no padding (scipy.signal.spectrogram)",
            "pad_mode": "padding of centred frames (default constant)",
        }
    group.add_argument("--n-fft", type=_positive_int, metavar="N", help=helps["n_fft"])
    group.add_argument("--hop", type=_positive_int, metavar="N", help=helps["hop"])
    group.add_argument("--win-length", type=_positive_int, metavar="N", help=helps["win_length"])
    group.add_argument("--window", type=_window_spec, default=None, metavar="NAME[,PARAM]", help=helps["window"])
    centring = group.add_mutually_exclusive_group()  # --center --no-center: an error, not the last one winning
    centring.add_argument("--center", dest="center", action="store_true", default=None, help=helps["center"])
    centring.add_argument("--no-center", dest="center", action="store_false", help=helps["no_center"])
    group.add_argument("--pad-mode", choices=PAD_MODES, default=None, help=helps["pad_mode"])


#: ``--n-iter`` when not given (the library's default too), and RTISI-LA's per frame.
DEFAULT_N_ITER = 100
RTISILA_N_ITER = 5


def _add_retrieval_options(parser: argparse.ArgumentParser) -> None:
    registry = importlib.import_module("gl.reconstruct")
    group = parser.add_argument_group("phase retrieval")
    group.add_argument("--method", choices=sorted(registry.METHODS), default=None, help=f"algorithm (default {registry.DEFAULT_METHOD})")
    group.add_argument("--n-iter", type=_non_negative_int, default=None, metavar="N",
                       help=f"iterations (default {DEFAULT_N_ITER}; for rtisila, iterations per frame, default {RTISILA_N_ITER})")
    inits = ", ".join(["random", "zeros", *importlib.import_module("gl._iterative").INITIALIZERS])
    group.add_argument("--init", default=None, metavar="INIT", help=f"initial phase of the iterative methods: {inits} (default {registry.DEFAULT_INIT}, whatever the method; "
                       "rtisila starts from its own overlap-add estimate unless --init is given)")
    group.add_argument("--tol", type=float, default=None, help="stop when the spectral convergence changes by less than this (relative) three iterations in a row, e.g. 1e-4 (the default method counts from its switch to fast Griffin-Lim)")
    group.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the random initial phase (default 0: the same result every run)")
    group.add_argument("-O", "--option", type=_option, action="append", default=[], metavar="NAME=VALUE", help="an option of the method, e.g. -O momentum=0.9 (repeatable)")
    group.add_argument("--plot", metavar="FILE.png", default=None, help="draw the spectrograms and the convergence curve (needs matplotlib; measuring every iteration for the curve, the iterations agree with those of a run without --plot to rounding, not to the bit)")
    group.add_argument("--block-seconds", type=_positive_float, default=None, metavar="SECONDS",
                       help="invert block by block, SECONDS a block (gl.reconstruct_long: working memory bounded by the block, "
                            "seams refined), for inputs too long to invert at once; not with --tol or --plot. Default: the whole "
                            f"at once, or blocks of {DEFAULT_BLOCK_SECONDS:g} s when the whole would need more than this "
                            "machine's memory")


#: The examples at the end of ``gl invert --help``: each library's call, and the command that undoes it.
INVERT_EXAMPLES = """\
examples:
  # f, t, Sxx = scipy.signal.spectrogram(x, 16000, nperseg=512, noverlap=384), saved as Sxx.npy
  gl invert Sxx.npy --from scipy --sr 16000 --n-fft 512 --hop 128 -o out.wav
  #   --n-fft is nperseg, --hop is nperseg - noverlap (scipy's default noverlap: nperseg // 8);
  #   with window="hann", detrend=False: add --window hann -P detrend=False
  # np.savez("spec.npz", f=f, t=t, Sxx=Sxx, fs=16000): f and t say --n-fft and --hop, fs --sr
  gl invert spec.npz --from scipy -o out.wav
  #   numbers saved beside the array are flags: sr, fs or sample_rate (--sr), n_fft or nperseg,
  #   hop_length or noverlap, win_length, length, power (and fmin, fmax, n_mels are -P keys);
  #   a flag or -P given must agree
  # S = np.abs(librosa.stft(y, n_fft=2048, hop_length=512)) of y at 22050 Hz, saved as S.npy
  gl invert S.npy --from librosa --sr 22050 --hop 512 -o out.wav
  # M = librosa.feature.melspectrogram(y=y, sr=22050) (n_fft 2048, hop_length 512)
  gl invert M.npy --from mel --sr 22050 --n-fft 2048 --hop 512 -o out.wav
  # M_db = librosa.power_to_db(M): add -P db=power; torchaudio's are --from torchaudio(-mel)
  # a file from gl spectrogram says it all
  gl invert speech.npz -o out.wav"""


class _ExamplesFormatter(argparse.HelpFormatter):
    """argparse's formatter, but for an epilog of examples, kept line by line as written."""

    def _fill_text(self, text, width, indent):
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gl`` and its four commands."""
    parser = _Parser(prog="gl", description="Turn spectrograms back into sound: phase retrieval in pure NumPy.",
                     epilog="Environment: GL_NUM_THREADS=1 keeps each command on one thread (by default a long "
                            "input is split over 2 threads when the process may use 2 cores). Exit status: 0 when "
                            "done; 2 for a mistake (a missing or unreadable file, a bad flag or value, an output that "
                            "cannot be written: one line on stderr); 1 when the outputs were written but the report "
                            "could not be printed (141 when the reader of a pipe left); 130 on Ctrl-C, 143 on SIGTERM, "
                            "129 on SIGHUP, and no file is left half-written. "
                            "Examples: gl invert --help.")
    parser.add_argument("--version", action="version", version=f"gl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help=f"reconstruct a built-in recording: write {DEMO_OUTPUT} and the original, "
                                            f"{DEMO_ORIGINAL}", description=(
        f"Reconstruct a built-in recording ({DEMO_TITLE}, 3.1 s) from its magnitude spectrogram "
        f"with the default method; write {DEMO_OUTPUT} and the original, {DEMO_ORIGINAL} "
        "(replacing the files of an earlier demo)."))
    demo.add_argument("-o", "--output-dir", default=".", metavar="DIR", help="folder for the two WAV files (default: the current folder)")
    _add_retrieval_options(demo)
    _add_output_options(demo, edge_fade=True)
    _add_report_options(demo)
    demo.set_defaults(run=_run_demo)

    roundtrip = commands.add_parser("roundtrip", help="audio -> magnitude spectrogram -> phase retrieval -> audio", description=(
        "Throw away the phase of a recording and recover it: STFT magnitude, phase retrieval, "
        "synthesis. Prints the spectral convergence. Multichannel files keep their channels."))
    roundtrip.add_argument("input", metavar="IN", help="audio file (WAV, FLAC, OGG ...)")
    roundtrip.add_argument("-o", "--output", required=True, metavar="OUT", help="audio file to write (.wav or .flac)")
    _add_geometry_options(roundtrip)
    _add_retrieval_options(roundtrip)
    _add_output_options(roundtrip, edge_fade=True)
    _add_report_options(roundtrip)
    roundtrip.set_defaults(run=_run_roundtrip)

    spectrogram = commands.add_parser("spectrogram", help="write the magnitude spectrogram of a recording to an .npz file", description=(
        "Compute the STFT magnitude of a recording and save it, with its geometry, sample rate "
        "and length, to an .npz file that 'gl invert' reads without further flags."))
    spectrogram.add_argument("input", metavar="IN", help="audio file (WAV, FLAC, OGG ...)")
    spectrogram.add_argument("-o", "--output", required=True, metavar="SPEC.npz", help="spectrogram file to write")
    _add_geometry_options(spectrogram)
    group = spectrogram.add_argument_group("what to store")
    group.add_argument("--power", type=_positive_float, default=None, help="store |X|**POWER (e.g. 2 for a power spectrogram; default 1, with --mel 2 as librosa's melspectrogram)")
    group.add_argument("--mel", action="store_true", help="store a mel spectrogram (librosa's Slaney filters)")
    group.add_argument("--n-mels", type=_positive_int, default=None, metavar="N", help="mel bands (default 128; implies --mel)")
    group.add_argument("--fmin", type=float, default=None, help="lowest mel frequency in Hz (default 0)")
    group.add_argument("--fmax", type=float, default=None, help="highest mel frequency in Hz (default sr / 2)")
    group.add_argument("--force", action="store_true", help="replace the output file if it exists")
    _add_report_options(spectrogram)
    spectrogram.set_defaults(run=_run_spectrogram)

    invert = commands.add_parser("invert", help="phase retrieval from a spectrogram file (.npz from gl, or a bare .npy)", description=(
        "Recover audio from a magnitude spectrogram. An .npz written by 'gl spectrogram' (or "
        "Spectrogram.save) needs no flags. A bare .npy array needs its convention (--from) and "
        "geometry (--sr, --hop, --n-fft ...)."), epilog=INVERT_EXAMPLES, formatter_class=_ExamplesFormatter)
    invert.add_argument("input", metavar="SPEC", help="spectrogram file (.npz or .npy; with --from, an .npz of scipy's f, t and Sxx "
                        "(or stft's Zxx) needs no --n-fft or --hop, and numbers saved beside the array, such as fs, sr, sample_rate, "
                        "hop_length, n_fft, nperseg and noverlap, stand for their flags)")
    invert.add_argument("-o", "--output", required=True, metavar="OUT", help="audio file to write (.wav or .flac)")
    group = invert.add_argument_group("a bare .npy array: where it comes from")
    group.add_argument("--from", dest="convention", default=None, metavar="CONVENTION", help="scipy, scipy-stft, shorttimefft, librosa, torchaudio, mel (librosa's melspectrogram) or torchaudio-mel (torchaudio's MelSpectrogram): "
                       "the library that made the array, whose scaling the numbers do not say (librosa's |X| read as scipy's "
                       "density-scaled Sxx comes back far too loud and distorted)")
    group.add_argument("--sr", type=_positive_float, default=None, help="sample rate in Hz")
    group.add_argument("--length", type=_positive_int, default=None, metavar="N", help="length of the signal in samples")
    group.add_argument("--power", type=_positive_float, default=None, help="the array holds |X|**POWER (default: librosa 1, or 2 with -P db=power; torchaudio, torchaudio-mel "
                       "and shorttimefft 2; mel 2, or 1 with -P db=amplitude; -P db=ln needs it; scipy reads it from -P mode=...)")
    group.add_argument("-P", "--param", type=_option, action="append", default=[], metavar="NAME=VALUE", help="any other keyword of the importer, e.g. -P scaling='spectrum', or scipy's -P nperseg=512 -P noverlap=384 "
                       "as scipy was called (repeatable)")
    _add_geometry_options(invert, importing=True)
    _add_retrieval_options(invert)
    _add_output_options(invert, edge_fade=True)
    _add_report_options(invert)
    invert.set_defaults(run=_run_invert)
    return parser


# ----------------------------------------------------------------------------- shared steps
def _warn_if_frames_outgrow(geometry: STFT, n_samples: int) -> None:
    """A frame longer than the whole signal: legal, but there is nothing for phase retrieval to do."""
    if geometry.n_fft > n_samples:
        warnings.warn(f"the FFT size, --n-fft {geometry.n_fft}, is longer than the signal ({n_samples} sample{'' if n_samples == 1 else 's'}): a frame is longer than all "
                      "of it, and the spectrogram says little about it; use a smaller --n-fft", stacklevel=2)


def _warn_if_low_overlap(geometry: STFT) -> None:
    """Windows that barely overlap (:attr:`gl.STFT.low_overlap`): the spectrogram the command
    makes hardly sees the samples between frames, whatever the inversion does (the
    importers' :class:`~gl.importers.LossWarning` says so of a spectrogram made elsewhere)."""
    if not (geometry.nola_ok and geometry.low_overlap):
        return
    period = geometry.window_sum_period
    half = max(1, geometry.win_length // 2)
    window = geometry.window_name or "custom"
    warnings.warn(
        f"--hop {geometry.hop_length} with a {window} window of {geometry.win_length} samples leaves the summed squared "
        f"windows at {100 * period.min() / period.max():.2g}% of their peak between frames: the spectrogram barely sees "
        "those samples, so no phase retrieval can get them back (where the result has spikes there gl runs again with "
        f"a floor between frames, but the audio may still come back louder, with clicks); a hop of at most half the "
        f"window (--hop {half}) keeps them", stacklevel=2)


def _warn_if_fewer_magnitudes_than_samples(geometry: STFT) -> None:
    """Frames that add fewer magnitudes than samples (``n_freq < hop``): the spectrogram holds
    fewer magnitudes than the signal has samples, many signals share them, and the spectral
    convergence the report gives, measured against them, says little of how close the result
    is to the recording (the importers' :class:`~gl.importers.LossWarning` says so of a
    spectrogram made elsewhere). On 3 s of each dev clip (scipy's Tukey 0.25 of 256, not
    centred, gl's default method; ``python benchmarks/bench_redundancy.py``), against the
    magnitudes given and on a finer grid (hop 32), means: hop 224 (0.58 magnitudes a sample)
    -60.1 and -8.9 dB, hop 160 (0.81) -36.1 and -10.6, hop 128 (1.0) -26.7 and -13.2, hop 64
    (2.0) -22.3 and -19.4 dB."""
    if geometry.nola_ok and geometry.n_freq < geometry.hop_length:
        warnings.warn(
            f"--hop {geometry.hop_length} with --n-fft {geometry.n_fft}: each frame adds {geometry.hop_length} samples but "
            f"{geometry.n_freq} magnitudes, so the spectrogram holds fewer magnitudes than the signal has samples and many "
            "signals share them: the result can match them closely (a low spectral convergence) and still sound unlike "
            f"the recording; --hop {max(1, geometry.n_fft // 4)}, a quarter of the FFT, gives about twice as many "
            "magnitudes as samples", stacklevel=2)


def _magnitude(geometry: STFT, x: np.ndarray, path) -> np.ndarray:
    """``|STFT(x)|`` in float32, the precision the command line works in, or an error naming
    the file when it overflows (instead of the STFT's warning to pass x as float64, which a
    command-line user cannot). Only samples far beyond full scale get there: the largest
    |X| is at most the peak sample times the window's sum."""
    peak = _abs_peak(x)
    largest = float(np.finfo(np.float32).max)
    if peak * float(np.sum(np.abs(geometry.window_array))) <= largest:
        return np.abs(geometry.stft(x))
    with warnings.catch_warnings(), np.errstate(over="ignore"):  # the command line's own thread: no other is warned
        warnings.filterwarnings("ignore", message="the STFT of x exceeds float32's range", category=RuntimeWarning)
        S = np.abs(geometry.stft(x))
    if not np.isfinite(S.max()):
        raise ValueError(f"{path} peaks at {peak:.3g}, and its spectrogram exceeds float32's range ({largest:.3g}), the "
                         "precision gl's command line works in; scale the file down (audio samples normally lie within -1 and 1)")
    return S


#: Bytes of memory per STFT coefficient, at the most: a phase retrieval (the default method
#: measured 3.6 complex128 spectrograms, 58 bytes; PGHI on noise 4.8, 77; fast Griffin-Lim
#: 2.1, 34), and the STFT alone (gl spectrogram: about 11).
RETRIEVAL_BYTES_PER_COEFFICIENT = 64
STFT_BYTES_PER_COEFFICIENT = 16


def _refuse_if_too_large(geometry: STFT, n_samples: int, channels: int, bytes_per_coefficient: int, advice: str = "") -> None:
    """A spectrogram too large for the machine's memory, refused before any work (a large
    --n-fft at --hop 1 grew to 24 GB before the kernel killed the process, without a word)."""
    memory = _physical_memory()
    coefficients = channels * geometry.n_frames(n_samples) * geometry.n_freq
    needed = bytes_per_coefficient * coefficients
    if memory is not None and needed > memory:
        raise UsageError(f"the spectrogram would have {coefficients:,} coefficients ({channels} channel(s) x {geometry.n_frames(n_samples):,} "
                         f"frames x {geometry.n_freq:,} bins), about {_size(needed)} to work on, more than this machine's "
                         f"{_size(memory)}: use a larger --hop or a smaller --n-fft{advice}")


def _physical_memory() -> Optional[int]:
    """The machine's physical memory in bytes, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _geometry_from_args(args, sample_rate: float) -> STFT:
    n_fft = args.n_fft if args.n_fft is not None else default_n_fft(sample_rate)
    if args.n_fft is None and args.win_length is not None and args.win_length > n_fft:
        n_fft = args.win_length
    if args.hop is None and args.win_length is None and 2 <= n_fft < 4:  # the library's words would name --win-length
        raise UsageError(f"--hop defaults to n_fft // 4 = 0 for --n-fft {n_fft}; give --hop")
    keywords: dict[str, Any] = {"n_fft": n_fft, "hop_length": args.hop, "win_length": args.win_length}
    if args.window is not None:
        keywords["window"] = args.window
    if args.center is not None:
        keywords["center"] = args.center
    if args.pad_mode is not None:
        keywords["pad_mode"] = args.pad_mode
    return STFT(**keywords)


def _describe_geometry(geometry: STFT) -> str:
    window = geometry.window_name or "custom"
    return (
        f"n_fft {geometry.n_fft}, hop {geometry.hop_length}, win_length {geometry.win_length}, "
        f"{window} window, {'centred' if geometry.center else 'not centred'}"
    )


def _iterations(count: int) -> str:
    return f"{count} iteration" if count == 1 else f"{count} iterations"


def _method_line(info, block_seconds: Optional[float] = None) -> str:
    """The report's method line: the start and the iterations as each kind of method has them."""
    registry = importlib.import_module("gl.reconstruct")
    # Spectrogram.invert's second run, for windows that barely overlap (gl.STFT.low_overlap)
    floored = ""
    flags = np.atleast_1d(np.asarray(getattr(info, "floored_between_frames", False), dtype=bool)).reshape(-1)
    if flags.any():
        where = "" if flags.all() else " in channel" + ("s " if flags.sum() > 1 else " ") + ", ".join(
            str(channel + 1) for channel in np.flatnonzero(flags))
        floored = (f"; run again with a floor between frames{where}, where least squares had left spikes" if block_seconds is None
                   else f"; with a floor between frames{where} in the blocks where least squares had left spikes")
    blocks = "" if block_seconds is None else f", in blocks of {block_seconds:.3g} s"
    if info.method in registry.SINGLE_PASS_METHODS:
        return f"  method                {info.method} (one pass, no iterations){blocks}{floored}"
    if info.method == "rtisila":
        start = "from its overlap-add estimate" if info.init in (None, "overlap") else f"initial phase {info.init}"
        return f"  method                rtisila, {_iterations(info.n_iter)} per frame, {start}{blocks}"
    stopped = " (stopped by --tol)" if info.converged else ""
    each = "" if block_seconds is None else " a block"
    return f"  method                {info.method}, initial phase {info.init}, {_iterations(info.n_iter)}{each}{stopped}{blocks}{floored}"


def _convergence_line(sc, per_channel) -> str:
    """The report's spectral convergence line: over all channels, and each one's when there are several."""
    each = "" if len(per_channel) < 2 else "  (per channel: " + ", ".join(_format_db(_db(v)) for v in per_channel) + ")"
    return f"  spectral convergence  {_format_db(_db(sc))}{each}"


def _wrote_line(output, written, suffix: str = "") -> str:
    """``wrote OUT``, with --normalize's gain when it applied one."""
    gain = "" if written.gain == 1.0 else (f", normalized to {float(_db(written.peak)):+.1f} dBFS (gain {_format_gain(written.gain)})")
    return f"wrote {output}{suffix}{gain}"


def _format_gain(gain: float) -> str:
    if gain == 0:  # a --peak-db whose level is below float64's smallest number
        return "-inf dB"
    return f"{20 * np.log10(gain):+.1f} dB" if np.isfinite(gain) and gain > 0 else "beyond float range"


def _window_text(geometry: STFT) -> str:
    """The window as --window spells it (``'tukey,0.25'``, ``'hann'``), ``'array'`` for samples given as such."""
    from .windows import window_parameter

    name = geometry.window_name
    if name is None:
        return "array"
    parameter = window_parameter(geometry.window)
    return name if parameter is None else f"{name},{parameter:g}"


def _geometry_fields(geometry: STFT) -> dict[str, Any]:
    return {
        "n_fft": geometry.n_fft,
        "hop_length": geometry.hop_length,
        "win_length": geometry.win_length,
        "window": _window_text(geometry),
        "center": geometry.center,
    }


def _check_plot_available(args) -> None:
    if getattr(args, "plot", None) is None:
        return
    try:
        importlib.import_module("matplotlib")  # (an import statement of an unused name: pyflakes reads no noqa)
    except ImportError:
        raise UsageError("--plot needs matplotlib, which is not installed: pip install matplotlib") from None
    if Path(args.plot).suffix.lower() not in (".png", ".pdf", ".svg", ".jpg", ".jpeg"):
        raise UsageError(f"--plot {args.plot}: name the picture .png, .pdf or .svg")


#: The flag that sets what a reserved ``-O`` name would (``_check_retrieval_args`` names it).
_FLAG_OF_RESERVED_OPTION = {
    "n_iter": "--n-iter", "n_iter_per_frame": "--n-iter, RTISI-LA's iterations per frame", "init": "--init",
    "rng": "--seed", "random_state": "--seed", "tol": "--tol", "length": "--length", "n_fft": "--n-fft",
    "hop_length": "--hop", "win_length": "--win-length", "window": "--window", "center": "--center or --no-center",
    "pad_mode": "--pad-mode", "fade_edges": "--no-edge-fade",
}


def _check_retrieval_args(args) -> tuple[Optional[str], Optional[str], dict[str, Any]]:
    """The method, the init and the method options, checked before any work.

    None for a method or init the user did not give: ``gl.reconstruct`` then picks its
    defaults. ``args.n_iter`` is set to its default (100, or RTISI-LA's 5 per frame) when not given."""
    registry = importlib.import_module("gl.reconstruct")
    iterative = importlib.import_module("gl._iterative")
    if getattr(args, "peak_db", None) is not None and not getattr(args, "normalize", False):
        raise UsageError(f"--peak-db {args.peak_db:g} sets the peak of --normalize; add --normalize (or drop --peak-db)")
    if getattr(args, "peak_db", None) is not None and not (np.isfinite(args.peak_db) and args.peak_db <= 0):
        raise UsageError(f"--peak-db {args.peak_db:g} must be a finite number <= 0 (dBFS: 0 is full scale)")
    method = args.method
    init = args.init
    known_inits = ["random", "zeros", *iterative.INITIALIZERS]
    if init is not None and init not in known_inits:
        raise UsageError(f"--init {init!r} is unknown; use one of {', '.join(known_inits)}")
    if init is not None and init in iterative.INITIALIZERS:
        module_name = iterative.INITIALIZERS[init][0]
        if importlib.util.find_spec(module_name) is None:
            available = ["random", "zeros"] + [name for name, (module, _) in iterative.INITIALIZERS.items() if importlib.util.find_spec(module)]
            raise UsageError(f"--init {init} is not available in this version of gl; use one of {', '.join(available)}")
    if args.tol is not None and not 0 < args.tol < 1:
        raise UsageError(f"--tol {args.tol} must be between 0 and 1 (e.g. 1e-4)")
    if getattr(args, "block_seconds", None) is not None:
        for flag, given in (("--tol", args.tol is not None), ("--plot", bool(args.plot))):
            if given:
                raise UsageError(f"--block-seconds inverts the blocks separately, so {flag} (which needs the whole run's "
                                 f"history) does not apply: drop one of them")
    if not _iterates(method):
        if args.tol is not None:
            raise UsageError(f"--tol does not apply to --method {method}: it makes one pass, not iterations"
                             + (" (--n-iter sets its iterations per frame)" if method == "rtisila" else "")
                             + (f" ({method}'s own heap tolerance, relative to the largest magnitude, is -O heap_tol=...)"
                                if method in ("pghi", "rtpghi") else ""))
        if init is not None and method != "rtisila":
            raise UsageError(f"--init does not apply to --method {method}, which makes its own phase in one pass"
                             + (f"; to iterate from it use --method fgla --init {method}" if method in iterative.INITIALIZERS else ""))
        if args.n_iter is not None and method != "rtisila":
            raise UsageError(f"--n-iter does not apply to --method {method}: it makes one pass, not iterations")
    if args.n_iter is None:  # RTISI-LA's are per frame, 5 by default
        args.n_iter = RTISILA_N_ITER if method == "rtisila" else DEFAULT_N_ITER
    options = dict(args.option)
    if options:
        method_name = registry.DEFAULT_METHOD if method is None else method
        function, fixed = registry.method_function(method_name)
        parameters: Mapping[str, inspect.Parameter] = registry._method_parameters(function)
        # what gl's flags set (named in the refusal), and what the command itself passes or needs
        reserved = {*_FLAG_OF_RESERVED_OPTION, "S", "callback", "return_info", "geometry", "sym", "return_phase"}
        accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        own = sorted(name for name in parameters if name not in reserved and name not in fixed and parameters[name].kind is inspect.Parameter.KEYWORD_ONLY)
        for name in options:
            if name in reserved:
                if name == "tol" and "heap_tol" in parameters:
                    raise UsageError(f"-O tol=...: tol is the iterations' stop (--tol), and {method_name} makes one pass; "
                                     f"its heap tolerance, relative to the largest magnitude, is -O heap_tol=...")
                setting_flag = _FLAG_OF_RESERVED_OPTION.get(name)
                raise UsageError(f"-O {name}=...: {name} is not a method option; gl's own flags or the input set it "
                                 + (f"({setting_flag}; see --help)" if setting_flag else "(see --help)"))
            unused = _unused_options(method_name)
            if name in fixed or (name not in parameters and not accepts_any) or name in unused:
                own = [option for option in own if option not in unused]
                raise UsageError(f"-O {name}=...: method {method_name} has no option {name!r}; its options are {', '.join(own) or 'none'}"
                                 + unused.get(name, ""))
    if init is None and method is not None and _iterates(method):  # as without --method: the help's default
        init = registry.DEFAULT_INIT
    if options:
        _try_options(registry, method, init, options)
    return method, init, options


def _try_options(registry, method: Optional[str], init: Optional[str], options: dict) -> None:
    """Run the method on a small made-up spectrogram with the -O options, so that a bad value
    is refused before any work (a mel input's conversion can take minutes). The method's own
    checks say what is wrong; warnings of the trial are not shown."""
    geometry = STFT(64, 16)
    trial = np.abs(geometry.stft(np.random.default_rng(0).standard_normal(512)))
    try:
        with contextlib.ExitStack() as stack:
            if threading.current_thread() is threading.main_thread():  # the filters are the whole process's
                stack.enter_context(warnings.catch_warnings())
                warnings.simplefilter("ignore")
            registry.reconstruct(trial, method=method, init=init, n_iter=1 if _iterates(method) else None, rng=0,
                                 geometry=geometry, **options)
    except (ValueError, TypeError) as error:
        raise UsageError(_describe_error(error)) from None


#: Keywords a method's function takes but the method does not use, with where they apply.
def _unused_options(method: str) -> dict[str, str]:
    """gl.reconstruct's :data:`~gl.reconstruct.UNUSED_OPTIONS` of ``method`` in the command's words:
    the end of its refusal of such an ``-O``, ``' (plain Griffin-Lim has no momentum: use --method fgla)'``."""
    from .reconstruct import UNUSED_OPTIONS

    return {name: f" ({why}: use --method {other})" for name, (why, other) in UNUSED_OPTIONS.get(method, {}).items()}


def _output_path(text: str) -> Path:
    """``-o``'s value as a path; a trailing slash (which ``Path`` drops) names a folder, not a file."""
    if not text.strip():
        raise UsageError("-o is empty: give the output file's name (say out.wav)")
    if text.endswith(("/", os.sep)):
        raise UsageError(f"-o {text}: a name ending in {text[-1]} is a folder; give a file name")
    return Path(text)


def _check_outputs(paths: Sequence[Path], force: bool) -> None:
    from .audio import check_output_path

    for path in paths:
        check_output_path(path, force=force)


def _iterates(method: Optional[str]) -> bool:
    """Whether ``method`` (None: the default) iterates, and so takes a progress callback."""
    registry = importlib.import_module("gl.reconstruct")
    return method not in registry.SINGLE_PASS_METHODS and method != "rtisila"


def _retrieve(S: np.ndarray, geometry: STFT, length: int, args, method: Optional[str], init: Optional[str], options: dict, label: str,
              sample_rate: Optional[float] = None, block_seconds: Optional[float] = None):
    """Run the phase retrieval with progress; returns ``(y, info)``. Through
    :meth:`Spectrogram.invert`, as ``gl invert``: the end samples only a window's tip sees
    are faded (``--no-edge-fade`` keeps them), else a non-centred framing's ends come back
    as clicks. With ``block_seconds``, block by block (:func:`_invert`)."""
    from .spectrogram import Spectrogram

    return _invert(Spectrogram(S, geometry, length=length, sample_rate=sample_rate), args, method, init, options, label,
                   block_seconds)


def _invert(spectrogram, args, method: Optional[str], init: Optional[str], options: dict, label: str,
            block_seconds: Optional[float] = None):
    """``spectrogram.invert`` with the command's flags and a progress line; returns ``(y, info)``.

    With ``block_seconds``, block by block (:func:`gl.reconstruct_long`): a note on stderr,
    and a progress line that counts the iterations of all the blocks (each block's run
    counts its own from 1: :func:`_block_ticks`)."""
    if block_seconds is not None:
        shown = not (args.quiet or args.json)
        if shown:
            print(f"{label}inverting in blocks of {block_seconds:.3g} s ...", file=sys.stderr, flush=True)
        progress = Progress(args.n_iter, magnitude=spectrogram.magnitude, label=label, enabled=None if shown else False)
        tick = _block_ticks(progress, spectrogram, block_seconds, args.n_iter) if progress.enabled and _iterates(method) else None
        try:
            with importlib.import_module("gl._run").measuring_only_the_ends(tick):  # as without blocks: the ends only
                return spectrogram.invert(method=method, n_iter=args.n_iter, init=init, rng=np.random.default_rng(args.seed),
                                          return_info=True, fade_edges=args.fade_edges, block_seconds=block_seconds, **options)
        finally:
            progress.close()
    progress = Progress(args.n_iter, magnitude=spectrogram.magnitude, label=label,
                        enabled=None if not (args.quiet or args.json) else False)
    try:
        measuring, callback = _measuring_and_callback(args, progress, method)
        with measuring:
            return spectrogram.invert(
                method=method,
                n_iter=args.n_iter,
                init=init,
                rng=np.random.default_rng(args.seed),
                tol=args.tol,
                callback=callback,
                return_info=True,
                fade_edges=args.fade_edges,
                **options,
            )
    finally:
        progress.close()


def _block_ticks(progress: Progress, spectrogram, block_seconds: float, n_iter: int) -> Callable[[int, float], None]:
    """The ``on_iteration`` of a block-by-block run: ``progress`` ticked with the iterations of
    all the blocks so far, out of ``n_iter`` a block times the blocks of
    :func:`gl.longform.plan_blocks` (with reconstruct_long's default overlap; a block that
    runs again with the floor between frames adds its iterations, and the total grows)."""
    longform = importlib.import_module("gl.longform")
    block = max(2, round(block_seconds * spectrogram.sample_rate / spectrogram.geometry.hop_length))
    overlap = longform.default_overlap_frames(spectrogram.geometry, spectrogram.sample_rate, block)
    blocks = len(longform.plan_blocks(spectrogram.magnitude.shape[-1], block, overlap))
    progress.n_iter = max(1, n_iter) * blocks
    done = [0]
    started = time.perf_counter()

    def tick(iteration: int, elapsed: float) -> None:
        done[0] += 1
        progress.n_iter = max(progress.n_iter, done[0])
        progress.tick(done[0], time.perf_counter() - started)

    return tick


def _block_seconds(args, geometry: STFT, n_frames: int, channels: int, sample_rate: float) -> Optional[float]:
    """The seconds a block of the inversion, or None for the whole at once.

    ``--block-seconds`` as given; else, when the whole would need more than the machine's
    memory (``RETRIEVAL_BYTES_PER_COEFFICIENT``; refused with --tol or --plot, which need the
    whole run), blocks of ``DEFAULT_BLOCK_SECONDS``, or fewer seconds where such a block
    would need more than a quarter of the memory. A block must hold twice the smallest overlap
    blocks share (``2 ceil(n_fft / hop)`` frames: each block moves on by at least as much as it
    shares) and fit in memory.
    """
    hop = geometry.hop_length
    memory = _physical_memory()
    per_frame = RETRIEVAL_BYTES_PER_COEFFICIENT * channels * geometry.n_freq  # bytes to work on a frame
    fewest = 2 * -(-geometry.n_fft // hop)  # twice reconstruct_long's smallest overlap: no frame worked on more than twice
    size = f"{channels} channel(s) x {n_frames:,} frames x {geometry.n_freq:,} bins"
    seconds = args.block_seconds
    if seconds is None:
        if memory is None or per_frame * n_frames <= memory:
            return None
        whole = (f"the spectrogram would have {channels * n_frames * geometry.n_freq:,} coefficients ({size}), about "
                 f"{_size(per_frame * n_frames)} to work on, more than this machine's {_size(memory)}")
        if args.tol is not None or args.plot:
            raise UsageError(f"{whole}, and {'--tol' if args.tol is not None else '--plot'} needs the whole run: drop it to "
                             "invert block by block (--block-seconds), or use a larger --hop or a smaller --n-fft")
        frames = min(int(DEFAULT_BLOCK_SECONDS * sample_rate / hop), memory // (4 * per_frame))
        # blocks of at least four times reconstruct_long's default overlap (0.3 s), not mostly overlap
        fewest = 4 * importlib.import_module("gl.longform").default_overlap_frames(geometry, sample_rate, 2**62)
        if frames < fewest:
            raise UsageError(f"{whole}, and a block of {fewest} frames (four times the overlap blocks share) would need "
                             f"{_size(fewest * per_frame)}, more than a quarter of it: use a larger --hop or a smaller --n-fft")
        return frames * hop / sample_rate
    frames = round(min(seconds * sample_rate / hop, 2.0**62))  # 1e305 s: inf frames, a block longer than any input
    if frames < fewest:
        raise UsageError(f"--block-seconds {seconds:g} is {frames} frames at hop {hop} and {sample_rate:g} Hz; a block needs at "
                         f"least {fewest} ({fewest * hop / sample_rate:.3g} s), to share an overlap with the next and move on by as much")
    if memory is not None and min(frames, n_frames) * per_frame > memory:
        raise UsageError(f"--block-seconds {seconds:g} is {frames:,} frames, about {_size(frames * per_frame)} to work on "
                         f"({channels} channel(s) x {geometry.n_freq:,} bins), more than this machine's "
                         f"{_size(memory)}: give fewer seconds")
    return seconds


def _size(n_bytes: float) -> str:
    """``n_bytes`` for a message: GiB from one, else MiB."""
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.1f} MiB"


def _measuring_and_callback(args, progress: Progress, method: Optional[str]):
    """The context a command's retrieval runs in, and its callback.

    The report gives where the run started and ended, so the iterations run on their
    faster, unmeasured path (:func:`gl._run.measuring_only_the_ends`), with the progress
    line told of each iteration but not measuring it: a terminal and a pipe get the same
    result, bit for bit. Only ``--plot``'s curve and ``--tol`` need every iteration
    measured; then the progress line is the callback and shows the spectral convergence
    (the momentum of fast Griffin-Lim then runs on spectrograms: the same iterates to
    rounding, not to the bit).
    """
    from ._run import measuring_only_the_ends

    shows = progress.enabled and _iterates(method)
    if args.plot or args.tol is not None:
        return contextlib.nullcontext(), (progress if shows else None)
    return measuring_only_the_ends(progress.tick if shows else None), None


#: Peaks (dBFS) beyond which the level of audio made from a bare array says its convention was misread.
#: The quiet end was -90 dBFS: scipy.signal.spectrogram's Sxx (a density-scaled PSD) read as --from
#: librosa came back at -75.2 to -109.7 dBFS from 3 s of the six dev clips (peak -1 dBFS; at -75 to -89
#: from five of them) with no level warning, where the 96 correct reads of them (see SUSPECT_PEAK_DB)
#: peak at -9.1 dBFS and above. At -60 the quiet end keeps 15 dB from the loudest of those misreads
#: and 51 dB from the quietest correct read: only a recording peaking near -50 dBFS or below, read
#: correctly, is warned about (read as --from torchaudio, the PSD's square root, at -48 to -65 dBFS:
#: caught for one clip of the six).
IMPLAUSIBLE_PEAK_DB = (-60.0, 20.0)

#: The peak (dBFS) above which audio made from a bare array is warned about when the read could have
#: misread it (a power read as a magnitude, a normalisation undone that was never applied), below
#: IMPLAUSIBLE_PEAK_DB's +20. A power read as a magnitude comes back at about twice the input's peak
#: level plus 30 to 45 dB: quieter inputs land under +20 dBFS, with only the clipping warning to say so,
#: whose advice (--normalize, --subtype FLOAT) hides the mistake. Measured on 3 s of the six dev clips
#: (peak -1 dBFS), 50 iterations: the correct reads of every --from at its defaults (scipy's four
#: modes and scalings, scipy-stft's Zxx and |Zxx|, ShortTimeFFT's spectrogram with scale_to None,
#: 'magnitude' and 'psd', librosa's |X| and |X|**2 with --power 2, torchaudio's power, normalized
#: power and magnitude, librosa's mel and torchaudio's MelSpectrogram: 96 reads) peak at -9.1 to
#: +1.6 dBFS; the misreads at +16.8 (d05, torchaudio's unnormalised power read with -P
#: normalized=True) to +45.4 dBFS, and an input 15 dB quieter brings a misread power 30 dB lower.
SUSPECT_PEAK_DB = 6.0


#: The power each convention assumes without --power (scipy's comes from its mode).
_DEFAULT_POWER = {"librosa": 1.0, "torchaudio": 2.0, "mel": 2.0, "torchaudio-mel": 2.0, "shorttimefft": 2.0}

#: Where each convention's scaling is set, for the advice on a level that looks wrong.
_SCALING_FLAGS = {"scipy": "-P mode= and -P scaling=", "scipy-stft": "-P scaling=", "shorttimefft": "-P scale_to=",
                  "torchaudio": "-P normalized=", "torchaudio-mel": "-P normalized="}


def _warn_if_level_implausible(y: np.ndarray, args) -> None:
    """Warn when audio made from a bare array peaks near silence or far above full scale: the
    usual cause is a convention read wrongly (a power taken for a magnitude, another scaling,
    a dB array relative to its peak), which spectral convergence does not show. ``args``: the
    settings the array was read with, those its .npz stores included (a stored power is not
    to be given again as --power, which would contradict it, but corrected in the file)."""
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak == 0.0 or not np.isfinite(peak):
        return
    peak_db = 20.0 * math.log10(peak)
    quiet, loud = IMPLAUSIBLE_PEAK_DB
    convention = args.convention
    power_flag = "--power "  # as typed: -P power=1 is advised -P power=2
    if args.power is not None:
        power = args.power
    elif isinstance(dict(args.param).get("power"), (int, float)):
        power, power_flag = float(dict(args.param)["power"]), "-P power="
    elif convention == "librosa" and ("db", "power") in args.param:
        power = 2.0
    else:
        power = _DEFAULT_POWER.get(convention)
    normalized = dict(args.param).get("normalized") if convention in ("torchaudio", "torchaudio-mel") else None
    # above SUSPECT_PEAK_DB, warned about only with a likely mistake to name: a power read as a magnitude,
    # or torchaudio's normalisation undone (the array multiplied by the window's norm, or sqrt(n_fft))
    suspect = peak_db > SUSPECT_PEAK_DB and ((power is not None and power < 2) or normalized not in (None, False))
    if quiet <= peak_db <= loud and not suspect:
        return
    stored = getattr(args, "stored_in_file", {}).get("power")  # the name of the power the .npz stores, if it gave it
    typed, stored = getattr(args, "typed_as_stored", {}).get("power", (None, stored))  # --power 2 typed, as the file says

    def power_advice(holds: str, right: int) -> str:
        if stored is None:
            return f"if the array holds {holds}, give {power_flag}{right} (read as |X|**{power:g})"
        return (f"if the array holds {holds}, the {stored}={power:g} stored in {args.input} is wrong: store {right}"
                + (f" and drop {typed}" if typed else "") + f" (read as |X|**{power:g})")

    advice = []
    said_normalized = False
    if peak_db > loud or suspect:
        if power is not None and power < 2:
            advice.append(power_advice("a power |X|**2", 2))
        if normalized not in (None, False):  # the array multiplied by the window's norm (or sqrt(n_fft)), 12 to 26 dB up
            advice.append(f"if torchaudio's Spectrogram did not normalize it (its default), drop -P normalized={normalized}")
            said_normalized = True  # not 'check -P normalized=' as well
        if convention in ("scipy", "scipy-stft"):  # librosa's |X| read as a density-scaled PSD: 50 dB and more too loud
            advice.append("an unscaled |X| (librosa.stft, torchaudio's Spectrogram) needs --from librosa or --from torchaudio")
        advice.append("if the audio was that loud (samples scaled to integers, say), add --normalize")
    else:
        if power is not None and power > 1:
            advice.append(power_advice("a magnitude |X|", 1))
        if convention in ("librosa", "torchaudio", "mel"):
            advice.append("a scipy spectrogram (density-scaled) needs --from scipy")
        advice.append("a dB array made relative to its maximum (ref=np.max) lost its level: add --normalize")
    if convention in _SCALING_FLAGS and not said_normalized:
        advice.append(f"check {_SCALING_FLAGS[convention]}")
    warnings.warn(f"the audio made from {args.input} peaks at {peak_db:+.0f} dBFS: the array looks read with the wrong "
                  f"convention (--from {convention}); " + "; ".join(advice), UserWarning, stacklevel=2)


def _retrieval_fields(info, sc: float, per_channel: list, magnitude: np.ndarray) -> dict[str, Any]:
    initial = np.asarray(info.initial_spectral_convergence if info.initial_spectral_convergence is not None else np.nan, dtype=np.float64)
    if initial.size and np.all(np.isfinite(initial)):  # over all channels, as spectral_convergence
        initial = np.asarray(_overall_sc(magnitude, initial))
    return {
        "method": info.method,
        "init": info.init,
        "n_iter": int(info.n_iter),
        "converged": bool(info.converged),
        "floored_between_frames": bool(np.any(getattr(info, "floored_between_frames", False))),
        "floored_between_frames_per_channel": [bool(flag) for flag in np.reshape(getattr(info, "floored_between_frames", False), -1)],
        "spectral_convergence": _finite_or_none(sc),
        "spectral_convergence_db": _finite_or_none(_db(sc)),
        "spectral_convergence_db_per_channel": [_finite_or_none(_db(value)) for value in per_channel],
        "initial_spectral_convergence_db": _finite_or_none(np.max(_db(initial))) if initial.size else None,
        "elapsed_s": round(float(info.elapsed), 4),
    }


def _write_audio(path: Path, y: np.ndarray, sample_rate: int, args, force: Optional[bool] = None):
    from .audio import DEFAULT_PEAK_DB, write_audio

    return write_audio(path, y, sample_rate, subtype=args.subtype, normalize=args.normalize,
                       peak_db=DEFAULT_PEAK_DB if args.peak_db is None else args.peak_db,
                       force=args.force if force is None else force, channels_first=True)  # y is (channels, n) as read


def _plot(args, original: np.ndarray, reconstructed: np.ndarray, info, geometry: STFT, sample_rate: Optional[float], title: str,
          original_name: str = "original"):
    """Original and reconstructed spectrograms (first channel) and the convergence curve,
    drawn now; returns the function that writes the file. The figure is made before the
    audio is written and written after it, so that a plot that fails leaves no audio behind."""
    import io

    from matplotlib.figure import Figure

    from .audio import atomic_output

    channels = int(np.prod(original.shape[:-2], dtype=int))
    shown = "" if channels == 1 else f", channel 1 of {channels}"
    original = original.reshape((-1,) + original.shape[-2:])[0]
    reconstructed = reconstructed.reshape((-1,) + reconstructed.shape[-2:])[0]
    reference = max(float(original.max()), np.finfo(np.float64).tiny)
    floor = -80.0
    figure = Figure(figsize=(10, 7), layout="constrained")
    axes = figure.subplots(3, 1)
    if sample_rate:
        extent = (0, original.shape[1] * geometry.hop_length / sample_rate, 0, sample_rate / 2 / 1000)
        xlabel, ylabel = "time (s)", "frequency (kHz)"
    else:
        extent = (0, original.shape[1], 0, original.shape[0])
        xlabel, ylabel = "frame", "bin"
    for axis, magnitude, name in ((axes[0], original, original_name), (axes[1], reconstructed, "reconstructed")):
        image = axis.imshow(
            np.maximum(_db(np.maximum(magnitude, 1e-12) / reference), floor),
            origin="lower", aspect="auto", extent=extent, vmin=floor, vmax=0, cmap="magma",
        )
        axis.set_title(f"{name} magnitude (dB{shown})")
        axis.set_xlabel(xlabel)
        axis.set_ylabel(ylabel)
        figure.colorbar(image, ax=axis, label="dB")
    history = np.asarray(info.spectral_convergence_db, dtype=np.float64)
    history = history.reshape(len(history), -1) if history.size else history.reshape(0, 1)  # n_iter=0: no curve
    registry = importlib.import_module("gl.reconstruct")
    if info.method in registry.SINGLE_PASS_METHODS or info.method == "rtisila" or history.shape[0] == 0:  # no curve: say what there is
        final = history[-1] if history.shape[0] else np.atleast_1d(_db(np.asarray(info.initial_spectral_convergence, dtype=np.float64)))
        what = ("no iterations (--n-iter 0)" if history.shape[0] == 0 else
                f"rtisila: {_iterations(info.n_iter)} per frame, frame by frame" if info.method == "rtisila" else
                f"{info.method}: one pass, no iterations")
        axes[2].text(0.5, 0.5, f"{what}\nspectral convergence " + ", ".join(_format_db(value) for value in np.ravel(final)),
                     ha="center", va="center", transform=axes[2].transAxes, fontsize=12)
        axes[2].set_axis_off()
    else:
        iterations = np.arange(1, history.shape[0] + 1)
        start = info.initial_spectral_convergence
        if start is not None and np.size(start) == history.shape[1]:  # the starting phase's, at iteration 0
            iterations = np.arange(0, history.shape[0] + 1)
            history = np.concatenate([np.reshape(_db(np.asarray(start, dtype=np.float64)), (1, -1)), history])
        for channel in range(history.shape[1]):
            axes[2].plot(iterations, history[:, channel], label=f"channel {channel + 1}" if history.shape[1] > 1 else None)
        if history.shape[1] > 1:
            axes[2].legend()
        axes[2].set_xlabel("iteration")
        axes[2].set_ylabel("spectral convergence (dB)")
        axes[2].set_title(f"{info.method} from {info.init} phase")
        axes[2].grid(True, alpha=0.3)
    figure.suptitle(title)
    rendered = io.BytesIO()
    figure.savefig(rendered, format=Path(args.plot).suffix.lstrip(".").lower() or "png")

    def publish() -> None:
        with atomic_output(args.plot, force=args.force) as temporary:
            temporary.write_bytes(rendered.getvalue())

    return publish


# ----------------------------------------------------------------------------- commands
def _run_demo(args) -> int:
    from importlib import resources

    from .audio import _published_together, read_audio

    method, init, options = _check_retrieval_args(args)
    _check_plot_available(args)
    folder = Path(args.output_dir)
    looks_like_a_file = folder.suffix.lower() in (".wav", ".flac", ".ogg")
    if (folder.exists() and not folder.is_dir()) or (not folder.exists() and looks_like_a_file):
        raise UsageError(f"-o {args.output_dir}: gl demo's -o names a folder, where it writes {DEMO_OUTPUT} and {DEMO_ORIGINAL}; "
                         "for a file of your choice use gl roundtrip IN -o OUT.wav")
    output, original_copy = folder / DEMO_OUTPUT, folder / DEMO_ORIGINAL
    # the demo's own two files are replaced (running the README's first line twice must work);
    # a --plot file is the user's, and needs --force like any other output
    _check_outputs([output, original_copy], force=True)
    _check_outputs([Path(args.plot)] if args.plot else [], args.force)

    source = resources.files("gl") / "data" / DEMO_FILE
    with resources.as_file(source) as path:
        if not path.exists():
            raise OSError(f"the built-in recording {DEMO_FILE} is missing from the installed package; reinstall gl the way it was installed (from its source: pip install --force-reinstall .)")
        x, sample_rate = read_audio(path, dtype=np.float32)  # (1, n)
    geometry = STFT(n_fft=default_n_fft(sample_rate))
    S = np.abs(geometry.stft(x))  # (1, n_freq, n_frames)
    block_seconds = _block_seconds(args, geometry, S.shape[-1], 1, sample_rate)
    y, info = _retrieve(S, geometry, x.shape[-1], args, method, init, options, "demo: ", sample_rate, block_seconds)
    sc, per_channel = _spectral_convergence(S, geometry, y)
    plot = None
    if args.plot:
        plot = _plot(args, S, np.abs(geometry.stft(y)), info, geometry, sample_rate, f"gl demo: {DEMO_TITLE}")
    with _published_together():  # the pair or neither: a second write or rename failing leaves the first as it was
        with _os_errors_name(output):
            written = _write_audio(output, y, sample_rate, args, force=True)
        with _os_errors_name(original_copy):
            _write_audio(original_copy, x, sample_rate, argparse.Namespace(**{**vars(args), "normalize": False}), force=True)
    if plot:
        plot()

    report = _Report("demo")
    report.fields.update(
        input=DEMO_TITLE, output=str(output), original=str(original_copy), sample_rate=sample_rate,
        channels=int(x.shape[0]), samples=int(x.shape[-1]), **_geometry_fields(geometry),
        **_retrieval_fields(info, sc, per_channel, S), clipped_samples=written.clipped, gain=_finite_or_none(written.gain),
        block_seconds=block_seconds, **({"plot": str(args.plot)} if args.plot else {}),
    )
    report.lines += [
        f"gl demo: {DEMO_TITLE} ({x.shape[-1] / sample_rate:.2f} s, {sample_rate} Hz)",
        f"  spectrogram           {_describe_geometry(geometry)}: {S.shape[-2]} bins x {S.shape[-1]} frames",
        _method_line(info, block_seconds),
        _convergence_line(sc, per_channel),
        f"  time                  {info.elapsed:.2f} s",
        _wrote_line(output, written, f" (reconstruction) and {original_copy} (original): listen to both"),
    ]
    if args.plot:
        report.lines.append(f"wrote {args.plot}")
    report.emit(args)
    return EXIT_OK


def _run_roundtrip(args) -> int:
    from .audio import audio_format, check_audio_output, read_audio

    method, init, options = _check_retrieval_args(args)
    _check_plot_available(args)
    output = _output_path(args.output)
    audio_format(output, args.subtype)
    _check_outputs([output] + ([Path(args.plot)] if args.plot else []), args.force)
    x, sample_rate = read_audio(args.input, dtype=np.float32)  # (channels, n)
    check_audio_output(output, args.subtype, x.shape[0], sample_rate)  # channels and rate the format holds
    geometry = _geometry_from_args(args, sample_rate)
    _warn_if_frames_outgrow(geometry, x.shape[-1])
    _warn_if_low_overlap(geometry)
    _warn_if_fewer_magnitudes_than_samples(geometry)
    # the spectrogram must fit; the inversion goes block by block where the whole would not (_block_seconds)
    _refuse_if_too_large(geometry, x.shape[-1], x.shape[0], STFT_BYTES_PER_COEFFICIENT)
    block_seconds = _block_seconds(args, geometry, geometry.n_frames(x.shape[-1]), x.shape[0], sample_rate)
    S = _magnitude(geometry, x, args.input)  # (channels, n_freq, n_frames)
    y, info = _retrieve(S, geometry, x.shape[-1], args, method, init, options, "roundtrip: ", sample_rate, block_seconds)
    if block_seconds is None:
        sc, per_channel = _spectral_convergence(S, geometry, y)
    else:  # measured block by block already (a whole STFT of y is what the blocks avoid)
        measured = np.atleast_1d(info.spectral_convergence[-1])
        sc, per_channel = _overall_sc(S, measured), np.reshape(measured, -1).tolist()
    plot = _plot(args, S, np.abs(geometry.stft(y)), info, geometry, sample_rate, f"gl roundtrip: {Path(args.input).name}") if args.plot else None
    written = _write_audio(output, y, sample_rate, args)
    if plot:
        plot()

    report = _Report("roundtrip")
    report.fields.update(
        input=str(args.input), output=str(output), sample_rate=sample_rate, channels=int(x.shape[0]),
        samples=int(x.shape[-1]), **_geometry_fields(geometry), **_retrieval_fields(info, sc, per_channel, S),
        block_seconds=block_seconds, clipped_samples=written.clipped, gain=_finite_or_none(written.gain), **({"plot": str(args.plot)} if args.plot else {}),
    )
    channels = "mono" if x.shape[0] == 1 else f"{x.shape[0]} channels"
    report.lines += [
        f"gl roundtrip: {args.input} ({x.shape[-1] / sample_rate:.2f} s, {sample_rate} Hz, {channels})",
        f"  spectrogram           {_describe_geometry(geometry)}: {S.shape[-2]} bins x {S.shape[-1]} frames",
        _method_line(info, block_seconds),
        _convergence_line(sc, per_channel),
        f"  time                  {info.elapsed:.2f} s",
        _wrote_line(output, written),
    ] + ([f"wrote {args.plot}"] if args.plot else [])
    report.emit(args)
    return EXIT_OK


def _run_spectrogram(args) -> int:
    from .audio import atomic_output, read_audio

    from .spectrogram import Spectrogram

    output = _output_path(args.output)
    if output.suffix.lower() != ".npz":
        raise UsageError(f"-o {output}: a spectrogram file must end in .npz")
    mel = args.mel or args.n_mels is not None
    if not mel and (args.fmin is not None or args.fmax is not None):
        raise UsageError("--fmin and --fmax are for mel spectrograms; add --mel")
    _check_outputs([output], args.force)
    x, sample_rate = read_audio(args.input, dtype=np.float32)  # (channels, n)
    geometry = _geometry_from_args(args, sample_rate)
    _warn_if_frames_outgrow(geometry, x.shape[-1])
    _warn_if_low_overlap(geometry)
    _warn_if_fewer_magnitudes_than_samples(geometry)
    _refuse_if_too_large(geometry, x.shape[-1], x.shape[0], STFT_BYTES_PER_COEFFICIENT)
    S = _magnitude(geometry, x[0] if x.shape[0] == 1 else x, args.input)  # mono: (n_freq, n_frames)
    spectrogram = Spectrogram(S, geometry, sample_rate=sample_rate, length=x.shape[-1], source="gl")  # Spectrogram.from_audio's
    if mel or args.power is not None:
        data, convention, keywords = _features(spectrogram, args)
        with _os_errors_name(output), atomic_output(output, force=args.force) as temporary:
            _save_features(temporary, data, convention, keywords)
    else:
        data = spectrogram.magnitude
        with _os_errors_name(output), atomic_output(output, force=args.force) as temporary:
            spectrogram.save(temporary, force=True)  # the temporary file atomic_output made

    shape = [int(n) for n in np.shape(data)]
    kind = _spectrogram_kind(args)
    report = _Report("spectrogram")
    report.fields.update(
        input=str(args.input), output=str(output), sample_rate=sample_rate, channels=int(x.shape[0]),
        samples=int(x.shape[-1]), shape=shape, kind=kind, **_geometry_fields(geometry),
    )
    report.lines += [
        f"gl spectrogram: {args.input} ({x.shape[-1] / sample_rate:.2f} s, {sample_rate} Hz"
        + ("" if x.shape[0] == 1 else f", {x.shape[0]} channels") + ")",
        f"  {_describe_geometry(geometry)}",
        f"  {kind}, shape {tuple(shape)}",
        f"wrote {output} (turn it back into sound with: gl invert {_shown(output, shell=True)} -o OUT.wav)",
    ]
    report.emit(args)
    return EXIT_OK


@contextlib.contextmanager
def _os_errors_name(path: Path):
    """Within, an OSError that names no file (np.savez's failed write: 'No space left on device'
    alone) names ``path``, the file being written, as a failed write of audio does."""
    try:
        yield
    except OSError as error:
        if error.filename is not None or error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, str(path)) from error


def _spectrogram_kind(args) -> str:
    mel = args.mel or args.n_mels is not None
    power = args.power if args.power is not None else (2.0 if mel else 1.0)
    if mel:
        kind = f"mel spectrogram ({args.n_mels or DEFAULT_N_MELS} bands)"
        return kind if power == 1.0 else f"{kind} of |X|^{power:g}"
    # |X|^2 is a power spectrogram, |X| a magnitude one; another power is neither
    return {1.0: "magnitude spectrogram", 2.0: "power spectrogram (|X|^2)"}.get(power, f"spectrogram of |X|^{power:g}")


#: Mel bands of ``gl spectrogram --mel`` (librosa's default).
DEFAULT_N_MELS = 128

#: Layout of the .npz files ``gl spectrogram --mel/--power`` writes: the array as
#: ``data`` and, in the JSON ``metadata``, the importer of :mod:`gl.importers` and the
#: keywords that turn it back into a :class:`gl.Spectrogram`.
from .spectrogram import (  # noqa: E402 - gl spectrogram --power/--mel files
    FEATURES_FORMAT,
    FEATURES_VERSION,
    DamagedFileError,
    damaged_archive,
    features_metadata,
    is_damage,
    load_error_text,
)


def _features(spectrogram, args) -> tuple[np.ndarray, str, dict[str, Any]]:
    """The power or mel array of a magnitude spectrogram and how to undo it."""
    geometry = spectrogram.geometry
    window = geometry.window
    keywords: dict[str, Any] = {
        "sr": spectrogram.sample_rate,
        "n_fft": geometry.n_fft,
        "hop_length": geometry.hop_length,
        "win_length": geometry.win_length,
        "window": list(window) if isinstance(window, tuple) else window,
        "center": geometry.center,
        "pad_mode": geometry.pad_mode,
        "length": spectrogram.length,
    }
    mel = args.mel or args.n_mels is not None
    power = args.power if args.power is not None else (2.0 if mel else 1.0)
    keywords["power"] = power
    with np.errstate(over="ignore"):
        linear = spectrogram.magnitude**power if power != 1.0 else spectrogram.magnitude  # (..., n_freq, n_frames)
    if not np.all(np.isfinite(linear)):
        peak = float(np.max(spectrogram.magnitude))
        raise UsageError(f"--power {power:g} overflows {linear.dtype}: |X| reaches {peak:.3g}, and |X|**{power:g} does not fit; "
                         "use a smaller --power")
    if not mel:
        return linear, "librosa", keywords
    from .mel import filterbank_and_warning

    fmax = args.fmax if args.fmax is not None else spectrogram.sample_rate / 2
    if not 0 <= (args.fmin or 0.0) < fmax <= spectrogram.sample_rate / 2:
        raise UsageError(f"--fmin {args.fmin or 0.0:g} and --fmax {fmax:g} must satisfy 0 <= fmin < fmax <= sr / 2 = {spectrogram.sample_rate / 2:g}")
    n_mels = args.n_mels or DEFAULT_N_MELS
    # empty filters: the warning if some band is left, an error if none is
    filterbank, empty_filters = filterbank_and_warning(sr=spectrogram.sample_rate, n_fft=geometry.n_fft, n_mels=n_mels,
                                                       fmin=args.fmin or 0.0, fmax=fmax, dtype=linear.dtype)
    if filterbank.any():
        if empty_filters is not None:
            warnings.warn(empty_filters, UserWarning, stacklevel=2)
    else:
        raise UsageError(f"no mel band between --fmin {args.fmin or 0.0:g} and --fmax {fmax:g} Hz covers an FFT bin of --n-fft "
                         f"{geometry.n_fft}: the file would hold only zeros; widen the range or use a larger --n-fft")  # fmt: skip
    keywords.update(fmin=args.fmin or 0.0, fmax=fmax, htk=False, norm="slaney")
    return np.matmul(filterbank, linear), "mel", keywords  # (..., n_mels, n_frames)


def _save_features(path: Path, data: np.ndarray, convention: str, keywords: dict[str, Any]) -> None:
    metadata = {"format": FEATURES_FORMAT, "format_version": FEATURES_VERSION, "convention": convention, "keywords": keywords}
    with open(path, "wb") as handle:
        np.savez(handle, data=data, metadata=np.array(json.dumps(metadata)))


#: For a bare .npy: CLI flag -> candidate keyword names of the importer.
_IMPORTER_KEYWORDS = {
    "sr": ("sr", "fs", "sample_rate"),
    "n_fft": ("n_fft",),
    "hop": ("hop_length", "hop"),
    "win_length": ("win_length",),
    "window": ("window",),
    "center": ("center",),
    "pad_mode": ("pad_mode",),
    "power": ("power",),
    "length": ("length",),
}

#: The flags a bare array needs that -P may give instead, under the importer's keyword (-P fs=16000).
_TYPED_FLAGS = ("sr", "hop", "n_fft")

#: scipy's keywords for what --n-fft, --win-length and --hop say (nperseg, nfft, and noverlap, the
#: hop's complement), which -P may give as scipy was called (-P nperseg=400): named as typed, as
#: the keywords of :data:`_TYPED_FLAGS` are.
_SCIPY_SEGMENT_KEYWORDS = ("nperseg", "noverlap", "nfft")


def _segment_of_axes(axes: dict, args) -> Optional[tuple[int, str]]:
    """scipy's segment length (nperseg) as the ``f`` and ``t`` an .npz holds say it, read as the
    importers read them: ``t``'s start (nperseg / (2 fs)) for scipy.signal.spectrogram, and for
    scipy.signal.stft without its boundary; else ``f``'s spacing (fs / nfft; scipy's default nfft
    is nperseg, so not with -P nfft=), and the axis that says it; None where they do not say it.
    The importer checks it against both, and the hop against ``t``."""
    params = dict(args.param)
    rate = args.sr if args.sr is not None else params.get("fs")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not (math.isfinite(rate) and rate > 0):
        return None
    starts_at_half_a_segment = args.convention == "scipy" or ("boundary" in params and params["boundary"] is None)
    if "t" in axes and starts_at_half_a_segment and axes["t"].size:
        samples, axis = 2.0 * float(axes["t"][0]) * rate, "t"
    elif "f" in axes and "nfft" not in params and axes["f"].size >= 2 and float(axes["f"][1]) > 0:
        samples, axis = rate / float(axes["f"][1]), "f"
    else:
        return None
    return (int(round(samples)), axis) if math.isfinite(samples) and 1 <= round(samples) <= 2**31 - 1 else None


def _importer_keywords(function, args, source: str, axes: Optional[dict] = None) -> dict[str, Any]:
    """Map the command-line flags onto the keywords of ``function`` (one importer). ``axes``: the
    arrays the input file holds beside the spectrogram (scipy's ``f``, which says nperseg, and
    ``t``, the hop, and nperseg too for scipy.signal.spectrogram): they fill what no flag says."""
    axes = axes or {}
    given = frozenset(axes)
    parameters = inspect.signature(function).parameters
    keywords: dict[str, Any] = {}
    if ("db", "ln") in args.param and args.power is None and "power" in parameters:
        # every convention, not only those whose importer has no default power (torchaudio's is 2)
        raise UsageError(f"{source}: -P db=ln needs --power: 1 for the log of a magnitude (Tacotron 2's and HiFi-GAN's "
                         "log-mel), 2 for the log of a power")
    if "nperseg" in parameters:  # the scipy conventions: nperseg, noverlap, nfft
        nperseg = args.win_length if args.win_length is not None else args.n_fft
        if nperseg is not None:  # from the flags (-P nperseg=... as well is refused below: set twice)
            keywords["nperseg"] = nperseg
        as_keyword = dict(args.param).get("nperseg")  # -P nperseg=..., as scipy was called (passed on below)
        if nperseg is None and isinstance(as_keyword, int) and not isinstance(as_keyword, bool):
            nperseg = as_keyword
        elif nperseg is None and as_keyword is not None:
            raise UsageError(f"-P nperseg={as_keyword!r} must be a whole number of samples (or give it as --n-fft)")
        # f or t say the segment when no flag does (with f and t, the no-flag case, the importer reads both)
        from_axes = _segment_of_axes(axes, args) if nperseg is None else None
        if nperseg is None and from_axes is None and not ({"f", "t"} <= given and args.hop is None):
            raise UsageError(f"{source}: a scipy spectrogram needs its segment length: give --n-fft NPERSEG (and --hop)")
        if args.win_length is not None and args.n_fft is not None:
            keywords["nfft"] = args.n_fft
        if args.hop is not None:
            if "noverlap" not in parameters:
                raise UsageError(f"{source}: --hop does not apply to --from {args.convention}")
            if nperseg is None and from_axes is not None:  # the importer reads the segment off f or t as well
                segment, axis = from_axes
                if args.hop > segment:
                    raise UsageError(f"--hop {args.hop} is longer than the segments of {segment} samples that the {axis} in "
                                     f"{source} says; give the hop scipy's segments were made with (nperseg - noverlap)")
                nperseg = segment
            if args.hop > nperseg:  # no noverlap makes it ('noverlap=-48 must be >= 0'): said as hop and segment came
                stored = getattr(args, "stored_in_file", {})
                segment_flag = "win_length" if args.win_length is not None else "n_fft"
                hop_said = f"the {stored['hop']} in {source} is {args.hop}" if "hop" in stored else f"--hop {args.hop}"
                segment_said = (f"the {stored[segment_flag]} in {source}, {nperseg}" if segment_flag in stored
                                else f"-P nperseg={nperseg}" if as_keyword == nperseg and getattr(args, segment_flag) is None
                                else f"--{segment_flag.replace('_', '-')} {nperseg}")
                advice = "correct the file" if "hop" in stored and segment_flag in stored else "give those scipy was given"
                # said in place of the importer's 'noverlap=-48 must be >= 0' (its checks of the rows come first: a
                # stored nperseg that the rows contradict is the file's mistake to name)
                args.hop_beyond_segment = (f"{hop_said}, longer than the segments of {segment_said} samples: scipy's hop, "
                                           f"nperseg - noverlap, is at most nperseg; {advice}")
            keywords["noverlap"] = nperseg - args.hop
        elif "noverlap" in parameters and not any(name == "noverlap" for name, _ in args.param) and "t" not in given:
            # as for the other conventions: a hop taken by default is how audio comes back at the wrong tempo
            segment = nperseg if nperseg is not None else from_axes[0] if from_axes is not None else 256
            default = segment - (segment // 8 if args.convention == "scipy" else segment // 2)
            # an .npz with scipy's f but no t holds no hop either: it is not a bare array, but says as little of the hop
            what = (f"{source} holds scipy's f but no t, which would say the hop" if "f" in given
                    else f"{source} is a bare array")
            raise UsageError(f"{what}: give its hop with --hop (nperseg - noverlap; a wrong hop changes the "
                             f"tempo); scipy's default noverlap for --from {args.convention} makes it --hop {default}")
        handled = {"n_fft", "win_length", "hop"}
    elif "win" in parameters and any(name == "win" for name, _ in args.param):  # the window's samples, as a list
        typed = [flag for flag, given in (("--n-fft", args.n_fft), ("--win-length", args.win_length), ("--window", args.window))
                 if given is not None]
        if typed:
            raise UsageError(f"-P win=... and {' and '.join(typed)} both set the window; give it once: --n-fft (its length) "
                             "and --window (its name), or -P win= as the list of its samples")
        handled = set()
    elif "win" in parameters:  # ShortTimeFFT: a window array, made from --n-fft (or --win-length) and --window
        length = args.win_length if args.win_length is not None else args.n_fft
        if length is None:
            raise UsageError(f"{source}: a ShortTimeFFT spectrogram needs its window length: give --n-fft (and --window)")
        from .windows import get_window

        keywords["win"] = get_window(args.window if args.window is not None else "hann", length)
        if args.win_length is not None and args.n_fft is not None:
            keywords["mfft"] = args.n_fft
        handled = {"n_fft", "win_length", "window"}
    else:
        handled = set()
    for flag, names in _IMPORTER_KEYWORDS.items():
        value = getattr(args, flag)
        if value is None or flag in handled:
            continue
        name = next((name for name in names if name in parameters), None)
        if name is None:
            raise UsageError(f"{source}: --{flag.replace('_', '-')} does not apply to --from {args.convention}")
        keywords[name] = value
    # the flags behind the scipy keywords set above (the others are in _IMPORTER_KEYWORDS)
    scipy_flags = {"nperseg": "--n-fft (or --win-length)", "nfft": "--n-fft", "noverlap": "--hop", "win": "--window and --n-fft", "mfft": "--n-fft"}
    from_flags = dict(keywords)
    seen: set = set()
    for name, value in args.param:
        if name not in parameters:
            accepted = ", ".join(p for p in parameters if p not in ("S", "Sxx", "M"))
            window_length = (" (ShortTimeFFT's window length, nperseg of its from_window, is --n-fft)"
                             if "win" in parameters and name == "nperseg" else "")
            raise UsageError(f"-P {name}=...: the {args.convention} importer has no keyword {name!r}; it takes {accepted}"
                             + window_length)
        if name in seen:
            raise UsageError(f"-P {name}=... is given twice; give it once")
        if name in from_flags:
            flag = scipy_flags.get(name) or next((f"--{flag.replace('_', '-')}" for flag, names in _IMPORTER_KEYWORDS.items()
                                            if name in names), "a flag")
            raise UsageError(f"-P {name}=... and {flag} both set {name}; give it once")
        seen.add(name)
        keywords[name] = value
    return keywords


def _load_spectrogram(args) -> tuple[Any, argparse.Namespace]:
    """The :class:`Spectrogram` of ``args.input`` (an .npz from gl, or a bare array) and the
    settings it was read with: ``args`` and what the file stores (:func:`_stored_settings`)."""
    path = Path(args.input)
    if not path.exists():
        raise FileNotFoundError(2, f"{path} does not exist; check the file name", str(path))
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a spectrogram file")
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".npy"):
        raise UsageError(f"{path}: give an .npz file from 'gl spectrogram' or a NumPy .npy array")
    flags = [
        "--from" if flag == "convention" else ("--no-center" if flag == "center" and not args.center else f"--{flag.replace('_', '-')}")
        for flag in ("convention", "n_fft", "hop", "win_length", "window", "center", "pad_mode", "power")
        if getattr(args, flag) is not None
    ] + (["-P"] if args.param else [])
    with open(path, "rb") as handle:  # ours, so that it is closed even when np.load fails half-way
        try:
            loaded = np.load(handle, allow_pickle=False)
        except Exception as error:  # not a NumPy file, or a truncated or damaged one
            if not (isinstance(error, (ValueError, OSError)) or is_damage(error)):
                raise
            kind = "an .npz archive" if suffix == ".npz" else "a NumPy .npy array"
            raise UsageError(f"{path} is not {kind} ({load_error_text(error)}); give a file made by gl spectrogram or np.save") from None
        if isinstance(loaded, np.ndarray):
            return _import_array(loaded, args, path)
        return _from_archive(loaded, args, path, flags)


def _cut_short(path: Path) -> Optional[str]:
    """What an .npy (or a member of an .npz) says it holds, when its header promises more bytes than
    the file has: np.load allocates what the header says first, so a truncated copy of a large array
    was 'not enough memory ... try gl.reconstruct_long'. None when every header fits the file."""
    import zipfile

    def promised(handle, size: int, name: str) -> Optional[str]:
        readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        reader = readers.get(np.lib.format.read_magic(handle))
        if reader is None:
            return None
        shape, _, dtype = reader(handle)
        needed, held = math.prod(shape) * dtype.itemsize, size - handle.tell()
        return f"{name} says it holds {dtype} values of shape {shape}, {needed:,} bytes, but has {held:,}" if needed > held else None

    try:
        if not zipfile.is_zipfile(path):
            with open(path, "rb") as handle:
                return promised(handle, os.fstat(handle.fileno()).st_size, "its array")
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".npy"):
                    with archive.open(info) as member:
                        found = promised(member, info.file_size, f"its array {info.filename[:-4]!r}")
                        if found:
                            return found
    except Exception:  # noqa: BLE001 - a header that cannot be read: the MemoryError stands
        return None
    return None


def _from_archive(loaded, args, path: Path, flags: list) -> tuple[Any, argparse.Namespace]:
    """An opened .npz archive: a gl spectrogram, a gl features file, or one array with --from
    (and the settings it was read with, as :func:`_load_spectrogram`)."""
    from .spectrogram import Spectrogram

    with loaded, damaged_archive(path):  # the members are read here
        names = list(loaded.files)
        metadata = features_metadata(loaded, path) if "metadata" in names else None
        if metadata is None and args.convention is not None:  # np.load hands a member that is not an .npy over as bytes
            stored = set(loaded.zip.namelist())
            other = next((name for name in names if f"{name}.npy" not in stored), None)
            if other is not None:
                raise UsageError(f"{path} holds {other!r}, which is not a NumPy array (an .npz holds the .npy files np.savez "
                                 "writes); save the spectrogram with np.save or np.savez and give that file")
        if metadata is None and args.convention is not None and len(names) == 1:
            return _import_array(loaded[names[0]], args, path)
        if metadata is None and args.convention is not None and "magnitude" not in names:
            array, axes, args = _array_and_axes(loaded, names, args, path)
            return _import_array(array, args, path, axes)
        if metadata is not None:
            data = loaded["data"] if "data" in names else None
    if "magnitude" in names or metadata is None:
        if metadata is None and "magnitude" not in names:
            missing = " and ".join(repr(name) for name in ("magnitude", "metadata") if name not in names)
            raise UsageError(
                f"{path} is not a gl spectrogram file: it has no {missing} field{'s' if ' and ' in missing else ''} "
                f"(it has {', '.join(names) or 'nothing'}); make it with gl spectrogram, or, for another library's "
                f"spectrogram, say which with --from {'|'.join(importlib.import_module('gl.importers').CONVENTIONS)} "
                "and give its geometry (--sr, --hop ...) unless numbers saved beside it say it"
            )
        if flags:
            raise UsageError(f"{path} already says its geometry and convention; drop {', '.join(flags)}")
        spectrogram = Spectrogram.load(path)
        if args.sr is not None and spectrogram.sample_rate is not None and float(args.sr) != float(spectrogram.sample_rate):
            raise UsageError(f"{path} was made at {spectrogram.sample_rate:g} Hz; drop --sr {args.sr:g}")
        return spectrogram, args
    if flags:
        raise UsageError(f"{path} already says its geometry and convention; drop {', '.join(flags)}")
    made_at = next((metadata["keywords"][k] for k in ("sr", "fs", "sample_rate") if k in metadata["keywords"]), None)
    if args.sr is not None and made_at is not None and float(args.sr) != float(made_at):
        raise UsageError(f"{path} was made at {float(made_at):g} Hz; drop --sr {args.sr:g}")
    if data is None:
        raise ValueError(f"{path} is a gl features file without its 'data' field; make it again with gl spectrogram")
    from .spectrogram import from_features

    return from_features(data, metadata, path), args


#: The importers' keywords an .npz of several arrays may hold beside the spectrogram: scipy's
#: frequencies and times (``np.savez(name, f=f, t=t, Sxx=Sxx)``), which say its geometry.
_AXES_IN_ARCHIVE = ("f", "t")


def _array_and_axes(loaded, names: list, args, path: Path) -> tuple[np.ndarray, dict[str, np.ndarray], argparse.Namespace]:
    """The spectrogram of an .npz of several arrays given with --from, the axes beside it
    that its importer takes (scipy's ``f`` and ``t``), and ``args`` with the settings the file
    stores as numbers (:func:`_stored_settings`). The spectrogram is the only array of two
    axes or more, or else the one named as the importer names it (``Sxx``, ``Zxx``, ``S``, ``M``)."""
    importers = importlib.import_module("gl.importers")
    function = importers.CONVENTIONS.get(args.convention)
    if function is None:
        raise UsageError(f"--from {args.convention!r} is unknown; use one of {', '.join(importers.CONVENTIONS)}")
    parameters = inspect.signature(function).parameters
    arrays = {name: loaded[name] for name in names}
    axes = {name: arrays[name] for name in _AXES_IN_ARCHIVE
            if name in parameters and name in arrays and arrays[name].ndim == 1 and name not in dict(args.param)}
    made_by = "scipy.signal.stft" if args.convention == "scipy-stft" else "scipy.signal.spectrogram"
    for axis in axes:  # numbers, as the importer reads them (text said so, not as NumPy's 'could not convert string')
        try:
            axes[axis] = importers.scipy_axis(axes[axis], axis, made_by)
        except ValueError as error:
            raise UsageError(_axes_of_the_file(str(error), [axis], path)) from None
    # the spectrogram: of two axes and more than one value, whatever its name (np.savez('p.npz', power=S**2, sr=22050))
    candidates = [name for name in names if name not in axes and arrays[name].ndim >= 2 and arrays[name].size > 1]
    named = [name for name in candidates if name.lower() == next(iter(parameters)).lower()]
    chosen = named or candidates
    # numbers beside it: one value of any shape (fs=np.array([[16000]])), and whatever a setting's name holds (checked then)
    scalars = {name: array for name, array in arrays.items() if name not in axes and name not in chosen[:1]
               and (array.size == 1 or _stored_name(name.lower()) is not None)}
    if len(chosen) != 1:
        held = ", ".join(names)
        raise UsageError(f"{path} holds several arrays ({held}), and gl cannot tell which is the spectrogram"
                         + ("" if chosen else " (none has two axes, frequency and time)")
                         + ": save it alone (np.save(name, S)) and give that file")
    return arrays[chosen[0]], axes, _stored_settings(scalars, args, path, parameters, axes)


#: The flags an .npz may store beside the spectrogram as numbers, under the flag's own name
#: (``sr``, ``hop``, ``n_fft`` ...) or under another library's, translated as the flags typed
#: that way are (:data:`_OTHER_NAMES`: ``fs``, ``sample_rate``, ``hop_length``, ``nperseg`` ...),
#: and what each must be.
_STORED_FLAGS = {"sr": "a finite number > 0", "n_fft": "a whole number >= 1", "hop": "a whole number >= 1",
                 "win_length": "a whole number >= 1", "length": "a whole number >= 1", "power": "a finite number > 0"}

#: The importers' keywords read from such a file as -P would pass them (the mel bands; scipy's
#: noverlap, when nothing says nperseg and so the hop, and nfft alone), and what each must be.
_STORED_KEYWORDS = {"n_mels": "a whole number >= 1", "fmin": "a finite number >= 0", "fmax": "a finite number > 0",
                    "f_min": "a finite number >= 0", "f_max": "a finite number > 0", "noverlap": "a whole number >= 0",
                    "nfft": "a whole number >= 1"}


def _stored_name(key: str) -> Optional[str]:
    """The flag (``sr`` for ``fs``) or importer keyword (``n_mels``) a name in an .npz stands for, or None."""
    other = _OTHER_NAMES.get(key, "")[2:].replace("-", "_")
    flag = key if key in _STORED_FLAGS else (other if other in _STORED_FLAGS else None)
    return flag if flag is not None else (key if key in _STORED_KEYWORDS else None)


def _stored_number(name: str, array: np.ndarray, rule: str, path: Path, flag: str):
    """The number an .npz stores as ``name`` (one value, of any shape), checked against ``rule``
    (an int for a whole number)."""
    if array.size != 1:
        held = "an empty array" if array.size == 0 else f"an array of {array.size} values"
        raise UsageError(f"the {name} in {path} is {held} (shape {array.shape}), but {flag} must be one "
                         f"{rule.removeprefix('a ')}: store that one number (np.savez(..., {name}=...))")
    value = array.reshape(()).item()
    if array.dtype.kind not in "iuf":  # text, a bool, a complex number ...
        raise UsageError(f"the {name} in {path} is {value!r}, not a number; {flag} must be {rule}: store it as one "
                         f"(np.savez(..., {name}=...))")
    whole = rule.startswith("a whole")
    smallest = float(rule.rsplit(" ", 1)[1])
    strict = ">" in rule and ">=" not in rule
    if not math.isfinite(value) or (whole and value != int(value)) or value < smallest or (strict and value == smallest):
        raise UsageError(f"the {name} in {path} is {value:g}, but {flag} must be {rule}; store the value the spectrogram "
                         "was made with")
    return int(value) if whole else float(value)


def _segment_length(args, changes: dict, params: dict) -> Optional[int]:
    """scipy's segment length (nperseg) as the flags, the file's settings and -P say it, or None."""
    for flag in ("win_length", "n_fft"):
        value = changes.get(flag, getattr(args, flag))
        if value is not None:
            return value
    nperseg = params.get("nperseg")
    return nperseg if isinstance(nperseg, int) and not isinstance(nperseg, bool) else None


def _refuse_a_power_scipy_does_not_hold(name: str, power: float, path: Path, args) -> None:
    """A power an .npz stores beside an array read --from scipy or scipy-stft, whose importers take
    no power: scipy.signal.spectrogram's mode says it (psd |X|**2, magnitude and complex |X|),
    scipy.signal.stft's Zxx is |X|. One that agrees is read as before; another is refused (it was
    ignored without a word, a magnitude read as a PSD)."""
    params = dict(args.param)
    if args.convention == "scipy":
        mode = params.get("mode", "psd")
        if mode not in ("psd", "magnitude", "complex"):
            return  # (the importer says what is wrong with it)
        holds = 2.0 if mode == "psd" else 1.0
        how = f"-P mode={mode}" if "mode" in params else "the default mode, psd,"
        read = (f"--from scipy reads scipy.signal.spectrogram's Sxx by its mode and scaling, not a power, and {how} holds "
                f"|X|**{holds:g} (psd |X|**2, magnitude and complex |X|): give the -P mode= and -P scaling= scipy was called with")
    else:
        holds = 1.0
        read = ("--from scipy-stft reads scipy.signal.stft's Zxx or np.abs(Zxx), |X|**1 scaled as -P scaling= says, not a "
                "power: save that")
    if power != holds:
        raise UsageError(f"the {name}={power:g} stored in {path} says the array holds |X|**{power:g}, but {read}, or correct "
                         "the file")


def _stored_settings(scalars: dict, args, path: Path, parameters, axes: dict) -> argparse.Namespace:
    """``args`` with the settings an .npz stores beside the spectrogram as numbers (``np.savez(name,
    Sxx=Sxx, fs=16000)``, ``np.savez(name, S=M, sr=22050, hop_length=256, n_fft=1024)``): a flag
    not given takes the stored value, a flag given must agree with it (a --sr that contradicts
    the file's was written at the wrong pitch, without a word). Numbers under names gl does not
    know, or that the importer does not take, are left alone, as arrays are."""
    def of_flag(key: str) -> Optional[str]:
        name = _stored_name(key)
        return name if name in _STORED_FLAGS else None

    scipy = "nperseg" in parameters
    keys = {name.lower(): name for name in scalars}
    # scipy's nperseg and nfft both stored, and different: the segment zero-padded, --win-length and --n-fft
    padded = ("nperseg" in keys and "nfft" in keys and scalars[keys["nperseg"]].size == scalars[keys["nfft"]].size == 1
              and scalars[keys["nperseg"]].item() != scalars[keys["nfft"]].item())
    # or --win-length typed (with --n-fft, the flags of a zero-padded segment): the stored nperseg is --win-length (it
    # was '--n-fft 512 but the nperseg in z.npz is 400', the very flags gl's advice asks for)
    padded = padded or ("nperseg" in keys and scipy and args.win_length is not None)
    stored: dict[str, tuple[str, Any]] = {}  # flag -> (the name in the file, value)
    keywords: dict[str, tuple[str, Any]] = {}  # importer keyword -> (the name in the file, value)
    for name, array in scalars.items():
        key = name.lower()
        flag = "win_length" if key == "nperseg" and padded else of_flag(key)
        if key == "nfft" and scipy and "nperseg" not in keys:  # alone, nfft is not scipy's segment length
            flag = None
        applies = (flag in ("n_fft", "win_length") and ("nperseg" in parameters or "win" in parameters)
                   or flag == "hop" and "noverlap" in parameters
                   or flag is not None and any(word in parameters for word in _IMPORTER_KEYWORDS[flag]))
        if flag is not None and applies:
            value = _stored_number(name, array, _STORED_FLAGS[flag], path, f"--{flag.replace('_', '-')}")
            if flag in stored and stored[flag][1] != value:
                other = stored[flag][0]
                raise UsageError(f"the {other} and {name} in {path} disagree ({stored[flag][1]:g} and {value:g}); both "
                                 f"would be --{flag.replace('_', '-')}: gl cannot tell which is right")
            stored[flag] = (name, value)
        elif flag == "power" and scipy:  # scipy's importers read a mode and a scaling: the stored power must agree
            _refuse_a_power_scipy_does_not_hold(name, _stored_number(name, array, _STORED_FLAGS[flag], path, "--power"),
                                                path, args)
        elif flag is None and key in _STORED_KEYWORDS and key in parameters:
            keywords[key] = (name, _stored_number(name, array, _STORED_KEYWORDS[key], path, f"-P {key}="))

    given_params = dict(args.param)
    # -P keywords of scipy's that say the segment length or the hop in other terms (then the file's is not used)
    other_terms = {"n_fft": ("nperseg",), "win_length": ("nperseg",), "hop": ("noverlap",)} if scipy else {}
    from_file = {flag: value for flag, (_, value) in stored.items() if getattr(args, flag) is None}
    # the flag of scipy's segment length (nperseg): --win-length when the file or the command line has one, else --n-fft
    segment = "win_length" if "win_length" in stored or args.win_length is not None else "n_fft"
    changes: dict[str, Any] = {}
    agreeing: set[str] = set()  # -P keywords that say what the file stores: the stored flag, the -P dropped
    typed_too: dict[str, str] = {}  # flag -> what the command line said of it, agreeing with the file (--power 2)
    for flag, (name, value) in stored.items():
        option, given = f"--{flag.replace('_', '-')}", getattr(args, flag)
        if given is None:  # or as -P under the file's name or the importer's (-P fs=16000, -P nperseg=256)
            word = next((word for word in (name.lower(), *_IMPORTER_KEYWORDS[flag]) if word in given_params and word in parameters),
                        None)
            if word is not None:
                option, given = f"-P {word}=", given_params[word]
            elif scipy and flag == segment and "nperseg" in given_params:  # -P nperseg=400 and a stored n_fft: one length
                typed = given_params["nperseg"]
                if typed == value or isinstance(typed, bool) or not isinstance(typed, int):
                    continue  # (passed on as it was; one that is no whole number is refused as such)
                option, given = "-P nperseg=", typed
            elif any(word in given_params for word in other_terms.get(flag, ())):
                # -P noverlap=384: the hop once the segment is known (flags, file, f or t), which must be the file's
                noverlap, nperseg = given_params.get("noverlap"), _segment_length(args, from_file, given_params)
                if nperseg is None and flag == "hop":
                    rate = args.sr if args.sr is not None else stored.get("sr", (None, None))[1]
                    of_axes = _segment_of_axes(axes, argparse.Namespace(**{**vars(args), "sr": rate}))
                    nperseg = of_axes[0] if of_axes is not None else None
                if (flag == "hop" and nperseg is not None and isinstance(noverlap, int) and not isinstance(noverlap, bool)
                        and nperseg - noverlap != value):
                    raise UsageError(f"-P noverlap={noverlap} makes the hop {nperseg - noverlap} (nperseg - noverlap = {nperseg} - "
                                     f"{noverlap}) but the {name} in {path} is {value}; drop -P noverlap=, or correct the file "
                                     "if it is wrong")
                continue
        if given is None and flag == "hop" and scipy and _segment_length(args, from_file, given_params) is None and "t" in axes:
            # (the hop of scipy's noverlap needs nperseg, which t says too; the file works as it did) but t must agree
            rate = args.sr if args.sr is not None else stored.get("sr", (None, None))[1]
            steps = np.diff(np.asarray(axes["t"], dtype=np.float64)[:2]) * float(rate or 0.0)
            if rate is not None and steps.size and round(float(steps[0])) != value:
                raise UsageError(f"the {name} in {path} is {value} but its t steps by {float(steps[0]):g} samples; "
                                 "correct the file")
            continue
        if given is None:
            changes[flag] = value
        elif isinstance(given, bool) or not isinstance(given, (int, float)) or float(given) != float(value):
            said = f"{option}{given!r}" if option.startswith("-P") else f"{option} {given:g}"
            hint = (" (with nperseg and nfft both in the file, --n-fft is nfft and --win-length nperseg)"
                    if padded and flag == "n_fft" else "")
            if (not padded and flag == "n_fft" and name.lower() == "nperseg" and option == "--n-fft"
                    and args.win_length is None and given > value):
                hint = (f" (if scipy zero-padded the segments to nfft={given:g}, add --win-length {value}: --n-fft is then "
                        "nfft)")
            elif option == "-P nperseg=" and flag == "n_fft" and isinstance(given, (int, float)) and not isinstance(given, bool) and given < value:
                hint = (f" (if scipy zero-padded the segments of {given} samples to nfft={value}, give --win-length {given} "
                        f"instead: the stored {name} is then nfft)")
            raise UsageError(f"{said} but the {name} in {path} is {value:g}{hint}; drop {option}, or correct the file "
                             "if it is wrong")
        else:
            typed_too[flag] = f"{option}{given!r}" if option.startswith("-P") else f"{option} {given:g}"
            if option.startswith("-P"):  # -P hop_length=256 as the library was called, as the file says: the flag
                # (left as -P, it was 'give its hop with --hop', the hop the file stores)
                changes[flag] = value
                agreeing.add(option[3:-1])
    settings = argparse.Namespace(**{**vars(args), **changes})
    # which flags the file gave, and under what name: a message about them names the file's entry
    settings.stored_in_file = {flag: stored[flag][0] for flag in changes}
    # and those typed as well, as typed (advice to change the file's value must say to change them too)
    settings.typed_as_stored = {flag: (typed_too[flag], stored[flag][0]) for flag in typed_too}

    # scipy's noverlap: the hop once the segment length is known, else the importer's keyword
    if "noverlap" in keywords and "noverlap" not in given_params:
        name, noverlap = keywords["noverlap"]
        nperseg = _segment_length(settings, {}, given_params)
        if nperseg is not None:
            del keywords["noverlap"]
            if noverlap >= nperseg:
                raise UsageError(f"the {name} in {path} is {noverlap}, but it must be < nperseg {nperseg} (the hop is "
                                 "nperseg - noverlap)")
            hop = nperseg - noverlap
            if settings.hop is not None and settings.hop != hop:
                why = f"(nperseg - noverlap = {nperseg} - {noverlap})"
                if args.hop is None:  # both stored
                    raise UsageError(f"the {stored['hop'][0]} in {path} is {settings.hop} but its {name} makes the hop "
                                     f"{hop} {why}; correct the file")
                raise UsageError(f"--hop {settings.hop} but the {name} in {path} makes it {hop} {why}; drop --hop, or "
                                 "correct the file if it is wrong")
            settings.hop = hop
    params = [(keyword, value) for keyword, value in args.param if keyword not in agreeing]
    for keyword, (name, value) in keywords.items():
        if keyword in given_params:
            if given_params[keyword] != value:
                raise UsageError(f"-P {keyword}={given_params[keyword]!r} but the {name} in {path} is {value:g}; drop "
                                 f"-P {keyword}=, or correct the file if it is wrong")
        elif not (keyword == "nfft" and settings.win_length is not None and settings.n_fft is not None):
            params.append((keyword, value))
            settings.stored_in_file[keyword] = name
        elif settings.n_fft != value:  # --win-length and --n-fft: --n-fft is nfft
            raise UsageError(f"--n-fft {settings.n_fft} but the {name} in {path} is {value}; drop --n-fft, or correct "
                             "the file if it is wrong")
    settings.param = params
    return settings


def _refuse_a_rate_no_audio_file_holds(args, path: Path) -> None:
    """A sample rate (--sr, -P fs=, or stored in the .npz) above the fastest an audio file holds is
    refused before the import: it is no rate the spectrogram was made at, and the importer's
    numbers made of it (an FFT size of 300 digits, a magnitude beyond float32) say nothing.
    A --sr typed gets the output format's words, as a rate that format cannot hold does."""
    from .audio import check_audio_output
    from .importers import HIGHEST_AUDIO_RATE as fastest  # the importers' own rule
    if args.sr is not None and float(args.sr) > fastest:
        entry = getattr(args, "stored_in_file", {}).get("sr")
        if entry is None:
            check_audio_output(args.output, args.subtype, 1, args.sr)
        raise UsageError(f"the {entry} in {path} is {args.sr:g}, but --sr must be at most {fastest} Hz, the fastest sample "
                         "rate an audio file holds; store the rate the spectrogram was made at")
    for name, value in args.param:
        if (name in _IMPORTER_KEYWORDS["sr"] and isinstance(value, (int, float)) and not isinstance(value, bool)
                and value > fastest):
            raise UsageError(f"-P {name}={value:g} must be at most {fastest} Hz, the fastest sample rate an audio file holds; "
                             "give the rate the spectrogram was made at")


def _refuse_a_fractional_rate_typed_or_stored(rate: float, settings, args) -> None:
    """A bare array's sample rate that is not a whole number, named where it came from: the entry
    the .npz stores beside it, --sr, or -P fs= as typed (not 'X.npy says its sample rate is ...')."""
    entry = getattr(settings, "stored_in_file", {}).get("sr")
    if entry is not None:
        raise UsageError(f"the {entry} in {args.input}, {rate}, is not a whole number of Hz, which audio files need; "
                         "store the rate the spectrogram was made at")
    typed = [f"--sr {args.sr}"] if args.sr is not None else []
    typed += [f"-P {name}={value}" for name, value in args.param if name in _IMPORTER_KEYWORDS["sr"]]
    if typed:
        raise UsageError(f"{typed[0]} is not a whole number of Hz, which audio files need; give the rate the spectrogram "
                         "was made at")


def _whole_rate(rate) -> bool:
    """Whether ``rate`` is a whole number of Hz, as an audio file's (to rounding: 44100.0000001 is)."""
    return abs(float(rate) - round(float(rate))) <= 1e-6


def _axes_of_the_file(text: str, axes, path: Path) -> str:
    """'t steps by 64 samples', 't[0]=0.008 s means 256', 'f holds text': said of the ``axes`` (scipy's
    f and t) of the file at ``path``."""
    for axis in axes:
        text = re.sub(rf"(?<![\w.\[-]){axis}\[0\]=(\S+) s\b", rf"the {axis} in {path}, starting at \1 s,", text)
        text = re.sub(rf"(?<![\w.\[-]){axis}(?= (?:steps|has|contains|does|implies|holds|says)\b)", f"the {axis} in {path}", text)
    return text


def _segment_flags_as_typed(text: str, args, keywords: dict) -> str:
    """A scipy importer's message about the segment flags typed, named as typed: ``nperseg=400`` is
    ``--n-fft 400`` (``--win-length 400`` beside an --n-fft, which is then ``nfft``), scipy's
    default ``nfft`` (nperseg) the --n-fft too, and ``hop=128`` or ``noverlap=384`` the ``--hop``.
    Not a value the file stored (said as stored), nor one the rows or ``f`` imply ('implies
    nfft=512'), nor the importer's advice '(here nperseg=400)', which :data:`_FLAG_WORDS` says."""
    if "nperseg" not in keywords:  # (not a scipy convention, or no flag said the segment)
        return text
    stored = getattr(args, "stored_in_file", {})
    typed = {flag: getattr(args, flag) for flag in ("n_fft", "win_length", "hop")
             if getattr(args, flag) is not None and flag not in stored}
    segment = "win_length" if args.win_length is not None else "n_fft"
    names: dict[str, tuple[str, int]] = {}
    if segment in typed and typed[segment] == keywords["nperseg"]:
        names["nperseg"] = (f"--{segment.replace('_', '-')}", keywords["nperseg"])
    given = {name for name, _ in args.param}
    if "n_fft" in typed and "nfft" not in given and keywords.get("nfft", keywords["nperseg"]) == typed["n_fft"]:
        names["nfft"] = ("--n-fft", typed["n_fft"])  # as nfft beside --win-length, or scipy's default nfft, nperseg
    if "hop" in typed and "noverlap" not in given and keywords.get("noverlap") == keywords["nperseg"] - typed["hop"]:
        names["hop"] = ("--hop", typed["hop"])
        names["noverlap"] = ("--hop", keywords["noverlap"])
    for keyword, (flag, value) in names.items():

        def as_typed(match: "re.Match", flag: str = flag, value: int = value, keyword: str = keyword) -> str:
            if int(match[1]) != value:
                return match[0]
            return f"{flag} {typed['hop'] if keyword == 'noverlap' else value}"

        text = re.sub(rf"(?<![\w.-])(?<!here )(?<!implies )(?<!means )(?<!the )(?<!-P ){keyword}=(\d+)(?![\w.])", as_typed, text)
    return text


def _window_flags_as_typed(text: str, args, keywords: dict, path: Path) -> str:
    """A ShortTimeFFT importer's message about the window, the FFT size and the hop, named as they
    came: ``len(win)=400`` is ``--n-fft 400`` (``--win-length 400`` beside an --n-fft, which is then
    ``mfft``), the ``mfft`` the window's length or the --n-fft typed too, ``hop=100`` the ``--hop``
    typed, and a value the file stored said as stored ('the n_fft=400 stored in st.npz'); the
    ``mfft`` the rows imply is the --n-fft to give ('implies --n-fft 400 or 401'), or -P mfft= where
    that was typed; a window given as -P win= is that (its length, 'the length of -P win=, 4')."""
    if args.convention != "shorttimefft" or "win" not in keywords:
        return text
    stored = getattr(args, "stored_in_file", {})
    win_typed = any(name == "win" for name, _ in args.param)
    if win_typed:  # 'win must be a 1-D window array': the -P win= typed
        text = re.sub(r"^win (?=must|is|contains)", "-P win= ", text)

    def said(flag: str, value: int) -> str:
        if flag == "window":
            return f"the length of -P win=, {value}"
        if flag in stored:
            return f"the {stored[flag]}={value} stored in {path}"
        return f"--{flag.replace('_', '-')} {value}"

    window = np.asarray(keywords["win"], dtype=object)
    if window.ndim != 1:  # (refused as such)
        return text
    length = window.shape[0]
    window_flag = "window" if win_typed else "win_length" if args.win_length is not None else "n_fft"
    mfft_typed = any(name == "mfft" for name, _ in args.param)
    mfft = keywords.get("mfft", length)
    names = {r"len\(win\)": (window_flag, length)}
    if not mfft_typed:
        names["mfft"] = ("window" if win_typed else "n_fft", mfft)
    if args.hop is not None and not any(name == "hop" for name, _ in args.param):
        names["hop"] = ("hop", args.hop)
    for keyword, (flag, value) in names.items():

        def as_typed(match: "re.Match", flag: str = flag, value: int = value) -> str:
            return said(flag, value) if int(match[1]) == value else match[0]

        text = re.sub(rf"(?<![\w.-])(?<!implies )(?<!the )(?<!-P ){keyword}=(\d+)(?![\w.])", as_typed, text)
    if not mfft_typed and not win_typed:  # what to give for the FFT size the rows imply
        text = re.sub(r"\bimplies mfft=(\d+(?: or \d+)?)", r"implies --n-fft \1", text)
    if args.length is not None and "length" not in stored:
        text = re.sub(r"\bcheck length\b", "check --length", text)
        text = re.sub(r"\bleave out length\b", "drop --length", text)
    return text


def _import_array(array: np.ndarray, args, path: Path, axes: Optional[dict] = None) -> tuple[Any, argparse.Namespace]:
    """A bare array and the command-line flags that say what it is -> :class:`Spectrogram`, and
    the settings it was read with (``args``, with the flag a mel's rows imply).
    ``axes``: the importer's ``f`` and ``t`` read from the same .npz, which say its geometry."""
    axes = axes or {}
    importers = importlib.import_module("gl.importers")
    if args.convention is None:
        raise UsageError(
            f"{path} is a bare array: say what it is with --from {'|'.join(importers.CONVENTIONS)} "
            "and give its geometry (--sr, --hop, --n-fft ...)"
        )
    if array.ndim > 3 or array.ndim < 2:
        raise UsageError(f"{path} has shape {array.shape}: a spectrogram is (n_freq, n_frames) or (channels, n_freq, n_frames)"
                         + ("; for audio samples, gl roundtrip makes a recording's spectrogram and inverts it" if array.ndim < 2 else ""))
    if args.convention not in importers.CONVENTIONS:
        raise UsageError(f"--from {args.convention!r} is unknown; use one of {', '.join(importers.CONVENTIONS)}")
    parameters = inspect.signature(importers.CONVENTIONS[args.convention]).parameters
    keywords_given = {name for name, _ in args.param if name in parameters}

    def given(flag: str) -> bool:  # as the flag, or as the importer's keyword (-P fs=16000, -P hop_length=256)
        return getattr(args, flag) is not None or any(name in keywords_given for name in _IMPORTER_KEYWORDS[flag])

    # -P fs=16000 (sr=, sample_rate=), -P hop_length=128, a mel's -P n_fft=512, as the library was called, stand for
    # --sr, --hop, --n-fft; their values are checked here, named as typed (the importer's would name the flag)
    for name, value in args.param:
        flag = next((flag for flag in _TYPED_FLAGS if name in _IMPORTER_KEYWORDS[flag] and name in keywords_given), None)
        if flag == "sr" and args.sr is None:  # (with --sr too, it is set twice: the importer's keywords say so)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UsageError(f"-P {name}={value!r} must be the sample rate in Hz, a number (or give it with --sr)")
            if not (math.isfinite(value) and value > 0):
                raise UsageError(f"-P {name}={value!r} must be the sample rate in Hz, a number > 0 (or give it with --sr)")
        elif flag in ("hop", "n_fft") and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise UsageError(f"-P {name}={value!r} must be a whole number of samples >= 1 (or give it with "
                             f"--{flag.replace('_', '-')})")
    if not given("sr"):
        f, rows = axes.get("f"), array.shape[-2]
        if f is not None and f.shape == (rows,) and rows >= 2 and np.all(np.isfinite(f)) and f[1] > 0:
            # scipy's f steps by fs / nfft: with the FFT sizes the rows allow, that is the rate
            sizes = (2 * (rows - 1), 2 * rows - 1) if np.all(f >= 0) else (rows,)  # one-sided, or two-sided
            rates = ", ".join(f"--sr {float(f[1]) * size:g} for nfft {size}" for size in sizes)
            raise UsageError(f"{path} holds no sample rate: give it with --sr (in Hz; the f in {path} steps by "
                             f"{float(f[1]):g} Hz over {rows} rows, which means {rates})")
        raise UsageError(f"{path} is a bare array: give its sample rate with --sr (in Hz)")
    _refuse_a_rate_no_audio_file_holds(args, path)
    if not given("hop") and not args.convention.startswith("scipy"):
        # the defaults for the FFT size given, or that the rows of an STFT magnitude imply (a mel's do not)
        n_fft = args.n_fft if args.n_fft is not None else dict(args.param).get("n_fft")
        if not isinstance(n_fft, int) or isinstance(n_fft, bool):
            n_fft = 2 * (array.shape[-2] - 1) if args.convention in ("librosa", "torchaudio") and array.shape[-2] >= 2 else None
        window: int = args.win_length if args.win_length is not None else n_fft or 0
        if n_fft is None:
            librosa_hop = "librosa's default is n_fft // 4, 512 for n_fft 2048"
            torchaudio_hop = "torchaudio's default is win_length // 2, 200 for n_fft 400"
        elif args.win_length is None:
            librosa_hop = f"librosa's default is n_fft // 4, {n_fft // 4} for n_fft {n_fft}"
            torchaudio_hop = f"torchaudio's default is win_length // 2, {n_fft // 2} for n_fft {n_fft}"
        else:
            librosa_hop = f"librosa's default is win_length // 4, {window // 4} for win_length {window}"
            torchaudio_hop = f"torchaudio's default is win_length // 2, {window // 2} for win_length {window}"
        default = {"librosa": librosa_hop, "mel": librosa_hop, "torchaudio": torchaudio_hop, "torchaudio-mel": torchaudio_hop,
                   "shorttimefft": "the hop ShortTimeFFT was made with"}.get(args.convention)
        raise UsageError(f"{path} is a bare array: give its hop with --hop (samples between frames; a wrong hop changes the tempo"
                         + (f"; {default}" if default else "") + ")")
    if args.convention in ("mel", "torchaudio-mel") and not given("n_fft"):  # the rows of a mel spectrogram are mel bands
        raise UsageError(f"{path} is a bare mel spectrogram: give the FFT size it was made with, --n-fft (its rows are mel "
                         "bands, not FFT bins; librosa's melspectrogram defaults to 2048, torchaudio's MelSpectrogram to 400)")
    if (args.convention in ("librosa", "torchaudio") and args.n_fft is None and array.ndim >= 2 and array.shape[-2] >= 2
            and not any(name == "n_fft" for name, _ in args.param)):
        # read off the rows (torchaudio's own default, 400, fits only 201 of them), after two checks
        rows, columns = array.shape[-2:]
        if importers.looks_transposed(rows, columns):
            raise UsageError(f"{path} has {rows} rows and {columns} columns, and {columns} is the bin count of n_fft "
                             f"{2 * (columns - 1)}: it looks like (frames, bins); gl reads (bins, frames), as librosa and "
                             "torchaudio make them: save its transpose (np.save(name, S.T)), or give --n-fft if it is right")
        implied = 2 * (rows - 1)
        if args.hop is not None and args.win_length is None and args.hop > implied:  # else 'must be <= --win-length 254', a flag never given
            raise UsageError(f"--hop {args.hop} is longer than the frames of {path}: its {rows} rows imply --n-fft {implied}"
                             + (" (they look like mel bands: --from mel, with the --n-fft it was made with)" if importers.mel_like_rows(rows)
                                else "; give the --n-fft it was made with, or check --hop"))
        if importers.mel_like_rows(rows):
            warnings.warn(f"--n-fft {2 * (rows - 1)} was read off the {rows} rows of {path}; {rows} rows look like mel "
                          "bands: if it is a mel spectrogram, use --from mel (librosa's) or --from torchaudio-mel (with the --n-fft it was made with; a mel "
                          "spectrogram read as an STFT comes back at the wrong pitch), else give --n-fft to say so", UserWarning)
        args = argparse.Namespace(**{**vars(args), "n_fft": implied})
    function = importers.CONVENTIONS[args.convention]
    keywords = {**_importer_keywords(function, args, str(path), axes=axes), **axes}
    name = next(iter(parameters))  # the importer's word for the array: S, Sxx, Zxx or M
    # what no flag, -P or stored value gave: the importer's defaults, which are the library's (scipy's boundary='zeros')
    library = {"shorttimefft": "scipy", "mel": "librosa"}.get(args.convention, args.convention.split("-")[0])
    defaults = {keyword: parameter.default for keyword, parameter in parameters.items()
                if keyword not in keywords and parameter.default is not inspect.Parameter.empty}

    def of_the_file(text: str) -> str:  # 'S contains NaN ...' said of the file, not of a name the user never gave
        if text.startswith(f"{name} "):
            text = f"the array in {path} {text[len(name) + 1:]}"
        # and within a message: '45 mel bands of M hold energy ...', '... rows but Zxx has 40'
        text = re.sub(rf"\b(of|but) {re.escape(name)}\b(?![=(])", lambda match: f"{match[1]} the array in {path}", text)
        # and after the first clause: '; Sxx must be laid out ...', 'if Sxx is (frames, bins)', 'if S was made with ...'
        text = re.sub(rf"(; |\bif ){re.escape(name)}(?= (?:must|is|was|has)\b)", lambda match: f"{match[1]}the array in {path}", text)
        # a mel's 'or M was made with another sr, n_fft, fmin or fmax': the file's array, the settings as flags (and
        # torchaudio's f_min and f_max, which from_mel calls fmin and fmax)
        edges = ("f_min", "f_max") if args.convention == "torchaudio-mel" else ("fmin", "fmax")
        text = re.sub(rf"\bor {re.escape(name)} was made with another sr, n_fft, fmin or fmax\b",
                      f"or the array in {path} was made with another --sr, --n-fft, -P {edges[0]}= or -P {edges[1]}= than "
                      "used here", text)
        if args.convention == "torchaudio-mel":
            text = re.sub(r"(?<![\w.-])f(min|max)=(?=\d)", r"f_\1=", text)
        # a geometry the file stored, not a flag the user gave: 'n_fft=2048 gives 1025 frequency bins' of
        # an n_fft saved in the .npz says so ('the --n-fft 2048 stored in spec.npz gives ...', in flags)
        for typed_name, typed_value in args.param:  # -P fs=16000.5, -P nperseg=600 as typed: 'at fs=16000.5' is not '--sr 16000.5'
            typed_flag = any(typed_name in _IMPORTER_KEYWORDS[flag] for flag in _TYPED_FLAGS) or typed_name in _SCIPY_SEGMENT_KEYWORDS
            stored_keyword = typed_name in _STORED_KEYWORDS and typed_name in getattr(args, "stored_in_file", {})  # the file's nfft
            if (not typed_flag or stored_keyword or isinstance(typed_value, bool)
                    or not isinstance(typed_value, (int, float))):
                continue

            def typed(match: "re.Match", typed_name: str = typed_name, typed_value: float = typed_value) -> str:
                same = math.isclose(float(match[1]), float(typed_value), rel_tol=1e-5)
                return f"-P {typed_name}={match[1]}" if same else match[0]

            text = re.sub(rf"(?<![\w.-]){typed_name}=([-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)", typed, text)
        # (an importer keyword the file stored, n_mels=64 or f_max=20000, too: 'the -P n_mels=64 stored in ...'), the
        # number matched as a number (a stored 16000.0 is fs=16000 in the importer's words), a unit kept beside it
        stored_keywords = dict(args.param)
        for flag, entry in getattr(args, "stored_in_file", {}).items():
            if flag in _STORED_FLAGS:
                value = getattr(args, flag)
                words = _IMPORTER_KEYWORDS.get(flag, ()) + (("nperseg",) if flag in ("n_fft", "win_length") else ())
            else:  # f_max is torchaudio's word for the fmax the importer speaks of
                value = stored_keywords.get(flag)
                words = (flag, *{"f_max": ("fmax",), "f_min": ("fmin",)}.get(flag, ()))
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            for keyword in words:
                shown = keyword if flag in _STORED_FLAGS else flag

                def stored(match: "re.Match", shown: str = shown, value: float = value) -> str:
                    if not math.isclose(float(match[1]), float(value), rel_tol=1e-5):
                        return match[0]
                    return f"the {shown}={match[1]}{match[2] or ''} stored in {path}"

                text = re.sub(rf"(?<![\w.-]){keyword}=([-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)( Hz\b)?", stored, text)
        # a keyword no one gave is the default, said so ('with boundary='zeros'' is not '-P boundary='zeros'', never
        # typed: "with scipy's default boundary='zeros'"); advice ('pass boundary=None') is left to _FLAG_WORDS
        for keyword, default in defaults.items():

            def by_default(match: "re.Match", default: Any = default) -> str:
                value = ast.literal_eval(match[1])
                same = value == default and isinstance(value, bool) == isinstance(default, bool)
                return f"{library}'s default {match[0]}" if same else match[0]

            text = re.sub(rf"(?<!pass )(?<![\w.-]){keyword}=('[^']*'|None|True|False|[-+]?\d+(?:\.\d*)?(?:e[-+]?\d+)?)(?![\w.])",
                          by_default, text)
        # 'is complex, but this mode gives real values; pass np.abs(Sxx) or say it is complex': in flags
        complex_advice = {
            "mel": "a mel spectrogram is real: a complex STFT is --from librosa (or --from scipy-stft for scipy.signal.stft's "
                   "Zxx); else save np.abs of it",
            "scipy": "--from scipy reads scipy.signal.spectrogram's real values: scipy.signal.stft's Zxx is --from scipy-stft, "
                     "a spectrogram made with mode 'complex' needs -P mode=complex; else save np.abs of it",
        }.get("mel" if args.convention == "torchaudio-mel" else args.convention)
        if complex_advice:
            text = re.sub(r"is complex, but this mode gives real values; pass np\.abs\(\w+\) or say it is complex",
                          f"is complex, but {complex_advice}", text)
        if args.hop is not None:  # 'noverlap=128 gives a hop of 128 samples': the hop the user gave
            text = re.sub(r"\bnoverlap=\d+ gives a hop of (\d+) samples", r"--hop \1", text)
        text = _window_flags_as_typed(text, args, keywords, path)
        return _axes_of_the_file(_segment_flags_as_typed(text, args, keywords), axes, path)

    with contextlib.ExitStack() as stack:
        caught = None
        if threading.current_thread() is threading.main_thread():  # the filters are the whole process's
            caught = stack.enter_context(warnings.catch_warnings(record=True))
            warnings.simplefilter("always")
        try:
            spectrogram = function(array, **keywords)
        except (ValueError, TypeError) as error:
            if getattr(args, "hop_beyond_segment", None) and re.fullmatch(r"noverlap=-\d+ must be >= 0", str(error)):
                raise UsageError(args.hop_beyond_segment) from None  # the hop and the segment, as they came (final words)
            if of_the_file(str(error)) == str(error):
                raise
            raise type(error)(of_the_file(str(error))) from None
    for warning in caught or ():  # shown as the importer's would have been, said of the file
        warnings.warn(of_the_file(str(warning.message)), warning.category, stacklevel=2)
    return spectrogram, args


def _run_invert(args) -> int:
    method, init, options = _check_retrieval_args(args)
    _check_plot_available(args)
    from .audio import audio_format, check_audio_output

    output = _output_path(args.output)
    audio_format(output, args.subtype)
    _check_outputs([output] + ([Path(args.plot)] if args.plot else []), args.force)
    started = time.perf_counter()
    try:
        spectrogram, settings = _load_spectrogram(args)
    except MemoryError:
        cut_short = _cut_short(Path(args.input))  # a header that promises more than the file holds: damage, not size
        if cut_short is None:
            raise
        raise UsageError(f"{args.input} is damaged: {cut_short}; it was cut short (copied or saved in part): make or copy "
                         "it again") from None
    import_seconds = time.perf_counter() - started  # reading, and undoing the conventions (the NNLS of a mel)
    sample_rate = spectrogram.sample_rate if spectrogram.sample_rate is not None else args.sr
    if sample_rate is None:
        raise UsageError(f"{args.input} does not say its sample rate; give it with --sr (in Hz)")
    if not _whole_rate(sample_rate):
        _refuse_a_fractional_rate_typed_or_stored(sample_rate, settings, args)
        # else the file's own rate: --sr may not override it
        raise UsageError(f"{args.input} says its sample rate is {sample_rate:g} Hz, not a whole number, which audio files "
                         "need; save it again with a whole sample rate (gl.Spectrogram's sample_rate)")
    sample_rate = int(round(float(sample_rate)))
    if spectrogram.magnitude.ndim > 3:  # found before the retrieval, not when writing its result
        raise UsageError(f"{args.input} holds a {spectrogram.magnitude.ndim}-D magnitude {tuple(spectrogram.magnitude.shape)}: "
                         "an audio file takes (channels, n_freq, n_frames) at most; reshape it to that, or one array per file")
    check_audio_output(output, args.subtype, int(np.prod(spectrogram.magnitude.shape[:-2], dtype=int)), sample_rate)
    if args.length is not None and args.length != spectrogram.length:
        spectrogram = dataclasses.replace(spectrogram, length=args.length)
    magnitude = np.asarray(spectrogram.magnitude)
    from_mel = spectrogram.source == "mel"  # then magnitude is the linear one estimated from it, not the true one
    channels = int(np.prod(magnitude.shape[:-2], dtype=int))
    block_seconds = _block_seconds(args, spectrogram.geometry, magnitude.shape[-1], channels, sample_rate)
    y, info = _invert(dataclasses.replace(spectrogram, sample_rate=sample_rate), args, method, init, options, "invert: ",
                      block_seconds)
    geometry = spectrogram.geometry
    # the last row of the history; a run without iterations has none, but its start's (block by block,
    # the one row of the whole result's even then: no whole start exists)
    measured = np.atleast_1d(info.spectral_convergence[-1] if len(info.spectral_convergence)
                             else info.initial_spectral_convergence)
    sc, per_channel = _overall_sc(magnitude, measured), np.reshape(measured, -1).tolist()
    plot = None
    if args.plot:
        # a --length shorter than one frame: the frames of y continued by silence, which the cut drops
        shown = y
        if not geometry.center and y.shape[-1] < geometry.n_fft:
            shown = np.concatenate([y, np.zeros(y.shape[:-1] + (geometry.n_fft - y.shape[-1],), y.dtype)], axis=-1)
        rebuilt = np.abs(geometry.stft(shown))[..., : magnitude.shape[-1]]  # the frames of the input
        rebuilt = np.concatenate([rebuilt, np.zeros(rebuilt.shape[:-1] + (magnitude.shape[-1] - rebuilt.shape[-1],), rebuilt.dtype)], axis=-1)
        plot = _plot(args, magnitude, rebuilt, info, geometry, sample_rate, f"gl invert: {Path(args.input).name}",
                     "linear (estimated from the mel)" if from_mel else "input")
    if args.convention is not None and not args.normalize:
        _warn_if_level_implausible(y, settings)
    written = _write_audio(output, y, sample_rate, args)
    if plot:
        plot()

    report = _Report("invert")
    # a --length shorter than the frames span: the retrieval (and its spectral convergence)
    # covers every frame, the file only the first samples
    n_frames = magnitude.shape[-1]
    try:  # without --length the output is what the frames make (all of them, however far a zero-padded window reaches)
        frames_in_output = n_frames if args.length is None else min(n_frames, geometry.n_frames(int(y.shape[-1])))
    except ValueError:  # shorter than one frame
        frames_in_output = 0
    cut = "" if frames_in_output >= n_frames else (
        f" (of all {n_frames} frames; the output, cut to --length {y.shape[-1]}, spans {frames_in_output} of them)")
    report.fields.update(
        input=str(args.input), output=str(output), sample_rate=sample_rate, channels=channels,
        samples=int(y.shape[-1]), source=getattr(spectrogram, "source", None), **_geometry_fields(geometry),
        **_retrieval_fields(info, sc, per_channel, magnitude), clipped_samples=written.clipped, gain=_finite_or_none(written.gain),
        block_seconds=block_seconds, import_s=round(import_seconds, 4), frames_in_output=frames_in_output, **({"plot": str(args.plot)} if args.plot else {}),
        spectral_convergence_against="linear magnitude estimated from the mel" if from_mel else "input magnitude",
    )
    report.lines += [
        f"gl invert: {args.input} ({magnitude.shape[-2]} bins x {magnitude.shape[-1]} frames, {sample_rate} Hz"
        + ("" if channels == 1 else f", {channels} channels") + ")",
        f"  geometry              {_describe_geometry(geometry)}" + ("" if spectrogram.source == "gl" else f" (from {spectrogram.source})"),
        _method_line(info, block_seconds),
        _convergence_line(sc, per_channel) + cut
        + (" (against the linear magnitude estimated from the mel; the true one is not known)" if from_mel else ""),
        f"  time                  {info.elapsed:.2f} s"
        + (f" (and {import_seconds:.2f} s to read and convert the spectrogram)" if import_seconds >= 0.01 else ""),
        _wrote_line(output, written, f" ({y.shape[-1] / sample_rate:.2f} s)"),
    ] + ([f"wrote {args.plot}"] if args.plot else [])
    report.emit(args)
    return EXIT_OK


# ----------------------------------------------------------------------------- entry point
def _describe_error(error: BaseException) -> str:
    """One line that says what went wrong (and, where the message does not, how to fix it)."""
    if isinstance(error, MemoryError):
        detail = " ".join(str(error).split())
        return "not enough memory" + (f" ({detail})" if detail else "") + "; for a long input try gl.reconstruct_long, or a shorter excerpt"
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        name = error.filename
        message = reason if not name or str(name) in reason else f"{name}: {reason}"
        hint = _OS_ERROR_HINTS.get(error.errno or 0)
        if hint and ";" not in reason:
            message = f"{message}; {hint}"
        return _in_flags(message)
    # the command's own messages speak in flags already, and a damaged file's quote what it stores
    text = _in_flags(str(error), flags=not isinstance(error, (UsageError, DamagedFileError)), one_line=True)
    return text if text else type(error).__name__


def _geometry_words(match: "re.Match") -> str:
    """``STFT(n_fft=..., ...)`` in a message -> the geometry in the words of the command's report."""
    n_fft, hop, win_length, window, center, pad_mode, sym = match.groups()
    window = re.sub(r"^\('(\w+)', ([^)]*)\)$", r"\1,\2", window).strip("'")
    window = "custom" if window.startswith("<array") else window + (" symmetric" if sym == "True" else "")
    return (f"FFT size {n_fft}, hop {hop}, window length {win_length}, {window} window, {'centred' if center == 'True' else 'not centred'}"
            + ("" if pad_mode == "constant" or center != "True" else f", {pad_mode} padding"))


#: Not a keyword already given as a flag or an option, nor a library's default (``scipy's default
#: boundary='zeros'``, no flag the user typed), nor part of a file name.
_WORD = r"(?<!-P )(?<!-O )(?<!default )(?<![\w/.\\-])"

#: Library keyword, the flag that sets it, what its value starts with, and whether the bare
#: word (``use a smaller hop_length``) is rewritten too.
_FLAG_OF_KEYWORD = [
    ("hop_length", "--hop", r"\S", True), ("win_length", "--win-length", r"\S", True), ("n_fft", "--n-fft", r"\S", True),
    ("pad_mode", "--pad-mode", r"\S", False), ("length", "--length", r"\d", False), ("subtype", "--subtype", r"\S", False),
    ("peak_db", "--peak-db", r"\S", True), ("fs", "--sr", r"\d", False),
]

def _nperseg_advice(text: str) -> str:
    """Where the nperseg scipy was given goes, as the message's nperseg came: into the file where it
    stores the one said to be wrong (a --n-fft would contradict it), as -P nperseg= where that was
    typed, else as --n-fft."""
    if re.search(r"\bnperseg=\d+ stored in |\(here the (?:nperseg=)?\d+ stored in ", text):
        return "store the nperseg scipy was given"
    return f"give the nperseg scipy was given as {'-P nperseg=' if '-P nperseg=' in text else '--n-fft'}"


def _padding_advice(text: str) -> str:
    """Where the nfft of zero-padded segments goes: -P nfft= beside a -P nperseg= typed (which --n-fft
    would set twice), else --n-fft, nperseg being --win-length."""
    return "-P nfft=" if "-P nperseg=" in text else "--n-fft and nperseg as --win-length"


def _nperseg_words(match: "re.Match[str]") -> str:
    """'pass the nperseg scipy was given (256, ...)', as :func:`_nperseg_advice` says it."""
    return f"{_nperseg_advice(match.string)} ({match[1]}, with scipy's default nfft)"


def _padding_words(match: "re.Match[str]", segments: str) -> str:
    """'pass nfft=512 (too) if scipy ... zero-padd..., else the nperseg scipy was given': where each goes."""
    return (f"if scipy zero-padded {segments}to nfft={match['nfft']}, give that as {_padding_advice(match.string)}, else "
            f"{_nperseg_advice(match.string)}")


def _segment_words(match: "re.Match[str]") -> str:
    """'pass the nperseg scipy was given (here nperseg=400 ...), and nfft too if scipy zero-padded the segments'."""
    stored = match[3] or ""
    here = f"here {match[1] or ''}{match[2]}{stored}" + ("; correct the file if it is wrong" if stored else "")
    return (f"{_nperseg_advice(match.string)} ({here}), or, if scipy zero-padded the segments, give nfft as "
            f"{_padding_advice(match.string)}")


#: The library's words for what the command line calls flags: (pattern, replacement), in order.
_FLAG_WORDS: list[tuple[re.Pattern[str], Union[str, Callable[[re.Match[str]], str]]]] = [
    (re.compile(r"STFT\(n_fft=(\d+), hop_length=(\d+), win_length=(\d+), window=(.*?), center=(\w+), pad_mode='(\w+)', sym=(\w+)\)"),
     _geometry_words),
    (re.compile(r" \(force=True in Python\)"), ""),
    (re.compile(r"\buse subtype\b"), "use --subtype"),
    (re.compile(_WORD + r"window=\('(\w+)', ([^)]*)\)"), r"--window \1,\2"),
    (re.compile(r"\('(\w+)', (?:np\.float64\()?([-+\d.e]+)\)?\)"), r"\1,\2"),  # ('kaiser', 8.0) -> kaiser,8.0
    (re.compile(_WORD + r"window='(\w+)'"), r"--window \1"),
    (re.compile(r", or an array\b"), ""),
    (re.compile(r": for a window gl does not name, pass the samples scipy used, .*? take it\)"), ""),  # no arrays here
    # keyword=value -> --flag value, and the bare keyword (not before '//', as in n_fft // 2) -> --flag
    *((re.compile(_WORD + keyword + r"=(?=" + value + ")"), flag + " ") for keyword, flag, value, _ in _FLAG_OF_KEYWORD),
    *((re.compile(_WORD + keyword + r"\b(?! //)"), flag) for keyword, flag, _, bare in _FLAG_OF_KEYWORD if bare),
    # (the library's advice 'pass detrend=False' is what to give: 'give -P detrend=False')
    (re.compile(r"(\bpass )?" + _WORD + r"(detrend|scaling|mode|scale_to|amin|top_db|normalized|htk|norm|bins|n_mels|fmin|fmax|"
                r"return_onesided|boundary|padded|db|mel_scale|pad|f_min|f_max|fft_mode|mfft|phase_shift|p_min|k_offset|"
                r"ref(?!=np\.))=(?=\S|$)"),
     lambda match: f"{'give ' if match[1] else ''}-P {match[2]}="),
    (re.compile(_WORD + r"(momentum|alpha|beta|gamma|rho|n_dm|lookahead|fill|causal_difference|heap_tol|n_threads)=(?=[-\d'.(\[TFN])"), r"-O \1="),
    (re.compile(r"\buse from_torchaudio_mel\b"), "use --from torchaudio-mel"),
    (re.compile(r"\buse from_mel\b"), "use --from mel"),
    (re.compile(r"\buse from_librosa \(or from_torchaudio\)"), "use --from librosa (or --from torchaudio)"),
    (re.compile(r"\bpass its transpose\b"), "save its transpose (np.save(name, S.T))"),
    (re.compile(r"\btranspose it \((?:Sxx|Zxx|S)\.T\)"), "save its transpose (np.save(name, S.T))"),
    # the scipy conventions' segment length is --n-fft, or --win-length when scipy zero-padded to nfft = --n-fft
    # (each where the nperseg came from: _nperseg_advice)
    (re.compile(r"pass nfft=(?P<nfft>\d+(?: or \d+)?) if scipy was given it \(zero-padding\), else the nperseg scipy was given "
                r"\(or pass f, which says\)"), lambda match: _padding_words(match, "")),
    (re.compile(r"pass nfft=(?P<nfft>\d+) too if scipy zero-padded the segments, else the nperseg scipy was given"),
     lambda match: _padding_words(match, "the segments ")),
    (re.compile(r"pass the nperseg scipy was given \((\d+), with scipy's default nfft\)"), _nperseg_words),
    # scipy.signal.stft's segments zero-padded to the nfft f says, read as nfft (nothing said nperseg)
    (re.compile(r"pass nperseg=(\d+) and nfft=(\d+)$"), r"give --win-length \1 and --n-fft \2"),
    # (here the nperseg=400 stored in z.npz: the file's, named by gl invert)
    (re.compile(r"pass the nperseg scipy was given \(here (the |-P )?nperseg=(\d+)( stored in [^)]*)?\), and nfft too if scipy "
                r"zero-padded the segments"), _segment_words),
]

#: The paths of the command being run, which the rewriting leaves alone, each with the form it is
#: printed in (:func:`_shown`); set by ``main``, per thread: ``main`` may run on several at once.
_protected = threading.local()


def _paths_of(args) -> dict[str, str]:
    """Every spelling of the command's file and folder names a message may quote (as given,
    resolved, their folders, shell-quoted; not the bare name of a folder: the current one may
    be called ``n``; the names ``gl demo`` writes in its folder, the ``.wav`` and ``.flac``
    names an output of another extension is told to take), longest first, each mapped to
    the form it is printed in: :func:`_shown`'s."""
    spellings: dict[str, str] = {}
    for name in ("input", "output", "plot", "output_dir"):
        value = getattr(args, name, None)
        if not value:
            continue
        path = Path(value)
        real = Path(os.path.realpath(path))
        forms = {str(value), str(path), str(path.parent), path.name, str(real), str(real.parent), os.fspath(value).rstrip("/")}
        if name == "output_dir":
            forms |= {str(path / DEMO_OUTPUT), str(path / DEMO_ORIGINAL)}
        if name == "output":  # audio_format's 'name it x.wav or x.flac'
            stem = Path(os.fspath(value).rstrip("."))
            forms |= {f"{stem.with_suffix('') if stem.suffix else stem}{suffix}" for suffix in (".wav", ".flac")}
        for text in forms:
            if text and text not in (".", "/", ".."):
                spellings[text] = _shown(text)
                spellings.setdefault(shlex.quote(text), _shown(text, shell=True))
    return {text: spellings[text] for text in sorted(spellings, key=len, reverse=True)}


def _in_flags(text: str, *, flags: bool = True, one_line: bool = False) -> str:
    """A library message as the command line says it: its keywords as the flags that set them
    (``hop_length=2048`` -> ``--hop 2048``, ``detrend=False`` -> ``-P detrend=False`` ...;
    not with ``flags=False``), and with ``one_line`` on one line: a run of whitespace that holds a
    line break or a tab as one space (runs of spaces stay: a name made from a path, the
    ``name it x  y.wav`` for ``-o 'x  y.ogg'``, keeps them).
    The command's own paths are kept as they are (a folder may be called ``n_fft=512``, a
    file ``take  2.wav``): each whole occurrence is set aside under a private-use character first,
    and put back as :func:`_shown` prints it (a name with a line break in it stays on the line)."""
    kept: list[str] = []
    paths = getattr(_protected, "paths", {})

    def set_aside(match: "re.Match") -> str:
        kept.append(paths[match.group(0)])
        return chr(_PLACEHOLDER + len(kept) - 1)

    if paths:  # longest first, never inside a word, in one pass (no placeholder is searched again)
        pattern = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, paths)) + r")(?![\w])")
        text = pattern.sub(set_aside, text)
    if flags:
        for python, flag in _KEYWORD_HINTS.items():
            text = text.replace(python, flag)
        if getattr(_protected, "command", None) == "spectrogram":  # its mel bands are --n-mels, not an importer's -P n_mels=
            text = re.sub(_WORD + r"n_mels=", "--n-mels ", text)
            text = re.sub(r"\bfewer n_mels\b", "fewer --n-mels", text)
        for pattern, replacement in _FLAG_WORDS:
            text = pattern.sub(replacement, text)
    if one_line:  # (the placeholders are not whitespace: the paths keep theirs)
        text = re.sub(r"\s*[^\S ]\s*", " ", text).strip()
    for k, path in enumerate(kept):
        text = text.replace(chr(_PLACEHOLDER + k), path)
    return text


#: First of the private-use characters that stand for the set-aside paths in :func:`_in_flags`.
_PLACEHOLDER = 0xF0000


#: The library's advice in Python keywords -> the same advice in flags of the command.
_KEYWORD_HINTS = {
    "then pass db='power' or db='amplitude' (db='ln' for a natural log), or convert it first with gl.importers.from_db":
        "then add -P db=power or -P db=amplitude (-P db=ln for a natural log)",
    "pass db='power' (power_to_db) or db='amplitude' (amplitude_to_db) too (db='ln' for a natural log)":
        "add -P db=power (power_to_db) or -P db=amplitude (amplitude_to_db) (-P db=ln for a natural log)",
    "db='ln' needs power: 1 for": "-P db=ln needs --power: 1 for",
    "give hop_length": "give --hop",
    "give length= (the length of the signal they were made from)": "give --length (the length of the signal they were made from)",
}


#: errno -> what to do about it.
_OS_ERROR_HINTS = {
    1: "check its permissions or choose another file",
    13: "check its permissions or choose another file",
    28: "the disk is full: free some space or choose another output",
    30: "the file system is read-only: choose another output",
    20: "a part of the path is a file, not a folder",
    21: "it is a folder: give a file name",
}


def _is_user_error(error: BaseException) -> bool:
    if isinstance(error, (UsageError, ValueError, TypeError, OSError, MemoryError, OverflowError)):
        return True
    if isinstance(error, ImportError) and "pip install" in str(error):  # a missing optional dependency
        return True
    soundfile = sys.modules.get("soundfile")
    return soundfile is not None and isinstance(error, getattr(soundfile, "SoundFileError", ()))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"gl: warning: {_in_flags(str(message), one_line=True)}", file=sys.stderr)


@contextlib.contextmanager
def _termination_raises():
    """While gl works, SIGTERM and SIGHUP (a service manager stopping it, a closed terminal)
    raise :class:`_Terminated`, so that ``finally`` blocks remove temporary files as on Ctrl-C."""
    import signal

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def terminate(signum, frame):
        raise _Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:  # nohup's ignored SIGHUP stays ignored
            previous[number] = signal.signal(number, terminate)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _warnings_as_messages():
    """While gl works, each warning is shown once, as ``gl: warning: ...``. Only when ``main``
    runs on the main thread (as the command does): the warning filters and ``showwarning``
    belong to the whole process, and threads that change them at once leave them changed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        yield


@contextlib.contextmanager
def _interrupts_not_lost():
    """Notes every Ctrl-C (SIGINT) while the block runs, and raises KeyboardInterrupt at its
    end if one came and the block swallowed it. The first import of ``numpy.random`` does
    that: a Ctrl-C that lands in it (its Cython module calls ``abc.register``, where the
    KeyboardInterrupt is raised and then lost) let the command go on as if none had come
    (seen as a test that waited 60 s for gl to stop; one in about 100 Ctrl-C's sent in the
    first 60 ms after soundfile loads)."""
    import signal

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # only the main thread may set handlers; an embedding program's own handler is its own
        return
    received = []

    def interrupt(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt


def _import_compiled_modules() -> None:
    """Import what the commands use of numpy's and soundfile's compiled modules now, where a
    Ctrl-C they would swallow is not lost (see :func:`_interrupts_not_lost`), rather than at
    their first use in the middle of the work. (Not in ``import gl``, which loads numpy only.)"""
    with _interrupts_not_lost():
        for name in ("numpy.fft", "numpy.random", "soundfile"):
            try:
                importlib.import_module(name)
            except (ImportError, OSError):  # soundfile without libsndfile: the command that needs it says so
                pass


def _refuse_standard_streams(args) -> None:
    """``-`` for standard input or output, which gl does not read or write (a file of that
    name is read as any other): said so, not 'does not exist' or 'name it -.wav'."""
    if getattr(args, "input", None) == "-" and not os.path.exists("-"):
        raise UsageError("- as the input: gl reads files, not standard input; save it to a file and give that file's name")
    if getattr(args, "output", None) == "-":
        example = "spec.npz" if args.command == "spectrogram" else "out.wav"
        raise UsageError(f"-o -: gl writes files, not standard output; give a file name (say {example})")


#: Other libraries' keywords typed as flags (``--nperseg``, ``--fs``) -> gl's flag; scipy's
#: ``noverlap`` is ``--hop`` = nperseg - noverlap (:func:`_unrecognized`). A keyword that is a
#: flag but for ``_`` (``--n_fft``, ``--win_length``) is found without this table.
_OTHER_NAMES = {
    "nperseg": "--n-fft", "nfft": "--n-fft", "hop_length": "--hop", "hop_size": "--hop", "hopsize": "--hop",
    "fs": "--sr", "sample_rate": "--sr", "samplerate": "--sr", "rate": "--sr", "n_iters": "--n-iter", "iterations": "--n-iter",
}


def _unrecognized(message: str, argv: Sequence[str], parser: argparse.ArgumentParser) -> str:
    """argparse's ``unrecognized arguments: ...`` with gl's name for each flag typed as scipy or
    librosa name it (``--nperseg 256 is --n-fft 256``, ``--noverlap 192 is --hop 64 (nperseg - noverlap)``),
    and the command's --help rather than gl's."""
    commands = next(action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    command = next((word for word in argv if word in commands), None)
    if command is None or not message.startswith("unrecognized arguments: "):
        return message
    known = commands[command]._option_string_actions
    listed = message[len("unrecognized arguments: "):].rsplit(" (see ", 1)[0]

    def value_of(flags: tuple, words: Sequence[str]) -> Optional[str]:
        for k, word in enumerate(words):
            name, equals, value = word.partition("=")
            if name in flags:
                return value if equals else (words[k + 1] if k + 1 < len(words) else None)
        return None

    words, hints = listed.split(), []
    for k, word in enumerate(words):
        if not word.startswith("--"):
            continue
        name, equals, value = word.partition("=")
        if not equals:
            value = words[k + 1] if k + 1 < len(words) and not words[k + 1].startswith("-") else ""
        typed = word if equals else f"{word} {value}".strip()
        key = name.lstrip("-").lower().replace("-", "_")
        if key == "noverlap" and "--hop" in known:
            nperseg = value_of(("--win-length", "--nperseg"), list(argv)) or value_of(("--n-fft",), list(argv))
            try:
                hop = f"--hop {int(nperseg) - int(value)}" if nperseg is not None else "--hop"
            except ValueError:
                hop = "--hop"
            hints.append(f"{typed} is {hop} (nperseg - noverlap)")
            continue
        flag: Optional[str] = "--" + key.replace("_", "-")
        flag = flag if flag in known else _OTHER_NAMES.get(key)
        if flag in known:
            hints.append(f"{typed} is {flag}" + (f" {value}" if value else ""))
    said = f"unrecognized arguments: {listed}"
    return said + ("; " + ", ".join(hints) if hints else "") + f" (see gl {command} --help)"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``gl`` with ``argv`` (default: the command line); returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser.parse_args(argv)
    except UsageError as error:  # (a word typed that holds a control character, as _shown prints it)
        _protected.paths = {word: _shown(word) for word in sorted(filter(_CONTROL_CHARACTERS.search, argv), key=len, reverse=True)}
        try:
            print(f"gl: error: {_in_flags(_unrecognized(str(error), argv, parser), flags=False)}", file=sys.stderr)
        finally:
            _protected.paths = {}
        return EXIT_USAGE
    except SystemExit as done:  # --help, --version
        return int(done.code or 0) if not isinstance(done.code, str) else EXIT_USAGE
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    _protected.paths, _protected.command = _paths_of(args), args.command
    with _warnings_as_messages(), _termination_raises():
        try:
            _refuse_standard_streams(args)
            _import_compiled_modules()
            return args.run(args)
        except KeyboardInterrupt:
            print(f"\ngl {args.command}: interrupted; no output file was left half-written", file=sys.stderr)
            return EXIT_INTERRUPTED
        except _Terminated as stop:
            print(f"gl {args.command}: terminated (signal {stop.signum}); no output file was left half-written", file=sys.stderr)
            return 128 + stop.signum
        except BrokenPipeError:  # e.g. gl ... --json | head -c 10: the outputs are written, the reader left
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            return EXIT_BROKEN_PIPE
        except _ReportError as error:
            print(f"gl {args.command}: the outputs were written, but the report could not be printed: {error}", file=sys.stderr)
            return EXIT_REPORT
        except Exception as error:  # noqa: BLE001 - user errors become one line, bugs stay tracebacks
            if not _is_user_error(error):
                raise
            print(f"gl {args.command}: error: {_describe_error(error)}", file=sys.stderr)
            return EXIT_USAGE
        finally:
            _protected.paths, _protected.command = {}, None
