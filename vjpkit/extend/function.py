"""``@primitive``, ``defvjp``, ``defjvp``: autograd's way to differentiate opaque functions.

A function decorated with ``@primitive`` is one primitive of its own: its
body runs on concrete NumPy values (it may call SciPy, a C extension, a
simulator), and its derivatives come from the user's VJP makers
(``defvjp(f, lambda ans, x: lambda g: ...)``, reverse mode) and JVP makers
(``defjvp(f, lambda g, ans, x: ...)``, forward mode), as in autograd.

How the rules are used: the JVP rule evaluates the function, then expresses
the tangent of the arguments with a VJP as one ``user_lin`` equation
(``extend/lin.py``), which reverse mode transposes into the VJP makers and
forward mode evaluates with the JVP makers. Arguments with only a JVP maker
contribute its result directly (reverse mode then transposes it: it must be
written with vjpkit operations). Makers written with ``vjpkit.numpy`` are
ordinary traced code, so second derivatives, ``vmap`` and ``jit`` of
gradients work; under ``jit`` the function itself needs its output types
(``result_shape_dtypes``).

>>> import numpy as np, vjpkit, vjpkit.numpy as vnp
>>> @primitive
... def logsumexp(x):
...   m = np.max(x)
...   return m + np.log(np.sum(np.exp(x - m)))
>>> defvjp(logsumexp, lambda ans, x: lambda g: g * vnp.exp(x - ans))
>>> vjpkit.grad(logsumexp)(np.array([0.0, np.log(3.0)]))
array([0.25, 0.75])
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..callback import check_results, result_avals
from ..core.avals import ShapedArray, float0, get_aval, is_inexact, tangent_aval
from ..core.primitive import Primitive
from ..core.trace import Tracer
from ..core.zeros import Zero, add_tangents, instantiate
from ..interpreters import jvp as jvp_interpreter
from ..interpreters.batching import batch_size, vmap_flat
from ..interpreters.jvp import jvp_flat
from ..lax import shapes
from ..lax.elementwise import convert_element_type
from ..tree_util import (
  PyTreeDef,
  tree_flatten,
  tree_structure,
  tree_unflatten,
  treedef_is_leaf,
)
from .lin import LinRule, user_lin_p

__all__ = ["PrimitiveFunction", "defjvp", "defvjp", "primitive"]

VMAP_METHODS = ("sequential", "expand_dims", "broadcast_all")


def _is_operand(x: Any) -> bool:
  return isinstance(x, (Tracer, np.ndarray, np.generic, bool, int, float, complex))


class PrimitiveFunction:
  """What ``@primitive`` returns: call it like the function it wraps.

  ``.fun`` is the wrapped function, ``.primitive`` its ``vjpkit.extend.Primitive``;
  ``.vjps``/``.jvps`` map argument positions to the makers of ``defvjp``/``defjvp``."""

  def __init__(self, fun: Callable, *, result_shape_dtypes: Any = None,
               vmap_method: str = "sequential", name: str | None = None):
    if not callable(fun):
      raise TypeError(f"@primitive needs a function, got a {type(fun).__name__}")
    if vmap_method not in VMAP_METHODS:
      raise ValueError(f"@primitive: vmap_method must be one of {list(VMAP_METHODS)}, got "
                       f"{vmap_method!r}")
    functools.update_wrapper(self, fun, updated=())
    self.fun = fun
    self.result_shape_dtypes = result_shape_dtypes
    self.vmap_method = vmap_method
    self.vjps: dict[int, Callable | None] = {}
    self.jvps: dict[int, Callable | None] = {}
    self.name: str = name or str(getattr(fun, "__name__", type(fun).__name__))
    p = self.primitive = Primitive(self.name, multiple_results=True)
    p.def_impl(_impl)
    p.def_abstract_eval(_abstract_eval)
    p.def_jvp(_jvp, symbolic_zeros=True)
    p.def_batching(_batch)

  def __call__(self, *args: Any, **kwargs: Any) -> Any:
    call, operands = _Call.make(self, args, kwargs)
    outs = self.primitive.bind(*operands, fun=call)
    assert call.cell.tree is not None  # set by the impl or the shape rule
    return tree_unflatten(call.cell.tree, outs)

  def __repr__(self) -> str:
    return f"<vjpkit.extend.primitive {self.name}>"


def primitive(fun: Callable | None = None, *, result_shape_dtypes: Any = None,
              vmap_method: str = "sequential") -> Any:
  """Mark ``fun`` as a primitive: its body runs on concrete NumPy values, and its
  derivatives are given with ``defvjp``/``defjvp`` (autograd's API).

  Arrays and numbers among the arguments (also inside tuples, lists and dicts)
  are its operands; other values (strings, functions, None) are passed through
  unchanged, as are keyword arguments, which are never differentiated.

  ``result_shape_dtypes``: its output types (a pytree of ``vjpkit.ShapeDtypeStruct``,
  or a function of the arguments, arrays given as avals with ``.shape``/``.dtype``,
  returning one); needed under ``jit`` and ``make_jaxpr``, where the function
  cannot run, and then checked on every call. ``vmap_method``: how it is batched,
  ``"sequential"`` (one call per batch member, the default), ``"expand_dims"``
  (one call with a leading batch axis, unbatched arguments given an axis of size 1:
  for functions that broadcast like ufuncs) or ``"broadcast_all"``.

  >>> import numpy as np, scipy.special, vjpkit
  >>> ellipe = primitive(scipy.special.ellipe, result_shape_dtypes=lambda m: m,
  ...                    vmap_method="expand_dims")
  >>> vjpkit.jit(ellipe)(np.array([0.0, 1.0]))
  array([1.57079633, 1.        ])
  """
  if fun is None:
    return lambda f: PrimitiveFunction(f, result_shape_dtypes=result_shape_dtypes,
                                       vmap_method=vmap_method)
  return PrimitiveFunction(fun, result_shape_dtypes=result_shape_dtypes,
                           vmap_method=vmap_method)


def _makers(who: str, fun: Any, makers: Sequence[Any], argnums: Sequence[int] | None
            ) -> dict[int, Callable | None]:
  if not isinstance(fun, PrimitiveFunction):
    raise TypeError(f"{who} needs a function decorated with @vjpkit.extend.primitive, got "
                    f"{fun!r}" + (" (a vjpkit.extend.Primitive: use its def_jvp and "
                                  "def_transpose methods)" if isinstance(fun, Primitive) else ""))
  nums = list(range(len(makers))) if argnums is None else [int(a) for a in argnums]
  if len(nums) != len(makers):
    raise ValueError(f"{who}({fun.name}): {len(makers)} rules for argnums={list(nums)}")
  for m in makers:
    if m is not None and not callable(m):
      raise TypeError(f"{who}({fun.name}): each rule must be a function or None, got a "
                      f"{type(m).__name__}")
  return dict(zip(nums, makers))


def defvjp(fun: PrimitiveFunction, *vjpmakers: Callable | None,
           argnums: Sequence[int] | None = None) -> None:
  """Reverse-mode rules, one per positional argument: ``maker(ans, *args, **kwargs)``
  returns ``vjp(g)``, the cotangent of that argument given the output's cotangent
  ``g`` (same structure as the argument). ``None``: the argument is not
  differentiable (zero). ``argnums`` lists the arguments the makers are for
  (default: 0, 1, ...). Replaces the previous rules, as in autograd."""
  fun.vjps = _makers("defvjp", fun, vjpmakers, argnums)


def defjvp(fun: PrimitiveFunction | Primitive, *jvpmakers: Callable | None,
           argnums: Sequence[int] | None = None) -> None:
  """Forward-mode rules, one per positional argument: ``maker(g, ans, *args,
  **kwargs)`` returns the output tangent due to that argument's tangent ``g``;
  contributions are summed. ``None``: no dependence. Written with vjpkit
  operations and linear in ``g``, they also give reverse mode where no VJP is
  defined. For a ``vjpkit.extend.Primitive`` this defines its JVP rule (the
  rules then see the primitive's params as keywords; zero tangents are skipped)."""
  if isinstance(fun, Primitive):
    nums = list(range(len(jvpmakers))) if argnums is None else [int(a) for a in argnums]
    rules: list[Callable | None] = [None] * (max(nums) + 1 if nums else 0)
    for k, m in zip(nums, jvpmakers):
      rules[k] = m
    jvp_interpreter.defjvp(fun, *rules)
    return
  fun.jvps = _makers("defjvp", fun, jvpmakers, argnums)


# -- one call: operands, static values, and where each operand comes from ---------------------

class _TreeCell:
  __slots__ = ("tree",)

  def __init__(self) -> None:
    self.tree: PyTreeDef | None = None


class _Call:
  """The ``fun`` param of an ``@primitive`` equation: the function, how its arguments are
  rebuilt from the operands, and (when batched with ``expand_dims``) the batch shape."""
  __slots__ = (
    "arg_leaves",
    "batch",
    "cell",
    "fn",
    "in_tree",
    "is_operand",
    "operand_arg",
    "parent",
    "statics",
  )

  fn: PrimitiveFunction
  in_tree: PyTreeDef
  is_operand: tuple[bool, ...]
  statics: tuple[Any, ...]
  operand_arg: tuple[int | str, ...]       # positional index or keyword of each operand
  arg_leaves: dict[int, list[int | None]]  # positional arg -> its leaves' operand indices
  cell: _TreeCell
  batch: tuple[int, ...]
  parent: _Call | None

  @staticmethod
  def make(fn: PrimitiveFunction, args: tuple, kwargs: dict) -> tuple[_Call, list]:
    call = _Call()
    leaves, call.in_tree = tree_flatten((args, kwargs))
    owners: list[int | str] = []
    for k, a in enumerate(args):
      owners += [k] * len(tree_flatten(a)[0])
    for key in sorted(kwargs):
      owners += [key] * len(tree_flatten(kwargs[key])[0])
    call.is_operand = tuple(_is_operand(x) for x in leaves)
    call.statics = tuple(None if op else x for x, op in zip(leaves, call.is_operand))
    operands = [x for x, op in zip(leaves, call.is_operand) if op]
    call.operand_arg = tuple(o for o, op in zip(owners, call.is_operand) if op)
    call.arg_leaves = {}
    count = 0
    for o, op in zip(owners, call.is_operand):
      if isinstance(o, int):
        call.arg_leaves.setdefault(o, []).append(count if op else None)
      count += op
    call.fn, call.cell, call.batch, call.parent = fn, _TreeCell(), (), None
    for x in operands:
      if not isinstance(x, Tracer):
        get_aval(x)  # rejects object arrays
    return call, operands

  def batched(self, size: int) -> _Call:
    new = _Call()
    for name in _Call.__slots__:
      setattr(new, name, getattr(self, name))
    new.batch, new.parent = (size,) + self.batch, self
    return new

  def rebuild(self, operands: Sequence[Any]) -> tuple[tuple, dict]:
    it = iter(operands)
    leaves = [next(it) if op else s for op, s in zip(self.is_operand, self.statics)]
    args, kwargs = tree_unflatten(self.in_tree, leaves)
    return args, kwargs

  def set_tree(self, tree: PyTreeDef) -> None:
    if self.cell.tree is None:
      self.cell.tree = tree
    elif self.cell.tree != tree:
      raise TypeError(f"@primitive function {self.fn.name!r} returned an output of structure "
                      f"{tree}, but {self.cell.tree} before")

  def declared(self, operand_avals: Sequence[Any]) -> list[ShapedArray] | None:
    """The declared output types (with the batch axes in front), or None."""
    rsd = self.fn.result_shape_dtypes
    if rsd is None:
      return None
    k = len(self.batch)
    if callable(rsd):
      args, kwargs = self.rebuild([ShapedArray(a.shape[k:], a.dtype) for a in operand_avals])
      rsd = rsd(*args, **kwargs)
    avals, tree = result_avals(rsd, f"@primitive function {self.fn.name!r}")
    self.set_tree(tree)
    return [ShapedArray(self.batch + a.shape, a.dtype) for a in avals]

  def __str__(self) -> str:  # how programs print the param
    return self.fn.name


# -- rules of every @primitive function ------------------------------------------------------

def _as_value(fn: PrimitiveFunction, x: Any) -> Any:
  arr = np.asarray(x)
  if arr.dtype.kind not in "biufc":
    raise TypeError(f"@primitive function {fn.name!r} returned a value of type "
                    f"{type(x).__name__!r}; it must return arrays or numbers (or pytrees of them)")
  return arr[()] if arr.ndim == 0 else arr


def _impl(*operands: Any, fun: _Call) -> list:
  args, kwargs = fun.rebuild(operands)
  out = fun.fn.fun(*args, **kwargs)
  declared = fun.declared([get_aval(x) for x in operands])
  if declared is not None:
    assert fun.cell.tree is not None
    return check_results(out, fun.cell.tree, declared,
                         f"@primitive function {fun.fn.name!r} (its result_shape_dtypes)")
  leaves, tree = tree_flatten(out)
  fun.set_tree(tree)
  return [_as_value(fun.fn, x) for x in leaves]


def _abstract_eval(*avals: ShapedArray, fun: _Call) -> list[ShapedArray]:
  declared = fun.declared(avals)
  if declared is None:
    raise TypeError(
        f"@primitive function {fun.fn.name!r} was traced with abstract values (under jit or "
        "make_jaxpr), where it cannot run, and its output shapes and dtypes are unknown: "
        "declare them with @vjpkit.extend.primitive(result_shape_dtypes=...), a pytree of "
        "vjpkit.ShapeDtypeStruct or a function of the argument avals returning one (e.g. "
        "result_shape_dtypes=lambda x: x for an elementwise function)")
  return declared


def _zeros_like(x: Any) -> Any:
  return instantiate(Zero(tangent_aval(get_aval(x))))


def _jvp(primals: Sequence[Any], tangents: Sequence[Any], *, fun: _Call) -> tuple:
  if fun.batch:
    return _batched_jvp(primals, tangents, fun)
  fn = fun.fn
  outs = fn.primitive.bind(*primals, fun=fun)
  out_float = [is_inexact(get_aval(o).dtype) for o in outs]
  float_avals = [tangent_aval(get_aval(o)) for o, f in zip(outs, out_float) if f]
  lin_args, direct_args = _differentiated_args(fun, tangents)
  total: list[Any] = [None] * len(float_avals)
  if float_avals:
    args, kwargs = fun.rebuild(primals)
    assert fun.cell.tree is not None
    ans = tree_unflatten(fun.cell.tree, outs)
    if direct_args:
      args_t, _ = fun.rebuild([instantiate(t) for t in tangents])
      for a in direct_args:
        maker = fn.jvps[a]
        if maker is not None:
          out_t = _flat_tangents(fun, maker(args_t[a], ans, *args, **kwargs), outs, out_float)
          total = [add_tangents(x, y) for x, y in zip(total, out_t)]
    if lin_args:
      lin_idx = [i for i, t in enumerate(tangents)
                 if type(t) is not Zero and fun.operand_arg[i] in lin_args]
      rule = _lin_rule(fun, lin_args, lin_idx, len(primals), outs, out_float, float_avals)
      lin_out = user_lin_p.bind(*primals, *outs, *[tangents[i] for i in lin_idx], rule=rule)
      total = [add_tangents(x, y) for x, y in zip(total, lin_out)]
  it = iter(total)
  out_t = []
  for o, f in zip(outs, out_float):
    t = next(it) if f else None
    out_t.append(Zero(tangent_aval(get_aval(o))) if t is None else t)
  return outs, out_t


def _differentiated_args(fun: _Call, tangents: Sequence[Any]) -> tuple[list[int], list[int]]:
  """The positional arguments being differentiated: those with a VJP (reverse mode through
  ``user_lin``) and those with only a JVP; an error for any other."""
  fn, lin_args, direct_args = fun.fn, [], []
  for i, t in enumerate(tangents):
    if type(t) is Zero:
      continue
    a = fun.operand_arg[i]
    if isinstance(a, str):
      raise TypeError(
          f"@primitive function {fn.name!r}: its keyword argument {a!r} is being "
          "differentiated, but keyword arguments of @primitive functions are not "
          "differentiable (as in autograd). Pass it positionally and give its derivative with "
          f"vjpkit.extend.defvjp, or apply vjpkit.lax.stop_gradient to it.")
    if a in fn.vjps:
      if a not in lin_args:
        lin_args.append(a)
    elif a in fn.jvps:
      if a not in direct_args:
        direct_args.append(a)
    else:
      raise NotImplementedError(
          f"@primitive function {fn.name!r} has no derivative with respect to its argument "
          f"{a}: define one with vjpkit.extend.defvjp({fn.name}, ...) (reverse mode) or "
          f"vjpkit.extend.defjvp({fn.name}, ...) (forward mode; reverse mode follows when it "
          "is written with vjpkit operations), with None for arguments that have none.")
  return lin_args, direct_args


def _flat_tangents(fun: _Call, out: Any, outs: Sequence[Any], out_float: Sequence[bool]
                   ) -> list[Any]:
  """A JVP maker's result as one tangent per float output (shape-checked)."""
  leaves, tree = tree_flatten(out)
  if tree != fun.cell.tree:
    raise TypeError(f"a JVP of @primitive function {fun.fn.name!r} returned a tangent of "
                    f"structure {tree}, but the function returns {fun.cell.tree}")
  result = []
  for k, (t, o, f) in enumerate(zip(leaves, outs, out_float)):
    if not f:
      continue
    want, got = get_aval(o), get_aval(t)
    if got.shape != want.shape:
      raise TypeError(f"a JVP of @primitive function {fun.fn.name!r} returned a tangent of "
                      f"shape {got.shape} for output {k}, of shape {want.shape}")
    result.append(t if got.dtype == want.dtype else convert_element_type(t, want.dtype))
  return result


def _lin_rule(fun: _Call, lin_args: list[int], lin_idx: list[int], n_ops: int,
              outs: Sequence[Any], out_float: Sequence[bool],
              float_avals: Sequence[ShapedArray]) -> LinRule:
  fn = fun.fn
  assert fun.cell.tree is not None
  tree = fun.cell.tree
  missing = [a for a in lin_args if a not in fn.jvps and fn.vjps[a] is not None]

  def unpack(res: Sequence[Any]) -> tuple[tuple, dict, Any]:
    args, kwargs = fun.rebuild(res[:n_ops])
    return args, kwargs, tree_unflatten(tree, list(res[n_ops:]))

  def fwd(res: Sequence[Any], ts: Sequence[Any]) -> list:
    args, kwargs, ans = unpack(res)
    full = [_zeros_like(x) for x in res[:n_ops]]
    for i, t in zip(lin_idx, ts):
      full[i] = t
    args_t, _ = fun.rebuild(full)
    total: list[Any] = [None] * len(float_avals)
    for a in lin_args:
      maker = fn.jvps.get(a)
      if maker is not None:
        out_t = _flat_tangents(fun, maker(args_t[a], ans, *args, **kwargs), res[n_ops:],
                               out_float)
        total = [add_tangents(x, y) for x, y in zip(total, out_t)]
    return [instantiate(Zero(a)) if t is None else t for t, a in zip(total, float_avals)]

  def bwd(res: Sequence[Any], cts: Sequence[Any]) -> list:
    args, kwargs, ans = unpack(res)
    it = iter(cts)
    g = tree_unflatten(tree, [next(it) if f else np.zeros(get_aval(o).shape, float0)
                              for o, f in zip(res[n_ops:], out_float)])
    found: dict[int, Any] = {}
    for a in lin_args:
      maker = fn.vjps[a]
      if maker is not None:
        _collect_cotangents(fun, a, maker(ans, *args, **kwargs)(g), args[a], res, found)
    return [found.get(i) if found.get(i) is not None else _zeros_like(res[i]) for i in lin_idx]

  no_fwd = (f"forward-mode differentiation (jvp, jacfwd, linearize) of @primitive function "
            f"{fn.name!r} needs a JVP for argument{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(str, missing))}: it has only a VJP. Define one with "
            f"vjpkit.extend.defjvp({fn.name}, ...), or use reverse mode (grad, vjp, jacrev).")
  return LinRule(fn.name, n_ops + len(outs), float_avals, None if missing else fwd, bwd, no_fwd)


def _collect_cotangents(fun: _Call, a: int, ct: Any, arg: Any, res: Sequence[Any],
                        found: dict[int, Any]) -> None:
  """Match the cotangent a VJP returned for argument ``a`` to that argument's operands."""
  name = fun.fn.name
  ct_leaves, ct_tree = tree_flatten(ct, is_leaf=lambda x: x is None)
  arg_tree = tree_structure(arg)
  slots = fun.arg_leaves.get(a, [])
  if len(ct_leaves) != len(slots) or (not treedef_is_leaf(arg_tree) and ct_tree != arg_tree):
    raise TypeError(f"the VJP of @primitive function {name!r} for argument {a} returned a "
                    f"cotangent of structure {ct_tree}, but the argument has structure "
                    f"{arg_tree}")
  for c, i in zip(ct_leaves, slots):
    if i is None or c is None or not is_inexact(get_aval(res[i]).dtype):
      continue  # a static leaf, a zero, or an operand without derivatives
    want, got = get_aval(res[i]), get_aval(c)
    if got.shape != want.shape:
      raise TypeError(f"the VJP of @primitive function {name!r} for argument {a} returned a "
                      f"cotangent of shape {got.shape} for an operand of shape {want.shape}")
    if got.dtype != want.dtype:
      c = convert_element_type(c, want.dtype)
    found[i] = c


def _batched_jvp(primals: Sequence[Any], tangents: Sequence[Any], fun: _Call) -> tuple:
  """The JVP of an equation batched with ``expand_dims``/``broadcast_all``: the per-example
  JVP, vmapped, so the makers see one example at a time (as they were written for)."""
  n, parent = fun.batch[0], fun.parent
  assert parent is not None
  p = fun.fn.primitive
  dims = [0 if n == 1 or get_aval(x).shape[0] == n else None for x in primals]
  ps = [x if d == 0 else shapes.squeeze(x, (0,)) for x, d in zip(primals, dims)]
  nonzero = [type(t) is not Zero for t in tangents]
  ts = [t if d == 0 else shapes.squeeze(t, (0,)) for t, d, nz in zip(tangents, dims, nonzero) if nz]
  t_dims = [d for d, nz in zip(dims, nonzero) if nz]
  out_float: list[bool] = []

  def per_example(*xs: Any) -> list:
    it = iter(xs[len(ps):])
    tans = [next(it) if nz else Zero(tangent_aval(get_aval(x)))
            for x, nz in zip(xs[:len(ps)], nonzero)]
    outs, outs_t = jvp_flat(lambda *ys: p.bind(*ys, fun=parent), xs[:len(ps)], tans,
                            instantiate_zeros=False)
    out_float[:] = [is_inexact(get_aval(o).dtype) for o in outs]
    return list(outs) + [instantiate(t) for t, f in zip(outs_t, out_float) if f]
  res = vmap_flat(per_example, n, ps + ts, dims + t_dims, lambda k: [0] * k)
  outs, it = res[:len(out_float)], iter(res[len(out_float):])
  return outs, [next(it) if f else Zero(tangent_aval(get_aval(o))) for o, f in zip(outs, out_float)]


def _batch(args: Sequence[Any], dims: Sequence[int | None], *, fun: _Call) -> tuple:
  n = batch_size(args, dims)
  p = fun.fn.primitive
  if fun.fn.vmap_method != "sequential":
    moved = [x if d in (None, 0) else shapes.moveaxis(x, d, 0) for x, d in zip(args, dims)]
    if fun.fn.vmap_method == "expand_dims":
      moved = [shapes.expand_dims(x, (0,)) if d is None else x for x, d in zip(moved, dims)]
    else:
      moved = [shapes.broadcast_batch(x, n, 0) if d is None else x for x, d in zip(moved, dims)]
    outs = p.bind(*moved, fun=fun.batched(n))
    return outs, [0] * len(outs)
  if n == 0:
    per_example = [ShapedArray(get_aval(x).shape[:d] + get_aval(x).shape[d + 1:], get_aval(x).dtype)
                   if d is not None else get_aval(x) for x, d in zip(args, dims)]
    declared = fun.declared(per_example)
    if declared is None:
      raise ValueError(f"vmap of @primitive function {fun.fn.name!r} over an empty batch needs "
                       "its output types: declare result_shape_dtypes")
    zeros = [np.zeros((0,) + a.shape, a.dtype) for a in declared]
    return zeros, [0] * len(zeros)
  per_member = []
  for i in range(n):
    xs = [x if d is None else shapes.squeeze(shapes.slice_in_dim(x, i, i + 1, axis=d), (d,))
          for x, d in zip(args, dims)]
    per_member.append(p.bind(*xs, fun=fun))
  outs = [shapes.concatenate([shapes.expand_dims(o[k], (0,)) for o in per_member], 0)
          for k in range(len(per_member[0]))]
  return outs, [0] * len(outs)
