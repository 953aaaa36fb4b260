"""Discrete distributions in SciPy's form ``(k, *shapes, loc=0)``.

``k`` and the integer parameters (binom's ``n``) enter through ``stop_gradient``: the pmf
is a step function of them, so their derivative is 0; the continuous parameters (``mu``,
``p``, nbinom's ``n``) are differentiable. The pmf is 0 (logpmf -inf) at ``k`` outside the
support or not an integer, and every method is nan for invalid parameters, as in SciPy.
The cdfs of binom and nbinom come from the incomplete beta function: nbinom's in ``n``
raises NotImplementedError (its derivative there has no closed form).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ... import numpy as vnp
from .. import special as sp
from . import _common as c

Array = Any


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
    ok = vnp.logical_and(self.valid(*shapes), vnp.equal(loc, vnp.floor(loc)))
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
  def logcdf(self, k, *args): return vnp.log(self.cdf(k, *args))
  def logsf(self, k, *args): return vnp.log(self.sf(k, *args))

  def methods(self) -> dict[str, Callable]:
    names = ("k",) + self.shapes + ("loc",)
    shape_doc = "".join(f", {s}" for s in self.shapes)
    out = {}
    for m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
      doc = (f"scipy.stats.{self.name}.{m}(k{shape_doc}, loc=0) (see the module's docstring "
             "for the derivatives).")
      out[m] = c.method(f"{self.name}.{m}", names, {"loc": 0.0}, getattr(self, m), doc)
    return out


def _is_int(n):
  return vnp.equal(n, vnp.floor(n))


def _prob(p):
  return vnp.logical_and(vnp.greater_equal(p, 0), vnp.less_equal(p, 1))


poisson = Discrete(
  "poisson", ("mu",), lambda k, mu: sp.xlogy(k, mu) - sp.gammaln(k + 1) - mu,
  lambda mu: vnp.greater_equal(mu, 0), cdf=lambda k, mu: sp.gammaincc(k + 1, mu),
  sf=lambda k, mu: sp.gammainc(k + 1, mu), inner=(1.0,)).methods()

bernoulli = Discrete(
  "bernoulli", ("p",), lambda k, p: sp.xlogy(k, p) + sp.xlog1py(1 - k, -p), _prob,
  cdf=lambda k, p: 1 - p, sf=lambda k, p: p, hi=lambda p: 1.0).methods()


def _binom_logpmf(k, n, p):
  return (-vnp.log1p(n) - sp.betaln(n - k + 1, k + 1) + sp.xlogy(k, p)
          + sp.xlog1py(n - k, -p))


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
  return -vnp.log(n + k) - sp.betaln(n, k + 1) + sp.xlogy(n, p) + sp.xlog1py(k, -p)


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
  j = np.arange(terms, dtype=np.result_type(n)).reshape((terms,) + (1,) * np.ndim(n))
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
