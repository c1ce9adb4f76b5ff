"""Low-overlap geometries: the iterations' floored synthesis against the least-squares one.

    python benchmarks/bench_low_overlap.py [--seconds 3] [--out benchmarks/results]

Where the windows barely overlap (``gl.STFT.low_overlap``: the window sum between frames
below 10 % of its largest value, as a Hann window's at scipy's default ``noverlap =
nperseg // 8``), the least-squares inverse amplifies each projection's error between the
frames, and the iterations build spikes there that the spectrogram hardly sees. gl's
iterations divide by a floor of 10 % of the largest window sum instead, and the result is
the least-squares synthesis of the last spectra (:mod:`gl._engine`, *Low overlap*). This
script inverts the first ``--seconds`` of the six dev clips, and 2 s of 660 Hz tone bursts,
with ``gl.Spectrogram.invert`` (which fades the first and last samples of frames that are
not centred) both ways, and reports, as means over the clips:

* the spectral convergence against the given spectrogram (dB), which the least-squares
  iterations drive lower by using exactly the samples it cannot see;
* the spectral convergence of the result's STFT at a hop of ``n_fft / 8`` against the
  signal's (dB): what the given spectrogram does not show, what is heard; 0 dB is as far
  from the signal's as silence;
* the level (RMS of the result over the signal's, dB) and the largest peak (times the signal's).

A geometry that is not ``low_overlap`` (Hann 256 at hop 128) is the control: its two rows
must be equal. Prints a Markdown table and saves ``results/low_overlap.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import CORPUS, RESULTS, environment, read_clip, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number

#: The methods, as (label, method, init).
METHODS = [("default", None, None), ("fgla, random start", "fgla", "random"), ("pghi", "pghi", None)]


def geometries() -> dict:
    import gl

    return {  # frames not centred: scipy.signal.spectrogram's framing
        "Hann 256/224 (scipy's noverlap default), 0.3 %": gl.STFT(256, 224, center=False),
        "Hamming 256/224, 2.6 %": gl.STFT(256, 224, window="hamming", center=False),
        "Hann 256/192, 4.3 %": gl.STFT(256, 192, center=False),
        "Hann 320/280, 0.3 %": gl.STFT(320, 280, center=False),
        "Hann 256/128 (control), 50 %": gl.STFT(256, 128, center=False),
    }


def tone_bursts(fs: int, f0: float = 660.0, period: float = 0.25, on: float = 0.06, seconds: float = 2.0) -> np.ndarray:
    """Tone bursts of ``on`` seconds every ``period`` (tests/test_spectrogram.py's)."""
    t = np.arange(int(seconds * fs)) / fs
    return np.sin(2 * np.pi * f0 * t) * ((t % period) < on)


def measure(x: np.ndarray, geometry, label: str, method, init) -> dict:
    import gl
    from gl.metrics import spectral_convergence_db

    S = np.abs(geometry.stft(x))
    dense = gl.STFT(geometry.n_fft, geometry.n_fft // 8, window=geometry.window)
    options = {} if method == "pghi" else {"init": init, "rng": 0}
    y = gl.Spectrogram(S, geometry, length=len(x)).invert(method=method, **options)
    return {
        "sc_db": float(spectral_convergence_db(S, geometry.stft(y))),
        "dense_sc_db": float(spectral_convergence_db(np.abs(dense.stft(x)), dense.stft(y))),
        "level_db": float(20 * np.log10(np.sqrt(np.mean(y**2)) / np.sqrt(np.mean(x**2)))),
        "peak": float(np.max(np.abs(y)) / np.max(np.abs(x))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=3.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    import warnings

    import gl._engine

    floor = gl._engine.EDGE_FADE
    clips = [read_clip(path, args.seconds) for path in sorted((CORPUS / "dev").glob("d0*"))]
    signals = {clip.name: clip.signal for clip in clips} | {TONE: tone_bursts(16000)}
    rows = []
    print(TABLE_HEAD, flush=True)
    for geometry_label, geometry in geometries().items():
        for label, method, init in METHODS:
            for synthesis, engine_floor in (("least squares", 0.0), ("floored (gl)", floor)):
                gl._engine.EDGE_FADE = engine_floor  # 0: every sweep divides by the window sum itself
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # the low-overlap and NOLA warnings: measured here
                        per_signal = {name: measure(x, geometry, label, method, init) for name, x in signals.items()}
                finally:
                    gl._engine.EDGE_FADE = floor
                clip_rows = [row for name, row in per_signal.items() if name != TONE]
                summary = {key: float(np.mean([row[key] for row in clip_rows])) for key in ("sc_db", "dense_sc_db", "level_db")}
                summary["worst_dense_sc_db"] = max(row["dense_sc_db"] for row in clip_rows)
                summary["worst_level_db"] = max(abs(row["level_db"]) for row in clip_rows)
                summary["peak"] = max(row["peak"] for row in clip_rows)
                rows.append(dict(geometry=geometry_label, low_overlap=geometry.low_overlap, method=label, synthesis=synthesis,
                                 clips=summary, per_signal=per_signal))
                print(table_row(rows[-1]), flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_low_overlap.py", parser, args)
    data = dict(environment=env, seconds=args.seconds, signals=list(signals), rows=rows)
    print(f"\nsaved {save('low_overlap', data, args.out)}")


TONE = "tone bursts (16 kHz)"
TABLE_HEAD = ("| geometry, window sum between frames | method | synthesis in the iterations | SC given (dB) "
              "| SC at hop n_fft/8 (dB, worst) | level (dB, worst) | peak | tone bursts: SC at n_fft/8, level, peak |\n"
              "|---|---|---|---|---|---|---|---|")


def table_row(row: dict) -> str:
    clips, tone = row["clips"], row["per_signal"][TONE]
    return (f"| {row['geometry']} | {row['method']} | {row['synthesis']} | {clips['sc_db']:.1f} | {clips['dense_sc_db']:.1f} "
            f"({clips['worst_dense_sc_db']:.1f}) | {clips['level_db']:+.1f} ({clips['worst_level_db']:.1f}) | {clips['peak']:.1f}x "
            f"| {tone['dense_sc_db']:.1f} dB, {tone['level_db']:+.1f} dB, {tone['peak']:.1f}x |")


def markdown_table(rows: list[dict]) -> str:
    """The rows of a run as the Markdown table the script prints (the benchmark report's)."""
    return "\n".join([TABLE_HEAD] + [table_row(row) for row in rows])


if __name__ == "__main__":
    main()
