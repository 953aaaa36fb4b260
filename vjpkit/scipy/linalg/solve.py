"""Linear systems, inverses and determinants: solve, inv, det, solve_sylvester.

``solve`` picks the factorization by ``assume_a``: LU for general (and, on the
symmetric matrix read from one triangle, symmetric) matrices, Cholesky for
positive definite ones. Its derivatives solve with the factors of that one
factorization: ``ẋ = A⁻¹ (ḃ - Ȧ x)`` and the cotangent solve with ``Aᵀ``, O(n² k)
for ``k`` right-hand sides.

>>> import numpy as np, vjpkit
>>> a = np.array([[3.0, 1.0], [1.0, 2.0]])
>>> vjpkit.grad(lambda b: solve(a, b, assume_a="pos").sum())(np.ones(2))   # inv(a).T @ 1
array([0.2, 0.4])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import lax
from ...core.avals import get_aval
from ...lax._matrix import eye_like
from ...numpy.arrayapi import matrix_transpose
from ...numpy.linalg import det as _det
from ...numpy.matrices import diagonal, tril, triu
from ...numpy.shapes import broadcast_to, expand_dims
from ._args import matrix_arg, rhs_arg, same_dtype, unvector

Array = Any

__all__ = ["det", "inv", "solve", "solve_sylvester"]

_KINDS = {None: "gen", "gen": "gen", "general": "gen", "sym": "sym", "symmetric": "sym",
          "her": "sym", "hermitian": "sym", "pos": "pos", "positive definite": "pos",
          "diagonal": "diagonal", "upper triangular": "upper", "lower triangular": "lower"}


def _symmetric_from(a, lower: bool):
  """The symmetric matrix whose ``lower`` (or upper) triangle is that of ``a``."""
  if lower:
    return tril(a) + matrix_transpose(tril(a, -1))
  return triu(a) + matrix_transpose(triu(a, 1))


def solve(a: Array, b: Array, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: str | None = None,
          transposed: bool = False) -> Array:
  """The solution ``x`` of ``a x = b`` (``aᵀ x = b`` if ``transposed``).

  ``assume_a``: ``'gen'`` (default; LU), ``'sym'``/``'her'`` (the symmetric matrix of the
  ``lower`` or, by default, upper triangle; LU), ``'pos'`` (Cholesky of that triangle),
  ``'diagonal'``, ``'upper triangular'``, ``'lower triangular'``. ``b`` is a vector when it
  has one dimension less than ``a``; batch dimensions broadcast. A singular ``a`` raises
  ``LinAlgError`` (LU) or gives ``inf``/``nan`` (triangular and diagonal solves).

  >>> solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])
  array([2., 3.])
  """
  del overwrite_a, overwrite_b, check_finite
  if assume_a not in _KINDS:
    raise ValueError(f"vjpkit.scipy.linalg.solve: assume_a={assume_a!r} is not supported; use "
                     f"one of {sorted(k for k in _KINDS if k)} ('tridiagonal' and 'banded' "
                     "are not implemented: pass the full matrix with 'gen')")
  kind = _KINDS[assume_a]
  a = matrix_arg(a, "solve")
  a, b, vector = rhs_arg(a, b, "solve")
  lower = bool(lower)
  if kind == "gen":
    x = lax.solve(matrix_transpose(a) if transposed else a, b)
  elif kind == "sym":
    x = lax.solve(_symmetric_from(a, lower), b)
  elif kind == "pos":
    x = lax.positive_definite_solve(a if lower else matrix_transpose(a), b)
  elif kind == "diagonal":
    x = b / expand_dims(diagonal(a, axis1=-2, axis2=-1), -1)
  else:
    x = lax.triangular_solve(a, b, left_side=True, lower=kind == "lower",
                             transpose_a=bool(transposed))
  return unvector(x, vector)


def inv(a: Array, overwrite_a: bool = False, check_finite: bool = True) -> Array:
  """The inverse of square matrices (a solve with the identity; LU). A singular matrix raises
  ``LinAlgError``.

  >>> inv([[2.0, 0.0], [0.0, 4.0]])
  array([[0.5 , 0.  ],
         [0.  , 0.25]])
  """
  del overwrite_a, check_finite
  a = matrix_arg(a, "inv")
  return lax.solve(a, eye_like(a))


def det(a: Array, overwrite_a: bool = False, check_finite: bool = True) -> Array:
  """The determinant of square matrices (from the LU factorization); its gradient is
  ``det(a) inv(a)ᵀ``, which raises ``LinAlgError`` at an exactly singular matrix.

  >>> det([[1.0, 2.0], [3.0, 4.0]])
  np.float64(-2.0000000000000004)
  """
  del overwrite_a, check_finite
  return _det(matrix_arg(a, "det"))


def solve_sylvester(a: Array, b: Array, q: Array) -> Array:
  """The solution ``x`` of ``a x + x b = q`` (Bartels-Stewart), unique when ``a`` and ``-b``
  share no eigenvalue. Differentiable in all three arguments (each derivative is another
  Sylvester equation with the same ``a`` and ``b``).

  >>> solve_sylvester([[1.0, 0.0], [0.0, 2.0]], [[3.0]], [[4.0], [10.0]])
  array([[1.],
         [2.]])
  """
  a = matrix_arg(a, "solve_sylvester")
  b = matrix_arg(b, "solve_sylvester", "b")
  q = matrix_arg(q, "solve_sylvester", "q", square=False)
  a, b, q = same_dtype(a, b, q)
  sa, sb, sq = (get_aval(x).shape for x in (a, b, q))
  if sq[-2:] != (sa[-1], sb[-1]):
    raise ValueError(f"vjpkit.scipy.linalg.solve_sylvester: 'q' must have shape (..., "
                     f"{sa[-1]}, {sb[-1]}) for 'a' of shape {sa} and 'b' of shape {sb}, got {sq}")
  batch = np.broadcast_shapes(sa[:-2], sb[:-2], sq[:-2])
  a, b, q = (broadcast_to(x, batch + s[-2:]) for x, s in ((a, sa), (b, sb), (q, sq)))
  return lax.solve_sylvester(a, b, q)
