"""What every vjpkit.numpy function starts with: arrays in, NumPy promotion, broadcasting.

vjpkit.numpy follows NumPy 2's rules (NEP 50): Python scalars adopt the dtype
of the array they meet, integer and bool arrays promote to float64 where a
float result is needed, and results are never silently narrowed.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.backends import is_foreign, library_name
from ..core.errors import ConcretizationTypeError, TracerIntegerConversionError
from ..core.trace import Tracer

_PY = (bool, int, float, complex)


def asarray(x, dtype=None) -> Any:
  """``x`` as an array or tracer (lists and tuples of arrays become stacked arrays).

  >>> asarray([1.0, 2.0])
  array([1., 2.])
  """
  return _asarray(x, dtype, "asarray")


def _asarray(x, dtype, who: str) -> Any:
  if isinstance(x, Tracer):
    if x.aval.weak_type:  # like numpy.asarray(2.0): an array, no longer a weak scalar
      return strong(x, x.aval.dtype if dtype is None else dtype)
    return x if dtype is None else lax.convert_element_type(x, dtype)
  if isinstance(x, (list, tuple)) and any(isinstance(e, Tracer) for e in _flat(x)):
    from .shapes import stack
    elements = [_asarray(e, dtype, who) for e in x]
    shapes = list(dict.fromkeys(get_aval(e).shape for e in elements))
    if len(shapes) > 1:
      raise _ragged(who, f"its elements have the shapes {shapes[0]} and {shapes[1]}")
    return stack(elements)
  if is_foreign(x) or isinstance(x, (list, tuple)) and any(is_foreign(leaf) for leaf in _flat(x)):
    raise _foreign_error(x, who)
  try:
    return np.asarray(x, dtype)
  except ValueError as e:
    _raise_if_ragged(x, e, who)
    raise


def _foreign_error(x, who: str) -> TypeError:
  if isinstance(x, (list, tuple)):
    x = next(leaf for leaf in _flat(x) if is_foreign(leaf))
  lib = library_name(x)
  return TypeError(
      f"vjpkit.numpy.{who}: got a {lib} array ({type(x).__name__}) outside a transform (or "
      "closed over by the transformed function). vjpkit.numpy computes eagerly with NumPy, "
      f"which would pull the whole array into memory, so vjpkit does not convert it. Pass it "
      f"as an argument of vjpkit.jit, grad, vjp, jvp or vmap, which then compute with {lib} "
      "(docs/array-backends.md), or convert it yourself (numpy.asarray(x), x.compute() for Dask).")


def _raise_if_ragged(x, e: ValueError, who: str) -> None:
  if isinstance(x, (list, tuple)) and "inhomogeneous" in str(e):
    detail = str(e).split("The requested array has ")[-1].rstrip(".")
    raise _ragged(who, f"NumPy found {detail}") from None


def _ragged(who: str, detail: str) -> ValueError:
  return ValueError(
      f"vjpkit.numpy.{who}: the nested sequence is ragged (its sublists differ in length or "
      f"shape), so it is not an array: {detail}. Make every sublist the same length (pad them), "
      "or keep the pieces as a list of separate arrays (a pytree).")


def array(object, dtype=None, *, copy: bool | None = True, order: Any = "K", ndmin: int = 0) -> Any:
  """``object`` as an array, copied like ``numpy.array``: a NumPy result is a fresh
  writable array unless ``copy`` is None or False (``asarray`` shares memory). A
  traced value is immutable, so it is returned as it is (converted to ``dtype``).

  >>> x = np.zeros(2); y = array(x); y[0] = 1.0; x
  array([0., 0.])
  >>> array([[1.0], [2.0]]).shape
  (2, 1)
  """
  if isinstance(object, Tracer) or (isinstance(object, (list, tuple)) and any(
      isinstance(e, Tracer) for e in _flat(object))):
    out = _asarray(object, dtype, "array")
    nd = get_aval(out).ndim
    return out if nd >= ndmin else lax.reshape(out, (1,) * (ndmin - nd) + get_aval(out).shape)
  try:
    return np.array(object, dtype, copy=copy, order=order, ndmin=ndmin)
  except ValueError as e:
    _raise_if_ragged(object, e, "array")
    raise


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


def strong(x, dtype=None):
  """A weak tracer (a transform's Python-scalar argument) as a strong value of ``dtype``
  (its own by default); the same value, with no operation, when the dtype is its own."""
  if dtype is not None and np.dtype(dtype) != x.aval.dtype:
    return lax.convert_element_type(x, dtype)  # its result is strong
  with_weak_type = getattr(x, "with_weak_type", None)
  if with_weak_type is None:  # a tracer type of an extension: a (no-op) conversion
    return lax.convert_element_type_p.bind(x, new_dtype=x.aval.dtype)
  return with_weak_type(False)


# NumPy promotes a Python scalar by its kind alone (NEP 50): a weak tracer stands in for it.
_WEAK_TOKENS = {"i": 0, "f": 0.0, "c": 0j}


def _dtype_token(x):
  """What np.result_type should see: Python scalars and weak tracers stay weak, arrays
  give their dtype."""
  if isinstance(x, _PY):
    return x
  aval = get_aval(arraylike(x))
  if aval.weak_type:
    return _WEAK_TOKENS.get(aval.dtype.kind, aval.dtype)
  return aval.dtype


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
  if not isinstance(x, np.generic):  # NumPy scalars stay scalars (their astype)
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
  """Reject complex values where a function is defined for real ones only (an ordering, a
  real-only special function): NumPy's TypeError, naming ``vjpkit.numpy.<who>``."""
  if np.dtype(dtype).kind == "c":
    raise TypeError(f"vjpkit.numpy.{who} does not support complex inputs (got "
                    f"{np.dtype(dtype).name}): it is defined for real values only. Apply it to "
                    "the real and imaginary parts (vjpkit.numpy.real/imag) or to abs(x).")


def inexact_dtype(dtype: np.dtype, ufunc: bool = False) -> np.dtype:
  """The float dtype in which a float function computes on integers or bools (``dtype``
  itself if it is inexact): float64, as NumPy's functions; with ``ufunc``, as NumPy's float
  ufuncs (sin, exp, arctan2, ...), whose loops start at float16: the smallest float that
  holds every value, float16 for bool and 8-bit integers, float32 for 16-bit ones.

  >>> inexact_dtype(np.dtype(np.int8)), inexact_dtype(np.dtype(np.int8), ufunc=True)
  (dtype('float64'), dtype('float16'))
  """
  if dtype.kind in "fc":
    return dtype
  return np.promote_types(dtype, np.float16) if ufunc else np.dtype(np.float64)


def promote(*args, inexact: bool = False, who: str = "function", real: bool = False,
            ufunc: bool = False):
  """Convert ``args`` to one dtype and one shape (rank-0 args stay rank 0); ``real``:
  complex values are rejected (a function defined for real numbers only); ``inexact``:
  integers and bools become floats (``inexact_dtype``; ``ufunc``: as NumPy's float ufuncs)."""
  same = _same_float_aval(args)  # the common case, without NumPy's promotion machinery
  if same is not None:
    return same
  arrays = [arraylike(a) for a in args]
  dtype = result_type(*arrays)
  if real:
    check_real(dtype, who)
  if inexact:
    dtype = inexact_dtype(dtype, ufunc)
  arrays = [convert(a, dtype) for a in arrays]
  shape = broadcast_shapes(*[get_aval(a).shape for a in arrays], who=who)
  return [broadcast_to_shape(a, shape) for a in arrays]


def broadcast_shapes(*shapes: tuple[int, ...], who: str) -> tuple[int, ...]:
  """NumPy's broadcast of ``shapes``; when they do not broadcast, NumPy's ValueError naming
  ``vjpkit.numpy.<who>``."""
  try:
    return np.broadcast_shapes(*shapes)
  except ValueError:
    raise ValueError(f"vjpkit.numpy.{who}: operands could not be broadcast together with shapes "
                     f"{' '.join(map(str, shapes))}") from None


def promote_inexact(x, who: str = "function", real: bool = False, ufunc: bool = False):
  """Integer and bool inputs of float functions become float64, as in NumPy (``ufunc``: the
  float dtype of NumPy's float ufuncs, float16 for int8; see ``inexact_dtype``); ``real``:
  complex values are rejected."""
  x = np.asarray(x) if isinstance(x, _PY) else arraylike(x)
  dtype = get_aval(x).dtype
  if real:
    check_real(dtype, who)
  if dtype.kind not in "fc":
    return convert(x, inexact_dtype(dtype, ufunc))
  return x


def shape_tuple(shape, who: str, what: str = "shape", unknown: bool = False) -> tuple[int, ...]:
  """``shape`` (an int or a sequence of ints) as a tuple of ints; otherwise a clear error
  naming ``vjpkit.numpy.<who>`` and its argument ``what``. With ``unknown``, one entry may be
  -1 (reshape's size inferred from the others).

  >>> shape_tuple([2, np.int64(3)], "zeros")
  (2, 3)
  """
  scalar = not isinstance(shape, (list, tuple, np.ndarray)) and hasattr(type(shape), "__index__")
  items: tuple
  if scalar:
    items = (shape,)
  elif isinstance(shape, (list, tuple)) or (isinstance(shape, np.ndarray) and shape.ndim == 1):
    items = tuple(shape)
  else:
    raise TypeError(f"vjpkit.numpy.{who}: {what} must be an int or a sequence of ints, got "
                    f"{type(shape).__name__}")

  def has(k: int, value: object) -> str:
    return f"{what} is {value}" if scalar else f"{what} {items!r} has {value} at position {k}"

  out = []
  for k, s in enumerate(items):
    if not hasattr(type(s), "__index__"):
      raise TypeError(f"vjpkit.numpy.{who}: {has(k, repr(s))}, which is not an integer; sizes "
                      "must be integers (convert with int(...))")
    try:
      out.append(operator.index(s))
    except TracerIntegerConversionError as e:
      raise TypeError(f"vjpkit.numpy.{who}: {has(k, 'a traced ' + s.aval.str_short() + ' value')}, "
                      "which is not an integer; sizes must be concrete integers") from e
    except ConcretizationTypeError as e:
      where = "traced" if scalar else f"a traced value at position {k}"
      raise ConcretizationTypeError(
          f"vjpkit.numpy.{who}: {what} {'is' if scalar else 'has'} {where} (under jit or vmap), "
          "but sizes must be concrete integers: array shapes are fixed when a function is "
          "traced. Mark that argument static (jit(..., static_argnums=...)) or compute the "
          "size from an array's .shape.") from e
  if unknown and out.count(-1) > 1:
    raise ValueError(f"vjpkit.numpy.{who}: {what} {tuple(out)} has more than one -1, but only one "
                     "size can be inferred: give the others explicitly")
  for k, n in enumerate(out):
    if n < 0 and not (unknown and n == -1):
      extra = " (or one -1, for the size inferred from the others)" if unknown else ""
      items = tuple(out)
      raise ValueError(f"vjpkit.numpy.{who}: {has(k, n)}, but sizes must be >= 0{extra}")
  return tuple(out)


def size_arg(n, who: str, what: str) -> int:
  """A single size argument (``eye``'s N, ``linspace``'s num) as an int >= 0, or a clear error.

  >>> size_arg(np.int64(3), "eye", "N")
  3
  """
  if isinstance(n, (list, tuple, np.ndarray)) or not hasattr(type(n), "__index__"):
    raise TypeError(f"vjpkit.numpy.{who}: {what} must be an integer, got {n!r} "
                    f"({type(n).__name__}); convert it with int(...)")
  return shape_tuple(n, who, what)[0]


def axis_int(axis: Any, who: str = "axis") -> int:
  """An axis argument as an int; floats, arrays and other non-integers raise TypeError.

  >>> axis_int(np.int64(1))
  1
  """
  try:
    return operator.index(axis)
  except TypeError:
    if isinstance(axis, Tracer):
      raise  # its own error: a traced axis cannot be static
    raise TypeError(f"{who} must be an integer (or a tuple of integers), got {axis!r} "
                    f"of type {type(axis).__name__}") from None


def axis_seq(axis: Any, who: str = "axis") -> tuple[int, ...]:
  """An axis argument, an int or a tuple (or list) of ints, as a tuple of ints.

  >>> axis_seq(1), axis_seq((0, np.int64(2)))
  ((1,), (0, 2))
  """
  if isinstance(axis, (tuple, list)):
    return tuple(axis_int(a, who) for a in axis)
  return (axis_int(axis, who),)


def canonical_axis(axis: int | np.integer, ndim: int, who: str = "axis") -> int:
  axis = axis_int(axis, who)
  if not -ndim <= axis < max(ndim, 1):
    raise np.exceptions.AxisError(f"{who} {axis} is out of bounds for an array of dimension {ndim}")
  return int(axis) % ndim if ndim else 0


def scalar_if_0d(x):
  """0-d NumPy results as NumPy scalars, as NumPy's own functions return them."""
  return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x


_FLOAT_SCALARS = frozenset((np.float64, np.float32, np.float16))


def _same_float_aval(args):
  """``promote(*args)`` when every array argument has one real floating dtype and one shape
  or rank 0 (rank-0 values broadcast as they are) and the others are Python floats or ints
  (NEP 50: they take that dtype); None otherwise."""
  dtype = shape = None
  python_scalars = False
  for a in args:
    t = type(a)
    if t is float or t is int:
      python_scalars = True
      continue
    if t is np.ndarray or t in _FLOAT_SCALARS or isinstance(a, Tracer):
      aval = get_aval(a)
      if dtype is None:
        dtype = aval.dtype
      elif aval.dtype != dtype:
        return None
      s = aval.shape
      if s:
        if shape is None:
          shape = s
        elif s != shape:
          return None
    else:
      return None
  if dtype is None or dtype.kind != "f":
    return None
  if not python_scalars:
    return list(args)
  return [np.array(a, dtype)[()] if type(a) is float or type(a) is int else a for a in args]
