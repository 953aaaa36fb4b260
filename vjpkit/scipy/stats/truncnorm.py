"""``scipy.stats.truncnorm``: the normal distribution truncated to ``[a, b]`` (standardized bounds), stable in both tails.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import truncnorm
>>> truncnorm.ppf(0.3, a=40.0, b=41.0)
np.float64(40.00891031978...)
"""
from ._families import truncnorm as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
