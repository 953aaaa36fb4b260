"""Bessel functions of ``vjpkit.scipy.special``: ``i0``, ``i1``, ``iv``, ``ive``, ``j0``, ``j1``,
``jv``/``jn``, ``y0``, ``y1``, ``yv``, ``yn``, ``kv``, ``kve`` (the primitives are in
``vjpkit.lax.special_bessel``). Differentiable in ``x`` to every order by the recurrences;
differentiating in the order ``v`` raises NotImplementedError naming it.

>>> import vjpkit
>>> vjpkit.grad(j0)(1.0) == -j1(1.0)
np.True_
"""
from __future__ import annotations

from ..lax import special_bessel as _b
from ._special_common import nary, unary

__all__ = ["i0", "i1", "iv", "ive", "j0", "j1", "jn", "jv", "kv", "kve", "y0", "y1", "yn", "yv"]

i0 = unary("i0", _b.bessel_i0, """The modified Bessel function ``I_0(x)``; ``I_0' = I_1``.

>>> i0(1.0)
np.float64(1.266065877752008...)
""")
i1 = unary("i1", _b.bessel_i1, """The modified Bessel function ``I_1(x)``.

>>> i1(1.0)
np.float64(0.565159103992485...)
""")
iv = nary("iv", _b.bessel_iv, """The modified Bessel function ``I_v(x)`` of real order ``v``
(nan for ``x < 0`` and a non-integer ``v``, as SciPy).

>>> iv(2.0, 1.0)
np.float64(0.135747669767038...)
""")
ive = nary("ive", _b.bessel_ive, """``exp(-|x|) I_v(x)``, without overflow for large ``|x|``.

>>> ive(0.0, 1.0)
np.float64(0.465759607593640...)
""")
j0 = unary("j0", _b.bessel_j0, """The Bessel function ``J_0(x)``; ``J_0' = -J_1``.

>>> j0(1.0)
np.float64(0.765197686557966...)
""")
j1 = unary("j1", _b.bessel_j1, """The Bessel function ``J_1(x)``.

>>> j1(1.0)
np.float64(0.440050585744933...)
""")
jv = nary("jv", _b.bessel_jv, """The Bessel function ``J_v(x)`` of real order ``v``.

>>> jv(2.0, 1.0)
np.float64(0.114903484931900...)
""")
jn = nary("jn", _b.bessel_jv, """``J_n(x)`` (SciPy's ``jn`` is ``jv``).

>>> jn(2, 1.0)
np.float64(0.114903484931900...)
""")
y0 = unary("y0", _b.bessel_y0, """The Bessel function of the second kind ``Y_0(x)``, ``x > 0``.

>>> y0(1.0)
np.float64(0.088256964215676...)
""")
y1 = unary("y1", _b.bessel_y1, """The Bessel function of the second kind ``Y_1(x)``, ``x > 0``.

>>> y1(1.0)
np.float64(-0.781212821300288...)
""")
yv = nary("yv", _b.bessel_yv, """The Bessel function of the second kind ``Y_v(x)``, real ``v``.

>>> yv(2.0, 1.0)
np.float64(-1.650682606816254...)
""")
yn = nary("yn", _b.bessel_yn, """``Y_n(x)`` for an integer order ``n``.

>>> yn(2, 1.0)
np.float64(-1.650682606816254...)
""")
kv = nary("kv", _b.bessel_kv, """The modified Bessel function of the second kind ``K_v(x)``.

>>> kv(0.5, 1.0)
np.float64(0.461068504447894...)
""")
kve = nary("kve", _b.bessel_kve, """``exp(x) K_v(x)``, without underflow for large ``x``.

>>> kve(0.5, 1.0)
np.float64(1.253314137315500...)
""")
