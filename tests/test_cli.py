"""The gl command, end to end: each command run as a subprocess in a temporary folder, as a
user would run it, plus the failure paths (exit status 2, one line on stderr, no file
left behind)."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import inspect
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

sf = pytest.importorskip("soundfile")

import gl  # noqa: E402
from gl import cli  # noqa: E402

from .conftest import REPO, checkout_env, corpus_file  # noqa: E402

DEMO_DATA = Path(gl.__file__).parent / "data" / cli.DEMO_FILE
FAST = ["--n-iter", "20"]


#: One BLAS thread in the subprocesses: on a machine busy with other tests, OpenBLAS's
#: spinning threads make the small matrix products of the mel inversion 20x slower. And
#: this checkout's gl, not an installed copy (see conftest.checkout_env).
ENV = checkout_env(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def run(*args, cwd, check_ok=True) -> subprocess.CompletedProcess:
    """``python -m gl ARGS`` in ``cwd``."""
    result = subprocess.run(
        [sys.executable, "-m", "gl", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120, env=ENV
    )
    if check_ok:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    return result


def assert_usage_error(result: subprocess.CompletedProcess, *patterns: str) -> None:
    """Exit status 2, one line on stderr matching every pattern, no traceback, nothing on stdout."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for pattern in patterns:
        assert re.search(pattern, lines[0]), (pattern, lines[0])


def spectral_convergence_db(reference: np.ndarray, estimate: np.ndarray, geometry: gl.STFT) -> float:
    S = np.abs(geometry.stft(reference))
    return float(gl.metrics.spectral_convergence_db(S, geometry.stft(estimate)))


@pytest.fixture(scope="module")
def speech():
    x, sr = sf.read(str(corpus_file("dev", "d01_speech_arctic-slt_16k.flac")), dtype="float64")
    return x[: sr], sr  # 1 s


@pytest.fixture
def speech_wav(tmp_path, speech):
    x, sr = speech
    path = tmp_path / "speech.wav"
    sf.write(str(path), x, sr, subtype="PCM_16")
    return path


# ----------------------------------------------------------------------------- the README
def readme_commands() -> list[str]:
    """The shell commands of the README's first ```sh block (comments dropped)."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no ```sh block"
    commands = []
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        commands += [part.strip() for part in line.split("&&") if part.strip()]
    return commands


def test_readme_quick_start(tmp_path):
    """The README's first lines install gl, run ``gl demo``, install the test extras, run pytest."""
    commands = readme_commands()
    assert commands[:2] == ["python -m pip install .", "gl demo"]
    installs = [c for c in commands if c.startswith("python -m pip install")]
    extras = {m for c in installs for m in re.findall(r"\.\[([\w,]+)\]", c)}
    pyproject = (REPO / "pyproject.toml").read_text()
    for extra in extras:  # every extra the README installs exists
        assert re.search(rf"^{extra}\s*=", pyproject, re.M), extra
    assert "python -m pytest" in commands
    # Run the gl commands exactly as written: the console script when installed, else python -m gl.
    script = shutil.which("gl", path=str(Path(sys.executable).parent))
    for command in (c for c in commands if c.startswith("gl ")):
        args = shlex.split(command)[1:]
        launcher = [script] if script else [sys.executable, "-m", "gl"]
        result = subprocess.run(launcher + args, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=ENV)
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gl-demo-original.wav", "gl-demo.wav"]
    original, sr = sf.read(str(tmp_path / "gl-demo-original.wav"))
    rebuilt, sr2 = sf.read(str(tmp_path / "gl-demo.wav"))
    shipped, sr3 = sf.read(str(DEMO_DATA))
    assert sr == sr2 == sr3 == 16000
    assert sf.info(str(tmp_path / "gl-demo.wav")).subtype == "PCM_16"
    np.testing.assert_array_equal(original, shipped)  # the original, bit for bit
    assert rebuilt.shape == original.shape
    # the reconstruction has the original's spectrogram (not its waveform: the phase is new)
    assert spectral_convergence_db(original, rebuilt, gl.STFT(1024, 256)) < -20
    assert abs(np.std(rebuilt) / np.std(original) - 1) < 0.05
    out = result.stdout
    for word in ("method", "iterations", "spectral convergence", "time", "gl-demo.wav"):
        assert word in out


def test_demo_output_is_a_folder_and_says_so(tmp_path):
    (tmp_path / "afile.wav").write_bytes(b"x")
    for name in ("afile.wav", "new.wav"):
        result = run("demo", "-o", tmp_path / name, cwd=tmp_path, check_ok=False)
        assert_usage_error(result, r"gl demo's -o names a folder, where it writes gl-demo.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile.wav"]


def test_demo_json_output_dir_and_replacing_its_own_files(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    result = run("demo", "-o", folder, "--json", *FAST, cwd=tmp_path)
    report = json.loads(result.stdout)  # one JSON object and nothing else
    assert report["command"] == "demo" and report["n_iter"] == 20 and report["sample_rate"] == 16000
    assert report["method"] == importlib_reconstruct().DEFAULT_METHOD
    assert report["spectral_convergence_db"] < -15
    assert sorted(p.name for p in folder.iterdir()) == ["gl-demo-original.wav", "gl-demo.wav"]
    before = (folder / "gl-demo.wav").read_bytes()
    # the demo replaces its own two files (the README's first line must work twice) ...
    again = run("demo", "-o", folder, *FAST, "--init", "random", "--seed", "3", "--quiet", cwd=tmp_path)
    assert again.stdout == ""
    assert (folder / "gl-demo.wav").read_bytes() != before  # another start, another phase
    assert sorted(p.name for p in folder.iterdir()) == ["gl-demo-original.wav", "gl-demo.wav"]  # no temporary left
    # ... but not a --plot file that is already there
    if importlib.util.find_spec("matplotlib") is None:
        return  # --plot is refused for want of matplotlib first (tested elsewhere)
    plot = folder / "plot.png"
    plot.write_bytes(b"mine")
    refused = run("demo", "-o", folder, *FAST, "--plot", plot, cwd=tmp_path, check_ok=False)
    assert_usage_error(refused, r"plot.png already exists; use --force")
    assert plot.read_bytes() == b"mine"


def importlib_reconstruct():
    import importlib

    return importlib.import_module("gl.reconstruct")


def test_python_m_gl_is_the_gl_command(tmp_path):
    version = run("--version", cwd=tmp_path)
    assert version.stdout.strip() == f"gl {gl.__version__}"
    script = shutil.which("gl", path=str(Path(sys.executable).parent))
    if script:
        direct = subprocess.run([script, "--version"], capture_output=True, text=True, env=ENV)
        assert direct.stdout == version.stdout
    bare = run(cwd=tmp_path, check_ok=False)
    assert bare.returncode == 2 and "demo" in bare.stderr and "roundtrip" in bare.stderr


# ----------------------------------------------------------------------------- roundtrip
@pytest.mark.parametrize("n_fft, seconds", [(1024, 1.0), (256, 2.1)])  # 63 frames; 526 frames (2 threads)
def test_roundtrip_keeps_channels(tmp_path, n_fft, seconds):
    """Two different recordings as left and right come back in their own channels."""
    left, sr = sf.read(str(corpus_file("dev", "d01_speech_arctic-slt_16k.flac")))
    right, sr2 = sf.read(str(corpus_file("dev", "d04_music_band-midi_16k.flac")))
    assert sr == sr2 == 16000
    n = int(seconds * sr)
    stereo = np.stack([left[:n], 0.5 * right[:n]], axis=1)  # (n, 2)
    sf.write(str(tmp_path / "stereo.flac"), stereo, sr, subtype="PCM_24")
    result = run(
        "roundtrip", "stereo.flac", "-o", "back.flac", "--subtype", "PCM_24", "--n-iter", "40", "--json",
        "--n-fft", n_fft, cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    assert report["channels"] == 2 and len(report["spectral_convergence_db_per_channel"]) == 2
    back, sr3 = sf.read(str(tmp_path / "back.flac"))
    assert sr3 == sr and back.shape == stereo.shape and sf.info(str(tmp_path / "back.flac")).subtype == "PCM_24"
    geometry = gl.STFT(n_fft, n_fft // 4)
    for c in range(2):
        own = spectral_convergence_db(stereo[:, c], back[:, c], geometry)
        swapped = spectral_convergence_db(stereo[:, c], back[:, 1 - c], geometry)
        assert own < -12 and swapped > -3, (c, own, swapped)
        assert abs(own - report["spectral_convergence_db_per_channel"][c]) < 1.0  # PCM_24 changes it little


def test_roundtrip_writes_more_channels_than_samples(tmp_path):
    """20 channels of 10 samples: the file's layout is known, so the write does not take it for
    (n, channels) audio given by mistake (it refused after the inversion)."""
    many = np.random.default_rng(3).uniform(-0.5, 0.5, (10, 20))  # (n, channels) as soundfile holds it
    sf.write(str(tmp_path / "many.wav"), many, 8000, subtype="FLOAT")
    result = run("roundtrip", "many.wav", "-o", "back.wav", "--n-fft", "8", "--hop", "2", "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["channels"] == 20
    back, sr = sf.read(str(tmp_path / "back.wav"))
    assert sr == 8000 and back.shape == (10, 20)
    geometry = gl.STFT(8, 2)  # each channel written back as itself, not another's (nor the array read the wrong way)
    for c in range(20):
        own = spectral_convergence_db(many[:, c], back[:, c], geometry)
        assert own < -10 and own < spectral_convergence_db(many[:, c], back[:, (c + 1) % 20], geometry) - 5, c


def test_invert_says_when_it_ran_again_with_a_floor_between_frames(tmp_path, speech_wav):
    """Windows that barely overlap (Hann 256 at hop 224, scipy's 'hann' at its default noverlap):
    least squares left spikes between the frames of this speech, Spectrogram.invert ran again
    with a floor there, and the report says so (a line, and a --json field)."""
    run("spectrogram", speech_wav, "-o", "sp.npz", "--n-fft", "256", "--hop", "224", "--no-center", cwd=tmp_path)
    text = run("invert", "sp.npz", "-o", "o.wav", "--n-iter", "20", "--subtype", "FLOAT", cwd=tmp_path)
    assert "run again with a floor between frames, where least squares had left spikes" in text.stdout
    report = json.loads(run("invert", "sp.npz", "-o", "o.wav", "--force", "--n-iter", "20", "--json", cwd=tmp_path).stdout)
    assert report["floored_between_frames"] is True
    x, _ = sf.read(str(speech_wav))
    y, _ = sf.read(str(tmp_path / "o.wav"))
    n = min(len(x), len(y))
    assert abs(20 * np.log10(np.std(y[:n]) / np.std(x[:n]))) < 1.5  # least squares: several dB too loud
    plain = json.loads(run("roundtrip", speech_wav, "-o", "r.wav", "--n-iter", "2", "--json", cwd=tmp_path).stdout)
    assert plain["floored_between_frames"] is False  # gl's default geometry overlaps well


def test_a_hop_that_adds_more_samples_than_magnitudes_is_warned(tmp_path, speech_wav):
    """A frame of 256 has 129 magnitudes: at a hop above 129 the spectrogram holds fewer numbers
    than the signal has samples, many signals share them, and the spectral convergence the
    report gives says little (docs/05: -60.1 dB against the magnitudes, -8.9 dB on a finer grid,
    at scipy's default hop 224). roundtrip and spectrogram warn once for --hop 130, not for 129;
    invert of scipy's default spectrogram gets the importer's LossWarning, once."""
    warning = "gl: warning: --hop 130 with --n-fft 256: each frame adds 130 samples but 129 magnitudes, so the spectrogram holds fewer"
    for command, output in (("roundtrip", ["-o", "r.wav", "--n-iter", "2"]), ("spectrogram", ["-o", "s.npz"])):
        warned = run(command, speech_wav, *output, "--n-fft", "256", "--hop", "130", cwd=tmp_path)
        assert warned.stderr.count(warning) == 1 and warned.stderr.count("each frame adds") == 1, warned.stderr
        quiet = run(command, speech_wav, *output, "--force", "--n-fft", "256", "--hop", "129", cwd=tmp_path)
        assert "each frame adds" not in quiet.stderr, quiet.stderr
    from scipy.signal import spectrogram

    x, sr = sf.read(str(speech_wav))
    f, t, Sxx = spectrogram(x, sr)  # nperseg 256, noverlap 32: hop 224
    np.savez(tmp_path / "scipy.npz", f=f, t=t, Sxx=Sxx)
    inverted = run("invert", "scipy.npz", "--from", "scipy", "--sr", sr, "-o", "i.wav", "--n-iter", "2", cwd=tmp_path)
    assert inverted.stderr.count("each frame adds 224 samples but 129 magnitudes") == 1, inverted.stderr

def test_roundtrip_flags_geometry_and_method(tmp_path, speech_wav):
    result = run(
        "roundtrip", speech_wav, "-o", "out.wav", "--n-fft", "512", "--hop", "128", "--window", "hamming",
        "--method", "gla", "--n-iter", "10", "--init", "zeros", "--json", cwd=tmp_path,
    )
    report = json.loads(result.stdout)
    assert (report["n_fft"], report["hop_length"], report["window"]) == (512, 128, "hamming")
    assert (report["method"], report["init"], report["n_iter"]) == ("gla", "zeros", 10)
    # the metric gl reports is that of the signal it wrote (up to 16-bit rounding)
    x, _ = sf.read(str(speech_wav))
    y, _ = sf.read(str(tmp_path / "out.wav"))
    measured = spectral_convergence_db(x, y, gl.STFT(512, 128, window="hamming"))
    assert abs(measured - report["spectral_convergence_db"]) < 0.5


def test_roundtrip_method_options_and_tol(tmp_path, speech_wav):
    a = json.loads(run("roundtrip", speech_wav, "-o", "a.wav", *FAST, "--method", "fgla", "-O", "momentum=0", "--json", cwd=tmp_path).stdout)
    b = json.loads(run("roundtrip", speech_wav, "-o", "b.wav", *FAST, "--method", "gla", "--json", cwd=tmp_path).stdout)
    assert a["spectral_convergence_db"] == pytest.approx(b["spectral_convergence_db"], abs=1e-3)  # FGLA with alpha 0 is GLA
    stopped = json.loads(run("roundtrip", speech_wav, "-o", "c.wav", "--n-iter", "500", "--tol", "0.01", "--json", cwd=tmp_path).stdout)
    assert stopped["converged"] and stopped["n_iter"] < 500
    bad = run("roundtrip", speech_wav, "-o", "d.wav", "-O", "nonsense=1", cwd=tmp_path, check_ok=False)
    assert_usage_error(bad, r"has no option 'nonsense'", r"momentum")
    assert not (tmp_path / "d.wav").exists()


def test_a_named_method_starts_from_the_default_init_as_the_help_says(tmp_path, speech_wav):
    """``--init``'s help gives PGHI as the default: typing the default method's name (or any
    iterative method's) must not silently switch to a random start."""
    default = json.loads(run("roundtrip", speech_wav, "-o", "a.wav", *FAST, "--json", cwd=tmp_path).stdout)
    named = json.loads(run("roundtrip", speech_wav, "-o", "b.wav", *FAST, "--method", gl.reconstruct.DEFAULT_METHOD, "--json", cwd=tmp_path).stdout)
    assert default["init"] == named["init"] == gl.reconstruct.DEFAULT_INIT
    assert named["spectral_convergence_db"] == default["spectral_convergence_db"]
    fgla = json.loads(run("roundtrip", speech_wav, "-o", "c.wav", *FAST, "--method", "fgla", "--json", cwd=tmp_path).stdout)
    assert fgla["init"] == gl.reconstruct.DEFAULT_INIT
    random = json.loads(run("roundtrip", speech_wav, "-o", "d.wav", *FAST, "--method", "fgla", "--init", "random", "--json", cwd=tmp_path).stdout)
    assert random["init"] == "random" and random["spectral_convergence_db"] > fgla["spectral_convergence_db"]
    rtisila = json.loads(run("roundtrip", speech_wav, "-o", "e.wav", "--n-iter", "2", "--method", "rtisila", "--json", cwd=tmp_path).stdout)
    assert rtisila["init"] != gl.reconstruct.DEFAULT_INIT  # its own overlap-add start, as the help says
    assert "whatever the method" in run("roundtrip", "--help", cwd=tmp_path).stdout


def test_a_level_that_betrays_a_misread_convention_is_warned_about(tmp_path):
    """A power read as a magnitude (or a density-scaled scipy array read as librosa's) makes
    audio far above full scale (or near silence) and a good spectral convergence: say why."""
    sr = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr)
    geometry = gl.STFT(1024, 256)
    np.save(tmp_path / "power.npy", np.abs(geometry.stft(x)) ** 2)
    common = ["--from", "librosa", "--sr", sr, "--hop", 256, *FAST, "-o", "o.wav", "--force", "--subtype", "FLOAT"]
    loud = run("invert", "power.npy", *common, cwd=tmp_path)
    assert re.search(r"gl: warning: the audio made from power.npy peaks at \+\d+ dBFS: .*give --power 2", loud.stderr)
    right = run("invert", "power.npy", *common, "--power", "2", cwd=tmp_path)
    assert "wrong convention" not in right.stderr
    normalized = run("invert", "power.npy", *common, "--normalize", cwd=tmp_path)
    assert "wrong convention" not in normalized.stderr
    np.save(tmp_path / "density.npy", np.abs(geometry.stft(x)) ** 2 / (sr * np.sum(np.hanning(1024) ** 2)) * 1e-6)
    quiet = run("invert", "density.npy", *common, "--power", "2", cwd=tmp_path)
    assert re.search(r"peaks at -\d+ dBFS: .*--from scipy.*ref=np.max.*--normalize", quiet.stderr)
    mine = run("invert", "power.npy", *common, "--power", "2", "--json", cwd=tmp_path)  # the file is still written
    assert json.loads(mine.stdout)["output"] == "o.wav"


@pytest.mark.parametrize("clip", ["d01_speech_arctic-slt_16k.flac", "d03_music_tabla_44k.flac", "d05_env_vinyl-crackle_22k.flac"])
def test_a_librosa_magnitude_read_as_scipy_is_told_apart(tmp_path, monkeypatch, capsys, clip):
    """``np.savez(name, S=np.abs(librosa.stft(y)), sr=sr)`` read with --from scipy comes back 50 dB and
    more too loud (its |X| taken for a density-scaled PSD): the level warning names --from librosa.
    scipy's own spectrograms of the same recordings, in every scaling, get no warning at all."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x, sr = sf.read(str(corpus_file("dev", clip)), dtype="float32", always_2d=True)
    x = x[: 2 * sr, 0]
    np.savez(tmp_path / "librosa.npz", S=np.abs(gl.STFT(2048, 512).stft(x)), sr=sr)  # librosa.stft's defaults
    monkeypatch.chdir(tmp_path)
    common = ["-o", "o.wav", "--force", "--subtype", "FLOAT", "--n-iter", "4", "-q"]
    loud = run_in_process(["invert", "librosa.npz", "--from", "scipy", "--n-fft", "2048", "--hop", "512", *common], capsys)
    assert re.search(r"peaks at \+\d+ dBFS: .*an unscaled \|X\| \(librosa.stft, torchaudio's Spectrogram\) needs --from "
                     r"librosa or --from torchaudio", loud.stderr), loud.stderr
    for mode in ("psd", "magnitude"):
        for scaling in ("density", "spectrum"):
            f, t, Sxx = scipy_signal.spectrogram(x, sr, nperseg=1024, noverlap=768, mode=mode, scaling=scaling, detrend=False)
            np.savez(tmp_path / "scipy.npz", f=f, t=t, Sxx=Sxx, fs=sr)
            genuine = run_in_process(["invert", "scipy.npz", "--from", "scipy", "-P", f"mode={mode}", "-P", f"scaling={scaling}",
                                      "-P", "detrend=False", *common], capsys)
            assert genuine.returncode == 0 and genuine.stderr == "", (mode, scaling, genuine.stderr)


def test_a_power_read_as_a_magnitude_is_named_below_20_dbfs(tmp_path, monkeypatch, capsys):
    """A power read as a magnitude comes back at about twice the recording's peak level plus 30 to 45
    dB: from a recording peaking at -12 dBFS, at about +15 dBFS, under the +20 dBFS the level warning
    waited for, and the one message was the clipping warning's --normalize or --subtype FLOAT, which
    hides the mistake (so did torchaudio's unnormalised power read with -P normalized=True, +17 dBFS
    from the vinyl clip). Above +6 dBFS, a read that took the array for a magnitude, or undid a
    normalisation, names that first; correct reads of the same recordings at full level say nothing."""
    from .test_importers import torchaudio_spectrogram

    scipy_signal = pytest.importorskip("scipy.signal")
    monkeypatch.chdir(tmp_path)
    common = ["-o", "o.wav", "--force", "--n-iter", "10", "-q"]  # PCM_16: the samples clip
    x, sr = sf.read(str(corpus_file("dev", "d01_speech_arctic-slt_16k.flac")), dtype="float64", always_2d=True)
    x = x[: 2 * sr, 0]
    S = np.abs(gl.STFT(2048, 512).stft(x))  # librosa.stft's defaults
    np.savez("power.npz", S=(S * 10 ** (-11 / 20)) ** 2, sr=sr)  # the recording at -12 dBFS, a power
    loud = run_in_process(["invert", "power.npz", "--from", "librosa", "--hop", "512", *common], capsys)
    assert re.search(r"peaks at \+1\d dBFS: the array looks read with the wrong convention \(--from librosa\); if the array "
                     r"holds a power \|X\|\*\*2, give --power 2 \(read as \|X\|\*\*1\)", loud.stderr), loud.stderr
    assert loud.stderr.index("--power 2") < loud.stderr.index("clipped"), loud.stderr  # the convention first
    sft = scipy_signal.ShortTimeFFT(scipy_signal.get_window("hann", 512), 128, sr)
    np.save("sft.npy", sft.spectrogram(x * 10 ** (-7 / 20)))  # its |X|**2 (512-sample frames: +17 dBFS), read as a magnitude
    shorttimefft = ["--from", "shorttimefft", "--n-fft", "512", "--hop", "128", "--sr", str(sr)]
    wrong = run_in_process(["invert", "sft.npy", *shorttimefft, "-P", "power=1", *common], capsys)
    assert re.search(r"peaks at \+1\d dBFS: .*\(--from shorttimefft\); if the array holds a power \|X\|\*\*2, give -P power=2 "
                     r"\(read as \|X\|\*\*1\)", wrong.stderr), wrong.stderr
    np.save("sft.npy", sft.spectrogram(x))
    assert "wrong convention" not in run_in_process(["invert", "sft.npy", *shorttimefft, *common], capsys).stderr
    np.savez("magnitude.npz", S=S, sr=sr)
    assert run_in_process(["invert", "magnitude.npz", "--from", "librosa", "--hop", "512", *common], capsys).stderr == ""
    vinyl, sr = sf.read(str(corpus_file("dev", "d05_env_vinyl-crackle_22k.flac")), dtype="float64", always_2d=True)
    np.save("ta.npy", torchaudio_spectrogram(vinyl[: 3 * sr, 0]))  # normalized=False, torchaudio's default
    torchaudio = ["--from", "torchaudio", "--hop", "200", "--sr", str(sr)]
    normalized = run_in_process(["invert", "ta.npy", *torchaudio, "-P", "normalized=True", *common], capsys)
    assert re.search(r"peaks at \+1\d dBFS: .*\(--from torchaudio\); if torchaudio's Spectrogram did not normalize it "
                     r"\(its default\), drop -P normalized=True", normalized.stderr), normalized.stderr
    assert "check -P normalized=" not in normalized.stderr
    assert run_in_process(["invert", "ta.npy", *torchaudio, *common], capsys).stderr == ""


def test_a_scipy_psd_read_as_librosa_is_named_though_above_minus_90_dbfs(tmp_path, monkeypatch, capsys):
    """scipy.signal.spectrogram's Sxx (a density-scaled power) read as --from librosa comes back at -75 to
    -89 dBFS from five of the six dev clips: above the -90 dBFS the level warning waited for, so the one
    message was the low-overlap warning of the hop given. Below -60 dBFS it names --from scipy; the
    correct read of the same file says nothing of the level."""
    scipy_signal = pytest.importorskip("scipy.signal")
    monkeypatch.chdir(tmp_path)
    x, sr = sf.read(str(corpus_file("dev", "d01_speech_arctic-slt_16k.flac")), dtype="float64", always_2d=True)
    f, t, Sxx = scipy_signal.spectrogram(x[: 2 * sr, 0], sr)  # scipy's defaults: nperseg 256, noverlap 32
    np.savez("sxx.npz", f=f, t=t, Sxx=Sxx, fs=sr)
    common = ["-o", "o.wav", "--force", "--n-iter", "10", "-q"]
    quiet = run_in_process(["invert", "sxx.npz", "--from", "librosa", "--hop", "224", *common], capsys)
    assert re.search(r"peaks at -[78]\d dBFS: the array looks read with the wrong convention \(--from librosa\); .*a scipy "
                     r"spectrogram \(density-scaled\) needs --from scipy", quiet.stderr), quiet.stderr
    assert "wrong convention" not in run_in_process(["invert", "sxx.npz", "--from", "scipy", *common], capsys).stderr


def test_a_level_warning_reads_the_power_the_npz_stores(tmp_path, monkeypatch, capsys):
    """A power saved beside the array (``np.savez(name, S=S, sr=..., power=2.0)``) is the power the
    array was read with: the level warning said 'read as |X|**1' and 'give --power 2' of an array
    read as |X|**2 already, and 'give --power 1' where --power 1 is refused as contradicting the
    file. It names the stored power and says to correct it."""
    sr = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    S = np.abs(gl.STFT(1024, 256).stft(x))
    np.savez(tmp_path / "int2.npz", S=(S * 32768) ** 2, sr=sr, hop_length=256, power=2.0)  # int16-scaled audio, a power
    np.savez(tmp_path / "pow1.npz", S=S**2, sr=sr, hop_length=256, power=1)  # a power stored as power=1
    np.savez(tmp_path / "mag.npz", S=S * 1e-6, sample_rate=sr, hop_length=256, n_fft=1024, power=1.0)
    monkeypatch.chdir(tmp_path)
    common = ["-o", "o.wav", "--force", "--subtype", "FLOAT", *FAST, "-q"]
    loud = run_in_process(["invert", "int2.npz", "--from", "librosa", *common], capsys)
    assert loud.returncode == 0 and "peaks at +" in loud.stderr, loud.stderr
    assert "--power" not in loud.stderr and "read as |X|**1" not in loud.stderr, loud.stderr
    wrong = run_in_process(["invert", "pow1.npz", "--from", "librosa", *common], capsys)
    assert re.search(r"peaks at \+\d+ dBFS: .*if the array holds a power \|X\|\*\*2, the power=1 stored in pow1\.npz is "
                     r"wrong: store 2 \(read as \|X\|\*\*1\)", wrong.stderr), wrong.stderr
    assert "give --power" not in wrong.stderr
    quiet = run_in_process(["invert", "mag.npz", "--from", "torchaudio", *common], capsys)  # torchaudio's default is 2
    assert "peaks at -" in quiet.stderr and "--power 1" not in quiet.stderr and "read as |X|**2" not in quiet.stderr, quiet.stderr


def test_a_level_warning_says_to_drop_a_power_typed_as_the_file_stores_it(tmp_path, monkeypatch, capsys):
    """--power 1 typed beside the power=1 an .npz stores (they agree, so it is read): the level warning
    said 'give --power 2', which is refused as contradicting the file. It says the stored power is
    wrong, and to drop the --power (or -P power=) typed with it."""
    sr = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
    S = np.abs(gl.STFT(1024, 256).stft(x))
    np.savez(tmp_path / "pow1.npz", S=S**2, sr=sr, hop_length=256, power=1)  # a power stored as power=1
    monkeypatch.chdir(tmp_path)
    common = ["-o", "o.wav", "--force", "--subtype", "FLOAT", *FAST, "-q"]
    for typed in (["--power", "1"], ["-P", "power=1"]):
        loud = run_in_process(["invert", "pow1.npz", "--from", "librosa", *typed, *common], capsys)
        said = "--power 1" if typed[0] == "--power" else "-P power=1"
        assert re.search(r"peaks at \+\d+ dBFS: .*if the array holds a power \|X\|\*\*2, the power=1 stored in pow1\.npz is "
                         rf"wrong: store 2 and drop {re.escape(said)} \(read as \|X\|\*\*1\)", loud.stderr), loud.stderr
        assert "give --power" not in loud.stderr
    refused = run_in_process(["invert", "pow1.npz", "--from", "librosa", "--power", "2", *common], capsys)
    assert refused.returncode == 2 and "--power 2 but the power in pow1.npz is 1" in refused.stderr  # why the advice changed


def test_db_made_non_negative_is_warned_about(tmp_path, monkeypatch, capsys, speech):
    """dB shifted to 0..80 (amplitude_to_db(ref=np.max) + 80) or normalised to [0, 1] passes the
    negative-values check and came back 15 dB too loud without a word: a warning naming the flag.
    Real magnitudes, powers and mels of a dev clip and white noise are not warned about."""
    x, sr = speech
    geometry = gl.STFT(512, 128)
    X = np.abs(geometry.stft(x))
    db = 20 * np.log10(np.maximum(1e-5, X / X.max()))
    filterbank = gl.mel.mel_filterbank(sr=sr, n_fft=512, n_mels=64)
    noise = np.abs(geometry.stft(0.1 * np.random.default_rng(7).standard_normal(sr)))
    arrays = {
        "shifted.npy": np.maximum(db, -80.0) + 80.0,  # librosa's top_db=80, then + 80
        "normalised.npy": np.clip((db + 80.0) / 80.0, 0.0, 1.0),  # Tacotron's (S_db - min_db) / -min_db, min_db -80
        "magnitude.npy": X, "power.npy": X**2, "mel.npy": filterbank @ X**2, "noise.npy": noise,
        "padded_noise.npy": np.pad(noise, ((0, 0), (30, 30))),  # zeros in whole frames: digital silence, not a dB floor
    }
    for name, array in arrays.items():
        np.save(tmp_path / name, array)
    monkeypatch.chdir(tmp_path)

    def stderr(name: str, *more) -> str:
        convention = ["--from", "mel", "--n-fft", "512"] if name == "mel.npy" else ["--from", "librosa"]
        result = run_in_process(["invert", name, *convention, "--sr", sr, "--hop", 128, "--n-iter", "2", "-o", "o.wav",
                                 "--force", "-q", *more], capsys)
        assert result.returncode == 0, result.stderr
        return result.stderr

    for name in ("shifted.npy", "normalised.npy"):
        warned = [line for line in stderr(name).splitlines() if "looks like dB" in line]
        assert len(warned) == 1, stderr(name)
        assert re.match(rf"gl: warning: the array in {name} looks like dB made non-negative, .*% of it is exactly 0 .*"
                        r"S_db \+ 80, S_db - S_db.min\(\), a \[0, 1\] or \[0, 4\] normalisation\), undo that first .*"
                        r"then add -P db=power or -P db=amplitude", warned[0]), warned[0]
    assert "looks like dB" not in stderr("shifted.npy", "-P", "db=amplitude")  # the way out, once the shift is undone...
    for name in ("magnitude.npy", "mel.npy", "noise.npy", "padded_noise.npy"):
        assert "looks like dB" not in stderr(name), name
    assert "looks like dB" not in stderr("power.npy", "--power", "2")


def test_library_messages_are_shown_in_flags(tmp_path, speech_wav):
    """The library's keywords become the flags that set them (a review as a new user: 'use a
    smaller hop_length', "('kaiser', 8.0)", 'pass detrend=False', 'STFT(n_fft=...)')."""
    nola = run("roundtrip", speech_wav, "-o", "o.wav", "--hop", "1024", "--n-iter", "1", cwd=tmp_path)
    assert re.search(r"gl: warning: NOLA condition fails for FFT size 1024, hop 1024, window length 1024, hann window, centred: .*"
                     r"use a smaller --hop ", nola.stderr)
    assert "STFT(" not in nola.stderr and "hop_length" not in nola.stderr
    kaiser = run("roundtrip", speech_wav, "-o", "k.wav", "--window", "kaiser", cwd=tmp_path, check_ok=False)
    assert_usage_error(kaiser, r"--window kaiser: the kaiser window needs its beta, e.g. kaiser,8.0$")
    unknown = run("roundtrip", speech_wav, "-o", "k.wav", "--window", "nope", cwd=tmp_path, check_ok=False)
    assert_usage_error(unknown, r"--window nope is unknown; use one of .*tukey$")
    exists = run("roundtrip", speech_wav, "-o", "o.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(exists, r"o.wav already exists; use --force to overwrite it")
    flac = run("roundtrip", speech_wav, "-o", "o.flac", "--subtype", "FLOAT", cwd=tmp_path, check_ok=False)
    assert_usage_error(flac, r"use --subtype PCM_16 or PCM_24")
    x, sr = sf.read(str(speech_wav))
    scipy_signal = pytest.importorskip("scipy.signal")
    np.save(tmp_path / "sxx.npy", scipy_signal.spectrogram(x, sr, nperseg=512, noverlap=384)[2])
    detrended = run("invert", "sxx.npy", "--from", "scipy", "--sr", sr, "--n-fft", 512, "--hop", 128, "-o", "d.wav",
                    "--n-iter", 1, cwd=tmp_path)
    assert "(give -P detrend=False if the array in sxx.npy was made without it)" in detrended.stderr
    assert gl.cli._in_flags("clipped by librosa's default top_db=80; clipped") == "clipped by librosa's default top_db=80; clipped"
    assert gl.cli._in_flags("-P hop_length=... and --hop both set hop_length") == "-P hop_length=... and --hop both set --hop"
    assert gl.cli._in_flags("momentum=-1 must be >= 0; ref=np.max lost it") == "-O momentum=-1 must be >= 0; ref=np.max lost it"
    assert gl.cli._in_flags("the n_fft // 2 + 1 bins; n_mels=64 but M has 80") == "the n_fft // 2 + 1 bins; -P n_mels=64 but M has 80"
    assert gl.cli._in_flags("nperseg=256 gives 129 rows: pass nfft=512") == "nperseg=256 gives 129 rows: pass nfft=512"  # --n-fft's
    assert gl.cli._in_flags("fs=50 Hz is no audio sample rate") == "--sr 50 Hz is no audio sample rate"
    assert gl.cli._in_flags("mel_scale='mel' must be 'htk'; pad=-3 must be >= 0") == "-P mel_scale='mel' must be 'htk'; -P pad=-3 must be >= 0"


def test_file_names_are_not_rewritten(tmp_path, speech_wav):
    """A folder called n_fft=512 (a Hydra run, say) stays that in every message."""
    folder = tmp_path / "runs" / "n_fft=512"
    folder.mkdir(parents=True)
    shutil.copy(speech_wav, folder / "in.wav")
    exists = run("roundtrip", "runs/n_fft=512/in.wav", "-o", "runs/n_fft=512/in.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(exists, r"runs/n_fft=512/in.wav already exists; use --force")
    missing = run("roundtrip", "runs/n_fft=512/in.wav", "-o", "runs/hop_length=1/x.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(missing, r"output folder runs/hop_length=1 does not exist; create it \(mkdir -p runs/hop_length=1\)")
    x, sr = sf.read(str(speech_wav))
    np.save(tmp_path / "mode=power.npy", np.abs(gl.STFT(1024, 256).stft(x)) ** 2)
    loud = run("invert", "mode=power.npy", "--from", "librosa", "--sr", sr, "--hop", 256, "-o", "o.wav", *FAST, cwd=tmp_path)
    assert "the audio made from mode=power.npy peaks at" in loud.stderr
    # a folder named by a number (a run), and a current folder named like a letter of the messages
    (tmp_path / "4").mkdir()
    (tmp_path / "n").mkdir()
    np.save(tmp_path / "4" / "S.npy", np.ones((128, 50)))
    numbered = run("invert", "4/S.npy", "-o", "o.wav", "--force", "--from", "librosa", "--sr", sr, "--hop", 512,
                   cwd=tmp_path, check_ok=False)
    assert "the frames of 4/S.npy: its 128 rows imply --n-fft 254" in numbered.stderr and "\x00" not in numbered.stderr
    inside = run("invert", "../4/S.npy", "-o", "o.wav", "--from", "librosa", "--sr", sr, "--hop", 512, "--n-fft", 254,
                 cwd=tmp_path / "n", check_ok=False)  # the importer's message, translated into flags
    assert inside.returncode == 2 and inside.stderr.endswith("error: --hop 512 must be <= --win-length 254: a larger hop "
                                                            "leaves samples that no frame sees\n")
    (tmp_path / "d n_fft=512" / "gl-demo.wav").mkdir(parents=True)
    demo = run("demo", "-o", "d n_fft=512", cwd=tmp_path, check_ok=False)
    assert_usage_error(demo, r"d n_fft=512/gl-demo.wav is a folder")


def test_a_mel_or_transposed_array_read_as_an_stft_is_caught(tmp_path):
    mel = np.ones((128, 60))
    np.save(tmp_path / "mel.npy", mel)
    for convention in ("librosa", "torchaudio"):
        result = run("invert", "mel.npy", "--from", convention, "--sr", 16000, "--hop", 128, "-o", "m.wav", "--force",
                     "--n-iter", 1, cwd=tmp_path)
        assert re.search(r"gl: warning: --n-fft 254 was read off the 128 rows of mel.npy; 128 rows look like mel bands: "
                         r"if it is a mel spectrogram, use --from mel", result.stderr)
    given = run("invert", "mel.npy", "--from", "librosa", "--sr", 16000, "--hop", 64, "--n-fft", 254, "-o", "m.wav",
                "--force", "--n-iter", 1, cwd=tmp_path)
    assert "mel bands" not in given.stderr
    np.save(tmp_path / "frames_bins.npy", np.ones((300, 257)))
    for convention in ("librosa", "torchaudio"):
        transposed = run("invert", "frames_bins.npy", "--from", convention, "--sr", 16000, "--hop", 128, "-o", "t.wav",
                         cwd=tmp_path, check_ok=False)
        assert_usage_error(transposed, r"it looks like \(frames, bins\); .*save its transpose")
    np.save(tmp_path / "sxx_t.npy", np.ones((497, 129)))  # scipy's Sxx of nperseg 256, transposed
    for convention in ("scipy", "scipy-stft"):
        transposed = run("invert", "sxx_t.npy", "--from", convention, "--sr", 16000, "--n-fft", 256, "--hop", 64,
                         "-o", "t.wav", cwd=tmp_path, check_ok=False)
        assert_usage_error(transposed, r"give the nperseg scipy was given as --n-fft.*its 129 columns are that many: if "
                                       r"the array in sxx_t\.npy is \(frames, bins\), save its transpose \(np\.save\(name, S\.T\)\)")
        assert "nfft=992 or 993 if" not in transposed.stderr and "(here nperseg=" not in transposed.stderr
    assert not (tmp_path / "t.wav").exists()


def test_torchaudio_mel_convention(tmp_path):
    """--from torchaudio-mel: MelSpectrogram's conventions (HTK scale, no normalisation,
    torchaudio's bins, reflect padding) without -P; --from mel reads librosa's, a wrong pitch."""
    sr = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * sr) / sr)
    geometry = gl.STFT(1024, 256, pad_mode="reflect")
    F = gl.mel.mel_filterbank(sr=sr, n_fft=1024, n_mels=80, htk=True, norm=None, bins="torchaudio")
    np.save(tmp_path / "tamel.npy", F @ np.abs(geometry.stft(x)) ** 2)
    pitches = {}
    for convention in ("torchaudio-mel", "mel"):
        run("invert", "tamel.npy", "--from", convention, "--sr", sr, "--n-fft", 1024, "--hop", 256, "-o", f"{convention}.wav",
            "--subtype", "FLOAT", *FAST, cwd=tmp_path)
        y, _ = sf.read(str(tmp_path / f"{convention}.wav"))
        pitches[convention] = np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(np.abs(np.fft.rfft(y)))]
    assert abs(pitches["torchaudio-mel"] - 440) < 5 < abs(pitches["mel"] - 440)
    missing = run("invert", "tamel.npy", "--from", "torchaudio-mel", "--sr", sr, "--hop", 256, "-o", "m.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(missing, r"bare mel spectrogram: give the FFT size it was made with, --n-fft")


def test_the_text_report_says_how_each_method_ran(tmp_path, speech_wav):
    def text(*args):
        return run("roundtrip", speech_wav, "-o", "o.wav", "--force", *args, cwd=tmp_path).stdout

    assert "  method                pghi (one pass, no iterations)\n" in text("--method", "pghi")
    assert "  method                rtisila, 2 iterations per frame, from its overlap-add estimate\n" in text("--method", "rtisila", "--n-iter", "2")
    assert re.search(r"method                dm_fgla, initial phase pghi, \d+ iterations \(stopped by --tol\)\n",
                     text("--n-iter", "400", "--tol", "0.05"))
    assert re.search(r"\nwrote o.wav, normalized to -3.0 dBFS \(gain [-+]\d+\.\d dB\)\n", text(*FAST, "--normalize", "--peak-db=-3"))
    assert "\nwrote o.wav\n" in text(*FAST)
    x, sr = sf.read(str(speech_wav))
    sf.write(str(tmp_path / "stereo.wav"), np.stack([x, 0.5 * x[::-1]], axis=1), sr)
    run("spectrogram", "stereo.wav", "-o", "st.npz", cwd=tmp_path)
    inverted = run("invert", "st.npz", "-o", "st.wav", *FAST, cwd=tmp_path).stdout
    assert re.search(r"gl invert: st.npz \(\d+ bins x \d+ frames, \d+ Hz, 2 channels\)", inverted)
    assert re.search(r"spectral convergence  -\d+\.\d dB  \(per channel: -\d+\.\d dB, -\d+\.\d dB\)", inverted)
    assert ", 2 channels)" in run("spectrogram", "stereo.wav", "-o", "st2.npz", cwd=tmp_path).stdout



def test_a_truncated_input_is_warned_about_once(tmp_path, speech_wav):
    """An input cut short (an interrupted download) was reconstructed as the shorter signal
    without a word; now one warning says so, and the command still runs."""
    data = speech_wav.read_bytes()
    (tmp_path / "truncated.wav").write_bytes(data[: len(data) // 2])
    promised, held = sf.info(str(speech_wav)).frames, sf.info(str(tmp_path / "truncated.wav")).frames
    result = run("roundtrip", "truncated.wav", "-o", "out.wav", *FAST, cwd=tmp_path)
    warned = [line for line in result.stderr.splitlines() if line.startswith("gl: warning:")]
    assert warned == [f"gl: warning: truncated.wav is cut short: its header says {promised} samples per channel, "
                      f"it holds {held}; the rest is missing (the file was truncated)"], result.stderr
    assert sf.info(str(tmp_path / "out.wav")).frames == held

def test_a_normalize_peak_below_one_pcm_step_is_warned_about(tmp_path, speech_wav):
    result = run("roundtrip", speech_wav, "-o", "q.wav", "--normalize", "--peak-db=-120", *FAST, cwd=tmp_path)
    assert "gl: warning: --peak-db -120 is below half of PCM_16's smallest step (-90.3 dBFS): every sample rounds to 0" in result.stderr
    assert not np.any(sf.read(str(tmp_path / "q.wav"), dtype="int16")[0])  # as it said
    floating = run("roundtrip", speech_wav, "-o", "f.wav", "--normalize", "--peak-db=-120", "--subtype", "FLOAT", *FAST, cwd=tmp_path)
    assert "smallest step" not in floating.stderr
    # a level below float64's smallest number: the gain is 0, reported without numpy's 'divide by zero encountered in log10'
    zero = run("roundtrip", speech_wav, "-o", "z.wav", "--normalize", "--peak-db=-8000", "--subtype", "FLOAT", *FAST, cwd=tmp_path)
    assert zero.stderr.startswith("gl: warning: --peak-db -8000 is below half of FLOAT's smallest sample (-897.1 dBFS)")
    assert len(zero.stderr.splitlines()) == 1 and "wrote z.wav, normalized to -inf dBFS (gain -inf dB)" in zero.stdout
    infinite = run("roundtrip", speech_wav, "-o", "i.wav", "--normalize", "--peak-db=-inf", cwd=tmp_path, check_ok=False)
    assert_usage_error(infinite, r"--peak-db -inf must be a finite number <= 0")


def test_a_spectrogram_given_where_audio_goes_points_to_gl_invert(tmp_path, speech_wav):
    run("spectrogram", speech_wav, "-o", "s.npz", cwd=tmp_path)
    for command in ("spectrogram", "roundtrip"):
        result = run(command, "s.npz", "-o", "o.wav" if command == "roundtrip" else "t.npz", cwd=tmp_path, check_ok=False)
        assert_usage_error(result, r"s.npz is not an audio file gl can read .*\(a spectrogram: turn it into sound with gl invert")


def test_json_says_its_schema_and_gl_version(tmp_path, speech_wav):
    report = json.loads(run("roundtrip", speech_wav, "-o", "o.wav", *FAST, "--json", cwd=tmp_path).stdout)
    assert list(report)[:3] == ["command", "schema", "gl_version"]
    assert report["schema"] == cli._Report.SCHEMA == 1 and report["gl_version"] == gl.__version__


def test_option_values_are_checked_before_any_work(tmp_path):
    """-O values are tried on a small made-up spectrogram first: a bad one is refused before
    the input is even read (a mel input's conversion took seconds to minutes before the
    method said n_dm=1.5 is not an integer)."""
    for flags, message in ((["-O", "n_dm=1.5"], r"-O n_dm=1.5 must be an integer"),
                           (["-O", "momentum=-2"], r"-O momentum=-2 must be finite and >= 0"),
                           (["--method", "raar", "-O", "beta=2"], r"beta=2 must be"),
                           (["--method", "rtisila", "-O", "lookahead=-1"], r"lookahead"),
                           # named as typed, -O and all (was 'n_threads=0 must be ...', 'momentum=[1, 2] must be ...')
                           (["-O", "n_threads=0"], r"error: -O n_threads=0 must be >= 1 \(or None: gl decides\)$"),
                           (["-O", "momentum=[1,2]"], r"error: -O momentum=\[1, 2\] must be a number$")):
        result = run("invert", "missing.npy", "-o", "o.wav", *flags, cwd=tmp_path, check_ok=False)
        assert_usage_error(result, message)
    valid = cli.main(["roundtrip", str(DEMO_DATA), "-o", str(tmp_path / "v.wav"), "--method", "agla", "-O", "alpha=0.9",
                      "-O", "gamma=1.2", "--n-iter", "2", "-q"])
    assert valid == 0


def test_an_option_a_method_ignores_is_refused(tmp_path, speech_wav):
    bad = run("roundtrip", speech_wav, "-o", "o.wav", *FAST, "--method", "gla", "-O", "momentum=0.9", cwd=tmp_path, check_ok=False)
    assert_usage_error(bad, r"method gla has no option 'momentum'", r"use --method fgla")
    assert not (tmp_path / "o.wav").exists()


def test_pcm_clipping_is_counted_and_normalize_avoids_it(tmp_path):
    sr = 16000
    t = np.arange(sr) / sr
    loud = 1.6 * np.sin(2 * np.pi * 200 * t) * np.hanning(sr)  # beyond full scale: a FLOAT wav holds it
    sf.write(str(tmp_path / "loud.wav"), loud, sr, subtype="FLOAT")
    clipped = run("roundtrip", "loud.wav", "-o", "pcm.wav", *FAST, "--json", cwd=tmp_path)
    count = json.loads(clipped.stdout)["clipped_samples"]
    assert count > 1000
    assert re.fullmatch(rf"gl: warning: {count} of {sr} samples clipped writing pcm.wav .*--normalize.*\n", clipped.stderr)
    pcm, _ = sf.read(str(tmp_path / "pcm.wav"), dtype="int16")
    assert np.count_nonzero((pcm == 32767) | (pcm == -32768)) >= count  # clipped, not wrapped
    normalized = run("roundtrip", "loud.wav", "-o", "norm.wav", *FAST, "--normalize", "--json", cwd=tmp_path)
    assert normalized.stderr == "" and json.loads(normalized.stdout)["clipped_samples"] == 0
    peak = np.max(np.abs(sf.read(str(tmp_path / "norm.wav"))[0]))
    assert 20 * np.log10(peak) == pytest.approx(-1.0, abs=0.01)
    floating = run("roundtrip", "loud.wav", "-o", "float.wav", *FAST, "--subtype", "FLOAT", cwd=tmp_path)
    assert floating.stderr == "" and np.max(np.abs(sf.read(str(tmp_path / "float.wav"))[0])) > 1.2


def test_overwrite_protection_and_force(tmp_path, speech_wav):
    target = tmp_path / "out.wav"
    target.write_bytes(b"do not lose me")
    refused = run("roundtrip", speech_wav, "-o", target, *FAST, cwd=tmp_path, check_ok=False)
    assert_usage_error(refused, r"out.wav already exists; use --force to overwrite it")
    assert target.read_bytes() == b"do not lose me"
    run("roundtrip", speech_wav, "-o", target, *FAST, "--force", cwd=tmp_path)
    assert sf.info(str(target)).frames == 16000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav", "speech.wav"]


def test_plot(tmp_path, speech_wav):
    pytest.importorskip("matplotlib")
    result = run("roundtrip", speech_wav, "-o", "out.wav", "--plot", "picture.png", *FAST, cwd=tmp_path)
    assert (tmp_path / "picture.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Traceback" not in result.stderr


def test_plot_says_what_it_shows(tmp_path, speech_wav, monkeypatch, capsys):
    """The third panel: a curve from the starting phase (iteration 0) for an iterative method;
    a sentence for one pass, RTISI-LA and --n-iter 0 (an empty axis from 0.96 to 1.04 before);
    which channel the spectrograms show."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    figures = []
    original_savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (figures.append(self), original_savefig(self, *a, **k))[1])
    x, sr = sf.read(str(speech_wav))
    sf.write(str(tmp_path / "stereo.wav"), np.stack([x, x[::-1]], axis=1), sr)
    cases = {"fgla": ["--method", "fgla", *FAST], "pghi": ["--method", "pghi"], "rtisila": ["--method", "rtisila"], "none": ["--n-iter", "0"]}
    for name, flags in cases.items():
        assert cli.main(["roundtrip", str(tmp_path / "stereo.wav"), "-o", str(tmp_path / f"{name}.wav"), "--plot",
                         str(tmp_path / f"{name}.png"), "-q", *flags]) == 0, capsys.readouterr().err
    texts = {name: " ".join(t.get_text() for t in figure.axes[2].texts) for name, figure in zip(cases, figures)}
    assert texts["fgla"] == "" and figures[0].axes[2].lines[0].get_xdata()[0] == 0  # from the start
    assert len(figures[0].axes[2].lines) == 2  # a curve per channel
    assert texts["pghi"].startswith("pghi: one pass, no iterations\nspectral convergence -")
    assert texts["rtisila"].startswith("rtisila: 5 iterations per frame")
    assert texts["none"].startswith("no iterations (--n-iter 0)")
    assert "channel 1 of 2" in figures[0].axes[0].get_title()


def test_plot_without_matplotlib_says_how_to_install_it(tmp_path, speech_wav, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "out.wav"), "--plot", str(tmp_path / "p.png")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "pip install matplotlib" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


# ----------------------------------------------------------------------------- spectrogram + invert
def test_spectrogram_file_inverts_without_flags(tmp_path, speech_wav, speech):
    made = run("spectrogram", speech_wav, "-o", "spec.npz", "--n-fft", "512", "--hop", "128", "--window", "kaiser,8", "--json", cwd=tmp_path)
    assert json.loads(made.stdout)["shape"] == [257, 126]
    with np.load(tmp_path / "spec.npz") as data:
        assert {"magnitude", "metadata"} <= set(data.files)
        magnitude = data["magnitude"]
    geometry = gl.STFT(512, 128, window=("kaiser", 8.0))
    x, sr = sf.read(str(speech_wav))
    np.testing.assert_allclose(magnitude, np.abs(geometry.stft(x)), rtol=1e-4, atol=1e-5)  # float32
    result = run("invert", "spec.npz", "-o", "back.wav", "--n-iter", "30", "--json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert (report["n_fft"], report["hop_length"], report["window"], report["sample_rate"]) == (512, 128, "kaiser,8", 16000)
    y, sr2 = sf.read(str(tmp_path / "back.wav"))
    assert sr2 == sr and y.shape == x.shape  # the original length, from the file
    assert spectral_convergence_db(x, y, geometry) < -15
    assert abs(spectral_convergence_db(x, y, geometry) - report["spectral_convergence_db"]) < 0.5


def test_a_loud_file_whose_spectrogram_fits_float32_is_not_refused(tmp_path):
    """A spike of 1e37: its peak times the window's sum (2.6e39) exceeds float32, but its
    spectrogram (9.2e36 at most) does not, and it was refused on that bound (from the review)."""
    x = np.zeros(8000, dtype=np.float32)
    x[4000] = 1e37
    sf.write(str(tmp_path / "spike.wav"), x, 8000, subtype="FLOAT")
    run("spectrogram", "spike.wav", "-o", "spike.npz", "--n-fft", "1024", cwd=tmp_path)
    magnitude = gl.Spectrogram.load(tmp_path / "spike.npz").magnitude
    assert np.isfinite(magnitude).all() and 9e36 < magnitude.max() < 1e37


def test_spectrogram_of_stereo_and_not_centred(tmp_path):
    x = np.random.default_rng(1).standard_normal((3000, 2)) * 0.1
    sf.write(str(tmp_path / "noise.wav"), x, 8000, subtype="FLOAT")
    run("spectrogram", "noise.wav", "-o", "s.npz", "--n-fft", "256", "--hop", "64", "--no-center", cwd=tmp_path)
    spectrogram = gl.Spectrogram.load(tmp_path / "s.npz")
    assert spectrogram.magnitude.shape[:2] == (2, 129) and not spectrogram.geometry.center
    run("invert", "s.npz", "-o", "s.wav", "--n-iter", "5", cwd=tmp_path)
    assert sf.info(str(tmp_path / "s.wav")).channels == 2 and sf.info(str(tmp_path / "s.wav")).frames == 3000



def test_spectrogram_names_what_it_stores(tmp_path, monkeypatch, capsys):
    """--power 2 stores a power spectrogram, which the report called 'magnitude spectrogram of
    |X|^2'; and a signal of one sample is '(1 sample)', not '(1 samples)'."""
    sf.write(str(tmp_path / "tone.wav"), 0.1 * np.sin(np.arange(4000) / 5.0), 8000)
    sf.write(str(tmp_path / "one.wav"), np.array([0.5]), 8000)
    monkeypatch.chdir(tmp_path)
    kinds = {}
    for power in ("1", "2", "0.5"):
        made = run_in_process(["spectrogram", "tone.wav", "-o", f"p{power}.npz", "--power", power, "--json"], capsys)
        assert made.returncode == 0, made.stderr
        kinds[power] = json.loads(made.stdout)["kind"]
    assert kinds == {"1": "magnitude spectrogram", "2": "power spectrogram (|X|^2)", "0.5": "spectrogram of |X|^0.5"}
    short = run_in_process(["spectrogram", "one.wav", "-o", "one.npz"], capsys)
    assert short.returncode == 0 and "is longer than the signal (1 sample): a frame" in short.stderr, short.stderr

# ----------------------------------------------------------------------------- errors
def make_inputs(folder: Path) -> None:
    (folder / "text.wav").write_text("hello, not audio\n" * 50)
    (folder / "text.npz").write_text("hello, not an archive\n")
    np.savez(folder / "fields.npz", S=np.ones((5, 3)), sr=16000)
    np.savez(folder / "nometa.npz", magnitude=np.ones((5, 3)))
    np.savez(folder / "othermeta.npz", metadata=np.array('{"tool": "other"}'), window=np.ones(8))
    fractional = gl.STFT(n_fft=64, hop_length=16)
    gl.Spectrogram(np.ones((33, 20)), fractional, sample_rate=8000.5, length=304).save(folder / "fractional.npz")
    np.save(folder / "bare.npy", np.ones((257, 40)))
    np.savez(folder / "fractional_fs.npz", Sxx=np.ones((257, 40)), fs=8000.5)
    sf.write(str(folder / "tone.wav"), 0.1 * np.sin(np.arange(8000) / 5.0), 8000)
    nan = np.full(2000, 0.1)
    nan[7] = np.nan
    sf.write(str(folder / "nan.wav"), nan, 8000, subtype="FLOAT")
    wave = np.sin(np.arange(2000) / 5.0)
    sf.write(str(folder / "beyond32.wav"), wave * 1e300, 8000, subtype="DOUBLE")  # finite, but not in float32
    sf.write(str(folder / "loud.wav"), (wave * 3e38).astype(np.float32), 8000, subtype="FLOAT")  # its STFT overflows float32
    (folder / "sub").mkdir()
    (folder / "file").write_text("a file, not a folder")


ERRORS = [
    (["roundtrip", "missing.wav", "-o", "o.wav"], [r"missing.wav does not exist"]),
    (["roundtrip", "text.wav", "-o", "o.wav"], [r"text.wav is not an audio file gl can read", r"WAV, FLAC"]),
    (["roundtrip", "sub", "-o", "o.wav"], [r"sub is a folder"]),
    (["roundtrip", "nan.wav", "-o", "o.wav"], [r"nan.wav holds NaN or infinite samples"]),
    (["roundtrip", "beyond32.wav", "-o", "o.wav"], [r"beyond32.wav holds samples up to 1e\+300, beyond float32's range", r"scale the file down"]),
    (["spectrogram", "loud.wav", "-o", "o.npz"], [r"loud.wav peaks at 3e\+38, and its spectrogram exceeds float32's range", r"scale the file down"]),
    (["roundtrip", "loud.wav", "-o", "o.wav"], [r"loud.wav peaks at 3e\+38"]),
    (["roundtrip", "tone.wav", "-o", "nodir/o.wav"], [r"output folder nodir does not exist; create it"]),
    (["roundtrip", "tone.wav", "-o", "file/o.wav"], [r"output folder file is not a folder"]),
    *([(["roundtrip", "tone.wav", "-o", "/proc/gl-cli-test.wav"], [r"cannot create files in /proc", r"choose another output folder"])]
      if os.path.isdir("/proc") else []),  # Linux
    (["roundtrip", "tone.wav", "-o", "o.mp3"], [r"extension", r"\.wav, \.flac"]),
    (["roundtrip", "tone.wav", "-o", "o.flac", "--subtype", "FLOAT"], [r"FLAC cannot hold FLOAT"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--subtype", "PCM_8"], [r"invalid choice: 'PCM_8'", r"--help"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--n-iter", "-3"], [r"--n-iter: -3 must be >= 0"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--n-fft", "abc"], [r"--n-fft: 'abc' is not a whole number"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--method", "magic"], [r"invalid choice: 'magic'"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--init", "psychic"], [r"--init 'psychic' is unknown"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--tol", "5"], [r"--tol 5.0 must be between 0 and 1"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--window", "nope"], [r"--window nope is unknown"]),
    (["roundtrip", "tone.wav", "-o", "o.wav", "--n-fft", "256", "--hop", "400"], [r"--hop 400 must be <= --win-length 256"]),
    (["roundtrip", "tone.wav"], [r"the following arguments are required: -o/--output"]),
    (["invert", "missing.npz", "-o", "o.wav"], [r"missing.npz does not exist"]),
    (["invert", "text.npz", "-o", "o.wav"], [r"text.npz is not an .npz archive"]),
    (["invert", "tone.wav", "-o", "o.wav"], [r"give an .npz file"]),
    # another library's array saved with np.savez is read with --from, as it is (not re-saved with np.save)
    (["invert", "fields.npz", "-o", "o.wav"], [r"not a gl spectrogram file: it has no 'magnitude' and 'metadata' fields \(it has S, sr\)",
                                               r"for another library's spectrogram, say which with --from scipy\|"]),
    # a file's own rate cannot be overridden by --sr: saving it again is the way (an audio review)
    (["invert", "fractional.npz", "-o", "o.wav"], [r"fractional.npz says its sample rate is 8000.5 Hz, not a whole number, "
                                                   r"which audio files need; save it again with a whole sample rate"]),
    # a rate typed (or stored beside scipy's array) that is not a whole number is named where it came from,
    # not as the file's own rate (was 'bare.npy says its sample rate is 8000.5 Hz ... save it again')
    (["invert", "bare.npy", "--from", "librosa", "--sr", "8000.5", "--hop", "128", "-o", "o.wav"],
     [r"--sr 8000.5 is not a whole number of Hz, which audio files need; give the rate"]),
    (["invert", "bare.npy", "--from", "scipy", "-P", "fs=8000.5", "-P", "detrend=False", "--n-fft", "512", "--hop", "128", "-o", "o.wav"],
     [r"-P fs=8000.5 is not a whole number of Hz"]),
    (["invert", "fractional_fs.npz", "--from", "scipy", "-P", "detrend=False", "--n-fft", "512", "--hop", "128", "-o", "o.wav"],
     [r"the fs in fractional_fs.npz, 8000.5, is not a whole number of Hz, which audio files need; store the rate"]),
    # metadata of another kind: the field that is missing, not both (an audio review)
    (["invert", "othermeta.npz", "-o", "o.wav"], [r"not a gl spectrogram file: it has no 'magnitude' field \(it has metadata, window\)"]),
    (["invert", "nometa.npz", "-o", "o.wav"], [r"no 'metadata' field"]),
    (["invert", "bare.npy", "-o", "o.wav"], [r"bare array: say what it is with --from"]),
    (["spectrogram", "tone.wav", "-o", "s.npy"], [r"must end in .npz"]),
    (["spectrogram", "tone.wav", "-o", "s.npz", "--fmin", "100"], [r"--fmin and --fmax are for mel spectrograms; add --mel"]),
    (["demo", "-o", "nodir"], [r"output folder nodir does not exist"]),
]


def run_in_process(args, capsys) -> subprocess.CompletedProcess:
    """``gl ARGS`` through :func:`gl.cli.main`, what the console script calls (faster than a process)."""
    status = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, captured.out, captured.err)


@pytest.mark.parametrize("args, patterns", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_are_one_line_with_status_2(tmp_path, monkeypatch, capsys, args, patterns):
    make_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_usage_error(run_in_process(args, capsys), *patterns)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, nothing half-written


SEEN_BY_A_USER = [(a, p) for a, p in ERRORS if {"missing.wav", "text.wav", "fields.npz", "/proc/gl-cli-test.wav", "-3"} & set(a)]


@pytest.mark.parametrize("args, patterns", SEEN_BY_A_USER, ids=[" ".join(a) for a, _ in SEEN_BY_A_USER])
def test_errors_as_a_user_sees_them(tmp_path, args, patterns):
    """A few of the errors above from a real process: exit status 2, one line, no traceback."""
    make_inputs(tmp_path)
    assert len(SEEN_BY_A_USER) == 5
    assert_usage_error(run(*args, cwd=tmp_path, check_ok=False), *patterns)


def test_missing_soundfile_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "soundfile", None)  # import soundfile now fails
    result = run_in_process(["demo", "-o", tmp_path], capsys)
    assert_usage_error(result, r"needs the soundfile package", r"pip install soundfile")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- never a partial file
def failing_writer(exception):
    def write(file, data, samplerate, subtype=None, format=None, **kwargs):
        with open(file, "wb") as handle:
            handle.write(b"RIFF" + b"\x00" * 10000)  # some bytes, then the failure
        raise exception

    return write


def test_no_partial_file_when_the_disk_fills_up(tmp_path, speech_wav, monkeypatch, capsys):
    monkeypatch.setattr(sf, "write", failing_writer(OSError(28, "No space left on device")))
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "out.wav"), *FAST])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "No space left on device" in err and "free some space" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


@pytest.mark.parametrize("second", ["os", "libsndfile"])
def test_demo_writes_its_two_files_or_neither(tmp_path, monkeypatch, capsys, second):
    """gl demo's second file failing to be written (a full disk) left the first, gl-demo.wav,
    complete beside no gl-demo-original.wav: both are written to temporary files and renamed only
    when both were written; on a failure neither file (nor a temporary) is left, old ones stay as
    they were, and the message names the file that failed."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "gl-demo.wav").write_bytes(b"old demo")  # a previous run's: left as it was
    writes = []
    real_write = sf.write
    failure = (OSError(errno.ENOSPC, "No space left on device") if second == "os"
               else sf.LibsndfileError(gl.audio.SF_ERR_SYSTEM, "Error writing the file: "))

    def write(file, data, samplerate, subtype=None, format=None, **kwargs):
        writes.append(file)
        if len(writes) == 2:  # the original's copy: some bytes, then the failure
            return failing_writer(failure)(file, data, samplerate, subtype, format)
        return real_write(file, data, samplerate, subtype=subtype, format=format, **kwargs)

    monkeypatch.setattr(sf, "write", write)
    status = cli.main(["demo", "-o", str(folder), *FAST, "-q"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert len(writes) == 2
    assert f"{folder / 'gl-demo-original.wav'}: " in err, err
    if second == "os":
        assert "No space left on device; the disk is full" in err
    assert sorted(p.name for p in folder.iterdir()) == ["gl-demo.wav"]
    assert (folder / "gl-demo.wav").read_bytes() == b"old demo"
    (folder / "gl-demo.wav").unlink()
    monkeypatch.setattr(sf, "write", real_write)
    writes.clear()
    assert cli.main(["demo", "-o", str(folder), *FAST, "-q"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["gl-demo-original.wav", "gl-demo.wav"]


@pytest.mark.parametrize("links", [True, False])
@pytest.mark.parametrize("old", [(), ("gl-demo.wav",), ("gl-demo.wav", "gl-demo-original.wav")])
def test_demo_publishes_its_two_files_or_neither(tmp_path, monkeypatch, capsys, old, links):
    """Both files written, the second one's rename failing (an I/O error, a file made read-only
    on Windows) left the first published: a new gl-demo.wav beside the old or no
    gl-demo-original.wav. Now the first rename is undone: the old gl-demo.wav is put back, or
    the new one removed where there was none; one error line names the file that failed. (Also
    on a file system without hard links, where the old files are renamed aside, not linked.)"""
    folder = tmp_path / "out"
    folder.mkdir()
    for name in old:  # a previous run's: left as it was
        (folder / name).write_bytes(b"old " + name.encode())
    renames = []
    real_replace = os.replace

    def replace(source, destination, **kwargs):
        renames.append(Path(destination).name)
        if Path(destination).name == "gl-demo-original.wav" and ".part" in Path(source).name:  # its publication
            raise OSError(errno.EIO, "Input/output error", os.fspath(destination))
        return real_replace(source, destination, **kwargs)

    def no_links(source, destination, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "replace", replace)
    if not links:
        monkeypatch.setattr(os, "link", no_links)
    status = cli.main(["demo", "-o", str(folder), *FAST, "-q"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    if links:  # the second os.replace is the one that fails
        assert renames[:2] == ["gl-demo.wav", "gl-demo-original.wav"]
    assert f"error: {folder / 'gl-demo-original.wav'}: Input/output error" in err, err
    assert sorted(p.name for p in folder.iterdir()) == sorted(old)  # nor a temporary file, nor a copy of the old one
    for name in old:
        assert (folder / name).read_bytes() == b"old " + name.encode()
    monkeypatch.setattr(os, "replace", real_replace)
    assert cli.main(["demo", "-o", str(folder), *FAST, "-q"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["gl-demo-original.wav", "gl-demo.wav"]


@pytest.mark.parametrize("what", [[], ["--power", "2"]])
def test_a_spectrogram_file_on_a_full_disk_is_named_and_not_left(tmp_path, speech_wav, monkeypatch, capsys, what):
    """np.savez's failed write names no file: the message was 'No space left on device; the disk is
    full ...' without the file, unlike a failed write of audio."""
    def full(file, *args, **kwargs):
        file.write(b"PK" + b"\x00" * 10000)  # some bytes, then the failure
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    output = tmp_path / "spec.npz"
    status = cli.main(["spectrogram", str(speech_wav), "-o", str(output), *what])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1, err
    assert f"error: {output}: No space left on device; the disk is full" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


def test_ctrl_c_while_writing_leaves_nothing(tmp_path, speech_wav, monkeypatch, capsys):
    existing = tmp_path / "out.wav"
    existing.write_bytes(b"old take")
    monkeypatch.setattr(sf, "write", failing_writer(KeyboardInterrupt()))
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(existing), "--force", *FAST])
    assert status == 130 and "interrupted" in capsys.readouterr().err
    assert existing.read_bytes() == b"old take"  # --force replaces only with a complete file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav", "speech.wav"]


def test_ctrl_c_during_phase_retrieval(tmp_path, speech_wav, monkeypatch, capsys):
    registry = importlib_reconstruct()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "reconstruct", interrupted)
    status = cli.main(["demo", "-o", str(tmp_path)])
    assert status == 130 and "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


# ----------------------------------------------------------------------------- progress
class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_only():
    info = gl.PhaseRetrievalInfo(method="fgla", n_iter=5, spectral_convergence=np.array([[0.5], [0.1]]), elapsed=2.0)
    terminal = FakeTerminal()
    Progress = cli.Progress
    progress = Progress(10, stream=terminal, magnitude=np.ones((1, 3, 4)), label="x: ")
    assert progress.enabled
    progress(5, info)
    line = terminal.getvalue()
    assert line.startswith("\rx: iteration 5/10  spectral convergence -20.0 dB  2.0 s left")
    progress.close()
    assert terminal.getvalue().endswith("\r")
    quick = cli.Progress(10, stream=FakeTerminal())  # a job well under a second: silent
    quick(5, gl.PhaseRetrievalInfo(method="fgla", spectral_convergence=np.array([[0.1]]), elapsed=0.01))
    assert quick.stream.getvalue() == ""
    pipe = Progress(10, stream=io.StringIO())
    assert not pipe.enabled
    # a slow start (PGHI's phase: 1.6 s) then 0.1 s an iteration: the time left is the pace since the first iteration
    slow_start = gl.PhaseRetrievalInfo(method="fgla", n_iter=5, spectral_convergence=np.full((5, 1), 0.1), elapsed=2.0,
                                       times=np.array([1.6, 1.7, 1.8, 1.9, 2.0]))
    paced = Progress(10, stream=FakeTerminal(), magnitude=np.ones((1, 3, 4)))
    paced(5, slow_start)
    assert "  0.5 s left" in paced.stream.getvalue()


def test_progress_tick_draws_the_line_without_a_spectral_convergence():
    terminal = FakeTerminal()
    progress = cli.Progress(10, stream=terminal, label="x: ")
    progress.tick(4, 1.6)  # the first tick sets the pace's origin
    progress.tick(5, 2.0)
    assert terminal.getvalue() == "\rx: iteration 5/10  2.0 s left"
    quick = cli.Progress(10, stream=FakeTerminal())
    quick.tick(4, 0.008)
    quick.tick(5, 0.01)  # well under a second: silent
    assert quick.stream.getvalue() == ""
    # a slow start (PGHI's phase: 1.6 s) then 0.1 s an iteration: the time left is the pace since the first iteration
    paced = cli.Progress(10, stream=FakeTerminal(), delay=0.0, min_total=0.0, interval=0.0)
    paced.tick(1, 1.7)
    paced.tick(5, 2.1)
    assert paced.stream.getvalue() == "\riteration 5/10  0.5 s left"


def test_progress_says_which_run_when_a_run_starts_again():
    """Spectrogram.invert's rerun with the floor between frames counts its iterations from 1
    again (and a tick's elapsed from 0): the tick line froze at the first run's 'iteration
    10/10 0.0 s left' through the second (its pace went negative, so it was never drawn).
    Now the second run is drawn, said to be one, at its own pace."""
    paced = cli.Progress(10, stream=FakeTerminal(), delay=0.0, min_total=0.0, interval=0.0)
    for iteration in range(1, 11):
        paced.tick(iteration, 0.1 * iteration)
    paced.tick(1, 0.2)  # the rerun: a slower start, then 0.2 s an iteration
    paced.tick(4, 0.8)
    assert paced.stream.getvalue().endswith("\riteration 4/10 (run 2)  1.2 s left")
    measured = cli.Progress(10, stream=FakeTerminal(), delay=0.0, min_total=0.0, interval=0.0)
    info = gl.PhaseRetrievalInfo(method="fgla", spectral_convergence=np.full((10, 1), 0.1), elapsed=1.0,
                                 times=np.linspace(0.1, 1.0, 10))
    measured(10, info)
    again = gl.PhaseRetrievalInfo(method="fgla", spectral_convergence=np.full((2, 1), 0.1), elapsed=0.5,
                                  times=np.array([0.2, 0.4]))  # counted from the rerun's own start, as the callback sees it
    measured(2, again)
    assert measured.stream.getvalue().endswith("\riteration 2/10 (run 2)  spectral convergence -20.0 dB  1.6 s left")


@pytest.mark.parametrize("method", ["fgla", "raar", None])
def test_a_terminal_and_a_pipe_write_the_same_audio(tmp_path, speech_wav, monkeypatch, method):
    """The progress line a terminal shows does not measure the iterations (it is told of
    them through measuring_only_the_ends), so a terminal and a pipe (or -q) run the same
    arithmetic: the same file, bit for bit. (Measuring every iteration for the line once
    made fast Griffin-Lim's momentum run on spectrograms: 8.5e-4 apart.)"""
    terminal = FakeTerminal()

    class EagerProgress(cli.Progress):  # a terminal, drawing from the first iteration
        def __init__(self, n_iter, **kwargs):
            kwargs.update(stream=terminal, delay=0.0, min_total=0.0, interval=0.0)
            super().__init__(n_iter, **kwargs)

    chosen = [] if method is None else ["--method", method]
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "pipe.wav"), "--n-iter", "12", "-q", *chosen]) == 0
    monkeypatch.setattr(cli, "Progress", EagerProgress)
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "tty.wav"), "--n-iter", "12", *chosen]) == 0
    assert "iteration 12/12" in terminal.getvalue()  # the line was drawn
    assert (tmp_path / "pipe.wav").read_bytes() == (tmp_path / "tty.wav").read_bytes()


def test_a_win_length_longer_than_the_default_n_fft_is_the_n_fft_as_the_help_says(tmp_path, speech_wav, capsys):
    """--n-fft's help said only 'the power of two nearest 50 ms', but a longer --win-length is the FFT size."""
    for command in ("roundtrip", "spectrogram"):
        assert cli.main([command, "--help"]) == 0
        assert "nearest 50 ms, at least 16, or --win-length when that is longer)" in " ".join(capsys.readouterr().out.split())
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--win-length", "2000", "--json", *FAST, cwd=tmp_path)
    report = json.loads(result.stdout)
    assert (report["n_fft"], report["win_length"]) == (2000, 2000)


def test_default_n_fft_is_about_50_ms():
    assert [cli.default_n_fft(sr) for sr in (8000, 16000, 22050, 44100, 48000, 96000)] == [512, 1024, 1024, 2048, 2048, 4096]


# ----------------------------------------------------------------------------- other libraries' arrays
def invert_json(tmp_path, *args):
    return json.loads(run("invert", *args, "--n-iter", "30", "--json", cwd=tmp_path).stdout)


def test_invert_bare_arrays_from_librosa_scipy_and_mel(tmp_path, speech):
    librosa = pytest.importorskip("librosa")
    signal = pytest.importorskip("scipy.signal")
    x, sr = speech
    np.save(tmp_path / "power.npy", np.abs(librosa.stft(x, n_fft=1024, hop_length=256)) ** 2)
    _, _, Sxx = signal.spectrogram(x, sr, nperseg=512, noverlap=384)  # psd, tukey window, not centred
    np.save(tmp_path / "psd.npy", Sxx)
    np.save(tmp_path / "mel.npy", librosa.feature.melspectrogram(y=x, sr=sr, n_fft=1024, hop_length=256, n_mels=80))
    # torchaudio.transforms.Spectrogram(n_fft=400, hop_length=200): |X|^2, centred frames padded by reflection
    torch_like = np.abs(gl.STFT(400, 200, pad_mode="reflect").stft(x)) ** 2
    np.savez(tmp_path / "torch.npz", spectrogram=torch_like)  # a user's own .npz with one array
    np.save(tmp_path / "torch512.npy", np.abs(gl.STFT(512, 128, pad_mode="reflect").stft(x)) ** 2)
    cases = {
        "torch.npz": (["--from", "torchaudio", "--sr", "16000", "--n-fft", "400", "--hop", "200"], -15),
        # torchaudio's n_fft read off the rows, as --help says (its own default, 400, refused 257 rows)
        "torch512.npy": (["--from", "torchaudio", "--sr", "16000", "--hop", "128"], -15),
        "power.npy": (["--from", "librosa", "--sr", "16000", "--hop", "256", "--power", "2"], -20),
        "psd.npy": (["--from", "scipy", "--sr", "16000", "--n-fft", "512", "--hop", "128"], -15),
        "mel.npy": (["--from", "mel", "--sr", "16000", "--n-fft", "1024", "--hop", "256"], -10),
    }
    for name, (flags, threshold) in cases.items():
        output = name.split(".")[0] + ".wav"
        report = invert_json(tmp_path, name, "-o", output, *flags)
        assert report["sample_rate"] == 16000 and report["spectral_convergence_db"] < threshold, (name, report)
        y, sr_out = sf.read(str(tmp_path / output))
        assert sr_out == 16000 and abs(len(y) - len(x)) <= 512
        # the level comes back too (each convention's scaling was undone)
        n = min(len(x), len(y))
        assert 0.7 < np.std(y[:n]) / np.std(x[:n]) < 1.3, name


def test_mel_and_power_files_from_gl_spectrogram_need_no_flags(tmp_path, speech_wav):
    run("spectrogram", speech_wav, "-o", "mel.npz", "--mel", "--n-mels", "64", cwd=tmp_path)
    run("spectrogram", speech_wav, "-o", "pow.npz", "--power", "2", cwd=tmp_path)
    with np.load(tmp_path / "mel.npz") as data:
        assert data["data"].shape == (64, 63)
        metadata = json.loads(str(data["metadata"][()]))
    assert metadata["convention"] == "mel" and metadata["keywords"]["sr"] == 16000
    x, _ = sf.read(str(speech_wav))
    for name, threshold in (("mel.npz", -10), ("pow.npz", -20)):
        report = invert_json(tmp_path, name, "-o", name.replace(".npz", ".wav"))
        y, _ = sf.read(str(tmp_path / name.replace(".npz", ".wav")))
        assert y.shape == x.shape and report["spectral_convergence_db"] < threshold
        assert spectral_convergence_db(x, y, gl.STFT(1024, 256)) < threshold + 5
        # from a mel, the reported convergence is against the linear magnitude estimated from it
        against = "linear magnitude estimated from the mel" if name == "mel.npz" else "input magnitude"
        assert report["spectral_convergence_against"] == against
        spec = gl.Spectrogram.load(tmp_path / name)  # Python reads them too, through their importer
        assert spec.source == ("mel" if name == "mel.npz" else "librosa") and spec.sample_rate == 16000
    # too many bands: the warning names this command's flags, not an importer's -P n_mels= (found in an audit)
    many = run("spectrogram", speech_wav, "-o", "many.npz", "--n-mels", "300", "--n-fft", "512", cwd=tmp_path)
    assert re.search(r"gl: warning: \d+ of the 300 mel filters cover no FFT bin \(--n-mels 300 is too many .* for --n-fft 512 "
                     r".*use fewer --n-mels", many.stderr), many.stderr
    assert "-P" not in many.stderr


BARE_ERRORS = [
    (["--from", "librosa", "--hop", "64"], [r"give its sample rate with --sr"]),
    # the default hop of the n_fft the 257 rows imply (it said 512 for n_fft 2048, 200 for n_fft 400 whatever the rows)
    (["--from", "librosa", "--sr", "8000"], [r"give its hop with --hop .*librosa's default is n_fft // 4, 128 for n_fft 512\)$"]),
    (["--from", "torchaudio", "--sr", "8000"], [r"give its hop with --hop .*torchaudio's default is win_length // 2, 256 for n_fft 512\)$"]),
    (["--from", "librosa", "--sr", "8000", "--win-length", "400"], [r"librosa's default is win_length // 4, 100 for win_length 400\)$"]),
    (["--from", "mel", "--sr", "8000", "-P", "n_fft=1024"], [r"librosa's default is n_fft // 4, 256 for n_fft 1024\)$"]),
    (["--from", "mel", "--sr", "8000"], [r"librosa's default is n_fft // 4, 512 for n_fft 2048\)$"]),
    (["--from", "matlab", "--sr", "8000", "--hop", "64"], [r"--from 'matlab' is unknown; use one of .*librosa"]),
    (["--from", "scipy", "--sr", "8000"], [r"needs its segment length: give --n-fft"]),
    (["--from", "scipy", "--sr", "8000", "--n-fft", "256"], [r"give its hop with --hop .*scipy's default noverlap for --from scipy makes it --hop 224"]),
    (["--from", "scipy-stft", "--sr", "8000", "--n-fft", "256"], [r"give its hop with --hop .*--from scipy-stft makes it --hop 128"]),
    (["--from", "librosa", "--sr", "8000", "--hop", "64", "-P", "colour=1"], [r"no keyword 'colour'"]),
    # -P takes the importer's keywords, scipy's nperseg too; given twice, it is said once
    (["--from", "scipy", "--sr", "8000", "-P", "nperseg=256", "--n-fft", "256", "--hop", "64"],
     [r"-P nperseg=\.\.\. and --n-fft \(or --win-length\) both set nperseg; give it once"]),
    (["--from", "scipy", "--sr", "8000", "-P", "nperseg=256"], [r"give its hop with --hop .*makes it --hop 224"]),
    (["--from", "librosa", "--sr", "8000", "--hop", "64", "--n-fft", "1024"], [r"--n-fft 1024 gives 513 frequency bins but the spectrogram has 257"]),
    # torchaudio's normalized: a value of another type (a TypeError), a string it does not name (a ValueError)
    *((["--from", "torchaudio", "--sr", "8000", "--hop", "128", "-P", f"normalized={typed}"],
       [rf"^gl invert: error: -P normalized={shown} must be False, True, 'window' or 'frame_length' \(a bool or a string, as "
        rf"torchaudio takes it\), not a value of type {kind}$"])
      for typed, shown, kind in (("3", "3", "int"), ("None", "None", "NoneType"), ("1.0", r"1\.0", "float"))),
    (["--from", "torchaudio", "--sr", "8000", "--hop", "128", "-P", "normalized=yes"],
     [r"^gl invert: error: -P normalized='yes' must be False, True, 'window' or 'frame_length'$"]),
]


@pytest.mark.parametrize("flags, patterns", BARE_ERRORS, ids=[" ".join(f) for f, _ in BARE_ERRORS])
def test_bare_array_errors_name_the_missing_piece(tmp_path, monkeypatch, capsys, flags, patterns):
    np.save(tmp_path / "bare.npy", np.ones((257, 40)))
    monkeypatch.chdir(tmp_path)
    assert_usage_error(run_in_process(["invert", "bare.npy", "-o", "o.wav", *flags], capsys), *patterns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare.npy"]


def test_a_hop_longer_than_the_frames_the_rows_imply_names_the_rows(tmp_path, monkeypatch, capsys):
    """--n-fft read off the rows (128 rows: 254) with --hop 512 said '--hop 512 must be <= --win-length 254', a flag the
    user never gave (a CLI review); now the rows, the n_fft they imply, and for mel-like rows --from mel."""
    np.save(tmp_path / "mel.npy", np.ones((128, 40)))
    np.save(tmp_path / "short.npy", np.ones((301, 40)))
    monkeypatch.chdir(tmp_path)
    assert_usage_error(run_in_process(["invert", "mel.npy", "-o", "o.wav", "--from", "librosa", "--sr", "22050", "--hop", "512"], capsys),
                       r"^gl invert: error: --hop 512 is longer than the frames of mel.npy: its 128 rows imply --n-fft 254 .*--from mel")
    assert_usage_error(run_in_process(["invert", "short.npy", "-o", "o.wav", "--from", "librosa", "--sr", "22050", "--hop", "1024"], capsys),
                       r"its 301 rows imply --n-fft 600; give the --n-fft it was made with, or check --hop$")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mel.npy", "short.npy"]


def test_a_one_axis_array_is_pointed_to_roundtrip(tmp_path, monkeypatch, capsys):
    """A 1-D .npy is most likely audio samples, not a spectrogram: the message says which command takes those."""
    np.save(tmp_path / "samples.npy", np.zeros(16000))
    monkeypatch.chdir(tmp_path)
    assert_usage_error(run_in_process(["invert", "samples.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "256"], capsys),
                       r"samples.npy has shape \(16000,\): a spectrogram is \(n_freq, n_frames\).*for audio samples, gl roundtrip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["samples.npy"]


@pytest.mark.skipif(os.name == "nt", reason="os.kill(SIGTERM) ends a Windows process at once, with no handler")
def test_sigterm_while_writing_leaves_nothing(tmp_path, speech_wav, monkeypatch, capsys):
    """SIGTERM (a service manager stopping gl) cleans up like Ctrl-C: exit status 143."""
    import signal

    existing = tmp_path / "out.wav"
    existing.write_bytes(b"old take")

    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(sf, "write", terminated)
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(existing), "--force", *FAST])
    assert status == 128 + signal.SIGTERM and "terminated" in capsys.readouterr().err
    assert existing.read_bytes() == b"old take"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav", "speech.wav"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is gl's only while it works


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_printed_is_not_a_usage_error(tmp_path, speech_wav):
    """The outputs are written; stdout failing afterwards is exit status 1 with its own message."""
    with open("/dev/full", "w") as full:
        process = subprocess.run(
            [sys.executable, "-m", "gl", "roundtrip", str(speech_wav), "-o", "out.wav", "--json", *map(str, FAST)],
            cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, env=ENV,
        )
    assert process.returncode == 1, process.stderr
    assert "the outputs were written, but the report could not be printed" in process.stderr
    assert "free some space" not in process.stderr and (tmp_path / "out.wav").stat().st_size > 1000


def test_a_reader_that_leaves_is_a_broken_pipe(tmp_path, speech_wav):
    with subprocess.Popen(  # (the with closes the stderr pipe)
        [sys.executable, "-m", "gl", "roundtrip", str(speech_wav), "-o", "out.wav", *map(str, FAST)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    ) as process:
        process.stdout.close()  # as `gl ... | head -c 0` would
        err = process.stderr.read()
        assert process.wait() == 141, err
    assert "Traceback" not in err and (tmp_path / "out.wav").exists()


def test_a_reader_that_leaves_on_windows_is_a_broken_pipe(tmp_path, speech_wav, monkeypatch, capsys):
    """Windows says EINVAL where POSIX says EPIPE when the reader of stdout has left: the
    same exit status 141, not 'the report could not be printed' (simulated: gl is told it
    runs on Windows, and stdout refuses writes as Windows' pipes do)."""
    import io

    class LeftPipe(io.StringIO):
        def write(self, text):
            raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(cli, "_WINDOWS", True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", LeftPipe())
    status = cli.main(["roundtrip", str(speech_wav), "-o", "out.wav", *map(str, FAST)])
    assert status == 141 and (tmp_path / "out.wav").exists() and "Traceback" not in capsys.readouterr().err
    monkeypatch.setattr(cli, "_WINDOWS", False)  # elsewhere EINVAL is not a pipe: the report's own error
    monkeypatch.setattr(sys, "stdout", LeftPipe())
    status = cli.main(["roundtrip", str(speech_wav), "-o", "out2.wav", *map(str, FAST)])
    assert status == 1 and "the report could not be printed" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc to see when gl is working")
@pytest.mark.parametrize("signal_name, status, word", [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")])
def test_real_ctrl_c_exits_130_and_leaves_no_file(tmp_path, speech_wav, signal_name, status, word):
    import signal
    import time

    # Ctrl-C's default action in gl's process, whatever the tests inherited: a job started in
    # the background by a shell without job control (``cmd &`` in a script) has SIGINT ignored,
    # which its children inherit, and Python then installs no KeyboardInterrupt (gl would run on)
    process = subprocess.Popen(
        [sys.executable, "-m", "gl", "roundtrip", str(speech_wav), "-o", "out.wav", "--n-iter", "1000000"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while "libsndfile" not in Path(f"/proc/{process.pid}/maps").read_text():  # reading the input: imports are done
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # well into the iterations
        process.send_signal(getattr(signal, signal_name))
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == status, err
    assert word in err and "Traceback" not in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


def test_invert_cut_by_length_says_what_its_convergence_covers(tmp_path, speech_wav, capsys):
    """--length shorter than the frames span: the retrieval covers every frame, the file the
    first samples; the report says so (the convergence is that of all the frames)."""
    run_in_process(["spectrogram", speech_wav, "-o", tmp_path / "s.npz", "-q"], capsys)
    whole = run_in_process(["invert", tmp_path / "s.npz", "-o", tmp_path / "a.wav", *FAST, "--json"], capsys)
    cut = run_in_process(["invert", tmp_path / "s.npz", "-o", tmp_path / "b.wav", *FAST, "--json", "--length", "5000"], capsys)
    whole, cut = json.loads(whole.stdout), json.loads(cut.stdout)
    n_frames = gl.Spectrogram.load(tmp_path / "s.npz").n_frames
    assert whole["frames_in_output"] == n_frames and cut["frames_in_output"] == gl.STFT(1024, 256).n_frames(5000) < n_frames
    assert cut["spectral_convergence_db"] < -20 and whole["spectral_convergence_db"] < -20  # both over every frame
    assert sf.info(tmp_path / "b.wav").frames == 5000
    text = run_in_process(["invert", tmp_path / "s.npz", "-o", tmp_path / "c.wav", *FAST, "--length", "5000"], capsys).stdout
    assert f"(of all {n_frames} frames; the output, cut to --length 5000, spans {cut['frames_in_output']} of them)" in text
    assert "of all" not in run_in_process(["invert", tmp_path / "s.npz", "-o", tmp_path / "d.wav", *FAST], capsys).stdout
    # a zero-padded FFT (scipy's nfft > nperseg): without --length every frame is in the output
    signal = pytest.importorskip("scipy.signal")
    x, sr = sf.read(str(speech_wav))
    np.save(tmp_path / "padded.npy", signal.spectrogram(x, sr, window="hann", nperseg=512, noverlap=384, nfft=1024, detrend=False)[2])
    padded = run_in_process(["invert", tmp_path / "padded.npy", "--from", "scipy", "--sr", sr, "--n-fft", 1024, "--win-length", 512,
                             "--hop", 128, "--window", "hann", "-P", "detrend=False", "-o", tmp_path / "e.wav", *FAST, "--json"], capsys)
    padded = json.loads(padded.stdout)
    assert padded["frames_in_output"] == np.load(tmp_path / "padded.npy").shape[-1]


def test_review_messages_speak_in_flags(tmp_path, speech_wav):
    """Errors found in a review as a new user: each names the flag to change, before any work."""
    wav = speech_wav
    run("spectrogram", wav, "-o", tmp_path / "s.npz", "-q", cwd=tmp_path)
    np.save(tmp_path / "neg.npy", -np.ones((257, 40)))
    np.save(tmp_path / "four.npy", np.ones((1, 1, 257, 40)))
    np.save(tmp_path / "flat.npy", np.ones(50))
    sf.write(str(tmp_path / "nine.wav"), np.zeros((4000, 9)), 16000)
    truncated = tmp_path / "cut.npz"
    truncated.write_bytes((tmp_path / "s.npz").read_bytes()[:300])
    from .test_spectrogram import _flip_a_byte_of

    (tmp_path / "bad.npz").write_bytes((tmp_path / "s.npz").read_bytes())
    _flip_a_byte_of(tmp_path / "bad.npz", "magnitude.npy")
    run("spectrogram", wav, "-o", tmp_path / "bad_mel.npz", "--mel", "-q", cwd=tmp_path)
    _flip_a_byte_of(tmp_path / "bad_mel.npz", "data.npy")
    cases = [
        (["invert", "s.npz", "-o", "o.wav", "--no-center"], [r"drop --no-center"]),
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "128"], [r"add -P db=power or -P db=amplitude"]),
        (["invert", "four.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "128"], [r"has shape \(1, 1, 257, 40\)"]),
        (["invert", "cut.npz", "-o", "o.wav"], [r"cut.npz is not an .npz archive"]),  # one line: no 'unclosed file' warning
        (["invert", "s.npz", "-o", "o.wav", "--length", "5000000"], [r"--length 5000000 does not fit .*\(FFT size 1024, hop 256, window length 1024, hann window, centred\)"]),
        (["roundtrip", wav, "-o", "o.wav", "--n-fft", "3"], [r"give --hop"]),
        (["roundtrip", wav, "-o", "o.wav", "--seed", "-1"], [r"argument --seed: -1 must be >= 0"]),
        (["roundtrip", wav, "-o", "o.wav", "-O", "n_threads=abc"], [r"n_threads='abc' must be a whole number"]),
        (["roundtrip", wav, "-o", "o.wav", "--method", "pghi", "-O", "bogus=1"], [r"method pghi has no option 'bogus'; its options are .*gamma"]),
        (["roundtrip", wav, "-o", "o.wav", "--method", "rtisila", "-O", "bogus=1"], [r"its options are .*lookahead"]),
        (["roundtrip", wav, "-o", "o.wav", "-O", "length=5"], [r"length is not a method option"]),
        (["roundtrip", wav, "-o", "o.wav", "--peak-db", "-3"], [r"--peak-db -3 sets the peak of --normalize; add --normalize"]),
        (["roundtrip", wav, "-o", "o.wav/"], [r"-o o.wav/: a name ending in / is a folder; give a file name"]),
        (["roundtrip", wav, "-o", ""], [r"-o is empty: give the output file's name"]),
        # a flag and -P (or -P twice) setting the same keyword: one would be ignored silently
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "128", "-P", "sr=8000"],
         [r"-P sr=\.\.\. and --sr both set sr; give it once"]),
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "128", "-P", "hop_length=64"],
         [r"and --hop both set hop_length"]),
        (["invert", "neg.npy", "-o", "o.wav", "--from", "scipy", "--sr", "16000", "--n-fft", "512", "--hop", "128", "-P", "noverlap=64"],
         [r"-P noverlap=\.\.\. and --hop both set noverlap"]),
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "16000", "--hop", "128", "-P", "db=power", "-P", "db=amplitude"],
         [r"-P db=\.\.\. is given twice"]),
        (["invert", "bad.npz", "-o", "o.wav"], [r"bad.npz is damaged \(Bad CRC-32 for file 'magnitude.npy'\): make it again"]),
        (["invert", "bad_mel.npz", "-o", "o.wav"], [r"bad_mel.npz is damaged \(Bad CRC-32 for file 'data.npy'\)"]),
        # torchaudio's n_fft is read off the rows only when there are rows (an IndexError traceback before)
        (["invert", "flat.npy", "-o", "o.wav", "--from", "torchaudio", "--sr", "16000", "--hop", "100"],
         [r"flat.npy has shape \(50,\): a spectrogram is \(n_freq, n_frames\) .*for audio samples, gl roundtrip"]),
        # what the output format holds, before any work (after it, a traceback or libsndfile's
        # 'Format not recognised' about the temporary file); a CLI fuzzing review
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "3000000000", "--hop", "128", "-P", "db=power"],
         [r"o.wav: a WAV file holds whole sample rates from 1 to 2147483647 Hz, not 3000000000"]),
        # a rate of 301 digits is shown as 1e+300, not written out
        (["invert", "neg.npy", "-o", "o.wav", "--from", "librosa", "--sr", "1e300", "--hop", "128", "-P", "db=power"],
         [r"o.wav: a WAV file holds whole sample rates from 1 to 2147483647 Hz, not 1e\+300$"]),
        (["invert", "neg.npy", "-o", "o.flac", "--from", "librosa", "--sr", "700000", "--hop", "128", "-P", "db=power"],
         [r"o.flac: a FLAC file holds whole sample rates from 1 to 655350 Hz, not 700000; write a .wav file"]),
        (["roundtrip", "nine.wav", "-o", "o.flac"], [r"o.flac: a FLAC file holds at most 8 channels, not 9; write a .wav file"]),
        # both spellings of a switch: argparse would let the last one win
        (["roundtrip", wav, "-o", "o.wav", "--center", "--no-center"], [r"--no-center: not allowed with argument --center"]),
    ]
    for arguments, patterns in cases:
        assert_usage_error(run(*arguments, cwd=tmp_path, check_ok=False), *patterns)
    assert not (tmp_path / "o.wav").exists()


def test_invert_fades_the_ends_of_a_scipy_spectrogram(tmp_path):
    """A tone at full level from its first sample, through scipy's default spectrogram: without
    the fade its first samples come back as a click that clips."""
    signal = pytest.importorskip("scipy.signal")
    fs = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(fs) / fs)
    _, _, Sxx = signal.spectrogram(x, fs, detrend=False)
    np.save(tmp_path / "tone.npy", Sxx)
    common = ["tone.npy", "--from", "scipy", "--sr", fs, "--n-fft", 256, "--hop", 224, "-P", "detrend=False", "--method", "fgla",
              "--init", "random", *FAST, "--json"]  # fmt: skip
    faded = json.loads(run("invert", *common, "-o", "faded.wav", cwd=tmp_path).stdout)
    plain = json.loads(run("invert", *common, "-o", "plain.wav", "--no-edge-fade", cwd=tmp_path).stdout)
    assert faded["clipped_samples"] == 0 and plain["clipped_samples"] > 0
    y_faded, _ = sf.read(str(tmp_path / "faded.wav"))
    y_plain, _ = sf.read(str(tmp_path / "plain.wav"))
    assert np.abs(y_faded).max() < 0.75 and np.abs(y_plain).max() == pytest.approx(1.0, abs=1e-4)
    assert np.array_equal(y_faded[100:-100], y_plain[100:-100])  # only the ends differ


def test_invert_a_natural_log_mel(tmp_path, speech):
    """Tacotron 2's and HiFi-GAN's log-mel, np.log(np.clip(M, 1e-5, None)) of a magnitude mel:
    -P db=ln with --power 1 gives the audio back at its level; without --power the command
    says which to give, and writes nothing."""
    librosa = pytest.importorskip("librosa")
    x, sr = speech
    mel = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=1024, hop_length=256, n_mels=80, fmax=8000, power=1.0)
    np.save(tmp_path / "logmel.npy", np.log(np.clip(mel, 1e-5, None)))
    common = ["invert", "logmel.npy", "--from", "mel", "--sr", sr, "--n-fft", 1024, "--hop", 256, "-P", "fmax=8000"]
    refused = run(*common, "-P", "db=ln", "-o", "refused.wav", cwd=tmp_path, check_ok=False)
    assert refused.returncode == 2 and "-P db=ln needs --power: 1 for the log of a magnitude" in refused.stderr
    assert not (tmp_path / "refused.wav").exists()
    # every convention, torchaudio's too (whose importer would take its default power, 2)
    refused = run("invert", "logmel.npy", "--from", "torchaudio-mel", "--sr", sr, "--n-fft", 1024, "--hop", 256, "-P", "db=ln",
                  "-o", "refused.wav", cwd=tmp_path, check_ok=False)
    assert refused.returncode == 2 and "-P db=ln needs --power" in refused.stderr and not (tmp_path / "refused.wav").exists()
    run(*common, "-P", "db=ln", "--power", 1, "-P", "amin=1e-5", "--length", len(x), "-o", "back.wav", cwd=tmp_path)
    back, _ = sf.read(str(tmp_path / "back.wav"))
    assert back.shape == x.shape and abs(20 * np.log10(np.std(back) / np.std(x))) < 1.0


def test_mel_files_and_arrays(tmp_path, speech_wav):
    run("spectrogram", speech_wav, "-o", tmp_path / "m.npz", "--mel", "--n-mels", "40", "-q", cwd=tmp_path)
    assert_usage_error(run("invert", "m.npz", "-o", "o.wav", "--sr", "22050", cwd=tmp_path, check_ok=False), r"was made at 16000 Hz; drop --sr 22050")
    report = json.loads(run("invert", "m.npz", "-o", "o.wav", *FAST, "--json", cwd=tmp_path).stdout)
    assert report["import_s"] > 0  # the NNLS of the mel inversion, outside the iterations' time
    assert_usage_error(run("spectrogram", speech_wav, "-o", tmp_path / "z.npz", "--mel", "--n-mels", "4", "--n-fft", "16", "--hop", "4",
                           "--fmin", "1100", "--fmax", "1900", cwd=tmp_path, check_ok=False), r"no mel band .* covers an FFT bin")  # fmt: skip
    assert not (tmp_path / "z.npz").exists()
    np.save(tmp_path / "mel.npy", np.ones((40, 30)))
    assert_usage_error(run("invert", "mel.npy", "-o", "p.wav", "--from", "mel", "--sr", "16000", "--hop", "256", cwd=tmp_path,
                           check_ok=False), r"bare mel spectrogram: give the FFT size it was made with, --n-fft")  # fmt: skip
    # top_db without db did nothing (the array was read as linear): refused, in flags
    assert_usage_error(run("invert", "mel.npy", "-o", "p.wav", "--from", "mel", "--sr", "16000", "--hop", "256", "--n-fft", "1024",
                           "-P", "top_db=40", cwd=tmp_path, check_ok=False),
                       r"-P top_db=40 describes a dB input, .* add -P db=power \(power_to_db\) or -P db=amplitude")  # fmt: skip
    assert not (tmp_path / "p.wav").exists()


def test_options_with_their_own_flags_are_refused_as_such(tmp_path, speech_wav):
    for name in ("fade_edges=False", "n_iter_per_frame=2"):
        assert_usage_error(run("roundtrip", speech_wav, "-o", "o.wav", "--method", "rtisila", "-O", name, cwd=tmp_path, check_ok=False),
                           r"is not a method option")  # fmt: skip


@pytest.mark.parametrize("method", [None, "fgla", "pghi", "spsi", "rtpghi", "rtisila"])
def test_every_method_runs_with_progress_on_a_terminal(tmp_path, speech_wav, monkeypatch, capsys, method):
    """On a terminal the progress display is the callback of the iterative methods only
    (a single pass or RTISI-LA refuses a callback: they failed in a terminal)."""
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    chosen = [] if method is None else ["--method", method]
    if method in (None, "fgla", "rtisila"):  # the single passes refuse --n-iter
        chosen += ["--n-iter", "3"]
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "out.wav"), *chosen])
    assert status == 0, sys.stderr.getvalue()
    spectrogram = tmp_path / "s.npz"
    assert cli.main(["spectrogram", str(speech_wav), "-o", str(spectrogram), "-q"]) == 0
    assert cli.main(["invert", str(spectrogram), "-o", str(tmp_path / "inv.wav"), *chosen]) == 0, sys.stderr.getvalue()


@pytest.mark.parametrize("method", ["pghi", "spsi", "rtpghi", "rtisila"])
def test_iteration_flags_are_refused_for_single_passes_in_flags(tmp_path, speech_wav, method):
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", method, "--tol", "0.01", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, rf"--tol does not apply to --method {method}: it makes one pass")
    if method != "rtisila":
        result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", method, "--init", "random", cwd=tmp_path, check_ok=False)
        assert_usage_error(result, rf"--init does not apply to --method {method}")
        result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", method, "--n-iter", "5", cwd=tmp_path, check_ok=False)
        assert_usage_error(result, rf"--n-iter does not apply to --method {method}: it makes one pass")


def test_a_ctrl_c_that_an_import_swallows_still_stops_gl():
    """The first import of numpy.random loses a KeyboardInterrupt raised inside it (gl went
    on for good); gl imports it up front and raises the Ctrl-C it noted once the import is
    done. Here the swallowing is done by hand, as numpy does it."""
    import signal
    import time

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own (a background job starts with SIGINT ignored)
    try:
        with pytest.raises(KeyboardInterrupt):
            with cli._interrupts_not_lost():
                try:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(1)  # the handler runs here
                except KeyboardInterrupt:
                    pass  # lost, as inside numpy.random's Cython module
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with cli._interrupts_not_lost():  # no Ctrl-C: nothing raised
            pass
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP (Windows)")
def test_an_ignored_sighup_stays_ignored(tmp_path, speech_wav, monkeypatch):
    """Under nohup SIGHUP is ignored; gl must not turn it back into a termination."""
    import signal

    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        original = sf.write

        def hang_up_then_write(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGHUP)
            return original(*args, **kwargs)

        monkeypatch.setattr(sf, "write", hang_up_then_write)
        status = cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "out.wav"), "-q", *FAST])
        assert status == 0 and (tmp_path / "out.wav").exists()
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_closed_stdout_with_quiet_is_fine(tmp_path, speech_wav):
    process = subprocess.run(
        [sys.executable, "-m", "gl", "roundtrip", str(speech_wav), "-o", "out.wav", "-q", *FAST],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=ENV, preexec_fn=lambda: os.close(1),
    )
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "out.wav").exists()


@pytest.mark.parametrize("report", [[], ["--json"]])
def test_a_closed_stdout_without_quiet_is_a_report_not_printed(tmp_path, speech_wav, report):
    """Started with stdout closed, the summary (or --json object) cannot be printed: status 1 and
    one line, as for a full disk (it was status 0, the report dropped without a word)."""
    process = subprocess.run(
        [sys.executable, "-m", "gl", "roundtrip", str(speech_wav), "-o", "out.wav", *report, *FAST],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=ENV, preexec_fn=lambda: os.close(1),
    )
    assert process.returncode == cli.EXIT_REPORT, process.stderr
    assert process.stderr.strip().splitlines() == [
        "gl roundtrip: the outputs were written, but the report could not be printed: standard output is closed "
        "(add --quiet to print nothing)"]
    assert (tmp_path / "out.wav").exists()


def test_library_advice_reaches_the_command_line_in_flags(tmp_path, speech_wav):
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--win-length", "3", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, r"--hop defaults to win_length // 4 = 0 for --win-length 3; give --hop$")
    # an --n-fft that small names --n-fft, not a --win-length never typed (the library's words did)
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--n-fft", "3", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, r": error: --hop defaults to n_fft // 4 = 0 for --n-fft 3; give --hop$")
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", "pghi", "--tol", "0.01", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, r"pghi's own heap tolerance, relative to the largest magnitude, is -O heap_tol=")


def test_pghi_heap_tolerance_is_an_option(tmp_path, speech_wav):
    """PGHI's and RTPGHI's heap tolerance (their tol) is -O heap_tol= on the command line and
    heap_tol= in gl.reconstruct, whose tol stops iterations; each message points there.
    Found in a user's audit: --tol said 'set in Python', -O tol said 'see --help'."""
    for method in ("pghi", "rtpghi"):
        wrong = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", method, "-O", "tol=1e-3", cwd=tmp_path, check_ok=False)
        assert_usage_error(wrong, rf"-O tol=...: tol is the iterations' stop \(--tol\), and {method} makes one pass; its heap "
                                  r"tolerance, relative to the largest magnitude, is -O heap_tol=")
        bad = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--method", method, "-O", "heap_tol=2", cwd=tmp_path, check_ok=False)
        assert_usage_error(bad, r"-O heap_tol=2 must be in \(0, 1\)")
        assert not (tmp_path / "o.wav").exists()
    outputs = {}
    for heap_tol in ("0.3", "1e-4"):
        result = run("roundtrip", speech_wav, "-o", tmp_path / f"{heap_tol}.wav", "--method", "pghi", "-O", f"heap_tol={heap_tol}",
                     "--json", cwd=tmp_path)
        outputs[heap_tol] = json.loads(result.stdout)["spectral_convergence_db"]
    assert outputs["1e-4"] < outputs["0.3"] - 3  # the tolerance reaches PGHI: integrating more coefficients is better


def test_a_frame_longer_than_the_signal_warns(tmp_path, speech_wav):
    n_samples = sf.info(str(speech_wav)).frames
    result = run("roundtrip", speech_wav, "-o", tmp_path / "o.wav", "--n-fft", str(2 * n_samples), *FAST, cwd=tmp_path)
    assert f"warning: the FFT size, --n-fft {2 * n_samples}, is longer than the signal ({n_samples} samples)" in result.stderr
    assert "longer than the signal" not in run("roundtrip", speech_wav, "-o", tmp_path / "p.wav", *FAST, cwd=tmp_path).stderr


def test_windows_that_barely_overlap_warn(tmp_path, speech_wav):
    # the importers warn of a spectrogram made elsewhere with too little overlap; the command's
    # own (an audio-review: --n-fft 1024 --hop 1000 came back 13.5 dB too loud, no word said)
    for command, output in (("roundtrip", "o.wav"), ("spectrogram", "o.npz")):
        result = run(command, speech_wav, "-o", tmp_path / output, "--n-fft", "256", "--hop", "224", *(FAST if command == "roundtrip" else ()),
                     cwd=tmp_path)
        assert re.search(r"warning: --hop 224 with a hann window of 256 samples leaves the summed squared windows at 0.29% "
                         r"of their peak between frames: .* a hop of at most half the window \(--hop 128\) keeps them", result.stderr)
    quiet = run("roundtrip", speech_wav, "-o", tmp_path / "p.wav", "--n-fft", "256", "--hop", "128", *FAST, cwd=tmp_path)
    assert "summed squared windows" not in quiet.stderr


def test_json_fields_agree_across_commands(tmp_path, speech_wav):
    # the window with its parameter, the initial convergence over all channels like the final one
    x, sr = sf.read(str(speech_wav))
    sf.write(str(tmp_path / "stereo.wav"), np.stack([x, 0.01 * x[::-1]], axis=1), sr)
    report = json.loads(run("roundtrip", "stereo.wav", "-o", "o.wav", "--window", "tukey,0.25", *FAST, "--json", cwd=tmp_path).stdout)
    assert report["window"] == "tukey,0.25"
    per_channel = report["spectral_convergence_db_per_channel"]
    assert min(per_channel) - 0.01 <= report["spectral_convergence_db"] <= max(per_channel) + 0.01
    assert report["initial_spectral_convergence_db"] is not None and "gain" in report


def test_review_round_three_in_flags(tmp_path, speech_wav, capsys):
    # --plot with no iteration (no curve to draw), a positive --peak-db before any work,
    # random_state is --seed's
    if importlib.util.find_spec("matplotlib") is not None:  # the test extra may not have it
        run_in_process(["roundtrip", speech_wav, "-o", tmp_path / "n0.wav", "--method", "fgla", "--n-iter", "0",
                        "--plot", tmp_path / "n0.png", "-q"], capsys)  # fmt: skip
        assert (tmp_path / "n0.wav").exists() and (tmp_path / "n0.png").exists()
    assert_usage_error(run("roundtrip", speech_wav, "-o", "p.wav", "--normalize", "--peak-db", "3", cwd=tmp_path, check_ok=False),
                       r"--peak-db 3 must be a finite number <= 0")
    assert_usage_error(run("roundtrip", speech_wav, "-o", "p.wav", "--method", "fgla", "-O", "random_state=3", cwd=tmp_path,
                           check_ok=False), r"random_state is not a method option")  # fmt: skip
    assert not (tmp_path / "p.wav").exists()


def test_roundtrip_fades_the_ends_as_invert_does(tmp_path):
    """gl roundtrip --no-center left the end samples only a window's tip sees at their
    least-squares values (a 9.6x peak in an API audit), where gl invert fades them; both go
    through Spectrogram.invert now, with --no-edge-fade on both."""
    fs = 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(fs) / fs)
    sf.write(str(tmp_path / "tone.wav"), x, fs, subtype="FLOAT")
    common = ["roundtrip", "tone.wav", "--no-center", "--n-fft", "256", "--method", "fgla", "--init", "random", *FAST,
              "--subtype", "FLOAT", "--json"]
    run(*common, "-o", "faded.wav", cwd=tmp_path)
    run(*common, "-o", "plain.wav", "--no-edge-fade", cwd=tmp_path)
    y_faded, _ = sf.read(str(tmp_path / "faded.wav"))
    y_plain, _ = sf.read(str(tmp_path / "plain.wav"))
    assert np.abs(y_faded).max() < 0.6 < np.abs(y_plain).max()
    assert np.array_equal(y_faded[100:-100], y_plain[100:-100])  # only the ends differ


def test_a_spectrogram_too_large_for_the_machine_is_refused_up_front(tmp_path, speech_wav, capsys, monkeypatch):
    """--n-fft 8192 --hop 1 on a second of audio: 66 million coefficients, refused before any
    work on a machine said to have 1 GiB (a CLI fuzz grew to 24 GB before the kernel killed it)."""
    monkeypatch.setattr(cli, "_physical_memory", lambda: 2**30)
    status = cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav"), "--n-fft", "8192", "--hop", "1"])
    assert status == 2 and "GiB to work on, more than this machine's 1.0 GiB" in capsys.readouterr().err
    assert not (tmp_path / "o.wav").exists()
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav"), "--n-iter", "1", "-q"]) == 0  # the usual sizes pass


def test_plot_of_an_output_shorter_than_a_frame(tmp_path, speech_wav):
    """--length shorter than a frame with --plot: the plot's STFT of the output failed after the
    audio was written (exit 2, the audio left behind). The figure is drawn before any file is
    written now, and the frames are the output continued by silence. A CLI fuzzing review."""
    pytest.importorskip("matplotlib")
    run("spectrogram", speech_wav, "-o", "s.npz", "--no-center", "--n-fft", "256", "--hop", "64", "-q", cwd=tmp_path)
    run("invert", "s.npz", "-o", "o.wav", "--length", "10", "--n-iter", "1", "--plot", "p.png", "-q", cwd=tmp_path)
    assert sf.info(str(tmp_path / "o.wav")).frames == 10 and (tmp_path / "p.png").stat().st_size > 0


def test_gl_spectrogram_counts_only_the_stft_against_memory(tmp_path, speech_wav, monkeypatch):
    """gl spectrogram computes an STFT (about 11 bytes a coefficient), not a phase retrieval
    (up to 77): it was refused at the retrieval's 64 bytes (a code review)."""
    # 1 s at --hop 16 with --n-fft 1024: 1001 frames x 513 bins, 16 bytes each = 8.2 MB; 64 would be 33 MB
    monkeypatch.setattr(cli, "_physical_memory", lambda: 16 * 2**20)
    assert cli.main(["spectrogram", str(speech_wav), "-o", str(tmp_path / "s.npz"), "--n-fft", "1024", "--hop", "16", "-q"]) == 0
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav"), "--n-fft", "1024", "--hop", "16", "-q"]) == 2


def test_a_power_that_overflows_is_refused_before_any_file(tmp_path, speech_wav):
    """`--power 1000` wrote a file of inf values (exit 0), which `gl invert` then refused."""
    result = run("spectrogram", speech_wav, "-o", tmp_path / "s.npz", "--power", "1000", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, r"--power 1000 overflows float32", "smaller --power")
    assert not (tmp_path / "s.npz").exists()


def test_a_magnitude_of_more_than_three_axes_is_refused_before_the_retrieval(tmp_path):
    """A gl .npz of (2, 2, n_freq, n_frames) ran the whole retrieval, then failed to write (channels, n) audio."""
    gl.Spectrogram(np.ones((2, 2, 129, 20)), gl.STFT(256, 64), sample_rate=8000).save(tmp_path / "four.npz")
    result = run("invert", tmp_path / "four.npz", "-o", tmp_path / "o.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(result, r"4-D magnitude \(2, 2, 129, 20\)", r"\(channels, n_freq, n_frames\) at most")
    assert not (tmp_path / "o.wav").exists()


def test_a_damaged_spectrogram_file_is_quoted_not_read_as_flags(tmp_path):
    """A stored hop_length that is not an integer: the error quotes the file (it said '--hop
    '64' must be an integer' of a flag never given), and a file that is not NumPy's is not
    advised to be loaded unsafely. Found in an audit."""
    gl.Spectrogram.from_audio(np.sin(np.arange(4000) / 5.0), 8000, n_fft=256, hop_length=64).save(tmp_path / "good.npz")
    with np.load(tmp_path / "good.npz") as data:
        arrays = dict(data)
    metadata = json.loads(str(arrays["metadata"]))
    np.savez(tmp_path / "bad.npz", **{**arrays, "metadata": np.array(json.dumps({**metadata, "hop_length": "64"}))})
    bad = run("invert", "bad.npz", "-o", "o.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(bad, r"bad.npz is damaged: what it stores does not make a spectrogram \(hop_length='64' must be an integer\)")
    assert "--hop" not in bad.stderr
    (tmp_path / "text.npz").write_text("hello, not numpy\n")
    text = run("invert", "text.npz", "-o", "o.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(text, r"text.npz is not an .npz archive \(numpy reads it as pickled Python objects, which gl does not load\)")
    assert "allow_pickle" not in text.stderr and not (tmp_path / "o.wav").exists()


@pytest.mark.parametrize("method", [None, "fgla", "pghi", "rtisila"])
def test_a_bad_gl_num_threads_is_one_line_and_no_file(tmp_path, speech_wav, monkeypatch, capsys, method):
    """GL_NUM_THREADS set to anything but a whole number >= 1 stops the command before it
    writes anything (no output, no temporary), saying the variable and the rule, whatever
    the method (the one-pass ones too, though they run on one thread); GL_NUM_THREADS=1 runs."""
    monkeypatch.setenv("GL_NUM_THREADS", "two")
    capsys.readouterr()
    chosen = [] if method is None else ["--method", method]
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav"), "-q", *chosen]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "GL_NUM_THREADS='two' must be a whole number >= 1" in lines[0], lines
    assert list(tmp_path.iterdir()) == [speech_wav]
    monkeypatch.setenv("GL_NUM_THREADS", "1")
    assert cli.main(["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav"), "-q", "--n-iter", "2"]) == 0
    assert (tmp_path / "o.wav").exists()


@pytest.mark.parametrize("command", ["roundtrip", "invert", "demo"])
def test_the_report_measures_only_the_ends_unless_a_curve_is_drawn(tmp_path, speech_wav, monkeypatch, capsys, command):
    """Without --plot a command measures where its run starts and ends (a one-row history,
    the iterations run, the faster unmeasured path); --plot draws the whole curve and
    --tol reads every iteration, so those measure each one."""
    from gl.spectrogram import Spectrogram

    histories = []
    invert = Spectrogram.invert

    def spy(self, *args, **kwargs):
        y, info = invert(self, *args, **kwargs)
        histories.append((info.n_iter, len(info.spectral_convergence)))
        return y, info

    monkeypatch.setattr(Spectrogram, "invert", spy)
    if command == "invert":
        x, sr = sf.read(str(speech_wav))
        gl.Spectrogram.from_audio(x, sr, n_fft=512, hop_length=128).save(tmp_path / "spec.npz")
        base = ["invert", str(tmp_path / "spec.npz"), "-o", str(tmp_path / "o.wav")]
    elif command == "roundtrip":
        base = ["roundtrip", str(speech_wav), "-o", str(tmp_path / "o.wav")]
    else:
        (tmp_path / "demo").mkdir()
        base = ["demo", "-o", str(tmp_path / "demo")]
    common = ["--method", "fgla", "--n-iter", "6", "--force", "--json"]
    runs = [[], ["--tol", "1e-12"]]
    if importlib.util.find_spec("matplotlib") is not None:
        runs.append(["--plot", str(tmp_path / "p.png")])
    for extra in runs:
        assert cli.main(base + common + extra) == 0, capsys.readouterr().err
        report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert report["n_iter"] == 6 and report["initial_spectral_convergence_db"] < 0
    assert histories[0] == (6, 1)  # the ends only
    assert histories[1:] == [(6, 6)] * (len(runs) - 1)  # every iteration


# ----------------------------------------------------------------------------- block by block
def test_block_seconds_inverts_block_by_block(tmp_path, speech, capsys):
    """--block-seconds runs Spectrogram.invert(block_seconds=...) (gl.reconstruct_long): the
    report says so, and its spectral convergence is the whole result's, as Python gives it."""
    import json

    from gl.longform import DEFAULT_BLOCK_SECONDS

    assert cli.DEFAULT_BLOCK_SECONDS == DEFAULT_BLOCK_SECONDS
    x, sr = speech
    x = np.tile(x, 3)
    sf.write(str(tmp_path / "long.wav"), x, sr, subtype="FLOAT")
    assert cli.main(["roundtrip", str(tmp_path / "long.wav"), "-o", str(tmp_path / "o.wav"), "--block-seconds", "1",
                     "--subtype", "FLOAT", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["block_seconds"] == 1.0 and report["method"] == "dm_fgla" and report["n_iter"] == 100
    assert report["initial_spectral_convergence_db"] is None  # several blocks: no whole start (README says so)
    geometry = gl.STFT(cli.default_n_fft(sr))
    x32 = x.astype(np.float32)
    spec = gl.Spectrogram(np.abs(geometry.stft(x32)), geometry, length=len(x), sample_rate=sr)
    y, info = spec.invert(rng=np.random.default_rng(0), block_seconds=1, return_info=True)
    assert report["spectral_convergence_db"] == pytest.approx(float(info.final_db), abs=1e-6)
    np.testing.assert_array_equal(sf.read(str(tmp_path / "o.wav"), dtype="float32")[0], y)
    assert cli.main(["roundtrip", str(tmp_path / "long.wav"), "-o", str(tmp_path / "p.wav"), "--block-seconds", "1"]) == 0
    captured = capsys.readouterr()
    assert "100 iterations a block, in blocks of 1 s" in captured.out and "inverting in blocks of 1 s" in captured.err


def test_blocks_shorter_than_the_default_overlap_advance_by_half_a_block(tmp_path, monkeypatch, capsys):
    """--block-seconds shorter than the overlap reconstruct_long shares by default (0.3 s, and at least
    2 ceil(n_fft / hop) frames) made blocks that shared all their frames but one with the next: each block
    moved on by one frame, and roundtrip --win-length 7 (hop 1) --block-seconds 0.2 of half a second ran
    some 2,400 blocks of 1,600 frames, minutes for what takes one second at once (found by fuzzing). The
    overlap is now at most half a block (never below ceil(n_fft / hop)); and a block must hold twice
    ceil(n_fft / hop) frames, so that each frame is worked on at most twice."""
    import gl.longform

    planned = []
    plan_blocks = gl.longform.plan_blocks

    def recording(n_frames, block_frames, overlap_frames):
        blocks = plan_blocks(n_frames, block_frames, overlap_frames)
        planned.append((block_frames, overlap_frames, len(blocks)))
        return blocks

    monkeypatch.setattr(gl.longform, "plan_blocks", recording)
    x = np.random.default_rng(0).standard_normal(4000) * 0.1
    sf.write(str(tmp_path / "half.wav"), x, 8000, subtype="FLOAT")
    args = ["roundtrip", str(tmp_path / "half.wav"), "-o", str(tmp_path / "o.wav"), "--win-length", "7", "--method", "fgla",
            "--n-iter", "1", "-q", "--force"]
    assert cli.main(args + ["--block-seconds", "0.2"]) == 0  # n_fft 512, hop 1: 4,001 frames, blocks of 1,600
    assert planned and all(block == 1600 and overlap == 800 and count <= 5 for block, overlap, count in planned)
    assert gl.longform.default_overlap_frames(gl.STFT(512, 1, win_length=7), 8000, 1600) == 800
    assert gl.longform.default_overlap_frames(gl.STFT(512, 1, win_length=7), 8000, 600) == 512  # never below ceil(n_fft / hop)
    assert cli.main(args + ["--block-seconds", "0.1"]) == 2  # 800 frames: fewer than 2 x 512
    assert "--block-seconds 0.1 is 800 frames at hop 1 and 8000 Hz; a block needs at least 1024" in capsys.readouterr().err
    assert sf.info(str(tmp_path / "o.wav")).frames == 4000


def test_invert_without_iterations_in_blocks_reports_its_spectral_convergence(tmp_path, speech, capsys):
    """gl invert --n-iter 0 in several blocks reported "spectral convergence n/a" (null in
    --json): it took the start's, which a block-by-block run has not, for the whole result's."""
    import json

    x, sr = speech
    sf.write(str(tmp_path / "long.wav"), np.tile(x, 2), sr, subtype="FLOAT")
    assert cli.main(["spectrogram", str(tmp_path / "long.wav"), "-o", str(tmp_path / "s.npz"), "-q"]) == 0
    assert cli.main(["invert", str(tmp_path / "s.npz"), "-o", str(tmp_path / "i.wav"), "--n-iter", "0", "--block-seconds", "1",
                     "--subtype", "FLOAT", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    spec = gl.Spectrogram.load(str(tmp_path / "s.npz"))
    y = sf.read(str(tmp_path / "i.wav"), dtype="float32")[0]
    expected = float(gl.metrics.spectral_convergence_db(spec.magnitude, spec.geometry.stft(y)))
    assert report["n_iter"] == 0 and report["spectral_convergence_db"] == pytest.approx(expected, abs=1e-4)
    assert report["spectral_convergence_db_per_channel"] == [pytest.approx(expected, abs=1e-4)]
    assert cli.main(["invert", str(tmp_path / "s.npz"), "-o", str(tmp_path / "j.wav"), "--n-iter", "0", "--block-seconds", "1"]) == 0
    assert "spectral convergence  n/a" not in capsys.readouterr().out


def test_an_inversion_too_large_for_memory_goes_block_by_block(tmp_path, speech, capsys, monkeypatch):
    """Where the whole inversion would not fit in the machine's memory (but the spectrogram
    does), the commands invert in blocks that take at most a quarter of it, instead of
    refusing; --tol and --plot, which need the whole run, are refused then, and so is a
    block too small to share an overlap or too large for the memory."""
    import json

    x, sr = speech
    sf.write(str(tmp_path / "long.wav"), np.tile(x, 6), sr, subtype="FLOAT")  # 6 s: 376 frames x 513 bins, 12.3 MB to work on
    run_args = ["roundtrip", str(tmp_path / "long.wav"), "-o", str(tmp_path / "o.wav"), "--force"]
    monkeypatch.setattr(cli, "_physical_memory", lambda: 11 * 10**6)
    assert cli.main(run_args + ["--json", "--n-iter", "20"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["block_seconds"] == pytest.approx(83 * 256 / sr)  # 11e6 / 4 / (64 x 513) frames
    assert report["spectral_convergence_db"] < -20
    assert cli.main(["spectrogram", str(tmp_path / "long.wav"), "-o", str(tmp_path / "s.npz"), "-q"]) == 0
    assert cli.main(["invert", str(tmp_path / "s.npz"), "-o", str(tmp_path / "i.wav"), "--n-iter", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["block_seconds"] == pytest.approx(83 * 256 / sr)
    monkeypatch.setattr(cli, "_check_plot_available", lambda args: None)  # refused before any plot, matplotlib or not
    for extra, message in ((["--tol", "1e-3"], "and --tol needs the whole run: drop it to invert block by block"),
                           (["--plot", str(tmp_path / "p.png")], "and --plot needs the whole run")):
        assert cli.main(run_args + extra) == 2
        assert message in capsys.readouterr().err
    monkeypatch.setattr(cli, "_physical_memory", lambda: 9 * 10**6)  # blocks of 68 frames: fewer than 4 x 19
    assert cli.main(run_args) == 2
    assert "a block of 76 frames (four times the overlap blocks share) would need" in capsys.readouterr().err
    assert cli.main(run_args + ["--block-seconds", "5"]) == 2
    assert "--block-seconds 5 is 312 frames, about 9.8 MiB to work on" in capsys.readouterr().err
    monkeypatch.setattr(cli, "_physical_memory", lambda: None)
    assert cli.main(run_args + ["--block-seconds", "0.05"]) == 2
    assert "--block-seconds 0.05 is 3 frames at hop 256 and 16000 Hz; a block needs at least 8" in capsys.readouterr().err
    assert cli.main(run_args + ["--block-seconds", "1", "--tol", "1e-3"]) == 2
    assert "--block-seconds inverts the blocks separately, so --tol" in capsys.readouterr().err
    # a finite number of seconds whose frames overflow a float: a block longer than the input, not
    # "cannot convert float infinity to integer"
    assert cli.main(run_args + ["--block-seconds", "1e305", "--n-iter", "2", "-q"]) == 0


def test_overall_spectral_convergence_copies_no_whole_spectrogram():
    """The report's spectral convergence over all channels weighed each by its energy from a
    float64 copy of the whole magnitude, twice (424 MiB on 5 min at 44.1 kHz: the command's
    peak after a block-by-block inversion); a block at a time now, the same value."""
    import tracemalloc

    S = np.abs(np.random.default_rng(0).standard_normal((2, 513, 2000))).astype(np.float32)
    per_channel = np.array([0.1, 0.3])
    tracemalloc.start()
    overall = cli._overall_sc(S, per_channel)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    energy = np.sum(S.astype(np.float64) ** 2, axis=(1, 2))
    assert overall == pytest.approx(np.sqrt(np.sum(per_channel**2 * energy) / energy.sum()), rel=1e-12)
    assert peak < S.nbytes / 2  # measured 2.1 MB for 8.2 MB of S; 33 MB before
    tiny = np.full((1, 3, 4), 1e-300)
    assert cli._overall_sc(tiny, np.array([0.5])) == pytest.approx(0.5)  # no underflow


def test_the_report_names_the_channels_floored_between_frames(tmp_path, speech, capsys):
    """Speech and a sine through scipy's 'hann' default, in one stereo file: only the speech
    channel is run again with the floor between frames, and the report says which."""
    import json

    x, sr = speech
    sine = 0.5 * np.sin(2 * np.pi * 440 * np.arange(len(x)) / sr)
    geometry = gl.STFT(256, 224, center=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gl.Spectrogram.from_audio(np.stack([x, sine]), sr, geometry=geometry).save(tmp_path / "s.npz")
    assert cli.main(["invert", str(tmp_path / "s.npz"), "-o", str(tmp_path / "o.wav"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["floored_between_frames"] is True and report["floored_between_frames_per_channel"] == [True, False]
    assert cli.main(["invert", str(tmp_path / "s.npz"), "-o", str(tmp_path / "o.wav"), "--force"]) == 0
    assert "run again with a floor between frames in channel 1, where least squares had left spikes" in capsys.readouterr().out


def test_sizes_in_messages_below_a_gib_are_in_mib(tmp_path, speech_wav, capsys, monkeypatch):
    """A limit below a GiB printed '0.0 GiB ... 0.0 GiB' (a review)."""
    monkeypatch.setattr(cli, "_physical_memory", lambda: 2 * 2**20)
    assert cli.main(["spectrogram", str(speech_wav), "-o", str(tmp_path / "s.npz"), "--n-fft", "1024", "--hop", "4"]) == 2
    assert "MiB to work on, more than this machine's 2.0 MiB" in capsys.readouterr().err
    assert cli._size(3 * 2**30) == "3.0 GiB" and cli._size(5 * 2**20) == "5.0 MiB"


def test_block_by_block_progress_counts_the_iterations_of_all_blocks(speech):
    """A run in blocks ticks its progress line with the iterations of every block, out of
    n_iter times the blocks (each block's run counts its own from 1)."""
    from gl._run import measuring_only_the_ends

    x, sr = speech
    spec = gl.Spectrogram.from_audio(np.tile(x, 4), sr, n_fft=512, hop_length=128)
    stream = io.StringIO()
    progress = cli.Progress(10, stream=stream, enabled=True, delay=0, min_total=0, interval=0, label="invert: ")
    tick = cli._block_ticks(progress, spec, 1.0, 10)
    blocks = len(gl.longform.plan_blocks(spec.n_frames, 125, 38))  # 1 s at hop 128 and 16 kHz; the 0.3 s overlap
    assert blocks > 2 and progress.n_iter == 10 * blocks
    with measuring_only_the_ends(tick):
        spec.invert(method="fgla", n_iter=10, rng=0, block_seconds=1.0, return_info=True)  # as the command calls it
    assert f"invert: iteration {10 * blocks}/{10 * blocks}" in stream.getvalue()


def test_a_damaged_features_file_is_named_not_its_importers_array(tmp_path):
    """A gl spectrogram --mel (or --power) file whose data holds NaN, negative values or one
    axis: the error was the importer's of its argument, 'gl invert: error: M contains NaN or
    infinite values', naming neither the file nor what is wrong with it (and advising -P db=,
    which the .npz refuses). It is said of the file now, as a damaged magnitude file's is."""
    x = np.sin(np.arange(8000) / 5.0)
    sf.write(str(tmp_path / "in.wav"), 0.5 * x, 8000)
    run("spectrogram", "in.wav", "-o", "mel.npz", "--mel", "--n-mels", "32", cwd=tmp_path)
    with np.load(tmp_path / "mel.npz") as stored:
        arrays = dict(stored)
    nan = arrays["data"].copy()
    nan[0, 0] = np.nan
    for name, data, reason in [("nan", nan, r"M contains NaN or infinite values"),
                               ("negative", -arrays["data"] - 1, r"M has negative values"),
                               ("flat", arrays["data"][0], r"M must have shape \(\.\.\., n_freq, n_frames\)")]:
        np.savez(tmp_path / f"{name}.npz", data=data, metadata=arrays["metadata"])
        result = run("invert", f"{name}.npz", "-o", "o.wav", cwd=tmp_path, check_ok=False)
        assert_usage_error(result, rf"^gl invert: error: {name}.npz is damaged: what it stores does not make a spectrogram "
                                   rf"\({reason}", r"make it again$")
        with pytest.raises(gl.spectrogram.DamagedFileError, match=rf"{name}.npz is damaged"):
            gl.Spectrogram.load(tmp_path / f"{name}.npz")
    assert not (tmp_path / "o.wav").exists()


def test_a_features_file_whose_format_version_is_no_number_is_damaged(tmp_path, monkeypatch, capsys):
    """A gl spectrogram --mel file whose metadata says format_version "2" (or null, a list ...): the
    error was Python's, "gl invert: error: '>' not supported between instances of 'str' and 'int'",
    naming neither the file nor the field (found by fuzzing). It is said as a magnitude file's is."""
    x = np.sin(np.arange(8000) / 5.0)
    sf.write(str(tmp_path / "in.wav"), 0.5 * x, 8000)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["spectrogram", "in.wav", "-o", "mel.npz", "--mel", "--n-mels", "32", "-q"]) == 0
    with np.load(tmp_path / "mel.npz") as stored:
        arrays = dict(stored)
    metadata = json.loads(str(arrays["metadata"][()]))
    for version in ("2", None, [1], True):
        np.savez(tmp_path / "odd.npz", data=arrays["data"], metadata=json.dumps({**metadata, "format_version": version}))
        result = run_in_process(["invert", "odd.npz", "-o", "o.wav"], capsys)
        assert_usage_error(result, rf"^gl invert: error: odd.npz: format_version must be an integer, got {re.escape(repr(version))}$")
    assert not (tmp_path / "o.wav").exists()


def test_a_text_nperseg_beside_a_stored_one_is_said_so(tmp_path, monkeypatch, capsys):
    """-P nperseg=int (text, not a number) for an .npz that stores nperseg: the advice for a smaller
    typed nperseg compared the text with the stored number, and the error was Python's "'<' not
    supported between instances of 'str' and 'int'" (found by fuzzing). The typed value is refused
    against the file's now, as a number that disagrees is."""
    Sxx = np.abs(np.random.default_rng(0).standard_normal((129, 30))) + 0.01
    np.savez(tmp_path / "seg.npz", Sxx=Sxx, nperseg=256, fs=8000)
    monkeypatch.chdir(tmp_path)
    for typed in ("int", "'x'", "[256]"):
        result = run_in_process(["invert", "seg.npz", "--from", "scipy", "-P", f"nperseg={typed}", "-o", "o.wav"], capsys)
        assert_usage_error(result, r"^gl invert: error: -P nperseg=.* but the nperseg in seg\.npz is 256; drop -P nperseg=")
    assert not (tmp_path / "o.wav").exists()


def test_a_large_array_cut_short_is_damaged_not_out_of_memory(tmp_path, monkeypatch, capsys):
    """An .npy (or an .npz's member) whose header says 256 TB but whose file holds 4000 bytes: np.load
    allocates what the header says first, and gl said 'not enough memory ...; for a long input try
    gl.reconstruct_long'."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**24, 2**21)})
    (tmp_path / "cut.npy").write_bytes(header.getvalue() + bytes(4000))
    with zipfile.ZipFile(tmp_path / "cut.npz", "w") as archive:
        archive.writestr("S.npy", header.getvalue() + bytes(4000))
    monkeypatch.chdir(tmp_path)
    for name, array in (("cut.npy", "its array"), ("cut.npz", "its array 'S'")):
        result = run_in_process(["invert", name, "--from", "librosa", "--sr", "16000", "--hop", "256", "-o", "o.wav"], capsys)
        assert_usage_error(result, rf"^gl invert: error: {name} is damaged: {array} says it holds float64 values of shape "
                                   r"\(16777216, 2097152\), 281,474,976,710,656 bytes, but has 4,000; it was cut short")
    assert not (tmp_path / "o.wav").exists()


def test_an_npz_member_that_is_not_an_array_is_said_so(tmp_path, monkeypatch, capsys):
    """A zip named .npz whose member is not a .npy (a text file beside the spectrogram, or alone):
    np.load hands such a member over as bytes, and with --from gl took it for an array
    ("AttributeError: 'bytes' object has no attribute 'ndim'", a traceback). Said of the member now."""
    S = io.BytesIO()
    np.save(S, np.abs(gl.STFT(256, 64).stft(np.sin(np.arange(4000) / 5.0))))
    with zipfile.ZipFile(tmp_path / "alone.npz", "w") as archive:
        archive.writestr("notes.txt", "made with librosa")
    with zipfile.ZipFile(tmp_path / "beside.npz", "w") as archive:
        archive.writestr("notes.txt", "made with librosa")
        archive.writestr("S.npy", S.getvalue())
    monkeypatch.chdir(tmp_path)
    for name in ("alone.npz", "beside.npz"):
        result = run_in_process(["invert", name, "--from", "librosa", "--sr", "16000", "--hop", "64", "-o", "o.wav"], capsys)
        assert_usage_error(result, rf"^gl invert: error: {name} holds 'notes.txt', which is not a NumPy array")
    assert not (tmp_path / "o.wav").exists()


def test_a_bare_arrays_faults_are_said_of_its_file(tmp_path):
    """The importers call the array S, Sxx, Zxx or M: a bare .npy with NaN, negative values or
    one axis gave 'gl invert: error: S contains NaN or infinite values', naming a variable the
    user never saw and not the file (the same for the importers' warnings). Said of the file now."""
    S = np.abs(gl.STFT(256, 64).stft(np.sin(np.arange(8000) / 5.0)))
    nan = S.copy()
    nan[3, 3] = np.nan
    np.save(tmp_path / "nan.npy", nan)
    np.save(tmp_path / "negative.npy", -S - 1)
    np.save(tmp_path / "flat.npy", S[0])
    long = np.abs(gl.STFT(1024, 256).stft(np.sin(np.arange(48000) / 5.0)))
    np.save(tmp_path / "frames_first.npy", (gl.mel.mel_filterbank(sr=16000, n_fft=1024, n_mels=128) @ long**2).T)
    cases = [("nan.npy", "librosa", r"the array in nan.npy contains NaN or infinite values$"),
             ("negative.npy", "torchaudio", r"the array in negative.npy has negative values .*add -P db=power or -P db=amplitude \(-P db=ln for a natural log\)\)$"),
             ("flat.npy", "scipy", r"flat.npy has shape \(\d+,\): a spectrogram is \(n_freq, n_frames\) or \(channels, n_freq, n_frames\); "
                                       r"for audio samples, gl roundtrip makes a recording's spectrogram and inverts it$"),
             ("nan.npy", "mel", r"the array in nan.npy contains NaN or infinite values$")]
    for name, convention, pattern in cases:
        result = run("invert", name, "-o", "o.wav", "--from", convention, "--sr", 8000, "--hop", 64, "--n-fft", 256,
                     cwd=tmp_path, check_ok=False)
        assert_usage_error(result, r"^gl invert: error: " + pattern)
    assert not (tmp_path / "o.wav").exists()
    warned = run("invert", "frames_first.npy", "-o", "o.wav", "--from", "mel", "--sr", 16000, "--hop", 256, "--n-fft", 1024,
                 "--method", "pghi", "--normalize", cwd=tmp_path)
    assert re.search(r"^gl: warning: the array in frames_first.npy has 188 rows \(mel bands\) and 128 columns", warned.stderr,
                     re.MULTILINE), warned.stderr
    assert "gl: warning: M " not in warned.stderr
    # within a message too ('... frequency rows but Zxx has 40'; a code review)
    np.save(tmp_path / "rows.npy", np.ones((40, 30)))
    mismatch = run("invert", "rows.npy", "-o", "r.wav", "--from", "scipy-stft", "--sr", 16000, "--n-fft", 64, "--hop", 16,
                   cwd=tmp_path, check_ok=False)
    assert_usage_error(mismatch, r"--n-fft 64 gives 33 frequency rows but the array in rows.npy has 40, which implies")


def test_messages_keep_the_spaces_of_a_path(tmp_path):
    """Messages were made one line by collapsing every run of whitespace, the paths' too: for
    -o 'new  folder/o.wav' gl said 'output folder new folder does not exist; create it
    (mkdir -p 'new folder')', a command that makes another folder, and named 'take 2.wav' for
    'take  2.wav'. Line breaks and tabs are still collapsed; runs of spaces stay."""
    x = np.sin(np.arange(4000) / 5.0)
    sf.write(str(tmp_path / "take  2.wav"), 1.5 * x, 8000, subtype="FLOAT")
    (tmp_path / "not  audio.wav").write_text("hello")
    missing = run("roundtrip", "take  2.wav", "-o", "new  folder/o.wav", cwd=tmp_path, check_ok=False)
    assert_usage_error(missing, r"output folder new  folder does not exist; create it \(mkdir (-p 'new  folder'|\"new  folder\")\)")
    if os.name != "nt":  # the advice makes the right folder
        subprocess.run(shlex.split(re.search(r"\((mkdir -p .*?)\)", missing.stderr).group(1)), cwd=tmp_path, check=True)
    else:
        (tmp_path / "new  folder").mkdir()
    assert (tmp_path / "new  folder").is_dir() and not (tmp_path / "new folder").exists()
    assert_usage_error(run("roundtrip", "not  audio.wav", "-o", "o.wav", cwd=tmp_path, check_ok=False),
                       r"^gl roundtrip: error: not  audio\.wav is not an audio file")
    assert_usage_error(run("roundtrip", "take  2.wav", "-o", "out  put.ogg", cwd=tmp_path, check_ok=False),
                       r"name it out  put\.wav or out  put\.flac$")
    clipped = run("roundtrip", "take  2.wav", "-o", "new  folder/o.wav", *FAST, cwd=tmp_path)
    assert re.search(r"^gl: warning: \d+ of 4000 samples clipped writing new  folder/o\.wav ", clipped.stderr, re.MULTILINE), clipped.stderr
    assert cli._in_flags("a\n  b\tc  d", one_line=True) == "a b c  d"


@pytest.mark.skipif(os.name == "nt", reason="Windows refuses control characters in file names")
def test_control_characters_in_file_names_are_escaped(tmp_path):
    """A file name was printed as it is: gl invert $'a\\nb.npy' -o o.wav said 'gl invert: error: a'
    on one line and 'b.npy does not exist ...' on the next, a carriage return or a terminal's escape
    sequence garbled the line, and the report's 'wrote NAME' lines split as well. Now a name that
    holds a control character is printed as bash's $'...' quotes it (one line, and pasted into a
    shell it names the file); any other name as before."""
    def one_error_line(result, command, pattern):
        assert_usage_error(result, rf"^gl {command}: error: (.* )?" + pattern)
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", result.stderr.rstrip("\n")), result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)

    x = np.sin(np.arange(4000) / 5.0)
    sf.write(str(tmp_path / "in\nput.wav"), 1.5 * x, 8000, subtype="FLOAT")  # loud: clipped when written as PCM_16
    (tmp_path / "o\tut.wav").write_bytes(b"old")
    before = [p.name for p in tmp_path.iterdir()]
    one_error_line(run("invert", "a\nb.npy", "-o", "o.wav", cwd=tmp_path, check_ok=False),
                   "invert", r"\$'a\\nb\.npy' does not exist; check the file name$")
    one_error_line(run("roundtrip", "a\x1b[31mb.wav", "-o", "o.wav", cwd=tmp_path, check_ok=False),
                   "roundtrip", r"\$'a\\x1b\[31mb\.wav' does not exist")
    one_error_line(run("spectrogram", "a\rb\u2028c\x85.wav", "-o", "s.npz", cwd=tmp_path, check_ok=False),
                   "spectrogram", r"\$'a\\rb\\u2028c\\u0085\.wav' does not exist")
    one_error_line(run("demo", "-o", "new\nfolder", cwd=tmp_path, check_ok=False),
                   "demo", r"output folder \$'new\\nfolder' does not exist; create it \(mkdir -p \$'new\\nfolder'\)")
    one_error_line(run("roundtrip", "in\nput.wav", "-o", "o\tut.wav", cwd=tmp_path, check_ok=False),
                   "roundtrip", r"\$'o\\tut\.wav' already exists; use --force")
    one_error_line(run("roundtrip", "in\nput.wav", "-o", "it's\n\u202e.ogg", cwd=tmp_path, check_ok=False),
                   "roundtrip", r"name it \$'it\\'s\\n\\u202e\.wav' or \$'it\\'s\\n\\u202e\.flac'$")
    extra = run("invert", "a.npy", "-o", "o.wav", "b\nc.npy", cwd=tmp_path, check_ok=False)
    assert_usage_error(extra, r"^gl: error: unrecognized arguments: \$'b\\nc\.npy' \(see gl invert --help\)$")
    # the report and the warnings: each name on its line
    done = run("roundtrip", "in\nput.wav", "-o", "ou\x1bt.wav", *FAST, cwd=tmp_path)
    assert done.stdout.startswith("gl roundtrip: $'in\\nput.wav' (0.50 s, 8000 Hz, mono)\n")
    assert done.stdout.endswith("\nwrote $'ou\\x1bt.wav'\n") and "\x1b" not in done.stdout
    assert re.search(r"^gl: warning: \d+ of 4000 samples clipped writing \$'ou\\x1bt\.wav' ", done.stderr, re.MULTILINE), done.stderr
    assert json.loads(run("roundtrip", "in\nput.wav", "-o", "j\nson.wav", "--json", *FAST, cwd=tmp_path).stdout)["output"] == "j\nson.wav"
    spectrogram = run("spectrogram", "in\nput.wav", "-o", "sp\tec.npz", cwd=tmp_path)
    advice = spectrogram.stdout.splitlines()[-1]
    assert advice == "wrote $'sp\\tec.npz' (turn it back into sound with: gl invert $'sp\\tec.npz' -o OUT.wav)"
    if shutil.which("bash"):  # the advice, pasted into a shell, names the file
        assert subprocess.run(["bash", "-c", "test -f " + advice.split("gl invert ")[1].split(" -o")[0]], cwd=tmp_path).returncode == 0
    # an ordinary name, spaces and letters of any script, as before
    (tmp_path / "été 2.wav").write_bytes((tmp_path / "in\nput.wav").read_bytes())
    assert run("roundtrip", "été 2.wav", "-o", "прием.wav", *FAST, cwd=tmp_path).stdout.endswith("\nwrote прием.wav\n")
    assert [cli._shown(name) for name in ("take  2.wav", "été.wav", "a\\b")] == ["take  2.wav", "été.wav", "a\\b"]
    assert cli._shown("a\\b\x7f\udce9") == "$'a\\\\b\\x7f\\xe9'"  # the byte of a name that is not UTF-8: \xe9 to bash

@pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8 (macOS and Windows refuse one)")
def test_file_names_that_are_not_utf8_are_read_and_written(tmp_path, speech_wav):
    """b'caf\\xe9.wav' (Latin-1): soundfile encodes a str name strictly, and gl said "'utf-8' codec
    can't encode character '\\udce9' ...", status 2, no file; a strict UTF-8 stdout then failed on the
    report, status 2 after the output was written. Now both work, the report showing \\udce9."""
    source = tmp_path / os.fsdecode(b"caf\xe9.wav")
    shutil.copy(speech_wav, source)
    env = {**ENV, "PYTHONIOENCODING": "utf-8:strict"}
    for output, extra in ((b"out\xe9.wav", []), (b"long\xe9.flac", ["--block-seconds", "0.5"]), (b"json\xe9.wav", ["--json"])):
        process = subprocess.run([sys.executable, "-m", "gl", "roundtrip", source.name, "-o", os.fsdecode(output), *extra, *FAST],
                                 cwd=tmp_path, capture_output=True, text=True, env=env, errors="surrogateescape")
        assert process.returncode == 0, process.stderr
        assert "error" not in process.stderr and "Traceback" not in process.stderr
        assert sf.info(os.fsencode(tmp_path) + b"/" + output).frames == sf.info(str(speech_wav)).frames
        if extra == ["--json"]:
            assert json.loads(process.stdout)["output"] == os.fsdecode(output)
        else:
            assert f"wrote {os.fsdecode(output).encode('utf-8', 'backslashreplace').decode()}" in process.stdout


def test_dash_for_a_standard_stream_is_said_to_be_unsupported(tmp_path, speech_wav):
    """'-' is no standard stream for gl: 'gl roundtrip - -o o.wav < in.wav' said '- does not
    exist; check the file name', and '-o -' 'name it -.wav or -.flac'. A file called '-' is
    still read as any other."""
    for command, source in (("roundtrip", speech_wav), ("spectrogram", speech_wav), ("invert", None)):
        with open(source if source else os.devnull, "rb") as stdin:
            result = subprocess.run([sys.executable, "-m", "gl", command, "-", "-o", "o.wav" if command != "spectrogram" else "s.npz"],
                                    cwd=tmp_path, capture_output=True, text=True, timeout=120, env=ENV, stdin=stdin)
        assert_usage_error(result, rf"^gl {command}: error: - as the input: gl reads files, not standard input; save it to a "
                                   r"file and give that file's name$")
    assert_usage_error(run("roundtrip", speech_wav, "-o", "-", cwd=tmp_path, check_ok=False),
                       r"-o -: gl writes files, not standard output; give a file name \(say out.wav\)$")
    assert_usage_error(run("spectrogram", speech_wav, "-o", "-", cwd=tmp_path, check_ok=False), r"\(say spec.npz\)$")
    shutil.copy(speech_wav, tmp_path / "-")  # mono; libsndfile reads a name '-' as standard input, here a stereo file
    sf.write(str(tmp_path / "stereo.wav"), np.zeros((800, 2)), 8000)
    with open(tmp_path / "stereo.wav", "rb") as stdin:
        result = subprocess.run([sys.executable, "-m", "gl", "roundtrip", "-", "-o", "o.wav", "--json", *FAST], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120, env=ENV, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["channels"] == 1 and json.loads(result.stdout)["input"] == "-"


def test_an_npz_of_scipys_f_t_and_sxx_inverts_with_from(tmp_path, speech, monkeypatch, capsys):
    """``np.savez(name, f=f, t=t, Sxx=Sxx)``, the way scipy's three results are usually kept, with
    --from scipy: the spectrogram is the array of two axes, and f and t say its geometry (a user
    who gave --from, --sr and --hop was told to give --from, --sr and --hop)."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x, sr = speech
    f, t, Sxx = scipy_signal.spectrogram(x, sr, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.savez(tmp_path / "spec.npz", f=f, t=t, Sxx=Sxx)
    np.savez(tmp_path / "two.npz", before=Sxx, after=Sxx)
    monkeypatch.chdir(tmp_path)
    flags = ["--from", "scipy", "--sr", str(sr), "--window", "hann", "-P", "detrend=False", *FAST, "--json"]
    for more in ([], ["--n-fft", "256", "--hop", "64"]):
        status = cli.main(["invert", "spec.npz", "-o", f"out{len(more)}.wav", *flags, *more])
        captured = capsys.readouterr()
        assert status == 0, captured.err
        report = json.loads(captured.out)
        assert (report["n_fft"], report["hop_length"], report["center"]) == (256, 64, False)
        y, sr_out = sf.read(str(tmp_path / f"out{len(more)}.wav"))
        assert sr_out == sr and abs(len(y) - len(x)) < 256
        assert 0.9 < np.sqrt(np.mean(y**2)) / np.sqrt(np.mean(x[: len(y)] ** 2)) < 1.1
    # t in the file checks --hop: a wrong one is refused, not a wrong tempo
    assert_usage_error(run_in_process(["invert", "spec.npz", "-o", "bad.wav", *flags, "--n-fft", "256", "--hop", "128"], capsys),
                       r"--hop 128 but the t in spec.npz steps by 64 samples")
    # two arrays of two axes, neither named as scipy names it: which one is not guessed
    assert_usage_error(run_in_process(["invert", "two.npz", "-o", "bad.wav", *flags, "--n-fft", "256", "--hop", "64"], capsys),
                       r"two.npz holds several arrays \(before, after\)", r"np.save")
    assert not list(tmp_path.glob("bad.wav"))



def test_scipys_segment_keywords_are_named_as_typed(tmp_path, monkeypatch, capsys):
    """-P nperseg=600, -P noverlap=256 and -P nfft=1024 (scipy's words for --n-fft, --hop and a padded
    --n-fft, typed as scipy was called) are named as typed in the importer's messages, as -P fs= and
    -P hop_length= are: it said 'nperseg=600 must be <= nfft=512', a keyword without the -P the user
    gave, and 'nperseg gives segments of 600 samples but the t ...'."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(16).standard_normal(8000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512, noverlap=384)
    np.save(tmp_path / "S.npy", Sxx)
    np.savez(tmp_path / "ft.npz", f=f, t=t, Sxx=Sxx, fs=16000)
    monkeypatch.chdir(tmp_path)
    bare = ["invert", "S.npy", "--from", "scipy", "--sr", "16000", "-o", "bad.wav"]
    assert_usage_error(run_in_process([*bare, "-P", "nperseg=600", "--hop", "128"], capsys),
                       r"^gl invert: error: -P nperseg=600 must be <= nfft=512, the FFT size the spectrogram's 257 rows")
    assert_usage_error(run_in_process([*bare, "-P", "nperseg=512", "-P", "nfft=1024", "--hop", "128"], capsys),
                       r"^gl invert: error: -P nfft=1024 gives 513 frequency rows but the spectrogram has 257")
    common = ["invert", "ft.npz", "--from", "scipy", "-o", "bad.wav"]
    assert_usage_error(run_in_process([*common, "-P", "nperseg=600"], capsys),
                       r"^gl invert: error: -P nperseg=600 but the t in ft\.npz, starting at 0\.016 s, means segments of 512 "
                       r"samples$")
    assert_usage_error(run_in_process([*common, "-P", "noverlap=256"], capsys),
                       r"^gl invert: error: -P noverlap=256 gives a hop of 256 samples but the t in ft\.npz steps by 128 samples$")
    assert not (tmp_path / "bad.wav").exists()


@pytest.mark.parametrize("convention", ["scipy", "scipy-stft"])
def test_scipys_segment_flags_are_named_as_typed(tmp_path, monkeypatch, capsys, convention):
    """--n-fft, --win-length and --hop typed for --from scipy / scipy-stft are named as typed in the
    importer's messages: they said 'nperseg=400 gives 201 frequency rows', 'nfft=512 must be >=
    nperseg=600', 'with nperseg=512, hop=128', 'noverlap=0 with this window breaks NOLA', keywords
    the user never typed. A value the rows or f imply keeps its name ('implies nfft=512')."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(16).standard_normal(8000) * 0.1
    call = scipy_signal.spectrogram if convention == "scipy" else scipy_signal.stft
    f, t, array = call(x, 16000, nperseg=512, noverlap=384)
    np.save(tmp_path / "S.npy", array)
    np.savez(tmp_path / "ft.npz", f=f, t=t, fs=16000, **{"Sxx" if convention == "scipy" else "Zxx": array})
    monkeypatch.chdir(tmp_path)
    bare = ["invert", "S.npy", "--from", convention, "--sr", "16000", "-o", "bad.wav"]
    rows = (r"--n-fft 400 gives 201 frequency rows with scipy's default nfft \(= nperseg\), but the spectrogram has 257"
            if convention == "scipy" else r"--n-fft 400 gives 201 frequency rows but the array in S\.npy has 257")
    cases = [
        (["--n-fft", "400", "--hop", "128"], rf"^gl invert: error: {rows}"),
        (["--n-fft", "512", "--hop", "512"], r"^gl invert: error: --hop 512 with this window breaks NOLA"),
        (["--n-fft", "512", "--hop", "128", "--length", "10"], r"with --n-fft 512, --hop 128[;,]"),
        (["--win-length", "400", "--n-fft", "600", "--hop", "100"], r"^gl invert: error: --n-fft 600 gives 301 frequency rows"),
    ]
    if convention == "scipy":
        cases.append((["--win-length", "600", "--n-fft", "512", "--hop", "100"],
                      r"^gl invert: error: --win-length 600 must be <= --n-fft 512, the FFT size the spectrogram's 257 rows"))
    else:
        cases.append((["--win-length", "600", "--n-fft", "512", "--hop", "100"],
                      r"^gl invert: error: --n-fft 512 must be >= --win-length 600$"))
    for flags, pattern in cases:
        result = run_in_process([*bare, *flags], capsys)
        assert_usage_error(result, pattern)
        assert not re.search(r"(?<!here )\b(nperseg|noverlap|hop)=", result.stderr), result.stderr
    result = run_in_process(["invert", "ft.npz", "--from", convention, "-o", "bad.wav", "--n-fft", "400"], capsys)
    assert_usage_error(result, r"^gl invert: error: --n-fft 400 but the t in ft\.npz" if convention == "scipy"
                       else r"^gl invert: error: the f in ft\.npz implies nfft=512, but --n-fft 400 alone means nfft=400")
    assert not (tmp_path / "bad.wav").exists()


def test_a_t_that_starts_wrong_is_named_as_the_files(tmp_path, monkeypatch, capsys):
    """A t whose first time does not fit the segment: the importer's 't[0]=0.024 s' said of the file
    read 'the t in spec.npz[0]=0.024 s'; it reads 'the t in spec.npz, starting at 0.024 s,'."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(8).standard_normal(16000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512, noverlap=384)
    np.savez(tmp_path / "spec.npz", f=f, t=t * 1.5, Sxx=Sxx)
    monkeypatch.chdir(tmp_path)
    common = ["invert", "spec.npz", "--from", "scipy", "--sr", "16000", "-o", "bad.wav"]
    assert_usage_error(run_in_process(common, capsys),
                       r"^gl invert: error: nperseg=768 \(from the t in spec\.npz, starting at 0\.024 s, at --sr 16000\) must be <= "
                       r"nfft=512")
    result = run_in_process([*common, "--n-fft", "512"], capsys)
    assert_usage_error(result, r"^gl invert: error: --n-fft 512 but the t in spec\.npz, starting at 0\.024 s, means segments of 768 "
                               r"samples$")
    assert "[0]" not in result.stderr
    assert not (tmp_path / "bad.wav").exists()


@pytest.mark.parametrize("convention", ["scipy", "scipy-stft"])
def test_scipys_f_and_t_fill_what_no_flag_says(tmp_path, monkeypatch, capsys, convention):
    """np.savez(name, f=f, t=t, Sxx=Sxx, fs=16000) given --hop but no --n-fft was 'needs its segment
    length', though f (and, for scipy.signal.spectrogram, t) says it: f and t fill what is not
    typed (the same audio as no flag and as every flag), and what is typed is checked against them;
    f alone says the segment too, with the hop typed."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(17).standard_normal(8000) * 0.1
    call = scipy_signal.spectrogram if convention == "scipy" else scipy_signal.stft
    f, t, array = call(x, 16000, nperseg=512, noverlap=384)
    name = "Sxx" if convention == "scipy" else "Zxx"
    np.savez(tmp_path / "ft.npz", f=f, t=t, fs=16000, **{name: array})
    np.savez(tmp_path / "f.npz", f=f, fs=16000, **{name: array})
    monkeypatch.chdir(tmp_path)
    common = ["--from", convention, *FAST, "-q"] + (["-P", "detrend=False"] if convention == "scipy" else [])
    runs = {"none.wav": ["ft.npz"], "hop.wav": ["ft.npz", "--hop", "128"], "all.wav": ["ft.npz", "--n-fft", "512", "--hop", "128"],
            "f.wav": ["f.npz", "--hop", "128"]}
    for output, flags in runs.items():
        assert cli.main(["invert", *flags, *common, "-o", output]) == 0, capsys.readouterr().err
    audio = {output: sf.read(str(tmp_path / output))[0] for output in runs}
    assert all(np.array_equal(audio["none.wav"], samples) for samples in audio.values())
    bad = ["invert", "ft.npz", "--from", convention, "-o", "bad.wav"]
    assert_usage_error(run_in_process([*bad, "--hop", "256"], capsys),
                       r"^gl invert: error: --hop 256 but the t in ft\.npz steps by 128 samples$")
    axis = "t" if convention == "scipy" else "f"
    assert_usage_error(run_in_process([*bad, "--hop", "600"], capsys),
                       rf"^gl invert: error: --hop 600 is longer than the segments of 512 samples that the {axis} in ft\.npz "
                       r"says; give the hop scipy's segments were made with \(nperseg - noverlap\)$")
    assert not (tmp_path / "bad.wav").exists()


def test_scipy_run_on_a_stereo_file_as_soundfile_reads_it(tmp_path, monkeypatch, capsys):
    """scipy given soundfile's (samples, channels) array frames the 2 channels: gl invert said the
    geometry broke NOLA (spectrogram) or wrote 4000 channels (stft, with f and t); it says that
    scipy framed an axis of 2 samples and to give it x.T, of the file's array."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(15).standard_normal((4000, 2)) * 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's 'nperseg = 256 is greater than input length = 2'
        f, t, Sxx = scipy_signal.spectrogram(x, 8000)
        fz, tz, Zxx = scipy_signal.stft(x, 8000)
    np.savez(tmp_path / "s.npz", f=f, t=t, Sxx=Sxx, fs=8000)
    np.savez(tmp_path / "z.npz", f=fz, t=tz, Zxx=Zxx, fs=8000)
    monkeypatch.chdir(tmp_path)
    for name, convention, function in (("s.npz", "scipy", "spectrogram"), ("z.npz", "scipy-stft", "stft")):
        assert_usage_error(run_in_process(["invert", name, "--from", convention, "-o", "bad.wav"], capsys),
                           rf"^gl invert: error: the array in {name} has shape \(4000, 2, \d\): scipy framed an axis of 2 "
                           rf"samples, the channels of a \(samples, channels\) signal .*scipy\.signal\.{function}\(x\.T, fs")
    assert not (tmp_path / "bad.wav").exists()


def test_an_npz_of_scipys_stft_reads_f_and_t(tmp_path, monkeypatch, capsys):
    """``np.savez(name, f=f, t=t, Zxx=Zxx, fs=16000)`` of scipy.signal.stft, with --from scipy-stft: f and
    t say --n-fft and --hop, as for scipy.signal.spectrogram (it was 'needs its segment length'), the
    same audio as every flag given; a --hop that t contradicts is refused."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(14).standard_normal(8000) * 0.1
    f, t, Zxx = scipy_signal.stft(x, 16000, nperseg=512, noverlap=384)
    np.savez(tmp_path / "z.npz", f=f, t=t, Zxx=Zxx, fs=16000)
    np.save(tmp_path / "z.npy", Zxx)
    monkeypatch.chdir(tmp_path)
    for name, flags in (("axes.wav", ["z.npz"]), ("flags.wav", ["z.npy", "--sr", "16000", "--n-fft", "512", "--hop", "128"])):
        status = cli.main(["invert", *flags, "--from", "scipy-stft", *FAST, "-q", "-o", name])
        assert status == 0, capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "axes.wav"))[0], sf.read(str(tmp_path / "flags.wav"))[0])
    common = ["invert", "z.npz", "--from", "scipy-stft", "-o", "bad.wav"]
    assert_usage_error(run_in_process([*common, "--n-fft", "512", "--hop", "256"], capsys),
                       r"^gl invert: error: --hop 256 but the t in z\.npz steps by 128 samples$")
    assert_usage_error(run_in_process([*common, "--n-fft", "256"], capsys),
                       r"^gl invert: error: the f in z\.npz implies nfft=512, but --n-fft 256 alone .* if scipy zero-padded the "
                       r"segments to nfft=512, give that as --n-fft and nperseg as --win-length")
    # an FFT shorter than the segment is no zero-padding: the advice is the segment f says (it offered the padding,
    # '--n-fft 512 --win-length 1024', which is refused), as typed, or in the file that stores the wrong one
    for typed, advice in (["--n-fft", "1024"], "--n-fft"), (["-P", "nperseg=1024"], "-P nperseg="):
        assert_usage_error(run_in_process([*common, *typed], capsys),
                           rf"^gl invert: error: the f in z\.npz implies nfft=512, shorter than (-P nperseg=|--n-fft )1024: scipy pads a "
                           rf"segment to nfft, never shortens it; give the nperseg scipy was given as {re.escape(advice)} \(512, "
                           r"with scipy's default nfft\)$")
    assert cli.main(["invert", "z.npz", "--from", "scipy-stft", "--n-fft", "512", *FAST, "-q", "-o", "advised.wav"]) == 0
    np.savez(tmp_path / "stored.npz", f=f, t=t, Zxx=Zxx, fs=16000, nperseg=1024)
    assert_usage_error(run_in_process(["invert", "stored.npz", "--from", "scipy-stft", "-o", "bad.wav"], capsys),
                       r"shorter than the nperseg=1024 stored in stored\.npz: .*; store the nperseg scipy was given \(512, ")
    assert not (tmp_path / "bad.wav").exists()


def test_scipy_stft_segments_zero_padded_to_nfft_are_said(tmp_path, monkeypatch, capsys):
    """np.savez(name, f=f, t=t, Zxx=Zxx, fs=16000) of scipy.signal.stft(x, nperseg=400, noverlap=300,
    nfft=512): f says nfft, and with scipy's boundary t starts at 0 whatever nperseg, so gl invert read
    segments of 512 samples without a word, and the audio came back wrong (far from scipy's own STFT of
    it). It warns, with the flags that read it right; given them, no warning and the audio is right."""
    scipy_signal = pytest.importorskip("scipy.signal")
    sr = 16000
    time = np.arange(2 * sr) / sr
    x = 0.3 * np.sin(2 * np.pi * 220 * time * (1 + 0.5 * time)) + 0.1 * np.sin(2 * np.pi * 1234 * time)
    keywords = dict(nperseg=400, noverlap=300, nfft=512)
    f, t, Zxx = scipy_signal.stft(x, sr, **keywords)
    np.savez(tmp_path / "z.npz", f=f, t=t, Zxx=Zxx, fs=sr)
    monkeypatch.chdir(tmp_path)

    def convergence(output: str) -> float:  # of the audio's scipy STFT against the file's, in dB
        y = sf.read(str(tmp_path / output))[0]
        magnitude = np.abs(scipy_signal.stft(y, sr, **keywords)[2])
        return 20 * np.log10(np.linalg.norm(magnitude - np.abs(Zxx)) / np.linalg.norm(np.abs(Zxx)))

    common = ["invert", "z.npz", "--from", "scipy-stft", "--n-iter", "50", "--seed", "0", "--subtype", "FLOAT", "-q"]
    assert cli.main([*common, "-o", "read.wav"]) == 0
    warned = capsys.readouterr().err
    assert re.fullmatch(r"gl: warning: the segments of the array in z\.npz end in 112 zeros: scipy zero-padded segments of 400 "
                        r"samples to nfft=512, but nothing given says nperseg \(the f in z\.npz says nfft; .*\), so they are read "
                        r"as segments of 512 samples and the signal comes back wrong: give --win-length 400 and --n-fft 512\n",
                        warned), warned
    assert cli.main([*common, "--win-length", "400", "--n-fft", "512", "-o", "right.wav"]) == 0
    assert capsys.readouterr().err == ""
    assert convergence("right.wav") < -25 and convergence("read.wav") > convergence("right.wav") + 10
    np.savez(tmp_path / "magnitude.npz", f=f, t=t, Zxx=np.abs(Zxx), fs=sr)
    assert cli.main(["invert", "magnitude.npz", "--from", "scipy-stft", *FAST, "-q", "-o", "m.wav"]) == 0
    assert capsys.readouterr().err == ""  # a magnitude cannot tell: no warning (it would come with every file of scipy's defaults)
    f, t, filled = scipy_signal.stft(x, sr, nperseg=512, noverlap=384)  # segments that fill the FFT: nothing to say
    np.savez(tmp_path / "filled.npz", f=f, t=t, Zxx=filled, fs=sr)
    assert cli.main(["invert", "filled.npz", "--from", "scipy-stft", *FAST, "-q", "-o", "filled.wav"]) == 0
    assert capsys.readouterr().err == ""


def test_an_npz_with_f_but_no_t_is_not_called_a_bare_array(tmp_path, monkeypatch, capsys):
    """np.savez(name, f=f, Sxx=Sxx, fs=16000): the file holds f (and the rate), but no t to say the hop;
    the message asking for --hop called it 'a bare array'. It says what it holds and what is missing;
    a bare .npy keeps its words."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(3).standard_normal(16000)
    f, _, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=400, nfft=512)
    np.savez(tmp_path / "f.npz", f=f, Sxx=Sxx, fs=16000)
    np.save(tmp_path / "bare.npy", Sxx)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["invert", "f.npz", "--from", "scipy", "-o", "out.wav"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("gl invert: error: f.npz holds scipy's f but no t, which would say the hop: give its hop with --hop "
                            "(nperseg - noverlap; a wrong hop changes the tempo)"), error
    assert "bare array" not in error and not (tmp_path / "out.wav").exists()
    assert cli.main(["invert", "bare.npy", "--from", "scipy", "--sr", "16000", "--n-fft", "512", "-o", "out.wav"]) == 2
    assert "bare.npy is a bare array: give its hop with --hop" in capsys.readouterr().err


def test_an_npz_that_stores_its_sample_rate_needs_only_from(tmp_path, monkeypatch, capsys):
    """``np.savez(name, f=f, t=t, Sxx=Sxx, fs=16000)``: the fs beside the spectrogram is --sr (it was
    'give its sample rate with --sr'), a --sr that agrees is fine, and one that contradicts it is
    refused (it was written at the wrong pitch and duration without a word)."""
    scipy_signal = pytest.importorskip("scipy.signal")
    sr = 16000
    x = 0.3 * scipy_signal.chirp(np.arange(sr) / sr, 200, 1.0, 4000)  # 1 s, 200 Hz to 4 kHz
    f, t, Sxx = scipy_signal.spectrogram(x, sr)  # scipy's defaults: tukey,0.25, nperseg 256, noverlap 32, detrend
    np.savez(tmp_path / "spec.npz", f=f, t=t, Sxx=Sxx, fs=sr)
    monkeypatch.chdir(tmp_path)
    audio = []
    for name, more in (("out.wav", []), ("agreed.wav", ["--sr", "16000"])):
        status = cli.main(["invert", "spec.npz", "--from", "scipy", "-o", name, "--json", *more])
        captured = capsys.readouterr()
        assert status == 0, captured.err
        report = json.loads(captured.out)
        assert (report["sample_rate"], report["n_fft"], report["hop_length"], report["center"]) == (sr, 256, 224, False)
        y, sr_out = sf.read(str(tmp_path / name))
        assert sr_out == sr and abs(len(y) - len(x)) < 256  # scipy's frames stop short of the end
        assert 0.9 < np.sqrt(np.mean(y**2)) / np.sqrt(np.mean(x[: len(y)] ** 2)) < 1.1
        audio.append(y)
    assert np.array_equal(audio[0], audio[1])
    assert_usage_error(run_in_process(["invert", "spec.npz", "--from", "scipy", "-o", "bad.wav", "--sr", "8000"], capsys),
                       r"^gl invert: error: --sr 8000 but the fs in spec.npz is 16000; drop --sr")
    # a hop beside f and t, and no nperseg: t says the segment, and must agree with the hop
    np.savez(tmp_path / "hop.npz", f=f, t=t, Sxx=Sxx, fs=sr, hop=224)
    np.savez(tmp_path / "wrong.npz", f=f, t=t, Sxx=Sxx, fs=sr, hop=128)
    status = cli.main(["invert", "hop.npz", "--from", "scipy", "-o", "hop.wav", "-q"])
    assert status == 0, capsys.readouterr().err
    capsys.readouterr()
    assert np.array_equal(sf.read(str(tmp_path / "hop.wav"))[0], audio[0])
    assert_usage_error(run_in_process(["invert", "wrong.npz", "--from", "scipy", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: the hop in wrong.npz is 128 but its t steps by 224 samples; correct the file$")
    assert not (tmp_path / "bad.wav").exists()


def test_an_npz_that_stores_its_geometry_under_any_librarys_names(tmp_path, monkeypatch, capsys):
    """Numbers stored beside the spectrogram under gl's, librosa's, scipy's or torchaudio's names
    (sr, fs, sample_rate, samplerate; hop_length, hop_size; n_fft, nperseg and noverlap) stand for
    the flags, filled in when missing and checked when given; other numbers are left alone."""
    x = np.random.default_rng(3).standard_normal(4000) * 0.1
    geometry = gl.STFT(n_fft=256, hop_length=64)
    S = np.abs(geometry.stft(x))  # librosa's convention
    np.savez(tmp_path / "librosa.npz", S=S, sr=8000, hop_length=64, n_fft=256, epochs=12, lengths=np.array([4000, 3000]))
    np.savez(tmp_path / "torch.npz", specgram=S**2, sample_rate=8000, hop_length=64, n_fft=256)
    np.savez(tmp_path / "other.npz", S=S, samplerate=8000.0, hop_size=np.array([64]))  # 1-element, float: fine
    scipy_geometry = gl.STFT(n_fft=256, hop_length=64, center=False)
    _, _, Sxx = pytest.importorskip("scipy.signal").spectrogram(x, 8000, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.savez(tmp_path / "scipy.npz", Sxx=Sxx, fs=8000, nperseg=256, noverlap=192)
    monkeypatch.chdir(tmp_path)
    for name, convention, flags in (("librosa.npz", "librosa", []), ("librosa.npz", "librosa", ["--sr", "8000", "--hop", "64"]),
                                    ("torch.npz", "torchaudio", []), ("other.npz", "librosa", []),
                                    ("scipy.npz", "scipy", ["--window", "hann", "-P", "detrend=False"]),
                                    ("scipy.npz", "scipy", ["--window", "hann", "-P", "detrend=False", "-P", "noverlap=192"])):
        status = cli.main(["invert", name, "--from", convention, "-o", "out.wav", "--force", "--json", *FAST, *flags])
        captured = capsys.readouterr()
        assert status == 0, (name, flags, captured.err)
        report = json.loads(captured.out)
        assert (report["sample_rate"], report["n_fft"], report["hop_length"]) == (8000, 256, 64), (name, flags)
        y, _ = sf.read(str(tmp_path / "out.wav"))
        made = scipy_geometry if convention == "scipy" else geometry
        assert spectral_convergence_db(x[: len(y)], y, made) < -15, (name, flags)
    contradictions = [
        (["librosa.npz", "--from", "librosa", "--hop", "128"], r"--hop 128 but the hop_length in librosa.npz is 64; drop --hop"),
        (["librosa.npz", "--from", "librosa", "--n-fft", "512"], r"--n-fft 512 but the n_fft in librosa.npz is 256"),
        (["torch.npz", "--from", "torchaudio", "--sr", "16000"], r"--sr 16000 but the sample_rate in torch.npz is 8000"),
        (["scipy.npz", "--from", "scipy", "--hop", "128"],
         r"--hop 128 but the noverlap in scipy.npz makes it 64 \(nperseg - noverlap = 256 - 192\)"),
        (["scipy.npz", "--from", "scipy", "-P", "nperseg=512"], r"-P nperseg=512 but the nperseg in scipy.npz is 256"),
        (["scipy.npz", "--from", "scipy", "-P", "noverlap=128"], r"-P noverlap=128 but the noverlap in scipy.npz is 192"),
    ]
    for args, pattern in contradictions:
        assert_usage_error(run_in_process(["invert", *args, "-o", "bad.wav"], capsys), r"^gl invert: error: " + pattern)
    assert not (tmp_path / "bad.wav").exists()


def test_a_mel_made_with_other_settings_is_said_in_flags(tmp_path, monkeypatch, capsys):
    """Mel bands that hold energy but cover no FFT bin: the warning said 'or M was made with another
    sr, --n-fft, fmin or fmax', of a variable M the user never saw and in three vocabularies; it
    names the file and the flags (torchaudio's -P f_min= and -P f_max= for --from torchaudio-mel)."""
    x = np.random.default_rng(11).standard_normal(8000) * 0.1
    S = np.abs(gl.stft(x, n_fft=512, hop_length=128))
    np.save(tmp_path / "M.npy", np.matmul(pytest.importorskip("gl.mel").mel_filterbank(sr=16000, n_fft=512, n_mels=64), S**2))
    monkeypatch.chdir(tmp_path)
    common = ["invert", "M.npy", "--sr", "16000", "--n-fft", "512", "--hop", "128", "-P", "n_iter_nnls=5", *FAST, "-q"]
    for convention, edge in (("mel", "fmax"), ("torchaudio-mel", "f_max")):
        status = cli.main([*common, "--from", convention, "-P", f"{edge}=12000", "-o", f"{convention}.wav"])
        err = capsys.readouterr().err
        assert status == 0, err
        low, high = ("-P f_min=", "-P f_max=") if edge == "f_max" else ("-P fmin=", "-P fmax=")
        assert (f"(-P {edge}=12000 Hz is above sr / 2 = 8000; or the array in M.npy was made with another --sr, --n-fft, "
                f"{low} or {high} than used here): their energy cannot come back") in err, err
        assert " M " not in err


def test_a_typed_noverlap_is_checked_against_a_stored_hop(tmp_path, monkeypatch, capsys):
    """-P noverlap=... beside a hop_length the .npz stores: the hop it makes with the segment length
    (stored, typed, or said by f) is compared with the stored one, a contradiction one line naming
    both (it was dropped without a word, and the audio made at -P noverlap's hop); one that agrees
    gives the same audio as before. A noverlap stored with nperseg was already compared."""
    x = np.random.default_rng(5).standard_normal(8000) * 0.1
    f, _, Sxx = pytest.importorskip("scipy.signal").spectrogram(x, 16000, nperseg=512, noverlap=384, detrend=False)
    np.savez(tmp_path / "hop.npz", Sxx=Sxx, fs=16000, nperseg=512, hop_length=128)
    np.savez(tmp_path / "hop_only.npz", Sxx=Sxx, fs=16000, hop_length=128)
    np.savez(tmp_path / "f.npz", f=f, Sxx=Sxx, fs=16000, hop_length=128)
    np.savez(tmp_path / "noverlap.npz", Sxx=Sxx, fs=16000, nperseg=512, noverlap=384)
    monkeypatch.chdir(tmp_path)
    common = ["--from", "scipy", "-P", "detrend=False", *FAST, "-q"]
    for name, flags in (("plain.wav", []), ("typed.wav", ["-P", "noverlap=384"])):
        assert cli.main(["invert", "hop.npz", *common, "-o", name, *flags]) == 0, capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "plain.wav"))[0], sf.read(str(tmp_path / "typed.wav"))[0])
    said = (r"-P noverlap=256 makes the hop 256 \(nperseg - noverlap = 512 - 256\) but the hop_length in {} is 128; drop "
            r"-P noverlap=, or correct the file if it is wrong$")
    for name, flags in (("hop.npz", []), ("hop_only.npz", ["--n-fft", "512"]), ("hop_only.npz", ["-P", "nperseg=512"]),
                        ("f.npz", [])):
        assert_usage_error(run_in_process(["invert", name, *common, *flags, "-P", "noverlap=256", "-o", "bad.wav"], capsys),
                           "^gl invert: error: " + said.format(re.escape(name)))
    assert_usage_error(run_in_process(["invert", "noverlap.npz", *common, "-P", "noverlap=256", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: -P noverlap=256 but the noverlap in noverlap\.npz is 384; drop -P noverlap=")
    assert not (tmp_path / "bad.wav").exists()


def test_a_hop_longer_than_the_segment_is_said_as_given(tmp_path, monkeypatch, capsys):
    """A hop longer than scipy's segment (stored beside the array, or typed) has no noverlap: it was
    the importer's 'noverlap=-48 must be >= 0', a keyword no one gave. Now one line naming the hop
    and the segment as they came (the file's entries, or the flags), exit 2, no output."""
    x = np.random.default_rng(7).standard_normal(8000) * 0.1
    _, _, Sxx = pytest.importorskip("scipy.signal").spectrogram(x, 16000, nperseg=400, noverlap=300, detrend=False)
    np.savez(tmp_path / "stored.npz", Sxx=Sxx, fs=16000, nperseg=400, hop_length=448)
    np.save(tmp_path / "bare.npy", Sxx)
    monkeypatch.chdir(tmp_path)
    common = ["--from", "scipy", "-P", "detrend=False", *FAST, "-q", "-o", "bad.wav"]
    assert_usage_error(run_in_process(["invert", "stored.npz", *common], capsys),
                       r"^gl invert: error: the hop_length in stored\.npz is 448, longer than the segments of the nperseg in "
                       r"stored\.npz, 400 samples: scipy's hop, nperseg - noverlap, is at most nperseg; correct the file$")
    assert_usage_error(run_in_process(["invert", "bare.npy", *common, "--sr", "16000", "--n-fft", "400", "--hop", "448"],
                                      capsys),
                       r"^gl invert: error: --hop 448, longer than the segments of --n-fft 400 samples: .*give those scipy was "
                       r"given$")
    assert not (tmp_path / "bad.wav").exists()


def test_a_power_stored_beside_a_scipy_array_must_be_its_modes(tmp_path, monkeypatch, capsys):
    """scipy's importers take a mode and a scaling, not a power: a power the .npz stores was ignored
    without a word (power=1 beside a magnitude read as a PSD). One that agrees with the mode (psd
    2, magnitude and complex 1; scipy.signal.stft's Zxx 1) reads as without it; another is one
    line saying how scipy's arrays are described and how to pass that with -P."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(6).standard_normal(8000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512, noverlap=384, mode="magnitude", detrend=False)
    fz, tz, Zxx = scipy_signal.stft(x, 16000, nperseg=512, noverlap=384)
    np.savez(tmp_path / "mag.npz", f=f, t=t, Sxx=Sxx, fs=16000)
    np.savez(tmp_path / "mag1.npz", f=f, t=t, Sxx=Sxx, fs=16000, power=1)
    np.savez(tmp_path / "z.npz", f=fz, t=tz, Zxx=Zxx, fs=16000)
    np.savez(tmp_path / "z1.npz", f=fz, t=tz, Zxx=Zxx, fs=16000, power=1.0)
    np.savez(tmp_path / "z2.npz", f=fz, t=tz, Zxx=np.abs(Zxx) ** 2, fs=16000, power=2.0)
    monkeypatch.chdir(tmp_path)
    common = [*FAST, "-q"]
    magnitude = ["--from", "scipy", "-P", "mode=magnitude", "-P", "detrend=False"]
    for output, flags in (("mag.wav", ["mag.npz", *magnitude]), ("mag1.wav", ["mag1.npz", *magnitude]),
                          ("z.wav", ["z.npz", "--from", "scipy-stft"]), ("z1.wav", ["z1.npz", "--from", "scipy-stft"])):
        assert cli.main(["invert", *flags, *common, "-o", output]) == 0, capsys.readouterr().err
    for one, other in (("mag.wav", "mag1.wav"), ("z.wav", "z1.wav")):
        assert np.array_equal(sf.read(str(tmp_path / one))[0], sf.read(str(tmp_path / other))[0])
    assert_usage_error(run_in_process(["invert", "mag1.npz", "--from", "scipy", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: the power=1 stored in mag1\.npz says the array holds \|X\|\*\*1, but --from scipy "
                       r"reads scipy\.signal\.spectrogram's Sxx by its mode and scaling, not a power, and the default mode, psd, "
                       r"holds \|X\|\*\*2 \(.*\): give the -P mode= and -P scaling= scipy was called with, or correct the file$")
    assert_usage_error(run_in_process(["invert", "z2.npz", "--from", "scipy-stft", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: the power=2 stored in z2\.npz says the array holds \|X\|\*\*2, but --from scipy-stft "
                       r"reads scipy\.signal\.stft's Zxx or np\.abs\(Zxx\), \|X\|\*\*1 .*, not a power: save that")
    np.savez(tmp_path / "psd1.npz", f=f, t=t, Sxx=Sxx, fs=16000, power=2)
    assert_usage_error(run_in_process(["invert", "psd1.npz", *magnitude, "-o", "bad.wav"], capsys),
                       r"^gl invert: error: the power=2 stored in psd1\.npz .* and -P mode=magnitude holds \|X\|\*\*1 ")
    assert not (tmp_path / "bad.wav").exists()


def test_a_typed_nperseg_is_checked_against_a_stored_n_fft(tmp_path, monkeypatch, capsys):
    """-P nperseg=... (scipy's segment length, as scipy was called) beside an n_fft or nfft the .npz
    stores: a contradiction is one line naming both, as for --n-fft (the stored n_fft was dropped
    without a word and the importer's message spoke of nfft); one that agrees gives the same audio."""
    x = np.random.default_rng(3).standard_normal(4000) * 0.1
    _, _, Sxx = pytest.importorskip("scipy.signal").spectrogram(x, 8000, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.savez(tmp_path / "n_fft.npz", Sxx=Sxx, fs=8000, n_fft=256, noverlap=192)
    np.savez(tmp_path / "nfft.npz", Sxx=Sxx, fs=8000, nfft=256, noverlap=192)  # alone, scipy's nfft is the FFT size
    monkeypatch.chdir(tmp_path)
    common = ["--from", "scipy", "--window", "hann", "-P", "detrend=False", *FAST, "-q"]
    for name, flags in (("plain.wav", []), ("typed.wav", ["-P", "nperseg=256"])):
        status = cli.main(["invert", "n_fft.npz", *common, "-o", name, *flags])
        assert status == 0, capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "plain.wav"))[0], sf.read(str(tmp_path / "typed.wav"))[0])
    assert_usage_error(run_in_process(["invert", "n_fft.npz", *common, "-P", "nperseg=512", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: -P nperseg=512 but the n_fft in n_fft\.npz is 256; drop -P nperseg=, or correct the file")
    assert_usage_error(run_in_process(["invert", "n_fft.npz", *common, "-P", "nperseg=200", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: -P nperseg=200 but the n_fft in n_fft\.npz is 256 \(if scipy zero-padded the segments "
                       r"of 200 samples to nfft=256, give --win-length 200 instead")
    assert_usage_error(run_in_process(["invert", "nfft.npz", *common, "-P", "nperseg=512", "-o", "bad.wav"], capsys),
                       r"nperseg=512 must be <= the nfft=256 stored in nfft\.npz")
    assert not (tmp_path / "bad.wav").exists()


BAD_STORED = [
    ({"fs": "16k"}, r"the fs in bad.npz is '16k', not a number; --sr must be a finite number > 0"),
    ({"fs": -16000}, r"the fs in bad.npz is -16000, but --sr must be a finite number > 0"),
    ({"sr": np.nan}, r"the sr in bad.npz is nan, but --sr must be a finite number > 0"),
    ({"sr": True}, r"the sr in bad.npz is True, not a number"),
    ({"fs": 8000, "nperseg": 256.5}, r"the nperseg in bad.npz is 256.5, but --n-fft must be a whole number >= 1"),
    ({"fs": 8000, "hop_length": 0}, r"the hop_length in bad.npz is 0, but --hop must be a whole number >= 1"),
    ({"fs": 8000, "nperseg": 256, "noverlap": 256}, r"the noverlap in bad.npz is 256, but it must be < nperseg 256"),
    ({"fs": 8000, "sample_rate": 16000}, r"the fs and sample_rate in bad.npz disagree \(8000 and 16000\)"),
    ({"fs": np.array([[8000]]), "sample_rate": 16000}, r"the fs and sample_rate in bad.npz disagree \(8000 and 16000\)"),
    ({"fs": np.array([])}, r"the fs in bad.npz is an empty array \(shape \(0,\)\), but --sr must be one finite number > 0: "
                           r"store that one number \(np.savez\(..., fs=...\)\)$"),
    ({"fs": 8000, "nperseg": np.zeros((2, 3))}, r"the nperseg in bad.npz is an array of 6 values \(shape \(2, 3\)\), but --n-fft "
                                                r"must be one whole number >= 1"),
    ({"fs": 8000, "nperseg": 256, "noverlap": 192, "hop": 32},
     r"the hop in bad.npz is 32 but its noverlap makes the hop 64 \(nperseg - noverlap = 256 - 192\); correct the file"),
]


def test_a_sample_rate_no_audio_file_holds_is_refused_first(tmp_path, monkeypatch, capsys):
    """fs=1e300 stored beside scipy's f, t and Sxx said 'the f in spec.npz implies nfft=3200000...' (a
    number of 300 digits), and beside a bare Sxx 'magnitude contains NaN or infinite values': a rate
    above the fastest an audio file holds (2**31 - 1 Hz) is refused before the import, named as given
    (a --sr typed, in the output format's words)."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(10).standard_normal(8000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512, noverlap=384)
    np.savez(tmp_path / "ft.npz", f=f, t=t, Sxx=Sxx, fs=1e300)
    np.savez(tmp_path / "bare.npz", Sxx=Sxx, fs=1e300, nperseg=512, noverlap=384)
    np.save(tmp_path / "Sxx.npy", Sxx)
    monkeypatch.chdir(tmp_path)
    rule = r"must be at most 2147483647 Hz, the fastest sample rate an audio file holds; "
    for name in ("ft.npz", "bare.npz"):
        assert_usage_error(run_in_process(["invert", name, "--from", "scipy", "-o", "bad.wav"], capsys),
                           rf"^gl invert: error: the fs in {name} is 1e\+300, but --sr {rule}store the rate the spectrogram was made at$")
    bare = ["invert", "Sxx.npy", "--from", "scipy", "--n-fft", "512", "--hop", "128", "-o", "bad.wav"]
    assert_usage_error(run_in_process([*bare, "--sr", "1e300"], capsys),  # as for any --sr the output cannot hold
                       r"^gl invert: error: bad.wav: a WAV file holds whole sample rates from 1 to 2147483647 Hz, not 1e\+300$")
    assert_usage_error(run_in_process([*bare, "-P", "fs=3e9"], capsys), rf"^gl invert: error: -P fs=3e\+09 {rule}give the rate")
    assert not (tmp_path / "bad.wav").exists()


def test_a_stored_number_of_any_shape_is_read(tmp_path, monkeypatch, capsys):
    """fs=np.array([[16000]]) (a value kept from a (1, 1) result) is the sample rate, as fs=16000 is:
    it was ignored without a word ('give its sample rate with --sr', or a contradicting --sr used)."""
    x = np.random.default_rng(9).standard_normal(4000) * 0.1
    _, _, Sxx = pytest.importorskip("scipy.signal").spectrogram(x, 8000, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.savez(tmp_path / "plain.npz", Sxx=Sxx, fs=8000, nperseg=256, noverlap=192)
    np.savez(tmp_path / "shaped.npz", spectrogram=Sxx, fs=np.array([[8000.0]]), nperseg=np.array([256]), noverlap=192)
    monkeypatch.chdir(tmp_path)
    common = ["--from", "scipy", "--window", "hann", "-P", "detrend=False", *FAST, "-q"]
    for name in ("plain", "shaped"):
        status = cli.main(["invert", f"{name}.npz", *common, "-o", f"{name}.wav"])
        assert status == 0, capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "plain.wav"))[0], sf.read(str(tmp_path / "shaped.wav"))[0])
    assert_usage_error(run_in_process(["invert", "shaped.npz", *common, "--sr", "16000", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: --sr 16000 but the fs in shaped\.npz is 8000; drop --sr")
    assert not (tmp_path / "bad.wav").exists()


def test_a_spectrogram_stored_under_a_settings_name_is_the_spectrogram(tmp_path, monkeypatch, capsys):
    """np.savez('p.npz', power=S**2, sr=..., hop_length=...): the one array of two axes is the spectrogram,
    whatever its name; it was taken for a stored power and the file refused as holding none of two axes."""
    S = np.abs(np.random.default_rng(3).standard_normal((257, 30))) ** 2
    np.save(tmp_path / "p.npy", S)
    np.savez(tmp_path / "p.npz", power=S, sr=8000, hop_length=128)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["invert", "p.npy", "--from", "librosa", "--power", "2", "--sr", "8000", "--hop", "128", *FAST, "-q",
                     "-o", "bare.wav"]) == 0
    assert cli.main(["invert", "p.npz", "--from", "librosa", "--power", "2", *FAST, "-q", "-o", "named.wav"]) == 0, \
        capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "bare.wav"))[0], sf.read(str(tmp_path / "named.wav"))[0])


@pytest.mark.parametrize("stored, pattern", BAD_STORED, ids=[", ".join(map(str, s)) for s, _ in BAD_STORED])
def test_a_bad_number_stored_beside_the_spectrogram_is_named(tmp_path, monkeypatch, capsys, stored, pattern):
    """Text, a bool, NaN, a negative rate, a fractional or zero hop or segment, and two names of one
    flag that disagree: one line naming the entry and the file, never a traceback or a guess."""
    np.savez(tmp_path / "bad.npz", Sxx=np.ones((129, 20)), **stored)
    monkeypatch.chdir(tmp_path)
    assert_usage_error(run_in_process(["invert", "bad.npz", "--from", "scipy", "-o", "o.wav"], capsys), r"^gl invert: error: " + pattern)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


def test_an_importers_error_about_a_stored_setting_says_it_was_stored(tmp_path, monkeypatch, capsys):
    """An n_fft saved in the .npz that does not fit the array: the importer's message names it as
    stored in the file, not as a --n-fft the user never typed; a --n-fft typed keeps its words."""
    np.savez(tmp_path / "l.npz", S=np.ones((513, 20)), sr=16000, hop_length=256, n_fft=2048)
    np.save(tmp_path / "l.npy", np.ones((513, 20)))
    monkeypatch.chdir(tmp_path)
    assert_usage_error(run_in_process(["invert", "l.npz", "--from", "librosa", "-o", "o.wav"], capsys),
                       r"^gl invert: error: the --n-fft 2048 stored in l\.npz gives 1025 frequency bins but the spectrogram has 513")
    assert_usage_error(run_in_process(["invert", "l.npy", "--from", "librosa", "--sr", "16000", "--hop", "256", "--n-fft", "2048",
                                       "-o", "o.wav"], capsys),
                       r"^gl invert: error: --n-fft 2048 gives 1025 frequency bins but the spectrogram has 513")
    assert not (tmp_path / "o.wav").exists()


def test_a_mel_npz_that_stores_its_settings(tmp_path, monkeypatch, capsys):
    """``np.savez(name, S=M, sr=..., hop_length=..., n_fft=..., fmax=...)`` of librosa's melspectrogram:
    --from mel alone, the stored fmax reaching the importer (without it, the default sr / 2 gives
    other filters: +2.0 dB of spectral convergence, against -14.9 dB); a -P fmax= that contradicts
    the file is refused."""
    librosa = pytest.importorskip("librosa")
    sr = 8000
    x = 0.3 * np.sin(2 * np.pi * (300 + 400 * np.arange(4000) / 4000) * np.arange(4000) / sr)
    M = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=256, hop_length=64, n_mels=32, fmax=3000)
    np.savez(tmp_path / "mel.npz", S=M, sr=sr, hop_length=64, n_fft=256, n_mels=32, fmax=3000)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["invert", "mel.npz", "--from", "mel", "-o", "out.wav", "--json", *FAST])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    report = json.loads(captured.out)
    assert (report["sample_rate"], report["n_fft"], report["hop_length"]) == (sr, 256, 64)
    y, _ = sf.read(str(tmp_path / "out.wav"))
    assert spectral_convergence_db(x[: len(y)], y, gl.STFT(256, 64)) < -10
    assert_usage_error(run_in_process(["invert", "mel.npz", "--from", "mel", "-o", "bad.wav", "-P", "fmax=4000"], capsys),
                       r"-P fmax=4000 but the fmax in mel.npz is 3000; drop -P fmax=")
    assert not (tmp_path / "bad.wav").exists()

UNKNOWN_FLAGS = [
    # scipy's names: nperseg is --n-fft, and the hop is nperseg - noverlap (worked out when both are given)
    (["invert", "bare.npy", "--from", "scipy", "--sr", "8000", "--nperseg", "256", "--noverlap", "192"],
     [r"unrecognized arguments: --nperseg 256 --noverlap 192", r"--nperseg 256 is --n-fft 256", r"--noverlap 192 is --hop 64 "
      r"\(nperseg - noverlap\)", r"see gl invert --help"]),
    (["invert", "bare.npy", "--from", "scipy", "--sr", "8000", "--n-fft", "256", "--noverlap=192"], [r"--noverlap=192 is --hop 64"]),
    (["invert", "bare.npy", "--from", "scipy", "--sr", "8000", "--noverlap", "192"], [r"--noverlap 192 is --hop \(nperseg - noverlap\)"]),
    (["invert", "bare.npy", "--from", "scipy", "--fs", "8000"], [r"--fs 8000 is --sr 8000"]),
    # librosa's keywords spelt as flags
    (["invert", "bare.npy", "--from", "librosa", "--sr", "8000", "--hop_length", "64"], [r"--hop_length 64 is --hop 64"]),
    (["invert", "bare.npy", "--from", "librosa", "--sample-rate", "8000", "--hop", "64"], [r"--sample-rate 8000 is --sr 8000"]),
    (["roundtrip", "tone.wav", "--n_fft", "512"], [r"--n_fft 512 is --n-fft 512", r"see gl roundtrip --help"]),
    (["roundtrip", "tone.wav", "--hop-length", "128"], [r"--hop-length 128 is --hop 128"]),
    # a flag gl does not know at all: the command's help, not gl's
    (["roundtrip", "tone.wav", "--colour", "red"], [r"unrecognized arguments: --colour red \(see gl roundtrip --help\)$"]),
    # --sr is invert's: roundtrip reads the rate from the file
    (["roundtrip", "tone.wav", "--fs", "8000"], [r"unrecognized arguments: --fs 8000 \(see gl roundtrip --help\)$"]),
]


@pytest.mark.parametrize("args, patterns", UNKNOWN_FLAGS, ids=[" ".join(a) for a, _ in UNKNOWN_FLAGS])
def test_a_flag_named_as_scipy_or_librosa_names_it_says_gls_name(tmp_path, monkeypatch, capsys, args, patterns):
    """A scipy or librosa user types the keywords they know (--nperseg, --noverlap, --hop_length,
    --fs): the one line names gl's flag for each, and the command's --help, not gl's."""
    make_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_usage_error(run_in_process([*args, "-o", "o.wav"], capsys), *patterns)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_scipys_nperseg_and_noverlap_as_importer_keywords(tmp_path, speech, monkeypatch, capsys):
    """--help says -P takes any keyword of the importer: -P nperseg=256 -P noverlap=192, as
    scipy was called, makes the same audio as --n-fft 256 --hop 64 (it was refused with 'give
    --n-fft NPERSEG')."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x, sr = speech
    _, _, Sxx = scipy_signal.spectrogram(x, sr, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.save(tmp_path / "Sxx.npy", Sxx)
    monkeypatch.chdir(tmp_path)
    common = ["invert", "Sxx.npy", "--from", "scipy", "--sr", str(sr), "--window", "hann", "-P", "detrend=False", *FAST, "-q"]
    for name, flags in (("p.wav", ["-P", "nperseg=256", "-P", "noverlap=192"]), ("p2.wav", ["-P", "nperseg=256", "--hop", "64"]),
                        ("f.wav", ["--n-fft", "256", "--hop", "64"])):
        status = cli.main([*common, "-o", name, *flags])
        assert status == 0, capsys.readouterr().err
    audio = [sf.read(str(tmp_path / name))[0] for name in ("p.wav", "p2.wav", "f.wav")]
    assert np.array_equal(audio[0], audio[2]) and np.array_equal(audio[1], audio[2])


def test_help_shows_examples_and_exit_statuses(capsys):
    """A first-time user with scipy's or librosa's spectrogram finds in 'gl invert --help' a command
    line to copy, with scipy's nperseg and noverlap in gl's flags; 'gl --help' gives the exit statuses."""
    assert cli.main(["invert", "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text
    assert re.search(r"gl invert Sxx\.npy --from scipy --sr 16000 --n-fft 512 --hop 128 .*-o out\.wav", text)
    assert re.search(r"nperseg=512, noverlap=384", text)  # the scipy call that line undoes
    assert re.search(r"gl invert S\.npy --from librosa --sr 22050 --hop 512 -o out\.wav", text)
    assert re.search(r"gl invert M\.npy --from mel --sr 22050 --n-fft 2048 --hop 512 -o out\.wav", text)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert cli.main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert re.search(r"(?i)exit status:? 0 .* 2 .*mistake.* 130 .*Ctrl-C", text), text
    # every status README.md gives, in the same words (141 and 129 were in README only)
    assert "(141 when the reader of a pipe left); 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP, and no file" in text, text
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    assert "(141 when the reader of a pipe left); 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP, and no file" in readme
    # the demo's line names both files it writes (it named gl-demo.wav only; gl-demo-original.wav came as a surprise)
    assert re.search(r"demo reconstruct a built-in recording: write gl-demo\.wav and the original, gl-demo-original\.wav ", text), text


def test_a_complex_array_where_a_real_one_goes_says_which_flag(tmp_path, monkeypatch, capsys):
    """scipy.signal.stft's complex Zxx given --from scipy (or a complex STFT --from mel): the message
    named the importer's mode and 'say it is complex', which the command line has no flag for."""
    geometry = gl.STFT(256, 64, center=False)
    Z = geometry.stft(np.random.default_rng(0).standard_normal(4000))
    np.save(tmp_path / "Z.npy", Z)
    monkeypatch.chdir(tmp_path)
    common = ["invert", "Z.npy", "-o", "o.wav", "--sr", "8000", "--n-fft", "256", "--hop", "64"]
    assert_usage_error(run_in_process([*common, "--from", "scipy"], capsys),
                       r"the array in Z.npy is complex", r"scipy.signal.stft's Zxx is --from scipy-stft",
                       r"-P mode=complex", r"np.abs")
    assert_usage_error(run_in_process([*common, "--from", "mel"], capsys),
                       r"the array in Z.npy is complex, but a mel spectrogram is real", r"--from librosa", r"np.abs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Z.npy"]


def test_the_sample_rate_as_an_importer_keyword(tmp_path, speech, monkeypatch, capsys):
    """-P fs=16000 (scipy), -P sr=... (librosa), as the library was called, is the sample rate:
    the same audio as --sr (it was refused with 'give its sample rate with --sr'). A rate that is
    not a number, or given twice, is one line naming it."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x, sr = speech
    _, _, Sxx = scipy_signal.spectrogram(x, sr, nperseg=256, noverlap=192, window="hann", detrend=False)
    np.save(tmp_path / "Sxx.npy", Sxx)
    np.save(tmp_path / "S.npy", np.abs(gl.stft(x, n_fft=256, hop_length=64)))
    monkeypatch.chdir(tmp_path)
    scipy_flags = ["Sxx.npy", "--from", "scipy", "--window", "hann", "-P", "detrend=False", "--n-fft", "256", "--hop", "64"]
    librosa_flags = ["S.npy", "--from", "librosa", "--hop", "64"]
    for name, flags in (("p.wav", [*scipy_flags, "-P", f"fs={sr}"]), ("s.wav", [*scipy_flags, "--sr", str(sr)]),
                        ("lp.wav", [*librosa_flags, "-P", f"sr={float(sr)}"]), ("ls.wav", [*librosa_flags, "--sr", str(sr)])):
        status = cli.main(["invert", *flags, *FAST, "-q", "-o", name])
        assert status == 0, capsys.readouterr().err
    audio = {name: sf.read(str(tmp_path / name)) for name in ("p.wav", "s.wav", "lp.wav", "ls.wav")}
    assert audio["p.wav"][1] == audio["lp.wav"][1] == sr
    assert np.array_equal(audio["p.wav"][0], audio["s.wav"][0]) and np.array_equal(audio["lp.wav"][0], audio["ls.wav"][0])
    for flags, pattern in ((["-P", "fs='16k'"], r"-P fs='16k' must be the sample rate in Hz, a number \(or give it with --sr\)"),
                           (["-P", f"fs={sr}", "-P", f"fs={sr}"], r"-P fs=\.\.\. is given twice; give it once")):
        assert_usage_error(run_in_process(["invert", *scipy_flags, *flags, "-o", "o.wav"], capsys), pattern)
    assert not (tmp_path / "o.wav").exists()


def test_a_keyword_that_agrees_with_the_npz_is_the_stored_setting(tmp_path, monkeypatch, capsys):
    """``np.savez(name, S=S, sr=..., hop_length=..., n_fft=...)`` and -P hop_length=64 (or -P n_fft=,
    -P hop=) typed as the library was called, agreeing with the file: the same audio as without
    it (it was refused with 'is a bare array: give its hop with --hop', the hop the file stores);
    a -P that contradicts the file is still refused."""
    x = np.random.default_rng(4).standard_normal(4000) * 0.1
    S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    np.savez(tmp_path / "l.npz", S=S, sr=8000, hop_length=64, n_fft=256)
    M = np.matmul(pytest.importorskip("gl.mel").mel_filterbank(sr=8000, n_fft=256, n_mels=40), S**2)
    np.savez(tmp_path / "m.npz", M=M, sr=8000, hop_length=64, n_fft=256)
    monkeypatch.chdir(tmp_path)
    for name, convention, more in (("l.npz", "librosa", ["-P", "hop_length=64"]), ("m.npz", "mel", ["-P", "n_fft=256"]),
                                   ("m.npz", "mel", ["-P", "hop_length=64", "-P", "sr=8000"])):
        audio = []
        for out, flags in (("plain.wav", []), ("typed.wav", more)):
            status = cli.main(["invert", name, "--from", convention, "-o", out, "--force", "-q", *FAST, *flags])
            assert status == 0, (name, more, capsys.readouterr().err)
            audio.append(sf.read(str(tmp_path / out))[0])
        assert np.array_equal(audio[0], audio[1]), (name, more)
    assert_usage_error(run_in_process(["invert", "l.npz", "--from", "librosa", "-P", "hop_length=128", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: -P hop_length=128 but the hop_length in l\.npz is 64; drop -P hop_length=")
    assert not (tmp_path / "bad.wav").exists()


def test_a_message_about_a_stored_number_names_the_file_not_a_flag(tmp_path, monkeypatch, capsys):
    """The importer's words about a number the .npz stores say it was stored, whatever its type:
    an fs saved as 8000 or 8000.0 (the importer prints fs=8000) was '... at --sr 8000', a flag never
    typed; a stored n_mels or torchaudio's f_max was '-P n_mels=64 but ...', '-P fmax=20000 Hz is
    above sr / 2' (a warning), a -P never typed."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(5).standard_normal(8000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000)  # f of 16 kHz, stored beside an fs of 8 kHz
    np.savez(tmp_path / "int.npz", f=f, t=t, Sxx=Sxx, fs=8000)
    np.savez(tmp_path / "float.npz", f=f, t=t, Sxx=Sxx, fs=8000.0)
    S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    M = np.matmul(pytest.importorskip("gl.mel").mel_filterbank(sr=8000, n_fft=256, n_mels=40), S**2)
    np.savez(tmp_path / "mel.npz", M=M, sr=8000, hop_length=64, n_fft=256, n_mels=64)
    np.savez(tmp_path / "torch.npz", mel=M, sample_rate=8000, hop_length=64, n_fft=256, f_max=20000)
    monkeypatch.chdir(tmp_path)
    for name in ("int.npz", "float.npz"):
        result = run_in_process(["invert", name, "--from", "scipy", "-o", "bad.wav"], capsys)
        assert_usage_error(result, rf"^gl invert: error: the f in {name} implies nfft=128 \(spacing 62.5 Hz at the --sr 8000 "
                                   rf"stored in {name}\) but the spectrogram has 129 rows")
    assert_usage_error(run_in_process(["invert", "mel.npz", "--from", "mel", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: the -P n_mels=64 stored in mel\.npz but the array in mel\.npz has 40 mel bands$")
    status = cli.main(["invert", "torch.npz", "--from", "torchaudio-mel", "-o", "t.wav", *FAST, "-q"])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "the -P f_max=20000 Hz stored in torch.npz is above sr / 2 = 4000" in err and "-P fmax" not in err, err
    assert not (tmp_path / "bad.wav").exists()


def test_a_sample_rate_given_as_an_importer_keyword_is_named_as_typed(tmp_path, monkeypatch, capsys):
    """-P fs=... that is no sample rate, or that the importer finds wrong, is named as typed: -P fs=0
    was '--sr 0.0 must be a finite number > 0', -P fs=16000.5 beside scipy's f of 16 kHz '... at --sr
    16000.5', a --sr never typed."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(6).standard_normal(8000) * 0.1
    f, t, Sxx = scipy_signal.spectrogram(x, 16000)
    np.savez(tmp_path / "spec.npz", f=f, t=t, Sxx=Sxx)
    monkeypatch.chdir(tmp_path)
    common = ["invert", "spec.npz", "--from", "scipy", "-o", "bad.wav"]
    for rate in ("0", "-16000"):
        assert_usage_error(run_in_process([*common, "-P", f"fs={rate}"], capsys),
                           rf"^gl invert: error: -P fs={rate} must be the sample rate in Hz, a number > 0 \(or give it with --sr\)$")
    result = run_in_process([*common, "-P", "fs=16000.5"], capsys)
    assert_usage_error(result, r"^gl invert: error: f is not the frequency axis of nfft=256 at -P fs=16000.5: check fs")
    assert "--sr" not in result.stderr
    assert not (tmp_path / "bad.wav").exists()


def test_a_zero_padded_scipy_npz_that_stores_nperseg_but_not_nfft(tmp_path, monkeypatch, capsys):
    """scipy.signal.stft(x, nperseg=400, noverlap=300, nfft=512) saved with fs, nperseg and noverlap
    but no nfft: the error says to give nfft as --n-fft and nperseg as --win-length (it said 'pass the
    nperseg scipy was given ... and nfft too', Python's words), and doing so works: the stored nperseg
    is then --win-length (it was refused, '--n-fft 512 but the nperseg in z.npz is 400'), the same
    audio as the bare array with every flag; so is -P nfft=512 (it was 'needs its segment length').
    --n-fft 512 alone says to add --win-length."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(7).standard_normal(8000) * 0.1
    _, _, Zxx = scipy_signal.stft(x, 16000, nperseg=400, noverlap=300, nfft=512)
    np.savez(tmp_path / "z.npz", Zxx=Zxx, fs=16000, nperseg=400, noverlap=300)
    np.save(tmp_path / "z.npy", Zxx)
    monkeypatch.chdir(tmp_path)
    common = ["--from", "scipy-stft", *FAST, "-q"]
    runs = (("stored.wav", ["z.npz", "--n-fft", "512", "--win-length", "400"]), ("nfft.wav", ["z.npz", "-P", "nfft=512"]),
            ("win.wav", ["z.npz", "--win-length", "400", "-P", "nfft=512"]),
            ("bare.wav", ["z.npy", "--sr", "16000", "--n-fft", "512", "--win-length", "400", "--hop", "100"]))
    for name, flags in runs:
        status = cli.main(["invert", *flags, *common, "-o", name])
        assert status == 0, (flags, capsys.readouterr().err)
    bare = sf.read(str(tmp_path / "bare.wav"))[0]
    for name, _ in runs:
        audio, rate = sf.read(str(tmp_path / name))
        assert rate == 16000 and np.array_equal(audio, bare), name
    result = run_in_process(["invert", "z.npz", "--from", "scipy-stft", "-o", "bad.wav"], capsys)
    assert_usage_error(result, r"nfft as --n-fft and nperseg as --win-length",
                       r"store the nperseg scipy was given \(here the 400 stored in z\.npz; correct the file if it is wrong\)")
    assert "pass the nperseg" not in result.stderr
    assert_usage_error(run_in_process(["invert", "z.npz", "--from", "scipy-stft", "--n-fft", "512", "-o", "bad.wav"], capsys),
                       r"^gl invert: error: --n-fft 512 but the nperseg in z\.npz is 400 \(if scipy zero-padded the segments to "
                       r"nfft=512, add --win-length 400: --n-fft is then nfft\)")
    assert not (tmp_path / "bad.wav").exists()


def test_the_hop_and_fft_size_as_importer_keywords_of_a_bare_array(tmp_path, speech, monkeypatch, capsys):
    """-P hop_length=... (and a mel's -P n_fft=...), as librosa was called, say the hop and the FFT
    size of a bare array: the same audio as --hop and --n-fft (they were refused with 'give its hop
    with --hop' and 'give the FFT size it was made with, --n-fft'). A value that is not a whole
    number of samples is one line naming the -P typed (it said '--hop 'abc' must be an integer')."""
    librosa = pytest.importorskip("librosa")
    x, sr = speech
    np.save(tmp_path / "M.npy", librosa.feature.melspectrogram(y=x, sr=sr, n_fft=512, hop_length=128, n_mels=40))
    monkeypatch.chdir(tmp_path)
    base = ["invert", "M.npy", "--from", "mel", "--sr", str(sr), "-P", "n_iter_nnls=5"]
    for name, flags in (("p.wav", ["-P", "n_fft=512", "-P", "hop_length=128"]), ("f.wav", ["--n-fft", "512", "--hop", "128"])):
        status = cli.main([*base, *FAST, "-q", "-o", name, *flags])
        assert status == 0, capsys.readouterr().err
    assert np.array_equal(sf.read(str(tmp_path / "p.wav"))[0], sf.read(str(tmp_path / "f.wav"))[0])
    for flags, pattern in ((["--n-fft", "512", "-P", "hop_length='x'"], r"-P hop_length='x' must be a whole number of samples >= 1 "
                                                                          r"\(or give it with --hop\)"),
                           (["--hop", "128", "-P", "n_fft=0"], r"-P n_fft=0 must be a whole number of samples >= 1 \(or give it with --n-fft\)")):
        assert_usage_error(run_in_process([*base, *flags, "-o", "o.wav"], capsys), r"^gl invert: error: " + pattern)
    assert not (tmp_path / "o.wav").exists()


def test_an_importer_keyword_not_typed_is_named_as_its_default(tmp_path, monkeypatch, capsys):
    """A keyword of the importer's that the user did not type is its default, said so ("scipy's
    default boundary='zeros'"), not a '-P boundary='zeros'' never typed; advice to change it is the
    -P to give, and a keyword typed keeps its -P form (the stft's t, the --length check, scipy's detrend)."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(23).standard_normal(8000) * 0.1
    f, t, Zxx = scipy_signal.stft(x, 16000, boundary=None)
    np.savez(tmp_path / "s.npz", f=f, t=t, Zxx=Zxx, fs=16000)
    f, t, Zxx = scipy_signal.stft(x, 16000)
    np.savez(tmp_path / "z.npz", f=f, t=t, Zxx=Zxx, fs=16000)
    np.save(tmp_path / "sxx.npy", scipy_signal.spectrogram(x, 16000, nperseg=256, noverlap=128)[2])
    monkeypatch.chdir(tmp_path)
    stft = ["invert", "--from", "scipy-stft", "-o", "bad.wav"]
    assert_usage_error(run_in_process([*stft, "s.npz"], capsys),
                       r"^gl invert: error: the t in s\.npz does not match segments .* with scipy's default boundary='zeros': "
                       r".*: give -P boundary=None$")
    assert_usage_error(run_in_process([*stft, "s.npz", "-P", "boundary='even'"], capsys),
                       r" with -P boundary='even': .*: give -P boundary=None$")
    assert_usage_error(run_in_process([*stft, "z.npz", "--length", "100"], capsys),
                       r"^gl invert: error: --length 100 gives 2 frames with nperseg=256, hop=128, scipy's default "
                       r"boundary='zeros', but the spectrogram has \d+")
    assert_usage_error(run_in_process([*stft, "z.npz", "--length", "100", "-P", "boundary='zeros'"], capsys),
                       r"hop=128, -P boundary='zeros', but")
    scipy = ["invert", "sxx.npy", "--from", "scipy", "--sr", "16000", "--n-fft", "256", "--hop", "128", *FAST, "-q"]
    assert cli.main([*scipy, "-o", "d.wav"]) == 0
    warned = capsys.readouterr().err
    assert re.search(r"^gl: warning: scipy's default detrend='constant': scipy removed its mean .*"
                     r"\(give -P detrend=False if the array in sxx\.npy was made without it\)$", warned, re.M), warned
    assert "-P detrend='constant'" not in warned
    assert cli.main([*scipy, "-o", "c.wav", "-P", "detrend='constant'"]) == 0
    assert re.search(r"^gl: warning: -P detrend='constant': scipy removed", capsys.readouterr().err, re.M)
    assert not (tmp_path / "bad.wav").exists()


@pytest.mark.parametrize("convention", ["scipy", "scipy-stft"])
def test_a_text_axis_in_an_npz_is_named_with_its_file(tmp_path, monkeypatch, capsys, convention):
    """np.savez(name, f=text, t=t, Zxx=Zxx, fs=16000) was NumPy's bare 'could not convert string to
    float: np.str_('a')': the importer's message, of the file's f or t."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(29).standard_normal(8000) * 0.1
    call = scipy_signal.spectrogram if convention == "scipy" else scipy_signal.stft
    f, t, array = call(x, 16000)
    name = "Sxx" if convention == "scipy" else "Zxx"
    np.savez(tmp_path / "f.npz", f=np.array(["a"] * len(f)), t=t, fs=16000, **{name: array})
    np.savez(tmp_path / "t.npz", f=f, t=np.array(["a"] * len(t)), fs=16000, **{name: array})
    monkeypatch.chdir(tmp_path)
    for axis, what in (("f", "frequency axis, in Hz"), ("t", "time axis, in seconds")):
        assert_usage_error(run_in_process(["invert", f"{axis}.npz", "--from", convention, "-o", "bad.wav"], capsys),
                           rf"^gl invert: error: the {axis} in {axis}\.npz holds text \('a', \.\.\.\), not numbers: it must be "
                           rf"scipy's numeric {what}, the {axis} of f, t, {name} = scipy\.signal\.{call.__name__}\(x, fs, \.\.\.\)$")
    assert not (tmp_path / "bad.wav").exists()


def test_advice_on_a_stored_nperseg_is_to_correct_the_file(tmp_path, monkeypatch, capsys):
    """An nperseg the .npz stores that the rows or f contradict got 'give the nperseg scipy was given
    as --n-fft', a flag that then contradicts the file: the advice is to store the right one (the
    zero-padding advice, which agrees with the file, stays); a -P nperseg= typed gets -P nfft= (as
    --n-fft it would be set twice), and the advice given works."""
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(31).standard_normal(8000) * 0.1
    f, _, Zxx = scipy_signal.stft(x, 16000, nperseg=512)
    _, _, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512, detrend=False)
    np.savez(tmp_path / "f.npz", f=f, Zxx=Zxx, fs=16000, nperseg=400, hop=256)
    np.savez(tmp_path / "rows.npz", Zxx=Zxx, fs=16000, nperseg=400, hop=256)
    np.savez(tmp_path / "s.npz", Sxx=Sxx, fs=16000, nperseg=400, hop=448)
    np.savez(tmp_path / "typed.npz", f=f, Zxx=Zxx, fs=16000, hop=256)
    monkeypatch.chdir(tmp_path)
    stft = ["invert", "--from", "scipy-stft", "-o", "bad.wav"]
    padded = "give that as --n-fft and nperseg as --win-length"
    assert_usage_error(run_in_process([*stft, "f.npz"], capsys),
                       rf"the nperseg=400 stored in f\.npz alone means nfft=400 .*: if scipy zero-padded the segments to nfft=512, "
                       rf"{padded}, else store the nperseg scipy was given$")
    assert_usage_error(run_in_process(["invert", "s.npz", "--from", "scipy", "-P", "detrend=False", "-o", "bad.wav"], capsys),
                       rf"the nperseg=400 stored in s\.npz gives 201 .*: if scipy zero-padded to nfft=512 or 513, {padded}, "
                       r"else store the nperseg scipy was given$")
    assert_usage_error(run_in_process([*stft, "rows.npz"], capsys),
                       r": store the nperseg scipy was given \(here the 400 stored in rows\.npz; correct the file if it is wrong\), "
                       r"or, if scipy zero-padded the segments, give nfft as --n-fft and nperseg as --win-length$")
    assert_usage_error(run_in_process([*stft, "typed.npz", "-P", "nperseg=400"], capsys),
                       r"but -P nperseg=400 alone .*: if scipy zero-padded the segments to nfft=512, give that as -P nfft=, else "
                       r"give the nperseg scipy was given as -P nperseg=$")
    for flags in (["f.npz", "--n-fft", "512", "--win-length", "400"], ["typed.npz", "-P", "nperseg=400", "-P", "nfft=512"]):
        assert cli.main(["invert", *flags, "--from", "scipy-stft", *FAST, "-q", "-o", "advised.wav", "--force"]) == 0
    assert not (tmp_path / "bad.wav").exists()


def test_shorttimefft_messages_name_the_flags_typed(tmp_path, monkeypatch, capsys):
    """gl invert --from shorttimefft: the window, FFT size, hop and length typed are named as typed,
    never as the importer's keywords (mfft=512, len(win)=400, hop=600, 'check length'), nor p_min
    where it was not typed; ShortTimeFFT's own keywords given with -P are said as -P; and a -P win=
    beside --n-fft is said as set twice (it was '--n-fft does not apply to --from shorttimefft')."""
    scipy_signal = pytest.importorskip("scipy.signal")
    monkeypatch.chdir(tmp_path)
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    np.save("st.npy", scipy_signal.ShortTimeFFT(scipy_signal.get_window("hann", 200), 50, 8000).spectrogram(x))
    common = ["--sr", "8000", "-o", "out.wav", "-q"]
    cases = [
        (["--hop", "50", "--n-fft", "256"], r"error: --n-fft 256 with scipy's default fft_mode='onesided' gives 129 frequency "
                                            r"rows but the array in st.npy has 101, which implies --n-fft 200 or 201$"),
        (["--hop", "300", "--n-fft", "200"], r"error: --hop 300 must be <= --n-fft 200: a larger hop skips samples$"),
        (["--hop", "50", "--n-fft", "150", "--win-length", "200"], r"error: --n-fft 150 must be >= --win-length 200$"),
        (["--hop", "50", "--n-fft", "200", "--length", "3000"],
         r"error: --length 3000 gives \d+ slices with --hop 50 and --n-fft 200, but the array in st.npy has \d+: check --length$"),
        (["--hop", "50", "--n-fft", "200", "-P", "p_min=1.5"], r"error: -P p_min=1.5 must be a whole number"),
        (["--hop", "50", "--n-fft", "200", "-P", "fft_mode=bad"], r"error: -P fft_mode='bad' is unknown"),
        (["--hop", "50", "--n-fft", "200", "-P", "fft_mode=onesided2X"], r"error: -P fft_mode='onesided2X' needs -P scale_to="),
        (["--hop", "50", "--n-fft", "200", "-P", "phase_shift=x"], r"error: -P phase_shift='x' must be an integer"),
        (["--hop", "50", "--n-fft", "200", "-P", "win=3"], r"error: -P win=\.\.\. and --n-fft both set the window; give it once"),
        (["--hop", "50", "-P", "win=3"], r"error: -P win= must be a 1-D window array"),
        (["--hop", "300", "-P", "win=[0,1,1,0]"], r"error: --hop 300 must be <= the length of -P win=, 4: "),
        (["--hop", "50", "--n-fft", "200", "-P", "nperseg=200"], r"no keyword 'nperseg'.*window length.* is --n-fft\)$"),
    ]
    for flags, pattern in cases:
        result = run_in_process(["invert", "st.npy", "--from", "shorttimefft", *flags, *common], capsys)
        assert_usage_error(result, pattern)
        assert not re.search(r"(?<![-\w])(?<!default )(?<!-P )(mfft|hop|len\(win\)|p_min|fft_mode|phase_shift)=|check length", result.stderr), result.stderr
    warned = run_in_process(["invert", "st.npy", "--from", "shorttimefft", "--hop", "50", "--n-fft", "200", "-P", "k_offset=300",
                             "--force", *common], capsys)
    assert warned.returncode == 0, warned.stderr
    assert "gl: warning: slice -1 (scipy's default p_min) with -P k_offset=300: the first slice starts at sample 150" in warned.stderr
    low = run_in_process(["invert", "st.npy", "--from", "shorttimefft", "--hop", "200", "--n-fft", "200", "--window", "hamming",
                          "--force", *common], capsys)
    assert "gl: warning: --hop 200 with this window leaves" in low.stderr
    build_parser = cli.build_parser()
    invert = next(a for a in build_parser._actions if isinstance(a, argparse._SubParsersAction)).choices["invert"]
    text = invert.format_help()
    assert "shorttimefft: the window's length" in " ".join(text.split())


def test_the_array_is_named_as_the_file_after_the_first_clause_too(tmp_path, monkeypatch, capsys):
    """'...; Sxx must be laid out (..., n_freq, n_frames)', 'if Sxx is (frames, bins)', 'if Sxx was
    made without it': said of the file's array ('the array in tr.npy'), as the messages that start
    with it are; they named Sxx, a name the user never gave."""
    scipy_signal = pytest.importorskip("scipy.signal")
    monkeypatch.chdir(tmp_path)
    x = np.random.default_rng(0).standard_normal(16000)
    f, t, Sxx = scipy_signal.spectrogram(x, 16000, nperseg=512)
    np.save("tr.npy", Sxx.T)
    np.savez("tt.npz", f=f, t=t[: f.size], Sxx=Sxx.T[:, : f.size], fs=16000)
    np.savez("ok.npz", f=f, t=t, Sxx=Sxx, fs=16000)
    common = ["-o", "out.wav", "-q", "--n-iter", "2"]
    laid_out = run_in_process(["invert", "tr.npy", "--from", "scipy", "--sr", "16000", "--n-fft", "512", "--hop", "448", *common], capsys)
    assert_usage_error(laid_out, r"; the array in tr\.npy must be laid out \(\.\.\., n_freq, n_frames\)",
                       r"if the array in tr\.npy is \(frames, bins\), save its transpose")
    axes = run_in_process(["invert", "tt.npz", "--from", "scipy", *common], capsys)
    assert_usage_error(axes, r"if the array in tt\.npz is \(frames, bins\), transpose it")
    warned = run_in_process(["invert", "ok.npz", "--from", "scipy", *common], capsys)
    assert "give -P detrend=False if the array in ok.npz was made without it" in warned.stderr
    for result in (laid_out, axes, warned):
        assert not re.search(r"\bSxx\b(?!\.T)", result.stderr), result.stderr


# ----------------------------------------------------------------- the parser's checks and defaults
def parsed(*words: str) -> argparse.Namespace:
    """``gl WORDS`` as the parser reads them (no command run)."""
    return cli.build_parser().parse_args(list(words))


ROUNDTRIP = ["roundtrip", "in.wav", "-o", "out.wav"]
INVERT = ["invert", "spec.npy", "-o", "out.wav"]


@pytest.mark.parametrize("words, message", [
    # a whole number's smallest value is named in the message, as typed (a --hop 0 went on to the library)
    ([*ROUNDTRIP, "--hop", "0"], r"argument --hop: 0 must be >= 1"),
    ([*ROUNDTRIP, "--n-fft", "0"], r"argument --n-fft: 0 must be >= 1"),
    ([*INVERT, "--length", "0"], r"argument --length: 0 must be >= 1"),
    ([*ROUNDTRIP, "--seed", "-1"], r"argument --seed: -1 must be >= 0"),
    # a positive number: not 0, not infinite, not NaN
    ([*INVERT, "--sr", "0"], r"argument --sr: 0 must be a finite number > 0"),
    ([*INVERT, "--sr", "inf"], r"argument --sr: inf must be a finite number > 0"),
    ([*INVERT, "--power", "nan"], r"argument --power: nan must be a finite number > 0"),
    ([*ROUNDTRIP, "--block-seconds", "0"], r"argument --block-seconds: 0 must be a finite number > 0"),
    # an option without '=' is no NAME=VALUE
    ([*ROUNDTRIP, "-O", "momentum"], r"argument -O/--option: 'momentum' must look like NAME=VALUE, e.g. momentum=0.99"),
    ([*INVERT, "-P", "=3"], r"argument -P/--param: '=3' must look like NAME=VALUE"),
])
def test_a_flag_value_out_of_its_range_is_refused_as_it_is_parsed(words, message):
    with pytest.raises(cli.UsageError) as refused:
        parsed(*words)
    assert re.fullmatch(message + rf"(, e\.g\. momentum=0\.99)? \(see gl {words[0]} --help\)", str(refused.value)), str(refused.value)


def test_flag_values_are_read_as_their_help_says():
    # the smallest values accepted: --n-iter 0 (no iterations), --seed 0, --hop 1
    args = parsed(*ROUNDTRIP, "--n-iter", "0", "--seed", "0", "--hop", "1", "--n-fft", "1")
    assert (args.n_iter, args.seed, args.hop, args.n_fft) == (0, 0, 1, 1)
    assert parsed(*INVERT, "--sr", "0.5").sr == 0.5
    # -O NAME=VALUE: a Python literal, or else the text; true/false/none in any case; '-' in a name is '_'
    options = parsed(*ROUNDTRIP, "-O", "n-threads=2", "-O", "a=NONE", "-O", "b=False", "-O", "c='x'", "-O", "d=hann",
                     "-O", "e=1e-3").option
    assert options == [("n_threads", 2), ("a", None), ("b", False), ("c", "x"), ("d", "hann"), ("e", 0.001)]
    assert type(options[0][1]) is int and options[1][1] is None and options[2][1] is False
    # --window NAME,PARAM or NAME:PARAM, the parameter a float as typed
    for spec in ("kaiser,8.5", "kaiser:8.5", " kaiser : 8.5"):
        assert parsed(*ROUNDTRIP, "--window", spec).window == ("kaiser", 8.5)
    assert parsed(*ROUNDTRIP, "--window", " hann ").window == "hann"


def test_the_defaults_are_the_ones_the_help_and_the_library_state():
    args = parsed(*ROUNDTRIP)
    assert (args.seed, args.subtype, args.force, args.normalize, args.peak_db, args.method, args.tol) == (0, "PCM_16", False, False, None, None, None)
    cli._check_retrieval_args(args)
    # the iterations of the default method's own default (gl.difference_map_fgla's) and RTISI-LA's per frame (gl.rtisila's)
    assert gl.reconstruct.DEFAULT_METHOD == "dm_fgla"
    assert args.n_iter == inspect.signature(gl.difference_map_fgla).parameters["n_iter"].default == 100
    rtisila = parsed(*ROUNDTRIP, "--method", "rtisila")
    cli._check_retrieval_args(rtisila)
    assert rtisila.n_iter == inspect.signature(gl.rtisila).parameters["n_iter_per_frame"].default == 5
    assert parsed(*INVERT).convention is None and parsed(*INVERT).param == []


def test_parsed_checks_of_the_retrieval_flags_take_their_bounds():
    # --peak-db: dBFS, 0 (full scale) the highest; --tol strictly between 0 and 1
    for words in (["--normalize", "--peak-db", "0"], ["--tol", "1e-300"], ["--tol", "0.999"]):
        cli._check_retrieval_args(parsed(*ROUNDTRIP, *words))
    for words, message in ((["--normalize", "--peak-db=1e-9"], r"--peak-db 1e-09 must be a finite number <= 0"),
                           (["--peak-db=-3"], r"--peak-db -3 sets the peak of --normalize; add --normalize"),
                           (["--tol", "0"], r"--tol 0.0 must be between 0 and 1"),
                           (["--tol", "1"], r"--tol 1.0 must be between 0 and 1")):
        with pytest.raises(cli.UsageError, match=rf"^{message}"):
            cli._check_retrieval_args(parsed(*ROUNDTRIP, *words))


# ----------------------------------------------------------------- the command's defaults and refusals (mutation audit, part 2)
def test_default_n_fft_at_low_sample_rates_is_at_least_16():
    # the power of two nearest 50 ms would be 4 samples at 100 Hz and 8 at 200 Hz: gl never goes below 16 (default_n_fft's
    # docstring and --n-fft's help say so); from 400 Hz up it is the nearest power of two itself
    nearest = [2 ** round(np.log2(0.05 * sr)) for sr in (100, 200, 400, 700, 1000)]
    assert nearest == [4, 8, 16, 32, 64]
    assert [cli.default_n_fft(sr) for sr in (100, 200, 400, 700, 1000)] == [16, 16, 16, 32, 64]


def test_an_existing_output_is_refused_before_the_retrieval(tmp_path, monkeypatch, capsys):
    # "never replaces an existing file without --force": and says so before any work, not after the retrieval
    sf.write(str(tmp_path / "in.wav"), np.zeros(800), 8000, subtype="PCM_16")
    (tmp_path / "out.wav").write_bytes(b"do not lose me")
    monkeypatch.chdir(tmp_path)
    retrievals = []
    monkeypatch.setattr(cli, "_retrieve", lambda *a, **k: retrievals.append(a) or pytest.fail("retrieval ran"))
    refused = run_in_process(["roundtrip", "in.wav", "-o", "out.wav"], capsys)
    assert_usage_error(refused, r"^gl roundtrip: error: out\.wav already exists; use --force to overwrite it or choose another name$")
    assert retrievals == [] and (tmp_path / "out.wav").read_bytes() == b"do not lose me"


def test_gl_demo_replaces_its_own_files_but_not_an_existing_plot(tmp_path, monkeypatch, capsys):
    # the module's docstring: gl demo replaces its own two files; a --plot file is the user's and needs --force,
    # refused before the retrieval (matplotlib, an optional extra, is not needed to get there)
    monkeypatch.setattr(cli, "_check_plot_available", lambda args: None)
    (tmp_path / "picture.png").write_bytes(b"my picture")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_retrieve", lambda *a, **k: pytest.fail("retrieval ran"))
    refused = run_in_process(["demo", "-o", ".", "--plot", "picture.png"], capsys)
    assert_usage_error(refused, r"^gl demo: error: picture\.png already exists; use --force to overwrite it or choose another name$")
    assert (tmp_path / "picture.png").read_bytes() == b"my picture"


def test_shorttimefft_window_defaults_to_scipys_periodic_hann():
    # --window's help: "default: hann; ... shorttimefft: the win array, periodic as scipy.signal.get_window makes it"
    scipy_signal = pytest.importorskip("scipy.signal")
    args = parsed(*INVERT, "--from", "shorttimefft", "--n-fft", "64", "--hop", "16", "--sr", "8000")
    keywords = cli._importer_keywords(gl.importers.CONVENTIONS["shorttimefft"], args, "spec.npy")
    np.testing.assert_allclose(keywords["win"], scipy_signal.get_window("hann", 64), rtol=0, atol=1e-12)
    # periodic: w[k] = 0.5 - 0.5 cos(2 pi k / 64), so w[32] = 1 and the last sample is not 0 (a symmetric hann's is)
    assert keywords["win"][32] == pytest.approx(1) and keywords["win"][-1] == pytest.approx(0.5 - 0.5 * np.cos(2 * np.pi * 63 / 64))


def test_gl_without_a_command_prints_its_help_and_is_a_usage_error(capsys):
    # "Exit status: ... 2 for a mistake": gl alone names no command
    status = cli.main([])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.startswith("usage: gl ") and "Exit status: 0 when done; 2 for a mistake" in " ".join(captured.err.split())


def test_rtisila_takes_an_init_where_a_single_pass_does_not():
    # --init's help: "rtisila starts from its own overlap-add estimate unless --init is given"; pghi makes its own phase
    assert cli._check_retrieval_args(parsed(*ROUNDTRIP, "--method", "rtisila", "--init", "random")) == ("rtisila", "random", {})
    with pytest.raises(cli.UsageError, match=r"^--init does not apply to --method pghi, which makes its own phase in one pass; "
                                             r"to iterate from it use --method fgla --init pghi$"):
        cli._check_retrieval_args(parsed(*ROUNDTRIP, "--method", "pghi", "--init", "random"))


@pytest.mark.parametrize("name, flag", [("sym", None), ("window", "--window"), ("n_fft", "--n-fft"), ("fade_edges", "--no-edge-fade"),
                                        ("length", "--length"), ("rng", "--seed"), ("center", "--center or --no-center"),
                                        ("n_iter_per_frame", "--n-iter, RTISI-LA's iterations per frame")])
def test_the_geometrys_keywords_are_no_method_options(name, flag):
    # the window's symmetry, like its name and size, is the geometry's, which gl's flags and the input set;
    # where a flag sets it, the words name the flag (they said only 'see --help')
    where = re.escape(f"({flag}; see --help)" if flag else "(see --help)")
    with pytest.raises(cli.UsageError, match=rf"^-O {name}=\.\.\.: {name} is not a method option; gl's own flags or the "
                                             rf"input set it {where}$"):
        cli._check_retrieval_args(parsed(*ROUNDTRIP, "-O", f"{name}=1"))


def test_torchaudios_default_hop_of_a_win_length_is_half_of_it(tmp_path, monkeypatch, capsys):
    # torchaudio.transforms.Spectrogram: hop_length defaults to win_length // 2 (librosa's, win_length // 4, is pinned above)
    np.save(tmp_path / "bare.npy", np.ones((257, 40)))
    monkeypatch.chdir(tmp_path)
    refused = run_in_process(["invert", "bare.npy", "-o", "out.wav", "--from", "torchaudio", "--sr", "8000", "--win-length", "300"], capsys)
    assert_usage_error(refused, r"^gl invert: error: bare\.npy is a bare array: give its hop with --hop \(samples between frames; a "
                                r"wrong hop changes the tempo; torchaudio's default is win_length // 2, 150 for win_length 300\)$")


def test_a_hop_as_long_as_the_frames_the_rows_imply_is_no_mistake(tmp_path, monkeypatch, capsys):
    # 257 rows imply n_fft 512: a hop of 512 (rectangular windows side by side, noverlap 0) is a valid STFT, one more is not
    np.save(tmp_path / "bare.npy", np.ones((257, 6)))
    monkeypatch.chdir(tmp_path)
    common = ["--from", "librosa", "--sr", "8000", "--window", "boxcar", "--n-iter", "1"]
    done = run_in_process(["invert", "bare.npy", "-o", "out.wav", *common, "--hop", "512"], capsys)
    assert done.returncode == 0, done.stderr
    assert re.search(r"geometry +n_fft 512, hop 512, win_length 512, rectangular window", done.stdout), done.stdout
    assert sf.info("out.wav").frames == 512 * 5  # librosa's length for 6 centred frames: hop * (frames - 1)
    refused = run_in_process(["invert", "bare.npy", "-o", "out2.wav", *common, "--hop", "513"], capsys)
    assert_usage_error(refused, r"^gl invert: error: --hop 513 is longer than the frames of bare\.npy: its 257 rows imply "
                                r"--n-fft 512; give the --n-fft it was made with, or check --hop$")


def test_an_npz_of_scipys_f_without_a_rate_says_the_rate_f_implies(tmp_path, monkeypatch, capsys):
    # np.savez("spec.npz", f=f, t=t, Sxx=Sxx) after spectrogram(x, 16000) (defaults): the rate is not stored, but f's
    # spacing says it for each FFT size its rows allow; the message said 'a bare array' and nothing of the rate
    scipy_signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(0).standard_normal(4000)
    f, t, Sxx = scipy_signal.spectrogram(x, 16000)
    np.savez(tmp_path / "spec.npz", f=f, t=t, Sxx=Sxx)
    monkeypatch.chdir(tmp_path)
    refused = run_in_process(["invert", "spec.npz", "--from", "scipy", "-o", "out.wav"], capsys)
    assert_usage_error(refused, r"^gl invert: error: spec\.npz holds no sample rate: give it with --sr \(in Hz; the f in "
                                r"spec\.npz steps by 62\.5 Hz over 129 rows, which means --sr 16000 for nfft 256, "
                                r"--sr 16062\.5 for nfft 257\)$")
    assert not (tmp_path / "out.wav").exists()
    np.save(tmp_path / "bare.npy", Sxx)  # a bare array has no f: as it was
    refused = run_in_process(["invert", "bare.npy", "--from", "scipy", "-o", "out.wav"], capsys)
    assert_usage_error(refused, r"^gl invert: error: bare\.npy is a bare array: give its sample rate with --sr \(in Hz\)$")
