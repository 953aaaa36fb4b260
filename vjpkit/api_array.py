"""Transforms on Dask, CuPy and other array-API arrays: trace, optimise, evaluate there.

When an argument of ``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``vmap`` or ``jit``
holds a *foreign* array (``vjpkit.core.backends.is_foreign``: a non-NumPy array of a
library implementing the array API standard), the transformed function is traced from
shapes and dtypes only, as ``jit`` traces it (no data is read), optimised with
``jit``'s passes, and the program is evaluated with that library's namespace
(``vjpkit.interpreters.array_api``). NumPy arrays and numbers among the differentiated,
mapped or jitted arguments are lifted into the library; other values (NumPy arrays and
numbers of arguments that are not differentiated, strings) stay concrete, constants of
the trace, as they are on the NumPy path. ``jit`` keeps the program per signature (the
structure, shapes and dtypes of the arguments, and the values of the static ones), as
it does for NumPy arguments; the other transforms trace on every call, so the function
always sees the current values of what it closes over: ``jit(grad(f))`` caches.

So ``grad(loss)(w, X, y)`` with Dask ``X`` and ``y`` returns a lazy Dask array (nothing
is computed until ``.compute()``), and with CuPy arrays CuPy arrays on the GPU.
Calls with NumPy arguments only never come here (one type check per argument).
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

from .core.avals import ShapedArray, arg_aval, float0, get_aval
from .core.backends import NATIVE_TYPES, foreign_type, is_foreign, library_name, namespace_of, numpy_dtype
from .core.ir import hoist_consts
from .core.trace import Tracer
from .interpreters.array_api import Backend, eval_jaxpr
from .interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from .passes import optimize
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["has_foreign", "linearize_foreign", "route", "route_split", "vjp_foreign"]

_PY_NUMBERS = (bool, int, float, complex)


def has_foreign(tree: Any) -> bool:
  """Whether a foreign array is among the leaves of ``tree`` (tuples, lists, dicts and
  registered pytree nodes are walked; a NumPy value costs one set lookup).

  >>> has_foreign(((np.ones(2), 3.0), {"a": None, "b": [1, "x"]}))
  False
  """
  if type(tree) is tuple:  # the common case, a call's arguments: NumPy values only
    for x in tree:
      if type(x) not in NATIVE_TYPES:
        break
    else:
      return False
  stack = [tree]
  while stack:
    x = stack.pop()
    t = type(x)
    if t in NATIVE_TYPES:
      continue
    if t is tuple or t is list:
      stack.extend(x)
    elif t is dict:
      stack.extend(x.values())
    elif foreign_type(t):
      return True
    elif not isinstance(x, (Tracer, np.generic)):
      leaves = tree_flatten(x)[0]  # a registered container: its leaves
      if not (len(leaves) == 1 and leaves[0] is x):
        stack.extend(leaves)
  return False


def _backend(leaves: Sequence[Any], who: str) -> Backend:
  """The one array library of the foreign leaves (mixing two is an error)."""
  foreign = [x for x in leaves if is_foreign(x)]
  names = list(dict.fromkeys(library_name(x) for x in foreign))
  if len(names) > 1:
    raise TypeError(f"{who}: the arguments mix arrays of {names[0]} and {names[1]}; vjpkit runs "
                    "a call on one array library: convert them to one library first")
  backend = Backend(namespace_of(foreign[0]), names[0])
  for x in foreign:
    backend.chunks_like(x)
  return backend


def _foreign_aval(x: Any) -> ShapedArray:
  shape = tuple(x.shape)
  if any(not isinstance(n, (int, np.integer)) for n in shape):
    raise ValueError(f"vjpkit: a {library_name(x)} array of unknown shape {shape} (e.g. after "
                     "boolean indexing of a Dask array) cannot be traced: its shape must be "
                     "known (for Dask: x.compute_chunk_sizes())")
  return ShapedArray(tuple(int(n) for n in shape), numpy_dtype(x.dtype))


def _is_dynamic(x: Any, traced_position: bool) -> bool:
  """Foreign arrays are always traced; NumPy values and numbers only in the positions the
  transform traces (differentiated, mapped or jitted arguments): elsewhere they stay
  concrete, as on the NumPy path (constants of the program, lifted into the library)."""
  if is_foreign(x):
    return True
  if isinstance(x, np.ndarray) and x.dtype == float0:
    return False  # the tangent of an integer: nothing to lift
  return traced_position and isinstance(x, (np.ndarray, np.generic) + _PY_NUMBERS)


def _aval(x: Any) -> ShapedArray:
  return _foreign_aval(x) if is_foreign(x) else arg_aval(x)


def _lift(backend: Backend, x: Any) -> Any:
  """An argument as an array of the backend's library."""
  if is_foreign(x):
    return x
  aval = get_aval(x)
  return backend.asarray(np.asarray(x) if isinstance(x, np.ndarray) else x, aval.dtype)


def _hashable_key(statics: list) -> Any:
  try:
    key = tuple((type(s), s) for s in statics)
    hash(key)
    return key
  except TypeError:
    return None


class _Program:
  """One traced and optimised signature: the program, its constants, the output tree."""
  __slots__ = ("jaxpr", "consts", "out_tree")

  def __init__(self, jaxpr, consts, out_tree):
    self.jaxpr, self.consts, self.out_tree = jaxpr, consts, out_tree


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _cache_for(fn: Callable) -> dict | None:
  try:
    with _LOCK:
      cache = _CACHES.get(fn)
      if cache is None:
        cache = _CACHES[fn] = {}
    return cache
  except TypeError:  # not weak-referenceable
    return None


def _split_args(args: tuple, kwargs: dict, dynamic_argnums: Sequence[int] | None,
                static_argnums: Sequence[int], static_argnames: Sequence[str]):
  """Leaves of the call, which of them are traced, and the tree to rebuild the call."""
  nargs = len(args)
  static_pos = {i % nargs for i in static_argnums if -nargs <= i < nargs}
  leaves, tree = tree_flatten((args, dict(kwargs)))
  # which top-level argument each leaf belongs to (NumPy values and numbers are traced
  # only in dynamic_argnums: elsewhere they stay concrete, as on the NumPy path)
  owners: list[Any] = []
  for i, a in enumerate(args):
    owners += [i] * len(tree_flatten(a)[0])
  for k in sorted(kwargs):
    owners += [k] * len(tree_flatten(kwargs[k])[0])
  dynamic = []
  for x, owner in zip(leaves, owners, strict=True):
    if owner in static_pos or owner in static_argnames:
      dynamic.append(False)
      continue
    traced = dynamic_argnums is None or owner in dynamic_argnums
    dynamic.append(_is_dynamic(x, traced))
  return leaves, tree, dynamic


def _trace(fn: Callable, args, kwargs, dynamic_argnums, static_argnums, static_argnames, who,
           cache_programs: bool):
  leaves, tree, dynamic = _split_args(args, kwargs, dynamic_argnums, static_argnums, static_argnames)
  backend = _backend(leaves, who)
  dyn = [x for x, d in zip(leaves, dynamic) if d]
  statics = [x for x, d in zip(leaves, dynamic) if not d]
  avals = [_aval(x) for x in dyn]
  skey = _hashable_key(statics)
  key = None if skey is None or not cache_programs else (
      tree, tuple((a, a.weak_type) for a in avals), skey)
  cache = _cache_for(fn) if key is not None else None
  program = cache.get(key) if cache is not None else None
  if program is None:
    store: list = []

    def flat_fun(*tracers):
      it, st = iter(tracers), iter(statics)
      full = [next(it) if d else next(st) for d in dynamic]
      a, k = tree_unflatten(tree, full)
      out_leaves, out_tree = tree_flatten(fn(*a, **k))
      store.append(out_tree)
      return out_leaves
    jaxpr, consts = trace_to_jaxpr(flat_fun, avals, keep_weak=True)
    jaxpr, consts = optimize(jaxpr, consts)
    program = _Program(jaxpr, consts, store[0])
    if cache is not None and not any(isinstance(c, Tracer) for c in consts):
      cache[key] = program
  return program, backend, dyn


def _consts(backend: Backend, consts: Sequence[Any]) -> list:
  return [c if is_foreign(c) else backend.asarray(np.asarray(c)) for c in consts]


# primitives whose array-API rule may return a view of (or its) operand
_VIEWS = frozenset(("reshape", "transpose", "squeeze", "expand_dims", "rev", "slice",
                    "broadcast_in_dim", "stop_gradient", "convert_element_type", "select_n",
                    "integer_pow", "reduce_sum", "reduce_max", "reduce_min", "cumsum", "cumprod",
                    "rem", "dynamic_slice", "pad", "concatenate"))


def _unaliased(backend: Backend, jaxpr, outs: list, inputs: Sequence[Any],
               outvars: Sequence[Any] | None = None) -> list:
  """Results as fresh arrays for libraries whose arrays are mutable (CuPy, PyTorch, ...):
  no result is an input, another result, or a view made by a shape operation (as on the
  NumPy path; Dask arrays are immutable and are returned as they are)."""
  if backend.lazy:
    return outs
  producers = {id(v): e.prim.name for e in jaxpr.eqns for v in e.outvars}
  seen = {id(x) for x in inputs}
  fresh = []
  for v, x in zip(jaxpr.outvars if outvars is None else outvars, outs):
    if id(x) in seen or producers.get(id(v), "") in _VIEWS or id(v) not in producers:
      x = backend.xp.asarray(x, copy=True)
    seen.add(id(x))
    fresh.append(x)
  return fresh


def route(fn: Callable, args: tuple, kwargs: dict, *, who: str,
          dynamic_argnums: Sequence[int] | None = None, static_argnums: Sequence[int] = (),
          static_argnames: Sequence[str] = (), cache: bool = False) -> Any:
  """``fn(*args, **kwargs)`` for arguments holding foreign arrays: traced from their
  shapes and dtypes, optimised, and evaluated with their library.

  ``dynamic_argnums``: the positions whose NumPy values and numbers are traced
  (differentiated or mapped arguments; foreign arrays always are); None: all. ``static_argnums``/``static_argnames``: arguments passed to
  ``fn`` as they are (jit's static arguments). ``cache``: keep the program per signature
  (``jit``, whose programs are cached on the NumPy path too); otherwise ``fn`` is traced
  on every call, so that it sees the current values of what it closes over, as it does
  when it runs on NumPy."""
  program, backend, dyn = _trace(fn, args, kwargs, dynamic_argnums, static_argnums,
                                 static_argnames, who, cache)
  inputs = [_lift(backend, x) for x in dyn]
  outs = eval_jaxpr(backend, program.jaxpr, _consts(backend, program.consts), inputs)
  return tree_unflatten(program.out_tree, _unaliased(backend, program.jaxpr, outs, inputs))


def route_split(joint: Callable, known: tuple, unknown_avals: Callable[[Any, list], list],
                *, who: str) -> tuple[Any, Callable[..., Any]]:
  """Split ``joint(known_args, unknown_leaves)`` into what the known arguments determine,
  evaluated now on their library, and a function of the unknown leaves (a cotangent)
  that evaluates the rest from the residuals: ``vjp`` on foreign arrays, whose backward
  pass does not repeat the forward one.

  ``joint(known_args, None)`` returns the known output; ``joint(known_args, leaves)``
  returns ``(known_output, unknown_output)``. ``unknown_avals(tree, avals)`` gives the
  avals of the unknown leaves from the known output's structure and avals."""
  leaves, tree = tree_flatten(known)
  backend = _backend(leaves, who)
  avals = [_aval(x) for x in leaves]
  first: list = []

  def known_only(*tracers):
    out_leaves, out_tree = tree_flatten(joint(tree_unflatten(tree, list(tracers)), None))
    first.append((out_tree, [get_aval(x).strong() for x in out_leaves]))
    return out_leaves
  trace_to_jaxpr(known_only, avals, keep_weak=True)  # the known output's structure
  u_avals = list(unknown_avals(*first[0]))
  n_known = len(avals)
  stores: list = []

  def flat_joint(*tracers):
    k_out, u_out = joint(tree_unflatten(tree, list(tracers[:n_known])), list(tracers[n_known:]))
    k_leaves, k_tree = tree_flatten(k_out)
    u_leaves, u_tree = tree_flatten(u_out)
    stores.append((k_tree, u_tree, len(k_leaves)))
    return k_leaves + u_leaves
  jaxpr, consts = trace_to_jaxpr(flat_joint, avals + u_avals, keep_weak=True)
  jaxpr, consts = optimize(jaxpr, consts)
  k_tree, u_tree, n_k = stores[0]
  unknowns = [False] * (len(consts) + n_known) + [True] * len(u_avals)
  known_jaxpr, known_consts, unknown_jaxpr, out_unknowns, num_res = partial_eval_jaxpr_nounits(
      hoist_consts(jaxpr), unknowns)
  known_outs = eval_jaxpr(backend, known_jaxpr, _consts(backend, known_consts),
                          _consts(backend, consts) + [_lift(backend, x) for x in leaves])
  n_known_outs = len(known_outs) - num_res
  residuals = known_outs[n_known_outs:]
  known_outs[:n_known_outs] = _unaliased(backend, known_jaxpr, known_outs[:n_known_outs],
                                         [*leaves, *residuals], known_jaxpr.outvars[:n_known_outs])
  by_position: list[Any] = [None] * len(out_unknowns)
  it = iter(known_outs[:n_known_outs])
  for j, u in enumerate(out_unknowns):
    if not u:
      by_position[j] = next(it)

  def rest(u_leaves: Sequence[Any]) -> Any:
    lifted = [_lift(backend, x) for x in u_leaves]
    inputs = list(residuals) + lifted
    outs = iter(_unaliased(backend, unknown_jaxpr, eval_jaxpr(backend, unknown_jaxpr, [], inputs),
                           inputs))
    full = [next(outs) if u else v for u, v in zip(out_unknowns, by_position)]
    return tree_unflatten(u_tree, full[n_k:])
  return tree_unflatten(k_tree, by_position[:n_k]), rest


def vjp_foreign(vjp: Callable, fun: Callable, primals: tuple, has_aux: bool) -> Any:
  """``vjp(fun, *primals, has_aux=has_aux)`` for primals holding foreign arrays."""
  def joint(primals, ct_leaves):
    res = vjp(fun, *primals, has_aux=has_aux)
    out, f_vjp = res[0], res[1]
    known = (out, res[2]) if has_aux else out
    if ct_leaves is None:
      return known
    return known, f_vjp(tree_unflatten(out_trees[0], ct_leaves))
  out_trees: list = []

  def ct_avals(tree, avals):
    if has_aux:  # the known output is (out, aux): cotangents are for out only
      n = tree.children[0].num_leaves
      out_trees.append(tree.children[0])
      return avals[:n]
    out_trees.append(tree)
    return avals
  known, rest = route_split(joint, tuple(primals), ct_avals, who="vjp")
  out_tree = out_trees[0]

  def f_vjp(ct):
    ct_leaves, ct_tree = tree_flatten(ct)
    if ct_tree != out_tree:
      raise ValueError(f"vjp function: the cotangent has structure {ct_tree}, but the "
                       f"function's output has structure {out_tree}")
    return rest(ct_leaves)
  if has_aux:
    return known[0], f_vjp, known[1]
  return known, f_vjp


def linearize_foreign(linearize: Callable, fun: Callable, primals: tuple) -> Any:
  """``linearize(fun, *primals)`` for primals holding foreign arrays: the output now, and
  a function of tangents running the linear program on the residuals."""
  p_leaves, p_tree = tree_flatten(tuple(primals))

  def joint(primals, t_leaves):
    out, f_jvp = linearize(fun, *primals)
    if t_leaves is None:
      return out
    return out, f_jvp(*tree_unflatten(p_tree, t_leaves))
  t_avals = [_aval(x).strong() for x in p_leaves]
  out, rest = route_split(joint, tuple(primals), lambda tree, avals: t_avals, who="linearize")

  def f_jvp(*tangents):
    t_leaves, t_tree = tree_flatten(tangents)
    if t_tree != p_tree:
      raise ValueError(f"linearized function: tangents have structure {t_tree}, expected {p_tree}")
    return rest(t_leaves)
  return out, f_jvp
