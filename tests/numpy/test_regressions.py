"""Regression tests for wrong numbers found in review, one per finding."""
import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp


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
