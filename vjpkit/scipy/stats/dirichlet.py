"""``scipy.stats.dirichlet``: logpdf and pdf, differentiable in ``x`` and ``alpha``.

>>> from vjpkit.scipy.stats import dirichlet
>>> dirichlet.logpdf([0.2, 0.3, 0.5], [1.0, 2.0, 3.0])
np.float64(1.504077396776...)
"""
from ._multivariate import dirichlet_logpdf as logpdf, dirichlet_pdf as pdf

__all__ = ["logpdf", "pdf"]
