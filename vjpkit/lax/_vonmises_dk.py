"""The first and second derivatives of the von Mises cdf in ``kappa``, on NumPy arrays (the
impl of ``vjpkit.lax.special_stats.vonmises_cdf_grad``).

``F(x; κ) = 1/2 + x/(2π) + (1/π) Σ_{n≥1} r_n(κ) sin(n x)/n`` with ``r_n = I_n/I_0`` (on the
whole real line: the series is periodic, ``x/(2π)`` gives each period its 1), so
``∂^k F/∂κ^k = (1/π) Σ r_n^(k)(κ) sin(n x)/n``, the ``r_n^(k)`` by ``I_n' = (I_{n-1} +
I_{n+1})/2`` from the scaled Bessel functions (their ``e^-κ`` cancels in the ratios). The
terms fall like ``exp(-n²/2κ)``: ``20 + 9√κ`` of them; past ``κ = 3·10^5`` (5000 terms) the
result is nan, never an inaccurate value. The accuracy is absolute, about ``1e-16``, like
that of SciPy's cdf.
"""
from __future__ import annotations

import numpy as np

__all__ = ["vonmises_cdf_dk"]

_MAX_TERMS = 5000


def vonmises_cdf_dk(x, kappa, order: int = 1):
  """``∂^order F(x; κ)/∂κ^order`` (order 1 or 2), elementwise; nan for ``κ <= 0`` or nan
  arguments."""
  from scipy.special import ive
  dtype = np.result_type(x, kappa)
  x64, k64 = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(kappa, np.float64))
  shape = x64.shape
  x64, k64 = x64.ravel(), k64.ravel()
  out = np.full(x64.shape, np.nan)
  ok = (k64 > 0) & np.isfinite(x64) & (k64 <= 3e5)
  if np.any(ok):
    xs, ks = x64[ok], k64[ok]
    n_terms = int(20 + 9 * np.sqrt(np.max(ks)))
    iv = ive(np.arange(n_terms + 3)[:, None], ks[None, :])    # I_m e^-κ, m = 0 .. N + 2
    n = np.arange(1, n_terms + 1)[:, None]

    def bessel(m):   # I_m for the orders m (an array of ints, negative allowed: I_-m = I_m)
      return iv[np.abs(m).ravel()]

    i0, i0d = iv[0], iv[1]
    i0dd = (iv[0] + iv[2]) / 2
    i_n = bessel(n)
    i_nd = (bessel(n - 1) + bessel(n + 1)) / 2
    if order == 1:
      r = i_nd / i0 - i_n * i0d / i0 ** 2
    else:
      i_ndd = (bessel(n - 2) + 2 * i_n + bessel(n + 2)) / 4
      r = (i_ndd / i0 - 2 * i_nd * i0d / i0 ** 2 - i_n * i0dd / i0 ** 2
           + 2 * i_n * i0d ** 2 / i0 ** 3)
    out[ok] = np.sum(r * np.sin(n * xs[None, :]) / n, 0) / np.pi
  return np.asarray(out.reshape(shape), dtype)[()]
