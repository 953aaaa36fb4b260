"""The compile-time fast paths of ``jit(grad(f))``: each makes exactly what the general
path makes (the same program, the same plan), only with fewer calls.

* ``rule_cache``: under ``jit``, replayed rules record the equations of their known part
  into the staging trace directly (``_staged_step_lines``) instead of binding each;
* ``plan``: the planner's walk plans scalar elementwise equations inline;
* ``pipeline``: the sweep decides whether an equation is a ufunc once per primitive.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.interpreters import plan as plan_mod
from vjpkit.interpreters import rule_cache
from vjpkit.interpreters.plan import _Planner
from vjpkit.passes import optimize

_K = np.linspace(0.5, 1.5, 3)


def _chain(x):
  y = x
  for _ in range(5):
    y = vnp.tanh(y) * 0.5 + y
  return y


def _mixed(x):  # arrays, constants, literals, divisions, integer powers, reductions
  y = vnp.sin(x) * vnp.exp(x) / (1.0 + x * x)
  return vnp.sum(vnp.tanh(y) ** 2 - vnp.log1p(vnp.abs(y)) + vnp.maximum(y, 0.1) * x[::-1]
                 + _K * y - 2.0 / (3.0 + y))


def _scalar_mixed(x):
  y = x * x - 3.0 * x
  z = vnp.where(y > 0.0, vnp.sqrt(vnp.abs(y)), -y) / (x + 4.0)
  return vnp.sin(z) * 2.0 - z ** 3 + vnp.exp(-x) + lax.stop_gradient(x) * z


def _concrete_operand(x):  # a rule whose other primal is a concrete array or scalar
  return vnp.sum(x * _K + _K / x - np.float64(2.0) ** x)


def _float32(x):
  return vnp.sum(vnp.cos(x) * np.float32(1.5) + x / np.float32(3.0))


def _calls(x):  # sub-programs: a jitted call and a loop (partial-evaluation rules)
  y = vjpkit.jit(lambda u: vnp.sin(u) * u)(x)
  y = lax.fori_loop(0, 3, lambda i, c: vnp.tanh(c) * 0.5 + c, y)
  return vnp.sum(y * x)


CASES = [("calls", _calls, (np.linspace(0.1, 1, 3),)),("chain", _chain, (np.float64(0.3),)), ("mixed", _mixed, (np.linspace(0.1, 1, 3),)),
         ("scalar", _scalar_mixed, (np.float64(0.7),)),
         ("concrete", _concrete_operand, (np.linspace(1, 2, 3),)),
         ("float32", _float32, (np.linspace(0.1, 1, 4, dtype=np.float32),)),
         ("weak", _scalar_mixed, (0.7,))]


def _general_paths(monkeypatch):
  """Disable the staged replays: every step binds, as before them."""
  monkeypatch.setattr(rule_cache._Linearized, "staged", lambda self, mask: None)
  monkeypatch.setattr(rule_cache._Transposed, "run_traced",
                      lambda self, *args: self.run_bind(*args))


@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_staged_replay_records_the_program_binding_records(name, f, args, monkeypatch):
  for g in (vjpkit.grad(f), vjpkit.grad(vjpkit.grad(f)) if name in ("chain", "scalar") else None):
    if g is None:
      continue
    fast = vjpkit.make_jaxpr(g)(*args)
    fast_opt = optimize(fast.jaxpr, fast.consts)
    with monkeypatch.context() as m:
      _general_paths(m)
      slow = vjpkit.make_jaxpr(g)(*args)
      slow_opt = optimize(slow.jaxpr, slow.consts)
    assert str(fast) == str(slow)
    assert len(fast.consts) == len(slow.consts)
    for a, b in zip(fast.consts, slow.consts):
      assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    assert str(fast_opt[0]) == str(slow_opt[0])
    got, want = vjpkit.jit(g)(*args), g(*args)
    assert np.asarray(got).tobytes() == np.asarray(want).tobytes()


def test_the_staged_replay_is_taken_under_jit(monkeypatch):
  calls = {"lin": 0, "t": 0}
  staged, run_traced = rule_cache._Linearized.staged, rule_cache._Transposed.run_traced

  def count_staged(self, mask):
    fn = staged(self, mask)
    calls["lin"] += fn is not None
    return fn

  def count_traced(self, *args):
    calls["t"] += 1
    return run_traced(self, *args)
  monkeypatch.setattr(rule_cache._Linearized, "staged", count_staged)
  monkeypatch.setattr(rule_cache._Transposed, "run_traced", count_traced)
  vjpkit.make_jaxpr(vjpkit.grad(_chain))(np.float64(0.3))
  assert calls["lin"] >= 10 and calls["t"] >= 10


def test_primals_of_other_transforms_take_the_binding_replay(monkeypatch):
  # the primals are JVP tracers of an outer jvp (staged by jit below them): no direct
  # staging, the same program as binding gives
  def f(x):
    return vjpkit.jit(vjpkit.grad(lambda y: vnp.sin(y * x) * x))(x)
  assert rule_cache.staging_of([np.float64(1.0), np.ones(2)]) == (None, 0)
  fast = vjpkit.jvp(f, (0.4,), (1.0,))
  fast_jaxpr = str(vjpkit.make_jaxpr(lambda x: vjpkit.jvp(f, (x,), (1.0,)))(0.4))
  with monkeypatch.context() as m:
    _general_paths(m)
    slow = vjpkit.jvp(f, (0.4,), (1.0,))
    slow_jaxpr = str(vjpkit.make_jaxpr(lambda x: vjpkit.jvp(f, (x,), (1.0,)))(0.4))
  assert fast_jaxpr == slow_jaxpr
  for a, b in zip(fast, slow):
    assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_a_leaked_tracer_still_raises_under_the_staged_replay():
  from vjpkit.core.errors import UnexpectedTracerError
  leaked = []

  def f(x):
    leaked.append(x)
    return x

  vjpkit.make_jaxpr(f)(1.0)
  with pytest.raises(UnexpectedTracerError):
    vjpkit.make_jaxpr(vjpkit.grad(lambda y: vnp.sin(y) * leaked[0]))(1.0)


def _step_key(step):
  """A step, its function compared by identity, or by code for the small functions each
  planner compiles from a rule's expression."""
  fn = step[1]
  code = getattr(fn, "__code__", None)
  if code is not None and fn.__name__ == "<lambda>":
    fn = (code.co_code, code.co_names, code.co_consts)
  elif isinstance(fn, functools.partial):
    fn = (fn.func, fn.args, sorted(fn.keywords.items()))
  return (step[0], fn, *step[2:])


def _plan_of(jaxpr, consts, fast: bool, monkeypatch):
  with monkeypatch.context() as m:
    if not fast:
      m.setattr(plan_mod, "_scalar_entry", lambda prim: None)
    planner = _Planner(jaxpr, consts, "f")
    planner.build()
  return planner


def _scalar_literals(x):
  y = x * -0.0 + (x - 0.0) * 2.0
  z = vnp.maximum(y, -1.5) + x * np.float64(np.inf) + x ** 2
  w = z.astype(np.float32) * np.float32(0.25) + np.float32(1.0)
  b = vnp.broadcast_to(z, (3,)) * 2.0 + vnp.ones(3) * y
  return [z, w, vnp.sum(b), -z, vnp.sum(vnp.broadcast_to(y * 3.0, (2, 2)))]


@pytest.mark.parametrize("f,args", [(_scalar_literals, (np.float64(0.3),)),
                                    (vjpkit.grad(_scalar_mixed), (np.float64(0.7),)),
                                    (vjpkit.grad(_mixed), (np.linspace(0.1, 1, 3),))])
def test_the_planners_inline_walk_makes_the_general_plan(f, args, monkeypatch):
  closed = vjpkit.make_jaxpr(f)(*args)
  jaxpr, consts = optimize(closed.jaxpr, closed.consts)
  fast, slow = (_plan_of(jaxpr, consts, flag, monkeypatch) for flag in (True, False))
  assert [_step_key(s) for s in fast.steps] == [_step_key(s) for s in slow.steps]
  assert fast.plans == slow.plans
  assert fast.last == slow.last and fast.root_last == slow.root_last
  assert len(fast.template) == len(slow.template)
  for a, b in zip(fast.template, slow.template):
    assert type(a) is type(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()
  got = plan_mod.compile_plan(jaxpr, consts)(*args)
  want = vjpkit.interpreters.codegen.compile_jaxpr(jaxpr, consts, backend="source")(*args)
  for a, b in zip(got, want):
    assert type(a) is type(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_the_sweeps_literal_keys_are_cses():
  from vjpkit.core.avals import ShapedArray
  from vjpkit.core.ir import Lit
  from vjpkit.passes.cse import _atom_key
  from vjpkit.passes.pipeline import _lit_key
  payload = np.array([0x7FF0000000000123, 0xFFF8000000000001], np.uint64).view(np.float64)
  values = [np.float64(0.5), np.float64(-0.0), np.float64(0.0), np.float64(np.inf),
            np.float64(np.nan), payload[0], payload[1], np.float32(0.5), np.int64(3),
            np.bool_(True), np.complex128(1 + 2j), np.float16(-0.0)]
  for v in values:
    lit = Lit(v, ShapedArray((), np.asarray(v).dtype))
    assert _lit_key(lit) == _atom_key(lit)
  keys = {_lit_key(Lit(v, ShapedArray((), np.asarray(v).dtype))) for v in values}
  assert len(keys) == len(values)  # -0.0, 0.0 and each NaN payload apart


def test_the_sweeps_ufunc_kind_is_ufunc_of():
  from vjpkit.interpreters.codegen import ufunc_of
  from vjpkit.passes.pipeline import _NEVER, _RULE, _ufunc_kind
  for f, args in [(_mixed, (np.linspace(0.1, 1, 3),)), (_scalar_literals, (np.float64(0.3),)),
                  (vjpkit.grad(_scalar_mixed), (np.float64(0.7),))]:
    for eqn in vjpkit.make_jaxpr(f)(*args).eqns:
      kind = _ufunc_kind(eqn.prim)
      if kind is _RULE:
        continue
      fast = kind is not _NEVER and not eqn.params and len(eqn.invars) == kind
      assert fast == (ufunc_of(eqn) is not None and not eqn.prim.multiple_results)


def test_a_big_pause_ages_its_survivors_into_the_oldest_generation():
  import gc

  from vjpkit import jit_gc

  class Node:
    pass
  with jit_gc.gc_paused():
    kept = [Node() for _ in range(jit_gc.AGE_MIN + 10)]
  assert gc.isenabled() and gc.get_freeze_count() == 0
  assert gc.get_count()[0] < jit_gc.AGE_MIN
  oldest = {id(o) for o in gc.get_objects(generation=2)}
  assert id(kept[0]) in oldest and id(kept[-1]) in oldest
  # a cycle among them is still collected, by the next full collection
  a, b = Node(), Node()
  with jit_gc.gc_paused():
    a.other, b.other = b, a
    filler = [Node() for _ in range(jit_gc.AGE_MIN + 10)]
  import weakref
  ref = weakref.ref(a)
  del a, b, filler
  gc.collect()
  assert ref() is None


def test_a_pause_leaves_the_applications_frozen_objects_alone():
  import gc

  from vjpkit import jit_gc
  gc.freeze()
  try:
    frozen = gc.get_freeze_count()
    with jit_gc.gc_paused():
      kept = [object.__new__(type("T", (), {})) for _ in range(10)]
      kept += [[] for _ in range(jit_gc.AGE_MIN + 10)]
    assert gc.get_freeze_count() == frozen and gc.isenabled()
  finally:
    gc.unfreeze()
