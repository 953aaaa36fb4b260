"""vjpkit.numpy.linalg: NumPy's linear algebra, differentiable.

Stacks of matrices ``(..., m, n)`` are handled like NumPy; integer and bool
inputs become float64; complex64/complex128 inputs are supported throughout (Hermitian
``eigh`` and ``cholesky``, conjugate transposes in every rule). Solves and decompositions are
the primitives of ``vjpkit.lax.solves`` and ``vjpkit.lax.decompositions``;
everything else here is a composite of them. Conventions where the
derivative is not unique (all as in JAX unless said otherwise):

* ``eigh``/``svd``: derivatives of eigenvectors and singular vectors need
  distinct eigenvalues / singular values (``inf``/``nan`` otherwise). Their
  signs are arbitrary, so only sign-invariant functions of them have
  meaningful derivatives. ``svd`` vectors of non-square matrices are
  differentiable only with ``full_matrices=False``.
* ``cholesky``/``eigh`` use ``(a + aᵀ)/2`` (their gradients are symmetric).
* ``det``/``slogdet``: the derivative at an exactly singular matrix raises
  ``LinAlgError`` (JAX returns the adjugate there through a custom rule).
* ``norm``: the gradient of the 2-norm and Frobenius norm (and of p-norms,
  ``p >= 1``) at 0 is 0, the subgradient JAX's open PR #39792 adopts; released
  JAX returns ``nan`` there. ``max``-type norms share ties evenly.

>>> import vjpkit
>>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> vjpkit.grad(lambda a: det(a))(a)     # det(a) * inv(a).T
array([[ 3., -1.],
       [-1.,  2.]])
"""
from __future__ import annotations

import operator
from typing import Any, NamedTuple

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, axis_seq, canonical_axis, convert, result_type
from .products import matmul
from .reductions import max as _max, min as _min, sum as _sum
from .shapes import broadcast_to, expand_dims, transpose
from .ufuncs import absolute, equal, not_equal, power, sqrt, where

Array = Any
LinAlgError = np.linalg.LinAlgError
_UNSET: Any = object()  # pinv's rtol: "not passed" differs from None, as in NumPy

__all__ = ["LinAlgError", "cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "matrix_norm",
           "matrix_power", "norm", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "vector_norm"]
__all__ += ["cond", "cross", "diagonal", "lstsq", "matmul", "matrix_rank", "matrix_transpose",
            "multi_dot", "outer", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot"]


class EigResult(NamedTuple):
  eigenvalues: Array
  eigenvectors: Array


class EighResult(NamedTuple):
  eigenvalues: Array
  eigenvectors: Array


class SVDResult(NamedTuple):
  U: Array
  S: Array
  Vh: Array


class QRResult(NamedTuple):
  Q: Array
  R: Array


class SlogdetResult(NamedTuple):
  sign: Array
  logabsdet: Array


# -- arguments ---------------------------------------------------------------------

def _float_arg(x, who: str, name: str = "a", half: bool = False):
  """``x`` as a float32/float64/complex64/complex128 array (``half``: float16 too, as NumPy's
  norms); ints and bools promote like NumPy (to float64)."""
  x = asarray(x)
  dtype = get_aval(x).dtype
  if dtype == np.float16 and not half:
    _no_half(who, name)
  return convert(x, np.dtype(np.float64)) if dtype.kind not in "fc" else x


def _no_half(who: str, name: str):
  raise TypeError(f"vjpkit.numpy.linalg.{who}: array type float16 is unsupported in linalg "
                  f"('{name}'), as in NumPy; convert it to float32 or float64")


def _matrix_arg(x, who: str, name: str = "a", square: bool = True, half: bool = False):
  """A stack of (square) matrices, with NumPy's LinAlgError for anything else."""
  x = _float_arg(x, who, name, half)
  shape = get_aval(x).shape
  if len(shape) < 2:
    raise LinAlgError(f"vjpkit.numpy.linalg.{who}: {len(shape)}-dimensional array given "
                      f"as '{name}'. Array must be at least two-dimensional")
  if square and shape[-1] != shape[-2]:
    raise LinAlgError(f"vjpkit.numpy.linalg.{who}: last 2 dimensions of '{name}' must be "
                      f"square, got shape {shape}")
  return x


def _identity_like(a):
  aval = get_aval(a)
  return np.broadcast_to(np.eye(aval.shape[-1], dtype=aval.dtype), aval.shape)


# -- solving and inverting -----------------------------------------------------------

def solve(a: Array, b: Array) -> Array:
  """The solution ``x`` of ``a @ x = b``; ``b`` is a vector only if it is 1-D (NumPy 2).

  Batch dimensions broadcast. Derivatives are solves with ``a`` and ``aᵀ``, never inverses.

  >>> solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])
  array([2., 3.])
  """
  a, b = _float_arg(a, "solve"), _float_arg(b, "solve", "b")
  dtype = result_type(a, b)
  a, b = _matrix_arg(convert(a, dtype), "solve"), convert(b, dtype)
  sa, sb = get_aval(a).shape, get_aval(b).shape
  vector = len(sb) == 1
  if vector:
    b = expand_dims(b, -1)
    sb = sb + (1,)
  if len(sb) < 2 or sb[-2] != sa[-1]:
    raise ValueError(f"vjpkit.numpy.linalg.solve: 'b' of shape {get_aval(b).shape} does not "
                     f"match 'a' of shape {sa} (b needs {sa[-1]} rows)")
  batch = np.broadcast_shapes(sa[:-2], sb[:-2])
  x = lax.solve(broadcast_to(a, batch + sa[-2:]), broadcast_to(b, batch + sb[-2:]))
  return lax.squeeze(x, (len(batch) + 1,)) if vector else x


def inv(a: Array) -> Array:
  """The inverse of square matrices (a solve with the identity).

  >>> inv([[2.0, 0.0], [0.0, 4.0]])
  array([[0.5 , 0.  ],
         [0.  , 0.25]])
  """
  a = _matrix_arg(a, "inv")
  return lax.solve(a, _identity_like(a))


def pinv(a: Array, rcond: float | None = None, hermitian: bool = False, *,
         rtol: float | None = _UNSET) -> Array:
  """The Moore-Penrose pseudo-inverse, with NumPy's cutoff (``rcond``, default 1e-15,
  or ``rtol``, default ``max(m, n) * eps`` when passed as None).

  Its derivative is the closed form for matrices of locally constant rank, so
  repeated singular values (e.g. of orthogonal matrices) are fine.

  >>> pinv([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]])
  array([[1. , 0. , 0. ],
         [0. , 0. , 0.5]])
  """
  a = _matrix_arg(a, "pinv", square=False)
  if rcond is not None and rtol is not _UNSET:
    raise ValueError("vjpkit.numpy.linalg.pinv: `rtol` and `rcond` can't be both set.")
  if rcond is None:
    aval = get_aval(a)
    rcond = 1e-15 if rtol is _UNSET else (
        max(aval.shape[-2:]) * np.finfo(aval.dtype).eps if rtol is None else rtol)
  if np.ndim(rcond) != 0 or not np.isrealobj(rcond):
    raise TypeError("vjpkit.numpy.linalg.pinv: rcond/rtol must be a real number (one cutoff "
                    "for all matrices of the stack)")
  return lax.pinv(a, float(rcond), bool(hermitian))


def matrix_power(a: Array, n: int) -> Array:
  """``a`` multiplied by itself ``n`` times by repeated squaring (NumPy's order of products);
  ``n = 0`` gives the identity, negative ``n`` powers of the inverse.

  >>> matrix_power([[1.0, 1.0], [0.0, 1.0]], 3)
  array([[1., 3.],
         [0., 1.]])
  """
  try:
    n = operator.index(n)
  except TypeError:
    raise TypeError("vjpkit.numpy.linalg.matrix_power: exponent 'n' must be an integer") from None
  a = asarray(a)
  shape = get_aval(a).shape
  if len(shape) < 2 or shape[-1] != shape[-2]:
    _matrix_arg(a, "matrix_power")  # raises NumPy's LinAlgError
  if n == 0:
    return _identity_like(a).copy()
  if n < 0:
    a, n = inv(a), -n
  if n <= 3:  # NumPy's short cuts and, below, its binary decomposition: the same products
    return a if n == 1 else matmul(a, a) if n == 2 else matmul(matmul(a, a), a)
  result = z = None
  while n > 0:
    z = a if z is None else matmul(z, z)
    n, bit = divmod(n, 2)
    if bit:
      result = z if result is None else matmul(result, z)
  return result


# -- determinants -----------------------------------------------------------------------

def slogdet(a: Array) -> SlogdetResult:
  """``(sign, log|det a|)``, free of the overflow ``det`` suffers for large matrices.

  >>> slogdet([[2.0, 0.0], [0.0, 3.0]]).logabsdet
  np.float64(1.791759469228055)
  """
  return SlogdetResult(*lax.slogdet(_matrix_arg(a, "slogdet")))


def det(a: Array) -> Array:
  """The determinant, as ``sign * exp(logabsdet)``; its gradient is ``det(a) inv(a)ᵀ``.

  >>> det([[1.0, 2.0], [3.0, 4.0]])
  np.float64(-2.0000000000000004)
  """
  sign, logabsdet = lax.slogdet(_matrix_arg(a, "det"))
  size = lax.exp(logabsdet)
  return lax.mul(sign, size if get_aval(sign).dtype == get_aval(size).dtype
                 else lax.convert_element_type(size, get_aval(sign).dtype))


# -- decompositions -----------------------------------------------------------------------

def cholesky(a: Array, /, *, upper: bool = False) -> Array:
  """The Cholesky factor of symmetric positive definite matrices: lower ``L`` with
  ``a = L Lᵀ``, or upper ``Lᵀ``. Uses ``(a + aᵀ)/2`` like JAX (NumPy reads one triangle).

  >>> cholesky([[4.0, 2.0], [2.0, 2.0]])
  array([[2., 0.],
         [1., 1.]])
  """
  chol = lax.cholesky(_matrix_arg(a, "cholesky"))
  return transpose(chol, _swap_last(get_aval(chol).ndim)) if upper else chol


def _swap_last(ndim: int) -> tuple[int, ...]:
  return tuple(range(ndim - 2)) + (ndim - 1, ndim - 2)


def _uplo(UPLO: str, who: str) -> bool:
  if UPLO not in ("L", "U"):
    raise ValueError(f"vjpkit.numpy.linalg.{who}: UPLO must be 'L' or 'U', got {UPLO!r}")
  return UPLO == "L"


def eigh(a: Array, UPLO: str = "L", symmetrize_input: bool = True) -> EighResult:
  """Ascending eigenvalues and orthonormal eigenvectors (columns) of symmetric matrices.

  By default the input is ``(a + aᵀ)/2`` (JAX's choice); with ``symmetrize_input=False``
  only the ``UPLO`` triangle is read, as in NumPy.

  >>> eigh([[2.0, 1.0], [1.0, 2.0]]).eigenvalues
  array([1., 3.])
  """
  v, w = lax.eigh(_matrix_arg(a, "eigh"), _uplo(UPLO, "eigh"), symmetrize_input)
  return EighResult(w, v)


def eigvalsh(a: Array, UPLO: str = "L") -> Array:
  """The eigenvalues of symmetric matrices, ascending.

  >>> eigvalsh([[2.0, 0.0], [0.0, -1.0]])
  array([-1.,  2.])
  """
  return eigh(a, UPLO).eigenvalues


def svd(a: Array, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> SVDResult | Array:
  """``U, S, Vh`` with ``a = U @ (S[..., None] * Vh)``, singular values descending;
  only ``S`` without ``compute_uv``.

  ``hermitian`` is accepted for NumPy compatibility and ignored: the general SVD
  is used (vectors may then differ in sign from NumPy's). For gradients of ``U``
  and ``Vh`` of non-square matrices pass ``full_matrices=False`` (as in JAX).

  >>> svd([[0.0, 2.0], [1.0, 0.0]], compute_uv=False)
  array([2., 1.])
  """
  a = _matrix_arg(a, "svd", square=False)
  m, n = get_aval(a).shape[-2:]
  if not compute_uv:
    return lax.svd(a, full_matrices=False, compute_uv=False)[0]
  # square matrices: the complete and the reduced factorization are the same
  return SVDResult(*lax.svd(a, full_matrices=bool(full_matrices) and m != n))


def eig(a: Array) -> EigResult:
  """Eigenvalues and right eigenvectors (columns, unit 2-norm) of general square matrices;
  both complex, also for real input (JAX's convention; NumPy returns real arrays when
  every eigenvalue is real).

  Derivatives: eigenvalues everywhere their values are distinct; eigenvectors with the
  normalisation ``|v_i| = 1`` held, and an arbitrary phase (see ``vjpkit.lax.eig``), so
  only phase-invariant functions of them (``abs(v)``, ``v v^H``) have meaningful
  derivatives.

  >>> w, v = eig([[2.0, 1.0], [0.0, 3.0]])
  >>> w
  array([2.+0.j, 3.+0.j])
  """
  w, v = lax.eig(_matrix_arg(a, "eig"))
  return EigResult(w, v)


def eigvals(a: Array) -> Array:
  """The (complex) eigenvalues of general square matrices.

  >>> eigvals([[0.0, -1.0], [1.0, 0.0]])
  array([0.+1.j, 0.-1.j])
  """
  return lax.eig(_matrix_arg(a, "eigvals"), compute_eigenvectors=False)[0]


def svdvals(x: Array, /) -> Array:
  """The singular values, descending (``svd(x, compute_uv=False)``).

  >>> svdvals([[3.0, 0.0], [0.0, 4.0]])
  array([4., 3.])
  """
  return svd(x, compute_uv=False)


def qr(a: Array, mode: str = "reduced") -> QRResult | Array:
  """``Q, R`` with ``a = Q @ R``: NumPy's modes ``'reduced'``, ``'complete'`` and ``'r'``.

  Derivatives exist for every shape in ``'reduced'`` mode, and in ``'complete'``
  mode for square and wide matrices.

  >>> qr([[3.0], [4.0]], mode="r")
  array([[-5.]])
  """
  if mode not in ("reduced", "complete", "r"):
    raise ValueError(f"vjpkit.numpy.linalg.qr: unsupported mode {mode!r}; use 'reduced', "
                     "'complete' or 'r' ('raw' Householder output is not supported)")
  q, r = lax.qr(_matrix_arg(a, "qr", square=False), full_matrices=mode == "complete")
  return r if mode == "r" else QRResult(q, r)


# -- norms ---------------------------------------------------------------------------------

def _root_zero_safe(s, p: float):
  """``s ** (1/p)`` for ``s >= 0`` with derivative 0 (not inf · 0 = nan) where ``s == 0``."""
  is_zero = equal(s, 0)
  safe = where(is_zero, 1, s)
  return where(is_zero, 0, sqrt(safe) if p == 2 else power(safe, 1.0 / p))


def _abs2(x):
  """``|x|²`` elementwise (real for complex ``x``)."""
  if get_aval(x).dtype.kind == "c":
    re, im = lax.real(x), lax.imag(x)
    return lax.add(lax.mul(re, re), lax.mul(im, im))
  return x * x


def _keep(y, axes, keepdims):
  return expand_dims(y, sorted(axes)) if keepdims else y


def _vector_norm(x, ord, axes: tuple[int, ...], keepdims: bool):
  if isinstance(ord, str):
    raise ValueError(f"Invalid norm order '{ord}' for vectors")
  if ord == np.inf:  # NumPy's initial=0: 0 for empty x (and a tie with 0 at x = 0, as JAX)
    return _max(absolute(x), axes, keepdims=keepdims, initial=0)
  if ord == -np.inf:
    return _min(absolute(x), axes, keepdims=keepdims)
  if ord == 0:  # the number of nonzero entries: no derivative
    count = lax.convert_element_type(not_equal(x, 0), np.finfo(get_aval(x).dtype).dtype)
    return _sum(count, axes, keepdims=keepdims)
  if ord == 1:
    return _sum(absolute(x), axes, keepdims=keepdims)
  if ord is None or ord == 2:
    return _root_zero_safe(_sum(_abs2(x), axes, keepdims=keepdims), 2)
  p = float(ord)
  return _root_zero_safe(_sum(power(absolute(x), p), axes, keepdims=keepdims), p)


def _matrix_norm(x, ord, row: int, col: int, keepdims: bool):
  if row == col:
    raise ValueError("Duplicate axes given.")
  if ord in ("fro", None):
    return _root_zero_safe(_sum(_abs2(x), (row, col), keepdims=keepdims), 2)
  if ord in (2, -2, "nuc"):
    if get_aval(x).dtype == np.float16:  # an SVD: NumPy's TypeError too
      _no_half(f"norm(ord={ord!r})", "x")
    nd = get_aval(x).ndim
    rest = [i for i in range(nd) if i not in (row, col)]
    s = lax.svd(transpose(x, rest + [row, col]), full_matrices=False, compute_uv=False)[0]
    out = _max(s, -1) if ord == 2 else _min(s, -1) if ord == -2 else _sum(s, -1)
    return _keep(out, (row, col), keepdims)
  if ord in (1, -1, np.inf, -np.inf):
    summed, other = (row, col) if ord in (1, -1) else (col, row)
    summed_abs, other = _sum(absolute(x), summed), other - (other > summed)
    out = (_max(summed_abs, other, initial=0) if ord in (1, np.inf) else  # NumPy's initial
           _min(summed_abs, other))
    return _keep(out, (row, col), keepdims)
  raise ValueError("Invalid norm order for matrices.")


def _half_two_norm(x, keepdims: bool):
  """The 2-norm of float16 ``x`` over all axes as NumPy's: ``sqrt(x.dot(x))``, whose float16
  dot accumulates the (exact) products in float32 and rounds the sum once to float16."""
  axes = tuple(range(get_aval(x).ndim))
  sq = _sum(_abs2(convert(x, np.dtype(np.float32))), axes, keepdims=keepdims)
  return _root_zero_safe(convert(sq, np.dtype(np.float16)), 2)


def norm(x: Array, ord=None, axis=None, keepdims: bool = False) -> Array:
  """Vector and matrix norms with NumPy's ``ord``/``axis`` rules.

  Vector orders: None/2, 1, inf, -inf, 0 (count) and any other p; matrix orders:
  None/'fro', 'nuc', 1, -1, 2, -2, inf, -inf. The gradient of the 2-norm at 0 is 0
  (a subgradient). float16 is computed in float16 as NumPy's (the 2-norm over all axes
  accumulates in float32, as NumPy's float16 dot); its matrix orders 2, -2 and 'nuc' (an
  SVD) raise NumPy's TypeError.

  >>> norm([3.0, 4.0]), norm([[1.0, -2.0], [3.0, 4.0]], ord=1)
  (np.float64(5.0), np.float64(6.0))
  """
  x = _float_arg(x, "norm", "x", half=True)
  nd = get_aval(x).ndim
  if axis is None and get_aval(x).dtype == np.float16 and (
      ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1)):
    return _half_two_norm(x, keepdims)
  if axis is None:
    if ord is None:
      return _vector_norm(x, None, tuple(range(nd)), keepdims)
    if nd not in (1, 2):
      raise ValueError("Improper number of dimensions to norm.")
    axis = tuple(range(nd))
  axes = tuple(canonical_axis(a, nd) for a in axis_seq(axis))
  if len(axes) == 1:
    return _vector_norm(x, ord, axes, keepdims)
  if len(axes) == 2:
    return _matrix_norm(x, ord, axes[0], axes[1], keepdims)
  raise ValueError("Improper number of dimensions to norm.")


def vector_norm(x: Array, /, *, axis=None, keepdims: bool = False, ord=2) -> Array:
  """The vector norm over ``axis`` (all axes, as one flat vector, by default).

  >>> vector_norm([[1.0, 2.0], [2.0, 4.0]])
  np.float64(5.0)
  """
  x = _float_arg(x, "vector_norm", "x", half=True)
  nd = get_aval(x).ndim
  axes = tuple(range(nd)) if axis is None else axis_seq(axis)
  return _vector_norm(x, ord, tuple(canonical_axis(a, nd) for a in axes), keepdims)


def matrix_norm(x: Array, /, *, keepdims: bool = False, ord="fro") -> Array:
  """The matrix norm of each matrix of a stack (the last two axes).

  >>> matrix_norm([[3.0, 0.0], [0.0, 4.0]], ord="nuc")
  np.float64(7.0)
  """
  x = _matrix_arg(x, "matrix_norm", "x", square=False, half=True)
  nd = get_aval(x).ndim
  return _matrix_norm(x, ord, nd - 2, nd - 1, keepdims)


# the rest of numpy.linalg and the array API's linalg (composites of the functions above)
from .linalg_more import (cond, cross, diagonal, lstsq, matrix_rank, matrix_transpose,  # noqa: E402
                          multi_dot, outer, tensordot, tensorinv, tensorsolve, trace, vecdot)
