"""vjpkit.scipy: differentiable counterparts of SciPy functions (``vjpkit.scipy.special``) and
distributions (``vjpkit.scipy.stats``).

>>> import vjpkit
>>> from vjpkit.scipy.special import gammaln
>>> vjpkit.grad(gammaln)(1.0)       # digamma(1) = -Euler's constant
np.float64(-0.5772156649015...)
"""
from . import integrate, signal, special, stats

__all__ = ["integrate", "signal", "special", "stats"]
