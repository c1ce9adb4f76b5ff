"""The benchmark suite must keep running: its quick mode on tiny inputs, into a tmp folder.

No timing assertions (the machine is shared); what is checked is that every study runs
against the methods registered now, writes its JSON, and that the report is rebuilt from
that JSON with the numbers it holds - and that the librosa-equivalent curves coincide.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gl

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("librosa")
pytest.importorskip("matplotlib")
sf = pytest.importorskip("soundfile")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """Run `python -m benchmarks --quick` on two seconds of synthetic audio, once."""
    folder = tmp_path_factory.mktemp("bench")
    sr = 16000
    t = np.arange(2 * sr) / sr
    rng = np.random.default_rng(1)
    chirp = 0.5 * np.sin(2 * np.pi * (200 * t + 300 * t**2)) * np.exp(-t)
    noise = 0.05 * rng.standard_normal(t.size)
    clip = folder / "d91_synthetic_16k.wav"  # a dev-corpus-style name, so the dev tables use it
    sf.write(str(clip), chirp + noise, sr)
    out = folder / "results"
    command = [
        sys.executable, "-m", "benchmarks", "--quick", "--corpus", str(clip), "--out", str(out),
        "--iterations", "100", "--timing-iterations", "2", "--repeats", "1", "--lengths", "0.5",
        "--memory-seconds", "2", "--paper-iterations", "5", "--max-seconds", "0.5",
    ]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_every_study_writes_its_json(suite):
    for name in ("speed", "iteration", "memory", "convergence", "paper"):
        data = json.loads((suite / f"{name}.json").read_text())
        assert data["environment"]["numpy"] == np.__version__
        assert data["environment"]["cpu"]


def test_convergence_covers_every_registered_method(suite):
    import importlib

    registry = importlib.import_module("gl.reconstruct")
    data = json.loads((suite / "convergence.json").read_text())
    clip = data["clips"][0]
    seen = {key.split("/")[0] for key in clip["runs"]} | {key.split("/")[0] for key in clip["errors"]}
    assert set(registry.METHODS) <= seen
    # the histories are real: 100 values, SC decreasing overall for FGLA
    history = clip["runs"]["fgla/random"]["history_db"]
    assert len(history) == 100
    assert history[-1] < history[0] - 10


def test_librosa_curve_coincides_with_gl_fgla(suite):
    data = json.loads((suite / "convergence.json").read_text())
    coincidence = data["clips"][0]["coincidence"]
    assert coincidence["counts"][-1] == 100
    assert coincidence["max_abs_db_difference"] < 1e-6
    assert coincidence["signal_max_abs_difference"] < 1e-8
    # librosa's loop written out is librosa to the last bit, so that its distance to itself
    # from a rotated start measures librosa; rotated by 1e-15 rad it moves, but not far
    assert coincidence["librosa_copy_exact"] is True
    assert set(coincidence["librosa_self"]) == set(coincidence["other_starts"]) and len(coincidence["other_starts"]) == 7
    assert all(0 < v < 1e-6 for v in coincidence["librosa_self"].values())


def test_report_is_built_from_the_json(suite):
    report = (suite / "README.md").read_text()
    speed = json.loads((suite / "speed.json").read_text())
    first = speed["iteration"]["rows"][0]
    assert f"{1e3 * first['gl_1thread']:.2f}" in report  # the table shows the measured number
    assert "## Targets" in report and ("**met**" in report or "**NOT met**" in report)
    for plot in ("convergence.png", "convergence_dev_mean.png", "speed_vs_length.png"):
        assert (suite / plot).stat().st_size > 1000
    # `report` alone rebuilds the same file
    (suite / "README.md").unlink()
    subprocess.run([sys.executable, "-m", "benchmarks", "report", "--out", str(suite)], cwd=REPO, check=True,
                   capture_output=True, timeout=120)
    assert (suite / "README.md").read_text() == report


def _run_then_report(script: str, options: list[str], out: Path) -> str:
    """Run a benchmark script with ``options`` into ``out``, then ``python -m benchmarks report``
    there; returns the report's text (the script's JSON is in ``out``)."""
    done = subprocess.run([sys.executable, script, *options, "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    subprocess.run([sys.executable, "-m", "benchmarks", "report", "--out", str(out)], cwd=REPO, check=True,
                   capture_output=True, timeout=120)
    return (out / "README.md").read_text()


def test_methods_benchmark_writes_its_json_and_report_section(tmp_path):
    out = tmp_path / "results"
    report = _run_then_report("benchmarks/bench_methods.py", ["--repeats", "1", "--iterations", "2", "--seconds", "1",
                                                               "--methods", "fgla", "agla"], out)
    data = json.loads((out / "methods.json").read_text())
    assert [row["method"] for row in data["rows"]] == ["fgla", "agla"] and data["bare_fft"] > 0
    assert "## One iteration of each method" in report
    assert f"| agla | {1e3 * data['rows'][1]['unmeasured']:.2f} |" in report


def test_geometries_benchmark_writes_its_json_and_report_section(tmp_path):
    out = tmp_path / "results"
    report = _run_then_report("benchmarks/bench_geometries.py", ["--repeats", "1", "--iterations", "2", "--seconds", "1",
                                                                  "--dtypes", "float32"], out)
    data = json.loads((out / "geometries.json").read_text())
    assert len(data["rows"]) == 5 and all(row["dtype"] == "float32" for row in data["rows"])
    speech = data["rows"][0]
    assert (speech["n_fft"], speech["win_length"], speech["hop_length"]) == (512, 400, 160) and speech["fused"]
    assert "## Other geometries" in report
    assert f"| 512 / 400 / 160 | float32 | {speech['n_frames']} | yes | {1e3 * speech['gl_1thread']:.2f} |" in report


def test_memory_methods_benchmark_writes_its_json_and_report_section(tmp_path):
    out = tmp_path / "results"
    report = _run_then_report("benchmarks/bench_memory_methods.py", ["--seconds", "1", "--iterations", "2",
                                                                      "--check-iterations", "3", "--dtypes", "float32",
                                                                      "--methods", "default", "fgla", "spsi"], out)
    data = json.loads((out / "memory_methods.json").read_text())
    assert [(r["method"], r["n_threads"]) for r in data["rows"]] == [
        ("default", 1), ("default", "default"), ("fgla", 1), ("fgla", "default"), ("spsi", 1), ("spsi", "default")]
    for row in data["rows"]:  # a fresh process per call, S excluded: a positive peak, at least the returned signal
        assert row["tracemalloc_peak_bytes"] >= row["output_bytes"] > 0
        assert row["peak_multiple"] == pytest.approx(row["tracemalloc_peak_bytes"] / row["complex_spectrogram_bytes"], rel=1e-5)
    assert data["rows"][0]["n_iter"] == 42 and data["rows"][2]["n_iter"] == 2 and data["rows"][4]["n_iter"] is None
    assert [(c["method"], c["n_iter"]) for c in data["checks"]] == [("default", 43), ("fgla", 3)]
    assert data["where"]["largest"] and data["where"]["method"] in ("default", "fgla", "spsi")
    assert "## Peak memory of each method" in report and "- memory of each method: `python benchmarks/bench_memory_methods.py" in report
    fgla = data["rows"][2]
    assert f"| fgla | 2 | {fgla['peak_multiple']:.2f}x ({fgla['maxrss_multiple']:.2f}x) |" in report


def test_librosa_gets_the_geometry_of_the_geometries_benchmark():
    """The librosa call of bench_geometries computes what gl computes: the same window,
    centring and padding (gl's window zero-padded to n_fft), so the times compare like
    with like. Checked on the scipy geometry (Tukey, frames from sample 0, hop 224)."""
    import librosa

    from benchmarks.bench_geometries import GEOMETRIES
    from benchmarks.bench_iteration import librosa_keywords

    for _, _, keywords in GEOMETRIES:
        geometry = gl.STFT(**keywords)
        x = np.random.default_rng(1).standard_normal(8000)
        S = np.abs(geometry.stft(x))
        ours = gl.griffinlim(S, geometry=geometry, n_iter=3, init=np.zeros(S.shape), length=len(x))
        theirs = librosa.griffinlim(S, n_iter=3, n_fft=geometry.n_fft, hop_length=geometry.hop_length, length=len(x),
                                    init=None, **librosa_keywords(geometry))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8 * np.abs(theirs).max())


def test_a_missing_corpus_is_one_line_not_a_traceback():
    import os

    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--study", "speed", "--out", "/nonexistent-never-written"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, "GL_SHARED": "/nonexistent-corpus"})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "matches no file (corpus root /nonexistent-corpus/corpus: set GL_SHARED" in done.stderr


def test_unknown_method_is_refused():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--study", "convergence", "--methods", "nosuch",
                           "--corpus", "reference/greasy.wav", "--out", "/nonexistent-never-written"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "nosuch" in done.stderr and "METHODS" in done.stderr


def test_passes_benchmark_writes_its_json_and_report_section(tmp_path):
    out = tmp_path / "results"
    report = _run_then_report("benchmarks/bench_passes.py", ["--repeats", "1", "--calls", "2", "--iterations", "2",
                                                              "--seconds", "2"], out)
    data = json.loads((out / "passes.json").read_text())
    assert len(data["rows"]) == 4
    for row in data["rows"]:
        assert len(row["passes"]) == 9 and {"rfft", "irfft"} <= set(row["passes"])
        assert all(seconds > 0 for seconds in row["passes"].values())
        # (the real iteration is a difference of two timings, 2 iterations against none, once:
        # on a loaded machine it can come out negative, which the script warns of)
        assert row["floor"] > 1 and np.isfinite(row["gl_iteration"]) and row["bare_fft"] > 0
    assert "### Where an iteration's time goes" in report
    for row in data["rows"]:  # a line per setting, with its floor and its real iteration per block
        setting = f"| {row['dtype']} {row['n_fft']}/{row['hop_length']} | {row['n_blocks']} x {row['block_frames']} |"
        line = next(line for line in report.splitlines() if line.startswith(setting))
        assert f"**{row['floor']:.2f}**" in line and f"| {1e6 * row['gl_per_block']:.0f} |" in line


def test_torchaudio_benchmark_writes_its_json_and_report_section_or_says_what_it_needs(tmp_path):
    out = tmp_path / "results"
    command = [sys.executable, "benchmarks/bench_torchaudio.py", "--repeats", "1", "--iterations", "2", "--seconds", "1",
               "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    if not all(importlib.util.find_spec(name) for name in ("torch", "torchaudio")):
        # torch is not in the bench extra: a one-line message, no traceback, nothing written
        assert done.returncode == 1 and "needs torch and torchaudio" in done.stderr and "Traceback" not in done.stderr
        assert not out.exists()
        return
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads((out / "torchaudio.json").read_text())
    assert len(data["rows"]) == 4 and len(data["hundred_iterations"]) == 3
    subprocess.run([sys.executable, "-m", "benchmarks", "report", "--out", str(out)], cwd=REPO, check=True,
                   capture_output=True, timeout=120)
    report = (out / "README.md").read_text()
    assert "## Against torchaudio" in report
    first = data["rows"][0]
    assert f"| {1e3 * first['gl_1thread']:.2f} | {1e3 * first['torchaudio_1thread']:.2f} |" in report


def test_passes_benchmark_rejects_bad_numbers(tmp_path):
    for option, value in (("--calls", "0"), ("--seconds", "nan"), ("--repeats", "-2"), ("--seconds", "0.05")):
        done = subprocess.run([sys.executable, "benchmarks/bench_passes.py", option, value, "--out", str(tmp_path)],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and option in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "passes.json").exists()


def test_pghi_cost_benchmark_rejects_bad_numbers(tmp_path):
    for option, value in (("--repeats", "0"), ("--tol", "2"), ("--tol", "nan"), ("--processes", "0")):
        done = subprocess.run([sys.executable, "benchmarks/bench_pghi_cost.py", option, value, "--out", str(tmp_path)],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and option in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "pghi_cost.json").exists()


@pytest.mark.parametrize("command", [
    ["-m", "benchmarks", "--repeats", "0"],
    ["-m", "benchmarks", "--lengths", "1", "-3"],
    ["benchmarks/bench_iteration.py", "--seconds", "inf"],
    ["benchmarks/bench_rtisila.py", "--seconds", "0"],
    ["benchmarks/bench_torchaudio.py", "--iterations", "0"],
    ["benchmarks/bench_memory_methods.py", "--check-iterations", "0"],
    ["benchmarks/bench_memory_methods.py", "--check-iterations", "5", "--iterations", "5"],
    ["benchmarks/mel_inversion.py", "--repeats", "0"],
    ["benchmarks/explore_default.py", "--iters", "0"],
    ["benchmarks/bench_longform.py", "hour", "--threads", "0"],
])
def test_every_benchmark_command_checks_its_numbers(tmp_path, command):
    """A bad number is a one-line usage error naming the option (exit 2), before any work."""
    takes_out = command[0] in ("-m", "benchmarks/bench_iteration.py")  # the others write no results folder
    extra = ["--out", str(tmp_path)] if takes_out else []
    done = subprocess.run([sys.executable, *command, *extra], cwd=REPO, capture_output=True, text=True, timeout=120)
    option = next(word for word in command if word.startswith("--"))
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"argument {option}:" in done.stderr and "must be" in done.stderr and "Traceback" not in done.stderr


def test_two_thread_verdict_needs_the_fastest_repeats_too():
    """A slow bare FFT flatters gl's two-thread ratio: the verdict is met only when the ratio
    from the fastest repeats (both sides' minima) is below 0.7 as well."""
    from benchmarks.report import targets

    def iteration(median, fastest):
        row = {"dtype": "float32", "n_fft": 1024, "speedup_vs_librosa": 4.0, "gl_over_bare": 1.4, "gl2_over_bare": median,
               "bare2_over_bare": 0.5, "from_minima": {"speedup_vs_librosa": 4.0, "gl_over_bare": 1.4, "gl2_over_bare": fastest}}
        return {"rows": [row]}

    def verdict(median, fastest):
        (row,) = [r for r in targets(None, iteration(median, fastest), [], None, None) if r[0].startswith("2-thread")]
        return row[1], row[2]

    assert verdict(0.65, 0.66)[1] is True
    text, met = verdict(0.69, 0.74)
    assert met is False and "(from the fastest repeats: 0.74x, which the verdict also needs)" in text
    assert verdict(0.72, 0.66)[1] is False


def test_equal_work_charges_each_clip_its_own_start_cost():
    """With per-clip start costs from bench_pghi_cost, a clip whose PGHI start is dear gets fewer
    iterations for the same budget; SPSI starts enter the table once their cost is measured."""
    from benchmarks.report import equal_work, iteration_costs, start_cost

    history = list(np.linspace(-10.0, -40.0, 100))
    clips = [{"name": name, "runs": {"fgla/pghi": {"history_db": history}, "fgla/spsi": {"history_db": history},
                                     "fgla/random": {"history_db": history}}} for name in ("d01_a", "d02_b")]
    convergence = {"clips": clips}
    methods = {"rows": [{"method": "fgla", "unmeasured": 2.0, "measured": 2.5}]}
    pghi_cost = {"rows": [{"tol": 3e-3, "ratio": 9.0, "default": True}]}
    costs = iteration_costs(methods, pghi_cost)
    assert start_cost(costs, "pghi", "d01_a") == 9.0 and start_cost(costs, "spsi", "d01_a") is None
    keys = [r["key"] for r in equal_work(convergence, costs, budgets=(50,))]
    assert "fgla/spsi" not in keys and "fgla/pghi" in keys  # SPSI's cost unknown: left out
    pghi_cost["per_clip"] = {"d01_a": {"starts": {"pghi": 10.0, "spsi": 4.0}}, "d02_b": {"starts": {"pghi": 30.0, "spsi": 4.0}}}
    rows = {r["key"]: r for r in equal_work(convergence, iteration_costs(methods, pghi_cost), budgets=(50,))}
    assert rows["fgla/pghi"]["iterations"][50] == (20, 40)  # 50 - 30 and 50 - 10 iterations
    assert rows["fgla/pghi"]["mean_db"][50] == pytest.approx((history[19] + history[39]) / 2)
    assert rows["fgla/spsi"]["iterations"][50] == (46, 46)


def test_equal_work_note_with_short_histories_and_partial_per_clip_costs():
    """A partial per-clip table is not mixed with the speech clip's cost; histories shorter than the
    note's 100 iterations give no note instead of an IndexError."""
    from benchmarks.report import _equal_work_note, equal_work, iteration_costs

    history = list(np.linspace(-10.0, -40.0, 300))
    clips = [{"name": name, "runs": {"dm_fgla/pghi": {"history_db": history}, "fgla/pghi": {"history_db": history},
                                     "fgla/random": {"history_db": history}}} for name in ("d01_a", "d02_b")]
    convergence = {"clips": clips}
    methods = {"rows": [{"method": "fgla", "unmeasured": 2.0}, {"method": "dm", "unmeasured": 4.0},
                        {"method": "dm_fgla", "unmeasured": 4.0}]}
    pghi_cost = {"rows": [{"tol": 3e-3, "ratio": 9.0, "default": True}], "per_clip": {"d01_a": {"starts": {"pghi": 5.0}}}}
    costs = iteration_costs(methods, pghi_cost)
    rows = {r["key"]: r for r in equal_work(convergence, costs, budgets=(50,))}
    assert rows["fgla/pghi"]["iterations"][50] == (41, 41)  # both clips at the speech clip's 9, not 5 and 9
    note = _equal_work_note(convergence, "dm_fgla/pghi", costs)
    assert "start cost 149 FGLA iterations)" in note and "by clip" not in note  # 9 + 40 * 4 / 2 + 60
    assert "dB better" in note
    for c in clips:
        c["runs"]["fgla/random"]["history_db"] = history[:97]
    assert _equal_work_note(convergence, "dm_fgla/pghi", costs) == ""


def test_the_project_readme_quotes_the_committed_results():
    """The README's headline figures are written by `python -m benchmarks report` from the
    committed JSON; a rerun that did not update them (the README quoted an older run's
    figures) fails here."""
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks import report
        from benchmarks.common import RESULTS
    finally:
        sys.path.remove(str(REPO))
    expected = report.summary(RESULTS)
    assert expected is not None
    readme = (REPO / "README.md").read_text()
    start, end = readme.index(report.SUMMARY_START), readme.index(report.SUMMARY_END)
    assert readme[start + len(report.SUMMARY_START) : end].strip() == expected, "run: python -m benchmarks report"
