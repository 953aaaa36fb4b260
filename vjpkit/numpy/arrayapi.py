"""Names from the Python array API standard that NumPy 2 adopted: ``concat``,
``permute_dims``, ``matrix_transpose``, ``unstack``, ``cumulative_sum`` and
``cumulative_prod``. Each is a thin layer over the NumPy-named function.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis
from .reductions import cumprod, cumsum
from .shapes import concatenate, transpose

Array = Any


def concat(arrays: Sequence[Array], /, *, axis: int | None = 0) -> Array:
  """``concatenate`` under the array API's name.

  >>> concat([[1.0], [2.0, 3.0]])
  array([1., 2., 3.])
  """
  return concatenate(arrays, axis)


def permute_dims(a: Array, /, axes: Sequence[int]) -> Array:
  """``transpose`` with an explicit permutation.

  >>> permute_dims(np.zeros((2, 3, 4)), (2, 0, 1)).shape
  (4, 2, 3)
  """
  return transpose(a, tuple(axes))


def matrix_transpose(x: Array, /) -> Array:
  """Swap the last two axes (a stack of matrices transposed).

  >>> matrix_transpose(np.zeros((5, 2, 3))).shape
  (5, 3, 2)
  """
  x = asarray(x)
  nd = get_aval(x).ndim
  if nd < 2:
    raise ValueError(f"vjpkit.numpy.matrix_transpose: x must be at least 2-D, got {nd}-D")
  return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def unstack(x: Array, /, *, axis: int = 0) -> tuple:
  """The slices of ``x`` along ``axis``, as a tuple.

  >>> unstack([[1.0, 2.0], [3.0, 4.0]])
  (array([1., 2.]), array([3., 4.]))
  """
  x = asarray(x)
  nd = get_aval(x).ndim
  if nd == 0:
    raise ValueError("unstack requires an array with at least one dimension")
  axis = canonical_axis(axis, nd)
  n = get_aval(x).shape[axis]
  return tuple(lax.squeeze(lax.slice_in_dim(x, i, i + 1, axis=axis), (axis,)) for i in range(n))


def _cumulative(x, axis, dtype, include_initial, who, op, initial):
  x = asarray(x)
  nd = get_aval(x).ndim
  if nd == 0:
    raise ValueError(f"{who}: the input must be at least 1-D")
  if axis is None:
    if nd > 1:
      raise ValueError(f"{who}: axis must be given for arrays of more than one dimension")
    axis = 0
  axis = canonical_axis(axis, nd)
  y = op(x, axis=axis, dtype=dtype)
  if include_initial:
    shape = list(get_aval(y).shape)
    shape[axis] = 1
    y = lax.concatenate([np.full(shape, initial, get_aval(y).dtype), y], axis)
  return y


def cumulative_sum(x: Array, /, *, axis: int | None = None, dtype=None,
                   include_initial: bool = False) -> Array:
  """Running sums along ``axis`` (needed for arrays above 1-D), optionally starting
  with 0 (``include_initial``).

  >>> cumulative_sum([1.0, 2.0, 3.0], include_initial=True)
  array([0., 1., 3., 6.])
  """
  return _cumulative(x, axis, dtype, include_initial, "cumulative_sum", cumsum, 0)


def cumulative_prod(x: Array, /, *, axis: int | None = None, dtype=None,
                    include_initial: bool = False) -> Array:
  """Running products along ``axis``, optionally starting with 1 (``include_initial``).

  >>> cumulative_prod([1.0, 2.0, 3.0])
  array([1., 2., 6.])
  """
  return _cumulative(x, axis, dtype, include_initial, "cumulative_prod", cumprod, 1)
