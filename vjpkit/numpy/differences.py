"""Differences, numerical derivatives and integrals: ``diff``, ``ediff1d``, ``gradient``,
``trapezoid``.

All are slices combined arithmetically, so they are differentiable in every floating
argument (including the sample coordinates of ``gradient`` and ``trapezoid``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, axis_seq, canonical_axis, convert, promote_inexact
from . import ufuncs
from .shapes import broadcast_to, concatenate, ravel

Array = Any


def _slice(x, start: int, stop: int | None, axis: int):
  """``x[start:stop]`` along ``axis`` (negative bounds count from the end)."""
  n = get_aval(x).shape[axis]
  start, stop, _ = slice(start, stop).indices(n)
  return lax.slice_in_dim(x, start, max(start, stop), axis=axis)


def _edge(x, value, axis: int):
  """``value`` as an array with ``x``'s shape but length 1 along ``axis`` (a scalar is
  broadcast, as NumPy does for ``prepend=``/``append=``)."""
  value = asarray(value)
  if get_aval(value).ndim == 0:
    shape = list(get_aval(x).shape)
    shape[axis] = 1
    return broadcast_to(value, tuple(shape))
  return value


def diff(a: Array, n: int = 1, axis: int = -1, prepend: Array | None = None,
         append: Array | None = None) -> Array:
  """The ``n``-th discrete difference ``a[1:] - a[:-1]`` along ``axis``.

  >>> diff([1.0, 4.0, 9.0, 16.0])
  array([3., 5., 7.])
  >>> diff([1.0, 4.0, 9.0, 16.0], n=2, prepend=0.0)
  array([2., 2., 2.])
  """
  a = asarray(a)
  n = int(n)
  if n < 0:
    raise ValueError(f"diff: order must be non-negative but got {n}")
  if n == 0:
    return a
  nd = get_aval(a).ndim
  if nd == 0:
    raise ValueError("diff requires input that is at least one dimensional")
  axis = canonical_axis(axis, nd)
  if prepend is not None or append is not None:
    parts = ([_edge(a, prepend, axis)] if prepend is not None else []) + [a] + (
        [_edge(a, append, axis)] if append is not None else [])
    a = concatenate(parts, axis)
  is_bool = get_aval(a).dtype.kind == "b"
  for _ in range(n):
    hi, lo = _slice(a, 1, None, axis), _slice(a, 0, -1, axis)
    a = ufuncs.not_equal(hi, lo) if is_bool else ufuncs.subtract(hi, lo)
  return a


def ediff1d(ary: Array, to_end: Array | None = None, to_begin: Array | None = None) -> Array:
  """Differences of the flattened ``ary``, with ``to_begin``/``to_end`` attached
  (cast to ``ary``'s dtype, as NumPy does).

  >>> ediff1d([1.0, 2.0, 4.0], to_begin=-1.0, to_end=[10.0, 20.0])
  array([-1.,  1.,  2., 10., 20.])
  """
  a = ravel(asarray(ary))
  dtype = get_aval(a).dtype
  d = ufuncs.subtract(_slice(a, 1, None, 0), _slice(a, 0, -1, 0))
  parts: list = []
  for extra, where in ((to_begin, "to_begin"), (to_end, "to_end")):
    if extra is None:
      parts.append(None)
      continue
    extra = asarray(extra)
    if not np.can_cast(get_aval(extra).dtype, dtype, casting="same_kind"):
      raise TypeError(f"ediff1d: dtype of `{where}` ({get_aval(extra).dtype}) must be compatible "
                      f"with input `ary` ({dtype}) under the `same_kind` rule.")
    parts.append(ravel(convert(extra, dtype)))
  return concatenate([p for p in (parts[0], d, parts[1]) if p is not None], 0)


def _axes_of(axis, nd: int) -> list[int]:
  if axis is None:
    return list(range(nd))
  out = [canonical_axis(ax, nd) for ax in axis_seq(axis)]
  if len(set(out)) != len(out):
    raise ValueError("gradient: duplicate value in 'axis'")
  return out


def _along(v, axis: int, nd: int):
  """A 1-D ``v`` shaped to broadcast along ``axis`` of an ``nd``-dimensional array."""
  shape = [1] * nd
  shape[axis] = get_aval(v).shape[0]
  return lax.reshape(v, tuple(shape))


def _gradient_axis(f, h, axis: int, edge_order: int):
  nd = get_aval(f).ndim
  n = get_aval(f).shape[axis]
  if n < edge_order + 1:
    raise ValueError("Shape of array too small to calculate a numerical gradient, at least "
                     "(edge_order + 1) elements are required.")
  s = lambda a, b: _slice(f, a, b, axis)  # noqa: E731
  add, sub, mul, div = ufuncs.add, ufuncs.subtract, ufuncs.multiply, ufuncs.true_divide
  if get_aval(h).ndim == 0:  # uniform spacing
    interior = div(sub(s(2, None), s(0, -2)), mul(2.0, h))
    if edge_order == 1:
      first = div(sub(s(1, 2), s(0, 1)), h)
      last = div(sub(s(-1, None), s(-2, -1)), h)
    else:
      first = div(add(sub(mul(-1.5, s(0, 1)), mul(-2.0, s(1, 2))), mul(-0.5, s(2, 3))), h)
      last = div(add(sub(mul(0.5, s(-3, -2)), mul(2.0, s(-2, -1))), mul(1.5, s(-1, None))), h)
    return concatenate([first, interior, last], axis)
  if get_aval(h).shape != (n,):
    raise ValueError("gradient: when 1-D, the coordinate arrays must have the length of the "
                     "corresponding dimension")
  dx = diff(h)
  g = lambda v: _along(v, axis, nd)  # noqa: E731
  dx1, dx2 = _slice(dx, 0, -1, 0), _slice(dx, 1, None, 0)
  a = g(div(ufuncs.negative(dx2), mul(dx1, add(dx1, dx2))))
  b = g(div(sub(dx2, dx1), mul(dx1, dx2)))
  c = g(div(dx1, mul(dx2, add(dx1, dx2))))
  interior = add(add(mul(a, s(0, -2)), mul(b, s(1, -1))), mul(c, s(2, None)))
  if edge_order == 1:
    first = div(sub(s(1, 2), s(0, 1)), g(_slice(dx, 0, 1, 0)))
    last = div(sub(s(-1, None), s(-2, -1)), g(_slice(dx, -1, None, 0)))
  else:
    d1, d2 = g(_slice(dx, 0, 1, 0)), g(_slice(dx, 1, 2, 0))
    a0 = ufuncs.negative(div(add(mul(2.0, d1), d2), mul(d1, add(d1, d2))))
    b0 = div(add(d1, d2), mul(d1, d2))
    c0 = ufuncs.negative(div(d1, mul(d2, add(d1, d2))))
    first = add(add(mul(a0, s(0, 1)), mul(b0, s(1, 2))), mul(c0, s(2, 3)))
    d1, d2 = g(_slice(dx, -2, -1, 0)), g(_slice(dx, -1, None, 0))
    a1 = div(d2, mul(d1, add(d1, d2)))
    b1 = ufuncs.negative(div(add(d2, d1), mul(d1, d2)))
    c1 = div(add(mul(2.0, d2), d1), mul(d2, add(d1, d2)))
    last = add(add(mul(a1, s(-3, -2)), mul(b1, s(-2, -1))), mul(c1, s(-1, None)))
  return concatenate([first, interior, last], axis)


def gradient(f: Array, *varargs: Array, axis: int | Sequence[int] | None = None,
             edge_order: int = 1) -> Array | tuple:
  """The gradient of sampled ``f`` by central differences in the interior and one-sided
  differences (first or second order, ``edge_order``) at the boundaries.

  ``varargs`` are the spacings: none (unit spacing), one for all axes, or one per axis,
  each a scalar step or the 1-D coordinates along that axis. One axis gives an array,
  several a tuple of arrays (as NumPy 2).

  >>> gradient([1.0, 2.0, 4.0, 7.0])
  array([1. , 1.5, 2.5, 3. ])
  >>> gradient([1.0, 4.0, 9.0], [0.0, 1.0, 3.0], edge_order=2)
  array([3.16666667, 2.83333333, 2.16666667])
  """
  f = promote_inexact(asarray(f), "gradient")
  nd = get_aval(f).ndim
  axes = _axes_of(axis, nd)
  if edge_order not in (1, 2):
    raise ValueError("gradient: 'edge_order' greater than 2 not supported")
  if len(varargs) == 0:
    spacings = [1.0] * len(axes)
  elif len(varargs) == 1 and get_aval(asarray(varargs[0])).ndim == 0:
    spacings = list(varargs) * len(axes)
  elif len(varargs) == len(axes):
    spacings = list(varargs)
  else:
    raise TypeError("gradient: invalid number of arguments (give no spacing, one scalar "
                    "spacing, or one spacing per axis)")
  dtype = get_aval(f).dtype
  out = []
  for ax, h in zip(axes, spacings):
    h = asarray(h)
    if get_aval(h).ndim > 1:
      raise ValueError("gradient: distances must be either scalars or 1d")
    h = promote_inexact(h, "gradient")
    if get_aval(h).ndim == 0:
      h = convert(h, dtype)
    # NumPy writes every result into an array of f's dtype
    out.append(convert(_gradient_axis(f, h, ax, edge_order), dtype))
  return out[0] if len(out) == 1 else tuple(out)


def trapezoid(y: Array, x: Array | None = None, dx: Array = 1.0, axis: int = -1) -> Array:
  """The integral of sampled ``y`` by the trapezoidal rule along ``axis``, at sample
  points ``x`` (1-D, or ``y``'s shape) or with uniform step ``dx``.

  >>> trapezoid([1.0, 2.0, 3.0])
  np.float64(4.0)
  >>> trapezoid([1.0, 2.0, 3.0], x=[0.0, 1.0, 3.0])
  np.float64(6.5)
  """
  y = promote_inexact(asarray(y), "trapezoid")
  nd = get_aval(y).ndim
  axis = canonical_axis(axis, nd)
  if x is None:
    d = dx if isinstance(dx, (int, float)) else asarray(dx)  # a Python number stays weak
  else:
    x = asarray(x)
    if get_aval(x).ndim == 1:
      d = _along(diff(x), axis, nd)
    else:
      d = diff(x, axis=axis)
  mid = ufuncs.add(_slice(y, 1, None, axis), _slice(y, 0, -1, axis))
  from .reductions import sum as _sum
  return ufuncs.true_divide(_sum(ufuncs.multiply(d, mid), axis=axis), 2.0)
