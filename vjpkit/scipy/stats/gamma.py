"""``scipy.stats.gamma``: the gamma distribution (shape ``a``); cdf/sf/ppf are differentiable in ``a`` to second order.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import gamma
>>> gamma.logpdf(2.0, a=3.0)
np.float64(-1.3068528194400546)
"""
from ._families import gamma as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
