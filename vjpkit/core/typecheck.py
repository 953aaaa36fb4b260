"""Check a program: every variable defined before use, every equation typed by its rule.

Transforms are tested by type-checking what they produce. The check is
iterative (a worklist over nested sub-programs), so program size is unbounded.
"""
from __future__ import annotations

from .ir import ClosedJaxpr, Jaxpr, Lit, Var


class JaxprTypeError(TypeError):
  """A program is ill-typed (a bug in a transform or a rule)."""


def _sub_jaxprs(params: dict):
  for v in params.values():
    for x in (v if isinstance(v, (tuple, list)) else (v,)):
      if isinstance(x, ClosedJaxpr):
        yield x.jaxpr
      elif isinstance(x, Jaxpr):
        yield x


def typecheck_jaxpr(jaxpr: Jaxpr) -> None:
  """Raise ``JaxprTypeError`` unless ``jaxpr`` (and every sub-program) is well typed."""
  work = [jaxpr]
  while work:
    j = work.pop()
    defined = {id(v) for v in j.constvars} | {id(v) for v in j.invars}
    if len(defined) != len(j.constvars) + len(j.invars):
      raise JaxprTypeError("a variable is bound twice among the inputs")
    for n, eqn in enumerate(j.eqns):
      for v in eqn.invars:
        if type(v) is Var and id(v) not in defined:
          raise JaxprTypeError(f"equation {n} ({eqn.prim.name}) reads an undefined variable")
      out = eqn.prim.abstract_eval(*[v.aval for v in eqn.invars], **eqn.params)
      outs = out if eqn.prim.multiple_results else [out]
      if len(outs) != len(eqn.outvars):
        raise JaxprTypeError(f"equation {n} ({eqn.prim.name}) binds {len(eqn.outvars)} results, "
                             f"its rule gives {len(outs)}")
      for v, a in zip(eqn.outvars, outs):
        if v.aval != a:
          raise JaxprTypeError(f"equation {n} ({eqn.prim.name}) declares "
                               f"{v.aval.str_short()}, its rule gives {a.str_short()}")
        if id(v) in defined:
          raise JaxprTypeError(f"equation {n} ({eqn.prim.name}) rebinds a variable")
        defined.add(id(v))
      work.extend(_sub_jaxprs(eqn.params))
    for v in j.outvars:
      if type(v) is Var and id(v) not in defined:
        raise JaxprTypeError("an output is an undefined variable")
      if type(v) is not Var and type(v) is not Lit:
        raise JaxprTypeError(f"an output is not an atom: {v!r}")
