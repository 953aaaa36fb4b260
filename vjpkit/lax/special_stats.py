"""Distribution functions without a closed form, for ``vjpkit.scipy.stats``: the von Mises cdf
and ppf, and the quantiles (ppf) of the discrete distributions.

Values come from ``scipy.stats`` (imported when first evaluated). The von Mises cdf is
differentiable in the variate (its derivative is the density) and its ppf in ``q`` (one over
the density at the answer); in ``kappa`` neither has a closed form: ``vonmises_cdf_grad``
sums the cdf's Bessel series differentiated in kappa (to second order; a third derivative
raises NotImplementedError). A discrete ppf is a step function of its arguments: its
derivative is 0 (as floor's is).
"""
from __future__ import annotations

import numpy as np

from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from ._declare import const, naryop
from .special import i0e, i1e

__all__ = ["discrete_ppf", "discrete_ppf_p", "vonmises_cdf", "vonmises_cdf_grad",
           "vonmises_cdf_grad_p", "vonmises_cdf_p", "vonmises_ppf", "vonmises_ppf_p"]

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


# ∂F/∂κ and ∂²F/∂κ² by the cdf's Bessel series (vjpkit/lax/_vonmises_dk.py); their
# derivatives in z are closed (the density differentiated in κ), a third in κ raises
def _vonmises_dk_impl(z, kappa, *, order):
  from ._vonmises_dk import vonmises_cdf_dk
  return vonmises_cdf_dk(z, kappa, order)


def _vonmises_dk_dz(t, ans, z, kappa, *, order):
  a = ew.div(i1e(kappa), i0e(kappa))   # A(κ) = I1/I0 = ∂ log I0/∂κ
  g = ew.sub(ew.cos(z), a)             # ∂ log f/∂κ
  if order == 2:                       # ∂²: g² + ∂g/∂κ, A' = 1 - A/κ - A²
    one = const(z, 1.0)
    g = ew.sub(ew.mul(g, g), ew.sub(ew.sub(one, ew.div(a, kappa)), ew.mul(a, a)))
  return ew.mul(t, ew.mul(_vonmises_density(z, kappa), g))


def _vonmises_dk_dkappa(t, ans, z, kappa, *, order):
  if order >= 2:
    raise NotImplementedError(
      "vjpkit: the third derivative of vonmises.cdf (and sf, ppf) with respect to its "
      "argument 'kappa' is not implemented; derivatives in 'kappa' are available to second "
      "order. Hold 'kappa' constant (vjpkit.lax.stop_gradient) for higher orders.")
  return ew.mul(t, vonmises_cdf_grad_p.bind(z, kappa, order=order + 1))


vonmises_cdf_grad_p = naryop("vonmises_cdf_grad", _vonmises_dk_impl, kinds="float")
defjvp(vonmises_cdf_grad_p, _vonmises_dk_dz, _vonmises_dk_dkappa)


def vonmises_cdf_grad(z, kappa):
  """``∂F(z; κ)/∂κ`` of the standard von Mises cdf (its Bessel series differentiated).

  >>> vonmises_cdf_grad(0.0, 2.0)    # the cdf is 1/2 at 0 for every κ
  np.float64(0.0)
  """
  return vonmises_cdf_grad_p.bind(z, kappa, order=1)


vonmises_cdf_p = naryop("vonmises_cdf", _stats("vonmises", "cdf"), kinds="float")
defjvp(vonmises_cdf_p, lambda t, ans, z, kappa: ew.mul(t, _vonmises_density(z, kappa)),
       lambda t, ans, z, kappa: ew.mul(t, vonmises_cdf_grad(z, kappa)))


def vonmises_cdf(z, kappa):
  """The standard von Mises cdf (``scipy.stats.vonmises.cdf(z, kappa)``: on the real line,
  each period adding 1).

  >>> vonmises_cdf(0.0, 2.0)
  np.float64(0.5)
  """
  return vonmises_cdf_p.bind(z, kappa)


vonmises_ppf_p = naryop("vonmises_ppf", _stats("vonmises", "ppf"), kinds="float")
defjvp(vonmises_ppf_p, lambda t, ans, q, kappa: ew.div(t, _vonmises_density(ans, kappa)),
       lambda t, ans, q, kappa: ew.neg(ew.mul(t, ew.div(vonmises_cdf_grad(ans, kappa),
                                                         _vonmises_density(ans, kappa)))))


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
