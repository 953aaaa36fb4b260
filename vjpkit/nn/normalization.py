"""``jax.nn``'s reductions of activations: ``standardize`` and ``logmeanexp``.

>>> import numpy as np
>>> standardize(np.array([1.0, 2.0, 3.0]), epsilon=0.0)
array([-1.22474487,  0.        ,  1.22474487])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..numpy._core import asarray, promote_inexact
from ..numpy.reductions import mean as _mean, sum as _sum
from ..numpy.ufuncs import clip, log, sqrt, where as _where
from ..scipy.special import logsumexp

Array = Any

__all__ = ["logmeanexp", "standardize"]


def standardize(x: Array, axis: int | tuple[int, ...] | None = -1, mean: Array | None = None,
                variance: Array | None = None, epsilon: Array = 1e-5, where: Array | None = None,
                *, algorithm: str = "fast") -> Array:
  """``(x - mean) / sqrt(variance + epsilon)`` along ``axis`` (the last by default).

  The mean and variance are computed (over the entries ``where`` selects) unless given.
  ``algorithm="fast"`` (JAX's default) takes the variance as ``mean(x²) - mean(x)²``,
  clipped at 0; ``"stable"`` as ``mean((x - mean)²)``.

  >>> standardize(np.array([[1.0, 3.0], [2.0, 2.0]]), epsilon=0.0, algorithm="stable")
  array([[-1.,  1.],
         [nan, nan]])
  """
  x = promote_inexact(x)
  if algorithm not in ("fast", "stable"):
    raise ValueError(f"standardize: unknown algorithm {algorithm!r}; expected 'fast' or 'stable'")
  if mean is None:
    mean = _mean(x, axis, keepdims=True, where=where)
  if variance is None:
    if algorithm == "stable":
      d = x - mean
      variance = _mean(d * d, axis, keepdims=True, where=where)
    else:
      variance = clip(_mean(x * x, axis, keepdims=True, where=where) - mean * mean, 0, None)
  return (x - mean) / sqrt(variance + epsilon)


def logmeanexp(x: Array, axis: int | tuple[int, ...] | None = None, where: Array | None = None,
               keepdims: bool = False) -> Array:
  """``log(mean(exp(x)))`` over ``axis`` (all by default), without overflow: ``logsumexp``
  less the log of the number of entries (those ``where`` selects).

  >>> logmeanexp(np.array([1000.0, 1000.0]))
  np.float64(1000.0)
  >>> logmeanexp(np.array([0.0, 5.0, 100.0]), where=np.array([True, False, False]))
  np.float64(0.0)
  """
  x = promote_inexact(x)
  dtype = get_aval(x).dtype
  if where is None:
    lse = logsumexp(x, axis=axis, keepdims=keepdims)
    n = int(np.prod(get_aval(x).shape)) // max(int(np.prod(get_aval(lse).shape)), 1)
    return lse - float(np.log(n)) if n else lse + np.nan
  mask = lax.convert_element_type(asarray(where), np.dtype(bool))
  w = _where(mask, lax.full(get_aval(x).shape, 1, dtype), 0)
  lse = logsumexp(_where(mask, x, 0.0), axis=axis, b=w, keepdims=keepdims)
  return lse - log(_sum(w, axis, keepdims=keepdims))
