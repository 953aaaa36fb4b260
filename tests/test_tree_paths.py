"""tree_util's key paths, registrations (dataclasses, static, with keys, Partial) and
whole-tree operations, against jax.tree_util where it is installed; and vjpkit.tree."""
from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import tree_util as tu

NT = collections.namedtuple("NT", "a b")
TREES = [
    {"x": [1.0, (2.0, NT(3.0, 4.0))], "n": None, "o": collections.OrderedDict([("z", 5.0), ("a", 6.0)])},
    (1.0,), [], 7.0, [[], {"k": [None, 8.0]}],
]


@pytest.mark.parametrize("k", range(len(TREES)))
def test_paths_match_jax(k):
  jtu = pytest.importorskip("jax.tree_util")
  t = TREES[k]
  ours = [(tu.keystr(p), x) for p, x in tu.tree_flatten_with_path(t)[0]]
  theirs = [(jtu.keystr(p), x) for p, x in jtu.tree_flatten_with_path(t)[0]]
  assert ours == theirs
  simple = lambda m: [m.keystr(p, simple=True, separator="/") for p, _ in m.tree_leaves_with_path(t)]  # noqa: E731
  assert simple(tu) == simple(jtu)
  assert [repr(p) for p, _ in tu.tree_leaves_with_path(t)] == \
      [repr(p) for p, _ in jtu.tree_leaves_with_path(t)]
  assert tu.tree_flatten_with_path(t)[1] == tu.tree_structure(t)


def test_map_with_path_and_is_leaf():
  t = TREES[0]
  out = tu.tree_map_with_path(lambda p, x, y: (tu.keystr(p), x + y), t, t)
  assert out["x"][1][1].b == ("['x'][1][1].b", 8.0)
  pairs, treedef = tu.tree_flatten_with_path(t, is_leaf=lambda x: isinstance(x, tuple))
  assert [tu.keystr(p) for p, _ in pairs][-1] == "['x'][1]" and treedef.num_leaves == 4
  pairs, treedef = tu.tree_flatten_with_path(t, is_leaf=lambda p, x: len(p) == 2,
                                             is_leaf_takes_path=True)
  assert [tu.keystr(p) for p, _ in pairs] == ["['o']['z']", "['o']['a']", "['x'][0]", "['x'][1]"]
  assert tu.tree_unflatten(treedef, [v for _, v in pairs]) == t
  assert str(tu.FlattenedIndexKey(2)) == "[<flat index 2>]"


def test_registrations_with_keys():
  @tu.register_dataclass
  @dataclasses.dataclass
  class Layer:
    w: np.ndarray
    b: np.ndarray
    name: str = dataclasses.field(default="dense", metadata={"static": True})

  layer = Layer(np.ones(2), np.zeros(2))
  assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(layer)] == [".w", ".b"]
  g = vjpkit.grad(lambda l: vnp.sum(l.w * 3 + l.b))(layer)
  assert isinstance(g, Layer) and g.name == "dense"
  np.testing.assert_array_equal(g.w, [3.0, 3.0])
  assert tu.tree_structure(Layer(1, 2, "a")) != tu.tree_structure(Layer(1, 2, "b"))
  with pytest.raises(TypeError, match="not a dataclass"):
    tu.register_dataclass(int)

  class Point:
    def __init__(self, x, y):
      self.x, self.y = x, y
  tu.register_pytree_with_keys(
      Point, lambda p: (((tu.GetAttrKey("x"), p.x), (tu.GetAttrKey("y"), p.y)), None),
      lambda _, c: Point(*c))
  assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path([Point(1, 2)])] == ["[0].x", "[0].y"]
  assert tu.tree_map(lambda v: v * 2, Point(1, 2)).y == 4

  class Opaque:
    def __init__(self, v):
      self.v = v
  tu.register_pytree_node(Opaque, lambda o: ((o.v,), None), lambda _, c: Opaque(*c))
  assert tu.tree_leaves_with_path(Opaque(5))[0][0] == (tu.FlattenedIndexKey(0),)


def test_register_static_and_partial():
  @tu.register_static
  @dataclasses.dataclass(frozen=True)
  class Config:
    scale: float

  f = vjpkit.jit(lambda c, x: x * c.scale)
  assert f(Config(2.0), 3.0) == 6.0 and f(Config(3.0), 3.0) == 9.0
  assert tu.tree_leaves([Config(1.0), 2.0]) == [2.0]
  p = tu.Partial(tu.Partial(lambda a, b, c: a * b + c, 2.0), c=1.0)
  assert p(5.0) == 11.0 and tu.tree_leaves(p) == [2.0, 1.0]
  g = vjpkit.grad(lambda p, x: p(x))(p, 5.0)
  assert isinstance(g, tu.Partial) and g.args == (5.0,) and g.keywords == {"c": 1.0}


def test_whole_tree_operations():
  t = {"a": 1, "b": [2, 3]}
  assert tu.tree_reduce(lambda a, b: a + b, t) == 6 and tu.tree_reduce(max, [], 0) == 0
  with pytest.raises(TypeError, match="no leaves"):
    tu.tree_reduce(max, [])
  assert tu.tree_reduce_associative(lambda a, b: a + b, list(range(7))) == 21
  assert tu.tree_reduce_associative(lambda a, b: a + b, [], identity=0) == 0
  outer, inner = tu.tree_structure([0, 0, 0]), tu.tree_structure((0, {"k": 0}))
  x = [(i, {"k": 10 * i}) for i in range(3)]
  assert tu.tree_transpose(outer, inner, x) == ([0, 1, 2], {"k": [0, 10, 20]})
  assert tu.tree_transpose(outer, None, x) == ([0, 1, 2], {"k": [0, 10, 20]})
  assert tu.tree_broadcast((1, 2), ((3, 4), [5])) == ((1, 1), [2])
  with pytest.raises(ValueError, match="tree structures differ"):
    tu.tree_broadcast((1, 2), [3, 4])
  assert tu.all_leaves([1.0, np.ones(2)]) and not tu.all_leaves([(1.0,)])
  assert tu.is_tree_node(NT) and tu.is_tree_node(dict) and not tu.is_tree_node(float)
  assert tu.treedef_children(tu.tree_structure((1, [2, 3]))) == [
      tu.tree_structure(1), tu.tree_structure([2, 3])]
  assert tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure([1])]) == tu.tree_structure((1, [1]))
  assert tu.flatten_one_level({"b": 1, "a": 2}) == ((2, 1), ("a", "b"))
  with pytest.raises(ValueError, match="leaf"):
    tu.flatten_one_level(1.0)
  assert tu.tree_map(lambda a, b: (a, b), [1, 2], [(3, 4), None]) == [(1, (3, 4)), (2, None)]


def test_jax_tree_namespace():
  jt = pytest.importorskip("jax.tree")
  missing = [n for n in dir(jt) if not n.startswith("_") and not hasattr(vjpkit.tree, n)]
  assert not missing
  t = TREES[0]
  assert vjpkit.tree.map(lambda x: x * 2, t) == tu.tree_map(lambda x: x * 2, t)
  assert vjpkit.tree.structure(t) == tu.tree_structure(t)
  leaves, treedef = vjpkit.tree.flatten(t)
  assert vjpkit.tree.unflatten(treedef, leaves) == t
  assert vjpkit.tree.all([True, (1,)]) and vjpkit.tree.reduce(lambda a, b: a + b, [1, 2]) == 3
  assert dataclasses.fields(dataclasses.make_dataclass("D", [("s", int, vjpkit.tree.static(default=1))]))[0].metadata["static"]
