"""Tools for users' own gradient tests: numerical checks of JVPs and VJPs."""
from .check_grads import GradientCheckError, check_grads, check_jvp, check_vjp, numerical_jvp

__all__ = ["check_grads", "check_jvp", "check_vjp", "GradientCheckError", "numerical_jvp"]
