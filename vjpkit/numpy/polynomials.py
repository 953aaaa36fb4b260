"""Polynomials as coefficient arrays, highest power first (NumPy's ``poly*`` functions):
``polyval``, ``polyadd``, ``polysub``, ``polymul``, ``polyder``, ``polyint``,
``polyfit``, and the Vandermonde matrix ``vander``.

All are differentiable in the coefficients and points. ``polyfit`` is the least-squares
solution through the pseudo-inverse of the (column-scaled) Vandermonde matrix, so it
is differentiable in ``y`` (linearly) and in ``x`` and ``w``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, check_real, convert, result_type
from . import ufuncs
from .shapes import atleast_1d, concatenate

Array = Any


def _poly(p, who: str):
  p = atleast_1d(asarray(p))
  if get_aval(p).ndim != 1:
    raise ValueError(f"{who}: the coefficients must be a 1-D array")
  return p


def polyval(p: Array, x: Array) -> Array:
  """The polynomial with coefficients ``p`` (highest power first) at ``x``, by Horner's rule.

  >>> polyval([1.0, 2.0, 3.0], 2.0)
  np.float64(11.0)
  """
  if get_aval(asarray(p)).ndim == 0:
    raise TypeError("polyval: p must be a 1-D array of coefficients (iteration over a 0-d array)")
  p = _poly(p, "polyval")
  x = asarray(x)
  dtype = result_type(p, x)
  p, x = convert(p, dtype), convert(x, dtype)
  y: Any = np.zeros(get_aval(x).shape, dtype)
  for i in range(get_aval(p).shape[0]):
    y = ufuncs.add(ufuncs.multiply(y, x), lax.squeeze(lax.slice_in_dim(p, i, i + 1), (0,)))
  return y


def _aligned(a1, a2, who):
  a1, a2 = _poly(a1, who), _poly(a2, who)
  dtype = result_type(a1, a2)
  a1, a2 = convert(a1, dtype), convert(a2, dtype)
  n1, n2 = get_aval(a1).shape[0], get_aval(a2).shape[0]
  if n1 < n2:
    a1 = concatenate([np.zeros(n2 - n1, dtype), a1])
  elif n2 < n1:
    a2 = concatenate([np.zeros(n1 - n2, dtype), a2])
  return a1, a2


def polyadd(a1: Array, a2: Array) -> Array:
  """The sum of two polynomials.

  >>> polyadd([1.0, 2.0], [1.0, 1.0, 1.0])
  array([1., 2., 3.])
  """
  return ufuncs.add(*_aligned(a1, a2, "polyadd"))


def polysub(a1: Array, a2: Array) -> Array:
  """The difference of two polynomials.

  >>> polysub([1.0, 2.0], [1.0, 1.0, 1.0])
  array([-1.,  0.,  1.])
  """
  return ufuncs.subtract(*_aligned(a1, a2, "polysub"))


def polymul(a1: Array, a2: Array) -> Array:
  """The product of two polynomials (the convolution of their coefficients).

  >>> polymul([1.0, 2.0], [3.0, 4.0])
  array([ 3., 10.,  8.])
  """
  a1, a2 = _poly(a1, "polymul"), _poly(a2, "polymul")
  dtype = result_type(a1, a2)
  if dtype == np.bool_:
    dtype = np.dtype(np.int64)
  a1, a2 = convert(a1, dtype), convert(a2, dtype)
  n, m = get_aval(a1).shape[0], get_aval(a2).shape[0]
  outer = ufuncs.multiply(lax.reshape(a1, (n, 1)), lax.reshape(a2, (1, m)))
  target = (np.arange(n)[:, None] + np.arange(m)[None, :]).reshape(n * m, 1)
  return lax.scatter_add(np.zeros(n + m - 1, dtype), target, lax.reshape(asarray(outer), (n * m,)),
                         (0,))


def polyder(p: Array, m: int = 1) -> Array:
  """The ``m``-th derivative of a polynomial.

  >>> polyder([1.0, 1.0, 1.0, 1.0])
  array([3., 2., 1.])
  """
  m = int(m)
  if m < 0:
    raise ValueError("Order of derivative must be positive (see polyint)")
  p = _poly(p, "polyder")
  for _ in range(m):
    n = get_aval(p).shape[0] - 1
    p = ufuncs.multiply(lax.slice_in_dim(p, 0, max(n, 0)), np.arange(n, 0, -1))
  return p


def polyint(p: Array, m: int = 1, k: Array | None = None) -> Array:
  """The ``m``-th antiderivative of a polynomial, with integration constants ``k``
  (one per integration, the first one used first; a scalar serves them all).

  >>> polyint([3.0, 2.0, 1.0], k=5.0)
  array([1., 1., 1., 5.])
  """
  m = int(m)
  if m < 0:
    raise ValueError("Order of integral must be positive (see polyder)")
  p = _poly(p, "polyint")
  if k is None:
    ks: list = [0.0] * m
  elif isinstance(k, (int, float)) or get_aval(asarray(k)).ndim == 0:
    ks = [k] * m
  else:
    ka = asarray(k)
    if get_aval(ka).shape[0] < m:
      raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    ks = [lax.slice_in_dim(ka, i, i + 1) for i in range(m)]
  for i in range(m):
    n = get_aval(p).shape[0]
    p = ufuncs.true_divide(p, np.arange(n, 0, -1))
    c = ks[i]
    c = atleast_1d(asarray(c)) if not isinstance(c, (int, float)) else np.array([c], np.float64)
    dtype = result_type(p, c)
    p = concatenate([convert(p, dtype), convert(c, dtype)])
  return p


def vander(x: Array, N: int | None = None, increasing: bool = False) -> Array:
  """The Vandermonde matrix: columns are powers of the 1-D ``x`` (decreasing by default).

  >>> vander([1.0, 2.0, 3.0], 3)
  array([[1., 1., 1.],
         [4., 2., 1.],
         [9., 3., 1.]])
  """
  x = asarray(x)
  if get_aval(x).ndim != 1:
    raise ValueError("x must be a one-dimensional array or sequence.")
  n = get_aval(x).shape[0]
  N = n if N is None else int(N)
  dtype = np.promote_types(get_aval(x).dtype, np.int64)
  x = convert(x, dtype)
  cols = [np.ones((n, 1), dtype)] if N > 0 else [np.ones((n, 0), dtype)]
  if N > 1:
    rep = lax.broadcast_in_dim(x, (n, N - 1), (0,))
    cols.append(lax.cumprod(rep, 1))
  v = lax.concatenate([asarray(c) for c in cols], 1)
  return v if increasing else lax.rev(v, (1,))


def polyfit(x: Array, y: Array, deg: int, rcond: float | None = None, full: bool = False,
            w: Array | None = None, cov: bool = False) -> Array:
  """The least-squares polynomial of degree ``deg`` through ``(x, y)`` (columns of a 2-D
  ``y`` are fitted separately), optionally with weights ``w``; highest power first.

  >>> polyfit([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0], 1)
  array([2., 1.])
  """
  if full or cov:
    raise NotImplementedError("polyfit: full=True and cov=True are not supported; compute the "
                              "residuals from polyval(coefficients, x) - y instead")
  deg = int(deg)
  if deg < 0:
    raise ValueError("expected deg >= 0")
  x, y = asarray(x), asarray(y)
  if get_aval(x).ndim != 1:
    raise TypeError("expected 1D vector for x")
  if get_aval(x).shape[0] == 0:
    raise TypeError("expected non-empty vector for x")
  if get_aval(y).ndim not in (1, 2):
    raise TypeError("expected 1D or 2D array for y")
  if get_aval(x).shape[0] != get_aval(y).shape[0]:
    raise TypeError("expected x and y to have same length")
  dtype = np.result_type(result_type(x, y), np.float64)
  check_real(dtype, "polyfit")
  x, y = convert(x, dtype), convert(y, dtype)
  n = get_aval(x).shape[0]
  if rcond is None:
    rcond = n * np.finfo(dtype).eps
  lhs = vander(x, deg + 1)
  rhs = y
  if w is not None:
    w = convert(asarray(w), dtype)
    if get_aval(w).shape != (n,):
      raise TypeError("expected a 1-d array for weights of the length of x")
    lhs = ufuncs.multiply(lhs, lax.reshape(w, (n, 1)))
    rhs = ufuncs.multiply(rhs, w if get_aval(y).ndim == 1 else lax.reshape(w, (n, 1)))
  from .reductions import sum as _sum
  scale = ufuncs.sqrt(_sum(ufuncs.multiply(lhs, lhs), axis=0))
  lhs = ufuncs.true_divide(lhs, scale)
  from .linalg import pinv
  from .products import matmul
  c = matmul(pinv(lhs, rcond), rhs)
  return ufuncs.true_divide(c, scale if get_aval(y).ndim == 1 else lax.reshape(scale, (deg + 1, 1)))
