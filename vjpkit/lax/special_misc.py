"""The scaled complementary error function, exponential integrals, Spence's function and the
elementwise entropies (SciPy's ``erfcx``, ``expi``, ``exp1``, ``expn``, ``spence``, ``entr``,
``rel_entr``, ``kl_div``).

Values come from ``scipy.special``; derivatives are closed forms (``erfcx' = 2x erfcx - 2/√π``,
``expi' = e^x/x``, ``E_n' = -E_{n-1}``, ``spence'(z) = log(z)/(1 - z)``, ...), written with
vjpkit operations so that every order is available. ``expn`` is not differentiable in ``n``.
"""
from __future__ import annotations

import math

import numpy as np

from ..interpreters.jvp import defjvp
from . import elementwise as ew
from ._declare import const, naryop, unop
from .special import _no_derivative, _scipy, _scipy_nary

__all__ = ["entr", "entr_p", "erfcx", "erfcx_p", "exp1", "exp1_p", "expi", "expi_p", "expn",
           "expn_p", "kl_div", "kl_div_p", "log1p_scipy", "log1p_scipy_p", "logit", "logit_dk_p", "logit_p",
           "rel_entr", "rel_entr_p", "spence", "spence_p"]

erfcx_p = unop("erfcx", _scipy("erfcx"))
defjvp(erfcx_p, lambda t, ans, x: ew.mul(t, ew.sub(ew.mul(ew.add(x, x), ans),
                                                   const(x, 2 / np.sqrt(np.pi)))))


def erfcx(x):
  """``exp(x²) erfc(x)``, without overflow for large ``x``.

  >>> erfcx(0.0)
  np.float64(1.0)
  """
  return erfcx_p.bind(x)


# SciPy's log1p: not NumPy's for complex z (SciPy keeps the real part of a small z, NumPy's
# log(1 + z) loses it: 1e-20 + 1e-12j gives 0 there) nor, by an ulp now and then, for real x
log1p_scipy_p = unop("log1p_scipy", _scipy("log1p"), kinds="inexact")
defjvp(log1p_scipy_p, lambda t, ans, x: ew.div(t, ew.add(x, const(x, 1))))


def log1p_scipy(x):
  """``log(1 + x)`` with ``scipy.special.log1p``'s values (real or complex ``x``); its
  derivative is ``1 / (1 + x)``.

  >>> log1p_scipy(np.complex128(1e-20 + 1e-12j)).real
  np.float64(1.00005e-20)
  """
  return log1p_scipy_p.bind(x)


def _logit_dk_of(r, q, k: int):
  """logit's ``k``-th derivative from ``r = 1 / x`` and ``q = 1 / (1 - x)``:
  ``(k-1)! ((-1)^(k-1) r^k + q^k)`` (the impl and the array-API rule)."""
  out = r + q if k == 1 else (r ** k if k % 2 else -(r ** k)) + q ** k
  return out * math.factorial(k - 1) if k > 2 else out


def _logit_dk_impl(x, *, k: int):
  """The ``k``-th derivative of logit, ``(k-1)! ((-1)^(k-1) / x^k + 1 / (1 - x)^k)``: at 0
  and 1 the one-sided limits (``inf`` for ``k = 1``; ``-inf`` at 0 and ``inf`` at 1 for
  ``k = 2``), without NumPy's divide-by-zero warning (SciPy's logit gives ±inf there
  without one)."""
  x = np.asarray(x)
  with np.errstate(divide="ignore", invalid="ignore"):
    out = _logit_dk_of(np.divide(1, x), np.divide(1, 1 - x), k)
  return np.asarray(out, x.dtype)[()]


logit_dk_p = unop("logit_dk", _logit_dk_impl)
defjvp(logit_dk_p, lambda t, ans, x, *, k: ew.mul(t, logit_dk_p.bind(x, k=k + 1)))

logit_p = unop("logit", _scipy("logit"))
# 1/x + 1/(1 - x) = 1 / (x (1 - x)): inf at 0 and 1 (the one-sided limits, as JAX's), and
# its own derivative -inf at 0, inf at 1 (JAX: NaN), each order one primitive (logit_dk)
defjvp(logit_p, lambda t, ans, x: ew.mul(t, logit_dk_p.bind(x, k=1)))


def logit(x):
  """``log(x / (1 - x))``, SciPy's values (``log1p(2x - 1) - log1p(1 - 2x)`` near 1/2).

  >>> logit(0.5)
  np.float64(0.0)
  """
  return logit_p.bind(x)


def _expi_slope(x):
  """``e^x / x``, ``inf`` at ``x = inf`` (the limit; ``inf / inf`` would be NaN)."""
  top = ew.eq(x, const(x, np.inf))
  xs = ew.select_n(top, x, const(x, 1.0))
  return ew.select_n(top, ew.div(ew.exp(xs), xs), ew._bcast_like(const(x, np.inf), x))


expi_p = unop("expi", _scipy("expi"))
defjvp(expi_p, lambda t, ans, x: ew.mul(t, _expi_slope(x)))


def expi(x):
  """The exponential integral ``Ei(x)`` on the whole line; its derivative is ``e^x / x``.

  >>> expi(1.0)
  np.float64(1.89511781635593...)
  """
  return expi_p.bind(x)


def _exp1_slope(ans, x):
  """``-e^-x / x`` on ``x >= 0``; for ``x < 0``, where SciPy's ``exp1`` is NaN, the value
  itself (NaN, at every order: the formula would give a finite slope of a NaN value)."""
  outside = ew.lt(x, const(x, 0.0))
  xs = ew.select_n(outside, x, const(x, 1.0))
  return ew.select_n(outside, ew.neg(ew.div(ew.exp(ew.neg(xs)), xs)), ans)


exp1_p = unop("exp1", _scipy("exp1"))
defjvp(exp1_p, lambda t, ans, x: ew.mul(t, _exp1_slope(ans, x)))


def exp1(x):
  """The exponential integral ``E_1(x) = ∫_1^∞ e^(-xt)/t dt``; its derivative is ``-e^-x / x``
  for ``x >= 0`` (NaN below 0, where SciPy's value is NaN).

  >>> exp1(1.0)
  np.float64(0.219383934395520...)
  """
  return exp1_p.bind(x)


def _expn_dx(t, ans, n, x):
  """``E_n' = -E_{n-1}`` for ``n >= 1``; ``E_0 = e^-x / x``, so ``E_0' = -E_0 (1 + 1/x)``."""
  one = const(x, 1.0)
  zero = ew.eq(n, const(n, 0.0))
  lower = expn(ew.select_n(zero, ew.sub(n, one), one), x)
  e0 = ew.neg(ew.mul(ans, ew.add(one, ew.div(one, x))))
  return ew.mul(t, ew.select_n(zero, ew.neg(lower), e0))


expn_p = naryop("expn", _scipy_nary("expn"), kinds="float")
defjvp(expn_p, _no_derivative("expn(n, x)", "n", "the integer order of E_n"), _expn_dx)


def expn(n, x):
  """The generalized exponential integral ``E_n(x)`` for an integer ``n >= 0``.

  >>> expn(1.0, 1.0)   # E_1
  np.float64(0.219383934395520...)
  """
  return expn_p.bind(n, x)


# log1p(u)/u: its Taylor series (to u^7; the next term is below an ulp) where |u| < 1/100
_LOG1P_SERIES = tuple((-1.0) ** k / (k + 1) for k in range(8))


def _log1p_over(u):
  """``log1p(u) / u``, 1 at ``u = 0``, smooth there to every order (a Taylor series near 0)."""
  small = ew.lt(ew.abs(u), const(u, 0.01))
  us = ew.select_n(small, const(u, 0.0), u)
  ul = ew.select_n(small, u, const(u, 1.0))
  series = const(u, _LOG1P_SERIES[-1])
  for c in reversed(_LOG1P_SERIES[:-1]):
    series = ew.add(const(u, c), ew.mul(us, series))
  return ew.select_n(small, ew.div(ew.log1p(ul), ul), series)


def _spence_slope(z):
  """``log(z)/(1 - z)``: the series ``-log1p(u)/u`` (u = z - 1) near 1, ``log(z)/(1 - z)``
  elsewhere (log1p of the rounded ``z - 1`` loses small z's digits: -inf at z = 1e-300)."""
  u = ew.sub(z, const(z, 1.0))
  small = ew.lt(ew.abs(u), const(u, 0.01))
  zl = ew.select_n(small, z, const(z, 2.0))
  far = ew.div(ew.log(zl), ew.sub(const(z, 1.0), zl))
  far = ew.select_n(ew.eq(z, const(z, np.inf)), far, const(z, 0.0))  # -log(z)/z -> 0
  return ew.select_n(small, far, ew.neg(_log1p_over(u)))


# spence(z) = ∫_1^z log(t) / (1 - t) dt, so spence' = log(z)/(1 - z)
spence_p = unop("spence", _scipy("spence"))
defjvp(spence_p, lambda t, ans, z: ew.mul(t, _spence_slope(z)))


def spence(z):
  """Spence's function (the dilogarithm ``Li_2(1 - z)``), for ``z >= 0``.

  >>> spence(1.0)
  np.float64(0.0)
  """
  return spence_p.bind(z)


entr_p = unop("entr", _scipy("entr"))
defjvp(entr_p, lambda t, ans, x: ew.neg(ew.mul(t, ew.add(ew.log(x), const(x, 1.0)))))


def entr(x):
  """``-x log x`` (0 at 0, ``-inf`` for ``x < 0``); its derivative is ``-(log x + 1)``.

  >>> entr(1.0)
  np.float64(-0.0)
  """
  return entr_p.bind(x)


rel_entr_p = naryop("rel_entr", _scipy_nary("rel_entr"), kinds="float")
defjvp(rel_entr_p,
       lambda t, ans, x, y: ew.mul(t, ew.add(ew.log(ew.div(x, y)), const(x, 1.0))),
       lambda t, ans, x, y: ew.neg(ew.mul(t, ew.div(x, y))))


def rel_entr(x, y):
  """``x log(x / y)`` for ``x, y > 0``, 0 at ``x = 0, y >= 0``, ``inf`` otherwise.

  >>> rel_entr(1.0, 1.0)
  np.float64(0.0)
  """
  return rel_entr_p.bind(x, y)


kl_div_p = naryop("kl_div", _scipy_nary("kl_div"), kinds="float")
defjvp(kl_div_p,
       lambda t, ans, x, y: ew.mul(t, ew.log(ew.div(x, y))),
       lambda t, ans, x, y: ew.mul(t, ew.sub(const(x, 1.0), ew.div(x, y))))


def kl_div(x, y):
  """``x log(x / y) - x + y`` for ``x, y > 0`` (``y`` at ``x = 0``, ``inf`` otherwise).

  >>> kl_div(1.0, 1.0)
  np.float64(0.0)
  """
  return kl_div_p.bind(x, y)
