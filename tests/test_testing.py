"""vjpkit.testing: the checks catch wrong derivatives, and the strategies draw valid data."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings, strategies as st

import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.interpreters.jvp import defjvp
from vjpkit.lax._declare import unop
from vjpkit.testing import GradientCheckError, check_grads
from vjpkit.testing import strategies as vst

# A primitive with a deliberately wrong derivative: sin with d/dx = 2 cos x.
_bad_sin_p = unop("bad_sin", np.sin)
defjvp(_bad_sin_p, lambda t, ans, x: lax.mul(lax.mul(t, 2.0), lax.cos(x)))


def test_wrong_derivative_is_caught_in_both_modes():
  x = np.array([0.3, 0.7])
  with pytest.raises(GradientCheckError, match=r"mode fwd\) for argument 0: largest error"):
    check_grads(_bad_sin_p.bind, (x,), order=1, modes=("fwd",))
  with pytest.raises(GradientCheckError, match=r"mode rev\) for argument 0"):
    check_grads(_bad_sin_p.bind, (x,), order=1, modes=("rev",))


def test_wrong_second_derivative_is_caught_at_order_2():
  # first derivative right, second wrong: d/dx f = cos x is computed by a primitive whose
  # own derivative is claimed to be +sin x instead of -sin x
  wrong_cos_p = unop("wrong_cos", np.cos)
  defjvp(wrong_cos_p, lambda t, ans, x: lax.mul(t, lax.sin(x)))
  f_p = unop("sin_with_wrong_cos", np.sin)
  defjvp(f_p, lambda t, ans, x: lax.mul(t, wrong_cos_p.bind(x)))
  check_grads(f_p.bind, (np.array([0.5]),), order=1)
  with pytest.raises(GradientCheckError, match="order 2"):
    check_grads(f_p.bind, (np.array([0.5]),), order=2)


def test_failure_message_names_the_argument():
  f = lambda x, y: vnp.sin(x) + _bad_sin_p.bind(y)  # noqa: E731
  with pytest.raises(GradientCheckError, match="argument 1"):
    check_grads(f, (np.ones(2), np.ones(2)), order=1, modes=("fwd",))


@given(vst.broadcastable_shapes())
def test_broadcastable_shapes(pair):
  np.broadcast_shapes(*pair)


@given(vst.spd_matrices())
def test_spd(a):
  np.testing.assert_allclose(a, a.T, atol=1e-12)
  assert np.linalg.eigvalsh(a).min() > 0.5


@given(vst.pytrees())
def test_pytrees_are_differentiable(tree):
  from vjpkit import grad
  from vjpkit.tree_util import tree_leaves
  g = grad(lambda t: sum(vnp.sum(vnp.sin(x)) for x in tree_leaves(t)))(tree)
  for x, gx in zip(tree_leaves(tree), tree_leaves(g)):
    np.testing.assert_allclose(gx, np.cos(x))


@given(vst.programs(), vst.arrays(shape=(3,), low=-1, high=1), vst.arrays(shape=(3,), low=-1, high=1))
def test_random_programs(program, x, y):
  f, _ = program
  check_grads(f, (x, y), order=2)


@given(vst.arrays(shape=vst.shapes(max_dims=2), low=-2, high=2, avoid=(0.0,)))
def test_avoid_keeps_margin(x):
  assert np.all(np.abs(x) >= 0.1 - 1e-12)
  check_grads(vnp.abs, (x,), order=2)


def test_strategy_kinds():
  assert isinstance(vst.shapes(), st.SearchStrategy)


def test_failing_property_shrinks_to_a_small_shape_and_simple_values():
  # deliberately false property: no array of 3 or more elements has one above 1 in size.
  # derandomized, so the shrunk example is the same on every run
  minimal = find(vst.arrays(), lambda x: x.size >= 3 and np.abs(x).max() > 1,
                 settings=settings(database=None, derandomize=True, max_examples=200))
  assert minimal.size == 3 and minimal.ndim <= 2
  assert np.count_nonzero(minimal) == 1 and 1 < np.abs(minimal).max() <= 2


def test_default_arrays_draw_varied_shapes_within_bounds():
  assert find(vst.arrays(), lambda x: x.ndim == 3, settings=settings(database=None)).shape == (1, 1, 1)
  x = find(vst.arrays(low=0.5, high=0.7, dtype=np.float32), lambda x: x.size >= 4,
           settings=settings(database=None))
  assert x.dtype == np.float32 and np.all((x >= 0.5) & (x <= 0.7))
  with pytest.raises(ValueError, match="widen the range or lower margin"):
    find(vst.arrays(low=-0.05, high=0.05, avoid=(0,)), lambda x: True)


def test_integer_arguments_are_skipped_at_every_order():
  check_grads(lambda x, n: vnp.sin(x) * n, (np.array([0.3, 0.5]), np.array([2, 3])), order=2)
