"""``scipy.stats.vonmises``: the von Mises distribution.

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy. The cdf is SciPy's, on the whole real line (each period adds 1, so it is below 0
left of ``-π`` and above 1 right of ``π``); the ppf is in ``[-π, π]``. Derivatives in
``x``, ``loc``, ``scale`` and ``kappa`` (for cdf, sf and ppf to second order, by the cdf's
Bessel series; see ``vjpkit.lax.special_stats``).

>>> from vjpkit.scipy.stats import vonmises
>>> vonmises.logpdf(0.5, kappa=2.0)
np.float64(-0.906705484111...)
>>> vonmises.cdf(0.0, 2.0), vonmises.ppf(0.5, 2.0)
(np.float64(0.5), np.float64(0.0))
"""
from ._families import vonmises as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]
cdf = _m["cdf"]
logcdf = _m["logcdf"]
sf = _m["sf"]
logsf = _m["logsf"]
ppf = _m["ppf"]

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]
