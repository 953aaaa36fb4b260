"""Forward mode: push tangents through each primitive's JVP rule.

A ``JVPTracer`` pairs a primal with a tangent; a tangent may be a symbolic
``Zero``. A primitive whose inputs all have zero tangents is not
differentiated at all, and any result with a zero tangent leaves the trace as
its bare primal, so constants cost nothing.

JVP rules (``Primitive.def_jvp``): ``rule(primals, tangents, **params) -> (primal_out,
tangent_out)``. The helpers at the bottom register through ``def_jvp``/``def_transpose``.
Most primitives register through the helpers at the bottom:
``defjvp`` (one rule per differentiable argument), ``deflinear`` (the JVP of a
linear map is the map itself) and ``defbilinear`` (mul, dot_general).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import arg_aval, get_aval, is_weak_scalar, tangent_aval
from ..core.ir import memo_concrete
from ..core.primitive import missing_rule_error
from ..core.rules import jvp_rules
from ..core.trace import Trace, Tracer, new_trace
from ..core.zeros import UndefPrimal, Zero, add_tangents, instantiate
from . import rule_cache

_MISS = rule_cache.MISS


class JVPTracer(Tracer):
  __slots__ = ("primal", "tangent", "aval")

  def __init__(self, trace, primal, tangent):
    self._trace = trace
    self.primal = primal
    self.tangent = tangent
    self.aval = get_aval(primal)  # read many times (shape, dtype, promotion): computed once

  def _trace_concrete(self, what):
    return self.primal  # under jvp/grad the primal is as concrete as it was outside

  def with_weak_type(self, weak: bool) -> "JVPTracer":
    """This value with its aval's weak flag set (see ``vjpkit.core.avals``)."""
    out = JVPTracer(self._trace, self.primal, self.tangent)
    out.aval = self.aval.with_weak_type(weak)
    return out

  def _trace_number(self, what):
    # A JVPTracer exists only for a nonzero tangent: as a number, it would lose it.
    if self.aval.dtype.kind in "fc":
      raise self._dropped_derivative_error(what)
    return self.primal


class JVPTrace(Trace):
  """Forward mode; ``description`` names the transform the user called (grad, jacfwd, ...)."""
  __slots__ = ("description", "lin")

  def __init__(self, level: int, who: str = "jvp"):
    self.level = level  # (Trace.__init__, inlined)
    self.active = True
    self.description = who
    self.lin: Any = None  # linearize: the staging trace that records the tangents

  def process_primitive(self, prim, args, params):
    lin = self.lin
    if lin is not None and rule_cache.ENABLED:  # linearize: replay the rule's cached split
      out = rule_cache.linearize_rule(self, lin, JVPTracer, prim, args, params)
      if out is not _MISS:
        return out
    primals, tangents, nonzero = [], [], False
    for x in args:
      if type(x) is JVPTracer and x._trace is self:
        primals.append(x.primal)
        t = x.tangent
        if type(t) is not Zero:
          nonzero = True
        tangents.append(t)
      else:
        primals.append(x)
        tangents.append(Zero(tangent_aval(get_aval(x))))
    if not nonzero:  # nothing to differentiate at this level
      return prim.bind(*primals, **params)
    rule = jvp_rules.get(prim)
    if rule is None:
      raise NotImplementedError(missing_rule_error(
          prim, "differentiation (JVP) rule", "def_jvp",
          ". Or wrap the computation with vjpkit.lax.stop_gradient if it needs no "
          "derivative, or define its derivative with vjpkit.custom_jvp."))
    out, out_t = rule(primals, tangents, **params)
    if prim.multiple_results:
      return [self.wrap(p, t) for p, t in zip(out, out_t)]
    return self.wrap(out, out_t)

  def wrap(self, primal, tangent):
    if tangent is None or type(tangent) is Zero:
      return primal
    return JVPTracer(self, primal, tangent)

  def wrap_arg(self, primal, tangent):
    """``wrap`` for a function's argument: a Python scalar's tracer is weakly typed (its
    primal an array, as primitives' implementations expect)."""
    if tangent is None or type(tangent) is Zero or not is_weak_scalar(primal):
      return self.wrap(primal, tangent)
    out = JVPTracer(self, np.asarray(primal), tangent)
    out.aval = arg_aval(primal)
    return out

  def unpack(self, outs) -> tuple[list[Any], list[Any]]:
    """Primals and tangents of a function's outputs (``Zero`` for values not of this trace)."""
    primals, tangents = [], []
    for x in outs:
      if type(x) is JVPTracer and x._trace is self:
        primals.append(x.primal)
        tangents.append(x.tangent)
      else:
        primals.append(x)
        tangents.append(Zero.like(x))
    return primals, tangents


def jvp_flat(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any],
             instantiate_zeros: bool = True, who: str = "jvp") -> tuple[list[Any], list[Any]]:
  """Run ``fun`` on (primal, tangent) pairs; tangents may be ``Zero``. ``who`` names the
  transform in error messages."""
  with new_trace(JVPTrace, who) as trace:
    out_p, out_t = trace.unpack(fun(*[trace.wrap_arg(p, t) for p, t in zip(primals, tangents)]))
  if instantiate_zeros:
    out_t = [instantiate(t) for t in out_t]
  return out_p, out_t


# -- rule helpers ------------------------------------------------------------
# (their rules are pure functions of avals and params: rule_cache may trace them once)

def _zero_out(ans):
  return Zero(tangent_aval(get_aval(ans)))


def defjvp(prim, *rules: Callable | None) -> None:
  """One rule per argument: ``rule(t, ans, *primals, **params)`` gives the output
  tangent due to that argument's tangent ``t``; ``None`` for an argument with
  no derivative. Contributions are summed, zero tangents skipped."""
  def jvp(primals, tangents, **params):
    ans = prim.bind(*primals, **params)
    out = None
    for rule, t in zip(rules, tangents):
      if rule is not None and type(t) is not Zero:
        out = add_tangents(out, rule(t, ans, *primals, **params))
    return ans, _zero_out(ans) if out is None else out
  prim.def_jvp(jvp, symbolic_zeros=True)
  rule_cache.trust(jvp)


def defjvp_zero(prim) -> None:
  """The output does not change under perturbation (comparisons, floor, sign...)."""
  def jvp(primals, tangents, **params):
    ans = prim.bind(*primals, **params)
    if prim.multiple_results:
      return ans, [_zero_out(a) for a in ans]
    return ans, _zero_out(ans)
  prim.def_jvp(jvp, symbolic_zeros=True)
  rule_cache.trust(jvp)


def deflinear(prim, transpose: Callable) -> None:
  """A primitive linear in all its array arguments: its JVP is itself applied to
  the tangents; ``transpose(ct, *args, **params)`` returns one cotangent per arg."""
  def jvp(primals, tangents, **params):
    ans = prim.bind(*primals, **params)
    return ans, prim.bind(*[instantiate(t) for t in tangents], **params)
  prim.def_jvp(jvp, symbolic_zeros=True)
  prim.def_transpose(transpose)
  rule_cache.trust(jvp, transpose)


def defbilinear(prim, lhs_transpose: Callable, rhs_transpose: Callable) -> None:
  """``prim(x, y)`` linear in each argument separately (mul, dot_general).

  ``lhs_transpose(ct, x, y)`` pulls ``ct`` back to x while y is known, and
  ``rhs_transpose`` the other way round; the JVP follows from bilinearity."""
  def jvp(primals, tangents, **params):
    x, y = primals
    tx, ty = tangents
    ans = prim.bind(x, y, **params)
    out = None
    if type(tx) is not Zero:
      out = prim.bind(tx, y, **params)
    if type(ty) is not Zero:
      out = add_tangents(out, prim.bind(x, ty, **params))
    return ans, out

  def transpose(ct, x, y, **params):
    if type(x) is UndefPrimal and type(y) is UndefPrimal:
      raise ValueError(f"'{prim.name}' is not linear in both arguments at once")
    if type(x) is UndefPrimal:
      return [lhs_transpose(ct, x, y, **params), None]
    return [None, rhs_transpose(ct, x, y, **params)]
  prim.def_jvp(jvp, symbolic_zeros=True)
  prim.def_transpose(transpose)
  rule_cache.trust(jvp, transpose)


def jvp_jaxpr(jaxpr, nonzeros: Sequence[bool], instantiate_all: bool | Sequence[bool]):
  """The JVP of a program as a program (for primitives with sub-programs).

  ``jaxpr`` has no constvars. The result maps (primals, tangents of the
  ``nonzeros`` inputs) to (primal outputs, nonzero output tangents), again with
  no constvars (constants become leading inputs, see ``hoist_consts``); returns
  ``(new_jaxpr, consts, out_nonzeros)``.
  """
  inst = ((instantiate_all,) * len(jaxpr.outvars) if isinstance(instantiate_all, bool)
          else tuple(instantiate_all))
  key = ("jvp_jaxpr", tuple(nonzeros), inst)
  return memo_concrete(jaxpr, key, lambda: _jvp_jaxpr(jaxpr, list(nonzeros), list(inst)))


def _jvp_jaxpr(jaxpr, nonzeros, inst):
  from .eval import eval_jaxpr
  from .partial_eval import trace_to_jaxpr
  in_avals = jaxpr.in_avals
  t_avals = [tangent_aval(a) for a, nz in zip(in_avals, nonzeros) if nz]
  out_nonzeros: list[bool] = []

  def f(*args):
    n = len(in_avals)
    it = iter(args[n:])
    tangents = [next(it) if nz else Zero(tangent_aval(a)) for a, nz in zip(in_avals, nonzeros)]
    out_p, out_t = jvp_flat(lambda *xs: eval_jaxpr(jaxpr, [], xs), args[:n], tangents,
                            instantiate_zeros=False)
    out_t = [instantiate(t) if i else t for t, i in zip(out_t, inst)]
    out_nonzeros[:] = [type(t) is not Zero for t in out_t]
    return list(out_p) + [t for t in out_t if type(t) is not Zero]
  new, consts = trace_to_jaxpr(f, list(in_avals) + t_avals)
  return new, consts, out_nonzeros
