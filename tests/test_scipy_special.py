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
  order: int = 2


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
  _check_values(row.fn(*arrays, **kw), row.ref(*arrays, **kw))
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


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_float32_stays_float32(name):
  row = SPECIAL[name]
  arrays, kw = {"xlogy": ((np.full(3, 2.0), np.full(3, 1.5)), {}),
                "xlog1py": ((np.full(3, 2.0), np.full(3, 0.5)), {}),
                "logsumexp_weighted": ((np.linspace(-1, 1, 3), np.full(3, 0.5)), {})}.get(
                    name, ((np.linspace(0.3, 0.6, 3),), {"n": 1} if name == "polygamma" else {}))
  arrays32 = [x.astype(np.float32) for x in arrays]
  out = tree_flatten(row.fn(*arrays32, **kw))[0]
  assert all(np.asarray(o).dtype == np.float32 for o in out)
  for o, e in zip(out, tree_flatten(row.ref(*arrays, **kw))[0]):
    np.testing.assert_allclose(o, e, rtol=1e-5)
  loss = lambda *xs: sum(vnp.sum(y) for y in tree_flatten(row.fn(*xs, **kw))[0])  # noqa: E731
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
