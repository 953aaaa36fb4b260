"""``vjpkit.debug``: print values from inside transformed code, as ``jax.debug``.

``debug.print`` and ``debug.callback`` run eagerly on concrete values, and from inside
``jit`` (the compiled program calls them), ``grad`` (they see the primal values of the
forward pass) and ``vmap`` (once per batch member, as JAX). They are effects: dead-code
elimination never removes them.

>>> import vjpkit
>>> import vjpkit.numpy as vnp
>>> @vjpkit.jit
... def f(x):
...   vjpkit.debug.print("x = {x}, sum = {}", vnp.sum(x), x=x)
...   return x * 2
>>> _ = f(np.arange(3.0))
x = [0. 1. 2.], sum = 3.0
"""
from __future__ import annotations

import builtins
from typing import Any, Callable

import numpy as np

from .core.avals import ShapedArray
from .core.primitive import Primitive
from .core.trace import Tracer
from .core.zeros import Zero
from .interpreters.batching import batch_size
from .passes.dce import effectful
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["callback", "print"]


def _is_dynamic(x) -> bool:
  return isinstance(x, (Tracer, np.ndarray, np.generic, float, int, complex, bool))


def _impl(*args, callback, static, tree):
  it = iter(args)
  leaves = [next(it) if s is _DYNAMIC else s for s in static]
  a, k = tree_unflatten(tree, leaves)
  callback(*a, **k)
  return np.False_


def _jvp(primals, tangents, **params):
  out = debug_callback_p.bind(*primals, **params)
  return out, Zero.like(out)


def _batch(vals, dims, **params):
  n = batch_size(vals, dims)
  for i in range(n):  # once per batch member, as JAX
    out = debug_callback_p.bind(*[v if d is None else _index(v, d, i) for v, d in zip(vals, dims)],
                                **params)
  return out, None


def _index(v, d, i):
  from .lax import index_in_dim  # noqa: PLC0415 - the top layer: lax is imported by now
  return index_in_dim(v, i, d, keepdims=False)


class _Dynamic:
  def __repr__(self):
    return "<dynamic>"


_DYNAMIC = _Dynamic()

# One boolean output that nothing reads (the compiler writes calls with results); the
# equation stays because the primitive is effectful.
debug_callback_p = Primitive("debug_callback", impl=_impl,
                             abstract_eval=lambda *avals, **params: ShapedArray((), np.dtype(bool)))
debug_callback_p.def_jvp(_jvp, symbolic_zeros=True)
debug_callback_p.def_batching(_batch)
effectful.add(debug_callback_p)


def callback(callback: Callable[..., Any], *args: Any, ordered: bool = False,
             **kwargs: Any) -> None:
  """Call ``callback(*args, **kwargs)`` with the concrete values of ``args`` (pytrees),
  now or when the compiled program runs; its result is ignored.

  >>> callback(lambda x: builtins.print(x * 2), np.ones(2))
  [2. 2.]
  """
  leaves, tree = tree_flatten((args, kwargs))
  dynamic = [x for x in leaves if _is_dynamic(x)]
  static = tuple(_DYNAMIC if _is_dynamic(x) else x for x in leaves)
  debug_callback_p.bind(*dynamic, callback=callback, static=static, tree=tree)


def print(fmt: str, *args: Any, ordered: bool = False, **kwargs: Any) -> None:  # noqa: A001
  """``print(fmt.format(*args, **kwargs))`` with the concrete values, now or when the
  compiled program runs (``jit``), during the forward pass of ``grad``, and once per
  member under ``vmap``.

  >>> print("{} and {y}", np.float64(1.5), y=np.arange(2))
  1.5 and [0 1]
  """
  def show(*a, **k):
    builtins.print(fmt.format(*a, **k))
  callback(show, *args, **kwargs)
