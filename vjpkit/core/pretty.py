"""The stable text form of programs.

Names are given in order of first appearance (a, b, ..., z, ba, bb, ...),
params are printed sorted by key, types in short form (``f64[3,2]``). The
output is deterministic, so tests compare programs as text.
"""
from __future__ import annotations

import string

import numpy as np

from .ir import ClosedJaxpr, Jaxpr, Lit, Var

_LETTERS = string.ascii_lowercase


def _name(n: int) -> str:
  s = _LETTERS[n % 26]
  n //= 26
  while n:
    s = _LETTERS[n % 26] + s
    n //= 26
  return s


class _Names:
  def __init__(self):
    self.names: dict[int, str] = {}

  def __call__(self, v) -> str:
    if isinstance(v, Lit):
      return _pp_lit(v)
    name = self.names.get(id(v))
    if name is None:
      name = self.names[id(v)] = _name(len(self.names))
    return name

  def binder(self, v: Var) -> str:
    return f"{self(v)}:{v.aval.str_short()}"


def _pp_lit(lit: Lit) -> str:
  val = lit.val
  if lit.aval.dtype.kind == "b":
    text = str(bool(val))
  elif lit.aval.dtype.kind in "iu":
    text = str(int(val))
  elif lit.aval.dtype.kind == "c":
    text = str(complex(val))
  else:
    text = repr(float(val))
  return f"{text}:{lit.aval.str_short()}"


def _pp_param(value, names: _Names, indent: int) -> str:
  if isinstance(value, ClosedJaxpr):
    value = value.jaxpr
  if isinstance(value, Jaxpr):
    return _pp_jaxpr(value, names, indent + 2).lstrip()
  if isinstance(value, np.dtype):
    return value.name
  if isinstance(value, type) and issubclass(value, np.generic):
    return np.dtype(value).name
  if isinstance(value, (tuple, list)) and any(isinstance(v, (Jaxpr, ClosedJaxpr)) for v in value):
    inner = ", ".join(_pp_param(v, names, indent) for v in value)
    return f"({inner})"
  if callable(value) and hasattr(value, "__name__"):
    return value.__name__
  return repr(value) if isinstance(value, str) else str(value)


def _pp_jaxpr(jaxpr: Jaxpr, names: _Names, indent: int) -> str:
  pad = " " * indent
  consts = " ".join(names.binder(v) for v in jaxpr.constvars)
  args = " ".join(names.binder(v) for v in jaxpr.invars)
  lines = [f"{pad}{{ lambda {consts}; {args}. let" if consts else f"{pad}{{ lambda ; {args}. let"]
  for eqn in jaxpr.eqns:
    outs = " ".join(names.binder(v) for v in eqn.outvars)
    params = " ".join(f"{k}={_pp_param(v, names, indent + 4)}" for k, v in sorted(eqn.params.items()))
    head = f"{eqn.prim.name}[{params}]" if params else eqn.prim.name
    ins = " ".join(names(v) for v in eqn.invars)
    lines.append(f"{pad}    {outs} = {head} {ins}".rstrip())
  outs = " ".join(names(v) for v in jaxpr.outvars)
  lines.append(f"{pad}  in ({outs},) }}" if len(jaxpr.outvars) == 1 else f"{pad}  in ({outs}) }}")
  return "\n".join(lines)


def pp_jaxpr(jaxpr: Jaxpr) -> str:
  """The text form of a program; see the module docstring."""
  return _pp_jaxpr(jaxpr, _Names(), 0)
