"""Long-input path (gl.reconstruct_long): peak memory and time for an hour, quality cost.

    python benchmarks/bench_longform.py hour [--n-iter 10] [--trace] [--workdir /tmp/gl_hour] [--out benchmarks/results]
    python benchmarks/bench_longform.py quality [--n-iter 100] [--out benchmarks/results]
    python benchmarks/bench_longform.py synthetic-quality [--seconds 300] [--n-iter 100] [--out benchmarks/results]
    python benchmarks/bench_longform.py last-block [--out benchmarks/results]
    python benchmarks/bench_longform.py low-overlap [--seconds 20] [--out benchmarks/results]

``hour``: synthesises one hour of 44.1 kHz audio (a mix of noisy chirps and tones) into a
float32 file, computes its magnitude spectrogram (n_fft 2048, hop 512, Hann, centred)
block by block into a frame-major float32 file, then inverts it with
``gl.reconstruct_long`` in a child process that reads the spectrogram one block at a
time and writes a FLOAT wav block by block. Reports the child's wall time, its peak RSS
(its ``VmHWM`` since its exec: the maximum resident set size ``/usr/bin/time -v`` reports
for the same command run alone; Linux), the peak of numpy's allocations (``tracemalloc``, with ``--trace``) and the
spectral convergence of the written file against the spectrogram (a block of frames at a
time); prints a Markdown table, saves ``results/longform_hour.json``.

``quality``: spectral convergence of ``reconstruct_long`` with small blocks against the
one-shot ``gl.reconstruct`` on dev clips, FGLA, same seed; prints a Markdown table, saves
``results/longform_quality.json`` (with the SHA-256 of the clips read). ``synthetic-quality``: the
same with the default 30 s blocks on ``--seconds`` of the synthetic signal (synthesised
afresh; the result records its SHA-256), timed as well; saves
``results/longform_synthetic_quality.json``. ``last-block``: the default
method in blocks where the greedy plan (full blocks while they fit) would leave the last
block fewer new frames than the overlap, with that plan and with gl's (the rest cut into
two inversions of the same size): docs/04's harmonic voice and a chirp at 9 such lengths
each, and the dev clips (native length and tiled to 16 s) in every such layout of 150/32,
300/32 and 600/64 frames; prints a Markdown table, saves ``results/last_block.json``.
``low-overlap``: windows that barely overlap (``gl.STFT.low_overlap``, scipy's
``window='hann'`` at its default overlap), in blocks of 300 frames sharing 32: the dev
clips tiled to ``--seconds`` and a 440 Hz sine, frames not centred, gl's default method,
``reconstruct_long`` with ``floor_between_frames`` False, True and None (gl's rule, block
by block) against ``Spectrogram.invert`` in one call; the spectral convergence at a hop of
``n_fft / 8`` against the signal's (what the given spectrogram does not show), the level
and the peak (``benchmarks/bench_low_overlap.py`` has the measures); prints a Markdown
table, saves ``results/longform_low_overlap.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import numpy as np

if __package__ in (None, ""):  # run as a script: this checkout's gl, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gl.cli import _non_negative_int, _positive_float, _positive_int  # the command line's checks of numbers
from benchmarks.common import results_folder

SR = 44100
N_FFT, HOP = 2048, 512


class FrameFile:
    """A frame-major float32 file (n_frames, n_freq) seen as S (n_freq, n_frames), read by slices."""

    def __init__(self, path: str, n_freq: int):
        self.path = path
        self.n_freq = n_freq
        size = os.path.getsize(path)
        self.n_frames = size // (4 * n_freq)
        self.shape = (n_freq, self.n_frames)
        self.dtype = np.dtype(np.float32)

    def __getitem__(self, key):
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] is Ellipsis and isinstance(key[1], slice)):
            raise IndexError("FrameFile supports S[..., first:last] only")
        first, last, _ = key[1].indices(self.n_frames)
        with open(self.path, "rb") as handle:
            handle.seek(first * self.n_freq * 4)
            block = np.fromfile(handle, dtype=np.float32, count=(last - first) * self.n_freq)
        return block.reshape(last - first, self.n_freq).T


def synthesise(path: Path, seconds: float, chunk_seconds: float = 60.0) -> int:
    """A music-like test signal: two gliding tones with harmonics, a steady chord, noise."""
    n_total = int(seconds * SR)
    chunk = int(chunk_seconds * SR)
    with open(path, "wb") as handle:
        for start in range(0, n_total, chunk):
            n = np.arange(start, min(start + chunk, n_total))
            t = n / SR
            rng = np.random.default_rng(start)
            glide = 220 * 2 ** (np.sin(2 * np.pi * t / 17.0))  # slow vibrato-like glide
            phase = 2 * np.pi * np.cumsum(glide) / SR + 2 * np.pi * 220 * start / SR
            x = 0.3 * np.sin(phase) + 0.1 * np.sin(2 * phase) + 0.05 * np.sin(3 * phase)
            chirp_f = 500 + 3000 * ((t % 7.0) / 7.0)  # a chirp rising every 7 s
            x += 0.15 * np.sin(2 * np.pi * np.cumsum(chirp_f) / SR) * (0.5 + 0.5 * np.cos(2 * np.pi * t / 7.0))
            for f in (330.0, 415.3, 493.9):
                x += 0.08 * np.sin(2 * np.pi * f * t)
            x += 0.02 * rng.standard_normal(len(n))
            handle.write(x.astype(np.float32).tobytes())
    return n_total


def spectrogram_to_file(signal_path: Path, n_samples: int, out_path: Path, block: int = 4096) -> int:
    """|STFT| of the signal file (centred, zero padding) in blocks of frames, frame-major."""
    import gl

    geometry = gl.STFT(N_FFT, HOP)
    flat = geometry.replace(center=False)
    signal = np.memmap(signal_path, dtype=np.float32, mode="r", shape=(n_samples,))
    pad = geometry.pad
    n_frames = geometry.n_frames(n_samples)
    with open(out_path, "wb") as handle:
        for first in range(0, n_frames, block):
            last = min(first + block, n_frames)
            lo, hi = first * HOP - pad, (last - 1) * HOP + N_FFT - pad  # signal samples of these frames
            segment = np.zeros(hi - lo, dtype=np.float32)
            a, b = max(lo, 0), min(hi, n_samples)
            segment[a - lo : b - lo] = signal[a:b]
            S = np.abs(flat.stft(segment))  # (n_freq, last - first)
            handle.write(np.ascontiguousarray(S.T, dtype=np.float32).tobytes())
    del signal
    return n_frames


def child(args) -> None:
    """Runs in the child process: invert and report."""
    import tracemalloc

    import gl

    if args.trace:
        tracemalloc.start()
    S = FrameFile(args.spectrogram, N_FFT // 2 + 1)
    start = time.perf_counter()
    written = gl.reconstruct_long(
        S, method="fgla", n_iter=args.n_iter, rng=0, n_fft=N_FFT, hop_length=HOP, sr=SR,
        output=args.output, force=True, n_threads=args.threads,  # the run before (or --trace's first) wrote it
    )
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if args.trace else None
    print(json.dumps({"elapsed": elapsed, "written": int(written), "n_frames": S.n_frames, "tracemalloc_peak": peak,
                      "vm_hwm_kib": _own_peak_rss_kib()}))


def _own_peak_rss_kib() -> Optional[int]:
    """This process's peak resident set size since its exec (``VmHWM`` of /proc/self/status, in
    KiB; None where there is no /proc). Not ``getrusage``: its ``ru_maxrss`` keeps the peak of
    the process image before the exec, so a child spawned by a parent holding the hour's
    arrays reported the parent's 0.7 GiB."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return None


def _spectral_convergence_of_file(audio_path: Path, spec_path: Path, workdir: Path) -> float:
    """Spectral convergence (dB) of a written WAV against the spectrogram file it was inverted
    from, a block of frames at a time (the hour's arrays never whole in memory)."""
    import soundfile as sf

    samples_path = workdir / "out.f32"
    with sf.SoundFile(str(audio_path)) as handle, open(samples_path, "wb") as raw:
        n_samples = handle.frames
        for block in handle.blocks(blocksize=SR * 60, dtype="float32"):
            raw.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
    rebuilt_path = workdir / "out_spectrogram.f32"
    spectrogram_to_file(samples_path, n_samples, rebuilt_path)
    target, rebuilt = FrameFile(str(spec_path), N_FFT // 2 + 1), FrameFile(str(rebuilt_path), N_FFT // 2 + 1)
    if rebuilt.n_frames != target.n_frames:
        raise RuntimeError(f"{audio_path} has {rebuilt.n_frames} frames, the spectrogram {target.n_frames}")
    error = energy = 0.0
    for first in range(0, target.n_frames, 4096):
        S = target[..., first : first + 4096].astype(np.float64)
        error += float(np.sum((rebuilt[..., first : first + 4096] - S) ** 2))
        energy += float(np.sum(S**2))
    samples_path.unlink()
    rebuilt_path.unlink()
    return 10 * np.log10(error / energy)


HOUR_HEAD = ("| audio | frames | iterations | tracemalloc | wall (s) | s per audio second | peak RSS (GiB) | numpy peak (MiB) |\n"
             "|---|---|---|---|---|---|---|---|")


def hour_table(result: dict) -> str:
    """The ``hour`` table, from its saved result."""
    lines = [HOUR_HEAD]
    for run in result["runs"]:
        traced = run["tracemalloc_peak_mib"]
        audio = f"{result['seconds'] / 3600:g} h" if result["seconds"] >= 3600 else f"{result['seconds']:g} s"
        lines.append(f"| {audio} at {result['sr']} Hz | {result['n_frames']} | {result['n_iter']} | "
                     f"{'on' if traced is not None else 'off'} | {run['wall_seconds']:.1f} | {run['seconds_per_audio_second']:.3f} | "
                     f"{run['peak_rss_gib']:.2f} | {'-' if traced is None else f'{traced:.0f}'} |")
    return "\n".join(lines)


def hour(args, parser) -> None:
    """An hour (``--seconds``) inverted by gl.reconstruct_long in a child process: its wall time,
    peak RSS (and numpy's peak under tracemalloc with ``--trace``), and the spectral
    convergence of the written file; saves ``results/longform_hour.json``."""
    import gl
    import gl.longform
    from benchmarks.common import environment, save, script_command

    env = environment()
    env["command"] = script_command("benchmarks/bench_longform.py hour", parser, args)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    signal_path, spec_path = workdir / "signal.f32", workdir / "spectrogram.f32"
    t0 = time.perf_counter()
    n_samples = synthesise(signal_path, args.seconds)  # afresh: never a file of another length or version
    spectrogram_to_file(signal_path, n_samples, spec_path)
    signal_path.unlink()
    print(f"input ready in {time.perf_counter() - t0:.1f} s: {spec_path} ({spec_path.stat().st_size / 2**30:.2f} GiB)")
    runs = []
    for trace in ([False, True] if args.trace else [False]):
        command = [sys.executable, __file__, "child", "--spectrogram", str(spec_path), "--output",
                   str(workdir / "out.wav"), "--n-iter", str(args.n_iter), "--threads", str(args.threads)]
        if trace:
            command.append("--trace")
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        report = json.loads(result.stdout.strip().splitlines()[-1])
        if report["vm_hwm_kib"] is None:
            raise RuntimeError("the child's peak memory needs /proc/self/status (Linux)")
        peak_rss = report["vm_hwm_kib"]  # the child's own, since its exec
        audio_seconds = report["written"] / SR
        runs.append({"wall_seconds": report["elapsed"], "seconds_per_audio_second": report["elapsed"] / audio_seconds,
                     "peak_rss_gib": peak_rss / 2**20,
                     "tracemalloc_peak_mib": None if report["tracemalloc_peak"] is None else report["tracemalloc_peak"] / 2**20})
        print(
            f"n_iter={args.n_iter} tracemalloc={'on' if trace else 'off'}: {audio_seconds / 3600:.3f} h of audio, "
            f"{report['n_frames']} frames, {report['elapsed']:.1f} s wall "
            f"({report['elapsed'] / audio_seconds * 1000:.2f} ms per audio second), peak RSS {peak_rss / 2**20:.2f} GiB"
            + (f", tracemalloc peak {report['tracemalloc_peak'] / 2**20:.0f} MiB" if trace else "")
        )
    db = _spectral_convergence_of_file(workdir / "out.wav", spec_path, workdir)
    print(f"spectral convergence of the written file: {db:.2f} dB")
    geometry = gl.STFT(N_FFT, HOP)
    block = gl.longform._frames_from(geometry, SR, gl.longform.DEFAULT_BLOCK_SECONDS, "block_seconds")  # as reconstruct_long reads sr=
    data = {"command": env["command"], "method": "fgla", "init": "random", "rng": 0, "n_iter": args.n_iter,
            "threads": args.threads, "geometry": repr(geometry), "magnitude_dtype": "float32",
            "signal": "synthesise(): gliding harmonic tones, a chirp, a chord, noise", "seconds": args.seconds, "sr": SR,
            "n_samples": n_samples, "n_frames": FrameFile(str(spec_path), N_FFT // 2 + 1).n_frames,
            "block_frames": block, "overlap_frames": gl.longform.default_overlap_frames(geometry, SR, block),
            "runs": runs, "spectral_convergence_db": db, "environment": env}
    print(hour_table(data))
    print(f"\nsaved {save('longform_hour', data, args.out)}")


QUALITY_HEAD = "| clip | one-shot (dB) | blocks | long (dB) | cost (dB) |\n|---|---|---|---|---|"


def quality_row(row: dict, block: dict, overlap_frames: int) -> str:
    """A clip's row for one block size: the one-shot SC, the blocks, their SC and the cost."""
    return (f"| {row['clip']} | {row['one_shot_db']:.2f} | {block['block_frames']} frames ({block['block_seconds']:.1f} s), "
            f"overlap {overlap_frames} | {block['db']:.2f} | {block['cost_db']:+.2f} |")


def quality_table(result: dict) -> str:
    """The ``quality`` table, from its saved result."""
    return "\n".join([QUALITY_HEAD] + [quality_row(row, block, result["overlap_frames"])
                                       for row in result["rows"] for block in row["blocks"]])


def quality(args, parser) -> None:
    import gl
    from benchmarks.common import environment, find_corpus, read_clip, save, script_command

    import soundfile as sf

    overlap = 32
    paths = []
    for name in args.clips:  # every clip found and readable, and every block longer than the overlap, before any work
        try:
            paths += find_corpus([f"dev/{name}"])[:1]
        except FileNotFoundError as error:
            parser.error(f"argument --clips: {str(error).replace('--corpus ', '')}")
        sr = sf.info(str(paths[-1])).samplerate
        for block_seconds in args.block_seconds:
            if int(round(block_seconds * sr / HOP)) <= overlap:
                parser.error(f"argument --block-seconds: {block_seconds:g} s is {int(round(block_seconds * sr / HOP))} frames of "
                             f"{name} ({sr} Hz, hop {HOP}); a block must be longer than the overlap of {overlap} frames")
    geometry = gl.STFT(N_FFT, HOP)
    env = environment()
    env["command"] = script_command("benchmarks/bench_longform.py quality", parser, args)
    start = time.perf_counter()
    rows = []
    print(QUALITY_HEAD)
    for name, path in zip(args.clips, paths):
        clip = read_clip(path)  # (hashed: the result records the file's SHA-256)
        x, sr = clip.signal, clip.sr
        S = np.abs(geometry.stft(x)).astype(np.float32)
        one = gl.reconstruct(S, method="fgla", n_iter=args.n_iter, rng=0, geometry=geometry)
        sc_one = float(gl.metrics.spectral_convergence_db(S, geometry.stft(one)))
        row = {"clip": name, "sr": sr, "seconds": len(x) / sr, "n_frames": int(S.shape[-1]), "one_shot_db": sc_one, "blocks": []}
        rows.append(row)
        for block_seconds in args.block_seconds:
            block = int(round(block_seconds * sr / HOP))
            y = gl.reconstruct_long(S, method="fgla", n_iter=args.n_iter, rng=0, geometry=geometry,
                                    block_frames=block, overlap_frames=overlap)
            sc = float(gl.metrics.spectral_convergence_db(S, geometry.stft(y)))
            row["blocks"].append({"asked_seconds": block_seconds, "block_frames": block, "block_seconds": block * HOP / sr,
                                  "db": sc, "cost_db": sc - sc_one})
            print(quality_row(row, row["blocks"][-1], overlap), flush=True)
    data = {"command": env["command"], "method": "fgla", "init": "random", "rng": 0, "n_iter": args.n_iter,
            "geometry": repr(geometry), "magnitude_dtype": "float32", "overlap_frames": overlap, "rows": rows,
            "wall_seconds": time.perf_counter() - start, "environment": env}
    print(f"\nsaved {save('longform_quality', data, args.out)}")


SYNTHETIC_HEAD = ("| signal | one-shot (dB) | blocks | long (dB) | cost (dB) | one-shot (s) | long (s) |\n"
                  "|---|---|---|---|---|---|---|")


def synthetic_quality_table(result: dict) -> str:
    """The ``synthetic-quality`` table, from its saved result."""
    return "\n".join([SYNTHETIC_HEAD,
                      f"| synthetic mix, {result['seconds']:g} s at {result['sr']} Hz ({result['n_frames']} frames) | "
                      f"{result['one_shot_db']:.2f} | {result['block_frames']} frames ({result['block_frames'] * HOP / result['sr']:.1f} s), "
                      f"overlap {result['overlap_frames']} | {result['long_db']:.2f} | {result['cost_db']:+.2f} | "
                      f"{result['one_shot_seconds']:.1f} | {result['long_seconds']:.1f} |"])


def synthetic_quality(args, parser) -> None:
    """One-shot against the default blocks (30 s, 0.3 s overlap) on a synthetic signal."""
    import hashlib
    import tempfile

    import gl
    import gl.longform
    from benchmarks.common import environment, save, script_command

    geometry = gl.STFT(N_FFT, HOP)
    env = environment()
    env["command"] = script_command("benchmarks/bench_longform.py synthetic-quality", parser, args)
    with tempfile.TemporaryDirectory() as work:  # synthesised afresh: never a file of another length or version
        path = Path(work) / "signal.f32"
        synthesise(path, args.seconds)
        x = np.fromfile(path, dtype=np.float32)
    S = np.abs(geometry.stft(x))  # (1025, n_frames) float32
    start = time.perf_counter()
    one = gl.reconstruct(S, method="fgla", n_iter=args.n_iter, rng=0, geometry=geometry)
    t_one = time.perf_counter() - start
    sc_one = float(gl.metrics.spectral_convergence_db(S, geometry.stft(one)))
    del one
    start = time.perf_counter()
    y = gl.reconstruct_long(S, method="fgla", n_iter=args.n_iter, rng=0, geometry=geometry, sr=SR)
    t_long = time.perf_counter() - start
    sc = float(gl.metrics.spectral_convergence_db(S, geometry.stft(y)))
    block = gl.longform._frames_from(geometry, SR, gl.longform.DEFAULT_BLOCK_SECONDS, "block_seconds")  # as reconstruct_long reads sr=
    overlap = gl.longform.default_overlap_frames(geometry, SR, block)
    data = {"command": env["command"], "method": "fgla", "init": "random", "rng": 0, "n_iter": args.n_iter,
            "geometry": repr(geometry), "magnitude_dtype": S.dtype.name, "signal": "synthesise(): gliding harmonic tones, "
            "a chirp, a chord, noise", "signal_sha256": hashlib.sha256(x.tobytes()).hexdigest(), "seconds": args.seconds,
            "sr": SR, "n_frames": int(S.shape[-1]), "block_seconds": gl.longform.DEFAULT_BLOCK_SECONDS,
            "overlap_seconds": gl.longform.DEFAULT_OVERLAP_SECONDS, "block_frames": block, "overlap_frames": overlap,
            "one_shot_db": sc_one, "long_db": sc, "cost_db": sc - sc_one, "one_shot_seconds": t_one, "long_seconds": t_long,
            "environment": env}
    print(synthetic_quality_table(data))
    print(f"\nsaved {save('longform_synthetic_quality', data, args.out)}")


def greedy_plan(n_frames: int, block_frames: int, overlap_frames: int, geometry, balanced) -> tuple[list, int]:
    """gl's plan before the last two blocks were balanced (for comparison): full blocks while
    the rest with the end margin does not fit, the one before the last ending a frame short.
    ``balanced`` is gl's plan (``gl.longform._block_plan``), which gives the margin."""
    blocks, margin = balanced(n_frames, block_frames, overlap_frames, geometry)
    if not margin:  # no end margin: plan_blocks, the same either way
        return blocks, margin
    blocks = [(0, block_frames - margin)]
    while True:
        first = blocks[-1][1] - overlap_frames
        if n_frames - first + margin <= block_frames:
            return blocks + [(first, n_frames)], margin
        blocks.append((first, min(first + block_frames, n_frames - 1)))


#: The synthetic signals of ``last-block`` (the dev clips' rows are named by their file).
LAST_BLOCK_SIGNALS = ("voice", "chirp")
LAST_BLOCK_HEAD = ("| signal | blocks | greedy last blocks | gl's | greedy (dB) | gl's (dB) | change (dB) |\n"
                   "|---|---|---|---|---|---|---|")


def last_block_row(row: dict) -> str:
    """A case of ``last-block``: the layout, the last two inversions' frames by each plan, their SC."""
    return (f"| {row['signal']} | {row['block_frames']}/{row['overlap_frames']} | {row['greedy_last']} | {row['balanced_last']} "
            f"| {row['greedy_db']:.2f} | {row['balanced_db']:.2f} | {row['balanced_db'] - row['greedy_db']:+.2f} |")


def last_block_summary(rows: list[dict]) -> list[str]:
    """The mean change (gl's plan against the greedy one) over the synthetic cases and over the dev clips'."""
    lines = []
    for group, synthetic in (("synthetic", True), ("dev", False)):
        changes = np.array([r["balanced_db"] - r["greedy_db"] for r in rows
                            if (r["signal"].split()[0] in LAST_BLOCK_SIGNALS) == synthetic])
        if changes.size:
            lines.append(f"{group}: {changes.size} cases, change {changes.mean():+.2f} dB on average, "
                         f"{changes.min():+.2f} to {changes.max():+.2f}")
    return lines


def last_block_table(result: dict) -> str:
    """The ``last-block`` table and its means, from its saved result."""
    return "\n".join([LAST_BLOCK_HEAD] + [last_block_row(row) for row in result["rows"]] + [""]
                     + [f"- {line}" for line in last_block_summary(result["rows"])])


def last_block(args, parser) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import read_audio

    import gl
    import gl.longform
    from benchmarks.common import CORPUS, environment, record_corpus_file, save, script_command

    started = time.perf_counter()

    balanced = gl.longform._block_plan
    greedy = functools.partial(greedy_plan, balanced=balanced)
    sr = 16000
    t_of = lambda n: np.arange(n) / sr  # noqa: E731
    voice_phase = lambda t: 2 * np.pi * np.cumsum(220 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))) / sr  # noqa: E731
    signals = {  # docs/04's harmonic voice (no decay, no noise) and a chirp (LAST_BLOCK_SIGNALS)
        "voice": lambda n: sum(np.sin(k * voice_phase(t_of(n))) / k for k in range(1, 8)),
        "chirp": lambda n: np.sin(2 * np.pi * (200 * t_of(n) + 300 * t_of(n) ** 2)),
    }
    layouts = [(150, 32), (300, 32), (600, 64)]
    cases = []  # (label, x, geometry, block, overlap)
    small = gl.STFT(512, 128)
    draw = np.random.default_rng(1)
    for block, overlap in layouts:
        found = []
        for n_frames in range(block + 50, 6 * block):
            old, new = greedy(n_frames, block, overlap, small)[0], balanced(n_frames, block, overlap, small)[0]
            if old != new and old[-1][1] - old[-1][0] <= overlap + 5 and draw.random() <= 0.25:
                found.append(n_frames)
            if len(found) == 3:
                break
        cases += [(f"{name} {n_frames} frames", make((n_frames - 1) * 128), small, block, overlap)
                  for n_frames in found for name, make in signals.items()]
    large = gl.STFT(1024, 256)
    for path in sorted((CORPUS / "dev").glob("d0*")):
        x, clip_sr = read_audio("dev", path.name)
        record_corpus_file(path)
        for label, signal in (("native", x[: int(30 * clip_sr)]), ("16 s", np.tile(x, -(-16 * clip_sr // len(x)))[: 16 * clip_sr])):
            n_frames = large.n_frames(len(signal))
            cases += [(f"{path.name[:12]} {label}", signal, large, block, overlap) for block, overlap in layouts
                      if n_frames > block and greedy(n_frames, block, overlap, large)[0] != balanced(n_frames, block, overlap, large)[0]]
    rows = []
    print(LAST_BLOCK_HEAD)
    for label, x, geometry, block, overlap in cases:
        S = np.abs(geometry.stft(x))
        result = {}
        for name, plan in (("greedy", greedy), ("balanced", balanced)):
            gl.longform._block_plan = plan
            try:
                y = gl.reconstruct_long(S, geometry=geometry, block_frames=block, overlap_frames=overlap, length=len(x), rng=0)
            finally:
                gl.longform._block_plan = balanced
            sizes = [last - first for first, last in plan(S.shape[-1], block, overlap, geometry)[0][-2:]]
            result[name] = (float(gl.metrics.spectral_convergence_db(S, geometry.stft(y))), sizes)
        rows.append(dict(signal=label, block_frames=block, overlap_frames=overlap, greedy_db=result["greedy"][0],
                         balanced_db=result["balanced"][0], greedy_last=result["greedy"][1], balanced_last=result["balanced"][1]))
        print(last_block_row(rows[-1]), flush=True)
    print("\n" + "\n".join(last_block_summary(rows)))
    env = environment()
    env["command"] = script_command("benchmarks/bench_longform.py last-block", parser, args)
    print(f"\nsaved {save('last_block', dict(environment=env, rows=rows, wall_seconds=time.perf_counter() - started), args.out)}")


LOW_OVERLAP_HEAD = "| geometry | signal | way | SC at hop n_fft/8 (dB) | level (dB) | peak |\n|---|---|---|---|---|---|"


def low_overlap_row(row: dict) -> str:
    """A signal inverted one way in ``low-overlap``: the SC at a dense hop, the level and the peak."""
    return (f"| {row['geometry']} | {row['signal']} | {row['way']} | {row['dense_sc_db']:.1f} | {row['level_db']:+.1f} | "
            f"{row['peak']:.1f}x |")


def low_overlap_means(rows: list[dict]) -> list[str]:
    """Each geometry and way's means over the dev clips (the sine apart), as the notes quote them."""
    lines = []
    for geometry in dict.fromkeys(r["geometry"] for r in rows):
        for way in dict.fromkeys(r["way"] for r in rows if r["geometry"] == geometry):
            picked = [r for r in rows if r["geometry"] == geometry and r["way"] == way and r["signal"].startswith("d0")]
            if picked:
                lines.append(f"{geometry}, {way}: SC at n_fft/8 {np.mean([r['dense_sc_db'] for r in picked]):.1f} dB, "
                             f"level {np.mean([r['level_db'] for r in picked]):+.1f} dB, peaks up to "
                             f"{max(r['peak'] for r in picked):.1f}x")
    return lines


def low_overlap_table(result: dict) -> str:
    """The ``low-overlap`` table and its means over the dev clips, from its saved result."""
    return "\n".join([LOW_OVERLAP_HEAD] + [low_overlap_row(row) for row in result["rows"]]
                     + ["", "Means over the dev clips (the sine apart):", ""]
                     + [f"- {line}" for line in low_overlap_means(result["rows"])])


def low_overlap(args, parser) -> None:
    import warnings

    import gl
    from benchmarks.bench_low_overlap import tones
    from benchmarks.common import CORPUS, environment, read_clip, save, script_command

    started = time.perf_counter()

    signals = {}
    for path in sorted((CORPUS / "dev").glob("d0*")):
        clip = read_clip(path, None)
        x = clip.signal
        signals[path.name[:12]] = np.tile(x, -(-int(args.seconds * clip.sr) // len(x)))[: int(args.seconds * clip.sr)]
    signals["sine 440 Hz"] = tones(seconds=args.seconds)["sine 440 Hz"]
    geometries = {"Hann 256/224": gl.STFT(256, 224, center=False), "Blackman 512/384": gl.STFT(512, 384, window="blackman", center=False)}
    ways = {"reconstruct_long, least squares": False, "reconstruct_long, floor": True, "reconstruct_long, gl's rule": None,
            "Spectrogram.invert, one call": "invert"}
    rows = []
    print(LOW_OVERLAP_HEAD)
    for geometry_label, geometry in geometries.items():
        dense = gl.STFT(geometry.n_fft, geometry.n_fft // 8, window=geometry.window)
        for name, x in signals.items():
            S = np.abs(geometry.stft(x))
            reference = np.abs(dense.stft(x))
            for way, floor in ways.items():
                started = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the low-overlap warning: measured here
                    if floor == "invert":
                        y = gl.Spectrogram(S, geometry, length=len(x)).invert(rng=0)
                    else:
                        y = gl.reconstruct_long(S, geometry=geometry, length=len(x), rng=0, block_frames=300,
                                                overlap_frames=32, floor_between_frames=floor)
                row = dict(geometry=geometry_label, signal=name, way=way, seconds=time.perf_counter() - started,
                           dense_sc_db=float(gl.metrics.spectral_convergence_db(reference, dense.stft(y))),
                           level_db=float(10 * np.log10(np.mean(y**2) / np.mean(x**2))),
                           peak=float(np.max(np.abs(y)) / np.max(np.abs(x))))
                rows.append(row)
                print(low_overlap_row(row), flush=True)
    print("\nmeans over the dev clips (the sine apart):\n" + "\n".join(low_overlap_means(rows)))
    env = environment()
    env["command"] = script_command("benchmarks/bench_longform.py low-overlap", parser, args)
    data = dict(environment=env, seconds=args.seconds, rows=rows, wall_seconds=time.perf_counter() - started)
    print(f"\nsaved {save('longform_low_overlap', data, args.out)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("hour")
    p.add_argument("--seconds", type=_positive_float, default=3600.0)
    p.add_argument("--n-iter", type=_non_negative_int, default=10)
    p.add_argument("--threads", type=_positive_int, default=1)
    p.add_argument("--workdir", default="/tmp/gl_hour")
    p.add_argument("--trace", action="store_true", help="also run once under tracemalloc")
    p.add_argument("--out", type=results_folder, default=Path(__file__).resolve().parent / "results", help="results folder")
    hour_parser = p
    p = sub.add_parser("child")
    p.add_argument("--spectrogram")
    p.add_argument("--output")
    p.add_argument("--n-iter", type=_non_negative_int)
    p.add_argument("--threads", type=_positive_int, default=1)
    p.add_argument("--trace", action="store_true")
    p = quality_parser = sub.add_parser("quality")
    p.add_argument("--n-iter", type=_non_negative_int, default=100)
    p.add_argument("--clips", nargs="+", default=["d03_music_tabla_44k.flac", "d02_speech_alsa-voice_22k.flac"],
                   help="files of the corpus's dev folder")
    p.add_argument("--block-seconds", nargs="+", type=_positive_float, default=[2.0, 4.0])
    p.add_argument("--out", type=results_folder, default=Path(__file__).resolve().parent / "results", help="results folder")
    p = synthetic_parser = sub.add_parser("synthetic-quality")
    p.add_argument("--seconds", type=_positive_float, default=300.0)
    p.add_argument("--n-iter", type=_non_negative_int, default=100)
    p.add_argument("--out", type=results_folder, default=Path(__file__).resolve().parent / "results", help="results folder")
    p = last_block_parser = sub.add_parser("last-block")
    p.add_argument("--out", type=results_folder, default=Path(__file__).resolve().parent / "results", help="results folder")
    p = low_overlap_parser = sub.add_parser("low-overlap")
    p.add_argument("--seconds", type=_positive_float, default=20.0)
    p.add_argument("--out", type=results_folder, default=Path(__file__).resolve().parent / "results", help="results folder")
    args = parser.parse_args()
    {"hour": functools.partial(hour, parser=hour_parser), "child": child, "quality": functools.partial(quality, parser=quality_parser), "synthetic-quality": functools.partial(synthetic_quality, parser=synthetic_parser),
     "last-block": functools.partial(last_block, parser=last_block_parser),
     "low-overlap": functools.partial(low_overlap, parser=low_overlap_parser)}[args.command](args)


if __name__ == "__main__":
    main()
