"""Vectorisation (vmap): run a function on a batch by carrying a batch axis.

A ``BatchTracer`` holds a value with an extra axis ``bdim`` (or ``None`` when
the value is the same for every batch member). Each primitive's batching rule
``rule(vals, dims, **params) -> (out, out_dim)`` (``Primitive.def_batching``)
computes the whole batch at once, usually with the primitive itself on the
batched arrays; ``batch_size(vals, dims)`` is the size of the batch.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence, cast

from ..core.avals import ShapedArray, get_aval
from ..core.ir import memo_concrete
from ..core.primitive import missing_rule_error
from ..core.rules import batch_rules
from ..core.trace import Trace, Tracer, new_trace

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


class BatchTrace(Trace):
  __slots__ = ("axis_size",)
  description = "vmap"

  def __init__(self, level: int, axis_size: int):
    super().__init__(level)
    self.axis_size = axis_size

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
    rule = batch_rules.get(prim)
    if rule is None:
      raise NotImplementedError(missing_rule_error(
          prim, "batching rule", "def_batching",
          f"; vmap is not supported for '{prim.name}' without one (use a Python loop "
          "instead)"))
    out, out_dim = rule(vals, dims, **params)
    if prim.multiple_results:
      return [self.wrap(x, d) for x, d in zip(out, out_dim)]
    return self.wrap(out, out_dim)

  def wrap(self, val, bdim):
    return val if bdim is None else BatchTracer(self, val, bdim)


def vmap_flat(fun: Callable, axis_size: int, args: Sequence[Any], in_dims: Sequence[int | None],
              out_dims: Sequence[int | None] | Callable) -> list[Any]:
  """Apply ``fun`` to a batch: ``in_dims``/``out_dims`` give where each batch axis is.

  ``out_dims`` may be a function of the number of outputs (for callers that learn
  the output structure only by running ``fun``); ``None`` there means the output
  must be the same for every batch member, and a negative axis counts from the end
  of the batched result, as in NumPy.
  """
  ops = _ops()
  with new_trace(BatchTrace, axis_size) as trace:
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
  return memo_concrete(jaxpr, ("batch_jaxpr", axis_size, tuple(in_dims)),
                       lambda: _batch_jaxpr(jaxpr, axis_size, list(in_dims)))


def batch_jaxpr_out(jaxpr, axis_size: int, in_dims: Sequence[int | None]):
  """Like ``batch_jaxpr``, but an output that is the same for every batch member stays
  unbatched: returns ``(new_jaxpr, consts, out_batched)``, batched outputs at axis 0."""
  return memo_concrete(jaxpr, ("batch_jaxpr_out", axis_size, tuple(in_dims)),
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
    with new_trace(BatchTrace, axis_size) as trace:
      outs = eval_jaxpr(jaxpr, [], [trace.wrap(x, d) for x, d in zip(xs, in_dims)])
      pairs = [(x.val, x.bdim) if type(x) is BatchTracer and x._trace is trace else (x, None)
               for x in outs]
    out_batched[:] = [d is not None for _, d in pairs]
    return [v if d is None else _ops().moveaxis(v, d, 0) for v, d in pairs]
  new, consts = trace_to_jaxpr(f, _batched_avals(jaxpr, axis_size, in_dims))
  return new, consts, list(out_batched)
