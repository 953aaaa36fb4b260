"""Hypothesis strategies for gradient tests of your own functions.

>>> from hypothesis import given, settings
>>> import vjpkit.numpy as vnp
>>> from vjpkit.testing import check_grads, strategies as vst
>>> @settings(max_examples=5, deadline=None)
... @given(vst.arrays(shape=vst.shapes(max_dims=2), low=-2, high=2))
... def test_my_function(x):
...   check_grads(lambda x: vnp.tanh(x) * x, (x,), order=2)
>>> test_my_function()
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import strategies as st

__all__ = ["shapes", "arrays", "broadcastable_shapes", "pytrees", "well_conditioned_matrices",
           "spd_matrices", "programs"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
           ) -> st.SearchStrategy[tuple[int, ...]]:
  """Array shapes with ``min_dims..max_dims`` axes of length ``min_side..max_side``."""
  return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def arrays(shape: tuple[int, ...] | st.SearchStrategy = (), dtype=np.float64, low: float = -3.0,
           high: float = 3.0, avoid: Sequence[float] = (), margin: float = 0.1
           ) -> st.SearchStrategy[np.ndarray]:
  """Float arrays with elements in ``[low, high]``, at least ``margin`` away from each point
  in ``avoid`` (e.g. ``avoid=(0,)`` for ``abs``), so finite differences are meaningful."""
  shape_st = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))
  avoid = tuple(avoid)

  def build(args):
    shape, seed = args
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    for a in avoid:  # push values that are too close to a kink out of its neighbourhood
      near = np.abs(x - a) < margin
      x = np.where(near, a + np.where(x >= a, margin, -margin) * 2, x)
    return np.asarray(x, dtype)
  return st.tuples(shape_st, st.integers(0, 2**32 - 1)).map(build)


def broadcastable_shapes(max_dims: int = 3, max_side: int = 4
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
  """Pairs of shapes that broadcast together under NumPy's rules."""
  def split(args):
    full, drop_lead, ones_mask = args
    other = tuple(1 if m else s for s, m in zip(full, ones_mask))[drop_lead:]
    return full, other
  return shapes(0, max_dims, 1, max_side).flatmap(lambda full: st.tuples(
      st.just(full), st.integers(0, len(full)), st.lists(st.booleans(), min_size=len(full),
                                                           max_size=len(full)))).map(split)


def pytrees(leaves: st.SearchStrategy | None = None, max_leaves: int = 4) -> st.SearchStrategy[Any]:
  """Nested tuples, lists and dicts of arrays (the structures transforms accept)."""
  leaves = leaves if leaves is not None else arrays(shapes(max_dims=2))
  return st.recursive(
      leaves,
      lambda children: st.one_of(
          st.lists(children, min_size=1, max_size=3),
          st.lists(children, min_size=1, max_size=3).map(tuple),
          st.dictionaries(st.sampled_from("abcd"), children, min_size=1, max_size=3)),
      max_leaves=max_leaves)


def well_conditioned_matrices(n: int | st.SearchStrategy = st.integers(1, 4),
                              batch: tuple[int, ...] = ()) -> st.SearchStrategy[np.ndarray]:
  """Square matrices whose condition number stays small (a random matrix plus a shift)."""
  n_st = n if isinstance(n, st.SearchStrategy) else st.just(n)

  def build(args):
    n, seed = args
    a = np.random.default_rng(seed).standard_normal(batch + (n, n))
    return a / np.sqrt(n) + 3.0 * np.eye(n)
  return st.tuples(n_st, st.integers(0, 2**32 - 1)).map(build)


def spd_matrices(n: int | st.SearchStrategy = st.integers(1, 4),
                 batch: tuple[int, ...] = ()) -> st.SearchStrategy[np.ndarray]:
  """Symmetric positive definite matrices with eigenvalues in about [1, 5]."""
  return well_conditioned_matrices(n, batch).map(
      lambda a: (a @ np.swapaxes(a, -1, -2)) / 3.0 + np.eye(a.shape[-1]))


# -- random differentiable programs ------------------------------------------------

def _ops():
  import vjpkit.numpy as vnp
  unary = [("sin", vnp.sin), ("cos", vnp.cos), ("tanh", vnp.tanh), ("exp_neg_sq",
           lambda x: vnp.exp(-x * x)), ("square", lambda x: x * x), ("scale", lambda x: 0.5 * x),
           ("softplus", lambda x: vnp.log1p(vnp.exp(x)))]
  binary = [("add", lambda x, y: x + y), ("mul", lambda x, y: x * y), ("sub", lambda x, y: x - y),
            ("div_safe", lambda x, y: x / (1.0 + y * y))]
  return unary, binary


def programs(n_inputs: int = 2, max_ops: int = 6) -> st.SearchStrategy[tuple[Callable, str]]:
  """Random smooth programs ``f(*xs) -> array`` over the differentiable primitives.

  Each draw is ``(f, description)``; ``f`` takes ``n_inputs`` arrays of one shape. Every
  intermediate value is available to later operations, so values fan out (several
  consumers) and programs are DAGs rather than chains.
  """
  unary, binary = _ops()
  step = st.one_of(
      st.tuples(st.just(1), st.integers(0, len(unary) - 1), st.integers(0, 10**6), st.just(0)),
      st.tuples(st.just(2), st.integers(0, len(binary) - 1), st.integers(0, 10**6),
                st.integers(0, 10**6)))

  def build(steps):
    desc = []
    for k, (arity, op, a, b) in enumerate(steps):
      name = (unary if arity == 1 else binary)[op][0]
      desc.append(f"v{n_inputs + k} = {name}(v{a % (n_inputs + k)}"
                  + (f", v{b % (n_inputs + k)})" if arity == 2 else ")"))

    def f(*xs):
      vals = list(xs)
      for arity, op, a, b in steps:
        n = len(vals)
        if arity == 1:
          vals.append(unary[op][1](vals[a % n]))
        else:
          vals.append(binary[op][1](vals[a % n], vals[b % n]))
      return vals[-1]
    return f, "; ".join(desc)
  return st.lists(step, min_size=1, max_size=max_ops).map(build)
