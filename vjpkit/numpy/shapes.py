"""Array creation and shape manipulation in vjpkit.numpy."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis, promote, result_type, convert

Array = Any


def shape(a: Array) -> tuple[int, ...]:
  """The shape of ``a``."""
  return get_aval(asarray(a)).shape


def ndim(a: Array) -> int:
  """The number of dimensions of ``a``."""
  return get_aval(asarray(a)).ndim


def reshape(a: Array, newshape, order: str = "C") -> Array:
  """``a`` with a new shape (one entry may be -1).

  >>> reshape([1.0, 2.0, 3.0, 4.0], (2, -1)).shape
  (2, 2)
  """
  if order != "C":
    raise NotImplementedError("vjpkit.numpy.reshape supports only order='C'")
  a = asarray(a)
  size = get_aval(a).size
  newshape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
  if sum(1 for s in newshape if s == -1) > 1:
    raise ValueError("can only specify one unknown dimension")
  if -1 in newshape:
    known = int(np.prod([s for s in newshape if s != -1], dtype=np.int64))
    if known == 0 or size % known:
      raise ValueError(f"cannot reshape array of size {size} into shape {newshape}")
    newshape = tuple(size // known if s == -1 else s for s in newshape)
  if int(np.prod(newshape, dtype=np.int64)) != size:
    raise ValueError(f"cannot reshape array of size {size} into shape {newshape}")
  return lax.reshape(a, newshape)


def ravel(a: Array) -> Array:
  """``a`` as a 1-D array."""
  a = asarray(a)
  return lax.reshape(a, (get_aval(a).size,))


def transpose(a: Array, axes: Sequence[int] | None = None) -> Array:
  """Permute the axes (reverse them by default)."""
  a = asarray(a)
  n = get_aval(a).ndim
  perm = tuple(reversed(range(n))) if axes is None else tuple(canonical_axis(i, n) for i in axes)
  return lax.transpose(a, perm)


def swapaxes(a: Array, axis1: int, axis2: int) -> Array:
  """Exchange two axes."""
  a = asarray(a)
  n = get_aval(a).ndim
  perm = list(range(n))
  i, j = canonical_axis(axis1, n), canonical_axis(axis2, n)
  perm[i], perm[j] = perm[j], perm[i]
  return lax.transpose(a, perm)


def moveaxis(a: Array, source: int, destination: int) -> Array:
  """Move one axis to a new position."""
  a = asarray(a)
  n = get_aval(a).ndim
  return lax.moveaxis(a, canonical_axis(source, n), canonical_axis(destination, n))


def squeeze(a: Array, axis=None) -> Array:
  """Remove axes of length one."""
  a = asarray(a)
  s = get_aval(a).shape
  if axis is None:
    axes = [i for i, d in enumerate(s) if d == 1]
  else:
    axes = [canonical_axis(i, len(s)) for i in ((axis,) if isinstance(axis, int) else axis)]
    if any(s[i] != 1 for i in axes):
      raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
  return lax.squeeze(a, axes)


def expand_dims(a: Array, axis) -> Array:
  """Insert axes of length one."""
  a = asarray(a)
  axes = (axis,) if isinstance(axis, int) else tuple(axis)
  out_ndim = get_aval(a).ndim + len(axes)
  return lax.expand_dims(a, [canonical_axis(i, out_ndim) for i in axes])


def broadcast_to(a: Array, shape_: Sequence[int]) -> Array:
  """``a`` broadcast to ``shape`` like NumPy."""
  a = asarray(a)
  shape_ = tuple(shape_)
  s = get_aval(a).shape
  if np.broadcast_shapes(s, shape_) != shape_:
    raise ValueError(f"cannot broadcast an array of shape {s} to shape {shape_}")
  return lax.broadcast_in_dim(a, shape_, tuple(range(len(shape_) - len(s), len(shape_))))


def concatenate(arrays: Sequence[Array], axis: int = 0) -> Array:
  """Join arrays along an existing axis."""
  arrays = promote_all(arrays)
  nd = get_aval(arrays[0]).ndim
  if nd == 0:
    raise ValueError("zero-dimensional arrays cannot be concatenated")
  return lax.concatenate(arrays, canonical_axis(axis, nd))


def stack(arrays: Sequence[Array], axis: int = 0) -> Array:
  """Join arrays along a new axis."""
  arrays = promote_all(arrays)
  shapes = {get_aval(a).shape for a in arrays}
  if len(shapes) != 1:
    raise ValueError("all input arrays must have the same shape")
  nd = get_aval(arrays[0]).ndim + 1
  ax = canonical_axis(axis, nd)
  return lax.concatenate([lax.expand_dims(a, (ax,)) for a in arrays], ax)


def promote_all(arrays: Sequence[Array]) -> list:
  """Arrays of one common dtype (shapes untouched)."""
  if not len(arrays):
    raise ValueError("need at least one array")
  arrays = [asarray(a) if not isinstance(a, (int, float, bool, complex)) else a for a in arrays]
  dtype = result_type(*arrays)
  return [asarray(convert(a, dtype)) for a in arrays]


def zeros(shape_, dtype=None) -> np.ndarray:
  """An array of zeros (float64 by default)."""
  return np.zeros(shape_, dtype or np.float64)


def ones(shape_, dtype=None) -> np.ndarray:
  """An array of ones (float64 by default)."""
  return np.ones(shape_, dtype or np.float64)


def full(shape_, fill_value, dtype=None) -> Array:
  """An array filled with ``fill_value`` (which may be traced)."""
  dtype = np.dtype(dtype) if dtype is not None else result_type(fill_value)
  shape_ = (shape_,) if isinstance(shape_, int) else tuple(shape_)
  v = promote(convert(fill_value, dtype))[0]
  return lax.broadcast_in_dim(v, shape_, tuple(range(len(shape_) - get_aval(v).ndim, len(shape_))))


def zeros_like(a: Array, dtype=None) -> np.ndarray:
  """Zeros of ``a``'s shape and dtype (a constant: no derivative flows through it)."""
  aval = get_aval(asarray(a))
  return np.zeros(aval.shape, dtype or aval.dtype)


def ones_like(a: Array, dtype=None) -> np.ndarray:
  """Ones of ``a``'s shape and dtype (a constant)."""
  aval = get_aval(asarray(a))
  return np.ones(aval.shape, dtype or aval.dtype)


def full_like(a: Array, fill_value, dtype=None) -> Array:
  """An array like ``a`` filled with ``fill_value``."""
  aval = get_aval(asarray(a))
  return full(aval.shape, fill_value, dtype or aval.dtype)
