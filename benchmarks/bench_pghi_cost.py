"""PGHI's cost in units of one fast-GLA iteration on the same spectrogram (issue 3's target: <= 10).

    python benchmarks/bench_pghi_cost.py [--repeats 15] [--tol 3e-3 1e-2]

10 s of 22.05 kHz speech (the dev corpus' d02 clip, tiled), n_fft 1024, hop 256, Hann.
CPU time (time.process_time), so that other jobs on the machine matter less; one FGLA
iteration = (t(n_iter=20) - t(n_iter=0)) / 20, single-threaded. Prints a Markdown table
of medians.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

import numpy as np
import soundfile as sf

import gl

CLIP = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev" / "d02_speech_alsa-voice_22k.flac"


def cpu_seconds(function) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--tol", type=float, nargs="+", default=[3e-3, 1e-2])
    args = parser.parse_args()
    pghi_module = importlib.import_module("gl.pghi")
    x, sr = sf.read(str(CLIP))
    x = np.resize(x, 10 * sr)
    geometry = gl.STFT(n_fft=1024, hop_length=256)
    S = np.abs(geometry.stft(x))
    ratios: dict[float, list[float]] = {tol: [] for tol in args.tol}
    fgla_ms = []
    for _ in range(args.repeats):
        setup = cpu_seconds(lambda: gl.griffinlim(S, geometry=geometry, n_iter=0, rng=0, n_threads=1))
        twenty = cpu_seconds(lambda: gl.griffinlim(S, geometry=geometry, n_iter=20, rng=0, n_threads=1))
        iteration = (twenty - setup) / 20
        fgla_ms.append(iteration * 1e3)
        for tol in args.tol:
            ratios[tol].append(cpu_seconds(lambda: pghi_module.pghi(S, geometry=geometry, rng=0, tol=tol)) / iteration)
    print(f"one FGLA iteration: {np.median(fgla_ms):.2f} ms (median of {args.repeats})\n")
    print("| tol | PGHI / one FGLA iteration | PGHI SC (dB) |")
    print("|---|---|---|")
    for tol in args.tol:
        _, info = pghi_module.pghi(S, geometry=geometry, rng=0, tol=tol, return_info=True)
        print(f"| {tol:g} | {np.median(ratios[tol]):.1f} | {float(info.final_db):.1f} |")


if __name__ == "__main__":
    main()
