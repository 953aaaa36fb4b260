"""Window functions for signal processing: ``bartlett``, ``blackman``, ``hamming``,
``hanning``, ``kaiser``, and the Bessel function ``i0`` that ``kaiser`` is built on.

The windows of a static length ``M`` are NumPy constants, except ``kaiser``, which is
differentiable in ``beta``. ``i0`` is NumPy's ``np.i0`` (its values), with derivative
``I1`` (``scipy.special.i1``; exactly 0 at 0, and accurate near 0, where the expansion's
own slope is a rounding error).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.avals import get_aval
from .. import lax
from ..core.trace import Tracer
from ._core import promote_inexact
from . import ufuncs

Array = Any

def i0(x: Array) -> Array:
  """The modified Bessel function of the first kind, order 0 (elementwise).

  >>> i0([0.0, 1.0])
  array([1.        , 1.26606588])
  """
  x = promote_inexact(x, "i0")
  if not isinstance(x, Tracer):
    return np.i0(x)
  return lax.i0(x)


def bartlett(M: int) -> np.ndarray:
  """The triangular (Bartlett) window of ``M`` points (a constant).

  >>> bartlett(5)
  array([0. , 0.5, 1. , 0.5, 0. ])
  """
  return np.bartlett(M)


def blackman(M: int) -> np.ndarray:
  """The Blackman window of ``M`` points (a constant).

  >>> blackman(3)
  array([-1.38777878e-17,  1.00000000e+00, -1.38777878e-17])
  """
  return np.blackman(M)


def hamming(M: int) -> np.ndarray:
  """The Hamming window of ``M`` points (a constant).

  >>> hamming(3)
  array([0.08, 1.  , 0.08])
  """
  return np.hamming(M)


def hanning(M: int) -> np.ndarray:
  """The Hann window of ``M`` points (a constant).

  >>> hanning(3)
  array([0., 1., 0.])
  """
  return np.hanning(M)


def kaiser(M: int, beta: Array) -> Array:
  """The Kaiser window of ``M`` points with shape parameter ``beta``; differentiable in
  ``beta``.

  >>> kaiser(3, 5.0)
  array([0.03671089, 1.        , 0.03671089])
  """
  if not isinstance(beta, Tracer):
    return np.kaiser(M, beta)
  M = int(M)
  if M < 1:
    return np.zeros(0)
  if M == 1:
    return np.ones(1, np.result_type(get_aval(beta).dtype, np.float64))
  n = np.arange(0, M)
  alpha = (M - 1) / 2.0
  r = np.sqrt(np.maximum(1 - ((n - alpha) / alpha) ** 2.0, 0.0))
  return ufuncs.true_divide(i0(ufuncs.multiply(beta, r)), i0(beta))
