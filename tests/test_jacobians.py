"""jacfwd, jacrev, hessian and linear_transpose: layout, pytree blocks, the seed's 3-layer
example, agreement between modes, with VJPs/JVPs and with finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import vjpkit.numpy as vnp
from vjpkit import (grad, hessian, jacfwd, jacrev, jvp, lax, linear_transpose, linearize,
                    make_jaxpr, vjp, vmap)
from vjpkit.testing import check_grads
from vjpkit.testing import strategies as vst
from vjpkit.tree_util import tree_flatten, tree_leaves, tree_structure, tree_unflatten

# -- the seed: a 3-layer network's Jacobian with respect to θ = (θ1, θ2, θ3) -----------
#
# x1 = L1(x, θ1), x2 = L2(x1, θ2), x3 = L3(x2, θ3), each L(x, θ) = tanh(W x + b) with
# θ = (W.ravel(), b) one vector. The seed derives
#   J_θ f = ( J_x3 L3 · J_x2 L2 · J_θ1 L1 | J_x3 L3 · J_θ2 L2 | J_θ3 L3 ).

SIZES = [3, 4, 4, 2]


def _layer(x, theta):
  n, m = x.shape[0], theta.shape[0] // (x.shape[0] + 1)
  return vnp.tanh(vnp.reshape(theta[:m * n], (m, n)) @ x + theta[m * n:])


def _net(x, theta):
  for t in theta:
    x = _layer(x, t)
  return x


def _layer_jacobians(x, theta):
  """J_x L and J_θ L of one layer in closed form (NumPy only)."""
  m, n = theta.shape[0] // (x.shape[0] + 1), x.shape[0]
  W, b = theta[:m * n].reshape(m, n), theta[m * n:]
  s = 1 - np.tanh(W @ x + b) ** 2                       # tanh' at the pre-activation
  J_x = s[:, None] * W
  J_theta = np.hstack([s[:, None] * np.kron(np.eye(m), x[None, :]), np.diag(s)])
  return J_x, J_theta


def _three_layer(seed):
  rng = np.random.default_rng(seed)
  theta = tuple(rng.standard_normal(SIZES[k + 1] * SIZES[k] + SIZES[k + 1]) for k in range(3))
  return rng.standard_normal(SIZES[0]), theta


def test_three_layer_blocks_are_products_of_layer_jacobians():
  x, theta = _three_layer(0)
  J1, J2, J3 = jacrev(_net, argnums=1)(x, theta)
  assert (J1.shape, J2.shape, J3.shape) == ((2, 16), (2, 20), (2, 10))  # f(x).shape + θk.shape
  x1 = np.tanh(theta[0][:12].reshape(4, 3) @ x + theta[0][12:])
  x2 = np.tanh(theta[1][:16].reshape(4, 4) @ x1 + theta[1][16:])
  _, Jt1 = _layer_jacobians(x, theta[0])
  Jx2, Jt2 = _layer_jacobians(x1, theta[1])
  Jx3, Jt3 = _layer_jacobians(x2, theta[2])
  np.testing.assert_allclose(J1, Jx3 @ Jx2 @ Jt1, rtol=1e-12, atol=1e-14)
  np.testing.assert_allclose(J2, Jx3 @ Jt2, rtol=1e-12, atol=1e-14)
  np.testing.assert_allclose(J3, Jt3, rtol=1e-12, atol=1e-14)
  for a, b in zip(jacfwd(_net, argnums=1)(x, theta), (J1, J2, J3)):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_gradient_of_a_scalar_loss_is_the_transposed_jacobian_row():
  # L = ½|f|²: dL/dθk = (∂L/∂f) J_θk f, a 1 × p row in numerator layout; grad returns it
  # shaped like θk (the denominator-layout column, i.e. the transpose)
  x, theta = _three_layer(1)
  loss = lambda theta: 0.5 * vnp.sum(_net(x, theta) ** 2)  # noqa: E731
  y, blocks = _net(x, theta), jacrev(_net, argnums=1)(x, theta)
  for g, J, row in zip(grad(loss)(theta), blocks, jacrev(loss)(theta)):
    np.testing.assert_allclose(g, y @ J, rtol=1e-12)
    np.testing.assert_allclose(row, g, rtol=1e-12)  # jacrev of a scalar: shape () + θk.shape


# -- layout and pytrees ---------------------------------------------------------------

def _pytree_fun(p):
  W = np.arange(6.0).reshape(2, 3) / 6
  return {"y": (W @ p["x"]) * vnp.sin(p["s"]), "z": vnp.sum(p["x"] ** 2) * p["s"]}


def _pytree_point():
  return {"x": np.array([0.3, -1.2, 0.8]), "s": np.float64(0.4)}


@pytest.mark.parametrize("jac", [jacrev, jacfwd])
def test_pytree_blocks_output_outside_input_inside(jac):
  J = jac(_pytree_fun)(_pytree_point())
  assert tree_structure(J) == tree_structure(
      {"y": {"x": 0, "s": 0}, "z": {"x": 0, "s": 0}})
  shapes = {o: {i: J[o][i].shape for i in J[o]} for o in J}
  assert shapes == {"y": {"x": (2, 3), "s": (2,)}, "z": {"x": (3,), "s": ()}}


def test_jacobian_rows_are_vjps_and_columns_are_jvps():
  p = _pytree_point()
  J = jacrev(_pytree_fun)(p)
  y, f_vjp = vjp(_pytree_fun, p)
  out_leaves, out_tree = tree_flatten(y)
  for j, (name, leaf) in enumerate(zip(sorted(y), out_leaves)):
    for idx in np.ndindex(np.shape(leaf)):
      basis = [np.zeros(np.shape(v)) for v in out_leaves]
      basis[j][idx] = 1.0
      (row,) = f_vjp(tree_unflatten(out_tree, basis))
      for k in row:
        np.testing.assert_allclose(J[name][k][idx], row[k], rtol=1e-12)
  for k in p:
    for idx in np.ndindex(np.shape(p[k])):
      t = {n: np.zeros(np.shape(v)) for n, v in p.items()}
      t[k][idx] = 1.0
      _, col = jvp(_pytree_fun, (p,), (t,))
      for name in col:
        np.testing.assert_allclose(J[name][k][(...,) + idx], col[name], rtol=1e-12)


@given(program=vst.programs(n_inputs=2, max_ops=5), shape=vst.shapes(max_dims=2, max_side=3),
       seed=st.integers(0, 2**32 - 1))
def test_jacrev_equals_jacfwd_on_random_programs(program, shape, seed):
  f, _ = program
  rng = np.random.default_rng(seed)
  x, y = rng.uniform(-1, 1, shape), rng.uniform(-1, 1, shape)
  Jr = jacrev(f, argnums=(0, 1))(x, y)
  Jf = jacfwd(f, argnums=(0, 1))(x, y)
  for a, b in zip(Jr, Jf):
    assert a.shape == np.shape(f(x, y)) + shape
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@given(program=vst.programs(n_inputs=2, max_ops=5), n=st.integers(1, 3),
       seed=st.integers(0, 2**32 - 1))
def test_hessian_is_symmetric_and_matches_differences_of_gradients(program, n, seed):
  f, _ = program
  rng = np.random.default_rng(seed)
  c = rng.uniform(-1, 1, n)
  loss = lambda x: vnp.sum(f(x, c) * c)  # noqa: E731
  x = rng.uniform(-1, 1, n)
  H = hessian(loss)(x)
  assert H.shape == (n, n)
  np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-9)
  eps = 1e-5
  fd = np.stack([(grad(loss)(x + eps * e) - grad(loss)(x - eps * e)) / (2 * eps)
                 for e in np.eye(n)], axis=1)
  np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-5)


def test_hessian_of_a_pytree_is_nested_blocks_and_hvp_recipe():
  W = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])

  def loss(p):
    return vnp.sum(vnp.tanh(p["W"] @ p["x"]) ** 2) + vnp.sum(p["x"] ** 3)
  p = {"W": W, "x": np.array([0.5, -0.4, 0.9])}
  H = hessian(loss)(p)
  assert H["W"]["W"].shape == (2, 3, 2, 3) and H["W"]["x"].shape == (2, 3, 3)
  assert H["x"]["W"].shape == (3, 2, 3) and H["x"]["x"].shape == (3, 3)
  np.testing.assert_allclose(H["W"]["x"], np.moveaxis(H["x"]["W"], 0, -1), rtol=1e-12)
  np.testing.assert_allclose(H["W"]["W"], H["W"]["W"].transpose(2, 3, 0, 1), rtol=1e-12)
  # forward-over-reverse Hessian-vector product, never building H
  v = {"W": np.ones((2, 3)), "x": np.array([1.0, 0.0, -1.0])}
  _, hv = jvp(grad(loss), (p,), (v,))
  np.testing.assert_allclose(hv["x"], np.tensordot(H["x"]["W"], v["W"], 2) + H["x"]["x"] @ v["x"])
  np.testing.assert_allclose(hv["W"], np.tensordot(H["W"]["W"], v["W"], 2) + H["W"]["x"] @ v["x"])


def test_argnums_has_aux_and_zero_blocks():
  def f(x, y, n):
    return x * vnp.sum(y), {"n": n}
  x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
  for jac in (jacrev, jacfwd):
    (Jx, Jy), aux = jac(f, argnums=(0, 1), has_aux=True)(x, y, 7)
    np.testing.assert_allclose(Jx, 12 * np.eye(2))
    np.testing.assert_allclose(Jy, np.outer(x, np.ones(3)))
    assert aux == {"n": 7}
    Jn = jac(lambda x, y: (x * 2.0, vnp.sum(x)), argnums=1)(x, y)  # independent of y
    assert [J.shape for J in Jn] == [(2, 3), (3,)]
    assert not any(J.any() for J in Jn) and Jn[0].flags.writeable
  H, aux = hessian(lambda x: (vnp.sum(x ** 3), x[0]), has_aux=True)(x)
  np.testing.assert_allclose(H, np.diag(6 * x))
  assert aux == 1.0


def test_empty_leaves_scalars_and_float32():
  for jac in (jacrev, jacfwd):
    J = jac(lambda x, e: (vnp.sum(x) + vnp.sum(e), e * 2.0), argnums=(0, 1))(np.ones(2), np.ones(0))
    assert [[b.shape for b in row] for row in J] == [[(2,), (0,)], [(0, 2), (0, 0)]]
    assert jac(lambda x: x * x)(3.0) == 6.0
    J32 = jac(lambda x: vnp.sin(x))(np.ones(2, np.float32))
    assert J32.dtype == np.float32


def test_jacobians_nest_under_other_transforms():
  f = lambda x: vnp.sin(x) * vnp.sum(x ** 2)  # noqa: E731
  x = np.array([0.3, -0.7, 1.1])
  check_grads(lambda x: jacrev(f)(x), (x,), order=1)
  check_grads(lambda x: jacfwd(f)(x), (x,), order=1)
  np.testing.assert_allclose(jacfwd(jacrev(f))(x), jacrev(jacfwd(f))(x), rtol=1e-10)
  np.testing.assert_allclose(jacrev(jacrev(f))(x), jacfwd(jacfwd(f))(x), rtol=1e-10)


@pytest.mark.parametrize("jac", [jacrev, jacfwd, hessian])
def test_jacobian_errors(jac):
  with pytest.raises(TypeError, match=rf"{jac.__name__} requires real- or complex-valued "
                                      r"\(float\) inputs.*argument 0"):
    jac(lambda x: x * 2)(3)
  with pytest.raises(TypeError, match="argnums=2"):  # as in JAX
    jac(lambda x: x, argnums=2)(1.0)
  if jac is not hessian:
    with pytest.raises(TypeError, match=rf"{jac.__name__} requires floating-point outputs, "
                                        "but output leaf 1 has dtype bool"):
      jac(lambda x: (x, x > 0))(np.ones(2))


# -- linear_transpose and linearize -----------------------------------------------------

def test_linear_transpose_of_a_linearization_is_the_vjp():
  f = lambda x, y: {"a": vnp.sin(x) * y, "b": vnp.sum(x * x)}  # noqa: E731
  x, y = np.array([0.1, 0.5, -0.3]), np.array([2.0, 1.0, 3.0])
  out, f_jvp = linearize(f, x, y)
  f_t = linear_transpose(f_jvp, x, y)
  ct = {"a": np.array([1.0, -1.0, 0.5]), "b": np.float64(2.0)}
  for a, b in zip(f_t(ct), vjp(f, x, y)[1](ct)):
    np.testing.assert_allclose(a, b, rtol=1e-12)
  # the linearization and its transpose are ordinary traceable functions
  assert "sin" not in str(make_jaxpr(f_jvp)(x, y))
  assert "sin" not in str(make_jaxpr(f_t)(ct))
  np.testing.assert_allclose(vmap(f_jvp, in_axes=(0, None))(np.eye(3), np.zeros(3))["a"],
                             np.diag(np.cos(x) * y))


def test_linear_transpose_matches_the_matrix_transpose():
  rng = np.random.default_rng(0)
  A, B = rng.standard_normal((2, 3)), rng.standard_normal((4, 3))

  def f(p):
    (y,) = lax.closed_call(lambda u: [lax.neg(u)], A @ p["u"])
    return (y + 2.0 * p["v"][:2], B @ p["u"])
  p = {"u": np.zeros(3), "v": np.zeros(5)}
  f_t = linear_transpose(f, p)
  ct = (rng.standard_normal(2), rng.standard_normal(4))
  (got,) = f_t(ct)
  np.testing.assert_allclose(got["u"], -A.T @ ct[0] + B.T @ ct[1], rtol=1e-12)
  np.testing.assert_allclose(got["v"], np.r_[2.0 * ct[0], 0.0, 0.0, 0.0], rtol=1e-12)
  # vmapped over cotangents, the transpose builds the transposed Jacobian row by row
  cols = vmap(lambda c0: f_t((c0, np.zeros(4)))[0]["u"])(np.eye(2))
  np.testing.assert_allclose(cols, -A, rtol=1e-12)


@pytest.mark.parametrize("f,match", [
    (lambda x: x * x, "derivative depends on them"),
    (lambda x: 2.0 / x, "derivative depends on them"),
    (lambda x: lax.select_n(x > 0, x, -x), r"applies 'gt'"),
    (vnp.sin, r"applies 'sin'"),
    (lambda x: lax.floor(x), r"applies 'floor'"),
    (lambda x: x + 1.0, "affine, not linear: output leaf 0"),
])
def test_linear_transpose_rejects_non_linear_functions(f, match):
  with pytest.raises(TypeError, match=match):
    linear_transpose(f, np.ones(3))


def test_linear_transpose_bad_inputs():
  with pytest.raises(TypeError, match="floating-point or complex inputs, but input leaf 0 has dtype int64"):
    linear_transpose(lambda x: x, 1)
  f_t = linear_transpose(lambda x: x * 2.0, np.ones(3))
  with pytest.raises(ValueError, match=r"cotangent 0 has shape/dtype f64\[2\]"):
    f_t(np.ones(2))
  with pytest.raises(ValueError, match="structure"):
    f_t((np.ones(3),))
  assert tree_leaves(linear_transpose(lambda x: np.zeros(2), np.ones(3))(np.ones(2)))[0].shape == (3,)
