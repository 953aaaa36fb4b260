"""Linear algebra primitives: dot_general (matmul, matvec, outer, batched, tensordot).

``dot_general`` is bilinear, so its derivative is two transpose rules: with
``y = W @ x`` the cotangent ``g`` pulls back to ``Wᵀ g`` for x and ``g xᵀ``
for W. Both are dot_generals again, never a Jacobian.

Solves and determinants are in ``solves.py``, the LU factorization and solves with it in
``lu.py``, decompositions in ``decompositions.py`` and ``schur.py``, matrix functions
(expm, sqrtm, polar) in ``matrix_functions.py``; ``_matrix.py`` has the batched-matrix
helpers their rules use.
"""
from __future__ import annotations

import functools

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.jvp import defbilinear
from . import shapes


def _free_dims(ndim, contract, batch):
  return [i for i in range(ndim) if i not in contract and i not in batch]


def _dot_general_impl(x, y, *, dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  x, y = np.asarray(x), np.asarray(y)
  if not lb and len(lc) == 1 and x.ndim <= 2 and y.ndim <= 2:  # matrix products: BLAS via @
    return np.matmul(x if lc[0] == x.ndim - 1 else x.T, y if rc[0] == 0 else y.T)
  if not lb and not lc:  # outer products
    return np.multiply.outer(x, y)
  if not lb:
    return np.tensordot(x, y, (lc, rc))
  lf, rf = _free_dims(x.ndim, lc, lb), _free_dims(y.ndim, rc, rb)
  bshape = [x.shape[i] for i in lb]
  lfs, rfs = [x.shape[i] for i in lf], [y.shape[i] for i in rf]
  k = int(np.prod([x.shape[i] for i in lc], dtype=np.int64))
  x3 = np.transpose(x, list(lb) + lf + list(lc)).reshape(-1, int(np.prod(lfs, dtype=np.int64)), k)
  y3 = np.transpose(y, list(rb) + list(rc) + rf).reshape(-1, k, int(np.prod(rfs, dtype=np.int64)))
  return np.matmul(x3, y3).reshape(bshape + lfs + rfs)


def _dot_general_abstract_eval(x, y, *, dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  if (x.dtype != y.dtype or len(lc) != len(rc) or len(lb) != len(rb)
      or any(x.shape[a] != y.shape[b] for a, b in zip(lc + lb, rc + rb))):
    raise TypeError(f"dot_general cannot combine {x.str_short()} and {y.str_short()} with "
                    f"dimension_numbers={dimension_numbers} (contracted and batch dimensions "
                    "must have equal sizes and the dtypes must agree)")
  shape = ([x.shape[i] for i in lb] + [x.shape[i] for i in _free_dims(x.ndim, lc, lb)]
           + [y.shape[i] for i in _free_dims(y.ndim, rc, rb)])
  return ShapedArray(shape, x.dtype)


def _transpose_operand(ct, other, own_ndim, own_contract, own_batch, other_contract, other_batch,
                       own_free_first):
  """Pull ``ct`` back to one operand of a dot_general, given the other operand.

  ct's axes are (batch, lhs free, rhs free); ``own_free_first`` says whether
  this operand's free axes come before the other's in ct."""
  dims, perm = _transpose_plan(own_ndim, own_contract, own_batch, get_aval(other).ndim,
                               other_contract, other_batch, own_free_first)
  out = dot_general_p.bind(ct, other, dimension_numbers=dims)
  return shapes.transpose(out, perm)


@functools.lru_cache(maxsize=1024)
def _transpose_plan(own_ndim, own_contract, own_batch, other_ndim, other_contract, other_batch,
                    own_free_first):
  """The dot_general and the axis permutation of ``_transpose_operand`` (index work only,
  cached: it is the same for every step of a loop)."""
  nb = len(own_batch)
  own_free = _free_dims(own_ndim, own_contract, own_batch)
  other_free = _free_dims(other_ndim, other_contract, other_batch)
  if own_free_first:
    ct_other_free = list(range(nb + len(own_free), nb + len(own_free) + len(other_free)))
  else:
    ct_other_free = list(range(nb, nb + len(other_free)))
  dims = ((tuple(ct_other_free), tuple(other_free)), (tuple(range(nb)), tuple(other_batch)))
  # out's axes: batch, own free, then the other's contracted axes in increasing order
  order = np.argsort(other_contract)
  src = list(own_batch) + own_free + [own_contract[i] for i in order]
  return dims, tuple(int(i) for i in np.argsort(src))


def _dot_lhs_transpose(ct, x, y, *, dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  return _transpose_operand(ct, y, x.aval.ndim, lc, lb, rc, rb, own_free_first=True)


def _dot_rhs_transpose(ct, x, y, *, dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  return _transpose_operand(ct, x, y.aval.ndim, rc, rb, lc, lb, own_free_first=False)


def _dot_general_batch(vals, dims, *, dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  x, y = vals
  dx, dy = dims
  shift = lambda axes: tuple(a + 1 for a in axes)  # noqa: E731
  if dx is not None and dy is not None:
    x, y = shapes.moveaxis(x, dx, 0), shapes.moveaxis(y, dy, 0)
    new = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
    return dot_general(x, y, new), 0
  if dx is not None:
    x = shapes.moveaxis(x, dx, 0)
    new = ((shift(lc), rc), (shift(lb), rb))
    return dot_general(x, y, new), len(lb)
  y = shapes.moveaxis(y, dy, 0)
  new = ((lc, shift(rc)), (lb, shift(rb)))
  n_lhs_free = len(_free_dims(get_aval(x).ndim, lc, lb))
  return dot_general(x, y, new), len(lb) + n_lhs_free


dot_general_p = Primitive("dot_general", impl=_dot_general_impl,
                          abstract_eval=_dot_general_abstract_eval)
defbilinear(dot_general_p, _dot_lhs_transpose, _dot_rhs_transpose)
dot_general_p.def_batching(_dot_general_batch)


def dot_general(x, y, dimension_numbers):
  """Contract ``x`` and ``y``: ``dimension_numbers = ((lhs_contract, rhs_contract),
  (lhs_batch, rhs_batch))``; result axes are (batch, lhs free, rhs free)."""
  return dot_general_p.bind(x, y, dimension_numbers=_canonical_dims(dimension_numbers))


def _canonical_dims(dimension_numbers):
  try:
    return _canonical_dims_cached(dimension_numbers)
  except TypeError:  # lists: not hashable
    return _canonical_dims_cached.__wrapped__(dimension_numbers)


@functools.lru_cache(maxsize=256)
def _canonical_dims_cached(dimension_numbers):
  (lc, rc), (lb, rb) = dimension_numbers
  return ((tuple(int(a) for a in lc), tuple(int(a) for a in rc)),
          (tuple(int(a) for a in lb), tuple(int(a) for a in rb)))
