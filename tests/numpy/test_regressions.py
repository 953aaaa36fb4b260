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
