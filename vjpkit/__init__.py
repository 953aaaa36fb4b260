"""vjpkit: functional automatic differentiation for NumPy, in the style of JAX.

>>> import vjpkit
>>> import vjpkit.numpy as vnp
>>> vjpkit.grad(lambda x: vnp.tanh(x) * x)(1.0)    # tanh(x) + x (1 - tanh(x)²)
np.float64(1.18156849...)
"""
from . import codegen, lax, numpy, tree_util
from . import nn, scipy, tree
from .api import grad, jvp, linear_transpose, linearize, make_jaxpr, value_and_grad, vjp
from .api_jacobians import hessian, jacfwd, jacrev
from .api_vmap import vmap
from .api_jit import jit
from .core.errors import (ConcretizationTypeError, TracerArrayConversionError,
                          TracerIntegerConversionError, TracerNumberConversionError,
                          UnexpectedTracerError)
from .core.ir import ClosedJaxpr, Jaxpr
from .lax import stop_gradient
from .checkpoint import checkpoint, remat
from .custom_derivatives import custom_jvp, custom_vjp
from .callback import ShapeDtypeStruct, pure_callback
from . import extend
from .config import config
from .debugging import debug_infs, debug_nans
from .api_misc import (block_until_ready, device_get, device_put, eval_shape, named_call,
                       typeof)
from .jit_switch import disable_jit
from . import debug

__version__ = "0.1.0"

__all__ = [
    # transforms
    "grad", "value_and_grad", "vjp", "jvp", "linearize", "linear_transpose", "make_jaxpr",
    "jacfwd", "jacrev", "hessian", "vmap", "jit", "checkpoint", "remat", "custom_jvp",
    "custom_vjp", "stop_gradient", "pure_callback", "ShapeDtypeStruct", "eval_shape",
    "named_call", "block_until_ready", "device_get", "device_put", "typeof", "disable_jit",
    # settings and debugging
    "config", "debug_nans", "debug_infs",
    # programs and errors
    "ClosedJaxpr", "Jaxpr", "ConcretizationTypeError", "TracerArrayConversionError",
    "TracerIntegerConversionError", "TracerNumberConversionError", "UnexpectedTracerError",
    # subpackages
    "codegen", "debug", "extend", "lax", "nn", "numpy", "scipy", "tree", "tree_util",
]
