"""Special functions: erf, erfc, erf_inv, lgamma, digamma, polygamma.

Their values need dedicated algorithms, so the impls call ``scipy.special``
(imported when first evaluated: ``import vjpkit`` works without SciPy). The
derivatives are elementary or another member of the family
(``lgamma' = digamma``, ``digamma' = polygamma(1, ·)``,
``polygamma(m, ·)' = polygamma(m + 1, ·)``), so every order is available.
"""
from __future__ import annotations

import numpy as np

from ..interpreters.jvp import defjvp
from . import elementwise as ew
from ._declare import const, unop


def _scipy(name: str):
  """The impl of ``scipy.special.<name>``, in the argument's dtype (float32 stays float32)."""
  def impl(x, **params):
    try:
      import scipy.special
    except ImportError:  # pragma: no cover - scipy is in the test extras
      raise ImportError(f"vjpkit's '{name}' takes its values from SciPy, which is not "
                        "installed: pip install 'vjpkit[scipy]'") from None
    f = getattr(scipy.special, name)
    out = f(params["m"], x) if "m" in params else f(x)
    return np.asarray(out, np.result_type(x))[()]
  return impl


_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


def _gaussian(x):
  """``2/√π · exp(-x²)``, the derivative of erf."""
  return ew.mul(const(x, _TWO_OVER_SQRT_PI), ew.exp(ew.neg(ew.mul(x, x))))


erf_p = unop("erf", _scipy("erf"))
defjvp(erf_p, lambda t, ans, x: ew.mul(t, _gaussian(x)))
def erf(x): return erf_p.bind(x)

erfc_p = unop("erfc", _scipy("erfc"))
defjvp(erfc_p, lambda t, ans, x: ew.neg(ew.mul(t, _gaussian(x))))
def erfc(x): return erfc_p.bind(x)

# erf_inv' = √π/2 · exp(erf_inv(x)²) = 1 / erf'(erf_inv(x))
erf_inv_p = unop("erf_inv", _scipy("erfinv"))
defjvp(erf_inv_p, lambda t, ans, x: ew.div(t, _gaussian(ans)))
def erf_inv(x): return erf_inv_p.bind(x)

lgamma_p = unop("lgamma", _scipy("gammaln"))
defjvp(lgamma_p, lambda t, ans, x: ew.mul(t, digamma(x)))
def lgamma(x): return lgamma_p.bind(x)

digamma_p = unop("digamma", _scipy("psi"))
defjvp(digamma_p, lambda t, ans, x: ew.mul(t, polygamma(1, x)))
def digamma(x): return digamma_p.bind(x)

polygamma_p = unop("polygamma", _scipy("polygamma"))
defjvp(polygamma_p, lambda t, ans, x, *, m: ew.mul(t, polygamma(m + 1, x)))


def polygamma(m: int, x):
  """The ``m``-th derivative of digamma (``m`` a static non-negative integer).

  >>> polygamma(1, 1.0)   # π²/6
  np.float64(1.64493406684822...)
  """
  m = int(m)
  if m < 0:
    raise ValueError(f"polygamma: the order m must be a non-negative integer, got {m}")
  return digamma(x) if m == 0 else polygamma_p.bind(x, m=m)
