"""User-defined derivatives: ``custom_jvp`` and ``custom_vjp`` (JAX's API).

Why: the derivative vjpkit derives is the derivative of the *operations*,
which is sometimes the wrong thing to compute: ``log(1 + exp(x))`` overflows
where its derivative ``sigmoid(x)`` is perfectly fine, a straight-through
estimator deliberately lies about ``round``, and a solver may know a cheaper
adjoint than differentiating its iterations.

* ``custom_jvp_call`` evaluates (and stages) the primal function; its JVP rule
  runs the user's rule on the primals and tangents. The rule is ordinary
  vjpkit code, so it is itself traced: reverse mode transposes it, and higher
  derivatives differentiate it.
* ``custom_vjp_call`` evaluates the primal function too; its JVP rule runs the
  user's ``fwd`` and applies ``custom_lin`` to the tangents, a linear
  primitive whose transpose calls the user's ``bwd`` with the residuals. So
  reverse mode uses ``bwd``, and forward mode is an error (as in JAX).

Both primitives take the function's closed-over values as leading operands;
differentiating with respect to such a value is an error (the custom rule only
covers the explicit arguments), as in JAX.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, Sequence

import numpy as np

from .core.aliasing import unaliased_impl
from .core.avals import float0, get_aval, is_inexact, tangent_aval
from .core.errors import TracerArrayConversionError, check_callable
from .core.ir import Jaxpr, hoist_consts
from .core.primitive import Primitive
from .core.trace import Tracer
from .core.zeros import Zero, instantiate, is_undef
from .interpreters.batching import batch_jaxpr, batch_size, vmap_flat
from .interpreters.eval import eval_jaxpr
from .lax.control_flow.common import (flatten_operands, merge_mask, select_mask, split,
                                      stage_function, to_front)
from .tree_util import PyTreeDef, tree_flatten, tree_map, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp"]


def _call_abstract_eval(*avals, call_jaxpr: Jaxpr, **params):
  return call_jaxpr.out_avals


def _call_impl(*args, call_jaxpr: Jaxpr, **params):
  return unaliased_impl(eval_jaxpr(call_jaxpr, [], args), args)


def _check_no_closure_tangents(const_tangents, who: str) -> None:
  if any(type(t) is not Zero for t in const_tangents):
    raise TypeError(
        f"A {who} function closes over a value that is being differentiated (e.g. a variable "
        "of an enclosing grad). Its custom rule only gives derivatives with respect to its "
        "explicit arguments, so this derivative would be wrong. Pass the value as an "
        "argument of the function instead of closing over it.")


def _check_no_batched_closure(const_dims, who: str) -> None:
  if any(d is not None for d in const_dims):
    raise NotImplementedError(
        f"vmap of a {who} function that closes over a value being batched by the same vmap "
        "is not supported; pass the value as an argument of the function instead.")


def _resolve_args(fun: Callable, args: tuple, kwargs: dict) -> tuple:
  if not kwargs:
    return args
  try:
    bound = inspect.signature(fun).bind(*args, **kwargs)
  except TypeError as e:
    raise TypeError(f"{getattr(fun, '__name__', 'function')}: {e}") from None
  bound.apply_defaults()
  if bound.kwargs:
    raise TypeError("custom_jvp/custom_vjp functions cannot take keyword-only arguments; "
                    "make them positional")
  return bound.args


def _split_nondiff(args: tuple, nondiff_argnums: tuple[int, ...]) -> tuple[dict, tuple]:
  n = len(args)
  for i in nondiff_argnums:
    if not -n <= i < n:
      raise ValueError(f"nondiff_argnums={nondiff_argnums} refers to argument {i}, but the "
                       f"function was called with {n} arguments")
  static = {i % n for i in nondiff_argnums}
  dyn = tuple(a for i, a in enumerate(args) if i not in static)
  return {i: args[i] for i in sorted(static)}, dyn


def _merge_nondiff(nondiff: dict, dyn: Sequence) -> list:
  it = iter(dyn)
  return [nondiff[i] if i in nondiff else next(it) for i in range(len(nondiff) + len(dyn))]


def _tangent_value(t, primal):
  """What a user rule sees as a tangent: an array (zeros for a symbolic zero)."""
  if type(t) is not Zero:
    return t
  aval = get_aval(primal)
  return instantiate(t) if is_inexact(aval.dtype) else np.zeros(aval.shape, float0)


def _check_outputs(outs: list, avals, who: str, what: str) -> None:
  for i, (x, a) in enumerate(zip(outs, avals)):
    got = get_aval(x)
    if got.shape != a.shape or (got.dtype != a.dtype and a.dtype != float0):
      raise TypeError(f"{who}: {what} {i} has shape/dtype {got.str_short()}, but the primal "
                      f"output has {a.str_short()}; they must match")


def _no_symbolic_zeros(flag: bool) -> None:
  if flag:
    raise NotImplementedError("symbolic_zeros=True is not supported: custom rules always "
                              "receive zeros as arrays")


def _stage_body(fun: Callable, in_tree: PyTreeDef, avals: list, name: str, who: str):
  """``stage_function``; an error from NumPy code in the body says how to wrap such code."""
  try:
    return stage_function(fun, in_tree, avals, name)
  except TypeError as e:
    if ((type(e) is not TracerArrayConversionError and "vjpkit traced values" not in str(e))
        or "adding-a-primitive" in str(e)):
      raise
    raise type(e)(
        f"{e}\n({who} traces {name} with abstract values to record its outputs, so its body "
        "must be vjpkit code. To wrap NumPy or SciPy code that vjpkit cannot trace, call it "
        f"through vjpkit.pure_callback inside {name}, or declare it with "
        "vjpkit.extend.primitive and give its derivative with vjpkit.extend.defvjp/defjvp; "
        "see docs/adding-a-primitive.md.)") from e


def _per_example(aval, d):
  return aval if d is None else aval.update(shape=aval.shape[:d] + aval.shape[d + 1:])


# -- custom_jvp ---------------------------------------------------------------------------

def _custom_jvp_call_jvp(primals, tangents, *, call_jaxpr, jvp, num_consts):
  _check_no_closure_tangents(tangents[:num_consts], "custom_jvp")
  return jvp(list(primals[num_consts:]), list(tangents[num_consts:]))


def _custom_jvp_call_batch(vals, dims, *, call_jaxpr, jvp, num_consts):
  axis_size = batch_size(vals, dims)
  _check_no_batched_closure(dims[:num_consts], "custom_jvp")
  new, consts = batch_jaxpr(call_jaxpr, axis_size, dims)
  arg_dims = list(dims[num_consts:])
  out_float = [is_inexact(a.dtype) for a in call_jaxpr.out_avals]
  n_out = len(out_float)

  def batched_jvp(primals, tangents):
    nonzero = [type(t) is not Zero for t in tangents]

    def per_example(*xs):
      ps, ts = split(xs, len(primals))
      zeros = [Zero(_per_example(t.aval, d)) for t, d, nz in zip(tangents, arg_dims, nonzero)
               if not nz]
      out_p, out_t = jvp(ps, merge_mask(nonzero, ts, zeros))
      return list(out_p) + [instantiate(t) for t in select_mask(out_t, out_float)]
    outs = vmap_flat(per_example, axis_size, list(primals) + select_mask(tangents, nonzero),
                     arg_dims + select_mask(arg_dims, nonzero), lambda n: [0] * n)
    out_p, out_t = split(outs, n_out)
    return out_p, merge_mask(out_float, out_t, [Zero.like(p) for p, f in zip(out_p, out_float)
                                                if not f])
  batched_jvp.__name__ = getattr(jvp, "__name__", "jvp")
  outs = custom_jvp_call_p.bind(*consts, *vals, call_jaxpr=hoist_consts(new), jvp=batched_jvp,
                                num_consts=len(consts) + num_consts)
  return outs, [0] * len(outs)


custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True, impl=_call_impl,
                              abstract_eval=_call_abstract_eval)
custom_jvp_call_p.def_jvp(_custom_jvp_call_jvp, symbolic_zeros=True)
custom_jvp_call_p.def_batching(_custom_jvp_call_batch)


class custom_jvp:
  """A function with a user-defined JVP rule (and so, by transposition, VJP).

  Decorate the function, then define the rule with ``defjvp`` (a function of
  ``(primals, tangents)`` returning ``(primal_out, tangent_out)``) or with
  ``defjvps`` (one ``(g, ans, *primals) -> tangent`` per argument). Arguments
  listed in ``nondiff_argnums`` are passed to the rule first and get no tangent.

  >>> import vjpkit, vjpkit.numpy as vnp
  >>> @custom_jvp
  ... def log1pexp(x):
  ...   return vnp.log(1.0 + vnp.exp(x))
  >>> @log1pexp.defjvp
  ... def log1pexp_jvp(primals, tangents):
  ...   (x,), (t,) = primals, tangents
  ...   return log1pexp(x), t * (1.0 - 1.0 / (1.0 + vnp.exp(x)))
  >>> vjpkit.grad(log1pexp)(100.0)    # the plain derivative would be inf / inf = nan
  np.float64(1.0)
  """

  def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
    check_callable(fun, "custom_jvp")
    functools.update_wrapper(self, fun)
    self.fun = fun
    self.nondiff_argnums = tuple(nondiff_argnums)
    self.jvp: Callable | None = None

  def defjvp(self, jvp: Callable, symbolic_zeros: bool = False) -> Callable:
    """Set the rule ``jvp(*nondiff_args, primals, tangents) -> (primal_out, tangent_out)``.

    Tangents arrive as arrays (zeros where there is none)."""
    _no_symbolic_zeros(symbolic_zeros)
    check_callable(jvp, "custom_jvp.defjvp", "the JVP rule")
    self.jvp = jvp
    return jvp

  def defjvps(self, *jvps: Callable | None) -> None:
    """One rule per argument, ``jvp_i(g, ans, *primals)``: the output tangent due to
    argument i's tangent ``g`` (``None``: no dependence). Contributions are summed."""
    if self.nondiff_argnums:
      raise TypeError("defjvps is not available with nondiff_argnums; use defjvp")
    for i, rule in enumerate(jvps):
      if rule is not None:
        check_callable(rule, "custom_jvp.defjvps", f"the rule for argument {i} (or None)")

    def jvp(primals, tangents):
      ans = self.fun(*primals)
      if len(jvps) != len(primals):
        raise TypeError(f"defjvps got {len(jvps)} rules for a function of {len(primals)} "
                        "arguments")
      out = None
      for rule, t in zip(jvps, tangents):
        if rule is not None:
          d = rule(t, ans, *primals)
          out = d if out is None else tree_map(lambda a, b: a + b, out, d)
      return ans, out if out is not None else tree_map(lambda a: a * 0.0, ans)
    jvp.__name__ = getattr(self.fun, "__name__", "f") + "_jvps"
    self.jvp = jvp

  def __call__(self, *args, **kwargs):
    name = getattr(self.fun, "__name__", "function")
    if self.jvp is None:
      raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
    nondiff, dyn = _split_nondiff(_resolve_args(self.fun, args, kwargs), self.nondiff_argnums)
    flat, in_tree = flatten_operands(dyn, f"custom_jvp function {name} (declare non-array "
                                     "arguments in nondiff_argnums)")
    avals = [get_aval(x) for x in flat]
    jaxpr, consts, out_tree = _stage_body(
        lambda *d: self.fun(*_merge_nondiff(nondiff, d)), in_tree, avals, name, "custom_jvp")
    user_jvp, out_avals = self.jvp, jaxpr.out_avals

    def jvp(primals, tangents):
      ps = tree_unflatten(in_tree, primals)
      ts = tree_unflatten(in_tree, [_tangent_value(t, p) for t, p in zip(tangents, primals)])
      out = user_jvp(*nondiff.values(), tuple(ps), tuple(ts))
      if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"the custom_jvp rule of {name} must return a pair (primal_out, "
                        f"tangent_out), got {type(out).__name__}")
      p_flat, p_tree = flatten_operands(out[0], f"custom_jvp rule of {name}")
      t_flat, t_tree = flatten_operands(out[1], f"custom_jvp rule of {name}")
      if p_tree != out_tree or t_tree != out_tree:
        raise TypeError(f"the custom_jvp rule of {name} returns a primal output of structure "
                        f"{p_tree} and a tangent of structure {t_tree}, but {name} returns "
                        f"{out_tree}")
      _check_outputs(p_flat, out_avals, f"custom_jvp rule of {name}", "primal output")
      _check_outputs(t_flat, [tangent_aval(a) for a in out_avals],
                     f"custom_jvp rule of {name}", "tangent output")
      return p_flat, [t if is_inexact(a.dtype) else Zero(tangent_aval(a))
                      for t, a in zip(t_flat, out_avals)]
    jvp.__name__ = getattr(user_jvp, "__name__", "jvp")
    outs = custom_jvp_call_p.bind(*consts, *flat, call_jaxpr=jaxpr, jvp=jvp,
                                  num_consts=len(consts))
    return tree_unflatten(out_tree, outs)


# -- custom_vjp ---------------------------------------------------------------------------

_NO_FORWARD_MODE = (
    "can't apply forward-mode differentiation (jvp, jacfwd, or evaluating a linearize "
    "result) to a custom_vjp function: it only defines a reverse-mode rule. Use reverse mode "
    "(grad, vjp, jacrev), or define the derivative with custom_jvp, from which vjpkit derives "
    "both modes.")


def _custom_lin_impl(*args, num_res, bwd, out_avals):
  """Evaluating the tangent map is forward mode, unknown to a custom_vjp function, except
  at zero, where a linear map is zero (``linear_transpose`` checks that)."""
  if all(not np.any(t) for t in args[num_res:]):
    return [np.zeros(a.shape, a.dtype) for a in out_avals]
  raise TypeError(_NO_FORWARD_MODE)


def _custom_lin_jvp(primals, tangents, *, num_res, bwd, out_avals):
  """Linear in its tangent operands: the JVP is custom_lin again (still never evaluable)."""
  if any(type(t) is not Zero for t in tangents[:num_res]):
    raise TypeError(_NO_FORWARD_MODE)
  params = dict(num_res=num_res, bwd=bwd, out_avals=out_avals)
  outs = custom_lin_p.bind(*primals, **params)
  return outs, custom_lin_p.bind(*primals[:num_res],
                                 *[instantiate(t) for t in tangents[num_res:]], **params)


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
  res, lin = split(args, num_res)
  cts_in = bwd(res, [instantiate(c) for c in cts])
  return [None] * num_res + [ct if is_undef(x) else None for ct, x in zip(cts_in, lin)]


def _custom_lin_batch(vals, dims, *, num_res, bwd, out_avals):
  """Every operand batched at 0; ``bwd`` runs per member (its transpose still uses it)."""
  axis_size = batch_size(vals, dims)
  vals = [to_front(x, d, axis_size, True) for x, d in zip(vals, dims)]

  def batched_bwd(res, cts):
    return vmap_flat(lambda *xs: bwd(list(xs[:len(res)]), list(xs[len(res):])), axis_size,
                     list(res) + list(cts), [0] * (len(res) + len(cts)), lambda n: [0] * n)
  batched_bwd.__name__ = getattr(bwd, "__name__", "bwd")
  avals = tuple(a.update(shape=(axis_size,) + a.shape) for a in out_avals)
  outs = custom_lin_p.bind(*vals, num_res=num_res, bwd=batched_bwd, out_avals=avals)
  return outs, [0] * len(outs)


# custom_lin(residuals, tangents): the tangents of a custom_vjp function's float outputs.
custom_lin_p = Primitive("custom_lin", multiple_results=True, impl=_custom_lin_impl,
                         abstract_eval=lambda *avals, num_res, bwd, out_avals: list(out_avals))
custom_lin_p.def_jvp(_custom_lin_jvp, symbolic_zeros=True)
custom_lin_p.def_transpose(_custom_lin_transpose)
custom_lin_p.def_batching(_custom_lin_batch)


def _custom_vjp_call_jvp(primals, tangents, *, call_jaxpr, fwd, bwd, num_consts):
  _check_no_closure_tangents(tangents[:num_consts], "custom_vjp")
  args, arg_t = primals[num_consts:], tangents[num_consts:]
  outs, res = fwd(list(args))
  in_float = [is_inexact(get_aval(a).dtype) for a in args]
  out_float = [is_inexact(a.dtype) for a in call_jaxpr.out_avals]
  lin_out = custom_lin_p.bind(
      *res, *[instantiate(t) for t in select_mask(arg_t, in_float)], num_res=len(res), bwd=bwd,
      out_avals=tuple(select_mask(call_jaxpr.out_avals, out_float)))
  return outs, merge_mask(out_float, lin_out, [Zero.like(o) for o, f in zip(outs, out_float)
                                               if not f])


def _custom_vjp_call_batch(vals, dims, *, call_jaxpr, fwd, bwd, num_consts):
  axis_size = batch_size(vals, dims)
  _check_no_batched_closure(dims[:num_consts], "custom_vjp")
  consts, args = split(vals, num_consts)
  # Every argument gets the batch axis, so bwd's cotangents are all per member.
  args = [to_front(x, d, axis_size, True) for x, d in zip(args, dims[num_consts:])]
  new, new_consts = batch_jaxpr(call_jaxpr, axis_size, [None] * num_consts + [0] * len(args))
  n_out = len(call_jaxpr.outvars)

  def batched_fwd(primals):
    outs = vmap_flat(lambda *xs: (lambda o, r: list(o) + list(r))(*fwd(list(xs))), axis_size,
                     primals, [0] * len(primals), lambda n: [0] * n)
    return outs[:n_out], outs[n_out:]

  def batched_bwd(res, cts):
    return vmap_flat(lambda *xs: bwd(list(xs[:len(res)]), list(xs[len(res):])), axis_size,
                     list(res) + list(cts), [0] * (len(res) + len(cts)), lambda n: [0] * n)
  batched_fwd.__name__ = getattr(fwd, "__name__", "fwd")
  batched_bwd.__name__ = getattr(bwd, "__name__", "bwd")
  outs = custom_vjp_call_p.bind(*new_consts, *consts, *args, call_jaxpr=hoist_consts(new),
                                fwd=batched_fwd, bwd=batched_bwd,
                                num_consts=len(new_consts) + num_consts)
  return outs, [0] * len(outs)


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True, impl=_call_impl,
                              abstract_eval=_call_abstract_eval)
custom_vjp_call_p.def_jvp(_custom_vjp_call_jvp, symbolic_zeros=True)
custom_vjp_call_p.def_batching(_custom_vjp_call_batch)


class custom_vjp:
  """A function with a user-defined VJP rule (reverse mode only).

  ``defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)`` runs on the forward
  pass; ``bwd(*nondiff_args, residuals, out_cotangent)`` returns a tuple with
  one cotangent per (differentiable) argument, ``None`` meaning zero.

  >>> import vjpkit, vjpkit.numpy as vnp
  >>> @custom_vjp
  ... def clip_gradient(x):
  ...   return x
  >>> def fwd(x):
  ...   return x, None
  >>> def bwd(res, g):
  ...   return (vnp.minimum(vnp.maximum(g, -1.0), 1.0),)
  >>> clip_gradient.defvjp(fwd, bwd)
  >>> vjpkit.grad(lambda x: 5.0 * clip_gradient(x))(2.0)
  np.float64(1.0)
  """

  def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
    check_callable(fun, "custom_vjp")
    functools.update_wrapper(self, fun)
    self.fun = fun
    self.nondiff_argnums = tuple(nondiff_argnums)
    self.fwd: Callable | None = None
    self.bwd: Callable | None = None

  def defvjp(self, fwd: Callable, bwd: Callable, symbolic_zeros: bool = False) -> None:
    """Set the forward function (primal output and residuals) and the backward rule.

    Cotangents arrive as arrays (zeros where there is none)."""
    _no_symbolic_zeros(symbolic_zeros)
    check_callable(fwd, "custom_vjp.defvjp", "fwd")
    check_callable(bwd, "custom_vjp.defvjp", "bwd")
    self.fwd, self.bwd = fwd, bwd

  def __call__(self, *args, **kwargs):
    name = getattr(self.fun, "__name__", "function")
    if self.fwd is None:
      raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
    nondiff, dyn = _split_nondiff(_resolve_args(self.fun, args, kwargs), self.nondiff_argnums)
    if any(isinstance(x, Tracer) for v in nondiff.values() for x in tree_flatten(v)[0]):
      raise TypeError(f"custom_vjp function {name}: an argument in nondiff_argnums is a traced "
                      "value; nondiff_argnums are for static values (functions, shapes, "
                      "flags). Pass arrays as regular arguments (their cotangent may be None).")
    flat, in_tree = flatten_operands(dyn, f"custom_vjp function {name} (declare non-array "
                                     "arguments in nondiff_argnums)")
    in_avals = [get_aval(x) for x in flat]
    jaxpr, consts, out_tree = _stage_body(
        lambda *d: self.fun(*_merge_nondiff(nondiff, d)), in_tree, in_avals, name, "custom_vjp")
    fwd, bwd = _flat_fwd_bwd(self.fwd, self.bwd, name, nondiff, in_tree, in_avals, out_tree,
                             jaxpr.out_avals)
    outs = custom_vjp_call_p.bind(*consts, *flat, call_jaxpr=jaxpr, fwd=fwd, bwd=bwd,
                                  num_consts=len(consts))
    return tree_unflatten(out_tree, outs)


def _flat_fwd_bwd(user_fwd, user_bwd, name: str, nondiff: dict, in_tree: PyTreeDef, in_avals,
                  out_tree: PyTreeDef, out_avals):
  """The user's fwd/bwd on flat lists of leaves; bwd sees and returns float leaves only."""
  res_trees: list[PyTreeDef] = []
  in_float = [is_inexact(a.dtype) for a in in_avals]
  out_float = [is_inexact(a.dtype) for a in out_avals]

  def fwd(primals):
    out = user_fwd(*_merge_nondiff(nondiff, tree_unflatten(in_tree, primals)))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
      raise TypeError(f"the custom_vjp fwd of {name} must return a pair (output, residuals), "
                      f"got {type(out).__name__}")
    y, y_tree = flatten_operands(out[0], f"custom_vjp fwd of {name}")
    if y_tree != out_tree:
      raise TypeError(f"the custom_vjp fwd of {name} returns an output of structure {y_tree}, "
                      f"but {name} returns {out_tree}")
    _check_outputs(y, out_avals, f"custom_vjp fwd of {name}", "output")
    res, res_tree = flatten_operands(out[1], f"custom_vjp fwd of {name} (residuals)")
    res_trees[:] = [res_tree]
    return y, res

  def bwd(res, cts):
    zeros = [np.zeros(a.shape, float0) for a, f in zip(out_avals, out_float) if not f]
    ct_tree = tree_unflatten(out_tree, merge_mask(out_float, cts, zeros))
    out = user_bwd(*nondiff.values(), tree_unflatten(res_trees[0], res), ct_tree)
    n_args = len(in_tree.children)
    if not isinstance(out, (tuple, list)) or len(out) != n_args:
      raise TypeError(f"the custom_vjp bwd of {name} must return a tuple with one cotangent per "
                      f"argument ({n_args}), got {type(out).__name__}"
                      + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    leaves = []
    for i, (ct, arg_tree) in enumerate(zip(out, in_tree.children)):
      if ct is None:
        leaves += [None] * arg_tree.num_leaves
        continue
      ct_leaves, tree = tree_flatten(ct, is_leaf=lambda x: x is None)
      if tree != arg_tree:
        raise TypeError(f"the custom_vjp bwd of {name} returns a cotangent of structure {tree} "
                        f"for argument {i}, whose structure is {arg_tree}")
      leaves += ct_leaves
    result = []
    for ct, a, f in zip(leaves, in_avals, in_float):
      if not f:
        continue
      if ct is None:
        result.append(instantiate(Zero(a)))
        continue
      got = get_aval(ct)
      if got.shape != a.shape:
        raise TypeError(f"the custom_vjp bwd of {name} returns a cotangent of shape "
                        f"{got.shape} for an argument of shape {a.shape}")
      result.append(ct)
    return result
  fwd.__name__ = getattr(user_fwd, "__name__", "fwd")
  bwd.__name__ = getattr(user_bwd, "__name__", "bwd")
  return fwd, bwd
