"""Statistics (issue 15): cov/corrcoef, the quantile family, bincount, digitize and
histogram. Values and dtypes equal NumPy's; quantiles (a sort and a gather) and
cov/corrcoef are checked to second order; integer results carry no derivative.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import assert_values, check, uniform

FW = np.array([1, 2, 0, 3, 1, 1])
Q = np.array([0.0, 0.3, 0.5, 1.0])

TABLE = {
    "cov": (lambda m, x: m.cov(x), [(3, 6)], 2),
    "cov_rowvar_bias": (lambda m, x: m.cov(x, rowvar=False, bias=True), [(6, 2)], 2),
    "cov_y_ddof": (lambda m, x, y: m.cov(x, y, ddof=2), [(6,), (2, 6)], 2),
    "cov_weights": (lambda m, x, a: m.cov(x, fweights=FW, aweights=a * a + 0.5), [(2, 6), (6,)], 2),
    "cov_1d": (lambda m, x: m.cov(x), [(5,)], 2),
    "corrcoef": (lambda m, x: m.corrcoef(x), [(3, 5)], 2),
    "corrcoef_xy": (lambda m, x, y: m.corrcoef(x, y, rowvar=False), [(5, 2), (5,)], 2),
    "quantile": (lambda m, x: m.quantile(x, 0.3), [(2, 5)], 2),
    "quantile_q_axes": (lambda m, x: m.quantile(x, Q, axis=(0, 2), keepdims=True), [(2, 3, 4)], 2),
    "quantile_traced_q": (lambda m, x, q: m.quantile(x, q * 0.2 + 0.5, axis=1), [(2, 5), (3,)], 2),
    "quantile_lower": (lambda m, x: m.quantile(x, Q, axis=0, method="lower"), [(5, 2)], 2),
    "quantile_higher": (lambda m, x: m.quantile(x, Q, axis=1, method="higher"), [(2, 5)], 2),
    "quantile_nearest": (lambda m, x: m.quantile(x, [0.125, 0.375, 0.6], method="nearest"), [(5,)], 2),
    "quantile_midpoint": (lambda m, x: m.quantile(x, Q, axis=-1, method="midpoint"), [(3, 4)], 2),
    "percentile": (lambda m, x: m.percentile(x, [10, 50, 90], axis=0), [(4, 3)], 2),
    "nanquantile": (lambda m, x: m.nanquantile(m.where(x > 1.2, np.nan, x), Q, axis=1), [(3, 6)], 2),
    "nanpercentile": (lambda m, x: m.nanpercentile(m.where(x < -1.5, np.nan, x), 40), [(4, 3)], 2),
    "nanmedian": (lambda m, x: m.nanmedian(m.where(x > 1.0, np.nan, x), axis=0), [(5, 3)], 2),
    "histogram_weights": (lambda m, x, w: m.histogram(x, bins=4, range=(-2, 2), weights=w)[0],
                          [(8,), (8,)], 2),
    "bincount_weights": (lambda m, w: m.bincount([0, 3, 1, 3, 0], w, minlength=6), [(5,)], 2),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_and_derivatives(name):
  call, shapes, order = TABLE[name]
  rng = np.random.default_rng(sum(map(ord, name)))
  args = [uniform(rng, s) for s in shapes]
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
    check(lambda *xs: call(vnp, *xs), lambda *xs: call(np, *xs), args, order, rtol=1e-10,
          atol=1e-11)


def test_quantile_methods_nans_and_dtypes():
  rng = np.random.default_rng(3)
  x = uniform(rng, (4, 5, 3))
  x[0, 1, 2], x[1] = np.nan, np.nan
  ints = rng.integers(0, 9, 7)
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    for method in ("linear", "lower", "higher", "nearest", "midpoint"):
      for axis in (None, 1, (0, 2)):
        for f in ("quantile", "nanquantile"):
          args = (x, Q, axis)
          assert_values(getattr(vnp, f)(*args, method=method), getattr(np, f)(*args, method=method))
      for a, q in ((ints, 0.3), (ints.astype(np.float32), 0.3), (ints, np.float32(0.3))):
        assert_values(vnp.quantile(a, q, method=method), np.quantile(a, q, method=method))
        assert_values(vnp.percentile(a, 30, method=method), np.percentile(a, 30, method=method))
  with pytest.raises(ValueError, match="range"):
    vnp.quantile(x, 1.5)
  with pytest.raises(ValueError, match="not supported"):
    vnp.quantile(x, 0.5, method="weibull")


def test_quantile_under_jit_and_vmap():
  x = uniform(np.random.default_rng(4), (3, 6))
  f = lambda x: vnp.nanquantile(x, [0.2, 0.7], axis=1)  # noqa: E731
  np.testing.assert_allclose(vjpkit.jit(f)(x), np.nanquantile(x, [0.2, 0.7], axis=1))
  got = vjpkit.vmap(lambda r: vnp.quantile(r, 0.4))(x)
  np.testing.assert_allclose(got, [np.quantile(r, 0.4) for r in x])


def test_counting():
  rng = np.random.default_rng(5)
  x, w = rng.integers(0, 5, 12), uniform(rng, (12,))
  assert_values(vnp.bincount(x), np.bincount(x))
  assert_values(vnp.bincount(x, w, minlength=8), np.bincount(x, w, minlength=8))
  np.testing.assert_array_equal(vjpkit.jit(lambda x: vnp.bincount(x, length=7))(x),
                                np.bincount(x, minlength=7))
  with pytest.raises(TypeError, match="length="):
    vjpkit.jit(vnp.bincount)(x)
  with pytest.raises(ValueError, match="non-negative"):
    vnp.bincount([-1, 2])
  for bins, right in (([-1.0, 0.0, 1.0], False), ([1.0, 0.0, -1.0], True), ([0.0, 0.0, 1.0], True)):
    assert_values(vnp.digitize(w, bins, right), np.digitize(w, bins, right))
    assert_values(vjpkit.jit(lambda w: vnp.digitize(w, np.array(bins), right))(w),
                  np.digitize(w, bins, right))
  for kw in ({}, {"bins": 3}, {"bins": [-1.0, 0.0, 0.5, 2.0]}, {"range": (-1, 1)},
             {"weights": w}, {"density": True}, {"bins": "auto"}):
    assert_values(vnp.histogram(w, **kw), np.histogram(w, **kw))
  assert_values(vnp.histogram(np.ones(3)), np.histogram(np.ones(3)))
  assert_values(vjpkit.jit(lambda w: vnp.histogram(w, 5))(w), np.histogram(w, 5))
  assert_values(vnp.histogram_bin_edges(w, 4), np.histogram_bin_edges(w, 4))
  with pytest.raises(TypeError, match="concrete"):
    vjpkit.jit(lambda w: vnp.histogram(w, "auto"))(w)
