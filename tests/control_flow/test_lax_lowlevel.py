"""The lax functions low-level loop code is written with: select, clamp, reduce, dot, dynamic slices."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import vjpkit.numpy as vnp
from vjpkit import grad, lax, make_jaxpr, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads


def test_select_clamp_dot_iota():
  p = np.array([True, False, True])
  a, b = np.array([1.0, 2.0, 3.0]), np.array([-1.0, -2.0, -3.0])
  np.testing.assert_array_equal(lax.select(p, a, b), [1.0, -2.0, 3.0])
  np.testing.assert_array_equal(grad(lambda a: vnp.sum(lax.select(p, a, b)))(a), [1, 0, 1])
  np.testing.assert_array_equal(lax.clamp(-1.5, np.array([-3.0, 0.2, 9.0]), 1.5), [-1.5, 0.2, 1.5])
  W = np.arange(6.0).reshape(2, 3)
  np.testing.assert_allclose(lax.dot(W, a), W @ a)
  np.testing.assert_allclose(lax.dot(a, W.T), a @ W.T)
  check_grads(lambda W, a: lax.dot(W, a), (W, a), order=2)
  assert lax.iota(np.int32, 3).tolist() == [0, 1, 2]
  with pytest.raises(TypeError, match="dot_general"):
    lax.dot(np.ones((2, 2, 2)), np.ones(2))


def test_reduce_recognises_monoids():
  x = np.array([[1.0, -5.0, 2.0], [3.0, 0.5, -2.0]])
  np.testing.assert_array_equal(lax.reduce(x, 0.0, lax.add, (1,)), x.sum(1))
  np.testing.assert_array_equal(lax.reduce(x, -np.inf, lax.max, (0,)), x.max(0))
  np.testing.assert_array_equal(lax.reduce(x, np.inf, lambda a, b: lax.min(a, b), (0, 1)), -5.0)
  np.testing.assert_array_equal(lax.reduce(x, 10.0, lambda a, b: a + b, (1,)), x.sum(1) + 10)
  np.testing.assert_array_equal(lax.reduce(x > 0, False, lax.logical_or, (1,)), [True, True])
  g = grad(lambda x: lax.reduce(x, -np.inf, lax.max, (0, 1)))(x)
  np.testing.assert_array_equal(g, (x == x.max()).astype(float))
  assert lax.reduce((x,), (0.0,), lax.add, (0,))[0].shape == (3,)
  with pytest.raises(NotImplementedError, match="single add, max, min"):
    lax.reduce(x, 1.0, lax.mul, (0,))
  with pytest.raises(NotImplementedError, match="variadic"):
    lax.reduce((x, x), (0.0, 0.0), lax.add, (0,))


@given(n=st.integers(1, 6), size=st.integers(0, 4), start=st.integers(-3, 9),
       seed=st.integers(0, 2**31))
def test_dynamic_slices_match_numpy_and_differentiate(n, size, start, seed):
  size = min(size, n)
  x = np.random.default_rng(seed).standard_normal((n, 2))
  s = int(np.clip(start, 0, n - size))
  np.testing.assert_array_equal(lax.dynamic_slice(x, (start, 0), (size, 2)), x[s:s + size])
  u = np.full((size, 2), 7.0)
  expected = x.copy()
  expected[s:s + size] = u
  np.testing.assert_array_equal(lax.dynamic_update_slice(x, u, (start, 0)), expected)
  check_grads(lambda x: lax.dynamic_slice(x, (start, 0), (size, 2)), (x,), order=2)
  check_grads(lambda x, u: lax.dynamic_update_slice(x, u, (start, 0)), (x, u), order=2)


def test_fori_loop_with_dynamic_indexing_matches_numpy():
  def cumsum(xs):
    def body(i, carry):
      acc, out = carry
      acc = acc + lax.dynamic_index_in_dim(xs, i, keepdims=False)
      return acc, lax.dynamic_update_index_in_dim(out, acc, i)
    return lax.fori_loop(0, xs.shape[0], body, (np.zeros(2), vnp.zeros_like(xs)))[1]
  xs = np.arange(10.0).reshape(5, 2)
  np.testing.assert_allclose(cumsum(xs), np.cumsum(xs, 0))
  w = np.random.default_rng(0).standard_normal((5, 2))
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(cumsum(xs) * w))(xs),
                             np.cumsum(w[::-1], 0)[::-1])
  np.testing.assert_allclose(vmap(cumsum)(np.stack([xs, -xs])), np.stack([np.cumsum(xs, 0),
                                                                          -np.cumsum(xs, 0)]))
  closed = make_jaxpr(cumsum)(xs)
  typecheck_jaxpr(closed.jaxpr)
  np.testing.assert_allclose(eval_jaxpr(closed.jaxpr, closed.consts, [xs])[0], np.cumsum(xs, 0))


def test_dynamic_slices_under_vmap_with_batched_positions():
  x = np.arange(5.0)
  idx = np.array([0, 3, 9])
  np.testing.assert_array_equal(vmap(lambda i: lax.dynamic_slice(x, (i,), (2,)))(idx),
                                [[0, 1], [3, 4], [3, 4]])
  g = vmap(grad(lambda x, i: vnp.sum(lax.dynamic_slice(x, (i,), (2,)) ** 2)), (None, 0))(x, idx)
  np.testing.assert_array_equal(g, [[0, 2, 0, 0, 0], [0, 0, 0, 6, 8], [0, 0, 0, 6, 8]])
  out = vmap(lambda x, i: lax.dynamic_update_slice(x, np.zeros(2), (i,)))(np.stack([x, x, x]), idx)
  np.testing.assert_array_equal(out, [[0, 0, 2, 3, 4], [0, 1, 2, 0, 0], [0, 1, 2, 0, 0]])
