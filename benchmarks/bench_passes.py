"""Where one fast-GLA iteration's time goes: every pass over one block of frames, in cache.

    python benchmarks/bench_passes.py [--repeats 9] [--calls 200]

gl runs an iteration block by block (``gl._engine.SweepEngine``): for each block of
about 1 MiB of frames it forms ``x_n - k x_{n-1}`` over the block's samples, frames and
windows them, ``rfft``, takes ``|c|``, adds the floor ``delta``, divides ``S`` by it,
multiplies ``c`` by the ratio, ``irfft``, and overlap-adds the frames into finished
samples with one ``einsum``. This script times each of those numpy calls alone on one
block of the engine, with the engine's own buffers, repeated on the same data (so in
cache; out of place where the sweep works in place, so that every call sees the same
input): the minimum over ``repeats`` of ``calls`` back-to-back calls. Their sum against
the two FFTs alone is the *in-cache floor* of ``gl / bare FFT`` for this way of writing
the iteration in numpy: no amount of Python can go below it, only fewer passes could.

Beside it, for scale: one real iteration of ``gl.griffinlim`` (single thread, as in
``bench_iteration``: (median t(K) - median t(0)) / K) divided by the number of blocks,
and the bare ``rfft`` + ``irfft`` of the stored frames (the fastest blocked norms) per
block. The first includes the Python between the passes; the second reads its frames from
memory rather than cache, which is why it varies from run to run more than gl does.

Prints a Markdown table per setting and saves ``results/passes.json``
(``python -m benchmarks report`` shows it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.bench_iteration import _repeated, DTYPES, GEOMETRIES, bare_fft_functions, fastest, test_signal
from benchmarks.common import RESULTS, environment, interleaved_times, results_folder, save, script_command
from gl._engine import SweepEngine, magnitude_floor
from gl.cli import _positive_float, _positive_int  # the command line's checks of whole and real numbers
from gl.transform import _irfft, _rfft, fft_norms

#: The passes of one block, in the order the sweep makes them; the two FFTs are the floor.
PASSES = ["extrapolate", "frame + window", "rfft", "|c|", "+ delta", "S / (|c| + delta)", "c * ratio", "irfft",
          "overlap-add (einsum)"]
FFTS = ("rfft", "irfft")


def _fastest_call(function, calls: int, repeats: int) -> float:
    """Seconds per call: the minimum over ``repeats`` of ``calls`` calls back to back (after one warm-up)."""
    function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def block_passes(x: np.ndarray, n_fft: int, hop: int, dtype: str, calls: int, repeats: int) -> dict:
    """Seconds per pass on one interior block of the engine (see the module docstring)."""
    dtype = np.dtype(dtype)
    geometry = gl.STFT(n_fft, hop)
    S = np.abs(geometry.stft(x.astype(dtype)))  # (n_freq, n_frames)
    target = np.ascontiguousarray(S.T)[None]  # frame-major, as the engine holds it
    engine = SweepEngine(geometry, target, len(x), 1)
    engine.keep_previous()
    rng = np.random.default_rng(0)
    engine.signal[0] = rng.standard_normal(engine.signal.shape[1]).astype(dtype)  # any signal: the passes do not depend on it
    engine._previous[0] = rng.standard_normal(engine.signal.shape[1]).astype(dtype)
    blocks = engine._blocks_all()
    first, last = blocks[len(blocks) // 2]  # an interior block
    count = last - first
    scratch = engine._scratch[0]
    low, high = first * hop, (last - 1) * hop + n_fft
    signal, previous = engine.signal[0], engine._previous[0]
    span = scratch.extrapolated[: high - low]
    frames = scratch.frames[:count]
    spectra = scratch.spectra[:count]
    modulus, ratio, product = scratch.magnitude[:count], scratch.residual[:count], scratch.spare[:count]
    quotient = np.empty_like(ratio)  # the sweep divides in place; here each pass keeps its input intact
    magnitude = target[0, first:last]
    delta = magnitude_floor(target)
    forward, inverse = fft_norms(dtype)
    window = geometry._analysis_window(dtype)
    step = span.strides[-1]
    view = np.ndarray((count, n_fft), dtype=dtype, buffer=span, strides=(hop * step, step))
    slabs = engine._slabs
    if not slabs:
        raise ValueError(f"n_fft={n_fft}, hop_length={hop}, {S.shape[-1]} frames: the profile covers the fused synthesis "
                         "only, which needs overlapping frames, NOLA and at least 2 ceil(n_fft / hop) frames")
    ext = scratch.frames_ext
    rows = engine._rows(0)

    def extrapolate():
        np.multiply(previous[low:high], -0.99, out=span)
        np.add(span, signal[low:high], out=span)

    # each pass once, in order, so that every input holds what the sweep would give it
    passes = {
        "extrapolate": extrapolate,
        "frame + window": lambda: np.multiply(view, window, out=frames),
        "rfft": lambda: _rfft(frames, n_fft, spectra, norm=forward),
        "|c|": lambda: np.abs(spectra, out=modulus),
        "+ delta": lambda: np.add(modulus, delta, out=ratio),
        "S / (|c| + delta)": lambda: np.divide(magnitude, ratio, out=quotient),
        "c * ratio": lambda: np.multiply(spectra, quotient, out=product),
        "irfft": lambda: _irfft(product, n_fft, ext[slabs - 1 : slabs - 1 + count, :n_fft], norm=inverse),
        "overlap-add (einsum)": lambda: engine._fused_rows(ext, count, rows[first:last]),
    }
    for function in passes.values():
        function()
    seconds = {name: _fastest_call(function, calls, repeats) for name, function in passes.items()}
    engine.close()
    ffts = sum(seconds[name] for name in FFTS)
    total = sum(seconds.values())
    return {"dtype": str(dtype), "n_fft": n_fft, "hop_length": hop, "block_frames": count, "n_blocks": len(blocks),
            "n_frames": int(S.shape[-1]), "passes": seconds, "ffts": ffts, "other": total - ffts, "total": total,
            "floor": total / ffts}


def real_iteration(x: np.ndarray, n_fft: int, hop: int, dtype: str, iterations: int, repeats: int) -> dict:
    """One single-threaded ``gl.griffinlim`` iteration and the bare FFT of the stored frames (seconds)."""
    dtype = np.dtype(dtype)
    geometry = gl.STFT(n_fft, hop)
    S = np.abs(geometry.stft(x.astype(dtype)))
    length = len(x)
    _, blocked, _ = bare_fft_functions(geometry, x, dtype)

    functions = {n_iter: (lambda n_iter=n_iter: gl.griffinlim(S, n_iter=n_iter, rng=0, n_threads=1, geometry=geometry,
                                                              length=length))
                 for n_iter in (0, iterations)}  # fmt: skip
    functions["bare"] = _repeated(blocked[fastest(blocked)], iterations)  # K passes, as gl's K iterations
    times = interleaved_times(functions, repeats=repeats, warm_each=True)
    median = {name: float(np.median(values)) for name, values in times.items()}
    per_iteration = (median[iterations] - median[0]) / iterations
    if per_iteration <= 0:  # (a difference of two timings: a loaded machine and few repeats can invert it)
        print(f"warning: {dtype} {n_fft}/{hop}: {iterations} iterations timed no slower than none (the machine's noise "
              "exceeded their cost); raise --iterations and --repeats", file=sys.stderr)
    return {"gl": per_iteration, "bare_fft": median["bare"] / iterations}


def summary_table(result: dict) -> str:
    """All settings in one table, microseconds per block (the report's)."""
    names = {"|c|": "abs", "S / (|c| + delta)": "divide", "c * ratio": "multiply", "overlap-add (einsum)": "overlap-add"}
    lines = ["| setting | blocks x frames | " + " | ".join(names.get(name, name) for name in PASSES)
             + " | FFTs | the rest | in-cache floor | real gl / blocks | gl / bare FFT |",
             "|---|---|" + "---|" * (len(PASSES) + 5)]
    for row in result["rows"]:
        passes = " | ".join(f"{1e6 * row['passes'][name]:.0f}" for name in PASSES)
        lines.append(f"| {row['dtype']} {row['n_fft']}/{row['hop_length']} | {row['n_blocks']} x {row['block_frames']} "
                     f"| {passes} | {1e6 * row['ffts']:.0f} | {1e6 * row['other']:.0f} | **{row['floor']:.2f}** "
                     f"| {1e6 * row['gl_per_block']:.0f} | {row['gl_over_bare']:.2f} |")
    return "\n".join(lines)


def markdown_table(row: dict) -> str:
    block = row["total"]
    lines = ["| pass | us per block | share of the block |", "|---|---|---|"]
    for name in PASSES:
        seconds = row["passes"][name]
        lines.append(f"| {name} | {1e6 * seconds:.1f} | {100 * seconds / block:.0f} % |")
    lines.append(f"| **sum** (FFTs {1e6 * row['ffts']:.0f}, the rest {1e6 * row['other']:.0f}) | {1e6 * block:.0f} "
                 f"| in-cache floor of gl / bare: **{row['floor']:.2f}** |")
    if "gl_per_block" in row:
        lines.append(f"| one real gl iteration / {row['n_blocks']} blocks | {1e6 * row['gl_per_block']:.0f} | "
                     f"gl / bare FFT of the stored frames: {row['gl_over_bare']:.2f} |")
    return "\n".join(lines)


def run(calls: int, repeats: int, iterations: int, seconds: float, out: Path, verbose: bool = True) -> dict:
    x, source = test_signal(seconds, 22050)
    rows = []
    for dtype in DTYPES:
        for n_fft, hop in GEOMETRIES:
            row = block_passes(x, n_fft, hop, dtype, calls, repeats)
            real = real_iteration(x, n_fft, hop, dtype, iterations, repeats)
            row.update(gl_iteration=real["gl"], bare_fft=real["bare_fft"], gl_per_block=real["gl"] / row["n_blocks"],
                       gl_over_bare=real["gl"] / real["bare_fft"])
            rows.append(row)
            if verbose:
                print(f"\n{dtype}, n_fft {n_fft}, hop {hop}: {row['n_blocks']} blocks of {row['block_frames']} frames\n")
                print(markdown_table(row), flush=True)
    return {"signal": f"{seconds:g} s at 22050 Hz ({source})", "rows": rows, "calls": calls, "repeats": repeats,
            "iterations_K": iterations}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=_positive_int, default=9, help="repeats per measurement (default 9)")
    parser.add_argument("--calls", type=_positive_int, default=200, help="calls per timed repeat of a pass (default 200)")
    parser.add_argument("--iterations", type=_positive_int, default=20, help="K, iterations of the real runs (default 20)")
    parser.add_argument("--seconds", type=_positive_float, default=10.0, help="signal length (default 10)")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    if args.seconds < 1:
        parser.error(f"--seconds {args.seconds:g}: must be at least 1 (the profile needs a few blocks of frames)")
    result = run(args.calls, args.repeats, args.iterations, args.seconds, args.out)
    env = environment()
    env["command"] = script_command("benchmarks/bench_passes.py", parser, args)
    result["environment"] = env
    save("passes", result, args.out)


if __name__ == "__main__":
    main()
