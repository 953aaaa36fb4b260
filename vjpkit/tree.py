"""vjpkit.tree: the short names of ``vjpkit.tree_util``, as ``jax.tree``.

>>> import vjpkit
>>> vjpkit.tree.map(lambda x: x * 2, {"a": 1.0, "b": [2.0]})
{'a': 2.0, 'b': [4.0]}
>>> vjpkit.tree.leaves_with_path({"a": 1.0})
[((DictKey(key='a'),), 1.0)]
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .tree_util import (tree_all as all, tree_broadcast as broadcast,
                        tree_flatten as flatten, tree_flatten_with_path as flatten_with_path,
                        tree_leaves as leaves, tree_leaves_with_path as leaves_with_path,
                        tree_map as map, tree_map_with_path as map_with_path,
                        tree_reduce as reduce, tree_reduce_associative as reduce_associative,
                        tree_structure as structure, tree_transpose as transpose,
                        tree_unflatten as unflatten)

__all__ = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path",
           "map", "map_with_path", "reduce", "reduce_associative", "static", "structure",
           "transpose", "unflatten"]


def static(**kwargs: Any) -> Any:
  """``dataclasses.field(**kwargs)`` marked ``metadata={"static": True}``: a field that
  ``vjpkit.tree_util.register_dataclass`` makes aux data, not a child.

  >>> import vjpkit
  >>> @vjpkit.tree_util.register_dataclass
  ... @dataclasses.dataclass
  ... class Op:
  ...   x: float
  ...   name: str = static(default="add")
  >>> vjpkit.tree.leaves(Op(1.0))
  [1.0]
  """
  metadata = dict(kwargs.pop("metadata", None) or {})
  metadata["static"] = True
  return dataclasses.field(metadata=metadata, **kwargs)
