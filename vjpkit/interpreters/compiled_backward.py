"""Eager reverse mode's compiled backward pass, compiled once per program structure.

When most equations of a linear program make big arrays, ``LinearFunction.transpose``
stages its ``backward_pass`` into a program, optimises it and runs it as generated NumPy
code (buffers reused, regions evaluated in blocks). An eager ``grad`` called in a loop
records a new linear program each call, but one of the same structure: the same
equations on the same shapes, only the residuals (its constants) differ. The backward
program is therefore traced with the residuals as *inputs* and cached under the linear
program's structure (``structure_key``), so later calls only run it.

>>> import numpy as np, vjpkit, vjpkit.numpy as vnp
>>> from vjpkit.interpreters import compiled_backward, linearize
>>> old, linearize.COMPILE_BACKWARD = linearize.COMPILE_BACKWARD, 0
>>> g = vjpkit.grad(lambda x: vnp.sum(vnp.sin(x) * x))
>>> before = compiled_backward.cache_size()
>>> np.allclose(g(np.ones(3)), np.cos(1.0) + np.sin(1.0)), np.allclose(g(np.zeros(3)), 0.0)
(True, True)
>>> compiled_backward.cache_size() - before   # one structure, compiled once
1
>>> linearize.COMPILE_BACKWARD = old
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ..core.avals import get_aval
from ..core.ir import Jaxpr, Var
from ..core.zeros import Zero
from .transpose import backward_pass

__all__ = ["MAX_ENTRIES", "cache_size", "compiled_backward_pass", "structure_key"]

MAX_ENTRIES = 64  # cached backward programs, least recently used dropped first
MAX_CONST_BYTES = 1 << 20  # programs capturing bigger constants are not kept
_CACHE: OrderedDict[tuple, tuple[Callable, list[bool]]] = OrderedDict()
_LOCK = threading.Lock()  # (gradients may be taken on several threads)


def cache_size() -> int:
  """How many backward programs are cached."""
  return len(_CACHE)


def _token(value: Any) -> Any:
  """A literal or parameter as a dictionary key: floats by their bits (``-0.0`` is not
  ``0.0``, ``nan`` equals itself), other values as they are."""
  if isinstance(value, (float, complex, np.inexact)):
    return (type(value), np.asarray(value).tobytes())
  return value


def structure_key(jaxpr: Jaxpr, given: list[bool]) -> tuple | None:
  """What a backward program of ``jaxpr`` depends on besides its constants' values: the
  equations (primitives, parameters, literals, how results feed operands), the avals and
  which cotangents are given; None where a parameter cannot be a key."""
  ids: dict[int, int] = {}
  for v in [*jaxpr.constvars, *jaxpr.invars]:
    ids[id(v)] = len(ids)
  key: list[Any] = [tuple(given), tuple(v.aval for v in jaxpr.constvars),
                    tuple(v.aval for v in jaxpr.invars)]
  for eqn in jaxpr.eqns:
    ins = tuple(ids[id(a)] if isinstance(a, Var) else (_token(a.val), a.aval) for a in eqn.invars)
    params = tuple((k, _token(v), type(v)) for k, v in eqn.params.items())
    key.append((eqn.prim, params, ins, tuple(o.aval for o in eqn.outvars)))
    for o in eqn.outvars:
      ids[id(o)] = len(ids)
  key.append(tuple(ids[id(v)] if isinstance(v, Var) else _token(v.val) for v in jaxpr.outvars))
  out = tuple(key)
  try:
    hash(out)
  except TypeError:  # an array or other unhashable parameter
    return None
  return out


def compiled_backward_pass(jaxpr: Jaxpr, consts: list, cts: list) -> list[Any]:
  """``backward_pass(jaxpr, consts, cts)`` as compiled NumPy code: the same results, the
  program compiled once per ``structure_key``."""
  given = [type(c) is not Zero for c in cts]
  key = structure_key(jaxpr, given)
  entry = None if key is None else _CACHE.get(key)
  if entry is None:
    entry, keep = _compile(jaxpr, consts, cts, given)
    if key is not None and keep:
      with _LOCK:
        _CACHE[key] = entry
        if len(_CACHE) > MAX_ENTRIES:
          _CACHE.popitem(last=False)
  elif key is not None:
    with _LOCK:
      if key in _CACHE:
        _CACHE.move_to_end(key)
  compiled, nonzero = entry
  results = iter(compiled(*consts, *[c for c, g in zip(cts, given) if g]))
  return [next(results) if nz else Zero(v.aval) for v, nz in zip(jaxpr.invars, nonzero)]


def _compile(jaxpr: Jaxpr, consts: list, cts: list, given: list[bool]):
  """The backward program of the residuals and the given cotangents, compiled; and whether
  it may be cached (it captures no big constant)."""
  from ..passes import optimize
  from .codegen import compile_jaxpr
  from .partial_eval import trace_to_jaxpr
  nonzero: list[bool] = []
  n = len(consts)

  def bwd(*values):
    it = iter(values[n:])
    outs = backward_pass(jaxpr, list(values[:n]),
                         [next(it) if g else c for c, g in zip(cts, given)])
    nonzero[:] = [type(c) is not Zero for c in outs]
    return [c for c in outs if type(c) is not Zero]
  avals = [get_aval(c) for c in consts] + [get_aval(c) for c, g in zip(cts, given) if g]
  program, program_consts = trace_to_jaxpr(bwd, avals)
  program, program_consts = optimize(program, program_consts)
  keep = sum(np.asarray(c).nbytes for c in program_consts) <= MAX_CONST_BYTES
  return (compile_jaxpr(program, program_consts, "backward"), nonzero), keep
