"""Index and grid helpers: ``r_``/``c_`` (concatenation by indexing), ``s_``/``index_exp``,
``mgrid``/``ogrid``, ``mask_indices``, ``resize``.

``r_`` and ``c_`` accept traced arrays (the result is differentiable); the grids and
``mask_indices`` are constants.

>>> r_[np.array([1.0, 2.0]), 0.0, 0:2]
array([1., 2., 0., 0., 1.])
>>> c_[np.array([1.0, 2.0]), np.array([3.0, 4.0])]
array([[1., 3.],
       [2., 4.]])
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import get_aval
from ._core import asarray
from .indexing import take
from .shapes import concatenate, ravel, reshape, transpose

Array = Any

__all__ = ["c_", "index_exp", "mask_indices", "mgrid", "ogrid", "r_", "resize", "s_"]

s_ = np.s_
index_exp = np.index_exp
mgrid = np.mgrid
ogrid = np.ogrid


class _AxisConcatenator:
  """``r_[...]``/``c_[...]``: slices become ranges (a complex step: that many points),
  scalars and arrays are joined along ``axis``; a leading string ``"axis,ndmin,trans1d"``
  sets the options, as in NumPy (the matrix directives ``'r'``/``'c'`` are not supported)."""

  def __init__(self, axis: int, ndmin: int, trans1d: int):
    self.axis, self.ndmin, self.trans1d = axis, ndmin, trans1d

  def __getitem__(self, key) -> Array:
    items = list(key) if isinstance(key, tuple) else [key]
    axis, ndmin, trans1d = self.axis, self.ndmin, self.trans1d
    if items and isinstance(items[0], str):
      directive = items.pop(0)
      if directive in ("r", "c"):
        raise ValueError("r_/c_: the matrix directives 'r' and 'c' are not supported (there is "
                         "no matrix class); use 2-D arrays")
      parts = [int(p) for p in directive.split(",")]
      axis, ndmin, trans1d = (parts + [ndmin, trans1d][len(parts) - 1:])[:3] if len(parts) > 1 \
          else (parts[0], ndmin, trans1d)
    pieces = []
    for item in items:
      if isinstance(item, slice):
        x = asarray(np.r_[item])
      elif isinstance(item, str):
        raise ValueError("r_/c_: a string is allowed only as the first item")
      else:
        x = asarray(item)
      nd = get_aval(x).ndim
      if nd < ndmin:
        x = reshape(x, (1,) * (ndmin - nd) + get_aval(x).shape)
        if trans1d != -1:
          k2, k1 = ndmin - nd, trans1d
          if k1 < 0:
            k1 += k2 + 1
          axes = list(range(ndmin))
          x = transpose(x, axes[:k1] + axes[k2:] + axes[k1:k2])
      pieces.append(x)
    if not pieces:
      return np.array([])
    return concatenate(pieces, axis=axis)

  def __len__(self) -> int:
    return 0


r_ = _AxisConcatenator(0, 1, -1)
c_ = _AxisConcatenator(-1, 2, 0)


def mask_indices(n: int, mask_func: Callable, k: int = 0, *, size: int | None = None) -> tuple:
  """The indices where ``mask_func(ones((n, n)), k)`` is nonzero (e.g. ``triu``).

  >>> mask_indices(3, np.triu, 1)
  (array([0, 0, 1]), array([1, 2, 2]))
  """
  m = np.asarray(mask_func(np.ones((int(n), int(n)), int), k))
  out = np.nonzero(m != 0)
  if size is not None:
    out = tuple(np.concatenate([o[:size], np.zeros(max(0, size - len(o)), o.dtype)]) for o in out)
  return out


def resize(a: Array, new_shape: int | Sequence[int]) -> Array:
  """``a`` flattened and repeated cyclically to fill ``new_shape`` (NumPy's ``resize``).

  >>> resize(np.array([1.0, 2.0, 3.0]), (2, 4))
  array([[1., 2., 3., 1.],
         [2., 3., 1., 2.]])
  """
  a = asarray(a)
  shape = (int(new_shape),) if isinstance(new_shape, (int, np.integer)) else tuple(
      int(s) for s in new_shape)
  if any(s < 0 for s in shape):
    raise ValueError("all elements of `new_shape` must be non-negative")
  size = int(np.prod(shape))
  flat = ravel(a)
  n = get_aval(flat).shape[0]
  if n == 0 or size == 0:
    return np.zeros(shape, get_aval(a).dtype)
  return reshape(take(flat, np.arange(size) % n), shape)
