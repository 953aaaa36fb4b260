"""``pure_callback``: call NumPy code vjpkit cannot see into, eagerly, under jit and vmap.

JAX's API and semantics. The callback runs on concrete NumPy arrays; staged
(``jit``, ``make_jaxpr``) it is one ``pure_callback`` equation whose output
types are the declared ``result_shape_dtypes``, and ``jit``'s generated code
calls it. Under ``vmap`` it follows ``vmap_method``. It has no derivative:
differentiating it raises an error, so wrap it in ``custom_jvp``/``custom_vjp``
(or use ``vjpkit.extend.primitive``) to give it one; see
``docs/adding-a-primitive.md``.

>>> import numpy as np, scipy.special, vjpkit
>>> def ellipk(m):
...   return vjpkit.pure_callback(scipy.special.ellipk,
...                               vjpkit.ShapeDtypeStruct(np.shape(m), np.float64), m,
...                               vmap_method="expand_dims")
>>> print(vjpkit.make_jaxpr(ellipk)(0.5))
{ lambda ; a:f64[]. let
    b:f64[] = pure_callback[callback=ellipk result_avals=(f64[],) vmap_method='expand_dims'] a
  in (b,) }
>>> vjpkit.jit(vjpkit.vmap(ellipk))(np.array([0.0, 0.5]))
array([1.57079633, 1.85407468])
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core.aliasing import unaliased_impl
from .core.avals import ShapedArray, get_aval
from .core.primitive import Primitive
from .interpreters.batching import batch_size
from .interpreters.codegen import Emit
from .lax import shapes
from .lax.control_flow.common import flatten_operands
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten

__all__ = ["ShapeDtypeStruct", "pure_callback"]

VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                "legacy_vectorized", None)


class ShapeDtypeStruct:
  """A shape and a dtype: the type of an array without its data (as ``jax.ShapeDtypeStruct``).

  >>> ShapeDtypeStruct((2, 3), np.float32)
  ShapeDtypeStruct(shape=(2, 3), dtype=float32)
  """
  __slots__ = ("dtype", "shape")

  def __init__(self, shape: Sequence[int], dtype: Any):
    self.shape: tuple[int, ...] = tuple(int(s) for s in shape)
    self.dtype: np.dtype = np.dtype(dtype)

  @property
  def ndim(self) -> int:
    return len(self.shape)

  @property
  def size(self) -> int:
    return int(np.prod(self.shape, dtype=np.int64))

  def __eq__(self, other: object) -> bool:
    return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
            and self.dtype == other.dtype)

  def __hash__(self) -> int:
    return hash((self.shape, self.dtype))

  def __repr__(self) -> str:
    return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name})"


class _ShortAval(ShapedArray):
  """A ShapedArray printed in short form inside params (``f64[3]``)."""
  __slots__ = ()
  __repr__ = ShapedArray.str_short

  def __eq__(self, other: object) -> bool:
    return (isinstance(other, ShapedArray) and self.shape == other.shape
            and self.dtype == other.dtype)

  __hash__ = ShapedArray.__hash__


def result_avals(result_shape_dtypes: Any, who: str) -> tuple[list[ShapedArray], PyTreeDef]:
  """The leaves of a pytree of shape/dtype objects as avals, and its structure."""
  leaves, tree = tree_flatten(result_shape_dtypes)
  avals: list[ShapedArray] = []
  for x in leaves:
    shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
    if shape is None or dtype is None:
      raise TypeError(f"{who}: result_shape_dtypes must be a pytree of objects with .shape and "
                      f".dtype (e.g. vjpkit.ShapeDtypeStruct(shape, dtype)), got a leaf of type "
                      f"{type(x).__name__!r}")
    avals.append(_ShortAval(tuple(shape), dtype))
  return avals, tree


def check_results(outs: Any, tree: PyTreeDef, avals: Sequence[ShapedArray], who: str) -> list:
  """Leaves of a callback's result, checked against the declared types, as NumPy values."""
  leaves, got_tree = tree_flatten(outs)
  if got_tree != tree:
    raise TypeError(f"{who} returned a result of structure {got_tree}, but result_shape_dtypes "
                    f"declares {tree}")
  checked = []
  for i, (x, a) in enumerate(zip(leaves, avals)):
    arr = np.asarray(x)
    if arr.shape != a.shape or arr.dtype != a.dtype:
      raise TypeError(f"{who} returned {get_aval(arr).str_short()} for output {i}, but "
                      f"result_shape_dtypes declares {a.str_short()}; return exactly that "
                      "shape and dtype (e.g. np.asarray(result, dtype))")
    checked.append(arr[()] if arr.ndim == 0 else arr)
  return checked


class _FlatCallback:
  """The user's callback on flat lists of arrays, its results checked: the primitive's
  ``callback`` param. Equal for the same function and types, so equal calls merge (CSE)."""
  __slots__ = ("__name__", "avals", "fun", "in_tree", "out_tree")

  def __init__(self, fun: Callable, in_tree: PyTreeDef, out_tree: PyTreeDef,
               avals: Sequence[ShapedArray]):
    self.fun, self.in_tree, self.out_tree, self.avals = fun, in_tree, out_tree, tuple(avals)
    self.__name__ = getattr(fun, "__name__", type(fun).__name__)

  def __call__(self, *flat: Any) -> list:
    args, kwargs = tree_unflatten(self.in_tree, [np.asarray(x) for x in flat])
    return check_results(self.fun(*args, **kwargs), self.out_tree, self.avals,
                         f"pure_callback: the callback {self.__name__!r}")

  def batched(self, avals: Sequence[ShapedArray]) -> _FlatCallback:
    return _FlatCallback(self.fun, self.in_tree, self.out_tree, avals)

  def _key(self) -> tuple:
    return (self.fun, self.in_tree, self.out_tree, self.avals)

  def __eq__(self, other: object) -> bool:
    return type(other) is _FlatCallback and self._key() == other._key()

  def __hash__(self) -> int:
    return hash(self._key())


class _Sequential:
  """A batched callback calling ``inner`` once per batch member (``vmap_method="sequential"``)."""
  __slots__ = ("__name__", "avals", "batched", "inner", "size")

  def __init__(self, inner: Callable, batched: Sequence[bool], size: int,
               avals: Sequence[ShapedArray]):
    self.inner, self.batched, self.size = inner, tuple(batched), size
    self.avals = tuple(avals)
    self.__name__ = getattr(inner, "__name__", "callback")

  def __call__(self, *flat: Any) -> list:
    flat = tuple(np.asarray(x) for x in flat)
    per_member = [self.inner(*[x[i] if b else x for x, b in zip(flat, self.batched)])
                  for i in range(self.size)]
    return [np.stack([np.asarray(outs[k]) for outs in per_member]) if self.size
            else np.zeros((0,) + a.shape, a.dtype) for k, a in enumerate(self.avals)]


def _impl(*args: Any, callback: Callable, result_avals: tuple, vmap_method: str | None) -> list:
  return unaliased_impl(callback(*args), args)  # a callback may hand back its argument


def _abstract_eval(*avals: ShapedArray, callback: Callable, result_avals: tuple,
                   vmap_method: str | None) -> list:
  return list(result_avals)


def _jvp(primals: Sequence[Any], tangents: Sequence[Any], *, callback: Callable, **params: Any):
  raise ValueError(
      f"pure_callback of {callback.__name__!r} cannot be differentiated (grad, jvp, vjp, ...): "
      "a callback is opaque to vjpkit, so it has no derivative. Wrap the function that calls "
      "it in vjpkit.custom_jvp or vjpkit.custom_vjp and give the derivative there, or declare "
      "it with vjpkit.extend.primitive and vjpkit.extend.defvjp/defjvp "
      "(docs/adding-a-primitive.md). If it needs no derivative, apply "
      "vjpkit.lax.stop_gradient to its arguments.")


def _batch(args: Sequence[Any], dims: Sequence[int | None], *, callback: Callable,
           result_avals: tuple, vmap_method: str | None) -> tuple[list, list]:
  if vmap_method is None:
    raise NotImplementedError(
        f"vmap of pure_callback({callback.__name__!r}) needs a vmap_method: pass "
        "vmap_method='sequential' (one call per batch member), 'expand_dims' (one call; "
        "unbatched arguments get a leading axis of size 1) or 'broadcast_all' (one call; "
        "every argument gets the batch axis) to pure_callback. (As in JAX, the default "
        "vmap_method=None does not support vmap.)")
  n = batch_size(args, dims)
  args = [x if d in (None, 0) else shapes.moveaxis(x, d, 0) for x, d in zip(args, dims)]
  avals = tuple(_ShortAval((n,) + a.shape, a.dtype) for a in result_avals)
  if vmap_method in ("sequential", "sequential_unrolled") or not isinstance(callback,
                                                                             _FlatCallback):
    new: Callable = _Sequential(callback, [d is not None for d in dims], n, result_avals)
  else:  # one call on the whole batch; the callback's results are checked at batch size
    if vmap_method == "expand_dims":
      args = [shapes.expand_dims(x, (0,)) if d is None else x for x, d in zip(args, dims)]
    elif vmap_method == "broadcast_all":
      args = [shapes.broadcast_batch(x, n, 0) if d is None else x for x, d in zip(args, dims)]
    new = callback.batched(avals)
  outs = pure_callback_p.bind(*args, callback=new, result_avals=avals, vmap_method=vmap_method)
  return outs, [0] * len(outs)


def _codegen(eqn: Any, args: list[str], env: Any) -> Emit:
  fn = eqn.params["callback"]
  return Emit(f"{env.ref(fn, fn.__name__ + '_callback')}({', '.join(args)})", "opaque")


pure_callback_p = Primitive("pure_callback", multiple_results=True)
pure_callback_p.def_impl(_impl)
pure_callback_p.def_abstract_eval(_abstract_eval)
pure_callback_p.def_jvp(_jvp, symbolic_zeros=True)
pure_callback_p.def_batching(_batch)
pure_callback_p.def_codegen(_codegen)


def pure_callback(callback: Callable, result_shape_dtypes: Any, *args: Any,
                  vmap_method: str | None = None, **kwargs: Any) -> Any:
  """Call ``callback(*args, **kwargs)`` on NumPy arrays, also from inside ``jit`` and ``vmap``.

  ``result_shape_dtypes`` is a pytree of objects with ``.shape`` and ``.dtype``
  (``vjpkit.ShapeDtypeStruct``) matching what the callback returns; the result is
  checked against it (a ``TypeError`` on a mismatch). The callback must be pure:
  it may be called several times, or not at all if its result is unused.

  Under ``vmap``, ``vmap_method`` says how: ``"sequential"`` (or
  ``"sequential_unrolled"``) calls it once per batch member; ``"expand_dims"``
  calls it once with the batch axis first, unbatched arguments given a leading
  axis of size 1 (for functions that broadcast, like ufuncs); ``"broadcast_all"``
  likewise, with every argument broadcast to the batch size; ``None`` (the
  default) raises ``NotImplementedError``, as in JAX. The callback must then
  return results with a leading batch axis. It has no derivative (an error
  under ``grad``/``jvp``): see ``vjpkit.custom_jvp`` and ``vjpkit.extend``.

  >>> import numpy as np, vjpkit
  >>> f = lambda x: vjpkit.pure_callback(np.sinc, vjpkit.ShapeDtypeStruct((2,), np.float64), x)
  >>> vjpkit.jit(f)(np.array([0.0, 0.5]))
  array([1.        , 0.63661977])
  """
  if vmap_method not in VMAP_METHODS:
    raise ValueError(f"pure_callback: vmap_method must be one of {list(VMAP_METHODS)}, got "
                     f"{vmap_method!r}")
  if not callable(callback):
    raise TypeError(f"pure_callback: the callback must be callable, got a "
                    f"{type(callback).__name__}")
  name = getattr(callback, "__name__", type(callback).__name__)
  flat, in_tree = flatten_operands((args, kwargs), f"pure_callback({name!r}) (pass non-array "
                                   "arguments with functools.partial)")
  avals, out_tree = result_avals(result_shape_dtypes, f"pure_callback({name!r})")
  outs = pure_callback_p.bind(*flat, callback=_FlatCallback(callback, in_tree, out_tree, avals),
                              result_avals=tuple(avals), vmap_method=vmap_method)
  return tree_unflatten(out_tree, outs)
