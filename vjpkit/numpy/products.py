"""Products in vjpkit.numpy: dot and matmul, as dot_general with NumPy's axis conventions."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert, result_type

Array = Any


def _promote_dtypes(a, b):
  a, b = asarray(a), asarray(b)
  dtype = result_type(a, b)
  return asarray(convert(a, dtype)), asarray(convert(b, dtype))


def dot(a: Array, b: Array) -> Array:
  """NumPy's ``dot``: sum over the last axis of ``a`` and the second-to-last of ``b``.

  >>> dot([[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
  array([3., 7.])
  """
  a, b = _promote_dtypes(a, b)
  na, nb = get_aval(a).ndim, get_aval(b).ndim
  if na == 0 or nb == 0:
    return lax.mul(a, b)
  contract_b = 0 if nb == 1 else nb - 2
  return lax.dot_general(a, b, (((na - 1,), (contract_b,)), ((), ())))


def matmul(a: Array, b: Array) -> Array:
  """``a @ b`` with NumPy's rules (1-D operands, broadcast batch dimensions).

  >>> matmul(np.ones((2, 3, 4)), np.ones((4, 5))).shape
  (2, 3, 5)
  """
  a, b = _promote_dtypes(a, b)
  sa, sb = get_aval(a).shape, get_aval(b).shape
  if not sa or not sb:
    raise ValueError("matmul: input operand does not have enough dimensions (use * for scalars)")
  if len(sb) <= 2:  # no batch dimensions on b: one contraction of a's last axis
    kb = 0 if len(sb) == 1 else len(sb) - 2
    if sa[-1] != sb[kb]:
      raise ValueError(f"matmul: mismatch in contracted dimension: {sa} @ {sb}")
    return lax.dot_general(a, b, (((len(sa) - 1,), (kb,)), ((), ())))
  # general case: promote 1-D operands, broadcast batch dims, batched dot_general
  a2 = lax.expand_dims(a, (0,)) if len(sa) == 1 else a
  b2 = lax.expand_dims(b, (1,)) if len(sb) == 1 else b
  sa2, sb2 = get_aval(a2).shape, get_aval(b2).shape
  if sa2[-1] != sb2[-2]:
    raise ValueError(f"matmul: mismatch in contracted dimension: {sa} @ {sb}")
  batch = np.broadcast_shapes(sa2[:-2], sb2[:-2])
  nb = len(batch)
  a2 = lax.broadcast_in_dim(a2, batch + sa2[-2:], tuple(range(nb - len(sa2) + 2, nb + 2)))
  b2 = lax.broadcast_in_dim(b2, batch + sb2[-2:], tuple(range(nb - len(sb2) + 2, nb + 2)))
  out = lax.dot_general(a2, b2, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))))
  drop = ([nb] if len(sa) == 1 else []) + ([nb + 1] if len(sb) == 1 else [])
  return lax.squeeze(out, drop) if drop else out
