"""Primitives: named operations with an implementation and a type rule.

A primitive's transform rules (JVP, transpose, batching, ...) are kept in the
tables of the interpreters that use them, and are filled by the module that
declares the primitive, right next to the declaration (see ``vjpkit/lax``).
"""
from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from .trace import Tracer, escaped_tracer_error


# Arithmetic ufuncs on two NumPy float64 scalars: the operator gives the same float64
# result (NumPy's scalar math) without the ufunc machinery's overhead.
_SCALAR_OPERATORS: dict[Any, Callable[..., Any]] = {np.add: operator.add, np.subtract: operator.sub,
                     np.multiply: operator.mul, np.true_divide: operator.truediv,
                     np.negative: operator.neg}


def _missing_impl(name: str) -> Callable[..., Any]:
  def impl(*args: Any, **params: Any) -> Any:
    raise NotImplementedError(f"the primitive '{name}' has no impl: it cannot be evaluated")
  return impl


class Primitive:
  """An operation of the IR.

  ``impl(*arrays, **params)`` computes it with NumPy; ``abstract_eval(*avals,
  **params)`` is its shape/dtype rule. Arrays are passed positionally, static
  parameters as keywords (they must be hashable: they key jit caches).
  Multiple-result primitives return lists from both.
  """
  __slots__ = ("name", "multiple_results", "impl", "abstract_eval", "_scalar_impl")

  def __init__(self, name: str, *, impl: Callable | None = None,
               abstract_eval: Callable | None = None, multiple_results: bool = False):
    self.name = name
    self.multiple_results = multiple_results
    self.impl: Callable[..., Any] = impl if impl is not None else _missing_impl(name)
    self.abstract_eval = abstract_eval
    self._scalar_impl = _SCALAR_OPERATORS.get(impl) if isinstance(impl, np.ufunc) else None

  def bind(self, *args, **params) -> Any:
    """Evaluate, or hand the application to the innermost trace among ``args``.

    Lower-level tracers and plain arrays are constants to that trace; a tracer of a
    finished trace is a leak. (While debug_nans/debug_infs is on, vjpkit.debugging puts a
    checking version of this method in its place: nothing is checked here.)"""
    top = None
    for x in args:
      if isinstance(x, Tracer):
        t = x._trace
        if not t.active:
          raise escaped_tracer_error(x, self)
        if top is None or t.level > top.level:
          top = t
    if top is None:
      fast = self._scalar_impl
      if fast is not None and type(args[0]) is np.float64 and type(args[-1]) is np.float64:
        return fast(*args)  # same value as the ufunc, a fraction of the call overhead
      return self.impl(*args, **params)
    return top.process_primitive(self, args, params)

  def __repr__(self):
    return self.name
