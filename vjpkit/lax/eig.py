"""The general (non-symmetric) eigendecomposition: ``eig``, with its derivative.

Eigenvalues and eigenvectors are complex (also for real input), as in JAX; values come
from ``numpy.linalg.eig``, whose eigenvectors have unit 2-norm and LAPACK's phase. With
``A = V diag(w) V⁻¹`` and ``M = V⁻¹ Ȧ V``:

* ``ẇ = diag(M)``;
* ``V̇ = V (F ∘ M)`` with ``F_ij = 1/(w_j - w_i)`` off the diagonal (0 on it), minus
  ``v_i Re(v_iᴴ v̇_i)`` per column, which keeps every ``|v_i| = 1`` (NumPy's and JAX's
  normalisation). The phase of each eigenvector is arbitrary, so only functions
  invariant to it (``|v_i|``, ``v_i v_iᴴ``, products with left eigenvectors) have
  meaningful derivatives; repeated eigenvalues make ``F`` infinite, as in JAX.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from . import elementwise as ew
from . import reductions, shapes
from ._declare import complex_dtype
from ._matrix import (as_dtype_of, batch_leading, check_matrix, diagonal, matmul, outer_diff,
                      reciprocal_offdiag)
from .solves import solve

__all__ = ["eig", "eig_p"]


def _eig_abstract_eval(a, *, compute_eigenvectors):
  check_matrix("eig", a)
  dtype = complex_dtype(a.dtype)
  w = ShapedArray(a.shape[:-1], dtype)
  return [w, ShapedArray(a.shape, dtype)] if compute_eigenvectors else [w]


def _eig_impl(a, *, compute_eigenvectors):
  dtype = complex_dtype(np.asarray(a).dtype)
  if not compute_eigenvectors:
    return [np.linalg.eigvals(a).astype(dtype)]
  w, v = np.linalg.eig(a)
  return [w.astype(dtype), v.astype(dtype)]


def _eig_jvp(primals, tangents, *, compute_eigenvectors):
  (a,), (t,) = primals, tangents
  w, v = eig_p.bind(a, compute_eigenvectors=True)
  t = as_dtype_of(t, v)
  m = solve(v, matmul(t, v))  # V⁻¹ Ȧ V, by a solve, not an inverse
  dw = diagonal(m)
  if not compute_eigenvectors:
    return [w], [dw]
  dv = matmul(v, ew.mul(reciprocal_offdiag(outer_diff(w)), m))
  along = ew.real(reductions.reduce_sum(ew.mul(ew.conj(v), dv), -2))  # Re(v_iᴴ v̇_i)
  nb = get_aval(v).ndim - 2
  along = shapes.broadcast_in_dim(as_dtype_of(along, v), get_aval(v).shape,
                                  tuple(range(nb)) + (nb + 1,))
  return [w, v], [dw, ew.sub(dv, ew.mul(v, along))]


eig_p = Primitive("eig", multiple_results=True, impl=_eig_impl, abstract_eval=_eig_abstract_eval)
eig_p.def_jvp(_eig_jvp, symbolic_zeros=False)
batch_leading(eig_p)


def eig(x, compute_eigenvectors: bool = True) -> list:
  """``[w, v]`` (or ``[w]``): the complex eigenvalues and unit-norm right eigenvectors
  (columns of ``v``) of square matrices, ``x @ v = v * w``.

  >>> w, v = eig(np.array([[0.0, -1.0], [1.0, 0.0]]))
  >>> w
  array([0.+1.j, 0.-1.j])
  """
  _eig_abstract_eval(get_aval(x), compute_eigenvectors=compute_eigenvectors)
  return eig_p.bind(x, compute_eigenvectors=bool(compute_eigenvectors))
