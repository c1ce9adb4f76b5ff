"""Analysis windows, computed in NumPy.

Every window is returned as a float64 array. A *periodic* window (the default, what
an STFT wants: ``scipy.signal.get_window(..., fftbins=True)``) of length ``M`` is the
symmetric window of length ``M + 1`` without its last sample; a *symmetric* window
(``sym=True``, what filter design and ``scipy.signal.windows.hann(M)`` give) is
exactly symmetric with ``w[0] == w[M-1]``.

Names follow scipy where scipy has them:

============================  ===========================  ==============================
name                          parameters                   formula on ``n = 0 .. N-1``
============================  ===========================  ==============================
``'hann'``                    -                            ``0.5 - 0.5 cos(2 pi n / (N-1))``
``'hamming'``                 -                            ``0.54 - 0.46 cos(2 pi n / (N-1))``
``'blackman'``                -                            ``0.42 - 0.5 cos(..) + 0.08 cos(2 ..)``
``'bartlett'``                -                            ``1 - |2n/(N-1) - 1|``
``'gaussian'``                ``std`` (samples)            ``exp(-(n - (N-1)/2)^2 / (2 std^2))``
``'kaiser'``                  ``beta``                     ``I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)``
``'tukey'``                   ``alpha`` (default 0.5)      flat top, cosine tapers
``'sine'`` / ``'sqrt_hann'``  -                            ``sin(pi n / (N-1))``
``'cosine'``                  -                            ``sin(pi (n + 1/2) / N)``
``'triang'`` / ``'triangle'``  -                           ``1 - |2n - N + 1| / (N + 1)`` (N odd), ``/ N`` (N even)
``'rectangular'`` / ``'boxcar'``  -                        ``1``
============================  ===========================  ==============================

(``N`` is ``M`` for a symmetric window and ``M + 1`` for a periodic one.) ``'sine'`` is
zero at its ends (its square is the Hann window); scipy's ``'cosine'`` is the same arch
sampled half a sample inside them. ``'bartlett'`` is zero at its ends; scipy's ``'triang'``
is not. A window with a
parameter is given as a tuple, ``('gaussian', 128.0)``, ``('kaiser', 8.0)``,
``('tukey', 0.25)``, as in scipy.

Examples
--------
>>> import numpy as np
>>> from gl.windows import get_window
>>> w = get_window("hann", 8)
>>> np.round(w, 3)
array([0.   , 0.146, 0.5  , 0.854, 1.   , 0.854, 0.5  , 0.146])
>>> bool(np.allclose(get_window("sine", 8) ** 2, w))
True
>>> get_window("hann", 5, sym=True)
array([0. , 0.5, 1. , 0.5, 0. ])
"""

from __future__ import annotations

from typing import Union

import numpy as np

from ._checks import as_array, check_flag

#: A window as gl takes it: a name, a ``(name,)`` or ``(name, parameter)`` tuple, or its samples
#: (an array, or a list: :func:`get_window` takes both).
WindowSpec = Union[str, tuple[str], tuple[str, float], np.ndarray, list[float]]

#: Window names gl knows, with the aliases that map onto them.
WINDOW_NAMES = {
    "hann": "hann",
    "hanning": "hann",
    "han": "hann",
    "hamming": "hamming",
    "blackman": "blackman",
    "bartlett": "bartlett",
    "bart": "bartlett",
    "brt": "bartlett",
    "triang": "triang",
    "triangle": "triang",
    "tri": "triang",
    "gaussian": "gaussian",
    "gauss": "gaussian",
    "kaiser": "kaiser",
    "tukey": "tukey",
    "sine": "sine",
    "sqrt_hann": "sine",
    "sqrthann": "sine",
    "cosine": "cosine",
    "halfcosine": "cosine",
    "rectangular": "rectangular",
    "rect": "rectangular",
    "boxcar": "rectangular",
    "box": "rectangular",
    "ones": "rectangular",
}

_NEEDS_PARAMETER = {"gaussian", "kaiser"}

#: The largest ``|beta|`` of a Kaiser window: ``I0(beta)`` overflows float64 near 713.
KAISER_BETA_MAX = 700.0


def _general_cosine(n_points: int, coefficients: tuple[float, ...]) -> np.ndarray:
    """Symmetric ``sum_k (-1)^k a_k cos(k * phase)`` on ``phase in [-pi, pi]`` (scipy's form)."""
    phase = np.linspace(-np.pi, np.pi, n_points)
    window = np.zeros(n_points)
    for k, a_k in enumerate(coefficients):
        window += a_k * np.cos(k * phase)
    return window


def _symmetric(name: str, n_points: int, parameter: float | None) -> np.ndarray:
    """The symmetric window ``name`` of ``n_points`` samples (``n_points >= 2``)."""
    n = np.arange(n_points, dtype=np.float64)
    if name == "hann":
        return _general_cosine(n_points, (0.5, 0.5))
    if name == "hamming":
        return _general_cosine(n_points, (0.54, 0.46))
    if name == "blackman":
        return _general_cosine(n_points, (0.42, 0.50, 0.08))
    if name == "bartlett":
        return 1.0 - np.abs(2.0 * n / (n_points - 1) - 1.0)
    if name == "triang":  # scipy.signal.windows.triang: never zero at the ends
        half = np.arange(1, (n_points + 1) // 2 + 1, dtype=np.float64)
        if n_points % 2 == 0:
            rise = (2.0 * half - 1.0) / n_points
            return np.concatenate([rise, rise[::-1]])
        rise = 2.0 * half / (n_points + 1.0)
        return np.concatenate([rise, rise[-2::-1]])
    if name == "gaussian":
        assert parameter is not None  # _parse requires the std of a gaussian window
        scaled = (n - (n_points - 1) / 2.0) / parameter  # divided first: std**2 overflows beyond 1e154
        # a tiny std: inf, exp(-inf) = 0 (a spike); a narrow one (std < length / 53): tails that
        # underflow to 0 are the window's values, not errors under a host's np.seterr(all='raise')
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(-0.5 * scaled**2)
    if name == "kaiser":
        assert parameter is not None  # _parse requires the beta of a kaiser window
        return np.kaiser(n_points, parameter)
    if name == "sine":
        return np.sin(np.pi * n / (n_points - 1))
    if name == "cosine":  # scipy.signal.windows.cosine
        return np.sin(np.pi * (n + 0.5) / n_points)
    if name == "rectangular":
        return np.ones(n_points)
    if name == "tukey":
        alpha = 0.5 if parameter is None else parameter
        if alpha <= 0:
            return np.ones(n_points)
        if alpha >= 1:
            return _symmetric("hann", n_points, None)
        width = int(np.floor(alpha * (n_points - 1) / 2.0))
        rise = n[: width + 1]
        fall = n[n_points - width - 1 :]
        return np.concatenate(
            [
                0.5 * (1 + np.cos(np.pi * (-1 + 2.0 * rise / alpha / (n_points - 1)))),
                np.ones(n_points - 2 * (width + 1)),
                0.5 * (1 + np.cos(np.pi * (-2.0 / alpha + 1 + 2.0 * fall / alpha / (n_points - 1)))),
            ]
        )
    raise AssertionError(name)  # pragma: no cover - names are checked by the caller


def _parse(spec: str | tuple) -> tuple[str, float | None]:
    """Split a window spec into its canonical name and parameter, with clear errors."""
    if isinstance(spec, tuple):
        if len(spec) not in (1, 2) or not isinstance(spec[0], str):
            raise ValueError(
                f"window={spec!r}: a window tuple is (name,) or (name, parameter), "
                "for instance ('gaussian', 128.0) or ('kaiser', 8.0); or give the window as an array of samples"
            )
        raw_name, parameter = spec[0], (spec[1] if len(spec) == 2 else None)
    else:
        raw_name, parameter = spec, None
    name = WINDOW_NAMES.get(raw_name.lower())
    if name is None:
        known = ", ".join(sorted(set(WINDOW_NAMES.values())))
        raise ValueError(f"window={spec!r} is unknown; use one of {known}, or an array")
    if parameter is not None:
        if isinstance(parameter, bool) or not isinstance(parameter, (int, float, np.integer, np.floating)):
            raise TypeError(f"window={spec!r}: the window parameter must be a number")
        parameter = float(parameter)
        if not np.isfinite(parameter):
            raise ValueError(f"window={spec!r}: the window parameter must be finite")
    if name in _NEEDS_PARAMETER:
        if parameter is None:
            what = "std in samples" if name == "gaussian" else "beta"
            raise ValueError(f"window={spec!r}: the {name} window needs its {what}, e.g. ({name!r}, 8.0)")
        if name == "gaussian" and parameter <= 0:
            raise ValueError(f"window={spec!r}: the gaussian std must be > 0")
        if name == "kaiser" and abs(parameter) > KAISER_BETA_MAX:
            raise ValueError(f"window={spec!r}: the kaiser beta must satisfy |beta| <= {KAISER_BETA_MAX:g} "
                             "(I0(beta) overflows beyond; such a window is a single spike anyway)")
    if name not in _NEEDS_PARAMETER and name != "tukey" and parameter is not None:
        raise ValueError(f"window={spec!r}: the {name} window takes no parameter")
    return name, parameter


def _check_spec(spec) -> None:
    """A window spec is a name, a ``(name, parameter)`` tuple or an array (a list too, as
    :func:`get_window` takes it); anything else is a TypeError naming ``window``."""
    if not isinstance(spec, (str, tuple, list, np.ndarray)):
        raise TypeError(f"window={spec!r} must be a name, a (name, parameter) tuple or an array")


def window_name(spec: WindowSpec) -> str | None:
    """The canonical name of a window spec (``'hann'`` for ``'hanning'``), or None for an array.

    Parameters
    ----------
    spec : str, tuple or np.ndarray
        A window spec, as :func:`get_window` takes.

    Returns
    -------
    str or None
        The name; None for an array.

    Examples
    --------
    >>> window_name("hanning"), window_name(("gaussian", 64.0))
    ('hann', 'gaussian')
    """
    _check_spec(spec)
    if isinstance(spec, (list, np.ndarray)):
        return None
    return _parse(spec)[0]


def window_parameter(spec: WindowSpec) -> float | None:
    """The parameter of a window spec (the std of ``('gaussian', std)``), or None.

    Parameters
    ----------
    spec : str, tuple or np.ndarray
        A window spec, as :func:`get_window` takes.

    Returns
    -------
    float or None
        The parameter; None for a window without one and for an array.

    Examples
    --------
    >>> window_parameter(("gaussian", 64.0)), window_parameter("hann")
    (64.0, None)
    """
    _check_spec(spec)
    if isinstance(spec, (list, np.ndarray)):
        return None
    return _parse(spec)[1]


def get_window(spec: WindowSpec, length: int, *, sym: bool = False) -> np.ndarray:
    """Return the window ``spec`` with ``length`` samples, as float64.

    Parameters
    ----------
    spec : str, tuple or np.ndarray
        A name (``'hann'``), a ``(name, parameter)`` tuple (``('gaussian', 64.0)``), or an
        array of exactly ``length`` finite real values, which is returned as a float64 copy.
    length : int
        Number of samples, at least 1.
    sym : bool
        False (default): periodic window, for spectral analysis. True: symmetric window.

    Returns
    -------
    np.ndarray [shape=(length,), dtype=float64]
        The window's samples.

    Raises
    ------
    ValueError
        Unknown name, missing or invalid parameter, or an array of the wrong length.
    TypeError
        A spec that is neither a string, a tuple nor an array; a complex or non-numeric array.

    Examples
    --------
    >>> get_window("hann", 4)                 # periodic: the symmetric window of 5, less its last sample
    array([0. , 0.5, 1. , 0.5])
    >>> get_window("hann", 4, sym=True).round(2)
    array([0.  , 0.75, 0.75, 0.  ])
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        raise TypeError(f"length={length!r} must be an integer")
    sym = check_flag("sym", sym)
    if length < 1:
        raise ValueError(f"length={length} must be >= 1")
    from .transform import MAX_N_FFT  # not at the top: gl.transform imports this module

    if length > MAX_N_FFT:  # numpy's 'array is too big', an IndexError at 2**63, an empty window at 2**64 - 1
        raise ValueError(f"length={length} is larger than gl handles (at most 2**26 = {MAX_N_FFT} samples, gl.STFT's largest n_fft)")
    if isinstance(spec, (list, np.ndarray)):
        array = as_array("window", spec)
        if array.dtype.kind not in "fiu" or array.dtype == bool:
            raise TypeError(f"window array must be real-valued, got dtype {array.dtype}")
        if array.ndim != 1 or array.shape[0] != length:
            raise ValueError(f"window array has shape {array.shape}; it must be 1-D with {length} samples")
        if not np.all(np.isfinite(array)):
            raise ValueError("window array must contain only finite values")
        return array.astype(np.float64, copy=True)
    _check_spec(spec)
    name, parameter = _parse(spec)
    if length == 1:
        return np.ones(1)
    if sym:
        return _symmetric(name, length, parameter)
    return _symmetric(name, length + 1, parameter)[:-1]


#: Windows without a parameter that an array may turn out to be.
NAMEABLE = ("hann", "hamming", "blackman", "bartlett", "triang", "sine", "cosine", "rectangular")


def name_of(samples: np.ndarray) -> tuple[str, bool] | None:
    """``(name, sym)`` of the named window (without a parameter) that ``samples`` are, or None.

    Parameters
    ----------
    samples : np.ndarray [shape=(n,), real]
        A window's samples.

    Returns
    -------
    tuple (str, bool) or None
        The name of the window of :data:`NAMEABLE` and the ``sym`` that give ``samples``
        (to 1e-12), or None when none does.

    Examples
    --------
    >>> name_of(get_window("hann", 64, sym=True))
    ('hann', True)
    """
    samples = as_array("samples", samples)
    if samples.dtype.kind not in "fiu" or samples.dtype == bool:
        raise TypeError(f"samples must be a real array (a window's samples), got dtype {samples.dtype}")
    if samples.ndim != 1 or samples.shape[0] < 1:
        raise ValueError(f"samples has shape {samples.shape}; it must be 1-D with at least 1 sample")
    for name in NAMEABLE:
        for sym in (False, True):
            if np.allclose(get_window(name, samples.shape[0], sym=sym), samples, rtol=0, atol=1e-12):
                return name, sym
    return None
