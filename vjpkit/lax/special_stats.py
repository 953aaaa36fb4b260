"""Distribution functions without a closed form, for ``vjpkit.scipy.stats``: the von Mises cdf
and ppf, and the quantiles (ppf) of the discrete distributions.

Values come from ``scipy.stats`` (imported when first evaluated). The von Mises cdf is
differentiable in the variate (its derivative is the density) and its ppf in ``q`` (one over
the density at the answer); in ``kappa`` neither has a closed form, so that derivative
raises NotImplementedError naming it. A discrete ppf is a step function of its arguments:
its derivative is 0 (as floor's is).
"""
from __future__ import annotations

import numpy as np

from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from ._declare import const, naryop
from .special import _no_derivative, i0e

__all__ = ["discrete_ppf", "discrete_ppf_p", "vonmises_cdf", "vonmises_cdf_p", "vonmises_ppf",
           "vonmises_ppf_p"]

DISCRETE = ("bernoulli", "betabinom", "binom", "geom", "nbinom", "poisson")


def _stats(name: str, method: str):
  def impl(*args, **params):
    import scipy.stats
    dist = getattr(scipy.stats, params.get("dist", name))
    with np.errstate(all="ignore"):
      out = getattr(dist, method)(*args)
    return np.asarray(out, np.result_type(*args))[()]
  return impl


def _vonmises_density(z, kappa):
  """``exp(κ (cos z - 1)) / (2π i0e(κ))``, the von Mises density (``cos z - 1`` without
  cancellation)."""
  s = ew.sin(ew.mul(const(z, 0.5), z))
  cosm1 = ew.mul(const(z, -2.0), ew.mul(s, s))
  return ew.div(ew.exp(ew.mul(kappa, cosm1)), ew.mul(const(z, 2 * np.pi), i0e(kappa)))


_KAPPA = "the concentration of vonmises.cdf/sf/ppf"
vonmises_cdf_p = naryop("vonmises_cdf", _stats("vonmises", "cdf"), kinds="float")
defjvp(vonmises_cdf_p, lambda t, ans, z, kappa: ew.mul(t, _vonmises_density(z, kappa)),
       _no_derivative("vonmises_cdf(x, kappa)", "kappa", _KAPPA))


def vonmises_cdf(z, kappa):
  """The standard von Mises cdf (``scipy.stats.vonmises.cdf(z, kappa)``: on the real line,
  each period adding 1).

  >>> vonmises_cdf(0.0, 2.0)
  np.float64(0.5)
  """
  return vonmises_cdf_p.bind(z, kappa)


vonmises_ppf_p = naryop("vonmises_ppf", _stats("vonmises", "ppf"), kinds="float")
defjvp(vonmises_ppf_p, lambda t, ans, q, kappa: ew.div(t, _vonmises_density(ans, kappa)),
       _no_derivative("vonmises_ppf(q, kappa)", "kappa", _KAPPA))


def vonmises_ppf(q, kappa):
  """The standard von Mises quantile (``scipy.stats.vonmises.ppf(q, kappa)``, in ``[-π, π]``).

  >>> vonmises_ppf(0.5, 2.0)
  np.float64(0.0)
  """
  return vonmises_ppf_p.bind(q, kappa)


discrete_ppf_p = naryop("discrete_ppf", _stats("", "ppf"), kinds="float")
defjvp_zero(discrete_ppf_p)


def discrete_ppf(dist: str, q, *args):
  """``scipy.stats.<dist>.ppf(q, *shapes, loc)``: integer-valued floats (``a - 1 + loc`` at
  ``q = 0``, nan outside ``[0, 1]``), derivative 0.

  >>> discrete_ppf("poisson", 0.5, 2.5, 0.0)
  np.float64(2.0)
  """
  if dist not in DISCRETE:
    raise ValueError(f"discrete_ppf: unknown distribution {dist!r}; one of {', '.join(DISCRETE)}")
  return discrete_ppf_p.bind(q, *args, dist=dist)
