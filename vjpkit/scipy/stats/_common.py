"""Shared pieces of vjpkit.scipy.stats: argument parsing in SciPy's order, masks, safe values.

Every method computes on *safe* operands (invalid parameters and points outside the support
replaced by harmless ones) and selects the result with ``where``, so values outside the
support are SciPy's (0, -inf, nan) and their derivatives are 0 (or nan for invalid
parameters), never inf or nan leaking into the derivative at valid points.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

import numpy as np

from ... import lax
from ... import numpy as vnp
from ...numpy._core import promote

Array = Any


def parse(who: str, names: Sequence[str], defaults: dict[str, float], args: tuple,
          kwargs: dict) -> list[Array]:
  """The arguments ``names`` from positional ``args`` and keyword ``kwargs`` (SciPy's
  order: the variate, the shapes, then loc and scale), promoted to one float dtype and
  broadcast to one shape."""
  if len(args) > len(names):
    raise TypeError(f"vjpkit.scipy.stats.{who}() takes at most {len(names)} positional "
                    f"arguments ({', '.join(names)}), got {len(args)}")
  vals = dict(zip(names, args))
  for k, v in kwargs.items():
    if k not in names:
      raise TypeError(f"vjpkit.scipy.stats.{who}() got an unexpected keyword argument {k!r}")
    if k in vals:
      raise TypeError(f"vjpkit.scipy.stats.{who}() got multiple values for argument {k!r}")
    vals[k] = v
  missing = [n for n in names if n not in vals and n not in defaults]
  if missing:
    raise TypeError(f"vjpkit.scipy.stats.{who}() missing required argument(s): "
                    f"{', '.join(map(repr, missing))}")
  ordered = [vals.get(n, defaults.get(n)) for n in names]
  out = promote(*ordered, inexact=True, who=f"scipy.stats.{who}")
  return list(out) if isinstance(out, (list, tuple)) else [out]


def signature(names: Sequence[str], defaults: dict[str, float]) -> inspect.Signature:
  P = inspect.Parameter
  return inspect.Signature([P(n, P.POSITIONAL_OR_KEYWORD, default=defaults.get(n, P.empty))
                            for n in names])


def method(who: str, names: Sequence[str], defaults: dict[str, float], body: Callable,
           doc: str) -> Callable:
  """A public function ``who`` with SciPy's signature whose body gets promoted arrays."""
  def f(*args: Array, **kwargs: Array) -> Array:
    return body(*parse(who, names, defaults, args, kwargs))
  f.__name__ = f.__qualname__ = who.rsplit(".", 1)[-1]
  f.__doc__ = doc
  f.__signature__ = signature(names, defaults)  # type: ignore[attr-defined]
  return f


def where(c, x, y):
  return vnp.where(c, x, y)


def nan_unless(valid, x):
  return vnp.where(valid, x, np.nan)


def safe(c, x, fill: float):
  """``x`` where ``c``, else the harmless constant ``fill`` (the double-where trick)."""
  return vnp.where(c, x, fill)


def log1mexp(x):
  """``log(1 - exp(x))`` for ``x <= 0``, accurate at both ends (Mächler's switch at -log 2)."""
  small = vnp.greater(x, -np.log(2.0))
  xs = safe(small, x, -1.0)
  xl = safe(small, -1.0, x)
  return where(small, vnp.log(-vnp.expm1(xs)), vnp.log1p(-vnp.exp(xl)))


def softplus(x):
  """``log(1 + exp(x))`` without overflow."""
  return vnp.maximum(x, 0.0) + vnp.log1p(vnp.exp(-vnp.abs(x)))


stop_gradient = lax.stop_gradient
