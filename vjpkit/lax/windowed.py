"""Reductions over sliding windows (``reduce_window``: max/sum/min pooling and any other
binary computation) and associative scans, as compositions of ``pad``, ``slice`` and the
computation itself: differentiable, batchable and stageable like any lax code.

>>> from vjpkit import lax
>>> reduce_window(np.arange(6.0), -np.inf, lax.max, (2,), (2,))
array([1., 3., 5.])
>>> associative_scan(lax.add, np.arange(5.0))
array([ 0.,  1.,  3.,  6., 10.])
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..interpreters.partial_eval import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_unflatten
from . import elementwise as ew, shapes

__all__ = ["associative_scan", "padtype_to_pads", "reduce_window", "reduce_window_shape_tuple"]


def padtype_to_pads(in_shape: Sequence[int], window_shape: Sequence[int],
                    window_strides: Sequence[int], padding: str) -> list[tuple[int, int]]:
  """``(low, high)`` padding per axis for ``'VALID'``, ``'SAME'`` (odd padding at the end)
  or ``'SAME_LOWER'`` (at the start).

  >>> padtype_to_pads((5,), (2,), (2,), "SAME")
  [(0, 1)]
  """
  kind = str(padding).upper()
  if kind == "VALID":
    return [(0, 0)] * len(in_shape)
  if kind not in ("SAME", "SAME_LOWER"):
    raise ValueError(f"padding must be 'VALID', 'SAME', 'SAME_LOWER' or (low, high) pairs, got "
                     f"{padding!r}")
  pads = []
  for n, w, s in zip(in_shape, window_shape, window_strides):
    out = -(-int(n) // int(s))
    size = max(0, (out - 1) * int(s) + int(w) - int(n))
    lo = size // 2 if kind == "SAME" else size - size // 2
    pads.append((lo, size - lo))
  return pads


def _window_args(shape, window_dimensions, window_strides, padding, base_dilation,
                 window_dilation):
  nd = len(shape)
  window = tuple(int(w) for w in window_dimensions)
  strides = tuple(int(s) for s in window_strides) if window_strides is not None else (1,) * nd
  base = tuple(int(b) for b in base_dilation) if base_dilation is not None else (1,) * nd
  wdil = tuple(int(d) for d in window_dilation) if window_dilation is not None else (1,) * nd
  if not len(window) == len(strides) == len(base) == len(wdil) == nd:
    raise ValueError(f"reduce_window: window_dimensions {window}, window_strides {strides} and "
                     f"the dilations need one entry per axis of the {nd}-D operand")
  dilated_window = tuple((w - 1) * d + 1 for w, d in zip(window, wdil))
  if isinstance(padding, str):
    pads = padtype_to_pads(shape, dilated_window, strides, padding)
  else:
    pads = [(int(lo), int(hi)) for lo, hi in padding]
    if len(pads) != nd:
      raise ValueError(f"reduce_window: padding {padding} needs one (low, high) pair per axis")
  return window, strides, base, wdil, dilated_window, pads


def reduce_window_shape_tuple(operand_shape: Sequence[int], window_dimensions: Sequence[int],
                              window_strides: Sequence[int], padding, base_dilation=None,
                              window_dilation=None) -> tuple[int, ...]:
  """The shape ``reduce_window`` returns.

  >>> reduce_window_shape_tuple((5, 5), (2, 2), (2, 2), "SAME")
  (3, 3)
  """
  shape = tuple(int(n) for n in operand_shape)
  _, strides, base, _, dwin, pads = _window_args(shape, window_dimensions, window_strides,
                                                 padding, base_dilation, window_dilation)
  out = []
  for n, s, b, w, (lo, hi) in zip(shape, strides, base, dwin, pads):
    padded = (n - 1) * b + 1 + lo + hi if n else lo + hi
    out.append(max(0, (padded - w) // s + 1))
  return tuple(out)


def _chooser(computation, dtype) -> Callable | None:
  """For a computation that is lax max or min: the fold that keeps the earlier element on a
  tie, so the derivative goes to the first extreme entry of each window (as JAX's)."""
  scalar = ShapedArray((), dtype)
  jaxpr, _ = trace_to_jaxpr(lambda a, b: [computation(a, b)], [scalar, scalar])
  if len(jaxpr.eqns) == 1 and [id(v) for v in jaxpr.eqns[0].invars] == \
     [id(v) for v in jaxpr.invars] and not jaxpr.constvars:
    name = jaxpr.eqns[0].prim.name
    if name == "max":
      return lambda acc, x: ew.select_n(ew.ge(acc, x), x, acc)
    if name == "min":
      return lambda acc, x: ew.select_n(ew.le(acc, x), x, acc)
  return None


def reduce_window(operand: Any, init_value: Any, computation: Callable,
                  window_dimensions: Sequence[int], window_strides: Sequence[int] | None = None,
                  padding: str | Sequence[tuple[int, int]] = "VALID",
                  base_dilation: Sequence[int] | None = None,
                  window_dilation: Sequence[int] | None = None) -> Any:
  """``computation`` (a binary function such as ``lax.add``, ``lax.max``, ``lax.mul``)
  folded over each window of ``window_dimensions``, starting from ``init_value``, which
  also fills the padding. Strides, ``'VALID'``/``'SAME'``/explicit padding and both
  dilations are XLA's.

  Derivatives: for ``lax.max``/``lax.min`` the whole derivative of a window goes to its
  first extreme entry (JAX's max-pooling gradient); otherwise it is the derivative of
  the fold (e.g. the window sum's for average pooling).

  >>> from vjpkit import lax
  >>> x = np.arange(16.0).reshape(4, 4)
  >>> reduce_window(x, 0.0, lax.add, (2, 2), (2, 2))
  array([[10., 18.],
         [42., 50.]])
  """
  leaves, _ = tree_flatten(operand)
  if len(leaves) != 1 or isinstance(operand, (list, tuple, dict)):
    raise NotImplementedError("reduce_window over several operands (a pytree) is not "
                              "supported; reduce each operand separately")
  x = operand
  aval = get_aval(x)
  shape, dtype = aval.shape, aval.dtype
  window, strides, base, wdil, _, pads = _window_args(
      shape, window_dimensions, window_strides, padding, base_dilation, window_dilation)
  out_shape = reduce_window_shape_tuple(shape, window, strides, pads, base, wdil)
  init = init_value if hasattr(init_value, "aval") else np.array(init_value, dtype)[()]
  if any(lo or hi for lo, hi in pads) or any(b > 1 for b in base):
    if any(lo < 0 or hi < 0 for lo, hi in pads):
      raise NotImplementedError("reduce_window: negative padding is not supported")
    x = shapes.pad(x, init, [(lo, hi, b - 1) for (lo, hi), b in zip(pads, base)])
  fold = _chooser(computation, dtype) or computation
  acc = shapes.broadcast_in_dim(init, out_shape, ()) if get_aval(init).shape != out_shape \
      else init
  if any(n == 0 for n in out_shape):
    return acc
  for offset in itertools.product(*[range(w) for w in window]):
    starts = [k * d for k, d in zip(offset, wdil)]
    limits = [s + (n - 1) * st + 1 for s, n, st in zip(starts, out_shape, strides)]
    acc = fold(acc, shapes.slice(x, starts, limits, strides))
  return acc


def _interleave(a, b, axis: int):
  """``a[0], b[0], a[1], b[1], ...`` along ``axis`` (``a`` as long as ``b`` or one longer)."""
  na, nb = get_aval(a).shape[axis], get_aval(b).shape[axis]
  if na > nb:
    b = shapes.concatenate([b, shapes.slice_in_dim(a, na - 1, na, axis=axis)], axis)
  pair = shapes.concatenate([shapes.expand_dims(a, (axis + 1,)), shapes.expand_dims(b, (axis + 1,))],
                            axis + 1)
  shape = get_aval(a).shape
  merged = shapes.reshape(pair, shape[:axis] + (2 * na,) + shape[axis + 1:])
  return shapes.slice_in_dim(merged, 0, na + nb, axis=axis)


def associative_scan(fn: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
  """The inclusive scan of an associative ``fn`` along ``axis`` of every leaf of ``elems``
  (a pytree of arrays of one length), in ``O(log n)`` rounds of vectorised calls of ``fn``
  (which takes and returns pytrees like ``elems``, elementwise over the axis).

  >>> import vjpkit.numpy as vnp
  >>> associative_scan(vnp.multiply, np.array([1.0, 2.0, 3.0, 4.0]), reverse=True)
  array([24., 24., 12.,  4.])
  """
  flat, tree = tree_flatten(elems)
  if not flat:
    return elems
  nd = get_aval(flat[0]).ndim
  axis = axis % nd
  lengths = {get_aval(e).shape[axis] for e in flat}
  if len(lengths) != 1:
    raise ValueError(f"associative_scan: the leaves have different lengths {sorted(lengths)} "
                     f"along axis {axis}")
  if reverse:
    flat = [shapes.rev(e, (axis,)) for e in flat]

  def combine(a, b):
    out, out_tree = tree_flatten(fn(tree_unflatten(tree, a), tree_unflatten(tree, b)))
    if out_tree != tree:
      raise TypeError(f"associative_scan: fn returned a tree of structure {out_tree}, not that "
                      f"of the elements {tree}")
    return out

  def sl(e, start, stop=None, stride=1):
    n = get_aval(e).shape[axis]
    return shapes.slice_in_dim(e, start, n if stop is None else stop, stride, axis)

  def scan(elems):
    n = get_aval(elems[0]).shape[axis]
    if n < 2:
      return elems
    reduced = combine([sl(e, 0, n - 1, 2) for e in elems], [sl(e, 1, None, 2) for e in elems])
    odd = scan(reduced)
    if n % 2 == 0:
      m = get_aval(odd[0]).shape[axis]
      even = combine([sl(e, 0, m - 1) for e in odd], [sl(e, 2, None, 2) for e in elems])
    else:
      even = combine(odd, [sl(e, 2, None, 2) for e in elems])
    even = [shapes.concatenate([sl(e, 0, 1), r], axis) for e, r in zip(elems, even)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]

  out = scan(flat)
  if reverse:
    out = [shapes.rev(e, (axis,)) for e in out]
  return tree_unflatten(tree, out)
