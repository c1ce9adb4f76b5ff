"""The two streams side by side: RTISI-LA and RTPGHI, cost and quality at each look-ahead.

    python benchmarks/bench_streaming_cost.py [--seconds 10] [--repeats 5] [--out benchmarks/results]

Runs ``gl.rtisila`` (5 iterations per frame, look-ahead 0 to 3) and ``gl.rtpghi``
(look-ahead 0 and 1, ``rng=0``) over the first ``--seconds`` of each dev clip (channels averaged),
Hann 1024, hop 256, centred: the streams run over the whole spectrogram, one thread. For
each, the seconds of computing per second of audio (the process's CPU time, which other
jobs inflate less than the wall clock; median of ``--repeats`` rounds after a warm-up
round, the streams taking turns within each round) and the spectral convergence of the
result against the spectrogram inverted (dB). The look-ahead is the latency a stream adds,
in frames of one hop. Prints a Markdown table and saves ``results/streaming_cost.json``
(``python -m benchmarks report`` shows it); docs/04 and docs/06 compare the two streams'
costs from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import RESULTS, environment, find_corpus, read_clip, results_folder, save, script_command
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers

GEOMETRY = {"n_fft": 1024, "hop_length": 256, "window": "hann"}

#: The streams compared: (label, method, look-ahead); RTISI-LA with 5 iterations per frame, its default.
STREAMS = [("RTISI-LA", "rtisila", lookahead) for lookahead in range(4)] + [("RTPGHI", "rtpghi", lookahead) for lookahead in (0, 1)]


def run_stream(method: str, lookahead: int, S: np.ndarray, geometry) -> np.ndarray:
    import gl

    if method == "rtisila":
        return gl.rtisila(S, geometry=geometry, lookahead=lookahead, n_iter_per_frame=5)
    return gl.rtpghi(S, geometry=geometry, lookahead=lookahead, rng=0)  # its phase below tol is drawn: seeded, to reproduce


def measure_clip(clip, geometry, repeats: int) -> dict:
    """Each stream's CPU seconds per second of audio (median of ``repeats`` interleaved rounds
    after one warm-up round) and the spectral convergence of its result, on ``clip``."""
    import gl

    S = np.abs(geometry.stft(clip.signal))
    seconds_of_audio = clip.signal.size / clip.sr
    cpu: dict[str, list[float]] = {f"{method}:{lookahead}": [] for _, method, lookahead in STREAMS}
    results = {}
    for round_ in range(repeats + 1):  # round 0 warms up
        for _, method, lookahead in STREAMS:
            start = time.process_time()
            y = run_stream(method, lookahead, S, geometry)
            elapsed = time.process_time() - start
            key = f"{method}:{lookahead}"
            if round_:
                cpu[key].append(elapsed)
            else:
                results[key] = float(gl.metrics.spectral_convergence_db(S, geometry.stft(y)))
    return {
        "clip": clip.name, "signal_seconds": seconds_of_audio,
        "streams": [{"label": label, "method": method, "lookahead": lookahead,
                     "cpu_seconds_per_second": float(np.median(cpu[f"{method}:{lookahead}"])) / seconds_of_audio,
                     "all_cpu_seconds": cpu[f"{method}:{lookahead}"], "sc_db": results[f"{method}:{lookahead}"]}
                    for label, method, lookahead in STREAMS],
    }


def ratio_rtpghi_to_rtisila(row: dict, rtisila_lookahead: int, rtpghi_lookahead: int = 1) -> float:
    """RTPGHI's CPU time over RTISI-LA's on one clip: RTPGHI(1) against RTISI-LA(2), which it
    matches on speech (docs/04), or RTISI-LA(3), its default look-ahead for Hann 1024/256."""
    cost = {(s["method"], s["lookahead"]): s["cpu_seconds_per_second"] for s in row["streams"]}
    return cost[("rtpghi", rtpghi_lookahead)] / cost[("rtisila", rtisila_lookahead)]


def markdown_table(result: dict) -> str:
    columns = [f"{label}({lookahead})" for label, _, lookahead in STREAMS]
    lines = ["| clip | " + " | ".join(columns) + " | RTPGHI(1) / RTISI-LA(2) | RTPGHI(1) / RTISI-LA(3) |",
             "|---|" + "---|" * (len(columns) + 2)]
    for row in result["rows"]:
        cells = [f"{s['sc_db']:.1f} ({s['cpu_seconds_per_second']:.3f})" for s in row["streams"]]
        lines.append(f"| {row['clip']} | " + " | ".join(cells)
                     + f" | {ratio_rtpghi_to_rtisila(row, 2):.2f} | {ratio_rtpghi_to_rtisila(row, 3):.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive_float, default=10.0, help="the first seconds of each dev clip (default 10)")
    parser.add_argument("--repeats", type=_positive_int, default=5, help="timed rounds after the warm-up (default 5)")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    try:
        paths = find_corpus(["dev/*.flac"])
    except FileNotFoundError as error:
        raise SystemExit(f"bench_streaming_cost.py: error: {error}") from None
    import gl

    geometry = gl.STFT(GEOMETRY["n_fft"], GEOMETRY["hop_length"], window=GEOMETRY["window"])
    began = time.perf_counter()
    rows = [measure_clip(read_clip(path, args.seconds), geometry, args.repeats) for path in paths]
    env = environment()
    env["command"] = script_command("benchmarks/bench_streaming_cost.py", parser, args)
    ratios = {}
    for lookahead in (2, 3):
        values = [ratio_rtpghi_to_rtisila(row, lookahead) for row in rows]
        ratios[f"rtpghi1_over_rtisila{lookahead}"] = {"min": min(values), "max": max(values), "median": float(np.median(values))}
    result = {"environment": env, "geometry": dict(GEOMETRY, center=True, pad_mode="constant"), "seconds": args.seconds,
              "repeats": args.repeats, "rows": rows, **ratios, "wall_seconds": time.perf_counter() - began}
    print(markdown_table(result))
    print(f"saved {save('streaming_cost', result, args.out)}")


if __name__ == "__main__":
    main()
