"""vjpkit.numpy.linalg at the edges: documented derivatives at non-differentiable or
degenerate points, and clear errors for what is not supported."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad

vla = vnp.linalg


# -- derivatives at special points ---------------------------------------------------

@pytest.mark.parametrize("f", [
    lambda x: vla.norm(x), lambda x: vla.norm(x, 2), lambda x: vla.norm(x, 3),
    lambda x: vla.norm(x.reshape(2, 2), "fro"), lambda x: vla.vector_norm(x, ord=1.5)])
def test_norm_gradient_at_zero_is_zero(f):
  np.testing.assert_array_equal(grad(f)(np.zeros(4)), np.zeros(4))
  np.testing.assert_array_equal(vjpkit.jvp(f, (np.zeros(4),), (np.ones(4),))[1], 0.0)


def test_norm_gradient_at_zero_rows_only():
  x = np.array([[0.0, 0.0], [3.0, 4.0]])
  np.testing.assert_allclose(grad(lambda x: vnp.sum(vla.norm(x, axis=1)))(x),
                             [[0, 0], [0.6, 0.8]])


def test_max_norm_shares_ties_evenly():
  np.testing.assert_allclose(grad(lambda x: vla.norm(x, np.inf))(np.array([2.0, -2.0, 1.0])),
                             [0.5, -0.5, 0.0])


def test_det_gradient_is_cofactor_and_raises_at_singular():
  a = np.array([[2.0, 1.0], [1.0, 3.0]])
  np.testing.assert_allclose(grad(vla.det)(a), np.linalg.det(a) * np.linalg.inv(a).T)
  singular = np.array([[1.0, 2.0], [2.0, 4.0]])
  assert vla.det(singular) == 0.0
  with pytest.raises(np.linalg.LinAlgError):
    grad(vla.det)(singular)


def test_eigh_repeated_eigenvalues_like_jax():
  """Eigenvalue derivatives stay finite; eigenvector derivatives are not defined (inf/nan)."""
  eye = np.eye(3)
  np.testing.assert_allclose(grad(lambda a: vnp.sum(vla.eigvalsh(a)))(eye), eye)
  with np.errstate(invalid="ignore"):  # inf * 0 in the matmuls of the tangent
    t = vjpkit.jvp(lambda a: vla.eigh(a).eigenvectors, (eye,), (np.arange(9.0).reshape(3, 3),))[1]
  assert not np.all(np.isfinite(t))


def test_pinv_at_repeated_singular_values_is_finite():
  q = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]
  g = grad(lambda a: vnp.sum(vla.pinv(a) * np.arange(9.0).reshape(3, 3)))(q)
  assert np.all(np.isfinite(g))


def test_svd_and_qr_vector_derivatives_need_reduced_factorizations():
  a = np.arange(6.0).reshape(3, 2) + np.eye(3, 2)
  with pytest.raises(NotImplementedError, match="full_matrices=False"):
    grad(lambda a: vnp.sum(vla.svd(a).U))(a)
  grad(lambda a: vnp.sum(vla.svd(a, full_matrices=False).U ** 2))(a)  # fine
  grad(lambda a: vnp.sum(vla.svd(a, compute_uv=False)))(a)           # fine
  with pytest.raises(NotImplementedError, match="mode='reduced'"):
    grad(lambda a: vnp.sum(vla.qr(a, "complete").Q))(a)


def test_results_are_named_like_numpy():
  a = np.array([[2.0, 1.0], [1.0, 2.0]])
  assert vla.eigh(a)._fields == np.linalg.eigh(a)._fields
  assert vla.svd(a)._fields == np.linalg.svd(a)._fields
  assert vla.qr(a)._fields == np.linalg.qr(a)._fields
  assert vla.slogdet(a)._fields == np.linalg.slogdet(a)._fields
  g = grad(lambda a: vla.slogdet(a).logabsdet)(a)
  np.testing.assert_allclose(g, np.linalg.inv(a).T)


# -- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigvalsh", "pinv", "norm"])
def test_complex_inputs_give_numpys_values(name):  # derivatives: tests/test_complex_linalg.py
  a = np.array([[2.0, 1j], [-1j, 3.0]])
  np.testing.assert_allclose(getattr(vla, name)(a), getattr(np.linalg, name)(a), rtol=1e-12)


@pytest.mark.parametrize("f", [vla.inv, vla.det, vla.slogdet, vla.cholesky, vla.eigh])
def test_bad_shapes_raise_numpys_error(f):
  with pytest.raises(np.linalg.LinAlgError, match="at least two-dimensional"):
    f(np.ones(3))
  with pytest.raises(np.linalg.LinAlgError, match="square"):
    f(np.ones((2, 3)))


def test_other_bad_arguments():
  a = np.eye(2)
  with pytest.raises(TypeError, match="float16"):
    vla.inv(a.astype(np.float16))
  with pytest.raises(ValueError, match="b needs 2 rows"):
    vla.solve(a, np.ones((3, 1)))
  with pytest.raises(np.linalg.LinAlgError, match="Singular"):
    vla.solve(np.zeros((2, 2)), np.ones(2))
  with pytest.raises(np.linalg.LinAlgError):
    vla.cholesky(-a)
  with pytest.raises(ValueError, match="UPLO"):
    vla.eigh(a, UPLO="X")
  with pytest.raises(ValueError, match="raw"):
    vla.qr(a, "raw")
  with pytest.raises(TypeError, match="integer"):
    vla.matrix_power(a, 1.5)
  with pytest.raises(TypeError, match="real number"):
    vla.pinv(a, rcond=np.array([0.1, 0.2]))
  with pytest.raises(ValueError, match="can't be both set"):
    vla.pinv(a, rcond=0.1, rtol=0.1)
  with pytest.raises(ValueError, match="Invalid norm order 'fro' for vectors"):
    vla.norm(np.ones(3), "fro")
  with pytest.raises(ValueError, match="Invalid norm order for matrices"):
    vla.norm(a, 3)
  with pytest.raises(ValueError, match="Improper number of dimensions"):
    vla.norm(np.ones((2, 2, 2)), 2)


def test_pinv_cutoffs_match_numpy():
  a = np.diag([1.0, 1e-10, 0.0])
  for kw in [{}, {"rcond": 1e-5}, {"rtol": None}, {"rtol": 1e-12}]:
    np.testing.assert_allclose(vla.pinv(a, **kw), np.linalg.pinv(a, **kw))


def test_norm_of_float16_as_numpy():
  # was rejected ('float16 is unsupported in linalg'); NumPy computes float16 norms, and
  # rejects float16 only where it needs an SVD (ord 2, -2, 'nuc' of a matrix)
  rng = np.random.default_rng(5)
  a = rng.uniform(-3, 3, (3, 4)).astype(np.float16)
  v = a[0]
  cases = [(v, {}), (v, dict(ord=1)), (v, dict(ord=np.inf)), (v, dict(ord=-np.inf)),
           (v, dict(ord=0)), (v, dict(ord=3)), (v, dict(ord=-1)), (a, {}), (a, dict(ord="fro")),
           (a, dict(ord=1)), (a, dict(ord=-1)), (a, dict(ord=np.inf)), (a, dict(axis=0)),
           (a, dict(axis=1, ord=1)), (a, dict(axis=1, keepdims=True))]
  for x, kw in cases:
    want = np.linalg.norm(x, **kw)
    got = vla.norm(x, **kw)
    assert got.dtype == want.dtype == np.float16, kw
    np.testing.assert_array_equal(got, want)
  assert vla.vector_norm(v).dtype == np.linalg.vector_norm(v).dtype
  assert vla.matrix_norm(a).dtype == np.linalg.matrix_norm(a).dtype
  g = vjpkit.grad(lambda x: vla.norm(x))(v)
  assert g.dtype == np.float16
  np.testing.assert_allclose(g, v.astype(np.float64) / np.linalg.norm(v.astype(np.float64)),
                             rtol=2e-3)
  for ord in (2, -2, "nuc"):
    with pytest.raises(TypeError, match="float16"):
      np.linalg.norm(a, ord=ord)
    with pytest.raises(TypeError, match="float16.*float32"):
      vla.norm(a, ord=ord)


def test_max_norms_start_from_zero_as_numpy():
  # NumPy's inf vector norm and 1/inf matrix norms are max(..., initial=0): 0 for empty
  # input (vjpkit raised "zero-size array to reduction operation max"); at the zero vector
  # the tie with the initial 0 halves the derivative, as in JAX (1/(2n) each, not 1/n)
  for x, o, axis in [(np.zeros(0), np.inf, None), (np.zeros((2, 0)), 1, None),
                     (np.zeros((2, 0)), np.inf, None), (np.zeros((0, 3)), np.inf, 1),
                     (np.zeros((3, 0)), 1, (0, 1))]:
    got, want = vnp.linalg.norm(x, o, axis), np.linalg.norm(x, o, axis)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(got, want)
  x = np.array([[1.0, -3.0], [2.0, 0.5]])
  for o in (np.inf, 1):
    assert vnp.linalg.norm(x, o) == np.linalg.norm(x, o)
    assert vnp.linalg.norm(x[0], o) == np.linalg.norm(x[0], o)
  np.testing.assert_array_equal(grad(lambda v: vnp.linalg.norm(v, np.inf))(np.zeros(3)),
                                np.full(3, 1 / 6))
  np.testing.assert_array_equal(grad(lambda v: vnp.linalg.norm(v, np.inf))(np.array([1., -2.])),
                                [0.0, -1.0])
