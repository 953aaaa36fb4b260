"""mean/var/std and their nan-variants (and sum/prod with where=) against NumPy: values,
result dtypes, degrees of freedom at and beyond the slice size, derivatives.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, for empty slices


def _quiet(f, *args, **kwargs):
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    return f(*args, **kwargs)


def assert_same(got, want, rtol=1e-13):
  """Same dtype, shape and value as NumPy's (NaN where NumPy has NaN, infinities alike)."""
  got, want = np.asarray(got), np.asarray(want)
  assert got.dtype == want.dtype, (got.dtype, want.dtype)
  assert got.shape == want.shape, (got.shape, want.shape)
  np.testing.assert_allclose(got, want, rtol=rtol, atol=0, equal_nan=True)


# -- degrees of freedom: NumPy clamps n - ddof at 0 (var: x/0 = inf, 0/0 = nan); nanvar gives
# NaN wherever n - ddof <= 0 --------------------------------------------------------------

DDOF_CASES = [
    (np.array([1.0, 2.0]), 3), (np.array([1.0, 2.0]), 2), (np.array([1.0, 1.0]), 2),
    (np.array([1.0, 2.0]), 2.5), (np.array([1.0, 2.0, 4.0]), 1), (np.array([3.0]), 1),
    (np.array([1.0, 2.0]), -1),
]


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("x, ddof", DDOF_CASES)
def test_ddof_at_and_beyond_the_count_gives_numpy_values(name, x, ddof):
  want = _quiet(getattr(np, name), x, ddof=ddof)
  assert_same(_quiet(getattr(vnp, name), x, ddof=ddof), want)
  assert_same(_quiet(vjpkit.jit(lambda x: getattr(vnp, name)(x, ddof=ddof)), x), want)
  batch = np.stack([x, x + 1.0, 2.0 * x])
  want_b = _quiet(lambda b: np.stack([getattr(np, name)(r, ddof=ddof) for r in b]), batch)
  assert_same(_quiet(vjpkit.vmap(lambda x: getattr(vnp, name)(x, ddof=ddof)), batch), want_b)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
def test_ddof_per_slice_with_axis_where_and_nans(name):
  x = np.array([[1.0, 2.0, 4.0], [3.0, np.nan, np.nan], [5.0, 6.0, np.nan]])
  if not name.startswith("nan"):
    x = np.where(np.isnan(x), 7.0, x)
  where = np.array([[True, True, False], [True, True, True], [True, False, True]])
  for kw in ({"axis": 1, "ddof": 1}, {"axis": 1, "ddof": 2}, {"axis": 0, "ddof": 3},
             {"axis": 1, "ddof": 2, "where": where}, {"axis": 1, "ddof": 1, "where": where,
                                                      "keepdims": True}):
    if name.startswith("nan") and "where" in kw:
      continue  # TODO(values): nanvar's where=
    want = _quiet(getattr(np, name), x, **kw)
    assert_same(_quiet(getattr(vnp, name), x, **kw), want)
    assert_same(_quiet(vjpkit.jit(lambda x: getattr(vnp, name)(x, **kw)), x), want)


def test_var_of_too_few_values_warns_as_numpy():
  with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0"):
    vnp.var(np.array([1.0, 2.0]), ddof=2)


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("ddof", [2, 3])
def test_gradient_is_not_finite_where_the_value_is_not(name, ddof):
  # var: n - ddof clamps to 0, value inf; the gradient is NaN (±inf/0 through the squares,
  # inf - inf through the mean); nanvar: the value is NaN, so is the gradient (never a
  # finite wrong number, as a NaN chosen by where would give)
  x = np.array([1.0, 2.0])
  f = lambda x: getattr(vnp, name)(x, ddof=ddof)  # noqa: E731
  for g in (vjpkit.grad(f), vjpkit.jit(vjpkit.grad(f))):
    value, grad = _quiet(f, x), _quiet(g, x)
    assert not np.isfinite(value)
    assert not np.isfinite(grad).any(), grad
  grads = _quiet(vjpkit.vmap(vjpkit.grad(f)), np.stack([x, x + 3.0]))
  assert not np.isfinite(grads).any(), grads
  if name.startswith("nan"):
    assert np.isnan(_quiet(vjpkit.grad(f), x)).all()
