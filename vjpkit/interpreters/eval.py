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


def _last_uses(jaxpr: Jaxpr) -> dict[int, int]:
  """For each non-output value, the index of the last equation reading it."""
  last_use: dict[int, int] = {}
  for n, eqn in enumerate(jaxpr.eqns):
    for a in eqn.invars:
      if type(a) is not Lit:
        last_use[id(a)] = n
  for a in jaxpr.outvars:
    last_use.pop(id(a), None)  # outputs live to the end
  return last_use


def eval_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any],
               release: bool = False) -> list[Any]:
  """Run ``jaxpr`` on ``args``.

  ``release=True`` drops each intermediate after its last use: by default every value
  stays alive until the program returns, which for a program recomputing a block of a
  network (``checkpoint``) would be the very memory the recomputation is meant to save.
  """
  last_use = _last_uses(jaxpr) if release else None
  env: dict[int, Any] = {}
  for v, x in zip(jaxpr.constvars, consts, strict=True):
    env[id(v)] = x
  for v, x in zip(jaxpr.invars, args, strict=True):
    env[id(v)] = x
  for n, eqn in enumerate(jaxpr.eqns):
    ins = [a.val if type(a) is Lit else env[id(a)] for a in eqn.invars]
    if last_use is not None:
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
