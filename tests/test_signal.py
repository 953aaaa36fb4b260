"""vjpkit.numpy.convolve/correlate and vjpkit.scipy.signal: values against NumPy's and
SciPy's over random shapes, modes and boundaries; gradients by finite differences and the
dot-product identity; vmap against a loop; jit against eager; errors."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.scipy import signal as vs
from vjpkit.testing import check_grads

MODES = ["full", "same", "valid"]


@st.composite
def pairs(draw, ndim=None, dominated=False):
  nd = ndim or draw(st.integers(1, 3))
  s1 = tuple(draw(st.integers(1, 6)) for _ in range(nd))
  s2 = tuple(draw(st.integers(1, 5)) for _ in range(nd))
  if dominated:  # one at least as large as the other in every axis ('valid' mode)
    big, small = tuple(map(max, s1, s2)), tuple(map(min, s1, s2))
    s1, s2 = (big, small) if draw(st.booleans()) else (small, big)
  rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
  return rng.standard_normal(s1), rng.standard_normal(s2)


@given(pairs(ndim=1), st.sampled_from(MODES))
def test_numpy_convolve_correlate(ab, mode):
  a, v = ab
  for fn, ref in ((vnp.convolve, np.convolve), (vnp.correlate, np.correlate)):
    np.testing.assert_allclose(fn(a, v, mode), ref(a, v, mode), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vjpkit.jit(fn, static_argnums=2)(a, v, mode), ref(a, v, mode),
                               rtol=1e-12, atol=1e-12)
  ai, vi = np.round(3 * a).astype(np.int64), np.round(3 * v).astype(np.int64)
  out = vnp.convolve(ai, vi, mode)
  assert out.dtype == np.int64
  np.testing.assert_array_equal(out, np.convolve(ai, vi, mode))
  np.testing.assert_array_equal(np.convolve(vjpkit.numpy.asarray(ai), vi, mode),
                                np.convolve(ai, vi, mode))


@given(pairs(dominated=True), st.sampled_from(MODES))
def test_signal_convolve_correlate(ab, mode):
  a, b = ab
  for fn, ref in ((vs.convolve, ss.convolve), (vs.correlate, ss.correlate),
                  (vs.fftconvolve, ss.fftconvolve)):
    np.testing.assert_allclose(fn(a, b, mode), ref(a, b, mode), rtol=1e-10, atol=1e-10)


@given(pairs(ndim=2), st.sampled_from(MODES), st.sampled_from(["fill", "wrap", "symm"]),
       st.sampled_from([0.0, 1.5]))
def test_signal_2d_boundaries(ab, mode, boundary, fillvalue):
  a, b = ab
  for fn, ref in ((vs.convolve2d, ss.convolve2d), (vs.correlate2d, ss.correlate2d)):
    try:
      want = ref(a, b, mode, boundary, fillvalue)
    except ValueError:
      with pytest.raises(ValueError, match="valid"):
        fn(a, b, mode, boundary, fillvalue)
      continue
    got = fn(a, b, mode, boundary, fillvalue)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    f = lambda x, y: fn(x, y, mode, boundary, fillvalue)  # noqa: E731
    np.testing.assert_allclose(vjpkit.jit(f)(a, b), want, rtol=1e-10, atol=1e-10)


@given(pairs(dominated=True), st.sampled_from(MODES))
def test_signal_gradients(ab, mode):
  a, b = ab
  check_grads(lambda x, y: vs.convolve(x, y, mode), (a, b), order=1)
  check_grads(lambda x, y: vs.correlate(x, y, mode), (a, b), order=1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
def test_2d_gradients_second_order(mode, boundary):
  rng = np.random.default_rng(0)
  a, b = rng.standard_normal((4, 5)), rng.standard_normal((2, 3))
  check_grads(lambda x, y: vs.convolve2d(x, y, mode, boundary, 0.5), (a, b), order=2)
  check_grads(lambda x, y: vs.correlate2d(x, y, mode, boundary), (a, b), order=1)
  check_grads(lambda x, y: vnp.convolve(x[0], y[0], mode) ** 2, (a, b), order=2)


@pytest.mark.parametrize("mode", MODES)
def test_vmap_matches_loop(mode):
  rng = np.random.default_rng(1)
  a, v = rng.standard_normal((3, 7)), rng.standard_normal((3, 4))
  for fn in (vnp.convolve, vnp.correlate, vs.convolve, vs.correlate):
    f = lambda x, y: fn(x, y, mode)  # noqa: E731
    for axes, args in (((0, 0), (a, v)), ((0, None), (a, v[0])), ((None, 0), (a[0], v))):
      got = vjpkit.vmap(f, in_axes=axes)(*args)
      want = np.stack([f(a[i] if axes[0] is not None else a[0],
                         v[i] if axes[1] is not None else v[0]) for i in range(3)])
      np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
  img, k = rng.standard_normal((2, 5, 6)), rng.standard_normal((2, 3, 3))
  f = lambda x, y: vs.convolve2d(x, y, mode, "wrap")  # noqa: E731
  np.testing.assert_allclose(vjpkit.vmap(f)(img, k), np.stack([f(img[i], k[i]) for i in range(2)]),
                             rtol=1e-12, atol=1e-12)


@given(pairs(ndim=3), st.sampled_from(MODES), st.sampled_from([0, 1, 2, -1, (0, 2), (1, -1)]))
def test_fftconvolve_axes(ab, mode, axes):
  a, b = ab
  ax = sorted({x % 3 for x in np.atleast_1d(axes)})
  shape = list(b.shape)
  for i in range(3):
    if i not in ax:  # the other axes: equal, or 1 in one of them
      shape[i] = a.shape[i] if i % 2 else 1
  b = np.random.default_rng(b.size).standard_normal(shape)
  try:
    want = ss.fftconvolve(a, b, mode, axes=axes)
  except ValueError:
    return
  got = vs.fftconvolve(a, b, mode, axes=axes)
  np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
  check_grads(lambda x, y: vs.fftconvolve(x, y, mode, axes=axes), (a, b), order=1)


def test_complex_values_and_vjp_match_jax():
  jax = pytest.importorskip("jax")
  jax.config.update("jax_enable_x64", True)
  rng = np.random.default_rng(5)
  a = rng.standard_normal(6) + 1j * rng.standard_normal(6)
  v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
  for mode in MODES:
    for fn, ref, jref in ((vnp.convolve, np.convolve, jax.numpy.convolve),
                          (vnp.correlate, np.correlate, jax.numpy.correlate)):
      out, f_vjp = vjpkit.vjp(lambda a, v: fn(a, v, mode), a, v)
      np.testing.assert_allclose(out, ref(a, v, mode), atol=1e-12)
      g = rng.standard_normal(out.shape) + 1j * rng.standard_normal(out.shape)
      _, j_vjp = jax.vjp(lambda a, v: jref(a, v, mode), a, v)
      for got, want in zip(f_vjp(g), j_vjp(g)):
        np.testing.assert_allclose(got, want, atol=1e-12)
  b = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
  k = rng.standard_normal((2, 2)) - 1j * rng.standard_normal((2, 2))
  for fn, ref in ((vs.correlate, ss.correlate), (vs.correlate2d, ss.correlate2d),
                  (vs.convolve2d, ss.convolve2d), (vs.fftconvolve, ss.fftconvolve)):
    for mode in MODES:
      np.testing.assert_allclose(fn(b, k, mode), ref(b, k, mode), atol=1e-12)


def test_dtypes():
  assert vs.fftconvolve(np.arange(3), np.arange(2)).dtype == np.float64
  assert vs.convolve(np.arange(3), np.arange(2)).dtype == np.int64
  out = vs.convolve(np.ones(3, np.float32), np.ones(2, np.float32))
  assert out.dtype == np.float32


@pytest.mark.parametrize("call, err, match", [
    (lambda: vnp.convolve(np.ones(3), np.ones(0)), ValueError, "cannot be empty"),
    (lambda: vnp.convolve(np.ones((3, 2)), np.ones(2)), ValueError, "1-D"),
    (lambda: vnp.correlate(np.ones(3), np.ones(2), "wide"), ValueError, "mode"),
    (lambda: vs.convolve(np.ones((3, 2)), np.ones(2)), ValueError, "dimensionality"),
    (lambda: vs.convolve(np.ones((3, 2)), np.ones((2, 3)), "valid"), ValueError, "valid"),
    (lambda: vs.convolve(np.ones(3), np.ones(2), method="overlap"), ValueError, "method"),
    (lambda: vs.convolve2d(np.ones(3), np.ones(2)), ValueError, "2-D"),
    (lambda: vs.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="reflect"), ValueError,
     "boundary"),
    (lambda: vs.fftconvolve(np.ones((3, 3)), np.ones((2, 2)), axes=0), ValueError,
     "equal sizes"),
    (lambda: vs.fftconvolve(np.ones((3, 3)), np.ones((2, 2)), axes=2), ValueError,
     "out of range"),
])
def test_errors(call, err, match):
  with pytest.raises(err, match=match):
    call()


@pytest.mark.parametrize("cplx", [False, True])
def test_fftconvolve_large_inputs_go_through_ffts(cplx):
  rng = np.random.default_rng(3)
  cases = [((700,), (120,), None), ((40, 40), (36, 36), None), ((3, 300), (1, 250), 1)]
  for s1, s2, axes in cases:
    a, b = rng.normal(size=s1), rng.normal(size=s2)
    if cplx:
      b = b + 1j * rng.normal(size=s2)
    for mode in MODES:
      want = ss.fftconvolve(a, b, mode, axes=axes)
      got = vs.fftconvolve(a, b, mode, axes=axes)
      assert got.dtype == want.dtype
      np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
  a, b = rng.normal(size=300), rng.normal(size=260)
  assert vs.fftconvolve(a.astype(np.float32), b.astype(np.float32)).dtype == np.float32
  check_grads(lambda x, y: vs.fftconvolve(x, y, "same"), (a, b), order=2, modes=("rev",))
  rows = vjpkit.vmap(lambda x: vs.fftconvolve(x, b, "valid"))(np.stack([a, 2 * a]))
  np.testing.assert_allclose(rows[1], 2 * ss.fftconvolve(a, b, "valid"), atol=1e-10)
  np.testing.assert_allclose(vjpkit.jit(vs.fftconvolve)(a, b), ss.fftconvolve(a, b), atol=1e-10)


def test_convolve_and_correlate_methods_match_scipy():
  rng = np.random.default_rng(4)
  a, b = rng.normal(size=(30, 40)), rng.normal(size=(20, 9)) + 1j * rng.normal(size=(20, 9))
  ia, ib = rng.integers(-5, 5, 500), rng.integers(-5, 5, 300)
  for fn, ref in ((vs.convolve, ss.convolve), (vs.correlate, ss.correlate)):
    for method in ("auto", "direct", "fft"):
      for mode in MODES:
        want = ref(a, b, mode, method)
        np.testing.assert_allclose(fn(a, b, mode, method), want, atol=1e-12 * np.abs(want).max())
        got, want = fn(ia, ib, mode, method), ref(ia, ib, mode, method)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
  check_grads(lambda x: vs.correlate(x, b.real, "same", "fft"), (a,), order=1, modes=("rev",))
