"""The first and second derivatives of the regularized incomplete beta ``I_x(a, b)`` in ``a``
and ``b``, on NumPy arrays (the impl of ``vjpkit.lax.special.betainc_grad``).

``I_x(a, b) = x^a (1-x)^b / (a B(a, b)) · K`` with ``K`` the continued fraction of Numerical
Recipes' ``betacf`` (modified Lentz), for ``x < (a + 1)/(a + b + 2)`` where it converges
fast; above, ``I_x(a, b) = 1 - I_{1-x}(b, a)``. Every quantity is carried as a second-order
jet in ``(a, b)`` (value and the derivatives ``a, b, aa, ab, bb``), so the derivatives come
out of the same recurrences as the value, without finite differences or cancellation.
"""
from __future__ import annotations

import numpy as np

from ._igamma_da import max_iterations

__all__ = ["COMPONENTS", "betainc_da"]

COMPONENTS = ("a", "b", "aa", "ab", "bb")
_TOL = (2.2e-16, 1e-14, 1e-14, 1e-12, 1e-12, 1e-12)   # convergence, per jet component


def _mul(f, g):
  return np.stack([f[0] * g[0], f[1] * g[0] + f[0] * g[1], f[2] * g[0] + f[0] * g[2],
                   f[3] * g[0] + 2 * f[1] * g[1] + f[0] * g[3],
                   f[4] * g[0] + f[1] * g[2] + f[2] * g[1] + f[0] * g[4],
                   f[5] * g[0] + 2 * f[2] * g[2] + f[0] * g[5]])


def _div(f, g):
  h0 = f[0] / g[0]
  h1 = (f[1] - h0 * g[1]) / g[0]
  h2 = (f[2] - h0 * g[2]) / g[0]
  return np.stack([h0, h1, h2, (f[3] - 2 * h1 * g[1] - h0 * g[3]) / g[0],
                   (f[4] - h1 * g[2] - h2 * g[1] - h0 * g[4]) / g[0],
                   (f[5] - 2 * h2 * g[2] - h0 * g[5]) / g[0]])


def _const(v, like):
  out = np.zeros_like(like)
  out[0] = v
  return out


def _exp(f):
  e = np.exp(f[0])
  return np.stack([e, e * f[1], e * f[2], e * (f[1] * f[1] + f[3]), e * (f[1] * f[2] + f[4]),
                   e * (f[2] * f[2] + f[5])])


def _lentz(a, b, x):
  """The jet of ``K``: ``a`` and ``b`` are jets (the variables), ``x`` a plain array."""
  one = _const(1.0, a)
  qab, qap, qam = a + b, a + one, a - one
  c = one.copy()
  d = _div(one, one - _div(qab * x, qap))
  h = d.copy()
  idx = np.arange(x.shape[0])
  out = np.empty_like(h)
  for m in range(1, max_iterations(a[0], b[0]) + 1):
    m2 = 2.0 * m
    num = _mul(_const(m, a) * x, b - _const(m, a))
    aa = _div(num, _mul(qam + _const(m2, a), a + _const(m2, a)))
    d = _div(one, one + _mul(aa, d))
    c = one + _div(aa, c)
    h = _mul(h, _mul(d, c))
    num = -_mul(a + _const(m, a), qab + _const(m, a)) * x
    aa = _div(num, _mul(a + _const(m2, a), qap + _const(m2, a)))
    d = _div(one, one + _mul(aa, d))
    c = one + _div(aa, c)
    step = _mul(d, c)
    new = _mul(h, step)
    done = np.all(np.abs(new - h) <= np.array(_TOL)[:, None] * np.abs(new), axis=0)
    h = new
    if np.any(done):
      out[:, idx[done]] = h[:, done]
      keep = ~done
      idx = idx[keep]
      if idx.size == 0:
        return out
      a, b, x, c, d, h, one = (v[..., keep] for v in (a, b, x, c, d, h, one))
      qab, qap, qam = a + b, a + one, a - one
  out[:, idx] = np.nan   # not converged: nan, never a silently inaccurate value
  return out


def _jet_lower(a, b, x):
  """The jet of ``I_x(a, b)`` by the continued fraction, for ``x < (a + 1)/(a + b + 2)``."""
  from scipy.special import betaln, polygamma, psi
  n = a.shape[0]
  ja, jb = np.zeros((6, n)), np.zeros((6, n))
  ja[0], ja[1] = a, 1.0
  jb[0], jb[2] = b, 1.0
  k = _lentz(ja, jb, x)
  pab, pa, pb = psi(a + b), psi(a), psi(b)
  tab, ta, tb = polygamma(1, a + b), polygamma(1, a), polygamma(1, b)
  log_front = np.stack([a * np.log(x) + b * np.log1p(-x) - betaln(a, b) - np.log(a),
                        np.log(x) - (pa - pab) - 1 / a, np.log1p(-x) - (pb - pab),
                        -(ta - tab) + 1 / (a * a), tab, -(tb - tab)])
  return _mul(_exp(log_front), k)


def betainc_da(a, b, x, component: str):
  """``∂I_x(a, b)`` in ``component`` (one of ``COMPONENTS``: ``"a"``, ``"b"``, ``"aa"``,
  ``"ab"``, ``"bb"``), elementwise: 0 at ``x = 0`` and ``x = 1``, nan for ``a <= 0``,
  ``b <= 0``, ``x`` outside ``[0, 1]`` or nan arguments (as SciPy's betainc)."""
  which = COMPONENTS.index(component) + 1
  dtype = np.result_type(a, b, x)
  a64, b64, x64 = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
  shape = a64.shape
  a64, b64, x64 = a64.ravel(), b64.ravel(), x64.ravel()
  out = np.full(a64.shape, np.nan)
  valid = (a64 > 0) & (b64 > 0) & np.isfinite(a64) & np.isfinite(b64) & (x64 >= 0) & (x64 <= 1)
  out[valid & ((x64 == 0) | (x64 == 1))] = 0.0
  inner = valid & (x64 > 0) & (x64 < 1)
  lower = inner & (x64 < (a64 + 1) / (a64 + b64 + 2))
  upper = inner & ~lower
  with np.errstate(all="ignore"):
    if np.any(lower):
      out[lower] = _jet_lower(a64[lower], b64[lower], x64[lower])[which]
    if np.any(upper):
      # I_x(a, b) = 1 - I_{1-x}(b, a): the jet in (b, a), its a and b components swapped
      jet = _jet_lower(b64[upper], a64[upper], 1 - x64[upper])
      swap = {1: 2, 2: 1, 3: 5, 4: 4, 5: 3}[which]
      out[upper] = -jet[swap]
  return np.asarray(out.reshape(shape), dtype)[()]
