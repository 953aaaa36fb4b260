"""``scipy.stats.binom``: the binomial distribution; differentiable in ``p`` (``n`` is an integer).

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy (see ``_discrete`` for the derivatives).

>>> from vjpkit.scipy.stats import binom
>>> binom.logpmf(3, n=10, p=0.4)
np.float64(-1.53715981920235...)
"""
from ._discrete import binom as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
