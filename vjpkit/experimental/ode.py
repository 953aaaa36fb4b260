"""``vjpkit.experimental.ode.odeint``: an alias of ``vjpkit.scipy.integrate.odeint``, at the
place of JAX's ``jax.experimental.ode.odeint`` (same signature, same adjoint gradients).

>>> import numpy as np
>>> from vjpkit.experimental.ode import odeint
>>> ys = odeint(lambda y, t: -y, np.array([1.0]), np.array([0.0, 1.0]))
>>> bool(np.allclose(ys[-1], np.exp(-1.0)))
True
"""
from ..scipy.integrate import odeint

__all__ = ["odeint"]
