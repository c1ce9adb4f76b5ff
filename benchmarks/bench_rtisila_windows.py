"""RTISI-LA's newest frame: gl's rule against always the paper's and always the least-squares first estimate.

    python benchmarks/bench_rtisila_windows.py [--seconds 4] [--out benchmarks/results]

When a frame joins RTISI-LA's buffer (see :mod:`gl.rtisila`) its first estimate is the
paper's (the partial reconstruction seen through ``v = sum_{i >= 1} w[k - i a]``) or the
least-squares signal of the frames present, windowed (``w sum_m y_m / P``, ``P`` their
window sum). Where each frame overlaps only its neighbours the paper's window is zero on
every sample the earlier frames reach; gl takes the least-squares estimate there while the
window sum ``D`` varies by at most 4.5x (``gl.rtisila.uses_least_squares_start``). This
script runs ``gl.rtisila`` (default look-ahead, 5 iterations per frame) on the first
``--seconds`` of the six dev clips and on greasy and gspi, in geometries where ``D``
varies (Hann, Hamming and Blackman at hops from 0.25 to 0.88 of the window, torchaudio's
and scipy's defaults, a speech geometry with a window shorter than n_fft), three ways:
gl's rule, the paper's everywhere, the least-squares everywhere. Prints the spectral
convergence (dB, mean over the eight clips) as a Markdown table and saves
``results/rtisila_windows.json``.
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

from benchmarks.common import CORPUS, DEFAULT_CORPUS, RESULTS, environment, read_clip, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number

#: The ways to choose the newest frame's first estimate: gl's rule, and each everywhere.
CHOICES = {"gl's rule": None, "the paper's everywhere": False, "least-squares everywhere": True}


def geometries() -> dict:
    import gl

    from scipy.signal import get_window  # (librosa, in the bench extra, needs scipy)

    scipy_default = get_window(("tukey", 0.25), 256)  # scipy.signal.spectrogram's window
    return {  # frames that overlap two or more others, then frames that overlap their neighbours only
        "Hann 256/100": gl.STFT(256, 100),
        "Hann 1024/256 (the studies')": gl.STFT(1024, 256),
        "Hann 512/128": gl.STFT(512, 128),
        "Hamming 1024/256": gl.STFT(1024, 256, window="hamming"),
        "phaseret's test, Blackman 512 in 1024, hop 128": gl.STFT(1024, 128, win_length=512, window="blackman"),
        "Hann 1024/341": gl.STFT(1024, 341),
        "Hann 1024/384": gl.STFT(1024, 384),
        "Hamming 1024/400": gl.STFT(1024, 400, window="hamming"),
        "Hann 512/160, window 400": gl.STFT(512, 160, win_length=400),
        "Blackman 1024/384": gl.STFT(1024, 384, window="blackman"),
        "Blackman 1024/480": gl.STFT(1024, 480, window="blackman"),
        "Hann 1024/512": gl.STFT(1024, 512),
        "Hamming 1024/512": gl.STFT(1024, 512, window="hamming"),
        "Blackman 1024/512": gl.STFT(1024, 512, window="blackman"),
        "Blackman 1024/540": gl.STFT(1024, 540, window="blackman"),
        "torchaudio's default, Hann 400/200": gl.STFT(400, 200),
        "scipy's default, Tukey 256/224, not centred": gl.STFT(256, 224, window=scipy_default, center=False),
        "Hann 1024/576": gl.STFT(1024, 576),
        "Hamming 400/240": gl.STFT(400, 240, window="hamming"),
        "Hann 1024/640": gl.STFT(1024, 640),
        "Hamming 1024/700": gl.STFT(1024, 700, window="hamming"),
        "Hann 1024/768": gl.STFT(1024, 768),
        "Hann 1024/900": gl.STFT(1024, 900),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=4.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    import gl

    module = importlib.import_module("gl.rtisila")  # (gl.rtisila is the function)
    rule = module.uses_least_squares_start
    clips = [read_clip(path, args.seconds) for pattern in DEFAULT_CORPUS for path in sorted(CORPUS.glob(pattern))]
    rows = []
    print("| geometry | later frames a frame overlaps | D max / min | " + " | ".join(CHOICES) + " |")
    print("|---|---|---|" + "---|" * len(CHOICES))
    start = time.perf_counter()
    try:
        for name, geometry in geometries().items():
            window_sum = geometry.window_sum_period  # D over one hop
            row = {"geometry": name, "stft": repr(geometry), "window_sum_ratio": float(window_sum.max() / window_sum.min()),
                   "overlapping_frames": module.default_lookahead(geometry), "rule_takes_least_squares": bool(rule(geometry)),
                   "db": {}}
            for choice, forced in CHOICES.items():
                module.uses_least_squares_start = rule if forced is None else (lambda *_, forced=forced: forced)
                values = []
                for clip in clips:
                    S = np.abs(geometry.stft(clip.signal))
                    y = gl.rtisila(S, geometry=geometry)
                    values.append(float(gl.metrics.spectral_convergence_db(S, geometry.stft(y))))
                row["db"][choice] = {"per_clip": values, "mean": float(np.mean(values))}
            rows.append(row)
            print(f"| {name} | {row['overlapping_frames']} | {row['window_sum_ratio']:.2f} | "
                  + " | ".join(f"{row['db'][c]['mean']:.1f}" for c in CHOICES) + " |", flush=True)
    finally:
        module.uses_least_squares_start = rule
    data = {"command": script_command("benchmarks/bench_rtisila_windows.py", parser, args), "seconds": args.seconds,
            "clips": [clip.name for clip in clips], "lookahead": "default", "n_iter_per_frame": 5, "rows": rows,
            "wall_seconds": time.perf_counter() - start, "environment": environment()}
    print(f"\nsaved {save('rtisila_windows', data, args.out)}")


if __name__ == "__main__":
    main()
