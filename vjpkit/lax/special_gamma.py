"""The gamma family beyond ``lgamma``/``digamma``: gamma, rgamma, gammasgn, loggamma, beta,
poch, the Hurwitz and Riemann zeta functions, factorial and comb.

Values come from ``scipy.special`` (see ``special.py``); the derivatives are closed forms in
the family (``Γ' = Γ ψ``, ``B'_a = B (ψ(a) - ψ(a + b))``, ``∂ζ(s, q)/∂q = -s ζ(s + 1, q)``),
so every order is available. Where none exists the derivative raises NotImplementedError
naming the argument: the zeta functions in ``s``; factorial and comb in their (integer)
arguments.
"""
from __future__ import annotations

import numpy as np

from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from ._declare import const, naryop, unop
from .special import _no_derivative, _scipy, _scipy_nary, digamma, gammainc, gammaincc

__all__ = ["beta", "beta_p", "igamma", "igammac", "comb", "comb_p", "factorial", "factorial_p", "gamma", "gamma_p",
           "gammasgn", "gammasgn_p", "loggamma", "loggamma_p", "poch", "poch_p", "rgamma",
           "rgamma_p", "riemann_zeta", "riemann_zeta_p", "zeta", "zeta_p"]

gamma_p = unop("gamma", _scipy("gamma"))
defjvp(gamma_p, lambda t, ans, x: ew.mul(t, ew.mul(ans, digamma(x))))


def gamma(x):
  """``Γ(x)``; its derivative is ``Γ(x) ψ(x)``.

  >>> gamma(5.0)
  np.float64(24.0)
  """
  return gamma_p.bind(x)


gammasgn_p = unop("gammasgn", _scipy("gammasgn"))
defjvp_zero(gammasgn_p)


def gammasgn(x):
  """The sign of ``Γ(x)`` (piecewise constant: derivative 0).

  >>> gammasgn(-0.5)
  np.float64(-1.0)
  """
  return gammasgn_p.bind(x)


loggamma_p = unop("loggamma", _scipy("loggamma"))
defjvp(loggamma_p, lambda t, ans, x: ew.mul(t, digamma(x)))


def loggamma(x):
  """The principal branch of ``log Γ(x)``: real for ``x > 0``, nan for ``x < 0`` (SciPy's
  real ``loggamma``); its derivative is ``ψ(x)``.

  >>> loggamma(5.0)
  np.float64(3.178053830347945...)
  """
  return loggamma_p.bind(x)


def _rgamma_jvp(t, ans, x):
  """``(1/Γ)' = -ψ/Γ`` for ``x >= 1/2``; below, by the reflection ``1/Γ(x) = Γ(1 - x)
  sin(πx)/π``, ``Γ(1 - x) (cos πx - ψ(1 - x) sin(πx)/π)``: smooth through the poles of Γ
  (``(-1)^n n!`` at ``x = -n``), with no ``0 · inf`` near them, to every order."""
  left = ew.lt(x, const(x, 0.5))
  xl, xr = ew.select_n(left, const(x, 0.0), x), ew.select_n(left, x, const(x, 1.0))
  one_minus = ew.sub(const(x, 1.0), xl)
  pix = ew.mul(const(x, np.pi), xl)
  reflected = ew.mul(gamma(one_minus), ew.sub(ew.cos(pix), ew.mul(
    digamma(one_minus), ew.mul(ew.sin(pix), const(x, 1 / np.pi)))))
  regular = ew.neg(ew.mul(rgamma(xr), digamma(xr)))
  return ew.mul(t, ew.select_n(left, regular, reflected))


rgamma_p = unop("rgamma", _scipy("rgamma"))
defjvp(rgamma_p, _rgamma_jvp)


def rgamma(x):
  """``1 / Γ(x)``, an entire function (0 at the poles of Γ).

  >>> rgamma(5.0)
  np.float64(0.041666666666666...)
  """
  return rgamma_p.bind(x)


beta_p = naryop("beta", _scipy_nary("beta"), kinds="float")
defjvp(beta_p, lambda t, ans, a, b: ew.mul(t, ew.mul(ans, ew.sub(digamma(a), digamma(ew.add(a, b))))),
       lambda t, ans, a, b: ew.mul(t, ew.mul(ans, ew.sub(digamma(b), digamma(ew.add(a, b))))))


def beta(a, b):
  """``B(a, b) = Γ(a) Γ(b) / Γ(a + b)``; ``∂B/∂a = B (ψ(a) - ψ(a + b))``.

  >>> beta(2.0, 3.0)
  np.float64(0.083333333333333...)
  """
  return beta_p.bind(a, b)


poch_p = naryop("poch", _scipy_nary("poch"), kinds="float")
defjvp(poch_p, lambda t, ans, z, m: ew.mul(t, ew.mul(ans, ew.sub(digamma(ew.add(z, m)), digamma(z)))),
       lambda t, ans, z, m: ew.mul(t, ew.mul(ans, digamma(ew.add(z, m)))))


def poch(z, m):
  """The Pochhammer symbol ``Γ(z + m) / Γ(z)``.

  >>> poch(3.0, 2.0)
  np.float64(12.0)
  """
  return poch_p.bind(z, m)


_ZETA_USE = "the exponent s of the Hurwitz zeta function"
zeta_p = naryop("zeta", _scipy_nary("zeta"), kinds="float")
defjvp(zeta_p, _no_derivative("zeta(s, q)", "s", _ZETA_USE),
       lambda t, ans, s, q: ew.neg(ew.mul(t, ew.mul(s, zeta(ew.add(s, const(s, 1.0)), q)))))


def zeta(s, q):
  """The Hurwitz zeta function ``ζ(s, q) = Σ_k (k + q)^-s`` (JAX's ``lax.zeta``);
  differentiable in ``q`` (``-s ζ(s + 1, q)``), not in ``s``.

  >>> zeta(2.0, 1.0)   # π²/6
  np.float64(1.644934066848226...)
  """
  return zeta_p.bind(s, q)


riemann_zeta_p = unop("riemann_zeta", _scipy("zeta"))
defjvp(riemann_zeta_p, _no_derivative("riemann_zeta(s)", "s", _ZETA_USE))


def riemann_zeta(s):
  """The Riemann zeta function ``ζ(s)``, continued analytically to ``s < 1`` (SciPy's
  ``zeta(s)``); its derivative is not available.

  >>> riemann_zeta(0.0)
  np.float64(-0.5)
  """
  return riemann_zeta_p.bind(s)


def _integer_argument(prim: str, arg: str):
  def rule(t, ans, *primals, **params):
    raise NotImplementedError(
      f"vjpkit: {prim} is not differentiable in its argument '{arg}', an integer count (the "
      "continuation through Γ is not what this function means). For a smooth function of "
      f"real arguments use vjpkit.scipy.special.gamma/gammaln/poch/beta instead, or hold "
      f"'{arg}' constant with vjpkit.lax.stop_gradient.")
  return rule


def _factorial_impl(n):
  import scipy.special
  return np.asarray(scipy.special.factorial(n, exact=False), np.result_type(n))[()]


factorial_p = unop("factorial", _factorial_impl)
defjvp(factorial_p, _integer_argument("factorial(n)", "n"))


def factorial(n):
  """``n!`` as ``Γ(n + 1)`` in floating point, 0 for ``n < 0`` (SciPy's ``exact=False``).

  >>> factorial(5.0)
  np.float64(120.0)
  """
  return factorial_p.bind(n)


def _comb_impl(n, k):
  import scipy.special
  return np.asarray(scipy.special.comb(n, k, exact=False), np.result_type(n, k))[()]


comb_p = naryop("comb", _comb_impl, kinds="float")
defjvp(comb_p, _integer_argument("comb(N, k)", "N"), _integer_argument("comb(N, k)", "k"))


def comb(n, k):
  """The number of combinations ``N choose k`` in floating point (0 outside
  ``0 <= k <= N``, SciPy's ``exact=False``).

  >>> comb(5.0, 2.0)
  np.float64(10.0)
  """
  return comb_p.bind(n, k)


# JAX's names for the regularized incomplete gamma functions of vjpkit.lax.special
igamma, igammac = gammainc, gammaincc
