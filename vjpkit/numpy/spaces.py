"""Logarithmic ranges and uninitialised arrays: ``logspace``, ``geomspace``, ``empty``.

``logspace`` and ``geomspace`` are ``power``/``exp`` of ``linspace``, differentiable in
their end points (and ``logspace`` in ``base``). ``empty`` returns zeros, as JAX does:
vjpkit never hands out uninitialised memory.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, convert, promote, result_type
from . import ufuncs
from .creation import linspace
from .shapes import zeros

Array = Any


def empty(shape: Any, dtype=None) -> np.ndarray:
  """Zeros of ``shape`` (float64 by default), as JAX's ``empty``.

  >>> empty((2,))
  array([0., 0.])
  """
  return zeros(shape, dtype)


def logspace(start: Array, stop: Array, num: int = 50, endpoint: bool = True,
             base: Array = 10.0, dtype=None, axis: int = 0) -> Array:
  """``base ** linspace(start, stop, num)``; differentiable in ``start``, ``stop``, ``base``.

  >>> logspace(0.0, 2.0, 3)
  array([  1.,  10., 100.])
  """
  b = base if isinstance(base, (int, float)) else asarray(base)
  if isinstance(b, (int, float)) or get_aval(b).ndim == 0:
    y = linspace(start, stop, num, endpoint=endpoint, axis=axis)
  else:  # NumPy: start, stop and base at one rank, base expanded at axis
    start, stop = asarray(start), asarray(stop)
    nd = len(np.broadcast_shapes(*[get_aval(v).shape for v in (start, stop, b)]))
    start, stop, b = (lax.reshape(v, (1,) * (nd - get_aval(v).ndim) + get_aval(v).shape)
                      for v in (start, stop, b))
    y = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    b = lax.expand_dims(b, (canonical_axis(axis, get_aval(y).ndim),))
  out = ufuncs.power(b, y)
  return out if dtype is None else convert(out, np.dtype(dtype))


def geomspace(start: Array, stop: Array, num: int = 50, endpoint: bool = True, dtype=None,
              axis: int = 0) -> Array:
  """``num`` values from ``start`` to ``stop`` (both nonzero, of one sign) spaced evenly
  on a log scale; the end points are exact. Differentiable in both.

  >>> geomspace(1.0, 1000.0, 4)
  array([   1.,   10.,  100., 1000.])
  """
  start, stop = promote(start, stop, inexact=True, who="geomspace")
  for v in (start, stop):
    if not isinstance(v, Tracer) and np.any(np.asarray(v) == 0):
      raise ValueError("Geometric sequence cannot include zero")
  # NumPy: result_type(start, stop, float(num), zeros((), dtype)), so float64 by default
  dt = np.result_type(result_type(start, stop), np.dtype(dtype) if dtype is not None else np.float64)
  start, stop = convert(start, dt), convert(stop, dt)
  sign = ufuncs.sign(start)
  s0, s1 = ufuncs.true_divide(start, sign), ufuncs.true_divide(stop, sign)
  y = linspace(ufuncs.log10(s0), ufuncs.log10(s1), num, endpoint=endpoint)
  r = ufuncs.power(np.asarray(10.0, dt)[()], y)
  parts = []
  n = int(num)
  if n > 0:
    parts.append(lax.expand_dims(asarray(ufuncs.add(s0, ufuncs.multiply(r[0], 0.0))), (0,)))
    hi = n - 1 if (endpoint and n > 1) else n
    parts.append(lax.slice_in_dim(r, 1, hi, axis=0))
    if endpoint and n > 1:
      parts.append(lax.expand_dims(asarray(ufuncs.add(s1, ufuncs.multiply(r[0], 0.0))), (0,)))
    r = lax.concatenate(parts, 0)
  out = ufuncs.multiply(sign, r)
  out = lax.moveaxis(asarray(out), 0, canonical_axis(axis, get_aval(out).ndim))
  return out if dtype is None else convert(out, np.dtype(dtype))
