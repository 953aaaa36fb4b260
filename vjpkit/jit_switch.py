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
from typing import Callable, Iterator

__all__ = ["disable_jit", "jit_disabled", "on_change"]

_state = threading.local()
_lock = threading.Lock()
active = 0  # how many disable_jit() blocks are open, on any thread: jit's fast path reads it
_listeners: list[Callable[[], None]] = []  # called when active becomes non-zero or zero


def jit_disabled() -> bool:
  """True inside ``disable_jit()`` (on this thread)."""
  return getattr(_state, "disabled", False)


@contextlib.contextmanager
def disable_jit(disable: bool = True) -> Iterator[None]:
  """Within the block, ``jit``-decorated functions call the Python function directly on
  their arguments (concrete values: ``print`` and breakpoints see numbers) instead of
  tracing and compiling it; ``disable_jit(False)`` re-enables it inside.
  """
  global active
  previous = jit_disabled()
  _state.disabled = bool(disable)
  with _lock:
    active += 1
    first = active == 1
  if first:
    _changed()
  try:
    yield
  finally:
    _state.disabled = previous
    with _lock:
      active -= 1
      last = active == 0
    if last:
      _changed()


def _changed() -> None:
  for listener in list(_listeners):
    listener()


def on_change(listener: Callable[[], None]) -> None:
  """Call ``listener()`` whenever the first ``disable_jit()`` block opens or the last one
  closes (jit then turns its scalar fast paths off, or lets them be installed again)."""
  _listeners.append(listener)
