"""Sign bits and infinities: ``signbit``, ``copysign``, ``isposinf``, ``isneginf``.

``signbit`` reads the sign of ``-0.0`` too. On concrete values (also under ``grad``,
which it does not affect: its result is boolean) it is NumPy's, so the sign bit of a
NaN is read as well; under ``jit``/``vmap`` it is composed of comparisons, which cannot
see the sign of a NaN: there ``signbit(-nan)`` is False.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import promote, promote_inexact
from ..lax.elementwise_more import signbit_p

Array = Any


def signbit(x: Array) -> Array:
  """True where the sign bit of ``x`` is set (negative numbers and ``-0.0``); no derivative.

  >>> signbit([-1.0, -0.0, 0.0, 2.0])
  array([ True,  True, False, False])
  """
  x = promote(x, who="signbit")[0]
  dtype = get_aval(x).dtype
  if isinstance(x, Tracer):
    from ..lax.indexing import concrete_or_none
    c = concrete_or_none(x)
    if c is not None:
      return np.signbit(c)
  else:
    return np.signbit(x)
  if dtype.kind == "b":
    return lax.ne(x, x)
  if dtype.kind != "f":
    return lax.lt(x, lax.full((), 0, dtype))
  return signbit_p.bind(x)  # the bit itself: also -0.0 and NaNs with the sign bit


def copysign(x1: Array, x2: Array) -> Array:
  """``|x1|`` with the sign of ``x2`` (elementwise); the derivative in ``x1`` is
  ``±sign(x1)`` (slope +1 at 0, as ``abs``), in ``x2`` zero.

  >>> copysign([1.0, -2.0, 3.0], [-1.0, 1.0, -0.0])
  array([-1.,  2., -3.])
  """
  x1, x2 = promote(x1, x2, who="copysign")
  if get_aval(x1).dtype.kind != "f":
    x1, x2 = (promote_inexact(x1, "copysign", ufunc=True),
              promote_inexact(x2, "copysign", ufunc=True))
  a = lax.abs(x1)
  neg = signbit(x2)
  if isinstance(neg, np.ndarray) or isinstance(neg, np.bool_):
    neg = np.broadcast_to(neg, get_aval(a).shape) if get_aval(a).shape else neg
  return lax.select_n(neg, a, lax.neg(a))


def isposinf(x: Array) -> Array:
  """True where ``x`` is +inf.

  >>> isposinf([1.0, np.inf, -np.inf])
  array([False,  True, False])
  """
  return _is_inf(x, np.inf, "isposinf")


def isneginf(x: Array) -> Array:
  """True where ``x`` is -inf.

  >>> isneginf([1.0, np.inf, -np.inf])
  array([False, False,  True])
  """
  return _is_inf(x, -np.inf, "isneginf")


def _is_inf(x: Array, inf: float, who: str) -> Array:
  """Where ``x`` equals the signed infinity ``inf`` (never, for integer and bool arrays)."""
  x = promote(x, who=who)[0]
  dtype = get_aval(x).dtype
  if dtype.kind != "f":
    return lax.ne(x, x)
  return lax.eq(x, lax.full((), inf, dtype))
