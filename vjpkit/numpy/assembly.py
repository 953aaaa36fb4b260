"""Building arrays from pieces and removing pieces: ``block``, ``insert``, ``delete``,
``trim_zeros``, ``rollaxis``.

All are gathers, slices and concatenations, so they are differentiable in the array
arguments. Where the result's shape depends on values (``delete``'s and ``insert``'s
indices, ``trim_zeros``'s data) those values must be concrete.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, convert, fresh
from .shapes import broadcast_to, concatenate, moveaxis, ravel

Array = Any


def _concrete_index(obj, who: str) -> Any:
  if isinstance(obj, slice):
    return obj
  from ..lax.indexing import concrete_or_none
  c = concrete_or_none(obj) if isinstance(obj, Tracer) else np.asarray(obj)
  if c is None:
    raise TypeError(f"{who}: the indices must be concrete (the shape of the result depends on "
                    "them), but they are traced here (under jit or vmap); compute them outside "
                    "the transformed function.")
  return c


def rollaxis(a: Array, axis: int, start: int = 0) -> Array:
  """Move ``axis`` so that it lies before position ``start`` (NumPy's older
  ``moveaxis``).

  >>> rollaxis(np.zeros((3, 4, 5)), 2).shape
  (5, 3, 4)
  """
  a = asarray(a)
  n = get_aval(a).ndim
  axis = canonical_axis(axis, n)
  if not -n <= start <= n:
    raise np.exceptions.AxisError(f"start {start} is out of bounds for array of dimension {n}")
  if start < 0:
    start += n
  if axis < start:
    start -= 1
  if axis == start:
    return a
  return moveaxis(a, axis, start)


def _block_depth(arrays, index=()) -> tuple[int, int]:
  if isinstance(arrays, tuple):
    raise TypeError(f"block: arrays{list(index)} is a tuple; only lists can be used to arrange "
                    "blocks, and np.block does not allow implicit conversion from tuple to ndarray.")
  if isinstance(arrays, list):
    if not arrays:
      raise ValueError(f"block: list at arrays{list(index)} cannot be empty")
    found = [_block_depth(e, index + (i,)) for i, e in enumerate(arrays)]
    if len({d for d, _ in found}) != 1:
      raise ValueError("block: list depths are mismatched; all lists must be nested equally deep")
    return found[0][0] + 1, max(nd for _, nd in found)
  return 0, get_aval(asarray(arrays)).ndim


def block(arrays: Any) -> Array:
  """Assemble an array from nested lists of blocks: the innermost lists are joined
  along the last axis, the next ones along the second-to-last, and so on.

  >>> block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), np.full((1, 1), 5.0)]])
  array([[1., 0., 0.],
         [0., 1., 0.],
         [1., 1., 5.]])
  """
  depth, max_nd = _block_depth(arrays)
  nd = max(depth, max_nd)

  def rec(x, d):
    if d == depth:
      x = asarray(x)
      s = get_aval(x).shape
      return lax.reshape(x, (1,) * (nd - len(s)) + s) if len(s) < nd else x
    return concatenate([rec(e, d + 1) for e in x], axis=-(depth - d))

  return fresh(rec(arrays, 0), arrays)  # a new array, as NumPy's, even of one block


def delete(arr: Array, obj: Any, axis: int | None = None, *,
           assume_unique_indices: bool = False) -> Array:
  """``arr`` without the entries (``axis=None``: of the flattened array) or slices
  along ``axis`` at the concrete ``obj`` (an index, a slice, indices or a mask).

  >>> delete([1.0, 2.0, 3.0, 4.0], [0, 2])
  array([2., 4.])
  """
  a = asarray(arr)
  if axis is None:
    a, axis = ravel(a), 0
  axis = canonical_axis(axis, get_aval(a).ndim)
  n = get_aval(a).shape[axis]
  idx = _concrete_index(obj, "delete")
  keep = np.ones(n, bool)
  if isinstance(idx, slice):
    keep[idx] = False
  elif idx.dtype == bool:
    if idx.shape != (n,):
      raise ValueError(f"delete: boolean array argument obj to delete must be one dimensional "
                       f"and match the axis length of {n}")
    keep = ~idx
  else:
    if idx.dtype.kind not in "iu" and idx.size:
      raise IndexError("delete: arrays used as indices must be of integer (or boolean) type")
    flat = idx.astype(np.int64).ravel()
    if np.any((flat < -n) | (flat >= n)):
      raise IndexError(f"delete: index out of bounds for axis {axis} with size {n}")
    keep[flat] = False
  from .indexing import take
  return take(a, np.flatnonzero(keep), axis=axis)


def insert(arr: Array, obj: Any, values: Array, axis: int | None = None) -> Array:
  """``arr`` with ``values`` (cast to ``arr``'s dtype) inserted before the concrete
  index or indices ``obj`` along ``axis`` (``None``: of the flattened array), with
  NumPy's broadcasting rules; differentiable in ``arr`` and ``values``.

  >>> insert([1.0, 2.0, 3.0], 1, 9.0)
  array([1., 9., 2., 3.])
  >>> insert([1.0, 2.0, 3.0], [0, 3], [7.0, 8.0])
  array([7., 1., 2., 3., 8.])
  """
  a = asarray(arr)
  if axis is None:
    a, axis = ravel(a), 0
  nd = get_aval(a).ndim
  axis = canonical_axis(axis, nd)
  shape = get_aval(a).shape
  n = shape[axis]
  dtype = get_aval(a).dtype
  idx = _concrete_index(obj, "insert")
  if isinstance(idx, slice):
    idx = np.arange(*idx.indices(n))
  if idx.dtype == bool:
    raise TypeError("insert: boolean indices are not supported (NumPy treats them as integers); "
                    "pass integer indices")
  if idx.ndim > 1:
    raise ValueError("insert: index array argument obj to insert must be one dimensional or scalar")
  v = convert(asarray(values), dtype)
  if idx.size == 1:
    index = int(idx.reshape(()))
    if not -n <= index <= n:
      raise IndexError(f"insert: index {index} is out of bounds for axis {axis} with size {n}")
    if index < 0:
      index += n
    vs = get_aval(v).shape
    if len(vs) < nd:
      v = lax.reshape(v, (1,) * (nd - len(vs)) + vs)
    if idx.ndim == 0:
      v = moveaxis(v, 0, axis)
    vshape = get_aval(v).shape
    target = shape[:axis] + (vshape[axis],) + shape[axis + 1:]
    v = broadcast_to(v, target)
    parts = [lax.slice_in_dim(a, 0, index, axis=axis), v, lax.slice_in_dim(a, index, n, axis=axis)]
    return lax.concatenate(parts, axis)
  idx = idx.astype(np.int64)
  if np.any((idx < -n) | (idx > n)):
    raise IndexError(f"insert: index out of bounds for axis {axis} with size {n}")
  idx = np.where(idx < 0, idx + n, idx)
  k = idx.size
  order = np.argsort(idx, kind="stable")
  pos = idx.copy()
  pos[order] += np.arange(k)
  total = n + k
  source = np.empty(total, np.int64)
  old = np.ones(total, bool)
  old[pos] = False
  source[old] = np.arange(n)
  source[pos] = n + np.arange(k)
  v = broadcast_to(v, shape[:axis] + (k,) + shape[axis + 1:])
  from .indexing import take
  return take(lax.concatenate([a, v], axis), source, axis=axis)


def trim_zeros(filt: Array, trim: str = "fb") -> Array:
  """The 1-D ``filt`` without its leading (``'f'``) and/or trailing (``'b'``) zeros
  (which must be concrete: the length of the result depends on them).

  >>> trim_zeros([0.0, 0.0, 1.0, 0.0, 2.0, 0.0])
  array([1., 0., 2.])
  """
  f = asarray(filt)
  if get_aval(f).ndim != 1:
    raise ValueError("trim_zeros: filt must be one-dimensional")
  c = _concrete_index(f, "trim_zeros")
  nz = np.flatnonzero(c)
  trim = trim.lower()
  n = c.shape[0]
  if nz.size == 0:
    return lax.slice_in_dim(f, 0, 0, axis=0)
  start = int(nz[0]) if "f" in trim else 0
  stop = int(nz[-1]) + 1 if "b" in trim else n
  return lax.slice_in_dim(f, start, stop, axis=0)
