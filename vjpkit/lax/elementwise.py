"""Elementwise primitives: arithmetic, transcendental functions, comparisons, select.

Each primitive is declared with its impl and shape rule (``unop``/``naryop``),
then its derivative right below it. Binary operations accept a rank-0 operand
against an array (like a scalar in NumPy); everything else about broadcasting
and dtype promotion is done by ``vjpkit.numpy``, which emits explicit
``broadcast_in_dim`` and ``convert_element_type`` equations.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from ..core.avals import ShapedArray, get_aval, is_inexact
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef, register_vspace
from ..interpreters.jvp import defbilinear, defjvp, defjvp_zero, deflinear
from . import reductions, shapes
from ._declare import _check_kind, complex_dtype, const, naryop, naryop_shape, real_dtype, unop


def _unbroadcast(ct, aval: ShapedArray):
  """Sum a cotangent back to a rank-0 operand that was broadcast in the forward op."""
  if type(ct) is Zero or aval.shape == get_aval(ct).shape:
    return ct
  return reductions.reduce_sum(ct, tuple(range(get_aval(ct).ndim)))


def _bcast_like(t, ans):
  """A tangent of a rank-0 operand, spread to the output's shape."""
  shape = get_aval(ans).shape
  return t if get_aval(t).shape == shape else shapes.broadcast_in_dim(t, shape, ())


# -- arithmetic ----------------------------------------------------------------

neg_p = unop("neg", np.negative, kinds="num")
deflinear(neg_p, lambda ct, x: [neg(ct)])
def neg(x): return neg_p.bind(x)


# add/mul/max/min also take booleans, with NumPy's meaning (or, and, or, and), so that
# vjpkit.numpy's arithmetic on booleans is the same eagerly and under every transform
add_p = naryop("add", np.add, kinds="any")
defjvp(add_p, lambda t, ans, x, y: _bcast_like(t, ans), lambda t, ans, x, y: _bcast_like(t, ans))
add_p.def_transpose(lambda ct, x, y: [
    _unbroadcast(ct, x.aval) if is_undef(x) else None,
    _unbroadcast(ct, y.aval) if is_undef(y) else None])
def add(x, y): return add_p.bind(x, y)


sub_p = naryop("sub", np.subtract)
defjvp(sub_p, lambda t, ans, x, y: _bcast_like(t, ans),
       lambda t, ans, x, y: _bcast_like(neg(t), ans))
sub_p.def_transpose(lambda ct, x, y: [
    _unbroadcast(ct, x.aval) if is_undef(x) else None,
    _unbroadcast(neg(ct), y.aval) if is_undef(y) else None])
def sub(x, y): return sub_p.bind(x, y)


# Cotangents: the sum of all children's contributions (same shapes, no broadcasting).
add_any_p = naryop("add_any", np.add, kinds="num")
deflinear(add_any_p, lambda ct, x, y: [ct, ct])
def add_any(x, y): return add_any_p.bind(x, y)
register_vspace(add=add_any)  # core's add_tangents sums with it


mul_p = naryop("mul", np.multiply, kinds="any")
defbilinear(mul_p, lambda ct, x, y: _unbroadcast(mul(ct, y), x.aval),
            lambda ct, x, y: _unbroadcast(mul(x, ct), y.aval))
def mul(x, y): return mul_p.bind(x, y)


def _div_impl(x, y):
  if type(x) is np.float64 and type(y) is np.float64:
    return x / y  # NumPy's scalar math: np.true_divide's value (and warnings), cheaper
  if np.result_type(x).kind in "iu":  # lax semantics: integer division rounds toward zero
    # floor, then one up where inexact with operands of opposite signs (no abs: abs(-128)
    # is -128 in int8); x // 0 is 0, as NumPy's
    q = np.floor_divide(x, y)
    up = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    return np.add(q, up, dtype=q.dtype) if np.ndim(q) else (q + 1 if up else q)
  return np.true_divide(x, y)


div_p = naryop("div", _div_impl)
defjvp(div_p, lambda t, ans, x, y: _bcast_like(div(t, y), ans),
       lambda t, ans, x, y: neg(mul(t, div(ans, y))))
div_p.def_transpose(lambda ct, x, y: [_unbroadcast(div(ct, y), x.aval), None])
def div(x, y): return div_p.bind(x, y)


def _integer_pow_impl(x, *, y):
  return np.multiply(x, x) if y == 2 else np.power(x, y)


integer_pow_p = unop("integer_pow", _integer_pow_impl, kinds="num")
defjvp(integer_pow_p, lambda t, ans, x, *, y:
       Zero(get_aval(t)) if y == 0 else
       mul(t, const(x, y)) if y == 1 else
       mul(t, mul(const(x, y), integer_pow(x, y - 1))))
def integer_pow(x, y: int): return integer_pow_p.bind(x, y=int(y))


pow_p = naryop("pow", np.power)


def _pow_jvp_base(t, ans, x, y):
  # d/dx x**y = y * x**(y-1)
  return _bcast_like(mul(t, mul(y, pow(x, sub(y, const(y, 1))))), ans)


def _pow_jvp_exponent(t, ans, x, y):
  # d/dy x**y = log(x) * x**y, taken as 0 where x == 0 (like JAX)
  safe_x = select_n(eq(x, const(x, 0)), x, _ones_like(x))
  return mul(_bcast_like(t, ans), mul(log(safe_x), ans))


defjvp(pow_p, _pow_jvp_base, _pow_jvp_exponent)
def pow(x, y): return pow_p.bind(x, y)


def _ones_like(x):
  aval = get_aval(x)
  one = const(x, 1)
  return one if not aval.shape else shapes.broadcast_in_dim(one, aval.shape, ())


# -- transcendental functions --------------------------------------------------

exp_p = unop("exp", np.exp, kinds="inexact")
defjvp(exp_p, lambda t, ans, x: mul(t, ans))
def exp(x): return exp_p.bind(x)

log_p = unop("log", np.log, kinds="inexact")
defjvp(log_p, lambda t, ans, x: div(t, x))
def log(x): return log_p.bind(x)

expm1_p = unop("expm1", np.expm1, kinds="inexact")
defjvp(expm1_p, lambda t, ans, x: mul(t, add(ans, const(ans, 1))))
def expm1(x): return expm1_p.bind(x)

log1p_p = unop("log1p", np.log1p, kinds="inexact")
defjvp(log1p_p, lambda t, ans, x: div(t, add(x, const(x, 1))))
def log1p(x): return log1p_p.bind(x)

sin_p = unop("sin", np.sin, kinds="inexact")
defjvp(sin_p, lambda t, ans, x: mul(t, cos(x)))
def sin(x): return sin_p.bind(x)

cos_p = unop("cos", np.cos, kinds="inexact")
defjvp(cos_p, lambda t, ans, x: neg(mul(t, sin(x))))
def cos(x): return cos_p.bind(x)

tanh_p = unop("tanh", np.tanh, kinds="inexact")
defjvp(tanh_p, lambda t, ans, x: mul(t, sub(const(ans, 1), mul(ans, ans))))
def tanh(x): return tanh_p.bind(x)


def _logistic_impl(x):
  # SciPy's expit where SciPy is installed (its values: 1/(1+exp(-x)) with the C library's
  # exp, which NumPy's SIMD exp is not on every machine), else that formula with np.exp;
  # exp(-x) overflowing to inf for x < -709 gives 0, as there, without NumPy's warning
  x = np.asarray(x)
  expit = _scipy_expit()
  if expit is not None and x.dtype in (np.float32, np.float64):
    return expit(x)[()]
  with np.errstate(over="ignore"):
    return (1 / (1 + np.exp(-x)))[()]


@functools.cache
def _scipy_expit():
  """``scipy.special.expit``, or None without SciPy."""
  try:
    from scipy.special import expit
  except ImportError:  # pragma: no cover - scipy is in the test extras
    return None
  return expit


logistic_p = unop("logistic", _logistic_impl, kinds="inexact")
defjvp(logistic_p, lambda t, ans, x: mul(t, mul(ans, sub(const(ans, 1), ans))))
def logistic(x): return logistic_p.bind(x)

tan_p = unop("tan", np.tan, kinds="inexact")
defjvp(tan_p, lambda t, ans, x: mul(t, add(const(ans, 1), mul(ans, ans))))
def tan(x): return tan_p.bind(x)

asin_p = unop("asin", np.arcsin, kinds="inexact")
defjvp(asin_p, lambda t, ans, x: div(t, sqrt(mul(sub(const(x, 1), x), add(const(x, 1), x)))))
def asin(x): return asin_p.bind(x)

acos_p = unop("acos", np.arccos, kinds="inexact")
defjvp(acos_p, lambda t, ans, x: neg(div(t, sqrt(mul(sub(const(x, 1), x), add(const(x, 1), x))))))
def acos(x): return acos_p.bind(x)

atan_p = unop("atan", np.arctan, kinds="inexact")
defjvp(atan_p, lambda t, ans, x: div(t, add(const(x, 1), mul(x, x))))
def atan(x): return atan_p.bind(x)

sinh_p = unop("sinh", np.sinh, kinds="inexact")
defjvp(sinh_p, lambda t, ans, x: mul(t, cosh(x)))
def sinh(x): return sinh_p.bind(x)

cosh_p = unop("cosh", np.cosh, kinds="inexact")
defjvp(cosh_p, lambda t, ans, x: mul(t, sinh(x)))
def cosh(x): return cosh_p.bind(x)

asinh_p = unop("asinh", np.arcsinh, kinds="inexact")
defjvp(asinh_p, lambda t, ans, x: div(t, sqrt(add(mul(x, x), const(x, 1)))))
def asinh(x): return asinh_p.bind(x)

# sqrt(x-1) sqrt(x+1) rather than sqrt(x*x-1): no cancellation near 1
acosh_p = unop("acosh", np.arccosh, kinds="inexact")
defjvp(acosh_p, lambda t, ans, x: div(t, mul(sqrt(sub(x, const(x, 1))), sqrt(add(x, const(x, 1))))))
def acosh(x): return acosh_p.bind(x)

atanh_p = unop("atanh", np.arctanh, kinds="inexact")
defjvp(atanh_p, lambda t, ans, x: div(t, mul(sub(const(x, 1), x), add(const(x, 1), x))))
def atanh(x): return atanh_p.bind(x)

# A primitive (not x ** (1/3)): real cube roots of negative numbers. Infinite slope at 0, as JAX.
cbrt_p = unop("cbrt", np.cbrt)
defjvp(cbrt_p, lambda t, ans, x: div(t, mul(const(ans, 3), mul(ans, ans))))
def cbrt(x): return cbrt_p.bind(x)

sqrt_p = unop("sqrt", np.sqrt, kinds="inexact")
defjvp(sqrt_p, lambda t, ans, x: div(t, mul(const(ans, 2), ans)))
def sqrt(x): return sqrt_p.bind(x)

def _abs_abstract_eval(x: ShapedArray) -> ShapedArray:
  _check_kind("abs", [x], "num")
  return ShapedArray(x.shape, real_dtype(x.dtype))


def _safe_abs(ans):
  """``|x|`` with its zeros replaced by ones (a safe divisor: the numerator is 0 there)."""
  return select_n(eq(ans, const(ans, 0)), ans, _ones_like(ans))


def _abs_jvp(t, ans, x):
  if get_aval(x).dtype.kind == "c":  # d|z| = Re(conj(z) dz) / |z|, taken as 0 at z = 0
    return div(real(mul(t, conj(x))), _safe_abs(ans))
  return select_n(ge(x, const(x, 0)), neg(t), t)  # |x|' is taken as +1 at 0, as in JAX


abs_p = Primitive("abs", impl=np.abs, abstract_eval=_abs_abstract_eval)
abs_p.def_batching(lambda vals, dims: (abs_p.bind(*vals), dims[0]))
defjvp(abs_p, _abs_jvp)
def abs(x): return abs_p.bind(x)


def _sign_jvp(t, ans, x):
  # real sign: piecewise constant. Complex sign(z) = z/|z| (0 at 0): d sign = (dz - s Re(conj(s)
  # dz)) / |z|, taken as 0 at z = 0 (JAX takes it as 0 everywhere, which is wrong off 0)
  if get_aval(x).dtype.kind != "c":
    return Zero(get_aval(ans))
  r = convert_element_type(_safe_abs(abs(x)), get_aval(x).dtype)
  along = convert_element_type(real(mul(conj(ans), t)), get_aval(x).dtype)
  return div(sub(t, mul(ans, along)), r)


sign_p = unop("sign", np.sign, kinds="num")
defjvp(sign_p, _sign_jvp)
def sign(x): return sign_p.bind(x)

floor_p = unop("floor", np.floor)
defjvp_zero(floor_p)
def floor(x): return floor_p.bind(x)

ceil_p = unop("ceil", np.ceil)
defjvp_zero(ceil_p)
def ceil(x): return ceil_p.bind(x)

round_p = unop("round", np.round)
defjvp_zero(round_p)
def round(x): return round_p.bind(x)


# atan2(y, x): the angle of the point (x, y); d = (x dy - y dx) / (x² + y²)
atan2_p = naryop("atan2", np.arctan2, kinds="float")
defjvp(atan2_p, lambda t, ans, y, x: mul(t, div(x, add(mul(x, x), mul(y, y)))),
       lambda t, ans, y, x: mul(t, div(neg(y), add(mul(x, x), mul(y, y)))))
def atan2(y, x): return atan2_p.bind(y, x)


def _trunc(x):
  return mul(sign(x), floor(abs(x)))


# rem(x, y) = x - y trunc(x / y), the sign of x (C's fmod; NumPy's fmod)
rem_p = naryop("rem", np.fmod)
defjvp(rem_p, lambda t, ans, x, y: _bcast_like(t, ans),
       lambda t, ans, x, y: mul(neg(t), _trunc(div(x, y))))
def rem(x, y): return rem_p.bind(x, y)


# -- max / min: at ties each argument gets half the tangent, as in JAX --------

def _balanced_eq(x, ans, y):
  """1 where x alone attains ``ans``, 1/2 where x and y tie, 0 elsewhere."""
  one, half, zero = const(ans, 1), const(ans, 0.5), const(ans, 0)
  return select_n(eq(x, ans), zero, select_n(eq(y, ans), one, half))


max_p = naryop("max", np.maximum, kinds="any")
defjvp(max_p, lambda t, ans, x, y: mul(t, _balanced_eq(x, ans, y)),
       lambda t, ans, x, y: mul(t, _balanced_eq(y, ans, x)))
def max(x, y): return max_p.bind(x, y)

min_p = naryop("min", np.minimum, kinds="any")
defjvp(min_p, lambda t, ans, x, y: mul(t, _balanced_eq(x, ans, y)),
       lambda t, ans, x, y: mul(t, _balanced_eq(y, ans, x)))
def min(x, y): return min_p.bind(x, y)


# -- comparisons: boolean results, no derivative --------------------------------

def _comparison(name, impl):
  p = naryop(name, impl, kinds="any", out_dtype=np.dtype(bool))
  defjvp_zero(p)
  return p


eq_p = _comparison("eq", np.equal)
ne_p = _comparison("ne", np.not_equal)
lt_p = _comparison("lt", np.less)
le_p = _comparison("le", np.less_equal)
gt_p = _comparison("gt", np.greater)
ge_p = _comparison("ge", np.greater_equal)
def eq(x, y): return eq_p.bind(x, y)
def ne(x, y): return ne_p.bind(x, y)
def lt(x, y): return lt_p.bind(x, y)
def le(x, y): return le_p.bind(x, y)
def gt(x, y): return gt_p.bind(x, y)
def ge(x, y): return ge_p.bind(x, y)

# logical on booleans, bitwise on integers (as JAX's and_p/or_p/not_p)
and_p = naryop("and", np.bitwise_and, kinds="intbool")
or_p = naryop("or", np.bitwise_or, kinds="intbool")
not_p = unop("not", np.invert, kinds="intbool")
for _p in (and_p, or_p, not_p):
  defjvp_zero(_p)
def logical_and(x, y): return and_p.bind(x, y)
def logical_or(x, y): return or_p.bind(x, y)
def logical_not(x): return not_p.bind(x)


# -- select_n(which, *cases): cases[which], elementwise -------------------------

def _select_n_impl(which, *cases):
  if len(cases) == 2:
    return np.where(which, cases[1], cases[0])[()]
  return np.choose(np.asarray(which, np.int64), cases)[()]


select_n_p = naryop("select_n", _select_n_impl, kinds="any", skip_first=True)


def _select_n_jvp(primals, tangents):
  which, *cases = primals
  ans = select_n(which, *cases)
  case_ts = tangents[1:]
  if all(type(t) is Zero for t in case_ts):
    return ans, Zero(get_aval(ans))
  shape = get_aval(ans).shape
  case_ts = [shapes.broadcast_in_dim(t, shape, ()) if get_aval(t).shape != shape else t
             for t in map(instantiate, case_ts)]
  return ans, select_n(which, *case_ts)


def _select_n_transpose(ct, which, *cases):
  if is_undef(which):
    raise ValueError("select_n is not linear in its predicate")
  if type(ct) is Zero:
    return [None] + [None] * len(cases)
  zeros = shapes.full_like(ct, 0)
  return [None] + [_unbroadcast(select_n(which, *[ct if j == i else zeros for j in range(len(cases))]),
                                c.aval) if is_undef(c) else None for i, c in enumerate(cases)]


select_n_p.def_jvp(_select_n_jvp, symbolic_zeros=True)
select_n_p.def_transpose(_select_n_transpose)
def select_n(which, *cases): return select_n_p.bind(which, *cases)


# -- complex numbers: real, imag, conj, complex ----------------------------------
#
# Transposes follow JAX's convention: the transpose of a linear map L is taken with the
# bilinear pairing Re(sum(u * v)), with no conjugation (so mul by c transposes to mul by
# c), which makes grad of a real f of z = x + iy equal to df/dx - i df/dy.

def _to_real_eval(name):
  def abstract_eval(x: ShapedArray) -> ShapedArray:
    _check_kind(name, [x], "inexact")
    return ShapedArray(x.shape, real_dtype(x.dtype))
  return abstract_eval


real_p = Primitive("real", impl=lambda x: np.real(x)[()], abstract_eval=_to_real_eval("real"))
imag_p = Primitive("imag", impl=lambda x: np.imag(x)[()], abstract_eval=_to_real_eval("imag"))
conj_p = unop("conj", np.conjugate, kinds="inexact")


def _complex_impl(x, y):
  out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)), complex_dtype(np.result_type(x)))
  out.real, out.imag = x, y  # not x + 1j * y, which turns an infinite y into nan
  return out[()]


def _complex_abstract_eval(x: ShapedArray, y: ShapedArray) -> ShapedArray:
  _check_kind("complex", [x, y], "float")
  if x.dtype != y.dtype:
    raise TypeError(f"'complex' needs real and imaginary parts of one dtype, got "
                    f"{x.dtype.name} and {y.dtype.name}")
  return ShapedArray(naryop_shape("complex", x, y), complex_dtype(x.dtype))


complex_p = naryop("complex", _complex_impl, kinds="float")
complex_p.def_abstract_eval(_complex_abstract_eval)


def real(x):
  """The real part of a complex ``x`` (of a real ``x``: ``x``)."""
  return real_p.bind(x) if get_aval(x).dtype.kind == "c" else x


def imag(x):
  """The imaginary part of a complex ``x`` (real dtype)."""
  return imag_p.bind(x)


def conj(x):
  """The complex conjugate of ``x`` (of a real ``x``: ``x``)."""
  return conj_p.bind(x) if get_aval(x).dtype.kind == "c" else x


def complex(x, y):
  """``x + i y`` of two real arrays of one dtype (float64 -> complex128)."""
  return complex_p.bind(x, y)


def _zeros_of(x):
  return shapes.full_like(x, 0)


real_p.def_batching(lambda vals, dims: (real_p.bind(*vals), dims[0]))
imag_p.def_batching(lambda vals, dims: (imag_p.bind(*vals), dims[0]))
deflinear(real_p, lambda ct, x: [complex(ct, _zeros_of(ct))])
deflinear(imag_p, lambda ct, x: [complex(_zeros_of(ct), neg(ct))])
deflinear(conj_p, lambda ct, x: [conj(ct)])
deflinear(complex_p, lambda ct, x, y: [_unbroadcast(real(ct), x.aval) if is_undef(x) else None,
                                       _unbroadcast(neg(imag(ct)), y.aval) if is_undef(y) else None])


# -- dtype conversion and stop_gradient ----------------------------------------

def _convert_abstract_eval(x, *, new_dtype):
  return ShapedArray(x.shape, new_dtype)


convert_element_type_p = Primitive(
    "convert_element_type", impl=lambda x, *, new_dtype: np.asarray(x).astype(new_dtype)[()],
    abstract_eval=_convert_abstract_eval)


def _convert_impl(x, *, new_dtype):
  x = np.asarray(x)
  if x.dtype.kind == "c" and np.dtype(new_dtype).kind != "c":
    x = x.real  # warned about once, when the conversion is bound
  return x.astype(new_dtype)[()]


convert_element_type_p.impl = _convert_impl


def _convert_tangent(t, new_dtype):
  """A tangent (or cotangent) converted along: the real part when complex becomes real."""
  if get_aval(t).dtype.kind == "c" and np.dtype(new_dtype).kind != "c":
    t = real(t)
  return convert_element_type(t, new_dtype)


def _convert_jvp(primals, tangents, *, new_dtype):
  (x,), (t,) = primals, tangents
  ans = convert_element_type(x, new_dtype)
  if type(t) is Zero or not is_inexact(np.dtype(new_dtype)) or not is_inexact(get_aval(x).dtype):
    return ans, Zero.like(ans)
  return ans, _convert_tangent(t, new_dtype)


convert_element_type_p.def_jvp(_convert_jvp, symbolic_zeros=True)
convert_element_type_p.def_transpose(lambda ct, x, *, new_dtype: [
    _convert_tangent(ct, x.aval.dtype)])
convert_element_type_p.def_batching(lambda vals, dims, **params: (
    convert_element_type_p.bind(*vals, **params), dims[0]))


def convert_element_type(x, new_dtype):
  """``x`` as ``new_dtype``; complex to real keeps the real part, with NumPy's warning."""
  new_dtype = np.dtype(new_dtype)
  dtype = get_aval(x).dtype
  if dtype == new_dtype:
    return x
  if dtype.kind == "c" and new_dtype.kind != "c":
    warnings.warn("Casting complex values to real discards the imaginary part",
                  np.exceptions.ComplexWarning, stacklevel=2)
  return convert_element_type_p.bind(x, new_dtype=new_dtype)


stop_gradient_p = unop("stop_gradient", lambda x: x, kinds="any")
defjvp_zero(stop_gradient_p)


def stop_gradient(x):
  """The value of ``x``, treated as a constant by every derivative.

  A concrete result is a new array, never ``x``'s memory: NumPy arrays are mutable, and
  writing into the result (even inside a differentiated function, where it is a plain
  array) must not change the caller's ``x`` or what the derivative reads.

  >>> import numpy as np
  >>> x = np.ones(2)
  >>> y = stop_gradient(x)
  >>> y[0] = 5.0
  >>> x
  array([1., 1.])
  """
  out = stop_gradient_p.bind(x)
  if isinstance(out, np.ndarray):
    out = out.copy()
  return out
