"""Speed study: cost per iteration against signal length, time to reach librosa's quality,
and peak memory (issue 6), on top of issue 2's per-iteration benchmark
(:mod:`benchmarks.bench_iteration`, which this study runs first).

* **Time vs length**: per-iteration time ``(t(K) - t(0)) / K`` of gl (1 and 2 threads),
  librosa and the bare rfft+irfft, for signals of 1 s to 10 min at 22.05 kHz, n_fft 1024,
  hop 256, float32 and float64, round-robin in one process, median of repeats. ``K`` shrinks
  with the length so that each measurement takes a similar time; from 100 s on, one
  iteration is ``(t(2K) - t(K)) / K`` instead (the fixed cost varies with the allocator there).
* **Peak memory** (:func:`run_memory`, its own study ``--study memory`` because it is not a
  timing and can run beside the others): 100 FGLA iterations on 10 min at 44.1 kHz.
* **Time to quality**: on each dev clip, the wall time for gl's default method to reach the
  spectral convergence librosa reaches in 100 iterations (gl stops through its callback as
  soon as it gets there), against the wall time of ``librosa.griffinlim(n_iter=100)`` and of
  gl's FGLA for 100 iterations (the same iterates as librosa), median of repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

import gl
from gl.metrics import signal_spectral_convergence, to_db

from . import bench_iteration
from .common import RESULTS, default_method, environment, interleaved_medians, is_dev, librosa_griffinlim, read_clip, save

LENGTHS = (1, 3, 10, 30, 100, 600)
#: gl's FGLA equals librosa's to ~1e-12 dB: a tie counts as reaching librosa's SC
TIE_DB = 1e-6


def length_scan(lengths, dtypes, repeats: int, verbose: bool = True) -> list[dict]:
    rows = []
    for seconds in lengths:
        x, source = bench_iteration.test_signal(seconds, 22050)
        # K iterations per timed run: enough that t(K) - t(0) stands out of the noise (the
        # fixed cost is worth 2-3 iterations), few enough that 10 min stays affordable. On
        # long signals the fixed cost varies with the allocator (at 10 min a run without
        # iterations took 0.5 to 1.0 s, against 0.23 s per iteration): there the time of K
        # iterations is t(2K) - t(K), two runs that allocate alike, each timed right after an
        # untimed run of its own (without, a run that followed librosa's gigabytes paid other
        # page faults than the next, and 600 s came out at 29 ms per iteration against 140)
        K = int(np.clip(round(100 / seconds), 6, 20))
        for dtype in dtypes:
            long = seconds >= 100  # fewer repeats
            row = bench_iteration.time_one_iteration(x, 1024, 256, dtype, K, min(repeats, 3) if long else repeats,
                                                     base=K if long else 0)
            row.update(signal_seconds=seconds, source=source)
            rows.append(row)
            if verbose:
                print(f"  {seconds:5g} s {dtype}: gl {1e3 * row['gl_1thread']:.1f} ms, 2 thr {1e3 * row['gl_2threads']:.1f} ms, "
                      f"librosa {1e3 * row['librosa']:.1f} ms, bare {1e3 * row['bare_fft']:.1f} ms", flush=True)
    return rows


def time_to_quality(files: list[Path], repeats: int, seed: int = 0, max_seconds: Optional[float] = None,
                    verbose: bool = True) -> list[dict]:
    geometry = gl.STFT(1024, 256)
    method, init = default_method()
    rows = []
    for path in files:
        clip = read_clip(path, max_seconds)
        if not is_dev(clip.name):
            continue
        x = clip.signal
        S = np.abs(geometry.stft(x))
        length = len(x)
        target = float(to_db(signal_spectral_convergence(S, librosa_griffinlim(S, geometry, length, 100, seed), geometry)))
        reached = {}

        def until_target(iteration, info):
            reached["n"] = iteration
            reached["db"] = float(np.max(info.spectral_convergence_db[-1]))  # the worst channel
            return reached["db"] <= target + TIE_DB

        def gl_default():
            reached.clear()
            gl.reconstruct(S, n_iter=1000, rng=np.random.default_rng(seed), geometry=geometry, length=length,
                           callback=until_target, n_threads=1)

        times = interleaved_medians(
            {
                "gl_default": gl_default,
                "gl_fgla_100": lambda: gl.griffinlim(S, n_iter=100, rng=np.random.default_rng(seed), geometry=geometry,
                                                     length=length, n_threads=1),
                "librosa_100": lambda: librosa_griffinlim(S, geometry, length, 100, seed),
            },
            repeats=repeats,
            warmup=1,  # the header's "medians after warm-up": each function once, untimed, first
        )
        row = {
            "clip": clip.name,
            "seconds": length / clip.sr,
            "repeats": repeats,  # the timings are medians of this many (after one warm-up call each)
            "target_db": target,
            "default": f"{method}/{init}",
            "default_iterations": reached.get("n"),
            "default_reached_db": reached.get("db"),
            "gl_default_seconds": times["gl_default"],
            "gl_fgla_100_seconds": times["gl_fgla_100"],
            "librosa_100_seconds": times["librosa_100"],
            "speedup_default": times["librosa_100"] / times["gl_default"],
            "speedup_fgla": times["librosa_100"] / times["gl_fgla_100"],
        }
        rows.append(row)
        if verbose:
            print(f"  {clip.name}: librosa 100 it {row['target_db']:.2f} dB in {row['librosa_100_seconds']:.2f} s; "
                  f"gl default {row['default_iterations']} it in {row['gl_default_seconds']:.2f} s", flush=True)
    return rows


def run_memory(quick: bool = False, memory_seconds: Optional[float] = None, out: Path = RESULTS, verbose: bool = True) -> dict:
    """Peak memory of a 100-iteration FGLA run on 10 min at 44.1 kHz (quick: 20 s, 10 iterations).

    Not a timing: it can run while other studies run."""
    seconds = memory_seconds or (20.0 if quick else 600.0)
    rows = bench_iteration.peak_memory(seconds=seconds, n_iter=10 if quick else 100)
    result = {"environment": environment(), "rows": rows, "quick": quick}
    save("memory", result, out)
    if verbose:
        print(bench_iteration.memory_table(rows))
    return result


def run(files: list[Path], quick: bool = False, repeats: Optional[int] = None, iterations: Optional[int] = None,
        lengths=None, out: Path = RESULTS, seed: int = 0, max_seconds: Optional[float] = None, verbose: bool = True) -> dict:
    R = repeats or (3 if quick else 5)
    if verbose:
        print(" per iteration, 10 s at 22.05 kHz (issue 2)", flush=True)
    per_iteration = bench_iteration.run(quick=quick, iterations=iterations, repeats=repeats, out=out, memory=False,
                                        verbose=verbose)
    lengths = lengths or ((1, 10) if quick else LENGTHS)
    if verbose:
        print(" time per iteration vs signal length", flush=True)
    scan = length_scan(lengths, ["float32", "float64"], R, verbose)
    if verbose:
        print(" time to reach librosa's 100-iteration quality", flush=True)
    quality = time_to_quality(files, max(1, R - 2) if not quick else 1, seed, max_seconds, verbose)
    result = {
        "environment": environment(),
        "iteration": per_iteration,
        "lengths": scan,
        "time_to_quality": quality,
        "quick": quick,
    }
    save("speed", result, out)
    return result
