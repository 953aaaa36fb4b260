"""A helper shared by the jit tests: a function wrapped to count how often it runs (traces)."""
from __future__ import annotations

from typing import Callable


def counting(f: Callable) -> tuple[Callable, list]:
  """``(g, calls)``: ``g`` calls ``f`` and appends to ``calls`` each time it runs.

  >>> g, calls = counting(abs)
  >>> g(-2), len(calls)
  (2, 1)
  """
  calls: list = []

  def g(*args, **kwargs):
    calls.append(1)
    return f(*args, **kwargs)
  return g, calls
