"""Whole-tree operations: reductions, transposing a tree of trees, broadcasting a prefix,
and questions about structures.

>>> tree_reduce(lambda a, b: a + b, {"x": 1, "y": [2, 3]})
6
>>> tree_transpose(tree_structure([0, 0]), tree_structure((0, 0)), [(1, 2), (3, 4)])
([1, 3], [2, 4])
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from ._core import (PyTreeDef, _LEAF_DEF, _registry, flatten_up_to, tree_flatten, tree_map,
                    tree_structure, tree_unflatten)

__all__ = ["all_leaves", "is_tree_node", "tree_broadcast", "tree_reduce",
           "tree_reduce_associative", "tree_transpose", "treedef_children", "treedef_tuple"]

_MISSING = object()


def tree_reduce(function: Callable[[Any, Any], Any], tree: Any, initializer: Any = _MISSING,
                is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """``functools.reduce(function, leaves[, initializer])``.

  >>> tree_reduce(max, [3, (7, 1)], 0)
  7
  """
  leaves = tree_flatten(tree, is_leaf)[0]
  if initializer is _MISSING:
    if not leaves:
      raise TypeError("tree_reduce: the tree has no leaves and no initializer was given")
    return functools.reduce(function, leaves)
  return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation: Callable[[Any, Any], Any], tree: Any, *,
                            identity: Any = _MISSING,
                            is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """Reduce the leaves with an associative ``operation`` pairwise (a balanced tree of
  calls, depth ``log2(n)``); ``identity`` for a tree without leaves.

  >>> tree_reduce_associative(lambda a, b: a + b, [1, 2, 3, 4, 5])
  15
  """
  leaves = tree_flatten(tree, is_leaf)[0]
  if not leaves:
    if identity is _MISSING:
      raise TypeError("tree_reduce_associative: the tree has no leaves and no identity was given")
    return identity
  while len(leaves) > 1:
    pairs = [operation(a, b) for a, b in zip(leaves[::2], leaves[1::2])]
    leaves = pairs + ([leaves[-1]] if len(leaves) % 2 else [])
  return leaves[0]


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None,
                   pytree_to_transpose: Any) -> Any:
  """A tree of structure ``outer`` of trees of structure ``inner`` as an ``inner`` tree of
  ``outer`` trees (``inner`` None: that of the first inner tree).

  >>> tree_transpose(tree_structure((0, 0)), None, ({"a": 1}, {"a": 2}))
  {'a': (1, 2)}
  """
  inner_trees = flatten_up_to(outer_treedef, pytree_to_transpose)
  if inner_treedef is None:
    if not inner_trees:
      raise ValueError("tree_transpose: the outer structure has no leaves, so the inner one "
                       "cannot be inferred; pass inner_treedef")
    inner_treedef = tree_structure(inner_trees[0])
  columns = [flatten_up_to(inner_treedef, t) for t in inner_trees]
  rows = [tree_unflatten(outer_treedef, [c[j] for c in columns])
          for j in range(inner_treedef.num_leaves)]
  return tree_unflatten(inner_treedef, rows)


def tree_broadcast(prefix_tree: Any, full_tree: Any,
                   is_leaf: Callable[[Any], bool] | None = None) -> Any:
  """``full_tree``'s structure with each leaf the leaf of ``prefix_tree`` above it.

  >>> tree_broadcast((1, 2), ((3, 4), [5]))
  ((1, 1), [2])
  """
  leaves, treedef = tree_flatten(prefix_tree, is_leaf)
  subtrees = flatten_up_to(treedef, full_tree)
  return tree_unflatten(treedef, [tree_map(lambda _, p=p: p, s, is_leaf=is_leaf)
                                  for p, s in zip(leaves, subtrees)])


def all_leaves(iterable: Iterable[Any], is_leaf: Callable[[Any], bool] | None = None) -> bool:
  """True when every element of ``iterable`` is a leaf.

  >>> all_leaves([1.0, None]), all_leaves([1.0, 2.0])
  (False, True)
  """
  return all(tree_flatten(x, is_leaf)[1] == _LEAF_DEF for x in iterable)


def is_tree_node(typ: type) -> bool:
  """True when ``typ`` is a node type: registered, a namedtuple, or a builtin container.

  >>> is_tree_node(dict), is_tree_node(float)
  (True, False)
  """
  if typ in _registry:
    return True
  return isinstance(typ, type) and issubclass(typ, tuple) and hasattr(typ, "_fields")


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
  """The structures of the root's children.

  >>> treedef_children(tree_structure((1, [2, 3])))
  [*, [*, *]]
  """
  return list(treedef.children)


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
  """The structure of a tuple of trees of structures ``treedefs``.

  >>> treedef_tuple([tree_structure(1), tree_structure([1, 2])])
  (*, [*, *])
  """
  return PyTreeDef(tuple, None, tuple(treedefs))
