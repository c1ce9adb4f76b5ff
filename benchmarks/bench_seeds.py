"""The default method against librosa over several librosa seeds, not seed 0 alone.

    python benchmarks/bench_seeds.py [--seeds 8] [--iterations 100] [--default-iterations 300]

The convergence study judges two targets (the default method at least 8 dB below librosa at
100 iterations, and reaching librosa's 100-iteration SC in at most 25 iterations, dev means)
against ``librosa.griffinlim`` from one start, ``np.random.default_rng(0)``. librosa starts
from a random phase, so its result depends on the seed; gl's default starts from PGHI and
draws nothing. This script runs, on the six dev clips in the convergence study's geometry
(Hann 1024 / hop 256, centred, zero padding; clips read and cut as the study reads them,
``benchmarks.convergence.study_clip``'s STFT and length), ``librosa.griffinlim`` (momentum
0.99, ``--iterations``) from ``np.random.default_rng(seed)`` for seed = 0 .. ``--seeds`` - 1,
the study's own seeding (seed 0 reproduces ``results/convergence.json``'s librosa figures),
and gl's default once (``gl.reconstruct`` with its defaults, ``--default-iterations``, its
history). It records per clip and seed librosa's SC, the default's gain over it and the
iterations the default needs to reach it, and per seed the dev means. Prints a Markdown table
and saves ``results/seeds.json`` (``python -m benchmarks report`` takes the two targets'
verdicts on the mean over the seeds when it exists).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.common import (RESULTS, default_method, environment, find_corpus, iterations_to_reach, librosa_griffinlim,
                               read_clip, results_folder, save, sc_at, script_command)
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers
from gl.metrics import signal_spectral_convergence, to_db

#: The convergence study's geometry (``benchmarks.convergence.study_clip``).
GEOMETRY = dict(n_fft=1024, hop_length=256, window="hann")


def study_clip(clip, seeds: int, iterations: int, default_iterations: int) -> dict:
    geometry = gl.STFT(GEOMETRY["n_fft"], GEOMETRY["hop_length"], window=GEOMETRY["window"])
    x = clip.signal
    S = np.abs(geometry.stft(x))
    length = len(x)
    start = time.perf_counter()
    _, info = gl.reconstruct(S, n_iter=default_iterations, rng=np.random.default_rng(0), geometry=geometry, length=length,
                             return_info=True)
    default_seconds = time.perf_counter() - start
    history = np.asarray(info.spectral_convergence_db, dtype=np.float64).reshape(-1)
    default_db = sc_at(history, iterations)
    librosa_db, reach, seconds = [], [], []
    for seed in range(seeds):
        start = time.perf_counter()
        y = librosa_griffinlim(S, geometry, length, iterations, seed)  # from np.random.default_rng(seed), as the study
        seconds.append(time.perf_counter() - start)
        librosa_db.append(float(to_db(signal_spectral_convergence(S, y, geometry))))
        reach.append(iterations_to_reach(history, librosa_db[-1] + 1e-6))  # a tie counts, as in the study
    return {"name": clip.name, "sr": clip.sr, "seconds": length / clip.sr, "n_frames": int(S.shape[-1]),
            "default_db": default_db, "default_history_db": np.round(history, 4), "default_seconds": default_seconds,
            "librosa_db": librosa_db, "librosa_seconds": seconds,
            "gain_db": [v - default_db for v in librosa_db] if default_db is not None else None,
            "iterations_to_librosa": reach}


def summarize(clips: list[dict], seeds: int) -> dict:
    """Per seed the dev means of the gain and of the iterations to reach librosa (None where a clip never does)."""
    gains = [float(np.mean([c["gain_db"][s] for c in clips])) for s in range(seeds)]
    reach = []
    for s in range(seeds):
        counts = [c["iterations_to_librosa"][s] for c in clips]
        reach.append(None if any(r is None for r in counts) else float(np.mean(counts)))
    known = [r for r in reach if r is not None]
    return {
        "gain_db_per_seed": gains,
        "mean_gain_db": float(np.mean(gains)), "min_gain_db": float(min(gains)), "max_gain_db": float(max(gains)),
        "iterations_per_seed": reach,
        "mean_iterations": float(np.mean(known)) if len(known) == len(reach) else None,
        "min_iterations": min(known) if known else None, "max_iterations": max(known) if len(known) == len(reach) else None,
        "gain_met": bool(np.mean(gains) >= 8),
        "reach_met": bool(len(known) == len(reach) and np.mean(known) <= 25),
    }


def markdown_table(result: dict) -> str:
    seeds = result["seeds"]
    lines = ["| clip | default (dB) | " + " | ".join(f"librosa seed {s} (dB)" for s in range(seeds)) + " |",
             "|---|---|" + "---|" * seeds]
    for c in result["clips"]:
        lines.append(f"| {c['name'].split('_')[0]} | {c['default_db']:.2f} | "
                     + " | ".join(f"{v:.2f} ({'never' if r is None else r})" for v, r in zip(c["librosa_db"], c["iterations_to_librosa"]))
                     + " |")
    s = result["summary"]
    lines.append("| **dev mean gain (dB)** | | " + " | ".join(f"{v:.2f}" for v in s["gain_db_per_seed"]) + " |")
    lines.append("| **dev mean iterations to reach** | | " + " | ".join("never" if v is None else f"{v:.1f}"
                                                                        for v in s["iterations_per_seed"]) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=_positive_int, default=8, help="librosa from default_rng(0) .. default_rng(seeds - 1)")
    parser.add_argument("--iterations", type=_positive_int, default=100, help="librosa's iterations (the targets' 100)")
    parser.add_argument("--default-iterations", type=_positive_int, default=300,
                        help="iterations of gl's default run, whose history gives the iterations to reach librosa")
    parser.add_argument("--corpus", nargs="+", default=["dev/*.flac"], help="audio files or glob patterns (default dev/*.flac)")
    parser.add_argument("--max-seconds", type=_positive_float, help="cut every clip to this many seconds")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    if args.default_iterations < args.iterations:
        parser.error(f"argument --default-iterations: must be at least --iterations ({args.iterations})")
    try:
        files = find_corpus(args.corpus)
    except FileNotFoundError as error:
        raise SystemExit(f"bench_seeds.py: error: {error}") from None
    start = time.perf_counter()
    clips = []
    for path in files:
        clip = read_clip(path, args.max_seconds)
        clips.append(study_clip(clip, args.seeds, args.iterations, args.default_iterations))
        c = clips[-1]
        print(f"  {clip.name}: default {c['default_db']:.2f} dB, librosa " + " ".join(f"{v:.2f}" for v in c["librosa_db"]),
              flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_seeds.py", parser, args)
    result = {"environment": env, "geometry": dict(GEOMETRY, center=True, pad_mode="constant"), "seeds": args.seeds,
              "seeding": "librosa from np.random.default_rng(seed), as benchmarks/convergence.py", "iterations": args.iterations,
              "default_iterations": args.default_iterations, "default": list(default_method()), "max_seconds": args.max_seconds,
              "clips": clips, "summary": summarize(clips, args.seeds), "wall_seconds": None}
    result["wall_seconds"] = time.perf_counter() - start
    print()
    print(markdown_table(result))
    s = result["summary"]
    print(f"\nmean over seeds: gain {s['mean_gain_db']:.2f} dB ({s['min_gain_db']:.2f} to {s['max_gain_db']:.2f}), iterations "
          f"{s['mean_iterations'] if s['mean_iterations'] is None else round(s['mean_iterations'], 1)}; "
          f"{result['wall_seconds']:.0f} s")
    print(f"saved {save('seeds', result, args.out)}")


if __name__ == "__main__":
    main()
