"""Evaluate a program with another array library: Dask, CuPy, array-api-strict, ...

``eval_jaxpr(backend, jaxpr, consts, args)`` runs each equation through its
primitive's array-API rule (``Primitive.def_array_api``, the ``array_api_rules``
table), with ``backend.xp`` the library's array-API namespace. Nothing here calls
NumPy on the library's arrays: values stay where they live (lazy in a Dask graph, on
the GPU for CuPy). Literals and NumPy constants become arrays of the library.

Broadcasts stay broadcasts: ``broadcast_in_dim`` gives a ``Broadcast`` (the operand
with unit axes, and the shape it stands for), which elementwise rules consume as it
is, letting the library broadcast, as NumPy code would. Only another kind of
equation, or a program output, expands it (``xp.broadcast_to``, itself a view).
So the unit seed of reverse mode is one scalar, not an array of ones.

An equation whose primitive has no rule, but a ``call_jaxpr`` taking its operands
(jit, closed_call, checkpoint, custom_jvp_call, ...), runs that program; any other
raises a NotImplementedError naming the primitive and the library.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.avals import float0
from ..core.ir import Jaxpr, Lit
from ..core.rules import array_api_elementwise, array_api_rules

__all__ = ["Backend", "Broadcast", "eval_jaxpr"]


class Broadcast:
  """``value`` (an array of the library, of the full rank, with unit axes where it is
  broadcast) standing for ``xp.broadcast_to(value, shape)``."""
  __slots__ = ("value", "shape")

  def __init__(self, value: Any, shape: tuple[int, ...]):
    self.value, self.shape = value, tuple(shape)


class Backend:
  """The array library an evaluation runs on: its namespace ``xp``, its name (for
  errors: ``'dask'``, ``'cupy'``, ``'array_api_strict'``), and whether its arrays are
  lazy (no value can be read without computing the graph: Dask)."""
  __slots__ = ("xp", "name", "lazy", "scalars_ok", "_literals", "_chunks")

  def __init__(self, xp: Any, name: str):
    self.xp, self.name = xp, name
    self.lazy = self.scalars_ok = name == "dask"
    self._literals: dict = {}
    self._chunks: dict = {}

  def chunks_like(self, x: Any) -> None:
    """Dask: expand broadcasts of ``x``'s shape into ``x``'s chunks (an input), so that
    a gradient shaped like an input is chunked like it."""
    chunks = getattr(x, "chunks", None)
    if self.name == "dask" and chunks is not None:
      self._chunks.setdefault(tuple(x.shape), chunks)

  def dtype(self, dtype: Any) -> Any:
    """The library's dtype for a NumPy dtype."""
    dtype = np.dtype(dtype)
    if dtype == float0:
      raise NotImplementedError(
          f"vjpkit on {self.name}: float0 (the tangent type of integer values) has no "
          f"{self.name} dtype; differentiate with respect to float arguments only")
    try:
      return getattr(self.xp, dtype.name)
    except AttributeError:
      raise NotImplementedError(f"vjpkit on {self.name}: the array library has no dtype "
                                f"{dtype.name}") from None

  def asarray(self, value: Any, dtype: Any = None) -> Any:
    """A NumPy constant or scalar as an array of the library."""
    dtype = np.result_type(value) if dtype is None else dtype
    return self.xp.asarray(value, dtype=self.dtype(dtype))

  def literal(self, lit: Lit, raw: bool = False) -> Any:
    """A literal as an array of the library; ``raw``: as the NumPy scalar itself where the
    library takes NumPy scalars as operands (Dask: then it is a constant of each task,
    not one more node of the graph)."""
    if raw and self.scalars_ok and isinstance(lit.val, np.generic):
      return lit.val
    key = (lit.aval.dtype, lit.val.tobytes() if isinstance(lit.val, np.generic) else lit.val)
    x = self._literals.get(key)
    if x is None:
      x = self._literals[key] = self.asarray(lit.val, lit.aval.dtype)
    return x

  def unsupported(self, prim: Any, why: str = "") -> NotImplementedError:
    """The error for a primitive that cannot run on this library."""
    name = getattr(prim, "name", prim)
    why = f": {why}" if why else ""
    return NotImplementedError(
        f"vjpkit: the primitive '{name}' cannot run on {self.name} arrays{why}. vjpkit never "
        "converts them to NumPy behind your back: convert the inputs yourself "
        "(e.g. numpy.asarray(x), or x.compute() for Dask) to run it with NumPy, or avoid "
        "this operation (docs/array-backends.md lists what each library supports)")

  def concrete(self, x: Any, prim: Any, what: str) -> Any:
    """The Python value of a 0-d array, for control flow that needs it; lazy
    libraries cannot give one without computing, which vjpkit never does."""
    if self.lazy:
      raise self.unsupported(prim, f"{what} depends on the data, and reading it would "
                             "compute the graph")
    return x

  def eval_jaxpr(self, jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any]) -> list[Any]:
    """``eval_jaxpr`` on this backend, results expanded (for rules with sub-programs)."""
    return [self.expand(x) for x in eval_jaxpr(self, jaxpr, consts, args)]

  def expand(self, x: Any) -> Any:
    """A value as an array of its full shape (broadcasts expanded)."""
    if type(x) is Broadcast:
      chunks = self._chunks.get(x.shape)
      if chunks is not None:
        import dask.array as da
        return da.broadcast_to(x.value, x.shape, chunks=chunks)
      return self.xp.broadcast_to(x.value, x.shape)
    return x


def _unexpanded(x: Any) -> Any:
  return x.value if type(x) is Broadcast else x


def eval_jaxpr(backend: Backend, jaxpr: Jaxpr, consts: Sequence[Any], args: Sequence[Any],
               expand_outputs: bool = True) -> list[Any]:
  """Run ``jaxpr`` on arrays of ``backend``'s library; ``consts`` and ``args`` are
  arrays of that library (NumPy constants are converted by the caller)."""
  env: dict[int, Any] = {}
  for v, x in zip(jaxpr.constvars, consts, strict=True):
    env[id(v)] = x
  for v, x in zip(jaxpr.invars, args, strict=True):
    env[id(v)] = x
  rules = array_api_rules
  for eqn in jaxpr.eqns:
    prim = eqn.prim
    rule = rules.get(prim)
    elementwise = prim in array_api_elementwise
    ins = [backend.literal(a, elementwise) if type(a) is Lit else env[id(a)] for a in eqn.invars]
    if rule is None:
      sub = eqn.params.get("call_jaxpr")
      if not (isinstance(sub, Jaxpr) and not sub.constvars and len(sub.invars) == len(ins)):
        raise backend.unsupported(prim, "it has no array-API rule (Primitive.def_array_api)")
      out: Any = eval_jaxpr(backend, sub, [], ins, expand_outputs=False)
    elif elementwise:
      out = rule(backend, *[_unexpanded(x) for x in ins], **eqn.params)
      shape = eqn.outvars[0].aval.shape
      if isinstance(out, (np.generic, np.ndarray)):  # computed from NumPy scalars only
        out = backend.asarray(out, eqn.outvars[0].aval.dtype)
      if type(out) is not Broadcast and tuple(getattr(out, "shape", ())) != shape:
        out = Broadcast(out, shape)  # every operand was a broadcast: so is the result
    else:
      out = rule(backend, *[backend.expand(x) for x in ins], **eqn.params)
    if prim.multiple_results:
      for v, x in zip(eqn.outvars, out, strict=True):
        env[id(v)] = x
    else:
      env[id(eqn.outvars[0])] = out
  outs = [backend.literal(a) if type(a) is Lit else env[id(a)] for a in jaxpr.outvars]
  return [backend.expand(x) for x in outs] if expand_outputs else outs
