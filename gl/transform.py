"""The short-time Fourier transform and its least-squares inverse, written out in NumPy.

One object, :class:`STFT`, holds the geometry of a transform (FFT size, hop, window,
framing) and does everything that depends on it: the analysis ``X = STFT(x)``, the
least-squares synthesis ``x = ISTFT(X)``, the window sum and the frame counts. Phase
retrieval algorithms take the same object, so the eight keywords are never repeated.

Conventions (librosa's, which most code uses), in the letters of the tutorial (docs/01):
bin ``m``, frame ``n``, sample ``j`` of a frame, sample ``t`` of the signal:

* frame ``n`` covers samples ``x_pad[n*a : n*a + M]`` of the padded signal, where ``a``
  is the hop and ``M`` the FFT size; with ``center=True`` the signal is padded by
  ``M // 2`` samples on both sides (``pad_mode``), so frame ``n`` is centred on sample
  ``n*a`` of the signal; with ``center=False`` nothing is padded and frame ``n`` starts at
  sample ``n*a`` (``scipy.signal.spectrogram``'s framing);
* ``X[..., m, n] = sum_j w[j] x_pad[n*a + j] exp(-2 pi i m j / M)``: the phase is
  referenced to the start of the frame and nothing is scaled;
* the inverse is the least-squares estimate of Griffin and Lim (1984),

  .. math:: x[t] = \\frac{\\sum_n w[t - na]\\, y_n[t - na]}{\\sum_n w[t - na]^2},
     \\qquad y_n = \\mathrm{IDFT}(X[:, n]),

  which inverts ``X`` exactly when ``X`` is the STFT of a signal, and otherwise returns
  the signal whose STFT is closest to ``X`` in the least-squares sense (over the full,
  two-sided spectrum: every bin but DC and Nyquist counts twice). Samples where the
  window sum is at or below ``WINDOW_SUM_FLOOR`` times its maximum cannot be recovered (the
  division would amplify noise by ``1 / w``): they are set to zero.

References
----------
D. Griffin and J. Lim, "Signal estimation from modified short-time Fourier transform",
IEEE Trans. ASSP 32(2), 1984.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Optional

import numpy as np

from ._checks import as_array, check_choice, check_flag, underflow_is_a_value
from ._spares import Spares
from .windows import WindowSpec, get_window, window_name

__all__ = ["STFT", "stft", "istft", "NOLAWarning", "WINDOW_SUM_FLOOR", "PAD_MODES"]

PadMode = Literal["constant", "reflect", "edge"]
#: numpy's ``norm`` of an FFT.
FFTNorm = Literal["backward", "ortho", "forward"]
#: The padding modes of centred frames.
PAD_MODES = ("constant", "reflect", "edge")

#: Samples whose window sum ``sum_n w[t - na]^2`` is at or below this fraction of its maximum are
#: treated as unrecoverable and set to zero by the inverse transform. The division would
#: amplify any inconsistency of the frames there by up to ``1 / sqrt(floor)`` = 1000.
#: Measured on 16 kHz tone bursts inverted by Griffin-Lim through a symmetric Hann of 320
#: samples, hop 280, frames not centred: with a floor of 1e-8 the third sample came out
#: 11x the largest interior sample; with 1e-6 the edges stay below the interior peak and
#: 4 samples at each end are zeroed (12 at the start and 11 at the end for a periodic Hann of
#: 1024 at hop 256: the periodic window is not symmetric about its centre).
#: Above the floor the division stays exact, and a reconstruction keeps whatever error its
#: frames have there, times ``1 / w``: a tone at full level from sample 0, through scipy's
#: default spectrogram (Tukey 0.25 of 256, hop 224, not centred), came back with its first
#: samples at 12x its peak (gl's default method). Dividing the result by ``max(sum, 0.1
#: max)`` everywhere instead brought that to 3x, but cost up to 67 dB of spectral
#: convergence where a reconstruction had converged (speech through Hann 512 at hop 448:
#: -88 -> -21 dB), so the inverse stays least squares, as librosa's and scipy's are. What
#: that floor cost came from the dips inside a low-overlap signal, whose samples the
#: converged reconstruction needed to match the spectrogram; they were not right for all
#: that (spikes, the level several dB too high: :attr:`STFT.low_overlap`), and where a
#: result shows them ``Spectrogram.invert`` runs again with iterations that divide by the
#: floor there, the result staying the least-squares synthesis of their last spectra
#: but in the deepest dips (``RESULT_FLOOR`` below; :mod:`gl._engine`, *Low overlap*). At
#: the two ends alone the floor costs 0 to 3.4 dB on excerpts of a few seconds (more on
#: very short signals, whose ends are a larger share), and ``Spectrogram.invert`` and the
#: streams apply it there (``EDGE_FADE`` below).
WINDOW_SUM_FLOOR = 1e-6

#: Fraction of the largest window sum below which the first and last samples of a
#: reconstruction are faded rather than divided by the sum (``Spectrogram.invert`` and the
#: streaming inverters, ``fade_edges``): the amplification is then at most about
#: ``1 / sqrt(EDGE_FADE)`` where the sum is one window's square.
EDGE_FADE = 0.1

#: Fraction of the largest window sum below which the result of iterations run with a floor
#: between frames (``Spectrogram.invert``'s second run, :mod:`gl._engine`, *Low overlap*) is
#: divided by this fraction rather than by the sum. Elsewhere such a result is the least-squares
#: synthesis of its last spectra, whose errors it amplifies by ``w / W``; in the deepest dips
#: of windows that hardly overlap, ``1 / w`` reaches hundreds. Hann 1024 at hop 1000 (window
#: sum down to 4e-6 of its peak between frames; 4 s of the six dev clips, gl's default
#: method): least squares came back +2.6 dB too loud on average, peaks up to 10 times the
#: input's, spectral convergence on a dense STFT (hop 128) -0.7 dB; with this floor -1.1 dB,
#: 1.6 times, -6.8 dB (hop 1016: +3.8 dB, 17.7 times, +1.2 dB -> -1.1 dB, 1.7 times, -6.8
#: dB). Above it nothing changes: scipy's Hann 256 at hop 224 dips to 0.29 %.
RESULT_FLOOR = 1e-3

#: Frames transformed per block; keeps the work arrays of one block in cache.
_BLOCK_BYTES = 1 << 20


class NOLAWarning(UserWarning):
    """The window sum vanishes inside the signal: some samples cannot be recovered.

    Emitted by every inverse (:meth:`STFT.istft`, the phase retrievals, the streams) of a
    geometry that breaks NOLA (nonzero overlap-add, :attr:`STFT.nola_ok`): the frames leave
    gaps, samples there come back as 0 and their neighbours amplified. The fix is a geometry
    whose windows overlap: a smaller ``hop_length`` (a quarter or half of ``n_fft``).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import gl
    >>> x = np.sin(2 * np.pi * 440 * np.arange(4000) / 8000)
    >>> geometry = gl.STFT(n_fft=256, hop_length=256)          # Hann frames end to end
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y = geometry.istft(geometry.stft(x), length=len(x))
    >>> [type(w.message).__name__ for w in caught], geometry.nola_ok, bool(np.allclose(y, x))
    (['NOLAWarning'], False, False)
    >>> overlapping = gl.STFT(n_fft=256, hop_length=128)       # frames that overlap by half
    >>> overlapping.nola_ok, bool(np.allclose(overlapping.istft(overlapping.stft(x), length=len(x)), x))
    (True, True)
    """


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer")
    if value < minimum:
        raise ValueError(f"{name}={value} must be >= {minimum}")
    return int(value)


#: The largest ``n_fft``: 2^26 samples, 25 minutes at 44.1 kHz in one frame, whose window alone
#: takes 512 MiB. Beyond it the window cannot be made (numpy's MemoryError, or 'Maximum
#: allowed size exceeded' from 2^63 bytes), and no spectrogram has such frames.
MAX_N_FFT = 2**26


def check_n_fft(n_fft, name: str = "n_fft") -> int:
    """An FFT size: an integer from 2 to :data:`MAX_N_FFT`."""
    n_fft = _check_int(name, n_fft, 2)
    if n_fft > MAX_N_FFT:
        raise ValueError(f"{name}={n_fft} is larger than gl handles (at most 2**26 = {MAX_N_FFT} samples a frame, "
                         "25 minutes at 44.1 kHz); an FFT size of 256 to 8192 suits audio")
    return n_fft


def bins_mismatch(name: str, n_freq: int, n_fft: int, n_frames: Optional[int] = None) -> str:
    """The error for a spectrogram ``name`` of ``n_freq`` rows that ``n_fft`` does not give:
    what ``n_fft`` gives, and which ``n_fft`` the rows imply (``2 (n_freq - 1)`` or
    ``2 n_freq - 1``), in the same words wherever a spectrogram meets its geometry. With
    ``n_frames`` (its last axis), an array given the other way round, (frames, bins), is
    told to transpose."""
    message = f"{name} has {n_freq} frequency bins but n_fft={n_fft} gives {n_fft // 2 + 1}; {name} implies {implied_sizes(n_freq)}"
    if n_frames is not None and n_frames == n_fft // 2 + 1:
        message += (f"; its {n_frames} frames are that many: if {name} is (frames, bins), pass {name}.T (gl reads "
                    "(..., n_freq, n_frames), as librosa, scipy and torchaudio make them)")
    return message


def implied_sizes(n_freq: int, size: str = "n_fft") -> str:
    """The FFT sizes ``n_freq`` one-sided rows come from, ``'n_fft=6 or 7'`` for 4 rows (``size``
    names the parameter), or ``'no valid n_fft'`` for fewer than 2."""
    return f"{size}={2 * (n_freq - 1)} or {2 * n_freq - 1}" if n_freq > 1 else f"no valid {size}"


def implied_n_fft(name: str, shape: tuple) -> int:
    """``2 * (n_freq - 1)``, the ``n_fft`` librosa infers from a spectrogram ``name`` of
    ``shape`` (..., n_freq, n_frames) when none is given; a ValueError naming ``name`` when
    it has fewer than the 2 bins the smallest ``n_fft`` gives (not one about an ``n_fft=0``
    or ``n_fft=-2`` the caller never wrote)."""
    if len(shape) < 2:
        raise ValueError(f"{name} must have shape (..., n_freq, n_frames), got shape {tuple(shape)}")
    n_freq = shape[-2]
    if n_freq < 2:
        raise ValueError(
            f"{name} has {n_freq} frequency bins and implies no valid n_fft (n_fft defaults to 2 * (n_freq - 1), "
            f"and n_fft >= 2 gives at least 2 bins); is its shape (..., n_freq, n_frames)? Else give n_fft"
        )
    return 2 * (n_freq - 1)


#: The smallest largest value a window may have: the transforms carry ``w^2 x`` and divide
#: by ``sum w^2``, which float32 cannot hold below about 1e-38.
MIN_WINDOW_PEAK = 1e-15

#: The largest peak a window may have: ``w^2 x`` summed over the frames must stay finite in
#: float32 (about 3e38), and the window sum with it (a float32 istft first fails from 1e19).
MAX_WINDOW_PEAK = 1e18


def real_dtype(array: np.ndarray) -> np.dtype:
    """float32 for float16/float32/complex64 data, float64 otherwise: numpy's FFT (and
    librosa) compute float16 in float32 too; gl has no long-double transform."""
    native = array.dtype.newbyteorder("=")  # '>f4' is float32 data too
    return np.dtype(np.float32) if native in (np.float32, np.complex64, np.float16) else np.dtype(np.float64)


def native_order(array: np.ndarray) -> np.ndarray:
    """``array`` in the machine's byte order (a copy only if it was not): a big-endian
    ``'>f4'`` array read from a file computes as, and gives the same bits as, float32."""
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))


def complex_dtype(real: np.dtype) -> np.dtype:
    return np.dtype(np.complex64) if real == np.float32 else np.dtype(np.complex128)


def fft_norms(real: np.dtype) -> tuple[FFTNorm, FFTNorm]:
    """numpy ``norm`` of the fast forward and inverse real FFT of gl's blocks of frames, for dtype ``real``.

    numpy 2.x transforms float32 data in float32, but a float32 transform that leaves its
    output unscaled is slower than one that scales it, while float64 is a little faster
    unscaled. In the speed study (``benchmarks/results/speed.json``, the iteration's
    ``bare_fft_blocked``: rfft + irfft of 862 frames of 1024 or 431 of 2048 in blocks of
    1 MiB, numpy 2.4, 2026-11-30) the float32 pair took 1.31 to 1.33 times as long with the
    forward transform unscaled, 1.37 to 1.38 with the inverse unscaled and 1.62 to 1.63
    with both, as the pair that scales both; in float64 the pair that scales neither was
    the fastest, the three others 1.03 to 1.07 times as long. So the block transforms
    scale in float32 (forward ``'forward'``, inverse ``'backward'``) and not in float64
    (forward ``'backward'``, inverse ``'forward'``), and the factor left over (``n_fft`` or
    ``1 / n_fft``) is folded into the window they apply anyway
    (:meth:`STFT._analysis_window`, :meth:`STFT._synthesis_window`): the results are the
    usual ``rfft`` and ``irfft``.
    """
    return ("forward", "backward") if np.dtype(real) == np.float32 else ("backward", "forward")


_FFT_HAS_OUT = int(np.__version__.split(".")[0]) >= 2

#: numpy 1.x: the most bytes of one work array of a block transform (see :func:`_legacy_fft`).
_LEGACY_BYTES = 1 << 20

#: numpy 1.x: spare work arrays of :func:`_legacy_fft` (flat, float64 and complex128), as
#: gl._trig's: at most four of each dtype stay, each of 1 MiB (or one row, for an n_fft beyond
#: 128 Ki samples in float64, 64 Ki in complex128).
# (mypy infers no type for a lambda with a default argument, here the usual binding of each dtype)
_LEGACY_SPARES: dict[np.dtype, Spares[np.ndarray]] = {
    dtype: Spares(lambda size, dtype=dtype: np.empty(max(size, _LEGACY_BYTES // dtype.itemsize), dtype=dtype))  # type: ignore[misc]
    for dtype in (np.dtype(np.float64), np.dtype(np.complex128))
}


def _rfft(frames: np.ndarray, n_fft: int, out: np.ndarray, norm: FFTNorm = "backward") -> np.ndarray:
    if _FFT_HAS_OUT:
        return np.fft.rfft(frames, n=n_fft, axis=-1, norm=norm, out=out)  # type: ignore[call-arg, unused-ignore]  # numpy 1.x's stubs: no out
    if frames.ndim == 2 and frames.shape[-1] == n_fft:
        return _legacy_fft(np.fft.rfft, frames, n_fft, out, norm, np.dtype(np.float64))
    out[...] = np.fft.rfft(frames, n=n_fft, axis=-1, norm=norm)
    return out


def _irfft(spectra: np.ndarray, n_fft: int, out: np.ndarray, norm: FFTNorm = "backward") -> np.ndarray:
    if _FFT_HAS_OUT:
        return np.fft.irfft(spectra, n=n_fft, axis=-1, norm=norm, out=out)  # type: ignore[call-arg, unused-ignore]  # numpy 1.x's stubs: no out
    if spectra.ndim == 2 and spectra.shape[-1] == n_fft // 2 + 1:
        return _legacy_fft(np.fft.irfft, spectra, n_fft, out, norm, np.dtype(np.complex128))
    out[...] = np.fft.irfft(spectra, n=n_fft, axis=-1, norm=norm)
    return out


def _legacy_fft(transform, values: np.ndarray, n_fft: int, out: np.ndarray, norm: FFTNorm, dtype: np.dtype) -> np.ndarray:
    """numpy 1.x's ``out[...] = transform(values, n=n_fft, axis=-1, norm=norm)`` for a 2-D block, without its temporaries.

    numpy 1.x has no ``out=`` and transforms in float64 only: it converted float32 frames to
    float64 and complex64 spectra to complex128, and ``irfft`` padded the spectra to
    ``n_fft`` with zeros first, all in new arrays as large as the block (6 MB for an
    inverse of 194 frames of 1024 in float32). glibc gave them back to the system when they
    were freed, and every call page-faulted them in again: in ``gl demo`` (float32, 194
    frames of 1024) about 750 page faults a transform, which made each transform, and the
    demo, much slower than with the kept work arrays below (an ad-hoc measurement with
    numpy 1.23 and 1.26, 2026-11-29; no committed result covers numpy 1.x). Here float32
    frames are copied into a kept float64 work array and spectra into a kept complex128 one
    of rows of ``n_fft`` (an ``irfft`` input longer than ``n_fft // 2 + 1`` is cropped, so
    numpy neither pads nor copies it), at most ``_LEGACY_BYTES`` of it at a time (float64
    frames go as they are, in as many rows).
    The same transform of the same float64 values: the same bits.
    """
    rows = max(1, min(_LEGACY_BYTES // (n_fft * dtype.itemsize), values.shape[0]))
    spares = _LEGACY_SPARES[dtype]
    work = spares.take(rows * n_fft)
    try:
        width = values.shape[-1]
        as_it_is = values.dtype == dtype and width == n_fft  # float64 frames: numpy takes them as they are
        for first in range(0, values.shape[0], rows):
            last = min(first + rows, values.shape[0])
            if as_it_is:
                block = values[first:last]
            else:
                block = work[: (last - first) * n_fft].reshape(last - first, n_fft)
                np.copyto(block[:, :width], values[first:last])
            out[first:last] = transform(block, n=n_fft, axis=-1, norm=norm)
    finally:
        spares.give_back(work)
    return out


def _abs_peak(values: np.ndarray) -> float:
    """``max |v|`` of a real array, or the largest real or imaginary part of a complex one,
    by reductions (no temporary as large as ``values``); 0 for an empty one."""
    if not values.size:
        return 0.0
    parts = (values.real, values.imag) if values.dtype.kind == "c" else (values,)
    return max(max(float(np.max(part)), -float(np.min(part))) for part in parts)


def binary_exponent(peak: float) -> int:
    """``e`` with ``peak = m 2^e``, ``m`` in ``[0.5, 1)`` (0 for 0): dividing by ``2^e`` with
    ``np.ldexp`` brings values up to ``peak`` into ``[0, 1)`` exactly, so that their squares
    and sums neither underflow nor overflow (the scaling of gl's methods, metrics and NNLS)."""
    return int(np.frexp(peak)[1]) if peak > 0 else 0


def binary_exponents(peaks) -> np.ndarray:
    """:func:`binary_exponent` of each of ``peaks`` (0 for 0), for scaling each batch item
    on its own; C ints, the exponent type of numpy's ``ldexp`` loop on every platform."""
    return np.frexp(np.asarray(peaks, dtype=np.float64))[1].astype(np.intc)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside the gl package: where the user called gl."""
    import sys
    from types import FrameType

    package = os.path.dirname(os.path.abspath(__file__))
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == package:
        frame, level = frame.f_back, level + 1
    return level


#: This thread's "the NOLA warning was given already" (see :func:`nola_warned`).
_nola_warned = threading.local()


@contextlib.contextmanager
def nola_warned():
    """Within, this thread repeats no NOLA warning: for a caller that warned once and then
    runs many transforms of the same geometry (:func:`gl.reconstruct_long`'s blocks). Per
    thread: a ``warnings.catch_warnings`` block would change every thread's filters."""
    previous = getattr(_nola_warned, "active", False)
    _nola_warned.active = True
    try:
        yield
    finally:
        _nola_warned.active = previous


@dataclass(frozen=True, eq=False)
class STFT:
    """The geometry of a short-time Fourier transform, and the transform itself.

    Parameters
    ----------
    n_fft : int
        FFT size ``M`` (any integer >= 2; odd sizes work). Each frame has
        ``n_fft // 2 + 1`` frequency bins. NumPy's FFT is fastest for sizes with
        small prime factors: a prime size (1021, 2039, 4093) made a fast Griffin-Lim
        iteration 4.4 to 5.7 times slower than 1024, 2048 or 4096 on the same frames
        (gl then 1.5 to 2.8 times faster than librosa, against 3.4 to 4.0 at the
        powers of two), and 1102 = 2 x 19 x 29 made the FFTs 3.9 times slower than
        1024 (float32, one thread, medians; ``benchmarks/bench_geometries.py``,
        ``results/geometries.json``'s ``fft_sizes``, at a load average of 4.5 on 2
        cores: noisy ratios, which the report also gives from the fastest repeats).
    hop_length : int, optional
        Hop ``a`` between frames, ``1 <= hop_length <= win_length``. Default
        ``win_length // 4``.
    win_length : int, optional
        Window length, ``<= n_fft``; a shorter window is centred in the frame and
        zero-padded to ``n_fft``. Default ``n_fft``.
    window : str, tuple or np.ndarray
        A window name or ``(name, parameter)`` tuple from :mod:`gl.windows`, or an
        array of ``win_length`` samples. Default ``'hann'``.
    center : bool
        True (default): frames centred on ``n * hop_length``, the signal padded by
        ``n_fft // 2`` on both sides (librosa, torchaudio). False: frame ``n`` starts at
        sample ``n * hop_length`` and nothing is padded (``scipy.signal.spectrogram``).
    pad_mode : {'constant', 'reflect', 'edge'}
        How centred frames are padded. Default ``'constant'`` (zeros), librosa's.
    sym : bool
        Use the symmetric form of a named window instead of the periodic one.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> geometry = gl.STFT(n_fft=512, hop_length=128)
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> X = geometry.stft(x)
    >>> X.shape                      # (n_fft // 2 + 1, 1 + len(x) // hop_length)
    (257, 32)
    >>> y = geometry.istft(X, length=len(x))
    >>> bool(np.allclose(x, y))
    True
    """

    n_fft: int = 2048
    if TYPE_CHECKING:
        # As read back, both are ints: __post_init__ puts their defaults in place of None, which
        # only __init__ (below) takes. (The None defaults keep the field order; this branch never runs.)
        hop_length: int = None  # type: ignore[assignment]
        win_length: int = None  # type: ignore[assignment]
    else:
        hop_length: Optional[int] = None
        win_length: Optional[int] = None
    window: WindowSpec = "hann"
    center: bool = True
    pad_mode: PadMode = "constant"
    sym: bool = False
    _window_array: np.ndarray = field(init=False, repr=False)
    _windows: dict = field(init=False, repr=False)  # (purpose, dtype) -> the window the block transforms apply

    if TYPE_CHECKING:  # the __init__ that @dataclass writes, as it takes hop_length and win_length
        def __init__(self, n_fft: int = 2048, hop_length: Optional[int] = None, win_length: Optional[int] = None,
                     window: WindowSpec = "hann", center: bool = True, pad_mode: PadMode = "constant",
                     sym: bool = False) -> None: ...

    def __post_init__(self) -> None:
        n_fft = check_n_fft(self.n_fft)
        win_length = n_fft if self.win_length is None else _check_int("win_length", self.win_length, 1)
        if win_length > n_fft:
            raise ValueError(f"win_length={win_length} must be <= n_fft={n_fft}")
        if self.hop_length is None:
            hop_length = win_length // 4
            if hop_length < 1:
                raise ValueError(f"hop_length defaults to win_length // 4 = 0 for win_length={win_length}; give hop_length")
        else:
            hop_length = _check_int("hop_length", self.hop_length, 1)
        if hop_length > win_length:
            raise ValueError(
                f"hop_length={hop_length} must be <= win_length={win_length}: "
                "a larger hop leaves samples that no frame sees"
            )
        check_flag("center", self.center)
        check_flag("sym", self.sym)
        if isinstance(self.window, list):  # an array given as a list: held as a frozen array like any other
            object.__setattr__(self, "window", as_array("window", self.window))
        check_choice("pad_mode", self.pad_mode, PAD_MODES)  # np.array(['reflect']) passed 'in PAD_MODES' (unhashable STFT)
        if self.pad_mode not in PAD_MODES:
            raise ValueError(f"pad_mode={self.pad_mode!r} is unknown; use one of {', '.join(PAD_MODES)}")
        window = get_window(self.window, win_length, sym=bool(self.sym))
        if not np.any(window):
            raise ValueError("window is all zeros")
        peak = float(np.max(np.abs(window)))
        if peak < MIN_WINDOW_PEAK:  # the transforms carry w^2 x, and float32 loses it (1 / sum w^2 overflows)
            what = "the window array" if isinstance(self.window, np.ndarray) else f"window={self.window!r} with win_length={win_length}"
            raise ValueError(
                f"{what} has its largest value {peak:.3g}, too small to carry a signal (at least {MIN_WINDOW_PEAK:g}); "
                + ("scale it up" if isinstance(self.window, np.ndarray) else "widen it (a larger parameter or win_length)")
            )
        if not peak <= MAX_WINDOW_PEAK:  # NaN or inf fails too
            raise ValueError(
                f"the window array has its largest value {peak:.3g}, too large (at most {MAX_WINDOW_PEAK:g}: the transforms "
                "carry w^2 x, which overflows); scale it down"
            )
        left = (n_fft - win_length) // 2
        padded = np.zeros(n_fft)
        padded[left : left + win_length] = window
        padded.setflags(write=False)
        object.__setattr__(self, "n_fft", n_fft)
        object.__setattr__(self, "win_length", win_length)
        object.__setattr__(self, "hop_length", hop_length)
        object.__setattr__(self, "center", bool(self.center))
        object.__setattr__(self, "sym", bool(self.sym))
        if isinstance(self.window, np.ndarray):
            frozen = self.window.astype(np.float64, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, "window", frozen)
        object.__setattr__(self, "_window_array", padded)
        object.__setattr__(self, "_windows", {})

    # ------------------------------------------------------------------ description
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, STFT):
            return NotImplemented
        return (
            (self.n_fft, self.hop_length, self.center, self.pad_mode)
            == (other.n_fft, other.hop_length, other.center, other.pad_mode)
            and np.array_equal(self._window_array, other._window_array)
        )

    def __hash__(self) -> int:
        return hash((self.n_fft, self.hop_length, self.center, self.pad_mode, self._window_array.tobytes()))

    def __reduce__(self):
        # pickle and copy rebuild from the parameters: the window and the sums cached from it
        # come back read-only (pickled arrays come back writable), and no per-dtype cache travels
        return (type(self), (self.n_fft, self.hop_length, self.win_length, self.window, self.center, self.pad_mode, self.sym))

    def __repr__(self) -> str:
        # a window given as samples is shown by its length, not its thousands of digits
        window = (f"<array of {len(self.window)} samples>" if isinstance(self.window, (np.ndarray, list))
                  else repr(self.window))
        return (f"STFT(n_fft={self.n_fft}, hop_length={self.hop_length}, win_length={self.win_length}, window={window}, "
                f"center={self.center}, pad_mode={self.pad_mode!r}, sym={self.sym})")

    @property
    def n_freq(self) -> int:
        """Number of frequency bins, ``n_fft // 2 + 1``."""
        return self.n_fft // 2 + 1

    @property
    def window_array(self) -> np.ndarray:
        """The analysis window zero-padded to ``n_fft`` samples (read-only, float64)."""
        return self._window_array

    @cached_property
    def _window_squared(self) -> np.ndarray:
        """``window_array**2`` (read-only): every window sum's terms."""
        with np.errstate(under="ignore"):  # a narrow window's tails (Kaiser, beta 700) square to 0: values, not errors
            squared = self._window_array**2
        squared.flags.writeable = False  # cached: shared by every caller
        return squared

    @property
    def window_name(self) -> Optional[str]:
        """The canonical window name (``'hann'``), or None for a user-supplied array."""
        return window_name(self.window)

    @property
    def pad(self) -> int:
        """Samples of padding on each side of the signal: ``n_fft // 2`` if centred, else 0."""
        return self.n_fft // 2 if self.center else 0

    def replace(self, **changes: Any) -> "STFT":
        """A copy with some parameters changed (``geometry.replace(hop_length=128)``).

        A new ``n_fft`` brings the defaults of what followed from the old one: a
        ``win_length`` equal to the old ``n_fft`` becomes the new one, and a hop of a quarter
        of the old window a quarter of the new one (pass them to keep them).

        Parameters
        ----------
        **changes
            New values for any of the constructor's parameters (``n_fft``, ``hop_length``,
            ``win_length``, ``window``, ``center``, ``pad_mode``, ``sym``); the others are
            kept.

        Returns
        -------
        STFT
            The new geometry; this one (frozen) is unchanged.
        """
        if "n_fft" in changes and not isinstance(changes.get("window", self.window), np.ndarray):  # an array fixes its length
            if "win_length" not in changes and self.win_length == self.n_fft:
                changes["win_length"] = None
            if "hop_length" not in changes and self.hop_length == self.win_length // 4 and "win_length" in changes:
                changes["hop_length"] = None
        params: dict[str, Any] = dict(  # the fields, each of its own type, then the changes
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
            sym=self.sym,
        )
        params.update(changes)
        return STFT(**params)

    def n_frames(self, n_samples: int) -> int:
        """Number of frames of a signal of ``n_samples`` samples (librosa's count).

        Parameters
        ----------
        n_samples : int >= 0
            Length of the signal, in samples.

        Returns
        -------
        int
            ``1 + (n_samples + 2 pad - n_fft) // hop_length``.

        Raises
        ------
        ValueError
            If the signal (with its centre padding) is shorter than ``n_fft``.
        """
        padded = _check_int("n_samples", n_samples, 0) + 2 * self.pad
        if padded < self.n_fft:
            raise ValueError(
                f"a signal of {n_samples} samples is too short for n_fft={self.n_fft}"
                + (" with center=False" if not self.center else "")
                + f"; it needs at least {self.n_fft - 2 * self.pad} samples"
            )
        return 1 + (padded - self.n_fft) // self.hop_length

    def default_length(self, n_frames: int) -> int:
        """Signal length the inverse returns for ``n_frames`` frames when none is given.

        ``n_fft + hop * (n_frames - 1)``, minus the centre padding: librosa's choice.

        Parameters
        ----------
        n_frames : int >= 1
            Number of frames.

        Returns
        -------
        int
            The length, in samples: 0 for a single centred frame of an even ``n_fft``
            (no signal; :meth:`istft` then asks for ``length``).
        """
        return self.n_fft + self.hop_length * (_check_int("n_frames", n_frames, 1) - 1) - 2 * self.pad

    def max_length(self, n_frames: int) -> int:
        """The longest signal that has ``n_frames`` frames: every sample any frame can see.

        Parameters
        ----------
        n_frames : int >= 1
            Number of frames.

        Returns
        -------
        int
            ``n_fft + hop * n_frames - 1``, minus the centre padding, in samples.
        """
        return self.n_fft + self.hop_length * _check_int("n_frames", n_frames, 1) - 1 - 2 * self.pad

    def _padded_length(self, n_frames: int) -> int:
        return self.n_fft + self.hop_length * (n_frames - 1)

    # ------------------------------------------------------------------ window sum
    def window_sum_square(self, n_frames: int) -> np.ndarray:
        """``sum_n w[t - n a]^2`` at every sample ``t`` of the padded signal of ``n_frames`` frames (float64).

        With ``R = ceil(n_fft / a)`` the sum is periodic between the first and the last
        ``R - 1`` hops: it is overlap-added for ``2 R`` frames only and the middle repeated
        (the same sums in the same order as the full overlap-add).

        Parameters
        ----------
        n_frames : int >= 0
            Number of frames.

        Returns
        -------
        np.ndarray [shape=(n_fft + hop_length * (n_frames - 1),), dtype=float64]
            The sum at every sample of the padded signal (its first :attr:`pad` samples are
            the padding); zeros for no frames.
        """
        if isinstance(n_frames, bool) or not isinstance(n_frames, (int, np.integer)) or n_frames < 0:
            raise ValueError(f"n_frames={n_frames!r} must be a whole number >= 0")
        short = self._short_window_sum(n_frames)
        if short is None:
            total = np.zeros(self._padded_length(n_frames))
            self._overlap_add(np.broadcast_to(self._window_squared, (n_frames, self.n_fft)), total)
            return total
        return self._repeat_periodic(short, n_frames, np.dtype(np.float64))

    def _short_window_sum(self, n_frames: int) -> Optional[np.ndarray]:
        """The window sum of ``2 R`` frames, ``R = ceil(n_fft / a)`` (float64; ``R - 1`` head
        rows of a hop, ``R`` full rows, ``R - 1`` tail rows, the last ``R a - n_fft``
        samples 0), when there are more than ``2 R`` frames; else None."""
        hop, slabs = self.hop_length, self.frame_hops
        if n_frames <= 2 * slabs:
            return None
        short = np.zeros((3 * slabs - 1) * hop)
        self._overlap_add(np.broadcast_to(self._window_squared, (2 * slabs, self.n_fft)), short)
        return short

    def _repeat_periodic(self, short: np.ndarray, n_frames: int, dtype: np.dtype) -> np.ndarray:
        """The padded signal's values from those of :meth:`_short_window_sum`'s ``2 R`` frames:
        its head, then its first full row (the period) repeated, then its tail."""
        hop, slabs = self.hop_length, self.frame_hops
        total = np.empty(self._padded_length(n_frames), dtype=dtype)
        head = (slabs - 1) * hop
        total[:head] = short[:head]
        total[head : n_frames * hop].reshape(-1, hop)[...] = short[head : head + hop]  # a row with all R frames
        tail = total[n_frames * hop :]  # the last frames' ends: n_fft - hop samples
        tail[...] = short[2 * slabs * hop : 2 * slabs * hop + tail.shape[0]]
        return total

    @property
    def frame_hops(self) -> int:
        """``R = ceil(n_fft / hop_length)``: the hops a frame spans, its last one zero-padded
        past ``n_fft`` when the hop does not divide it (the window sum, and the sweep
        engine's synthesis, see frames that way).
        """
        return -(-self.n_fft // self.hop_length)

    @cached_property
    def window_sum_period(self) -> np.ndarray:
        """The steady-state window sum over one hop, ``sum_k w[j + k a]^2`` for ``j = 0 .. a - 1``
        (float64): :meth:`window_sum_square` away from the signal's edges, which repeats it.

        >>> import gl
        >>> gl.STFT(8, 2).window_sum_period   # Hann at hop n_fft / 4: constant, 3 / 2
        array([1.5, 1.5])
        >>> gl.STFT(8, 4).window_sum_period   # at n_fft / 2: sin^4 + cos^4, from 1 / 2 to 1
        array([1.  , 0.75, 0.5 , 0.75])
        """
        squared = self._window_squared
        period = np.zeros(self.hop_length)
        for start in range(0, self.n_fft, self.hop_length):
            chunk = squared[start : start + self.hop_length]
            period[: len(chunk)] += chunk
        period.flags.writeable = False  # cached: shared by every caller
        return period

    @cached_property
    def low_overlap(self) -> bool:
        """True when the steady-state window sum (:attr:`window_sum_period`) falls below
        ``EDGE_FADE`` (10 %) of its largest value between frames: the windows barely see
        those samples, as a Hann window's at a hop above about 0.7 ``n_fft`` (scipy's
        default ``noverlap = nperseg // 8`` with ``window='hann'``: 0.3 %).

        Phase retrieval hardly constrains such samples, and with the least-squares inverse
        the iterations can build spikes there, several times the signal's peak, that the
        spectrogram does not see. Where a result shows them, :meth:`gl.Spectrogram.invert`
        runs again with the iterations (and the single passes, PGHI and SPSI) dividing by
        ``EDGE_FADE`` of the largest sum where the sum is smaller (:mod:`gl._engine`,
        *Low overlap*); everything else keeps least squares.

        >>> import gl
        >>> gl.STFT(256, 224).low_overlap, gl.STFT(256, 128).low_overlap
        (True, False)
        """
        period = self.window_sum_period
        return bool(period.min() < EDGE_FADE * period.max())

    @cached_property
    def nola_ok(self) -> bool:
        """True when the window sum never vanishes away from the signal's edges (NOLA).

        The steady-state sum :attr:`window_sum_period` is checked for every sample of a hop;
        ``hop_length = n_fft`` with a Hann window, for instance, fails it.
        """
        period = self.window_sum_period
        return bool(period.min() > WINDOW_SUM_FLOOR * period.max())

    def _warn_nola(self) -> None:
        if not self.nola_ok and not getattr(_nola_warned, "active", False):
            warnings.warn(
                f"NOLA condition fails for {self!r}: the window sum vanishes at some sample of every "
                "hop, so those samples cannot be recovered and are set to 0, and the samples beside them, "
                "where the sum is tiny, come back amplified (clicks, clipping); use a smaller hop_length "
                "or a window that overlaps (NOLA: nonzero overlap-add)",
                NOLAWarning,
                stacklevel=_caller_stacklevel(),
            )

    def _inverse_window_sum(self, n_frames: int, dtype: np.dtype, floor: float = 0.0) -> np.ndarray:
        """``1 / window sum`` on the padded signal, 0 where the sum is at or below the floor
        (``WINDOW_SUM_FLOOR`` of its largest value); with ``floor > 0``, ``1 / max(sum,
        floor * largest sum)`` instead (the phase-retrieval iterations of a
        :attr:`low_overlap` geometry).

        When the sum is periodic it is inverted on ``2 R`` frames and repeated straight into
        ``dtype``: no float64 array as long as the signal (half a complex64 spectrogram).
        """
        short = self._short_window_sum(n_frames)
        if short is not None:
            if floor > 0:
                inverse = 1.0 / np.maximum(short, floor * short.max())
            else:
                unrecoverable = short <= WINDOW_SUM_FLOOR * short.max()  # the same values as the full sum's
                inverse = np.divide(1.0, short, out=np.zeros_like(short), where=~unrecoverable)
            return self._repeat_periodic(inverse, n_frames, np.dtype(dtype))
        total = self.window_sum_square(n_frames)  # float64, inverted in place
        if floor > 0:
            np.maximum(total, floor * total.max(), out=total)
            return np.divide(1.0, total, out=total).astype(dtype, copy=False)
        unrecoverable = total <= WINDOW_SUM_FLOOR * total.max()
        total[unrecoverable] = 1.0
        np.divide(1.0, total, out=total)
        total[unrecoverable] = 0.0
        return total.astype(dtype, copy=False)

    def _apply_least_squares_gain(self, padded: np.ndarray, n_frames: int, floor: float, between_frames: bool = True) -> None:
        """Turn, in place, a synthesis divided by the floored sum (:meth:`_inverse_window_sum`
        with ``floor``) of ``padded`` (batch, >= the padded length) into the least-squares one.

        In the runs at the two ends (before the first and after the last sample where the
        sum ``W`` reaches ``f = floor max W``) the factor is ``max(W, f) / W``, 0 where ``W``
        is at or below ``WINDOW_SUM_FLOOR`` of its largest value; between them ``max(W, f) /
        max(W, g)``, ``g = RESULT_FLOOR max W``: least squares wherever the sum reaches
        ``g``, in the deepest dips of windows that hardly overlap divided by ``g``. With
        ``between_frames=False`` only the end runs are multiplied. When the sum is periodic
        the factors are made on :meth:`_short_window_sum`'s ``2 R`` frames and applied region
        by region (head, period, tail, as :meth:`_repeat_periodic` lays them out): no array as
        long as the signal."""
        dtype = padded.dtype
        short = self._short_window_sum(n_frames)
        total = short if short is not None else self.window_sum_square(n_frames)
        peak = total.max()
        recoverable = total > WINDOW_SUM_FLOOR * peak
        floored = np.maximum(total, floor * peak)
        ends = np.divide(floored, total, out=np.zeros_like(total), where=recoverable).astype(dtype, copy=False)
        if between_frames:
            divisor = np.maximum(total, RESULT_FLOOR * peak)
            between = np.divide(floored, divisor, out=np.zeros_like(total), where=recoverable).astype(dtype, copy=False)
        else:
            between = np.ones_like(ends)
        reached = np.flatnonzero(ends == 1)  # W >= f there: W / W is exactly 1
        first = int(reached[0])  # the largest sum reaches it
        if short is None:
            gain = ends.copy()
            gain[first : reached[-1] + 1] = between[first : reached[-1] + 1]
            padded[:, : gain.shape[0]] *= gain
            return
        hop, slabs = self.hop_length, self.frame_hops
        head, middle_end, end = (slabs - 1) * hop, n_frames * hop, self._padded_length(n_frames)
        # the short sum's first full row (the period) holds the largest sum, so the first sample
        # that reaches the floor is before its end, and the last after the start of the last period
        head_gain = ends[:head].copy()
        head_gain[first:] = between[first:head]
        tail_start = 2 * slabs * hop
        tail_gain = ends[tail_start : tail_start + end - middle_end].copy()
        in_tail = np.flatnonzero(tail_gain == 1)
        after_tail = int(in_tail[-1]) + 1 if in_tail.size else 0
        tail_gain[:after_tail] = between[tail_start : tail_start + after_tail]
        period_ends, period = ends[head : head + hop], between[head : head + hop]
        first_row, last_row = period.copy(), period.copy()
        if first >= head:  # the first row starts in the run at the head
            first_row[: first - head] = period_ends[: first - head]
        if not in_tail.size:  # the tail never reaches the floor: the run at the end starts in the last row
            after = int(np.flatnonzero(period_ends == 1)[-1]) + 1
            last_row[after:] = period_ends[after:]
        padded[:, :head] *= head_gain
        for row in padded:
            rows = row[head:middle_end].reshape(-1, hop)  # a view: one row is contiguous
            rows[0] *= first_row
            if between_frames:
                rows[1:-1] *= period
            rows[-1] *= last_row
        padded[:, middle_end:end] *= tail_gain

    def recoverable(self, n_samples: int) -> np.ndarray:
        """Boolean mask of the samples of a signal that the inverse can recover.

        Every sample for a centred geometry that satisfies NOLA; a non-centred geometry
        with a tapering window loses a few samples at each end, where the window sum is
        at or below ``WINDOW_SUM_FLOOR`` of its maximum.

        Parameters
        ----------
        n_samples : int >= 0
            Length of the signal, in samples (at least enough for one frame).

        Returns
        -------
        np.ndarray [shape=(n_samples,), dtype=bool]
            True for the samples the inverse recovers.

        Raises
        ------
        ValueError
            If the signal is too short for one frame (:meth:`n_frames`).
        """
        n_frames = self.n_frames(n_samples)
        total = self.window_sum_square(n_frames)
        mask = total > WINDOW_SUM_FLOOR * total.max()
        mask = mask[self.pad : self.pad + n_samples]
        out = np.zeros(n_samples, dtype=bool)
        out[: len(mask)] = mask
        return out

    # ------------------------------------------------------------------ building blocks
    def _analysis_window(self, dtype: np.dtype) -> np.ndarray:
        """The window times ``n_fft`` if the forward transform scales by ``1 / n_fft`` (see :func:`fft_norms`)."""
        return self._cached_window("analysis", dtype, self.n_fft if fft_norms(dtype)[0] == "forward" else 1.0)

    def _synthesis_window(self, dtype: np.dtype) -> np.ndarray:
        """The window over ``n_fft`` if the inverse transform does not scale (see :func:`fft_norms`)."""
        return self._cached_window("synthesis", dtype, 1.0 / self.n_fft if fft_norms(dtype)[1] == "forward" else 1.0)

    def _cached_window(self, purpose: str, dtype: np.dtype, gain: float) -> np.ndarray:
        key = (purpose, np.dtype(dtype))
        window = self._windows.get(key)
        if window is None:
            with np.errstate(under="ignore"):  # a narrow window's tails, cast to float32: 0 or subnormal, not errors
                window = (self._window_array * gain).astype(dtype)
            window.setflags(write=False)
            self._windows[key] = window
        return window

    def block_frames(self, dtype: np.dtype) -> int:
        """How many frames one block of work holds (about 1 MiB of complex data).

        Chosen by an ad-hoc measurement on a 2-core AMD EPYC (2026-11-28; no result kept):
        blocks of 512 KiB and 2 MiB were slower.

        Parameters
        ----------
        dtype : np.dtype
            The real dtype of the computation: float32 (complex64 spectra), anything else
            counts as float64 (complex128).

        Returns
        -------
        int
            Frames per block, at least 16 (510 float32 frames at ``n_fft=512``).
        """
        return max(16, _BLOCK_BYTES // (self.n_freq * complex_dtype(np.dtype(dtype)).itemsize))

    def pad_signal(self, x: np.ndarray, out: Optional[np.ndarray] = None) -> np.ndarray:
        """Pad ``x`` (..., n) for framing: ``n_fft // 2`` each side with ``pad_mode`` if centred.

        Parameters
        ----------
        x : np.ndarray [shape=(..., n)]
            The signal.
        out : np.ndarray [shape=(..., n + 2 * pad)], optional
            Where to write the padded signal. Default: a new array of ``x``'s dtype.

        Returns
        -------
        np.ndarray [shape=(..., n + 2 * pad)]
            ``out``, holding ``x`` between :attr:`pad` samples of padding on each side
            (none when not centred).
        """
        pad = self.pad
        if out is None:
            out = np.empty(x.shape[:-1] + (x.shape[-1] + 2 * pad,), dtype=x.dtype)
        out[..., pad : pad + x.shape[-1]] = x
        self.refresh_padding(out, x.shape[-1])
        return out

    def refresh_padding(self, padded: np.ndarray, n_samples: int) -> None:
        """Recompute, in place, the padding of a padded signal whose centre was changed.

        Parameters
        ----------
        padded : np.ndarray [shape=(..., n_samples + 2 * pad)]
            The padded signal (as :meth:`pad_signal` makes it); its padding is rewritten
            from its centre with ``pad_mode``.
        n_samples : int
            Length of the signal between the padding.
        """
        pad = self.pad
        if pad == 0:
            padded[..., n_samples:] = 0
            return
        body = padded[..., pad : pad + n_samples]
        tail = padded[..., pad + n_samples :]
        if self.pad_mode == "constant":
            padded[..., :pad] = 0
            tail[...] = 0
        elif self.pad_mode == "edge":
            padded[..., :pad] = body[..., :1]
            tail[...] = body[..., -1:]
        elif n_samples > pad:  # reflect, in one step
            padded[..., :pad] = body[..., pad:0:-1]
            tail[...] = body[..., -2 : -2 - tail.shape[-1] : -1]
        else:  # reflect a signal shorter than the padding: numpy repeats the reflection
            padded[...] = np.pad(body, [(0, 0)] * (body.ndim - 1) + [(pad, tail.shape[-1])], mode="reflect")

    def analyze(
        self,
        padded: np.ndarray,
        first: int,
        last: int,
        frames: np.ndarray,
        out: np.ndarray,
    ) -> np.ndarray:
        """STFT frames ``first:last`` of a 1-D padded signal into ``out`` (frames, n_freq).

        ``frames`` is a work array of at least ``last - first`` rows of ``n_fft`` reals, of
        the signal's dtype (the precision of the FFT).

        Parameters
        ----------
        padded : np.ndarray [shape=(n + 2 * pad,)]
            The padded signal (:meth:`pad_signal`).
        first, last : int
            The frames to transform, ``0 <= first < last <= n_frames``.
        frames : np.ndarray [shape=(>= last - first, n_fft), float32 or float64]
            Work array for the windowed frames; overwritten.
        out : np.ndarray [shape=(>= last - first, n_freq), complex]
            Where the spectra go.

        Returns
        -------
        np.ndarray [shape=(last - first, n_freq)]
            The first ``last - first`` rows of ``out``, holding the spectra.
        """
        count = last - first
        hop, n_fft = self.hop_length, self.n_fft
        span = padded[first * hop : (last - 1) * hop + n_fft]
        step = span.strides[-1]
        if span.flags.c_contiguous:  # a view on the same memory, cheaper to make than as_strided
            view: np.ndarray = np.ndarray((count, n_fft), dtype=span.dtype, buffer=span, strides=(hop * step, step))
        else:
            view = np.lib.stride_tricks.as_strided(span, shape=(count, n_fft), strides=(hop * step, step), writeable=False)
        # w x_j for every frame; einsum's loop over these strided rows measured faster than
        # np.multiply's (ad hoc, 2026-11-30, no result kept), with the same products
        np.einsum("jn,n->jn", view, self._analysis_window(frames.dtype), out=frames[:count])
        return _rfft(frames[:count], n_fft, out[:count], norm=fft_norms(frames.dtype)[0])

    def synthesize_add(self, spectra: np.ndarray, frames: np.ndarray, target: np.ndarray) -> None:
        """Inverse FFT of ``spectra`` (frames, n_freq), windowed, overlap-added into ``target``.

        Frame ``j`` of the block lands on ``target[j*hop : j*hop + n_fft]``; the caller
        passes ``target`` starting at the block's first frame. Not normalised.

        Parameters
        ----------
        spectra : np.ndarray [shape=(count, n_freq), complex]
            The frames' spectra.
        frames : np.ndarray [shape=(>= count, n_fft), float32 or float64]
            Work array for the windowed frames (its dtype sets the FFT's precision);
            overwritten.
        target : np.ndarray [shape=(>= n_fft + hop_length * (count - 1),)]
            The signal the frames are added to, in place.
        """
        self._overlap_add(self.synthesize_frames(spectra, frames), target)

    def synthesize_frames(self, spectra: np.ndarray, frames: np.ndarray) -> np.ndarray:
        """Windowed inverse FFT of ``spectra`` (frames, n_freq) into ``frames``; returns the filled rows.

        Parameters
        ----------
        spectra : np.ndarray [shape=(count, n_freq), complex]
            The frames' spectra.
        frames : np.ndarray [shape=(>= count, n_fft), float32 or float64]
            Where the windowed frames go (its dtype sets the FFT's precision).

        Returns
        -------
        np.ndarray [shape=(count, n_fft)]
            The first ``count`` rows of ``frames``, holding the windowed frames.
        """
        block = _irfft(spectra, self.n_fft, frames[: spectra.shape[0]], norm=fft_norms(frames.dtype)[1])
        block *= self._synthesis_window(frames.dtype)
        return block

    def _overlap_add(self, frames: np.ndarray, target: np.ndarray) -> None:
        """``target[j*a : j*a + M] += frames[j]`` for every frame ``j``, in ``ceil(M/a)`` slabs.

        Slab ``r`` holds samples ``r*a .. r*a + a`` of every frame; it lands on the rows
        ``r .. r + count`` of ``target`` seen as rows of ``a`` samples.
        """
        count = frames.shape[0]
        hop, n_fft, slabs = self.hop_length, self.n_fft, self.frame_hops
        if n_fft == slabs * hop and target.flags.c_contiguous and target.shape[-1] >= (count + slabs - 1) * hop:
            rows = target[: (count + slabs - 1) * hop].reshape(-1, hop)  # a view: target is contiguous
            pieces = frames.reshape(count, slabs, hop)
            for r in range(slabs):
                rows[r : r + count] += pieces[:, r]
            return
        for start in range(0, n_fft, hop):  # a hop that does not divide n_fft: strided lanes
            width = min(hop, n_fft - start)
            span = target[start : start + (count - 1) * hop + width]
            lanes = np.lib.stride_tricks.as_strided(
                span, shape=(count, width), strides=(hop * span.strides[-1], span.strides[-1])
            )
            lanes += frames[:, start : start + width]

    # ------------------------------------------------------------------ checks
    def check_signal(self, x) -> np.ndarray:
        """Validate a real signal (..., n): finite float, long enough. Returns it as an array.

        Parameters
        ----------
        x : array_like [shape=(..., n), real floating point]
            The signal; time on the last axis.

        Returns
        -------
        np.ndarray [shape=(..., n)]
            ``x`` as an array of its own dtype in the machine's byte order (a copy only if
            it was not in it).

        Raises
        ------
        TypeError
            If ``x`` is complex, not floating point, or a masked array.
        ValueError
            If ``x`` has no samples, holds NaN or inf, looks like ``(n, channels)`` audio,
            or is too short for one frame.
        """
        x = as_array("x", x)
        if x.dtype.kind == "c":
            raise TypeError("x must be real-valued; got a complex array (use istft for spectrograms)")
        if x.dtype.kind not in "f":
            raise TypeError(
                f"x must be a floating-point array, got dtype {x.dtype}; convert integer audio "
                "with x.astype(np.float32) / 32768 (or your format's full scale)"
            )
        if x.ndim == 0 or x.shape[-1] == 0:
            raise ValueError("x must have at least one sample along its last axis")
        # a few "samples" and many "items": (n, channels) audio (not a batch of short signals, as
        # gl returns for tiny geometries: (3, 1) from n_fft=2)
        if x.ndim >= 2 and x.shape[-1] <= 8 < x.shape[-2] and x.shape[-1] < self.n_fft <= x.shape[-2]:
            raise ValueError(
                f"x has shape {x.shape}: gl's signals are (..., n), time on the last axis, and "
                f"{x.shape[-1]} samples are fewer than n_fft={self.n_fft}; for (n, channels) audio "
                "(as soundfile.read returns it) pass x.T"
            )
        if not np.all(np.isfinite(x)):
            raise ValueError("x contains NaN or infinite values")
        self.n_frames(x.shape[-1])  # raises if too short
        return native_order(x)

    def check_spectrogram(self, X, *, name: str = "X", complex_ok: bool = True) -> np.ndarray:
        """Validate a spectrogram (..., n_freq, n_frames) against this geometry.

        Parameters
        ----------
        X : array_like [shape=(..., n_freq, n_frames), floating point]
            The spectrogram.
        name : str
            Its name in error messages (default ``'X'``).
        complex_ok : bool
            Accept a complex array (default True); False asks for a real one.

        Returns
        -------
        np.ndarray [shape=(..., n_freq, n_frames)]
            ``X`` as an array of its own dtype in the machine's byte order.

        Raises
        ------
        TypeError
            If ``X`` is not floating point (complex when ``complex_ok`` is False), or is a
            masked array.
        ValueError
            If ``X`` has fewer than two axes, not ``n_freq`` bins, no frames, or NaN or
            inf values.
        """
        X = as_array(name, X)
        if X.dtype.kind not in "fc" or (X.dtype.kind == "c" and not complex_ok):
            kind = "real or complex floating-point" if complex_ok else "real floating-point"
            raise TypeError(f"{name} must be a {kind} array, got dtype {X.dtype}")
        if X.ndim < 2:
            raise ValueError(f"{name} must have shape (..., n_freq, n_frames), got shape {X.shape}")
        if X.shape[-2] != self.n_freq:
            raise ValueError(bins_mismatch(name, X.shape[-2], self.n_fft, X.shape[-1]))
        if X.shape[-1] < 1:
            raise ValueError(f"{name} has no frames")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} contains NaN or infinite values")
        return native_order(X)

    # ------------------------------------------------------------------ transforms
    @underflow_is_a_value  # once per call: the products of a quiet signal (1e-38 in float32) or a narrow window that underflow are values
    def stft(self, x) -> np.ndarray:
        """Short-time Fourier transform of ``x`` (..., n) -> (..., n_freq, n_frames).

        Parameters
        ----------
        x : np.ndarray [shape=(..., n), real floating point]
            The signal; leading axes are batch axes.

        Returns
        -------
        np.ndarray [shape=(..., n_freq, n_frames)]
            The complex STFT: float16 and float32 give complex64, float64 complex128.
        """
        x = self.check_signal(x)
        dtype = real_dtype(x)
        x = x.astype(dtype, copy=False)
        # the FFT sums n_fft windowed samples (float32 frames are windowed times n_fft first,
        # and scaled by 1 / n_fft after: see fft_norms): a signal that could overflow on the
        # way is brought down by a power of two first (exactly), so that only coefficients
        # whose true value the dtype cannot hold overflow, to inf, and say so
        exponent = 0
        peak = _abs_peak(x)
        if peak > float(np.finfo(dtype).max) / (4.0 * self.n_fft * (self.n_fft if dtype == np.float32 else 1)):
            exponent = binary_exponent(peak)
            x = np.ldexp(x, -exponent)
        batch_shape, n_samples = x.shape[:-1], x.shape[-1]
        n_frames = self.n_frames(n_samples)
        flat = x.reshape(-1, n_samples)
        out = np.empty((flat.shape[0], n_frames, self.n_freq), dtype=complex_dtype(dtype))
        block = min(n_frames, self.block_frames(dtype))
        frames = np.empty((block, self.n_fft), dtype=dtype)
        padded = np.empty(n_samples + 2 * self.pad, dtype=dtype)
        for row, signal in zip(out, flat):
            self.pad_signal(signal, out=padded)
            for first in range(0, n_frames, block):
                last = min(first + block, n_frames)
                self.analyze(padded, first, last, frames, row[first:last])
        if exponent:
            parts = out.view(dtype)
            with np.errstate(over="ignore"):
                np.ldexp(parts, exponent, out=parts)
            overflowed = int(np.count_nonzero(np.isinf(parts)))
            if overflowed:
                warnings.warn(
                    f"the STFT of x exceeds {dtype.name}'s range in {overflowed} real or imaginary parts, which are inf; "
                    + ("pass x as float64 (or scale it down)" if dtype == np.float32 else "scale x down"),
                    RuntimeWarning,
                    stacklevel=_caller_stacklevel(),
                )
        return np.swapaxes(out, -1, -2).reshape(batch_shape + (self.n_freq, n_frames))

    @underflow_is_a_value  # the same for a quiet spectrogram's inverse FFT, window products and window sums
    def istft(self, X, length: Optional[int] = None) -> np.ndarray:
        """Least-squares inverse STFT of ``X`` (..., n_freq, n_frames) -> (..., length).

        A real ``X`` is taken as ``X + 0i`` (float16 and float32 give float32): each block
        of frames is copied into a complex work block, so no complex copy of the whole of
        ``X`` is made.

        Parameters
        ----------
        X : np.ndarray [shape=(..., n_freq, n_frames)]
            The STFT, complex or real; leading axes are batch axes.
        length : int >= 1, optional
            Length of the output, any: samples past the last frame's end are 0, and a
            shorter length cuts the signal, as librosa's ``length``. Default:
            :meth:`default_length`.

        Returns
        -------
        np.ndarray [shape=(..., length)]
            The least-squares signal; complex64 gives float32, complex128 float64.
        """
        X = self.check_spectrogram(X)
        dtype = real_dtype(X)
        n_frames = X.shape[-1]
        if length is None:
            length = self.default_length(n_frames)
            if length < 1:
                raise ValueError(
                    f"X has {n_frames} frame(s): with center={self.center} and hop_length={self.hop_length} that means a "
                    f"signal of {length} samples; pass length= (the original signal's length)"
                )
        length = _check_int("length", length, 1)
        self._warn_nola()
        # the inverse FFT sums n_fft values before it scales by 1 / n_fft: a spectrogram that
        # could overflow on the way (float32's range, or float64's near 1e308) is brought down
        # by a power of two first (block by block, below)
        exponent = 0
        peak = _abs_peak(X)
        if peak > float(np.finfo(dtype).max) / (4.0 * self.n_fft):
            exponent = binary_exponent(peak)
        batch_shape = X.shape[:-2]
        spectra = np.swapaxes(X.reshape((-1,) + X.shape[-2:]), -1, -2)  # (batch, n_frames, n_freq), real or complex
        padded_length = max(self._padded_length(n_frames), length + 2 * self.pad)
        if max(1, spectra.shape[0]) * padded_length * dtype.itemsize > np.iinfo(np.intp).max:  # numpy's 'array is too big'
            raise ValueError(f"length={length} is more {dtype} samples than an array can hold; the frames cover "
                             f"{self.max_length(n_frames)} (a longer length only adds zeros)")
        signal = np.zeros((spectra.shape[0], padded_length), dtype=dtype)
        block = min(n_frames, self.block_frames(dtype))
        frames = np.empty((block, self.n_fft), dtype=dtype)
        work = np.empty((block, self.n_freq), dtype=complex_dtype(dtype))
        for row, target in zip(spectra, signal):
            for first in range(0, n_frames, block):
                last = min(first + block, n_frames)
                block_spectra = work[: last - first]
                np.copyto(block_spectra, row[first:last])  # a real X: imaginary parts 0
                if exponent:
                    block_spectra *= dtype.type(2.0**-exponent)  # exact: a power of two
                self.synthesize_add(block_spectra, frames, target[first * self.hop_length :])
        inverse = self._inverse_window_sum(n_frames, dtype)
        signal[:, : inverse.shape[0]] *= inverse
        signal[:, inverse.shape[0] :] = 0
        y = np.ascontiguousarray(signal[:, self.pad : self.pad + length])
        if exponent:  # back up (inf where float32 cannot hold a sample; numpy warns)
            np.ldexp(y, exponent, out=y)
        return y.reshape(batch_shape + (length,))


def stft(
    x,
    *,
    n_fft: int = 2048,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
) -> np.ndarray:
    """Short-time Fourier transform, with librosa's parameter names and defaults.

    A thin wrapper around :meth:`STFT.stft`; see :class:`STFT` for the parameters.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n), real floating point]
        The signal; leading axes are batch axes.
    n_fft, hop_length, win_length, window, center, pad_mode, sym
        The geometry, as in :class:`STFT` (``hop_length`` defaults to ``win_length // 4``,
        ``win_length`` to ``n_fft``).

    Returns
    -------
    np.ndarray [shape=(..., n_fft // 2 + 1, n_frames)]
        The complex STFT: complex64 for float16 and float32 input, complex128 for float64.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> x = np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    >>> X = gl.stft(x, n_fft=256, hop_length=64)
    >>> X.shape, X.dtype
    ((129, 126), dtype('complex128'))
    >>> int(np.abs(X[:, 60]).argmax())   # 440 Hz is bin 440 / (8000 / 256) = 14.08
    14
    """
    geometry = STFT(n_fft, hop_length, win_length, window, center, pad_mode, sym)
    return geometry.stft(x)


def istft(
    X,
    *,
    n_fft: Optional[int] = None,
    hop_length: Optional[int] = None,
    win_length: Optional[int] = None,
    window: WindowSpec = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    sym: bool = False,
    length: Optional[int] = None,
) -> np.ndarray:
    """Least-squares inverse STFT, with librosa's parameter names and defaults.

    A thin wrapper around :meth:`STFT.istft`.

    Parameters
    ----------
    X : np.ndarray [shape=(..., n_freq, n_frames), complex (or real, taken as ``X + 0i``)]
        The STFT; leading axes are batch axes.
    n_fft : int, optional
        FFT size; defaults to ``2 * (n_freq - 1)``: pass it for an odd FFT size.
    hop_length, win_length, window, center, pad_mode, sym
        The rest of the geometry, as in :class:`STFT`.
    length : int >= 1, optional
        Length of the output, any: samples past the last frame's end are 0, and a shorter
        length cuts the signal, as librosa's ``length``. Default:
        :meth:`STFT.default_length` (librosa's).

    Returns
    -------
    np.ndarray [shape=(..., length)]
        The least-squares signal: float32 for complex64 (and float16 or float32) input,
        float64 for complex128.

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> x = np.random.default_rng(1).standard_normal(3000).astype(np.float32)
    >>> y = gl.istft(gl.stft(x, n_fft=255, hop_length=60), n_fft=255, hop_length=60, length=3000)
    >>> y.dtype, bool(np.allclose(x, y, atol=1e-5))
    (dtype('float32'), True)
    """
    X_array = as_array("X", X)
    if n_fft is None:
        n_fft = implied_n_fft("X", X_array.shape)
    geometry = STFT(n_fft, hop_length, win_length, window, center, pad_mode, sym)
    return geometry.istft(X_array, length=length)
