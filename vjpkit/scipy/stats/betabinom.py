"""``scipy.stats.betabinom``: the beta-binomial distribution; differentiable in ``a`` and
``b`` (``n`` is an integer). Its cdf/sf sum the pmf, as SciPy does, so they need a concrete
``n`` (not traced by ``jit``/``vmap``).

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy.

>>> from vjpkit.scipy.stats import betabinom
>>> betabinom.logpmf(2, n=5, a=2.0, b=3.0)
np.float64(-1.43508452528932...)
"""
from ._discrete import betabinom as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
