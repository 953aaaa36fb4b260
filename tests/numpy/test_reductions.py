"""Reductions of vjpkit.numpy, one row each, over random shapes, axes (int, tuple, None)
and keepdims: values equal NumPy's, JVP vs finite differences, VJP vs JVP, second order.

A row is ``name: (call(module, x, axis, keepdims), axes allowed, order, special values)``;
``module`` is ``numpy`` or ``vjpkit.numpy``, so one lambda serves both.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import check, seeds
from vjpkit.testing import check_grads

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN slices, as in NumPy

MULTI, SINGLE = "multi", "single"  # tuple axes allowed, or one axis / None only
W = np.array([0.5, 1.0, 2.0, 1.5])  # weights, cut to the reduced length

TABLE = {
    "sum": (lambda m, x, a, k: m.sum(x, axis=a, keepdims=k), MULTI, 2, None),
    "prod": (lambda m, x, a, k: m.prod(x, axis=a, keepdims=k), MULTI, 2, "zeros"),
    "mean": (lambda m, x, a, k: m.mean(x, axis=a, keepdims=k), MULTI, 2, None),
    "var": (lambda m, x, a, k: m.var(x, axis=a, keepdims=k), MULTI, 2, None),
    "var_ddof1": (lambda m, x, a, k: m.var(x, axis=a, ddof=1, keepdims=k), MULTI, 2, "big"),
    "std": (lambda m, x, a, k: m.std(x, axis=a, keepdims=k), MULTI, 2, "big"),
    "std_ddof1": (lambda m, x, a, k: m.std(x, axis=a, ddof=1, keepdims=k), MULTI, 2, "big"),
    "max": (lambda m, x, a, k: m.max(x, axis=a, keepdims=k), MULTI, 1, None),
    "min": (lambda m, x, a, k: m.min(x, axis=a, keepdims=k), MULTI, 1, None),
    "amax": (lambda m, x, a, k: m.amax(x, axis=a, keepdims=k), MULTI, 1, None),
    "amin": (lambda m, x, a, k: m.amin(x, axis=a, keepdims=k), MULTI, 1, None),
    "ptp": (lambda m, x, a, k: m.ptp(x, axis=a, keepdims=k), MULTI, 1, None),
    "argmax": (lambda m, x, a, k: m.argmax(x, axis=a, keepdims=k), SINGLE, 0, None),
    "argmin": (lambda m, x, a, k: m.argmin(x, axis=a, keepdims=k), SINGLE, 0, None),
    "all": (lambda m, x, a, k: m.all(x > 0, axis=a, keepdims=k), MULTI, 0, None),
    "any": (lambda m, x, a, k: m.any(x > 0, axis=a, keepdims=k), MULTI, 0, None),
    "count_nonzero": (lambda m, x, a, k: m.count_nonzero(x > 0, axis=a, keepdims=k), MULTI, 0, None),
    "average": (lambda m, x, a, k: m.average(x, axis=a, keepdims=k), MULTI, 2, None),
    "average_weights": (lambda m, x, a, k: m.average(x, axis=a, weights=W[:x.shape[a]], keepdims=k),
                        "int", 2, None),
    "median": (lambda m, x, a, k: m.median(x, axis=a, keepdims=k), SINGLE, 1, None),
    "nansum": (lambda m, x, a, k: m.nansum(x, axis=a, keepdims=k), MULTI, 2, "nan"),
    "nanprod": (lambda m, x, a, k: m.nanprod(x, axis=a, keepdims=k), MULTI, 2, "nan"),
    "nanmean": (lambda m, x, a, k: m.nanmean(x, axis=a, keepdims=k), MULTI, 2, "nan"),
    "nanvar": (lambda m, x, a, k: m.nanvar(x, axis=a, keepdims=k), MULTI, 2, "nan"),
    "nanstd": (lambda m, x, a, k: m.nanstd(x, axis=a, keepdims=k), MULTI, 2, "nan"),
    "nanmax": (lambda m, x, a, k: m.nanmax(x, axis=a, keepdims=k), MULTI, 1, "nan"),
    "nanmin": (lambda m, x, a, k: m.nanmin(x, axis=a, keepdims=k), MULTI, 1, "nan"),
    "cumsum": (lambda m, x, a, k: m.cumsum(x, axis=a), SINGLE, 2, None),
    "cumprod": (lambda m, x, a, k: m.cumprod(x, axis=a), SINGLE, 2, "zeros"),
    "nancumsum": (lambda m, x, a, k: m.nancumsum(x, axis=a), SINGLE, 2, "nan"),
    "nancumprod": (lambda m, x, a, k: m.nancumprod(x, axis=a), SINGLE, 2, "nan"),
    "trace": (lambda m, x, a, k: m.trace(x) if x.ndim >= 2 else m.sum(x), None, 2, None),
}

SHAPES = [(4,), (2, 3), (3, 1, 2), (2, 4), (1,)]


@st.composite
def problems(draw, kind):
  shape = draw(st.sampled_from(SHAPES))
  nd = len(shape)
  choices = [None] if kind is None else []
  if kind in (MULTI, SINGLE, "int"):
    choices += [st.integers(-nd, nd - 1)]
  if kind in (MULTI, SINGLE):
    choices += [st.none()]
  if kind == MULTI:
    choices += [st.lists(st.integers(0, nd - 1), unique=True, max_size=nd).map(tuple)]
  axis = draw(st.one_of(*choices)) if choices and choices != [None] else None
  return shape, axis, draw(st.booleans()), draw(seeds)


def _values(shape, special, seed):
  rng = np.random.default_rng(seed)
  x = rng.uniform(-2, 2, shape)
  if special == "big":  # spread so that no reduced slice is nearly constant
    x = x + np.arange(x.size).reshape(shape)
  if special in ("zeros", "nan") and x.size:
    flat = x.reshape(-1)
    flat[rng.integers(0, x.size, size=rng.integers(1, 3))] = 0.0 if special == "zeros" else np.nan
  return x


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=8)
@given(data=st.data())
def test_values_and_derivatives(name, data):
  call, kind, order, special = TABLE[name]
  shape, axis, keepdims, seed = data.draw(problems(kind))
  x = _values(shape, special, seed)
  if special == "nan":  # derivatives with NaNs held in place
    with np.errstate(all="ignore"):
      check(lambda x: call(vnp, x, axis, keepdims), lambda x: call(np, x, axis, keepdims), [x], 0)
      out = call(np, x, axis, keepdims)
      if np.isnan(out).any() or ("std" in name and (np.abs(out) < 1e-6).any()):
        return  # an all-NaN slice, or sqrt at 0 (one value left): no derivative to compare
    mask = np.isnan(x)
    f = lambda y: call(vnp, vnp.where(mask, np.nan, y), axis, keepdims)  # noqa: E731
    from vjpkit.testing.check_grads import check_grads
    check_grads(f, (np.where(mask, 0.5, x),), order=order)
    return
  with np.errstate(all="ignore"):
    out = np.asarray(call(np, x, axis, keepdims), float)
  if ("std" in name or "ddof" in name) and not (np.abs(out) > 1e-6).all():
    order = 0  # a slice of one value: sqrt at 0 / division by 0, no derivative to compare
  with np.errstate(all="ignore"):
    check(lambda x: call(vnp, x, axis, keepdims), lambda x: call(np, x, axis, keepdims), [x], order,
          rtol=1e-10, atol=1e-12)


def test_prod_with_several_zeros_has_exact_derivatives():
  x = np.array([0.0, 2.0, 0.0, 3.0])
  np.testing.assert_array_equal(vjpkit.grad(vnp.prod)(x), [0.0, 0.0, 0.0, 0.0])
  x = np.array([0.0, 2.0, 5.0, 3.0])
  np.testing.assert_array_equal(vjpkit.grad(vnp.prod)(x), [30.0, 0.0, 0.0, 0.0])
  h = vjpkit.grad(lambda x: vjpkit.grad(vnp.prod)(x)[0])(np.array([0.0, 2.0, 0.0, 3.0]))
  np.testing.assert_array_equal(h, [0.0, 0.0, 6.0, 0.0])


def test_ties_share_the_derivative():
  g = vjpkit.grad(vnp.max)(np.array([1.0, 3.0, 3.0]))
  np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])
  g = vjpkit.grad(lambda x: vnp.sum(vnp.cumsum(x) + vnp.median(x)))(np.array([3.0, 1.0, 2.0]))
  np.testing.assert_array_equal(g, [3.0, 2.0, 1.0 + 3.0])  # the median is x[2], added 3 times


def test_std_of_constant_has_nan_derivative():
  with np.errstate(all="ignore"):
    assert np.isnan(vjpkit.grad(vnp.std)(np.ones(3))).all()


def test_integer_and_float32_dtypes_follow_numpy():
  i = np.arange(6).reshape(2, 3)
  for f in ("sum", "prod", "mean", "var", "max", "cumsum", "cumprod", "median", "average"):
    np.testing.assert_equal(getattr(vnp, f)(i).dtype, getattr(np, f)(i).dtype)
    np.testing.assert_allclose(getattr(vnp, f)(i), getattr(np, f)(i))
  f32 = i.astype(np.float32)
  for f in ("sum", "prod", "mean", "var", "std", "max", "cumsum", "nanmean"):
    assert getattr(vnp, f)(f32).dtype == np.float32
  assert vnp.sum(np.array([True, True])) == 2


def test_where_and_initial():
  x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
  mask = x > 0
  np.testing.assert_allclose(vnp.sum(x, axis=1, where=mask), np.sum(x, axis=1, where=mask))
  np.testing.assert_allclose(vnp.mean(x, axis=0, where=mask), np.mean(x, axis=0, where=mask))
  np.testing.assert_allclose(vnp.max(x, axis=1, initial=4.5), np.max(x, axis=1, initial=4.5))
  np.testing.assert_allclose(vnp.prod(x, initial=2.0), np.prod(x, initial=2.0))
  with pytest.raises(ValueError, match="zero-size"):
    vnp.max(np.ones((0, 2)), axis=0)
  with pytest.raises(np.exceptions.AxisError):
    vnp.sum(x, axis=2)

@pytest.mark.parametrize("axis", [(0, 1), (0, 2), (2, 1), (0, 1, 2), (-1, 0)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_median_over_several_axes(axis, keepdims):
  x = np.random.default_rng(0).normal(size=(3, 4, 5))
  x[1, 2, 3] = np.nan if axis == (0, 2) else x[1, 2, 3]
  want = np.median(x, axis=axis, keepdims=keepdims)
  np.testing.assert_allclose(vnp.median(x, axis=axis, keepdims=keepdims), want)
  np.testing.assert_allclose(vjpkit.jit(lambda x: vnp.median(x, axis=axis, keepdims=keepdims))(x),
                             want)
  if axis == (2, 1):
    check_grads(lambda x: vnp.median(x, axis=axis), (x,), order=1)


def test_reductions_of_0d_inputs_are_numpy_scalars():
  # sum/max/min/nansum of a 0-d array returned a 0-d array (NumPy: a scalar, keepdims too)
  for name in ("sum", "prod", "mean", "max", "min", "nansum", "nanmax", "nanmin", "nanprod"):
    for a in (np.array(2.0), np.array(3), np.float64(2.0)):
      for kw in ({}, {"axis": ()}, {"keepdims": True}):
        want, got = getattr(np, name)(a, **kw), getattr(vnp, name)(a, **kw)
        assert type(got) is type(want) and got == want, (name, a, kw)
