"""LU factorization with partial pivoting: lu, lu_factor, lu_solve.

The factors come from LAPACK's getrf (``vjpkit.lax.lu``), with the derivative
``L̇ = L tril(X, -1)``, ``U̇ = triu(X) U`` for ``X = L⁻¹ P Ȧ U⁻¹`` (the pivots are
locally constant). ``lu_solve`` solves with the stored factors in O(n²) per
right-hand side, and so do its gradients (square matrices; ``lu`` and ``lu_factor`` take
any ``m x n``).

>>> import numpy as np, vjpkit
>>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> vjpkit.grad(lambda a: lu_solve(lu_factor(a), np.ones(2)).sum())(a)   # -(a⁻ᵀ 1) xᵀ
array([[-0.5,  0.5],
       [ 0.5, -0.5]])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import lax
from ...core.avals import get_aval
from ...lax._matrix import permutation_matrix
from ...numpy.arrayapi import matrix_transpose
from ...numpy.matrices import tril, triu
from ...numpy.products import matmul
from ...numpy.sorting import argsort
from ._args import factor_pair, matrix_arg, rhs_arg, unvector

Array = Any

__all__ = ["lu", "lu_factor", "lu_solve"]

_TRANS = {0: 0, 1: 1, 2: 1}


def lu(a: Array, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True,
       p_indices: bool = False) -> tuple:
  """``(p, l, u)`` with ``a = p @ l @ u`` for ``(..., m, n)`` matrices: ``p`` an ``m x m``
  permutation matrix, ``l`` unit lower ``m x k`` and ``u`` upper ``k x n`` triangular
  (``k = min(m, n)``). ``permute_l=True`` returns ``(p @ l, u)``; ``p_indices=True`` returns ``p``
  as row indices (``a = l[p] @ u``).

  >>> p, l, u = lu([[1.0, 2.0], [3.0, 4.0]])
  >>> p, u
  (array([[0., 1.],
         [1., 0.]]), array([[3.        , 4.        ],
         [0.        , 0.66666667]]))
  """
  del overwrite_a, check_finite
  a = matrix_arg(a, "lu", square=False)
  m, n = get_aval(a).shape[-2:]
  k = min(m, n)
  packed, _, perm = lax.lu(a)
  low = tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=get_aval(a).dtype)
  up = triu(packed[..., :k, :])
  p = matrix_transpose(permutation_matrix(perm, get_aval(a).dtype))
  if permute_l:
    return matmul(p, low), up
  if p_indices:
    return lax.convert_element_type(argsort(perm, axis=-1), np.dtype(np.int32)), low, up
  return p, low, up


def lu_factor(a: Array, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
  """``(lu, piv)``: the packed factors (``l`` below the diagonal, ``u`` on and above it) and
  LAPACK's 0-based row interchanges (int32), for :func:`lu_solve` (square matrices).

  >>> lu_factor([[1.0, 2.0], [3.0, 4.0]])
  (array([[3.        , 4.        ],
         [0.33333333, 0.66666667]]), array([1, 1], dtype=int32))
  """
  del overwrite_a, check_finite
  packed, piv, _ = lax.lu(matrix_arg(a, "lu_factor", square=False))
  return packed, piv


def lu_solve(lu_and_piv: tuple, b: Array, trans: int = 0, overwrite_b: bool = False,
             check_finite: bool = True) -> Array:
  """The solution of ``a x = b`` (``trans=0``) or ``aᵀ x = b`` (``1``, or ``2`` for real
  matrices) from ``(lu, piv) = lu_factor(a)``. ``b`` is a vector when it has one dimension
  less than ``lu``; batch dimensions broadcast.

  >>> lu_solve(lu_factor([[1.0, 2.0], [3.0, 4.0]]), [5.0, 11.0])
  array([1., 2.])
  """
  del overwrite_b, check_finite
  if trans not in _TRANS:
    raise ValueError(f"vjpkit.scipy.linalg.lu_solve: trans must be 0, 1 or 2, got {trans!r}")
  packed, piv = factor_pair(lu_and_piv, "lu_solve", "(lu, piv)", "lu_factor")
  packed = matrix_arg(packed, "lu_solve", "lu")
  perm = lax.lu_pivots_to_permutation(piv, get_aval(packed).shape[-1])
  packed, b, vector = rhs_arg(packed, b, "lu_solve")
  batch = get_aval(b).shape[:-2]
  perm = lax.broadcast_in_dim(perm, batch + get_aval(perm).shape[-1:],
                              tuple(range(len(batch) - get_aval(perm).ndim + 1, len(batch) + 1)))
  return unvector(lax.lu_solve(packed, perm, b, trans=_TRANS[trans]), vector)
