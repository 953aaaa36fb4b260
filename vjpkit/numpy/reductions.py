"""Reductions of vjpkit.numpy, with NumPy's ``axis`` (int, tuple or None) and ``keepdims``.

``sum`` and ``max``/``min`` are primitives; ``prod`` is a pairwise product tree
(exact derivatives with zeros in the input, no division); ``mean``, ``var``,
``std``, ``average`` and the ``nan*`` variants are composites. Ties in
``max``/``min`` share the derivative evenly (as JAX); ``std`` of a constant
slice has a NaN derivative (sqrt at 0, as JAX).
"""
from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import asarray, axis_seq, check_real, convert, fresh
from . import ufuncs

Array = Any


def no_out(out, who: str) -> None:
  if out is not None:
    raise TypeError(f"vjpkit.numpy.{who}: out= is not supported; vjpkit arrays are immutable, "
                    "use the returned value instead.")


def _arr(a, who: str, real: bool = False):
  """``a`` as an array; ``real``: complex values rejected (orderings: max, argmin, ...)."""
  a = asarray(a)
  if real:
    check_real(get_aval(a).dtype, who)
  return a


def _axes(x, axis) -> tuple[int, ...]:
  ndim = get_aval(x).ndim
  if axis is None:
    return tuple(range(ndim))
  axes = axis_seq(axis)  # floats and arrays raise TypeError, as in NumPy
  out = []
  for a in axes:
    if not -ndim <= a < builtins.max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
      raise np.exceptions.AxisError(f"axis {a} is out of bounds for array of dimension {ndim}")
    out.append(int(a) % ndim if ndim else 0)
  if len(set(out)) != len(out):
    raise ValueError(f"duplicate value in 'axis': {axis}")
  return tuple(sorted(out)) if ndim else ()


def _keep(y, axes, keepdims):
  return lax.expand_dims(y, axes) if keepdims and axes else y


def _count(a, axes) -> int:
  shape = get_aval(a).shape
  return int(np.prod([shape[i] for i in axes], dtype=np.int64))


def _sum_dtype(dtype: np.dtype) -> np.dtype:
  if dtype.kind == "b" or (dtype.kind == "i" and dtype.itemsize < 8):
    return np.dtype(np.int64)
  if dtype.kind == "u" and dtype.itemsize < 8:
    return np.dtype(np.uint64)
  return dtype


def _no_axes(y, a):
  """A reduction over no axes: a new array, as NumPy's, not the input; a NumPy scalar for a
  0-d input (NumPy's ``sum(array(2.0))`` is ``np.float64(2.0)``, with keepdims too)."""
  y = fresh(y, a)
  return y[()] if isinstance(y, np.ndarray) and y.ndim == 0 else y


def _monoid(a, axis, dtype, out, keepdims, initial, where, who, reduce, identity, combine):
  """``sum``/``prod``: NumPy's dtype rule, a ``where`` mask filled with the identity,
  ``initial`` combined into the result (NumPy's order: added after a sum, multiplied first
  into a product)."""
  no_out(out, who)
  a = _arr(a, who)
  a = convert(a, np.dtype(dtype) if dtype is not None else _sum_dtype(get_aval(a).dtype))
  if where is not None:  # the identity in the reduction's dtype (False/True for bools)
    a = ufuncs.where(where, a, np.array(identity, get_aval(a).dtype)[()])
  axes = _axes(a, axis)
  if initial is not None and who == "prod" and axes and _count(a, axes):
    a, initial = _times_first(a, axes, convert(initial, get_aval(a).dtype)), None
  y = _keep(reduce(a, axes), axes, keepdims)
  if not axes:
    y = _no_axes(y, a)
  return y if initial is None else combine(y, convert(initial, get_aval(y).dtype))


def _times_first(a, axes, initial):
  """``a`` with the first entry of each slice over ``axes`` multiplied by ``initial``: NumPy's
  product with ``initial`` starts from it, ``((initial * a0) * a1) ...`` (multiplied in last,
  ``prod([1e200, 1e200], initial=0)`` would be ``inf * 0 = nan``, not 0)."""
  shape = get_aval(a).shape
  first = np.zeros([shape[d] if d in axes else 1 for d in range(len(shape))], bool)
  first[tuple(0 if d in axes else slice(None) for d in range(len(shape)))] = True
  return ufuncs.where(first, ufuncs.multiply(initial, a), a)


def sum(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
        where=None) -> Array:
  """Sum over ``axis`` (all axes by default).

  >>> sum([[1.0, 2.0], [3.0, 4.0]], axis=0)
  array([4., 6.])
  """
  return _monoid(a, axis, dtype, out, keepdims, initial, where, "sum", lax.reduce_sum, 0, ufuncs.add)


def _prod(a, axes):
  """Product over ``axes``: NumPy's values; derivatives of a balanced tree (exact at zeros)."""
  if not axes:
    return a
  return lax.reduce_prod(a, axes)


def prod(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
         where=None) -> Array:
  """Product over ``axis``; derivatives are exact with zeros in the input.

  >>> prod([[1.0, 2.0], [3.0, 4.0]], axis=1)
  array([ 2., 12.])
  """
  return _monoid(a, axis, dtype, out, keepdims, initial, where, "prod", _prod, 1, ufuncs.multiply)


def _float(a, dtype, who):
  a = _arr(a, who)
  if dtype is not None:
    return convert(a, np.dtype(dtype))
  return a if get_aval(a).dtype.kind in "fc" else convert(a, np.dtype(np.float64))


# -- mean, var, std: NumPy's _methods step by step ----------------------------------------
#
# NumPy sums in ``dtype`` (by default float64 for integers and bools, and float32 for float16
# in ``mean``), divides by the count (an intp, or a float64 with a float ``ddof``) in the
# promotion of the two (float64 for a float32 sum: the division is rounded once more) and
# casts the quotient back to the sum's dtype, unsafely: an integer ``dtype=`` truncates.

_INTP = np.dtype(np.intp)
_F64 = np.dtype(np.float64)


def mean(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, *, where=None) -> Array:
  """Arithmetic mean over ``axis`` in NumPy's dtypes: integers and bools give float64,
  float16 is summed in float32 and returned as float16; ``dtype=`` is that of the sum and
  the result (an integer ``dtype`` gives the truncated mean, as NumPy's).

  >>> mean([1.0, 2.0, 6.0])
  np.float64(3.0)
  >>> mean(np.array([1, 2, 4]), dtype=int)
  np.int64(2)
  """
  no_out(out, "mean")
  a = _arr(a, "mean")
  in_dtype = get_aval(a).dtype
  half = dtype is None and in_dtype == np.float16
  if dtype is None and in_dtype.kind in "biu":
    dtype = _F64
  total = sum(a, axis, np.float32 if half else dtype, keepdims=keepdims, where=where)
  count = _count_where(a, axis, keepdims, where)
  if isinstance(count, np.generic) and count == 0:
    warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
  most = _count(a, _axes(a, axis))
  if not half:
    return _where_empty(lambda c: _by_count(total, c, most), count, count)
  if get_aval(total).ndim == 0:  # NumPy: float16(float32 scalar / intp), rounded from float64
    wide = convert(total, _F64)
    return convert(_where_empty(lambda c: _by_count(wide, c), count, count), np.dtype(np.float16))
  quotient = _where_empty(lambda c: _by_count(total, c, most), count, count)  # a float32 array
  return convert(quotient, np.dtype(np.float16))


def _where_empty(f, x, n):
  """``f(x)``, whose value where ``n == 0`` (a slice with no entries under a ``where=``
  mask: a NaN depending on no input) carries no derivative: ``f`` is differentiated at ``x``
  = 1 there. Forward mode gave 0/0 = NaN there while reverse mode gave 0 (JAX's mean too)."""
  if isinstance(n, np.generic):
    return lax.stop_gradient(f(x)) if n == 0 else f(x)
  empty = ufuncs.equal(n, 0)
  safe = ufuncs.where(empty, lax.full((), 1, get_aval(x).dtype), x)
  return ufuncs.where(empty, lax.stop_gradient(f(x)), f(safe))


def _count_where(a, axis, keepdims, where):
  """How many entries each reduced slice has: a NumPy intp, or an intp array under a mask."""
  if where is None:
    return np.intp(_count(a, _axes(a, axis)))
  mask = ufuncs.logical_and(where, lax.full(get_aval(a).shape, True, np.bool_))  # a's shape
  return sum(mask, axis, _INTP, keepdims=keepdims)


def _by_count(total, count, most: int | None = None):
  """``total / count`` as NumPy's reductions divide: in the promotion of their dtypes (a
  float32 total is divided in float64), the quotient cast back to ``total``'s dtype
  (truncated when that is an integer one). ``most`` bounds an integer count array."""
  dtype = get_aval(total).dtype
  wide = np.result_type(dtype, get_aval(count).dtype)
  if dtype.kind in "fc" and (wide == dtype or _rounds_once(dtype, count, most)):
    return ufuncs.true_divide(total, convert(count, dtype))
  return convert(ufuncs.true_divide(convert(total, wide), convert(count, wide)), dtype)


def _rounds_once(dtype: np.dtype, count, most: int | None) -> bool:
  """Whether dividing in the real float ``dtype`` gives NumPy's quotient, computed in float64
  and rounded to ``dtype``: so when ``count`` is a ``dtype`` number (a quotient of p-bit
  numbers rounded via 2p + 2 or more bits is rounded as if once; Figueroa 1995). Not for
  complex totals: NumPy's complex division multiplies by 1/count, rounded in float64."""
  if dtype.kind != "f":
    return False
  if isinstance(count, np.generic):
    return bool(np.asarray(count).astype(dtype) == count)
  bits = np.finfo(dtype).nmant + 1
  return most is not None and get_aval(count).dtype.kind in "iu" and most <= 2 ** bits


_mean = mean


def _ddof(ddof, correction, who: str):
  if correction is None:
    return ddof
  if ddof:
    raise ValueError(f"{who}: ddof and correction can't be provided simultaneously.")
  return correction


def var(a: Array, axis=None, dtype=None, out=None, ddof: float = 0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Array:
  """Variance over ``axis`` with ``ddof`` (or ``correction``) degrees of freedom removed:
  ``sum |x - mean|² / max(n - ddof, 0)`` (inf or NaN for ``ddof >= n``, as NumPy's), in
  NumPy's dtypes (float64 for integers; complex input gives a real variance).

  >>> var([1.0, 2.0, 3.0, 4.0], ddof=1)
  np.float64(1.6666666666666667)
  """
  no_out(out, "var")
  return _var(_arr(a, "var"), axis, dtype, _ddof(ddof, correction, "var"), keepdims, where, mean)


def _var(a, axis, dtype, ddof, keepdims, where, mean):
  """NumPy's ``_var``: the mean and the squared deviations (``|x - mean|²``, in the dtype of
  ``x - mean``) are summed in ``dtype``, divided by ``max(n - ddof, 0)``."""
  if dtype is None and get_aval(a).dtype.kind in "biu":
    dtype = _F64
  axes = _axes(a, axis)
  most = _count(a, axes)
  n = _count_where(a, axis, True, where)
  if mean is None:
    mean = _by_count(sum(a, axis, dtype, keepdims=True, where=where), n, most)
  deviation = ufuncs.subtract(a, mean)
  if where is not None:  # masked infinities: 0 * inf = NaN in the derivative of the square
    deviation = ufuncs.where(where, deviation, lax.full((), 0, get_aval(deviation).dtype))
  total = sum(_abs2(deviation), axis, dtype, keepdims=keepdims, where=where)
  if axes and not keepdims and not isinstance(n, np.generic):
    n = lax.squeeze(n, axes)
  _warn_if_no_dof(n, ddof)
  if isinstance(n, np.generic) and not isinstance(ddof, Tracer):
    dof = np.maximum(n - ddof, 0)  # NumPy's: x/0 = inf, 0/0 = nan
  else:
    dof = ufuncs.maximum(ufuncs.subtract(n, ddof), 0)
  most = most if isinstance(ddof, (int, np.integer)) and ddof >= 0 else None
  return _where_empty(lambda d: _by_count(total, d, most), dof, n)


def _abs2(x):
  """``|x|²`` in ``x``'s real dtype (``re² + im²`` for complex ``x``, as NumPy's)."""
  if get_aval(x).dtype.kind == "c":
    re, im = lax.real(x), lax.imag(x)
    return lax.add(lax.mul(re, re), lax.mul(im, im))
  return lax.mul(x, x)


def _warn_if_no_dof(n, ddof) -> None:
  """NumPy's warning when a (concrete) slice has ``ddof`` or fewer entries."""
  if isinstance(n, np.integer) and isinstance(ddof, (int, float, np.number)) and ddof >= n:
    warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=4)


def std(a: Array, axis=None, dtype=None, out=None, ddof: float = 0, keepdims: bool = False, *,
        where=None, mean=None, correction=None) -> Array:
  """Standard deviation (``sqrt(var)``): its derivative is NaN where the variance is 0.

  >>> std([1.0, 3.0])
  np.float64(1.0)
  """
  v = var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
  if get_aval(v).dtype.kind not in "fc":
    return _sqrt_of(v, "std")
  n = _count_where(_arr(a, "std"), axis, keepdims, where)
  return _where_empty(lambda v: _sqrt_of(v, "std"), v, n)


def _sqrt_of(v, who: str):
  """NumPy's ``std`` of a variance: its square root in its dtype; an integer (or bool)
  ``dtype=`` variance gives a truncated NumPy scalar, and arrays NumPy's cast error."""
  dtype = get_aval(v).dtype
  if dtype.kind in "fc":
    return ufuncs.sqrt(v)
  if get_aval(v).ndim:
    raise TypeError(f"vjpkit.numpy.{who}: the square root of a {dtype.name} variance array "
                    f"can't be cast back to {dtype.name} (NumPy raises here too); pass a float "
                    "dtype= (or none).")
  return convert(ufuncs.sqrt(v), dtype)


def _extremum(a, axis, keepdims, initial, where, who, reduce, combine):
  a = _arr(a, who)  # complex values are ordered lexicographically, as in NumPy
  axes = _axes(a, axis)
  if where is not None:
    if initial is None:
      raise ValueError(f"{who}: a where= mask needs an initial= value (the reduction has no identity)")
    a = ufuncs.where(where, a, initial)
  if builtins.any(get_aval(a).shape[i] == 0 for i in axes):
    if initial is None:
      raise ValueError(f"zero-size array to reduction operation {who} which has no identity")
    shape = tuple(1 if i in axes else d for i, d in enumerate(get_aval(a).shape))
    y = lax.full(shape if keepdims else tuple(d for i, d in enumerate(shape) if i not in axes),
                 initial, get_aval(a).dtype)  # NumPy's: initial itself, in a's dtype
    return y[()] if isinstance(y, np.ndarray) and y.ndim == 0 else y
  y = _keep(reduce(a, axes), axes, keepdims)
  if not axes:
    y = _no_axes(y, a)
  return y if initial is None else combine(y, initial)


def max(a: Array, axis=None, out=None, keepdims: bool = False, initial=None, where=None) -> Array:
  """Largest value over ``axis``; tied entries share the derivative evenly (as in JAX).

  >>> max([[1.0, 5.0], [3.0, 4.0]], axis=0)
  array([3., 5.])
  """
  no_out(out, "max")
  return _extremum(a, axis, keepdims, initial, where, "max", lax.reduce_max, ufuncs.maximum)


def min(a: Array, axis=None, out=None, keepdims: bool = False, initial=None, where=None) -> Array:
  """Smallest value over ``axis``; tied entries share the derivative evenly (as in JAX).

  >>> min([[1.0, 5.0], [3.0, 4.0]], axis=1)
  array([1., 3.])
  """
  no_out(out, "min")
  return _extremum(a, axis, keepdims, initial, where, "min", lax.reduce_min, ufuncs.minimum)


amax, amin = max, min


def ptp(a: Array, axis=None, out=None, keepdims: bool = False) -> Array:
  """Range of values (``max - min``) over ``axis``.

  >>> ptp([4.0, 1.0, 3.0])
  np.float64(3.0)
  """
  no_out(out, "ptp")
  return ufuncs.subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def _arg(a, axis, keepdims, who, op):
  a = _arr(a, who)
  if axis is None:
    flat = lax.reshape(a, (get_aval(a).size,))
    y = op(flat, 0)
    return lax.reshape(y, (1,) * get_aval(a).ndim) if keepdims else y
  axes = _axes(a, axis)
  y = op(a, axes[0])
  return _keep(y, axes, keepdims)


def argmax(a: Array, axis=None, out=None, *, keepdims: bool = False) -> Array:
  """Index of the largest value (the first one at ties; no derivative).

  >>> argmax([1.0, 3.0, 3.0])
  np.int64(1)
  """
  no_out(out, "argmax")
  return _arg(a, axis, keepdims, "argmax", lax.argmax)


def argmin(a: Array, axis=None, out=None, *, keepdims: bool = False) -> Array:
  """Index of the smallest value (the first one at ties; no derivative).

  >>> argmin([[1.0, 0.0], [3.0, 4.0]], axis=1)
  array([1, 0])
  """
  no_out(out, "argmin")
  return _arg(a, axis, keepdims, "argmin", lax.argmin)


def all(a: Array, axis=None, out=None, keepdims: bool = False) -> Array:
  """True where every element along ``axis`` is nonzero.

  >>> all([1.0, 0.0])
  np.False_
  """
  return _logical(a, axis, out, keepdims, "all", lax.reduce_min)


def any(a: Array, axis=None, out=None, keepdims: bool = False) -> Array:
  """True where some element along ``axis`` is nonzero.

  >>> any([1.0, 0.0])
  np.True_
  """
  return _logical(a, axis, out, keepdims, "any", lax.reduce_max)


def _logical(a, axis, out, keepdims, who, reduce):
  no_out(out, who)
  a = ufuncs.not_equal(_arr(a, who), 0)
  axes = _axes(a, axis)
  return _keep(reduce(a, axes), axes, keepdims)


def count_nonzero(a: Array, axis=None, *, keepdims: bool = False) -> Array:
  """The number of nonzero elements along ``axis``.

  >>> count_nonzero([1.0, 0.0, 2.0])
  np.int64(2)
  """
  return sum(ufuncs.not_equal(_arr(a, "count_nonzero"), 0), axis, keepdims=keepdims)


def average(a: Array, axis=None, weights=None, returned: bool = False, *, keepdims: bool = False):
  """The weighted mean ``sum(a * w) / sum(w)``; differentiable in ``a`` and ``weights``.

  >>> average([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])
  np.float64(2.75)
  """
  a = _float(a, None, "average")
  if weights is None:
    avg = mean(a, axis, keepdims=keepdims)
    n = np.array(_count(a, _axes(a, axis)), get_aval(avg).dtype)
    return (avg, lax.broadcast_in_dim(n, get_aval(avg).shape, ())) if returned else avg
  w = asarray(weights)
  a_shape, w_shape = get_aval(a).shape, get_aval(w).shape
  if w_shape != a_shape:
    if axis is None:
      raise TypeError("average: axis must be specified when shapes of a and weights differ.")
    axes = _axes(a, axis)
    if len(w_shape) != len(axes) or tuple(a_shape[i] for i in axes) != w_shape:
      raise ValueError("average: shape of weights must be consistent with shape of a along "
                       "the specified axis.")
    w = lax.broadcast_in_dim(convert(w, np.result_type(get_aval(w).dtype, get_aval(a).dtype)),
                             a_shape, axes)
  total_w = sum(w, axis, keepdims=keepdims)
  avg = ufuncs.true_divide(sum(ufuncs.multiply(a, w), axis, keepdims=keepdims), total_w)
  return (avg, total_w) if returned else avg


# -- NaN-ignoring reductions -------------------------------------------------------

def _without_nan(a, fill, who):
  """``a`` with ``fill`` at its NaNs (for complex values: where either part is NaN, as
  NumPy's nan-functions; an infinite ``fill`` becomes ``fill + fill·j``, lexicographically
  beyond every other value)."""
  a = _arr(a, who)
  dtype = get_aval(a).dtype
  if dtype.kind not in "fc":
    return a
  if dtype.kind == "c" and np.isinf(fill):
    fill = complex(fill, fill)
  return ufuncs.where(ufuncs.isnan(a), np.array(fill, dtype)[()], a)


def nansum(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
           where=None) -> Array:
  """``sum`` treating NaNs as zero (they get zero derivative).

  >>> nansum([1.0, np.nan, 2.0])
  np.float64(3.0)
  """
  return sum(_without_nan(a, 0, "nansum"), axis, dtype, out, keepdims, initial, where)


def nanprod(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, initial=None,
            where=None) -> Array:
  """``prod`` treating NaNs as one.

  >>> nanprod([2.0, np.nan, 3.0])
  np.float64(6.0)
  """
  return prod(_without_nan(a, 1, "nanprod"), axis, dtype, out, keepdims, initial, where)


def _inexact_dtype(dtype, who: str):
  """A ``dtype=`` for the nan-functions of float or complex input: inexact, as NumPy's."""
  if dtype is None:
    return None
  dtype = np.dtype(dtype)
  if dtype.kind not in "fc":
    raise TypeError(f"vjpkit.numpy.{who}: If a is inexact, then dtype must be inexact (got "
                    f"{dtype.name}), as in NumPy.")
  return dtype


def _nan_filled(a):
  """Where ``a`` is NaN, and ``a`` with zeros there."""
  nan = ufuncs.isnan(a)
  return nan, ufuncs.where(nan, np.array(0, get_aval(a).dtype)[()], a)


def nanmean(a: Array, axis=None, dtype=None, out=None, keepdims: bool = False, *, where=None) -> Array:
  """``mean`` of the non-NaN entries (NaN where all are NaN); as NumPy's, float16 is summed
  in float16 and integer input is ``mean``'s.

  >>> nanmean([1.0, np.nan, 3.0])
  np.float64(2.0)
  """
  no_out(out, "nanmean")
  a = _arr(a, "nanmean")
  if get_aval(a).dtype.kind not in "fc":
    return mean(a, axis, dtype, keepdims=keepdims, where=where)
  dtype = _inexact_dtype(dtype, "nanmean")
  nan, filled = _nan_filled(a)
  count = sum(ufuncs.logical_not(nan), axis, _INTP, keepdims=keepdims, where=where)
  total = sum(filled, axis, dtype, keepdims=keepdims, where=where)
  most = _count(a, _axes(a, axis))
  return _where_empty(lambda c: _by_count(total, c, most), count, count)


def nanvar(a: Array, axis=None, dtype=None, out=None, ddof: float = 0, keepdims: bool = False, *,
           where=None, mean=None, correction=None) -> Array:
  """``var`` of the non-NaN entries: NaN where ``n - ddof <= 0`` (as NumPy's; the derivative
  there is NaN too); ``where``, ``mean`` and ``correction`` as in ``var``.

  >>> nanvar([1.0, np.nan, 3.0])
  np.float64(1.0)
  """
  no_out(out, "nanvar")
  a = _arr(a, "nanvar")
  if get_aval(a).dtype.kind not in "fc":
    return var(a, axis, dtype, None, ddof, keepdims, where=where, mean=mean, correction=correction)
  dtype, ddof = _inexact_dtype(dtype, "nanvar"), _ddof(ddof, correction, "nanvar")
  nan, arr = _nan_filled(a)
  axes, most = _axes(a, axis), _count(a, _axes(a, axis))
  n = sum(ufuncs.logical_not(nan), axis, _INTP, keepdims=True, where=where)
  if mean is None:
    mean = _by_count(sum(arr, axis, dtype, keepdims=True, where=where), n, most)
  dev = convert(ufuncs.subtract(arr, mean), get_aval(arr).dtype)  # NumPy: into arr, unsafely
  out = nan if where is None else ufuncs.logical_or(nan, ufuncs.logical_not(where))
  dev = ufuncs.where(out, np.array(0, get_aval(arr).dtype)[()], dev)  # no 0 * NaN derivatives
  if get_aval(dev).dtype.kind == "c":  # NumPy's nanvar: real(dev * conj(dev)) (var's: re² + im²)
    squares = lax.real(lax.mul(dev, lax.conj(dev)))
  else:
    squares = lax.mul(dev, dev)
  total = sum(squares, axis, dtype, keepdims=keepdims, where=where)
  if axes and not keepdims:
    n = lax.squeeze(n, axes)
  dof = ufuncs.subtract(n, ddof)
  bad = ufuncs.less_equal(dof, 0)
  # a NaN divisor where no degree of freedom is left: NaN values and derivatives (a NaN
  # chosen by where would get a zero, finite, derivative)
  v = _where_empty(lambda d: _by_count(total, ufuncs.where(bad, np.nan, d)), dof, n)
  if get_aval(v).dtype.kind == "c":  # NumPy writes nan + 0j there
    v = ufuncs.where(bad, np.array(np.nan, get_aval(v).dtype)[()], v)
  return v


def nanstd(a: Array, axis=None, dtype=None, out=None, ddof: float = 0, keepdims: bool = False, *,
           where=None, mean=None, correction=None) -> Array:
  """``std`` of the non-NaN entries (``sqrt(nanvar)``).

  >>> nanstd([1.0, np.nan, 3.0])
  np.float64(1.0)
  """
  v = nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
  a = _arr(a, "nanstd")
  if get_aval(a).dtype.kind not in "fc" or get_aval(v).dtype.kind not in "fc":
    return _sqrt_of(v, "nanstd")
  n = sum(ufuncs.logical_not(ufuncs.isnan(a)), axis, _INTP, keepdims=keepdims, where=where)
  return _where_empty(lambda v: _sqrt_of(v, "nanstd"), v, n)


def _nan_extremum(a, axis, keepdims, fill, reduce, who):
  a = _arr(a, who)
  if get_aval(a).dtype.kind not in "fc":
    return reduce(a, axis, keepdims=keepdims)
  y = reduce(_without_nan(a, fill, who), axis, keepdims=keepdims)
  all_nan = all(ufuncs.isnan(a), axis, keepdims=keepdims)
  return ufuncs.where(all_nan, np.array(np.nan, get_aval(a).dtype)[()], y)


def nanmax(a: Array, axis=None, out=None, keepdims: bool = False) -> Array:
  """``max`` ignoring NaNs (NaN where all are NaN).

  >>> nanmax([1.0, np.nan, 3.0])
  np.float64(3.0)
  """
  no_out(out, "nanmax")
  return _nan_extremum(a, axis, keepdims, -np.inf, max, "nanmax")


def nanmin(a: Array, axis=None, out=None, keepdims: bool = False) -> Array:
  """``min`` ignoring NaNs (NaN where all are NaN).

  >>> nanmin([1.0, np.nan, 3.0])
  np.float64(1.0)
  """
  no_out(out, "nanmin")
  return _nan_extremum(a, axis, keepdims, np.inf, min, "nanmin")


def median(a: Array, axis=None, out=None, overwrite_input: bool = False, keepdims: bool = False):
  """The middle value (mean of the two middle values) along ``axis``; the derivative
  goes to the middle entries.

  >>> median([3.0, 1.0, 4.0, 2.0])
  np.float64(2.5)
  """
  no_out(out, "median")
  a = _float(a, None, "median")
  nd = get_aval(a).ndim
  if axis is None:
    s = lax.sort(lax.reshape(a, (get_aval(a).size,)), 0)
    ax = 0
  else:
    axes = _axes(a, axis)
    if len(axes) != 1:  # several axes: moved to the end and merged into one
      shape = get_aval(a).shape
      rest = [d for d in range(nd) if d not in axes]
      merged = lax.reshape(lax.transpose(a, tuple(rest) + tuple(axes)),
                           tuple(shape[d] for d in rest) + (math.prod(shape[d] for d in axes),))
      y = median(merged, axis=-1)
      return lax.reshape(y, tuple(1 if d in axes else shape[d] for d in range(nd))) if keepdims else y
    ax = axes[0]
    s = lax.sort(a, ax)
  n = get_aval(s).shape[ax]
  if n == 0:  # NumPy's: the mean of an empty slice, NaN (with its warning)
    warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
    out = tuple(d for i, d in enumerate(get_aval(s).shape) if i != ax)
    y = lax.full(out, np.nan, get_aval(s).dtype)
    y = y[()] if isinstance(y, np.ndarray) and y.ndim == 0 else y
  else:
    y = _middle(s, ax, n)
  if keepdims:
    y = lax.reshape(y, (1,) * nd) if axis is None else lax.expand_dims(y, (ax,))
    if isinstance(y, np.generic):  # NumPy's keepdims of a 0-d input: a 0-d array
      y = np.asarray(y)
  return y


def _middle(s, ax: int, n: int):
  """The median of ``s`` sorted along ``ax`` (``n`` entries there)."""
  lo = lax.squeeze(lax.slice_in_dim(s, (n - 1) // 2, (n - 1) // 2 + 1, axis=ax), (ax,))
  hi = lax.squeeze(lax.slice_in_dim(s, n // 2, n // 2 + 1, axis=ax), (ax,))
  y = ufuncs.true_divide(ufuncs.add(lo, hi), 2) if n % 2 == 0 else lo
  # a NaN sorts last: NumPy returns that last entry (for complex numbers, the NaN that
  # sorts last, such as 0+nanj or nan+2j, not nan+0j)
  last = lax.squeeze(lax.slice_in_dim(s, n - 1, n, axis=ax), (ax,))
  return ufuncs.where(ufuncs.isnan(last), last, y)


# -- cumulative ----------------------------------------------------------------------

def _cumulative(a, axis, dtype, who, op):
  a = _arr(a, who)
  if axis is None:
    a, axis = lax.reshape(a, (get_aval(a).size,)), 0
  a = convert(a, np.dtype(dtype) if dtype is not None else _sum_dtype(get_aval(a).dtype))
  ndim = get_aval(a).ndim
  if not -ndim <= axis < ndim:
    raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
  return op(a, int(axis) % ndim)


def cumsum(a: Array, axis=None, dtype=None, out=None) -> Array:
  """Running sums along ``axis`` (of the flattened array by default).

  >>> cumsum([1.0, 2.0, 3.0])
  array([1., 3., 6.])
  """
  no_out(out, "cumsum")
  return _cumulative(a, axis, dtype, "cumsum", lax.cumsum)


def cumprod(a: Array, axis=None, dtype=None, out=None) -> Array:
  """Running products along ``axis``; derivatives are exact at zeros.

  >>> cumprod([1.0, 2.0, 3.0])
  array([1., 2., 6.])
  """
  no_out(out, "cumprod")
  return _cumulative(a, axis, dtype, "cumprod", lax.cumprod)


def nancumsum(a: Array, axis=None, dtype=None, out=None) -> Array:
  """``cumsum`` treating NaNs as zero.

  >>> nancumsum([1.0, np.nan, 3.0])
  array([1., 1., 4.])
  """
  return cumsum(_without_nan(a, 0, "nancumsum"), axis, dtype, out)


def nancumprod(a: Array, axis=None, dtype=None, out=None) -> Array:
  """``cumprod`` treating NaNs as one.

  >>> nancumprod([2.0, np.nan, 3.0])
  array([2., 2., 6.])
  """
  return cumprod(_without_nan(a, 1, "nancumprod"), axis, dtype, out)


def isclose(a: Array, b: Array, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
  """True where ``|a - b| <= atol + rtol |b|`` (boolean: no derivative).

  >>> isclose([1.0, 2.0], [1.0, 2.1])
  array([ True, False])
  """
  a, b = asarray(a), asarray(b)
  # an infinity is close only to itself (the tolerance |b|·rtol would be infinite too); the
  # formula reads finite values only (no inf - inf warnings)
  finite = ufuncs.logical_and(ufuncs.isfinite(a), ufuncs.isfinite(b))
  fa, fb = ufuncs.where(finite, a, 0), ufuncs.where(finite, b, 0)
  close = ufuncs.less_equal(ufuncs.absolute(ufuncs.subtract(fa, fb)),
                            ufuncs.add(atol, ufuncs.multiply(rtol, ufuncs.absolute(fb))))
  close = ufuncs.where(finite, close, ufuncs.equal(a, b))
  if equal_nan:
    close = ufuncs.logical_or(close, ufuncs.logical_and(ufuncs.isnan(a), ufuncs.isnan(b)))
  return close


def allclose(a: Array, b: Array, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
  """Whether ``isclose`` holds everywhere (a Python bool: needs concrete values).

  >>> allclose([1.0, 2.0], [1.0, 2.0 + 1e-9])
  True
  """
  return bool(all(isclose(a, b, rtol, atol, equal_nan)))
