"""Array creation and shape manipulation in vjpkit.numpy."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import (asarray, axis_seq, canonical_axis, convert, fresh, promote, result_type,
                    shape_tuple)

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
  newshape = shape_tuple(newshape, "reshape", "newshape", unknown=True)
  given = newshape
  if -1 in newshape:
    known = int(np.prod([s for s in newshape if s != -1], dtype=np.int64))
    if known == 0 or size % known:
      raise _reshape_error(a, given)
    newshape = tuple(size // known if s == -1 else s for s in newshape)
  if int(np.prod(newshape, dtype=np.int64)) != size:
    raise _reshape_error(a, given)
  return lax.reshape(a, newshape)


def _reshape_error(a, newshape) -> ValueError:
  aval = get_aval(a)
  return ValueError(f"vjpkit.numpy.reshape: cannot reshape an array of size {aval.size} (shape "
                    f"{aval.shape}) into shape {newshape}: the sizes must multiply to {aval.size}")


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


def moveaxis(a: Array, source, destination) -> Array:
  """Move axes (an int or a sequence each) to new positions; the others keep their order."""
  a = asarray(a)
  n = get_aval(a).ndim
  src, dst = _axis_list(source, n), _axis_list(destination, n)
  if len(src) != len(dst):
    raise ValueError("`source` and `destination` arguments must have the same number of elements")
  if len(set(src)) != len(src) or len(set(dst)) != len(dst):
    raise ValueError("repeated axis in `source` or `destination` argument")
  perm = [i for i in range(n) if i not in src]
  for d, s in sorted(zip(dst, src)):
    perm.insert(d, s)
  return lax.transpose(a, tuple(perm))


def squeeze(a: Array, axis=None) -> Array:
  """Remove axes of length one."""
  a = asarray(a)
  s = get_aval(a).shape
  if axis is None:
    axes = [i for i, d in enumerate(s) if d == 1]
  else:
    axes = [canonical_axis(i, len(s)) for i in axis_seq(axis)]
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
  shape_ = shape_tuple(shape_, "broadcast_to")
  s = get_aval(a).shape
  if np.broadcast_shapes(s, shape_) != shape_:
    raise ValueError(f"cannot broadcast an array of shape {s} to shape {shape_}")
  return lax.broadcast_in_dim(a, shape_, tuple(range(len(shape_) - len(s), len(shape_))))


def concatenate(arrays: Sequence[Array], axis: int | None = 0) -> Array:
  """Join arrays along an existing axis (``axis=None``: flattened first)."""
  arrays = promote_all(arrays)
  if axis is None:
    arrays, axis = [ravel(a) for a in arrays], 0
  nd = get_aval(arrays[0]).ndim
  if nd == 0:
    raise ValueError("zero-dimensional arrays cannot be concatenated")
  return fresh(lax.concatenate(arrays, canonical_axis(axis, nd)), arrays)


def stack(arrays: Sequence[Array], axis: int = 0) -> Array:
  """Join arrays along a new axis."""
  arrays = promote_all(arrays)
  shapes = {get_aval(a).shape for a in arrays}
  if len(shapes) != 1:
    raise ValueError("all input arrays must have the same shape")
  nd = get_aval(arrays[0]).ndim + 1
  ax = canonical_axis(axis, nd)
  return fresh(lax.concatenate([lax.expand_dims(a, (ax,)) for a in arrays], ax), arrays)


def promote_all(arrays: Sequence[Array]) -> list:
  """Arrays of one common dtype (shapes untouched).

  Like NumPy's joining functions, every input is made an array first, so a Python float
  counts as float64 here (it is not a weak scalar as in arithmetic)."""
  if not len(arrays):
    raise ValueError("need at least one array")
  arrays = [asarray(a) for a in arrays]
  dtype = result_type(*arrays)
  return [asarray(convert(a, dtype)) for a in arrays]


def zeros(shape_, dtype=None) -> np.ndarray:
  """An array of zeros (float64 by default)."""
  return np.zeros(shape_tuple(shape_, "zeros"), dtype or np.float64)


def ones(shape_, dtype=None) -> np.ndarray:
  """An array of ones (float64 by default)."""
  return np.ones(shape_tuple(shape_, "ones"), dtype or np.float64)


def full(shape_, fill_value, dtype=None) -> Array:
  """An array filled with ``fill_value`` (which may be traced)."""
  shape_ = shape_tuple(shape_, "full")
  dtype = np.dtype(dtype) if dtype is not None else result_type(fill_value)
  v = promote(convert(fill_value, dtype))[0]
  vshape = get_aval(v).shape
  if len(vshape) > len(shape_) or any(d not in (1, n) for d, n in
                                      zip(vshape[::-1], shape_[::-1])):
    raise ValueError(f"vjpkit.numpy.full: could not broadcast the fill value of shape {vshape} "
                     f"into shape {shape_}")
  out = lax.broadcast_in_dim(v, shape_, tuple(range(len(shape_) - len(vshape), len(shape_))))
  return fresh(out, fill_value)  # a new writable array, as NumPy's (not a broadcast view)


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


def _axis_list(axis, ndim) -> list[int]:
  axes = range(ndim) if axis is None else axis_seq(axis)
  return [canonical_axis(a, ndim) for a in axes]


def flip(m: Array, axis=None) -> Array:
  """Reverse the order of elements along ``axis`` (all axes by default).

  >>> flip([1.0, 2.0, 3.0])
  array([3., 2., 1.])
  """
  m = asarray(m)
  return lax.rev(m, _axis_list(axis, get_aval(m).ndim))


def fliplr(m: Array) -> Array:
  """Reverse the columns (axis 1).

  >>> fliplr([[1.0, 2.0]])
  array([[2., 1.]])
  """
  return flip(m, 1)


def flipud(m: Array) -> Array:
  """Reverse the rows (axis 0).

  >>> flipud([[1.0], [2.0]])
  array([[2.],
         [1.]])
  """
  return flip(m, 0)


def rot90(m: Array, k: int = 1, axes=(0, 1)) -> Array:
  """Rotate by 90 degrees ``k`` times in the plane of ``axes``.

  >>> rot90([[1.0, 2.0], [3.0, 4.0]])
  array([[2., 4.],
         [1., 3.]])
  """
  m = asarray(m)
  nd = get_aval(m).ndim
  a0, a1 = (canonical_axis(a, nd) for a in axes)
  if a0 == a1:
    raise ValueError("rot90: axes must be different")
  k %= 4
  if k == 0:
    return m
  if k == 2:
    return flip(flip(m, a0), a1)
  perm = list(range(nd))
  perm[a0], perm[a1] = perm[a1], perm[a0]
  return lax.transpose(flip(m, a1), perm) if k == 1 else flip(lax.transpose(m, perm), a1)


def roll(a: Array, shift, axis=None) -> Array:
  """Shift elements cyclically along ``axis`` (of the flattened array by default).

  >>> roll([1.0, 2.0, 3.0], 1)
  array([3., 1., 2.])
  """
  a = given = asarray(a)
  if axis is None:
    return fresh(lax.reshape(roll(ravel(a), shift, 0), get_aval(a).shape), a)
  shifts = (shift,) if np.ndim(shift) == 0 else tuple(shift)
  axes = axis_seq(axis)
  shift_arr, axis_arr = np.broadcast_arrays(np.asarray(shifts), np.asarray(axes))
  nd = get_aval(a).ndim
  for s, ax in zip(shift_arr.ravel(), axis_arr.ravel()):
    ax = canonical_axis(int(ax), nd)
    n = get_aval(a).shape[ax]
    s = int(s) % n if n else 0
    if s:
      a = lax.concatenate([lax.slice_in_dim(a, n - s, n, axis=ax), lax.slice_in_dim(a, 0, n - s, axis=ax)], ax)
  return fresh(a, given)


def tile(A: Array, reps) -> Array:
  """``A`` repeated ``reps`` times along each axis.

  >>> tile([1.0, 2.0], 2)
  array([1., 2., 1., 2.])
  """
  A = asarray(A)
  reps = shape_tuple(reps, "tile", "reps")
  shape = get_aval(A).shape
  d = max(len(shape), len(reps))
  shape = (1,) * (d - len(shape)) + shape
  reps = (1,) * (d - len(reps)) + reps
  A = lax.reshape(A, shape)
  big = tuple(x for r, n in zip(reps, shape) for x in (r, n))
  out = lax.broadcast_in_dim(A, big, tuple(range(1, 2 * d, 2)))
  return fresh(lax.reshape(out, tuple(r * n for r, n in zip(reps, shape))), A)


def repeat(a: Array, repeats, axis=None) -> Array:
  """Each element repeated ``repeats`` times (an int, or one count per element: concrete).

  >>> repeat([1.0, 2.0], [1, 2])
  array([1., 2., 2.])
  """
  a = asarray(a)
  if axis is None:
    a, axis = ravel(a), 0
  nd = get_aval(a).ndim
  axis = canonical_axis(axis, nd)
  shape = get_aval(a).shape
  counts = np.asarray(repeats)
  if counts.dtype.kind not in "iu":
    raise TypeError("repeat: repeats must be integers (concrete: the output shape depends on them)")
  if (counts < 0).any():
    raise ValueError(f"vjpkit.numpy.repeat: repeats {repeats!r} has negative values; each count "
                     "must be >= 0")
  if counts.ndim == 0:
    r = int(counts)
    big = shape[:axis + 1] + (r,) + shape[axis + 1:]
    dims = tuple(i for i in range(nd + 1) if i != axis + 1)
    return fresh(lax.reshape(lax.broadcast_in_dim(a, big, dims),
                             shape[:axis] + (shape[axis] * r,) + shape[axis + 1:]), a)
  from .indexing import take
  return take(a, np.repeat(np.arange(shape[axis]), np.broadcast_to(counts, (shape[axis],))), axis)


def pad(array: Array, pad_width, mode: str = "constant", constant_values=0) -> Array:
  """Pad with a constant (``mode='constant'``); ``constant_values`` may be traced.

  >>> pad([1.0, 2.0], (1, 2), constant_values=9.0)
  array([9., 1., 2., 9., 9.])
  """
  if mode != "constant":
    raise NotImplementedError(f"vjpkit.numpy.pad supports mode='constant' only, not {mode!r}; "
                              "build other modes from concatenate and flip.")
  array = asarray(array)
  aval = get_aval(array)
  widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (aval.ndim, 2))
  if (widths < 0).any():
    raise ValueError("pad: index can't contain negative values")
  values = asarray(constant_values)
  if get_aval(values).ndim == 0:
    return lax.pad(array, convert(values, aval.dtype), [(int(lo), int(hi), 0) for lo, hi in widths])
  values = np.broadcast_to(values, (aval.ndim, 2))  # per-axis values: concrete only
  out = array
  for ax, ((lo, hi), (vlo, vhi)) in enumerate(zip(widths, values)):
    out = lax.pad(out, np.array(vlo, aval.dtype)[()], [(int(lo), 0, 0) if i == ax else (0, 0, 0)
                                                       for i in range(aval.ndim)])
    out = lax.pad(out, np.array(vhi, aval.dtype)[()], [(0, int(hi), 0) if i == ax else (0, 0, 0)
                                                       for i in range(aval.ndim)])
  return out


def _atleast(arys, nd, placement):
  out = []
  for a in arys:
    a = asarray(a)
    shape = get_aval(a).shape
    if len(shape) < nd:
      a = lax.reshape(a, placement(shape))
    out.append(a)
  return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*arys) -> Array:
  """Inputs as arrays of at least one dimension.

  >>> atleast_1d(1.0)
  array([1.])
  """
  return _atleast(arys, 1, lambda s: (1,))


def atleast_2d(*arys) -> Array:
  """Inputs as arrays of at least two dimensions (1-D becomes a row).

  >>> atleast_2d([1.0, 2.0]).shape
  (1, 2)
  """
  return _atleast(arys, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*arys) -> Array:
  """Inputs as arrays of at least three dimensions (as NumPy places the new axes).

  >>> atleast_3d([[1.0, 2.0]]).shape
  (1, 2, 1)
  """
  return _atleast(arys, 3, lambda s: (1, 1, 1) if not s else (1,) + s + (1,) if len(s) == 1 else s + (1,))


def broadcast_arrays(*args) -> tuple:
  """The inputs broadcast against each other.

  >>> [a.shape for a in broadcast_arrays(np.ones(3), np.ones((2, 1)))]
  [(2, 3), (2, 3)]
  """
  arrays = [asarray(a) for a in args]
  shape_ = np.broadcast_shapes(*[get_aval(a).shape for a in arrays])
  return tuple(broadcast_to(a, shape_) for a in arrays)


def copy(a: Array, order: Any = "K") -> Array:
  """A copy of ``a``: a fresh writable NumPy array for a concrete ``a`` (as ``numpy.copy``);
  a traced value is immutable, so it is returned as it is.

  >>> copy([1.0])
  array([1.])
  """
  a = asarray(a)
  return a if isinstance(a, Tracer) else np.array(a, copy=True, order=order)


def size(a: Array, axis: int | None = None) -> int:
  """The number of elements (along ``axis``, if given).

  >>> size(np.ones((2, 3)))
  6
  """
  s = get_aval(asarray(a)).shape
  return int(np.prod(s, dtype=np.int64)) if axis is None else s[axis]


def empty_like(prototype: Array, dtype=None) -> np.ndarray:
  """Zeros like ``prototype`` (vjpkit never hands out uninitialised memory).

  >>> empty_like(np.ones(2))
  array([0., 0.])
  """
  return zeros_like(prototype, dtype)
