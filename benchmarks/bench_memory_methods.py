"""Peak memory of every method of ``gl.reconstruct``, as a multiple of the complex spectrogram.

    python benchmarks/bench_memory_methods.py [--seconds 30] [--iterations 5] [--check-iterations 20]

30 s of 22.05 kHz speech (the dev corpus' d02 clip, tiled), n_fft 1024, hop 256, Hann,
float32 and float64. Every method of ``gl.reconstruct.METHODS`` (from its own default start)
and the default (``gl.reconstruct(S)``: ``DEFAULT_METHOD`` from ``DEFAULT_INIT``), with
``n_threads=1`` and with ``n_threads`` left at its default (two threads on this signal when
the process may use two cores, ``gl._engine.default_threads``), each in a **fresh process**:
it loads S from a ``.npy`` file, runs the same call once on S's first 64 frames (so that
imports and first-call set-up are not counted), then measures the call itself:

* **tracemalloc peak**: the largest extra memory Python and numpy held during the call (S
  itself, loaded before tracing starts, excluded; the returned signal included), divided by
  the complex spectrogram's size ``n_freq x n_frames x`` the complex itemsize (8 bytes in
  float32, 16 in float64): how many complex spectrograms a method needs besides S;
* **max-RSS growth**: how much the process's peak resident size grew during the call, as the
  ``--study memory`` run of ``python -m benchmarks`` measures it, which understates the
  call's memory (the peak before the call already includes what loading S and the warm-up
  held) and includes what numpy's FFT keeps outside tracemalloc's view.

The iterative methods run ``--iterations`` iterations (their working arrays are all made in
the first iteration), ``dm_fgla`` and the default ``n_dm`` (40) more, so that they enter
their fast Griffin-Lim phase; RTISI-LA runs its default 5 iterations per frame. Each
iterative one is measured again with ``--check-iterations`` (single-threaded) to check that
more iterations do not raise the peak. ``--where`` runs the worst call once more with a
thread that samples ``tracemalloc`` and keeps the largest allocations, by line, of the
moment closest to the peak it saw. Prints a Markdown table and saves
``results/memory_methods.json`` (``python -m benchmarks report`` shows it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.bench_iteration import DTYPES, test_signal
from benchmarks.common import RESULTS, environment, results_folder, save, script_command, traced_call
from gl.cli import _positive_float, _positive_int  # the command line's checks of whole and real numbers

N_FFT, HOP, SR = 1024, 256, 22050
DEFAULT = "default"  #: the row of gl.reconstruct(S) with no method (DEFAULT_METHOD from DEFAULT_INIT)
WARM_FRAMES = 64


def registry():
    return importlib.import_module("gl.reconstruct")  # the module (gl.reconstruct is also a function)


def all_methods() -> list[str]:
    return [DEFAULT] + list(registry().METHODS)


def iterations_for(method: str, iterations: int):
    """``n_iter`` of a call: None (the method's own) for the one-pass methods and RTISI-LA."""
    name = registry().DEFAULT_METHOD if method == DEFAULT else method
    if name in registry().SINGLE_PASS_METHODS or name == "rtisila":
        return None
    if name == "dm_fgla":
        return 40 + iterations  # its default n_dm = 40 difference-map iterations, then FGLA
    return iterations


def _call(S: np.ndarray, method: str, n_iter, n_threads):
    keywords = dict(rng=0, geometry=gl.STFT(N_FFT, HOP))
    if method != DEFAULT:
        keywords["method"] = method
    if n_iter is not None:
        keywords["n_iter"] = n_iter
    if n_threads:
        keywords["n_threads"] = n_threads
    return gl.reconstruct(S, **keywords)


# ---------------------------------------------------------------------- one fresh process
def _child(path: str, method: str, n_iter, n_threads: int, where: bool) -> None:
    """In a fresh process: load S, warm up on its first frames, measure one call, print JSON."""
    import gc

    S = np.load(path)
    _call(np.ascontiguousarray(S[:, :WARM_FRAMES]), method, n_iter, n_threads)  # imports, first-call set-up
    gc.collect()
    figures, top = traced_call(S, lambda: _call(S, method, n_iter, n_threads), trace_frames=25 if where else 1,
                               watch=_Sampler if where else None)
    row = dict(figures, n_iter=n_iter, threads_used=_threads_used(method, n_threads, S.shape[-1]))
    if top is not None:
        row["where"] = top
    print(json.dumps(row))


def _threads_used(method: str, n_threads: int, n_frames: int) -> int:
    """The threads a call runs on: one for the one-pass methods and RTISI-LA, which take
    ``n_threads`` but have nothing to split; else ``n_threads`` or its default."""
    from gl._engine import default_threads

    name = registry().DEFAULT_METHOD if method == DEFAULT else method
    if name in registry().SINGLE_PASS_METHODS or name == "rtisila":
        return 1
    return n_threads or default_threads(n_frames, N_FFT)


class _Sampler:
    """A thread that reads tracemalloc's current total every 0.2 ms and snapshots it whenever
    it is the largest seen yet: the live allocations of the sampled moment closest to the peak
    (numpy releases the GIL in its loops and FFTs, so the thread runs during them)."""

    def __init__(self):
        self.best, self.snapshot, self.running = 0, None, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            current = tracemalloc.get_traced_memory()[0]
            if current > 1.02 * self.best:
                self.best, self.snapshot = current, tracemalloc.take_snapshot()
            time.sleep(0.0002)

    def stop(self, peak: int, baseline: int) -> dict:
        self.running = False
        self.thread.join()
        by_line: dict[str, list[int]] = {}
        if self.snapshot is not None:
            for stat in self.snapshot.statistics("traceback"):
                frames = [f for f in stat.traceback if "/gl/" in f.filename.replace(os.sep, "/")] or list(stat.traceback)
                frame = frames[-1]  # the innermost line of gl's own code that made it (frames run oldest first)
                key = "gl/" + frame.filename.replace(os.sep, "/").split("/gl/")[-1] + f":{frame.lineno}"
                total = by_line.setdefault(key, [0, 0])
                total[0] += stat.size
                total[1] += stat.count
        lines = [{"where": key, "bytes": size, "blocks": count}
                 for key, (size, count) in sorted(by_line.items(), key=lambda item: -item[1][0])[:8]]
        return {"sampled_bytes": self.best - baseline, "peak_bytes": peak, "largest": lines}


# ---------------------------------------------------------------------- the parent
def measure(path: str, method: str, n_iter, n_threads: int, where: bool = False) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", path, "--method", method,
               "--threads", str(n_threads)]
    if n_iter is not None:
        command += ["--n-iter", str(n_iter)]
    if where:
        command.append("--where")
    done = subprocess.run(command, capture_output=True, text=True, cwd=str(Path(__file__).resolve().parents[1]))
    if done.returncode != 0:
        raise RuntimeError(f"{method} ({n_threads} threads) failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(seconds: float, methods: list[str], dtypes: list[str], iterations: int, check_iterations: int, where: bool,
        verbose: bool = True) -> dict:
    x, source = test_signal(seconds, SR)
    geometry = gl.STFT(N_FFT, HOP)
    rows, checks = [], []
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for dtype in dtypes:
            paths[dtype] = os.path.join(folder, f"S_{dtype}.npy")
            np.save(paths[dtype], np.abs(geometry.stft(x.astype(dtype))))
        for method in methods:
            n_iter = iterations_for(method, iterations)
            for dtype in dtypes:
                for threads in (1, 0):  # 0: n_threads left at its default
                    row = measure(paths[dtype], method, n_iter, threads)
                    row.update(method=method, n_threads="default" if threads == 0 else threads)
                    rows.append(row)
                    if verbose:
                        print(f"  {method} {dtype} {row['n_threads']} ({row['threads_used']} used): "
                              f"{row['peak_multiple']:.2f}x tracemalloc, {row['maxrss_multiple']:.2f}x max-RSS, "
                              f"{row['seconds']:.2f} s", flush=True)
            if n_iter is not None and check_iterations != iterations:
                longer = iterations_for(method, check_iterations)
                for dtype in dtypes:
                    row = measure(paths[dtype], method, longer, 1)
                    short = next(r for r in rows if r["method"] == method and r["dtype"] == dtype and r["n_threads"] == 1)
                    checks.append({"method": method, "dtype": dtype, "n_iter": longer, "short_n_iter": n_iter,
                                   "tracemalloc_peak_bytes": row["tracemalloc_peak_bytes"],
                                   "peak_multiple": row["peak_multiple"],
                                   "short_peak_multiple": short["peak_multiple"],
                                   "ratio": row["tracemalloc_peak_bytes"] / short["tracemalloc_peak_bytes"]})
                    if verbose:
                        print(f"  check {method} {dtype}: {longer} it {row['peak_multiple']:.3f}x, "
                              f"{n_iter} it {short['peak_multiple']:.3f}x", flush=True)
        worst = max(rows, key=lambda r: r["peak_multiple"]) if rows else None
        where_result = None
        if where and worst is not None:
            threads = 0 if worst["n_threads"] == "default" else worst["n_threads"]
            sampled = measure(paths[worst["dtype"]], worst["method"], worst["n_iter"], threads, where=True)
            where_result = dict(sampled["where"], method=worst["method"], dtype=worst["dtype"],
                                n_threads=worst["n_threads"], complex_spectrogram_bytes=worst["complex_spectrogram_bytes"])
    shape = rows[0]["shape"] if rows else None
    return {"rows": rows, "checks": checks, "where": where_result, "iterations": iterations,
            "check_iterations": check_iterations, "warm_up_frames": WARM_FRAMES,
            "default": [registry().DEFAULT_METHOD, registry().DEFAULT_INIT],
            "signal": f"{seconds:g} s at {SR} Hz ({source}), n_fft {N_FFT}, hop {HOP}, hann"
                      + (f", S {shape[0]} x {shape[1]}" if shape else "")}


# ---------------------------------------------------------------------- tables
def _label(result: dict, method: str) -> str:
    if method == DEFAULT:
        name, init = result.get("default") or ("dm_fgla", "pghi")
        return f"default ({name} from {init})"
    return method


def markdown_table(result: dict) -> str:
    """A row per method: tracemalloc peak / complex S (max-RSS growth / complex S in brackets)
    for each dtype and thread count, and the longer run's peak against the short one's."""
    rows = result["rows"]
    columns = []
    for r in rows:
        key = (r["dtype"], r["n_threads"])
        if key not in columns:
            columns.append(key)

    def heading(dtype, threads):
        if threads == "default":
            used = sorted({r["threads_used"] for r in rows if r["dtype"] == dtype and r["n_threads"] == "default"})
            return f"{dtype}, default threads ({'/'.join(map(str, used))})"
        return f"{dtype}, {threads} thread" + ("s" if threads != 1 else "")

    check = {(c["method"], c["dtype"]): c for c in result.get("checks", [])}
    lines = ["| method | iterations | " + " | ".join(heading(*c) for c in columns) + " | more iterations, 1 thread: peak / this peak ("
             + " / ".join(dict.fromkeys(c[0] for c in columns)) + ") |",
             "|---|---|" + "---|" * len(columns) + "---|"]
    methods = []
    for r in rows:
        if r["method"] not in methods:
            methods.append(r["method"])
    for method in methods:
        cells = []
        for dtype, threads in columns:
            r = next((r for r in rows if r["method"] == method and r["dtype"] == dtype and r["n_threads"] == threads), None)
            cells.append("-" if r is None else f"{r['peak_multiple']:.2f}x ({r['maxrss_multiple']:.2f}x)")
        n_iter = next(r["n_iter"] for r in rows if r["method"] == method)
        checked = [check[(method, dtype)] for dtype in DTYPES if (method, dtype) in check]
        more = (f"{checked[0]['n_iter']} it: " + " / ".join(f"{c['ratio']:.3f}" for c in checked)) if checked else "-"
        if n_iter is None:
            n_iter = "5 per frame" if method == "rtisila" else "one pass"
        lines.append(f"| {_label(result, method)} | {n_iter} | " + " | ".join(cells)
                     + f" | {more} |")
    return "\n".join(lines)


def where_text(result: dict) -> str:
    """The largest live allocations at the sampled moment nearest the worst call's peak."""
    w = result.get("where")
    if not w or not w.get("largest"):
        return ""
    unit = w["complex_spectrogram_bytes"]
    parts = [f"`{a['where']}` {a['bytes'] / unit:.2f}" + (f" ({a['blocks']} blocks)" if a["blocks"] > 1 else "")
             for a in w["largest"] if a["bytes"] >= 0.05 * unit]
    return (f"Where the worst call's memory goes ({_label(result, w['method'])}, {w['dtype']}, n_threads {w['n_threads']}): a "
            f"thread sampling tracemalloc saw at most {w['sampled_bytes'] / unit:.2f}x of the call's "
            f"{w['peak_bytes'] / unit:.2f}x peak; the largest allocations alive then, by the line of gl that made them, in "
            "complex spectrograms: " + "; ".join(parts) + ".")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive_float, default=30.0, help="signal length (default 30)")
    parser.add_argument("--iterations", type=_positive_int, default=5, help="iterations of the iterative methods (default 5)")
    parser.add_argument("--check-iterations", type=_positive_int, default=20,
                        help="iterations of the check that more do not raise the peak (default 20)")
    parser.add_argument("--methods", nargs="+", default=None, help=f"default: {' '.join(all_methods())}")
    parser.add_argument("--dtypes", nargs="+", default=DTYPES, choices=DTYPES)
    parser.add_argument("--no-where", action="store_true", help="skip the run that samples where the worst peak goes")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--n-iter", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--where", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.method, args.n_iter, args.threads, args.where)
        return
    methods = list(dict.fromkeys(args.methods or all_methods()))  # each once, in the order given
    unknown = [m for m in methods if m not in all_methods()]
    if unknown:
        parser.error(f"argument --methods: {', '.join(unknown)} not in {DEFAULT} or gl.reconstruct.METHODS")
    if args.check_iterations <= args.iterations:
        parser.error(f"argument --check-iterations: {args.check_iterations} must be more than --iterations "
                     f"({args.iterations}): it checks that more iterations do not raise the peak")
    result = run(args.seconds, methods, args.dtypes, args.iterations, args.check_iterations, not args.no_where)
    env = environment()
    env["command"] = script_command("benchmarks/bench_memory_methods.py", parser, args)
    result["environment"] = env
    print(markdown_table(result))
    if result["where"]:
        print()
        print(where_text(result))
    save("memory_methods", result, args.out)


if __name__ == "__main__":
    main()
