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
import threading
from typing import Any, Callable, Collection, Protocol, Sequence, cast

import numpy as np

from .api import _check_leaf
from .api_array import has_foreign, route
from .core.avals import arg_aval
from .core.errors import check_callable, describe_value
from .core.ir import Jaxpr, hoist_consts
from .core.primitive import Primitive
from .core.trace import Tracer
from .interpreters.codegen import Compiled, compile_jaxpr
from .interpreters.partial_eval import trace_to_jaxpr
from .lax.call import _call_abstract_eval, call_rules
from .passes import optimize
from .passes.inline import inlinable
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten
from .jit_switch import jit_disabled

__all__ = ["jit", "jit_p"]


# -- the primitive ---------------------------------------------------------------

def _compiled(jaxpr: Jaxpr, name: str) -> Compiled:
  """The compiled code of a constvar-free program, built once per program."""
  def build():
    opt, consts = optimize(jaxpr, [])
    return compile_jaxpr(opt, consts, name)
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
               "scalar_outs", "_fn")
  _compiled: Compiled | None

  def __init__(self, jaxpr: Jaxpr, consts: list, out_tree: PyTreeDef | None, name: str):
    self.jaxpr, self.consts, self.out_tree, self.name = jaxpr, consts, out_tree, name
    self.call_jaxpr = hoist_consts(jaxpr)
    self.cacheable = not any(isinstance(c, Tracer) for c in consts)
    self._compiled = self._fn = None
    self.scalar_outs = [i for i, v in enumerate(jaxpr.outvars) if v.aval.shape == ()]

  @property
  def compiled(self) -> Compiled:
    if self._compiled is None:
      self._compiled = compile_jaxpr(self.jaxpr, self.consts, self.name)
    return self._compiled

  @property
  def source(self) -> str:
    """The generated Python source of the program."""
    return self.compiled.source

  def __call__(self, leaves: list, traced: bool):
    if not traced and self.cacheable:
      return self.run(leaves)
    outs = list(jit_p.bind(*self.consts, *leaves, call_jaxpr=self.call_jaxpr, name=self.name))
    return outs[0] if self.out_tree is None else tree_unflatten(self.out_tree, outs)

  def run(self, leaves):
    """Run the compiled code on concrete leaves (NumPy arrays and scalars)."""
    fn = self._fn
    if fn is None:
      fn = self._fn = self.compiled.fn
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
  """What ``jit`` returns: ``fun`` compiled per signature, and ``lower`` for one signature."""

  def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

  def lower(self, *args: Any, **kwargs: Any) -> Lowered: ...


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
  """
  check_callable(fun, "jit")
  nums, names = _static_spec(static_argnums, static_argnames)
  _check_static(fun, nums, names)
  nums, names = _resolve_static(fun, nums, names)
  name = _fun_name(fun)
  cache: dict = {}
  lock = threading.Lock()
  param_names = _param_names(fun)

  def lower(*args, **kwargs) -> Lowered:
    """Trace, optimise and cache ``fun`` for these arguments (without running it)."""
    return _lookup(args, kwargs)[0]

  def _lookup(args, kwargs):
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
    if entry is None:
      entry = _trace(args, kwargs, leaves, tree)
      if entry.cacheable:
        with lock:
          entry = cache.setdefault(key, entry)
    return entry, leaves, traced

  def _trace(args, kwargs, leaves, tree) -> Lowered:
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
    jaxpr, consts = trace_to_jaxpr(flat_fun, [arg_aval(x) for x in leaves], arg_names,
                                   keep_weak=True)
    jaxpr, consts = optimize(jaxpr, consts)
    out_tree = store[0]
    return Lowered(jaxpr, consts, None if out_tree.kind is None else out_tree, name)

  has_static = bool(nums or names)

  @functools.wraps(fun)
  def jitted(*args, **kwargs):
    if jit_disabled():  # vjpkit.disable_jit(): run the Python function itself
      return fun(*args, **kwargs)
    if not kwargs and not has_static:  # the fast path: arrays in, compiled code, arrays out
      sig = []
      for a in args:
        t = type(a)
        if t is np.ndarray or t in _NUMPY_SCALARS:
          sig.append((a.shape, a.dtype))
        else:
          break
      else:
        entry = cache.get((len(args), tuple(sig), None))
        if entry is not None and entry.cacheable:
          return entry.run(args)
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      return route(jitted, args, kwargs, who="jit", static_argnums=nums, static_argnames=names,
                   cache=True)
    entry, leaves, traced = _lookup(args, kwargs)
    leaves = [_PY_SCALARS[type(x)](x) if type(x) in _PY_SCALARS else x for x in leaves]
    return entry(leaves, traced)

  jitted.lower = lower  # type: ignore[attr-defined]  # attributes of a function: see Jitted
  jitted._cache = cache  # type: ignore[attr-defined]
  return cast(Jitted, jitted)


_NUMPY_SCALARS = frozenset((np.float64, np.float32, np.int64, np.int32, np.bool_, np.complex128))
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
