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

What a big compile leaves alive (its program and compiled code: millions of objects)
would still be walked once, by the first young-generation collection after the pause,
in the middle of the first call (half a second for 10⁵ equations). So when a pause ends
with more than ``AGE_MIN`` new objects, they are moved straight into the oldest
generation (``gc.freeze()`` then ``gc.unfreeze()``: two list splices, no walk), where
the next full collection sees them as it sees every long-lived object; any cycles among
them are collected then. Nothing is moved while the application keeps objects frozen
itself (``gc.get_freeze_count()``).

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

AGE_MIN = 100_000  # objects allocated during a pause: above this, they are aged at its end
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
        if gc.get_count()[0] > AGE_MIN and gc.get_freeze_count() == 0:
          gc.freeze()  # every tracked object into the permanent generation,
          gc.unfreeze()  # and from there into the oldest one (see the module docstring)
        gc.enable()
