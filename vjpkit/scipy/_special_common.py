"""Wrappers that make a ``vjpkit.lax`` special-function primitive a SciPy-style function:
SciPy's dtypes and broadcasting of the arguments.

The dtype is that of the loop the ``scipy.special`` ufunc of the same name runs for these
inputs (its first loop that takes them safely, ``ufunc.resolve_dtypes``), and the inputs
are converted to it before the primitive, so the values are computed as SciPy computes them.
It is not always NumPy's promotion: ``erf(float16)`` is float64 (SciPy has no float16
loop, and its float64 loop comes first), ``exp1(int8)`` is float32 (its float32 loop comes
first), ``exp1(int32)`` float64, ``expn(2, float32)`` float64 (its ``(long, double)`` loop
comes first). Without SciPy, or for inputs no loop takes (SciPy raises there), the inputs
are promoted as by NumPy (integers and bools become float64), and the primitive decides.

>>> promote_scipy("erf", np.float16(0.5))[0].dtype, promote_scipy("exp1", np.int8(1))[0].dtype
(dtype('float64'), dtype('float32'))
>>> promote_scipy("jv", 2, np.float32(0.5))[1].dtype      # a Python scalar is weak
dtype('float32')
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ..core.avals import get_aval
from ..numpy._core import _PY, arraylike, convert, promote

Array = Any

__all__ = ["nary", "promote_scipy", "scipy_dtype", "unary"]


def unary(name: str, op: Callable, doc: str) -> Callable:
  """``op`` on one argument in the dtype of ``scipy.special.<name>`` (see ``promote_scipy``)."""
  def f(x: Array) -> Array:
    return op(*promote_scipy(name, x))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = doc
  return f


def nary(name: str, op: Callable, doc: str) -> Callable:
  """``op`` on its arguments in the dtype of ``scipy.special.<name>``, broadcast together."""
  def f(*args: Array) -> Array:
    return op(*promote_scipy(name, *args))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = doc
  return f


def promote_scipy(name: str, *args: Array, who: str | None = None) -> list:
  """``args`` converted to the dtype of the loop ``scipy.special.<name>`` runs for them, and
  broadcast to one shape (rank-0 args stay rank 0); NumPy's promotion to an inexact dtype
  where there is no such loop (see the module docstring)."""
  who = who or f"scipy.special.{name}"
  arrays = [arraylike(a) for a in args]
  dtype = scipy_dtype(name, *arrays)
  if dtype is not None:
    arrays = [convert(a, dtype) for a in arrays]
  return promote(*arrays, inexact=True, who=who)


def scipy_dtype(name: str, *args: Array) -> np.dtype | None:
  """The dtype of the loop of the ``scipy.special.<name>`` ufunc for ``args`` (Python scalars
  and weak traced scalars weak, as NumPy 2 treats Python scalars), or None: without SciPy,
  when it is no ufunc, or when no loop takes these dtypes.

  >>> scipy_dtype("erfinv", np.array([1, 2], np.int16)), scipy_dtype("erf", np.float32(1))
  (dtype('float32'), dtype('float32'))
  """
  return _loop_dtype(name, tuple(_token(a) for a in args))


def _token(x) -> Any:
  """What ``ufunc.resolve_dtypes`` takes for ``x``: its dtype, or the Python type of a Python
  scalar or a weak traced scalar (weak: it adopts the dtype of the arrays it meets)."""
  if isinstance(x, bool):
    return np.dtype(np.bool_)
  if isinstance(x, _PY):
    return type(x)
  aval = get_aval(x)
  if aval.weak_type and aval.dtype.kind in "iufc":
    return {"i": int, "u": int, "f": float, "c": complex}[aval.dtype.kind]
  return aval.dtype


@functools.lru_cache(maxsize=1024)
def _loop_dtype(name: str, tokens: tuple) -> np.dtype | None:
  try:
    import scipy.special
  except ImportError:  # pragma: no cover - scipy is in the test extras
    return None
  ufunc = getattr(scipy.special, name, None)
  if not isinstance(ufunc, np.ufunc) or ufunc.nin != len(tokens):
    return None
  try:
    return ufunc.resolve_dtypes(tokens + (None,) * ufunc.nout)[ufunc.nin]
  except (TypeError, ValueError):  # no loop takes them: SciPy raises; the primitive decides
    return None
