"""More of ``jax.lax``'s conveniences that need no primitive of their own: splitting,
tiling, broadcasting and collapsing axes, slicing along one axis, sorting keys with
values, ``top_k``, the product and logical reductions, ``optimization_barrier``.

Each is a composition of primitives, so it is differentiable, batchable and stageable.

>>> split(np.arange(5.0), [2, 3])
[array([0., 1.]), array([2., 3., 4.])]
>>> top_k(np.array([1.0, 5.0, 3.0]), 2)
(array([5., 3.]), array([1, 2]))
"""
from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from ..core.avals import get_aval
from ..tree_util import tree_map
from . import elementwise as ew, indexing, linalg, reductions, shapes, sorting, static_index
from .elementwise_more import xor_p

__all__ = ["approx_max_k", "approx_min_k", "batch_matmul", "broadcast", "broadcast_like",
           "broadcast_shapes", "broadcast_to_rank", "collapse", "dtype", "dynamic_slice_in_dim", "dynamic_update_slice_in_dim", "empty",
           "index_in_dim", "index_take", "optimization_barrier", "reduce_and", "reduce_or",
           "reduce_prod", "reduce_xor", "sort_key_val", "split", "stack", "tile", "top_k",
           "unstack"]


def _shape(x) -> tuple[int, ...]:
  return get_aval(x).shape


def split(operand: Any, sizes: Sequence[int], axis: int = 0) -> list:
  """``operand`` cut along ``axis`` into pieces of ``sizes`` (which sum to its length).

  >>> [p.shape for p in split(np.ones((2, 6)), [1, 5], axis=1)]
  [(2, 1), (2, 5)]
  """
  shape = _shape(operand)
  axis = axis % len(shape)
  sizes = [int(s) for s in sizes]
  if builtins.sum(sizes) != shape[axis] or builtins.any(s < 0 for s in sizes):
    raise ValueError(f"lax.split: sizes {sizes} must be non-negative and sum to the length "
                     f"{shape[axis]} of axis {axis}")
  out, start = [], 0
  for s in sizes:
    out.append(shapes.slice_in_dim(operand, start, start + s, axis=axis))
    start += s
  return out


def tile(operand: Any, reps: Sequence[int]) -> Any:
  """``operand`` repeated ``reps[i]`` times along axis ``i`` (``len(reps) == ndim``).

  >>> tile(np.array([[1.0, 2.0]]), (2, 2))
  array([[1., 2., 1., 2.],
         [1., 2., 1., 2.]])
  """
  shape = _shape(operand)
  reps = tuple(int(r) for r in reps)
  if len(reps) != len(shape):
    raise ValueError(f"lax.tile: reps {reps} must have one entry per axis of the "
                     f"{len(shape)}-D operand")
  # broadcast to (r0, n0, r1, n1, ...) and merge each pair: a broadcast and a reshape
  full = tuple(d for r, n in zip(reps, shape) for d in (r, n))
  dims = tuple(range(1, 2 * len(shape), 2))
  return shapes.reshape(shapes.broadcast_in_dim(operand, full, dims),
                        tuple(r * n for r, n in zip(reps, shape)))


def broadcast(operand: Any, sizes: Sequence[int]) -> Any:
  """``operand`` with new leading axes of ``sizes``.

  >>> broadcast(np.array([1.0, 2.0]), (3,)).shape
  (3, 2)
  """
  shape = _shape(operand)
  sizes = tuple(int(s) for s in sizes)
  return shapes.broadcast_in_dim(operand, sizes + shape,
                                 tuple(range(len(sizes), len(sizes) + len(shape))))


def broadcast_to_rank(x: Any, rank: int) -> Any:
  """``x`` with leading axes of length 1 added up to ``rank``.

  >>> broadcast_to_rank(np.ones(3), 3).shape
  (1, 1, 3)
  """
  nd = len(_shape(x))
  return x if nd >= rank else broadcast(x, (1,) * (rank - nd))


def broadcast_like(arr: Any, like_arr: Any) -> Any:
  """``arr`` broadcast (NumPy's rules) to ``like_arr``'s shape.

  >>> broadcast_like(np.ones(2), np.zeros((3, 2))).shape
  (3, 2)
  """
  shape, target = _shape(arr), _shape(like_arr)
  return shapes.broadcast_in_dim(arr, target, tuple(range(len(target) - len(shape), len(target))))


def broadcast_shapes(*shapes_: Sequence[int]) -> tuple[int, ...]:
  """NumPy's broadcast of shapes.

  >>> broadcast_shapes((2, 1), (3,))
  (2, 3)
  """
  return tuple(int(d) for d in np.broadcast_shapes(*[tuple(s) for s in shapes_]))


def collapse(operand: Any, start_dimension: int, stop_dimension: int | None = None) -> Any:
  """Merge the axes ``start_dimension:stop_dimension`` into one.

  >>> collapse(np.ones((2, 3, 4)), 1).shape
  (2, 12)
  """
  shape = _shape(operand)
  lo, hi = builtins.slice(start_dimension, stop_dimension).indices(len(shape))[:2]
  return shapes.reshape(operand, shape[:lo] + (int(np.prod(shape[lo:hi])),) + shape[hi:])


def stack(operands: Sequence[Any], axis: int = 0) -> Any:
  """The operands (of one shape) stacked along a new ``axis``.

  >>> stack([np.ones(2), np.zeros(2)], axis=1).shape
  (2, 2)
  """
  nd = len(_shape(operands[0])) + 1
  axis = axis % nd
  return shapes.concatenate([shapes.expand_dims(x, (axis,)) for x in operands], axis)


def unstack(x: Any, axis: int = 0) -> tuple:
  """The slices of ``x`` along ``axis``, as a tuple.

  >>> len(unstack(np.ones((3, 2))))
  3
  """
  axis = axis % len(_shape(x))
  return tuple(index_in_dim(x, i, axis, keepdims=False) for i in range(_shape(x)[axis]))


def empty(shape: Sequence[int], dtype: Any) -> Any:
  """An array of ``shape`` and ``dtype`` (zeros: NumPy's values, nothing uninitialized).

  >>> empty((2,), np.float32)
  array([0., 0.], dtype=float32)
  """
  return np.zeros(tuple(shape), np.dtype(dtype))


def index_in_dim(operand: Any, index: int, axis: int = 0, keepdims: bool = True) -> Any:
  """The slice at the (static) position ``index`` along ``axis``; negative counts from the end.

  >>> index_in_dim(np.arange(6.0).reshape(3, 2), -1, keepdims=False)
  array([4., 5.])
  """
  shape = _shape(operand)
  axis = axis % len(shape)
  index = int(index)
  if not -shape[axis] <= index < shape[axis]:
    raise IndexError(f"lax.index_in_dim: index {index} is out of bounds for axis {axis} of "
                     f"length {shape[axis]}")
  index %= shape[axis]
  if not keepdims:
    return static_index.index_in_dim_p.bind(operand, index=index, axis=axis)
  return shapes.slice_in_dim(operand, index, index + 1, axis=axis)


def _start(index, size: int, allow_negative: bool):
  if not allow_negative:
    return index
  if isinstance(index, (int, np.integer)):
    return int(index) + size if index < 0 else int(index)
  dtype = get_aval(index).dtype
  zero, n = np.array(0, dtype)[()], np.array(size, dtype)[()]
  return ew.select_n(ew.lt(index, zero), index, ew.add(index, n))


def dynamic_slice_in_dim(operand: Any, start_index: Any, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True) -> Any:
  """``slice_size`` entries from the (possibly traced) ``start_index`` along ``axis``;
  the start is clamped so the slice fits, as XLA's.

  >>> dynamic_slice_in_dim(np.arange(5.0), -2, 2)
  array([3., 4.])
  """
  shape = _shape(operand)
  axis = axis % len(shape)
  starts: list = [np.int64(0)] * len(shape)
  starts[axis] = _start(start_index, shape[axis], allow_negative_indices)
  sizes = list(shape)
  sizes[axis] = int(slice_size)
  return indexing.dynamic_slice(operand, starts, sizes)


def dynamic_update_slice_in_dim(operand: Any, update: Any, start_index: Any, axis: int, *,
                                allow_negative_indices: bool = True) -> Any:
  """``operand`` with ``update`` written from ``start_index`` along ``axis``.

  >>> dynamic_update_slice_in_dim(np.zeros(4), np.ones(2), 1, 0)
  array([0., 1., 1., 0.])
  """
  shape = _shape(operand)
  axis = axis % len(shape)
  starts: list = [np.int64(0)] * len(shape)
  starts[axis] = _start(start_index, shape[axis], allow_negative_indices)
  return indexing.dynamic_update_slice(operand, update, starts)


def index_take(src: Any, idxs: Any, axes: Sequence[int]) -> Any:
  """``src[idxs[0], idxs[1], ...]`` on the given ``axes`` (integer index arrays of one shape).

  >>> index_take(np.arange(6.0).reshape(2, 3), (np.array([1, 0]), np.array([2, 2])), (0, 1))
  array([5., 2.])
  """
  idx = np.stack([np.asarray(i) for i in idxs], axis=-1) if not builtins.any(
      hasattr(i, "aval") for i in idxs) else stack(list(idxs), axis=-1)
  return indexing.gather(src, idx, tuple(axes))


def sort_key_val(keys: Any, values: Any, dimension: int = -1, is_stable: bool = True) -> tuple:
  """``keys`` sorted along ``dimension`` and ``values`` in the same order (stably).

  >>> sort_key_val(np.array([3.0, 1.0, 2.0]), np.array([30.0, 10.0, 20.0]))
  (array([1., 2., 3.]), array([10., 20., 30.]))
  """
  order = sorting.argsort(keys, dimension)
  axis = dimension % len(_shape(keys))
  return (indexing.take_along_axis(keys, order, axis),
          indexing.take_along_axis(values, order, axis))


def top_k(operand: Any, k: int, *, axis: int = -1) -> tuple:
  """The ``k`` largest entries along ``axis`` (descending) and their indices; of equal
  entries the one with the lower index comes first. The values' derivative is that of
  the selected entries.

  >>> top_k(np.array([[1.0, 3.0, 3.0, 0.0]]), 3)
  (array([[3., 3., 1.]]), array([[1, 2, 0]]))
  """
  shape = _shape(operand)
  axis = axis % len(shape)
  k = int(k)
  if not 0 <= k <= shape[axis]:
    raise ValueError(f"lax.top_k: k={k} must be between 0 and the axis length {shape[axis]}")
  order = sorting.argsort(operand, axis, descending=True)
  idx = shapes.slice_in_dim(order, 0, k, axis=axis)
  return indexing.take_along_axis(operand, idx, axis), idx


def approx_max_k(operand: Any, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True) -> tuple:
  """The ``k`` largest entries along ``reduction_dimension`` and their indices: computed
  exactly (``top_k``), which meets any ``recall_target``.

  >>> approx_max_k(np.array([1.0, 5.0, 3.0]), 2)
  (array([5., 3.]), array([1, 2]))
  """
  return top_k(operand, k, axis=reduction_dimension)


def approx_min_k(operand: Any, k: int, reduction_dimension: int = -1,
                 recall_target: float = 0.95, reduction_input_size_override: int = -1,
                 aggregate_to_topk: bool = True) -> tuple:
  """The ``k`` smallest entries (ascending) and their indices, computed exactly.

  >>> approx_min_k(np.array([1.0, 5.0, 3.0]), 2)
  (array([1., 3.]), array([0, 2]))
  """
  values, idx = top_k(ew.neg(operand), k, axis=reduction_dimension)
  return ew.neg(values), idx


def dtype(x: Any) -> np.dtype:
  """The dtype of an array, traced value or Python scalar (Python floats are float64,
  ints int64, as vjpkit's NumPy promotion).

  >>> dtype(1.0), dtype(np.ones(2, np.float32))
  (dtype('float64'), dtype('float32'))
  """
  return get_aval(np.asarray(x) if isinstance(x, (bool, int, float, complex)) else x).dtype


def _axes(x, axes) -> tuple[int, ...]:
  nd = len(_shape(x))
  return tuple(sorted(int(a) % nd for a in axes)) if nd else ()


def reduce_prod(operand: Any, axes: Sequence[int]) -> Any:
  """The product over ``axes``: NumPy's values (``np.multiply.reduce``, in its order),
  the derivative of a balanced tree of multiplications (exact, also at zeros).

  >>> reduce_prod(np.array([[1.0, 2.0], [3.0, 4.0]]), (0,))
  array([3., 8.])
  """
  axes = _axes(operand, axes)
  return reductions.reduce_prod_p.bind(operand, axes=axes) if axes else operand


def _bool_or_int(x, who: str) -> None:
  if get_aval(x).dtype.kind not in "biu":
    raise TypeError(f"lax.{who} needs a boolean or integer operand, got "
                    f"{get_aval(x).dtype.name}")


def reduce_and(operand: Any, axes: Sequence[int]) -> Any:
  """Logical and over ``axes`` (bitwise for integers).

  >>> reduce_and(np.array([[True, False], [True, True]]), (1,))
  array([False,  True])
  """
  _bool_or_int(operand, "reduce_and")
  if get_aval(operand).dtype.kind == "b":
    return reductions.reduce_min(operand, _axes(operand, axes))
  return _fold(operand, _axes(operand, axes), ew.and_p.bind)


def reduce_or(operand: Any, axes: Sequence[int]) -> Any:
  """Logical or over ``axes`` (bitwise for integers).

  >>> reduce_or(np.array([[True, False], [False, False]]), (1,))
  array([ True, False])
  """
  _bool_or_int(operand, "reduce_or")
  if get_aval(operand).dtype.kind == "b":
    return reductions.reduce_max(operand, _axes(operand, axes))
  return _fold(operand, _axes(operand, axes), ew.or_p.bind)


def reduce_xor(operand: Any, axes: Sequence[int]) -> Any:
  """Exclusive or over ``axes`` (bitwise for integers).

  >>> reduce_xor(np.array([[True, True], [True, False]]), (1,))
  array([False,  True])
  """
  _bool_or_int(operand, "reduce_xor")
  return _fold(operand, _axes(operand, axes), xor_p.bind)


def _fold(x, axes, op):
  """``op`` folded over ``axes``, one slice at a time (integer reductions: no derivative)."""
  for a in reversed(axes):
    n = _shape(x)[a]
    if n == 0:
      raise ValueError("lax: a bitwise reduction over an empty axis has no identity here")
    acc = index_in_dim(x, 0, a, keepdims=False)
    for i in range(1, n):
      acc = op(acc, index_in_dim(x, i, a, keepdims=False))
    x = acc
  return x


def optimization_barrier(operand: Any, /) -> Any:
  """``operand`` unchanged (a pytree too): vjpkit's compiler does not reorder across
  program points, so there is nothing to prevent.

  >>> optimization_barrier((1.0, [2.0]))
  (1.0, [2.0])
  """
  return tree_map(lambda x: x, operand)


def batch_matmul(lhs: Any, rhs: Any, precision: Any = None) -> Any:
  """Matrix products of stacks of matrices with equal leading (batch) axes.

  >>> batch_matmul(np.ones((4, 2, 3)), np.ones((4, 3, 5))).shape
  (4, 2, 5)
  """
  nl, nr = len(_shape(lhs)), len(_shape(rhs))
  if nl < 2 or nl != nr or _shape(lhs)[:-2] != _shape(rhs)[:-2]:
    raise ValueError(f"lax.batch_matmul: operands must be stacks of matrices with equal batch "
                     f"axes, got shapes {_shape(lhs)} and {_shape(rhs)}")
  batch = tuple(range(nl - 2))
  return linalg.dot_general(lhs, rhs, (((nl - 1,), (nr - 2,)), (batch, batch)))


