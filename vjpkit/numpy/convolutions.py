"""``convolve`` and ``correlate`` (NumPy's, 1-D), on the ``lax.conv_general_dilated`` primitive.

Every mode is a window of the full convolution: the window's start and length
become the (possibly negative) padding of one ``conv_general_dilated`` with the
reversed kernel, so "same" and "valid" cost no more than their output.
``full_window_conv`` is that N-d building block, shared with ``vjpkit.scipy.signal``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np  # noqa: F401 - the doctests use it

from .. import lax
from ..core.avals import get_aval
from ._core import arraylike, convert, result_type

__all__ = ["conj_if_complex", "convolve", "correlate", "full_window_conv", "promote_pair"]

Array = Any


def full_window_conv(x, k, starts: Sequence[int], lengths: Sequence[int]):
  """``full[starts : starts + lengths]`` of the full N-d convolution of ``x`` with ``k``
  (same rank, no batch or feature axes), computed directly: a correlation with the
  reversed kernel whose padding is the window."""
  xs, ks = get_aval(x).shape, get_aval(k).shape
  pads = [(n - 1 - s, length + s - m) for m, n, s, length in zip(xs, ks, starts, lengths)]
  k = lax.rev(k, tuple(range(len(ks))))
  out = lax.conv_general_dilated(lax.expand_dims(x, (0, 1)), lax.expand_dims(k, (0, 1)),
                                 (1,) * len(xs), pads)
  return lax.reshape(out, tuple(lengths))


def _vectors(a, v, who: str):
  a, v = promote_pair(a, v, who)
  for name, x in (("a", a), ("v", v)):
    if get_aval(x).ndim != 1:
      raise ValueError(f"vjpkit.numpy.{who}: {name} must be 1-D, got shape {get_aval(x).shape}")
    if get_aval(x).shape[0] == 0:
      raise ValueError(f"vjpkit.numpy.{who}: {name} cannot be empty")
  return a, v


def promote_pair(a, v, who: str):
  """Both at one dtype (NumPy's promotion), each keeping its shape."""
  a, v = arraylike(a), arraylike(v)
  dtype = result_type(a, v)
  return convert(a, dtype), convert(v, dtype)


def conj_if_complex(x):
  """``conj(x)`` for complex ``x``: correlations conjugate their second operand."""
  return lax.conj(x) if get_aval(x).dtype.kind == "c" else x


def _window(m: int, n: int, mode: str, who: str, correlate: bool) -> tuple[int, int]:
  full = m + n - 1
  if mode == "full":
    return 0, full
  if mode == "same":
    if correlate and m < n:
      return m // 2, n
    return (min(m, n) - 1) // 2, max(m, n)
  if mode == "valid":
    return min(m, n) - 1, max(m, n) - min(m, n) + 1
  raise ValueError(f"vjpkit.numpy.{who}: mode must be 'full', 'same' or 'valid', got {mode!r}")


def convolve(a: Array, v: Array, mode: str = "full") -> Array:
  """The discrete linear convolution of two 1-D arrays (NumPy's ``convolve``).

  >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
  array([0. , 1. , 2.5, 4. , 1.5])
  >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "same")
  array([1. , 2.5, 4. ])
  """
  a, v = _vectors(a, v, "convolve")
  m, n = get_aval(a).shape[0], get_aval(v).shape[0]
  start, length = _window(m, n, mode, "convolve", False)
  return full_window_conv(a, v, (start,), (length,))


def correlate(a: Array, v: Array, mode: str = "valid") -> Array:
  """The cross-correlation of two 1-D arrays, ``c[k] = sum_n a[n + k] conj(v[n])`` (NumPy's
  ``correlate``).

  >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
  array([3.5])
  >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "full")
  array([0.5, 2. , 3.5, 3. , 0. ])
  """
  a, v = _vectors(a, v, "correlate")
  m, n = get_aval(a).shape[0], get_aval(v).shape[0]
  start, length = _window(m, n, mode, "correlate", True)
  return full_window_conv(a, lax.rev(conj_if_complex(v), (0,)), (start,), (length,))
