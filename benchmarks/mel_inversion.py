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

All on one BLAS thread (``threadpoolctl``), but gl's NNLS with BLAS products again on two.
Then short inputs, where gl's NNLS makes its products by BLAS (under ``2**16`` bins x
frames): 200 iterations of ``mel_to_stft`` on 20, 32 and 43 frames of 128 mels from d01
(n_fft 1024) and d02 (n_fft 2048), on one BLAS thread and on BLAS's default threads (the
README's advice to set ``OPENBLAS_NUM_THREADS=1`` quotes them; how much the threads cost
depends on what else runs on the cores: the result records the load).

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
from benchmarks.common import (CORPUS, RESULTS, environment, interleaved_times, librosa_seed, record_corpus_file, results_folder,
                               save, script_command)
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers
from gl.mel import mel_filterbank, mel_to_stft

#: Frames of the short inputs (the first of d01 and d02 after ``start``), and their clips.
SHORT_FRAMES = (20, 32, 43)
SHORT_FILES = [("d01_speech_arctic-slt_16k.flac", 1.0), ("d02_speech_alsa-voice_22k.flac", 1.0)]

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


def blas_threads(count, function):
    """``function`` run with BLAS limited to ``count`` threads (None: BLAS's default, all the
    process may use); ``function`` itself if ``threadpoolctl`` is missing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - librosa's scikit-learn brings it
        return function

    def run():
        with threadpool_limits(limits=count, user_api="blas"):
            return function()

    return run


def blas_info() -> list[dict]:
    """The BLAS libraries numpy loaded and their default threads (``threadpoolctl``), [] without it."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return []
    return [{key: info.get(key) for key in ("internal_api", "version", "num_threads")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def read_excerpt(name: str, start: float, seconds: float) -> tuple[np.ndarray, int]:
    """``seconds`` of a dev clip from ``start`` (mono float32), hashed for the result."""
    import soundfile as sf

    x, sr = sf.read(str(CORPUS / "dev" / name), dtype="float32", always_2d=True)
    record_corpus_file(CORPUS / "dev" / name)
    return x.mean(axis=1)[int(start * sr) : int((start + seconds) * sr)], sr


def short_rows(repeats: int) -> list[dict]:
    """200 NNLS iterations on a few frames, on one BLAS thread and on BLAS's default threads."""
    import librosa

    rows = []
    for name, start in SHORT_FILES:
        for frames in SHORT_FRAMES:
            x, sr = read_excerpt(name, start, 60.0)
            n_fft = 1024 if sr <= 16000 else 2048
            hop = n_fft // 4
            S = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop))[:, :frames]  # (n_freq, frames)
            F = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=128)
            M = F @ S**2
            call = lambda: mel_to_stft(M, filterbank=F, power=2.0)  # noqa: E731
            times = interleaved_times({"one": blas_threads(1, call), "default": blas_threads(None, call)}, repeats=repeats)
            median = {key: float(np.median(values)) for key, values in times.items()}
            rows.append({"file": name, "sr": sr, "n_fft": n_fft, "frames": frames, "bins_x_frames": int(S.size),
                         "seconds_one_blas_thread": median["one"], "seconds_default_blas_threads": median["default"],
                         "default_over_one": median["default"] / median["one"]})
    return rows


def short_table(rows: list[dict]) -> str:
    """The short inputs as a Markdown table (printed by the script, and in the benchmark report)."""
    lines = ["| file | n_fft | frames | one BLAS thread (ms) | BLAS's default threads (ms) | default / one |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['file']} | {row['n_fft']} | {row['frames']} | {1e3 * row['seconds_one_blas_thread']:.0f} | "
                     f"{1e3 * row['seconds_default_blas_threads']:.0f} | {row['default_over_one']:.1f}x |")
    return "\n".join(lines)


def sc_db(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(20 * np.log10(np.linalg.norm(estimate - truth) / np.linalg.norm(truth)))


def markdown_table(rows: list[dict]) -> str:
    """The results as a Markdown table (printed by the script, and in the benchmark report)."""
    lines = ["| file | frames | NNLS SC dB gl / librosa | NNLS s gl / librosa | gl NNLS s with BLAS products | "
             "the same, two BLAS threads | audio SC dB gl / librosa | audio s gl / librosa |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        blas = row["nnls_seconds"].get("gl_blas_products")  # not in results from before 2026-11-30
        blas2 = row["nnls_seconds"].get("gl_blas_products_2_threads")  # nor this from before 2026-12-01
        lines.append(
            f"| {row['file']} | {row['frames']} | {row['nnls_sc_db']['gl']:.1f} / {row['nnls_sc_db']['librosa']:.1f} | "
            f"{row['nnls_seconds']['gl']:.2f} / {row['nnls_seconds']['librosa']:.2f} | "
            f"{'-' if blas is None else f'{blas:.2f}'} | {'-' if blas2 is None else f'{blas2:.2f}'} | "
            f"{row['audio_sc_db']['gl']:.1f} / {row['audio_sc_db']['librosa']:.1f} | "
            f"{row['audio_seconds']['gl']:.2f} / {row['audio_seconds']['librosa']:.2f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    import librosa

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive_float, default=4.0)
    parser.add_argument("--repeats", type=_positive_int, default=3)
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    args = parser.parse_args(argv)

    rows = []
    for name, start in FILES:
        x, sr = read_excerpt(name, start, args.seconds)
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
        functions = {key: blas_threads(1, function) for key, function in functions.items()}
        functions["gl_nnls_blas_2"] = blas_threads(2, keep("gl_nnls_blas_2", with_blas_products(
            lambda: mel_to_stft(M, filterbank=F, power=2.0))))
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
                                 "gl_blas_products_2_threads": median["gl_nnls_blas_2"], "librosa": median["librosa_nnls"]},
                "nnls_sc_db_blas_products": sc_db(results["gl_nnls_blas"], S),
                "audio_sc_db": {"gl": sc_db(np.abs(geometry.stft(results["gl_audio"])), S),
                                "librosa": sc_db(np.abs(geometry.stft(results["librosa_audio"].astype(np.float32))), S)},
                "audio_seconds": {"gl": median["gl_audio"], "librosa": median["librosa_audio"]},
            }
        )  # fmt: skip

    print(markdown_table(rows))
    short = short_rows(args.repeats)
    print("\n" + short_table(short))
    env = environment()
    env["command"] = script_command("benchmarks/mel_inversion.py", parser, args)
    path = save("mel_inversion", {"seconds": args.seconds, "repeats": args.repeats, "blas_threads": 1, "blas": blas_info(),
                                  "rows": rows, "short_rows": short, "environment": env}, args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
