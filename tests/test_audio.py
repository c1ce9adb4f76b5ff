"""gl.audio: reading, PCM conversion, atomic writes that never lose data."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sf = pytest.importorskip("soundfile")

import gl  # noqa: E402
from gl.audio import (  # noqa: E402
    SUBTYPES,
    ClippingWarning,
    TruncatedAudioWarning,
    atomic_output,
    audio_format,
    check_output_path,
    read_audio,
    to_pcm,
    write_audio,
)

from .conftest import checkout_env, corpus_file, traced_peak  # noqa: E402


def tone(n=4000, channels=1, amplitude=0.5, sr=8000):
    t = np.arange(n) / sr
    return np.stack([amplitude * np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)])


# ----------------------------------------------------------------------------- reading
def test_read_audio_is_channels_first_float():
    x, sr = read_audio(corpus_file("dev", "d06_env_cineboom_stereo_44k.flac"))
    assert sr == 44100 and x.ndim == 2 and x.shape[0] == 2 and x.dtype == np.float64
    reference, _ = sf.read(str(corpus_file("dev", "d06_env_cineboom_stereo_44k.flac")))
    np.testing.assert_array_equal(x, reference.T)
    y, _ = read_audio(corpus_file("dev", "d01_speech_arctic-slt_16k.flac"), dtype=np.float32)
    assert y.shape[0] == 1 and y.dtype == np.float32
    assert 0.85 < np.max(np.abs(y)) < 0.9  # peak-normalised to -1 dBFS


def test_read_audio_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_audio(tmp_path / "missing.wav")
    with pytest.raises(ValueError, match="is a folder"):
        read_audio(tmp_path)
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 20)
    with pytest.raises(ValueError, match="not an audio file gl can read"):
        read_audio(text)
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="not an audio file"):
        read_audio(empty)
    silent = tmp_path / "nothing.wav"
    sf.write(str(silent), np.zeros((0, 1)), 8000)
    with pytest.raises(ValueError, match="holds no samples"):
        read_audio(silent)


def test_read_audio_beyond_the_dtype_range(tmp_path):
    """A DOUBLE file's finite samples beyond float32 are named as such (not as NaN or infinite),
    and read in float64; a file that holds an infinity is one."""
    wide = tmp_path / "wide.wav"
    samples = np.array([0.5, -2e300, 1e-3, 0.0])
    sf.write(str(wide), samples, 8000, subtype="DOUBLE")
    with pytest.raises(ValueError, match=r"samples up to 2e\+300, beyond float32's range .*dtype=np.float64"):
        read_audio(wide, dtype=np.float32)
    x, _ = read_audio(wide)
    np.testing.assert_array_equal(x[0], samples)
    infinite = tmp_path / "infinite.wav"
    sf.write(str(infinite), np.array([0.5, np.inf, 0.0]), 8000, subtype="DOUBLE")
    for dtype in (np.float32, np.float64):
        with pytest.raises(ValueError, match="holds NaN or infinite samples"):
            read_audio(infinite, dtype=dtype)



def _cut(path: Path, keep: float) -> Path:
    """A copy of ``path`` with only its first ``keep`` of bytes, as an interrupted download leaves it."""
    data = path.read_bytes()
    cut = path.with_name("cut_" + path.name)
    cut.write_bytes(data[: int(len(data) * keep)])
    return cut


@pytest.mark.parametrize("file_format, subtype", [
    ("WAV", "PCM_16"), ("WAV", "PCM_24"), ("WAV", "FLOAT"), ("WAV", "ULAW"), ("WAV", "IMA_ADPCM"),
    ("WAV", "MS_ADPCM"), ("WAVEX", "PCM_24"), ("RF64", "PCM_16"), ("W64", "PCM_16"), ("AIFF", "PCM_16"),
])
def test_read_audio_warns_of_a_truncated_file(tmp_path, file_format, subtype):
    """A file cut short (its header promises more than it holds) was read as the shorter signal
    without a word: libsndfile only logs it. N and M as libsndfile counts the whole and the cut file."""
    whole = tmp_path / f"{file_format}_{subtype}.wav"
    sf.write(str(whole), tone(10000, channels=2).T, 8000, format=file_format, subtype=subtype)
    cut = _cut(whole, 0.6)
    promised, held = sf.info(str(whole)).frames, sf.info(str(cut)).frames
    assert held < promised
    with pytest.warns(TruncatedAudioWarning) as caught:
        x, sr = read_audio(cut)
    assert len(caught) == 1
    assert str(caught[0].message) == (f"{cut} is cut short: its header says {promised} samples per channel, it holds {held}; "
                                      "the rest is missing (the file was truncated)")
    assert x.shape == (2, held) and sr == 8000  # what it holds is still read
    assert issubclass(TruncatedAudioWarning, UserWarning)


def test_read_audio_a_file_cut_within_its_last_sample(tmp_path):
    """One byte short is cut short; odd sizes: an 8-bit mono file of 1001 samples without the
    byte that pads its data chunk to an even size is whole."""
    path = tmp_path / "u8.wav"
    sf.write(str(path), tone(1001)[0], 8000, subtype="PCM_U8")
    data = path.read_bytes()
    assert data[36:44] == b"data" + (1001).to_bytes(4, "little")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_audio(path)
        path.write_bytes(data[:44 + 1001])  # no pad byte
        assert read_audio(path)[0].shape == (1, 1001)
    path.write_bytes(data[:44 + 1000])
    with pytest.warns(TruncatedAudioWarning, match=r"says 1001 samples per channel, it holds 1000;"):
        read_audio(path)


@pytest.mark.parametrize("size", [0xFFFFFFFF, 0x7FFFFFFF])
def test_read_audio_a_streamed_header_is_no_truncation(tmp_path, size):
    """A writer to a pipe cannot go back to write the length: it leaves 0xFFFFFFFF (or arecord's
    and SoX's 2 GiB) in the header, which promises nothing; the file is read without a warning."""
    path = tmp_path / "streamed.wav"
    sf.write(str(path), tone(1000).T, 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    assert data[36:40] == b"data"
    data[4:8] = data[40:44] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x, _ = read_audio(path)
    assert x.shape == (1, 1000)


def test_read_audio_does_not_warn_of_valid_files(tmp_path):
    """No warning for any file of the corpus, any common subtype soundfile writes (a file longer
    than its data chunk too: a chunk after it), or what write_audio writes."""
    paths = [corpus_file("reference", name) for name in ("gspi.wav", "greasy.wav")]
    paths += sorted(corpus_file("dev", "MANIFEST.md").parent.glob("*.flac"))
    x = tone(1001, channels=2)
    for subtype in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE", "ULAW", "ALAW", "IMA_ADPCM", "MS_ADPCM"):
        for n in (1000, 1001):
            paths.append(tmp_path / f"{subtype}_{n}.wav")
            sf.write(str(paths[-1]), x[:, :n].T, 8000, subtype=subtype)
    for file_format in ("WAVEX", "RF64", "W64", "AIFF"):
        paths.append(tmp_path / f"{file_format}.wav")
        sf.write(str(paths[-1]), x.T, 8000, format=file_format)
    trailing = tmp_path / "trailing.wav"
    trailing.write_bytes((tmp_path / "PCM_16_1000.wav").read_bytes() + b"LIST" + (4).to_bytes(4, "little") + b"INFO")
    paths.append(trailing)
    for subtype in SUBTYPES:
        paths.append(write_audio(tmp_path / f"written_{subtype}.wav", x, 8000, subtype=subtype).path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in paths:
            read_audio(path)

def test_read_audio_without_soundfile(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "soundfile", None)
    with pytest.raises(ImportError, match="pip install soundfile"):
        read_audio(tmp_path / "any.wav")


# ----------------------------------------------------------------------------- PCM
def test_to_pcm_rounds_clips_and_counts():
    x = np.array([0.0, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768, 0.5, -1.0, 1.0, 2.0, -3.0])
    codes, clipped = to_pcm(x, 16)
    assert codes.dtype == np.int16
    assert codes.tolist() == [0, 0, 1, -1, 16384, -32768, 32767, 32767, -32768]
    assert clipped == 2  # 2.0 and -3.0; 1.0 (32768, one code too high) is the largest code, not counted
    codes, clipped = to_pcm(np.array([1.0, -1.0, 32767.5 / 32768, 1.0 + 2.0**-52, -1.0 - 2.0**-52]), 16)
    assert codes.tolist() == [32767, -32768, 32767, 32767, -32768] and clipped == 2  # beyond full scale: counted
    codes24, clipped24 = to_pcm(np.array([0.5, 1 / 2**23, 1.5]), 24)
    assert codes24.dtype == np.int32 and clipped24 == 1
    assert (codes24 >> 8).tolist() == [2**22, 1, 2**23 - 1]
    with pytest.raises(ValueError, match="bits=8 must be 16 or 24"):
        to_pcm(x, 8)


@pytest.mark.parametrize("subtype, step", [("PCM_16", 2.0**-15), ("PCM_24", 2.0**-23), ("FLOAT", 1e-7)])
@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_write_read_roundtrip(tmp_path, subtype, step, suffix):
    if suffix == ".flac" and subtype == "FLOAT":
        pytest.skip("FLAC holds integers only (tested below)")
    x = tone(channels=3)
    path = tmp_path / f"out{suffix}"
    result = write_audio(path, x, 8000, subtype=subtype)
    assert result.clipped == 0 and result.gain == 1.0
    info = sf.info(str(path))
    assert info.subtype == subtype and info.channels == 3 and info.samplerate == 8000 and info.frames == x.shape[1]
    y, sr = read_audio(path)
    assert sr == 8000 and y.shape == x.shape
    assert np.max(np.abs(y - x)) <= step  # half a step of rounding (float32: relative 6e-8)
    for c in range(3):  # channels stay in place, not interleaved wrongly
        assert np.corrcoef(y[c], x[c])[0, 1] > 0.9999


def test_clipping_warning_says_how_many(tmp_path):
    x = tone(n=1000, amplitude=1.0)
    x[0, :10] = 1.5
    expected = int(np.count_nonzero(np.abs(x) > 1.0))
    with pytest.warns(ClippingWarning, match=rf"^{expected} of 1000 samples clipped"):
        result = write_audio(tmp_path / "loud.wav", x, 8000)
    assert result.clipped == expected >= 10
    y, _ = read_audio(tmp_path / "loud.wav")
    assert np.max(y) == 32767 / 32768 and np.min(y) >= -1.0  # clipped, not wrapped around
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert write_audio(tmp_path / "float.wav", x, 8000, subtype="FLOAT").clipped == 0
    np.testing.assert_allclose(read_audio(tmp_path / "float.wav")[0], x, rtol=1e-6)


@pytest.mark.parametrize("failure", ["exists", "no folder", "no soundfile"])
def test_a_write_that_cannot_happen_fails_before_any_clipping_warning(tmp_path, monkeypatch, failure):
    """``write_audio`` of loud samples to a path it cannot write: the error, and no
    ClippingWarning. The samples were converted (and "N samples clipped writing out.wav"
    said) before the output path was checked or soundfile imported, so a write that never
    happened (the file exists, its folder does not, soundfile is not installed) warned about
    a file it did not write, and turned into that warning under an error filter."""
    x = np.full(100, 3.0)
    path = tmp_path / ("missing" if failure == "no folder" else ".") / "out.wav"
    if failure == "exists":
        path.write_bytes(b"")
    if failure == "no soundfile":
        monkeypatch.setitem(sys.modules, "soundfile", None)
    error = {"exists": FileExistsError, "no folder": ValueError, "no soundfile": ImportError}[failure]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error):
            write_audio(path, x, 8000)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out.wav"] if failure == "exists" else [])


def test_normalize_scales_the_peak(tmp_path):
    x = tone(n=2000, channels=2, amplitude=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = write_audio(tmp_path / "n.wav", x, 8000, normalize=True)
    assert result.clipped == 0
    y, _ = read_audio(tmp_path / "n.wav")
    assert abs(20 * np.log10(np.max(np.abs(y))) - (-1.0)) < 0.01
    np.testing.assert_allclose(y, x * result.gain, atol=2.0**-15)
    write_audio(tmp_path / "n6.wav", x, 8000, normalize=True, peak_db=-6.0)
    assert abs(20 * np.log10(np.max(np.abs(read_audio(tmp_path / "n6.wav")[0]))) + 6.0) < 0.01
    with pytest.raises(ValueError, match=r"peak_db=3.0 must be <= 0 dBFS"):
        write_audio(tmp_path / "bad.wav", x, 8000, normalize=True, peak_db=3.0)


def test_normalize_to_0_dbfs_stops_at_the_largest_pcm_code(tmp_path):
    """0 dBFS is one step above PCM's largest code: normalize scales the peak to that code,
    32767 / 32768 of full scale, so that a negative peak is -32767 as the positive one is
    32767 (scaled to 1.0 it would be -32768, and the file's peaks unequal), nothing clipped."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = write_audio(tmp_path / "full.wav", np.array([0.8, -0.8, 0.4, 0.0]), 8000, normalize=True, peak_db=0.0)
    assert (result.clipped, result.peak) == (0, 32767 / 32768)
    codes, _ = read_audio(tmp_path / "full.wav", dtype=np.int16)
    assert codes.tolist() == [[32767, -32767, 16384, 0]]  # 0.5 * 32767 = 16383.5 rounds to even


def test_normalize_warns_of_silence_from_half_a_pcm_step_down(tmp_path):
    """A peak_db whose peak is below half of PCM_16's step (2**-16, -96.3 dBFS) rounds every
    sample to 0: warned; between half a step and a step (-93 dBFS: 0.73 of a step) the peak
    rounds to code 1, no silence, no warning."""
    x = tone(n=800)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_audio(tmp_path / "quiet.wav", x, 8000, normalize=True, peak_db=-93.0)
    assert np.max(np.abs(read_audio(tmp_path / "quiet.wav", dtype=np.int16)[0])) == 1
    with pytest.warns(UserWarning, match=r"^peak_db=-97 is below half of PCM_16's smallest step \(-90.3 dBFS\): every sample rounds to 0"):
        write_audio(tmp_path / "silent.wav", x, 8000, normalize=True, peak_db=-97.0)
    assert not np.any(read_audio(tmp_path / "silent.wav", dtype=np.int16)[0])


def test_write_audio_bad_input(tmp_path):
    x = tone()
    with pytest.raises(ValueError, match=r"subtype='PCM_8' is unknown"):
        write_audio(tmp_path / "a.wav", x, 8000, subtype="PCM_8")
    with pytest.raises(ValueError, match=r"gl writes WAV and FLAC files.*a.mp3.*extension ..mp3.*name it .*a.wav or .*a.flac"):
        write_audio(tmp_path / "a.mp3", x, 8000)
    with pytest.raises(ValueError, match="FLAC cannot hold FLOAT"):
        write_audio(tmp_path / "a.flac", x, 8000, subtype="FLOAT")
    bad = x.copy()
    bad[0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        write_audio(tmp_path / "a.wav", bad, 8000)
    with pytest.raises(ValueError, match="sample_rate=0 must be a positive whole number of Hz"):
        write_audio(tmp_path / "a.wav", x, 0)
    with pytest.raises(ValueError, match=r"shape \(channels, n\)"):
        write_audio(tmp_path / "a.wav", np.zeros((1, 2, 3)), 8000)
    with pytest.raises(TypeError, match="real array of samples"):
        write_audio(tmp_path / "a.wav", x.astype(complex), 8000)
    assert list(tmp_path.iterdir()) == []
    assert audio_format("A.WAV") == "WAV"


# ----------------------------------------------------------------------------- never lose data
def test_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "keep.wav"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="already exists; use --force"):
        write_audio(path, tone(), 8000)
    assert path.read_bytes() == b"precious"
    write_audio(path, tone(), 8000, force=True)
    assert sf.info(str(path)).frames == 4000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.wav"]


def test_output_path_checks(tmp_path):
    with pytest.raises(ValueError, match="output folder .* does not exist; create it"):
        check_output_path(tmp_path / "no" / "such" / "out.wav")
    with pytest.raises(ValueError, match="is a folder; give a file name"):
        check_output_path(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        check_output_path(tmp_path / "file" / "out.wav")
    if os.path.isdir("/proc"):  # Linux: /proc takes no new files, even from root
        with pytest.raises(OSError):
            write_audio("/proc/gl-test-output.wav", tone(), 8000)
        assert not os.path.exists("/proc/gl-test-output.wav")


def partial_writer(exception):
    """A soundfile.write that writes part of the file, then fails like a full disk or Ctrl-C."""

    def write(file, data, samplerate, subtype=None, format=None, **kwargs):
        with open(file, "wb") as handle:
            handle.write(b"RIFF\x00\x10\x00\x00WAVEfmt " + b"\x00" * 4096)
        raise exception

    return write


@pytest.mark.parametrize("exception", [OSError(28, "No space left on device"), KeyboardInterrupt()])
@pytest.mark.parametrize("force", [False, True])
def test_no_partial_file_when_writing_fails(tmp_path, monkeypatch, exception, force):
    existing = tmp_path / "old.wav"
    write_audio(existing, tone(amplitude=0.25), 8000)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    monkeypatch.setattr(sf, "write", partial_writer(exception))
    for target in ("new.wav", "old.wav") if force else ("new.wav",):
        with pytest.raises(type(exception)):
            write_audio(tmp_path / target, tone(), 8000, force=force)
        after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        assert after == before  # no new file, no temporary file, the old file intact


def test_atomic_output_never_replaces_a_file_that_appears_meanwhile(tmp_path):
    path = tmp_path / "race.txt"
    with pytest.raises(FileExistsError, match="already exists"):
        with atomic_output(path) as temporary:
            temporary.write_text("mine")
            path.write_text("theirs")  # someone else creates the file while we write
    assert path.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.txt"]


def test_files_published_together_that_cannot_be_put_back_are_named(tmp_path, monkeypatch):
    """When a rename of gl.audio._published_together fails and the undo of an earlier one fails
    too, the error says which file stays new and where its old file is kept."""
    (tmp_path / "a.txt").write_text("old a")
    real_replace = os.replace

    def replace(source, destination):
        if Path(destination).name == "b.txt" or ".prev" in Path(source).name:  # b's publication, and a's undo
            raise OSError(errno.EIO, "Input/output error", os.fspath(destination))
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match=r"^\[Errno 5\] Input/output error; and these could not be put "
                                      r"back as they were: .*a\.txt \(Input/output error; the old file is .*/\.a\.\w+\.prev\.txt\)"):
        with gl.audio._published_together():
            for name in ("a.txt", "b.txt"):
                with atomic_output(tmp_path / name, force=True) as temporary:
                    temporary.write_text("new")
    (kept,) = tmp_path.glob(".a.*.prev.txt")
    assert (tmp_path / "a.txt").read_text() == "new" and kept.read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.txt", kept.name])


def test_atomic_output_temporary_is_hidden_beside_the_target(tmp_path):
    with atomic_output(tmp_path / "spec.npz") as temporary:
        assert temporary.parent == tmp_path and temporary.name.startswith(".spec.") and temporary.suffix == ".npz"
        np.savez(temporary, a=np.arange(3))
    np.testing.assert_array_equal(np.load(tmp_path / "spec.npz")["a"], np.arange(3))
    assert [p.name for p in tmp_path.iterdir()] == ["spec.npz"]


def test_written_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_audio(tmp_path / "p.wav", tone(), 8000)
    finally:
        os.umask(old)
    assert (tmp_path / "p.wav").stat().st_mode & 0o777 == 0o644


def test_channels_last_audio_is_refused_with_the_fix(tmp_path):
    stereo_n2 = np.zeros((70000, 2))  # what soundfile.read returns
    with pytest.raises(ValueError, match=r"\(channels, n\).*pass x.T"):
        write_audio(tmp_path / "a.wav", stereo_n2, 8000)
    with pytest.raises(ValueError, match=r"\(channels, n\).*pass x.T"):
        write_audio(tmp_path / "b.wav", np.zeros((100, 2)), 8000)
    assert list(tmp_path.iterdir()) == []
    write_audio(tmp_path / "c.wav", np.zeros((4, 3)), 8000)  # 4 channels of 3 samples is fine
    with pytest.raises(ValueError, match=r"or channels_first=True if it is that many channels"):
        write_audio(tmp_path / "d.wav", np.zeros((20, 10)), 8000)
    with pytest.raises(TypeError, match=r"channels_first='yes' must be True or False"):
        write_audio(tmp_path / "d.wav", np.zeros((20, 10)), 8000, channels_first="yes")
    many = np.linspace(-0.5, 0.5, 200).reshape(20, 10)  # 20 channels of 10 samples, confirmed
    write_audio(tmp_path / "d.wav", many, 8000, channels_first=True, subtype="FLOAT")
    assert np.array_equal(read_audio(tmp_path / "d.wav")[0], many.astype(np.float32))
    for call in (lambda: gl.stft(stereo_n2, n_fft=2048), lambda: gl.Spectrogram.from_audio(stereo_n2, 8000, n_fft=512)):
        with pytest.raises(ValueError, match=r"time on the last axis.*pass x.T"):
            call()


def test_unreadable_input_says_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "locked.wav"
    write_audio(path, np.zeros(100), 8000)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # as for a file of mode 000 (root can read anything)
    with pytest.raises(PermissionError, match="locked.wav cannot be read \\(permission denied\\)"):
        read_audio(path)


def test_replacing_keeps_the_permissions_and_writes_through_links(tmp_path):
    private = tmp_path / "private.wav"
    write_audio(private, tone(), 8000)
    private.chmod(0o600)
    write_audio(private, tone(), 8000, force=True)
    assert private.stat().st_mode & 0o777 == 0o600  # not widened to the umask's 0o644
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.wav"
    link.symlink_to(tmp_path / "real" / "target.wav")  # dangling until written
    write_audio(link, tone(), 8000)
    assert link.is_symlink() and (tmp_path / "real" / "target.wav").stat().st_size > 100
    with pytest.raises(FileExistsError, match="target.wav already exists"):
        write_audio(link, tone(), 8000)
    write_audio(link, tone(), 8000, force=True)
    assert link.is_symlink()


def test_replacing_a_read_only_file(tmp_path, monkeypatch):
    """--force over one's own read-only file: the copy is flushed before it gets the 0o444
    mode (opened for writing after it, it failed for a user who is not root, naming the
    hidden temporary file)."""
    read_only = tmp_path / "r.wav"
    write_audio(read_only, tone(), 8000)
    read_only.chmod(0o444)
    events = []
    real_chmod, real_fsync = os.chmod, os.fsync
    monkeypatch.setattr(os, "chmod", lambda path, mode: (events.append(("chmod", mode)), real_chmod(path, mode))[1])
    monkeypatch.setattr(os, "fsync", lambda descriptor: (events.append(("fsync",)), real_fsync(descriptor))[1])
    write_audio(read_only, 0.5 * tone(), 8000, force=True)
    assert events == [("fsync",), ("chmod", 0o444)]
    assert read_only.stat().st_mode & 0o777 == 0o444 and len(list(tmp_path.iterdir())) == 1


def _as_windows(monkeypatch, replace_fails: bool = False) -> None:
    """Make os.replace and os.unlink refuse read-only files, as Windows does (POSIX lets the
    folder's permissions decide), and tell gl.audio it runs on Windows."""
    import stat

    real_replace, real_unlink = os.replace, os.unlink

    def refuse_read_only(path):
        if os.path.exists(path) and not os.stat(path).st_mode & stat.S_IWRITE:
            raise PermissionError(errno.EACCES, "Access is denied", str(path))

    def replace(source, target):
        refuse_read_only(target)
        if replace_fails:  # e.g. the old file is open in a player
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(target))
        real_replace(source, target)

    def unlink(path):
        refuse_read_only(path)
        real_unlink(path)

    monkeypatch.setattr(gl.audio, "_WINDOWS", True)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)


def test_replacing_a_read_only_file_on_windows(tmp_path, monkeypatch):
    """Windows refuses to replace a read-only file, and to delete the read-only temporary
    copy when that fails: --force replaces it as on POSIX (keeping the read-only mode), and a
    replacement that fails for another reason leaves the old file as it was and no
    temporary file, with the error that stopped it (not the clean-up's)."""
    read_only = tmp_path / "r.wav"
    write_audio(read_only, tone(), 8000)
    read_only.chmod(0o444)
    _as_windows(monkeypatch)
    write_audio(read_only, 0.5 * tone(), 8000, force=True)
    assert read_only.stat().st_mode & 0o777 == 0o444 and [p.name for p in tmp_path.iterdir()] == ["r.wav"]
    assert np.abs(read_audio(read_only)[0]).max() == pytest.approx(0.5 * np.abs(tone()).max(), abs=1e-3)
    before = read_only.read_bytes()
    monkeypatch.undo()
    _as_windows(monkeypatch, replace_fails=True)
    with pytest.raises(PermissionError, match="cannot access"):
        write_audio(read_only, tone(), 8000, force=True)
    assert read_only.read_bytes() == before and read_only.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["r.wav"]


def test_write_audio_takes_what_gl_hands_it(tmp_path):
    # a Spectrogram's sample rate is a float (8000.0); read_audio(dtype=np.int16) gives PCM codes;
    # normalising to 0 dBFS must not clip the largest PCM code
    import soundfile as sf

    x = tone()
    write_audio(tmp_path / "a.wav", x, 8000.0)
    with pytest.raises(ValueError, match="whole number of Hz"):
        write_audio(tmp_path / "b.wav", x, 8000.5)
    codes, rate = read_audio(tmp_path / "a.wav", dtype=np.int16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ClippingWarning: the codes are not read as samples of +-32767
        write_audio(tmp_path / "c.wav", codes, rate)
        written = write_audio(tmp_path / "d.wav", 3 * x, rate, normalize=True, peak_db=0.0)
    assert written.clipped == 0
    np.testing.assert_array_equal(sf.read(str(tmp_path / "c.wav"), dtype="int16")[0], sf.read(str(tmp_path / "a.wav"), dtype="int16")[0])
    with pytest.raises(TypeError, match="dtype uint8"):
        write_audio(tmp_path / "e.wav", np.zeros(10, np.uint8), 8000)


def test_a_name_too_long_for_the_temporary_file_is_refused_first(tmp_path):
    # the name itself fits (touch makes it), the hidden temporary beside it would not: say so before any work
    with pytest.raises(ValueError, match=r"the name is too long for the temporary file .*at most 240 bytes"):
        write_audio(tmp_path / ("b" * 245 + ".wav"), tone(), 8000)
    write_audio(tmp_path / ("b" * 236 + ".wav"), tone(), 8000)  # 240 bytes
    assert len(list(tmp_path.iterdir())) == 1


def test_name_lengths_are_counted_in_the_units_the_file_system_limits(tmp_path, monkeypatch):
    # 80 Chinese characters: 240 bytes in UTF-8 (with the temporary's 15, past Linux's 255),
    # 80 UTF-16 units (Windows allows 255 of them)
    name = "\u58f0" * 80 + ".wav"
    if not sys.platform.startswith("win"):
        with pytest.raises(ValueError, match=r"\(259 bytes, the folder allows 255\); choose a name of at most 240 bytes"):
            check_output_path(tmp_path / name, probe=False)
    monkeypatch.setattr(gl.audio, "_NAMES_IN_UTF16", True)
    monkeypatch.setattr(gl.audio.os, "pathconf", lambda *args: (_ for _ in ()).throw(AttributeError()), raising=False)
    assert check_output_path(tmp_path / name, probe=False) == tmp_path / name  # 99 units
    with pytest.raises(ValueError, match=r"\(264 UTF-16 units, the folder allows 255\); choose a name of at most 240 UTF-16 units"):
        check_output_path(tmp_path / ("\u58f0" * 245 + ".wav"), probe=False)
    assert gl.audio._name_length("\U0001f3b5") == 2  # (a character beyond the BMP is a surrogate pair)


def test_the_missing_folder_hint_is_a_command_for_the_platform_shell():
    assert gl.audio._make_folder_command(Path("runs/a b"), windows=False) == "mkdir -p 'runs/a b'"
    assert gl.audio._make_folder_command(Path("runs") / "a b", windows=True) == f'mkdir "{Path("runs") / "a b"}"'


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_a_failed_write_is_the_os_error_behind_it(tmp_path):
    """libsndfile reports a full disk as LibsndfileError('System error.'), without errno;
    gl raises the OSError behind it, as Spectrogram.save does, and leaves no file. A file
    size limit (EFBIG) stands in for a full disk (ENOSPC), in a child process. Found in an
    embedder's review."""
    script = f"""
import os, resource, signal
import numpy as np
import gl, gl.audio, gl.cli
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
folder = {str(tmp_path)!r}
x = 0.5 * np.sin(np.arange(200_000) / 5.0)
gl.audio.write_audio(os.path.join(folder, "in.wav"), x, 16000)
geometry = gl.STFT(512, 128)
S = np.abs(geometry.stft(x))
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.RLIM_INFINITY))
seen = []
for call in (lambda: gl.audio.write_audio(os.path.join(folder, "a.wav"), x, 16000),
             lambda: gl.reconstruct_long(S, geometry=geometry, n_iter=1, block_frames=200, overlap_frames=20,
                                         output=os.path.join(folder, "long.wav"), sr=16000)):
    try:
        call()
    except OSError as error:
        seen.append(error.errno)
print(seen, gl.cli.main(["roundtrip", os.path.join(folder, "in.wav"), "-o", os.path.join(folder, "o.wav"), "--n-iter", "1"]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=checkout_env())
    assert done.stdout.split("\n")[0] == f"[{errno.EFBIG}, {errno.EFBIG}] 2", done.stdout + done.stderr
    assert "o.wav: File too large" in done.stderr and "Traceback" not in done.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.wav"]  # no output, no temporary file


def test_other_libsndfile_errors_pass_unchanged(tmp_path):
    """Only libsndfile's system error (a failed write) is turned into the OSError behind it;
    any other keeps libsndfile's own error (a code review). What a format cannot hold (FLAC's
    8 channels, its 655350 Hz) is refused before anything is written."""
    from gl.audio import os_reason_of_write_errors

    with pytest.raises(sf.LibsndfileError, match="made up"):
        with os_reason_of_write_errors(tmp_path / "temporary.wav", tmp_path / "out.wav"):
            raise sf.LibsndfileError(1, "made up: ")  # code 1: not the system error (2)
    with pytest.raises(ValueError, match=r"nine.flac: a FLAC file holds at most 8 channels, not 9; write a .wav file"):
        write_audio(tmp_path / "nine.flac", np.zeros((9, 100)), 8000)
    with pytest.raises(ValueError, match=r"fast.flac: a FLAC file holds whole sample rates from 1 to 655350 Hz"):
        write_audio(tmp_path / "fast.flac", np.zeros(100), 700000)
    assert os.listdir(tmp_path) == []


def test_normalize_a_subnormal_peak(tmp_path):
    """A peak of 1e-320: target / peak overflowed, the samples became NaN and clipped, and
    gl invert --normalize --json failed on an inf gain. The gain is applied in two exact
    steps now (the reported gain is inf; the command line reports it as null). A CLI fuzz."""
    x = np.array([1e-320, -5e-321, 2.5e-321, 0.0])
    result = write_audio(tmp_path / "quiet.wav", x, 8000, subtype="FLOAT", normalize=True, peak_db=-6.0)
    y, _ = sf.read(str(tmp_path / "quiet.wav"))
    assert np.all(np.isfinite(y)) and result.clipped == 0 and result.gain == np.inf
    np.testing.assert_allclose(y, x / 1e-320 * 10 ** (-6 / 20), rtol=1e-3)  # the subnormals carry few bits


@pytest.mark.parametrize("bits", [16, 24])
def test_to_pcm_of_float32_works_in_float32_with_the_same_codes(bits):
    """Scaling by a power of two and rounding are exact in float32: float32 samples give the
    codes float64 gives, halves and ties included, and the peak memory is float32's."""
    rng = np.random.default_rng(bits)
    full = 2.0 ** (bits - 1)
    ties = (np.arange(-40, 40) + 0.5) / full  # exact halves of a code: round half to even
    x = np.concatenate([rng.uniform(-1.2, 1.2, 100_000), ties, [1.0, -1.0, np.nextafter(1.0, 2.0), 3e38, -3e38,
                                                               1e-45, -1e-45, (full - 0.5) / full]]).astype(np.float32)
    codes, clipped = to_pcm(x, bits)
    expected, expected_clipped = to_pcm(x.astype(np.float64), bits)
    np.testing.assert_array_equal(codes, expected)
    assert clipped == expected_clipped > 0
    big = rng.uniform(-1, 1, 2**20).astype(np.float32)
    peak = traced_peak(lambda: to_pcm(big, bits))
    output = big.size * (2 if bits == 16 else 4)
    assert peak < output + 1.5 * big.nbytes  # the float32 work array and the codes; float64 would be 2x the input


def test_to_pcm_refuses_nan_and_inf():
    """NaN became code 0 with only numpy's cast warning (write_audio checks, to_pcm did not)."""
    from gl.audio import to_pcm

    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="x contains NaN or infinite values"):
            to_pcm(np.array([bad, 1.0]), 16)


def test_float_samples_beyond_float32_are_clipped_not_inf(tmp_path):
    """FLOAT samples are float32: float64 samples beyond its range (3.4e38) were cast to inf,
    with only numpy's 'overflow encountered in cast', and the file written was one read_audio
    refuses (gl invert of a float64 .npz scaled by 1e300, --subtype FLOAT: every sample inf,
    exit 0). They are clipped to the largest float32 and counted, as PCM's are to full scale;
    the advice is --normalize only (FLOAT would not keep them)."""
    x = np.array([0.5, 1e39, -1e300, 3e38])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow in the cast
        with pytest.warns(ClippingWarning, match=r"^2 of 4 samples clipped beyond FLOAT's largest sample, 3.4e\+38, writing "
                                                 r".*big.wav \(peak 1e\+300 = \+6000.0 dBFS\); normalize \(--normalize\) to keep them$"):
            result = write_audio(tmp_path / "big.wav", x, 8000, subtype="FLOAT")
    assert result.clipped == 2
    y, _ = read_audio(tmp_path / "big.wav")  # finite: gl reads what it wrote
    largest = float(np.finfo(np.float32).max)
    assert y.tolist() == [[0.5, largest, -largest, float(np.float32(3e38))]]
    with pytest.warns(ClippingWarning, match=r"^1 of 3 samples clipped beyond FLOAT's largest sample"):  # the largest itself is kept
        assert write_audio(tmp_path / "limit.wav", np.array([largest, -largest, 1e39]), 8000, subtype="FLOAT").clipped == 1
    assert read_audio(tmp_path / "limit.wav")[0].tolist() == [[largest, -largest, largest]]
    with pytest.warns(ClippingWarning, match=r"^1 of 2 samples clipped writing .*pcm.wav .*; normalize \(--normalize\) to keep them$"):
        write_audio(tmp_path / "pcm.wav", np.array([0.5, 1e39]), 8000)  # FLOAT would not keep 1e39 either
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert write_audio(tmp_path / "normalized.wav", x, 8000, subtype="FLOAT", normalize=True).clipped == 0


def test_a_normalize_peak_below_the_smallest_float_sample_is_warned_about(tmp_path):
    """--normalize --peak-db -1000 --subtype FLOAT wrote a silent file (float32's smallest
    sample is 2**-149, -897 dBFS) reported as 'normalized to -1000.0 dBFS', without the
    warning PCM gets below its smallest step."""
    x = tone(n=800)
    with pytest.warns(UserWarning, match=r"^peak_db=-1000 is below half of FLOAT's smallest sample \(-897.1 dBFS\): every "
                                         r"sample rounds to 0 and .*silent.wav will be silent; use a higher peak_db$"):
        write_audio(tmp_path / "silent.wav", x, 8000, subtype="FLOAT", normalize=True, peak_db=-1000.0)
    assert not np.any(read_audio(tmp_path / "silent.wav")[0])  # as it said
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # -800 dBFS is still there, as subnormal float32 samples
        write_audio(tmp_path / "quiet.wav", x, 8000, subtype="FLOAT", normalize=True, peak_db=-800.0)
    y, _ = read_audio(tmp_path / "quiet.wav")
    assert abs(20 * np.log10(np.max(np.abs(y))) + 800) < 0.01
