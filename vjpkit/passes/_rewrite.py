"""What every rewriting pass shares: a substitution map and an equation builder.

A pass walks the equations once, in order. Each equation is either kept (with
its inputs renamed through the substitutions made so far), or its results are
replaced by atoms that already exist or by the results of new equations built
with ``emit``. Dead equations left behind are removed by DCE at the end.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core.avals import ShapedArray
from ..core.ir import Eqn, Jaxpr, Lit, Var
from ..core.primitive import Primitive
from ..interpreters.codegen import ufunc_of


class Vocabulary:
  """The primitives of the library that the passes recognise and build, named as in
  ``vjpkit.lax`` (``prims.mul_p``).

  The passes sit below the primitive library in the layering and do not import it:
  ``vjpkit/lax/pass_rules.py`` registers these primitives (``register_primitives``)
  when ``vjpkit.lax`` is imported, as ``lax/codegen_rules.py`` fills the code
  generator's tables.
  """
  add_any_p: Primitive
  add_p: Primitive
  and_p: Primitive
  broadcast_in_dim_p: Primitive
  closed_call_p: Primitive
  convert_element_type_p: Primitive
  div_p: Primitive
  dot_general_p: Primitive
  eq_p: Primitive
  expand_dims_p: Primitive
  integer_pow_p: Primitive
  max_p: Primitive
  min_p: Primitive
  mul_p: Primitive
  ne_p: Primitive
  neg_p: Primitive
  or_p: Primitive
  reduce_sum_p: Primitive
  reshape_p: Primitive
  select_n_p: Primitive
  squeeze_p: Primitive
  sub_p: Primitive
  transpose_p: Primitive

  def register(self, **primitives: Primitive) -> None:
    known = type(self).__annotations__
    unknown = sorted(set(primitives) - set(known))
    if unknown:
      raise TypeError(f"the passes use no primitive named {', '.join(unknown)}")
    for name, prim in primitives.items():
      setattr(self, name, prim)


prims = Vocabulary()


def register_primitives(**primitives: Primitive) -> None:
  """Give the passes the primitives they recognise and build (the hook ``vjpkit.lax`` calls)."""
  prims.register(**primitives)


def lit(value, dtype) -> Lit:
  """A literal of ``dtype`` holding ``value``."""
  dtype = np.dtype(dtype)
  return Lit(np.array(value, dtype)[()], ShapedArray((), dtype))


def is_ufunc_eqn(eqn: Eqn) -> bool:
  """An elementwise equation: one NumPy ufunc computes it (see ``codegen.ufunc_of``)."""
  return ufunc_of(eqn) is not None


class Rewriter:
  """The new program being built by a pass over ``jaxpr``."""

  def __init__(self, jaxpr: Jaxpr):
    self.jaxpr = jaxpr
    self.sub: dict[int, Any] = {}
    self.defs: dict[int, Eqn] = {}
    self.eqns: list[Eqn] = []

  # -- reading -------------------------------------------------------------
  def atom(self, a):
    return self.sub.get(id(a), a) if type(a) is Var else a

  def rename(self, eqn: Eqn) -> Eqn:
    """``eqn`` reading the atoms its inputs were replaced by (itself when none was)."""
    sub = self.sub
    if not sub:  # nothing replaced yet: the common case of a pass that changes little
      return eqn
    invars = eqn.invars
    for i, a in enumerate(invars):
      if id(a) in sub and type(a) is Var:
        new = list(invars)
        for j in range(i, len(new)):
          b = new[j]
          if type(b) is Var:
            new[j] = sub.get(id(b), b)
        return Eqn(eqn.prim, new, eqn.params, eqn.outvars)
    return eqn

  def producer(self, a) -> Eqn | None:
    return self.defs.get(id(a)) if type(a) is Var else None

  def scalar_value(self, a):
    """The value of every element of ``a`` when it is a literal or a broadcast one."""
    while True:
      if type(a) is Lit:
        return a.val
      eqn = self.producer(a)
      if eqn is None or eqn.prim is not prims.broadcast_in_dim_p:
        return None
      a = eqn.invars[0]

  # -- writing -------------------------------------------------------------
  def keep(self, eqn: Eqn) -> None:
    self.eqns.append(eqn)
    for v in eqn.outvars:
      self.defs[id(v)] = eqn

  def emit(self, prim, invars: list, **params):
    """Append ``prim(*invars)``; a ufunc of literals is computed right away."""
    out = prim.abstract_eval(*[a.aval for a in invars], **params)
    outs = out if prim.multiple_results else [out]
    if (all(type(a) is Lit for a in invars) and not prim.multiple_results
        and is_ufunc_eqn(Eqn(prim, invars, params, [Var(out)]))):
      return lit(prim.impl(*[a.val for a in invars]), out.dtype)
    eqn = Eqn(prim, list(invars), params, [Var(a) for a in outs])
    self.keep(eqn)
    return eqn.outvars if prim.multiple_results else eqn.outvars[0]

  def replace(self, var: Var, atom) -> None:
    assert atom.aval == var.aval, (atom.aval, var.aval)
    self.sub[id(var)] = atom

  def finish(self) -> Jaxpr:
    j = self.jaxpr
    return Jaxpr(j.constvars, j.invars, self.eqns, [self.atom(a) for a in j.outvars])
