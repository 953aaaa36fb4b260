"""Evaluate a program by binding each equation's primitive in order.

Binding (rather than calling impls) is what lets every other transform
interpret a program: under an active jvp, vmap or staging trace the same
loop re-traces the program instead of running it. The loop is iterative, so
program size is bounded by memory only.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..core.ir import Jaxpr, Lit
from ..core.trace import bind


def eval_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
  env: dict[int, Any] = {}
  for v, x in zip(jaxpr.constvars, consts, strict=True):
    env[id(v)] = x
  for v, x in zip(jaxpr.invars, args, strict=True):
    env[id(v)] = x
  for eqn in jaxpr.eqns:
    ins = [a.val if type(a) is Lit else env[id(a)] for a in eqn.invars]
    out = bind(eqn.prim, ins, eqn.params)
    if eqn.prim.multiple_results:
      for v, x in zip(eqn.outvars, out):
        env[id(v)] = x
    else:
      env[id(eqn.outvars[0])] = out
  return [a.val if type(a) is Lit else env[id(a)] for a in jaxpr.outvars]


def eval_jaxpr_releasing(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
  """``eval_jaxpr`` that drops each intermediate after its last use.

  ``eval_jaxpr`` keeps every value alive until the program returns; for a
  program recomputing a block of a network (``checkpoint``), that would be
  the very memory the recomputation is meant to save.
  """
  last_use: dict[int, int] = {}
  for n, eqn in enumerate(jaxpr.eqns):
    for a in eqn.invars:
      if type(a) is not Lit:
        last_use[id(a)] = n
  for a in jaxpr.outvars:
    last_use.pop(id(a), None)  # outputs live to the end
  env: dict[int, Any] = {}
  for v, x in zip(jaxpr.constvars, consts, strict=True):
    env[id(v)] = x
  for v, x in zip(jaxpr.invars, args, strict=True):
    env[id(v)] = x
  for n, eqn in enumerate(jaxpr.eqns):
    ins = [a.val if type(a) is Lit else env[id(a)] for a in eqn.invars]
    for a in eqn.invars:
      if type(a) is not Lit and last_use.get(id(a)) == n:
        env.pop(id(a), None)  # (an equation may read a value twice)
    out = bind(eqn.prim, ins, eqn.params)
    del ins
    if eqn.prim.multiple_results:
      for v, x in zip(eqn.outvars, out):
        env[id(v)] = x
    else:
      env[id(eqn.outvars[0])] = out
  return [a.val if type(a) is Lit else env[id(a)] for a in jaxpr.outvars]
