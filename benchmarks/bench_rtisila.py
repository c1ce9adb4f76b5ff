"""RTISI-LA quality and speed: spectral convergence and seconds per second of audio.

    python benchmarks/bench_rtisila.py [--n-iter 5 20] [--lookahead 0 1 3] [--seconds 10] [--hop 256]
        [--newest-window rule] [--repeat 1] [--out benchmarks/results]

Runs ``gl.rtisila`` (the stream over the whole spectrogram) on greasy (Hann 1024/256 and
phaseret's Blackman 1024/128) and on the dev clips (Hann 1024 with hop ``--hop``, first
``--seconds``), each look-ahead with each number of iterations per frame, and prints a
Markdown table: the spectral convergence of the result (dB) and, in brackets, the seconds
of computing per second of audio; the last row is the mean over the dev clips. Greasy is
also run with ``gl.rtisila``'s defaults (the geometry's default look-ahead, 5 iterations),
with the default output length and with the recording's. Hops other than 256 (a quarter
of the window, where the window sum ``D`` is constant) show what the newest frame's
asymmetric windows do: ``--newest-window v`` or ``dual`` takes one form of them everywhere
instead of gl's rule (``bench_rtisila_windows.py`` compares the three over more
geometries). Timings are wall-clock medians of ``--repeat`` runs after a warm-up; the
machine may be shared, so treat them as upper bounds (the JSON records the load average,
and the medians of the process's CPU time, which other jobs inflate less).
Saves ``results/rtisila.json``.
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

from benchmarks.common import RESULTS, environment, find_corpus, is_dev, read_clip, results_folder, save, script_command
from gl.cli import _non_negative_int, _positive_float, _positive_int  # the command line's checks of numbers

#: The corpus files read: greasy first (both its geometries), then the dev clips.
CLIP_PATTERNS = ["reference/greasy.wav", "dev/*.flac"]


def cases(hop: int, seconds: float) -> list[tuple[str, object, object]]:
    """(label, clip, geometry) of every row: greasy whole in two geometries, then the first
    ``seconds`` of each dev clip in Hann 1024 with hop ``hop``."""
    import gl

    rows = []
    for path in find_corpus(CLIP_PATTERNS):
        if path.stem == "greasy":
            clip = read_clip(path)
            rows.append(("greasy, hann 1024/256", clip, gl.STFT(1024, 256)))
            rows.append(("greasy, blackman 1024/128", clip, gl.STFT(1024, 128, window="blackman")))
        else:
            clip = read_clip(path, seconds)
            rows.append((f"{clip.name}, hann 1024/{hop}", clip, gl.STFT(1024, hop)))
    return rows


def measure(clip, geometry, lookahead: int, n_iter: int, repeat: int) -> tuple[float, list[float], list[float]]:
    """The spectral convergence (dB) of ``gl.rtisila``'s result, and the wall time and the
    process's CPU time of each of ``repeat`` runs (the CPU time is less inflated by other jobs)."""
    import gl

    S = np.abs(geometry.stft(clip.signal))
    wall_times, cpu_times = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        y = gl.rtisila(S, geometry=geometry, lookahead=lookahead, n_iter_per_frame=n_iter)
        wall_times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return float(gl.metrics.spectral_convergence_db(S, geometry.stft(y))), wall_times, cpu_times


def at_defaults(label: str, clip, geometry) -> dict:
    """``gl.rtisila`` with its defaults on ``clip``: the default output length and the recording's."""
    import gl

    module = importlib.import_module("gl.rtisila")  # (gl.rtisila is the function)
    S = np.abs(geometry.stft(clip.signal))
    y = gl.rtisila(S, geometry=geometry)
    y_recording = gl.rtisila(S, geometry=geometry, length=clip.signal.size)
    return {"label": label, "stft": repr(geometry), "lookahead": module.default_lookahead(geometry), "n_iter_per_frame": 5,
            "output_samples": int(y.size), "sc_db": float(gl.metrics.spectral_convergence_db(S, geometry.stft(y))),
            "recording_samples": int(clip.signal.size),
            "sc_db_recording_length": float(gl.metrics.spectral_convergence_db(S, geometry.stft(y_recording)))}


def table_head(columns: list[dict]) -> str:
    return ("| clip | " + " | ".join(f"L={c['lookahead']}, {c['n_iter_per_frame']} it: dB (s/s)" for c in columns) + " |\n"
            + "|---|" + "---|" * len(columns))


def table_row(row: dict) -> str:
    return (f"| {row['label']} | "
            + " | ".join(f"{db:.1f} ({rate:.3f})" for db, rate in zip(row["sc_db"], row["seconds_per_second"])) + " |")


def mean_row(dev_mean_db: list[float]) -> str:
    return "| dev mean (dB) | " + " | ".join(f"{v:.1f}" for v in dev_mean_db) + " |"


def markdown_table(result: dict) -> str:
    """The script's table: every row, then the dev mean."""
    return "\n".join([table_head(result["columns"])] + [table_row(row) for row in result["rows"]]
                     + [mean_row(result["dev_mean_db"])])


def defaults_table(result: dict) -> str:
    """Greasy at ``gl.rtisila``'s defaults, with the default output length and the recording's."""
    lines = ["| clip | look-ahead | it per frame | dB (output samples) | dB at the recording's length (samples) |",
             "|---|---|---|---|---|"]
    for d in result["defaults"]:
        lines.append(f"| {d['label']} | {d['lookahead']} | {d['n_iter_per_frame']} | {d['sc_db']:.1f} ({d['output_samples']}) | "
                     f"{d['sc_db_recording_length']:.1f} ({d['recording_samples']}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-iter", nargs="+", type=_non_negative_int, default=[5, 20])
    parser.add_argument("--lookahead", nargs="+", type=_non_negative_int, default=[0, 1, 3])
    parser.add_argument("--seconds", type=_positive_float, default=10.0, help="the first seconds of each dev clip")
    parser.add_argument("--repeat", type=_positive_int, default=1, help="timed runs of each cell (the median is kept)")
    parser.add_argument("--hop", type=_positive_int, default=256, help="the dev clips' hop (Hann 1024), at most 1024")
    parser.add_argument("--newest-window", choices=("rule", "v", "dual"), default="rule",
                        help="the newest frame's window: gl's rule, v = sum w[k - i a] or phaseret's v / D everywhere")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args()
    if args.hop > 1024:
        parser.error(f"--hop {args.hop} must be at most the window's 1024 samples")
    try:
        rows_to_run = cases(args.hop, args.seconds)
    except FileNotFoundError as error:
        raise SystemExit(f"bench_rtisila.py: error: {error}") from None
    import gl

    module = importlib.import_module("gl.rtisila")  # (gl.rtisila is the function)
    rule = module.uses_dual_windows
    columns = [{"lookahead": L, "n_iter_per_frame": n} for L in args.lookahead for n in args.n_iter]
    start = time.perf_counter()
    rows = []
    try:
        if args.newest_window != "rule":
            module.uses_dual_windows = lambda *_: args.newest_window == "dual"
        greasy = rows_to_run[0][1]
        gl.rtisila(np.abs(gl.STFT(1024, 256).stft(greasy.signal)), n_fft=1024, hop_length=256)  # warm-up
        print(table_head(columns))
        for label, clip, geometry in rows_to_run:
            row = {"label": label, "clip": clip.name, "dev": is_dev(clip.name), "sr": clip.sr,
                   "signal_seconds": clip.signal.size / clip.sr, "stft": repr(geometry), "sc_db": [],
                   "seconds_per_second": [], "cpu_seconds_per_second": [], "wall_seconds_per_run": [], "cpu_seconds_per_run": []}
            for column in columns:
                sc, wall_times, cpu_times = measure(clip, geometry, column["lookahead"], column["n_iter_per_frame"], args.repeat)
                row["sc_db"].append(sc)
                row["seconds_per_second"].append(float(np.median(wall_times)) / row["signal_seconds"])
                row["cpu_seconds_per_second"].append(float(np.median(cpu_times)) / row["signal_seconds"])
                row["wall_seconds_per_run"].append(wall_times)
                row["cpu_seconds_per_run"].append(cpu_times)
            rows.append(row)
            print(table_row(row), flush=True)
        defaults = [at_defaults(label, clip, geometry) for label, clip, geometry in rows_to_run if clip.name == "greasy"]
    finally:
        module.uses_dual_windows = rule
    dev_mean_db = [float(np.mean([row["sc_db"][k] for row in rows if row["dev"]])) for k in range(len(columns))]
    print(mean_row(dev_mean_db))
    result = {"seconds": args.seconds, "hop": args.hop, "newest_window": args.newest_window, "repeat": args.repeat,
              "columns": columns, "rows": rows, "dev_mean_db": dev_mean_db, "defaults": defaults}
    print("\n" + defaults_table(result))
    env = environment()
    env["command"] = script_command("benchmarks/bench_rtisila.py", parser, args)  # with its path, as the others
    result.update(command=env["command"], wall_seconds=time.perf_counter() - start, environment=env)
    print(f"\nsaved {save('rtisila', result, args.out)}")


if __name__ == "__main__":
    main()
