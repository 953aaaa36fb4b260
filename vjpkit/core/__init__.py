"""The centre of vjpkit: avals, the IR and its printer, traces, primitives, zeros."""
from .avals import ShapedArray, float0, get_aval, tangent_aval
from .errors import (ConcretizationTypeError, TracerArrayConversionError,
                     TracerIntegerConversionError, TracerNumberConversionError,
                     UnexpectedTracerError)
from .ir import ClosedJaxpr, Eqn, Jaxpr, Lit, Var
from .primitive import Primitive
from .trace import Trace, Tracer, bind, new_trace
from .zeros import UndefPrimal, Zero, add_tangents, instantiate
