"""Read the NumPy code vjpkit generates: ``to_source(f, *args)``.

``jit`` compiles every program to Python source (see
``vjpkit.interpreters.codegen``); this module shows that source for a function
and example arguments, e.g. the backward pass of a gradient written out as
NumPy calls.
"""
from __future__ import annotations

from typing import Any, Callable

from .core.ir import ClosedJaxpr, Jaxpr
from .interpreters.codegen import Compiled, compile_jaxpr
from .passes import optimize

__all__ = ["to_source", "compile_jaxpr", "Compiled"]


def to_source(fun: Callable | ClosedJaxpr | Jaxpr, *args: Any, **kwargs: Any) -> str:
  """The Python source ``jit`` runs for ``fun(*args, **kwargs)``; or, given a program
  (``make_jaxpr``'s result), the source of that program after optimisation.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> x = np.array([1.0, 2.0, 3.0])
  >>> print(to_source(vjpkit.grad(lambda W: vnp.sum(vnp.tanh(W @ x))), np.eye(3)))
  def lambda_(a):
      b = a @ _const0
      b = _tanh2(b, out=b)
      b = _multiply3(b, b, out=b)
      b = _subtract4(1.0, b, out=b)
      c = _outer5(b, _const0)
      del b
      return (c,)

  Elementwise operations write into the buffer of an operand that dies there
  (``out=b``), keeping its name; ``_const0`` is ``x``, bound when compiling.
  """
  if isinstance(fun, (ClosedJaxpr, Jaxpr)):
    jaxpr, consts = (fun.jaxpr, fun.consts) if isinstance(fun, ClosedJaxpr) else (fun, [])
    return compile_jaxpr(*optimize(jaxpr, consts)).source
  from .api_jit import jit
  return jit(fun).lower(*args, **kwargs).source
