"""Elementwise functions of vjpkit.numpy: NumPy promotion and broadcasting, then lax.

Most are one primitive; the rest are short composites whose derivatives follow
from their parts. Conventions at non-differentiable points are JAX's: ``abs``
has slope 1 at 0, ``maximum``/``minimum`` (and so ``clip``) give each tied
argument half the derivative, ``sqrt`` and ``cbrt`` have infinite slope at 0,
and rounding functions, ``sign``, ``floor_divide`` and comparisons have zero
derivative. Complex inputs raise a TypeError.

>>> import vjpkit.numpy as vnp
>>> vnp.sin(0.0), vnp.maximum(2, 3.5)
(np.float64(0.0), np.float64(3.5))
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import (broadcast_shapes, broadcast_to_shape, convert, fresh, promote,
                    promote_inexact, strong)

Array = Any


def _example(name: str, np_fun: Callable, args: tuple) -> str:
  """A doctest line computed by NumPy itself: vjpkit must print the same value."""
  with np.errstate(all="ignore"):
    value = np_fun(*args)
  value = np.round(value, 6) if np.result_type(value).kind == "f" else value
  return f"\n\n  >>> {name}({', '.join(map(repr, args))})\n  {value!r}\n"


def _unary_float(name: str, op: Callable, np_fun: Callable, arg=0.5, real=False) -> Callable:
  def f(x: Array) -> Array:
    return op(promote_inexact(x, name, real, ufunc=True))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = (f"Elementwise ``numpy.{np_fun.__name__}``; integer inputs give NumPy's float dtype "
               "(float64 for int32 and int64, float16 for int8 and bool).") + _example(
      name, np_fun, (arg,))
  return f


def _by_real(z, op, c: float):
  """``op(z, c)`` (mul or div) for a real constant ``c``; a complex ``z`` part by part, so
  that an infinite part meets no ``inf·0`` (as NumPy's complex log2, log10 and exp2)."""
  if get_aval(z).dtype.kind != "c":
    return op(z, lax.full((), c, get_aval(z).dtype))
  part = lax.full((), c, np.dtype(get_aval(z).dtype.char.lower()))
  return lax.complex(op(lax.real(z), part), op(lax.imag(z), part))


def _log_base(base: float, real: Callable):
  """``real`` (NumPy's own log2 or log10: exact at powers of the base) for real ``x``;
  for complex ``x`` the natural log divided part by part."""
  def log_base(x):
    if get_aval(x).dtype.kind != "c":
      return real(x)
    return _by_real(lax.log(x), lax.div, np.log(base))
  return log_base


def _exp2(x):
  if get_aval(x).dtype.kind == "c":
    return lax.exp(_by_real(x, lax.mul, np.log(2.0)))
  return lax.exp2(x)  # np.exp2 (pow(2, x) differs in the last bit now and then)


def _scaled(numerator: float, denominator: float):
  """``x * (numerator / denominator)`` as NumPy's rad2deg and deg2rad: the factor divided in
  the dtype (float32's ``180.0f / NPY_PIf`` is not float32(180 / pi)), float16 in float32."""
  def scale(x):
    dtype = get_aval(x).dtype
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    factor = np.divide(np.array(numerator, work), np.array(denominator, work))[()]
    if work == dtype:
      return lax.mul(x, factor)
    return lax.convert_element_type(lax.mul(lax.convert_element_type(x, work), factor), dtype)
  return scale


sin = _unary_float("sin", lax.sin, np.sin)
cos = _unary_float("cos", lax.cos, np.cos)
tan = _unary_float("tan", lax.tan, np.tan)
arcsin = asin = _unary_float("arcsin", lax.asin, np.arcsin)
arccos = acos = _unary_float("arccos", lax.acos, np.arccos)
arctan = atan = _unary_float("arctan", lax.atan, np.arctan)
sinh = _unary_float("sinh", lax.sinh, np.sinh)
cosh = _unary_float("cosh", lax.cosh, np.cosh)
tanh = _unary_float("tanh", lax.tanh, np.tanh)
arcsinh = asinh = _unary_float("arcsinh", lax.asinh, np.arcsinh)
arccosh = acosh = _unary_float("arccosh", lax.acosh, np.arccosh, 1.5)
arctanh = atanh = _unary_float("arctanh", lax.atanh, np.arctanh)
exp = _unary_float("exp", lax.exp, np.exp)
exp2 = _unary_float("exp2", _exp2, np.exp2)
expm1 = _unary_float("expm1", lax.expm1, np.expm1)
log = _unary_float("log", lax.log, np.log)
log2 = _unary_float("log2", _log_base(2, lax.log2), np.log2)
log10 = _unary_float("log10", _log_base(10, lax.log10), np.log10)
log1p = _unary_float("log1p", lax.log1p, np.log1p)
sqrt = _unary_float("sqrt", lax.sqrt, np.sqrt)
cbrt = _unary_float("cbrt", lax.cbrt, np.cbrt, -8.0, real=True)
deg2rad = radians = _unary_float("deg2rad", _scaled(np.pi, 180), np.deg2rad, 90.0, real=True)
rad2deg = degrees = _unary_float("rad2deg", _scaled(180, np.pi), np.rad2deg, 1.0, real=True)


def _binary(name: str, op: Callable, np_fun: Callable, args=(1.5, -2.0), inexact=False,
            real=False, ufunc=False) -> Callable:
  def f(x: Array, y: Array) -> Array:
    return op(*promote(x, y, inexact=inexact, who=name, real=real, ufunc=ufunc))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = (f"Elementwise ``numpy.{np_fun.__name__}`` with NumPy broadcasting and promotion."
               + _example(name, np_fun, args))
  return f


add = _binary("add", lax.add, np.add)
subtract = _binary("subtract", lax.sub, np.subtract)
multiply = _binary("multiply", lax.mul, np.multiply)
true_divide = divide = _binary("true_divide", lax.div, np.true_divide, inexact=True)
maximum = _binary("maximum", lax.max, np.maximum)
minimum = _binary("minimum", lax.min, np.minimum)
fmod = _binary("fmod", lambda x, y: lax.rem(*_int8_if_bool(x, y)), np.fmod, (5.5, -2.0),
               real=True)  # bools: NumPy's int8 loop (lax.rem takes numbers)
arctan2 = atan2 = _binary("arctan2", lax.atan2, np.arctan2, (1.0, -1.0), inexact=True, real=True,
                          ufunc=True)  # true_divide's integer loops give float64: not ufunc
equal = _binary("equal", lax.eq, np.equal)
not_equal = _binary("not_equal", lax.ne, np.not_equal)
less = _binary("less", lax.lt, np.less)
less_equal = _binary("less_equal", lax.le, np.less_equal)
greater = _binary("greater", lax.gt, np.greater)
greater_equal = _binary("greater_equal", lax.ge, np.greater_equal)


def _as_bool(x):
  return x if get_aval(x).dtype == np.bool_ else lax.ne(x, lax.full((), 0, get_aval(x).dtype))


def _logical(name: str, op: Callable, np_fun: Callable) -> Callable:
  def f(x: Array, y: Array) -> Array:
    x, y = promote(x, y, who=name)
    return op(_as_bool(x), _as_bool(y))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = f"Elementwise ``numpy.{name}`` (boolean result)." + _example(name, np_fun, (1.0, 0.0))
  return f


logical_and = _logical("logical_and", lax.logical_and, np.logical_and)
logical_or = _logical("logical_or", lax.logical_or, np.logical_or)
logical_xor = _logical("logical_xor", lax.ne, np.logical_xor)


def logical_not(x: Array) -> Array:
  """Elementwise ``not``.

  >>> logical_not(0.0)
  np.True_
  """
  return lax.logical_not(_as_bool(promote(x, who="logical_not")[0]))


# -- sign, absolute value, reciprocal, powers -------------------------------------

def negative(x: Array) -> Array:
  """``-x``.

  >>> negative(2.0)
  np.float64(-2.0)
  """
  return lax.neg(promote(x, who="negative")[0])


def positive(x: Array) -> Array:
  """``+x`` (the value itself).

  >>> positive(2.0)
  np.float64(2.0)
  """
  out = promote(x, who="positive")[0]
  if isinstance(out, Tracer):
    return strong(out) if out.aval.weak_type else out
  return fresh(out, x)  # a new array, as NumPy's ufunc


def absolute(x: Array) -> Array:
  """``|x|``; its derivative at 0 is taken as 1, as in JAX.

  >>> absolute(-2.0)
  np.float64(2.0)
  """
  x = promote(x, who="absolute")[0]
  return x if get_aval(x).dtype == np.bool_ else lax.abs(x)  # |bool| is bool, as in NumPy


def _bool_as_int8(x):
  """NumPy computes ``square``, ``reciprocal`` and ``conj`` of bools in int8."""
  return convert(x, np.dtype(np.int8)) if get_aval(x).dtype == np.bool_ else x


abs = absolute


def fabs(x: Array) -> Array:
  """``|x|`` as a float (integer inputs give float64).

  >>> fabs(-2)
  np.float64(2.0)
  """
  return lax.abs(promote_inexact(x, "fabs", True, ufunc=True))


def sign(x: Array) -> Array:
  """-1, 0 or 1 (zero derivative).

  >>> sign(-3.0)
  np.float64(-1.0)
  """
  return lax.sign(promote(x, who="sign")[0])


def reciprocal(x: Array) -> Array:
  """``1 / x`` in ``x``'s dtype (integer division for integers, as NumPy).

  >>> reciprocal(4.0)
  np.float64(0.25)
  """
  x = _bool_as_int8(promote(x, who="reciprocal")[0])
  return lax.div(lax.full((), 1, get_aval(x).dtype), x)


def square(x: Array) -> Array:
  """``x * x``.

  >>> square(-3.0)
  np.float64(9.0)
  """
  return lax.integer_pow(_bool_as_int8(promote(x, who="square")[0]), 2)


def power(x: Array, y: Array) -> Array:
  """``x ** y``; an integer Python exponent becomes ``integer_pow`` (exact at x = 0).

  The derivative with respect to ``y`` at ``x = 0`` is taken as 0, as in JAX.

  >>> power(2.0, 3)
  np.float64(8.0)
  """
  if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
    x = promote(x, y, who="power")[0]  # a NumPy integer exponent is not weak; bool ** 2 is int
    if get_aval(x).dtype.kind in "iu" and y < 0:
      raise ValueError("Integers to negative integer powers are not allowed.")
    return lax.integer_pow(x, int(y))
  x, y = promote(x, y, who="power")
  if get_aval(x).dtype.kind == "b":
    x, y = convert(x, np.dtype(np.int8)), convert(y, np.dtype(np.int8))
  return lax.pow(x, y)


pow = power


def float_power(x: Array, y: Array) -> Array:
  """``x ** y`` computed in float64 at least, like NumPy.

  >>> float_power(2, 0.5)
  np.float64(1.4142135623730951)
  """
  x, y = promote(x, y, who="float_power")
  dtype = np.promote_types(get_aval(x).dtype, np.float64)
  return lax.pow(convert(x, dtype), convert(y, dtype))


# -- clipping, nan-aware extrema, hypot, log-sum-exp -----------------------------

def clip(a: Array, a_min: Array = None, a_max: Array = None, *, min: Array = None,
         max: Array = None) -> Array:
  """``minimum(maximum(a, a_min), a_max)``; at a bound the derivative is shared
  half and half between ``a`` and the bound, as in JAX.

  >>> clip([-2.0, 0.5, 3.0], -1, 1)
  array([-1. ,  0.5,  1. ])
  """
  lo = a_min if min is None else min
  hi = a_max if max is None else max
  if lo is None and hi is None:
    raise ValueError("clip: pass at least one of a_min/min and a_max/max")
  out = promote(a, who="clip", real=True)[0]
  if lo is not None:
    out = maximum(out, lo)
  if hi is not None:
    out = minimum(out, hi)
  return out


def isnan(x: Array) -> Array:
  """True where ``x`` is NaN (boolean: no derivative).

  >>> isnan([1.0, np.nan])
  array([False,  True])
  """
  x = promote(x, who="isnan")[0]
  return lax.ne(x, x)


def isinf(x: Array) -> Array:
  """True where ``x`` is +inf or -inf.

  >>> isinf([1.0, -np.inf])
  array([False,  True])
  """
  x = promote(x, who="isinf")[0]
  kind = get_aval(x).dtype.kind
  if kind == "c":  # either part infinite, as NumPy
    return lax.logical_or(isinf(lax.real(x)), isinf(lax.imag(x)))
  if kind != "f":
    return lax.ne(x, x)
  return lax.eq(lax.abs(x), lax.full((), np.inf, get_aval(x).dtype))


def isfinite(x: Array) -> Array:
  """True where ``x`` is neither infinite nor NaN.

  >>> isfinite([1.0, np.inf, np.nan])
  array([ True, False, False])
  """
  x = promote(x, who="isfinite")[0]
  kind = get_aval(x).dtype.kind
  if kind == "c":  # both parts finite, as NumPy
    return lax.logical_and(isfinite(lax.real(x)), isfinite(lax.imag(x)))
  if kind != "f":
    return lax.eq(x, x)
  return lax.lt(lax.abs(x), lax.full((), np.inf, get_aval(x).dtype))


def fmax(x: Array, y: Array) -> Array:
  """Elementwise maximum that ignores NaNs (NaN only where both are NaN).

  >>> fmax([1.0, np.nan], [np.nan, 2.0])
  array([1., 2.])
  """
  x, y = promote(x, y, who="fmax")
  return lax.select_n(isnan(y), lax.select_n(isnan(x), lax.max(x, y), y), x)


def fmin(x: Array, y: Array) -> Array:
  """Elementwise minimum that ignores NaNs (NaN only where both are NaN).

  >>> fmin([1.0, np.nan], [np.nan, 2.0])
  array([1., 2.])
  """
  x, y = promote(x, y, who="fmin")
  return lax.select_n(isnan(y), lax.select_n(isnan(x), lax.min(x, y), y), x)


def _where(c, x, y):
  return lax.select_n(c, y, x)


def hypot(x: Array, y: Array) -> Array:
  """``sqrt(x**2 + y**2)`` without overflow or underflow: NumPy's ``hypot`` (its values).

  The derivative is ``(x dx + y dy) / hypot(x, y)``; at ``(0, 0)``, where there is none,
  each argument gets slope 1/2 (JAX's convention), and where the result is infinite both
  slopes are 0.

  >>> hypot(3.0, 4.0)
  np.float64(5.0)
  """
  return lax.hypot(*promote(x, y, inexact=True, who="hypot", real=True, ufunc=True))


def logaddexp(x: Array, y: Array) -> Array:
  """``log(exp(x) + exp(y))`` without overflow, NumPy's values to the bit (``lax.logaddexp``);
  the derivative is the softmax weights ``exp(x) / (exp(x) + exp(y))``, at every order,
  also with infinite arguments: ``(inf, 1)`` gives ``(1, 0)``, ``(-inf, 1)`` gives
  ``(0, 1)``; equal infinities ``(inf, inf)`` and ``(-inf, -inf)`` (the limit along the
  diagonal) give ``(1/2, 1/2)``, as a tie of finite arguments does.

  >>> logaddexp(0.0, 0.0)
  np.float64(0.6931471805599453)
  """
  return lax.logaddexp(*promote(x, y, inexact=True, who="logaddexp", real=True, ufunc=True))


def logaddexp2(x: Array, y: Array) -> Array:
  """``log2(2**x + 2**y)``, NumPy's values; derivatives as ``logaddexp``'s.

  >>> logaddexp2(1.0, 1.0)
  np.float64(2.0)
  """
  return lax.logaddexp2(*promote(x, y, inexact=True, who="logaddexp2", real=True, ufunc=True))


def sinc(x: Array) -> Array:
  """``sin(pi x) / (pi x)``, 1 at 0, with NumPy's values (``lax.sinc``). Its derivatives
  come from a Taylor polynomial near 0 (``|pi x| < 2``), where the quotient's cancel
  catastrophically (the k-th loses about ``k! / |pi x|**k`` ulps): derivatives up to order
  6 (and beyond) are accurate to a few ulps everywhere, and exact at 0 (the first is 0, the
  second -pi²/3).

  >>> sinc(0.5)
  np.float64(0.6366197723675814)
  """
  return lax.sinc(promote_inexact(x, "sinc", True))


# -- rounding and integer division: zero derivative --------------------------------

def _rounding(name: str, op: Callable, np_fun: Callable, arg=-1.5) -> Callable:
  def f(x: Array) -> Array:
    y = promote(x, who=name, real=True)[0]
    return fresh(y, x) if get_aval(y).dtype.kind in "iub" else op(y)
  f.__name__ = f.__qualname__ = name
  f.__doc__ = f"Elementwise ``numpy.{np_fun.__name__}`` (zero derivative)." + _example(name, np_fun, (arg,))
  return f


def _trunc(x):  # toward zero, keeping the sign of zero (-0.5 -> -0.0) as NumPy
  return _where(lax.lt(x, lax.full((), 0, get_aval(x).dtype)), lax.ceil(x), lax.floor(x))


floor = _rounding("floor", lax.floor, np.floor)
ceil = _rounding("ceil", lax.ceil, np.ceil)
trunc = _rounding("trunc", _trunc, np.trunc)
fix = _rounding("fix", _trunc, np.fix)


def round(a: Array, decimals: int = 0) -> Array:
  """Round half to even to ``decimals`` places, like NumPy (zero derivative).

  >>> round([0.5, 1.5, 2.675], 0)
  array([0., 2., 3.])
  """
  a = promote(given := a, who="round")[0]
  if get_aval(a).dtype.kind == "b":  # NumPy: rint's float16 loop; other decimals are an error
    if decimals != 0:
      raise TypeError(f"vjpkit.numpy.round: booleans can be rounded only to decimals=0 (got "
                      f"{decimals}), as in NumPy; convert them to a number type first")
    return rint(a)
  if get_aval(a).dtype.kind in "iu":
    return fresh(a, given) if decimals >= 0 else convert(
        round(convert(a, np.dtype(np.float64)), decimals), get_aval(a).dtype)
  if get_aval(a).dtype.kind == "c":  # each part, as NumPy
    return lax.complex(round(lax.real(a), decimals), round(lax.imag(a), decimals))
  if decimals == 0:
    return lax.round(a)
  scale = lax.full((), 10.0 ** decimals, get_aval(a).dtype)
  return lax.div(lax.round(lax.mul(a, scale)), scale)


around = round


def rint(x: Array) -> Array:
  """Round to the nearest integer (half to even), as a float.

  >>> rint(2.5)
  np.float64(2.0)
  """
  return lax.round(promote_inexact(x, "rint", True, ufunc=True))


def _int8_if_bool(x, y):
  if get_aval(x).dtype.kind == "b":  # NumPy divides booleans as int8
    return lax.convert_element_type(x, np.int8), lax.convert_element_type(y, np.int8)
  return x, y


def remainder(x: Array, y: Array) -> Array:
  """``x - y * floor(x / y)``: the remainder with the sign of ``y`` (Python's ``%``), also
  for zero results (``remainder(0.0, -3.0)`` is ``-0.0``): NumPy's values. The
  derivative is 1 in ``x`` and ``-floor_divide(x, y)`` in ``y``.

  >>> remainder(-5.5, 2.0)
  np.float64(0.5)
  """
  return lax.remainder(*_int8_if_bool(*promote(x, y, who="remainder", real=True)))


mod = remainder


def floor_divide(x: Array, y: Array) -> Array:
  """``floor(x / y)``, NumPy's values (from ``fmod``, so ``x == y * (x // y) + x % y``;
  ``-0.0 // 3.0`` is ``-0.0``); zero derivative.

  >>> floor_divide(-5.5, 2.0)
  np.float64(-3.0)
  """
  return lax.floor_divide(*_int8_if_bool(*promote(x, y, who="floor_divide", real=True)))


def divmod(x: Array, y: Array) -> tuple[Array, Array]:
  """``(floor_divide(x, y), remainder(x, y))``.

  >>> divmod(7.0, 2.0)
  (np.float64(3.0), np.float64(1.0))
  """
  return floor_divide(x, y), remainder(x, y)


def modf(x: Array) -> tuple[Array, Array]:
  """Fractional and integral parts, both with the sign of ``x``.

  >>> modf(-3.5)
  (np.float64(-0.5), np.float64(-3.0))
  """
  x = promote_inexact(x, "modf", True, ufunc=True)
  whole = _trunc(x)
  from .signs import signbit
  neg = signbit(x)  # the fraction has the sign of x, also when it is zero (as NumPy)
  frac = _where(neg, lax.neg(lax.sub(whole, x)), lax.sub(x, whole))
  dtype = get_aval(x).dtype
  signed_zero = _where(neg, lax.full((), -0.0, dtype), lax.full((), 0.0, dtype))
  return _where(isinf(x), signed_zero, frac), whole


def heaviside(x1: Array, x2: Array) -> Array:
  """0 where ``x1 < 0``, 1 where ``x1 > 0``, ``x2`` where ``x1 == 0``.

  >>> heaviside([-1.0, 0.0, 2.0], 0.5)
  array([0. , 0.5, 1. ])
  """
  x1, x2 = promote(x1, x2, inexact=True, who="heaviside", real=True, ufunc=True)
  dtype = get_aval(x1).dtype
  zero, one = lax.full((), 0, dtype), lax.full((), 1, dtype)
  step = _where(lax.gt(x1, zero), broadcast_to_shape(one, get_aval(x1).shape), zero)
  step = _where(lax.ne(x1, x1), x1, step)  # NaN stays NaN, as NumPy
  return _where(lax.eq(x1, zero), x2, step)


def nan_to_num(x: Array, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Array:
  """NaN and infinities replaced by finite numbers; the derivative passes where ``x``
  is finite and is 0 where it was replaced.

  >>> nan_to_num([np.nan, 1.0, -np.inf])
  array([ 0.00000000e+000,  1.00000000e+000, -1.79769313e+308])
  """
  x = promote(given := x, who="nan_to_num")[0]
  dtype = get_aval(x).dtype
  if dtype.kind == "c":  # each part on its own, as NumPy
    return lax.complex(nan_to_num(lax.real(x), True, nan, posinf, neginf),
                       nan_to_num(lax.imag(x), True, nan, posinf, neginf))
  if dtype.kind != "f":
    return fresh(x, given) if copy else x
  info = np.finfo(dtype)
  big = lax.full((), info.max if posinf is None else posinf, dtype)
  small = lax.full((), info.min if neginf is None else neginf, dtype)
  inf = lax.full((), np.inf, dtype)
  out = _where(lax.eq(x, inf), big, _where(lax.eq(x, lax.neg(inf)), small, x))
  return _where(isnan(x), lax.full((), nan, dtype), out)


def real(x: Array) -> Array:
  """The real part of ``x`` (a real ``x`` itself).

  >>> real(np.array([1 + 2j, 3 - 4j]))
  array([1., 3.])
  """
  x = promote(x, who="real")[0]
  return lax.real(x) if get_aval(x).dtype.kind == "c" else x


def imag(x: Array) -> Array:
  """The imaginary part of ``x`` (zeros of ``x``'s dtype for a real ``x``).

  >>> imag(np.array([1 + 2j, 3 - 4j]))
  array([ 2., -4.])
  """
  x = promote(x, who="imag")[0]
  if get_aval(x).dtype.kind == "c":
    return lax.imag(x)
  return lax.full(get_aval(x).shape, 0, get_aval(x).dtype)


def conjugate(x: Array) -> Array:
  """The complex conjugate of ``x`` (of a real array, the array itself; bools become
  int8, as in NumPy).

  >>> conjugate(np.array([1 + 2j]))
  array([1.-2.j])
  >>> conjugate(2.0)
  np.float64(2.0)
  """
  x = _bool_as_int8(promote(x, who="conjugate")[0])
  if get_aval(x).dtype.kind == "c":
    return lax.conj(x)
  return fresh(x, x)  # a new array, as NumPy's ufunc


def angle(z: Array, deg: bool = False) -> Array:
  """The argument of ``z`` (``arctan2(imag(z), real(z))``), in degrees with ``deg``.

  >>> angle(np.array([1j, -1.0]))
  array([1.57079633, 3.14159265])
  """
  z = promote(z, who="angle")[0]
  if get_aval(z).dtype.kind == "c":
    out = lax.atan2(lax.imag(z), lax.real(z))
  else:
    # NumPy's arctan2(0, z): an int8 z takes the float16 loop, a bool one (0 + bool: int64) float64
    z = promote_inexact(z, "angle", ufunc=get_aval(z).dtype.kind in "iu")
    out = lax.atan2(lax.full(get_aval(z).shape, 0, get_aval(z).dtype), z)
  return lax.mul(out, lax.full((), 180 / np.pi, get_aval(out).dtype)) if deg else out


conj = conjugate


def where(condition: Array, x: Array = None, y: Array = None) -> Array:
  """``x`` where ``condition`` holds, else ``y``; gradients flow to the chosen side only.

  With only ``condition``, the indices where it holds (``nonzero``; needs a concrete
  condition).

  >>> where([True, False], 1.0, 2.0)
  array([1., 2.])
  """
  if x is None and y is None:
    from .indexing import nonzero
    return nonzero(condition)
  if x is None or y is None:
    raise ValueError("where: either both or neither of x and y should be given")
  x, y = promote(x, y, who="where")
  c = promote(condition, who="where")[0]
  c = _as_bool(c)
  shape = broadcast_shapes(get_aval(c).shape, get_aval(x).shape, get_aval(y).shape, who="where")
  return lax.select_n(*(broadcast_to_shape(a, shape) for a in (c, y, x)))
