"""What every vjpkit.numpy function starts with: arrays in, NumPy promotion, broadcasting.

vjpkit.numpy follows NumPy 2's rules (NEP 50): Python scalars adopt the dtype
of the array they meet, integer and bool arrays promote to float64 where a
float result is needed, and results are never silently narrowed.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer

_PY = (bool, int, float, complex)


def asarray(x, dtype=None) -> Any:
  """``x`` as an array or tracer (lists and tuples of arrays become stacked arrays).

  >>> asarray([1.0, 2.0])
  array([1., 2.])
  """
  if isinstance(x, Tracer):
    return x if dtype is None else lax.convert_element_type(x, dtype)
  if isinstance(x, (list, tuple)) and any(isinstance(e, Tracer) for e in _flat(x)):
    from .shapes import stack
    return stack([asarray(e, dtype) for e in x])
  return np.asarray(x, dtype)


def array(object, dtype=None, copy: bool = True) -> Any:
  """``object`` as an array, like ``asarray`` but copied as ``numpy.array`` does: a
  concrete result never shares memory with ``object`` (unless ``copy=False``).

  >>> x = np.ones(2)
  >>> array(x) is x
  False
  """
  out = asarray(object, dtype)
  return fresh(out, object) if copy else out


def fresh(out, *inputs) -> Any:
  """``out`` as the new array that NumPy's function of the same name returns (``copy``,
  ``tile``, ``concatenate``, a reduction, a ufunc): a concrete result that is read-only
  (a broadcast view) or may share memory with a concrete input is copied, so that writing
  into it, as NumPy allows, changes nothing else. Traced values are returned as they are
  (nothing writes into them). ``inputs`` may hold lists of arrays."""
  if not isinstance(out, np.ndarray):
    return out
  if not out.flags.writeable:
    return out.copy()
  for a in inputs:
    for x in (a if isinstance(a, (list, tuple)) else (a,)):
      if isinstance(x, np.ndarray) and np.may_share_memory(out, x):
        return out.copy()
  return out


def _flat(x):
  stack = [x]
  while stack:
    e = stack.pop()
    if isinstance(e, (list, tuple)):
      stack.extend(e)
    else:
      yield e


def arraylike(x):
  """Tracers, arrays and Python scalars as they are; lists and other array-likes as arrays."""
  if isinstance(x, (Tracer, np.ndarray, np.generic) + _PY):
    return x
  return asarray(x)


def _dtype_token(x):
  """What np.result_type should see: Python scalars stay weak, arrays give their dtype."""
  if isinstance(x, _PY):
    return x
  return get_aval(arraylike(x)).dtype


def result_type(*args) -> np.dtype:
  tokens = [_dtype_token(a) for a in args]
  first = tokens[0]
  if isinstance(first, np.dtype) and all(isinstance(t, np.dtype) and t == first for t in tokens):
    return first  # one dtype already: NumPy's promotion would return it
  return np.result_type(*tokens)


def convert(x, dtype: np.dtype):
  """``x`` in ``dtype``; Python scalars become NumPy scalars (literals when staged)."""
  if isinstance(x, _PY):
    return np.array(x, dtype)[()]
  if isinstance(x, Tracer):
    return lax.convert_element_type(x, dtype)
  x = np.asarray(x)
  return x if x.dtype == dtype else x.astype(dtype)


def broadcast_to_shape(x, shape: tuple[int, ...]):
  """Broadcast like NumPy; rank-0 values are left alone (lax ops accept them)."""
  xshape = get_aval(x).shape
  if xshape == shape or not xshape:
    return x
  if len(xshape) > len(shape):
    raise ValueError(f"cannot broadcast shape {xshape} to {shape}")
  lead = len(shape) - len(xshape)
  return lax.broadcast_in_dim(x, shape, tuple(range(lead, len(shape))))


def check_real(dtype: np.dtype, who: str) -> None:
  """Reject complex values: vjpkit differentiates real functions only."""
  if np.dtype(dtype).kind == "c":
    raise TypeError(f"vjpkit.numpy.{who} does not support complex inputs (got {np.dtype(dtype).name}); "
                    "vjpkit differentiates real-valued functions: work on the real and imaginary "
                    "parts as separate real arrays.")


def promote(*args, inexact: bool = False, who: str = "function"):
  """Convert ``args`` to one dtype and one shape (rank-0 args stay rank 0)."""
  same = _same_float_aval(args)  # the common case, without NumPy's promotion machinery
  if same is not None:
    return same
  args = [arraylike(a) for a in args]
  dtype = result_type(*args)
  check_real(dtype, who)
  if inexact and dtype.kind not in "fc":
    dtype = np.dtype(np.float64)
  args = [convert(a, dtype) for a in args]
  shape = np.broadcast_shapes(*[get_aval(a).shape for a in args])
  return [broadcast_to_shape(a, shape) for a in args]


def promote_inexact(x, who: str = "function"):
  """Integer and bool inputs of float functions become float64, as in NumPy."""
  x = np.asarray(x) if isinstance(x, _PY) else arraylike(x)
  check_real(get_aval(x).dtype, who)
  if get_aval(x).dtype.kind not in "fc":
    return convert(x, np.dtype(np.float64))
  return x


def canonical_axis(axis: int, ndim: int, who: str = "axis") -> int:
  if not -ndim <= axis < max(ndim, 1):
    raise np.exceptions.AxisError(f"{who} {axis} is out of bounds for an array of dimension {ndim}")
  return axis % ndim if ndim else 0


def scalar_if_0d(x):
  """0-d NumPy results as NumPy scalars, as NumPy's own functions return them."""
  return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x


_FLOAT_SCALARS = frozenset((np.float64, np.float32, np.float16))


def _same_float_aval(args):
  """``promote(*args)`` when every array argument has one real floating aval and the
  others are Python floats or ints (NEP 50: they take that dtype); None otherwise."""
  aval, python_scalars = None, False
  for a in args:
    t = type(a)
    if t is float or t is int:
      python_scalars = True
      continue
    if t is np.ndarray or t in _FLOAT_SCALARS or isinstance(a, Tracer):
      other = get_aval(a)
      if aval is None:
        aval = other
      elif other is not aval and other != aval:
        return None
    else:
      return None
  if aval is None or aval.dtype.kind != "f":
    return None
  if not python_scalars:
    return list(args)
  dtype = aval.dtype
  return [np.array(a, dtype)[()] if type(a) is float or type(a) is int else a for a in args]
