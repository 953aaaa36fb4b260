"""Python operators and array methods on tracers, defined by vjpkit.numpy functions.

Tracers behave like NumPy arrays: ``x + 1``, ``x @ W``, ``x.T``, ``x.sum()``,
``x[1:]``. ``ndarray + tracer`` reaches ``Tracer.__radd__`` because tracers
opt out of NumPy's ufunc protocol (``__array_ufunc__ = None``).
"""
from __future__ import annotations

from ..core.trace import Tracer
from . import indexing, products, reductions, shapes, ufuncs


def _swap(f):
  return lambda self, other: f(other, self)


_BINARY = {
    "add": ufuncs.add, "sub": ufuncs.subtract, "mul": ufuncs.multiply,
    "truediv": ufuncs.true_divide, "pow": ufuncs.power, "matmul": products.matmul,
}
_COMPARE = {
    "eq": ufuncs.equal, "ne": ufuncs.not_equal, "lt": ufuncs.less, "le": ufuncs.less_equal,
    "gt": ufuncs.greater, "ge": ufuncs.greater_equal,
}


def install() -> None:
  for name, f in _BINARY.items():
    setattr(Tracer, f"__{name}__", lambda self, other, f=f: f(self, other))
    setattr(Tracer, f"__r{name}__", _swap(f))
  for name, f in _COMPARE.items():
    setattr(Tracer, f"__{name}__", lambda self, other, f=f: f(self, other))
  Tracer.__neg__ = lambda self: ufuncs.negative(self)
  Tracer.__pos__ = lambda self: self
  Tracer.__abs__ = lambda self: ufuncs.absolute(self)
  Tracer.__getitem__ = indexing.getitem
  Tracer.__array_ufunc__ = None
  Tracer.T = property(lambda self: shapes.transpose(self))
  Tracer.mT = property(lambda self: shapes.swapaxes(self, -1, -2))
  Tracer.reshape = lambda self, *shape, order="C": shapes.reshape(
      self, shape[0] if len(shape) == 1 else shape, order)
  Tracer.transpose = lambda self, *axes: shapes.transpose(
      self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
  Tracer.ravel = lambda self: shapes.ravel(self)
  Tracer.squeeze = lambda self, axis=None: shapes.squeeze(self, axis)
  Tracer.sum = lambda self, axis=None, dtype=None, keepdims=False: reductions.sum(self, axis, dtype, keepdims)
  Tracer.mean = lambda self, axis=None, dtype=None, keepdims=False: reductions.mean(self, axis, dtype, keepdims)
  Tracer.max = lambda self, axis=None, keepdims=False: reductions.max(self, axis, keepdims)
  Tracer.min = lambda self, axis=None, keepdims=False: reductions.min(self, axis, keepdims)
  Tracer.argmax = lambda self, axis=None: reductions.argmax(self, axis)
  Tracer.argmin = lambda self, axis=None: reductions.argmin(self, axis)
  Tracer.dot = lambda self, other: products.dot(self, other)
  Tracer.astype = lambda self, dtype: ufuncs.lax.convert_element_type(self, dtype)
