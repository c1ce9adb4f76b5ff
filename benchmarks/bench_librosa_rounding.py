"""How far gl's fast Griffin-Lim lands from librosa's, part by part: which rounding matters.

    python benchmarks/bench_librosa_rounding.py [--clip dev/d02_speech_alsa-voice_22k.flac]
        [--start 'RandomState(0)'] [--iterations 100] [--momentum 0.99]

Issue 2 asks gl's fast Griffin-Lim to equal ``librosa.griffinlim`` within 1e-8 (max abs,
float64, 100 iterations) from the same initial phase. The convergence study finds it within
1e-10 from most starts, but 8.9e-8 on d02 from ``RandomState(0)``'s draw, where librosa
itself, from the same start rotated by 1e-15 rad, moves 1.6e-8. This script asks which
of gl's differences from librosa's arithmetic makes the distance: it runs librosa's loop
written out (``benchmarks.common.librosa_griffinlim_from``, equal to ``librosa.griffinlim``
to the last bit) with one part at a time done as gl does it, the same algebra rounded
another way:

* gl's STFT and least-squares ISTFT (``gl.STFT.stft`` / ``istft``) in librosa's loop;
* librosa's transforms with gl's momentum step, ``t = c + alpha (c - c_prev)`` (librosa
  computes ``c - alpha / (1 + alpha) c_prev``, the same direction);
* librosa's transforms with gl's projection, ``t * (S / (|t| + eps))`` (librosa's
  ``t / (|t| + eps) * S``);
* gl's transforms, momentum and projection on full arrays (the literal form);
* ``gl.griffinlim`` itself (the blocked sweeps, which also sum the overlap-add in another order);
* librosa from the start rotated by 1e-15 rad, its distance to itself.

Each row is the largest ``|y - y_librosa|`` over the signal (and relative to its peak).
If one part were the cause, its row alone would be far and the others near; if every
rounding change lands about as far as the others, the distance is the iteration's
amplification of rounding from that start, which no reordering of gl's arithmetic short of
librosa's own removes. Prints a Markdown table and saves ``results/librosa_rounding.json``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.common import (RESULTS, environment, find_corpus, librosa_griffinlim_from, librosa_seed, librosa_start,
                               read_clip, results_folder, save, script_command)
from gl.cli import _positive_int  # the command line's checks of numbers

#: The convergence study's geometry (``benchmarks.convergence.study_clip``).
GEOMETRY = dict(n_fft=1024, hop_length=256, window="hann")

#: The rotation of the start for librosa's distance to itself, as in the convergence study.
SELF_ROTATION = 1e-15


_START = re.compile(r"(RandomState|default_rng)\((\d+)\)")


def start_text(text: str) -> str:
    """``--start``'s check: 'RandomState(0)' or 'default_rng(3)', as the convergence study names its starts."""
    if _START.fullmatch(text.strip()) is None:
        raise argparse.ArgumentTypeError(f"{text!r} must be RandomState(N) or default_rng(N), N a whole number >= 0")
    return text.strip()


def start_generator(text: str):
    """A function that makes the generator ``text`` names afresh (each use draws the same phases)."""
    match = _START.fullmatch(text)
    assert match is not None
    kind, seed = match[1], int(match[2])
    return lambda: np.random.RandomState(seed) if kind == "RandomState" else np.random.default_rng(seed)


def rows_for(S: np.ndarray, geometry: gl.STFT, length: int, n_iter: int, momentum: float, draw) -> tuple[list[dict], float]:
    """Each variant's distance to ``librosa.griffinlim`` (and to ``gl.griffinlim``), and librosa's peak."""
    import librosa

    reference = librosa.griffinlim(
        S, n_iter=n_iter, hop_length=geometry.hop_length, win_length=geometry.n_fft, n_fft=geometry.n_fft,
        window=np.array(geometry.window_array), center=geometry.center, pad_mode=geometry.pad_mode, length=length,
        momentum=momentum, init="random", **librosa_seed(draw()))
    ours = gl.griffinlim(S, geometry=geometry, n_iter=n_iter, momentum=momentum, rng=draw(), length=length)
    start = librosa_start(S.shape, draw())
    variants = {
        "librosa's loop written out (the control: must be 0)": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start, momentum),
        "gl's STFT and ISTFT in librosa's loop": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start, momentum, transforms="gl"),
        "librosa's transforms, gl's momentum step": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start, momentum, update="gl-momentum"),
        "librosa's transforms, gl's projection": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start, momentum, update="gl-projection"),
        "gl's transforms, momentum and projection (full arrays)": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start, momentum, transforms="gl", update="gl"),
        "gl.griffinlim (blocked sweeps)": lambda: ours,
        f"librosa from the start rotated by {SELF_ROTATION:g} rad": lambda: librosa_griffinlim_from(
            S, geometry, length, n_iter, start * np.exp(1j * SELF_ROTATION), momentum),
    }
    peak = float(np.max(np.abs(reference)))
    rows = []
    for name, run in variants.items():
        y = run()
        rows.append({"variant": name, "max_abs_to_librosa": float(np.max(np.abs(y - reference))),
                     "max_abs_to_gl": float(np.max(np.abs(y - ours)))})
    return rows, peak


def markdown_table(result: dict) -> str:
    lines = [f"From `{result['start']}`'s draw on {result['clip']}, {result['iterations']} iterations, momentum "
             f"{result['momentum']} (librosa's peak {result['librosa_peak']:.3f}):", "",
             "| variant | max abs to librosa | relative to its peak | max abs to gl.griffinlim |", "|---|---|---|---|"]
    for row in result["rows"]:
        lines.append(f"| {row['variant']} | {row['max_abs_to_librosa']:.2e} | "
                     f"{row['max_abs_to_librosa'] / result['librosa_peak']:.2e} | {row['max_abs_to_gl']:.2e} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="dev/d02_speech_alsa-voice_22k.flac",
                        help="audio file, under the corpus or a path (default the study's worst case, d02)")
    parser.add_argument("--start", type=start_text, default="RandomState(0)", metavar="DRAW",
                        help="the initial phase's generator, RandomState(N) or default_rng(N) (default RandomState(0))")
    parser.add_argument("--iterations", type=_positive_int, default=100, help="iterations (issue 2's 100)")
    parser.add_argument("--momentum", type=float, default=0.99, help="fast Griffin-Lim's momentum (librosa's default 0.99)")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)
    if not 0 <= args.momentum <= 1:
        parser.error(f"argument --momentum: {args.momentum} must be between 0 and 1")
    try:
        paths = find_corpus([args.clip])
    except FileNotFoundError as error:
        raise SystemExit(f"bench_librosa_rounding.py: error: {str(error).replace('--corpus', '--clip')}") from None
    if len(paths) != 1:
        raise SystemExit(f"bench_librosa_rounding.py: error: --clip {args.clip!r} matches {len(paths)} files; give one")
    (path,) = paths
    clip = read_clip(path)
    geometry = gl.STFT(GEOMETRY["n_fft"], GEOMETRY["hop_length"], window=GEOMETRY["window"])
    S = np.abs(geometry.stft(clip.signal))
    began = time.perf_counter()
    rows, peak = rows_for(S, geometry, len(clip.signal), args.iterations, args.momentum, start_generator(args.start))
    env = environment()
    env["command"] = script_command("benchmarks/bench_librosa_rounding.py", parser, args)
    result = {"environment": env, "geometry": dict(GEOMETRY, center=True, pad_mode="constant"), "clip": clip.name,
              "start": args.start, "iterations": args.iterations, "momentum": args.momentum, "librosa_peak": peak,
              "rows": rows, "wall_seconds": time.perf_counter() - began}
    print(markdown_table(result))
    print(f"saved {save('librosa_rounding', result, args.out)}")


if __name__ == "__main__":
    main()
