"""``while_loop`` and ``fori_loop``.

``while_p`` repeats ``body_jaxpr`` on the carry while ``cond_jaxpr`` says so;
its operands are the cond's constants, the body's constants and the initial
carry. Forward mode is a while loop over (primal, tangent) carries, and vmap
with a batched predicate keeps looping while any member needs to, freezing
finished members with a select. Reverse mode is impossible: the trip count is
only known at run time, so the per-iteration values the backward pass needs
cannot be laid out ahead of time. ``fori_loop`` with concrete bounds is a
``scan`` instead, and reverse-differentiable.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...core.aliasing import unaliased_impl
from ...core.avals import ShapedArray, arg_aval, get_aval
from ...core.errors import check_callable
from ...core.ir import Jaxpr, Var, hoist_consts
from ...core.primitive import Primitive
from ...core.zeros import Zero, instantiate
from ...interpreters.batching import batch_size
from ...interpreters.eval import eval_jaxpr
from ...interpreters.jvp import jvp_jaxpr
from ...interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from ...passes.dce import dce_jaxpr, used_invars
from ...tree_util import tree_flatten, tree_unflatten
from .common import (avals_str, batch_jaxpr_out, carry_change, flatten_operands, is_concrete,
                     promote_weak_carry, weak_changes_only,
                     merge_mask, select_mask, split, stage_function, to_front, with_invars)
from .scan import scan


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  cond_consts, body_consts, carry = split(args, cond_nconsts, body_nconsts)
  while eval_jaxpr(cond_jaxpr, [], cond_consts + carry)[0]:
    carry = eval_jaxpr(body_jaxpr, [], body_consts + carry)
  return unaliased_impl(carry, args)  # zero iterations, or a body passing a value through


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  cond_consts, body_consts, carry = split(avals, cond_nconsts, body_nconsts)
  if cond_jaxpr.in_avals != cond_consts + carry:
    raise TypeError(f"while_loop cond takes {avals_str(cond_jaxpr.in_avals)}, given "
                    f"{avals_str(cond_consts + carry)}")
  if cond_jaxpr.out_avals != [ShapedArray((), np.bool_)]:
    raise TypeError(f"while_loop cond must return one boolean scalar, it returns "
                    f"{avals_str(cond_jaxpr.out_avals)}")
  if body_jaxpr.in_avals != body_consts + carry or body_jaxpr.out_avals != carry:
    raise TypeError(f"while_loop body maps {avals_str(body_jaxpr.in_avals)} to "
                    f"{avals_str(body_jaxpr.out_avals)}; the carry is {avals_str(carry)}")
  return carry


while_p = Primitive("while", multiple_results=True, impl=_while_impl,
                    abstract_eval=_while_abstract_eval)


def _bind(cond_consts, body_consts, carry, cond_jaxpr, body_jaxpr) -> list:
  return while_p.bind(*cond_consts, *body_consts, *carry, cond_jaxpr=cond_jaxpr,
                      body_jaxpr=body_jaxpr, cond_nconsts=len(cond_consts),
                      body_nconsts=len(body_consts))


# -- JVP: a while loop over (primal, tangent) carries --------------------------------

def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  nonzero = [type(t) is not Zero for t in tangents]
  _, bconst_nz, carry_nz = split(nonzero, cond_nconsts, body_nconsts)
  while True:  # a carry's tangent is nonzero if it starts so or the body makes it so
    body, jvp_consts, out_nz = jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, carry_nz)
    if out_nz == carry_nz:
      break
    carry_nz = [a or b for a, b in zip(carry_nz, out_nz)]
  p_in, t_in = split(body.invars, len(body_jaxpr.invars))
  pc, pk = split(p_in, body_nconsts)
  tc, tk = split(t_in, sum(bconst_nz))
  body = Jaxpr([], list(body.constvars) + pc + tc + pk + tk, body.eqns, body.outvars)
  cond_consts, bconsts, carry = split(primals, cond_nconsts, body_nconsts)
  _, t_bconsts, t_carry = split(tangents, cond_nconsts, body_nconsts)
  t_carry = [instantiate(t) for t in select_mask(t_carry, carry_nz)]
  cond = with_invars(cond_jaxpr, list(cond_jaxpr.invars) + [Var(get_aval(t)) for t in t_carry])
  outs = _bind(cond_consts, list(jvp_consts) + bconsts + select_mask(t_bconsts, bconst_nz),
               carry + t_carry, cond, body)
  out_p, out_t = split(outs, len(carry))
  return out_p, merge_mask(carry_nz, out_t, [Zero.like(c) for c, nz in zip(out_p, carry_nz)
                                             if not nz])


# -- partial evaluation: the known carries by a known loop, the rest by the whole loop --

def _while_partial_eval(trace, args, params):
  cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
  cond_nconsts, body_nconsts = params["cond_nconsts"], params["body_nconsts"]
  unknowns = [trace.is_own(x) for x in args]
  cconst_uk, bconst_uk, carry_uk = split(unknowns, cond_nconsts, body_nconsts)
  stage_all = lambda: trace.stage(while_p, [trace.to_atom(x) for x in args], params)  # noqa: E731
  if all(carry_uk) or any(cconst_uk):
    return stage_all()
  while True:
    known, k_consts, _, out_uk, n_res = partial_eval_jaxpr_nounits(
        body_jaxpr, bconst_uk + carry_uk, carry_uk)
    if out_uk == carry_uk:
      break
    carry_uk = [a or b for a, b in zip(carry_uk, out_uk)]
  cond_dce = dce_jaxpr(cond_jaxpr)
  if all(carry_uk) or any(select_mask(used_invars(cond_dce)[cond_nconsts:], carry_uk)):
    return stage_all()  # the trip count depends on unknown values
  # The known loop: the body's known part without residuals, the cond on known carries.
  known = dce_jaxpr(known, [True] * (len(known.outvars) - n_res) + [False] * n_res)
  cond = with_invars(cond_dce, cond_dce.invars[:cond_nconsts] +
                     select_mask(cond_dce.invars[cond_nconsts:], carry_uk, False))
  cond_consts, bconsts, carry = split(args, cond_nconsts, body_nconsts)
  known_out = _bind(cond_consts, list(k_consts) + select_mask(bconsts, bconst_uk, False),
                    select_mask(carry, carry_uk, False), cond, known)
  # The unknown carries: the whole loop, staged (known inputs become residuals).
  staged = stage_all()
  return merge_mask(carry_uk, select_mask(staged, carry_uk), known_out)


def _while_transpose(cts, *args, **params):
  raise TypeError(
      "Reverse-mode differentiation (grad, vjp, jacrev) does not work through "
      "vjpkit.lax.while_loop: its number of iterations is only known at run time, so the "
      "values the backward pass needs cannot be stored ahead of time. Use vjpkit.lax.scan, "
      "or vjpkit.lax.fori_loop with concrete (Python int) bounds, which are reverse-"
      "differentiable; forward mode (jvp, jacfwd) does work with while_loop.")


# -- vmap -----------------------------------------------------------------------------

def _while_batch(vals, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  axis_size = batch_size(vals, dims)
  from .. import elementwise as ew
  from .. import reductions, shapes
  cconst_d, bconst_d, carry_d = split(dims, cond_nconsts, body_nconsts)
  cconst_b, bconst_b = [d is not None for d in cconst_d], [d is not None for d in bconst_d]
  carry_b = [d is not None for d in carry_d]
  while True:
    _, _, out_b = batch_jaxpr_out(body_jaxpr, axis_size,
                                  [0 if b else None for b in bconst_b + carry_b], carry_b)
    if out_b == carry_b:
      break
    carry_b = [a or b for a, b in zip(carry_b, out_b)]
  cond_b, cond_consts_, pred_b = batch_jaxpr_out(
      cond_jaxpr, axis_size, [0 if b else None for b in cconst_b + carry_b], [False])
  if pred_b[0]:  # members finish at different times: every carry is per member
    carry_b = [True] * len(carry_b)
    cond_b, cond_consts_, _ = batch_jaxpr_out(
        cond_jaxpr, axis_size, [0 if b else None for b in cconst_b + carry_b], [False])
  body_b, body_consts_, _ = batch_jaxpr_out(
      body_jaxpr, axis_size, [0 if b else None for b in bconst_b + carry_b], carry_b)
  cconsts, bconsts, carry = split(vals, cond_nconsts, body_nconsts)
  cconsts = list(cond_consts_) + [to_front(x, d, axis_size, False) for x, d in zip(cconsts, cconst_d)]
  bconsts = list(body_consts_) + [to_front(x, d, axis_size, False) for x, d in zip(bconsts, bconst_d)]
  carry = [to_front(x, d, axis_size, b) for x, d, b in zip(carry, carry_d, carry_b)]
  out_dims = [0 if b else None for b in carry_b]
  if not pred_b[0]:
    return _bind(cconsts, bconsts, carry, cond_b, body_b), out_dims
  c_avals = [get_aval(x) for x in cconsts]
  b_avals = [get_aval(x) for x in bconsts]
  k_avals = [get_aval(x) for x in carry]

  def any_cond(*a):
    return [reductions.reduce_max(eval_jaxpr(cond_b, [], a)[0], (0,))]

  def masked_body(*a):  # members whose predicate is false keep their carry
    cc, bc, k = split(a, len(c_avals), len(b_avals))
    pred = eval_jaxpr(cond_b, [], cc + k)[0]
    new = eval_jaxpr(body_b, [], bc + k)
    return [ew.select_n(shapes.broadcast_in_dim(pred, get_aval(o).shape, (0,)), old, o)
            for old, o in zip(k, new)]
  cond_j, cond_c = trace_to_jaxpr(any_cond, c_avals + k_avals)
  body_j, body_c = trace_to_jaxpr(masked_body, c_avals + b_avals + k_avals)
  outs = _bind(list(cond_c) + cconsts, list(body_c) + cconsts + bconsts, carry,
               hoist_consts(cond_j), hoist_consts(body_j))
  return outs, out_dims


while_p.def_jvp(_while_jvp, symbolic_zeros=True)
while_p.def_partial_eval(_while_partial_eval)
while_p.def_transpose(_while_transpose)
while_p.def_batching(_while_batch)


# -- the user-facing functions ---------------------------------------------------------

def while_loop(cond_fun: Callable, body_fun: Callable, init_val: Any) -> Any:
  """``val = init_val; while cond_fun(val): val = body_fun(val)``, as one primitive.

  Works under jit, vmap and forward-mode differentiation; reverse mode raises
  (use ``scan`` or ``fori_loop`` with concrete bounds).

  >>> while_loop(lambda x: x < 10.0, lambda x: x * 2.0, 1.0)
  np.float64(16.0)
  """
  check_callable(cond_fun, "while_loop", "cond_fun")
  check_callable(body_fun, "while_loop", "body_fun")
  init, val_tree = flatten_operands(init_val, "while_loop", weak=True)
  in_tree = flatten_operands((init_val,), "while_loop")[1]
  avals = [arg_aval(x) for x in init]
  body_jaxpr, body_consts, body_tree = stage_function(body_fun, in_tree, avals, "while_loop body",
                                                      keep_weak=True)
  promoted = promote_weak_carry(init, avals, body_jaxpr.out_avals) if body_tree == val_tree else None
  if promoted is not None:  # a Python-number init takes the dtype the body gives it, as JAX
    init, avals = promoted, [get_aval(x) for x in promoted]
    body_jaxpr, body_consts, body_tree = stage_function(body_fun, in_tree, avals,
                                                        "while_loop body", keep_weak=True)
  cond_jaxpr, cond_consts, cond_tree = stage_function(cond_fun, in_tree, avals, "while_loop cond",
                                                      keep_weak=True)
  if cond_jaxpr.out_avals != [ShapedArray((), np.bool_)] or cond_tree.num_leaves != 1:
    raise TypeError(f"while_loop: cond_fun must return a boolean scalar, it returns "
                    f"{avals_str(cond_jaxpr.out_avals)}")
  if body_tree != val_tree or body_jaxpr.out_avals != avals:
    raise TypeError(f"while_loop: body_fun must return a value of the same structure and types "
                    f"as init_val {avals_str(avals)}, it returns {avals_str(body_jaxpr.out_avals)}"
                    f" of structure {body_tree}")
  outs = _bind(cond_consts, body_consts, init, cond_jaxpr, body_jaxpr)
  return tree_unflatten(val_tree, outs)


def fori_loop(lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
  """``val = init_val; for i in range(lower, upper): val = body_fun(i, val)``.

  With concrete bounds (Python or NumPy integers) the loop is a ``scan`` of
  known length, so it is reverse-differentiable; with traced bounds it is a
  ``while_loop`` (forward mode only). The index ``i`` is a 0-d array of the bounds'
  dtype (int64 for Python ints, int32 for ``np.int32`` bounds); unlike JAX's weakly
  typed index it promotes like a NumPy array, so a float32 carry needs
  ``c + i.astype(c.dtype)``.

  >>> fori_loop(0, 4, lambda i, x: x + i, 0.0)
  np.float64(6.0)
  """
  check_callable(body_fun, "fori_loop", "body_fun")
  # the index has the bounds' dtype; a Python int bound is weak (np.int32 and 3 give int32)
  dtype = np.result_type(*(b if type(b) is int else get_aval(b).dtype for b in (lower, upper)))
  if dtype.kind not in "iu":
    raise TypeError(f"fori_loop: the bounds must be integers, got {get_aval(lower).str_short()} "
                    f"and {get_aval(upper).str_short()}")
  if any(type(b) is int and not np.iinfo(dtype).min <= b <= np.iinfo(dtype).max
         for b in (lower, upper)):
    dtype = np.result_type(dtype, np.int64)  # a Python int too large for the other bound
  from .. import elementwise as ew
  init_flat, init_tree = tree_flatten(init_val)
  init_avals = [arg_aval(v) for v in init_flat]

  def checked_body(i, val):
    out = body_fun(i, val)
    flat, tree = tree_flatten(out)
    avals = [get_aval(v) for v in flat]
    if tree == init_tree and not weak_changes_only(init_avals, avals):
      which, casts = carry_change(init_avals, avals)
      raise TypeError(
          f"fori_loop: body_fun changes the type of the carry from {avals_str(init_avals)} to "
          f"{avals_str(avals)} ({which}). The loop index is {get_aval(i).str_short()} (the dtype "
          "of the bounds) and, unlike JAX's weakly typed index, takes part in NumPy promotion "
          "as an array (float32 with an int64 or int32 array is float64): cast it, e.g. "
          "c + i.astype(c.dtype)" + (f", or convert the new carry with {casts}" if casts else ""))
    return out

  if is_concrete(lower) and is_concrete(upper):
    lo, hi = int(lower), int(upper)

    def step(carry, _):
      i, val = carry
      return (ew.add(i, np.array(1, dtype)[()]), checked_body(i, val)), None
    (_, val), _ = scan(step, (np.array(lo, dtype), init_val), None, length=max(0, hi - lo))
    return val

  def cond_fun(carry):
    return ew.lt(carry[0], carry[1])

  def body(carry):
    i, hi, val = carry
    return (ew.add(i, np.array(1, dtype)[()]), hi, checked_body(i, val))
  lower = ew.convert_element_type(lower, dtype) if not is_concrete(lower) else np.array(lower, dtype)
  upper = ew.convert_element_type(upper, dtype) if not is_concrete(upper) else np.array(upper, dtype)
  return while_loop(cond_fun, body, (lower, upper, init_val))[2]
