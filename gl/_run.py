"""One run of an engine-based iterative method: set-up, the iteration loop, the result.

Every iterative algorithm of gl (GLA, FGLA, AGLA, RAAR, the difference map, ADMM) does
the same around its own update rule: check ``S`` and the geometry, pick the initial
phase, synthesise ``x_0 = ISTFT(S exp(i phi_0))`` (the code counts the signals from this
first one; the update rules in the docstrings number a signal after the ``c`` it comes from,
``x_n = ISTFT(P_C2(c_{n-1}))``, which makes it their ``x_1``), run sweeps while recording the
spectral convergence (``tol``, ``callback``), measure the returned signal once more, and
hand back the signal and its :class:`~gl.PhaseRetrievalInfo`. :class:`IterativeRun` does
that, so an algorithm module holds only its update::

    run = IterativeRun("fgla", S, init=init, rng=rng, ...)
    with run:
        run.start_signal()
        def update(b, frames, consistent, modulus, scratch): ...   # the algorithm
        run.iterate(n_iter, update)
    return run.result()
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from typing import Callable, Iterator, Optional

import numpy as np

from ._engine import BlockUpdate, SweepEngine, default_threads, magnitude_floor, project_magnitude
from ._checks import check_flag
from ._iterative import Callback, InitSpec, StartingPhase, Tracker, check_n_iter, check_n_threads, check_tol, prepare
from .transform import STFT, PadMode
from .windows import WindowSpec

__all__ = ["IterativeRun", "parameter_defaults", "measuring_only_the_ends"]

#: Inside :func:`measuring_only_the_ends` (per thread and per task, as any context
#: variable): a tuple holding the function told of each iteration (or None); else None.
_ONLY_THE_ENDS: contextvars.ContextVar[Optional[tuple[Optional[Callable[[int, float], None]]]]] = \
    contextvars.ContextVar("gl_measure_only_the_ends", default=None)


@contextlib.contextmanager
def measuring_only_the_ends(on_iteration: Optional[Callable[[int, float], None]] = None) -> Iterator[None]:
    """Within this context, a run with ``return_info`` but no ``tol`` or ``callback`` measures
    only its starting signal and its result: the iterations run unmeasured, on their faster
    path (fast Griffin-Lim's momentum on the signals, not on stored spectrograms; per
    iteration 4 to 30 % less, by method: ``benchmarks/bench_methods.py``,
    ``benchmarks/results/methods.json``), and the info holds the initial spectral
    convergence, a history of one row (the result's) and the iterations run (``n_iter``).
    For a caller that reports where a run started and ended but draws no curve: the
    command line, without ``--plot``.

    ``on_iteration(iteration, elapsed_seconds)``, if given, is called after each iteration
    of such a run (a progress line). It is not a ``callback``: it sees no spectral
    convergence, so it does not change the path the run takes, nor its result.
    """
    token = _ONLY_THE_ENDS.set((on_iteration,))
    try:
        yield
    finally:
        _ONLY_THE_ENDS.reset(token)


def within_measuring_only_the_ends() -> bool:
    """Whether the caller runs within :func:`measuring_only_the_ends` (a caller's own context,
    with its ``on_iteration``, is then kept rather than replaced)."""
    return _ONLY_THE_ENDS.get() is not None


def parameter_defaults(function: Callable, **values: float) -> dict[str, tuple[float, float]]:
    """``{name: (value, default)}`` for the keywords ``values`` of ``function`` (its signature's
    defaults): the ``parameters`` of :class:`IterativeRun`, named in its divergence error."""
    import inspect  # here: `import gl` stays light

    signature = inspect.signature(function).parameters
    return {name: (value, signature[name].default) for name, value in values.items()}


#: The estimate is checked for divergence (an overflow to inf or NaN) every this many
#: iterations and after the last: two passes over the signal, under 0.5 % of an iteration.
DIVERGENCE_CHECK_EVERY = 16


class IterativeRun:
    """The shared part of an iterative phase retrieval (see the module docstring).

    Attributes
    ----------
    problem : gl._iterative.Problem
        The checked magnitude (``problem.magnitude``, frame-major), geometry and length.
    target : np.ndarray [shape=(batch, n_frames, n_freq)]
        ``S``, frame-major.
    engine : gl._engine.SweepEngine
    iteration : int
        The iteration being run (1 for the first), readable inside an update.
    """

    def __init__(
        self,
        method: str,
        S,
        *,
        init: InitSpec,
        rng,
        length: Optional[int],
        tol: Optional[float],
        callback: Optional[Callback],
        return_info: bool,
        n_threads: Optional[int],
        geometry: Optional[STFT],
        n_fft: Optional[int],
        hop_length: Optional[int],
        win_length: Optional[int],
        window: WindowSpec,
        center: bool,
        pad_mode: PadMode,
        sym: bool,
        parameters: Optional[dict[str, tuple[float, float]]] = None,
    ):
        """``parameters``: the method's own numbers as ``{name: (value, default)}``, for the
        error that reports a divergence (:meth:`check_finite`)."""
        tol = check_tol(tol)
        self.method = method
        self.parameters = dict(parameters or {})
        started = time.perf_counter()  # the elapsed time counts the starting phase (PGHI's can take seconds)
        self.problem = prepare(S, geometry, n_fft, hop_length, win_length, window, center, pad_mode, sym, length)
        self._start: Optional[StartingPhase] = StartingPhase(np.asarray(S), init, rng, self.problem.geometry)
        self.tracker = Tracker(method, self._start.label, tol, callback, self.problem.batch_shape, started=started)
        self.return_info = check_flag("return_info", return_info)
        # the spectral convergence is measured only when something reads it: the history
        # returned, tol, or a callback (it costs |STFT(x)| and two passes per iteration);
        # within measuring_only_the_ends(), the info measures the start and the result only
        ends = _ONLY_THE_ENDS.get()
        self.measure_ends = self.return_info and tol is None and callback is None and ends is not None
        self.measure = (self.return_info or tol is not None or callback is not None) and not self.measure_ends
        self._on_iteration = ends[0] if self.measure_ends and ends is not None else None
        self.target = self.problem.magnitude  # (batch, n_frames, n_freq)
        n_threads = check_n_threads(n_threads)
        if n_threads is None:
            n_threads = default_threads(self.target.shape[1], self.problem.geometry.n_fft, self.target.shape[0])
        self.engine = SweepEngine(self.problem.geometry, self.target, self.problem.length, n_threads)
        self.delta = magnitude_floor(self.target)
        self.iteration = 0

    def __enter__(self) -> "IterativeRun":
        # within the run, a result that underflows to 0 is a value, not an error: in float32 the
        # projection's products of a small target and a coefficient near an axis fall below
        # 1e-38 (a vocoder's log-mel, floored at 1e-5, inverted by NNLS), which raised
        # FloatingPointError under a host's np.seterr(all='raise') (the sweeps' own threads
        # start with numpy's defaults, which ignore it)
        self._underflow: contextlib.AbstractContextManager[None] = np.errstate(under="ignore")
        self._underflow.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.engine.close()
        finally:
            self._underflow.__exit__(*exc)

    def new_state(self) -> np.ndarray:
        """An uninitialised full-size complex array (batch, n_frames, n_freq) for the algorithm's state."""
        return np.empty(self.target.shape, dtype=self.engine.spectra_dtype)

    def start_signal(self, keep: Optional[np.ndarray] = None) -> None:
        """``x_0 = ISTFT(c_0)`` with ``c_0 = S exp(i phi_0)``; ``keep`` also receives ``c_0``."""
        start, target = self._start, self.target
        assert start is not None  # start_signal runs once per run (it frees the draw)

        def first_estimate(b: int, first: int, last: int, out: np.ndarray) -> np.ndarray:
            block = start.phasors(b, first, last, out)
            block *= target[b, first:last]  # c_0 = S exp(i phi_0), already magnitude-projected
            if keep is not None:
                keep[b, first:last] = block
            return block

        self.engine.synthesize(first_estimate)
        self._start = None  # free the draw

    def project(self, spectra: np.ndarray, modulus: np.ndarray, b: int, frames: slice, scratch, scale: float = 1.0,
                out: Optional[np.ndarray] = None) -> np.ndarray:
        """``P_C2`` of a block in place (or into ``out``): ``scale S spectra / |spectra|``, ``modulus`` holding ``|spectra|``."""
        work = scratch.residual[: spectra.shape[0]]
        return project_magnitude(spectra, modulus, self.target[b, frames], work, self.delta, scale, out)

    def projection_step(self, b: int, frames: slice, spectra: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
        """An update that is ``P_C2`` alone (a :data:`~gl._engine.BlockUpdate`): ``|spectra|`` is computed here if the
        sweep did not measure it. The update of plain GLA, and of FGLA and AGLA when their momentum is taken on the signals."""
        if modulus is None:
            modulus = scratch.abs(spectra)
        return self.project(spectra, modulus, b, frames, scratch)

    def momentum_update(self, scaled_previous: Optional[np.ndarray], k: float) -> BlockUpdate:
        """Fast Griffin-Lim's update on the spectrograms, in librosa's form: ``P_C2(t_n - k t_{n-1})``,
        ``k = alpha / (1 + alpha)`` (``(1 + alpha)^-1`` times ``c_n = t_n + alpha (t_n - t_{n-1})``: the same phase).
        ``scaled_previous`` holds ``-k t_{n-1}`` (0 before the first step, a plain GLA step) and
        receives ``-k t_n``: one add and one multiply a block. None: plain GLA, :meth:`projection_step`."""
        if scaled_previous is None:
            return self.projection_step

        def update(b: int, frames: slice, consistent: np.ndarray, modulus: Optional[np.ndarray], scratch) -> np.ndarray:
            # consistent = t_n = P_C1(P_C2(c_{n-1})) on this block; modulus = |t_n| if measured (unused: c_n's is needed)
            kept = scaled_previous[b, frames]  # -k t_{n-1}
            step = np.add(consistent, kept, out=scratch.spare[: consistent.shape[0]])  # c_n / (1 + alpha)
            np.multiply(consistent, -k, out=kept)  # -k t_n, for the next iteration
            return self.project(step, scratch.abs(step), b, frames, scratch)  # P_C2(c_n)

        return update

    def iterate(
        self,
        n_iter: int,
        update: Optional[BlockUpdate] = None,
        step: Optional[Callable[[int], Optional[np.ndarray]]] = None,
        previous_weight: float = 0.0,
    ) -> None:
        """Run up to ``n_iter`` iterations, recording the spectral convergence.

        One iteration is one sweep with ``update`` (and ``previous_weight``, see
        :meth:`gl._engine.SweepEngine.sweep`), or ``step(n)`` for an algorithm that
        needs several sweeps per iteration: it runs them and returns the squared error the
        first one measured (that of ``x_{n-1}``; None when the run does not measure). The error measured during iteration ``n``
        is that of the previous signal, so the history is recorded one sweep late and the
        returned signal is measured once more at the end (one extra STFT per run).
        """
        n_iter = check_n_iter(n_iter)
        if step is None:
            assert update is not None  # every caller gives an update or a step

            def step(_: int) -> Optional[np.ndarray]:
                return self.engine.sweep(update, self.measure, previous_weight)

        engine, tracker = self.engine, self.tracker
        if self.measure_ends and n_iter > 0:  # the start, x_0, as the first sweep would have measured it
            tracker.info.initial_spectral_convergence = engine.spectral_convergence(engine.measure())
        # when x_{n-1} and x_n were made (tracker.clock()): a row is stamped with the time of its
        # signal, not with that of the next sweep, which measures it (info.times)
        made_before = made = None
        for iteration in range(1, n_iter + 1):
            self.iteration = iteration
            squared_error = step(iteration)  # of x_{iteration-1}; the engine now holds x_iteration
            if self.measure or self.measure_ends:
                made_before, made = made, tracker.clock()
            if iteration % DIVERGENCE_CHECK_EVERY == 0 or iteration == n_iter:
                self.check_finite(iteration)
            if self._on_iteration is not None:
                self._on_iteration(iteration, tracker.elapsed())
            if not self.measure:
                continue
            assert squared_error is not None  # a measuring run's sweeps return it
            if iteration == 1:
                tracker.info.initial_spectral_convergence = engine.spectral_convergence(squared_error)
            elif tracker.record(engine.spectral_convergence(squared_error), at=made_before):
                self.check_finite(iteration)
                break
        if not (self.measure or self.measure_ends):
            return
        engine.to_least_squares()  # the signal returned (a low-overlap geometry's sweeps divide by a floor)
        final = engine.spectral_convergence(engine.measure())  # the one extra STFT, of the result
        if n_iter > 0:
            tracker.record(final, at=made)
        else:
            tracker.info.initial_spectral_convergence = final
        if self.measure_ends:
            tracker.iterations_run = n_iter  # the history has the last row only

    def check_finite(self, iteration: int) -> None:
        """Raise a ValueError naming the method's parameters if the estimate has overflowed.

        The magnitude projection keeps every estimate's modulus at ``S``, so an estimate
        that is no longer finite means the algorithm's own sequences (momentum,
        relaxation, multipliers) grew without bound: parameters outside the range where it
        converges (say AGLA with ``gamma=2``, after several hundred iterations)."""
        signal = self.engine.signal
        if signal.size == 0 or (np.isfinite(signal.max()) and np.isfinite(signal.min())):
            return
        chosen = ", ".join(f"{name}={value:g}" for name, (value, _) in self.parameters.items())
        defaults = ", ".join(f"{name}={default:g}" for name, (_, default) in self.parameters.items())
        raise ValueError(
            f"{self.method} diverged: its estimate overflowed to inf or NaN by iteration {iteration}"
            + (f" with {chosen}; these values do not converge on this input: choose values nearer the defaults ({defaults})"
               if self.parameters else "")
        )

    def result(self):
        """The signal (..., length), with the info when the run was made with ``return_info``."""
        self.engine.release_work()  # keep the peak memory low while the result is copied out
        y = self.problem.signal_shape(self.engine.output())
        info = self.tracker.finish(self.problem.batch_shape)
        return (y, info) if self.return_info else y
