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
from ._core import (PyTreeDef, flatten_up_to, register_pytree_node, register_pytree_node_class,
                    tree_all, tree_flatten, tree_leaves, tree_map, tree_structure,
                    tree_unflatten, treedef_is_leaf)
from .keys import (DictKey, FlattenedIndexKey, GetAttrKey, KeyEntry, KeyPath, SequenceKey,
                   flatten_one_level, flatten_one_level_with_keys, keystr,
                   register_pytree_with_keys, register_pytree_with_keys_class,
                   tree_flatten_with_path, tree_leaves_with_path, tree_map_with_path)
from .ops import (all_leaves, is_tree_node, tree_broadcast, tree_reduce, tree_reduce_associative,
                  tree_transpose, treedef_children, treedef_tuple)
from .registration import Partial, register_dataclass, register_static

__all__ = ["DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath", "Partial",
           "PyTreeDef", "SequenceKey", "all_leaves", "flatten_one_level",
           "flatten_one_level_with_keys", "flatten_up_to", "is_tree_node", "keystr",
           "register_dataclass", "register_pytree_node", "register_pytree_node_class",
           "register_pytree_with_keys", "register_pytree_with_keys_class", "register_static",
           "tree_all", "tree_broadcast", "tree_flatten", "tree_flatten_with_path", "tree_leaves",
           "tree_leaves_with_path", "tree_map", "tree_map_with_path", "tree_reduce",
           "tree_reduce_associative", "tree_structure", "tree_transpose", "tree_unflatten",
           "treedef_children", "treedef_is_leaf", "treedef_tuple"]
