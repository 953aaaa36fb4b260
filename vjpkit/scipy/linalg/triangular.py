"""solve_triangular: an O(n²) triangular solve per right-hand side (BLAS trsm).

>>> import numpy as np, vjpkit
>>> a = np.array([[2.0, 0.0], [1.0, 1.0]])
>>> vjpkit.grad(lambda b: solve_triangular(a, b, lower=True).sum())(np.ones(2))
array([0., 1.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import lax
from ._args import matrix_arg, rhs_arg, unvector

Array = Any

__all__ = ["solve_triangular"]

_TRANS = {0: False, 1: True, 2: True, "N": False, "T": True, "C": True}


def solve_triangular(a: Array, b: Array, trans: int | str = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Array:
  """The solution ``x`` of ``a x = b`` (``trans=0``/``'N'``) or ``aᵀ x = b`` (``1``/``'T'``;
  ``2``/``'C'`` is the same for real matrices), reading only the ``lower`` (default: upper)
  triangle of ``a`` and taking its diagonal as ones if ``unit_diagonal``.

  ``b`` is a vector when it has one dimension less than ``a``; batch dimensions broadcast.
  ``overwrite_b`` and ``check_finite`` are accepted for SciPy compatibility and ignored.
  Gradients are triangular solves with the same matrix (its other triangle gets none).

  >>> solve_triangular([[2.0, 1.0], [0.0, 4.0]], [3.0, 4.0])
  array([1., 1.])
  """
  del overwrite_b, check_finite
  if not isinstance(trans, (int, str, np.integer)) or trans not in _TRANS:
    raise ValueError(f"vjpkit.scipy.linalg.solve_triangular: trans must be 0, 1, 2, 'N', 'T' "
                     f"or 'C', got {trans!r}")
  a = matrix_arg(a, "solve_triangular")
  a, b, vector = rhs_arg(a, b, "solve_triangular")
  x = lax.triangular_solve(a, b, left_side=True, lower=bool(lower), transpose_a=_TRANS[trans],
                           unit_diagonal=bool(unit_diagonal))
  return unvector(x, vector)
