"""Orderings beyond ``sort``: ``lexsort``, ``partition``, ``argpartition``, ``nanargmax``,
``nanargmin``.

``partition`` returns the fully sorted array, which is a valid partition for every
``kth`` (NumPy leaves the order inside the two parts unspecified), and so is
differentiable like ``sort``; ``argpartition`` is ``argsort``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis
from . import ufuncs
from .sorting import argsort, sort

Array = Any


def lexsort(keys: Any, axis: int = -1) -> Array:
  """The stable permutation that sorts by the last key first, then by the one before
  it, and so on (``keys`` is a sequence of arrays of one shape, or a 2-D array of rows).

  >>> lexsort(([1.0, 2.0, 1.0], [0.0, 0.0, -1.0]))
  array([2, 0, 1])
  """
  if isinstance(keys, (list, tuple)):
    ks = [asarray(k) for k in keys]
  else:
    k = asarray(keys)
    if get_aval(k).ndim == 0:
      raise TypeError("lexsort: need sequence of keys with len > 0")
    ks = [lax.squeeze(lax.slice_in_dim(k, i, i + 1, axis=0), (0,))
          for i in range(get_aval(k).shape[0])]
  if not ks:
    raise TypeError("lexsort: need sequence of keys with len > 0")
  shapes = {get_aval(k).shape for k in ks}
  if len(shapes) != 1:
    raise ValueError("lexsort: all keys need to be the same shape")
  shape = shapes.pop()
  if not shape:
    return np.int64(0)
  ax = canonical_axis(axis, len(shape))
  perm = argsort(ks[0], axis=ax)
  for k in ks[1:]:
    sub = lax.take_along_axis(k, perm, ax)
    perm = lax.take_along_axis(perm, argsort(sub, axis=ax), ax)
  return perm


def _kth(a, kth, axis, who):
  a = asarray(a)
  nd = get_aval(a).ndim
  if axis is None:
    a, axis = lax.reshape(a, (get_aval(a).size,)), 0
    nd = 1
  if nd == 0:
    raise ValueError(f"{who}: a must be at least 1-D")
  axis = canonical_axis(axis, nd)
  n = get_aval(a).shape[axis]
  ks = np.atleast_1d(np.asarray(kth)) if not isinstance(kth, Tracer) else None
  if ks is None:
    raise TypeError(f"{who}: kth must be a concrete integer")
  if np.any((ks < -n) | (ks >= n)):
    raise ValueError(f"{who}: kth(={int(ks.max())}) out of bounds ({n})")
  return a, axis


def partition(a: Array, kth: int, axis: int | None = -1, kind: str = "introselect",
              order=None) -> Array:
  """``a`` rearranged so that the ``kth`` entry is in its sorted place, smaller ones
  before and larger ones after (here: fully sorted); differentiable like ``sort``.

  >>> partition([3.0, 1.0, 2.0, 0.0], 1)
  array([0., 1., 2., 3.])
  """
  if order is not None:
    raise NotImplementedError("partition: order= (structured arrays) is not supported")
  a, axis = _kth(a, kth, axis, "partition")
  return sort(a, axis=axis)


def argpartition(a: Array, kth: int, axis: int | None = -1, kind: str = "introselect",
                 order=None) -> Array:
  """Indices that partition ``a`` around ``kth`` (here: the stable sorting permutation).

  >>> argpartition([3.0, 1.0, 2.0, 0.0], 1)
  array([3, 1, 2, 0])
  """
  if order is not None:
    raise NotImplementedError("argpartition: order= (structured arrays) is not supported")
  a, axis = _kth(a, kth, axis, "argpartition")
  return argsort(a, axis=axis)


def _nanarg(a, axis, keepdims, who, largest):
  from .reductions import all as _all, argmax, argmin, max as _max, min as _min
  a = asarray(a)
  kind = get_aval(a).dtype.kind
  if kind not in "fc":
    return (argmax if largest else argmin)(a, axis, keepdims=keepdims)
  mask = ufuncs.isnan(a)  # complex: NaN in either part, as NumPy
  fill: float | complex = -np.inf if largest else np.inf
  if kind == "c":
    fill = complex(fill, fill)  # lexicographically beyond every other value
  filled = ufuncs.where(mask, np.array(fill, get_aval(a).dtype)[()], a)
  idx = (argmax if largest else argmin)(filled, axis, keepdims=keepdims)
  # where every number is -inf (+inf), the answer is the first one that is not NaN
  ext = (_max if largest else _min)(filled, axis, keepdims=keepdims)
  first_num = argmax(ufuncs.logical_not(mask), axis, keepdims=keepdims)
  idx = ufuncs.where(ufuncs.equal(ext, fill), first_num, idx)
  all_nan = _all(mask, axis, keepdims=keepdims)
  if not isinstance(all_nan, Tracer) or _concrete_any(all_nan):
    if np.any(_value(all_nan)):
      raise ValueError("All-NaN slice encountered")
  return ufuncs.where(all_nan, -1, idx)


def _value(x):
  from ..lax.indexing import concrete_or_none
  return concrete_or_none(x)


def _concrete_any(x) -> bool:
  return _value(x) is not None


def nanargmax(a: Array, axis: int | None = None, out=None, *, keepdims: bool = False) -> Array:
  """Index of the largest value ignoring NaNs. An all-NaN slice raises ValueError on
  concrete values (as NumPy) and gives -1 under jit/vmap (as JAX). Where the only
  numbers are -inf, the first of them is returned (NumPy and JAX return the first
  entry, possibly a NaN's index).

  >>> nanargmax([1.0, np.nan, 3.0])
  np.int64(2)
  """
  from .reductions import no_out
  no_out(out, "nanargmax")
  return _nanarg(a, axis, keepdims, "nanargmax", True)


def nanargmin(a: Array, axis: int | None = None, out=None, *, keepdims: bool = False) -> Array:
  """Index of the smallest value ignoring NaNs (all-NaN slices as ``nanargmax``).

  >>> nanargmin([np.nan, 2.0, 1.0])
  np.int64(2)
  """
  from .reductions import no_out
  no_out(out, "nanargmin")
  return _nanarg(a, axis, keepdims, "nanargmin", False)
