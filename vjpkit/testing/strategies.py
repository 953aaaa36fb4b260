"""Hypothesis strategies for gradient tests of your own functions.

Built on :mod:`hypothesis.extra.numpy`: every element of an array is drawn on its own, so when a
property fails hypothesis shrinks the example to a small shape and simple values (zeros, small
integers) rather than reporting the first random array it found.

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

import math
from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["shapes", "arrays", "broadcastable_shapes", "pytrees", "well_conditioned_matrices",
           "spd_matrices", "programs"]


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
           ) -> st.SearchStrategy[tuple[int, ...]]:
  """Array shapes with ``min_dims..max_dims`` axes of length ``min_side..max_side``; they
  shrink towards fewer and shorter axes.

  >>> from hypothesis import find
  >>> find(shapes(), lambda s: len(s) >= 2)
  (1, 1)
  """
  return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                          max_side=max_side)


def _inward(value: float, ftype: type, toward: float) -> float:
  """``value`` rounded to the float type ``ftype``, moved one step towards ``toward`` if the
  rounding took it outside the interval (hypothesis wants bounds exactly representable)."""
  r = ftype(value)
  if (toward > value and r < value) or (toward < value and r > value):
    r = np.nextafter(r, ftype(toward))
  return float(r)


def _intervals(low: float, high: float, avoid: Sequence[float], margin: float, ftype: type
               ) -> list[tuple[float, float]]:
  """``[low, high]`` less the open ``margin``-neighbourhood of each point of ``avoid``, as closed
  intervals with bounds representable in ``ftype``, the one nearest to zero (then the
  positive one) first."""
  if not low <= high:
    raise ValueError(f"arrays(): low={low} is above high={high}; pass low <= high")
  pieces = [(float(low), float(high))]
  for a in avoid:
    cut_lo, cut_hi = a - margin, a + margin
    pieces = ([(lo, min(hi, cut_lo)) for lo, hi in pieces if lo <= cut_lo]
              + [(max(lo, cut_hi), hi) for lo, hi in pieces if hi >= cut_hi])
  rounded = [(_inward(lo, ftype, hi), _inward(hi, ftype, lo)) for lo, hi in pieces]
  rounded = sorted({(lo, hi) for lo, hi in rounded if lo <= hi},
                   key=lambda iv: (max(iv[0], 0.0, -iv[1]), iv[0] < 0, iv))
  if not rounded:
    raise ValueError(f"arrays(): no value in [{low}, {high}] is at least margin={margin} away "
                     f"from every point of avoid={tuple(avoid)}; widen the range or lower margin")
  return rounded


def _elements(dtype: np.dtype, low: float, high: float, avoid: Sequence[float], margin: float
              ) -> st.SearchStrategy:
  """Scalars of ``dtype`` in ``[low, high]``, at least ``margin`` away from each of ``avoid``.

  The allowed set is drawn directly (a choice of intervals, each a bounded float strategy)
  rather than by rejection or by moving values, so it never runs dry and values shrink
  to the simplest allowed ones.
  """
  if dtype.kind in "fc":
    width = np.finfo(dtype).bits
    ftype = np.finfo(dtype).dtype.type
    pieces = [st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False,
                        allow_subnormal=False)
              for lo, hi in _intervals(low, high, avoid, margin, ftype)]
    if dtype.kind == "c":  # both parts in [low, high]; avoid applies to the real part
      return st.builds(complex, st.one_of(pieces), st.one_of(pieces))
    return st.one_of(pieces)
  if dtype.kind in "iu":
    return st.integers(math.ceil(low), math.floor(high)).filter(
        lambda v: all(abs(v - a) >= margin for a in avoid))
  raise TypeError(f"arrays(): dtype {dtype} is not a float, complex or integer type; "
                  "pass dtype=np.float64, np.float32, ... or an integer type")


def arrays(shape: int | tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
           dtype: Any = np.float64, low: float = -3.0, high: float = 3.0,
           avoid: Sequence[float] = (), margin: float = 0.1) -> st.SearchStrategy[np.ndarray]:
  """Arrays of ``dtype`` (float by default) with elements in ``[low, high]``, at least
  ``margin`` away from each point in ``avoid`` (e.g. ``avoid=(0,)`` for ``abs``), so finite
  differences are meaningful.

  ``shape`` is a shape or a strategy for shapes; by default :func:`shapes` (0 to 3 axes).
  Each element is drawn on its own (no NaN, infinity or subnormal), so failing examples
  shrink to small shapes and simple values:

  >>> from hypothesis import find
  >>> find(arrays(), lambda x: x.size >= 2)
  array([0., 0.])
  >>> find(arrays(shape=(2,), avoid=(0,), margin=0.5), lambda x: True)
  array([1., 1.])
  >>> find(arrays(shape=3, dtype=np.float32, low=0.1, high=0.2), lambda x: True).dtype
  dtype('float32')
  """
  shape_st = shapes() if shape is None else shape
  dtype = np.dtype(dtype)
  return hnp.arrays(dtype, shape_st, elements=_elements(dtype, low, high, tuple(avoid), margin),
                    fill=st.nothing())


def broadcastable_shapes(max_dims: int = 3, max_side: int = 4
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
  """Pairs of shapes that broadcast together under NumPy's rules (either may have length-1
  or missing axes where the other has longer ones).

  >>> from hypothesis import find, settings
  >>> sorted(find(broadcastable_shapes(), lambda p: p[0] != p[1],
  ...             settings=settings(database=None)))  # the simplest pair: in either order
  [(), (1,)]
  """
  return hnp.mutually_broadcastable_shapes(
      num_shapes=2, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
  ).map(lambda b: (b.input_shapes[0], b.input_shapes[1]))


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
  """Square ``n x n`` matrices (with leading ``batch`` axes) whose singular values lie in
  ``[1, 3]``: ``2 I + A / n`` for ``A`` with elements in ``[-1, 1]`` (``||A||_2 <= n``).
  They shrink towards ``2 I``, whose eigenvalues repeat: add distinctness yourself where a
  derivative needs it (eigenvectors).

  >>> from hypothesis import find
  >>> find(well_conditioned_matrices(), lambda a: a.shape[0] >= 2)
  array([[2., 0.],
         [0., 2.]])
  """
  n_st = n if isinstance(n, st.SearchStrategy) else st.just(n)
  return n_st.flatmap(lambda n: arrays(tuple(batch) + (n, n), low=-1.0, high=1.0).map(
      lambda a: 2.0 * np.eye(n) + a / n))


def spd_matrices(n: int | st.SearchStrategy = st.integers(1, 4),
                 batch: tuple[int, ...] = ()) -> st.SearchStrategy[np.ndarray]:
  """Symmetric positive definite matrices with eigenvalues in ``[4/3, 4]``: ``M M^T / 3 + I``
  for ``M`` from :func:`well_conditioned_matrices`."""
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
