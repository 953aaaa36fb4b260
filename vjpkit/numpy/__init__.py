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
                     rad2deg, radians, real, reciprocal, remainder, rint, round, sign, sin, sinc,
                     sinh, sqrt, square, subtract, tan, tanh, trunc, true_divide, where)

float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None
ndarray = _np.ndarray

_operators.install()
