"""Which values are arrays of another array library (Dask, CuPy, array-api-strict, ...).

vjpkit computes with NumPy. A *foreign* array is a non-NumPy array that implements
the Python array API standard (it has ``__array_namespace__``, or ``array-api-compat``
knows its library: Dask, CuPy, PyTorch, JAX, ...). The public transforms route calls
with foreign leaves to the array-API evaluator (``vjpkit/api_array.py``); everything
else takes the NumPy path, which pays one type lookup per argument for this check.

>>> import numpy as np
>>> is_foreign(np.ones(3)), is_foreign(1.0)
(False, False)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .trace import Tracer

__all__ = ["NATIVE_TYPES", "foreign_type", "is_foreign", "library_name", "namespace_of", "numpy_dtype"]

# libraries whose arrays array-api-compat wraps even without __array_namespace__
_KNOWN_LIBRARIES = frozenset(("dask", "cupy", "torch", "jax", "jaxlib", "sparse", "ndonnx"))
NATIVE_TYPES = frozenset((np.ndarray, float, int, bool, complex, str, bytes, type(None), np.float64,
                     np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8,
                     np.uint16, np.uint32, np.uint64, np.bool_, np.complex128, np.complex64))
_FOREIGN_TYPES: dict[type, bool] = {}


def foreign_type(t: type) -> bool:
  """Whether values of type ``t`` are foreign arrays (cached per type)."""
  known = _FOREIGN_TYPES.get(t)
  if known is None:
    root = (getattr(t, "__module__", "") or "").split(".")[0]
    known = (not issubclass(t, (np.ndarray, np.generic, Tracer)) and root != "numpy"
             and (hasattr(t, "__array_namespace__") or root in _KNOWN_LIBRARIES)
             and hasattr(t, "shape") and hasattr(t, "dtype"))
    _FOREIGN_TYPES[t] = known
  return known


def is_foreign(x: Any) -> bool:
  """True for an array of a non-NumPy array-API library (a Dask or CuPy array, ...)."""
  t = type(x)
  return t not in NATIVE_TYPES and foreign_type(t)


def library_name(x: Any) -> str:
  """The array library of ``x`` by its package name ('dask', 'cupy', 'array_api_strict')."""
  return (type(x).__module__ or "").split(".")[0]


def namespace_of(x: Any) -> Any:
  """The array-API namespace of a foreign array (through array-api-compat when installed)."""
  try:
    import array_api_compat
  except ImportError:
    pass
  else:
    try:
      return array_api_compat.array_namespace(x)
    except TypeError:
      pass
  if hasattr(x, "__array_namespace__"):
    return x.__array_namespace__()
  raise TypeError(
      f"vjpkit: an argument is a {library_name(x)} array ({type(x).__name__}), which vjpkit "
      "can run on only through the array API: install array-api-compat (pip install "
      "'vjpkit[dask]', 'vjpkit[cupy]' or 'vjpkit[array-api]'), or pass NumPy arrays")


def numpy_dtype(dtype: Any) -> np.dtype:
  """The NumPy dtype named like an array library's dtype (``float64`` for
  ``array_api_strict.float64`` or ``torch.float64``)."""
  try:
    return np.dtype(dtype)
  except TypeError:
    return np.dtype(str(dtype).rsplit(".", 1)[-1])
