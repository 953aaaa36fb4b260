"""More polynomials (coefficients highest power first, as ``numpy.poly*``): ``poly``
(from roots), ``polydiv`` (long division), ``roots``; and ``unwrap`` of phases.

>>> poly(np.array([1.0, 2.0]))
array([ 1., -3.,  2.])
>>> polydiv(np.array([1.0, -3.0, 2.0]), np.array([1.0, -1.0]))
(array([ 1., -2.]), array([0., 0., 0.]))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, convert
from .differences import diff
from .polynomials import polymul
from .shapes import concatenate, expand_dims, ravel, zeros_like
from .ufuncs import abs as _abs, logical_and, mod, where

Array = Any

__all__ = ["poly", "polydiv", "roots", "unwrap"]


def poly(seq_of_zeros: Array) -> Array:
  """The monic polynomial with the given (real) roots; for a square matrix, its
  characteristic polynomial (concrete matrices only: it needs eigenvalues).

  >>> poly(np.array([0.5, -1.0, 2.0]))
  array([ 1. , -1.5, -1.5,  1. ])
  """
  z = asarray(seq_of_zeros)
  shape = get_aval(z).shape
  if len(shape) == 2 and shape[0] == shape[1] and shape[0] > 0:
    if isinstance(z, Tracer):
      raise TypeError("vjpkit.numpy.poly of a traced matrix is not supported (it needs "
                      "eigenvalues, possibly complex); pass its eigenvalues (eigvalsh for a "
                      "symmetric matrix) instead")
    return np.poly(np.asarray(z))
  if len(shape) != 1:
    raise ValueError("vjpkit.numpy.poly: input must be 1d or non-empty square 2d array.")
  z = convert(z, np.dtype(np.float64)) if get_aval(z).dtype.kind not in "fc" else z
  out: Any = np.ones(1, get_aval(z).dtype)
  for k in range(shape[0]):
    out = polymul(out, concatenate([np.ones(1, get_aval(z).dtype), -expand_dims(z[k], 0)]))
  return out


def polydiv(u: Array, v: Array, *, trim_leading_zeros: bool = False) -> tuple[Array, Array]:
  """Quotient and remainder of ``u / v``. The remainder has ``len(u)`` coefficients (its
  leading ones zero), as JAX's, unless ``trim_leading_zeros`` (NumPy's result; concrete
  only, since its length depends on the values).

  >>> polydiv(np.array([1.0, 0.0, -1.0]), np.array([2.0, 2.0]), trim_leading_zeros=True)
  (array([ 0.5, -0.5]), array([0.]))
  """
  u, v = ravel(asarray(u)), ravel(asarray(v))
  dtype = np.result_type(get_aval(u).dtype, get_aval(v).dtype, np.float16)
  u, v = convert(u, dtype), convert(v, dtype)
  m, n = get_aval(u).shape[0], get_aval(v).shape[0]
  if n == 0:
    raise ValueError("vjpkit.numpy.polydiv: the divisor has no coefficients")
  scale = lax.div(np.array(1, get_aval(v).dtype)[()], v[0])
  q = []
  r = u
  for k in range(max(m - n + 1, 0)):
    d = lax.mul(scale, r[k])
    q.append(d)
    r = concatenate([r[:k], r[k:k + n] - d * v, r[k + n:]])
    r = concatenate([r[:k], zeros_like(r[k:k + 1]), r[k + 1:]])
  quotient = concatenate([expand_dims(c, 0) for c in q]) if q else np.zeros(1, get_aval(u).dtype)
  if not trim_leading_zeros:
    return quotient, r
  rv = lax.concrete_or_none(r)
  if rv is None:
    raise ValueError("vjpkit.numpy.polydiv: trim_leading_zeros=True makes the result's length "
                     "depend on the values, so it needs concrete arguments")
  rv = np.asarray(rv)
  while rv.shape[0] > 1 and np.allclose(rv[0], 0, rtol=1e-14):
    rv = rv[1:]
  return quotient, r[r.shape[0] - rv.shape[0]:]


def roots(p: Array, *, strip_zeros: bool = True) -> Array:
  """The roots of the polynomial ``p`` (NumPy's values: the eigenvalues of the companion
  matrix, complex if any root is); concrete ``p`` only, no derivative.

  >>> roots(np.array([1.0, -3.0, 2.0]))
  array([2., 1.])
  """
  v = lax.concrete_or_none(asarray(p))
  if v is None:
    raise TypeError("vjpkit.numpy.roots needs a concrete polynomial (the companion matrix's "
                    "eigenvalues are computed by NumPy; they may be complex)")
  v = np.asarray(v)
  if not strip_zeros:
    lead = len(v) - len(np.trim_zeros(v, "f"))
    return np.concatenate([np.zeros(lead, complex if lead else v.dtype), np.roots(v)]) if lead \
        else np.roots(v)
  return np.roots(v)


def unwrap(p: Array, discont: Array | None = None, axis: int = -1, *,
           period: Array = 2 * np.pi) -> Array:
  """``p`` with jumps larger than ``discont`` (default ``period / 2``) between neighbours
  along ``axis`` removed by adding multiples of ``period``, as NumPy's. The corrections are
  piecewise constant: the derivative is that of ``p``.

  >>> unwrap(np.array([0.0, 3.0, 6.5, 0.2]))
  array([0.        , 3.        , 0.21681469, 0.2       ])
  """
  p = asarray(p)
  if get_aval(p).dtype.kind not in "fc":
    p = convert(p, np.dtype(np.float64))
  nd = get_aval(p).ndim
  if nd == 0:
    raise ValueError("vjpkit.numpy.unwrap: diff requires input that is at least one "
                     "dimensional")
  axis = canonical_axis(axis, nd)
  dd = diff(p, axis=axis)
  if discont is None:
    discont = period / 2
  high = period / 2
  low = -high
  dd_const = lax.stop_gradient(dd)
  ddmod = mod(dd_const - low, period) + low
  ddmod = where(logical_and(ddmod == low, dd_const > 0), high, ddmod)
  correct = where(_abs(dd_const) < discont, 0.0, ddmod - dd_const)
  cum = lax.cumsum(correct, axis)
  first = lax.slice_in_dim(p, 0, 1, axis=axis)
  rest = lax.slice_in_dim(p, 1, get_aval(p).shape[axis], axis=axis)
  return concatenate([first, rest + cum], axis=axis)
