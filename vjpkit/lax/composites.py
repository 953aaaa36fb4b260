"""JAX's ``lax`` conveniences that need no primitive of their own: select, clamp, reduce, iota,
dot, and indexing one position along an axis at a traced index (``x[i]`` in a loop body).

They are here so that low-level code (loop bodies, custom rules) can be
written in ``lax`` terms as in JAX; each is a composition of primitives, so it
is differentiable, batchable and stageable for free.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..interpreters.partial_eval import trace_to_jaxpr
from . import elementwise as ew
from . import indexing, linalg, reductions, shapes


def select(pred: Any, on_true: Any, on_false: Any) -> Any:
  """``on_true`` where ``pred`` else ``on_false``, elementwise (JAX's ``lax.select``).

  >>> select(np.array([True, False]), np.array([1.0, 2.0]), np.array([10.0, 20.0]))
  array([ 1., 20.])
  """
  return ew.select_n(pred, on_false, on_true)


def clamp(min: Any, x: Any, max: Any) -> Any:  # noqa: A002 - JAX's argument names
  """``x`` limited to ``[min, max]`` elementwise (argument order as in JAX).

  >>> clamp(0.0, np.array([-1.0, 0.5, 3.0]), 1.0)
  array([0. , 0.5, 1. ])
  """
  return ew.min(ew.max(x, min), max)


def iota(dtype: Any, size: int) -> np.ndarray:
  """``[0, 1, ..., size - 1]`` (a constant: it depends on no traced value).

  >>> iota(np.int32, 4)
  array([0, 1, 2, 3], dtype=int32)
  """
  return np.arange(int(size), dtype=np.dtype(dtype))


def broadcasted_iota(dtype: Any, shape: Sequence[int], dimension: int) -> np.ndarray:
  """An array of ``shape`` counting along ``dimension``.

  >>> broadcasted_iota(np.int64, (2, 3), 1)
  array([[0, 1, 2],
         [0, 1, 2]])
  """
  shape = tuple(int(s) for s in shape)
  return np.broadcast_to(iota(dtype, shape[dimension]).reshape(
      [-1 if i == dimension else 1 for i in range(len(shape))]), shape)


def dot(x: Any, y: Any) -> Any:
  """Vector/matrix products contracting the last axis of ``x`` with the first of ``y``.

  >>> dot(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 1.0]))
  array([3., 7.])
  """
  nx, ny = get_aval(x).ndim, get_aval(y).ndim
  if nx not in (1, 2) or ny not in (1, 2):
    raise TypeError(f"lax.dot takes vectors and matrices, got ranks {nx} and {ny}; use "
                    "dot_general for other contractions")
  return linalg.dot_general(x, y, (((nx - 1,), (0,)), ((), ())))


# computation primitive -> (reduction, identity for the dtype)
def _monoid(prim_name: str, dtype: np.dtype):
  big = np.inf if dtype.kind == "f" else (np.iinfo(dtype).max if dtype.kind in "iu" else True)
  small = -np.inf if dtype.kind == "f" else (np.iinfo(dtype).min if dtype.kind in "iu" else False)
  return {"add": (reductions.reduce_sum, 0), "max": (reductions.reduce_max, small),
          "min": (reductions.reduce_min, big), "or": (reductions.reduce_max, False),
          "and": (reductions.reduce_min, True)}.get(prim_name)


def reduce(operands: Any, init_values: Any, computation: Callable[[Any, Any], Any],
           dimensions: Sequence[int]) -> Any:
  """Reduce ``operands`` over ``dimensions`` with a binary ``computation`` (JAX's ``lax.reduce``).

  The computation must be one of add, max, min, logical and/or (as a lax
  function or any function staging to one such primitive); ``init_values`` is
  combined with the result once.

  >>> from vjpkit import lax
  >>> reduce(np.array([[1.0, 5.0], [3.0, 2.0]]), -np.inf, lax.max, (1,))
  array([5., 3.])
  >>> reduce(np.arange(4.0), 0.0, lambda a, b: a + b, (0,))
  np.float64(6.0)
  """
  if isinstance(operands, (tuple, list)):
    if len(operands) != 1:
      raise NotImplementedError("lax.reduce over several operands (variadic reduce) is not "
                                "supported; reduce each operand separately or use argmax/argmin")
    (operands,), (init_values,) = operands, init_values
    return [reduce(operands, init_values, computation, dimensions)]
  aval = get_aval(operands)
  scalar = ShapedArray((), aval.dtype)
  jaxpr, _ = trace_to_jaxpr(lambda a, b: [computation(a, b)], [scalar, scalar])
  eqns = jaxpr.eqns
  found = None
  if (len(eqns) == 1 and len(eqns[0].invars) == 2 and not jaxpr.constvars
      and {id(v) for v in eqns[0].invars} == {id(v) for v in jaxpr.invars}
      and jaxpr.outvars[0] is eqns[0].outvars[0]):
    found = _monoid(eqns[0].prim.name, aval.dtype)
  if found is None:
    raise NotImplementedError(
        "lax.reduce supports computations that are a single add, max, min, logical and or "
        "logical or of their two arguments; for anything else, use a scan over the axis.")
  reduction, identity = found
  dims = tuple(int(d) % aval.ndim for d in dimensions) if aval.ndim else ()
  out = reduction(operands, dims)
  if isinstance(init_values, (int, float, bool, np.generic, np.ndarray)) and np.all(
      np.asarray(init_values) == identity):
    return out
  init = np.array(init_values, aval.dtype)[()] if not hasattr(init_values, "aval") else init_values
  return computation(shapes.broadcast_in_dim(init, get_aval(out).shape, ()), out)


def dynamic_index_in_dim(operand: Any, index: Any, axis: int = 0, keepdims: bool = True) -> Any:
  """The slice at position ``index`` (which may be traced) along ``axis``: ``x[i]`` in a loop.

  >>> dynamic_index_in_dim(np.arange(6.0).reshape(3, 2), 1, keepdims=False)
  array([2., 3.])
  """
  shape = get_aval(operand).shape
  axis = axis % len(shape)
  starts = [np.int64(0)] * len(shape)
  starts[axis] = index
  sizes = list(shape)
  sizes[axis] = 1
  out = indexing.dynamic_slice(operand, starts, sizes)
  return out if keepdims else shapes.squeeze(out, (axis,))


def dynamic_update_index_in_dim(operand: Any, update: Any, index: Any, axis: int = 0) -> Any:
  """``operand`` with position ``index`` (which may be traced) along ``axis`` replaced by ``update``.

  >>> dynamic_update_index_in_dim(np.zeros((2, 2)), np.ones(2), 1)
  array([[0., 0.],
         [1., 1.]])
  """
  shape = get_aval(operand).shape
  axis = axis % len(shape)
  if get_aval(update).ndim == len(shape) - 1:
    update = shapes.expand_dims(update, (axis,))
  starts = [np.int64(0)] * len(shape)
  starts[axis] = index
  return indexing.dynamic_update_slice(operand, update, starts)
