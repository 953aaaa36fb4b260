"""The execution-plan backend: bit for bit the generated code's results, every feature kept."""
from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.interpreters import codegen
from vjpkit.interpreters.codegen import compile_jaxpr
from vjpkit.interpreters.plan import PlanCompiled, compile_plan
from vjpkit.jit_gc import gc_paused
from vjpkit.passes import optimize
from vjpkit.testing import strategies as vst


def _same(a, b):
  """Identical results: same types, dtypes, shapes and bytes (so NaNs and -0.0 too)."""
  assert type(a) is type(b), (type(a), type(b))
  a, b = np.asarray(a), np.asarray(b)
  assert a.dtype == b.dtype and a.shape == b.shape
  assert a.tobytes() == b.tobytes()


def _both(f, *xs, bind_consts=True):
  closed = vjpkit.make_jaxpr(f)(*xs)
  jaxpr, consts = optimize(closed.jaxpr, closed.consts)
  src = compile_jaxpr(jaxpr, consts if bind_consts else None, "f", backend="source")
  plan = compile_jaxpr(jaxpr, consts if bind_consts else None, "f", backend="plan")
  assert isinstance(plan, PlanCompiled) and not isinstance(src, PlanCompiled)
  args = list(xs) if bind_consts else [*consts, *xs]
  copies = [np.copy(x) for x in args]
  want, got = src(*args), plan(*args)
  assert len(want) == len(got)
  for a, b in zip(want, got):
    _same(a, b)
  for x, x0 in zip(args, copies):  # inputs are never written to
    _same(np.asarray(x), np.asarray(x0))
  return src, plan


X = np.linspace(-1.5, 2.0, 6)
W = np.arange(12.0).reshape(3, 4) / 7


@given(vst.programs(n_inputs=2, max_ops=8))
def test_random_gradient_programs_agree_bit_for_bit(program):
  f, _ = program
  xs = [np.linspace(-1, 1, 3), np.linspace(0.5, 2, 3)]
  _both(vjpkit.grad(lambda x, y: vnp.sum(f(x, y)), argnums=(0, 1)), *xs)
  _both(lambda x, y: f(x, y), *xs, bind_consts=False)


@pytest.mark.parametrize("name, f, args", [
    ("scalar chain", vjpkit.grad(lambda x: vnp.tanh(vnp.tanh(x) * 0.5 + x) * x), (0.3,)),
    ("array chain", vjpkit.grad(lambda x: vnp.sum(vnp.exp(vnp.tanh(x) * 2.0) + x)), (X,)),
    ("matmul", vjpkit.grad(lambda W: vnp.sum(vnp.tanh(W @ np.ones(4)) ** 2)), (W,)),
    ("bias broadcast", lambda W, b: vnp.tanh(W + b) * 2.0, (W, np.arange(4.0))),
    ("reshaped broadcast", lambda W, b: W * b[:, None] - 1.0, (W, np.arange(3.0))),
    ("broadcast output", lambda x: (vnp.broadcast_to(x, (2, 6)), vnp.ones((2, 3)) * 3.0), (X,)),
    ("views and copies", lambda x: (x, x[1:4], x.reshape(2, 3).T, x, 2.0), (X,)),
    ("several results", lambda x: vnp.linalg.eigh(x @ x.T + np.eye(3)), (W,)),
    ("sort and cumsum", lambda x: (vnp.sort(x), vnp.cumsum(x), vnp.where(x > 0, x, 0.0)), (X,)),
    ("integers", lambda i: (i * 3 - 7) // 2 + vnp.arange(6), (np.arange(6),)),
    ("float32", lambda x: vnp.sin(x) * np.float32(2) + 1.0, (X.astype(np.float32),)),
    ("nan and signed zeros", lambda x: (vnp.log(x - 1.0) * 0.0, -x * 0.0), (X,)),
    ("no-rule primitive", lambda x: lax.round(x * np.arange(6.0)), (X,)),
    ("hessian", vjpkit.hessian(lambda x: vnp.sum(vnp.sin(x) * vnp.exp(x[::-1]))), (X,)),
])
def test_programs_agree_bit_for_bit(name, f, args):
  with np.errstate(all="ignore"):
    _both(f, *args)
    _both(f, *args, bind_consts=False)


def test_the_source_is_written_when_asked_and_is_the_source_backends():
  src, plan = _both(vjpkit.grad(lambda x: vnp.sum(vnp.tanh(x) * x)), X)
  assert plan._source is None
  assert plan.source == src.source
  assert "<compiled f:" in repr(plan)


def test_wrong_number_of_arguments_and_unknown_backend_are_errors():
  closed = vjpkit.make_jaxpr(lambda x: x * 2.0)(X)
  plan = compile_plan(closed.jaxpr, closed.consts)
  with pytest.raises(TypeError, match="takes 1 positional arguments but 2 were given"):
    plan(X, X)
  with pytest.raises(ValueError, match="backend must be 'auto', 'source' or 'plan'"):
    compile_jaxpr(closed.jaxpr, closed.consts, backend="bytecode")


def test_run_time_errors_propagate():
  def f(x):
    return vnp.linalg.inv(x) * 2.0
  closed = vjpkit.make_jaxpr(f)(np.eye(2))
  plan = compile_plan(closed.jaxpr, closed.consts)
  with pytest.raises(np.linalg.LinAlgError):
    plan(np.zeros((2, 2)))


def test_jit_takes_the_plan_above_the_threshold(monkeypatch):
  monkeypatch.setattr(codegen, "PLAN_MIN_EQNS", 10)

  def f(x):
    for _ in range(10):
      x = vnp.tanh(x) * 0.5 + x
    return vnp.sum(x)
  big = vjpkit.jit(vjpkit.grad(f))
  lowered = big.lower(X)
  assert isinstance(lowered.compiled, PlanCompiled)
  monkeypatch.setattr(codegen, "PLAN_MIN_EQNS", 10**9)
  small = vjpkit.jit(vjpkit.grad(f))
  assert not isinstance(small.lower(X).compiled, PlanCompiled)
  _same(big(X), small(X))
  _same(big(X), vjpkit.grad(f)(X))
  # under an outer transformation, jit's own primitive runs the compiled program
  monkeypatch.setattr(codegen, "PLAN_MIN_EQNS", 10)
  _same(vjpkit.grad(lambda x: vnp.sum(vjpkit.jit(vjpkit.grad(f))(x)))(X),
        vjpkit.grad(lambda x: vnp.sum(vjpkit.grad(f)(x)))(X))
  with vjpkit.debug_nans(), np.errstate(invalid="ignore"):  # the plan is checked too
    with pytest.raises(FloatingPointError, match="log"):
      vjpkit.jit(lambda x: vnp.sum(vnp.log(x) * 2.0 + x * 3.0 + x * x * x))(-X)


def test_jit_pauses_the_collector_while_compiling_and_restores_it():
  seen = []

  def f(x):
    seen.append(gc.isenabled())
    return x * 2.0
  assert gc.isenabled()
  vjpkit.jit(f)(X)
  assert seen == [False] and gc.isenabled()

  def g(x):
    raise RuntimeError("boom")
  with pytest.raises(RuntimeError, match="boom"):
    vjpkit.jit(g)(X)
  assert gc.isenabled()
  with gc_paused():
    with gc_paused():
      assert not gc.isenabled()
    assert not gc.isenabled()
  assert gc.isenabled()
  gc.disable()
  try:  # a collector the user disabled stays disabled
    with gc_paused():
      pass
    assert not gc.isenabled()
  finally:
    gc.enable()


def test_the_threshold_is_a_setting():
  old = vjpkit.config.jit_plan_min_eqns
  assert codegen.PLAN_MIN_EQNS == old
  try:
    vjpkit.config.update("jit_plan_min_eqns", 3)
    assert codegen.PLAN_MIN_EQNS == 3
    f = vjpkit.jit(lambda x: vnp.tanh(x) * 2.0 + x * x)
    assert isinstance(f.lower(X).compiled, PlanCompiled)
    _same(f(X), np.tanh(X) * 2.0 + X * X)
    with pytest.raises(TypeError, match="non-negative int"):
      vjpkit.config.update("jit_plan_min_eqns", -1)
  finally:
    vjpkit.config.update("jit_plan_min_eqns", old)
  assert codegen.PLAN_MIN_EQNS == old
