"""Cost of one iteration of every iterative method, with and without the convergence history.

    python benchmarks/bench_methods.py [--repeats 9] [--iterations 20] [--threads 1]

10 s of 22.05 kHz speech (the dev corpus' d02 clip, tiled), n_fft 1024, hop 256, Hann,
float64, ``n_threads=1`` unless told. One iteration of a method = (median t(n_iter=K) -
median t(n_iter=0)) / K, every call timed round-robin in one process after a warm-up, as
in :mod:`benchmarks.bench_iteration`. Each method is timed twice:

* **unmeasured**, a plain ``gl.reconstruct(S, method=...)``: FGLA and AGLA then keep their
  momentum sequences as signals (``STFT`` is linear, see ``gl.griffinlim`` and ``gl.agla``),
* **measured**, with ``return_info=True``: every sweep also computes ``|STFT(x_n)|`` and the
  error for the history, and FGLA and AGLA keep their sequences as spectrograms.

The bare FFT column is the fastest blocked ``rfft`` + ``irfft`` of the same frames (see
``bench_iteration``): the floor of any one-sweep iteration. ``dm`` costs two sweeps per
iteration, and ``dm_fgla`` runs ``n_dm`` of them before FGLA, so its figure depends on K.
Prints a Markdown table and saves ``results/methods.json`` (``python -m benchmarks report``
shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.bench_iteration import _repeated, bare_fft_functions, fastest, test_signal
from benchmarks.common import environment, interleaved_times, save, script_command, timing_parser
from gl.cli import _positive_int  # the command line's check of whole numbers

METHODS = ["gla", "fgla", "agla", "raar", "dm", "dm_fgla", "admm"]


def time_methods(x: np.ndarray, methods: list[str], iterations: int, repeats: int, n_threads: int = 1) -> dict:
    geometry = gl.STFT(1024, 256)
    S = np.abs(geometry.stft(x))
    length = len(x)

    def call(method: str, n_iter: int, measured: bool):
        return lambda: gl.reconstruct(S, method=method, n_iter=n_iter, rng=0, geometry=geometry, length=length,
                                      n_threads=n_threads, return_info=measured)

    functions = {}
    for method in methods:
        for measured in (False, True):
            for n_iter in (0, iterations):
                functions[(method, measured, n_iter)] = call(method, n_iter, measured)
    _, blocked, _ = bare_fft_functions(geometry, x, np.dtype(np.float64))
    functions["bare"] = _repeated(blocked[fastest(blocked)], iterations)  # K passes, as gl's K iterations
    times = interleaved_times(functions, repeats=repeats)
    median = {name: float(np.median(values)) for name, values in times.items()}
    bare_fft = median["bare"] / iterations
    rows = []
    for method in methods:
        per = {measured: (median[(method, measured, iterations)] - median[(method, measured, 0)]) / iterations
               for measured in (False, True)}  # fmt: skip
        rows.append({"method": method, "unmeasured": per[False], "measured": per[True],
                     "unmeasured_over_bare": per[False] / bare_fft, "measured_over_unmeasured": per[True] / per[False],
                     # every wall time (s) of the calls with n_iter = 0 and K, plain and measured
                     "all_times": {f"{'measured' if measured else 'plain'}_n_iter_{n_iter}": times[(method, measured, n_iter)]
                                   for measured in (False, True) for n_iter in (0, iterations)}})
    return {"bare_fft": bare_fft, "all_bare_times": times["bare"], "rows": rows, "iterations_K": iterations, "repeats": repeats,
            "n_threads": n_threads, "n_frames": int(S.shape[-1])}


def markdown_table(result: dict) -> str:
    lines = ["| method | one iteration (ms) | / bare FFT | with the history (ms) | with / without |", "|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['method']} | {1e3 * r['unmeasured']:.2f} | {r['unmeasured_over_bare']:.2f} "
                     f"| {1e3 * r['measured']:.2f} | {r['measured_over_unmeasured']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = timing_parser(__doc__)
    parser.add_argument("--threads", type=_positive_int, default=1)
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    args = parser.parse_args(argv)
    x, source = test_signal(args.seconds, 22050)
    result = time_methods(x, args.methods, args.iterations, args.repeats, args.threads)
    env = environment()
    env["command"] = script_command("benchmarks/bench_methods.py", parser, args)
    result.update(environment=env, signal=f"{args.seconds:g} s at 22050 Hz ({source}), n_fft 1024, hop 256, hann, float64")
    print(f"bare FFT: {1e3 * result['bare_fft']:.2f} ms per iteration\n")
    print(markdown_table(result))
    save("methods", result, args.out)


if __name__ == "__main__":
    main()
