"""Python operators and array methods on tracers, defined by vjpkit.numpy functions.

Tracers behave like NumPy arrays: ``x + 1``, ``x @ W``, ``x.T``, ``x.sum()``,
``x[1:]``, ``x.at[i].add(v)``. With a NumPy array on the left (``W @ x``),
NumPy hands the operation to ``Tracer.__array_ufunc__`` (see ``dispatch.py``).
"""
from __future__ import annotations

import numpy as np

from ..core.avals import get_aval, is_weak_scalar
from ..core.trace import Tracer
from . import (bitwise, dispatch, indexing, matrices, products, reductions, shapes, sorting,
               ufuncs)


def _swap(f):
  return lambda self, other: f(other, self)


_BINARY = {
    "add": ufuncs.add, "sub": ufuncs.subtract, "mul": ufuncs.multiply,
    "truediv": ufuncs.true_divide, "floordiv": ufuncs.floor_divide, "mod": ufuncs.remainder,
    "divmod": ufuncs.divmod, "pow": ufuncs.power, "matmul": products.matmul,
    # bitwise on integers, logical on booleans, as NumPy's operators
    "and": bitwise.bitwise_and, "or": bitwise.bitwise_or, "xor": bitwise.bitwise_xor,
    "lshift": bitwise.left_shift, "rshift": bitwise.right_shift,
}
_ARITHMETIC = frozenset(("add", "sub", "mul", "truediv", "floordiv", "mod", "divmod", "pow"))
_COMPARE = {
    "eq": ufuncs.equal, "ne": ufuncs.not_equal, "lt": ufuncs.less, "le": ufuncs.less_equal,
    "gt": ufuncs.greater, "ge": ufuncs.greater_equal,
}
_METHODS = {
    "sum": reductions.sum, "prod": reductions.prod, "mean": reductions.mean, "var": reductions.var,
    "std": reductions.std, "max": reductions.max, "min": reductions.min, "all": reductions.all,
    "any": reductions.any, "argmax": reductions.argmax, "argmin": reductions.argmin,
    "cumsum": reductions.cumsum, "cumprod": reductions.cumprod, "clip": ufuncs.clip,
    "round": ufuncs.round, "ravel": shapes.ravel, "flatten": shapes.ravel, "copy": shapes.copy,
    "swapaxes": shapes.swapaxes, "repeat": shapes.repeat, "take": indexing.take,
    "diagonal": matrices.diagonal, "trace": matrices.trace, "argsort": sorting.argsort,
    "nonzero": indexing.nonzero, "dot": products.dot, "conj": ufuncs.conj,
    "conjugate": ufuncs.conj, "squeeze": shapes.squeeze,
}


# Python arithmetic on Python numbers gives Python numbers: an operator whose operands are
# all weak (tracers of Python-scalar arguments, Python numbers) gives a weak result, so
# ``a32 * (1 - s)`` keeps float32 under a transform as it does eagerly with ``s = 0.5``.
# (vjpkit.numpy *functions* give strong results, as NumPy's do: vnp.multiply(2.0, 2.0) is
# an np.float64.)
_WEAK_RESULT_DTYPES = frozenset((np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.complex128)))


def _weakened(out):
  if isinstance(out, tuple):  # divmod
    return tuple(_weakened(o) for o in out)
  if isinstance(out, Tracer):
    if out.aval.dtype in _WEAK_RESULT_DTYPES:
      with_weak_type = getattr(out, "with_weak_type", None)
      if with_weak_type is not None:
        return with_weak_type(True)
  elif isinstance(out, (np.ndarray, np.generic)) and out.dtype in _WEAK_RESULT_DTYPES \
      and out.ndim == 0:  # a result a transform left concrete (e.g. no derivative)
    return out.item()   # is a Python number, as eagerly
  return out


def _is_weak(x) -> bool:
  return is_weak_scalar(x) or (isinstance(x, Tracer) and x.aval.weak_type)


def _binary(f):
  def op(self, other):
    out = f(self, other)
    return _weakened(out) if self.aval.weak_type and _is_weak(other) else out
  return op


def _rbinary(f):
  def op(self, other):
    out = f(other, self)
    return _weakened(out) if self.aval.weak_type and _is_weak(other) else out
  return op


def _unary(f):
  def op(self):
    out = f(self)
    return _weakened(out) if self.aval.weak_type else out
  return op


def _sort_in_place(self, *args, **kwargs):
  raise TypeError("x.sort() sorts in place, and vjpkit arrays are immutable: "
                  "use x = vjpkit.numpy.sort(x) (or numpy.sort(x)) instead.")


def _item(self, *args):
  """``x.item()``: a Python scalar (needs a concrete value not being differentiated, like
  ``float(x)``)."""
  x = indexing.getitem(self, args if len(args) > 1 else args[0]) if args else self
  if get_aval(x).size != 1:
    raise ValueError("can only convert an array of size 1 to a Python scalar")
  return np.asarray(x._concrete_number("x.item()") if isinstance(x, Tracer) else x).item()


def _tolist(self):
  """``x.tolist()``: nested Python lists of numbers (a concrete value, like ``x.item()``)."""
  return np.asarray(self._concrete_number("x.tolist()")).tolist()


def install() -> None:
  for name, f in _BINARY.items():
    if name in _ARITHMETIC:
      setattr(Tracer, f"__{name}__", _binary(f))
      setattr(Tracer, f"__r{name}__", _rbinary(f))
    else:
      setattr(Tracer, f"__{name}__", lambda self, other, f=f: f(self, other))
      setattr(Tracer, f"__r{name}__", _swap(f))
  for name, f in _COMPARE.items():
    setattr(Tracer, f"__{name}__", lambda self, other, f=f: f(self, other))
  for name, f in _METHODS.items():
    setattr(Tracer, name, lambda self, *args, f=f, **kwargs: f(self, *args, **kwargs))
  Tracer.__neg__ = _unary(ufuncs.negative)
  Tracer.__pos__ = lambda self: self
  Tracer.__abs__ = _unary(ufuncs.absolute)
  Tracer.__invert__ = lambda self: bitwise.invert(self)
  Tracer.__round__ = lambda self, ndigits=None: ufuncs.round(self, ndigits or 0)
  Tracer.__getitem__ = indexing.getitem
  Tracer.__array_ufunc__ = dispatch.array_ufunc
  Tracer.__array_function__ = dispatch.array_function
  Tracer.at = property(lambda self: indexing._IndexUpdateHelper(self))
  Tracer.T = property(lambda self: shapes.transpose(self))
  Tracer.mT = property(lambda self: shapes.swapaxes(self, -1, -2))
  Tracer.real = property(lambda self: ufuncs.real(self))
  Tracer.imag = property(lambda self: ufuncs.imag(self))
  Tracer.reshape = lambda self, *shape, order="C": shapes.reshape(
      self, shape[0] if len(shape) == 1 else shape, order)
  Tracer.transpose = lambda self, *axes: shapes.transpose(
      self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
  Tracer.astype = lambda self, dtype, *args, **kwargs: ufuncs.lax.convert_element_type(self, dtype)
  Tracer.sort = _sort_in_place
  Tracer.item = _item
  Tracer.tolist = _tolist
