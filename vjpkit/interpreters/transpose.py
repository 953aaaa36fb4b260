"""Reverse mode: transpose a linear program into its backward program.

``backward_pass`` walks a linear program from its last equation to its first,
handing each equation's output cotangent to the primitive's transpose rule and
summing the cotangents of values used more than once. Inputs of the program
are the linear (undefined) values; constvars are known residuals. Equations
that read no linear value are evaluated forward first.

Transpose rules: ``rule(ct, *args, **params) -> list`` with one cotangent per
argument (``None`` or ``Zero`` where there is none). Linear arguments arrive
as ``UndefPrimal(aval)``; the others are their known values. Multiple-result
primitives receive a list of cotangents.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.ir import Jaxpr, Lit, Var, memo_concrete
from ..core.primitive import missing_rule_error
from ..core.rules import transpose_rules
from ..core.trace import Tracer, bind
from ..core.zeros import UndefPrimal, Zero, add_tangents
from . import rule_cache
from .rule_cache import PlannedEqn

_TRACEABLE = rule_cache.TRACEABLE
_F64 = np.float64
_ARRAY = np.ndarray
_add = np.add  # add_any's impl (vjpkit/lax/elementwise.py), for concrete cotangent sums


def backward_pass(jaxpr: Jaxpr, consts: Sequence[Any], cts_out: Sequence[Any],
                  all_linear: bool = False) -> list[Any]:
  """Cotangents of ``jaxpr.invars`` given cotangents of its outputs (Zero allowed).

  ``all_linear``: the caller knows every equation reads a linear value (true of the
  programs ``linearize`` records), so none needs evaluating forward first."""
  env: dict[int, Any] = {id(v): c for v, c in zip(jaxpr.constvars, consts, strict=True)}
  linear: Any = {id(v) for v in jaxpr.invars}
  linear_eqns = []
  if all_linear:  # every variable but the constants is linear
    linear_eqns = jaxpr.eqns
    linear = _AllBut(env)
  for eqn in () if all_linear else jaxpr.eqns:
    for v in eqn.invars:
      if type(v) is Var and id(v) in linear:
        for o in eqn.outvars:
          linear.add(id(o))
        linear_eqns.append(eqn)
        break
    else:  # a non-linear equation on residuals: evaluate it forward
      out = bind(eqn.prim, [v.val if type(v) is Lit else env[id(v)] for v in eqn.invars],
                 eqn.params)
      if eqn.prim.multiple_results:
        for v, x in zip(eqn.outvars, out):
          env[id(v)] = x
      else:
        env[id(eqn.outvars[0])] = out

  ct_env: dict[int, Any] = {}
  for v, ct in zip(jaxpr.outvars, cts_out, strict=True):
    _accumulate(ct_env, linear, v, ct)
  pop = ct_env.pop
  get = ct_env.get
  planned = all_linear and rule_cache.ENABLED
  for eqn in reversed(linear_eqns):
    if planned and type(eqn) is PlannedEqn and eqn.plan is not None:
      # recorded by linearize with its transpose traced once: replay that
      ct = pop(id(eqn.outvars[0]), None)
      if ct is None:
        continue
      plan = eqn.plan
      invars = eqn.invars
      known = plan.known
      if len(known) == 1:  # the usual case (a product with a residual), unrolled
        v = invars[known[0]]
        x = v.val if type(v) is Lit else env[id(v)]
        if isinstance(ct, Tracer) or isinstance(x, Tracer):
          res = plan.run_traced(ct, x)
        else:
          res = plan.run(ct, x)
      else:
        args = [ct]
        concrete = not isinstance(ct, Tracer)
        for i in known:
          v = invars[i]
          x = v.val if type(v) is Lit else env[id(v)]
          if concrete and isinstance(x, Tracer):
            concrete = False
          args.append(x)
        res = plan.run(*args) if concrete else plan.run_traced(*args)
      for i, k in plan.pairs:
        vid = id(invars[i])
        prev = get(vid)
        r = res[k]
        if prev is None:
          ct_env[vid] = r
        elif type(prev) is _F64 and type(r) is _F64:  # add_any of concrete values: what its
          ct_env[vid] = prev + r                      # impl (np.add) computes, less overhead
        elif type(prev) is _ARRAY and type(r) is _ARRAY and prev.shape == r.shape:
          ct_env[vid] = _add(prev, r)
        else:
          ct_env[vid] = add_tangents(prev, r)
      continue
    if eqn.prim.multiple_results:
      cts = [pop(id(v), None) for v in eqn.outvars]
      if all(ct is None for ct in cts):
        continue
      ct_arg = [Zero(v.aval) if ct is None else ct for v, ct in zip(eqn.outvars, cts)]
    else:
      ct_arg = pop(id(eqn.outvars[0]), None)
      if ct_arg is None:
        continue
    rule = transpose_rules.get(eqn.prim)
    if rule in _TRACEABLE and rule_cache.ENABLED and type(ct_arg) is not list:
      cts_in = rule_cache.transpose_rule(rule, eqn, linear, env, ct_arg)  # the cached trace
      if cts_in is not None:
        for v, ct in zip(eqn.invars, cts_in):
          if ct is not None:
            vid = id(v)
            prev = ct_env.get(vid)
            ct_env[vid] = ct if prev is None else add_tangents(prev, ct)
        continue
    args = []
    for v in eqn.invars:
      if type(v) is Lit:
        args.append(v.val)
      elif id(v) in linear:
        args.append(UndefPrimal(v.aval))
      else:
        args.append(env[id(v)])
    if rule is None:
      raise NotImplementedError(missing_rule_error(
          eqn.prim, "transpose rule", "def_transpose",
          ", or write its JVP rule with vjpkit operations other than itself (those are "
          "transposed automatically). Reverse-mode differentiation (grad, vjp, jacrev) of "
          f"'{eqn.prim.name}' is not supported without one; use forward mode (jvp, jacfwd)"))
    cts_in = rule(ct_arg, *args, **eqn.params)
    if type(cts_in) is not list and type(cts_in) is not tuple:
      raise TypeError(f"the transpose rule of '{eqn.prim.name}' must return a list with one "
                      f"cotangent (or None) per operand, got a {type(cts_in).__name__}")
    if len(cts_in) != len(eqn.invars):
      raise ValueError(f"the transpose rule of '{eqn.prim.name}' returned {len(cts_in)} "
                       f"cotangents for {len(eqn.invars)} operands")
    for v, ct in zip(eqn.invars, cts_in):  # _accumulate, inlined
      if ct is not None and type(v) is Var and type(ct) is not Zero:
        vid = id(v)
        if vid in linear:
          prev = ct_env.get(vid)
          ct_env[vid] = ct if prev is None else add_tangents(prev, ct)
  return [ct_env.get(id(v), Zero(v.aval)) for v in jaxpr.invars]


class _AllBut:
  """The ids of a program's linear variables when all but its constants are: a set that
  need not be built (``backward_pass`` tests only ids of variables for membership)."""
  __slots__ = ("consts",)

  def __init__(self, consts: dict):
    self.consts = consts

  def __contains__(self, vid) -> bool:
    return vid not in self.consts


def _accumulate(ct_env: dict, linear, v, ct) -> None:
  if type(v) is Var and ct is not None and type(ct) is not Zero:
    vid = id(v)
    if vid in linear:
      prev = ct_env.get(vid)
      ct_env[vid] = ct if prev is None else add_tangents(prev, ct)


def transpose_jaxpr(jaxpr: Jaxpr, linear: Sequence[bool]):
  """The backward program of ``jaxpr`` (no constvars) in its ``linear`` inputs.

  The result maps (the non-linear inputs, one cotangent per output) to one
  cotangent per linear input, all instantiated. Returns ``(new_jaxpr, consts)``.
  """
  return memo_concrete(jaxpr, ("transpose_jaxpr", tuple(linear)),
                       lambda: _transpose_jaxpr(jaxpr, list(linear)))


def _transpose_jaxpr(jaxpr: Jaxpr, linear: list[bool]):
  from ..core.zeros import instantiate
  from .partial_eval import trace_to_jaxpr
  lin = Jaxpr([v for v, l in zip(jaxpr.invars, linear) if not l],
              [v for v, l in zip(jaxpr.invars, linear) if l], jaxpr.eqns, jaxpr.outvars)
  n_res = len(lin.constvars)

  def bwd(*args):
    cts_in = backward_pass(lin, args[:n_res], args[n_res:])
    return [instantiate(c) for c in cts_in]
  return trace_to_jaxpr(bwd, [v.aval for v in lin.constvars] + [v.aval for v in jaxpr.outvars])
