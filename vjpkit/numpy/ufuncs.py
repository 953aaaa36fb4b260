"""Elementwise functions of vjpkit.numpy: NumPy promotion and broadcasting, then one primitive.

>>> import vjpkit.numpy as vnp
>>> vnp.sin(0.0), vnp.maximum(2, 3.5)
(np.float64(0.0), np.float64(3.5))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import broadcast_to_shape, promote, promote_inexact

Array = Any


def _unary_float(name: str, op):
  def f(x: Array) -> Array:
    return op(promote_inexact(x))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = f"Elementwise ``{name}``, like ``numpy.{name}``; differentiable."
  return f


sin = _unary_float("sin", lax.sin)
cos = _unary_float("cos", lax.cos)
tanh = _unary_float("tanh", lax.tanh)
exp = _unary_float("exp", lax.exp)
log = _unary_float("log", lax.log)
log1p = _unary_float("log1p", lax.log1p)
expm1 = _unary_float("expm1", lax.expm1)
sqrt = _unary_float("sqrt", lax.sqrt)


def _binary(name: str, op, inexact: bool = False):
  def f(x: Array, y: Array) -> Array:
    return op(*promote(x, y, inexact=inexact))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = f"Elementwise ``{name}`` with NumPy broadcasting and promotion."
  return f


add = _binary("add", lax.add)
subtract = _binary("subtract", lax.sub)
multiply = _binary("multiply", lax.mul)
true_divide = divide = _binary("true_divide", lax.div, inexact=True)
maximum = _binary("maximum", lax.max)
minimum = _binary("minimum", lax.min)
equal = _binary("equal", lax.eq)
not_equal = _binary("not_equal", lax.ne)
less = _binary("less", lax.lt)
less_equal = _binary("less_equal", lax.le)
greater = _binary("greater", lax.gt)
greater_equal = _binary("greater_equal", lax.ge)


def negative(x: Array) -> Array:
  """``-x``."""
  return lax.neg(promote(x)[0])


def positive(x: Array) -> Array:
  """``+x`` (the value itself)."""
  return promote(x)[0]


def absolute(x: Array) -> Array:
  """``|x|``; its derivative at 0 is taken as 1, as in JAX."""
  return lax.abs(promote(x)[0])


abs = absolute


def sign(x: Array) -> Array:
  """-1, 0 or 1 (zero derivative)."""
  return lax.sign(promote(x)[0])


def square(x: Array) -> Array:
  """``x * x``."""
  return lax.integer_pow(promote(x)[0], 2)


def power(x: Array, y: Array) -> Array:
  """``x ** y``; an integer Python exponent becomes ``integer_pow``."""
  if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
    x = promote(x)[0]
    if get_aval(x).dtype.kind in "iu" and y < 0:
      raise ValueError("integers to negative integer powers are not allowed")
    return lax.integer_pow(x, int(y))
  x, y = promote(x, y)
  if get_aval(x).dtype.kind in "iub":
    raise TypeError("power of integer arrays by arrays is not supported; convert to float")
  return lax.pow(x, y)


def where(condition: Array, x: Array, y: Array) -> Array:
  """``x`` where ``condition`` holds, else ``y``; gradients flow to the chosen side only."""
  x, y = promote(x, y)
  c = condition if get_aval(condition).dtype == np.bool_ else not_equal(condition, 0)
  shape = np.broadcast_shapes(get_aval(c).shape, get_aval(x).shape, get_aval(y).shape)
  return lax.select_n(*(broadcast_to_shape(a, shape) for a in (c, y, x)))
