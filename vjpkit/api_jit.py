"""``jit``: trace a function once per signature, optimise it, compile it to NumPy code.

A jitted function is traced with abstract arguments (shapes and dtypes only)
the first time it meets a new *signature*: the pytree structure of its
arguments, the shape and dtype of each leaf, and the values (and types: ``2``,
``2.0`` and ``True`` are different) of its static arguments. The program is optimised (``vjpkit.passes.optimize``), compiled to
Python source (``vjpkit.interpreters.codegen``) and cached; later calls with
the same signature run the compiled code directly.

Applied to transformed values (inside ``grad``, ``vmap``, another ``jit``),
a jitted function is one equation of the ``jit`` primitive: a call primitive
whose JVP, partial evaluation, transpose and batching rules transform its
program (``lax.call.call_rules``), and whose impl runs the compiled code of
whatever program it carries. So ``grad(jit(f))`` runs compiled forward and
backward programs, and ``jit(grad(f))`` compiles the whole gradient.
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, Callable, Collection, Protocol, Sequence, cast

import numpy as np

from .api import _check_leaf
from .config import config
from .api_array import has_foreign, route
from .core.avals import arg_aval
from .core.errors import check_callable, describe_value
from .core.ir import Jaxpr, hoist_consts
from .core.primitive import Primitive
from .core.trace import Tracer
from .interpreters import codegen as _codegen
from .interpreters.codegen import Compiled, _identifier, compile_jaxpr
from .interpreters.codegen_blocked import set_threads
from .interpreters import codegen_scalar as _codegen_scalar
from .interpreters.codegen_scalar import compile_scalar
from .interpreters.partial_eval import trace_to_jaxpr
from .jit_cache import CacheInfo, describe_call, describe_where, explain_miss, logger
from .lax.call import _call_abstract_eval, call_rules
from .passes import optimize
from .passes.inline import inlinable
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten
from . import jit_switch as _jit_switch
from .jit_gc import gc_paused

__all__ = ["jit", "jit_p", "Lowered", "CacheInfo"]


# -- the primitive ---------------------------------------------------------------

def _compiled(jaxpr: Jaxpr, name: str) -> Compiled:
  """The compiled code of a constvar-free program, built once per program."""
  def build():
    t0 = time.perf_counter()
    with gc_paused():
      opt, consts = optimize(jaxpr, [])
      t1 = time.perf_counter()
      out = compile_jaxpr(opt, consts, name)
    if config.log_compiles:
      logger.log(logging.WARNING, f"jit({name}): compiled a transformed program "
                 f"({len(opt.eqns)} equations) in {_ms(time.perf_counter() - t0)} "
                 f"(optimize {_ms(t1 - t0)}, codegen {_ms(time.perf_counter() - t1)})")
    return out
  return jaxpr.memo(("compiled", name), build)


def _jit_impl(*args, call_jaxpr: Jaxpr, name: str):
  return _compiled(call_jaxpr, name).fn(*args)


jit_p = Primitive("jit", multiple_results=True, impl=_jit_impl, abstract_eval=_call_abstract_eval)
call_rules(jit_p, lambda args, jaxpr, params: jit_p.bind(*args, call_jaxpr=jaxpr, **params))
inlinable.add(jit_p)


# -- one traced and compiled signature --------------------------------------------

_PY_SCALARS = {float: np.float64, int: np.int64, bool: np.bool_, complex: np.complex128}


class Lowered:
  """What ``jit`` made of a function for one signature.

  ``jaxpr`` is the optimised program (its constvars hold ``consts``),
  ``source`` the Python code it compiles to, ``out_tree`` the output structure.
  """
  __slots__ = ("jaxpr", "consts", "out_tree", "name", "call_jaxpr", "cacheable", "_compiled",
               "scalar_outs", "scalar_ins", "_fn", "key", "fast_keys", "signature", "times",
               "_math", "_runner")
  _compiled: Compiled | None
  _runner: Callable | None

  def __init__(self, jaxpr: Jaxpr, consts: list, out_tree: PyTreeDef | None, name: str):
    self.jaxpr, self.consts, self.out_tree, self.name = jaxpr, consts, out_tree, name
    self.call_jaxpr = hoist_consts(jaxpr)
    self.cacheable = not any(isinstance(c, Tracer) for c in consts)
    self._compiled = self._fn = self._runner = None
    self.scalar_outs = [i for i, v in enumerate(jaxpr.outvars) if v.aval.shape == ()]
    self.scalar_ins = [i for i, v in enumerate(jaxpr.invars) if v.aval.shape == ()]
    self.key = self.signature = None
    self.fast_keys: tuple = ()  # (table, key) of the fast paths that run it
    self._math: Callable | bool | None = None  # the all-scalar code: None until tried
    self.times: list = [0.0, 0.0, None]  # seconds: trace, optimize, codegen

  @property
  def compiled(self) -> Compiled:
    if self._compiled is None:
      t0 = time.perf_counter()
      with gc_paused():
        self._compiled = compile_jaxpr(self.jaxpr, self.consts, self.name)
      self.times[2] = time.perf_counter() - t0
    return self._compiled

  def runner(self) -> Callable:
    """``run`` as a function of the leaves themselves, made once and specialised to the
    program (the all-scalar code, or the NumPy code with only the unwrapping it needs)."""
    r = self._runner
    if r is None:
      r = self._runner = self._make_runner()
    return r

  def _make_runner(self) -> Callable:
    math_fn = self.math_code()
    if callable(math_fn):
      return math_fn
    if self.scalar_ins or self.scalar_outs:
      def run_leaves(*leaves):
        return self.run_numpy(leaves)
      return run_leaves
    fn, tree = self.compiled.fn, self.out_tree
    if tree is None:
      def run_one(*leaves):
        return fn(*leaves)[0]
      return run_one

    def run_tree(*leaves):
      return tree_unflatten(tree, fn(*leaves))
    return run_tree

  def scalar_runner(self) -> Callable:
    """A function of the call's (NumPy or Python) scalar arguments returning its result:
    the program as Python ``math`` on floats where it is all float64 scalars
    (``interpreters.codegen_scalar``), else its NumPy code."""
    math_fn = self.math_code()
    if callable(math_fn):
      return math_fn
    run, py = self.run, _PY_SCALARS

    def run_scalars(*args):
      return run([py[type(x)](x) if type(x) in py else x for x in args])
    return run_scalars

  def math_code(self) -> Callable | bool:
    """The all-scalar float64 program as Python ``math``, or False where it is not one."""
    if self._math is None:
      run_numpy, py = self.run_numpy, _PY_SCALARS

      def fallback(*args):
        return run_numpy([py[type(x)](x) if type(x) in py else x for x in args])
      finish = None if self.out_tree is None else functools.partial(tree_unflatten,
                                                                    self.out_tree)
      code = compile_scalar(self.jaxpr, self.consts, _identifier(self.name), fallback,
                            finish, single=self.out_tree is None) if self.cacheable else None
      self._math = False if code is None else code.fn
    return self._math

  @property
  def source(self) -> str:
    """The generated Python source of the program."""
    return self.compiled.source

  def forget_math(self) -> None:
    """Drop the all-scalar code (made again when next needed: ``jit_scalar_libm`` changed)."""
    self._math = self._runner = None

  def __call__(self, leaves: list, traced: bool):
    if not traced and self.cacheable:
      return self.run(leaves)
    outs = list(jit_p.bind(*self.consts, *leaves, call_jaxpr=self.call_jaxpr, name=self.name))
    return outs[0] if self.out_tree is None else tree_unflatten(self.out_tree, outs)

  def run(self, leaves):
    """Run the compiled code on concrete leaves (NumPy arrays and scalars)."""
    math_fn = self._math
    if math_fn is None:
      math_fn = self.math_code()
    if math_fn:
      return math_fn(*leaves)
    return self.run_numpy(leaves)

  def run_numpy(self, leaves):
    """Run the compiled NumPy code on concrete leaves."""
    fn = self._fn
    if fn is None:
      fn = self._fn = self.compiled.fn
    if self.scalar_ins:  # 0-d arrays run as NumPy scalars: cheaper arithmetic
      leaves = list(leaves)
      for i in self.scalar_ins:
        x = leaves[i]
        if type(x) is np.ndarray:
          leaves[i] = x[()]
    outs = fn(*leaves)
    if self.scalar_outs:  # 0-d results are NumPy scalars, as NumPy returns them
      outs = list(outs)
      for i in self.scalar_outs:
        x = outs[i]
        if type(x) is np.ndarray:
          outs[i] = x[()]
    return outs[0] if self.out_tree is None else tree_unflatten(self.out_tree, outs)

  def __repr__(self):
    return f"<jit {self.name}: {len(self.jaxpr.eqns)} equations>"


# -- the user-facing wrapper --------------------------------------------------------

class Jitted(Protocol):
  """What ``jit`` returns: ``fun`` compiled per signature, ``lower`` for one signature,
  ``cache_info`` and ``clear_cache`` for its cache."""

  def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

  def lower(self, *args: Any, **kwargs: Any) -> Lowered: ...

  def cache_info(self) -> CacheInfo: ...

  def clear_cache(self) -> None: ...


def jit(fun: Callable, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = ()) -> Jitted:
  """``fun``, traced once per argument signature and run as compiled NumPy code.

  A signature is the pytree structure of the arguments, each leaf's shape and
  dtype, and the values and types of the static arguments (which must be hashable;
  ``2``, ``2.0`` and ``True`` are three signatures).
  Inside ``fun`` the other arguments are abstract: Python control flow on them
  raises a ``ConcretizationTypeError``; use ``vjpkit.lax.cond`` /
  ``while_loop``, ``vjpkit.numpy.where``, or make the argument static.
  ``f.lower(*args).source`` shows the generated code.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> def loss(x):
  ...   return vnp.sum(vnp.tanh(x) ** 2)
  >>> f = jit(vjpkit.grad(loss))
  >>> f(np.zeros(3))
  array([0., 0., 0.])
  >>> print(f.lower(np.zeros(3)).source)
  def loss(a):
      b = _tanh0(a)
      c = b * b
      c = _subtract2(1.0, c, out=c)
      b = _multiply1(2.0, b, out=b)
      b = _multiply1(b, c, out=b)
      del c
      return (b,)

  Each jitted function caches its signatures in a least-recently-used cache of
  ``vjpkit.config.jit_cache_size`` entries (128 by default); ``f.cache_info()``
  reports hits, misses and entries, ``f.clear_cache()`` empties it
  (see ``vjpkit.jit_cache`` for logging retraces and compilations):

  >>> f(np.ones(3)) is not None, f(np.ones(4)) is not None
  (True, True)
  >>> f.cache_info()   # f.lower(np.zeros(3)) above was a miss, the first call a hit
  CacheInfo(hits=2, misses=2, maxsize=128, currsize=2)
  >>> f.clear_cache()
  >>> f.cache_info()
  CacheInfo(hits=0, misses=0, maxsize=128, currsize=0)
  """
  check_callable(fun, "jit")
  nums, names = _static_spec(static_argnums, static_argnames)
  _check_static(fun, nums, names)
  nums, names = _resolve_static(fun, nums, names)
  name = _fun_name(fun)
  # the cache, least recently used first: signature key -> Lowered
  cache: OrderedDict[Any, Lowered] = OrderedDict()
  # calls without kwargs or static arguments whose signature is decided by little ->
  # the function that runs them: keyed by the type of the only argument, a scalar (fast1),
  # by the shape and dtype of the only argument, an array (fasta; Lowered.runner), by the
  # tuple of the arguments' types, all scalars (fastn; Lowered.scalar_runner)
  fast1: dict[type, Callable] = {}
  fasta: dict[tuple, Callable] = {}
  fastn: dict[tuple, Callable] = {}
  fast_tables: dict[str, dict] = {"1": fast1, "a": fasta, "n": fastn}
  fast_keys: dict[tuple, Any] = {}  # (table, key) -> the cache key of its entry
  # Recency, as clock readings (hits + misses) of each entry's last use: by cache key for
  # the other paths, by fast key for the fast paths (one dict store per hit is cheaper than
  # reordering the cache); the cache is put in this order before it is trimmed or listed.
  used: dict[Any, int] = {}
  fast_used: dict[str, dict] = {"1": {}, "a": {}, "n": {}}
  used1, useda, usedn = fast_used["1"], fast_used["a"], fast_used["n"]
  several = False  # whether the cache holds more than one entry (recency then matters)
  evicted: OrderedDict[Any, None] = OrderedDict()  # recently dropped keys, for the log
  uncacheable: OrderedDict[Any, None] = OrderedDict()  # keys whose programs close over tracers
  lock = threading.Lock()
  param_names = _param_names(fun)
  hits = misses = 0

  def lower(*args, **kwargs) -> Lowered:
    """Trace, optimise and cache ``fun`` for these arguments (without running it)."""
    return _lookup(args, kwargs)[0]

  def touch(key) -> None:
    used[key] = hits + misses

  def recency(item) -> int:
    key, entry = item
    r = used.get(key, -1)
    for table, k in entry.fast_keys:
      r = max(r, fast_used[table].get(k, -1))
    return r

  def by_recency() -> list:
    """The cache's (key, entry) pairs, least recently used first."""
    return sorted(list(cache.items()), key=recency)

  def _reorder() -> None:
    """Put the cache in recency order (the lock is held)."""
    for key, _ in by_recency():
      cache.move_to_end(key)

  def _lookup(args, kwargs):
    nonlocal hits, misses
    if nums or names:
      nargs = len(args)
      static = tuple(_static_value(args[i], i) for i in nums if -nargs <= i < nargs)
      static_kw = tuple((k, _static_value(kwargs[k], k)) for k in names if k in kwargs)
      dyn = tuple(a for i, a in enumerate(args) if i not in nums and i - nargs not in nums)
      dyn_kw = {k: v for k, v in kwargs.items() if k not in names}
      skey = (static, static_kw)
    else:
      dyn, dyn_kw, skey = args, kwargs, None
    if not dyn_kw and all(type(a) in _FLAT_TYPES or isinstance(a, Tracer) for a in dyn):
      leaves, tree = list(dyn), len(dyn)   # the common case: no containers
    else:
      leaves, tree = tree_flatten((dyn, dyn_kw))
    sig, traced = _signature(leaves)
    key = (tree, sig, skey)
    entry = cache.get(key)
    if entry is not None:
      hits += 1
      touch(key)
      return entry, leaves, traced
    misses += 1
    signature = describe_call(args, kwargs, nums, names, param_names)
    maxsize = config.jit_cache_size
    if config.explain_cache_misses:
      logger.log(logging.WARNING, explain_miss(
          name, describe_where(fun), signature, [e.signature for _, e in by_recency()],
          key in evicted, maxsize, key in uncacheable))
    entry = _trace(args, kwargs, leaves, tree)
    entry.key, entry.signature = key, signature
    if not entry.cacheable:
      uncacheable[key] = None
      if len(uncacheable) > _EVICTED_MEMORY:
        uncacheable.popitem(last=False)
    elif maxsize > 0:
      with lock:
        entry = cache.setdefault(key, entry)
        touch(key)
        evicted.pop(key, None)
        _trim(maxsize)
        _recount()
    if config.log_compiles:
      _log_compile(entry, traced)
    return entry, leaves, traced

  def _trim(maxsize: int) -> None:
    """Drop the least recently used entries beyond ``maxsize`` (the lock is held)."""
    if len(cache) > maxsize:
      _reorder()
    while len(cache) > maxsize:
      key, old = cache.popitem(last=False)
      used.pop(key, None)
      evicted[key] = None
      if len(evicted) > _EVICTED_MEMORY:
        evicted.popitem(last=False)
      _unfast(old)

  def _unfast(entry: Lowered) -> None:
    for table, k in entry.fast_keys:
      fast_tables[table].pop(k, None)
      fast_used[table].pop(k, None)
      fast_keys.pop((table, k), None)
    entry.fast_keys = ()

  def _recount() -> None:
    nonlocal several
    several = len(cache) > 1

  def _trace(args, kwargs, leaves, tree) -> Lowered:
    t0 = time.perf_counter()
    leaves = [_check_leaf(x, "jit", "the argument", weak=True) for x in leaves]
    nargs = len(args)
    store: list = []

    def flat_fun(*tracers):
      if isinstance(tree, int):
        dyn, dyn_kw = list(tracers), {}
      else:
        dyn, dyn_kw = tree_unflatten(tree, tracers)
      it = iter(dyn)
      full = [a if (i in nums or i - nargs in nums) else next(it) for i, a in enumerate(args)]
      kw = dict(dyn_kw, **{k: kwargs[k] for k in names if k in kwargs})
      out = fun(*full, **kw)
      out_leaves, out_tree = tree_flatten(out)
      store.append(out_tree)
      return [_check_leaf(x, "jit", "the function's output") for x in out_leaves]

    arg_names = _leaf_names(args, kwargs, nums, names, param_names, tree)
    with gc_paused():  # (jit_gc.py: a third of the compile time of big programs otherwise)
      jaxpr, consts = trace_to_jaxpr(flat_fun, [arg_aval(x) for x in leaves], arg_names,
                                     keep_weak=True)
      t1 = time.perf_counter()
      jaxpr, consts = optimize(jaxpr, consts)
    out_tree = store[0]
    entry = Lowered(jaxpr, consts, None if out_tree.kind is None else out_tree, name)
    entry.times = [t1 - t0, time.perf_counter() - t1, None]
    return entry

  def _fast_key(args: tuple) -> tuple[str, Any]:
    """The fast table and key for a call with these arguments (scalars, or one array)."""
    if len(args) == 1:
      a = args[0]
      return ("a", (a.shape, a.dtype)) if type(a) is np.ndarray else ("1", type(a))
    return ("n", tuple(map(type, args)))

  def _install_fast(entry: Lowered, args: tuple) -> None:
    """Let later calls with arguments of these scalar types skip the signature."""
    if not _fast_allowed[0]:
      return
    table, k = _fast_key(args)
    if (table, k) in fast_keys:
      return
    fast = entry.runner() if table == "a" else entry.scalar_runner()
    with lock:
      if not _fast_allowed[0] or cache.get(entry.key) is not entry:
        return
      fast_tables[table][k] = fast
      entry.fast_keys = (*entry.fast_keys, (table, k))
      fast_keys[(table, k)] = entry.key

  has_static = bool(nums or names)

  @functools.wraps(fun)
  def jitted(a0=_NO_ARGUMENT, /, *rest, **kwargs):
    nonlocal hits
    if not rest:
      # the fastest path: one NumPy or Python scalar, whose type is its signature
      t = type(a0)
      fn = fast1.get(t)
      if fn is not None and not kwargs:
        hits += 1
        if several:
          used1[t] = hits + misses
        return fn(a0)
      if t is np.ndarray and fasta and not kwargs:
        k = (a0.shape, a0.dtype)  # one array: its shape and dtype are its signature
        fn = fasta.get(k)
        if fn is not None:
          hits += 1
          if several:
            useda[k] = hits + misses
          return fn(a0)
    elif not kwargs and fastn:  # scalars again
      t = (type(a0), type(rest[0])) if len(rest) == 1 else (type(a0), *map(type, rest))
      fn = fastn.get(t)
      if fn is not None:
        hits += 1
        if several:
          usedn[t] = hits + misses
        return fn(a0, *rest)
    return call(rest if a0 is _NO_ARGUMENT else (a0, *rest), kwargs)

  def call(args: tuple, kwargs: dict):
    """A call that took none of the scalar fast paths."""
    nonlocal hits
    if _jit_switch.active and _jit_switch.jit_disabled():  # disable_jit(): the function itself
      return fun(*args, **kwargs)
    if not kwargs and not has_static:  # the fast path: arrays in, compiled code, arrays out
      sig = []
      # all NumPy scalars, or one array: a fast path can be installed
      scalars = len(args) == 1 or (len(args) > 1 and type(args[0]) is not np.ndarray)
      for a in args:
        t = type(a)
        if t is np.ndarray:
          sig.append((a.shape, a.dtype))
          scalars = scalars and len(args) == 1
        elif t in _NUMPY_SCALARS:
          sig.append((a.shape, a.dtype))
        else:
          break
      else:
        key = (len(args), tuple(sig), None)
        entry = cache.get(key)
        if entry is not None:
          hits += 1
          if several:
            touch(key)
          if scalars:
            _install_fast(entry, args)
          # (Lowered.run where debug_nans/debug_infs have put their checking version)
          return entry.runner()(*args) if _fast_allowed[0] else entry.run(args)
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      return route(jitted, args, kwargs, who="jit", static_argnums=nums, static_argnames=names,
                   cache=True)
    entry, leaves, traced = _lookup(args, kwargs)
    if (not traced and not kwargs and not has_static
        and all(type(a) in _SCALAR_TYPES for a in args)):
      _install_fast(entry, args)
    leaves = [_PY_SCALARS[type(x)](x) if type(x) in _PY_SCALARS else x for x in leaves]
    return entry(leaves, traced)

  def cache_info() -> CacheInfo:
    """Hits (calls that ran cached code), misses (calls that traced), the bound
    (``vjpkit.config.jit_cache_size``) and the number of cached signatures. (Calls from
    several threads at once may be counted approximately.)"""
    return CacheInfo(hits, misses, config.jit_cache_size, len(cache))

  def clear_cache() -> None:
    """Forget every compiled signature and reset the counts."""
    nonlocal hits, misses
    with lock:
      cache.clear()
      for table in (*fast_tables.values(), *fast_used.values()):
        table.clear()
      fast_keys.clear()
      used.clear()
      evicted.clear()
      uncacheable.clear()
      hits = misses = 0
      _recount()

  def on_config(scalar_code_changed: bool = False) -> None:
    with lock:
      if not _fast_allowed[0] or scalar_code_changed:
        for entry in list(cache.values()):
          _unfast(entry)
          if scalar_code_changed:
            entry.forget_math()
      _trim(config.jit_cache_size)
      _recount()

  jitted.lower = lower  # type: ignore[attr-defined]  # attributes of a function: see Jitted
  jitted.cache_info = cache_info  # type: ignore[attr-defined]
  jitted.clear_cache = clear_cache  # type: ignore[attr-defined]
  jitted._cache = cache  # type: ignore[attr-defined]
  jitted._on_config = on_config  # type: ignore[attr-defined]
  _JITTED.add(jitted)
  return cast(Jitted, jitted)


_NO_ARGUMENT: Any = object()  # jitted's first parameter when the call has no arguments
_EVICTED_MEMORY = 256  # dropped keys remembered, to say so when one misses again
_JITTED: weakref.WeakSet = weakref.WeakSet()  # every jitted function, for config changes
# whether calls may take the scalar fast paths, which skip Lowered.run (which
# debug_nans/debug_infs replace) and the disable_jit() test: [bool]
_fast_allowed = [not (config.debug_nans or config.debug_infs or _jit_switch.active)]


def _config_changed() -> None:
  _fast_allowed[0] = not (config.debug_nans or config.debug_infs or _jit_switch.active)
  set_threads(config.jit_threads)
  _codegen.PLAN_MIN_EQNS = config.jit_plan_min_eqns
  libm_changed = _codegen_scalar.ALWAYS_LIBM != config.jit_scalar_libm
  _codegen_scalar.ALWAYS_LIBM = config.jit_scalar_libm
  for f in list(_JITTED):
    f._on_config(libm_changed)


set_threads(config.jit_threads)
config._on_change(_config_changed)
_jit_switch.on_change(_config_changed)
_codegen.PLAN_MIN_EQNS = config.jit_plan_min_eqns
_codegen_scalar.ALWAYS_LIBM = config.jit_scalar_libm


def _log_compile(entry: Lowered, traced: bool) -> None:
  trace_s, opt_s, _ = entry.times
  avals = ", ".join(str(v.aval) for v in entry.jaxpr.invars) or "no arguments"
  if traced or not entry.cacheable:
    logger.log(logging.WARNING, f"jit({entry.name}): traced for ({avals}) in "
               f"{_ms(trace_s + opt_s)} (trace {_ms(trace_s)}, optimize {_ms(opt_s)}); "
               "it runs inside an enclosing transformation, which compiles it")
    return
  entry.compiled  # noqa: B018 - generate the code now, to time it
  codegen_s = entry.times[2] or 0.0
  logger.log(logging.WARNING, f"jit({entry.name}): compiled for ({avals}) in "
             f"{_ms(trace_s + opt_s + codegen_s)} (trace {_ms(trace_s)}, optimize "
             f"{_ms(opt_s)}, codegen {_ms(codegen_s)}; {len(entry.jaxpr.eqns)} equations)")


def _ms(seconds: float) -> str:
  return f"{seconds * 1e3:.2f} ms"


_NUMPY_SCALARS = frozenset((np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128))
_SCALAR_TYPES = _NUMPY_SCALARS | frozenset(_PY_SCALARS)
_FLAT_TYPES = frozenset((np.ndarray, float, int, bool, complex, np.float64, np.float32,
                         np.int64, np.int32, np.bool_, np.complex128))


def _signature(leaves) -> tuple[tuple, bool]:
  """Shapes and dtypes (types for Python scalars) of the leaves; whether any is traced."""
  sig: list[Any] = []
  traced = False
  for x in leaves:
    t = type(x)
    if t in _PY_SCALARS:
      sig.append(t)
      continue
    if isinstance(x, Tracer):
      traced = True
      if x.aval.weak_type:  # a Python scalar under an outer transform
        sig.append((x.shape, x.dtype, "weak"))
        continue
    try:
      sig.append((x.shape, x.dtype))
    except AttributeError:
      sig.append(t)  # not an array: tracing reports it
  return tuple(sig), traced


def _static_value(x, where):
  try:
    hash(x)
  except TypeError:
    raise TypeError(
        f"jit: static argument {where!r} has type {type(x).__name__}, which is not hashable. "
        "Static arguments key the compilation cache; pass a hashable value (a tuple "
        "instead of a list, for example) or make the argument non-static.") from None
  return static_key(x)


def static_key(x):
  """A cache key for the static value ``x`` that also tells apart equal values of
  different types: ``2``, ``2.0``, ``True`` and ``np.float32(2)`` compare (and hash)
  equal, but a function may well treat them differently (``full((2,), n)`` has dtype
  int, float or bool). Tuples are keyed element by element, one level deep (the common
  case: a tuple of sizes or flags); deeper containers compare by value."""
  t = type(x)
  if t is tuple:
    return (t, tuple((type(e), e) for e in x))
  return (t, x)


def _static_spec(static_argnums, static_argnames) -> tuple[tuple[int, ...], tuple[str, ...]]:
  """``static_argnums`` as a tuple of ints and ``static_argnames`` as a tuple of strings."""
  def is_index(i):
    return isinstance(i, (int, np.integer)) and not isinstance(i, bool)
  nums: tuple[int, ...]
  if is_index(static_argnums):
    nums = (int(static_argnums),)
  elif isinstance(static_argnums, (tuple, list)) and all(is_index(i) for i in static_argnums):
    nums = tuple(int(i) for i in static_argnums)
  else:
    raise TypeError("jit: static_argnums must be an int or a tuple of ints (positions of "
                    f"arguments), got {describe_value(static_argnums)}; name arguments with "
                    "static_argnames")
  if isinstance(static_argnames, str):
    names = (static_argnames,)
  elif isinstance(static_argnames, (tuple, list)) and all(isinstance(n, str)
                                                          for n in static_argnames):
    names = tuple(static_argnames)
  else:
    raise TypeError("jit: static_argnames must be a str or a tuple of strs (parameter "
                    f"names), got {describe_value(static_argnames)}; give positions with "
                    "static_argnums")
  return nums, names


def _check_static(fun, nums: tuple, names: tuple) -> None:
  """Static arguments the function cannot receive are errors (as in JAX), checked against
  its signature when it can be inspected: a position past its positional parameters
  (unless it takes ``*args``), a name it does not take (unless it takes ``**kwargs``),
  or the name of a positional-only parameter."""
  try:
    params = list(inspect.signature(fun).parameters.values())
  except (TypeError, ValueError):
    return  # some builtins have no signature: nothing to check against
  fname = _fun_name(fun)
  positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  if not any(p.kind is p.VAR_POSITIONAL for p in params):
    n = len(positional)
    for i in nums:
      if not -n <= i < n:
        raise ValueError(
            f"jit: static_argnums={nums} refers to positional argument {i}, but {fname} takes "
            f"only {n} positional argument(s) ({', '.join(positional) or 'none'}); use a "
            f"position in [{-n}, {n - 1}]" if n else
            f"jit: static_argnums={nums} refers to positional argument {i}, but {fname} takes "
            "no positional arguments")
  pos_only = [n for n in names if any(p.name == n and p.kind is p.POSITIONAL_ONLY
                                      for p in params)]
  if pos_only:
    raise ValueError(f"jit: static_argnames={names} names {', '.join(pos_only)}, positional-only "
                     f"parameter(s) of {fname}, which cannot be passed by name; mark them "
                     "static with static_argnums")
  if not any(p.kind is p.VAR_KEYWORD for p in params):
    known = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = [n for n in names if n not in known]
    if unknown:
      raise ValueError(f"jit: static_argnames={names} names {', '.join(unknown)}, which {fname} "
                       f"does not take (its parameters: "
                       f"{', '.join(p.name for p in params) or 'none'})")


def _param_names(fun) -> list[str]:
  try:
    return [p.name for p in inspect.signature(fun).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
  except (TypeError, ValueError):
    return []


def _resolve_static(fun, nums: Collection[int], names: Collection[str]) -> tuple[tuple, tuple]:
  """Static arguments given by position also count when passed by name, and vice versa."""
  params = _param_names(fun)
  nums = set(nums) | {params.index(n) for n in names if n in params}
  names = set(names) | {params[i] for i in nums if 0 <= i < len(params)}
  return tuple(sorted(nums)), tuple(sorted(names))


def _fun_name(fun) -> str:
  name = getattr(fun, "__name__", None) or type(fun).__name__
  return "lambda" if name == "<lambda>" else name


def _leaf_names(args, kwargs, nums, names, param_names, tree) -> list[str]:
  """Readable names of the traced leaves, for concretization errors."""
  out: list[str] = []
  nargs = len(args)
  for i, a in enumerate(args):
    if i in nums or i - nargs in nums:
      continue
    base = param_names[i] if i < len(param_names) else f"argument {i}"
    n = 1 if isinstance(tree, int) else len(tree_flatten(a)[0])
    out += [base] if n == 1 else [f"{base} (leaf {j})" for j in range(n)]
  for k in sorted(kwargs):
    if k in names:
      continue
    n = len(tree_flatten(kwargs[k])[0])
    out += [k] if n == 1 else [f"{k} (leaf {j})" for j in range(n)]
  return out
