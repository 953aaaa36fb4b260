"""Matrix functions: expm (and its Fréchet derivative), sqrtm and the polar decomposition.

Values come from ``scipy.linalg``; the derivatives are closed forms built from
other primitives, so every order is available:

* ``expm``: ``L(A, E) = [expm([[A, E], [0, A]])]₁₂`` (the block-triangular
  identity; Higham, *Functions of Matrices*, 3.2), a primitive of its own that is
  linear in ``E`` with adjoint ``L(Aᵀ, ·)``, and whose derivative in ``A`` is the
  same identity one block size up.
* ``sqrtm``: ``X Ẋ + Ẋ X = Ȧ``, a Sylvester equation. At a (numerically) singular
  matrix it is singular too, and the derivative is ``nan`` (as in JAX).
* ``polar`` (``A = U P``, ``P`` symmetric positive semidefinite): with ``C = Uᵀ Ȧ``,
  ``Ω = UᵀU̇`` solves ``Ω P + P Ω = C - Cᵀ``; then ``Ṗ = C - Ω P`` and
  ``U̇ = U Ω + (Ȧ - U C) P⁻¹``. ``P`` must be nonsingular (``a`` of full column rank):
  at a rank-deficient matrix the derivative is ``nan``.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero
from ..interpreters.jvp import defjvp
from . import elementwise as ew
from . import reductions, shapes
from ._matrix import (batch_leading, check_real_matrix, each_matrix, eye_like, matmul, mT,
                      scipy_linalg)
from .decompositions import svd
from .solves import solve, solve_sylvester


def _zeros_like(x):
  aval = get_aval(x)
  return np.zeros(aval.shape, aval.dtype)


def _singular(x):
  """``(mask, safe)``: where each matrix of the stack ``x`` is numerically singular (smallest
  singular value at most ``n·eps`` times the largest; a stack of bools), and ``x`` with the
  identity in place of those matrices, so that the derivative's solves stay finite there."""
  aval = get_aval(x)
  n, last = aval.shape[-1], (aval.ndim - 2,)
  s = svd(ew.stop_gradient(x), full_matrices=False, compute_uv=False)[0]
  tol = np.array(n * np.finfo(aval.dtype).eps, aval.dtype)[()]
  small = ew.le(reductions.reduce_min(s, last), ew.mul(tol, reductions.reduce_max(s, last)))
  full = shapes.broadcast_in_dim(small, aval.shape, tuple(range(aval.ndim - 2)))
  return small, ew.select_n(full, x, eye_like(x))


def _nan_where(small, tangent):
  """``tangent``, and ``nan`` for the matrices of the stack where ``small`` holds: there the
  Sylvester equation of the derivative is singular, and the derivative infinite."""
  t_aval = get_aval(tangent)
  full = shapes.broadcast_in_dim(small, t_aval.shape, tuple(range(t_aval.ndim - 2)))
  return ew.select_n(full, tangent, np.full(t_aval.shape, np.nan, t_aval.dtype))


def _sqrtm_jvp(t, x, a):
  # X Ẋ + Ẋ X = Ȧ; singular where X is (0 is then an eigenvalue of X and of -X).
  if get_aval(x).shape[-1] == 0:
    return t
  small, safe = _singular(x)
  return _nan_where(small, solve_sylvester(safe, safe, t))


def _blocks(a, e, b=None):
  """The block matrix ``[[a, e], [0, b]]`` (``b = a`` by default) of stacks of matrices."""
  nd = get_aval(a).ndim
  top = shapes.concatenate([a, e], nd - 1)
  bottom = shapes.concatenate([_zeros_like(e), a if b is None else b], nd - 1)
  return shapes.concatenate([top, bottom], nd - 2)


def _top_right(x, n):
  nd = get_aval(x).ndim
  return shapes.slice_in_dim(shapes.slice_in_dim(x, 0, n, axis=nd - 2), n, 2 * n, axis=nd - 1)


# -- expm ----------------------------------------------------------------------------

def _expm_abstract_eval(a):
  check_real_matrix("expm", a)
  return a


def _expm_impl(a):
  a = np.asarray(a)
  return np.asarray(scipy_linalg("expm").expm(a), a.dtype)


expm_p = Primitive("expm", impl=_expm_impl, abstract_eval=_expm_abstract_eval)
defjvp(expm_p, lambda t, ans, a: expm_frechet(a, t))
batch_leading(expm_p)


def expm(x):
  """The matrix exponential of square matrices (``scipy.linalg.expm``: scaling and squaring
  with a Padé approximant).

  >>> expm(np.array([[0.0, 1.0], [0.0, 0.0]]))
  array([[1., 1.],
         [0., 1.]])
  """
  _expm_abstract_eval(get_aval(x))
  return expm_p.bind(x)


# -- expm_frechet: L(A, E), the derivative of expm at A in direction E ------------------

def _frechet_abstract_eval(a, e):
  check_real_matrix("expm_frechet", a)
  if e.shape != a.shape or e.dtype != a.dtype:
    raise TypeError(f"expm_frechet: the direction {e.str_short()} must have the type of the "
                    f"matrix {a.str_short()}")
  return a


def _frechet_impl(a, e):
  a, e = np.asarray(a), np.asarray(e)
  n = a.shape[-1]
  top = np.concatenate([a, e], -1)
  big = np.concatenate([top, np.concatenate([np.zeros_like(e), a], -1)], -2)
  return np.asarray(scipy_linalg("expm_frechet").expm(big)[..., :n, n:], a.dtype)


def _frechet_jvp_a(t, ans, a, e):
  # L(A, E) = [expm(M)]₁₂ with M = [[A, E], [0, A]]; in A's direction F, M moves by
  # [[F, 0], [0, F]], so the tangent is [L(M, [[F, 0], [0, F]])]₁₂.
  n = get_aval(a).shape[-1]
  return _top_right(expm_frechet(_blocks(a, e), _blocks(t, _zeros_like(t), t)), n)


expm_frechet_p = Primitive("expm_frechet", impl=_frechet_impl, abstract_eval=_frechet_abstract_eval)
defjvp(expm_frechet_p, _frechet_jvp_a, lambda t, ans, a, e: expm_frechet_p.bind(a, t))
expm_frechet_p.def_transpose(lambda ct, a, e: [
    None, None if type(ct) is Zero else expm_frechet(mT(a), ct)])
batch_leading(expm_frechet_p)


def expm_frechet(a, e):
  """``L(a, e)``: the Fréchet derivative of ``expm`` at ``a`` in the direction ``e``, linear in
  ``e`` (its transpose is ``L(aᵀ, ·)``).

  >>> expm_frechet(np.zeros((2, 2)), np.array([[0.0, 1.0], [0.0, 0.0]]))
  array([[0., 1.],
         [0., 0.]])
  """
  _frechet_abstract_eval(get_aval(a), get_aval(e))
  return expm_frechet_p.bind(a, e)


# -- sqrtm ------------------------------------------------------------------------------

def _sqrtm_abstract_eval(a):
  check_real_matrix("sqrtm", a)
  return a


def _sqrtm_one(m):
  sl = scipy_linalg("sqrtm")
  out = sl.sqrtm(m)
  out = out[0] if isinstance(out, tuple) else out
  if np.iscomplexobj(out):
    if np.any(np.abs(out.imag) > 1e3 * np.finfo(m.dtype).eps * max(1.0, np.abs(out).max())):
      raise ValueError("sqrtm: the matrix has a negative real eigenvalue (or is singular in a "
                       "way that has no real square root), so its principal square root is "
                       "complex; complex results are not supported")
    out = out.real
  return out


def _sqrtm_impl(a):
  a = np.asarray(a)
  if a.shape[-1] == 0:
    return a.copy()
  return np.asarray(each_matrix(_sqrtm_one, a), a.dtype)


sqrtm_p = Primitive("sqrtm", impl=_sqrtm_impl, abstract_eval=_sqrtm_abstract_eval)
defjvp(sqrtm_p, _sqrtm_jvp)
batch_leading(sqrtm_p)


def sqrtm(x):
  """The principal square root of square matrices with no eigenvalue on the closed negative
  real axis (``scipy.linalg.sqrtm``); a complex root raises ``ValueError``.

  >>> sqrtm(np.array([[4.0, 0.0], [0.0, 9.0]]))
  array([[2., 0.],
         [0., 3.]])
  """
  _sqrtm_abstract_eval(get_aval(x))
  return sqrtm_p.bind(x)


# -- polar --------------------------------------------------------------------------------

def _polar_abstract_eval(a):
  check_real_matrix("polar", a, square=False)
  n = a.shape[-1]
  return [a, ShapedArray(a.shape[:-2] + (n, n), a.dtype)]


def _polar_impl(a):
  a = np.asarray(a)
  polar = lambda m: scipy_linalg("polar").polar(m, side="right")  # noqa: E731
  u, p = each_matrix(polar, a)
  return [np.asarray(u, a.dtype), np.asarray(p, a.dtype)]


def _polar_jvp(primals, tangents):
  (a,), (t,) = primals, tangents
  u, p = polar_p.bind(a)
  if type(t) is Zero:
    return [u, p], [Zero.like(u), Zero.like(p)]
  m, n = get_aval(a).shape[-2:]
  if m < n:
    raise NotImplementedError(
        f"polar: the derivative of the right polar decomposition of a wide ({m}x{n}) matrix is "
        "not defined (its factor p is singular). Use side='left' for wide matrices.")
  small, p_safe = _singular(p)
  c = matmul(mT(u), t)
  omega = solve_sylvester(p_safe, p_safe, ew.sub(c, mT(c)))
  du = matmul(u, omega)
  if m > n:  # the part of Ȧ outside the range of U
    rest = ew.sub(t, matmul(u, c))
    du = ew.add(du, mT(solve(p_safe, mT(rest))))
  return [u, p], [_nan_where(small, du), _nan_where(small, ew.sub(c, matmul(omega, p)))]


polar_p = Primitive("polar", multiple_results=True, impl=_polar_impl,
                    abstract_eval=_polar_abstract_eval)
polar_p.def_jvp(_polar_jvp, symbolic_zeros=True)
batch_leading(polar_p)


def polar(x) -> list:
  """``[u, p]``, the right polar decomposition ``x = u p`` of ``(..., m, n)`` matrices:
  ``u`` with orthonormal columns (rows, if wide) and ``p`` symmetric positive semidefinite.

  >>> u, p = polar(np.array([[0.0, 2.0], [3.0, 0.0]]))
  >>> u, p
  (array([[0., 1.],
         [1., 0.]]), array([[3., 0.],
         [0., 2.]]))
  """
  _polar_abstract_eval(get_aval(x))
  return polar_p.bind(x)
