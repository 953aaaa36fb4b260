"""Set operations on arrays: ``unique`` (and the array API's ``unique_values``,
``unique_counts``, ``unique_inverse``, ``unique_all``), ``isin``, ``intersect1d``,
``union1d``, ``setdiff1d``, ``setxor1d``.

Their results' lengths depend on the values. On concrete inputs (also under ``grad``
with respect to them) the length is NumPy's; under ``jit``/``vmap`` pass ``size=``
(as in JAX): the result is cut or padded to that length, padded with ``fill_value``
(default: the smallest value), index ``0``-based positions of that value, and counts 0.

The values are gathered from the input (at the first occurrence of each), so they are
differentiable: the derivative of a unique value is that of its first occurrence.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert, result_type
from . import ufuncs
from .ordering import lexsort
from .shapes import concatenate, ravel

Array = Any


class UniqueAllResult(NamedTuple):
  values: Any
  indices: Any
  inverse_indices: Any
  counts: Any


class UniqueCountsResult(NamedTuple):
  values: Any
  counts: Any


class UniqueInverseResult(NamedTuple):
  values: Any
  inverse_indices: Any


def _concrete(x):
  from ..lax.indexing import concrete_or_none
  return concrete_or_none(x)


def _size(x, valid, equal_nan: bool, size, who: str) -> int:
  if size is not None:
    size = int(size)
    if size < 0:
      raise ValueError(f"{who}: size must be non-negative")
    return size
  xc = _concrete(x)
  vc = None if valid is None else _concrete(valid)
  if xc is None or (valid is not None and vc is None):
    raise TypeError(f"{who}: the size of the result depends on the values, which are traced "
                    f"here (under jit or vmap); pass size= (and optionally fill_value=) to fix it.")
  if vc is not None:
    xc = xc[vc]
  return int(np.unique(xc, equal_nan=equal_nan).size)


def _unique_1d(x, valid, size: int, fill_value, equal_nan: bool):
  """Sorted unique entries of the 1-D ``x`` where ``valid`` (all if None), ``size`` of
  them: (values, first indices, inverse (sorted-group ids), counts)."""
  n = get_aval(x).shape[0]
  if n == 0:
    dtype = get_aval(x).dtype
    z = np.zeros(size, np.int64)
    vals = np.full(size, 0 if fill_value is None else fill_value, dtype)
    return vals, z, np.zeros(0, np.int64), z
  if valid is None:
    from .sorting import argsort
    perm = argsort(x)
  else:
    perm = lexsort((x, ufuncs.logical_not(valid)))
  from .indexing import take
  s = take(x, perm)
  neq = ufuncs.not_equal(lax.slice_in_dim(s, 1, n), lax.slice_in_dim(s, 0, n - 1))
  if equal_nan and get_aval(x).dtype.kind in "fc":  # complex: NaN in either part
    both = ufuncs.logical_and(ufuncs.isnan(lax.slice_in_dim(s, 1, n)),
                              ufuncs.isnan(lax.slice_in_dim(s, 0, n - 1)))
    neq = ufuncs.logical_and(neq, ufuncs.logical_not(both))
  first = concatenate([np.ones(1, bool), neq])
  if valid is not None:
    first = ufuncs.logical_and(first, take(valid, perm))
  csum = lax.cumsum(convert(first, np.dtype(np.int64)), 0)
  from .reductions import sum as _sum
  n_unique = _sum(convert(first, np.dtype(np.int64)))
  k = np.arange(size + 1, dtype=np.int64)
  from .sorting import searchsorted
  pos = searchsorted(csum, k + 1, side="left")  # sorted position of the k-th unique value
  live = ufuncs.less(k, n_unique)
  pos = ufuncs.where(live, pos, n)
  pos_k = ufuncs.where(lax.slice_in_dim(live, 0, size), lax.slice_in_dim(pos, 0, size), 0)
  values = take(s, pos_k)
  if fill_value is not None:
    values = ufuncs.where(lax.slice_in_dim(live, 0, size), values,
                          convert(fill_value, get_aval(values).dtype))
  index = take(perm, pos_k)
  counts = ufuncs.subtract(lax.slice_in_dim(pos, 1, size + 1), lax.slice_in_dim(pos, 0, size))
  counts = ufuncs.where(ufuncs.greater(counts, 0), counts, 0)
  from .sorting import argsort as _argsort
  inverse = take(ufuncs.subtract(csum, 1), _argsort(perm))
  return values, index, inverse, counts


def unique(ar: Array, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *, equal_nan: bool = True,
           size: int | None = None, fill_value: Array | None = None, sorted: bool = True) -> Any:
  """The sorted unique values of ``ar`` (flattened), optionally with the index of each
  one's first occurrence, the inverse indices (``ar``'s shape) and the counts.
  ``axis`` (unique slices) needs concrete values and no ``size``.

  >>> unique([3.0, 1.0, 3.0, 2.0], return_counts=True)
  (array([1., 2., 3.]), array([1, 1, 2]))
  """
  a = asarray(ar)
  extras = (return_index, return_inverse, return_counts)
  if axis is not None:
    c = _concrete(a)
    if c is None or size is not None:
      raise TypeError("unique with axis= needs concrete values (and no size=): the slices are "
                      "compared by value; flatten the array or compute it outside jit/vmap.")
    np_unique: Any = np.unique
    res = np_unique(c, True, return_inverse, return_counts, axis=axis, equal_nan=equal_nan)
    from .indexing import take
    vals = take(a, res[1], axis=axis)
    out = [vals] + [r for r, want in zip(res[1:], extras) if want]
    return vals if len(out) == 1 else tuple(out)
  shape = get_aval(a).shape
  x = ravel(a)
  sz = _size(x, None, equal_nan, size, "unique")
  values, index, inverse, counts = _unique_1d(x, None, sz, fill_value, equal_nan)
  out = [values]
  if return_index:
    out.append(index)
  if return_inverse:
    out.append(lax.reshape(asarray(inverse), shape) if shape else inverse)
  if return_counts:
    out.append(counts)
  return values if len(out) == 1 else tuple(out)


def unique_values(x: Array, /, *, size: int | None = None, fill_value: Array | None = None) -> Array:
  """The unique values of ``x`` (sorted here; NumPy leaves their order unspecified).
  As in the array API, each NaN is distinct (so are they in ``unique_counts``,
  ``unique_inverse`` and ``unique_all``).

  >>> unique_values([2.0, 1.0, 2.0])
  array([1., 2.])
  """
  return unique(x, size=size, fill_value=fill_value, equal_nan=False)


def unique_counts(x: Array, /, *, size: int | None = None,
                  fill_value: Array | None = None) -> UniqueCountsResult:
  """The unique values of ``x`` and how often each occurs.

  >>> unique_counts([2.0, 1.0, 2.0])
  UniqueCountsResult(values=array([1., 2.]), counts=array([1, 2]))
  """
  return UniqueCountsResult(*unique(x, return_counts=True, size=size, fill_value=fill_value,
                                           equal_nan=False))


def unique_inverse(x: Array, /, *, size: int | None = None,
                   fill_value: Array | None = None) -> UniqueInverseResult:
  """The unique values of ``x`` and, for each entry of ``x``, the index of its value.

  >>> unique_inverse([2.0, 1.0, 2.0])
  UniqueInverseResult(values=array([1., 2.]), inverse_indices=array([1, 0, 1]))
  """
  return UniqueInverseResult(*unique(x, return_inverse=True, size=size, fill_value=fill_value,
                                            equal_nan=False))


def unique_all(x: Array, /, *, size: int | None = None,
               fill_value: Array | None = None) -> UniqueAllResult:
  """The unique values of ``x`` with first indices, inverse indices and counts.

  >>> unique_all([2.0, 1.0, 2.0])
  UniqueAllResult(values=array([1., 2.]), indices=array([1, 0]), inverse_indices=array([1, 0, 1]), counts=array([1, 2]))
  """
  return UniqueAllResult(*unique(x, True, True, True, size=size, fill_value=fill_value,
                                        equal_nan=False))


def isin(element: Array, test_elements: Array, assume_unique: bool = False, invert: bool = False,
         *, kind: str | None = None) -> Array:
  """True where an entry of ``element`` is among ``test_elements`` (boolean, ``element``'s
  shape).

  >>> isin([1.0, 2.0, 5.0], [2.0, 5.0, 7.0])
  array([False,  True,  True])
  """
  e, t = asarray(element), ravel(asarray(test_elements))
  dtype = result_type(e, t)
  e, t = convert(e, dtype), convert(t, dtype)
  shape = get_aval(e).shape
  m = get_aval(t).shape[0]
  if m == 0:
    found: Any = np.zeros(shape, bool)
  else:
    eq = ufuncs.equal(lax.reshape(asarray(e), shape + (1,)), lax.reshape(asarray(t), (1,) * len(shape) + (m,)))
    from .reductions import any as _any
    found = _any(eq, axis=-1)
  return ufuncs.logical_not(found) if invert else found


def _two(ar1, ar2, who):
  a, b = ravel(asarray(ar1)), ravel(asarray(ar2))
  dtype = result_type(a, b)
  return convert(a, dtype), convert(b, dtype)


def union1d(ar1: Array, ar2: Array, *, size: int | None = None,
            fill_value: Array | None = None) -> Array:
  """The sorted unique values in either array.

  >>> union1d([3.0, 1.0], [1.0, 2.0])
  array([1., 2., 3.])
  """
  a, b = _two(ar1, ar2, "union1d")
  return unique(concatenate([a, b]), size=size, fill_value=fill_value)


def _masked_unique(x, valid, size, fill_value, who):
  sz = _size(x, valid, True, size, who)
  return _unique_1d(x, valid, sz, fill_value, True)[0]


def setdiff1d(ar1: Array, ar2: Array, assume_unique: bool = False, *, size: int | None = None,
              fill_value: Array | None = None) -> Array:
  """The sorted unique values of ``ar1`` that are not in ``ar2``.

  >>> setdiff1d([3.0, 1.0, 2.0, 1.0], [2.0])
  array([1., 3.])
  """
  a = ravel(asarray(ar1))  # NumPy keeps ar1's dtype here
  return _masked_unique(a, isin(a, ar2, invert=True), size, fill_value, "setdiff1d")


def setxor1d(ar1: Array, ar2: Array, assume_unique: bool = False, *, size: int | None = None,
             fill_value: Array | None = None) -> Array:
  """The sorted unique values that are in exactly one of the arrays.

  >>> setxor1d([1.0, 2.0, 2.0, 3.0], [3.0, 4.0])
  array([1., 2., 4.])
  """
  a, b = _two(ar1, ar2, "setxor1d")
  valid = concatenate([isin(a, b, invert=True), isin(b, a, invert=True)])
  return _masked_unique(concatenate([a, b]), valid, size, fill_value, "setxor1d")


def intersect1d(ar1: Array, ar2: Array, assume_unique: bool = False, return_indices: bool = False,
                *, size: int | None = None, fill_value: Array | None = None) -> Any:
  """The sorted unique values in both arrays (with ``return_indices``, also the indices
  of their first occurrences in each, which needs concrete values).

  >>> intersect1d([3.0, 1.0, 2.0], [2.0, 3.0, 5.0])
  array([2., 3.])
  """
  a, b = _two(ar1, ar2, "intersect1d")
  if return_indices:
    ac, bc = _concrete(a), _concrete(b)
    if ac is None or bc is None or size is not None:
      raise TypeError("intersect1d: return_indices=True needs concrete values (and no size=); "
                      "compute the indices outside jit/vmap.")
    _, i1, i2 = np.intersect1d(ac, bc, assume_unique, return_indices=True)
    from .indexing import take
    return take(a, i1), i1, i2
  return _masked_unique(a, isin(a, b), size, fill_value, "intersect1d")
