"""Joining and splitting arrays: the stack family and the split family.

All are composites of ``concatenate`` and ``slice``, whose transposes are each
other: the cotangent of a stacked array is split back to its parts.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis
from .shapes import atleast_1d, atleast_2d, atleast_3d, concatenate, ravel

Array = Any


def _each(f, tup):
  out = [f(a) for a in tup]
  if not out:
    raise ValueError("need at least one array to concatenate")
  return out


def hstack(tup: Sequence[Array]) -> Array:
  """Join along the second axis (the first for 1-D arrays).

  >>> hstack([[1.0], [2.0, 3.0]])
  array([1., 2., 3.])
  """
  arrs = _each(atleast_1d, tup)
  return concatenate(arrs, 0 if get_aval(arrs[0]).ndim == 1 else 1)


def vstack(tup: Sequence[Array]) -> Array:
  """Join along the first axis (1-D arrays become rows).

  >>> vstack([[1.0, 2.0], [3.0, 4.0]])
  array([[1., 2.],
         [3., 4.]])
  """
  return concatenate(_each(atleast_2d, tup), 0)


row_stack = vstack


def dstack(tup: Sequence[Array]) -> Array:
  """Join along the third axis.

  >>> dstack([[1.0, 2.0], [3.0, 4.0]]).shape
  (1, 2, 2)
  """
  return concatenate(_each(atleast_3d, tup), 2)


def column_stack(tup: Sequence[Array]) -> Array:
  """Join 1-D arrays as columns (2-D arrays as they are).

  >>> column_stack([[1.0, 2.0], [3.0, 4.0]])
  array([[1., 3.],
         [2., 4.]])
  """
  def col(a):
    a = asarray(a)
    return lax.reshape(a, (get_aval(a).size, 1)) if get_aval(a).ndim < 2 else a
  return concatenate(_each(col, tup), 1)


def append(arr: Array, values: Array, axis: int | None = None) -> Array:
  """``values`` joined after ``arr`` (both flattened when ``axis`` is None).

  >>> append([1.0, 2.0], 3.0)
  array([1., 2., 3.])
  """
  if axis is None:
    return concatenate([ravel(arr), ravel(values)], 0)
  return concatenate([arr, values], axis)


def _split(ary, indices_or_sections, axis, equal: bool):
  ary = asarray(ary)
  axis = canonical_axis(axis, get_aval(ary).ndim)
  n = get_aval(ary).shape[axis]
  if isinstance(indices_or_sections, (int, np.integer)):
    sections = int(indices_or_sections)
    if sections <= 0:
      raise ValueError("number sections must be larger than 0.")
    if equal and n % sections:
      raise ValueError("array split does not result in an equal division")
    size, extra = divmod(n, sections)
    bounds = np.cumsum([0] + [size + 1] * extra + [size] * (sections - extra)).tolist()
  else:
    bounds = [0] + [int(i) for i in indices_or_sections] + [n]
  out = []
  for lo, hi in zip(bounds[:-1], bounds[1:]):
    lo, hi = (int(np.clip(i if i >= 0 else i + n, 0, n)) for i in (lo, hi))
    out.append(lax.slice_in_dim(ary, lo, max(lo, hi), axis=axis))
  return out


def split(ary: Array, indices_or_sections, axis: int = 0) -> list:
  """Split into equal sections (an int) or at the given indices.

  >>> split([1.0, 2.0, 3.0, 4.0], 2)
  [array([1., 2.]), array([3., 4.])]
  """
  return _split(ary, indices_or_sections, axis, equal=True)


def array_split(ary: Array, indices_or_sections, axis: int = 0) -> list:
  """Like ``split``, but a number of sections need not divide the axis evenly.

  >>> array_split([1.0, 2.0, 3.0], 2)
  [array([1., 2.]), array([3.])]
  """
  return _split(ary, indices_or_sections, axis, equal=False)


def hsplit(ary: Array, indices_or_sections) -> list:
  """``split`` along the second axis (the first for 1-D arrays).

  >>> hsplit([1.0, 2.0], 2)
  [array([1.]), array([2.])]
  """
  return split(ary, indices_or_sections, 1 if get_aval(asarray(ary)).ndim > 1 else 0)


def vsplit(ary: Array, indices_or_sections) -> list:
  """``split`` along the first axis (at least 2-D input).

  >>> vsplit([[1.0], [2.0]], 2)
  [array([[1.]]), array([[2.]])]
  """
  if get_aval(asarray(ary)).ndim < 2:
    raise ValueError("vsplit only works on arrays of 2 or more dimensions")
  return split(ary, indices_or_sections, 0)


def dsplit(ary: Array, indices_or_sections) -> list:
  """``split`` along the third axis (at least 3-D input).

  >>> [a.shape for a in dsplit(np.ones((1, 1, 2)), 2)]
  [(1, 1, 1), (1, 1, 1)]
  """
  if get_aval(asarray(ary)).ndim < 3:
    raise ValueError("dsplit only works on arrays of 3 or more dimensions")
  return split(ary, indices_or_sections, 2)
