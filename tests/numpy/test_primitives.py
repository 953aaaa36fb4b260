"""The lax primitives added for vjpkit.numpy, one row each: JVP vs finite differences,
VJP vs JVP, second order, and vmap against a Python loop for every way of batching the
arguments (each alone, all together, and a batch axis that is not the first).

A row is ``name: (function, argument makers, order)``; a maker draws one argument
from a NumPy Generator (integer arguments are indices and get no derivative).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings

import vjpkit
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads
from numpy_testutil import seeds, uniform


def f64(shape, lo=-2.0, hi=2.0, avoid=()):
  return lambda rng: uniform(rng, shape, lo, hi, avoid)


def ints(shape, lo, hi):
  return lambda rng: rng.integers(lo, hi, size=shape).astype(np.int64)


IDX = ints((4, 1), 0, 3)    # repeated indices into an axis of size 3
X = f64((3, 2))
U = f64((4, 2))
TABLE = {
    "tan": (lax.tan, [f64((3,), -1.2, 1.2)], 2),
    "asin": (lax.asin, [f64((3,), -0.9, 0.9)], 2),
    "acos": (lax.acos, [f64((3,), -0.9, 0.9)], 2),
    "atan": (lax.atan, [f64((3,))], 2),
    "sinh": (lax.sinh, [f64((3,))], 2),
    "cosh": (lax.cosh, [f64((3,))], 2),
    "asinh": (lax.asinh, [f64((3,))], 2),
    "acosh": (lax.acosh, [f64((3,), 1.2, 3.0)], 2),
    "atanh": (lax.atanh, [f64((3,), -0.9, 0.9)], 2),
    "cbrt": (lax.cbrt, [f64((3,), avoid=(0.0,))], 2),
    "atan2": (lax.atan2, [f64((3,), avoid=(0.0,)), f64((3,), avoid=(0.0,))], 2),
    "rem": (lax.rem, [f64((3,), -3.0, 3.0), f64((3,), 0.5, 2.0)], 2),
    "pow_int": (lambda x, y: lax.mul(x, lax.convert_element_type(lax.pow(y, y), np.float64)),
                [f64((3,)), ints((3,), 0, 3)], 2),
    "cumsum": (lambda x: lax.cumsum(x, 1, reverse=True), [f64((2, 4))], 2),
    "cumprod": (lambda x: lax.cumprod(x, 1), [f64((2, 4))], 2),
    "cummax": (lambda x: lax.cummax(x, 0), [f64((4, 2))], 2),
    "cummin": (lambda x: lax.cummin(x, 1, reverse=True), [f64((2, 4))], 2),
    "gather": (lambda x, i: lax.gather(x, i, (0,)), [X, IDX], 2),
    "gather_2d": (lambda x, i: lax.gather(x, i, (1, 0)), [X, ints((2, 2), 0, 2)], 2),
    "scatter": (lambda x, i, u: lax.scatter(x, i, u, (0,)), [X, IDX, U], 2),
    "scatter_add": (lambda x, i, u: lax.scatter_add(x, i, u, (0,)), [X, IDX, U], 2),
    "scatter_mul": (lambda x, i, u: lax.scatter_mul(x, i, u, (0,)), [X, IDX, U], 2),
    "scatter_min": (lambda x, i, u: lax.scatter_min(x, i, u, (0,)), [X, IDX, U], 2),
    "scatter_max": (lambda x, i, u: lax.scatter_max(x, i, u, (0,)), [X, IDX, U], 2),
    "dynamic_slice": (lambda x, i: lax.dynamic_slice(x, (i, np.int64(1)), (2, 2)),
                      [f64((4, 3)), ints((), -1, 4)], 2),
    "dynamic_update_slice": (lambda x, u, i: lax.dynamic_update_slice(x, u, (np.int64(1), i)),
                             [f64((4, 3)), f64((2, 2)), ints((), 0, 3)], 2),
    "argsort": (lambda x: lax.argsort(x, 1, descending=True), [f64((2, 4))], 0),
    "sort": (lambda x: lax.sort(x, 0), [f64((4, 2))], 2),
    "searchsorted": (lambda a, v: lax.searchsorted(a, v, "right"),
                     [lambda rng: np.sort(rng.uniform(-2, 2, 5)), f64((3,))], 0),
}


def _args(makers, rng):
  return [m(rng) for m in makers]


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=5)
@given(seed=seeds)
def test_derivatives(name, seed):
  f, makers, order = TABLE[name]
  args = _args(makers, np.random.default_rng(seed))
  if name == "scatter_min" or name == "scatter_max":
    # keep away from ties (values of x and u closer than the finite differences' step)
    values = np.concatenate([args[0].ravel(), args[2].ravel()])
    assume(np.min(np.diff(np.sort(values))) > 0.01)
  if order:  # integer arguments (indices) are closed over: they have no derivative
    floats = [i for i, a in enumerate(args) if a.dtype.kind == "f"]

    def g(*xs):
      full = list(args)
      for i, x in zip(floats, xs):
        full[i] = x
      return f(*full)
    check_grads(g, [args[i] for i in floats], order=order)


def _in_axes_choices(n):
  """Each argument batched alone, all batched, and the first one batched on its last axis."""
  out = [tuple(0 if j == i else None for j in range(n)) for i in range(n)]
  out.append((0,) * n)
  out.append((-1,) + (0,) * (n - 1))
  return list(dict.fromkeys(out))


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=2)
@given(seed=seeds)
def test_vmap_matches_loop(name, seed):
  f, makers, _ = TABLE[name]
  rng = np.random.default_rng(seed)
  for in_axes in _in_axes_choices(len(makers)):
    if in_axes[0] == -1 and np.ndim(makers[0](rng)) == 0:
      continue
    n = 3
    draws = [[m(rng) for _ in range(n)] for m in makers]
    args = [d[0] if ax is None else np.stack(d, axis=ax) for d, ax in zip(draws, in_axes)]
    out = vjpkit.vmap(f, in_axes)(*args)
    loop = np.stack([f(*[d[0] if ax is None else d[b] for d, ax in zip(draws, in_axes)])
                     for b in range(n)])
    np.testing.assert_allclose(out, loop, rtol=1e-12, err_msg=f"in_axes={in_axes}")


def test_vmap_of_gradients_through_scatter_and_cumulative():
  x = np.random.default_rng(0).standard_normal((3, 4))
  idx = np.array([[0], [0], [2]])
  f = lambda x: lax.reduce_sum(lax.mul(lax.cumprod(lax.scatter_add(x, idx, x[:3], (0,)), 0), x))  # noqa
  batched = vjpkit.vmap(vjpkit.grad(f))(np.stack([x, 2 * x]))
  np.testing.assert_allclose(batched, np.stack([vjpkit.grad(f)(x), vjpkit.grad(f)(2 * x)]))


def test_scatter_mul_derivative_with_indices_traced_by_vmap():
  idx = np.array([[[0], [0]], [[1], [2]]])
  f = lambda i, x, u: lax.reduce_sum(lax.scatter_mul(x, i, u, (0,)))  # noqa: E731
  u = np.array([2.0, 3.0])
  got = vjpkit.vmap(lambda i: vjpkit.grad(f, argnums=2)(i, np.ones(3), u))(idx)
  np.testing.assert_array_equal(got, [[3.0, 2.0], [1.0, 1.0]])
  with pytest.raises(NotImplementedError, match="pairwise"):  # too many updates to pair
    vjpkit.vmap(lambda i: vjpkit.grad(f, argnums=2)(i, np.ones(3), np.ones(5000)))(
        np.zeros((2, 5000, 1), np.int64))
