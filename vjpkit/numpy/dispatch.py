"""NumPy's dispatch protocols on tracers: unmodified NumPy code runs under transforms.

``numpy.sin(tracer)`` calls ``Tracer.__array_ufunc__`` and ``numpy.sum(tracer)``
calls ``Tracer.__array_function__``; both look the NumPy function up in an
explicit table of the vjpkit.numpy functions that implement it. A NumPy
function missing from the tables raises a TypeError naming it: never a silent
conversion of the traced value to a constant. ``out=`` (writing into a NumPy
array) and ufunc ``where=`` cannot hold traced values and raise too.

>>> import numpy as np, vjpkit
>>> vjpkit.grad(lambda x: np.sum(np.sin(x) * x))(np.array([0.0, 1.0]))
array([0.        , 1.38177329])
"""
from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

import numpy as np

from ..core.trace import Tracer

# numpy ufunc name -> vjpkit.numpy name (the ufunc's __name__, e.g. np.abs is 'absolute')
UFUNCS = {n: n for n in (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power", "float_power",
    "remainder", "fmod", "divmod", "absolute", "fabs", "negative", "positive", "sign", "reciprocal",
    "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
    "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "arctan2", "hypot", "deg2rad", "rad2deg", "degrees", "radians", "logaddexp", "logaddexp2",
    "maximum", "minimum", "fmax", "fmin", "floor", "ceil", "trunc", "rint", "isfinite", "isnan",
    "isinf", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "matmul", "modf", "heaviside", "conjugate",
    "copysign", "signbit", "vecdot", "matvec", "vecmat",
    # integer and float-representation ufuncs (issue 15)
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
    "bitwise_count", "gcd", "lcm", "ldexp", "frexp", "nextafter", "spacing")}

# numpy functions (module, name) implemented by vjpkit.numpy functions of the same name
FUNCTIONS = (
    # reductions
    "sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "ptp", "argmax", "argmin",
    "all", "any", "count_nonzero", "average", "median", "nansum", "nanprod", "nanmean", "nanvar",
    "nanstd", "nanmax", "nanmin", "cumsum", "cumprod", "nancumsum", "nancumprod",
    # elementwise functions that are not ufuncs
    "clip", "round", "around", "fix", "sinc", "where", "nan_to_num", "real", "isclose", "allclose",
    "imag", "angle", "iscomplex", "isreal", "iscomplexobj", "isrealobj", "real_if_close",
    "sort_complex",
    # shapes
    "reshape", "ravel", "transpose", "moveaxis", "swapaxes", "squeeze", "expand_dims",
    "broadcast_to", "broadcast_arrays", "concatenate", "stack", "hstack", "vstack", "dstack",
    "column_stack", "split", "array_split", "hsplit", "vsplit", "dsplit", "tile", "repeat", "flip",
    "fliplr", "flipud", "rot90", "roll", "pad", "append", "atleast_1d", "atleast_2d", "atleast_3d",
    "copy", "shape", "ndim", "size", "result_type", "zeros_like", "ones_like", "full_like",
    "empty_like", "linspace", "meshgrid",
    # matrices and products
    "triu", "tril", "diag", "diagflat", "diagonal", "trace", "dot", "vdot", "inner", "outer",
    "tensordot", "kron", "einsum", "matmul",
    # indexing, sorting
    "take", "take_along_axis", "nonzero", "flatnonzero", "argwhere", "compress", "extract", "sort",
    "argsort", "searchsorted",
    # differences, statistics, polynomials, sets and the rest (issue 15)
    "diff", "ediff1d", "gradient", "trapezoid", "cross", "interp", "cov", "corrcoef", "quantile",
    "percentile", "nanquantile", "nanpercentile", "nanmedian", "bincount", "digitize",
    "histogram", "histogram_bin_edges", "isposinf", "isneginf", "array_equal", "array_equiv",
    "can_cast", "concat", "permute_dims", "matrix_transpose", "unstack", "cumulative_sum",
    "cumulative_prod", "block", "insert", "delete", "trim_zeros", "rollaxis", "lexsort",
    "partition", "argpartition", "nanargmax", "nanargmin", "select", "piecewise", "choose",
    "geomspace", "logspace", "ix_", "tril_indices_from", "triu_indices_from",
    "diag_indices_from", "unravel_index", "ravel_multi_index", "polyval", "polyadd", "polysub",
    "polymul", "polyder", "polyint", "polyfit", "vander", "i0", "unique", "unique_values",
    "unique_counts", "unique_inverse", "unique_all", "isin", "intersect1d", "union1d",
    "setdiff1d", "setxor1d",
    "apply_along_axis", "apply_over_axes", "resize", "poly", "polydiv", "unwrap", "histogram2d",
    "histogramdd",
    # convolutions
    "convolve", "correlate",
)

# NumPy functions that write into their first argument: vjpkit arrays are immutable
IN_PLACE = {
    "put": "x.at[indices].set(values) (on the flattened array: x.ravel().at[...])",
    "place": "vjpkit.numpy.where(mask, values, x) (or x.at[mask].set(values) for a concrete mask)",
    "putmask": "vjpkit.numpy.where(mask, values, x)",
    "put_along_axis": "x.at[...].set(values) with the indices of take_along_axis",
    "fill_diagonal": "x.at[vjpkit.numpy.diag_indices_from(x)].set(value)",
    "copyto": "the value itself (dst = vjpkit.numpy.where(where, src, dst))",
}

# NumPy submodules whose functions vjpkit mirrors in a submodule of vjpkit.numpy
SUBMODULES = {"numpy.linalg": "vjpkit.numpy.linalg", "numpy.fft": "vjpkit.numpy.fft"}


# Ufuncs of other libraries (SciPy's special functions) are resolved by providers that the
# modules implementing them register (vjpkit.scipy.special): provider(ufunc) -> function or None
UFUNC_PROVIDERS: list[Callable[[Any], Callable | None]] = []

# modules whose ufuncs are named after them in error messages, besides numpy
_UFUNC_MODULES = ("scipy.special", "scipy.special._ufuncs")


def register_ufunc_provider(provider: Callable[[Any], Callable | None]) -> None:
  """Resolve ufuncs that are not NumPy's: ``provider(ufunc)`` returns the vjpkit function that
  implements ``ufunc`` on traced values, or None if it does not know it."""
  if provider not in UFUNC_PROVIDERS:
    UFUNC_PROVIDERS.append(provider)


def ufunc_name(ufunc) -> str:
  """The public name of ``ufunc``: ``numpy.sin``, ``scipy.special.erf``."""
  name = ufunc.__name__
  if getattr(np, name, None) is ufunc:
    return f"numpy.{name}"
  for module in _UFUNC_MODULES:
    mod = sys.modules.get(module)
    if mod is not None and getattr(mod, name, None) is ufunc:
      return f"{module.split('._')[0]}.{name}"
  return f"numpy.{name}" if name in UFUNCS else f"the ufunc {name!r}"


def _vnp():
  global _VNP
  if _VNP is None:
    from .. import numpy as vnp
    _VNP = vnp
  return _VNP


_VNP: Any = None


def _unsupported(what: str) -> TypeError:
  if what.startswith("scipy.special."):
    return TypeError(
        f"{what} is not supported on vjpkit traced values: vjpkit.scipy.special has no "
        "differentiable version of it. Compute it outside the transformed function, or "
        "rewrite it with the functions of vjpkit.scipy.special (its __all__).")
  return TypeError(
      f"{what} is not supported on vjpkit traced values: vjpkit.numpy has no differentiable "
      "version of it. Compute it outside the transformed function, or rewrite it with "
      "supported NumPy functions (see vjpkit.numpy.dispatch.FUNCTIONS and UFUNCS).")


def _check_out(out, what: str) -> None:
  outs = out if isinstance(out, tuple) else (out,)
  if any(o is not None for o in outs):
    raise TypeError(f"{what} with out=: a traced value cannot be written into a NumPy array "
                    "(vjpkit arrays are immutable). Use the returned value instead; for "
                    "`a += x` with a NumPy array `a`, write `a = a + x`.")


def _ufunc_lookup(ufunc) -> Callable:
  for provider in UFUNC_PROVIDERS:
    f = provider(ufunc)
    if f is not None:
      return f
  name = UFUNCS.get(ufunc.__name__)
  f = getattr(_vnp(), name, None) if name else None
  if f is None:
    raise _unsupported(ufunc_name(ufunc))
  return f


def _reduce(ufunc, x, axis=0, dtype=None, keepdims=False, initial=None):
  vnp = _vnp()
  table = {"add": vnp.sum, "multiply": vnp.prod, "maximum": vnp.max, "minimum": vnp.min,
           "logical_and": vnp.all, "logical_or": vnp.any}
  f = table.get(ufunc.__name__)
  if f is None:
    raise _unsupported(f"{ufunc_name(ufunc)}.reduce")
  kwargs = {} if initial is None else {"initial": initial}
  return f(x, axis, keepdims=keepdims, **kwargs)


def _accumulate(ufunc, x, axis=0, dtype=None):
  from .. import lax
  vnp = _vnp()
  x = vnp.asarray(x)
  table = {"add": vnp.cumsum, "multiply": vnp.cumprod,
           "maximum": lambda x, axis: lax.cummax(x, axis), "minimum": lambda x, axis: lax.cummin(x, axis)}
  f = table.get(ufunc.__name__)
  if f is None:
    raise _unsupported(f"{ufunc_name(ufunc)}.accumulate")
  return f(x, axis=axis)


def _outer(ufunc, a, b):
  from .. import lax
  from ..core.avals import get_aval
  vnp = _vnp()
  a, b = vnp.asarray(a), vnp.asarray(b)
  na, nb = get_aval(a).ndim, get_aval(b).ndim
  return _ufunc_lookup(ufunc)(lax.reshape(a, get_aval(a).shape + (1,) * nb), b) if na else (
      _ufunc_lookup(ufunc)(a, b))


def array_ufunc(self, ufunc, method: str, *inputs, **kwargs) -> Any:
  """``Tracer.__array_ufunc__``: NumPy ufuncs (and ``ndarray`` operators) on tracers."""
  if method == "__call__" and not kwargs:  # the common case (``array - tracer``): no options
    return _ufunc_lookup(ufunc)(*inputs)
  what = ufunc_name(ufunc) + ("" if method == "__call__" else f".{method}")
  _check_out(kwargs.pop("out", None), what)
  if kwargs.pop("where", True) is not True:
    raise TypeError(f"{what} with where=: not supported on traced values; use "
                    f"vjpkit.numpy.where(mask, {ufunc_name(ufunc)}(...), default) instead.")
  dtype = kwargs.pop("dtype", None)
  for key, default in (("casting", "same_kind"), ("order", "K"), ("subok", True)):
    if kwargs.pop(key, default) != default:
      raise TypeError(f"{what}: {key}= is not supported on traced values")
  if method == "__call__":
    if kwargs:
      raise TypeError(f"{what}: keyword arguments {sorted(kwargs)} are not supported on traced values")
    result = _ufunc_lookup(ufunc)(*inputs)
  elif method == "reduce":
    result = _reduce(ufunc, *inputs, **kwargs)
  elif method == "accumulate":
    result = _accumulate(ufunc, *inputs, **kwargs)
  elif method == "outer":
    result = _outer(ufunc, *inputs)
  elif method == "at":
    raise TypeError(f"{what} updates an array in place, and vjpkit arrays are immutable: use "
                    "the functional x.at[idx].add(v) (or .set/.multiply/.min/.max) instead.")
  else:
    raise _unsupported(what)
  if dtype is not None:
    result = tuple(_vnp().asarray(r, dtype) for r in result) if isinstance(result, tuple) else (
        _vnp().asarray(result, dtype))
  return result


_functions: dict[tuple[str | None, str | None], Callable] = {}


def _function_lookup(func) -> Callable | None:
  module, name = getattr(func, "__module__", None), getattr(func, "__name__", None)
  if not _functions:
    vnp = _vnp()
    _functions.update({("numpy", n): getattr(vnp, n) for n in FUNCTIONS})
  f = _functions.get((module, name))
  if f is None and module in SUBMODULES and name is not None:
    try:
      sub = importlib.import_module(SUBMODULES[module])
    except ImportError:
      return None
    public = getattr(sub, "__all__", None)
    f = getattr(sub, name, None) if (public is None and not name.startswith("_")) or (
        public is not None and name in public) else None
  return f


def array_function(self, func, types, args, kwargs) -> Any:
  """``Tracer.__array_function__``: NumPy functions (``np.sum``, ``np.concatenate``, ...)
  on tracers, by the explicit table ``FUNCTIONS``."""
  if not all(issubclass(t, (Tracer, np.ndarray, np.generic)) for t in types):
    return NotImplemented
  what = f"{getattr(func, '__module__', 'numpy')}.{getattr(func, '__name__', func)}"
  name = getattr(func, "__name__", None)
  if getattr(func, "__module__", None) == "numpy" and name in IN_PLACE:
    raise TypeError(f"{what} modifies an array in place, and vjpkit arrays (traced values) "
                    f"are immutable: use the functional {IN_PLACE[name]} instead, which "
                    "returns the updated array.")
  f = _function_lookup(func)
  if f is None:
    raise _unsupported(what)
  kwargs = dict(kwargs)
  _check_out(kwargs.pop("out", None), what)
  return f(*args, **kwargs)
