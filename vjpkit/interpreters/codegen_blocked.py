"""Blocked evaluation of large elementwise regions in the generated code.

A run of consecutive elementwise equations (ufuncs) on arrays of one large shape
is written as a loop over blocks of ``BLOCK`` elements: each intermediate lives
in a block-sized buffer that stays in cache and is reused by later equations of
the region (``out=``), and only the region's results (the values read after it,
or returned) are full-size arrays, written block by block. Each element goes
through the same ufuncs in the same order as unblocked, so the results are the
same, bit for bit; the peak memory is the region's results instead of all its
intermediates, and the memory traffic is that of the inputs and results.

The loop is a function of a range of blocks, ``r0_run(lo, hi)``, which ``run_blocks``
calls once for the whole range or, for regions of ``THREADS_MIN_SIZE`` elements or more,
for tasks of ``CHUNK_BLOCKS`` blocks on up to ``vjpkit.config.jit_threads`` threads (NumPy's
ufuncs release the GIL), whichever has been faster for this region lately (``_stats8``):
each block is still computed by the same ufuncs, so the results do not depend on the
number of threads. Reductions are not part of regions; they run
unblocked on the calling thread, as before.

>>> import numpy as np, vjpkit
>>> import vjpkit.numpy as vnp
>>> f = lambda x: vnp.sin(x) * vnp.exp(-(x * x)) + vnp.tanh(x)
>>> print(vjpkit.jit(f).lower(np.ones(1 << 17)).source)
def lambda_(a):
    b = _empty0((131072,), _float64_1)
    r0_in0 = a.reshape(-1)
    r0_out0 = b.reshape(-1)
    def r0_run(r0_lo, r0_hi):
        r0_buf0 = _empty0(8192, _float64_1)
        r0_buf1 = _empty0(8192, _float64_1)
        for r0_s in range(r0_lo, r0_hi, 8192):
            r0_e = r0_s + 8192
            r0_x0 = r0_in0[r0_s:r0_e]
            r0_y0 = r0_out0[r0_s:r0_e]
            _sin2(r0_x0, out=r0_buf0)
            _multiply3(r0_x0, r0_x0, out=r0_buf1)
            _negative4(r0_buf1, out=r0_buf1)
            _exp5(r0_buf1, out=r0_buf1)
            _multiply3(r0_buf0, r0_buf1, out=r0_buf1)
            _tanh6(r0_x0, out=r0_buf0)
            _add7(r0_buf1, r0_buf0, out=r0_y0)
    _run_blocks9(r0_run, 131072, _stats8)
    del r0_in0, r0_out0, r0_run
    return (b,)
"""
from __future__ import annotations

import contextvars
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..core.ir import Lit, Var
from ..core.rules import effectful

if TYPE_CHECKING:
  from .codegen import _Codegen

__all__ = ["BLOCK", "MIN_SIZE", "THREADS_MIN_SIZE", "block_rules", "find_regions", "emit_region",
           "layout", "run_blocks", "schedule", "set_threads"]

# prim -> rule(eqn) -> (ufunc, operands) | None: an equation that is not a ufunc of its
# inputs but one ufunc call all the same (integer_pow with y=2: np.multiply(x, x))
block_rules: dict[Any, Any] = {}

BLOCK = 8192       # elements per block: a few buffers of 64 KiB stay in the L2 cache
MIN_SIZE = 1 << 16  # arrays smaller than this are evaluated unblocked


def _ufunc_and_args(cg: _Codegen, i: int, eqn) -> tuple[np.ufunc, list] | None:
  """The ufunc an equation of a region calls and its operands (atoms), or None."""
  kind, detail = cg.plans[i]
  if kind == "ufunc" and (not detail[1] or all(_scalar_broadcast(cg, v) for v in eqn.invars
                                               if type(v) is Var and id(v) in cg.bcast)):
    return detail[0], list(eqn.invars)
  rule = block_rules.get(eqn.prim)
  return None if rule is None else rule(eqn)


def _scalar_broadcast(cg: _Codegen, v) -> bool:
  """Whether ``v`` is a broadcast of a scalar (read as the scalar: NumPy broadcasts it)."""
  src = cg.bcast[id(v)][0]
  return type(src) is Lit or src.aval.shape == ()


def _eligible(cg: _Codegen, i: int, eqn, shape: tuple | None) -> tuple | None:
  """The shape of the region equation ``i`` can belong to, or None."""
  if len(eqn.outvars) != 1 or _ufunc_and_args(cg, i, eqn) is None:
    return None
  out = eqn.outvars[0].aval
  if out.size < MIN_SIZE or (shape is not None and out.shape != shape):
    return None
  for v in eqn.invars:
    if type(v) is Lit or v.aval.shape == ():
      continue
    if id(v) in cg.bcast:
      if not _scalar_broadcast(cg, v):
        return None
    elif v.aval.shape != out.shape:
      return None
  return out.shape


MAX_DEFERRED = 8  # equations moved past one elementwise run, at most


def schedule(cg: _Codegen) -> list[int] | None:
  """An order of the equations in which runs of elementwise equations of one shape are
  no longer cut by equations they do not depend on (a reduction of a forward pass's
  result between the forward and backward regions of a gradient): those are moved after
  the run, so the two runs make one region and the values passed between them stay in
  block buffers instead of full-size arrays. None where nothing moves. Effectful
  equations and the ones the run reads keep their place (they end the run).

  Moved equations read nothing the run writes later, so the results are the same; their
  inputs live a few equations longer."""
  order: list[int] = []
  deferred: list[int] = []
  deferred_out: set[int] = set()

  def flush() -> None:
    order.extend(deferred)
    deferred.clear()
    deferred_out.clear()

  shape = None  # of the current elementwise run
  moved = False
  for i, eqn in enumerate(cg.jaxpr.eqns):
    s = _eligible(cg, i, eqn, None)
    if s is not None:
      if deferred:
        if s != shape or any(type(v) is Var and id(v) in deferred_out for v in eqn.invars):
          flush()
        else:
          moved = True
      shape = s
      order.append(i)
    elif (shape is not None and len(deferred) < MAX_DEFERRED and eqn.prim not in effectful
          and cg.plans[i][0] != "bcast"):
      deferred.append(i)
      deferred_out.update(id(v) for v in eqn.outvars)
    else:
      flush()
      shape = None
      order.append(i)
  flush()
  return order if moved else None


def find_regions(cg: _Codegen) -> dict[int, int]:
  """Regions of the program: first equation -> one past the last."""
  eqns = cg.jaxpr.eqns
  regions: dict[int, int] = {}
  i = 0
  while i < len(eqns):
    shape = _eligible(cg, i, eqns[i], None)
    if shape is None:
      i += 1
      continue
    j = i + 1
    while j < len(eqns) and _eligible(cg, j, eqns[j], shape) is not None:
      j += 1
    defined = {id(e.outvars[0]) for e in eqns[i:j]}
    internal = [d for d in defined if cg.last.get(d, -1) < j]
    if j - i >= 2 and internal:
      regions[i] = j
    i = j
  return regions


def emit_region(cg: _Codegen, start: int, end: int, k: int) -> list[str]:
  """The lines of region ``k`` (equations ``start:end``)."""
  eqns = cg.jaxpr.eqns[start:end]
  env = cg.env
  shape = eqns[0].outvars[0].aval.shape
  size = int(np.prod(shape))
  empty = env.ref(np.empty, "empty")
  p = f"r{k}_"
  defined = {id(e.outvars[0]) for e in eqns}
  last_in_region: dict[int, int] = {}
  for n, e in enumerate(eqns):
    for v in e.invars:
      if type(v) is Var:
        last_in_region[id(v)] = n
  head: list[str] = []
  loop: list[str] = []
  local: dict[int, str] = {}     # var -> its name inside the loop (block view or buffer)
  ins: list[str] = []
  outs: list[str] = []
  sources: list[str] = []  # the names of the full-size inputs
  # full-size inputs from before the region, read a block at a time
  for e in eqns:
    for v in e.invars:
      if type(v) is Var and id(v) in cg.bcast:
        local[id(v)] = cg.virtual[id(v)]  # a broadcast scalar: the scalar itself
      elif (type(v) is Var and id(v) not in defined and v.aval.shape == shape
              and id(v) not in local):
        flat, block = f"{p}in{len(ins)}", f"{p}x{len(ins)}"
        sources.append(cg.var_name(v))
        loop.append(f"{block} = {flat}[{p}s:{p}e]")
        ins.append(flat)
        local[id(v)] = block
  results = [e.outvars[0] for e in eqns if cg.last.get(id(e.outvars[0]), -1) >= end]
  alloc: list[str] = []
  order = ""  # a matrix region follows its inputs' layout (Fortran order), as NumPy does
  if len(shape) >= 2 and sources:
    order = f", order={p}order"
    alloc.append(f"{p}order = {env.ref(layout, 'layout')}({', '.join(sources)})")
  head += [f"{flat} = {src}.reshape(-1{order})" for flat, src in zip(ins, sources)]
  for v in results:
    name, flat, block = cg.var_name(v), f"{p}out{len(outs)}", f"{p}y{len(outs)}"
    alloc.append(f"{name} = {empty}({shape!r}, {env.ref(v.aval.dtype, v.aval.dtype.name + '_')}"
                 f"{order})")
    head.append(f"{flat} = {name}.reshape(-1{order})")
    loop.append(f"{block} = {flat}[{p}s:{p}e]")
    outs.append(flat)
    local[id(v)] = block
  # block buffers for the intermediates, reused once their value is dead
  free: dict[Any, list[str]] = {}
  buffers: list[tuple[str, str]] = []  # (name, dtype's global)
  body: list[str] = []
  for n, e in enumerate(eqns):
    ufunc, args = _ufunc_and_args(cg, start + n, e)  # type: ignore[misc]
    texts = [cg.atom(a, inline=True) if type(a) is Lit else
             local[id(a)] if id(a) in local else cg.var_name(a) for a in args]
    for v in dict.fromkeys(a for a in args if type(a) is Var):
      if id(v) in defined and id(v) not in {id(r) for r in results} \
              and last_in_region.get(id(v)) == n:
        free.setdefault(v.aval.dtype, []).append(local[id(v)])
    out = e.outvars[0]
    if id(out) not in local:
      pool = free.setdefault(out.aval.dtype, [])
      if pool:
        local[id(out)] = pool.pop()
      else:
        buf = f"{p}buf{len(buffers)}"
        buffers.append((buf, env.ref(out.aval.dtype, out.aval.dtype.name + '_')))
        local[id(out)] = buf
      if last_in_region.get(id(out), -1) < n:  # never read: its buffer is free again
        free[out.aval.dtype].append(local[id(out)])
    body.append(f"{env.ref(ufunc, ufunc.__name__)}({', '.join(texts)}, out={local[id(out)]})")
  # the blocks from r{k}_lo to r{k}_hi: a function, so that run_blocks can give ranges of
  # blocks to several threads (each call has buffers of its own)
  lines = alloc + head
  lines.append(f"def {p}run({p}lo, {p}hi):")
  run = [f"{b} = {empty}({BLOCK}, {dtype})" for b, dtype in buffers]
  run.append(f"for {p}s in range({p}lo, {p}hi, {BLOCK}):")
  run.append(f"    {p}e = {p}s + {BLOCK}")
  if size % BLOCK:
    run.append(f"    if {p}e > {size}:")
    run += [f"        {b} = {b}[:{size % BLOCK}]" for b, _ in buffers]
  run += ["    " + line for line in loop + body]
  lines += ["    " + line for line in run]
  stats = env.ref([0.0, 0.0, 0], "stats")  # run_blocks' timings of this region
  lines.append(f"{env.ref(run_blocks, 'run_blocks')}({p}run, {size}, {stats})")
  lines.append(f"del {', '.join(dict.fromkeys(ins + outs + [f'{p}run']))}")
  return lines


def layout(*arrays: np.ndarray) -> str:
  """The memory order of a region's results: ``"F"`` where every full-size input is laid
  out in Fortran order (its strides grow along the axes; a contiguous array that is also
  C-contiguous is not), which is the order NumPy's ufuncs give their results then (their
  ``order="K"``); ``"C"`` otherwise (also for inputs of different layouts, as NumPy for
  a C- and a Fortran-order operand). Flattening contiguous inputs in that order is a view.

  >>> a = np.ones((3, 2))
  >>> layout(a, a.T.T), layout(a.T), layout(a.T[:, ::2]), layout(a.T, a)
  ('C', 'F', 'F', 'C')
  """
  for a in arrays:
    flags = a.flags
    if flags.c_contiguous:
      return "C"
    if not flags.f_contiguous:
      strides = [abs(s) for s, n in zip(a.strides, a.shape) if n > 1]
      if any(s >= t for s, t in zip(strides, strides[1:])):
        return "C"
  return "F"


# -- running the blocks on several threads ------------------------------------------

THREADS_MIN_SIZE = 1 << 17  # elements: smaller regions run on the calling thread
CHUNK_BLOCKS = 4            # blocks per task: a thread takes the next task when done
_threads = [1]              # threads to use (vjpkit.config.jit_threads, set by jit)
_pool: list = [None]        # the executor of the other threads, made when first needed
_pool_lock = threading.Lock()


def set_threads(n: int) -> None:
  """Use up to ``n`` threads (the calling one included) for large regions."""
  _threads[0] = max(1, int(n))


def _executor(workers: int) -> ThreadPoolExecutor:
  with _pool_lock:
    pool = _pool[0]
    if pool is None or pool._max_workers != workers:
      if pool is not None:
        pool.shutdown(wait=False)
      pool = _pool[0] = ThreadPoolExecutor(workers, thread_name_prefix="vjpkit-blocks")
    return pool


def _forget_pool() -> None:  # in a forked child, the parent's threads do not exist
  _pool[0] = None


if hasattr(os, "register_at_fork"):
  os.register_at_fork(after_in_child=_forget_pool)


EXPLORE = 8  # every EXPLORE-th call of a region runs the way that has been slower lately


def run_blocks(run: Callable[[int, int], None], size: int, stats: list | None = None) -> None:
  """Call ``run(lo, hi)`` over the element range ``[0, size)``: once, on this thread, or
  for tasks of ``CHUNK_BLOCKS`` blocks taken in turn by ``_threads[0]`` threads, this one
  included. Every element is computed by the same ufuncs either way, so the results do
  not depend on the threads. The tasks run in copies of the caller's context (its
  ``np.errstate``); where some raise, the exception of the first (the one a serial
  evaluation meets) is raised once all have finished.

  ``stats`` (one list per region of the generated code) holds the recent time of each
  way, serial and threaded, as moving averages: each call runs the faster way, and every
  ``EXPLORE``-th the other, since threads help only while the machine has idle cores (on
  a loaded one they wait for each other and for the GIL).

  >>> out = np.zeros(10)
  >>> def run(lo, hi):
  ...   out[lo:hi] = np.arange(lo, hi)
  >>> run_blocks(run, 10)
  >>> out
  array([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.])
  """
  threads = _threads[0]
  if threads <= 1 or size < THREADS_MIN_SIZE:
    run(0, size)
    return
  if stats is None:
    _run_threaded(run, size, threads)
    return
  n = stats[2]
  stats[2] = n + 1
  if n < 2:
    threaded = n == 0  # the first call threaded, the second serial: a time for each
  else:
    threaded = (stats[1] <= stats[0]) != (n % EXPLORE == 0)
  t0 = time.perf_counter()
  if threaded:
    _run_threaded(run, size, threads)
  else:
    run(0, size)
  dt = time.perf_counter() - t0
  i = 1 if threaded else 0
  stats[i] = dt if n < 2 else 0.75 * stats[i] + 0.25 * dt


def _run_threaded(run: Callable[[int, int], None], size: int, threads: int) -> None:
  step = CHUNK_BLOCKS * BLOCK
  starts = range(0, size, step)
  tasks = iter(range(len(starts)))  # shared: next() on it is one atomic step under the GIL
  errors: dict[int, BaseException] = {}

  def work() -> None:
    for i in tasks:
      if errors and i > min(errors):
        continue  # a serial evaluation would have stopped before this task
      lo = starts[i]
      try:
        run(lo, min(lo + step, size))
      except BaseException as e:  # noqa: BLE001 - re-raised below, in the caller's thread
        errors[i] = e

  workers = min(threads, len(starts)) - 1
  pool = _executor(threads - 1)
  futures = [pool.submit(contextvars.copy_context().run, work) for _ in range(workers)]
  work()
  for future in futures:
    future.result()
  if errors:
    raise errors[min(errors)]
