"""Elementwise primitives with NumPy's numbers and no ``jax.lax`` counterpart:
``floor_divide``, ``remainder`` and ``hypot``, whose impls are NumPy's ufuncs.

Composites of lax operations cannot give NumPy's results bit for bit here (the signs of
zero results of ``floor_divide``/``remainder``; the last bit of ``hypot``), so each is
one primitive; the derivatives follow JAX's ``jnp.remainder``/``jnp.hypot``:

* ``floor_divide`` has zero derivative (as JAX's);
* ``remainder(x, y) = x - y floor(x / y)``: ``d/dx = 1``, ``d/dy = -floor_divide(x, y)``
  (JAX's ``-trunc(x / y)``, plus 1 where the remainder was moved to the sign of ``y``:
  the same number but where ``x / y`` rounds to an integer that the exact quotient is not);
* ``hypot``: ``(x dx + y dy) / hypot(x, y)``; at ``(0, 0)`` each argument gets slope
  ``1/2`` (JAX's, from its ``maximum`` tie), and where the result is infinite the
  derivative is 0 (JAX's constant ``inf`` branch).

>>> floor_divide(np.array([-0.0, 7.0]), np.array([3.0, -2.0]))
array([-0., -4.])
>>> remainder(np.array([0.0, -0.0]), np.array([-3.0, 3.0]))
array([-0.,  0.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..interpreters.jvp import defjvp, defjvp_zero
from . import elementwise as ew
from ._declare import const, naryop

__all__ = ["floor_divide", "floor_divide_p", "hypot", "hypot_p", "remainder", "remainder_p"]


floor_divide_p = naryop("floor_divide", np.floor_divide, kinds="real")
defjvp_zero(floor_divide_p)


def floor_divide(x: Any, y: Any) -> Any:
  """NumPy's ``floor_divide`` (``x // y``; integer operands of one dtype, or floats).

  >>> floor_divide(np.array([-5.5]), np.array([2.0]))
  array([-3.])
  """
  return floor_divide_p.bind(x, y)


remainder_p = naryop("remainder", np.remainder, kinds="real")
defjvp(remainder_p, lambda t, ans, x, y: ew._bcast_like(t, ans),
       lambda t, ans, x, y: ew.neg(ew.mul(t, floor_divide(x, y))))


def remainder(x: Any, y: Any) -> Any:
  """NumPy's ``remainder`` (``x % y``: the sign of ``y``, also for a zero result).

  >>> remainder(np.array([-5.5]), np.array([2.0]))
  array([0.5])
  """
  return remainder_p.bind(x, y)


def _hypot_slope(x, y, ans):
  """``x / hypot(x, y)``; 1/2 at (0, 0) and 0 where the result is infinite."""
  zero = const(ans, 0)
  inf = ew.eq(ans, const(ans, np.inf))
  safe = ew.select_n(ew.eq(ans, zero), ew.select_n(inf, ans, const(ans, 1)), const(ans, 1))
  slope = ew.div(x, safe)  # (0, 0) and inf: replaced below, no 0/0 or inf/inf computed
  slope = ew.select_n(inf, slope, ew._bcast_like(zero, ans))
  return ew.select_n(ew.eq(ans, zero), slope, ew._bcast_like(const(ans, 0.5), ans))


hypot_p = naryop("hypot", np.hypot, kinds="float")
defjvp(hypot_p, lambda t, ans, x, y: ew.mul(t, _hypot_slope(x, y, ans)),
       lambda t, ans, x, y: ew.mul(t, _hypot_slope(y, x, ans)))


def hypot(x: Any, y: Any) -> Any:
  """NumPy's ``hypot``: ``sqrt(x² + y²)`` without overflow or underflow.

  >>> hypot(np.array([3.0]), np.array([4.0]))
  array([5.])
  """
  return hypot_p.bind(x, y)
