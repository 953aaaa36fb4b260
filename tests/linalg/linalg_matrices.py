"""Well-conditioned test matrices for the linalg tests, built from a seed.

Derivatives of decompositions are only defined (and finite differences only
accurate) away from repeated eigenvalues, repeated or zero singular values
and singular matrices, so each kind keeps a margin from those. Also what the linalg function
tables share: ``assert_tree_close`` (two pytrees of results compared) and ``first_example``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from vjpkit.tree_util import tree_flatten


def leaves(out) -> list[np.ndarray]:
  """The leaves of the pytree ``out``, as NumPy arrays."""
  return [np.asarray(x) for x in tree_flatten(out)[0]]


def first_example(strategy):
  """One example drawn from a hypothesis ``strategy`` (outside ``@given``)."""
  found = []

  @settings(max_examples=1, database=None)
  @given(strategy)
  def grab(x):
    found.append(x)
  grab()
  return found[0]


def assert_tree_close(actual, expected, rtol: float, atol: float) -> None:
  """The same number of leaves, of the same shapes, close to ``rtol`` and ``atol``."""
  actual, expected = leaves(actual), leaves(expected)
  assert len(actual) == len(expected)
  for a, e in zip(actual, expected):
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def _orthogonal(rng, batch, n):
  q, r = np.linalg.qr(rng.standard_normal(batch + (n, n)))
  return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def _spread(rng, batch, k, low, gap):
  """``k`` random values per batch entry, at least ``gap`` apart, from ``low`` up, shuffled."""
  steps = gap + rng.uniform(0, 0.5, batch + (k,))
  return rng.permuted(low - gap + np.cumsum(steps, -1), axis=-1)


def general(rng, batch, n, m=None):
  """A square matrix with singular values in about [2, 4]."""
  return rng.standard_normal(batch + (n, n)) / np.sqrt(n) + 3.0 * np.eye(n)


def spd(rng, batch, n, m=None):
  a = general(rng, batch, n)
  return a @ np.swapaxes(a, -1, -2) / 3.0 + np.eye(n)


def symmetric(rng, batch, n, m=None):
  """Symmetric (indefinite) with eigenvalues at least 1 apart."""
  q = _orthogonal(rng, batch, n)
  w = _spread(rng, batch, n, -n / 2, 1.0)
  return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def rect(rng, batch, n, m=None):
  """An ``n x m`` matrix with singular values in [1, ...], at least 0.7 apart."""
  m = n if m is None else m
  k = min(n, m)
  u = _orthogonal(rng, batch, n)[..., :k]
  v = _orthogonal(rng, batch, m)[..., :k]
  s = _spread(rng, batch, k, 1.0, 0.7)
  return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def rect_square(rng, batch, n, m=None):
  return rect(rng, batch, n, n)


KINDS = {"general": general, "spd": spd, "symmetric": symmetric, "rect": rect,
         "rect_square": rect_square}

batches = st.sampled_from([(), (2,), (2, 1)])


def matrices(kind: str, n=st.integers(1, 4), m=st.integers(1, 4), batch=batches):
  """Draws ``(matrix, rng)``: one matrix of ``kind`` and a generator for anything else."""
  def build(args):
    seed, b, n_, m_ = args
    rng = np.random.default_rng(seed)
    return KINDS[kind](rng, b, n_, m_), rng
  return st.tuples(st.integers(0, 2**32 - 1), batch, n, m).map(build)
