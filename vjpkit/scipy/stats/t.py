"""``scipy.stats.t``: Student's t distribution; cdf/sf/ppf are differentiable in ``df`` to second order.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import t
>>> t.logpdf(1.0, df=3.0)
np.float64(-1.57625299452707...)
"""
from ._families import t as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
