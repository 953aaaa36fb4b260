"""Discrete distributions in SciPy's form ``(k, *shapes, loc=0)``.

``k`` and the integer parameters (binom's ``n``) enter through ``stop_gradient``: the pmf
is a step function of them, so their derivative is 0; the continuous parameters (``mu``,
``p``, nbinom's ``n``) are differentiable. The pmf is 0 (logpmf -inf) at ``k`` outside the
support or not an integer, and every method is nan for invalid parameters, as in SciPy.
The cdfs of binom and nbinom come from the incomplete beta function, nbinom's
differentiable in ``n`` too (to second order, by ``lax.betainc_grad``). The ppfs are SciPy's
(``vjpkit.lax.discrete_ppf``), integer-valued floats whose derivative is 0.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ... import lax
from ... import numpy as vnp
from . import _special as sp
from . import _common as c

Array = Any


def _log_near_one(p, complement: Callable):
  """``log p``, as ``log1p(-(1 - p))`` from the complement where ``p > 1/2`` (so that a
  probability within rounding of 1 keeps its small logarithm, as SciPy's)."""
  near_one = vnp.greater(p, 0.5)
  return c.where(near_one, vnp.log1p(-c.safe(near_one, complement(), 0.0)),
                 vnp.log(c.safe(near_one, 1.0, p)))


class Discrete:
  """``logpmf(k, *shapes)`` on the support ``lo <= k <= hi(*shapes)`` (integers);
  ``logcdf``/``logsf`` of ``floor(k)`` inside it; ``valid(*shapes)`` the parameter domain;
  ``discrete`` marks shapes that are integers (held constant)."""

  def __init__(self, name: str, shapes: tuple[str, ...], logpmf: Callable, valid: Callable,
               cdf: Callable, sf: Callable, *, hi: Optional[Callable] = None,
               discrete: tuple[bool, ...] = (), inner: tuple[float, ...] = ()):
    self.name, self.shapes, self.valid = name, shapes, valid
    self.std = {"logpmf": logpmf, "cdf": cdf, "sf": sf}
    self.hi = hi
    self.discrete = discrete or (False,) * len(shapes)
    self.inner = inner or (0.5,) * len(shapes)

  def _prep(self, k, args):
    *shapes, loc = args
    shapes = [c.stop_gradient(s) if d else s for s, d in zip(shapes, self.discrete)]
    ok = self.valid(*shapes)  # any real loc shifts the support, as SciPy
    shapes = [c.safe(ok, s, v) for s, v in zip(shapes, self.inner)]
    k = c.stop_gradient(k - c.safe(ok, loc, 0.0))
    hi = np.inf if self.hi is None else self.hi(*shapes)
    return ok, shapes, k, hi

  def _finish(self, ok, k, out):
    return c.nan_unless(vnp.logical_and(ok, vnp.logical_not(vnp.isnan(k))), out)

  def logpmf(self, k, *args):
    ok, shapes, k, hi = self._prep(k, args)
    inside = vnp.logical_and(vnp.logical_and(vnp.greater_equal(k, 0), vnp.less_equal(k, hi)),
                             vnp.equal(k, vnp.floor(k)))
    ks = c.safe(inside, k, 0.0)
    return self._finish(ok, k, c.where(inside, self.std["logpmf"](ks, *shapes), -np.inf))

  def pmf(self, k, *args):
    return vnp.exp(self.logpmf(k, *args))

  def _tail(self, kind: str, below: float, above: float, k, args):
    ok, shapes, k, hi = self._prep(k, args)
    kf = vnp.floor(k)
    inside = vnp.logical_and(vnp.greater_equal(kf, 0), vnp.less(kf, hi))
    ks = c.safe(inside, kf, 0.0)
    out = self.std[kind](ks, *shapes)
    out = c.where(vnp.less(kf, 0), below, c.where(vnp.greater_equal(kf, hi), above, out))
    return self._finish(ok, k, out)

  def cdf(self, k, *args): return self._tail("cdf", 0.0, 1.0, k, args)
  def sf(self, k, *args): return self._tail("sf", 1.0, 0.0, k, args)
  def logcdf(self, k, *args): return _log_near_one(self.cdf(k, *args), lambda: self.sf(k, *args))
  def logsf(self, k, *args): return _log_near_one(self.sf(k, *args), lambda: self.cdf(k, *args))

  def ppf(self, q, *args):
    """SciPy's quantile: the least support point ``k`` with ``cdf(k) >= q`` (an integer-valued
    float), ``a - 1 + loc`` at ``q = 0``, nan outside ``[0, 1]``; a step function, so its
    derivative is 0."""
    return lax.discrete_ppf(self.name, q, *args)

  def methods(self) -> dict[str, Callable]:
    names = ("k",) + self.shapes + ("loc",)
    shape_doc = "".join(f", {s}" for s in self.shapes)
    out = {}
    for m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf", "ppf"):
      first = "q" if m == "ppf" else "k"
      doc = (f"scipy.stats.{self.name}.{m}({first}{shape_doc}, loc=0) (see the module's "
             "docstring for the derivatives).")
      out[m] = c.method(f"{self.name}.{m}", (first,) + names[1:], {"loc": 0.0},
                        getattr(self, m), doc)
    return out


def _is_int(n):
  return vnp.equal(n, vnp.floor(n))


def _prob(p):
  return vnp.logical_and(vnp.greater_equal(p, 0), vnp.less_equal(p, 1))


_LOG_2PI = float(np.log(2 * np.pi))
_STIRLING = (1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188)


def _stirlerr(n):
  """``log Γ(n + 1) - log(√(2π n) (n/e)^n)`` for ``n > 0``: its asymptotic series above 15
  (no cancellation), the direct formula below."""
  big = vnp.greater(n, 15)
  nb, ns = c.safe(big, n, 16.0), c.safe(big, 1.0, n)
  nn = nb * nb
  s0, s1, s2, s3, s4 = _STIRLING
  series = (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / nb
  direct = sp.gammaln(ns + 1) - (ns + 0.5) * vnp.log(ns) + ns - 0.5 * _LOG_2PI
  return c.where(big, series, direct)


def _bd0(x, m):
  """``x log(x/m) + m - x`` for ``x, m > 0``, by Loader's series where ``x ≈ m`` (the
  deviance part of the binomial pmf, without cancellation)."""
  close = vnp.less(vnp.abs(x - m), 0.1 * (x + m))
  xc, mc = c.safe(close, x, 1.0), c.safe(close, m, 1.0)
  v = (xc - mc) / (xc + mc)
  s, ej, v2 = (xc - mc) * v, 2 * xc * v, v * v
  for j in range(1, 13):   # |v| < 0.1: each term is 100 times smaller
    ej = ej * v2
    s = s + ej / (2 * j + 1)
  xf, mf = c.safe(close, 1.0, x), c.safe(close, 2.0, m)
  return c.where(close, s, sp.xlogy(xf, xf / mf) + mf - xf)


def _poisson_logpmf(k, mu):
  """Loader's form ``-stirlerr(k) - bd0(k, mu) - log √(2π k)`` (accurate for large ``k``);
  ``xlogy(k, mu) - mu`` at ``k = 0`` or ``mu = 0``."""
  edge = vnp.logical_or(vnp.equal(k, 0), vnp.equal(mu, 0))
  ks, ms = c.safe(edge, 1.0, k), c.safe(edge, 1.0, mu)
  interior = -_stirlerr(ks) - _bd0(ks, ms) - 0.5 * (_LOG_2PI + vnp.log(ks))
  return c.where(edge, sp.xlogy(k, mu) - sp.gammaln(k + 1) - mu, interior)


poisson = Discrete(
  "poisson", ("mu",), _poisson_logpmf,
  lambda mu: vnp.greater_equal(mu, 0), cdf=lambda k, mu: sp.gammaincc(k + 1, mu),
  sf=lambda k, mu: sp.gammainc(k + 1, mu), inner=(1.0,)).methods()

bernoulli = Discrete(
  "bernoulli", ("p",), lambda k, p: sp.xlogy(k, p) + sp.xlog1py(1 - k, -p), _prob,
  cdf=lambda k, p: 1 - p, sf=lambda k, p: p, hi=lambda p: 1.0).methods()


def _binom_logpmf(k, n, p):
  """Loader's saddle-point form (as SciPy's Boost and R): accurate for large ``n``; at
  ``k = 0``, ``k = n`` or ``p`` in {0, 1} the exact closed form."""
  edge = vnp.logical_or(vnp.logical_or(vnp.equal(k, 0), vnp.equal(k, n)),
                        vnp.logical_or(vnp.equal(p, 0), vnp.equal(p, 1)))
  ke, ne = c.safe(edge, k, 0.0), c.safe(edge, n, 1.0)
  exact = sp.xlogy(ke, p) + sp.xlog1py(ne - ke, -p)   # one of the two terms is all there is
  ki, ni, pi = c.safe(edge, 1.0, k), c.safe(edge, 2.0, n), c.safe(edge, 0.5, p)
  qi = 1 - pi
  lc = (_stirlerr(ni) - _stirlerr(ki) - _stirlerr(ni - ki) - _bd0(ki, ni * pi)
        - _bd0(ni - ki, ni * qi))
  interior = lc + 0.5 * (vnp.log(ni) - _LOG_2PI - vnp.log(ki) - vnp.log(ni - ki))
  return c.where(edge, exact, interior)


binom = Discrete(
  "binom", ("n", "p"), _binom_logpmf,
  lambda n, p: vnp.logical_and(vnp.logical_and(vnp.greater_equal(n, 0), _is_int(n)), _prob(p)),
  cdf=lambda k, n, p: sp.betainc(n - k, k + 1, 1 - p), sf=lambda k, n, p: sp.betainc(k + 1, n - k, p),
  hi=lambda n, p: n, discrete=(True, False), inner=(1.0, 0.5)).methods()


def _geom_logsf(k, p):
  return k * vnp.log1p(-p)


class _Geom(Discrete):
  """geom's support starts at 1; its tails have closed forms in ``log1p(-p)``."""

  def _prep(self, k, args):
    ok, shapes, k, hi = super()._prep(k, args)
    return ok, shapes, k - 1, hi


geom = _Geom(
  "geom", ("p",), lambda k, p: sp.xlog1py(k, -p) + vnp.log(p),
  lambda p: vnp.logical_and(vnp.greater(p, 0), vnp.less_equal(p, 1)),
  cdf=lambda k, p: -vnp.expm1(_geom_logsf(k + 1, p)),
  sf=lambda k, p: vnp.exp(_geom_logsf(k + 1, p))).methods()


def _nbinom_logpmf(k, n, p):
  """``n/(n+k)`` times the binomial pmf of ``n`` successes in ``n + k`` trials (R's dnbinom),
  so it shares Loader's accuracy; ``n log p`` at ``k = 0``."""
  zero = vnp.equal(k, 0)
  ks = c.safe(zero, 1.0, k)
  tail = vnp.log(n) - vnp.log(n + ks) + _binom_logpmf(n, n + ks, p)
  return c.where(zero, sp.xlogy(n, p), tail)


nbinom = Discrete(
  "nbinom", ("n", "p"), _nbinom_logpmf,
  lambda n, p: vnp.logical_and(vnp.greater(n, 0),
                               vnp.logical_and(vnp.greater(p, 0), vnp.less_equal(p, 1))),
  cdf=lambda k, n, p: sp.betainc(n, k + 1, p), sf=lambda k, n, p: sp.betainc(k + 1, n, 1 - p),
  inner=(1.0, 0.5)).methods()


def _betabinom_logpmf(k, n, a, b):
  return (-vnp.log1p(n) - sp.betaln(n - k + 1, k + 1) + sp.betaln(k + a, n - k + b)
          - sp.betaln(a, b))


def _betabinom_cdf(k, n, a, b, upper: bool = False):
  """The sum of the pmf over ``0..k`` (over ``k+1..n`` when ``upper``: the sf without the
  cancellation of ``1 - cdf``); it needs a concrete ``n`` (the number of terms)."""
  if not isinstance(n, (np.ndarray, np.generic, float)):
    raise TypeError("vjpkit.scipy.stats.betabinom.cdf/sf: n must be concrete (not traced by "
                    "jit or vmap): it fixes the number of terms of the sum")
  terms = int(np.max(n)) + 1 if np.size(n) else 1
  nd = max(len(vnp.shape(v)) for v in (k, n, a, b))  # j runs along a new leading axis
  j = np.arange(terms, dtype=np.result_type(n)).reshape((terms,) + (1,) * nd)
  inside = vnp.logical_and(vnp.greater(j, k) if upper else vnp.less_equal(j, k),
                           vnp.less_equal(j, n))
  js = c.safe(inside, j, 0.0)
  return vnp.sum(c.where(inside, vnp.exp(_betabinom_logpmf(js, n, a, b)), 0.0), 0)


betabinom = Discrete(
  "betabinom", ("n", "a", "b"), _betabinom_logpmf,
  lambda n, a, b: vnp.logical_and(vnp.logical_and(vnp.greater_equal(n, 0), _is_int(n)),
                                  vnp.logical_and(vnp.greater(a, 0), vnp.greater(b, 0))),
  cdf=_betabinom_cdf, sf=lambda k, n, a, b: _betabinom_cdf(k, n, a, b, True),
  hi=lambda n, a, b: n, discrete=(True, False, False), inner=(1.0, 1.0, 1.0)).methods()
