"""Staging: record the operations on unknown values as a program, evaluate the rest.

A ``StagingTrace`` is partial evaluation done on the fly: its tracers stand for
*unknown* values, so every primitive applied to one is recorded as an
equation, while everything computed from known values (concrete arrays, or
tracers of lower-level transforms) is evaluated right away and enters the
program as a constant. This one mechanism serves three purposes:

* ``make_jaxpr`` and ``jit``: all inputs unknown, the whole function is staged;
* ``linearize``: primals known, tangents unknown, so running the JVP stages
  exactly the linear tangent program and computes the primal outputs and
  residuals once;
* higher-order primitives (jit calls, control flow) split their sub-programs
  into known and unknown parts with ``partial_eval_jaxpr_nounits`` via ``pe_rules``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.errors import ConcretizationTypeError
from ..core.ir import Eqn, Jaxpr, Lit, Var, memo_concrete, hoist_consts
from ..core.rules import pe_rules
from ..core.trace import Trace, Tracer, bind, new_trace

# pe_rules: prim -> rule(trace, args, params), for primitives whose known inputs must
# not simply be staged as constants (their sub-programs can be partly evaluated).


class StagingTracer(Tracer):
  __slots__ = ("aval", "ir_var")

  def __init__(self, trace, aval: ShapedArray):
    self._trace = trace
    self.aval = aval
    self.ir_var = Var(aval)  # not .var: that would hide the method x.var()

  def with_weak_type(self, weak: bool) -> "StagingTracer":
    """This value with its aval's weak flag set (see ``vjpkit.core.avals``): the same
    variable of the program, so no equation is recorded."""
    out = StagingTracer.__new__(StagingTracer)
    out._trace, out.ir_var, out.aval = self._trace, self.ir_var, self.aval.with_weak_type(weak)
    return out

  def _trace_concrete(self, what):
    culprits = self._trace.input_names_feeding(self.ir_var)
    origin = f" The value depends on {', '.join(culprits)}." if culprits else ""
    raise ConcretizationTypeError(f"{self._concretization_error(what)}{origin}")


class StagingTrace(Trace):
  __slots__ = ("eqns", "invars", "arg_names", "constvars", "constvals", "_const_ids")
  description = "jit/make_jaxpr/linearize (abstract values)"

  def __init__(self, level: int):
    self.level = level  # (Trace.__init__, inlined: a fixed cost of every gradient)
    self.active = True
    self.eqns: list[Eqn] = []
    self.invars: list[Var] = []
    self.arg_names: list[str] = []
    self.constvars: list[Var] = []
    self.constvals: list[Any] = []
    self._const_ids: dict[int, Var] = {}

  def new_arg(self, aval: ShapedArray, name: str = "") -> StagingTracer:
    t = StagingTracer(self, aval)
    self.invars.append(t.ir_var)
    self.arg_names.append(name)
    return t

  def is_own(self, x) -> bool:
    return type(x) is StagingTracer and x._trace is self

  def to_atom(self, x):
    """The atom that stands for ``x`` in this program: its var, a literal or a constvar."""
    t = type(x)
    if t is StagingTracer and x._trace is self:
      return x.ir_var
    if t in _NUMPY_SCALARS:
      return Lit(x, get_aval(x))
    if t is not np.ndarray and not isinstance(x, (Tracer, np.ndarray)) and np.ndim(x) == 0:
      aval = get_aval(x)
      return Lit(np.asarray(x, aval.dtype)[()], aval)
    var = self._const_ids.get(id(x))
    if var is None:
      var = self._const_ids[id(x)] = Var(get_aval(x))
      self.constvars.append(var)
      self.constvals.append(x)
    return var

  def process_primitive(self, prim, args, params):
    rule = pe_rules.get(prim)
    if rule is not None:
      return rule(self, args, params)
    atoms, avals = [], []
    for x in args:
      if type(x) is StagingTracer and x._trace is self:
        atoms.append(x.ir_var)
        avals.append(x.aval)
      else:
        a = self.to_atom(x)
        atoms.append(a)
        avals.append(a.aval)
    return self.stage(prim, atoms, params, avals)

  def stage(self, prim, atoms: list, params: dict, avals: list | None = None):
    """Record ``prim`` on atoms and return tracers for its results."""
    out_avals = abstract_eval(prim, [a.aval for a in atoms] if avals is None else avals, params)
    if prim.multiple_results:
      outs = [StagingTracer(self, a) for a in out_avals]
      self.eqns.append(Eqn(prim, atoms, params, [t.ir_var for t in outs]))
      return outs
    out = StagingTracer(self, out_avals)
    self.eqns.append(Eqn(prim, atoms, params, [out.ir_var]))
    return out

  def to_jaxpr(self, outs: Sequence[Any]) -> tuple[Jaxpr, list[Any]]:
    outvars = [self.to_atom(x) for x in outs]
    return Jaxpr(self.constvars, self.invars, self.eqns, outvars), list(self.constvals)

  def input_names_feeding(self, var: Var) -> list[str]:
    """Names of the arguments a staged value depends on (for error messages only)."""
    needed = {id(var)}
    for eqn in reversed(self.eqns):
      if any(id(v) in needed for v in eqn.outvars):
        needed.update(id(v) for v in eqn.invars if type(v) is Var)
    return [n or f"argument {i}" for i, (v, n) in enumerate(zip(self.invars, self.arg_names))
            if id(v) in needed]


_NUMPY_SCALARS = frozenset((np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                            np.int8, np.uint8, np.bool_, np.complex128, np.complex64))
_AVAL_RULE_CACHE: dict = {}


def abstract_eval(prim, avals: list, params: dict):
  """``prim.abstract_eval(*avals, **params)``, remembered: staging a program applies the
  same shape rules to the same avals over and over (every layer of a network, every step
  of an unrolled loop, every tangent of linearize)."""
  if prim.multiple_results:  # calls and control flow: programs as params, cheap rules
    return [a.strong() for a in prim.abstract_eval(*avals, **params)]
  try:
    rule = prim.abstract_eval  # (not prim: a redefined rule must not meet its old results)
    # (the types of the params too: 2 == 2.0 == True, but they make different dtypes)
    key = ((rule, *avals, *params.items(), *map(type, params.values())) if params
           else (rule, *avals))
    out = _AVAL_RULE_CACHE.get(key)
  except TypeError:  # an unhashable param
    return prim.abstract_eval(*avals, **params).strong()
  if out is None:
    out = prim.abstract_eval(*avals, **params).strong()  # results are never weak
    if len(_AVAL_RULE_CACHE) > 20_000:
      _AVAL_RULE_CACHE.clear()
    _AVAL_RULE_CACHE[key] = out
  return out


def trace_to_jaxpr(fun: Callable, in_avals: Sequence[ShapedArray],
                   arg_names: Sequence[str] | None = None,
                   keep_weak: bool = False) -> tuple[Jaxpr, list[Any]]:
  """Stage ``fun`` (flat lists in and out) into a program and its constants.

  Inputs are strong unless ``keep_weak``: only jit and make_jaxpr, whose arguments are the
  user's values, keep weak (Python-scalar) inputs weak; bodies of loops, branches and
  custom rules are traced with strong inputs, as they are when called eagerly."""
  names = list(arg_names) if arg_names is not None else [""] * len(in_avals)
  with new_trace(StagingTrace) as trace:
    ins = [trace.new_arg(a if keep_weak else a.strong(), n) for a, n in zip(in_avals, names)]
    outs = fun(*ins)
    return trace.to_jaxpr(outs)


# -- partial evaluation of a whole program -------------------------------------

def partial_eval_jaxpr_nounits(jaxpr: Jaxpr, unknowns: Sequence[bool],
                               instantiate: bool | Sequence[bool] = False
                               ) -> tuple[Jaxpr, list[Any], Jaxpr, list[bool], int]:
  """Split a constvar-free ``jaxpr`` by *running* it on known and unknown inputs.

  Rather than sorting whole equations into known and unknown, the program is evaluated
  with its known inputs staged into one trace and its unknown inputs into a
  trace above it, so each higher-order primitive inside (scan, cond, calls)
  splits *its own* sub-programs through its ``pe_rules`` entry instead of
  becoming unknown as a whole. ``instantiate`` forces outputs to be unknown (a
  known value is then passed to the unknown part as a residual), which is what
  a loop's carry needs when its input is unknown but its output is not.

  Returns ``(known, known_consts, unknown, out_unknowns, num_res)`` with both
  programs constvar-free: ``known`` maps (known_consts, known inputs) to (known
  outputs, residuals); ``unknown`` maps (residuals, unknown inputs) to the
  unknown outputs.
  """
  if isinstance(instantiate, bool):
    instantiate = [instantiate] * len(jaxpr.outvars)
  key = ("partial_eval_jaxpr_nounits", tuple(unknowns), tuple(bool(i) for i in instantiate))
  return memo_concrete(jaxpr, key,
                       lambda: _partial_eval_jaxpr_nounits(jaxpr, list(unknowns), list(instantiate)))


def _partial_eval_jaxpr_nounits(jaxpr: Jaxpr, unknowns: list, instantiate: list):
  with new_trace(StagingTrace) as known_trace:
    k_args = [known_trace.new_arg(v.aval) for v, u in zip(jaxpr.invars, unknowns) if not u]
    with new_trace(StagingTrace) as unknown_trace:
      u_args = [unknown_trace.new_arg(v.aval) for v, u in zip(jaxpr.invars, unknowns) if u]
      k_it, u_it = iter(k_args), iter(u_args)
      outs = _eval_known_staged(jaxpr, [next(u_it) if u else next(k_it) for u in unknowns],
                                known_trace)
      out_unknowns = [unknown_trace.is_own(x) or bool(i) for x, i in zip(outs, instantiate)]
      unknown, residuals = unknown_trace.to_jaxpr(
          [x for x, u in zip(outs, out_unknowns) if u])
    known, known_consts = known_trace.to_jaxpr(
        [x for x, u in zip(outs, out_unknowns) if not u] + residuals)
  return hoist_consts(known), known_consts, hoist_consts(unknown), out_unknowns, len(residuals)


def _eval_known_staged(jaxpr: Jaxpr, args: Sequence[Any], known_trace: StagingTrace) -> list[Any]:
  """``eval_jaxpr``, except that an equation on literals only is staged into the known
  program instead of being computed now (the program stays a program)."""
  env: dict[int, Any] = {id(v): x for v, x in zip(jaxpr.invars, args, strict=True)}
  for eqn in jaxpr.eqns:
    ins = [a.val if type(a) is Lit else env[id(a)] for a in eqn.invars]
    if any(isinstance(x, Tracer) for x in ins):
      out = bind(eqn.prim, ins, eqn.params)
    else:
      out = known_trace.stage(eqn.prim, [known_trace.to_atom(x) for x in ins], eqn.params)
    outs = out if eqn.prim.multiple_results else [out]
    for v, x in zip(eqn.outvars, outs):
      env[id(v)] = x
  return [a.val if type(a) is Lit else env[id(a)] for a in jaxpr.outvars]
