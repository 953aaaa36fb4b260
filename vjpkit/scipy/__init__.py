"""vjpkit.scipy: differentiable counterparts of SciPy functions (``vjpkit.scipy.special``),
distributions (``vjpkit.scipy.stats``) and linear algebra (``vjpkit.scipy.linalg``).

>>> import vjpkit
>>> from vjpkit.scipy.special import gammaln
>>> vjpkit.grad(gammaln)(1.0)       # digamma(1) = -Euler's constant
np.float64(-0.5772156649015...)
"""
from . import integrate, linalg, signal, special, stats

__all__ = ["integrate", "linalg", "signal", "special", "stats"]
