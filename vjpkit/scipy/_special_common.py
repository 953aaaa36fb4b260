"""Wrappers that make a ``vjpkit.lax`` special-function primitive a SciPy-style function:
NumPy promotion (integers and bools become float64) and broadcasting of the arguments."""
from __future__ import annotations

from typing import Any, Callable

from ..numpy._core import promote, promote_inexact

Array = Any

__all__ = ["nary", "unary"]


def unary(name: str, op: Callable, doc: str) -> Callable:
  def f(x: Array) -> Array:
    return op(promote_inexact(x))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = doc
  return f


def nary(name: str, op: Callable, doc: str) -> Callable:
  def f(*args: Array) -> Array:
    return op(*promote(*args, inexact=True))
  f.__name__ = f.__qualname__ = name
  f.__doc__ = doc
  return f
