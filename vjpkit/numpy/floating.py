"""The representation of floating-point numbers: ``ldexp``, ``frexp``, ``nextafter``,
``spacing``. ``ldexp`` is differentiable in its mantissa; the others have no derivative
(their results are piecewise constant, or the mantissa of ``frexp``, which is
``x / 2**e`` with a derivative of ``2**-e``).

>>> frexp(np.array([8.0, 0.75])), ldexp(0.5, 4)
((array([0.5 , 0.75]), array([4, 0], dtype=int32)), np.float64(8.0))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert, promote, promote_inexact
from .ufuncs import multiply

Array = Any

__all__ = ["frexp", "ldexp", "nextafter", "spacing"]


def ldexp(x1: Array, x2: Array, /) -> Array:
  """``x1 * 2**x2`` (``x2`` integer); differentiable in ``x1``.

  >>> ldexp(np.array([1.0, 3.0]), np.array([3, -1]))
  array([8. , 1.5])
  """
  x2 = asarray(x2)
  if get_aval(x2).dtype.kind not in "iub":
    raise TypeError("vjpkit.numpy.ldexp: the exponent x2 must be an integer array")
  x1 = promote_inexact(x1, "ldexp", ufunc=True)
  dtype = get_aval(x1).dtype
  return multiply(x1, lax.exp2(convert(x2, dtype)))


def frexp(x: Array, /) -> tuple[Array, Array]:
  """``(m, e)`` with ``x = m * 2**e``, ``0.5 <= |m| < 1`` (``m = e = 0`` for 0; inf and NaN
  as NumPy); ``e`` is int32. ``m`` is differentiable (``dm/dx = 2**-e``).

  >>> frexp(np.array([-3.0, 0.0]))
  (array([-0.75,  0.  ]), array([2, 0], dtype=int32))
  """
  x = promote_inexact(x, "frexp", ufunc=True)
  dtype = get_aval(x).dtype

  def c(v):
    return np.array(v, dtype)[()]
  ax = lax.abs(x)
  regular = lax.logical_and(lax.is_finite(x), lax.gt(ax, c(0)))
  safe = lax.stop_gradient(lax.select_n(regular, lax.full_like(x, 1), ax))
  e = lax.add(lax.floor(lax.div(lax.log(safe), c(np.log(2.0)))), c(1))
  for _ in range(2):  # correct a log rounded across a power of two
    m = _scale(safe, e, c)
    e = lax.add(e, lax.sub(convert(lax.ge(m, c(1)), dtype), convert(lax.lt(m, c(0.5)), dtype)))
  e = lax.select_n(regular, lax.full_like(e, 0), e)
  mantissa = lax.select_n(regular, x, _scale(x, lax.stop_gradient(e), c))
  return mantissa, convert(e, np.dtype(np.int32))


def _scale(x, e, c):
  """``x * 2**-e`` in two halves, so that neither factor overflows (subnormal ``x``)."""
  h = lax.floor(lax.div(e, c(2)))
  return lax.mul(lax.mul(x, lax.exp2(lax.neg(h))), lax.exp2(lax.neg(lax.sub(e, h))))


def nextafter(x1: Array, x2: Array, /) -> Array:
  """The next representable number after ``x1`` towards ``x2``.

  >>> nextafter(1.0, 2.0) - 1.0
  np.float64(2.220446049250313e-16)
  """
  x1, x2 = promote(x1, x2, inexact=True, who="nextafter", ufunc=True)
  return lax.nextafter(x1, x2)


def spacing(x: Array, /) -> Array:
  """The distance from ``x`` to the next representable number away from zero (negative
  for negative ``x``), as NumPy's ``spacing``.

  >>> spacing(np.array([1.0, -1.0]))
  array([ 2.22044605e-16, -2.22044605e-16])
  """
  x = promote_inexact(x, "spacing", ufunc=True)
  dtype = get_aval(x).dtype
  big = lax.full(get_aval(x).shape, np.inf, dtype)
  away = lax.select_n(lax.lt(x, np.array(0, dtype)[()]), big, lax.neg(big))
  return lax.stop_gradient(lax.sub(lax.nextafter(x, away), x))
