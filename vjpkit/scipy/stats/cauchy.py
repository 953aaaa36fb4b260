"""``scipy.stats.cauchy``: the Cauchy distribution.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import cauchy
>>> cauchy.cdf(-1e10)
np.float64(3.183098861837907e-11)
"""
from ._families import cauchy as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
