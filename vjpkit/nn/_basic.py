"""The first activation functions of ``jax.nn`` (relu, sigmoid, softplus, gelu, softmax, ...).

Their conventions (stable values, JAX's derivatives at the kinks) are described, with an
example, in the docstring of :mod:`vjpkit.nn`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..numpy._core import asarray, canonical_axis, promote_inexact
from ..numpy.shapes import expand_dims, reshape
from ..numpy.ufuncs import equal, exp, greater_equal, less_equal, log1p, negative, tanh, where
from ..scipy.special import log_softmax as _log_softmax, logsumexp, softmax as _softmax

Array = Any

__all__ = ["gelu", "log_sigmoid", "log_softmax", "logsumexp", "one_hot", "relu", "sigmoid",
           "silu", "softmax", "softplus", "swish"]


def relu(x: Array) -> Array:
  """``max(x, 0)``, with derivative 0 at 0 (JAX's choice; nan stays nan).

  >>> relu(np.array([-1.0, 0.0, 2.0]))
  array([0., 0., 2.])
  """
  x = promote_inexact(x)
  return where(less_equal(x, 0), 0, x)


def sigmoid(x: Array) -> Array:
  """The logistic function ``1 / (1 + exp(-x))``.

  >>> sigmoid(0.0)
  np.float64(0.5)
  """
  return lax.logistic(promote_inexact(x))


def softplus(x: Array) -> Array:
  """``log(1 + exp(x))`` as ``max(x, 0) + log1p(exp(-|x|))``, stable for any ``x``.

  Both terms branch on the same test ``x >= 0``, so each side is the exact
  function and the derivative at 0 is ``sigmoid(0) = 0.5``.

  >>> softplus(np.array([-100.0, 0.0, 100.0]))
  array([3.72007598e-44, 6.93147181e-01, 1.00000000e+02])
  """
  x = promote_inexact(x)
  pos = greater_equal(x, 0)
  return where(pos, x, 0) + log1p(exp(where(pos, negative(x), x)))


def log_sigmoid(x: Array) -> Array:
  """``log(sigmoid(x)) = -softplus(-x)``, stable for any ``x``.

  >>> log_sigmoid(0.0)
  np.float64(-0.6931471805599453)
  """
  return negative(softplus(negative(promote_inexact(x))))


def silu(x: Array) -> Array:
  """``x * sigmoid(x)`` (also called swish).

  >>> silu(0.0)
  np.float64(0.0)
  """
  x = promote_inexact(x)
  return x * lax.logistic(x)


swish = silu

# Python floats, so that float32 inputs stay float32 (NumPy scalars would promote them)
_SQRT_2_OVER_PI, _SQRT_HALF = float(np.sqrt(2 / np.pi)), float(np.sqrt(0.5))


def gelu(x: Array, approximate: bool = True) -> Array:
  """The Gaussian error linear unit ``x Φ(x)``; by default (as ``jax.nn``) the tanh
  approximation ``x/2 (1 + tanh(√(2/π) (x + 0.044715 x³)))``, else exact via erf.

  >>> gelu(1.0), gelu(1.0, approximate=False)
  (np.float64(0.8411919906082768), np.float64(0.8413447460685429))
  """
  x = promote_inexact(x)
  if approximate:
    return 0.5 * x * (1 + tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))
  # lax's erf, in x's dtype: float16 stays float16 (scipy.special.erf(float16) is float64)
  return 0.5 * x * (1 + lax.erf(x * _SQRT_HALF))


def softmax(x: Array, axis: int | tuple[int, ...] | None = -1) -> Array:
  """``exp(x) / sum(exp(x))`` along ``axis`` (the last by default), shifted by the max.

  >>> softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]))
  array([[0.5 , 0.5 ],
         [0.25, 0.75]])
  """
  return _softmax(x, axis)


def log_softmax(x: Array, axis: int | tuple[int, ...] | None = -1) -> Array:
  """``x - logsumexp(x)`` along ``axis`` (the last by default).

  >>> log_softmax(np.array([0.0, 0.0]))
  array([-0.69314718, -0.69314718])
  """
  return _log_softmax(x, axis)


def one_hot(x: Array, num_classes: int, *, dtype=np.float64, axis: int = -1) -> Array:
  """``x``'s entries as indicator vectors of length ``num_classes`` along a new ``axis``.

  Indices outside ``[0, num_classes)`` give all-zero vectors (as in JAX). The
  result is a constant: it carries no derivative.

  >>> one_hot(np.array([0, 2, 5]), 3)
  array([[1., 0., 0.],
         [0., 0., 1.],
         [0., 0., 0.]])
  """
  try:
    num_classes = int(num_classes)
  except TypeError:
    raise TypeError("one_hot: num_classes must be a concrete integer (it fixes the output "
                    "shape); pass a Python int, not a traced value") from None
  x = asarray(x)
  nd = get_aval(x).ndim + 1
  ax = canonical_axis(axis, nd)
  classes = reshape(np.arange(num_classes), [num_classes if i == ax else 1 for i in range(nd)])
  return lax.convert_element_type(equal(expand_dims(x, ax), classes), np.dtype(dtype))
