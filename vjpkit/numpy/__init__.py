"""vjpkit.numpy: NumPy's API, differentiable, written in terms of vjpkit.lax primitives.

>>> import vjpkit
>>> import vjpkit.numpy as vnp
>>> vjpkit.grad(lambda x: vnp.sum(vnp.sin(x)))(vnp.zeros(3))
array([1., 1., 1.])

Unmodified NumPy code works too: tracers implement NumPy's dispatch protocols
(see ``vjpkit.numpy.dispatch``).
"""
import numpy as _np

from . import _operators
from . import fft
from . import linalg
from ._core import array, asarray, result_type
from .creation import arange, eye, identity, linspace, meshgrid, tri
from .einsum import einsum
from .indexing import (argwhere, compress, extract, flatnonzero, nonzero, take,
                       take_along_axis)
from .indexing import getitem as _getitem  # noqa: F401
from .joining import (append, array_split, column_stack, dsplit, dstack, hsplit, hstack,
                      row_stack, split, vsplit, vstack)
from .matrices import diag, diagflat, diagonal, trace, tril, triu
from .products import dot, inner, kron, matmul, outer, tensordot, vdot
from .reductions import (all, allclose, amax, amin, any, argmax, argmin, average, count_nonzero,
                         cumprod, cumsum, isclose, max, mean, median, min, nancumprod, nancumsum,
                         nanmax, nanmean, nanmin, nanprod, nanstd, nansum, nanvar, prod, ptp, std,
                         sum, var)
from .shapes import (atleast_1d, atleast_2d, atleast_3d, broadcast_arrays, broadcast_to,
                     concatenate, copy, empty_like, expand_dims, flip, fliplr, flipud, full,
                     full_like, moveaxis, ndim, ones, ones_like, pad, ravel, repeat, reshape,
                     roll, rot90, shape, size, squeeze, stack, swapaxes, tile, transpose, zeros,
                     zeros_like)
from .sorting import argsort, searchsorted, sort
from .ufuncs import (abs, absolute, acos, acosh, add, arccos, arccosh, arcsin, arcsinh, arctan,
                     arctan2, arctanh, around, asin, asinh, atan, atan2, atanh, cbrt, ceil,
                     clip, conj, conjugate, cos, cosh, deg2rad, degrees, divide, divmod, equal,
                     exp, exp2, expm1, fabs, fix, float_power, floor, floor_divide, fmax, fmin,
                     fmod, greater, greater_equal, heaviside, hypot, isfinite, isinf, isnan,
                     less, less_equal, log, log1p, log2, log10, logaddexp, logaddexp2,
                     logical_and, logical_not, logical_or, logical_xor, maximum, minimum, mod,
                     modf, multiply, nan_to_num, negative, not_equal, positive, pow, power,
                     rad2deg, radians, real, imag, angle, reciprocal, remainder, rint, round,
                     sign, sin, sinc,
                     sinh, sqrt, square, subtract, tan, tanh, trunc, true_divide, where)

# functions beyond the first set (issue 15), one module per job
from .arrayapi import (concat, cumulative_prod, cumulative_sum, matrix_transpose, permute_dims,
                       unstack)
from .convolutions import convolve, correlate
from .assembly import block, delete, insert, rollaxis, trim_zeros
from .differences import diff, ediff1d, gradient, trapezoid
from .dtypes import (array_equal, array_equiv, broadcast_shapes, can_cast, isdtype, isscalar,
                     issubdtype, iterable, promote_types)
from .index_tricks import (diag_indices, diag_indices_from, indices, ix_, ravel_multi_index,
                           tril_indices, tril_indices_from, triu_indices, triu_indices_from,
                           unravel_index)
from .interpolation import interp
from .ordering import argpartition, lexsort, nanargmax, nanargmin, partition
from .polynomials import polyadd, polyder, polyfit, polyint, polymul, polysub, polyval, vander
from .selection import choose, piecewise, select
from .setops import (intersect1d, isin, setdiff1d, setxor1d, union1d, unique, unique_all,
                     unique_counts, unique_inverse, unique_values)
from .complexes import iscomplex, iscomplexobj, isreal, isrealobj, real_if_close, sort_complex
from .signs import copysign, isneginf, isposinf, signbit
from .spaces import empty, geomspace, logspace
from .statistics import (bincount, corrcoef, cov, digitize, histogram, histogram_bin_edges,
                         nanmedian, nanpercentile, nanquantile, percentile, quantile)
from .vectors import cross, matvec, vecdot, vecmat
from .windows import bartlett, blackman, hamming, hanning, i0, kaiser

# the rest of jax.numpy's non-complex names (issue 15)
from .bitwise import (bitwise_and, bitwise_count, bitwise_invert, bitwise_left_shift, bitwise_not,
                      bitwise_or, bitwise_right_shift, bitwise_xor, gcd, invert, lcm, left_shift,
                      packbits, right_shift, unpackbits)
from .floating import frexp, ldexp, nextafter, spacing
from .functional import apply_along_axis, apply_over_axes, fromfunction, vectorize
from .grids import c_, index_exp, mask_indices, mgrid, ogrid, r_, resize, s_
from .histograms import histogram2d, histogramdd
from .indexing import at
from .inplace import fill_diagonal, place, put, put_along_axis
from .names import (array_repr, array_str, astype, bool, cdouble, character, complex_,
                    complexfloating, csingle, double, dtype, einsum_path,
                    euler_gamma, finfo, flexible, float16, float_, floating, from_dlpack,
                    frombuffer, fromfile, fromiter, fromstring, generic, get_printoptions, iinfo,
                    inexact, int16, int8, int_, integer, load, number, object_, printoptions,
                    save, savez, set_printoptions, signedinteger, single, uint, uint16, uint32,
                    uint64, uint8, unsignedinteger)
from .polynomials_more import poly, polydiv, roots, unwrap

float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
complex64, complex128 = _np.complex64, _np.complex128
ComplexWarning = _np.exceptions.ComplexWarning
pi, inf, nan, newaxis = _np.pi, _np.inf, _np.nan, None
from numpy import e  # noqa: E402
ndarray = _np.ndarray

_operators.install()

__all__ = ["ComplexWarning", "abs", "absolute", "acos", "acosh", "add", "all", "allclose", "amax",
           "amin", "angle", "any", "append", "arange", "arccos", "arccosh", "arcsin", "arcsinh",
           "arctan", "arctan2", "arctanh", "argmax", "argmin", "argpartition", "argsort",
           "argwhere", "around", "array", "array_equal", "array_equiv", "array_split", "asarray",
           "asin", "asinh", "atan", "atan2", "atanh", "atleast_1d", "atleast_2d", "atleast_3d",
           "average", "bartlett", "bincount", "blackman", "block", "bool_", "broadcast_arrays",
           "broadcast_shapes", "broadcast_to", "can_cast", "cbrt", "ceil", "choose", "clip",
           "column_stack", "complex128", "complex64", "compress", "concat", "concatenate", "conj",
           "conjugate", "convolve", "copy", "copysign", "corrcoef", "correlate", "cos", "cosh",
           "count_nonzero", "cov",
           "cross", "cumprod", "cumsum", "cumulative_prod", "cumulative_sum", "deg2rad",
           "degrees", "delete", "diag", "diag_indices", "diag_indices_from", "diagflat",
           "diagonal", "diff", "digitize", "divide", "divmod", "dot", "dsplit", "dstack", "e",
           "ediff1d", "einsum", "empty", "empty_like", "equal", "exp", "exp2", "expand_dims",
           "expm1", "extract", "eye", "fabs", "fft", "fix", "flatnonzero", "flip", "fliplr", "flipud",
           "float32", "float64", "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod",
           "full", "full_like", "geomspace", "gradient", "greater", "greater_equal", "hamming",
           "hanning", "heaviside", "histogram", "histogram_bin_edges", "hsplit", "hstack",
           "hypot", "i0", "identity", "imag", "indices", "inf", "inner", "insert", "int32",
           "int64", "interp", "intersect1d", "isclose", "iscomplex", "iscomplexobj", "isdtype",
           "isfinite", "isin", "isinf", "isnan", "isneginf", "isposinf", "isreal", "isrealobj",
           "isscalar", "issubdtype", "iterable", "ix_", "kaiser", "kron", "less", "less_equal",
           "lexsort", "linalg", "linspace", "log", "log10", "log1p", "log2", "logaddexp",
           "logaddexp2", "logical_and", "logical_not", "logical_or", "logical_xor", "logspace",
           "matmul", "matrix_transpose", "matvec", "max", "maximum", "mean", "median", "meshgrid",
           "min", "minimum", "mod", "modf", "moveaxis", "multiply", "nan", "nan_to_num",
           "nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian",
           "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar",
           "ndarray", "ndim", "negative", "newaxis", "nonzero", "not_equal", "ones", "ones_like",
           "outer", "pad", "partition", "percentile", "permute_dims", "pi", "piecewise",
           "polyadd", "polyder", "polyfit", "polyint", "polymul", "polysub", "polyval",
           "positive", "pow", "power", "prod", "promote_types", "ptp", "quantile", "rad2deg",
           "radians", "ravel", "ravel_multi_index", "real", "real_if_close", "reciprocal",
           "remainder", "repeat", "reshape", "result_type", "rint", "roll", "rollaxis", "rot90",
           "round", "row_stack", "searchsorted", "select", "setdiff1d", "setxor1d", "shape",
           "sign", "signbit", "sin", "sinc", "sinh", "size", "sort", "sort_complex", "split",
           "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "take",
           "take_along_axis", "tan", "tanh", "tensordot", "tile", "trace", "transpose",
           "trapezoid", "tri", "tril", "tril_indices", "tril_indices_from", "trim_zeros", "triu",
           "triu_indices", "triu_indices_from", "true_divide", "trunc", "union1d", "unique",
           "unique_all", "unique_counts", "unique_inverse", "unique_values", "unravel_index",
           "unstack", "vander", "var", "vdot", "vecdot", "vecmat", "vsplit", "vstack", "where",
           "zeros", "zeros_like"]
__all__ += ["cdouble", "complex_", "complexfloating", "csingle"]
__all__ += ["apply_along_axis", "apply_over_axes", "array_repr", "array_str", "astype", "at",
            "bitwise_and", "bitwise_count", "bitwise_invert", "bitwise_left_shift", "bitwise_not",
            "bitwise_or", "bitwise_right_shift", "bitwise_xor", "bool", "c_", "character",
            "double", "dtype", "einsum_path", "euler_gamma", "fill_diagonal", "finfo",
            "flexible", "float16", "float_", "floating", "frexp", "from_dlpack", "frombuffer",
            "fromfile", "fromfunction", "fromiter", "fromstring", "gcd", "generic",
            "get_printoptions", "histogram2d", "histogramdd", "iinfo", "index_exp", "inexact",
            "int16", "int8", "int_", "integer", "invert", "lcm", "ldexp", "left_shift", "load",
            "mask_indices", "mgrid", "nextafter", "number", "object_", "ogrid", "packbits",
            "place", "poly", "polydiv", "printoptions", "put", "put_along_axis", "r_", "resize",
            "right_shift", "roots", "s_", "save", "savez", "set_printoptions", "signedinteger",
            "single", "spacing", "uint", "uint16", "uint32", "uint64", "uint8", "unpackbits",
            "unsignedinteger", "unwrap", "vectorize"]
