"""``scipy.stats.multinomial``: logpmf and pmf, differentiable in ``p``.

>>> from vjpkit.scipy.stats import multinomial
>>> multinomial.pmf([1, 1], 2, [0.5, 0.5])
np.float64(0.5)
"""
from ._multivariate import multinomial_logpmf as logpmf, multinomial_pmf as pmf

__all__ = ["logpmf", "pmf"]
