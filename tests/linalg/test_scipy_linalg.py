"""vjpkit.scipy.linalg, one row per function and option set: values vs SciPy, JVP vs finite
differences, VJP vs JVP (dot-product identity), second order, vmap vs a loop (values and
gradients), jit vs eager, float32.

A row gives the function, its SciPy reference, a strategy for its arguments (arrays and
static keyword arguments), the derivative order to check (0: none, for schur/hessenberg)
and a ``view``: a sign-invariant function of the outputs where factors have arbitrary
signs (eigenvectors, singular vectors), applied to both results before comparing and
differentiating.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
import vjpkit.scipy.linalg as vsl
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads
from vjpkit.tree_util import tree_flatten

from linalg_matrices import assert_tree_close, first_example, general, leaves, rect, spd, symmetric


def _same(out):
  return out


class Row(NamedTuple):
  fn: Callable
  ref: Callable
  args: st.SearchStrategy   # draws (arrays, static keyword arguments)
  order: int = 2
  view: Callable = _same    # applied to the outputs of fn and ref (sign-invariant forms)


# -- argument strategies -------------------------------------------------------------

KINDS = {"general": general, "spd": spd, "symmetric": symmetric, "rect": rect}
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 4)
batches = st.sampled_from([(), (2,)])


def build(make, **static):
  """Arguments from ``make(rng, n, m, batch) -> arrays`` and static keyword strategies."""
  def go(t):
    (seed, n, m, batch), kw = t
    return make(np.random.default_rng(seed), n, m, batch), kw
  return st.tuples(st.tuples(seeds, sizes, sizes, batches), st.fixed_dictionaries(static)).map(go)


def mat(kind):
  return lambda rng, n, m, batch: (KINDS[kind](rng, batch, n, m),)


def mat_rhs(kind):
  """A matrix and a right-hand side: a vector (1-D, or with a's batch dimensions), a matrix
  with a's batch dimensions, or one with a batch dimension more (broadcasting)."""
  def make(rng, n, m, batch):
    a = KINDS[kind](rng, batch, n)
    shape = [(n,), batch + (n,), batch + (n, 2), (3,) + batch + (n, 2)][rng.integers(4)]
    return a, rng.standard_normal(shape)
  return make


def _scipy_rhs(ref):
  """SciPy's function looped over the broadcast batch dimensions (for its 2-D calls); ``b`` is
  a vector when it has one dimension less than ``a`` (or is 1-D)."""
  def call(a, b, **kw):
    if a.ndim == 2 and b.ndim <= 2:
      return ref(a, b, **kw)
    vector = b.ndim == 1 or b.ndim == a.ndim - 1
    b = b[..., None] if vector else b
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])
    x = np.stack([ref(a[i], b[i], **kw) for i in np.ndindex(*batch)]).reshape(
        batch + b.shape[-2:])
    return x[..., 0] if vector else x
  return call


def per_matrix(ref, n_out=None):
  """SciPy's function applied to each matrix of a stack (the first argument's batch)."""
  def call(*xs, **kw):
    batch = xs[0].shape[:-2]
    if not batch:
      return ref(*xs, **kw)
    outs = [ref(*(x[i] for x in xs), **kw) for i in np.ndindex(*batch)]
    if isinstance(outs[0], tuple):
      return tuple(np.stack([o[k] for o in outs]).reshape(batch + np.shape(outs[0][k]))
                   for k in range(len(outs[0])))
    return np.stack(outs).reshape(batch + np.shape(outs[0]))
  return call


def unit_lower_triangle(rng, n, m, batch):
  a = np.tril(rng.standard_normal(batch + (n, n)) / (2 * n), -1) + 5 * np.triu(np.ones((n, n)), 1)
  return a, rng.standard_normal(batch + (n, 2))


def subset_args():
  """A symmetric matrix and a valid ``subset_by_index`` for its size."""
  def go(t):
    seed, n, batch, lower = t
    rng = np.random.default_rng(seed)
    lo = int(rng.integers(n))
    return (symmetric(rng, batch, n),), {"subset_by_index": (lo, int(rng.integers(lo, n))),
                                        "lower": lower}
  return st.tuples(seeds, sizes, batches, st.booleans()).map(go)


def sylvester(rng, n, m, batch):
  return general(rng, batch, n), general(rng, batch, m), rng.standard_normal(batch + (n, m))


def tall(rng, n, m, batch):
  return (rect(rng, batch, max(n, m), min(n, m)),)


def wide(rng, n, m, batch):
  return (rect(rng, batch, min(n, m), max(n, m)),)


def positive_spectrum(rng, n, m, batch):
  """A non-symmetric matrix with eigenvalues near 3, none on the negative real axis (within
  about 1.5 of 3; ``general`` alone can have a negative 1 x 1 member)."""
  return (rng.standard_normal(batch + (n, n)) / (2 * np.sqrt(n)) + 3.0 * np.eye(n),)


def small(rng, n, m, batch):
  return (rng.standard_normal(batch + (n, n)) / n,)


def pair(rng, n, m, batch):
  return small(rng, n, m, batch)[0], rng.standard_normal(batch + (n, n))


def vector_pair(rng, n, m, batch):
  return rng.standard_normal(batch + (n,)), rng.standard_normal(batch + (m,))


def vector(rng, n, m, batch):
  return (rng.standard_normal(batch + (n,)),)


def blocks(rng, n, m, batch):
  shapes = [(), (n,), (n, m), (m, 1)][: 1 + int(rng.integers(4))]
  return tuple(rng.standard_normal(s) for s in shapes)


def generalized(rng, n, m, batch):
  return symmetric(rng, batch, n), spd(rng, batch, n)


eig_view = lambda r: (r[0], r[1] * r[1])                    # noqa: E731
svd_view = lambda r: (r[0] * r[0], r[1], r[2] * r[2])       # noqa: E731
trans = st.sampled_from([0, 1, 2, "N", "T", "C"])


def _triangle(lower):
  return np.tril if lower else np.triu


FUNCTIONS: dict[str, Row] = {
    "solve_triangular": Row(vsl.solve_triangular, _scipy_rhs(sl.solve_triangular),
                            build(mat_rhs("general"), trans=trans, lower=st.booleans())),
    "solve_triangular_unit": Row(vsl.solve_triangular, _scipy_rhs(sl.solve_triangular),
                                 build(unit_lower_triangle, trans=trans, lower=st.just(True),
                                       unit_diagonal=st.just(True))),
    "cholesky": Row(vsl.cholesky, per_matrix(sl.cholesky), build(mat("spd"), lower=st.booleans())),
    "cho_factor": Row(lambda a, lower: vsl.cho_factor(a, lower)[0],
                      per_matrix(lambda a, lower: _triangle(lower)(sl.cho_factor(a, lower)[0])),
                      build(mat("spd"), lower=st.booleans())),
    "cho_solve": Row(lambda a, b, lower: vsl.cho_solve(vsl.cho_factor(a, lower), b),
                     _scipy_rhs(lambda a, b, lower: sl.cho_solve(sl.cho_factor(a, lower), b)),
                     build(mat_rhs("spd"), lower=st.booleans())),
    "lu": Row(vsl.lu, per_matrix(sl.lu), build(mat("rect"))),
    "lu_permute_l": Row(vsl.lu, per_matrix(sl.lu), build(mat("rect"), permute_l=st.just(True))),
    "lu_p_indices": Row(vsl.lu, per_matrix(sl.lu), build(mat("rect"), p_indices=st.just(True))),
    "lu_factor": Row(vsl.lu_factor, per_matrix(sl.lu_factor), build(mat("rect"))),
    "lu_solve": Row(lambda a, b, trans: vsl.lu_solve(vsl.lu_factor(a), b, trans),
                    _scipy_rhs(lambda a, b, trans: sl.lu_solve(sl.lu_factor(a), b, trans)),
                    build(mat_rhs("general"), trans=st.sampled_from([0, 1, 2]))),
    "solve": Row(vsl.solve, _scipy_rhs(sl.solve),
                 build(mat_rhs("general"), assume_a=st.sampled_from([None, "gen", "general"]),
                       transposed=st.booleans())),
    "solve_sym": Row(vsl.solve, _scipy_rhs(sl.solve),
                     build(mat_rhs("general"), assume_a=st.sampled_from(["sym", "her"]),
                           lower=st.booleans())),
    "solve_pos": Row(vsl.solve, _scipy_rhs(sl.solve),
                     build(mat_rhs("spd"), assume_a=st.sampled_from(["pos", "positive definite"]),
                           lower=st.booleans())),
    "solve_structured": Row(vsl.solve, _scipy_rhs(sl.solve), build(mat_rhs("general"), assume_a=(
        st.sampled_from(["diagonal", "upper triangular", "lower triangular"])))),
    "inv": Row(vsl.inv, sl.inv, build(mat("general"))),
    "det": Row(vsl.det, sl.det, build(mat("general"))),
    "eigh": Row(vsl.eigh, per_matrix(sl.eigh), build(mat("symmetric"), lower=st.booleans()),
                view=eig_view),
    "eigh_values": Row(vsl.eigh, per_matrix(sl.eigh), build(
        mat("symmetric"), lower=st.booleans(), eigvals_only=st.just(True))),
    "eigh_subset": Row(vsl.eigh, per_matrix(sl.eigh), subset_args(), view=eig_view),
    "eigh_generalized": Row(vsl.eigh, per_matrix(sl.eigh), build(generalized, lower=st.booleans()),
                            view=eig_view),
    "eigvalsh": Row(vsl.eigvalsh, per_matrix(sl.eigvalsh), build(mat("symmetric"))),
    "svd": Row(vsl.svd, per_matrix(sl.svd), build(mat("rect"), full_matrices=st.just(False)),
               view=svd_view),
    "svd_square_full": Row(vsl.svd, per_matrix(sl.svd), build(
        lambda rng, n, m, batch: (rect(rng, batch, n, n),)), view=svd_view),
    "svd_values": Row(vsl.svd, per_matrix(sl.svd), build(mat("rect"), compute_uv=st.just(False))),
    "svdvals": Row(vsl.svdvals, per_matrix(sl.svdvals), build(mat("rect"))),
    "qr_economic": Row(vsl.qr, per_matrix(sl.qr), build(mat("rect"), mode=st.just("economic"))),
    "qr_full_wide": Row(vsl.qr, per_matrix(sl.qr), build(wide, mode=st.just("full"))),
    "qr_r": Row(vsl.qr, per_matrix(sl.qr), build(mat("rect"), mode=st.just("r"))),
    "schur": Row(vsl.schur, per_matrix(sl.schur), build(mat("general")), order=0),
    "hessenberg": Row(vsl.hessenberg, per_matrix(sl.hessenberg),
                      build(mat("general"), calc_q=st.booleans()), order=0),
    "polar": Row(vsl.polar, per_matrix(sl.polar), build(tall)),
    "polar_left": Row(vsl.polar, per_matrix(sl.polar), build(wide, side=st.just("left"))),
    "solve_sylvester": Row(vsl.solve_sylvester, per_matrix(sl.solve_sylvester), build(sylvester)),
    "expm": Row(vsl.expm, sl.expm, build(small)),
    "expm_large_norm": Row(vsl.expm, sl.expm, build(mat("general")), order=1),
    "expm_frechet": Row(vsl.expm_frechet, per_matrix(sl.expm_frechet),
                        build(pair, compute_expm=st.booleans())),
    "sqrtm_spd": Row(vsl.sqrtm, per_matrix(sl.sqrtm), build(mat("spd"))),
    "sqrtm": Row(vsl.sqrtm, per_matrix(sl.sqrtm), build(positive_spectrum)),
    "toeplitz": Row(vsl.toeplitz, sl.toeplitz, build(vector_pair)),
    "toeplitz_symmetric": Row(vsl.toeplitz, sl.toeplitz, build(vector)),
    "circulant": Row(vsl.circulant, sl.circulant, build(vector)),
    "block_diag": Row(vsl.block_diag, sl.block_diag, build(blocks)),
}


def _assert_close(actual, expected, rtol=1e-9, atol=1e-10):
  assert_tree_close(actual, expected, rtol, atol)


def _differentiable(out):
  """The floating-point outputs (pivots and permutations have no derivative)."""
  return [y for y in tree_flatten(out)[0] if np.dtype(vnp.result_type(y)).kind == "f"]


def _f(row, kw):
  return lambda *xs: _differentiable(row.view(row.fn(*xs, **kw)))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=4)
@given(data=st.data())
def test_values_and_derivatives(name, data):
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  _assert_close(row.view(row.fn(*arrays, **kw)), row.view(row.ref(*arrays, **kw)))
  if row.order:
    check_grads(_f(row, kw), arrays, order=row.order)


def _scalar_loss(row, kw):
  def loss(*xs):
    return sum(vnp.sum(vnp.sin(y)) for y in _f(row, kw)(*xs))
  return loss


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=2)
@given(data=st.data())
def test_vmap_matches_loop(name, data):
  """Batch axis in front for the first argument and last for the others (values and, where
  differentiable, gradients)."""
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  members = [[x * (1 + 0.25 * k) for x in arrays] for k in range(3)]
  in_axes = (0,) + tuple(x.ndim for x in arrays[1:])
  stacked = [np.stack([m[i] for m in members], axis=ax) for i, ax in enumerate(in_axes)]
  f = lambda *xs: row.view(row.fn(*xs, **kw))  # noqa: E731
  actual = vjpkit.vmap(f, in_axes=in_axes)(*stacked)
  for k, m in enumerate(members):
    _assert_close([np.asarray(a)[k] for a in leaves(actual)], f(*m), rtol=1e-8)
  if not row.order:
    return
  loss = _scalar_loss(row, kw)
  argnums = tuple(range(len(arrays)))
  g = vjpkit.vmap(vjpkit.grad(loss, argnums), in_axes=in_axes)(*stacked)
  for k, m in enumerate(members):
    expected = vjpkit.grad(loss, argnums)(*m)
    for gi, ei in zip(g, expected):
      np.testing.assert_allclose(gi[k], ei, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=1)
@given(data=st.data())
def test_jit_matches_eager(name, data):
  """jit of the function and of its gradient equal the eager results, and the staged
  programs typecheck (every shape rule agrees with its impl)."""
  row = FUNCTIONS[name]
  arrays, kw = data.draw(row.args)
  f = lambda *xs: row.view(row.fn(*xs, **kw))  # noqa: E731
  cases = [(f, f(*arrays))]
  if row.order:
    grad = vjpkit.grad(_scalar_loss(row, kw), tuple(range(len(arrays))))
    cases.append((grad, grad(*arrays)))
  for fun, expected in cases:
    _assert_close(vjpkit.jit(fun)(*arrays), expected, rtol=1e-10)
    program = vjpkit.make_jaxpr(fun)(*arrays)
    typecheck_jaxpr(program.jaxpr)
    _assert_close(eval_jaxpr(program.jaxpr, program.consts, arrays), leaves(expected))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float32(name):
  """float32 in, float32 out (values and gradients), close to SciPy's float64 result."""
  row = FUNCTIONS[name]
  arrays, kw = first_example(row.args)
  arrays32 = [x.astype(np.float32) for x in arrays]
  out = leaves(row.view(row.fn(*arrays32, **kw)))
  for o, e in zip(out, leaves(row.view(row.ref(*arrays, **kw)))):
    assert o.dtype.kind == e.dtype.kind and (o.dtype == np.float32 or e.dtype.kind != "f")
    np.testing.assert_allclose(o, e, rtol=2e-4, atol=2e-4)
  if row.order:
    g = vjpkit.grad(_scalar_loss(row, kw))(*arrays32)
    assert g.dtype == np.float32
