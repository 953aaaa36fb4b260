"""The rest of issue 15's functions: selection (select, piecewise, choose), signs,
type and shape questions, array-API names, assembling arrays (block, insert, delete,
...), orderings (lexsort, partition, nanargmax, ...), index helpers, log-spaced ranges,
and NumPy dispatch (including the in-place functions, which must raise).
"""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import assert_values, check, uniform

IDX = np.array([[0, 2, 1], [1, 1, 0]])

TABLE = {
    "select": (lambda m, x, y: m.select([x < -0.5, x > 0.5], [x * y, y], default=-2.0), [(2, 3), (3,)], 2),
    "piecewise": (lambda m, x: m.piecewise(x, [x < 0, x > 1], [lambda v: v ** 2, lambda v: v ** 3, 0.5]),
                  [(2, 4)], 2),
    "choose": (lambda m, x, y: m.choose(IDX, [x, y, 2.0]), [(2, 3), (3,)], 2),
    "choose_wrap": (lambda m, x, y: m.choose(IDX * 3 - 1, [x, y], mode="wrap"), [(2, 3), (2, 3)], 2),
    "choose_clip": (lambda m, x, y: m.choose(IDX * 3 - 1, [x, y], mode="clip"), [(2, 3), (2, 3)], 2),
    "copysign": (lambda m, x, y: m.copysign(x, y), [(2, 3), (3,)], 2),
    "signbit": (lambda m, x: m.signbit(x), [(2, 3)], 0),
    "cumulative_sum": (lambda m, x: m.cumulative_sum(x, axis=1, include_initial=True), [(2, 3)], 2),
    "cumulative_prod": (lambda m, x: m.cumulative_prod(x, include_initial=True), [(4,)], 2),
    "matrix_transpose": (lambda m, x: m.matrix_transpose(x), [(2, 3, 4)], 2),
    "permute_dims": (lambda m, x: m.permute_dims(x, (2, 0, 1)), [(2, 3, 4)], 2),
    "concat": (lambda m, x, y: m.concat([x, y], axis=1), [(2, 3), (2, 1)], 2),
    "unstack": (lambda m, x: m.unstack(x, axis=1), [(2, 3)], 2),
    "rollaxis": (lambda m, x: m.rollaxis(x, 2, 1), [(2, 3, 4)], 2),
    "block": (lambda m, x, y: m.block([[x, y], [y, x]]), [(2, 2), (2, 2)], 2),
    "insert_scalar": (lambda m, x, v: m.insert(x, 1, v, axis=1), [(2, 3), (2,)], 2),
    "insert_many": (lambda m, x, v: m.insert(x, [0, 2, 2], v), [(2, 3), (3,)], 2),
    "delete": (lambda m, x: m.delete(x, [0, 2], axis=1), [(2, 4)], 2),
    "trim_zeros": (lambda m, x: m.trim_zeros(m.concatenate([np.zeros(2), x, np.zeros(1)])), [(3,)], 2),
    "partition_values": (lambda m, x: m.partition(x, 2)[..., 2], [(3, 5)], 2),
    "lexsort": (lambda m, x, y: m.lexsort((m.round(x), m.round(y))), [(6,), (6,)], 0),
    "nanargmax": (lambda m, x: m.nanargmax(m.where(x > 1.0, np.nan, x), axis=1), [(3, 4)], 0),
    "nanargmin": (lambda m, x: m.nanargmin(m.where(x > 1.0, np.nan, x), axis=0), [(3, 4)], 0),
    "logspace": (lambda m, a, b: m.logspace(a, b, 5, base=3.0), [(), (2,)], 2),
    "geomspace": (lambda m, a, b: m.geomspace(a * a + 0.5, b * b + 1.0, 4), [(), (2,)], 2),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_and_derivatives(name):
  call, shapes, order = TABLE[name]
  rng = np.random.default_rng(sum(map(ord, name)))
  args = [uniform(rng, s, avoid=(-0.5, 0.0, 0.5, 1.0)) for s in shapes]
  check(lambda *xs: call(vnp, *xs), lambda *xs: call(np, *xs), args, order, rtol=1e-10,
        atol=1e-11)


@pytest.mark.parametrize("name", ["select", "choose_clip", "copysign", "signbit", "block",
                                  "insert_many", "nanargmax", "lexsort", "geomspace"])
def test_jit_equals_eager(name):
  call, shapes, _ = TABLE[name]
  rng = np.random.default_rng(7)
  args = [uniform(rng, s, avoid=(-0.5, 0.0, 0.5, 1.0)) for s in shapes]
  f = lambda *xs: call(vnp, *xs)  # noqa: E731
  assert_values(vjpkit.jit(f)(*args), f(*args), rtol=1e-13, atol=1e-13)


def test_vmap_equals_loop():
  rng = np.random.default_rng(8)
  x, y = uniform(rng, (3, 4)), uniform(rng, (3, 4))
  got = vjpkit.vmap(lambda a, b: vnp.cross(a[:3], b[:3]))(x, y)
  np.testing.assert_allclose(got, [np.cross(a[:3], b[:3]) for a, b in zip(x, y)])
  got = vjpkit.vmap(lambda a: vnp.select([a < 0], [a * 2], 1.0))(x)
  np.testing.assert_allclose(got, [np.select([a < 0], [a * 2], 1.0) for a in x])


def test_signs_at_zeros_infinities_and_nans():
  x = np.array([-1.0, -0.0, 0.0, 2.0, np.inf, -np.inf, np.nan, -np.nan])
  assert_values(vnp.signbit(x), np.signbit(x))
  traced = vjpkit.jit(vnp.signbit)(x)  # under jit the sign of a NaN is not visible
  np.testing.assert_array_equal(traced[:7], np.signbit(x)[:7])
  assert_values(vnp.copysign(np.ones(8), x), np.copysign(np.ones(8), x))
  assert_values(vnp.isposinf(x), np.isposinf(x))
  assert_values(vnp.isneginf(x), np.isneginf(x))
  assert vnp.copysign(np.float32(2), -1.0).dtype == np.float32
  g = vjpkit.grad(lambda a: vnp.sum(vnp.copysign(a, np.array([-1.0, 2.0]))))(np.array([3.0, -2.0]))
  np.testing.assert_array_equal(g, [-1.0, -1.0])


def test_nanargmax_all_nan_slices():
  x = np.array([[1.0, np.nan], [np.nan, np.nan]])
  with pytest.raises(ValueError, match="All-NaN"):
    vnp.nanargmax(x, axis=1)
  np.testing.assert_array_equal(vjpkit.jit(lambda x: vnp.nanargmax(x, axis=1))(x), [0, -1])
  assert vnp.nanargmax(np.array([np.nan, -np.inf, -np.inf])) == 1  # the first number, not a NaN


def test_partition_is_a_partition():
  x = uniform(np.random.default_rng(9), (3, 6))
  p, i = vnp.partition(x, 2), vnp.argpartition(x, 2)
  assert np.all(p[:, :2] <= p[:, 2:3]) and np.all(p[:, 3:] >= p[:, 2:3])
  np.testing.assert_array_equal(np.take_along_axis(x, i, 1), p)


def test_questions_about_types_and_values():
  t = lambda x: x  # noqa: E731
  assert vnp.isscalar(1.0) and vnp.isscalar(np.float32(1)) and not vnp.isscalar(np.ones(1))
  assert vjpkit.jit(lambda x: vnp.ones(()) * vnp.isscalar(x))(2.0) == 1.0
  assert vnp.iterable([1]) and not vnp.iterable(1.0)
  assert vnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
  assert vnp.promote_types(np.int32, np.float32) == np.float64
  assert vnp.can_cast(np.int64, np.float64) and not vnp.can_cast(np.float64, np.int32)
  assert vnp.issubdtype(np.float32, np.floating) and vnp.isdtype(np.int8, "integral")
  assert vnp.array_equal(t([1.0, np.nan]), [1.0, np.nan], equal_nan=True) is True
  assert vnp.array_equal([1.0], [1.0, 1.0]) is False
  assert vnp.array_equiv([1.0, 2.0], [[1.0, 2.0]]) is True and vnp.array_equiv([1.0, 2.0], [3.0]) is False
  assert bool(vjpkit.jit(lambda a: vnp.array_equal(a, a))(np.ones(2)))


def test_index_helpers():
  for n, k, m in ((3, 0, None), (3, 1, 4), (4, -1, 2)):
    assert_values(vnp.tril_indices(n, k, m), np.tril_indices(n, k, m))
    assert_values(vnp.triu_indices(n, k, m), np.triu_indices(n, k, m))
  a = np.zeros((3, 4))
  assert_values(vnp.tril_indices_from(a, 1), np.tril_indices_from(a, 1))
  assert_values(vnp.triu_indices_from(a, -1), np.triu_indices_from(a, -1))
  assert_values(vnp.diag_indices(3, 3), np.diag_indices(3, 3))
  assert_values(vnp.diag_indices_from(np.zeros((2, 2))), np.diag_indices_from(np.zeros((2, 2))))
  assert_values(vnp.indices((2, 3)), np.indices((2, 3)))
  assert_values(vnp.ix_([0, 1], [True, False, True]), np.ix_([0, 1], [True, False, True]))
  assert [i.shape for i in vjpkit.jit(lambda a, b: vnp.ix_(a, b))(np.arange(2), np.arange(3))] == [(2, 1), (1, 3)]
  flat = np.array([0, 5, 11, 7])
  for order in "CF":
    assert_values(vnp.unravel_index(flat, (3, 4), order), np.unravel_index(flat, (3, 4), order))
    assert_values(vjpkit.jit(lambda i: vnp.unravel_index(i, (3, 4), order))(flat),
                  np.unravel_index(flat, (3, 4), order))
  multi = (np.array([0, 5, -1]), np.array([3, 0, 9]))
  for mode in ("clip", "wrap", ("clip", "wrap")):
    assert_values(vjpkit.jit(lambda a, b: vnp.ravel_multi_index((a, b), (3, 4), mode=mode))(*multi),
                  np.ravel_multi_index(multi, (3, 4), mode=mode))
  with pytest.raises(TypeError, match="mode='clip'"):
    vjpkit.jit(lambda a, b: vnp.ravel_multi_index((a, b), (3, 4)))(*multi)
  with pytest.raises(ValueError):
    vnp.ravel_multi_index(multi, (3, 4))


def test_spaces_and_empty():
  assert_values(vnp.logspace(np.array([0.0, 1.0]), 2.0, 3, axis=1), np.logspace(np.array([0.0, 1.0]), 2.0, 3, axis=1))
  assert_values(vnp.logspace(0.0, 1.0, 3, base=np.array([2.0, 3.0])), np.logspace(0.0, 1.0, 3, base=np.array([2.0, 3.0])))
  for args in ((1.0, 1000.0, 4), (-1.0, -100.0, 5), (1, 8, 4), (2.0, 50.0, 5, False)):
    assert_values(vnp.geomspace(*args), np.geomspace(*args), rtol=1e-14)
  with pytest.raises(ValueError, match="zero"):
    vnp.geomspace(0.0, 1.0)
  assert_values(vnp.empty((2, 3)), np.zeros((2, 3)))


def test_assembly_matches_numpy_rules():
  x = uniform(np.random.default_rng(10), (3, 4, 5))
  for obj, vals, axis in ((1, 9.0, None), (2, x[0, 0], 1), ([2], x[:, :1], 1), (-1, 2.0, 0),
                          ([-1, 4], np.ones((2, 1)), 1), (slice(0, 4, 2), 3.0, 1)):
    assert_values(vnp.insert(x, obj, vals, axis), np.insert(x, obj, vals, axis))
  for obj, axis in ((1, None), ([0, 3], 1), (slice(1, None, 2), 2), (np.array([True, False, True]), 0)):
    assert_values(vnp.delete(x, obj, axis), np.delete(x, obj, axis))
  for start in (0, 1, 3, -1):
    assert vnp.rollaxis(x, 2, start).shape == np.rollaxis(x, 2, start).shape
  for blocks in ([1.0, 2.0], [[np.eye(2), np.zeros((2, 1))], [np.ones((1, 3))]], [np.ones(3), 4.0]):
    assert_values(vnp.block(blocks), np.block(blocks))
  with pytest.raises(TypeError, match="concrete"):
    vjpkit.jit(lambda i: vnp.delete(x, i))(np.array([1]))
  with pytest.raises(ValueError, match="depths"):
    vnp.block([[1.0], 2.0])


def test_numpy_dispatch_reaches_the_new_functions():
  x = np.array([1.0, 3.0, 2.0, 5.0])
  f = lambda x: (np.sum(np.diff(x) ** 2) + np.sum(np.quantile(x, [0.2, 0.5]))  # noqa: E731
                 + np.sum(np.unique(x)) + np.trapezoid(x) + np.sum(np.copysign(x, -1.0)))
  np.testing.assert_allclose(vjpkit.grad(f)(x), [-3.1, 7.5, -5.9, 6.5])  # JAX's numbers
  np.testing.assert_allclose(vjpkit.jit(lambda a: np.vecdot(a, a))(np.ones((2, 3))), [3.0, 3.0])


@pytest.mark.parametrize("call", [lambda x: np.put(x, [0], 1.0),
                                  lambda x: np.place(x, x > 0, 1.0),
                                  lambda x: np.putmask(x, x > 0, 1.0),
                                  lambda x: np.put_along_axis(x, np.zeros((1, 1), int), 1.0, 0),
                                  lambda x: np.fill_diagonal(x, 1.0)])
def test_in_place_numpy_functions_point_to_at(call):
  with pytest.raises(TypeError, match="in place"):
    vjpkit.grad(lambda x: (call(x), vnp.sum(x))[1])(np.ones((2, 2)))
