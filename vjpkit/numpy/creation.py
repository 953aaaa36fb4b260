"""Array creation beyond zeros/ones/full: ranges, grids and constant matrices.

``arange``, ``eye``, ``identity`` and ``tri`` take only static arguments and
return NumPy arrays (constants). ``linspace`` and ``meshgrid`` are
differentiable in their array arguments.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, fresh, promote, size_arg
from .shapes import broadcast_to, reshape

Array = Any


def arange(start, stop=None, step=None, dtype=None) -> np.ndarray:
  """Evenly spaced values in ``[start, stop)`` (a constant; the bounds must be concrete).

  >>> arange(3)
  array([0, 1, 2])
  """
  args = [a for a in (start, stop, step) if a is not None]
  if any(isinstance(a, Tracer) for a in args):
    raise TypeError("arange: the bounds must be concrete numbers (the length of the result "
                    "depends on them); use linspace for a range with traced end points")
  return np.arange(*args, dtype=dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype=None) -> np.ndarray:
  """The identity-like matrix with ones on diagonal ``k`` (a constant).

  >>> eye(2)
  array([[1., 0.],
         [0., 1.]])
  """
  N, M = _sizes("eye", N, M)
  return np.eye(N, M, k, dtype=dtype or np.float64)


def identity(n: int, dtype=None) -> np.ndarray:
  """The n×n identity matrix (a constant).

  >>> identity(1)
  array([[1.]])
  """
  n = size_arg(n, "identity", "n")
  return np.identity(n, dtype=dtype or np.float64)


def tri(N: int, M: int | None = None, k: int = 0, dtype=None) -> np.ndarray:
  """Ones on and below diagonal ``k`` (a constant).

  >>> tri(2)
  array([[1., 0.],
         [1., 1.]])
  """
  N, M = _sizes("tri", N, M)
  return np.tri(N, M, k, dtype=dtype or np.float64)


def _sizes(who: str, N, M) -> tuple[int, int | None]:
  return size_arg(N, who, "N"), None if M is None else size_arg(M, who, "M")


def linspace(start: Array, stop: Array, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0):
  """``num`` evenly spaced values from ``start`` to ``stop``; differentiable in both.

  >>> linspace(0.0, 1.0, 5)
  array([0.  , 0.25, 0.5 , 0.75, 1.  ])
  """
  num = size_arg(num, "linspace", "num (the number of samples)")
  start, stop = promote(start, stop, inexact=True, who="linspace")
  shape = np.broadcast_shapes(get_aval(start).shape, get_aval(stop).shape)
  start, stop = broadcast_to(start, shape), broadcast_to(stop, shape)
  div = (num - 1) if endpoint else num
  out_shape = (num,) + shape
  bcast = lambda v: lax.broadcast_in_dim(v, out_shape, tuple(range(1, len(out_shape))))  # noqa: E731
  delta = lax.sub(stop, start)
  out = lax.add(_offsets(delta, num, div, out_shape, bcast), bcast(start))
  if endpoint and num > 1:  # the last value is exactly stop, as in NumPy
    out = lax.concatenate([lax.slice_in_dim(out, 0, num - 1), lax.expand_dims(stop, (0,))], 0)
  out = lax.moveaxis(out, 0, canonical_axis(axis, len(out_shape)))
  if dtype is not None:
    if np.issubdtype(dtype, np.integer):  # NumPy floors before the cast (-0.5 -> -1, not 0)
      out = lax.floor(out)
    out = asarray(out, np.dtype(dtype))
  if retstep:
    return out, lax.div(delta, np.array(div, get_aval(delta).dtype)[()]) if div > 0 else np.nan
  return out


def _offsets(delta, num: int, div: int, out_shape: tuple, bcast):
  """``i * (delta / div)`` for ``i < num``, NumPy's rounding; where a step underflows to 0
  (a subnormal ``delta``), ``(i / div) * delta`` for all, as NumPy."""
  dtype = get_aval(delta).dtype
  i = np.arange(num, dtype=dtype)
  if div <= 0:
    return lax.mul(lax.broadcast_in_dim(i, out_shape, (0,)), bcast(delta))
  step = lax.div(delta, lax.full((), div, dtype))
  by_step = lax.mul(lax.broadcast_in_dim(i, out_shape, (0,)), bcast(step))
  underflow = lax.eq(step, lax.full((), 0, dtype))
  if get_aval(underflow).shape:
    underflow = lax.reduce_or(underflow, tuple(range(len(get_aval(underflow).shape))))
  known = underflow if not isinstance(underflow, Tracer) else None
  if known is not None and not bool(known):
    return by_step
  by_fraction = lax.mul(lax.broadcast_in_dim(i / div, out_shape, (0,)), bcast(delta))
  if known is not None:
    return by_fraction
  return lax.select_n(lax.broadcast_in_dim(underflow, out_shape, ()), by_step, by_fraction)


def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> tuple:
  """Coordinate arrays from coordinate vectors (``indexing='xy'`` or ``'ij'``).

  >>> [g.shape for g in meshgrid([1.0, 2.0, 3.0], [4.0, 5.0])]
  [(2, 3), (2, 3)]
  """
  if indexing not in ("xy", "ij"):
    raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
  xs = [reshape(asarray(x), (-1,)) for x in xi]
  n = len(xs)
  out = []
  for i, x in enumerate(xs):
    shape = [1] * n
    shape[i] = -1
    if indexing == "xy" and n > 1 and i < 2:
      shape[0], shape[1] = shape[1], shape[0]
    out.append(reshape(x, tuple(shape)))
  if not sparse:
    full = np.broadcast_shapes(*[get_aval(o).shape for o in out])
    out = [broadcast_to(o, full) for o in out]
  if copy:  # new writable arrays, as NumPy's (copy=False: views, read-only ones if broadcast)
    out = [fresh(o, xi) for o in out]
  return tuple(out)
