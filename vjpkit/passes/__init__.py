"""Program-to-program passes on the IR, and ``optimize``, the pipeline jit runs.

Every pass is one linear walk over the equations (no recursion), returns a new
program and leaves its input untouched.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..core.ir import Jaxpr
from ._rewrite import register_primitives
from .constfold import fold_constants
from .cse import cse_jaxpr
from .dce import dce_closed, dce_jaxpr
from .inline import inline_calls
from .pipeline import optimize_sweep
from .simplify import simplify_jaxpr

__all__ = ["cse_jaxpr", "dce_closed", "dce_jaxpr", "fold_constants", "inline_calls", "optimize",
           "optimize_sequential", "optimize_sweep",
           "register_primitives", "simplify_jaxpr"]


def optimize(jaxpr: Jaxpr, consts: Sequence[Any] = ()) -> tuple[Jaxpr, list]:
  """Inline calls, fold constants, simplify, merge common subexpressions, drop dead code.

  ``consts`` are the values of ``jaxpr.constvars``; returns the new program and
  the values of its (possibly different) constvars.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> closed = vjpkit.make_jaxpr(vjpkit.grad(lambda x: vnp.sum(vnp.sin(x))))(np.ones(3))
  >>> print(optimize(closed.jaxpr, closed.consts)[0])
  { lambda ; a:f64[3]. let
      b:f64[3] = cos a
    in (b,) }
  """
  return optimize_sweep(inline_calls(jaxpr), consts)


def optimize_sequential(jaxpr: Jaxpr, consts: Sequence[Any] = ()) -> tuple[Jaxpr, list]:
  """``optimize`` as separate passes, one walk each: inline, fold, simplify, CSE,
  simplify, DCE. Same values as ``optimize`` (which does the middle four in one walk,
  ``pipeline.optimize_sweep``); kept as its reference in the tests."""
  jaxpr = inline_calls(jaxpr)
  jaxpr, consts = fold_constants(jaxpr, consts)
  # simplify drops constvars it no longer reads: keep each value with its variable
  values = {id(v): c for v, c in zip(jaxpr.constvars, consts, strict=True)}
  jaxpr = simplify_jaxpr(jaxpr)
  jaxpr = cse_jaxpr(jaxpr)
  jaxpr = simplify_jaxpr(jaxpr)
  jaxpr = dce_jaxpr(jaxpr)
  return jaxpr, [values[id(v)] for v in jaxpr.constvars]
