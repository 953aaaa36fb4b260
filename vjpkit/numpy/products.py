"""Products in vjpkit.numpy: dot, matmul, vdot, inner, outer, tensordot, kron.

Each is one ``dot_general`` (or a broadcast ``mul``) with NumPy's axis conventions.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, canonical_axis, convert, result_type, scalar_if_0d

Array = Any


def _promote_dtypes(a, b):
  if (type(a) is np.ndarray or isinstance(a, Tracer)) and (
      type(b) is np.ndarray or isinstance(b, Tracer)):  # the common case, with no work
    aa, ab = get_aval(a), get_aval(b)
    if (aa.dtype == ab.dtype and aa.dtype != np.bool_ and not aa.weak_type
        and not ab.weak_type):
      return a, b
  a, b = asarray(a), asarray(b)
  dtype = result_type(a, b)
  if dtype == np.bool_:
    dtype = np.dtype(np.int64)
  return asarray(convert(a, dtype)), asarray(convert(b, dtype))


def _logical_for_bools(fn: Callable) -> Callable:
  """NumPy's (and JAX's) products of two boolean operands are boolean, the ``or`` of the
  ``and``s: computed on integers (``_promote_dtypes``), then compared with zero."""
  @functools.wraps(fn)
  def product(a, b, *args, **kwargs):
    out = fn(a, b, *args, **kwargs)
    if get_aval(out).dtype == np.int64 and result_type(a, b) == np.bool_:
      return scalar_if_0d(lax.ne(out, np.int64(0)))
    return out
  return product


def _dot_general(a, b, dims):
  return scalar_if_0d(lax.dot_general(a, b, dims))


@_logical_for_bools
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
  return _dot_general(a, b, (((na - 1,), (contract_b,)), ((), ())))


@_logical_for_bools
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
    return _dot_general(a, b, (((len(sa) - 1,), (kb,)), ((), ())))
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
  out = _dot_general(a2, b2, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))))
  drop = ([nb] if len(sa) == 1 else []) + ([nb + 1] if len(sb) == 1 else [])
  return lax.squeeze(out, drop) if drop else out


@_logical_for_bools
def vdot(a: Array, b: Array) -> Array:
  """The dot product of the flattened inputs, conjugating the first (as NumPy's).

  >>> vdot([[1.0, 2.0]], [3.0, 4.0])
  np.float64(11.0)
  >>> vdot(np.array([1j]), np.array([1j]))
  np.complex128(1+0j)
  """
  a, b = _promote_dtypes(a, b)
  a = lax.conj(a)
  a, b = lax.reshape(a, (get_aval(a).size,)), lax.reshape(b, (get_aval(b).size,))
  return _dot_general(a, b, (((0,), (0,)), ((), ())))


@_logical_for_bools
def inner(a: Array, b: Array) -> Array:
  """Sum of products over the last axes of ``a`` and ``b``.

  >>> inner([[1.0, 2.0]], [3.0, 4.0])
  array([11.])
  """
  a, b = _promote_dtypes(a, b)
  na, nb = get_aval(a).ndim, get_aval(b).ndim
  if na == 0 or nb == 0:
    return _outer_mul(a, b)
  return _dot_general(a, b, (((na - 1,), (nb - 1,)), ((), ())))


def _outer_mul(a, b):
  """``a[..., None...] * b``: every entry of a times every entry of b, a's axes first."""
  sa, sb = get_aval(a).shape, get_aval(b).shape
  shape = sa + sb
  return lax.mul(lax.broadcast_in_dim(a, shape, tuple(range(len(sa)))),
                 lax.broadcast_in_dim(b, shape, tuple(range(len(sa), len(shape)))))


@_logical_for_bools
def outer(a: Array, b: Array) -> Array:
  """The outer product of the flattened inputs.

  >>> outer([1.0, 2.0], [1.0, 10.0])
  array([[ 1., 10.],
         [ 2., 20.]])
  """
  a, b = _promote_dtypes(a, b)
  return _outer_mul(lax.reshape(a, (get_aval(a).size,)), lax.reshape(b, (get_aval(b).size,)))


@_logical_for_bools
def tensordot(a: Array, b: Array, axes=2) -> Array:
  """Sum of products over ``axes``: an int (the last ``axes`` of a with the first of b)
  or a pair of axis sequences.

  >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), 1).shape
  (2, 4)
  """
  a, b = _promote_dtypes(a, b)
  na, nb = get_aval(a).ndim, get_aval(b).ndim
  if isinstance(axes, (int, np.integer)):
    if axes < 0 or axes > min(na, nb):
      raise ValueError(f"tensordot: axes={axes} does not fit shapes {get_aval(a).shape} and "
                       f"{get_aval(b).shape}")
    ax_a, ax_b = tuple(range(na - axes, na)), tuple(range(axes))
  else:
    ax_a, ax_b = axes
    ax_a = (int(ax_a),) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)
    ax_b = (int(ax_b),) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)
    if len(ax_a) != len(ax_b):
      raise ValueError("tensordot: shape-mismatch for sum (axes lists differ in length)")
    ax_a = tuple(canonical_axis(i, na) for i in ax_a)
    ax_b = tuple(canonical_axis(i, nb) for i in ax_b)
  for i, j in zip(ax_a, ax_b):
    if get_aval(a).shape[i] != get_aval(b).shape[j]:
      raise ValueError("tensordot: shape-mismatch for sum")
  return _dot_general(a, b, ((ax_a, ax_b), ((), ())))


@_logical_for_bools
def kron(a: Array, b: Array) -> Array:
  """The Kronecker product: blocks ``a[i, j] * b``.

  >>> kron([1.0, 10.0], [1.0, 2.0])
  array([ 1.,  2., 10., 20.])
  """
  a, b = _promote_dtypes(a, b)
  sa, sb = get_aval(a).shape, get_aval(b).shape
  nd = max(len(sa), len(sb))
  sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
  a, b = lax.reshape(a, sa), lax.reshape(b, sb)
  big = tuple(x for pair in zip(sa, sb) for x in pair)
  prod = lax.mul(lax.broadcast_in_dim(a, big, tuple(range(0, 2 * nd, 2))),
                 lax.broadcast_in_dim(b, big, tuple(range(1, 2 * nd, 2))))
  return lax.reshape(prod, tuple(x * y for x, y in zip(sa, sb)))
