"""``dynamic_slice`` and ``dynamic_update_slice``: slicing at positions known only at run time.

Why: inside a loop body the position is the loop counter, a traced value, so
``x[i]`` cannot become a static ``slice``. As in JAX, start indices are
clamped so the slice stays in bounds. Both are linear in their array
operands (never in the indices) and each one's transpose is built from the
other: a slice pulls back to an update of zeros, an update pulls back to a
slice (for the update) and an update with zeros (for the operand). Under vmap
with batched indices each batch member is sliced by a ``lax.map`` (a scan).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef, vspace
from ..interpreters.batching import batch_rules
from ..interpreters.jvp import jvp_rules
from ..interpreters.transpose import transpose_rules


def _starts(operand_shape, sizes, indices) -> tuple:
  return tuple(int(np.clip(int(i), 0, n - s)) for i, n, s in zip(indices, operand_shape, sizes))


def _check_indices(who: str, operand: ShapedArray, indices) -> None:
  if len(indices) != operand.ndim or any(i.shape != () or i.dtype.kind not in "iu"
                                         for i in indices):
    raise TypeError(f"{who} needs one scalar integer start index per dimension of "
                    f"{operand.str_short()}, got ({', '.join(i.str_short() for i in indices)})")


# -- dynamic_slice ----------------------------------------------------------------

def _dynamic_slice_impl(operand, *indices, slice_sizes):
  operand = np.asarray(operand)
  starts = _starts(operand.shape, slice_sizes, indices)
  return operand[tuple(slice(s, s + n) for s, n in zip(starts, slice_sizes))]


def _dynamic_slice_abstract_eval(operand, *indices, slice_sizes):
  _check_indices("dynamic_slice", operand, indices)
  if len(slice_sizes) != operand.ndim or any(not 0 <= s <= n for s, n in
                                             zip(slice_sizes, operand.shape)):
    raise TypeError(f"dynamic_slice sizes {slice_sizes} do not fit {operand.str_short()}")
  return ShapedArray(slice_sizes, operand.dtype)


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
  operand, *indices = primals
  ans = dynamic_slice_p.bind(operand, *indices, slice_sizes=slice_sizes)
  t = tangents[0]
  if type(t) is Zero:
    return ans, Zero(get_aval(ans).update(dtype=t.aval.dtype))
  return ans, dynamic_slice_p.bind(t, *indices, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, operand, *indices, slice_sizes):
  if type(ct) is Zero:
    return [None] * (1 + len(indices))
  zeros = vspace.zeros(operand.aval)
  return [dynamic_update_slice_p.bind(zeros, ct, *indices)] + [None] * len(indices)


def _dynamic_slice_batch(axis_size, vals, dims, *, slice_sizes):
  from . import shapes
  operand, *indices = vals
  if all(d is None for d in dims[1:]):
    x = shapes.moveaxis(operand, dims[0], 0)
    zero = np.zeros((), get_aval(indices[0]).dtype)[()] if indices else np.int64(0)
    return dynamic_slice_p.bind(x, zero, *indices,
                                slice_sizes=(axis_size,) + tuple(slice_sizes)), 0
  return _map_members(lambda x, *idx: dynamic_slice_p.bind(x, *idx, slice_sizes=slice_sizes),
                      axis_size, vals, dims), 0


dynamic_slice_p = Primitive("dynamic_slice", impl=_dynamic_slice_impl,
                            abstract_eval=_dynamic_slice_abstract_eval)
jvp_rules[dynamic_slice_p] = _dynamic_slice_jvp
transpose_rules[dynamic_slice_p] = _dynamic_slice_transpose
batch_rules[dynamic_slice_p] = _dynamic_slice_batch


# -- dynamic_update_slice -------------------------------------------------------------

def _dynamic_update_slice_impl(operand, update, *indices):
  out = np.array(operand, copy=True)
  update = np.asarray(update)
  starts = _starts(out.shape, update.shape, indices)
  out[tuple(slice(s, s + n) for s, n in zip(starts, update.shape))] = update
  return out


def _dynamic_update_slice_abstract_eval(operand, update, *indices):
  _check_indices("dynamic_update_slice", operand, indices)
  if update.dtype != operand.dtype or update.ndim != operand.ndim or any(
      u > n for u, n in zip(update.shape, operand.shape)):
    raise TypeError(f"dynamic_update_slice cannot write {update.str_short()} into "
                    f"{operand.str_short()}")
  return operand


def _dynamic_update_slice_jvp(primals, tangents):
  operand, update, *indices = primals
  ans = dynamic_update_slice_p.bind(operand, update, *indices)
  t_op, t_up = tangents[:2]
  if type(t_op) is Zero and type(t_up) is Zero:
    return ans, Zero(t_op.aval)
  return ans, dynamic_update_slice_p.bind(instantiate(t_op), instantiate(t_up), *indices)


def _dynamic_update_slice_transpose(ct, operand, update, *indices):
  if type(ct) is Zero:
    return [None] * (2 + len(indices))
  up_aval = update.aval if is_undef(update) else get_aval(update)
  ct_op = (dynamic_update_slice_p.bind(ct, vspace.zeros(up_aval), *indices)
           if is_undef(operand) else None)
  ct_up = (dynamic_slice_p.bind(ct, *indices, slice_sizes=up_aval.shape)
           if is_undef(update) else None)
  return [ct_op, ct_up] + [None] * len(indices)


def _dynamic_update_slice_batch(axis_size, vals, dims):
  from .control_flow.common import to_front
  operand, update, *indices = vals
  if all(d is None for d in dims[2:]):
    x, u = (to_front(v, d, axis_size, True) for v, d in zip((operand, update), dims[:2]))
    zero = np.zeros((), get_aval(indices[0]).dtype)[()] if indices else np.int64(0)
    return dynamic_update_slice_p.bind(x, u, zero, *indices), 0
  return _map_members(lambda x, u, *idx: dynamic_update_slice_p.bind(x, u, *idx), axis_size,
                      vals, dims), 0


dynamic_update_slice_p = Primitive("dynamic_update_slice", impl=_dynamic_update_slice_impl,
                                   abstract_eval=_dynamic_update_slice_abstract_eval)
jvp_rules[dynamic_update_slice_p] = _dynamic_update_slice_jvp
transpose_rules[dynamic_update_slice_p] = _dynamic_update_slice_transpose
batch_rules[dynamic_update_slice_p] = _dynamic_update_slice_batch


def _map_members(f, axis_size: int, vals, dims):
  """``f`` applied to each batch member in turn (a scan): for per-member positions."""
  from .control_flow.common import to_front
  from .control_flow.scan import map as lax_map
  members = [to_front(v, d, axis_size, True) for v, d in zip(vals, dims)]
  return lax_map(lambda xs: f(*xs), tuple(members))


# -- wrappers ---------------------------------------------------------------------------

def _index_args(operand, start_indices) -> list:
  from .elementwise import convert_element_type
  if len(start_indices) != get_aval(operand).ndim:
    raise TypeError(f"expected {get_aval(operand).ndim} start indices, got {len(start_indices)}")
  out = []
  for i in start_indices:
    aval = get_aval(i)
    if aval.shape != () or aval.dtype.kind not in "iu":
      raise TypeError(f"start indices must be scalar integers, got {aval.str_short()}")
    out.append(convert_element_type(i, np.int64) if hasattr(i, "aval") else np.int64(i))
  return out


def dynamic_slice(operand: Any, start_indices: Sequence[Any], slice_sizes: Sequence[int]) -> Any:
  """``operand[s0:s0+n0, s1:s1+n1, ...]`` with traced starts (clamped into bounds).

  >>> dynamic_slice(np.arange(6.0), (4,), (3,))   # start clamped to 3
  array([3., 4., 5.])
  """
  return dynamic_slice_p.bind(operand, *_index_args(operand, start_indices),
                              slice_sizes=tuple(int(s) for s in slice_sizes))


def dynamic_update_slice(operand: Any, update: Any, start_indices: Sequence[Any]) -> Any:
  """A copy of ``operand`` with ``update`` written at traced ``start_indices`` (clamped).

  >>> dynamic_update_slice(np.zeros(4), np.ones(2), (1,))
  array([0., 1., 1., 0.])
  """
  return dynamic_update_slice_p.bind(operand, update, *_index_args(operand, start_indices))


def dynamic_index_in_dim(operand: Any, index: Any, axis: int = 0, keepdims: bool = True) -> Any:
  """The slice at position ``index`` along ``axis`` (``x[i]`` with a traced ``i``).

  >>> dynamic_index_in_dim(np.arange(6.0).reshape(3, 2), 1, keepdims=False)
  array([2., 3.])
  """
  from . import shapes
  shape = get_aval(operand).shape
  axis = axis % len(shape)
  starts = [0] * len(shape)
  starts[axis] = index
  sizes = list(shape)
  sizes[axis] = 1
  out = dynamic_slice(operand, starts, sizes)
  return out if keepdims else shapes.squeeze(out, (axis,))


def dynamic_update_index_in_dim(operand: Any, update: Any, index: Any, axis: int = 0) -> Any:
  """``operand`` with position ``index`` along ``axis`` replaced by ``update``.

  >>> dynamic_update_index_in_dim(np.zeros((2, 2)), np.ones(2), 1)
  array([[0., 0.],
         [1., 1.]])
  """
  from . import shapes
  shape = get_aval(operand).shape
  axis = axis % len(shape)
  if get_aval(update).ndim == len(shape) - 1:
    update = shapes.expand_dims(update, (axis,))
  starts = [0] * len(shape)
  starts[axis] = index
  return dynamic_update_slice(operand, update, starts)
