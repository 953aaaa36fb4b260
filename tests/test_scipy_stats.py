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
  "gennorm": ((_pos(1, 3, lo=0.5, hi=4.0),), (-30.0, -2.0, 0.0, 0.3, 5.0), ()),
  "vonmises": ((_pos(1, 3, lo=0.1, hi=30.0),), (-7.0, -3.0, 0.0, 0.5, 3.1), ()),
  "truncnorm": ((np.array([[-np.inf, -1.0, 0.5, 40.0, -45.0]]),
                 np.array([[0.5, 2.0, np.inf, 41.0, -44.0]])),
                (-44.5, -3.0, -0.5, 0.0, 0.7, 1.5, 3.0, 40.3), (-50.0, 50.0)),
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
  if not hasattr(mod, method):
    pytest.skip(f"{name} has no {method}")
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
  for method in (m for m in METHODS if hasattr(mod, m)):
    args = (np.array([0.5, 0.5, 0.5]),) + shapes + (0.0, np.array([-1.0, 1.0, 0.0]))
    np.testing.assert_allclose(getattr(mod, method)(*args), getattr(ref, method)(*args), rtol=1e-14)
  np.testing.assert_array_equal(mod.logpdf(np.nan, *[1.0] * len(shapes)),
                                ref.logpdf(np.nan, *[1.0] * len(shapes)))


_GRAD_POINTS = {"truncnorm": ((np.array([-1.0, 0.5]), np.array([2.0, 3.0])), np.array([0.7, 0.9]))}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
@pytest.mark.parametrize("method", METHODS + ("ppf",))
def test_continuous_grads(name, method):
  mod = getattr(stats, name)
  if not hasattr(mod, method):
    pytest.skip(f"{name} has no {method}")
  shapes, inside, _ = CONTINUOUS[name]
  shapes = tuple(np.asarray(s)[0, :2] for s in shapes)
  lo, hi = min(inside), max(inside)
  z = np.clip(np.array([0.3, 0.8]), lo, hi) if name not in ("pareto",) else np.array([1.3, 2.0])
  if name in ("norm", "t", "cauchy", "laplace", "logistic", "gumbel_r", "gumbel_l", "gennorm",
              "vonmises"):
    z = np.array([-1.3, 0.6])
  if name in _GRAD_POINTS:
    shapes, z = _GRAD_POINTS[name]
  x = z * 1.5 + 0.2 if method != "ppf" else np.array([0.2, 0.7])
  f = getattr(mod, method)
  check_grads(lambda x, loc, scale, *s: f(x, *s, loc, scale), (x, 0.2, 1.5) + shapes, order=2,
              rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("f,arg", [
  (lambda s: stats.gamma.cdf(1.0, s), "'a'"), (lambda s: stats.chi2.sf(1.0, s), "'a'"),
  (lambda s: stats.beta.cdf(0.3, s, 2.0), "'a'"), (lambda s: stats.beta.ppf(0.3, 2.0, s), "'b'"),
  (lambda s: stats.t.cdf(0.3, s), "stdtr"), (lambda s: stats.vonmises.cdf(0.3, s), "'kappa'"),
  (lambda s: stats.vonmises.ppf(0.3, s), "'kappa'")])
def test_continuous_third_shape_derivative_raises(f, arg):
  # the shapes' derivatives of the cdfs are series and continued fractions to second order
  with pytest.raises(NotImplementedError, match=f"third derivative.*{arg}"):
    vjpkit.grad(vjpkit.grad(vjpkit.grad(f)))(2.5)


def test_norm_far_tail():
  x = np.array([-40.0, -1e3, -1e5, 40.0])
  np.testing.assert_allclose(stats.norm.logcdf(x), st.norm.logcdf(x), rtol=1e-13)
  np.testing.assert_allclose(stats.norm.logsf(-x), st.norm.logsf(-x), rtol=1e-13)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(stats.norm.logcdf))(x[:2]),
                             [40.0249, 1000.001], rtol=1e-5)


def test_large_parameters():
  # no cancellation in the normalizers: t's at large df (and df = inf: the normal)
  df = np.array([1e3, 1e8, 1e12, 1e15, np.inf])
  for m in ("logpdf", "cdf", "sf", "logcdf"):
    np.testing.assert_allclose(getattr(stats.t, m)(1.5, df), getattr(st.t, m)(1.5, df), rtol=1e-12)
  np.testing.assert_allclose(stats.t.ppf(0.1, df), st.t.ppf(0.1, df), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(stats.t.cdf))(np.ones(5), df),
                             st.t.pdf(1.0, df), rtol=1e-12)
  # binom/nbinom by Loader's saddle point: references from Stirling's series in 50-digit
  # decimals (SciPy's own values are off by 1e-10 to 3e-7 here, relatively)
  for name, args, exact in [("binom", (5e5, 1e6, 0.5), -7.133546881626864484),
                            ("binom", (3e8, 1e9, 0.3), -10.500247577859036198),
                            ("nbinom", (1e6, 1e6, 0.5), -8.1732675274667824485),
                            ("nbinom", (7.0, 1e9, 0.999), -1000412.15017096870470)]:
    np.testing.assert_allclose(getattr(stats, name).logpmf(*args), exact, rtol=1e-14)
  np.testing.assert_allclose(stats.poisson.logpmf(1e6, 1e6), -7.8266938955201431272, rtol=1e-14)


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


# -- discrete -------------------------------------------------------------------------------

K = np.array([-1.0, 0.0, 1.0, 1.5, 2.0, 3.0, 5.0, 12.0, 40.0])[:, None]
DISCRETE = {   # name -> parameter columns (broadcast against K), invalid values included
  "poisson": (np.array([0.0, 0.7, 3.0, 25.0, -1.0]),),
  "bernoulli": (np.array([0.0, 0.3, 1.0, 1.2]),),
  "binom": (np.array([0.0, 3.0, 5.0, 12.0, 40.0, 7.0, 3.5]), np.array([0.3, 0.0, 1.0, 0.6, 0.5, 1.5, 0.3])),
  "geom": (np.array([0.05, 0.3, 1.0, 0.0]),),
  "nbinom": (np.array([0.5, 2.5, 7.0, 3.0, -1.0]), np.array([0.3, 1.0, 0.8, 0.0, 0.4])),
  "betabinom": (np.array([0.0, 3.0, 12.0, 40.0, 5.0, 2.5]), np.array([0.5, 2.0, 3.0, 1.0, -1.0, 1.0]),
                np.array([1.5, 0.7, 2.0, 30.0, 1.0, 1.0])),
}


@pytest.mark.parametrize("name", sorted(DISCRETE))
@pytest.mark.parametrize("method", ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"))
def test_discrete_values(name, method):
  params = DISCRETE[name]
  for loc in (0.0, 2.0):
    got = getattr(getattr(stats, name), method)(K, *params, loc)
    want = getattr(getattr(st, name), method)(K, *params, loc)
    if method in ("logcdf", "logsf"):   # SciPy's log tails skip its own parameter check
      want = np.where(np.isnan(getattr(getattr(st, name), method[3:])(K, *params, loc)),
                      np.nan, want)
    if name == "betabinom" and method in ("sf", "logsf"):
      # vjpkit sums the upper tail; SciPy's 1 - cdf loses it below 1e-16 (and its log is nan)
      n = params[0]
      ref = sum(st.betabinom.pmf(j, *params, loc) * (j > K) for j in range(int(n.max()) + 3))
      ref = np.where(np.isnan(st.betabinom.sf(K, *params, loc)), np.nan, ref)
      want = np.log(ref) if method == "logsf" else ref
    atol = 1e-14 if "log" in method else 0
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=atol)


@pytest.mark.parametrize("name,method,params", [
  ("poisson", "logpmf", (np.array([0.7, 3.0]),)), ("poisson", "cdf", (np.array([0.7, 3.0]),)),
  ("poisson", "logsf", (np.array([0.7, 3.0]),)),
  ("poisson", "logpmf", (np.array([1.05, 2.1]),)),   # Loader's series (k close to mu)
  ("binom", "logpmf", (20.0, np.array([0.052, 0.098]))),
  ("nbinom", "logpmf", (np.array([30.0, 25.0]), np.array([0.95, 0.93]))),
  ("bernoulli", "logpmf", (np.array([0.3, 0.6]),)), ("bernoulli", "cdf", (np.array([0.3, 0.6]),)),
  ("binom", "logpmf", (7.0, np.array([0.3, 0.6]))), ("binom", "cdf", (7.0, np.array([0.3, 0.6]))),
  ("geom", "logpmf", (np.array([0.3, 0.6]),)), ("geom", "logcdf", (np.array([0.3, 0.6]),)),
  ("nbinom", "logpmf", (np.array([2.5, 4.0]), np.array([0.3, 0.6]))),
  ("nbinom", "sf", (2.5, np.array([0.3, 0.6]))),
  ("betabinom", "logpmf", (6.0, np.array([0.5, 2.0]), np.array([1.5, 3.0]))),
  ("betabinom", "cdf", (6.0, np.array([0.5, 2.0]), np.array([1.5, 3.0]))),
])
def test_discrete_grads(name, method, params):
  f = getattr(getattr(stats, name), method)
  k = np.array([0.0, 1.0]) if name == "bernoulli" else np.array([1.0, 2.0])
  floats = tuple(i for i, p in enumerate(params) if np.ndim(p))
  def g(*ps):
    full = list(params)
    for i, p in zip(floats, ps):
      full[i] = p
    return f(k, *full)
  check_grads(g, tuple(params[i] for i in floats), order=2, rtol=1e-4, atol=1e-6)


Q = np.array([0.0, 1e-12, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9, 1.0, -0.1, 1.5, np.nan])[:, None]


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_ppf(name):
  mod, ref, params = getattr(stats, name), getattr(st, name), DISCRETE[name]
  for loc in (0.0, 2.0):
    want = ref.ppf(Q, *params, loc)
    for got in (mod.ppf(Q, *params, loc), vjpkit.jit(mod.ppf)(Q, *params, loc)):
      assert got.shape == want.shape and got.dtype == np.float64
      np.testing.assert_array_equal(got, want)
  # integer-valued: the cdf reaches q there and not one step before
  q = np.array([0.1, 0.5, 0.95])[:, None]
  ok = ~np.isnan(ref.cdf(0.0, *params))
  if name == "geom":   # SciPy's geom.ppf(q, p=1) is 0, outside the support {1, 2, ...}
    ok &= params[0] < 1
  k = mod.ppf(q, *params)
  assert np.all((mod.cdf(k, *params) >= q - 1e-12)[:, ok])
  # a step function: derivative 0 in every argument; vmap and float32
  first = tuple(np.asarray(p, float)[:1] for p in params)
  grads = vjpkit.grad(lambda q, *ps: vjpkit.numpy.sum(mod.ppf(q, *ps)),
                      argnums=tuple(range(len(params) + 1)))(np.array([0.3]), *first)
  assert all(np.all(g == 0) for g in grads)
  f = lambda q: mod.ppf(q, *first)
  qs = np.array([0.2, 0.6, 0.99])
  np.testing.assert_array_equal(vjpkit.vmap(f)(qs[:, None]), np.stack([f(qi[None]) for qi in qs]))
  assert mod.ppf(np.float32(0.3), *[np.float32(p[0]) for p in first]).dtype == np.float32


def test_discrete_derivative_conventions():
  # k and binom's n are held constant (the pmf is a step function of them)
  assert vjpkit.grad(lambda k: stats.poisson.logpmf(k, 2.0))(1.0) == 0.0
  assert vjpkit.grad(lambda n: stats.binom.logpmf(1.0, n, 0.3))(4.0) == 0.0
  check_grads(lambda n: stats.nbinom.cdf(np.array([0.0, 2.0, 7.0]), n, 0.3), (2.5,), order=2)
  f = lambda mu: stats.poisson.logpmf(np.arange(4.0), mu)
  np.testing.assert_allclose(vjpkit.vmap(f)(np.array([1.0, 2.0])),
                             np.stack([f(1.0), f(2.0)]))
  np.testing.assert_allclose(vjpkit.jit(f)(1.5), f(1.5), rtol=1e-14)


# -- multivariate ---------------------------------------------------------------------------

def _spd(d, *batch):
  a = rng.normal(size=batch + (d, d))
  return a @ np.swapaxes(a, -1, -2) + d * np.eye(d)


def test_multivariate_normal_values():
  d = 3
  x, mean, cov = rng.normal(size=(5, d)), rng.normal(size=d), _spd(d)
  np.testing.assert_allclose(stats.multivariate_normal.logpdf(x, mean, cov),
                             st.multivariate_normal.logpdf(x, mean, cov), rtol=1e-12)
  np.testing.assert_allclose(stats.multivariate_normal.pdf(x, mean, cov),
                             st.multivariate_normal.pdf(x, mean, cov), rtol=1e-12)
  for cov_ in (2.0, np.array([1.0, 2.0, 0.5])):   # a scalar, variances
    np.testing.assert_allclose(stats.multivariate_normal.logpdf(x, mean, cov_),
                               st.multivariate_normal.logpdf(x, mean, cov_), rtol=1e-12)
  xs = np.array([0.3, -1.0, 2.0])                  # d = 1: points along x
  np.testing.assert_allclose(stats.multivariate_normal.logpdf(xs, 1.0, 2.0),
                             st.multivariate_normal.logpdf(xs, 1.0, 2.0), rtol=1e-12)
  covs = _spd(d, 4)                                # batched covariances (JAX's batching)
  got = stats.multivariate_normal.logpdf(x[:4], mean, covs)
  want = [st.multivariate_normal.logpdf(x[i], mean, covs[i]) for i in range(4)]
  np.testing.assert_allclose(got, want, rtol=1e-12)
  with pytest.raises(np.linalg.LinAlgError, match="singular"):
    stats.multivariate_normal.logpdf(x, mean, np.ones((d, d)))


def test_multivariate_normal_grads():
  d = 3
  x, mean, cov = rng.normal(size=(2, d)), rng.normal(size=d), _spd(d)
  check_grads(stats.multivariate_normal.logpdf, (x, mean, cov), order=2, rtol=1e-4, atol=1e-6)
  f = lambda m: stats.multivariate_normal.logpdf(x, m, cov)
  ms = rng.normal(size=(3, d))
  np.testing.assert_allclose(vjpkit.vmap(f)(ms), np.stack([f(m) for m in ms]), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(f)(mean), f(mean), rtol=1e-13)


def test_multivariate_normal_allow_singular():
  mvn, ref = stats.multivariate_normal, st.multivariate_normal
  a = rng.normal(size=(4, 2))
  cov, mean = a @ a.T, rng.normal(size=4)                        # rank 2 of 4
  z = rng.normal(size=(5, 2))
  x = mean + z @ a.T                                             # on the support
  off = x[:2] + np.array([0.0, 0.0, 1.0, 0.0])                  # off it: -inf
  pts = np.concatenate([x, off])
  for f in (mvn.logpdf, vjpkit.jit(mvn.logpdf, static_argnums=3)):
    np.testing.assert_allclose(f(pts, mean, cov, True), ref.logpdf(pts, mean, cov, allow_singular=True),
                               rtol=1e-10)
  np.testing.assert_allclose(mvn.pdf(pts, mean, cov, allow_singular=True),
                             ref.pdf(pts, mean, cov, allow_singular=True), rtol=1e-10)
  diag = np.diag([1.0, 2.0, 0.0])                                # a zero variance
  for c in (diag, np.array([1.0, 2.0, 0.0])):
    np.testing.assert_allclose(mvn.logpdf([[0.3, 0.2, 0.0], [0.3, 0.2, 1e-3]], 0.0, c, allow_singular=True),
                               ref.logpdf([[0.3, 0.2, 0.0], [0.3, 0.2, 1e-3]], np.zeros(3), c,
                                          allow_singular=True), rtol=1e-12)
  spd = _spd(4)                                                  # full rank: the usual density
  np.testing.assert_allclose(mvn.logpdf(x, mean, spd, allow_singular=True), mvn.logpdf(x, mean, spd),
                             rtol=1e-12)
  with pytest.raises(ValueError, match="semidefinite"):
    mvn.logpdf(x, mean, -spd, allow_singular=True)
  # derivatives: x and mean; cov at constant rank (x = mean + A z, cov = A Aᵀ); repeated eigenvalues
  # (perturbations of x and mean within the support: off it the density is 0)
  check_grads(lambda z, w: mvn.logpdf(mean + z @ a.T, mean + w @ a.T, cov, allow_singular=True),
              (z[:2], np.array([0.3, -0.2])), order=2, rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(vjpkit.grad(lambda x: mvn.logpdf(x, mean, cov, allow_singular=True))(x[0]),
                             -np.linalg.pinv(cov, hermitian=True) @ (x[0] - mean), atol=1e-10)
  check_grads(lambda a: mvn.logpdf(mean + z[:2] @ a.T, mean, a @ a.T, allow_singular=True), (a,),
              order=2, rtol=1e-4, atol=1e-6)
  eye2 = 2 * np.eye(4)
  for d in (vjpkit.jacrev, vjpkit.jacfwd):
    np.testing.assert_allclose(d(lambda c: mvn.logpdf(x[0], mean, c, allow_singular=True))(eye2),
                               d(lambda c: mvn.logpdf(x[0], mean, c))(eye2), atol=1e-14)
  f = lambda m: mvn.logpdf(x, m, cov, allow_singular=True)
  ms = mean + rng.normal(size=(3, 2)) @ a.T
  np.testing.assert_allclose(vjpkit.vmap(f)(ms), np.stack([f(m) for m in ms]), rtol=1e-12)


def test_dirichlet():
  alpha = np.array([0.7, 2.0, 3.5])
  x = rng.dirichlet(alpha, size=4).T             # (k, n), SciPy's layout
  np.testing.assert_allclose(stats.dirichlet.logpdf(x, alpha), st.dirichlet.logpdf(x, alpha),
                             rtol=1e-12)
  np.testing.assert_allclose(stats.dirichlet.pdf(x[:2], alpha), st.dirichlet.pdf(x[:2], alpha),
                             rtol=1e-12)
  np.testing.assert_allclose(stats.dirichlet.logpdf(x[:2], alpha), st.dirichlet.logpdf(x[:2], alpha),
                             rtol=1e-12)                 # k - 1 components: the last is 1 - sum
  with pytest.raises(ValueError, match="simplex"):
    stats.dirichlet.logpdf([0.2, 0.3, 0.6], alpha)
  check_grads(lambda a: stats.dirichlet.logpdf(x, a), (alpha,), order=2, rtol=1e-4)
  assert vjpkit.jit(stats.dirichlet.logpdf)(np.array([0.2, 0.3, 0.6]), alpha) == -np.inf
  assert np.isnan(vjpkit.jit(stats.dirichlet.logpdf)(x[:, 0], -alpha))


def test_multinomial():
  x = np.array([[1.0, 2.0, 3.0], [0.0, 6.0, 0.0], [1.5, 1.5, 3.0], [1.0, 2.0, 2.0]])
  p = np.array([0.2, 0.3, 0.5])
  for p_ in (p, np.array([0.2, -0.3, 1.1])):
    np.testing.assert_allclose(stats.multinomial.logpmf(x, 6, p_), st.multinomial.logpmf(x, 6, p_),
                               rtol=1e-12)
  np.testing.assert_allclose(stats.multinomial.pmf(x, 6, p), st.multinomial.pmf(x, 6, p), rtol=1e-12)
  check_grads(lambda p: stats.multinomial.logpmf(x[:2], 6, p), (p,), order=2, rtol=1e-4)


def test_float32_stays_float32():
  x = np.float32([0.5, 2.0])
  for f in (stats.norm.logpdf, stats.norm.logcdf, stats.cauchy.logpdf, stats.laplace.logcdf,
            lambda x: stats.gamma.cdf(x, 2.0), lambda x: stats.t.logpdf(x, 3.0),
            lambda x: stats.truncnorm.logpdf(x, -1.0, 3.0), lambda x: stats.poisson.logpmf(x, 2.0)):
    out = f(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, f(x.astype(np.float64)), rtol=1e-5)


def test_float16_stays_float16_in_every_method():
  # the special functions stats uses are SciPy's (ndtr(float16) is float64 there, ndtri's
  # float32, xlogy's float64), but stats keeps its inputs' float dtype: before, a float16
  # norm.ppf was float16 while beta.logpdf and binom.logpmf were float64
  x = np.float16([0.25, 0.75])
  for f in (stats.norm.logpdf, stats.norm.cdf, stats.norm.ppf, stats.norm.logsf,
            lambda x: stats.beta.logpdf(x, 2.0, 3.0), lambda x: stats.t.ppf(x, 3.0),
            lambda x: stats.gamma.cdf(x, 2.0), lambda x: stats.binom.logpmf(x, 5, 0.3),
            lambda x: stats.bernoulli.pmf(x, 0.3)):
    out = f(x)
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, f(x.astype(np.float64)), rtol=2e-3)


def test_vonmises_cdf_derivative_in_kappa():
  x = np.array([0.5, -2.0, 3.0, 7.0, -9.0, 0.1, 0.0])
  k = np.array([2.0, 0.3, 30.0, 5.0, 1e3, 0.01, 4.0])
  h = 1e-5 * k
  fd = lambda f, v: (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h)  # noqa: E731
  g = vjpkit.lax.vonmises_cdf_grad
  np.testing.assert_allclose(g(x, k), fd(lambda v: st.vonmises.cdf(x, v), k), rtol=1e-7, atol=1e-12)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(lambda k, x: g(x, k)))(k, x),
                             fd(lambda v: g(x, v), k), rtol=1e-6, atol=1e-12)
  assert np.isnan(g(0.3, -1.0)) and np.isnan(g(0.3, 1e6))   # past 3e5 terms: nan, not inaccurate
  np.testing.assert_allclose(vjpkit.grad(stats.vonmises.ppf, argnums=1)(0.3, 2.0),
                             -g(stats.vonmises.ppf(0.3, 2.0), 2.0) / stats.vonmises.pdf(
                                 stats.vonmises.ppf(0.3, 2.0), 2.0), rtol=1e-12)


def test_stats_edge_regressions():
  # betabinom.cdf/sf of an array k with scalar parameters raised (the sum's axis was not
  # broadcast); a non-integer loc of a discrete distribution gave NaN (SciPy shifts the
  # support); cauchy.logpdf overflowed to -inf at |x| > 1e154; discrete logcdf/logsf lost
  # probabilities within rounding of 1
  k = np.array([-2.0, -1, 0, 1, 2, 3, 5, 10, 100])
  for m in ("cdf", "sf", "logcdf", "logsf"):
    np.testing.assert_allclose(getattr(stats.betabinom, m)(k, 10, 2.0, 3.0),
                               getattr(st.betabinom, m)(k, 10, 2.0, 3.0), rtol=1e-10)
  for m in ("pmf", "logpmf", "cdf", "sf"):
    np.testing.assert_allclose(getattr(stats.poisson, m)(k + 0.5, 3.0, 0.5),
                               getattr(st.poisson, m)(k + 0.5, 3.0, 0.5), rtol=1e-10)
  np.testing.assert_allclose(stats.cauchy.logpdf(np.array([1e300, -1e200]), 0.5, 2.0),
                             st.cauchy.logpdf(np.array([1e300, -1e200]), 0.5, 2.0), rtol=1e-12)
  np.testing.assert_allclose(stats.nbinom.logcdf(100.0, 5, 0.4), st.nbinom.logcdf(100.0, 5, 0.4),
                             rtol=1e-6)
  assert stats.geom.logsf(-1.0, 0.3) == 0.0
