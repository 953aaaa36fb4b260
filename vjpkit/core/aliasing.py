"""Results that own their memory: copy an output only where it may share memory.

Inside a transform vjpkit never writes into an array, so values freely share memory (a
reshape is a view, an identity branch of ``cond`` returns its operand). Results handed to
users are ordinary mutable NumPy arrays, though, and ``g = f_vjp(ct)[0]; g *= lr`` must
not change ``ct``, the inputs, the residuals a later call reads, or another result. So at
each boundary, ``unaliased`` copies exactly the outputs that use the same buffer as a
protected array (inputs, tangents, cotangents, constants, residuals) or as an earlier
output, the read-only ones (broadcast views), and those flagged as possibly constant: an
output computed from no input may be a closed-over array, which no list of protected
arrays can name. Everything else is handed back as it is, so the usual fresh result costs
a few attribute reads and a set lookup.

Two arrays can share memory only if they use the same buffer, which NumPy records: a
view's ``base`` is the array owning the memory. So a buffer is named by the id of its
owner, and an output is copied when its buffer is one a protected array uses (rarely, two
disjoint parts of one buffer, where a copy was not needed but does no harm).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

_FOREIGN = 0  # the buffer key of arrays whose memory belongs to a non-array (bytes, mmap)


def _root_key(a: np.ndarray) -> int:
  """A key shared by all arrays that may use the same buffer: the id of the array owning
  the memory, or ``_FOREIGN`` (several buffer objects may expose the same memory, so all
  such arrays are taken to share it)."""
  base = a.base
  while base is not None:
    if not isinstance(base, np.ndarray):
      return _FOREIGN
    a, base = base, base.base
  return id(a)


def _keys(arrays: Iterable[Any]) -> set[int]:
  """The buffer keys of the arrays among ``arrays``."""
  return {id(p) if p.base is None else _root_key(p) for p in arrays if isinstance(p, np.ndarray)}


class Held:
  """Arrays that every call of a returned function protects (a pullback's residuals and
  the primal inputs), their buffer keys computed once, when first needed."""
  __slots__ = ("arrays", "_keys")

  def __init__(self, arrays: Sequence[Any]):
    self.arrays = arrays
    self._keys: set[int] | None = None

  def keys(self) -> set[int]:
    if self._keys is None:
      self._keys = _keys(self.arrays)
    return self._keys


_NO_KEYS: frozenset[int] = frozenset()


def unaliased(outs: list, protected: Iterable[Any] = (), constant: Sequence[bool] | None = None,
              scalars: bool = False, held: Held | None = None) -> list:
  """``outs`` (modified in place) with a copy in place of every concrete array that is
  read-only, flagged in ``constant``, or uses the buffer of an array of ``protected``, of
  ``held``, or of an earlier output. With ``scalars``, 0-d arrays become NumPy scalars
  (new objects). Other values (tracers, NumPy scalars) are left as they are."""
  keys: set[int] | None = None
  held_keys: set[int] | frozenset[int] = _NO_KEYS
  for k, x in enumerate(outs):
    if not isinstance(x, np.ndarray):
      continue
    if scalars and x.ndim == 0 and x.dtype.kind != "V":  # (float0 zeros stay arrays)
      outs[k] = x[()]
      continue
    if not x.flags.writeable or (constant is not None and constant[k]):
      outs[k] = x.copy()
      continue
    if keys is None:  # computed only when there is an array to check
      keys = _keys(protected)
      if held is not None:
        held_keys = held.keys()
    key = id(x) if x.base is None else _root_key(x)
    if key in keys or key in held_keys:
      outs[k] = x.copy()
    else:
      keys.add(key)
  return outs


def detached(residuals: list, inputs: Sequence[Any]) -> list:
  """``residuals`` (modified in place) with a copy in place of every writeable array that
  uses the buffer of one of ``inputs``: a pullback or linearization kept for later must not
  read what the caller writes into an input after the call (``x += 1`` between ``vjp`` and
  ``f_vjp(ct)``). Read-only arrays cannot change and are kept."""
  keys = _keys(inputs)
  if not keys:
    return residuals
  for k, x in enumerate(residuals):
    if isinstance(x, np.ndarray) and x.flags.writeable and (
        (id(x) if x.base is None else _root_key(x)) in keys):
      residuals[k] = x.copy()
  return residuals


def unaliased_impl(outs: list, operands: Sequence[Any]) -> list:
  """The results of a primitive's impl that runs a sub-program (cond, loops, calls), none
  sharing memory with an operand or with each other: the program may return an operand
  (an identity branch, a loop that runs zero times) or a view of one."""
  return unaliased(list(outs), operands)
