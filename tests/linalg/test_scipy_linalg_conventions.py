"""vjpkit.scipy.linalg beyond the table: one factorization per solve (forward and backward),
the O(n²) triangular solve, derivatives that are nan or raise (singular and non-unique
cases), which triangle is read, and clear errors for unsupported options."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sl

import vjpkit
import vjpkit.numpy as vnp
import vjpkit.scipy.linalg as vsl
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads

from linalg_matrices import general, rect, spd

RNG = np.random.default_rng(7)
A = general(RNG, (), 4)
B = RNG.standard_normal((4, 2))
SPD = spd(RNG, (), 4)


def _eqn_names(fun, *args):
  return [e.prim.name for e in vjpkit.make_jaxpr(fun)(*args).jaxpr.eqns]


@pytest.mark.parametrize("assume_a,factor", [("gen", "lu"), ("sym", "lu"), ("pos", "cholesky")])
def test_solve_factorizes_once_for_value_and_gradient(assume_a, factor):
  """The staged value-and-gradient program of solve holds one factorization, and every
  other solve in it reuses its factors (no 'solve' primitive, no second factorization)."""
  a = SPD if assume_a == "pos" else A
  f = lambda a, b: vnp.sum(vnp.sin(vsl.solve(a, b, assume_a=assume_a)))  # noqa: E731
  names = _eqn_names(vjpkit.value_and_grad(f, (0, 1)), a, B)
  assert names.count(factor) == 1, names
  assert "solve" not in names and ("lu" not in names or factor == "lu")
  solves = {"lu_solve"} if factor == "lu" else {"triangular_solve"}
  assert solves <= set(names)


def test_lu_solve_gradient_solves_with_the_stored_factors():
  lu_piv = vsl.lu_factor(A)
  names = _eqn_names(vjpkit.grad(lambda b: vnp.sum(vsl.lu_solve(lu_piv, b) ** 2)), B)
  assert "lu" not in names and names.count("lu_solve") == 2  # forward and transposed


def test_solve_triangular_is_a_triangular_solve():
  names = _eqn_names(vjpkit.grad(lambda b: vnp.sum(vsl.solve_triangular(A, b, lower=True))), B)
  assert names.count("triangular_solve") == 1 and not {"solve", "lu"} & set(names)


def test_triangular_solve_impl_is_blas_trsm(monkeypatch):
  """The primitive's impl calls BLAS's O(n²) triangular solver, once per matrix."""
  from vjpkit.lax import solves
  calls = []
  real = solves.trsm
  monkeypatch.setattr(solves, "trsm", lambda *a, **k: calls.append(1) or real(*a, **k))
  a = np.stack([A, 2 * A])
  x = lax.triangular_solve(a, np.stack([B, B]), left_side=True, lower=True)
  assert len(calls) == 2
  np.testing.assert_allclose(x[1], sl.solve_triangular(2 * A, B, lower=True), rtol=1e-12)
  with pytest.raises(np.linalg.LinAlgError, match="singular"):
    lax.triangular_solve(np.zeros((2, 2)), np.ones((2, 1)), left_side=True)


@pytest.mark.parametrize("lower", [True, False])
def test_one_triangle_is_read_and_differentiated(lower):
  junk = np.triu(np.full((4, 4), 9.0), 1)
  a = SPD + (junk if lower else junk.T)
  keep = np.tril if lower else np.triu
  for fn in (lambda a: vsl.cholesky(a, lower=lower),
             lambda a: vsl.solve(a, B, assume_a="pos", lower=lower),
             lambda a: vsl.solve(a, B, assume_a="sym", lower=lower),
             lambda a: vsl.eigh(a, lower=lower, eigvals_only=True)):
    np.testing.assert_allclose(fn(a), fn(keep(a) + keep(a, -1 if lower else 1).T), rtol=1e-12)
    g = vjpkit.grad(lambda a: vnp.sum(vnp.sin(fn(a))))(a)
    np.testing.assert_array_equal(g, keep(g))
  np.testing.assert_allclose(vsl.cholesky(a, lower=lower), sl.cholesky(a, lower=lower))


def test_expm_gradient_is_the_adjoint_frechet_derivative():
  g = RNG.standard_normal((4, 4))
  a = A / 4
  _, f_vjp = vjpkit.vjp(vsl.expm, a)
  np.testing.assert_allclose(f_vjp(g)[0], sl.expm_frechet(a.T, g, compute_expm=False),
                             rtol=1e-10)
  check_grads(lambda a: vsl.expm_frechet(a, g, compute_expm=False), (a,), order=2)


def test_expm_third_order():
  a = A[:2, :2] / 4
  check_grads(lambda a: vsl.expm(a)[0, 1], (a,), order=3)


def test_expm_batched_under_jit_and_vmap():
  a = np.stack([A, -A, A.T]) / 3
  np.testing.assert_allclose(vjpkit.jit(vsl.expm)(a), sl.expm(a), rtol=1e-12)
  g = vjpkit.vmap(vjpkit.grad(lambda m: vnp.sum(vsl.expm(m))))(a)
  for k in range(3):
    np.testing.assert_allclose(g[k], vjpkit.grad(lambda m: vnp.sum(vsl.expm(m)))(a[k]),
                               rtol=1e-12)


def test_sqrtm_derivative_at_a_singular_matrix_is_nan():
  s = np.diag([0.0, 1.0, 4.0])
  with pytest.warns(sl.LinAlgWarning):  # SciPy's, for the value
    np.testing.assert_allclose(vsl.sqrtm(s), np.diag([0.0, 1.0, 2.0]))
    jac = vjpkit.jacfwd(vsl.sqrtm)(s)
  assert np.isnan(jac).all()


def test_sqrtm_of_a_matrix_with_a_complex_root_raises():
  with pytest.raises(ValueError, match="complex"):
    vsl.sqrtm(np.diag([-1.0, 1.0]))


def test_polar_derivative_at_a_rank_deficient_matrix_is_nan():
  a = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
  u, p = vsl.polar(a)
  np.testing.assert_allclose(u @ p, a, atol=1e-12)
  assert np.isnan(vjpkit.jacfwd(lambda a: vsl.polar(a)[0])(a)).all()


def test_polar_wide_right_side_derivative_raises():
  a = rect(RNG, (), 2, 3)
  vsl.polar(a)  # values are fine
  with pytest.raises(NotImplementedError, match="side='left'"):
    vjpkit.grad(lambda a: vnp.sum(vsl.polar(a)[0]))(a)


@pytest.mark.parametrize("fn", [lambda a: vsl.schur(a)[0], lambda a: vsl.hessenberg(a)],
                         ids=["schur", "hessenberg"])
def test_schur_and_hessenberg_have_no_derivative(fn):
  with pytest.raises(NotImplementedError, match="no derivative"):
    vjpkit.grad(lambda a: vnp.sum(fn(a)))(A)
  # a derivative with respect to something else passes through them
  assert vjpkit.grad(lambda s: s * vnp.sum(fn(A)))(2.0) == pytest.approx(np.sum(fn(A)))


def test_qr_full_tall_q_derivative_raises_but_r_mode_is_differentiable():
  a = rect(RNG, (), 4, 2)
  with pytest.raises(NotImplementedError, match="reduced"):
    vjpkit.grad(lambda a: vnp.sum(vsl.qr(a)[0]))(a)
  check_grads(lambda a: vsl.qr(a, mode="r")[0], (a,), order=2)


def test_singular_solve_raises():
  with pytest.raises(np.linalg.LinAlgError):
    vsl.solve(np.zeros((2, 2)), np.ones(2))


@pytest.mark.parametrize("call,error,match", [
    (lambda: vsl.solve(A.astype(complex), B), TypeError, "complex"),
    (lambda: vsl.expm(A.astype(np.complex64)), TypeError, "complex"),
    (lambda: vsl.toeplitz(np.ones(2, complex)), TypeError, "complex"),
    (lambda: lax.expm(A.astype(complex)), TypeError, "complex"),
    (lambda: lax.polar(A.astype(complex)), TypeError, "complex"),
    (lambda: vsl.solve(A, B, assume_a="banded"), ValueError, "banded"),
    (lambda: vsl.solve(A[:, :3], B), ValueError, "square"),
    (lambda: vsl.solve(A, B[:3]), ValueError, "rows"),
    (lambda: vsl.solve_triangular(A, B, trans=3), ValueError, "trans"),
    (lambda: vsl.lu_solve(vsl.lu_factor(A), B, trans=3), ValueError, "trans"),
    (lambda: vsl.lu_solve(A, B), TypeError, "lu_factor"),
    (lambda: vsl.cho_solve(A, B), TypeError, "cho_factor"),
    (lambda: vsl.lu_solve(vsl.lu_factor(A[:, :3]), B), ValueError, "square"),
    (lambda: vsl.lu(np.ones(3)), ValueError, "2-D"),
    (lambda: vsl.qr(A, mode="raw"), ValueError, "raw"),
    (lambda: vsl.qr(A, pivoting=True), NotImplementedError, "pivoting"),
    (lambda: vsl.eigh(SPD, subset_by_value=(0, 1)), NotImplementedError, "subset_by_value"),
    (lambda: vsl.eigh(SPD, subset_by_index=(2, 9)), ValueError, "out of range"),
    (lambda: vsl.eigh(SPD, SPD, type=2), NotImplementedError, "type"),
    (lambda: vsl.schur(A, output="complex"), NotImplementedError, "real"),
    (lambda: vsl.schur(A, sort="lhp"), NotImplementedError, "sort"),
    (lambda: vsl.polar(A, side="up"), ValueError, "side"),
    (lambda: vsl.solve_sylvester(A, A, B), ValueError, "q"),
    (lambda: vsl.expm_frechet(A, A[:2, :2]), ValueError, "same shape"),
    (lambda: vsl.block_diag(np.ones((2, 2, 2))), ValueError, "2 dimensions"),
    (lambda: vsl.cholesky(-SPD), np.linalg.LinAlgError, "positive definite"),
])
def test_errors(call, error, match):
  with pytest.raises(error, match=match):
    call()


def test_integer_inputs_promote_to_float64():
  a = np.array([[2, 1], [1, 3]])
  for out in (vsl.inv(a), vsl.solve(a, [1, 2]), vsl.expm(a), vsl.lu_factor(a)[0]):
    assert np.asarray(out).dtype == np.float64
  for out, ref in ((vsl.toeplitz([1, 2]), sl.toeplitz([1, 2])),  # SciPy keeps these integer
                   (vsl.block_diag(a, 1), sl.block_diag(a, 1))):
    assert np.asarray(out).dtype == ref.dtype
    np.testing.assert_array_equal(out, ref)
  np.testing.assert_allclose(vsl.solve(a, [1, 2], assume_a="pos"), sl.solve(a, [1, 2]))


def test_empty_block_diag_and_zero_sized_matrices():
  np.testing.assert_array_equal(vsl.block_diag(), sl.block_diag())
  np.testing.assert_array_equal(vsl.block_diag(np.ones((2, 0)), [[1.0]]),
                                sl.block_diag(np.ones((2, 0)), [[1.0]]))
  assert vsl.expm(np.zeros((0, 0))).shape == (0, 0)
  assert vsl.solve_triangular(np.zeros((0, 0)), np.zeros(0)).shape == (0,)
  empty = np.zeros((0, 3, 3))  # an empty batch: SciPy is never called, the shapes are right
  assert vsl.lu_solve(vsl.lu_factor(empty), np.zeros((0, 3, 2))).shape == (0, 3, 2)
  assert vsl.sqrtm(empty).shape == vsl.schur(empty)[1].shape == (0, 3, 3)
