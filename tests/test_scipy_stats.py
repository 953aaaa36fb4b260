"""vjpkit.scipy.stats against SciPy: values over broadcast random parameters (tails and points
outside the support included), derivatives by finite differences, vmap and jit."""
import numpy as np
import pytest
import scipy.stats as st

import vjpkit
from vjpkit.scipy import stats
from vjpkit.testing import check_grads

rng = np.random.default_rng(0)


def _pos(*shape, lo=0.5, hi=3.0):
  return rng.uniform(lo, hi, shape)


# name -> (shape parameters, points z inside the support (standardized), points outside)
CONTINUOUS = {
  "norm": ((), (-40.0, -5.0, -0.3, 0.0, 1.2, 9.0), ()),
  "t": ((_pos(1, 3, lo=1.0, hi=6.0),), (-30.0, -2.0, 0.0, 0.7, 4.0), ()),
  "cauchy": ((), (-1e8, -3.0, 0.0, 0.4, 50.0), ()),
  "laplace": ((), (-60.0, -1.0, -0.1, 0.2, 3.0, 60.0), ()),
  "logistic": ((), (-700.0, -30.0, -1.0, 0.0, 2.0, 40.0), ()),
  "expon": ((), (0.0, 1e-10, 0.3, 2.0, 50.0), (-1.0,)),
  "uniform": ((), (0.0, 0.2, 0.7, 1.0), (-0.5, 1.5)),
  "gamma": ((_pos(1, 3),), (1e-3, 0.4, 2.0, 15.0), (-1.0,)),
  "chi2": ((_pos(1, 3, lo=1.0, hi=6.0),), (1e-3, 0.5, 3.0, 30.0), (-2.0,)),
  "beta": ((_pos(1, 3), _pos(1, 1)), (1e-3, 0.3, 0.5, 0.9, 0.999), (-0.5, 1.5)),
  "pareto": ((_pos(1, 3),), (1.0, 1.5, 4.0, 1e3), (0.5, -1.0)),
  "gumbel_r": ((), (-4.0, -1.0, 0.0, 2.0, 30.0), ()),
  "gumbel_l": ((), (-30.0, -2.0, 0.0, 1.0, 4.0), ()),
}
METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")


def _args(name):
  shapes, inside, outside = CONTINUOUS[name]
  loc = rng.normal(size=(2, 1, 1))
  scale = _pos(1, 1, 1)
  z = np.array(inside + outside)[:, None]              # (n, 1): broadcasts against the shapes
  return (z * scale + loc,) + tuple(shapes) + (loc, scale)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
@pytest.mark.parametrize("method", METHODS + ("ppf",))
def test_continuous_values(name, method):
  mod, ref = getattr(stats, name), getattr(st, name)
  args = _args(name)
  if method == "ppf":
    args = (np.array([0.0, 1e-12, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9, 1.0, -0.1, 1.5])[:, None],
            ) + args[1:]
  got, want = getattr(mod, method)(*args), getattr(ref, method)(*args)
  if (name, method) == ("cauchy", "ppf"):   # SciPy's tan(π q - π/2) loses digits near q = 0
    q, loc, scale = args
    with np.errstate(divide="ignore"):
      exact = np.where(q < 0.5, -1 / np.tan(np.pi * q),
                       np.where(q > 0.5, 1 / np.tan(np.pi * (1 - q)), 0.0))
    want = np.where((q >= 0) & (q <= 1), loc + scale * exact, np.nan)
  assert got.shape == want.shape
  # an absolute error in a log is a relative one in the value
  np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-14 if "log" in method else 0)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_invalid_parameters(name):
  mod, ref = getattr(stats, name), getattr(st, name)
  shapes = tuple(np.array([1.0, -1.0, 0.0]) for _ in CONTINUOUS[name][0])
  for method in METHODS:
    args = (np.array([0.5, 0.5, 0.5]),) + shapes + (0.0, np.array([-1.0, 1.0, 0.0]))
    np.testing.assert_allclose(getattr(mod, method)(*args), getattr(ref, method)(*args), rtol=1e-14)
  np.testing.assert_array_equal(mod.logpdf(np.nan, *[1.0] * len(shapes)),
                                ref.logpdf(np.nan, *[1.0] * len(shapes)))


# the shape-parameter derivatives of these cdfs raise; the rest are checked
_NO_SHAPE_GRAD = {"t", "gamma", "chi2", "beta"}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
@pytest.mark.parametrize("method", METHODS + ("ppf",))
def test_continuous_grads(name, method):
  mod = getattr(stats, name)
  shapes, inside, _ = CONTINUOUS[name]
  shapes = tuple(np.asarray(s)[0, :2] for s in shapes)
  lo, hi = min(inside), max(inside)
  z = np.clip(np.array([0.3, 0.8]), lo, hi) if name not in ("pareto",) else np.array([1.3, 2.0])
  if name in ("norm", "t", "cauchy", "laplace", "logistic", "gumbel_r", "gumbel_l"):
    z = np.array([-1.3, 0.6])
  x = z * 1.5 + 0.2 if method != "ppf" else np.array([0.2, 0.7])
  f = getattr(mod, method)
  if method in ("logpdf", "pdf") or name not in _NO_SHAPE_GRAD:
    check_grads(lambda x, loc, scale, *s: f(x, *s, loc, scale), (x, 0.2, 1.5) + shapes, order=2,
                rtol=1e-4, atol=1e-6)
  else:
    check_grads(lambda x, loc, scale: f(x, *shapes, loc, scale), (x, 0.2, 1.5), order=2,
                rtol=1e-4, atol=1e-6)
    with pytest.raises(NotImplementedError, match="with respect to its argument"):
      vjpkit.grad(lambda s: vjpkit.numpy.sum(f(x, s, *shapes[1:])))(shapes[0])


def test_norm_far_tail():
  x = np.array([-40.0, -1e3, -1e5, 40.0])
  np.testing.assert_allclose(stats.norm.logcdf(x), st.norm.logcdf(x), rtol=1e-13)
  np.testing.assert_allclose(stats.norm.logsf(-x), st.norm.logsf(-x), rtol=1e-13)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(stats.norm.logcdf))(x[:2]),
                             [40.0249, 1000.001], rtol=1e-5)


def test_outside_support_gradients_are_zero():
  g = vjpkit.grad(lambda x, s: stats.gamma.logpdf(x, 2.0, 0.0, s), argnums=(0, 1))(-1.0, 2.0)
  assert g == (0.0, 0.0)
  assert vjpkit.grad(stats.expon.pdf)(-0.5) == 0.0
  assert vjpkit.grad(lambda x: stats.beta.cdf(x, 2.0, 3.0))(1.5) == 0.0


@pytest.mark.parametrize("name", ["norm", "gamma", "beta", "t"])
def test_continuous_vmap_jit(name):
  mod = getattr(stats, name)
  shapes, inside, outside = CONTINUOUS[name]
  shapes = tuple(np.asarray(s)[0, :1] for s in shapes)
  x = np.array(inside + outside)
  for method in ("logpdf", "cdf"):
    f = lambda x: getattr(mod, method)(x, *shapes)
    np.testing.assert_allclose(vjpkit.vmap(f)(x), np.stack([f(xi) for xi in x]))
    np.testing.assert_allclose(vjpkit.jit(f)(x), f(x), rtol=1e-14)
  g = vjpkit.grad(lambda x: vjpkit.numpy.sum(mod.logpdf(x, *shapes)))
  np.testing.assert_allclose(vjpkit.jit(g)(x[:2]), g(x[:2]), rtol=1e-14)


def test_scipy_signature():
  np.testing.assert_allclose(stats.gamma.logpdf(2.0, 3.0, 0.5, 2.0), st.gamma.logpdf(2.0, 3.0, 0.5, 2.0))
  np.testing.assert_allclose(stats.t.cdf(x=1.0, df=4.0, scale=2.0), st.t.cdf(x=1.0, df=4.0, scale=2.0))
  with pytest.raises(TypeError, match="missing required argument"):
    stats.gamma.logpdf(1.0)
  with pytest.raises(TypeError, match="unexpected keyword"):
    stats.norm.logpdf(1.0, mu=0.0)
