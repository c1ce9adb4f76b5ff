"""Checks of argument types shared by every module (no gl imports: any module may use them)."""

from __future__ import annotations

import functools
import re
import sys
from typing import Callable, ParamSpec, TypeVar

import numpy as np

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["as_array", "check_choice", "check_flag", "underflow_is_a_value"]


def as_array(name: str, value) -> np.ndarray:
    """``np.asarray(value)``, but a masked array is refused: gl does not read masks, and
    ``np.asarray`` would silently give the values under the mask (whatever they are) as data."""
    ma = sys.modules.get("numpy.ma")  # not imported: no value can be a masked array
    if ma is not None and isinstance(value, ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array, and gl does not read masks (the masked values would count as they are): "
            f"pass {name}.filled(0), or the value that stands for what is missing, or {name}.data to use them"
        )
    if _RAGGED_TO_OBJECTS and _ragged(value):  # numpy < 1.24 makes ragged lists an object array, with a warning
        raise ValueError(f"{name} must be an array, or nested lists of equal lengths; numpy could not make it one: "
                         "the nested lists have unequal lengths")
    try:
        return np.asarray(value)
    except ValueError as error:  # ragged lists: numpy's 'setting an array element with a sequence', naming nothing
        raise ValueError(f"{name} must be an array, or nested lists of equal lengths; numpy could not make it one: {error}") from None


#: numpy before 1.24 turns ragged nested lists into an object array (with a VisibleDeprecationWarning)
#: where later versions raise the ValueError that :func:`as_array` names.
_RAGGED_TO_OBJECTS = tuple(int(part) for part in re.match(r"(\d+)\.(\d+)", np.__version__).groups()) < (1, 24)  # type: ignore[union-attr]


def _ragged(value) -> bool:
    """Whether ``value``, nested lists or tuples, has sublists of unequal lengths (or lists beside
    numbers) at some depth: what numpy 1.24 and later refuse to make an array of."""
    if not isinstance(value, (list, tuple)):
        return False
    nested = [isinstance(item, (list, tuple)) for item in value]
    if not any(nested):
        return False
    if not all(nested) or len({len(item) for item in value}) > 1:
        return True
    return any(_ragged(item) for item in value)


def check_flag(name: str, value) -> bool:
    """``value`` as a bool: ``True`` or ``False`` (numpy's too), nothing else: a string such as
    ``'False'`` is truthy and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be True or False" + (" (a string is not a flag)" if isinstance(value, str) else ""))
    return bool(value)


def check_non_negative(name: str, values: np.ndarray) -> None:
    """Refuse a magnitude ``values`` (named ``name``) with negative entries, in the same words at
    every entry point. A spectrogram in dB (``librosa.amplitude_to_db``) is the usual cause: the
    words say how to undo it."""
    if values.size and values.min() < 0:
        raise ValueError(f"{name} must be a magnitude (>= 0); it has negative values (min {values.min():.3g}): if it is in "
                         f"dB, undo that first with gl.importers.from_db({name}, db='amplitude') (or db='power')")


def check_choice(name: str, value, choices, *, none: bool = False) -> None:
    """Refuse a ``value`` that is no string (nor None, with ``none``) before it is compared with
    ``choices``: ``np.array(['x']) in choices`` is numpy's elementwise ``==`` (one element passed,
    two were 'ambiguous'), and a list or dict is unhashable as a key. Whether a string is one of
    ``choices`` is the caller's ValueError, in its own words."""
    if not (isinstance(value, str) or (none and value is None)):
        raise TypeError(f"{name}={value!r} must be a string, one of {', '.join(choices)}" + (", or None" if none else ""))


def underflow_is_a_value(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run under ``np.errstate(under='ignore')``: for gl a result that underflows
    to 0 (or to a subnormal) is a value, never an error, also under a host's
    ``np.seterr(all='raise')``. The caller's settings are back on return, and divide-by-zero,
    overflow and invalid keep them. For a public entry point, once per call: entering costs
    a few microseconds, too much for a per-frame or per-block loop."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with np.errstate(under="ignore"):
            return function(*args, **kwargs)

    return wrapper
