"""The linalg primitives of vjpkit.lax one by one: every flag of triangular_solve,
the triangle-reading variants of cholesky/eigh, vmap against a loop for each
primitive (batch axis anywhere, some operands unbatched), and the backward
programs (solves with the transpose, never an inverse)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings, strategies as st

import vjpkit
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads
from vjpkit.tree_util import tree_flatten

from linalg_matrices import general, rect, spd, symmetric

TRI_FLAGS = list(itertools.product([True, False], repeat=4))  # left, lower, transpose, unit


def _tri_args(rng, left, batch=()):
  a = general(rng, batch, 3)
  b = rng.standard_normal(batch + ((3, 2) if left else (2, 3)))
  return a, b


@pytest.mark.parametrize("left,lower,trans,unit", TRI_FLAGS)
@settings(max_examples=5)
@given(seed=st.integers(0, 2**32 - 1))
def test_triangular_solve(left, lower, trans, unit, seed):
  rng = np.random.default_rng(seed)
  a, b = _tri_args(rng, left, batch=(2,))
  f = lambda a, b: lax.triangular_solve(a, b, left_side=left, lower=lower,  # noqa: E731
                                        transpose_a=trans, unit_diagonal=unit)
  for k in range(2):  # scipy's solve_triangular solves from the left only
    ref = scipy.linalg.solve_triangular(a[k], b[k] if left else b[k].T, lower=lower,
                                        trans=int(trans) if left else int(not trans),
                                        unit_diagonal=unit)
    np.testing.assert_allclose(f(a, b)[k], ref if left else ref.T, rtol=1e-12)
  check_grads(f, (a, b), order=2)


def _assert_tree_close(actual, expected):
  for x, y in zip(tree_flatten(actual)[0], tree_flatten(expected)[0]):
    np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)


def _check_vmap(f, args, in_axes):
  """vmap(f) against a loop over the batch (size 3), for values and gradients."""
  size = {np.shape(x)[d] for x, d in zip(args, in_axes) if d is not None}.pop()
  member = lambda k: [x if d is None else np.take(x, k, d) for x, d in zip(args, in_axes)]  # noqa: E731
  outs = tree_flatten(vjpkit.vmap(f, in_axes=in_axes)(*args))[0]
  for k in range(size):
    _assert_tree_close([np.take(o, k, 0) for o in outs], tree_flatten(f(*member(k)))[0])
  loss = lambda *xs: sum(lax.reduce_sum(lax.sin(y)) for y in tree_flatten(f(*xs))[0])  # noqa: E731
  g = vjpkit.vmap(vjpkit.grad(loss), in_axes=in_axes)(*args)
  for k in range(size):
    np.testing.assert_allclose(np.take(g, k, 0), vjpkit.grad(loss)(*member(k)), rtol=1e-9)


def _stack(xs, axis):
  return np.stack(xs, axis=axis)


@pytest.mark.parametrize("left,lower,trans,unit", TRI_FLAGS[::3])
@pytest.mark.parametrize("in_axes", [(0, 0), (2, 1), (0, None), (None, 1)])
def test_triangular_solve_vmap(left, lower, trans, unit, in_axes):
  rng = np.random.default_rng(0)
  pairs = [_tri_args(rng, left) for _ in range(3)]
  args = [pairs[0][i] if d is None else _stack([p[i] for p in pairs], d)
          for i, d in enumerate(in_axes)]
  _check_vmap(lambda a, b: lax.triangular_solve(a, b, left_side=left, lower=lower,
                                                transpose_a=trans, unit_diagonal=unit),
              args, in_axes)


def _members(build, n=3, seed=0):
  rng = np.random.default_rng(seed)
  return [build(rng) for _ in range(n)]


# name -> (function of arrays, builder of one set of arguments)
PRIMITIVES = {
    "solve": (lax.solve, lambda rng: (general(rng, (), 3), rng.standard_normal((3, 2)))),
    "slogdet": (lambda a: lax.slogdet(a), lambda rng: (general(rng, (), 3),)),
    "pinv": (lambda a: lax.pinv(a), lambda rng: (rect(rng, (), 3, 2),)),
    "cholesky": (lax.cholesky, lambda rng: (spd(rng, (), 3),)),
    "eigh": (lambda a: [v * v for v in lax.eigh(a)], lambda rng: (symmetric(rng, (), 3),)),
    "eigh_upper_raw": (lambda a: [v * v for v in lax.eigh(a, lower=False, symmetrize_input=False)],
                       lambda rng: (symmetric(rng, (), 3),)),
    "svd": (lambda a: [v * v for v in lax.svd(a, full_matrices=False)],
            lambda rng: (rect(rng, (), 2, 3),)),
    "svd_values": (lambda a: lax.svd(a, compute_uv=False), lambda rng: (rect(rng, (), 3, 2),)),
    "qr": (lambda a: lax.qr(a), lambda rng: (rect(rng, (), 3, 2),)),
    "qr_complete": (lambda a: lax.qr(a, full_matrices=True), lambda rng: (rect(rng, (), 2, 3),)),
    "lu": (lambda a: lax.lu(a)[0], lambda rng: (rect(rng, (), 3, 2),)),
    "lu_solve": (lambda a, b: lax.lu_solve(*lax.lu(a)[::2], b, trans=1),
                 lambda rng: (general(rng, (), 3), rng.standard_normal((3, 2)))),
    "positive_definite_solve": (lax.positive_definite_solve,
                                lambda rng: (spd(rng, (), 3), rng.standard_normal((3, 2)))),
    "solve_sylvester": (lax.solve_sylvester, lambda rng: (
        general(rng, (), 3), general(rng, (), 2), rng.standard_normal((3, 2)))),
    "expm": (lax.expm, lambda rng: (general(rng, (), 3) / 3,)),
    "expm_frechet": (lax.expm_frechet, lambda rng: (general(rng, (), 2) / 3,
                                                    rng.standard_normal((2, 2)))),
    "sqrtm": (lax.sqrtm, lambda rng: (spd(rng, (), 3),)),
    "polar": (lambda a: lax.polar(a), lambda rng: (rect(rng, (), 3, 2),)),
}


@pytest.mark.parametrize("name,where", [(n, w) for n in sorted(PRIMITIVES) for w in
                                         ("front", "back", "unbatched_rest")[:3 if "solve" in n else 2]])
def test_primitive_vmap(name, where):
  f, build = PRIMITIVES[name]
  members = _members(build)
  n_args = len(members[0])
  if where == "front":
    in_axes = (0,) * n_args
  elif where == "back":
    in_axes = tuple(np.ndim(x) for x in members[0])
  else:
    in_axes = (1,) + (None,) * (n_args - 1)
  args = [members[0][i] if d is None else _stack([m[i] for m in members], d)
          for i, d in enumerate(in_axes)]
  _check_vmap(f, args, in_axes)


def test_cholesky_reads_the_lower_triangle_without_symmetrization():
  a = spd(np.random.default_rng(1), (), 3)
  a_junk = a + np.triu(np.full((3, 3), 5.0), 1)  # the upper triangle is never read
  np.testing.assert_allclose(lax.cholesky(a_junk, symmetrize_input=False), np.linalg.cholesky(a))
  check_grads(lambda x: lax.cholesky(x, symmetrize_input=False), (a_junk,), order=2)
  g = vjpkit.grad(lambda x: lax.reduce_sum(lax.cholesky(x, symmetrize_input=False)))(a_junk)
  assert np.all(np.triu(g, 1) == 0)
  g_sym = vjpkit.grad(lambda x: lax.reduce_sum(lax.cholesky(x)))(a)  # symmetrized: symmetric
  np.testing.assert_allclose(g_sym, g_sym.T)


@pytest.mark.parametrize("lower", [True, False])
def test_eigh_reads_one_triangle_without_symmetrization(lower):
  a = symmetric(np.random.default_rng(2), (), 3)
  junk = np.triu(np.full((3, 3), 7.0), 1)
  a_junk = a + (junk if lower else junk.T)
  w = lax.eigh(a_junk, lower=lower, symmetrize_input=False)[1]
  np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-12)
  f = lambda x: [v * v for v in lax.eigh(x, lower=lower, symmetrize_input=False)]  # noqa: E731
  check_grads(f, (a_junk,), order=2)


def test_backward_of_solve_reuses_the_lu_factors():
  """The backward program solves with the stored LU factors (transposed): no factorization."""
  a = general(np.random.default_rng(3), (), 2)
  _, f_vjp = vjpkit.vjp(lambda b: lax.solve(a, b), np.ones((2, 1)))
  program = vjpkit.make_jaxpr(f_vjp)(np.ones((2, 1)))
  assert str(program) == """{ lambda a:f64[2,2] b:i32[2]; c:f64[2,1]. let
    d:f64[2,1] = lu_solve[trans=1] a b c
  in (d,) }"""
  packed, _, perm = lax.lu(a)
  np.testing.assert_array_equal(program.consts[0], packed)
  np.testing.assert_array_equal(program.consts[1], perm)


def test_backward_of_inverse_uses_solves_only():
  a = general(np.random.default_rng(4), (), 3)
  _, f_vjp = vjpkit.vjp(lambda a: lax.solve(a, np.eye(3)), a)
  jaxpr = vjpkit.make_jaxpr(f_vjp)(np.ones((3, 3)))
  names = {e.prim.name for e in jaxpr.jaxpr.eqns}
  assert "lu_solve" in names and not names & {"pinv", "lu", "solve"}
