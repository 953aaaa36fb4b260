"""vjpkit.numpy: NumPy's API, differentiable, written in terms of vjpkit.lax primitives.

>>> import vjpkit
>>> import vjpkit.numpy as vnp
>>> vjpkit.grad(lambda x: vnp.sum(vnp.sin(x)))(vnp.zeros(3))
array([1., 1., 1.])
"""
import numpy as _np

from . import _operators
from . import linalg
from ._core import asarray, result_type
from .indexing import getitem as _getitem  # noqa: F401
from .products import dot, matmul
from .reductions import amax, amin, argmax, argmin, max, mean, min, sum
from .shapes import (broadcast_to, concatenate, expand_dims, full, full_like, moveaxis, ndim, ones,
                     ones_like, ravel, reshape, shape, squeeze, stack, swapaxes, transpose, zeros,
                     zeros_like)
from .ufuncs import (abs, absolute, add, cos, divide, equal, exp, expm1, greater, greater_equal,
                     less, less_equal, log, log1p, maximum, minimum, multiply, negative,
                     not_equal, positive, power, sign, sin, sqrt, square, subtract, tanh,
                     true_divide, where)

array = asarray
float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None
ndarray = _np.ndarray

_operators.install()
