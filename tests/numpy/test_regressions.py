"""Regression tests for wrong numbers found in review, one per finding."""
import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.testing import check_grads


@pytest.mark.parametrize("args", [(-1, 0, 3), (-2.5, 2.5, 5), (0, 10, 7), (3, -3, 4)])
def test_linspace_integer_dtype_floors_like_numpy(args):
  # the cast truncated toward 0: linspace(-1, 0, 3, dtype=int) gave [-1, 0, 0], NumPy [-1, -1, 0]
  expected = np.linspace(*args, dtype=np.int64)
  np.testing.assert_array_equal(vnp.linspace(*args, dtype=np.int64), expected)
  jitted = vjpkit.jit(lambda s, e: vnp.linspace(s, e, args[2], dtype=np.int64))
  np.testing.assert_array_equal(jitted(float(args[0]), float(args[1])), expected)


def test_diagonal_is_a_read_only_view_like_numpy():
  # vjpkit's diagonal/diag were writable views: writing into them changed the input
  x = np.arange(9.0).reshape(3, 3)
  for d in (vnp.diagonal(x), vnp.diag(x), vnp.diagonal(x, 1)):
    assert not d.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
      d[0] = -1.0
  np.testing.assert_array_equal(x, np.arange(9.0).reshape(3, 3))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum", "fmax", "fmin"])
def test_boolean_arithmetic_is_logical_under_every_transform(name):
  # NumPy: add/maximum of booleans are `or`, multiply/minimum `and`; eagerly vjpkit agreed,
  # but under jit and vmap the primitive rejected booleans ("'mul' does not accept bool")
  a = np.array([True, False, True, False])
  b = np.array([True, True, False, False])
  ref = getattr(np, name)(a, b)
  fn = getattr(vnp, name)
  for f in (fn, vjpkit.jit(fn), vjpkit.vmap(fn), vjpkit.jit(vjpkit.vmap(fn))):
    np.testing.assert_array_equal(f(a, b), ref, strict=True)
  np.testing.assert_array_equal(vjpkit.jit(lambda x, y: x * y + x)(a, b), a * b + a, strict=True)
  np.testing.assert_array_equal(vjpkit.jit(lambda x: x + 1)(a), a + 1, strict=True)


def test_signbit_and_copysign_read_the_sign_bit_of_nans_under_jit():
  # traced signbit was atan2(x, -1) < 0: False for NaNs with the sign bit (NumPy: True)
  x = np.array([0.5, -0.0, np.inf, np.nan, -2.5, 1e-310, -np.nan, -np.inf, 0.0])
  for dtype in (np.float64, np.float32):
    xs = x.astype(dtype)
    for f in (vnp.signbit, vjpkit.jit(vnp.signbit), vjpkit.vmap(vnp.signbit)):
      np.testing.assert_array_equal(f(xs), np.signbit(xs), strict=True)
    np.testing.assert_array_equal(vjpkit.jit(vnp.copysign)(np.ones(9, dtype), xs),
                                  np.copysign(np.ones(9, dtype), xs), strict=True)
  assert "signbit" in str(vjpkit.make_jaxpr(vnp.signbit)(x))


@pytest.mark.parametrize("decimals", [0, 1, -1])
def test_round_of_complex_rounds_each_part_under_jit_too(decimals):
  # eagerly NumPy's round ran; traced, the primitive rejected complex values
  z = np.array([1.25 + 2.5j, -0.5 - 1.55j, np.inf + np.nan * 1j, -0.4j])
  for dtype in (np.complex128, np.complex64):
    zs = z.astype(dtype)
    ref = np.round(zs, decimals)
    for f in (vnp.round, vjpkit.jit(vnp.round, static_argnums=1)):
      out = f(zs, decimals)
      np.testing.assert_array_equal(out, ref, strict=True)
      np.testing.assert_array_equal(np.signbit(out.real), np.signbit(ref.real))
      np.testing.assert_array_equal(np.signbit(out.imag), np.signbit(ref.imag))


@pytest.mark.parametrize("name", ["log2", "log10"])
def test_log2_and_log10_are_numpys_exact_at_powers_of_the_base(name):
  # log(x) / log(10) rounded: vnp.log10(1000) was 2.9999999999999996, int() of it 2
  ref_fn, fn = getattr(np, name), getattr(vnp, name)
  base = 2.0 if name == "log2" else 10.0
  x = np.array([base ** k for k in range(-8, 9)] + [0.3, 7.0, 0.0, -1.0, np.inf, np.nan, 5e-324])
  with np.errstate(all="ignore"):
    ref = ref_fn(x)
    for f in (fn, vjpkit.jit(fn), vjpkit.vmap(fn)):
      np.testing.assert_array_equal(f(x), ref, strict=True)
    np.testing.assert_array_equal(fn(x.astype(np.float32)), ref_fn(x.astype(np.float32)), strict=True)
  for v in (1000.0, 8.0, 0.37):  # the scalar paths
    assert fn(v) == ref_fn(v) and vjpkit.jit(fn)(v) == ref_fn(v)
  np.testing.assert_allclose(vjpkit.grad(fn)(3.0), 1 / (3.0 * np.log(base)), rtol=1e-15)


def test_linspace_rounds_as_numpy():
  # NumPy: i * (delta / div) + start (i / div * delta where the step underflows); the
  # values were start + delta * (i / div), 1 ulp off (and so histogram's bin edges)
  cases = [((-7.0, 5.0, 11), {}), ((0.0, 1.0, 7), {}), ((np.float32(0.1), np.float32(3.3), 13), {}),
           ((0.0, 5e-324, 5), {}), ((np.array([0.0, 1.0]), np.array([1e-323, 7.0]), 6), {}),
           ((-1.0, 3.0, 9), {"endpoint": False}), ((1.0, 2.0, 1), {}), ((-7, 5, 11), {"dtype": int})]
  for args, kw in cases:
    ref = np.linspace(*args, **kw)
    np.testing.assert_array_equal(vnp.linspace(*args, **kw), ref, strict=True)
    np.testing.assert_array_equal(
        vjpkit.jit(lambda a, b: vnp.linspace(a, b, *args[2:], **kw))(*args[:2]), ref, strict=True)
  x = np.array([[1, -2, 3], [0, 5, -7]], np.int8)
  np.testing.assert_array_equal(vnp.histogram_bin_edges(x), np.histogram_bin_edges(x), strict=True)
  np.testing.assert_array_equal(vnp.logspace(-2.0, 1.5, 9), np.logspace(-2.0, 1.5, 9), strict=True)
  np.testing.assert_allclose(vjpkit.jacfwd(lambda s: vnp.linspace(s, 3.0, 4))(1.0), [1, 2 / 3, 1 / 3, 0])


def test_sums_of_small_integers_keep_their_dtype_in_lax_and_with_dtype():
  # lax.reduce_sum / cumsum / cumprod of int8 ran NumPy's default (int64: 154, not the
  # wrapped -102) against an int8 result type; vnp.sum(x, dtype=np.int8) gave int64
  from vjpkit import lax
  x = np.array([0, 111, -34, 77], np.int8)
  for f in (lambda x: lax.reduce_sum(x, (0,)), vjpkit.jit(lambda x: lax.reduce_sum(x, (0,)))):
    out = f(x)
    assert out.dtype == np.int8 and out == np.int8(-102)
  for name in ("sum", "cumsum", "cumprod", "prod", "nansum"):
    ref = getattr(np, name)(x, dtype=np.int8)
    for f in (getattr(vnp, name), vjpkit.jit(getattr(vnp, name), static_argnames="dtype")):
      np.testing.assert_array_equal(f(x, dtype=np.int8), ref, strict=True)
    np.testing.assert_array_equal(getattr(vnp, name)(x), getattr(np, name)(x), strict=True)
  np.testing.assert_array_equal(vnp.vecdot(x, x), np.vecdot(x, x), strict=True)
  np.testing.assert_array_equal(vnp.matvec(x[None], x), np.matvec(x[None], x), strict=True)


def test_ndtr_expit_logit_exp2_sinc_are_scipys_and_numpys_values():
  # composites a few ulps off (ndtr ~980 ulps in the lower tail: a 1-ulp-off 1/sqrt(2))
  import scipy.special as ss
  import vjpkit.scipy.special as vss
  rng = np.random.default_rng(0)
  x = np.concatenate([rng.normal(size=2000) * 8, np.arange(-40, 41.0), [0.0, -0.0, np.inf,
                                                                          -np.inf, np.nan]])
  p = np.concatenate([rng.uniform(0, 1, 2000), [0.0, 1.0, 0.3, 0.65, 0.5, np.nan]])
  big = np.concatenate([x, np.arange(-800, 800.0)])
  with np.errstate(all="ignore"):
    for mine, ref, arg in ((vss.ndtr, ss.ndtr, x), (vss.expit, ss.expit, big),
                           (vss.logit, ss.logit, p), (vnp.exp2, np.exp2, x * 3),
                           (vnp.sinc, np.sinc, x / 4), (vss.sinc, np.sinc, x / 4)):
      for f in (mine, vjpkit.jit(mine)):
        np.testing.assert_array_equal(f(arg), ref(arg), strict=True)
      for v in arg[:5]:  # the scalar paths
        assert vjpkit.jit(mine)(float(v)) == ref(float(v))
  np.testing.assert_allclose(vjpkit.grad(vjpkit.grad(vnp.sinc))(0.0), -np.pi ** 2 / 3, rtol=1e-15)
  assert vjpkit.grad(vnp.sinc)(0.0) == 0.0
  np.testing.assert_allclose(vjpkit.grad(vss.ndtr)(-3.0), np.exp(-4.5) / np.sqrt(2 * np.pi),
                             rtol=1e-15)


# -- findings of session 6 ------------------------------------------------------------------

@pytest.mark.parametrize("f", [vnp.round, vnp.around])
def test_round_of_booleans_is_numpys(f):
  # was bool; NumPy rounds booleans as float16 (decimals=0) and rejects other decimals
  b = np.array([True, False])
  for out in (f(b), vjpkit.jit(f)(b)):
    assert out.dtype == np.round(b).dtype == np.float16
    np.testing.assert_array_equal(out, [1.0, 0.0])
  for decimals in (1, -1):
    with pytest.raises(TypeError, match="bool"):
      f(b, decimals)


def test_prod_with_initial_multiplies_it_first_as_numpy():
  # initial was multiplied in last: prod([1e200, 1e200], initial=0) was inf * 0 = nan
  for a, initial in ((np.array([1e200, 1e200]), 0.0), (np.array([1e-200, 1e-200]), 1e300),
                     (np.array([1e300, 1e300]), 1e-300)):
    assert np.prod(a, initial=initial) == vnp.prod(a, initial=initial)
  rng = np.random.default_rng(3)
  a = rng.uniform(0.5, 2.0, (4, 5, 6))
  w = rng.random(a.shape) < 0.7
  for axis in (None, 0, 1, 2, (0, 2), (1, 2)):
    for kw in (dict(initial=1.7), dict(initial=1.3, where=w)):
      want = np.prod(a, axis=axis, **kw)
      np.testing.assert_array_equal(vnp.prod(a, axis=axis, **kw), want)
      np.testing.assert_array_equal(vjpkit.jit(lambda x: vnp.prod(x, axis=axis, **kw))(a), want)
  # with zeros and a mask, the gradient is JAX's (initial times the other selected entries)
  x = np.array([[2.0, 0.0, 3.0], [4.0, 5.0, 0.0]])
  m = np.array([[True, False, True], [False, True, True]])
  g = vjpkit.grad(lambda x: vnp.sum(vnp.prod(x, axis=1, where=m, initial=3.0)))(x)
  np.testing.assert_array_equal(g, [[9.0, 0.0, 6.0], [0.0, 0.0, 15.0]])
  g = vjpkit.grad(lambda x: vnp.prod(x, where=m, initial=2.0))(x)
  np.testing.assert_array_equal(g, [[0.0, 0.0, 0.0], [0.0, 0.0, 60.0]])
  assert vnp.prod(np.array([2, 3, 4], np.int8), initial=300) == 7200
  assert vnp.prod(np.zeros((0,)), initial=5.0) == 5.0
  check_grads(lambda x: vnp.prod(x, axis=0, initial=1.5), (rng.uniform(0.5, 2, (3, 2)),), order=2)


def test_logaddexp_is_numpys_to_the_bit():
  # NumPy's logaddexp uses libm's exp and log1p, which differ from the ufuncs np.exp and
  # np.log1p in the last bit now and then: ~2% of float64 and ~10% of float32 results were off
  rng = np.random.default_rng(0)
  x = rng.standard_normal(20000) * rng.choice([0.01, 1.0, 10.0, 100.0], 20000)
  y = rng.standard_normal(20000) * 3
  x = np.concatenate([x, [np.inf, -np.inf, np.inf, np.nan, 1.0, 800.0]])
  y = np.concatenate([y, [np.inf, -np.inf, -np.inf, 1.0, np.nan, 800.0]])
  for dtype in (np.float64, np.float32, np.float16):
    xd, yd = x.astype(dtype), y.astype(dtype)
    for nf, vf in ((np.logaddexp, vnp.logaddexp), (np.logaddexp2, vnp.logaddexp2)):
      with np.errstate(all="ignore"):
        want = nf(xd, yd)
        for f in (vf, vjpkit.jit(vf), vjpkit.vmap(vf)):
          got = f(xd, yd)
          assert got.dtype == want.dtype
          np.testing.assert_array_equal(got, want)
      assert vjpkit.jit(vf)(xd[0], yd[0]) == nf(xd[0], yd[0])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.bool_])
def test_float_ufuncs_of_small_integers_have_numpys_dtype(dtype):
  # vjpkit gave float64 for every integer; NumPy's float loops take the smallest float that
  # holds the integer type: float16 for 8-bit integers and bool, float32 for 16-bit
  a = np.array([1, 2, 3]).astype(dtype)
  unary = ("sin", "exp", "log1p", "sqrt", "cbrt", "deg2rad", "rad2deg", "exp2", "log2", "log10",
           "arccosh", "expm1", "tanh", "fabs", "rint", "spacing", "modf", "frexp")
  binary = ("arctan2", "logaddexp", "logaddexp2", "hypot", "nextafter", "copysign",
            "heaviside", "true_divide", "float_power")
  with np.errstate(all="ignore"):
    for name in unary + binary:
      args = (a,) if name in unary else (a, a)
      want, got = getattr(np, name)(*args), getattr(vnp, name)(*args)
      jitted = vjpkit.jit(getattr(vnp, name))(*args)
      for w, g, j in zip(*(v if isinstance(v, tuple) else (v,) for v in (want, got, jitted))):
        assert g.dtype == w.dtype == j.dtype, (name, g.dtype, w.dtype)
        np.testing.assert_array_equal(g, w)
    want = np.ldexp(a, np.int32(2))
    assert vnp.ldexp(a, np.int32(2)).dtype == want.dtype
    # a scalar of the type too; and mixed with a Python float (NEP 50: float64)
    assert vnp.sin(dtype(1)).dtype == np.sin(dtype(1)).dtype
    assert vnp.arctan2(a, 2.0).dtype == np.arctan2(a, 2.0).dtype
    assert vnp.arctan2(a, np.float32(2)).dtype == np.arctan2(a, np.float32(2)).dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_rad2deg_and_deg2rad_are_numpys_in_float32_and_float16(dtype):
  # float32 rad2deg multiplied by float32(180 / pi); NumPy's factor is 180.0f / NPY_PIf (80%
  # of float32 results were an ulp off); float16 computes in float32, as NumPy's loops
  x = np.random.default_rng(1).uniform(-1000, 1000, 5000).astype(dtype)
  for name in ("rad2deg", "deg2rad", "degrees", "radians"):
    want = getattr(np, name)(x)
    for f in (getattr(vnp, name), vjpkit.jit(getattr(vnp, name))):
      got = f(x)
      assert got.dtype == want.dtype
      np.testing.assert_array_equal(got, want)


def test_bad_axis_einsum_poly_unwrap_arguments_raise_clear_errors():
  # were AxisError "axis 1.0 is out of bounds", IndexError and ZeroDivisionError from inside
  x = np.ones((2, 3))
  for f in (vnp.sum, vnp.mean, vnp.var, vnp.max, vnp.argmax, vnp.squeeze, vnp.flip):
    for axis in (1.0, np.ones(2), np.float64(0.0)):
      with pytest.raises(TypeError, match="axis must be an integer"):
        f(x, axis)
  np.testing.assert_array_equal(vnp.sum(x, axis=np.int64(1)), [3.0, 3.0])
  np.testing.assert_array_equal(vnp.sum(x, axis=np.array(1)), [3.0, 3.0])
  assert vnp.sum(x, axis=[0, 1]) == 6.0
  with pytest.raises(ValueError, match="at least one operand"):
    vnp.einsum("ij")
  with pytest.raises(ValueError, match="1d or non-empty square 2d"):
    vnp.poly(np.float64(2.0))
  with pytest.raises(ValueError, match="at least one dimensional"):
    vnp.unwrap(np.float64(2.0))
  for shape, fill in (((), np.zeros(2)), ((2,), np.zeros(3)), ((2, 3), np.zeros((3, 3)))):
    with pytest.raises(ValueError, match="could not broadcast"):
      vnp.full(shape, fill)
  np.testing.assert_array_equal(vnp.full((2, 3), np.arange(3.0)), np.full((2, 3), np.arange(3.0)))
  np.testing.assert_array_equal(vnp.full((2, 3), np.ones((2, 1))), np.ones((2, 3)))


@pytest.mark.parametrize("f", ["max", "min", "amax", "amin"])
def test_extremum_of_empty_slices_with_initial_is_initial(f):
  # NumPy: the initial value where the reduced slice is empty; vjpkit raised NumPy's
  # "zero-size array to reduction operation maximum" from inside its impl
  for x, kw in [(np.zeros(0), {}), (np.zeros((0, 3)), {"axis": 0}),
                (np.zeros((0, 3), np.float32), {"axis": 0, "keepdims": True}),
                (np.zeros((2, 0), int), {"axis": 1})]:
    want = getattr(np, f)(x, initial=-1.5 if x.dtype.kind == "f" else 2, **kw)
    for fn in (getattr(vnp, f), vjpkit.jit(getattr(vnp, f), static_argnames=("axis", "keepdims",
                                                                             "initial"))):
      got = fn(x, initial=-1.5 if x.dtype.kind == "f" else 2, **kw)
      assert type(got) is type(want) and np.asarray(got).dtype == want.dtype
      np.testing.assert_array_equal(got, want)
  g = vjpkit.grad(lambda x: vnp.sum(getattr(vnp, f)(x, axis=0, initial=1.0)))(np.zeros((0, 3)))
  assert g.shape == (0, 3)


def test_fmod_of_bools_is_int8_under_jit_too():
  # NumPy's fmod has no bool loop: bools take the int8 one. Eager vjpkit ran np.fmod (int8),
  # but jit raised "'rem' does not accept arguments of dtype bool (it needs num values)"
  b = np.array([False, True, True, False])
  for f in (vnp.fmod, vjpkit.jit(vnp.fmod)):
    got = f(b, np.array([True, True, True, True]))
    assert got.dtype == np.int8
    np.testing.assert_array_equal(got, np.fmod(b, True))
  assert vnp.fmod(True, True) == np.fmod(True, True) and vnp.fmod(True, True).dtype == np.int8


def test_median_of_empty_slices_and_keepdims_of_0d():
  # NumPy: NaN (the mean of an empty slice, with its RuntimeWarning); vjpkit raised
  # "median of an empty array". keepdims of a 0-d input is a 0-d array, not a scalar
  for x, kw in [(np.array([], np.float16), {}), (np.zeros((1, 0), np.int8), {}),
                (np.zeros((2, 0)), {"axis": 1}), (np.zeros((2, 0)), {"axis": 1, "keepdims": True}),
                (np.zeros((0, 3)), {"axis": 0}), (np.zeros((0, 3)), {"keepdims": True})]:
    with pytest.warns(RuntimeWarning):
      want = np.median(x, **kw)
    for f in (vnp.median, vjpkit.jit(vnp.median, static_argnames=("axis", "keepdims"))):
      with pytest.warns(RuntimeWarning):
        got = f(x, **kw)
      assert type(got) is type(want) and np.asarray(got).dtype == want.dtype
      np.testing.assert_array_equal(got, want)
  for a in (np.float16(3.5), 2, np.array(2.0, np.float32)):
    want = np.median(a, keepdims=True)
    got = vnp.median(a, keepdims=True)
    assert type(got) is type(want) and got.dtype == want.dtype and got.shape == want.shape
  np.testing.assert_array_equal(vnp.median(np.array([[3.0, 1.0, 2.0]]), axis=1, keepdims=True),
                                [[2.0]])


def test_angle_of_small_integers_has_numpys_dtype():
  # NumPy's angle is arctan2(0, z): int8/uint8 give float16, int16 float32, bools float64
  # (vjpkit gave float64 for every integer)
  for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int64, np.bool_):
    x = np.array([1, 0, 3], dt) if dt is not np.bool_ else np.array([True, False])
    if dt in (np.int8, np.int16, np.int64):
      x = np.array([1, 0, -3], dt)
    for deg in (False, True):
      want = np.angle(x, deg=deg)
      for f in (vnp.angle, vjpkit.jit(vnp.angle, static_argnames="deg")):
        got = f(x, deg=deg)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
