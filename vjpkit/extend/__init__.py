"""vjpkit.extend: differentiate code vjpkit does not know, and add primitives.

Three ways, from the quickest to the most complete (``docs/adding-a-primitive.md``):

* ``vjpkit.pure_callback`` inside ``vjpkit.custom_jvp``/``custom_vjp`` (JAX's way);
* ``primitive`` with ``defvjp``/``defjvp`` (autograd's way): the function's body
  runs on concrete NumPy values, its derivatives are given per argument;
* ``Primitive``: a full primitive with an impl, a shape rule, a JVP (which also
  gives reverse mode), a transpose, a batching rule and a ``jit`` code rule. It
  is the class every ``vjpkit.lax`` primitive is an instance of.

Also here, for writing rules: ``Zero`` (a symbolic zero tangent, seen by rules
registered with ``symbolic_zeros=True`` and by transpose rules of several
results), ``is_undefined_primal`` (the linear operands of a transpose rule),
``instantiate_zeros``, ``batch_size`` (in a batching rule), ``Emit`` (a
``def_codegen`` result) and ``ShapeDtypeStruct``.
"""
from ..callback import ShapeDtypeStruct, pure_callback
from ..core.avals import ShapedArray
from ..core.primitive import Primitive
from ..core.zeros import UndefPrimal as UndefinedPrimal
from ..core.zeros import Zero
from ..core.zeros import instantiate as instantiate_zeros
from ..core.zeros import is_undef as is_undefined_primal
from ..interpreters.batching import batch_size, not_mapped
from ..interpreters.codegen import Emit
from .function import PrimitiveFunction, defjvp, defvjp, primitive

__all__ = ["Emit", "Primitive", "PrimitiveFunction", "ShapeDtypeStruct", "ShapedArray",
           "UndefinedPrimal", "Zero", "batch_size", "defjvp", "defvjp", "instantiate_zeros",
           "is_undefined_primal", "not_mapped", "primitive", "pure_callback"]
