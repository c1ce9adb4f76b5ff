"""gl against torchaudio: one fast Griffin-Lim iteration, and where 100 iterations get to.

    python benchmarks/bench_torchaudio.py [--repeats 9] [--iterations 20] [--seconds 10]

Needs torch and torchaudio, which are not in the ``bench`` extra (several GB); checked with
2.9.1: ``pip install torch==2.9.1 'torchaudio==2.9.*'``.

``torchaudio.functional.griffinlim`` is librosa's fast Griffin-Lim with reflect padding
(``tests/test_torchaudio.py`` checks that gl reproduces it to 1e-8), so both run the same
iteration on the same spectrogram: 10 s of 22.05 kHz speech (the dev corpus' d02 clip,
tiled), periodic Hann, ``(n_fft, hop)`` = (1024, 256) and (2048, 512), float32 and float64.

* **One iteration**, as in :mod:`benchmarks.bench_iteration`: ``(median t(n_iter=K) -
  median t(n_iter=0)) / K``, all calls in one process, warm, round-robin, every timed call
  right after an untimed one of the same function. gl with ``n_threads`` 1 and 2;
  torchaudio with ``torch.set_num_threads`` 1 and 2 (its own thread pool). Beside them,
  the bare rfft + irfft of the same frames by numpy (gl's floor, as in ``bench_iteration``)
  and by ``torch.fft`` (torchaudio's), each on one thread, K passes per timed call.
* **Where 100 iterations get to** (n_fft 1024, hop 256, float32, two threads each): the
  spectral convergence and wall time of torchaudio's ``GriffinLim`` defaults
  (``momentum=0.99``, ``rand_init=True``), of ``gl.griffinlim`` with the same momentum from a
  random phase, and of gl's default method (``gl.reconstruct``).

Prints Markdown tables and saves ``results/torchaudio.json`` (``python -m benchmarks report``
shows it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gl
from benchmarks.bench_iteration import DTYPES, GEOMETRIES, _repeated, bare_fft_functions, fastest, test_signal
from benchmarks.common import default_method, environment, interleaved_times, save, script_command, timing_parser
from gl.metrics import spectral_convergence


def _torch():
    try:
        import torch
        import torchaudio.functional
    except ImportError as error:
        raise SystemExit(f"bench_torchaudio needs torch and torchaudio ({error}); "
                         "pip install torch==2.9.1 'torchaudio==2.9.*'") from None  # fmt: skip
    return torch, torchaudio.functional


def time_one_iteration(x: np.ndarray, n_fft: int, hop: int, dtype: str, iterations: int, repeats: int) -> dict:
    """Per-iteration times (seconds) of gl and torchaudio on 1 and 2 threads, and of the bare FFTs."""
    torch, functional = _torch()
    dtype = np.dtype(dtype)
    geometry = gl.STFT(n_fft, hop, pad_mode="reflect")  # torchaudio's framing
    S = np.abs(geometry.stft(x.astype(dtype)))
    length, K = len(x), iterations
    magnitude = torch.from_numpy(S)
    window = torch.hann_window(n_fft, dtype=getattr(torch, dtype.name))
    threads_before = torch.get_num_threads()

    def gl_run(n_iter: int, threads: int):
        return lambda: gl.griffinlim(S, n_iter=n_iter, rng=0, n_threads=threads, geometry=geometry, length=length)

    def torch_run(n_iter: int, threads: int):
        def run():
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            return functional.griffinlim(magnitude, window, n_fft, hop, n_fft, 1.0, n_iter, 0.99, length, True)

        return run

    _, blocked, _ = bare_fft_functions(geometry, x, dtype)
    frames = torch.from_numpy(np.ascontiguousarray(
        np.lib.stride_tricks.sliding_window_view(geometry.pad_signal(x.astype(dtype)), n_fft)[::hop][: S.shape[-1]]
        * geometry.window_array.astype(dtype)))  # fmt: skip

    def torch_bare():
        torch.set_num_threads(1)
        torch.fft.irfft(torch.fft.rfft(frames, dim=-1), n=n_fft, dim=-1)

    functions = {}
    for threads in (1, 2):
        for n_iter in (0, K):
            functions[("gl", threads, n_iter)] = gl_run(n_iter, threads)
            functions[("torchaudio", threads, n_iter)] = torch_run(n_iter, threads)
    functions["bare_numpy"] = _repeated(blocked[fastest(blocked)], K)
    functions["bare_torch"] = _repeated(torch_bare, K)
    try:
        times = interleaved_times(functions, repeats=repeats, warm_each=True)
    finally:
        torch.set_num_threads(threads_before)
    median = {name: float(np.median(values)) for name, values in times.items()}
    per = {(library, threads): (median[(library, threads, K)] - median[(library, threads, 0)]) / K
           for library in ("gl", "torchaudio") for threads in (1, 2)}  # fmt: skip
    bare_numpy, bare_torch = median["bare_numpy"] / K, median["bare_torch"] / K
    return {
        "dtype": dtype.name, "n_fft": n_fft, "hop_length": hop, "n_frames": int(S.shape[-1]), "iterations_K": K,
        "repeats": repeats, "gl_1thread": per[("gl", 1)], "gl_2threads": per[("gl", 2)],
        "torchaudio_1thread": per[("torchaudio", 1)], "torchaudio_2threads": per[("torchaudio", 2)],
        "bare_numpy": bare_numpy, "bare_torch": bare_torch,
        "speedup_1thread": per[("torchaudio", 1)] / per[("gl", 1)],
        "speedup_2threads": per[("torchaudio", 2)] / per[("gl", 2)],
    }  # fmt: skip


def hundred_iterations(x: np.ndarray, n_iter: int = 100) -> list[dict]:
    """Spectral convergence and wall time of ``n_iter`` iterations: torchaudio's defaults, gl's FGLA, gl's default."""
    torch, functional = _torch()
    geometry = gl.STFT(1024, 256, pad_mode="reflect")
    x = x.astype(np.float32)
    S = np.abs(geometry.stft(x))
    magnitude, window = torch.from_numpy(S), torch.hann_window(1024)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(2)

    def torchaudio_default():
        torch.manual_seed(0)
        return functional.griffinlim(magnitude, window, 1024, 256, 1024, 1.0, n_iter, 0.99, len(x), True).numpy()

    runs = [
        ("torchaudio GriffinLim (momentum 0.99, rand_init)", torchaudio_default),
        ("gl.griffinlim (momentum 0.99, random phase)",
         lambda: gl.griffinlim(S, n_iter=n_iter, rng=0, n_threads=2, geometry=geometry, length=len(x))),
        ("gl.reconstruct (gl's default, method={!r} from init={!r})".format(*default_method()),
         lambda: gl.reconstruct(S, n_iter=n_iter, rng=0, n_threads=2, geometry=geometry, length=len(x))),
    ]  # fmt: skip
    rows = []
    try:
        for label, run in runs:
            run()  # warm
            seconds = []
            for _ in range(3):
                start = time.perf_counter()
                y = run()
                seconds.append(time.perf_counter() - start)
            sc = float(spectral_convergence(S, geometry.stft(y)))
            rows.append({"method": label, "seconds": float(np.median(seconds)), "sc_db": 20 * np.log10(sc), "dtype": str(y.dtype)})
    finally:
        torch.set_num_threads(threads_before)
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = ["| dtype | n_fft/hop | gl 1 thread (ms) | torchaudio 1 thread (ms) | torchaudio / gl | gl 2 threads (ms) "
             "| torchaudio 2 threads (ms) | torchaudio / gl | bare numpy FFT (ms) | bare torch FFT (ms) |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r['dtype']} | {r['n_fft']}/{r['hop_length']} | {1e3 * r['gl_1thread']:.2f} "
                     f"| {1e3 * r['torchaudio_1thread']:.2f} | {r['speedup_1thread']:.2f}x | {1e3 * r['gl_2threads']:.2f} "
                     f"| {1e3 * r['torchaudio_2threads']:.2f} | {r['speedup_2threads']:.2f}x | {1e3 * r['bare_numpy']:.2f} "
                     f"| {1e3 * r['bare_torch']:.2f} |")  # fmt: skip
    return "\n".join(lines)


def quality_table(rows: list[dict]) -> str:
    lines = ["| method | spectral convergence (dB) | wall time (s) |", "|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['method']} | {r['sc_db']:.1f} | {r['seconds']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = timing_parser(__doc__)
    args = parser.parse_args(argv)
    torch, _ = _torch()
    x, source = test_signal(args.seconds, 22050)
    rows = [time_one_iteration(x, n_fft, hop, dtype, args.iterations, args.repeats)
            for dtype in DTYPES for n_fft, hop in GEOMETRIES]  # fmt: skip
    quality = hundred_iterations(x)
    env = environment()
    env["command"] = script_command("benchmarks/bench_torchaudio.py", parser, args)
    env["torch"] = torch.__version__
    result = {"rows": rows, "hundred_iterations": quality, "environment": env,
              "signal": f"{args.seconds:g} s at 22050 Hz ({source}), hann, reflect padding"}  # fmt: skip
    print(markdown_table(rows))
    print()
    print(quality_table(quality))
    save("torchaudio", result, args.out)


if __name__ == "__main__":
    main()
