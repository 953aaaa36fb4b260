"""Collectives over a named ``vmap`` axis: ``psum``, ``pmean``, ``pmax``, ``pmin``,
``all_gather``, ``ppermute``, ``axis_index``, ``axis_size``, with JAX's semantics.

Inside ``vmap(f, axis_name="i")`` the function sees one batch member; ``psum(x, "i")`` is
the sum of ``x`` over all members (the same value for each), ``axis_index("i")`` the
member's position. A value that does not vary over the axis counts once per member
(``psum(1.0, "i")`` is the axis size). Derivatives follow: ``psum`` is linear and its
transpose is ``psum``.

>>> import vjpkit
>>> vjpkit.vmap(lambda x: x / psum(x, "i"), axis_name="i")(np.array([1.0, 3.0]))
array([0.25, 0.75])
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate
from ..interpreters.batching import collective_rules, named_axis_trace
from ..tree_util import tree_map
from . import elementwise as ew, reductions, shapes

__all__ = ["all_gather", "all_gather_p", "axis_index", "axis_size", "pmax", "pmax_p", "pmean",
           "pmin", "pmin_p", "ppermute", "ppermute_p", "pshuffle", "psum", "psum_p",
           "psum_scatter"]


def _names(axis_name) -> tuple:
  return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _size(axis_name, who: str) -> int:
  n = 1
  for name in _names(axis_name):
    n *= named_axis_trace(name, who).axis_size
  return n


def _same_abstract_eval(x, **params):
  return ShapedArray(x.shape, x.dtype)


def _collective(name: str, impl, abstract_eval=_same_abstract_eval) -> Primitive:
  """A primitive batched by its rule in ``collective_rules`` (which sees the trace, and
  which vmap consults first); its ordinary batching rule is never reached."""
  p = Primitive(name, impl=impl, abstract_eval=abstract_eval)

  def unreachable(vals, dims, **params):
    raise RuntimeError(f"{name} is batched by its rule in collective_rules, which needs the "
                       "vmap trace; it cannot be batched without one")
  p.def_batching(unreachable)
  return p


def _rule(reduce_batch, rebind):
  """A collective rule: on the trace of the named axis, ``reduce_batch(val, dim, trace)``
  (an unbatched result); on any other vmap, the collective of each of its members."""
  def rule(trace, vals, dims, *, axis_name, **params):
    (x,), (d,) = vals, dims
    if trace.axis_name in _names(axis_name):
      out = reduce_batch(x, d, trace, **params)
      rest = tuple(n for n in _names(axis_name) if n != trace.axis_name)
      return (rebind(out, rest, **params) if rest else out), None
    return rebind(x, axis_name, **params), d
  return rule


# -- psum ---------------------------------------------------------------------------

psum_p = _collective("psum", lambda x, *, axis_name: np.multiply(x, _size(axis_name, "psum")))
collective_rules[psum_p] = _rule(
    lambda x, d, trace: reductions.reduce_sum(x, (d,)),
    lambda x, names: psum_p.bind(x, axis_name=names))


def _psum_jvp(primals, tangents, *, axis_name):
  (x,), (t,) = primals, tangents
  out = psum_p.bind(x, axis_name=axis_name)
  return out, (Zero.like(out) if type(t) is Zero else psum_p.bind(t, axis_name=axis_name))


psum_p.def_jvp(_psum_jvp, symbolic_zeros=True)
psum_p.def_transpose(lambda ct, x, *, axis_name: [
    None if type(ct) is Zero else psum_p.bind(ct, axis_name=axis_name)])


def psum(x: Any, axis_name: Any, *, axis_index_groups: Any = None) -> Any:
  """The sum of ``x`` (a pytree) over the members of the named vmap axis (or axes).

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: psum(x, "i"), axis_name="i")(np.arange(3.0))
  array([3., 3., 3.])
  """
  _no_groups(axis_index_groups, "psum")
  return tree_map(lambda v: psum_p.bind(_array(v), axis_name=axis_name), x)


def pmean(x: Any, axis_name: Any, *, axis_index_groups: Any = None) -> Any:
  """The mean of ``x`` over the members of the named axis.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: pmean(x, "i"), axis_name="i")(np.arange(3.0))
  array([1., 1., 1.])
  """
  _no_groups(axis_index_groups, "pmean")
  n = _size(axis_name, "pmean")

  def mean(v):
    s = psum_p.bind(_array(v), axis_name=axis_name)
    if get_aval(s).dtype.kind not in "fc":
      s = ew.convert_element_type(s, np.dtype(np.float64))
    return ew.div(s, np.array(n, get_aval(s).dtype)[()])
  return tree_map(mean, x)


# -- pmax / pmin: ties share the derivative, like max ---------------------------------

def _extremum(name, reduce):
  p = _collective(name, lambda x, *, axis_name: np.asarray(x))  # unbatched: x itself
  collective_rules[p] = _rule(lambda x, d, trace: reduce(x, (d,)),
                              lambda x, names: p.bind(x, axis_name=names))

  def jvp(primals, tangents, *, axis_name):
    (x,), (t,) = primals, tangents
    out = p.bind(x, axis_name=axis_name)
    if type(t) is Zero:
      return out, Zero.like(out)
    hit = ew.convert_element_type(ew.eq(x, out), get_aval(x).dtype)
    t = instantiate(t)
    return out, ew.div(psum_p.bind(ew.mul(hit, t), axis_name=axis_name),
                       psum_p.bind(hit, axis_name=axis_name))
  p.def_jvp(jvp, symbolic_zeros=True)
  return p


pmax_p = _extremum("pmax", reductions.reduce_max)
pmin_p = _extremum("pmin", reductions.reduce_min)


def pmax(x: Any, axis_name: Any, *, axis_index_groups: Any = None) -> Any:
  """The maximum of ``x`` over the members of the named axis.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: pmax(x, "i"), axis_name="i")(np.array([1.0, 5.0, 2.0]))
  array([5., 5., 5.])
  """
  _no_groups(axis_index_groups, "pmax")
  return tree_map(lambda v: pmax_p.bind(_array(v), axis_name=axis_name), x)


def pmin(x: Any, axis_name: Any, *, axis_index_groups: Any = None) -> Any:
  """The minimum of ``x`` over the members of the named axis.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: pmin(x, "i"), axis_name="i")(np.array([1.0, 5.0, 2.0]))
  array([1., 1., 1.])
  """
  _no_groups(axis_index_groups, "pmin")
  return tree_map(lambda v: pmin_p.bind(_array(v), axis_name=axis_name), x)


# -- all_gather ---------------------------------------------------------------------

def _gather_shape(shape, n, axis, tiled):
  if tiled:
    return shape[:axis] + (shape[axis] * n,) + shape[axis + 1:]
  return shape[:axis] + (n,) + shape[axis:]


def _all_gather_impl(x, *, axis_name, axis, tiled):
  n = _size(axis_name, "all_gather")
  x = np.asarray(x)
  stacked = np.stack([x] * n, axis=axis)
  return stacked.reshape(_gather_shape(x.shape, n, axis, tiled)) if tiled else stacked


def _all_gather_abstract_eval(x, *, axis_name, axis, tiled):
  return ShapedArray(_gather_shape(x.shape, _size(axis_name, "all_gather"), axis, tiled), x.dtype)


all_gather_p = _collective("all_gather", _all_gather_impl, _all_gather_abstract_eval)


def _all_gather_reduce(x, d, trace, *, axis, tiled):
  out = shapes.moveaxis(x, d, axis)
  if tiled:
    shape = get_aval(out).shape
    out = shapes.reshape(out, shape[:axis] + (shape[axis] * shape[axis + 1],) + shape[axis + 2:])
  return out


def _all_gather_rule(trace, vals, dims, *, axis_name, axis, tiled):
  (x,), (d,) = vals, dims
  if _names(axis_name) != (trace.axis_name,):
    if trace.axis_name in _names(axis_name):
      raise NotImplementedError("all_gather over several axis names at once is not supported; "
                                "gather over one name at a time")
    # another vmap's members: their axis `axis` is axis + (d <= axis) of the batched value,
    # and a new gathered axis before the batch axis d moves it one on
    out = all_gather_p.bind(x, axis_name=axis_name, axis=axis + (d <= axis), tiled=tiled)
    return out, (d + 1 if not tiled and d > axis else d)
  return _all_gather_reduce(x, d, trace, axis=axis, tiled=tiled), None


collective_rules[all_gather_p] = _all_gather_rule


def _all_gather_jvp(primals, tangents, **params):
  (x,), (t,) = primals, tangents
  out = all_gather_p.bind(x, **params)
  return out, (Zero.like(out) if type(t) is Zero else all_gather_p.bind(t, **params))


def _all_gather_transpose(ct, x, *, axis_name, axis, tiled):
  if type(ct) is Zero:
    return [None]
  total = psum_p.bind(instantiate(ct), axis_name=axis_name)  # every member's cotangent
  i = axis_index(axis_name)
  size = x.aval.shape[axis] if tiled else 1
  from .indexing import dynamic_slice
  starts = [np.int64(0)] * get_aval(total).ndim
  starts[axis] = ew.mul(i, np.int64(size)) if tiled else i
  sizes = list(get_aval(total).shape)
  sizes[axis] = size
  piece = dynamic_slice(total, starts, sizes)
  return [piece if tiled else shapes.squeeze(piece, (axis,))]


all_gather_p.def_jvp(_all_gather_jvp, symbolic_zeros=True)
all_gather_p.def_transpose(_all_gather_transpose)


def all_gather(x: Any, axis_name: Any, *, axis_index_groups: Any = None, axis: int = 0,
               tiled: bool = False) -> Any:
  """Every member's ``x`` stacked along a new ``axis`` (concatenated with ``tiled``), the
  same array for each member.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: all_gather(x, "i"), axis_name="i")(np.arange(2.0))
  array([[0., 1.],
         [0., 1.]])
  """
  _no_groups(axis_index_groups, "all_gather")

  def gather(v):
    v = _array(v)
    nd = get_aval(v).ndim + (0 if tiled else 1)
    if tiled and get_aval(v).ndim == 0:
      raise ValueError("all_gather: tiled=True needs an array of at least one dimension")
    return all_gather_p.bind(v, axis_name=axis_name, axis=int(axis) % nd, tiled=bool(tiled))
  return tree_map(gather, x)


# -- ppermute -----------------------------------------------------------------------

def _ppermute_impl(x, *, axis_name, perm):
  raise ValueError("ppermute: the operand must vary over the named axis (an unbatched value "
                   "has no per-member copies to permute); broadcast it first")


ppermute_p = _collective("ppermute", _ppermute_impl)


def _ppermute_rule(trace, vals, dims, *, axis_name, perm):
  (x,), (d,) = vals, dims
  if axis_name != trace.axis_name:
    return ppermute_p.bind(x, axis_name=axis_name, perm=perm), d
  n = trace.axis_size
  src = np.full(n, -1)
  for s, t in perm:
    src[t] = s
  x = shapes.moveaxis(x, d, 0)
  zero = shapes.full_like(shapes.slice_in_dim(x, 0, 1, axis=0), 0)
  pieces = [shapes.slice_in_dim(x, s, s + 1, axis=0) if s >= 0 else zero for s in src]
  return shapes.concatenate(pieces, 0), 0


collective_rules[ppermute_p] = _ppermute_rule
ppermute_p.def_jvp(lambda primals, tangents, **params: (
    ppermute_p.bind(primals[0], **params),
    Zero.like(primals[0]) if type(tangents[0]) is Zero else ppermute_p.bind(tangents[0], **params)),
    symbolic_zeros=True)
ppermute_p.def_transpose(lambda ct, x, *, axis_name, perm: [
    None if type(ct) is Zero else
    ppermute_p.bind(ct, axis_name=axis_name, perm=tuple((t, s) for s, t in perm))])


def ppermute(x: Any, axis_name: Any, perm: Sequence[tuple[int, int]]) -> Any:
  """Member ``t`` gets member ``s``'s ``x`` for each pair ``(s, t)`` of ``perm``; members
  no pair sends to get zeros.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: ppermute(x, "i", [(0, 1), (1, 2), (2, 0)]), axis_name="i")(
  ...     np.array([1.0, 2.0, 3.0]))
  array([3., 1., 2.])
  """
  perm = tuple((int(s), int(t)) for s, t in perm)
  if len({t for _, t in perm}) != len(perm) or len({s for s, _ in perm}) != len(perm):
    raise ValueError(f"ppermute: perm {perm} sends to or from a member twice")
  return tree_map(lambda v: ppermute_p.bind(_array(v), axis_name=axis_name, perm=perm), x)


def pshuffle(x: Any, axis_name: Any, perm: Sequence[int]) -> Any:
  """Member ``i`` gets member ``perm[i]``'s ``x`` (``perm`` a permutation of the axis).

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: pshuffle(x, "i", [2, 0, 1]), axis_name="i")(np.array([1.0, 2.0, 3.0]))
  array([3., 1., 2.])
  """
  perm = [int(p) for p in perm]
  if sorted(perm) != list(range(len(perm))):
    raise ValueError(f"pshuffle: perm {perm} is not a permutation of 0..{len(perm) - 1}")
  return ppermute(x, axis_name, [(s, t) for t, s in enumerate(perm)])


def psum_scatter(x: Any, axis_name: Any, *, scatter_dimension: int = 0,
                 axis_index_groups: Any = None, tiled: bool = False) -> Any:
  """The sum of ``x`` over the members, of which member ``i`` keeps the ``i``-th slice along
  ``scatter_dimension`` (of length the axis size; with ``tiled``, the ``i``-th block).

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: psum_scatter(x, "i"), axis_name="i")(np.ones((2, 2)))
  array([2., 2.])
  """
  _no_groups(axis_index_groups, "psum_scatter")
  from .indexing import dynamic_slice
  n = _size(axis_name, "psum_scatter")

  def scatter(v):
    total = psum_p.bind(_array(v), axis_name=axis_name)
    shape = get_aval(total).shape
    d = int(scatter_dimension) % len(shape)
    if shape[d] % n or (not tiled and shape[d] != n):
      raise ValueError(f"psum_scatter: dimension {d} of length {shape[d]} must "
                       f"{'be divisible by' if tiled else 'equal'} the axis size {n}")
    block = shape[d] // n
    starts = [np.int64(0)] * len(shape)
    starts[d] = ew.mul(axis_index(axis_name), np.int64(block))
    sizes = list(shape)
    sizes[d] = block
    piece = dynamic_slice(total, starts, sizes)
    return piece if tiled else shapes.squeeze(piece, (d,))
  return tree_map(scatter, x)


# -- the member's position ------------------------------------------------------------

def axis_index(axis_name: Any) -> Any:
  """The position of the current member along the named axis (an int64 that varies
  over the batch).

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: x * axis_index("i"), axis_name="i")(np.ones(3))
  array([0., 1., 2.])
  """
  if isinstance(axis_name, (tuple, list)):
    out: Any = np.int64(0)
    for name in axis_name:
      out = ew.add(ew.mul(out, np.int64(axis_size(name))), axis_index(name))
    return out
  trace = named_axis_trace(axis_name, "axis_index")
  return trace.wrap(np.arange(trace.axis_size, dtype=np.int64), 0)


def axis_size(axis_name: Any) -> int:
  """The number of members of the named axis.

  >>> import vjpkit
  >>> vjpkit.vmap(lambda x: x * axis_size("i"), axis_name="i")(np.ones(2))
  array([2., 2.])
  """
  return _size(axis_name, "axis_size")


def _array(v):
  return v if hasattr(v, "aval") or isinstance(v, np.ndarray) else np.asarray(v)


def _no_groups(groups, who: str) -> None:
  if groups is not None:
    raise NotImplementedError(f"{who}: axis_index_groups is not supported (vjpkit's collectives "
                              "run over a whole vmap axis)")
