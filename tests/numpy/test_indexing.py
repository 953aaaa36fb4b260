"""Indexing of traced arrays, one row per index: values equal NumPy's, JVP vs finite
differences, VJP vs JVP (the transpose of gather is scatter-add: repeated indices
accumulate), second order. Then the functional updates ``x.at[idx].op(v)`` against
NumPy's unbuffered ``np.add.at`` & co., and ``take``/``take_along_axis``.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.numpy.indexing import _IndexUpdateHelper
from vjpkit.testing import check_grads
from numpy_testutil import check, seeds, uniform

I = np.array([2, 0, 2, -1])          # repeated and negative entries
J = np.array([[0, 1], [1, 1]])
MASK = np.array([True, False, True, True])
SHAPE = (4, 3, 2)

# name -> index (applied as x[index] to an array of SHAPE)
INDICES = {
    "int": 1, "negative_int": -2, "slice": slice(1, None), "strided": slice(None, None, -2),
    "ellipsis": (Ellipsis, 1), "newaxis": (None, 1, slice(0, 2)),
    "array": I, "array_list": [0, 3, 3], "array_2d": J, "array_axis1": (slice(None), [2, 0, 2]),
    "two_arrays": (I, [0, 1, 2, 2]), "arrays_broadcast": (J, np.array([[0], [2]])),
    "arrays_separated": (I, slice(None), [1, 0, 1, 1]), "int_and_array": (1, slice(None), [0, 1, 1]),
    "array_and_newaxis": (None, I), "array_after_ellipsis": (Ellipsis, [1, 1, 0]),
    "mask": MASK, "mask_2d": np.arange(12).reshape(4, 3) % 3 == 0, "mask_and_slice": (MASK, 1, slice(0, 1)),
    "mask_last": (Ellipsis, np.array([True, False])), "scalar_array": np.array(2),
    "empty": np.zeros(0, int),
}

# name -> (index, update method, shape of values)
UPDATES = {
    "set_int": (1, "set", (3, 2)), "set_slice": (slice(0, 3, 2), "set", (2,)),
    "set_repeated": (I, "set", (4, 3, 2)), "add_repeated": (I, "add", (3, 2)),
    "add_two_arrays": ((I, [0, 1, 2, 0]), "add", (4, 2)), "add_mask": (MASK, "add", ()),
    "subtract": ((slice(None), 0), "subtract", (4, 2)), "multiply_repeated": (I, "multiply", (4, 3, 2)),
    "multiply_unique": ([0, 2], "multiply", (2, 3, 2)), "divide": ([1, 1], "divide", (3, 2)),
    "min_repeated": (I, "min", (4, 3, 2)), "max": ((Ellipsis, 1), "max", (4, 3)),
    "get": (I, "get", None),
}


@pytest.mark.parametrize("name", sorted(INDICES))
@settings(max_examples=4)
@given(seed=seeds)
def test_getitem(name, seed):
  idx = INDICES[name]
  x = uniform(np.random.default_rng(seed), SHAPE)
  check(lambda x: vnp.asarray(x)[idx] if isinstance(x, np.ndarray) else x[idx],
        lambda x: x[idx], [x], order=2)


def _at(x):
  """``x.at`` for tracers and (for the eager value check) plain arrays alike."""
  return x.at if isinstance(x, vjpkit.core.Tracer) else _IndexUpdateHelper(x)


def _numpy_update(x, idx, method, v):
  out = x.copy()
  if method == "set":
    out[idx] = v
  elif method == "get":
    return x[idx]
  else:
    ufunc = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
             "min": np.minimum, "max": np.maximum}[method]
    ufunc.at(out, idx, v)
  return out


@pytest.mark.parametrize("name", sorted(UPDATES))
@settings(max_examples=4)
@given(seed=seeds)
def test_at_updates(name, seed):
  idx, method, vshape = UPDATES[name]
  rng = np.random.default_rng(seed)
  x = uniform(rng, SHAPE)
  if method == "get":
    check(lambda x: _at(x)[idx].get(), lambda x: x[idx], [x], order=2)
    return
  v = uniform(rng, vshape, 0.5, 2.0) if method == "divide" else uniform(rng, vshape)
  if method in ("min", "max"):  # keep away from ties
    v = v + 0.05
  check(lambda x, v: getattr(_at(x)[idx], method)(v),
        lambda x, v: _numpy_update(x, idx, method, v), [x, v], order=2)


@settings(max_examples=4)
@given(seed=seeds)
def test_take_and_take_along_axis(seed):
  rng = np.random.default_rng(seed)
  x = uniform(rng, (3, 4))
  for call in (lambda m, x: m.take(x, [3, 0, 3], axis=1), lambda m, x: m.take(x, J),
               lambda m, x: m.take(x, [[5, -1]], mode="wrap"), lambda m, x: m.take(x, [7], mode="clip"),
               lambda m, x: m.take_along_axis(x, m.argsort(x, axis=1), axis=1),
               lambda m, x: m.take_along_axis(x, np.array([[0, 2, 2, 1]]), axis=0),
               lambda m, x: m.take_along_axis(x, np.array([[1], [0], [3]]), axis=-1),
               lambda m, x: m.compress([True, False, True], x, axis=0),
               lambda m, x: m.extract(x > 0, x)):
    check(lambda x: call(vnp, x), lambda x: call(np, x), [x], order=2)


def test_multiply_and_divide_by_constants_differentiate_in_x():
  # the tangent in x is scatter_mul(tx, idx, u), which reverse mode must transpose
  i = np.array([0, 0, 2])
  for f in (lambda x: _at(x)[i].multiply(np.array([2.0, 3.0, 4.0])),
            lambda x: _at(x)[i].divide(2.0)):
    check_grads(f, (np.arange(1.0, 5.0),), order=2)


def test_multiply_differentiates_in_the_update_under_jit():
  # the indices of a jitted program are its constants (traced when grad transforms it):
  # grad(jit(f)) raised NotImplementedError; now a rule for indices known by shape only
  f = lambda x: vnp.sum(vnp.sin(x.at[1].multiply(x[0])))
  x = np.arange(9.0).reshape(3, 3) / 7
  want = vjpkit.grad(f)(x)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.jit(f))(x), want, rtol=1e-14)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(f))(x), want, rtol=1e-14)
  # repeated, clamped out-of-range and traced indices, zeros among the updates: to order 3
  for i, mode in ((np.array([0, 2, 0, 0]), "drop"), (np.array([5, 2, -3, 7]), "drop"),
                  (np.array([5, 2, -3, 2]), "clip")):
    idx = i[:, None]
    g = lambda x, u, idx, mode=mode: vnp.sum(vnp.sin(vjpkit.lax.scatter_mul(x, idx, u, (0,), mode)))
    for u in (np.array([0.5, 2.0, -1.5, 3.0]), np.array([0.0, 2.0, 0.0, 3.0]),
              np.array([0.0, 0.0, 0.0, 1.5])):
      x = np.array([1.3, -0.7, 0.4])
      for d in (vjpkit.grad, vjpkit.hessian, lambda f, argnums: vjpkit.jacfwd(
          vjpkit.hessian(f, argnums), argnums)):
        want = d(lambda x, u: g(x, u, idx), argnums=(0, 1))(x, u)  # concrete indices
        for got in (d(vjpkit.jit(g), argnums=(0, 1))(x, u, idx),
                    d(vjpkit.jit(lambda x, u: g(x, u, idx)), argnums=(0, 1))(x, u)):
          for a, b in zip(vjpkit.tree_util.tree_leaves(got), vjpkit.tree_util.tree_leaves(want)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
  check_grads(vjpkit.jit(lambda x, u: g(x, u, np.array([[1], [1], [0]]), "drop")),
              (np.array([1.3, -0.7, 0.4]), np.array([0.5, 0.0, 2.0])), order=2)


def test_repeated_indices_accumulate_in_the_transpose():
  g = vjpkit.grad(lambda x: vnp.sum(x[np.array([0, 0, 2, 0])]))(np.zeros(3))
  np.testing.assert_array_equal(g, [3.0, 0.0, 1.0])
  g = vjpkit.grad(lambda v: vnp.sum(np.zeros(3) * 0.0 + vjpkit.lax.stop_gradient(0.0)
                                    + _traced_zero(v).at[np.array([1, 1])].add(v) ** 2))(
      np.array([1.0, 2.0]))
  np.testing.assert_array_equal(g, [6.0, 6.0])  # d/dv (v0 + v1)^2


def _traced_zero(v):
  return vnp.zeros(3) + 0.0 * vnp.sum(v)


def test_set_with_repeated_indices_gives_the_derivative_to_the_winner():
  def f(x, v):
    return vnp.sum(x.at[np.array([1, 1, 0])].set(v) * np.array([1.0, 10.0, 100.0]))
  gx, gv = vjpkit.grad(f, argnums=(0, 1))(np.ones(3), np.array([1.0, 2.0, 3.0]))
  np.testing.assert_array_equal(gx, [0.0, 0.0, 100.0])
  np.testing.assert_array_equal(gv, [0.0, 10.0, 1.0])


def test_index_errors():
  x = vnp.asarray(np.ones((2, 3)))
  def traced(f):
    return vjpkit.jvp(f, (np.ones((2, 3)),), (np.ones((2, 3)),))
  with pytest.raises(IndexError, match="out of bounds"):
    traced(lambda x: x[np.array([0, 2])])
  with pytest.raises(IndexError, match="out of bounds"):
    traced(lambda x: x.at[5].set(1.0))
  with pytest.raises(IndexError, match="integer"):
    traced(lambda x: x[np.array([0.5])])
  with pytest.raises(IndexError, match="too many"):
    traced(lambda x: x[0, 0, 0])
  with pytest.raises(TypeError, match="where"):  # a traced mask under vmap
    vjpkit.vmap(lambda x: x[x > 0])(np.ones((2, 3)))
  with pytest.raises(TypeError, match="immutable"):
    def assign(x):
      x[0] = 1.0
    traced(assign)
  assert x.shape == (2, 3)


def test_traced_indices_under_vmap():
  x = np.arange(12.0).reshape(3, 4)
  i = np.array([3, 0, -1])
  np.testing.assert_array_equal(vjpkit.vmap(lambda r, k: r[k])(x, i), x[np.arange(3), i])
  out = vjpkit.vmap(lambda r, k: r.at[k].add(10.0))(x, i)
  expected = x.copy()
  expected[np.arange(3), i] += 10.0
  np.testing.assert_array_equal(out, expected)
  np.testing.assert_array_equal(vjpkit.vmap(lambda k: vnp.take(x[0], k))(i), x[0][i])
