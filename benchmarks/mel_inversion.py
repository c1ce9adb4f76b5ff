"""Mel spectrogram -> audio: gl (NumPy NNLS + fast Griffin-Lim) against librosa's mel_to_stft / mel_to_audio.

For each dev-corpus excerpt: the power mel spectrogram ``M = F |X|^2`` (librosa's defaults:
Slaney mel, n_fft 2048 at 22.05/44.1 kHz or 1024 at 16 kHz, hop n_fft / 4, 128 mels),
then

* the linear-magnitude estimate: spectral convergence ``|| S_hat - |X| || / || |X| ||`` in dB
  and time, gl's ``mel_to_stft`` (FISTA, 200 iterations) vs ``librosa.feature.inverse.mel_to_stft``
  (L-BFGS-B), and gl's with its products by ``F`` and ``F^T`` made by BLAS (as before
  2026-11-30) instead of over the filters' bands (``gl.mel._BandProducts``);
* the whole way to audio with the same 32 fast Griffin-Lim iterations (librosa's default):
  spectral convergence of the audio's STFT against the true ``|X|``, and time, gl's
  ``importers.from_mel(...).invert(method="fgla", n_iter=32)`` vs ``librosa.feature.inverse.mel_to_audio``
  (written out as its two steps, so that its Griffin-Lim can be seeded like gl's).

Timings: warm-up first, the two run round-robin, median of ``--repeats``. Run::

    python benchmarks/mel_inversion.py            # prints a Markdown table, writes results/mel_inversion.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.common import (CORPUS, RESULTS, environment, interleaved_times, librosa_seed, record_corpus_file, save,
                               script_command)
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers
from gl.mel import mel_filterbank, mel_to_stft

FILES = [
    ("d01_speech_arctic-slt_16k.flac", 1.0),
    ("d02_speech_alsa-voice_22k.flac", 1.0),
    ("d03_music_tabla_44k.flac", 0.5),
    ("d04_music_band-midi_16k.flac", 1.0),
]


def with_blas_products(function):
    """``function`` run with gl's NNLS products by BLAS instead of over the filters' bands."""
    import gl.mel

    def run():
        band_products = vars(gl.mel._BandProducts)["of"]
        gl.mel._BandProducts.of = classmethod(lambda cls, *arrays: None)  # None: the BLAS products
        try:
            return function()
        finally:
            gl.mel._BandProducts.of = band_products

    return run


def sc_db(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(20 * np.log10(np.linalg.norm(estimate - truth) / np.linalg.norm(truth)))


def markdown_table(rows: list[dict]) -> str:
    """The results as a Markdown table (printed by the script, and in the benchmark report)."""
    lines = ["| file | frames | NNLS SC dB gl / librosa | NNLS s gl / librosa | gl NNLS s with BLAS products | "
             "audio SC dB gl / librosa | audio s gl / librosa |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        blas = row["nnls_seconds"].get("gl_blas_products")  # not in results from before 2026-11-30
        lines.append(
            f"| {row['file']} | {row['frames']} | {row['nnls_sc_db']['gl']:.1f} / {row['nnls_sc_db']['librosa']:.1f} | "
            f"{row['nnls_seconds']['gl']:.2f} / {row['nnls_seconds']['librosa']:.2f} | "
            f"{'-' if blas is None else f'{blas:.2f}'} | "
            f"{row['audio_sc_db']['gl']:.1f} / {row['audio_sc_db']['librosa']:.1f} | "
            f"{row['audio_seconds']['gl']:.2f} / {row['audio_seconds']['librosa']:.2f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    import librosa
    import soundfile as sf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive_float, default=4.0)
    parser.add_argument("--repeats", type=_positive_int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    rows = []
    for name, start in FILES:
        x, sr = sf.read(str(CORPUS / "dev" / name), dtype="float32", always_2d=True)
        record_corpus_file(CORPUS / "dev" / name)
        x = x.mean(axis=1)[int(start * sr) : int((start + args.seconds) * sr)]
        n_fft = 1024 if sr <= 16000 else 2048
        hop = n_fft // 4
        S = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop))  # (n_freq, n_frames) true |X|
        F = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=128)
        M = F @ S**2  # (128, n_frames)
        geometry = gl.STFT(n_fft=n_fft, hop_length=hop)
        results = {}

        def keep(key, function):  # the timed function, which also keeps its last result
            def run():
                results[key] = function()

            return run

        functions = {
            "gl_nnls": keep("gl_nnls", lambda: mel_to_stft(M, filterbank=F, power=2.0)),
            "gl_nnls_blas": keep("gl_nnls_blas", with_blas_products(lambda: mel_to_stft(M, filterbank=F, power=2.0))),
            "librosa_nnls": keep("librosa_nnls", lambda: librosa.feature.inverse.mel_to_stft(M, sr=sr, n_fft=n_fft, power=2.0)),
            # both: the NNLS, then fast Griffin-Lim (momentum 0.99) for 32 iterations from a seeded random phase
            "gl_audio": keep("gl_audio", lambda: gl.importers.from_mel(M, sr=sr, n_fft=n_fft, hop_length=hop, length=len(x))
                             .invert(method="fgla", init="random", n_iter=32, rng=0)),
            # librosa's mel_to_audio is mel_to_stft then griffinlim, but cannot seed the latter: the two steps, seeded
            "librosa_audio": keep("librosa_audio", lambda: librosa.griffinlim(
                librosa.feature.inverse.mel_to_stft(M, sr=sr, n_fft=n_fft, power=2.0), n_iter=32, hop_length=hop,
                length=len(x), **librosa_seed(np.random.default_rng(0)))),
        }  # fmt: skip
        times = interleaved_times(functions, repeats=args.repeats)  # warm-up, then round-robin
        median = {key: float(np.median(values)) for key, values in times.items()}
        rows.append(
            {
                "file": name,
                "sr": sr,
                "n_fft": n_fft,
                "frames": int(S.shape[1]),
                "nnls_sc_db": {"gl": sc_db(results["gl_nnls"], S), "librosa": sc_db(results["librosa_nnls"], S)},
                "nnls_seconds": {"gl": median["gl_nnls"], "gl_blas_products": median["gl_nnls_blas"],
                                 "librosa": median["librosa_nnls"]},
                "nnls_sc_db_blas_products": sc_db(results["gl_nnls_blas"], S),
                "audio_sc_db": {"gl": sc_db(np.abs(geometry.stft(results["gl_audio"])), S),
                                "librosa": sc_db(np.abs(geometry.stft(results["librosa_audio"].astype(np.float32))), S)},
                "audio_seconds": {"gl": median["gl_audio"], "librosa": median["librosa_audio"]},
            }
        )  # fmt: skip

    print(markdown_table(rows))
    env = environment()
    env["command"] = script_command("benchmarks/mel_inversion.py", parser, args)
    path = save("mel_inversion", {"seconds": args.seconds, "repeats": args.repeats, "rows": rows, "environment": env}, args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
