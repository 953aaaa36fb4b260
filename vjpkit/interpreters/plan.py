"""Compile a big program to an execution plan instead of Python source.

For a program of 10⁵ equations, writing Python source and having CPython compile it
costs more than everything else ``jit`` does (about 10 µs per statement for
``compile()`` alone). ``compile_plan`` makes the same decisions as the source code
generator (``codegen``: the same analysis of last uses, buffer reuse and free
broadcasts, the same NumPy calls, the same expressions from the primitives' code
rules) but records them as a flat list of steps ``(callable, input slots, output
slot, slots to free)`` over one list of values, run by a tight loop. Results are
bit for bit those of the generated code: each step is the very call that code makes
(``a * b`` is ``operator.mul``, ``np.tanh(a, out=a)`` is the ufunc with ``out=``, a
rule's expression is compiled once per distinct text into a small function).

Per call, the loop costs more than generated code (about 0.2 µs more per step: a
long chain of scalar operations runs about 2.3 times slower, one of operations on
100-element arrays 1.2 times; for big arrays the difference disappears in the
operations), so ``compile_jaxpr`` uses it only for programs of at least
``codegen.PLAN_MIN_EQNS`` equations (``vjpkit.config.jit_plan_min_eqns``), whose
source would take seconds to compile: several times the plan's build time. The source is still available
(``Compiled.source``): it is written when first asked for.

>>> import numpy as np, vjpkit
>>> import vjpkit.numpy as vnp
>>> closed = vjpkit.make_jaxpr(lambda x: vnp.tanh(x) * 2.0 + x)(np.ones(3))
>>> c = compile_plan(closed.jaxpr, closed.consts)
>>> c(np.zeros(3))
(array([0., 0., 0.]),)
>>> print(c.source)
def f(a):
    b = _tanh0(a)
    b = _multiply1(b, 2.0, out=b)
    b = _add2(b, a, out=b)
    return (b,)
"""
from __future__ import annotations

import functools
import math
import operator
from typing import Any, Callable, Sequence

import numpy as np

from ..core.ir import Eqn, Jaxpr, Lit, Var
from ..core.rules import broadcast_rules, emit_rules, ufunc_rules
from .codegen import (_UFUNC_PLANS, MAX_MATERIALISED, Compiled, _Codegen, _pad_left,
                      note_uses)

__all__ = ["compile_plan", "PlanCompiled"]

_OPERATOR_FNS: dict[Any, Callable] = {np.add: operator.add, np.subtract: operator.sub,
                                      np.multiply: operator.mul, np.true_divide: operator.truediv}

# step codes (the first field of a step): fn(a), fn(a, b), fn(a, out=), fn(a, b, out=),
# fn(*args), fn(*args) -> several results, only free slots, fn(*args, out=)
_CALL1, _CALL2, _OUT1, _OUT2, _CALLN, _MULTI, _FREE, _OUTN = range(8)


class PlanCompiled(Compiled):
  """A program compiled to a plan (see the module docstring); ``source`` is the Python
  code the source generator writes for it, made when first read."""
  __slots__ = ("_source", "_consts", "_name")

  def __init__(self, fn: Callable, jaxpr: Jaxpr, consts, name: str):
    self.fn, self.jaxpr = fn, jaxpr
    self._source: str | None = None
    self._consts, self._name = consts, name

  @property  # (Compiled's attribute, made when first read)
  def source(self) -> str:  # type: ignore[override]
    if self._source is None:
      self._source = "\n".join(_Codegen(self.jaxpr, self._consts, self._name).generate())
    return self._source


def compile_plan(jaxpr: Jaxpr, consts: Sequence[Any] | None = None,
                 name: str = "f") -> PlanCompiled:
  """``jaxpr`` as a plan: the same function as ``codegen.compile_jaxpr`` (constvars bound
  to ``consts`` when given, else leading arguments) returning a tuple of outputs."""
  planner = _Planner(jaxpr, consts, name)
  return PlanCompiled(planner.build(), jaxpr, consts, name)


class _Planner(_Codegen):
  """The source generator's analysis, emitting steps instead of lines. Where the code
  has a name, the plan has a slot in the value list (``var_name`` returns slots: buffer
  reuse shares a slot exactly where the code shares a name); literals and constants
  get slots too, filled before the call."""

  def __init__(self, jaxpr: Jaxpr, consts, name: str):
    super().__init__(jaxpr, consts, name)
    self.template: list = []           # the value list a call starts from
    self.lit_slots: dict[tuple, int] = {}
    self.virt: dict[int, int] = {}     # broadcast var -> slot read by elementwise ops
    self.steps: list[tuple] = []
    self.early: list = []  # per equation: its step if made during the analysis, else None
    if consts is not None:
      for v, x in zip(jaxpr.constvars, consts, strict=True):
        self.names[id(v)] = len(self.template)  # type: ignore[assignment]
        self.template.append(x)

  # -- slots -----------------------------------------------------------------------
  def var_name(self, v: Var) -> int:  # type: ignore[override]
    s = self.names.get(id(v))
    if s is None:
      s = self.names[id(v)] = len(self.template)  # type: ignore[assignment]
      self.template.append(None)
    return s  # type: ignore[return-value]

  def new_slot(self) -> int:
    self.template.append(None)
    return len(self.template) - 1

  def value_slot(self, value) -> int:
    """A slot holding a constant ``value`` (one per distinct value and type, bit for bit:
    ``0.0`` and ``-0.0`` are two values)."""
    t = type(value)
    if t is float:
      key: tuple = (t, value.hex())
    elif t is int or t is bool:
      key = (t, value)
    else:
      arr = np.asarray(value)
      key = (t, arr.dtype.str, arr.tobytes())
    s = self.lit_slots.get(key)
    if s is None:
      s = self.lit_slots[key] = len(self.template)
      self.template.append(value)
    return s

  def lit_value(self, a: Lit, inline: bool = False):
    """The value the generated code writes for literal ``a`` (``Env.lit``)."""
    val, dtype = a.val, a.aval.dtype
    if inline and dtype == np.float64 and math.isfinite(float(val)):
      return float(val)
    if inline and dtype == np.int64:
      return int(val)
    if inline and dtype == np.bool_:
      return bool(val)
    return np.array(val, dtype)[()]

  def operand(self, a, inline: bool = False) -> int:
    if type(a) is Lit:
      return self.value_slot(self.lit_value(a, inline))
    return self.var_name(a)

  # -- analysis --------------------------------------------------------------------
  def analyse(self) -> None:
    """``_Codegen.analyse``, its walk with the common equation inlined: an elementwise
    one with a scalar result and no broadcast operand, whose step is made right away
    (what ``plan`` would make of it, without its calls)."""
    eqns = self.jaxpr.eqns
    roots: dict[int, frozenset] = {}
    plans: list[tuple[str, Any]] = []
    self.plans = plans
    plan_of = self.plan
    last: dict[int, int] = {}
    bcasts: list[int] = []
    early = self.early
    names: dict[int, Any] = self.names
    template = self.template
    bcast = self.bcast
    lit_slots = self.lit_slots
    fast: dict = {}  # prim -> (ufunc, step code, step fn, plan), or None
    for i, eqn in enumerate(eqns):
      prim = eqn.prim
      entry = fast.get(prim, _UNSEEN)
      if entry is _UNSEEN:
        entry = fast[prim] = _scalar_entry(prim)
      invars = eqn.invars
      outvar = eqn.outvars[0] if len(eqn.outvars) == 1 else None
      if (entry is not None and not eqn.params and len(invars) == entry[0].nin
          and outvar is not None and outvar.aval.shape == ()
          and (not bcast or not any(type(v) is Var and id(v) in bcast for v in invars))):
        args = []
        for v in invars:
          if type(v) is Var:
            vid = id(v)
            s = names.get(vid)
            if s is None:
              s = names[vid] = len(template)
              template.append(None)
            args.append(s)
            last[vid] = i
          else:
            val = v.val
            f = float(val) if type(val) is np.float64 else None
            if f is not None and v.aval.dtype == _F64 and math.isfinite(f):
              # operand(v, inline=True) of a finite float64 literal: the float's slot
              key = (float, f.hex())
              s = lit_slots.get(key)
              if s is None:
                s = lit_slots[key] = len(template)
                template.append(f)
              args.append(s)
            else:
              args.append(self.operand(v, inline=True))
        oid = id(outvar)
        s = names.get(oid)
        if s is None:
          s = names[oid] = len(template)
          template.append(None)
        last[oid] = i
        code = entry[1]
        if code == _CALL2:
          early.append((code, entry[2], args[0], args[1], s, None))
        elif code == _CALL1:
          early.append((code, entry[2], args[0], None, s, None))
        else:
          early.append((code, entry[2], tuple(args), None, s, None))
        plans.append(entry[3])
        continue
      plan = plan_of(eqn)
      plans.append(plan)
      note_uses(plan[0], eqn, i, last, roots, bcasts)
    self.finish_analysis(last, roots, bcasts)

  # -- steps -----------------------------------------------------------------------
  def build(self) -> Callable:  # type: ignore[override]
    jaxpr = self.jaxpr
    params = [self.var_name(v)
              for v in ([] if self.bound_consts else jaxpr.constvars)]
    params += [self.var_name(v) for v in jaxpr.invars]
    self.analyse()
    early, steps = self.early, self.steps
    for i, eqn in enumerate(jaxpr.eqns):
      step = early[i]
      if step is not None:
        steps.append(step)
      else:
        self.plan_eqn(i, eqn)
    returns = self.plan_returns()
    return _runner(self.steps, self.template, params, returns, self.name)

  def add(self, code: int, fn: Callable, ins, out, i: int, eqn: Eqn) -> None:
    dels = None
    if eqn.outvars[0].aval.shape != () or any(type(v) is Var and v.aval.shape != ()
                                             for v in eqn.invars):
      dels = tuple(self.dead_names(i, eqn)) or None  # (scalars are never freed)
    self.steps.append(_step(code, fn, ins, out, dels))

  def plan_eqn(self, i: int, eqn: Eqn) -> None:
    kind, detail = self.plans[i]
    if kind == "bcast":
      self.plan_bcast(i, eqn)
    elif kind == "ufunc":
      self.plan_ufunc(i, eqn, *detail)
    else:
      self.plan_rule(i, eqn)

  def plan_bcast(self, i: int, eqn: Eqn) -> None:
    """``emit_bcast``: the value elementwise readers see, and the array if needed."""
    var = eqn.outvars[0]
    src, expanded = self.bcast[id(var)]
    steps_before = len(self.steps)
    if type(src) is Lit:
      self.virt[id(var)] = self.operand(src, inline=True)
      base = self.operand(src)
    elif src.aval.shape == () or _pad_left(src.aval.shape, len(expanded)) == expanded:
      base = self.virt[id(var)] = self.var_name(src)
    else:
      base = self.virt[id(var)] = self.new_slot()
      self.virtual_names[id(var)] = base  # type: ignore[assignment]
      self.steps.append(_step(_CALL1, operator.methodcaller("reshape", expanded),
                         self.var_name(src), base, None))
    if id(var) in self.need_real:
      out = self.var_name(var)
      if type(src) is Lit and var.aval.size <= MAX_MATERIALISED:
        full = np.full(var.aval.shape, src.val, var.aval.dtype)
        full.flags.writeable = False
        self.template[out] = full  # what the code binds as a global
      else:
        self.steps.append(_step(_CALL1, functools.partial(_broadcast_to, shape=var.aval.shape),
                           base, out, None))
    dels = tuple(self.dead_names(i, eqn)) or None
    if dels:
      if len(self.steps) > steps_before:
        self.steps[-1] = self.steps[-1][:5] + (dels,)
      else:
        self.steps.append((_FREE, None, None, None, None, dels))

  def plan_ufunc(self, i: int, eqn: Eqn, ufunc: np.ufunc, virtual: bool) -> None:
    """``emit_ufunc``: the same operands, the same buffer, the same call."""
    out = eqn.outvars[0]
    args = []
    for v in eqn.invars:
      if type(v) is Lit:
        args.append(self.operand(v, inline=True))
      elif virtual and id(v) in self.bcast:
        args.append(self.virt[id(v)])
      else:
        args.append(self.var_name(v))
    if out.aval.shape == ():
      self.steps.append(self.scalar_step(eqn, ufunc, args))
      return
    buf = None
    for v in eqn.invars:
      if (type(v) is Var and v.aval == out.aval and id(v) not in self.external
          and id(v) not in self.roots and self.root_last[id(v)] == i):
        buf = self.var_name(v)
        self.reused.add(id(v))
        self.names[id(out)] = buf  # type: ignore[assignment]
        break
    out_slot = self.var_name(out)
    if buf is not None:
      if len(args) == 1:
        self.add(_OUT1, ufunc, args[0], out_slot, i, eqn)
      elif len(args) == 2:
        self.add(_OUT2, ufunc, (args[0], args[1]), out_slot, i, eqn)
      else:
        self.add(_OUTN, ufunc, tuple(args), out_slot, i, eqn)
      return
    fn: Callable = ufunc
    op = _OPERATOR_FNS.get(ufunc)
    if op is not None and len(args) == 2:
      fn = op
    elif ufunc is np.negative:
      fn = operator.neg
    if len(args) == 1:
      self.add(_CALL1, fn, args[0], out_slot, i, eqn)
    elif len(args) == 2:
      self.add(_CALL2, fn, (args[0], args[1]), out_slot, i, eqn)
    else:
      self.add(_CALLN, fn, tuple(args), out_slot, i, eqn)

  def scalar_step(self, eqn: Eqn, ufunc: np.ufunc, args: list[int]) -> tuple:
    """The step of a ufunc with a scalar result: never written in place, never freed."""
    op = _OPERATOR_FNS.get(ufunc) if len(args) == 2 else None
    fn: Callable = op if op is not None else (
        operator.neg if ufunc is np.negative and len(args) == 1 else ufunc)
    code = _CALL1 if len(args) == 1 else _CALL2 if len(args) == 2 else _CALLN
    return _step(code, fn, args[0] if code == _CALL1 else tuple(args),
                 self.var_name(eqn.outvars[0]), None)

  def plan(self, eqn: Eqn):
    """``_Codegen.plan``; a scalar ufunc's step is made right away, as nothing the rest
    of the analysis finds (last uses, buffers) concerns it."""
    plan = super().plan(eqn)
    if plan[0] == "ufunc" and not plan[1][1] and eqn.outvars[0].aval.shape == ():
      names: dict[int, Any] = self.names
      args = [self.operand(v, inline=True) if type(v) is Lit else
              names[id(v)] if id(v) in names else self.var_name(v) for v in eqn.invars]
      self.early.append(self.scalar_step(eqn, plan[1][0], args))
    else:
      self.early.append(None)
    return plan

  def plan_rule(self, i: int, eqn: Eqn) -> None:
    """``emit_rule``: the primitive's code rule as a function of its operands, or its impl."""
    ins = tuple(self.operand(v) for v in eqn.invars)
    rule = emit_rules.get(eqn.prim)
    names = [f"a{k}" for k in range(len(ins))]
    emit = rule(eqn, names, self.env) if rule is not None else None
    if emit is None:
      fn = eqn.prim.impl if not eqn.params else functools.partial(eqn.prim.impl, **eqn.params)
    else:
      expr = emit if type(emit) is str else emit.expr
      fn = _expression(expr, len(ins), self.env.globals)
    outs = tuple(self.var_name(v) for v in eqn.outvars)
    if eqn.prim.multiple_results:
      self.add(_MULTI, fn, ins, outs, i, eqn)
    else:
      self.add(_CALLN, fn, ins, outs[0], i, eqn)

  def plan_returns(self) -> list[tuple[int, bool]]:
    """``returns``: (slot, whether to copy) per output."""
    outs = []
    claimed: set[int] = set()
    for v in self.jaxpr.outvars:
      if isinstance(v, Lit):
        outs.append((self.operand(v), False))
        continue
      rs = self.roots.get(id(v)) or frozenset((id(v),))
      outs.append((self.var_name(v), bool(rs & self.external or rs & claimed)))
      claimed |= rs
    return outs


_UNSEEN = object()
_F64 = np.dtype(np.float64)


def _scalar_entry(prim) -> tuple | None:
  """For a primitive whose parameterless equations of ``ufunc.nin`` operands
  ``codegen.ufunc_of`` finds to be ``ufunc`` without a rule (and that is no broadcast):
  ``(ufunc, step code, step fn, plan)`` of such an equation with a scalar result
  (``scalar_step``, ``_Codegen.plan``); None for other primitives."""
  impl = prim.impl
  if (prim in broadcast_rules or prim in ufunc_rules or prim.multiple_results
      or not isinstance(impl, np.ufunc) or impl.nout != 1):
    return None
  n = impl.nin
  op = _OPERATOR_FNS.get(impl) if n == 2 else None
  fn: Callable = op if op is not None else (
      operator.neg if impl is np.negative and n == 1 else impl)
  code = _CALL1 if n == 1 else _CALL2 if n == 2 else _CALLN
  plan = _UFUNC_PLANS.get((impl, False))
  if plan is None:  # (shared with the source generator's plans)
    plan = _UFUNC_PLANS[(impl, False)] = ("ufunc", (impl, False))
  return impl, code, fn, plan


def _step(code: int, fn, ins, out, dels) -> tuple:
  """A step ``(code, fn, a, b, out, dels)``: a binary step's two operand slots in ``a``
  and ``b``, else ``a`` the operand slot (one operand) or tuple of them."""
  if code == _CALL2 or code == _OUT2:
    return (code, fn, ins[0], ins[1], out, dels)
  return (code, fn, ins, None, out, dels)


def _broadcast_to(x, shape):
  return np.broadcast_to(x, shape)


def _expression(expr: str, n: int, namespace: dict) -> Callable:
  """``lambda a0, ..., a{n-1}: expr`` evaluated in ``namespace``, once per text."""
  cache = namespace.setdefault("__plan_cache__", {})
  fn = cache.get(expr)
  if fn is None:
    args = ", ".join(f"a{k}" for k in range(n))
    fn = cache[expr] = eval(f"lambda {args}: {expr}", namespace)  # noqa: S307 - generated
  return fn


def _runner(steps: list, template: list, params: list[int], returns: list[tuple[int, bool]],
            name: str) -> Callable:
  steps_t = tuple(steps)
  copy = np.array
  nparams = len(params)
  contiguous = params == list(range(nparams))

  def run(*args):
    if len(args) != nparams:
      raise TypeError(f"{name}() takes {nparams} positional arguments but {len(args)} "
                      "were given")
    R = list(template)
    if contiguous:
      R[:nparams] = args
    else:
      for s, x in zip(params, args):
        R[s] = x
    for code, fn, a, b, out, dels in steps_t:
      if code == 1:
        R[out] = fn(R[a], R[b])
      elif code == 0:
        R[out] = fn(R[a])
      elif code == 3:
        R[out] = fn(R[a], R[b], out=R[out])
      elif code == 2:
        R[out] = fn(R[a], out=R[out])
      elif code == 4:
        R[out] = fn(*[R[k] for k in a])
      elif code == 5:
        res = fn(*[R[k] for k in a])
        if len(out) == 1:
          (R[out[0]],) = res
        else:
          for k, x in zip(out, res, strict=True):
            R[k] = x
      elif code == 7:
        R[out] = fn(*[R[k] for k in a], out=R[out])
      if dels is not None:
        for k in dels:
          R[k] = None
    return tuple(copy(R[s]) if c else R[s] for s, c in returns)

  run.__name__ = run.__qualname__ = name
  return run
