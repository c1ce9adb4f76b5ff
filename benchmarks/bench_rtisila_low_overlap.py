"""RTISI-LA where the windows barely overlap: its analysis with and without a floor.

    python benchmarks/bench_rtisila_low_overlap.py [--seconds 3] [--out benchmarks/results]

RTISI-LA re-estimates each frame from the overlap-added samples divided by the window sum
``D``. Where the windows barely overlap (``gl.STFT.low_overlap``, as scipy's
``window='hann'`` at its default overlap), ``D`` falls to 0.3 % of its peak between frames
and every error there is amplified in the next analysis, as in the least-squares
iterations of the offline methods (``benchmarks/bench_low_overlap.py``). A stream cannot
run again with a floor when its result shows spikes, so ``gl.rtisila`` divides by
``max(D, LOW_OVERLAP_FLOOR max D)`` in its analysis always, for such geometries only; the
samples it returns stay least squares. This script measures that choice: the same clips,
tones and geometries as ``bench_low_overlap.py`` (its measures), RTISI-LA with its
defaults, ``LOW_OVERLAP_FLOOR`` 0 (off) and gl's 0.1. Prints a Markdown table and saves
``results/rtisila_low_overlap.json``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from pathlib import Path

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_low_overlap import TONES, all_signals, geometries, measure, measure_cells, summarize
from benchmarks.common import RESULTS, environment, results_folder, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number


def main() -> None:
    module = importlib.import_module("gl.rtisila")  # gl.rtisila is the function

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=3.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=results_folder, default=RESULTS)
    args = parser.parse_args()
    signals = all_signals(args.seconds)
    print(TABLE_HEAD, flush=True)
    rows = []
    gl_floor = module.LOW_OVERLAP_FLOOR
    for geometry_label, geometry in geometries().items():
        for label, floor in (("D", 0.0), (f"max(D, {gl_floor:g} max D) (gl)", gl_floor)):
            module.LOW_OVERLAP_FLOOR = floor
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the low-overlap and NOLA warnings: measured here
                    per_signal = {name: measure(x, geometry, "rtisila", None, False) for name, x in signals.items()}
            finally:
                module.LOW_OVERLAP_FLOOR = gl_floor
            clips = [row for name, row in per_signal.items() if name not in TONES]
            summary = summarize(clips)
            rows.append(dict(geometry=geometry_label, low_overlap=geometry.low_overlap, analysis=label, floor=floor,
                             clips=summary, n_clips=len(clips), per_signal=per_signal))
            print(table_row(rows[-1]), flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_rtisila_low_overlap.py", parser, args)
    print(f"\nsaved {save('rtisila_low_overlap', dict(environment=env, seconds=args.seconds, signals=list(signals), rows=rows), args.out)}")


TABLE_HEAD = ("| geometry | analysis divides by | SC given (dB) | SC at hop n_fft/8 (dB, worst) | level (dB, worst) | peak "
              "| sine, chord: SC at n_fft/8 (dB) |\n|---|---|---|---|---|---|---|")


def table_row(row: dict) -> str:
    return f"| {row['geometry']} | {row['analysis']} | {measure_cells(row)} |"


def markdown_table(rows: list[dict]) -> str:
    return "\n".join([TABLE_HEAD] + [table_row(row) for row in rows])


if __name__ == "__main__":
    main()
