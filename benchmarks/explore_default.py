"""Which method and initial phase should ``gl.reconstruct`` use by default?

Every registered iterative method x initial phase on the dev corpus (mono mix, the first
few seconds of each clip; Hann 1024, hop 256): mean spectral convergence (dB) after
10/30/100/300 iterations, the iterations needed to reach what ``librosa.griffinlim``
reaches in 100 (random init, momentum 0.99), and the wall time of 100 iterations (the
initialiser included). Issue 3's target for the default: librosa's 100-iteration
spectral convergence in at most 25 iterations, and at least 8 dB better than librosa
after 100 iterations, on average over the corpus.

Each method runs once with the largest iteration count and ``return_info=True``; the
value after ``n`` iterations is row ``n - 1`` of its history, which is exactly the
spectral convergence of an ``n``-iteration run (every method's shorter run is the start
of its longer one; ``tests/test_algorithms.py`` checks it). Wall times come from separate
100-iteration runs and are noisy on a shared machine.

Usage::

    python benchmarks/explore_default.py                     # the whole table (~10 min)
    python benchmarks/explore_default.py --seconds 2 --methods fgla agla --inits random

Prints a Markdown table and writes ``benchmarks/results/explore_default.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from gl.metrics import signal_spectral_convergence, to_db
from gl.cli import _non_negative_int, _positive_float, _positive_int  # the command line's checks of numbers
from benchmarks.common import environment, librosa_seed, record_corpus_file, results_file

HERE = Path(__file__).resolve().parent
CORPUS = Path(os.environ.get("GL_SHARED", HERE.parent.parent / "shared")) / "corpus" / "dev"


def load_clips(seconds: float) -> list[tuple[str, np.ndarray]]:
    import soundfile as sf

    clips = []
    for path in sorted(CORPUS.glob("*.flac")):
        data, sr = sf.read(str(path), dtype="float64", always_2d=True)
        record_corpus_file(path)  # environment() records it
        clips.append((path.stem, np.ascontiguousarray(data.mean(axis=1)[: int(seconds * sr)])))
    if not clips:
        raise SystemExit(f"no .flac file in {CORPUS} (set GL_SHARED)")
    return clips


def librosa_baseline(S: np.ndarray, geometry: gl.STFT, length: int, seed: int) -> tuple[float, float]:
    """(spectral convergence in dB, seconds) of librosa.griffinlim, 100 iterations, random init."""
    import librosa

    def run():
        return librosa.griffinlim(
            S, n_iter=100, hop_length=geometry.hop_length, n_fft=geometry.n_fft, window="hann", center=True,
            momentum=0.99, init="random", **librosa_seed(np.random.default_rng(seed)), length=length,
        )  # fmt: skip

    run()  # warm: librosa's first call pays its imports and caches (1.4 s against 0.24 s)
    start = time.perf_counter()
    y = run()
    seconds = time.perf_counter() - start
    return float(to_db(signal_spectral_convergence(S, y, geometry))), seconds


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    registry = importlib.import_module("gl.reconstruct")
    parser.add_argument("--methods", nargs="+", default=["gla", "fgla", "agla", "raar", "dm", "dm_fgla", "admm"])
    parser.add_argument("--inits", nargs="+", default=["random", "pghi"])
    parser.add_argument("--iters", nargs="+", type=_positive_int, default=[10, 25, 30, 100, 300])
    parser.add_argument("--seconds", type=_positive_float, default=4.0, help="length of each excerpt")
    parser.add_argument("--seed", type=_non_negative_int, default=0)
    parser.add_argument("--out", type=results_file, default=HERE / "results" / "explore_default.json")
    args = parser.parse_args(argv)

    geometry = gl.STFT(1024, 256, window="hann")
    clips = load_clips(args.seconds)
    n_max = max(args.iters)
    problems = []
    for name, x in clips:
        S = np.abs(geometry.stft(x))
        baseline_db, baseline_s = librosa_baseline(S, geometry, len(x), args.seed)
        problems.append({"clip": name, "S": S, "length": len(x), "librosa_db": baseline_db, "librosa_s": baseline_s})
        print(f"{name}: librosa 100 it {baseline_db:.2f} dB", file=sys.stderr, flush=True)

    rows = []
    for method in args.methods:
        for init in args.inits:
            per_clip, curves = [], []
            for problem in problems:
                S, length = problem["S"], problem["length"]
                common = dict(method=method, init=init, rng=args.seed, geometry=geometry, length=length)
                _, info = gl.reconstruct(S, n_iter=n_max, return_info=True, **common)
                history = info.spectral_convergence_db
                curves.append(history)
                start = time.perf_counter()
                gl.reconstruct(S, n_iter=100, **common)
                seconds_100 = time.perf_counter() - start
                reached = np.flatnonzero(history <= problem["librosa_db"] + 1e-6)  # a tie counts (gl's FGLA = librosa's)
                per_clip.append({
                    "clip": problem["clip"],
                    "db": {n: float(history[n - 1]) for n in args.iters},
                    "iterations_to_librosa_100": int(reached[0]) + 1 if reached.size else None,
                    "seconds_100": seconds_100,
                })  # fmt: skip
            mean_db = {n: float(np.mean([c["db"][n] for c in per_clip])) for n in args.iters}
            mean_curve = np.mean(curves, axis=0)  # (n_max,) mean over the clips, dB
            librosa_mean = float(np.mean([p["librosa_db"] for p in problems]))
            below = np.flatnonzero(mean_curve <= librosa_mean)
            reach = [c["iterations_to_librosa_100"] for c in per_clip]
            rows.append({
                "method": method,
                "init": init,
                "mean_db": mean_db,
                "mean_curve_db": mean_curve.tolist(),
                "iterations_for_mean_to_reach_librosa_100": int(below[0]) + 1 if below.size else None,
                "clips_reaching_librosa_100": sum(r is not None for r in reach),
                "max_iterations_to_librosa_100": max((r for r in reach if r is not None), default=None),
                "seconds_100_total": float(sum(c["seconds_100"] for c in per_clip)),
                "per_clip": per_clip,
            })  # fmt: skip
            print(f"{method}/{init}: " + " ".join(f"{n}:{mean_db[n]:.2f}" for n in args.iters), file=sys.stderr, flush=True)

    librosa_mean = float(np.mean([p["librosa_db"] for p in problems]))
    librosa_seconds = float(sum(p["librosa_s"] for p in problems))
    # mean curve reaching librosa's mean: the criterion is on corpus averages
    marks = " | ".join(f"{n} it" for n in args.iters)
    lines = [
        f"Dev corpus, {len(problems)} clips, first {args.seconds:g} s mono, Hann 1024 / hop 256, seed {args.seed}. "
        f"Mean spectral convergence in dB (lower is better). librosa.griffinlim, 100 it, random init, "
        f"momentum 0.99: **{librosa_mean:.2f} dB** ({librosa_seconds:.2f} s for the corpus).",
        "",
        f"| method | init | {marks} | 100 it vs librosa | it. for the mean to reach librosa-100 "
        f"| clips reaching their librosa-100 (max it.) | s / 100 it. (corpus) |",
        "|---|---|" + "---|" * len(args.iters) + "---|---|---|---|",
    ]
    for row in rows:
        cells = " | ".join(f"{row['mean_db'][n]:.2f}" for n in args.iters)
        gain = row["mean_db"][100] - librosa_mean if 100 in row["mean_db"] else float("nan")
        lines.append(
            f"| {row['method']} | {row['init']} | {cells} | {gain:+.2f} | "
            f"{row['iterations_for_mean_to_reach_librosa_100']} | "
            f"{row['clips_reaching_librosa_100']}/{len(problems)} ({row['max_iterations_to_librosa_100']}) | "
            f"{row['seconds_100_total']:.2f} |"
        )
    table = "\n".join(lines)
    print(table)

    result = {
        "setup": {
            # the corpus folder under the shared one (GL_SHARED), not this machine's path; environment has its files' SHA-256
            "corpus": "corpus/dev", "seconds": args.seconds, "n_fft": 1024, "hop_length": 256, "window": "hann",
            "seed": args.seed, "iters": args.iters, "methods": args.methods, "inits": args.inits,
            "default": [registry.DEFAULT_METHOD, registry.DEFAULT_INIT],
        },  # fmt: skip
        "environment": {  # versions (librosa's too), machine, git commit and load, as every other result file
            **environment(),
            "command": " ".join(["python benchmarks/explore_default.py"] + list(argv if argv is not None else sys.argv[1:])),
        },  # fmt: skip
        "librosa": {"mean_db_100": librosa_mean, "seconds_total": librosa_seconds,
                    "per_clip": [{"clip": p["clip"], "db_100": p["librosa_db"]} for p in problems]},  # fmt: skip
        "rows": rows,
        "table_markdown": table,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"\nsaved {args.out}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
