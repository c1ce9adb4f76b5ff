"""gl as its users call it, for a type checker: ``mypy --strict`` must pass on this file.

gl ships ``py.typed``, so a user's type checker reads gl's annotations: an overload that
picks the wrong return type, a parameter typed narrower than the documented input (a list,
a float32 array, an int where a float goes) or a name left ``Any`` is an error, or a hole,
in *their* code. Each line here is a call the README or ``docs/`` makes, with the type the
caller relies on written as an annotation (no ``reveal_type``): ``tests/test_typing.py``
runs mypy on it (when mypy is installed) and also runs :func:`main`, so that every
annotation below is also what the call returns.

Nothing runs on import (pytest imports the file for its doctests): the calls are in
:func:`main`, on short signals.

An annotated assignment (``y: np.ndarray = ...``) takes ``Any`` without a word, so the calls
where an untyped decorator or a missing annotation could leave ``Any`` (the returns of
methods, importers, overloads) are wrapped in ``assert_type``, which does not.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np
import numpy.typing as npt

import gl
import gl.audio
import gl.importers
import gl.mel
import gl.metrics
import gl.windows
from gl.pghi import window_gamma
from gl.reconstruct import DEFAULT_INIT, DEFAULT_METHOD

if TYPE_CHECKING:  # an annotation accepts Any silently; assert_type does not (mypy ships typing_extensions)
    from typing_extensions import assert_type
else:  # at run time (Python 3.10 has no typing.assert_type, and typing_extensions is not a dependency)
    def assert_type(value, _type):
        return value

Array = np.ndarray
Metric = Union[np.float64, np.ndarray]  # one spectrogram: np.float64; a batch: an array


def transform(x: npt.NDArray[np.float64], x32: npt.NDArray[np.float32]) -> gl.STFT:
    """The transform, its geometry object and the librosa-style functions."""
    geometry = gl.STFT(n_fft=256, hop_length=64)
    X = assert_type(geometry.stft(x), Array)
    y = assert_type(geometry.istft(X, length=len(x)), Array)
    X32: np.ndarray = geometry.stft(x32)  # float32 in, complex64 out
    assert X32.dtype == np.complex64
    geometry.istft(X32)
    X2 = assert_type(gl.stft(x, n_fft=256, hop_length=64), Array)
    assert_type(gl.istft(X2, hop_length=64, length=len(x)), Array)
    gl.stft([0.0, 1.0, 0.5, -0.25] * 100, n_fft=64)  # a list is an array_like signal
    n_freq: int = geometry.n_freq
    n_frames: int = geometry.n_frames(len(x))
    length: int = geometry.default_length(n_frames)
    shorter: gl.STFT = geometry.replace(hop_length=128)
    low: bool = shorter.low_overlap
    nola: bool = geometry.nola_ok
    window: np.ndarray = geometry.window_array
    name: str | None = geometry.window_name
    speech = gl.STFT(n_fft=512, hop_length=160, win_length=400, window=("tukey", 0.25))
    overlap: int = assert_type(speech.win_length, int) - assert_type(speech.hop_length, int)  # scipy's noverlap
    gl.STFT(n_fft=512, hop_length=None, win_length=None)  # librosa's way of saying "the default"
    assert overlap == 240
    gl.STFT(n_fft=64, window=np.hanning(64), center=False, pad_mode="reflect", sym=True)
    gl.STFT(n_fft=64, window=[1.0] * 64)  # a list of samples, as get_window takes it
    gl.stft(x, n_fft=64, window=("kaiser", 8.0))
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray) and isinstance(shorter, gl.STFT)
    assert n_freq == 129 and length >= len(x) and not low and nola and window.shape == (256,)
    assert name == "hann" and speech.hop_length == 160 and y.shape == x.shape
    return geometry


def iterative(S: np.ndarray, S32: npt.NDArray[np.float32], geometry: gl.STFT, n: int) -> None:
    """The iterative methods, with and without their info."""
    y = assert_type(gl.griffinlim(S, geometry=geometry, n_iter=4, rng=0), Array)
    y, info = assert_type(gl.griffinlim(S, geometry=geometry, n_iter=4, rng=0, return_info=True),
                          tuple[Array, gl.PhaseRetrievalInfo])
    assert_type(info.final_db, Metric)
    final: float = float(info.final_db)
    history: np.ndarray = info.spectral_convergence_db
    method: str = info.method
    n_iter: int = info.n_iter
    converged: bool = info.converged
    elapsed: float = info.elapsed
    times: np.ndarray = info.times
    start: np.ndarray | None = info.initial_spectral_convergence
    print(f"{info.method} from {info.init}: {info.final_db:.1f} dB after {info.n_iter} iterations")
    assert history.shape == (4,) and method == "fgla" and n_iter == 4 and not converged and elapsed >= 0
    assert times.shape == (4,) and start is not None and np.isfinite(final)
    assert isinstance(info.final_db, np.float64) and isinstance(y, np.ndarray) and isinstance(info, gl.PhaseRetrievalInfo)
    y32: np.ndarray = gl.griffinlim(S32, n_iter=2, rng=np.random.default_rng(0), hop_length=64)
    assert y32.dtype == np.float32
    # librosa's call, moved over: its keywords and its seeds
    gl.griffinlim(S, n_iter=2, hop_length=64, win_length=256, window="hann", center=True, dtype=np.float32,
                  length=n, pad_mode="constant", momentum=0.99, init="random", random_state=0)
    gl.griffinlim(S, n_iter=2, hop_length=64, init=None, random_state=np.random.RandomState(0))
    gl.griffinlim(S, geometry=geometry, method="gla", n_iter=2, init=np.zeros(S.shape), length=n, tol=1e-3)
    gl.griffinlim(S.tolist(), n_iter=1, hop_length=64)  # a nested list is array_like

    def stop(iteration: int, info: gl.PhaseRetrievalInfo) -> bool:
        return iteration >= 2 or bool(info.final_db < -80)

    gl.griffinlim(S, geometry=geometry, n_iter=5, rng=0, callback=stop, n_threads=1)

    def stop_on_array(iteration: int, info: gl.PhaseRetrievalInfo) -> np.bool_:  # "or a numpy bool"
        return np.bool_(iteration >= 2)

    gl.griffinlim(S, geometry=geometry, n_iter=5, rng=0, callback=stop_on_array)
    gl.griffinlim(S, geometry=geometry, n_iter=5, rng=0, callback=lambda i, info: info.final_db < -80)
    history_seen: list[float] = []
    gl.griffinlim(S, geometry=geometry, n_iter=3, rng=0, callback=lambda i, info: history_seen.append(float(info.final_db)))
    assert len(history_seen) == 3
    flag: bool = bool(np.random.default_rng(0).random() > 2)
    maybe = gl.griffinlim(S, geometry=geometry, n_iter=1, rng=0, return_info=flag)  # a bool: either form
    assert isinstance(maybe, np.ndarray)
    for function in (gl.agla, gl.raar, gl.difference_map, gl.difference_map_fgla, gl.admm):
        z: np.ndarray = function(S, geometry=geometry, n_iter=2, rng=0)
        z, info = function(S, geometry=geometry, n_iter=2, rng=0, return_info=True)
        assert z.shape == (n,) or z.ndim == 1
    gl.agla(S, geometry=geometry, n_iter=2, rng=0, alpha=0.99, beta=0.0, gamma=1.0)
    gl.raar(S, geometry=geometry, n_iter=2, rng=0, beta=0.9)
    gl.difference_map(S, geometry=geometry, n_iter=2, rng=0, beta=1.0)
    gl.difference_map_fgla(S, geometry=geometry, n_iter=4, n_dm=2, rng=0)
    gl.admm(S, geometry=geometry, n_iter=2, rng=0, rho=0.1)


def one_pass(S: np.ndarray, geometry: gl.STFT, n: int) -> None:
    """PGHI, SPSI and the default method."""
    y: np.ndarray = gl.pghi(S, geometry=geometry, length=n)
    y, info = gl.pghi(S, geometry=geometry, length=n, return_info=True)
    y, phase = gl.pghi(S, geometry=geometry, return_phase=True)
    y, phase, info = assert_type(gl.pghi(S, geometry=geometry, rng=0, return_phase=True, return_info=True),
                                 tuple[Array, Array, gl.PhaseRetrievalInfo])
    gl.pghi(S, geometry=geometry, gamma=0.25645 * 256**2, tol=1e-5)
    gamma: float = window_gamma(geometry)
    gl.pghi(S, geometry=geometry, gamma=gamma)
    y = gl.spsi(S, geometry=geometry, length=n)
    y, info = gl.spsi(S, geometry=geometry, length=n, return_info=True)
    y, phase = gl.spsi(S, geometry=geometry, return_phase=True)
    y, phase, info = gl.spsi(S, geometry=geometry, return_phase=True, return_info=True)
    y = gl.reconstruct(S, geometry=geometry, length=n, n_iter=4)
    y, info = gl.reconstruct(S, geometry=geometry, length=n, n_iter=4, return_info=True)
    y, info = gl.reconstruct(S, method="fgla", n_iter=2, init="random", rng=0, geometry=geometry, return_info=True)
    y, phase = gl.reconstruct(S, method="pghi", geometry=geometry, return_phase=True)
    y, phase, info = assert_type(gl.reconstruct(S, method="spsi", geometry=geometry, return_phase=True, return_info=True),
                                 tuple[Array, Array, gl.PhaseRetrievalInfo])
    method: str = DEFAULT_METHOD
    init: str = DEFAULT_INIT
    assert phase.shape == S.shape and y.ndim == 1 and info.n_iter == 1 and method and init


def streaming(S: np.ndarray, geometry: gl.STFT, n: int) -> None:
    """The streaming inverters, frame by frame and whole."""
    stream = gl.RTISILA(geometry)
    pieces = [assert_type(stream.push(S[:, k : k + 4]), Array) for k in range(0, S.shape[1], 4)]
    pieces.append(assert_type(stream.flush(), Array))
    latency: int = stream.latency_samples
    state: int = stream.state_bytes
    done: bool = stream.finished
    stream.reset()
    rt = gl.RTPGHI(geometry, lookahead=1, rng=0)
    out: np.ndarray = np.concatenate([rt.push(S[:, k : k + 1]) for k in range(S.shape[1])] + [rt.flush()])
    inverter: gl.StreamingInverter = gl.RTPGHI(geometry, lookahead=0, causal_difference="backward2")
    whole = assert_type(gl.invert_stream(inverter, S, chunk_frames=8), Array)
    inverter.reset()
    assert_type(inverter.push(S[:, :2]), Array)
    y: np.ndarray = gl.rtisila(S, geometry=geometry, length=n)
    y, info = gl.rtisila(S, geometry=geometry, lookahead=2, n_iter_per_frame=2, return_info=True)
    y = gl.rtpghi(S, geometry=geometry, length=n)
    y, info = gl.rtpghi(S, geometry=geometry, lookahead=0, causal_difference="backward2", return_info=True)
    y = gl.reconstruct_long(S, method="fgla", init="random", n_iter=2, rng=0, geometry=geometry, block_frames=16)
    y, info = assert_type(gl.reconstruct_long(S, method="fgla", n_iter=2, geometry=geometry, block_frames=16,
                                              return_info=True), tuple[Array, gl.PhaseRetrievalInfo])
    with tempfile.TemporaryDirectory() as folder:
        written: int = gl.reconstruct_long(S / 4, method="pghi", geometry=geometry, sr=8000, block_seconds=0.1,
                                           output=Path(folder) / "long.flac")
        gl.reconstruct_long(S, method="pghi", geometry=geometry, sr=8000, output=str(Path(folder) / "long.wav"),
                            subtype="FLOAT")
    assert latency > 0 and state > 0 and done and out.ndim == whole.ndim == y.ndim == 1 and written > 0
    assert isinstance(info.floored_between_frames, (bool, np.bool_, np.ndarray))


def spectrograms(x: np.ndarray, geometry: gl.STFT) -> None:
    """gl.Spectrogram, its file, and the importers of other libraries' spectrograms."""
    spec = gl.Spectrogram.from_audio(x, 8000, geometry=geometry)
    spec = gl.Spectrogram.from_audio(x, 8000.0, n_fft=256, hop_length=64)
    y: np.ndarray = spec.invert(n_iter=4)
    y, info = assert_type(spec.invert(method="fgla", n_iter=2, rng=0, return_info=True), tuple[Array, gl.PhaseRetrievalInfo])
    y = spec.invert(method="fgla", n_iter=2, block_seconds=0.5, momentum=0.9)  # a method's own keyword
    duration: float | None = spec.duration
    rate: float | None = spec.sample_rate
    n_frames: int = spec.n_frames
    magnitude: np.ndarray = spec.magnitude
    made = gl.Spectrogram(np.abs(geometry.stft(x)), geometry, sample_rate=8000, length=len(x))
    gl.Spectrogram(magnitude.astype(np.float32), geometry)
    with tempfile.TemporaryDirectory() as folder:
        made.save(Path(folder) / "s.npz")
        made.save(str(Path(folder) / "t.npz"), force=True)
        made.save(str(Path(folder) / "u.npz").encode(), force=True)  # bytes, decoded as the file system does
        back = assert_type(gl.Spectrogram.load(Path(folder) / "s.npz"), gl.Spectrogram)
        gl.Spectrogram.load(str(Path(folder) / "t.npz"))
    assert duration and rate == 8000.0 and n_frames > 0 and back.length == len(x) and y.ndim == 1

    fs, nperseg, noverlap = 8000, 256, 192
    Sxx = np.abs(gl.stft(x, n_fft=nperseg, hop_length=nperseg - noverlap, center=False)) ** 2
    f = np.fft.rfftfreq(nperseg, 1 / fs)
    t = (nperseg / 2 + (nperseg - noverlap) * np.arange(Sxx.shape[1])) / fs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scaling and detrend warnings do not concern the types
        s1 = assert_type(gl.importers.from_scipy_spectrogram(Sxx, fs, f=f, t=t, window="hann", noverlap=noverlap,
                                                                 detrend=False), gl.Spectrogram)
        gl.importers.from_scipy_spectrogram(Sxx.astype(np.float32), float(fs), window=np.hanning(nperseg),
                                            nperseg=nperseg, noverlap=noverlap, detrend=False, mode="psd")
        Zxx = gl.stft(x, n_fft=nperseg, hop_length=nperseg - noverlap, center=False)
        gl.importers.from_scipy_stft(Zxx, fs, nperseg=nperseg, noverlap=noverlap, boundary=None, padded=False)
        gl.importers.from_shorttimefft(Sxx, win=np.hanning(nperseg), hop=nperseg - noverlap, fs=fs)
        D = gl.stft(x, n_fft=256, hop_length=64)
        assert_type(gl.importers.from_librosa(D, sr=8000, hop_length=64), gl.Spectrogram)
        gl.importers.from_librosa(np.abs(D) ** 2, sr=8000, hop_length=64, power=2.0)
        S_db = 10 * np.log10(np.maximum(np.abs(D) ** 2, 1e-10))
        gl.importers.from_librosa(S_db, sr=8000, hop_length=64, db="power", ref=1.0, top_db=80)
        power = assert_type(gl.importers.from_db(S_db, db="power"), Array)
        assert_type(gl.importers.from_torchaudio(np.abs(D) ** 2, sample_rate=8000, n_fft=256, hop_length=64), gl.Spectrogram)
        fb: np.ndarray = gl.mel.mel_filterbank(sr=8000, n_fft=256, n_mels=32)
        M = fb @ np.abs(D) ** 2
        s2: gl.Spectrogram = gl.importers.from_mel(M, sr=8000, n_fft=256, hop_length=64, n_iter_nnls=5)
        gl.importers.from_mel(M, sr=8000, n_fft=256, hop_length=64, fmax=4000, n_iter_nnls=5, norm=None)
        gl.importers.from_torchaudio_mel(M, sample_rate=8000, n_fft=256, hop_length=64, n_mels=32, n_iter_nnls=5,
                                         norm="slaney", mel_scale="slaney", f_max=4000.0)
        importer = gl.importers.CONVENTIONS["librosa"]
        importer(D, sr=8000, hop_length=64)
    assert s1.n_frames == Sxx.shape[1] and s2.n_frames == M.shape[1] and power.shape == D.shape


def measures(x: np.ndarray, S: np.ndarray, geometry: gl.STFT) -> None:
    """gl.metrics, gl.mel and gl.windows."""
    y = gl.griffinlim(S, geometry=geometry, n_iter=2, rng=0, length=len(x))
    X = geometry.stft(y)
    sc: float = float(assert_type(gl.metrics.spectral_convergence(S, X), Metric))
    sc_db: float = float(gl.metrics.spectral_convergence_db(S, X))
    print(f"{gl.metrics.spectral_convergence_db(S, X):.1f} dB")
    float(gl.metrics.signal_spectral_convergence(S, y, geometry))
    float(gl.metrics.inconsistency(X, geometry))
    snr: float = float(gl.metrics.snr(x, y))
    batch = gl.metrics.snr(np.stack([x, x]), np.stack([y, y]))
    assert np.shape(batch) == (2,) and sc >= 0 and sc_db < 0 and np.isfinite(snr)
    float(gl.metrics.to_db(0.5))
    mels: np.ndarray = gl.mel.hz_to_mel(440.0)
    gl.mel.hz_to_mel([110, 220, 440], htk=True)
    hz: np.ndarray = gl.mel.mel_to_hz(mels)
    centres: np.ndarray = gl.mel.mel_frequencies(40, fmin=0, fmax=8000, htk=True)
    fb = assert_type(gl.mel.mel_filterbank(sr=16000, n_fft=512, n_mels=40, fmax=8000.0, norm=None, dtype=np.float64), Array)
    gl.mel.mel_filterbank(sr=22050, n_fft=1024, norm=1, bins="torchaudio")
    M = fb @ (np.abs(gl.stft(x, n_fft=512)) ** 2)
    linear: np.ndarray = gl.mel.mel_to_stft(M, filterbank=fb, power=2.0, n_iter=5)
    w: np.ndarray = gl.windows.get_window("hann", 256)
    gl.windows.get_window(("gaussian", 40.0), 256, sym=True)
    named: tuple[str, bool] | None = gl.windows.name_of(w)
    assert np.allclose(hz, 440.0) and centres.shape == (40,) and linear.shape[0] == 257 and named == ("hann", False)


def audio(x: np.ndarray) -> None:
    """gl.audio: never a partial file."""
    with tempfile.TemporaryDirectory() as folder:
        result: gl.audio.WriteResult = gl.audio.write_audio(Path(folder) / "x.wav", x, 8000)
        gl.audio.write_audio(str(Path(folder) / "y.flac"), np.stack([x, x]).astype(np.float32), 8000.0,
                             subtype="PCM_24", normalize=True, channels_first=True)
        samples, rate = assert_type(gl.audio.read_audio(result.path), tuple[Array, int])
        samples32, _ = gl.audio.read_audio(str(result.path), dtype=np.float32)
        clipped: int = result.clipped
        gain: float = result.gain
        with warnings.catch_warnings():
            warnings.simplefilter("error", gl.audio.ClippingWarning)
            with gl.audio.atomic_output(Path(folder) / "z.txt") as temporary:
                temporary.write_text("done")
    shape: tuple[int, ...] = samples.shape
    sr: int = rate
    assert shape == (1, len(x)) and sr == 8000 and samples32.dtype == np.float32 and clipped == 0 and gain == 1.0


def main() -> None:
    """Every call above, on a 0.4 s signal."""
    sr = 8000
    t = np.arange(int(0.4 * sr)) / sr
    x = np.sin(2 * np.pi * 330 * t) * np.exp(-2 * t) + 0.1 * np.sin(2 * np.pi * 1200 * t)
    geometry = transform(x, x.astype(np.float32))
    S: np.ndarray = np.abs(geometry.stft(x))
    iterative(S, S.astype(np.float32), geometry, len(x))
    one_pass(S, geometry, len(x))
    streaming(S, geometry, len(x))
    spectrograms(x, geometry)
    measures(x, S, geometry)
    audio(0.5 * x)


if __name__ == "__main__":
    main()
