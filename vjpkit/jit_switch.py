"""``disable_jit``: run ``jit``-decorated functions eagerly, for debugging (as JAX's).

>>> import vjpkit
>>> f = vjpkit.jit(lambda x: print("traced" if not isinstance(x, float) else "eager") or x)
>>> with disable_jit():
...   _ = f(1.0)
eager
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

__all__ = ["disable_jit", "jit_disabled"]

_state = threading.local()


def jit_disabled() -> bool:
  """True inside ``disable_jit()`` (on this thread)."""
  return getattr(_state, "disabled", False)


@contextlib.contextmanager
def disable_jit(disable: bool = True) -> Iterator[None]:
  """Within the block, ``jit``-decorated functions call the Python function directly on
  their arguments (concrete values: ``print`` and breakpoints see numbers) instead of
  tracing and compiling it; ``disable_jit(False)`` re-enables it inside.
  """
  previous = jit_disabled()
  _state.disabled = bool(disable)
  try:
    yield
  finally:
    _state.disabled = previous
