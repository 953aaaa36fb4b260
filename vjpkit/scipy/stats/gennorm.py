"""``scipy.stats.gennorm``: the generalized normal distribution (shape ``beta``); cdf/sf/ppf are differentiable in ``beta`` to second order.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import gennorm
>>> gennorm.logpdf(0.5, beta=1.5)
np.float64(-0.9443857381925...)
"""
from ._families import gennorm as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
