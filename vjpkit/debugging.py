"""Find the operation that makes the first NaN or infinity: ``debug_nans``, ``debug_infs``.

With ``vjpkit.config.update("debug_nans", True)`` (or ``with vjpkit.debug_nans():``, or
``VJPKIT_DEBUG_NANS=1`` in the environment) every primitive's outputs are checked as it
runs: eagerly, inside ``grad``/``vjp``/``jvp``/``vmap``, in the backward (gradient) pass,
and under ``jit``, whose compiled code is checked as a whole and, when an output is bad,
run again un-compiled to find the equation (as JAX does). The error names the primitive,
the pass, the shapes and the line of your code that created the operation:

>>> import numpy as np, vjpkit
>>> import vjpkit.numpy as vnp
>>> with vjpkit.debug_nans(), np.errstate(invalid="ignore"):
...   vnp.log(np.array([1.0, -1.0]))
Traceback (most recent call last):
FloatingPointError: debug_nans: the primitive 'log' returned NaN in the forward pass ...

How it costs nothing when off: nothing is checked then, because the checking versions of
``Primitive.bind`` (eager evaluation), ``StagingTrace.stage`` (which records where each
staged equation came from) and ``Lowered.run`` (jit's compiled code) are put in place
only while a flag is on, and the plain ones are put back when both are off. While on,
eager backward passes are not compiled and rules are not replayed from their cached
traces (``interpreters/rule_cache.py``), so each of their operations is checked.
"""
from __future__ import annotations

import contextlib
import math
import os
import sys
from typing import Any, Iterator

import numpy as np

from .api_jit import Lowered
from .config import config
from .core.avals import get_aval
from .core.ir import Jaxpr
from .core.primitive import Primitive
from .core.trace import Tracer
from .interpreters import linearize as _linearize
from .interpreters.eval import eval_jaxpr
from .interpreters.jvp import JVPTrace
from .interpreters import partial_eval as _pe
from .interpreters import rule_cache as _rule_cache
from .interpreters.partial_eval import StagingTrace
from .interpreters.transpose import backward_pass
from .tree_util import tree_leaves

__all__ = ["debug_nans", "debug_infs"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_PLAIN_BIND = Primitive.__dict__["bind"]
_PLAIN_STAGE = StagingTrace.__dict__["stage"]
_PLAIN_RUN = Lowered.__dict__["run"]
_COMPILE_BACKWARD = _linearize.COMPILE_BACKWARD
_BACKWARD_CODE = backward_pass.__code__
# interpreters of a program whose local ``eqn`` is the equation being run or re-staged
_EVAL_CODES = frozenset(f.__code__ for f in (
    eval_jaxpr, getattr(_pe, "_eval_known_staged", eval_jaxpr)))
_JVP_CODE = JVPTrace.process_primitive.__code__

_nans = _infs = False
# id(eqn) -> (eqn, pass, source) for equations staged while a flag is on (the eqn is kept
# so that its id stays its own); bounded, and cleared when the flags go off
_sources: dict[int, tuple[Any, str, str | None]] = {}
_MAX_SOURCES = 1 << 16


@contextlib.contextmanager
def _setting(name: str, value: bool) -> Iterator[None]:
  """``vjpkit.config``'s ``name`` set to ``value`` inside the block, restored after it."""
  previous = getattr(config, name)
  config.update(name, value)
  try:
    yield
  finally:
    config.update(name, previous)


@contextlib.contextmanager
def debug_nans(enabled: bool = True) -> Iterator[None]:
  """Check every primitive's outputs for NaN inside the block; the previous setting of
  ``vjpkit.config.debug_nans`` is restored after it.

  >>> import vjpkit
  >>> with vjpkit.debug_nans():
  ...   vjpkit.config.debug_nans
  True
  >>> vjpkit.config.debug_nans
  False
  """
  with _setting("debug_nans", enabled):
    yield


@contextlib.contextmanager
def debug_infs(enabled: bool = True) -> Iterator[None]:
  """Check every primitive's outputs for infinities inside the block (as :func:`debug_nans`).

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> with vjpkit.debug_infs(), np.errstate(over="ignore"):
  ...   vnp.exp(np.float64(1000.0))
  Traceback (most recent call last):
  FloatingPointError: debug_infs: the primitive 'exp' returned inf in the forward pass ...
  """
  with _setting("debug_infs", enabled):
    yield


# -- checks --------------------------------------------------------------------------

def _problem(x: Any) -> str | None:
  """``"NaN"`` or ``"inf"`` if the concrete value ``x`` holds one being checked for."""
  t = type(x)
  if t is float or t is np.float64:
    if math.isfinite(x):
      return None
  elif isinstance(x, (np.ndarray, np.generic)):
    if x.dtype.kind not in "fc" or np.isfinite(x).all():
      return None
  elif isinstance(x, complex):
    if math.isfinite(x.real) and math.isfinite(x.imag):
      return None
  else:
    return None  # tracers (checked when they are evaluated), integers, ...
  if _nans and np.isnan(x).any():
    return "NaN"
  if _infs and np.isinf(x).any():
    return "inf"
  return None


def _context(prim: Any = None) -> tuple[str, str | None, str]:
  """The pass running now (forward or backward), the user's source line for the operation
  (None if unknown) and a note: which primitive's derivative rule made it, or, for a
  backward pass whose equations have no recorded source (a program transformed after it
  was staged), the user's call that ran it. Read off the Python stack, only when a check
  fails or while a flag is on."""
  f: Any = sys._getframe(1)
  user, rule_of, unrecorded = None, "", False
  while f is not None:
    code = f.f_code
    if code is _BACKWARD_CODE or code in _EVAL_CODES:
      record = _record_of(f.f_locals.get("eqn"))
      if code is _BACKWARD_CODE:  # transposing eqn: its source is where the user made it
        if record is not None:
          return "backward", record[1], ""
        return "backward", None, f"called from {user or _user_frame(f)}"
      if record is not None:
        return record[0], record[1], rule_of
      unrecorded = unrecorded or user is None  # a program staged while the flags were off
    if code is _JVP_CODE and user is None and not rule_of:
      outer = f.f_locals.get("prim")
      if outer is not None and outer is not prim:
        rule_of = outer.name
    if user is None and not code.co_filename.startswith(_PACKAGE):
      user = _where(f)
    f = f.f_back
  if unrecorded:
    return "forward", None, f"called from {user}"
  return "forward", user, rule_of


def _record_of(eqn: Any) -> tuple[str, str | None] | None:
  record = _sources.get(id(eqn)) if eqn is not None else None
  if record is None or record[0] is not eqn:
    return None
  return record[1], record[2]


def _user_frame(f: Any) -> str | None:
  while f is not None:
    if not f.f_code.co_filename.startswith(_PACKAGE):
      return _where(f)
    f = f.f_back
  return None


def _where(f: Any) -> str:
  return f"{f.f_code.co_filename}:{f.f_lineno} (in {f.f_code.co_name})"


def _describe(x: Any) -> str:
  try:
    return get_aval(x).str_short()
  except Exception:  # an error message must not fail
    return type(x).__name__


def _raise(prim: Any, args: tuple, outs: Any, index: int, kind: str) -> None:
  phase, source, note = _context(prim)
  rule_of = note if note and not note.startswith("called from") else ""
  out = np.asarray(outs[index])
  count = int((np.isnan(out) if kind == "NaN" else np.isinf(out)).sum())
  flag = "debug_nans" if kind == "NaN" else "debug_infs"
  which = f"output {index} " if len(outs) > 1 else ""
  pass_name = "backward (gradient)" if phase == "backward" else "forward"
  if rule_of:
    pass_name += f" pass, in the derivative rule of '{rule_of}',"
  inputs = ", ".join(_describe(a) for a in args) or "none"
  from_inputs = any(_problem(a) == kind for a in args)
  origin = (f" An input already holds {kind}: it came from outside this operation."
            if from_inputs else "")
  if source is None:
    at = f" (The line that made it is not known: {note}.)" if note.startswith("called") else ""
  elif phase == "backward" or rule_of:
    at = f" It is part of the gradient of the operation created at {source}."
  else:
    at = f" The operation was created at {source}."
  hint = (" A NaN gradient through vjpkit.numpy.where often comes from the branch not taken "
          "(see docs/sharp-bits.md, 'where and NaN gradients')."
          if phase == "backward" and kind == "NaN" else "")
  raise FloatingPointError(
      f"{flag}: the primitive '{prim.name}' returned {kind} in the {pass_name}"
      f"{'' if rule_of else ' pass'} "
      f"({which}{_describe(outs[index])}, {count} of {out.size} elements; inputs: {inputs})."
      f"{at}{origin}{hint} Turn the check off with vjpkit.config.update('{flag}', False).")


def _check(prim: Any, args: tuple, out: Any, params: dict) -> None:
  outs = out if prim.multiple_results else (out,)
  for i, o in enumerate(outs):
    kind = _problem(o)
    if kind is not None:
      program = params.get("call_jaxpr")
      if isinstance(program, Jaxpr) and not program.constvars:
        eval_jaxpr(program, [], args)  # un-compiled: raises at the equation that made it
      _raise(prim, args, outs, i, kind)


# -- the checking versions, in place only while a flag is on --------------------------

def _checked_bind(self, *args, **params):
  out = _PLAIN_BIND(self, *args, **params)
  if not isinstance(out, Tracer):
    _check(self, args, out, params)
  return out


def _recording_stage(self, prim, atoms, params, avals=None):
  out = _PLAIN_STAGE(self, prim, atoms, params, avals)
  if len(_sources) >= _MAX_SOURCES:
    del _sources[next(iter(_sources))]
  eqn = self.eqns[-1]
  phase, source, _ = _context()
  _sources[id(eqn)] = (eqn, phase, source)
  return out


def _checked_run(self, leaves):
  out = _PLAIN_RUN(self, leaves)
  for i, x in enumerate(tree_leaves(out)):
    kind = _problem(x)
    if kind is not None:
      eval_jaxpr(self.jaxpr, self.consts, leaves)  # un-compiled: raises at the equation
      source = _context()[1]
      flag = "debug_nans" if kind == "NaN" else "debug_infs"
      raise FloatingPointError(
          f"{flag}: output {i} ({_describe(x)}) of the jit-compiled function '{self.name}' "
          f"holds {kind}, but running its program un-compiled does not (the compiled code "
          f"computed in a different order or in place); called at {source}. Compare "
          f"f.lower(...).source with the program; turn the check off with "
          f"vjpkit.config.update('{flag}', False).")
  return out


def _refresh() -> None:
  global _nans, _infs
  _nans, _infs = config.debug_nans, config.debug_infs
  on = _nans or _infs
  if on and Primitive.__dict__["bind"] is _PLAIN_BIND:
    Primitive.bind = _checked_bind  # type: ignore[method-assign]
    StagingTrace.stage = _recording_stage  # type: ignore[method-assign]
    Lowered.run = _checked_run  # type: ignore[method-assign]
    _linearize.COMPILE_BACKWARD = sys.maxsize
    _rule_cache.ENABLED = False  # every rule runs, so that each operation is checked
  elif not on and Primitive.__dict__["bind"] is not _PLAIN_BIND:
    Primitive.bind = _PLAIN_BIND  # type: ignore[method-assign]
    StagingTrace.stage = _PLAIN_STAGE  # type: ignore[method-assign]
    Lowered.run = _PLAIN_RUN  # type: ignore[method-assign]
    _linearize.COMPILE_BACKWARD = _COMPILE_BACKWARD
    _rule_cache.ENABLED = True
    _sources.clear()


config._on_change(_refresh)
_refresh()
