"""Reductions over axes: sum (linear), max/min (JVP through the chosen entries), argmax/argmin."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.jvp import defjvp_zero, deflinear
from . import elementwise as ew
from . import shapes


def _reduce_shape(x, *, axes, **_):
  if any(not 0 <= a < x.ndim for a in axes):
    raise TypeError(f"reduction axes {axes} out of range for {x.str_short()}")
  return tuple(s for i, s in enumerate(x.shape) if i not in axes)


def _kept_dims(ndim, axes):
  return tuple(i for i in range(ndim) if i not in axes)


def _reduce_batch(prim):
  def rule(vals, dims, *, axes, **params):
    d = dims[0]
    axes_b = tuple(a + (a >= d) for a in axes)  # the batch axis shifts reduced axes after it
    out_d = d - sum(a < d for a in axes)
    return prim.bind(vals[0], axes=tuple(sorted(axes_b)), **params), out_d
  return rule


def _reduction(name, impl) -> Primitive:
  p = Primitive(name, impl=impl,
                abstract_eval=lambda x, *, axes: ShapedArray(_reduce_shape(x, axes=axes), x.dtype))
  p.def_batching(_reduce_batch(p))
  return p


def _normalize_axes(x, axes) -> tuple[int, ...]:
  ndim = get_aval(x).ndim
  if axes is None:
    return tuple(range(ndim))
  if isinstance(axes, int):
    axes = (axes,)
  return tuple(sorted({int(a) % ndim if ndim else int(a) for a in axes}))


# -- reduce_sum: linear; its transpose is a broadcast ------------------------------

def _reduce_sum_impl(x, *, axes):
  if type(x) is np.ndarray and x.dtype.kind in "fc":
    return np.add.reduce(x, axis=axes)  # what np.sum calls, without its Python wrapper
  x = np.asarray(x)
  return np.sum(x, axis=axes, dtype=x.dtype)  # int8 stays int8 (NumPy's default: int64)


reduce_sum_p = _reduction("reduce_sum", _reduce_sum_impl)
deflinear(reduce_sum_p, lambda ct, x, *, axes: [
    shapes.broadcast_in_dim(ct, x.aval.shape, _kept_dims(x.aval.ndim, axes))])


def reduce_sum(x, axes: Sequence[int] | int | None = None):
  axes = _normalize_axes(x, axes)
  return reduce_sum_p.bind(x, axes=axes) if axes else x


# -- reduce_max / reduce_min: the tangent of the chosen entries, ties share evenly (as JAX)

def _chooser_jvp(prim):
  def jvp(primals, tangents, *, axes):
    (x,), (t,) = primals, tangents
    ans = prim.bind(x, axes=axes)
    shape = get_aval(x).shape
    kept = _kept_dims(len(shape), axes)
    location = ew.convert_element_type(ew.eq(x, shapes.broadcast_in_dim(ans, shape, kept)),
                                       get_aval(t).dtype)
    counts = reduce_sum(location, axes)
    return ans, ew.div(reduce_sum(ew.mul(t, location), axes), counts)
  return jvp


reduce_max_p = _reduction("reduce_max", lambda x, *, axes: np.max(x, axis=axes))
reduce_max_p.def_jvp(_chooser_jvp(reduce_max_p), symbolic_zeros=True)
reduce_min_p = _reduction("reduce_min", lambda x, *, axes: np.min(x, axis=axes))
reduce_min_p.def_jvp(_chooser_jvp(reduce_min_p), symbolic_zeros=True)


def reduce_max(x, axes=None):
  axes = _normalize_axes(x, axes)
  return reduce_max_p.bind(x, axes=axes) if axes else x


def reduce_min(x, axes=None):
  axes = _normalize_axes(x, axes)
  return reduce_min_p.bind(x, axes=axes) if axes else x


# -- argmax / argmin: integer results, no derivative -------------------------------

def _arg_abstract_eval(x, *, axes, index_dtype):
  return ShapedArray(_reduce_shape(x, axes=axes), index_dtype)


argmax_p = Primitive("argmax", impl=lambda x, *, axes, index_dtype:
                     np.argmax(x, axis=axes[0]).astype(index_dtype),
                     abstract_eval=_arg_abstract_eval)
argmin_p = Primitive("argmin", impl=lambda x, *, axes, index_dtype:
                     np.argmin(x, axis=axes[0]).astype(index_dtype),
                     abstract_eval=_arg_abstract_eval)
for _p in (argmax_p, argmin_p):
  defjvp_zero(_p)
  _p.def_batching(_reduce_batch(_p))


def argmax(x, axis: int, index_dtype=np.int64):
  return argmax_p.bind(x, axes=_normalize_axes(x, axis), index_dtype=np.dtype(index_dtype))


def argmin(x, axis: int, index_dtype=np.int64):
  return argmin_p.bind(x, axes=_normalize_axes(x, axis), index_dtype=np.dtype(index_dtype))
