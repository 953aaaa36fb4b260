"""The first and second derivatives of the regularized incomplete gamma ``P(a, x)`` in ``a``,
on NumPy arrays (the impl of ``vjpkit.lax.special.igamma_grad_a``).

The algorithm is the one of Cephes/Eigen (and JAX's ``igamma_grad_a``) differentiated in
forward mode, here to second order: for ``x < 1`` or ``x < a`` the power series
``P = x^a e^-x / Γ(a + 1) · Σ_n x^n / ((a + 1) ... (a + n))``, else the continued fraction of
``Q = 1 - P``, each carried with its first and second derivatives in ``a``. There is no
cancellation (P and Q are never subtracted from 1), so the derivatives have the accuracy of
the values.
"""
from __future__ import annotations

import numpy as np

__all__ = ["igamma_da", "max_iterations"]

_EPS = np.finfo(np.float64).eps
_BIG = 4503599627370496.0        # 2^52: the continued fraction's terms are rescaled past it
_MAX_ITER = 2000


def max_iterations(*shapes) -> int:
  """Enough steps for the series and continued fractions, which need ``O(√a)`` of them where
  ``x ≈ a`` (at most 200000: beyond, the unconverged elements are nan)."""
  return int(min(_MAX_ITER + 100 * np.sqrt(max(float(np.max(s, initial=0.0)) for s in shapes)),
                 200_000))


def _iterate(state, step, converged, limit: int):
  """Run ``step`` on the arrays of ``state`` until ``converged(old, new)`` holds elementwise
  (at most ``limit`` steps), dropping converged elements as it goes; the final states, nan
  where it did not converge (never a silently inaccurate value)."""
  n = state[0].shape[0]
  final = [np.empty_like(s) for s in state]
  idx = np.arange(n)
  for _ in range(limit):
    new = step(state)
    done = converged(state, new)
    state = new
    if np.any(done):
      for f, s_ in zip(final, state):
        f[idx[done]] = s_[done]
      keep = ~done
      idx = idx[keep]
      state = [s_[keep] for s_ in state]
      if idx.size == 0:
        return final
  for f in final:
    f[idx] = np.nan
  return final


def _series(a, x, order):
  """``∂^k P/∂a^k`` by the power series (``x < 1`` or ``x < a``)."""
  from scipy.special import gammaln, polygamma, psi
  ones, zeros = np.ones_like(a), np.zeros_like(a)

  def step(st):
    a_, x_, r, c, dc, d2c, ans, dans, d2ans = st
    r = r + 1
    q = x_ / r
    d2c = d2c * q - 2 * dc * q / r + 2 * c * q / (r * r)
    dc = dc * q - c * q / r
    c = c * q
    return [a_, x_, r, c, dc, d2c, ans + c, dans + dc, d2ans + d2c]

  def converged(old, new):
    _, _, _, c, dc, d2c, ans, dans, d2ans = new
    return ((np.abs(c) <= _EPS * np.abs(ans)) & (np.abs(dc) <= _EPS * np.abs(dans))
            & (np.abs(d2c) <= _EPS * np.abs(d2ans)))

  _, _, _, _, _, _, ans, dans, d2ans = _iterate(
    [a, x, a.copy(), ones, zeros, zeros, ones, zeros, zeros], step, converged,
    max_iterations(a, x))
  ax = np.exp(a * np.log(x) - x - gammaln(a + 1))
  l1 = np.log(x) - psi(a + 1)
  if order == 1:
    return ax * (ans * l1 + dans)
  return ax * ((l1 * l1 - polygamma(1, a + 1)) * ans + 2 * l1 * dans + d2ans)


def _continued_fraction(a, x, order):
  """``-∂^k Q/∂a^k`` by the continued fraction of Q (``x >= 1`` and ``x >= a``)."""
  from scipy.special import gammaln, polygamma, psi
  zeros = np.zeros_like(a)
  y = 1 - a
  z = x + y + 1
  p2, q2, p1, q1 = np.ones_like(a), x.copy(), x + 1, z * x
  dp2, dq2, dp1, dq1 = zeros, zeros, zeros, -x
  d2p2, d2q2, d2p1, d2q1 = zeros, zeros, zeros, zeros
  ans = p1 / q1
  dans = (dp1 - ans * dq1) / q1
  d2ans = (d2p1 - 2 * dans * dq1 - ans * d2q1) / q1

  def step(st):
    c, y, z, p2, q2, p1, q1, dp2, dq2, dp1, dq1, d2p2, d2q2, d2p1, d2q1, ans, dans, d2ans = st
    c, y, z = c + 1, y + 1, z + 2
    yc = y * c
    pk, qk = p1 * z - p2 * yc, q1 * z - q2 * yc
    dpk = dp1 * z - p1 - dp2 * yc + p2 * c
    dqk = dq1 * z - q1 - dq2 * yc + q2 * c
    d2pk = d2p1 * z - 2 * dp1 - d2p2 * yc + 2 * dp2 * c
    d2qk = d2q1 * z - 2 * dq1 - d2q2 * yc + 2 * dq2 * c
    nz = qk != 0
    qs = np.where(nz, qk, 1.0)
    new = pk / qs
    dnew = (dpk - new * dqk) / qs
    d2new = (d2pk - 2 * dnew * dqk - new * d2qk) / qs
    ans, dans, d2ans = (np.where(nz, n, o) for n, o in ((new, ans), (dnew, dans), (d2new, d2ans)))
    out = [p1, q1, pk, qk, dp1, dq1, dpk, dqk, d2p1, d2q1, d2pk, d2qk]
    sc = np.where(np.abs(pk) > _BIG, 1 / _BIG, 1.0)
    return [c, y, z] + [v * sc for v in out] + [ans, dans, d2ans]

  def converged(old, new):
    # the derivatives' recurrences carry rounding noise of ~1e-15 (first) and ~1e-13 (second)
    # relative once converged: stop at a change below 100 times that
    return ((np.abs(new[-3] - old[-3]) <= _EPS * np.abs(new[-3]))
            & (np.abs(new[-2] - old[-2]) <= 1e-13 * np.abs(new[-2]))
            & (np.abs(new[-1] - old[-1]) <= 1e-11 * np.abs(new[-1])))

  state = [zeros, y, z, p2, q2, p1, q1, dp2, dq2, dp1, dq1, d2p2, d2q2, d2p1, d2q1, ans, dans, d2ans]
  ans, dans, d2ans = _iterate(state, step, converged, max_iterations(a, x))[-3:]
  ax = np.exp(a * np.log(x) - x - gammaln(a))
  lg = np.log(x) - psi(a)
  if order == 1:
    return -ax * (ans * lg + dans)
  return -ax * ((lg * lg - polygamma(1, a)) * ans + 2 * lg * dans + d2ans)


def igamma_da(a, x, order: int = 1):
  """``∂^order P(a, x) / ∂a^order`` (order 1 or 2), elementwise: 0 at ``x = 0`` and
  ``x = inf``, nan for ``a <= 0``, ``x < 0`` or nan arguments (as SciPy's gammainc)."""
  dtype = np.result_type(a, x)
  a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
  out = np.full(a64.shape, np.nan)
  valid = (a64 > 0) & (x64 >= 0) & np.isfinite(a64)
  out[valid & ((x64 == 0) | (x64 == np.inf))] = 0.0
  inner = valid & (x64 > 0) & np.isfinite(x64)
  series = inner & ((x64 < 1) | (x64 < a64))
  cf = inner & ~series
  with np.errstate(all="ignore"):
    if np.any(series):
      out[series] = _series(a64[series], x64[series], order)
    if np.any(cf):
      out[cf] = _continued_fraction(a64[cf], x64[cf], order)
  return np.asarray(out, dtype)[()]
