"""Matrix functions: expm, expm_frechet, sqrtm.

Values are SciPy's. ``expm``'s derivative is the Fréchet derivative
``L(A, E)``, computed with the block-triangular identity
``expm([[A, E], [0, A]]) = [[expm(A), L(A, E)], [0, expm(A)]]``; its gradient is
``L(Aᵀ, G)``, so ``grad`` costs one ``2n x 2n`` exponential. ``sqrtm``'s derivative
solves the Sylvester equation ``X Ẋ + Ẋ X = Ȧ``; at a singular matrix it is
``nan`` (as in JAX).

>>> import numpy as np, vjpkit
>>> vjpkit.grad(lambda a: expm(a)[0, 1])(np.zeros((2, 2)))
array([[0., 0.],
       [1., 0.]])
"""
from __future__ import annotations

from typing import Any

from ... import lax
from ._args import matrix_arg, same_dtype

Array = Any

__all__ = ["expm", "expm_frechet", "sqrtm"]


def expm(A: Array, *, upper_triangular: bool = False, max_squarings: int = 16) -> Array:
  """The matrix exponential of square matrices ``(..., n, n)`` (SciPy's algorithm and values;
  JAX's keyword arguments ``upper_triangular`` and ``max_squarings`` are accepted and have no
  effect).

  >>> expm([[0.0, 1.0], [0.0, 0.0]])
  array([[1., 1.],
         [0., 1.]])
  """
  del upper_triangular, max_squarings
  return lax.expm(matrix_arg(A, "expm", "A"))


def expm_frechet(A: Array, E: Array, method: str | None = None, compute_expm: bool = True,
                 check_finite: bool = True):
  """``(expm(A), L(A, E))``, or ``L(A, E)`` alone without ``compute_expm``: the Fréchet
  derivative of ``expm`` at ``A`` in the direction ``E`` (``method`` is accepted and ignored:
  the block-triangular identity is used).

  >>> expm_frechet([[0.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]], compute_expm=False)
  array([[0., 1.],
         [0., 0.]])
  """
  del method, check_finite
  A, E = same_dtype(matrix_arg(A, "expm_frechet", "A"), matrix_arg(E, "expm_frechet", "E"))
  if A.shape != E.shape:
    raise ValueError(f"vjpkit.scipy.linalg.expm_frechet: 'A' {A.shape} and 'E' {E.shape} must "
                     "have the same shape")
  frechet = lax.expm_frechet(A, E)
  return (lax.expm(A), frechet) if compute_expm else frechet


def sqrtm(A: Array) -> Array:
  """The principal square root of square matrices without eigenvalues on the closed negative
  real axis. A matrix whose root is complex raises ``ValueError`` (real results only); the
  derivative at a singular matrix is ``nan``.

  >>> sqrtm([[4.0, 0.0], [0.0, 9.0]])
  array([[2., 0.],
         [0., 3.]])
  """
  return lax.sqrtm(matrix_arg(A, "sqrtm", "A"))
