"""Batched-matrix vocabulary for the linear-algebra rules, built from lax primitives.

Every helper works on stacks of matrices ``(..., m, n)`` whose leading (batch)
dimensions agree, the convention of ``numpy.linalg``. Because they are
composites, derivative rules written with them can be differentiated again.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.batching import batch_size
from . import elementwise as ew
from . import reductions, shapes
from .linalg import dot_general


# -- argument checks and batching shared by the linalg primitives ----------------

def check_matrix(who: str, aval: ShapedArray, square: bool = True, name: str = "a") -> None:
  """Reject what no linalg primitive accepts, with the fix in the message."""
  if aval.dtype.kind not in "fc" or aval.dtype == np.float16:
    raise TypeError(f"{who}: argument '{name}' has dtype {aval.dtype.name}; only float32, "
                    "float64, complex64 and complex128 are supported (convert with "
                    ".astype(float))")
  if aval.ndim < 2:
    raise ValueError(f"{who}: argument '{name}' must be a matrix or a stack of matrices "
                     f"(at least 2-D), got shape {aval.shape}")
  if square and aval.shape[-1] != aval.shape[-2]:
    raise ValueError(f"{who}: the last two dimensions of '{name}' must be square, "
                     f"got shape {aval.shape}")


def batch_leading(prim: Primitive):
  """The batching rule of a primitive that maps over leading dimensions already:
  every operand gets the batch axis in front (unbatched ones are broadcast)."""
  def rule(vals, dims, **params):
    axis_size = batch_size(vals, dims)
    vals = [shapes.broadcast_batch(v, axis_size, 0) if d is None else shapes.moveaxis(v, d, 0)
            for v, d in zip(vals, dims)]
    out = prim.bind(*vals, **params)
    return out, ([0] * len(out) if prim.multiple_results else 0)
  prim.def_batching(rule)


# -- matrix operations ------------------------------------------------------------

def matmul(a, b):
  """``a @ b`` for stacks of matrices with equal batch dimensions."""
  nb = get_aval(a).ndim - 2
  batch = tuple(range(nb))
  return dot_general(a, b, (((nb + 1,), (nb,)), (batch, batch)))


def mT(x):
  """The matrix transpose: the last two axes swapped."""
  n = get_aval(x).ndim
  return shapes.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def mH(x):
  """The conjugate transpose (the transpose of a real ``x``)."""
  return ew.conj(mT(x))


def as_dtype_of(x, like):
  """Real ``x`` (eigenvalues, singular values, ``F``) in the dtype of ``like``: mixing them
  into complex matrix expressions needs one dtype."""
  dtype = get_aval(like).dtype
  return x if get_aval(x).dtype == dtype else ew.convert_element_type(x, dtype)


def _mask(x, keep: np.ndarray):
  """``x`` where ``keep`` (a constant ``(m, n)`` mask) holds, 0 elsewhere."""
  aval = get_aval(x)
  which = np.broadcast_to(keep, aval.shape)
  return ew.select_n(which, np.zeros((), aval.dtype)[()], x)


def tril(x, k: int = 0):
  """The lower triangle (on and below diagonal ``k``), zeros elsewhere."""
  m, n = get_aval(x).shape[-2:]
  return _mask(x, np.tri(m, n, k, dtype=bool))


def triu(x, k: int = 0):
  """The upper triangle (on and above diagonal ``k``), zeros elsewhere."""
  m, n = get_aval(x).shape[-2:]
  return _mask(x, ~np.tri(m, n, k - 1, dtype=bool))


def diagonal(x):
  """The main diagonals ``(..., min(m, n))``: one strided slice of the flattened matrices."""
  shape = get_aval(x).shape
  m, n = shape[-2:]
  k = min(m, n)
  flat = shapes.reshape(x, shape[:-2] + (m * n,))
  lead = (0,) * (len(shape) - 2)
  return shapes.slice(flat, lead + (0,), shape[:-2] + ((k - 1) * (n + 1) + 1 if k else 0,),
                      (1,) * (len(shape) - 2) + (n + 1,))


def diag(v):
  """Diagonal matrices ``(..., n, n)`` from vectors ``(..., n)``."""
  shape = get_aval(v).shape
  n = shape[-1]
  rows = shapes.broadcast_in_dim(v, shape + (n,), tuple(range(len(shape) - 1)) + (len(shape),))
  return _mask(rows, np.eye(n, dtype=bool))


def trace(x):
  """The sums of the diagonals."""
  return reductions.reduce_sum(diagonal(x), -1)


def scale_columns(x, s):
  """``x * s[..., None, :]``: column j of each matrix times ``s[..., j]``."""
  shape = get_aval(x).shape
  nb = len(shape) - 2
  return ew.mul(x, shapes.broadcast_in_dim(s, shape, tuple(range(nb)) + (nb + 1,)))


def scale_rows(x, s):
  """``x * s[..., :, None]``: row i of each matrix times ``s[..., i]``."""
  shape = get_aval(x).shape
  nb = len(shape) - 2
  return ew.mul(x, shapes.broadcast_in_dim(s, shape, tuple(range(nb + 1))))


def outer_diff(v):
  """``v[..., None, :] - v[..., :, None]``: entry (i, j) is ``v_j - v_i``."""
  shape = get_aval(v).shape
  full = shape + (shape[-1],)
  nb = len(shape) - 1
  cols = shapes.broadcast_in_dim(v, full, tuple(range(nb)) + (nb + 1,))
  rows = shapes.broadcast_in_dim(v, full, tuple(range(nb + 1)))
  return ew.sub(cols, rows)


def eye_like(x):
  """The identity, as a constant stack shaped like ``x`` (square matrices)."""
  aval = get_aval(x)
  return np.broadcast_to(np.eye(aval.shape[-1], dtype=aval.dtype), aval.shape)


def symmetrize(x):
  """``(x + xᴴ) / 2`` (``(x + xᵀ) / 2`` for real ``x``)."""
  return ew.mul(ew.add(x, mH(x)), np.array(0.5, get_aval(x).dtype)[()])


def reciprocal_offdiag(d):
  """``1 / d`` off the diagonal and 0 on it; ``inf`` where an off-diagonal ``d`` is 0.

  The matrix ``F`` of eigenvector and singular-vector derivatives. Exact zeros
  (repeated eigenvalues) give ``inf``, as JAX does, but without a division by
  zero, so NumPy issues no warning."""
  aval = get_aval(d)
  dt = aval.dtype
  n = aval.shape[-1]
  zero = ew.eq(d, np.zeros((), dt)[()])
  safe = ew.select_n(zero, d, np.ones(aval.shape, dt))
  inv = ew.select_n(zero, ew.div(np.ones((), dt)[()], safe), np.full(aval.shape, np.inf, dt))
  return _mask(inv, ~np.eye(n, dtype=bool))
