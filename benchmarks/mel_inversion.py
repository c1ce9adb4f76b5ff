"""Mel spectrogram -> audio: gl (NumPy NNLS + fast Griffin-Lim) against librosa's mel_to_stft / mel_to_audio.

For each dev-corpus excerpt: the power mel spectrogram ``M = F |X|^2`` (librosa's defaults:
Slaney mel, n_fft 2048 at 22.05/44.1 kHz or 1024 at 16 kHz, hop n_fft / 4, 128 mels),
then

* the linear-magnitude estimate: spectral convergence ``|| S_hat - |X| || / || |X| ||`` in dB
  and time, gl's ``mel_to_stft`` (FISTA, 200 iterations) vs ``librosa.feature.inverse.mel_to_stft``
  (L-BFGS-B);
* the whole way to audio with the same 32 fast Griffin-Lim iterations (librosa's default):
  spectral convergence of the audio's STFT against the true ``|X|``, and time, gl's
  ``importers.from_mel(...).invert(method="fgla", n_iter=32)`` vs ``librosa.feature.inverse.mel_to_audio``.

Timings: warm-up first, the two run round-robin, median of ``--repeats``. Run::

    python benchmarks/mel_inversion.py            # prints a Markdown table, writes results/mel_inversion.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import gl
from gl.mel import mel_filterbank, mel_to_stft
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "dev"
FILES = [
    ("d01_speech_arctic-slt_16k.flac", 1.0),
    ("d02_speech_alsa-voice_22k.flac", 1.0),
    ("d03_music_tabla_44k.flac", 0.5),
    ("d04_music_band-midi_16k.flac", 1.0),
]


def sc_db(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(20 * np.log10(np.linalg.norm(estimate - truth) / np.linalg.norm(truth)))


def median_time(function, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def main() -> None:
    import librosa
    import soundfile as sf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive_float, default=4.0)
    parser.add_argument("--repeats", type=_positive_int, default=3)
    args = parser.parse_args()

    rows = []
    for name, start in FILES:
        x, sr = sf.read(str(CORPUS / name), dtype="float32", always_2d=True)
        x = x.mean(axis=1)[int(start * sr) : int((start + args.seconds) * sr)]
        n_fft = 1024 if sr <= 16000 else 2048
        hop = n_fft // 4
        S = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop))  # (n_freq, n_frames) true |X|
        F = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=128)
        M = F @ S**2  # (128, n_frames)
        geometry = gl.STFT(n_fft=n_fft, hop_length=hop)

        # warm-up (numba / caches)
        librosa.feature.inverse.mel_to_stft(M[:, :8], sr=sr, n_fft=n_fft)
        mel_to_stft(M[:, :8], filterbank=F)

        t_gl, S_gl = median_time(lambda: mel_to_stft(M, filterbank=F, power=2.0), args.repeats)
        t_lr, S_lr = median_time(lambda: librosa.feature.inverse.mel_to_stft(M, sr=sr, n_fft=n_fft, power=2.0), args.repeats)

        def gl_audio():
            spec = gl.importers.from_mel(M, sr=sr, n_fft=n_fft, hop_length=hop, length=len(x))
            return spec.invert(method="fgla", init="random", n_iter=32, rng=0)  # librosa: FGLA, momentum 0.99, random start

        def librosa_audio():
            return librosa.feature.inverse.mel_to_audio(M, sr=sr, n_fft=n_fft, hop_length=hop, n_iter=32, length=len(x))

        t_gl_audio, y_gl = median_time(gl_audio, args.repeats)
        t_lr_audio, y_lr = median_time(librosa_audio, args.repeats)
        rows.append(
            {
                "file": name,
                "sr": sr,
                "n_fft": n_fft,
                "frames": int(S.shape[1]),
                "nnls_sc_db": {"gl": sc_db(S_gl, S), "librosa": sc_db(S_lr, S)},
                "nnls_seconds": {"gl": t_gl, "librosa": t_lr},
                "audio_sc_db": {"gl": sc_db(np.abs(geometry.stft(y_gl)), S), "librosa": sc_db(np.abs(geometry.stft(y_lr.astype(np.float32))), S)},
                "audio_seconds": {"gl": t_gl_audio, "librosa": t_lr_audio},
            }
        )

    print("| file | frames | NNLS SC dB gl / librosa | NNLS s gl / librosa | audio SC dB gl / librosa | audio s gl / librosa |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['file']} | {row['frames']} | {row['nnls_sc_db']['gl']:.1f} / {row['nnls_sc_db']['librosa']:.1f} | "
            f"{row['nnls_seconds']['gl']:.2f} / {row['nnls_seconds']['librosa']:.2f} | "
            f"{row['audio_sc_db']['gl']:.1f} / {row['audio_sc_db']['librosa']:.1f} | "
            f"{row['audio_seconds']['gl']:.2f} / {row['audio_seconds']['librosa']:.2f} |"
        )
    out = HERE / "results" / "mel_inversion.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"seconds": args.seconds, "repeats": args.repeats, "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
