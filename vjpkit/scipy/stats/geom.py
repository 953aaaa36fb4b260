"""``scipy.stats.geom``: the geometric distribution on 1, 2, ...; differentiable in ``p``.

pmf 0 and logpmf -inf outside the support or at non-integer ``k``, nan for invalid
parameters, as in SciPy (see ``_discrete`` for the derivatives).

>>> from vjpkit.scipy.stats import geom
>>> geom.cdf(3, p=0.5)
np.float64(0.875)
"""
from ._discrete import geom as _m

logpmf = _m["logpmf"]
pmf = _m["pmf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "ppf", "sf"]
