"""The gamma and beta families and zeta of ``vjpkit.scipy.special`` (see ``vjpkit.lax.special_gamma``
for the primitives and their derivatives).

>>> import vjpkit
>>> vjpkit.grad(gamma)(1.0)      # Γ'(1) = -Euler's constant
np.float64(-0.5772156649015...)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..lax import special_gamma as _g
from ..numpy._core import promote, promote_inexact
from ..numpy.ufuncs import where
from ._special_common import nary, unary

Array = Any

__all__ = ["beta", "comb", "factorial", "gamma", "gammasgn", "loggamma", "multigammaln", "poch",
           "psi", "rgamma", "zeta"]

gamma = unary("gamma", _g.gamma, """The gamma function ``Γ(x)`` (inf at 0, nan at the negative
integers, as SciPy); its derivative is ``Γ(x) ψ(x)``.

>>> gamma(4.5)
np.float64(11.63172839656744...)
""")
gammasgn = unary("gammasgn", _g.gammasgn, """The sign of ``Γ(x)``; its derivative is 0.

>>> gammasgn(-1.5)
np.float64(1.0)
""")
loggamma = unary("loggamma", _g.loggamma, """The principal branch of ``log Γ(x)``: for real
``x > 0`` equal to gammaln, nan for ``x < 0`` (complex inputs are not supported).

>>> loggamma(0.5)
np.float64(0.572364942924700...)
""")
rgamma = unary("rgamma", _g.rgamma, """``1/Γ(x)``, 0 at the poles of Γ; differentiable everywhere
(at the poles ``x = -n`` the derivative is ``(-1)^n n!``).

>>> rgamma(0.0)
np.float64(0.0)
""")
psi = unary("psi", lax.digamma, """The digamma function (SciPy's other name for ``digamma``).

>>> psi(1.0)
np.float64(-0.5772156649015329)
""")
beta = nary("beta", _g.beta, """The beta function ``B(a, b)``, differentiable in both arguments.

>>> beta(2.0, 3.0)
np.float64(0.083333333333333...)
""")
poch = nary("poch", _g.poch, """The Pochhammer symbol (rising factorial) ``Γ(z + m)/Γ(z)``,
differentiable in both arguments.

>>> poch(3.0, 2.0)
np.float64(12.0)
""")


def zeta(x: Array, q: Array | None = None) -> Array:
  """The Riemann zeta function ``ζ(x)`` (``q=None``, continued to ``x < 1``) or the Hurwitz
  zeta function ``ζ(x, q)``. Differentiable in ``q`` (``∂ζ/∂q = -x ζ(x + 1, q)``); the
  derivative in ``x`` has no closed form and raises NotImplementedError.

  >>> zeta(2.0), zeta(2.0, 2.0)    # π²/6 and π²/6 - 1
  (np.float64(1.644934066848226...), np.float64(0.644934066848226...))
  """
  if q is None:
    return _g.riemann_zeta(promote_inexact(x))
  return _g.zeta(*promote(x, q, inexact=True))


def multigammaln(a: Array, d: int) -> Array:
  """The log of the multivariate gamma function of dimension ``d``,
  ``d(d-1)/4 log π + Σ_j gammaln(a - (j-1)/2)``. As SciPy, a ValueError for a concrete ``a``
  with an entry ``<= (d-1)/2``; under ``jit``/``vmap`` such entries give nan.

  >>> multigammaln(3.0, 2)
  np.float64(1.550194993957564...)
  """
  d_arr = np.asarray(d)
  if d_arr.ndim != 0 or d_arr.dtype.kind not in "iuf" or np.floor(d_arr) != d_arr or d_arr < 1:
    raise ValueError(f"vjpkit.scipy.special.multigammaln: d should be a positive integer "
                     f"(dimension), got {d!r}")
  d = int(d_arr)
  a = promote_inexact(a)
  concrete = lax.concrete_or_none(a)
  if concrete is not None and np.any(concrete <= 0.5 * (d - 1)):
    raise ValueError(f"vjpkit.scipy.special.multigammaln: condition a ({concrete}) > "
                     f"0.5 * (d-1) ({0.5 * (d - 1)}) not met")
  out = d * (d - 1) * 0.25 * float(np.log(np.pi))
  for j in range(d):
    out = out + lax.lgamma(a - 0.5 * j if j else a)
  return where(a > 0.5 * (d - 1), out, np.nan)


def factorial(n: Array, exact: bool = False) -> Array:
  """``n!`` in floating point: ``Γ(n + 1)``, 0 for ``n < 0`` (SciPy's ``exact=False``). Not
  differentiable (its argument is a count): differentiating raises NotImplementedError.

  >>> factorial(np.array([0, 3, 5]))
  array([  1.,   6., 120.])
  """
  if exact:
    raise NotImplementedError("vjpkit.scipy.special.factorial(exact=True) gives Python "
                              "integers, which cannot be traced: use exact=False, or call "
                              "scipy.special.factorial on concrete values")
  return _g.factorial(promote_inexact(n))


def comb(N: Array, k: Array, *, exact: bool = False, repetition: bool = False) -> Array:
  """``N choose k`` in floating point, 0 unless ``0 <= k <= N`` (SciPy's ``exact=False``);
  with ``repetition``, combinations with repetition ``comb(N + k - 1, k)``. Not
  differentiable in ``N`` or ``k`` (counts): differentiating raises NotImplementedError.

  >>> comb(10, 3), comb(3, 2, repetition=True)
  (np.float64(120.0), np.float64(6.0))
  """
  if exact:
    raise NotImplementedError("vjpkit.scipy.special.comb(exact=True) gives Python integers, "
                              "which cannot be traced: use exact=False, or call "
                              "scipy.special.comb on concrete values")
  N, k = promote(N, k, inexact=True)
  if repetition:
    return _g.comb(N + k - 1, k)
  return _g.comb(N, k)
