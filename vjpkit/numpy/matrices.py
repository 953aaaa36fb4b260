"""Matrix structure: triangles, diagonals and traces, and constant matrices.

``diagonal`` is one strided ``slice`` of the flattened last two axes (the
diagonal of an n×m matrix is every (m+1)-th entry), so its transpose is a
``pad`` with interior padding: no index arrays, no special rule.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis
from .reductions import sum as _sum
from .ufuncs import where

Array = Any


def _triangle(m, k, lower: bool):
  m = asarray(m)
  shape = get_aval(m).shape
  if len(shape) < 2:
    m = lax.broadcast_in_dim(m, (shape[-1] if shape else 1,) + (shape or (1,)), (1,) if shape else ())
    shape = get_aval(m).shape
  mask = np.tri(shape[-2], shape[-1], k, dtype=bool)
  if not lower:
    mask = ~np.tri(shape[-2], shape[-1], k - 1, dtype=bool)
  return where(mask, m, np.zeros((), get_aval(m).dtype))


def tril(m: Array, k: int = 0) -> Array:
  """The lower triangle (on and below diagonal ``k``) of the last two axes; zeros above.

  >>> tril([[1.0, 2.0], [3.0, 4.0]])
  array([[1., 0.],
         [3., 4.]])
  """
  return _triangle(m, k, True)


def triu(m: Array, k: int = 0) -> Array:
  """The upper triangle (on and above diagonal ``k``) of the last two axes; zeros below.

  >>> triu([[1.0, 2.0], [3.0, 4.0]])
  array([[1., 2.],
         [0., 4.]])
  """
  return _triangle(m, k, False)


def diagonal(a: Array, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
  """The diagonal ``offset`` of the plane ``axis1``/``axis2``, as a last axis.

  >>> diagonal([[1.0, 2.0], [3.0, 4.0]], 1)
  array([2.])
  """
  a = asarray(a)
  nd = get_aval(a).ndim
  if nd < 2:
    raise ValueError("diag requires an array of at least two dimensions")
  i, j = canonical_axis(axis1, nd), canonical_axis(axis2, nd)
  if i == j:
    raise ValueError("axis1 and axis2 cannot be the same")
  rest = [d for d in range(nd) if d not in (i, j)]
  a = lax.transpose(a, rest + [i, j])
  shape = get_aval(a).shape
  n, m = shape[-2], shape[-1]
  length = max(0, min(n, m - offset) if offset >= 0 else min(n + offset, m))
  start = offset if offset >= 0 else -offset * m
  flat = lax.reshape(a, shape[:-2] + (n * m,))
  limit = start + (length - 1) * (m + 1) + 1 if length else 0
  out = lax.slice_in_dim(flat, start if length else 0, limit, m + 1, axis=len(shape) - 2)
  if isinstance(out, np.ndarray):  # a view of ``a``: read-only, as NumPy's diagonal
    out.flags.writeable = False
  return out


def diag(v: Array, k: int = 0) -> Array:
  """The ``k``-th diagonal of a 2-D array, or a 2-D array with 1-D ``v`` on it.

  >>> diag([1.0, 2.0])
  array([[1., 0.],
         [0., 2.]])
  """
  v = asarray(v)
  shape = get_aval(v).shape
  if len(shape) == 2:
    return diagonal(v, k)
  if len(shape) != 1:
    raise ValueError("diag: input must be 1-D or 2-D")
  n = shape[0]
  square = where(np.eye(n, dtype=bool), lax.broadcast_in_dim(v, (n, n), (1,)), np.zeros((), get_aval(v).dtype))
  config = [(0, k, 0), (k, 0, 0)] if k >= 0 else [(-k, 0, 0), (0, -k, 0)]
  return lax.pad(square, np.zeros((), get_aval(v).dtype), config)


def diagflat(v: Array, k: int = 0) -> Array:
  """``diag`` of the flattened input.

  >>> diagflat([[1.0, 2.0]]).shape
  (2, 2)
  """
  v = asarray(v)
  return diag(lax.reshape(v, (get_aval(v).size,)), k)


def trace(a: Array, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None, out=None) -> Array:
  """The sum along a diagonal.

  >>> trace([[1.0, 2.0], [3.0, 4.0]])
  np.float64(5.0)
  """
  return _sum(diagonal(a, offset, axis1, axis2), -1, dtype, out)
