"""vjpkit.scipy.stats: SciPy's distributions, differentiable, in JAX's module layout.

``vjpkit.scipy.stats.norm.logpdf(x, loc=0, scale=1)`` has SciPy's signature and values
(broadcasting, nan for invalid parameters, 0/-inf outside the support) and derivatives in
the variate and every continuous parameter; where no closed form exists (the cdfs of gamma,
chi2, beta, t in their shape parameters) differentiating raises NotImplementedError naming
the argument.

>>> import vjpkit
>>> from vjpkit.scipy.stats import norm
>>> vjpkit.grad(norm.logpdf)(1.0)
np.float64(-1.0)
"""
from . import (beta, cauchy, chi2, expon, gamma, gumbel_l, gumbel_r, laplace, logistic, norm, pareto,
               t, uniform)

__all__ = ["beta", "cauchy", "chi2", "expon", "gamma", "gumbel_l", "gumbel_r", "laplace",
           "logistic", "norm", "pareto", "t", "uniform"]
