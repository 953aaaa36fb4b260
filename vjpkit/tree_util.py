"""Pytrees: nested containers of arrays that transforms take apart and put back.

Tuples, lists, dicts (in sorted key order, as in JAX), ``None`` (a node with
no children), namedtuples and registered classes are nodes; everything else is
a leaf. A ``PyTreeDef`` records the structure; it is hashable, so it can key a
jit cache, and two trees match when their structures are equal.

>>> leaves, tree = tree_flatten({"b": (1.0, 2.0), "a": [3.0]})
>>> leaves
[3.0, 1.0, 2.0]
>>> tree_unflatten(tree, [x * 10 for x in leaves])
{'a': [30.0], 'b': (10.0, 20.0)}
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterable, NamedTuple, TypeVar, cast

__all__ = ["PyTreeDef", "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves",
           "tree_structure", "register_pytree_node", "register_pytree_node_class",
           "tree_all", "treedef_is_leaf"]

_C = TypeVar("_C", bound=type)


class _NodeType(NamedTuple):
  to_iterable: Callable[[Any], tuple[Iterable[Any], Hashable]]
  from_iterable: Callable[[Any, Iterable[Any]], Any]  # (aux data, children) -> node


_registry: dict[type, _NodeType] = {
    tuple: _NodeType(lambda t: (t, None), lambda _, c: tuple(c)),
    list: _NodeType(lambda l: (l, None), lambda _, c: list(c)),
    dict: _NodeType(lambda d: (tuple(d[k] for k in sorted(d)), tuple(sorted(d))),
                    lambda keys, c: dict(zip(keys, c))),
    OrderedDict: _NodeType(lambda d: (tuple(d.values()), tuple(d)),
                           lambda keys, c: OrderedDict(zip(keys, c))),
    type(None): _NodeType(lambda _: ((), None), lambda _, c: None),
}


def register_pytree_node(nodetype: type, flatten_func: Callable, unflatten_func: Callable) -> None:
  """Make ``nodetype`` a pytree node.

  ``flatten_func(x) -> (children, aux_data)`` and
  ``unflatten_func(aux_data, children) -> x``; ``aux_data`` must be hashable.

  >>> class Pair:
  ...   def __init__(self, a, b): self.a, self.b = a, b
  >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, c: Pair(*c))
  >>> tree_leaves(Pair(1.0, (2.0, 3.0)))
  [1.0, 2.0, 3.0]
  """
  _registry[nodetype] = _NodeType(flatten_func, unflatten_func)


def register_pytree_node_class(cls: _C) -> _C:
  """Class decorator: ``cls.tree_flatten(self)`` and ``cls.tree_unflatten(aux, children)``.

  >>> @register_pytree_node_class
  ... class Box:
  ...   def __init__(self, x): self.x = x
  ...   def tree_flatten(self): return (self.x,), None
  ...   @classmethod
  ...   def tree_unflatten(cls, aux, children): return cls(*children)
  >>> tree_leaves([Box(1.0), Box(2.0)])
  [1.0, 2.0]
  """
  register_pytree_node(cls, lambda x: x.tree_flatten(), cast(Any, cls).tree_unflatten)
  return cls


def _node_type(x) -> _NodeType | None:
  node = _registry.get(type(x))
  if node is None and isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
    cls = type(x)
    return _NodeType(lambda t: (tuple(t), cls), lambda c, children: c(*children))
  return node


class PyTreeDef:
  """The structure of a pytree: node kinds and aux data, without the leaves."""
  __slots__ = ("kind", "aux", "children", "num_leaves", "_hash")

  def __init__(self, kind, aux, children: tuple["PyTreeDef", ...]):
    self.kind, self.aux, self.children = kind, aux, children
    self.num_leaves: int = 1 if kind is None else sum(c.num_leaves for c in children)
    self._hash = hash((kind, aux, children))

  def __eq__(self, other):
    return (type(other) is PyTreeDef and self._hash == other._hash and self.kind == other.kind
            and self.aux == other.aux and self.children == other.children)

  def __hash__(self):
    return self._hash

  @property
  def num_nodes(self) -> int:
    return 1 + sum(c.num_nodes for c in self.children)

  def __repr__(self):
    if self.kind is None:
      return "*"
    inner = ", ".join(map(repr, self.children))
    name = getattr(self.kind, "__name__", str(self.kind))
    if self.kind is tuple:
      return f"({inner}{',' if len(self.children) == 1 else ''})"
    if self.kind is list:
      return f"[{inner}]"
    if self.kind is dict:
      return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.aux, self.children)) + "}"
    if self.kind is type(None):
      return "None"
    return f"{name}({inner})"


_LEAF = None
_LEAF_DEF = PyTreeDef(_LEAF, None, ())  # immutable, so one object serves every leaf


def _flatten(x, leaves: list, is_leaf) -> PyTreeDef:
  if is_leaf is not None and is_leaf(x):
    leaves.append(x)
    return _LEAF_DEF
  node = _node_type(x)
  if node is None:
    leaves.append(x)
    return _LEAF_DEF
  children, aux = node.to_iterable(x)
  kind = type(x) if type(x) in _registry else ("namedtuple", type(x))
  return PyTreeDef(kind, aux, tuple(_flatten(c, leaves, is_leaf) for c in children))


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
  """The leaves of ``tree`` in order, and its structure.

  >>> tree_flatten((1.0, [2.0, None]))
  ([1.0, 2.0], (*, [*, None]))
  """
  leaves: list = []
  return leaves, _flatten(tree, leaves, is_leaf)


def _unflatten(tree: PyTreeDef, it) -> Any:
  if tree.kind is _LEAF:
    return next(it)
  children = [_unflatten(c, it) for c in tree.children]
  if isinstance(tree.kind, tuple):  # namedtuple
    return tree.kind[1](*children)
  return _registry[tree.kind].from_iterable(tree.aux, children)


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
  """Rebuild a tree of structure ``treedef`` from ``leaves``.

  >>> tree_unflatten(tree_structure((0, {"k": 0})), [1, 2])
  (1, {'k': 2})
  """
  leaves = list(leaves)
  if len(leaves) != treedef.num_leaves:
    raise ValueError(f"tree_unflatten: the structure {treedef} has {treedef.num_leaves} "
                     f"leaves, but {len(leaves)} were given")
  return _unflatten(treedef, iter(leaves))


def tree_leaves(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> list:
  """The leaves of ``tree`` in flattening order.

  >>> tree_leaves({"w": 1.0, "b": [2.0, 3.0]})
  [2.0, 3.0, 1.0]
  """
  return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
  """The ``PyTreeDef`` of ``tree``.

  >>> tree_structure((1.0, [2.0]))
  (*, [*])
  """
  return tree_flatten(tree, is_leaf)[1]


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
  return treedef.kind is _LEAF


def tree_map(f: Callable, tree: Any, *rest: Any, is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Apply ``f`` to corresponding leaves of ``tree`` and ``rest`` (same structures).

  >>> tree_map(lambda x, y: x + y, (1.0, [2.0]), (10.0, [20.0]))
  (11.0, [22.0])
  """
  leaves, treedef = tree_flatten(tree, is_leaf)
  others = []
  for r in rest:
    r_leaves, r_def = tree_flatten(r, is_leaf)
    if r_def != treedef:
      raise ValueError(f"tree_map: tree structures differ: {treedef} vs {r_def}")
    others.append(r_leaves)
  return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def tree_all(tree: Any) -> bool:
  """True when every leaf is truthy.

  >>> tree_all([True, (1, 2.0)])
  True
  """
  return all(tree_leaves(tree))
