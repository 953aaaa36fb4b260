"""Shared pieces of the vjpkit.numpy tables: drawing arrays, comparing with NumPy."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import vjpkit
from vjpkit.testing.check_grads import check_grads

SHAPES = [(), (1,), (3,), (2, 3), (2, 1, 3)]


def uniform(rng, shape, lo=-2.0, hi=2.0, avoid=(), dtype=np.float64):
  """Values in [lo, hi] kept 0.1 away from each point in ``avoid`` (kinks, poles)."""
  x = rng.uniform(lo, hi, size=shape)
  for a in avoid:
    x = np.where(np.abs(x - a) < 0.1, x + 0.25 * np.sign(x - a + 1e-12), x)
  return np.asarray(x, dtype)


seeds = st.integers(0, 2**31)


def assert_values(got, expected, rtol=1e-12, atol=1e-12):
  """Same value and dtype as NumPy (tuples and lists compared elementwise)."""
  if isinstance(expected, (tuple, list)):
    assert isinstance(got, (tuple, list)) and len(got) == len(expected)
    for g, e in zip(got, expected):
      assert_values(g, e, rtol, atol)
    return
  expected = np.asarray(expected)
  got_arr = np.asarray(got)
  assert got_arr.shape == expected.shape, (got_arr.shape, expected.shape)
  assert got_arr.dtype == expected.dtype, (got_arr.dtype, expected.dtype)
  if expected.dtype.kind in "fc":
    np.testing.assert_allclose(got_arr, expected, rtol=rtol, atol=atol, equal_nan=True)
  else:
    np.testing.assert_array_equal(got_arr, expected)


def check_traced_values(f, args, expected):
  """The value computed under a transform (jvp) equals the eager value."""
  out, _ = vjpkit.jvp(f, tuple(args), tuple(np.zeros_like(a) for a in args))
  assert_values(out, expected, rtol=1e-10, atol=1e-10)


def check(f, np_f, args, order, rtol=1e-12, atol=1e-12, grads=True):
  """The table check: eager and traced values equal NumPy's, derivatives agree with
  finite differences (JVP) and with each other (VJP), up to ``order``."""
  expected = np_f(*args)
  assert_values(f(*args), expected, rtol, atol)
  float_args = [a for a in args if np.asarray(a).dtype.kind == "f"]
  if float_args:
    check_traced_values(f, args, expected)
  if grads and order and float_args:
    check_grads(f, args, order=order)


def check_module_row(call, shapes, seed, order=2, rtol=1e-12):
  """A row written once for both modules: ``call(module, *arrays)`` with ``module`` numpy
  or vjpkit.numpy, on random arrays of ``shapes``."""
  import vjpkit.numpy as vnp
  rng = np.random.default_rng(seed)
  args = [uniform(rng, s) for s in shapes]
  check(lambda *xs: call(vnp, *xs), lambda *xs: call(np, *xs), args, order, rtol=rtol)
