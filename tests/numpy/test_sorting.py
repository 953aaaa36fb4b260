"""Sorting and searching in vjpkit.numpy, one row each: values equal NumPy's, and for
``sort`` (a gather at the sorting permutation) JVP/VJP checks to second order.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import check, seeds, uniform

SORTED = np.array([-1.0, 0.0, 0.0, 1.5])
TABLE = {
    "sort": (lambda m, x: m.sort(x), (2, 4), 2),
    "sort_axis0": (lambda m, x: m.sort(x, axis=0), (3, 2), 2),
    "sort_flat": (lambda m, x: m.sort(x, axis=None), (2, 3), 2),
    "argsort": (lambda m, x: m.argsort(x), (2, 4), 0),
    "argsort_axis0": (lambda m, x: m.argsort(x, axis=0, kind="stable"), (3, 2), 0),
    "searchsorted": (lambda m, x: m.searchsorted(SORTED, x), (5,), 0),
    "searchsorted_right": (lambda m, x: m.searchsorted(SORTED, m.round(x), side="right"), (2, 3), 0),
    "searchsorted_sorter": (lambda m, x: m.searchsorted(x[::-1], 0.1, sorter=[3, 2, 1, 0]), (4,), 0),
}


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=5)
@given(seed=seeds)
def test_values_and_derivatives(name, seed):
  call, shape, order = TABLE[name]
  x = uniform(np.random.default_rng(seed), shape)
  if name == "searchsorted_sorter":
    x = np.sort(x)
  check(lambda x: call(vnp, x), lambda x: call(np, x), [x], order)


def test_sort_with_ties_and_nans():
  x = np.array([2.0, np.nan, 1.0, 2.0])
  np.testing.assert_array_equal(vnp.sort(x), np.sort(x))
  np.testing.assert_array_equal(vnp.argsort(x), np.argsort(x, kind="stable"))
  g = vjpkit.grad(lambda x: vnp.sort(x)[-1] * 3.0 + vnp.sort(x)[0])(np.array([2.0, 5.0, 1.0]))
  np.testing.assert_array_equal(g, [0.0, 3.0, 1.0])
