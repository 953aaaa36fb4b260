"""Symbolic zeros and undefined primals: values that stand for arrays never built.

``Zero(aval)`` is a tangent or cotangent known to be zero. It is never
materialised inside a transform: rules skip it and sums ignore it. Only at a
user-facing boundary is it turned into an array (``instantiate``).
``UndefPrimal(aval)`` marks the linear input of an equation being transposed.
"""
from __future__ import annotations

from typing import Any, Callable

from .avals import ShapedArray, get_aval, tangent_aval


class Zero:
  __slots__ = ("aval",)

  def __init__(self, aval: ShapedArray):
    self.aval = aval

  @staticmethod
  def like(x) -> "Zero":
    return Zero(tangent_aval(get_aval(x)))

  def __repr__(self):
    return f"Zero({self.aval.str_short()})"


class UndefPrimal:
  __slots__ = ("aval",)

  def __init__(self, aval: ShapedArray):
    self.aval = aval

  def __repr__(self):
    return f"UndefPrimal({self.aval.str_short()})"


def is_undef(x) -> bool:
  return type(x) is UndefPrimal


def _unregistered(name: str) -> Callable[..., Any]:
  def missing(*args: Any) -> Any:
    raise RuntimeError(f"the tangent space has no '{name}' operation: it is registered by "
                       "vjpkit.lax (register_vspace), so import vjpkit or vjpkit.lax first")
  return missing


class VSpace:
  """The vector-space operations on tangents that need primitives.

  ``add(x, y)`` is a same-shape sum (itself a primitive, so that it transposes)
  and ``zeros(aval)`` an all-zero array (a broadcast view when concrete). Core
  declares no primitives, so the primitive library provides both where it
  declares them, by calling ``register_vspace`` (``vjpkit/lax/elementwise.py``
  registers ``add_any``, ``vjpkit/lax/shapes.py`` its ``zeros``).
  """
  __slots__ = ("add", "zeros")

  def __init__(self) -> None:
    self.add: Callable[[Any, Any], Any] = _unregistered("add")
    self.zeros: Callable[[ShapedArray], Any] = _unregistered("zeros")


vspace = VSpace()


def register_vspace(*, add: Callable[[Any, Any], Any] | None = None,
                    zeros: Callable[[ShapedArray], Any] | None = None) -> None:
  """Give core the tangent space's operations (the hook ``vjpkit.lax`` calls)."""
  if add is not None:
    vspace.add = add
  if zeros is not None:
    vspace.zeros = zeros


def add_tangents(x, y):
  """Zero-aware sum: the rule for a value with several consumers."""
  if x is None or type(x) is Zero:
    return y
  if y is None or type(y) is Zero:
    return x
  return vspace.add(x, y)


def instantiate(t):
  """Materialise a symbolic zero (only at boundaries that need a real array)."""
  if type(t) is Zero:
    return vspace.zeros(t.aval)
  return t
