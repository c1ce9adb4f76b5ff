"""Reading and writing audio files safely: never a partial file, never a silent overwrite.

Samples are held channels-first, ``(channels, n)`` float, as the rest of gl expects
(a leading batch axis per channel). Files go through :mod:`soundfile` (imported
inside the functions, so ``import gl`` needs numpy only).

Writing float samples to integer PCM follows the usual full-scale convention, the
inverse of what :func:`soundfile.read` does when it returns floats::

    q[n] = clip(round(x[n] * 2**(B-1)), -2**(B-1), 2**(B-1) - 1)       (B = 16 or 24 bits)

so ``x = 1.0`` is one step above the largest code; every sample that lands outside the
code range (for FLOAT samples: beyond float32's, about 3.4e38) is counted and reported in a
:class:`ClippingWarning`. ``normalize=True``
instead scales the signal so that its peak is ``peak_db`` dBFS (default -1 dBFS).

Every output goes to a temporary file in the target folder first and is renamed onto
its name only once complete (:func:`atomic_output`): an error or Ctrl-C in between
removes the temporary file and leaves the folder as it was.

Examples
--------
>>> import os, tempfile
>>> import numpy as np
>>> from gl.audio import read_audio, write_audio
>>> temporary = tempfile.TemporaryDirectory()
>>> folder = temporary.name
>>> x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(800) / 8000)[None, :]   # (1 channel, 800)
>>> result = write_audio(os.path.join(folder, "tone.wav"), x, 8000)
>>> result.clipped, result.subtype
(0, 'PCM_16')
>>> y, sr = read_audio(os.path.join(folder, "tone.wav"))
>>> y.shape, sr, bool(np.max(np.abs(y - x)) <= 0.5 / 32768)
((1, 800), 8000, True)
>>> sorted(os.listdir(folder))        # no temporary file left behind
['tone.wav']
>>> temporary.cleanup()
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import stat
import struct
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import as_array, check_choice, check_flag
from .transform import real_dtype

__all__ = [
    "read_audio",
    "write_audio",
    "atomic_output",
    "check_output_path",
    "to_pcm",
    "audio_format",
    "ClippingWarning",
    "TruncatedAudioWarning",
    "SUBTYPES",
    "FORMATS",
    "WriteResult",
]

PathLike = Union[str, "os.PathLike[str]"]

#: Sample formats :func:`write_audio` writes, and the bits of the integer ones.
SUBTYPES = {"PCM_16": 16, "PCM_24": 24, "FLOAT": None}

#: File extensions :func:`write_audio` writes, and their soundfile format names.
FORMATS = {".wav": "WAV", ".flac": "FLAC"}

#: The peak ``normalize=True`` scales to, in dBFS (some headroom for later processing).
DEFAULT_PEAK_DB = -1.0

#: The largest FLOAT (32-bit float) sample: larger ones are clipped to it, as PCM's to full scale.
FLOAT32_MAX = float(np.finfo(np.float32).max)


class ClippingWarning(UserWarning):
    """Samples beyond full scale were clipped when converting to integer PCM.

    :func:`write_audio` still writes the file, with those samples at full scale (a harsh,
    audible distortion). To keep them, scale the signal down: ``normalize=True`` (its peak
    to -1 dBFS), or write FLOAT samples (``subtype='FLOAT'``), which hold values beyond 1.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import numpy as np
    >>> from gl.audio import write_audio
    >>> x = 1.5 * np.sin(2 * np.pi * 1000 * np.arange(800) / 8000)    # peaks at 1.5: beyond full scale
    >>> with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     clipped = write_audio(os.path.join(folder, "loud.wav"), x, 8000).clipped
    ...     kept = write_audio(os.path.join(folder, "loud.wav"), x, 8000, normalize=True, force=True).clipped
    >>> [type(w.message).__name__ for w in caught], clipped, kept    # 6 samples of each 8 were beyond 1
    (['ClippingWarning'], 600, 0)
    >>> print(str(caught[0].message).split("; ")[1])
    normalize (--normalize) or write FLOAT samples (--subtype FLOAT) to keep them
    """


class TruncatedAudioWarning(UserWarning):
    """An audio file holds fewer samples than its header says: it was cut short (a download
    or copy interrupted), and the rest of the recording is missing.

    :func:`read_audio` still returns the samples the file holds; the rest can only come
    from a whole copy of the file (fetch or copy it again), else use what there is.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import numpy as np
    >>> from gl.audio import read_audio, write_audio
    >>> with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     path = os.path.join(folder, "tone.wav")
    ...     _ = write_audio(path, 0.5 * np.sin(2 * np.pi * 440 * np.arange(800) / 8000), 8000)
    ...     os.truncate(path, os.path.getsize(path) - 200)     # its last 100 samples (16 bits each) cut off
    ...     y, sr = read_audio(path)
    >>> y.shape, type(caught[0].message).__name__
    ((1, 700), 'TruncatedAudioWarning')
    >>> print(str(caught[0].message).split(": ", 1)[1])
    its header says 800 samples per channel, it holds 700; the rest is missing (the file was truncated)
    """


@dataclass
class WriteResult:
    """What :func:`write_audio` wrote.

    Attributes
    ----------
    path : pathlib.Path
        The ``path`` given to :func:`write_audio`.
    subtype : {'PCM_16', 'PCM_24', 'FLOAT'}
        The sample format written.
    clipped : int
        Samples clipped by the conversion to ``subtype`` (all channels).
    gain : float
        The factor ``normalize`` scaled by, target / peak (1.0 without it; inf for a
        subnormal peak, applied in two exact steps).
    peak : float
        Peak ``|x|`` of the written samples, before clipping.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from gl.audio import write_audio
    >>> x = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(800) / 8000)     # peak 0.5 (-6 dBFS)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = write_audio(os.path.join(folder, "tone.wav"), x, 8000, subtype="PCM_24")
    >>> result.path.name, result.subtype, result.clipped, result.gain, result.peak
    ('tone.wav', 'PCM_24', 0, 1.0, 0.5)
    """

    path: Path
    subtype: str
    clipped: int
    gain: float
    peak: float


def audio_format(path: PathLike, subtype: str = "PCM_16") -> str:
    """The soundfile format for ``path`` (by extension), checked against ``subtype``.

    Parameters
    ----------
    path : str or os.PathLike
        The output file; its extension (``.wav`` or ``.flac``, any case) names the format.
    subtype : {'PCM_16', 'PCM_24', 'FLOAT'}
        The sample format to write (default ``'PCM_16'``).

    Returns
    -------
    str
        The format's soundfile name, ``'WAV'`` or ``'FLAC'``.

    Raises
    ------
    ValueError
        If ``subtype`` is unknown, the extension is not one of :data:`FORMATS`, or FLAC is
        asked to hold FLOAT samples.

    Examples
    --------
    >>> audio_format("out.flac", "PCM_24")
    'FLAC'
    """
    check_choice("subtype", subtype, SUBTYPES)
    if subtype not in SUBTYPES:
        raise ValueError(f"subtype={subtype!r} is unknown; use one of {', '.join(SUBTYPES)}")
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        stem = Path(os.fspath(path).rstrip("."))
        stem = stem.with_suffix("") if suffix else stem
        raise ValueError(
            f"gl writes {' and '.join(name.upper().lstrip('.') for name in FORMATS)} files, named by their extension "
            f"({', '.join(FORMATS)}); {os.fspath(path)!r} has {'the extension ' + repr(suffix) if suffix else 'none'}: "
            f"name it {os.fspath(stem)}.wav or {os.fspath(stem)}.flac"
        )
    file_format = FORMATS[suffix]
    if file_format == "FLAC" and subtype == "FLOAT":
        raise ValueError("FLAC cannot hold FLOAT samples; use subtype PCM_16 or PCM_24, or write a .wav file")
    return file_format


#: What each format can hold: channels, and the largest sample rate in Hz (libsndfile's
#: FLAC encoder stops at 655350; a WAV header holds 32 bits, soundfile a C int).
FORMAT_LIMITS = {"WAV": (1024, 2**31 - 1), "FLAC": (8, 655350)}


def check_audio_output(path: PathLike, subtype: str, channels: int, sample_rate) -> str:
    """Before any work: :func:`audio_format` of ``path``, and the number of channels and the
    sample rate that format can hold; returns the format. (Found after the work, these were
    libsndfile's 'Format not recognised' about a temporary file, or a traceback.)

    >>> check_audio_output("out.flac", "PCM_16", 2, 44100)
    'FLAC'
    """
    file_format = audio_format(path, subtype)
    check_format_limits(path, file_format, channels, sample_rate)
    return file_format


def check_format_limits(path: PathLike, file_format: str, channels: int, sample_rate) -> None:
    """The number of channels and the sample rate a ``'WAV'`` or ``'FLAC'`` file holds
    (:data:`FORMAT_LIMITS`), or a ValueError that names ``path`` and the limit."""
    most_channels, fastest = FORMAT_LIMITS[file_format]
    wav_channels, wav_fastest = FORMAT_LIMITS["WAV"]
    if channels > most_channels:
        raise ValueError(f"{os.fspath(path)}: a {file_format} file holds at most {most_channels} channels, not {channels}"
                         + ("; write a .wav file" if file_format != "WAV" and channels <= wav_channels else ""))
    try:
        rate = float(sample_rate)
    except OverflowError:  # an int beyond float's range
        rate = float("inf")
    if not (np.isfinite(rate) and rate.is_integer() and 1 <= rate <= fastest):
        shown = sample_rate if abs(rate) < 1e15 else f"{rate:.6g}"  # not 300 digits for --sr 1e300
        raise ValueError(f"{os.fspath(path)}: a {file_format} file holds whole sample rates from 1 to {fastest} Hz, not {shown}"
                         + ("; write a .wav file" if file_format != "WAV" and rate <= wav_fastest else ""))


def _soundfile():
    """The soundfile module, or an ImportError that says how to get it."""
    try:
        import soundfile
    except (ImportError, OSError) as error:  # OSError: the package is there but libsndfile is not
        raise ImportError(f"reading and writing audio needs the soundfile package and libsndfile ({error}); pip install soundfile") from None
    return soundfile


def read_audio(path: PathLike, *, dtype: DTypeLike = np.float64) -> tuple[np.ndarray, int]:
    """Read an audio file as ``(samples (channels, n), sample_rate)``.

    Parameters
    ----------
    path : str or os.PathLike
        An audio file soundfile reads (WAV, FLAC, OGG ...).
    dtype : np.dtype
        The samples' dtype, as soundfile reads it (default float64, full scale 1.0;
        ``np.int16`` or ``np.int32`` give the PCM codes).

    Returns
    -------
    samples : np.ndarray [shape=(channels, n)]
        The samples, channels first (C-contiguous).
    sample_rate : int
        The file's sample rate in Hz.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    PermissionError
        ``path`` cannot be read.
    ValueError
        The file is a folder, is empty, or is not audio soundfile can read.

    Warns
    -----
    TruncatedAudioWarning
        A WAV (RIFF, RIFX, RF64), W64 or AIFF file holds fewer samples than its header says:
        it was cut short (a download or copy interrupted), and what it holds is read. Its
        header is read for this at the start of the file; a length a streaming writer left
        unknown (0, 0xFFFFFFFF, about 2 GiB) promises nothing.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from gl.audio import read_audio, write_audio
    >>> n = np.arange(800)
    >>> stereo = np.stack([0.5 * np.sin(2 * np.pi * 1000 * n / 8000), 0.25 * np.sin(2 * np.pi * 500 * n / 8000)])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_audio(os.path.join(folder, "stereo.wav"), stereo, 8000)
    ...     y, sr = read_audio(os.path.join(folder, "stereo.wav"))                     # floats, full scale 1.0
    ...     codes, _ = read_audio(os.path.join(folder, "stereo.wav"), dtype=np.int16)  # the 16-bit codes
    >>> y.shape, sr                                # channels first
    ((2, 800), 8000)
    >>> y[0, :3].tolist(), codes[0, :3].tolist()   # 0.5 of full scale is code 0.5 * 2**15
    ([0.0, 0.353546142578125, 0.5], [0, 11585, 16384])
    """
    sf = _soundfile()

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, f"{path} does not exist; check the file name", str(path))
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not an audio file")
    if not os.access(path, os.R_OK):  # soundfile would call it "not audio" ("System error.")
        raise PermissionError(errno.EACCES, f"{path} cannot be read (permission denied)", str(path))
    promised = _declared_frames(path)  # libsndfile reads a truncated WAV as the shorter signal, without a word
    try:
        data, sample_rate = sf.read(_sndfile_name(path), dtype=np.dtype(dtype).name, always_2d=True)
    except sf.LibsndfileError as error:
        spectrogram = (" (a spectrogram: turn it into sound with gl invert, or gl.Spectrogram.load in Python)"
                       if path.suffix.lower() in (".npz", ".npy") else "")
        raise ValueError(
            f"{path} is not an audio file gl can read ({error.error_string}){spectrogram}; give a WAV, FLAC or OGG file"
        ) from None
    except (RuntimeError, TypeError) as error:  # other soundfile failures
        raise ValueError(f"{path} is not an audio file gl can read ({error}); give a WAV, FLAC or OGG file") from None
    if data.shape[0] == 0:
        raise ValueError(f"{path} holds no samples")
    if not np.all(np.isfinite(data)):
        _refuse_non_finite(sf, path, np.dtype(dtype))
    if promised is not None and data.shape[0] < promised:
        warnings.warn(f"{path} is cut short: its header says {promised} samples per channel, it holds {data.shape[0]}; "
                      "the rest is missing (the file was truncated)", TruncatedAudioWarning, stacklevel=2)
    return np.ascontiguousarray(data.T), int(sample_rate)


def _sndfile_name(path: PathLike) -> Union[str, bytes]:
    """``path`` as libsndfile is to open it: a file called ``-`` as ``./-`` (libsndfile reads
    ``-`` as standard input); outside Windows as the bytes of the name, so that a name that is
    not UTF-8 (``b'caf\\xe9.wav'``, held by Python as a surrogate escape) opens too: soundfile
    encodes a str strictly, and failed with "'utf-8' codec can't encode character '\\udce9'"."""
    name = os.fspath(path)
    name = os.path.join(os.curdir, name) if name == "-" else name
    return name if os.name == "nt" else os.fsencode(name)


#: A sample-data size a streaming writer puts in a WAV header before it knows the length
#: (0: none written; 0xFFFFFFFF, or from 0x7FFF0000 on, about 2 GiB, as arecord and SoX write
#: to a pipe): no promise, so a file with less is not called cut short.
_PLACEHOLDER_SIZES = (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF)
_PLACEHOLDER_FROM = 0x7FFF0000

#: WAV format tags whose frames are ``block_align`` bytes each: PCM, IEEE float, A-law, mu-law.
_FIXED_FRAME_TAGS = (0x0001, 0x0003, 0x0006, 0x0007)
#: WAV format tags coded in blocks of ``block_align`` bytes, each ``samples per block`` frames
#: (the fmt chunk's extension): MS ADPCM, IMA ADPCM, GSM 6.10.
_BLOCK_TAGS = (0x0002, 0x0011, 0x0031)
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE

#: The 12 bytes that follow a chunk's 4-character name in a Sony Wave64 (W64) GUID.
_W64_GUID_TAIL = bytes.fromhex("f3acd3118cd100c04f8edb8a")
_W64_RIFF = b"riff" + bytes.fromhex("2e91cf11a5d628db04c10000")

#: AIFF-C compression types with a fixed number of bytes per frame (the sample size's).
_AIFC_UNCOMPRESSED = (b"NONE", b"twos", b"sowt", b"raw ", b"in24", b"in32", b"fl32", b"FL32", b"fl64", b"FL64")

#: Chunks walked at the most before the sample data (a header is a handful).
_MOST_CHUNKS = 256


def _declared_frames(path: Path) -> Optional[int]:
    """The frames (samples per channel) the header of a WAV-family file promises, when the
    file holds fewer bytes of sample data than it says; None otherwise (the file is whole,
    its header holds a streaming writer's placeholder, or it is no WAV, RF64, W64 or AIFF
    file gl knows to count).

    A few small reads at the start of the file, with :mod:`struct`: the chunks are walked
    to the sample data (``data``, or AIFF's ``SSND``), whose declared size is compared with
    the bytes that follow it in the file. Bytes, not samples: that holds for compressed
    formats too. The frames are then the size over the bytes per frame (``block_align``;
    for ADPCM and GSM whole blocks times the samples per block; AIFF says them in ``COMM``).
    Only regular files: reading a pipe would take the audio from libsndfile.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(12)
            if len(head) < 12:
                return None
            if head[:4] in (b"RIFF", b"RIFX", b"RF64", b"BW64") and head[8:12] == b"WAVE":  # RIFX: big-endian
                order, wide = (">" if head[:4] == b"RIFX" else "<"), head[:4] in (b"RF64", b"BW64")
                return _wav_declared_frames(handle, size, order, wide=wide)
            if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
                return _aiff_declared_frames(handle, size, compressed=head[8:12] == b"AIFC")
            if head == _W64_RIFF[:12]:
                return _w64_declared_frames(handle, size)
    except (OSError, struct.error):
        pass
    return None


def _frames_of(fmt: bytes, order: str, data_bytes: int) -> Optional[int]:
    """The frames ``data_bytes`` of sample data hold, by a WAV ``fmt`` chunk (None for a
    format whose frames gl does not know to count)."""
    if len(fmt) < 16:
        return None
    tag, channels, _, _, block_align, _ = struct.unpack(order + "HHIIHH", fmt[:16])
    if tag == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack(order + "H", fmt[24:26])[0]  # the sub-format GUID's first two bytes
    if block_align == 0 or channels == 0:
        return None
    if tag in _FIXED_FRAME_TAGS:
        return data_bytes // block_align
    if tag in _BLOCK_TAGS and len(fmt) >= 20:
        per_block = struct.unpack(order + "H", fmt[18:20])[0]
        return -(-data_bytes // block_align) * per_block  # a last, partial block decodes too
    return None


def _promised_beyond(fmt: bytes, order: str, declared: int, present: int) -> Optional[int]:
    """The frames ``declared`` bytes of sample data promise, when more than the ``present``
    bytes hold (None when they are as many, or the format's frames are not countable)."""
    promised, held = _frames_of(fmt, order, declared), _frames_of(fmt, order, present)
    return promised if promised is not None and held is not None and promised > held else None


def _wav_declared_frames(handle, size: int, order: str, *, wide: bool) -> Optional[int]:
    """:func:`_declared_frames` of a RIFF / RIFX / RF64 (``wide``: its 64-bit data size in the
    ``ds64`` chunk) WAV file of ``size`` bytes, ``handle`` after its first 12 bytes."""
    fmt = b""
    wide_size = None  # RF64's data size, in its ds64 chunk
    position = 12
    for _ in range(_MOST_CHUNKS):
        header = handle.read(8)
        if len(header) < 8:
            return None
        name, chunk_size = struct.unpack(order + "4sI", header)
        if name == b"ds64" and wide and chunk_size >= 16:
            wide_size = struct.unpack(order + "Q", handle.read(16)[8:16])[0]
        elif name == b"fmt ":
            fmt = handle.read(min(chunk_size, 64))
        elif name == b"data":
            declared = wide_size if wide and chunk_size == 0xFFFFFFFF and wide_size is not None else chunk_size
            present = size - (position + 8)
            if declared in _PLACEHOLDER_SIZES or (declared >= _PLACEHOLDER_FROM and not wide) or present >= declared:
                return None
            return _promised_beyond(fmt, order, declared, present)
        position += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to an even size
        if position >= size:
            return None
        handle.seek(position)
    return None


def _w64_declared_frames(handle, size: int) -> Optional[int]:
    """:func:`_declared_frames` of a Sony Wave64 file: chunks named by 16-byte GUIDs, with
    64-bit sizes that count their 24-byte header, each padded to 8 bytes."""
    handle.seek(24)
    if handle.read(16) != b"wave" + _W64_GUID_TAIL:
        return None
    fmt = b""
    position = 40
    for _ in range(_MOST_CHUNKS):
        handle.seek(position)
        header = handle.read(24)
        if len(header) < 24 or header[4:16] != _W64_GUID_TAIL:
            return None
        name, chunk_size = header[:4], struct.unpack("<Q", header[16:24])[0]
        if chunk_size < 24:
            return None
        if name == b"fmt ":
            fmt = handle.read(min(chunk_size - 24, 64))
        elif name == b"data":
            declared, present = chunk_size - 24, size - (position + 24)
            if chunk_size in _PLACEHOLDER_SIZES or present >= declared:
                return None
            return _promised_beyond(fmt, "<", declared, present)
        position += chunk_size + (-chunk_size % 8)
        if position >= size:
            return None
    return None


def _aiff_declared_frames(handle, size: int, *, compressed: bool) -> Optional[int]:
    """:func:`_declared_frames` of an AIFF or (uncompressed) AIFF-C file: the frames its
    ``COMM`` chunk says, when its ``SSND`` chunk holds fewer bytes than its size says."""
    comm = None  # (frames, bytes per frame)
    missing = None  # (declared bytes, present bytes) of the sound data
    position = 12
    for _ in range(_MOST_CHUNKS):
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return None
        name, chunk_size = struct.unpack(">4sI", header)
        if name == b"COMM" and chunk_size >= 18:
            body = handle.read(min(chunk_size, 22))
            channels, frames, bits = struct.unpack(">hIh", body[:8])
            if compressed and (len(body) < 22 or body[18:22] not in _AIFC_UNCOMPRESSED):
                return None  # compressed: its frames are not its bytes over a sample size
            if channels <= 0 or bits <= 0:
                return None
            comm = (frames, channels * (-(-bits // 8)))
        elif name == b"SSND" and chunk_size >= 8:
            offset = struct.unpack(">I", handle.read(4))[0]
            declared, present = chunk_size - 8 - offset, size - (position + 16 + offset)
            if chunk_size in _PLACEHOLDER_SIZES or chunk_size >= _PLACEHOLDER_FROM or present >= declared:
                return None
            missing = (declared, present)
        if comm is not None and missing is not None:
            frames, frame_bytes = comm
            return frames if frames > missing[1] // frame_bytes else None
        position += 8 + chunk_size + (chunk_size & 1)
        if position >= size:
            return None
    return None


def _refuse_non_finite(sf, path: Path, dtype: np.dtype) -> None:
    """Why ``path`` read as ``dtype`` has NaN or infinite samples: the file holds them, or
    (a DOUBLE file read as float32) finite samples beyond ``dtype``'s range."""
    if dtype != np.float64:
        wide, _ = sf.read(_sndfile_name(path), dtype="float64", always_2d=True)
        if np.all(np.isfinite(wide)):
            peak = float(np.max(np.abs(wide)))
            raise ValueError(
                f"{path} holds samples up to {peak:.3g}, beyond {dtype.name}'s range ({float(np.finfo(dtype).max):.3g}), "
                f"the precision it is read in (gl's command line reads audio as float32); scale the file down "
                "(audio samples normally lie within -1 and 1), or in Python read it with read_audio(path, dtype=np.float64)"
            )
    raise ValueError(f"{path} holds NaN or infinite samples; repair the file (e.g. write it as PCM) and try again")


def to_pcm(x: np.ndarray, bits: int) -> tuple[np.ndarray, int]:
    """Float samples to ``bits``-bit integer codes, rounded and clipped.

    ``q = clip(round(x * 2**(bits-1)), -2**(bits-1), 2**(bits-1) - 1)``. Returns the codes
    as int16 (16 bits) or int32 holding the 24-bit code in its top 24 bits (what soundfile
    writes to PCM_24), and how many samples were clipped: those beyond full scale,
    ``|x| > 1``. A sample of exactly +1 (a signal divided by its peak) is not counted: it
    becomes the largest code, one step below it, as in every PCM writer.

    Parameters
    ----------
    x : np.ndarray [shape=(...), real floating point]
        The samples, full scale 1.0.
    bits : {16, 24}
        The PCM sample size.

    Returns
    -------
    codes : np.ndarray [shape=x.shape, dtype=int16 or int32]
        The codes: int16 for 16 bits; for 24 bits int32, the code in the top 24 bits.
    clipped : int
        How many samples were beyond full scale (``|x| > 1``).

    Raises
    ------
    ValueError
        If ``bits`` is not 16 or 24, or ``x`` holds NaN or infinite values.

    Examples
    --------
    >>> codes, clipped = to_pcm(np.array([0.0, 0.5, -1.0, 1.0, 1.5]), 16)
    >>> codes.tolist(), clipped
    ([0, 16384, -32768, 32767, 32767], 1)
    """
    x = as_array("x", x)
    if bits not in (16, 24):
        raise ValueError(f"bits={bits} must be 16 or 24")
    if not np.all(np.isfinite(x)):  # NaN would become code 0 (with a cast warning), inf full scale
        raise ValueError("x contains NaN or infinite values")
    full_scale = float(2 ** (bits - 1))
    # exact in float32 as in float64: a power of two scales, and rint's results (below
    # 2^23 in size) are whole numbers float32 holds, so float32 samples stay float32
    # (a float32 beyond 2^104 scales to inf: clipped to full scale all the same)
    work = real_dtype(x)  # float16 and big-endian float32 too
    with np.errstate(over="ignore"):
        scaled = np.multiply(x, full_scale, dtype=work)
    clipped = int(np.count_nonzero(scaled < -full_scale) + np.count_nonzero(scaled > full_scale))  # |x| > 1
    np.rint(scaled, out=scaled)
    low, high = -full_scale, full_scale - 1
    np.clip(scaled, low, high, out=scaled)
    if bits == 16:
        return scaled.astype(np.int16), clipped
    codes = scaled.astype(np.int32)
    del scaled
    codes <<= 8  # in place: no third array
    return codes, clipped


def check_output_path(path: PathLike, *, force: bool = False, probe: bool = True) -> Path:
    """Check, before any work, that ``path`` can be written.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    force : bool
        Allow ``path`` to exist already (default False).
    probe : bool
        Create a file in the folder and remove it (default True), which tells a
        read-only mount or ``/proc`` apart from a writable folder.

    Returns
    -------
    pathlib.Path
        The file to write: ``path``, or the file a symbolic link ``path`` points to.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``force`` is False.
    ValueError
        ``path`` is a folder, its folder does not exist, or its name leaves no room for
        the temporary file's (see :func:`atomic_output`).
    PermissionError
        The folder is not writable.
    OSError
        With ``probe``: no file can be created in the folder.

    Examples
    --------
    Before a long computation, so that it is not lost to an output that cannot be written:

    >>> import os, tempfile
    >>> from gl.audio import check_output_path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "out.wav")
    ...     free = check_output_path(path).name           # a new file in a writable folder: fine
    ...     open(path, "wb").close()                      # now the file exists
    ...     try:
    ...         check_output_path(path)
    ...     except FileExistsError as error:
    ...         advice = error.strerror.split("; ")[1]
    ...     forced = check_output_path(path, force=True).name
    >>> free, forced
    ('out.wav', 'out.wav')
    >>> print(advice)
    use --force (force=True in Python) to overwrite it or choose another name
    """
    if isinstance(path, str) and path.endswith(("/", os.sep)):  # Path() would drop the slash
        raise ValueError(f"{path} ends with {path[-1]}, which names a folder; give a file name")
    path = Path(path)
    # (os.path's tests, not Path's: Python < 3.12's Path.is_symlink raises on a name too
    # long for the file system, which is reported below with the limit)
    if os.path.islink(path):  # the file written is the link's target (see atomic_output)
        path = Path(os.path.realpath(path))
    folder = path.parent
    if os.path.isdir(path):
        raise ValueError(f"{path} is a folder; give a file name")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        create = f"create it ({_make_folder_command(folder)}) or " if not folder.exists() else ""
        raise ValueError(f"output folder {folder} {what}; {create}choose another output")
    if os.path.exists(path) and not force:
        raise FileExistsError(errno.EEXIST, f"{path} already exists; use --force (force=True in Python) to overwrite it or choose another name", str(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"output folder {folder} is not writable; choose another output", str(folder))
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not POSIX (Windows), or not told
        name_max = 255
    longest = _name_length(path.name) + _TEMPORARY_EXTRA
    if longest > name_max:
        units = "UTF-16 units" if _NAMES_IN_UTF16 else "bytes"
        raise ValueError(f"{path.name}: the name is too long for the temporary file written beside it first "
                         f"({longest} {units}, the folder allows {name_max}); choose a name of at most {name_max - _TEMPORARY_EXTRA} {units}")
    if probe:  # (atomic_output creates its temporary file right after, and says the same when it cannot)
        _probe_folder(folder)
    return path


def _probe_folder(folder: Path) -> None:
    """Create and remove a file in ``folder``: what ``os.access`` cannot tell (a read-only
    mount, ``/proc``, a full quota) shows now, before any work, not after it."""
    import tempfile  # here: `import gl` stays light (tempfile brings shutil, random, bz2, lzma)

    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".gl-probe-")
    except OSError as error:
        reason = error.strerror or str(error)
        raise OSError(error.errno, f"cannot create files in {folder} ({reason}); choose another output folder",
                      str(folder)) from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(name)


#: Bytes the temporary name adds to the output's: ``.{stem}.{8 hex digits}.part{suffix}``.
_TEMPORARY_EXTRA = 15

#: Whether file names are counted in UTF-16 units (Windows: 255 of them a name) rather
#: than in the bytes of their file-system encoding (POSIX's NAME_MAX, 255 bytes on most).
_NAMES_IN_UTF16 = os.name == "nt"


def _name_length(name: str) -> int:
    """The length of a file name in the units its file system limits: a name of 100 Chinese
    characters is 300 bytes in UTF-8 (too long on Linux) but 100 UTF-16 units (fine on Windows)."""
    if _NAMES_IN_UTF16:
        return len(name.encode("utf-16-le", "surrogatepass")) // 2
    return len(os.fsencode(name))


def _make_folder_command(folder: Path, windows: bool = os.name == "nt") -> str:
    """The shell command that creates ``folder``, quoted for the platform's usual shell."""
    if windows:
        return f'mkdir "{folder}"'  # cmd.exe and PowerShell both create the parents
    return f"mkdir -p {shlex.quote(str(folder))}"


def _hidden_names(path: Path, tag: str) -> Iterator[Path]:
    """100 random hidden names beside ``path`` with its extension, ``.STEM.XXXXXXXX.TAG.EXT``: the
    temporary files (``part``) and the old files kept aside (``prev``) of :func:`atomic_output`."""
    import secrets  # here: `import gl` stays light

    for _ in range(100):
        yield path.with_name(f".{path.stem}.{secrets.token_hex(4)}.{tag}{path.suffix}")


def _create_temporary(path: Path) -> Path:
    """An empty new file beside ``path``, hidden, with the same extension (umask permissions)."""
    for candidate in _hidden_names(path, "part"):
        try:
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise type(error)(
                error.errno, f"cannot create files in {path.parent} ({error.strerror}); choose another output folder", str(path)
            ) from None
        os.close(descriptor)
        return candidate
    raise FileExistsError(errno.EEXIST, f"could not create a temporary file beside {path}", str(path))  # pragma: no cover


#: Windows refuses to replace or delete a read-only file, which POSIX systems do (the
#: folder's permissions decide there): gl clears the attribute first (tests set it to try).
_WINDOWS = os.name == "nt"


def _publish(temporary: Path, path: Path, force: bool) -> None:
    """Move the finished ``temporary`` onto ``path`` in one step."""
    if force:
        old_mode = stat.S_IWRITE  # writable, unless Windows finds the file read-only
        if _WINDOWS:
            with contextlib.suppress(FileNotFoundError):
                old_mode = os.stat(path).st_mode & 0o7777
        read_only = not old_mode & stat.S_IWRITE
        if read_only:  # replaced as on POSIX (the new file keeps the read-only mode, see atomic_output)
            os.chmod(path, old_mode | stat.S_IWRITE)
        try:
            os.replace(temporary, path)
        except OSError:
            if read_only:  # the old file stays, and stays read-only
                with contextlib.suppress(OSError):
                    os.chmod(path, old_mode)
            raise
        return
    try:
        os.link(temporary, path)  # atomic, and fails if path appeared in the meantime
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, f"{path} already exists; use --force (force=True in Python) to overwrite it or choose another name", str(path)) from None
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(errno.EEXIST, f"{path} already exists; use --force (force=True in Python) to overwrite it or choose another name", str(path)) from None
        os.replace(temporary, path)


@contextlib.contextmanager
def atomic_output(path: PathLike, *, force: bool = False) -> Iterator[Path]:
    """Write ``path`` all at once: yield a temporary path beside it, then rename it.

    The caller writes the whole file to the yielded path (same folder, same extension).
    When the block ends normally the file is flushed to disk and renamed onto ``path``;
    when it raises (including ``KeyboardInterrupt``) the temporary file is removed and
    ``path`` is untouched. Without ``force`` an existing ``path`` is never replaced, even
    one that appears while the file is being written. A file that is replaced keeps its
    permissions (a new one gets the umask's); a symbolic link is written through, to the
    file it points to, as ``open(path, 'w')`` would.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (checked first by :func:`check_output_path`, without its probe).
    force : bool
        Replace ``path`` if it exists (default False).

    Yields
    ------
    pathlib.Path
        The temporary file to write the whole output to (created empty, hidden, in
        ``path``'s folder, with its extension).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as name:
    ...     folder = Path(name)
    ...     with atomic_output(folder / "a.txt") as temporary:
    ...         _ = temporary.write_text("complete")
    ...     text, files = (folder / "a.txt").read_text(), len(list(folder.iterdir()))
    >>> text, files                     # the file, complete, and no temporary one beside it
    ('complete', 1)
    """
    path = check_output_path(path, force=force, probe=False)  # a symbolic link's target (even a dangling link's)
    temporary = _create_temporary(path)
    replaced = path.stat().st_mode if force and path.exists() else None
    mode = (replaced if replaced is not None else os.stat(temporary).st_mode) & 0o777  # the old file's, or the umask's
    try:
        yield temporary
        with open(temporary, "rb+") as handle:  # before the chmod: a read-only mode (0o444) would refuse this
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # the writer may have replaced the file with a private one
        pending = getattr(_together, "pending", None)
        if pending is not None:  # within _published_together: renamed with the others, at its end
            pending.append((temporary, path, force))
            return
        _publish(temporary, path, force)
    except BaseException:
        with contextlib.suppress(OSError):  # the error that stopped the write is the one to report
            _remove_temporary(temporary)
        raise
    _remove_temporary(temporary)  # published by a hard link, the temporary name is still there


#: Per thread, the files :func:`atomic_output` finished within :func:`_published_together`,
#: waiting to be renamed together: (temporary, path, force).
_together = threading.local()


@contextlib.contextmanager
def _published_together() -> Iterator[None]:
    """Within, the files :func:`atomic_output` writes (and so :func:`write_audio`) are published
    together, all or none (``gl demo``'s pair): each is written to its temporary file as usual,
    and all are renamed onto their paths only when the block ends normally. When the block
    raises (a second file's write failing on a full disk), every temporary file is removed and
    no path is touched. When a rename fails (an I/O error; on Windows a file made read-only in
    the meantime), the renames done are undone: each path gets back the file it held (kept
    under a second name, :func:`_set_aside`, until all are published), or loses the new one
    where it held none; the error raised is the rename's."""
    outer = getattr(_together, "pending", None)
    pending: list[tuple[Path, Path, bool]] = []
    _together.pending = pending
    try:
        yield
    except BaseException:
        for temporary, _, _ in pending:
            with contextlib.suppress(OSError):  # the error that stopped the writes is the one to report
                _remove_temporary(temporary)
        raise
    finally:
        _together.pending = outer
    # each path: (path, its old file's second name or None, whether path still holds that, whether published)
    undo: list[tuple[Path, Optional[Path], bool, bool]] = []
    try:
        for temporary, path, force in pending:
            aside, linked = _set_aside(path) if force else (None, False)
            undo.append((path, aside, linked, False))
            _publish(temporary, path, force)
            undo[-1] = (path, aside, linked, True)
            _remove_temporary(temporary)  # published by a hard link, the temporary name is still there
    except BaseException as error:
        for temporary, _, _ in pending:  # (a published one's is gone already)
            with contextlib.suppress(OSError):
                _remove_temporary(temporary)
        left = []  # rare (the folder made read-only in between): which files are not as they were, and where the old ones are
        for path, aside, linked, published in reversed(undo):
            try:
                _put_back(path, aside, linked, published=published)
            except OSError as failed:
                left.append(f"{path} ({failed.strerror or failed}" + (f"; the old file is {aside})" if aside else ")"))
        if left and isinstance(error, OSError):
            raise OSError(error.errno, f"{error.strerror or error}; and these could not be put back as they were: "
                                       f"{', '.join(left)}", error.filename) from error
        raise
    for _, aside, _, _ in undo:  # all published: the old files go
        if aside is not None:
            with contextlib.suppress(OSError):
                _remove_temporary(aside)


def _set_aside(path: Path) -> tuple[Optional[Path], bool]:
    """Keep the file ``path`` holds under a second name beside it (hidden, as a temporary
    file's), so that :func:`_published_together` can put it back. A hard link: ``path`` still
    holds the file; on a file system without hard links, ``path`` renamed: it then holds
    nothing until the new file is published. Returns the second name (None where ``path``
    holds no file) and whether ``path`` still holds the file."""
    if not os.path.exists(path):
        return None, False
    for aside in _hidden_names(path, "prev"):
        try:
            os.link(path, aside)
            return aside, True
        except FileExistsError:
            continue
        except OSError:  # no hard links here
            if os.path.exists(aside):
                continue
            os.replace(path, aside)
            return aside, False
    raise FileExistsError(errno.EEXIST, f"could not keep a copy of {path} beside it", str(path))  # pragma: no cover


def _put_back(path: Path, aside: Optional[Path], linked: bool, *, published: bool) -> None:
    """Undo :func:`_set_aside` and, if ``published``, the publication of a new ``path``: the old
    file back at ``path`` in one rename, or the new file removed where there was none."""
    if aside is None:
        if published:
            _remove_temporary(path)
        return
    if linked and not published:  # path still holds the old file: the second name goes
        _remove_temporary(aside)
        return
    _writable_on_windows(path)  # a new file made read-only (the old one's mode): Windows would refuse to replace it
    os.replace(aside, path)


def _writable_on_windows(path: Path) -> None:
    """On Windows, clear ``path``'s read-only attribute (if it exists), without which Windows
    refuses to replace or delete it; elsewhere the folder's permissions decide: nothing to do."""
    if _WINDOWS:
        with contextlib.suppress(OSError):
            os.chmod(path, (os.stat(path).st_mode & 0o7777) | stat.S_IWRITE)


def _remove_temporary(temporary: Path) -> None:
    """Delete ``temporary`` if it is still there (not published, or published by a hard link)."""
    _writable_on_windows(temporary)  # made read-only (the mode of a read-only file it was to replace): Windows would refuse
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


#: libsndfile's error code for a failed system call (a write, a seek ...).
SF_ERR_SYSTEM = 2


@contextlib.contextmanager
def os_reason_of_write_errors(temporary: PathLike, path: PathLike) -> Iterator[None]:
    """Within, libsndfile's write errors become the ``OSError`` behind them.

    libsndfile reports a failed write (a full disk, a file-size limit) as
    ``LibsndfileError('System error.')``, without the operating system's reason. Writing
    to the same (temporary) file from Python once more gets it: that ``OSError``
    (``ENOSPC``: the disk is full, ``EFBIG`` ...) is raised instead, naming ``path``; if
    that write works, an ``OSError`` (``EIO``) with libsndfile's message. Other libsndfile
    errors (a format that cannot hold the channels or the rate ...) pass unchanged.
    """
    sf = _soundfile()
    try:
        yield
    except sf.LibsndfileError as error:
        if getattr(error, "code", None) not in (SF_ERR_SYSTEM, 0):  # 0: libsndfile lost the code (a race it documents)
            raise
        try:
            with open(temporary, "ab") as handle:
                handle.write(bytes(1 << 16))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as reason:
            raise OSError(reason.errno, reason.strerror, os.fspath(path)) from error
        raise OSError(errno.EIO, f"libsndfile could not write the file ({error})", os.fspath(path)) from error


def write_audio(
    path: PathLike,
    x,
    sample_rate: float,
    *,
    subtype: str = "PCM_16",
    normalize: bool = False,
    peak_db: float = DEFAULT_PEAK_DB,
    force: bool = False,
    channels_first: bool = False,
) -> WriteResult:
    """Write ``x`` (channels, n) or (n,) to a WAV or FLAC file, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        ``.wav`` or ``.flac``. Must not exist unless ``force``.
    x : np.ndarray [shape=(channels, n) or (n,), real, finite]
        The samples: floats with full scale 1.0, or int16 / int32 PCM codes.
    sample_rate : int > 0
        Or a float that is a whole number (``16000.0``, as :class:`gl.Spectrogram` holds it).
    subtype : {'PCM_16', 'PCM_24', 'FLOAT'}
        PCM samples are rounded and clipped (see :func:`to_pcm`), FLOAT samples clipped
        to float32's range (not made inf); a :class:`ClippingWarning` says how many were clipped.
    normalize : bool
        Scale so that the peak is ``peak_db`` dBFS before converting.
    peak_db : float
        The peak ``normalize`` scales to, in dBFS (default :data:`DEFAULT_PEAK_DB`, -1).
    force : bool
        Replace an existing file.
    channels_first : bool
        Confirms that ``x`` is (channels, n) when it has more than 16 channels and more
        channels than samples: such a shape is refused otherwise, as it looks like
        soundfile's (n, channels) layout given by mistake.

    Returns
    -------
    WriteResult
        The path, the subtype, the number of clipped samples, the gain ``normalize``
        applied and the samples' peak.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from gl.audio import write_audio
    >>> x = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(8000) / 8000)     # (n,): one channel, peak 0.5
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     result = write_audio(os.path.join(folder, "tone.flac"), x, 8000, normalize=True)
    ...     files = os.listdir(folder)
    >>> result.subtype, round(result.gain, 2), round(float(20 * np.log10(result.peak)), 1)   # scaled to -1 dBFS
    ('PCM_16', 1.78, -1.0)
    >>> files                                  # the file alone: no temporary file left behind
    ['tone.flac']
    """
    file_format = audio_format(path, subtype)
    x = as_array("x", x)
    if x.dtype.kind not in "fiu" or x.dtype == bool:
        raise TypeError(f"x must be a real array of samples, got dtype {x.dtype}")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] == 0:
        raise ValueError(f"x must have shape (channels, n) with n >= 1, got {x.shape}")
    normalize, force = check_flag("normalize", normalize), check_flag("force", force)
    channels_first = check_flag("channels_first", channels_first)
    if x.shape[0] > max(16, x.shape[1]) and not channels_first:
        raise ValueError(
            f"x has shape {x.shape}: {x.shape[0]} channels of {x.shape[1]} samples? gl's audio is "
            "(channels, n); for (n, channels) audio (as soundfile.read returns it) pass x.T, "
            "or channels_first=True if it is that many channels"
        )
    if x.dtype.kind in "iu":  # integer PCM codes, as read_audio(dtype=np.int16 / np.int32) gives them
        if x.dtype not in (np.dtype(np.int16), np.dtype(np.int32)):
            raise TypeError(f"x has dtype {x.dtype}: give float samples in [-1, 1], or int16 / int32 PCM codes")
        x = x / float(2 ** (8 * x.dtype.itemsize - 1))  # full scale -> 1.0, as soundfile reads them
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    if isinstance(sample_rate, (float, np.floating)) and float(sample_rate).is_integer():
        sample_rate = int(sample_rate)  # 8000.0, as a Spectrogram holds it
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate < 1:
        raise ValueError(f"sample_rate={sample_rate!r} must be a positive whole number of Hz")
    check_audio_output(path, subtype, x.shape[0], sample_rate)
    # before the samples are converted: a write that cannot happen fails without a
    # ClippingWarning about a file it never wrote (atomic_output checks the path again)
    sf = _soundfile()
    check_output_path(path, force=force, probe=False)
    peak = float(np.max(np.abs(x)))
    gain = 1.0
    samples = None  # (n, channels), soundfile's layout
    bits = SUBTYPES[subtype]
    if normalize:
        if not np.isfinite(peak_db) or peak_db > 0:
            raise ValueError(f"peak_db={peak_db} must be <= 0 dBFS")
        target = 10.0 ** (peak_db / 20.0)
        if bits is not None:  # the largest PCM code is 1 - 2**(1 - bits) of full scale: 0 dBFS is one step above it
            target = min(target, (2.0 ** (bits - 1) - 1) / 2.0 ** (bits - 1))
            step, what, instead = 2.0 ** (1 - bits), f"{subtype}'s smallest step", " or the FLOAT subtype"  # one PCM code
        else:  # float32's smallest subnormal, 2**-149: below half of it a FLOAT sample is 0 too
            step, what, instead = float(np.finfo(np.float32).smallest_subnormal), "FLOAT's smallest sample", ""
        if target < step / 2 and peak > 0:
            warnings.warn(f"peak_db={peak_db:g} is below half of {what} ({20 * np.log10(step):.1f} dBFS): "
                          f"every sample rounds to 0 and {os.fspath(path)} will be silent; use a higher peak_db{instead}",
                          stacklevel=2)
        if peak > 0:
            # in two exact steps, x / 2^e then times target / m (peak = m 2^e, m in [0.5, 1)):
            # target / peak overflows for a subnormal peak (an inf gain made NaN samples)
            mantissa, exponent = np.frexp(peak)
            x = np.ldexp(x, -int(exponent))  # a new array, in x's dtype
            x *= target / float(mantissa)  # a Python float: float32 samples stay float32
            with np.errstate(over="ignore"):
                gain = target / peak  # reported (inf when the peak is subnormal); not applied
            peak = target
            samples = x.T
    if samples is None:
        samples = x.T
    clipped = 0
    if bits is None:
        if peak > FLOAT32_MAX:  # cast, these would be inf: a file read_audio refuses
            clipped = int(np.count_nonzero(np.abs(samples) > FLOAT32_MAX))
            samples = np.clip(samples, -FLOAT32_MAX, FLOAT32_MAX)
        samples = samples.astype(np.float32)
    else:
        samples, clipped = to_pcm(samples, bits)
    if clipped:
        limit = "" if bits is not None else f" beyond FLOAT's largest sample, {FLOAT32_MAX:.3g},"
        keep = "normalize (--normalize)" + ("" if bits is None or peak > FLOAT32_MAX else " or write FLOAT samples (--subtype FLOAT)")
        warnings.warn(
            f"{clipped} of {samples.size} samples clipped{limit} writing {os.fspath(path)} "
            f"(peak {peak:.3g} = {20 * np.log10(peak):+.1f} dBFS); {keep} to keep them",
            ClippingWarning,
            stacklevel=2,
        )
    with atomic_output(path, force=force) as temporary, os_reason_of_write_errors(temporary, path):
        sf.write(_sndfile_name(temporary), samples, int(sample_rate), subtype=subtype, format=file_format)
    return WriteResult(Path(path), subtype, clipped, gain, peak)
