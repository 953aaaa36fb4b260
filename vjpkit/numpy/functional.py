"""Functions that apply functions: ``vectorize``, ``apply_along_axis``,
``apply_over_axes``, ``fromfunction``. They are written with ``vmap``, so the function is
traced once, not called per element, and the results are differentiable.

>>> import vjpkit.numpy as vnp
>>> apply_along_axis(lambda v: vnp.sum(v * v), 1, np.arange(6.0).reshape(2, 3))
array([ 5., 50.])
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import get_aval
from ..interpreters.batching import vmap_flat
from ._core import asarray, canonical_axis
from .shapes import broadcast_to, expand_dims, moveaxis

Array = Any

__all__ = ["apply_along_axis", "apply_over_axes", "fromfunction", "vectorize"]


def _vmap_leading(f: Callable, args: list, n: int, dims_in: list) -> Any:
  """``f`` mapped over the ``n`` leading axes of the arguments whose flag is True."""
  if n == 0:
    return f(*args)
  size = next(get_aval(a).shape[0] for a, m in zip(args, dims_in) if m)
  out_tree: list = []

  def g(*xs):
    out = _vmap_leading(f, list(xs), n - 1, dims_in)
    leaves = list(out) if isinstance(out, tuple) else [out]
    out_tree[:] = [isinstance(out, tuple), len(leaves)]
    return [asarray(v) for v in leaves]
  outs = vmap_flat(g, size, args, [0 if m else None for m in dims_in],
                   lambda k: [0] * k)
  return tuple(outs) if out_tree[0] else outs[0]


def apply_along_axis(func1d: Callable, axis: int, arr: Array, *args: Any, **kwargs: Any) -> Array:
  """``func1d`` applied to the 1-D slices of ``arr`` along ``axis``; its result's axes take
  the place of ``axis`` (NumPy's rule).

  >>> apply_along_axis(lambda v: v[::-1], 0, np.arange(4.0).reshape(2, 2))
  array([[2., 3.],
         [0., 1.]])
  """
  arr = asarray(arr)
  nd = get_aval(arr).ndim
  axis = canonical_axis(axis, nd)
  moved = moveaxis(arr, axis, -1)
  out = _vmap_leading(lambda v: asarray(func1d(v, *args, **kwargs)), [moved], nd - 1, [True])
  out_nd = get_aval(out).ndim - (nd - 1)
  if out_nd == 0:
    return out
  # the function's axes are last: move them to where `axis` was
  lead = list(range(axis))
  return moveaxis(out, list(range(nd - 1, nd - 1 + out_nd)), list(range(axis, axis + out_nd))) \
      if lead or out_nd else out


def apply_over_axes(func: Callable, a: Array, axes: int | Sequence[int]) -> Array:
  """``func(a, axis)`` for each axis in turn, keeping the rank (a reduced axis is kept as
  length 1), as NumPy's.

  >>> import vjpkit.numpy as vnp
  >>> apply_over_axes(vnp.sum, np.arange(6.0).reshape(2, 3), [0, 1])
  array([[15.]])
  """
  a = asarray(a)
  for axis in ([axes] if isinstance(axes, (int, np.integer)) else axes):
    nd = get_aval(a).ndim
    ax = canonical_axis(axis, nd)
    b = asarray(func(a, ax))
    if get_aval(b).ndim == nd - 1:
      b = expand_dims(b, ax)
    elif get_aval(b).ndim != nd:
      raise ValueError("apply_over_axes: function is not returning an array of the correct "
                       "shape")
    a = b
  return a


def fromfunction(function: Callable, shape: Sequence[int], *, dtype: Any = float,
                 **kwargs: Any) -> Any:
  """``function(*indices)`` with one coordinate array per axis of ``shape`` (NumPy's
  values: the function gets whole index arrays).

  >>> fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int)
  array([[ 0,  1,  2],
         [10, 11, 12]])
  """
  from .index_tricks import indices
  return function(*indices(tuple(int(s) for s in shape), dtype=dtype), **kwargs)


_DIM = r"\w+"
_CORE = rf"\((?:{_DIM}(?:,\s*{_DIM})*)?\)"
_SIGNATURE = re.compile(rf"^{_CORE}(?:,\s*{_CORE})*->{_CORE}(?:,\s*{_CORE})*$")


def _parse(signature: str):
  sig = signature.replace(" ", "")
  if not _SIGNATURE.match(sig):
    raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
  ins, outs = sig.split("->")
  parse = lambda part: [tuple(d for d in g.split(",") if d) for g in re.findall(r"\((.*?)\)", part)]  # noqa: E731
  return parse(ins), parse(outs)


class vectorize:
  """``pyfunc`` vectorised with ``vmap``, NumPy's broadcasting over the loop axes and an
  optional gufunc ``signature`` (``"(n),(n)->()"``) for core axes, as ``jax.numpy``'s.
  ``excluded`` arguments (positions or names) are passed as they are.

  >>> import vjpkit.numpy as vnp
  >>> vectorize(lambda a, b: a + b if a > 0 else b)  # doctest: +ELLIPSIS
  <vjpkit.numpy.functional.vectorize object at ...>
  >>> vectorize(lambda v: vnp.sum(v * v), signature="(n)->()")(np.arange(6.0).reshape(2, 3))
  array([ 5., 50.])
  """

  def __init__(self, pyfunc: Callable, *, excluded: Any = frozenset(), signature: str | None = None):
    self.pyfunc, self.excluded, self.signature = pyfunc, frozenset(excluded), signature
    self.__doc__ = getattr(pyfunc, "__doc__", None)

  def __call__(self, *args: Any, **kwargs: Any) -> Any:
    fixed_kw = {k: v for k, v in kwargs.items() if k in self.excluded}
    dyn_kw = {k: v for k, v in kwargs.items() if k not in self.excluded}
    positions = [i for i in range(len(args)) if i not in self.excluded]
    names = list(dyn_kw)
    dyn = [asarray(args[i]) for i in positions] + [asarray(dyn_kw[k]) for k in names]

    def call(*xs):
      full = list(args)
      for i, x in zip(positions, xs):
        full[i] = x
      kw = dict(fixed_kw, **dict(zip(names, xs[len(positions):])))
      return self.pyfunc(*full, **kw)

    if self.signature is None:
      cores = [()] * len(dyn)
    else:
      ins, _ = _parse(self.signature)
      if len(ins) != len(dyn):
        raise TypeError(f"vectorize: the signature {self.signature!r} has {len(ins)} inputs, "
                        f"but {len(dyn)} arrays were passed")
      cores = ins
    loop_shapes = []
    for x, core in zip(dyn, cores):
      shape = get_aval(x).shape
      if len(shape) < len(core):
        raise ValueError(f"vectorize: an input of shape {shape} has fewer axes than its core "
                         f"dimensions {core}")
      loop_shapes.append(shape[:len(shape) - len(core)])
    loop = tuple(np.broadcast_shapes(*loop_shapes)) if loop_shapes else ()
    dyn = [broadcast_to(x, loop + get_aval(x).shape[len(s):])
           for x, s in zip(dyn, loop_shapes)]
    return _vmap_leading(call, dyn, len(loop), [True] * len(dyn))
