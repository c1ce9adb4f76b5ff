"""Convergence study: spectral convergence per iteration of every gl method and init, and of
``librosa.griffinlim``, on real recordings (issue 6) - and issue 3's comparison table.

For each clip (mono; channels averaged) the target is ``S = |STFT(x)|`` with a periodic Hann
window, n_fft 1024, hop 256, centred frames (librosa's defaults). For every method of
``gl.reconstruct.METHODS`` and every initial phase (``'random'``, ``'zeros'`` and each
importable initialiser of ``gl._iterative.INITIALIZERS``) one run of ``N`` iterations gives
the SC history ``SC(x_n)``, n = 1..N (``return_info=True``), so the SC at 10/30/100/300
iterations come from one run. A method whose history does not grow with ``n_iter`` is
non-iterative and is run once (its init column reads '-').

librosa gives no history: it is rerun with ``n_iter = c`` for a few counts ``c``, each time
from ``random_state=np.random.default_rng(seed)``; gl's FGLA (momentum 0.99) gets
``rng=np.random.default_rng(seed)``, the same draw, so the two curves must coincide. The
signals after the largest count <= 100 are also compared sample by sample.

Targets (issue 3): the default method (``DEFAULT_METHOD`` / ``DEFAULT_INIT``) reaches
librosa's 100-iteration SC in at most 25 iterations, and is at least 8 dB below librosa at
100 iterations, on average over the dev corpus.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import numpy as np

import gl
from gl._engine import default_threads
from gl.metrics import signal_spectral_convergence, to_db

from .common import (
    RESULTS,
    available_inits,
    default_method,
    environment,
    is_dev,
    iterations_to_reach,
    librosa_griffinlim,
    librosa_griffinlim_from,
    librosa_start,
    methods,
    read_clip,
    run_method,
    save,
    sc_at,
)

CHECKPOINTS = (10, 30, 100, 300)
LIBROSA_COUNTS = (1, 2, 5, 10, 20, 30, 50, 100, 300)
#: Initial phases some non-iterative (streaming) methods take besides the common ones
#: (rtisila's 'overlap': the paper's partial-reconstruction estimate); tried, skipped if refused.
EXTRA_INITS = ["overlap"]


def key(method: str, init: Optional[str]) -> str:
    return f"{method}/{init or '-'}"


def study_clip(clip, method_names, inits, n_iter: int, seed: int, librosa_counts, verbose: bool = True) -> dict:
    geometry = gl.STFT(1024, 256, window="hann")
    x = clip.signal
    S = np.abs(geometry.stft(x))  # (n_freq, n_frames) float64
    length = len(x)
    runs: dict[str, dict] = {}
    fgla_history = None
    errors: dict[str, str] = {}
    single_pass = gl.reconstruct.SINGLE_PASS_METHODS  # PGHI, SPSI, RTPGHI: one pass, no init to vary
    for method in method_names:
        if method in single_pass:
            try:
                run = run_method(S, geometry, length, method, None, default_n_iter(method), seed)
            except Exception as error:  # a bug: record it
                errors[key(method, None)] = f"{type(error).__name__}: {error}"
                continue
            runs[key(method, None)] = dict(_record(run, 0), history_db=[], iterative=False)
            if verbose:
                print(f"    {key(method, None):18s} {run.final_db:7.2f} dB  {run.seconds:6.2f} s (one pass)", flush=True)
            continue
        # probe: an iterative method's history has one entry per iteration
        try:
            iterative = run_method(S, geometry, length, method, inits[0], 2, seed).iterative
        except Exception:
            iterative = True  # let the real runs record the error
        if iterative:
            for init in inits:
                try:
                    run = run_method(S, geometry, length, method, init, n_iter, seed)
                except Exception as error:  # a method that rejects this init, or a bug: record it
                    errors[key(method, init)] = f"{type(error).__name__}: {error}"
                    continue
                runs[key(method, init)] = _record(run, n_iter)
                if key(method, init) == "fgla/random":
                    fgla_history = run.history_db  # unrounded, for the comparison with librosa
                if verbose:
                    print(f"    {key(method, init):18s} {run.final_db:7.2f} dB  {run.seconds:6.2f} s", flush=True)
            continue
        # streaming (rtisila): its own default n_iter (per frame); inits it
        # ignores (same result as one already run) are not repeated
        own_n_iter = default_n_iter(method)
        finals, accepted = [], 0
        for init in inits + [i for i in EXTRA_INITS if i not in inits]:
            try:
                run = run_method(S, geometry, length, method, init, own_n_iter, seed)
            except Exception as error:
                if init not in EXTRA_INITS:
                    errors[key(method, init)] = f"{type(error).__name__}: {error}"
                continue
            accepted += 1
            if any(abs(run.final_db - f) < 1e-9 for f in finals):
                continue
            finals.append(run.final_db)
            runs[key(method, init)] = dict(_record(run, own_n_iter), history_db=[], iterative=False)
            if verbose:
                print(f"    {key(method, init):18s} {run.final_db:7.2f} dB  {run.seconds:6.2f} s (non-iterative, n_iter={own_n_iter})",
                      flush=True)
        if len(finals) == 1 and accepted > 1:  # every init gave the same signal: the method ignores init
            only = next(k for k in runs if k.startswith(method + "/"))
            runs[key(method, None)] = runs.pop(only)
    # the default configuration, by reconstruct()'s own defaults
    default = default_method()
    if key(*default) not in runs:
        try:
            start = time.perf_counter()
            y, info = gl.reconstruct(S, n_iter=n_iter, rng=np.random.default_rng(seed), geometry=geometry, length=length,
                                     return_info=True)
            seconds = time.perf_counter() - start
            history = np.asarray(info.spectral_convergence_db).reshape(-1)
            runs[key(*default)] = {"history_db": history, "final_db": float(to_db(signal_spectral_convergence(S, y, geometry))),
                                   "initial_db": None, "seconds": seconds}
        except Exception as error:
            errors[key(*default)] = f"{type(error).__name__}: {error}"

    # librosa, rerun at each count from the same generator seed
    counts = [c for c in librosa_counts if c <= n_iter]
    librosa_db, librosa_seconds = [], []
    for count in counts:
        start = time.perf_counter()
        y = librosa_griffinlim(S, geometry, length, count, seed)
        librosa_seconds.append(time.perf_counter() - start)
        librosa_db.append(float(to_db(signal_spectral_convergence(S, y, geometry))))
    librosa = {"counts": counts, "sc_db": librosa_db, "seconds": librosa_seconds}

    # coincidence with gl's FGLA (momentum 0.99, same generator)
    coincidence = None
    if fgla_history is not None and counts:
        gl_db = [sc_at(fgla_history, c) for c in counts]
        compare = max(c for c in counts if c <= 100)
        y_gl = gl.griffinlim(S, n_iter=compare, momentum=0.99, rng=np.random.default_rng(seed), geometry=geometry, length=length)
        y_lr = librosa_griffinlim(S, geometry, length, compare, seed)
        coincidence = {
            "counts": counts,
            "gl_db": gl_db,
            "librosa_db": librosa_db,
            "max_abs_db_difference": float(np.max(np.abs(np.subtract(gl_db, librosa_db)))),
            "signal_iterations": compare,
            "signal_max_abs_difference": float(np.max(np.abs(y_gl - y_lr))),
            "signal_peak": float(np.max(np.abs(y_lr))),
        }
        # librosa's loop written out gives librosa.griffinlim's output exactly (else the
        # distances of librosa to itself below would measure the copy, not librosa)
        y_copy = librosa_griffinlim_from(S, geometry, length, compare, librosa_start(S.shape, np.random.default_rng(seed)))
        coincidence["librosa_copy_exact"] = bool(np.array_equal(y_copy, y_lr))
        coincidence["other_starts"], coincidence["librosa_self"] = _other_starts(S, geometry, length, compare, seed)
    return {
        "name": clip.name,
        "sr": clip.sr,
        "seconds": length / clip.sr,
        "n_frames": int(S.shape[-1]),
        "gl_threads": default_threads(int(S.shape[-1]), geometry.n_fft),  # what gl's iterative runs used here
        "runs": runs,
        "errors": errors,
        "librosa": librosa,
        "coincidence": coincidence,
    }


#: Further starts for the comparison with librosa: its rounding, amplified by the momentum,
#: depends on the draw (``default_rng`` seeds after the study's, and ``RandomState`` seeds, an
#: int ``random_state``'s reading in gl and in librosa 0.10 and 0.11; librosa 1.0 is handed
#: the RandomState itself, see ``common.librosa_seed``).
OTHER_STARTS = 3

#: The rotation (radians) of every start phase for librosa's distance to itself: a change of
#: the start of the order of a rounding (an ulp of 2 pi is 8.9e-16).
SELF_ROTATION = 1e-15


def _other_starts(S, geometry, length: int, n_iter: int, seed: int) -> tuple[dict[str, float], dict[str, float]]:
    """``max |y_gl - y_librosa|`` after ``n_iter`` FGLA iterations from other starts, by start,
    and librosa's distance to itself from each start rotated by :data:`SELF_ROTATION`: how far
    a rounding moves librosa's own result from that start, the scale the first compares with."""
    starts = {f"default_rng({seed + k})": (np.random.default_rng(seed + k), lambda k=k: np.random.default_rng(seed + k))
              for k in range(1, OTHER_STARTS + 1)}
    starts.update({f"RandomState({seed + k})": (seed + k, lambda k=k: seed + k) for k in range(OTHER_STARTS + 1)})
    differences, self_differences = {}, {}
    for name, (draw, again) in starts.items():
        keyword = {"rng": draw} if name.startswith("default_rng") else {"random_state": draw}
        y_gl = gl.griffinlim(S, n_iter=n_iter, momentum=0.99, geometry=geometry, length=length, **keyword)
        y_lr = librosa_griffinlim(S, geometry, length, n_iter, seed, random_state=again())
        differences[name] = float(np.max(np.abs(y_gl - y_lr)))
        rotated = librosa_start(S.shape, again()) * np.exp(1j * SELF_ROTATION)
        y_self = librosa_griffinlim_from(S, geometry, length, n_iter, rotated)
        self_differences[name] = float(np.max(np.abs(y_self - y_lr)))
    return differences, self_differences


def _record(run, n_iter: int) -> dict:
    return {"history_db": np.round(run.history_db, 4), "initial_db": run.initial_db, "final_db": run.final_db, "seconds": run.seconds,
            "n_iter": n_iter, "iterative": True}


def default_n_iter(method: str) -> int:
    """The ``n_iter`` default of the function behind ``method`` (per frame for a streaming method)."""
    import inspect

    from gl.reconstruct import method_function

    function, _ = method_function(method)
    parameter = inspect.signature(function).parameters.get("n_iter")
    if parameter is None or not isinstance(parameter.default, int):
        return 0
    return parameter.default


def summarize(clips: list[dict], n_iter: int) -> dict:
    """Issue 3's table (means over the dev clips) and the default-method targets."""
    dev = [c for c in clips if is_dev(c["name"])] or clips
    keys = sorted({k for c in dev for k in c["runs"]})
    table = []
    for k in keys:
        have = [c for c in dev if k in c["runs"]]
        if len(have) < len(dev):
            continue
        row = {"key": k, "n_clips": len(have), "seconds_total": float(sum(c["runs"][k]["seconds"] for c in have)),
               "n_iter": have[0]["runs"][k].get("n_iter"), "iterative": have[0]["runs"][k].get("iterative", True)}
        for n in CHECKPOINTS:
            values = [sc_at(np.asarray(c["runs"][k]["history_db"]), n) for c in have]
            row[f"sc_{n}"] = float(np.mean(values)) if all(v is not None for v in values) else None
        finals = [c["runs"][k]["final_db"] for c in have]
        row["final_db"] = float(np.mean(finals))
        table.append(row)
    librosa_row = {"key": "librosa.griffinlim", "n_clips": len(dev)}
    for n in CHECKPOINTS:
        values = [dict(zip(c["librosa"]["counts"], c["librosa"]["sc_db"])).get(n) for c in dev]
        librosa_row[f"sc_{n}"] = float(np.mean(values)) if all(v is not None for v in values) else None
    librosa_row["seconds_total"] = float(sum(c["librosa"]["seconds"][-1] for c in dev if c["librosa"]["seconds"]))

    method, init = default_method()
    default_key = key(method, init) if key(method, init) in dev[0]["runs"] else key(method, None)
    per_clip = []
    for c in dev:
        lib = dict(zip(c["librosa"]["counts"], c["librosa"]["sc_db"]))
        run = c["runs"].get(default_key)
        if run is None or 100 not in lib:
            continue
        history = np.asarray(run["history_db"])
        reach = iterations_to_reach(history, lib[100] + 1e-6)  # a tie (gl's FGLA = librosa's to 1e-12 dB) counts
        per_clip.append({
            "clip": c["name"],
            "librosa_100_db": lib[100],
            "default_100_db": sc_at(history, 100) if len(history) else run["final_db"],
            "iterations_to_librosa_100": reach,
        })
    targets = {"default": default_key, "per_clip": per_clip}
    if per_clip:
        reaches = [p["iterations_to_librosa_100"] for p in per_clip]
        gains = [p["librosa_100_db"] - p["default_100_db"] for p in per_clip]
        never = [r for r in reaches if r is None]
        mean_reach = float(np.mean([r if r is not None else np.inf for r in reaches]))
        targets.update(
            mean_iterations_to_librosa_100=mean_reach,
            max_iterations_to_librosa_100=None if never else int(max(reaches)),
            clips_never_reaching=len(never),
            reach_met=bool(mean_reach <= 25),
            mean_gain_db_at_100=float(np.mean(gains)),
            min_gain_db_at_100=float(np.min(gains)),
            gain_met=bool(np.mean(gains) >= 8),
        )
    coincide = [c["coincidence"] for c in clips if c.get("coincidence")]
    coincidence = None
    if coincide:
        coincidence = {
            "max_abs_db_difference": float(max(c["max_abs_db_difference"] for c in coincide)),
            "max_signal_difference": float(max(c["signal_max_abs_difference"] for c in coincide)),
            "max_signal_difference_other_starts": max((v for c in coincide for v in c.get("other_starts", {}).values()),
                                                      default=None),
            "max_librosa_self_difference": max((v for c in coincide for v in c.get("librosa_self", {}).values()),
                                               default=None),
            # gl's distance to librosa over librosa's distance to itself, from the same start
            "max_ratio_to_librosa_self": max((c["other_starts"][k] / c["librosa_self"][k] for c in coincide
                                              for k in c.get("librosa_self", {}) if c["librosa_self"][k] > 0), default=None),
            # the same ratio where gl's distance is largest (the starts whose rounding grows most)
            "ratio_to_librosa_self_at_largest": max(
                ((c["other_starts"][k], c["other_starts"][k] / c["librosa_self"][k]) for c in coincide
                 for k in c.get("librosa_self", {}) if c["librosa_self"][k] > 0), default=(None, None))[1],
            "librosa_copy_exact": all(c.get("librosa_copy_exact", True) for c in coincide),
            "n_clips": len(coincide),
        }
    return {"table": table, "librosa": librosa_row, "targets": targets, "coincidence": coincidence}


def run(files: list[Path], method_names=None, inits=None, n_iter: int = 300, seed: int = 0, out: Path = RESULTS,
        max_seconds: Optional[float] = None, librosa_counts=LIBROSA_COUNTS, verbose: bool = True) -> dict:
    all_inits, missing_inits = available_inits()
    method_names = list(method_names or methods())
    unknown = [m for m in method_names if m not in methods()]
    if unknown:
        raise ValueError(f"--methods {', '.join(unknown)} not in gl.reconstruct.METHODS ({', '.join(methods())})")
    inits = list(inits or all_inits)
    unknown = [i for i in inits if i not in all_inits and i not in EXTRA_INITS]
    if unknown:
        raise ValueError(f"--inits {', '.join(unknown)} not available ({', '.join(all_inits + EXTRA_INITS)})")
    clips = []
    for path in files:
        clip = read_clip(path, max_seconds)
        if verbose:
            print(f"  {clip.name} ({len(clip.signal) / clip.sr:.1f} s at {clip.sr} Hz)", flush=True)
        clips.append(study_clip(clip, method_names, inits, n_iter, seed, librosa_counts, verbose))
    result = {
        "environment": environment(),
        "geometry": {"n_fft": 1024, "hop_length": 256, "window": "hann", "center": True, "pad_mode": "constant"},
        "n_iter": n_iter,
        "seed": seed,
        "methods": method_names,
        "inits": inits,
        "missing_inits": missing_inits,
        "default": list(default_method()),
        "max_seconds": max_seconds,
        "clips": clips,
        "summary": summarize(clips, n_iter),
    }
    save("convergence", result, out)
    return result
