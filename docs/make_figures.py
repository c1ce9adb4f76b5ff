"""Draw the tutorial's figures (``docs/figures/*.png``) from real recordings.

Run from anywhere::

    python docs/make_figures.py            # all figures (under a minute)
    python docs/make_figures.py convergence pghi_phase   # only some

The audio is the shared corpus (``../shared/corpus`` from the repository, or the folder
in ``$GL_SHARED``): the CMU ARCTIC sentence ``dev/d01_speech_arctic-slt_16k.flac`` for
speech and the tabla loop ``dev/d03_music_tabla_44k.flac`` for music. Without the corpus
the script falls back to the recording shipped in ``gl/data/`` (the same ARCTIC voice),
so every figure can still be drawn. Every number printed in a figure is computed here;
the script also prints them. Needs matplotlib (``pip install ".[plot]"``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

import gl
from gl.metrics import spectral_convergence_db

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
FIGURES = DOCS / "figures"
SHARED = Path(os.environ.get("GL_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
DPI = 100

# The tutorial's geometry for 16 kHz audio: 64 ms Hann windows, 75 % overlap.
N_FFT = 1024
HOP = 256


def read_mono(path: Path, seconds: float | None = None):
    import soundfile as sf

    data, sr = sf.read(str(path), dtype="float64", always_2d=True)
    x = data.mean(axis=1)
    if seconds is not None:
        x = x[: int(seconds * sr)]
    return x, sr


def speech():
    """(signal, sample rate, label) of the speech recording."""
    path = CORPUS / "dev" / "d01_speech_arctic-slt_16k.flac"
    if not path.exists():
        path = REPO / "gl" / "data" / "arctic_a0009_slt_16k.flac"
    x, sr = read_mono(path)
    return x, sr, f"speech ({path.name})"


def music():
    """The first 3 s of the tabla loop, resampled to 16 kHz by FFT (or the speech if absent)."""
    path = CORPUS / "dev" / "d03_music_tabla_44k.flac"
    if not path.exists():
        return speech()
    x, sr = read_mono(path, seconds=3.0)
    target = 16000
    n_out = int(round(len(x) * target / sr))
    spectrum = np.fft.rfft(x)
    x16 = np.fft.irfft(spectrum[: n_out // 2 + 1], n=n_out) * (n_out / len(x))
    return x16, target, f"music ({path.name}, 3 s at 16 kHz)"


def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    pyplot.rcParams.update({"font.size": 9, "axes.titlesize": 9, "figure.dpi": DPI})
    return pyplot


def save(figure, name: str) -> None:
    FIGURES.mkdir(exist_ok=True)
    path = FIGURES / f"{name}.png"
    figure.savefig(path, dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    # a 256-colour palette keeps a spectrogram image at a fraction of its RGBA size
    from PIL import Image

    with Image.open(path) as image:
        paletted = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    paletted.save(path, optimize=True)
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} KB)")


def show_db(axis, S, sr, hop, title, floor_db=-80.0):
    db = 20 * np.log10(np.maximum(S, 1e-10))
    top = db.max()
    extent = (0, S.shape[1] * hop / sr, 0, sr / 2000)
    image = axis.imshow(db, origin="lower", aspect="auto", extent=extent, vmin=top + floor_db, vmax=top, cmap="magma", interpolation="nearest")
    axis.set_title(title)
    axis.set_xlabel("time (s)")
    axis.set_ylabel("frequency (kHz)")
    return image


def figure_spectrograms():
    """Original speech vs random phase, GLA and FGLA reconstructions (100 iterations)."""
    pyplot = plt()
    x, sr, label = speech()
    geometry = gl.STFT(n_fft=N_FFT, hop_length=HOP)
    S = np.abs(geometry.stft(x))
    panels = [("original", S)]
    y0, info0 = gl.griffinlim(S, geometry=geometry, method="gla", n_iter=0, rng=0, return_info=True, length=len(x))
    panels.append((f"random phase, no iteration: {float(spectral_convergence_db(S, geometry.stft(y0))):.1f} dB", np.abs(geometry.stft(y0))))
    for method in ("gla", "fgla"):
        y, info = gl.griffinlim(S, geometry=geometry, method=method, n_iter=100, rng=0, return_info=True, length=len(x))
        panels.append((f"{method.upper()}, 100 iterations: {float(info.final_db):.1f} dB", np.abs(geometry.stft(y))))
        print(f"spectrograms: {method} 100 iterations {float(info.final_db):.2f} dB")
    figure, axes = pyplot.subplots(2, 2, figsize=(9, 5.2), sharex=True, sharey=True)
    for axis, (title, magnitude) in zip(axes.flat, panels):
        image = show_db(axis, magnitude, sr, HOP, title)
    for axis in axes[0]:
        axis.set_xlabel("")
    for axis in axes[:, 1]:
        axis.set_ylabel("")
    figure.colorbar(image, ax=axes, label="dB", shrink=0.8)
    figure.suptitle(f"|STFT| of {label}, Hann {N_FFT}, hop {HOP}; spectral convergence in each title", fontsize=9)
    save(figure, "spectrograms")
    pyplot.close(figure)


def figure_convergence():
    """Spectral convergence against iterations for every iterative method, speech and music."""
    pyplot = plt()
    runs = [
        ("GLA", "gla", {}, "random"),
        ("FGLA", "fgla", {}, "random"),
        ("AGLA", "agla", {}, "random"),
        ("RAAR", "raar", {}, "random"),
        ("ADMM", "admm", {}, "random"),
        ("DM", "dm", {}, "random"),
        ("DM then FGLA", "dm_fgla", {}, "random"),
        ("PGHI + FGLA", "fgla", {}, "pghi"),
        ("PGHI + DM then FGLA", "dm_fgla", {}, "pghi"),
    ]
    n_iter = 200
    figure, axes = pyplot.subplots(1, 2, figsize=(10, 4.4), sharey=True)
    for axis, (x, sr, label) in zip(axes, (speech(), music())):
        geometry = gl.STFT(n_fft=N_FFT, hop_length=HOP)
        S = np.abs(geometry.stft(x))
        for name, method, options, init in runs:
            _, info = gl.reconstruct(S, method=method, n_iter=n_iter, init=init, rng=0, geometry=geometry, return_info=True, length=len(x), **options)
            curve = info.spectral_convergence_db
            axis.plot(np.arange(1, len(curve) + 1), curve, label=f"{name} ({float(curve[-1]):.1f})", lw=1.2, ls="--" if init == "pghi" else "-", color=None if init == "random" else ("C9" if method == "fgla" else "k"))
            print(f"convergence: {label}: {name} after {n_iter}: {float(curve[-1]):.2f} dB, after 20: {float(curve[19]):.2f} dB")
        for name, method in (("PGHI alone", "pghi"), ("SPSI alone", "spsi")):
            _, info = gl.reconstruct(S, method=method, rng=0, geometry=geometry, return_info=True, length=len(x))
            axis.axhline(float(info.final_db), color="gray", lw=0.8, ls=":" if method == "pghi" else "-.")
            axis.text(1, float(info.final_db), f"{name} {float(info.final_db):.1f}", ha="left", va="bottom", fontsize=7, color="dimgray", bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))
            print(f"convergence: {label}: {name}: {float(info.final_db):.2f} dB")
        axis.set_xscale("log")
        axis.set_xlabel("iteration")
        axis.set_title(label)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=6.5, loc="upper right", title="final dB", title_fontsize=6.5, framealpha=0.9)
    axes[0].set_ylabel("spectral convergence (dB, lower is better)")
    figure.suptitle(f"Hann {N_FFT}, hop {HOP}, random initial phase (seed 0) unless marked; final dB in the legend", fontsize=9)
    save(figure, "convergence")
    pyplot.close(figure)


def figure_redundancy():
    """FGLA at 50 / 75 / 87.5 % overlap: its own spectral convergence vs a finer grid's."""
    pyplot = plt()
    x, sr, label = speech()
    reference = gl.STFT(n_fft=N_FFT, hop_length=N_FFT // 16)
    S_reference = np.abs(reference.stft(x))
    figure, axes = pyplot.subplots(1, 2, figsize=(9, 3.4))
    own, fine, names = [], [], []
    for hop in (N_FFT // 2, N_FFT // 4, N_FFT // 8):
        geometry = gl.STFT(n_fft=N_FFT, hop_length=hop)
        S = np.abs(geometry.stft(x))
        y, info = gl.griffinlim(S, geometry=geometry, n_iter=200, rng=0, return_info=True, length=len(x))
        overlap = 100 * (1 - hop / N_FFT)
        name = f"{overlap:g} % (hop {hop})"
        axes[0].plot(np.arange(1, 201), info.spectral_convergence_db, label=name)
        names.append(f"{overlap:g} %")
        own.append(float(info.final_db))
        fine.append(float(spectral_convergence_db(S_reference, reference.stft(y))))
        print(f"redundancy: {name}: own grid {own[-1]:.2f} dB, hop-{reference.hop_length} grid {fine[-1]:.2f} dB")
    axes[0].set_xscale("log")
    axes[0].set_xlabel("iteration")
    axes[0].set_ylabel("spectral convergence on its own grid (dB)")
    axes[0].set_title("FGLA: each run fits its own magnitude")
    axes[0].legend(fontsize=8)
    axes[0].grid(alpha=0.3)
    positions = np.arange(len(names))
    axes[1].bar(positions - 0.2, own, 0.4, label="on its own grid")
    axes[1].bar(positions + 0.2, fine, 0.4, label=f"on a hop-{reference.hop_length} grid (93.75 %)")
    for position, a, b in zip(positions, own, fine):
        axes[1].text(position - 0.2, a + 1, f"{a:.1f}", ha="center", va="bottom", fontsize=7, color="white")
        axes[1].text(position + 0.2, b + 1, f"{b:.1f}", ha="center", va="bottom", fontsize=7, color="white")
    axes[1].set_ylim(min(own + fine) - 14, 0)
    axes[1].set_xticks(positions, names)
    axes[1].set_xlabel("overlap")
    axes[1].set_ylabel("spectral convergence (dB)")
    axes[1].set_title("...but only with enough overlap is it the right signal")
    axes[1].legend(fontsize=8, loc="lower right")
    figure.suptitle(f"{label}, Hann {N_FFT}, FGLA 200 iterations (seed 0)", fontsize=9, y=1.03)
    save(figure, "redundancy")
    pyplot.close(figure)


def figure_pghi_phase():
    """True phase vs PGHI's phase on a zoom of the speech: equal up to one constant per partial."""
    import importlib

    pghi_module = importlib.import_module("gl.pghi")
    pyplot = plt()
    x, sr, label = speech()
    geometry = gl.STFT(n_fft=N_FFT, hop_length=HOP)
    X = geometry.stft(x)  # (n_freq, n_frames), phase referenced to the frame start
    S = np.abs(X)
    M, a = N_FFT, HOP
    bins = np.arange(geometry.n_freq)[:, None]
    # window-centred phase, the convention PGHI integrates in: phi_c = phi_gl + 2 pi m c / M
    shift = np.exp(2j * np.pi * bins * pghi_module.window_centre(geometry) / M)
    true_phase = np.angle(X * shift)
    y, phase, info = gl.pghi(S, geometry=geometry, rng=0, length=len(x), return_info=True, return_phase=True)
    pghi_phase = np.angle(np.exp(1j * phase) * shift)
    difference = np.angle(np.exp(1j * (true_phase - pghi_phase)))
    strong = 20 * np.log10(np.maximum(S, 1e-12) / S.max()) > -40
    frames = slice(int(0.30 * sr / a), int(0.95 * sr / a))
    top = int(1500 * M / sr)
    extent = (frames.start * a / sr, frames.stop * a / sr, 0, top * sr / M / 1000)
    options = dict(origin="lower", aspect="auto", extent=extent, cmap="hsv", vmin=-np.pi, vmax=np.pi, interpolation="nearest")
    panels = [
        ("true phase\n(window-centred)", true_phase),
        (f"PGHI's phase, from |X| alone\n(spectral convergence {float(info.final_db):.1f} dB)", pghi_phase),
        ("true minus PGHI:\nabout one constant per partial", difference),
    ]
    figure, axes = pyplot.subplots(1, 3, figsize=(10, 3.3), sharey=True)
    for axis, (title, values) in zip(axes, panels):
        image = axis.imshow(np.where(strong, values, np.nan)[:top, frames], **options)
        axis.set_title(title)
        axis.set_xlabel("time (s)")
        axis.set_facecolor("black")
    axes[0].set_ylabel("frequency (kHz)")
    figure.colorbar(image, ax=axes, label="radians", shrink=0.85)
    figure.suptitle(f"{label}, Hann {M}, hop {a}: coefficients within 40 dB of the peak (black: below)", fontsize=9, y=1.1)
    print(f"pghi_phase: PGHI alone {float(info.final_db):.2f} dB")
    save(figure, "pghi_phase")
    pyplot.close(figure)


def figure_streaming():
    """Quality against latency: RTISI-LA with 0..3 look-ahead frames, RTPGHI(0) and (1)."""
    pyplot = plt()
    figure, axis = pyplot.subplots(figsize=(6.5, 3.6))
    for (x, sr, label), marker in zip((speech(), music()), ("o", "s")):
        geometry = gl.STFT(n_fft=N_FFT, hop_length=HOP)
        S = np.abs(geometry.stft(x))
        latencies, scores = [], []
        for lookahead in range(0, 4):
            _, info = gl.rtisila(S, geometry=geometry, lookahead=lookahead, n_iter_per_frame=5, return_info=True, length=len(x))
            latency = 1000 * (N_FFT - HOP + lookahead * HOP) / sr
            latencies.append(latency)
            scores.append(float(info.final_db))
            print(f"streaming: {label}: RTISI-LA look-ahead {lookahead}: {scores[-1]:.2f} dB, latency {latency:.0f} ms")
        axis.plot(latencies, scores, marker=marker, label=f"RTISI-LA, 5 it./frame, {label.split(' (')[0]}")
        for lookahead in (0, 1):
            _, info = gl.rtpghi(S, geometry=geometry, lookahead=lookahead, rng=0, return_info=True, length=len(x))
            latency = 1000 * (N_FFT - HOP + lookahead * HOP) / sr
            axis.plot([latency], [float(info.final_db)], marker=marker, color="C3" if marker == "o" else "C4", ls="none", label=f"RTPGHI(0) and (1), {label.split(' (')[0]}" if lookahead == 0 else None)
            axis.annotate("RTPGHI(0), hold" if lookahead == 0 else "RTPGHI(1)", (latency, float(info.final_db)), fontsize=7, xytext=(4, 4), textcoords="offset points")
            print(f"streaming: {label}: RTPGHI({lookahead}): {float(info.final_db):.2f} dB, latency {latency:.0f} ms")
        _, info = gl.griffinlim(S, geometry=geometry, n_iter=100, rng=0, return_info=True, length=len(x))
        axis.axhline(float(info.final_db), color="gray", lw=0.8, ls=":" if marker == "o" else "--", label=f"offline FGLA 100 it., {label.split(' (')[0]}")
    axis.set_xlabel("algorithmic latency (ms) = (M - a + look-ahead x a) / sr")
    axis.set_ylabel("spectral convergence (dB)")
    axis.set_title(f"Streaming: quality against latency (Hann {N_FFT}, hop {HOP}, 16 kHz)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    save(figure, "streaming")
    pyplot.close(figure)


FIGURES_BY_NAME = {
    "spectrograms": figure_spectrograms,
    "convergence": figure_convergence,
    "redundancy": figure_redundancy,
    "pghi_phase": figure_pghi_phase,
    "streaming": figure_streaming,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[]] + list(FIGURES_BY_NAME), help="figures to draw (default: all)")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}: using the recording in gl/data/", file=sys.stderr)
    for name in args.names or list(FIGURES_BY_NAME):
        FIGURES_BY_NAME[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
