"""Mel filterbanks and the way back from a mel spectrogram to a linear one, in NumPy.

A mel spectrogram is ``M = F P``: the linear spectrogram ``P = |X|^power``
(n_freq, n_frames) summed by ``n_mels`` triangular filters ``F`` (n_mels, n_freq)
spaced evenly on the mel scale. :func:`mel_filterbank` builds ``F`` exactly as
``librosa.filters.mel`` does (Slaney or HTK scale; Slaney area norm, no norm or a
p-norm), so a mel spectrogram made by librosa (or by torchaudio with ``htk=True``)
can be undone.

Going back, ``n_mels < n_freq`` so ``F`` has no inverse: :func:`mel_to_stft` takes
the non-negative least-squares estimate, per frame,

.. math:: \\hat P = \\arg\\min_{P \\ge 0} \\| F P - M \\|_F^2,

the same problem ``librosa.feature.inverse.mel_to_stft`` solves (with
``scipy.optimize.fmin_l_bfgs_b``), here by accelerated projected gradient (FISTA,
Beck and Teboulle 2009) in plain NumPy, from librosa's starting point
``max(0, F^+ M)``:

.. math::

    P_{k} = \\max\\big(0,\\; Z_{k} - \\tfrac{1}{L} F^T (F Z_{k} - M)\\big), \\qquad
    Z_{k+1} = P_{k} + \\tfrac{t_k - 1}{t_{k+1}} (P_{k} - P_{k-1}),

with ``L = ||F||_2^2``, the Lipschitz constant of the gradient ``F^T (F P - M)`` of
``(1/2) ||F P - M||_F^2`` (half the objective above: the same minimiser), and
``t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2``; the momentum restarts whenever the
step ``Z_k -> P_k`` points against it, ``<Z_k - P_k, P_k - P_{k-1}> > 0`` (gradient
restart, O'Donoghue and Candes 2015). The linear magnitude is
``|X| ~ P^(1/power)``.

Measured against librosa 0.11 (``python benchmarks/mel_inversion.py --repeats 5``,
``benchmarks/results/mel_inversion.json``: 4 s excerpts of the dev corpus, 128 Slaney
mels, power 2, n_fft 1024 at 16 kHz and 2048 above, hop n_fft / 4; one BLAS thread,
round-robin, medians of 5 on a shared 2-core machine, 2026-11-30, load average 4.2).
Spectral convergence of the linear magnitude estimate against the true ``|X|`` (dB, lower
is better) and how many times gl's time librosa took, then the same for the audio after
32 iterations of fast Griffin-Lim from a random phase seeded 0 (librosa's
``mel_to_audio``, written as its ``mel_to_stft`` and ``griffinlim`` so that it can be
seeded, against ``from_mel(...).invert(method='fgla', n_iter=32)``):

==============  ======  ====================  =================  ================  ==================
excerpt         frames  NNLS SC gl / librosa  NNLS time lr / gl  audio SC gl / lr  audio time lr / gl
==============  ======  ====================  =================  ================  ==================
d01 speech 16k     131  -21.0 / -15.0         1.3                -22.5 / -19.1     2.0
d02 speech 22k     173  -13.5 / -12.3         2.9                -16.0 / -14.2     3.0
d03 tabla 44k      345  -20.4 / -14.1         2.4                -21.7 / -17.4     3.3
d04 band 16k       251  -15.8 / -12.5         1.9                -15.5 / -12.5     2.1
==============  ======  ====================  =================  ================  ==================

The NumPy solver (200 iterations, the default) fits ``M`` more closely than librosa's
L-BFGS-B and its estimate is 1-6 dB closer to the true magnitude, in a third to three
quarters of the time. Its products by ``F`` and ``F^T`` run over each filter's band, without
BLAS (:class:`_BandProducts`; but for short inputs, and the start's one pseudo-inverse),
so that other jobs on the machine do not slow them down the way they slow a
multi-threaded BLAS (and librosa) down. ``tests/test_mel.py`` pins the comparison on a speech excerpt.

References
----------
M. Slaney, "Auditory Toolbox", Interval Research Corporation Technical Report 1998-010.
S. Young et al., "The HTK Book", Cambridge University Engineering Department, 2006.
A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm for linear
inverse problems", SIAM J. Imaging Sciences 2(1), 2009.
B. O'Donoghue and E. Candes, "Adaptive restart for accelerated gradient schemes",
Foundations of Computational Mathematics 15, 2015.
B. McFee et al., "librosa: audio and music signal analysis in Python", SciPy 2015.

Examples
--------
>>> import numpy as np
>>> from gl.mel import mel_filterbank, mel_to_stft
>>> F = mel_filterbank(sr=8000, n_fft=256, n_mels=40, dtype=np.float64)
>>> F.shape
(40, 129)
>>> P = np.random.default_rng(0).random((129, 20)) ** 4     # a power spectrogram
>>> S = mel_to_stft(F @ P, filterbank=F, power=2.0)          # back to |X|
>>> S.shape
(129, 20)
>>> bool(np.linalg.norm(F @ S**2 - F @ P) < 1e-3 * np.linalg.norm(F @ P))
True
"""

from __future__ import annotations

import functools
import warnings
from typing import Optional, Union

import numpy as np
from numpy.typing import DTypeLike  # at run time too: typing.get_type_hints resolves it

from ._checks import as_array, check_choice, check_flag
from ._iterative import check_n_iter
from .transform import MAX_N_FFT, binary_exponent, check_n_fft, real_dtype

__all__ = ["hz_to_mel", "mel_to_hz", "mel_frequencies", "mel_filterbank", "mel_to_stft"]

# Slaney's scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above it, with a
# step of log(6.4)/27 per mel - librosa's constants.
_SLANEY_HZ_PER_MEL = 200.0 / 3
_SLANEY_BREAK_HZ = 1000.0
_SLANEY_BREAK_MEL = _SLANEY_BREAK_HZ / _SLANEY_HZ_PER_MEL  # 15 mel
_SLANEY_LOG_STEP = np.log(6.4) / 27.0

NormSpec = Union[str, float, int, None]


def _real_values(name: str, values, unit: str) -> np.ndarray:
    """``values`` as float64: real numbers only (``np.asarray(None, float)`` is NaN, of ``'100'`` 100)."""
    values = as_array(name, values)
    if values.dtype == bool or values.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be real numbers ({unit}), got dtype {values.dtype}")
    return values.astype(np.float64)


def hz_to_mel(frequencies, *, htk: bool = False) -> np.ndarray:
    """Frequencies in Hz to mels (librosa's ``hz_to_mel``).

    HTK: :math:`m = 2595 \\log_{10}(1 + f / 700)`. Slaney (default):
    :math:`m = 3 f / 200` below 1 kHz and :math:`m = 15 + \\ln(f / 1000) / (\\ln 6.4 / 27)`
    above.

    Parameters
    ----------
    frequencies : float or np.ndarray
        Frequencies in Hz.
    htk : bool
        The HTK formula instead of Slaney's (default False, as librosa).

    Returns
    -------
    np.ndarray [shape=np.shape(frequencies), float64]
        The frequencies in mels.

    References
    ----------
    M. Slaney, "Auditory Toolbox", Interval Research Technical Report 1998-010.

    Examples
    --------
    >>> from gl.mel import hz_to_mel
    >>> float(hz_to_mel(1000.0)), round(float(hz_to_mel(1000.0, htk=True)), 3)
    (15.0, 999.986)
    """
    frequencies = _real_values("frequencies", frequencies, "Hz")
    if check_flag("htk", htk):
        return 2595.0 * np.log10(1.0 + frequencies / 700.0)
    mels = frequencies / _SLANEY_HZ_PER_MEL
    above = frequencies >= _SLANEY_BREAK_HZ
    with np.errstate(divide="ignore", invalid="ignore"):
        log_part = _SLANEY_BREAK_MEL + np.log(frequencies / _SLANEY_BREAK_HZ) / _SLANEY_LOG_STEP
    return np.where(above, log_part, mels)


def mel_to_hz(mels, *, htk: bool = False) -> np.ndarray:
    """Mels to Hz, the inverse of :func:`hz_to_mel`.

    HTK: :math:`f = 700 (10^{m / 2595} - 1)`. Slaney: :math:`f = 200 m / 3` below 15 mel,
    :math:`f = 1000 \\exp((m - 15) \\ln 6.4 / 27)` above.

    Parameters
    ----------
    mels : float or np.ndarray
        Frequencies in mels.
    htk : bool
        The HTK formula instead of Slaney's (default False, as librosa).

    Returns
    -------
    np.ndarray [shape=np.shape(mels), float64]
        The frequencies in Hz.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.mel import hz_to_mel, mel_to_hz
    >>> f = np.array([0.0, 440.0, 1000.0, 8000.0])
    >>> bool(np.allclose(mel_to_hz(hz_to_mel(f)), f)), bool(np.allclose(mel_to_hz(hz_to_mel(f, htk=True), htk=True), f))
    (True, True)
    """
    mels = _real_values("mels", mels, "mels")
    if check_flag("htk", htk):
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    above = mels >= _SLANEY_BREAK_MEL
    return np.where(above, _SLANEY_BREAK_HZ * np.exp(_SLANEY_LOG_STEP * (mels - _SLANEY_BREAK_MEL)), _SLANEY_HZ_PER_MEL * mels)


def mel_frequencies(n_mels: int, *, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False) -> np.ndarray:
    """``n_mels`` frequencies (Hz) evenly spaced on the mel scale from ``fmin`` to ``fmax``.

    Parameters
    ----------
    n_mels : int >= 1
        Number of frequencies.
    fmin, fmax : float >= 0
        First and last frequency in Hz (defaults 0 and 11025, as librosa).
    htk : bool
        The HTK mel scale instead of Slaney's (default False), see :func:`hz_to_mel`.

    Returns
    -------
    np.ndarray [shape=(n_mels,), float64]
        The frequencies in Hz, ``fmin`` first and ``fmax`` last.

    Examples
    --------
    >>> from gl.mel import mel_frequencies
    >>> mel_frequencies(3, fmin=0.0, fmax=8000.0, htk=True).round(1)
    array([   0. , 1767.8, 8000. ])
    """
    n_mels = _check_positive_int("n_mels", n_mels)
    fmin, fmax = _check_frequency("fmin", fmin), _check_frequency("fmax", fmax)
    low, high = hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk)
    return mel_to_hz(np.linspace(low, high, n_mels), htk=htk)


def _check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}={value!r} must be an integer")
    if value < 1:
        raise ValueError(f"{name}={value} must be a whole number >= 1")
    if value > MAX_N_FFT:  # numpy's 'array is too big', or an IndexError at 2**63
        raise ValueError(f"{name}={value} is larger than gl handles (at most 2**26 = {MAX_N_FFT}); 40 to 128 mel bands suit audio")
    return int(value)


def _check_frequency(name: str, value) -> float:
    """A frequency in Hz: a finite real number >= 0 (a 0-d array too)."""
    if isinstance(value, (bool, np.bool_)) or not (isinstance(value, (int, float, np.integer, np.floating))
                                                   or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf")):
        raise TypeError(f"{name}={value!r} must be a number (Hz)")
    if not 0 <= float(value) < np.inf:
        raise ValueError(f"{name}={value!r} must be a finite frequency >= 0 (Hz)")
    return float(value)


def mel_filterbank(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: Optional[float] = None,
    htk: bool = False,
    norm: NormSpec = "slaney",
    dtype: DTypeLike = np.float32,
    bins: str = "librosa",
) -> np.ndarray:
    """The mel filterbank ``F`` (n_mels, n_fft // 2 + 1), equal to ``librosa.filters.mel``
    (or, with ``bins='torchaudio'``, to ``torchaudio.functional.melscale_fbanks``).

    Filter ``i`` is the triangle through the mel-spaced frequencies
    ``f_i < f_{i+1} < f_{i+2}`` (``n_mels + 2`` points from ``fmin`` to ``fmax``):

    .. math:: F[i, k] = \\max\\Big(0, \\min\\Big(\\frac{\\nu_k - f_i}{f_{i+1} - f_i},
              \\frac{f_{i+2} - \\nu_k}{f_{i+2} - f_{i+1}}\\Big)\\Big),
              \\qquad \\nu_k = k\\, sr / n\\_fft,

    then scaled by ``2 / (f_{i+2} - f_i)`` (``norm='slaney'``: equal area), by its
    p-norm (``norm=p``, a number or ``np.inf``), or left alone (``norm=None``).

    Parameters
    ----------
    sr : float > 0
        Sample rate in Hz.
    n_fft : int >= 2
        FFT size.
    n_mels : int >= 1
        Number of filters. Default 128.
    fmin, fmax : float
        Lowest and highest frequency (Hz); ``fmax`` defaults to ``sr / 2``.
    htk : bool
        HTK's mel scale instead of Slaney's (torchaudio's default scale is HTK).
    norm : 'slaney', None or number
        Filter normalisation, as in librosa.
    dtype : numpy dtype
        Output dtype (float32 as librosa).
    bins : {'librosa', 'torchaudio'}
        Where the formula puts the FFT bins: librosa's ``nu_k = k sr / n_fft`` (``fmax``
        defaults to ``sr / 2``), or torchaudio's ``linspace(0, sr // 2, n_fft // 2 + 1)``
        (``fmax`` defaults to ``sr // 2``). They are the same grid when ``n_fft`` and ``sr``
        are even; otherwise the filters differ by up to tens of % of their peak.

    Returns
    -------
    np.ndarray [shape=(n_mels, n_fft // 2 + 1)]
        The filterbank: one row per mel band, one column per STFT bin.

    References
    ----------
    M. Slaney, "Auditory Toolbox", Interval Research Technical Report 1998-010;
    S. Young et al., "The HTK Book", 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.mel import mel_filterbank
    >>> F = mel_filterbank(sr=16000, n_fft=512, n_mels=40, norm=None)
    >>> F.shape, F.dtype, float(F.max())
    ((40, 257), dtype('float32'), 1.0)
    """
    weights, empty_filters = _weights_and_warning(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm,
                                                  dtype=dtype, bins=bins)
    if empty_filters is not None:  # as librosa, which warns of empty filters too
        warnings.warn(empty_filters, UserWarning, stacklevel=2)
    return weights


def filterbank_and_warning(**keywords) -> tuple[np.ndarray, Optional[str]]:
    """``mel_filterbank(**keywords)`` and its warning about empty filters (None if none is
    empty), given back instead of issued: callers that explain empty bands their own way use
    it (a ``warnings.catch_warnings`` block would change the warning filters of every thread).
    The keywords and their defaults are :func:`mel_filterbank`'s."""
    import inspect

    arguments = inspect.signature(mel_filterbank).bind(**keywords)
    arguments.apply_defaults()
    return _weights_and_warning(**arguments.arguments)


def _weights_and_warning(*, sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype, bins) -> tuple[np.ndarray, Optional[str]]:
    """The body of :func:`mel_filterbank`, with the empty-filter warning returned."""
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.integer, np.floating)) or not (np.isfinite(sr) and sr > 0):
        raise ValueError(f"sr={sr!r} must be a finite number > 0")
    n_fft = check_n_fft(n_fft)
    n_mels = _check_positive_int("n_mels", n_mels)
    check_choice("bins", bins, ("librosa", "torchaudio"))
    if bins not in ("librosa", "torchaudio"):
        raise ValueError(f"bins={bins!r} must be 'librosa' (k sr / n_fft) or 'torchaudio' (linspace(0, sr // 2, n_freq))")
    try:
        floating = np.dtype(dtype).kind == "f"
    except TypeError:
        floating = False
    if not floating:
        raise TypeError(f"dtype={dtype!r} must be a floating-point dtype (the weights are fractions)")
    if fmax is None:
        fmax = float(sr) / 2 if bins == "librosa" else float(sr // 2)
    fmin, fmax = _check_frequency("fmin", fmin), _check_frequency("fmax", fmax)
    if not 0 <= fmin < fmax:
        raise ValueError(f"fmin={fmin} and fmax={fmax} must satisfy 0 <= fmin < fmax")
    if bins == "librosa":
        bin_frequencies = np.fft.rfftfreq(n_fft, d=1.0 / sr)  # (n_freq,) nu_k
    else:
        bin_frequencies = np.linspace(0.0, float(sr // 2), n_fft // 2 + 1)
    edges = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)  # (n_mels + 2,) f_i
    widths = np.diff(edges)  # f_{i+1} - f_i
    if not np.all(widths > 0):  # fmax=5e-324: edges that coincide in float64 made the weights 0 / 0 = NaN
        raise ValueError(f"fmin={fmin:g} and fmax={fmax:g} Hz are too close to hold n_mels={n_mels} bands (their edges coincide in "
                         "float64); widen fmin..fmax")
    ramps = np.subtract.outer(edges, bin_frequencies)  # (n_mels + 2, n_freq) f_i - nu_k
    rising = -ramps[:-2] / widths[:-1, None]  # (nu_k - f_i) / (f_{i+1} - f_i)
    falling = ramps[2:] / widths[1:, None]  # (f_{i+2} - nu_k) / (f_{i+2} - f_{i+1})
    weights = np.maximum(0.0, np.minimum(rising, falling))  # (n_mels, n_freq)
    if isinstance(norm, str):
        if norm != "slaney":
            raise ValueError(f"norm={norm!r} is unknown; use 'slaney', None or a number (p-norm)")
        weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    elif norm is not None:
        if isinstance(norm, bool) or not isinstance(norm, (int, float, np.integer, np.floating)):
            raise TypeError(f"norm={norm!r} must be 'slaney', None or a number")
        magnitude = np.abs(weights)
        if norm == np.inf:
            length = magnitude.max(axis=-1, keepdims=True)
        elif norm == -np.inf:
            length = magnitude.min(axis=-1, keepdims=True)
        elif norm == 0:
            length = np.sum(magnitude > 0, axis=-1, keepdims=True, dtype=np.float64)
        elif norm > 0:
            length = np.sum(magnitude**norm, axis=-1, keepdims=True) ** (1.0 / norm)
        else:
            raise ValueError(f"norm={norm} must be > 0, 0 or +-inf")
        # librosa leaves rows whose norm is below the smallest normal float unscaled
        length[length < np.finfo(np.dtype(dtype)).tiny] = 1.0
        weights /= length
    empty = int(np.count_nonzero(weights.max(axis=1) == 0))
    message = None
    if empty:
        top = float(bin_frequencies[-1])
        if fmax > top:
            cause, advice = f"fmax={fmax:g} Hz is above the top FFT bin, {top:g} Hz", "lower fmax"
        else:
            cause = f"n_mels={n_mels} is too many between {fmin:g} and {fmax:g} Hz for n_fft={n_fft} at sr={sr:g}"
            advice = "use fewer n_mels, a larger n_fft or a wider fmin-fmax range"
        message = f"{empty} of the {n_mels} mel filters cover no FFT bin ({cause}): those bands stay empty; {advice}"
    return weights.astype(dtype), message


def _spectral_norm_squared(filterbank: np.ndarray) -> float:
    """``||F||_2^2``, the largest eigenvalue of ``F F^T`` (small: n_mels x n_mels)."""
    gram = filterbank.astype(np.float64) @ filterbank.T.astype(np.float64)
    return float(np.linalg.eigvalsh(gram)[-1])


#: Filterbanks whose pseudo-inverse and norm :func:`mel_to_stft` keeps, the most recently
#: used: each costs twice the filterbank (its bytes as the key, and the pseudo-inverse),
#: 0.3 MiB for 80 mels x 513 bins in float32, 4 MiB for 128 x 2049 in float64.
_FILTERBANK_CACHE_SIZE = 4


class _FilterbankKey:
    """A filterbank as a cache key: equal when the dtype, shape and every byte are.

    :func:`mel_to_stft` spends its fixed cost on the filterbank alone, an SVD
    (``np.linalg.pinv``) and an eigenvalue (:func:`_spectral_norm_squared`), both
    LAPACK, a cost that does not depend on the input's length (and, like BLAS's products,
    may suffer from OpenBLAS's threads on a busy machine). A caller inverting many mel
    spectrograms made with the same filterbank (a vocoder's clips,
    :func:`gl.importers.from_mel` on each file) computes them once: the cached values are
    those the first call computed, so each result is the same, bit for bit, as without
    the cache.
    """

    __slots__ = ("dtype", "shape", "data", "_hash")

    def __init__(self, filterbank: np.ndarray):
        self.dtype, self.shape = filterbank.dtype, filterbank.shape
        self.data = np.ascontiguousarray(filterbank).tobytes()  # a copy: the caller may change its array
        self._hash = hash((self.dtype.str, self.shape, self.data))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        return (isinstance(other, _FilterbankKey) and self.dtype == other.dtype and self.shape == other.shape
                and self.data == other.data)

    def array(self) -> np.ndarray:
        """The filterbank, read-only, on the key's bytes."""
        return np.frombuffer(self.data, dtype=self.dtype).reshape(self.shape)


@functools.lru_cache(maxsize=_FILTERBANK_CACHE_SIZE)
def _pseudo_inverse(key: _FilterbankKey) -> np.ndarray:
    """``F^+`` (n_freq, n_mels) in ``F``'s dtype, computed in float64; read-only (shared by the callers)."""
    filterbank = key.array()
    inverse = np.linalg.pinv(filterbank.astype(np.float64)).astype(filterbank.dtype)
    inverse.flags.writeable = False
    return inverse


@functools.lru_cache(maxsize=_FILTERBANK_CACHE_SIZE)
def _cached_norm_squared(key: _FilterbankKey) -> float:
    """:func:`_spectral_norm_squared` of the key's filterbank."""
    return _spectral_norm_squared(key.array())


def mel_to_stft(
    M,
    *,
    filterbank: np.ndarray,
    power: float = 2.0,
    n_iter: int = 200,
    init: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Linear magnitude ``|X|`` (..., n_freq, n_frames) from a mel spectrogram, by NNLS.

    Solves :math:`\\min_{P \\ge 0} \\|F P - M\\|_F^2` by accelerated projected gradient
    with adaptive restart (see the module docstring for the update) and returns
    :math:`P^{1/\\mathrm{power}}`, as ``librosa.feature.inverse.mel_to_stft`` does.

    Parameters
    ----------
    M : np.ndarray [shape=(..., n_mels, n_frames), non-negative]
        Mel spectrogram ``F |X|^power`` (linear, not dB).
    filterbank : np.ndarray [shape=(n_mels, n_freq)]
        The filterbank that made ``M`` (:func:`mel_filterbank`).
    power : float > 0
        Exponent of the magnitude in ``M``: 2 for power (librosa's and torchaudio's
        default), 1 for magnitude.
    n_iter : int >= 0
        Projected-gradient iterations (0 returns librosa's starting point
        ``max(0, F^+ M)``).
    init : np.ndarray, optional
        Starting ``P`` (..., n_freq, n_frames); default ``max(0, F^+ M)``.

    Returns
    -------
    np.ndarray [shape=(..., n_freq, n_frames)]
        The linear magnitude ``|X|``, non-negative: float32 for a float32 (or
        float16, widened) ``M``, float64 for any other.

    References
    ----------
    A. Beck and M. Teboulle, "A fast iterative shrinkage-thresholding algorithm", SIAM J.
    Imaging Sciences 2(1), 2009; B. O'Donoghue and E. Candes, "Adaptive restart for
    accelerated gradient schemes", Found. Comput. Math. 15, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from gl.mel import mel_filterbank, mel_to_stft
    >>> F = mel_filterbank(sr=16000, n_fft=512, n_mels=64)
    >>> S = np.zeros((257, 4), dtype=np.float32); S[40] = 1.0     # a 1250 Hz tone
    >>> S_hat = mel_to_stft(F @ S**2, filterbank=F)
    >>> S_hat.dtype, int(S_hat[:, 0].argmax())
    (dtype('float32'), 40)
    """
    M = as_array("M", M)
    if M.dtype.kind not in "fiu" or M.dtype == bool:
        raise TypeError(f"M must be a real mel spectrogram, got dtype {M.dtype}")
    filterbank = as_array("filterbank", filterbank)
    if filterbank.dtype.kind not in "fiu" or filterbank.dtype == bool:
        raise TypeError(f"filterbank must be a real array of weights, got dtype {filterbank.dtype}")
    if filterbank.ndim != 2:
        raise ValueError(f"filterbank must be 2-D (n_mels, n_freq), got shape {filterbank.shape}")
    if not np.all(np.isfinite(filterbank)):
        raise ValueError("filterbank contains NaN or infinite values")
    if filterbank.size and filterbank.min() < 0:
        raise ValueError(f"filterbank must be non-negative weights; min is {filterbank.min():.3g}")
    if M.ndim < 2 or M.shape[-2] != filterbank.shape[0]:
        raise ValueError(f"M has shape {M.shape}; it must be (..., n_mels={filterbank.shape[0]}, n_frames) for this filterbank")
    if not np.all(np.isfinite(M)):
        raise ValueError("M contains NaN or infinite values")
    if M.size and M.min() < 0:
        raise ValueError(f"M must be non-negative (a linear mel spectrogram, not dB); min is {M.min():.3g}")
    if isinstance(power, bool) or not isinstance(power, (int, float, np.integer, np.floating)):
        raise TypeError(f"power={power!r} must be a number > 0 (1 for magnitude, 2 for power)")
    if not np.isfinite(power) or power <= 0:
        raise ValueError(f"power={power} must be > 0 (1 for magnitude, 2 for power)")
    n_iter = check_n_iter(n_iter)  # the methods' words
    dtype = real_dtype(M)
    # the problem for F / 2^f, whose solution is P 2^f (a filterbank scaled by 1e300 or 1e-300
    # would overflow or underflow ||F||^2, or not fit M's dtype): scaled before the cast to it
    filter_exponent = binary_exponent(float(filterbank.max()) if filterbank.size else 0.0)
    F = np.ldexp(filterbank.astype(np.float64, copy=False), -filter_exponent).astype(dtype)  # (n_mels, n_freq), a copy
    if init is not None:
        init = as_array("init", init)
        if init.dtype.kind not in "fiu" or init.dtype == bool:
            raise TypeError(f"init must be a real power spectrogram, got dtype {init.dtype}")
        expected = M.shape[:-2] + (F.shape[1], M.shape[-1])
        if init.shape != expected:
            raise ValueError(f"init has shape {init.shape}; it must be {expected}")
        if not np.all(np.isfinite(init)):
            raise ValueError("init contains NaN or infinite values")
    # values that underflow to 0 are values of the solution, not errors: the projected gradient
    # drives the bins a filter does not need towards 0 (float32 products below 1e-38), which
    # raised FloatingPointError under a host's np.seterr(all='raise')
    with np.errstate(under="ignore"):
        # the problem is linear in M: solve it for M / 2^e (peak in [0.5, 1)) and scale back, so
        # that F^+ M and the restart test's products neither overflow nor underflow (exact: a power of two)
        exponent = binary_exponent(float(M.max()) if M.size else 0.0)
        M = M.astype(dtype, copy=False)
        if exponent:
            M = np.ldexp(M, -exponent)  # a new array: the caller's M is never modified
        exponent -= filter_exponent  # and F / 2^f: P = P' 2^(e - f)
        key = _FilterbankKey(F)  # F^+ and ||F||^2 depend on F alone: computed once per filterbank
        if init is None:
            P = _pseudo_inverse(key) @ M  # (..., n_freq, n_frames)
            np.maximum(P, 0, out=P)
        else:  # negative values are clipped: P is a power
            P = np.maximum(init, 0).astype(dtype)
            if exponent:
                np.ldexp(P, -exponent, out=P, casting="same_kind")
        if n_iter > 0:
            norm_squared = _cached_norm_squared(key)
            if norm_squared == 0:
                raise ValueError("every filter of the filterbank is empty (zero): its fmin..fmax covers no FFT bin; check sr, n_fft, fmin and fmax")
            P = _accelerated_nnls(F, M, P, n_iter, dtype.type(1.0 / norm_squared))
        # S = (P 2^e)^(1 / power), taking the root before scaling back: P 2^e may not fit the
        # dtype when S does (float32 M near 1e38)
        if power == 2:
            if exponent % 2:  # an even exponent halves exactly
                np.ldexp(P, 1, out=P, casting="same_kind")
                exponent -= 1
            np.sqrt(P, out=P)
            if exponent:
                np.ldexp(P, exponent // 2, out=P, casting="same_kind")
            return P
        with np.errstate(over="ignore", invalid="ignore"):  # inf, and 0 * inf = NaN: refused below
            np.power(P, 1.0 / power, out=P)
            if exponent:
                P *= np.exp2(exponent / power)
        if not np.all(np.isfinite(P)):  # the importers' words (gl.importers takes S to 1 / power the same way)
            raise ValueError(f"power={power:g} takes M to the power {1.0 / power:.3g}, which overflows {P.dtype}: "
                             "power is the exponent the spectrogram was made with (1 for a magnitude, 2 for a power)")
        return P


#: The size of an item of ``Z`` (bins x frames) from which :class:`_BandProducts` runs:
#: each band costs four NumPy calls an iteration whatever its length, which only longer
#: inputs repay (see the class). Per item: a batch of short items makes every call loop
#: over short rows (a batch of 256 items of 4 frames ran slower than BLAS in a review's
#: ad-hoc timing; no committed result).
_BAND_PRODUCTS_FROM = 1 << 16


class _BandProducts:
    """``F Z`` and ``F^T R`` for a filterbank whose rows are narrow bands, by the bands alone.

    Row ``m`` of a mel filterbank is zero outside its triangle, bins ``lo_m .. hi_m - 1``:
    about two nonzero weights per bin in all, against ``n_mels`` per bin in the dense
    product. So ``(F Z)_m = sum_k F[m, k] Z_k`` over the band only, and ``F^T R`` adds
    ``F[m, lo:hi]^T R_m`` into the band's rows, each a NumPy pass over the band's bins.
    No BLAS: on a busy machine a multi-threaded BLAS's threads wait for each other at every
    product. ``benchmarks/mel_inversion.py`` times :func:`mel_to_stft` (200 iterations) on
    its four 4 s excerpts both ways (``benchmarks/results/mel_inversion.json``, its
    ``nnls_seconds``; 2026-11-30, other jobs on the 2 cores, load average 4.2). The BLAS
    products on BLAS's two threads took 2.5 to 10 times as long as the bands (d04, d02);
    on one BLAS thread they took 0.56 times as long on d01 (131 frames at n_fft 1024, just
    above the threshold below) and 1.2 to 1.3 times as long on the three others. The bands
    give up to 1.8x against one BLAS thread for the 2.5-10x that BLAS's two threads lose
    when other jobs share the cores. Each band costs four NumPy calls an iteration whatever
    its length, which short inputs do not repay: on one BLAS thread BLAS was the faster on
    short inputs of noise, the bands on long ones (an ad-hoc timing at n_fft 1024 and 2048
    with 128 mels; no committed result). So the bands run where they cover at most half of ``F``
    (any mel filterbank of more than a few mels) and an item of ``Z`` holds at least
    :data:`_BAND_PRODUCTS_FROM` values (128 frames at n_fft 1024, 64 at 2048), BLAS
    otherwise. The sums run in another order than BLAS's: the products agree to
    rounding.
    """

    def __init__(self, bands: list, n_mels: int, Z: np.ndarray, FZ: np.ndarray, FTR: np.ndarray):
        widest = max(hi - lo for _, lo, hi, _ in bands)
        work = np.empty(Z.shape[:-2] + (widest, Z.shape[-1]), dtype=Z.dtype)  # (..., widest band, n_frames)
        # every view made once: the loops below are then two ufunc calls a band (a view costs
        # as much as a call, and the mel filterbanks of short clips have little work a band)
        self._forward = [(Z[..., lo:hi, :], weights, work[..., : hi - lo, :], FZ[..., m, :]) for m, lo, hi, weights in bands]
        self._adjoint = [(weights, FZ[..., m, None, :], work[..., : hi - lo, :], FTR[..., lo:hi, :]) for m, lo, hi, weights in bands]
        self.empty = [FZ[..., m, :] for m in sorted(set(range(n_mels)) - {band[0] for band in bands})]  # zero rows of F
        self._FTR = FTR

    @classmethod
    def of(cls, F: np.ndarray, Z: np.ndarray, FZ: np.ndarray, FTR: np.ndarray) -> Optional["_BandProducts"]:
        """The products of ``F`` (n_mels, n_freq) by its bands between ``Z`` (..., n_freq,
        n_frames), ``FZ`` (..., n_mels, n_frames) and ``FTR`` (..., n_freq, n_frames), or
        None where the bands cover more than half of ``F``."""
        bands = []
        for m, row in enumerate(F):
            support = np.flatnonzero(row)
            if support.size:
                lo, hi = int(support[0]), int(support[-1]) + 1
                bands.append((m, lo, hi, np.ascontiguousarray(row[lo:hi, None])))
        if not bands or 2 * sum(hi - lo for _, lo, hi, _ in bands) > F.size or Z.shape[-2] * Z.shape[-1] < _BAND_PRODUCTS_FROM:
            return None
        return cls(bands, F.shape[0], Z, FZ, FTR)

    def forward(self) -> None:
        """``FZ = F Z``."""
        multiply, reduce = np.multiply, np.add.reduce
        for band, weights, work, out in self._forward:
            reduce(multiply(band, weights, out=work), axis=-2, out=out)
        for row in self.empty:
            row[...] = 0

    def adjoint(self) -> None:
        """``FTR = F^T FZ`` (``FZ`` as it is now: the NNLS makes it the residual first)."""
        multiply, add = np.multiply, np.add
        self._FTR[...] = 0
        for weights, row, work, out in self._adjoint:
            add(out, multiply(weights, row, out=work), out=out)


def _accelerated_nnls(F: np.ndarray, M: np.ndarray, P: np.ndarray, n_iter: int, step) -> np.ndarray:
    """``n_iter`` projected-gradient steps from ``P`` on ``min_{P >= 0} ||F P - M||^2`` with
    Nesterov momentum and per-frame gradient restart (see :func:`mel_to_stft`); every work
    array is allocated once. The products by ``F`` and ``F^T`` run over the filters' bands
    (:class:`_BandProducts`), by BLAS for a filterbank that is not banded."""
    P_previous = P.copy()
    Z = P.copy()  # extrapolated point
    momentum_step = np.empty_like(P)
    difference = np.empty_like(P)
    residual = np.empty(M.shape, dtype=P.dtype)  # (..., n_mels, n_frames)
    gradient = np.empty_like(P)
    banded = _BandProducts.of(F, Z, residual, gradient)
    if banded is not None:
        forward, adjoint = banded.forward, banded.adjoint
    else:
        FT = np.ascontiguousarray(F.T)  # (n_freq, n_mels)

        def forward() -> None:
            np.matmul(F, Z, out=residual)

        def adjoint() -> None:
            np.matmul(FT, residual, out=gradient)
    t = np.ones(M.shape[:-2] + (1, M.shape[-1]))  # (..., 1, n_frames): every frame is its own problem
    for _ in range(n_iter):
        forward()  # residual = F Z, (..., n_mels, n_frames)
        residual -= M  # F Z - M
        adjoint()  # gradient = F^T (F Z - M), (..., n_freq, n_frames)
        P_previous, P = P, P_previous
        np.multiply(gradient, -step, out=P)
        P += Z
        np.maximum(P, 0, out=P)  # P_k = max(0, Z - grad / L)
        np.subtract(P, P_previous, out=momentum_step)  # P_k - P_{k-1}
        # gradient restart (O'Donoghue and Candes), per frame: the step Z -> P_k opposes the momentum
        np.subtract(Z, P, out=difference)
        difference *= momentum_step
        restart = np.sum(difference, axis=-2, keepdims=True) > 0  # (..., 1, n_frames)
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        weight = np.where(restart, 0.0, (t - 1.0) / t_next).astype(P.dtype)
        np.multiply(momentum_step, weight, out=Z)
        Z += P  # Z = P_k + (t_k - 1) / t_{k+1} (P_k - P_{k-1}), or Z = P_k after a restart
        t = np.where(restart, 1.0, t_next)
    return P
