"""vjpkit.numpy.linalg, one row per function: values vs NumPy, JVP vs finite differences,
VJP vs JVP (dot-product identity), second order, vmap vs a loop, float32.

A row gives the function, its NumPy reference, a strategy for its arguments
(arrays and static keyword arguments) and the derivative order to check.
Eigenvectors and singular vectors have arbitrary signs, so their rows compare
and differentiate sign-invariant functions of them (``v * v``).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads
from vjpkit.tree_util import tree_flatten

from linalg_matrices import assert_tree_close, first_example, leaves, matrices

vla = vnp.linalg
inf = np.inf


class Row(NamedTuple):
  fn: Callable
  ref: Callable
  args: st.SearchStrategy   # draws (arrays, static keyword arguments)
  order: int = 2


# -- argument strategies -----------------------------------------------------------

def one(kind, **kw):
  return matrices(kind, **kw).map(lambda p: ((p[0],), {}))


def with_kw(kind, **static):
  """One matrix of ``kind`` and keyword arguments drawn from ``static``'s strategies."""
  return st.tuples(matrices(kind), st.fixed_dictionaries(static)).map(lambda t: ((t[0][0],), t[1]))


def _solve_pair(vector):
  def build(p):
    a, rng = p
    n, batch = a.shape[-1], a.shape[:-2]
    if vector:
      return (a, rng.standard_normal(n)), {}
    b_batch = [(), batch, (3,) + batch][rng.integers(3)]  # broadcasting batch dimensions
    return (a, rng.standard_normal(b_batch + (n, int(rng.integers(1, 3))))), {}
  return matrices("general").map(build)


def vectors(min_dims=1, **static):
  """An array of ``min_dims``-3 dims with entries away from 0, and keyword arguments."""
  def build(t):
    (seed, shape), kw = t
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return (x,), kw
  shapes = st.lists(st.integers(1, 4), min_size=min_dims, max_size=3).map(tuple)
  return st.tuples(st.tuples(st.integers(0, 2**32 - 1), shapes),
                   st.fixed_dictionaries(static)).map(build)


eig_inv = lambda r: (r.eigenvalues, r.eigenvectors * r.eigenvectors)  # noqa: E731
svd_inv = lambda r: (r.U * r.U, r.S, r.Vh * r.Vh)                    # noqa: E731
square = st.sampled_from([(0, 1), (-1, -2), (1, 0)])
vector_ords = st.sampled_from([None, 1, 2, 3, 1.5, inf, -inf])
matrix_ords = st.sampled_from(["fro", "nuc", 1, -1, 2, -2, inf, -inf])
tall, wide = st.integers(3, 5), st.integers(1, 2)

FUNCTIONS: dict[str, Row] = {
    "inv": Row(vla.inv, np.linalg.inv, one("general")),
    "solve": Row(vla.solve, np.linalg.solve, _solve_pair(False)),
    "solve_vector": Row(vla.solve, np.linalg.solve, _solve_pair(True)),
    "det": Row(vla.det, np.linalg.det, one("general")),
    "slogdet": Row(lambda a: tuple(vla.slogdet(a)), lambda a: tuple(np.linalg.slogdet(a)),
                   one("general")),
    "cholesky": Row(vla.cholesky, np.linalg.cholesky, one("spd")),
    "cholesky_upper": Row(lambda a: vla.cholesky(a, upper=True),
                          lambda a: np.linalg.cholesky(a, upper=True), one("spd")),
    "eigh": Row(lambda a, **kw: eig_inv(vla.eigh(a, **kw)),
                lambda a, **kw: eig_inv(np.linalg.eigh(a, **kw)),
                with_kw("symmetric", UPLO=st.sampled_from("LU"))),
    "eigvalsh": Row(vla.eigvalsh, np.linalg.eigvalsh, one("symmetric")),
    "svd_reduced": Row(lambda a: svd_inv(vla.svd(a, full_matrices=False)),
                       lambda a: svd_inv(np.linalg.svd(a, full_matrices=False)), one("rect")),
    "svd_square_full": Row(lambda a: svd_inv(vla.svd(a)), lambda a: svd_inv(np.linalg.svd(a)),
                           one("rect_square")),
    "svd_values": Row(lambda a: vla.svd(a, compute_uv=False),
                      lambda a: np.linalg.svd(a, compute_uv=False), one("rect")),
    "svdvals": Row(vla.svdvals, np.linalg.svdvals, one("rect")),
    "qr_tall": Row(lambda a: tuple(vla.qr(a)), lambda a: tuple(np.linalg.qr(a)),
                   one("rect", n=tall, m=st.integers(1, 3))),
    "qr_wide": Row(lambda a: tuple(vla.qr(a)), lambda a: tuple(np.linalg.qr(a)),
                   one("rect", n=wide, m=st.integers(2, 4))),
    "qr_complete_wide": Row(lambda a: tuple(vla.qr(a, "complete")),
                            lambda a: tuple(np.linalg.qr(a, "complete")),
                            one("rect", n=wide, m=st.integers(2, 4))),
    "qr_r": Row(lambda a: vla.qr(a, "r"), lambda a: np.linalg.qr(a, "r"), one("rect")),
    "pinv": Row(vla.pinv, np.linalg.pinv, one("rect")),
    "pinv_orthogonal": Row(vla.pinv, np.linalg.pinv,  # all singular values equal
                           matrices("rect").map(lambda p: ((np.linalg.qr(p[0])[0],), {}))),
    "matrix_power": Row(vla.matrix_power, np.linalg.matrix_power,
                        with_kw("general", n=st.sampled_from([-2, -1, 0, 1, 2, 3, 5, 6]))),
    "norm_default": Row(vla.norm, np.linalg.norm, vectors()),
    "norm_vector": Row(vla.norm, np.linalg.norm,
                       vectors(ord=vector_ords, axis=st.sampled_from([0, -1]),
                               keepdims=st.booleans())),
    "norm_count": Row(lambda x: vla.norm(x, 0, -1), lambda x: np.linalg.norm(x, 0, -1),
                      vectors()),
    "norm_matrix": Row(vla.norm, np.linalg.norm,
                       with_kw("rect", ord=matrix_ords, axis=square, keepdims=st.booleans())),
    "norm_matrix_2d": Row(vla.norm, np.linalg.norm,  # axis=None: a 2-D input is a matrix
                          with_kw("rect", ord=matrix_ords).filter(lambda t: t[0][0].ndim == 2)),
    "vector_norm": Row(vla.vector_norm, np.linalg.vector_norm,
                       vectors(ord=vector_ords, axis=st.sampled_from([None, 0, -1]),
                               keepdims=st.booleans())),
    "vector_norm_axes": Row(vla.vector_norm, np.linalg.vector_norm,
                            vectors(2, ord=vector_ords, axis=st.sampled_from([(0, -1), (-1, 0)]),
                                    keepdims=st.booleans())),
    "matrix_norm": Row(vla.matrix_norm, np.linalg.matrix_norm,
                       with_kw("rect", ord=matrix_ords, keepdims=st.booleans())),
}


def _assert_close(actual, expected, rtol=1e-9, atol=1e-11):
  assert_tree_close(actual, expected, rtol, atol)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@given(data=st.data())
def test_values_and_derivatives(name, data):
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  _assert_close(row.fn(*arrays, **kw), row.ref(*arrays, **kw))
  check_grads(lambda *xs: row.fn(*xs, **kw), arrays, order=row.order)


def _scalar_loss(fn, kw):
  def loss(*xs):
    return sum(vnp.sum(vnp.sin(y)) for y in tree_flatten(fn(*xs, **kw))[0]
               if np.dtype(vnp.result_type(y)).kind == "f")
  return loss


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=5)
@given(data=st.data())
def test_vmap_matches_loop(name, data):
  """Batch axis in front for the first argument and last for the others (values and
  gradients), then with the other arguments unbatched."""
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  members = [[x * (1 + 0.25 * k) for x in arrays] for k in range(3)]
  in_axes = (0,) + tuple(x.ndim for x in arrays[1:])
  stacked = [np.stack([m[i] for m in members], axis=ax) for i, ax in enumerate(in_axes)]
  f = lambda *xs: row.fn(*xs, **kw)  # noqa: E731
  expected = [f(*m) for m in members]
  actual = vjpkit.vmap(f, in_axes=in_axes)(*stacked)
  for k, e in enumerate(expected):
    _assert_close([np.asarray(a)[k] for a in leaves(actual)], e, rtol=1e-8)
  loss = _scalar_loss(row.fn, kw)
  g = vjpkit.vmap(vjpkit.grad(loss), in_axes=in_axes)(*stacked)
  for k, m in enumerate(members):
    np.testing.assert_allclose(np.asarray(g)[k], vjpkit.grad(loss)(*m), rtol=1e-8, atol=1e-10)
  if len(arrays) > 1:
    actual = vjpkit.vmap(f, in_axes=(0,) + (None,) * (len(arrays) - 1))(
        np.stack([m[0] for m in members]), *arrays[1:])
    for k, m in enumerate(members):
      _assert_close([np.asarray(a)[k] for a in leaves(actual)], f(m[0], *arrays[1:]), rtol=1e-8)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float32(name):
  """float32 in, float32 out (values and gradients), close to the float64 result."""
  row = FUNCTIONS[name]
  arrays, kw = first_example(row.args)
  arrays32 = [x.astype(np.float32) for x in arrays]
  out = leaves(row.fn(*arrays32, **kw))
  for o, e in zip(out, leaves(row.ref(*arrays, **kw))):
    assert o.dtype == np.float32
    np.testing.assert_allclose(o, e, rtol=2e-4, atol=2e-4)
  g = vjpkit.grad(_scalar_loss(row.fn, kw))(*arrays32)
  assert g.dtype == np.float32


def test_integer_inputs_promote_to_float64():
  a = np.array([[2, 1], [1, 3]])
  assert vla.inv(a).dtype == np.float64
  assert vla.det(a).dtype == np.float64
  assert vla.norm(np.array([3, 4])) == 5.0
  np.testing.assert_allclose(vla.solve(a, np.array([1, 2])), np.linalg.solve(a, [1, 2]))
  assert vla.matrix_power(a, 2).dtype == a.dtype  # stays integer, like NumPy
  np.testing.assert_array_equal(vla.matrix_power(a, 3), np.linalg.matrix_power(a, 3))


@pytest.mark.parametrize("n", [-3, 2, 3, 6, 7])
def test_matrix_power_same_products_as_numpy(n):
  a = np.random.default_rng(n + 10).standard_normal((2, 3, 3)) + 2 * np.eye(3)
  np.testing.assert_array_equal(vla.matrix_power(a, n), np.linalg.matrix_power(a, n))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=3)
@given(data=st.data())
def test_staged_programs_typecheck_and_agree(name, data):
  """Every shape rule agrees with its impl: the staged function and its staged gradient
  typecheck and evaluate to the eager results (what jit relies on)."""
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  loss = _scalar_loss(row.fn, kw)
  for f, expected in [(lambda *xs: row.fn(*xs, **kw), row.fn(*arrays, **kw)),
                      (vjpkit.grad(loss), vjpkit.grad(loss)(*arrays))]:
    program = vjpkit.make_jaxpr(f)(*arrays)
    typecheck_jaxpr(program.jaxpr)
    _assert_close(eval_jaxpr(program.jaxpr, program.consts, arrays), leaves(expected))
