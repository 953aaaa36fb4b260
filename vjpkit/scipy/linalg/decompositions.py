"""Decompositions: eigh, eigvalsh, svd, svdvals, qr, schur, hessenberg, polar.

``eigh`` reads one triangle of its matrix (the lower by default), as SciPy does;
derivatives of eigenvectors and singular vectors need distinct eigenvalues and
singular values (``inf``/``nan`` otherwise, as in JAX), and their signs are
LAPACK's, so only sign-invariant functions of them have meaningful derivatives.
``schur`` and ``hessenberg`` have no derivatives (their factors are not unique;
as in JAX): differentiating them raises an error.

>>> import numpy as np, vjpkit
>>> a = np.array([[2.0, 1.0], [1.0, 2.0]])
>>> vjpkit.grad(lambda a: eigh(a, eigvals_only=True)[-1])(a)   # v vᵀ, lower triangle
array([[0.5, 0. ],
       [1. , 0.5]])
"""
from __future__ import annotations

import operator
from typing import Any

from ... import lax
from ...core.avals import get_aval
from ...numpy import linalg as _nla
from ...numpy.arrayapi import matrix_transpose
from ...numpy.matrices import tril, triu
from ...numpy.shapes import pad
from ._args import matrix_arg, same_dtype

Array = Any

__all__ = ["eigh", "eigvalsh", "hessenberg", "polar", "qr", "schur", "svd", "svdvals"]


def _read_triangle(a, lower: bool):
  if lower:
    return tril(a) + matrix_transpose(tril(a, -1))
  return triu(a) + matrix_transpose(triu(a, 1))


def _subset(n: int, subset_by_index) -> tuple[int, int]:
  try:
    lo, hi = (operator.index(i) for i in subset_by_index)
  except (TypeError, ValueError):
    raise ValueError("vjpkit.scipy.linalg.eigh: subset_by_index must be a pair of integers "
                     f"(first, last), got {subset_by_index!r}") from None
  if not 0 <= lo <= hi < n:
    raise ValueError(f"vjpkit.scipy.linalg.eigh: subset_by_index {[lo, hi]} is out of range "
                     f"for a {n}x{n} matrix (0 <= first <= last <= {n - 1} is required)")
  return lo, hi + 1


def eigh(a: Array, b: Array | None = None, *, lower: bool = True, eigvals_only: bool = False,
         overwrite_a: bool = False, overwrite_b: bool = False, type: int = 1,
         check_finite: bool = True, subset_by_index=None, subset_by_value=None,
         driver: str | None = None):
  """Eigenvalues ``w`` (ascending) and eigenvectors ``v`` (columns) of symmetric ``a``: ``w``
  alone if ``eigvals_only``, else ``(w, v)``. Only the ``lower`` (or upper) triangle of ``a``
  (and ``b``) is read.

  With ``b`` (symmetric positive definite), the generalized problem ``a v = w b v`` (``type=1``)
  is solved through the Cholesky factor of ``b``; ``v`` is then ``b``-orthonormal.
  ``subset_by_index=(first, last)`` keeps eigenvalues ``first..last`` (inclusive).
  ``subset_by_value``, ``type`` 2 and 3 and ``driver`` are not supported.

  >>> eigh([[2.0, 1.0], [1.0, 2.0]], eigvals_only=True)
  array([1., 3.])
  """
  del overwrite_a, overwrite_b, check_finite
  if subset_by_value is not None:
    raise NotImplementedError("vjpkit.scipy.linalg.eigh: subset_by_value is not supported (the "
                              "number of eigenvalues would depend on the values); compute all "
                              "and select, or use subset_by_index")
  if type != 1:
    raise NotImplementedError(f"vjpkit.scipy.linalg.eigh: only type=1 (a v = w b v) is "
                              f"supported, got type={type!r}")
  if driver is not None:
    raise NotImplementedError("vjpkit.scipy.linalg.eigh: the driver argument is not supported "
                              "(LAPACK's syevd is used)")
  a = matrix_arg(a, "eigh")
  lower = bool(lower)
  if b is None:
    v, w = lax.eigh(a, lower=lower, symmetrize_input=False)
  else:
    b = matrix_arg(b, "eigh", "b")
    a, b = same_dtype(a, b)
    if get_aval(b).shape[-1] != get_aval(a).shape[-1]:
      raise ValueError(f"vjpkit.scipy.linalg.eigh: 'a' {get_aval(a).shape} and 'b' "
                       f"{get_aval(b).shape} must have the same size")
    chol = lax.cholesky(_read_triangle(b, lower), symmetrize_input=False)
    # C = L⁻¹ A L⁻ᵀ has the eigenvalues; its eigenvectors V give L⁻ᵀ V (b-orthonormal).
    c = lax.triangular_solve(chol, _read_triangle(a, lower), left_side=True, lower=True)
    c = lax.triangular_solve(chol, c, left_side=False, lower=True, transpose_a=True)
    v, w = lax.eigh(c, symmetrize_input=True)
    v = lax.triangular_solve(chol, v, left_side=True, lower=True, transpose_a=True)
  if subset_by_index is not None:
    lo, hi = _subset(get_aval(a).shape[-1], subset_by_index)
    w, v = w[..., lo:hi], v[..., lo:hi]
  return w if eigvals_only else (w, v)


def eigvalsh(a: Array, b: Array | None = None, *, lower: bool = True, overwrite_a: bool = False,
             overwrite_b: bool = False, type: int = 1, check_finite: bool = True,
             subset_by_index=None, subset_by_value=None, driver: str | None = None) -> Array:
  """The eigenvalues of :func:`eigh` alone, ascending.

  >>> eigvalsh([[2.0, 0.0], [0.0, -1.0]])
  array([-1.,  2.])
  """
  return eigh(a, b, lower=lower, eigvals_only=True, type=type, subset_by_index=subset_by_index,
              subset_by_value=subset_by_value, driver=driver)


def svd(a: Array, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
  """``(U, s, Vh)`` with ``a = U @ diag(s) @ Vh`` (singular values descending), or ``s`` alone
  without ``compute_uv``. Derivatives of ``U`` and ``Vh`` of non-square matrices need
  ``full_matrices=False``. ``lapack_driver`` is accepted and ignored.

  >>> svd([[0.0, 2.0], [1.0, 0.0]], compute_uv=False)
  array([2., 1.])
  """
  del overwrite_a, check_finite
  if lapack_driver not in ("gesdd", "gesvd"):
    raise ValueError(f"vjpkit.scipy.linalg.svd: lapack_driver must be 'gesdd' or 'gesvd', "
                     f"got {lapack_driver!r}")
  a = matrix_arg(a, "svd", square=False)
  out = _nla.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
  return tuple(out) if compute_uv else out


def svdvals(a: Array, overwrite_a: bool = False, check_finite: bool = True) -> Array:
  """The singular values, descending.

  >>> svdvals([[3.0, 0.0], [0.0, 4.0]])
  array([4., 3.])
  """
  return svd(a, compute_uv=False)


def qr(a: Array, overwrite_a: bool = False, lwork: int | None = None, mode: str = "full",
       pivoting: bool = False, check_finite: bool = True):
  """``(Q, R)`` with ``a = Q @ R``: ``mode='full'`` (``Q`` square), ``'economic'`` (reduced), or
  ``'r'``, which returns the 1-tuple ``(R,)`` of the full factorization, as SciPy does.

  Derivatives exist in every mode except ``Q`` of ``'full'`` for a tall matrix (its last
  columns are arbitrary); ``R`` of ``'r'`` is differentiable for every shape. ``pivoting``
  and ``mode='raw'`` are not supported.

  >>> qr([[3.0], [4.0]], mode="r")
  (array([[-5.],
         [ 0.]]),)
  """
  del overwrite_a, lwork, check_finite
  if pivoting:
    raise NotImplementedError("vjpkit.scipy.linalg.qr: pivoting=True is not supported")
  if mode not in ("full", "economic", "r"):
    raise ValueError(f"vjpkit.scipy.linalg.qr: mode must be 'full', 'economic' or 'r', got "
                     f"{mode!r} ('raw' Householder output is not supported)")
  a = matrix_arg(a, "qr", square=False)
  m, n = get_aval(a).shape[-2:]
  if mode == "r":  # the full R is the reduced one padded with zero rows: differentiable
    r = lax.qr(a, full_matrices=m <= n)[1]
    nd = get_aval(a).ndim
    return (pad(r, [(0, 0)] * (nd - 2) + [(0, max(m - n, 0)), (0, 0)]),)
  q, r = lax.qr(a, full_matrices=mode == "full")
  return q, r


def schur(a: Array, output: str = "real", lwork: int | None = None, overwrite_a: bool = False,
          sort=None, check_finite: bool = True):
  """``(T, Z)`` with ``a = Z T Zᵀ``: the real Schur form (``T`` quasi-upper-triangular with 1x1
  and 2x2 diagonal blocks, ``Z`` orthogonal). ``output='complex'`` and ``sort`` are not
  supported; there is no derivative (the factors are not unique).

  >>> t, z = schur([[1.0, 2.0], [0.0, 3.0]])
  >>> t
  array([[1., 2.],
         [0., 3.]])
  """
  del lwork, overwrite_a, check_finite
  if output not in ("real", "r"):
    raise NotImplementedError(f"vjpkit.scipy.linalg.schur: output={output!r} is not supported: "
                              "only the real Schur form (output='real')")
  if sort is not None:
    raise NotImplementedError("vjpkit.scipy.linalg.schur: sort is not supported")
  t, z = lax.schur(matrix_arg(a, "schur"))
  return t, z


def hessenberg(a: Array, calc_q: bool = False, overwrite_a: bool = False,
               check_finite: bool = True):
  """``H``, or ``(H, Q)`` with ``calc_q``, with ``a = Q H Qᵀ`` and ``H`` zero below its first
  subdiagonal. There is no derivative (the factors are not unique).

  >>> hessenberg([[1.0, 2.0], [3.0, 4.0]])
  array([[1., 2.],
         [3., 4.]])
  """
  del overwrite_a, check_finite
  h, q = lax.hessenberg(matrix_arg(a, "hessenberg"))
  return (h, q) if calc_q else h


def polar(a: Array, side: str = "right"):
  """``(u, p)`` with ``a = u p`` (``side='right'``) or ``a = p u`` (``'left'``): ``u`` with
  orthonormal columns (or rows) and ``p`` symmetric positive semidefinite.

  Differentiable where ``p`` is nonsingular: for ``side='right'`` matrices of full column
  rank (``m >= n``), for ``'left'`` of full row rank (``m <= n``); at a rank-deficient matrix
  the derivative is ``nan``.

  >>> u, p = polar([[0.0, 2.0], [3.0, 0.0]])
  >>> p
  array([[3., 0.],
         [0., 2.]])
  """
  if side not in ("right", "left"):
    raise ValueError(f"vjpkit.scipy.linalg.polar: side must be 'right' or 'left', got {side!r}")
  a = matrix_arg(a, "polar", square=False)
  if side == "right":
    u, p = lax.polar(a)
    return u, p
  u, p = lax.polar(matrix_transpose(a))  # aᵀ = u' p' gives a = p' u'ᵀ
  return matrix_transpose(u), p
