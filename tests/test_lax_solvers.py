"""lax.custom_root and lax.custom_linear_solve: values, implicit derivatives (forward,
reverse, second order) against the closed forms and JAX, under jit and vmap, closures over
traced parameters, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads

RNG = np.random.default_rng(0)
A_VEC = np.array([0.5, 2.0, 10.0])
MAT = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
B = RNG.normal(size=3)


def _root(m, L, a):
  """The real root of x³ + x = a by Newton's method."""
  f = lambda x: x * x * x + x - a  # noqa: E731
  solve = lambda f, x0: L.fori_loop(0, 40, lambda i, x: x - f(x) / (3 * x * x + 1), x0)  # noqa: E731
  return L.custom_root(f, m.ones_like(a), solve, lambda g, y: y / g(m.ones_like(y)))


def _lsolve(m, L, A, b, symmetric=False):
  transpose = None if symmetric else (lambda vm, b: m.linalg.solve(A.T, b))
  return L.custom_linear_solve(lambda x: A @ x, b, lambda mv, b: m.linalg.solve(A, b), transpose,
                               symmetric=symmetric)


def test_custom_root_values_and_derivatives():
  x = _root(vnp, lax, A_VEC)
  np.testing.assert_allclose(x ** 3 + x, A_VEC, rtol=1e-14)
  np.testing.assert_allclose(vjpkit.grad(lambda a: vnp.sum(_root(vnp, lax, a)))(A_VEC),
                             1 / (3 * x * x + 1), rtol=1e-12)  # dx/da = 1 / f'(x)
  check_grads(lambda a: _root(vnp, lax, a), (A_VEC,), order=2)
  np.testing.assert_allclose(vjpkit.jit(lambda a: _root(vnp, lax, a))(A_VEC), x, rtol=1e-14)
  batch = np.stack([A_VEC, 2 * A_VEC])
  np.testing.assert_allclose(vjpkit.vmap(lambda a: _root(vnp, lax, a))(batch),
                             np.stack([x, _root(vnp, lax, 2 * A_VEC)]), rtol=1e-13)
  g = vjpkit.jit(vjpkit.vmap(vjpkit.grad(lambda a: vnp.sum(_root(vnp, lax, a)))))(batch)
  np.testing.assert_allclose(g[0], 1 / (3 * x * x + 1), rtol=1e-12)


def test_custom_root_pytrees_and_errors():
  def solve_pair(a):  # x = a / 2, y = x + 1 as the root of (2x - a, y - x - 1)
    f = lambda t: (2 * t[0] - a, t[1] - t[0] - 1.0)  # noqa: E731
    solve = lambda f, t0: (a / 2, a / 2 + 1.0)  # noqa: E731
    return lax.custom_root(f, (0.0, 0.0), solve, lambda g, y: (y[0] / 2, y[1] + y[0] / 2))
  assert vjpkit.grad(lambda a: solve_pair(a)[1])(3.0) == 0.5
  with pytest.raises(NotImplementedError, match="has_aux"):
    lax.custom_root(lambda x: x, 0.0, lambda f, x: x, lambda g, y: y, has_aux=True)
  with pytest.raises(TypeError, match="pytree like"):
    lax.custom_root(lambda x: x, 0.0, lambda f, x: (x, x), lambda g, y: y)


@pytest.mark.parametrize("symmetric", [False, True])
def test_custom_linear_solve(symmetric):
  A = MAT @ MAT.T if symmetric else MAT
  f = lambda A, b: vnp.sin(_lsolve(vnp, lax, A, b, symmetric)) * _lsolve(vnp, lax, A, b, symmetric)  # noqa: E731
  x = np.linalg.solve(A, B)
  np.testing.assert_allclose(_lsolve(vnp, lax, A, B, symmetric), x, rtol=1e-13)
  np.testing.assert_allclose(vjpkit.jacfwd(lambda b: _lsolve(vnp, lax, A, b, symmetric))(B),
                             np.linalg.inv(A), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jacrev(lambda b: _lsolve(vnp, lax, A, b, symmetric))(B),
                             np.linalg.inv(A), rtol=1e-12)
  if symmetric:  # perturb within symmetric matrices: symmetric=True promises the matrix is
    check_grads(lambda M, b: f(M @ M.T, b), (MAT, B), order=2)
  else:
    check_grads(f, (A, B), order=2)
  np.testing.assert_allclose(vjpkit.vmap(lambda b: _lsolve(vnp, lax, A, b, symmetric))(np.stack([B, 2 * B])),
                             np.stack([x, 2 * x]), rtol=1e-13)
  g = vjpkit.jit(vjpkit.grad(lambda A: vnp.sum(_lsolve(vnp, lax, A, B, symmetric))))(A)
  np.testing.assert_allclose(g, vjpkit.grad(lambda A: vnp.sum(vnp.linalg.solve(A, B)))(A), rtol=1e-11)


def test_custom_linear_solve_needs_a_transpose_for_reverse_mode():
  f = lambda b: vnp.sum(lax.custom_linear_solve(lambda x: MAT @ x, b, lambda mv, b: vnp.linalg.solve(MAT, b)))  # noqa: E731
  np.testing.assert_allclose(vjpkit.jvp(f, (B,), (B,))[1], np.sum(np.linalg.solve(MAT, B)), rtol=1e-13)
  with pytest.raises(NotImplementedError, match="transpose_solve"):
    vjpkit.grad(f)(B)


def test_matches_jax():
  jax = pytest.importorskip("jax")
  jax.config.update("jax_enable_x64", True)
  import jax.lax as jl
  import jax.numpy as jnp
  ours = vjpkit.hessian(lambda a: vnp.sum(_root(vnp, lax, a)))(A_VEC)
  theirs = jax.hessian(lambda a: jnp.sum(_root(jnp, jl, a)))(A_VEC)
  np.testing.assert_allclose(ours, theirs, rtol=1e-10)
  ours = vjpkit.jacrev(lambda A: vnp.sin(_lsolve(vnp, lax, A, B)))(MAT)
  theirs = jax.jacrev(lambda A: jnp.sin(_lsolve(jnp, jl, A, B)))(MAT)
  np.testing.assert_allclose(ours, theirs, rtol=1e-11)
