"""Checks of argument types shared by every module (no gl imports: any module may use them)."""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["as_array", "check_flag"]


def as_array(name: str, value) -> np.ndarray:
    """``np.asarray(value)``, but a masked array is refused: gl does not read masks, and
    ``np.asarray`` would silently give the values under the mask (whatever they are) as data."""
    ma = sys.modules.get("numpy.ma")  # not imported: no value can be a masked array
    if ma is not None and isinstance(value, ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array, and gl does not read masks (the masked values would count as they are): "
            f"pass {name}.filled(0), or the value that stands for what is missing, or {name}.data to use them"
        )
    return np.asarray(value)


def check_flag(name: str, value) -> bool:
    """``value`` as a bool: ``True`` or ``False`` (numpy's too), nothing else: a string such as
    ``'False'`` is truthy and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be True or False" + (" (a string is not a flag)" if isinstance(value, str) else ""))
    return bool(value)
