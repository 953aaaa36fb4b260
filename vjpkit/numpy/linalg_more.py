"""The rest of ``numpy.linalg`` (and of the array API's ``linalg``): least squares, rank,
condition numbers, chains of products in the best order, tensor inverses and solves, and
the array API's names for products, diagonals and traces over the last axes.

They are composites of the functions of ``vjpkit.numpy.linalg``, re-exported there.

>>> import numpy as np
>>> x, resid, rank, s = lstsq(np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]),
...                           np.array([1.0, 2.0, 2.0]))
>>> x, rank
(array([1.16666667, 0.5       ]), np.int32(2))
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, convert, result_type
from .arrayapi import matrix_transpose  # NumPy's linalg.matrix_transpose is matrix_transpose
from .matrices import diagonal as _diagonal, trace as _trace
from .products import matmul, tensordot as _tensordot
from .reductions import any as any_, count_nonzero, max as _max, sum as _sum
from .shapes import moveaxis, reshape
from .ufuncs import greater, isnan, where
from .vectors import cross as _cross, vecdot as _vecdot

Array = Any

__all__ = ["cond", "cross", "diagonal", "lstsq", "matrix_rank", "matrix_transpose", "multi_dot",
           "outer", "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot"]


def _la():
  from . import linalg  # linalg re-exports this module, so it is imported late
  return linalg


def _shape(x) -> tuple[int, ...]:
  return get_aval(x).shape


def cond(x: Array, p=None) -> Array:
  """The condition number of square matrices in the norm ``p``: the ratio of the largest to
  the smallest singular value for ``p`` None, 2 or -2 (its inverse for -2), else
  ``norm(x, p) * norm(inv(x), p)`` (``'fro'``, ``'nuc'``, ``±1``, ``±inf``). A singular
  matrix gives ``inf``, as NumPy.

  >>> cond(np.array([[1.0, 0.0], [0.0, 4.0]]))
  np.float64(4.0)
  """
  la = _la()
  x = la._matrix_arg(x, "cond", "x", square=False)
  shape = _shape(x)
  if 0 in shape[-2:]:
    raise la.LinAlgError("vjpkit.numpy.linalg.cond: cond is not defined on empty arrays, got "
                         f"shape {shape}")
  if p in (None, 2, -2):
    s = la.svdvals(x)
    r = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
  else:
    if shape[-1] != shape[-2]:
      raise la.LinAlgError(f"vjpkit.numpy.linalg.cond: p={p!r} needs square matrices, got "
                           f"shape {shape}")
    if not isinstance(x, Tracer) and np.any(np.linalg.matrix_rank(np.asarray(x)) < shape[-1]):
      with np.errstate(all="ignore"):  # NumPy: inf where the inverse fails
        return np.asarray(np.linalg.cond(np.asarray(x), p))[()]
    r = la.norm(x, p, axis=(-2, -1)) * la.norm(la.inv(x), p, axis=(-2, -1))
  # NumPy: a NaN (0/0 for a zero matrix) is inf, unless the matrix has NaN entries
  return where(isnan(r) & ~any_(isnan(x), axis=(-2, -1)), np.inf, r)


def lstsq(a: Array, b: Array, rcond: float | None = None, *,
          numpy_resid: bool = False) -> tuple[Array, Array, Array, Array]:
  """The least-squares solution ``x`` of ``a @ x ≈ b``, with the residuals, the rank of
  ``a`` and its singular values, as ``numpy.linalg.lstsq`` (2-D ``a``, 1-D or 2-D ``b``).

  Singular values below ``rcond`` times the largest (default ``eps * max(M, N)``) count as
  zero. ``x = pinv(a) @ b``, differentiable where the rank is locally constant. The
  residuals are ``sum((b - a @ x)**2, axis=0)`` always (JAX's default); with
  ``numpy_resid=True`` they are NumPy's (empty unless the rank is ``N < M``), which needs a
  concrete ``a``.

  >>> lstsq(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.array([1.0, 2.0, 3.0]))[1]
  array([9.])
  """
  la = _la()
  a, b = la._float_arg(a, "lstsq"), la._float_arg(b, "lstsq", "b")
  dtype = result_type(a, b)
  a, b = convert(a, dtype), convert(b, dtype)
  sa, sb = _shape(a), _shape(b)
  if len(sa) != 2 or len(sb) not in (1, 2) or sb[0] != sa[0]:
    raise la.LinAlgError(f"vjpkit.numpy.linalg.lstsq: a must be 2-D (M, N) and b (M,) or "
                         f"(M, K); got shapes {sa} and {sb}")
  m, n = sa
  if rcond is None:
    rcond = float(np.finfo(dtype).eps * max(m, n))
  elif rcond < 0:
    rcond = float(np.finfo(dtype).eps)  # NumPy: a negative rcond means machine precision
  s = la.svdvals(a)
  if min(m, n) == 0:
    rank = np.array(0, np.int32)
    x = lax.full((n,) + sb[1:], 0, dtype)
  else:
    rank = lax.convert_element_type(count_nonzero(greater(s, lax.stop_gradient(rcond * s[0]))),
                                    np.dtype(np.int32))  # NumPy's dtype
    x = matmul(lax.pinv(a, float(rcond), False), b)
  r = b - matmul(a, x)
  resid = _sum(r * r, axis=0)
  if get_aval(resid).ndim == 0:
    resid = reshape(resid, (1,))
  if numpy_resid:
    rk = lax.concrete_or_none(rank)
    if rk is None:
      raise ValueError("vjpkit.numpy.linalg.lstsq: numpy_resid=True makes the shape of the "
                       "residuals depend on the rank, which is unknown under a transform; "
                       "use numpy_resid=False (residuals always computed)")
    if not (int(rk) == n and m > n):
      resid = lax.full((0,), 0, dtype)
  return x, resid, rank, s


def matrix_rank(M: Array, rtol: Array | None = None, *, tol: Array | None = None,
                hermitian: bool = False) -> Array:
  """The number of singular values above ``tol`` (absolute) or ``rtol`` times the largest
  (default ``max(M, N) * eps``), per matrix of a stack; a vector has rank 1 unless it is 0.
  An integer: no derivative.

  >>> matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))
  array(1)
  """
  la = _la()
  M = la._float_arg(M, "matrix_rank", "M")
  shape = _shape(M)
  if len(shape) < 2:
    return lax.convert_element_type(lax.ne(count_nonzero(M), 0), np.dtype(np.int64))
  if tol is not None and rtol is not None:
    raise ValueError("vjpkit.numpy.linalg.matrix_rank: pass tol or rtol, not both")
  if 0 in shape[-2:]:  # no singular values: rank 0, as NumPy
    return asarray(np.zeros(shape[:-2], np.int64))[()]
  s = lax.stop_gradient(la.svdvals(M))
  smax = _max(s, axis=-1, keepdims=True)
  if tol is None:
    r = float(max(shape[-2:]) * np.finfo(get_aval(M).dtype).eps) if rtol is None else \
        asarray(rtol)[..., None]
    cutoff = smax * r
  else:
    cutoff = asarray(tol)[..., None]
  return asarray(count_nonzero(greater(s, cutoff), axis=-1))


def _chain_order(dims: list[int]) -> list[list[int]]:
  """The split points of the cheapest parenthesization (the textbook dynamic program)."""
  n = len(dims) - 1
  cost = [[0] * n for _ in range(n)]
  split = [[0] * n for _ in range(n)]
  for length in range(1, n):
    for i in range(n - length):
      j = i + length
      cost[i][j] = -1
      for k in range(i, j):
        c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
        if cost[i][j] < 0 or c < cost[i][j]:
          cost[i][j], split[i][j] = c, k
  return split


def multi_dot(arrays: Sequence[Array], *, precision: Any = None) -> Array:
  """The product of a chain of matrices, multiplied in the order that needs the fewest
  scalar multiplications (the first may be a 1-D row vector, the last a 1-D column).

  >>> a, b, c = np.ones((10, 100)), np.ones((100, 5)), np.ones((5, 50))
  >>> multi_dot([a, b, c]).shape   # (a @ b) @ c: 7500 multiplications, not 75000
  (10, 50)
  """
  arrays = [asarray(a) for a in arrays]
  n = len(arrays)
  if n < 2:
    raise ValueError("vjpkit.numpy.linalg.multi_dot: expecting at least two arrays")
  first_1d, last_1d = get_aval(arrays[0]).ndim == 1, get_aval(arrays[-1]).ndim == 1
  if first_1d:
    arrays[0] = reshape(arrays[0], (1, -1))
  if last_1d:
    arrays[-1] = reshape(arrays[-1], (-1, 1))
  for k, a in enumerate(arrays):
    if get_aval(a).ndim != 2:
      raise ValueError(f"vjpkit.numpy.linalg.multi_dot: array {k} has {get_aval(a).ndim} "
                       "dimensions; all but the first and last must be 2-D")
  dims = [_shape(arrays[0])[0]] + [_shape(a)[1] for a in arrays]
  split = _chain_order(dims)

  def product(i, j):
    if i == j:
      return arrays[i]
    k = split[i][j]
    return matmul(product(i, k), product(k + 1, j))

  out = product(0, n - 1)
  if first_1d and last_1d:
    return out[0, 0]
  if first_1d:
    return out[0]
  if last_1d:
    return out[:, 0]
  return out


def outer(x1: Array, x2: Array, /) -> Array:
  """The outer product of two vectors (1-D only, as the array API's).

  >>> outer(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
  array([[ 1., 10.],
         [ 2., 20.]])
  """
  x1, x2 = asarray(x1), asarray(x2)
  if get_aval(x1).ndim != 1 or get_aval(x2).ndim != 1:
    raise ValueError(f"vjpkit.numpy.linalg.outer: x1 and x2 must be 1-D, got shapes "
                     f"{_shape(x1)} and {_shape(x2)}")
  return x1[:, None] * x2[None, :]


def cross(x1: Array, x2: Array, /, *, axis: int = -1) -> Array:
  """The cross product of 3-vectors along ``axis`` (the array API's: 3-vectors only).

  >>> cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
  array([0., 0., 1.])
  """
  x1, x2 = asarray(x1), asarray(x2)
  for x in (x1, x2):
    if not _shape(x) or _shape(x)[axis] != 3:
      raise ValueError(f"vjpkit.numpy.linalg.cross: the vectors along axis {axis} must have "
                       f"length 3; got shapes {_shape(x1)} and {_shape(x2)}")
  return _cross(x1, x2, axis=axis)


def diagonal(x: Array, /, *, offset: int = 0) -> Array:
  """The diagonals of the matrices in the last two axes.

  >>> diagonal(np.arange(8.0).reshape(2, 2, 2))
  array([[0., 3.],
         [4., 7.]])
  """
  return _diagonal(x, offset, -2, -1)


def trace(x: Array, /, *, offset: int = 0, dtype=None) -> Array:
  """The traces of the matrices in the last two axes.

  >>> trace(np.arange(8.0).reshape(2, 2, 2))
  array([ 3., 11.])
  """
  return _trace(x, offset, -2, -1, dtype)


def vecdot(x1: Array, x2: Array, /, *, axis: int = -1) -> Array:
  """The dot product of vectors along ``axis``.

  >>> vecdot(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0]))
  array([3., 7.])
  """
  return _vecdot(x1, x2, axis=axis)


def tensordot(x1: Array, x2: Array, /, *, axes=2) -> Array:
  """``vjpkit.numpy.tensordot`` with ``axes`` keyword-only (the array API's).

  >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
  (2, 4)
  """
  return _tensordot(x1, x2, axes)


def tensorinv(a: Array, ind: int = 2) -> Array:
  """The inverse of ``a`` seen as a linear map from its last axes to its first ``ind``:
  ``tensordot(tensorinv(a, ind), a, ind)`` is the identity of shape ``a.shape[ind:]``.

  >>> tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape
  (2, 2, 4)
  """
  la = _la()
  ind = operator.index(ind)
  if ind <= 0:
    raise ValueError("vjpkit.numpy.linalg.tensorinv: ind must be a positive integer")
  a = la._float_arg(a, "tensorinv")
  shape = _shape(a)
  out_shape, in_shape = shape[ind:], shape[:ind]
  rows, cols = int(np.prod(in_shape)), int(np.prod(out_shape))
  if rows != cols:
    raise la.LinAlgError(f"vjpkit.numpy.linalg.tensorinv: the first {ind} axes {in_shape} and "
                         f"the rest {out_shape} of 'a' must have the same number of entries")
  return reshape(la.inv(reshape(a, (rows, cols))), out_shape + in_shape)


def tensorsolve(a: Array, b: Array, axes: Sequence[int] | None = None) -> Array:
  """The ``x`` with ``tensordot(a, x, x.ndim) == b``; ``axes`` of ``a`` are moved to the end
  first.

  >>> a = np.eye(6).reshape(6, 2, 3)
  >>> tensorsolve(a, np.arange(6.0)).shape
  (2, 3)
  """
  la = _la()
  a, b = la._float_arg(a, "tensorsolve"), la._float_arg(b, "tensorsolve", "b")
  dtype = result_type(a, b)
  a, b = convert(a, dtype), convert(b, dtype)
  if axes is not None:
    nd = get_aval(a).ndim
    axes = [ax % nd for ax in axes]
    a = moveaxis(a, axes, list(range(nd - len(axes), nd)))
  sa, sb = _shape(a), _shape(b)
  x_shape = sa[len(sb):]
  rows, cols = int(np.prod(sb)), int(np.prod(x_shape))
  if sa[:len(sb)] != sb or rows != cols:
    raise la.LinAlgError(f"vjpkit.numpy.linalg.tensorsolve: 'a' of shape {sa} must start with "
                         f"b's shape {sb} and have as many entries after it")
  return reshape(la.solve(reshape(a, (rows, cols)), reshape(b, (rows,))), x_shape)
