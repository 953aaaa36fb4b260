"""Issue 11, "no silent wrong numbers": indexing, scatters, deep pytrees, argument checks.

Each case was a wrong number or a message from deep inside NumPy; now it is the right
number (the expected values of out-of-range updates are JAX's, hard-coded) or a clear
error naming the vjpkit function and the fix.
"""
import re

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.tree_util import tree_flatten, tree_leaves, tree_map, tree_structure, tree_unflatten

TRANSFORMS = ["grad", "jvp", "vjp", "vmap", "jit"]


def _apply(transform, f, x):
  """Run ``f`` (array -> array) on ``x`` under one transform."""
  x = np.asarray(x, np.float64)
  if transform == "grad":
    return vjpkit.grad(lambda x: vnp.sum(f(x)))(x)
  if transform == "jvp":
    return vjpkit.jvp(f, (x,), (np.ones_like(x),))[1]
  if transform == "vjp":
    out, f_vjp = vjpkit.vjp(f, x)
    return f_vjp(np.ones(np.shape(out)))[0]
  if transform == "vmap":
    return vjpkit.vmap(f)(x[None])
  return vjpkit.jit(f)(x)


# -- 1. boolean masks must have the shape of the axes they index ------------------------

MASK_CASES = {
    "short": ((3,), lambda x: x[np.array([True, False])], 0, 3, 2),
    "long": ((3,), lambda x: x[np.array([True, False, False, True])], 0, 3, 4),
    "2-d": ((2, 3), lambda x: x[np.ones((2, 2), bool)], 1, 3, 2),
    "with an int": ((2, 3), lambda x: x[0, np.array([True, False])], 1, 3, 2),
    "after an ellipsis": ((2, 3), lambda x: x[..., np.array([True, False])], 1, 3, 2),
    "with an array": ((2, 3), lambda x: x[np.array([True, False, True]), np.array([0])], 0, 2, 3),
    "at set": ((3,), lambda x: x.at[np.array([True, False])].set(0.0), 0, 3, 2),
    "at add": ((2, 3), lambda x: x.at[:, np.array([True] * 4)].add(1.0), 1, 3, 4),
}


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("case", sorted(MASK_CASES))
def test_mask_of_the_wrong_shape_raises_like_numpy(case, transform):
  shape, f, axis, n, m = MASK_CASES[case]
  message = (f"boolean index did not match indexed array along axis {axis}; size of axis is {n} "
             f"but size of corresponding boolean axis is {m}")
  if "at" not in case:
    with pytest.raises(IndexError, match=message):
      f(np.ones(shape))  # NumPy's own message, for reference
  with pytest.raises(IndexError, match=message + r" \(vjpkit: .*need a mask of shape"):
    _apply(transform, f, np.ones(shape))


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_mask_of_the_right_shape_still_works(transform):
  mask = np.array([[True, False, True], [False, False, True]])
  out = _apply(transform, lambda x: x.at[mask].set(0.0) * x[mask][1], np.arange(1.0, 7.0).reshape(2, 3))
  value, grad = [[0, 6, 0], [12, 15, 0]], [[0, 3, 11], [3, 3, 0]]  # as JAX
  expected = {"grad": grad, "jvp": [[0, 5, 0], [7, 8, 0]], "vjp": grad, "vmap": [value],
              "jit": value}[transform]
  np.testing.assert_allclose(out, expected)


def test_take_reads_booleans_as_integers_and_take_along_axis_rejects_them():
  x, m = np.arange(3.0), np.array([True, False])
  np.testing.assert_array_equal(vnp.take(x, m), np.take(x, m))  # NumPy and JAX: x[1], x[0]
  np.testing.assert_array_equal(vjpkit.grad(lambda x: vnp.sum(vnp.take(x, m)))(x), [1, 1, 0])
  with pytest.raises(IndexError, match=r"take_along_axis: `indices` must be an integer array"):
    vjpkit.grad(lambda x: vnp.sum(vnp.take_along_axis(x, m, 0)))(x)


# -- 2. out-of-range updates under jit/vmap are dropped; reads clamp (as JAX) -----------

X = [0.0, 1.0, 2.0]
U = {"set": 10.0, "add": 10.0, "subtract": 10.0, "multiply": 10.0, "divide": 10.0, "min": -5.0,
     "max": 10.0}
# jax.jit(lambda x, i: getattr(x.at[i], method)(U[method]))(X, i) for traced i
JAX_UPDATES = {
    "set": {-1: [0, 1, 10], -3: [10, 1, 2]},
    "add": {-1: [0, 1, 12], -3: [10, 1, 2]},
    "subtract": {-1: [0, 1, -8], -3: [-10, 1, 2]},
    "multiply": {-1: [0, 1, 20], -3: [0, 1, 2]},
    "divide": {-1: [0, 1, 0.2], -3: [0, 1, 2]},
    "min": {-1: [0, 1, -5], -3: [-5, 1, 2]},
    "max": {-1: [0, 1, 10], -3: [10, 1, 2]},
}
OUT_OF_RANGE = [3, 7, -4, -7]


@pytest.mark.parametrize("method", sorted(U))
def test_traced_out_of_range_updates_are_dropped(method):
  f = vjpkit.jit(lambda x, i: getattr(x.at[i], method)(U[method]))
  for i in OUT_OF_RANGE:
    np.testing.assert_allclose(f(np.array(X), i), X, err_msg=f"index {i}")
  for i, expected in JAX_UPDATES[method].items():
    np.testing.assert_allclose(f(np.array(X), i), expected, err_msg=f"index {i}")
  # vmap over the index (no jit): the same, one row per index
  rows = vjpkit.vmap(lambda x, i: getattr(x.at[i], method)(U[method]))(
      np.tile(X, (6, 1)), np.array(OUT_OF_RANGE + [-1, -3]))
  np.testing.assert_allclose(rows, [X] * 4 + [JAX_UPDATES[method][-1], JAX_UPDATES[method][-3]])


def test_traced_reads_clamp():
  x = np.array(X)
  for read in (lambda x, i: x[i], lambda x, i: x.at[i].get()):
    got = [float(vjpkit.jit(read)(x, i)) for i in (7, 3, -1, -3, -4, -7)]
    assert got == [2, 2, 2, 0, 0, 0]  # JAX's values
  # jnp.take's default mode is "fill": NaN, negative indices wrapped once (JAX's values)
  got = [float(vjpkit.jit(vnp.take)(x, i)) for i in (7, 3, -1, -3, -4, -7)]
  np.testing.assert_array_equal(got, [np.nan, np.nan, 2, 0, np.nan, np.nan])
  ints = vjpkit.jit(vnp.take)(np.arange(3), np.array([7, 1]))
  np.testing.assert_array_equal(ints, [np.iinfo(np.int64).min, 1])
  np.testing.assert_array_equal(vjpkit.vmap(lambda i: vnp.take(x, i))(np.array([1, 5])), [1, np.nan])
  np.testing.assert_array_equal(vjpkit.jit(vjpkit.grad(lambda x, i: x[i]))(x, 7), [0, 0, 1])


def test_dropped_updates_with_arrays_and_2d_indices():
  add = vjpkit.jit(lambda x, i, u: x.at[i].add(u))
  np.testing.assert_array_equal(add(np.array(X), np.array([0, 5, -1, -5, 2]), np.arange(1.0, 6.0)),
                                [1, 1, 10])
  add2 = vjpkit.jit(lambda y, i, j: y.at[i, j].add(1.0))
  np.testing.assert_array_equal(add2(np.zeros((2, 3)), np.array([1, 0, 2, -1]), np.array([3, -1, 0, 0])),
                                [[0, 0, 1], [1, 0, 0]])
  rows = vjpkit.jit(lambda y, i: y.at[i, 1:].add(1.0))
  np.testing.assert_array_equal(rows(np.zeros((2, 3)), -3), np.zeros((2, 3)))
  np.testing.assert_array_equal(rows(np.zeros((2, 3)), -1), [[0, 0, 0], [0, 1, 1]])


# jax.jit(jax.grad(lambda x, u, i: sum(getattr(x.at[i], m)(u) ** 2), (0, 1)))(X + 1, 3.0, i)
JAX_GRADS = {
    "set": {7: ([2, 4, 6], 0), -4: ([2, 4, 6], 0), -1: ([2, 4, 0], 6)},
    "add": {7: ([2, 4, 6], 0), -4: ([2, 4, 6], 0), -1: ([2, 4, 12], 12)},
    "max": {7: ([2, 4, 6], 0), -4: ([2, 4, 6], 0), -1: ([2, 4, 3], 3)},
    "min": {7: ([2, 4, 6], 0), -4: ([2, 4, 6], 0), -1: ([2, 4, 3], 3)},
    "multiply": {7: ([2, 4, 6], 0), -4: ([2, 4, 6], 0), -1: ([2, 4, 54], 54)},
}


def _loss(method):
  return lambda x, u, i: vnp.sum(getattr(x.at[i], method)(u) ** 2)


def _derivatives(transform, loss, argnums, x, i):
  """The derivatives of ``loss(x, 3.0, i)`` in the ``argnums`` arguments, by one transform."""
  if transform == "jit(grad)":
    return vjpkit.jit(vjpkit.grad(loss, argnums))(x, 3.0, i)
  if transform == "grad(jit)":
    return vjpkit.grad(vjpkit.jit(loss), argnums)(x, 3.0, i)
  if transform == "vmap(grad)":
    got = vjpkit.vmap(vjpkit.grad(loss, argnums), in_axes=(None, None, 0))(x, 3.0, np.array([i, i]))
    return [g[0] for g in got]
  jitted = vjpkit.jit(loss)  # i is traced inside

  def f(x, u):
    return jitted(x, u, i)
  if transform == "jvp":  # directional derivatives along each axis of x, then along u
    got = [[vjpkit.jvp(lambda x: f(x, 3.0), (x,), (e,))[1] for e in np.eye(3)]]
    return got + ([vjpkit.jvp(lambda u: f(x, u), (3.0,), (1.0,))[1]] if len(argnums) == 2 else [])
  if len(argnums) == 2:
    return vjpkit.vjp(f, x, 3.0)[1](1.0)
  return vjpkit.vjp(lambda x: f(x, 3.0), x)[1](1.0)


@pytest.mark.parametrize("i", [7, -4, -1])
@pytest.mark.parametrize("transform", ["jit(grad)", "grad(jit)", "vmap(grad)", "jvp", "vjp"])
@pytest.mark.parametrize("method", sorted(JAX_GRADS))
def test_derivatives_of_dropped_updates(method, transform, i):
  argnums = (0,) if method == "multiply" else (0, 1)  # scatter_mul in u needs concrete indices
  got = _derivatives(transform, _loss(method), argnums, np.array(X) + 1, i)
  for g, e in zip(got, JAX_GRADS[method][i][:len(argnums)], strict=True):
    np.testing.assert_allclose(g, e)


@pytest.mark.parametrize("i", [3, -4])
def test_concrete_out_of_range_updates_still_raise(i):
  with pytest.raises(IndexError, match=f"index {i} is out of bounds for axis 0 with size 3"):
    vjpkit.grad(lambda x: vnp.sum(x.at[i].add(1.0)))(np.array(X))
  np.testing.assert_array_equal(vjpkit.grad(lambda x: vnp.sum(x.at[-1].set(1.0)))(np.array(X)), [1, 1, 0])


def test_lax_scatter_modes():
  idx, u = np.array([[0], [5], [-1]]), np.array([1.0, 2.0, 3.0])
  np.testing.assert_array_equal(lax.scatter_add(np.zeros(3), idx, u, (0,)), [1, 0, 0])
  np.testing.assert_array_equal(lax.scatter_add(np.zeros(3), idx, u, (0,), mode="clip"), [4, 0, 2])
  grads = vjpkit.grad(lambda u: vnp.sum(lax.scatter_mul(np.ones(3) * 2, idx, u, (0,)) ** 2))(u)
  np.testing.assert_allclose(grads, [8, 0, 0])
  with pytest.raises(ValueError, match="mode must be 'drop'.*or 'clip'"):
    lax.scatter(np.zeros(3), idx, u, (0,), mode="fill")


def test_take_mode_fill_fills_like_jax():
  x, i = np.arange(3.0), np.array([-1, 3, -4, 1])
  expected = [2, np.nan, np.nan, 1]  # jnp.take(x, i, mode="fill")
  np.testing.assert_array_equal(vnp.take(x, i, mode="fill"), expected)
  np.testing.assert_array_equal(vjpkit.jit(lambda x, i: vnp.take(x, i, mode="fill"))(x, i), expected)
  np.testing.assert_array_equal(vjpkit.vmap(lambda i: vnp.take(x, i, mode="fill"))(i), expected)
  grad = vjpkit.jit(vjpkit.grad(lambda x, i: vnp.nansum(vnp.take(x, i, mode="fill"))))
  np.testing.assert_array_equal(grad(x, i), [0, 1, 1])


# -- 3. pytrees of any depth: every traversal uses an explicit stack ---------------------

DEPTH = 10_000


def _chain(depth, leaf):
  """A chain of lists and dicts ``depth`` deep around one leaf."""
  x = leaf
  for i in range(depth):
    x = [x] if i % 2 else {"a": x}
  return x


def _first_leaf(tree):
  return tree_leaves(tree)[0]


def test_deep_pytree_flatten_unflatten_map_and_structure():
  x = _chain(DEPTH, 1.0)
  leaves, tree = tree_flatten(x)
  assert leaves == [1.0] and tree.num_leaves == 1 and tree.num_nodes == DEPTH + 1
  back = tree_unflatten(tree, [2.0])
  assert tree_structure(back) == tree and hash(tree_structure(back)) == hash(tree)
  assert tree_structure(_chain(DEPTH, (1.0,))) != tree
  assert tree_structure(_chain(DEPTH - 1, [1.0])) != tree  # same depth, other kinds
  assert tree_leaves(tree_map(lambda a, b: a + b, x, back)) == [3.0]
  text = repr(tree)
  assert text.startswith("[{'a': [{'a': ") and text.endswith("}]") and text.count("*") == 1
  with pytest.raises(ValueError, match="tree structures differ"):
    tree_map(lambda a, b: a, _chain(DEPTH, (1.0,)), x)
  # a further tree may extend the first one's structure (JAX's prefix rule)
  assert tree_leaves(tree_map(lambda a, b: b, x, _chain(DEPTH, (1.0,)))) == [1.0]


def test_deep_pytree_under_transforms():
  x = _chain(DEPTH, np.float64(3.0))
  loss = lambda p: _first_leaf(p) ** 2  # noqa: E731
  assert _first_leaf(vjpkit.grad(loss)(x)) == 6.0
  assert vjpkit.jvp(loss, (x,), (x,))[1] == 18.0
  assert _first_leaf(vjpkit.vjp(loss, x)[1](1.0)) == 6.0
  jitted = vjpkit.jit(lambda p: (_first_leaf(p) * 2, p))
  value, same = jitted(x)
  assert value == 6.0 and _first_leaf(same) == 3.0
  jitted(_chain(DEPTH, np.float64(1.0)))  # the cache key (hash and ==) of a deep structure
  assert len(jitted._cache) == 1
  batch = _chain(DEPTH, np.array([1.0, 2.0]))
  np.testing.assert_array_equal(vjpkit.vmap(loss)(batch), [1, 4])
  np.testing.assert_array_equal(vjpkit.vmap(loss, in_axes=(_chain(DEPTH, 0),))(batch), [1, 4])
  with pytest.raises(ValueError, match=r"vmap: in_axes=.*\.\.\..* does not match the structure"):
    vjpkit.vmap(loss, in_axes=(_chain(DEPTH - 1, 0),))(batch)


# -- 4. argument checks name the vjpkit function, the argument and the fix ---------------

_SIZE = r"sizes must be >= 0"
ARGUMENT_CASES = {
    "reshape -2": (lambda x: vnp.reshape(x, (-2, 3)), ValueError,
                   r"vjpkit\.numpy\.reshape: newshape \(-2, 3\) has -2 at position 0, but " + _SIZE
                   + r" \(or one -1"),
    "reshape method -3": (lambda x: x.reshape(2, -3), ValueError,
                          r"vjpkit\.numpy\.reshape: newshape \(2, -3\) has -3 at position 1"),
    "reshape two -1": (lambda x: vnp.reshape(x, (-1, -1)), ValueError,
                       r"vjpkit\.numpy\.reshape: newshape \(-1, -1\) has more than one -1"),
    "reshape wrong size": (lambda x: vnp.reshape(x, (4, -1)), ValueError,
                           r"reshape: cannot reshape an array of size 6 \(shape \(6,\)\) into shape \(4, -1\)"),
    "reshape float": (lambda x: vnp.reshape(x, (2.0, 3)), TypeError,
                      r"vjpkit\.numpy\.reshape: newshape \(2\.0, 3\) has 2\.0 at position 0, which is not"),
    "zeros": (lambda x: x + vnp.zeros((-1, 3)), ValueError,
              r"vjpkit\.numpy\.zeros: shape \(-1, 3\) has -1 at position 0, but " + _SIZE + "$"),
    "ones": (lambda x: x + vnp.ones(-2), ValueError, r"vjpkit\.numpy\.ones: shape is -2, but " + _SIZE),
    "full": (lambda x: vnp.full((3, -1), x[0]), ValueError,
             r"vjpkit\.numpy\.full: shape \(3, -1\) has -1 at position 1"),
    "zeros float": (lambda x: x + vnp.zeros((2.5,)), TypeError,
                    r"vjpkit\.numpy\.zeros: shape \(2\.5,\) has 2\.5 at position 0, which is not an integer"),
    "eye": (lambda x: x + vnp.eye(-1), ValueError, r"vjpkit\.numpy\.eye: N is -1, but " + _SIZE),
    "eye float": (lambda x: x + vnp.eye(2.0), TypeError,
                  r"vjpkit\.numpy\.eye: N must be an integer, got 2\.0 \(float\)"),
    "tile": (lambda x: vnp.tile(x, (1.5,)), TypeError,
             r"vjpkit\.numpy\.tile: reps \(1\.5,\) has 1\.5 at position 0, which is not an integer"),
    "repeat": (lambda x: vnp.repeat(x, -1), ValueError,
               r"vjpkit\.numpy\.repeat: repeats -1 has negative values"),
    "broadcast_to": (lambda x: vnp.broadcast_to(x, (-1, 6)), ValueError,
                     r"vjpkit\.numpy\.broadcast_to: shape \(-1, 6\) has -1 at position 0"),
    "ragged": (lambda x: x + vnp.array([[1.0], [1.0, 2.0]]), ValueError,
               r"vjpkit\.numpy\.array: the nested sequence is ragged .*after 1 dimensions.*pad them"),
    "ragged with arrays": (lambda x: vnp.array([[x[0]], [x[0], x[1]]]), ValueError,
                           r"numpy\.array: the nested sequence is ragged .*(\(1,\) and \(2,\)|inhomogeneous)"),
}
INDEX_CASES = {
    "x[1.0]": (lambda x: x[1.0], IndexError, re.escape(
        "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean "
        "arrays are valid indices (vjpkit indexing: the index at position 0 is 1.0; use an int")),
    "x[::2, 'a']": (lambda x: x.reshape(2, 3)[::2, "a"], IndexError,
                    r"only integers, slices .*the index at position 1 is 'a'"),
    "float array": (lambda x: x[np.array([1.0])], IndexError,
                    re.escape("arrays used as indices must be of integer (or boolean) type (vjpkit "
                              "indexing: the index at position 0 is array([1.]); convert it with .astype(int)")),
    "float slice": (lambda x: x[1.5:], TypeError,
                    r"slice indices must be integers or None .*the slice at position 0 is slice\(1\.5"),
    "at[1.0]": (lambda x: x.at[1.0].set(0.0), IndexError, r"only integers, slices .*position 0 is 1\.0"),
}


def _run(context, f):
  x = np.arange(6.0)
  if context == "concrete":
    return f(x)
  if context == "grad":
    return vjpkit.grad(lambda x: vnp.sum(f(x)))(x)
  return vjpkit.jit(f)(x)


@pytest.mark.parametrize("case, context", [
    (case, context) for case in sorted(ARGUMENT_CASES) for context in ("concrete", "grad", "jit")
    if not (context == "concrete" and "method" in case)])  # there it is NumPy's own method
def test_bad_arguments_raise_clear_errors(case, context):
  f, error, message = ARGUMENT_CASES[case]
  with pytest.raises(error, match=message):
    _run(context, f)


@pytest.mark.parametrize("context", ["grad", "jit"])
@pytest.mark.parametrize("case", sorted(INDEX_CASES))
def test_bad_indices_raise_numpys_errors_with_the_fix(case, context):
  f, error, message = INDEX_CASES[case]
  with pytest.raises(error, match=message):
    _run(context, f)


def test_traced_sizes_and_indices_say_what_to_do():
  from vjpkit.core.errors import ConcretizationTypeError
  with pytest.raises(ConcretizationTypeError, match=r"vjpkit\.numpy\.zeros: shape is traced .*static_argnums"):
    vjpkit.jit(lambda n: vnp.zeros(n))(3)
  with pytest.raises(ConcretizationTypeError, match=r"reshape: newshape has a traced value at position 0"):
    vjpkit.jit(lambda x, n: vnp.reshape(x, (n, 3)))(np.ones(6), 2)
  with pytest.raises(IndexError, match=r"arrays used as indices must be of integer .*position 0 is f64\[\]"):
    vjpkit.jit(lambda x, i: x[i])(np.ones(3), 1.0)
  with pytest.raises(IndexError, match=r"slice at position 0 has a traced bound .*dynamic_slice"):
    vjpkit.jit(lambda x, i: x[i:])(np.ones(3), 1)
  assert vjpkit.jit(lambda x: vnp.reshape(x, (np.int64(2), -1)))(np.ones(6)).shape == (2, 3)


@pytest.mark.parametrize("transform", ["grad", "jit"])
def test_where_with_a_mask_of_the_wrong_shape_names_where(transform):
  with pytest.raises(ValueError, match=re.escape(
      "vjpkit.numpy.where: operands could not be broadcast together with shapes (2,) (3,) ()")):
    _apply(transform, lambda x: vnp.where(np.array([True, False]), x, 0.0), np.ones(3))
