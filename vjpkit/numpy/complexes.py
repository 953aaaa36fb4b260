"""Complex-number predicates and helpers: ``iscomplexobj``, ``isrealobj``, ``iscomplex``,
``isreal``, ``real_if_close``, ``sort_complex``.

The parts themselves (``real``, ``imag``, ``conj``, ``angle``) are elementwise functions
in ``ufuncs``. ``iscomplexobj``/``isrealobj`` read the dtype only; ``iscomplex``/``isreal``
test values (no derivative: boolean results).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, convert, promote
from .ufuncs import imag, real

Array = Any

__all__ = ["iscomplex", "iscomplexobj", "isreal", "isrealobj", "real_if_close", "sort_complex"]


def _dtype(x) -> np.dtype:
  return get_aval(x).dtype if isinstance(x, Tracer) else np.asarray(x).dtype


def iscomplexobj(x: Array) -> bool:
  """True when ``x`` has a complex dtype (whatever its values).

  >>> iscomplexobj(np.array([1.0 + 0j])), iscomplexobj(1.0)
  (True, False)
  """
  return _dtype(x).kind == "c"


def isrealobj(x: Array) -> bool:
  """True when ``x`` does not have a complex dtype.

  >>> isrealobj(np.array([1.0, 2.0]))
  True
  """
  return not iscomplexobj(x)


def iscomplex(x: Array) -> Array:
  """True where an element has a nonzero imaginary part.

  >>> iscomplex(np.array([1 + 1j, 2 + 0j, 3.0]))
  array([ True, False, False])
  """
  return _imaginary_test(x, lax.ne, False, "iscomplex")


def isreal(x: Array) -> Array:
  """True where an element has a zero imaginary part (every element of a real array).

  >>> isreal(np.array([1 + 1j, 2 + 0j]))
  array([False,  True])
  """
  return _imaginary_test(x, lax.eq, True, "isreal")


def _imaginary_test(x, compare, for_real: bool, who: str):
  """``compare(imag(x), 0)`` elementwise; ``for_real`` everywhere for a real ``x``."""
  x = promote(x, who=who)[0]
  if get_aval(x).dtype.kind != "c":
    return lax.full(get_aval(x).shape, for_real, np.dtype(bool))
  im = imag(x)
  return compare(im, lax.full((), 0, get_aval(im).dtype))


def real_if_close(a: Array, tol: float = 100) -> Array:
  """The real part of ``a`` when every imaginary part is within ``tol`` machine epsilons of
  zero (``tol`` > 1), ``a`` itself otherwise. The choice reads the values, so ``a`` must be
  concrete (not under ``jit``/``vmap``).

  >>> real_if_close(np.array([2.1 + 4e-14j, 5.2 + 3e-15j]), tol=1000)
  array([2.1, 5.2])
  """
  a = asarray(a)
  dtype = get_aval(a).dtype
  if dtype.kind != "c":
    return a
  eps = np.finfo(dtype).eps
  bound = tol * eps if tol > 1 else tol
  im = lax.stop_gradient(imag(a))
  im = im._concrete("real_if_close") if isinstance(im, Tracer) else im
  return real(a) if bool(np.all(np.abs(im) < bound)) else a


def sort_complex(a: Array) -> Array:
  """``a`` sorted by real part, then imaginary part, as complex (like NumPy).

  >>> sort_complex(np.array([5, 3, 6, 2, 1]))
  array([1.+0.j, 2.+0.j, 3.+0.j, 5.+0.j, 6.+0.j])
  """
  from .sorting import sort
  a = asarray(a)
  dtype = get_aval(a).dtype
  # NumPy's rule: complex64 for small integers, long double complex for long doubles,
  # complex128 otherwise (also for float32)
  target = np.dtype(dtype if dtype.kind == "c" else "F" if dtype.char in "bhBH"
                    else "G" if dtype.char == "g" else "D")
  a = convert(a, target) if dtype != target else a
  if get_aval(a).ndim == 0:
    return a
  return sort(a, axis=-1)  # lexicographic, NaNs last as NumPy's
