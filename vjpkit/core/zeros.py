"""Symbolic zeros and undefined primals: values that stand for arrays never built.

``Zero(aval)`` is a tangent or cotangent known to be zero. It is never
materialised inside a transform: rules skip it and sums ignore it. Only at a
user-facing boundary is it turned into an array (``instantiate``).
``UndefPrimal(aval)`` marks the linear input of an equation being transposed.
"""
from __future__ import annotations

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


class _VSpace:
  """The two vector-space operations, provided by ``vjpkit.lax`` when it is imported."""
  add = None    # add_any(x, y): same-shape sum, itself a primitive
  zeros = None  # zeros(aval): an all-zero array (a broadcast view when concrete)


vspace = _VSpace()


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
