"""``scipy.stats.nbinom``: the negative binomial distribution; differentiable in ``n`` and ``p`` (cdf/sf in ``p`` only).

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy (see ``_discrete`` for the derivatives).

>>> from vjpkit.scipy.stats import nbinom
>>> nbinom.logpmf(2, n=2.5, p=0.4)
np.float64(-1.8364715574077...)
"""
from ._discrete import nbinom as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
