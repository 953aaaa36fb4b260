"""The rest of jax.lax's functions: new elementwise and bitwise primitives, conveniences,
top_k, cumlogsumexp, reduce_window (pooling and its gradients) and associative_scan:
values vs NumPy, derivatives (finite differences, to second order), vmap vs a loop, jit
vs eager; and against jax.lax where JAX is installed."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 2.0, size=(4, 6)) * RNG.choice([-1, 1], size=(4, 6))
INTS = np.array([-128, -8, -1, 0, 1, 7, 127], np.int8)
SHIFTS = np.array([0, 1, 3, 7, 8, 9, -1], np.int8)


def _pool_ref(x, k, s, op):
  out = np.empty(((x.shape[0] - k[0]) // s[0] + 1, (x.shape[1] - k[1]) // s[1] + 1))
  for i in range(out.shape[0]):
    for j in range(out.shape[1]):
      out[i, j] = op(x[i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]])
  return out


# name -> (function of float arrays, NumPy reference, arguments, derivative order)
TABLE = {
    "rsqrt": (lax.rsqrt, lambda x: 1 / np.sqrt(x), (np.abs(X),), 2),
    "square": (lax.square, np.square, (X,), 2),
    "exp2": (lax.exp2, np.exp2, (X,), 2),
    "reciprocal": (lax.reciprocal, np.reciprocal, (X,), 2),
    "tile": (lambda x: lax.tile(x, (2, 3)), lambda x: np.tile(x, (2, 3)), (X,), 2),
    "split": (lambda x: lax.split(x, [1, 5], 1), lambda x: np.split(x, [1], 1), (X,), 2),
    "broadcast": (lambda x: lax.broadcast(x, (2,)), lambda x: np.broadcast_to(x, (2, 4, 6)), (X,), 2),
    "collapse": (lambda x: lax.collapse(x, 0, 2), lambda x: x.reshape(24), (X,), 2),
    "dynamic_slice_in_dim": (lambda x: lax.dynamic_slice_in_dim(x, -3, 2, 1), lambda x: x[:, 3:5],
                             (X,), 2),
    "dynamic_update_slice_in_dim": (
        lambda x, u: lax.dynamic_update_slice_in_dim(x, u, 1, 1),
        lambda x, u: np.concatenate([x[:, :1], u, x[:, 3:]], 1), (X, X[:, :2] * 2), 2),
    "index_in_dim": (lambda x: lax.index_in_dim(x, -1, 1, False), lambda x: x[:, -1], (X,), 2),
    "sort_key_val": (lambda k, v: lax.sort_key_val(k, v, 1), lambda k, v: (
        np.sort(k, 1, kind="stable"), np.take_along_axis(v, np.argsort(k, 1, kind="stable"), 1)),
        (X, X * 3), 1),
    "top_k": (lambda x: lax.top_k(x, 3)[0], lambda x: -np.sort(-x, 1)[:, :3], (X,), 2),
    "reduce_prod": (lambda x: lax.reduce_prod(x, (1,)), lambda x: np.prod(x, 1), (X,), 2),
    "cumlogsumexp": (lambda x: lax.cumlogsumexp(x, 1), lambda x: np.logaddexp.accumulate(x, 1),
                     (X,), 2),
    "cumlogsumexp_reverse": (lambda x: lax.cumlogsumexp(x, 0, reverse=True), lambda x: np.flip(
        np.logaddexp.accumulate(np.flip(x, 0), 0), 0), (X,), 2),
    "batch_matmul": (lax.batch_matmul, np.matmul, (X.reshape(2, 2, 6), X.reshape(2, 6, 2)), 2),
    "associative_scan": (lambda x: lax.associative_scan(lax.add, x, axis=1),
                         lambda x: np.cumsum(x, 1), (X,), 2),
    "associative_scan_odd": (lambda x: lax.associative_scan(lax.mul, x[:, :5], reverse=True, axis=1),
                             lambda x: np.flip(np.cumprod(np.flip(x[:, :5], 1), 1), 1), (X,), 2),
    "max_pool": (lambda x: lax.reduce_window(x, -np.inf, lax.max, (2, 3), (1, 2)),
                 lambda x: _pool_ref(x, (2, 3), (1, 2), np.max), (X,), 1),
    "sum_pool": (lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2)),
                 lambda x: _pool_ref(x, (2, 2), (2, 2), np.sum), (X,), 2),
    "min_pool": (lambda x: lax.reduce_window(x, np.inf, lax.min, (3, 1), (1, 1)),
                 lambda x: _pool_ref(x, (3, 1), (1, 1), np.min), (X,), 1),
    "mul_window": (lambda x: lax.reduce_window(x, 1.0, lax.mul, (1, 3)),
                   lambda x: _pool_ref(x, (1, 3), (1, 1), np.prod), (X,), 2),
    "stack": (lambda x: lax.stack([x, 2 * x], 1), lambda x: np.stack([x, 2 * x], 1), (X,), 2),
    "unstack": (lambda x: lax.unstack(x, 1), lambda x: tuple(np.moveaxis(x, 1, 0)), (X,), 2),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_and_derivatives(name):
  f, ref, args, order = TABLE[name]
  got, expected = f(*args), ref(*args)
  if isinstance(expected, (tuple, list)):
    assert len(got) == len(expected)
    pairs = list(zip(got, expected))
  else:
    pairs = [(got, expected)]
  for g, e in pairs:
    assert np.shape(g) == np.shape(e)
    np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-13)
  if order:
    check_grads(f, args, order=order)
  jitted = vjpkit.jit(f)(*args)
  for g, e in zip(jitted if isinstance(jitted, (tuple, list)) else [jitted], [p[0] for p in pairs]):
    np.testing.assert_allclose(g, e, rtol=1e-13)


@pytest.mark.parametrize("name", ["top_k", "cumlogsumexp", "max_pool", "sum_pool",
                                  "associative_scan", "reduce_prod", "tile"])
def test_vmap_matches_loop(name):
  f, _, args, _ = TABLE[name]
  xs = np.stack([args[0], args[0][::-1] * 0.5, args[0] + 1.0])
  got = vjpkit.vmap(f)(xs)
  np.testing.assert_allclose(got, np.stack([f(x) for x in xs]), rtol=1e-13)


def test_max_pool_gradient_goes_to_the_first_maximum():
  x = np.array([[1.0, 3.0, 3.0, 0.0]])
  g = vjpkit.grad(lambda x: vnp.sum(lax.reduce_window(x, -np.inf, lax.max, (1, 3), (1, 1))))(x)
  np.testing.assert_array_equal(g, [[0.0, 2.0, 0.0, 0.0]])  # both windows pick index 1
  g = vjpkit.grad(lambda x: vnp.sum(lax.top_k(x, 2)[0]))(x)
  np.testing.assert_array_equal(g, [[0.0, 1.0, 1.0, 0.0]])
  assert lax.top_k(x, 2)[1].tolist() == [[1, 2]]


def test_reduce_window_padding_and_dilation():
  x = np.arange(20.0).reshape(4, 5)
  same = lax.reduce_window(x, 0.0, lax.add, (2, 2), (2, 2), "SAME")
  assert same.shape == (2, 3) and lax.reduce_window_shape_tuple((4, 5), (2, 2), (2, 2), "SAME") == (2, 3)
  np.testing.assert_allclose(same, _pool_ref(np.pad(x, ((0, 0), (0, 1))), (2, 2), (2, 2), np.sum))
  dil = lax.reduce_window(x, 0.0, lax.add, (2, 2), window_dilation=(2, 2))
  np.testing.assert_allclose(dil, x[:-2, :-2] + x[2:, :-2] + x[:-2, 2:] + x[2:, 2:])
  base = lax.reduce_window(np.array([1.0, 2.0, 3.0]), 0.0, lax.add, (2,), base_dilation=(2,))
  np.testing.assert_allclose(base, [1.0, 2.0, 2.0, 3.0])  # windows of [1, 0, 2, 0, 3]
  assert lax.padtype_to_pads((5,), (2,), (2,), "SAME_LOWER") == [(1, 0)]
  check_grads(lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 3), (2, 1), "SAME", (1, 2), (2, 1)),
              (X,), order=2)
  with pytest.raises(NotImplementedError, match="several operands"):
    lax.reduce_window((x, x), (0.0, 0.0), lambda a, b: a, (2, 2))
  with pytest.raises(ValueError, match="padding must be"):
    lax.reduce_window(x, 0.0, lax.add, (2, 2), padding="FULL")


def test_associative_scan_pytrees():
  a, b = RNG.uniform(0.5, 1.0, 7), RNG.normal(size=7)

  def affine(e1, e2):  # composition of x -> a x + b maps: a linear recurrence
    return e2[0] * e1[0], e2[0] * e1[1] + e2[1]
  got = lax.associative_scan(affine, (a, b))[1]
  ref, h = [], 0.0
  for ak, bk in zip(a, b):
    h = ak * h + bk
    ref.append(h)
  np.testing.assert_allclose(got, ref, rtol=1e-13)
  with pytest.raises(ValueError, match="different lengths"):
    lax.associative_scan(affine, (a, b[:3]))


def test_cumlogsumexp_is_stable_and_exact_at_ties():
  x = np.array([-np.inf, -np.inf, 0.0, 1000.0, 1000.0])
  np.testing.assert_allclose(lax.cumlogsumexp(x), np.logaddexp.accumulate(x))
  g = vjpkit.grad(lambda x: lax.cumlogsumexp(x)[-1])(np.array([2.0, 2.0]))
  np.testing.assert_allclose(g, [0.5, 0.5])
  np.testing.assert_allclose(lax.cumlogsumexp(X, 1)[:, -1], logsumexp(X, 1))
  with pytest.raises(TypeError, match="float"):
    lax.cumlogsumexp(np.arange(3))


def test_integer_and_boolean_operations():
  assert lax.reduce_and(X > 0, (1,)).tolist() == np.all(X > 0, 1).tolist()
  assert lax.reduce_or(X > 0, (0,)).tolist() == np.any(X > 0, 0).tolist()
  ints = np.arange(12).reshape(3, 4)
  np.testing.assert_array_equal(lax.reduce_xor(ints, (1,)), np.bitwise_xor.reduce(ints, 1))
  np.testing.assert_array_equal(lax.reduce_and(ints + 1, (0,)), np.bitwise_and.reduce(ints + 1, 0))
  np.testing.assert_array_equal(lax.bitwise_and(ints, 5), ints & 5)
  np.testing.assert_array_equal(lax.bitwise_or(ints, 5), ints | 5)
  np.testing.assert_array_equal(lax.bitwise_xor(ints, 5), ints ^ 5)
  np.testing.assert_array_equal(lax.bitwise_not(ints), ~ints)
  np.testing.assert_array_equal(lax.shift_left(INTS, SHIFTS), [-128, -16, -8, 0, 0, 0, 0])
  np.testing.assert_array_equal(lax.shift_right_logical(INTS, SHIFTS), [-128, 124, 31, 0, 0, 0, 0])
  np.testing.assert_array_equal(lax.shift_right_arithmetic(INTS, SHIFTS), [-128, -4, -1, 0, 0, 0, 0])
  np.testing.assert_array_equal(lax.population_count(INTS), [1, 5, 8, 0, 1, 3, 7])
  np.testing.assert_array_equal(lax.clz(INTS), [0, 0, 0, 8, 7, 5, 1])
  np.testing.assert_array_equal(vjpkit.jit(lax.clz)(INTS), lax.clz(INTS))
  assert lax.is_finite(np.array([1.0, np.inf, np.nan])).tolist() == [True, False, False]
  assert lax.nextafter(np.array([1.0]), np.array([2.0]))[0] == np.nextafter(1.0, 2.0)
  with pytest.raises(TypeError, match="boolean or integer"):
    lax.reduce_and(X, (0,))
  with pytest.raises(TypeError, match="does not accept"):
    vjpkit.make_jaxpr(lax.shift_left)(X, X)


def test_conveniences_errors_and_shapes():
  with pytest.raises(ValueError, match="sum to"):
    lax.split(X, [1, 2], 1)
  with pytest.raises(ValueError, match="one entry per axis"):
    lax.tile(X, (2,))
  with pytest.raises(IndexError, match="out of bounds"):
    lax.index_in_dim(X, 6, 1)
  with pytest.raises(ValueError, match="k=7"):
    lax.top_k(X, 7)
  assert lax.broadcast_to_rank(np.ones(3), 3).shape == (1, 1, 3)
  assert lax.broadcast_like(np.ones(6), X).shape == (4, 6)
  assert lax.broadcast_shapes((2, 1), (3,)) == (2, 3)
  assert lax.empty((2,), np.float32).dtype == np.float32
  assert lax.optimization_barrier((X, [1.0]))[1] == [1.0]
  np.testing.assert_array_equal(
      lax.index_take(X, (np.array([1, 0]), np.array([2, 2])), (0, 1)), X[[1, 0], [2, 2]])
  i = vjpkit.jit(lambda x, i: lax.dynamic_slice_in_dim(x, i, 2, 1))(X, np.int64(-2))
  np.testing.assert_array_equal(i, X[:, 4:])


JAX_ROWS = ["rsqrt", "tile", "top_k", "cumlogsumexp", "max_pool", "sum_pool", "associative_scan",
            "reduce_prod", "dynamic_slice_in_dim"]


@pytest.mark.parametrize("name", JAX_ROWS)
def test_gradients_match_jax(name):
  jax = pytest.importorskip("jax")
  jax.config.update("jax_enable_x64", True)
  import jax.lax as jl
  import jax.numpy as jnp
  f = TABLE[name][0]
  x = TABLE[name][2][0]
  by_name = {"rsqrt": lambda m, x: m.rsqrt(x), "tile": lambda m, x: m.tile(x, (2, 3)),
             "top_k": lambda m, x: m.top_k(x, 3)[0], "cumlogsumexp": lambda m, x: m.cumlogsumexp(x, 1),
             "max_pool": lambda m, x: m.reduce_window(x, -np.inf, m.max, (2, 3), (1, 2)),
             "sum_pool": lambda m, x: m.reduce_window(x, 0.0, m.add, (2, 2), (2, 2)),
             "associative_scan": lambda m, x: m.associative_scan(m.add, x, axis=1),
             "reduce_prod": lambda m, x: m.reduce_prod(x, (1,)),
             "dynamic_slice_in_dim": lambda m, x: m.dynamic_slice_in_dim(x, -3, 2, 1)}
  g = by_name[name]
  ct = RNG.normal(size=np.shape(f(x)))
  ours = vjpkit.grad(lambda x: vnp.sum(g(lax, x) * ct))(x)
  theirs = jax.grad(lambda x: jnp.sum(g(jl, x) * ct))(x)
  np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
