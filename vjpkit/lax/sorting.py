"""Sorting: argsort and searchsorted (integer results, no derivative); sort as a gather.

``sort`` is not a primitive: it gathers ``x`` at ``argsort(x)``, so its
derivative is the permutation applied to the tangent and its transpose the
inverse permutation (a scatter-add), with no rule of its own.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.batching import batch_size
from ..interpreters.jvp import defjvp_zero
from . import elementwise as ew
from . import shapes
from .indexing import take_along_axis
from .reductions import reduce_sum


def _argsort_impl(x, *, axis, descending):
  x = np.asarray(x)
  if descending:  # stable among equal keys, like JAX: sort the reversed keys, map back
    flipped = np.flip(x, axis)
    return (x.shape[axis] - 1 - np.flip(np.argsort(flipped, axis, kind="stable"), axis)).astype(np.int64)
  return np.argsort(x, axis, kind="stable").astype(np.int64)


def _argsort_abstract_eval(x, *, axis, descending):
  if not 0 <= axis < x.ndim:
    raise TypeError(f"argsort axis {axis} is out of range for {x.str_short()}")
  return ShapedArray(x.shape, np.dtype(np.int64))


argsort_p = Primitive("argsort", impl=_argsort_impl, abstract_eval=_argsort_abstract_eval)
defjvp_zero(argsort_p)
argsort_p.def_batching(lambda vals, dims, *, axis, descending: (
    argsort_p.bind(vals[0], axis=axis + (axis >= dims[0]), descending=descending), dims[0]))


def argsort(x, axis: int = -1, descending: bool = False):
  """The stable sorting permutation along ``axis`` (NaNs last, as NumPy)."""
  ndim = get_aval(x).ndim
  return argsort_p.bind(x, axis=int(axis) % ndim, descending=bool(descending))


def sort(x, axis: int = -1, descending: bool = False):
  """``x`` sorted along ``axis``; differentiable (the tangent follows the permutation).

  >>> sort(np.array([2.0, 1.0, 3.0]))
  array([1., 2., 3.])
  """
  ndim = get_aval(x).ndim
  return take_along_axis(x, argsort(x, axis, descending), int(axis) % ndim)


def _searchsorted_impl(a, v, *, side):
  return np.searchsorted(a, v, side=side).astype(np.int64)


def _searchsorted_abstract_eval(a, v, *, side):
  if a.ndim != 1 or a.dtype != v.dtype:
    raise TypeError(f"searchsorted needs a 1-D sorted array and values of its dtype, got "
                    f"{a.str_short()} and {v.str_short()}")
  return ShapedArray(v.shape, np.dtype(np.int64))


def _searchsorted_batch(vals, dims, *, side):
  axis_size = batch_size(vals, dims)
  (a, v), (da, dv) = vals, dims
  if da is None:
    return searchsorted(a, v, side), dv
  # a differs across the batch: the insertion point is the count of entries before v
  a = shapes.moveaxis(a, da, 0)
  v = shapes.broadcast_batch(v, axis_size, 0) if dv is None else shapes.moveaxis(v, dv, 0)
  v_shape = get_aval(v).shape
  full = v_shape + (get_aval(a).shape[1],)
  a_b = shapes.broadcast_in_dim(a, full, (0, len(full) - 1))
  v_b = shapes.broadcast_in_dim(v, full, tuple(range(len(v_shape))))
  before = ew.lt(a_b, v_b) if side == "left" else ew.le(a_b, v_b)
  return reduce_sum(ew.convert_element_type(before, np.int64), (len(full) - 1,)), 0


searchsorted_p = Primitive("searchsorted", impl=_searchsorted_impl,
                           abstract_eval=_searchsorted_abstract_eval)
defjvp_zero(searchsorted_p)
searchsorted_p.def_batching(_searchsorted_batch)


def searchsorted(a, v, side: str = "left"):
  """Where ``v`` would be inserted into the sorted 1-D ``a`` to keep it sorted.

  >>> searchsorted(np.array([1.0, 2.0, 3.0]), np.array([2.5, 0.0]))
  array([2, 0])
  """
  if side not in ("left", "right"):
    raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
  return searchsorted_p.bind(a, v, side=side)
