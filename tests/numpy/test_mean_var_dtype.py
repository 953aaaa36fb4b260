"""mean/var/std and their nan-variants (and sum/prod with where=) against NumPy: values,
result dtypes, degrees of freedom at and beyond the slice size, derivatives.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.testing import check_grads

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, for empty slices


def _quiet(f, *args, **kwargs):
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    return f(*args, **kwargs)


# relative tolerances by result dtype: a few units in the last place (NumPy's sums under a
# where= mask add in another order than vjpkit's pairwise ones; without one they agree)
RTOL = {"e": 4e-3, "f": 2e-6, "d": 1e-14, "F": 2e-6, "D": 1e-14}


def assert_same(got, want, rtol=None):
  """Same dtype and shape as NumPy's, equal values (exactly for integers and bools; floats
  to ``rtol``, by default a few ulps of the dtype; NaNs and infinities where NumPy's are); a
  NumPy scalar where NumPy's is one."""
  if isinstance(want, np.generic):
    assert isinstance(got, np.generic), type(got)
  got, want = np.asarray(got), np.asarray(want)
  assert got.dtype == want.dtype, (got.dtype, want.dtype)
  assert got.shape == want.shape, (got.shape, want.shape)
  if want.dtype.kind not in "fc":
    np.testing.assert_array_equal(got, want)
    return
  tol = RTOL[want.dtype.char] if rtol is None else rtol
  tiny = float(np.finfo(want.dtype).tiny)
  np.testing.assert_allclose(got, want, rtol=tol, atol=tiny, equal_nan=True)


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


# -- dtype=: every input dtype with every dtype argument, as NumPy's (its errors too) ----------

IN_DTYPES = [np.int64, np.int32, np.uint8, np.bool_, np.float16, np.float32, np.float64,
             np.complex64, np.complex128]
DTYPES = [None, np.float16, np.float32, np.float64, int, np.int32, complex, np.complex64, bool]
NAMES = ["mean", "var", "std", "nanmean", "nanvar", "nanstd"]
WHERE = np.array([[True, False, True, True, False, True, True],
                  [False, False, True, True, True, True, False],
                  [True, True, True, False, True, True, True],
                  [True, False, False, False, False, False, False],
                  [True, True, True, True, True, True, True]])


def _name(d) -> str:
  return "None" if d is None else np.dtype(d).name


def values(dtype, shape, seed=0, nans=False) -> np.ndarray:
  """Random values of ``dtype``: small integers, bools, or floats of both signs (NaNs at every
  fifth entry with ``nans``, for the nan-functions)."""
  rng, dtype = np.random.default_rng(seed), np.dtype(dtype)
  if dtype.kind == "b":
    x = rng.random(shape) > 0.4
  elif dtype.kind in "iu":
    x = rng.integers(0, 50, shape).astype(dtype)
  elif dtype.kind == "c":
    x = (3 * rng.normal(size=shape) + 1 + 1j * rng.normal(size=shape)).astype(dtype)
  else:
    x = (3 * rng.normal(size=shape) + 1).astype(dtype)
  if nans and dtype.kind in "fc":
    x.reshape(-1)[::5] = np.nan
  return x


def _calls(name):
  """(shape, keyword arguments) pairs: axes, keepdims, a where= mask, ddof."""
  calls = [((37,), {}), ((5, 7), {"axis": 0}), ((5, 7), {"axis": 1, "keepdims": True}),
           ((3, 4, 5), {"axis": (0, 2)}), ((5, 7), {"axis": 1, "where": WHERE}),
           ((5, 7), {"where": WHERE, "keepdims": True}), ((), {})]
  if name != "mean" and name != "nanmean":
    calls += [((5, 7), {"axis": 0, "ddof": 1}), ((37,), {"ddof": 1.5}),
              ((5, 7), {"axis": 1, "ddof": 2, "where": WHERE})]
  return calls


def _numpy_or_error(f, *args, **kwargs):
  try:
    return _quiet(f, *args, **kwargs)
  except Exception as e:  # noqa: BLE001 (NumPy's error, to be raised by vjpkit too)
    return e


def _check_like_numpy(f_vjp, f_np, x):
  want = _numpy_or_error(f_np, x)
  if isinstance(want, Exception):  # NumPy's UFuncTypeError is a TypeError, as vjpkit's
    with pytest.raises(TypeError if isinstance(want, TypeError) else type(want)):
      _quiet(f_vjp, x)
  else:
    assert_same(_quiet(f_vjp, x), want)
  return want


@pytest.mark.parametrize("dtype", DTYPES, ids=_name)
@pytest.mark.parametrize("in_dtype", IN_DTYPES, ids=_name)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_argument_gives_numpy_dtype_and_values(name, in_dtype, dtype):
  for shape, kw in _calls(name):
    x = values(in_dtype, shape, nans=name.startswith("nan"))
    f_np = lambda x: getattr(np, name)(x, dtype=dtype, **kw)  # noqa: E731
    f = lambda x: getattr(vnp, name)(x, dtype=dtype, **kw)  # noqa: E731
    want = _check_like_numpy(f, f_np, x)
    if not isinstance(want, Exception):
      assert_same(_quiet(vjpkit.jit(f), x), want)


@pytest.mark.parametrize("dtype", [None, np.float64, int, complex], ids=_name)
@pytest.mark.parametrize("in_dtype", [np.int32, np.bool_, np.float16, np.float32, np.complex64],
                         ids=_name)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_argument_under_vmap(name, in_dtype, dtype):
  x = values(in_dtype, (3, 5, 7), nans=name.startswith("nan"))
  f_np = lambda x: getattr(np, name)(x, axis=0, dtype=dtype)  # noqa: E731
  want = _numpy_or_error(lambda b: np.stack([f_np(r) for r in b]), x)
  if isinstance(want, Exception):
    return
  assert_same(_quiet(vjpkit.vmap(lambda x: getattr(vnp, name)(x, axis=0, dtype=dtype)), x), want)


def test_float16_mean_sums_in_float32():
  # the float16 sum overflowed to inf, and the count 70000 rounded to inf: NaN for 1.0
  x = np.ones(70000, np.float16)
  assert_same(vnp.mean(x), np.mean(x))
  assert vnp.mean(x) == 1.0
  assert_same(vjpkit.jit(vnp.mean)(x), np.mean(x))
  y = np.full((2, 3000), 0.1, np.float16)  # counts above 2048 are not float16 numbers
  assert_same(vnp.mean(y, axis=1), np.mean(y, axis=1), rtol=0)
  assert_same(_quiet(vnp.nanmean, x), _quiet(np.nanmean, x))  # NumPy's nanmean: float16 sums


def test_float32_means_are_divided_as_numpys():
  # NumPy divides a float32 sum by its count in float64 and rounds back: the same numbers
  x = values(np.float32, (6, 5, 7), seed=3)
  for kw in ({}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}):
    for name in ("mean", "var", "std", "nanmean", "nanvar"):
      want = getattr(np, name)(x, **kw)
      assert_same(getattr(vnp, name)(x, **kw), want, rtol=0)
      assert_same(vjpkit.jit(lambda x: getattr(vnp, name)(x, **kw))(x), want, rtol=0)


def test_integer_dtype_truncates_the_mean():
  x = np.array([[1, 2, 4], [-1, -2, -4]])
  for kw in ({"dtype": int}, {"dtype": int, "axis": 1}, {"dtype": np.int8, "axis": 1},
             {"dtype": bool, "axis": 0}):
    assert_same(vnp.mean(x, **kw), np.mean(x, **kw))
    assert_same(vnp.var(x, **kw), np.var(x, **kw))
  assert_same(vnp.std(x, dtype=int), np.std(x, dtype=int))  # a NumPy scalar: truncated
  with pytest.raises(TypeError, match="float dtype"):
    vnp.std(x, axis=0, dtype=int)  # NumPy can't cast the square roots back, nor can vjpkit


def test_nan_functions_of_floats_want_an_inexact_dtype():
  x = np.array([1.0, np.nan, 2.0])
  for name in ("nanmean", "nanvar", "nanstd"):
    with pytest.raises(TypeError, match="dtype must be inexact"):
      getattr(vnp, name)(x, dtype=int)
    with pytest.raises(TypeError):
      getattr(np, name)(x, dtype=int)
  assert_same(vnp.nanmean(np.array([1, 2]), dtype=int), np.nanmean(np.array([1, 2]), dtype=int))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_reductions_match_numpy(data):
  name = data.draw(st.sampled_from(NAMES))
  in_dtype = data.draw(st.sampled_from([np.float16, np.float32, np.float64, np.complex64,
                                        np.int32, np.bool_]))
  shape = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple))
  nd = len(shape)
  axis = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1),
                             st.lists(st.integers(0, nd - 1), unique=True).map(tuple)))
  kw = {"axis": axis, "keepdims": data.draw(st.booleans())}
  if data.draw(st.booleans()):
    kw["where"] = np.random.default_rng(data.draw(st.integers(0, 99))).random(shape) > 0.3
  if "var" in name or "std" in name:
    kw["ddof"] = data.draw(st.sampled_from([0, 1, 2, 3, 0.5]))
  if data.draw(st.booleans()):
    kw["dtype"] = data.draw(st.sampled_from([np.float32, np.float64, np.complex128]))
  x = values(in_dtype, shape, seed=data.draw(st.integers(0, 99)), nans=name.startswith("nan"))
  f = lambda x: getattr(vnp, name)(x, **kw)  # noqa: E731
  want = _check_like_numpy(f, lambda x: getattr(np, name)(x, **kw), x)
  if not isinstance(want, Exception):
    assert_same(_quiet(vjpkit.jit(f), x), want)


# -- nanvar/nanstd: where=, mean=, correction= as NumPy's -----------------------------------

@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
def test_nanvar_where_mean_correction(name):
  x = values(np.float64, (5, 7), seed=1, nans=True)
  m = np.nanmean(x, axis=1, keepdims=True)
  for kw in ({"where": WHERE}, {"where": WHERE, "axis": 1}, {"where": WHERE[0], "axis": 0},
             {"mean": m, "axis": 1}, {"mean": m, "axis": 1, "where": WHERE, "keepdims": True},
             {"correction": 1, "axis": 1}, {"correction": 2, "where": WHERE, "axis": 0},
             {"correction": 1.5}, {"dtype": np.float32, "where": WHERE, "ddof": 1}):
    want = _quiet(getattr(np, name), x, **kw)
    assert_same(_quiet(getattr(vnp, name), x, **kw), want)
    assert_same(_quiet(vjpkit.jit(lambda x: getattr(vnp, name)(x, **kw)), x), want)
  with pytest.raises(ValueError, match="ddof and correction"):
    getattr(vnp, name)(x, ddof=1, correction=1)
  ints = np.arange(6).reshape(2, 3)  # no NaNs to ignore: var's answers, as NumPy's
  for kw in ({"where": WHERE[:2, :3], "correction": 1}, {"mean": 2.0}, {"ddof": 4}):
    assert_same(_quiet(getattr(vnp, name), ints, **kw), _quiet(getattr(np, name), ints, **kw))


def test_complex_nanvar_of_no_degree_of_freedom_is_nan_plus_0j():
  x = np.array([[1.0, np.nan], [2.0, 3.0]])
  want = _quiet(np.nanvar, x, axis=1, dtype=complex, ddof=1)
  assert_same(_quiet(vnp.nanvar, x, axis=1, dtype=complex, ddof=1), want)
  assert np.asarray(_quiet(vnp.nanvar, x, axis=1, dtype=complex, ddof=1))[0].imag == 0


# -- sum/prod with where= and initial=: the fill and the initial value in the result's dtype --

@pytest.mark.parametrize("dtype", [None, np.float16, np.float32, int, np.int8, complex, bool],
                         ids=_name)
@pytest.mark.parametrize("in_dtype", [np.int64, np.int8, np.uint8, np.bool_, np.float16,
                                      np.float32, np.float64, np.complex64], ids=_name)
@pytest.mark.parametrize("name", ["sum", "prod", "nansum", "nanprod"])
def test_sum_prod_where_and_initial_dtypes(name, in_dtype, dtype):
  x = values(in_dtype, (5, 7), seed=2)
  if np.dtype(in_dtype).kind in "iu":
    x = x % 3  # products that do not overflow
  for kw in ({}, {"where": WHERE}, {"where": WHERE, "axis": 1}, {"initial": 2},
             {"initial": 2.5, "where": WHERE, "axis": 0}, {"initial": True, "where": WHERE},
             {"initial": 1j, "where": WHERE}):
    f = lambda x: getattr(vnp, name)(x, dtype=dtype, **kw)  # noqa: E731
    f_np = lambda x: getattr(np, name)(x, dtype=dtype, **kw)  # noqa: E731
    want = _check_like_numpy(f, f_np, x)
    if not isinstance(want, Exception):
      assert_same(_quiet(vjpkit.jit(f), x), want)


def test_bool_sum_under_a_mask_stays_bool():
  # the mask's fill was the int 0, which promoted a bool sum (logical or) to int64
  x = np.array([True, False, True])
  mask = np.array([True, True, False])
  for f in ("sum", "prod"):
    assert_same(getattr(vnp, f)(x, dtype=bool, where=mask), getattr(np, f)(x, dtype=bool,
                                                                         where=mask))


# -- derivatives against finite differences -------------------------------------------------

GRAD_CALLS = [
    ("mean", {}), ("mean", {"axis": 1, "where": WHERE}), ("mean", {"dtype": np.float64}),
    ("var", {"axis": 0}), ("var", {"ddof": 1, "where": WHERE, "keepdims": True}),
    ("var", {"axis": 1, "correction": 1.5}), ("std", {"axis": 1, "ddof": 1}),
    ("std", {"where": WHERE, "axis": 0}),
    ("nanmean", {"axis": 1}), ("nanmean", {"where": WHERE}),
    ("nanvar", {"axis": 1, "ddof": 1}), ("nanvar", {"where": WHERE, "axis": 0, "correction": 1}),
    ("nanstd", {"where": WHERE, "keepdims": True}), ("nanstd", {"axis": 1, "dtype": np.float64}),
]


@pytest.mark.parametrize("in_dtype", [np.float64, np.float32], ids=_name)
@pytest.mark.parametrize("name, kw", GRAD_CALLS, ids=[f"{n}-{sorted(k)}" for n, k in GRAD_CALLS])
def test_derivatives_match_finite_differences(name, kw, in_dtype):
  # spread values (no slice nearly constant: std's sqrt at 0); NaNs held in place
  x = values(np.float64, (5, 7), seed=4) + np.arange(35.0).reshape(5, 7)
  x = x.astype(in_dtype)
  mask = np.zeros(x.shape, bool)
  if name.startswith("nan"):
    mask.reshape(-1)[::6] = True
  f = lambda y: getattr(vnp, name)(vnp.where(mask, np.nan, y), **kw)  # noqa: E731
  check_grads(f, (x,), order=2)


def test_derivative_with_mean_argument():
  x = values(np.float64, (5, 7), seed=5)
  check_grads(lambda x: vnp.var(x, axis=1, mean=vnp.mean(x, axis=1, keepdims=True)), (x,), order=2)
  check_grads(lambda x: vnp.nanvar(x, axis=0, mean=vnp.mean(x, axis=0, keepdims=True) + 0.5),
              (x,), order=1)


# -- where=: a fully masked slice (value NaN) has derivative 0 in both modes -----------------

@pytest.mark.parametrize("name", ["mean", "var", "std"])
@pytest.mark.parametrize("jit", [False, True])
def test_fully_masked_slice_has_zero_derivative_in_both_modes(name, jit):
  # the slice's value (0/0) depends on no input: its tangent is 0, as are the cotangents of
  # masked entries (forward mode gave 0/0 = NaN while reverse mode gave 0); an inf among the
  # masked entries of a partial slice gave reverse mode NaN (0 * inf), forward mode 0
  x = np.array([[1.0, 2.0, 4.0], [4.0, 5.0, 6.0], [np.inf, 3.0, 5.0]])
  mask = np.array([[True, True, True], [False, False, False], [False, True, True]])
  f = lambda x: getattr(vnp, name)(x, axis=1, where=mask)  # noqa: E731
  g = vjpkit.jit(f) if jit else f
  value = _quiet(g, x)
  assert np.isnan(value[1]) and np.isfinite(value[[0, 2]]).all()
  v = np.random.default_rng(0).standard_normal(x.shape)
  tangent = _quiet(vjpkit.jvp, g, (x,), (v,))[1]
  _, pullback = _quiet(vjpkit.vjp, g, x)
  cotangent = _quiet(pullback, np.ones(3))[0]
  assert tangent[1] == 0.0, tangent
  assert np.isfinite(tangent).all(), tangent
  assert (cotangent[~mask] == 0.0).all() and np.isfinite(cotangent).all(), cotangent
  np.testing.assert_allclose(np.sum(tangent), np.sum(cotangent * v), rtol=1e-12)
  check_grads(lambda y: f(y)[vnp.array([0, 2])], (np.nan_to_num(x),), order=1)


NAN_ROW = np.array([[np.nan, 1.0, 2.0], [np.nan, np.nan, np.nan]])
NO_INPUT = [  # (name, x, kwargs, the outputs that depend on no input)
    *[(n, np.zeros(0), {}, []) for n in ("mean", "var", "std", "average", "nanmean")],
    *[(n, np.zeros((2, 0)), {"axis": 1}, [0, 1]) for n in ("mean", "var", "std", "nanvar")],
    *[(n, NAN_ROW, {"axis": 1}, [1]) for n in ("nanmean", "nanvar", "nanstd")],
    *[(n, NAN_ROW, {"axis": 1, "ddof": 1}, [1]) for n in ("nanvar", "nanstd")],
    *[(n, np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.inf]]),
       {"axis": 1, "where": np.array([[False, True, False], [True, True, False]])}, [0])
      for n in ("nanmean", "nanvar", "nanstd")],
]


@pytest.mark.parametrize("name, x, kwargs, empty", NO_INPUT)
def test_empty_and_all_nan_slices_have_zero_derivative_in_both_modes(name, x, kwargs, empty):
  # the value there is NaN and depends on no input: forward mode gave 0/0 = NaN, reverse mode
  # 0 (JAX: 0 in both for nanvar and cov, forward NaN for mean and nanmean); an all-NaN or
  # masked-out row of nanvar gave NaN cotangents (0 * NaN through the squares)
  f = lambda x: getattr(vnp, name)(x, **kwargs)  # noqa: E731
  value = _quiet(f, x)
  assert np.isnan(value[empty] if empty else value).all()
  rng = np.random.default_rng(0)
  v = rng.standard_normal(x.shape)
  tangent = np.asarray(_quiet(vjpkit.jvp, f, (x,), (v,))[1])
  np.testing.assert_array_equal(tangent[empty] if empty else tangent, 0.0)
  assert np.isfinite(tangent).all(), tangent
  w = rng.standard_normal(np.shape(value))
  cotangent = _quiet(lambda: vjpkit.vjp(f, x)[1](w)[0])
  assert np.isfinite(cotangent).all(), cotangent
  np.testing.assert_allclose(np.sum(tangent * w), np.sum(v * cotangent), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", ["cov", "corrcoef"])
def test_cov_of_no_samples_has_zero_derivative_in_both_modes(name):
  x = np.zeros((2, 0))
  f = getattr(vnp, name)
  value, tangent = _quiet(vjpkit.jvp, f, (x,), (x,))
  assert np.isnan(value).all() and value.shape == (2, 2)
  np.testing.assert_array_equal(tangent, 0.0)
  assert _quiet(lambda: vjpkit.vjp(f, x)[1](np.ones((2, 2)))[0]).shape == (2, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", ["mean", "var", "std", "nanmean", "nanvar", "nanstd"])
def test_empty_slices_have_zero_tangent_in_low_precision(name, dtype):
  for x, kwargs in ((np.zeros(0, dtype), {}), (np.zeros((2, 0), dtype), {"axis": 1})):
    value, tangent = _quiet(vjpkit.jvp, lambda x: getattr(vnp, name)(x, **kwargs), (x,), (x,))
    assert np.isnan(value).all() and value.dtype == dtype
    np.testing.assert_array_equal(tangent, 0.0)
