"""Index arrays: ``indices``, ``ix_``, ``tril_indices``/``triu_indices`` (and ``_from``),
``diag_indices`` (and ``_from``), ``unravel_index``, ``ravel_multi_index``.

Indices are integers and carry no derivative. Those that depend only on shapes are
NumPy constants; ``unravel_index``, ``ravel_multi_index`` and ``ix_`` also accept
traced integer arrays (under ``jit``, ``unravel_index`` clamps out-of-range indices
as JAX does, and ``ravel_multi_index`` needs ``mode='clip'`` or ``'wrap'``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, convert
from . import ufuncs

Array = Any


def indices(dimensions: Sequence[int], dtype: Any = int, sparse: Any = False) -> Any:
  """A grid of indices: ``result[k][i0, i1, ...] = ik`` (a constant).

  >>> indices((2, 2))[1]
  array([[0, 1],
         [0, 1]])
  """
  return np.indices(tuple(dimensions), dtype=dtype, sparse=sparse)


def ix_(*args: Array) -> tuple:
  """Open-mesh index arrays from 1-D sequences: ``a[ix_(rows, cols)]`` is the
  cross-product selection. Boolean sequences (concrete) mean their nonzero positions.

  >>> [i.shape for i in ix_([0, 1], [2, 3, 4])]
  [(2, 1), (1, 3)]
  """
  if not any(isinstance(a, Tracer) for a in args):
    return np.ix_(*args)
  n = len(args)
  out = []
  for k, a in enumerate(args):
    a = asarray(a)
    if get_aval(a).ndim != 1:
      raise ValueError("Cross index must be 1 dimensional")
    if get_aval(a).dtype == np.bool_:
      from .indexing import nonzero
      a = nonzero(a)[0]
    shape = [1] * n
    shape[k] = get_aval(a).shape[0]
    out.append(lax.reshape(a, tuple(shape)))
  return tuple(out)


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
  """Row and column indices of the lower triangle (on and below diagonal ``k``).

  >>> tril_indices(2)
  (array([0, 1, 1]), array([0, 0, 1]))
  """
  return np.tril_indices(n, k, m)


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
  """Row and column indices of the upper triangle (on and above diagonal ``k``).

  >>> triu_indices(2)
  (array([0, 0, 1]), array([0, 1, 1]))
  """
  return np.triu_indices(n, k, m)


def _shape_2d(arr, who):
  s = get_aval(asarray(arr)).shape
  if len(s) != 2:
    raise ValueError(f"{who}: input array must be 2-d")
  return s


def tril_indices_from(arr: Array, k: int = 0) -> tuple:
  """``tril_indices`` for the shape of the 2-D ``arr``.

  >>> tril_indices_from(np.zeros((2, 3)), k=1)
  (array([0, 0, 1, 1, 1]), array([0, 1, 0, 1, 2]))
  """
  n, m = _shape_2d(arr, "tril_indices_from")
  return np.tril_indices(n, k, m)


def triu_indices_from(arr: Array, k: int = 0) -> tuple:
  """``triu_indices`` for the shape of the 2-D ``arr``.

  >>> triu_indices_from(np.zeros((2, 3)), k=1)
  (array([0, 0, 1]), array([1, 2, 2]))
  """
  n, m = _shape_2d(arr, "triu_indices_from")
  return np.triu_indices(n, k, m)


def diag_indices(n: int, ndim: int = 2) -> tuple:
  """Indices of the main diagonal of an ``ndim``-dimensional array of side ``n``.

  >>> diag_indices(2)
  (array([0, 1]), array([0, 1]))
  """
  return np.diag_indices(n, ndim)


def diag_indices_from(arr: Array) -> tuple:
  """``diag_indices`` for ``arr`` (at least 2-D, all sides equal).

  >>> diag_indices_from(np.zeros((2, 2)))
  (array([0, 1]), array([0, 1]))
  """
  s = get_aval(asarray(arr)).shape
  if len(s) < 2:
    raise ValueError("input array must be at least 2-d")
  if len(set(s)) != 1:
    raise ValueError("All dimensions of input must be of equal length")
  return np.diag_indices(s[0], len(s))


def unravel_index(indices: Array, shape: Sequence[int], order: Any = "C") -> tuple:
  """The multi-indices into an array of ``shape`` of the flat ``indices``.

  >>> unravel_index([5, 1], (2, 3))
  (array([1, 0]), array([2, 1]))
  """
  shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
  if order not in ("C", "F"):
    raise ValueError("only 'C' or 'F' order is permitted")
  i = asarray(indices)
  if not isinstance(i, Tracer):
    return np.unravel_index(i, shape, order=order)
  if get_aval(i).dtype.kind not in "iu":
    raise TypeError("only int indices permitted")
  total = int(np.prod(shape, dtype=np.int64))
  i = convert(i, np.dtype(np.int64))
  i = ufuncs.clip(i, 0, max(total - 1, 0))  # as JAX: out-of-range indices are clamped
  dims = shape if order == "C" else shape[::-1]
  out = []
  for d in reversed(dims):
    out.append(ufuncs.remainder(i, d))
    i = ufuncs.floor_divide(i, d)
  out = out[::-1]
  return tuple(out if order == "C" else out[::-1])


def ravel_multi_index(multi_index: Sequence[Array], dims: Sequence[int], mode: Any = "raise",
                      order: Any = "C") -> Array:
  """The flat indices of ``multi_index`` into an array of shape ``dims``; ``mode``
  ``'raise'`` (concrete indices), ``'clip'`` or ``'wrap'`` (also per dimension).

  >>> ravel_multi_index(([1, 0], [2, 1]), (2, 3))
  array([5, 1])
  """
  dims = tuple(int(d) for d in dims)
  if len(multi_index) != len(dims):
    raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
  if not any(isinstance(m, Tracer) for m in multi_index):
    return np.ravel_multi_index(tuple(np.asarray(m) for m in multi_index), dims, mode, order)
  modes = [mode] * len(dims) if isinstance(mode, str) else list(mode)
  idx = []
  for m, d, md in zip(multi_index, dims, modes):
    m = asarray(m)
    if get_aval(m).dtype.kind not in "iu":
      raise TypeError("only int indices permitted")
    m = convert(m, np.dtype(np.int64))
    if md == "raise":
      raise TypeError("ravel_multi_index: mode='raise' needs concrete indices (to check them), "
                      "but they are traced here (under jit or vmap); pass mode='clip' or 'wrap'.")
    if md == "clip":
      m = ufuncs.clip(m, 0, d - 1)
    elif md == "wrap":
      m = ufuncs.remainder(m, d)
    else:
      raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap', got {md!r}")
    idx.append(m)
  if order == "F":
    idx, dims = idx[::-1], dims[::-1]
  elif order != "C":
    raise ValueError("only 'C' or 'F' order is permitted")
  flat: Any = idx[0]
  for m, d in zip(idx[1:], dims[1:]):
    flat = ufuncs.add(ufuncs.multiply(flat, d), m)
  return flat
