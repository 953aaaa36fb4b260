"""Traces, tracers and the per-thread stack of active transforms.

Each transform in progress (a jvp, a staging for jit or linearize, a vmap) is
a ``Trace`` with a *level*: its position on the stack. A ``Tracer`` belongs to
exactly one trace. ``bind`` hands a primitive application to the highest-level
trace among its arguments; lower-level tracers and plain arrays are constants
to it. That single rule is what keeps the perturbations of nested transforms
apart (``grad(lambda x: x * grad(lambda y: x + y)(1.))`` is 1, not 2).
"""
from __future__ import annotations

import threading
from typing import Generic, TypeVar

from .avals import ShapedArray
from .errors import (ConcretizationTypeError, TracerArrayConversionError,
                     TracerIntegerConversionError, TracerNumberConversionError,
                     UnexpectedTracerError)


class Trace:
  """One transform in progress. Subclasses implement ``process_primitive``."""
  __slots__ = ("level", "active")
  description = "a transform"  # how error messages name it, e.g. "jit/make_jaxpr"

  def __init__(self, level: int):
    self.level = level
    self.active = True

  def process_primitive(self, prim, args, params):
    raise NotImplementedError

  def __repr__(self):
    return f"{type(self).__name__}(level={self.level})"


class _Stack(threading.local):
  def __init__(self):
    self.traces: list[Trace] = []


_stack = _Stack()

T = TypeVar("T", bound=Trace)


class new_trace(Generic[T]):
  """Push a new trace above every active one; it dies (becomes inactive) on exit.

  ``with new_trace(JVPTrace) as trace: ...``. A class rather than a generator-based
  context manager: every gradient enters two of these, so their cost counts.
  """
  __slots__ = ("trace_type", "args", "trace")

  def __init__(self, trace_type: type[T], *args):
    self.trace_type, self.args = trace_type, args

  def __enter__(self) -> T:
    traces = _stack.traces
    self.trace = trace = self.trace_type(len(traces) + 1, *self.args)
    traces.append(trace)
    return trace

  def __exit__(self, *exc) -> None:
    _stack.traces.pop()
    self.trace.active = False


def bind(prim, args, params):
  """Apply ``prim`` to ``args`` (a sequence): interpreters' spelling of ``prim.bind``.

  The dispatch itself (evaluate, or hand to the innermost trace among the arguments)
  lives in ``Primitive.bind``, the hottest call of eager differentiation.
  """
  return prim.bind(*args, **params)


def escaped_tracer_error(x: "Tracer", prim=None) -> UnexpectedTracerError:
  where = f" (it was passed to '{prim.name}')" if prim is not None else ""
  return UnexpectedTracerError(
      f"Encountered a traced value {x.aval.str_short()} from {x._trace.description} "
      f"that has already finished{where}. This is a tracer leak: a value computed inside "
      "a transformed function (grad, jit, vmap, ...) was stored outside of it, e.g. in a "
      "global or a closure, and used later. Return such values from the function instead.")


class Tracer:
  """A value under a transform. Subclasses set ``aval`` and may be concrete."""
  __slots__ = ("_trace",)
  __array_priority__ = 1000
  _trace: Trace

  aval: ShapedArray

  shape = property(lambda self: self.aval.shape)
  dtype = property(lambda self: self.aval.dtype)
  ndim = property(lambda self: self.aval.ndim)
  size = property(lambda self: self.aval.size)

  def __len__(self):
    if not self.aval.shape:
      raise TypeError("len() of unsized object (a 0-d traced array)")
    return self.aval.shape[0]

  def __iter__(self):
    if not self.aval.shape:
      raise TypeError("iteration over a 0-d traced array")
    return (self[i] for i in range(self.aval.shape[0]))

  # -- concrete values ----------------------------------------------------
  def _concrete(self, what: str):
    """Follow tracers down to a concrete value, or raise the trace's error."""
    x = self
    while isinstance(x, Tracer):
      x = x._trace_concrete(what)
    return x

  def _trace_concrete(self, what: str):
    raise self._concretization_error(what)

  def _concrete_number(self, what: str):
    """``_concrete`` for conversions to Python numbers (``float()``, ``complex()``,
    ``.item()``, ``.tolist()``): a number has no derivative, so a value that a transform
    is differentiating cannot be converted (``bool()``, ``int()`` and comparisons can:
    their derivative is zero anyway)."""
    x = self
    while isinstance(x, Tracer):
      x = x._trace_number(what)
    return x

  def _trace_number(self, what: str):
    return self._trace_concrete(what)

  def _dropped_derivative_error(self, what: str) -> TracerNumberConversionError:
    return TracerNumberConversionError(
        f"{what} converts a {self.aval.str_short()} value that {self._trace.description} is "
        "differentiating to a Python number, which has no derivative: every derivative "
        "computed from it would be silently wrong. Compute with vjpkit.numpy functions on "
        "the value itself (e.g. vjpkit.numpy.exp(x) instead of math.exp(x), x instead of "
        "float(x)); if a constant is meant, convert vjpkit.stop_gradient(x) instead, whose "
        "derivative is zero by intent.")

  def _concretization_error(self, what: str) -> ConcretizationTypeError:
    return ConcretizationTypeError(
        f"{what} needs a concrete value, but this {self.aval.str_short()} value is "
        f"abstract under {self._trace.description}. Python control flow that "
        "depends on traced values is not possible here: use vjpkit.lax.cond, "
        "vjpkit.lax.while_loop or vjpkit.numpy.where, or mark the argument static with "
        "jit(..., static_argnums=...).")

  def __bool__(self):
    return bool(self._concrete("bool() (e.g. an `if` or `while` on a traced value)"))

  def __float__(self):  # also how math.* functions and numpy.float64(x) convert
    return float(self._concrete_number("float() (or math.*, numpy.float64)"))

  def __complex__(self):
    return complex(self._concrete_number("complex()"))

  def __int__(self):
    return int(self._concrete("int()"))

  def __index__(self):
    if self.aval.dtype.kind not in "iub":
      raise TracerIntegerConversionError(
          f"a {self.aval.str_short()} value cannot be used as an index or size: "
          "only integer values can")
    return int(self._concrete("using a traced value as a Python index or size"))

  def __array__(self, dtype=None, copy=None):
    raise TracerArrayConversionError(
        f"A traced value {self.aval.str_short()} was converted to a NumPy array or scalar "
        "(numpy.asarray, numpy.array, numpy.float64(x), or a NumPy function without "
        f"vjpkit support) inside {self._trace.description}. Converting would silently drop "
        "its derivative or batch dimension. Use vjpkit.numpy functions on it instead, or "
        "apply vjpkit.stop_gradient if you really mean a constant.")

  def __setitem__(self, idx, value):
    raise TypeError(
        "vjpkit arrays are immutable: `x[idx] = v` is not supported on traced values. "
        "Use the functional update `x = x.at[idx].set(v)` (or .add/.multiply/.min/.max).")

  __hash__ = None  # type: ignore[assignment]  # like NumPy arrays: mutable-looking values are not hashable

  def __repr__(self):
    return f"Traced<{self.aval.str_short()}>with<{self._trace.description}>"
