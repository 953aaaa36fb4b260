"""The centre of vjpkit: avals, the IR and its printer, traces, primitives, zeros."""
from .avals import ShapedArray, float0, get_aval, tangent_aval
from .errors import (ConcretizationTypeError, TracerArrayConversionError,
                     TracerIntegerConversionError, TracerNumberConversionError,
                     UnexpectedTracerError)
from .ir import ClosedJaxpr, Eqn, Jaxpr, Lit, Var
from .primitive import Primitive
from .trace import Trace, Tracer, bind, new_trace
from .zeros import UndefPrimal, Zero, add_tangents, instantiate

__all__ = ["add_tangents", "bind", "ClosedJaxpr", "ConcretizationTypeError", "Eqn", "float0",
           "get_aval", "instantiate", "Jaxpr", "Lit", "new_trace", "Primitive", "ShapedArray",
           "tangent_aval", "Trace", "Tracer", "TracerArrayConversionError",
           "TracerIntegerConversionError", "TracerNumberConversionError", "UndefPrimal",
           "UnexpectedTracerError", "Var", "Zero"]
