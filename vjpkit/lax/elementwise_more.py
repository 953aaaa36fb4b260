"""More elementwise primitives of ``jax.lax``: ``rsqrt``, ``square``, ``exp2``,
``is_finite``, ``nextafter``, bitwise ``xor``, shifts, ``population_count``, ``clz``;
and the conveniences ``reciprocal`` and the ``bitwise_*`` names.

>>> rsqrt(np.array([4.0, 16.0])), exp2(np.array([3.0]))
(array([0.5 , 0.25]), array([8.]))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from ._declare import const, naryop, unop

__all__ = ["bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "clz", "clz_p", "exp2",
           "exp2_p", "is_finite", "is_finite_p", "log10", "log10_p", "log2", "log2_p", "nextafter",
           "nextafter_p", "population_count",
           "population_count_p", "reciprocal", "rsqrt", "rsqrt_p", "shift_left", "shift_left_p",
           "shift_right_arithmetic", "shift_right_arithmetic_p", "shift_right_logical",
           "shift_right_logical_p", "signbit", "signbit_p", "square", "square_p", "xor_p"]

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))


def _rsqrt_impl(x):
  with np.errstate(divide="ignore"):
    return np.reciprocal(np.sqrt(x))


rsqrt_p = unop("rsqrt", _rsqrt_impl, kinds="inexact")
# d x^(-1/2) = -1/2 x^(-3/2) = -1/2 ans³
defjvp(rsqrt_p, lambda t, ans, x: ew.mul(t, ew.mul(const(ans, -0.5), ew.mul(ans, ew.mul(ans, ans)))))


def rsqrt(x: Any) -> Any:
  """``1 / sqrt(x)``.

  >>> rsqrt(np.array([0.25]))
  array([2.])
  """
  return rsqrt_p.bind(x)


square_p = unop("square", np.square, kinds="num")
defjvp(square_p, lambda t, ans, x: ew.mul(t, ew.mul(const(x, 2), x)))


def square(x: Any) -> Any:
  """``x * x``.

  >>> square(np.array([-3.0]))
  array([9.])
  """
  return square_p.bind(x)


exp2_p = unop("exp2", np.exp2, kinds="inexact")
defjvp(exp2_p, lambda t, ans, x: ew.mul(t, ew.mul(const(ans, _LN2), ans)))


def exp2(x: Any) -> Any:
  """``2 ** x``.

  >>> exp2(np.array([0.5]))
  array([1.41421356])
  """
  return exp2_p.bind(x)


def reciprocal(x: Any) -> Any:
  """``1 / x`` (JAX's ``integer_pow(x, -1)``).

  >>> reciprocal(np.array([4.0]))
  array([0.25])
  """
  return ew.integer_pow(x, -1)


is_finite_p = unop("is_finite", np.isfinite, kinds="float", out_dtype=np.dtype(bool))
defjvp_zero(is_finite_p)


def is_finite(x: Any) -> Any:
  """True where ``x`` is neither infinite nor NaN (a boolean: no derivative).

  >>> is_finite(np.array([1.0, np.inf, np.nan]))
  array([ True, False, False])
  """
  return is_finite_p.bind(x)


log2_p = unop("log2", np.log2, kinds="float")
defjvp(log2_p, lambda t, ans, x: ew.div(t, ew.mul(x, const(x, _LN2))))
log10_p = unop("log10", np.log10, kinds="float")
defjvp(log10_p, lambda t, ans, x: ew.div(t, ew.mul(x, const(x, _LN10))))


def log2(x: Any) -> Any:
  """The base-2 logarithm of real ``x``, as ``np.log2`` (exact at powers of 2).

  >>> log2(np.array([8.0, 0.5]))
  array([ 3., -1.])
  """
  return log2_p.bind(x)


def log10(x: Any) -> Any:
  """The base-10 logarithm of real ``x``, as ``np.log10`` (exact at powers of 10, where
  ``log(x) / log(10)`` is not: ``log(1000) / log(10) = 2.9999999999999996``).

  >>> log10(np.array([1000.0, 0.01]))
  array([ 3., -2.])
  """
  return log10_p.bind(x)


signbit_p = unop("signbit", np.signbit, kinds="float", out_dtype=np.dtype(bool))
defjvp_zero(signbit_p)


def signbit(x: Any) -> Any:
  """True where the sign bit of ``x`` is set: negative numbers, ``-0.0`` and NaNs with the
  sign bit (a boolean: no derivative).

  >>> signbit(np.array([-1.0, -0.0, 0.0, -np.nan]))
  array([ True,  True, False,  True])
  """
  return signbit_p.bind(x)


nextafter_p = naryop("nextafter", np.nextafter, kinds="float")
defjvp_zero(nextafter_p)


def nextafter(x1: Any, x2: Any) -> Any:
  """The next representable number after ``x1`` towards ``x2`` (no derivative, as JAX).

  >>> nextafter(np.array([1.0]), np.array([2.0])) - 1.0
  array([2.22044605e-16])
  """
  return nextafter_p.bind(x1, x2)


# -- bitwise operations: integers (and booleans for and/or/xor/not), no derivative -----

xor_p = naryop("xor", np.bitwise_xor, kinds="intbool")
defjvp_zero(xor_p)


def bitwise_and(x: Any, y: Any) -> Any:
  """Bitwise and of integers, logical and of booleans.

  >>> bitwise_and(np.array([12]), np.array([10]))
  array([8])
  """
  return ew.and_p.bind(x, y)


def bitwise_or(x: Any, y: Any) -> Any:
  """Bitwise or of integers, logical or of booleans.

  >>> bitwise_or(np.array([12]), np.array([10]))
  array([14])
  """
  return ew.or_p.bind(x, y)


def bitwise_xor(x: Any, y: Any) -> Any:
  """Bitwise exclusive or of integers, logical xor of booleans.

  >>> bitwise_xor(np.array([12]), np.array([10]))
  array([6])
  """
  return xor_p.bind(x, y)


def bitwise_not(x: Any) -> Any:
  """Bitwise not of integers (``~x``), logical not of booleans.

  >>> bitwise_not(np.array([0, 5], np.int8))
  array([-1, -6], dtype=int8)
  """
  return ew.not_p.bind(x)


def _bits(dtype) -> int:
  return np.dtype(dtype).itemsize * 8


def _shift_left_impl(x, y):
  x, y = np.asarray(x), np.asarray(y)
  out = np.left_shift(x, np.clip(y, 0, _bits(x.dtype) - 1).astype(x.dtype))
  return np.where((y < 0) | (y >= _bits(x.dtype)), 0, out).astype(x.dtype)[()]


def _unsigned(dtype):
  return np.dtype(f"uint{_bits(dtype)}")


def _shift_right_logical_impl(x, y):
  x, y = np.asarray(x), np.asarray(y)
  u = x.astype(_unsigned(x.dtype))  # the same bits, as unsigned
  out = np.right_shift(u, np.clip(y, 0, _bits(x.dtype) - 1).astype(u.dtype))
  return np.where((y < 0) | (y >= _bits(x.dtype)), 0, out).astype(u.dtype).astype(x.dtype)[()]


def _shift_right_arithmetic_impl(x, y):
  x, y = np.asarray(x), np.asarray(y)
  n = _bits(x.dtype) - 1  # out of range (negative too): all sign bits, as XLA
  return np.right_shift(x, np.where((y < 0) | (y > n), n, y).astype(x.dtype))[()]


shift_left_p = naryop("shift_left", _shift_left_impl, kinds="int")
shift_right_logical_p = naryop("shift_right_logical", _shift_right_logical_impl, kinds="int")
shift_right_arithmetic_p = naryop("shift_right_arithmetic", _shift_right_arithmetic_impl,
                                  kinds="int")
for _p in (shift_left_p, shift_right_logical_p, shift_right_arithmetic_p):
  defjvp_zero(_p)


def shift_left(x: Any, y: Any) -> Any:
  """``x << y``; shifts of the bit width or more (or negative) give 0, as XLA.

  >>> shift_left(np.array([1, 3], np.int32), np.array([4, 40], np.int32))
  array([16,  0], dtype=int32)
  """
  return shift_left_p.bind(x, y)


def shift_right_logical(x: Any, y: Any) -> Any:
  """``x >> y`` filling with zeros (the bits as unsigned).

  >>> shift_right_logical(np.array([-8], np.int8), np.array([1], np.int8))
  array([124], dtype=int8)
  """
  return shift_right_logical_p.bind(x, y)


def shift_right_arithmetic(x: Any, y: Any) -> Any:
  """``x >> y`` filling with the sign bit (NumPy's ``right_shift``).

  >>> shift_right_arithmetic(np.array([-8], np.int8), np.array([1], np.int8))
  array([-4], dtype=int8)
  """
  return shift_right_arithmetic_p.bind(x, y)


def _popcount_impl(x):
  x = np.asarray(x)  # NumPy counts the bits of |x|; JAX those of the two's complement
  return np.bitwise_count(x.astype(_unsigned(x.dtype))).astype(x.dtype)[()]


population_count_p = unop("population_count", _popcount_impl, kinds="int")
defjvp_zero(population_count_p)


def population_count(x: Any) -> Any:
  """The number of set bits of each integer (of its two's complement), in ``x``'s dtype.

  >>> population_count(np.array([7, -1], np.int8))
  array([3, 8], dtype=int8)
  """
  return population_count_p.bind(x)


def _clz_impl(x):
  x = np.asarray(x)
  nbits = _bits(x.dtype)
  u = x.astype(_unsigned(x.dtype)).astype(np.uint64)
  out = np.full(u.shape, nbits, np.int64)
  for k in range(nbits):  # the highest set bit
    out = np.where((u >> np.uint64(k)) & np.uint64(1), nbits - 1 - k, out)
  return out.astype(x.dtype)[()]


clz_p = unop("clz", _clz_impl, kinds="int")
defjvp_zero(clz_p)


def clz(x: Any) -> Any:
  """The number of leading zero bits of each integer, in ``x``'s dtype.

  >>> clz(np.array([1, 0, -1], np.int32))
  array([31, 32,  0], dtype=int32)
  """
  return clz_p.bind(x)
