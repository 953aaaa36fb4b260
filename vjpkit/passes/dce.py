"""Dead-code elimination: drop equations whose results no output needs.

Linearization stages the tangent of every intermediate, whether or not an
output depends on it; DCE removes the unused ones (and the residuals they
would keep alive) before a program is transposed, compiled or printed.
Primitives with sub-programs (scan, cond, checkpoint) register a rule in
``dce_rules`` that also prunes their unused outputs and inputs.
"""
from __future__ import annotations

from ..core.ir import Jaxpr, Var
from ..core.rules import dce_rules, effectful

__all__ = ["dce_closed", "dce_jaxpr", "effectful", "used_invars"]

# dce_rules: prim -> rule(used_outputs: list[bool], eqn) -> a smaller equation computing
# (at least) the used outputs, or None when nothing is needed. The new equation keeps
# the same Var objects for the outputs it keeps.


def dce_jaxpr(jaxpr: Jaxpr, used_outputs=None) -> Jaxpr:
  """A copy of ``jaxpr`` without dead equations and unused constvars.

  ``used_outputs`` (a list of bools) keeps only some outputs; invars are kept."""
  key = ("dce_jaxpr", None if used_outputs is None else tuple(used_outputs))
  return jaxpr.memo(key, lambda: _dce_jaxpr(jaxpr, used_outputs))


def _dce_jaxpr(jaxpr: Jaxpr, used_outputs) -> Jaxpr:
  outvars = jaxpr.outvars if used_outputs is None else [
      v for v, u in zip(jaxpr.outvars, used_outputs) if u]
  live = {id(v) for v in outvars if type(v) is Var}
  kept = []
  for eqn in reversed(jaxpr.eqns):
    outs = eqn.outvars
    if len(outs) == 1:
      alive = id(outs[0]) in live
    else:
      alive = False
      for v in outs:
        if id(v) in live:
          alive = True
          break
    if not alive and eqn.prim not in effectful:
      continue
    rule = dce_rules.get(eqn.prim)
    if rule is not None:
      new = rule([id(v) in live for v in outs], eqn)
      if new is None:
        continue
      eqn = new
    kept.append(eqn)
    for v in eqn.invars:
      if type(v) is Var:
        live.add(id(v))
  kept.reverse()
  constvars = [v for v in jaxpr.constvars if id(v) in live]
  return Jaxpr(constvars, jaxpr.invars, kept, outvars)


def used_invars(jaxpr: Jaxpr) -> list[bool]:
  """Which invars of ``jaxpr`` some equation or output reads (run DCE first)."""
  read = {id(v) for eqn in jaxpr.eqns for v in eqn.invars if type(v) is Var}
  read.update(id(v) for v in jaxpr.outvars if type(v) is Var)
  return [id(v) in read for v in jaxpr.invars]


def dce_closed(jaxpr: Jaxpr, consts: list) -> tuple[Jaxpr, list]:
  """DCE that also drops the values of removed constvars."""
  new = _dce_jaxpr(jaxpr, None)  # not memoised: closed programs are usually used once
  keep = {id(v) for v in new.constvars}
  return new, [c for v, c in zip(jaxpr.constvars, consts) if id(v) in keep]
