"""Fast Griffin-Lim per iteration in the geometries people use, against librosa and the bare FFT.

    python benchmarks/bench_geometries.py [--repeats 9] [--iterations 20] [--seconds 10] [--dtypes float32 float64]
                                          [--fft-sizes 1024 1021 1102 2048 2039 4096 4093]

The issue-2 benchmark (``bench_iteration``) times two geometries whose hop divides
``n_fft``. Real spectrograms often have other ones: 16 kHz speech features (n_fft 512, a
25 ms window, a 10 ms hop), ``scipy.signal.spectrogram``'s defaults (256 samples, Tukey,
hop 224, frames from sample 0), torchaudio's (n_fft 400, hop 200), Tacotron's 22.05 kHz
12.5 ms hop. Each is timed here exactly as in ``bench_iteration``: one iteration =
(median t(n_iter=K) - median t(n_iter=0)) / K, gl on one and two threads, librosa with
the same window, ``win_length``, centring and initial phase, the bare ``rfft`` + ``irfft``
of the same frames, all round-robin in one process after a warm-up. The signal is real
audio tiled to the length (dev speech at 16 and 22.05 kHz, gspi at 44.1 kHz).

The ``fused`` column says whether gl's one-``einsum`` synthesis took the geometry (every
hop since this script was written: frames are seen as whole hops, zero-padded; see
``gl._engine.SweepEngine._plan_fused``).

Then the FFT sizes ``--fft-sizes`` (``gl.STFT``'s notes quote them): NumPy's FFT is
fastest for sizes with small prime factors, so each size is timed the same way on the same
signal (22.05 kHz speech, float32, periodic Hann, centred) at the hop of the power of two
nearest it (n_fft / 4 of 1024, 2048 or 4096: the same frames), and compared with that power
of two: gl's iteration (one thread) and the bare FFT over theirs, and librosa over gl.
Prints Markdown tables and saves ``results/geometries.json`` (``python -m benchmarks
report`` shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.bench_iteration import DTYPES, test_signal, time_one_iteration
from benchmarks.common import environment, save, script_command, timing_parser
from gl.cli import _positive_int  # the command line's check of whole numbers
from gl._engine import SweepEngine
from gl.importers import _largest_prime_factor  # (the importers' hint on slow FFT sizes uses it too)

#: (label, sample rate, geometry keywords)
GEOMETRIES = [
    ("16 kHz speech features (25 ms window, 10 ms hop)", 16000, dict(n_fft=512, hop_length=160, win_length=400)),
    ("scipy.signal.spectrogram defaults", 16000,
     dict(n_fft=256, hop_length=224, window=("tukey", 0.25), sym=True, center=False)),
    ("torchaudio Spectrogram defaults", 16000, dict(n_fft=400, hop_length=200)),
    ("22.05 kHz, 50 ms window, 12.5 ms hop (Tacotron)", 22050, dict(n_fft=2048, hop_length=275, win_length=1100)),
    ("44.1 kHz music, 10 ms hop", 44100, dict(n_fft=2048, hop_length=441)),
]


def fused(geometry: gl.STFT, n_samples: int) -> bool:
    """Whether gl's sweep engine takes the one-einsum synthesis for this geometry and length."""
    n_frames = geometry.n_frames(n_samples)
    magnitude = np.zeros((1, n_frames, geometry.n_freq))
    with SweepEngine(geometry, magnitude, n_samples, 1) as engine:
        return engine._slabs > 0


def run(seconds: float, dtypes: list[str], iterations: int, repeats: int, verbose: bool = True) -> list[dict]:
    rows = []
    for label, sr, keywords in GEOMETRIES:
        geometry = gl.STFT(**keywords)
        x, source = test_signal(seconds, sr)
        for dtype in dtypes:
            row = time_one_iteration(x, geometry.n_fft, geometry.hop_length, dtype, iterations, repeats, geometry=geometry)
            row.update(label=label, sample_rate=sr, signal=f"{seconds:g} s at {sr} Hz ({source})", geometry=repr(geometry),
                       win_length=geometry.win_length, fused=fused(geometry, len(x)))
            rows.append(row)
            if verbose:
                print(f"  {label}, {dtype}: gl {1e3 * row['gl_1thread']:.2f} ms, librosa {1e3 * row['librosa']:.2f} ms, "
                      f"bare FFT {1e3 * row['bare_fft']:.2f} ms", flush=True)
    return rows


#: The FFT sizes timed by default: powers of two, the primes below them, and 1102 = 2 x 19 x 29
#: (25 ms at 44.1 kHz).
FFT_SIZES = [1024, 1021, 1102, 2048, 2039, 4096, 4093]
FFT_SIZES_RATE = 22050


def power_of_two_near(n_fft: int) -> int:
    """The power of two nearest ``n_fft`` (its hop / 4 is the hop every size near it is timed at)."""
    return 1 << int(round(np.log2(n_fft)))


def run_fft_sizes(sizes: list[int], seconds: float, iterations: int, repeats: int, verbose: bool = True) -> list[dict]:
    """Fast GLA per iteration (float32) at each FFT size, at the hop of the power of two nearest it,
    with each size's times over that power of two's (when it was timed too)."""
    x, source = test_signal(seconds, FFT_SIZES_RATE)
    rows = []
    for n_fft in sizes:
        geometry = gl.STFT(n_fft, power_of_two_near(n_fft) // 4)
        row = time_one_iteration(x, n_fft, geometry.hop_length, "float32", iterations, repeats, geometry=geometry)
        row.update(signal=f"{seconds:g} s at {FFT_SIZES_RATE} Hz ({source})", geometry=repr(geometry),
                   power_of_two=power_of_two_near(n_fft), largest_prime_factor=_largest_prime_factor(n_fft))
        rows.append(row)
        if verbose:
            print(f"  n_fft {n_fft}, hop {geometry.hop_length}: gl {1e3 * row['gl_1thread']:.2f} ms, librosa "
                  f"{1e3 * row['librosa']:.2f} ms, bare FFT {1e3 * row['bare_fft']:.2f} ms", flush=True)
    by_size = {row["n_fft"]: row for row in rows}
    for row in rows:
        base = by_size.get(row["power_of_two"])
        if base is not None:
            row["gl_over_power_of_two"] = row["gl_1thread"] / base["gl_1thread"]
            row["bare_over_power_of_two"] = row["bare_fft"] / base["bare_fft"]
    return rows


def fft_sizes_table(rows: list[dict]) -> str:
    """The FFT-size rows as a Markdown table (printed by the script, and in the benchmark report)."""
    lines = ["| n_fft (largest prime factor) | hop | frames | gl 1 thread (ms) | librosa (ms) | bare FFT (ms) | librosa / gl "
             "| gl / the power of two's | bare FFT / the power of two's | the same three from the fastest repeats |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    by_size = {r["n_fft"]: r for r in rows}
    for r in rows:
        base, fast = by_size.get(r["power_of_two"]), r["from_minima"]
        fastest = (f"{fast['speedup_vs_librosa']:.2f}x, {_ratio(fast['gl_1thread'] / base['from_minima']['gl_1thread'])}, "
                   f"{_ratio(fast['bare_fft'] / base['from_minima']['bare_fft'])}" if base else f"{fast['speedup_vs_librosa']:.2f}x")
        lines.append(f"| {r['n_fft']} ({r['largest_prime_factor']}) | {r['hop_length']} | {r['n_frames']} | "
                     f"{1e3 * r['gl_1thread']:.2f} | {1e3 * r['librosa']:.2f} | {1e3 * r['bare_fft']:.2f} | "
                     f"{r['speedup_vs_librosa']:.2f}x | {_ratio(r.get('gl_over_power_of_two'))} | "
                     f"{_ratio(r.get('bare_over_power_of_two'))} | {fastest} |")
    return "\n".join(lines)


def _ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown_table(rows: list[dict]) -> str:
    lines = ["| geometry | n_fft / win / hop | dtype | frames | fused | gl 1 thread (ms) | gl 2 threads (ms) | librosa (ms) "
             "| librosa / gl | gl / bare FFT | gl 2 thr / bare FFT |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['n_fft']} / {r['win_length']} / {r['hop_length']} | {r['dtype']} | {r['n_frames']} "
                     f"| {'yes' if r['fused'] else 'no'} | {1e3 * r['gl_1thread']:.2f} | {1e3 * r['gl_2threads']:.2f} "
                     f"| {1e3 * r['librosa']:.2f} | {r['speedup_vs_librosa']:.2f}x | {r['gl_over_bare']:.2f} "
                     f"| {r['gl2_over_bare']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = timing_parser(__doc__)
    parser.add_argument("--dtypes", nargs="+", default=DTYPES, choices=DTYPES)
    parser.add_argument("--fft-sizes", nargs="*", type=_positive_int, default=FFT_SIZES,
                        help="FFT sizes timed at the hop of the power of two nearest each (none: skip)")
    args = parser.parse_args(argv)
    rows = run(args.seconds, args.dtypes, args.iterations, args.repeats)
    fft_rows = run_fft_sizes(args.fft_sizes, args.seconds, args.iterations, args.repeats)
    env = environment()
    env["command"] = script_command("benchmarks/bench_geometries.py", parser, args)
    result = {"environment": env, "rows": rows, "fft_sizes": fft_rows, "iterations_K": args.iterations, "repeats": args.repeats,
              "method": "per iteration = (median t(n_iter=K) - median t(n_iter=0)) / K, round-robin in one process"}
    print(markdown_table(rows))
    if fft_rows:
        print("\n" + fft_sizes_table(fft_rows))
    save("geometries", result, args.out)


if __name__ == "__main__":
    main()
