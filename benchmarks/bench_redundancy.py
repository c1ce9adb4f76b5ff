"""Fewer magnitudes than samples: what a close match to the spectrogram says at each hop.

    python benchmarks/bench_redundancy.py [--seconds 3] [--out benchmarks/results]

A frame of ``n_fft`` samples gives ``n_fft // 2 + 1`` magnitudes and moves the next frame on
by ``hop`` samples, so a spectrogram holds about ``(n_fft // 2 + 1) / hop`` magnitudes per
sample of the signal. Below one (scipy's default hop, 7/8 of the segment: 129 for 224) the
magnitudes are fewer than the unknowns, many signals share them, and a reconstruction can
match them very closely while staying far from the recording. The importers warn then
(``gl.importers.LossWarning``), and so do ``gl roundtrip`` and ``gl spectrogram``.

This script takes the first ``--seconds`` of each dev clip through scipy's default window
(Tukey 0.25 of 256, frames not centred, as ``scipy.signal.spectrogram`` makes them) at hops
from 224 (scipy's default) down to 64 (a quarter of the FFT, about two magnitudes a sample),
inverts each with ``gl.Spectrogram.invert`` at its defaults (``rng=0``), and reports:

* the spectral convergence against the magnitudes inverted (dB): what ``gl invert``
  reports;
* the spectral convergence of the result's STFT at a hop of ``n_fft / 8`` (32) against the
  signal's (dB): how close the result is to the recording, which the given magnitudes may
  not pin down; 0 dB is as far as silence;
* the SNR against the signal (dB; the better of the two signs, which phase retrieval
  cannot tell apart).

Means over the clips, the worst in brackets. Prints a Markdown table and saves
``results/redundancy.json``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import CORPUS, RESULTS, environment, read_clip, results_folder, save, script_command
from gl.cli import _positive_float  # the command line's check of a real number

#: scipy.signal.spectrogram's defaults: nperseg 256 of a Tukey 0.25 window
N_FFT = 256
WINDOW = ("tukey", 0.25)
#: from scipy's default (noverlap = nperseg // 8) down to a quarter of the FFT
HOPS = (224, 192, 160, 128, 96, 64)
#: the denser hop the results are also compared at (n_fft / 8)
DENSE_HOP = N_FFT // 8


def measure(x: np.ndarray, hop: int) -> dict:
    """Invert ``|STFT(x)|`` at ``hop`` with gl's defaults; the three measures of the module docstring."""
    import gl
    from gl.metrics import snr, spectral_convergence_db

    geometry = gl.STFT(N_FFT, hop, window=WINDOW, center=False)
    dense = gl.STFT(N_FFT, DENSE_HOP, window=WINDOW, center=False)
    S = np.abs(geometry.stft(x))
    y = gl.Spectrogram(S, geometry, length=len(x)).invert(rng=0)
    return {
        "sc_given_db": float(spectral_convergence_db(S, geometry.stft(y))),
        "sc_dense_db": float(spectral_convergence_db(np.abs(dense.stft(x)), dense.stft(y))),
        "snr_db": float(max(snr(x, y), snr(x, -y))),
    }


def summarize(per_clip: dict) -> dict:
    """Means over the clips, and the worst (largest) dense SC and the worst (smallest) SNR."""
    rows = list(per_clip.values())
    summary = {key: float(np.mean([row[key] for row in rows])) for key in ("sc_given_db", "sc_dense_db", "snr_db")}
    summary["worst_sc_dense_db"] = max(row["sc_dense_db"] for row in rows)
    summary["worst_snr_db"] = min(row["snr_db"] for row in rows)
    return summary


TABLE_HEAD = ("| hop | magnitudes a sample | SC against the magnitudes given (dB) | SC at hop 32 against the recording's "
              "(dB, worst) | SNR (dB, worst) |\n|---|---|---|---|---|")


def markdown_table(rows: list[dict]) -> str:
    return "\n".join([TABLE_HEAD] + [table_row(row) for row in rows])


def table_row(row: dict) -> str:
    clips = row["clips"]
    default = " (scipy's default)" if row["hop"] == HOPS[0] else ""
    return (f"| {row['hop']}{default} | {row['magnitudes_per_sample']:.2f} | {clips['sc_given_db']:.1f} | "
            f"{clips['sc_dense_db']:.1f} ({clips['worst_sc_dense_db']:.1f}) | {clips['snr_db']:.1f} ({clips['worst_snr_db']:.1f}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=_positive_float, default=3.0, help="the first seconds of each clip")
    parser.add_argument("--out", type=results_folder, default=RESULTS)
    args = parser.parse_args()
    clips = {clip.name: clip.signal for clip in (read_clip(path, args.seconds) for path in sorted((CORPUS / "dev").glob("d0*")))}
    rows = []
    print(TABLE_HEAD, flush=True)
    for hop in HOPS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # what the warnings say is what is measured here
            per_clip = {name: measure(x, hop) for name, x in clips.items()}
        rows.append(dict(hop=hop, magnitudes_per_sample=(N_FFT // 2 + 1) / hop, clips=summarize(per_clip), per_clip=per_clip))
        print(table_row(rows[-1]), flush=True)
    env = environment()
    env["command"] = script_command("benchmarks/bench_redundancy.py", parser, args)
    data = dict(environment=env, seconds=args.seconds, n_fft=N_FFT, window=list(WINDOW), dense_hop=DENSE_HOP,
                clips=list(clips), rows=rows)
    print(f"\nsaved {save('redundancy', data, args.out)}")


if __name__ == "__main__":
    main()
