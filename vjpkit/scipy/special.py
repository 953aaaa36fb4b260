"""vjpkit.scipy.special: SciPy's special functions, differentiable.

The functions, by family (SciPy's names and signatures):

- gamma: ``gamma``, ``gammaln``, ``loggamma``, ``gammasgn``, ``rgamma``, ``digamma``/``psi``,
  ``polygamma``, ``multigammaln``, ``gammainc``, ``gammaincc``, ``gammaincinv``,
  ``gammainccinv``, ``poch``, ``factorial``, ``comb``
- beta and zeta: ``beta``, ``betaln``, ``betainc``, ``betaincinv``, ``zeta`` (Riemann, or
  Hurwitz with ``q``)
- error functions and the normal distribution: ``erf``, ``erfc``, ``erfinv``, ``erfcx``,
  ``ndtr``, ``ndtri``, ``log_ndtr``, ``ndtri_exp``, ``stdtr``, ``stdtrit``
- Bessel: ``i0``, ``i0e``, ``i1``, ``i1e``, ``iv``, ``ive``, ``j0``, ``j1``, ``jv``/``jn``,
  ``y0``, ``y1``, ``yv``, ``yn``, ``kv``, ``kve``
- exponential integrals and the rest: ``expi``, ``exp1``, ``expn``, ``spence``, ``sinc``,
  ``entr``, ``rel_entr``, ``kl_div``, ``log1p``, ``xlogy``, ``xlog1py``, ``boxcox``, ``boxcox1p``,
  ``inv_boxcox``, ``inv_boxcox1p``, ``expit``, ``logit``, ``logsumexp``, ``softmax``,
  ``log_softmax``

Most are primitives whose values come from SciPy (``vjpkit.lax.special*``), with
closed-form derivatives to every order. Where none exists, differentiating raises
NotImplementedError naming the argument: a Bessel function in its order, zeta in its
exponent, ``expn`` in ``n``, ``factorial`` and ``comb`` in their (integer) arguments. The
incomplete gamma and beta functions, ``stdtr`` and their inverses are differentiable in
their shape parameters to second order (by their series and continued fractions
differentiated in them). SciPy's own ufuncs called on traced values
(``scipy.special.erf(x)`` under ``grad``) run these. The composites are written for
stability: ``logsumexp`` and ``softmax`` shift by the maximum under ``stop_gradient`` (the
shift cancels, so it needs no derivative), ``xlogy``/``xlog1py`` are 0 wherever ``x == 0``,
the Box-Cox transforms are smooth through ``λ = 0``.

The result dtypes are SciPy's: each of SciPy's ufuncs runs its first loop that takes the
inputs safely, and the inputs are converted to that loop's dtype before the primitive, so
the values are computed as SciPy computes them. This is not NumPy's promotion: float16
becomes float64 or float32 (SciPy has no float16 loops: ``erf(float16)`` is float64,
``exp1(float16)`` float32), bools and 8- and 16-bit integers become float32 where the
float32 loop comes first (``exp1``, ``ndtri``, ``jv``, ``boxcox``, ...) and float64 where
the float64 loop does (``erf``, ``gammaln``), and a Python scalar is weak, so
``gammainc(2.0, float32)`` is float64 but ``jv(2, float32)`` float32. float32 and float64
inputs keep their dtype. The functions that are Python functions in SciPy, not ufuncs
(``logsumexp``, ``softmax``, ``polygamma``, ``multigammaln``, ``factorial``, ``comb``,
``zeta``), keep a float input's dtype and make integers float64 (SciPy's own differ in
places: its ``polygamma`` of float32 is float64, its ``softmax`` of int8 float16).

>>> erf(np.float16(0.5)).dtype, exp1(np.int8(1)).dtype, exp1(np.int32(1)).dtype
(dtype('float64'), dtype('float32'), dtype('float64'))

>>> import vjpkit
>>> vjpkit.grad(lambda x: logsumexp(x))(np.array([0.0, 0.0]))   # softmax
array([0.5, 0.5])
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .. import lax
from ..lax import special as _lsp
from ..core.avals import get_aval
from ..numpy._core import promote, promote_inexact
from ..numpy.reductions import max as _max, sum as _sum
from ..numpy.shapes import squeeze
from ..numpy.dispatch import register_ufunc_provider
from ..numpy.ufuncs import equal, exp, isinf, less, log, where
from ._special_common import nary, promote_scipy, unary
from ._special_bessel import i0, i1, iv, ive, j0, j1, jn, jv, kv, kve, y0, y1, yn, yv
from ._special_gamma import (beta, comb, factorial, gamma, gammasgn, loggamma, multigammaln, poch,
                             psi, rgamma, zeta)
from ._special_misc import (boxcox, boxcox1p, entr, erfcx, exp1, expi, expn, inv_boxcox,
                            inv_boxcox1p, kl_div, log1p, rel_entr, sinc, spence)

Array = Any

__all__ = ["beta", "betainc", "betaincinv", "betaln", "boxcox", "boxcox1p", "comb", "digamma",
           "entr", "erf", "erfc", "erfcx", "erfinv", "exp1", "expi", "expit", "expn", "factorial",
           "gamma", "gammainc", "gammaincc", "gammainccinv", "gammaincinv", "gammaln", "gammasgn",
           "i0", "i0e", "i1", "i1e", "inv_boxcox", "inv_boxcox1p", "iv", "ive", "j0", "j1", "jn",
           "jv", "kl_div", "kv", "kve", "log1p", "log_ndtr", "log_softmax", "loggamma", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "ndtri_exp", "poch", "polygamma", "psi",
           "rel_entr", "rgamma", "sinc", "softmax", "spence", "stdtr", "stdtrit", "xlog1py", "xlogy",
           "y0", "y1", "yn", "yv", "zeta"]


erf = unary("erf", lax.erf, """The error function (SciPy's values).

>>> erf(0.5)
np.float64(0.5204998778130465)
""")
erfc = unary("erfc", lax.erfc, """``1 - erf(x)``, accurate where erf is close to 1.

>>> erfc(3.0)
np.float64(2.209049699858544e-05)
""")
erfinv = unary("erfinv", lax.erf_inv, """The inverse of erf on (-1, 1).

>>> erfinv(0.5)
np.float64(0.4769362762044699)
""")
gammaln = unary("gammaln", lax.lgamma, """``log|Γ(x)|``; its derivative is digamma.

>>> gammaln(5.0)        # log(4!)
np.float64(3.178053830347945)
""")
digamma = unary("digamma", lax.digamma, """``Γ'(x)/Γ(x)``; its derivative is ``polygamma(1, x)``.

>>> digamma(1.0)
np.float64(-0.5772156649015329)
""")
expit = unary("expit", lax.logistic, """The logistic sigmoid ``1/(1 + exp(-x))``, without overflow.

>>> expit(0.0)
np.float64(0.5)
""")


def polygamma(n: int, x: Array) -> Array:
  """The ``n``-th derivative of digamma; ``n`` must be a concrete non-negative integer.

  >>> polygamma(1, 1.0)   # π²/6
  np.float64(1.64493406684822...)
  """
  n_arr = np.asarray(n)
  if n_arr.ndim != 0 or n_arr.dtype.kind not in "iu":
    raise TypeError("vjpkit.scipy.special.polygamma: the order n must be one Python or NumPy "
                    f"integer (not an array or a traced value), got {n!r}")
  return lax.polygamma(int(n_arr), promote_inexact(x))


def logit(x: Array) -> Array:
  """``log(x / (1 - x))``, the inverse of expit, with SciPy's values (``lax.logit``). The
  derivative ``1 / (x (1 - x))`` is ``inf`` at 0 and 1 (the one-sided limits, as in JAX).

  >>> logit(0.5)
  np.float64(0.0)
  """
  return lax.logit(*promote_scipy("logit", x))


def xlogy(x: Array, y: Array) -> Array:
  """``x * log(y)``, and 0 where ``x == 0`` (for every ``y`` but NaN, as SciPy).

  Where ``x == y == 0`` both partial derivatives are taken as 0 (JAX gives
  ``-inf`` and ``nan`` there); elsewhere they are ``log(y)`` and ``x / y``.

  >>> xlogy(0.0, 0.0), xlogy(2.0, np.e)
  (np.float64(0.0), np.float64(2.0))
  """
  x, y = promote_scipy("xlogy", x, y)
  return _x_times_log(x, y, log, 0.0)


def xlog1py(x: Array, y: Array) -> Array:
  """``x * log1p(y)``, and 0 where ``x == 0`` (even for ``y == -1``; see xlogy).

  >>> xlog1py(0.0, -1.0), xlog1py(2.0, 0.0)
  (np.float64(0.0), np.float64(0.0))
  """
  x, y = promote_scipy("xlog1py", x, y)
  return _x_times_log(x, y, log1p, -1.0)


def _x_times_log(x, y, log_fn, pole: float):
  """``x * log_fn(y)``, 0 where ``x == 0`` and ``y`` is not NaN (SciPy's and JAX's value): there
  a ``y`` at or below the pole, or infinite, is replaced by a harmless one (elsewhere ``y`` is
  kept, so that the derivative in ``x`` at ``x == 0`` stays ``log_fn(y)``)."""
  outside = lax.logical_or(lax.le(y, lax.full((), pole, get_aval(y).dtype)), isinf(y))
  replace = lax.logical_and(equal(x, 0), outside)
  safe_y = where(replace, pole + 1.0, y)
  return x * log_fn(safe_y)


def _axes(x, axis) -> tuple[int, ...] | None:
  return None if axis is None else ((int(axis),) if isinstance(axis, (int, np.integer))
                                    else tuple(axis))


def _shift(x, axis):
  """The maximum over ``axis`` (kept), as a constant; 0 where it is not finite.  For complex
  ``x`` the maximum of the real part (a real shift keeps the phase of the sum principal)."""
  if _is_complex(x):
    x = lax.real(x)
  amax = lax.stop_gradient_p.bind(_max(x, _axes(x, axis), keepdims=True))  # new: no copy
  return where(less(lax.abs(amax), np.inf), amax, 0)


def _is_complex(x) -> bool:
  return np.issubdtype(get_aval(x).dtype, np.complexfloating)


def logsumexp(a: Array, axis=None, b: Array | None = None, keepdims: bool = False,
              return_sign: bool = False):
  """``log(sum(b * exp(a)))`` over ``axis``, computed without overflow.

  With ``return_sign`` the pair ``(log|s|, sign(s))``; otherwise a negative sum
  gives nan, as in SciPy. The gradient is the softmax (weighted by ``b``).  For complex
  inputs the complex ``log(s)`` (principal phase), and with ``return_sign`` the pair
  ``(log|s|, s/|s|)``, as SciPy and JAX.

  >>> logsumexp([1000.0, 1000.0])
  np.float64(1000.6931471805599)
  """
  a = promote_inexact(a)
  if b is not None:
    a, b = promote(a, b, inexact=True)
  axes = _axes(a, axis)
  shift = _shift(a, axes)
  e = exp(a - shift)
  if b is not None:
    e = e * b
  total = _sum(e, axes, keepdims=True)
  sign = lax.sign(total)
  cplx = _is_complex(total)
  out = log(total if cplx and not return_sign else lax.abs(total)) + shift
  if not keepdims:
    reduced = tuple(range(get_aval(a).ndim)) if axes is None else axes
    out, sign = squeeze(out, reduced), squeeze(sign, reduced)
  if return_sign or cplx:
    return (out, sign) if return_sign else out
  return where(less(sign, 0), np.nan, out)


def softmax(x: Array, axis=None) -> Array:
  """``exp(x) / sum(exp(x))`` over ``axis`` (all axes by default, as in SciPy).

  >>> softmax([0.0, np.log(3.0)])
  array([0.25, 0.75])
  """
  x = promote_inexact(x)
  axes = _axes(x, axis)
  e = exp(x - _shift(x, axes))
  return e / _sum(e, axes, keepdims=True)


def log_softmax(x: Array, axis=None) -> Array:
  """``x - logsumexp(x)`` over ``axis``, stable for large and very negative ``x``.

  >>> log_softmax([0.0, 0.0])
  array([-0.69314718, -0.69314718])
  """
  x = promote_inexact(x)
  axes = _axes(x, axis)
  shifted = x - _shift(x, axes)
  return shifted - log(_sum(exp(shifted), axes, keepdims=True))


# -- the normal cdf, incomplete gamma and beta (vjpkit.lax.special; used by vjpkit.scipy.stats) --

log_ndtr = unary("log_ndtr", _lsp.log_ndtr, """``log(ndtr(x))``, accurate far in the left tail.

>>> log_ndtr(-40.0)
np.float64(-804.608442013753...)
""")
ndtri = unary("ndtri", _lsp.ndtri, """The inverse of ndtr: the standard normal quantile.

>>> ndtri(0.975)
np.float64(1.959963984540054)
""")


def ndtr(x: Array) -> Array:
  """The standard normal cdf ``(1 + erf(x/√2))/2``, SciPy's (Cephes') way: with ``z = x/√2``,
  ``(1 + erf(z))/2`` for ``|z| < 1/√2``, else ``erfc(|z|)/2`` (and one minus it for
  ``z > 0``); its values, accurate in the lower tail.

  >>> ndtr(0.0)
  np.float64(0.5)
  """
  x, = promote_scipy("ndtr", x)
  dtype = get_aval(x).dtype
  z = lax.mul(x, lax.full((), np.sqrt(0.5), dtype))  # M_SQRT1_2, correctly rounded
  half = lax.full((), 0.5, dtype)
  az = lax.abs(z)
  tail = lax.mul(half, lax.erfc(az))
  tails = lax.select_n(lax.gt(z, lax.full((), 0, dtype)), tail, lax.sub(lax.full((), 1, dtype), tail))
  centre = lax.add(half, lax.mul(half, lax.erf(z)))
  return lax.select_n(lax.lt(az, lax.full((), np.sqrt(0.5), dtype)), tails, centre)


_SHAPE_GRAD = ("Differentiable in every argument: in the last to every order, in the shape "
               "parameters to second order (the continued fraction carried as a jet in them, "
               "lax.betainc_grad); a third derivative in a shape raises NotImplementedError.")
_GAMMA_GRAD = ("Differentiable in both arguments: in x to every order, in the shape a to "
               "second order (the series and continued fraction differentiated in a, as JAX's "
               "igamma_grad_a); a third derivative in a raises NotImplementedError.")
gammainc = nary("gammainc", _lsp.gammainc, f"""The regularized lower incomplete gamma ``P(a, x)``.

{_GAMMA_GRAD}

>>> gammainc(1.0, 1.0)     # 1 - e^-1
np.float64(0.632120558828557...)
""")
gammaincc = nary("gammaincc", _lsp.gammaincc, f"""The regularized upper incomplete gamma ``1 - P(a, x)``.

{_GAMMA_GRAD}

>>> gammaincc(1.0, 1.0)
np.float64(0.367879441171442...)
""")
gammaincinv = nary("gammaincinv", _lsp.gammaincinv, f"""The inverse of gammainc in x.

{_GAMMA_GRAD}

>>> gammaincinv(1.0, 0.5)  # log 2
np.float64(0.693147180559945...)
""")
betaln = nary("betaln", _lsp.betaln, """``log|B(a, b)|``, differentiable in both arguments.

>>> betaln(1.0, 2.0)       # log(1/2)
np.float64(-0.6931471805599453)
""")
betainc = nary("betainc", _lsp.betainc, f"""The regularized incomplete beta ``I_x(a, b)``.

{_SHAPE_GRAD}

>>> betainc(1.0, 1.0, 0.25)
np.float64(0.25)
""")
betaincinv = nary("betaincinv", _lsp.betaincinv, f"""The inverse of betainc in x.

{_SHAPE_GRAD}

>>> betaincinv(1.0, 1.0, 0.25)
np.float64(0.25)
""")
stdtr = nary("stdtr", _lsp.stdtr, f"""Student's t cdf ``stdtr(df, t)``.

{_SHAPE_GRAD}

>>> stdtr(1.0, 1.0)        # Cauchy: 3/4
np.float64(0.75)
""")
stdtrit = nary("stdtrit", _lsp.stdtrit, f"""The inverse of stdtr in t.

{_SHAPE_GRAD}

>>> stdtrit(1.0, 0.75)
np.float64(1.000000000000000...)
""")
gammainccinv = nary("gammainccinv", _lsp.gammainccinv, f"""The inverse of gammaincc in x.

{_GAMMA_GRAD}

>>> gammainccinv(1.0, 0.5)  # log 2
np.float64(0.693147180559945...)
""")
i0e = unary("i0e", _lsp.i0e, """``exp(-|x|) I0(x)``, the scaled modified Bessel function of order 0.

>>> i0e(0.0)
np.float64(1.0)
""")
i1e = unary("i1e", _lsp.i1e, """``exp(-|x|) I1(x)``, the scaled modified Bessel function of order 1.

>>> i1e(0.0)
np.float64(0.0)
""")
ndtri_exp = unary("ndtri_exp", _lsp.ndtri_exp, """``ndtri(exp(y))`` for a log probability ``y``, far in the tail too.

>>> ndtri_exp(-804.6084420137538)
np.float64(-40.0...)
""")


# -- SciPy's ufuncs on traced values: scipy.special.erf(tracer) runs erf above --------------

_SCIPY_UFUNCS: dict[Any, Any] = {}


def _scipy_ufunc(ufunc):
  """The function of this module implementing the ``scipy.special`` ufunc ``ufunc`` (the
  provider ``vjpkit.numpy.dispatch`` asks), or None. SciPy is never imported here: a SciPy
  ufunc in hand means it is loaded."""
  if not _SCIPY_UFUNCS:
    mod = sys.modules.get("scipy.special")
    if mod is None:
      return None
    here = sys.modules[__name__]
    for name in __all__:
      obj = getattr(mod, name, None)
      if isinstance(obj, np.ufunc):
        _SCIPY_UFUNCS.setdefault(obj, getattr(here, name))
    private = sys.modules.get("scipy.special._ufuncs")
    for name in ("_riemann_zeta", "_zeta"):   # what scipy.special.zeta calls
      obj = getattr(private, name, None)
      if isinstance(obj, np.ufunc):
        _SCIPY_UFUNCS[obj] = zeta
  return _SCIPY_UFUNCS.get(ufunc)


register_ufunc_provider(_scipy_ufunc)
