"""vjpkit.scipy.stats: SciPy's distributions, differentiable, in JAX's module layout.

``vjpkit.scipy.stats.norm.logpdf(x, loc=0, scale=1)`` has SciPy's signature and values
(broadcasting, nan for invalid parameters, 0/-inf outside the support) and derivatives in
the variate and every continuous parameter; the cdfs of gamma, chi2, gennorm, beta, t and
vonmises (and their sf and ppf), which have no closed form, are differentiable in their
shape parameters to second order (a third derivative there raises NotImplementedError
naming the argument). Discrete distributions take ``(k, *shapes, loc=0)``; multivariate_normal,
dirichlet and multinomial give their densities.

>>> import vjpkit
>>> from vjpkit.scipy.stats import norm
>>> vjpkit.grad(norm.logpdf)(1.0)
np.float64(-1.0)
"""
from . import (bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm,
               geom, gumbel_l, gumbel_r, laplace, logistic, multinomial, multivariate_normal, nbinom,
               norm, pareto, poisson, t, truncnorm, uniform, vonmises)

__all__ = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon",
           "gamma", "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "multinomial",
           "multivariate_normal", "nbinom", "norm", "pareto", "poisson", "t", "truncnorm",
           "uniform", "vonmises"]
