"""vjpkit.scipy.integrate: ``odeint``, an adaptive Dormand-Prince (RK45) ODE solver whose
gradients come from the adjoint method (JAX's ``jax.experimental.ode.odeint``).

The solve is the primitive ``vjpkit.lax.odeint_p`` (``vjpkit/lax/ode.py``, where the
method is described); this module is its pytree interface.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.errors import check_callable
from ..lax.control_flow.common import flatten_operands
from ..lax.ode import _ravel, _solve
from ..tree_util import tree_unflatten

__all__ = ["odeint"]


# -- the public function --------------------------------------------------------------

def odeint(func: Callable, y0: Any, t: Any, *args: Any, rtol: float = 1.4e-8,
           atol: float = 1.4e-8, mxstep: float = np.inf, hmax: float = np.inf) -> Any:
  """Solve ``dy/dt = func(y, t, *args)`` from ``y(t[0]) = y0``, returning ``y`` at every
  time in ``t`` (JAX's ``odeint``: adaptive Dormand-Prince RK45, adjoint gradients).

  ``y0`` may be a pytree (``func`` returns the same structure); ``t`` is a strictly
  increasing 1-D array. Differentiable with respect to ``y0``, ``t``,
  ``args`` and what ``func`` closes over; works under ``jit`` and ``vmap``. ``mxstep``
  bounds the steps between two output times: outputs it does not reach are nan.

  >>> import vjpkit, vjpkit.numpy as vnp
  >>> t = np.linspace(0.0, 1.0, 3)
  >>> ys = odeint(lambda y, t, k: -k * y, 1.0, t, 2.0)
  >>> bool(np.allclose(ys, np.exp(-2.0 * t)))
  True
  >>> g = vjpkit.grad(lambda k: odeint(lambda y, t, k: -k * y, 1.0, t, k)[-1])(2.0)
  >>> bool(np.isclose(g, -np.exp(-2.0)))      # d/dk exp(-k) at k = 2
  True
  """
  check_callable(func, "odeint", "func")
  leaves, y_tree = flatten_operands(y0, "odeint (y0)")
  if not leaves:
    raise ValueError("odeint: y0 has no arrays")
  t = t if hasattr(t, "shape") and not isinstance(t, (list, tuple)) else np.asarray(t)
  t_aval = get_aval(t)
  if t_aval.ndim != 1:
    raise ValueError(f"odeint: t must be a 1-D array of times, got shape {t_aval.shape}")
  leaves = [x if get_aval(x).dtype.kind in "fc" else lax.convert_element_type(x, np.float64)
            for x in leaves]
  if t_aval.dtype.kind not in "fc":
    t = lax.convert_element_type(t, np.float64)
  y_flat, unravel = _ravel(leaves, 0) if len(leaves) > 1 or get_aval(leaves[0]).ndim != 1 else (
      leaves[0], lambda v: [v])
  arg_leaves, arg_tree = flatten_operands(args, "odeint (args)")

  def fun(y, tt, *a):
    out = func(tree_unflatten(y_tree, unravel(y)), tt, *tree_unflatten(arg_tree, list(a)))
    out_leaves, out_tree = flatten_operands(out, "odeint (the output of func)")
    if out_tree != y_tree:
      raise TypeError(f"odeint: func must return the structure of y0 ({y_tree}), got "
                      f"{out_tree}")
    return _ravel(out_leaves, 0)[0] if len(out_leaves) > 1 or get_aval(
        out_leaves[0]).ndim != 1 else out_leaves[0]
  opts = dict(rtol=float(rtol), atol=float(atol), mxstep=float(mxstep), hmax=float(hmax))
  ys = _solve(fun, y_flat, t, arg_leaves, opts, 0)
  return tree_unflatten(y_tree, unravel(ys))
