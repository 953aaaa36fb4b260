"""``scipy.stats.bernoulli``: the Bernoulli distribution; differentiable in ``p``.

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy (see ``_discrete`` for the derivatives).

>>> from vjpkit.scipy.stats import bernoulli
>>> bernoulli.pmf(1, p=0.3)
np.float64(0.3)
"""
from ._discrete import bernoulli as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
