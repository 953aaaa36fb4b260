"""vjpkit.scipy.special, one row per function: values vs SciPy, JVP vs finite differences,
VJP vs JVP, second order, vmap vs loop, float32; random shapes, axes and broadcasting."""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
import scipy.special as ss
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.scipy import special as vss
from vjpkit.testing import strategies as vst
from vjpkit.testing.check_grads import check_grads
from vjpkit.tree_util import tree_flatten


class Row(NamedTuple):
  fn: Callable
  ref: Callable
  args: st.SearchStrategy  # draws (arrays, static keyword arguments)
  order: int = 2           # 0: values only (the derivative raises; see test_no_derivative)
  sample: tuple | None = None  # (arrays, kw) inside the domain, for the float32 and jit tests
  rtol: float = 1e-10


def unary(low, high, avoid=(), **static):
  return st.tuples(vst.arrays(vst.shapes(max_dims=3), low=low, high=high, avoid=avoid),
                   st.fixed_dictionaries(static)).map(lambda t: ((t[0],), t[1]))


def binary(x_range, y_range):
  """Two arrays of broadcastable shapes (either may be the smaller one)."""
  def build(t):
    (full, other), swap, sx, sy = t
    xs, ys = (other, full) if swap else (full, other)
    rx, ry = np.random.default_rng(sx), np.random.default_rng(sy)
    return (rx.uniform(*x_range, xs), ry.uniform(*y_range, ys)), {}
  return st.tuples(vst.broadcastable_shapes(), st.booleans(), st.integers(0, 2**32 - 1),
                   st.integers(0, 2**32 - 1)).map(build)


def reduction(weights=False, keepdims=True):
  """An array of 1-3 dims, an axis of it (or None), keepdims, optionally weights ``b``
  broadcasting against the array."""
  def build(t):
    seed, shape, pick, keep = t
    rng = np.random.default_rng(seed)
    axes = [None] + list(range(-len(shape), len(shape)))
    kw = {"axis": axes[pick % len(axes)]}
    if keepdims:
      kw["keepdims"] = keep
    arrays = (rng.uniform(-3, 3, shape),)
    if weights:
      arrays += (rng.uniform(0.5, 2.0, shape[rng.integers(len(shape) + 1):]),)
    return arrays, kw
  return st.tuples(st.integers(0, 2**32 - 1), vst.shapes(1, 3), st.integers(0, 10),
                   st.booleans()).map(build)


_S = np.linspace(0.3, 0.6, 3)   # a sample inside every domain
_ORDERS = st.sampled_from([0.0, 0.5, 1.0, 2.5])

SPECIAL: dict[str, Row] = {
    "erf": Row(vss.erf, ss.erf, unary(-2, 2)),
    "erfc": Row(vss.erfc, ss.erfc, unary(-2, 2)),
    "erfinv": Row(vss.erfinv, ss.erfinv, unary(-0.9, 0.9)),
    "gammaln": Row(vss.gammaln, ss.gammaln, unary(0.2, 6)),
    "gammaln_negative": Row(vss.gammaln, ss.gammaln, unary(-2.9, -2.1)),
    "digamma": Row(vss.digamma, ss.digamma, unary(0.3, 6)),
    "polygamma": Row(lambda x, n: vss.polygamma(n, x), lambda x, n: ss.polygamma(n, x),
                     unary(0.5, 4, n=st.integers(1, 3))),
    "expit": Row(vss.expit, ss.expit, unary(-5, 5)),
    "logit": Row(vss.logit, ss.logit, unary(0.05, 0.95)),
    "xlogy": Row(vss.xlogy, ss.xlogy, binary((-2, 2), (0.2, 3))),
    "xlog1py": Row(vss.xlog1py, ss.xlog1py, binary((-2, 2), (-0.8, 3))),
    "logsumexp": Row(lambda a, **kw: vss.logsumexp(a, **kw), lambda a, **kw: ss.logsumexp(a, **kw),
                     reduction()),
    "logsumexp_weighted": Row(lambda a, b, **kw: vss.logsumexp(a, b=b, **kw),
                              lambda a, b, **kw: ss.logsumexp(a, b=b, **kw), reduction(True)),
    "logsumexp_sign": Row(lambda a, **kw: vss.logsumexp(a, return_sign=True, **kw),
                          lambda a, **kw: ss.logsumexp(a, return_sign=True, **kw), reduction()),
    "softmax": Row(vss.softmax, ss.softmax, reduction(keepdims=False)),
    "log_softmax": Row(vss.log_softmax, ss.log_softmax, reduction(keepdims=False)),
    # the gamma family
    "gamma": Row(vss.gamma, ss.gamma, unary(0.2, 5)),
    "gamma_negative": Row(vss.gamma, ss.gamma, unary(-2.9, -2.1)),
    "gammasgn": Row(vss.gammasgn, ss.gammasgn, unary(-3.9, -3.1)),
    "loggamma": Row(vss.loggamma, ss.loggamma, unary(0.2, 6)),
    "rgamma": Row(vss.rgamma, ss.rgamma, unary(-2.9, 4)),   # through the poles 0, -1, -2
    "psi": Row(vss.psi, ss.psi, unary(0.3, 6)),
    "multigammaln": Row(lambda x, d: vss.multigammaln(x, d), lambda x, d: ss.multigammaln(x, d),
                        unary(1.6, 6, d=st.integers(1, 4)), sample=((_S + 2,), {"d": 2})),
    "gammainc": Row(lambda x, a: vss.gammainc(a, x), lambda x, a: ss.gammainc(a, x),
                    unary(0.1, 6, a=st.sampled_from([0.5, 1.0, 3.5])), sample=((_S,), {"a": 2.0})),
    "gammaincc": Row(lambda x, a: vss.gammaincc(a, x), lambda x, a: ss.gammaincc(a, x),
                     unary(0.1, 6, a=st.sampled_from([0.5, 1.0, 3.5])), sample=((_S,), {"a": 2.0})),
    "gammainc_in_a": Row(vss.gammainc, ss.gammainc, binary((0.3, 8), (0.1, 10))),
    "gammaincinv_in_a": Row(vss.gammaincinv, ss.gammaincinv, binary((0.5, 6), (0.1, 0.9)),
                            rtol=1e-9),
    "beta": Row(vss.beta, ss.beta, binary((0.3, 4), (0.3, 4))),
    "betaln": Row(vss.betaln, ss.betaln, binary((0.3, 4), (0.3, 4))),
    "betainc": Row(lambda x, a, b: vss.betainc(a, b, x), lambda x, a, b: ss.betainc(a, b, x),
                   unary(0.05, 0.95, a=st.sampled_from([0.5, 2.0]), b=st.sampled_from([0.7, 3.0])),
                   sample=((_S,), {"a": 2.0, "b": 3.0})),
    "poch": Row(vss.poch, ss.poch, binary((0.5, 4), (-0.4, 3))),
    "zeta": Row(lambda q, s: vss.zeta(s, q), lambda q, s: ss.zeta(s, q),
                unary(0.3, 4, s=st.sampled_from([1.5, 2.0, 3.5])), sample=((_S,), {"s": 2.0})),
    "zeta_riemann": Row(vss.zeta, ss.zeta, unary(-6, 6, avoid=(1,)), order=0),
    "factorial": Row(vss.factorial, ss.factorial, unary(-2, 8), order=0),
    "comb": Row(vss.comb, lambda n, k: ss.comb(n, k), binary((0, 12), (-1, 8)), order=0),
    # the error functions
    "erfcx": Row(vss.erfcx, ss.erfcx, unary(-2, 10)),
    "ndtr": Row(vss.ndtr, ss.ndtr, unary(-6, 6)),
    "ndtri": Row(vss.ndtri, ss.ndtri, unary(0.05, 0.95)),
    "log_ndtr": Row(vss.log_ndtr, ss.log_ndtr, unary(-30, 5)),
    # Bessel functions (orders static: the derivative in the order raises)
    "i0": Row(vss.i0, ss.i0, unary(-4, 4)),
    "i1": Row(vss.i1, ss.i1, unary(-4, 4)),
    "i0e": Row(vss.i0e, ss.i0e, unary(-8, 8, avoid=(0,))),
    "i1e": Row(vss.i1e, ss.i1e, unary(-8, 8, avoid=(0,))),
    "iv": Row(lambda x, v: vss.iv(v, x), lambda x, v: ss.iv(v, x), unary(0.2, 5, v=_ORDERS),
              sample=((_S,), {"v": 1.5})),
    "ive": Row(lambda x, v: vss.ive(v, x), lambda x, v: ss.ive(v, x), unary(0.2, 5, v=_ORDERS),
               sample=((_S,), {"v": 1.5})),
    "j0": Row(vss.j0, ss.j0, unary(-8, 8)),
    "j1": Row(vss.j1, ss.j1, unary(-8, 8)),
    "jv": Row(lambda x, v: vss.jv(v, x), lambda x, v: ss.jv(v, x), unary(0.2, 8, v=_ORDERS),
              sample=((_S,), {"v": 1.5})),
    "jn": Row(lambda x, n: vss.jn(n, x), lambda x, n: ss.jn(n, x),
              unary(-8, 8, n=st.sampled_from([0, 1, 3])), sample=((_S,), {"n": 2})),
    "y0": Row(vss.y0, ss.y0, unary(0.3, 8)),
    "y1": Row(vss.y1, ss.y1, unary(0.3, 8)),
    "yv": Row(lambda x, v: vss.yv(v, x), lambda x, v: ss.yv(v, x), unary(0.3, 8, v=_ORDERS),
              sample=((_S,), {"v": 1.5})),
    "yn": Row(lambda x, n: vss.yn(n, x), lambda x, n: ss.yn(n, x),
              unary(0.3, 8, n=st.sampled_from([0, 1, 3])), sample=((_S,), {"n": 2})),
    "kv": Row(lambda x, v: vss.kv(v, x), lambda x, v: ss.kv(v, x), unary(0.2, 5, v=_ORDERS),
              sample=((_S,), {"v": 1.5})),
    "kve": Row(lambda x, v: vss.kve(v, x), lambda x, v: ss.kve(v, x), unary(0.2, 5, v=_ORDERS),
               sample=((_S,), {"v": 1.5})),
    # exponential integrals, Spence, entropies
    "expi": Row(vss.expi, ss.expi, unary(0.2, 4)),
    "expi_negative": Row(vss.expi, ss.expi, unary(-4, -0.2)),
    "exp1": Row(vss.exp1, ss.exp1, unary(0.2, 4)),
    "expn": Row(lambda x, n: vss.expn(n, x), lambda x, n: ss.expn(n, x),
                unary(0.2, 4, n=st.sampled_from([0, 1, 2, 5])), sample=((_S,), {"n": 2})),
    "spence": Row(vss.spence, ss.spence, unary(0.05, 3)),
    "entr": Row(vss.entr, ss.entr, unary(0.05, 3)),
    "rel_entr": Row(vss.rel_entr, ss.rel_entr, binary((0.1, 3), (0.1, 3))),
    "kl_div": Row(vss.kl_div, ss.kl_div, binary((0.1, 3), (0.1, 3))),
    "sinc": Row(vss.sinc, np.sinc, unary(-3, 3)),
    # Box-Cox
    "boxcox": Row(vss.boxcox, ss.boxcox, binary((0.1, 4), (-2, 2))),
    "boxcox1p": Row(vss.boxcox1p, ss.boxcox1p, binary((-0.9, 3), (-2, 2))),
    "inv_boxcox": Row(vss.inv_boxcox, ss.inv_boxcox, binary((-0.4, 2), (-0.4, 0.4))),
    "inv_boxcox1p": Row(vss.inv_boxcox1p, ss.inv_boxcox1p, binary((-0.4, 2), (-0.4, 0.4))),
}


def _check_values(actual, expected, rtol=1e-10):
  for a, e in zip(tree_flatten(actual)[0], tree_flatten(expected)[0]):
    a, e = np.asarray(a), np.asarray(e)
    assert a.shape == e.shape and a.dtype == e.dtype, (a.shape, a.dtype, e.shape, e.dtype)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SPECIAL))
@given(data=st.data())
def test_values_and_derivatives(name, data):
  row = SPECIAL[name]
  arrays, kw = data.draw(row.args)
  _check_values(row.fn(*arrays, **kw), row.ref(*arrays, **kw), rtol=row.rtol)
  if row.order:
    check_grads(lambda *xs: row.fn(*xs, **kw), arrays, order=row.order)


@pytest.mark.parametrize("name", sorted(SPECIAL))
@settings(max_examples=5)
@given(data=st.data())
def test_vmap_matches_loop(name, data):
  row = SPECIAL[name]
  arrays, kw = data.draw(row.args)
  if kw.get("axis", 0) is None or any(np.ndim(x) == 0 for x in arrays):
    return  # axis=None reduces the batch axis too; scalars have no axis to stack along
  axis = kw.get("axis", 0)
  kw = dict(kw, axis=axis % arrays[0].ndim) if "axis" in kw else kw
  members = [[x + 0.01 * k for x in arrays] for k in range(3)]
  stacked = [np.stack([m[i] for m in members], -1) for i in range(len(arrays))]
  f = lambda *xs: row.fn(*xs, **kw)  # noqa: E731
  out = tree_flatten(vjpkit.vmap(f, in_axes=-1)(*stacked))[0]
  for k, m in enumerate(members):
    _check_values([np.asarray(o)[k] for o in out], f(*m), rtol=1e-12)


def _sample(name):
  row = SPECIAL[name]
  if row.sample is not None:
    return row.sample
  return {"xlogy": ((np.full(3, 2.0), np.full(3, 1.5)), {}),
          "xlog1py": ((np.full(3, 2.0), np.full(3, 0.5)), {}),
          "logsumexp_weighted": ((np.linspace(-1, 1, 3), np.full(3, 0.5)), {}),
          "gamma_negative": ((-_S - 2,), {}), "gammasgn": ((-_S - 3,), {}),
          "expi_negative": ((-_S,), {}), "comb": ((_S * 10, _S * 5), {}),
          "factorial": ((_S * 10,), {}),
          }.get(name, ((_S,) * (2 if name in _BINARY else 1),
                       {"n": 1} if name == "polygamma" else {}))


_BINARY = {"gammainc_in_a", "gammaincinv_in_a", "beta", "betaln", "poch", "rel_entr", "kl_div", "boxcox", "boxcox1p", "inv_boxcox",
           "inv_boxcox1p"}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_jit_matches_eager(name):
  row = SPECIAL[name]
  arrays, kw = _sample(name)
  f = lambda *xs: row.fn(*xs, **kw)  # noqa: E731
  _check_values(vjpkit.jit(f)(*arrays), f(*arrays), rtol=1e-14)
  if row.order:
    loss = lambda *xs: sum(vnp.sum(y) for y in tree_flatten(f(*xs))[0])  # noqa: E731
    g = vjpkit.grad(loss, argnums=tuple(range(len(arrays))))
    _check_values(vjpkit.jit(g)(*arrays), g(*arrays), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_float32_stays_float32(name):
  row = SPECIAL[name]
  arrays, kw = _sample(name)
  arrays32 = [x.astype(np.float32) for x in arrays]
  out = tree_flatten(row.fn(*arrays32, **kw))[0]
  # SciPy's dtypes: float32, except where the first loop that takes a Python scalar with
  # float32 is float64 (expn(2, x) and yn: (long, double); gammainc(2.0, x): (double, double))
  # (factorial, multigammaln and polygamma are Python functions in SciPy, not ufuncs, giving
  # float64 there; they keep float32 here)
  want = [np.dtype(np.float32) if name in ("factorial", "multigammaln", "polygamma")
          else np.asarray(e).dtype for e in tree_flatten(row.ref(*arrays32, **kw))[0]]
  assert [np.asarray(o).dtype for o in out] == want
  for o, e in zip(out, tree_flatten(row.ref(*arrays, **kw))[0]):
    np.testing.assert_allclose(o, e, rtol=1e-5)
  loss = lambda *xs: sum(vnp.sum(y) for y in tree_flatten(row.fn(*xs, **kw))[0])  # noqa: E731
  if row.order:
    assert vjpkit.grad(loss)(*arrays32).dtype == np.float32


def test_integer_inputs_promote():
  assert vss.gammaln(np.array([1, 2, 3])).dtype == np.float64
  assert vss.xlogy(2, 3).dtype == np.float64
  np.testing.assert_allclose(vss.logsumexp(np.arange(3)), ss.logsumexp(np.arange(3)))


def test_xlogy_at_zero():
  np.testing.assert_array_equal(vss.xlogy(np.zeros(2), np.array([0.0, 2.0])), [0.0, 0.0])
  gx, gy = vjpkit.grad(lambda x, y: vss.xlogy(x, y), argnums=(0, 1))(0.0, 2.0)
  np.testing.assert_allclose([gx, gy], [np.log(2.0), 0.0])          # exact off the pole
  gx, gy = vjpkit.grad(lambda x, y: vss.xlogy(x, y), argnums=(0, 1))(0.0, 0.0)
  assert (gx, gy) == (0.0, 0.0)                                    # documented convention
  assert vss.xlog1py(0.0, -1.0) == 0.0


def test_logit_at_its_poles_and_near_one_half():
  # the gradient at 0 and 1 was NaN (JAX: inf, the one-sided limits); log(x / (1 - x))
  # lost 2 digits at x = 0.5 + 1e-15 (relative error 0.9%)
  x = np.array([0.0, 1.0, 1e-300, 0.5, 1 - 1e-10, 0.25, 0.75, -0.1, np.nan])
  with np.errstate(divide="ignore", invalid="ignore"):
    np.testing.assert_allclose(vss.logit(x), ss.logit(x), rtol=1e-15)
    for d in (vjpkit.grad(vss.logit), vjpkit.jit(vjpkit.grad(vss.logit))):
      np.testing.assert_allclose(vjpkit.vmap(d)(x), 1 / (x * (1 - x)), rtol=1e-15)
    np.testing.assert_array_equal(vjpkit.vmap(vjpkit.grad(vjpkit.grad(vss.logit)))(x[:2]),
                                  [-np.inf, np.inf])
  near = 0.5 + np.logspace(-15, -2, 14)
  np.testing.assert_allclose(vss.logit(near), ss.logit(near), rtol=4e-16)
  check_grads(vss.logit, (np.array([0.1, 0.26, 0.5, 0.74, 0.9]),), order=3)


def test_logsumexp_stability_and_signs():
  big = np.array([1000.0, 1000.0, -np.inf])
  np.testing.assert_allclose(vss.logsumexp(big), 1000 + np.log(2))
  np.testing.assert_allclose(vjpkit.grad(vss.logsumexp)(big), [0.5, 0.5, 0.0])
  with np.errstate(divide="ignore"):  # log(0)
    assert vss.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
  assert vss.logsumexp(np.array([np.inf, 1.0])) == np.inf
  a, b = np.array([1.0, 2.0]), np.array([1.0, -2.0])
  assert np.isnan(vss.logsumexp(a, b=b))
  np.testing.assert_allclose(vss.logsumexp(a, b=b, return_sign=True),
                             ss.logsumexp(a, b=b, return_sign=True))
  np.testing.assert_allclose(vss.softmax(np.array([1000.0, 0.0])), [1.0, 0.0])


def test_logsumexp_complex_keeps_the_phase():
  # was: log|sum| plus a lexicographic complex maximum (a wrong imaginary part)
  z = np.array([1 + 2j, -0.5 + 3j, 2 - 1j])
  np.testing.assert_allclose(vss.logsumexp(z), ss.logsumexp(z), rtol=1e-14)
  np.testing.assert_allclose(vss.logsumexp(z, b=np.array([1, -2, 1.0])),
                             ss.logsumexp(z, b=np.array([1, -2, 1.0])), rtol=1e-14)
  m = z.reshape(3, 1) * np.array([1.0, 2.0])
  np.testing.assert_allclose(vss.logsumexp(m, axis=0), ss.logsumexp(m, axis=0), rtol=1e-14)
  big = np.array([1e3 + 1j, 1e3 - 2j])
  np.testing.assert_allclose(vss.logsumexp(big), ss.logsumexp(big), rtol=1e-14)
  out, sign = vss.logsumexp(z, return_sign=True)
  ref_out, ref_sign = ss.logsumexp(z, return_sign=True)
  np.testing.assert_allclose(out, ref_out, rtol=1e-14)
  np.testing.assert_allclose(sign, ref_sign, rtol=1e-14)
  # holomorphic: the JVP is the softmax-weighted tangent
  t = np.array([0.3 - 1j, 2j, 1.0 + 0j])
  _, d = vjpkit.jvp(vss.logsumexp, (z,), (t,))
  np.testing.assert_allclose(d, np.sum(ss.softmax(z) * t), rtol=1e-13)
  check_grads(lambda x: vss.logsumexp(x), (z,), order=2)


def test_spence_slope_at_small_and_infinite_z():
  # was: -log1p(z - 1)/(z - 1), whose rounded z - 1 loses small z's digits (-inf at 1e-300)
  g = vjpkit.grad(vss.spence)
  for z in [1e-300, 1e-10, 1e-3, 0.5, 0.995, 1.005, 2.0, 1e10]:
    np.testing.assert_allclose(g(z), np.log(z) / (1 - z), rtol=1e-15)
    np.testing.assert_allclose(vjpkit.jit(g)(z), np.log(z) / (1 - z), rtol=1e-15)
  assert g(1.0) == -1.0 and g(np.inf) == 0.0


def test_i1e_slope_for_large_and_infinite_x():
  # was nan for |x| >= 1e12 and at +-inf (SciPy's ive(2, x) is nan there)
  g = vjpkit.grad(vss.i1e)
  assert g(np.inf) == 0.0 and g(-np.inf) == 0.0 and np.isnan(g(np.nan))
  x = np.array([1e12, -1e12])
  np.testing.assert_allclose(vjpkit.vmap(g)(x), -0.5 * ss.i1e(np.abs(x)) / np.abs(x),
                             rtol=1e-3)  # even; the cancellation as in JAX
  for x in [1e-5, 0.5, -0.5, 0.999, 1.0, 1.001, 3.0, -30.0]:  # both branches, i0e - i1e (sign + 1/x)
    ref = ss.i1e(x) * -np.sign(x) + (ss.i0e(x) + ss.ive(2, x)) / 2
    np.testing.assert_allclose(g(x), ref, rtol=1e-13)
  check_grads(vss.i1e, (np.array([0.3, 0.99, 1.01, 4.0, -2.0]),), order=2)


def test_incomplete_gamma_slope_in_x_at_infinity_is_zero():
  # was nan (inf - inf in the density's exponent): gamma.cdf's derivative at x = inf
  for a in (0.5, 1.0, 2.0, 7.5):
    assert vjpkit.grad(vss.gammainc, argnums=1)(a, np.inf) == 0.0
    assert vjpkit.grad(vss.gammaincc, argnums=1)(a, np.inf) == 0.0
    assert vjpkit.jit(vjpkit.grad(vss.gammainc, argnums=1))(a, np.inf) == 0.0
  np.testing.assert_allclose(vjpkit.grad(vss.gammainc, argnums=1)(2.0, 3.0), 3.0 * np.exp(-3.0),
                             rtol=1e-14)


def test_polygamma_order_must_be_static():
  with pytest.raises(TypeError, match="integer"):
    vss.polygamma(np.array([1, 2]), 1.0)
  with pytest.raises(TypeError, match="integer"):
    vss.polygamma(1.5, 1.0)


@pytest.mark.parametrize("f", [vss.erf, vss.erfc, vss.erfinv, vss.gammaln, vss.digamma,
                               lambda x: vss.polygamma(2, x)])
def test_second_derivative_program_typechecks(f):
  d2 = vjpkit.grad(vjpkit.grad(f))
  program = vjpkit.make_jaxpr(d2)(0.5)
  typecheck_jaxpr(program.jaxpr)
  np.testing.assert_allclose(eval_jaxpr(program.jaxpr, program.consts, [0.5])[0], d2(0.5))


# -- SciPy's own ufuncs on traced values ------------------------------------------------------

_UFUNC_ROWS = sorted(n for n, r in SPECIAL.items() if isinstance(r.ref, np.ufunc))


@pytest.mark.parametrize("name", _UFUNC_ROWS)
def test_scipy_ufuncs_dispatch_on_tracers(name):
  row = SPECIAL[name]
  arrays, kw = _sample(name)
  np.testing.assert_allclose(vjpkit.jit(row.ref)(*arrays), row.fn(*arrays), rtol=1e-14)
  if row.order:
    via_scipy = vjpkit.grad(lambda *xs: vnp.sum(row.ref(*xs)), argnums=tuple(range(len(arrays))))
    ours = vjpkit.grad(lambda *xs: vnp.sum(row.fn(*xs)), argnums=tuple(range(len(arrays))))
    for a, b in zip(via_scipy(*arrays), ours(*arrays)):
      np.testing.assert_allclose(a, b, rtol=1e-14)


def test_scipy_ufunc_dispatch_names_and_errors():
  assert len(_UFUNC_ROWS) >= 40
  x = np.array([0.5, 2.0])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(lambda x: ss.gamma(x) * ss.jv(1.0, x)))(x),
                             vjpkit.vmap(vjpkit.grad(lambda x: vss.gamma(x) * vss.jv(1.0, x)))(x))
  np.testing.assert_allclose(vjpkit.jit(lambda s: ss.zeta(s))(np.array([0.0, 2.0])),
                             ss.zeta(np.array([0.0, 2.0])))          # zeta calls private ufuncs
  np.testing.assert_allclose(vjpkit.grad(lambda q: ss.zeta(3.0, q))(1.5), -3 * ss.zeta(4.0, 1.5))
  with pytest.raises(TypeError, match=r"^scipy\.special\.ellipk is not supported.*"
                                      r"vjpkit\.scipy\.special"):
    vjpkit.grad(ss.ellipk)(0.5)
  with pytest.raises(TypeError, match=r"^numpy\.isnat is not supported"):
    vjpkit.jit(np.isnat)(0.5)
  with pytest.raises(TypeError, match=r"scipy\.special\.erf with out="):
    vjpkit.jit(lambda x: ss.erf(x, out=np.zeros(2)))(x)


# -- derivatives that raise, tails, bad inputs, special points ---------------------------------

@pytest.mark.parametrize("f,arg", [
    (lambda v: vss.iv(v, 1.0), "'v'"), (lambda v: vss.ive(v, 1.0), "'v'"),
    (lambda v: vss.jv(v, 1.0), "'v'"), (lambda v: vss.yv(v, 1.0), "'v'"),
    (lambda n: vss.yn(n, 1.0), "'n'"), (lambda v: vss.kv(v, 1.0), "'v'"),
    (lambda v: vss.kve(v, 1.0), "'v'"), (lambda s: vss.zeta(s, 2.0), "'s'"),
    (lambda s: vss.zeta(s), "'s'"), (lambda n: vss.expn(n, 1.0), "'n'"),
    (vss.factorial, "'n'"), (lambda n: vss.comb(n, 2.0), "'N'"), (lambda k: vss.comb(5.0, k), "'k'"),
])
def test_no_derivative(f, arg):
  for d in (vjpkit.grad, lambda f: lambda x: vjpkit.jvp(f, (x,), (1.0,))):
    with pytest.raises(NotImplementedError, match=arg):
      d(f)(2.0)


def test_exact_and_order_arguments_rejected():
  with pytest.raises(NotImplementedError, match="exact=True"):
    vss.factorial(3, exact=True)
  with pytest.raises(NotImplementedError, match="exact=True"):
    vss.comb(3, 2, exact=True)
  with pytest.raises(ValueError, match="positive integer"):
    vss.multigammaln(3.0, 1.5)
  with pytest.raises(ValueError, match="not met"):
    vss.multigammaln(np.array([3.0, 0.4]), 2)
  assert np.isnan(vjpkit.jit(lambda a: vss.multigammaln(a, 2))(0.4))   # traced: nan
  np.testing.assert_allclose(vss.comb(np.array([5.0, 3.0]), 2.0, repetition=True),
                             ss.comb(np.array([5.0, 3.0]), 2.0, repetition=True))


# tails, poles and points outside the domain: SciPy's values (nan, inf) exactly
EDGES = {
    "gamma": (vss.gamma, ss.gamma, ([0.0, -1.0, -2.5, 171.5, 180.0, -180.5, 1e-300, np.nan],)),
    "gammasgn": (vss.gammasgn, ss.gammasgn, ([0.0, -1.0, -2.5, -3.5, 5.0, np.inf],)),
    "loggamma": (vss.loggamma, ss.loggamma, ([0.0, -0.5, 1e-300, 1e300, np.inf],)),
    "rgamma": (vss.rgamma, ss.rgamma, ([0.0, -1.0, -170.5, 200.0, 1e-300],)),
    "beta": (vss.beta, ss.beta, ([0.0, -1.0, 1e-300, 500.0, -0.5], [1.0, 2.0, 1.0, 500.0, 1.5])),
    "poch": (vss.poch, ss.poch, ([0.0, -2.0, 1e3, 2.0], [1.0, 2.0, 1e3, -3.0])),
    "zeta": (vss.zeta, ss.zeta, ([1.0, 0.5, 50.0, 2.0, 2.0], [1.0, 1.0, 3.0, 0.0, -1.5])),
    "zeta_riemann": (vss.zeta, ss.zeta, ([1.0, -2.0, -31.0, 100.0, -np.inf],)),
    "factorial": (vss.factorial, ss.factorial, ([-1.0, 0.0, 170.0, 171.0, np.nan],)),
    "comb": (vss.comb, ss.comb, ([5.0, 5.0, 5.0, 1e3, -1.0], [-1.0, 6.0, 0.0, 500.0, 0.0])),
    "erfcx": (vss.erfcx, ss.erfcx, ([-30.0, -1e3, 1e5, 1e300, np.inf],)),
    "log_ndtr": (vss.log_ndtr, ss.log_ndtr, ([-1e5, -40.0, 10.0, 40.0, -np.inf],)),
    "ndtri": (vss.ndtri, ss.ndtri, ([0.0, 1.0, 1e-300, -0.1, 1.5],)),
    "i0": (vss.i0, ss.i0, ([700.0, -720.0, 0.0],)), "i1": (vss.i1, ss.i1, ([700.0, -720.0, 0.0],)),
    "iv": (vss.iv, ss.iv, ([0.5, 2.0, -1.0, 1.5], [-1.0, 800.0, 1e-3, 0.0])),
    "ive": (vss.ive, ss.ive, ([0.5, 2.0, 3.0], [-1.0, 800.0, 1e4])),
    "jv": (vss.jv, ss.jv, ([0.5, 2.0, 1.0], [-1.0, 1e4, 0.0])),
    "yv": (vss.yv, ss.yv, ([0.5, 2.0, 1.0], [-1.0, 0.0, 1e-300])),
    "y0": (vss.y0, ss.y0, ([0.0, -1.0, 1e4],)), "y1": (vss.y1, ss.y1, ([0.0, -1.0, 1e4],)),
    "yn": (vss.yn, ss.yn, ([1.0, 2.0], [0.0, -1.0])),
    "kv": (vss.kv, ss.kv, ([0.5, 2.0, 1.0], [0.0, -1.0, 800.0])),
    "kve": (vss.kve, ss.kve, ([0.5, 2.0, 1.0], [0.0, -1.0, 1e4])),
    "expi": (vss.expi, ss.expi, ([0.0, -800.0, 800.0, 710.0],)),
    "exp1": (vss.exp1, ss.exp1, ([0.0, -1.0, 800.0, 1e-300],)),
    "expn": (vss.expn, ss.expn, ([0.0, 1.0, 2.0, -1.0], [0.0, 0.0, 800.0, 1.0])),
    "spence": (vss.spence, ss.spence, ([0.0, 1.0, -1.0, 1e300],)),
    "entr": (vss.entr, ss.entr, ([0.0, -1.0, np.inf, 1e-300],)),
    "rel_entr": (vss.rel_entr, ss.rel_entr, ([0.0, 0.0, 1.0, -1.0, 1.0], [0.0, 1.0, 0.0, 1.0, -1.0])),
    "kl_div": (vss.kl_div, ss.kl_div, ([0.0, 0.0, 1.0, -1.0, 1.0], [0.0, 1.0, 0.0, 1.0, -1.0])),
    "boxcox": (vss.boxcox, ss.boxcox, ([0.0, 0.0, 0.0, -1.0, 1e-300, 1e300, 2.0],
                                       [1.0, 0.0, -1.0, 0.5, 0.5, 2.0, 1e-30])),
    "boxcox1p": (vss.boxcox1p, ss.boxcox1p, ([-1.0, -1.0, -1.0, -2.0, 1e-300, 1e-17],
                                             [1.0, 0.0, -1.0, 0.5, 0.5, 3.0])),
    "inv_boxcox": (vss.inv_boxcox, ss.inv_boxcox, ([-3.0, 1e3, 2.0, 1e-17], [0.5, 0.0, 1e-30, 2.0])),
    "inv_boxcox1p": (vss.inv_boxcox1p, ss.inv_boxcox1p, ([-3.0, 1e-17, 2.0], [0.5, 2.0, 0.0])),
}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_tails_and_bad_inputs(name):
  f, ref, args = EDGES[name]
  args = [np.array(a) for a in args]
  with np.errstate(all="ignore"):
    want = ref(*args)
    for got in (f(*args), vjpkit.jit(f)(*args)):
      np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
      np.testing.assert_array_equal(np.isnan(got), np.isnan(want))


@pytest.mark.filterwarnings("ignore:divide by zero")
def test_derivatives_at_special_points():
  # rgamma through the poles of Γ: (-1)^n n!, and the second derivative 2 (-1)^(n+1) n! ψ(n + 1)
  x = np.array([0.0, -1.0, -2.0, -3.0])
  n = -x
  fact = ss.factorial(n)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(vss.rgamma))(x), (-1) ** n * fact, rtol=1e-14)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(vjpkit.grad(vss.rgamma)))(x),
                             2 * (-1) ** (n + 1) * fact * ss.psi(n + 1), rtol=1e-12)
  # i1'(0) = i1e'(0) = 1/2 (the recurrences, no division by x)
  for f in (vss.i1, vss.i1e, lambda x: vss.iv(1.0, x), lambda x: vss.ive(1.0, x)):
    np.testing.assert_allclose(vjpkit.grad(f)(0.0), 0.5, rtol=1e-15)
  np.testing.assert_allclose(vjpkit.grad(vss.i1)(2.2250738585072014e-308), 0.5)  # SciPy's iv: nan
  # spence'(1) = -1, smooth through 1 to second order (1/2)
  np.testing.assert_allclose(vjpkit.grad(vss.spence)(1.0), -1.0, rtol=1e-15)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.grad(vss.spence))(1.0), 0.5, rtol=1e-14)
  check_grads(vss.spence, (np.array([0.99, 1.0, 1.0 + 1e-9, 1.02]),), order=3)
  # boxcox at λ = 0: ∂/∂λ = (log x)²/2 and ∂²/∂λ² = (log x)³/3, no cancellation near 0
  x = np.array([0.5, 2.0, 7.0])
  lx = np.log(x)
  for lam in (0.0, 1e-12, -1e-9):
    d = vjpkit.vmap(vjpkit.grad(vss.boxcox, argnums=1), in_axes=(0, None))(x, lam)
    np.testing.assert_allclose(d, lx ** 2 / 2 + lam * lx ** 3 / 3, rtol=1e-8)
    d2 = vjpkit.vmap(vjpkit.grad(vjpkit.grad(vss.boxcox, argnums=1), argnums=1),
                     in_axes=(0, None))(x, lam)
    np.testing.assert_allclose(d2, lx ** 3 / 3, rtol=1e-6)
  check_grads(vss.boxcox, (x, np.array([-1e-3, 0.0, 0.02])), order=2)
  check_grads(vss.inv_boxcox, (x, np.array([-1e-3, 0.0, 0.02])), order=2)
  # boxcox at x = 0 (boxcox1p at -1): the one-sided limits x^(λ-1) and, in λ, 1/λ²
  for f, x0 in ((vss.boxcox, 0.0), (vss.boxcox1p, -1.0)):
    for lam, dx in ((0.5, np.inf), (1.0, 1.0), (2.0, 0.0)):
      assert vjpkit.grad(f, argnums=(0, 1))(x0, lam) == (dx, 1 / lam ** 2)
  # entr and rel_entr at 0: the one-sided limits
  assert vjpkit.grad(vss.entr)(0.0) == np.inf
  assert vjpkit.grad(vss.rel_entr, argnums=(0, 1))(0.0, 1.0) == (-np.inf, 0.0)
  # Hurwitz zeta in q, and expn's order 0
  check_grads(lambda q: vss.zeta(2.5, q), (np.array([0.4, 1.0, 3.0]),), order=3)
  check_grads(lambda x: vss.expn(0, x), (np.array([0.4, 1.0, 3.0]),), order=3)
  # the derivatives of the discrete-valued functions are 0
  assert vjpkit.grad(vss.gammasgn)(-2.5) == 0.0


def test_incomplete_gamma_derivative_in_a():
  # against JAX's lax.igamma_grad_a and lax.random_gamma_grad (JAX 0.10, float64; importing
  # and compiling JAX here would take longer than the rest of this file)
  a = np.array([1e-3, 0.05, 0.5, 2.5, 7.0, 30.0, 250.0, 1e3])
  x = np.array([1e-3, 3.0, 0.2, 2.5, 12.0, 25.0, 260.0, 1010.0])
  jax_grad_a = [-6.2932038249004325, -0.015620284327717284, -0.820161406486339,
                -0.26084496236866916, -0.033752696782254656, -0.04995487742583563,
                -0.020367153351256516, -0.011945731337229443]
  jax_gamma_grad = [6.339511118616953, 17.34624303801262, 0.7940505663308435, 1.0686730199876298,
                    1.3246077171645299, 0.9166815997356533, 1.0204186094228764, 1.0051509296765602]
  np.testing.assert_allclose(vjpkit.lax.igamma_grad_a(a, x), jax_grad_a, rtol=1e-11)
  np.testing.assert_allclose(vjpkit.lax.random_gamma_grad(a, x), jax_gamma_grad, rtol=1e-10)
  # the first derivative against finite differences of SciPy's gammainc, on a wider sample
  rng = np.random.default_rng(1)
  a = np.concatenate([rng.uniform(0.05, 3, 20), rng.uniform(3, 300, 20), a])
  x = np.concatenate([rng.uniform(0.01, 6, 20), a[20:40] * rng.uniform(0.5, 1.5, 20), x])
  h = 1e-3 * a
  P = lambda a_: ss.gammainc(a_, x)  # noqa: E731
  fd = (-P(a + 2 * h) + 8 * P(a + h) - 8 * P(a - h) + P(a - 2 * h)) / (12 * h)
  np.testing.assert_allclose(vjpkit.lax.igamma_grad_a(a, x), fd, rtol=1e-6, atol=1e-13)
  # the second derivative against finite differences of the first
  f = lambda a_: vjpkit.lax.igamma_grad_a(a_, x)  # noqa: E731
  fd = (-f(a + 2 * h) + 8 * f(a + h) - 8 * f(a - h) + f(a - 2 * h)) / (12 * h)
  d2 = vjpkit.vmap(vjpkit.grad(vjpkit.grad(vss.gammainc)))(a, x)
  np.testing.assert_allclose(d2, fd, rtol=1e-5, atol=1e-12)
  # large shapes near x = a need O(√a) terms (more than the 2000 of Cephes' loop); against
  # finite differences of SciPy (JAX: -2.4201e-4)
  a_big, x_big = np.array([1e6, 3e4]), np.array([0.999e6, 0.998 * 3e4])
  np.testing.assert_allclose(vjpkit.lax.igamma_grad_a(a_big, x_big),
                             _richardson(lambda v: ss.gammainc(v, x_big), a_big, 1e-5 * a_big),
                             rtol=1e-7)
  # invalid arguments: nan, as the values; x = 0 and inf: 0
  np.testing.assert_array_equal(vjpkit.lax.igamma_grad_a(np.array([-1.0, 1.0, 1.0, 1.0, np.nan]),
                                                         np.array([1.0, -1.0, 0.0, np.inf, 1.0])),
                                [np.nan, np.nan, 0.0, 0.0, np.nan])
  # gamma.cdf in its shape, and the reparameterization gradient of a gamma sample
  from vjpkit.scipy import stats
  check_grads(lambda a: stats.gamma.cdf(np.array([0.5, 2.0]), a), (np.array([0.7, 3.0]),), order=2)
  u = np.array([0.1, 0.5, 0.9])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(vss.gammaincinv))(np.full(3, 2.0), u),
                             vjpkit.lax.random_gamma_grad(2.0, vss.gammaincinv(2.0, u)), rtol=1e-14)
  with pytest.raises(NotImplementedError, match="third derivative"):
    vjpkit.grad(vjpkit.grad(vjpkit.grad(lambda a: vss.gammainc(a, 1.0))))(2.0)


def _richardson(f, v, h):
  return (-f(v + 2 * h) + 8 * f(v + h) - 8 * f(v - h) + f(v - 2 * h)) / (12 * h)


def test_incomplete_beta_derivatives_in_the_shapes():
  rng = np.random.default_rng(2)
  n = 60
  a, b = np.exp(rng.uniform(np.log(0.1), np.log(300), (2, n)))
  x = np.concatenate([rng.uniform(0.001, 0.999, n - 4), [1e-6, 0.5, 1 - 1e-6, 0.3]])
  ha, hb = 1e-4 * a, 1e-4 * b
  g = vjpkit.lax.betainc_grad
  # first derivatives against finite differences of SciPy's values (whose rounding, near 1,
  # limits those to an absolute ~1e-12)
  for comp, f, v, h in (("a", lambda v: ss.betainc(v, b, x), a, ha),
                        ("b", lambda v: ss.betainc(a, v, x), b, hb)):
    np.testing.assert_allclose(g(a, b, x, comp), _richardson(f, v, h), rtol=1e-5, atol=1e-10)
  # second derivatives against finite differences of the first, both orders of the mixed one
  for comp, f, v, h in (("aa", lambda v: g(v, b, x, "a"), a, ha), ("ab", lambda v: g(a, v, x, "a"), b, hb),
                        ("ab", lambda v: g(v, b, x, "b"), a, ha), ("bb", lambda v: g(a, v, x, "b"), b, hb)):
    np.testing.assert_allclose(g(a, b, x, comp), _richardson(f, v, h), rtol=1e-6, atol=1e-12)
  big = np.array([1e5, 1e6])
  np.testing.assert_allclose(g(big, 2 * big, np.array([0.33, 0.333]), "a"),
                             _richardson(lambda v: ss.betainc(v, 2 * big, np.array([0.33, 0.333])),
                                         big, 1e-5 * big), rtol=1e-7)
  # invalid arguments nan, the ends 0; jvp through betainc, betaincinv, stdtr and stdtrit
  np.testing.assert_array_equal(g(np.array([-1.0, 1.0, 1.0, 1.0, 1.0]), np.array([1.0, 0.0, 1.0, 1.0, 1.0]),
                                  np.array([0.5, 0.5, 0.0, 1.0, 1.5])), [np.nan, np.nan, 0.0, 0.0, np.nan])
  sa, sb, sx = np.array([0.5, 3.0]), np.array([2.0, 0.8]), np.array([0.3, 0.9])
  check_grads(vss.betainc, (sa, sb, sx), order=2)
  check_grads(vss.betaincinv, (sa, sb, np.array([0.2, 0.7])), order=2, rtol=1e-4)
  df, t = np.array([0.8, 4.0, 40.0, 3.0, 2.0]), np.array([-3.0, 0.4, 1.2, 0.0, 1e-200])
  check_grads(vss.stdtr, (df, t), order=2)
  check_grads(vss.stdtrit, (df[:3], np.array([0.05, 0.5, 0.8])), order=2, rtol=1e-4)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(vss.stdtr))(df, t),
                             _richardson(lambda v: ss.stdtr(v, t), df, 1e-4 * df), rtol=1e-6, atol=1e-14)
  with pytest.raises(NotImplementedError, match="third derivative"):
    vjpkit.grad(vjpkit.grad(vjpkit.grad(lambda a: vss.betainc(a, 2.0, 0.5))))(2.0)


def test_xlogy_and_xlog1py_are_zero_at_zero_x_for_every_y_but_nan():
  # were NaN for x == 0 and y below the pole (SciPy and JAX: 0)
  y = np.array([-np.inf, -3.0, -1.0, -0.5, 0.0, 0.5, 2.0, np.inf, np.nan])
  for name in ("xlogy", "xlog1py"):
    with np.errstate(invalid="ignore", divide="ignore"):
      for x in (0.0, 1.5, -2.0):  # (SciPy's own log1p and np.log1p may differ by an ulp)
        np.testing.assert_allclose(getattr(vss, name)(x, y), getattr(ss, name)(x, y),
                                   rtol=3e-16, atol=0)
  # the derivative in x at x == 0 is still log(y) where y is in the domain
  assert vjpkit.grad(vss.xlogy)(0.0, 2.0) == np.log(2.0)


# -- findings of session 6 ------------------------------------------------------------------

def test_exponential_integral_derivatives_are_nan_where_the_value_is():
  # exp1 and expn are NaN for x < 0 (SciPy); the derivative was finite there (-e^-x/x)
  x = np.array([-2.0, -0.5, -np.inf])
  assert np.isnan(ss.exp1(x)).all()
  g = vjpkit.vmap(vjpkit.grad(vss.exp1))(x)
  assert np.isnan(g).all()
  assert np.isnan(vjpkit.grad(vjpkit.grad(vss.exp1))(-1.0))
  for n in (0.0, 1.0, 3.0):
    assert np.isnan(vjpkit.grad(vss.expn, argnums=1)(n, -1.5))
  # on the domain, the derivatives and their limits at the ends are unchanged
  assert vjpkit.grad(vss.exp1)(0.0) == -np.inf and vjpkit.grad(vss.exp1)(np.inf) == 0.0
  np.testing.assert_allclose(vjpkit.grad(vss.exp1)(0.5), -np.exp(-0.5) / 0.5, rtol=1e-15)
  # expi is defined on the whole line: e^x/x, -> inf at +inf (was inf/inf = NaN), 0 at -inf
  np.testing.assert_allclose(vjpkit.grad(vss.expi)(-2.0), np.exp(-2.0) / -2.0, rtol=1e-15)
  assert vjpkit.grad(vss.expi)(np.inf) == np.inf and vjpkit.grad(vss.expi)(-np.inf) == 0.0
  assert vjpkit.grad(vss.expi)(0.0) == np.inf


def test_log1p_is_scipys_for_real_and_complex_inputs():
  # vjpkit.scipy.special.log1p was numpy's (a re-export): NumPy's complex log1p loses the
  # real part of small z (1e-20 + 1e-12j gives 0 real part), and its dtypes differ
  z = np.array([1e-10 + 1e-10j, -1e-8 + 1e-5j, 1e-20 + 1e-12j, -0.5 + 0.2j, 2 + 3j,
                -1e-16 + 1e-8j])
  assert "log1p" in vss.__all__
  for f in (vss.log1p, vjpkit.jit(vss.log1p)):
    np.testing.assert_array_equal(f(z), ss.log1p(z))
  x = np.random.default_rng(0).uniform(-0.99, 3.0, 500)
  for a in (x, x.astype(np.float32)):
    out = vss.log1p(a)
    assert out.dtype == ss.log1p(a).dtype
    np.testing.assert_array_equal(out, ss.log1p(a))
  for a in (np.array([0, 3], np.int8), np.array([True, False]), np.float16(0.5)):
    assert np.asarray(vss.log1p(a)).dtype == ss.log1p(a).dtype
  np.testing.assert_allclose(vjpkit.grad(vss.log1p)(0.5), 1 / 1.5, rtol=1e-15)
  check_grads(vss.log1p, (np.array([0.3, -0.5, 2.0]),), order=2)
  # holomorphic: d/dz log1p(z) = 1/(1 + z), as vnp.log1p's complex derivative
  z0 = np.complex128(0.3 + 0.4j)
  np.testing.assert_allclose(vjpkit.grad(lambda z: vss.log1p(z).real)(z0),
                             vjpkit.grad(lambda z: vnp.log1p(z).real)(z0), rtol=1e-15)
  # xlog1py: SciPy's values for complex y too
  for f in (vss.xlog1py, vjpkit.jit(vss.xlog1py)):
    np.testing.assert_array_equal(f(2.0 + 0j, z), ss.xlog1py(2.0 + 0j, z))
  # scipy.special.log1p on a traced value runs it
  np.testing.assert_allclose(vjpkit.grad(lambda v: ss.log1p(v))(0.5), 1 / 1.5, rtol=1e-15)


def test_logit_at_zero_and_one_without_internal_warnings():
  # grad(logit) at 0 and 1 warned (divide by zero inside the derivative); SciPy's logit
  # does not warn there. Values and first derivatives as JAX (-inf/inf; inf, inf)
  import warnings
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    assert vss.logit(0.0) == -np.inf and vss.logit(1.0) == np.inf
    g = vjpkit.grad(vss.logit)
    assert g(0.0) == np.inf and g(1.0) == np.inf
    assert vjpkit.jit(g)(0.0) == np.inf
    np.testing.assert_array_equal(vjpkit.vmap(g)(np.array([0.0, 1.0])), [np.inf, np.inf])
    # the second derivative is the one-sided limit of -1/x² + 1/(1-x)² (JAX: NaN)
    gg = vjpkit.grad(g)
    assert gg(0.0) == -np.inf and gg(1.0) == np.inf and gg(0.5) == 0.0
  np.testing.assert_allclose(g(0.2), 1 / (0.2 * 0.8), rtol=1e-15)
  check_grads(vss.logit, (np.array([0.2, 0.5, 0.9]),), order=3)


# -- SciPy's result dtypes: each ufunc's first loop that takes the inputs safely -----------

_UFUNCS = [n for n in vss.__all__ if isinstance(getattr(ss, n, None), np.ufunc)]
_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64, np.float16, np.float32,
           np.float64]


def _table_inputs(dtype, nin: int):
  """``nin`` arrays of ``dtype`` (rotations of one sample, so that the arguments differ)."""
  if dtype == np.bool_:
    base = np.array([False, True, True, False, True, False])
  elif np.dtype(dtype).kind == "u":
    base = np.array([0, 1, 2, 3, 5, 4])
  elif np.dtype(dtype).kind == "i":
    base = np.array([0, 1, 2, -1, 5, 3])
  else:
    base = np.array([0.25, 0.5, 1.5, -0.5, 3.0, 0.75])
  base = base.astype(dtype)
  return [np.roll(base, k) for k in range(nin)]


def _assert_scipys(out, expect):
  """The same dtype, and the same values within 4 ulps of it (NaN where SciPy's is)."""
  out, expect = np.asarray(out), np.asarray(expect)
  assert out.dtype == expect.dtype, (out.dtype, expect.dtype)
  assert np.array_equal(np.isnan(out), np.isnan(expect)), (out, expect)
  finite = np.isfinite(expect)
  np.testing.assert_array_equal(out[~finite & ~np.isnan(expect)],
                                expect[~finite & ~np.isnan(expect)])
  e = expect[finite]
  ulp = np.spacing(np.abs(e)).astype(np.float64)
  assert np.all(np.abs(out[finite].astype(np.float64) - e) <= 4 * ulp), (out, expect)


@pytest.mark.filterwarnings("ignore:floating point number truncated")  # expn, yn: a float n
@pytest.mark.parametrize("dtype", _DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", _UFUNCS)
def test_ufunc_dtypes_and_values_are_scipys(name, dtype):
  # vjpkit gave float16 for float16 inputs (erf: SciPy's float64) and float64 for small
  # integers (exp1(int8): SciPy's float32, its 'f->f' loop comes first): 156 of these cases
  u = getattr(ss, name)
  args = _table_inputs(dtype, u.nin)
  with np.errstate(all="ignore"):
    expect = u(*args)
    _assert_scipys(getattr(vss, name)(*args), expect)
    _assert_scipys(vjpkit.jit(getattr(vss, name))(*args), expect)


def test_scipy_dtypes_with_python_scalars_traced_values_and_derivatives():
  f32, f16 = np.array([0.5, 1.5], np.float32), np.float16(0.5)
  # a Python scalar is weak, as in SciPy: jv(2, float32) is float32, but expn's first loop
  # is (long, double), so expn(2, float32) is float64; a bool is not weak (exp1: float32)
  for fn, args in [("jv", (2, f32)), ("jv", (2.5, f32)), ("expn", (2, f32)), ("exp1", (True,)),
                   ("exp1", (5,)), ("boxcox", (np.int8(3), 2)), ("logit", (f16,)),
                   ("ndtr", (np.int8(1),)), ("xlogy", (f16, 2))]:
    expect = getattr(ss, fn)(*args)
    _assert_scipys(getattr(vss, fn)(*args), expect)
    _assert_scipys(vjpkit.jit(getattr(vss, fn))(*args), expect)   # weak traced scalars
  jv2 = vjpkit.jit(lambda x: ss.jv(2, x))   # scipy's ufunc on a traced value runs vss.jv
  assert jv2(f32).dtype == np.float32
  # float32 and float64 stay; complex inputs are as before
  for fn in ("erf", "exp1", "gammaln", "ndtri"):
    for a in (f32, f32.astype(np.float64)):
      assert getattr(vss, fn)(a).dtype == a.dtype
  z = np.array([0.5 + 0.5j], np.complex64)
  np.testing.assert_array_equal(vss.erf(z), ss.erf(z))
  assert vss.erf(z).dtype == np.complex64
  with pytest.raises(TypeError):
    vss.gammaln(z)
  # derivatives: computed in SciPy's dtype, returned in the input's (float16 here)
  g = vjpkit.grad(vss.erf)(f16)
  assert g.dtype == np.float16 and g == np.float16(2 / np.sqrt(np.pi) * np.exp(-0.25))
  assert vjpkit.grad(vss.exp1)(np.float32(0.5)).dtype == np.float32
  check_grads(lambda x: vss.jv(2, x), (np.array([0.5, 1.5]),), order=2)
  check_grads(lambda x: vss.ndtri(x), (np.array([0.3, 0.8]),), order=2)
