"""Statistics: ``cov``, ``corrcoef``, the quantile family (``quantile``, ``percentile``,
``nanquantile``, ``nanpercentile``, ``nanmedian``), ``histogram``,
``histogram_bin_edges``, ``bincount`` and ``digitize``.

Quantiles sort the data and gather the two neighbouring order statistics, so their
derivative goes to the entries that land at those positions (as ``sort``); with the
``'linear'`` method they are differentiable in ``q`` as well. ``histogram`` counts and
``digitize`` indices are integers or piecewise constant (derivative zero);
``bincount``'s and ``histogram``'s weights are differentiable.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..core.trace import Tracer
from ._core import _PY, asarray, check_real, convert, result_type
from . import ufuncs
from .reductions import _axes, no_out, sum as _sum
from .shapes import broadcast_to

Array = Any


# -- covariance and correlation ------------------------------------------------------

def _as_rows(m, rowvar: bool, dtype):
  m = convert(asarray(m), dtype)
  nd = get_aval(m).ndim
  if nd > 2:
    raise ValueError("cov: m has more than 2 dimensions")
  if nd < 2:
    m = lax.reshape(m, (1, get_aval(m).size))
  if not rowvar and get_aval(m).shape[0] != 1:
    m = lax.transpose(m, (1, 0))
  return m


def cov(m: Array, y: Array | None = None, rowvar: bool = True, bias: bool = False,
        ddof: int | None = None, fweights: Array | None = None, aweights: Array | None = None,
        *, dtype=None) -> Array:
  """The covariance matrix of the variables in the rows (``rowvar=False``: columns) of
  ``m`` (and ``y``), with frequency and reliability weights; differentiable in ``m``,
  ``y`` and ``aweights``.

  >>> cov([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
  array([[ 1., -1.],
         [-1.,  1.]])
  """
  if dtype is None:
    dtype = np.result_type(result_type(m) if y is None else result_type(m, y), np.float64)
  dtype = np.dtype(dtype)
  X = _as_rows(m, rowvar, dtype)
  if y is not None:
    from .shapes import concatenate
    X = concatenate([X, _as_rows(y, rowvar, dtype)], 0)
  if ddof is None:
    ddof = 0 if bias else 1
  n = get_aval(X).shape[1]
  w = None
  if fweights is not None:
    fw = asarray(fweights)
    if get_aval(fw).ndim > 1:
      raise RuntimeError("cov: cannot handle multidimensional fweights")
    if get_aval(fw).shape[0] != n:
      raise RuntimeError("cov: incompatible numbers of samples and fweights")
    if get_aval(fw).dtype.kind not in "iub":
      raise TypeError("cov: fweights must be integer")
    if not isinstance(fw, Tracer) and np.any(fw < 0):
      raise ValueError("cov: fweights cannot be negative")
    w = convert(fw, dtype)
  if aweights is not None:
    aw = asarray(aweights)
    if get_aval(aw).ndim > 1:
      raise RuntimeError("cov: cannot handle multidimensional aweights")
    if get_aval(aw).shape[0] != n:
      raise RuntimeError("cov: incompatible numbers of samples and aweights")
    if not isinstance(aw, Tracer) and np.any(np.asarray(aw) < 0):
      raise ValueError("cov: aweights cannot be negative")
    aw = convert(aw, dtype)
    w = aw if w is None else ufuncs.multiply(w, aw)
  if w is None:
    avg = ufuncs.true_divide(_sum(X, axis=1, keepdims=True), n)
    fact: Any = builtins.max(n - ddof, 0)
  else:
    w_sum = _sum(w)
    avg = ufuncs.true_divide(_sum(ufuncs.multiply(X, w), axis=1, keepdims=True), w_sum)
    if ddof == 0:
      fact = w_sum
    elif aweights is None:
      fact = ufuncs.subtract(w_sum, ddof)
    else:
      fact = ufuncs.subtract(w_sum, ufuncs.true_divide(
          ufuncs.multiply(ddof, _sum(ufuncs.multiply(w, aw))), w_sum))
    fact = ufuncs.maximum(fact, 0.0) if isinstance(fact, Tracer) else np.maximum(fact, 0.0)
  Xc = ufuncs.subtract(X, avg)
  XT = lax.conj(lax.transpose(Xc if w is None else ufuncs.multiply(Xc, w), (1, 0)))
  from .products import dot
  c = ufuncs.true_divide(dot(Xc, XT), fact)
  if n == 0:  # NaN (0/0) depending on no input: no derivative (forward mode gave 0/0 = NaN)
    c = lax.stop_gradient(c)
  k = get_aval(c).shape[0]
  return lax.reshape(c, ()) if k == 1 else c


def corrcoef(x: Array, y: Array | None = None, rowvar: bool = True, *, dtype=None) -> Array:
  """Pearson correlation coefficients (``cov`` normalised by the standard deviations,
  clipped to [-1, 1] as NumPy does).

  >>> corrcoef([0.0, 1.0, 2.0], [2.0, 1.5, 0.0])
  array([[ 1.        , -0.96076892],
         [-0.96076892,  1.        ]])
  """
  r = _corrcoef(cov(x, y, rowvar, dtype=dtype))
  # no samples: NaN depending on no input, no derivative (as cov's)
  return lax.stop_gradient(r) if get_aval(asarray(x)).size == 0 else r


def _corrcoef(c):
  if get_aval(c).ndim == 0:
    return ufuncs.true_divide(c, c)
  from .matrices import diagonal
  s = ufuncs.sqrt(ufuncs.real(diagonal(c)))
  c = ufuncs.true_divide(ufuncs.true_divide(c, lax.expand_dims(s, (1,))), lax.expand_dims(s, (0,)))
  if get_aval(c).dtype.kind == "c":  # each part clipped, as NumPy does
    return lax.complex(ufuncs.clip(lax.real(c), -1.0, 1.0), ufuncs.clip(lax.imag(c), -1.0, 1.0))
  return ufuncs.clip(c, -1.0, 1.0)


# -- quantiles -----------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _quantile(a, q, axis, method, keepdims, interpolation, ignore_nan, who):
  if interpolation is not None:
    method = interpolation
  if method not in _METHODS:
    raise ValueError(f"{who}: method {method!r} is not supported; use one of {_METHODS}")
  a = asarray(a)
  check_real(get_aval(a).dtype, who)
  qa = asarray(q)
  if get_aval(qa).dtype.kind not in "fiub":
    raise TypeError(f"{who}: q must be real numbers")
  q_concrete = None if isinstance(qa, Tracer) else np.asarray(qa)
  if q_concrete is not None and (np.any(q_concrete < 0) or np.any(q_concrete > 1)):
    raise ValueError("Quantiles must be in the range [0, 1]")
  adtype = get_aval(a).dtype
  if method in ("linear", "midpoint"):
    floor = adtype if adtype.kind == "f" else np.dtype(np.float64)
    dtype = np.result_type(floor, q if isinstance(q, _PY) else get_aval(qa).dtype)
  else:
    dtype = adtype
  nd = get_aval(a).ndim
  axes = tuple(range(nd)) if axis is None else _axes(a, axis)
  rest = tuple(i for i in range(nd) if i not in axes)
  shape = get_aval(a).shape
  x = lax.transpose(a, rest + axes) if nd else a
  batch = tuple(shape[i] for i in rest)
  n = int(np.prod([shape[i] for i in axes], dtype=np.int64))
  if n == 0:
    raise ValueError(f"{who} of an empty array")
  x = lax.reshape(x, batch + (n,))
  if adtype.kind == "b":
    x = convert(x, np.dtype(np.int64) if dtype.kind != "f" else dtype)
  work = dtype if dtype.kind == "f" else adtype
  x = convert(x, work) if dtype.kind == "f" else x
  s = lax.sort(x, len(batch))
  qshape = get_aval(qa).shape
  out_batch = qshape + batch
  full = out_batch + (n,)
  s_b = lax.broadcast_in_dim(s, full, tuple(range(len(qshape), len(full))))
  qf = convert(qa, np.dtype(np.float64) if dtype.kind != "f" else dtype)
  if adtype.kind == "f":
    nans = ufuncs.isnan(s)
  if ignore_nan and adtype.kind == "f":
    count = _sum(ufuncs.logical_not(nans), axis=-1)  # NaNs sort last
    nv = convert(ufuncs.maximum(count, 1), get_aval(qf).dtype)
  else:
    nv = np.asarray(n, get_aval(qf).dtype)[()]
  pos = ufuncs.multiply(lax.broadcast_in_dim(qf, out_batch, tuple(range(len(qshape)))) if qshape
                        else qf, ufuncs.subtract(nv, 1))
  pos = broadcast_to(pos, out_batch) if out_batch else pos
  lo_f = ufuncs.floor(pos)
  hi_f = ufuncs.ceil(pos)

  def at(p):
    i = lax.convert_element_type(p, np.dtype(np.int64))
    i = lax.reshape(i, out_batch + (1,)) if out_batch else lax.reshape(i, (1,))
    g = lax.take_along_axis(s_b, i, len(out_batch))
    return lax.reshape(g, out_batch)

  if method == "lower":
    y = at(lo_f)
  elif method == "higher":
    y = at(hi_f)
  elif method == "nearest":
    y = at(ufuncs.rint(pos))  # NumPy rounds half to even
  else:
    lo, hi = at(lo_f), at(hi_f)
    if method == "midpoint":
      t = ufuncs.where(ufuncs.equal(lo_f, hi_f), 0.0, 0.5)
    else:
      t = ufuncs.subtract(pos, lo_f)
    t = convert(t, dtype)
    # NumPy's lerp: from the nearer end, so that t = 0 and t = 1 are exact
    d = ufuncs.subtract(hi, lo)
    y = ufuncs.where(ufuncs.less(t, 0.5), ufuncs.add(lo, ufuncs.multiply(d, t)),
                     ufuncs.subtract(hi, ufuncs.multiply(d, ufuncs.subtract(1.0, t))))
  if adtype.kind == "f":
    from .reductions import all as _all, any as _any
    bad = _all(nans, axis=-1) if ignore_nan else _any(nans, axis=-1)
    bad = broadcast_to(bad, out_batch) if out_batch else bad
    y = ufuncs.where(bad, np.array(np.nan, dtype)[()], y)
  y = convert(y, dtype)
  if keepdims:
    kshape = qshape + tuple(1 if i in axes else shape[i] for i in range(nd))
    y = lax.reshape(y, kshape)
  return y


def quantile(a: Array, q: Array, axis: int | tuple[int, ...] | None = None, out=None,
             overwrite_input: bool = False, method: str = "linear", keepdims: bool = False, *,
             interpolation: str | None = None) -> Array:
  """The ``q``-th quantiles of ``a`` over ``axis`` (one or several axes), by ``method``
  ``'linear'``, ``'lower'``, ``'higher'``, ``'nearest'`` or ``'midpoint'``; the axes of
  ``q`` come first in the result. A NaN in a slice makes its quantiles NaN. A ``q``
  outside [0, 1] raises when concrete; traced (under jit) it is clamped into range.

  >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5)
  np.float64(2.5)
  >>> quantile([1.0, 2.0, 3.0, 4.0], [0.0, 0.4], method="lower")
  array([1., 2.])
  """
  no_out(out, "quantile")
  return _scalar(_quantile(a, q, axis, method, keepdims, interpolation, False, "quantile"))


def percentile(a: Array, q: Array, axis: int | tuple[int, ...] | None = None, out=None,
               overwrite_input: bool = False, method: str = "linear", keepdims: bool = False, *,
               interpolation: str | None = None) -> Array:
  """``quantile`` with ``q`` in percent.

  >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
  np.float64(2.5)
  """
  no_out(out, "percentile")
  q = _percent(q, "percentile")
  return _scalar(_quantile(a, q, axis, method, keepdims, interpolation, False, "percentile"))


def nanquantile(a: Array, q: Array, axis: int | tuple[int, ...] | None = None, out=None,
                overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
                *, interpolation: str | None = None) -> Array:
  """``quantile`` ignoring NaNs (an all-NaN slice gives NaN).

  >>> nanquantile([1.0, np.nan, 3.0], 0.5)
  np.float64(2.0)
  """
  no_out(out, "nanquantile")
  return _scalar(_quantile(a, q, axis, method, keepdims, interpolation, True, "nanquantile"))


def nanpercentile(a: Array, q: Array, axis: int | tuple[int, ...] | None = None, out=None,
                  overwrite_input: bool = False, method: str = "linear", keepdims: bool = False,
                  *, interpolation: str | None = None) -> Array:
  """``percentile`` ignoring NaNs.

  >>> nanpercentile([1.0, np.nan, 3.0], 100)
  np.float64(3.0)
  """
  no_out(out, "nanpercentile")
  q = _percent(q, "nanpercentile")
  return _scalar(_quantile(a, q, axis, method, keepdims, interpolation, True, "nanpercentile"))


def nanmedian(a: Array, axis: int | tuple[int, ...] | None = None, out=None,
              overwrite_input: bool = False, keepdims: bool = False) -> Array:
  """``median`` ignoring NaNs.

  >>> nanmedian([1.0, np.nan, 3.0, 4.0])
  np.float64(3.0)
  """
  no_out(out, "nanmedian")
  return _scalar(_quantile(a, 0.5, axis, "linear", keepdims, None, True, "nanmedian"))


def _percent(q, who):
  if isinstance(q, _PY):
    if not 0 <= q <= 100:
      raise ValueError("Percentiles must be in the range [0, 100]")
    return q / 100
  qa = asarray(q)
  if not isinstance(qa, Tracer) and (np.any(qa < 0) or np.any(qa > 100)):
    raise ValueError("Percentiles must be in the range [0, 100]")
  return ufuncs.true_divide(qa, 100)


def _scalar(y):
  return y[()] if isinstance(y, np.ndarray) and y.ndim == 0 else y


# -- counting --------------------------------------------------------------------------

def _static_int(v, who: str, what: str) -> int:
  from ..lax.indexing import concrete_or_none
  c = concrete_or_none(v)
  if c is None:
    raise TypeError(f"{who}: the length of the result depends on the values of {what}, which "
                    f"are traced here (under jit or vmap); pass length= to fix it.")
  return int(c)


def bincount(x: Array, weights: Array | None = None, minlength: int = 0, *,
             length: int | None = None) -> Array:
  """Counts of each non-negative integer in ``x`` (sums of ``weights``, differentiable,
  when given). The result has length ``max(x) + 1`` (at least ``minlength``), which needs
  a concrete ``x``; under jit pass ``length=`` (values at or beyond it are dropped, as JAX).

  >>> bincount([0, 1, 1, 3])
  array([1, 2, 0, 1])
  >>> bincount([0, 1, 1], weights=[0.5, 1.0, 2.0])
  array([0.5, 3. ])
  """
  x = asarray(x)
  if get_aval(x).ndim != 1:
    raise ValueError("bincount: x must be one-dimensional")
  if get_aval(x).dtype.kind not in "iub":
    raise TypeError(f"bincount: x must be integers, got {get_aval(x).dtype}")
  if minlength is None or int(minlength) < 0:
    raise ValueError("bincount: minlength must be non-negative")
  from ..lax.indexing import concrete_or_none
  xc = concrete_or_none(x)
  if xc is not None and xc.size and xc.min() < 0:
    raise ValueError("bincount: the first argument must be non-negative")
  if length is None:
    if xc is None:
      raise TypeError("bincount: the length of the result depends on the values of x, which "
                      "are traced here (under jit or vmap); pass length= to fix it.")
    length = builtins.max(int(minlength), int(xc.max()) + 1 if xc.size else 0)
  length = int(length)
  if weights is None:
    w: Any = np.ones(get_aval(x).shape, np.int64)
    dtype: np.dtype = np.dtype(np.int64)
  else:
    w = asarray(weights)
    if get_aval(w).shape != get_aval(x).shape:
      raise ValueError("bincount: the weights and x should have the same length")
    check_real(get_aval(w).dtype, "bincount")
    dtype = np.dtype(np.float64)  # NumPy sums weights in float64
    w = convert(w, dtype)
  i = convert(x, np.dtype(np.int64))
  keep = ufuncs.logical_and(ufuncs.greater_equal(i, 0), ufuncs.less(i, length))
  w = ufuncs.where(keep, w, np.zeros((), dtype)[()])
  if length == 0:
    return np.zeros(0, dtype)
  out = lax.scatter_add(np.zeros(length, dtype), lax.reshape(i, get_aval(i).shape + (1,)),
                        asarray(w), (0,))
  return out


def digitize(x: Array, bins: Array, right: bool = False) -> Array:
  """The index of the bin of each ``x`` among monotonic ``bins`` (NumPy's convention:
  ``bins[i-1] <= x < bins[i]``, or ``<``/``<=`` with ``right=True``); no derivative.

  >>> digitize([0.5, 1.0, 2.5], [0.0, 1.0, 2.0])
  array([1, 2, 3])
  """
  x, bins = asarray(x), asarray(bins)
  if get_aval(bins).ndim != 1:
    raise ValueError("digitize: bins must be one-dimensional")
  dtype = result_type(x, bins)
  check_real(dtype, "digitize")
  x, bins = convert(x, dtype), convert(bins, dtype)
  from .sorting import searchsorted
  side = "left" if right else "right"
  n = get_aval(bins).shape[0]
  if n == 0:
    return convert(ufuncs.multiply(x, 0), np.dtype(np.int64))
  up = searchsorted(bins, x, side=side)
  down = ufuncs.subtract(n, searchsorted(lax.rev(bins, (0,)), x, side=side))
  from .indexing import take
  increasing = ufuncs.greater_equal(take(bins, -1), take(bins, 0))
  return ufuncs.where(increasing, up, down)


def histogram_bin_edges(a: Array, bins: Any = 10, range: tuple | None = None,  # noqa: A002
                        weights: Array | None = None) -> Array:
  """The edges of ``histogram``'s bins: ``bins + 1`` equal bins over ``range`` (default
  the data's minimum and maximum), or ``bins`` itself when it is an array.

  >>> histogram_bin_edges([0.0, 1.0, 4.0], bins=4)
  array([0., 1., 2., 3., 4.])
  """
  a = asarray(a)
  check_real(get_aval(a).dtype, "histogram_bin_edges")
  if isinstance(bins, str):
    from ..lax.indexing import concrete_or_none
    ac = concrete_or_none(a)
    if ac is None or isinstance(weights, Tracer):
      raise TypeError(f"histogram_bin_edges: bins={bins!r} needs a concrete array (the number "
                      "of bins depends on the values); pass an integer number of bins under jit")
    return np.histogram_bin_edges(ac, bins, range, weights)
  if not isinstance(bins, (int, np.integer)):
    b = asarray(bins)
    if get_aval(b).ndim != 1:
      raise ValueError("histogram: bins must be 1d")
    return b
  if int(bins) < 1:
    raise ValueError("histogram: `bins` must be positive, when an integer")
  dtype = np.result_type(get_aval(a).dtype, np.float64) if get_aval(a).dtype.kind != "f" else (
      get_aval(a).dtype)
  if range is None:
    from .reductions import max as _max, min as _min
    if get_aval(a).size == 0:
      lo: Any = np.zeros((), dtype)[()]
      hi: Any = np.ones((), dtype)[()]
    else:
      lo, hi = convert(_min(a), dtype), convert(_max(a), dtype)
      from ..lax.indexing import concrete_or_none
      lc, hc = concrete_or_none(lo), concrete_or_none(hi)
      if lc is not None and hc is not None and not (np.isfinite(lc) and np.isfinite(hc)):
        raise ValueError(f"autodetected range of [{lc}, {hc}] is not finite")
  else:
    lo, hi = range
    if not isinstance(lo, Tracer) and not isinstance(hi, Tracer) and lo > hi:
      raise ValueError("histogram: max must be larger than min in range parameter.")
    lo, hi = convert(lo, dtype), convert(hi, dtype)
  same = ufuncs.equal(lo, hi)
  lo = ufuncs.where(same, ufuncs.subtract(lo, 0.5), lo)
  hi = ufuncs.where(same, ufuncs.add(hi, 0.5), hi)
  from .creation import linspace
  return convert(linspace(lo, hi, int(bins) + 1), dtype)


def _bin_index(x: Array, edges: Array, outside: int) -> Array:
  """The bin of each value of the vector ``x`` between ``edges`` (the last bin includes its
  right edge), or ``outside`` for the values outside them."""
  from .sorting import searchsorted
  from .indexing import take
  nb = get_aval(edges).shape[0] - 1
  dtype = result_type(x, edges)
  xs, es = convert(x, dtype), convert(edges, dtype)
  i = ufuncs.subtract(searchsorted(es, xs, side="right"), 1)
  last = take(es, -1)
  i = ufuncs.where(ufuncs.equal(xs, last), nb - 1, i)
  inside = ufuncs.logical_and(ufuncs.greater_equal(xs, take(es, 0)), ufuncs.less_equal(xs, last))
  return ufuncs.where(inside, i, outside)


def histogram(a: Array, bins: Any = 10, range: tuple | None = None,  # noqa: A002
              weights: Array | None = None, density: bool | None = None) -> tuple:
  """Counts (or summed ``weights``, or a ``density``) of the flattened ``a`` in bins;
  returns ``(hist, bin_edges)``. The last bin includes its right edge; values outside
  the edges are not counted. Counts have no derivative; weights are differentiable.

  >>> histogram([0.0, 1.0, 1.5, 4.0], bins=2)
  (array([3, 1]), array([0., 2., 4.]))
  """
  a = asarray(a)
  from .shapes import ravel
  edges = histogram_bin_edges(a, bins, range, weights)
  x = ravel(a)
  nb = get_aval(edges).shape[0] - 1
  i = _bin_index(x, edges, outside=nb)  # out of range: bin nb, dropped
  if weights is None:
    w = None
  else:
    w = ravel(asarray(weights))
    if get_aval(w).shape != get_aval(x).shape:
      raise ValueError("histogram: weights should have the same shape as a.")
  counts = bincount(i, w, length=nb)
  if weights is not None and get_aval(asarray(weights)).dtype != np.float64:
    counts = convert(counts, result_type(asarray(weights)))
  if density:
    from .differences import diff
    counts = ufuncs.true_divide(ufuncs.true_divide(counts, _sum(counts)), diff(edges))
  return counts, edges
