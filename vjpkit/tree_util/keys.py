"""Key paths: where each leaf sits in a pytree, as JAX's ``tree_util`` names it.

A path is a tuple of keys, one per node on the way down: ``SequenceKey(i)`` in a tuple or
list, ``DictKey(k)`` in a dict, ``GetAttrKey(name)`` in a namedtuple or dataclass, and
``FlattenedIndexKey(i)`` in a node registered without keys.

>>> tree_flatten_with_path({"w": [1.0, 2.0]})[0]
[((DictKey(key='w'), SequenceKey(idx=0)), 1.0), ((DictKey(key='w'), SequenceKey(idx=1)), 2.0)]
>>> keystr((DictKey("w"), SequenceKey(1)))
"['w'][1]"
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Union, cast

from ._core import PyTreeDef, _node_kind, register_pytree_node, tree_flatten, tree_unflatten

__all__ = ["DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath", "SequenceKey",
           "flatten_one_level", "flatten_one_level_with_keys", "keystr",
           "register_pytree_with_keys", "register_pytree_with_keys_class",
           "tree_flatten_with_path", "tree_leaves_with_path", "tree_map_with_path"]


@dataclass(frozen=True)
class SequenceKey:
  """The position ``idx`` in a tuple or list."""
  idx: int

  def __str__(self):
    return f"[{self.idx!r}]"


@dataclass(frozen=True)
class DictKey:
  """The key ``key`` of a dict."""
  key: Hashable

  def __str__(self):
    return f"[{self.key!r}]"


@dataclass(frozen=True)
class GetAttrKey:
  """The attribute ``name`` (of a namedtuple, dataclass, ...)."""
  name: str

  def __str__(self):
    return f".{self.name}"


@dataclass(frozen=True)
class FlattenedIndexKey:
  """The ``key``-th child of a node registered without keys."""
  key: int

  def __str__(self):
    return f"[<flat index {self.key}>]"


KeyEntry = Union[SequenceKey, DictKey, GetAttrKey, FlattenedIndexKey, Any]
KeyPath = tuple  # tuple[KeyEntry, ...]

# node type -> x -> the keys of its children (registered with keys)
_key_registry: dict[type, Callable[[Any], tuple]] = {}


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
  """A path as a string: ``"[0]['a'].x"``, or with ``simple=True`` just the keys
  (``"0", "a", "x"``) joined by ``separator``.

  >>> keystr((SequenceKey(0), DictKey("a"), GetAttrKey("x")), simple=True, separator="/")
  '0/a/x'
  """
  if not simple:
    return separator.join(str(k) for k in keys)
  parts = []
  for k in keys:
    for attr in ("idx", "key", "name"):
      if hasattr(k, attr):
        parts.append(str(getattr(k, attr)))
        break
    else:
      parts.append(str(k))
  return separator.join(parts)


def _child_keys(x: Any, kind: Any, aux: Any, n: int) -> tuple:
  if kind is tuple or kind is list:
    return tuple(SequenceKey(i) for i in range(n))
  if kind is dict or kind is OrderedDict:
    return tuple(DictKey(k) for k in aux)
  if isinstance(kind, tuple):  # namedtuple
    return tuple(GetAttrKey(f) for f in kind[1]._fields)
  keys = _key_registry.get(kind)
  if keys is not None:
    return tuple(keys(x))
  return tuple(FlattenedIndexKey(i) for i in range(n))


def _with_path_leaf(is_leaf, takes_path: bool):
  if is_leaf is None or not takes_path:
    return lambda path, x: is_leaf is not None and is_leaf(x)
  return is_leaf


def tree_flatten_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                           is_leaf_takes_path: bool = False
                           ) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
  """``(path, leaf)`` pairs in flattening order, and the structure. ``is_leaf`` gets
  ``(path, x)`` when ``is_leaf_takes_path``, else ``x``.

  >>> tree_flatten_with_path((1.0, {"b": 2.0}))[0]
  [((SequenceKey(idx=0),), 1.0), ((SequenceKey(idx=1), DictKey(key='b')), 2.0)]
  """
  stop = _with_path_leaf(is_leaf, is_leaf_takes_path)
  pairs: list[tuple[KeyPath, Any]] = []
  decisions: list[bool] = []  # is_leaf's answers, in the preorder tree_flatten asks them
  stack: list = [((), tree)]  # an explicit stack: trees of any depth
  while stack:
    path, x = stack.pop()
    stopped = bool(stop(path, x))
    decisions.append(stopped)
    node = None if stopped else _node_kind(x, None)
    if node is None:
      pairs.append((path, x))
      continue
    kind, children, aux = node
    children = tuple(children)
    keys = _child_keys(x, kind, aux, len(children))
    stack.extend((path + (k,), c) for k, c in zip(reversed(keys), reversed(children)))
  if is_leaf is None:
    return pairs, tree_flatten(tree)[1]
  answers = iter(decisions)
  return pairs, tree_flatten(tree, lambda x: next(answers))[1]


def tree_leaves_with_path(tree: Any, is_leaf: Callable[..., bool] | None = None,
                          is_leaf_takes_path: bool = False) -> list[tuple[KeyPath, Any]]:
  """The ``(path, leaf)`` pairs of ``tree``.

  >>> [keystr(p) for p, _ in tree_leaves_with_path({"a": [1, 2]})]
  ["['a'][0]", "['a'][1]"]
  """
  return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any,
                       is_leaf: Callable[..., bool] | None = None,
                       is_leaf_takes_path: bool = False) -> Any:
  """``f(path, leaf, *others)`` on corresponding leaves; ``rest`` have ``tree``'s structure.

  >>> tree_map_with_path(lambda p, x: keystr(p) if x is None else x * 2, {"a": 1.0, "b": [2.0]})
  {'a': 2.0, 'b': [4.0]}
  """
  pairs, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
  others = [treedef.flatten_up_to(r) for r in rest]
  return tree_unflatten(treedef, [f(p, x, *xs) for (p, x), *xs in zip(pairs, *others)])


def flatten_one_level(tree: Any) -> tuple[Iterable[Any], Hashable]:
  """The children of the root node and its aux data; a ValueError for a leaf.

  >>> flatten_one_level({"b": 1, "a": 2})
  ((2, 1), ('a', 'b'))
  """
  node = _node_kind(tree, None)
  if node is None:
    raise ValueError(f"flatten_one_level: {type(tree).__name__} is a leaf, not a pytree node")
  kind, children, aux = node
  return tuple(children), aux


def flatten_one_level_with_keys(tree: Any) -> tuple[Iterable[tuple[Any, Any]], Hashable]:
  """``((key, child), ...)`` of the root node and its aux data.

  >>> flatten_one_level_with_keys([5, 6])
  (((SequenceKey(idx=0), 5), (SequenceKey(idx=1), 6)), None)
  """
  node = _node_kind(tree, None)
  if node is None:
    raise ValueError(f"flatten_one_level_with_keys: {type(tree).__name__} is a leaf, not a "
                     "pytree node")
  kind, children, aux = node
  children = tuple(children)
  keys = _child_keys(tree, kind, aux, len(children))
  return tuple(zip(keys, children)), aux


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
  """Register ``nodetype`` with keys: ``flatten_with_keys(x) -> (((key, child), ...), aux)``,
  ``unflatten_func(aux, children) -> x`` (and optionally a faster ``flatten_func``).

  >>> class Point:
  ...   def __init__(self, x, y): self.x, self.y = x, y
  >>> register_pytree_with_keys(
  ...     Point, lambda p: (((GetAttrKey("x"), p.x), (GetAttrKey("y"), p.y)), None),
  ...     lambda _, c: Point(*c))
  >>> [keystr(p) for p, _ in tree_leaves_with_path([Point(1, 2)])]
  ['[0].x', '[0].y']
  """
  def default_flatten(x):
    pairs, aux = flatten_with_keys(x)
    return tuple(c for _, c in pairs), aux

  register_pytree_node(nodetype, flatten_func or default_flatten, unflatten_func)
  _key_registry[nodetype] = lambda x: tuple(k for k, _ in flatten_with_keys(x)[0])


def register_pytree_with_keys_class(cls: type) -> type:
  """Class decorator: ``cls.tree_flatten_with_keys(self)`` and
  ``cls.tree_unflatten(aux, children)`` (and ``tree_flatten`` if it has one).

  >>> @register_pytree_with_keys_class
  ... class Box:
  ...   def __init__(self, v): self.v = v
  ...   def tree_flatten_with_keys(self): return ((GetAttrKey("v"), self.v),), None
  ...   @classmethod
  ...   def tree_unflatten(cls, aux, children): return cls(*children)
  >>> tree_leaves_with_path(Box(3.0))
  [((GetAttrKey(name='v'),), 3.0)]
  """
  flatten = getattr(cls, "tree_flatten", None)
  register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(),
                            cast(Any, cls).tree_unflatten,
                            (lambda x: x.tree_flatten()) if flatten is not None else None)
  return cls

