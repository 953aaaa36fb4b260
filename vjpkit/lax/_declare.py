"""The small vocabulary that declares elementwise primitives in one line each.

``unop``/``naryop`` give a primitive its NumPy impl, its shape/dtype rule and
its batching rule; the declaring module then adds the derivative next to it
(``defjvp``, ``deflinear``, ``defbilinear``, ``defjvp_zero``).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core.avals import ShapedArray, get_aval, short_dtype
from ..core.primitive import Primitive
from ..core.trace import Tracer

_KINDS = {"float": "f", "inexact": "fc", "int": "iu", "bool": "b", "intbool": "iub", "real": "fiu", "num": "fciu",
          "any": "fciub"}


def _check_kind(name: str, avals, kinds: str):
  for a in avals:
    if a.dtype.kind not in _KINDS[kinds]:
      raise TypeError(f"'{name}' does not accept arguments of dtype {a.dtype.name} "
                      f"(it needs {kinds} values)")


def unop(name: str, impl: Callable, kinds: str = "float", out_dtype=None) -> Primitive:
  """An elementwise primitive of one argument."""
  def abstract_eval(x: ShapedArray, **params):
    _check_kind(name, [x], kinds)
    return ShapedArray(x.shape, x.dtype if out_dtype is None else out_dtype)
  p = Primitive(name, impl=impl, abstract_eval=abstract_eval)
  p.def_batching(_vectorized_batcher(p))
  return p


def real_dtype(dtype: np.dtype) -> np.dtype:
  """The real dtype of a complex one (complex128 -> float64); others unchanged."""
  return np.empty((), dtype).real.dtype if dtype.kind == "c" else dtype


def complex_dtype(dtype: np.dtype) -> np.dtype:
  """The complex dtype of ``dtype``: a complex one itself, float32 -> complex64, others ->
  complex128."""
  if dtype.kind == "c":
    return np.dtype(dtype)
  return np.dtype(np.complex64) if dtype in (np.float32, np.float16) else np.dtype(np.complex128)


def naryop_shape(name: str, *avals) -> tuple[int, ...]:
  """The shape of an elementwise op: one shape, rank-0 arguments broadcasting."""
  shapes = {a.shape for a in avals if a.shape}
  if len(shapes) > 1:
    raise TypeError(f"'{name}' needs arguments of one shape (or rank 0), got "
                    f"{', '.join(str(a.shape) for a in avals)}")
  return shapes.pop() if shapes else ()


def naryop(name: str, impl: Callable, kinds: str = "num", out_dtype=None,
           skip_first: bool = False) -> Primitive:
  """An elementwise primitive of several arguments of one dtype and one shape;
  a rank-0 argument broadcasts against the others, like a scalar in NumPy.
  ``skip_first`` exempts a first argument (a predicate) from the dtype rule."""
  def abstract_eval(*avals, **params):
    checked = avals[1:] if skip_first else avals
    _check_kind(name, checked, kinds)
    dtypes = {a.dtype for a in checked}
    if len(dtypes) > 1:
      raise TypeError(f"'{name}' needs arguments of one dtype, got "
                      f"{', '.join(short_dtype(a.dtype) for a in checked)} "
                      "(vjpkit.numpy promotes dtypes; vjpkit.lax does not)")
    shape = naryop_shape(name, *avals)
    return ShapedArray(shape, checked[0].dtype if out_dtype is None else out_dtype)
  p = Primitive(name, impl=impl, abstract_eval=abstract_eval)
  p.def_batching(_broadcasting_batcher(p))
  return p


def _vectorized_batcher(p):
  def rule(vals, dims, **params):
    return p.bind(*vals, **params), dims[0]
  return rule


def _broadcasting_batcher(p):
  """Batch an elementwise op: align every batched operand's axis at 0 and give
  unbatched non-scalar operands that axis by broadcasting (a free view)."""
  def rule(vals, dims, **params):
    if len(dims) == 2:  # the common case, aligned already: the op itself
      dx, dy = dims
      x, y = vals
      if dy is None:
        if not get_aval(y).shape:
          return p.bind(x, y, **params), dx
      elif dx is None:
        if not get_aval(x).shape:
          return p.bind(x, y, **params), dy
      elif dx == dy and get_aval(x).shape == get_aval(y).shape:
        return p.bind(x, y, **params), dx
    avals = [get_aval(v) for v in vals]
    shape0 = d0 = None
    aligned_already = True  # batched operands alike, unbatched ones rank 0
    for a, d in zip(avals, dims):
      if d is None:
        if a.shape:
          aligned_already = False
      elif shape0 is None:
        shape0, d0 = a.shape, d
      elif d != d0 or a.shape != shape0:
        aligned_already = False
    if aligned_already:
      return p.bind(*vals, **params), d0
    if isinstance(p.impl, np.ufunc):
      for v in vals:
        if isinstance(v, Tracer):
          break
      else:  # concrete operands
        return _numpy_broadcast(p, vals, avals, dims, params)
    shapes = _shapes()
    axis_size = shape0[d0]
    per_example = ()
    for a, d in zip(avals, dims):
      s = a.shape if d is None else a.shape[:d] + a.shape[d + 1:]
      per_example = s or per_example
    full = (axis_size,) + per_example
    aligned = []
    for v, a, d in zip(vals, avals, dims):
      if d is None:
        aligned.append(v if a.ndim == 0 else
                       shapes.broadcast_in_dim(v, full, tuple(range(1, len(full)))))
      elif a.ndim == 1 and per_example:
        aligned.append(shapes.broadcast_in_dim(shapes.moveaxis(v, d, 0), full, (0,)))
      else:
        aligned.append(shapes.moveaxis(v, d, 0))
    return p.bind(*aligned, **params), 0
  return rule


def _numpy_broadcast(p, vals, avals, dims, params):
  """A batched ufunc on concrete operands: each gets unit axes where it lacks the batch
  axis or the per-example axes, and NumPy broadcasts them (nothing is materialised)."""
  per_example: tuple = ()
  out_d = None  # the batch axis of the first operand of full rank
  for a, d in zip(avals, dims):
    s = a.shape
    if d is None:
      if s:
        per_example = s
    elif len(s) > 1:
      per_example = s[:d] + s[d + 1:]
      if out_d is None:
        out_d = d
  if out_d is None:
    out_d = 0
  rank = len(per_example) + 1
  args = []
  for v, a, d in zip(vals, avals, dims):
    s = a.shape
    if not s or (d is None and out_d == 0) or (d is not None and len(s) == rank and d == out_d):
      args.append(v)
    elif d is None:  # per-example shape: a unit batch axis
      args.append(v.reshape(s[:out_d] + (1,) + s[out_d:]))
    elif len(s) == rank:
      args.append(np.moveaxis(v, d, out_d))
    else:  # batched rank-0 values: unit per-example axes
      shape = [1] * rank
      shape[out_d] = s[0]
      args.append(v.reshape(shape))
  return p.bind(*args, **params), out_d


def _shapes():
  """``vjpkit.lax.shapes`` (which imports this module), imported once, at first use."""
  global _SHAPES
  if _SHAPES is None:
    from . import shapes
    _SHAPES = shapes
  return _SHAPES


_SHAPES: Any = None


def const(x, value):
  """``value`` as a scalar of ``x``'s dtype (a literal in staged programs)."""
  return np.array(value, get_aval(x).dtype)[()]
