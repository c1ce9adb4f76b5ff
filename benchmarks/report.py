"""Build ``README.md`` and the PNG plots from the JSON results (never from hand-typed numbers).

``python -m benchmarks report`` reruns this alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from .bench_iteration import markdown_table, memory_table
from .bench_longform import last_block_table
from .bench_longform import low_overlap_table as longform_low_overlap_table
from .bench_longform import quality_table as longform_quality_table
from .bench_longform import hour_table as longform_hour_table
from .bench_longform import synthetic_quality_table as longform_synthetic_table
from .bench_geometries import fft_sizes_table
from .bench_librosa_rounding import markdown_table as librosa_rounding_table
from .bench_geometries import markdown_table as geometries_table
from .bench_memory_methods import markdown_table as memory_methods_table
from .bench_memory_methods import where_text as memory_methods_where
from .bench_methods import markdown_table as methods_table
from .bench_passes import summary_table as passes_table
from .bench_seeds import markdown_table as seeds_table
from .bench_torchaudio import markdown_table as torchaudio_table
from .mel_inversion import markdown_table as mel_table
from .mel_inversion import short_table as mel_short_table
from .bench_low_overlap import markdown_table as low_overlap_table
from .bench_redundancy import markdown_table as redundancy_table
from .bench_rtisila import defaults_table as rtisila_defaults_table
from .bench_rtisila import markdown_table as rtisila_table
from .bench_rtisila_low_overlap import markdown_table as rtisila_low_overlap_table
from .bench_rtisila_windows import CHOICES as rtisila_window_choices
from .bench_rtisila_windows import markdown_table as rtisila_windows_table
from .bench_streaming_cost import markdown_table as streaming_cost_table
from .bench_torchaudio import quality_table as torchaudio_quality_table
from .paper import published_algorithm
from .common import RESULTS, is_dev, load


def _threads_text(clips: list) -> str:
    """Which clips gl's default ran on two threads, as the convergence study recorded it."""
    if not clips or any("gl_threads" not in clip for clip in clips):
        return "two when frames x n_fft >= 2^18, see gl.griffinlim's n_threads"
    two = [clip["name"].split("_")[0] for clip in clips if clip["gl_threads"] > 1]
    if not two:
        return "one on every clip"
    if len(two) == len(clips):
        return "two on every clip"
    return f"two on {', '.join(two)} (frames x n_fft >= 2^18), one on the others"


#: A pair of numpy ``norm`` modes (rfft's, irfft's), as bench_iteration names it, by what it scales.
_NORM_PAIRS = {"forward_backward": "both scaled", "backward_forward": "both unscaled",
               "backward_backward": "the rfft unscaled", "forward_forward": "the irfft unscaled"}


def _norms_text(rows: list) -> str:
    """How numpy's FFTs ran with each pair of ``norm`` modes, from the rows' ``bare_fft_blocked``:
    each dtype's other pairs as multiples of its fastest pair's time."""
    spans: dict[str, tuple[list, set]] = {}
    for row in rows:
        blocked = row.get("bare_fft_blocked") or {}
        if len(blocked) < 2:
            continue
        fastest = min(blocked, key=blocked.get)
        ratios, best = spans.setdefault(row["dtype"], ([], set()))
        ratios.extend(time / blocked[fastest] for pair, time in blocked.items() if pair != fastest)
        best.add(fastest)
    if not spans:
        return "numpy 2.x's transforms run at different speeds with each pair"
    parts = [f"{dtype}'s other pairs took {min(ratios):.2f}-{max(ratios):.2f} times as long as its fastest"
             + (f", {_NORM_PAIRS.get(next(iter(best)), next(iter(best)))}" if len(best) == 1 else "")
             for dtype, (ratios, best) in spans.items()]
    slower = ("numpy 2.x's float32 transforms are slower unscaled" if spans.get("float32", ([], set()))[1] == {"forward_backward"}
              else "numpy 2.x's transforms run at different speeds with each pair")
    return f"{slower} (in this run {'; '.join(parts)})"


def _fmt(value, spec: str = ".2f", missing: str = "-") -> str:
    if value is None:
        return missing
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def _yes(flag: Optional[bool]) -> str:
    return "n/a" if flag is None else ("**met**" if flag else "**NOT met**")


# ---------------------------------------------------------------------- targets
def _held_out(convergence: dict, default_key: str) -> list[dict]:
    """The default's reach and gain against librosa on the clips that are not dev clips (not used to choose it)."""
    from .common import iterations_to_reach, sc_at

    rows = []
    for c in convergence.get("clips", []):
        run = c.get("runs", {}).get(default_key)
        lib = dict(zip(c.get("librosa", {}).get("counts", []), c.get("librosa", {}).get("sc_db", [])))
        if is_dev(c["name"]) or run is None or 100 not in lib:
            continue
        history = np.asarray(run["history_db"])
        default_100 = sc_at(history, 100) if len(history) else run["final_db"]
        rows.append({"clip": c["name"], "iterations": iterations_to_reach(history, lib[100] + 1e-6),
                     "gain_db": lib[100] - default_100})
    return rows


def _seeds_text(seeds: Optional[dict], convergence: dict, field: str) -> tuple[str, Optional[bool]]:
    """The 8-seed figures of a target from ``bench_seeds`` (``field``: 'gain' or 'iterations'), and
    the verdict on their mean; ("", None) when there is no seeds result for this default and geometry."""
    t = convergence["summary"]["targets"]
    if not seeds or "/".join(seeds.get("default", [])) != t["default"] or seeds.get("iterations") != 100:
        return "", None
    s = seeds["summary"]
    n = seeds["seeds"]
    # does seed 0 give the convergence study's librosa figures (same seeding, same clips)?
    study = {p["clip"]: p["librosa_100_db"] for p in t.get("per_clip", [])}
    same = [abs(c["librosa_db"][0] - study[c["name"]]) < 1e-3 for c in seeds["clips"] if c["name"] in study]
    check = (f"; its seed 0 gives the study's librosa figures on {sum(same)} of {len(same)} clips" if same else "")
    if field == "gain":
        text = (f"; over librosa seeds 0-{n - 1} (`bench_seeds.py`; the default draws nothing), "
                f"{s['mean_gain_db']:.2f} dB on average (per-seed dev means {s['min_gain_db']:.2f} to {s['max_gain_db']:.2f}: "
                + ", ".join(f"{v:.2f}" for v in s["gain_db_per_seed"]) + f"){check}; **the verdict is on the {n}-seed mean**")
        return text, s["gain_met"]
    if s.get("mean_iterations") is None:
        text = f"; over librosa seeds 0-{n - 1} (`bench_seeds.py`) some clip never reaches librosa's SC; **verdict on the {n} seeds**"
        return text, False
    text = (f"; over librosa seeds 0-{n - 1} (`bench_seeds.py`; the default draws nothing), {s['mean_iterations']:.1f} "
            f"iterations on average (per-seed dev means {s['min_iterations']:.1f} to {s['max_iterations']:.1f}: "
            + ", ".join(f"{v:.1f}" for v in s["iterations_per_seed"]) + f"){check}; **the verdict is on the {n}-seed mean**")
    return text, s["reach_met"]


def targets(speed: Optional[dict], iteration: Optional[dict], memory: list, convergence: Optional[dict], paper: Optional[dict],
            pghi_cost: Optional[dict] = None, passes: Optional[dict] = None, methods: Optional[dict] = None,
            seeds: Optional[dict] = None) -> list[tuple]:
    rows = []
    if iteration:
        per = iteration["rows"]
        def minima(field):
            if all("from_minima" in r for r in per):
                return " (from the fastest repeats: " + ", ".join(f"{r['from_minima'][field]:.2f}x" for r in per) + ")"
            return ""

        worst = min(r["speedup_vs_librosa"] for r in per)
        rows.append(("FGLA >= 2.5x faster per iteration than librosa (10 s, 22.05 kHz; all 4 settings)",
                     f"{worst:.2f}x worst, " + ", ".join(f"{r['dtype']} {r['n_fft']}: {r['speedup_vs_librosa']:.2f}x" for r in per)
                     + minima("speedup_vs_librosa"),
                     worst >= 2.5))
        worst = max(r["gl_over_bare"] for r in per)
        # the bare FFT above reads its stored frames from memory, which slows it by 0-25 % from run to run
        # (and so flatters gl); against the FFTs of one block in cache (bench_passes) gl pays its whole overhead
        in_cache = [r["gl_per_block"] / (r["passes"]["rfft"] + r["passes"]["irfft"]) for r in passes["rows"]] if passes else []
        rows.append(("single-threaded FGLA iteration <= 1.3x the bare rfft+irfft",
                     f"{worst:.2f}x worst, " + ", ".join(f"{r['dtype']} {r['n_fft']}: {r['gl_over_bare']:.2f}x" for r in per)
                     + minima("gl_over_bare")
                     + ("; against the same FFTs in cache (`bench_passes`, the stricter baseline, which the verdict also "
                        "needs): " + ", ".join(f"{v:.2f}" for v in in_cache)
                        + "; in-cache floor of this numpy formulation (the sum of its passes over the FFTs, see below): "
                        + ", ".join(f"{r['floor']:.2f}" for r in passes["rows"]) if passes else ""),
                     worst <= 1.3 and all(v <= 1.3 for v in in_cache)))
        worst = max(r["gl2_over_bare"] for r in per)
        # the same bare-FFT noise, on both sides of a two-thread ratio: the fastest repeats must meet it too
        fastest_met = all(r["from_minima"]["gl2_over_bare"] < 0.7 for r in per if "from_minima" in r)
        rows.append(("2-thread FGLA iteration < 0.7x the single-threaded bare FFT",
                     f"{worst:.2f}x worst, " + ", ".join(f"{r['dtype']} {r['n_fft']}: {r['gl2_over_bare']:.2f}x" for r in per)
                     + minima("gl2_over_bare").replace(")", ", which the verdict also needs)", 1) + "; bare FFT itself on 2 threads: "
                     + ", ".join(f"{r['bare2_over_bare']:.2f}x" for r in per),
                     worst < 0.7 and fastest_met))
    for m in memory:
        rows.append((f"peak memory of {m['n_iter']} FGLA iterations on {m['signal_seconds']:.0f} s at {m['sr']} Hz ({m['dtype']}) "
                     "< 4x the complex spectrogram",
                     f"{m['peak_multiple']:.2f}x (tracemalloc), {m['maxrss_multiple']:.2f}x (max-RSS growth)",
                     m["peak_multiple"] < 4))
    if convergence:
        s = convergence["summary"]
        t = s.get("targets", {})
        if "mean_iterations_to_librosa_100" in t:
            held_out = _held_out(convergence, t["default"])
            other = ("; on the clips the default was not tuned on: " + ", ".join(
                f"{h['clip']} {_fmt(h['iterations'], 'd', 'never')} iteration{'' if h['iterations'] == 1 else 's'}, "
                f"{h['gain_db']:.1f} dB better" for h in held_out)
                if held_out else "")  # fmt: skip
            timing = ""
            if speed and speed.get("time_to_quality"):
                against_fgla = [r["gl_fgla_100_seconds"] / r["gl_default_seconds"] for r in speed["time_to_quality"]]
                timing = (f"; in wall time, against gl's own 100 FGLA iterations (librosa's result exactly): "
                          f"{min(against_fgla):.2f}x to {max(against_fgla):.2f}x as fast (a difference-map iteration "
                          f"costs {_dm_in_iterations(methods)}, and PGHI {_pghi_in_iterations(pghi_cost)})")
            seed = convergence.get("seed", 0)
            reach_seeds, reach_met = _seeds_text(seeds, convergence, "iterations")
            rows.append((f"default method ({t['default']}) reaches librosa's 100-iteration SC in <= 25 iterations "
                         "(dev mean; the default was chosen on these clips)",
                         f"librosa seed {seed}: {_fmt(t['mean_iterations_to_librosa_100'], '.1f')} iterations on average "
                         f"(worst {_fmt(t['max_iterations_to_librosa_100'], 'd', 'never')}, {len(t['per_clip'])} clips)"
                         + reach_seeds + timing + other,
                         t["reach_met"] if reach_met is None else reach_met))
            gain_seeds, gain_met = _seeds_text(seeds, convergence, "gain")
            rows.append((f"default method ({t['default']}) >= 8 dB below librosa at 100 iterations (dev mean)",
                         f"librosa seed {seed}: {t['mean_gain_db_at_100']:.2f} dB better on average (worst clip "
                         f"{t['min_gain_db_at_100']:.1f} dB)" + gain_seeds
                         + _equal_work_note(convergence, t["default"], iteration_costs(methods, pghi_cost)),
                         t["gain_met"] if gain_met is None else gain_met))
        c = s.get("coincidence")
        if c:
            others = c.get("max_signal_difference_other_starts")
            rows.append(("gl FGLA = librosa.griffinlim from the same initial phase (curves coincide; signals within 1e-8)",
                         f"max SC difference {c['max_abs_db_difference']:.2e} dB, max abs(y_gl - y_librosa) "
                         f"{c['max_signal_difference']:.1e} over {c['n_clips']} clips"
                         + (f"; from other starts (default_rng and RandomState seeds, see below) up to {others:.1e}: "
                            "the momentum amplifies rounding differently from each draw" if others is not None else "")
                         + (f"; librosa itself, from the same starts rotated by 1e-15 rad, moves up to "
                            f"{c['max_librosa_self_difference']:.1e} from its own result (from the start where gl's distance "
                            f"is largest, gl's is {c['ratio_to_librosa_self_at_largest']:.1f}x librosa's to itself; over all "
                            f"starts at most {c['max_ratio_to_librosa_self']:.1f}x)"
                            if c.get("ratio_to_librosa_self_at_largest") is not None else
                            f"{c['max_librosa_self_difference']:.1e} from its own result (gl's distance is at most "
                            f"{c['max_ratio_to_librosa_self']:.1f}x librosa's to itself from the same start)"
                            if c.get("max_librosa_self_difference") is not None else ""),
                         c["max_abs_db_difference"] < 0.01 and c["max_signal_difference"] < 1e-8
                         and (others is None or others < 1e-8)))
    for r in (pghi_cost or {}).get("rows", []):
        if r.get("default"):
            rows.append(("PGHI costs <= 10 single-threaded FGLA iterations on the same spectrogram (10 s speech, 22.05 kHz, "
                         f"n_fft 1024, hop 256; default tol {r['tol']:g})",
                         f"{r['ratio']:.1f} iterations ({r['pghi_ms']:.0f} ms against {pghi_cost['fgla_iteration_ms']:.2f} ms "
                         f"per iteration, CPU time, median of {pghi_cost['repeats']}"
                         + (f" rounds in each of {pghi_cost['processes']} fresh processes, which gave "
                            + ", ".join(f"{v:.1f}" for v in r["ratio_per_process"]) if r.get("ratio_per_process") else "")
                         + ")" + _load_text(pghi_cost) + "; the margin is small: PGHI's heap is a Python loop, whose speed "
                         "changes from process to process and with the machine's load (the verdict needs every process "
                         f"at 10 or below); PGHI alone {r['sc_db']:.1f} dB",
                         r["ratio"] <= 10 and all(v <= 10 for v in r.get("ratio_per_process") or [])))
    if paper and "rows" in paper.get("phaseret", {}):
        for r in paper["phaseret"]["rows"]:
            source = r.get("source") or ("gl (issue 6)" if r["label"] == "PGHI + FGLA (100 it)" else "phaseret")
            label = (f"greasy (phaseret's geometry, gl's framing): {r['label']} < {r['threshold_db']:g} dB"
                     + (" (phaseret's test)" if source == "phaseret" else " (gl's own target, not phaseret's)"))
            if "sc_db" in r:
                spread = ""
                if r.get("seeds_db") and all(v is not None for v in r["seeds_db"]):
                    spread += f"; seeds 0-{len(r['seeds_db']) - 1}: {min(r['seeds_db']):.2f} to {max(r['seeds_db']):.2f} dB"
                if r.get("reflect_db") is not None:
                    spread += f"; with reflect padding instead of zeros: {r['reflect_db']:.2f} dB"
                if r.get("edge_db") is not None:
                    spread += f", edge padding: {r['edge_db']:.2f} dB"
                seed = f"seed {paper.get('seed', 0)}, " if r.get("how", [None, None])[1] == "random" else ""  # PGHI starts draw nothing
                if r.get("ltfat_tol_db") is not None:  # PGHI: gl's one heap pass against LTFAT's two
                    spread = (f"; with LTFAT's two heap passes (tol {', '.join(f'{v:g}' for v in r['ltfat_heap_tol'])}; "
                              f"`heap_tol=`): {r['ltfat_tol_db']:.2f} dB") + spread
                    rows.append((label, f"{r['sc_db']:.2f} dB (gl's default heap tol 3e-3 with its fill, the verdict's; "
                                 f"zero padding){spread}", r["met"]))
                elif r.get("phaseret_start_db") is not None:  # the verdict from phaseret's own start, the seeds as spread
                    rows.append((label, f"{r['phaseret_start_db']:.2f} dB from phaseret's test's start (zero phase in "
                                 "LTFAT's convention, `S * (-1)**k` in gl's; the verdict's), zero padding; from a random "
                                 f"phase, {seed[:-2]}: {r['sc_db']:.2f} dB{spread} (reflect and edge padding: random seed "
                                 f"{paper.get('seed', 0)})", r["phaseret_start_met"]))
                else:
                    rows.append((label, f"{r['sc_db']:.2f} dB ({seed}zero padding){spread}", r["met"]))
            else:
                rows.append((label, f"not run: {r['skipped']}", None))
    return rows


# ---------------------------------------------------------------------- plots
def plot_convergence(convergence: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    clips = convergence["clips"]
    n = len(clips)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 3.8 * rows), squeeze=False)
    default = "/".join(convergence["default"])
    for ax, clip in zip(axes.flat, clips):
        for k, run in sorted(clip["runs"].items()):
            history = run["history_db"]
            if (not k.endswith("/random") and k != default) or len(history) <= 1:
                continue  # random-init iterative methods and the default; one-pass methods are in the tables
            ax.plot(np.arange(1, len(history) + 1), history, lw=2.2 if k == default else 1.0, label=k)
        lib = clip["librosa"]
        ax.plot(lib["counts"], lib["sc_db"], "ko", mfc="none", ms=7, label="librosa.griffinlim (rerun)")
        ax.set_xscale("log")
        ax.set_title(f"{clip['name']} ({clip['seconds']:.1f} s, {clip['sr']} Hz)", fontsize=9)
        ax.set_xlabel("iteration")
        ax.set_ylabel("spectral convergence (dB)")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=8)
    fig.suptitle("Spectral convergence per iteration, Hann 1024 / hop 256 (random init; default method in bold)")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(out / "convergence.png", dpi=90)
    plt.close(fig)
    made.append("convergence.png")

    # every method x init, mean over the dev clips
    dev = [c for c in clips if is_dev(c["name"])] or clips
    keys = sorted(set.intersection(*[set(c["runs"]) for c in dev]))
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
    colours = plt.get_cmap("tab20").colors
    drawn = [0, 0]
    for k in keys:
        histories = [c["runs"][k]["history_db"] for c in dev]
        length = min(len(h) for h in histories)
        if length <= 1:
            continue
        mean = np.mean([h[:length] for h in histories], axis=0)
        side = 0 if k.endswith(("/random", "/zeros")) else 1
        style = "-" if drawn[side] < len(colours) else "--"
        axes[side].plot(np.arange(1, length + 1), mean, style, color=colours[drawn[side] % len(colours)],
                        lw=2.5 if k == default else 1.0, label=k)
        drawn[side] += 1
    counts = dev[0]["librosa"]["counts"]
    if all(c["librosa"]["counts"] == counts for c in dev):
        lib = np.mean([c["librosa"]["sc_db"] for c in dev], axis=0)
        for ax in axes:
            ax.plot(counts, lib, "ko", mfc="none", ms=7, label="librosa.griffinlim")
    for ax, title in zip(axes, ["random / zero initial phase", "phase-aware initialisers"]):
        ax.set_xscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("mean spectral convergence over the dev clips (dB)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out / "convergence_dev_mean.png", dpi=90)
    plt.close(fig)
    made.append("convergence_dev_mean.png")
    return made


def plot_lengths(speed: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = speed.get("lengths") or []
    if not rows:
        return []
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, dtype in zip(axes, ["float32", "float64"]):
        mine = [r for r in rows if r["dtype"] == dtype]
        seconds = [r["signal_seconds"] for r in mine]
        for field, label, style in [("librosa", "librosa.griffinlim", "s-"), ("gl_1thread", "gl FGLA, 1 thread", "o-"),
                                    ("gl_2threads", "gl FGLA, 2 threads", "o--"), ("bare_fft", "bare rfft+irfft", "k:")]:
            values = [1e3 * r[field] if r[field] > 0 else np.nan for r in mine]  # noise can make t(K) - t(0) <= 0
            ax.plot(seconds, values, style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("signal length (s) at 22.05 kHz")
        ax.set_title(f"{dtype}, n_fft 1024, hop 256")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("time per iteration (ms)")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(out / "speed_vs_length.png", dpi=90)
    plt.close(fig)
    return ["speed_vs_length.png"]


# ---------------------------------------------------------------------- the report
#: Work budgets, in FGLA iterations, at which the methods are compared at equal work.
EQUAL_WORK_BUDGETS = (30, 100, 165, 300)


def iteration_costs(methods: Optional[dict], pghi_cost: Optional[dict], path: str = "unmeasured") -> Optional[tuple[dict, dict, dict]]:
    """Each method's iteration and each start's cost in FGLA iterations, as ``bench_methods`` and
    ``bench_pghi_cost`` measured them (single thread); None without both. ``path``: the plain
    call's ``'unmeasured'`` iterations, or the ``'measured'`` ones of a run that records its
    history (``return_info``, ``tol``, a callback, the command line). Returns ``(per_iteration,
    starts, clip_starts)``: ``starts`` the cost of each start on ``bench_pghi_cost``'s speech
    clip (PGHI's at its default tol), ``clip_starts[clip][init]`` the cost measured on each clip of
    the convergence study, where there is one (a computed start's cost depends on the signal)."""
    if not methods or not pghi_cost or not pghi_cost.get("rows"):
        return None
    fgla = next((r[path] for r in methods["rows"] if r["method"] == "fgla"), None)
    if not fgla:
        return None
    per_iteration = {r["method"]: r[path] / fgla for r in methods["rows"]}
    pghi = next((r for r in pghi_cost["rows"] if r.get("default")), pghi_cost["rows"][0])
    starts = {"random": 0.0, "zeros": 0.0, "pghi": float(pghi["ratio"])}
    clip_starts = {name: dict(clip["starts"]) for name, clip in pghi_cost.get("per_clip", {}).items()}
    return per_iteration, starts, clip_starts


def _dev_names(convergence: dict) -> list[str]:
    return [c["name"] for c in convergence["clips"] if is_dev(c["name"])]


def per_clip_or_none(costs: tuple[dict, dict, dict], convergence: dict) -> tuple[dict, dict, dict]:
    """``costs`` with its per-clip start costs kept only if every dev clip of ``convergence``
    has them (for every start measured): never a mix of the clip's own and the speech clip's."""
    per_iteration, starts, clip_starts = costs
    names = _dev_names(convergence)
    inits = set().union(*(clip_starts.get(name, {}).keys() for name in names)) if names else set()
    complete = bool(names) and all(set(clip_starts.get(name, {})) == inits for name in names) and inits
    return per_iteration, starts, (clip_starts if complete else {})


def start_cost(costs: tuple[dict, dict, dict], init: str, clip: str) -> Optional[float]:
    """What the start ``init`` costs on ``clip``, in FGLA iterations: measured on that clip if it
    was, else on ``bench_pghi_cost``'s speech clip; None if never measured."""
    _, starts, clip_starts = costs
    return clip_starts.get(clip, {}).get(init, starts.get(init))


def _cumulative_work(method: str, n: int, per_iteration: dict, n_dm: int = 40) -> np.ndarray:
    """Work (FGLA iterations) after 1 .. n iterations; dm_fgla's first ``n_dm`` are difference-map iterations."""
    k = np.arange(1, n + 1)
    if method == "dm_fgla":
        return np.where(k <= n_dm, k * per_iteration["dm"], n_dm * per_iteration["dm"] + (k - n_dm) * per_iteration["fgla"])
    return k * per_iteration[method]


def equal_work(convergence: dict, costs: tuple[dict, dict, dict], budgets=EQUAL_WORK_BUDGETS) -> list[dict]:
    """Mean SC over the dev clips of each method / init after the iterations a budget of work pays for,
    each clip charged its own start cost (:func:`start_cost`, per clip only if every clip has one:
    :func:`per_clip_or_none`). ``capped[budget]``: some run's history ended before the budget did
    (its last value is used). Starts never measured are left out."""
    costs = per_clip_or_none(costs, convergence)
    per_iteration = costs[0]
    clips = [c for c in convergence["clips"] if is_dev(c["name"])]
    if not clips:
        return []
    rows = []
    for key in sorted({k for c in clips for k in c["runs"]}):
        method, init = key.split("/")
        if method not in per_iteration or not all(key in c["runs"] for c in clips):
            continue
        if any(start_cost(costs, init, c["name"]) is None for c in clips):
            continue
        means, iterations, capped = {}, {}, {}
        for budget in budgets:
            values, counts, capped[budget] = [], [], False
            for c in clips:
                run = c["runs"][key]
                history = np.asarray(run["history_db"], dtype=np.float64)
                work = start_cost(costs, init, c["name"]) + _cumulative_work(method, history.size, per_iteration)
                affordable = int(np.sum(work <= budget + 1e-9))
                capped[budget] |= affordable == history.size and history.size > 0 and work[-1] < budget - 1e-9
                values.append(history[affordable - 1] if affordable else (run.get("initial_db") if run.get("initial_db") is not None else np.nan))
                counts.append(affordable)
            iterations[budget] = (min(counts), max(counts))
            means[budget] = float(np.mean(values)) if np.all(np.isfinite(values)) else None
        rows.append({"key": key, "mean_db": means, "iterations": iterations, "capped": capped})
    return rows


def crossover(convergence: dict, costs: tuple[dict, dict, dict], key: str, budgets=None) -> Optional[dict]:
    """Where ``key`` is the best of the equal-work table, on a fine grid of budgets: the first
    budget from which it stays best up to the last one the histories reach, and who leads before."""
    budgets = budgets if budgets is not None else tuple(range(5, 301, 1))
    rows = [r for r in equal_work(convergence, costs, budgets) if not any(r["capped"].values())]
    if not any(r["key"] == key for r in rows):
        return None
    leaders = [min((r for r in rows if r["mean_db"][b] is not None), key=lambda r: r["mean_db"][b])["key"] for b in budgets]
    if leaders[-1] != key:
        return {"from": None, "before": sorted(set(leaders))}
    start = len(leaders)
    while start > 0 and leaders[start - 1] == key:
        start -= 1
    return {"from": budgets[start], "before": sorted(set(leaders[:start]))}


def _equal_work_note(convergence: dict, default: str, costs: Optional[tuple[dict, dict, dict]]) -> str:
    """The default against librosa's algorithm (gl's FGLA from a random phase) at equal work, for the target row:
    on each dev clip at the work of the default's 100 iterations and its start there, and at 100 FGLA iterations."""
    if costs is None:
        return ""
    method, init = default.split("/")
    costs = per_clip_or_none(costs, convergence)
    per_iteration, by_clip = costs[0], bool(costs[2])
    clips = [c for c in convergence["clips"] if is_dev(c["name"])]
    if not clips or method not in per_iteration or any(k not in c["runs"] for c in clips for k in (default, "fgla/random")):
        return ""
    own, gains = [], {"own": [], 100: []}
    for c in clips:
        start = start_cost(costs, init, c["name"])
        if start is None:
            return ""
        mine = np.asarray(c["runs"][default]["history_db"], dtype=np.float64)
        fgla = np.asarray(c["runs"]["fgla/random"]["history_db"], dtype=np.float64)
        if mine.size < 100 or fgla.size < 100:
            return ""  # the note speaks of the default's 100 iterations and of 100 FGLA iterations
        work = start + _cumulative_work(method, mine.size, per_iteration)
        cost = float(work[99])
        affordable = int(np.floor(cost + 1e-9))  # FGLA iterations that work pays for, as equal_work counts them
        if fgla.size < affordable:
            return ""  # FGLA's history ends before the default's cost
        own.append(cost)
        gains["own"].append(fgla[affordable - 1] - mine[99])
        paid = int(np.sum(work <= 100 + 1e-9))
        gains[100].append(fgla[99] - (mine[paid - 1] if paid else np.nan))
    at_100 = float(np.mean(gains[100]))
    spread = f"{min(own):.0f}" if round(min(own)) == round(max(own)) else f"{min(own):.0f} to {max(own):.0f}"
    return (f"; at equal work (its 100 iterations and its {init} start cost {spread} FGLA iterations"
            + (" by clip" if by_clip else "") + f"), {np.mean(gains['own']):.1f} dB better than gl's FGLA from a random "
            "phase, librosa's algorithm, at the same work" + (" on each clip" if by_clip else "")
            + (f", and {at_100:.1f} dB at the cost of 100 FGLA iterations" if np.isfinite(at_100) else "")
            + " (see 'At equal work' below)")


def _load_text(result: Optional[dict]) -> str:
    """The machine's load averages when a result was saved, if recorded."""
    load = (result or {}).get("environment", {}).get("load_average")
    return "" if not load else f" (load average {load[0]:.1f} / {load[1]:.1f} over the last 1 / 5 minutes)"


def _range_text(span: tuple[int, int]) -> str:
    low, high = span
    return f"{low}" if low == high else f"{low}-{high}"


def _dm_in_iterations(methods: Optional[dict]) -> str:
    """A difference-map iteration's cost in FGLA iterations as ``bench_methods`` measured it."""
    costs = {r["method"]: r["unmeasured"] for r in (methods or {}).get("rows", [])}
    if "dm" not in costs or not costs.get("fgla"):
        return "about two FGLA iterations (two sweeps; bench_methods.py measures it)"
    return f"{costs['dm'] / costs['fgla']:.1f} FGLA iterations"


def _pghi_in_iterations(pghi_cost: Optional[dict]) -> str:
    """PGHI's cost in FGLA iterations as ``bench_pghi_cost`` measured it (not a number typed in)."""
    rows = (pghi_cost or {}).get("rows", [])
    if not rows:
        return "several FGLA iterations (bench_pghi_cost.py measures it)"
    text = f"{rows[0]['ratio']:.1f} FGLA iterations on 10 s of speech"
    per_clip = [clip["starts"]["pghi"] for name, clip in (pghi_cost.get("per_clip") or {}).items()
                if is_dev(name) and clip.get("starts", {}).get("pghi") is not None]
    if per_clip:  # how many coefficients the heap integrates depends on the signal
        text += f", {min(per_clip):.0f} to {max(per_clip):.0f} on the dev clips"
    return text + ", bench_pghi_cost.py"


#: The lines of the project's README between which ``python -m benchmarks report`` writes :func:`summary`.
SUMMARY_START = "<!-- benchmark summary: written by `python -m benchmarks report` from benchmarks/results; do not edit -->"
SUMMARY_END = "<!-- end of the benchmark summary -->"


def _made(result: dict, speed: dict) -> str:
    """``; <date>, git <commit>, load average <1 min>`` of a result file made by another run than the speed study's."""
    env, reference = result.get("environment", {}), speed.get("environment", {})
    if env.get("git") == reference.get("git") and env.get("date_utc", "")[:10] == reference.get("date_utc", "")[:10]:
        return ""
    return (f"; {env.get('date_utc', '?')[:10]}" + (f", git {env['git']}" if env.get("git") else "")
            + (f", load average {env['load_average'][0]:.1f}" if env.get("load_average") else ""))


def _span(values, spec: str = ".1f") -> str:
    return f"{min(values):{spec}} to {max(values):{spec}}"


def summary(out: Path) -> Optional[str]:
    """The project README's paragraph of headline figures, from the JSON in ``out`` (None without a speed study)."""
    speed = load("speed", out)
    iteration = (speed or {}).get("iteration")
    if not iteration:
        return None
    env = speed["environment"]
    per = iteration["rows"]
    text = (f"In the last speed study ({env['cpu']}, {env['cpu_count']} cores, {env['date_utc'][:10]}, git {env['git']}; "
            f"{iteration['signal']}) one fast-GLA iteration took {_span([r['speedup_vs_librosa'] for r in per])} times less "
            "than librosa's")
    torchaudio = load("torchaudio", out)
    if torchaudio:
        rows = torchaudio["rows"]
        text += (f", {_span([r['speedup_1thread'] for r in rows])} times less than torchaudio's (on one thread each; "
                 f"{_span([r['speedup_2threads'] for r in rows])} on two{_made(torchaudio, speed)})")
    text += f" and {_span([r['gl_over_bare'] for r in per], '.2f')} times the bare FFTs"
    passes = load("passes", out)
    if passes:
        in_cache = [r["gl_per_block"] / (r["passes"]["rfft"] + r["passes"]["irfft"]) for r in passes["rows"]]
        text += f" ({_span(in_cache, '.2f')} times the same FFTs run in cache{_made(passes, speed)})"
    geometries = load("geometries", out)
    if geometries:
        rows = geometries["rows"]
        kinds = len({(r["n_fft"], r["hop_length"], r["win_length"]) for r in rows})
        text += (f"; {_span([r['speedup_vs_librosa'] for r in rows])} times less than librosa's in the {kinds} other "
                 f"geometries of `bench_geometries.py`" + (f" ({_made(geometries, speed)[2:]})" if _made(geometries, speed) else ""))
    quality = speed.get("time_to_quality") or []
    if quality:
        text += (f"; and gl's default method reached librosa's 100-iteration quality "
                 f"{_span([r['speedup_default'] for r in quality])} times sooner on the {len(quality)} recordings of the dev "
                 "corpus (the recordings it was chosen on, stopped by a callback that knows librosa's result: a best "
                 "case; against gl's own fast Griffin-Lim, which gives librosa's result to rounding, "
                 f"{_span([r['gl_fgla_100_seconds'] / r['gl_default_seconds'] for r in quality], '.2f')} times as fast)")
    return text + "."


def update_summary(project_readme: Path, text: str) -> bool:
    """Write ``text`` between the summary markers of ``project_readme``; True if the file changed."""
    if not project_readme.exists():
        return False
    current = project_readme.read_text()
    start, end = current.find(SUMMARY_START), current.find(SUMMARY_END)
    if start < 0 or end < start:
        return False
    updated = current[: start + len(SUMMARY_START)] + "\n" + text + "\n" + current[end:]
    if updated != current:
        project_readme.write_text(updated)
    return updated != current


def speech_against_rtisila2(streaming_cost: dict) -> str:
    """RTPGHI(1)'s spectral convergence against RTISI-LA(2)'s on the speech clips, in words."""
    gaps = []
    for row in streaming_cost["rows"]:
        if "speech" in row["clip"]:
            db = {(stream["method"], stream["lookahead"]): stream["sc_db"] for stream in row["streams"]}
            gaps.append(f"{row['clip'].split('_')[0]} {db[('rtpghi', 1)] - db[('rtisila', 2)]:+.1f} dB")
    return ("its spectral convergence against RTISI-LA(2)'s on the speech clips: " + ", ".join(gaps)) if gaps else "no speech clip"


def build(out: Path, readme: Path) -> Path:
    speed = load("speed", out)
    iteration = (speed or {}).get("iteration") or load("iteration", out)
    convergence = load("convergence", out)
    paper = load("paper", out)
    memory_result = load("memory", out)
    pghi_cost = load("pghi_cost", out)
    methods = load("methods", out)
    passes = load("passes", out)
    torchaudio = load("torchaudio", out)
    geometries = load("geometries", out)
    memory_methods = load("memory_methods", out)
    seeds = load("seeds", out)
    mel = load("mel_inversion", out)
    low_overlap = load("low_overlap", out)
    rtisila_low_overlap = load("rtisila_low_overlap", out)
    rtisila = load("rtisila", out)
    rtisila_windows = load("rtisila_windows", out)
    longform_quality = load("longform_quality", out)
    longform_synthetic = load("longform_synthetic_quality", out)
    longform_hour = load("longform_hour", out)
    last_block = load("last_block", out)
    longform_low_overlap = load("longform_low_overlap", out)
    librosa_rounding = load("librosa_rounding", out)
    streaming_cost = load("streaming_cost", out)
    redundancy = load("redundancy", out)
    memory = (memory_result or {}).get("rows") or (iteration or {}).get("memory") or []
    plots: list[str] = []
    try:
        if convergence:
            plots += plot_convergence(convergence, out)
        if speed:
            plots += plot_lengths(speed, out)
    except ImportError:  # pragma: no cover - matplotlib missing
        pass
    rel = Path(*(out.resolve().relative_to(readme.parent.resolve()).parts)) if out.resolve() != readme.parent.resolve() else Path(".")
    env = next((d["environment"] for d in (speed, iteration, convergence, paper) if d), None)

    L = ["# gl benchmarks", ""]
    out_flag = "" if out.resolve() == RESULTS.resolve() else f" --out {out}"
    loaded = (speed, iteration, convergence, paper, memory_result, pghi_cost, methods, passes, torchaudio, geometries,
              memory_methods, seeds, mel, low_overlap, rtisila_low_overlap, rtisila, rtisila_windows, longform_quality,
              longform_synthetic, longform_hour, last_block, longform_low_overlap, librosa_rounding, streaming_cost, redundancy)
    quick_commands = [str(d["environment"]["command"]) for d in loaded
                      if d and "--quick" in str(d.get("environment", {}).get("command", ""))]
    quick = bool(quick_commands)
    made_by = (f"`{quick_commands[0].replace(' --no-report', '')}` (the quick run; `python -m benchmarks report{out_flag}` "
               "rebuilds it)" if quick else f"`python -m benchmarks report{out_flag}`")
    L += [f"Generated by {made_by} from the JSON files in "
          f"`{rel}/`; do not edit by hand. `python -m benchmarks` reruns the speed, memory, convergence and paper "
          "studies (`--quick` for a two-minute version; `--help` for the options); the other files come from the "
          "scripts of `benchmarks/`, each listed below with the command, date and commit that made it.", ""]
    if quick or (out.resolve() != RESULTS.resolve() and out.name == "quick"):
        L += ["**Quick run**: small inputs, few iterations and repeats. Its verdicts are not the targets' (those need the "
              "full run).", ""]
    if env:
        commit = f", git {env['git']} (each file's own below)" if env.get("git") else ""
        L += [f"Measured {env['date_utc']} UTC on **{env['cpu']}** ({env['cpu_count']} cores), Python {env['python']}, "
              f"numpy {env['numpy']}, librosa {env['librosa']}, gl {env['gl']}{commit}; environment {env['env'] or '{}'}. "
              "**The machine is shared with other jobs and noisy**: timings are medians after warm-up, and the ratios "
              "(gl / librosa / bare FFT) are measured side by side in one process, round-robin, which makes them "
              "more trustworthy than the absolute times.", ""]

    commands = []
    for name, data in (("speed", speed), ("per-iteration", iteration if not speed else None), ("memory", memory_result),
                       ("convergence", convergence), ("paper", paper), ("PGHI cost", pghi_cost), ("methods", methods),
                       ("passes", passes), ("torchaudio", torchaudio), ("geometries", geometries),
                       ("memory of each method", memory_methods), ("librosa seeds", seeds), ("mel inversion", mel),
                       ("low overlap", low_overlap), ("RTISI-LA at low overlap", rtisila_low_overlap), ("RTISI-LA", rtisila),
                       ("RTISI-LA's newest-frame windows", rtisila_windows), ("long inputs in blocks", longform_quality),
                       ("long inputs, the default blocks", longform_synthetic), ("an hour in blocks", longform_hour),
                       ("long inputs, the last block", last_block),
                       ("long inputs at low overlap", longform_low_overlap),
                       ("rounding against librosa", librosa_rounding), ("the two streams' cost", streaming_cost),
                       ("fewer magnitudes than samples", redundancy)):
        if data and data.get("environment", {}).get("command"):
            made = data["environment"]
            dirty = str(made.get("git", "")).endswith("+dirty")
            commands.append(f"- {name}: `{made['command']}` ({made['date_utc']} UTC"
                            + (f", git {made['git']}" if made.get("git") else "")
                            + (" - **from uncommitted changes** to that commit" if dirty else "")
                            + (f", load average {made['load_average'][0]:.1f}" if made.get("load_average") else "") + ")")
    if commands:
        L += ["Commands that produced these results:", ""] + commands + [""]
    L += ["## Targets", "", "| target | measured | status |", "|---|---|---|"]
    for label, measured, met in targets(speed, iteration, memory, convergence, paper, pghi_cost, passes, methods, seeds):
        L.append(f"| {label} | {measured} | {_yes(met)} |")
    L.append("")
    if iteration:
        shares = ", ".join(f"{r['dtype']} {r['n_fft']}: {r['bare2_over_bare']:.2f}x" for r in iteration["rows"])
        L += [f"About the two-thread target: in the same run, the bare FFT itself split over two threads took {shares} "
              "of its single-thread time (ideal 0.5x). Well above 0.5x means the second core did not give a whole core "
              "at that moment: on this shared virtual machine a two-thread call that follows a few ms of single-threaded "
              "work started up to 2x slower than the same call repeated (the second vCPU has to be woken and rescheduled "
              "by the host), which is why each timed call now follows an untimed one of the same function; other jobs "
              "can still take the core. gl's two-thread iteration against that two-thread bare FFT is in the last "
              "column of the table below.", ""]
    if librosa_rounding:
        made = librosa_rounding["environment"]
        rows = {row["variant"]: row["max_abs_to_librosa"] for row in librosa_rounding["rows"]}
        single = [value for name, value in rows.items() if name.startswith(("gl's STFT", "librosa's transforms"))]
        ours = next(value for name, value in rows.items() if name.startswith("gl.griffinlim"))
        itself = next(value for name, value in rows.items() if name.startswith("librosa from the start rotated"))
        L += [f"About the librosa-equality target: `{made['command']}` ({made['date_utc']} UTC) runs librosa's loop written "
              "out (equal to `librosa.griffinlim` to the last bit) with one part at a time done as gl does it, the same "
              "algebra rounded another way, from the start where gl is farthest from librosa. Each single change of "
              f"rounding lands {min(single):.1e} to {max(single):.1e} from librosa's result, librosa from its own start "
              f"rotated by 1e-15 rad {itself:.1e}, and `gl.griffinlim`, which rounds every part its own way and sums the "
              f"overlap-add in another order, {ours:.1e}: no one part of gl's arithmetic makes the distance, the iteration "
              "amplifies whatever rounding differs from librosa's, from this start.", "",
              librosa_rounding_table(librosa_rounding), ""]

    if iteration:
        L += ["## Time per fast-GLA iteration (issue 2)", "",
              f"Signal: {iteration['signal']}. One iteration = (median t(n_iter=K) - median t(n_iter=0)) / K with "
              f"K = {iteration['rows'][0]['iterations_K']}, {iteration['rows'][0]['repeats']} repeats, so that setup and the "
              "final transforms are not counted. Bare FFT = `np.fft.rfft` + `np.fft.irfft` of the same windowed frames "
              "into preallocated arrays, K passes per timed call divided by K (the fastest of the whole matrix at once and of "
              f"1 MiB blocks with each pair of numpy `norm` modes: {_norms_text(iteration['rows'])}, and gl picks the fast pair "
              "per dtype too, see `gl.transform.fft_norms`, while librosa calls numpy's "
              "FFTs with their default norms, which is part of its float32 time); the last column is that blocked "
              "FFT (its fastest norms) split over two threads, i.e. what the hardware gives a second thread at that moment. Every "
              "timed call comes right after an untimed call of the same function (the steady state of a long run).", "",
              markdown_table(iteration["rows"]), ""]
        if all("from_minima" in r for r in iteration["rows"]):
            L += ["The same ratios from the fastest of the repeats instead of the median (less sensitive to the other "
                  "jobs on the machine). The targets above take the median, and a verdict of met also needs the two-thread "
                  "ratio here below 0.7 and the single-thread ratio against the FFTs in cache at most 1.3: a bare FFT slowed "
                  "by the machine flatters the median ratios.", "",
                  "| dtype | n_fft / hop | gl 1 thr (ms) | gl 2 thr (ms) | librosa (ms) | bare FFT (ms) | librosa / gl | gl / bare | gl 2 thr / bare |",
                  "|---|---|---|---|---|---|---|---|---|"]
            for r in iteration["rows"]:
                m = r["from_minima"]
                L.append(f"| {r['dtype']} | {r['n_fft']} / {r['hop_length']} | {1e3 * m['gl_1thread']:.2f} | "
                         f"{1e3 * m['gl_2threads']:.2f} | {1e3 * m['librosa']:.2f} | {1e3 * m['bare_fft']:.2f} | "
                         f"{m['speedup_vs_librosa']:.2f}x | {m['gl_over_bare']:.2f} | {m['gl2_over_bare']:.2f} |")
            L.append("")
    if memory:
        L += ["### Peak memory", "",
              "FGLA with `n_threads` left at its default, in a fresh process after `np.load` of S. tracemalloc peak = "
              "largest extra memory numpy held during the call (S itself excluded); max-RSS growth = how much the "
              "process's peak resident size grew during the call, which understates it (the peak before the call "
              "already includes what `np.load` held), so the target reads tracemalloc.", "", memory_table(memory), ""]
    if passes:
        above = [100 * (r["gl_per_block"] / r["total"] - 1) for r in passes["rows"]]
        L += ["### Where an iteration's time goes", "",
              f"`{passes['environment']['command']}` ({passes['environment']['date_utc']} UTC; {passes['signal']}): each numpy "
              "call of the single-threaded sweep timed alone on one block of the engine, with its own buffers, in cache "
              f"(the fastest of {passes['repeats']} repeats of {passes['calls']} calls), in microseconds per block. Their "
              "sum over the two FFTs is the in-cache floor of gl / bare FFT for this way of writing the iteration in numpy: "
              f"Python between the calls can only add to it (the real iteration per block is {min(above):.0f} to {max(above):.0f} % "
              "above the sum: the Python, the few passes of each sweep's end, the target magnitude read from memory), and "
              "only fewer passes could go below it. The bare FFT of the stored frames reads them from memory, which "
              "puts the measured gl / bare a little below or above the floor from run to run.", "",
              passes_table(passes), ""]
    if methods:
        L += ["## One iteration of each method", "",
              f"{methods['signal']}, {methods['n_threads']} thread(s); one iteration = (median t(n_iter=K) - median "
              f"t(n_iter=0)) / K with K = {methods['iterations_K']}, {methods['repeats']} repeats, round-robin. Without the "
              "history (a plain call) FGLA and AGLA keep their momentum sequences as signals; with it (`return_info`, "
              "`tol` or a callback) every sweep also measures `|STFT(x)|`, and FGLA and AGLA keep them as spectrograms. "
              f"Bare FFT: {1e3 * methods['bare_fft']:.2f} ms. `dm` makes two sweeps per iteration; `dm_fgla` runs its "
              "difference-map iterations first, so its figure depends on K.", "", methods_table(methods), ""]
    if memory_methods:
        where = memory_methods_where(memory_methods)
        L += ["## Peak memory of each method", "",
              f"`benchmarks/bench_memory_methods.py` ({memory_methods['signal']}): `gl.reconstruct` with each method "
              "from its own default start, and with no method (the default), each call in a fresh process after "
              f"`np.load` of S and a warm-up call on S's first {memory_methods['warm_up_frames']} frames. Each cell is the "
              "tracemalloc peak of the call (S itself excluded, the returned signal included) divided by the complex "
              "spectrogram's size (n_freq x n_frames x 8 bytes in float32, 16 in float64), and in brackets the growth "
              "of the process's max-RSS during the call, which understates it (the peak before the call already "
              "includes what loading S and the warm-up held). The iterative methods run "
              f"{memory_methods['iterations']} iterations (dm_fgla and the default 40 more, to enter their fast "
              "Griffin-Lim phase); the last column is the single-threaded peak with "
              f"{memory_methods['check_iterations']} instead, over this one: the working arrays are all made in the "
              "first iterations.", "", memory_methods_table(memory_methods), ""]
        if where:
            L += [where, ""]
    if geometries:
        L += ["## Other geometries", "",
              "Fast GLA per iteration in the geometries people use, most with a hop that does not divide n_fft "
              "(`benchmarks/bench_geometries.py`): 10 s of real audio at each rate, timed as in the issue-2 table, "
              f"K = {geometries['iterations_K']}, {geometries['repeats']} repeats, librosa with the same window, centring "
              "and initial phase. `fused`: gl's one-einsum synthesis took the geometry.", "",
              geometries_table(geometries["rows"]), ""]
        if geometries.get("fft_sizes"):  # not in results from before 2026-12-01
            sizes = geometries["fft_sizes"]
            L += ["### FFT sizes", "",
                  f"The same timing, float32, on {sizes[0]['signal']}, at each FFT size with the hop of the power of two "
                  "nearest it (n_fft / 4 of that power: the same frames), periodic Hann, centred: NumPy's FFT is fastest "
                  "for sizes with small prime factors. The last two columns: gl's iteration (one thread) and the bare FFT "
                  "over the power of two's at the same hop; `gl.STFT`'s notes quote them" + _load_text(geometries) + ".", "",
                  fft_sizes_table(sizes), ""]
    if mel:
        env_m = mel["environment"]
        blas_threads = mel.get("blas_threads", env_m.get("env", {}).get("OPENBLAS_NUM_THREADS", "BLAS's default"))
        L += ["## Mel spectrogram inversion", "",
              f"`{env_m['command']}` ({env_m['date_utc']} UTC; BLAS threads: {blas_threads}): "
              f"{mel['seconds']:g} s excerpts of the dev corpus, librosa's mel defaults (Slaney, 128 mels, power 2; n_fft "
              "1024 at 16 kHz, 2048 above, hop n_fft / 4). The linear magnitude from the mel spectrogram by gl's NNLS "
              "(`gl.mel.mel_to_stft`, 200 iterations) against `librosa.feature.inverse.mel_to_stft` (L-BFGS-B), spectral "
              "convergence against the true |X| and time; gl's NNLS again with its products by BLAS instead of over the "
              "filters' bands; then the audio after 32 fast-GLA iterations from the same seeded random phase "
              f"(librosa's `mel_to_audio` as its two steps). Medians of {mel['repeats']}, round-robin.", "",
              mel_table(mel["rows"]), ""]
        if mel.get("short_rows"):  # not in results from before 2026-12-01
            L += ["Short inputs, where gl's NNLS makes its products by BLAS (under 2^16 bins x frames): 200 iterations "
                  "of `gl.mel.mel_to_stft` on the first frames of d01 and d02 after 1 s, 128 mels, on one BLAS thread and "
                  "on BLAS's default threads ("
                  + ", ".join(f"{b['internal_api']} {b['version']}, {b['num_threads']}" for b in mel.get("blas", []))
                  + f"), round-robin, medians of {mel['repeats']}. What the threads cost depends on what else runs on "
                  "the cores" + _load_text(mel) + "; the README's advice on `OPENBLAS_NUM_THREADS` quotes this table.", "",
                  mel_short_table(mel["short_rows"]), ""]
    if low_overlap:
        env_l = low_overlap["environment"]
        L += ["## Windows that barely overlap", "",
              f"`{env_l['command']}` ({env_l['date_utc']} UTC): the first {low_overlap['seconds']:g} s of each dev clip, "
              "greasy and gspi (means; the worst in brackets), and a 440 Hz sine and a four-note chord, frames not "
              "centred (scipy's framing), inverted by `gl.Spectrogram.invert` three ways: least squares "
              "(`floor_between_frames=False`), the iterations dividing by 10 % of the largest window sum between "
              "frames, their result by 0.1 % where the sum is below that (`True`; `RESULT_FLOOR`: Hann 1024/1000 "
              "only), and gl's choice (`None`, the default: least squares, run again with the floor when "
              "the result's samples between frames carry more than twice the energy of the others). SC given: "
              "against the spectrogram inverted; SC at hop n_fft/8: the result's spectrogram at a denser hop "
              "against the signal's, which shows the samples between frames (0 dB is as far as silence); level: "
              "RMS against the signal's; peak: the largest sample against the signal's. The last geometry is not "
              "`gl.STFT.low_overlap`: its rows are the same.", "",
              low_overlap_table(low_overlap["rows"]), ""]
    if redundancy:
        env_d = redundancy["environment"]
        L += ["## Fewer magnitudes than samples", "",
              f"`{env_d['command']}` ({env_d['date_utc']} UTC): the first {redundancy['seconds']:g} s of each dev clip "
              "(means; the worst in brackets) through scipy's default window (Tukey 0.25 of 256, frames not centred) at "
              "hops from scipy's default, 224, down to a quarter of the FFT, inverted by `gl.Spectrogram.invert` at its "
              "defaults. A frame adds 129 magnitudes and hop samples: below one magnitude a sample many signals share "
              "the magnitudes, and a close match to them (what `gl invert` reports) says little of how close the "
              "result is to the recording (its spectrogram at hop 32 against the recording's; 0 dB is as far as "
              "silence). The importers and `gl roundtrip` / `gl spectrogram` warn below one.", "",
              redundancy_table(redundancy["rows"]), ""]
    if rtisila_low_overlap:
        env_r = rtisila_low_overlap["environment"]
        L += ["### RTISI-LA", "",
              f"`{env_r['command']}` ({env_r['date_utc']} UTC): the same signals, geometries and measures, RTISI-LA with "
              "its defaults (a stream cannot run again when its result shows spikes): its analysis dividing the "
              "overlap-added samples by the window sum D, and by max(D, 0.1 max D), what `gl.rtisila` does where the "
              "windows barely overlap (`LOW_OVERLAP_FLOOR`); the samples returned stay least squares either way, but "
              "where the window sum is below 0.1 % of its peak (`RESULT_FLOOR`: Hann 1024/1000), divided by that.", "",
              rtisila_low_overlap_table(rtisila_low_overlap["rows"]), ""]
    if rtisila:
        env_s = rtisila["environment"]
        windows = {"rule": "gl's rule for the newest frame's windows", "v": "the newest frame analysed with v everywhere",
                   "dual": "the newest frame analysed with phaseret's v / D everywhere"}[rtisila["newest_window"]]
        L += ["## RTISI-LA, frame by frame", "",
              f"`{env_s['command']}` ({env_s['date_utc']} UTC"
              + (f", load average {env_s['load_average'][0]:.1f} on {env_s['cpu_count']} cores" if env_s.get("load_average") else "")
              + "): `gl.rtisila` (the stream run over "
              "the whole spectrogram) on greasy, whole, in Hann 1024/256 and phaseret's Blackman 1024/128, and on the "
              f"first {rtisila['seconds']:g} s of each dev clip in Hann 1024/{rtisila['hop']} ({windows}), with each "
              "look-ahead L and number of iterations per frame: the spectral convergence of the result against the "
              "spectrogram inverted (dB) and, in brackets, the seconds of computing per second of audio (wall clock, "
              f"median of {rtisila['repeat']} after a warm-up; the machine is shared, so an upper bound: the JSON also "
              "holds the process's CPU time). The last row is the mean over the dev clips, which `gl.rtisila`'s notes "
              "quote.", "", rtisila_table(rtisila), "",
              "Greasy with `gl.rtisila`'s defaults (the geometry's default look-ahead, 5 iterations per frame), the "
              "returned signal at its default length and at the recording's:", "", rtisila_defaults_table(rtisila), ""]
    if streaming_cost:
        env_c = streaming_cost["environment"]
        against_two, against_three = streaming_cost["rtpghi1_over_rtisila2"], streaming_cost["rtpghi1_over_rtisila3"]
        L += ["## The two streams: cost and quality at each look-ahead", "",
              f"`{env_c['command']}` ({env_c['date_utc']} UTC"
              + (f", load average {env_c['load_average'][0]:.1f} on {env_c['cpu_count']} cores" if env_c.get("load_average") else "")
              + f"): `gl.rtisila` (5 iterations per frame) and `gl.rtpghi` over the first {streaming_cost['seconds']:g} s of "
              "each dev clip (channels averaged), Hann 1024/256, one thread, with each look-ahead (the latency a stream adds, "
              "in hops). Each cell: the spectral convergence of the result against the spectrogram inverted (dB) and, in "
              "brackets, the seconds of computing per second of audio (the process's CPU time, median of "
              f"{streaming_cost['repeats']} rounds after a warm-up, the streams taking turns). RTPGHI(1) took "
              f"{against_two['min']:.2f} to {against_two['max']:.2f} times RTISI-LA(2)'s time ({speech_against_rtisila2(streaming_cost)}) "
              f"and {against_three['min']:.2f} to {against_three['max']:.2f} times RTISI-LA(3)'s (its default look-ahead "
              "here).", "", streaming_cost_table(streaming_cost), ""]
    if rtisila_windows:
        env_w = rtisila_windows["environment"]
        clips = rtisila_windows["clips"]
        L += ["## RTISI-LA, the newest frame's windows", "",
              f"`{env_w['command']}` ({env_w['date_utc']} UTC): `gl.rtisila` ({rtisila_windows['lookahead']} look-ahead, "
              f"{rtisila_windows['n_iter_per_frame']} iterations per frame) on the first {rtisila_windows['seconds']:g} s of "
              f"{len(clips)} clips ({', '.join(c.split('_')[0] for c in clips)}), in geometries where the window sum D varies "
              "over a hop, with the newest frame of the buffer analysed three ways: "
              + ", ".join(f"{choice}" for choice in rtisila_window_choices) + " (gl's rule, "
              "`gl.rtisila.uses_dual_windows`, takes phaseret's overlaid dual windows v / D where each frame overlaps "
              "only its neighbours and D varies little enough, the window v = sum w[k - i a] elsewhere: its column "
              "repeats one of the other two). Each cell: the spectral convergence of the result against the "
              f"spectrogram inverted, dB, mean over the {len(clips)} clips (the JSON holds each clip's); `gl.rtisila`'s "
              "notes quote the last two columns with D max / min.", "", rtisila_windows_table(rtisila_windows), ""]
    if longform_quality:
        env_q = longform_quality["environment"]
        L += ["## Long inputs in blocks: the quality cost", "",
              f"`{env_q['command']}` ({env_q['date_utc']} UTC): {longform_quality['method'].upper()}, "
              f"{longform_quality['n_iter']} iterations from a random initial phase (`rng={longform_quality['rng']}`, the "
              f"same seed both ways), on whole dev clips, `gl.{longform_quality['geometry']}` ("
              f"{longform_quality['magnitude_dtype']} magnitude): `gl.reconstruct` in one shot against `gl.reconstruct_long` "
              f"in blocks of the frames given, sharing {longform_quality['overlap_frames']}. Spectral convergence of each "
              "result against the spectrogram inverted, and the cost of the blocks (positive: worse in blocks); "
              "`gl.longform`'s notes quote the costs.", "", longform_quality_table(longform_quality), ""]
    if longform_synthetic:
        env_q, q = longform_synthetic["environment"], longform_synthetic
        L += ["### The default blocks, on a synthetic signal", "",
              f"`{env_q['command']}` ({env_q['date_utc']} UTC): {q['method'].upper()}, {q['n_iter']} iterations from a "
              f"random initial phase (`rng={q['rng']}`, both ways), `gl.{q['geometry']}` ({q['magnitude_dtype']} magnitude), "
              f"on {q['seconds']:g} s of the script's synthetic mix at {q['sr']} Hz (gliding harmonic tones, a rising "
              "chirp, a chord, noise; the JSON holds its SHA-256): `gl.reconstruct` in one shot against "
              f"`gl.reconstruct_long` with `sr={q['sr']}` and its default blocks ({q['block_seconds']:g} s, sharing "
              f"{q['overlap_seconds']:g} s). Spectral convergence against the spectrogram inverted, the cost of the blocks "
              "(positive: worse in blocks) and the wall time of each (one run each, on a shared machine)"
              + _load_text(q) + "; `gl.longform`'s notes quote the cost.", "", longform_synthetic_table(q), ""]
    if longform_hour:
        env_h, h = longform_hour["environment"], longform_hour
        L += ["### An hour in blocks", "",
              f"`{env_h['command']}` ({env_h['date_utc']} UTC): {h['seconds']:g} s of the script's synthetic mix at {h['sr']} Hz "
              f"({h['n_frames']} frames of `gl.{h['geometry']}`, a {h['magnitude_dtype']} magnitude read from disk a block at a "
              f"time), {h['method'].upper()} with {h['n_iter']} iterations per block (`rng={h['rng']}`), the default blocks "
              f"of `gl.reconstruct_long` with `sr={h['sr']}` ({h['block_frames']} frames sharing {h['overlap_frames']}), "
              f"written to a FLOAT WAV block by block, {h['threads']} thread(s), in a child process: its wall time, its "
              "peak resident memory (`VmHWM`, since its exec), numpy's peak allocations under `tracemalloc` (the traced run), and "
              f"the spectral convergence of the written file, {h['spectral_convergence_db']:.1f} dB. One run each, on a "
              "shared machine" + _load_text(h) + "; `gl.longform`'s notes and the README quote it.", "",
              longform_hour_table(h), ""]
    if last_block:
        env_b = last_block["environment"]
        L += ["### The last block", "",
              f"`{env_b['command']}` ({env_b['date_utc']} UTC): gl's default method (seed 0) by `gl.reconstruct_long` in "
              "layouts where the greedy plan (full blocks while they fit) would leave the last block fewer new frames "
              "than the overlap, with that plan and with gl's (`gl.longform._block_plan`: the rest cut into two "
              "inversions of the same size): docs/04's harmonic voice (no decay, no noise) and a chirp, 16 kHz, Hann "
              "512 / 128, at 9 such lengths each, and the dev clips (Hann 1024 / 256, at their length up to 30 s and "
              "tiled to 16 s) in every such layout of 150/32, 300/32 and 600/64 frames. The last two inversions' frames "
              "by each plan, the spectral convergence of each result against the spectrogram inverted, and the change "
              "(negative: gl's plan better); `gl.longform._block_plan`'s notes quote the means.", "",
              last_block_table(last_block), ""]
    if longform_low_overlap:
        env_o = longform_low_overlap["environment"]
        L += ["### Windows that barely overlap, in blocks", "",
              f"`{env_o['command']}` ({env_o['date_utc']} UTC): the dev clips tiled to {longform_low_overlap['seconds']:g} s "
              "(named by their first 12 characters) and a 440 Hz sine, frames not centred, gl's default method (seed 0), "
              "by `gl.reconstruct_long` in blocks of 300 frames sharing 32 with `floor_between_frames` False (least "
              "squares), True (the floor) and None (gl's rule, block by block), against `gl.Spectrogram.invert` in one "
              "call. SC at hop n_fft/8: the result's spectrogram at that denser hop against the signal's, which shows "
              "the samples between frames (0 dB is as far as silence); level: RMS against the signal's; peak: the "
              "largest sample against the signal's (the measures of the low-overlap table above). "
              "`gl.reconstruct_long`'s notes on `floor_between_frames` quote the means.", "",
              longform_low_overlap_table(longform_low_overlap), ""]
    if torchaudio:
        env_t = torchaudio["environment"]
        L += ["## Against torchaudio", "",
              f"`{env_t['command']}` ({env_t['date_utc']} UTC, torch {env_t['torch']}; {torchaudio['signal']}). "
              "`torchaudio.functional.griffinlim` runs librosa's fast Griffin-Lim with reflect padding (gl reproduces it "
              "to 1e-8, `tests/test_torchaudio.py`). One iteration = (median t(n_iter=K) - median t(n_iter=0)) / K with "
              f"K = {torchaudio['rows'][0]['iterations_K']}, {torchaudio['rows'][0]['repeats']} repeats, round-robin; gl "
              "with `n_threads`, torchaudio with `torch.set_num_threads`. The bare FFT columns are one thread's rfft + "
              "irfft of the same frames by numpy (gl's floor) and by `torch.fft` (torchaudio's).", "",
              torchaudio_table(torchaudio["rows"]), "",
              "Where 100 iterations get to on the same signal (n_fft 1024, hop 256, float32, two threads each; spectral "
              "convergence of the returned signal, median wall time of 3 runs after a warm-up):", "",
              torchaudio_quality_table(torchaudio["hundred_iterations"]), ""]
    if speed and speed.get("lengths"):
        L += ["## Time per iteration vs signal length", "", "n_fft 1024, hop 256, 22.05 kHz; same method as above, except that from 100 s on one iteration is "
              "(t(2K) - t(K)) / K: on long signals the fixed cost of a call varies with the allocator (page faults of "
              "fresh full-size arrays), and two runs that both iterate allocate alike.", "",
              "| length (s) | dtype | frames | gl 1 thr (ms) | gl 2 thr (ms) | librosa (ms) | bare FFT (ms) | librosa / gl | gl / bare | gl 2 thr / bare |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for r in speed["lengths"]:
            L.append(f"| {r['signal_seconds']:g} | {r['dtype']} | {r['n_frames']} | {1e3 * r['gl_1thread']:.2f} | "
                     f"{1e3 * r['gl_2threads']:.2f} | {1e3 * r['librosa']:.2f} | {1e3 * r['bare_fft']:.2f} | "
                     f"{r['speedup_vs_librosa']:.2f}x | {r['gl_over_bare']:.2f} | {r['gl2_over_bare']:.2f} |")
        below = [r for r in speed["lengths"] if r["gl_over_bare"] < 1]
        if below:  # the bare FFT is no floor there: say why rather than let a ratio below 1 stand unexplained
            L += ["", "On long signals gl / bare goes below 1 (" + ", ".join(f"{r['signal_seconds']:g} s {r['dtype']}: "
                  f"{r['gl_over_bare']:.2f}" for r in below) + "): the bare FFT reads its stored frames (n_fft / hop = 4 times "
                  "the signal's size) from memory and writes its spectra back, whole or in blocks, while gl's sweep makes "
                  "each block's frames from the signal and keeps them in cache. At these lengths the bare FFT measures "
                  "memory traffic, not a floor; the in-cache floor is the passes table above."]
        L += ["", "![time per iteration vs length](" + str(rel / "speed_vs_length.png") + ")", ""]
    if speed and speed.get("time_to_quality"):
        rows = speed["time_to_quality"]
        L += ["## Time to librosa's 100-iteration quality", "",
              f"Per dev clip (Hann 1024 / 256): the SC librosa reaches in 100 iterations, and the wall time for gl's "
              f"default (`{rows[0]['default']}`, 1 thread, stopped by its callback once it gets there) against "
              "`librosa.griffinlim(n_iter=100)` and gl's FGLA for 100 iterations. The iterations are those run: one "
              "more than the first iteration that reaches the target (the count in the convergence tables below), "
              "because the callback learns of iteration n from the STFT that iteration n + 1 makes.", "",
              "| clip | librosa 100 it (dB) | default: iterations | default (s) | gl FGLA 100 it (s) | librosa 100 it (s) | speed-up default | speed-up FGLA | default against gl FGLA |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            L.append(f"| {r['clip']} | {r['target_db']:.2f} | {_fmt(r['default_iterations'], 'd', 'not reached')} | "
                     f"{r['gl_default_seconds']:.2f} | {r['gl_fgla_100_seconds']:.2f} | {r['librosa_100_seconds']:.2f} | "
                     f"{r['speedup_default']:.1f}x | {r['speedup_fgla']:.1f}x | "
                     f"{r['gl_fgla_100_seconds'] / r['gl_default_seconds']:.2f}x |")
        L.append("")
        L += ["The speed-ups against librosa hold the iteration's own speed (gl's FGLA alone is about 3x librosa's); "
              "the last column is the method's share: the default against gl's own fast Griffin-Lim, which gives "
              "librosa's result exactly. Where librosa's result is reached only after a few dozen iterations, the "
              f"default's difference-map iterations ({_dm_in_iterations(methods)} each) and PGHI ({_pghi_in_iterations(pghi_cost)}) "
              "make it slower than plain fast Griffin-Lim.", ""]
        L.append("")

    if convergence:
        s = convergence["summary"]
        g = convergence["geometry"]
        L += ["## Convergence", "",
              f"Hann {g['n_fft']} / hop {g['hop_length']}, centred, seed {convergence['seed']}, up to {convergence['n_iter']} "
              f"iterations; methods {', '.join(convergence['methods'])}; inits {', '.join(convergence['inits'])}"
              + (f" (not available: {', '.join(convergence['missing_inits'])})" if convergence["missing_inits"] else "") + "."
              + (f" **Every clip was cut to its first {convergence['max_seconds']:g} s** to fit the time budget of a shared "
                 "2-core machine." if convergence.get("max_seconds") else ""), ""]
        L += ["### gl FGLA vs librosa.griffinlim from the same initial phase", "",
              "Both get `np.random.default_rng(seed)` (gl as `rng=`, librosa as `random_state=`, or as `rng=` from librosa 1.0); librosa is rerun for each "
              "iteration count, gl's values come from one run's history.", "",
              "Other starts: the largest `max |y_gl - y_librosa|` after the same iterations from three more `default_rng` "
              "and four `RandomState` draws (each drawn as gl and librosa read it). librosa against itself: from each of "
              "those starts rotated by 1e-15 rad (a rounding's change), librosa's own loop written out "
              "(`benchmarks/common.py: librosa_griffinlim_from`"
              + (", which from the unrotated start gives `librosa.griffinlim`'s output to the last bit"
                 if (s.get("coincidence") or {}).get("librosa_copy_exact") else "") + ") against `librosa.griffinlim` from the start itself: how far a rounding moves librosa, "
              "the scale against which to read gl's distance.", "",
              "| clip | iterations | gl FGLA (dB) | librosa (dB) | max abs difference (dB) | max abs signal difference | "
              "other starts: largest | librosa against itself: largest | gl / librosa-itself, same start: largest |",
              "|---|---|---|---|---|---|---|---|---|"]
        for c in convergence["clips"]:
            co = c.get("coincidence")
            if not co:
                continue
            L.append(f"| {c['name']} | {', '.join(map(str, co['counts']))} | {', '.join(_fmt(v) for v in co['gl_db'])} | "
                     f"{', '.join(_fmt(v) for v in co['librosa_db'])} | {co['max_abs_db_difference']:.1e} | "
                     f"{co['signal_max_abs_difference']:.1e} (after {co['signal_iterations']} it, peak {co['signal_peak']:.2f}) | "
                     + (f"{max(co['other_starts'].values()):.1e} ({max(co['other_starts'], key=co['other_starts'].get)}) |"
                        if co.get("other_starts") else "- |")
                     + (f" {max(co['librosa_self'].values()):.1e} ({max(co['librosa_self'], key=co['librosa_self'].get)}) | "
                        f"{max(co['other_starts'][k] / v for k, v in co['librosa_self'].items() if v > 0):.1f} |"
                        if co.get("librosa_self") and any(v > 0 for v in co["librosa_self"].values()) else " - | - |"))
        L += ["", "### Every method and initial phase (issue 3), mean over the dev corpus", "",
              "SC in dB after n iterations (mean over clips); time = wall time of all the "
              f"{convergence['n_iter']}-iteration runs over the dev corpus (single process, gl with its default threads: "
              f"{_threads_text(convergence['clips'])}; librosa on one, as numpy's FFTs run: so the time column sets gl's "
              "threads against librosa's single thread, and the per-iteration tables above compare them thread for "
              f"thread). One random seed ({convergence['seed']}); `bench_seeds.py` reruns librosa from eight (below).", "",
              "| method / init | 10 | 30 | 100 | 300 | time (s) |", "|---|---|---|---|---|---|"]
        table = sorted(s["table"], key=lambda r: (r["sc_100"] if r["sc_100"] is not None else r["final_db"]))
        for r in table:
            bold = "**" if r["key"] == s["targets"].get("default") else ""
            cells = [_fmt(r.get(f"sc_{n}")) for n in (10, 30, 100, 300)]
            if all(v == "-" for v in cells):
                cells = [f"{r['final_db']:.2f} (one pass, n_iter={r.get('n_iter')})", "", "", ""]
            L.append(f"| {bold}{r['key']}{bold} | " + " | ".join(cells) + f" | {r['seconds_total']:.1f} |")
        lr = s["librosa"]
        L.append("| librosa.griffinlim (fgla, random) | " + " | ".join(_fmt(lr.get(f"sc_{n}")) for n in (10, 30, 100, 300))
                 + f" | {_fmt(lr.get('seconds_total'), '.1f')} (largest count) |")
        costs = iteration_costs(methods, pghi_cost)
        work_rows = equal_work(convergence, costs) if costs else []
        if work_rows:
            per_iteration, starts, clip_starts = per_clip_or_none(costs, convergence)
            default_key = s["targets"].get("default")
            dev_names = _dev_names(convergence)
            if clip_starts:
                measured = sorted(clip_starts[dev_names[0]])  # the same starts on every clip (per_clip_or_none)
                start_text = (f"the {' and '.join(m.upper() for m in measured)} starts cost, on each clip (`bench_pghi_cost.py`; "
                              "the heap's work depends on the signal, and each clip is charged its own): "
                              + ", ".join(f"{name.split('_')[0]} " + " / ".join(f"{clip_starts[name][m]:.1f}" for m in measured)
                                          for name in dev_names))
                starts_used = "random, zeros, " + " and ".join(m.upper() for m in measured) + " starts"
            else:
                start_text = (f"PGHI's start costs {starts['pghi']:.1f} (`bench_pghi_cost.py`, on its speech clip: the heap's "
                              "work depends on the signal)")
                starts_used = "random, zeros and PGHI starts; SPSI's start cost is not measured"
            L += ["", "### At equal work, mean over the dev corpus", "",
                  "The table above compares iterations, which do not cost the same: in FGLA iterations (single thread, "
                  "`bench_methods.py`, a plain call that records no history), " + ", ".join(f"{m} {v:.2f}" for m, v in per_iteration.items())
                  + f"; dm_fgla's first 40 are difference-map iterations; {start_text}. Here each method gets "
                  "the iterations a budget of work pays for on each clip (in brackets, the fewest and most over the clips; + "
                  f"where a history ended before the budget) and the SC after them, in dB ({starts_used}).", "",
                  "| method / init | " + " | ".join(f"{b} FGLA iterations of work" for b in EQUAL_WORK_BUDGETS) + " |",
                  "|---|" + "---|" * len(EQUAL_WORK_BUDGETS)]
            work_rows.sort(key=lambda r: r["mean_db"][100] if r["mean_db"][100] is not None else 0.0)
            for r in work_rows:
                bold = "**" if r["key"] == default_key else ""
                L.append(f"| {bold}{r['key']}{bold} | " + " | ".join(
                    f"{_fmt(r['mean_db'][b])} ({_range_text(r['iterations'][b])}{'+' if r['capped'][b] else ''})"
                    for b in EQUAL_WORK_BUDGETS) + " |")
            best = {b: min((r for r in work_rows if r["mean_db"][b] is not None), key=lambda r: r["mean_db"][b]) for b in EQUAL_WORK_BUDGETS}
            line = "Best at each budget: " + "; ".join(f"{b}: {best[b]['key']} ({_fmt(best[b]['mean_db'][b])} dB)" for b in EQUAL_WORK_BUDGETS) + "."
            for path, what in (("unmeasured", "a plain call"), ("measured", "a run that records its history, as the command line does")):
                path_costs = iteration_costs(methods, pghi_cost, path)
                cross = crossover(convergence, path_costs, default_key) if path_costs and default_key else None
                if cross is None:
                    continue
                if cross["from"] is None:
                    line += f" With the costs of {what}, the default is not the best at the largest budgets ({', '.join(cross['before'])} are)."
                else:
                    before = [k for k in cross["before"] if k != default_key]
                    line += (f" With the costs of {what}, the default is the best from {cross['from']} FGLA iterations of work on"
                             + (f" ({', '.join(before)} before)" if before else "") + ".")
            L += ["", line]
        clips = convergence["clips"]
        checkpoint = 100 if convergence["n_iter"] >= 100 else convergence["n_iter"]
        L += ["", f"### SC (dB) after {checkpoint} iterations, per clip", "",
              "| method / init | " + " | ".join(c["name"].split("_")[0] for c in clips) + " |",
              "|---|" + "---|" * len(clips)]
        keys = sorted({k for c in clips for k in c["runs"]})
        for k in keys:
            cells = []
            for c in clips:
                run = c["runs"].get(k)
                if run is None:
                    cells.append("-")
                elif run.get("iterative", True) and len(run["history_db"]) >= checkpoint:
                    cells.append(f"{run['history_db'][checkpoint - 1]:.2f}")
                else:
                    cells.append(f"{run['final_db']:.2f}*")
            L.append(f"| {k} | " + " | ".join(cells) + " |")
        L.append("| librosa.griffinlim | " + " | ".join(
            _fmt(dict(zip(c["librosa"]["counts"], c["librosa"]["sc_db"])).get(checkpoint)) for c in clips) + " |")
        L += ["", "\\* one-pass (non-iterative or streaming) method: its output, whatever the column. Clips: "
              + ", ".join(f"{c['name'].split('_')[0]} = {c['name']} ({c['seconds']:.1f} s, {c['sr']} Hz)" for c in clips) + "."]
        t = s["targets"]
        if t.get("per_clip"):
            L += ["", f"### Default method `{t['default']}` against librosa's 100 iterations, per dev clip", "",
                  "| clip | librosa 100 it (dB) | default 100 it (dB) | gain (dB) | iterations to librosa's 100-it SC |",
                  "|---|---|---|---|---|"]
            for p in t["per_clip"]:
                L.append(f"| {p['clip']} | {p['librosa_100_db']:.2f} | {_fmt(p['default_100_db'])} | "
                         f"{p['librosa_100_db'] - p['default_100_db']:.2f} | {_fmt(p['iterations_to_librosa_100'], 'd', 'never')} |")
        errors = {(c["name"], k): v for c in convergence["clips"] for k, v in c["errors"].items()}
        if errors:
            L += ["", "Runs that failed (method rejected the init, or raised):", ""]
            seen = set()
            for (name, k), v in errors.items():
                if (k, v) in seen:
                    continue
                seen.add((k, v))
                L.append(f"- `{k}` ({name} and maybe others): {v}")
        L += ["", f"![convergence curves]({rel / 'convergence.png'})", "",
              f"![dev mean]({rel / 'convergence_dev_mean.png'})", ""]

    if seeds:
        env_s = seeds["environment"]
        L += [f"### Default against librosa from {seeds['seeds']} seeds, per dev clip", "",
              f"`{env_s['command']}` ({env_s['date_utc']} UTC" + (f", git {env_s['git']}" if env_s.get("git") else "")
              + f"; {seeds['wall_seconds']:.0f} s): `librosa.griffinlim` ({seeds['iterations']} iterations, momentum "
              f"0.99) from `np.random.default_rng(seed)`, the seeding above, and gl's default once (it draws nothing). "
              "Each cell: librosa's SC (dB) and, in brackets, the iterations the default needs to reach it.", "",
              seeds_table(seeds), ""]
    if paper:
        ph = paper.get("phaseret", {})
        if "rows" in ph:
            L += ["## Paper tables", "", "### phaseret's thresholds on greasy (Blackman 1024, hop 128, 1024 channels), "
                  "and gl's own for PGHI + FGLA", "",
                  "| algorithm | gl (dB) | gl, phaseret's start / LTFAT's heap tol (dB) | threshold (dB) | NumPy prototype (dB) "
                  "| status | how |", "|---|---|---|---|---|---|---|"]
            for r in ph["rows"]:
                how = "/".join(str(v) for v in r.get("how", [])) or r.get("skipped", "")
                other = r.get("phaseret_start_db", r.get("ltfat_tol_db"))
                met = r.get("phaseret_start_met", r.get("met"))
                L.append(f"| {r['label']} | {_fmt(r.get('sc_db'))} | {_fmt(other)} | {r['threshold_db']:g} | "
                         f"{r['prototype_db']:g} | {_yes(met)} | {how if 'sc_db' in r else 'skipped: ' + r['skipped']} |")
            starts = any("phaseret_start_db" in r for r in ph["rows"])
            L += ["", "Not phaseret's framing exactly: gl's frames are centred with zero padding (46 frames of greasy), "
                  "LTFAT's `dgtreal` is circular over the signal padded to L = 6144 (48 frames), and gl's PGHI runs one "
                  "heap pass at its default tol 3e-3 (then fills the rest) where LTFAT runs two (1e-1, then 1e-10)"
                  + (", shown in the third column" if any("ltfat_tol_db" in r for r in ph["rows"]) else "") + ". "
                  + ("The second column starts GLA and FGLA from a random phase (seed "
                     f"{paper.get('seed', 0)}); phaseret's test (`testphaseret_gla.m`) starts them from the input's phase, "
                     "zero for its real `s`, in LTFAT's convention (phase referenced to the window's centre), which in "
                     "gl's (referenced to the frame's start) is `S * (-1)**k` for bin k: the third column, on which "
                     "their status is taken. " if starts else "")
                  + "Some margins are small and depend on all this: the targets above give each row with reflect and "
                  "edge padding too, and the random starts over eight seeds (the status is "
                  + ("phaseret's start's for GLA and FGLA, " if starts else "")
                  + "the seed-0, zero-padding run's" + (" for the others" if starts else "") + ").", ""]
        pp = paper.get("pghi_paper")
        if pp:
            g = pp["geometry"]
            other = {r["label"]: published_algorithm(r["label"]) for r in pp["summary"]}
            L += [f"### PGHI-paper-style table (Hann {g['n_fft']}, hop {g['hop_length']})", "",
                  f"Published: {pp['published']}. Different signals and window: the published column is a reference "
                  "point, not a target."
                  + (f" Clips cut to their first {paper['max_seconds']:g} s." if paper.get("max_seconds") else "")
                  + (" The paper's fast Griffin-Lim figures are **FleGLA** (phaseret's `legla` with 'flegla': Le Roux's "
                     "GLA with a truncated kernel, accelerated), not Perraudin's FGLA; gl has no FleGLA, so its FGLA rows are "
                     "the nearest method, not the same one (the published algorithm is named beside its figure)."
                     if any(other.values()) else ""), "",
                  "| algorithm | gspi (dB) | dev mean (dB) | published (dB) | note |", "|---|---|---|---|---|"]
            for r in pp["summary"]:
                published = f"{r['published_db']:g}" + (f" ({other[r['label']]})" if other[r["label"]] else "")
                L.append(f"| {r['label']} | {_fmt(r['gspi_db'])} | {_fmt(r['dev_mean_db'])} | {published} | "
                         f"{'skipped: ' + r['skipped'] if r['skipped'] else ''} |")
            speech = [c for c in pp["clips"] if "speech" in c["clip"]]
            if speech and any("stoi" in v or "pesq_wb" in v for c in speech for v in c["rows"].values()):
                L += ["", "Perceptual scores of the speech clips against the original (STOI 0..1, wide-band PESQ 1..4.5 at 16 kHz):",
                      "", "| clip | algorithm | SC (dB) | STOI | PESQ-WB |", "|---|---|---|---|---|"]
                for c in speech:
                    for label, v in c["rows"].items():
                        if "sc_db" in v:
                            L.append(f"| {c['clip']} | {label} | {v['sc_db']:.2f} | {_fmt(v.get('stoi'), '.3f')} | "
                                     f"{_fmt(v.get('pesq_wb'), '.2f')} |")
            L.append("")
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text("\n".join(L) + "\n")
    return readme
