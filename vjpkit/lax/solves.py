"""Linear systems: triangular_solve, solve, slogdet and pinv, over stacks of matrices.

Each primitive is evaluated by ``numpy.linalg`` and differentiated without
ever forming an inverse: ``x = A⁻¹ b`` has tangent ``A⁻¹ (ḃ - Ȧ x)``, which is
another solve, and solves are linear in ``b``, so reverse mode transposes
them into solves with ``Aᵀ``. Operands share their leading batch dimensions;
``vjpkit.numpy.linalg`` broadcasts them beforehand.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, is_undef
from ..interpreters.jvp import defjvp
from . import elementwise as ew
from . import shapes
from ._declare import real_dtype
from ._matrix import batch_leading, check_matrix, matmul, mH, mT, trace, tril, triu


def _check_pair(who, a, b, b_shape_ok):
  check_matrix(who, a)
  if b.dtype != a.dtype or b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2] or not b_shape_ok:
    raise TypeError(f"{who}: cannot solve with {a.str_short()} and right-hand side "
                    f"{b.str_short()} (equal dtypes and batch dimensions and matching "
                    "matrix sizes are needed)")


def _known(who, a):
  """The matrix operand of a solve being transposed: it must be a known value."""
  if is_undef(a):
    raise ValueError(f"{who} is not linear in its matrix argument")
  return a


# -- triangular_solve: op(A) X = B or X op(A) = B, A triangular ---------------------

def _triangular(a, lower: bool, unit_diagonal: bool):
  """The part of ``a`` a triangular solve reads (a concrete array)."""
  a = np.tril(a) if lower else np.triu(a)
  if unit_diagonal:
    n = a.shape[-1]
    a[..., np.arange(n), np.arange(n)] = 1
  return a


def _triangular_solve_impl(a, b, *, left_side, lower, transpose_a, unit_diagonal):
  a = _triangular(np.asarray(a), lower, unit_diagonal)
  if transpose_a:
    a = np.swapaxes(a, -1, -2)
  if left_side:
    return np.linalg.solve(a, b)
  return np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


def _triangular_solve_abstract_eval(a, b, *, left_side, **_):
  n = a.shape[-1]
  _check_pair("triangular_solve", a, b, b.ndim >= 2 and b.shape[-2 if left_side else -1] == n)
  return b


def _triangular_solve_jvp_a(t, ans, a, b, *, left_side, lower, transpose_a, unit_diagonal):
  # Only the triangle the solve reads has a tangent; op(A) X = B gives
  # op(Ȧ) X + op(A) Ẋ = 0, so Ẋ = -op(A)⁻¹ op(Ȧ) X (and mirrored for X op(A) = B).
  k = -1 if unit_diagonal else 0
  t = tril(t, k) if lower else triu(t, -k)
  op_t = mT(t) if transpose_a else t
  rhs = matmul(op_t, ans) if left_side else matmul(ans, op_t)
  return ew.neg(triangular_solve(a, rhs, left_side=left_side, lower=lower,
                                 transpose_a=transpose_a, unit_diagonal=unit_diagonal))


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, unit_diagonal):
  return [None, triangular_solve(_known("triangular_solve", a), ct, left_side=left_side, lower=lower,
                                 transpose_a=not transpose_a, unit_diagonal=unit_diagonal)]


triangular_solve_p = Primitive("triangular_solve", impl=_triangular_solve_impl,
                               abstract_eval=_triangular_solve_abstract_eval)
defjvp(triangular_solve_p, _triangular_solve_jvp_a,
       lambda t, ans, a, b, **params: triangular_solve_p.bind(a, t, **params))
triangular_solve_p.def_transpose(_triangular_solve_transpose)
batch_leading(triangular_solve_p)


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False,
                     transpose_a: bool = False, unit_diagonal: bool = False):
  """Solve ``op(a) x = b`` (``left_side``) or ``x op(a) = b`` with ``a`` triangular.

  Only the ``lower`` (or upper) triangle of ``a`` is read; ``op`` transposes it
  when ``transpose_a``; ``unit_diagonal`` takes its diagonal as ones. The
  defaults (right side, upper) are JAX's.

  >>> a = np.array([[2.0, 0.0], [1.0, 1.0]])
  >>> triangular_solve(a, np.array([[2.0], [3.0]]), left_side=True, lower=True)
  array([[1.],
         [2.]])
  """
  _triangular_solve_abstract_eval(get_aval(a), get_aval(b), left_side=left_side)
  return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                 transpose_a=bool(transpose_a), unit_diagonal=bool(unit_diagonal))


# -- solve: A X = B for a general square A -------------------------------------------

def _solve_abstract_eval(a, b):
  _check_pair("solve", a, b, b.ndim >= 2 and b.shape[-2] == a.shape[-1])
  return b


solve_p = Primitive("solve", impl=lambda a, b: np.linalg.solve(a, b),
                    abstract_eval=_solve_abstract_eval)
defjvp(solve_p, lambda t, ans, a, b: ew.neg(solve(a, matmul(t, ans))),
       lambda t, ans, a, b: solve(a, t))
solve_p.def_transpose(lambda ct, a, b: [None, solve(mT(_known("solve", a)), ct)])
batch_leading(solve_p)


def solve(a, b):
  """``A⁻¹ B`` for square ``a (..., n, n)`` and ``b (..., n, k)`` with the same batch shape,
  by LU factorization (NumPy's ``solve``); no inverse is formed, forward or backward.

  >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([[2.0], [2.0]]))
  array([[1. ],
         [0.5]])
  """
  _solve_abstract_eval(get_aval(a), get_aval(b))
  return solve_p.bind(a, b)


# -- slogdet: (sign, log|det A|) ------------------------------------------------------

def _slogdet_abstract_eval(a):
  check_matrix("slogdet", a)
  return [ShapedArray(a.shape[:-2], a.dtype), ShapedArray(a.shape[:-2], real_dtype(a.dtype))]


def _slogdet_jvp(primals, tangents):
  # With τ = tr(A⁻¹ Ȧ): d log|det A| = Re τ, d sign = sign · i Im τ (a real sign is locally
  # constant). At a singular A the derivative is infinite and the solve raises LinAlgError
  # (see numpy.linalg.det).
  (a,), (t,) = primals, tangents
  sign, logabsdet = slogdet_p.bind(a)
  tau = trace(solve(a, t))
  if get_aval(a).dtype.kind != "c":
    return [sign, logabsdet], [Zero.like(sign), tau]
  im = ew.imag(tau)
  return [sign, logabsdet], [ew.mul(sign, ew.complex(shapes.full_like(im, 0), im)),
                             ew.real(tau)]


slogdet_p = Primitive("slogdet", multiple_results=True,
                      impl=lambda a: list(np.linalg.slogdet(a)),
                      abstract_eval=_slogdet_abstract_eval)
slogdet_p.def_jvp(_slogdet_jvp, symbolic_zeros=True)
batch_leading(slogdet_p)


def slogdet(a) -> list:
  """``[sign, log|det a|]`` of square matrices, without overflow for large determinants.

  >>> slogdet(np.array([[2.0, 0.0], [0.0, -3.0]]))
  [np.float64(-1.0), np.float64(1.791759469228055)]
  """
  _slogdet_abstract_eval(get_aval(a))
  return slogdet_p.bind(a)


# -- pinv: the Moore-Penrose pseudo-inverse ----------------------------------------------

def _pinv_abstract_eval(a, **_):
  check_matrix("pinv", a, square=False)
  return ShapedArray(a.shape[:-2] + a.shape[:-3:-1], a.dtype)


def _pinv_jvp(t, p, a, **_):
  # For A of locally constant rank (Golub & Pereyra):
  #   Ṗ = -P Ȧ P + P Pᴴ Ȧᴴ (I - A P) + (I - P A) Ȧᴴ Pᴴ P.
  # Written with P itself, so repeated or zero singular values are no problem
  # (differentiating through the SVD would divide by their differences).
  pt, tt = mH(p), mH(t)
  x = matmul(matmul(p, pt), tt)   # P Pᵀ Ȧᵀ
  y = matmul(tt, matmul(pt, p))   # Ȧᵀ Pᵀ P
  return ew.add(ew.sub(ew.sub(x, matmul(x, matmul(a, p))), matmul(matmul(p, t), p)),
                ew.sub(y, matmul(matmul(p, a), y)))


pinv_p = Primitive("pinv", impl=lambda a, *, rcond, hermitian:
                   np.linalg.pinv(a, rcond=rcond, hermitian=hermitian),
                   abstract_eval=_pinv_abstract_eval)
defjvp(pinv_p, _pinv_jvp)
batch_leading(pinv_p)


def pinv(a, rcond: float = 1e-15, hermitian: bool = False):
  """The pseudo-inverse of matrices ``(..., m, n)``; singular values at most ``rcond``
  times the largest are treated as zero (NumPy's cutoff).

  >>> pinv(np.array([[2.0, 0.0], [0.0, 0.0]]))
  array([[0.5, 0. ],
         [0. , 0. ]])
  """
  _pinv_abstract_eval(get_aval(a))
  return pinv_p.bind(a, rcond=float(rcond), hermitian=bool(hermitian))
