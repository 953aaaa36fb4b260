"""vjpkit.experimental: names at JAX's experimental locations, for programs ported from JAX.

>>> from vjpkit.experimental.ode import odeint
"""
from . import ode

__all__ = ["ode"]
