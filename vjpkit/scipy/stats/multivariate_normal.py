"""``scipy.stats.multivariate_normal``: logpdf and pdf with a full ``cov`` (by Cholesky), or a
singular one with ``allow_singular=True`` (SciPy's degenerate density: -inf off the support).

>>> import numpy as np, vjpkit
>>> from vjpkit.scipy.stats import multivariate_normal
>>> x, mean, cov = np.array([1.0, 2.0]), np.zeros(2), np.array([[1.0, 0.0], [0.0, 2.0]])
>>> vjpkit.grad(multivariate_normal.logpdf, argnums=1)(x, mean, cov)   # cov^-1 (x - mean)
array([1., 1.])
>>> float(multivariate_normal.logpdf([1.0, 0.0], [0.0, 0.0], [1.0, 0.0], allow_singular=True))
-1.418938533204...
"""
from ._multivariate import mvn_logpdf as logpdf, mvn_pdf as pdf

__all__ = ["logpdf", "pdf"]
