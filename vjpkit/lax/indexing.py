"""Indexing primitives: gather, the scatter family, dynamic_slice and dynamic_update_slice.

One gather form serves all of NumPy's integer-array indexing: ``indices`` has
shape ``B + (k,)`` and addresses the ``k`` operand ``axes``; the result has
shape ``B + rest``, ``rest`` being the operand's other axes in order. So
``x[i, :, j]`` is ``gather(x, stack([i, j], -1), axes=(0, 2))``. Scatters take
the same ``indices``/``axes`` and ``updates`` of the gathered shape.

Out-of-range indices, as in JAX: reads (``gather``, ``dynamic_slice``) clamp
them into range. Scatters take ``mode``: ``"drop"`` (the default, JAX's
FILL_OR_DROP) skips an update whose index row is out of range, so neither it
nor its tangent or cotangent reaches the result; ``"clip"`` clamps the row
into range (the transpose of the clamping gather is a clamping scatter-add,
so that the two always agree). Negative indices are out of range here;
``vjpkit.numpy`` wraps them once first, like NumPy, and raises ``IndexError``
for out-of-range concrete indices. The transpose of gather is scatter-add,
where repeated indices accumulate.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.errors import ConcretizationTypeError
from ..core.primitive import Primitive
from ..core.trace import Tracer
from ..core.zeros import Zero, instantiate, is_undef
from ..interpreters.batching import batch_size
from ..interpreters.jvp import defjvp, jvp_flat
from . import elementwise as ew
from . import shapes


def _rest_shape(shape, axes):
  return tuple(s for i, s in enumerate(shape) if i not in axes)


def _check_indices(x, idx, axes, who):
  if idx.dtype.kind not in "iu":
    raise TypeError(f"{who} needs integer indices, got {idx.str_short()}")
  if not axes or idx.ndim < 1 or idx.shape[-1] != len(axes) or len(set(axes)) != len(axes) or any(
      not 0 <= a < x.ndim for a in axes):
    raise TypeError(f"{who}: indices {idx.str_short()} do not address axes {axes} of {x.str_short()}")


def _index_tuple(idx, sizes):
  idx = np.asarray(idx)
  return tuple(np.clip(idx[..., j], 0, max(n - 1, 0)).astype(np.intp) for j, n in enumerate(sizes))


_MODES = ("drop", "clip")


def _in_range_rows(idx: np.ndarray, sizes) -> np.ndarray:
  """Which rows of concrete indices (shape ``B + (k,)``) lie inside ``sizes``: shape ``B``."""
  idx = np.asarray(idx)
  return np.all((idx >= 0) & (idx < np.asarray(sizes, idx.dtype)), axis=-1)


def _drop_out_of_range(idx, updates, sizes):
  """The rows of ``idx`` and ``updates`` that a ``"drop"`` scatter applies."""
  idx = np.asarray(idx)
  keep = _in_range_rows(idx, sizes)
  if keep.all():
    return idx, updates
  return idx[keep], np.asarray(updates)[keep]


def _in_range(idx, sizes):
  """A boolean array of shape ``B``: which index rows (``idx`` of shape ``B + (k,)``, may be
  traced) address an element inside ``sizes``; None when all of them do (concrete only)."""
  concrete = concrete_or_none(idx)
  if concrete is not None:
    ok = _in_range_rows(concrete, sizes)
    return None if ok.all() else ok
  aval = get_aval(idx)
  ok = None
  for j, n in enumerate(sizes):
    col = shapes.reshape(shapes.slice_in_dim(idx, j, j + 1, axis=aval.ndim - 1), aval.shape[:-1])
    col_ok = ew.logical_and(ew.ge(col, aval.dtype.type(0)), ew.lt(col, aval.dtype.type(n)))
    ok = col_ok if ok is None else ew.logical_and(ok, col_ok)
  return ok


def _zero_dropped(v, idx, sizes, mode):
  """``v`` (shape ``B + rest``: one entry per update) with the dropped updates' entries 0."""
  if mode != "drop":
    return v
  ok = _in_range(idx, sizes)
  if ok is None:
    return v
  aval = get_aval(v)
  ok = shapes.broadcast_in_dim(ok, aval.shape, tuple(range(get_aval(ok).ndim)))
  return ew.select_n(ok, shapes.full_like(v, 0), v)


def _sizes(x_aval, axes):
  return [x_aval.shape[a] for a in axes]


def _front(x, axes):
  return np.moveaxis(x, axes, tuple(range(len(axes))))


def concrete_or_none(x):
  """The concrete value of ``x`` (following jvp tracers), or None under jit/vmap."""
  if not isinstance(x, Tracer):
    return np.asarray(x)
  try:
    return np.asarray(x._concrete(""))
  except ConcretizationTypeError:
    return None


def _with_batch_index(idx, axis_size):
  """Batched indices (batch axis 0) with the batch position prepended as index column 0."""
  aval = get_aval(idx)
  iota = shapes.broadcast_in_dim(np.arange(axis_size, dtype=aval.dtype), aval.shape[:-1] + (1,), (0,))
  return shapes.concatenate([iota, idx], aval.ndim - 1)


def _to_front(x, d, axis_size):
  return shapes.broadcast_batch(x, axis_size, 0) if d is None else shapes.moveaxis(x, d, 0)


# -- gather ---------------------------------------------------------------------------

def _gather_impl(x, idx, *, axes):
  x = np.asarray(x)
  return _front(x, axes)[_index_tuple(idx, [x.shape[a] for a in axes])]


def _gather_abstract_eval(x, idx, *, axes):
  _check_indices(x, idx, axes, "gather")
  return ShapedArray(idx.shape[:-1] + _rest_shape(x.shape, axes), x.dtype)


def _gather_batch(vals, dims, *, axes):
  axis_size = batch_size(vals, dims)
  (x, idx), (dx, di) = vals, dims
  if di is None:  # only the operand is batched: address it with the batch axis kept
    x = shapes.moveaxis(x, dx, 0)
    n_b = get_aval(idx).ndim - 1
    return gather(x, idx, tuple(a + 1 for a in axes)), n_b
  x, idx = _to_front(x, dx, axis_size), _to_front(idx, di, axis_size)
  return gather(x, _with_batch_index(idx, axis_size), (0,) + tuple(a + 1 for a in axes)), 0


gather_p = Primitive("gather", impl=_gather_impl, abstract_eval=_gather_abstract_eval)
defjvp(gather_p, lambda t, ans, x, idx, *, axes: gather(t, idx, axes), None)
gather_p.def_transpose(lambda ct, x, idx, *, axes: [  # clamps, as the gather does
    None if type(ct) is Zero else scatter_add(shapes.full(x.aval.shape, 0, x.aval.dtype), idx, ct, axes,
                                              mode="clip"),
    None])
gather_p.def_batching(_gather_batch)


def gather(x, indices, axes: Sequence[int]):
  """``x`` at ``indices`` (shape ``B + (len(axes),)``) along ``axes``; shape ``B + rest``.

  >>> gather(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1], [1]]), (0,))
  array([[3., 4.],
         [3., 4.]])
  """
  return gather_p.bind(x, indices, axes=tuple(int(a) for a in axes))


# -- the scatter family -------------------------------------------------------------

def _scatter(name, combine):
  def impl(x, idx, updates, *, axes, mode):
    out = np.array(x, copy=True)
    view = _front(out, axes)
    sizes = [out.shape[a] for a in axes]
    if mode == "drop":
      idx, updates = _drop_out_of_range(idx, updates, sizes)
    ix = _index_tuple(idx, sizes)
    if combine is None:
      view[ix] = updates
    else:
      combine.at(view, ix, updates)
    return out

  def abstract_eval(x, idx, updates, *, axes, mode):
    if mode not in _MODES:
      raise ValueError(f"{name}: mode must be 'drop' or 'clip', got {mode!r}")
    _check_indices(x, idx, axes, name)
    expected = idx.shape[:-1] + _rest_shape(x.shape, axes)
    if updates.shape != expected or updates.dtype != x.dtype:
      raise TypeError(f"{name}: updates must be {ShapedArray(expected, x.dtype).str_short()} "
                      f"for indices {idx.str_short()} into {x.str_short()}, got {updates.str_short()}")
    return x

  def batch(vals, dims, *, axes, mode):
    axis_size = batch_size(vals, dims)
    x, idx, u = (_to_front(v, d, axis_size) for v, d in zip(vals, dims))
    return p.bind(x, _with_batch_index(idx, axis_size), u, axes=(0,) + tuple(a + 1 for a in axes),
                  mode=mode), 0

  p = Primitive(name, impl=impl, abstract_eval=abstract_eval)
  p.def_batching(batch)
  return p


scatter_add_p = _scatter("scatter_add", np.add)


def _scatter_add_jvp(primals, tangents, *, axes, mode):
  x, idx, u = primals
  tx, _, tu = tangents
  ans = scatter_add(x, idx, u, axes, mode)
  if type(tu) is Zero:
    return ans, tx
  return ans, scatter_add(instantiate(tx), idx, tu, axes, mode)


def _scatter_add_transpose(ct, x, idx, u, *, axes, mode):
  if type(ct) is Zero:
    return [None, None, None]
  ct_u = None
  if is_undef(u):  # a dropped update reached nothing: its cotangent is 0
    ct_u = _zero_dropped(gather(ct, idx, axes), idx, _sizes(get_aval(ct), axes), mode)
  return [ct if is_undef(x) else None, None, ct_u]


scatter_add_p.def_jvp(_scatter_add_jvp, symbolic_zeros=True)
scatter_add_p.def_transpose(_scatter_add_transpose)


def _mode(mode: str) -> str:
  if mode not in _MODES:
    raise ValueError(f"vjpkit.lax scatter: mode must be 'drop' (skip out-of-range updates, the "
                     f"default, as in JAX) or 'clip' (clamp their indices), got {mode!r}")
  return mode


def scatter_add(x, indices, updates, axes: Sequence[int], mode: str = "drop"):
  """``x`` with ``updates`` added at ``indices``; repeated indices accumulate. Updates at
  out-of-range indices are skipped (``mode="drop"``, as JAX) or clamped (``"clip"``).

  >>> scatter_add(np.zeros(3), np.array([[0], [0], [2]]), np.ones(3), (0,))
  array([2., 0., 1.])
  >>> scatter_add(np.zeros(3), np.array([[5], [-1]]), np.ones(2), (0,))
  array([0., 0., 0.])
  """
  return scatter_add_p.bind(x, indices, updates, axes=tuple(int(a) for a in axes), mode=_mode(mode))


scatter_p = _scatter("scatter", None)


def _scatter_jvp(primals, tangents, *, axes, mode):
  x, idx, u = primals
  tx, _, tu = tangents
  ans = scatter(x, idx, u, axes, mode)
  return ans, scatter(instantiate(tx), idx, instantiate(tu), axes, mode)


def _winners(idx, x_aval, axes, mode):
  """A boolean mask of shape B: which updates a ``scatter`` kept (with repeated
  indices one of them wins; the mask finds it with the same impl; a dropped one
  never wins), or None if the indices are concrete, unique and in range."""
  concrete = concrete_or_none(idx)
  aval = get_aval(idx)
  sizes = tuple(x_aval.shape[a] for a in axes)
  if concrete is not None:
    rows = concrete.reshape(-1, aval.shape[-1])
    flat = np.ravel_multi_index(_index_tuple(rows, sizes), sizes) if rows.size else rows[:, 0]
    if len(np.unique(flat)) == len(flat) and (mode == "clip" or _in_range_rows(rows, sizes).all()):
      return None
  batch = aval.shape[:-1]
  ids = np.arange(int(np.prod(batch, dtype=np.int64))).reshape(batch)
  k = tuple(range(len(axes)))
  owner = scatter(shapes.full(sizes, -1, ids.dtype), idx, ids, k, mode)
  return ew.eq(gather(owner, idx, k), ids)


def _scatter_transpose(ct, x, idx, u, *, axes, mode):
  if type(ct) is Zero:
    return [None, None, None]
  u_aval = u.aval if is_undef(u) else get_aval(u)
  ct_x = scatter(ct, idx, shapes.full(u_aval.shape, 0, u_aval.dtype), axes, mode) if is_undef(x) else None
  ct_u = None
  if is_undef(u):
    ct_u = gather(ct, idx, axes)
    won = _winners(idx, get_aval(ct), axes, mode)
    if won is not None:
      won = shapes.broadcast_in_dim(won, u_aval.shape, tuple(range(get_aval(won).ndim)))
      ct_u = ew.select_n(won, shapes.full_like(ct_u, 0), ct_u)
  return [ct_x, None, ct_u]


scatter_p.def_jvp(_scatter_jvp, symbolic_zeros=True)
scatter_p.def_transpose(_scatter_transpose)


def scatter(x, indices, updates, axes: Sequence[int], mode: str = "drop"):
  """``x`` with the entries at ``indices`` replaced by ``updates`` (functional ``x[i] = u``);
  updates at out-of-range indices are skipped (``mode="drop"``) or clamped (``"clip"``)."""
  return scatter_p.bind(x, indices, updates, axes=tuple(int(a) for a in axes), mode=_mode(mode))


# scatter_mul: x times the product of the updates at each index. Its JVP is the
# JVP of a composite: the updates are split into rounds of unique indices (so
# each round is a plain ``scatter`` into ones), exact at zeros, of every order.
# Traced indices (jit, vmap) have no rounds: the tangent in u multiplies each
# update's tangent by the product of the other updates at its position, found by
# comparing positions pairwise (``_scatter_mul_jvp_u``).
scatter_mul_p = _scatter("scatter_mul", np.multiply)


def _rounds(idx: np.ndarray, sizes) -> list[np.ndarray]:
  """Positions (into the flattened batch of ``idx``) split into rounds of unique indices."""
  rows = idx.reshape(-1, idx.shape[-1])
  flat = np.ravel_multi_index(_index_tuple(rows, sizes), sizes)
  order = np.argsort(flat, kind="stable")
  sorted_flat = flat[order]
  starts = np.r_[0, np.nonzero(np.diff(sorted_flat))[0] + 1] if len(flat) else np.zeros(0, int)
  rank = np.empty(len(flat), np.int64)
  rank[order] = np.arange(len(flat)) - np.repeat(starts, np.diff(np.r_[starts, len(flat)]))
  return [np.nonzero(rank == r)[0] for r in range(int(rank.max(initial=-1)) + 1)]


def _scatter_mul_composite(x, u, *, idx, axes, mode):
  aval, idx_aval = get_aval(x), get_aval(idx)
  n_b = idx_aval.ndim - 1
  flat_u = shapes.reshape(u, (int(np.prod(idx_aval.shape[:-1], dtype=np.int64)),)
                          + get_aval(u).shape[n_b:])
  flat_idx = idx.reshape(-1, idx.shape[-1])
  sizes = _sizes(aval, axes)
  keep = _in_range_rows(flat_idx, sizes) if mode == "drop" else np.ones(len(flat_idx), bool)
  out = x
  for rows in _rounds(idx, sizes):
    rows = rows[keep[rows]]  # a dropped update multiplies nothing
    if not len(rows):
      continue
    u_r = gather(flat_u, rows[:, None], (0,))
    out = ew.mul(out, scatter(shapes.full(aval.shape, 1, aval.dtype), flat_idx[rows], u_r, axes,
                              mode="clip"))
  return out


def _scatter_mul_jvp(primals, tangents, *, axes, mode):
  x, idx, u = primals
  tx, _, tu = tangents
  ans = scatter_mul(x, idx, u, axes, mode)
  if type(tu) is Zero:
    return ans, scatter_mul(tx, idx, u, axes, mode)
  concrete = concrete_or_none(idx)
  if concrete is None:  # traced indices (jit, or the constants of a jitted program)
    t_u = _scatter_mul_jvp_u(x, idx, u, tu, axes, mode)
    return ans, t_u if type(tx) is Zero else ew.add(scatter_mul(tx, idx, u, axes, mode), t_u)
  _, (t_out,) = jvp_flat(lambda x, u: [_scatter_mul_composite(x, u, idx=concrete, axes=axes, mode=mode)],
                         [x, u], [tx, tu], instantiate_zeros=False)
  return ans, t_out


_PAIRWISE_LIMIT = 1 << 24


def _scatter_mul_jvp_u(x, idx, u, tu, axes, mode):
  """The tangent in ``u`` for indices known only by shape: at position p it is
  ``x[p] * sum_j tu_j * prod(u_k for the other k at p)``, exact at zeros (no division).
  The other updates at the same position come from a pairwise comparison of positions
  (clamped as gather and a "clip" scatter clamp them; in "drop" mode the dropped updates
  are no one's others, and their own terms are dropped by the scatter-add):
  ``B**2 * rest`` elements."""
  aval, idx_aval, u_aval = get_aval(x), get_aval(idx), get_aval(u)
  n_b = idx_aval.ndim - 1
  nb = int(np.prod(idx_aval.shape[:-1], dtype=np.int64))
  rest = u_aval.shape[n_b:]
  if nb > 1:
    if nb * nb * int(np.prod(rest, dtype=np.int64)) > _PAIRWISE_LIMIT:
      raise NotImplementedError(
          f"differentiating scatter_mul (x.at[idx].multiply(u)) with respect to u for "
          f"{nb} updates at traced indices (under jit or vmap) needs {nb}² pairwise products, "
          "too many. Compute the indices outside the transform, or write the update as "
          "x * y.at[idx].set(u) with y = ones when the indices are unique.")
    sizes = tuple(aval.shape[a] for a in axes)
    table = np.arange(int(np.prod(sizes, dtype=np.int64)), dtype=np.int64).reshape(sizes)
    pos = gather(table, shapes.reshape(idx, (nb, idx_aval.shape[-1])), tuple(range(len(sizes))))
    same = ew.eq(shapes.broadcast_in_dim(pos, (nb, nb), (0,)),
                 shapes.broadcast_in_dim(pos, (nb, nb), (1,)))
    same = ew.logical_and(same, np.logical_not(np.eye(nb, dtype=bool)))  # the others only
    kept = _in_range(shapes.reshape(idx, (nb, idx_aval.shape[-1])), sizes) if mode == "drop" else None
    if kept is not None:
      same = ew.logical_and(same, shapes.broadcast_in_dim(kept, (nb, nb), (1,)))
    pair = (nb, nb) + rest
    flat_u = shapes.reshape(u, (nb,) + rest)
    tail = tuple(range(2, 2 + len(rest)))
    m = ew.select_n(shapes.broadcast_in_dim(same, pair, (0, 1)), shapes.full(pair, 1, u_aval.dtype),
                    shapes.broadcast_in_dim(flat_u, pair, (1,) + tail))
    n = nb
    while n > 1:  # the product over axis 1 as a balanced tree of multiplications
      if n % 2:
        m = shapes.concatenate([m, shapes.full((nb, 1) + rest, 1, u_aval.dtype)], 1)
        n += 1
      m = ew.mul(shapes.slice_in_dim(m, 0, n, 2, 1), shapes.slice_in_dim(m, 1, n, 2, 1))
      n //= 2
    tu = ew.mul(tu, shapes.reshape(m, u_aval.shape))
  return ew.mul(x, scatter_add(shapes.full(aval.shape, 0, aval.dtype), idx, tu, axes, mode))


def _scatter_mul_transpose(ct, x, idx, u, *, axes, mode):
  if is_undef(u):
    raise NotImplementedError("scatter_mul is linear in x only; its JVP in u uses a composite")
  if type(ct) is Zero or not is_undef(x):
    return [None, None, None]
  return [scatter_mul(ct, idx, u, axes, mode), None, None]  # an elementwise scaling: self-adjoint


scatter_mul_p.def_jvp(_scatter_mul_jvp, symbolic_zeros=True)
scatter_mul_p.def_transpose(_scatter_mul_transpose)


def scatter_mul(x, indices, updates, axes: Sequence[int], mode: str = "drop"):
  """``x`` times ``updates`` at ``indices``; repeated indices multiply together; updates at
  out-of-range indices are skipped (``mode="drop"``) or clamped (``"clip"``)."""
  return scatter_mul_p.bind(x, indices, updates, axes=tuple(int(a) for a in axes), mode=_mode(mode))


# scatter_min / scatter_max: the tangent of whichever value is chosen; ties share
# it evenly, like ``reduce_max``.

def _extremum_jvp(prim):
  def jvp(primals, tangents, *, axes, mode):
    x, idx, u = primals
    tx, _, tu = tangents
    ans = prim.bind(x, idx, u, axes=axes, mode=mode)
    dtype = get_aval(ans).dtype
    x_hit = ew.convert_element_type(ew.eq(x, ans), dtype)
    u_hit = ew.convert_element_type(ew.eq(u, gather(ans, idx, axes)), dtype)
    zeros = shapes.full_like(ans, 0)
    # the scatter-adds drop the dropped updates' hits and tangents ("drop" mode)
    count = ew.add(x_hit, scatter_add(zeros, idx, u_hit, axes, mode))
    total = zeros if type(tx) is Zero else ew.mul(tx, x_hit)
    if type(tu) is not Zero:
      total = scatter_add(total, idx, ew.mul(tu, u_hit), axes, mode)
    return ans, ew.div(total, count)
  prim.def_jvp(jvp, symbolic_zeros=True)


scatter_min_p = _scatter("scatter_min", np.minimum)
_extremum_jvp(scatter_min_p)
scatter_max_p = _scatter("scatter_max", np.maximum)
_extremum_jvp(scatter_max_p)


def scatter_min(x, indices, updates, axes: Sequence[int], mode: str = "drop"):
  """``x`` lowered to ``updates`` at ``indices`` where they are smaller; updates at
  out-of-range indices are skipped (``mode="drop"``) or clamped (``"clip"``)."""
  return scatter_min_p.bind(x, indices, updates, axes=tuple(int(a) for a in axes), mode=_mode(mode))


def scatter_max(x, indices, updates, axes: Sequence[int], mode: str = "drop"):
  """``x`` raised to ``updates`` at ``indices`` where they are larger; updates at
  out-of-range indices are skipped (``mode="drop"``) or clamped (``"clip"``)."""
  return scatter_max_p.bind(x, indices, updates, axes=tuple(int(a) for a in axes), mode=_mode(mode))


# -- dynamic_slice / dynamic_update_slice: windows at traced offsets ----------------

def _clamped_starts(shape, sizes, starts):
  return tuple(int(np.clip(int(s), 0, n - k)) for s, n, k in zip(starts, shape, sizes))


def _dynamic_slice_impl(x, *starts, slice_sizes):
  x = np.asarray(x)
  begin = _clamped_starts(x.shape, slice_sizes, starts)
  return x[tuple(slice(b, b + k) for b, k in zip(begin, slice_sizes))]


def _check_starts(x, starts, sizes, who):
  if len(starts) != x.ndim or len(sizes) != x.ndim or any(
      s.shape != () or s.dtype.kind not in "iu" for s in starts) or any(
      not 0 <= k <= n for k, n in zip(sizes, x.shape)):
    raise TypeError(f"{who}: needs one integer scalar start per axis of {x.str_short()} and "
                    f"sizes {sizes} within its shape")


def _dynamic_slice_abstract_eval(x, *starts, slice_sizes):
  _check_starts(x, starts, slice_sizes, "dynamic_slice")
  return ShapedArray(slice_sizes, x.dtype)


def _window_indices(axis_size, shape, sizes, starts, dims):
  """Gather/scatter indices (N, *sizes, 1 + ndim) of a window at batched starts."""
  cols = []
  for s, d, n, k in zip(starts, dims, shape, sizes):
    s = ew.convert_element_type(s, np.int64)
    s = ew.max(ew.min(s, np.int64(n - k)), np.int64(0))  # clamp, as the impl does
    s = shapes.broadcast_in_dim(s, (axis_size,), (0,) if d is not None else ())
    cols.append(s)
  grid = np.stack(np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij"), -1)
  out_shape = (axis_size,) + tuple(sizes) + (len(sizes),)
  starts_arr = shapes.broadcast_in_dim(shapes.concatenate([shapes.reshape(c, (axis_size, 1)) for c in cols], 1),
                                       out_shape, (0, len(out_shape) - 1))
  idx = ew.add(starts_arr, shapes.broadcast_in_dim(grid.astype(np.int64), out_shape,
                                                    tuple(range(1, len(out_shape)))))
  return _with_batch_index(idx, axis_size)


def _dynamic_slice_batch(vals, dims, *, slice_sizes):
  axis_size = batch_size(vals, dims)
  (x, *starts), (dx, *dstarts) = vals, dims
  x = _to_front(x, dx, axis_size)
  if all(d is None for d in dstarts):
    return dynamic_slice(x, [np.int64(0)] + starts, (axis_size,) + tuple(slice_sizes)), 0
  starts = [s if d is None else shapes.moveaxis(s, d, 0) for s, d in zip(starts, dstarts)]
  idx = _window_indices(axis_size, get_aval(x).shape[1:], slice_sizes, starts, dstarts)
  return gather(x, idx, tuple(range(get_aval(x).ndim))), 0


dynamic_slice_p = Primitive("dynamic_slice", impl=_dynamic_slice_impl,
                            abstract_eval=_dynamic_slice_abstract_eval)
defjvp(dynamic_slice_p, lambda t, ans, x, *starts, slice_sizes: dynamic_slice(t, starts, slice_sizes))
dynamic_slice_p.def_transpose(lambda ct, x, *starts, slice_sizes: [None] * (1 + len(starts)) if type(
    ct) is Zero else [dynamic_update_slice(shapes.full(x.aval.shape, 0, x.aval.dtype), ct, starts)] + [
    None] * len(starts))
dynamic_slice_p.def_batching(_dynamic_slice_batch)


def dynamic_slice(x, start_indices: Sequence, slice_sizes: Sequence[int]):
  """The window of ``slice_sizes`` at ``start_indices`` (which may be traced); starts are
  clamped so that the window lies inside ``x``, as in JAX.

  >>> dynamic_slice(np.arange(5.0), [np.int64(4)], [2])
  array([3., 4.])
  """
  return dynamic_slice_p.bind(x, *start_indices, slice_sizes=tuple(int(k) for k in slice_sizes))


def _dynamic_update_slice_impl(x, update, *starts):
  out = np.array(x, copy=True)
  update = np.asarray(update)
  begin = _clamped_starts(out.shape, update.shape, starts)
  out[tuple(slice(b, b + k) for b, k in zip(begin, update.shape))] = update
  return out


def _dynamic_update_slice_abstract_eval(x, update, *starts):
  _check_starts(x, starts, update.shape, "dynamic_update_slice")
  if update.dtype != x.dtype:
    raise TypeError(f"dynamic_update_slice: update {update.str_short()} must have the dtype of {x.str_short()}")
  return x


def _dynamic_update_slice_jvp(primals, tangents):
  x, u, *starts = primals
  tx, tu = tangents[:2]
  ans = dynamic_update_slice(x, u, starts)
  return ans, dynamic_update_slice(instantiate(tx), instantiate(tu), starts)


def _dynamic_update_slice_transpose(ct, x, u, *starts):
  if type(ct) is Zero:
    return [None] * (2 + len(starts))
  u_aval = u.aval if is_undef(u) else get_aval(u)
  ct_x = dynamic_update_slice(ct, shapes.full(u_aval.shape, 0, u_aval.dtype), starts) if is_undef(x) else None
  ct_u = dynamic_slice(ct, starts, u_aval.shape) if is_undef(u) else None
  return [ct_x, ct_u] + [None] * len(starts)


def _dynamic_update_slice_batch(vals, dims):
  axis_size = batch_size(vals, dims)
  (x, u, *starts), (dx, du, *dstarts) = vals, dims
  x, u = _to_front(x, dx, axis_size), _to_front(u, du, axis_size)
  if all(d is None for d in dstarts):
    return dynamic_update_slice(x, u, [np.int64(0)] + starts), 0
  starts = [s if d is None else shapes.moveaxis(s, d, 0) for s, d in zip(starts, dstarts)]
  idx = _window_indices(axis_size, get_aval(x).shape[1:], get_aval(u).shape[1:], starts, dstarts)
  return scatter(x, idx, u, tuple(range(get_aval(x).ndim)), mode="clip"), 0  # starts are clamped


dynamic_update_slice_p = Primitive("dynamic_update_slice", impl=_dynamic_update_slice_impl,
                                   abstract_eval=_dynamic_update_slice_abstract_eval)
dynamic_update_slice_p.def_jvp(_dynamic_update_slice_jvp, symbolic_zeros=True)
dynamic_update_slice_p.def_transpose(_dynamic_update_slice_transpose)
dynamic_update_slice_p.def_batching(_dynamic_update_slice_batch)


def dynamic_update_slice(x, update, start_indices: Sequence):
  """``x`` with the window at ``start_indices`` (clamped, may be traced) replaced by ``update``."""
  return dynamic_update_slice_p.bind(x, update, *start_indices)


def take_along_axis(x, indices, axis: int):
  """``x`` picked along ``axis`` by ``indices`` of the same rank (other axes broadcast),
  as ``numpy.take_along_axis``: a gather on every axis, with iota indices for the others."""
  x_aval, i_aval = get_aval(x), get_aval(indices)
  nd = x_aval.ndim
  out_shape = tuple(i_aval.shape[d] if d == axis else int(np.broadcast_shapes(
      (x_aval.shape[d],), (i_aval.shape[d],))[0]) for d in range(nd))
  full = out_shape + (1,)
  cols = []
  for d in range(nd):
    if d == axis:
      col = ew.convert_element_type(indices, np.int64)
      cols.append(shapes.reshape(shapes.broadcast_in_dim(col, out_shape, tuple(range(nd))), full))
    else:
      iota = np.arange(out_shape[d]) if x_aval.shape[d] == out_shape[d] else np.zeros(out_shape[d], int)
      cols.append(shapes.broadcast_in_dim(iota.astype(np.int64), full, (d,)))
  return gather(x, shapes.concatenate(cols, nd), tuple(range(nd)))
