"""One entry point for every phase-retrieval method: :func:`reconstruct`.

Each algorithm lives in its own module with its own function (``gl.griffinlim`` ...);
they all take the same core keywords (``n_iter``, ``init``, ``rng``, ``length``, ``tol``,
``callback``, ``return_info``, ``n_threads`` and the geometry) plus their own
parameters. :data:`METHODS` maps a method name to ``(module, function, fixed keywords)``
so that :func:`reconstruct` can run any of them by name.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal, Optional, overload

import numpy as np

from ._checks import check_choice
from ._iterative import InitSpec, PhaseRetrievalInfo, RngSpec, check_rng
from .transform import STFT

__all__ = ["reconstruct", "METHODS", "DEFAULT_METHOD", "DEFAULT_INIT", "SINGLE_PASS_METHODS", "UNUSED_OPTIONS", "default_init"]

#: name -> (module, function, keywords the method fixes)
METHODS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "gla": ("gl.griffinlim", "griffinlim", {"method": "gla"}),
    "fgla": ("gl.griffinlim", "griffinlim", {"method": "fgla"}),
    "rtisila": ("gl.rtisila", "reconstruct_rtisila", {}),
    "pghi": ("gl.pghi", "_as_method", {}),
    "spsi": ("gl.spsi", "_as_method", {}),
    "rtpghi": ("gl.rtpghi", "_as_method", {}),
    "agla": ("gl.agla", "agla", {}),
    "raar": ("gl.raar", "raar", {}),
    "dm": ("gl.diffmap", "difference_map", {}),
    "dm_fgla": ("gl.diffmap", "difference_map_fgla", {}),
    "admm": ("gl.admm", "admm", {}),
}

#: Keywords a method's function takes but does not use, which :func:`reconstruct` refuses.
#: ``{method: {keyword: (why, the method that uses it)}}``: ``gl.griffinlim(method='gla')``
#: keeps librosa's ``momentum`` in its signature, unused; the command's ``-O`` refuses it too.
UNUSED_OPTIONS: dict[str, dict[str, tuple[str, str]]] = {"gla": {"momentum": ("plain Griffin-Lim has no momentum", "fgla")}}

#: The methods that make their phase in one pass and take no ``init``, ``tol`` or ``callback``.
SINGLE_PASS_METHODS = ("pghi", "spsi", "rtpghi")

#: Keywords a method's wrapper takes only to refuse them (or, ``n_iter`` of a single pass, to
#: ignore them): an error that lists the keywords a method takes leaves them out.
_TAKEN_TO_REFUSE = {**{method: ("n_iter", "init", "tol", "callback") for method in SINGLE_PASS_METHODS},
                    "rtisila": ("tol", "callback")}

#: The method and initial phase :func:`reconstruct` uses when none is given: PGHI's phase,
#: then 40 difference-map iterations and fast Griffin-Lim for the rest. Chosen with
#: ``benchmarks/explore_default.py`` (every iterative method x {random, PGHI} on the dev
#: corpus, 4 s of each clip, Hann 1024 / hop 256; ``benchmarks/results/explore_default.json``):
#: librosa.griffinlim (100 iterations, random init) averages -25.8 dB; this default averages
#: -27.7 dB after 10 iterations (it passes librosa's mean after 5), -34.8 dB after 100 (9.0 dB
#: better) and -36.5 dB after 300, the best of the table at 100 and 300 iterations (RAAR from
#: PGHI is up to 0.8 dB better at 10-30 iterations, 2.5 dB worse at 100). Its 100
#: iterations cost about 160 to 185 FGLA iterations by clip (PGHI about 5 to 31, depending on the signal,
#: each DM iteration 2.3: ``bench_pghi_cost.py``, ``bench_methods.py``, their
#: ``results/pghi_cost.json`` and ``results/methods.json``); at equal work it is
#: the best from about 110 FGLA iterations of work on, just after its difference-map phase
#: (at 165, full dev clips, each charged its own PGHI cost: -34.4 dB against RAAR from PGHI's
#: -32.0 and FGLA from a random phase's -28.1), but not at the cost of 100 FGLA iterations,
#: where RAAR from PGHI is 1.1 dB better (-31.2 against -30.1)
#: (benchmarks/README.md, "At equal work"). The same clips chose it and measure it; greasy
#: and gspi are held out (there it gains 3.9 and 17.4 dB over librosa at 100 iterations).
DEFAULT_METHOD = "dm_fgla"
DEFAULT_INIT = "pghi"


def default_init(S, geometry: Optional[STFT], options: dict) -> str:
    """The initial phase of the default method: :data:`DEFAULT_INIT`.

    PGHI's phase needs the window's Gaussian constant, which :func:`gl.pghi.window_gamma`
    gives for any window; the arguments are those of a call, for a default that would
    depend on them.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames)]
        The magnitude of the call.
    geometry : gl.STFT or None
        The call's ``geometry``.
    options : dict
        The call's other keywords.

    Returns
    -------
    str
        :data:`DEFAULT_INIT`, whatever the arguments.
    """
    return DEFAULT_INIT


def method_function(method: str):
    """The function that runs ``method`` and the keywords it fixes."""
    check_choice("method", method, sorted(METHODS))
    if method not in METHODS:
        raise ValueError(f"method={method!r} is unknown; use one of {', '.join(sorted(METHODS))}")
    module_name, function_name, fixed = METHODS[method]
    return getattr(importlib.import_module(module_name), function_name), dict(fixed)


# What a call returns, for type checkers: the signal, then the phase (``return_phase``, which
# PGHI and SPSI take; the other methods refuse it), then the info (``return_info``).
@overload
def reconstruct(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
                geometry: Optional[STFT] = ..., return_info: Literal[False] = ..., return_phase: Literal[False] = ...,
                **options: Any) -> np.ndarray: ...
@overload
def reconstruct(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
                geometry: Optional[STFT] = ..., return_info: Literal[True], return_phase: Literal[False] = ...,
                **options: Any) -> tuple[np.ndarray, PhaseRetrievalInfo]: ...
@overload
def reconstruct(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
                geometry: Optional[STFT] = ..., return_info: Literal[False] = ..., return_phase: Literal[True],
                **options: Any) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def reconstruct(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
                geometry: Optional[STFT] = ..., return_info: Literal[True], return_phase: Literal[True],
                **options: Any) -> tuple[np.ndarray, np.ndarray, PhaseRetrievalInfo]: ...
@overload
def reconstruct(S: Any, *, method: Optional[str] = ..., n_iter: Optional[int] = ..., init: InitSpec = ..., rng: RngSpec = ...,
                geometry: Optional[STFT] = ..., return_info: bool = ..., **options: Any) -> Any: ...
def reconstruct(
    S,
    *,
    method: Optional[str] = None,
    n_iter: Optional[int] = None,
    init: InitSpec = None,
    rng: RngSpec = None,
    geometry: Optional[STFT] = None,
    return_info: bool = False,
    **options,
):
    """Recover a signal from the STFT magnitude ``S`` with the method named ``method``.

    Parameters
    ----------
    S : np.ndarray [shape=(..., n_freq, n_frames), non-negative]
        Target STFT magnitude; leading axes are batch axes.
    method : str, optional
        A key of :data:`METHODS`; default :data:`DEFAULT_METHOD`.
    n_iter : int >= 0, optional
        Iterations; default the method's own: 100 for the iterative methods, 5 per frame
        for RTISI-LA (where ``n_iter`` counts iterations per frame), none for the single
        passes (which ignore it).
    init, rng
        As in :func:`gl.griffinlim`. Without ``method`` or with :data:`DEFAULT_METHOD`,
        ``init`` defaults to :data:`DEFAULT_INIT` (PGHI's phase, with the window's fitted
        constant if it has no published one: :func:`gl.pghi.window_gamma`), so that
        ``reconstruct(S, method='dm_fgla')`` is ``reconstruct(S)``; with another
        ``method``, to that method's own default (``'random'`` for the iterative
        methods, the overlap-add estimate for RTISI-LA), so that
        ``reconstruct(S, method='fgla')`` is ``griffinlim(S)``.
    geometry : gl.STFT, optional
        Or the geometry keywords (``n_fft``, ``hop_length`` ...) among ``options``.
    return_info : bool
        Also return the :class:`~gl.PhaseRetrievalInfo`, as in :func:`gl.griffinlim`.
    **options
        ``length``, ``tol``, ``callback``, ``n_threads``, geometry keywords, and the
        method's own parameters (``momentum`` for FGLA ...; PGHI's and RTPGHI's heap
        tolerance is ``heap_tol``, as ``tol`` stops the iterative methods).

    Returns
    -------
    y : np.ndarray [shape=(..., length)]
        The signal.
    phase : np.ndarray [shape=S.shape]
        Only with ``return_phase=True`` among ``options`` (PGHI and SPSI take it; the
        other methods refuse it): the retrieved phase, as those methods return it.
    info : PhaseRetrievalInfo
        Only with ``return_info=True``.

    Raises
    ------
    ValueError
        A bad argument, named; and an iterative method that diverges (parameters its
        checks accept but under which its own sequences grow without bound, as AGLA's
        ``gamma=2``): the estimate is checked every 16 iterations, and the error names the
        parameters and their defaults instead of returning NaN.
    TypeError
        An argument of the wrong type, named; a keyword the method does not take, or takes
        but does not use (``momentum`` for ``method='gla'``: :data:`UNUSED_OPTIONS`), named
        with the method.

    Notes
    -----
    The signal is the least-squares inverse of the retrieved spectrogram, as in
    :func:`gl.istft`, and nothing is faded. With frames that are not centred
    (``center=False``, scipy's framing) only the tapering edge of the first and last
    windows sees the first and last samples, so whatever the retrieved phase got wrong
    comes back amplified there: on the first 3 s of the dev clip d04 (Hann 256, hop 64,
    ``rng=0``) sample 3 came back at 77 times the signal's peak with the default method
    (126 with ``'fgla'``; 1.0 to 1.1 faded).
    The streaming methods (``'rtisila'``, ``'rtpghi'``) fade those samples by default
    (their ``fade_edges``), and so does :meth:`gl.Spectrogram.invert` for every method:
    ``gl.Spectrogram(S, geometry).invert()`` is this call with the ends faded.

    Examples
    --------
    The default method starts from PGHI's phase: on a voiced sound (seven harmonics gliding
    from 150 to 250 Hz, faded in and out) 10 of its iterations (difference-map ones, each
    costing two GLA iterations) beat 100 of fast Griffin-Lim from a random phase (PGHI's
    phase alone, with no iteration, gives -37 dB here):

    >>> import numpy as np
    >>> import gl
    >>> t = np.arange(4000) / 8000                               # 0.5 s at 8 kHz
    >>> x = np.hanning(4000) * sum(np.sin(2 * np.pi * k * (150 * t + 100 * t**2)) / k for k in range(1, 8))
    >>> S = np.abs(gl.stft(x, n_fft=256, hop_length=64))
    >>> y, info = gl.reconstruct(S, n_iter=10, rng=0, length=len(x), n_fft=256, hop_length=64, return_info=True)
    >>> y.shape, round(info.final_db)                           # spectral convergence, dB
    ((4000,), -44)
    >>> _, info = gl.reconstruct(S, method="fgla", n_iter=100, rng=0, length=len(x), n_fft=256, hop_length=64,
    ...                          return_info=True)
    >>> round(info.final_db)
    -38
    """
    function, fixed = method_function(DEFAULT_METHOD if method is None else method)
    check_rng(rng)  # also when the start draws nothing (PGHI's phase, zeros)
    if init is None and method in (None, DEFAULT_METHOD):  # naming the default method changes nothing
        init = default_init(S, geometry, options)
    if init is not None:  # else the method's own default start (RTISI-LA's overlap-add estimate ...)
        options["init"] = init
    clash = sorted(set(fixed) & set(options))
    if clash:
        raise ValueError(f"method={method!r} fixes {', '.join(clash)}; do not pass it")
    _refuse_unknown_options(function, fixed, options, DEFAULT_METHOD if method is None else method)
    if n_iter is not None:  # else the method's own default
        options["n_iter"] = n_iter
    return function(
        S,
        rng=rng,
        geometry=geometry,
        return_info=return_info,
        **fixed,
        **options,
    )


def _method_parameters(function) -> dict:
    """The keywords a :data:`METHODS` function takes (``inspect.Parameter`` by name): its own,
    and where it is a wrapper that hands its ``**options`` to another function (its
    ``forwards_to``: PGHI's, RTISI-LA's ...), that function's in place of the ``**options``."""
    import inspect

    parameters = dict(inspect.signature(function).parameters)
    forwarded = getattr(function, "forwards_to", None)
    if forwarded is not None:
        parameters = {**{name: p for name, p in parameters.items() if p.kind is not inspect.Parameter.VAR_KEYWORD},
                      **inspect.signature(forwarded).parameters}
    return parameters


def _refuse_unknown_options(function, fixed: dict, options: dict, method: str) -> None:
    """A keyword the method does not take, named with the method and the keywords it does
    take (Python's own error named the function alone: ``difference_map_fgla() got an
    unexpected keyword argument``, for a caller who never chose it). A wrapper that hands
    its ``**options`` to another function (its ``forwards_to``) takes that function's
    keywords as well as its own."""
    import inspect

    for name in options:
        if name in UNUSED_OPTIONS.get(method, {}):
            why, other = UNUSED_OPTIONS[method][name]
            raise TypeError(f"{name}={options[name]!r} does nothing in method={method!r}: {why}; use method={other!r}")
    parameters = _method_parameters(function)
    function = getattr(function, "forwards_to", function)  # the function the caller reads about
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = [name for name in options if name not in parameters]
    if unknown:
        taken = [name for name, p in parameters.items()
                 if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in fixed and name not in _TAKEN_TO_REFUSE.get(method, ())
                 and name not in ("rng", "geometry", "return_info", "n_iter_per_frame")]  # RTISI-LA's is n_iter here
        raise TypeError(f"{unknown[0]}={options[unknown[0]]!r} is not a keyword of method={method!r} (gl.{function.__name__}), "
                        f"which takes {', '.join(taken)}")
