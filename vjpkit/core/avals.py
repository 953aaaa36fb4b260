"""Abstract values: what a transform may know about an array without its data.

Every value flowing through vjpkit has an aval (shape + dtype). Tracers carry
only their aval; concrete values are NumPy arrays, NumPy scalars or Python
numbers. Tangent and cotangent spaces are derived from avals here so that
every interpreter agrees on them.

Weak types. A tracer that stands for a Python int, float or complex *argument* of a
transform (``jit(f)(a, 2.0)``, ``grad(f)(2.0)``) has ``weak_type=True``: vjpkit.numpy
then promotes it as NumPy promotes the Python scalar itself (NEP 50: with a float32
array it gives float32), so a transformed function computes the dtypes its eager
call does. Only arguments are weak: every primitive's result is strong, as eager
results (NumPy values) are, and ``vjpkit.numpy.asarray`` makes a weak value strong
like ``numpy.asarray(2.0)`` does. Weakness is a promotion hint, not part of the
type: avals differing only in it compare (and hash) equal, so programs, loop
carries and branch checks are unaffected; the jit cache keys on it separately.
"""
from __future__ import annotations

import math

import numpy as np

# JAX's dtype of the tangent space of integer and boolean values: a value of
# this dtype carries no information, so it can never be mistaken for data.
float0 = np.dtype([("float0", np.void, 0)])

_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64",
          "int32": "i32", "int16": "i16", "int8": "i8", "uint64": "u64", "uint32": "u32",
          "uint16": "u16", "uint8": "u8", "bool": "bool", "complex128": "c128",
          "complex64": "c64"}


def short_dtype(dtype: np.dtype) -> str:
  """``float64`` -> ``f64``: the compact dtype names used in printed programs."""
  if dtype == float0:
    return "float0"
  return _SHORT.get(dtype.name, dtype.name)


def is_float(dtype: np.dtype) -> bool:
  """True for the real floating dtypes."""
  return dtype.kind == "f"


def is_inexact(dtype: np.dtype) -> bool:
  """True for the floating and complex dtypes, the ones that carry derivatives."""
  return dtype.kind in "fc"


class ShapedArray:
  """The abstract value of an array: its shape and dtype (and whether it is weak, see
  the module docstring; ``==`` ignores that flag)."""
  __slots__ = ("shape", "dtype", "weak_type", "_hash", "_size")
  array_abstraction_level = 1

  def __init__(self, shape, dtype, weak_type: bool = False):
    self.shape = tuple(shape)
    self.dtype = np.dtype(dtype)
    self.weak_type = weak_type
    self._hash = self._size = None

  @property
  def ndim(self) -> int:
    return len(self.shape)

  @property
  def size(self) -> int:
    size = self._size
    if size is None:
      size = self._size = math.prod(self.shape)
    return size

  def __eq__(self, other):
    return (type(other) is ShapedArray and self.shape == other.shape
            and self.dtype == other.dtype)

  def __hash__(self):
    h = self._hash
    if h is None:
      h = self._hash = hash((self.shape, self.dtype))
    return h

  def str_short(self) -> str:
    return f"{short_dtype(self.dtype)}[{','.join(map(str, self.shape))}]"

  __str__ = str_short

  def __repr__(self):
    weak = ", weak_type=True" if self.weak_type else ""
    return f"ShapedArray({self.str_short()}{weak})"

  def update(self, shape=None, dtype=None) -> "ShapedArray":
    """A new (strong) aval with ``shape`` and/or ``dtype`` replaced."""
    return ShapedArray(self.shape if shape is None else shape,
                       self.dtype if dtype is None else dtype)

  def with_weak_type(self, weak: bool) -> "ShapedArray":
    """This aval with the weak flag set to ``weak`` (itself when it already is)."""
    return self if self.weak_type == weak else ShapedArray(self.shape, self.dtype, bool(weak))

  def strong(self) -> "ShapedArray":
    """This aval without the weak flag (itself when it is not weak)."""
    return ShapedArray(self.shape, self.dtype) if self.weak_type else self


_PY_SCALARS = (bool, int, float, complex)

# get_aval is the hottest function of eager differentiation: avals of arrays are
# shared per (shape, dtype) instead of being rebuilt on every call.
_AVALS: dict = {}
_SCALAR_AVALS: dict = {}


def _array_aval(x) -> ShapedArray:
  key = (x.shape, x.dtype)
  aval = _AVALS.get(key)
  if aval is None:
    if x.dtype.kind in "OUSV" and x.dtype != float0:
      raise TypeError(f"arrays of dtype {x.dtype} are not supported by vjpkit "
                      "(use a numeric dtype)")
    if len(_AVALS) > 10_000:
      _AVALS.clear()
    aval = _AVALS[key] = ShapedArray(*key)
  return aval


def get_aval(x) -> ShapedArray:
  """The aval of a value or tracer; a TypeError for anything that is not an array."""
  t = type(x)
  if t is np.ndarray:
    return _array_aval(x)
  aval = _SCALAR_AVALS.get(t)
  if aval is not None:
    return aval
  aval = getattr(x, "aval", None)
  if aval is not None and type(aval) is ShapedArray:
    return aval
  if isinstance(x, (np.ndarray, np.generic)):
    return _array_aval(x)
  if isinstance(x, _PY_SCALARS):
    return ShapedArray((), _python_scalar_dtype(x))
  raise TypeError(f"value of type {type(x).__name__!r} is not a valid vjpkit array "
                  "(expected a NumPy array, a NumPy scalar or a Python number)")


def _python_scalar_dtype(x) -> np.dtype:
  if isinstance(x, bool):
    return np.dtype(bool)
  if isinstance(x, int):
    return np.dtype(np.int64)
  if isinstance(x, float):
    return np.dtype(np.float64)
  return np.dtype(np.complex128)


for _t in (bool, int, float, complex):
  _SCALAR_AVALS[_t] = ShapedArray((), _python_scalar_dtype(_t()))
for _nt in (np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8,
            np.bool_, np.complex128, np.complex64):
  _SCALAR_AVALS[_nt] = ShapedArray((), np.dtype(_nt))


_WEAK_AVALS = {t: ShapedArray((), _python_scalar_dtype(t()), weak_type=True)
               for t in (int, float, complex)}


def arg_aval(x) -> ShapedArray:
  """The aval of a transform's argument: weak for a Python int, float or complex (not
  bool: NumPy 2 promotes Python bools like bool arrays), ``get_aval(x)`` otherwise."""
  aval = _WEAK_AVALS.get(type(x))
  return get_aval(x) if aval is None else aval


def is_weak_scalar(x) -> bool:
  """True for the Python scalars that are weakly typed (int, float, complex; not bool)."""
  return type(x) in _WEAK_AVALS


def tangent_aval(aval: ShapedArray) -> ShapedArray:
  """The aval of tangents (and cotangents) of values of ``aval``."""
  if is_inexact(aval.dtype):
    return aval
  return ShapedArray(aval.shape, float0)


def is_array_value(x) -> bool:
  """True for the concrete leaves vjpkit accepts (arrays, NumPy scalars, Python numbers)."""
  return isinstance(x, (np.ndarray, np.generic) + _PY_SCALARS)
