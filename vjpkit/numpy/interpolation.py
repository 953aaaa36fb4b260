"""One-dimensional piecewise-linear interpolation: ``interp``.

The bracketing interval of each point is found with ``searchsorted`` (no derivative)
and the value is a linear combination of gathered end points, so ``interp`` is
differentiable in ``x``, ``xp`` and ``fp`` (and in ``left``/``right``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.avals import get_aval
from ._core import asarray, check_real, convert, promote_inexact, result_type
from . import ufuncs
from .indexing import take
from .shapes import concatenate

Array = Any


def interp(x: Array, xp: Array, fp: Array, left: Array | None = None, right: Array | None = None,
           period: Array | None = None) -> Array:
  """Piecewise-linear interpolant of the points ``(xp, fp)`` (``xp`` increasing) at ``x``;
  ``left``/``right`` outside ``[xp[0], xp[-1]]`` (default ``fp[0]``/``fp[-1]``), or a
  periodic interpolant with ``period``.

  >>> interp([0.5, 2.5, 9.0], [0.0, 1.0, 3.0], [0.0, 10.0, 30.0])
  array([ 5., 25., 30.])
  """
  x, xp, fp = (promote_inexact(asarray(v), "interp") for v in (x, xp, fp))
  if get_aval(xp).ndim != 1 or get_aval(fp).ndim != 1:
    raise ValueError("interp: xp and fp must be one-dimensional")
  if get_aval(xp).shape != get_aval(fp).shape:
    raise ValueError("interp: fp and xp are not of the same length")
  if get_aval(xp).shape[0] == 0:
    raise ValueError("interp: array of sample points is empty")
  check_real(result_type(x, xp, fp), "interp")
  dtype = np.dtype(np.float64)  # NumPy computes in (and returns) float64
  x, xp, fp = (convert(v, dtype) for v in (x, xp, fp))
  if period is not None:
    if left is not None or right is not None:
      raise ValueError("interp: left and right are not used when period is given")
    if isinstance(period, (int, float)) and period == 0:
      raise ValueError("interp: period must be a non-zero value")
    period = ufuncs.absolute(period)
    x = ufuncs.remainder(x, period)
    xp = ufuncs.remainder(xp, period)
    from .sorting import argsort
    order = argsort(xp)
    xp, fp = take(xp, order), take(fp, order)
    xp = concatenate([ufuncs.subtract(take(xp, [-1]), period), xp, ufuncs.add(take(xp, [0]), period)])
    fp = concatenate([take(fp, [-1]), fp, take(fp, [0])])
  n = get_aval(xp).shape[0]
  if n == 1:
    f = ufuncs.add(ufuncs.multiply(x, 0.0), take(fp, 0))
  else:
    from .sorting import searchsorted
    i = ufuncs.clip(searchsorted(xp, x, side="right"), 1, n - 1)
    x0, x1 = take(xp, ufuncs.subtract(i, 1)), take(xp, i)
    f0, f1 = take(fp, ufuncs.subtract(i, 1)), take(fp, i)
    dx = ufuncs.subtract(x1, x0)
    flat = ufuncs.equal(dx, 0.0)
    t = ufuncs.true_divide(ufuncs.subtract(x, x0), ufuncs.where(flat, 1.0, dx))
    f = ufuncs.where(flat, f0, ufuncs.add(f0, ufuncs.multiply(t, ufuncs.subtract(f1, f0))))
  if period is None:
    lo = take(fp, 0) if left is None else convert(left, dtype)
    hi = take(fp, -1) if right is None else convert(right, dtype)
    f = ufuncs.where(ufuncs.less(x, take(xp, 0)), lo, f)
    f = ufuncs.where(ufuncs.greater(x, take(xp, -1)), hi, f)
  return f
