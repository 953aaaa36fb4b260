"""Reductions of vjpkit.numpy: sum, mean, max, min, argmax, argmin with NumPy's axis/keepdims."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert

Array = Any


def _axes(x, axis) -> tuple[int, ...]:
  ndim = get_aval(x).ndim
  if axis is None:
    return tuple(range(ndim))
  axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
  out = []
  for a in axes:
    if not -ndim <= a < ndim:
      raise np.exceptions.AxisError(f"axis {a} is out of bounds for an array of dimension {ndim}")
    out.append(int(a) % ndim)
  if len(set(out)) != len(out):
    raise ValueError(f"duplicate value in 'axis': {axis}")
  return tuple(sorted(out))


def _keep(y, axes, keepdims):
  return lax.expand_dims(y, axes) if keepdims and axes else y


def sum(a: Array, axis=None, dtype=None, keepdims: bool = False) -> Array:
  """Sum over ``axis`` (all axes by default).

  >>> sum([[1.0, 2.0], [3.0, 4.0]], axis=0)
  array([4., 6.])
  """
  a = asarray(a)
  if dtype is not None:
    a = convert(a, np.dtype(dtype))
  elif get_aval(a).dtype.kind in "bi":
    a = convert(a, np.dtype(np.int64))
  axes = _axes(a, axis)
  return _keep(lax.reduce_sum(a, axes), axes, keepdims)


def mean(a: Array, axis=None, dtype=None, keepdims: bool = False) -> Array:
  """Arithmetic mean over ``axis``; integer input gives float64.

  >>> mean([1.0, 2.0, 6.0])
  np.float64(3.0)
  """
  a = asarray(a)
  if get_aval(a).dtype.kind not in "fc":
    a = convert(a, np.dtype(np.float64 if dtype is None else dtype))
  elif dtype is not None:
    a = convert(a, np.dtype(dtype))
  axes = _axes(a, axis)
  shape = get_aval(a).shape
  n = int(np.prod([shape[i] for i in axes], dtype=np.int64))
  total = lax.reduce_sum(a, axes)
  return _keep(lax.div(total, np.array(n, get_aval(total).dtype)[()]), axes, keepdims)


def max(a: Array, axis=None, keepdims: bool = False) -> Array:
  """Largest value over ``axis``; ties share the gradient evenly (as in JAX)."""
  a = asarray(a)
  axes = _axes(a, axis)
  _check_nonempty(a, axes, "max")
  return _keep(lax.reduce_max(a, axes), axes, keepdims)


def min(a: Array, axis=None, keepdims: bool = False) -> Array:
  """Smallest value over ``axis``; ties share the gradient evenly (as in JAX)."""
  a = asarray(a)
  axes = _axes(a, axis)
  _check_nonempty(a, axes, "min")
  return _keep(lax.reduce_min(a, axes), axes, keepdims)


amax, amin = max, min


def _check_nonempty(a, axes, name):
  shape = get_aval(a).shape
  if any(shape[i] == 0 for i in axes):
    raise ValueError(f"zero-size array to reduction operation {name} which has no identity")


def argmax(a: Array, axis=None) -> Array:
  """Index of the largest value (no derivative)."""
  a = asarray(a)
  if axis is None:
    a, axis = lax.reshape(a, (get_aval(a).size,)), 0
  return lax.argmax(a, axis)


def argmin(a: Array, axis=None) -> Array:
  """Index of the smallest value (no derivative)."""
  a = asarray(a)
  if axis is None:
    a, axis = lax.reshape(a, (get_aval(a).size,)), 0
  return lax.argmin(a, axis)
