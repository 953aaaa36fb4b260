"""The IR: typed variables, literals, equations and programs ("jaxprs").

A program is ``Jaxpr(constvars, invars, eqns, outvars)``: a straight-line list
of equations ``outvars = prim[params](invars)``. Programs carry no values; a
``ClosedJaxpr`` pairs one with the values of its constvars. Every transform in
vjpkit is either an interpreter of this IR or a function from IR to IR.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence


from .avals import ShapedArray


class Var:
  """A variable: an SSA name with a type. Compared by identity."""
  __slots__ = ("aval",)

  def __init__(self, aval: ShapedArray):
    self.aval = aval

  def __repr__(self):
    return f"Var({self.aval.str_short()})"


class Lit:
  """A scalar constant written directly into an equation."""
  __slots__ = ("val", "aval")

  def __init__(self, val, aval: ShapedArray):
    self.val = val
    self.aval = aval

  def __repr__(self):
    return f"Lit({self.val!r})"


Atom = Var | Lit


class Eqn:
  """``outvars = prim[params](invars)``."""
  __slots__ = ("prim", "invars", "params", "outvars")

  def __init__(self, prim, invars: list, params: dict, outvars: list):
    self.prim = prim
    self.invars = invars
    self.params = params
    self.outvars = outvars

  def __repr__(self):
    return f"Eqn({self.prim.name}, {len(self.invars)} in, {len(self.outvars)} out)"


class Jaxpr:
  """A typed straight-line program. Immutable by convention: passes build new ones.

  ``memo`` caches what is derived from a program (its JVP, transpose, compiled
  code...), so a jitted function applied again under grad or vmap reuses them.
  """
  __slots__ = ("constvars", "invars", "eqns", "outvars", "_memo")

  def __init__(self, constvars: Sequence[Var], invars: Sequence[Var],
               eqns: Sequence[Eqn], outvars: Sequence[Atom]):
    self.constvars = list(constvars)
    self.invars = list(invars)
    self.eqns = list(eqns)
    self.outvars = list(outvars)
    self._memo: dict[Any, Any] | None = None

  def memo(self, key, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per ``key`` for this program (thread-safe enough:
    two threads may both compute it, one result wins)."""
    cache = self._memo
    if cache is None:
      cache = self._memo = {}
    try:
      return cache[key]
    except KeyError:
      return cache.setdefault(key, make())

  @property
  def in_avals(self) -> list[ShapedArray]:
    return [v.aval for v in self.invars]

  @property
  def out_avals(self) -> list[ShapedArray]:
    return [v.aval for v in self.outvars]

  def __str__(self):
    from .pretty import pp_jaxpr
    return pp_jaxpr(self)

  __repr__ = __str__


class ClosedJaxpr:
  """A program together with the values of its constvars (what make_jaxpr returns)."""
  __slots__ = ("jaxpr", "consts")

  def __init__(self, jaxpr: Jaxpr, consts: Sequence[Any]):
    assert len(jaxpr.constvars) == len(consts)
    self.jaxpr = jaxpr
    self.consts = list(consts)

  in_avals = property(lambda self: self.jaxpr.in_avals)
  out_avals = property(lambda self: self.jaxpr.out_avals)
  eqns = property(lambda self: self.jaxpr.eqns)

  def __str__(self):
    return str(self.jaxpr)

  __repr__ = __str__


def memo_concrete(jaxpr: Jaxpr, key, make: Callable[[], tuple]) -> tuple:
  """``jaxpr.memo(key, make)`` for program transforms returning ``(new_jaxpr, consts, ...)``:
  a result whose consts hold tracers belongs to one trace and is not kept."""
  cache = jaxpr._memo
  if cache is not None and key in cache:
    return cache[key]
  result = make()
  from .trace import Tracer
  if not any(isinstance(c, Tracer) for c in result[1]):
    result = jaxpr.memo(key, lambda: result)
  return result


def hoist_consts(jaxpr: Jaxpr) -> Jaxpr:
  """The same program with its constvars turned into leading invars.

  Primitives that carry sub-programs (calls, control flow) take constants as
  ordinary operands, so that every enclosing transform sees them; a constant
  may well be a tracer of an outer transform.
  """
  if not jaxpr.constvars:
    return jaxpr
  return jaxpr.memo("hoist_consts", lambda: Jaxpr(
      [], list(jaxpr.constvars) + list(jaxpr.invars), jaxpr.eqns, jaxpr.outvars))
