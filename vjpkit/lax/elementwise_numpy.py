"""Elementwise primitives with NumPy's numbers and no ``jax.lax`` counterpart:
``floor_divide``, ``remainder``, ``hypot``, ``logaddexp``, ``logaddexp2`` (NumPy's ufuncs)
and ``i0`` (``np.i0``).

Composites of lax operations cannot give NumPy's results bit for bit here (the signs of
zero results of ``floor_divide``/``remainder``; the last bit of ``hypot``; ``logaddexp``
calls libm's exp and log1p, which differ from the ufuncs np.exp and np.log1p in the last
bit now and then), so each is one primitive; the derivatives follow JAX's
``jnp.remainder``/``jnp.hypot``/``jnp.logaddexp``:

* ``floor_divide`` has zero derivative (as JAX's);
* ``remainder(x, y) = x - y floor(x / y)``: ``d/dx = 1``, ``d/dy = -floor_divide(x, y)``
  (JAX's ``-trunc(x / y)``, plus 1 where the remainder was moved to the sign of ``y``:
  the same number but where ``x / y`` rounds to an integer that the exact quotient is not);
* ``hypot``: ``(x dx + y dy) / hypot(x, y)``; at ``(0, 0)`` each argument gets slope
  ``1/2`` (JAX's, from its ``maximum`` tie), and where the result is infinite the
  derivative is 0 (JAX gives NaN there);
* ``logaddexp``: the softmax weights ``exp(x) / (exp(x) + exp(y))``, ``logistic(x - y)``,
  at every order and with infinite arguments (``(inf, 1)`` gives ``(1, 0)``); equal
  infinities get ``1/2`` each, as a tie of finite arguments (JAX: NaN). ``logaddexp2``:
  ``logistic((x - y) log 2)``;
* ``i0``: ``I1(x)`` (``scipy.special.i1``), not the slope of NumPy's Chebyshev series,
  which is a rounding error at and near 0 (-2.2e-16 at 0, where I1 is 0).

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
from ._declare import const, naryop, unop
from .special_bessel import bessel_i1

__all__ = ["floor_divide", "floor_divide_p", "hypot", "hypot_p", "i0", "i0_p", "logaddexp",
           "logaddexp2", "logaddexp2_p", "logaddexp_p", "remainder", "remainder_p"]


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


def _softmax_weight(x, y, scale: float | None):
  """``logistic((x - y) [* scale])``, the slope of ``logaddexp(x, y)`` in ``x``; ``1/2``
  where ``x`` and ``y`` are the same infinity (their difference taken as 0, no inf - inf)."""
  same_inf = ew.logical_and(ew.eq(x, y), ew.eq(ew.abs(x), const(x, np.inf)))
  zero = const(x, 0.0)
  d = ew.sub(ew.select_n(same_inf, x, zero), ew.select_n(same_inf, y, zero))
  return ew.logistic(d if scale is None else ew.mul(d, const(d, scale)))


def _log_add_rules(prim, scale: float | None):
  defjvp(prim, lambda t, ans, x, y: ew.mul(t, _softmax_weight(x, y, scale)),
         lambda t, ans, x, y: ew.mul(t, _softmax_weight(y, x, scale)))


logaddexp_p = naryop("logaddexp", np.logaddexp, kinds="float")
_log_add_rules(logaddexp_p, None)
logaddexp2_p = naryop("logaddexp2", np.logaddexp2, kinds="float")
_log_add_rules(logaddexp2_p, float(np.log(2.0)))


def logaddexp(x: Any, y: Any) -> Any:
  """NumPy's ``logaddexp``, ``log(exp(x) + exp(y))`` without overflow.

  >>> logaddexp(np.array([0.0]), np.array([0.0]))
  array([0.69314718])
  """
  return logaddexp_p.bind(x, y)


def logaddexp2(x: Any, y: Any) -> Any:
  """NumPy's ``logaddexp2``, ``log2(2**x + 2**y)`` without overflow.

  >>> logaddexp2(np.array([1.0]), np.array([1.0]))
  array([2.])
  """
  return logaddexp2_p.bind(x, y)


# NumPy's Chebyshev coefficients of exp(-x) I0(x) on [0, 8] and of exp(-x) sqrt(x) I0(x) on
# (8, inf) (Cephes, as numpy.lib._function_base_impl), for other array libraries
_I0A = (-4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
      1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
      -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11,
      9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
      -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07,
      1.1173875391201037e-06, -4.4167383584587505e-06, 1.6448448070728896e-05,
      -5.754195010082104e-05, 0.00018850288509584165, -0.0005763755745385824,
      0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
      -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
      0.17162090152220877, -0.3046826723431984, 0.6767952744094761)
_I0B = (-7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17,
      3.461222867697461e-17, -2.8276239805165836e-16, -3.425485619677219e-16,
      1.7725601330565263e-15, 3.8116806693526224e-15, -9.554846698828307e-15,
      -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
      7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11,
      -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
      3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
      2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
      0.8044904110141088)


def _chbevl(x, coefficients):
  b0, b1, b2 = coefficients[0], 0.0, 0.0
  for c in coefficients[1:]:
    b2, b1 = b1, b0
    b0 = x * b1 - b2 + c
  return 0.5 * (b0 - b2)


def _i0_with(xp, x):
  """``np.i0``'s algorithm with the array namespace ``xp`` (the array-API rule)."""
  a = xp.abs(x)
  small = a <= 8.0
  a1 = xp.where(small, a, xp.zeros_like(a))
  a2 = xp.where(small, xp.full_like(a, 9.0), a)
  y1 = xp.exp(a1) * _chbevl(a1 / 2.0 - 2.0, _I0A)
  y2 = xp.exp(a2) * _chbevl(32.0 / a2 - 2.0, _I0B) / xp.sqrt(a2)
  return xp.where(small, y1, y2)


def _i0_impl(x):
  out = np.i0(x)
  return out[()] if np.ndim(out) == 0 else out


i0_p = unop("i0", _i0_impl, kinds="float")
defjvp(i0_p, lambda t, ans, x: ew.mul(t, bessel_i1(x)))


def i0(x: Any) -> Any:
  """NumPy's ``i0``, the modified Bessel function of the first kind of order 0; its
  derivative is ``I1(x)``.

  >>> i0(np.array([0.0, 1.0]))
  array([1.        , 1.26606588])
  """
  return i0_p.bind(x)
