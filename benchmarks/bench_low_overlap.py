"""Windows that barely overlap: least squares, the floor between frames, and gl's choice.

    python benchmarks/bench_low_overlap.py [--seconds 3] [--out benchmarks/results]

Where the windows barely overlap (``gl.STFT.low_overlap``: the window sum between frames
below 10 % of its largest value, as a Hann window's at scipy's default ``noverlap =
nperseg // 8``), the least-squares inverse amplifies each projection's error between the
frames, and the iterations can build spikes there that the spectrogram hardly sees.
Dividing by a floor of 10 % of the largest window sum there instead (:mod:`gl._engine`,
*Low overlap*) removes them, but moves the iterations' fixed point, so that what least
squares returns clean (a steady tone) comes back with a flutter. ``gl.Spectrogram.invert``
therefore runs least squares and runs again with the floor only when the result carries
more than ``SPIKE_RATIO`` times the energy per sample between frames than elsewhere.

This script inverts the first ``--seconds`` of the six dev clips, greasy and gspi (the
clips), and a 440 Hz sine and a four-note chord, frames not centred (scipy's framing),
with ``gl.Spectrogram.invert`` three ways (``floor_between_frames`` False, True and None,
gl's choice), and reports:

* the spectral convergence against the given spectrogram (dB), which least squares drives
  lower by using exactly the samples it cannot see;
* the spectral convergence of the result's STFT at a hop of ``n_fft / 8`` against the
  signal's (dB): what the given spectrogram does not show, what is heard; 0 dB is as far
  from the signal's as silence;
* the level (RMS of the result over the signal's, dB) and the largest peak (times the
  signal's); for gl's choice, on how many clips it ran again with the floor.

Means over the clips, the worst in brackets. A geometry that is not ``low_overlap`` (Hann 256
at hop 128) is the control: its rows must be equal. Prints a Markdown table and saves
``results/low_overlap.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import CORPUS, RESULTS, environment, read_clip, results_folder, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number

#: The methods, as (label, method, init).
METHODS = [("default", None, None), ("fgla, random start", "fgla", "random"), ("pghi", "pghi", None)]
#: The ways, as (label, floor_between_frames).
WAYS = [("least squares", False), ("floor", True), ("gl's choice", None)]
TONES = ("sine 440 Hz", "chord")


def geometries() -> dict:
    import gl

    return {  # frames not centred: scipy.signal.spectrogram's framing
        "Hann 256/224 (scipy's noverlap default), 0.3 %": gl.STFT(256, 224, center=False),
        "Hamming 256/224, 2.6 %": gl.STFT(256, 224, window="hamming", center=False),
        "Hann 256/192, 4.3 %": gl.STFT(256, 192, center=False),
        "Kaiser 14 512/256, 5.4 %": gl.STFT(512, 256, window=("kaiser", 14.0), center=False),
        "Blackman 512/384, 0.9 %": gl.STFT(512, 384, window="blackman", center=False),
        "Hann 1024/1000, 0.0004 %": gl.STFT(1024, 1000, center=False),  # below RESULT_FLOOR between frames
        "Hann 256/128 (control), 50 %": gl.STFT(256, 128, center=False),
    }


def tones(fs: int = 16000, seconds: float = 3.0) -> dict:
    t = np.arange(int(seconds * fs)) / fs
    return {TONES[0]: 0.5 * np.sin(2 * np.pi * 440 * t),
            TONES[1]: sum(0.2 * np.sin(2 * np.pi * f * t) for f in (262.0, 330.0, 392.0, 523.0))}


def all_signals(seconds: float) -> dict:
    """The first ``seconds`` of the six dev clips, greasy and gspi, then the tones, by name."""
    paths = sorted((CORPUS / "dev").glob("d0*")) + [CORPUS / "reference" / name for name in ("greasy.wav", "gspi.wav")]
    signals = {clip.name: clip.signal for clip in (read_clip(path, seconds) for path in paths if path.exists())}
    signals.update(tones(seconds=seconds))
    return signals


def summarize(clip_rows: list[dict]) -> dict:
    """Means over the clips' rows of :func:`measure`, the worst dense SC and level, the largest peak."""
    summary = {key: float(np.mean([row[key] for row in clip_rows])) for key in ("sc_db", "dense_sc_db", "level_db")}
    summary["worst_dense_sc_db"] = max(row["dense_sc_db"] for row in clip_rows)
    summary["worst_level_db"] = max(abs(row["level_db"]) for row in clip_rows)
    summary["peak"] = max(row["peak"] for row in clip_rows)
    return summary


def measure(x: np.ndarray, geometry, method, init, floor) -> dict:
    import gl
    from gl.metrics import spectral_convergence_db
    from gl.spectrogram import _energy_between_frames

    S = np.abs(geometry.stft(x))
    dense = gl.STFT(geometry.n_fft, geometry.n_fft // 8, window=geometry.window)
    options = {} if method == "pghi" else {"init": init, "rng": 0}
    spec = gl.Spectrogram(S, geometry, length=len(x))
    y, info = spec.invert(method=method, floor_between_frames=floor, return_info=True, **options)
    row = {
        "sc_db": float(spectral_convergence_db(S, geometry.stft(y))),
        "dense_sc_db": float(spectral_convergence_db(np.abs(dense.stft(x)), dense.stft(y))),
        "level_db": float(20 * np.log10(np.sqrt(np.mean(y**2)) / np.sqrt(np.mean(x**2)))),
        "peak": float(np.max(np.abs(y)) / np.max(np.abs(x))),
        "energy_between_frames": _energy_between_frames(y, geometry, spec.n_frames),
    }
    if floor is None:  # did gl's choice run again with the floor?
        row["floored"] = bool(info.floored_between_frames)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=3.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=results_folder, default=RESULTS)
    args = parser.parse_args()
    import warnings

    signals = all_signals(args.seconds)
    rows = []
    print(TABLE_HEAD, flush=True)
    for geometry_label, geometry in geometries().items():
        for label, method, init in METHODS:
            for way, floor in WAYS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the low-overlap and NOLA warnings: measured here
                    per_signal = {name: measure(x, geometry, method, init, floor) for name, x in signals.items()}
                clip_rows = [row for name, row in per_signal.items() if name not in TONES]
                summary = summarize(clip_rows)
                if floor is None:
                    summary["floored"] = sum(row["floored"] for row in clip_rows)
                rows.append(dict(geometry=geometry_label, low_overlap=geometry.low_overlap, method=label, way=way,
                                 clips=summary, n_clips=len(clip_rows), per_signal=per_signal))
                print(table_row(rows[-1]), flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_low_overlap.py", parser, args)
    data = dict(environment=env, seconds=args.seconds, signals=list(signals), rows=rows)
    print(f"\nsaved {save('low_overlap', data, args.out)}")


TABLE_HEAD = ("| geometry, window sum between frames | method | synthesis | SC given (dB) | SC at hop n_fft/8 (dB, worst) "
              "| level (dB, worst) | peak | sine, chord: SC at n_fft/8 (dB) |\n|---|---|---|---|---|---|---|---|")


def table_row(row: dict) -> str:
    clips = row["clips"]
    way = row["way"] + (f" (floor on {clips['floored']} of {row['n_clips']})" if "floored" in clips else "")
    return f"| {row['geometry']} | {row['method']} | {way} | {measure_cells(row)} |"


def measure_cells(row: dict) -> str:
    """A row's measures as table cells: SC given, SC at n_fft/8 (worst), level (worst), peak, the tones'."""
    clips, per_signal = row["clips"], row["per_signal"]
    tone_text = ", ".join(f"{per_signal[name]['dense_sc_db']:.1f}" for name in TONES if name in per_signal)
    return (f"{clips['sc_db']:.1f} | {clips['dense_sc_db']:.1f} ({clips['worst_dense_sc_db']:.1f}) | {clips['level_db']:+.1f} "
            f"({clips['worst_level_db']:.1f}) | {clips['peak']:.1f}x | {tone_text}")


def markdown_table(rows: list[dict]) -> str:
    """The rows of a run as the Markdown table the script prints (the benchmark report's)."""
    return "\n".join([TABLE_HEAD] + [table_row(row) for row in rows])


if __name__ == "__main__":
    main()
