"""``scan``: a loop with a carry and stacked per-iteration inputs and outputs.

``scan_p`` applies ``jaxpr`` (consts, carry, x) -> (carry, y) ``length``
times; its operands are ``consts`` (the same every iteration), the initial
``carry`` and the stacked ``xs``; its results are the final carry and the
stacked ``ys``. Every transform maps a scan to scans:

* JVP: a scan over (primal, tangent) carries; which carries have nonzero
  tangents is a fixpoint (a zero tangent may become nonzero in the body).
* partial evaluation (linearize): a *known* scan computing the primal carries
  and stacking the residuals, and an *unknown* scan (linear in the tangents)
  reading them as ``xs``. Again a fixpoint decides which carries are unknown.
  Only per-step residuals are stacked: known consts and xs are forwarded,
  residuals that are already ys are reused, and loop-invariant ones are
  computed once and passed as consts (a weight is never copied per step).
* transpose: a scan running the other way, carrying the cotangents of the
  carry and accumulating those of linear consts.
* vmap: the batch axis of ``xs`` sits at 1, the body sees it at 0.

All of these are loops, none recurses per iteration: a 100,000-step scan is
as easy to differentiate as a 10-step one.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...core.aliasing import unaliased_impl
from ...core.avals import ShapedArray, arg_aval, get_aval, tangent_aval
from ...core.errors import check_callable
from ...core.ir import Eqn, Jaxpr, Var, hoist_consts
from ...core.primitive import Primitive
from ...core.zeros import Zero, instantiate, is_undef, vspace
from ...interpreters.batching import batch_size
from ...interpreters.eval import eval_jaxpr
from ...interpreters.jvp import jvp_jaxpr
from ...interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from ...interpreters.transpose import transpose_jaxpr
from ...passes.dce import dce_jaxpr, used_invars
from ...tree_util import tree_flatten, tree_unflatten
from .common import (avals_str, batch_jaxpr_out, carry_change, flatten_operands, merge_mask,
                     promote_weak_carry,
                     select_mask, split, stage_function, to_front, with_invars)


def _stacked(aval: ShapedArray, length: int) -> ShapedArray:
  return ShapedArray((length,) + aval.shape, aval.dtype)


def _scan_impl(*args, jaxpr: Jaxpr, num_consts: int, num_carry: int, length: int, reverse: bool):
  consts, carry, xs = split(args, num_consts, num_carry)
  xs = [np.asarray(x) for x in xs]
  ys = [np.empty((length,) + a.shape, a.dtype) for a in jaxpr.out_avals[num_carry:]]
  for k in range(length):
    i = length - 1 - k if reverse else k
    outs = eval_jaxpr(jaxpr, [], consts + carry + [x[i] for x in xs])
    carry = outs[:num_carry]
    for y, o in zip(ys, outs[num_carry:]):
      y[i] = o
  return unaliased_impl(carry, args) + ys  # the stacked ys are new; a carry may be an operand


def _scan_abstract_eval(*avals, jaxpr: Jaxpr, num_consts: int, num_carry: int, length: int,
                        reverse: bool):
  consts, carry, xs = split(avals, num_consts, num_carry)
  if any(a.ndim == 0 or a.shape[0] != length for a in xs):
    raise TypeError(f"scan of length {length} got xs of types {avals_str(xs)}: each needs a "
                    f"leading axis of size {length}")
  x_avals = [ShapedArray(a.shape[1:], a.dtype) for a in xs]
  if list(consts) + list(carry) + x_avals != jaxpr.in_avals:
    raise TypeError(f"scan body takes {avals_str(jaxpr.in_avals)} but is given "
                    f"{avals_str(list(consts) + list(carry) + x_avals)}")
  if jaxpr.out_avals[:num_carry] != list(carry):
    raise TypeError(f"scan body returns the carry {avals_str(jaxpr.out_avals[:num_carry])}, "
                    f"but takes {avals_str(carry)}")
  return list(carry) + [_stacked(a, length) for a in jaxpr.out_avals[num_carry:]]


scan_p = Primitive("scan", multiple_results=True, impl=_scan_impl,
                   abstract_eval=_scan_abstract_eval)


def _bind(consts, carry, xs, jaxpr, *, length, reverse) -> list:
  return scan_p.bind(*consts, *carry, *xs, jaxpr=jaxpr, num_consts=len(consts),
                     num_carry=len(carry), length=length, reverse=reverse)


# -- JVP: a scan over (primal, tangent) carries ------------------------------------

def _scan_jvp(primals, tangents, *, jaxpr, num_consts, num_carry, length, reverse):
  nonzero = [type(t) is not Zero for t in tangents]
  const_nz, carry_nz, xs_nz = split(nonzero, num_consts, num_carry)
  n_ys = len(jaxpr.outvars) - num_carry
  while True:  # a carry's tangent is nonzero if it starts so or the body makes it so
    body, body_consts, out_nz = jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz,
                                          carry_nz + [False] * n_ys)
    if out_nz[:num_carry] == carry_nz:
      break
    carry_nz = [a or b for a, b in zip(carry_nz, out_nz[:num_carry])]
  ys_nz = out_nz[num_carry:]
  # body.invars: primals (consts, carry, xs) then nonzero tangents (same order);
  # reorder to (jvp consts, consts, const tangents, carry, carry tangents, xs, xs tangents).
  p_vars, t_vars = split(body.invars, len(jaxpr.invars))
  pc, pk, px = split(p_vars, num_consts, num_carry)
  tc, tk, tx = split(t_vars, sum(const_nz), sum(carry_nz))
  po, to = split(body.outvars, len(jaxpr.outvars))
  pk_out, py_out = split(po, num_carry)
  tk_out, ty_out = split(to, sum(carry_nz))
  new_body = Jaxpr([], list(body.constvars) + pc + tc + pk + tk + px + tx, body.eqns,
                   pk_out + tk_out + py_out + ty_out)
  p_consts, p_carry, p_xs = split(primals, num_consts, num_carry)
  t_consts, t_carry, t_xs = split(tangents, num_consts, num_carry)
  outs = _bind(list(body_consts) + p_consts + select_mask(t_consts, const_nz),
               p_carry + [instantiate(t) for t in select_mask(t_carry, carry_nz)],
               p_xs + select_mask(t_xs, xs_nz), new_body, length=length, reverse=reverse)
  carry_out, carry_t, ys, ys_t = split(outs, num_carry, sum(carry_nz), n_ys)
  out_avals = _scan_abstract_eval(*[get_aval(p) for p in primals], jaxpr=jaxpr,
                                  num_consts=num_consts, num_carry=num_carry, length=length,
                                  reverse=reverse)
  tangents_out = merge_mask(carry_nz + ys_nz, carry_t + ys_t,
                            [Zero(tangent_aval(a)) for a, nz in zip(out_avals, carry_nz + ys_nz)
                             if not nz])
  return carry_out + ys, tangents_out


# -- partial evaluation: a known scan stacks residuals, an unknown scan reads them ----

def _scan_partial_eval(trace, args, params):
  jaxpr, num_consts, num_carry = params["jaxpr"], params["num_consts"], params["num_carry"]
  length, reverse = params["length"], params["reverse"]
  unknowns = [trace.is_own(x) for x in args]
  if all(unknowns):
    return trace.stage(scan_p, [trace.to_atom(x) for x in args], params)
  const_uk, carry_uk, xs_uk = split(unknowns, num_consts, num_carry)
  n_ys = len(jaxpr.outvars) - num_carry
  while True:  # a carry is unknown if it starts so or the body makes it so
    known, k_consts, unknown, out_uk, num_res = partial_eval_jaxpr_nounits(
        jaxpr, const_uk + carry_uk + xs_uk, carry_uk + [False] * n_ys)
    if out_uk[:num_carry] == carry_uk:
      break
    carry_uk = [a or b for a, b in zip(carry_uk, out_uk[:num_carry])]
  ys_uk = out_uk[num_carry:]
  consts, carry, xs = split(args, num_consts, num_carry)
  known_consts = list(k_consts) + select_mask(consts, const_uk, False)
  known_carry, known_xs = select_mask(carry, carry_uk, False), select_mask(xs, xs_uk, False)
  n_known_out = len(known.outvars) - num_res
  res_vars = known.outvars[n_known_out:]
  kinds = _residual_kinds(known, len(known_consts), len(known_carry),
                          known.outvars[len(known_carry):n_known_out], res_vars)

  # Loop-invariant residuals are computed once, here, from the known consts.
  invariant = [v for v, (kind, _) in zip(res_vars, kinds) if kind == "invariant"]
  inv_vals = iter(eval_jaxpr(dce_jaxpr(Jaxpr([], known.invars[:len(known_consts)], known.eqns,
                                             invariant)), [], known_consts) if invariant else [])
  stacked = [v for v, (kind, _) in zip(res_vars, kinds) if kind == "stacked"]
  known_body = dce_jaxpr(Jaxpr([], known.invars, known.eqns,
                               list(known.outvars[:n_known_out]) + stacked))
  known_outs = (_bind(known_consts, known_carry, known_xs, known_body, length=length,
                      reverse=reverse) if known_body.outvars else [])
  nkc = len(known_carry)
  k_carry_out, k_ys, stacked_vals = split(known_outs, nkc, n_known_out - nkc)
  if not any(out_uk):
    return merge_mask(out_uk, [], k_carry_out + k_ys)

  # The unknown scan: residual consts and unknown consts; unknown carries; residual xs.
  stacked_it = iter(stacked_vals)
  res_in, uk_in = split(unknown.invars, num_res)
  uc_in, uk_carry_in, ux_in = split(uk_in, sum(const_uk), sum(carry_uk))
  const_vars, const_vals, xs_vars, xs_vals = [], [], [], []
  for v, (kind, i) in zip(res_in, kinds):
    if kind == "const":
      const_vars.append(v)
      const_vals.append(known_consts[i])
    elif kind == "invariant":
      const_vars.append(v)
      const_vals.append(next(inv_vals))
    elif kind == "xs":
      xs_vars.append(v)
      xs_vals.append(known_xs[i])
    elif kind == "ys":
      xs_vars.append(v)
      xs_vals.append(k_ys[i])
    else:
      xs_vars.append(v)
      xs_vals.append(next(stacked_it))
  body = with_invars(unknown, const_vars + uc_in + uk_carry_in + xs_vars + ux_in)
  operands = (const_vals + select_mask(consts, const_uk) + select_mask(carry, carry_uk)
              + xs_vals + select_mask(xs, xs_uk))
  staged = trace.stage(scan_p, [trace.to_atom(x) for x in operands],
                       dict(jaxpr=body, num_consts=len(const_vals) + sum(const_uk),
                            num_carry=sum(carry_uk), length=length, reverse=reverse))
  u_carry_out, u_ys = split(staged, sum(carry_uk))
  return (merge_mask(carry_uk, u_carry_out, k_carry_out)
          + merge_mask(ys_uk, u_ys, k_ys))


def _residual_kinds(known: Jaxpr, n_consts: int, n_carry: int, ys_vars,
                    res_vars) -> list[tuple[str, int]]:
  """How each residual reaches the unknown scan: ``const`` (a known const, forwarded),
  ``xs`` (a known x, forwarded), ``ys`` (already a stacked output), ``invariant``
  (computed from consts only: once, outside), or ``stacked`` (per iteration: an
  extra stacked output of the known scan)."""
  index = {id(v): i for i, v in enumerate(known.invars)}
  ys_index = {id(v): i for i, v in reversed(list(enumerate(ys_vars))) if type(v) is Var}
  variant = {id(v) for v in known.invars[n_consts:]}
  for eqn in known.eqns:
    if any(type(v) is Var and id(v) in variant for v in eqn.invars):
      variant.update(id(v) for v in eqn.outvars)
  kinds = []
  for v in res_vars:
    i = index.get(id(v))
    if i is not None and i < n_consts:
      kinds.append(("const", i))
    elif i is not None and i >= n_consts + n_carry:
      kinds.append(("xs", i - n_consts - n_carry))
    elif id(v) in ys_index:
      kinds.append(("ys", ys_index[id(v)]))
    elif id(v) not in variant:
      kinds.append(("invariant", -1))
    else:
      kinds.append(("stacked", -1))
  return kinds


# -- transpose: the backward scan -----------------------------------------------------

def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse):
  consts, init, xs = split(args, num_consts, num_carry)
  const_lin, xs_lin = [is_undef(c) for c in consts], [is_undef(x) for x in xs]
  # Carries are linear: in a linear scan a known initial carry is an instantiated zero
  # tangent (its cotangent is dropped), as in JAX.
  t_jaxpr, t_consts = transpose_jaxpr(jaxpr, const_lin + [True] * num_carry + xs_lin)
  t_jaxpr = hoist_consts(t_jaxpr)
  res_consts, res_xs = select_mask(consts, const_lin, False), select_mask(xs, xs_lin, False)
  lin_const_avals = [c.aval for c in consts if is_undef(c)]
  n_lc, n_tc = len(lin_const_avals), len(t_consts)
  carry_avals = jaxpr.in_avals[num_consts:num_consts + num_carry]
  y_avals = jaxpr.out_avals[num_carry:]

  def body(*a):
    tc, rc, acc, ct_carry, rx, ct_y = split(a, n_tc, len(res_consts), n_lc, num_carry,
                                            len(res_xs))
    outs = eval_jaxpr(t_jaxpr, [], tc + rc + rx + ct_carry + ct_y)
    ct_lc, ct_carry_in, ct_lx = split(outs, n_lc, num_carry)
    return [vspace.add(s, c) for s, c in zip(acc, ct_lc)] + ct_carry_in + ct_lx
  b_avals = ([get_aval(c) for c in t_consts] + [get_aval(c) for c in res_consts]
             + lin_const_avals + carry_avals
             + [ShapedArray(get_aval(x).shape[1:], get_aval(x).dtype) for x in res_xs] + y_avals)
  b_jaxpr, b_consts = trace_to_jaxpr(body, b_avals)
  ct_carry, ct_ys = split([instantiate(c) for c in cts], num_carry)
  outs = _bind(list(b_consts) + list(t_consts) + res_consts,
               [vspace.zeros(a) for a in lin_const_avals] + ct_carry, res_xs + ct_ys,
               hoist_consts(b_jaxpr), length=length, reverse=not reverse)
  ct_consts, ct_init, ct_xs = split(outs, n_lc, num_carry)
  return (merge_mask(const_lin, ct_consts, [None] * (num_consts - n_lc))
          + [ct if is_undef(c) else None for c, ct in zip(init, ct_init)]
          + merge_mask(xs_lin, ct_xs, [None] * (len(xs) - len(ct_xs))))


# -- vmap -----------------------------------------------------------------------------

def _scan_batch(vals, dims, *, jaxpr, num_consts, num_carry, length, reverse):
  axis_size = batch_size(vals, dims)
  const_d, carry_d, xs_d = split(dims, num_consts, num_carry)
  const_b = [d is not None for d in const_d]
  xs_b = [d is not None for d in xs_d]
  carry_b = [d is not None for d in carry_d]
  n_ys = len(jaxpr.outvars) - num_carry
  while True:  # a carry is batched if it starts so or the body makes it so
    body, b_consts, out_b = batch_jaxpr_out(
        jaxpr, axis_size, [0 if b else None for b in const_b + carry_b + xs_b],
        carry_b + [False] * n_ys)
    if out_b[:num_carry] == carry_b:
      break
    carry_b = [a or b for a, b in zip(carry_b, out_b[:num_carry])]
  from .. import shapes
  consts, carry, xs = split(vals, num_consts, num_carry)
  consts = [to_front(x, d, axis_size, False) for x, d in zip(consts, const_d)]
  carry = [to_front(x, d, axis_size, b) for x, d, b in zip(carry, carry_d, carry_b)]
  xs = [x if d is None else shapes.moveaxis(x, d, 1) for x, d in zip(xs, xs_d)]
  outs = _bind(list(b_consts) + consts, carry, xs, body, length=length, reverse=reverse)
  return outs, [0 if b else None for b in carry_b] + [1 if b else None for b in out_b[num_carry:]]


# -- DCE: drop unused ys, carries nobody reads, unused consts and xs ------------------

def _scan_dce(used_outputs, eqn):
  jaxpr, num_consts, num_carry = (eqn.params["jaxpr"], eqn.params["num_consts"],
                                  eqn.params["num_carry"])
  used_carry, used_ys = split(used_outputs, num_carry)
  while True:  # a carry is needed if its result is used or the body reads it for one
    body = dce_jaxpr(jaxpr, used_carry + used_ys)
    used_in = used_invars(body)
    carry_read = used_in[num_consts:num_consts + num_carry]
    new = [a or b for a, b in zip(used_carry, carry_read)]
    if new == used_carry:
      break
    used_carry = new
  used_consts, _, used_xs = split(used_in, num_consts, num_carry)
  keep_in = used_consts + used_carry + used_xs
  body = with_invars(body, select_mask(body.invars, keep_in))
  params = dict(eqn.params, jaxpr=body, num_consts=sum(used_consts), num_carry=sum(used_carry))
  carry_out, ys_out = split(eqn.outvars, num_carry)
  return Eqn(scan_p, select_mask(eqn.invars, keep_in), params,
             select_mask(carry_out, used_carry) + select_mask(ys_out, used_ys))


scan_p.def_jvp(_scan_jvp, symbolic_zeros=True)
scan_p.def_partial_eval(_scan_partial_eval)
scan_p.def_transpose(_scan_transpose)
scan_p.def_batching(_scan_batch)
scan_p.def_dce(_scan_dce)


# -- the user-facing function ---------------------------------------------------------

def scan(f: Callable, init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int = 1) -> tuple[Any, Any]:
  """Loop ``f(carry, x) -> (carry, y)`` over the leading axis of ``xs``; return the
  final carry and the stacked ``y`` (JAX's ``lax.scan``).

  Differentiable in both modes; the backward pass is itself a scan, so long loops
  cost no recursion. ``reverse=True`` runs from the last ``x`` to the first (``ys``
  stay aligned with ``xs``); with ``xs=None`` give ``length``. ``unroll`` is accepted
  for compatibility and has no effect.

  >>> import numpy as np
  >>> def cumsum(c, x):
  ...   c = c + x
  ...   return c, c
  >>> scan(cumsum, 0.0, np.arange(1.0, 5.0))
  (np.float64(10.0), array([ 1.,  3.,  6., 10.]))
  """
  del unroll
  check_callable(f, "scan", "the body function f")
  xs_flat, xs_tree = flatten_operands(xs, "scan")
  lengths = {get_aval(x).shape[0] for x in xs_flat if get_aval(x).ndim}
  if any(get_aval(x).ndim == 0 for x in xs_flat):
    raise ValueError("scan: every leaf of xs needs a leading axis to scan over, got a scalar")
  if length is not None:
    lengths.add(int(length))
  if len(lengths) > 1:
    raise ValueError(f"scan: xs leaves and length disagree on the number of iterations: "
                     f"{sorted(lengths)}")
  if not lengths:
    raise ValueError("scan: with no xs, the number of iterations must be given as length=")
  n = lengths.pop()
  init_flat, init_tree = flatten_operands(init, "scan", weak=True)
  carry_avals = [arg_aval(c) for c in init_flat]
  x_avals = [ShapedArray(get_aval(x).shape[1:], get_aval(x).dtype) for x in xs_flat]

  def body(carry, x):
    out = f(carry, x)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
      raise TypeError("scan: the body function must return a pair (new_carry, y), got "
                      f"{type(out).__name__}")
    new_carry, y = out
    if tree_flatten(new_carry)[1] != init_tree:
      raise TypeError(f"scan: the body returns a carry of structure {tree_flatten(new_carry)[1]}"
                      f", but init has structure {init_tree}")
    return new_carry, y
  in_tree = tree_flatten((tree_unflatten(init_tree, carry_avals),
                          tree_unflatten(xs_tree, x_avals)))[1]
  jaxpr, consts, out_tree = stage_function(body, in_tree, carry_avals + x_avals, "scan",
                                           keep_weak=True)
  carry_out_avals = jaxpr.out_avals[:len(init_flat)]
  promoted = promote_weak_carry(init_flat, carry_avals, carry_out_avals)
  if promoted is not None:  # a Python-number init takes the dtype the body gives it, as JAX
    init_flat = promoted
    carry_avals = [arg_aval(c) for c in init_flat]
    jaxpr, consts, out_tree = stage_function(body, in_tree, carry_avals + x_avals, "scan",
                                             keep_weak=True)
    carry_out_avals = jaxpr.out_avals[:len(init_flat)]
  if carry_out_avals != carry_avals:
    which, casts = carry_change(carry_avals, carry_out_avals)
    raise TypeError(f"scan: the body changes the type of the carry from {avals_str(carry_avals)} "
                    f"to {avals_str(carry_out_avals)} ({which}); return a carry of the same "
                    "shapes and dtypes" + (
                        f": NumPy's promotion rules apply (float32 combined with an int64 or "
                        f"float64 array is float64), convert with {casts} or start from the "
                        "wider dtype" if casts else ""))
  outs = _bind(consts, init_flat, xs_flat, jaxpr, length=n, reverse=bool(reverse))
  carry_out, ys = split(outs, len(init_flat))
  y_tree = out_tree.children[1]
  return tree_unflatten(init_tree, carry_out), tree_unflatten(y_tree, ys)


def map(f: Callable, xs: Any) -> Any:  # noqa: A001 - JAX's name
  """``f`` applied to each slice of ``xs`` along its leading axis, stacked (``lax.map``).

  >>> import numpy as np
  >>> map(lambda x: x * 2.0, np.arange(3.0))
  array([0., 2., 4.])
  """
  check_callable(f, "map", "the function f")
  _, ys = scan(lambda c, x: (c, f(x)), (), xs)
  return ys
