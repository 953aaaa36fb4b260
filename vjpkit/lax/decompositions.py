"""Matrix decompositions: cholesky, eigh, svd, qr, over stacks of matrices.

Values come from ``numpy.linalg``; each JVP rule is a composite of matmuls,
triangular solves and elementwise ops, so it can be transposed (reverse mode)
and differentiated again. Where a factor is not unique (signs of eigenvectors
and singular vectors) the rule differentiates the factor NumPy returns, which
is what a gauge-invariant loss needs. Results are JAX's:

* ``eigh``/``svd`` need distinct eigenvalues / singular values for the
  derivative of the vectors; repeated ones give ``inf``/``nan`` there, as in
  JAX (the values' own derivatives stay finite).
* ``svd`` with ``full_matrices=True`` on a non-square matrix cannot differentiate
  its vectors (the completed bases are arbitrary), and ``qr`` in complete mode
  on a tall matrix cannot differentiate Q, for the same reason: both raise.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.jvp import defjvp
from . import elementwise as ew
from . import shapes
from ._declare import real_dtype
from ._matrix import (as_dtype_of, batch_leading, check_matrix, diag, diagonal, eye_like, matmul,
                      mH, outer_diff, reciprocal_offdiag, scale_columns, scale_rows, symmetrize,
                      tril, triu)
from .solves import triangular_solve


def _read_triangle(t, lower: bool):
  """The symmetric (Hermitian) matrix a solver that reads one triangle of ``t`` sees."""
  if lower:
    return ew.add(tril(t), mH(tril(t, -1)))
  return ew.add(triu(t), mH(triu(t, 1)))


# -- cholesky ----------------------------------------------------------------------

def _cholesky_abstract_eval(a):
  check_matrix("cholesky", a)
  return a


def _cholesky_jvp(t, chol, a):
  # L̇ = L Φ(L⁻¹ Ȧ L⁻ᴴ), Φ taking the lower triangle with the diagonal halved
  # (Murray 2016, "Differentiation of the Cholesky decomposition").
  aval = get_aval(chol)
  n = aval.shape[-1]
  t = _read_triangle(t, lower=True)
  inner = triangular_solve(chol, t, left_side=True, lower=True)
  inner = triangular_solve(ew.conj(chol), inner, left_side=False, lower=True, transpose_a=True)
  phi = np.broadcast_to((np.tri(n) - 0.5 * np.eye(n)).astype(aval.dtype), aval.shape)
  return matmul(chol, ew.mul(inner, phi))


cholesky_p = Primitive("cholesky", impl=lambda a: np.linalg.cholesky(a),
                       abstract_eval=_cholesky_abstract_eval)
defjvp(cholesky_p, _cholesky_jvp)
batch_leading(cholesky_p)


def cholesky(x, symmetrize_input: bool = True):
  """The lower Cholesky factor ``L`` (``x = L Lᴴ``) of Hermitian positive definite matrices.

  Like JAX, ``x`` is first replaced by ``(x + xᴴ)/2`` so that its gradient is
  symmetric; the primitive itself reads the lower triangle (as NumPy does).
  A matrix that is not positive definite raises ``LinAlgError`` (NumPy's behaviour).

  >>> cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))
  array([[2., 0.],
         [1., 2.]])
  """
  _cholesky_abstract_eval(get_aval(x))
  return cholesky_p.bind(symmetrize(x) if symmetrize_input else x)


# -- eigh: symmetric eigendecomposition -------------------------------------------------

def _eigh_abstract_eval(a, *, lower):
  check_matrix("eigh", a)
  return [a, ShapedArray(a.shape[:-1], real_dtype(a.dtype))]


def _eigh_impl(a, *, lower):
  w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")
  return [v, w]


def _eigh_jvp(primals, tangents, *, lower):
  # With A = V diag(w) Vᴴ and M = Vᴴ Ȧ V: ẇ = diag(M) (real), V̇ = V (F ∘ M),
  # F_ij = 1/(w_j - w_i) off the diagonal, 0 on it (so Vᴴ V̇ has a zero diagonal: the
  # phase of each complex eigenvector is held fixed).
  (a,), (t,) = primals, tangents
  v, w = eigh_p.bind(a, lower=lower)
  m = matmul(matmul(mH(v), _read_triangle(t, lower)), v)
  dv = matmul(v, ew.mul(as_dtype_of(reciprocal_offdiag(outer_diff(w)), m), m))
  return [v, w], [dv, ew.real(diagonal(m))]


eigh_p = Primitive("eigh", multiple_results=True, impl=_eigh_impl,
                   abstract_eval=_eigh_abstract_eval)
eigh_p.def_jvp(_eigh_jvp, symbolic_zeros=True)
batch_leading(eigh_p)


def eigh(x, lower: bool = True, symmetrize_input: bool = True) -> list:
  """``[v, w]``: eigenvectors (columns of ``v``) and ascending (real) eigenvalues of
  symmetric (Hermitian) ``x``.

  JAX's ``lax.linalg.eigh`` order and input symmetrization; eigenvector signs are
  NumPy's. ``lower`` says which triangle is read when ``symmetrize_input=False``.

  >>> v, w = eigh(np.array([[2.0, 0.0], [0.0, 1.0]]))
  >>> w
  array([1., 2.])
  """
  _eigh_abstract_eval(get_aval(x), lower=lower)
  return eigh_p.bind(symmetrize(x) if symmetrize_input else x, lower=bool(lower))


# -- svd --------------------------------------------------------------------------------

def _svd_abstract_eval(a, *, full_matrices, compute_uv):
  check_matrix("svd", a, square=False)
  *batch, m, n = a.shape
  k = min(m, n)
  s = ShapedArray(tuple(batch) + (k,), real_dtype(a.dtype))
  if not compute_uv:
    return [s]
  mu, nv = (m, n) if full_matrices else (k, k)
  return [ShapedArray(tuple(batch) + (m, mu), a.dtype), s,
          ShapedArray(tuple(batch) + (nv, n), a.dtype)]


def _svd_impl(a, *, full_matrices, compute_uv):
  if not compute_uv:
    return [np.linalg.svd(a, compute_uv=False)]
  return list(np.linalg.svd(a, full_matrices=full_matrices))


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv):
  (a,), (t,) = primals, tangents
  m, n = get_aval(a).shape[-2:]
  if compute_uv and full_matrices and m != n:
    raise NotImplementedError(
        "svd: the derivative of the singular vectors is not defined with full_matrices=True "
        f"for a non-square ({m}x{n}) matrix: the completed bases are arbitrary. Use "
        "full_matrices=False (as JAX requires), or compute_uv=False for singular values only.")
  u, s, vh = svd_p.bind(a, full_matrices=False, compute_uv=True)
  v = mH(vh)
  ds_mat = matmul(matmul(mH(u), t), v)  # Uᴴ Ȧ V
  ds = ew.real(diagonal(ds_mat))
  if not compute_uv:
    return [s], [ds]
  f = as_dtype_of(reciprocal_offdiag(outer_diff(ew.mul(s, s))), a)  # 1/(s_j² - s_i²)
  sc = as_dtype_of(s, a)
  ds_s = scale_columns(ds_mat, sc)  # Uᴴ Ȧ V S
  s_ds = scale_rows(ds_mat, sc)     # S Uᴴ Ȧ V
  inner_u = ew.mul(f, ew.add(ds_s, mH(ds_s)))
  s_inv = ew.div(np.ones((), sc.dtype)[()], sc)
  if get_aval(a).dtype.kind == "c":  # the imaginary diagonal of Uᴴ Ȧ V, a phase change of U
    inner_u = ew.add(inner_u, scale_columns(diag(ew.sub(diagonal(ds_mat), as_dtype_of(ds, a))),
                                            s_inv))
  du = matmul(u, inner_u)
  dv = matmul(v, ew.mul(f, ew.add(s_ds, mH(s_ds))))
  if m > n:  # the part of Ȧ V outside the span of U
    t_v = matmul(t, v)
    du = ew.add(du, scale_columns(ew.sub(t_v, matmul(u, matmul(mH(u), t_v))), s_inv))
  if n > m:
    t_u = matmul(mH(t), u)
    dv = ew.add(dv, scale_columns(ew.sub(t_u, matmul(v, matmul(vh, t_u))), s_inv))
  return [u, s, vh], [du, ds, mH(dv)]


svd_p = Primitive("svd", multiple_results=True, impl=_svd_impl, abstract_eval=_svd_abstract_eval)
svd_p.def_jvp(_svd_jvp, symbolic_zeros=True)
batch_leading(svd_p)


def svd(x, full_matrices: bool = True, compute_uv: bool = True) -> list:
  """``[u, s, vh]`` (or ``[s]`` without ``compute_uv``) with ``x = u diag(s) vh``.

  Singular values are descending. Derivatives of ``u`` and ``vh`` need distinct
  nonzero singular values and, for non-square ``x``, ``full_matrices=False``.

  >>> svd(np.array([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
  [array([4., 3.])]
  """
  _svd_abstract_eval(get_aval(x), full_matrices=full_matrices, compute_uv=compute_uv)
  return svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))


# -- qr -----------------------------------------------------------------------------------

def _qr_abstract_eval(a, *, full_matrices):
  check_matrix("qr", a, square=False)
  *batch, m, n = a.shape
  k = m if full_matrices else min(m, n)
  return [ShapedArray(tuple(batch) + (m, k), a.dtype), ShapedArray(tuple(batch) + (k, n), a.dtype)]


def _qr_tall_jvp(q, r, t):
  # m >= n, reduced: with C = Qᴴ Ȧ R⁻¹ and Ω = tril(C, -1) - tril(C, -1)ᴴ (skew-Hermitian;
  # for complex values plus i Im(diag C), which keeps diag(R) real),
  # Q̇ = Q (Ω - C) + Ȧ R⁻¹ and Ṙ = (C - Ω) R, which is upper triangular.
  t_rinv = triangular_solve(r, t, left_side=False, lower=False)
  c = matmul(mH(q), t_rinv)
  low = tril(c, -1)
  omega = ew.sub(low, mH(low))
  if get_aval(c).dtype.kind == "c":
    omega = ew.add(omega, ew.mul(ew.sub(c, as_dtype_of(ew.real(c), c)), eye_like(c)))
  return ew.add(matmul(q, ew.sub(omega, c)), t_rinv), matmul(ew.sub(c, omega), r)


def _qr_jvp(primals, tangents, *, full_matrices):
  (a,), (t,) = primals, tangents
  m, n = get_aval(a).shape[-2:]
  if full_matrices and m > n:
    raise NotImplementedError(
        f"qr: the derivative of Q in mode='complete' is not defined for a tall ({m}x{n}) "
        "matrix: its last columns are an arbitrary basis. Use mode='reduced'.")
  q, r = qr_p.bind(a, full_matrices=full_matrices)
  if m >= n:
    return [q, r], list(_qr_tall_jvp(q, r, t))
  # Wide A = [X Y] with X square: Q R_X = X, and the rest of R is Qᵀ Y.
  x_part = lambda z: shapes.slice_in_dim(z, 0, m, axis=-1)  # noqa: E731
  y_part = lambda z: shapes.slice_in_dim(z, m, n, axis=-1)  # noqa: E731
  dq, dr_x = _qr_tall_jvp(q, x_part(r), x_part(t))
  dr_y = ew.add(matmul(mH(dq), y_part(a)), matmul(mH(q), y_part(t)))
  return [q, r], [dq, shapes.concatenate([dr_x, dr_y], get_aval(r).ndim - 1)]


qr_p = Primitive("qr", multiple_results=True,
                 impl=lambda a, *, full_matrices: list(
                     np.linalg.qr(a, mode="complete" if full_matrices else "reduced")),
                 abstract_eval=_qr_abstract_eval)
qr_p.def_jvp(_qr_jvp, symbolic_zeros=True)
batch_leading(qr_p)


def qr(x, full_matrices: bool = False) -> list:
  """``[q, r]`` with ``x = q r``, ``q`` orthonormal columns and ``r`` upper triangular.

  ``full_matrices=True`` is NumPy's ``mode='complete'``. Signs are NumPy's
  (LAPACK's); the derivative is that of this factorization.

  >>> q, r = qr(np.array([[3.0], [4.0]]))
  >>> q.shape, r.shape
  ((2, 1), (1, 1))
  """
  _qr_abstract_eval(get_aval(x), full_matrices=full_matrices)
  return qr_p.bind(x, full_matrices=bool(full_matrices))
