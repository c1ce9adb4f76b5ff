"""What every phase-retrieval algorithm shares: checking the magnitude, the geometry,
the initial phase, the convergence record, ``tol`` and ``callback``.

An algorithm module (``gl.griffinlim``, ...) calls :func:`prepare` to get a
:class:`Problem` (the checked magnitude in the frame-major layout of the engine, the
geometry, the signal length, the initial spectrogram) and a :class:`Tracker` that keeps
the spectral-convergence history and decides when to stop.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass, field, fields
from typing import Callable, Optional, Union

import numpy as np

from ._checks import as_array, check_non_negative, underflow_is_a_value
from ._engine import floored_between_frames, threads_from_environment
from ._trig import unit_phasors
from .transform import STFT, PadMode, _caller_stacklevel, binary_exponents, complex_dtype, implied_n_fft, native_order, real_dtype
from .windows import WindowSpec

InitSpec = Union[str, np.ndarray, None]
#: What an ``rng`` (or librosa's ``random_state``) may be: None, a seed (a whole number >= 0),
#: a ``np.random.Generator`` or a legacy ``np.random.RandomState`` (:func:`check_rng`).
#: (Quoted: ``np.random`` is loaded on first use, and ``import gl`` does not use it.)
RngSpec = Union[None, int, "np.integer", "np.random.Generator", "np.random.RandomState"]
# What the callback returns is read, not required: True, np.True_ or an array all True stops
# the run, anything else (None, False, a number ...) goes on (``Tracker.record``).
Callback = Callable[[int, "PhaseRetrievalInfo"], object]


#: The most elements :class:`PhaseRetrievalInfo`'s repr shows of an array in full (numpy's
#: ``threshold``): longer ones show their first and last three.
_REPR_THRESHOLD = 10


@dataclass
class PhaseRetrievalInfo:
    """What an iterative phase retrieval did.

    Attributes
    ----------
    method : str
        The algorithm, e.g. ``'fgla'``.
    n_iter : int
        Iterations run (fewer than asked when ``tol`` or the callback stopped early). A
        single pass (PGHI, SPSI, RTPGHI) counts 1, RTISI-LA its iterations per frame; both
        have one row of history, that of the returned signal. So has a run made within
        :func:`gl._run.measuring_only_the_ends` (the command line without ``--plot``),
        which measures only its start and its result.
    spectral_convergence : np.ndarray [shape=(n_iter, ...)]
        ``|| |STFT(x_n)| - S ||_F / ||S||_F`` of the signal after each iteration ``n``,
        per batch item (one row, the result's, when only the ends were measured). Its
        last row is the spectral convergence of the returned signal (of the run's signal
        it was cut from, for :meth:`gl.Spectrogram.invert` without a known length: see there).
    converged : bool
        True when ``tol`` stopped the iteration.
    stopped_by_callback : bool
        True when the callback returned True.
    elapsed : float
        Wall time in seconds.
    init : str
        The initial phase used: ``'random'``, ``'zeros'``, ``'array'``, ``'pghi'`` ...
    initial_spectral_convergence : np.ndarray [shape=(...)] or None
        Spectral convergence of the starting point ``ISTFT(S exp(i phi_0))``, per batch item
        (a 0-d array for one spectrogram: ``float()`` gives the number);
        for a one-pass method (PGHI, SPSI, RTPGHI, RTISI-LA: the start is made frame by frame
        within the pass, even from a given ``init``) that of its result, the only row.
    times : np.ndarray [shape=(n_iter,)]
        Seconds from the start of the run (the starting phase included) to the making of
        each row's signal (one a row: row ``n - 1`` at the end of iteration ``n``), not
        counting the time spent in the callback: plot ``spectral_convergence_db`` against it
        to compare methods at equal time. The history's measurement is included (each
        signal's error is measured by the next iteration's sweep; the result's own final
        measurement is in ``elapsed`` only). A measured iteration costs 5 to 43 % more
        than a plain call's, by method (fast Griffin-Lim, AGLA and RAAR then also keep
        their sequences as spectrograms: ``benchmarks/bench_methods.py``,
        ``benchmarks/results/methods.json``): time plain calls for the methods' speed.
    floored_between_frames : bool or np.ndarray of bool
        True when :meth:`gl.Spectrogram.invert` (or :func:`gl.reconstruct_long`) made the
        returned signal with its iterations dividing by a floor between the frames of a
        :attr:`gl.STFT.low_overlap` geometry (its ``floor_between_frames``); for a batch,
        one flag a batch item (the channels are decided apart).

    Examples
    --------
    >>> import numpy as np
    >>> import gl
    >>> S = np.abs(gl.stft(np.sin(2 * np.pi * 440 * np.arange(4000) / 8000), n_fft=256, hop_length=64))
    >>> y, info = gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=20, method="gla", rng=0, return_info=True)
    >>> info.method, info.n_iter, info.spectral_convergence.shape, info.converged
    ('gla', 20, (20,), False)
    >>> bool(np.all(np.diff(info.spectral_convergence) <= 0))   # plain Griffin-Lim's error never grows
    True
    >>> y, info = gl.griffinlim(S, n_fft=256, hop_length=64, n_iter=500, tol=1e-3, rng=0, return_info=True)
    >>> info.converged, info.n_iter < 500                        # tol stopped it early
    (True, True)
    """

    method: str
    n_iter: int = 0
    spectral_convergence: np.ndarray = field(default_factory=lambda: np.zeros((0,)))
    converged: bool = False
    stopped_by_callback: bool = False
    elapsed: float = 0.0
    init: str = "random"
    initial_spectral_convergence: Optional[np.ndarray] = None
    times: np.ndarray = field(default_factory=lambda: np.zeros((0,)))
    floored_between_frames: Union[bool, np.ndarray] = False
    # seconds of elapsed spent in the callback, which times leave out (a rerun's times go on from its first run's)
    _callback_seconds: float = field(default=0.0, init=False, repr=False, compare=False)

    def __repr__(self) -> str:
        """The fields as a dataclass shows them, with the per-iteration arrays cut short as numpy
        cuts a long array, ``array([0.38, 0.33, 0.29, ..., 0.02, 0.02, 0.02])``: printed in full,
        the history and the times of 100 iterations filled a screen."""
        with np.printoptions(threshold=_REPR_THRESHOLD, edgeitems=3):
            shown = ", ".join(f"{item.name}={getattr(self, item.name)!r}" for item in fields(self) if item.repr)
        return f"{type(self).__name__}({shown})"

    @property
    def spectral_convergence_db(self) -> np.ndarray:
        """The history in dB, ``20 log10(SC)`` (``-inf`` for an exact match)."""
        with np.errstate(divide="ignore"):
            return 20.0 * np.log10(self.spectral_convergence)

    @property
    def final_db(self) -> Union[np.float64, np.ndarray]:
        """Spectral convergence of the returned signal in dB (per batch item): the last of the
        history, or with no iteration that of the starting point (NaN if it was not measured):
        ``np.float64`` for one spectrogram, an array of the batch's shape for a batch.
        """
        if len(self.spectral_convergence) == 0:
            if self.initial_spectral_convergence is None:
                return np.float64(np.nan)
            with np.errstate(divide="ignore"):
                return 20.0 * np.log10(np.asarray(self.initial_spectral_convergence, dtype=np.float64))
        return self.spectral_convergence_db[-1]


def check_magnitude(S, geometry: Optional[STFT] = None, *, name: str = "S") -> np.ndarray:
    """A non-negative, finite, real floating-point magnitude of shape (..., n_freq, n_frames)."""
    S = as_array(name, S)
    if S.dtype.kind == "c":
        raise TypeError(f"{name} must be a real magnitude spectrogram; got a complex array (pass np.abs({name}))")
    if S.dtype.kind != "f":
        raise TypeError(f"{name} must be a floating-point magnitude spectrogram, got dtype {S.dtype}")
    if S.ndim < 2:
        raise ValueError(f"{name} must have shape (..., n_freq, n_frames), got shape {S.shape}")
    if geometry is not None:
        geometry.check_spectrogram(S, name=name, complex_ok=False)
    if not np.all(np.isfinite(S)):
        raise ValueError(f"{name} contains NaN or infinite values")
    check_non_negative(name, S)
    return native_order(S)


def check_magnitude_range(S: np.ndarray, name: str = "S", dtype: Optional[np.dtype] = None) -> None:
    """Refuse magnitudes so large that the transforms would overflow to inf and NaN.

    For a stream, whose frames arrive one by one and cannot be scaled as a whole (the
    batch methods scale ``S`` instead, see :func:`working_scale`). The bound, the square
    root of the dtype's largest number (1.8e19 in float32, 1e154 in float64), leaves room
    for the sums of an FFT and for squares; audio never comes near it (a full-scale tone
    gives ``n_fft / 4``).
    """
    dtype = np.dtype(S.dtype if dtype is None else dtype)  # the dtype the values will be computed in
    limit = float(np.sqrt(np.finfo(dtype).max))
    peak = float(S.max()) if S.size else 0.0
    if peak > limit:
        raise ValueError(
            f"{name} has values up to {peak:.3g}, beyond what {dtype} transforms carry without overflow "
            f"(at most {limit:.3g}): scale {name} down (the signal scales with it)"
            + (" or compute in float64 (a stream: dtype=np.float64)" if dtype == np.float32 else "")
        )


def resolve_geometry(
    S: np.ndarray,
    geometry: Optional[STFT],
    n_fft: Optional[int],
    hop_length: Optional[int],
    win_length: Optional[int],
    window: WindowSpec,
    center: bool,
    pad_mode: PadMode,
    sym: bool,
) -> STFT:
    """The STFT object for ``S``: ``geometry`` if given, else one built from the keywords.

    ``n_fft`` defaults to ``2 * (n_freq - 1)`` as in librosa.
    """
    if geometry is not None:
        if not isinstance(geometry, STFT):
            raise TypeError(f"geometry must be a gl.STFT, got {type(geometry).__name__}")
        given = [n for n, v in (("n_fft", n_fft), ("hop_length", hop_length), ("win_length", win_length)) if v is not None]
        if given:
            raise ValueError(f"give either geometry or {', '.join(given)}, not both")
        return geometry
    if n_fft is None:
        n_fft = implied_n_fft("S", np.shape(S))
    return STFT(n_fft, hop_length, win_length, window, center, pad_mode, sym)


def check_n_iter(n_iter) -> int:
    if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)):
        raise TypeError(f"n_iter={n_iter!r} must be an integer")
    if n_iter < 0:
        raise ValueError(f"n_iter={n_iter} must be >= 0")
    return int(n_iter)


def check_n_threads(n_threads) -> Optional[int]:
    """``n_threads``: None (gl decides) or a whole number >= 1. With None, ``GL_NUM_THREADS``
    is checked too (:func:`gl._engine.threads_from_environment`), also by the methods that
    run on one thread, so that a bad setting is found by whichever method runs first."""
    if n_threads is None:
        threads_from_environment()
        return None
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)):
        raise TypeError(f"n_threads={n_threads!r} must be a whole number >= 1 or None")
    if n_threads < 1:
        raise ValueError(f"n_threads={n_threads} must be >= 1 (or None: gl decides)")
    return int(n_threads)


def check_rng(rng, name: str = "rng"):
    """``rng``: None, a seed (a whole number >= 0), a ``np.random.Generator`` or a legacy
    ``np.random.RandomState`` (what librosa 0.10 and 0.11 make of an integer ``random_state``)."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"{name}={rng!r} must be None, a seed (a whole number >= 0), a np.random.Generator or a np.random.RandomState")
    if rng < 0:
        raise ValueError(f"{name}={rng} must be >= 0 (a seed), None, a np.random.Generator or a np.random.RandomState")
    return rng


def from_random_state(random_state, rng=None):
    """librosa 0.10 and 0.11's ``random_state`` as gl's ``rng``: an int seeds a legacy ``np.random.RandomState``
    (librosa's draw), a generator stays itself; ``rng`` must then be None."""
    if rng is not None:
        raise ValueError("give rng or random_state (librosa's name), not both")
    random_state = check_rng(random_state, "random_state")
    if random_state is None or isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if random_state >= 2**32:  # numpy's 'Seed must be between 0 and 2**32 - 1', naming nothing
        raise ValueError(f"random_state={random_state} must be below 2**32 (a np.random.RandomState seed, as librosa makes of it); "
                         "rng= takes larger seeds")
    return np.random.RandomState(seed=random_state)


def as_generator(rng):
    """The checked ``rng`` as something that draws: the Generator or RandomState given, or
    ``np.random.default_rng(rng)`` for a seed or None."""
    rng = check_rng(rng)
    return rng if isinstance(rng, (np.random.Generator, np.random.RandomState)) else np.random.default_rng(rng)


def check_real(name: str, value, rule: str = "") -> float:
    """``value`` as a float: a finite real number (``rule`` completes the TypeError message)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}={value!r} must be a real number{' ' + rule if rule else ''}")
    if not np.isfinite(value):
        raise ValueError(f"{name}={value} must be finite{' and ' + rule if rule else ''}")
    return float(value)


def check_tol(tol) -> Optional[float]:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating, np.integer)):
        raise TypeError(f"tol={tol!r} must be a number in (0, 1) or None")
    if not 0 < tol < 1:
        raise ValueError(f"tol={tol} must be in (0, 1): the relative change of spectral convergence that stops the iteration")
    return float(tol)


def check_momentum(momentum, name: str = "momentum") -> float:
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}={momentum!r} must be a number")
    if not np.isfinite(momentum) or momentum < 0:
        raise ValueError(f"{name}={momentum} must be finite and >= 0")
    if momentum > 1:
        warnings.warn(f"{name}={momentum} > 1 is unstable for most signals; 0.99 is the usual value", UserWarning,
                      stacklevel=_caller_stacklevel())
    return float(momentum)


#: Initialisers that need the geometry, by name: module and function, each called as
#: ``function(S, geometry) -> phases`` (real array of ``S.shape``, radians).
INITIALIZERS = {
    "pghi": ("gl.pghi", "initial_phase"),
    "spsi": ("gl.spsi", "initial_phase"),
}


def _equals_magnitude_up_to_sign(array: np.ndarray, S: np.ndarray) -> bool:
    """Whether a real ``init`` is ``S`` up to the sign of each value: spectrogram
    coefficients given where phases were expected. Phases differ from ``S`` at its peak
    (one comparison); otherwise every value is compared, a block of frames at a time."""
    if not S.size:
        return False
    peak = np.unravel_index(int(np.argmax(S)), S.shape)
    if not S[peak] > 0 or abs(float(array[peak])) != float(S[peak]):
        return False
    frames = max(1, (1 << 16) // max(1, S.size // S.shape[-1]))  # about 64 k values a block
    for first in range(0, S.shape[-1], frames):
        if not np.array_equal(np.abs(array[..., first : first + frames]), S[..., first : first + frames]):
            return False
    return True


def check_init_array(array: np.ndarray, shape: tuple) -> None:
    """An ``init`` array's dtype, real phases or complex coefficients (before the shape:
    ``np.array(['random'])`` is no phase), and its shape, ``S``'s."""
    if array.dtype.kind not in "fiuc" or array.dtype == bool:
        raise TypeError(f"init must be a string or a real (phase) or complex array, got dtype {array.dtype}")
    if array.shape != tuple(shape):
        raise ValueError(f"init array has shape {array.shape}; it must match S.shape {tuple(shape)}")


class StartingPhase:
    """The initial phase ``phi_0``, handed out block by block in the engine's layout.

    ``'random'``: ``phi_0 = 2 pi U`` with ``U ~ uniform[0, 1)`` drawn by
    ``rng.random(S.shape)`` (the same draw as ``librosa.griffinlim(init='random')``, so a
    shared generator gives the same start); ``'zeros'`` or None: ``phi_0 = 0``; a real
    array: phases in radians (one equal to ``S`` up to sign, coefficients such as
    ``S (-1)^k``, is still read so, with a warning); a complex array: its phase (its modulus is ignored; a zero
    coefficient gets phase 0); a name of :data:`INITIALIZERS` (``'pghi'``, ``'spsi'``):
    computed from ``S`` and the ``geometry``. The caller's array is never modified or
    copied: only one block of phasors exists at a time, so a long signal's start costs
    at most the draw ``U`` (half a complex spectrogram).
    """

    def __init__(self, S: np.ndarray, init: InitSpec, rng, geometry: Optional[STFT] = None):
        S = np.asarray(S)
        self.shape = S.shape
        self.complex_dtype = complex_dtype(real_dtype(S))
        self._kind = "zeros"  # 'zeros' | 'phase' (radians) | 'phasor' (complex, any modulus)
        self._data: Optional[np.ndarray] = None
        self._scale = 1.0
        if isinstance(init, str):
            if init == "random":
                generator = as_generator(rng)
                self._kind, self._data, self._scale, self.label = "phase", _uniform_draw(generator, S), 2 * np.pi, "random"
            elif init == "zeros":
                self.label = "zeros"
            elif init in INITIALIZERS:
                if geometry is None:
                    raise ValueError(f"init={init!r} needs the STFT geometry")
                import importlib

                module_name, function_name = INITIALIZERS[init]
                function = getattr(importlib.import_module(module_name), function_name)
                self._kind, self._data, self.label = "phase", np.asarray(function(S, geometry)), init
            else:
                raise ValueError(f"init={init!r} is unknown; use 'random', 'zeros', 'pghi', 'spsi' or an array of S's shape")
        elif init is None:
            self.label = "zeros"
        else:
            array = as_array("init", init)
            check_init_array(array, S.shape)
            if not np.all(np.isfinite(array)):
                raise ValueError("init contains NaN or infinite values")
            if array.dtype.kind != "c" and _equals_magnitude_up_to_sign(array, S):
                warnings.warn(
                    "init is a real array equal to S up to sign: coefficients (such as S (-1)^k), not phases. "
                    "A real init is read as phases in radians; to start from these coefficients pass them "
                    "complex (init.astype(complex)) or pass their phase (np.angle(init))",
                    UserWarning, stacklevel=_caller_stacklevel(),
                )  # fmt: skip
            # the fast phasors reduce angles exactly up to about 1e7 rad: bring larger ones into [0, 2 pi)
            # (the extremes in float64: abs of the int64 minimum wraps to itself, and no temporary |init|)
            if array.dtype.kind != "c" and array.size and max(float(array.max()), -float(array.min())) > 1e6:
                array = np.remainder(array, 2 * np.pi)
            self._kind = "phasor" if array.dtype.kind == "c" else "phase"
            self._data, self.label = array, "array"
        if self._data is not None:
            self._data = self._data.reshape((-1,) + S.shape[-2:])  # (batch, n_freq, n_frames), a view

    def phasors(self, b: int, first: int, last: int, out: np.ndarray) -> np.ndarray:
        """``exp(i phi_0)`` of batch item ``b``, frames ``first:last``, into ``out`` (frames, n_freq)."""
        out = out[: last - first]
        if self._kind == "zeros":
            out[...] = 1
            return out
        assert self._data is not None  # every kind but "zeros" has its data
        block = self._data[b, :, first:last].T  # (frames, n_freq)
        if self._kind == "phase":
            return unit_phasors(block, out, self._scale)  # exp(i phi_0), phi_0 = scale * block
        modulus = np.abs(block)
        out[...] = 1
        nonzero = modulus > 0
        # component by component: a complex / real division goes through complex division,
        # whose intermediate products overflow for subnormal values (NaN phasors)
        np.divide(block.real, modulus, out=out.real, where=nonzero, casting="unsafe")
        np.divide(block.imag, modulus, out=out.imag, where=nonzero, casting="unsafe")
        subnormal = nonzero & (modulus < np.finfo(modulus.dtype).tiny)  # too few bits for a unit quotient
        if subnormal.any():
            out[subnormal] = np.exp(1j * np.angle(block[subnormal]))
        return out

    def full(self) -> np.ndarray:
        """All the phasors at once, in the caller's layout (..., n_freq, n_frames)."""
        n_freq, n_frames = self.shape[-2:]
        batch = int(np.prod(self.shape[:-2], dtype=int))
        out = np.empty((batch, n_frames, n_freq), dtype=self.complex_dtype)
        for b in range(batch):
            self.phasors(b, 0, n_frames, out[b])
        return np.swapaxes(out, -1, -2).reshape(self.shape)


def _uniform_draw(generator: np.random.Generator, S: np.ndarray) -> np.ndarray:
    """``generator.random(S.shape)``, stored in the precision of ``S``.

    The values are those of one float64 draw of ``S.shape`` (librosa's), drawn in chunks of
    rows (a Generator fills in C order, so the chunks continue the same stream); for
    float32 data they are kept as float32, so the draw costs half a complex64 spectrogram.
    """
    if S.dtype.newbyteorder("=") != np.float32:  # ('>f4' is float32 too)
        return generator.random(size=S.shape)
    rows = S.reshape(-1, S.shape[-1]) if S.size else S.reshape(0, max(S.shape[-1], 0))
    out = np.empty(rows.shape, dtype=np.float32)
    chunk = max(1, (1 << 17) // max(1, rows.shape[1]))  # 1 MiB of float64 at a time
    for first in range(0, rows.shape[0], chunk):
        out[first : first + chunk] = generator.random(size=(min(chunk, rows.shape[0] - first), rows.shape[1]))
    return out.reshape(S.shape)


def initial_phase(S: np.ndarray, init: InitSpec, rng, geometry: Optional[STFT] = None) -> tuple[np.ndarray, str]:
    """The starting phase as unit phasors ``exp(i phi_0)`` of ``S.shape``, and a label.

    See :class:`StartingPhase` for the meaning of ``init``; this makes the whole array.
    """
    start = StartingPhase(S, init, rng, geometry)
    return start.full(), start.label


@underflow_is_a_value  # once per result: its STFT's products (a quiet signal, a narrow window) that underflow are values
def measure_convergence(S: np.ndarray, y: np.ndarray, geometry: STFT) -> np.ndarray:
    """Spectral convergence ``|| |STFT(y)| - S || / ||S||`` per batch item (float64, shape ``S.shape[:-2]``).

    Measured as the iterative methods measure their history: block by block, in the dtype
    of ``S`` and ``y`` (sums of squares in float64), after the power-of-two scaling of
    :func:`working_scale` of both. No spectrogram, no copy of ``S`` and no float64 copy of
    anything is made: one padded signal and a few blocks of frames.
    """
    dtype = real_dtype(S) if real_dtype(S) == real_dtype(y) else np.dtype(np.float64)
    flat_S = S.reshape((-1,) + S.shape[-2:])  # (batch, n_freq, n_frames), the caller's layout
    flat_y = y.reshape(-1, y.shape[-1])
    batch, n_freq, n_frames = flat_S.shape
    length = flat_y.shape[-1]
    pad = geometry.pad
    padded = np.zeros(max(length + 2 * pad, geometry.n_fft + geometry.hop_length * (n_frames - 1)), dtype=dtype)
    block = max(16, geometry.block_frames(dtype) // 4)
    frames = np.empty((block, geometry.n_fft), dtype=dtype)
    spectra = np.empty((block, n_freq), dtype=complex_dtype(dtype))
    magnitude = np.empty((block, n_freq), dtype=dtype)
    target = np.empty((block, n_freq), dtype=dtype)
    error, norm = np.zeros(batch), np.zeros(batch)
    for b in range(batch):
        exponent = working_exponent(float(flat_S[b].max()) if flat_S[b].size else 0.0)  # per item, as working_scale
        np.copyto(padded[pad : pad + length], flat_y[b], casting="same_kind")
        if exponent:
            np.ldexp(padded[pad : pad + length], -exponent, out=padded[pad : pad + length], casting="same_kind")
        geometry.refresh_padding(padded[: length + 2 * pad], length)
        for first in range(0, n_frames, block):
            last = min(first + block, n_frames)
            count = last - first
            modulus = np.abs(geometry.analyze(padded, first, last, frames, spectra), out=magnitude[:count])
            wanted = target[:count]
            np.copyto(wanted, flat_S[b, :, first:last].T, casting="same_kind")
            if exponent:
                np.ldexp(wanted, -exponent, out=wanted, casting="same_kind")
            norm[b] += np.einsum("ij,ij->", wanted, wanted, dtype=np.float64)
            np.subtract(modulus, wanted, out=wanted)
            error[b] += np.einsum("ij,ij->", wanted, wanted, dtype=np.float64)
    error, norm = np.sqrt(error), np.sqrt(norm)
    sc = np.divide(error, norm, out=np.where(error > 0, np.inf, 0.0), where=norm > 0)  # 0 for silence matched
    return sc.reshape(S.shape[:-2])


def wrapped_phase(phase: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``phase`` (float64 radians) in ``[-pi, pi]``, as ``dtype``: wrapped in float64 first, since
    integrated phases reach 1e5 rad, where float32's steps are 0.01 rad (a ``return_phase``).
    ``pi`` itself only by rounding (a float32 just below it rounds up to it)."""
    wrapped = np.remainder(phase + np.pi, 2 * np.pi)
    wrapped -= np.pi
    return wrapped.astype(dtype, copy=False)


def refuse_iteration_options(method: str, init=None, tol=None, callback=None, own_tol: bool = False) -> None:
    """For ``gl.reconstruct(S, method=...)`` of a single-pass method: ``init``, ``tol`` and
    ``callback`` belong to iterations it does not make; refuse them rather than ignore them."""
    if init is not None:
        shown = f"an array of shape {init.shape}" if isinstance(init, np.ndarray) else repr(init)
        hint = f"; to iterate from its phase use method='fgla' (or another iterative method) with init={method!r}"
        raise ValueError(f"init={shown} does not apply to method={method!r}, which makes its own phase in one pass"
                         + (hint if method in INITIALIZERS else ""))
    if tol is not None:
        hint = f"; {method}'s own (heap) tolerance is heap_tol=... here, as gl.{method}(S, tol=...)" if own_tol else ""
        raise ValueError(f"tol={tol} is an iteration tolerance and method={method!r} makes one pass{hint}")
    if callback is not None:
        raise ValueError(f"callback does not apply to method={method!r}: it makes one pass, not iterations")


def one_pass_info(method: str, init: str, S, y: np.ndarray, geometry: STFT, elapsed: float, n_iter: int = 1) -> PhaseRetrievalInfo:
    """The info of a single-pass method (PGHI, SPSI, a streaming pass): one row of
    history, the spectral convergence of its result ``y`` (:func:`measure_convergence`)."""
    sc = np.asarray(measure_convergence(np.asarray(S), np.asarray(y), geometry), dtype=np.float64)
    return PhaseRetrievalInfo(
        method=method, n_iter=n_iter, spectral_convergence=sc[None], init=init, elapsed=elapsed,
        initial_spectral_convergence=sc, times=np.array([elapsed], dtype=np.float64),
    )  # fmt: skip


@dataclass
class Problem:
    """A checked phase-retrieval problem, laid out for the engine."""

    geometry: STFT
    magnitude: np.ndarray  # (batch, n_frames, n_freq), C-contiguous, times 1 / scale
    batch_shape: tuple
    length: int
    dtype: np.dtype
    scale_exponent: Union[np.ndarray, int] = 0  # per batch item: the methods run on S / 2^e, signals come back times 2^e

    def to_frames(self, spectrogram: np.ndarray) -> np.ndarray:
        """(..., n_freq, n_frames) in the caller's layout -> (batch, n_frames, n_freq), a copy."""
        flat = spectrogram.reshape((-1,) + spectrogram.shape[-2:])
        return np.ascontiguousarray(np.swapaxes(flat, -1, -2))

    def from_frames(self, spectrogram: np.ndarray) -> np.ndarray:
        """(batch, n_frames, n_freq) -> (..., n_freq, n_frames), the caller's layout (a view)."""
        return np.swapaxes(spectrogram, -1, -2).reshape(self.batch_shape + spectrogram.shape[-1:] + spectrogram.shape[-2:-1])

    def signal_shape(self, signal: np.ndarray) -> np.ndarray:
        """(batch, length) -> (..., length), at the level of the caller's ``S`` (undoing :attr:`scale_exponent`, in place)."""
        exponents = np.atleast_1d(np.asarray(self.scale_exponent, dtype=np.intc))  # one per item (or one for all)
        if exponents.any():  # ldexp: exact, and no 2^e that the dtype cannot hold (2^128 in float32)
            with np.errstate(over="ignore", under="ignore"):  # a quiet item's samples below 2^-149: values
                np.ldexp(signal, exponents[:, None], out=signal, casting="same_kind")
            if exponents.max() > 0 and not np.all(np.isfinite(signal)):
                peaks = self.magnitude.reshape(self.magnitude.shape[0], -1).max(axis=1, initial=0).astype(np.float64)
                with np.errstate(over="ignore"):  # the caller's peak, which float64 holds (float32 input)
                    peak = float(np.max(np.ldexp(peaks, exponents)))
                raise ValueError(
                    f"S has values up to {peak:.3g}: the signal "
                    f"they make exceeds what {self.dtype} holds (its largest number is {float(np.finfo(self.dtype).max):.3g}); "
                    "scale S down (the signal scales with it)"
                )
        return signal.reshape(self.batch_shape + (self.length,))

    def signal_from_phase(self, phase: np.ndarray) -> np.ndarray:
        """``ISTFT(S exp(i phase))`` of the problem's length and ``S``; ``phase`` in the caller's layout.

        Each block's phasors come from :func:`gl._trig.unit_phasors` (a table and short
        polynomials, faster than ``np.cos`` and ``np.sin``, to 1e-15); see
        :meth:`signal_from_phasors` for the synthesis.
        """
        phases = phase.reshape((-1,) + phase.shape[-2:])  # (batch, n_freq, n_frames)

        def phasors(b: int, first: int, last: int, out: np.ndarray) -> np.ndarray:
            return unit_phasors(phases[b, :, first:last].T, out)

        return self.signal_from_phasors(phasors)

    def signal_from_phasors(self, phasors: Callable[[int, int, int, np.ndarray], np.ndarray]) -> np.ndarray:
        """``ISTFT(S exp(i phi))`` of the problem's length and ``S``, the phase given a block at a time.

        ``phasors(b, first, last, out)`` writes ``exp(i phi)`` of frames ``first:last`` of
        batch item ``b`` into ``out`` (last - first, n_freq) and returns it; it is called
        item after item, and for each item on consecutive blocks of frames from frame 0
        (one thread), so a phase made by a recursion along the frames can be made as it
        is asked for. Synthesised block by block by the sweep engine: the complex
        spectrogram never exists whole. Each block is scaled by the problem's checked,
        frame-major ``S``. NOLA was already checked (and warned about) by :func:`prepare`.
        """
        from ._engine import SweepEngine

        magnitude = self.magnitude  # (batch, n_frames, n_freq)

        def fill(b: int, first: int, last: int, out: np.ndarray) -> np.ndarray:
            block = phasors(b, first, last, out[: last - first])
            block *= magnitude[b, first:last]
            return block

        # the one-pass methods' synthesis, once per call: the products of a magnitude spanning
        # 1e-33..1e3 (float32) with the phasors and the window underflow to values, not errors
        with SweepEngine(self.geometry, magnitude, self.length, 1) as engine, np.errstate(under="ignore"):
            engine.synthesize(fill)
            engine.release_work()
            # with low overlap, divided by a floor between frames (gl._engine, *Low overlap*)
            return self.signal_shape(engine.output(between_frames=False))


def prepare(
    S,
    geometry: Optional[STFT],
    n_fft: Optional[int],
    hop_length: Optional[int],
    win_length: Optional[int],
    window: WindowSpec,
    center: bool,
    pad_mode: PadMode,
    sym: bool,
    length: Optional[int],
) -> Problem:
    """Check ``S`` and the geometry, work out the signal length, lay ``S`` out frame-major."""
    S = check_magnitude(S)
    geometry = resolve_geometry(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym)
    check_magnitude(S, geometry)
    n_frames = S.shape[-1]
    if length is None:
        length = geometry.default_length(n_frames)
    else:
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
            raise TypeError(f"length={length!r} must be an integer or None")
        if length < 1:
            raise ValueError(f"length={length} must be >= 1")
        implied = geometry.n_frames(int(length))
        if implied != n_frames:
            raise ValueError(
                f"length={length} gives {implied} frames with hop_length={geometry.hop_length}, "
                f"but S has {n_frames}; the matching lengths are about {geometry.default_length(n_frames)}"
            )
    if length < 1 or length + 2 * geometry.pad < geometry.n_fft:
        raise ValueError(
            f"S has too few frames ({n_frames}) for n_fft={geometry.n_fft} with center={geometry.center}: "
            f"they imply a signal of {length} samples; pass length= (the original signal's length)"
            + ("" if geometry.center else f" of at least {geometry.n_fft} samples")
        )
    geometry._warn_nola()
    dtype = real_dtype(S)
    batch_shape = S.shape[:-2]
    frames = frame_major(S.reshape((-1,) + S.shape[-2:]), dtype)
    return Problem(geometry, frames, batch_shape, int(length), dtype, working_scale(frames))


#: Magnitudes whose peak lies outside ``[2^-SAFE_EXPONENT, 2^SAFE_EXPONENT]`` are scaled
#: into it by a power of two before any method runs (and the signal scaled back): every
#: method is scale-equivariant, a power of two scales exactly, and squares and FFT sums then
#: neither underflow nor overflow (float32 squares of 1e-30 are 0; float64 ones of 1e155 inf).
SAFE_EXPONENT = 32


def working_exponents(peaks) -> np.ndarray:
    """The ``e`` that :func:`working_scale` divides by ``2^e`` for each of ``peaks``: 0 inside
    ``[2^-32, 2^32]`` (and for silence), else the one that brings the peak into ``[0.5, 1)``
    (C ints, see :func:`gl.transform.binary_exponents`)."""
    peaks = np.asarray(peaks, dtype=np.float64)
    safe = (peaks == 0.0) | ((peaks >= 2.0**-SAFE_EXPONENT) & (peaks <= 2.0**SAFE_EXPONENT))
    return np.where(safe, 0, binary_exponents(peaks)).astype(np.intc)


def working_exponent(peak: float) -> int:
    """:func:`working_exponents` of one peak."""
    return int(working_exponents(peak))


def working_scale(frames: np.ndarray) -> np.ndarray:
    """Scale each batch item of ``frames`` (batch, ...) in place by a power of two, so that
    its peak is in ``[0.5, 1)`` when it is outside ``[2^-32, 2^32]``; returns the exponents
    ``e`` (one per item) its signal must be scaled back by (``* 2^e``). Per item: one scale
    for items 1e40 apart would flush the quieter one to zero."""
    exponents = working_exponents(frames.max(axis=tuple(range(1, frames.ndim)), initial=0.0))  # (an empty batch: none)
    for b in np.flatnonzero(exponents):
        np.ldexp(frames[b], -int(exponents[b]), out=frames[b], casting="same_kind")
    return exponents


def frame_major(S: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(batch, n_freq, n_frames) -> a new C-contiguous (batch, n_frames, n_freq) array.

    Copied in tiles of 256 frames: a transposing copy of a large array in one go walks
    memory with a huge stride and is several times slower.
    """
    batch, n_freq, n_frames = S.shape
    out = np.empty((batch, n_frames, n_freq), dtype=dtype)
    for b in range(batch):
        for first in range(0, n_frames, 256):
            np.copyto(out[b, first : first + 256], S[b, :, first : first + 256].T, casting="same_kind")
    return out


#: How many iterations in a row the spectral convergence must change by less than ``tol``
#: before ``tol`` stops the iteration (see :class:`Tracker`).
TOL_PATIENCE = 3


class Tracker:
    """Keeps the spectral-convergence history, calls the callback, applies ``tol``.

    ``tol`` stops the iteration when, for every batch item, the spectral convergence
    changed by less than ``tol`` relative to its previous value,
    ``|SC_{n-1} - SC_n| <= tol * SC_{n-1}``, in each of the last :data:`TOL_PATIENCE`
    iterations: the spectral convergence of the difference map, RAAR, ADMM or AGLA goes up
    and down, and one change can be tiny by chance where the curve turns. Changes count
    from iteration ``tol_from`` on (``SC_{tol_from} -> SC_{tol_from + 1}`` is the first):
    the hybrid ``dm_fgla`` sets it to its switch to fast Griffin-Lim.
    """

    def __init__(self, method: str, init: str, tol: Optional[float], callback: Optional[Callback],
                 batch_shape: Optional[tuple] = None, started: Optional[float] = None):
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable as callback(iteration, info)")
        self.batch_shape = batch_shape
        self.info = PhaseRetrievalInfo(method=method, init=init)
        self.tol = tol
        self.callback = callback
        # the caller's floating-point settings, which the callback runs under: the run itself
        # ignores underflow (IterativeRun), but a host's np.seterr(all='raise') is for its own code
        self._caller_errors = np.geterr()
        self._history: Optional[np.ndarray] = None  # (capacity, batch) float64, doubled when full
        self._count = 0  # rows of it recorded
        self._times = np.empty(64)  # seconds from the start to each row, callbacks excluded (grown with the history)
        self._in_callbacks = 0.0  # seconds spent in the callback so far
        self._converged = self._stopped = False
        self._start = time.perf_counter() if started is None else started  # perf_counter() of the run's start
        self.tol_from = 1  # the first iteration whose change to the next counts for tol
        self._quiet: Optional[np.ndarray] = None  # per item: how many changes in a row were <= tol
        self.iterations_run: Optional[int] = None  # set when the history does not hold a row an iteration

    def _rows(self, shape: Optional[tuple]) -> np.ndarray:
        """The history so far, a read-only view, (n_iter, batch) or (n_iter, *shape)."""
        rows = self._history[: self._count] if self._history is not None else np.zeros((0, 1))
        view = rows.reshape((rows.shape[0],) + shape) if shape is not None else rows[:]
        view.flags.writeable = False
        return view

    def _times_so_far(self) -> np.ndarray:
        view = self._times[: self._count]
        view.flags.writeable = False
        return view

    def clock(self) -> float:
        """Seconds since the run started, the time spent in the callback so far not counted:
        what :meth:`record` stamps a row with (its ``at``)."""
        return time.perf_counter() - self._start - self._in_callbacks

    def record(self, sc: np.ndarray, at: Optional[float] = None) -> bool:
        """Record the spectral convergence after one more iteration; True means stop.

        ``at``: the row's time, a :meth:`clock` reading taken when its signal was made (the
        error of a signal is measured by the next sweep, an iteration later); default now.
        The history grows in place (amortised O(1) a row: rebuilding it every iteration
        made long runs quadratic); a callback gets a snapshot of the info, so that it
        cannot change what is returned.
        """
        now = time.perf_counter()
        sc = np.asarray(sc, dtype=np.float64).reshape(-1)
        if self._history is None:
            self._history = np.empty((64, sc.size))
        elif self._count == self._history.shape[0]:
            grown = np.empty((2 * self._count, sc.size))
            grown[: self._count] = self._history
            self._history = grown
            self._times = np.concatenate([self._times[: self._count], np.empty(self._count)])
        self._history[self._count] = sc
        self._times[self._count] = now - self._start - self._in_callbacks if at is None else at
        self._count += 1
        info = self.info
        info.n_iter = self._count
        info.spectral_convergence = self._rows(None)
        info.times = self._times_so_far()
        info.elapsed = now - self._start
        stop = False
        if self.tol is not None and self._count - 1 >= self.tol_from:
            previous, current = self._history[self._count - 2], self._history[self._count - 1]
            small = np.abs(previous - current) <= self.tol * previous
            self._quiet = np.where(small, 1 if self._quiet is None else self._quiet + 1, 0)
            if np.all(self._quiet >= TOL_PATIENCE):
                info.converged = self._converged = True
                stop = True
        if self.callback is not None:
            shape = self.batch_shape
            initial = info.initial_spectral_convergence
            if shape is not None and initial is not None:
                initial = np.asarray(initial).reshape(shape).copy()
            snapshot = dataclasses.replace(info, spectral_convergence=self._rows(shape), initial_spectral_convergence=initial)
            called = time.perf_counter()
            try:
                # as the caller's code, not the run's: a call to gl in the callback is the same
                # call made alone, not floored between frames as a Spectrogram.invert run may be
                with np.errstate(**self._caller_errors), floored_between_frames(False):
                    wish = self.callback(info.n_iter, snapshot)
            finally:
                self._in_callbacks += time.perf_counter() - called
            wish = np.asarray(wish) if isinstance(wish, (bool, np.bool_, np.ndarray)) else None  # None, numbers ...: go on
            if wish is not None and wish.dtype == bool and wish.size and bool(wish.all()):  # True, np.True_, or all True
                info.stopped_by_callback = self._stopped = True
                stop = True
        return stop

    def elapsed(self) -> float:
        """Seconds since the run started, the time spent in the callback included."""
        return time.perf_counter() - self._start

    def finish(self, batch_shape: tuple) -> PhaseRetrievalInfo:
        info = self.info
        if self._history is not None:
            history = self._history[: self._count].copy()  # not the spare capacity
        else:
            history = np.zeros((0, int(np.prod(batch_shape, dtype=int))))
        info.spectral_convergence = history.reshape((history.shape[0],) + batch_shape)
        info.times = self._times[: self._count].copy()
        info.n_iter = self._count if self.iterations_run is None else self.iterations_run
        info.converged, info.stopped_by_callback = self._converged, self._stopped
        info.elapsed = time.perf_counter() - self._start
        info._callback_seconds = self._in_callbacks
        if info.initial_spectral_convergence is not None:
            info.initial_spectral_convergence = np.asarray(info.initial_spectral_convergence).reshape(batch_shape)
        return info
