"""Multi-dimensional histograms: ``histogramdd`` and ``histogram2d`` (counts have no
derivative; ``weights`` are differentiable), with NumPy's bins and edges.

>>> h, edges = histogramdd(np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]]), bins=2)
>>> h
array([[1., 0.],
       [1., 1.]])
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..core.avals import get_aval
from ._core import asarray, convert
from . import ufuncs
from .statistics import _bin_index, bincount, histogram_bin_edges
from .shapes import reshape

Array = Any

__all__ = ["histogram2d", "histogramdd"]


def histogramdd(sample: Array, bins: Any = 10, range: Any = None,  # noqa: A002
                weights: Array | None = None, density: bool | None = None) -> tuple:
  """Counts of the ``(N, D)`` points of ``sample`` in a grid of bins; ``bins`` is a count,
  one count or edge array per dimension; returns ``(hist, [edges per dimension])``.

  >>> histogramdd(np.array([[0.5], [2.0]]), bins=[np.array([0.0, 1.0, 3.0])])[0]
  array([1., 1.])
  """
  s = asarray(sample)
  if get_aval(s).ndim == 1:
    s = reshape(s, (-1, 1))
  n, d = get_aval(s).shape
  per_dim = bins if isinstance(bins, (list, tuple)) else [bins] * d
  ranges = range if range is not None else [None] * d
  if len(per_dim) != d or len(ranges) != d:
    raise ValueError(f"histogramdd: bins and range need one entry per dimension ({d})")
  edges, index, sizes = [], None, []
  for k in builtins.range(d):
    col = s[:, k]
    e = histogram_bin_edges(col, per_dim[k], ranges[k])
    nb = get_aval(e).shape[0] - 1
    i = _bin_index(col, e, outside=-1)
    index = i if index is None else ufuncs.where(
        ufuncs.logical_or(ufuncs.less(index, 0), ufuncs.less(i, 0)), -1, index * nb + i)
    edges.append(e)
    sizes.append(nb)
  total = int(np.prod(sizes))
  index = ufuncs.where(ufuncs.less(index, 0), total, index)  # outside: dropped
  w = None if weights is None else asarray(weights)
  counts = bincount(index, w, length=total)
  counts = convert(counts, np.dtype(np.float64)) if get_aval(counts).dtype.kind != "f" else counts
  hist = reshape(counts, tuple(sizes))
  if density:
    from .differences import diff
    from .reductions import sum as _sum
    hist = ufuncs.true_divide(hist, _sum(hist))
    for k, e in enumerate(edges):
      shape = [1] * d
      shape[k] = sizes[k]
      hist = ufuncs.true_divide(hist, reshape(diff(e), tuple(shape)))
  return hist, edges


def histogram2d(x: Array, y: Array, bins: Any = 10, range: Any = None,  # noqa: A002
                weights: Array | None = None, density: bool | None = None) -> tuple:
  """``histogramdd`` of the points ``(x[i], y[i])``: ``(hist, xedges, yedges)``.

  >>> histogram2d(np.array([0.0, 1.0]), np.array([0.0, 1.0]), bins=2)[0]
  array([[1., 0.],
         [0., 1.]])
  """
  from .shapes import stack
  if isinstance(bins, (list, tuple)) and len(bins) == 2:
    b = list(bins)
  elif np.ndim(bins) == 1 and not isinstance(bins, (int, np.integer)):
    b = [bins, bins]
  else:
    b = bins
  hist, edges = histogramdd(stack([asarray(x), asarray(y)], axis=1), b, range, weights, density)
  return hist, edges[0], edges[1]
