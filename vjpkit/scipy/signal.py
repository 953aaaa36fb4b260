"""vjpkit.scipy.signal: N-d convolution and correlation (SciPy's), differentiable in both
inputs, on the ``lax.conv_general_dilated`` primitive.

``fftconvolve`` gives SciPy's values with the direct method (exact up to rounding, and
the derivative is the same), so ``method=`` is accepted and has no effect.

>>> import numpy as np
>>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), mode="same")
array([1. , 2.5, 4. ])
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..numpy._core import convert
from ..numpy.convolutions import conj_if_complex, full_window_conv, promote_pair
from ..numpy.indexing import take
from ..numpy.shapes import broadcast_to, pad

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "fftconvolve"]

Array = Any

_METHODS = ("auto", "direct", "fft")


def _inputs(in1, in2, who: str):
  in1, in2 = promote_pair(in1, in2, f"scipy.signal.{who}")
  s1, s2 = get_aval(in1).shape, get_aval(in2).shape
  if len(s1) != len(s2):
    raise ValueError(f"vjpkit.scipy.signal.{who}: in1 and in2 should have the same "
                     f"dimensionality, got shapes {s1} and {s2}")
  return in1, in2, s1, s2


def _windows(s1: Sequence[int], s2: Sequence[int], mode: str, who: str):
  """Start and length, per axis, of the output in the full convolution (SciPy's modes:
  "same" is centred on in1, rounding down, except correlate2d's, rounding up; "valid"
  needs one input at least as large as the other, except fftconvolve's)."""
  if mode == "full":
    return [0] * len(s1), [m + n - 1 for m, n in zip(s1, s2)]
  if mode == "same":
    return [n // 2 if who == "correlate2d" else (n - 1) // 2 for n in s2], list(s1)
  if mode == "valid":
    if who != "fftconvolve" and not (all(m >= n for m, n in zip(s1, s2))
                                     or all(n >= m for m, n in zip(s1, s2))):
      raise ValueError(f"vjpkit.scipy.signal.{who}: for 'valid' mode, one must be at least as "
                       f"large as the other in every dimension, got shapes {tuple(s1)} and "
                       f"{tuple(s2)}")
    return ([min(m, n) - 1 for m, n in zip(s1, s2)],
            [max(m, n) - min(m, n) + 1 for m, n in zip(s1, s2)])
  raise ValueError(f"vjpkit.scipy.signal.{who}: acceptable mode flags are 'valid', 'same', or "
                   f"'full', got {mode!r}")


def _check_method(method: str, who: str) -> None:
  if method not in _METHODS:
    raise ValueError(f"vjpkit.scipy.signal.{who}: acceptable method flags are 'auto', "
                     f"'direct', or 'fft', got {method!r}")


def convolve(in1: Array, in2: Array, mode: str = "full", method: str = "auto") -> Array:
  """The N-d convolution of ``in1`` and ``in2`` (SciPy's ``signal.convolve``); "same" is
  centred on ``in1``. ``method``: "direct", "fft", or "auto" (FFTs for large float inputs).

  >>> convolve(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, -1.0]]))
  array([[ 1.,  1., -2.],
         [ 3.,  1., -4.]])
  """
  _check_method(method, "convolve")
  in1, in2, s1, s2 = _inputs(in1, in2, "convolve")
  starts, lengths = _windows(s1, s2, mode, "convolve")
  if 0 in s1 or 0 in s2:
    return lax.full(tuple(0 for _ in s1), 0, get_aval(in1).dtype)
  return _by_method(in1, in2, starts, lengths, method)


def correlate(in1: Array, in2: Array, mode: str = "full", method: str = "auto") -> Array:
  """The N-d cross-correlation of ``in1`` and ``in2`` (SciPy's ``signal.correlate``):
  the convolution with ``conj(in2)`` reversed along every axis.

  >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
  array([0.5, 2. , 3.5, 3. , 0. ])
  """
  _check_method(method, "correlate")
  in1, in2, s1, s2 = _inputs(in1, in2, "correlate")
  starts, lengths = _windows(s1, s2, mode, "correlate")
  if 0 in s1 or 0 in s2:
    return lax.full(tuple(0 for _ in s1), 0, get_aval(in1).dtype)
  return _by_method(in1, lax.rev(conj_if_complex(in2), tuple(range(len(s2)))), starts,
                    lengths, method)


def _by_method(in1, in2, starts, lengths, method: str):
  """SciPy's ``method``: "direct"; "fft" (integer results rounded back, as SciPy's); "auto":
  FFTs for large inexact inputs (the same rule as ``fftconvolve``), otherwise direct."""
  s1, s2 = get_aval(in1).shape, get_aval(in2).shape
  dtype = get_aval(in1).dtype
  exact = dtype.kind not in "fc"
  if method == "direct" or (method == "auto" and (exact or not _large(s1, s2))):
    return full_window_conv(in1, in2, starts, lengths)
  if exact:
    in1, in2 = convert(in1, np.dtype(np.float64)), convert(in2, np.dtype(np.float64))
  out = _fft_conv(in1, in2, list(range(len(s1))), starts, lengths)
  return convert(lax.round(out), dtype) if exact else out


def _large(c1, c2) -> bool:
  n1, n2 = int(np.prod(c1, dtype=np.int64)), int(np.prod(c2, dtype=np.int64))
  return min(n1, n2) > _DIRECT_MAX_KERNEL and n1 * n2 > _DIRECT_MAX_WORK


def fftconvolve(in1: Array, in2: Array, mode: str = "full", axes: Any = None) -> Array:
  """SciPy's ``signal.fftconvolve``: the N-d convolution, through FFTs (computed directly
  where one input has at most 32 entries or the work is small; SciPy's values up to
  rounding either way). With ``axes``, the convolution runs over those axes only, and
  the others broadcast against each other (one convolution per position).

  >>> fftconvolve(np.array([1.0, 2.0]), np.array([1.0, 1.0, 1.0]))
  array([1., 3., 3., 2.])
  >>> fftconvolve(np.eye(2), np.array([[1.0, 1.0]]), axes=1)
  array([[1., 1., 0.],
         [0., 1., 1.]])
  """
  in1, in2, s1, s2 = _inputs(in1, in2, "fftconvolve")
  if get_aval(in1).dtype.kind not in "fc":  # SciPy's FFT result is float
    in1, in2 = convert(in1, np.dtype(np.float64)), convert(in2, np.dtype(np.float64))
  nd = len(s1)
  conv_axes = list(range(nd)) if axes is None else sorted(
      {int(a) % nd if -nd <= int(a) < nd else _bad_axis(a, nd) for a in np.atleast_1d(axes)})
  if 0 in s1 or 0 in s2:
    return lax.full(tuple(0 for _ in s1), 0, get_aval(in1).dtype)
  other = [a for a in range(nd) if a not in conv_axes]
  c1, c2 = [s1[a] for a in conv_axes], [s2[a] for a in conv_axes]
  if _large(c1, c2):
    if other:
      _other_shape(s1, s2, other)
    return _fft_conv(in1, in2, conv_axes, *_windows(c1, c2, mode, "fftconvolve"))
  if conv_axes == list(range(nd)):
    starts, lengths = _windows(s1, s2, mode, "fftconvolve")
    return full_window_conv(in1, in2, starts, lengths)
  bshape = _other_shape(s1, s2, other)
  starts, lengths = _windows(c1, c2, mode, "fftconvolve")
  groups = int(np.prod(bshape, dtype=np.int64))
  perm = tuple(other + conv_axes)
  x = broadcast_to(lax.transpose(in1, perm), tuple(bshape) + tuple(c1))
  k = broadcast_to(lax.transpose(in2, perm), tuple(bshape) + tuple(c2))
  k = lax.rev(k, tuple(range(len(bshape), nd)))
  pads = [(n - 1 - st, ln + st - m) for m, n, st, ln in zip(c1, c2, starts, lengths)]
  out = lax.conv_general_dilated(lax.reshape(x, (1, groups) + tuple(c1)),
                                 lax.reshape(k, (groups, 1) + tuple(c2)), (1,) * len(c1), pads,
                                 feature_group_count=groups)
  out = lax.reshape(out, tuple(bshape) + tuple(lengths))
  return lax.transpose(out, tuple(int(i) for i in np.argsort(perm)))


# fftconvolve convolves directly (exactly) when one input is small or the work is small, and
# through FFTs otherwise (SciPy's method: O(n log n), values equal up to rounding)
_DIRECT_MAX_KERNEL = 32
_DIRECT_MAX_WORK = 1 << 16


def _other_shape(s1, s2, other):
  try:
    return np.broadcast_shapes(tuple(s1[a] for a in other), tuple(s2[a] for a in other))
  except ValueError:
    raise ValueError(f"vjpkit.scipy.signal.fftconvolve: in1 {s1} and in2 {s2} must have equal "
                     "sizes (or size 1) along the axes not convolved over") from None


def _fft_conv(in1, in2, axes, starts, lengths):
  """The convolution over ``axes`` through FFTs of fast lengths (the other axes broadcast),
  the window ``starts``/``lengths`` of the full result."""
  from scipy.fft import next_fast_len
  from ..numpy import fft
  s1, s2 = get_aval(in1).shape, get_aval(in2).shape
  full = [s1[a] + s2[a] - 1 for a in axes]
  if get_aval(in1).dtype.kind == "c":
    fshape = [next_fast_len(n) for n in full]
    spec = fft.fftn(in1, fshape, axes) * fft.fftn(in2, fshape, axes)
    out = fft.ifftn(spec, fshape, axes)
  else:
    fshape = [next_fast_len(n, True) for n in full]
    out = fft.irfftn(fft.rfftn(in1, fshape, axes) * fft.rfftn(in2, fshape, axes), fshape, axes)
  for a, st, ln in zip(axes, starts, lengths):
    out = lax.slice_in_dim(out, st, st + ln, axis=a)
  return out


def _bad_axis(a, nd):
  raise ValueError(f"vjpkit.scipy.signal.fftconvolve: axis {a} is out of range for "
                   f"{nd}-D inputs")


# -- 2-D with boundary conditions ---------------------------------------------------

def _extend(x, axis: int, lo: int, hi: int, boundary: str, fillvalue):
  """``x`` extended by ``lo``/``hi`` entries along ``axis`` under SciPy's boundary rule."""
  if lo <= 0 and hi <= 0:
    return x
  lo, hi = max(lo, 0), max(hi, 0)
  n = get_aval(x).shape[axis]
  if boundary == "fill":
    widths = [(0, 0)] * get_aval(x).ndim
    widths[axis] = (lo, hi)
    return pad(x, widths, constant_values=fillvalue)
  i = np.arange(-lo, n + hi)
  if boundary == "wrap":
    index = np.mod(i, n)
  else:  # symm: mirrored with the edge repeated, period 2n
    r = np.mod(i, 2 * n)
    index = np.where(r < n, r, 2 * n - 1 - r)
  return take(x, index, axis=axis)


def _conv2d(in1, in2, mode, boundary, fillvalue, who, flip):
  in1, in2, s1, s2 = _inputs(in1, in2, who)
  if len(s1) != 2:
    raise ValueError(f"vjpkit.scipy.signal.{who}: in1 and in2 should be 2-D arrays, got shapes "
                     f"{s1} and {s2}")
  if boundary not in ("fill", "wrap", "symm"):
    raise ValueError(f"vjpkit.scipy.signal.{who}: acceptable boundary flags are 'fill', "
                     f"'wrap' and 'symm' (or 'circular', 'symmetric'), got {boundary!r}")
  if np.ndim(fillvalue) != 0:
    raise ValueError(f"vjpkit.scipy.signal.{who}: fillvalue must be a scalar")
  if flip:
    in2 = lax.rev(conj_if_complex(in2), (0, 1))
  starts, lengths = _windows(s1, s2, mode, who)
  if 0 in s1 or 0 in s2:
    return lax.full((0, 0), 0, get_aval(in1).dtype)
  if mode == "valid" or (boundary == "fill" and fillvalue == 0):
    return full_window_conv(in1, in2, starts, lengths)
  # extend in1 by the positive part of the padding the window needs, under the boundary
  # rule; the window then starts that much later in the full convolution of the extension
  fill = np.asarray(fillvalue).astype(get_aval(in1).dtype)[()]
  x = in1
  for axis, (m, n, s, length) in enumerate(zip(s1, s2, starts, lengths)):
    x = _extend(x, axis, n - 1 - s, length + s - m, boundary, fill)
  return full_window_conv(x, in2, [s + max(n - 1 - s, 0) for n, s in zip(s2, starts)], lengths)


def convolve2d(in1: Array, in2: Array, mode: str = "full", boundary: str = "fill",
               fillvalue: Any = 0) -> Array:
  """The 2-D convolution with SciPy's boundary conditions (``signal.convolve2d``):
  ``boundary`` "fill" (with ``fillvalue``), "wrap" (periodic) or "symm" (mirrored).

  >>> convolve2d(np.eye(3), np.ones((2, 2)), mode="same", boundary="wrap")
  array([[2., 1., 1.],
         [1., 2., 1.],
         [1., 1., 2.]])
  """
  return _conv2d(in1, in2, mode, _boundary(boundary), fillvalue, "convolve2d", flip=False)


def correlate2d(in1: Array, in2: Array, mode: str = "full", boundary: str = "fill",
                fillvalue: Any = 0) -> Array:
  """The 2-D cross-correlation with SciPy's boundary conditions (``signal.correlate2d``).

  >>> correlate2d(np.eye(2), np.array([[1.0, 2.0]]), mode="valid")
  array([[1.],
         [2.]])
  """
  return _conv2d(in1, in2, mode, _boundary(boundary), fillvalue, "correlate2d", flip=True)


def _boundary(b: str) -> str:
  return {"circular": "wrap", "symmetric": "symm"}.get(b, b)
