"""``scipy.stats.multivariate_normal``: logpdf and pdf with a full ``cov`` (by Cholesky).

>>> import numpy as np, vjpkit
>>> from vjpkit.scipy.stats import multivariate_normal
>>> x, mean, cov = np.array([1.0, 2.0]), np.zeros(2), np.array([[1.0, 0.0], [0.0, 2.0]])
>>> vjpkit.grad(multivariate_normal.logpdf, argnums=1)(x, mean, cov)   # cov^-1 (x - mean)
array([1., 1.])
"""
from ._multivariate import mvn_logpdf as logpdf, mvn_pdf as pdf

__all__ = ["logpdf", "pdf"]
