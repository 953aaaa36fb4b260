"""vjpkit.numpy.fft: NumPy's discrete Fourier transforms, differentiable.

Values are ``numpy.fft``'s, with its ``n``/``s``, ``axis``/``axes`` and ``norm``
(``"backward"``, the default, ``"ortho"``, ``"forward"``) arguments. Precision is kept:
float32 and complex64 inputs give complex64 (float32 for ``irfft``/``hfft``) results;
integer and bool inputs are computed in float64/complex128, as NumPy does. Every transform
is the one primitive ``vjpkit.lax.fft``: the requested axes are moved to the end, cropped
or zero-padded to ``n``/``s``, transformed, scaled for ``norm`` and moved back, so
derivatives of every order, ``vmap`` and ``jit`` come from that primitive's rules.

Derivatives follow JAX's conventions for complex numbers: ``grad`` of a real-valued loss of
a real input is real; of a complex input it is ``dL/dx - i dL/dy``. By Parseval's theorem
``sum(abs(fft(x))**2) = n * sum(abs(x)**2)``, so its gradient is ``2 n x``:

>>> import vjpkit
>>> import vjpkit.numpy as vnp
>>> x = np.array([1.0, 2.0, 0.0, -1.0])
>>> vjpkit.grad(lambda x: vnp.sum(vnp.abs(vnp.fft.fft(x)) ** 2))(x)
array([ 8., 16.,  0., -8.])

A spectral loss, the energy of a signal in its frequencies from ``cutoff`` up, through
``rfft`` (each bin of the half spectrum counted once): its gradient is the signal's
component in that band, here ``0.5 cos(6 pi t)``, as ``jax.grad`` of the same code with
``jax.numpy`` gives:

>>> def high_band_energy(x, cutoff=2):
...   spectrum = vnp.fft.rfft(x, norm="ortho")
...   return vnp.sum(vnp.abs(spectrum[cutoff:]) ** 2)
>>> t = np.linspace(0.0, 1.0, 8, endpoint=False)
>>> signal = np.sin(2 * np.pi * t) + 0.5 * np.cos(6 * np.pi * t)
>>> round(float(high_band_energy(signal)), 12)
0.5
>>> np.round(vjpkit.grad(high_band_energy)(signal), 4) + 0.0
array([ 0.5   , -0.3536,  0.    ,  0.3536, -0.5   ,  0.3536,  0.    , -0.3536])

For a complex input the gradient is ``dL/dx - i dL/dy`` (JAX's convention); here
``L = sum(abs(z)**2) / 2`` by Parseval, so it is ``conj(z)``, and gradient descent steps
along its conjugate, ``z - lr * conj(grad)``:

>>> z = np.array([1.0 + 1.0j, 2.0 - 1.0j])
>>> vjpkit.grad(lambda z: vnp.sum(vnp.abs(vnp.fft.ifft(z)) ** 2))(z)
array([1.-1.j, 2.+1.j])
"""
from __future__ import annotations

import math
import operator
from typing import Any, Sequence

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..lax.fft import FftType
from ._core import asarray, canonical_axis, size_arg
from .shapes import moveaxis, roll
from .ufuncs import conj, multiply, true_divide

Array = Any

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq",
           "rfftn"]

_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _check_norm(norm) -> None:
  if norm not in _NORMS:
    raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')


def _check_out(out, who: str) -> None:
  if out is not None:
    raise TypeError(f"vjpkit.numpy.fft.{who}: out= is not supported (vjpkit arrays are "
                    "immutable): use the returned array instead")


def _scale(fft_type: FftType, norm, n: int) -> float | None:
  """The factor that turns the primitive's result (NumPy's ``"backward"`` scaling) into
  ``norm``'s; None for 1."""
  inverse = fft_type in (FftType.IFFT, FftType.IRFFT)
  if norm in (None, "backward") or n == 1:
    return None
  if norm == "ortho":
    return math.sqrt(n) if inverse else 1 / math.sqrt(n)
  return float(n) if inverse else 1 / n


def _input(a, fft_type: FftType, who: str):
  """``a`` as an array of the dtype the transform reads: complex for FFT/IFFT/IRFFT,
  floating for RFFT (float16 computes in float32, integers in float64, as in NumPy)."""
  a = asarray(a)
  dtype = get_aval(a).dtype
  target: np.dtype
  if fft_type == FftType.RFFT:
    if dtype.kind == "c":
      raise TypeError(f"vjpkit.numpy.fft.{who} needs a real input, got {dtype.name} (NumPy "
                      "rejects it too): use fft for complex input, or apply it to real(x)")
    target = np.dtype(np.float32) if dtype in (np.float16, np.float32) else np.dtype(np.float64)
  elif dtype.kind == "c":
    target = dtype
  else:
    target = np.dtype(np.complex64) if dtype in (np.float16, np.float32) else (
        np.dtype(np.complex128))
  return lax.convert_element_type(a, target)


def _fit(a, sizes: Sequence[int]):
  """The trailing ``len(sizes)`` axes of ``a`` cropped or zero-padded (at the end) to
  ``sizes``, as NumPy's ``n``/``s`` do."""
  aval = get_aval(a)
  lead = aval.ndim - len(sizes)
  have = aval.shape[lead:]
  if any(n < h for n, h in zip(sizes, have)):
    limits = aval.shape[:lead] + tuple(min(n, h) for n, h in zip(sizes, have))
    a = lax.slice(a, (0,) * aval.ndim, limits)
    have = limits[lead:]
  if any(n > h for n, h in zip(sizes, have)):
    config = [(0, 0, 0)] * lead + [(0, max(n - h, 0), 0) for n, h in zip(sizes, have)]
    a = lax.pad(a, np.zeros((), aval.dtype), config)
  return a


def _axes_and_sizes(a, s, axes, fft_type: FftType, who: str):
  """NumPy's ``_cook_nd_args``: the canonical axes and the transform length of each."""
  ndim = get_aval(a).ndim
  shape = get_aval(a).shape
  if s is not None:
    s = [-1 if isinstance(n, (int, np.integer)) and n == -1 else size_arg(n, f"fft.{who}", "s")
         for n in (tuple(s) if isinstance(s, (list, tuple, np.ndarray)) else (s,))]  # -1: all
  if axes is None:
    axes = list(range(ndim)) if s is None else list(range(-len(s), 0))
  elif not isinstance(axes, (list, tuple, np.ndarray, range)):
    axes = [axes]
  axes = [canonical_axis(operator.index(ax), ndim) for ax in axes]
  if s is None:
    s = [shape[ax] for ax in axes]
    if fft_type == FftType.IRFFT and axes:
      s[-1] = 2 * (shape[axes[-1]] - 1)
  elif len(s) != len(axes):
    raise ValueError("Shape and axes have different lengths.")
  s = [shape[ax] if n == -1 else n for n, ax in zip(s, axes)]
  for n in s:
    if n < 1:
      raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
  return axes, s


def _transform(a, fft_type: FftType, axes: list[int], s: list[int], norm):
  """The transform over distinct ``axes`` with lengths ``s``: one ``lax.fft``."""
  ndim, k = get_aval(a).ndim, len(axes)
  trailing = list(range(ndim - k, ndim))
  a = moveaxis(a, axes, trailing) if axes != trailing else a
  in_sizes = list(s)
  if fft_type == FftType.IRFFT:
    in_sizes[-1] = s[-1] // 2 + 1
  out = lax.fft(_fit(a, in_sizes), fft_type, tuple(s))
  factor = _scale(fft_type, norm, math.prod(s))
  if factor is not None:
    out = lax.mul(out, np.array(factor, get_aval(out).dtype))
  return moveaxis(out, trailing, axes) if axes != trailing else out


def _fftn(who: str, fft_type: FftType, a, s, axes, norm, out):
  _check_out(out, who)
  _check_norm(norm)
  a = asarray(a)
  axes, s = _axes_and_sizes(a, s, axes, fft_type, who)
  if not axes:  # nothing to transform: NumPy returns the input
    return a
  a = _input(a, fft_type, who)
  if len(set(axes)) == len(axes):
    return _transform(a, fft_type, axes, s, norm)
  # a repeated axis: one axis at a time, in NumPy's order
  one = [[ax] for ax in axes]
  if fft_type in (FftType.FFT, FftType.IFFT):
    for ax, n in reversed(list(zip(one, s))):
      a = _transform(a, fft_type, ax, [n], norm)
  elif fft_type == FftType.RFFT:
    a = _transform(a, FftType.RFFT, one[-1], [s[-1]], norm)
    for ax, n in zip(one[:-1], s[:-1]):
      a = _transform(a, FftType.FFT, ax, [n], norm)
  else:
    for ax, n in zip(one[:-1], s[:-1]):
      a = _transform(a, FftType.IFFT, ax, [n], norm)
    a = _transform(a, FftType.IRFFT, one[-1], [s[-1]], norm)
  return a


def _one_axis(n, axis, who: str):
  if not isinstance(axis, (int, np.integer)):
    raise TypeError(f"vjpkit.numpy.fft.{who}: axis must be an integer, got {axis!r} (use "
                    f"{who}n with axes= for several axes)")
  return (None if n is None else (size_arg(n, f"fft.{who}", "n"),)), (axis,)


# -- complex transforms --------------------------------------------------------------

def fft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
        out: None = None) -> Array:
  """The one-dimensional discrete Fourier transform along ``axis``, cropped or zero-padded
  to length ``n``.

  >>> fft(np.array([1.0, 2.0, 3.0, 4.0]))
  array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
  >>> fft(np.array([1.0, 2.0]), n=4, norm="ortho")
  array([ 1.5+0.j,  0.5-1.j, -0.5+0.j,  0.5+1.j])
  """
  s, axes = _one_axis(n, axis, "fft")
  return _fftn("fft", FftType.FFT, a, s, axes, norm, out)


def ifft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: None = None) -> Array:
  """The one-dimensional inverse discrete Fourier transform (``ifft(fft(a)) == a``).

  >>> ifft(np.array([10.0, -2 + 2j, -2.0, -2 - 2j]))
  array([1.+0.j, 2.+0.j, 3.+0.j, 4.+0.j])
  """
  s, axes = _one_axis(n, axis, "ifft")
  return _fftn("ifft", FftType.IFFT, a, s, axes, norm, out)


def fftn(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
         norm: str | None = None, out: None = None) -> Array:
  """The n-dimensional discrete Fourier transform over ``axes`` (all by default; the last
  ``len(s)`` when only ``s`` is given), each cropped or zero-padded to ``s``.

  >>> fftn(np.array([[1.0, 2.0], [3.0, 4.0]]))
  array([[10.+0.j, -2.+0.j],
         [-4.+0.j,  0.+0.j]])
  """
  return _fftn("fftn", FftType.FFT, a, s, axes, norm, out)


def ifftn(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out: None = None) -> Array:
  """The n-dimensional inverse discrete Fourier transform (the inverse of ``fftn``).

  >>> ifftn(np.array([[10.0, -2.0], [-4.0, 0.0]])).real
  array([[1., 2.],
         [3., 4.]])
  """
  return _fftn("ifftn", FftType.IFFT, a, s, axes, norm, out)


def fft2(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
         norm: str | None = None, out: None = None) -> Array:
  """The two-dimensional discrete Fourier transform: ``fftn`` over the last two axes.

  >>> fft2(np.ones((2, 2)))
  array([[4.+0.j, 0.+0.j],
         [0.+0.j, 0.+0.j]])
  """
  return _fftn("fft2", FftType.FFT, a, s, axes, norm, out)


def ifft2(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out: None = None) -> Array:
  """The two-dimensional inverse discrete Fourier transform: ``ifftn`` over the last two
  axes.

  >>> ifft2(np.array([[4.0, 0.0], [0.0, 0.0]])).real
  array([[1., 1.],
         [1., 1.]])
  """
  return _fftn("ifft2", FftType.IFFT, a, s, axes, norm, out)


# -- real transforms -----------------------------------------------------------------

def rfft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: None = None) -> Array:
  """The discrete Fourier transform of a real ``a`` along ``axis``: the ``n // 2 + 1``
  non-negative frequencies (the others are their complex conjugates).

  >>> rfft(np.array([1.0, 2.0, 3.0, 4.0]))
  array([10.+0.j, -2.+2.j, -2.+0.j])
  """
  s, axes = _one_axis(n, axis, "rfft")
  return _fftn("rfft", FftType.RFFT, a, s, axes, norm, out)


def irfft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: None = None) -> Array:
  """The inverse of ``rfft``: a real signal of length ``n`` (``2 * (m - 1)`` by default,
  for ``m`` input frequencies; pass ``n`` to recover an odd length) from its non-negative
  frequencies. The imaginary parts of the zero (and, for even ``n``, the Nyquist) frequency
  are ignored, as in NumPy.

  >>> irfft(np.array([10.0, -2 + 2j, -2.0]))
  array([1., 2., 3., 4.])
  >>> irfft(rfft(np.array([1.0, 2.0, 3.0])), n=3)
  array([1., 2., 3.])
  """
  s, axes = _one_axis(n, axis, "irfft")
  return _fftn("irfft", FftType.IRFFT, a, s, axes, norm, out)


def rfftn(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out: None = None) -> Array:
  """The n-dimensional discrete Fourier transform of a real ``a``: ``rfft`` over the last of
  ``axes``, then ``fft`` over the others.

  >>> rfftn(np.ones((2, 4))).shape
  (2, 3)
  """
  return _fftn("rfftn", FftType.RFFT, a, s, axes, norm, out)


def irfftn(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
           norm: str | None = None, out: None = None) -> Array:
  """The inverse of ``rfftn``: a real array of shape ``s`` along ``axes`` (the last one
  ``2 * (m - 1)`` by default; pass ``s`` to recover an odd length).

  >>> x = np.arange(6.0).reshape(2, 3)
  >>> bool(np.allclose(irfftn(rfftn(x), s=x.shape), x))
  True
  """
  return _fftn("irfftn", FftType.IRFFT, a, s, axes, norm, out)


def rfft2(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out: None = None) -> Array:
  """``rfftn`` over the last two axes.

  >>> rfft2(np.ones((2, 4)))
  array([[8.+0.j, 0.+0.j, 0.+0.j],
         [0.+0.j, 0.+0.j, 0.+0.j]])
  """
  return _fftn("rfft2", FftType.RFFT, a, s, axes, norm, out)


def irfft2(a: Array, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
           norm: str | None = None, out: None = None) -> Array:
  """``irfftn`` over the last two axes.

  >>> irfft2(np.array([[8.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
  array([[1., 1., 1., 1.],
         [1., 1., 1., 1.]])
  """
  return _fftn("irfft2", FftType.IRFFT, a, s, axes, norm, out)


def hfft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: None = None) -> Array:
  """The FFT of a signal with Hermitian symmetry, given by its first half ``a``: a real
  spectrum of length ``n`` (``2 * (m - 1)`` by default). ``irfft(conj(a))`` with the
  opposite normalisation, as in NumPy.

  >>> hfft(np.array([1.0, 2.0, 3.0]))
  array([ 8., -2.,  0., -2.])
  """
  _check_out(out, "hfft")
  _check_norm(norm)
  s, axes = _one_axis(n, axis, "hfft")
  return _fftn("hfft", FftType.IRFFT, conj(asarray(a)), s, axes, _SWAP[norm], None)


def ihfft(a: Array, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: None = None) -> Array:
  """The inverse of ``hfft``: the first half of the Hermitian-symmetric inverse FFT of a real
  ``a``. ``conj(rfft(a))`` with the opposite normalisation, as in NumPy.

  >>> ihfft(np.array([8.0, -2.0, 0.0, -2.0]))
  array([1.-0.j, 2.-0.j, 3.-0.j])
  """
  _check_out(out, "ihfft")
  _check_norm(norm)
  s, axes = _one_axis(n, axis, "ihfft")
  return conj(_fftn("ihfft", FftType.RFFT, a, s, axes, _SWAP[norm], None))


# -- frequencies and shifts ----------------------------------------------------------

def fftfreq(n: int, d: Array = 1.0, device: None = None) -> Array:
  """The sample frequencies of ``fft``'s bins for ``n`` samples spaced ``d`` apart:
  ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (n d)``.

  >>> fftfreq(5, d=0.1)
  array([ 0.,  2.,  4., -4., -2.])
  """
  n = size_arg(n, "fft.fftfreq", "n")
  k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
  return multiply(k, true_divide(1.0, multiply(n, d)))


def rfftfreq(n: int, d: Array = 1.0, device: None = None) -> Array:
  """The sample frequencies of ``rfft``'s bins: ``[0, 1, ..., n // 2] / (n d)``.

  >>> rfftfreq(5, d=0.1)
  array([0., 2., 4.])
  """
  n = size_arg(n, "fft.rfftfreq", "n")
  return multiply(np.arange(0, n // 2 + 1), true_divide(1.0, multiply(n, d)))


def _shift_axes(x, axes) -> list[int]:
  ndim = get_aval(x).ndim
  if axes is None:
    return list(range(ndim))
  return [canonical_axis(operator.index(ax), ndim) for ax in
          (tuple(axes) if isinstance(axes, (list, tuple, np.ndarray, range)) else (axes,))]


def fftshift(x: Array, axes: int | Sequence[int] | None = None) -> Array:
  """``x`` rolled so that the zero frequency is in the middle of ``axes`` (all by default).

  >>> fftshift(fftfreq(5))
  array([-0.4, -0.2,  0. ,  0.2,  0.4])
  """
  x = asarray(x)
  dims = _shift_axes(x, axes)
  shape = get_aval(x).shape
  return roll(x, [shape[ax] // 2 for ax in dims], dims) if dims else x


def ifftshift(x: Array, axes: int | Sequence[int] | None = None) -> Array:
  """The inverse of ``fftshift`` (they differ for odd lengths).

  >>> ifftshift(fftshift(np.arange(5.0)))
  array([0., 1., 2., 3., 4.])
  """
  x = asarray(x)
  dims = _shift_axes(x, axes)
  shape = get_aval(x).shape
  return roll(x, [-(shape[ax] // 2) for ax in dims], dims) if dims else x
