"""``exp(i phi)`` for many angles at once, faster than ``np.cos`` + ``np.sin``.

Every phase-retrieval method ends (and the random start begins) with the unit phasors
``exp(i phi)`` of a whole spectrogram of phases. numpy's float64 ``cos`` and ``sin`` call
the C library once per element (no SIMD for float64 on AVX2 machines), which for a whole
spectrogram is a cost of the order of fast Griffin-Lim iterations (how much, and how much
faster this module is, were measured ad hoc when it was written, 2026-11-28; no committed
result in ``benchmarks/results`` times them). Here the angle is split as

    phi = k h + r,    h = 2 pi / N,  k = rint(phi / h),  |r| <= h / 2,

so that ``cos phi = C_k cos r - S_k sin r`` and ``sin phi = S_k cos r + C_k sin r`` with
``C_k, S_k`` from a table of ``N = 4096`` points and ``cos r``, ``sin r`` from short Taylor
polynomials (``|r| <= pi / 4096``: ``sin r = r - r^3/6`` and
``cos r = 1 - r^2/2 + r^4/24``, whose first omitted terms are below 3e-18).
``k h`` is subtracted in two parts (Cody and Waite): ``h_hi`` has 20 significant bits,
so ``k h_hi`` is exact for any ``|k| < 2^33`` (angles up to 1e7 rad), and
``h_lo = h - h_hi`` is taken from a 50-digit pi. The result is within a few units in the
last place of the float64 angle itself (5e-16 absolute for angles in [0, 2 pi), 4e-14
at 1e3 rad, where the angle's own rounding is 1e-13). All passes run over blocks of at
most 15360 angles (a long row is cut into pieces), in cache, into work arrays kept from
call to call (a few spares, which any thread takes one at a time): made afresh, they cost
page faults on every call, which had made a 16384-angle call several times slower.

Reference: W. J. Cody and W. Waite, *Software Manual for the Elementary Functions*,
Prentice-Hall, 1980 (argument reduction); the table method is the classic one of
P. T. P. Tang, "Table-driven implementation of the exponential function", ACM TOMS
15(2), 1989, applied to sine and cosine.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np

from ._spares import Spares

__all__ = ["unit_phasors"]

_TABLE_SIZE = 4096
_BLOCK = 15360  # angles per block: 120 KiB per work array, in cache


def _split_step() -> tuple[float, float]:
    """``h = 2 pi / N`` as ``h_hi + h_lo``: ``h_hi`` with 20 significant bits, ``h_lo`` the rest."""
    with localcontext() as context:  # not the importing thread's context: its precision is the host's
        context.prec = 50
        pi = Decimal("3.1415926535897932384626433832795028841971693993751")
        step = 2 * pi / _TABLE_SIZE
        mantissa, exponent = math.frexp(float(step))
        high = math.ldexp(round(mantissa * 2**20), exponent - 20)  # 20 bits: k * high is exact for |k| < 2^33
        low = float(step - Decimal(high))
    return high, low


_STEP_HI, _STEP_LO = _split_step()
_INVERSE_STEP = _TABLE_SIZE / (2.0 * np.pi)
_COS_TABLE = np.cos(np.arange(_TABLE_SIZE) * (2.0 * np.pi / _TABLE_SIZE))
_SIN_TABLE = np.sin(np.arange(_TABLE_SIZE) * (2.0 * np.pi / _TABLE_SIZE))


class _Work:
    """The work arrays of one block (and the block's angles, cosines and sines)."""

    def __init__(self, size: int):
        self.size = size
        self.angle = np.empty(size)
        self.cos = np.empty(size)
        self.sin = np.empty(size)
        self.k = np.empty(size)
        self.r = np.empty(size)
        self.r2 = np.empty(size)
        self.sin_r = np.empty(size)
        self.cos_r = np.empty(size)
        self.table_cos = np.empty(size)
        self.table_sin = np.empty(size)
        self.index = np.empty(size, dtype=np.intp)


#: Work arrays kept from call to call (1.3 MB each at the most): made afresh on every call
#: they cost page faults each time, about as much as the arithmetic. A few are shared by
#: all threads, each taken by one call at a time (``list.pop`` and ``append`` are atomic),
#: so that idle threads hold none (one per thread held 1.3 MB in each of a server's pool
#: threads for good).
_SPARES: Spares = Spares(_Work)


def _block(angle: np.ndarray, cos_out: np.ndarray, sin_out: np.ndarray, work: _Work) -> None:
    """cos and sin of a 1-D block of float64 angles into ``cos_out``, ``sin_out``."""
    n = angle.shape[0]
    k, r, r2 = work.k[:n], work.r[:n], work.r2[:n]
    sin_r, cos_r = work.sin_r[:n], work.cos_r[:n]
    table_cos, table_sin, index = work.table_cos[:n], work.table_sin[:n], work.index[:n]
    # phi = k h + r, r = (phi - k h_hi) - k h_lo
    np.multiply(angle, _INVERSE_STEP, out=k)
    np.rint(k, out=k)
    np.multiply(k, _STEP_HI, out=r)
    np.subtract(angle, r, out=r)
    np.multiply(k, _STEP_LO, out=r2)
    r -= r2
    np.copyto(index, k, casting="unsafe")
    np.bitwise_and(index, _TABLE_SIZE - 1, out=index)  # k mod N, also for k < 0
    np.take(_COS_TABLE, index, out=table_cos)
    np.take(_SIN_TABLE, index, out=table_sin)
    # sin r = r (1 - r^2/6), cos r = 1 - r^2 (1/2 - r^2/24)
    np.multiply(r, r, out=r2)
    np.multiply(r2, -1.0 / 6.0, out=sin_r)
    sin_r += 1.0
    sin_r *= r
    np.multiply(r2, -1.0 / 24.0, out=cos_r)
    cos_r += 0.5
    cos_r *= r2
    np.subtract(1.0, cos_r, out=cos_r)
    # cos phi = C cos r - S sin r, sin phi = S cos r + C sin r
    np.multiply(table_cos, cos_r, out=cos_out)
    np.multiply(table_sin, sin_r, out=r)
    np.subtract(cos_out, r, out=cos_out, casting="same_kind")
    np.multiply(table_sin, cos_r, out=sin_out)
    np.multiply(table_cos, sin_r, out=r)
    np.add(sin_out, r, out=sin_out, casting="same_kind")


def unit_phasors(angle: np.ndarray, out: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``out[...] = exp(1j * scale * angle)``, computed in float64 (see the module's notes).

    Parameters
    ----------
    angle : np.ndarray
        Real angles, any shape and strides, finite, with ``|scale * angle|`` below about
        1e7 rad (full accuracy; the reduction is exact up to there). Callers reduce larger
        ones first (``np.remainder(angle, 2 pi)``), as :class:`gl._iterative.StartingPhase`
        does for user phases.
    out : np.ndarray
        complex64 or complex128 array of ``angle``'s shape; filled and returned.
    scale : float
        The angles in radians are ``scale * angle`` (rounded to float64 once, as
        ``scale * angle`` would be), e.g. ``2 pi`` for uniform draws in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from gl._trig import unit_phasors
    >>> angle = np.linspace(-50, 50, 1001)
    >>> z = unit_phasors(angle, np.empty(angle.shape, dtype=complex))
    >>> bool(np.abs(z - np.exp(1j * angle)).max() < 1e-14)
    True
    """
    angle = np.asarray(angle)
    if out.shape != angle.shape:
        raise ValueError(f"out has shape {out.shape}; it must match angle's {angle.shape}")
    if out.size == 0:
        return out
    target = out if out.flags.c_contiguous else np.empty(out.shape, dtype=out.dtype)
    # rows of the last axis (a view for 1-D, 2-D and contiguous input), a few rows per block
    rows = angle.reshape(-1, angle.shape[-1] if angle.ndim else 1)
    n_rows, n_cols = rows.shape
    row_targets = target.reshape(n_rows, n_cols)
    # blocks of whole rows, or of pieces of one row when a row is longer than a block: the
    # work arrays never exceed _BLOCK angles (a block the size of a long 1-D input left
    # cache and page-faulted fresh work arrays on every call: much slower)
    width = min(n_cols, _BLOCK)
    per_block = max(1, _BLOCK // width)
    work = _SPARES.take(min(per_block, n_rows) * width)  # a small input takes small work arrays
    try:
        _fill_phasors(rows, row_targets, scale, per_block, width, work)
    finally:
        _SPARES.give_back(work)
    if target is not out:
        np.copyto(out, target)
    return out


def _fill_phasors(rows: np.ndarray, row_targets: np.ndarray, scale: float, per_block: int, width: int, work: _Work) -> None:
    """The blocks of :func:`unit_phasors`: ``row_targets = exp(1j * scale * rows)``."""
    n_rows, n_cols = rows.shape
    angle_block, cos_block, sin_block = work.angle, work.cos, work.sin
    for first in range(0, n_rows, per_block):
        last = min(first + per_block, n_rows)
        for low in range(0, n_cols, width):
            high = min(low + width, n_cols)
            shape = (last - first, high - low)
            count = shape[0] * shape[1]
            block = angle_block[:count].reshape(shape)
            if scale == 1.0:
                np.copyto(block, rows[first:last, low:high], casting="same_kind")
            else:
                # float32 angles are scaled in float64 (dtype=: numpy 1.x would pick the float32 loop)
                np.multiply(rows[first:last, low:high], scale, out=block, dtype=np.float64, casting="same_kind")
            _block(angle_block[:count], cos_block[:count], sin_block[:count], work)
            block_target = row_targets[first:last, low:high]
            block_target.real = cos_block[:count].reshape(shape)
            block_target.imag = sin_block[:count].reshape(shape)
