"""``user_lin``: a linear map given by a forward rule and a backward rule.

The tangent of an ``@primitive`` function whose VJP was given with ``defvjp``:
``user_lin(*residuals, *tangents)`` is linear in its tangents. Transposing it
(reverse mode) calls the user's VJPs (``LinRule.bwd``); evaluating it (forward
mode, or ``linearize``) calls the user's JVPs (``LinRule.fwd``) when there are
some, and is an error otherwise. Both are ordinary vjpkit code, so they are
differentiated, batched and staged like any other function: that is what gives
higher derivatives, ``vmap`` of gradients and ``jit`` of gradients.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.avals import ShapedArray
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef
from ..interpreters.batching import batch_size, vmap_flat
from ..interpreters.jvp import jvp_flat
from ..lax.control_flow.common import to_front


class LinRule:
  """The static parameter of ``user_lin``.

  ``fwd(residuals, tangents) -> out tangents`` (``None``: no forward mode, ``no_fwd``
  says why); ``bwd(residuals, cotangents) -> one cotangent per tangent operand``."""
  __slots__ = ("bwd", "fwd", "name", "no_fwd", "num_res", "out_avals")

  def __init__(self, name: str, num_res: int, out_avals: Sequence[ShapedArray],
               fwd: Callable | None, bwd: Callable, no_fwd: str):
    self.name, self.num_res, self.out_avals = name, num_res, tuple(out_avals)
    self.fwd, self.bwd, self.no_fwd = fwd, bwd, no_fwd

  def __str__(self) -> str:  # how programs print it
    return self.name

  def batched(self, size: int) -> LinRule:
    """The rule of the batched map: every operand has the batch axis at 0."""
    n, fwd, bwd = self.num_res, self.fwd, self.bwd

    def batched_fwd(res: Sequence[Any], ts: Sequence[Any]) -> list:
      assert fwd is not None
      return vmap_flat(lambda *xs: list(fwd(xs[:n], xs[n:])), size, list(res) + list(ts),
                       [0] * (n + len(ts)), lambda k: [0] * k)

    def batched_bwd(res: Sequence[Any], cts: Sequence[Any]) -> list:
      return vmap_flat(lambda *xs: list(bwd(xs[:n], xs[n:])), size, list(res) + list(cts),
                       [0] * (n + len(cts)), lambda k: [0] * k)
    avals = [a.update(shape=(size,) + a.shape) for a in self.out_avals]
    return LinRule(self.name, n, avals, None if fwd is None else batched_fwd, batched_bwd,
                   self.no_fwd)


def _impl(*args: Any, rule: LinRule) -> list:
  res, ts = args[:rule.num_res], args[rule.num_res:]
  if rule.fwd is not None:
    return list(rule.fwd(res, ts))
  if all(not np.any(t) for t in ts):  # a linear map is zero at zero (linear_transpose checks)
    return [np.zeros(a.shape, a.dtype) for a in rule.out_avals]
  raise TypeError(rule.no_fwd)


def _abstract_eval(*avals: ShapedArray, rule: LinRule) -> list:
  return list(rule.out_avals)


def _jvp(primals: Sequence[Any], tangents: Sequence[Any], *, rule: LinRule) -> tuple:
  n = rule.num_res
  if all(type(t) is Zero for t in tangents[:n]):  # linear in the tangent operands
    outs = user_lin_p.bind(*primals, rule=rule)
    return outs, user_lin_p.bind(*primals[:n], *[instantiate(t) for t in tangents[n:]],
                                 rule=rule)
  fwd = rule.fwd
  if fwd is None:
    raise TypeError(rule.no_fwd)
  outs, out_t = jvp_flat(lambda *xs: list(fwd(xs[:n], xs[n:])), list(primals), list(tangents),
                         instantiate_zeros=False)
  return outs, out_t


def _transpose(cts: Sequence[Any], *args: Any, rule: LinRule) -> list:
  n = rule.num_res
  if any(is_undef(x) for x in args[:n]):
    raise ValueError(f"the tangent map of '{rule.name}' is not linear in its residuals")
  cts_in = rule.bwd(args[:n], [instantiate(c) for c in cts])
  return [None] * n + [ct if is_undef(x) else None for ct, x in zip(cts_in, args[n:])]


def _batch(args: Sequence[Any], dims: Sequence[int | None], *, rule: LinRule) -> tuple:
  size = batch_size(args, dims)
  args = [to_front(x, d, size, True) for x, d in zip(args, dims)]
  outs = user_lin_p.bind(*args, rule=rule.batched(size))
  return outs, [0] * len(outs)


user_lin_p = Primitive("user_lin", multiple_results=True)
user_lin_p.def_impl(_impl)
user_lin_p.def_abstract_eval(_abstract_eval)
user_lin_p.def_jvp(_jvp, symbolic_zeros=True)
user_lin_p.def_transpose(_transpose)
user_lin_p.def_batching(_batch)
