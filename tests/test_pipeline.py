"""``optimize``'s one-walk pipeline against the passes run one after the other."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.passes import optimize, optimize_sequential
from vjpkit.testing import strategies as vst


def _compare(f, *xs):
  closed = vjpkit.make_jaxpr(f)(*xs)
  fused, fused_consts = optimize(closed.jaxpr, closed.consts)
  seq, seq_consts = optimize_sequential(closed.jaxpr, closed.consts)
  assert len(fused.eqns) <= len(seq.eqns), (fused, seq)
  want = eval_jaxpr(closed.jaxpr, closed.consts, list(xs))
  for got in (eval_jaxpr(fused, fused_consts, list(xs)), eval_jaxpr(seq, seq_consts, list(xs))):
    for a, b in zip(got, want):
      np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
  return fused, seq


@given(vst.programs(n_inputs=2, max_ops=8))
def test_random_programs_and_their_gradients(program):
  f, _ = program
  xs = [np.linspace(-1, 1, 3), np.linspace(0.5, 2, 3)]
  _compare(f, *xs)
  _compare(vjpkit.grad(lambda x, y: vnp.sum(f(x, y)), argnums=(0, 1)), *xs)


K = np.full(3, 2.0)
W = np.arange(12.0).reshape(3, 4) / 7


@pytest.mark.parametrize("f, args", [
    (lambda x: x * (K * 3.0) + 0.0 * K, (np.ones(3),)),
    (lambda x: -(-(x * 1.0)).T.T, (W,)),
    (lambda x: vnp.sin(x) * x + x * vnp.sin(x), (1.0,)),
    (vjpkit.grad(lambda W: vnp.sum(vnp.tanh(W @ np.ones(4)) ** 2)), (W,)),
    (lambda x: vnp.sum(vnp.broadcast_to(x, (5, 3)), axis=0) * 1.0, (np.ones(3),)),
    (lambda x: (x ** 2 - x * x, vnp.where(True, x, 2.0 * x)), (np.ones(3),)),
])
def test_the_rewrites_of_each_pass_still_happen(f, args):
  fused, seq = _compare(f, *args)
  assert str(fused) == str(seq)


def test_a_hessian_computes_the_same():
  # (equations may come in another order: the one walk merges a repeated product into
  # its first occurrence, which the sequential passes had already removed as dead)
  _compare(vjpkit.hessian(lambda x: vnp.sum(vnp.sin(x) ** 2 * x)), np.linspace(0, 1, 4))


def test_a_long_chain_is_one_walk_with_the_same_result():
  def f(x):
    for _ in range(300):
      x = vnp.tanh(x) * 0.5 + x
    return x
  fused, seq = _compare(vjpkit.grad(f), 0.3)
  assert str(fused) == str(seq)
