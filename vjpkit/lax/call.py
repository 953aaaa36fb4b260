"""``closed_call``: apply a sub-program as one equation.

The simplest higher-order primitive, and the template for the others (jit,
checkpoint, control flow): its param ``call_jaxpr`` is a program without
constvars (constants are passed as leading operands, see ``hoist_consts``),
and every rule transforms that program with the generic program transforms:
``jvp_jaxpr``, ``partial_eval_jaxpr_nounits``, ``transpose_jaxpr``, ``batch_jaxpr_out``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..core.aliasing import unaliased_impl
from ..core.avals import get_aval
from ..core.ir import Jaxpr, hoist_consts
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef
from ..interpreters.batching import batch_jaxpr_out, batch_size
from ..interpreters.eval import eval_jaxpr
from ..interpreters.jvp import jvp_jaxpr
from ..interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from ..interpreters.transpose import transpose_jaxpr
from ..passes.dce import dce_jaxpr


def call_rules(prim: Primitive, bind: Callable[..., list]) -> None:
  """Register impl-independent rules for a call-like primitive.

  ``bind(args, jaxpr, params)`` applies ``prim`` to a (new) program, so that
  a variant such as ``jit`` keeps its own params through every transform.
  """
  def jvp(primals, tangents, *, call_jaxpr, **params):
    nonzeros = [type(t) is not Zero for t in tangents]
    new, consts, out_nz = jvp_jaxpr(call_jaxpr, nonzeros, False)
    outs = bind(list(consts) + list(primals) + [t for t in tangents if type(t) is not Zero],
                hoist_consts(new), params)
    n = len(call_jaxpr.outvars)
    it = iter(outs[n:])
    return outs[:n], [next(it) if nz else Zero(v.aval) for v, nz in zip(call_jaxpr.outvars, out_nz)]

  def partial_eval(trace, args, params):
    call_jaxpr = params["call_jaxpr"]
    rest = {k: v for k, v in params.items() if k != "call_jaxpr"}
    unknowns = [trace.is_own(x) for x in args]
    if all(unknowns) or not any(unknowns):
      return trace.stage(prim, [trace.to_atom(x) for x in args], params)
    # Traced, so that control flow and calls inside split through their own pe_rules.
    known, known_consts, unknown, out_unknowns, _ = partial_eval_jaxpr_nounits(call_jaxpr,
                                                                               unknowns)
    known_outs = bind(list(known_consts) + [x for x, u in zip(args, unknowns) if not u], known, rest)
    n_known = sum(1 for u in out_unknowns if not u)
    residuals = known_outs[n_known:]
    staged = trace.stage(prim, [trace.to_atom(x) for x in residuals] +
                         [trace.to_atom(x) for x, u in zip(args, unknowns) if u],
                         dict(rest, call_jaxpr=dce_jaxpr(unknown)))
    k, s = iter(known_outs[:n_known]), iter(staged)
    return [next(s) if u else next(k) for u in out_unknowns]

  def transpose(cts, *args, call_jaxpr, **params):
    linear = [is_undef(a) for a in args]
    new, consts = transpose_jaxpr(call_jaxpr, linear)
    cts = [instantiate(c) for c in cts]
    outs = iter(bind(list(consts) + [a for a in args if not is_undef(a)] + cts,
                     hoist_consts(new), params))
    return [next(outs) if l else None for l in linear]

  def batch(vals, dims, *, call_jaxpr, **params):
    axis_size = batch_size(vals, dims)
    new, consts, out_batched = batch_jaxpr_out(call_jaxpr, axis_size, dims)
    outs = bind(list(consts) + list(vals), hoist_consts(new), params)
    return outs, [0 if b else None for b in out_batched]

  prim.def_jvp(jvp, symbolic_zeros=True)
  prim.def_partial_eval(partial_eval)
  prim.def_transpose(transpose)
  prim.def_batching(batch)


def _call_abstract_eval(*avals, call_jaxpr: Jaxpr, **params):
  expected = call_jaxpr.in_avals
  if list(avals) != list(expected):
    raise TypeError(f"call of a program taking ({', '.join(a.str_short() for a in expected)}) "
                    f"with ({', '.join(a.str_short() for a in avals)})")
  return call_jaxpr.out_avals


closed_call_p = Primitive("closed_call", multiple_results=True,
                          impl=lambda *args, call_jaxpr: unaliased_impl(
                              eval_jaxpr(call_jaxpr, [], args), args),
                          abstract_eval=_call_abstract_eval)
call_rules(closed_call_p, lambda args, jaxpr, params: closed_call_p.bind(*args, call_jaxpr=jaxpr))


def closed_call(fun: Callable, *args: Any) -> list:
  """Stage ``fun`` (flat arrays in, list out) and apply it as one ``closed_call`` equation."""
  jaxpr, consts = trace_to_jaxpr(fun, [get_aval(a) for a in args])
  return closed_call_p.bind(*consts, *args, call_jaxpr=hoist_consts(jaxpr))


def call_jaxpr_of(fun: Callable, avals: Sequence) -> tuple[Jaxpr, list]:
  """``fun`` staged into a constvar-free program plus the constants to pass first."""
  jaxpr, consts = trace_to_jaxpr(fun, avals)
  return hoist_consts(jaxpr), consts
