"""``scipy.stats.poisson``: the Poisson distribution; differentiable in ``mu``.

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy (see ``_discrete`` for the derivatives).

>>> from vjpkit.scipy.stats import poisson
>>> poisson.logpmf(3, mu=2.0)
np.float64(-1.71231792754821...)
"""
from ._discrete import poisson as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
