"""The seed documents' examples, against their closed forms and printed programs.

* backprop is a vector-Jacobian product: the VJP of an elementwise op is an
  elementwise product, never an n×n Jacobian;
* for y = W x, the cotangent g pulls back to Wᵀg and g xᵀ;
* a value with several consumers receives the sum of their cotangents;
* the regression net z = wx + b, ŷ = σ(z), L = ½(y - ŷ)²;
* a 3-layer network's gradient w.r.t. θ = (θ1, θ2, θ3) in one reverse sweep.
"""
from __future__ import annotations

import numpy as np

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, make_jaxpr, vjp


def _text(closed):
  return "\n".join(line.rstrip() for line in str(closed).strip().splitlines())


def test_elementwise_vjp_is_a_product():
  x = np.array([0.1, 0.2, 0.3])
  _, f_vjp = vjp(vnp.exp, x)
  g = np.array([1.0, 2.0, 3.0])
  np.testing.assert_allclose(f_vjp(g)[0], g * np.exp(x))
  assert _text(make_jaxpr(f_vjp)(g)) == (
      "{ lambda a:f64[3]; b:f64[3]. let\n"
      "    c:f64[3] = mul b a\n"
      "  in (c,) }")


def test_sum_sin_gradient_is_cos():
  x = np.linspace(-2, 2, 7)
  np.testing.assert_allclose(grad(lambda x: vnp.sum(vnp.sin(x)))(x), np.cos(x))


def test_matvec_vjp_is_WT_g_and_g_xT():
  rng = np.random.default_rng(0)
  W, x, g = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal(2)
  _, f_vjp = vjp(lambda W, x: W @ x, W, x)
  gW, gx = f_vjp(g)
  np.testing.assert_allclose(gW, np.outer(g, x))
  np.testing.assert_allclose(gx, W.T @ g)
  assert _text(make_jaxpr(f_vjp)(g)) == (
      "{ lambda a:f64[2,3] b:f64[3]; c:f64[2]. let\n"
      "    d:f64[3] = dot_general[dimension_numbers=(((0,), (0,)), ((), ()))] c a\n"
      "    e:f64[2,3] = dot_general[dimension_numbers=(((), ()), ((), ()))] c b\n"
      "  in (e d) }")


def test_several_children_sum_their_cotangents():
  # f(x(t), y(t)) with x = t², y = sin t, f = x·y: df/dt = y·2t + x·cos t
  def f(t):
    x, y = t * t, vnp.sin(t)
    return x * y
  t = 0.8
  np.testing.assert_allclose(grad(f)(t), np.sin(t) * 2 * t + t * t * np.cos(t))
  _, f_vjp = vjp(f, t)
  backward = _text(make_jaxpr(f_vjp)(1.0))
  assert "add_any" in backward  # the two paths' cotangents meet in one sum


def test_regression_net_chain_rule():
  sigma = lambda z: 1 / (1 + vnp.exp(-z))  # noqa: E731
  w, b, x, y = 0.7, -0.2, 1.5, 0.3

  def loss(w, b):
    yhat = sigma(w * x + b)
    return 0.5 * (y - yhat) ** 2
  z = w * x + b
  yhat = 1 / (1 + np.exp(-z))
  dL_dyhat = yhat - y
  dyhat_dz = yhat * (1 - yhat)
  gw, gb = grad(loss, argnums=(0, 1))(w, b)
  np.testing.assert_allclose(gw, dL_dyhat * dyhat_dz * x)
  np.testing.assert_allclose(gb, dL_dyhat * dyhat_dz)


def _three_layer(rng):
  sizes = [(4, 3), (4, 4), (2, 4)]
  theta = tuple((rng.standard_normal(s), rng.standard_normal(s[0])) for s in sizes)
  return rng.standard_normal(3), theta


def _net(x, theta):
  (W1, b1), (W2, b2), (W3, b3) = theta
  x1 = vnp.tanh(W1 @ x + b1)
  x2 = vnp.tanh(W2 @ x1 + b2)
  x3 = W3 @ x2 + b3
  return 0.5 * vnp.sum(x3 ** 2)


def test_three_layer_gradient_by_hand():
  x, theta = _three_layer(np.random.default_rng(1))
  (W1, b1), (W2, b2), (W3, b3) = theta
  # forward
  x1 = np.tanh(W1 @ x + b1)
  x2 = np.tanh(W2 @ x1 + b2)
  x3 = W3 @ x2 + b3
  # backward, last layer first: each step is a VJP
  g3 = x3
  gW3, gb3 = np.outer(g3, x2), g3
  g2 = (W3.T @ g3) * (1 - x2 ** 2)
  gW2, gb2 = np.outer(g2, x1), g2
  g1 = (W2.T @ g2) * (1 - x1 ** 2)
  gW1, gb1 = np.outer(g1, x), g1
  (hW1, hb1), (hW2, hb2), (hW3, hb3) = grad(_net, argnums=1)(x, theta)
  for got, want in [(hW1, gW1), (hb1, gb1), (hW2, gW2), (hb2, gb2), (hW3, gW3), (hb3, gb3)]:
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_three_layer_backward_program_is_one_reverse_sweep():
  x, theta = _three_layer(np.random.default_rng(2))
  _, f_vjp = vjp(lambda theta: _net(x, theta), theta)
  backward = make_jaxpr(f_vjp)(1.0)
  prims = [e.prim.name for e in backward.eqns]
  # no forward op is recomputed: no tanh, and exactly one outer product per weight matrix
  assert "tanh" not in prims
  outer = [e for e in backward.eqns if e.prim.name == "dot_general"
           and e.params["dimension_numbers"] == (((), ()), ((), ()))]
  assert [e.outvars[0].aval.shape for e in outer] == [(2, 4), (4, 4), (4, 3)]  # layers 3, 2, 1
  assert len(backward.eqns) < 20


def test_vjp_never_builds_a_jacobian():
  # an elementwise function on n = 10_000 elements: every backward value has n entries, not n²
  x = np.linspace(0, 1, 10_000)
  _, f_vjp = vjp(lambda x: vnp.tanh(x) * vnp.exp(x), x)
  backward = make_jaxpr(f_vjp)(x)
  for e in backward.eqns:
    for v in e.outvars:
      assert v.aval.size <= x.size


def test_make_jaxpr_forward_text():
  text = _text(vjpkit.make_jaxpr(lambda x: vnp.sum(vnp.sin(x) * vnp.sin(x)))(np.ones(3)))
  assert text == (
      "{ lambda ; a:f64[3]. let\n"
      "    b:f64[3] = sin a\n"
      "    c:f64[3] = sin a\n"
      "    d:f64[3] = mul b c\n"
      "    e:f64[] = reduce_sum[axes=(0,)] d\n"
      "  in (e,) }")
