"""Inlining: replace call equations (``jit``, ``closed_call``) by their bodies.

A jitted function used inside another jitted function, or ``grad(jit(f))``
staged by an outer ``jit``, leaves call equations in the program. Inlining
them exposes their bodies to CSE, simplification and buffer reuse across the
call boundary. Each copy of a body gets fresh variables, so a body inlined
twice stays a valid program. The walk uses an explicit stack: nesting depth
is not limited by Python's recursion limit.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..core.ir import Eqn, Jaxpr, Var
from ._rewrite import prims

# Call-like primitives whose ``call_jaxpr`` may be inlined (jit adds its own).
inlinable: set = set()

# A frame of the walk: (equations, position, renaming of the body's variables, call eqn,
# renaming of the caller)
_Frame = tuple[Sequence[Eqn], int, dict[int, Any], Any, Any]


def inline_calls(jaxpr: Jaxpr) -> Jaxpr:
  """``jaxpr`` with every equation of an ``inlinable`` primitive replaced by its body.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> from vjpkit.passes import inline_calls
  >>> g = vjpkit.jit(vnp.sin)
  >>> print(inline_calls(vjpkit.make_jaxpr(lambda x: g(g(x)))(1.0).jaxpr))
  { lambda ; a:f64[]. let
      b:f64[] = sin a
      c:f64[] = sin b
    in (c,) }
  """
  calls = inlinable | {prims.closed_call_p}
  if not any(e.prim in calls for e in jaxpr.eqns):
    return jaxpr
  out_eqns: list[Eqn] = []
  top: dict[int, Any] = {}
  stack: list[_Frame] = [(jaxpr.eqns, 0, top, None, None)]
  while stack:
    eqns, i, env, call, caller_env = stack.pop()
    if i == len(eqns):
      if call is not None:  # a body is done: its outputs are the call's results
        body = call.params["call_jaxpr"]
        for v, a in zip(call.outvars, body.outvars):
          caller_env[id(v)] = env.get(id(a), a) if type(a) is Var else a
      continue
    stack.append((eqns, i + 1, env, call, caller_env))
    eqn = eqns[i]
    ins = [env.get(id(a), a) if type(a) is Var else a for a in eqn.invars]
    if eqn.prim in calls and not eqn.params["call_jaxpr"].constvars:
      body = eqn.params["call_jaxpr"]
      body_env = {id(v): a for v, a in zip(body.invars, ins)}
      stack.append((body.eqns, 0, body_env, eqn, env))
      continue
    if env is top and all(a is b for a, b in zip(ins, eqn.invars)):
      out_eqns.append(eqn)
      continue
    outs = eqn.outvars if env is top else [Var(v.aval) for v in eqn.outvars]
    for old, new in zip(eqn.outvars, outs):
      env[id(old)] = new
    out_eqns.append(Eqn(eqn.prim, ins, eqn.params, outs))
  outvars = [top.get(id(a), a) if type(a) is Var else a for a in jaxpr.outvars]
  return Jaxpr(jaxpr.constvars, jaxpr.invars, out_eqns, outvars)
