"""PGHI's cost in units of one fast-GLA iteration on the same spectrogram (issue 3's target: <= 10).

    python benchmarks/bench_pghi_cost.py [--repeats 15] [--tol 3e-3 1e-2]

10 s of 22.05 kHz speech (the dev corpus' d02 clip, tiled), n_fft 1024, hop 256, Hann.
CPU time (time.process_time), so that other jobs on the machine matter less; one FGLA
iteration = (t(n_iter=20) - t(n_iter=0)) / 20, single-threaded; ``--repeats`` rounds in each
of ``--processes`` fresh processes (PGHI's Python heap runs 10-15 % faster or slower from one
process to the next), the ratio the median of the processes' medians. Prints a Markdown table
of medians and saves ``results/pghi_cost.json`` (``python -m benchmarks report`` shows it
among the targets).

Then, on every clip of the convergence study (same geometry), what each computed start
costs there, in FGLA iterations on that clip: ``t(init, n_iter=0) - t('random', n_iter=0)``
(the start and nothing else) for ``init='pghi'`` and ``init='spsi'``, medians of
``--clip-repeats``. PGHI's cost depends on the signal (how many coefficients its heap
integrates); the report's comparison at equal work charges each clip its own.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.common import (CORPUS, DEFAULT_CORPUS, RESULTS, environment, read_clip, record_corpus_file, results_folder, save,
                               script_command)
from gl.cli import _positive_float, _positive_int  # the command line's checks of whole and real numbers

CLIP = CORPUS / "dev" / "d02_speech_alsa-voice_22k.flac"  # ../shared, or $GL_SHARED


def _heap_tol(text: str) -> float:
    """A PGHI heap tolerance from the command line: a number in (0, 1)."""
    value = _positive_float(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not below 1 (the heap integrates the coefficients above tol * max(S))")
    return value


def cpu_seconds(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def fgla_seconds(S: np.ndarray, geometry, init: str = "random", n_iter: int = 0) -> float:
    """CPU seconds of ``gl.griffinlim`` on ``S``, single-threaded."""
    return cpu_seconds(lambda: gl.griffinlim(S, geometry=geometry, n_iter=n_iter, init=init, rng=0, n_threads=1))


def fgla_round(S: np.ndarray, geometry) -> tuple[float, float]:
    """The set-up (``n_iter=0``, random start) and one FGLA iteration (``(t(20) - t(0)) / 20``), CPU seconds."""
    base = fgla_seconds(S, geometry)
    return base, (fgla_seconds(S, geometry, n_iter=20) - base) / 20


def start_costs(S: np.ndarray, geometry, repeats: int, inits=("pghi", "spsi")) -> dict:
    """Each start's cost on ``S`` in FGLA iterations on ``S`` (CPU time, single thread, medians)."""
    iteration, extra = [], {init: [] for init in inits}
    for _ in range(repeats):
        base, one = fgla_round(S, geometry)
        iteration.append(one)
        for init in inits:
            extra[init].append(fgla_seconds(S, geometry, init) - base)
    one = float(np.median(iteration))
    return {"fgla_iteration_ms": one * 1e3, "starts": {init: float(np.median(extra[init])) / one for init in inits},
            "all_starts_ms": {init: [t * 1e3 for t in extra[init]] for init in inits}}


def clip_files() -> list[Path]:
    """The convergence study's default clips."""
    return [path for pattern in DEFAULT_CORPUS for path in sorted(CORPUS.glob(pattern))]


def speech_spectrogram():
    """The 10 s of speech the cost is measured on, and its geometry."""
    x, sr = sf.read(str(CLIP))
    record_corpus_file(CLIP)
    x = np.resize(x, 10 * sr)
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    return np.abs(geometry.stft(x)), geometry


def time_in_this_process(tols, repeats: int) -> dict:
    """``repeats`` rounds of: one FGLA iteration (from t(20) - t(0)), then PGHI at each tol; CPU ms."""
    pghi_module = importlib.import_module("gl.pghi")
    S, geometry = speech_spectrogram()
    pghi_ms: dict[str, list[float]] = {repr(tol): [] for tol in tols}
    fgla_ms = []
    for _ in range(repeats):
        fgla_ms.append(fgla_round(S, geometry)[1] * 1e3)
        for tol in tols:
            pghi_ms[repr(tol)].append(cpu_seconds(lambda: pghi_module.pghi(S, geometry=geometry, rng=0, tol=tol)) * 1e3)
    return {"fgla_ms": fgla_ms, "pghi_ms": pghi_ms}


def time_in_processes(tols, repeats: int, processes: int) -> list[dict]:
    """:func:`time_in_this_process` in ``processes`` fresh Python processes, one after the other:
    PGHI's heap (Python objects, memory layout) runs 10-15 % faster or slower from one process
    to the next, more than the repeats in one process vary."""
    import json
    import subprocess

    runs = []
    for _ in range(processes):
        done = subprocess.run([sys.executable, __file__, "--worker", "--repeats", str(repeats), "--tol", *map(repr, tols)],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=_positive_int, default=15, help="rounds in each process")
    parser.add_argument("--processes", type=_positive_int, default=3, help="fresh processes the rounds run in")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # one process's rounds, JSON out
    parser.add_argument("--tol", type=_heap_tol, nargs="+", default=[3e-3, 1e-2], help="PGHI heap tolerances, each in (0, 1)")
    parser.add_argument("--clip-repeats", type=_positive_int, default=5, help="repeats of each clip's start costs")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args()
    if not CLIP.exists():
        raise SystemExit(f"bench_pghi_cost: {CLIP} not found: set GL_SHARED to the folder that holds corpus/")
    if args.worker:
        import json

        print(json.dumps(time_in_this_process(args.tol, args.repeats)))
        return
    pghi_module = importlib.import_module("gl.pghi")
    S, geometry = speech_spectrogram()
    runs = time_in_processes(args.tol, args.repeats, args.processes)
    # per process: the median over its rounds of PGHI / one FGLA iteration (same round); overall:
    # the median of the processes' medians, their spread beside it
    fgla_ms = [v for run in runs for v in run["fgla_ms"]]
    print(f"one FGLA iteration: {np.median(fgla_ms):.2f} ms (median of {args.repeats} rounds in each of {args.processes} processes)\n")
    print("| tol | PGHI (ms) | PGHI / one FGLA iteration | per process | PGHI SC (dB) |")
    print("|---|---|---|---|---|")
    rows = []
    for tol in args.tol:
        per_process = [float(np.median(np.divide(run["pghi_ms"][repr(tol)], run["fgla_ms"]))) for run in runs]
        pghi_ms = [v for run in runs for v in run["pghi_ms"][repr(tol)]]
        _, info = pghi_module.pghi(S, geometry=geometry, rng=0, tol=tol, return_info=True)
        rows.append({"tol": tol, "pghi_ms": float(np.median(pghi_ms)), "ratio": float(np.median(per_process)),
                     "ratio_per_process": per_process, "sc_db": float(info.final_db), "default": tol == pghi_module.DEFAULT_TOL,
                     "all_pghi_ms": pghi_ms})
        print(f"| {tol:g} | {rows[-1]['pghi_ms']:.1f} | {rows[-1]['ratio']:.1f} | "
              f"{', '.join(f'{r:.1f}' for r in per_process)} | {rows[-1]['sc_db']:.1f} |")
    clip_geometry = gl.STFT(1024, 256, window="hann")  # the convergence study's
    per_clip = {}
    print("\n| clip | frames | one FGLA iteration (ms) | PGHI start (FGLA iterations) | SPSI start (FGLA iterations) |")
    print("|---|---|---|---|---|")
    for path in clip_files():
        clip = read_clip(path)
        S_clip = np.abs(clip_geometry.stft(clip.signal))
        costs = start_costs(S_clip, clip_geometry, args.clip_repeats)
        per_clip[clip.name] = dict(costs, n_frames=int(S_clip.shape[-1]))
        print(f"| {clip.name} | {S_clip.shape[-1]} | {costs['fgla_iteration_ms']:.2f} | {costs['starts']['pghi']:.1f} | "
              f"{costs['starts']['spsi']:.1f} |", flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_pghi_cost.py", parser, args)  # --tol too, when given
    save("pghi_cost", {"environment": env, "signal": f"{CLIP.name} tiled to 10 s, n_fft 1024, hop 256, hann",
                       "repeats": args.repeats, "processes": args.processes, "fgla_iteration_ms": float(np.median(fgla_ms)),
                       "all_fgla_iteration_ms": fgla_ms,
                       "rows": rows, "clip_geometry": "n_fft 1024, hop 256, hann (the convergence study's)",
                       "clip_repeats": args.clip_repeats, "per_clip": per_clip}, args.out)


if __name__ == "__main__":
    main()
