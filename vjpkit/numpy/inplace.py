"""NumPy's in-place functions ``put``, ``place``, ``put_along_axis``, ``fill_diagonal`` as
JAX has them: arrays are immutable, so with the default ``inplace=True`` they raise an
error that points to ``.at[]``; with ``inplace=False`` they return the updated copy
(concrete or traced, differentiable in the array and the values).

>>> put(np.zeros(4), [0, 2], [1.0, 2.0], inplace=False)
array([1., 0., 2., 0.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis, convert
from .indexing import at, take
from .shapes import broadcast_to, ravel, reshape
from .ufuncs import where

Array = Any

__all__ = ["fill_diagonal", "place", "put", "put_along_axis"]


def _no_inplace(who: str, hint: str) -> None:
  raise ValueError(f"vjpkit.numpy.{who} cannot modify arrays in place (vjpkit's arrays are "
                   f"immutable, as JAX's): pass inplace=False to get the updated copy, or write "
                   f"{hint}")


def _cycled(values, n: int, dtype):
  """``values`` flattened and repeated cyclically to length ``n`` (NumPy's rule)."""
  v = ravel(convert(asarray(values), dtype))
  m = get_aval(v).shape[0]
  if m == 0:
    raise ValueError("cannot put or place an empty sequence of values")
  return take(v, np.arange(n) % m)


def put(a: Array, ind: Array, v: Array, mode: str | None = None, *, inplace: bool = True) -> Array:
  """``a`` with the flat positions ``ind`` set to ``v`` (repeated cyclically); ``mode``
  ``'clip'`` or ``'wrap'`` for out-of-range indices (default: they raise if concrete).

  >>> put(np.zeros((2, 2)), 5, 7.0, mode="wrap", inplace=False)
  array([[0., 7.],
         [0., 0.]])
  """
  if inplace:
    _no_inplace("put", "x.ravel().at[ind].set(v).reshape(x.shape)")
  a = asarray(a)
  aval = get_aval(a)
  flat = ravel(a)
  i = ravel(asarray(ind))
  n = get_aval(flat).shape[0]
  if mode in ("clip", "wrap"):
    from .indexing import _mode_indices
    i = _mode_indices(i, n, 0, mode)
  elif mode not in (None, "raise"):
    raise ValueError(f"vjpkit.numpy.put: mode must be 'raise', 'clip' or 'wrap', got {mode!r}")
  vals = _cycled(v, get_aval(i).shape[0], aval.dtype)
  return reshape(at(flat)[i].set(vals), aval.shape)


def place(arr: Array, mask: Array, vals: Array, *, inplace: bool = True) -> Array:
  """``arr`` with the entries where ``mask`` is True set to ``vals`` in order (repeated
  cyclically); ``mask`` may be traced.

  >>> place(np.arange(5.0), np.arange(5) % 2 == 0, [10.0, 20.0], inplace=False)
  array([10.,  1., 20.,  3., 10.])
  """
  if inplace:
    _no_inplace("place", "vjpkit.numpy.where(mask, values, x)")
  arr = asarray(arr)
  aval = get_aval(arr)
  m = broadcast_to(convert(asarray(mask), np.dtype(bool)), aval.shape)
  flat_m = ravel(m)
  v = ravel(convert(asarray(vals), aval.dtype))
  k = get_aval(v).shape[0]
  if k == 0:
    return arr
  pos = lax.sub(lax.cumsum(convert(flat_m, np.dtype(np.int64)), 0), np.int64(1))
  pos = lax.rem(lax.max(pos, np.int64(0)), np.int64(k))
  return reshape(where(flat_m, take(v, pos), ravel(arr)), aval.shape)


def put_along_axis(arr: Array, indices: Array, values: Array, axis: int | None,
                   inplace: bool = True, *, mode: str | None = None) -> Array:
  """``arr`` with ``values`` written at the positions ``take_along_axis`` reads.

  >>> put_along_axis(np.zeros((2, 3)), np.array([[2], [0]]), 5.0, axis=1, inplace=False)
  array([[0., 0., 5.],
         [5., 0., 0.]])
  """
  if inplace:
    _no_inplace("put_along_axis", "x.at[index tuple].set(values)")
  arr = asarray(arr)
  if axis is None:
    return put_along_axis(ravel(arr), ravel(asarray(indices)), values, 0, False, mode=mode)
  aval = get_aval(arr)
  nd = aval.ndim
  axis = canonical_axis(axis, nd)
  idx = asarray(indices)
  if get_aval(idx).ndim != nd:
    raise ValueError(f"vjpkit.numpy.put_along_axis: indices must have {nd} dimensions like arr")
  shape = tuple(np.broadcast_shapes(get_aval(idx).shape,
                                    tuple(1 if k == axis else n for k, n in enumerate(aval.shape))))
  full = []
  for k in range(nd):
    if k == axis:
      full.append(broadcast_to(idx, shape))
    else:
      full.append(np.broadcast_to(np.arange(aval.shape[k]).reshape(
          [-1 if j == k else 1 for j in range(nd)]), shape))
  v = broadcast_to(convert(asarray(values), aval.dtype), shape)
  return at(arr)[tuple(full)].set(v)


def fill_diagonal(a: Array, val: Array, wrap: bool = False, *, inplace: bool = True) -> Array:
  """``a`` with its main diagonal set to ``val`` (repeated cyclically): NumPy's rule for
  2-D arrays (``wrap`` restarts it below a tall matrix) and for n-D arrays of equal sides.

  >>> fill_diagonal(np.zeros((3, 3)), [1.0, 2.0], inplace=False)
  array([[1., 0., 0.],
         [0., 2., 0.],
         [0., 0., 1.]])
  """
  if inplace:
    _no_inplace("fill_diagonal", "x.at[vjpkit.numpy.diag_indices_from(x)].set(value)")
  a = asarray(a)
  aval = get_aval(a)
  if aval.ndim < 2:
    raise ValueError("vjpkit.numpy.fill_diagonal: array must be at least 2-d")
  if aval.ndim == 2:
    step = aval.shape[1] + 1
    end = aval.size if wrap else min(aval.size, aval.shape[1] * aval.shape[1])
  else:
    if len(set(aval.shape)) != 1:
      raise ValueError("vjpkit.numpy.fill_diagonal: all dimensions of input must be of equal "
                       "length")
    step = 1 + int(np.cumprod(aval.shape[:-1]).sum())
    end = aval.size
  positions = np.arange(0, end, step)
  vals = _cycled(val, len(positions), aval.dtype)
  return reshape(at(ravel(a))[positions].set(vals), aval.shape)
