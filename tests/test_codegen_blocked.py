"""Blocked elementwise regions in the generated code: the same bits as unblocked, less memory."""
from __future__ import annotations

import os
import signal
import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.config import Config
from vjpkit.interpreters import codegen_blocked


@pytest.fixture
def small_blocks(monkeypatch):
  """Blocks of 16 elements for arrays of 32 or more, so that small tests block."""
  monkeypatch.setattr(codegen_blocked, "BLOCK", 16)
  monkeypatch.setattr(codegen_blocked, "MIN_SIZE", 32)
  return monkeypatch


def _blocked_and_not(monkeypatch, f, *args):
  """f jitted with blocks and without, run on args: (blocked result, unblocked, source)."""
  jb = vjpkit.jit(f)
  out_b, source = jb(*args), jb.lower(*args).source
  monkeypatch.setattr(codegen_blocked, "MIN_SIZE", 1 << 62)
  out_u = vjpkit.jit(f)(*args)
  monkeypatch.setattr(codegen_blocked, "MIN_SIZE", 32)
  return out_b, out_u, source


def _same(a, b):
  for x, y in zip(vjpkit.tree_util.tree_leaves(a), vjpkit.tree_util.tree_leaves(b), strict=True):
    assert type(x) is type(y) and np.asarray(x).dtype == np.asarray(y).dtype
    np.testing.assert_array_equal(x, y, strict=True)


def _workload(x):
  return vnp.sum(vnp.sin(x) * vnp.exp(-(x * x)) + vnp.tanh(x))


@given(n=st.integers(32, 100), seed=st.integers(0, 2 ** 16))
def test_gradient_program_is_bit_for_bit_unblocked(n, seed):
  x = np.random.default_rng(seed).normal(size=n) * 3
  with pytest.MonkeyPatch.context() as mp:
    mp.setattr(codegen_blocked, "BLOCK", 16)
    mp.setattr(codegen_blocked, "MIN_SIZE", 32)
    out_b, out_u, src = _blocked_and_not(mp, vjpkit.grad(_workload), x)
  assert "for r0_s in range" in src
  _same(out_b, out_u)
  np.testing.assert_array_equal(out_b, vjpkit.grad(_workload)(x))


def test_value_and_grad_regions_around_a_reduction(small_blocks):
  x = np.random.default_rng(0).normal(size=(7, 9))
  out_b, out_u, src = _blocked_and_not(small_blocks, vjpkit.value_and_grad(_workload), x)
  assert "r0_" in src
  _same(out_b, out_u)


def test_a_reduction_between_forward_and_backward_runs_after_them(small_blocks):
  # value_and_grad: sum(forward) sits between the forward and the backward equations,
  # which do not read it; it moves after them, so both make one region and the values
  # passed from forward to backward stay in block buffers
  x = np.random.default_rng(1).normal(size=50)
  out_b, out_u, src = _blocked_and_not(small_blocks, vjpkit.value_and_grad(_workload), x)
  _same(out_b, out_u)
  assert "r1_" not in src
  assert src.count("_empty1((50,)") == 2  # the summed values and the gradient
  assert src.index("_add_reduce") > src.index("_run_blocks")


def test_equations_a_run_reads_or_effects_keep_their_place(small_blocks):
  seen = []

  def f(x):
    y = vnp.sin(x) * 2.0
    s = vnp.sum(y)                      # moved past cos, but not past the product reading it
    z = vnp.cos(y) * s
    t = vnp.max(z)                      # an effect reads it: neither moves
    vjpkit.debug.callback(seen.append, t)
    return vnp.exp(z) + z, s, t

  x = np.random.default_rng(2).normal(size=40)
  out_b, out_u, src = _blocked_and_not(small_blocks, f, x)
  _same(out_b, out_u)
  assert src.index("_cos") < src.index("_run_blocks") < src.index("_add_reduce")
  assert src.index("_maximum_reduce") < src.index("_debug_callback") < src.index("r1_run")
  assert len(seen) == 2 and seen[0] == seen[1] == out_b[2]


_UNARY = (vnp.sin, vnp.tanh, lambda v: v * 1.5, vnp.negative)
_REDUCE = (vnp.sum, vnp.max, lambda v: vnp.cumsum(v)[::-1])


@given(ops=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 100), st.integers(0, 100)),
                    min_size=2, max_size=14),
       outs=st.sets(st.integers(0, 100), min_size=1, max_size=3))
def test_random_programs_of_runs_and_reductions_are_bit_for_bit_unblocked(ops, outs):
  # equations of every kind interleaved: a moved equation never changes a result
  def f(x):
    vals = [x]
    for kind, a, b in ops:
      u, v = vals[a % len(vals)], vals[b % len(vals)]
      if kind < 4:
        vals.append(_UNARY[kind](u))
      elif kind < 7:
        vals.append(u + v if kind < 6 else u * v)
      else:
        vals.append(_REDUCE[kind - 7](u))
    return [vals[i % len(vals)] for i in sorted(outs)]

  x = np.random.default_rng(len(ops)).normal(size=40)
  with pytest.MonkeyPatch.context() as mp:
    mp.setattr(codegen_blocked, "BLOCK", 16)
    mp.setattr(codegen_blocked, "MIN_SIZE", 32)
    out_b, out_u, _ = _blocked_and_not(mp, f, x)
  _same(out_b, out_u)


def test_several_results_scalars_literals_and_inputs_used_later(small_blocks):
  def f(x, s):
    a = vnp.sin(x) * s
    b = vnp.exp(a) - 1.0
    c = b * b + a          # a is read after a result of the region
    return vnp.sum(a), c, b, x * 2.0 + vnp.max(x)
  x = np.linspace(-2, 2, 45)
  for s in (np.float64(0.5), 0.5, np.array(0.5)):
    out_b, out_u, src = _blocked_and_not(small_blocks, f, x, s)
    _same(out_b, out_u)
    np.testing.assert_allclose(out_b[1], f(x, s)[1], rtol=1e-15)


def test_non_contiguous_and_two_dimensional_inputs(small_blocks):
  x = np.random.default_rng(1).normal(size=(8, 6))
  y = np.random.default_rng(2).normal(size=(6, 8))
  f = lambda x, y: vnp.tanh(x * y.T) + vnp.cos(x) * y.T
  out_b, out_u, src = _blocked_and_not(small_blocks, f, x, y)
  assert "for r0_s" in src
  _same(out_b, out_u)
  np.testing.assert_array_equal(out_b, f(x, y))


def test_fortran_order_inputs_give_fortran_order_results_as_numpy(small_blocks):
  # NumPy's ufuncs keep the inputs' layout (order="K"); a result in another order would
  # make a later reduction add in another order (values 1 ulp apart from eager)
  rng = np.random.default_rng(3)
  x, y = (np.asfortranarray(rng.normal(size=(9, 7))) for _ in range(2))
  f = lambda x, y: vnp.sin(x) * y + x
  g = lambda x, y: vnp.sum(vnp.tanh(x) * y + x, axis=0)
  for a, b in ((x, y), (x.T, y.T), (x, np.ascontiguousarray(y)), (x[::2], y[::2])):
    out, ref = vjpkit.jit(f)(a, b), f(a, b)
    assert "for r0_s" in vjpkit.jit(f).lower(a, b).source
    np.testing.assert_array_equal(out, ref, strict=True)
    assert (out.flags.c_contiguous, out.flags.f_contiguous) == \
        (ref.flags.c_contiguous, ref.flags.f_contiguous)
    np.testing.assert_array_equal(vjpkit.jit(g)(a, b), g(a, b), strict=True)


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_other_dtypes(small_blocks, dtype):
  x = (np.arange(40) - 20).astype(dtype)
  f = lambda x: (x * x + x) * 3 - x
  out_b, out_u, src = _blocked_and_not(small_blocks, f, x)
  assert "for r0_s" in src
  _same(out_b, out_u)


def test_boolean_intermediates_and_where(small_blocks):
  x = np.linspace(-3, 3, 50)
  f = lambda x: vnp.where((x > 0) & (x < 2), vnp.sqrt(vnp.abs(x)) + 1.0, -x * x)
  out_b, out_u, _ = _blocked_and_not(small_blocks, f, x)
  _same(out_b, out_u)


def test_returned_inputs_and_duplicated_results_are_owned(small_blocks):
  x = np.linspace(0, 1, 40)
  f = lambda x: (x, vnp.sin(x) + 1.0, vnp.sin(x) + 1.0)
  jf = vjpkit.jit(f)
  a, b, c = jf(x)
  assert a is not x and not np.shares_memory(b, c)
  b[0] = 99.0
  assert c[0] == np.sin(0.0) + 1.0 and x[0] == 0.0


def test_eager_gradients_and_gradients_of_jit(small_blocks):
  x = np.random.default_rng(3).normal(size=70)
  expected = (np.cos(x) - 2 * x * np.sin(x)) * np.exp(-x * x) + 1 - np.tanh(x) ** 2
  np.testing.assert_allclose(vjpkit.grad(vjpkit.jit(_workload))(x), expected, rtol=1e-13)
  np.testing.assert_allclose(vjpkit.grad(_workload)(x), expected, rtol=1e-13)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.jit(vjpkit.grad(_workload)))(x.reshape(2, 35)),
                             expected.reshape(2, 35), rtol=1e-13)


@pytest.mark.parametrize("threads", [1, 2])
def test_peak_memory_is_the_results_not_the_intermediates(threads):
  x = np.random.default_rng(4).normal(size=1 << 17)   # 1 MiB: blocked at the real sizes
  g = vjpkit.jit(vjpkit.grad(_workload))
  assert "for r0_s" in g.lower(x).source
  saved = vjpkit.config.jit_threads
  vjpkit.config.update("jit_threads", threads)
  try:
    g(x)
    tracemalloc.start()
    try:
      tracemalloc.reset_peak()
      out = g(x)
      peak = tracemalloc.get_traced_memory()[1]
    finally:
      tracemalloc.stop()
  finally:
    vjpkit.config.update("jit_threads", saved)
  # the result, plus a few 64 KiB blocks for each thread
  assert peak < out.nbytes + threads * 6 * 8 * codegen_blocked.BLOCK


def test_broadcast_operands(small_blocks):
  x = np.random.default_rng(5).normal(size=(6, 8))
  b = np.arange(8.0)
  def f(x, s, b):
    y = vnp.sin(vnp.broadcast_to(s, x.shape) * x) + 2.0 * x   # a scalar broadcast: blocked
    return vnp.exp(y * y) - 1.0, vnp.tanh(y + b) * y           # a row broadcast: unblocked
  for s in (np.float64(0.3), 0.3):
    out_b, out_u, src = _blocked_and_not(small_blocks, f, x, s, b)
    assert "for r0_s" in src
    _same(out_b, out_u)
  g = lambda x: vnp.sum(vnp.sin(x) * 3.0)       # the backward pass broadcasts the cotangent
  out_b, out_u, src = _blocked_and_not(small_blocks, vjpkit.grad(g), x)
  _same(out_b, out_u)


def test_complex_regions(small_blocks):
  x = np.linspace(-1, 1, 40) + 1j * np.linspace(2, 0, 40)
  f = lambda x: vnp.exp(x * 1j) * x + 2.0
  out_b, out_u, src = _blocked_and_not(small_blocks, f, x)
  assert "for r0_s" in src
  _same(out_b, out_u)


# -- several threads (run_blocks) -----------------------------------------------------

@pytest.fixture
def threaded(monkeypatch):
  """Small blocks, tasks of one block, threads from 64 elements; jit_threads restored."""
  monkeypatch.setattr(codegen_blocked, "BLOCK", 16)
  monkeypatch.setattr(codegen_blocked, "MIN_SIZE", 32)
  monkeypatch.setattr(codegen_blocked, "THREADS_MIN_SIZE", 64)
  monkeypatch.setattr(codegen_blocked, "CHUNK_BLOCKS", 1)
  saved = vjpkit.config.jit_threads
  yield monkeypatch
  vjpkit.config.update("jit_threads", saved)


def _with_threads(n, f, *args):
  vjpkit.config.update("jit_threads", n)
  return f(*args)


@given(n=st.integers(64, 300), seed=st.integers(0, 2 ** 16), threads=st.integers(2, 4))
def test_threads_give_the_serial_and_unblocked_bits(n, seed, threads):
  x = np.random.default_rng(seed).normal(size=n) * 3
  with pytest.MonkeyPatch.context() as mp:
    mp.setattr(codegen_blocked, "BLOCK", 16)
    mp.setattr(codegen_blocked, "MIN_SIZE", 32)
    mp.setattr(codegen_blocked, "THREADS_MIN_SIZE", 64)
    mp.setattr(codegen_blocked, "CHUNK_BLOCKS", 1 + seed % 3)
    saved = vjpkit.config.jit_threads
    try:
      g = vjpkit.jit(vjpkit.value_and_grad(_workload))
      serial = _with_threads(1, g, x)
      parallel = _with_threads(threads, g, x)
      assert "_run_blocks" in g.lower(x).source
      mp.setattr(codegen_blocked, "MIN_SIZE", 1 << 62)
      unblocked = vjpkit.jit(vjpkit.value_and_grad(_workload))(x)
    finally:
      vjpkit.config.update("jit_threads", saved)
  _same(parallel, serial)
  _same(parallel, unblocked)


def test_threads_see_the_callers_errstate(threaded):
  x = np.linspace(1.0, 800.0, 200)
  f = vjpkit.jit(lambda x: vnp.exp(x) * 2.0 + 1.0)
  vjpkit.config.update("jit_threads", 3)
  with np.errstate(over="raise"):
    with pytest.raises(FloatingPointError, match="overflow"):
      f(x)
  with np.errstate(over="ignore"):
    with warnings.catch_warnings():
      warnings.simplefilter("error")
      out = f(x)
  assert np.isinf(out[-1]) and out[0] == np.exp(1.0) * 2.0 + 1.0


def test_the_first_failing_task_raises(threaded):
  def run(lo, hi):   # elements from 40 on fail: the error names the first in the range
    if hi > 40:
      raise ValueError(f"element {max(lo, 40)}")
  vjpkit.config.update("jit_threads", 1)   # api_jit passes the setting on
  assert codegen_blocked._threads[0] == 1
  with pytest.raises(ValueError, match="element 40$"):
    codegen_blocked.run_blocks(run, 160)    # serially: one call, the whole range
  for threads in (2, 4):
    vjpkit.config.update("jit_threads", threads)
    for _ in range(5):
      with pytest.raises(ValueError, match="element 40$"):
        codegen_blocked.run_blocks(run, 160)


def test_small_regions_and_one_thread_stay_on_the_calling_thread(threaded):
  seen = set()

  def run(lo, hi):
    seen.add(threading.get_ident())
  vjpkit.config.update("jit_threads", 4)
  codegen_blocked.run_blocks(run, 63)   # below THREADS_MIN_SIZE
  vjpkit.config.update("jit_threads", 1)
  codegen_blocked.run_blocks(run, 1000)
  assert seen == {threading.get_ident()}


def test_jit_threads_setting_is_validated(monkeypatch):
  for bad in (-1, 1.5, "2", True):
    with pytest.raises(TypeError, match="jit_threads"):
      vjpkit.config.update("jit_threads", bad)
  assert vjpkit.config.jit_threads == int(os.environ.get("VJPKIT_JIT_THREADS") or
                                          min(os.cpu_count() or 1, 4))
  monkeypatch.setenv("VJPKIT_JIT_THREADS", "3")
  assert Config().jit_threads == 3
  monkeypatch.setenv("VJPKIT_JIT_THREADS", "-2")
  with pytest.raises(ValueError, match="VJPKIT_JIT_THREADS"):
    Config()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_threads_of_its_own(threaded):
  x = np.linspace(-1, 1, 200)
  f = vjpkit.jit(lambda x: vnp.sin(x) * x + 1.0)
  vjpkit.config.update("jit_threads", 2)
  expected = f(x)                       # the parent's pool exists now
  pid = os.fork()
  if pid == 0:                          # the child: the parent's pool threads are gone
    try:
      os._exit(0 if np.array_equal(f(x), expected) else 1)
    finally:
      os._exit(2)
  deadline = time.monotonic() + 60
  while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
      break
    if time.monotonic() > deadline:
      os.kill(pid, signal.SIGKILL)
      os.waitpid(pid, 0)
      pytest.fail("the forked child hung")
    time.sleep(0.01)
  assert os.waitstatus_to_exitcode(status) == 0


def test_each_region_runs_the_way_that_has_been_faster(threaded):
  threaded.setattr(codegen_blocked, "CHUNK_BLOCKS", 5)   # two tasks of 80 elements
  ways = []
  slow = {"serial": True}

  def run(lo, hi):
    serial = (lo, hi) == (0, 160)
    if lo == 0:
      ways.append("serial" if serial else "threaded")
    time.sleep(0.02 if serial == slow["serial"] else 0.0005)
  vjpkit.config.update("jit_threads", 2)
  stats = [0.0, 0.0, 0]
  for _ in range(40):
    codegen_blocked.run_blocks(run, 160, stats)
  assert ways[:2] == ["threaded", "serial"]          # one time of each way first
  explore = [n for n in range(2, 40) if n % codegen_blocked.EXPLORE == 0]
  assert [n for n, w in enumerate(ways) if w == "serial" and n >= 2] == explore
  slow["serial"] = False                              # now the threads are slower
  ways.clear()
  for _ in range(40):
    codegen_blocked.run_blocks(run, 160, stats)
  assert ways[-16:].count("threaded") == 2           # only the exploring calls
