"""``scipy.stats.vonmises``: the von Mises distribution (logpdf and pdf: SciPy's cdf has no closed form).

pdf 0 and logpdf -inf outside the support, nan for ``scale <= 0`` or invalid shapes, as in
SciPy; derivatives in ``x``, ``loc``, ``scale`` and the shapes (see ``_families``).

>>> from vjpkit.scipy.stats import vonmises
>>> vonmises.logpdf(0.5, kappa=2.0)
np.float64(-0.906705484111...)
"""
from ._families import vonmises as _m

logpdf = _m["logpdf"]
pdf = _m["pdf"]

__all__ = ["logpdf", "pdf"]
