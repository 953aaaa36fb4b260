"""vjpkit.scipy.integrate.odeint: values against closed forms and JAX's odeint, adjoint
gradients (y0, t, args, closed-over values) against closed forms, finite differences and
JAX, forward mode against reverse mode, vmap against a loop, jit against eager, pytrees,
and the errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.experimental.ode import odeint as experimental_odeint
from vjpkit.scipy.integrate import odeint
from vjpkit.testing import check_grads

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
jnp = jax.numpy
from jax.experimental.ode import odeint as jax_odeint  # noqa: E402

T = np.linspace(0.0, 2.0, 6)


def decay(y, t, k):
  return -k * y


def oscillator(state, t, w):
  return {"x": state["v"], "v": -w ** 2 * state["x"]}


def predator_prey(y, t, a, b):  # time-dependent, nonlinear
  return vnp.stack([a * y[0] - b * y[0] * y[1], -y[1] + y[0] * y[1] * (1 + 0.5 * vnp.sin(t))])


def jax_predator_prey(y, t, a, b):
  return jnp.stack([a * y[0] - b * y[0] * y[1], -y[1] + y[0] * y[1] * (1 + 0.5 * jnp.sin(t))])


def test_exponential_decay_closed_form():
  k, y0 = 1.3, np.array([1.0, -2.0])
  ys = odeint(decay, y0, T, k)
  np.testing.assert_allclose(ys, y0 * np.exp(-k * T)[:, None], rtol=1e-7, atol=1e-10)
  # y(t_end) = y0 exp(-k t_end): d/dy0, d/dk, d/dt_end
  loss = lambda y0, t, k: odeint(decay, y0, t, k)[-1].sum()  # noqa: E731
  g_y0, g_t, g_k = vjpkit.grad(loss, argnums=(0, 1, 2))(y0, T, k)
  np.testing.assert_allclose(g_y0, np.exp(-k * T[-1]) * np.ones(2), rtol=1e-7)
  np.testing.assert_allclose(g_k, -T[-1] * np.exp(-k * T[-1]) * y0.sum(), rtol=1e-6)
  want_t = np.zeros_like(T)
  want_t[-1] = -k * np.exp(-k * T[-1]) * y0.sum()
  want_t[0] = -want_t[-1]  # y depends on t_end - t0
  np.testing.assert_allclose(g_t, want_t, rtol=1e-6, atol=1e-9)


def test_harmonic_oscillator_pytree_closed_form():
  w = 1.7
  ys = odeint(oscillator, {"x": 1.0, "v": 0.0}, T, w)
  assert set(ys) == {"x", "v"} and ys["x"].shape == T.shape
  np.testing.assert_allclose(ys["x"], np.cos(w * T), atol=1e-7)
  np.testing.assert_allclose(ys["v"], -w * np.sin(w * T), atol=1e-7)
  g = vjpkit.grad(lambda w: odeint(oscillator, {"x": 1.0, "v": 0.0}, T, w)["x"].sum())(w)
  np.testing.assert_allclose(g, np.sum(-T * np.sin(w * T)), rtol=1e-6)
  g0 = vjpkit.grad(lambda s: odeint(oscillator, s, T, w)["x"][-1])({"x": 1.0, "v": 0.0})
  np.testing.assert_allclose([g0["x"], g0["v"]], [np.cos(w * T[-1]), np.sin(w * T[-1]) / w],
                             rtol=1e-6)


@settings(max_examples=5)  # each example compiles JAX's solver afresh
@given(st.floats(0.5, 1.5), st.floats(0.2, 0.6), st.lists(st.floats(0.3, 1.5), min_size=2,
                                                           max_size=2))
def test_matches_jax_values_and_gradients(a, b, y0):
  y0 = np.array(y0)
  t = np.linspace(0.0, 2.5, 5)
  np.testing.assert_allclose(odeint(predator_prey, y0, t, a, b),
                             jax_odeint(jax_predator_prey, y0, t, a, b), rtol=1e-10, atol=1e-12)
  loss = lambda y0, t, a, b: (odeint(predator_prey, y0, t, a, b) ** 2).sum()  # noqa: E731
  jloss = lambda y0, t, a, b: (jax_odeint(jax_predator_prey, y0, t, a, b) ** 2).sum()  # noqa: E731
  got = vjpkit.grad(loss, argnums=(0, 1, 2, 3))(y0, t, a, b)
  want = jax.grad(jloss, argnums=(0, 1, 2, 3))(y0, t, a, b)
  for g, w in zip(got, want):
    np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-10)


def test_finite_differences():
  y0 = np.array([1.0, 0.5])
  f = lambda y0, t, a: odeint(predator_prey, y0, t, a, 0.4, rtol=1e-10, atol=1e-10)  # noqa: E731
  check_grads(f, (y0, np.linspace(0.0, 1.5, 4), 1.1), order=1, atol=1e-5, rtol=1e-5)


def test_closed_over_values_are_differentiated():
  y0 = np.array([1.0, 0.5])

  def loss(a):
    return (odeint(lambda y, t: predator_prey(y, t, a, 0.4), y0, T) ** 2).sum()
  explicit = vjpkit.grad(lambda a: (odeint(predator_prey, y0, T, a, 0.4) ** 2).sum())(1.1)
  np.testing.assert_allclose(vjpkit.grad(loss)(1.1), explicit, rtol=1e-7)


def test_second_order():
  f = lambda k: odeint(decay, 1.0, T, k)[-1]  # noqa: E731  exp(-k t): d2/dk2 = t^2 exp(-k t)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.grad(f))(0.7), T[-1] ** 2 * np.exp(-0.7 * T[-1]),
                             rtol=1e-6)
  solve = lambda y0, k: odeint(decay, y0, T, k)  # noqa: E731
  J = vjpkit.jit(vjpkit.jacrev(solve))(np.array([1.0, 2.0]), 1.5)
  np.testing.assert_allclose(J, np.exp(-1.5 * T)[:, None, None] * np.eye(2), rtol=1e-7,
                             atol=1e-12)
  np.testing.assert_allclose(vjpkit.jacfwd(solve)(np.array([1.0, 2.0]), 1.5), J, rtol=1e-7,
                             atol=1e-12)
  np.testing.assert_allclose(vjpkit.hessian(lambda k: solve(np.ones(1), k)[-1, 0])(0.7),
                             T[-1] ** 2 * np.exp(-0.7 * T[-1]), rtol=1e-6)


def test_forward_mode_matches_reverse_mode():
  y0 = np.array([1.0, 0.5])
  Y0 = np.stack([y0, 1.2 * y0])
  f = lambda y0, t, a: odeint(predator_prey, y0, t, a, 0.4)  # noqa: E731
  fwd = vjpkit.jacfwd(f, argnums=(0, 1, 2))(y0, T, 1.1)
  rev = vjpkit.jacrev(f, argnums=(0, 1, 2))(y0, T, 1.1)
  for a, b in zip(fwd, rev):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
  # each member moves the shared times by its own tangent under vmap
  got = vjpkit.jacfwd(lambda t: vjpkit.vmap(lambda y: f(y, t, 1.1))(Y0))(T)
  want = np.stack([vjpkit.jacrev(lambda t: f(y, t, 1.1))(T) for y in Y0])
  np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.jacfwd(lambda y: f(y, T, 1.1)))(y0), fwd[0],
                             rtol=1e-12)


def test_jit_matches_eager():
  y0 = np.array([1.0, 0.5])
  loss = lambda y0, a: (odeint(predator_prey, y0, T, a, 0.4) ** 2).sum()  # noqa: E731
  np.testing.assert_array_equal(vjpkit.jit(lambda y0: odeint(predator_prey, y0, T, 1.1, 0.4))(y0),
                                odeint(predator_prey, y0, T, 1.1, 0.4))
  for g, j in zip(vjpkit.grad(loss, argnums=(0, 1))(y0, 1.1),
                  vjpkit.jit(vjpkit.grad(loss, argnums=(0, 1)))(y0, 1.1)):
    np.testing.assert_allclose(j, g, rtol=1e-12)


def test_vmap_matches_loop():
  Y0 = np.array([[1.0, 0.5], [1.3, 0.2], [0.6, 0.9]])
  A = np.array([0.9, 1.1, 1.4])
  solve = lambda y0, a: odeint(predator_prey, y0, T, a, 0.4)  # noqa: E731
  np.testing.assert_allclose(vjpkit.vmap(solve)(Y0, A),
                             np.stack([solve(y, a) for y, a in zip(Y0, A)]), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.vmap(solve, in_axes=(0, None))(Y0, 1.1),
                             np.stack([solve(y, 1.1) for y in Y0]), rtol=1e-12)
  loss = lambda y0, a: (solve(y0, a) ** 2).sum()  # noqa: E731
  loop = [vjpkit.grad(loss, argnums=(0, 1))(y, a) for y, a in zip(Y0, A)]
  for batched in (vjpkit.vmap(vjpkit.grad(loss, argnums=(0, 1)))(Y0, A),
                  vjpkit.jit(vjpkit.vmap(vjpkit.grad(loss, argnums=(0, 1))))(Y0, A),
                  vjpkit.grad(lambda Y, A: vjpkit.vmap(loss)(Y, A).sum(), argnums=(0, 1))(Y0, A)):
    np.testing.assert_allclose(batched[0], np.stack([g[0] for g in loop]), rtol=1e-9)
    np.testing.assert_allclose(batched[1], np.array([g[1] for g in loop]), rtol=1e-9)
  grids = np.stack([T, 1.5 * T])  # one time grid per member: solved one by one
  np.testing.assert_allclose(vjpkit.vmap(lambda t: odeint(decay, 1.0, t, 1.3))(grids),
                             np.exp(-1.3 * grids), rtol=1e-6)
  np.testing.assert_array_equal(vjpkit.vmap(lambda t: odeint(decay, 1.0, t, 1.3))(grids)[1],
                                odeint(decay, 1.0, grids[1], 1.3))


def test_float32_and_alias():
  ys = experimental_odeint(decay, np.float32(1.0), T.astype(np.float32), np.float32(0.5),
                           rtol=1e-5, atol=1e-6)
  assert ys.dtype == np.float32
  np.testing.assert_allclose(ys, np.exp(-0.5 * T), rtol=1e-4)


def test_mxstep_gives_nan_not_a_wrong_number():
  ys = odeint(decay, 1.0, np.array([0.0, 1.0, 100.0]), 1.0, mxstep=3)
  assert ys[0] == 1.0 and np.isnan(ys[-1])


@pytest.mark.parametrize("call, err, match", [
    (lambda: odeint(decay, 1.0, np.array([0.0, 1.0, 0.5]), 1.0), ValueError, "increasing"),
    (lambda: odeint(decay, 1.0, np.ones((2, 2)), 1.0), ValueError, "1-D"),
    (lambda: odeint(lambda y, t: {"a": y}, 1.0, T), TypeError, "structure"),
    (lambda: odeint(lambda y, t: vnp.stack([y, y]), 1.0, T), TypeError, "shape"),
    (lambda: odeint(3.0, 1.0, T), TypeError, "callable"),
    (lambda: odeint(decay, 1.0 + 1j, T, 1.0), TypeError, "complex"),
    (lambda: odeint(decay, 1.0, T, 1.0 + 1j), TypeError, "complex"),
])
def test_errors(call, err, match):
  with pytest.raises(err, match=match):
    call()
