"""The cyclic garbage collector paused while ``jit`` compiles.

Tracing, optimising and compiling a program allocate several objects per equation
(equations, variables, lists, plan steps) and free almost none until the end. Each
allocation counts towards CPython's collection thresholds, and every collection of
the oldest generation walks all live objects: for a program of 10⁵ equations that is
millions of objects, walked again and again, and about a third of the compile time.
None of these objects is cyclic garbage, so ``jit`` pauses the collector while it
compiles (mypy does the same for its whole run) and restores it after: nested and
concurrent compiles share one pause, and the collector runs again as soon as the
last one ends. Reference counting still frees everything that is not in a cycle.

>>> import gc
>>> with gc_paused():
...   gc.isenabled()
False
>>> gc.isenabled()
True
"""
from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

__all__ = ["gc_paused"]

_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": False}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
  """Run the block with the cyclic garbage collector disabled (re-entrant, thread-safe:
  it is re-enabled when the outermost block of any thread ends, if it was enabled)."""
  with _lock:
    if _state["depth"] == 0:
      _state["was_enabled"] = gc.isenabled()
      gc.disable()
    _state["depth"] += 1
  try:
    yield
  finally:
    with _lock:
      _state["depth"] -= 1
      if _state["depth"] == 0 and _state["was_enabled"]:
        gc.enable()
