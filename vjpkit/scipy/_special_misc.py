"""``erfcx``, the exponential integrals, Spence's function, the entropies and the Box-Cox
transforms of ``vjpkit.scipy.special`` (primitives in ``vjpkit.lax.special_misc``).

The Box-Cox transforms are composites written for their derivatives:
``boxcox(x, λ) = L · e₁(λ L)`` with ``L = log x`` and ``e₁(u) = expm1(u)/u`` (a Taylor
series near ``u = 0``), so the derivative in ``λ`` has no cancellation at small ``λ`` and
``λ = 0`` is no special case; ``inv_boxcox(y, λ) = exp(y · log1p(λ y)/(λ y))`` likewise.

>>> import vjpkit
>>> vjpkit.grad(boxcox, argnums=1)(np.e, 0.0)   # ∂/∂λ at λ = 0 is (log x)²/2
np.float64(0.5)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..lax import special_misc as _m
from ..lax.special_misc import _log1p_over
from ..numpy.ufuncs import (equal, exp, expm1, greater_equal, isinf, isnan, less,
                            less_equal, log, where)
from ..numpy.ufuncs import log1p as _np_log1p, sinc as _np_sinc
from ._special_common import nary, promote_scipy, unary

Array = Any

__all__ = ["boxcox", "boxcox1p", "entr", "erfcx", "exp1", "expi", "expn", "inv_boxcox",
           "inv_boxcox1p", "kl_div", "log1p", "rel_entr", "sinc", "spence"]

def log1p(x: Array) -> Array:
  """``log(1 + x)``, ``scipy.special.log1p``'s values and dtypes: for complex ``z`` accurate
  where ``|z|`` is small (NumPy's loses the real part there), float64 for integers, bools and
  float16 (SciPy has no float16 loop). Its derivative is ``1 / (1 + x)``.

  >>> log1p(1e-20 + 1e-12j)
  np.complex128(1.00005e-20+1e-12j)
  """
  return _m.log1p_scipy(*promote_scipy("log1p", x))


erfcx = unary("erfcx", _m.erfcx, """The scaled complementary error function ``exp(x²) erfc(x)``.

>>> erfcx(30.0)
np.float64(0.018795888861416...)
""")
expi = unary("expi", _m.expi, """The exponential integral ``Ei(x)``; ``Ei' = e^x/x``.

>>> expi(-1.0)
np.float64(-0.219383934395520...)
""")
exp1 = unary("exp1", _m.exp1, """The exponential integral ``E_1(x)``; ``E_1' = -e^-x/x``.

>>> exp1(2.0)
np.float64(0.048900510708061...)
""")
expn = nary("expn", _m.expn, """The generalized exponential integral ``E_n(x)``, integer ``n``;
``E_n' = -E_{n-1}`` in ``x``, no derivative in ``n``.

>>> expn(2, 1.0)
np.float64(0.148495506775922...)
""")
spence = unary("spence", _m.spence, """Spence's function ``∫_1^z log(t)/(1 - t) dt``
(nan for ``z < 0``); its derivative ``log(z)/(1 - z)`` is ``-1`` at ``z = 1``.

>>> spence(0.0)    # π²/6
np.float64(1.644934066848226...)
""")
entr = unary("entr", _m.entr, """``-x log x``, 0 at ``x = 0``, ``-inf`` for ``x < 0``.

>>> entr(0.5)
np.float64(0.346573590279972...)
""")
rel_entr = nary("rel_entr", _m.rel_entr, """``x log(x/y)`` (0 at ``x = 0``, ``inf`` outside the
domain), elementwise relative entropy.

>>> rel_entr(1.0, np.e)
np.float64(-1.0)
""")
kl_div = nary("kl_div", _m.kl_div, """``x log(x/y) - x + y``, elementwise (``inf`` outside the
domain).

>>> kl_div(1.0, np.e)
np.float64(0.718281828459045...)
""")


def sinc(x: Array) -> Array:
  """The normalized sinc ``sin(πx)/(πx)`` (SciPy re-exports NumPy's: this is vjpkit.numpy.sinc).

  >>> sinc(0.5)
  np.float64(0.636619772367581...)
  """
  return _np_sinc(x)


# expm1(u)/u = Σ u^k/(k+1)!: the series to u^7 where |u| < 1/100 (the next term is below an ulp)
_EXPM1_SERIES = tuple(1.0 / float(np.prod(np.arange(1, k + 2))) for k in range(8))


def _expm1_over(u):
  small = less(lax.abs(u), 0.01)
  us, ul = where(small, u, 0.0), where(small, 1.0, u)
  series = _EXPM1_SERIES[-1] + 0 * us
  for c in reversed(_EXPM1_SERIES[:-1]):
    series = c + us * series
  return where(small, series, expm1(ul) / ul)


def _boxcox(L, lmbda, base, at_pole):
  """``(exp(λ L) - 1)/λ`` as ``L e₁(λ L)``; where ``at_pole`` (``base = e^L = 0``) SciPy's
  value ``-1/λ`` for ``λ ≥ 1e-19`` as ``(base^λ - 1)/λ`` (so its derivatives are the
  one-sided limits: ``base^(λ-1)``, inf for ``λ < 1``, and ``1/λ²`` in λ), ``-inf`` for
  smaller λ (SciPy's ``log(x)`` where ``|λ| < 1e-19``), NaN for ``λ = -inf`` or NaN. Where
  ``L = inf`` (``x = inf``), SciPy's limits: inf for ``-1e-19 < λ < inf``, ``-1/λ`` below
  (0 at ``-inf``), NaN at ``λ = inf``."""
  infinite = equal(L, np.inf)
  Ls = where(at_pole | infinite, 0.0, L)
  pos = greater_equal(lmbda, 1e-19)
  lp = where(pos, lmbda, 1.0)
  nan, inf = (np.array(v, get_aval(L).dtype)[()] for v in (np.nan, np.inf))  # not float64
  below = where(equal(lmbda, -np.inf) | isnan(lmbda), nan, -inf)
  edge = where(pos, (lax.pow(where(at_pole, base, 1.0), lp) - 1.0) / lp, below)
  neg = less_equal(lmbda, -1e-19)
  at_inf = where(neg, -1.0 / where(neg, lmbda, -1.0),
                 where(equal(lmbda, np.inf) | isnan(lmbda), nan, inf))
  return where(at_pole, edge, where(infinite, at_inf, Ls * _expm1_over(lmbda * Ls)))


def boxcox(x: Array, lmbda: Array) -> Array:
  """The Box-Cox transform ``(x^λ - 1)/λ`` (``log x`` at ``λ = 0``), nan for ``x < 0``;
  differentiable in both arguments (smoothly through ``λ = 0``).

  >>> boxcox(np.e, 0.0), boxcox(4.0, 0.5)
  (np.float64(1.0), np.float64(2.0))
  """
  x, lmbda = promote_scipy("boxcox", x, lmbda)
  zero = equal(x, 0)
  return _boxcox(log(where(zero, 1.0, x)), lmbda, x, zero)


def boxcox1p(x: Array, lmbda: Array) -> Array:
  """The Box-Cox transform of ``1 + x``: ``((1 + x)^λ - 1)/λ``, accurate for small ``x``.

  >>> boxcox1p(1e-20, 0.5)
  np.float64(1e-20)
  """
  x, lmbda = promote_scipy("boxcox1p", x, lmbda)
  pole = equal(x, -1)
  return _boxcox(_np_log1p(where(pole, 0.0, x)), lmbda, 1.0 + x, pole)


def _inv_log(y, lmbda):
  """``log1p(λ y)/λ`` (``y`` at ``λ = 0``) as ``y · log1p(λ y)/(λ y)``; where ``λ y``
  overflows to +inf (also for an infinite ``y``), SciPy's
  ``(log(sign(λ) y + 1/|λ|) + log|λ|)/λ``, and ``y`` where ``y`` is infinite and ``λ = 0``."""
  ly = lmbda * y
  over = equal(ly, np.inf)
  lo = where(over, lmbda, 1.0)
  big = (log(where(less(lo, 0), -y, y) + 1.0 / lax.abs(lo)) + log(lax.abs(lo))) / lo
  plain = y * _log1p_over(where(over, 0.0, ly))
  return where(over, big, where(isinf(y) & equal(lmbda, 0), y, plain))


def inv_boxcox(y: Array, lmbda: Array) -> Array:
  """The inverse of boxcox: ``(1 + λ y)^(1/λ)`` (``exp(y)`` at ``λ = 0``).

  >>> inv_boxcox(2.0, 0.5)
  np.float64(4.0)
  """
  y, lmbda = promote_scipy("inv_boxcox", y, lmbda)
  return exp(_inv_log(y, lmbda))


def inv_boxcox1p(y: Array, lmbda: Array) -> Array:
  """The inverse of boxcox1p: ``(1 + λ y)^(1/λ) - 1``, accurate for small ``y``.

  >>> inv_boxcox1p(1e-20, 0.5)
  np.float64(1e-20)
  """
  y, lmbda = promote_scipy("inv_boxcox1p", y, lmbda)
  return expm1(_inv_log(y, lmbda))
