"""Choosing values by conditions or indices: ``select``, ``piecewise``, ``choose``.

Each is a chain of ``where`` (or a gather, for ``choose``), differentiable in the
chosen values. ``piecewise`` evaluates every function on the whole of ``x`` and keeps
each result where its condition holds (as JAX does), so a function must not fail
where its condition is false; a NaN or infinite derivative there still does no harm
to the chosen values, but it does to their derivative (0 × inf): keep such
functions finite everywhere (e.g. with an inner ``where``).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, convert, result_type
from . import ufuncs
from .shapes import broadcast_arrays, broadcast_to

Array = Any


def select(condlist: Sequence[Array], choicelist: Sequence[Array], default: Array = 0) -> Array:
  """The entry of the first choice whose condition holds, else ``default``.

  >>> x = np.array([-1.0, 0.5, 3.0])
  >>> select([x < 0, x > 1], [-x, x * 10], default=0.0)
  array([ 1.,  0., 30.])
  """
  if len(condlist) != len(choicelist):
    raise ValueError("select: list of cases must be same length as list of conditions")
  if len(choicelist) == 0:
    raise ValueError("select with an empty condition list is not possible")
  conds = [asarray(c) for c in condlist]
  for i, c in enumerate(conds):
    if get_aval(c).dtype != np.bool_:
      raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
  choices = [c if isinstance(c, (bool, int, float)) else asarray(c) for c in choicelist]
  dtype = result_type(*choices, default)
  y = convert(default, dtype)
  for c, v in zip(reversed(conds), reversed(choices)):
    y = ufuncs.where(c, convert(v, dtype), y)
  shape = np.broadcast_shapes(*[get_aval(asarray(v)).shape for v in (*conds, *choices, y)])
  return broadcast_to(y, shape)


def piecewise(x: Array, condlist: Any, funclist: Sequence[Callable | Any], *args: Any,
              **kw: Any) -> Array:
  """``funclist[i](x, *args, **kw)`` (or the constant ``funclist[i]``) where
  ``condlist[i]`` holds (later conditions win), the extra last function where none
  holds, and 0 elsewhere; the result has ``x``'s dtype.

  >>> x = np.array([-2.0, -0.5, 1.0])
  >>> piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2])
  array([2. , 0.5, 1. ])
  """
  x = asarray(x)
  dtype = get_aval(x).dtype
  # NumPy's rule: a scalar, or a sequence whose first entry is not an array, is one condition
  if isinstance(condlist, (list, tuple)):
    if get_aval(x).ndim != 0 and condlist and not isinstance(condlist[0], (list, np.ndarray, Tracer)):
      condlist = [condlist]
  else:
    c = asarray(condlist)
    nd = get_aval(c).ndim
    if nd == 0 or (nd == 1 and get_aval(x).ndim != 0):
      condlist = [c]
    else:
      condlist = [lax.squeeze(lax.slice_in_dim(c, i, i + 1, axis=0), (0,))
                  for i in range(get_aval(c).shape[0])]
  conds = [asarray(c) for c in condlist]
  n = len(conds)
  if len(funclist) not in (n, n + 1):
    raise ValueError(f"piecewise: with {n} condition(s), either {n} or {n + 1} functions are "
                     f"expected, got {len(funclist)}")
  if len(funclist) == n + 1:
    none = conds[0] if n else np.zeros((), bool)
    for c in conds[1:]:
      none = ufuncs.logical_or(none, c)
    conds.append(ufuncs.logical_not(none))
  shape = get_aval(x).shape
  y: Any = np.zeros(shape, dtype)
  for c, f in zip(conds, funclist):
    v = f(x, *args, **kw) if callable(f) else f
    v = convert(v, dtype) if not isinstance(v, (bool, int, float)) else np.array(v).astype(dtype)[()]
    y = ufuncs.where(c, v, y)
  return broadcast_to(convert(y, dtype), shape)


def choose(a: Array, choices: Sequence[Array], out=None, mode: str = "raise") -> Array:
  """``choices[a[i]][i]`` for each position (all broadcast together); indices out of
  range raise (``mode='raise'``, needs a concrete ``a``), wrap or clip. Differentiable
  in the choices.

  >>> choose([0, 2, 1], [[1.0, 2.0, 3.0], [10.0, 20.0, 30.0], [-1.0, -2.0, -3.0]])
  array([ 1., -2., 30.])
  """
  if out is not None:
    raise TypeError("vjpkit.numpy.choose: out= is not supported; use the returned value")
  a = asarray(a)
  if get_aval(a).dtype.kind not in "iub":
    raise TypeError(f"choose: a must be an integer array, got {get_aval(a).dtype}")
  cs = [asarray(c) for c in choices]
  if not cs:
    raise ValueError("choose: choices must not be empty")
  n = len(cs)
  dtype = result_type(*cs)
  cs = [convert(c, dtype) for c in cs]
  parts = broadcast_arrays(a, *cs)
  a, cs = parts[0], list(parts[1:])
  i = convert(a, np.dtype(np.int64))
  if mode == "raise":
    from ..lax.indexing import concrete_or_none
    c = concrete_or_none(i)
    if c is None:
      raise TypeError("choose: mode='raise' needs concrete indices (to check them), but they "
                      "are traced here (under jit or vmap); pass mode='clip' or mode='wrap'.")
    if np.any((c < 0) | (c >= n)):
      raise ValueError("invalid entry in choice array")
  elif mode == "wrap":
    i = ufuncs.remainder(i, n)
  elif mode == "clip":
    i = ufuncs.clip(i, 0, n - 1)
  else:
    raise ValueError(f"choose: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
  shape = get_aval(cs[0]).shape
  stacked = lax.concatenate([lax.reshape(c, (1,) + shape) for c in cs], 0)
  i = asarray(i) if isinstance(i, Tracer) else np.asarray(i)
  y = lax.take_along_axis(stacked, lax.reshape(i, (1,) + shape), 0)
  return lax.reshape(y, shape)
