"""How the lax primitives run on other array libraries, through the array API standard.

Registered with ``Primitive.def_array_api`` (read by ``interpreters/array_api.py``,
which runs programs on Dask, CuPy, array-api-strict, ...). Each rule is
``rule(backend, *arrays, **params)`` with ``backend.xp`` the library's namespace, and
uses only functions of the standard, so that array-api-strict accepts it; the few
library-specific routes are marked (SciPy special functions as ``map_blocks`` on Dask
and ``cupyx.scipy.special`` on CuPy; linear algebra of one-chunk matrices on Dask).
What a library cannot do raises ``backend.unsupported(...)``: a NotImplementedError
naming the primitive and the library, never a silent conversion to NumPy.
The list of supported primitives is in ``docs/array-backends.md``.
"""
from __future__ import annotations

import builtins
import math
from typing import Sequence

import numpy as np

from ..core.primitive import Primitive
from ..interpreters.array_api import Backend, Broadcast
from . import cumulative, decompositions, fft, indexing, linalg, reductions, shapes, solves, sorting, static_index
from . import lu as lu_mod
from . import elementwise_more as ewm
from . import elementwise_numpy as ewn
from . import elementwise as ew
from . import special, special_bessel, special_gamma, special_misc
from .control_flow.cond import cond_p
from .control_flow.loops import while_p
from .control_flow.scan import scan_p

__all__: list[str] = []  # rules only: registered on import

def _unsupported(prim, why: str):
  """A rule for what no array library can do through the standard: a clear error."""
  def rule(b: Backend, *args, **params):
    raise b.unsupported(prim, why)
  return rule


# -- elementwise ----------------------------------------------------------------------

_BY_NAME = {
    ew.neg_p: "negative", ew.exp_p: "exp", ew.log_p: "log", ew.expm1_p: "expm1",
    ew.log1p_p: "log1p", ew.sin_p: "sin", ew.cos_p: "cos", ew.tan_p: "tan", ew.tanh_p: "tanh",
    ew.asin_p: "asin", ew.acos_p: "acos", ew.atan_p: "atan", ew.sinh_p: "sinh",
    ew.cosh_p: "cosh", ew.asinh_p: "asinh", ew.acosh_p: "acosh", ew.atanh_p: "atanh",
    ew.sqrt_p: "sqrt", ew.abs_p: "abs", ew.sign_p: "sign", ew.floor_p: "floor",
    ew.ceil_p: "ceil", ew.round_p: "round", ew.not_p: "logical_not",
    ew.add_p: "add", ew.add_any_p: "add", ew.sub_p: "subtract", ew.mul_p: "multiply",
    ew.pow_p: "pow", ew.atan2_p: "atan2", ew.max_p: "maximum", ew.min_p: "minimum",
    ew.eq_p: "equal", ew.ne_p: "not_equal", ew.lt_p: "less", ew.le_p: "less_equal",
    ew.gt_p: "greater", ew.ge_p: "greater_equal", ew.and_p: "logical_and",
    ew.or_p: "logical_or",
}


def _named(name: str):
  def rule(b: Backend, *args, **params):
    return getattr(b.xp, name)(*args)
  rule.__name__ = name
  return rule


for _p, _name in _BY_NAME.items():
  _p.def_array_api(_named(_name), elementwise=True)


def _is_int(x) -> bool:
  return np.dtype(_np_dtype(x)).kind in "iu"


def _np_dtype(x) -> np.dtype:
  from ..core.backends import numpy_dtype
  return numpy_dtype(x.dtype)


def _div(b: Backend, x, y):
  xp = b.xp
  if not _is_int(x):
    return xp.divide(x, y)
  # lax: integer division rounds toward zero: floor, then one up where inexact with operands
  # of opposite signs (no abs: abs(-128) is -128 in int8)
  q = xp.floor_divide(x, y)
  up = xp.logical_and(xp.remainder(x, y) != 0, (x < 0) != (y < 0))
  return xp.where(up, xp.add(q, xp.asarray(1, dtype=q.dtype)), q)


def _rem(b: Backend, x, y):
  # lax.rem is C's fmod (the sign of x); the standard's remainder has the sign of y
  xp = b.xp
  r = xp.remainder(x, y)
  wrong = xp.logical_and(r != 0, (r < 0) != (x < 0))
  return xp.where(wrong, xp.subtract(r, y), r)


def _integer_pow(b: Backend, x, *, y: int):
  xp = b.xp
  if y == 0:
    return xp.ones_like(x)
  if y == 1:
    return x
  if y == 2:
    return xp.multiply(x, x)
  if y < 0 and not _is_int(x):
    return xp.divide(xp.asarray(1, dtype=x.dtype), _integer_pow(b, x, y=-y))
  return xp.pow(x, xp.asarray(y, dtype=x.dtype))


def _cbrt(b: Backend, x):
  xp = b.xp
  return xp.multiply(xp.sign(x), xp.pow(xp.abs(x), xp.asarray(1 / 3, dtype=x.dtype)))


def _logistic(b: Backend, x):
  xp = b.xp
  e = xp.exp(xp.negative(xp.abs(x)))
  one = xp.asarray(1, dtype=x.dtype)
  return xp.where(x >= 0, xp.divide(one, one + e), xp.divide(e, one + e))


def _select_n(b: Backend, which, *cases):
  xp = b.xp
  if len(cases) == 1:
    return cases[0]
  if len(cases) == 2:
    if _np_dtype(which) != np.bool_:
      which = which != 0
    return xp.where(which, cases[1], cases[0])
  out = cases[0]
  for k, c in enumerate(cases[1:], 1):
    out = xp.where(which == k, c, out)
  return out


def _convert(b: Backend, x, *, new_dtype):
  return b.xp.astype(x, b.dtype(new_dtype))


ew.div_p.def_array_api(_div, elementwise=True)
ew.rem_p.def_array_api(_rem, elementwise=True)
ew.integer_pow_p.def_array_api(_integer_pow, elementwise=True)
ew.cbrt_p.def_array_api(_cbrt, elementwise=True)
ew.logistic_p.def_array_api(_logistic, elementwise=True)
ew.select_n_p.def_array_api(_select_n, elementwise=True)
ew.convert_element_type_p.def_array_api(_convert, elementwise=True)
ew.stop_gradient_p.def_array_api(lambda b, x: x, elementwise=True)


def _complex(b: Backend, x, y):
  # x + y i: exact for finite y (y * 1j is (-)0 + y i); an infinite or NaN y times 1j would
  # make the real part NaN, so those are added as the constants (0 ± inf i), (0 + nan i)
  xp = b.xp
  dtype = b.dtype(np.result_type(_np_dtype(x), np.complex64))
  finite = xp.isfinite(y)
  re, im = xp.astype(x, dtype), xp.astype(xp.where(finite, y, xp.zeros_like(y)), dtype)
  z = re + im * xp.asarray(1j, dtype=dtype)
  const = lambda v: xp.asarray(v, dtype=dtype)  # noqa: E731
  special = xp.where(y > 0, const(complex(0, np.inf)), const(complex(0, -np.inf)))
  special = xp.where(xp.isnan(y), const(complex(0, np.nan)), special)
  return xp.where(finite, z, re + special)


ew.real_p.def_array_api(lambda b, x: b.xp.real(x), elementwise=True)
ew.imag_p.def_array_api(lambda b, x: b.xp.imag(x), elementwise=True)
ew.conj_p.def_array_api(lambda b, x: b.xp.conj(x), elementwise=True)
ew.complex_p.def_array_api(_complex, elementwise=True)


def _xor(b: Backend, x, y):
  return (b.xp.logical_xor if _np_dtype(x) == np.bool_ else b.xp.bitwise_xor)(x, y)


def _shift(left: bool):
  def rule(b: Backend, x, y):  # out-of-range shifts as the NumPy impls (XLA's semantics)
    xp = b.xp
    n = np.dtype(_np_dtype(x)).itemsize * 8
    if left:
      out = xp.bitwise_left_shift(x, xp.clip(y, 0, n - 1))
      return xp.where(xp.logical_or(y < 0, y >= n), xp.zeros_like(out), out)
    return xp.bitwise_right_shift(x, xp.where(xp.logical_or(y < 0, y > n - 1),
                                              xp.full_like(y, n - 1), y))
  return rule


ewm.rsqrt_p.def_array_api(lambda b, x: b.xp.divide(b.xp.asarray(1, dtype=x.dtype), b.xp.sqrt(x)),
                          elementwise=True)
ewm.square_p.def_array_api(lambda b, x: b.xp.multiply(x, x), elementwise=True)
ewm.exp2_p.def_array_api(lambda b, x: b.xp.pow(b.xp.asarray(2, dtype=x.dtype), x), elementwise=True)
ewm.is_finite_p.def_array_api(lambda b, x: b.xp.isfinite(x), elementwise=True)
ewm.signbit_p.def_array_api(lambda b, x: b.xp.signbit(x), elementwise=True)
ewm.log2_p.def_array_api(lambda b, x: b.xp.log2(x), elementwise=True)
ewm.log10_p.def_array_api(lambda b, x: b.xp.log10(x), elementwise=True)
ewm.nextafter_p.def_array_api(lambda b, x, y: b.xp.nextafter(x, y), elementwise=True)
ewm.xor_p.def_array_api(_xor, elementwise=True)
ewn.floor_divide_p.def_array_api(lambda b, x, y: b.xp.floor_divide(x, y), elementwise=True)
ewn.remainder_p.def_array_api(lambda b, x, y: b.xp.remainder(x, y), elementwise=True)
ewn.hypot_p.def_array_api(lambda b, x, y: b.xp.hypot(x, y), elementwise=True)
ewn.i0_p.def_array_api(lambda b, x: ewn._i0_with(b.xp, x), elementwise=True)
ewn.logaddexp_p.def_array_api(lambda b, x, y: b.xp.logaddexp(x, y), elementwise=True)


_LOG2E = 1.4426950408889634  # log2(e)


def _logaddexp2(b: Backend, x, y):
  """NumPy's algorithm: ``x + 1`` at a tie, else ``max + log2(e) log1p(2**-|x - y|)``."""
  xp = b.xp
  tie = x == y
  d = xp.where(tie, xp.zeros_like(x), x - y)  # no inf - inf
  two = xp.asarray(2, dtype=x.dtype)
  term = xp.log1p(xp.pow(two, -xp.abs(d))) * xp.asarray(_LOG2E, dtype=x.dtype)
  return xp.where(tie, x + xp.asarray(1, dtype=x.dtype), xp.maximum(x, y) + term)


ewn.logaddexp2_p.def_array_api(_logaddexp2, elementwise=True)
ewm.shift_left_p.def_array_api(_shift(True))
ewm.shift_right_arithmetic_p.def_array_api(_shift(False))


# -- SciPy special functions: Dask map_blocks, cupyx.scipy.special --------------------

def _scipy_name(prim) -> str | None:
  """The scipy.special ufunc behind a lax.special primitive (from its impl's closure)."""
  impl = prim.impl
  if not getattr(impl, "__qualname__", "").startswith(("_scipy.", "_scipy_nary.")):
    return None
  for cell in impl.__closure__ or ():
    if isinstance(cell.cell_contents, str):
      return cell.cell_contents
  return None


def _special(prim, name: str):
  def rule(b: Backend, *args, **params):
    if b.name == "dask":  # each block is a NumPy array: the NumPy impl, block by block
      import dask.array as da
      args = b.xp.broadcast_arrays(*args) if len(args) > 1 else args
      out_dtype = np.result_type(*[_np_dtype(a) for a in args])
      return da.map_blocks(lambda *blocks: np.asarray(prim.impl(*blocks, **params), out_dtype),
                           *args, dtype=out_dtype)
    if b.name == "cupy":
      try:
        import cupyx.scipy.special as cusp
        f = getattr(cusp, name)
      except (ImportError, AttributeError):
        raise b.unsupported(prim, f"cupyx.scipy.special has no {name}") from None
      out = f(params["m"], *args) if "m" in params else f(*args)
      return b.xp.astype(out, args[0].dtype)
    raise b.unsupported(prim, f"it is scipy.special.{name}, which the array API standard "
                        "does not have (Dask and CuPy run it)")
  return rule


for _p in [p for module in (special, special_bessel, special_gamma, special_misc)
           for p in list(vars(module).values())]:
  if isinstance(_p, Primitive):
    _scipy_ufunc = _scipy_name(_p)
    if _scipy_ufunc is not None:
      _p.def_array_api(_special(_p, _scipy_ufunc), elementwise=True)


def _logit_dk(b: Backend, x, *, k: int):
  """logit's k-th derivative (``special_misc._logit_dk_impl``) in the library's operations."""
  return special_misc._logit_dk_of(1 / x, 1 / (1 - x), k)


special_misc.logit_dk_p.def_array_api(_logit_dk, elementwise=True)


# -- shapes ---------------------------------------------------------------------------

def _broadcast_in_dim(b: Backend, x, *, shape, broadcast_dimensions):
  # x may already be the unit-axes form of a broadcast (an elementwise-style operand)
  xp = b.xp
  ndim = len(shape)
  if isinstance(x, np.generic):  # a literal: one 0-d array of the library, broadcast
    x = b.asarray(x)
  if tuple(x.shape) == tuple(shape):
    return x
  if x.ndim != ndim:
    new = [d for d in range(ndim) if d not in broadcast_dimensions]
    for d in new:
      x = xp.expand_dims(x, axis=d)
  return Broadcast(x, tuple(shape))


def _reshape(b: Backend, x, *, new_sizes, **_):
  xp = b.xp
  old, new = tuple(x.shape), tuple(new_sizes)
  if [n for n in old if n != 1] == [n for n in new if n != 1]:
    # only unit axes change: squeeze and expand, which never rechunks a Dask array
    ones = tuple(i for i, n in enumerate(old) if n == 1)
    if ones:
      x = xp.squeeze(x, axis=ones)
    for i, n in enumerate(new):
      if n == 1:
        x = xp.expand_dims(x, axis=i)
    return x
  try:
    return xp.reshape(x, new)
  except NotImplementedError as e:  # Dask: only merging or splitting axes evenly
    raise b.unsupported(shapes.reshape_p, f"{b.name} cannot reshape {old} to {new} in its "
                        f"chunks ({str(e).strip().splitlines()[0]})") from None


def _squeeze(b: Backend, x, *, dimensions):
  return b.xp.squeeze(x, axis=tuple(dimensions)) if dimensions else x


def _expand_dims(b: Backend, x, *, dimensions):
  for d in sorted(dimensions):
    x = b.xp.expand_dims(x, axis=d)
  return x


def _slice(b: Backend, x, *, start_indices, limit_indices, strides):
  strides = strides or (1,) * len(start_indices)
  return x[tuple(builtins.slice(s, e, st) for s, e, st in zip(start_indices, limit_indices, strides))]


def _pad(b: Backend, x, padding_value, *, padding_config):
  xp = b.xp
  for axis, (lo, hi, interior) in enumerate(padding_config):
    n = x.shape[axis]
    if interior and n > 1:  # interleave: element i goes to i * (interior + 1), fills between
      size = n + (n - 1) * interior
      pos = np.arange(size)
      source = b.xp.asarray(np.minimum(pos // (interior + 1), n - 1))
      is_element = pos % (interior + 1) == 0
      shape = [1] * x.ndim
      shape[axis] = size
      mask = b.xp.asarray(is_element.reshape(shape))
      x = xp.where(mask, xp.take(x, source, axis=axis), padding_value)
    parts = []
    for size in (lo, hi):
      shape = list(x.shape)
      shape[axis] = size
      parts.append(xp.broadcast_to(padding_value, tuple(shape)) if size else None)
    pieces = [p for p in (parts[0], x, parts[1]) if p is not None]
    x = xp.concat(pieces, axis=axis) if len(pieces) > 1 else x
  return x


shapes.broadcast_in_dim_p.def_array_api(_broadcast_in_dim, elementwise=True)
shapes.reshape_p.def_array_api(_reshape)
shapes.transpose_p.def_array_api(lambda b, x, *, permutation: b.xp.permute_dims(x, tuple(permutation)))
shapes.squeeze_p.def_array_api(_squeeze)
shapes.expand_dims_p.def_array_api(_expand_dims)
shapes.rev_p.def_array_api(lambda b, x, *, dimensions: b.xp.flip(x, axis=tuple(dimensions))
                           if dimensions else x)
shapes.concatenate_p.def_array_api(lambda b, *xs, dimension: b.xp.concat(list(xs), axis=dimension))
shapes.slice_p.def_array_api(_slice)
shapes.pad_p.def_array_api(_pad)


def _embed_in_dim(b: Backend, x, *, index, axis, size):
  xp = b.xp
  x = xp.expand_dims(x, axis=axis)
  pieces = []
  for n in (index, size - index - 1):
    shape = list(x.shape)
    shape[axis] = n
    pieces.append(xp.zeros(tuple(shape), dtype=x.dtype) if n else None)
  parts = [p for p in (pieces[0], x, pieces[1]) if p is not None]
  return xp.concat(parts, axis=axis) if len(parts) > 1 else x


static_index.index_in_dim_p.def_array_api(
    lambda b, x, *, index, axis: x[(builtins.slice(None),) * axis + (index, ...)])
static_index.embed_in_dim_p.def_array_api(_embed_in_dim)


# -- reductions -----------------------------------------------------------------------

def _reduce(name: str):
  def rule(b: Backend, x, *, axes):
    if not axes:
      return x
    f = getattr(b.xp, name)
    if _np_dtype(x) == np.bool_ and name != "sum":  # the standard's max/min take numbers only
      f = b.xp.any if name == "max" else b.xp.all
    if name in ("sum", "prod"):  # the standard promotes small integers to the default integer
      return f(x, axis=tuple(axes), dtype=x.dtype)
    return f(x, axis=tuple(axes))
  return rule


def _arg_reduce(name: str):
  def rule(b: Backend, x, *, axes, index_dtype):
    return b.xp.astype(getattr(b.xp, name)(x, axis=axes[0]), b.dtype(index_dtype))
  return rule


reductions.reduce_sum_p.def_array_api(_reduce("sum"))
reductions.reduce_max_p.def_array_api(_reduce("max"))
reductions.reduce_prod_p.def_array_api(_reduce("prod"))
reductions.reduce_min_p.def_array_api(_reduce("min"))
reductions.argmax_p.def_array_api(_arg_reduce("argmax"))
reductions.argmin_p.def_array_api(_arg_reduce("argmin"))


# -- dot_general ----------------------------------------------------------------------

def _dot_general(b: Backend, x, y, *, dimension_numbers):
  xp = b.xp
  (lc, rc), (lb, rb) = dimension_numbers
  lc, rc, lb, rb = list(lc), list(rc), list(lb), list(rb)
  if not lb and not lc:  # an outer product (a scalar times an array): broadcasting multiply
    for _ in range(y.ndim):
      x = xp.expand_dims(x, axis=x.ndim)
    return xp.multiply(x, y)
  if not lb:  # tensordot: a matrix product with a tree reduction over chunks on Dask
    return xp.tensordot(x, y, axes=(lc, rc))
  lf = [i for i in range(x.ndim) if i not in lc and i not in lb]
  rf = [i for i in range(y.ndim) if i not in rc and i not in rb]
  bshape = [x.shape[i] for i in lb]
  lfs, rfs = [x.shape[i] for i in lf], [y.shape[i] for i in rf]
  k = math.prod(x.shape[i] for i in lc)
  x3 = xp.permute_dims(x, tuple(lb + lf + lc))
  y3 = xp.permute_dims(y, tuple(rb + rc + rf))
  if len(lf) != 1 or len(lc) != 1:
    x3 = _reshape(b, x3, new_sizes=tuple(bshape) + (math.prod(lfs), k))
  if len(rf) != 1 or len(rc) != 1:
    y3 = _reshape(b, y3, new_sizes=tuple(bshape) + (k, math.prod(rfs)))
  out = xp.matmul(x3, y3)
  if len(lf) != 1 or len(rf) != 1:
    out = _reshape(b, out, new_sizes=tuple(bshape + lfs + rfs))
  return out


linalg.dot_general_p.def_array_api(_dot_general)


# -- cumulative -----------------------------------------------------------------------

def _cumulative(name: str):
  def rule(b: Backend, x, *, axis, reverse):
    xp = b.xp
    f = getattr(xp, name, None)
    if f is None:
      raise b.unsupported("cumsum" if name == "cumulative_sum" else "cumprod",
                          f"the namespace has no {name}")
    if reverse:
      x = xp.flip(x, axis=axis)
    out = f(x, axis=axis, dtype=x.dtype)
    return xp.flip(out, axis=axis) if reverse else out
  return rule


cumulative.cumsum_p.def_array_api(_cumulative("cumulative_sum"))
cumulative.cumprod_p.def_array_api(_cumulative("cumulative_prod"))
for _p in (cumulative.cummax_p, cumulative.cummin_p):
  _p.def_array_api(_unsupported(_p, "the array API standard has no running maximum or minimum"))


# -- sorting --------------------------------------------------------------------------

def _check_one_chunk(b: Backend, prim, x, axes: Sequence[int], what: str) -> None:
  """Dask: a whole-axis operation needs that axis in one chunk (vjpkit never rechunks)."""
  chunks = getattr(x, "chunks", None)
  if b.name == "dask" and chunks is not None and any(len(chunks[a]) > 1 for a in axes):
    raise b.unsupported(prim, f"{what} along an axis split into {max(len(chunks[a]) for a in axes)} "
                        "chunks; rechunk it into one chunk along that axis first "
                        "(x.rechunk({axis: -1}))")


def _argsort(b: Backend, x, *, axis, descending):
  _check_one_chunk(b, sorting.argsort_p, x, [axis], "sorting")
  xp = b.xp
  if not descending:
    return xp.astype(xp.argsort(x, axis=axis, stable=True), xp.int64)
  # stable among equal keys, like the NumPy impl: sort the reversed keys, map back
  order = xp.flip(xp.argsort(xp.flip(x, axis=axis), axis=axis, stable=True), axis=axis)
  return xp.astype(x.shape[axis] - 1 - order, xp.int64)


def _searchsorted(b: Backend, a, v, *, side):
  _check_one_chunk(b, sorting.searchsorted_p, a, [0], "a search of a sorted array")
  return b.xp.astype(b.xp.searchsorted(a, v, side=side), b.xp.int64)


sorting.argsort_p.def_array_api(_argsort)
sorting.searchsorted_p.def_array_api(_searchsorted)


# -- indexing -------------------------------------------------------------------------

def _flat_rows(b: Backend, idx, sizes, mode: str):
  """The row-major position of each index row (shape ``B``) among ``prod(sizes)``;
  clamped into range (``mode='clip'``), or -1 for rows out of range (``'drop'``)."""
  xp = b.xp
  idx = xp.astype(idx, xp.int64)
  flat, ok = None, None
  for j, n in enumerate(sizes):
    col = idx[..., j]
    if mode == "clip":
      col = xp.clip(col, 0, max(n - 1, 0))
    else:
      col_ok = xp.logical_and(col >= 0, col < n)
      ok = col_ok if ok is None else xp.logical_and(ok, col_ok)
    flat = col if flat is None else flat * n + col
  if ok is not None:
    flat = xp.where(ok, flat, xp.asarray(-1, dtype=xp.int64))
  return flat


def _front(b: Backend, x, axes):
  rest = [i for i in range(x.ndim) if i not in axes]
  return b.xp.permute_dims(x, tuple(list(axes) + rest)), [x.shape[i] for i in rest]


def _gather(b: Backend, x, idx, *, axes):
  xp = b.xp
  sizes = [x.shape[a] for a in axes]
  front, rest = _front(b, x, axes)
  flat_x = _reshape(b, front, new_sizes=(math.prod(sizes),) + tuple(rest))
  rows = _flat_rows(b, idx, sizes, "clip")
  batch = tuple(rows.shape)
  rows = _reshape(b, rows, new_sizes=(math.prod(batch),))
  return _reshape(b, xp.take(flat_x, rows, axis=0), new_sizes=batch + tuple(rest))


def _scatter_rows(b: Backend, x, idx, axes, mode: str):
  """For a scatter into the ``axes`` of ``x``: their sizes, ``x`` with them in front, the
  remaining sizes, and the flat row each update goes to (a vector)."""
  sizes = [x.shape[a] for a in axes]
  front, rest = _front(b, x, axes)
  rows = _flat_rows(b, idx, sizes, mode)
  return sizes, front, rest, _reshape(b, rows, new_sizes=(math.prod(rows.shape),))


def _unfront(b: Backend, out, axes):
  """Undo ``_front``: the ``axes`` moved back from the front of ``out`` to their places."""
  inverse = [0] * out.ndim
  for k, a in enumerate(list(axes) + [i for i in range(out.ndim) if i not in axes]):
    inverse[a] = k
  return b.xp.permute_dims(out, tuple(inverse))


def _scatter_add(b: Backend, x, idx, updates, *, axes, mode):
  # no scatter in the standard: a one-hot matrix product (memory: updates x positions)
  xp = b.xp
  sizes, front, rest, rows = _scatter_rows(b, x, idx, axes, mode)
  m, nb = math.prod(sizes), rows.shape[0]
  onehot = xp.astype(xp.expand_dims(rows, axis=1) == xp.expand_dims(xp.arange(m, dtype=xp.int64), axis=0),
                     x.dtype)
  u = _reshape(b, updates, new_sizes=(nb, math.prod(rest)))
  added = _reshape(b, xp.matmul(xp.permute_dims(onehot, (1, 0)), u), new_sizes=tuple(sizes) + tuple(rest))
  out = front + added
  return _unfront(b, out, axes)


def _scatter_set(b: Backend, x, idx, updates, *, axes, mode):
  # no scatter in the standard: each position takes the last update addressed to it (as
  # NumPy's assignment does), found from a one-hot matrix (memory: updates x positions)
  xp = b.xp
  sizes, front, rest, rows = _scatter_rows(b, x, idx, axes, mode)
  m, nb = math.prod(sizes), rows.shape[0]
  hits = xp.expand_dims(rows, axis=1) == xp.expand_dims(xp.arange(m, dtype=xp.int64), axis=0)
  order = xp.expand_dims(xp.arange(1, nb + 1, dtype=xp.int64), axis=1)
  last = xp.max(xp.where(hits, order, xp.zeros_like(order)), axis=0)   # 0: no update here
  u = _reshape(b, updates, new_sizes=(nb, math.prod(rest)))
  picked = xp.take(u, xp.clip(last - 1, 0, max(nb - 1, 0)), axis=0) if nb else None
  flat = _reshape(b, front, new_sizes=(m, math.prod(rest)))
  if picked is not None:
    flat = xp.where(xp.expand_dims(last > 0, axis=1), picked, flat)
  out = _reshape(b, flat, new_sizes=tuple(sizes) + tuple(rest))
  return _unfront(b, out, axes)


def _window_positions(b: Backend, start, n: int, k: int):
  """The positions of a window of size k at a (clamped) traced start in an axis of n."""
  xp = b.xp
  s = xp.clip(xp.astype(start, xp.int64), 0, n - k)
  return s + xp.arange(k, dtype=xp.int64)


def _dynamic_slice(b: Backend, x, *starts, slice_sizes):
  for axis, (s, k) in enumerate(zip(starts, slice_sizes)):
    n = x.shape[axis]
    if k != n:
      x = b.xp.take(x, _window_positions(b, s, n, k), axis=axis)
  return x


def _dynamic_update_slice(b: Backend, x, update, *starts):
  xp = b.xp
  mask, spread = None, update
  for axis, s in enumerate(starts):
    n, k = x.shape[axis], update.shape[axis]
    if k == n:
      continue
    begin = xp.clip(xp.astype(s, xp.int64), 0, n - k)
    offset = xp.arange(n, dtype=xp.int64) - begin    # position in the update, per position in x
    inside = xp.logical_and(offset >= 0, offset < k)
    spread = xp.take(spread, xp.clip(offset, 0, k - 1), axis=axis)
    shape = [1] * x.ndim
    shape[axis] = n
    inside = _reshape(b, inside, new_sizes=tuple(shape))
    mask = inside if mask is None else xp.logical_and(mask, inside)
  return spread if mask is None else xp.where(mask, spread, x)


indexing.gather_p.def_array_api(_gather)
indexing.scatter_add_p.def_array_api(_scatter_add)
indexing.dynamic_slice_p.def_array_api(_dynamic_slice)
indexing.dynamic_update_slice_p.def_array_api(_dynamic_update_slice)
indexing.scatter_p.def_array_api(_scatter_set)
for _p in (indexing.scatter_mul_p, indexing.scatter_min_p, indexing.scatter_max_p):
  _p.def_array_api(_unsupported(_p, "the array API standard has no scatter; scatter_add and "
                                "scatter (set) have a route through a one-hot matrix, the "
                                "multiplying and extremum scatters do not"))


# -- linear algebra: the standard's linalg extension; Dask only for one-chunk matrices --

def _linalg(b: Backend, prim, *arrays):
  linalg_ns = getattr(b.xp, "linalg", None)
  if linalg_ns is None:
    raise b.unsupported(prim, "the namespace has no linalg extension")
  for a in arrays:
    _check_one_chunk(b, prim, a, [a.ndim - 2, a.ndim - 1], "a decomposition or solve of a matrix "
                     "split into chunks")
  return linalg_ns


def _symmetric(b: Backend, a, lower: bool):
  xp = b.xp
  t = xp.tril(a) if lower else xp.triu(a)
  strict = xp.tril(a, k=-1) if lower else xp.triu(a, k=1)
  return t + xp.matrix_transpose(strict)


def _eigh(b: Backend, a, *, lower):
  w, v = _linalg(b, decompositions.eigh_p, a).eigh(_symmetric(b, a, lower))
  return [v, w]


def _svd(b: Backend, a, *, full_matrices, compute_uv):
  la = _linalg(b, decompositions.svd_p, a)
  if not compute_uv:
    return [la.svdvals(a)]
  u, s, vh = la.svd(a, full_matrices=full_matrices)
  return [u, s, vh]


def _qr(b: Backend, a, *, full_matrices):
  q, r = _linalg(b, decompositions.qr_p, a).qr(a, mode="complete" if full_matrices else "reduced")
  return [q, r]


def _triangular_solve(b: Backend, a, c, *, left_side, lower, transpose_a, unit_diagonal):
  xp = b.xp
  la = _linalg(b, solves.triangular_solve_p, a, c)
  t = xp.tril(a) if lower else xp.triu(a)
  if unit_diagonal:
    n = a.shape[-1]
    eye = xp.eye(n, dtype=a.dtype)
    t = t * (1 - eye) + eye
  if transpose_a:
    t = xp.matrix_transpose(t)
  if left_side:
    return la.solve(t, c)
  return xp.matrix_transpose(la.solve(xp.matrix_transpose(t), xp.matrix_transpose(c)))


def _slogdet(b: Backend, a):
  sign, logabsdet = _linalg(b, solves.slogdet_p, a).slogdet(a)
  return [sign, logabsdet]


def _one_block(prim, rule):
  """Dask: matrices in one chunk run the NumPy impl on that block (map_blocks; a
  decomposition with several results runs once per result)."""
  def dask_or_rule(b: Backend, *arrays, **params):
    if b.name != "dask":
      return rule(b, *arrays, **params)
    _linalg(b, prim, *arrays)  # the one-chunk check
    if any(n > 1 for a in arrays for n in a.numblocks):
      raise b.unsupported(prim, "its operands are split into chunks along batch axes")
    import dask.array as da
    outs = prim.abstract_eval(*[_aval(a) for a in arrays], **params)
    ndim = max(a.ndim for a in arrays)

    def one(k, out):
      def block(*blocks):
        res = prim.impl(*blocks, **params)
        return np.asarray(res[k] if prim.multiple_results else res, out.dtype)
      extra = {"drop_axis": list(range(out.ndim, ndim))} if out.ndim < ndim else {}
      return da.map_blocks(block, *arrays, dtype=out.dtype,
                           chunks=tuple((n,) for n in out.shape), **extra)
    if prim.multiple_results:
      return [one(k, out) for k, out in enumerate(outs)]
    return one(0, outs)
  return dask_or_rule


def _aval(x):
  from ..core.avals import ShapedArray
  return ShapedArray(tuple(x.shape), _np_dtype(x))


decompositions.cholesky_p.def_array_api(_one_block(
    decompositions.cholesky_p, lambda b, a: _linalg(b, decompositions.cholesky_p, a).cholesky(a)))
decompositions.eigh_p.def_array_api(_one_block(decompositions.eigh_p, _eigh))
decompositions.svd_p.def_array_api(_one_block(decompositions.svd_p, _svd))
decompositions.qr_p.def_array_api(_one_block(decompositions.qr_p, _qr))
solves.solve_p.def_array_api(_one_block(
    solves.solve_p, lambda b, a, c: _linalg(b, solves.solve_p, a, c).solve(a, c)))
solves.triangular_solve_p.def_array_api(_one_block(solves.triangular_solve_p, _triangular_solve))
solves.slogdet_p.def_array_api(_one_block(solves.slogdet_p, _slogdet))
solves.pinv_p.def_array_api(_one_block(solves.pinv_p, lambda b, a, *, rcond, hermitian: _linalg(
    b, solves.pinv_p, a).pinv(a, rtol=rcond)))


# -- fft: the standard's fft extension; on Dask along axes in one chunk ------------------

_FFT_NAMES = {fft.FftType.FFT: "fftn", fft.FftType.IFFT: "ifftn", fft.FftType.RFFT: "rfftn",
              fft.FftType.IRFFT: "irfftn"}


def _fft(b: Backend, x, *, fft_type, fft_lengths):
  axes = tuple(range(x.ndim - len(fft_lengths), x.ndim))
  _check_one_chunk(b, fft.fft_p, x, axes, "an FFT")
  fft_ns = getattr(b.xp, "fft", None)
  if fft_ns is None:
    raise b.unsupported(fft.fft_p, "the namespace has no fft extension")
  f = getattr(fft_ns, _FFT_NAMES[fft_type])
  out = f(x, s=tuple(fft_lengths), axes=axes) if fft_type == fft.FftType.IRFFT else f(x, axes=axes)
  out_dtype = fft.fft_p.abstract_eval(_aval(x), fft_type=fft_type, fft_lengths=fft_lengths).dtype
  return out if _np_dtype(out) == out_dtype else b.xp.astype(out, b.dtype(out_dtype))


fft.fft_p.def_array_api(_fft)


# -- control flow -----------------------------------------------------------------------

def _cond(b: Backend, index, *ops, branches):
  xp = b.xp
  if not b.lazy:  # an eager library reads the index (a device-to-host copy of one number)
    i = int(b.concrete(index, cond_p, "the branch index"))
    return b.eval_jaxpr(branches[builtins.min(builtins.max(i, 0), len(branches) - 1)], [], ops)
  # lazy: every branch is computed and the index selects (branches are pure)
  outs = [b.eval_jaxpr(br, [], ops) for br in branches]
  index = xp.clip(xp.astype(index, xp.int64), 0, len(branches) - 1)
  result = outs[0]
  for k, branch_outs in enumerate(outs[1:], 1):
    result = [xp.where(index == k, o, r) for o, r in zip(branch_outs, result)]
  return result


def _scan(b: Backend, *args, jaxpr, length, num_carry, num_consts, reverse, **_):
  # unrolled: `length` copies of the body (the standard has no loop construct)
  xp = b.xp
  consts, carry, xs = (list(args[:num_consts]), list(args[num_consts:num_consts + num_carry]),
                       args[num_consts + num_carry:])
  ys: list[list] = []
  steps = range(length - 1, -1, -1) if reverse else range(length)
  for i in steps:
    outs = b.eval_jaxpr(jaxpr, [], consts + carry + [x[i, ...] for x in xs])
    carry, y = outs[:num_carry], outs[num_carry:]
    ys.append(y)
  if reverse:
    ys.reverse()
  n_ys = len(jaxpr.outvars) - num_carry
  stacked = [xp.stack([step[j] for step in ys], axis=0) if ys else
             xp.zeros((0,) + tuple(jaxpr.outvars[num_carry + j].aval.shape),
                      dtype=b.dtype(jaxpr.outvars[num_carry + j].aval.dtype))
             for j in range(n_ys)]
  return carry + stacked


def _while(b: Backend, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
  cconsts, bconsts = list(args[:cond_nconsts]), list(args[cond_nconsts:cond_nconsts + body_nconsts])
  carry = list(args[cond_nconsts + body_nconsts:])
  while True:
    (pred,) = b.eval_jaxpr(cond_jaxpr, [], cconsts + carry)
    if not bool(b.concrete(pred, while_p, "the loop condition")):
      return carry
    carry = b.eval_jaxpr(body_jaxpr, [], bconsts + carry)


cond_p.def_array_api(_cond)
scan_p.def_array_api(_scan)
while_p.def_array_api(_while)



# -- LU: the factors of solve's and slogdet's derivatives ------------------------------------
# The standard has no LU, so on eager libraries it is written with its operations (partial
# pivoting, one column a step: fine for the small matrices of a model's linear systems); on
# Dask a matrix in one chunk runs the NumPy impl on its block.

def _lu(b: Backend, a):
  xp = b.xp
  if a.ndim != 2:
    raise b.unsupported(lu_mod.lu_p, "a stack of matrices (batch it with vmap over 2-D ones)")
  m, n = a.shape
  idx, cols = xp.arange(m), xp.arange(n)
  perm = xp.astype(xp.arange(m), xp.int32)
  zeros_m = xp.zeros((m,), dtype=a.dtype)
  pivots, lu = [], a
  for k in range(min(m, n)):
    p = xp.argmax(xp.abs(lu[k:, k])) + k
    swap = xp.where(idx == k, p, xp.where(idx == p, xp.asarray(k), idx))
    lu, perm = xp.take(lu, swap, axis=0), xp.take(perm, swap, axis=0)
    pivots.append(p)
    pivot = lu[k, k]
    safe = xp.where(pivot == 0, xp.ones_like(pivot), pivot)  # a zero column stays zero
    low = xp.where(idx > k, lu[:, k] / safe, zeros_m)
    row = xp.where(cols > k, lu[k, :], xp.zeros_like(lu[k, :]))
    lu = lu - low[:, None] * row[None, :]
    lu = xp.where((idx[:, None] > k) & (cols[None, :] == k), low[:, None], lu)
  return [lu, xp.astype(xp.stack(pivots), xp.int32), perm]


def _lu_solve(b: Backend, lu, perm, c, *, trans):
  xp = b.xp
  la = _linalg(b, lu_mod.lu_solve_p, lu, c)
  if lu.ndim != 2:
    raise b.unsupported(lu_mod.lu_solve_p, "a stack of matrices (batch it with vmap)")
  n = lu.shape[-1]
  eye = xp.eye(n, dtype=lu.dtype)
  lower, upper = xp.tril(lu, k=-1) + eye, xp.triu(lu)
  rows = c.ndim - 2
  if trans == 0:  # a[perm] = L U: L U x = c[perm]
    return la.solve(upper, la.solve(lower, xp.take(c, perm, axis=rows)))
  w = la.solve(xp.matrix_transpose(lower), la.solve(xp.matrix_transpose(upper), c))
  return xp.take(w, xp.argsort(perm), axis=rows)  # aᵀ x = c: x[perm] = Lᵀ⁻¹ Uᵀ⁻¹ c


lu_mod.lu_p.def_array_api(_one_block(lu_mod.lu_p, _lu))
lu_mod.lu_solve_p.def_array_api(_one_block(lu_mod.lu_solve_p, _lu_solve))
