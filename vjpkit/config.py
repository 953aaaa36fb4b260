"""Global settings: ``vjpkit.config``.

>>> import vjpkit
>>> vjpkit.config.debug_nans
False
>>> vjpkit.config.update("debug_nans", True)
>>> vjpkit.config.debug_nans
True
>>> vjpkit.config.update("debug_nans", False)

Each flag starts from an environment variable (``VJPKIT_DEBUG_NANS=1``,
``VJPKIT_DEBUG_INFS=1``) read when vjpkit is imported.
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


class Config:
  """vjpkit's settings, read as attributes and changed with :meth:`update`.

  * ``debug_nans``: every primitive's outputs are checked for NaN (eagerly, in traced
    programs when they run, and under ``jit``, in the forward and the backward pass); the
    first operation that makes one raises ``FloatingPointError`` naming it.
  * ``debug_infs``: the same for infinities.
  """
  _FLAGS = {"debug_nans": "VJPKIT_DEBUG_NANS", "debug_infs": "VJPKIT_DEBUG_INFS"}

  def __init__(self) -> None:
    self._values = {name: _env_flag(var) for name, var in self._FLAGS.items()}
    self._listeners: list[Callable[[], None]] = []

  @property
  def debug_nans(self) -> bool:
    return self._values["debug_nans"]

  @property
  def debug_infs(self) -> bool:
    return self._values["debug_infs"]

  def update(self, name: str, value: bool) -> None:
    """Set the flag ``name`` (``"debug_nans"`` or ``"debug_infs"``) to ``value``."""
    if name not in self._values:
      raise AttributeError(f"vjpkit.config has no setting {name!r}; the settings are "
                           f"{', '.join(sorted(self._values))}")
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
