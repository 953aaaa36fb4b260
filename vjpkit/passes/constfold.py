"""Constant folding: evaluate at compile time what depends on constants only.

An equation whose inputs are all literals or known constants is computed once,
when the program is compiled, instead of on every call. Its result becomes a
literal (rank 0) or a new constant. To keep compiled programs small, a result
is folded only when it is small (at most ``MAX_FOLDED`` elements) or no
larger than the constants it is computed from.

Constants that hold one repeated value, such as the broadcast ``1`` that
seeds every backward pass, become ``broadcast_in_dim`` of a literal, so that
``simplify`` can see that ``ct * 1`` is ``ct``. Broadcasts themselves are
never folded: at run time they are free views, and symbolic they simplify.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.avals import get_aval
from ..core.ir import Jaxpr, Lit, Var
from ..core.trace import Tracer
from ._rewrite import Rewriter, is_ufunc_eqn, lit, prims
from .dce import dce_closed, effectful

MAX_FOLDED = 1 << 16      # elements: a folded result this small is always worth keeping
_UNIFORM_SCAN = 1 << 16   # elements: constants up to this size are checked for one value


def _uniform_value(x):
  """The single value of every element of ``x``, or None."""
  if not isinstance(x, np.ndarray) or x.size == 0 or x.dtype.kind not in "biufc":
    return None
  if x.ndim == 0 or all(s == 0 for s in x.strides):
    return x.reshape(-1)[0]
  if x.size <= _UNIFORM_SCAN:
    first = x.reshape(-1)[0]
    if np.array_equal(x, np.broadcast_to(first, x.shape), equal_nan=x.dtype.kind in "fc"):
      return first
  return None


def seed_constants(rw, jaxpr: Jaxpr, consts: Sequence[Any], known: dict[int, Any],
                   constvars: list, constvals: list) -> None:
  """The first step of folding: a constvar holding one value everywhere becomes that literal
  (broadcast to its shape); the others stay constvars (in ``constvars``/``constvals``),
  known by value in ``known`` where concrete."""
  for v, x in zip(jaxpr.constvars, consts, strict=True):
    value = None if isinstance(x, Tracer) else _uniform_value(x)
    if value is not None:
      scalar = lit(value, v.aval.dtype)
      rw.replace(v, scalar if v.aval.shape == () else rw.emit(
          prims.broadcast_in_dim_p, [scalar], shape=v.aval.shape, broadcast_dimensions=()))
      continue
    constvars.append(v)
    constvals.append(x)
    if not isinstance(x, Tracer):
      known[id(v)] = x


def fold_constants(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list]:
  """``(jaxpr, consts)`` with constant subexpressions computed; returns the new pair.

  >>> import numpy as np, vjpkit
  >>> from vjpkit.passes import fold_constants
  >>> k = np.full(3, 2.0)
  >>> closed = vjpkit.make_jaxpr(lambda x: x * (k * 3.0))(np.ones(3))
  >>> jaxpr, consts = fold_constants(closed.jaxpr, closed.consts)
  >>> print(jaxpr)
  { lambda ; a:f64[3]. let
      b:f64[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 6.0:f64[]
      c:f64[3] = mul a b
    in (c,) }
  """
  rw = Rewriter(jaxpr)
  known: dict[int, Any] = {}
  constvars: list = []
  constvals: list = []
  seed_constants(rw, jaxpr, consts, known, constvars, constvals)

  def new_const(value, aval) -> Var:
    var = Var(aval)
    constvars.append(var)
    constvals.append(value)
    known[id(var)] = value
    return var

  for eqn in jaxpr.eqns:
    eqn = rw.rename(eqn)
    out = _fold(rw, eqn, known, new_const, prims)
    if out is None:
      rw.keep(eqn)
    else:
      for v, a in zip(eqn.outvars, out):
        rw.replace(v, a)
  new = rw.finish()
  return dce_closed(Jaxpr(constvars, new.invars, new.eqns, new.outvars), constvals)


def _fold(rw: Rewriter, eqn, known, new_const, L, elementwise: bool | None = None):
  """The atoms replacing ``eqn``'s results, or None to keep it (``elementwise``: whether
  ``eqn`` is a ufunc equation, when the caller knows)."""
  if eqn.prim in effectful or eqn.prim is L.broadcast_in_dim_p:
    return None
  if elementwise if elementwise is not None else is_ufunc_eqn(eqn):  # an elementwise op of (broadcast) scalars is a broadcast scalar
    values = [rw.scalar_value(a) for a in eqn.invars]
    if all(v is not None for v in values) and any(type(a) is Var for a in eqn.invars):
      out = eqn.outvars[0]
      scalar = lit(eqn.prim.impl(*values), out.aval.dtype)
      return [rw.emit(L.broadcast_in_dim_p, [scalar], shape=out.aval.shape,
                      broadcast_dimensions=()) if out.aval.shape else scalar]
  vals = []
  for a in eqn.invars:
    if type(a) is Lit:
      vals.append(a.val)
    elif id(a) in known:
      vals.append(known[id(a)])
    else:
      return None
  in_size = max([get_aval(x).size for x in vals if isinstance(x, np.ndarray)], default=1)
  if any(v.aval.size > max(MAX_FOLDED, in_size) for v in eqn.outvars):
    return None
  try:
    with np.errstate(all="ignore"):
      result = eqn.prim.impl(*vals, **eqn.params)
  except Exception:  # noqa: BLE001 - leave the error to run time, where it belongs
    return None
  results = result if eqn.prim.multiple_results else [result]
  atoms = []
  for v, x in zip(eqn.outvars, results):
    x = np.asarray(x, v.aval.dtype)
    if x.shape != v.aval.shape:
      return None
    uniform = _uniform_value(x)
    if v.aval.shape == ():
      atoms.append(lit(x[()], v.aval.dtype))
    elif uniform is not None:
      atoms.append(rw.emit(L.broadcast_in_dim_p, [lit(uniform, v.aval.dtype)],
                           shape=v.aval.shape, broadcast_dimensions=()))
    else:
      atoms.append(new_const(x, v.aval))
  return atoms
