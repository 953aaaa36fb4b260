"""``cond`` and ``switch``: run one of several programs, chosen by an integer index.

``cond_p`` takes ``(index, *operands)`` and a tuple of ``branches``, programs
with identical input and output types; it runs ``branches[index]`` (the index
clamped into range, as in JAX). Its rules transform every branch the same way:

* JVP, transpose, partial evaluation: of each branch, with the same
  zero/linear/unknown pattern; the branches' residuals are joined (each branch
  outputs zeros for the others'). When the index is already a concrete
  number, only the taken branch is differentiated or split.
* vmap: with an unbatched index each branch is batched; a batched index turns
  the cond into computing every branch and selecting per batch member (so,
  as in JAX, a NaN in an untaken branch's derivative can show up).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ...core.aliasing import unaliased_impl
from ...core.avals import arg_aval, get_aval, tangent_aval
from ...core.errors import check_callable
from ...core.ir import Eqn, Jaxpr, Var
from ...core.primitive import Primitive
from ...core.zeros import Zero, instantiate, is_undef, vspace
from ...interpreters.batching import batch_size, vmap_flat
from ...interpreters.eval import eval_jaxpr
from ...interpreters.jvp import jvp_flat, jvp_jaxpr
from ...interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from ...interpreters.transpose import backward_pass, transpose_jaxpr
from ...passes.dce import dce_jaxpr, used_invars
from .common import (avals_str, batch_jaxpr_out, flatten_operands, is_concrete, join_consts,
                     merge_mask, select_mask, split, stage_function, to_front, with_invars)


def _clamp(index, n: int) -> int:
  return int(np.clip(np.asarray(index), 0, n - 1))


def _cond_impl(index, *operands, branches):
  return unaliased_impl(eval_jaxpr(branches[_clamp(index, len(branches))], [], operands),
                        operands)


def _cond_abstract_eval(index, *avals, branches):
  if index.shape != () or index.dtype.kind not in "iu":
    raise TypeError(f"cond needs a scalar integer index, got {index.str_short()}")
  for i, b in enumerate(branches):
    if b.in_avals != list(avals):
      raise TypeError(f"cond branch {i} takes {avals_str(b.in_avals)} but the operands are "
                      f"{avals_str(avals)}")
    if b.out_avals != branches[0].out_avals:
      raise TypeError(f"cond branch {i} returns {avals_str(b.out_avals)} but branch 0 returns "
                      f"{avals_str(branches[0].out_avals)}")
  return branches[0].out_avals


cond_p = Primitive("cond", multiple_results=True, impl=_cond_impl,
                   abstract_eval=_cond_abstract_eval)


def _bind(index, operands, closed: Sequence[tuple[Jaxpr, list]]) -> list:
  """Apply branches that each have their own constants (joined into common operands)."""
  branches, consts = join_consts(closed)
  return cond_p.bind(index, *consts, *operands, branches=tuple(branches))


def _n_out(branches) -> int:
  return len(branches[0].outvars)


# -- JVP -------------------------------------------------------------------------------

def _cond_jvp(primals, tangents, *, branches):
  index, operands, op_tangents = primals[0], primals[1:], tangents[1:]
  if is_concrete(index):  # differentiate only the branch that runs
    branch = branches[_clamp(index, len(branches))]
    return jvp_flat(lambda *xs: eval_jaxpr(branch, [], xs), operands, op_tangents,
                    instantiate_zeros=False)
  nonzero = [type(t) is not Zero for t in op_tangents]
  out_nz = [False] * _n_out(branches)
  for b in branches:  # an output tangent is nonzero if it is in any branch
    out_nz = [a or c for a, c in zip(out_nz, jvp_jaxpr(b, nonzero, False)[2])]
  closed = [jvp_jaxpr(b, nonzero, out_nz)[:2] for b in branches]
  outs = _bind(index, list(operands) + select_mask(op_tangents, nonzero), closed)
  out_p, out_t = split(outs, _n_out(branches))
  zeros = [Zero(tangent_aval(a)) for a, nz in zip(branches[0].out_avals, out_nz) if not nz]
  return out_p, merge_mask(out_nz, out_t, zeros)


# -- partial evaluation ---------------------------------------------------------------

def _cond_partial_eval(trace, args, params):
  branches = params["branches"]
  index, operands = args[0], list(args[1:])
  if is_concrete(index):  # only the taken branch runs: inline it
    return eval_jaxpr(branches[_clamp(index, len(branches))], [], operands)
  unknowns = [trace.is_own(x) for x in operands]
  if trace.is_own(index) or all(unknowns):
    return trace.stage(cond_p, [trace.to_atom(x) for x in args], params)
  out_uk = [False] * _n_out(branches)
  for b in branches:
    out_uk = [a or c for a, c in zip(out_uk, partial_eval_jaxpr_nounits(b, unknowns)[3])]
  parts = [partial_eval_jaxpr_nounits(b, unknowns, out_uk) for b in branches]
  n_known = out_uk.count(False)
  res_avals = [[v.aval for v in unknown.invars[:n_res]] for _, _, unknown, _, n_res in parts]
  known_ops = select_mask(operands, unknowns, False)
  known_avals = [get_aval(x) for x in known_ops]

  def known_branch(i):  # branch i's known part, with zeros for the other branches' residuals
    known, k_consts, _, _, _ = parts[i]

    def f(*ops):
      outs = eval_jaxpr(known, [], list(k_consts) + list(ops))
      res = []
      for j, avals in enumerate(res_avals):
        res += outs[n_known:] if j == i else [vspace.zeros(a) for a in avals]
      return outs[:n_known] + res
    return trace_to_jaxpr(f, known_avals)
  outs = _bind(index, known_ops, [known_branch(i) for i in range(len(branches))])
  known_outs, residuals = split(outs, n_known)
  unknown_branches = []
  for i, (_, _, unknown, _, n_res) in enumerate(parts):
    res_in, rest = split(unknown.invars, n_res)
    lead = []
    for j, avals in enumerate(res_avals):
      lead += res_in if j == i else [Var(a) for a in avals]
    unknown_branches.append(with_invars(unknown, lead + rest))
  staged = trace.stage(cond_p, [trace.to_atom(x) for x in
                                [index] + residuals + select_mask(operands, unknowns)],
                       dict(branches=tuple(unknown_branches)))
  return merge_mask(out_uk, staged, known_outs)


# -- transpose -------------------------------------------------------------------------

def _cond_transpose(cts, index, *operands, branches):
  linear = [is_undef(x) for x in operands]
  cts = [instantiate(c) for c in cts]
  known = select_mask(operands, linear, False)
  if is_concrete(index):
    b = branches[_clamp(index, len(branches))]
    lin = Jaxpr(select_mask(b.invars, linear, False), select_mask(b.invars, linear),
                b.eqns, b.outvars)
    cts_in = backward_pass(lin, known, cts)
  else:
    cts_in = _bind(index, known + cts, [transpose_jaxpr(b, linear) for b in branches])
  return [None] + merge_mask(linear, cts_in, [None] * linear.count(False))


# -- vmap ------------------------------------------------------------------------------

def _cond_batch(vals, dims, *, branches):
  axis_size = batch_size(vals, dims)
  from .. import elementwise as ew
  from .. import shapes
  index, operands = vals[0], list(vals[1:])
  operands = [to_front(x, d, axis_size, False) for x, d in zip(operands, dims[1:])]
  op_dims = [None if d is None else 0 for d in dims[1:]]
  n_out = _n_out(branches)
  if dims[0] is not None:  # a per-member choice: compute every branch, then select
    index = to_front(index, dims[0], axis_size, False)
    dtype = get_aval(index).dtype
    index = ew.max(ew.min(index, np.array(len(branches) - 1, dtype)[()]), np.array(0, dtype)[()])
    results = [vmap_flat(lambda *xs, b=b: eval_jaxpr(b, [], xs), axis_size, operands, op_dims,
                         [0] * n_out) for b in branches]
    if len(branches) == 1:
      return results[0], [0] * n_out
    outs = []
    for j in range(n_out):
      shape = get_aval(results[0][j]).shape
      which = shapes.broadcast_in_dim(index, shape, (0,))
      outs.append(ew.select_n(which, *[r[j] for r in results]))
    return outs, [0] * n_out
  out_b = [False] * n_out
  for b in branches:
    out_b = [a or c for a, c in zip(out_b, batch_jaxpr_out(b, axis_size, op_dims, out_b)[2])]
  closed = []
  for b in branches:
    jaxpr, consts, _ = batch_jaxpr_out(b, axis_size, op_dims, out_b)
    closed.append((Jaxpr(jaxpr.invars[:len(consts)], jaxpr.invars[len(consts):], jaxpr.eqns,
                         jaxpr.outvars), consts))
  return _bind(index, operands, closed), [0 if b else None for b in out_b]


# -- DCE: unused outputs of every branch, then operands no branch reads --------------

def _cond_dce(used_outputs, eqn):
  branches = [dce_jaxpr(b, used_outputs) for b in eqn.params["branches"]]
  used = [any(u) for u in zip(*[used_invars(b) for b in branches])] if branches[0].invars else []
  branches = [with_invars(b, select_mask(b.invars, used)) for b in branches]
  return Eqn(cond_p, [eqn.invars[0]] + select_mask(eqn.invars[1:], used),
             dict(eqn.params, branches=tuple(branches)), select_mask(eqn.outvars, used_outputs))


cond_p.def_jvp(_cond_jvp, symbolic_zeros=True)
cond_p.def_partial_eval(_cond_partial_eval)
cond_p.def_transpose(_cond_transpose)
cond_p.def_batching(_cond_batch)
cond_p.def_dce(_cond_dce)


# -- the user-facing functions ---------------------------------------------------------

def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
  """``branches[index](*operands)``, with ``index`` clamped to ``[0, len(branches) - 1]``.

  Every branch must return the same types. Under jit, vmap and make_jaxpr the
  index may be abstract: all branches are staged and one is chosen at run time.

  >>> switch(2, [lambda x: x + 1.0, lambda x: x * 2.0, lambda x: -x], 3.0)
  np.float64(-3.0)
  """
  if callable(branches) or not hasattr(branches, "__iter__"):
    raise TypeError("switch expected a sequence of callables as branches, got "
                    f"{type(branches).__name__}; pass a list, e.g. switch(i, [f, g], x)")
  branches = list(branches)
  if not branches:
    raise ValueError("switch needs at least one branch")
  for i, b in enumerate(branches):
    check_callable(b, "switch", f"branch {i}")
  if np.ndim(index) != 0 or get_aval(index).dtype.kind not in "iub":
    raise TypeError(f"switch: the index must be a scalar integer, got {get_aval(index).str_short()}")
  index = _as_int32(index, len(branches))
  return _apply(index, branches, operands, "switch")


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any) -> Any:
  """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive.

  Both branches must return the same types. Differentiating gives the taken
  branch's derivative; under vmap with a batched ``pred`` both branches run and
  the results are selected per batch member.

  >>> cond(1.0 > 0.0, lambda x: x * 2.0, lambda x: x - 1.0, 5.0)
  np.float64(10.0)
  """
  check_callable(true_fun, "cond", "true_fun")
  check_callable(false_fun, "cond", "false_fun")
  aval = get_aval(pred)
  if aval.shape != ():
    raise TypeError(f"cond: the predicate must be a scalar, got {aval.str_short()} (use "
                    "vjpkit.numpy.where for an elementwise choice)")
  if aval.dtype.kind not in "biuf":
    raise TypeError(f"cond: the predicate must be boolean or numeric, got {aval.str_short()}")
  if is_concrete(pred):
    index = np.int32(bool(pred))
  else:
    from .. import elementwise as ew
    if aval.dtype.kind != "b":
      pred = ew.ne(pred, np.array(0, aval.dtype)[()])
    index = ew.convert_element_type(pred, np.int32)
  return _apply(index, [false_fun, true_fun], operands, "cond")


def _as_int32(index, n: int):
  if is_concrete(index):
    return np.int32(_clamp(index, n))
  from .. import elementwise as ew
  return ew.convert_element_type(index, np.int32)  # clamped by the primitive


def _apply(index, funs: Sequence[Callable], operands, who: str):
  ops, in_tree = flatten_operands(tuple(operands), who, weak=True)  # Python numbers: weak
  avals = [arg_aval(x) for x in ops]
  staged = [stage_function(f, in_tree, avals, f"{who} branch {i}", keep_weak=True)
            for i, f in enumerate(funs)]
  out_tree = staged[0][2]
  for i, (jaxpr, _, tree) in enumerate(staged):
    if tree != out_tree:
      raise TypeError(f"{who}: branch {i} returns a value of structure {tree}, but branch 0 "
                      f"returns {out_tree}; all branches must return the same structure")
    if jaxpr.out_avals != staged[0][0].out_avals:
      raise TypeError(f"{who}: branch {i} returns {avals_str(jaxpr.out_avals)}, but branch 0 "
                      f"returns {avals_str(staged[0][0].out_avals)}; all branches must return "
                      "the same shapes and dtypes")
  closed = [(Jaxpr(j.invars[:len(c)], j.invars[len(c):], j.eqns, j.outvars), c)
            for j, c, _ in staged]
  from ...tree_util import tree_unflatten
  return tree_unflatten(out_tree, _bind(index, ops, closed))
