"""The rest of numpy.linalg (lstsq, matrix_rank, cond, multi_dot, tensorinv, tensorsolve)
and the array API's linalg names: values (and dtypes) vs NumPy, derivatives, vmap vs a
loop, jit vs eager, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
from vjpkit import numpy as vnp
from vjpkit.testing.check_grads import check_grads

la = vnp.linalg
RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 3)) + 2 * np.eye(3)
TALL = RNG.normal(size=(5, 3))
B1, B2 = RNG.normal(size=5), RNG.normal(size=(5, 2))
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
CHAIN = [RNG.normal(size=s) for s in [(4,), (4, 6), (6, 2), (2, 3), (3,)]]
T3 = RNG.normal(size=(2, 3, 6))
BT = RNG.normal(size=(2, 3))


def _same(got, expected, rtol=1e-10):
  got, expected = np.asarray(got), np.asarray(expected)
  assert got.shape == expected.shape and got.dtype == expected.dtype, (got, expected)
  np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-12)


# name -> (vjpkit call, numpy call, differentiable arguments or None)
TABLE = {
    "cond": (lambda m: m.cond(A), None, (A,)),
    "cond_tall": (lambda m: m.cond(TALL), None, (TALL,)),
    "cond_-2": (lambda m: m.cond(A, -2), None, (A,)),
    "cond_fro": (lambda m: m.cond(A, "fro"), None, (A,)),
    "cond_1": (lambda m: m.cond(A, 1), None, None),
    "cond_inf": (lambda m: m.cond(A, np.inf), None, None),
    "cond_nuc": (lambda m: m.cond(A, "nuc"), None, None),
    "cond_singular": (lambda m: m.cond(SINGULAR, 1), None, None),
    "cond_zero": (lambda m: m.cond(np.zeros((2, 2))), None, None),
    "matrix_rank": (lambda m: m.matrix_rank(SINGULAR), None, None),
    "matrix_rank_tol": (lambda m: m.matrix_rank(A, tol=1.0), None, None),
    "matrix_rank_rtol": (lambda m: m.matrix_rank(A, rtol=0.3), None, None),
    "matrix_rank_vector": (lambda m: m.matrix_rank(np.zeros(3)), None, None),
    "matrix_rank_stack": (lambda m: m.matrix_rank(np.stack([A, np.ones((3, 3))])), None, None),
    "multi_dot": (lambda m: m.multi_dot(CHAIN), None, None),
    "multi_dot_2d": (lambda m: m.multi_dot(CHAIN[1:4]), None, None),
    "multi_dot_two": (lambda m: m.multi_dot(CHAIN[2:4]), None, None),
    "tensorinv": (lambda m: m.tensorinv(A.reshape(3, 3, 1, 1)[..., 0, 0].reshape(3, 3), 1), None,
                  None),
    "tensorinv_4d": (lambda m: m.tensorinv(np.kron(A, A).reshape(3, 3, 9), 2), None, None),
    "tensorsolve": (lambda m: m.tensorsolve(T3, BT), None, None),
    "tensorsolve_axes": (lambda m: m.tensorsolve(np.moveaxis(T3, 2, 0), BT, axes=(0,)), None,
                         None),
    "trace": (lambda m: m.trace(T3[..., :3], offset=0), None, None),
    "diagonal": (lambda m: m.diagonal(T3, offset=1), None, None),
    "outer": (lambda m: m.outer(B1, B1[:3]), None, None),
    "cross": (lambda m: m.cross(A, A[::-1]), None, None),
    "vecdot": (lambda m: m.vecdot(TALL, TALL[0]), None, None),
    "tensordot": (lambda m: m.tensordot(T3, T3, axes=((1, 2), (1, 2))), None, None),
    "matrix_transpose": (lambda m: m.matrix_transpose(T3), None, None),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_match_numpy(name):
  call = TABLE[name][0]
  with np.errstate(all="ignore"):
    _same(call(la), call(np.linalg))


@pytest.mark.parametrize("b", [B1, B2], ids=["vector", "matrix"])
def test_lstsq(b):
  got, expected = la.lstsq(TALL, b), np.linalg.lstsq(TALL, b)
  for g, e in zip(got, expected):
    _same(g, e)
  check_grads(lambda a, b: la.lstsq(a, b)[0], (TALL, b), order=2)
  check_grads(lambda a, b: la.lstsq(a, b)[1], (TALL, b), order=1)
  jitted = vjpkit.jit(la.lstsq)(TALL, b)
  for g, e in zip(jitted, got):
    _same(g, e, rtol=1e-12)


def test_lstsq_rank_deficient_and_numpy_resid():
  a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
  b = np.array([1.0, 1.0, 1.0])
  got, expected = la.lstsq(a, b, numpy_resid=True), np.linalg.lstsq(a, b)
  for g, e in zip(got, expected):
    _same(g, e)
  assert la.lstsq(a, b)[1].shape == (1,)  # JAX's default: residuals always
  for g, e in zip(la.lstsq(TALL, B1, rcond=0.9, numpy_resid=True),
                  np.linalg.lstsq(TALL, B1, rcond=0.9)):
    _same(g, e)
  with pytest.raises(ValueError, match="numpy_resid"):
    vjpkit.jit(lambda a: la.lstsq(a, B1, numpy_resid=True))(TALL)
  with pytest.raises(np.linalg.LinAlgError, match="must be 2-D"):
    la.lstsq(np.ones((2, 3, 3)), np.ones(3))


@pytest.mark.parametrize("name", ["cond", "cond_tall", "cond_-2", "cond_fro"])
def test_cond_derivatives(name):
  call, _, args = TABLE[name]
  p = {"cond": None, "cond_tall": None, "cond_-2": -2, "cond_fro": "fro"}[name]
  check_grads(lambda x: la.cond(x, p), args, order=2)


def test_multi_dot_order_and_derivatives():
  a, b, c = np.ones((10, 100)), np.ones((100, 5)), np.ones((5, 50))
  jaxpr = str(vjpkit.make_jaxpr(lambda a, b, c: la.multi_dot([a, b, c]))(a, b, c))
  assert "f64[10,5]" in jaxpr and "f64[100,50]" not in jaxpr  # (a @ b) @ c
  check_grads(lambda *xs: la.multi_dot(xs), tuple(CHAIN), order=2)
  with pytest.raises(ValueError, match="at least two"):
    la.multi_dot([A])
  with pytest.raises(ValueError, match="must be 2-D"):
    la.multi_dot([A, np.ones((3, 3, 3)), A])


def test_tensor_inverses_and_solves_derivatives():
  check_grads(lambda a, b: la.tensorsolve(a, b), (T3, BT), order=2)
  check_grads(lambda a: la.tensorinv(a, 2), (np.kron(A, A).reshape(3, 3, 9),), order=1)
  with pytest.raises(np.linalg.LinAlgError, match="same number"):
    la.tensorinv(np.ones((2, 3)), 1)
  with pytest.raises(np.linalg.LinAlgError, match="start with"):
    la.tensorsolve(T3, np.ones(4))


def test_vmap_matches_loop():
  stack = np.stack([A, A.T, A + np.eye(3)])
  for f in (la.cond, la.matrix_rank, lambda x: la.trace(x, offset=1),
            lambda x: la.lstsq(x, B1[:3])[0], lambda x: la.multi_dot([x, x, B1[:3]])):
    got = vjpkit.vmap(f)(stack)
    np.testing.assert_allclose(got, np.stack([f(x) for x in stack]), rtol=1e-11)


def test_array_api_errors():
  with pytest.raises(ValueError, match="1-D"):
    la.outer(A, A)
  with pytest.raises(ValueError, match="length 3"):
    la.cross(np.ones(2), np.ones(2))
  with pytest.raises(ValueError, match="at least 2-D"):
    la.matrix_transpose(np.ones(3))
  with pytest.raises(np.linalg.LinAlgError, match="square"):
    la.cond(TALL, 1)


def test_empty_matrices_in_matrix_rank_and_cond():
  # matrix_rank raised a ValueError from an empty reduction, cond an IndexError
  for shape in ((0, 0), (3, 0), (2, 0, 3)):
    np.testing.assert_array_equal(vnp.linalg.matrix_rank(np.zeros(shape)),
                                  np.linalg.matrix_rank(np.zeros(shape)))
  with pytest.raises(np.linalg.LinAlgError, match="not defined on empty arrays"):
    vnp.linalg.cond(np.zeros((0, 0)))
