"""Basic indexing of traced arrays: integers, slices, ``None`` and ``...``.

An index is turned into one ``slice`` (plus ``rev`` for negative steps),
then ``squeeze`` for integer positions and ``expand_dims`` for ``None``, so
its transpose is a ``pad``: the cotangent lands where the slice came from.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer


def _is_basic(item) -> bool:
  return item is None or item is Ellipsis or isinstance(item, slice) or (
      isinstance(item, (int, np.integer)) and not isinstance(item, bool)) or (
      isinstance(item, Tracer) and item.aval.ndim == 0 and item.aval.dtype.kind in "iu")


def getitem(x, idx) -> Any:
  """``x[idx]`` for basic indices (advanced indices go to ``vjpkit.numpy.take``-style gather)."""
  idx = idx if isinstance(idx, tuple) else (idx,)
  if not all(_is_basic(i) for i in idx):
    return _advanced_getitem(x, idx)
  shape = get_aval(x).shape
  n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
  if n_real > len(shape):
    raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, "
                     f"but {n_real} were indexed")
  if sum(1 for i in idx if i is Ellipsis) > 1:
    raise IndexError("an index can only have a single ellipsis ('...')")
  expanded = []
  for i in idx:
    expanded.extend([slice(None)] * (len(shape) - n_real) if i is Ellipsis else [i])
  if not any(i is Ellipsis for i in idx):
    expanded.extend([slice(None)] * (len(shape) - n_real))
  starts, limits, strides, reversed_dims, int_dims, new_axes = [], [], [], [], [], []
  dim = out_pos = 0
  for item in expanded:
    if item is None:
      new_axes.append(out_pos)
      out_pos += 1
      continue
    n = shape[dim]
    if isinstance(item, slice):
      start, stop, step = item.indices(n)
      count = len(range(start, stop, step))
      if step < 0:
        reversed_dims.append(dim)
        start, step = n - 1 - start, -step
      starts.append(start)
      limits.append(start + (count - 1) * step + 1 if count else start)
      strides.append(step)
      out_pos += 1
    else:
      i = operator.index(item)
      if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {dim} with size {n}")
      i %= n
      starts.append(i)
      limits.append(i + 1)
      strides.append(1)
      int_dims.append(dim)
    dim += 1
  y = lax.rev(x, reversed_dims)
  y = lax.slice(y, starts, limits, strides)
  y = lax.squeeze(y, int_dims)
  return lax.expand_dims(y, new_axes) if new_axes else y


def _advanced_getitem(x, idx):
  raise IndexError(
      "advanced indexing (integer arrays or boolean masks) of traced arrays is not "
      f"supported yet (index {idx!r}); use integers, slices, None and ... instead.")
