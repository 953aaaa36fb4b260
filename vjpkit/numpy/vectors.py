"""Products of vectors along an axis: ``cross``, ``vecdot``, ``matvec``, ``vecmat``.

Composites of elementwise products and sums, differentiable in both arguments.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, canonical_axis, convert, result_type
from . import ufuncs
from .shapes import moveaxis, stack

Array = Any


def _component(x, i: int):
  return lax.squeeze(lax.slice_in_dim(x, i, i + 1, axis=get_aval(x).ndim - 1), (get_aval(x).ndim - 1,))


def cross(a: Array, b: Array, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Array:
  """The cross product of 2- or 3-vectors along ``axisa``/``axisb`` (``axis`` sets all
  three); two 2-vectors give the scalar z-component, as NumPy.

  >>> cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
  array([0., 0., 1.])
  >>> cross([1.0, 2.0], [3.0, 4.0])
  array(-2.)
  """
  if axis is not None:
    axisa = axisb = axisc = axis
  a, b = asarray(a), asarray(b)
  dtype = result_type(a, b)
  if dtype == np.bool_:
    raise TypeError("cross: boolean inputs are not supported (NumPy's subtract rejects them)")
  a, b = convert(a, dtype), convert(b, dtype)
  a = moveaxis(a, canonical_axis(axisa, get_aval(a).ndim, "axisa"), -1)
  b = moveaxis(b, canonical_axis(axisb, get_aval(b).ndim, "axisb"), -1)
  na, nb = get_aval(a).shape[-1], get_aval(b).shape[-1]
  if na not in (2, 3) or nb not in (2, 3):
    raise ValueError("incompatible dimensions for cross product (dimension must be 2 or 3)")
  mul, sub = ufuncs.multiply, ufuncs.subtract
  a0, a1, b0, b1 = _component(a, 0), _component(a, 1), _component(b, 0), _component(b, 1)
  z = sub(mul(a0, b1), mul(a1, b0))
  if na == 2 and nb == 2:
    return asarray(z)
  if na == 3 and nb == 3:
    a2, b2 = _component(a, 2), _component(b, 2)
    x, y = sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2))
  elif na == 2:  # a2 = 0
    b2 = _component(b, 2)
    x, y = mul(a1, b2), ufuncs.negative(mul(a0, b2))
  else:  # b2 = 0
    a2 = _component(a, 2)
    x, y = ufuncs.negative(mul(a2, b1)), mul(a2, b0)
  from .shapes import broadcast_arrays
  c = stack(list(broadcast_arrays(x, y, z)), axis=-1)
  return moveaxis(c, -1, canonical_axis(axisc, get_aval(c).ndim, "axisc"))


def vecdot(x1: Array, x2: Array, /, *, axis: int = -1) -> Array:
  """The dot product of vectors along ``axis`` (broadcasting the other axes), conjugating
  ``x1`` (as NumPy's and the array API's).

  >>> vecdot([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
  array([3., 7.])
  >>> vecdot([1j], [1j])
  np.complex128(1+0j)
  """
  return _sum_of_products(_conj_if_complex(x1), x2, axis)


def _conj_if_complex(x):
  """``conj(x)`` for complex ``x``; ``x`` itself otherwise (a Python float stays weak)."""
  try:
    kind = get_aval(x).dtype.kind
  except TypeError:  # a list
    x = asarray(x)
    kind = get_aval(x).dtype.kind
  return ufuncs.conjugate(x) if kind == "c" else x


def _sum_of_products(x1, x2, axis: int):
  """The sum over ``axis`` of the products; for two boolean operands the ``or`` of the
  ``and``s, a boolean (NumPy's and JAX's)."""
  from .reductions import any as _any, sum as _sum
  products = ufuncs.multiply(x1, x2)
  dtype = get_aval(products).dtype
  if dtype == np.bool_:
    return _any(products, axis=axis)
  return _sum(products, axis=axis, dtype=dtype)  # in the operands' type (int8 stays int8)


def matvec(x1: Array, x2: Array, /) -> Array:
  """Matrix-vector products over broadcast batch dimensions: ``x1[..., i, j] x2[..., j]``.

  >>> matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
  array([3., 7.])
  """
  x1, x2 = asarray(x1), asarray(x2)
  if get_aval(x1).ndim < 2 or get_aval(x2).ndim < 1:
    raise ValueError("matvec: x1 must be at least 2-D and x2 at least 1-D")
  return _sum_of_products(x1, lax.expand_dims(x2, (get_aval(x2).ndim - 1,)), -1)  # no conj


def vecmat(x1: Array, x2: Array, /) -> Array:
  """Vector-matrix products over broadcast batch dimensions: ``conj(x1[..., i]) x2[..., i, j]``
  (the vector conjugated, as NumPy's).

  >>> vecmat([1.0, 1.0], [[1.0, 2.0], [3.0, 4.0]])
  array([4., 6.])
  """
  x1, x2 = asarray(x1), asarray(x2)
  if get_aval(x2).ndim < 2 or get_aval(x1).ndim < 1:
    raise ValueError("vecmat: x1 must be at least 1-D and x2 at least 2-D")
  return vecdot(lax.expand_dims(x1, (get_aval(x1).ndim,)), x2, axis=-2)
