"""Bessel functions: modified ``I`` (i0, i1, iv and the scaled ive), ``J`` (j0, j1, jv), ``Y``
(y0, y1, yv, yn) and ``K`` (kv and the scaled kve), with JAX's ``bessel_i0e``/``bessel_i1e``.

Values come from ``scipy.special``. The derivatives in ``x`` are the recurrences
``I'_v = (I_{v-1} + I_{v+1})/2``, ``J'_v = (J_{v-1} - J_{v+1})/2`` (Y the same),
``K'_v = -(K_{v-1} + K_{v+1})/2``, so every order is available and none divides by ``x``
(``i1'(0) = 1/2`` exactly). The derivative in the order ``v`` has no closed form: it raises
NotImplementedError naming ``v``.
"""
from __future__ import annotations

from ..interpreters.jvp import defjvp
from . import elementwise as ew
from ._declare import const, naryop, unop
from .special import _no_derivative, _scipy, _scipy_nary, i0e, i0e_p, i1e, i1e_p

__all__ = ["bessel_i0", "bessel_i0_p", "bessel_i0e", "bessel_i0e_p", "bessel_i1", "bessel_i1_p",
           "bessel_i1e", "bessel_i1e_p", "bessel_iv", "bessel_iv_p", "bessel_ive", "bessel_ive_p",
           "bessel_j0", "bessel_j0_p", "bessel_j1", "bessel_j1_p", "bessel_jv", "bessel_jv_p",
           "bessel_kv", "bessel_kv_p", "bessel_kve", "bessel_kve_p", "bessel_y0", "bessel_y0_p",
           "bessel_y1", "bessel_y1_p", "bessel_yn", "bessel_yn_p", "bessel_yv", "bessel_yv_p"]

_ORDER = "the order v of a Bessel function"


def _half(x, y):
  return ew.mul(const(x, 0.5), y)


def _shift(v, k: float):
  return ew.add(v, const(v, k))


def _order_rule(name: str, arg: str = "v"):
  return _no_derivative(f"{name}({arg}, x)", arg, _ORDER.replace(" v ", f" {arg} "))


# -- modified, first kind ---------------------------------------------------------------------

def _iv(v, x):
  """``I_v(x)`` in derivative rules, as ``ive(v, x) e^|x|`` (SciPy's iv is nan at the
  smallest normal x, where ive is not)."""
  return ew.mul(bessel_ive(v, x), ew.exp(ew.abs(x)))


bessel_iv_p = naryop("bessel_iv", _scipy_nary("iv"), kinds="float")
defjvp(bessel_iv_p, _order_rule("iv"), lambda t, ans, v, x: ew.mul(t, _half(x, ew.add(
  _iv(_shift(v, -1), x), _iv(_shift(v, 1), x)))))


def bessel_iv(v, x):
  """The modified Bessel function of the first kind ``I_v(x)`` (``scipy.special.iv``).

  >>> bessel_iv(0.0, 1.0)
  np.float64(1.266065877752008...)
  """
  return bessel_iv_p.bind(v, x)


bessel_ive_p = naryop("bessel_ive", _scipy_nary("ive"), kinds="float")
defjvp(bessel_ive_p, _order_rule("ive"), lambda t, ans, v, x: ew.mul(t, ew.sub(_half(x, ew.add(
  bessel_ive(_shift(v, -1), x), bessel_ive(_shift(v, 1), x))), ew.mul(ew.sign(x), ans))))


def bessel_ive(v, x):
  """``exp(-|x|) I_v(x)`` (``scipy.special.ive``), without overflow for large ``x``.

  >>> bessel_ive(0.0, 0.0)
  np.float64(1.0)
  """
  return bessel_ive_p.bind(v, x)


bessel_i0_p = unop("bessel_i0", _scipy("i0"))
bessel_i1_p = unop("bessel_i1", _scipy("i1"))
defjvp(bessel_i0_p, lambda t, ans, x: ew.mul(t, bessel_i1(x)))
defjvp(bessel_i1_p, lambda t, ans, x: ew.mul(t, _half(x, ew.add(
  bessel_i0(x), _iv(const(x, 2.0), x)))))


def bessel_i0(x):
  """``I_0(x)`` (``scipy.special.i0``); its derivative is ``I_1(x)``.

  >>> bessel_i0(0.0)
  np.float64(1.0)
  """
  return bessel_i0_p.bind(x)


def bessel_i1(x):
  """``I_1(x)`` (``scipy.special.i1``); its derivative is ``(I_0 + I_2)/2``.

  >>> bessel_i1(0.0)
  np.float64(0.0)
  """
  return bessel_i1_p.bind(x)


# JAX's names for the scaled functions of vjpkit.lax.special (the same primitives)
bessel_i0e, bessel_i0e_p = i0e, i0e_p
bessel_i1e, bessel_i1e_p = i1e, i1e_p

# -- first and second kind --------------------------------------------------------------------

bessel_jv_p = naryop("bessel_jv", _scipy_nary("jv"), kinds="float")
defjvp(bessel_jv_p, _order_rule("jv"), lambda t, ans, v, x: ew.mul(t, _half(x, ew.sub(
  bessel_jv(_shift(v, -1), x), bessel_jv(_shift(v, 1), x)))))


def bessel_jv(v, x):
  """The Bessel function of the first kind ``J_v(x)`` (``scipy.special.jv``).

  >>> bessel_jv(1.0, 0.0)
  np.float64(0.0)
  """
  return bessel_jv_p.bind(v, x)


bessel_j0_p = unop("bessel_j0", _scipy("j0"))
bessel_j1_p = unop("bessel_j1", _scipy("j1"))
defjvp(bessel_j0_p, lambda t, ans, x: ew.neg(ew.mul(t, bessel_j1(x))))
defjvp(bessel_j1_p, lambda t, ans, x: ew.mul(t, _half(x, ew.sub(
  bessel_j0(x), bessel_jv(const(x, 2.0), x)))))


def bessel_j0(x):
  """``J_0(x)`` (``scipy.special.j0``); its derivative is ``-J_1(x)``.

  >>> bessel_j0(0.0)
  np.float64(1.0)
  """
  return bessel_j0_p.bind(x)


def bessel_j1(x):
  """``J_1(x)`` (``scipy.special.j1``); its derivative is ``(J_0 - J_2)/2``.

  >>> bessel_j1(0.0)
  np.float64(0.0)
  """
  return bessel_j1_p.bind(x)


bessel_yv_p = naryop("bessel_yv", _scipy_nary("yv"), kinds="float")
defjvp(bessel_yv_p, _order_rule("yv"), lambda t, ans, v, x: ew.mul(t, _half(x, ew.sub(
  bessel_yv(_shift(v, -1), x), bessel_yv(_shift(v, 1), x)))))


def bessel_yv(v, x):
  """The Bessel function of the second kind ``Y_v(x)`` (``scipy.special.yv``), for ``x > 0``.

  >>> bessel_yv(0.0, 1.0)
  np.float64(0.088256964215676...)
  """
  return bessel_yv_p.bind(v, x)


bessel_yn_p = naryop("bessel_yn", _scipy_nary("yn"), kinds="float")
defjvp(bessel_yn_p, _order_rule("yn", "n"), lambda t, ans, n, x: ew.mul(t, _half(x, ew.sub(
  bessel_yn(_shift(n, -1), x), bessel_yn(_shift(n, 1), x)))))


def bessel_yn(n, x):
  """``Y_n(x)`` for an integer order ``n`` (``scipy.special.yn``).

  >>> bessel_yn(0.0, 1.0)
  np.float64(0.088256964215676...)
  """
  return bessel_yn_p.bind(n, x)


bessel_y0_p = unop("bessel_y0", _scipy("y0"))
bessel_y1_p = unop("bessel_y1", _scipy("y1"))
defjvp(bessel_y0_p, lambda t, ans, x: ew.neg(ew.mul(t, bessel_y1(x))))
defjvp(bessel_y1_p, lambda t, ans, x: ew.mul(t, _half(x, ew.sub(
  bessel_y0(x), bessel_yn(const(x, 2.0), x)))))


def bessel_y0(x):
  """``Y_0(x)`` (``scipy.special.y0``); its derivative is ``-Y_1(x)``.

  >>> bessel_y0(1.0)
  np.float64(0.088256964215676...)
  """
  return bessel_y0_p.bind(x)


def bessel_y1(x):
  """``Y_1(x)`` (``scipy.special.y1``); its derivative is ``(Y_0 - Y_2)/2``.

  >>> bessel_y1(1.0)
  np.float64(-0.781212821300288...)
  """
  return bessel_y1_p.bind(x)


# -- modified, second kind --------------------------------------------------------------------

bessel_kv_p = naryop("bessel_kv", _scipy_nary("kv"), kinds="float")
defjvp(bessel_kv_p, _order_rule("kv"), lambda t, ans, v, x: ew.neg(ew.mul(t, _half(x, ew.add(
  bessel_kv(_shift(v, -1), x), bessel_kv(_shift(v, 1), x))))))


def bessel_kv(v, x):
  """The modified Bessel function of the second kind ``K_v(x)`` (``scipy.special.kv``).

  >>> bessel_kv(0.5, 1.0)
  np.float64(0.461068504447894...)
  """
  return bessel_kv_p.bind(v, x)


bessel_kve_p = naryop("bessel_kve", _scipy_nary("kve"), kinds="float")
defjvp(bessel_kve_p, _order_rule("kve"), lambda t, ans, v, x: ew.mul(t, ew.sub(ans, _half(x, ew.add(
  bessel_kve(_shift(v, -1), x), bessel_kve(_shift(v, 1), x))))))


def bessel_kve(v, x):
  """``exp(x) K_v(x)`` (``scipy.special.kve``), without underflow for large ``x``.

  >>> bessel_kve(0.5, 1.0)   # √(π/2)
  np.float64(1.253314137315500...)
  """
  return bessel_kve_p.bind(v, x)
