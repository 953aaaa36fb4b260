"""Cumulative reductions along one axis: cumsum, cumprod, cummax, cummin, cumlogsumexp.

Each is a primitive so that its value is exactly NumPy's (``np.cumsum``,
``np.cumprod``, ``np.maximum.accumulate``) in one pass. ``cumsum`` is linear:
its transpose is a cumsum in the other direction. The others take their JVP
from a composite prefix scan built of ``slice``, ``concatenate`` and the
combining operation, so derivatives of every order are exact, also at zeros
of ``cumprod`` (no division) and at ties of ``cummax`` (shared like ``max``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.jvp import deflinear, jvp_flat
from . import elementwise as ew
from . import shapes


def _abstract_eval(x, *, axis, reverse):
  if not 0 <= axis < x.ndim:
    raise TypeError(f"cumulative axis {axis} is out of range for {x.str_short()}")
  return ShapedArray(x.shape, x.dtype)


def _batch(prim):
  def rule(vals, dims, *, axis, reverse):
    d = dims[0]
    return prim.bind(vals[0], axis=axis + (axis >= d), reverse=reverse), d
  return rule


def _cumulative(name: str, accumulate: Callable) -> Primitive:
  def impl(x, *, axis, reverse):
    x = np.asarray(x)
    if reverse:
      return np.flip(accumulate(np.flip(x, axis), axis=axis), axis)
    return accumulate(x, axis=axis)
  p = Primitive(name, impl=impl, abstract_eval=_abstract_eval)
  p.def_batching(_batch(p))
  return p


def prefix_scan(combine: Callable, x, axis: int, reverse: bool = False):
  """Inclusive scan of ``combine`` along ``axis`` in ceil(log2 n) vectorised steps
  (Hillis-Steele), from lax primitives only: the derivative of every cumulative op."""
  n = get_aval(x).shape[axis]
  if reverse:
    x = shapes.rev(x, (axis,))
  k = 1
  while k < n:
    head = shapes.slice_in_dim(x, 0, k, axis=axis)
    tail = combine(shapes.slice_in_dim(x, k, n, axis=axis), shapes.slice_in_dim(x, 0, n - k, axis=axis))
    x = shapes.concatenate([head, tail], axis)
    k *= 2
  return shapes.rev(x, (axis,)) if reverse else x


def _scan_jvp(prim, combine):
  def jvp(primals, tangents, *, axis, reverse):
    ans = prim.bind(*primals, axis=axis, reverse=reverse)
    _, (t_out,) = jvp_flat(lambda x: [prefix_scan(combine, x, axis, reverse)],
                           primals, tangents, instantiate_zeros=False)
    return ans, t_out
  prim.def_jvp(jvp, symbolic_zeros=True)


def _in_own_dtype(accumulate: Callable) -> Callable:
  """``accumulate`` in the operand's dtype (NumPy's default widens small integers to
  int64, which the primitive's int8 result type, and JAX's wrapping, do not)."""
  return lambda x, axis: accumulate(x, axis=axis, dtype=x.dtype)


cumsum_p = _cumulative("cumsum", _in_own_dtype(np.cumsum))
deflinear(cumsum_p, lambda ct, x, *, axis, reverse: [cumsum(ct, axis, not reverse)])

cumprod_p = _cumulative("cumprod", _in_own_dtype(np.cumprod))
_scan_jvp(cumprod_p, ew.mul)

cummax_p = _cumulative("cummax", np.maximum.accumulate)
_scan_jvp(cummax_p, ew.max)

cummin_p = _cumulative("cummin", np.minimum.accumulate)
_scan_jvp(cummin_p, ew.min)


def _logaddexp(a, b):
  """``log(exp(a) + exp(b))``, per element the exact smooth branch ``a + log1p(exp(b - a))``
  where ``a >= b``, else the one with ``a`` and ``b`` swapped: derivatives of every order
  are exact, also at ties (1/2 each)."""
  first = ew.ge(a, b)
  out = ew.add(ew.select_n(first, b, a),
               ew.log1p(ew.exp(ew.select_n(first, ew.sub(a, b), ew.sub(b, a)))))
  hi = ew.max(a, b)
  inf = np.array(np.inf, get_aval(hi).dtype)[()]
  return ew.select_n(ew.eq(ew.abs(hi), inf), out, hi)  # both -inf (or an inf): hi, not nan


cumlogsumexp_p = _cumulative("cumlogsumexp", np.logaddexp.accumulate)
_scan_jvp(cumlogsumexp_p, _logaddexp)


def _bind(prim, x, axis, reverse):
  ndim = get_aval(x).ndim
  if not -ndim <= axis < ndim:
    raise ValueError(f"axis {axis} is out of range for an array of dimension {ndim}")
  return prim.bind(x, axis=int(axis) % ndim, reverse=bool(reverse))


def cumsum(x, axis: int = 0, reverse: bool = False):
  """Running sums along ``axis`` (from the end when ``reverse``).

  >>> cumsum(np.array([1.0, 2.0, 3.0]), reverse=True)
  array([6., 5., 3.])
  """
  return _bind(cumsum_p, x, axis, reverse)


def cumprod(x, axis: int = 0, reverse: bool = False):
  """Running products along ``axis``; derivatives are exact at zeros.

  >>> cumprod(np.array([1.0, 2.0, 3.0]))
  array([1., 2., 6.])
  """
  return _bind(cumprod_p, x, axis, reverse)


def cummax(x, axis: int = 0, reverse: bool = False):
  """Running maxima along ``axis``; tied entries share the derivative.

  >>> cummax(np.array([1.0, 3.0, 2.0]))
  array([1., 3., 3.])
  """
  return _bind(cummax_p, x, axis, reverse)


def cumlogsumexp(x, axis: int = 0, reverse: bool = False):
  """Running ``log(sum(exp(x)))`` along ``axis``, without overflow.

  >>> cumlogsumexp(np.array([1.0, 1.0, 900.0]))
  array([  1.        ,   1.69314718, 900.        ])
  """
  if get_aval(x).dtype.kind != "f":
    raise TypeError(f"cumlogsumexp needs a float operand, got {get_aval(x).dtype.name}")
  return _bind(cumlogsumexp_p, x, axis, reverse)


def cummin(x, axis: int = 0, reverse: bool = False):
  """Running minima along ``axis``; tied entries share the derivative.

  >>> cummin(np.array([3.0, 1.0, 2.0]))
  array([3., 1., 1.])
  """
  return _bind(cummin_p, x, axis, reverse)
