"""Set operations (issue 15): unique and the array API's unique_*, isin and the 1-D set
functions. Values equal NumPy's on concrete inputs; under jit they need size= (as in
JAX) and pad with fill_value; the unique values are differentiable (first occurrence).
"""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import assert_values

A = np.array([5.0, 1.0, 3.0, 3.0, 2.0, 7.0, 1.0])
B = np.array([3, 3, 1, 9, 8])
X = np.array([[3.0, np.nan, 1.0], [1.0, 2.0, np.nan]])


@pytest.mark.parametrize("flags", [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)])
@pytest.mark.parametrize("equal_nan", [True, False])
def test_unique_matches_numpy(flags, equal_nan):
  for x in (X, A, B, np.zeros(0)):
    assert_values(vnp.unique(x, *map(bool, flags), equal_nan=equal_nan),
                  np.unique(x, *map(bool, flags), equal_nan=equal_nan))


def test_unique_axis_and_array_api_names():
  rows = np.array([[1.0, 2.0], [0.0, 5.0], [1.0, 2.0]])
  assert_values(vnp.unique(rows, axis=0, return_inverse=True, return_counts=True),
                np.unique(rows, axis=0, return_inverse=True, return_counts=True))
  for name in ("unique_counts", "unique_inverse", "unique_all"):
    got, want = getattr(vnp, name)(X), getattr(np, name)(X)
    assert type(got).__name__ == type(want).__name__ and got._fields == want._fields
    assert_values(tuple(got), tuple(want))
  assert_values(vnp.unique_values(A), np.sort(np.unique_values(A)))


def test_unique_under_jit_needs_size():
  with pytest.raises(TypeError, match="size="):
    vjpkit.jit(vnp.unique)(A)
  f = vjpkit.jit(lambda x: vnp.unique(x, True, True, True, size=7))
  vals, index, inverse, counts = f(A)
  n = np.unique(A).size
  want = np.unique(A, True, True, True)
  np.testing.assert_array_equal(vals[:n], want[0])
  np.testing.assert_array_equal(vals[n:], A.min())  # padded with the smallest value, as JAX
  np.testing.assert_array_equal(index[:n], want[1])
  np.testing.assert_array_equal(inverse, want[2])
  np.testing.assert_array_equal(counts, np.r_[want[3], np.zeros(7 - n, int)])
  np.testing.assert_array_equal(vjpkit.jit(lambda x: vnp.unique(x, size=3, fill_value=-1.0))(A),
                                [1.0, 2.0, 3.0])
  np.testing.assert_array_equal(vjpkit.jit(lambda x: vnp.unique(x, size=7, fill_value=-1.0))(A)[5:],
                                [-1.0, -1.0])


def test_unique_is_differentiable():
  g = vjpkit.grad(lambda v: vnp.sum(vnp.unique(v) * np.arange(1.0, 5.0)))(np.array([3., 1., 1., 2., 0.]))
  np.testing.assert_array_equal(g, [4.0, 2.0, 0.0, 3.0, 1.0])
  g = vjpkit.grad(lambda v: vnp.sum(vnp.intersect1d(v, B) ** 2))(A)
  np.testing.assert_array_equal(g, [0.0, 2.0, 6.0, 0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("name", ["union1d", "intersect1d", "setdiff1d", "setxor1d"])
def test_set_functions(name):
  f, nf = getattr(vnp, name), getattr(np, name)
  for a, b in ((A, B), (B, A), (A, A), (B, np.zeros(0))):
    assert_values(f(a, b), nf(a, b))
  n = nf(A, B).size
  assert_values(vjpkit.jit(lambda a, b: f(a, b, size=n))(A, B), nf(A, B))
  padded = vjpkit.jit(lambda a, b: f(a, b, size=n + 2, fill_value=-9.0))(A, B)
  np.testing.assert_array_equal(padded, np.r_[nf(A, B), -9.0, -9.0])


def test_isin_and_intersect_indices():
  for invert in (False, True):
    assert_values(vnp.isin(X, [1.0, 2.0], invert=invert), np.isin(X, [1.0, 2.0], invert=invert))
    assert_values(vjpkit.jit(lambda x: vnp.isin(x, B, invert=invert))(A), np.isin(A, B, invert=invert))
  assert_values(vnp.intersect1d(A, B, return_indices=True), np.intersect1d(A, B, return_indices=True))
  with pytest.raises(TypeError, match="concrete"):
    vjpkit.jit(lambda a: vnp.intersect1d(a, B, return_indices=True))(A)
