"""``checkpoint`` (remat): trade compute for memory in reverse mode.

Why: reverse mode keeps every residual of the forward pass (``cos x`` for
``sin``, ``1 - tanh² x`` for ``tanh``, ...) until the backward pass consumes
it. For a deep network that is the memory bottleneck. A checkpointed function
keeps only its *inputs*; its backward pass runs its forward pass again to
rebuild the residuals, one block at a time.

``checkpoint_p`` is a call primitive (``call_rules``: JVP, transpose and vmap
of its sub-program) with its own partial-evaluation rule: the known part
computes the primal outputs and saves nothing, and the unknown (linear) part
is the whole JVP program, primal recomputation included, reading the known
*inputs* as its residuals: the known part again (to rebuild the residuals),
then the unknown part, equation by equation. Transposing that equation
evaluates the recomputation forward, then the backward program, inside one
equation, so only one block's residuals are ever alive at once.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

from .core.aliasing import unaliased_impl
from .core.avals import arg_aval, get_aval
from .core.errors import check_callable
from .core.ir import Eqn
from .core.primitive import Primitive
from .core.ir import hoist_consts
from .interpreters.eval import eval_jaxpr
from .interpreters.partial_eval import partial_eval_jaxpr_nounits, trace_to_jaxpr
from .lax.call import _call_abstract_eval, call_rules
from .lax.control_flow.common import (flatten_operands, merge_mask, select_mask,
                                      stage_function, with_invars)
from .passes.dce import dce_jaxpr, used_invars
from .tree_util import tree_unflatten

__all__ = ["checkpoint", "remat"]



def _checkpoint_impl(*args, call_jaxpr, prevent_cse):
  outs = eval_jaxpr(call_jaxpr, [], args, release=True)  # the recomputation frees as it goes
  return unaliased_impl(outs, args)


checkpoint_p = Primitive("checkpoint", multiple_results=True, impl=_checkpoint_impl,
                         abstract_eval=_call_abstract_eval)


def _bind(args, jaxpr, params) -> list:
  return checkpoint_p.bind(*args, call_jaxpr=jaxpr, **params)


call_rules(checkpoint_p, _bind)


def _remat_partial_eval(trace, args, params):
  jaxpr = params["call_jaxpr"]
  rest = {k: v for k, v in params.items() if k != "call_jaxpr"}
  unknowns = [trace.is_own(x) for x in args]
  if all(unknowns) or not any(unknowns):
    return trace.stage(checkpoint_p, [trace.to_atom(x) for x in args], params)
  known, k_consts, unknown, out_uk, n_res = partial_eval_jaxpr_nounits(jaxpr, unknowns)
  n_known = len(known.outvars) - n_res
  known_in = list(k_consts) + select_mask(args, unknowns, False)
  known_outs = (_bind(known_in, dce_jaxpr(known, [True] * n_known + [False] * n_res), rest)
                if n_known else [])  # the primal outputs; no residual is saved
  # The unknown outputs: the residuals recomputed from the known inputs, then the unknown
  # part. Each equation of it is either primal (recomputation) or linear in the unknowns,
  # as transposition requires (the known and unknown parts are split equation by equation).
  residuals_only = dce_jaxpr(known, [False] * n_known + [True] * n_res)
  n_k = len(known_in)

  def recompute(*xs):
    res = eval_jaxpr(residuals_only, [], xs[:n_k])
    return eval_jaxpr(unknown, [], list(res) + list(xs[n_k:]))
  body, consts = trace_to_jaxpr(recompute, [get_aval(x) for x in known_in]
                                + [v.aval for v in unknown.invars[n_res:]])
  body = dce_jaxpr(hoist_consts(body))
  used = used_invars(body)
  operands = list(consts) + known_in + select_mask(args, unknowns)
  staged = trace.stage(checkpoint_p, [trace.to_atom(x) for x in select_mask(operands, used)],
                       dict(params, call_jaxpr=with_invars(body, select_mask(body.invars, used))))
  return merge_mask(out_uk, staged, known_outs)


def _checkpoint_dce(used_outputs, eqn):
  body = dce_jaxpr(eqn.params["call_jaxpr"], used_outputs)
  used = used_invars(body)
  return Eqn(checkpoint_p, select_mask(eqn.invars, used),
             dict(eqn.params, call_jaxpr=with_invars(body, select_mask(body.invars, used))),
             select_mask(eqn.outvars, used_outputs))


checkpoint_p.def_partial_eval(_remat_partial_eval)
checkpoint_p.def_dce(_checkpoint_dce)


def checkpoint(fun: Callable | None = None, *, prevent_cse: bool = True, policy: Any = None,
               static_argnums: int | Sequence[int] = ()) -> Callable:
  """``fun``, recomputed in the backward pass instead of storing its intermediates.

  Gradients are unchanged; reverse mode stores only the inputs of ``fun`` and
  runs ``fun`` again when its derivative is needed. Checkpoint the blocks of a
  deep network (or the body of a ``scan``) to cut peak memory roughly by the
  number of residuals each block would otherwise keep. ``static_argnums`` are
  passed as Python values. (``policy``, JAX's selective saving, is not supported.)

  >>> import vjpkit, vjpkit.numpy as vnp
  >>> layer = checkpoint(lambda x: vnp.sin(vnp.tanh(x)))
  >>> float(vjpkit.grad(layer)(0.5)) == float(vjpkit.grad(lambda x: vnp.sin(vnp.tanh(x)))(0.5))
  True
  """
  if fun is None:
    return functools.partial(checkpoint, prevent_cse=prevent_cse, policy=policy,
                             static_argnums=static_argnums)
  if policy is not None:
    raise NotImplementedError("checkpoint(policy=...) is not supported by vjpkit: a "
                              "checkpointed function saves only its inputs. Checkpoint "
                              "smaller functions to save more.")
  check_callable(fun, "checkpoint")
  static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

  @functools.wraps(fun)
  def checkpointed(*args):
    n = len(args)
    static_pos = {i % n for i in static}
    dyn = tuple(a for i, a in enumerate(args) if i not in static_pos)
    flat, in_tree = flatten_operands(dyn, "checkpoint", weak=True)

    def call(*d):
      it = iter(d)
      return fun(*[a if i in static_pos else next(it) for i, a in enumerate(args)])
    jaxpr, consts, out_tree = stage_function(call, in_tree, [arg_aval(x) for x in flat],
                                             "checkpoint", keep_weak=True)
    outs = checkpoint_p.bind(*consts, *flat, call_jaxpr=jaxpr, prevent_cse=bool(prevent_cse))
    return tree_unflatten(out_tree, outs)
  return checkpointed


remat = checkpoint
