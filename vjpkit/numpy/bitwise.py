"""Integer functions: bitwise operations and shifts (integers and booleans), ``gcd``,
``lcm``, ``bitwise_count``, ``packbits``/``unpackbits``. None has a derivative.

>>> bitwise_and(12, 10), left_shift(1, 4), gcd(12, 18), lcm(4, 6)
(np.int64(8), np.int64(16), np.int64(6), np.int64(12))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert, promote
from .ufuncs import where

Array = Any

__all__ = ["bitwise_and", "bitwise_count", "bitwise_invert", "bitwise_left_shift",
           "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "gcd", "invert",
           "lcm", "left_shift", "packbits", "right_shift", "unpackbits"]


def _ints(who: str, *xs, bools: bool = True):
  xs = promote(*xs, who=who)
  kind = get_aval(xs[0]).dtype.kind
  if kind not in ("iub" if bools else "iu"):
    raise TypeError(f"vjpkit.numpy.{who}: only {'integer and boolean' if bools else 'integer'} "
                    f"inputs are supported, got {get_aval(xs[0]).dtype.name}")
  return xs


def bitwise_and(x1: Array, x2: Array, /) -> Array:
  """``x1 & x2`` elementwise (logical for booleans).

  >>> bitwise_and(np.array([12, 7]), 10)
  array([8, 2])
  """
  return lax.bitwise_and(*_ints("bitwise_and", x1, x2))


def bitwise_or(x1: Array, x2: Array, /) -> Array:
  """``x1 | x2`` elementwise.

  >>> bitwise_or(np.array([12, 7]), 10)
  array([14, 15])
  """
  return lax.bitwise_or(*_ints("bitwise_or", x1, x2))


def bitwise_xor(x1: Array, x2: Array, /) -> Array:
  """``x1 ^ x2`` elementwise.

  >>> bitwise_xor(np.array([12, 7]), 10)
  array([ 6, 13])
  """
  return lax.bitwise_xor(*_ints("bitwise_xor", x1, x2))


def invert(x: Array, /) -> Array:
  """``~x`` elementwise (logical not for booleans).

  >>> invert(np.array([0, 5], np.int8)), invert(np.array([True]))
  (array([-1, -6], dtype=int8), array([False]))
  """
  return lax.bitwise_not(_ints("invert", x)[0])


bitwise_not = bitwise_invert = invert


def left_shift(x1: Array, x2: Array, /) -> Array:
  """``x1 << x2`` elementwise; shifts by the bit width or more give 0, as JAX (NumPy's
  result there depends on the platform).

  >>> left_shift(np.array([1, 3]), np.array([2, 70]))
  array([4, 0])
  """
  return lax.shift_left(*_ints("left_shift", x1, x2, bools=False))


def right_shift(x1: Array, x2: Array, /) -> Array:
  """``x1 >> x2`` elementwise, arithmetic for signed integers (as NumPy).

  >>> right_shift(np.array([-8, 8]), 2)
  array([-2,  2])
  """
  x1, x2 = _ints("right_shift", x1, x2, bools=False)
  if get_aval(x1).dtype.kind == "u":
    return lax.shift_right_logical(x1, x2)
  return lax.shift_right_arithmetic(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def bitwise_count(x: Array, /) -> Array:
  """The number of 1 bits in ``|x|`` (NumPy's ``bitwise_count``), as uint8.

  >>> bitwise_count(np.array([7, -1, 0]))
  array([3, 1, 0], dtype=uint8)
  """
  x = _ints("bitwise_count", x)[0]
  if get_aval(x).dtype.kind == "b":
    return convert(x, np.dtype(np.uint8))
  a = lax.abs(x) if get_aval(x).dtype.kind == "i" else x
  return convert(lax.population_count(a), np.dtype(np.uint8))


def gcd(x1: Array, x2: Array, /) -> Array:
  """The greatest common divisor of ``|x1|`` and ``|x2|`` (Euclid's algorithm, vectorised;
  ``gcd(0, 0) = 0``).

  >>> gcd(np.array([12, -18, 0]), np.array([18, 12, 5]))
  array([6, 6, 5])
  """
  a, b = _ints("gcd", x1, x2, bools=False)
  shape = tuple(np.broadcast_shapes(get_aval(a).shape, get_aval(b).shape))
  a, b = (lax.broadcast_in_dim(lax.abs(v), shape, tuple(range(len(shape) - get_aval(v).ndim,
                                                                len(shape))))
          for v in (a, b))  # one shape: the loop carries both
  dtype = get_aval(a).dtype
  zero, one = np.array(0, dtype)[()], np.array(1, dtype)[()]

  def cond(c):
    return lax.reduce_or(lax.ne(c[1], zero), tuple(range(get_aval(c[1]).ndim)))

  def body(c):
    x, y = c
    nz = lax.ne(y, zero)
    safe = lax.select_n(nz, one, y)
    return lax.select_n(nz, x, y), lax.select_n(nz, y, lax.rem(x, safe))
  # abs once more: abs(-128) is -128 in int8, so Euclid may end on -g (NumPy: g)
  return lax.abs(lax.while_loop(cond, body, (a, b))[0])


def lcm(x1: Array, x2: Array, /) -> Array:
  """The least common multiple of ``|x1|`` and ``|x2|`` (0 if either is 0).

  >>> lcm(np.array([4, -6, 0]), np.array([6, 4, 3]))
  array([12, 12,  0])
  """
  a, b = _ints("lcm", x1, x2, bools=False)
  g = gcd(a, b)
  dtype = get_aval(g).dtype
  zero, one = np.array(0, dtype)[()], np.array(1, dtype)[()]
  safe = lax.select_n(lax.eq(g, zero), g, one)
  return where(lax.eq(g, zero), zero, lax.abs(lax.mul(lax.div(a, safe), b)))


def _concrete(x, who: str) -> np.ndarray:
  v = lax.concrete_or_none(asarray(x))
  if v is None:
    raise TypeError(f"vjpkit.numpy.{who} needs a concrete array (its result is computed by "
                    "NumPy); it has no derivative and cannot be traced")
  return np.asarray(v)


def packbits(a: Array, axis: int | None = None, bitorder: str = "big") -> Array:
  """Pack the truth values of ``a`` into uint8 bytes (NumPy's ``packbits``; concrete only).

  >>> packbits(np.array([1, 0, 1, 1, 0, 0, 0, 1]))
  array([177], dtype=uint8)
  """
  pack: Any = np.packbits
  return pack(_concrete(a, "packbits"), axis=axis, bitorder=bitorder)


def unpackbits(a: Array, axis: int | None = None, count: int | None = None,
               bitorder: str = "big") -> Array:
  """The bits of uint8 ``a`` (NumPy's ``unpackbits``; concrete only).

  >>> unpackbits(np.array([177], np.uint8))
  array([1, 0, 1, 1, 0, 0, 0, 1], dtype=uint8)
  """
  unpack: Any = np.unpackbits
  return unpack(_concrete(a, "unpackbits"), axis=axis, count=count, bitorder=bitorder)
