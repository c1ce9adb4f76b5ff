"""RTISI-LA quality and speed: spectral convergence and seconds per second of audio.

    python benchmarks/bench_rtisila.py [--n-iter 5 20] [--lookahead 0 1 3] [--seconds 10] [--hop 256] [--newest-window rule]

Runs ``gl.rtisila`` (the stream over the whole spectrogram) on greasy (Hann 1024/256 and
phaseret's Blackman 1024/128) and on the dev clips (Hann 1024 with hop ``--hop``, first
``--seconds``), and prints a Markdown table. Hops other than 256 (a quarter of the window,
where the window sum ``D`` is constant) show what the newest frame's asymmetric windows do:
``--newest-window v`` or ``dual`` takes one form of them everywhere instead of gl's rule
(``bench_rtisila_windows.py`` compares the three over more geometries). Timings are wall-clock medians of ``--repeat`` runs after a
warm-up; the machine may be shared, so treat them as upper bounds.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gl.cli import _non_negative_int, _positive_float, _positive_int  # the command line's checks of numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-iter", nargs="+", type=_non_negative_int, default=[5, 20])
    parser.add_argument("--lookahead", nargs="+", type=_non_negative_int, default=[0, 1, 3])
    parser.add_argument("--seconds", type=_positive_float, default=10.0)
    parser.add_argument("--repeat", type=_positive_int, default=1)
    parser.add_argument("--hop", type=_positive_int, default=256, help="the dev clips' hop (Hann 1024), at most 1024")
    parser.add_argument("--newest-window", choices=("rule", "v", "dual"), default="rule",
                        help="the newest frame's window: gl's rule, v = sum w[k - i a] or phaseret's v / D everywhere")
    args = parser.parse_args()
    if args.hop > 1024:
        parser.error(f"--hop {args.hop} must be at most the window's 1024 samples")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import DEV_FILES, read_audio

    import gl

    if args.newest_window != "rule":
        importlib.import_module("gl.rtisila").uses_dual_windows = lambda *_: args.newest_window == "dual"
    cases = []
    x, sr = read_audio("reference", "greasy.wav")
    cases.append(("greasy, hann 1024/256", x, sr, gl.STFT(1024, 256)))
    cases.append(("greasy, blackman 1024/128", x, sr, gl.STFT(1024, 128, window="blackman")))
    for name in DEV_FILES:
        x, sr = read_audio("dev", name)
        cases.append((name.split(".")[0] + f", hann 1024/{args.hop}", x[: int(args.seconds * sr)], sr, gl.STFT(1024, args.hop)))

    gl.rtisila(np.abs(gl.STFT(1024, 256).stft(cases[0][1])), n_fft=1024, hop_length=256)  # warm-up
    columns = [(L, n) for L in args.lookahead for n in args.n_iter]
    print("| clip | " + " | ".join(f"L={L}, {n} it: dB (s/s)" for L, n in columns) + " |")
    print("|---|" + "---|" * len(columns))
    totals = np.zeros(len(columns))
    for label, x, sr, geometry in cases:
        S = np.abs(geometry.stft(x))
        cells = []
        for k, (L, n) in enumerate(columns):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                y = gl.rtisila(S, geometry=geometry, lookahead=L, n_iter_per_frame=n)
                times.append(time.perf_counter() - start)
            sc = float(gl.metrics.spectral_convergence_db(S, geometry.stft(y)))
            if label.startswith("d0"):
                totals[k] += sc
            cells.append(f"{sc:.1f} ({np.median(times) / (len(x) / sr):.3f})")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    n_dev = sum(label.startswith("d0") for label, *_ in cases)
    print("| dev mean (dB) | " + " | ".join(f"{t / n_dev:.1f}" for t in totals) + " |")


if __name__ == "__main__":
    main()
