"""More activation functions of ``jax.nn``: the exponential and piecewise-linear units,
their smooth relatives, and ``glu``.

Each is a composite of lax primitives. At a kink the derivative is JAX's: the one of
the side the definition's comparison puts the point on (``relu6'(0) = relu6'(6) = 0``,
``leaky_relu'(0) = 1``, ``hard_tanh'(±1) = 1``).

>>> import vjpkit
>>> vjpkit.grad(relu6)(0.0), vjpkit.grad(relu6)(6.0), vjpkit.grad(elu)(-1.0)
(np.float64(0.0), np.float64(0.0), np.float64(0.36787944117144233))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..numpy._core import canonical_axis, promote_inexact
from ..numpy.joining import split
from ..numpy.ufuncs import abs as _abs, clip, expm1, log, log1p, exp, sqrt, tanh as _tanh, where
from ._basic import softplus

Array = Any

__all__ = ["celu", "elu", "glu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
           "identity", "leaky_relu", "log1mexp", "mish", "relu6", "selu", "soft_sign",
           "sparse_plus", "sparse_sigmoid", "squareplus", "tanh"]

# Python floats, so that float32 inputs stay float32
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_LOG2 = float(np.log(2.0))


def tanh(x: Array) -> Array:
  """The hyperbolic tangent (``jax.nn.tanh``).

  >>> tanh(np.array([0.0]))
  array([0.])
  """
  return _tanh(promote_inexact(x))


def identity(x: Array) -> Array:
  """``x`` itself (as ``jax.nn.identity``), promoted to an inexact dtype.

  >>> identity(np.array([1.0, -2.0]))
  array([ 1., -2.])
  """
  return promote_inexact(x)


def elu(x: Array, alpha: Array = 1.0) -> Array:
  """The exponential linear unit: ``x`` for ``x > 0``, else ``alpha (exp(x) - 1)``.

  The exponential sees only the non-positive part of ``x``, so a large ``x`` does not
  overflow it (nor its derivative).

  >>> elu(np.array([-1.0, 0.0, 2.0]))
  array([-0.63212056,  0.        ,  2.        ])
  """
  x = promote_inexact(x)
  pos = x > 0
  return where(pos, x, alpha * expm1(where(pos, 0.0, x)))


def celu(x: Array, alpha: Array = 1.0) -> Array:
  """The continuously differentiable ELU: ``max(x, 0) + alpha (exp(min(x, 0) / alpha) - 1)``.

  >>> celu(np.array([-1.0, 0.0, 2.0]), alpha=0.5)
  array([-0.43233236,  0.        ,  2.        ])
  """
  x = promote_inexact(x)
  pos = x > 0
  return where(pos, x, 0.0) + alpha * expm1(where(pos, 0.0, x) / alpha)


def selu(x: Array) -> Array:
  """The scaled ELU, ``scale * elu(x, alpha)`` with the self-normalising constants
  ``alpha = 1.6732632...``, ``scale = 1.0507009...``.

  >>> selu(np.array([-1.0, 1.0]))
  array([-1.11133074,  1.05070099])
  """
  return _SELU_SCALE * elu(x, _SELU_ALPHA)


def leaky_relu(x: Array, negative_slope: Array = 1e-2) -> Array:
  """``x`` for ``x >= 0``, else ``negative_slope * x``.

  >>> leaky_relu(np.array([-2.0, 3.0]), negative_slope=0.1)
  array([-0.2,  3. ])
  """
  x = promote_inexact(x)
  return where(x >= 0, x, negative_slope * x)


def relu6(x: Array) -> Array:
  """``min(max(x, 0), 6)``, with derivative 0 at both kinks (as JAX).

  >>> relu6(np.array([-1.0, 3.0, 7.0]))
  array([0., 3., 6.])
  """
  x = promote_inexact(x)
  return where(x <= 0, 0.0, where(x >= 6, 6.0, x))


def hard_sigmoid(x: Array) -> Array:
  """``relu6(x + 3) / 6``, a piecewise-linear sigmoid.

  >>> hard_sigmoid(np.array([-4.0, 0.0, 4.0]))
  array([0. , 0.5, 1. ])
  """
  return relu6(promote_inexact(x) + 3.0) / 6.0


def hard_silu(x: Array) -> Array:
  """``x * hard_sigmoid(x)`` (also called hard swish).

  >>> hard_silu(np.array([-4.0, 1.0, 4.0]))
  array([-0.        ,  0.66666667,  4.        ])
  """
  x = promote_inexact(x)
  outside = (x <= -3.0) | (x >= 3.0)  # pieces 0 * x and x: derivatives 0 and 1 at ±inf
  inner = where(outside, 0.0, x)
  return where(x >= 3.0, x, where(x <= -3.0, x * 0.0, inner * hard_sigmoid(inner)))


hard_swish = hard_silu


def hard_tanh(x: Array) -> Array:
  """``x`` clipped to ``[-1, 1]``; derivative 1 at ``±1`` (as JAX).

  >>> hard_tanh(np.array([-2.0, 0.5, 2.0]))
  array([-1. ,  0.5,  1. ])
  """
  x = promote_inexact(x)
  return where(x > 1, 1.0, where(x < -1, -1.0, x))


def soft_sign(x: Array) -> Array:
  """``x / (|x| + 1)``.

  >>> soft_sign(np.array([-1.0, 3.0]))
  array([-0.5 ,  0.75])
  """
  x = promote_inexact(x)
  return x / (_abs(x) + 1.0)


def squareplus(x: Array, b: Array = 4) -> Array:
  """``(x + sqrt(x² + b)) / 2``, a smooth relu (``b > 0``).

  >>> squareplus(np.array([0.0, 3.0]), b=7)
  array([1.32287566, 3.5       ])
  """
  x = promote_inexact(x)
  return (x + sqrt(x * x + b)) / 2


def sparse_plus(x: Array) -> Array:
  """0 for ``x <= -1``, ``(x + 1)² / 4`` between, ``x`` for ``x >= 1``.

  >>> sparse_plus(np.array([-2.0, 0.0, 2.0]))
  array([0.  , 0.25, 2.  ])
  """
  x = promote_inexact(x)
  inner = where((x <= -1.0) | (x >= 1.0), 0.0, x)  # no 0 * inf in the unselected piece
  return where(x <= -1.0, 0.0, where(x >= 1.0, x, (inner + 1.0) ** 2 / 4))


def sparse_sigmoid(x: Array) -> Array:
  """0 for ``x <= -1``, ``(x + 1) / 2`` between, 1 for ``x >= 1`` (the derivative of
  ``sparse_plus``), as JAX's ``clip(x + 1, 0, 2) / 2``: the derivative at ``±1`` is 1/4.

  >>> sparse_sigmoid(np.array([-2.0, 0.0, 2.0]))
  array([0. , 0.5, 1. ])
  """
  x = promote_inexact(x)
  return 0.5 * clip(x + 1.0, 0.0, 2.0)


def mish(x: Array) -> Array:
  """``x * tanh(softplus(x))``.

  >>> mish(np.array([-1.0, 0.0, 1.0]))
  array([-0.30340146,  0.        ,  0.86509839])
  """
  x = promote_inexact(x)
  return x * _tanh(softplus(x))


def log1mexp(x: Array) -> Array:
  """``log(1 - exp(-x))`` for ``x > 0``, accurate for small and large ``x``
  (``log(-expm1(-x))`` below ``log 2``, ``log1p(-exp(-x))`` above).

  >>> log1mexp(np.array([1e-10, 1.0, 50.0]))
  array([-2.30258509e+01, -4.58675145e-01, -1.92874985e-22])
  """
  x = promote_inexact(x)
  big = x > _LOG2
  return where(big, log1p(-exp(-where(big, x, 1.0))), log(-expm1(-where(big, 1.0, x))))


def glu(x: Array, axis: int = -1) -> Array:
  """The gated linear unit: ``x`` split in two halves ``a, b`` along ``axis``,
  ``a * sigmoid(b)``.

  >>> glu(np.array([1.0, 2.0, 0.0, 100.0]))
  array([0.5, 2. ])
  """
  x = promote_inexact(x)
  aval = get_aval(x)
  ax = canonical_axis(axis, aval.ndim)
  if aval.shape[ax] % 2:
    raise ValueError(f"glu: axis {axis} has odd length {aval.shape[ax]}; it must split into two "
                     "halves of equal length")
  a, b = split(x, 2, axis=ax)
  return a * lax.logistic(b)
