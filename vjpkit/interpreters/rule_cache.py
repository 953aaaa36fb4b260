"""Rules traced once per signature, then replayed: the fast path of eager reverse mode.

An eager ``grad`` applies the same primitives to the same shapes again and again,
and for each application ``linearize`` runs the primitive's JVP rule on known
primals and staged tangents. That run always splits the same way: a *known* part
(the primal result and the residuals, computed now) and a *linear* part (the
tangent equations, recorded). ``linearize_rule`` traces the split once per
(rule, avals, zero tangents, params) and replays it as one generated function: the
known part calls its primitives' impls on concrete primals (binds them on tracers of
outer transforms), the linear part appends its equations to the linear program (fresh
variables, the residuals as atoms), with no rule, trace dispatch or shape rule run
again. The program recorded is the one the rule records itself:

>>> import numpy as np, vjpkit.numpy as vnp
>>> from vjpkit.interpreters.linearize import linearize_flat
>>> _, lin = linearize_flat(lambda x: [vnp.sin(x) * x], [np.float64(0.5)])
>>> print(lin.jaxpr)
{ lambda ; a:f64[]. let
    b:f64[] = mul a 0.8775825618903728:f64[]
    c:f64[] = mul b 0.5:f64[]
    d:f64[] = mul 0.479425538604203:f64[] a
    e:f64[] = add_any c d
  in (e,) }
>>> type(lin.jaxpr.eqns[0]).__name__, lin.jaxpr.eqns[0].plan is not None
('PlannedEqn', True)

Each recorded equation carries its transpose plan: the transpose rule traced once
for that signature, which ``backward_pass`` replays (``transpose_rule`` does the
same for equations of other linear programs).

Only rules in ``TRACEABLE`` take part: rules that are pure functions of avals
and params (the helpers of ``jvp.py`` add theirs; ``vjpkit.lax`` adds the
transposes it writes by hand). A rule registered later (a user's, or a
redefinition) is a new function, so it is simply run. ``ENABLED`` is off while
``vjpkit.debugging``'s checks are on (they inspect each rule's frames).
A rule that cannot be traced abstractly (it needs concrete values) is remembered
as such and run directly every time.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core.avals import _SCALAR_AVALS, _array_aval, get_aval, tangent_aval
from ..core.ir import Eqn, Jaxpr, Lit, Var
from ..core.rules import jvp_rules, pe_rules, transpose_rules
from ..core.trace import Tracer, new_trace
from ..core.zeros import UndefPrimal, Zero
from .partial_eval import StagingTrace, StagingTracer

__all__ = ["ENABLED", "MISS", "TRACEABLE", "PlannedEqn", "linearize_rule", "transpose_rule",
           "trust"]

ENABLED = True
# rule functions that are pure functions of (avals, params): safe to trace once and replay
TRACEABLE: set[Callable] = set()

_UNTRACEABLE = object()  # a cache entry for a signature whose rule needs concrete values
_LIN_CACHE: dict = {}
_T_CACHE: dict = {}
_MAX_ENTRIES = 20_000
_ARRAY = np.ndarray
_NUMPY_SCALARS = frozenset((np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                            np.int8, np.uint8, np.bool_, np.complex128, np.complex64))


class PlannedEqn(Eqn):
  """An equation recorded by ``linearize_rule``, with its transpose planned: ``plan`` is
  the cached trace of its transpose rule (``_Transposed``), or None. The plan is valid
  in the linear program it was recorded into, where the operands it treats as linear are
  exactly the ones that are not constants or literals (``backward_pass``'s all-linear
  case); elsewhere the equation is an ordinary one."""
  __slots__ = ("plan",)

  def __init__(self, prim, invars: list, params: dict, outvars: list, plan):
    self.prim = prim
    self.invars = invars
    self.params = params
    self.outvars = outvars
    self.plan = plan


def trust(*rules: Callable) -> None:
  """Mark ``rules`` (JVP or transpose rules) as pure functions of avals and params."""
  TRACEABLE.update(rules)


def _params_key(params: dict) -> tuple:
  return (*params.items(), *map(type, params.values())) if params else ()


# -- the program of one step, as slots --------------------------------------------------

def _slot_program(jaxpr: Jaxpr, fixed: list, constvars: list, consts: list, lit_value: bool):
  """``jaxpr``'s equations as ``(prim, params, input slots, number of results)`` over one
  list of values: the ``fixed`` variables first (filled by the caller), then ``consts``
  (the values of ``constvars``, which may be shorter: extra constants) and the literals (returned as ``init``: values, or the ``Lit`` atoms themselves when
  not ``lit_value``), then each equation's results in order. Returns
  ``(steps, init, slot)``, ``slot`` mapping ``id`` of each atom to its index."""
  slot: dict[int, int] = {id(v): i for i, v in enumerate(fixed)}
  n_fixed = len(fixed)
  init: list[Any] = list(consts)
  for i, v in enumerate(constvars):
    slot[id(v)] = n_fixed + i
  for eqn in jaxpr.eqns:
    for a in eqn.invars:
      if type(a) is Lit and id(a) not in slot:
        slot[id(a)] = n_fixed + len(init)
        init.append(a.val if lit_value else a)
  for a in jaxpr.outvars:
    if type(a) is Lit and id(a) not in slot:
      slot[id(a)] = n_fixed + len(init)
      init.append(a.val if lit_value else a)
  k = n_fixed + len(init)
  steps = []
  for eqn in jaxpr.eqns:
    steps.append((eqn.prim, eqn.params, tuple(slot[id(a)] for a in eqn.invars),
                  len(eqn.outvars)))
    for o in eqn.outvars:
      slot[id(o)] = k
      k += 1
  return steps, init, slot


# -- linearize: one primitive application ----------------------------------------------

class _Linearized:
  """The split of one rule at one signature (see the module docstring), compiled to one
  function ``run(trace, lin, *primals, *nonzero tangents)`` that computes the known part
  and appends the linear part's equations to ``lin``, returning the JVP tracer (or the
  bare result when its tangent is zero); ``run_bind`` binds where ``run`` calls impls."""
  __slots__ = ("run", "run_bind", "_args", "_out_avals", "_staged")

  def __init__(self, steps, init, n_primals, outs, lin, lin_init, n_tangents, out,
               tracer_type, out_avals=None):
    args = (steps, n_primals, init, outs, lin, lin_init, n_tangents, out, tracer_type)
    self.run = _compile_linearized(*args, concrete=True)
    self.run_bind = _compile_linearized(*args, concrete=False)
    self._args, self._out_avals = args, out_avals
    self._staged: dict[int, Callable | None] = {}

  def staged(self, mask: int) -> Callable | None:
    """``run_bind`` for primals that are tracers of one staging trace where ``mask`` has
    a bit (the others concrete), recording the known part's equations into that trace
    directly: ``run(trace, lin, S, *primals, *tangents)``. None where it does not apply."""
    cache = self._staged
    if mask in cache:
      return cache[mask]
    fn = None
    if self._out_avals is not None:
      steps, n_primals, init, outs, lin, lin_init, n_tangents, out, tracer_type = self._args
      fn = _compile_linearized(steps, n_primals, init, outs, lin, lin_init, n_tangents, out,
                               tracer_type, concrete=False, stage=(mask, self._out_avals))
    cache[mask] = fn
    return fn


def _compile_linearized(steps, n_primals, init, outs, lin, lin_init, n_tangents, out,
                        tracer_type, concrete: bool, stage: tuple | None = None
                        ) -> Callable | None:
  traced: set[int] = set()  # the slots known to hold tracers of S (stage only)
  if stage is None:
    body, names, glob = _step_lines(steps, n_primals, init, concrete)
  else:
    staged = _staged_step_lines(steps, n_primals, init, stage[0], stage[1], outs)
    if staged is None:
      return None
    body, names, glob, traced = staged
  tangents = [f"t{i}" for i in range(n_tangents)]
  glob.update(_JT=tracer_type, _Var=Var, _PE=PlannedEqn, _Lit=Lit, _NS=_NUMPY_SCALARS,
              _SA=_SCALAR_AVALS, _ST=StagingTracer, _new=object.__new__, _ga=get_aval,
              _ARR=np.ndarray, _aa=_array_aval)
  staging = "" if stage is None else "S, "
  lines = [f"def run(trace, lin, {staging}{', '.join(names[:n_primals] + tangents)}):"] + body
  ans = names[outs[0]]
  # the JVP tracer of (ans, tangent): JVPTracer.__init__, inlined (its aval is the primal's)
  new_jt = ["  j = _new(_JT)", "  j._trace = trace", f"  j.primal = {ans}"] + (
      [f"  j.aval = {ans}.aval"] if outs[0] in traced else
      [f"  av = _SA.get(type({ans}))", f"  j.aval = _ga({ans}) if av is None else av"])
  if out is None:
    lines.append(f"  return {ans}")
  elif out < n_tangents:  # the input tangent itself
    lines += new_jt + [f"  j.tangent = t{out}", "  return j"]
  else:
    atoms = [f"t{i}.ir_var" for i in range(n_tangents)]
    if len(outs) > 1:
      lines.append("  cids = lin._const_ids")
    for k, i in enumerate(outs[1:]):  # residuals: lin.to_atom, its common cases inlined
      r = f"r{k}"
      atoms.append(r)
      if i in traced:  # a tracer of S, below lin: a constvar, one per tracer (to_atom)
        lines += [f"  {r} = {names[i]}",
                  f"  c = cids.get(id({r}))",
                  "  if c is None:",
                  f"    c = cids[id({r})] = _Var({r}.aval)",
                  "    lin.constvars.append(c)",
                  f"    lin.constvals.append({r})",
                  f"  {r} = c"]
        continue
      lines += [f"  {r} = {names[i]}",
                f"  if type({r}) in _NS:",  # a NumPy scalar: a literal
                f"    {r} = _Lit({r}, _SA[type({r})])",
                f"  elif type({r}) is _ARR:",  # an array: a constvar, one per array
                f"    c = cids.get(id({r}))",
                "    if c is None:",
                f"      c = cids[id({r})] = _Var(_aa({r}))",
                "      lin.constvars.append(c)",
                f"      lin.constvals.append({r})",
                f"    {r} = c",
                "  else:",
                f"    {r} = lin.to_atom({r})"]
    for k, a in enumerate(lin_init):
      glob[f"_l{k}"] = a
      atoms.append(f"_l{k}")
    lines.append("  e = lin.eqns.append")
    for j, (prim, params, ins, aval, plan) in enumerate(lin):
      glob.update({f"_q{j}": prim, f"_k{j}": params, f"_av{j}": aval, f"_plan{j}": plan})
      v = f"v{j}"
      lines.append(f"  {v} = _Var(_av{j})")
      lines.append(f"  e(_PE(_q{j}, [{', '.join(atoms[i] for i in ins)}], _k{j}, [{v}], "
                   f"_plan{j}))")
      atoms.append(v)
    lines += ["  o = _new(_ST)", "  o._trace = lin", f"  o.ir_var = {atoms[out]}",
              f"  o.aval = {atoms[out]}.aval"] + new_jt + ["  j.tangent = o", "  return j"]
  exec(compile("\n".join(lines), "<vjpkit rule_cache>", "exec"), glob)  # noqa: S102
  return glob["run"]


def _call_parts(j: int, prim, params, ins, n_out: int, names: list, glob: dict) -> tuple[str, str]:
  """Step ``j``'s argument list and assignment target; its results' names are appended to
  ``names`` and its params to ``glob`` (as ``k{j}``)."""
  args = ", ".join(names[i] for i in ins)
  if params:
    glob[f"k{j}"] = params
    args = f"{args}, **k{j}" if args else f"**k{j}"
  new = [f"a{len(names) + o}" for o in range(n_out)]
  names += new
  target = new[0] if n_out == 1 and not prim.multiple_results else f"({', '.join(new)},)"
  return args, target


def _step_lines(steps, n_in: int, init: list, concrete: bool):
  """The lines computing ``steps`` (see ``_compile``), the value names, and the globals."""
  names = [f"a{i}" for i in range(n_in + len(init))]
  glob: dict[str, Any] = {"_f64": np.float64}
  for i, c in enumerate(init):
    glob[names[n_in + i]] = c
  lines = []
  for j, (prim, params, ins, n_out) in enumerate(steps):
    glob[f"p{j}"] = prim
    args, target = _call_parts(j, prim, params, ins, n_out, names, glob)
    if not concrete:
      call = f"p{j}.bind({args})"
    elif prim._scalar_impl is not None and ins and not params:
      first, last = names[ins[0]], names[ins[-1]]
      call = (f"p{j}._scalar_impl({args}) if type({first}) is _f64 and type({last}) is _f64 "
              f"else p{j}.impl({args})")
    else:
      call = f"p{j}.impl({args})"
    lines.append(f"  {target} = {call}")
  return lines, names, glob


def _staged_step_lines(steps, n_in: int, init: list, mask: int, out_avals: list,
                       keep: list):
  """``_step_lines`` binding each step, for inputs in ``mask`` that are tracers of one
  staging trace ``S`` (``StagingTrace``, exactly) and the others concrete: the equations
  that binding would record in ``S`` (a step reading a tracer), appended to it directly
  with the result avals its shape rules gave when the steps were traced (``out_avals``),
  and the steps on concrete values only bound, as ``bind`` does. The values at ``keep``
  become tracers of ``S``. Returns ``(lines, names, globals, slots holding tracers of
  S)``, or None when a step would not simply be staged (several results, a
  partial-evaluation rule)."""
  names = [f"a{i}" for i in range(n_in + len(init))]
  glob: dict[str, Any] = {"_Var": Var, "_Eqn": Eqn, "_Lit": Lit, "_new": object.__new__,
                          "_ST": StagingTracer}
  for i, c in enumerate(init):
    glob[names[n_in + i]] = c
  atoms: dict[int, str] = {}  # slot -> its atom in S's program (staged slots only)
  avals: dict[int, str] = {}
  lines = ["  to = S.to_atom", "  e = S.eqns.append"]
  for i in range(n_in):
    if mask >> i & 1:
      lines.append(f"  v{i} = a{i}.ir_var")
      atoms[i] = f"v{i}"
  for j, (prim, params, ins, n_out) in enumerate(steps):
    glob[f"p{j}"] = prim
    k = len(names)
    if not any(i in atoms for i in ins):  # concrete operands only: computed now
      args, target = _call_parts(j, prim, params, ins, n_out, names, glob)
      lines.append(f"  {target} = p{j}.bind({args})")
      continue
    if n_out != 1 or prim.multiple_results or prim in pe_rules or out_avals[j] is None:
      return None
    glob[f"k{j}"] = params
    glob[f"o{j}"] = out_avals[j]
    ops = []
    for i in ins:  # StagingTrace.process_primitive's atoms, in its order
      if i in atoms:
        ops.append(atoms[i])
      elif n_in <= i < n_in + len(init) and type(init[i - n_in]) in _NUMPY_SCALARS:
        glob[f"l{i}"] = _SCALAR_AVALS[type(init[i - n_in])]
        ops.append(f"_Lit({names[i]}, l{i})")
      else:
        ops.append(f"to({names[i]})")
    names.append(f"a{k}")
    lines.append(f"  v{k} = _Var(o{j})")
    lines.append(f"  e(_Eqn(p{j}, [{', '.join(ops)}], k{j}, [v{k}]))")
    atoms[k] = f"v{k}"
    avals[k] = f"o{j}"
  for k in sorted(set(keep)):  # the results read outside: tracers (StagingTrace.stage's)
    if k in avals:
      lines += [f"  a{k} = _new(_ST)", f"  a{k}._trace = S", f"  a{k}.ir_var = v{k}",
                f"  a{k}.aval = {avals[k]}"]
  return lines, names, glob, set(atoms)


def _compile(steps, n_in: int, init: list, outs: list, concrete: bool) -> Callable:
  """The steps as one Python function of the ``n_in`` fixed values returning the values
  at ``outs``: with ``concrete``, for concrete inputs (each primitive's impl called as
  ``bind`` would: NumPy scalar math for float64 scalars), otherwise binding each."""
  body, names, glob = _step_lines(steps, n_in, init, concrete)
  lines = [f"def run({', '.join(names[:n_in])}):"] + body
  lines.append(f"  return ({''.join(names[i] + ', ' for i in outs)})")
  exec(compile("\n".join(lines), "<vjpkit rule_cache>", "exec"), glob)  # noqa: S102
  return glob["run"]


def _compile_staged(steps, n_in: int, init: list, outs: list, mask: int,
                    out_avals: list) -> Callable | None:
  """``_compile`` binding each step, as ``_staged_step_lines``: ``run(S, *inputs)``."""
  staged = _staged_step_lines(steps, n_in, init, mask, out_avals, outs)
  if staged is None:
    return None
  body, names, glob, _ = staged
  lines = [f"def run(S, {', '.join(names[:n_in])}):"] + body
  lines.append(f"  return ({''.join(names[i] + ', ' for i in outs)})")
  exec(compile("\n".join(lines), "<vjpkit rule_cache>", "exec"), glob)  # noqa: S102
  return glob["run"]


def staging_of(args) -> tuple[Any, int]:
  """``(S, mask)`` when the tracers among ``args`` are all strong ``StagingTracer``s of one
  active ``StagingTrace`` S (their positions the bits of ``mask``); ``(None, 0)`` else."""
  S = None
  mask = 0
  bit = 1
  for x in args:
    if isinstance(x, Tracer):
      if type(x) is not StagingTracer or x.aval.weak_type:
        return None, 0
      t = x._trace
      if S is None:
        S = t
      elif t is not S:
        return None, 0
      mask |= bit
    bit <<= 1
  if S is None or type(S) is not StagingTrace or not S.active:
    return None, 0
  return S, mask


MISS = object()  # linearize_rule's answer when the caller must run the rule itself


def linearize_rule(trace, lin_trace, tracer_type, prim, args, params: dict):
  """What ``trace`` (a JVP trace whose tangents are staged into ``lin_trace``, as in
  ``linearize``) makes of ``prim.bind(*args, **params)``, from the rule's cached split;
  ``MISS`` when the cache does not handle this application (the caller runs the rule).

  Handled: trusted rules (``TRACEABLE``), nonzero tangents that are tracers of
  ``lin_trace``, primals that are arrays, NumPy scalars or strong tracers of lower
  levels. ``tracer_type`` is the JVP tracer class (``jvp.py`` imports this module)."""
  rule = jvp_rules.get(prim)
  if rule not in TRACEABLE:
    return MISS
  # the common cases, unrolled: one or two operands, concrete primals, staged tangents
  # (the key is the one the general loop below builds)
  n = len(args)
  if n == 1:
    x = args[0]
    if type(x) is tracer_type and x._trace is trace:
      t = x.tangent
      if type(t) is StagingTracer and t._trace is lin_trace:
        p = x.primal
        tp = type(p)
        a = _array_aval(p) if tp is _ARRAY else _SCALAR_AVALS[tp] if tp in _NUMPY_SCALARS \
            else _staged_aval(p) if tp is StagingTracer else None
        if a is not None:
          try:
            entry = _LIN_CACHE.get((rule, a, 1, *_params_key(params)) if params else (rule, a, 1))
          except TypeError:  # an unhashable param
            return MISS
          if entry is _UNTRACEABLE:
            return MISS
          if entry is not None:
            if tp is StagingTracer:
              return _replay_traced(entry, trace, lin_trace, [p], [t])
            return entry.run(trace, lin_trace, p, t)
  elif n == 2:
    x, y = args
    mask = 0
    px, tx, py, ty = x, None, y, None
    if type(x) is tracer_type and x._trace is trace:
      tx = x.tangent
      if type(tx) is StagingTracer and tx._trace is lin_trace:
        px = x.primal
        mask = 1
      else:
        mask = 4  # (not handled here)
    if type(y) is tracer_type and y._trace is trace:
      ty = y.tangent
      if type(ty) is StagingTracer and ty._trace is lin_trace:
        py = y.primal
        mask |= 2
      else:
        mask = 4
    if 0 < mask < 4:
      tp = type(px)
      traced = tp is StagingTracer
      ax = _array_aval(px) if tp is _ARRAY else _SCALAR_AVALS[tp] if tp in _NUMPY_SCALARS \
          else _staged_aval(px) if traced else None
      tp = type(py)
      traced = traced or tp is StagingTracer
      ay = _array_aval(py) if tp is _ARRAY else _SCALAR_AVALS[tp] if tp in _NUMPY_SCALARS \
          else _staged_aval(py) if tp is StagingTracer else None
      if ax is not None and ay is not None:
        try:
          entry = _LIN_CACHE.get((rule, ax, ay, mask, *_params_key(params)) if params
                                 else (rule, ax, ay, mask))
        except TypeError:  # an unhashable param
          return MISS
        if entry is _UNTRACEABLE:
          return MISS
        if entry is not None:
          if traced:
            return _replay_traced(entry, trace, lin_trace, [px, py],
                                  [tx, ty] if mask == 3 else [tx if mask == 1 else ty])
          if mask == 3:
            return entry.run(trace, lin_trace, px, py, tx, ty)
          return entry.run(trace, lin_trace, px, py, tx if mask == 1 else ty)
  mask = 0
  bit = 1
  concrete = True
  key: list[Any] = [rule]
  primals = []
  tangents = []
  for x in args:
    if type(x) is tracer_type and x._trace is trace:
      p = x.primal
      t = x.tangent
      if type(t) is not Zero:
        if type(t) is not StagingTracer or t._trace is not lin_trace:
          return MISS
        mask |= bit
        tangents.append(t)
    else:
      p = x
    bit <<= 1
    primals.append(p)
    tp = type(p)
    if tp is _ARRAY:
      key.append(_array_aval(p))
    elif tp in _NUMPY_SCALARS:
      key.append(_SCALAR_AVALS[tp])
    elif isinstance(p, Tracer):
      aval = p.aval
      if aval.weak_type:
        return MISS
      key.append(aval)
      concrete = False
    else:
      return MISS
  if not mask:  # nothing to differentiate at this level
    return prim.bind(*primals, **params)
  key.append(mask)
  if params:
    key.extend(_params_key(params))
  try:
    k = tuple(key)
    entry = _LIN_CACHE.get(k)
  except TypeError:  # an unhashable param
    return MISS
  if entry is None:
    entry = _build_linearized(prim, rule, key[1:1 + len(primals)], mask, params, tracer_type)
    if len(_LIN_CACHE) > _MAX_ENTRIES:
      _LIN_CACHE.clear()
    _LIN_CACHE[k] = entry
  if entry is _UNTRACEABLE:
    return MISS
  if concrete:
    return entry.run(trace, lin_trace, *primals, *tangents)
  return _replay_traced(entry, trace, lin_trace, primals, tangents)


def _staged_aval(p) -> Any:
  """The aval of a staged primal as ``linearize_rule``'s key has it (None when weak: the
  general path then declines it)."""
  aval = p.aval
  return None if aval.weak_type else aval


def _replay_traced(entry: _Linearized, trace, lin_trace, primals: list, tangents: list):
  """``linearize_rule``'s replay of ``entry`` for primals of which some are tracers."""
  # a residual of a higher level than the linear program cannot be one of its constants;
  # (and staging_of(primals), in the same loop)
  level = lin_trace.level
  S: Any = None
  smask = 0
  bit = 1
  for p in primals:
    if isinstance(p, Tracer):
      t = p._trace
      if t.level >= level:
        return MISS
      if S is not False:
        if type(p) is not StagingTracer or p.aval.weak_type or (S is not None and t is not S):
          S = False
        else:
          S = t
          smask |= bit
    bit <<= 1
  if S and type(S) is StagingTrace and S.active:  # jit of grad: primals staged into the
    fn = entry.staged(smask)                      # program being built
    if fn is not None:
      return fn(trace, lin_trace, S, *primals, *tangents)
  return entry.run_bind(trace, lin_trace, *primals, *tangents)


def _build_linearized(prim, rule, avals, mask: int, params: dict, tracer_type):
  try:
    return _trace_linearized(prim, rule, avals, mask, params, tracer_type)
  except Exception:  # noqa: BLE001 - the rule needs concrete values: run it directly
    return _UNTRACEABLE


def _trace_linearized(prim, rule, avals, mask: int, params: dict, tracer_type):
  if prim.multiple_results:
    return _UNTRACEABLE
  with new_trace(StagingTrace) as known:
    ps = [known.new_arg(a) for a in avals]
    with new_trace(StagingTrace) as unknown:
      ts = [unknown.new_arg(tangent_aval(a)) if mask >> i & 1 else Zero(tangent_aval(a))
            for i, a in enumerate(avals)]
      ans, t_out = rule(ps, ts, **params)
      if not known.is_own(ans):  # a constant result: replayed, one array shared by all calls
        return _UNTRACEABLE
      lin_consts: list[Any] = []
      if t_out is None or type(t_out) is Zero:
        lin_jaxpr = None
      elif unknown.is_own(t_out):
        lin_jaxpr, lin_consts = unknown.to_jaxpr([t_out])
      else:  # a tangent that does not depend on the tangents: not a linear map
        return _UNTRACEABLE
    # the linear part's constants: residuals (known values) and the rule's own constants
    res_tracers = [c for c in lin_consts if known.is_own(c)]
    known_jaxpr, known_consts = known.to_jaxpr([ans] + res_tracers)
  n = len(avals)
  extra = [c for c in lin_consts if not known.is_own(c)]  # the rule's own constants
  steps, init, slot = _slot_program(known_jaxpr, known_jaxpr.invars, known_jaxpr.constvars,
                                    list(known_consts) + extra, lit_value=True)
  outs = [slot[id(a)] for a in known_jaxpr.outvars]
  out_avals = _out_avals(known_jaxpr)
  if lin_jaxpr is None:
    return _Linearized(steps, init, n, outs[:1], [], [], bin(mask).count("1"), None,
                       tracer_type, out_avals)
  # known() returns ans, then one value per constvar of the linear part: the residuals,
  # and the rule's own constants (kept among the known values, entered into each
  # program as the rule itself would enter them)
  res_iter = iter(outs[1:])
  extra_slot = n + len(known_consts)
  known_outs = outs[:1]
  for c in lin_consts:
    if known.is_own(c):
      known_outs.append(next(res_iter))
    else:
      known_outs.append(extra_slot)
      extra_slot += 1
  for eqn in lin_jaxpr.eqns:
    if eqn.prim.multiple_results or eqn.prim in pe_rules or len(eqn.outvars) != 1:
      return _UNTRACEABLE
  n_t = len(lin_jaxpr.invars)
  lin_steps, lin_init, lin_slot = _slot_program(
      lin_jaxpr, lin_jaxpr.invars + lin_jaxpr.constvars, [], [], lit_value=False)
  out_atom = lin_jaxpr.outvars[0]
  out_slot = lin_slot[id(out_atom)]
  if type(out_atom) is Lit or n_t <= out_slot < n_t + len(lin_consts):
    return _UNTRACEABLE  # a constant as the tangent: not a linear map
  # each linear equation's transpose, planned now: its operands that are constants of the
  # linear program (residuals, literals) are the known ones
  n_const = n_t + len(lin_consts)
  lin = []
  for (p, par, ins, _), e in zip(lin_steps, lin_jaxpr.eqns):
    mask = 0
    for j, i in enumerate(ins):
      if i < n_t or i >= n_const + len(lin_init):
        mask |= 1 << j
    lin.append((p, par, ins, e.outvars[0].aval, _plan(e, mask)))
  return _Linearized(steps, init, n, known_outs, lin, lin_init, n_t, out_slot, tracer_type,
                     out_avals)


def _out_avals(jaxpr: Jaxpr) -> list:
  """Per equation: the aval of its one result (None for several)."""
  return [e.outvars[0].aval if len(e.outvars) == 1 else None for e in jaxpr.eqns]


def _plan(eqn: Eqn, mask: int):
  """The transpose plan of a linear equation whose operands in ``mask`` are linear."""
  rule = transpose_rules.get(eqn.prim)
  if rule not in TRACEABLE or not mask:
    return None
  entry = _build_transposed(eqn, rule, mask)
  return None if entry is _UNTRACEABLE else entry


# -- transpose: one equation of a linear program -----------------------------------------

class _Transposed:
  """One transpose rule at one signature: its primitives as steps over (ct, the
  non-linear operands), and where each linear operand's cotangent is (None: none)."""
  __slots__ = ("run", "run_bind", "outs", "known", "pairs", "_args", "_staged")

  def __init__(self, steps, n_in, init, slots, outs, mask, out_avals):
    self.run = _compile(steps, n_in, init, slots, concrete=True)
    self.run_bind = _compile(steps, n_in, init, slots, concrete=False)
    self._args = (steps, n_in, init, slots, out_avals)
    self._staged: dict[int, Callable | None] = {}
    self.outs = outs  # per operand: the index of its cotangent in run's results, or None
    n = len(outs)
    self.known = tuple(i for i in range(n) if not mask >> i & 1)  # operands run reads
    self.pairs = tuple((i, k) for i, k in enumerate(outs) if k is not None)  # (operand, result)

  def run_traced(self, *args):
    """``run_bind(*args)``, for arguments of which some are tracers: where they all are
    tracers of one staging trace, its equations are recorded into it directly
    (``_staged_step_lines``)."""
    S, mask = staging_of(args)
    if S is not None:
      cache = self._staged
      if mask in cache:
        fn = cache[mask]
      else:
        steps, n_in, init, slots, out_avals = self._args
        fn = cache[mask] = _compile_staged(steps, n_in, init, slots, mask, out_avals)
      if fn is not None:
        return fn(S, *args)
    return self.run_bind(*args)


def transpose_rule(rule: Callable, eqn: Eqn, linear: set, env: dict, ct):
  """``rule(ct, *args, **eqn.params)`` for a single-result equation of a linear program
  (``args`` as ``backward_pass`` builds them), from the rule's cached trace; None when the
  rule cannot be replayed (the caller runs it)."""
  key: list[Any] = [rule]
  mask = 0
  bit = 1
  known = [ct]
  for v in eqn.invars:
    key.append(v.aval)
    if type(v) is Lit:
      known.append(v.val)
    elif id(v) in linear:
      mask |= bit
    else:
      known.append(env[id(v)])
    bit <<= 1
  concrete = True
  for x in known:
    if isinstance(x, Tracer):
      concrete = False
  key.append(mask)
  params = eqn.params
  if params:
    key.extend(_params_key(params))
  try:
    k = tuple(key)
    entry = _T_CACHE.get(k)
  except TypeError:
    return None
  if entry is None:
    entry = _build_transposed(eqn, rule, mask)
    if len(_T_CACHE) > _MAX_ENTRIES:
      _T_CACHE.clear()
    _T_CACHE[k] = entry
  if entry is _UNTRACEABLE:
    return None
  res = entry.run(*known) if concrete else entry.run_bind(*known)
  return [None if i is None else res[i] for i in entry.outs]


def _build_transposed(eqn: Eqn, rule: Callable, mask: int):
  try:
    return _trace_transposed(eqn, rule, mask)
  except Exception:  # noqa: BLE001 - the rule needs concrete values: run it directly
    return _UNTRACEABLE


def _trace_transposed(eqn: Eqn, rule: Callable, mask: int):
  if eqn.prim.multiple_results or len(eqn.outvars) != 1:
    return _UNTRACEABLE
  with new_trace(StagingTrace) as trace:
    ct = trace.new_arg(eqn.outvars[0].aval)
    args = []
    for i, v in enumerate(eqn.invars):
      args.append(UndefPrimal(v.aval) if mask >> i & 1 else trace.new_arg(v.aval))
    cts = rule(ct, *args, **eqn.params)
    if (type(cts) is not list and type(cts) is not tuple) or len(cts) != len(eqn.invars):
      return _UNTRACEABLE
    outs: list[Any] = []
    for i, c in enumerate(cts):
      if not mask >> i & 1 or c is None or type(c) is Zero:
        outs.append(None)
      elif trace.is_own(c):
        outs.append(c)
      else:  # a constant cotangent: replayed, it would be one array shared by every call
        return _UNTRACEABLE
    present = [c for c in outs if c is not None]
    jaxpr, consts = trace.to_jaxpr(present)
  steps, init, slot = _slot_program(jaxpr, jaxpr.invars, jaxpr.constvars, consts,
                                    lit_value=True)
  slots = [slot[id(a)] for a in jaxpr.outvars]
  it = iter(range(len(slots)))
  return _Transposed(steps, len(jaxpr.invars), init, slots,
                     [None if c is None else next(it) for c in outs], mask, _out_avals(jaxpr))
