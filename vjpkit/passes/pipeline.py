"""``optimize`` in one forward sweep: constant folding, simplification and CSE together.

Run one after the other, the passes walk the program five times (fold, simplify, CSE,
simplify again, DCE; each simplification ends with a DCE of its own) and build an
intermediate program after each. Their per-equation work is small and local, so they
can share one walk: each equation, its inputs renamed through the replacements made so
far, is

1. folded when its inputs are constants (``constfold``),
2. simplified by the algebraic rules (``simplify``),
3. merged into an identical earlier equation (``cse``),

and kept only if none of these replaced it. Equations a rule builds (``emit``) go
through the same three steps, so what a rule produces is itself simplified and merged,
which is what the second simplification of the sequential pipeline was for. One
backward DCE at the end removes what the replacements left dead. The result computes
the same values as the sequential pipeline, in one walk, with no intermediate programs.
"""
from __future__ import annotations

import struct
from typing import Any, Sequence

import numpy as np

from ..core.ir import Eqn, Jaxpr, Lit, Var
from ..core.rules import ufunc_rules
from ..interpreters.codegen import ufunc_of
from ._rewrite import Rewriter, lit, prims
from .constfold import _fold, seed_constants
from .cse import _atom_key, _commutative, _params_key
from .dce import dce_closed, effectful
from .simplify import _rules, _scalar_operands, _use_counts

__all__ = ["optimize_sweep"]

_MAX_DEPTH = 8  # nesting of rules building equations that rules rewrite again


class _LazyUses(dict):
  """The use counts of the input program's variables, counted when first read (only
  the ``transpose`` rule reads them)."""

  def __init__(self, jaxpr: Jaxpr):
    super().__init__()
    self._jaxpr: Jaxpr | None = jaxpr

  def get(self, key, default=None):
    if self._jaxpr is not None:
      self.update(_use_counts(self._jaxpr))
      self._jaxpr = None
    return super().get(key, default)


class _Sweep(Rewriter):
  """The program being built: ``Rewriter`` whose ``emit`` folds, simplifies and merges."""

  def __init__(self, jaxpr: Jaxpr, known: dict, constvars: list, constvals: list):
    super().__init__(jaxpr)
    self.known, self.constvars, self.constvals = known, constvars, constvals
    self.seen: dict = {}
    self.commutative = _commutative()
    self.rules = _rules()
    # the rules that only ever rewrite an operation with a constant operand (x * 1, x + 0)
    self.arithmetic = frozenset((prims.mul_p, prims.add_p, prims.add_any_p, prims.sub_p,
                                 prims.div_p))
    self.uses = _LazyUses(jaxpr)
    self.depth = 0
    self.scalars: dict[int, Any] = {}  # broadcasts of a literal -> its value
    self.broadcast = prims.broadcast_in_dim_p

  def keep(self, eqn: Eqn) -> None:
    defs = self.defs
    for v in eqn.outvars:
      defs[id(v)] = eqn
    self.eqns.append(eqn)
    if eqn.prim is prims.broadcast_in_dim_p:
      value = self.scalar_value(eqn.invars[0])
      if value is not None:
        self.scalars[id(eqn.outvars[0])] = value

  def scalar_value(self, a):
    """``Rewriter.scalar_value``, read from what ``keep`` noted (a broadcast is kept
    before any equation reads it)."""
    return a.val if type(a) is Lit else self.scalars.get(id(a))

  def new_const(self, value, aval) -> Var:
    var = Var(aval)
    self.constvars.append(var)
    self.constvals.append(value)
    self.known[id(var)] = value
    return var

  def emit(self, prim, invars: list, **params):
    out = prim.abstract_eval(*[a.aval for a in invars], **params)
    outs = out if prim.multiple_results else [out]
    eqn = Eqn(prim, list(invars), params, [Var(a) for a in outs])
    elementwise = not prim.multiple_results and ufunc_of(eqn) is not None
    if elementwise and all(type(a) is Lit for a in invars):
      return lit(prim.impl(*[a.val for a in invars]), out.dtype)
    self.depth += 1
    try:
      atoms = self.process(eqn, elementwise)
    finally:
      self.depth -= 1
    return atoms if prim.multiple_results else atoms[0]

  def process(self, eqn: Eqn, elementwise: bool) -> list:
    """The atoms standing for ``eqn``'s results: its own outvars when it is kept."""
    L = prims
    if self.depth <= _MAX_DEPTH:
      # what folding and the scalar-operand rewrite need: inputs that are constants or
      # broadcast literals (most equations have neither: skip both)
      known, scalars = self.known, self.scalars
      foldable, any_scalar, any_lit = True, False, False
      for a in eqn.invars:
        if type(a) is Var:
          vid = id(a)
          if vid in scalars:
            any_scalar = True
          elif vid not in known:
            foldable = False
        else:
          any_lit = True
      if foldable:
        out = _fold(self, eqn, known, self.new_const, L, elementwise)
        if out is not None:
          return out
      if elementwise and any_scalar:
        eqn = _scalar_operands(self, eqn)
      rule = self.rules.get(eqn.prim)
      if rule is not None and (any_lit or any_scalar or eqn.prim not in self.arithmetic):
        res = rule(self, eqn, self.uses)
        if res is not None:
          assert res.aval == eqn.outvars[0].aval, (res.aval, eqn.outvars[0].aval)
          return [res]
    return self.merge(eqn)

  def merge(self, eqn: Eqn) -> list:
    """CSE: the results of an identical earlier equation, or ``eqn`` kept."""
    prim = eqn.prim
    params = _params_key(eqn.params) if eqn.params else ()
    if params is None or prim in effectful:
      self.keep(eqn)
      return eqn.outvars
    # a variable is keyed by its id (an int), a literal by ("lit", dtype, bytes); the
    # operands of a commutative primitive in the order of ``_order``
    invars = eqn.invars
    if len(invars) == 2:  # (the common case, unrolled)
      a, b = invars
      ka: Any = id(a) if type(a) is Var else _lit_key(a)
      kb: Any = id(b) if type(b) is Var else _lit_key(b)
      if prim in self.commutative and (
          (type(kb) is not int or kb < ka) if type(ka) is int
          else (type(kb) is not int and kb < ka)):
        ka, kb = kb, ka
      ins: tuple = (ka, kb)
    else:
      keys = [id(a) if type(a) is Var else _lit_key(a) for a in invars]
      if prim in self.commutative:
        keys.sort(key=_order)
      ins = tuple(keys)
    first = self.seen.setdefault((prim, params, ins), eqn)  # (one hash of the key)
    if first is not eqn:
      return first.outvars
    # keep(eqn), inlined
    outvars = eqn.outvars
    defs = self.defs
    for v in outvars:
      defs[id(v)] = eqn
    self.eqns.append(eqn)
    if prim is self.broadcast:
      value = self.scalar_value(invars[0])
      if value is not None:
        self.scalars[id(outvars[0])] = value
    return outvars


_F64 = np.dtype(np.float64)
_F64_STR = _F64.str
_pack_f64 = struct.Struct("d").pack  # a float64's bytes, as ``tobytes`` gives them


def _lit_key(a: Lit) -> tuple:
  """``cse._atom_key`` of a literal, a float64's computed without NumPy's overhead."""
  val = a.val
  if type(val) is np.float64 and a.aval.dtype is _F64:
    return ("lit", _F64_STR, _pack_f64(val))
  return _atom_key(a)


_RULE = object()   # _ufunc_kind: ask ufunc_of
_NEVER = object()  # _ufunc_kind: no equation of the primitive is a ufunc


def _ufunc_kind(prim) -> Any:
  """Whether ``codegen.ufunc_of`` finds a ufunc for equations of ``prim``: ``_RULE`` (it
  depends on the equation: ask it), ``_NEVER``, or the number of operands with which a
  parameterless equation is one (its impl's ``nin``)."""
  if prim in ufunc_rules:
    return _RULE
  impl = prim.impl
  if prim.multiple_results or not isinstance(impl, np.ufunc) or impl.nout != 1:
    return _NEVER
  return impl.nin


def _order(k) -> tuple:
  """A total order on operand keys: literals first, by their key; then variables by id."""
  return (1, k) if type(k) is int else (0, k)


def optimize_sweep(jaxpr: Jaxpr, consts: Sequence[Any]) -> tuple[Jaxpr, list]:
  """Fold constants, simplify and merge common subexpressions in one walk, then DCE.

  ``jaxpr`` has no call equations left (``inline_calls`` ran); ``consts`` are the
  values of its constvars. Returns the new program and its constvars' values.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> closed = vjpkit.make_jaxpr(lambda x: vnp.sin(x) * 1.0 + x * vnp.sin(x))(np.ones(2))
  >>> print(optimize_sweep(closed.jaxpr, closed.consts)[0])
  { lambda ; a:f64[2]. let
      b:f64[2] = sin a
      c:f64[2] = mul a b
      d:f64[2] = add b c
    in (d,) }
  """
  known: dict[int, Any] = {}
  constvars: list = []
  constvals: list = []
  rw = _Sweep(jaxpr, known, constvars, constvals)
  seed_constants(rw, jaxpr, consts, known, constvars, constvals)
  rename, process, replace = rw.rename, rw.process, rw.replace
  sub = rw.sub
  kinds: dict = {}  # prim -> _ufunc_kind(prim)
  for eqn in jaxpr.eqns:
    if sub:
      eqn = rename(eqn)
    prim = eqn.prim
    kind = kinds.get(prim)
    if kind is None:
      kind = kinds[prim] = _ufunc_kind(prim)
    if kind is _RULE:
      elementwise = ufunc_of(eqn) is not None
    else:  # (what ufunc_of finds, without its calls)
      elementwise = kind is not _NEVER and not eqn.params and len(eqn.invars) == kind
    outs = process(eqn, elementwise)
    if outs is not eqn.outvars:
      for v, a in zip(eqn.outvars, outs):
        if a is not v:
          replace(v, a)
  new = rw.finish()
  return dce_closed(Jaxpr(constvars, new.invars, new.eqns, new.outvars), constvals)
