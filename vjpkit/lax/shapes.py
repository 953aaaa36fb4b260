"""Shape primitives: broadcasting, reshaping, transposing, slicing, padding, joining.

All of them are linear, so each needs only its transpose; the JVP is the
primitive applied to the tangent. Broadcasting is an explicit primitive,
which is why no other rule ever has to "unbroadcast": the transpose of
``broadcast_in_dim`` is a ``reduce_sum``.
"""
from __future__ import annotations

import builtins
import math
from typing import Sequence

import numpy as np

from ..core.avals import ShapedArray, float0, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, is_undef, register_vspace, vspace
from ..interpreters.batching import AxisOps, batch_size, register_axis_ops
from ..interpreters.jvp import deflinear
from . import reductions


def _shape_prim(name, impl, shape_rule) -> Primitive:
  return Primitive(name, impl=impl, abstract_eval=lambda x, **p: ShapedArray(shape_rule(x, **p), x.dtype))


def _bdim_front(x, d):
  return x if d == 0 else moveaxis(x, d, 0)


# -- broadcast_in_dim ------------------------------------------------------------

def _broadcast_in_dim_impl(x, *, shape, broadcast_dimensions):
  x = np.asarray(x)
  expanded = [1] * len(shape)
  for i, d in enumerate(broadcast_dimensions):
    expanded[d] = x.shape[i]
  x = x.reshape(expanded)
  if x.shape == shape:  # only unit axes added: a (read-only) reshape
    if x.ndim:
      x.flags.writeable = False
    return x[()]
  if math.prod(shape) >= _COPY_BELOW:
    return np.broadcast_to(x, shape)  # a big result: a free, read-only view
  out = np.empty(shape, x.dtype)  # small: a copy is cheaper than np.broadcast_to's overhead,
  out[...] = x                    # read-only like the broadcast view it stands for
  out.flags.writeable = False
  return out[()]


_COPY_BELOW = 4096  # results of fewer elements are copied, not broadcast views


def _broadcast_in_dim_shape(x, *, shape, broadcast_dimensions):
  if x.ndim != len(broadcast_dimensions) or any(
      x.shape[i] not in (1, shape[d]) for i, d in enumerate(broadcast_dimensions)) or list(
      broadcast_dimensions) != sorted(set(broadcast_dimensions)) or any(
      d >= len(shape) for d in broadcast_dimensions):
    raise TypeError(f"broadcast_in_dim cannot broadcast {x.str_short()} to shape {shape} "
                    f"along dimensions {broadcast_dimensions}")
  return shape


def _broadcast_in_dim_transpose(ct, x, *, shape, broadcast_dimensions):
  summed = tuple(d for d in range(len(shape)) if d not in broadcast_dimensions) + tuple(
      d for i, d in enumerate(broadcast_dimensions) if x.aval.shape[i] == 1 and shape[d] != 1)
  out = reductions.reduce_sum(ct, tuple(sorted(summed))) if summed else ct
  return [reshape(out, x.aval.shape)]


def _broadcast_in_dim_batch(vals, dims, *, shape, broadcast_dimensions):
  axis_size = batch_size(vals, dims)
  x = _bdim_front(vals[0], dims[0])
  return broadcast_in_dim(x, (axis_size,) + tuple(shape),
                          (0,) + tuple(d + 1 for d in broadcast_dimensions)), 0


broadcast_in_dim_p = _shape_prim("broadcast_in_dim", _broadcast_in_dim_impl, _broadcast_in_dim_shape)
deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)
broadcast_in_dim_p.def_batching(_broadcast_in_dim_batch)


def broadcast_in_dim(x, shape: Sequence[int], broadcast_dimensions: Sequence[int]):
  shape, dims = tuple(int(s) for s in shape), tuple(int(d) for d in broadcast_dimensions)
  if get_aval(x).shape == shape and dims == tuple(range(len(shape))):
    return x
  return broadcast_in_dim_p.bind(x, shape=shape, broadcast_dimensions=dims)


def full(shape, value, dtype):
  """An array of one value (a free broadcast view when concrete)."""
  return broadcast_in_dim(np.array(value, dtype)[()], tuple(shape), ())


def full_like(x, value):
  aval = get_aval(x)
  return full(aval.shape, value, aval.dtype)


# -- reshape, transpose, squeeze, expand_dims, rev ---------------------------------

def _reshape_shape(x, *, new_sizes):
  if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
    raise TypeError(f"cannot reshape {x.str_short()} to {new_sizes}")
  return new_sizes


def _reshape_batch(vals, dims, *, new_sizes):
  axis_size = batch_size(vals, dims)
  return reshape(_bdim_front(vals[0], dims[0]), (axis_size,) + tuple(new_sizes)), 0


reshape_p = _shape_prim("reshape", lambda x, *, new_sizes: np.reshape(x, new_sizes)[()], _reshape_shape)
deflinear(reshape_p, lambda ct, x, *, new_sizes: [reshape(ct, x.aval.shape)])
reshape_p.def_batching(_reshape_batch)


def reshape(x, new_sizes: Sequence[int]):
  new_sizes = tuple(int(s) for s in new_sizes)
  if get_aval(x).shape == new_sizes:
    return x
  return reshape_p.bind(x, new_sizes=new_sizes)


def _transpose_shape(x, *, permutation):
  if sorted(permutation) != list(range(x.ndim)):
    raise TypeError(f"transpose permutation {permutation} does not fit {x.str_short()}")
  return tuple(x.shape[p] for p in permutation)


def _transpose_batch(vals, dims, *, permutation):
  x, d = vals[0], dims[0]
  perm = [p if p < d else p + 1 for p in permutation]
  return transpose(x, (d,) + tuple(perm)), 0


transpose_p = _shape_prim("transpose", lambda x, *, permutation: np.transpose(x, permutation)[()],
                          _transpose_shape)
deflinear(transpose_p, lambda ct, x, *, permutation: [transpose(ct, tuple(np.argsort(permutation)))])
transpose_p.def_batching(_transpose_batch)


def transpose(x, permutation: Sequence[int]):
  permutation = tuple(int(p) for p in permutation)
  if permutation == tuple(range(len(permutation))):
    return x
  return transpose_p.bind(x, permutation=permutation)


def moveaxis(x, src: int, dst: int):
  ndim = get_aval(x).ndim
  src, dst = src % ndim, dst % ndim
  perm = [i for i in range(ndim) if i != src]
  perm.insert(dst, src)
  return transpose(x, perm)


def broadcast_batch(x, axis_size: int, dst: int):
  """``x`` repeated ``axis_size`` times along a new axis ``dst`` (vmap's unbatched outputs)."""
  aval = get_aval(x)
  shape = list(aval.shape)
  shape.insert(dst, axis_size)
  return broadcast_in_dim(x, shape, [i for i in range(len(shape)) if i != dst])


register_axis_ops(AxisOps(moveaxis=moveaxis, broadcast=broadcast_batch))  # vmap's results


def _squeeze_shape(x, *, dimensions):
  if any(x.shape[d] != 1 for d in dimensions):
    raise TypeError(f"cannot squeeze dimensions {dimensions} of {x.str_short()}: size is not 1")
  return tuple(s for i, s in enumerate(x.shape) if i not in dimensions)


def _squeeze_batch(vals, dims, *, dimensions):
  x = _bdim_front(vals[0], dims[0])
  return squeeze(x, tuple(d + 1 for d in dimensions)), 0


squeeze_p = _shape_prim("squeeze", lambda x, *, dimensions: np.squeeze(x, dimensions)[()],
                        _squeeze_shape)
deflinear(squeeze_p, lambda ct, x, *, dimensions: [reshape(ct, x.aval.shape)])
squeeze_p.def_batching(_squeeze_batch)


def squeeze(x, dimensions: Sequence[int]):
  ndim = get_aval(x).ndim
  dimensions = tuple(sorted(int(d) % ndim for d in dimensions)) if ndim else ()
  return squeeze_p.bind(x, dimensions=dimensions) if dimensions else x


def _expand_dims_shape(x, *, dimensions):
  shape = list(x.shape)
  for d in dimensions:
    shape.insert(d, 1)
  return tuple(shape)


def _expand_dims_batch(vals, dims, *, dimensions):
  x = _bdim_front(vals[0], dims[0])
  return expand_dims(x, tuple(d + 1 for d in dimensions)), 0


expand_dims_p = _shape_prim("expand_dims", lambda x, *, dimensions: np.expand_dims(x, dimensions),
                            _expand_dims_shape)
deflinear(expand_dims_p, lambda ct, x, *, dimensions: [squeeze(ct, dimensions)])
expand_dims_p.def_batching(_expand_dims_batch)


def expand_dims(x, dimensions: Sequence[int]):
  out_ndim = get_aval(x).ndim + len(dimensions)
  dimensions = tuple(sorted(int(d) % out_ndim for d in dimensions))
  return expand_dims_p.bind(x, dimensions=dimensions) if dimensions else x


def _rev_batch(vals, dims, *, dimensions):
  x, d = vals[0], dims[0]
  return rev(x, tuple(a if a < d else a + 1 for a in dimensions)), d


rev_p = _shape_prim("rev", lambda x, *, dimensions: np.flip(x, dimensions), lambda x, **p: x.shape)
deflinear(rev_p, lambda ct, x, *, dimensions: [rev(ct, dimensions)])
rev_p.def_batching(_rev_batch)


def rev(x, dimensions: Sequence[int]):
  dimensions = tuple(sorted(int(d) for d in dimensions))
  return rev_p.bind(x, dimensions=dimensions) if dimensions else x


# -- concatenate ------------------------------------------------------------------

def _concatenate_abstract_eval(*xs, dimension):
  first = xs[0]
  for x in xs[1:]:
    if x.dtype != first.dtype or x.ndim != first.ndim or any(
        a != b for i, (a, b) in enumerate(zip(x.shape, first.shape)) if i != dimension):
      raise TypeError("concatenate needs arrays of one dtype and equal shapes except along "
                      f"dimension {dimension}, got {', '.join(a.str_short() for a in xs)}")
  shape = list(first.shape)
  shape[dimension] = sum(x.shape[dimension] for x in xs)
  return ShapedArray(shape, first.dtype)


def _concatenate_transpose(ct, *xs, dimension):
  outs, start = [], 0
  for x in xs:
    size = (x.aval if is_undef(x) else get_aval(x)).shape[dimension]
    if is_undef(x) and type(ct) is not Zero:
      outs.append(slice_in_dim(ct, start, start + size, axis=dimension))
    else:
      outs.append(None)
    start += size
  return outs


def _concatenate_batch(vals, dims, *, dimension):
  axis_size = batch_size(vals, dims)
  xs = [_bdim_front(v, d) if d is not None else broadcast_batch(v, axis_size, 0)
        for v, d in zip(vals, dims)]
  return concatenate(xs, dimension + 1), 0


concatenate_p = Primitive("concatenate", impl=lambda *xs, dimension: np.concatenate(xs, dimension),
                          abstract_eval=_concatenate_abstract_eval)
deflinear(concatenate_p, _concatenate_transpose)
concatenate_p.def_batching(_concatenate_batch)


def concatenate(xs: Sequence, dimension: int):
  xs = list(xs)
  if len(xs) == 1:
    return xs[0]
  return concatenate_p.bind(*xs, dimension=int(dimension))


# -- slice and pad (each other's transpose) ------------------------------------------

def _slice_impl(x, *, start_indices, limit_indices, strides):
  strides = strides or (1,) * len(start_indices)
  return np.asarray(x)[tuple(builtins.slice(s, l, st) for s, l, st in zip(start_indices, limit_indices, strides))]


def _slice_shape(x, *, start_indices, limit_indices, strides):
  strides = strides or (1,) * x.ndim
  if not (len(start_indices) == len(limit_indices) == len(strides) == x.ndim) or any(
      not 0 <= s <= l <= n or st < 1 for s, l, st, n in
      zip(start_indices, limit_indices, strides, x.shape)):
    raise TypeError(f"invalid slice {start_indices}:{limit_indices}:{strides} of {x.str_short()}")
  return tuple(max(0, -(-(l - s) // st)) for s, l, st in zip(start_indices, limit_indices, strides))


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
  shape = x.aval.shape
  strides = strides or (1,) * len(shape)
  out_shape = get_aval(ct).shape
  config = []
  for s, st, n, m in zip(start_indices, strides, shape, out_shape):
    hi = n - (s + (m - 1) * st + 1) if m else n - s
    config.append((s, hi, st - 1 if m else 0))
  return [pad(ct, np.array(0, x.aval.dtype)[()], tuple(config))]


def _slice_batch(vals, dims, *, start_indices, limit_indices, strides):
  x = _bdim_front(vals[0], dims[0])
  strides = strides or (1,) * len(start_indices)
  n = get_aval(x).shape[0]
  return slice(x, (0,) + tuple(start_indices), (n,) + tuple(limit_indices), (1,) + tuple(strides)), 0


slice_p = _shape_prim("slice", _slice_impl, _slice_shape)
deflinear(slice_p, _slice_transpose)
slice_p.def_batching(_slice_batch)


def slice(x, start_indices, limit_indices, strides=None):
  start, limit = tuple(int(i) for i in start_indices), tuple(int(i) for i in limit_indices)
  strides = None if strides is None or all(s == 1 for s in strides) else tuple(int(s) for s in strides)
  if strides is None and start == (0,) * len(start) and limit == get_aval(x).shape:
    return x
  return slice_p.bind(x, start_indices=start, limit_indices=limit, strides=strides)


def slice_in_dim(x, start: int, limit: int, stride: int = 1, axis: int = 0):
  shape = get_aval(x).shape
  starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
  starts[axis], limits[axis], strides[axis] = start, limit, stride
  return slice(x, starts, limits, strides)


def _pad_impl(x, padding_value, *, padding_config):
  x = np.asarray(x)
  shape = tuple(lo + hi + n + max(0, n - 1) * interior
                for (lo, hi, interior), n in zip(padding_config, x.shape))
  out = np.full(shape, padding_value, dtype=x.dtype)
  out[tuple(np.s_[lo:lo + (n - 1) * (interior + 1) + 1:interior + 1] if n else np.s_[0:0]
            for (lo, hi, interior), n in zip(padding_config, x.shape))] = x
  return out


def _pad_abstract_eval(x, padding_value, *, padding_config):
  if padding_value.shape != () or padding_value.dtype != x.dtype or len(padding_config) != x.ndim or any(
      lo < 0 or hi < 0 or interior < 0 for lo, hi, interior in padding_config):
    raise TypeError(f"invalid pad of {x.str_short()} with {padding_value.str_short()} and "
                    f"config {padding_config} (only non-negative padding is supported)")
  return ShapedArray(tuple(lo + hi + n + max(0, n - 1) * interior
                           for (lo, hi, interior), n in zip(padding_config, x.shape)), x.dtype)


def _pad_transpose(ct, x, padding_value, *, padding_config):
  if type(ct) is Zero:
    return [None, None]
  shape = (x.aval if is_undef(x) else get_aval(x)).shape
  t_x = slice(ct, [lo for lo, _, _ in padding_config],
              [lo + (n - 1) * (i + 1) + 1 if n else lo for (lo, _, i), n in zip(padding_config, shape)],
              [i + 1 for _, _, i in padding_config])
  t_pad = None
  if is_undef(padding_value):
    all_axes = tuple(range(len(shape)))
    t_pad = vspace.add(reductions.reduce_sum(ct, all_axes),
                       _neg(reductions.reduce_sum(t_x, all_axes)))
  return [t_x if is_undef(x) else None, t_pad]


def _neg(x):
  from .elementwise import neg
  return neg(x)


def _pad_batch(vals, dims, *, padding_config):
  axis_size = batch_size(vals, dims)
  x, pv = vals
  x = _bdim_front(x, dims[0]) if dims[0] is not None else broadcast_batch(x, axis_size, 0)
  config = ((0, 0, 0),) + tuple(padding_config)
  if dims[1] is None:
    return pad(x, pv, config), 0
  # One padding value per batch member: pad with zeros, then select the padding positions
  # (a mask from padding an all-False array with True) and fill them from the batch.
  from .elementwise import select_n
  padded = pad(x, np.zeros((), get_aval(x).dtype)[()], config)
  shape = get_aval(padded).shape
  mask = pad(full(get_aval(x).shape[1:], False, bool), np.True_, padding_config)
  return select_n(broadcast_in_dim(mask, shape, tuple(range(1, len(shape)))), padded,
                  broadcast_in_dim(pv, shape, (0,))), 0


pad_p = Primitive("pad", impl=_pad_impl, abstract_eval=_pad_abstract_eval)
deflinear(pad_p, _pad_transpose)
pad_p.def_batching(_pad_batch)


def pad(x, padding_value, padding_config):
  config = tuple((int(lo), int(hi), int(i)) for lo, hi, i in padding_config)
  return pad_p.bind(x, padding_value, padding_config=config)


def _zeros(aval: ShapedArray):
  if aval.dtype == float0:
    return np.zeros(aval.shape, float0)
  return full(aval.shape, 0, aval.dtype)


register_vspace(zeros=_zeros)  # core's instantiate builds symbolic zeros with it
