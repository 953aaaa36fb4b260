"""Elementwise functions of vjpkit.numpy, one row each: values and dtypes equal NumPy's
(float64, float32, integers), JVP vs finite differences, VJP vs JVP, second order.

A row is ``name: (domain of each argument, order)``; the vjpkit and NumPy functions
are looked up by name. A domain is ``(lo, hi, points to keep away from)``.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import assert_values, check, seeds, uniform
from vjpkit.testing import check_grads

R = (-2.0, 2.0, ())
POS = (0.5, 2.0, ())
UNIT = (-0.9, 0.9, ())
NONZERO = (-2.0, 2.0, (0.0,))
# functions whose derivative is zero (or whose output is boolean) are checked to order 1 (or 0)
TABLE = {
    # unary
    "sin": ((R,), 2), "cos": ((R,), 2), "tan": (((-1.2, 1.2, ()),), 2),
    "arcsin": ((UNIT,), 2), "arccos": ((UNIT,), 2), "arctan": ((R,), 2),
    "sinh": ((R,), 2), "cosh": ((R,), 2), "tanh": ((R,), 2), "arcsinh": ((R,), 2),
    "arccosh": (((1.2, 3.0, ()),), 2), "arctanh": ((UNIT,), 2),
    "exp": ((R,), 2), "exp2": ((R,), 2), "expm1": ((R,), 2), "log": ((POS,), 2),
    "log2": ((POS,), 2), "log10": ((POS,), 2), "log1p": (((-0.5, 2.0, ()),), 2),
    "sqrt": ((POS,), 2), "cbrt": ((NONZERO,), 2), "square": ((R,), 2), "reciprocal": ((POS,), 2),
    "absolute": ((NONZERO,), 2), "fabs": ((NONZERO,), 2), "negative": ((R,), 2),
    "positive": ((R,), 2), "sign": ((NONZERO,), 1), "floor": ((R,), 1), "ceil": ((R,), 1),
    "trunc": ((R,), 1), "fix": ((R,), 1), "rint": ((R,), 1), "round": ((R,), 1),
    "deg2rad": ((R,), 2), "rad2deg": ((R,), 2), "radians": ((R,), 2), "degrees": ((R,), 2),
    "sinc": ((R,), 2), "nan_to_num": ((R,), 2), "real": ((R,), 2), "conj": ((R,), 2),
    "modf": ((R,), 2), "isnan": ((R,), 0), "isfinite": ((R,), 0), "isinf": ((R,), 0),
    "logical_not": ((R,), 0),
    # binary
    "add": ((R, R), 2), "subtract": ((R, R), 2), "multiply": ((R, R), 2),
    "divide": ((R, POS), 2), "true_divide": ((R, POS), 2), "power": ((POS, R), 2),
    "float_power": ((POS, R), 2), "maximum": ((R, R), 2), "minimum": ((R, R), 2),
    "fmax": ((R, R), 2), "fmin": ((R, R), 2), "hypot": ((NONZERO, NONZERO), 2),
    "arctan2": ((NONZERO, NONZERO), 2), "logaddexp": ((R, R), 2), "logaddexp2": ((R, R), 2),
    "floor_divide": ((R, POS), 1), "remainder": (((-3.0, 3.0, ()), POS), 2),
    "mod": (((-3.0, 3.0, ()), POS), 2), "fmod": (((-3.0, 3.0, ()), POS), 2),
    "divmod": ((R, POS), 1), "heaviside": ((NONZERO, R), 2),
    "equal": ((R, R), 0), "not_equal": ((R, R), 0), "less": ((R, R), 0),
    "less_equal": ((R, R), 0), "greater": ((R, R), 0), "greater_equal": ((R, R), 0),
    "logical_and": ((R, R), 0), "logical_or": ((R, R), 0), "logical_xor": ((R, R), 0),
    # with extra arguments
    "clip": ((R, (-1.5, 0.0, ()), (0.2, 1.5, ())), 2), "where": ((R, R, R), 2),
}

NP_NAMES = {"conj": "conjugate"}
BINARY_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1), (1, 3)), ((2, 1, 3), (4, 1)),
                 ((), ())]


def _functions(name):
  vf = getattr(vnp, name)
  nf = getattr(np, NP_NAMES.get(name, name))
  if name == "where":  # condition from the first argument's sign
    return (lambda c, x, y: vf(c > 0, x, y)), (lambda c, x, y: nf(c > 0, x, y))
  return vf, nf


def _draw_args(name, domains, shapes, seed, dtype=np.float64):
  rng = np.random.default_rng(seed)
  args = [uniform(rng, s, lo, hi, avoid, dtype) for s, (lo, hi, avoid) in zip(shapes, domains)]
  if name in ("maximum", "minimum", "fmax", "fmin", "clip"):  # keep away from ties
    for i in range(1, len(args)):
      close = np.abs(args[0] - args[i]) < 0.1
      args[0] = np.where(close, args[0] + 0.3, args[0]).astype(dtype)
  if name in ("hypot", "arctan2") and args[0].size:
    args[0] = np.where(np.abs(args[0]) < 0.3, 0.5, args[0]).astype(dtype)
  return args


def _shapes(n, k):
  if n == 1:
    return [[(), (1,), (3,), (2, 3), (2, 1, 3)][k % 5]]
  if n == 2:
    return list(BINARY_SHAPES[k % len(BINARY_SHAPES)])
  return [(2, 3), (3,), (2, 1)][:n]


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=6)
@given(k=st.integers(0, 5), seed=seeds)
def test_values_and_derivatives(name, k, seed):
  domains, order = TABLE[name]
  vf, nf = _functions(name)
  args = _draw_args(name, domains, _shapes(len(domains), k), seed)
  with np.errstate(all="ignore"):
    check(vf, nf, args, order, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=3)
@given(k=st.integers(0, 5), seed=seeds)
def test_float32_and_integer_inputs_follow_numpy(name, k, seed):
  domains, _ = TABLE[name]
  vf, nf = _functions(name)
  shapes = _shapes(len(domains), k)
  args32 = _draw_args(name, domains, shapes, seed, np.float32)
  with np.errstate(all="ignore"):
    assert_values(vf(*args32), nf(*args32), rtol=2e-6, atol=1e-6)
    ints = [np.asarray(np.round(a * 2), np.int64) for a in args32]
    if name in ("divide", "true_divide", "floor_divide", "remainder", "mod", "fmod", "divmod",
                "reciprocal", "power"):
      ints = [np.where(i == 0, 1, i) for i in ints]
    if name == "power":
      ints[1] = np.abs(ints[1])
    assert_values(vf(*ints), nf(*ints), rtol=1e-12)


def test_float32_gradients_stay_float32():
  x = np.linspace(0.1, 1.0, 4).astype(np.float32)
  for f in (vnp.sin, vnp.log2, vnp.hypot, vnp.logaddexp, vnp.sinc):
    g = vjpkit.grad(lambda x: vnp.sum(f(x, x) if f in (vnp.hypot, vnp.logaddexp) else f(x)))(x)
    assert g.dtype == np.float32


def test_python_scalars_are_weak():
  x = np.ones(2, np.float32)
  assert vnp.multiply(x, 2.5).dtype == np.float32
  assert vnp.add(np.arange(2), 1.5).dtype == np.float64
  assert vnp.sqrt(np.arange(3, dtype=np.int32)).dtype == np.float64


def test_integer_exponents_promote_like_numpy():
  # a NumPy integer scalar is not weak (float32 ** int64 is float64); bool ** 2 is int64
  for x, y in [(np.ones(2, np.float32), np.int64(2)), (np.ones(2, np.int32), np.int64(2)),
               (np.array([True, False]), 2), (np.ones(2, np.float32), 2)]:
    assert vnp.power(x, y).dtype == np.power(x, y).dtype


# -- values of derivatives at non-differentiable points (JAX's conventions) --------

def d(f, x):
  with np.errstate(divide="ignore"):
    return vjpkit.grad(f)(np.float64(x))


def test_conventions_at_kinks():
  assert d(vnp.abs, 0.0) == 1.0                                    # |x|' at 0 is 1
  assert d(lambda x: vnp.maximum(x, 1.0), 1.0) == 0.5              # ties share
  assert d(lambda x: vnp.minimum(x, 1.0), 1.0) == 0.5
  assert d(lambda x: vnp.clip(x, 0.0, 1.0), 1.0) == 0.5            # clip = min(max(.))
  assert d(vnp.sqrt, 0.0) == np.inf                                # infinite slope
  assert d(vnp.cbrt, 0.0) == np.inf
  assert d(vnp.sign, 0.0) == 0.0 and d(vnp.floor, 1.0) == 0.0 and d(vnp.round, 0.5) == 0.0
  assert d(lambda x: vnp.power(x, 2.0), 0.0) == 0.0
  assert d(lambda y: vnp.power(0.0, y), 2.0) == 0.0                # d/dy x**y at x = 0
  assert d(vnp.sinc, 0.0) == 0.0
  np.testing.assert_allclose(vjpkit.grad(vjpkit.grad(vnp.sinc))(0.0), -np.pi ** 2 / 3)
  assert d(lambda x: vnp.logaddexp(x, x), 0.0) == 1.0
  # hypot at (0, 0): JAX's convention, slope 1/2 for each argument
  assert vjpkit.grad(vnp.hypot, argnums=(0, 1))(0.0, 0.0) == (0.5, 0.5)
  np.testing.assert_array_equal(vjpkit.grad(vnp.linalg.norm)(np.zeros(2)), [0.0, 0.0])


def _sinc_derivative(x: float, k: int) -> float:
  """The k-th derivative of sinc at x from its Taylor series, in 60-digit decimals."""
  from decimal import Decimal, localcontext
  from math import factorial
  with localcontext() as ctx:
    ctx.prec = 60
    pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
    xd, s = Decimal(x), Decimal(0)
    for n in range((k + 1) // 2, 120):
      c = Decimal((-1) ** n * (factorial(2 * n) // factorial(2 * n - k))) / factorial(2 * n + 1)
      s += c * pi ** (2 * n) * (xd ** (2 * n - k) if 2 * n > k else 1)
    return float(s)


def test_sinc_derivatives_near_zero_are_accurate():
  # sin(z)/z cancels catastrophically in its derivatives next to 0 (grad(grad(sinc))(1e-9)
  # was 0.0, the third derivative there -4e11): the Taylor branch covers |pi x| < 2
  fs = [vnp.sinc]
  for _ in range(6):
    fs.append(vjpkit.grad(fs[-1]))
  xs = [0.0, 1e-20, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, -0.3, 0.63, 0.64, 1.5, 2.5]
  for k, f in enumerate(fs):
    got = vjpkit.vmap(f)(np.array(xs))
    for x, g in zip(xs, got):
      r = _sinc_derivative(x, k)
      assert abs(g - r) <= 1e-13 * max(abs(r), np.pi ** k * 1e-3), (k, x)
  x32 = np.array([0.0, 1e-9, 0.3, 0.7], np.float32)
  got = vjpkit.vmap(fs[2])(x32)
  assert got.dtype == np.float32
  np.testing.assert_allclose(got, [_sinc_derivative(float(x), 2) for x in x32], rtol=1e-5)
  with np.errstate(invalid="ignore"):
    np.testing.assert_array_equal(vnp.sinc(np.array([np.inf, np.nan])), [np.nan, np.nan])
    assert np.isnan(fs[1](np.inf))


def test_nan_and_inf_handling():
  assert_values(vnp.logaddexp(-np.inf, -np.inf), np.logaddexp(-np.inf, -np.inf))
  assert_values(vnp.logaddexp(np.inf, 1.0), np.inf)
  assert_values(vnp.hypot(np.inf, np.nan), np.hypot(np.inf, np.nan))
  assert_values(vnp.logaddexp(800.0, 800.0), np.logaddexp(800.0, 800.0))
  assert_values(vnp.hypot(1e300, 1e300), np.hypot(1e300, 1e300))
  g = vjpkit.grad(lambda x: vnp.sum(vnp.nan_to_num(x * 2.0)))(np.array([np.nan, 1.0, np.inf]))
  np.testing.assert_array_equal(g, [0.0, 2.0, 0.0])
  g = vjpkit.grad(lambda x: vnp.sum(vnp.where(x > 0, vnp.log(vnp.where(x > 0, x, 1.0)), 0.0)))(
      np.array([-1.0, 2.0]))
  np.testing.assert_array_equal(g, [0.0, 0.5])


def test_logaddexp_gradient_at_infinities():
  # the softmax weights' limits (were NaN: expm1(inf) times log1p's 1/inf); equal
  # infinities share like a finite tie
  inf = np.inf
  want = {(inf, 1.0): (1, 0), (1.0, inf): (0, 1), (-inf, 1.0): (0, 1), (1.0, -inf): (1, 0),
          (inf, -inf): (1, 0), (-inf, inf): (0, 1), (inf, inf): (0.5, 0.5),
          (-inf, -inf): (0.5, 0.5), (2.0, 2.0): (0.5, 0.5)}
  x, y = (np.array([k[i] for k in want]) for i in (0, 1))
  with np.errstate(all="raise"):  # and no inf - inf on the way
    for f, np_f in ((vnp.logaddexp, np.logaddexp), (vnp.logaddexp2, np.logaddexp2)):
      assert_values(f(x, y), np_f(x, y))
      for d in (vjpkit.grad(f, argnums=(0, 1)), vjpkit.jit(vjpkit.grad(f, argnums=(0, 1)))):
        got = vjpkit.vmap(d)(x, y)
        np.testing.assert_array_equal(np.stack(got, 1), list(want.values()))
  g = vjpkit.grad(vnp.logaddexp, argnums=(0, 1))(np.nan, 1.0)
  assert np.isnan(g[0]) and np.isnan(g[1])
  h = vjpkit.hessian(vnp.logaddexp, argnums=(0, 1))(1.0, 1.0)  # the tie: still smooth
  np.testing.assert_allclose(np.array(h, float), [[0.25, -0.25], [-0.25, 0.25]], rtol=1e-15)
  check_grads(vnp.logaddexp, (np.array([0.3, -2.0, 5.0]), np.array([0.3, 1.0, -40.0])), order=3)


def test_bool_inputs_match_numpy_eagerly_and_under_jit():
  # abs/square/reciprocal of bools raised under jit (eagerly they ran), square and conj
  # returned bool where NumPy computes in int8
  for x in (np.array([True, False]), np.True_, np.array([[False]])):
    for name in ("abs", "absolute", "square", "conj", "conjugate", "reciprocal", "real"):
      with np.errstate(divide="ignore", invalid="ignore"):  # reciprocal(False)
        want = getattr(np, name)(x)
        for f in (getattr(vnp, name), vjpkit.jit(getattr(vnp, name))):
          assert_values(f(x), want)


def test_real_only_functions_reject_complex_inputs():
  z = np.array([1 + 1j])
  for f in (vnp.cbrt, vnp.floor, vnp.hypot, vnp.fmod, vnp.arctan2, vnp.logaddexp, vnp.deg2rad):
    with pytest.raises(TypeError, match=r"vjpkit.numpy.\w+ does not support complex inputs"):
      f(z) if f in (vnp.cbrt, vnp.floor, vnp.deg2rad) else f(z, z)


def test_integer_outputs_carry_no_gradient():
  g = vjpkit.grad(lambda x: vnp.sum(vnp.floor_divide(x, 2.0) * x))(np.array([3.0, 5.0]))
  np.testing.assert_array_equal(g, [1.0, 2.0])
  with pytest.raises(TypeError, match="float"):
    vjpkit.grad(lambda x: vnp.sum(x > 0))(np.ones(2))


def test_floor_divide_of_booleans_is_int8_like_numpy():
  b, c = np.array([True, False, True]), np.array([True, True, True])
  out = vnp.floor_divide(b, c)
  assert out.dtype == np.floor_divide(b, c).dtype
  np.testing.assert_array_equal(out, np.floor_divide(b, c))


def test_trunc_fix_modf_keep_signs_of_zero_and_infinities_as_numpy():
  # modf's fraction was NaN at ±inf and +0.0 for negative integers; trunc(-0.0) was +0.0
  x = np.array([-np.inf, -2.5, -1.0, -0.0, 0.0, 0.5, 3.0, np.inf, np.nan, -1e300, 1e-310])
  for name in ("trunc", "fix", "modf"):
    with np.errstate(invalid="ignore"):
      want = getattr(np, name)(x)
      for got in (getattr(vnp, name)(x), vjpkit.jit(getattr(vnp, name))(x)):
        for g, w in zip(got if name == "modf" else (got,), want if name == "modf" else (want,)):
          np.testing.assert_array_equal(g, w)
          np.testing.assert_array_equal(np.signbit(g), np.signbit(w))
  assert vjpkit.grad(lambda x: vnp.modf(x)[0])(-2.5) == 1.0
  assert vjpkit.grad(lambda x: vnp.modf(x)[0])(-2.0) == 1.0


def test_isclose_heaviside_gcd_at_edges_as_numpy():
  # isclose called every finite value close to an infinity (an infinite tolerance), and
  # -inf close to inf; heaviside(nan) was 0; gcd/lcm of an array and a scalar raised
  v = np.array([-np.inf, -2.5, -0.0, 0.0, 1e-310, 1.0, 1e308, np.inf, np.nan])
  a, b = v[:, None], v[None, :]
  for kw in ({}, {"equal_nan": True}, {"rtol": 0.5, "atol": 1.0}):
    np.testing.assert_array_equal(vnp.isclose(a, b, **kw), np.isclose(a, b, **kw))
    np.testing.assert_array_equal(vjpkit.jit(lambda a, b: vnp.isclose(a, b, **kw))(a, b),
                                  np.isclose(a, b, **kw))
  z = np.array([complex(np.inf, 1), 1 + 1j, complex(1, np.inf)])
  np.testing.assert_array_equal(vnp.isclose(z[:, None], z[None, :]),
                                np.isclose(z[:, None], z[None, :]))
  with np.errstate(invalid="ignore"):
    np.testing.assert_array_equal(vnp.heaviside(a, b), np.heaviside(a, b))
  i = np.arange(-6, 7)
  for fn in ("gcd", "lcm"):
    np.testing.assert_array_equal(getattr(vnp, fn)(i, 4), getattr(np, fn)(i, 4))
    np.testing.assert_array_equal(getattr(vnp, fn)(6, i[:, None]), getattr(np, fn)(6, i[:, None]))
