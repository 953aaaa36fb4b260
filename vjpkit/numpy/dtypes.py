"""Questions about types, shapes and values that return Python values: ``isscalar``,
``iterable``, ``broadcast_shapes``, ``promote_types``, ``can_cast``, ``issubdtype``,
``isdtype``, and the comparisons ``array_equal`` and ``array_equiv``.

The dtype functions are NumPy's. ``isscalar`` counts a rank-0 traced value as a scalar
(it stands for the NumPy scalar that the same code returns eagerly).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray

Array = Any


def isscalar(element: Any) -> bool:
  """True for Python and NumPy scalars and for rank-0 traced values.

  >>> isscalar(3.0), isscalar(np.float32(1)), isscalar([1.0])
  (True, True, False)
  """
  if isinstance(element, Tracer):
    return get_aval(element).ndim == 0
  return bool(np.isscalar(element))


def iterable(y: Any) -> bool:
  """True if ``iter(y)`` works (rank-0 values are not iterable).

  >>> iterable([1, 2]), iterable(2.0)
  (True, False)
  """
  if isinstance(y, Tracer):
    return get_aval(y).ndim > 0
  return bool(np.iterable(y))


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
  """The shape that ``shapes`` broadcast to.

  >>> broadcast_shapes((2, 1), (3,))
  (2, 3)
  """
  return tuple(np.broadcast_shapes(*shapes))


def promote_types(a: Any, b: Any) -> np.dtype:
  """The smallest dtype both ``a`` and ``b`` cast to safely (NumPy's).

  >>> promote_types(np.int32, np.float32)
  dtype('float64')
  """
  return np.promote_types(a, b)


def can_cast(from_: Any, to: Any, casting: Any = "safe") -> bool:
  """Whether ``from_`` (a dtype, or an array: its dtype) casts to ``to`` under ``casting``.

  >>> can_cast(np.int64, np.float64), can_cast(np.float64, np.int32)
  (True, False)
  """
  if isinstance(from_, Tracer):
    from_ = get_aval(from_).dtype
  elif isinstance(from_, (bool, int, float, complex)):
    raise TypeError("can_cast() does not support Python ints, floats, and complex because the "
                    "result used to depend on the value; pass a dtype or an array instead.")
  return bool(np.can_cast(from_, to, casting))


def issubdtype(arg1: Any, arg2: Any) -> bool:
  """Whether ``arg1`` is lower than or equal to ``arg2`` in NumPy's type hierarchy.

  >>> issubdtype(np.float32, np.floating), issubdtype(np.int64, np.floating)
  (True, False)
  """
  return bool(np.issubdtype(arg1, arg2))


def isdtype(dtype: Any, kind: Any) -> bool:
  """The array API's kind test (``'bool'``, ``'signed integer'``, ``'integral'``,
  ``'real floating'``, ``'numeric'``, a dtype, or a tuple of them).

  >>> isdtype(np.float64, "real floating"), isdtype(np.int8, ("bool", "integral"))
  (True, True)
  """
  return bool(np.isdtype(np.dtype(dtype), kind))


def _equal_all(a1, a2, equal_nan: bool):
  from . import ufuncs
  from .reductions import all as _all
  eq = ufuncs.equal(a1, a2)
  if equal_nan and np.result_type(get_aval(a1).dtype, get_aval(a2).dtype).kind == "f":
    eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
  r = _all(eq)
  return r if isinstance(r, Tracer) else bool(r)


def array_equal(a1: Array, a2: Array, equal_nan: bool = False) -> Any:
  """True if the arrays have the same shape and elements (NaNs equal with
  ``equal_nan``); a traced boolean when the values are traced.

  >>> array_equal([1.0, 2.0], [1.0, 2.0]), array_equal([1.0], [1.0, 1.0])
  (True, False)
  """
  a1, a2 = asarray(a1), asarray(a2)
  if get_aval(a1).shape != get_aval(a2).shape:
    return False
  return _equal_all(a1, a2, equal_nan)


def array_equiv(a1: Array, a2: Array) -> Any:
  """True if the arrays broadcast to one shape and are equal elementwise.

  >>> array_equiv([1.0, 2.0], [[1.0, 2.0], [1.0, 2.0]]), array_equiv([1.0, 2.0], [3.0])
  (True, False)
  """
  a1, a2 = asarray(a1), asarray(a2)
  try:
    np.broadcast_shapes(get_aval(a1).shape, get_aval(a2).shape)
  except ValueError:
    return False
  return _equal_all(a1, a2, False)
