"""Window functions for signal processing: ``bartlett``, ``blackman``, ``hamming``,
``hanning``, ``kaiser``, and the Bessel function ``i0`` that ``kaiser`` is built on.

The windows of a static length ``M`` are NumPy constants, except ``kaiser``, which is
differentiable in ``beta``. ``i0`` uses NumPy's Chebyshev expansions (Cephes), so its
values are NumPy's and its derivative is the expansion's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import promote_inexact
from . import ufuncs

Array = Any

_I0A = (-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
      1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
      -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11,
      9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
      -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07,
      1.1173875391201037e-06, -4.4167383584587505e-06, 1.6448448070728896e-05,
      -5.754195010082104e-05, 0.00018850288509584165, -0.0005763755745385824,
      0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
      -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
      0.17162090152220877, -0.3046826723431984, 0.6767952744094761)
_I0B = (-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17,
      3.461222867697461e-17, -2.8276239805165836e-16, -3.425485619677219e-16,
      1.7725601330565263e-15, 3.8116806693526224e-15, -9.554846698828307e-15,
      -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
      7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11,
      -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
      3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
      2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
      0.8044904110141088)


def _chbevl(x, coefficients):
  b0: Any = coefficients[0]
  b1: Any = 0.0
  b2: Any = 0.0
  for c in coefficients[1:]:
    b2, b1 = b1, b0
    b0 = ufuncs.add(ufuncs.subtract(ufuncs.multiply(x, b1), b2), c)
  return ufuncs.multiply(0.5, ufuncs.subtract(b0, b2))


def i0(x: Array) -> Array:
  """The modified Bessel function of the first kind, order 0 (elementwise).

  >>> i0([0.0, 1.0])
  array([1.        , 1.26606588])
  """
  x = promote_inexact(x, "i0")
  if not isinstance(x, Tracer):
    return np.i0(x)
  a = ufuncs.absolute(x)
  small = ufuncs.less_equal(a, 8.0)
  a1 = ufuncs.where(small, a, 0.0)  # each branch sees only its own range: finite derivatives
  a2 = ufuncs.where(small, 9.0, a)
  y1 = ufuncs.multiply(ufuncs.exp(a1), _chbevl(ufuncs.subtract(ufuncs.true_divide(a1, 2.0), 2.0), _I0A))
  y2 = ufuncs.true_divide(ufuncs.multiply(ufuncs.exp(a2), _chbevl(
      ufuncs.subtract(ufuncs.true_divide(32.0, a2), 2.0), _I0B)), ufuncs.sqrt(a2))
  return ufuncs.where(small, y1, y2)


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
