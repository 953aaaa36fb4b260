"""N-d convolution: ``conv_general_dilated`` and its wrappers (JAX's ``lax`` convolutions).

One primitive, ``conv_general_dilated``, with XLA's semantics: window strides,
explicit or "SAME"/"SAME_LOWER"/"VALID" padding (negative padding crops),
lhs dilation (a transposed convolution), rhs dilation (atrous), feature and
batch groups, and dimension numbers naming where the batch, feature and
spatial axes of each operand lie. The NumPy implementation forms the windows
as a strided view (``sliding_window_view``) and contracts them with one
batched matrix product per group: no loop over pixels.

The convolution is bilinear, so its derivative is two transpose rules, each
another ``conv_general_dilated`` with the roles of strides and dilations
swapped and the dimension numbers permuted (as in JAX's ``convolution.py``);
the batching rule folds the vmapped axis into the batch or feature axis.
"""
from __future__ import annotations

import functools
import operator
from typing import Any, NamedTuple, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..interpreters.codegen import Emit
from ..interpreters.jvp import defbilinear
from . import elementwise as ew
from . import shapes
from .windowed import padtype_to_pads

__all__ = ["ConvDimensionNumbers", "conv", "conv_dimension_numbers", "conv_general_dilated",
           "conv_general_dilated_p", "conv_transpose", "conv_with_general_padding"]


class ConvDimensionNumbers(NamedTuple):
  """Where the axes of a convolution's operands lie (JAX's ``lax.ConvDimensionNumbers``).

  ``lhs_spec``: ``(batch, feature, spatial...)`` axes of the input; ``rhs_spec``:
  ``(out feature, in feature, spatial...)`` axes of the kernel; ``out_spec``:
  ``(batch, feature, spatial...)`` axes of the output.
  """
  lhs_spec: tuple[int, ...]
  rhs_spec: tuple[int, ...]
  out_spec: tuple[int, ...]


def _dilate(n: int, d: int) -> int:
  return 0 if n == 0 else 1 + d * (n - 1)


def _stride_dim(n: int, k: int, s: int) -> int:
  return max(0, (n - k) // s + 1)


# -- dimension numbers --------------------------------------------------------------

def _permutations(specs: Sequence[str]) -> tuple[tuple[int, ...], ...]:
  lhs_s, rhs_s, out_s = specs
  pairs = (("N", "C"), ("O", "I"), ("N", "C"))
  for i, (a, b) in enumerate(pairs):
    if not specs[i].count(a) == specs[i].count(b) == 1:
      raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                      f"'{a}' and '{b}' exactly once, got {specs[i]!r}")
    if len(specs[i]) != len(set(specs[i])):
      raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, "
                      f"got {specs[i]!r}")
  if not set(lhs_s) - {"N", "C"} == set(rhs_s) - {"O", "I"} == set(out_s) - {"N", "C"}:
    raise TypeError("convolution dimension_numbers must each have the same set of spatial "
                    f"characters, got {tuple(specs)}")

  def perm(spec, pair):
    spatial = [i for i, c in enumerate(spec) if c not in pair]
    if spec is not rhs_s:
      spatial = sorted(spatial, key=lambda i: rhs_s.index(spec[i]))
    return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
  return tuple(perm(s, p) for s, p in zip(specs, pairs))


def conv_dimension_numbers(lhs_shape: Sequence[int], rhs_shape: Sequence[int],
                           dimension_numbers: Any) -> ConvDimensionNumbers:
  """``dimension_numbers`` (None, three strings such as ``("NHWC", "HWIO", "NHWC")``, or a
  ``ConvDimensionNumbers``) as a ``ConvDimensionNumbers`` of axis indices.

  Strides, dilations and padding follow the order of the spatial axes in the rhs spec.

  >>> conv_dimension_numbers((1, 5, 5, 3), (2, 2, 3, 8), ("NHWC", "HWIO", "NHWC"))
  ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))
  """
  if isinstance(dimension_numbers, ConvDimensionNumbers):
    return ConvDimensionNumbers(*(tuple(int(i) for i in s) for s in dimension_numbers))
  if len(lhs_shape) != len(rhs_shape):
    raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} "
                    f"and {len(rhs_shape)}")
  if dimension_numbers is None:
    iota = tuple(range(len(lhs_shape)))
    return ConvDimensionNumbers(iota, iota, iota)
  if isinstance(dimension_numbers, (list, tuple)):
    if len(dimension_numbers) != 3:
      raise TypeError("convolution dimension_numbers list/tuple must be length 3, got "
                      f"{len(dimension_numbers)}")
    if all(isinstance(s, str) for s in dimension_numbers):
      for i, s in enumerate(dimension_numbers):
        if len(s) != len(lhs_shape):
          raise TypeError(f"convolution dimension_numbers[{i}] must have length equal to the "
                          f"ndim of lhs and rhs, got {len(s)} for lhs and rhs shapes "
                          f"{tuple(lhs_shape)} and {tuple(rhs_shape)}")
      return ConvDimensionNumbers(*_permutations(dimension_numbers))
    if all(isinstance(s, (list, tuple)) for s in dimension_numbers):
      return ConvDimensionNumbers(*(tuple(int(i) for i in s) for s in dimension_numbers))
    raise TypeError("convolution dimension_numbers elements must be strings, got "
                    f"{tuple(type(s).__name__ for s in dimension_numbers)}")
  raise TypeError("convolution dimension_numbers must be a tuple/list of three strings, a "
                  f"ConvDimensionNumbers or None, got {type(dimension_numbers).__name__}")


# -- the primitive ------------------------------------------------------------------

def _grouped_matmul(cols: np.ndarray, w: np.ndarray) -> np.ndarray:
  """``cols[g] @ w[g].T`` for each group: 2-D products, which NumPy hands to BLAS (a
  stacked ``np.matmul`` is much slower for these shapes)."""
  if cols.shape[0] == 1:
    return (cols[0] @ w[0].T)[None]
  return np.stack([c @ m.T for c, m in zip(cols, w)])


def _conv_impl(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
               dimension_numbers, feature_group_count, batch_group_count, preferred_element_type):
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  dtype = np.dtype(preferred_element_type or np.asarray(lhs).dtype)
  x = np.transpose(np.asarray(lhs), lhs_spec)
  w = np.transpose(np.asarray(rhs), rhs_spec)
  if x.dtype != dtype:
    x, w = x.astype(dtype), w.astype(dtype)
  nsp = x.ndim - 2
  both = (slice(None),) * 2
  if any(d != 1 for d in lhs_dilation):  # zeros between the input's entries
    sizes = tuple(_dilate(n, d) for n, d in zip(x.shape[2:], lhs_dilation))
    dilated = np.zeros(x.shape[:2] + sizes, dtype)
    dilated[both + tuple(slice(None, None, d) for d in lhs_dilation)] = x
    x = dilated
  if any(lo > 0 or hi > 0 for lo, hi in padding):
    x = np.pad(x, [(0, 0), (0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in padding])
  if any(lo < 0 or hi < 0 for lo, hi in padding):  # negative padding crops
    x = x[both + tuple(slice(max(-lo, 0), n - max(-hi, 0))
                       for (lo, hi), n in zip(padding, x.shape[2:]))]
  N, C = x.shape[:2]
  O = w.shape[0]
  G, B = feature_group_count, batch_group_count
  k_eff = tuple(_dilate(k, d) for k, d in zip(w.shape[2:], rhs_dilation))
  out_sp = tuple(_stride_dim(n, k, s) for n, k, s in zip(x.shape[2:], k_eff, window_strides))
  out_shape = (N // B, O) + out_sp
  if 0 in out_shape or 0 in w.shape[1:]:
    return np.transpose(np.zeros(out_shape, dtype), np.argsort(out_spec))
  win = np.lib.stride_tricks.sliding_window_view(x, k_eff, axis=tuple(range(2, 2 + nsp)))
  win = win[both + tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out_sp, window_strides))
            + tuple(slice(None, None, d) for d in rhs_dilation)]  # (N, C, out..., kernel...)
  P, K = int(np.prod(out_sp)), int(np.prod(w.shape[2:]))
  if B > 1:  # batch groups: lhs batch (B, N/B), kernel out features (B, O/B)
    cols = win.reshape(B, N // B, C, P, K).transpose(0, 1, 3, 2, 4).reshape(B, N // B * P, C * K)
    out = _grouped_matmul(cols, w.reshape(B, O // B, C * K))
    out = out.reshape(B, N // B, P, O // B).transpose(1, 0, 3, 2)
  else:  # feature groups: lhs features (G, C/G), kernel out features (G, O/G)
    cols = win.reshape(N, G, C // G, P, K).transpose(1, 0, 3, 2, 4).reshape(G, N * P, C // G * K)
    out = _grouped_matmul(cols, w.reshape(G, O // G, C // G * K))
    out = out.reshape(G, N, P, O // G).transpose(1, 0, 3, 2)
  return np.transpose(out.reshape(out_shape), np.argsort(out_spec))


def _conv_abstract_eval(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count,
                        preferred_element_type):
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  who = "conv_general_dilated"
  if lhs.ndim != rhs.ndim or lhs.ndim < 2:
    raise ValueError(f"{who}: lhs and rhs must have the same number of dimensions (at least 2), "
                     f"got {lhs.str_short()} and {rhs.str_short()}")
  if lhs.dtype != rhs.dtype:
    raise TypeError(f"{who} requires arguments of the same dtype, got {lhs.dtype.name} and "
                    f"{rhs.dtype.name} (convert one with .astype)")
  n = lhs.ndim
  for name, spec in (("lhs_spec", lhs_spec), ("rhs_spec", rhs_spec), ("out_spec", out_spec)):
    if sorted(spec) != list(range(n)):
      raise TypeError(f"{who}: dimension_numbers.{name}={spec} is not a permutation of the "
                      f"{n} axes")
  nsp = n - 2
  for name, v in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                  ("rhs_dilation", rhs_dilation), ("padding", padding)):
    if len(v) != nsp:
      raise ValueError(f"{who}: {name} must have one entry per spatial dimension ({nsp}), "
                       f"got {v}")
  for name, v in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                  ("rhs_dilation", rhs_dilation)):
    if any(s < 1 for s in v):
      raise ValueError(f"{who}: {name} must be positive, got {v}")
  G, B = feature_group_count, batch_group_count
  if G < 1 or B < 1:
    raise ValueError(f"{who}: feature_group_count and batch_group_count must be positive "
                     f"integers, got {G} and {B}")
  if G > 1 and B > 1:
    raise ValueError(f"{who}: at most one of batch_group_count and feature_group_count may be "
                     f"> 1, got batch_group_count={B} and feature_group_count={G}")
  C, I = lhs.shape[lhs_spec[1]], rhs.shape[rhs_spec[1]]
  O, N = rhs.shape[rhs_spec[0]], lhs.shape[lhs_spec[0]]
  if C % G or C // G != I:
    raise ValueError(f"{who}: the lhs feature dimension ({C}) divided by feature_group_count "
                     f"({G}) must equal the rhs input feature dimension ({I})")
  if O % G or O % B:
    raise ValueError(f"{who}: the rhs output feature dimension ({O}) must be a multiple of "
                     f"feature_group_count ({G}) and batch_group_count ({B})")
  if N % B:
    raise ValueError(f"{who}: batch_group_count ({B}) must divide the lhs batch dimension ({N})")
  in_sp = [_dilate(lhs.shape[a], d) + lo + hi
           for a, d, (lo, hi) in zip(lhs_spec[2:], lhs_dilation, padding)]
  if any(s < 0 for s in in_sp):
    raise ValueError(f"{who}: negative padding {padding} is larger than the (dilated) input "
                     f"{lhs.str_short()}")
  k_eff = [_dilate(rhs.shape[a], d) for a, d in zip(rhs_spec[2:], rhs_dilation)]
  out_sp = [_stride_dim(m, k, s) for m, k, s in zip(in_sp, k_eff, window_strides)]
  canonical = [N // B, O] + out_sp
  shape = tuple(canonical[i] for i in np.argsort(out_spec))
  dtype = lhs.dtype if preferred_element_type is None else np.dtype(preferred_element_type)
  return ShapedArray(shape, dtype)


# -- transposes (JAX's _conv_general_dilated_transpose_lhs/_rhs) -----------------------

def _reshape_axis_into(src: int, dst: int, x):
  shape = get_aval(x).shape
  perm = [i for i in range(len(shape)) if i != src]
  perm.insert(dst, src)
  new = [shape[i] for i in range(len(shape)) if i != src]
  new[dst] *= shape[src]
  return shapes.reshape(shapes.transpose(x, tuple(perm)), tuple(new))


def _reshape_axis_out_of(src: int, size1: int, x):
  shape = list(get_aval(x).shape)
  shape[src:src + 1] = [size1, shape[src] // size1]
  return shapes.reshape(x, tuple(shape))


def _spec_transpose(spec):
  return (spec[1], spec[0]) + tuple(spec[2:])


def _vjp_lhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
  lhs_d = [_dilate(n, d) for n, d in zip(in_shape, lhs_dilation)]
  rhs_d = [_dilate(n, d) for n, d in zip(window, rhs_dilation)]
  out_d = [_dilate(n, d) for n, d in zip(out_shape, strides)]
  before = [k - lo - 1 for k, (lo, _) in zip(rhs_d, padding)]
  after = [a + k - 1 - o - b for a, k, o, b in zip(lhs_d, rhs_d, out_d, before)]
  return tuple(zip(before, after))


def _vjp_rhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
  lhs_d = [_dilate(n, d) for n, d in zip(in_shape, lhs_dilation)]
  rhs_d = [_dilate(n, d) for n, d in zip(window, rhs_dilation)]
  out_d = [_dilate(n, d) for n, d in zip(out_shape, strides)]
  lo = [p for p, _ in padding]
  hi = [o - a + k - p - 1 for o, a, k, p in zip(out_d, lhs_d, rhs_d, lo)]
  return tuple(zip(lo, hi))


def _transpose_lhs(g, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count,
                   preferred_element_type):
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  lhs_shape, rhs_shape, g_shape = lhs.aval.shape, get_aval(rhs).shape, get_aval(g).shape
  G = feature_group_count
  if G > 1:
    rhs = _reshape_axis_out_of(rhs_spec[0], G, rhs)
    rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
  elif batch_group_count > 1:
    rhs = _reshape_axis_out_of(rhs_spec[0], batch_group_count, rhs)
    rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
    G = batch_group_count
  dims = ConvDimensionNumbers(out_spec, _spec_transpose(rhs_spec), lhs_spec)
  pads = _vjp_lhs_padding([lhs_shape[i] for i in lhs_spec[2:]],
                          [rhs_shape[i] for i in rhs_spec[2:]], window_strides, [g_shape[i] for i in out_spec[2:]], padding,
                          lhs_dilation, rhs_dilation)
  rhs = shapes.rev(rhs, rhs_spec[2:])
  if get_aval(rhs).dtype != get_aval(g).dtype:
    rhs = ew.convert_element_type(rhs, get_aval(g).dtype)
  out = conv_general_dilated_p.bind(
      g, rhs, window_strides=tuple(lhs_dilation), padding=pads,
      lhs_dilation=tuple(window_strides), rhs_dilation=tuple(rhs_dilation),
      dimension_numbers=dims, feature_group_count=G, batch_group_count=1,
      preferred_element_type=None)
  if batch_group_count > 1:
    out = _reshape_axis_out_of(lhs_spec[1], batch_group_count, out)
    out = _reshape_axis_into(lhs_spec[1], lhs_spec[0], out)
  if get_aval(out).dtype != lhs.aval.dtype:
    out = ew.convert_element_type(out, lhs.aval.dtype)
  return out


def _transpose_rhs(g, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count,
                   preferred_element_type):
  lhs_spec, rhs_spec, out_spec = dimension_numbers
  lhs_shape, rhs_shape, g_shape = get_aval(lhs).shape, rhs.aval.shape, get_aval(g).shape
  if 0 in g_shape:
    return shapes.full(rhs_shape, 0, rhs.aval.dtype)
  G, B = feature_group_count, batch_group_count
  if B > 1:
    G, B = B, 1
  elif G > 1:
    G, B = 1, G
  dims = ConvDimensionNumbers(_spec_transpose(lhs_spec), _spec_transpose(out_spec),
                              _spec_transpose(rhs_spec))
  pads = _vjp_rhs_padding([lhs_shape[i] for i in lhs_spec[2:]],
                          [rhs_shape[i] for i in rhs_spec[2:]], window_strides, [g_shape[i] for i in out_spec[2:]], padding,
                          lhs_dilation, rhs_dilation)
  if get_aval(lhs).dtype != get_aval(g).dtype:
    lhs = ew.convert_element_type(lhs, get_aval(g).dtype)
  out = conv_general_dilated_p.bind(
      lhs, g, window_strides=tuple(rhs_dilation), padding=pads,
      lhs_dilation=tuple(lhs_dilation), rhs_dilation=tuple(window_strides),
      dimension_numbers=dims, feature_group_count=G, batch_group_count=B,
      preferred_element_type=None)
  if get_aval(out).dtype != rhs.aval.dtype:
    out = ew.convert_element_type(out, rhs.aval.dtype)
  return out


# -- batching (JAX's _conv_general_dilated_batch_rule) --------------------------------

def _conv_batch(vals, dims, **params):
  lhs, rhs = vals
  lb, rb = dims
  lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
  G, B = params["feature_group_count"], params["batch_group_count"]
  bind = functools.partial(conv_general_dilated_p.bind, window_strides=params["window_strides"],
                           padding=params["padding"], lhs_dilation=params["lhs_dilation"],
                           rhs_dilation=params["rhs_dilation"],
                           dimension_numbers=params["dimension_numbers"],
                           preferred_element_type=params["preferred_element_type"])
  lshape, rshape = get_aval(lhs).shape, get_aval(rhs).shape
  size = lshape[lb] if lb is not None else rshape[rb]
  if size == 0:
    unbatched = [ShapedArray(tuple(s for i, s in enumerate(get_aval(v).shape) if i != d),
                             get_aval(v).dtype) if d is not None else get_aval(v)
                 for v, d in zip(vals, dims)]
    aval = _conv_abstract_eval(*unbatched, **params)
    return shapes.full((0,) + aval.shape, 0, aval.dtype), 0
  if lb is not None and rb is not None:
    if B > 1:
      new_lhs = _reshape_axis_into(lb, lhs_spec[0], lhs)
      B *= size
    else:
      new_lhs = _reshape_axis_into(lb, lhs_spec[1], lhs)
      G *= size
    new_rhs = _reshape_axis_into(rb, rhs_spec[0], rhs)
    out = bind(new_lhs, new_rhs, feature_group_count=G, batch_group_count=B)
    return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
  if lb is not None:
    if B == 1:
      new_lhs = _reshape_axis_into(lb, lhs_spec[0], lhs)
    else:
      new_lhs = _reshape_axis_out_of(lhs_spec[0] + int(lb <= lhs_spec[0]), B, lhs)
      new_lhs = _reshape_axis_into(lb + int(lhs_spec[0] < lb), lhs_spec[0] + 1, new_lhs)
      new_lhs = _reshape_axis_into(lhs_spec[0], lhs_spec[0], new_lhs)
    out = bind(new_lhs, rhs, feature_group_count=G, batch_group_count=B)
    return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
  if G == 1 and B == 1:
    new_rhs = _reshape_axis_into(rb, rhs_spec[0], rhs)
    out = bind(lhs, new_rhs, feature_group_count=G, batch_group_count=B)
    return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
  groups = G if G > 1 else B
  new_rhs = _reshape_axis_out_of(rhs_spec[0] + int(rb <= rhs_spec[0]), groups, rhs)
  new_rhs = _reshape_axis_into(rb + int(rhs_spec[0] < rb), rhs_spec[0] + 1, new_rhs)
  new_rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[0], new_rhs)
  out = bind(lhs, new_rhs, feature_group_count=G, batch_group_count=B)
  out = _reshape_axis_out_of(out_spec[1], groups, out)
  out = _reshape_axis_out_of(out_spec[1] + 1, size, out)
  return _reshape_axis_into(out_spec[1], out_spec[1] + 1, out), out_spec[1]


def _conv_codegen(eqn, args, env):
  fn = functools.partial(_conv_impl, **eqn.params)
  return Emit(f"{env.ref(fn, 'conv_general_dilated')}({args[0]}, {args[1]})", "fresh")


conv_general_dilated_p = Primitive("conv_general_dilated", impl=_conv_impl,
                                   abstract_eval=_conv_abstract_eval)
defbilinear(conv_general_dilated_p, _transpose_lhs, _transpose_rhs)
conv_general_dilated_p.def_batching(_conv_batch)
conv_general_dilated_p.def_codegen(_conv_codegen)


# -- public wrappers ------------------------------------------------------------------

def _ints(v, n: int, name: str) -> tuple[int, ...]:
  if v is None:
    return (1,) * n
  try:
    return tuple(operator.index(i) for i in v)
  except TypeError:
    raise TypeError(f"conv_general_dilated: {name} must be a sequence of integers, "
                    f"got {v!r}") from None


def conv_general_dilated(lhs, rhs, window_strides: Sequence[int], padding: Any,
                         lhs_dilation: Sequence[int] | None = None,
                         rhs_dilation: Sequence[int] | None = None,
                         dimension_numbers: Any = None, feature_group_count: int = 1,
                         batch_group_count: int = 1, precision: Any = None,
                         preferred_element_type: Any = None):
  """General N-d convolution with strides, padding, dilations and groups (JAX's
  ``lax.conv_general_dilated``, XLA's Conv).

  ``padding``: "SAME", "SAME_LOWER", "VALID" or one ``(low, high)`` pair per spatial
  dimension (negative values crop). ``lhs_dilation`` inserts zeros between input
  entries (a transposed convolution, for which padding must be explicit);
  ``rhs_dilation`` spaces out the kernel (atrous). ``dimension_numbers``: None
  (``("NCH..", "OIH..", "NCH..")``), three strings such as ``("NHWC", "HWIO", "NHWC")``
  or a ``ConvDimensionNumbers``. Like every XLA convolution this is a
  cross-correlation (the kernel is not flipped). ``precision`` is accepted for
  compatibility: NumPy always computes at full precision.

  >>> x = np.arange(5.0).reshape(1, 1, 5)          # N C W
  >>> k = np.array([1.0, 0.0, -1.0]).reshape(1, 1, 3)
  >>> conv_general_dilated(x, k, (1,), "VALID")
  array([[[-2., -2., -2.]]])
  >>> conv_general_dilated(x, k, (2,), "SAME")
  array([[[-1., -2., 3.]]])
  """
  del precision
  la, ra = get_aval(lhs), get_aval(rhs)
  dnums = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
  nsp = la.ndim - 2
  strides = _ints(window_strides, nsp, "window_strides")
  lhs_d = _ints(lhs_dilation, nsp, "lhs_dilation")
  rhs_d = _ints(rhs_dilation, nsp, "rhs_dilation")
  if isinstance(padding, str):
    if any(d != 1 for d in lhs_d):
      raise ValueError("String padding is not implemented for transposed convolution (lhs "
                       "dilation); give the padding explicitly or use conv_transpose")
    window = [_dilate(ra.shape[i], d) for i, d in zip(dnums.rhs_spec[2:], rhs_d)]
    pads = tuple(padtype_to_pads([la.shape[i] for i in dnums.lhs_spec[2:]], window, strides,
                                 padding))
  else:
    try:
      pads = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
      raise ValueError("padding argument to conv_general_dilated should be a string or a "
                       f"sequence of (low, high) pairs, got {padding!r}") from None
  params = dict(window_strides=strides, padding=pads, lhs_dilation=lhs_d, rhs_dilation=rhs_d,
                dimension_numbers=dnums, feature_group_count=operator.index(feature_group_count),
                batch_group_count=operator.index(batch_group_count),
                preferred_element_type=(None if preferred_element_type is None
                                        else np.dtype(preferred_element_type)))
  _conv_abstract_eval(la, ra, **params)  # the checks, also for concrete operands
  return conv_general_dilated_p.bind(lhs, rhs, **params)


def conv(lhs, rhs, window_strides: Sequence[int], padding: str, precision: Any = None,
         preferred_element_type: Any = None):
  """``conv_general_dilated`` with NCH.. / OIH.. layouts and no dilation.

  >>> conv(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1), "VALID")
  array([[[[4., 4.],
           [4., 4.]]]])
  """
  return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                              preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides: Sequence[int], padding: Any,
                              lhs_dilation: Sequence[int] | None,
                              rhs_dilation: Sequence[int] | None, precision: Any = None,
                              preferred_element_type: Any = None):
  """``conv_general_dilated`` with NCH.. / OIH.. layouts.

  >>> conv_with_general_padding(np.ones((1, 1, 3)), np.ones((1, 1, 2)), (1,), [(1, 0)],
  ...                           None, None)
  array([[[1., 2., 2.]]])
  """
  return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                              rhs_dilation=rhs_dilation, precision=precision,
                              preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k: int, s: int, padding) -> tuple[int, int]:
  if padding == "SAME":
    pad_len = k + s - 2
    pad_a = k - 1 if s > k - 1 else -(-pad_len // 2)
  elif padding == "VALID":
    pad_len = k + s - 2 + max(k - s, 0)
    pad_a = k - 1
  elif isinstance(padding, tuple):
    pads = tuple(k - p - 1 for p in padding)
    pad_a, pad_len = pads[0], sum(pads)
  else:
    raise ValueError(f"Invalid padding mode: {padding!r}")
  return pad_a, pad_len - pad_a


_TRANSPOSE_DEFAULTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                       4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}


def conv_transpose(lhs, rhs, strides: Sequence[int], padding: Any,
                   rhs_dilation: Sequence[int] | None = None, dimension_numbers: Any = None,
                   transpose_kernel: bool = False, precision: Any = None,
                   preferred_element_type: Any = None, use_consistent_padding: bool = False):
  """A transposed ("fractionally strided") convolution (JAX's ``lax.conv_transpose``).

  Layouts default to TensorFlow's (``NHWC``, ``HWIO``). ``padding`` "SAME"/"VALID" is that
  of the forward convolution; explicit pairs are the transposed convolution's own padding
  unless ``use_consistent_padding``. ``transpose_kernel=True`` flips the kernel's spatial
  axes and swaps its feature axes (Keras' ``Conv2DTranspose``).

  >>> conv_transpose(np.ones((1, 2, 1)), np.ones((2, 1, 1)), (2,), "VALID")[..., 0]
  array([[1., 1., 1., 1.]])
  """
  la, ra = get_aval(lhs), get_aval(rhs)
  ndim = la.ndim
  if ndim != ra.ndim or ndim < 2:
    raise ValueError(f"conv_transpose: lhs and rhs must have the same rank (at least 2), got "
                     f"{la.str_short()} and {ra.str_short()}")
  if dimension_numbers is None:
    if ndim not in _TRANSPOSE_DEFAULTS:
      raise ValueError("conv_transpose: no default dimension_numbers for more than 3 spatial "
                       "dimensions; pass dimension_numbers")
    dimension_numbers = _TRANSPOSE_DEFAULTS[ndim]
  dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
  k_sdims = [ra.shape[i] for i in dn.rhs_spec[2:]]
  rhs_d = _ints(rhs_dilation, ndim - 2, "rhs_dilation")
  if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
    per_dim = [padding] * len(strides) if isinstance(padding, str) else [tuple(p) for p in padding]
    pads: Any = tuple(_conv_transpose_padding(_dilate(k, r), s, p)
                      for k, r, s, p in zip(k_sdims, rhs_d, strides, per_dim))
  else:
    pads = padding
  if transpose_kernel:
    rhs = shapes.rev(rhs, dn.rhs_spec[2:])
    perm = list(range(ndim))
    perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = dn.rhs_spec[1], dn.rhs_spec[0]
    rhs = shapes.transpose(rhs, tuple(perm))
  return conv_general_dilated(lhs, rhs, (1,) * (ndim - 2), pads, strides, rhs_d, dn,
                              precision=precision, preferred_element_type=preferred_element_type)
