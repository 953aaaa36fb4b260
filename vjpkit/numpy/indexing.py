"""Indexing of traced arrays: NumPy's basic and advanced indexing, ``take``,
``take_along_axis``, and the functional updates ``x.at[idx].set/add/...``.

Basic indices (integers, slices, ``None``, ``...``) become one ``slice`` (plus
``rev`` for negative steps), ``squeeze`` and ``expand_dims``: the transpose is a
``pad``. A lone integer, ``x[i]``, is one ``index_in_dim`` (transpose ``embed_in_dim``),
which is cheaper under nested transforms. Integer arrays become a ``gather`` whose transpose is a scatter-add,
so repeated indices accumulate their cotangents. Boolean masks must be
concrete (the result's shape depends on them): they become integer arrays.

Concrete out-of-range indices raise ``IndexError`` like NumPy, under jit too (a constant
index is known when the program is traced; JAX drops or clamps it silently). Traced ones
(under jit or vmap) wrap once if negative (``-1`` is the last element), then,
as in JAX, reads (``x[i]``, ``x.at[i].get()``, ``take``) clamp them into range
and updates (``x.at[i].set/add/...``) are dropped: the result, and its
derivatives, are as if that update were not there. A boolean mask must have
exactly the shape of the axes it indexes (``IndexError`` otherwise, as NumPy).
``x.at[...]`` exists on traced values (inside transforms); plain NumPy arrays have no
``.at``: ``vjpkit.numpy.at(x)[idx]`` gives the same methods for both (see
docs/sharp-bits.md).
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, convert

Array = Any


class _Mask:
  """A concrete boolean mask index, standing for its ``nonzero()`` integer arrays."""
  __slots__ = ("arrays", "shape")

  def __init__(self, mask: np.ndarray):
    self.arrays, self.shape = np.nonzero(mask), mask.shape


def _check_masks(shape, items) -> None:
  """Each mask must have exactly the sizes of the axes it indexes, as in NumPy (a shorter
  or longer mask would otherwise pick the wrong elements or fail somewhere else)."""
  dim = 0
  for item in items:
    if isinstance(item, _Mask):
      for k, (n, m) in enumerate(zip(shape[dim:], item.shape)):
        if n != m:
          raise IndexError(
              f"boolean index did not match indexed array along axis {dim + k}; size of axis is "
              f"{n} but size of corresponding boolean axis is {m} (vjpkit: x[mask] and x.at[mask] "
              f"need a mask of shape {tuple(shape[dim:dim + len(item.shape)])}, the sizes of the "
              "axes it indexes)")
      dim += len(item.shape)
    elif item is not None:
      dim += 1


def _mask_error(what: str) -> TypeError:
  return TypeError(
      f"boolean mask indexing needs a concrete mask, but {what} is traced (under jit or vmap): "
      "the shape of the result would depend on its values. Use vjpkit.numpy.where(mask, x, 0) "
      "instead, which keeps the shape.")


_VALID = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
          "boolean arrays are valid indices")


def _bad_index(item, position: int, array: bool) -> IndexError:
  """NumPy's IndexError for an index of the wrong type, with what vjpkit got and the fix."""
  what = item.aval.str_short() if isinstance(item, Tracer) else repr(item)
  if array:
    return IndexError(f"arrays used as indices must be of integer (or boolean) type (vjpkit "
                      f"indexing: the index at position {position} is {what}; convert it with "
                      ".astype(int))")
  return IndexError(f"{_VALID} (vjpkit indexing: the index at position {position} is {what}; use an "
                    "int, e.g. int(i))")


def _check_slice(item: slice, position: int) -> slice:
  from ..lax.indexing import concrete_or_none
  for bound in (item.start, item.stop, item.step):
    if isinstance(bound, Tracer) and concrete_or_none(bound) is None:
      raise IndexError(
          f"vjpkit indexing: the slice at position {position} has a traced bound (under jit or "
          "vmap), but slice start/stop/step must be concrete (the result's shape depends on "
          "them). For a window of fixed size at a traced offset use "
          "vjpkit.lax.dynamic_slice(x, starts, sizes); or mark the argument static with "
          "jit(..., static_argnums=...).")
    if bound is not None and not isinstance(bound, Tracer) and not hasattr(type(bound), "__index__"):
      raise TypeError(f"slice indices must be integers or None or have an __index__ method "
                      f"(vjpkit indexing: the slice at position {position} is {item!r})")
  return item


def _item(item, position: int = 0):
  """One index item in canonical form: None, Ellipsis, slice, int, _Mask, an integer
  NumPy array or an integer tracer (traced indices). ``position``: where it is in the
  index tuple (for error messages)."""
  if item is None or item is Ellipsis:
    return item
  if isinstance(item, slice):
    return _check_slice(item, position)
  if isinstance(item, bool) or isinstance(item, np.bool_):
    raise IndexError("boolean scalar indices are not supported by vjpkit; use a boolean array")
  if isinstance(item, (int, np.integer)):
    return int(item)
  if isinstance(item, Tracer):
    from ..lax.indexing import concrete_or_none
    concrete = concrete_or_none(item)
    if concrete is None:
      if item.aval.dtype == np.bool_:
        raise _mask_error("the mask")
      if item.aval.dtype.kind not in "iu":
        raise _bad_index(item, position, array=True)
      return item
    item = concrete
  elif not isinstance(item, (np.ndarray, list, tuple)):  # a float, a string, an object
    raise _bad_index(item, position, array=False)
  try:
    arr = np.asarray(item)
  except ValueError:  # a ragged list
    raise _bad_index(item, position, array=False) from None
  if arr.dtype == np.bool_:
    if arr.ndim == 0:
      raise IndexError("boolean scalar indices are not supported by vjpkit; use a boolean array")
    return _Mask(arr)
  if arr.dtype.kind not in "iu":
    raise _bad_index(item, position, array=isinstance(item, np.ndarray))
  return int(arr) if arr.ndim == 0 else arr


def _expand(shape, idx) -> list:
  """Canonical items with ``...`` expanded to full slices (masks still grouped)."""
  if isinstance(idx, list):  # a list is an index array, as in NumPy 2
    idx = asarray(idx)
  items = [_item(i, k) for k, i in enumerate(idx if isinstance(idx, tuple) else (idx,))]
  consumed = sum(len(i.arrays) if isinstance(i, _Mask) else 1 for i in items
                 if i is not None and i is not Ellipsis)
  if consumed > len(shape):
    raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, "
                     f"but {consumed} were indexed")
  if sum(1 for i in items if i is Ellipsis) > 1:
    raise IndexError("an index can only have a single ellipsis ('...')")
  fill = [slice(None)] * (len(shape) - consumed)
  if any(i is Ellipsis for i in items):
    k = next(n for n, i in enumerate(items) if i is Ellipsis)
    items = items[:k] + fill + items[k + 1:]
  else:
    items = items + fill
  if any(isinstance(i, _Mask) for i in items):
    _check_masks(shape, items)
  return items


def _is_advanced(i) -> bool:
  return isinstance(i, (np.ndarray, Tracer, _Mask))


def getitem(x, idx) -> Any:
  """``x[idx]`` with NumPy's semantics for basic and advanced indices."""
  shape = get_aval(x).shape
  if type(idx) is int and shape:  # x[i]: the common case, without the general machinery
    return _int_index(x, shape, idx)
  items = _expand(shape, idx)
  if not any(_is_advanced(i) for i in items):
    return _basic(x, items)
  return _advanced(x, items)


_OOB_HINT = (" (vjpkit checks concrete indices like NumPy, under jit too; only traced indices "
             "clamp on reads and drop on updates, as in JAX)")


def _int_index(x, shape: tuple, i: int):
  """``x[i]`` for a Python int ``i``: one ``index_in_dim`` (not a slice and a squeeze)."""
  n = shape[0]
  if not -n <= i < n:
    raise IndexError(f"index {i} is out of bounds for axis 0 with size {n}{_OOB_HINT}")
  return lax.index_in_dim_p.bind(x, index=i % n, axis=0)


def _basic(x, items):
  shape = get_aval(x).shape
  starts, limits, strides, reversed_dims, int_dims, new_axes = [], [], [], [], [], []
  dim = out_pos = 0
  for item in items:
    if item is None:
      new_axes.append(out_pos)
      out_pos += 1
      continue
    n = shape[dim]
    if isinstance(item, slice):
      start, stop, step = item.indices(n)
      count = len(range(start, stop, step))
      if step < 0:
        reversed_dims.append(dim)
        start, step = n - 1 - start, -step
      starts.append(start)
      limits.append(start + (count - 1) * step + 1 if count else start)
      strides.append(step)
      out_pos += 1
    else:
      i = operator.index(item)
      if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}{_OOB_HINT}")
      starts.append(i % n)
      limits.append(i % n + 1)
      strides.append(1)
      int_dims.append(dim)
    dim += 1
  y = lax.rev(x, reversed_dims)
  y = lax.slice(y, starts, limits, strides)
  y = lax.squeeze(y, int_dims)
  return lax.expand_dims(y, new_axes) if new_axes else y


def _normalize(i, n: int, axis: int):
  """An integer index array for an axis of size ``n``: bounds-checked and wrapped if
  concrete; negative values wrapped (then clamped by the gather) if traced."""
  if isinstance(i, Tracer):
    i = lax.convert_element_type(i, np.int64)
    return lax.select_n(lax.lt(i, np.int64(0)), i, lax.add(i, np.int64(n)))
  i = np.asarray(i, dtype=np.int64)
  bad = (i < -n) | (i >= n)
  if bad.any():
    raise IndexError(f"index {int(i[bad].flat[0])} is out of bounds for axis {axis} with size {n}"
                     f"{_OOB_HINT}")
  return np.where(i < 0, i + n, i)


def _flatten_masks(shape, items):
  """Items with masks spread into their integer arrays, and each item's axis."""
  flat, axes, dim = [], [], 0
  for item in items:
    if isinstance(item, _Mask):
      for k, a in enumerate(item.arrays):
        flat.append(a)
        axes.append(dim + k)
      dim += len(item.arrays)
    elif item is None:
      flat.append(None)
      axes.append(None)
    else:
      flat.append(item)
      axes.append(dim)
      dim += 1
  return flat, axes


def index_arrays(shape, items):
  """For any index: ``(R, columns)`` such that ``x[idx] == x[columns...]`` elementwise,
  ``R`` being the result's shape and ``columns`` one index array per axis of x,
  broadcastable to ``R``. Integers count as 0-d advanced indices (equivalent)."""
  flat, axes = _flatten_masks(shape, items)
  adv = [k for k, i in enumerate(flat) if i is not None and not isinstance(i, slice)]
  arrays = {k: _normalize(flat[k], shape[axes[k]], axes[k]) for k in adv}
  b_shape = tuple(np.broadcast_shapes(*[get_aval(a).shape for a in arrays.values()])) if adv else ()
  adjacent = not adv or adv == list(range(adv[0], adv[-1] + 1))
  out, where, b_pos = [], {}, None
  if not adjacent:
    b_pos, out = 0, list(b_shape)
  for k, item in enumerate(flat):
    if item is None:
      out.append(1)
    elif isinstance(item, slice):
      r = range(*item.indices(shape[axes[k]]))
      where[k] = (np.arange(r.start, r.stop, r.step, dtype=np.int64), len(out))
      out.append(len(r))
    elif b_pos is None:
      b_pos = len(out)
      out.extend(b_shape)
  result_shape = tuple(out)
  columns = []
  for k, item in enumerate(flat):
    if item is None:
      continue
    if k in where:
      col, pos = where[k]
      columns.append(lax.broadcast_in_dim(col, result_shape, (pos,)))
    else:
      a = arrays[k]
      nd = get_aval(a).ndim
      columns.append(lax.broadcast_in_dim(a, result_shape, tuple(range(b_pos + len(b_shape) - nd,
                                                                     b_pos + len(b_shape)))))
  return result_shape, columns


def _stack_columns(result_shape, columns):
  return lax.concatenate([lax.reshape(c, result_shape + (1,)) for c in columns], len(result_shape))


def _advanced(x, items):
  shape = get_aval(x).shape
  flat, axes = _flatten_masks(shape, items)
  plain = all(i is not None and (not isinstance(i, slice) or i == slice(None)) for i in flat)
  adv = [k for k, i in enumerate(flat) if not isinstance(i, slice)]
  if plain and adv == list(range(adv[0], adv[-1] + 1)):
    # x[..., i, j, ...] with full slices elsewhere: gather the advanced axes only
    arrays = [_normalize(flat[k], shape[axes[k]], axes[k]) for k in adv]
    b_shape = np.broadcast_shapes(*[get_aval(a).shape for a in arrays])
    idx = lax.concatenate([lax.reshape(lax.broadcast_in_dim(a, b_shape, tuple(range(
        len(b_shape) - get_aval(a).ndim, len(b_shape)))), b_shape + (1,)) for a in arrays], len(b_shape))
    y = lax.gather(x, idx, [axes[k] for k in adv])
    p, nb = axes[adv[0]], len(b_shape)
    perm = list(range(nb, nb + p)) + list(range(nb)) + list(range(nb + p, get_aval(y).ndim))
    return lax.transpose(y, perm)
  result_shape, columns = index_arrays(shape, items)
  return lax.gather(x, _stack_columns(result_shape, columns), tuple(range(len(shape))))


# -- x.at[idx].set(v) and friends ----------------------------------------------------

def at(x: Array) -> "_IndexUpdateHelper":
  """``x.at`` for any array: ``at(x)[idx].set(v)``, ``.add(v)``, ``.get(mode="fill")``, ...
  work on NumPy arrays and traced values alike (NumPy arrays have no ``.at``; tracers
  have it too). The result is a new array; ``x`` is never written.

  >>> import vjpkit.numpy as vnp
  >>> at(vnp.zeros(3))[np.array([0, 0, 2])].add(1.0)
  array([2., 0., 1.])
  >>> at(np.arange(3.0))[5].get(mode="fill", fill_value=-1.0)
  np.float64(-1.0)
  """
  return _IndexUpdateHelper(asarray(x))


class _IndexUpdateHelper:
  """``x.at``: indexing it gives the functional update methods for that index."""
  __slots__ = ("x",)

  def __init__(self, x):
    self.x = x

  def __getitem__(self, idx):
    return _IndexUpdateRef(self.x, idx)

  def __repr__(self):
    return f"_IndexUpdateHelper({self.x!r})"


class _IndexUpdateRef:
  """``x.at[idx]``: functional versions of ``x[idx] = v``, ``x[idx] += v``, ...

  Out-of-range traced indices (under jit or vmap; after negative ones wrap once)
  are clamped by ``get`` and dropped by every update, as in JAX: a dropped
  update changes nothing and gets a zero derivative. Concrete out-of-range
  indices raise ``IndexError``."""
  __slots__ = ("x", "idx")

  def __init__(self, x, idx):
    self.x, self.idx = x, idx

  def get(self, *, mode: str | None = None, fill_value: Any = None,
          indices_are_sorted: bool = False, unique_indices: bool = False):
    """``x[idx]``. ``mode``: None (concrete indices are checked, traced ones clamped),
    ``"clip"`` (clamped), ``"fill"`` (out-of-range integer indices give ``fill_value``,
    by default NaN for floats, the most negative integer, True) or
    ``"promise_in_bounds"``."""
    if mode in (None, "promise_in_bounds"):
      return getitem(self.x, self.idx)
    if mode not in ("clip", "fill"):
      raise ValueError(f"x.at[idx].get: mode must be None, 'clip', 'fill' or "
                       f"'promise_in_bounds', got {mode!r}")
    return _get_with_mode(self.x, self.idx, mode, fill_value)

  def set(self, values):
    """``x`` with ``x[idx]`` replaced by ``values`` (at a repeated index, the last wins)."""
    return _update(self.x, self.idx, values, lax.scatter, lambda x, v: v)

  def add(self, values):
    """``x`` with ``values`` added at ``idx``; repeated indices accumulate."""
    return _update(self.x, self.idx, values, lax.scatter_add, lax.add)

  def subtract(self, values):
    """``x`` with ``values`` subtracted at ``idx``; repeated indices accumulate."""
    return self.add(lax.neg(asarray(values)))

  def multiply(self, values):
    """``x`` multiplied by ``values`` at ``idx``; repeated indices multiply together."""
    return _update(self.x, self.idx, values, lax.scatter_mul, lax.mul)

  mul = multiply

  def divide(self, values):
    """``x`` divided by ``values`` at ``idx``."""
    from .ufuncs import reciprocal
    return self.multiply(reciprocal(values))

  def min(self, values):
    """``x`` lowered to ``values`` at ``idx`` where they are smaller."""
    return _update(self.x, self.idx, values, lax.scatter_min, lax.min)

  def max(self, values):
    """``x`` raised to ``values`` at ``idx`` where they are larger."""
    return _update(self.x, self.idx, values, lax.scatter_max, lax.max)

  def power(self, values):
    """``x`` raised to the power ``values`` at ``idx``; at a repeated index the powers
    compose (``(x ** a) ** b``), as JAX's."""
    from .ufuncs import power, where
    x = self.x
    aval = get_aval(x)
    exponent = _IndexUpdateRef(lax.full(aval.shape, 1, aval.dtype), self.idx).multiply(values)
    touched = _IndexUpdateRef(lax.full(aval.shape, False, np.dtype(bool)), self.idx).set(True)
    return where(touched, power(x, exponent), x)  # untouched entries: x itself, exactly


def _get_with_mode(x, idx, mode, fill_value):
  """``x[idx]`` with out-of-range integer indices clamped (``clip``) or sent to one extra
  entry holding ``fill_value`` appended to their axis (``fill``)."""
  aval = get_aval(x)
  items = _expand(aval.shape, idx)
  fill = None
  if mode == "fill":
    fill = _fill_value(aval.dtype) if fill_value is None else np.array(fill_value, aval.dtype)[()]
  new_items, dim = [], 0
  for item in items:
    if item is None or isinstance(item, slice):
      new_items.append(item)
      dim += item is not None
      continue
    if isinstance(item, _Mask):
      new_items.append(item)
      dim += len(item.arrays)
      continue
    i = asarray(item)
    if get_aval(i).dtype.kind not in "iu":
      new_items.append(item)
      dim += 1
      continue
    n = aval.shape[dim]
    i = convert(i, np.dtype(np.int64))
    wrapped = lax.select_n(lax.lt(i, np.int64(0)), i, lax.add(i, np.int64(n)))
    if mode == "clip":
      new_items.append(lax.max(lax.min(wrapped, np.int64(max(n - 1, 0))), np.int64(0)))
    else:
      inside = lax.logical_and(lax.ge(wrapped, np.int64(0)), lax.lt(wrapped, np.int64(n)))
      new_items.append(lax.select_n(inside, lax.full_like(wrapped, n), wrapped))
      slab = list(get_aval(x).shape)
      slab[dim] = 1
      x = lax.concatenate([x, lax.full(tuple(slab), fill, aval.dtype)], dim)
    dim += 1
  return getitem(x, tuple(new_items))


def _update(x, idx, values, scatter, elementwise):
  aval = get_aval(x)
  v = convert(asarray(values), aval.dtype)
  if aval.ndim == 0:
    _expand((), idx)  # validates the index
    return elementwise(x, _broadcast(v, ()))
  result_shape, columns = index_arrays(aval.shape, _expand(aval.shape, idx))
  return scatter(x, _stack_columns(result_shape, columns), _broadcast(v, result_shape),
                 tuple(range(aval.ndim)))


def _broadcast(v, shape):
  s = get_aval(v).shape
  if np.broadcast_shapes(s, shape) != tuple(shape):
    raise ValueError(f"cannot assign values of shape {s} to an index of shape {tuple(shape)}")
  return lax.broadcast_in_dim(v, tuple(shape), tuple(range(len(shape) - len(s), len(shape))))


# -- take, take_along_axis, nonzero ------------------------------------------------------

def _mode_indices(indices, n, axis, mode):
  if get_aval(asarray(indices)).dtype == np.bool_:  # take reads booleans as 0 and 1, as NumPy
    indices = convert(asarray(indices), np.dtype(np.int64))
  if mode in (None, "raise", "promise_in_bounds"):
    return _normalize(_item(indices) if not isinstance(indices, Tracer) else indices, n, axis)
  if mode not in ("wrap", "clip", "fill"):
    raise ValueError(f"vjpkit.numpy.take: mode must be 'raise', 'wrap', 'clip' or 'fill', got {mode!r}")
  i = asarray(indices)
  if get_aval(i).dtype.kind not in "iu":
    raise IndexError(f"vjpkit.numpy.take: indices must be integers, got {get_aval(i).dtype.name}")
  if mode == "fill":  # wrapped once if negative; still out of range: filled in by take
    i = convert(i, np.dtype(np.int64))
    return lax.select_n(lax.lt(i, np.int64(0)), i, lax.add(i, np.int64(n)))
  if isinstance(i, Tracer):
    i = lax.convert_element_type(i, np.int64)
    if mode == "wrap":
      from .ufuncs import remainder
      return remainder(i, np.int64(n))
    return lax.max(lax.min(i, np.int64(n - 1)), np.int64(0))
  i = np.asarray(i, np.int64)
  return np.mod(i, n) if mode == "wrap" else np.clip(i, 0, n - 1)


def _fill_value(dtype: np.dtype):
  """What ``take(..., mode="fill")`` puts at out-of-range indices: JAX's NaN, the most negative
  integer, True."""
  if dtype.kind in "fc":
    return np.array(np.nan, dtype)[()]
  return np.array(np.iinfo(dtype).min if dtype.kind in "iu" else True, dtype)[()]


def take(a: Array, indices: Array, axis: int | None = None, out=None, mode: str | None = None) -> Array:
  """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened array by default).

  ``mode``: ``"raise"`` (the default for concrete indices, checked as NumPy; under jit or
  vmap, where indices cannot be checked, the default is JAX's ``"fill"``), ``"wrap"``,
  ``"clip"``, or ``"fill"`` (JAX's: NaN for out-of-range indices of a float array, the most
  negative integer for an integer array, after negative ones wrap once).

  >>> take([[1.0, 2.0], [3.0, 4.0]], [1, 1, 0], axis=1)
  array([[2., 2., 1.],
         [4., 4., 3.]])
  """
  if out is not None:
    raise TypeError("vjpkit.numpy.take: out= is not supported; use the returned value")
  a = asarray(a)
  if axis is None:
    a, axis = lax.reshape(a, (get_aval(a).size,)), 0
  shape = get_aval(a).shape
  axis = canonical_axis(axis, len(shape))
  if mode is None and isinstance(indices, Tracer):  # unchecked: fill, as jax.numpy.take
    mode = "fill"
  i = _mode_indices(indices, shape[axis], axis, mode)
  nb = get_aval(i).ndim
  y = lax.gather(a, lax.reshape(i, get_aval(i).shape + (1,)), (axis,))
  perm = list(range(nb, nb + axis)) + list(range(nb)) + list(range(nb + axis, get_aval(y).ndim))
  y = lax.transpose(y, perm)
  if mode == "fill":
    ok = lax.logical_and(lax.ge(i, np.int64(0)), lax.lt(i, np.int64(shape[axis])))
    if isinstance(ok, Tracer) or not np.all(ok):
      aval = get_aval(y)
      ok = lax.broadcast_in_dim(ok, aval.shape, tuple(range(axis, axis + nb)))
      y = lax.select_n(ok, lax.full(aval.shape, _fill_value(aval.dtype), aval.dtype), y)
  return y


def take_along_axis(arr: Array, indices: Array, axis: int | None = -1) -> Array:
  """``arr`` picked along ``axis`` by ``indices`` of the same rank (e.g. from ``argsort``).

  >>> take_along_axis([[3.0, 1.0], [2.0, 5.0]], [[1], [0]], axis=1)
  array([[1.],
         [2.]])
  """
  arr = asarray(arr)
  if axis is None:
    arr, axis = lax.reshape(arr, (get_aval(arr).size,)), 0
  shape = get_aval(arr).shape
  axis = canonical_axis(axis, len(shape))
  indices = asarray(indices)
  if get_aval(indices).dtype.kind not in "iu":
    raise IndexError(f"vjpkit.numpy.take_along_axis: `indices` must be an integer array, got "
                     f"{get_aval(indices).dtype.name} (for a boolean mask use x[mask] or "
                     "vjpkit.numpy.where)")
  if get_aval(indices).ndim != len(shape):
    raise ValueError("take_along_axis: indices and arr must have the same number of dimensions")
  i = _normalize(indices, shape[axis], axis)
  return lax.take_along_axis(arr, i, axis)


def _concrete(a, who):
  from ..lax.indexing import concrete_or_none
  c = concrete_or_none(a) if isinstance(a, Tracer) else np.asarray(a)
  if c is None:
    raise TypeError(f"{who} needs a concrete array (the shape of its result depends on the values), "
                    "but it is traced here (under jit or vmap); use vjpkit.numpy.where instead.")
  return c


def nonzero(a: Array) -> tuple:
  """The indices of the nonzero entries, one array per axis (needs a concrete value).

  >>> nonzero([0.0, 2.0, 3.0])
  (array([1, 2]),)
  """
  return np.nonzero(_concrete(a, "nonzero"))


def flatnonzero(a: Array) -> np.ndarray:
  """Indices of the nonzero entries of the flattened array (needs a concrete value).

  >>> flatnonzero([[0.0, 1.0]])
  array([1])
  """
  return np.flatnonzero(_concrete(a, "flatnonzero"))


def argwhere(a: Array) -> np.ndarray:
  """Indices of the nonzero entries, one row each (needs a concrete value).

  >>> argwhere([0.0, 2.0])
  array([[1]])
  """
  return np.argwhere(_concrete(a, "argwhere"))


def compress(condition: Array, a: Array, axis: int | None = None, out=None) -> Array:
  """The slices of ``a`` along ``axis`` where the concrete ``condition`` holds.

  >>> compress([False, True], [1.0, 2.0])
  array([2.])
  """
  cond = np.asarray(_concrete(condition, "compress"), bool)
  return take(a, np.nonzero(cond)[0], axis, out)


def extract(condition: Array, arr: Array) -> Array:
  """The entries of ``arr`` where the concrete ``condition`` holds (both flattened).

  >>> extract([[True, False]], [[1.0, 2.0]])
  array([1.])
  """
  return take(arr, np.flatnonzero(_concrete(condition, "extract")))
