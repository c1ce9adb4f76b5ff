"""Issue 2's speed benchmark: one fast Griffin-Lim iteration, gl vs librosa vs the bare FFT.

What is timed, all in one process, warm, round-robin, median of ``repeats``, every timed
call right after an untimed call of the same function (the steady state of a long run: data
in cache and, on a virtual machine, the second vCPU awake):

* ``gl.griffinlim(S, n_iter=K)`` and ``gl.griffinlim(S, n_iter=0)`` with ``n_threads=1`` and
  ``n_threads=2``; ``librosa.griffinlim(S, n_iter=K)`` and ``n_iter=0``. The time of **one
  iteration** is ``(median t(K) - median t(0)) / K``: the difference removes everything that
  is paid once (checks, the random initial phase, the first ISTFT, the final STFT/ISTFT),
  so gl and librosa are compared on the loop body alone.
* the **bare FFT cost**: ``np.fft.rfft`` + ``np.fft.irfft`` of the same frames (the windowed
  frames of the padded signal, ``(n_frames, n_fft)`` in the same dtype) into preallocated
  arrays, timed over K passes back to back (as gl's K iterations) and divided by K;
  once for the whole frame matrix and, in cache-sized blocks as gl does, once for each
  pair of numpy ``norm`` modes (numpy 2.x's float32 transforms are several times slower
  when they do not scale their output; the factor itself costs nothing, a window absorbs
  it); the fastest is the baseline (every GLA iteration needs at least this). The blocked
  FFT (its fastest norms) split over two threads shows what the hardware gives a second
  thread.

Targets (issue 2): gl at least 2.5x faster per iteration than librosa; single-threaded
within 1.3x of the bare FFT; two threads below 0.7x the single-threaded bare FFT; peak
memory of a 100-iteration run on 10 min of 44.1 kHz audio (n_fft 2048, hop 512) below 4x
the complex spectrogram. Memory is measured in a child process (tracemalloc peak of the
call, which numpy reports its buffers to, and the growth of the maximum resident set size)
after loading ``S`` from disk, so nothing else inflates the peak.

Run: ``python -m benchmarks.bench_iteration [--quick]`` (or as part of ``python -m benchmarks``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from gl.cli import _positive_float, _positive_int  # the command line's checks of numbers
from benchmarks.common import (CORPUS, RESULTS, environment, interleaved_medians, interleaved_times, librosa_seed, read_clip,
                               results_folder, save, traced_call)

GEOMETRIES = [(1024, 256), (2048, 512)]
DTYPES = ["float32", "float64"]


def test_signal(seconds: float, sr: int, seed: int = 0) -> tuple[np.ndarray, str]:
    """Real audio tiled to ``seconds`` (dev speech at 16 and 22.05 kHz, gspi at 44.1 kHz), else noise."""
    source = {16000: CORPUS / "dev" / "d01_speech_arctic-slt_16k.flac", 22050: CORPUS / "dev" / "d02_speech_alsa-voice_22k.flac",
              44100: CORPUS / "reference" / "gspi.wav"}.get(sr)
    n = int(round(seconds * sr))
    if source is not None and source.exists():
        clip = read_clip(source)
        if clip.sr == sr:
            reps = -(-n // len(clip.signal))
            return np.tile(clip.signal, reps)[:n].copy(), f"{source.name} tiled"
    print(f"note: no {sr} Hz corpus clip under {CORPUS} (set GL_SHARED to the folder holding corpus/): timing "
          "Gaussian noise instead", file=sys.stderr)
    return np.random.default_rng(seed).standard_normal(n) * 0.1, "gaussian noise"


NORM_PAIRS = [(forward, inverse) for forward in ("backward", "forward") for inverse in ("backward", "forward")]


def bare_fft_functions(geometry: gl.STFT, x: np.ndarray, dtype: np.dtype):
    """Closures doing rfft + irfft of the frames of ``x``: the whole matrix at once, and in 1 MiB blocks
    with each pair of numpy ``norm`` modes (forward, inverse).

    Returns ``(whole, blocked, n_frames)``, ``blocked`` a dict ``{(forward, inverse): function}``.
    The normalisation changes nothing but a constant factor (a window can absorb it), but
    its cost depends on the dtype: numpy 2.x's float32 transforms are several times slower
    unscaled (see ``gl.transform.fft_norms``), so every pair is timed and the fastest is
    the baseline.
    """
    padded = geometry.pad_signal(x.astype(dtype))
    n_frames = geometry.n_frames(len(x))
    view = np.lib.stride_tricks.sliding_window_view(padded, geometry.n_fft)[:: geometry.hop_length][:n_frames]
    frames = np.ascontiguousarray(view * geometry.window_array.astype(dtype))  # (n_frames, n_fft)
    cdtype = np.result_type(dtype, np.complex64)
    spectra = np.empty((n_frames, geometry.n_freq), dtype=cdtype)  # (n_frames, n_freq)
    back = np.empty_like(frames)
    block = min(n_frames, geometry.block_frames(dtype))

    def whole():
        np.fft.rfft(frames, axis=-1, out=spectra)
        np.fft.irfft(spectra, n=geometry.n_fft, axis=-1, out=back)

    def blocked_with(forward: str, inverse: str):
        def blocked(first_frame: int = 0, last_frame: int = n_frames):
            for first in range(first_frame, last_frame, block):
                last = min(first + block, last_frame)
                np.fft.rfft(frames[first:last], axis=-1, norm=forward, out=spectra[first:last])
                np.fft.irfft(spectra[first:last], n=geometry.n_fft, axis=-1, norm=inverse, out=back[first:last])

        return blocked

    return whole, {pair: blocked_with(*pair) for pair in NORM_PAIRS}, n_frames


def fastest(functions: dict, repeats: int = 5):
    """The key of the fastest of ``functions`` (warm, median of ``repeats``, round-robin)."""
    medians = interleaved_medians(functions, repeats)
    return min(medians, key=medians.get)


class TwoThreadFFT:
    """The blocked bare FFT split over two threads (half the frames each): the best a
    two-thread GLA iteration could do on this hardware. A context manager."""

    def __init__(self, blocked, n_frames: int):
        self.blocked = blocked
        self.halves = [(0, n_frames // 2), (n_frames // 2, n_frames)]
        self.pool = ThreadPoolExecutor(2)

    def __call__(self):
        for future in [self.pool.submit(self.blocked, a, b) for a, b in self.halves]:
            future.result()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown()


def _repeated(function, count: int):
    def run():
        for _ in range(count):
            function()

    return run


def librosa_keywords(geometry: Optional[gl.STFT]) -> dict:
    """The keywords that give ``librosa.griffinlim`` the geometry (besides ``n_fft`` and
    ``hop_length``): none for None (librosa's defaults are ``gl.STFT(n_fft, hop)``'s), else
    the window zero-padded to ``n_fft`` (the same frames as ``win_length`` and the window),
    the centring and the padding."""
    if geometry is None:
        return {}
    return dict(win_length=geometry.n_fft, window=geometry.window_array, center=geometry.center, pad_mode=geometry.pad_mode)


def time_one_iteration(x: np.ndarray, n_fft: int, hop: int, dtype: str, iterations: int, repeats: int, seed: int = 0,
                       warmup: int = 1, base: int = 0, warm_each: bool = True, geometry: Optional[gl.STFT] = None) -> dict:
    """Per-iteration times (seconds) of gl (1 and 2 threads), librosa and the bare FFT.

    The geometry is ``gl.STFT(n_fft, hop)`` (periodic Hann, centred) unless ``geometry``
    is given (then ``n_fft`` and ``hop`` are its own); librosa gets the same window,
    ``win_length`` and centring.

    One iteration is ``(t(base + K) - t(base)) / K``. ``base = 0`` subtracts everything paid
    once; on long signals that fixed cost also varies with the allocator (fresh full-size
    arrays page-fault, and a run without iterations touches fewer of them), so there
    ``base = K`` compares two runs that allocate alike. ``warm_each``: every timed call
    right after an untimed one of the same function (see ``interleaved_times``).
    """
    import librosa

    dtype = np.dtype(dtype)
    librosa_geometry = librosa_keywords(geometry)
    geometry = geometry or gl.STFT(n_fft, hop)
    n_fft, hop = geometry.n_fft, geometry.hop_length
    S = np.abs(geometry.stft(x.astype(dtype)))  # (n_freq, n_frames), dtype
    length = len(x)
    K = iterations

    def gl_run(n_iter, threads):
        return lambda: gl.griffinlim(S, n_iter=n_iter, rng=seed, n_threads=threads, geometry=geometry, length=length)

    def librosa_run(n_iter):
        return lambda: librosa.griffinlim(
            S, n_iter=n_iter, n_fft=n_fft, hop_length=hop, length=length, **librosa_seed(np.random.default_rng(seed)),
            **librosa_geometry
        )

    whole, blocked, n_frames = bare_fft_functions(geometry, x, dtype)
    functions = {
        "gl1_0": gl_run(base, 1),
        "gl1_K": gl_run(base + K, 1),
        "gl2_0": gl_run(base, 2),
        "gl2_K": gl_run(base + K, 2),
        "librosa_0": librosa_run(base),
        "librosa_K": librosa_run(base + K),
        "bare_whole": whole,
    }
    for (forward, inverse), function in blocked.items():
        functions[f"bare_blocked_{forward}_{inverse}"] = function
    best_pair = fastest(blocked)  # the norms of the two-thread bare FFT
    with TwoThreadFFT(blocked[best_pair], n_frames) as two_threads:
        functions["bare_2threads"] = two_threads
        # each bare-FFT measurement runs K passes back to back, as gl's K iterations do (so
        # that both see the same thread wake-ups and caches), and is divided by K
        for name in [n for n in functions if n.startswith("bare_")]:
            functions[name] = _repeated(functions[name], K)
        times = interleaved_times(functions, repeats=repeats, warmup=warmup, warm_each=warm_each)
        for name in [n for n in times if n.startswith("bare_")]:
            times[name] = [t / K for t in times[name]]
    medians = {name: float(np.median(values)) for name, values in times.items()}
    minima = {name: float(np.min(values)) for name, values in times.items()}
    gl1 = (medians["gl1_K"] - medians["gl1_0"]) / K
    gl2 = (medians["gl2_K"] - medians["gl2_0"]) / K
    lib = (medians["librosa_K"] - medians["librosa_0"]) / K
    bare_names = [name for name in functions if name.startswith("bare_") and name != "bare_2threads"]
    bare = min(medians[name] for name in bare_names)
    # the same from the fastest repeat of each: less sensitive to other jobs on the machine
    fast = {
        "gl_1thread": (minima["gl1_K"] - minima["gl1_0"]) / K,
        "gl_2threads": (minima["gl2_K"] - minima["gl2_0"]) / K,
        "librosa": (minima["librosa_K"] - minima["librosa_0"]) / K,
        "bare_fft": min(minima[name] for name in bare_names),
    }
    fast.update(
        speedup_vs_librosa=fast["librosa"] / fast["gl_1thread"],
        gl_over_bare=fast["gl_1thread"] / fast["bare_fft"],
        gl2_over_bare=fast["gl_2threads"] / fast["bare_fft"],
    )
    return {
        "dtype": dtype.name,
        "n_fft": n_fft,
        "hop_length": hop,
        "n_frames": int(S.shape[-1]),
        "iterations_K": K,
        "iterations_base": base,
        "repeats": repeats,
        "gl_1thread": gl1,
        "gl_2threads": gl2,
        "librosa": lib,
        "bare_fft": bare,
        "bare_fft_whole": medians["bare_whole"],
        "bare_fft_blocked": {name[len("bare_blocked_"):]: medians[name] for name in bare_names if name != "bare_whole"},
        "bare_fft_baseline": min(bare_names, key=medians.get)[len("bare_"):],
        "bare_fft_2threads": medians["bare_2threads"],
        "bare_fft_2threads_norms": list(best_pair),
        "setup_gl_1thread": medians["gl1_0"],
        "setup_librosa": medians["librosa_0"],
        "speedup_vs_librosa": lib / gl1,
        "speedup_vs_librosa_2threads": lib / gl2,
        "gl_over_bare": gl1 / bare,
        "gl2_over_bare": gl2 / bare,
        "bare2_over_bare": medians["bare_2threads"] / bare,
        "from_minima": fast,
        "all_times": times,
    }


# ---------------------------------------------------------------------- memory
def _memory_child(path: str, n_iter: int, hop: int) -> None:
    """In a fresh process: load S, run FGLA, print peak memory figures as JSON."""
    S = np.load(path)
    n_fft = 2 * (S.shape[0] - 1)
    figures, _ = traced_call(S, lambda: gl.griffinlim(S, n_iter=n_iter, rng=0, n_fft=n_fft, hop_length=hop))
    print(json.dumps(dict(figures, n_iter=n_iter)))


def peak_memory(seconds: float = 600.0, sr: int = 44100, n_fft: int = 2048, hop: int = 512, n_iter: int = 100, dtypes=DTYPES) -> list[dict]:
    """Peak memory of ``n_iter`` FGLA iterations on ``seconds`` of audio, one child process per dtype."""
    x, source = test_signal(seconds, sr)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for dtype in dtypes:
            S = np.abs(gl.stft(x.astype(dtype), n_fft=n_fft, hop_length=hop))
            path = os.path.join(folder, f"S_{dtype}.npy")
            np.save(path, S)
            del S
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_iteration", "--memory-child", path,
                 "--iterations", str(n_iter), "--hop", str(hop)],
                capture_output=True,
                text=True,
                check=True,
                cwd=str(Path(__file__).resolve().parents[1]),
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row.update(signal_seconds=seconds, sr=sr, n_fft=n_fft, hop_length=hop, source=source)
            rows.append(row)
            os.remove(path)
    return rows


# ---------------------------------------------------------------------- tables
def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| dtype | n_fft / hop | frames | gl 1 thread (ms) | gl 2 threads (ms) | librosa (ms) | bare FFT (ms) "
        "| librosa / gl | gl / bare FFT | gl 2 thr / bare FFT | bare FFT on 2 thr / bare FFT | gl 2 thr / bare FFT on 2 thr |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dtype']} | {r['n_fft']} / {r['hop_length']} | {r['n_frames']} | {1e3 * r['gl_1thread']:.2f} "
            f"| {1e3 * r['gl_2threads']:.2f} | {1e3 * r['librosa']:.2f} | {1e3 * r['bare_fft']:.2f} "
            f"| {r['speedup_vs_librosa']:.2f}x | {r['gl_over_bare']:.2f} | {r['gl2_over_bare']:.2f} | {r['bare2_over_bare']:.2f} "
            f"| {r['gl_2threads'] / r['bare_fft_2threads']:.2f} |"
        )
    return "\n".join(lines)


def memory_table(rows: list[dict]) -> str:
    lines = [
        "| dtype | signal | S shape | iterations | complex S (MB) | tracemalloc peak (MB) | peak / complex S "
        "| max-RSS growth / complex S | time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dtype']} | {r['signal_seconds']:.0f} s @ {r['sr']} Hz | {r['shape'][0]} x {r['shape'][1]} | {r['n_iter']} "
            f"| {r['complex_spectrogram_bytes'] / 1e6:.0f} | {r['tracemalloc_peak_bytes'] / 1e6:.0f} "
            f"| {r['peak_multiple']:.2f}x | {r['maxrss_multiple']:.2f}x | {r['seconds']:.1f} |"
        )
    return "\n".join(lines)


def run(quick: bool = False, iterations: Optional[int] = None, repeats: Optional[int] = None, out: Path = RESULTS,
        memory: bool = True, seconds: Optional[float] = None, memory_seconds: Optional[float] = None,
        verbose: bool = True) -> dict:
    """The whole issue-2 benchmark; saves ``iteration.json`` in ``out`` and returns it."""
    K = iterations or (5 if quick else 20)
    R = repeats or (3 if quick else 15)
    duration = seconds or 10.0
    x, source = test_signal(duration, 22050)
    rows = []
    for dtype in DTYPES:
        for n_fft, hop in GEOMETRIES:
            row = time_one_iteration(x, n_fft, hop, dtype, K, R)
            row["signal_seconds"] = duration
            rows.append(row)
            if verbose:
                print(f"  {dtype} {n_fft}/{hop}: gl {1e3 * row['gl_1thread']:.2f} ms, librosa {1e3 * row['librosa']:.2f} ms, "
                      f"bare FFT {1e3 * row['bare_fft']:.2f} ms", flush=True)
    result = {"environment": environment(), "signal": f"{duration:g} s at 22050 Hz ({source})", "rows": rows, "quick": quick,
              "method": "per iteration = (median t(n_iter=K) - median t(n_iter=0)) / K, all timings round-robin in one "
                        "process, each timed call right after an untimed one of the same function"}
    if memory:
        mem_seconds = memory_seconds or (20.0 if quick else 600.0)
        result["memory"] = peak_memory(seconds=mem_seconds, n_iter=10 if quick else 100)
    save("iteration", result, out)
    if verbose:
        print(markdown_table(rows))
        if memory:
            print()
            print(memory_table(result["memory"]))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations and repeats, 20 s memory run")
    parser.add_argument("--iterations", type=_positive_int, help="K, iterations of the timed runs (default 20; quick 5)")
    parser.add_argument("--repeats", type=_positive_int, help="repeats per measurement (default 15; quick 3)")
    parser.add_argument("--seconds", type=_positive_float, help="signal length in seconds (default 10)")
    parser.add_argument("--memory-seconds", type=_positive_float, help="signal length of the memory run (default 600; quick 20)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    parser.add_argument("--out", type=results_folder, default=RESULTS, help="results folder")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--hop", type=int, default=512, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(args.memory_child, args.iterations or 100, args.hop)
        return
    run(args.quick, args.iterations, args.repeats, args.out, not args.no_memory, args.seconds, args.memory_seconds)


if __name__ == "__main__":
    main()
