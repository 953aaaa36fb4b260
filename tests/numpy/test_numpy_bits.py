"""NumPy's numbers bit for bit (signs of zero, NaN, inf, last bits), eagerly, under jit
(array and all-scalar paths) and vmap; derivatives against JAX's (hard-coded values)."""
import itertools

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax

FLOATS = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -3.0, 7.0, -7.0, 1e-300, -1e-300, 5e-324,
          1e300, -1e300, np.inf, -np.inf, np.nan]
INTS = [0, 1, -1, 3, -3, 7, -7, 127, -128]


def same(got, want) -> bool:
  """Equal values, dtypes and signs of zero; NaN equals NaN."""
  got, want = np.asarray(got), np.asarray(want)
  if got.dtype != want.dtype or got.shape != want.shape:
    return False
  if want.dtype.kind == "f":
    return bool(np.array_equal(got, want, equal_nan=True)
                and np.array_equal(np.signbit(got), np.signbit(want)))
  return bool(np.array_equal(got, want))


def pairs(dtype):
  vals = FLOATS if np.dtype(dtype).kind == "f" else INTS
  xs, ys = zip(*itertools.product(vals, vals))
  with np.errstate(all="ignore"):
    return np.array(xs).astype(dtype), np.array(ys).astype(dtype)


DIVISIONS = {
    "floor_divide": (vnp.floor_divide, np.floor_divide),
    "remainder": (vnp.remainder, np.remainder),
    "mod": (vnp.mod, np.mod),
    "fmod": (vnp.fmod, np.fmod),
    "divmod0": (lambda a, b: vnp.divmod(a, b)[0], lambda a, b: np.divmod(a, b)[0]),
    "divmod1": (lambda a, b: vnp.divmod(a, b)[1], lambda a, b: np.divmod(a, b)[1]),
    "//": (lambda a, b: a // b, lambda a, b: a // b),
    "%": (lambda a, b: a % b, lambda a, b: a % b),
}


def check_everywhere(vf, nf, x, y, scalars=True):
  """``vf`` equals NumPy's ``nf`` eagerly, under jit (arrays, and element by element on
  the all-scalar path) and under vmap."""
  with np.errstate(all="ignore"):
    want = nf(x, y)
    assert same(vf(x, y), want)
    assert same(vjpkit.jit(vf)(x, y), want)
    assert same(vjpkit.vmap(vf)(x, y), want)
    if scalars:
      jf = vjpkit.jit(vf)
      for i in range(len(x)):
        assert same(jf(x[i], y[i]), nf(x[i], y[i])), (x[i], y[i])


@pytest.mark.parametrize("name", sorted(DIVISIONS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int8])
def test_division_family_signs_of_zero_inf_nan(name, dtype):
  vf, nf = DIVISIONS[name]
  x, y = pairs(dtype)
  if name in ("//", "%"):  # operators: on traced values (eager ndarrays are NumPy's own)
    check_everywhere(lambda a, b: vf(a * 1, b * 1), nf, x, y, scalars=dtype == np.float64)
  else:
    check_everywhere(vf, nf, x, y, scalars=dtype == np.float64)


def test_division_family_uint8_and_bool():
  x, y = np.array([0, 1, 3, 7, 200, 255], np.uint8), np.array([255, 7, 3, 1, 200, 0], np.uint8)
  for vf, nf in DIVISIONS.values():
    check_everywhere(vf, nf, x, y, scalars=False)
  b = np.array([True, False, True]), np.array([True, True, True])
  for name in ("floor_divide", "remainder", "divmod0", "divmod1"):
    vf, nf = DIVISIONS[name]
    check_everywhere(vf, nf, *b, scalars=False)


def test_zero_results_take_numpys_signs():
  # the cases reported: remainder's zero has the divisor's sign, floor_divide's the quotient's
  assert same(vnp.remainder(0.0, -3.0), np.float64(-0.0))
  assert same(vnp.remainder(-0.0, 3.0), np.float64(0.0))
  assert same(vnp.remainder(6.0, -3.0), np.float64(-0.0))
  assert same(vnp.floor_divide(-0.0, 3.0), np.float64(-0.0))
  assert same(vnp.floor_divide(0.0, -3.0), np.float64(-0.0))
  assert same(vjpkit.jit(vnp.floor_divide)(-0.0, 3.0), np.float64(-0.0))
  assert same(vjpkit.jit(vnp.remainder)(0.0, -3.0), np.float64(-0.0))


def test_integer_division_at_the_smallest_integer():
  # lax.div (toward zero) took abs(-128) == -128 in int8: 1 // -128 was 0, -128 // 3 was 42
  x = np.array([1, -1, 127, -128, -128, -128], np.int8)
  y = np.array([-128, -128, -128, 3, -3, 1], np.int8)
  assert same(vnp.floor_divide(x, y), np.floor_divide(x, y))
  want = np.array([0, 0, 0, -42, 42, -128], np.int8)  # C's truncating division
  assert same(lax.div(x, y), want)
  assert same(vjpkit.jit(lax.div)(x, y), want)
  assert same(lax.div(np.int8(-128), np.int8(3)), np.int8(-42))


def test_remainder_derivatives_match_jax():
  # jax.grad(jnp.remainder, (0, 1)): (1, -floor(x / y)), also at exact multiples
  g = vjpkit.grad(vnp.remainder, argnums=(0, 1))
  assert g(0.0, -3.0) == (1.0, 0.0)
  assert g(7.0, -2.0) == (1.0, 4.0)
  assert g(-5.5, 2.0) == (1.0, 3.0)
  assert g(6.0, 3.0) == (1.0, -2.0)
  jg = vjpkit.jit(vjpkit.grad(lambda x, y: vnp.sum(vnp.remainder(x, y)), argnums=(0, 1)))
  gx, gy = jg(np.array([0.0, 7.0, -5.5, 6.0]), np.array([-3.0, -2.0, 2.0, 3.0]))
  np.testing.assert_array_equal(gx, [1.0, 1.0, 1.0, 1.0])
  np.testing.assert_array_equal(gy, [0.0, 4.0, 3.0, -2.0])
  assert vjpkit.grad(vnp.floor_divide)(7.0, 2.0) == 0.0
  assert same(vjpkit.vmap(vjpkit.grad(vnp.remainder, argnums=1))(
      np.array([7.0, -5.5]), np.array([-2.0, 2.0])), np.array([4.0, 3.0]))


HYPOT_POINTS = [0.0, -0.0, 1.0, -1.0, 3.0, -4.0, 0.1, 1e-310, 5e-324, 1e300, -1e300, 1e-200,
                np.inf, -np.inf, np.nan, 0.7071067811865476, 123456.789]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hypot_is_numpys(dtype):
  with np.errstate(over="ignore"):
    x, y = (np.array(v, dtype) for v in zip(*itertools.product(HYPOT_POINTS, HYPOT_POINTS)))
  rng = np.random.default_rng(0)
  x = np.concatenate([x, rng.normal(size=2000).astype(dtype)])
  y = np.concatenate([y, rng.normal(size=2000).astype(dtype) * 10])
  check_everywhere(vnp.hypot, np.hypot, x, y, scalars=dtype == np.float64)
  assert same(vnp.hypot(3, 4), np.hypot(3, 4))  # integers promote to float64


def test_hypot_derivatives():
  g = vjpkit.grad(vnp.hypot, argnums=(0, 1))
  assert g(3.0, -4.0) == (0.6, -0.8)
  assert g(0.0, 0.0) == (0.5, 0.5)  # JAX's convention (its maximum's tie)
  assert g(-0.0, 0.0) == (0.5, 0.5)
  assert g(0.0, -3.0) == (0.0, -1.0)
  assert g(np.inf, 1.0) == (0.0, 0.0)  # infinite result: slopes 0, no NaN
  jg = vjpkit.jit(vjpkit.grad(lambda x, y: vnp.sum(vnp.hypot(x, y)), argnums=(0, 1)))
  gx, gy = jg(np.array([3.0, 0.0, 1e300]), np.array([-4.0, 0.0, 1e300]))
  big = 1e300 / np.hypot(1e300, 1e300)
  np.testing.assert_array_equal(gx, [0.6, 0.5, big])
  np.testing.assert_array_equal(gy, [-0.8, 0.5, big])
  vg = vjpkit.vmap(vjpkit.grad(vnp.hypot))(np.array([3.0, 0.0]), np.array([4.0, 0.0]))
  np.testing.assert_array_equal(vg, [0.6, 0.5])
  # second derivative: d²/dx² hypot = y² / h³
  np.testing.assert_allclose(vjpkit.grad(vjpkit.grad(vnp.hypot))(3.0, 4.0), 16 / 125)
  # hypot broadcasts a scalar against an array, under grad too
  np.testing.assert_array_equal(
      vjpkit.grad(lambda y: vnp.sum(vnp.hypot(3.0, y)))(np.array([4.0, 0.0])), [0.8, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int8])
@pytest.mark.parametrize("y", [0, 1, 2, 3, 4, -1, -2, 5])
def test_integer_powers_are_np_power_eagerly_and_under_jit(dtype, y):
  # x ** 3 was np.power eagerly but x * x * x under jit: 1 ulp apart on ~28% of elements
  rng = np.random.default_rng(y + 10)
  if np.dtype(dtype).kind == "f":
    with np.errstate(over="ignore"):
      x = np.concatenate([rng.normal(size=3000) * 3, FLOATS]).astype(dtype)
  elif y < 0:
    return  # integers to negative powers raise, as NumPy
  else:
    x = np.array(INTS, dtype)
  with np.errstate(all="ignore"):
    want = np.power(x, y)
    for f in (lambda a: a ** y, lambda a: vnp.power(a, y), lambda a: lax.integer_pow(a, y)):
      assert same(f(x), want)
      assert same(vjpkit.jit(f)(x), want)
      assert same(vjpkit.vmap(f)(x), want)
    if dtype == np.float64:
      jf = vjpkit.jit(lambda a: a ** y)
      for v in x[:300].tolist() + FLOATS:
        assert same(jf(np.float64(v)), np.power(np.float64(v), y)), v


@pytest.mark.parametrize("y", [0.5, -1.0, 2.0, 3.0, -0.5, 1.0, 0.0, 1.5])
def test_float_powers_follow_numpys_loop(y):
  # np.power computes the exponents 0.5, -1 and 2 as sqrt, 1 / x and x * x (not C's pow:
  # 1 ulp apart at times, and pow(-inf, 0.5) is inf where NumPy gives NaN)
  rng = np.random.default_rng(7)
  x = np.concatenate([np.abs(rng.normal(size=3000)) * 3, FLOATS])
  with np.errstate(all="ignore"):
    want = np.power(x, y)
    for f in (lambda a: a ** y, lambda a: vnp.power(a, y)):
      assert same(f(x), want)
      assert same(vjpkit.jit(f)(x), want)
    jf = vjpkit.jit(lambda a: a ** y)
    jv = vjpkit.jit(lambda a, b: a ** b)  # the exponent a traced value
    for v in x[:400].tolist() + FLOATS:
      assert same(jf(np.float64(v)), np.power(np.float64(v), y)), v
      assert same(jv(np.float64(v), np.float64(y)), np.power(np.float64(v), y)), v


def test_scalar_probe_demands_bits_at_all_magnitudes():
  import math

  from vjpkit.interpreters.codegen_scalar import agrees_with_numpy

  # sqrt is correctly rounded in both (IEEE), so it agrees on every machine; asinh, tanh,
  # exp, ... agree only where NumPy's kernels are the C library's
  def off_by_one_ulp_above(limit):
    def f(x):
      r = math.sqrt(x)
      return math.nextafter(r, math.inf) if abs(x) > limit else r
    return f

  def off_at_subnormals(x):
    return math.nextafter(math.sin(x), math.inf) if 0 < abs(x) < 1e-307 else math.sin(x)

  assert agrees_with_numpy(math.sqrt, np.sqrt, "positive")
  assert not agrees_with_numpy(off_by_one_ulp_above(1e250), np.sqrt, "positive")  # 1e300 probed
  assert not agrees_with_numpy(off_by_one_ulp_above(1e9), np.sqrt, "positive")    # 1e10 probed
  assert not agrees_with_numpy(off_at_subnormals, np.sin)
  # where the math function disagrees, the scalar path calls NumPy's ufunc on the float
  for v in (1e-300, 1e-10, 1e10, 1e300, 5e-324, -1e300, -5e-324):
    for f in (vnp.arcsinh, vnp.tanh, vnp.sinh, vnp.arctan, vnp.exp, vnp.log1p, vnp.expm1):
      with np.errstate(all="ignore"):
        want = f(np.float64(v))
        assert same(vjpkit.jit(f)(np.float64(v)), want), (f, v)
    assert same(vjpkit.jit(vnp.hypot)(np.float64(v), np.float64(0.5)), np.hypot(v, 0.5))


def same_parts(got, want) -> bool:
  """``same`` for complex values part by part (a NaN part equals a NaN part)."""
  got, want = np.asarray(got), np.asarray(want)
  if want.dtype.kind == "c":
    return got.dtype == want.dtype and same(got.real, want.real) and same(got.imag, want.imag)
  return same(got, want)


COMPLEX = [1 + 0j, complex(np.inf, 0), complex(0, np.inf), complex(np.inf, np.inf),
           complex(-np.inf, 1), complex(np.nan, 0), 0j, complex(2, -3), complex(-0.0, 0.0),
           complex(1e300, 1e300)]


def test_prod_of_complex_infinities_is_numpys():
  # a balanced tree, padded with 1 + 0j, met inf * 0 where NumPy's sequential order does not
  xs = np.array(list(itertools.product(COMPLEX, repeat=3)))
  with np.errstate(all="ignore"):
    for vf, nf in ((vnp.prod, np.prod), (vnp.nanprod, np.nanprod)):
      want = nf(xs, axis=1)
      assert same_parts(vf(xs, axis=1), want)
      assert same_parts(vjpkit.jit(lambda a: vf(a, axis=1))(xs), want)
      assert same_parts(vjpkit.vmap(vf)(xs), want)
      for row in xs[:200]:
        assert same_parts(vjpkit.jit(vf)(row), nf(row))


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_prod_values_are_numpys_order_of_multiplication(axis):
  rng = np.random.default_rng(3)
  x = rng.uniform(0.5, 2, (7, 33))
  assert same(vnp.prod(x, axis=axis), np.prod(x, axis=axis))
  assert same(vjpkit.jit(lambda a: vnp.prod(a, axis=axis))(x), np.prod(x, axis=axis))
  assert same(lax.reduce_prod(x, (1,)), np.prod(x, axis=1))
  i8 = np.array([[100, 2, 3], [-128, 1, 2]], np.int8)
  assert same(lax.reduce_prod(i8, (1,)), np.multiply.reduce(i8, axis=1, dtype=np.int8))
  assert same(vnp.prod(i8, axis=axis), np.prod(i8, axis=axis))  # int64, as NumPy


def test_prod_derivatives_stay_exact_at_zeros():
  g = vjpkit.grad(vnp.prod)
  np.testing.assert_array_equal(g(np.array([2.0, 0.0, 3.0, 4.0, 5.0])), [0, 120, 0, 0, 0])
  np.testing.assert_array_equal(g(np.array([2.0, 0.0, 3.0, 0.0, 5.0])), [0, 0, 0, 0, 0])
  np.testing.assert_array_equal(vjpkit.jit(g)(np.array([2.0, 0.0, 3.0])), [0, 6, 0])
  np.testing.assert_array_equal(vjpkit.hessian(vnp.prod)(np.array([1.0, 2.0, 3.0])),
                                [[0, 3, 2], [3, 0, 1], [2, 1, 0]])
  np.testing.assert_array_equal(vjpkit.vmap(g)(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
                                [[6, 3, 2], [30, 24, 20]])
  jf = vjpkit.jacfwd(lambda a: vnp.prod(a, axis=0))(np.array([[1.0, 2.0], [3.0, 4.0]]))
  np.testing.assert_array_equal(jf, [[[3, 0], [1, 0]], [[0, 4], [0, 2]]])
  z = np.array([1 + 2j, 3 - 1j, 0.5j])
  _, t = vjpkit.jvp(vnp.prod, (z,), (np.array([1, 0, 0], complex),))
  np.testing.assert_allclose(t, (3 - 1j) * 0.5j)


def test_median_of_complex_nans_is_numpys():
  # NumPy returns the entry that sorts last (0+nanj, nan+2j), not nan+0j
  cases = [[1 + 1j, complex(np.nan, 0), 3], [1 + 1j, complex(0, np.nan), 3],
           [1 + 1j, complex(0, np.nan), 3, 2], [complex(np.nan, 1), complex(np.nan, 2), 3],
           [1 + 2j, 2 + 1j, 1 + 1j, 2 - 1j], [complex(np.inf, 0), 1, 2, complex(np.inf, 1)]]
  with np.errstate(all="ignore"):
    for c in cases:
      x = np.array(c, complex)
      assert same_parts(vnp.median(x), np.median(x)), c
      assert same_parts(vjpkit.jit(vnp.median)(x), np.median(x)), c
    x = np.array([[1 + 1j, complex(np.nan, np.nan)], [2, complex(0, np.nan)]])
    for axis in (None, 0, 1, (0, 1)):
      assert same_parts(vnp.median(x, axis=axis), np.median(x, axis=axis))
      assert same_parts(vnp.median(x, axis=axis, keepdims=True),
                        np.median(x, axis=axis, keepdims=True))
    r = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    assert same(vnp.median(r, axis=1), np.median(r, axis=1))
  np.testing.assert_array_equal(vjpkit.grad(vnp.median)(np.array([3.0, 1.0, 2.0, 5.0])),
                                [0.5, 0, 0.5, 0])


def test_i0_values_are_numpys_and_its_derivative_is_i1():
  import scipy.special as sc

  from vjpkit.lax.elementwise_numpy import _i0_with
  rng = np.random.default_rng(5)
  x = np.concatenate([FLOATS, [700.0, 720.0, -8.0, 8.0, 8.5], rng.normal(size=3000) * 20])
  with np.errstate(all="ignore"):
    for dtype in (np.float64, np.float32):
      xd = x.astype(dtype)
      want = np.i0(xd)
      assert same(vnp.i0(xd), want)
      assert same(vjpkit.jit(vnp.i0)(xd), want)
      assert same(vjpkit.vmap(vnp.i0)(xd), want)
    assert same(_i0_with(np, x), np.i0(x))  # the array-API rule's algorithm, on NumPy
  g = vjpkit.grad(vnp.i0)
  assert g(0.0) == 0.0 and g(-0.0) == 0.0  # was -2.2e-16 (the series' rounding)
  for v in (1e-300, 1e-12, 1e-4, 0.5, 3.0, 9.0, -2.0, 30.0):
    assert g(v) == sc.i1(v), v  # was 0.0139% off at 1e-12, of the wrong sign at 1e-300
  assert vjpkit.grad(g)(0.0) == 0.5  # I0''(0) = 1/2
  assert vjpkit.jit(g)(0.0) == 0.0
  np.testing.assert_array_equal(vjpkit.vmap(g)(np.array([0.0, 1.0])), sc.i1([0.0, 1.0]))
  assert same(vnp.kaiser(7, 3.0), np.kaiser(7, 3.0))


def _close_or_same(got, want, ulps=4):
  got, want = np.asarray(got, float), np.asarray(want, float)
  exact = (got == want) & (np.signbit(got) == np.signbit(want))
  both_nan = np.isnan(got) & np.isnan(want)
  finite = np.isfinite(got) & np.isfinite(want)
  near = finite & (np.abs(got - want) <= ulps * np.spacing(np.maximum(np.abs(got), np.abs(want))))
  return exact | both_nan | near


def test_boxcox_edges_are_scipys():
  import scipy.special as sc

  import vjpkit.scipy.special as vsc
  xs = [0.0, -0.0, 1.0, 2.5, 0.5, -1.0, -0.5, 1e-300, 1e300, np.inf, -np.inf, np.nan, -2.0, 3.0]
  ls = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-20, -1e-20, 1e-19, 9e-20, np.inf, -np.inf, np.nan,
        1e300, -1e300, 3.0, 1e-10]
  x, lm = (np.array(v) for v in zip(*itertools.product(xs, ls)))
  with np.errstate(all="ignore"):
    for vf, nf in ((vsc.boxcox, sc.boxcox), (vsc.boxcox1p, sc.boxcox1p)):
      want = nf(x, lm)
      for f in (vf, vjpkit.jit(vf), vjpkit.vmap(vf)):
        ok = _close_or_same(f(x, lm), want)
        assert ok.all(), list(zip(x[~ok], lm[~ok]))
    # inverses: SciPy's values but where SciPy itself underflows (tiny λ: inv_boxcox(2.5,
    # 5e-324) is e² there, inv_boxcox1p(1, 1e-300) is 1; vjpkit keeps the true values)
    keep = np.abs(lm) >= 1e-19
    keep &= ~((x == 1e300) & (lm == 3.0))  # (1 + 3e300)^(1/3): both ~1e-14 off, differently
    for vf, nf in ((vsc.inv_boxcox, sc.inv_boxcox), (vsc.inv_boxcox1p, sc.inv_boxcox1p)):
      want = nf(x, lm)
      for f in (vf, vjpkit.jit(vf)):
        ok = _close_or_same(f(x, lm), want) | ~keep
        assert ok.all(), list(zip(x[~ok], lm[~ok]))
  # the cases reported: x = inf, λ = ±inf/NaN, |λ| < 1e-19 at the pole, y = ±inf
  assert vsc.boxcox(np.inf, -1.0) == 1.0 and vsc.boxcox(np.inf, -np.inf) == 0.0
  assert vsc.boxcox(np.inf, 0.5) == np.inf and np.isnan(vsc.boxcox(np.inf, np.inf))
  assert vsc.boxcox(0.0, 1e-20) == -np.inf and vsc.boxcox(0.0, 1e-19) == -1e19
  assert np.isnan(vsc.boxcox(0.0, -np.inf)) and np.isnan(vsc.boxcox(0.0, np.nan))
  assert vsc.inv_boxcox(-np.inf, -1.0) == 0.0 and vsc.inv_boxcox(np.inf, 0.0) == np.inf
  assert vsc.inv_boxcox1p(-np.inf, 0.0) == -1.0 and vsc.inv_boxcox(1e300, 1e300) == 1.0
  # derivatives through λ = 0 are unchanged
  assert vjpkit.grad(vsc.boxcox, argnums=1)(np.e, 0.0) == 0.5
  np.testing.assert_allclose(vjpkit.grad(vsc.inv_boxcox, argnums=1)(1.0, 0.0), -np.e / 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logaddexp2_is_numpys_algorithm(dtype):
  # was logaddexp(x ln2, y ln2) / ln2: ~37% of float64 results 1 ulp or more off
  rng = np.random.default_rng(11)
  x = np.concatenate([rng.normal(size=3000) * 5, FLOATS[:8], [np.inf, -np.inf, np.inf, 1.0]])
  y = np.concatenate([rng.normal(size=3000) * 5, FLOATS[8:16], [np.inf, -np.inf, -np.inf, 1.0]])
  with np.errstate(all="ignore"):
    x, y = x.astype(dtype), y.astype(dtype)
    check_everywhere(vnp.logaddexp2, np.logaddexp2, x, y, scalars=dtype == np.float64)
    if dtype == np.float64:
      check_everywhere(vnp.logaddexp, np.logaddexp, x, y, scalars=False)
  g = vjpkit.grad(vnp.logaddexp2, argnums=(0, 1))
  assert g(1.0, 1.0) == (0.5, 0.5) and g(np.inf, 1.0) == (1.0, 0.0)
  assert g(np.inf, np.inf) == (0.5, 0.5)
  np.testing.assert_allclose(g(0.0, 3.0), (1 / 9, 8 / 9), rtol=1e-15)


def test_gcd_lcm_at_the_smallest_integer():
  x = np.array([127, -128, -128, -128, 12, 0], np.int8)
  y = np.array([-128, 127, 0, -128, -18, 0], np.int8)
  for f, nf in ((vnp.gcd, np.gcd), (vnp.lcm, np.lcm)):
    with np.errstate(all="ignore"):
      assert same(f(x, y), nf(x, y))
      assert same(vjpkit.jit(f)(x, y), nf(x, y))
