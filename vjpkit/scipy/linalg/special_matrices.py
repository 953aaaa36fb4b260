"""Structured matrices built from their defining entries: block_diag, toeplitz, circulant.

Each is a gather or a padding of its arguments, so each is linear in them and
differentiable, batchable and traceable like any composite.

>>> import numpy as np, vjpkit
>>> vjpkit.grad(lambda c: toeplitz(c).sum())(np.array([1.0, 2.0, 3.0]))   # entries per value
array([3., 4., 2.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...core.avals import get_aval
from ...numpy._core import asarray
from ...numpy.indexing import take
from ...numpy.shapes import atleast_1d, atleast_2d, broadcast_to, concatenate, flip, pad
from ._args import float_arg

Array = Any

__all__ = ["block_diag", "circulant", "toeplitz"]


def _values(x, who, name):
  x = asarray(x)
  kind = get_aval(x).dtype.kind
  if kind == "c":
    float_arg(x, who, name)  # raises: complex is not supported
  return atleast_1d(x)


def toeplitz(c: Array, r: Array | None = None) -> Array:
  """The Toeplitz matrix with first column ``c`` and first row ``r`` (``r[0]`` is ignored;
  ``r = c`` by default, a symmetric matrix). Leading dimensions of ``c`` and ``r`` are batch
  dimensions (SciPy >= 1.17's rule).

  >>> toeplitz([1.0, 2.0, 3.0], [1.0, 4.0])
  array([[1., 4.],
         [2., 1.],
         [3., 2.]])
  """
  c = _values(c, "toeplitz", "c")
  r = c if r is None else _values(r, "toeplitz", "r")
  sc, sr = get_aval(c).shape, get_aval(r).shape
  batch = np.broadcast_shapes(sc[:-1], sr[:-1])
  c, r = broadcast_to(c, batch + sc[-1:]), broadcast_to(r, batch + sr[-1:])
  m, n = sc[-1], sr[-1]
  vals = concatenate([flip(c, -1), r[..., 1:]], -1)   # c reversed, then r without r[0]
  idx = (m - 1) - np.arange(m)[:, None] + np.arange(n)[None, :]
  return take(vals, idx, axis=-1)


def circulant(c: Array) -> Array:
  """The circulant matrix with first column ``c``: entry ``(i, j)`` is ``c[(i - j) % n]``.
  Leading dimensions of ``c`` are batch dimensions.

  >>> circulant([1.0, 2.0, 3.0])
  array([[1., 3., 2.],
         [2., 1., 3.],
         [3., 2., 1.]])
  """
  c = _values(c, "circulant", "c")
  n = get_aval(c).shape[-1]
  idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % max(n, 1)
  return take(c, idx, axis=-1)


def block_diag(*arrs: Array) -> Array:
  """The block-diagonal matrix of the arguments (0-D and 1-D arguments are 1 x n blocks, as in
  SciPy); no argument gives an empty ``(1, 0)`` matrix.

  >>> block_diag([[1.0, 2.0]], 3.0)
  array([[1., 2., 0.],
         [0., 0., 3.]])
  """
  if not arrs:
    return np.zeros((1, 0))
  blocks = []
  for k, x in enumerate(arrs):
    x = asarray(x)
    if get_aval(x).dtype.kind == "c":
      float_arg(x, "block_diag", f"arrs[{k}]")
    x = atleast_2d(x)
    if get_aval(x).ndim != 2:
      raise ValueError(f"vjpkit.scipy.linalg.block_diag: arguments must have at most 2 "
                       f"dimensions; argument {k} has shape {get_aval(x).shape}")
    blocks.append(x)
  widths = [get_aval(x).shape[1] for x in blocks]
  total = sum(widths)
  rows, left = [], 0
  for x, w in zip(blocks, widths):
    rows.append(pad(x, [(0, 0), (left, total - left - w)]))
    left += w
  return concatenate(rows, 0)
