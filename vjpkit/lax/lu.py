"""LU factorization with partial pivoting, and solving with the stored factors.

``lu(a)`` returns ``[lu, pivots, permutation]`` as JAX does: ``lu`` holds the
unit lower factor ``L`` below its diagonal and ``U`` on and above it, with
``a[..., permutation, :] = L U``; ``pivots`` are LAPACK's row interchanges
(0-based, int32, as ``scipy.linalg.lu_factor`` returns them). ``lu_solve``
solves ``a x = b`` (or ``aᵀ x = b``) with the factors in O(n²) per right-hand
side; it is linear in ``b`` and its transpose is the solve with the other
``trans``, so reverse mode reuses the same factors instead of factorizing again.
``lu`` takes any ``m x n`` matrix, ``lu_solve`` square ones.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, is_undef
from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from . import shapes
from ._matrix import (batch_leading, check_matrix, each_matrix, matmul, mT, permutation_matrix,
                      scipy_linalg, tril, triu, trsm, unit_lower)
from .solves import triangular_solve

_INT = np.dtype(np.int32)


def _permutation(piv: np.ndarray, size: int) -> np.ndarray:
  """The row permutation of ``size`` rows that LAPACK's interchanges ``piv`` (last axis) apply,
  as indices."""
  perm = np.broadcast_to(np.arange(size, dtype=_INT), piv.shape[:-1] + (size,)).copy()
  for idx in np.ndindex(*piv.shape[:-1]):
    p, row = perm[idx], piv[idx]
    for i in range(row.shape[0]):
      j = int(row[i])
      p[i], p[j] = p[j], p[i]
  return perm


# -- lu ----------------------------------------------------------------------------

def _lu_abstract_eval(a):
  check_matrix("lu", a, square=False)
  m, n = a.shape[-2:]
  return [a, ShapedArray(a.shape[:-2] + (min(m, n),), _INT), ShapedArray(a.shape[:-1], _INT)]


def _getrf(m: np.ndarray):
  """LAPACK's ``getrf`` in NumPy (used without SciPy): packed factors and 0-based pivots."""
  lu = m.astype(m.dtype, copy=True)
  k_max = min(m.shape)
  piv = np.zeros(k_max, _INT)
  for k in range(k_max):
    p = k + int(np.argmax(np.abs(lu[k:, k])))
    piv[k] = p
    if p != k:
      lu[[k, p]] = lu[[p, k]]
    if lu[k, k] != 0:
      lu[k + 1:, k] /= lu[k, k]
    lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
  return lu, piv


def _lu_impl(a):
  a = np.asarray(a)
  try:
    sl = scipy_linalg("lu")

    def factor(m):
      # A singular matrix has a zero on U's diagonal; solves with it raise LinAlgError, so
      # SciPy's warning about it is left out (as in JAX).
      with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.LinAlgWarning)
        return sl.lu_factor(m, check_finite=False)
  except ImportError:  # pragma: no cover - scipy is in the test extras
    factor = _getrf
  m, n = a.shape[-2:]
  if m == 0 or n == 0:
    lu, piv = a.copy(), np.zeros(a.shape[:-2] + (0,), _INT)
  else:
    lu, piv = each_matrix(factor, a)
  piv = np.asarray(piv, _INT)
  return [np.asarray(lu, a.dtype), piv, _permutation(piv, m)]


def _padded_factors(lu):
  """``(L, U)`` as square ``m x m`` and ``n x n`` triangular matrices from the packed factors of
  an ``m x n`` matrix: L's columns beyond ``k = min(m, n)`` and U's rows beyond ``k`` are
  those of the identity (JAX's construction), so both are invertible."""
  aval = get_aval(lu)
  m, n = aval.shape[-2:]
  k, nd = min(m, n), aval.ndim
  if m == n:
    return unit_lower(lu), triu(lu)
  eye = lambda size: np.broadcast_to(np.eye(size, dtype=aval.dtype), aval.shape[:-2] + (size, size))  # noqa: E731
  low = tril(shapes.slice_in_dim(lu, 0, k, axis=nd - 1), -1)
  low = ew.add(shapes.pad(low, np.zeros((), aval.dtype)[()], [(0, 0, 0)] * (nd - 1) + [(0, m - k, 0)]),
               eye(m))
  up = triu(shapes.slice_in_dim(lu, 0, k, axis=nd - 2))
  corner = np.zeros((n, n), aval.dtype)
  corner[k:, k:] = np.eye(n - k, dtype=aval.dtype)
  up = ew.add(shapes.pad(up, np.zeros((), aval.dtype)[()],
                         [(0, 0, 0)] * (nd - 2) + [(0, n - k, 0), (0, 0, 0)]),
              np.broadcast_to(corner, aval.shape[:-2] + (n, n)))
  return low, up


def _lu_jvp(primals, tangents):
  # P A = L U gives P Ȧ = L̇ U + L U̇; with X = L⁻¹ P Ȧ U⁻¹, L̇ = L tril(X, -1), U̇ = triu(X) U
  # (strictly lower times upper, unit diagonal kept). The pivots are locally constant.
  (a,), (t,) = primals, tangents
  lu, piv, perm = lu_p.bind(a)
  dtype = get_aval(a).dtype
  if type(t) is Zero:
    return [lu, piv, perm], [Zero.like(lu), Zero.like(piv), Zero.like(perm)]
  low, up = _padded_factors(lu)
  x = matmul(permutation_matrix(perm, dtype), t)
  x = triangular_solve(low, x, left_side=True, lower=True, unit_diagonal=True)
  x = triangular_solve(up, x, left_side=False, lower=False)
  dlu = ew.add(matmul(low, tril(x, -1)), matmul(triu(x), up))
  return [lu, piv, perm], [dlu, Zero.like(piv), Zero.like(perm)]


lu_p = Primitive("lu", multiple_results=True, impl=_lu_impl, abstract_eval=_lu_abstract_eval)
lu_p.def_jvp(_lu_jvp, symbolic_zeros=True)
batch_leading(lu_p)


def lu(x) -> list:
  """``[lu, pivots, permutation]``: the LU factorization with partial pivoting of ``m x n``
  matrices (``x[..., permutation, :] = L U``, ``L`` unit lower ``m x k`` and ``U`` upper
  ``k x n`` for ``k = min(m, n)``; LAPACK's ``getrf``, as ``scipy.linalg.lu_factor``).

  >>> lu_, pivots, perm = lu(np.array([[1.0, 2.0], [3.0, 4.0]]))
  >>> lu_, pivots, perm
  (array([[3.        , 4.        ],
         [0.33333333, 0.66666667]]), array([1, 1], dtype=int32), array([1, 0], dtype=int32))
  """
  _lu_abstract_eval(get_aval(x))
  return lu_p.bind(x)


# -- lu_pivots_to_permutation -------------------------------------------------------

def _pivots_abstract_eval(piv, *, permutation_size):
  if piv.dtype.kind not in "iu" or piv.ndim < 1 or permutation_size < piv.shape[-1]:
    raise TypeError(f"lu_pivots_to_permutation: the pivots must be an integer array of at "
                    f"least one dimension, and permutation_size at least their number; got "
                    f"{piv.str_short()} and permutation_size={permutation_size}")
  return ShapedArray(piv.shape[:-1] + (permutation_size,), _INT)


lu_pivots_to_permutation_p = Primitive(
    "lu_pivots_to_permutation", impl=lambda piv, *, permutation_size: _permutation(
        np.asarray(piv), permutation_size),
    abstract_eval=_pivots_abstract_eval)
defjvp_zero(lu_pivots_to_permutation_p)
batch_leading(lu_pivots_to_permutation_p)


def lu_pivots_to_permutation(pivots, permutation_size: int | None = None):
  """The permutation (indices, int32) of ``permutation_size`` rows (by default, as many as
  there are pivots) that LAPACK's row interchanges ``pivots`` apply.

  >>> lu_pivots_to_permutation(np.array([2, 2, 2], np.int32))
  array([2, 0, 1], dtype=int32)
  """
  size = get_aval(pivots).shape[-1] if permutation_size is None else int(permutation_size)
  _pivots_abstract_eval(get_aval(pivots), permutation_size=size)
  return lu_pivots_to_permutation_p.bind(pivots, permutation_size=size)


# -- lu_solve ------------------------------------------------------------------------

def _lu_solve_abstract_eval(lu, perm, b, *, trans):
  check_matrix("lu_solve", lu, name="lu")
  n = lu.shape[-1]
  if (perm.dtype.kind not in "iu" or perm.shape != lu.shape[:-1] or b.dtype != lu.dtype
      or b.ndim != lu.ndim or b.shape[:-2] != lu.shape[:-2] or b.shape[-2] != n):
    raise TypeError(f"lu_solve: cannot solve with factors {lu.str_short()}, permutation "
                    f"{perm.str_short()} and right-hand side {b.str_short()} (an integer "
                    "permutation per matrix, equal dtypes and batch dimensions, and b with "
                    f"{n} rows are needed)")
  return b


def _triangular_numpy(a, b, trans, lower, unit_diagonal):  # pragma: no cover - no SciPy
  a = np.tril(a, -1 if unit_diagonal else 0) if lower else np.triu(a)
  if unit_diagonal:
    a = a + np.eye(a.shape[-1], dtype=a.dtype)
  return np.linalg.solve(a.T if trans else a, b)


def _lu_solve_impl(lu, perm, b, *, trans):
  lu, perm, b = np.asarray(lu), np.asarray(perm), np.asarray(b)
  try:
    scipy_linalg("lu_solve")
    have_scipy = True
  except ImportError:  # pragma: no cover - scipy is in the test extras
    have_scipy = False

  def tri(a, y, t, lower):
    if not have_scipy:  # pragma: no cover
      return _triangular_numpy(a, y, t, lower, lower)
    return trsm(a, y, lower=lower, trans=t, unit_diagonal=lower)

  def one(lu, perm, b):
    if trans == 0:  # A = Pᵀ L U: x = U⁻¹ L⁻¹ b[perm]
      return tri(lu, tri(lu, b[perm], 0, True), 0, False)
    x = np.empty_like(b)  # Aᵀ = Uᵀ Lᵀ P: x[perm] = L⁻ᵀ U⁻ᵀ b
    x[perm] = tri(lu, tri(lu, b, 1, False), 1, True)
    return x
  if lu.shape[-1] == 0:
    return b.copy()
  return np.asarray(each_matrix(one, lu, perm, b, core_ndims=(2, 1, 2)), b.dtype)


def _lu_solve_jvp_lu(t, x, lu, perm, b, *, trans):
  # With A = Pᵀ L U and Ȧ = Pᵀ (L̇ U + L U̇) (L̇ the strict lower, U̇ the upper part of the
  # tangent of the packed factors): ẋ = -A⁻¹ Ȧ x, or -A⁻ᵀ Ȧᵀ x for the transposed solve.
  low, up = unit_lower(lu), triu(lu)
  dl, du = tril(t, -1), triu(t)
  pmat = permutation_matrix(perm, get_aval(lu).dtype)
  if trans == 0:
    rhs = matmul(mT(pmat), ew.add(matmul(dl, matmul(up, x)), matmul(low, matmul(du, x))))
  else:
    px = matmul(pmat, x)
    rhs = ew.add(matmul(mT(up), matmul(mT(dl), px)), matmul(mT(du), matmul(mT(low), px)))
  return ew.neg(lu_solve(lu, perm, rhs, trans=trans))


def _lu_solve_transpose(ct, lu, perm, b, *, trans):
  if is_undef(lu) or is_undef(perm):
    raise ValueError("lu_solve is not linear in its factors")
  if type(ct) is Zero:
    return [None, None, None]
  return [None, None, lu_solve(lu, perm, ct, trans=1 - trans)]


lu_solve_p = Primitive("lu_solve", impl=_lu_solve_impl, abstract_eval=_lu_solve_abstract_eval)
defjvp(lu_solve_p, _lu_solve_jvp_lu, None,
       lambda t, ans, lu, perm, b, *, trans: lu_solve_p.bind(lu, perm, t, trans=trans))
lu_solve_p.def_transpose(_lu_solve_transpose)
batch_leading(lu_solve_p)


def lu_solve(lu, permutation, b, trans: int = 0):
  """Solve ``a x = b`` (``trans=0``) or ``aᵀ x = b`` (``trans=1``) for matrices ``b (..., n, k)``
  from the factors of :func:`lu` (the packed ``lu`` and its ``permutation``).

  >>> lu_, _, perm = lu(np.array([[1.0, 2.0], [3.0, 4.0]]))
  >>> lu_solve(lu_, perm, np.array([[5.0], [11.0]]))
  array([[1.],
         [2.]])
  """
  if trans not in (0, 1):
    raise ValueError(f"lu_solve: trans must be 0 (a x = b) or 1 (aᵀ x = b) for real matrices, "
                     f"got {trans!r}")
  _lu_solve_abstract_eval(get_aval(lu), get_aval(permutation), get_aval(b), trans=trans)
  return lu_solve_p.bind(lu, permutation, b, trans=int(trans))
