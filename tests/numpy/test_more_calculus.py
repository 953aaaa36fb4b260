"""Differences, integrals, interpolation, vector products, polynomials and windows
(issue 15), one row each: values and dtypes equal NumPy's, JVP vs finite differences,
VJP vs JVP (second order where smooth); a few rows also under jit and vmap.

A row is ``name: (call(module, *arrays), shapes, order)``; ``call`` runs once with
``numpy`` and once with ``vjpkit.numpy``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import check, uniform

XP = np.array([-1.5, -0.2, 0.4, 1.1, 1.9])  # increasing sample points for interp
COORD = np.array([0.0, 0.3, 1.0, 1.2])

TABLE = {
    "diff": (lambda m, x: m.diff(x), [(2, 4)], 2),
    "diff_n2_axis0": (lambda m, x: m.diff(x, n=2, axis=0), [(4, 3)], 2),
    "diff_prepend_append": (lambda m, x, p: m.diff(x, prepend=p, append=1.5), [(2, 3), (2, 1)], 2),
    "ediff1d": (lambda m, x, b: m.ediff1d(x, to_begin=b, to_end=[1.0, 2.0]), [(2, 3), (2,)], 2),
    "gradient": (lambda m, x: m.gradient(x), [(5,)], 2),
    "gradient_2d_spacing": (lambda m, x: m.gradient(x, 0.5, COORD, edge_order=2), [(3, 4)], 2),
    "gradient_coords": (lambda m, x, c: m.gradient(x, m.cumsum(c * c + 0.5), edge_order=2),
                        [(5,), (5,)], 2),
    "gradient_axis": (lambda m, x: m.gradient(x, 2.0, axis=-1), [(2, 3)], 2),
    "trapezoid": (lambda m, y: m.trapezoid(y), [(2, 4)], 2),
    "trapezoid_x": (lambda m, y, x: m.trapezoid(y, m.cumsum(x * x + 0.1), axis=0), [(4, 2), (4,)], 2),
    "trapezoid_dx": (lambda m, y: m.trapezoid(y, dx=0.3, axis=0), [(3, 2)], 2),
    "cross3": (lambda m, a, b: m.cross(a, b), [(2, 3), (3,)], 2),
    "cross_axes": (lambda m, a, b: m.cross(a, b, axisa=0, axisb=-1, axisc=0), [(3, 2), (2, 3)], 2),
    "cross_2_3": (lambda m, a, b: m.cross(a, b), [(4, 2), (3,)], 2),
    "interp": (lambda m, x, f: m.interp(x * 1.5, XP, f), [(2, 3), (5,)], 2),
    "interp_left_right": (lambda m, x, f: m.interp(x * 2, XP, f, left=-3.0, right=4.0), [(6,), (5,)], 2),
    "interp_period": (lambda m, x, f: m.interp(x * 3, XP, f, period=2.5), [(7,), (5,)], 2),
    "vecdot": (lambda m, a, b: m.vecdot(a, b), [(2, 3), (3,)], 2),
    "matvec": (lambda m, a, b: m.matvec(a, b), [(2, 2, 3), (3,)], 2),
    "vecmat": (lambda m, a, b: m.vecmat(a, b), [(2,), (2, 2, 3)], 2),
    "polyval": (lambda m, p, x: m.polyval(p, x), [(4,), (2, 3)], 2),
    "polyadd": (lambda m, p, q: m.polyadd(p, q), [(4,), (2,)], 2),
    "polysub": (lambda m, p, q: m.polysub(p, q), [(2,), (3,)], 2),
    "polymul": (lambda m, p, q: m.polymul(p, q), [(4,), (3,)], 2),
    "polyder": (lambda m, p: m.polyder(p, 2), [(5,)], 2),
    "polyint": (lambda m, p, k: m.polyint(p, 2, k), [(3,), (2,)], 2),
    "polyfit": (lambda m, x, y: m.polyfit(m.cumsum(x * x + 0.5), y, 2), [(6,), (6,)], 2),
    "polyfit_weighted_2d": (lambda m, y, w: m.polyfit(np.linspace(0, 1, 5), y, 1, w=w * w + 0.5),
                            [(5, 2), (5,)], 2),
    "vander": (lambda m, x: m.vander(x, 4), [(3,)], 2),
    "vander_increasing": (lambda m, x: m.vander(x, increasing=True), [(4,)], 2),
    "kaiser": (lambda m, b: m.kaiser(6, b * b + 1.0), [()], 2),
    "i0": (lambda m, x: m.i0(x * 5), [(7,)], 2),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_and_derivatives(name):
  call, shapes, order = TABLE[name]
  rng = np.random.default_rng(sum(map(ord, name)))
  args = [uniform(rng, s) for s in shapes]
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 deprecates 2-vector cross
    check(lambda *xs: call(vnp, *xs), lambda *xs: call(np, *xs), args, order, rtol=1e-10,
          atol=1e-11)


@pytest.mark.parametrize("name", ["diff_prepend_append", "gradient_coords", "interp", "polyfit",
                                  "cross3", "kaiser"])
def test_jit_equals_eager(name):
  call, shapes, _ = TABLE[name]
  rng = np.random.default_rng(1)
  args = [uniform(rng, s) for s in shapes]
  f = lambda *xs: call(vnp, *xs)  # noqa: E731
  np.testing.assert_allclose(vjpkit.jit(f)(*args), f(*args), rtol=1e-12, atol=1e-13)


def test_vmap_equals_loop():
  rng = np.random.default_rng(2)
  xs, fs = uniform(rng, (3, 4)), uniform(rng, (3, 5))
  got = vjpkit.vmap(lambda x, f: vnp.interp(x, XP, f))(xs, fs)
  np.testing.assert_allclose(got, np.stack([np.interp(x, XP, f) for x, f in zip(xs, fs)]))
  got = vjpkit.vmap(lambda x: vnp.gradient(x, COORD))(uniform(rng, (2, 4)))
  assert got.shape == (2, 4)


def test_integer_and_float32_dtypes_follow_numpy():
  i = np.array([[1, 4, 9], [2, 3, 7]])
  for f in (lambda m: m.diff(i), lambda m: m.gradient(i, axis=1), lambda m: m.trapezoid(i),
            lambda m: m.cross(i, i[::-1]), lambda m: m.polyval([1, 2], i), lambda m: m.vander(i[0]),
            lambda m: m.polymul([1, 2], [3, 4]), lambda m: m.polyder([1, 2, 3]),
            lambda m: m.polyint([3, 2]), lambda m: m.diff(i > 3), lambda m: m.ediff1d(i, to_end=1)):
    assert np.asarray(f(vnp)).dtype == np.asarray(f(np)).dtype
    np.testing.assert_allclose(f(vnp), f(np))
  x32 = np.linspace(0, 1, 4, dtype=np.float32)
  for f in (lambda m: m.diff(x32), lambda m: m.gradient(x32), lambda m: m.interp(x32, XP, XP)):
    assert np.asarray(f(vnp)).dtype == np.asarray(f(np)).dtype


def test_windows_are_numpy_constants():
  for name in ("bartlett", "blackman", "hamming", "hanning"):
    for M in (0, 1, 6):
      np.testing.assert_array_equal(getattr(vnp, name)(M), getattr(np, name)(M))
  np.testing.assert_allclose(vnp.kaiser(5, 3.0), np.kaiser(5, 3.0))


def test_errors():
  with pytest.raises(ValueError, match="at least"):
    vnp.gradient(np.ones(2), edge_order=2)
  with pytest.raises(ValueError, match="dimension must be 2 or 3"):
    vnp.cross(np.ones(4), np.ones(3))
  with pytest.raises(NotImplementedError, match="full=True"):
    vnp.polyfit(np.arange(3.0), np.arange(3.0), 1, full=True)
