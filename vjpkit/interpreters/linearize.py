"""Reverse mode as a composition: linearize = jvp + partial evaluation, vjp = transpose.

``linearize_flat`` runs the JVP with known primals and *staged* tangents: the
primal computation happens once, now, and what is recorded is exactly the
linear map from input tangents to output tangents, with the residuals it
needs (e.g. ``cos x`` for ``sin``) as constants. ``LinearFunction`` holds that
program; calling it pushes tangents forward, ``transpose`` pulls cotangents
back through the transposed program.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

from ..core.avals import ShapedArray, get_aval, tangent_aval
from ..core.ir import Jaxpr
from ..core.trace import Tracer, _stack
from ..core.zeros import Zero, instantiate
from ..passes.dce import dce_closed
from .compiled_backward import compiled_backward_pass
from .eval import eval_jaxpr
from .jvp import JVPTrace
from .partial_eval import StagingTrace
from .transpose import backward_pass


class LinearFunction:
  """A linear map recorded as a program: tangents in, tangents out.

  ``in_avals``/``out_avals`` are the tangent spaces; inputs or outputs whose
  tangent is structurally zero (integer values, outputs independent of the
  inputs) are absent from ``jaxpr`` and flagged in ``in_live``/``out_live``.
  """
  __slots__ = ("jaxpr", "consts", "in_avals", "out_avals", "in_live", "out_live")

  def __init__(self, jaxpr: Jaxpr, consts: list, in_avals, out_avals, in_live, out_live):
    self.jaxpr, self.consts = jaxpr, consts
    self.in_avals, self.out_avals = list(in_avals), list(out_avals)
    self.in_live, self.out_live = list(in_live), list(out_live)

  def __call__(self, tangents: Sequence[Any]) -> list[Any]:
    live_in = [t for t, live in zip(tangents, self.in_live) if live]
    outs = iter(eval_jaxpr(self.jaxpr, self.consts, live_in))
    return [next(outs) if live else instantiate(Zero(a))
            for a, live in zip(self.out_avals, self.out_live)]

  def transpose(self, cts: Sequence[Any]) -> list[Any]:
    """Cotangents of the inputs (symbolic ``Zero`` where nothing flows back)."""
    live_cts = [c for c, live in zip(cts, self.out_live) if live]
    if self._worth_compiling(live_cts):
      cts_in = iter(compiled_backward_pass(self.jaxpr, self.consts, live_cts))
    else:
      cts_in = iter(backward_pass(self.jaxpr, self.consts, live_cts, all_linear=True))
    return [next(cts_in) if live else Zero(a) for a, live in zip(self.in_avals, self.in_live)]

  def _worth_compiling(self, cts) -> bool:
    """Big arrays: the backward program is then worth optimising and compiling (a
    millisecond) before running it, since that makes it write into buffers it owns
    instead of allocating, and drops products with broadcast ones. Only concrete
    values qualify (under an outer transform the backward pass must be traced)."""
    eqns = self.jaxpr.eqns
    if not eqns:
      return False
    big = 0
    left = len(eqns)
    for e in eqns:
      outvars = e.outvars
      if outvars:
        aval = outvars[0].aval
        size = aval._size  # (ShapedArray.size, its cached value read directly)
        if size is None:
          size = aval.size
        big += 1 if size >= COMPILE_BACKWARD else -1
      else:
        big -= 1
      left -= 1
      if big + left <= 0:  # a majority of big equations can no longer be reached
        return False
    if big <= 0:
      return False
    return not any(isinstance(x, Tracer) for x in itertools.chain(self.consts, cts))


# Eager reverse mode compiles its backward pass when most equations make arrays this big.
COMPILE_BACKWARD = 1 << 17


def linearize_flat(fun: Callable, primals: Sequence[Any], dce: bool = True, who: str = "linearize"
                   ) -> tuple[list[Any], LinearFunction]:
  """Evaluate ``fun`` at ``primals`` and record its linearization there.

  ``dce=False`` keeps tangent equations no output needs (and their residuals): cheaper
  when the linear function is transposed once and dropped, as ``grad`` does, since the
  backward pass skips equations that receive no cotangent anyway. ``who`` names the
  transform in error messages."""
  in_avals = []
  in_live = []
  for p in primals:
    aval = get_aval(p)
    live = aval.dtype.kind in "fc"
    in_live.append(live)
    in_avals.append(aval if live else tangent_aval(aval))
  # the two traces of ``new_trace(StagingTrace)`` and ``new_trace(JVPTrace, who)``, nested,
  # pushed and popped directly (this is a fixed cost of every gradient)
  traces = _stack.traces
  lin = StagingTrace(len(traces) + 1)
  traces.append(lin)
  try:
    tangents = [lin.new_arg(a) if live else Zero(a) for a, live in zip(in_avals, in_live)]
    jvp = JVPTrace(len(traces) + 1, who)
    traces.append(jvp)
    try:
      jvp.lin = lin
      wrap = jvp.wrap_arg
      out_primals, out_tangents = jvp.unpack(fun(*[wrap(p, t) for p, t in zip(primals, tangents)]))
    finally:
      traces.pop()
      jvp.active = False
    out_live = [type(t) is not Zero for t in out_tangents]
    jaxpr, consts = lin.to_jaxpr([t for t, live in zip(out_tangents, out_live) if live])
  finally:
    traces.pop()
    lin.active = False
  if dce:
    jaxpr, consts = dce_closed(jaxpr, consts)
  out_avals = [tangent_aval(get_aval(p)) for p in out_primals]
  return out_primals, LinearFunction(jaxpr, consts, in_avals, out_avals, in_live, out_live)


def vjp_flat(fun: Callable, primals: Sequence[Any]
             ) -> tuple[list[Any], Callable[[Sequence[Any]], list[Any]]]:
  """``fun``'s outputs and a function from output cotangents to input cotangents."""
  out, lin = linearize_flat(fun, primals)
  return out, lin.transpose


def check_cotangents(cts: Sequence[Any], avals: Sequence[ShapedArray], who: str) -> None:
  """Reject cotangents whose shape or dtype does not match the primal output's."""
  for i, (ct, aval) in enumerate(zip(cts, avals)):
    if type(ct) is Zero:
      continue
    got = get_aval(ct)
    expected_dtype = aval.dtype
    if got.shape != aval.shape or (got.dtype != expected_dtype and aval.dtype.kind in "fc"):
      raise ValueError(
          f"{who}: cotangent {i} has shape/dtype {got.str_short()}, but the primal output "
          f"has {aval.str_short()}; pass a cotangent of exactly that shape and dtype.")
