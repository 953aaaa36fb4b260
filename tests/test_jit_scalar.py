"""jit of all-scalar float64 programs: Python math on floats, NumPy's values and types."""
from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.interpreters.codegen_scalar import agrees_with_numpy

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def _ulps(a, b) -> float:
  a, b = float(a), float(b)
  if a == b or (math.isnan(a) and math.isnan(b)):
    return 0.0
  if not (math.isfinite(a) and math.isfinite(b)):
    return math.inf
  return abs(a - b) / math.ulp(max(abs(a), abs(b)))


def _both(f, *args):
  """jit(f)(*args) twice (traced, then from the scalar path) and f(*args) eagerly."""
  jf = vjpkit.jit(f)
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    first, again, eager = jf(*args), jf(*args), f(*args)
  np.testing.assert_equal(first, again)
  return jf, again, eager


UNARY = {"sin": vnp.sin, "cos": vnp.cos, "tan": vnp.tan, "exp": vnp.exp, "log": vnp.log,
         "tanh": vnp.tanh, "sqrt": vnp.sqrt, "log1p": vnp.log1p, "expm1": vnp.expm1,
         "sinh": vnp.sinh, "cosh": vnp.cosh, "arcsin": vnp.arcsin, "arccos": vnp.arccos,
         "arctan": vnp.arctan, "arcsinh": vnp.arcsinh, "arccosh": vnp.arccosh,
         "arctanh": vnp.arctanh, "abs": vnp.abs, "negative": vnp.negative,
         "logistic": lax.logistic,
         # x ** 3 traces as vnp.power(x, 3) (integer_pow): np.power's value; eagerly on an
         # np.float64, ** is C's pow, which is not always correctly rounded (x ** 2 included)
         # nor NumPy's SIMD pow
         "cube": lambda x: vnp.power(x, 3), "square": lambda x: vnp.power(x, 2),
         # vnp.power, not **: on an np.float64, ** is NumPy's scalar math (C's pow), while
         # np.power (vjpkit's eager value) computes the exponents -1, 0.5, 2 as 1/x, sqrt, x*x
         "inverse": lambda x: vnp.power(x, -1), "pow_half": lambda x: vnp.power(x, 0.5),
         "pow_minus_one": lambda x: vnp.power(x, -1.0), "pow_two": lambda x: vnp.power(x, 2.0)}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(x=FLOATS)
def test_each_function_is_numpys_bit_for_bit_everywhere(name, x):
  fn = UNARY[name]
  jf, out, eager = _both(fn, np.float64(x))
  assert type(out) is np.float64
  assert _ulps(out, eager) == 0.0, (name, x, out, eager)
  # it did run as Python math (logistic only where math.exp is NumPy's exp)
  assert jf.lower(np.float64(x)).math_code() or (
      name == "logistic" and not agrees_with_numpy(math.exp, np.exp))


@given(x=FINITE, y=FINITE)
def test_arithmetic_is_bit_for_bit(x, y):
  def f(a, b):  # vnp.power: eagerly on an np.float64, ** is C's pow (see UNARY's "cube")
    return (a * b - a / (b * b + 1.0)) + (-a) * 3.0 - vnp.power(abs(b), 2)
  _, out, eager = _both(f, np.float64(x), np.float64(y))
  assert out == eager and type(out) is np.float64


@given(x=FLOATS, y=FLOATS)
def test_binary_functions(x, y):
  for f in (vnp.arctan2, vnp.power, vnp.hypot, vnp.floor_divide, vnp.remainder, lambda a, b: a / b):
    _, out, eager = _both(f, np.float64(x), np.float64(y))
    assert _ulps(out, eager) == 0.0, (f, x, y, out, eager)


@given(x=st.floats(min_value=-3, max_value=3))
def test_gradients_of_a_scalar_chain_match_eager(x):
  def f(x):
    xx = x * x
    return vnp.sin(x) * x + vnp.exp(x) / 2 + vnp.tanh(xx) - vnp.log(1 + xx) * vnp.cos(x)
  g = vjpkit.grad(f)
  jf, out, eager = _both(g, np.float64(x))
  assert jf.lower(np.float64(x)).math_code()
  np.testing.assert_allclose(out, eager, rtol=1e-14, atol=1e-300)
  h = vjpkit.jit(vjpkit.grad(g))   # second order as well
  np.testing.assert_allclose(h(x), vjpkit.grad(g)(x), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("f, x", [
    (vnp.log, 0.0), (vnp.log, -1.0), (vnp.log, -0.0), (vnp.sqrt, -1.0),
    (lambda x: 1.0 / x, 0.0), (lambda x: 1.0 / x, -0.0), (vnp.exp, 1000.0),
    (vnp.sin, np.inf), (vnp.cos, -np.inf), (lambda x: x ** 0.5, -2.0),
    (lambda x: vnp.power(x, -1.0), 0.0), (vnp.arcsin, 2.0), (vnp.log, np.nan),
    (lambda x: x * 1e300 * 1e300 - x * 1e300 * 1e300, 1.0), (vnp.expm1, 800.0),
])
def test_inf_and_nan_cases_are_numpys(f, x):
  _, out, eager = _both(f, np.float64(x))
  np.testing.assert_equal(out, eager)
  assert type(out) is np.float64
  assert math.copysign(1, out) == math.copysign(1, eager) or math.isnan(out)


def test_numpy_error_settings_apply():
  f = vjpkit.jit(lambda x: vnp.log(x) + 1.0)
  assert f(np.float64(1.0)) == 1.0
  with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
    f(np.float64(0.0))
  with pytest.warns(RuntimeWarning, match="divide by zero"):
    assert f(np.float64(0.0)) == -np.inf


def test_input_kinds_and_output_types_are_unchanged():
  f = vjpkit.jit(lambda x, y: vnp.sin(x) * y)
  expected = np.sin(0.5) * 2.0
  for args in [(np.float64(0.5), np.float64(2.0)), (0.5, 2.0), (np.array(0.5), 2.0),
               (np.float64(0.5), np.array(2.0))]:
    for _ in range(2):
      out = f(*args)
      assert type(out) is np.float64 and out == expected
  assert f.lower(0.5, 2.0).math_code()


def test_pytree_and_several_outputs():
  def f(x, y):
    return {"s": x + y, "p": (x * y, vnp.cos(x))}
  jf = vjpkit.jit(f)
  for _ in range(2):
    out = jf(np.float64(2.0), np.float64(3.0))
    assert out == {"s": 5.0, "p": (6.0, np.cos(2.0))}
    assert all(type(v) is np.float64 for v in (out["s"], *out["p"]))
  assert jf.lower(np.float64(2.0), np.float64(3.0)).math_code()
  g = vjpkit.jit(lambda x: (x, 2.0, [x * x]))
  for _ in range(2):
    a, b, (c,) = g(np.float64(3.0))
    assert (a, b, c) == (3.0, 2.0, 9.0) and {type(a), type(b), type(c)} == {np.float64}


@pytest.mark.parametrize("x", [np.float32(0.5), np.int64(3), np.complex128(1 + 2j), 1j, True, 3])
def test_other_dtypes_stay_on_numpy(x):
  f = vjpkit.jit(lambda x: x * 2 + 1)
  for _ in range(2):
    out = f(x)
    expected = x * 2 + 1
    assert out == expected and np.asarray(out).dtype == np.asarray(expected).dtype
  assert not f.lower(x).math_code()


def test_programs_with_other_primitives_stay_on_numpy():
  f = vjpkit.jit(lambda x: vnp.where(x > 0, x, 0.0) + vnp.maximum(x, 1.0))
  assert f(np.float64(2.0)) == 4.0 and f(np.float64(-2.0)) == 1.0
  assert not f.lower(np.float64(2.0)).math_code()


def test_functions_that_disagree_with_numpy_use_numpys_own():
  # on machines where NumPy's kernel and the C library differ (tanh on AVX-512), the
  # generated code calls NumPy's ufunc for that one operation
  f = vjpkit.jit(lambda x: vnp.tanh(x) * 2.0)
  assert f.lower(np.float64(1.0)).math_code()
  assert f(np.float64(0.3)) == np.tanh(np.float64(0.3)) * 2.0
  assert agrees_with_numpy(lambda x: x + 0.0, np.positive)
  assert not agrees_with_numpy(lambda x: x * (1 + 5e-16), np.positive)


def test_under_transforms_results_agree():
  f = vjpkit.jit(lambda x: vnp.sin(x) * vnp.exp(x))
  xs = np.linspace(-1, 1, 5)
  np.testing.assert_allclose(vjpkit.vmap(f)(xs), np.sin(xs) * np.exp(xs), rtol=1e-15)
  np.testing.assert_allclose(vjpkit.grad(f)(0.3),
                             np.cos(0.3) * np.exp(0.3) + np.sin(0.3) * np.exp(0.3), rtol=1e-14)


@contextlib.contextmanager
def libm():
  """``jit_scalar_libm`` on inside the block, off after it."""
  vjpkit.config.update("jit_scalar_libm", True)
  try:
    yield
  finally:
    vjpkit.config.update("jit_scalar_libm", False)


LIBM_NAMES = ["exp", "log", "tanh", "log1p", "expm1", "sinh", "cosh", "arccosh", "logistic"]


@pytest.mark.parametrize("name", LIBM_NAMES)
@given(x=FINITE)
def test_libm_setting_calls_the_c_library_within_a_few_ulps(name, x):
  fn = UNARY[name]
  with libm():
    jf, out, eager = _both(fn, np.float64(x))
    code = jf.lower(np.float64(x)).math_code()
  assert type(out) is np.float64
  assert _ulps(out, eager) <= 4, (name, x, out, eager)
  assert code and not any(isinstance(v, np.ufunc) for v in code.__globals__.values())


def test_libm_setting_recompiles_cached_scalar_code():
  f = vjpkit.jit(lambda x: vnp.tanh(x) + vnp.exp(x) + vnp.log(x))
  x = np.float64(0.3)
  exact = f(x)
  assert exact == np.tanh(x) + np.exp(x) + np.log(x)   # bit for bit by default
  assert any(isinstance(v, np.ufunc) for v in f.lower(x).math_code().__globals__.values()) \
      or agrees_with_numpy(math.tanh, np.tanh)
  with libm():
    assert f(x) == math.tanh(0.3) + math.exp(0.3) + math.log(0.3)  # the same cache entry
    assert f.cache_info().misses == 1
    g = vjpkit.jit(vjpkit.grad(lambda x: vnp.exp(vnp.tanh(x))))
    np.testing.assert_allclose(g(x), math.exp(math.tanh(0.3)) * (1 - math.tanh(0.3) ** 2),
                               rtol=1e-15)
    with np.errstate(divide="ignore"):
      assert f(np.float64(0.0)) == -np.inf   # math.log(0) raises: NumPy's code redoes it
  assert f(x) == exact
