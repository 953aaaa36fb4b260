"""Cholesky factorization and solves with its factor: cholesky, cho_factor, cho_solve.

Like SciPy, each function reads one triangle of its matrix argument (the upper
one by default), so derivatives flow to that triangle only. The factor's
derivative is ``L̇ = L Φ(L⁻¹ Ȧ L⁻ᵀ)`` (``vjpkit.lax.cholesky``); ``cho_solve`` is two
O(n²) triangular solves, whose gradients are triangular solves with the same
factor.

>>> import numpy as np, vjpkit
>>> a = np.array([[4.0, 2.0], [2.0, 3.0]])
>>> vjpkit.grad(lambda a: cho_solve(cho_factor(a), np.ones(2)).sum())(a)   # upper triangle
array([[-0.015625, -0.0625  ],
       [ 0.      , -0.0625  ]])
"""
from __future__ import annotations

from typing import Any

from ... import lax
from ...numpy.arrayapi import matrix_transpose
from ._args import factor_pair, matrix_arg, rhs_arg, unvector

Array = Any

__all__ = ["cho_factor", "cho_solve", "cholesky"]


def cholesky(a: Array, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Array:
  """The Cholesky factor of symmetric positive definite matrices: upper ``U`` with
  ``a = Uᵀ U`` (default), or lower ``L`` with ``a = L Lᵀ``. Only that triangle of ``a`` is
  read (no symmetrization, as in SciPy and in JAX's ``scipy.linalg``); a matrix that is not
  positive definite raises ``LinAlgError``.

  >>> cholesky([[4.0, 2.0], [2.0, 5.0]])
  array([[2., 1.],
         [0., 2.]])
  """
  del overwrite_a, check_finite
  a = matrix_arg(a, "cholesky")
  if lower:
    return lax.cholesky(a, symmetrize_input=False)
  return matrix_transpose(lax.cholesky(matrix_transpose(a), symmetrize_input=False))


def cho_factor(a: Array, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple[Array, bool]:
  """``(c, lower)`` for :func:`cho_solve`: ``c`` is the factor of :func:`cholesky`. SciPy leaves
  arbitrary values in the other triangle of ``c``; here they are zeros (as in JAX).

  >>> cho_factor([[4.0, 2.0], [2.0, 5.0]], lower=True)
  (array([[2., 0.],
         [1., 2.]]), True)
  """
  return cholesky(a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite), bool(lower)


def cho_solve(c_and_lower: tuple[Array, bool], b: Array, overwrite_b: bool = False,
              check_finite: bool = True) -> Array:
  """The solution of ``a x = b`` from ``(c, lower) = cho_factor(a)``; only the ``lower``
  (or upper) triangle of ``c`` is read. ``b`` is a vector when it has one dimension less
  than ``c``; batch dimensions broadcast.

  >>> cho_solve(cho_factor([[4.0, 2.0], [2.0, 5.0]]), [6.0, 7.0])
  array([1., 1.])
  """
  del overwrite_b, check_finite
  c, lower = factor_pair(c_and_lower, "cho_solve", "(c, lower)", "cho_factor")
  c = matrix_arg(c, "cho_solve", "c")
  c, b, vector = rhs_arg(c, b, "cho_solve")
  lower = bool(lower)
  # lower: L Lᵀ x = b; upper: Uᵀ U x = b. The first solve is with the transpose of U.
  y = lax.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower)
  x = lax.triangular_solve(c, y, left_side=True, lower=lower, transpose_a=lower)
  return unvector(x, vector)
