"""The ``vjpkit.scipy.special`` functions that vjpkit.scipy.stats uses, in the dtype of their
arguments (NumPy's promotion of them to a float dtype), as the rest of vjpkit.scipy.stats.

``scipy.special`` picks each ufunc's first loop that takes the inputs, so on its own
``ndtr(float16)`` is float64, ``ndtri(float16)`` float32 and ``betaln(float32, 0.5)``
float64 (its float64 loop comes first); the methods of a distribution would mix those.
Here the arguments are promoted as by NumPy first and the result is returned in that dtype
(for float32 and float64 nothing changes; float16 is computed in SciPy's dtype and rounded).

>>> ndtr(np.float16(0.5)).dtype, betaln(np.float32(2.0), 0.5).dtype
(dtype('float16'), dtype('float32'))
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...core.avals import get_aval
from ...numpy._core import convert, promote
from .. import special as _sp

Array = Any

__all__ = ["betainc", "betaincinv", "betaln", "expit", "gammainc", "gammaincc", "gammainccinv",
           "gammaincinv", "gammaln", "i0e", "log_ndtr", "ndtr", "ndtri", "ndtri_exp", "stdtr",
           "stdtrit", "xlog1py", "xlogy"]


def _in_input_dtype(f: Callable) -> Callable:
  def g(*args: Array) -> Array:
    args = promote(*args, inexact=True, who=f"scipy.special.{f.__name__}")
    dtype = np.dtype(get_aval(args[0]).dtype)
    out = f(*args)
    return out if get_aval(out).dtype == dtype else convert(out, dtype)
  g.__name__ = g.__qualname__ = f.__name__
  g.__doc__ = f.__doc__
  return g


betainc, betaincinv, betaln, expit, gammainc, gammaincc, gammainccinv, gammaincinv, gammaln, \
  i0e, log_ndtr, ndtr, ndtri, ndtri_exp, stdtr, stdtrit, xlog1py, xlogy = (
    _in_input_dtype(getattr(_sp, name)) for name in __all__)
