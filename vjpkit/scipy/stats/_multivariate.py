"""Multivariate distributions: multivariate_normal, dirichlet, multinomial.

``multivariate_normal`` factors a full ``cov`` by Cholesky (its derivative flows through the
factor, to every order), and batches over leading axes of ``x``, ``mean`` and ``cov`` as in
JAX (SciPy squeezes size-1 axes of the result; vjpkit keeps the batch shape). A ``cov``
that is not positive definite raises ``numpy.linalg.LinAlgError`` (SciPy's
``allow_singular=False``). With ``allow_singular=True`` the density is SciPy's degenerate one:
eigenvalues at most ``1e6 ε max|λ|`` count as 0, the Mahalanobis term uses the
pseudo-inverse (``lax.pinv``, whose derivative needs no distinct eigenvalues), the log
determinant is the pseudo-determinant's (its derivative ``tr(cov⁺ d cov)``), the dimension
the rank, and points off the support (the range of ``cov`` around ``mean``) get -inf.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import lax
from ... import numpy as vnp
from ...core.avals import get_aval
from ...numpy._core import promote_inexact
from . import _special as sp
from . import _common as c

Array = Any
_LOG_2PI = float(np.log(2 * np.pi))


def _shape(x) -> tuple[int, ...]:
  return tuple(get_aval(x).shape)


def _mvn_args(x, mean, cov, who: str):
  x, cov = promote_inexact(x), promote_inexact(cov)
  mean = None if mean is None else promote_inexact(mean)
  # SciPy's rule: the dimension is mean's, else cov's, else 1 (x then holds points)
  dim = (_shape(mean)[-1] if mean is not None and _shape(mean) else
         _shape(cov)[-1] if _shape(cov) else 1)
  if dim == 1 and len(_shape(x)) <= 1:
    x = vnp.expand_dims(x, -1)
  if len(_shape(x)) == 0 or _shape(x)[-1] != dim:
    raise ValueError(f"vjpkit.scipy.stats.multivariate_normal.{who}: x must end in the "
                     f"dimension {dim} of the distribution, got shape {_shape(x)}")
  if mean is None:
    mean = vnp.zeros((dim,), get_aval(x).dtype)
  elif len(_shape(mean)) == 0:
    mean = vnp.full((dim,), mean)
  if len(_shape(cov)) == 0:
    cov = cov * vnp.eye(dim, dtype=get_aval(cov).dtype)
  elif len(_shape(cov)) == 1:
    cov = vnp.eye(dim, dtype=get_aval(cov).dtype) * cov
  if _shape(cov)[-2:] != (dim, dim):
    raise ValueError(f"vjpkit.scipy.stats.multivariate_normal.{who}: cov must be a scalar, "
                     f"a vector of {dim} variances or ({dim}, {dim}), got shape {_shape(cov)}")
  dtype = np.result_type(get_aval(x).dtype, get_aval(mean).dtype, get_aval(cov).dtype)
  return x.astype(dtype), mean.astype(dtype), cov.astype(dtype), dim


def _factor(cov, who: str):
  try:
    return vnp.linalg.cholesky(cov)
  except np.linalg.LinAlgError:
    raise np.linalg.LinAlgError(
      f"vjpkit.scipy.stats.multivariate_normal.{who}: cov is singular or not positive "
      "definite (SciPy's allow_singular=False)") from None


def mvn_logpdf(x: Array, mean: Array = None, cov: Array = 1, allow_singular: bool = False
               ) -> Array:
  """``scipy.stats.multivariate_normal.logpdf``: ``x`` of shape ``(..., d)``, ``mean`` of
  ``(..., d)`` (0 by default), ``cov`` a scalar, ``d`` variances or ``(..., d, d)``.

  >>> mvn_logpdf([1.0, 2.0], [0.0, 1.0], [[2.0, 0.5], [0.5, 1.0]])
  np.float64(-2.6891135...)
  """
  x, mean, cov, dim = _mvn_args(x, mean, cov, "logpdf")
  if allow_singular:
    return _singular_logpdf(x, mean, cov, dim)
  chol = _factor(cov, "logpdf")
  dev = x - mean
  batch = np.broadcast_shapes(_shape(dev)[:-1], _shape(chol)[:-2])
  dev = vnp.broadcast_to(dev, batch + (dim,))
  chol = vnp.broadcast_to(chol, batch + (dim, dim))
  y = lax.triangular_solve(chol, vnp.expand_dims(dev, -1), left_side=True, lower=True)[..., 0]
  log_det = vnp.sum(vnp.log(vnp.diagonal(chol, axis1=-2, axis2=-1)), -1)
  return -0.5 * vnp.sum(y * y, -1) - log_det - 0.5 * dim * _LOG_2PI


def _singular_logpdf(x, mean, cov, dim: int):
  """SciPy's logpdf with ``allow_singular=True`` (its ``_PSD``): ``cov`` positive
  semidefinite, of any rank."""
  dtype = get_aval(cov).dtype
  v, w = lax.eigh(cov)
  cutoff = (1e6 if dtype == np.float64 else 1e3) * float(np.finfo(dtype).eps)
  eps = lax.stop_gradient(cutoff * vnp.max(vnp.abs(w), -1, keepdims=True))
  concrete = lax.concrete_or_none(w)
  if concrete is not None and np.any(concrete < -lax.concrete_or_none(eps)):
    raise ValueError("vjpkit.scipy.stats.multivariate_normal.logpdf: cov must be symmetric "
                     "positive semidefinite (allow_singular=True)")
  keep = vnp.greater(w, eps)
  rank = vnp.sum(keep.astype(dtype), -1)
  log_pdet = vnp.sum(vnp.where(keep, vnp.log(vnp.where(keep, w, 1.0)), 0.0), -1)
  prec = lax.pinv(cov, rcond=cutoff, hermitian=True)
  dev = x - mean
  maha = vnp.sum(dev * vnp.squeeze(vnp.matmul(prec, vnp.expand_dims(dev, -1)), -1), -1)
  out = -0.5 * (rank * _LOG_2PI + log_pdet + maha)
  # the support: no component along the null eigenvectors (SciPy's tolerance, 1e3 eps)
  along = vnp.squeeze(vnp.matmul(vnp.expand_dims(lax.stop_gradient(dev), -2), v), -2)
  residual = vnp.sqrt(vnp.sum(vnp.where(keep, 0.0, along * along), -1))
  return vnp.where(vnp.less(residual, 1e3 * vnp.squeeze(eps, -1)), out, -np.inf)


def mvn_pdf(x: Array, mean: Array = None, cov: Array = 1, allow_singular: bool = False) -> Array:
  """``exp(multivariate_normal.logpdf(...))``.

  >>> mvn_pdf(0.0)
  np.float64(0.3989422804014...)
  """
  return vnp.exp(mvn_logpdf(x, mean, cov, allow_singular))


def _concrete(*xs) -> bool:
  return all(isinstance(x, (np.ndarray, np.generic, float, int)) for x in xs)


def dirichlet_logpdf(x: Array, alpha: Array) -> Array:
  """``scipy.stats.dirichlet.logpdf``: ``alpha`` of shape ``(k,)``, ``x`` of ``(k, ...)``
  (or ``(k - 1, ...)``, the last component ``1 - sum``). Concrete arguments are checked as in
  SciPy (ValueError off the simplex); traced ones give -inf off it and nan for ``alpha <= 0``.

  >>> dirichlet_logpdf([0.2, 0.3, 0.5], [1.0, 2.0, 3.0])
  np.float64(1.504077396776...)
  """
  x, alpha = promote_inexact(x), promote_inexact(alpha)
  if len(_shape(alpha)) != 1:
    raise ValueError("vjpkit.scipy.stats.dirichlet: alpha must be one-dimensional (k,), got "
                     f"shape {_shape(alpha)}")
  k = _shape(alpha)[0]
  if len(_shape(x)) == 0 or _shape(x)[0] not in (k - 1, k):
    raise ValueError(f"vjpkit.scipy.stats.dirichlet: x must have {k} (or {k - 1}) entries "
                     f"along its first axis, got shape {_shape(x)}")
  if _shape(x)[0] == k - 1:
    x = vnp.concatenate([x, 1 - vnp.sum(x, 0, keepdims=True)], 0)
  a = vnp.reshape(alpha, (k,) + (1,) * (len(_shape(x)) - 1))
  if _concrete(x, alpha):
    xa, aa = np.asarray(x), np.asarray(a)
    if np.any(aa <= 0):
      raise ValueError("vjpkit.scipy.stats.dirichlet: all entries of alpha must be > 0")
    if np.any(xa < 0) or np.any(xa > 1):
      raise ValueError("vjpkit.scipy.stats.dirichlet: x must lie in [0, 1]")
    if np.any((xa <= 0) & (aa < 1)):
      raise ValueError("vjpkit.scipy.stats.dirichlet: each entry of x must be > 0 where its "
                       "alpha is < 1")
    if np.any(np.abs(np.sum(xa, 0) - 1) > 10e-10):
      raise ValueError("vjpkit.scipy.stats.dirichlet: x must lie on the simplex (sum to 1)")
  ok_a = vnp.all(vnp.greater(alpha, 0))
  a = c.safe(ok_a, a, 1.0)
  on = vnp.logical_and(vnp.all(vnp.logical_and(vnp.greater_equal(x, 0), vnp.less_equal(x, 1)), 0),
                       vnp.less_equal(vnp.abs(vnp.sum(x, 0) - 1), 10e-10))
  xs = c.safe(on, x, 1.0 / k)
  log_norm = vnp.sum(sp.gammaln(a), 0) - sp.gammaln(vnp.sum(a, 0))
  out = c.where(on, vnp.sum(sp.xlogy(a - 1, xs), 0) - log_norm, -np.inf)
  return c.nan_unless(ok_a, out)


def dirichlet_pdf(x: Array, alpha: Array) -> Array:
  """``exp(dirichlet.logpdf(x, alpha))``.

  >>> dirichlet_pdf([0.5, 0.5], [1.0, 1.0])
  np.float64(1.0)
  """
  return vnp.exp(dirichlet_logpdf(x, alpha))


def multinomial_logpmf(x: Array, n: Array, p: Array) -> Array:
  """``scipy.stats.multinomial.logpmf``: counts ``x`` of shape ``(..., k)``, ``n`` trials
  (truncated to an integer, as SciPy does), probabilities ``p`` of ``(..., k)`` whose last
  entry is taken as ``1 - sum`` of the others, as SciPy does (so its derivative is 0).
  -inf where ``x`` is not non-negative integers summing to ``n``; nan for invalid ``p``/``n``.
  Differentiable in ``p``.

  >>> multinomial_logpmf([1, 2, 3], 6, [0.2, 0.3, 0.5])
  np.float64(-2.00248050054...)
  """
  x, n, p = promote_inexact(x), promote_inexact(n), promote_inexact(p)
  x, n = c.stop_gradient(x), vnp.trunc(c.stop_gradient(n))
  last = 1 - vnp.sum(p[..., :-1], -1, keepdims=True)
  p = vnp.concatenate([p[..., :-1], last], -1)
  ok = vnp.logical_and(vnp.all(vnp.logical_and(vnp.greater_equal(p, 0), vnp.less_equal(p, 1)),
                               -1), vnp.greater_equal(n, 0))
  p = c.safe(vnp.expand_dims(ok, -1), p, 1.0 / _shape(p)[-1])
  good = vnp.logical_and(vnp.all(vnp.logical_and(vnp.greater_equal(x, 0),
                                                 vnp.equal(x, vnp.floor(x))), -1),
                         vnp.equal(vnp.sum(x, -1), n))
  xs = c.safe(vnp.expand_dims(good, -1), x, 0.0)
  out = sp.gammaln(n + 1) + vnp.sum(sp.xlogy(xs, p) - sp.gammaln(xs + 1), -1)
  return c.nan_unless(ok, c.where(good, out, -np.inf))


def multinomial_pmf(x: Array, n: Array, p: Array) -> Array:
  """``exp(multinomial.logpmf(x, n, p))``.

  >>> multinomial_pmf([1, 1], 2, [0.5, 0.5])
  np.float64(0.5)
  """
  return vnp.exp(multinomial_logpmf(x, n, p))
