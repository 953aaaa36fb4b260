"""Vectorisation (vmap): run a function on a batch by carrying a batch axis.

A ``BatchTracer`` holds a value with an extra axis ``bdim`` (or ``None`` when
the value is the same for every batch member). Each primitive's batching rule
``rule(vals, dims, **params) -> (out, out_dim)`` (``Primitive.def_batching``)
computes the whole batch at once, usually with the primitive itself on the
batched arrays; ``batch_size(vals, dims)`` is the size of the batch.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, NamedTuple, Sequence, cast

from ..core.avals import ShapedArray, get_aval
from ..core.ir import memo_concrete
from ..core.primitive import missing_rule_error
from ..core.rules import batch_rules
from ..core.trace import Trace, Tracer, _stack, new_trace

not_mapped = None


def batch_size(vals: Sequence[Any], dims: Sequence[int | None]) -> int:
  """The size of the batch a batching rule is applied to (at least one value is batched)."""
  for v, d in zip(vals, dims):
    if d is not None:
      return get_aval(v).shape[d]
  raise ValueError("batch_size: no value is batched")


class AxisOps(NamedTuple):
  """How vmap moves a batch axis and makes one, for the results it hands back.

  Both bind primitives, which the interpreters do not declare (nor import):
  ``vjpkit/lax/shapes.py`` registers them with ``register_axis_ops`` where it
  declares them, as it fills ``batch_rules``.
  """
  moveaxis: Callable[[Any, int, int], Any]   # (x, src, dst): axis src of x moved to dst
  broadcast: Callable[[Any, int, int], Any]  # (x, axis_size, dst): x repeated along a new axis


_axis_ops: AxisOps | None = None


def register_axis_ops(ops: AxisOps) -> None:
  """Give vmap its axis operations (the hook ``vjpkit.lax`` calls)."""
  global _axis_ops
  _axis_ops = ops


def _ops() -> AxisOps:
  if _axis_ops is None:
    raise RuntimeError("vmap needs the axis operations that vjpkit.lax registers "
                       "(register_axis_ops): import vjpkit or vjpkit.lax first")
  return _axis_ops


class BatchTracer(Tracer):
  __slots__ = ("val", "bdim", "_aval")

  def __init__(self, trace, val, bdim: int):
    self._trace = trace
    self.val = val
    self.bdim = bdim
    self._aval = None

  @property
  def aval(self):
    if self._aval is None:
      a = get_aval(self.val)
      self._aval = ShapedArray(a.shape[:self.bdim] + a.shape[self.bdim + 1:], a.dtype)
    return self._aval

  def with_weak_type(self, weak: bool) -> "BatchTracer":
    """This value with its aval's weak flag set (see ``vjpkit.core.avals``)."""
    out = BatchTracer(self._trace, self.val, self.bdim)
    out._aval = self.aval.with_weak_type(weak)
    return out


# Collective primitives (psum, all_gather, ...): prim -> rule(trace, vals, dims, **params),
# which sees the trace, so that it can tell its own named axis from others.
collective_rules: dict[Any, Callable] = {}


class _AxisContext(threading.local):
  """The axis name of the batching rule being run: a BatchTrace made while a rule runs (to
  batch a sub-program of scan, cond, jit, ...) stands for the same axis and inherits it."""
  def __init__(self):
    self.name: Any = None


_axis_context = _AxisContext()
_INHERIT: Any = object()


def current_axis_name() -> Any:
  """The axis name of the batching rule being run (None outside a named vmap)."""
  return _axis_context.name


def named_axis_trace(axis_name: Any, who: str) -> "BatchTrace":
  """The innermost active vmap with ``axis_name`` (a NameError if there is none)."""
  for trace in reversed(_stack.traces):
    if type(trace) is BatchTrace and trace.active and trace.axis_name == axis_name:
      return trace
  raise NameError(f"{who}: unbound axis name {axis_name!r}: a collective needs to run inside "
                  f"vmap(..., axis_name={axis_name!r})")


class BatchTrace(Trace):
  __slots__ = ("axis_size", "axis_name")
  description = "vmap"

  def __init__(self, level: int, axis_size: int, axis_name: Any = None):
    super().__init__(level)
    self.axis_size = axis_size
    self.axis_name = axis_name

  def process_primitive(self, prim, args, params):
    vals, dims, batched = [], [], False
    for x in args:
      if type(x) is BatchTracer and x._trace is self:
        vals.append(x.val)
        dims.append(x.bdim)
        batched = True
      else:
        vals.append(x)
        dims.append(None)
    if not batched:
      return prim.bind(*vals, **params)
    collective = collective_rules.get(prim)
    if collective is not None:
      out, out_dim = collective(self, vals, dims, **params)
      return self.wrap(out, out_dim)
    rule = batch_rules.get(prim)
    if rule is None:
      raise NotImplementedError(missing_rule_error(
          prim, "batching rule", "def_batching",
          f"; vmap is not supported for '{prim.name}' without one (use a Python loop "
          "instead)"))
    context = _axis_context
    if self.axis_name is None and context.name is None:
      out, out_dim = rule(vals, dims, **params)
    else:  # a named axis: sub-programs batched by the rule stand for it too
      outer, context.name = context.name, self.axis_name
      try:
        out, out_dim = rule(vals, dims, **params)
      finally:
        context.name = outer
    if prim.multiple_results:
      return [self.wrap(x, d) for x, d in zip(out, out_dim)]
    return out if out_dim is None else BatchTracer(self, out, out_dim)

  def wrap(self, val, bdim):
    return val if bdim is None else BatchTracer(self, val, bdim)


def vmap_flat(fun: Callable, axis_size: int, args: Sequence[Any], in_dims: Sequence[int | None],
              out_dims: Sequence[int | None] | Callable, axis_name: Any = _INHERIT) -> list[Any]:
  """Apply ``fun`` to a batch: ``in_dims``/``out_dims`` give where each batch axis is.

  ``axis_name`` names the axis for collectives (``lax.psum``, ...); by default it is that
  of the batching rule calling ``vmap_flat`` (None outside any).

  ``out_dims`` may be a function of the number of outputs (for callers that learn
  the output structure only by running ``fun``); ``None`` there means the output
  must be the same for every batch member, and a negative axis counts from the end
  of the batched result, as in NumPy.
  """
  ops = _ops()
  name = _axis_context.name if axis_name is _INHERIT else axis_name
  with new_trace(BatchTrace, axis_size, name) as trace:
    outs = fun(*[trace.wrap(x, d) for x, d in zip(args, in_dims, strict=True)])
    pairs = [(x.val, x.bdim) if type(x) is BatchTracer and x._trace is trace else (x, None)
             for x in outs]
  dims = cast("Sequence[int | None]", out_dims(len(pairs)) if callable(out_dims) else out_dims)
  results = []
  for i, ((val, bdim), dst) in enumerate(zip(pairs, dims, strict=True)):
    if dst is None:
      if bdim is not None:
        raise ValueError(f"vmap has out_axes=None for output {i}, which is batched (it "
                         "differs across the batch); give it an integer out_axes")
      results.append(val)
      continue
    ndim = get_aval(val).ndim + (bdim is None)  # the rank of the batched result
    if not -ndim <= dst < ndim:
      raise ValueError(f"vmap: out_axes={dst} is out of range for output {i}, which has "
                       f"rank {ndim} with the batch axis; use an axis in [{-ndim}, {ndim - 1}]")
    dst %= ndim
    if bdim is None:
      results.append(ops.broadcast(val, axis_size, dst))
    else:
      results.append(ops.moveaxis(val, bdim, dst))
  return results


def batch_jaxpr(jaxpr, axis_size: int, in_dims: Sequence[int | None]):
  """A program computing ``jaxpr`` on a batch; every output gets its batch axis at 0.

  ``jaxpr`` has no constvars; returns ``(new_jaxpr, consts)`` where the consts
  are leading inputs of nothing yet (the caller hoists them, see ``hoist_consts``).
  """
  return memo_concrete(jaxpr, ("batch_jaxpr", axis_size, tuple(in_dims), _axis_context.name),
                       lambda: _batch_jaxpr(jaxpr, axis_size, list(in_dims)))


def batch_jaxpr_out(jaxpr, axis_size: int, in_dims: Sequence[int | None]):
  """Like ``batch_jaxpr``, but an output that is the same for every batch member stays
  unbatched: returns ``(new_jaxpr, consts, out_batched)``, batched outputs at axis 0."""
  return memo_concrete(jaxpr, ("batch_jaxpr_out", axis_size, tuple(in_dims),
                               _axis_context.name),
                       lambda: _batch_jaxpr(jaxpr, axis_size, list(in_dims), False))


def _batched_avals(jaxpr, axis_size: int, in_dims: list) -> list:
  in_avals = []
  for a, d in zip(jaxpr.in_avals, in_dims):
    if d is None:
      in_avals.append(a)
    else:
      shape = list(a.shape)
      shape.insert(d, axis_size)
      in_avals.append(ShapedArray(shape, a.dtype))
  return in_avals


def _batch_jaxpr(jaxpr, axis_size: int, in_dims: list, instantiate: bool = True):
  from .eval import eval_jaxpr
  from .partial_eval import trace_to_jaxpr
  if instantiate:
    n_out = len(jaxpr.outvars)
    return trace_to_jaxpr(
        lambda *xs: vmap_flat(lambda *ys: eval_jaxpr(jaxpr, [], ys), axis_size, xs, in_dims,
                              [0] * n_out), _batched_avals(jaxpr, axis_size, in_dims))
  out_batched: list[bool] = []

  def f(*xs):
    with new_trace(BatchTrace, axis_size, _axis_context.name) as trace:
      outs = eval_jaxpr(jaxpr, [], [trace.wrap(x, d) for x, d in zip(xs, in_dims)])
      pairs = [(x.val, x.bdim) if type(x) is BatchTracer and x._trace is trace else (x, None)
               for x in outs]
    out_batched[:] = [d is not None for _, d in pairs]
    return [v if d is None else _ops().moveaxis(v, d, 0) for v, d in pairs]
  new, consts = trace_to_jaxpr(f, _batched_avals(jaxpr, axis_size, in_dims))
  return new, consts, list(out_batched)
