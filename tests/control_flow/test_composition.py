"""Control flow inside call primitives (the template of jit), and corner cases of partial evaluation."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import checkpoint, grad, jvp, lax, linearize, make_jaxpr, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.lax.call import closed_call

CASES = {
    "cond": lambda x: lax.cond(x > 0, vnp.sin, vnp.cos, x),
    "scan": lambda x: lax.scan(lambda c, y: (vnp.sin(c) * y, c), x, np.arange(1.0, 4.0))[0],
    "fori": lambda x: lax.fori_loop(0, 3, lambda i, c: vnp.sin(c) * x, x),
    "checkpoint": lambda x: checkpoint(lambda x: vnp.sin(vnp.sin(x)))(x),
}


def _with_rule(f):
  g = vjpkit.custom_jvp(f)
  g.defjvp(lambda p, t: (f(*p), vnp.cos(p[0]) * t[0]))
  return g


CASES["custom_jvp"] = _with_rule(vnp.sin)


@pytest.mark.parametrize("name", sorted(CASES))
def test_inside_a_call_primitive(name):
  """jit stages a function into a call primitive whose partial evaluation must let the
  control flow inside split into known and unknown parts (so primal outputs stay known)."""
  h = CASES[name]
  k = lambda x: closed_call(lambda x: [h(x)], x)[0]  # noqa: E731
  xs = np.array([0.4, -0.7])
  np.testing.assert_allclose(grad(k)(0.4), grad(h)(0.4), rtol=1e-14)
  np.testing.assert_allclose(grad(grad(k))(0.4), grad(grad(h))(0.4), rtol=1e-13)
  np.testing.assert_allclose(vmap(grad(k))(xs), vmap(grad(h))(xs), rtol=1e-14)
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(k)(xs)))(xs), vmap(grad(h))(xs),
                             rtol=1e-14)
  closed = make_jaxpr(grad(k))(0.4)
  typecheck_jaxpr(closed.jaxpr)


def test_unknown_input_that_does_not_reach_the_output():
  f = lambda x: lax.scan(lambda c, y: (c + lax.stop_gradient(y * x), c * 2.0),  # noqa: E731
                         1.0, np.ones(3))[0] + x
  assert float(grad(f)(2.0)) == 1.0
  g = lambda x: lax.cond(x > 0, lambda y: lax.stop_gradient(y), lambda y: y * 0.0, x) + x  # noqa: E731
  assert float(grad(g)(2.0)) == 1.0


def test_linearize_runs_the_linear_scan_forward():
  g = lambda x: lax.scan(lambda c, y: (vnp.sin(c) * y, c), x, np.arange(1.0, 4.0))  # noqa: E731
  _, f_lin = linearize(g, 0.3)
  for a, b in zip(f_lin(1.0), jvp(g, (0.3,), (1.0,))[1]):
    np.testing.assert_allclose(a, b, rtol=1e-14)


def test_cond_without_operands_prints_literals():
  text = str(make_jaxpr(lambda p: lax.cond(p, lambda: 1.0, lambda: 2.0))(True))
  assert "in (2.0:f64[],) }" in text and "in (1.0:f64[],) }" in text


def test_jacobians_through_control_flow():
  xs = np.arange(1.0, 5.0)
  g = lambda x: lax.scan(lambda c, y: (vnp.sin(c) * y, c * y), x[0], x)[1]  # noqa: E731
  np.testing.assert_allclose(vjpkit.jacrev(g)(xs), vjpkit.jacfwd(g)(xs), rtol=1e-13)
  h = lambda x: vnp.sum(lax.scan(lambda c, y: (vnp.tanh(c * y), c), x[0], x)[1] ** 2)  # noqa: E731
  np.testing.assert_allclose(vjpkit.hessian(h)(xs), vjpkit.jacfwd(vjpkit.jacfwd(h))(xs), rtol=1e-12)
  c = lambda x: lax.cond(x[0] > 0, lambda y: y ** 2, lambda y: -y, x)  # noqa: E731
  np.testing.assert_allclose(vjpkit.jacrev(c)(xs), np.diag(2 * xs))
  w = lambda x: lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, vnp.sin(s[1])), (0, x))[1]  # noqa: E731
  np.testing.assert_allclose(vjpkit.jacfwd(w)(xs), np.diag(
      np.cos(np.sin(np.sin(xs))) * np.cos(np.sin(xs)) * np.cos(xs)), rtol=1e-13)
  with pytest.raises(TypeError, match="Reverse-mode"):
    vjpkit.jacrev(w)(xs)
  f = lambda x: lax.fori_loop(0, 4, lambda i, c: c * 0.5 + lax.dynamic_index_in_dim(  # noqa: E731
      x, i, keepdims=False), 0.0)
  np.testing.assert_allclose(vjpkit.grad(f)(xs), [0.125, 0.25, 0.5, 1.0])
