"""What cond, while_loop and scan share: staging user functions, and editing sub-programs.

Every control-flow primitive carries constvar-free sub-programs (see
``hoist_consts``): whatever a branch or loop body closes over is passed as a
leading operand, so that outer transforms (jvp, vmap, staging) see it. The
helpers here stage a pytree function into such a program, line up the
operands of several programs (the branches of a cond), and batch a program
while reporting which of its outputs came out batched (the fixpoints of loop
carries need that).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ...core.avals import ShapedArray, get_aval, is_weak_scalar
from ...core.ir import Jaxpr, Var, hoist_consts
from ...core.trace import Tracer, new_trace
from ...interpreters.batching import BatchTrace, BatchTracer, current_axis_name
from ...interpreters.eval import eval_jaxpr
from ...interpreters.partial_eval import trace_to_jaxpr
from ...tree_util import PyTreeDef, tree_flatten, tree_unflatten


def flatten_operands(tree_of_arrays, who: str, weak: bool = False) -> tuple[list, PyTreeDef]:
  """Leaves of an operand pytree as arrays or tracers (Python numbers become arrays, or stay
  Python numbers with ``weak``: then they are weakly typed, as a jit argument is)."""
  leaves, tree = tree_flatten(tree_of_arrays)
  out: list[Any] = []
  for x in leaves:
    if isinstance(x, Tracer):
      out.append(x)
    elif isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
      get_aval(x)  # rejects object and string arrays
      # Python numbers become NumPy scalars (literals when staged), keeping NumPy's dtypes
      out.append(x if weak and is_weak_scalar(x) else
                 np.asarray(x)[()] if isinstance(x, (bool, int, float, complex)) else x)
    else:
      raise TypeError(f"{who}: operands must be arrays, numbers or pytrees of them, got a "
                      f"value of type {type(x).__name__!r}")
  return out, tree


class OutTree:
  """Where a staged function leaves the pytree structure of its output."""
  __slots__ = ("tree",)

  def __init__(self):
    self.tree = None


def stage_function(fun: Callable, in_tree: PyTreeDef, in_avals: Sequence[ShapedArray],
                   who: str, keep_weak: bool = False) -> tuple[Jaxpr, list, PyTreeDef]:
  """Stage ``fun`` (called as ``fun(*tree_unflatten(in_tree, leaves))``) into a
  constvar-free program; returns ``(jaxpr, consts, out_tree)``, consts first. Weak input
  avals stay weak with ``keep_weak``."""
  store = OutTree()

  def flat(*leaves):
    out = fun(*tree_unflatten(in_tree, list(leaves)))
    out_leaves, store.tree = flatten_operands(out, f"{who} (its output)")
    return out_leaves
  jaxpr, consts = trace_to_jaxpr(flat, in_avals, keep_weak=keep_weak)
  return hoist_consts(jaxpr), consts, store.tree


def promote_weak_carry(init: Sequence[Any], in_avals: Sequence[ShapedArray],
                       out_avals: Sequence[ShapedArray]) -> list | None:
  """JAX's rule for a weakly typed loop carry (a Python number as the initial value): where
  the body returns such a leaf with another dtype of the same shape (``c * x`` with a float32
  ``x``), the initial value takes that dtype, and the body is staged again. Returns the new
  initial leaves, or None where no weak leaf changed type."""
  new, changed = list(init), False
  for k, (x, a, b) in enumerate(zip(init, in_avals, out_avals)):
    if a.weak_type and a.shape == b.shape and a.dtype != b.dtype:
      if isinstance(x, Tracer):  # a weak traced value (a Python number given to jit)
        from ..elementwise import convert_element_type
        new[k] = convert_element_type(x, b.dtype)
      else:
        new[k] = np.asarray(x, b.dtype)[()]
      changed = True
  return new if changed else None


def weak_changes_only(in_avals: Sequence[ShapedArray], out_avals: Sequence[ShapedArray]) -> bool:
  """Whether every leaf whose type differs is weakly typed and keeps its shape (which
  ``promote_weak_carry`` handles)."""
  return all(a == b or (a.weak_type and a.shape == b.shape) for a, b in zip(in_avals, out_avals))


def avals_str(avals: Sequence[ShapedArray]) -> str:
  return "(" + ", ".join(a.str_short() for a in avals) + ")"


def carry_change(old: Sequence[ShapedArray], new: Sequence[ShapedArray]) -> tuple[str, str]:
  """Which carry leaves a loop body changes the type of (``"carry leaf 0: f32[] -> f64[]"``),
  and how to convert them back (``".astype(np.float32)"``, or ``""``)."""
  changed = [(k, a, b) for k, (a, b) in enumerate(zip(old, new)) if a != b]
  which = "; ".join(f"carry leaf {k}: {a.str_short()} -> {b.str_short()}" for k, a, b in changed)
  casts = sorted({f".astype(np.{a.dtype.name})" for _, a, b in changed
                  if a.shape == b.shape and a.dtype != b.dtype})
  return which, " / ".join(casts)


# -- editing sub-programs ---------------------------------------------------------

def with_invars(jaxpr: Jaxpr, invars: Sequence[Var]) -> Jaxpr:
  """The same equations and outputs, reading the given (reordered, or extra unused) invars."""
  return Jaxpr([], list(invars), jaxpr.eqns, jaxpr.outvars)


def join_consts(closed: Sequence[tuple[Jaxpr, list]]) -> tuple[list[Jaxpr], list]:
  """Give several programs (each with its own constvars) one common operand list.

  Program ``i`` becomes constvar-free, taking every program's constants first
  (reading only its own), then its original invars."""
  consts = [c for _, cs in closed for c in cs]
  out = []
  for i, (jaxpr, _) in enumerate(closed):
    lead = []
    for j, (other, _) in enumerate(closed):
      lead += list(jaxpr.constvars) if j == i else [Var(v.aval) for v in other.constvars]
    out.append(Jaxpr([], lead + list(jaxpr.invars), jaxpr.eqns, jaxpr.outvars))
  return out, consts


def split(xs: Sequence, *sizes: int) -> list[list]:
  """``xs`` cut into consecutive pieces of the given sizes, plus the rest."""
  out, start = [], 0
  for n in sizes:
    out.append(list(xs[start:start + n]))
    start += n
  out.append(list(xs[start:]))
  return out


def select_mask(xs: Sequence, mask: Sequence[bool], keep: bool = True) -> list:
  return [x for x, m in zip(xs, mask, strict=True) if bool(m) == keep]


def merge_mask(mask: Sequence[bool], true_vals: Sequence, false_vals: Sequence) -> list:
  """Inverse of two ``select_mask``: values in the original order."""
  t, f = iter(true_vals), iter(false_vals)
  return [next(t) if m else next(f) for m in mask]


# -- batching with per-output reports -------------------------------------------------

def batch_jaxpr_out(jaxpr: Jaxpr, axis_size: int, in_dims: Sequence[int | None],
                    instantiate: Sequence[bool]) -> tuple[Jaxpr, list, list[bool]]:
  """Batch a constvar-free program; batched outputs get their axis at 0.

  Unlike ``batch_jaxpr`` an output is batched only when it depends on a
  batched input or ``instantiate`` asks for it; returns ``(jaxpr, consts,
  out_batched)`` with ``jaxpr`` constvar-free taking ``consts`` first."""
  in_avals = []
  for a, d in zip(jaxpr.in_avals, in_dims, strict=True):
    shape = list(a.shape)
    if d is not None:
      shape.insert(d, axis_size)
    in_avals.append(ShapedArray(shape, a.dtype))
  out_batched: list[bool] = []

  def f(*xs):
    from .. import shapes
    with new_trace(BatchTrace, axis_size, current_axis_name()) as trace:
      outs = eval_jaxpr(jaxpr, [], [trace.wrap(x, d) for x, d in zip(xs, in_dims)])
      res = []
      out_batched.clear()
      for x, inst in zip(outs, instantiate, strict=True):
        if type(x) is BatchTracer and x._trace is trace:
          res.append(shapes.moveaxis(x.val, x.bdim, 0))
          out_batched.append(True)
        elif inst:
          res.append(shapes.broadcast_batch(x, axis_size, 0))
          out_batched.append(True)
        else:
          res.append(x)
          out_batched.append(False)
    return res
  new, consts = trace_to_jaxpr(f, in_avals)
  return hoist_consts(new), consts, list(out_batched)


def to_front(x, d: int | None, axis_size: int, want: bool):
  """``x`` with its batch axis at 0; an unbatched ``x`` is broadcast when ``want``."""
  from .. import shapes
  if d is None:
    return shapes.broadcast_batch(x, axis_size, 0) if want else x
  return shapes.moveaxis(x, d, 0) if d != 0 else x


def is_concrete(x: Any) -> bool:
  """A value known now (not a tracer): control flow on it can be decided in Python."""
  return not isinstance(x, Tracer)
