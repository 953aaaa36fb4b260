"""Static integer indexing along one axis, ``x[i]``, and its transpose, as one primitive each.

``index_in_dim_p`` takes the entry ``index`` (a non-negative Python int) of axis ``axis``
and drops that axis: ``vjpkit.numpy``'s ``x[i]`` and ``lax.index_in_dim(...,
keepdims=False)``. It is the composite ``squeeze(slice(x))`` as one operation, which halves
the work of every transform nested around an indexing (``theta[0]`` in a Hessian passes
through four of them). Its transpose ``embed_in_dim_p`` puts an array into zeros of
``size`` entries along a new axis ``axis``, at ``index`` (the composite ``pad(reshape(ct))``);
each is linear and the other's transpose.

>>> import numpy as np
>>> x = np.arange(6.0).reshape(2, 3)
>>> index_in_dim_p.bind(x, index=2, axis=1)
array([2., 5.])
>>> embed_in_dim_p.bind(np.array([2.0, 5.0]), index=2, axis=1, size=3)
array([[0., 0., 2.],
       [0., 0., 5.]])
"""
from __future__ import annotations

import numpy as np

from ..core.avals import ShapedArray
from ..core.primitive import Primitive
from ..interpreters.jvp import deflinear

__all__ = ["embed_in_dim_p", "index_in_dim_p"]


def _index_impl(x, *, index, axis):
  return x[(slice(None),) * axis + (index,)] if type(x) is np.ndarray else np.asarray(x)[
      (slice(None),) * axis + (index,)]


def _index_abstract_eval(x, *, index, axis):
  if not 0 <= axis < x.ndim or not 0 <= index < x.shape[axis]:
    raise TypeError(f"index_in_dim: index {index} of axis {axis} is out of range for "
                    f"{x.str_short()}")
  return ShapedArray(x.shape[:axis] + x.shape[axis + 1:], x.dtype)


def _index_batch(vals, dims, *, index, axis):
  d = dims[0]
  if d <= axis:  # the batch axis comes first: the indexed axis is one further on
    return index_in_dim_p.bind(vals[0], index=index, axis=axis + 1), d
  return index_in_dim_p.bind(vals[0], index=index, axis=axis), d - 1


def _embed_impl(x, *, index, axis, size):
  x = np.asarray(x)
  out = np.zeros(x.shape[:axis] + (size,) + x.shape[axis:], x.dtype)
  out[(slice(None),) * axis + (index,)] = x
  return out


def _embed_abstract_eval(x, *, index, axis, size):
  if not 0 <= axis <= x.ndim or not 0 <= index < size:
    raise TypeError(f"embed_in_dim: index {index} of a new axis {axis} of size {size} is out "
                    f"of range for {x.str_short()}")
  return ShapedArray(x.shape[:axis] + (size,) + x.shape[axis:], x.dtype)


def _embed_batch(vals, dims, *, index, axis, size):
  d = dims[0]
  if d <= axis:
    return embed_in_dim_p.bind(vals[0], index=index, axis=axis + 1, size=size), d
  return embed_in_dim_p.bind(vals[0], index=index, axis=axis, size=size), d + 1


index_in_dim_p = Primitive("index_in_dim", impl=_index_impl, abstract_eval=_index_abstract_eval)
embed_in_dim_p = Primitive("embed_in_dim", impl=_embed_impl, abstract_eval=_embed_abstract_eval)
deflinear(index_in_dim_p, lambda ct, x, *, index, axis: [
    embed_in_dim_p.bind(ct, index=index, axis=axis, size=x.aval.shape[axis])])
deflinear(embed_in_dim_p, lambda ct, x, *, index, axis, size: [
    index_in_dim_p.bind(ct, index=index, axis=axis)])
index_in_dim_p.def_batching(_index_batch)
embed_in_dim_p.def_batching(_embed_batch)
