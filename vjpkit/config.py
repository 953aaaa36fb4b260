"""Global settings: ``vjpkit.config``.

>>> import vjpkit
>>> vjpkit.config.debug_nans
False
>>> vjpkit.config.update("debug_nans", True)
>>> vjpkit.config.debug_nans
True
>>> vjpkit.config.update("debug_nans", False)
>>> vjpkit.config.jit_cache_size
128

Each setting starts from an environment variable (``VJPKIT_DEBUG_NANS=1``,
``VJPKIT_DEBUG_INFS=1``, ``VJPKIT_LOG_COMPILES=1``, ``VJPKIT_EXPLAIN_CACHE_MISSES=1``,
``VJPKIT_JIT_CACHE_SIZE=64``, ``VJPKIT_JIT_THREADS=2``,
``VJPKIT_JIT_PLAN_MIN_EQNS=50000``) read when vjpkit is imported.
"""
from __future__ import annotations

import os
from typing import Callable

__all__ = ["Config", "config"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _env_flag(var: str) -> bool:
  raw = os.environ.get(var, "").strip().lower()
  if raw in _TRUE:
    return True
  if raw in _FALSE:
    return False
  raise ValueError(f"the environment variable {var}={os.environ[var]!r} is not a boolean; "
                   f"set it to 1 or 0 (or true/false, yes/no, on/off)")


def _env_int(var: str, default: int) -> int:
  raw = os.environ.get(var, "").strip()
  if not raw:
    return default
  try:
    value = int(raw)
  except ValueError:
    value = -1
  if value < 0:
    raise ValueError(f"the environment variable {var}={os.environ[var]!r} is not a "
                     "non-negative integer")
  return value


class Config:
  """vjpkit's settings, read as attributes and changed with :meth:`update`.

  * ``debug_nans``: every primitive's outputs are checked for NaN (eagerly, in traced
    programs when they run, and under ``jit``, in the forward and the backward pass); the
    first operation that makes one raises ``FloatingPointError`` naming it.
  * ``debug_infs``: the same for infinities.
  * ``log_compiles``: each ``jit`` compilation is logged (logger ``"vjpkit"``, level
    WARNING) with its time: tracing, optimisation and code generation.
  * ``explain_cache_misses``: each ``jit`` cache miss is logged (logger ``"vjpkit"``, level
    WARNING) with its cause: which argument differs from the closest cached signature,
    and how (shape, dtype, weak type, static value or pytree structure).
  * ``jit_cache_size``: how many signatures each jitted function keeps compiled (default
    128); beyond it the least recently used one is dropped. 0 caches nothing.
  * ``jit_threads``: how many threads (the calling one included) ``jit``'s compiled code
    may use to evaluate the blocks of a large elementwise region
    (``vjpkit.interpreters.codegen_blocked``; NumPy's ufuncs release the GIL). The default
    is ``min(os.cpu_count(), 4)``; 1 (or 0) evaluates every block on the calling thread.
    Results are the same, bit for bit, with any number of threads.
  * ``jit_scalar_libm``: programs of float64 scalars under ``jit`` (which run as Python
    ``math`` on floats) call the C library's functions (``math.exp``, ``math.log``,
    ``math.tanh``, ``math.pow``, ...) even where those differ from NumPy's SIMD kernels in
    the last bits (by up to 3 ulp, on some inputs; both stay within 2 ulp of the exact
    value). About 1.7× faster on a scalar loss and its gradient; off by default, so that
    jitted and eager results are NumPy's bit for bit.
  * ``jit_plan_min_eqns``: programs of at least this many equations (default 20000) are
    compiled to an execution plan instead of Python source (``interpreters/plan.py``):
    several times cheaper to compile, about twice as slow per call for chains of
    scalar operations, the same results. Raise it for a huge program called very often.
  """
  _FLAGS = {"debug_nans": "VJPKIT_DEBUG_NANS", "debug_infs": "VJPKIT_DEBUG_INFS",
            "log_compiles": "VJPKIT_LOG_COMPILES",
            "explain_cache_misses": "VJPKIT_EXPLAIN_CACHE_MISSES",
            "jit_scalar_libm": "VJPKIT_JIT_SCALAR_LIBM"}
  _INTS = {"jit_cache_size": ("VJPKIT_JIT_CACHE_SIZE", 128),
           "jit_threads": ("VJPKIT_JIT_THREADS", min(os.cpu_count() or 1, 4)),
           "jit_plan_min_eqns": ("VJPKIT_JIT_PLAN_MIN_EQNS", 20_000)}

  def __init__(self) -> None:
    self._values: dict[str, bool | int] = {name: _env_flag(var)
                                           for name, var in self._FLAGS.items()}
    self._values.update({name: _env_int(var, default)
                         for name, (var, default) in self._INTS.items()})
    self._listeners: list[Callable[[], None]] = []

  @property
  def debug_nans(self) -> bool:
    return bool(self._values["debug_nans"])

  @property
  def debug_infs(self) -> bool:
    return bool(self._values["debug_infs"])

  @property
  def log_compiles(self) -> bool:
    return bool(self._values["log_compiles"])

  @property
  def explain_cache_misses(self) -> bool:
    return bool(self._values["explain_cache_misses"])

  @property
  def jit_scalar_libm(self) -> bool:
    return bool(self._values["jit_scalar_libm"])

  @property
  def jit_cache_size(self) -> int:
    return int(self._values["jit_cache_size"])

  @property
  def jit_threads(self) -> int:
    return int(self._values["jit_threads"])

  @property
  def jit_plan_min_eqns(self) -> int:
    return int(self._values["jit_plan_min_eqns"])

  def update(self, name: str, value: bool | int) -> None:
    """Set the setting ``name`` to ``value`` (True or False for the flags, a
    non-negative int for ``jit_cache_size``, ``jit_threads`` and ``jit_plan_min_eqns``)."""
    if name not in self._values:
      raise AttributeError(f"vjpkit.config has no setting {name!r}; the settings are "
                           f"{', '.join(sorted(self._values))}")
    if name in self._INTS:
      if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"vjpkit.config.update({name!r}, {value!r}): the value must be a "
                        "non-negative int")
      self._values[name] = int(value)
    else:
      if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise TypeError(f"vjpkit.config.update({name!r}, {value!r}): the value must be True "
                        "or False")
      self._values[name] = bool(value)
    for listener in self._listeners:
      listener()

  def _on_change(self, listener: Callable[[], None]) -> None:
    self._listeners.append(listener)

  def __repr__(self) -> str:
    return "vjpkit.config(" + ", ".join(f"{k}={v}" for k, v in self._values.items()) + ")"


config = Config()
