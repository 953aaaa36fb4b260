"""Sorting and searching: sort (differentiable), argsort and searchsorted (integer results).

``sort`` gathers the input at its sorting permutation, so the derivative of a
sorted entry is the derivative of the entry that landed there.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis, convert, result_type

Array = Any


def _prepare(a, axis, kind, order, who):
  if order is not None:
    raise NotImplementedError(f"{who}: order= (structured arrays) is not supported")
  a = asarray(a)
  if axis is None:
    return lax.reshape(a, (get_aval(a).size,)), 0
  if get_aval(a).ndim == 0:
    raise np.exceptions.AxisError("axis -1 is out of bounds for array of dimension 0")
  return a, canonical_axis(axis, get_aval(a).ndim)


def sort(a: Array, axis: int | None = -1, kind: str | None = None, order=None, *,
         stable: bool | None = None) -> Array:
  """``a`` sorted along ``axis`` (NaNs last); always stable.

  >>> sort([3.0, 1.0, 2.0])
  array([1., 2., 3.])
  """
  return lax.sort(*_prepare(a, axis, kind, order, "sort"))


def argsort(a: Array, axis: int | None = -1, kind: str | None = None, order=None, *,
            stable: bool | None = None) -> Array:
  """The (stable) permutation that sorts ``a`` along ``axis``; no derivative.

  >>> argsort([3.0, 1.0, 2.0])
  array([1, 2, 0])
  """
  return lax.argsort(*_prepare(a, axis, kind, order, "argsort"))


def searchsorted(a: Array, v: Array, side: str = "left", sorter: Array | None = None) -> Array:
  """Indices where ``v`` would be inserted into the sorted 1-D ``a``; no derivative.

  >>> searchsorted([1.0, 2.0, 3.0], [2.0, 2.5])
  array([1, 2])
  """
  a = asarray(a)
  if get_aval(a).ndim != 1:
    raise ValueError("searchsorted: a must be 1-D")
  if sorter is not None:
    from .indexing import take
    a = take(a, sorter)
  v = asarray(v)
  dtype = result_type(a, v)  # complex: lexicographic, as NumPy
  return lax.searchsorted(convert(a, dtype), convert(v, dtype), side)
