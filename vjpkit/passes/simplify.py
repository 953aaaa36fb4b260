"""Algebraic simplification: the identities transposed programs are full of.

Reverse mode seeds the backward pass with a broadcast ``1`` and builds
cotangents out of generic transpose rules, so backward programs contain
``mul ct 1``, ``neg (neg ct)``, ``transpose (dot_general ...)`` and
``reduce_sum (broadcast_in_dim ...)``. Each rule below rewrites one such
pattern into what a person would have written; the result computes the same
numbers, bit for bit (also the sign of a zero: ``x + 0.0`` is kept, ``x + (-0.0)`` is ``x``).

``x * 0`` is folded to zeros only when ``x`` is an integer or a constant:
for floating-point ``x`` it is NaN when ``x`` is inf or NaN, and a gradient
that hides a NaN would be wrong.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.ir import Eqn, Jaxpr, Lit, Var
from ._rewrite import Rewriter, is_ufunc_eqn, lit, prims
from .dce import dce_jaxpr


def simplify_jaxpr(jaxpr: Jaxpr) -> Jaxpr:
  """``jaxpr`` with the algebraic identities of this module applied, and DCE'd.

  >>> import numpy as np, vjpkit
  >>> import vjpkit.numpy as vnp
  >>> from vjpkit.passes import simplify_jaxpr
  >>> f = lambda x: -(-(x * 1.0)).T.T
  >>> print(simplify_jaxpr(vjpkit.make_jaxpr(f)(np.ones((2, 3))).jaxpr))
  { lambda ; a:f64[2,3]. let
    in (a,) }
  """
  rules = _rules()
  uses = _use_counts(jaxpr)
  rw = Rewriter(jaxpr)
  for eqn in jaxpr.eqns:
    eqn = rw.rename(eqn)
    if is_ufunc_eqn(eqn):
      eqn = _scalar_operands(rw, eqn)
    rule = rules.get(eqn.prim)
    out = rule(rw, eqn, uses) if rule is not None else None
    if out is None:
      rw.keep(eqn)
    else:
      rw.replace(eqn.outvars[0], out)
  return dce_jaxpr(rw.finish())


def _use_counts(jaxpr: Jaxpr) -> dict[int, int]:
  uses: dict[int, int] = {}
  for eqn in jaxpr.eqns:
    for v in eqn.invars:
      if type(v) is Var:
        uses[id(v)] = uses.get(id(v), 0) + 1
  for v in jaxpr.outvars:
    if type(v) is Var:
      uses[id(v)] = uses.get(id(v), 0) + 1
  return uses


# -- helpers ------------------------------------------------------------------------

def _scalar_operands(rw: Rewriter, eqn: Eqn) -> Eqn:
  """An operand that is a broadcast literal becomes the literal itself, as long
  as another operand still carries the full shape (elementwise ops take scalars)."""
  shape = eqn.outvars[0].aval.shape
  if not shape or len(eqn.invars) < 2:
    return eqn
  values = [rw.scalar_value(a) if type(a) is Var else None for a in eqn.invars]
  if all(v is None for v in values):
    return eqn
  new = [lit(v, a.aval.dtype) if v is not None else a for a, v in zip(eqn.invars, values)]
  if not any(a.aval.shape == shape for a in new):  # keep one full-shape operand
    i = next(i for i, v in enumerate(values) if v is not None)
    new[i] = eqn.invars[i]
  return Eqn(eqn.prim, new, eqn.params, eqn.outvars)


def _same_as(rw: Rewriter, atom, out: Var):
  """``atom`` with the shape of ``out`` (a rank-0 atom is broadcast)."""
  if atom.aval == out.aval:
    return atom
  if atom.aval.shape == () and atom.aval.dtype == out.aval.dtype:
    return rw.emit(prims.broadcast_in_dim_p, [atom], shape=out.aval.shape, broadcast_dimensions=())
  return None


def _zeros(rw: Rewriter, out: Var):
  zero = lit(0, out.aval.dtype)
  return _same_as(rw, zero, out)


def _is(value, target) -> bool:
  return value is not None and bool(value == target)


def _finite_or_exact(rw: Rewriter, atom) -> bool:
  """Multiplying ``atom`` by 0 certainly gives 0."""
  if atom.aval.dtype.kind in "biu":
    return True
  value = rw.scalar_value(atom)
  return value is not None and bool(np.isfinite(value))


# -- arithmetic ---------------------------------------------------------------------

def _mul(rw, eqn, uses):
  (x, y), out = eqn.invars, eqn.outvars[0]
  cx, cy = rw.scalar_value(x), rw.scalar_value(y)
  for c, other in ((cx, y), (cy, x)):
    if _is(c, 1):
      return _same_as(rw, other, out)
    if _is(c, -1):
      return _same_as(rw, rw.emit(prims.neg_p, [other]), out)
    if _is(c, 0) and _finite_or_exact(rw, other) and other.aval.dtype.kind in "biu":
      return _zeros(rw, out)  # (for floats the sign of the zero depends on the other operand)
  return None


def _zero(value, atom, negative: bool) -> bool:
  """``value`` is a zero that leaves the other operand's bits alone: any integer zero; for
  floats ``-0.0`` in ``x + z`` and ``z - y``, ``+0.0`` in ``x - z`` (``-0.0 + 0.0`` is
  ``+0.0``, and ``0.0 - 0.0`` is not ``-(0.0)``: a sign that ``1/x`` would turn into ±inf)."""
  if not _is(value, 0):
    return False
  if atom.aval.dtype.kind not in "fc":
    return True
  return bool(np.all(np.signbit(np.real(value)) == negative))


def _add(rw, eqn, uses):
  (x, y), out = eqn.invars, eqn.outvars[0]
  if _zero(rw.scalar_value(y), y, True):
    return _same_as(rw, x, out)
  if _zero(rw.scalar_value(x), x, True):
    return _same_as(rw, y, out)
  return None


def _sub(rw, eqn, uses):
  (x, y), out = eqn.invars, eqn.outvars[0]
  if _zero(rw.scalar_value(y), y, False):
    return _same_as(rw, x, out)
  if _zero(rw.scalar_value(x), x, True):
    return _same_as(rw, rw.emit(prims.neg_p, [y]), out)
  return None


def _div(rw, eqn, uses):
  (x, y), out = eqn.invars, eqn.outvars[0]
  return _same_as(rw, x, out) if _is(rw.scalar_value(y), 1) else None


def _neg(rw, eqn, uses):
  (x,) = eqn.invars
  src = rw.producer(x)
  if src is not None and src.prim is prims.neg_p:
    return src.invars[0]
  return None


def _integer_pow(rw, eqn, uses):
  """x¹ = x and x² = x·x (which CSE can then share with other products)."""
  (x,), out, y = eqn.invars, eqn.outvars[0], eqn.params["y"]
  if y == 1:
    return x
  if y == 2:
    return rw.emit(prims.mul_p, [x, x])
  if y == 0:
    return _same_as(rw, lit(1, out.aval.dtype), out)
  return None


def _same_bits(a: Lit, b: Lit) -> bool:
  """Equal literals, bit for bit (0.0 and -0.0 differ; a NaN equals itself)."""
  return (a.aval == b.aval
          and np.asarray(a.val, a.aval.dtype).tobytes() == np.asarray(b.val, b.aval.dtype).tobytes())


def _select_n(rw, eqn, uses):
  which, *cases = eqn.invars
  out = eqn.outvars[0]
  if all(c is cases[0] or (type(c) is Lit and type(cases[0]) is Lit and _same_bits(c, cases[0]))
         for c in cases):
    return _same_as(rw, cases[0], out)
  w = rw.scalar_value(which)
  if w is not None:
    return _same_as(rw, cases[int(w)], out)
  return None


def _convert(rw, eqn, uses):
  (x,) = eqn.invars
  return x if x.aval == eqn.outvars[0].aval else None


# -- shapes -------------------------------------------------------------------------

def _transpose(rw, eqn, uses):
  L = prims
  (x,) = eqn.invars
  perm = eqn.params["permutation"]
  if perm == tuple(range(len(perm))):
    return x
  src = rw.producer(x)
  if src is None:
    return None
  if src.prim is L.transpose_p:
    inner = src.params["permutation"]
    composed = tuple(inner[p] for p in perm)
    if composed == tuple(range(len(composed))):
      return src.invars[0]
    return rw.emit(L.transpose_p, [src.invars[0]], permutation=composed)
  if src.prim is L.dot_general_p and uses.get(id(x), 0) == 1:
    # (a·b)ᵀ = bᵀ·aᵀ: swap the operands instead of transposing the product
    (lc, rc), (lb, rb) = src.params["dimension_numbers"]
    if lb:
      return None
    a, b = src.invars
    nl = a.aval.ndim - len(lc)
    nr = b.aval.ndim - len(rc)
    if perm == tuple(range(nl, nl + nr)) + tuple(range(nl)):
      return rw.emit(L.dot_general_p, [b, a], dimension_numbers=((rc, lc), ((), ())))
  return None


def _broadcast(rw, eqn, uses):
  L = prims
  (x,) = eqn.invars
  src = rw.producer(x)
  if src is not None and src.prim is L.broadcast_in_dim_p:
    inner = src.params["broadcast_dimensions"]
    dims = eqn.params["broadcast_dimensions"]
    return rw.emit(L.broadcast_in_dim_p, [src.invars[0]], shape=eqn.params["shape"],
                   broadcast_dimensions=tuple(dims[d] for d in inner))
  return None


def _reshape(rw, eqn, uses):
  """Chains of reshape / squeeze / expand_dims collapse to one reshape."""
  L = prims
  (x,) = eqn.invars
  out = eqn.outvars[0]
  if x.aval.shape == out.aval.shape:
    return x
  value = rw.scalar_value(x)
  if value is not None and type(x) is Var:
    return rw.emit(L.broadcast_in_dim_p, [lit(value, x.aval.dtype)], shape=out.aval.shape,
                   broadcast_dimensions=())
  src = rw.producer(x)
  if src is not None and src.prim in (L.reshape_p, L.squeeze_p, L.expand_dims_p):
    base = src.invars[0]
    if base.aval.shape == out.aval.shape:
      return base
    return rw.emit(L.reshape_p, [base], new_sizes=out.aval.shape)
  return None


def _reduce_sum(rw, eqn, uses):
  """sum(broadcast(x)) over broadcast axes is x times their size."""
  L = prims
  (x,) = eqn.invars
  out = eqn.outvars[0]
  src = rw.producer(x)
  if src is None or src.prim is not L.broadcast_in_dim_p:
    return None
  base = src.invars[0]
  shape, dims = src.params["shape"], src.params["broadcast_dimensions"]
  if any(base.aval.shape[i] != shape[d] for i, d in enumerate(dims)):
    return None  # size-1 axes stretched by the broadcast: leave it to NumPy
  axes = set(eqn.params["axes"])
  new_axes = [d for d in range(len(shape)) if d not in dims and d in axes]
  factor = math.prod(shape[d] for d in new_axes)
  base_axes = tuple(i for i, d in enumerate(dims) if d in axes)
  y = rw.emit(L.reduce_sum_p, [base], axes=base_axes) if base_axes else base
  if factor != 1:
    y = rw.emit(L.mul_p, [y, lit(factor, y.aval.dtype)])
  kept = [d for d in dims if d not in axes]
  out_dims = tuple(d - sum(1 for a in axes if a < d) for d in kept)
  if y.aval.shape == out.aval.shape and out_dims == tuple(range(len(out_dims))):
    return y
  return rw.emit(L.broadcast_in_dim_p, [y], shape=out.aval.shape, broadcast_dimensions=out_dims)


_RULES = None


def _rules() -> dict:
  global _RULES
  if _RULES is None:
    L = prims
    _RULES = {
        L.mul_p: _mul, L.add_p: _add, L.add_any_p: _add, L.sub_p: _sub, L.div_p: _div,
        L.neg_p: _neg, L.integer_pow_p: _integer_pow, L.select_n_p: _select_n,
        L.convert_element_type_p: _convert,
        L.transpose_p: _transpose, L.broadcast_in_dim_p: _broadcast, L.reshape_p: _reshape,
        L.squeeze_p: _reshape, L.expand_dims_p: _reshape, L.reduce_sum_p: _reduce_sum,
    }
  return _RULES
