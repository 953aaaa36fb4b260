"""How the compiler writes lax primitives as NumPy calls (see ``interpreters/codegen``).

Registered with the public hook ``Primitive.def_codegen``. Elementwise primitives
whose impl is a NumPy ufunc need nothing here: the compiler emits the ufunc
itself. Primitives listed nowhere are compiled as a call of their impl, which is
always correct. The rules below are the ones that
make compiled gradients as fast as hand-written NumPy: matrix products as
``a.T @ b``, reductions as ``np.add.reduce``, shape changes as views.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.ir import Lit
from ..interpreters.codegen import Emit
from ..interpreters.codegen_blocked import block_rules
from ..interpreters.codegen_scalar import libm, scalar_rules, use_libm
from . import elementwise as ew
from . import elementwise_more as ewm
from . import elementwise_numpy as ewn
from . import linalg, reductions, shapes, static_index


def _fresh(expr: str) -> Emit:
  return Emit(expr, "fresh")


def _view(expr: str) -> Emit:
  return Emit(expr, "view")


# -- elementwise ---------------------------------------------------------------------

ew.div_p.def_codegen(ufunc=lambda eqn: (np.true_divide if eqn.outvars[0].aval.dtype.kind in "fc"
                                         else None))


def _integer_pow(eqn, args, env):
  (x,), y = args, eqn.params["y"]
  if y == 1:
    return _view(x)
  if y == 2:
    return _fresh(f"{x} * {x}")
  # as the impl: np.power, not x * x * x (1 ulp apart on a quarter of the elements: eager
  # and jit must agree, and NumPy's x ** 3 is what ported NumPy code computes)
  return _fresh(f"{env.ref(np.power, 'power')}({x}, {y})")


def _select_n(eqn, args, env):
  if len(args) != 3:
    return None
  which, case0, case1 = args
  return _fresh(f"{env.ref(np.where, 'where')}({which}, {case1}, {case0})")


def _convert(eqn, args, env):
  dtype = eqn.params["new_dtype"]
  return _fresh(f"{args[0]}.astype({env.ref(np.dtype(dtype), 'dtype')})")


ew.integer_pow_p.def_codegen(_integer_pow)
block_rules[ew.integer_pow_p] = lambda eqn: ((np.multiply, [eqn.invars[0]] * 2)  # as the impl
                                             if eqn.params["y"] == 2 else None)
ew.select_n_p.def_codegen(_select_n)
ew.convert_element_type_p.def_codegen(_convert)
ew.stop_gradient_p.def_codegen(lambda eqn, args, env: _view(args[0]))
ew.logistic_p.def_codegen(lambda eqn, args, env: _fresh(
    f"{env.ref(ew.logistic_p.impl, 'logistic')}({args[0]})"))


# -- shapes --------------------------------------------------------------------------

def _expanded(eqn):
  """broadcast_in_dim: the operand's shape with 1s for the new axes (then NumPy broadcasts)."""
  shape, dims = eqn.params["shape"], eqn.params["broadcast_dimensions"]
  expanded = [1] * len(shape)
  for i, d in enumerate(dims):
    expanded[d] = eqn.invars[0].aval.shape[i]
  return tuple(expanded)


def _reshape(eqn, args, env):
  return _view(f"{args[0]}.reshape({eqn.outvars[0].aval.shape!r})")


def _transpose(eqn, args, env):
  perm = eqn.params["permutation"]
  return _view(f"{args[0]}.T" if perm == (1, 0) else f"{args[0]}.transpose({perm!r})")


def _slice(eqn, args, env):
  p = eqn.params
  strides = p["strides"] or (1,) * len(p["start_indices"])
  index = ", ".join(f"{s}:{l}" + (f":{st}" if st != 1 else "")
                    for s, l, st in zip(p["start_indices"], p["limit_indices"], strides))
  return _view(f"{args[0]}[{index}{',' if len(strides) == 1 else ''}]")


def _concatenate(eqn, args, env):
  return _fresh(f"{env.ref(np.concatenate, 'concatenate')}(({', '.join(args)},), "
                f"axis={eqn.params['dimension']})")


shapes.broadcast_in_dim_p.def_codegen(broadcast=_expanded)
for _p in (shapes.reshape_p, shapes.squeeze_p, shapes.expand_dims_p):
  _p.def_codegen(_reshape)
shapes.transpose_p.def_codegen(_transpose)
shapes.slice_p.def_codegen(_slice)
shapes.concatenate_p.def_codegen(_concatenate)
static_index.index_in_dim_p.def_codegen(lambda eqn, args, env: _view(
    f"{args[0]}[{':, ' * eqn.params['axis']}{eqn.params['index']}]"))
static_index.embed_in_dim_p.def_codegen(lambda eqn, args, env: _fresh(
    f"{env.ref(static_index.embed_in_dim_p.impl, 'embed_in_dim')}({args[0]}, "
    f"index={eqn.params['index']}, axis={eqn.params['axis']}, size={eqn.params['size']})"))
shapes.pad_p.def_codegen(lambda eqn, args, env: _fresh(
    f"{env.ref(shapes.pad_p.impl, 'pad')}({', '.join(args)}, "
    f"padding_config={eqn.params['padding_config']!r})"))


# -- reductions ----------------------------------------------------------------------

def _reduce(ufunc):
  def rule(eqn, args, env):
    dtype = eqn.invars[0].aval.dtype
    own = "" if dtype.kind in "fc" else f", dtype={env.ref(dtype, dtype.name + '_')}"  # int8 stays
    return _fresh(f"{env.ref(ufunc.reduce, ufunc.__name__ + '_reduce')}({args[0]}, "
                  f"axis={eqn.params['axes']!r}{own})")
  return rule


reductions.reduce_sum_p.def_codegen(_reduce(np.add))
reductions.reduce_max_p.def_codegen(_reduce(np.maximum))
reductions.reduce_min_p.def_codegen(_reduce(np.minimum))


# -- dot_general: matrix products as @ with transposed views -------------------------

def _dot_general(eqn, args, env):
  (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
  x, y = args
  nx, ny = (v.aval.ndim for v in eqn.invars)
  if not lc and not lb:  # an outer product
    return _fresh(f"{env.ref(np.multiply.outer, 'outer')}({x}, {y})")
  if lb or len(lc) != 1 or nx > 2 or ny > 2:
    return _fresh(f"{env.ref(linalg.dot_general_p.impl, 'dot_general')}({x}, {y}, "
                  f"dimension_numbers={eqn.params['dimension_numbers']!r})")
  (a,), (b,) = lc, rc
  # @ contracts x's last axis with y's first (1-D: its only) axis; transpose to get there
  xs = x if a == nx - 1 else f"{x}.T"
  ys = y if b == 0 else f"{y}.T"
  return _fresh(f"{xs} @ {ys}")


linalg.dot_general_p.def_codegen(_dot_general)


# -- all-scalar float64 programs as Python math (interpreters/codegen_scalar) --------

def _binary(op):
  return lambda eqn, args, env: f"{args[0]} {op} {args[1]}"


def _numpy_pow(x: float, y: float) -> float:
  """``np.power`` on floats: its loop computes the exponents -1, 0.5 and 2 (when the
  exponent is one number, as for two scalars) as ``1 / x``, ``sqrt(x)`` and ``x * x``,
  whose last bits and NaNs differ from C's ``pow`` (``pow(-inf, 0.5)`` is inf, NumPy's
  NaN); other exponents are ``pow``. A ValueError or ZeroDivisionError (``sqrt(-1)``,
  ``1 / 0``) sends the program back to NumPy."""
  if y == 2.0:
    return x * x
  if y == 0.5:
    return math.sqrt(x)
  if y == -1.0:
    return 1.0 / x
  return math.pow(x, y)


def _scalar_pow_const(x: str, y: float, env) -> str | None:
  """``x ** y`` for a known exponent ``y``, as ``_numpy_pow`` computes it."""
  if y == 0.0:
    return "1.0"
  if y == 1.0:
    return x
  if y == 2.0:
    return f"{x} * {x}"
  if y == 0.5:
    return f"{env.ref(math.sqrt, 'sqrt')}({x})"
  if y == -1.0:
    return f"1.0 / {x}"
  if not use_libm(math.pow, np.power):
    return f"float({env.ref(np.power, 'power')}({x}, {y!r}))"
  return f"{env.ref(math.pow, 'pow')}({x}, {y!r})"


def _scalar_integer_pow(eqn, args, env):
  # as the impl, np.power(x, y): np.multiply(x, x) for 2, 1 / x for -1, else pow
  return _scalar_pow_const(args[0], float(eqn.params["y"]), env)


def _scalar_pow(eqn, args, env):
  y = eqn.invars[1]
  if type(y) is Lit:
    return _scalar_pow_const(args[0], float(y.val), env)
  if not use_libm(math.pow, np.power):
    return f"float({env.ref(np.power, 'power')}({args[0]}, {args[1]}))"
  return f"{env.ref(_numpy_pow, 'numpy_pow')}({args[0]}, {args[1]})"


def _scalar_logistic(eqn, args, env):
  # the impl is SciPy's expit (C's exp, as _logistic_float) or the formula with np.exp
  if ew._scipy_expit() is None and not use_libm(math.exp, np.exp):
    return None
  return f"{env.ref(_logistic_float, 'logistic')}({args[0]})"


def _logistic_float(x: float) -> float:
  """``lax.logistic``'s impl on a float, operation for operation."""
  try:
    return 1 / (1 + math.exp(-x))
  except OverflowError:  # exp(-x) is inf in NumPy: 1 / inf
    return 0.0


# Python's float // and % are NumPy's floor_divide and remainder (the same C algorithm:
# fmod, the sign fix-up, the signs of zero results); x // 0.0 raises: NumPy's code redoes it
for _p, _op in ((ew.add_p, "+"), (ew.add_any_p, "+"), (ew.sub_p, "-"), (ew.mul_p, "*"),
                (ew.div_p, "/"), (ewn.floor_divide_p, "//"), (ewn.remainder_p, "%")):
  scalar_rules[_p] = _binary(_op)
scalar_rules[ew.neg_p] = lambda eqn, args, env: f"-{args[0]}"
scalar_rules[ew.abs_p] = lambda eqn, args, env: f"abs({args[0]})"
scalar_rules[ew.stop_gradient_p] = lambda eqn, args, env: args[0]
scalar_rules[ew.integer_pow_p] = _scalar_integer_pow
scalar_rules[ew.pow_p] = _scalar_pow
scalar_rules[ew.logistic_p] = _scalar_logistic
for _p, _math, _np, _domain in (
    (ew.sin_p, math.sin, np.sin, "real"), (ew.cos_p, math.cos, np.cos, "real"),
    (ew.tan_p, math.tan, np.tan, "real"), (ew.exp_p, math.exp, np.exp, "real"),
    (ew.log_p, math.log, np.log, "positive"), (ew.tanh_p, math.tanh, np.tanh, "real"),
    (ew.sqrt_p, math.sqrt, np.sqrt, "positive"), (ew.log1p_p, math.log1p, np.log1p, "above -1"),
    (ew.expm1_p, math.expm1, np.expm1, "real"), (ew.sinh_p, math.sinh, np.sinh, "real"),
    (ew.cosh_p, math.cosh, np.cosh, "real"), (ew.asin_p, math.asin, np.arcsin, "unit"),
    (ew.acos_p, math.acos, np.arccos, "unit"), (ew.atan_p, math.atan, np.arctan, "real"),
    (ew.asinh_p, math.asinh, np.arcsinh, "real"),
    (ew.acosh_p, math.acosh, np.arccosh, "at least 1"),
    (ew.atanh_p, math.atanh, np.arctanh, "unit"),
    (ew.atan2_p, math.atan2, np.arctan2, "real"), (ewn.hypot_p, math.hypot, np.hypot, "real")):
  scalar_rules[_p] = libm(_math, _np, _domain)
scalar_rules[ewm.log2_p] = libm(math.log2, np.log2, "positive")
scalar_rules[ewm.log10_p] = libm(math.log10, np.log10, "positive")
