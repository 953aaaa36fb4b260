"""The pytree core: the node registry, ``PyTreeDef``, flattening and unflattening."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterable, NamedTuple, TypeVar, cast

__all__ = ["PyTreeDef", "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves",
           "tree_structure", "register_pytree_node", "register_pytree_node_class",
           "tree_all", "treedef_is_leaf", "flatten_up_to"]

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


class PyTreeDef:
  """The structure of a pytree: node kinds and aux data, without the leaves.

  ``children`` is the tuple of the children's structures (an attribute, where JAX has
  a method: use ``treedef_children``); ``unflatten``, ``flatten_up_to``, ``num_leaves``,
  ``num_nodes``, ``node_data`` and ``is_leaf`` are JAX's.

  Equality, hashing and ``repr`` work on trees of any depth: the hash is computed
  once, bottom-up; equality compares shallow trees with tuple comparison (Python
  recursion bounded by ``_SHALLOW``) and deeper ones with an explicit stack."""
  __slots__ = ("kind", "aux", "children", "num_leaves", "height", "_hash")

  def __init__(self, kind, aux, children: tuple["PyTreeDef", ...]):
    self.kind, self.aux, self.children = kind, aux, children
    leaves = 1 if kind is None else 0
    height = 0
    for c in children:
      leaves += c.num_leaves
      if c.height >= height:
        height = c.height + 1
    self.num_leaves: int = leaves
    self.height: int = height
    self._hash = hash((kind, aux, children))  # the children's hashes are already cached

  def __eq__(self, other):
    if self is other:
      return True
    if type(other) is not PyTreeDef or self._hash != other._hash:
      return False
    if self.height < _SHALLOW:  # the fast path, in C
      return self.kind == other.kind and self.aux == other.aux and self.children == other.children
    stack = [(self, other)]
    push = stack.append
    while stack:
      a, b = stack.pop()
      ca, cb = a.children, b.children
      if a.kind != b.kind or a.aux != b.aux or len(ca) != len(cb):
        return False
      for x, y in zip(ca, cb):
        if x is not y:  # leaves are one shared object
          if x._hash != y._hash:
            return False
          push((x, y))
    return True

  def __hash__(self):
    return self._hash

  def unflatten(self, leaves: Iterable[Any]) -> Any:
    """``tree_unflatten(self, leaves)``."""
    return tree_unflatten(self, leaves)

  def flatten_up_to(self, tree: Any) -> list:
    """The subtrees of ``tree`` at this structure's leaves (this is a prefix of its own)."""
    return flatten_up_to(self, tree)

  def is_leaf(self) -> bool:
    return self.kind is _LEAF

  def node_data(self):
    """``(node type, aux data)`` of the root, None for a leaf."""
    return None if self.kind is _LEAF else (self.kind, self.aux)

  @property
  def num_nodes(self) -> int:
    count, stack = 0, [self]
    while stack:
      node = stack.pop()
      count += 1
      stack.extend(node.children)
    return count

  def __repr__(self):
    parts: list[str] = []
    stack: list = [self]  # PyTreeDefs still to write, and the strings between them
    while stack:
      item = stack.pop()
      if type(item) is str:
        parts.append(item)
        continue
      kind, children = item.kind, item.children
      if kind is None:
        parts.append("*")
        continue
      if kind is type(None):
        parts.append("None")
        continue
      if kind is dict:
        opening, closing, labels = "{", "}", [f"{k!r}: " for k in item.aux]
      elif kind is tuple:
        opening, closing, labels = "(", ",)" if len(children) == 1 else ")", None
      elif kind is list:
        opening, closing, labels = "[", "]", None
      else:
        named = kind[1] if isinstance(kind, tuple) else kind  # a namedtuple: ("namedtuple", cls)
        opening, closing, labels = f"{getattr(named, '__name__', str(named))}(", ")", None
      parts.append(opening)
      stack.append(closing)
      for k in range(len(children) - 1, -1, -1):
        stack.append(children[k])
        if labels is not None:
          stack.append(labels[k])
        if k:
          stack.append(", ")
    return "".join(parts)


_SHALLOW = 64  # trees less deep than this compare recursively (at most 64 nested __eq__ calls)
_LEAF = None
_LEAF_DEF = PyTreeDef(_LEAF, None, ())  # immutable, so one object serves every leaf


def _node_kind(x, is_leaf):
  """``(kind, children, aux)`` for a node, None for a leaf."""
  if is_leaf is not None and is_leaf(x):
    return None
  cls = type(x)
  node = _registry.get(cls)
  if node is not None:
    children, aux = node.to_iterable(x)
    return cls, children, aux
  if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
    return ("namedtuple", cls), tuple(x), cls
  return None


def tree_flatten(tree: Any, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, PyTreeDef]:
  """The leaves of ``tree`` in order, and its structure (any depth: an explicit stack).

  >>> tree_flatten((1.0, [2.0, None]))
  ([1.0, 2.0], (*, [*, None]))
  """
  leaves: list = []
  node = _node_kind(tree, is_leaf)
  if node is None:
    leaves.append(tree)
    return leaves, _LEAF_DEF
  registry, append, leaf = _registry, leaves.append, _LEAF_DEF
  kind, children, aux = node
  if type(children) is not tuple and type(children) is not list:
    children = tuple(children)
  stack: list = []  # the suspended nodes above the current one
  i, defs = 0, []
  while True:
    n = len(children)
    while i < n:
      c = children[i]
      i += 1
      if is_leaf is None and type(c) not in registry and not isinstance(c, tuple):
        append(c)  # the common leaf: an array or a number
        defs.append(leaf)
        continue
      node = _node_kind(c, is_leaf)
      if node is None:
        append(c)
        defs.append(leaf)
        continue
      stack.append((kind, children, aux, i, defs))
      kind, children, aux = node
      if type(children) is not tuple and type(children) is not list:
        children = tuple(children)
      i, defs, n = 0, [], len(children)
    treedef = PyTreeDef(kind, aux, tuple(defs))
    if not stack:
      return leaves, treedef
    kind, children, aux, i, defs = stack.pop()
    defs.append(treedef)


def _build(node: PyTreeDef, children: list) -> Any:
  kind = node.kind
  if kind is tuple:
    return tuple(children)
  if isinstance(kind, tuple):  # namedtuple
    return kind[1](*children)
  return _registry[kind].from_iterable(node.aux, children)


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
  """Rebuild a tree of structure ``treedef`` from ``leaves`` (any depth: an explicit stack).

  >>> tree_unflatten(tree_structure((0, {"k": 0})), [1, 2])
  (1, {'k': 2})
  """
  leaves = list(leaves)
  if len(leaves) != treedef.num_leaves:
    raise ValueError(f"tree_unflatten: the structure {treedef} has {treedef.num_leaves} "
                     f"leaves, but {len(leaves)} were given")
  if treedef.kind is _LEAF:
    return leaves[0]
  it = iter(leaves)
  stack: list = []
  node, i, values = treedef, 0, []
  while True:
    children = node.children
    n = len(children)
    while i < n:
      c = children[i]
      i += 1
      if c.kind is _LEAF:
        values.append(next(it))
        continue
      stack.append((node, i, values))
      node, i, values = c, 0, []
      children, n = c.children, len(c.children)
    value = _build(node, values)
    if not stack:
      return value
    node, i, values = stack.pop()
    values.append(value)


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
  """Apply ``f`` to corresponding leaves of ``tree`` and ``rest``: each of ``rest`` has
  ``tree``'s structure, or has it as a prefix (``f`` then gets its whole subtrees), as JAX.

  >>> tree_map(lambda x, y: x + y, (1.0, [2.0]), (10.0, [20.0]))
  (11.0, [22.0])
  >>> tree_map(lambda x, y: (x, y), [1, 2], [(3, 4), None])
  [(1, (3, 4)), (2, None)]
  """
  leaves, treedef = tree_flatten(tree, is_leaf)
  others = []
  for r in rest:
    r_leaves, r_def = tree_flatten(r, is_leaf)
    if r_def != treedef:
      try:
        r_leaves = flatten_up_to(treedef, r)
      except ValueError:
        raise ValueError(f"tree_map: tree structures differ: {treedef} vs {r_def} (each "
                         "further tree must have the first one's structure, or extend it)") \
            from None
    others.append(r_leaves)
  return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])


def flatten_up_to(treedef: PyTreeDef, tree: Any) -> list:
  """The subtrees of ``tree`` at the leaves of ``treedef``, which must be a prefix of
  ``tree``'s structure (a ValueError says where they differ).

  >>> flatten_up_to(tree_structure((0, 0)), ([1, 2], {"a": 3}))
  [[1, 2], {'a': 3}]
  """
  out: list = []
  stack: list = [(treedef, tree)]
  while stack:
    node, x = stack.pop()
    if node.kind is _LEAF:
      out.append(x)
      continue
    got = _node_kind(x, None)
    if got is None or got[0] != node.kind or got[2] != node.aux or \
       len(tuple(got[1])) != len(node.children):
      raise ValueError(f"tree structures differ: expected a subtree of structure {node}, got "
                       f"{type(x).__name__} {x!r:.80}")
    stack.extend(reversed(list(zip(node.children, tuple(got[1])))))
  return out


def tree_all(tree: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
  """True when every leaf is truthy.

  >>> tree_all([True, (1, 2.0)])
  True
  """
  return all(tree_leaves(tree, is_leaf))
