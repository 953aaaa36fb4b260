"""``einsum`` as a sequence of ``dot_general``s, in the order NumPy's greedy path chooses.

Each operand is first brought to distinct labels (a repeated label takes a
diagonal) and labels no one else needs are summed out; then operands are
contracted pairwise (shared labels kept by the output or a later operand are
batch dimensions), and the last one is summed and transposed to the output.
Every step is a differentiable composite, so einsum needs no rule of its own.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray, convert, result_type, scalar_if_0d
from .matrices import diagonal

Array = Any
_LETTERS = set(string.ascii_letters)


def _parse(subscripts: str, shapes: list[tuple]) -> tuple[list[list[str]], list[str]]:
  """Subscripts as label lists, with each ``...`` expanded to fresh labels (right-aligned)."""
  subscripts = subscripts.replace(" ", "")
  lhs, arrow, rhs = subscripts.partition("->")
  terms = lhs.split(",")
  if len(terms) != len(shapes):
    raise ValueError(f"einsum: {len(terms)} operand subscripts for {len(shapes)} operands")
  used = set(subscripts) & _LETTERS
  spare = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used]
  n_ell = max((len(s) - (len(t) - 3) for t, s in zip(terms, shapes) if "..." in t), default=0)
  ell = spare[:n_ell]
  labels = []
  for t, s in zip(terms, shapes):
    if "..." in t:
      head, _, tail = t.partition("...")
      k = len(s) - len(head) - len(tail)
      if k < 0:
        raise ValueError(f"einsum: operand of shape {s} has too few dimensions for '{t}'")
      labs = list(head) + ell[n_ell - k:] + list(tail)
    else:
      labs = list(t)
    if any(c not in _LETTERS for c in labs) or len(labs) != len(s):
      raise ValueError(f"einsum: subscripts '{t}' do not match an operand of shape {s}")
    labels.append(labs)
  if arrow:
    out = list(rhs.replace("...", "".join(ell)))
    if any(c not in _LETTERS for c in out) or len(set(out)) != len(out):
      raise ValueError(f"einsum: invalid output subscripts '{rhs}'")
    if any(c not in (set(lhs) & _LETTERS) | set(ell) for c in out):
      raise ValueError(f"einsum: output subscript not in the inputs: '{rhs}'")
  else:
    counts = {c: sum(labs.count(c) for labs in labels) for c in used}
    out = ell + sorted(c for c, n in counts.items() if n == 1)
  return labels, out


def _distinct(x, labs):
  """Take diagonals until every label of ``x`` appears once."""
  while len(set(labs)) != len(labs):
    c = next(c for c in labs if labs.count(c) > 1)
    i = labs.index(c)
    j = labs.index(c, i + 1)
    x = diagonal(x, 0, i, j)
    labs = [l for k, l in enumerate(labs) if k not in (i, j)] + [c]
  return x, labs


def _sum_unneeded(x, labs, needed):
  axes = tuple(i for i, c in enumerate(labs) if c not in needed)
  return (lax.reduce_sum(x, axes) if axes else x), [c for c in labs if c in needed]


def einsum(subscripts: str, *operands: Array, optimize: Any = "greedy", **kwargs) -> Array:
  """Einstein summation over labelled axes: any valid subscripts, with ``...`` and
  repeated labels; the pairwise order follows ``numpy.einsum_path``.

  >>> einsum("ij,j->i", [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])
  array([3., 7.])
  >>> einsum("ii", [[1.0, 2.0], [3.0, 4.0]])
  np.float64(5.0)
  """
  if not isinstance(subscripts, str):
    raise TypeError("vjpkit.numpy.einsum takes a subscripts string first (the interleaved "
                    "operand/sublist form is not supported)")
  if kwargs.get("out") is not None:
    raise TypeError("vjpkit.numpy.einsum: out= is not supported; use the returned value")
  if not operands:
    raise ValueError("vjpkit.numpy.einsum: must specify the einstein sum subscripts string "
                     "and at least one operand")
  ops = [asarray(o) for o in operands]
  dtype = kwargs.get("dtype") or result_type(*ops)
  ops = [asarray(convert(o, np.dtype(dtype))) for o in ops]
  labels, out = _parse(subscripts, [get_aval(o).shape for o in ops])
  sizes: dict[str, int] = {}
  for o, labs in zip(ops, labels):
    for c, n in zip(labs, get_aval(o).shape):
      if sizes.get(c, 1) not in (1, n) and n != 1:
        raise ValueError(f"einsum: label '{c}' has sizes {sizes[c]} and {n}")
      sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]  # a size-0 label stays 0
  terms = []
  for k, (o, labs) in enumerate(zip(ops, labels)):
    o, labs = _distinct(o, labs)
    others = set(out).union(*[set(l) for j, l in enumerate(labels) if j != k])
    o, labs = _sum_unneeded(o, labs, others)
    full = tuple(sizes[c] for c in labs)  # size-1 axes broadcast against the other operands
    if get_aval(o).shape != full:
      o = lax.broadcast_in_dim(o, full, tuple(range(len(full))))
    terms.append((o, labs))
  if len(terms) > 1:
    spec = ",".join("".join(l) for _, l in terms) + "->" + "".join(out)
    dummies = [np.broadcast_to(np.zeros((), np.float64), get_aval(o).shape) for o, _ in terms]
    path = np.einsum_path(spec, *dummies, optimize="greedy")[0][1:]
  else:
    path = []
  for group in path:
    picked = [terms[k] for k in group]
    terms = [t for k, t in enumerate(terms) if k not in group]
    x, lx = picked[0]
    for n, (y, ly) in enumerate(picked[1:]):
      later = terms + picked[n + 2:]
      x, lx = _contract(x, lx, y, ly, set(out).union(*[set(l) for _, l in later]))
    terms.append((x, lx))
  x, labs = terms[0]
  x, labs = _sum_unneeded(x, labs, set(out))
  return scalar_if_0d(lax.transpose(x, tuple(labs.index(c) for c in out)))


def _contract(x, lx, y, ly, keep):
  """One pairwise step: shared labels still needed are batch axes, the others contracted."""
  x, lx = _sum_unneeded(x, lx, keep | set(ly))
  y, ly = _sum_unneeded(y, ly, keep | set(lx))
  batch = [c for c in lx if c in ly and c in keep]
  contract = [c for c in lx if c in ly and c not in keep]
  dims = ((tuple(lx.index(c) for c in contract), tuple(ly.index(c) for c in contract)),
          (tuple(lx.index(c) for c in batch), tuple(ly.index(c) for c in batch)))
  z = lax.dot_general(x, y, dims)
  return z, batch + [c for c in lx if c not in ly] + [c for c in ly if c not in lx]
