"""The continuous families of vjpkit.scipy.stats, as standardized functions of ``z``.

Each is written for stability in its own tails: the normal's log cdf through ``log_ndtr``
(exact far in the tail), tails of symmetric families by reflection (``sf(z) = cdf(-z)``),
``expm1``/``log1p`` near 0 and 1. The cdfs of gamma, chi2, gennorm, beta and t come from
the incomplete gamma and beta functions and SciPy's ``stdtr``, the von Mises cdf and ppf
from SciPy's: all are differentiable in their shapes to second order (a third derivative in
a shape raises NotImplementedError).
"""
from __future__ import annotations

import numpy as np

from ... import lax
from ... import numpy as vnp
from . import _special as sp
from . import _common as c
from ._continuous import Continuous

_LOG_SQRT_2PI = float(0.5 * np.log(2 * np.pi))  # Python floats: weak, float32 stays float32
_LOG2 = float(np.log(2.0))
_LOG_PI = float(np.log(np.pi))

norm = Continuous(
  "norm", (), lambda z: -0.5 * z * z - _LOG_SQRT_2PI,
  cdf=sp.ndtr, logcdf=sp.log_ndtr, sf=lambda z: sp.ndtr(-z), logsf=lambda z: sp.log_ndtr(-z),
  ppf=sp.ndtri).methods()


def _t_or_norm(t_fn, norm_fn):
  """``t_fn(z, df)`` for finite ``df``, the normal's ``norm_fn(z)`` for ``df = inf``."""
  def f(z, df):
    finite = vnp.isfinite(df)
    return c.where(finite, t_fn(z, c.safe(finite, df, 1.0)), norm_fn(z))
  return f


def _t_logpdf(z, df):
  # log Γ((df+1)/2) - log Γ(df/2) - log √(df π) = -log √df - betaln(df/2, 1/2), without the
  # cancellation of the gammaln difference at large df
  return (-0.5 * vnp.log(df) - sp.betaln(0.5 * df, 0.5)
          - 0.5 * (df + 1) * vnp.log1p(z * z / df))


t = Continuous(
  "t", ("df",), _t_or_norm(_t_logpdf, lambda z: -0.5 * z * z - _LOG_SQRT_2PI),
  cdf=_t_or_norm(lambda z, df: sp.stdtr(df, z), sp.ndtr),
  sf=_t_or_norm(lambda z, df: sp.stdtr(df, -z), lambda z: sp.ndtr(-z)),
  ppf=_t_or_norm(lambda q, df: sp.stdtrit(df, q), sp.ndtri)).methods()

def _log1p_square(z):
  """``log(1 + z²)``, also where ``z²`` overflows (``2 log|z|`` there)."""
  big = vnp.greater(vnp.abs(z), 1e150)
  return c.where(big, 2 * vnp.log(vnp.abs(c.safe(big, z, 1.0))), vnp.log1p(vnp.square(c.safe(big, 1.0, z))))


def _cauchy_ppf(q):
  """``tan(π (q - 1/2))`` near the middle, ``∓cot(π q')`` with ``q'`` the nearer tail's
  probability (exact in floating point), so the tails keep full precision."""
  mid = vnp.logical_and(vnp.greater(q, 0.25), vnp.less(q, 0.75))
  low = vnp.less_equal(q, 0.25)
  tail = c.safe(mid, 0.1, c.where(low, q, 1 - q))
  cot = vnp.cos(np.pi * tail) / vnp.sin(np.pi * tail)
  return c.where(mid, vnp.tan(np.pi * (c.safe(mid, q, 0.5) - 0.5)), c.where(low, -cot, cot))


cauchy = Continuous(
  "cauchy", (), lambda z: -_LOG_PI - _log1p_square(z),
  cdf=lambda z: vnp.arctan2(1.0, -z) / np.pi, sf=lambda z: vnp.arctan2(1.0, z) / np.pi,
  ppf=_cauchy_ppf).methods()


def _laplace_logcdf(z):
  neg = vnp.less(z, 0)
  return c.where(neg, c.safe(neg, z, 0.0) - _LOG2,
                 vnp.log1p(-0.5 * vnp.exp(-c.safe(neg, 0.0, z))))


def _laplace_ppf(q):
  low = vnp.less(q, 0.5)
  return c.where(low, vnp.log(2 * c.safe(low, q, 0.25)),
                 -vnp.log(2 * (1 - c.safe(low, 0.75, q))))


laplace = Continuous(
  "laplace", (), lambda z: -vnp.abs(z) - _LOG2,
  cdf=lambda z: vnp.exp(_laplace_logcdf(z)), logcdf=_laplace_logcdf,
  sf=lambda z: vnp.exp(_laplace_logcdf(-z)), logsf=lambda z: _laplace_logcdf(-z),
  ppf=_laplace_ppf).methods()

logistic = Continuous(
  "logistic", (), lambda z: -vnp.abs(z) - 2 * vnp.log1p(vnp.exp(-vnp.abs(z))),
  cdf=sp.expit, logcdf=lambda z: -c.softplus(-z), sf=lambda z: sp.expit(-z),
  logsf=lambda z: -c.softplus(z), ppf=lambda q: vnp.log(q) - vnp.log1p(-q)).methods()

expon = Continuous(
  "expon", (), lambda z: -z, cdf=lambda z: -vnp.expm1(-z), logcdf=lambda z: c.log1mexp(-z),
  sf=lambda z: vnp.exp(-z), logsf=lambda z: -z, ppf=lambda q: -vnp.log1p(-q), lo=0.0).methods()

uniform = Continuous(
  "uniform", (), lambda z: vnp.zeros_like(z), cdf=lambda z: z, sf=lambda z: 1 - z,
  logcdf=lambda z: vnp.log(z), logsf=lambda z: vnp.log1p(-z), ppf=lambda q: q,
  lo=0.0, hi=1.0).methods()

gamma = Continuous(
  "gamma", ("a",), lambda z, a: sp.xlogy(a - 1, z) - z - sp.gammaln(a),
  cdf=lambda z, a: sp.gammainc(a, z), sf=lambda z, a: sp.gammaincc(a, z),
  ppf=lambda q, a: sp.gammaincinv(a, q), lo=0.0).methods()


def _chi2_logpdf(z, df):
  k = 0.5 * df
  return sp.xlogy(k - 1, z) - 0.5 * z - sp.gammaln(k) - k * _LOG2


chi2 = Continuous(
  "chi2", ("df",), _chi2_logpdf, cdf=lambda z, df: sp.gammainc(0.5 * df, 0.5 * z),
  sf=lambda z, df: sp.gammaincc(0.5 * df, 0.5 * z),
  ppf=lambda q, df: 2 * sp.gammaincinv(0.5 * df, q), lo=0.0).methods()

beta = Continuous(
  "beta", ("a", "b"),
  lambda z, a, b: sp.xlogy(a - 1, z) + sp.xlog1py(b - 1, -z) - sp.betaln(a, b),
  cdf=lambda z, a, b: sp.betainc(a, b, z), sf=lambda z, a, b: sp.betainc(b, a, 1 - z),
  ppf=lambda q, a, b: sp.betaincinv(a, b, q), lo=0.0, hi=1.0).methods()

pareto = Continuous(
  "pareto", ("b",), lambda z, b: vnp.log(b) - (b + 1) * vnp.log(z),
  cdf=lambda z, b: -vnp.expm1(-b * vnp.log(z)), logcdf=lambda z, b: c.log1mexp(-b * vnp.log(z)),
  sf=lambda z, b: vnp.exp(-b * vnp.log(z)), logsf=lambda z, b: -b * vnp.log(z),
  ppf=lambda q, b: vnp.exp(-vnp.log1p(-q) / b), lo=1.0).methods()

gumbel_r = Continuous(
  "gumbel_r", (), lambda z: -z - vnp.exp(-z), cdf=lambda z: vnp.exp(-vnp.exp(-z)),
  logcdf=lambda z: -vnp.exp(-z), sf=lambda z: -vnp.expm1(-vnp.exp(-z)),
  logsf=lambda z: c.log1mexp(-vnp.exp(-z)), ppf=lambda q: -vnp.log(-vnp.log(q))).methods()

gumbel_l = Continuous(
  "gumbel_l", (), lambda z: z - vnp.exp(z), cdf=lambda z: -vnp.expm1(-vnp.exp(z)),
  logcdf=lambda z: c.log1mexp(-vnp.exp(z)), sf=lambda z: vnp.exp(-vnp.exp(z)),
  logsf=lambda z: -vnp.exp(z), ppf=lambda q: vnp.log(-vnp.log1p(-q))).methods()


def _gennorm_cdf(z, beta):
  tail = 0.5 * sp.gammaincc(1 / beta, vnp.abs(z) ** beta)
  return c.where(vnp.less(z, 0), tail, 1 - tail)


def _gennorm_ppf(q, beta):
  low = vnp.less(q, 0.5)
  tail = c.where(low, 2 * q, 2 * (1 - q))   # the nearer tail's probability, doubled
  r = sp.gammainccinv(1 / beta, c.safe(vnp.greater(tail, 0), tail, 1.0)) ** (1 / beta)
  return c.where(low, -r, r)


gennorm = Continuous(
  "gennorm", ("beta",),
  lambda z, beta: vnp.log(0.5 * beta) - sp.gammaln(1 / beta) - vnp.abs(z) ** beta,
  cdf=_gennorm_cdf, sf=lambda z, beta: _gennorm_cdf(-z, beta), ppf=_gennorm_ppf).methods()


def _vonmises_logpdf(z, kappa):
  cosm1 = -2 * vnp.sin(0.5 * z) ** 2       # cos(z) - 1 without cancellation
  return kappa * cosm1 - 2 * _LOG_SQRT_2PI - vnp.log(sp.i0e(kappa))


# the cdf (on the real line: each period adds 1) and ppf (in [-π, π]) are SciPy's, in
# vjpkit.lax.special_stats (derivatives in kappa by its Bessel series). SciPy's cdf is accurate to about
# 1e-14 absolutely (not relatively, in the tails), so the sf is SciPy's 1 - cdf as well.
vonmises = Continuous(
  "vonmises", ("kappa",), _vonmises_logpdf, cdf=lax.vonmises_cdf,
  sf=lambda z, kappa: 1 - lax.vonmises_cdf(z, kappa), ppf=lax.vonmises_ppf).methods()


def _logdiffexp(u, v):
  """``log(exp(u) - exp(v))`` for ``v <= u``."""
  return u + c.log1mexp(v - u)


def _log_mass(a, b):
  """``log(Φ(b) - Φ(a))`` for ``a < b``, by reflection into the left tail where ``a > 0``."""
  right = vnp.greater(a, 0)
  al, bl = c.safe(right, -1.0, a), c.safe(right, 0.0, b)
  ar, br = c.safe(right, a, 1.0), c.safe(right, b, 2.0)
  return c.where(right, _logdiffexp(sp.log_ndtr(-ar), sp.log_ndtr(-br)),
                 _logdiffexp(sp.log_ndtr(bl), sp.log_ndtr(al)))


def _truncnorm_ppf(q, a, b):
  """``Φ⁻¹(Φ(a) + q (Φ(b) - Φ(a)))`` in log space (``ndtri_exp``); above the median by the
  reflection ``-X ~ truncnorm(-b, -a)``, so both tails keep their precision."""
  log_mass = _log_mass(a, b)
  xl = sp.ndtri_exp(vnp.logaddexp(sp.log_ndtr(a), vnp.log(q) + log_mass))
  xr = -sp.ndtri_exp(vnp.logaddexp(sp.log_ndtr(-b), vnp.log1p(-q) + log_mass))
  return c.where(vnp.logical_or(vnp.greater(a, 0), vnp.greater(xl, 0)), xr, xl)


def _truncnorm_inner(a, b):
  fa, fb = vnp.isfinite(a), vnp.isfinite(b)
  a0, b0 = c.safe(fa, a, 0.0), c.safe(fb, b, 0.0)
  return c.where(vnp.logical_and(fa, fb), 0.5 * (a0 + b0),
                 c.where(fa, a0 + 1.0, c.where(fb, b0 - 1.0, 0.0)))


def _truncnorm_logcdf(z, a, b, upper: bool = False):
  """``log P(X <= z)`` (``log P(X >= z)`` when ``upper``) as a difference of log masses where
  it is below ``log 1/2``, else as ``log(1 - P(other side))``: no cancellation near 0."""
  mass = _log_mass(a, b)
  lower_part, upper_part = _log_mass(a, z) - mass, _log_mass(z, b) - mass
  own, other = (upper_part, lower_part) if upper else (lower_part, upper_part)
  small = vnp.less(own, -_LOG2)
  return c.where(small, own, c.log1mexp(vnp.minimum(c.safe(small, -1.0, other), 0.0)))


truncnorm = Continuous(
  "truncnorm", ("a", "b"), lambda z, a, b: -0.5 * z * z - _LOG_SQRT_2PI - _log_mass(a, b),
  cdf=lambda z, a, b: vnp.exp(_truncnorm_logcdf(z, a, b)), logcdf=_truncnorm_logcdf,
  sf=lambda z, a, b: vnp.exp(_truncnorm_logcdf(z, a, b, True)),
  logsf=lambda z, a, b: _truncnorm_logcdf(z, a, b, True), ppf=_truncnorm_ppf,
  lo=lambda a, b: a, hi=lambda a, b: b, valid=lambda a, b: vnp.less(a, b),
  inner=_truncnorm_inner, fill=(-1.0, 1.0)).methods()
