"""positive_definite_solve: ``A X = B`` for symmetric positive definite ``A``, by Cholesky.

Only the lower triangle of ``A`` is read (the symmetric matrix it defines is the
one solved with). The derivative factorizes ``A`` once and solves with the
factor ``L``, forward and backward: ``ẋ = A⁻¹ (ḃ - Ȧ x)`` is two O(n²) triangular
solves per right-hand side, whose transposes are again triangular solves with
``L``, so the gradient with respect to ``A`` costs O(n² k), not the O(n³) of
differentiating through the factor.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero
from . import elementwise as ew
from ._matrix import batch_leading, check_real_matrix, each_matrix, matmul, scipy_linalg
from .decompositions import _read_triangle, cholesky
from .solves import _check_pair, triangular_solve


def _abstract_eval(a, b):
  check_real_matrix("positive_definite_solve", a)
  _check_pair("positive_definite_solve", a, b, b.ndim >= 2 and b.shape[-2] == a.shape[-1])
  return b


def _impl(a, b):
  a, b = np.asarray(a), np.asarray(b)
  if a.shape[-1] == 0:
    return b.copy()
  try:
    sl = scipy_linalg("positive_definite_solve")
  except ImportError:  # pragma: no cover - scipy is in the test extras
    return np.linalg.solve(_symmetric_lower(a), b)
  solve = lambda a, b: sl.cho_solve(  # noqa: E731
      sl.cho_factor(a, lower=True, check_finite=False), b, check_finite=False)
  return np.asarray(each_matrix(solve, a, b), b.dtype)


def _symmetric_lower(a):  # pragma: no cover - without SciPy
  low = np.tril(a)
  return low + np.swapaxes(np.tril(a, -1), -1, -2)


def _apply(chol, b):
  """``(L Lᵀ)⁻¹ b``: two triangular solves with the factor."""
  y = triangular_solve(chol, b, left_side=True, lower=True)
  return triangular_solve(chol, y, left_side=True, lower=True, transpose_a=True)


def _jvp(primals, tangents):
  (a, b), (ta, tb) = primals, tangents
  chol = cholesky(a, symmetrize_input=False)
  x = _apply(chol, b)
  if type(ta) is Zero and type(tb) is Zero:
    return x, Zero.like(x)
  if type(ta) is Zero:
    return x, _apply(chol, tb)
  a_dot_x = matmul(_read_triangle(ta, lower=True), x)
  rhs = ew.neg(a_dot_x) if type(tb) is Zero else ew.sub(tb, a_dot_x)
  return x, _apply(chol, rhs)


positive_definite_solve_p = Primitive("positive_definite_solve", impl=_impl,
                                      abstract_eval=_abstract_eval)
positive_definite_solve_p.def_jvp(_jvp, symbolic_zeros=True)
batch_leading(positive_definite_solve_p)


def positive_definite_solve(a, b):
  """``A⁻¹ B`` for symmetric positive definite ``a (..., n, n)`` (its lower triangle is read)
  and ``b (..., n, k)`` with the same batch shape, by one Cholesky factorization; a matrix
  that is not positive definite raises ``LinAlgError``.

  >>> positive_definite_solve(np.array([[4.0, 0.0], [2.0, 5.0]]), np.array([[6.0], [7.0]]))
  array([[1.],
         [1.]])
  """
  _abstract_eval(get_aval(a), get_aval(b))
  return positive_definite_solve_p.bind(a, b)
