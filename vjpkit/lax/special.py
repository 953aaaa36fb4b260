"""Special functions: erf, erfc, erf_inv, lgamma, digamma, polygamma; for the statistics of
``vjpkit.scipy.stats`` log_ndtr, ndtri, gammainc(c), betaln, betainc, stdtr and inverses
(the incomplete gamma functions differentiable in ``a`` too, by ``igamma_grad_a``).

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
from ._declare import const, naryop, unop


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


# -- for vjpkit.scipy.stats: normal cdf logs and inverses, incomplete gamma and beta ------------

_SQRT_2PI = np.sqrt(2 * np.pi)
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _scipy_nary(name: str):
  """The impl of the ``scipy.special.<name>`` ufunc of several arguments, in their dtype."""
  def impl(*args):
    import scipy.special
    return np.asarray(getattr(scipy.special, name)(*args), np.result_type(*args))[()]
  return impl


def _no_derivative(prim: str, arg: str, used_by: str):
  def rule(t, ans, *primals, **params):
    raise NotImplementedError(
      f"vjpkit: the derivative of {prim} with respect to its argument '{arg}' ({used_by}) is "
      "not implemented (it has no closed form); only the derivative in the variate is "
      f"available. Hold '{arg}' constant (vjpkit.lax.stop_gradient) to differentiate the rest.")
  return rule


# log_ndtr' = φ(x) / Φ(x) = exp(-x²/2 - log √(2π) - log_ndtr(x)), ≈ -x far in the left tail
log_ndtr_p = unop("log_ndtr", _scipy("log_ndtr"))
defjvp(log_ndtr_p, lambda t, ans, x: ew.mul(t, ew.exp(ew.sub(
  ew.sub(ew.mul(const(x, -0.5), ew.mul(x, x)), const(x, _LOG_SQRT_2PI)), ans))))
def log_ndtr(x): return log_ndtr_p.bind(x)

# ndtri' = √(2π) exp(ndtri(q)²/2)
ndtri_p = unop("ndtri", _scipy("ndtri"))
defjvp(ndtri_p, lambda t, ans, q: ew.mul(t, ew.mul(const(q, _SQRT_2PI),
                                                   ew.exp(ew.mul(const(q, 0.5), ew.mul(ans, ans))))))
def ndtri(q): return ndtri_p.bind(q)


def _gamma_density(a, x):
  """``x^(a-1) e^(-x) / Γ(a)``, the derivative of the regularized lower incomplete gamma in x;
  0 at ``x = inf`` (was nan: inf - inf in the exponent)."""
  d = ew.exp(ew.sub(ew.sub(ew.mul(ew.sub(a, const(a, 1.0)), ew.log(x)), x), lgamma(a)))
  return ew.select_n(ew.eq(x, const(x, np.inf)), d, const(d, 0.0))


# ∂P/∂a and ∂²P/∂a² have no closed form: igamma_grad_a computes them by the series and
# continued fraction of P and Q differentiated in a (vjpkit/lax/_igamma_da.py). Its derivative
# in x is closed (the density differentiated in a); a third derivative in a raises.
def _igamma_da_impl(a, x, *, order):
  from ._igamma_da import igamma_da
  return igamma_da(a, x, order)


def _igamma_da_dx(t, ans, a, x, *, order):
  lg = ew.sub(ew.log(x), digamma(a))
  poly = lg if order == 1 else ew.sub(ew.mul(lg, lg), polygamma(1, a))
  return ew.mul(t, ew.mul(_gamma_density(a, x), poly))


def _igamma_da_da(t, ans, a, x, *, order):
  if order >= 2:
    raise NotImplementedError(
      "vjpkit: the third derivative of gammainc(a, x) (and gammaincc, gammaincinv, ...) with "
      "respect to its argument 'a' is not implemented; derivatives in 'a' are available to "
      "second order (and in x to every order). Hold 'a' constant (vjpkit.lax.stop_gradient) "
      "for higher orders.")
  return ew.mul(t, igamma_da_p.bind(a, x, order=order + 1))


igamma_da_p = naryop("igamma_grad_a", _igamma_da_impl, kinds="float")
defjvp(igamma_da_p, _igamma_da_da, _igamma_da_dx)


def igamma_grad_a(a, x):
  """``∂P(a, x)/∂a``, the derivative of the regularized lower incomplete gamma in its shape
  (JAX's ``lax.igamma_grad_a``).

  >>> igamma_grad_a(1.0, 1.0)
  np.float64(-0.43172971...)
  """
  return igamma_da_p.bind(a, x, order=1)


def random_gamma_grad(a, x):
  """``dx/da`` for a gamma sample ``x`` of shape ``a`` at a fixed uniform draw
  (``-∂P/∂a / ∂P/∂x``, JAX's ``lax.random_gamma_grad``): the reparameterization gradient.

  >>> random_gamma_grad(1.0, 1.0)
  np.float64(1.17356...)
  """
  return ew.neg(ew.div(igamma_grad_a(a, x), _gamma_density(a, x)))


gammainc_p = naryop("gammainc", _scipy_nary("gammainc"), kinds="float")
defjvp(gammainc_p, lambda t, ans, a, x: ew.mul(t, igamma_grad_a(a, x)),
       lambda t, ans, a, x: ew.mul(t, _gamma_density(a, x)))
def gammainc(a, x): return gammainc_p.bind(a, x)

gammaincc_p = naryop("gammaincc", _scipy_nary("gammaincc"), kinds="float")
defjvp(gammaincc_p, lambda t, ans, a, x: ew.neg(ew.mul(t, igamma_grad_a(a, x))),
       lambda t, ans, a, x: ew.neg(ew.mul(t, _gamma_density(a, x))))
def gammaincc(a, x): return gammaincc_p.bind(a, x)


# betaln' = digamma(a) - digamma(a + b) (and symmetrically in b)
betaln_p = naryop("betaln", _scipy_nary("betaln"), kinds="float")
defjvp(betaln_p, lambda t, ans, a, b: ew.mul(t, ew.sub(digamma(a), digamma(ew.add(a, b)))),
       lambda t, ans, a, b: ew.mul(t, ew.sub(digamma(b), digamma(ew.add(a, b)))))
def betaln(a, b): return betaln_p.bind(a, b)


def _beta_density(a, b, x):
  """``x^(a-1) (1-x)^(b-1) / B(a, b)``, the derivative of the regularized incomplete beta in x."""
  one = const(x, 1.0)
  return ew.exp(ew.sub(ew.add(ew.mul(ew.sub(a, one), ew.log(x)),
                              ew.mul(ew.sub(b, one), ew.log1p(ew.neg(x)))), betaln(a, b)))


# ∂I/∂a, ∂I/∂b and their second derivatives have no closed form: betainc_grad computes them by
# the continued fraction carried as a second-order jet in (a, b) (vjpkit/lax/_ibeta_da.py).
# Its derivatives in x are closed (the density differentiated in a and b); third derivatives
# in a, b raise.
def _betainc_grad_impl(a, b, x, *, component):
  from ._ibeta_da import betainc_da
  return betainc_da(a, b, x, component)


def _beta_logdens_grads(a, b, x):
  """``∂/∂a`` and ``∂/∂b`` of the log beta density, and ``ψ'(a + b)``."""
  pab = digamma(ew.add(a, b))
  la = ew.add(ew.sub(ew.log(x), digamma(a)), pab)
  lb = ew.add(ew.sub(ew.log1p(ew.neg(x)), digamma(b)), pab)
  return la, lb, polygamma(1, ew.add(a, b))


def _betainc_grad_dx(t, ans, a, b, x, *, component):
  la, lb, tab = _beta_logdens_grads(a, b, x)
  poly = {"a": lambda: la, "b": lambda: lb,
          "aa": lambda: ew.add(ew.sub(ew.mul(la, la), polygamma(1, a)), tab),
          "ab": lambda: ew.add(ew.mul(la, lb), tab),
          "bb": lambda: ew.add(ew.sub(ew.mul(lb, lb), polygamma(1, b)), tab)}[component]()
  return ew.mul(t, ew.mul(_beta_density(a, b, x), poly))


def _betainc_grad_in(arg: str):
  def rule(t, ans, a, b, x, *, component):
    if len(component) == 2:
      raise NotImplementedError(
        "vjpkit: the third derivative of betainc(a, b, x) (and betaincinv, stdtr, ...) with "
        f"respect to its argument '{arg}' is not implemented; derivatives in 'a' and 'b' are "
        "available to second order (and in x to every order). Hold the shapes constant "
        "(vjpkit.lax.stop_gradient) for higher orders.")
    return ew.mul(t, betainc_grad(a, b, x, "".join(sorted(component + arg))))
  return rule


betainc_grad_p = naryop("betainc_grad", _betainc_grad_impl, kinds="float")
defjvp(betainc_grad_p, _betainc_grad_in("a"), _betainc_grad_in("b"), _betainc_grad_dx)


def betainc_grad(a, b, x, component: str = "a"):
  """A derivative of the regularized incomplete beta ``I_x(a, b)`` in its shapes:
  ``component`` is ``"a"``, ``"b"``, ``"aa"``, ``"ab"`` or ``"bb"``.

  >>> betainc_grad(1.0, 1.0, 0.5)     # I_x(a, 1) = x^a: ∂/∂a = x^a log x
  np.float64(-0.34657359027997...)
  """
  if component not in ("a", "b", "aa", "ab", "bb"):
    raise ValueError(f"betainc_grad: component must be one of a, b, aa, ab, bb; got {component!r}")
  return betainc_grad_p.bind(a, b, x, component=component)


betainc_p = naryop("betainc", _scipy_nary("betainc"), kinds="float")
defjvp(betainc_p, lambda t, ans, a, b, x: ew.mul(t, betainc_grad(a, b, x, "a")),
       lambda t, ans, a, b, x: ew.mul(t, betainc_grad(a, b, x, "b")),
       lambda t, ans, a, b, x: ew.mul(t, _beta_density(a, b, x)))
def betainc(a, b, x): return betainc_p.bind(a, b, x)


def _t_density(df, x):
  """Student's t density, the derivative of stdtr in x; its normalizer
  ``-log √df - betaln(df/2, 1/2)`` has no cancellation at large df."""
  half = const(x, 0.5)
  hdf = ew.mul(half, df)
  log_norm = ew.neg(ew.add(ew.mul(half, ew.log(df)), betaln(hdf, half)))
  return ew.exp(ew.sub(log_norm, ew.mul(ew.add(hdf, half), ew.log1p(ew.div(ew.mul(x, x), df)))))


def _stdtr_ddf(df, x):
  """``∂stdtr(df, x)/∂df``. With ``u = x²/(df + x²)``, ``stdtr = 1/2 + sign(x) I_u(1/2, df/2)/2``,
  so it is ``sign(x) (∂_b I/2 - ∂_x I · x²/(df + x²)²)/2`` at ``(1/2, df/2, u)``: ``u`` is
  small where ``x`` is (no ``1 - w`` rounding). Below ``|x| = 1e-150`` (``x²`` would
  underflow) its expansion ``x ∂f(df, 0)/∂df``, ``f`` the density, which is exact to first
  order in ``x``: the mixed second derivative at ``x = 0`` is right too."""
  half = const(x, 0.5)
  big = ew.gt(ew.abs(x), const(x, 1e-150))
  xs = ew.select_n(big, const(x, 1.0), x)
  x2 = ew.mul(xs, xs)
  denom = ew.add(df, x2)
  u = ew.div(x2, denom)
  b = ew.mul(half, df)
  inner = ew.sub(ew.mul(half, betainc_grad(half, b, u, "b")),
                 ew.mul(_beta_density(half, b, u), ew.div(x2, ew.mul(denom, denom))))
  regular = ew.mul(ew.mul(ew.sign(xs), half), inner)
  # f(df, 0) = exp(-log(df)/2 - betaln(df/2, 1/2)); its df-derivative
  f0 = _t_density(df, ew.mul(const(x, 0.0), x))
  g = ew.mul(f0, ew.sub(ew.div(const(x, -0.5), df),
                        ew.mul(half, ew.sub(digamma(b), digamma(ew.add(b, half))))))
  return ew.select_n(big, ew.mul(x, g), regular)


stdtr_p = naryop("stdtr", _scipy_nary("stdtr"), kinds="float")
defjvp(stdtr_p, lambda t, ans, df, x: ew.mul(t, _stdtr_ddf(df, x)),
       lambda t, ans, df, x: ew.mul(t, _t_density(df, x)))
def stdtr(df, x): return stdtr_p.bind(df, x)

# stdtrit(df, q)' in q = 1 / density(stdtrit(df, q)); in df, implicitly,
# -∂stdtr/∂df / ∂stdtr/∂x at the answer
stdtrit_p = naryop("stdtrit", _scipy_nary("stdtrit"), kinds="float")
defjvp(stdtrit_p, lambda t, ans, df, q: ew.neg(ew.mul(t, ew.div(_stdtr_ddf(df, ans),
                                                                _t_density(df, ans)))),
       lambda t, ans, df, q: ew.div(t, _t_density(df, ans)))
def stdtrit(df, q): return stdtrit_p.bind(df, q)

# gammaincinv(a, q)' in q = 1 / gamma density at the answer; in a, implicitly,
# -∂P/∂a / ∂P/∂x at the answer (random_gamma_grad); the same for gammainccinv, as Q = 1 - P
gammaincinv_p = naryop("gammaincinv", _scipy_nary("gammaincinv"), kinds="float")
defjvp(gammaincinv_p, lambda t, ans, a, q: ew.mul(t, random_gamma_grad(a, ans)),
       lambda t, ans, a, q: ew.div(t, _gamma_density(a, ans)))
def gammaincinv(a, q): return gammaincinv_p.bind(a, q)

# betaincinv(a, b, q)' in q = 1 / beta density at the answer; in a and b, implicitly,
# -∂I/∂a / ∂I/∂x at the answer
def _betaincinv_shape(component: str):
  def rule(t, ans, a, b, q):
    return ew.neg(ew.mul(t, ew.div(betainc_grad(a, b, ans, component), _beta_density(a, b, ans))))
  return rule


betaincinv_p = naryop("betaincinv", _scipy_nary("betaincinv"), kinds="float")
defjvp(betaincinv_p, _betaincinv_shape("a"), _betaincinv_shape("b"),
       lambda t, ans, a, b, q: ew.div(t, _beta_density(a, b, ans)))
def betaincinv(a, b, q): return betaincinv_p.bind(a, b, q)

# gammainccinv(a, q)' in q = -1 / gamma density at the answer
gammainccinv_p = naryop("gammainccinv", _scipy_nary("gammainccinv"), kinds="float")
defjvp(gammainccinv_p, lambda t, ans, a, q: ew.mul(t, random_gamma_grad(a, ans)),
       lambda t, ans, a, q: ew.neg(ew.div(t, _gamma_density(a, ans))))
def gammainccinv(a, q): return gammainccinv_p.bind(a, q)

# exponentially scaled Bessel functions: i0e' = i1e - sign(x) i0e,
# i1e' = (i0e + ive(2, ·))/2 - sign(x) i1e near 0 (the recurrence: no 1/x, so i1e'(0) = 1/2, not
# nan), i0e - i1e (sign(x) + 1/x) for |x| >= 1
i0e_p = unop("i0e", _scipy("i0e"))
i1e_p = unop("i1e", _scipy("i1e"))
defjvp(i0e_p, lambda t, ans, x: ew.mul(t, ew.sub(i1e(x), ew.mul(ew.sign(x), ans))))


def _i1e_jvp(t, ans, x):
  from .special_bessel import bessel_ive
  # SciPy's ive(2, x) is nan for |x| >= 1e12 (and at ±inf): for |x| >= 1 the equivalent
  # i0e - i1e (sign(x) + 1/x) (JAX's), 0 at ±inf; the recurrence only near 0
  big = ew.ge(ew.abs(x), const(x, 1.0))
  xs = ew.select_n(big, x, const(x, 1.0))
  xb = ew.select_n(big, const(x, 1.0), x)
  two = ew.mul(const(x, 0.5), ew.add(i0e(xs), bessel_ive(const(x, 2.0), xs)))
  near = ew.sub(two, ew.mul(ew.sign(xs), i1e(xs)))
  far = ew.sub(i0e(xb), ew.mul(ans, ew.add(ew.sign(xb), ew.div(const(x, 1.0), xb))))
  return ew.mul(t, ew.select_n(big, near, far))


defjvp(i1e_p, _i1e_jvp)
def i0e(x): return i0e_p.bind(x)
def i1e(x): return i1e_p.bind(x)

# ndtri_exp(y) = ndtri(exp(y)); its derivative exp(y) / φ(ans) = exp(y + ans²/2 + log √(2π))
ndtri_exp_p = unop("ndtri_exp", _scipy("ndtri_exp"))
defjvp(ndtri_exp_p, lambda t, ans, y: ew.mul(t, ew.exp(ew.add(
  ew.add(y, ew.mul(const(y, 0.5), ew.mul(ans, ans))), const(y, _LOG_SQRT_2PI)))))
def ndtri_exp(y): return ndtri_exp_p.bind(y)
