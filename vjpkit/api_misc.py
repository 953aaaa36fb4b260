"""Small top-level functions of JAX's API: ``eval_shape``, ``block_until_ready``,
``named_call``, ``device_get``/``device_put`` (identities on NumPy) and ``typeof``.

>>> import numpy as np
>>> import vjpkit.numpy as vnp
>>> eval_shape(lambda x: vnp.outer(x, x), ShapeDtypeStruct((3,), np.float32))
ShapeDtypeStruct(shape=(3, 3), dtype=float32)
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from .api import _check_leaf
from .callback import ShapeDtypeStruct
from .core.avals import ShapedArray, arg_aval, get_aval
from .core.errors import check_callable
from .interpreters.partial_eval import trace_to_jaxpr
from .tree_util import tree_flatten, tree_map, tree_unflatten

__all__ = ["block_until_ready", "device_get", "device_put", "eval_shape", "named_call", "typeof"]


def _aval_of(x) -> ShapedArray:
  if isinstance(x, ShapeDtypeStruct) or (hasattr(x, "shape") and hasattr(x, "dtype")
                                         and not isinstance(x, np.ndarray)
                                         and not hasattr(x, "aval")):
    return ShapedArray(tuple(x.shape), np.dtype(x.dtype))
  return arg_aval(_check_leaf(x, "eval_shape", "the argument", True))


def eval_shape(fun: Callable, *args: Any, **kwargs: Any) -> Any:
  """The shapes and dtypes of ``fun(*args, **kwargs)`` as a pytree of ``ShapeDtypeStruct``,
  found by tracing (no arithmetic is done). Arguments may be arrays or anything with
  ``shape`` and ``dtype`` (``ShapeDtypeStruct``).

  >>> eval_shape(lambda a, b: (a @ b, a.sum()), np.ones((2, 3)), ShapeDtypeStruct((3, 4), np.float64))
  (ShapeDtypeStruct(shape=(2, 4), dtype=float64), ShapeDtypeStruct(shape=(), dtype=float64))
  """
  check_callable(fun, "eval_shape")
  leaves, in_tree = tree_flatten((args, kwargs))
  store: list = []

  def flat(*xs):
    a, k = tree_unflatten(in_tree, xs)
    out_leaves, out_tree = tree_flatten(fun(*a, **k))
    store.append(out_tree)
    return [_check_leaf(x, "eval_shape", "the function's output") for x in out_leaves]

  jaxpr, _ = trace_to_jaxpr(flat, [_aval_of(x) for x in leaves], keep_weak=True)
  outs = [ShapeDtypeStruct(v.aval.shape, v.aval.dtype) for v in jaxpr.outvars]
  return tree_unflatten(store[0], outs)


def block_until_ready(x: Any) -> Any:
  """``x`` itself: NumPy computes eagerly, so there is nothing to wait for.

  >>> block_until_ready([np.ones(2)])
  [array([1., 1.])]
  """
  return x


def device_get(x: Any) -> Any:
  """``x`` as NumPy values (arrays stay arrays): vjpkit has one device, the host.

  >>> device_get({"a": 1.0})
  {'a': 1.0}
  """
  return tree_map(lambda v: v, x)


def device_put(x: Any, device: Any = None, **kwargs: Any) -> Any:
  """``x`` as arrays (a pytree: each leaf through ``numpy.asarray``); ``device`` must be
  None (there is one device, the host).

  >>> device_put([1.0, 2.0])
  [array(1.), array(2.)]
  """
  if device is not None:
    raise ValueError("device_put: vjpkit runs on NumPy, on the host only; pass device=None")
  return tree_map(lambda v: v if hasattr(v, "aval") else np.asarray(v), x)


def typeof(x: Any) -> ShapedArray:
  """The abstract value (shape and dtype) of an array or traced value.

  >>> typeof(np.ones((2, 3), np.float32))
  ShapedArray(f32[2,3])
  """
  return get_aval(x)


def named_call(fun: Callable, *, name: str | None = None) -> Callable:
  """``fun`` under a name, for JAX compatibility. vjpkit's programs are flat, so the
  name changes nothing: the result is ``fun`` (wrapped, with ``__name__`` set to
  ``name``).

  >>> named_call(lambda x: x + 1, name="inc")(1.0)
  2.0
  """
  check_callable(fun, "named_call")

  @functools.wraps(fun)
  def call(*args, **kwargs):
    return fun(*args, **kwargs)
  if name is not None:
    call.__name__ = call.__qualname__ = name
  return call
