"""RTISI-LA's newest-frame windows: gl's rule against always ``v`` and always phaseret's ``v / D``.

    python benchmarks/bench_rtisila_windows.py [--seconds 4] [--out benchmarks/results]

The newest frame of RTISI-LA's buffer is analysed with an asymmetric window (see
:mod:`gl.rtisila`): ``v = sum w[k - i a]`` on the estimate, or phaseret's overlaid dual
windows ``v / D``. They are the same where the window sum ``D`` is constant; elsewhere gl
takes phaseret's where each frame overlaps only its neighbours and ``D`` varies by at most
4.5x (``gl.rtisila.uses_dual_windows``). This script runs ``gl.rtisila`` (default
look-ahead, 5 iterations per frame) on the first ``--seconds`` of the six dev clips and on
greasy and gspi, in geometries where ``D`` varies (Hann, Hamming and Blackman at hops from
0.39 to 0.88 of the window, torchaudio's and scipy's defaults, a speech geometry with a
window shorter than n_fft), three ways: gl's rule,
``v`` everywhere, ``v / D`` everywhere. Prints the spectral convergence (dB, mean over the
eight clips) as a Markdown table and saves ``results/rtisila_windows.json``.
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

from benchmarks.common import CORPUS, DEFAULT_CORPUS, RESULTS, environment, read_clip, results_folder, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number

#: The ways to choose the newest frame's window: gl's rule, and each form everywhere.
CHOICES = {"gl's rule": None, "v everywhere": False, "v / D everywhere": True}


def geometries() -> dict:
    import gl

    from scipy.signal import get_window  # (librosa, in the bench extra, needs scipy)

    scipy_default = get_window(("tukey", 0.25), 256)  # scipy.signal.spectrogram's window
    return {  # frames that overlap two or more others, then frames that overlap their neighbours only
        "Hann 256/100": gl.STFT(256, 100),
        "Hann 1024/384": gl.STFT(1024, 384),
        "Hann 512/160, window 400": gl.STFT(512, 160, win_length=400),
        "Blackman 1024/384": gl.STFT(1024, 384, window="blackman"),
        "Hann 1024/512": gl.STFT(1024, 512),
        "Hamming 1024/512": gl.STFT(1024, 512, window="hamming"),
        "Blackman 1024/512": gl.STFT(1024, 512, window="blackman"),
        "torchaudio's default, Hann 400/200": gl.STFT(400, 200),
        "scipy's default, Tukey 256/224, not centred": gl.STFT(256, 224, window=scipy_default, center=False),
        "Hann 1024/576": gl.STFT(1024, 576),
        "Hamming 400/240": gl.STFT(400, 240, window="hamming"),
        "Hann 1024/640": gl.STFT(1024, 640),
        "Hann 1024/768": gl.STFT(1024, 768),
        "Hann 1024/900": gl.STFT(1024, 900),
    }


TABLE_HEAD = ("| geometry | later frames a frame overlaps | D max / min | gl's rule takes | " + " | ".join(CHOICES) + " |\n"
              "|---|---|---|---|" + "---|" * len(CHOICES))


def table_row(row: dict) -> str:
    """A geometry's row: the frames each frame overlaps, D's spread over a hop, the window gl's
    rule takes there, and the mean spectral convergence (dB) each way."""
    return (f"| {row['geometry']} | {row['overlapping_frames']} | {row['window_sum_ratio']:.2f} | "
            f"{'v / D' if row['rule_takes_dual'] else 'v'} | " + " | ".join(f"{row['db'][c]['mean']:.1f}" for c in CHOICES) + " |")


def markdown_table(result: dict) -> str:
    """The script's table, from its saved result."""
    return "\n".join([TABLE_HEAD] + [table_row(row) for row in result["rows"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=4.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=results_folder, default=RESULTS)
    args = parser.parse_args()
    import gl

    module = importlib.import_module("gl.rtisila")  # (gl.rtisila is the function)
    rule = module.uses_dual_windows
    clips = [read_clip(path, args.seconds) for pattern in DEFAULT_CORPUS for path in sorted(CORPUS.glob(pattern))]
    rows = []
    print(TABLE_HEAD)
    start = time.perf_counter()
    try:
        for name, geometry in geometries().items():
            window_sum = geometry.window_sum_period  # D over one hop
            row = {"geometry": name, "stft": repr(geometry), "window_sum_ratio": float(window_sum.max() / window_sum.min()),
                   "overlapping_frames": module.default_lookahead(geometry), "rule_takes_dual": bool(rule(geometry)),
                   "db": {}}
            for choice, forced in CHOICES.items():
                module.uses_dual_windows = rule if forced is None else (lambda *_, forced=forced: forced)
                values = []
                for clip in clips:
                    S = np.abs(geometry.stft(clip.signal))
                    y = gl.rtisila(S, geometry=geometry)
                    values.append(float(gl.metrics.spectral_convergence_db(S, geometry.stft(y))))
                row["db"][choice] = {"per_clip": values, "mean": float(np.mean(values))}
            rows.append(row)
            print(table_row(row), flush=True)
    finally:
        module.uses_dual_windows = rule
    env = environment()
    env["command"] = script_command("benchmarks/bench_rtisila_windows.py", parser, args)  # with its path, as the others
    data = {"command": env["command"], "seconds": args.seconds,
            "clips": [clip.name for clip in clips], "lookahead": "default", "n_iter_per_frame": 5, "rows": rows,
            "wall_seconds": time.perf_counter() - start, "environment": env}
    print(f"\nsaved {save('rtisila_windows', data, args.out)}")


if __name__ == "__main__":
    main()
