"""A tour of vjpkit through the examples of backprop-as-VJP: ``python -m vjpkit.demo``.

Each section computes a gradient, checks it against the closed form worked out
by hand, and prints the program vjpkit recorded (forward) and the program it
derived by transposition (backward).
"""
from __future__ import annotations

import numpy as np

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, make_jaxpr, vjp


def _section(title: str) -> None:
  print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")


def _check(label: str, got, want) -> None:
  ok = all(np.allclose(g, w) for g, w in zip(vjpkit.tree_util.tree_leaves(got),
                                             vjpkit.tree_util.tree_leaves(want)))
  print(f"  {label}: {'matches' if ok else 'DIFFERS from'} the closed form")
  if not ok:
    raise SystemExit(f"demo check failed: {label}")


def elementwise() -> None:
  _section("1. An elementwise function: d/dx sum(sin x) = cos x, a VJP with no Jacobian")
  x = np.linspace(0.0, 1.0, 4)
  g = grad(lambda x: vnp.sum(vnp.sin(x)))(x)
  print("  x        =", x)
  print("  grad     =", g)
  _check("grad", g, np.cos(x))
  print("\nForward program of sum(sin(x)):")
  print(make_jaxpr(lambda x: vnp.sum(vnp.sin(x)))(x))
  _, f_vjp = vjp(vnp.sin, x)
  print("\nBackward program of sin (the cotangent times the saved cos x, elementwise;")
  print("the n x n diagonal Jacobian is never built):")
  print(make_jaxpr(f_vjp)(np.ones_like(x)))


def matvec() -> None:
  _section("2. y = W x: the cotangent g pulls back to W^T g (for x) and g x^T (for W)")
  rng = np.random.default_rng(0)
  W, x, g = rng.standard_normal((2, 3)), rng.standard_normal(3), np.array([1.0, -2.0])
  _, f_vjp = vjp(lambda W, x: W @ x, W, x)
  gW, gx = f_vjp(g)
  _check("cotangent of W = g x^T", gW, np.outer(g, x))
  _check("cotangent of x = W^T g", gx, W.T @ g)
  print("\nBackward program (two dot_generals: W^T g contracts W's rows with g; g x^T is an")
  print("outer product, contracting nothing):")
  print(make_jaxpr(f_vjp)(g))


def fan_out() -> None:
  _section("3. A value with several consumers receives the sum of their cotangents")

  def f(t):
    x, y = t * t, vnp.sin(t)
    return x * y
  t = 0.8
  _check("df/dt = y * 2t + x * cos t", grad(f)(t), np.sin(t) * 2 * t + t * t * np.cos(t))
  _, f_vjp = vjp(f, t)
  print("\nBackward program: the two paths meet in add_any:")
  print(make_jaxpr(f_vjp)(1.0))


def regression() -> None:
  _section("4. Regression net: z = w x + b, y_hat = sigma(z), L = (y - y_hat)^2 / 2")
  w, b, x, y = 0.7, -0.2, 1.5, 0.3

  def loss(w, b):
    y_hat = 1 / (1 + vnp.exp(-(w * x + b)))
    return 0.5 * (y - y_hat) ** 2
  y_hat = 1 / (1 + np.exp(-(w * x + b)))
  chain = (y_hat - y) * y_hat * (1 - y_hat)   # dL/dy_hat * dy_hat/dz
  gw, gb = grad(loss, argnums=(0, 1))(w, b)
  print(f"  dL/dw = {gw:.6f}, dL/db = {gb:.6f}")
  _check("dL/dw = (y_hat - y) sigma'(z) x", gw, chain * x)
  _check("dL/db = (y_hat - y) sigma'(z)", gb, chain)


def three_layer() -> None:
  _section("5. A 3-layer network: the gradient w.r.t. theta = (theta1, theta2, theta3)")
  rng = np.random.default_rng(1)
  sizes = [(4, 3), (4, 4), (2, 4)]
  theta = tuple((rng.standard_normal(s), rng.standard_normal(s[0])) for s in sizes)
  x = rng.standard_normal(3)

  def net(theta):
    (W1, b1), (W2, b2), (W3, b3) = theta
    x1 = vnp.tanh(W1 @ x + b1)
    x2 = vnp.tanh(W2 @ x1 + b2)
    x3 = W3 @ x2 + b3
    return 0.5 * vnp.sum(x3 ** 2)

  (W1, b1), (W2, b2), (W3, b3) = theta
  x1 = np.tanh(W1 @ x + b1)
  x2 = np.tanh(W2 @ x1 + b2)
  x3 = W3 @ x2 + b3
  g3 = x3                                   # dL/dx3
  g2 = (W3.T @ g3) * (1 - x2 ** 2)          # back through layer 3, then tanh
  g1 = (W2.T @ g2) * (1 - x1 ** 2)
  by_hand = ((np.outer(g1, x), g1), (np.outer(g2, x1), g2), (np.outer(g3, x2), g3))
  _check("all six parameter gradients", grad(net)(theta), by_hand)
  print("\nForward program:")
  print(make_jaxpr(net)(theta))
  _, f_vjp = vjp(net, theta)
  print("\nBackward program: one sweep from layer 3 to layer 1, reading saved residuals")
  print("(1 - tanh^2 and the layer inputs); no forward operation is recomputed:")
  print(make_jaxpr(f_vjp)(1.0))


def main() -> None:
  print(f"vjpkit {vjpkit.__version__}: backprop as vector-Jacobian products")
  elementwise()
  matvec()
  fan_out()
  regression()
  three_layer()
  print("\nAll demo checks passed.")


if __name__ == "__main__":
  main()
