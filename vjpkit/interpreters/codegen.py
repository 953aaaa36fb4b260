"""Compile a program to Python source that calls NumPy directly.

This is what ``jit`` runs: one line per equation, no interpreter loop, no
tracing, no dictionary of values. Three analyses make the code close to what a
person would write by hand:

* **liveness**: each intermediate is deleted (``del``) right after its last
  use, so memory peaks where a hand-written program's would;
* **buffer reuse**: an elementwise ufunc writes into the buffer of an operand
  that dies at that equation (``np.tanh(a, out=a)``), when the program owns
  that buffer: it was freshly computed here, no live view aliases it, and it
  is neither an input nor a constant (inputs are never mutated);
* **free broadcasts**: a ``broadcast_in_dim`` read only by elementwise ops is
  not materialised; NumPy broadcasting does it (``x + b`` for a bias ``b``);
* **blocking**: a run of elementwise equations on large arrays is evaluated in
  cache-sized blocks with reused buffers (``codegen_blocked``), so that its
  intermediates never exist at full size.

All-scalar float64 programs have a second compiler, to Python ``math`` on
floats (``codegen_scalar``), which ``jit`` prefers where it applies.

Per-primitive knowledge is in three tables filled by ``Primitive.def_codegen``:
``emit_rules`` (how to write an equation), ``ufunc_rules`` (primitives that
are a NumPy ufunc for some dtypes) and ``broadcast_rules``. A primitive in
none of them is still compiled correctly, as a call of its impl. Programs of
any size compile: long ones are split into chunks of ``CHUNK`` equations
(separate functions), since CPython compiles huge functions slowly.
"""
from __future__ import annotations

import functools
import itertools
import keyword
import linecache
import math
import re
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from ..core.ir import Eqn, Jaxpr, Lit, Var
from ..core.pretty import _name
from ..core.rules import broadcast_rules, emit_rules, ufunc_rules
from .codegen_blocked import emit_region, find_regions, schedule

CHUNK = 1000
# Programs of at least this many equations compile to an execution plan (``plan.py``)
# rather than Python source: CPython's compile() alone costs ~10 µs per statement.
PLAN_MIN_EQNS = 20_000


class Emit(NamedTuple):
  """How one equation is written: a Python expression and what its result is.

  ``kind`` is ``"fresh"`` (a new array nobody else references), ``"view"``
  (may share memory with its array inputs) or ``"opaque"`` (unknown: treated
  like a view of every input)."""
  expr: str
  kind: str


# The tables (core/rules.py, filled by Primitive.def_codegen):
# emit_rules: prim -> rule(eqn, args: list[str], env: Env) -> Emit | str | None (None: the
#   generic call of the impl; a str: an "opaque" Emit)
# ufunc_rules: prim -> rule(eqn) -> np.ufunc | None: the ufunc computing eqn, if any
# broadcast_rules: prim -> rule(eqn) -> expanded shape: the input reshaped to it, then broadcast

_OPERATORS: dict[Any, str] = {np.add: "+", np.subtract: "-", np.multiply: "*", np.true_divide: "/"}


def ufunc_of(eqn: Eqn) -> np.ufunc | None:
  """The NumPy ufunc that computes ``eqn`` elementwise (same inputs, same order), or None.

  >>> import numpy as np, vjpkit
  >>> eqns = vjpkit.make_jaxpr(lambda x: (x / 2.0).sum())(np.ones(3)).eqns
  >>> [ufunc_of(e) for e in eqns]
  [<ufunc 'divide'>, None]
  """
  rule = ufunc_rules.get(eqn.prim)
  if rule is not None:
    return rule(eqn)
  impl = eqn.prim.impl
  if (isinstance(impl, np.ufunc) and not eqn.params and not eqn.prim.multiple_results
      and impl.nin == len(eqn.invars) and impl.nout == 1):
    return impl
  return None


class Env:
  """Names of globals of the generated module (functions, dtypes, constants)."""

  def __init__(self):
    self.globals: dict[str, Any] = {"np": np}
    self._ids: dict[int, str] = {}
    self._count = itertools.count()

  def ref(self, value, hint: str = "k") -> str:
    """A global name bound to ``value`` (one name per distinct object)."""
    name = self._ids.get(id(value))
    if name is None or self.globals.get(name) is not value:
      hint = "".join(c if c.isalnum() else "_" for c in hint)
      name = f"_{hint}{next(self._count)}"
      self.globals[name] = value
      self._ids[id(value)] = name
    return name

  def lit(self, lit: Lit, inline: bool = False) -> str:
    """A literal: inline as Python text when that keeps its dtype (``inline``: it
    meets an operand of its own dtype, which NumPy's promotion then keeps)."""
    val, dtype = lit.val, lit.aval.dtype
    if inline and dtype == np.float64 and math.isfinite(float(val)):
      text = repr(float(val))
      return f"({text})" if text.startswith("-") else text
    if inline and dtype == np.int64:
      return f"({int(val)})" if int(val) < 0 else str(int(val))
    if inline and dtype == np.bool_:
      return str(bool(val))
    return self.ref(np.array(val, dtype)[()], "c")


class Compiled:
  """A compiled program: call it with its inputs (constvars first unless they were
  bound at compile time); ``source`` is the generated Python text."""
  __slots__ = ("fn", "source", "jaxpr", "__weakref__")

  def __init__(self, fn: Callable, source: str, jaxpr: Jaxpr):
    self.fn, self.source, self.jaxpr = fn, source, jaxpr

  def __call__(self, *args):
    return self.fn(*args)

  def __repr__(self):
    return f"<compiled {self.fn.__name__}: {len(self.jaxpr.eqns)} equations>"


_counter = itertools.count()


def compile_jaxpr(jaxpr: Jaxpr, consts: Sequence[Any] | None = None, name: str = "f",
                  backend: str = "auto") -> Compiled:
  """Compile ``jaxpr`` to a Python function of NumPy calls returning a tuple of outputs.

  With ``consts`` (values of the constvars) the constants are bound into the
  generated module and the function takes only the invars; without, it takes
  the constvars followed by the invars. ``backend``: ``"source"`` writes Python
  source and compiles it; ``"plan"`` records the same NumPy calls as an execution
  plan run by a loop (``interpreters.plan``: much cheaper to build, somewhat slower
  per call, the same results bit for bit); ``"auto"`` (the default) takes the plan
  for programs of at least ``PLAN_MIN_EQNS`` equations.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> closed = vjpkit.make_jaxpr(lambda x: vnp.tanh(x) * 2.0)(np.ones(3))
  >>> c = compile_jaxpr(closed.jaxpr, closed.consts)
  >>> print(c.source)
  def f(a):
      b = _tanh0(a)
      b = _multiply1(b, 2.0, out=b)
      return (b,)
  >>> c(np.zeros(3))
  (array([0., 0., 0.]),)
  """
  if backend == "auto":
    backend = "plan" if len(jaxpr.eqns) >= PLAN_MIN_EQNS else "source"
  if backend == "plan":
    from .plan import compile_plan
    return compile_plan(jaxpr, consts, name)
  if backend != "source":
    raise ValueError(f"compile_jaxpr: backend must be 'auto', 'source' or 'plan', got "
                     f"{backend!r}")
  return _Codegen(jaxpr, consts, name).build()


_UFUNC_PLANS: dict[tuple, tuple] = {}
_RESERVED = {"np", "out", "axis", "axes", "dtype", "R"}
_READONLY = -1  # a pseudo-buffer: values that may be read-only views or shared
_READONLY_ROOTS = frozenset((_READONLY,))


def note_uses(kind: str, eqn, i: int, last: dict[int, int], roots: dict[int, frozenset],
              bcasts: list[int]) -> None:
  """Record equation ``i`` of plan ``kind`` in the analysis: its operands' last use, and
  which buffers its results may share (``roots``; a broadcast's or an opaque rule's results
  are read-only)."""
  for v in eqn.invars:
    if type(v) is Var:
      last[id(v)] = i
  if kind == "ufunc" or kind == "fresh":  # a new buffer: its own root
    for v in eqn.outvars:
      last[id(v)] = i  # an unused result dies where it is born
    return
  ins = frozenset().union(*[roots.get(id(v)) or (id(v),) for v in eqn.invars if type(v) is Var])
  if kind == "bcast" or kind == "opaque":
    ins |= _READONLY_ROOTS
    if kind == "bcast":
      bcasts.append(i)
  for v in eqn.outvars:
    roots[id(v)] = ins
    last[id(v)] = i
MAX_MATERIALISED = 1 << 20  # elements: broadcast constants up to this size are precomputed


class _Codegen:
  def __init__(self, jaxpr: Jaxpr, consts, name: str):
    self.jaxpr, self.name = jaxpr, _identifier(name)
    self.env = Env()
    self.names: dict[int, str] = {}
    self.count = 0
    self.bound_consts = consts is not None
    if consts is not None:
      for v, x in zip(jaxpr.constvars, consts, strict=True):
        self.names[id(v)] = self.env.ref(x, "const")
    # inputs, constants and read-only values (broadcasts, unknown impls' results) are never
    # written to, and are copied when returned
    self.external = ({id(v) for v in jaxpr.constvars} | {id(v) for v in jaxpr.invars}
                     | {_READONLY})
    self.reused: set[int] = set()            # vars whose buffer an equation wrote its result to
    self.bcast: dict[int, tuple] = {}        # var -> (source atom, expanded shape)
    self.need_real: set[int] = set()         # broadcasts that must exist as arrays
    self.virtual: dict[int, str] = {}        # broadcast var -> expression for elementwise use
    self.virtual_names: dict[int, str] = {}  # broadcast var -> name of its reshaped source

  def var_name(self, v: Var) -> str:
    name = self.names.get(id(v))
    if name is None:
      name = _name(self.count)
      self.count += 1
      if keyword.iskeyword(name) or name in _RESERVED:
        name += "_"
      self.names[id(v)] = name
    return name

  def atom(self, a, inline: bool = False) -> str:
    if type(a) is Lit:
      return self.env.lit(a, inline)
    return self.var_name(a)

  # -- analysis ----------------------------------------------------------------
  def analyse(self) -> None:
    """Plan every equation, then compute last uses and which buffers values share."""
    plan_of = self.plan
    self.plans: list[tuple[str, Any]] = [plan_of(eqn) for eqn in self.jaxpr.eqns]
    self.note_all()

  def reorder(self, order: list[int]) -> None:
    """Evaluate the equations in ``order`` (a topological order of them): the program and
    the plans are permuted, the last uses found again."""
    jaxpr = self.jaxpr
    eqns = [jaxpr.eqns[i] for i in order]
    self.plans = [self.plans[i] for i in order]
    self.jaxpr = Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outvars)
    self.note_all()

  def note_all(self) -> None:
    """The last uses and buffer roots of the planned equations, in their order."""
    # the buffers each value may share memory with; a value absent is its own buffer
    # (inputs, and results of ufuncs and of rules making fresh arrays: most values)
    roots: dict[int, frozenset] = {}
    last: dict[int, int] = {}
    bcasts: list[int] = []  # positions of the broadcasts
    for i, (eqn, plan) in enumerate(zip(self.jaxpr.eqns, self.plans)):
      note_uses(plan[0], eqn, i, last, roots, bcasts)
    self.finish_analysis(last, roots, bcasts)

  def finish_analysis(self, last: dict[int, int], roots: dict[int, frozenset],
                      bcasts: list[int]) -> None:
    """``analyse``'s end, after its walk: the outputs' and broadcast sources' last uses,
    and each buffer's last use."""
    jaxpr = self.jaxpr
    eqns = jaxpr.eqns
    for v in jaxpr.outvars:
      if type(v) is Var and id(v) in self.bcast:
        self.need_real.add(id(v))
    for v in jaxpr.outvars:
      if type(v) is Var:
        last[id(v)] = len(eqns)
    for i in reversed(bcasts):
      eqn = eqns[i]
      src = eqn.invars[0]
      if type(src) is Var:  # a free broadcast reads its source late
        last[id(src)] = max(last[id(src)], last[id(eqn.outvars[0])])
    root_last: dict[int, int] = {}
    get = root_last.get
    for vid, lv in last.items():
      rs = roots.get(vid)
      if rs is None:
        if get(vid, -2) < lv:
          root_last[vid] = lv
        continue
      for r in rs:
        if get(r, -2) < lv:
          root_last[r] = lv
    self.last, self.roots, self.root_last = last, roots, root_last

  def plan(self, eqn: Eqn):
    """(kind, detail): kind is "bcast", "ufunc" (detail: the ufunc and whether it
    reads broadcast operands unbroadcast) or the kind of an Emit (detail: the Emit)."""
    rule = broadcast_rules.get(eqn.prim)
    ufunc = None if rule is not None else ufunc_of(eqn)
    bcast = self.bcast
    if bcast and any(type(v) is Var and id(v) in bcast for v in eqn.invars):
      virtual = ufunc is not None and self.reads_virtually(eqn)
      if not virtual:
        for v in eqn.invars:
          if type(v) is Var and id(v) in bcast:
            self.need_real.add(id(v))
    else:
      virtual = False  # no broadcast operand: nothing to read virtually
    if rule is not None:
      self.bcast[id(eqn.outvars[0])] = (eqn.invars[0], tuple(rule(eqn)))
      return ("bcast", None)
    if ufunc is not None:
      plan = _UFUNC_PLANS.get((ufunc, virtual))
      if plan is None:  # one tuple per ufunc, shared by its equations
        plan = _UFUNC_PLANS[(ufunc, virtual)] = ("ufunc", (ufunc, virtual))
      return plan
    emit = self.emit_rule(eqn, ["_"] * len(eqn.invars))  # names are given at emission
    return (emit.kind, None)

  def emit_rule(self, eqn: Eqn, args: list[str]) -> Emit:
    emit_rule = emit_rules.get(eqn.prim)
    emit = emit_rule(eqn, args, self.env) if emit_rule is not None else None
    if type(emit) is str:
      emit = Emit(emit, "opaque")
    if emit is None:
      fn = eqn.prim.impl if not eqn.params else functools.partial(eqn.prim.impl, **eqn.params)
      emit = Emit(f"{self.env.ref(fn, eqn.prim.name)}({', '.join(args)})", "opaque")
    return emit

  def reads_virtually(self, eqn: Eqn) -> bool:
    """Whether an elementwise op may read its broadcast operands unbroadcast: NumPy's
    own broadcasting must then give the same result shape."""
    shapes, any_bcast = [], False
    for v in eqn.invars:
      if type(v) is Var and id(v) in self.bcast:
        any_bcast = True
        src, expanded = self.bcast[id(v)]
        # the shape read (see emit_bcast): the source itself where only leading 1s are
        # missing, which NumPy may then not restore ((1,) * (3,) is (3,), not (1, 3))
        if type(src) is Lit or src.aval.shape == ():
          shapes.append(())
        elif _pad_left(src.aval.shape, len(expanded)) == expanded:
          shapes.append(src.aval.shape)
        else:
          shapes.append(expanded)
      else:
        shapes.append(v.aval.shape)
    return any_bcast and _broadcast_shapes(shapes) == eqn.outvars[0].aval.shape

  # -- emission ----------------------------------------------------------------
  def build(self) -> Compiled:
    lines = self.generate()
    jaxpr, fname = self.jaxpr, self.name
    source = "\n".join(lines)
    filename = f"<vjpkit-codegen-{next(_counter)}:{fname}>"
    linecache.cache[filename] = (len(source), None, [l + "\n" for l in lines], filename)
    namespace = self.env.globals
    for piece in _pieces(lines):  # one function at a time: the parser's memory stays bounded
      exec(compile(piece, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    # Unchunked code does not refer to itself: dropping its name from its globals avoids a
    # reference cycle, so its constants are freed as soon as the function is.
    fn = namespace.pop(fname) if len(jaxpr.eqns) <= CHUNK else namespace[fname]
    return Compiled(fn, source, jaxpr)

  def generate(self) -> list[str]:
    """The lines of the source (the globals they name are in ``self.env``)."""
    jaxpr = self.jaxpr
    params = [self.var_name(v) for v in ([] if self.bound_consts else jaxpr.constvars)]
    params += [self.var_name(v) for v in jaxpr.invars]
    self.analyse()
    regions = {}
    if len(jaxpr.eqns) <= CHUNK:
      order = schedule(self)
      if order is not None:
        self.reorder(order)
        jaxpr = self.jaxpr
      regions = find_regions(self)
    bodies = []
    i = 0
    while i < len(jaxpr.eqns):
      end = regions.get(i)
      if end is None:
        bodies.append(self.emit_eqn(i, jaxpr.eqns[i]))
        i += 1
        continue
      # a blocked elementwise region (codegen_blocked): one body for its equations
      lines = emit_region(self, i, end, sum(1 for start in regions if start < i))
      defined = {id(e.outvars[0]) for e in jaxpr.eqns[i:end]}
      names = [n for j in range(i, end)
               for n in self.dead_names(j, jaxpr.eqns[j], skip=defined)]
      if names:
        lines.append(f"del {', '.join(dict.fromkeys(names))}")
      bodies.append(lines)
      i = end
    ret = self.returns()
    fname = self.name
    if len(jaxpr.eqns) <= CHUNK:
      lines = [f"def {fname}({', '.join(params)}):"]
      lines += ["    " + line for body in bodies for line in body]
      lines.append(f"    return {ret}")
    else:
      lines = self.chunked(fname, params, bodies, ret)
    return lines

  def emit_eqn(self, i: int, eqn: Eqn) -> list[str]:
    kind, detail = self.plans[i]
    lines: list[str] = []
    if kind == "bcast":
      lines += self.emit_bcast(eqn)
    elif kind == "ufunc":
      expr = self.emit_ufunc(i, eqn, *detail)
      lines.append(f"{self.var_name(eqn.outvars[0])} = {expr}")
    else:
      expr = self.emit_rule(eqn, [self.atom(v) for v in eqn.invars]).expr
      outs = [self.var_name(v) for v in eqn.outvars]
      trailing = "," if len(outs) == 1 and eqn.prim.multiple_results else ""
      lines.append(f"{', '.join(outs)}{trailing} = {expr}")
    names = self.dead_names(i, eqn)
    if names:
      lines.append(f"del {', '.join(names)}")
    return lines

  def dead_names(self, i: int, eqn: Eqn, skip: frozenset | set = frozenset()) -> list[str]:
    """Names of the arrays whose last use is equation ``i`` (vars in ``skip`` aside)."""
    names: list[str] = []
    last, seen = self.last, []
    for v in itertools.chain(eqn.invars, eqn.outvars):
      if (type(v) is not Var or last.get(id(v)) != i or v.aval.shape == ()
          or id(v) in self.external or id(v) in self.reused or id(v) in skip):
        continue
      if v in seen:  # a variable read twice is deleted once
        continue
      seen.append(v)
      if id(v) in self.virtual_names:
        names.append(self.virtual_names[id(v)])
      if id(v) not in self.bcast or id(v) in self.need_real:
        names.append(self.var_name(v))
    return names

  def emit_bcast(self, eqn: Eqn) -> list[str]:
    var = eqn.outvars[0]
    src, expanded = self.bcast[id(var)]
    lines = []
    if type(src) is Lit:
      self.virtual[id(var)] = self.atom(src, inline=True)
      base = self.atom(src)
    elif src.aval.shape == () or _pad_left(src.aval.shape, len(expanded)) == expanded:
      base = self.virtual[id(var)] = self.var_name(src)
    else:
      base = self.virtual[id(var)] = self.virtual_names[id(var)] = f"{self.var_name(var)}_v"
      lines.append(f"{base} = {self.var_name(src)}.reshape({expanded!r})")
    if id(var) in self.need_real:
      out = self.var_name(var)
      if type(src) is Lit and var.aval.size <= MAX_MATERIALISED:
        # a constant array, built once (BLAS cannot use a broadcast view)
        full = np.full(var.aval.shape, src.val, var.aval.dtype)
        full.flags.writeable = False
        lines.append(f"{out} = {self.env.ref(full, 'full')}")
      else:
        fn = self.env.ref(np.broadcast_to, "broadcast_to")
        lines.append(f"{out} = {fn}({base}, {var.aval.shape!r})")
    return lines

  def emit_ufunc(self, i: int, eqn: Eqn, ufunc: np.ufunc, virtual: bool) -> str:
    out = eqn.outvars[0]
    args = []
    for v in eqn.invars:
      if type(v) is Lit:
        args.append(self.atom(v, inline=True))
      elif virtual and id(v) in self.bcast:
        args.append(self.virtual[id(v)])
      else:
        args.append(self.var_name(v))
    buf = None
    if out.aval.shape != ():
      for v in eqn.invars:
        if (type(v) is Var and v.aval == out.aval and id(v) not in self.external
            and id(v) not in self.roots and self.root_last[id(v)] == i):
          buf = self.var_name(v)
          self.reused.add(id(v))
          self.names[id(out)] = buf  # the result lives on in the same buffer, under its name
          break
    name = self.env.ref(ufunc, ufunc.__name__)
    if buf is not None:
      return f"{name}({', '.join(args)}, out={buf})"
    op = _OPERATORS.get(ufunc)
    if op is not None and len(args) == 2:
      return f"{args[0]} {op} {args[1]}"
    if ufunc is np.negative:
      return f"-{args[0]}"
    return f"{name}({', '.join(args)})"

  def returns(self) -> str:
    """The return tuple; outputs that may share memory with an input, a constant or
    another output are copied, so callers own what they get."""
    outs: list[str] = []
    claimed: set[int] = set()
    for v in self.jaxpr.outvars:
      if isinstance(v, Lit):
        outs.append(self.atom(v))
        continue
      name = self.var_name(v)
      rs = self.roots.get(id(v)) or frozenset((id(v),))
      if rs & self.external or rs & claimed:
        name = f"{self.env.ref(np.array, 'copy')}({name})"
      claimed |= rs
      outs.append(name)
    return f"({', '.join(outs)}{',' if len(outs) == 1 else ''})"

  def chunked(self, fname: str, params: list[str], bodies: list[list[str]], ret: str) -> list[str]:
    """Split the body into functions of CHUNK equations passing values in a list ``R``."""
    n = len(bodies)
    chunks = [range(s, min(s + CHUNK, n)) for s in range(0, n, CHUNK)]
    defined_in: dict[str, int] = {p: -1 for p in params}
    last_chunk: dict[str, int] = {}
    used: list[set[str]] = []
    for c, rng in enumerate(chunks):
      names: set[str] = set()
      for i in rng:
        for line in bodies[i]:
          target, _, expr = line.partition(" = ")
          if line.startswith("del ") or not expr:
            continue
          for t in target.replace(",", " ").split():
            defined_in.setdefault(t, c)
          names |= _identifiers(expr)
      used.append(names)
      for x in names:
        last_chunk[x] = c
    for x in _identifiers(ret):
      last_chunk[x] = len(chunks)
    slot: dict[str, int] = {}
    lines: list[str] = []
    by_chunk: list[list[str]] = [[] for _ in chunks]
    for x, c in defined_in.items():
      if c >= 0 and last_chunk.get(x, c) > c:
        by_chunk[c].append(x)
    for c, rng in enumerate(chunks):
      loads = sorted(x for x in used[c] if defined_in.get(x, c) < c)
      lines.append(f"def {fname}_{c}(R):")
      lines += [f"    {x} = R[{slot.setdefault(x, len(slot))}]" for x in loads]
      lines += ["    " + line for i in rng for line in bodies[i]]
      lines += [f"    R[{slot.setdefault(x, len(slot))}] = {x}" for x in sorted(by_chunk[c])]
      lines += [f"    R[{slot[x]}] = None" for x in loads if last_chunk[x] == c]  # release
      lines.append("")
    ret_names = _identifiers(ret)
    main = [f"def {fname}({', '.join(params)}):", f"    R = [None] * {max(len(slot), 1)}"]
    main += [f"    R[{slot[p]}] = {p}" for p in params if p in slot]
    main += [f"    {fname}_{c}(R)" for c in range(len(chunks))]
    main += [f"    {x} = R[{slot[x]}]" for x in sorted(ret_names) if x in slot and x not in params]
    main.append(f"    return {ret}")
    return lines + main


def _pieces(lines: list[str]) -> list[str]:
  """The source as one text per top-level function, each padded with blank lines so that
  its line numbers are those of the whole source (tracebacks, ``linecache``). Python's
  parser holds a whole text's syntax tree at once: for a program of 10⁵ equations, the
  whole source in one text would take gigabytes to compile."""
  starts = [i for i, line in enumerate(lines) if line.startswith("def ")] or [0]
  starts[0] = 0
  ends = starts[1:] + [len(lines)]
  return ["\n" * s + "\n".join(lines[s:e]) for s, e in zip(starts, ends)]


_IDENT = re.compile(r"(?<![\w.])[a-z][a-z_0-9]*\b(?!\s*=[^=])")


def _identifiers(expr: str) -> set[str]:
  """Variable names read by an expression (generated globals start with ``_``;
  keyword arguments such as ``out=`` are not reads)."""
  return set(_IDENT.findall(expr)) - {"np"}


def _pad_left(shape: tuple, ndim: int) -> tuple:
  """``shape`` with leading 1s up to ``ndim`` axes: how NumPy aligns it for broadcasting."""
  return (1,) * (ndim - len(shape)) + tuple(shape)


def _broadcast_shapes(shapes) -> tuple | None:
  try:
    return np.broadcast_shapes(*shapes)
  except ValueError:
    return None


def _identifier(name: str) -> str:
  """A Python function name made from a user's function name (``<lambda>`` -> ``lambda_``)."""
  name = "".join(c for c in name if c.isalnum() or c == "_").lstrip("_") or "f"
  if name[0].isdigit():
    name = "f" + name
  return name + "_" if keyword.iskeyword(name) or name == "np" else name
