"""What every study shares: the environment record, the corpus, the methods, timing, JSON.

Timing rules (the machine is shared and noisy): warm up first (librosa's numba code
compiles on its first call), run the things being compared round-robin inside one loop so
that a slow moment hits all of them, and keep the median of the repeats.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

import gl
from gl.metrics import signal_spectral_convergence, to_db

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
SHARED = Path(os.environ.get("GL_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"

#: Files of the convergence study when no --corpus is given: the dev corpus and the two
#: reference signals of the phase-retrieval literature.
DEFAULT_CORPUS = ["dev/*.flac", "reference/greasy.wav", "reference/gspi.wav"]

#: The SHA-256 of each corpus file this process has read as audio (:func:`read_clip`, or a
#: script's own reader through :func:`record_corpus_file`), by :func:`corpus_name`.
#: :func:`environment` and :func:`save` write them into a result's environment as
#: ``corpus_sha256``, which ties its figures to the exact audio (``dev/SHA256SUMS`` in the
#: corpus lists the same digests); ``python -m benchmarks`` empties it before each study.
CORPUS_SHA256: dict[str, str] = {}


# ---------------------------------------------------------------------- environment
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover - not Linux
        pass
    return platform.processor() or "unknown"


def timing_parser(doc: str, seconds: float = 10.0):
    """The command line of a timing script: ``--repeats``, ``--iterations`` (K), ``--seconds`` and
    ``--out``, with the scripts' common defaults; the script adds its own options."""
    import argparse

    from gl.cli import _positive_float, _positive_int  # the command line's checks of whole and real numbers

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeats", type=_positive_int, default=9)
    parser.add_argument("--iterations", type=_positive_int, default=20, help="K, iterations of the timed runs")
    parser.add_argument("--seconds", type=_positive_float, default=seconds, help=f"signal length (default {seconds:g})")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    return parser


def results_folder(text: str) -> Path:
    """``--out``'s argparse type: a folder the results can be written to (made when saved).

    A study writes its JSON at the end; an ``--out`` it cannot write (a file, or under one; a
    folder without write permission, or under one) used to be a traceback after all the work.
    Now it is a usage error naming ``--out`` before any work. Nothing is created here."""
    return _writable(Path(text), Path(text), text)


def _writable(folder: Path, path: Path, text: str) -> Path:
    """``path`` if ``folder`` (``path`` or its parent) is, or can be made, a folder this process writes in."""
    import argparse

    existing = folder
    while not existing.exists() and existing != existing.parent:  # the nearest folder that exists
        existing = existing.parent
    if not existing.is_dir():
        where = "is a file" if existing == path else f"is under {existing}, a file"
        raise argparse.ArgumentTypeError(f"cannot write results to {text}: it {where}")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == path else f" ({existing}, where it would be made)"
        raise argparse.ArgumentTypeError(f"cannot write results to {text}: no write permission{where}")
    return path


def results_file(text: str) -> Path:
    """An ``--out`` that names the JSON file itself: its folder checked as :func:`results_folder`'s."""
    import argparse

    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write results to {text}: it is a folder (give the JSON file's path)")
    return _writable(path.parent, path, text)


def script_command(script: str, parser, args, skip=("out",)) -> str:
    """The command line that reproduces a benchmark script's run: ``python <script>`` and
    every option of ``args`` whose value is not ``parser``'s default (``skip`` left out).

    A flag that takes no value (``action='store_true'`` ...) is written alone, ``--trace``,
    when it was given, and not at all otherwise; a ``--x / --no-x`` pair as the one given.
    """
    import argparse

    words = ["python", script]
    for action in parser._actions:
        name = action.dest
        if not action.option_strings or name in ("help",) + tuple(skip):
            continue
        value = getattr(args, name)
        if value == parser.get_default(name):
            continue
        if isinstance(action, argparse.BooleanOptionalAction):  # --fade / --no-fade
            words.append(action.option_strings[0] if value else action.option_strings[1])
        elif action.nargs == 0:  # store_true, store_false, store_const: the flag alone, when it gave this value
            if value == action.const:
                words.append(action.option_strings[-1])
        else:
            words += [action.option_strings[-1]] + [str(v) for v in (value if isinstance(value, list) else [value])]
    return " ".join(words)


def git_state() -> Optional[str]:
    """The commit of the checkout the benchmark ran from, ``+dirty`` if its code had changes (the
    benchmarks' own outputs, ``benchmarks/results`` and the report, do not count); None outside git."""
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results",
                                ":!benchmarks/README.md"], cwd=REPO, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def environment() -> dict:
    """Versions, CPU and the environment variables that can change the timings, and the
    SHA-256 of the corpus files read so far (:data:`CORPUS_SHA256`)."""
    import librosa

    from importlib import metadata

    versions = {}
    # what librosa and the scripts may load; pystoi and pesq score the paper study's perceptual columns
    for name in ("scipy", "soundfile", "numba", "matplotlib", "torch", "torchaudio", "pystoi", "pesq"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "librosa": librosa.__version__,
        "gl": gl.__version__,
        "other_versions": versions,
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS", "OMP_", "MKL", "NUMBA", "GL_NUM_THREADS"))},
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        # runnable processes averaged over 1 and 5 minutes: above the 2 cores, other jobs took time from the run
        "load_average": [round(v, 2) for v in os.getloadavg()[:2]] if hasattr(os, "getloadavg") else None,
        "git": git_state(),
        "command": " ".join(["python -m benchmarks" if sys.argv[0].endswith("__main__.py") else "python " + Path(sys.argv[0]).name]
                            + sys.argv[1:]),
        "note": "2-core machine shared with other jobs: timings are noisy; compare ratios measured side by side",
        "corpus_sha256": dict(sorted(CORPUS_SHA256.items())),  # the files read so far; save() adds any read later
    }


# ---------------------------------------------------------------------- corpus
@dataclass
class Clip:
    name: str
    signal: np.ndarray  # (n,) float64 mono
    sr: int


def corpus_name(path: Path) -> str:
    """How results name a file read as audio: its path under the corpus folder
    (``dev/d01_speech_arctic-slt_16k.flac``), or its absolute path if it is elsewhere."""
    path = Path(path).resolve()
    try:
        return path.relative_to(CORPUS.resolve()).as_posix()
    except ValueError:
        return str(path)


def record_corpus_file(path: Path) -> str:
    """Hash a file read as audio into :data:`CORPUS_SHA256` (the results save it); returns the digest."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    CORPUS_SHA256[corpus_name(path)] = digest.hexdigest()
    return digest.hexdigest()


def read_clip(path: Path, max_seconds: Optional[float] = None) -> Clip:
    """A corpus file as a mono float64 signal (channels averaged), optionally cut short; its
    SHA-256 goes to :data:`CORPUS_SHA256`, which the saved result records."""
    import soundfile as sf

    data, sr = sf.read(str(path), dtype="float64", always_2d=True)
    record_corpus_file(path)
    signal = data.mean(axis=1)
    if max_seconds is not None:
        signal = signal[: int(max_seconds * sr)]
    return Clip(path.stem, np.ascontiguousarray(signal), int(sr))


class CorpusError(FileNotFoundError):
    """``--corpus`` names no usable set of audio files: a pattern that matches no file, a file
    soundfile cannot read as audio, or two files of one name (a clip's results are keyed by
    its file name without the suffix). A FileNotFoundError, which the commands catch."""


def find_corpus(patterns: list[str], root: Path = CORPUS) -> list[Path]:
    """Expand glob patterns (absolute, or relative to the corpus folder), sorted, no duplicates.

    Every file is checked before any work (:class:`CorpusError`): a study that reads an
    unreadable file, or keys two clips by one name, would fail or mix them up after the
    files before it were done."""
    import soundfile as sf

    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_absolute():
            matches = sorted(path.parent.glob(path.name))
        else:
            matches = sorted(root.glob(pattern)) or sorted(Path.cwd().glob(pattern))
        if not matches:
            raise CorpusError(f"--corpus pattern {pattern!r} matches no file (corpus root {root}: set GL_SHARED to the "
                              "folder that holds corpus/, or give --corpus absolute paths)")
        for match in matches:
            if match not in found:
                found.append(match)
    names: dict[str, Path] = {}
    for path in found:
        try:
            sf.info(str(path))
        except Exception as error:  # soundfile's LibsndfileError, or a folder's, a device's ... error
            raise CorpusError(f"--corpus file {path} is not audio soundfile can read ({error})") from None
        if path.stem in names:
            raise CorpusError(f"--corpus files {names[path.stem]} and {path} have the same name {path.stem!r}, which "
                              "keys a clip's results: rename one")
        names[path.stem] = path
    return found


def is_dev(clip_name: str) -> bool:
    """Dev-corpus clips are named d01_..., d02_... ."""
    return len(clip_name) > 3 and clip_name[0] == "d" and clip_name[1:3].isdigit()


# ---------------------------------------------------------------------- methods
def methods() -> dict:
    """gl's phase-retrieval methods as registered right now (``gl.reconstruct.METHODS``)."""
    registry = importlib.import_module("gl.reconstruct")  # the module (gl.reconstruct is also a function)
    return dict(registry.METHODS)


def default_method() -> tuple[str, str]:
    registry = importlib.import_module("gl.reconstruct")
    return registry.DEFAULT_METHOD, registry.DEFAULT_INIT


def available_inits() -> tuple[list[str], dict[str, str]]:
    """Initial phases that work now: 'random', 'zeros' and every importable initialiser.

    Returns the list and, for the initialisers that cannot be imported, why.
    """
    _iterative = importlib.import_module("gl._iterative")
    inits = ["random", "zeros"]
    missing = {}
    for name, (module_name, function_name) in getattr(_iterative, "INITIALIZERS", {}).items():
        try:
            getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as error:
            missing[name] = f"{type(error).__name__}: {error}"
            continue
        inits.append(name)
    return inits, missing


@dataclass
class Run:
    """One reconstruction: output, SC history in dB (may be empty), final SC, wall time."""

    signal: np.ndarray
    history_db: np.ndarray  # (n_iter,) SC of x_n in dB, n = 1..n_iter
    initial_db: float
    final_db: float  # recomputed from the returned signal's STFT
    seconds: float
    iterative: bool


def run_method(S: np.ndarray, geometry, length: int, method: str, init: Optional[str], n_iter: int, seed: int, **options) -> Run:
    """``gl.reconstruct`` with a fresh ``default_rng(seed)``, timed, SC recomputed from the output."""
    keywords = dict(method=method, n_iter=n_iter, rng=np.random.default_rng(seed), geometry=geometry, length=length)
    if init is not None:
        keywords["init"] = init
    start = time.perf_counter()
    result = gl.reconstruct(S, return_info=True, **keywords, **options)
    seconds = time.perf_counter() - start
    if isinstance(result, tuple):
        y, info = result
    else:  # pragma: no cover - a method without history
        y, info = result, None
    final_db = float(to_db(signal_spectral_convergence(S, y, geometry)))
    history = np.zeros(0)
    initial = float("nan")
    if info is not None:
        history = np.asarray(info.spectral_convergence_db, dtype=np.float64).reshape(-1)
        if info.initial_spectral_convergence is not None:
            initial = float(to_db(np.asarray(info.initial_spectral_convergence).reshape(-1)[0]))
    iterative = n_iter <= 1 or len(history) > 1
    return Run(np.asarray(y), history, initial, final_db, seconds, iterative)


def sc_at(history_db: np.ndarray, n: int) -> Optional[float]:
    """SC after iteration ``n`` (1-based) or None when the run was shorter."""
    return float(history_db[n - 1]) if 0 < n <= len(history_db) else None


def iterations_to_reach(history_db: np.ndarray, threshold_db: float) -> Optional[int]:
    """First iteration whose SC is at or below ``threshold_db``, or None."""
    hits = np.nonzero(np.asarray(history_db) <= threshold_db)[0]
    return int(hits[0]) + 1 if hits.size else None


# ---------------------------------------------------------------------- librosa
def librosa_seed(draw) -> dict:
    """``librosa.griffinlim``'s keyword for a Generator or RandomState ``draw``: ``rng`` from
    librosa 1.0 on (``random_state`` is then a deprecated alias), ``random_state`` before. An
    int is read as librosa 0.10 and 0.11 read it, ``np.random.RandomState(int)``: librosa 1.0
    seeds ``default_rng`` with it, so it is passed as the object, which draws alike in both."""
    import librosa

    if isinstance(draw, (int, np.integer)) and not isinstance(draw, bool):
        draw = np.random.RandomState(draw)
    return {"rng" if int(librosa.__version__.split(".")[0]) >= 1 else "random_state": draw}


def librosa_griffinlim(S: np.ndarray, geometry, length: int, n_iter: int, seed: int, momentum: float = 0.99,
                       random_state=None) -> np.ndarray:
    """``librosa.griffinlim`` in ``geometry`` from ``np.random.default_rng(seed)``'s draw (or the
    ``random_state`` given: an int seeds ``np.random.RandomState``, librosa 0.10 and 0.11's reading;
    see :func:`librosa_seed`)."""
    import librosa

    return librosa.griffinlim(
        S,
        n_iter=n_iter,
        hop_length=geometry.hop_length,
        win_length=geometry.n_fft,
        n_fft=geometry.n_fft,
        window=np.array(geometry.window_array),  # the exact window gl uses, zero-padded to n_fft
        center=geometry.center,
        pad_mode=geometry.pad_mode,
        length=length,
        momentum=momentum,
        init="random",
        **librosa_seed(np.random.default_rng(seed) if random_state is None else random_state),
    )


def librosa_griffinlim_from(S: np.ndarray, geometry, length: int, n_iter: int, angles: np.ndarray,
                            momentum: float = 0.99, transforms: str = "librosa", update: str = "librosa") -> np.ndarray:
    """``librosa.griffinlim``'s loop (librosa 0.11, ``core/spectrum.py``) from the unit phasors
    ``angles`` instead of its own draw, with librosa's ``stft`` and ``istft``, operation for
    operation: from librosa's own draw it gives ``librosa.griffinlim``'s output to the last bit
    (the convergence study checks it), so that a start changed by a rounding shows how far
    librosa moves from itself.

    For ``bench_librosa_rounding.py``, one of its parts can be gl's instead, the same algebra
    rounded another way: ``transforms='gl'``, ``geometry.stft`` and ``geometry.istft``;
    ``update='gl-momentum'``, ``t = c + momentum (c - c_prev)`` (librosa's ``c - momentum / (1 +
    momentum) c_prev`` is ``t / (1 + momentum)``, which the projection's normalisation removes);
    ``update='gl-projection'``, ``t * (S / (|t| + eps))`` (librosa's ``t / (|t| + eps) * S``);
    ``update='gl'``, both."""
    import librosa

    if transforms not in ("librosa", "gl") or update not in ("librosa", "gl-momentum", "gl-projection", "gl"):
        raise ValueError(f"transforms={transforms!r} or update={update!r} is unknown")
    keywords = dict(hop_length=geometry.hop_length, win_length=geometry.n_fft, n_fft=geometry.n_fft,
                    window=np.array(geometry.window_array), center=geometry.center)
    if transforms == "librosa":
        def stft(y):
            return librosa.stft(y, pad_mode=geometry.pad_mode, **keywords)

        def istft(X):
            return librosa.istft(X, length=length, **keywords)
    else:
        def stft(y):
            return geometry.stft(y)

        def istft(X):
            return geometry.istft(X, length=length)
    gl_momentum, gl_projection = update in ("gl-momentum", "gl"), update in ("gl-projection", "gl")
    angles = np.array(angles, dtype=complex)
    eps = librosa.util.tiny(angles)
    angles *= S
    rebuilt = tprev = None
    for _ in range(n_iter):
        inverse = istft(angles)
        rebuilt = stft(inverse)
        if gl_momentum:
            angles = rebuilt.copy() if tprev is None else rebuilt + momentum * (rebuilt - tprev)
        else:
            angles[:] = rebuilt
            if tprev is not None:
                angles -= (momentum / (1 + momentum)) * tprev
        if gl_projection:
            angles *= S / (np.abs(angles) + eps)
        else:
            angles /= np.abs(angles) + eps
            angles *= S
        rebuilt, tprev = tprev, rebuilt
    return istft(angles)


def librosa_start(shape, random_state) -> np.ndarray:
    """The unit phasors ``librosa.griffinlim(init='random', **librosa_seed(random_state))`` draws
    (a Generator or RandomState is used as given, an int seeds ``np.random.RandomState``)."""
    import librosa

    rng = np.random.RandomState(random_state) if isinstance(random_state, (int, np.integer)) else random_state
    return librosa.util.phasor(2 * np.pi * rng.random(size=shape))  # its own (numba's) cos and sin


# ---------------------------------------------------------------------- timing
def interleaved_medians(functions: dict[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median wall time of each function, the functions run round-robin ``repeats`` times."""
    times = interleaved_times(functions, repeats, warmup)
    return {name: float(np.median(values)) for name, values in times.items()}


def interleaved_times(functions: dict[str, Callable[[], object]], repeats: int, warmup: int = 1,
                      warm_each: bool = False) -> dict[str, list[float]]:
    """Every wall time of each function, the functions run round-robin ``repeats`` times.

    With ``warm_each`` every timed call comes right after an untimed call of the same
    function: the steady state of a long run (its data in cache, and on a virtual machine
    the second vCPU awake: after a few ms of single-threaded work a two-thread call here
    started up to 2x slower than the same call repeated).
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            if warm_each:
                function()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------------- results
def _clean(value):
    """JSON-able copy: numpy scalars/arrays to Python, NaN/inf to None, floats rounded."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not np.isfinite(value):
            return None
        return float(f"{value:.6g}")
    return value


def traced_call(S: np.ndarray, call: Callable[[], np.ndarray], trace_frames: int = 1, watch=None) -> tuple[dict, object]:
    """The peak memory of ``call()`` in this process, as the memory studies report it.

    The tracemalloc peak above what was traced before the call (``S``, loaded before, is
    excluded; the returned signal is included) and the growth of the process's max-RSS, each
    also over the size of ``S``'s complex spectrogram. ``watch``, if given, makes an object
    once tracing runs, which ``.stop(peak, baseline)`` ends before tracing does; what it
    returns comes back beside the figures.
    """
    import resource
    import tracemalloc

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # bytes (Linux reports KiB)
    tracemalloc.start(trace_frames)
    baseline = tracemalloc.get_traced_memory()[0]
    watcher = watch() if watch is not None else None
    start = time.perf_counter()
    y = call()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] - baseline
    seen = watcher.stop(peak, baseline) if watcher is not None else None
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    complex_bytes = S.size * np.dtype(np.result_type(S.dtype, np.complex64)).itemsize
    figures = {"dtype": S.dtype.name, "shape": list(S.shape), "seconds": seconds,
               "complex_spectrogram_bytes": complex_bytes, "magnitude_bytes": S.nbytes, "output_bytes": y.nbytes,
               "tracemalloc_peak_bytes": peak, "maxrss_growth_bytes": rss_after - rss_before,
               "peak_multiple": peak / complex_bytes, "maxrss_multiple": (rss_after - rss_before) / complex_bytes}
    return figures, seen


def save(name: str, data: dict, out: Path) -> Path:
    """Write ``data`` as ``out/<name>.json``; its ``environment``, if any, gets the SHA-256 of
    every corpus file read so far (:data:`CORPUS_SHA256`), also those read after it was made."""
    if isinstance(data.get("environment"), dict):
        data = {**data, "environment": {**data["environment"], "corpus_sha256": dict(sorted(CORPUS_SHA256.items()))}}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    text = json.dumps(_clean(data), indent=1)
    text = re.sub(r"\[[-0-9.eE,\snul]*\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)  # number lists on one line
    partial = path.with_name(path.name + ".partial")  # written whole, then renamed: never a half-written result
    partial.write_text(text + "\n")
    os.replace(partial, path)
    return path


def load(name: str, out: Path) -> Optional[dict]:
    path = out / f"{name}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())
