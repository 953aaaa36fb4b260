"""Pytrees: flatten/unflatten round trips, registration, structure equality."""
from __future__ import annotations

import collections

import pytest

from vjpkit.tree_util import (register_pytree_node, tree_flatten, tree_leaves, tree_map,
                              tree_structure, tree_unflatten)

Point = collections.namedtuple("Point", "x y")


class Custom:
  def __init__(self, a, b, tag):
    self.a, self.b, self.tag = a, b, tag


register_pytree_node(Custom, lambda c: ((c.a, c.b), c.tag), lambda tag, ch: Custom(*ch, tag))


@pytest.mark.parametrize("tree", [
    1.0, (), [1, (2, 3)], {"b": 1, "a": [2, None]}, Point(1, (2,)), [Custom(1, [2], "t")],
    collections.OrderedDict([("z", 1), ("a", 2)]), None,
])
def test_roundtrip(tree):
  leaves, td = tree_flatten(tree)
  back = tree_unflatten(td, leaves)
  assert tree_structure(back) == td
  assert tree_leaves(back) == leaves


def test_dict_order_and_none():
  assert tree_leaves({"b": 1, "a": 2}) == [2, 1]
  assert tree_leaves([None, 1]) == [1]


def test_structure_equality_and_hash():
  assert tree_structure((1, [2])) == tree_structure((5, [6]))
  assert tree_structure((1, [2])) != tree_structure((1, (2,)))
  assert hash(tree_structure({"a": 1})) == hash(tree_structure({"a": 2}))
  assert tree_structure(Custom(1, 2, "x")) != tree_structure(Custom(1, 2, "y"))


def test_tree_map_and_errors():
  assert tree_map(lambda a, b: a * b, Point(1, 2), Point(3, 4)) == Point(3, 8)
  with pytest.raises(ValueError, match="differ"):
    tree_map(lambda a, b: a, (1, 2), [1, 2])
  with pytest.raises(ValueError, match="leaves"):
    tree_unflatten(tree_structure((1, 2)), [1])
