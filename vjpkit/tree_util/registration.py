"""More ways to make a class a pytree node: dataclasses (with static fields), static
(leafless) classes, and ``Partial``, a ``functools.partial`` whose arguments are leaves.

>>> import dataclasses
>>> @register_dataclass
... @dataclasses.dataclass
... class Layer:
...   w: float
...   name: str = dataclasses.field(default="dense", metadata=dict(static=True))
>>> from vjpkit.tree_util import tree_flatten
>>> tree_flatten(Layer(2.0))[0]
[2.0]
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Sequence, TypeVar

from ._core import register_pytree_node
from .keys import GetAttrKey, _key_registry

__all__ = ["Partial", "register_dataclass", "register_static"]

_T = TypeVar("_T", bound=type)


def register_dataclass(nodetype: _T, data_fields: Sequence[str] | None = None,
                       meta_fields: Sequence[str] | None = None,
                       drop_fields: Sequence[str] = ()) -> _T:
  """Make a (data)class a pytree node: ``data_fields`` are children, ``meta_fields`` aux
  data (hashable; part of the structure, so a change retraces ``jit``). For a dataclass
  both may be left out: fields with ``metadata={"static": True}`` are meta, the rest data
  (less ``drop_fields``). Usable as a decorator; the children's keys are ``GetAttrKey``.

  >>> @register_dataclass
  ... @dataclasses.dataclass
  ... class P:
  ...   x: float
  ...   y: float
  >>> from vjpkit.tree_util import tree_map
  >>> tree_map(lambda v: v * 2, P(1.0, 2.0))
  P(x=2.0, y=4.0)
  """
  if data_fields is None and meta_fields is None:
    if not dataclasses.is_dataclass(nodetype):
      raise TypeError(f"register_dataclass: {nodetype.__name__} is not a dataclass, so pass "
                      "data_fields= and meta_fields= explicitly")
    data_fields, meta_fields = [], []
    for f in dataclasses.fields(nodetype):
      if f.name in drop_fields:
        continue
      (meta_fields if f.metadata.get("static", False) else data_fields).append(f.name)
  elif data_fields is None or meta_fields is None:
    raise TypeError("register_dataclass: pass both data_fields and meta_fields, or neither")
  data, meta = tuple(data_fields), tuple(meta_fields)
  if dataclasses.is_dataclass(nodetype):
    init = {f.name for f in dataclasses.fields(nodetype) if f.init}
    missing = init - set(data) - set(meta) - set(drop_fields)
    if missing:
      raise ValueError(f"register_dataclass: the init fields {sorted(missing)} of "
                       f"{nodetype.__name__} are neither data_fields nor meta_fields")

  def flatten(x):
    return tuple(getattr(x, n) for n in data), tuple(getattr(x, n) for n in meta)

  def unflatten(aux, children):
    obj = object.__new__(nodetype)
    for n, v in zip(data + meta, tuple(children) + tuple(aux)):
      object.__setattr__(obj, n, v)
    return obj

  register_pytree_node(nodetype, flatten, unflatten)
  _key_registry[nodetype] = lambda x: tuple(GetAttrKey(n) for n in data)
  return nodetype


def register_static(cls: _T) -> _T:
  """Make ``cls`` a node without children: its instances (hashable) are part of the
  structure, never leaves, as JAX's ``register_static``.

  >>> @register_static
  ... class Tag:
  ...   def __hash__(self): return 0
  ...   def __eq__(self, other): return type(other) is Tag
  >>> from vjpkit.tree_util import tree_leaves
  >>> tree_leaves([Tag(), 1.0])
  [1.0]
  """
  register_pytree_node(cls, lambda x: ((), x), lambda aux, _: aux)
  return cls


class Partial(functools.partial):
  """A ``functools.partial`` that is a pytree: the bound arguments are its children, the
  function its aux data, so it can be passed to and returned from transforms.

  >>> import vjpkit
  >>> f = Partial(lambda a, x: a * x, 3.0)
  >>> vjpkit.jit(lambda g, x: g(x))(f, 2.0)
  np.float64(6.0)
  """

  def __new__(klass, func: Any, *args: Any, **kw: Any):
    if isinstance(func, functools.partial):  # flatten, so the function is a plain callable
      original, func = func, func.func
      args, kw = original.args + args, {**original.keywords, **kw}
    return super().__new__(klass, func, *args, **kw)


register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func),
                     lambda func, c: Partial(func, *c[0], **c[1]))
