"""Checks of argument types shared by every module (no gl imports: any module may use them)."""

from __future__ import annotations

import numpy as np

__all__ = ["check_flag"]


def check_flag(name: str, value) -> bool:
    """``value`` as a bool: ``True`` or ``False`` (numpy's too), nothing else: a string such as
    ``'False'`` is truthy and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be True or False" + (" (a string is not a flag)" if isinstance(value, str) else ""))
    return bool(value)
