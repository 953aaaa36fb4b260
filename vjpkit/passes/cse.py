"""Common-subexpression elimination: compute each distinct expression once.

Linearization evaluates ``cos x`` for the JVP of ``sin`` even when the user
also computed it, and transposition of ``x * x`` produces both ``ct * x`` and
``x * ct``. Two equations with the same primitive, the same params and the
same inputs (in any order, for commutative primitives) compute the same
value, so the second is dropped and its results renamed to the first's.
Equations with effects are never merged.
"""
from __future__ import annotations

from ..core.ir import Jaxpr, Lit
from ._rewrite import Rewriter, prims
from .dce import effectful


def _commutative() -> frozenset:
  L = prims
  return frozenset((L.add_p, L.add_any_p, L.mul_p, L.max_p, L.min_p, L.eq_p, L.ne_p,
                    L.and_p, L.or_p))


def _atom_key(a):
  if type(a) is Lit:
    return ("lit", a.aval.dtype.str, a.val.tobytes() if hasattr(a.val, "tobytes") else a.val)
  return ("var", id(a))


def _params_key(params: dict):
  if not params:
    return ()
  try:
    key = tuple(sorted(params.items()))
    hash(key)
  except TypeError:  # an unhashable param: leave the equation alone
    return None
  return key


def cse_jaxpr(jaxpr: Jaxpr) -> Jaxpr:
  """``jaxpr`` with repeated computations merged into their first occurrence.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> from vjpkit.passes import cse_jaxpr
  >>> print(cse_jaxpr(vjpkit.make_jaxpr(lambda x: vnp.sin(x) * x + x * vnp.sin(x))(1.0).jaxpr))
  { lambda ; a:f64[]. let
      b:f64[] = sin a
      c:f64[] = mul b a
      d:f64[] = add c c
    in (d,) }
  """
  commutative = _commutative()
  seen: dict = {}
  rw = Rewriter(jaxpr)
  for eqn in jaxpr.eqns:
    eqn = rw.rename(eqn)
    params = _params_key(eqn.params)
    if eqn.prim in effectful or params is None:
      rw.keep(eqn)
      continue
    ins = [_atom_key(a) for a in eqn.invars]
    if eqn.prim in commutative:
      try:  # ("lit", dtype, bytes) and ("var", id): a total order, without repr's cost
        ins.sort()
      except TypeError:
        ins.sort(key=repr)
    key = (eqn.prim, params, tuple(ins))
    first = seen.get(key)
    if first is None:
      seen[key] = eqn
      rw.keep(eqn)
    else:
      for old, new in zip(eqn.outvars, first.outvars):
        rw.replace(old, new)
  return rw.finish()
