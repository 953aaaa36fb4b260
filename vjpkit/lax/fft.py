"""The discrete Fourier transform: one primitive, ``fft_p``, with JAX's ``FftType``s.

``fft(x, fft_type, fft_lengths)`` transforms the trailing ``len(fft_lengths)`` axes of
``x``:

* ``FFT``/``IFFT``: complex to complex, ``numpy.fft.fftn``/``ifftn`` (IFFT scaled by
  ``1/N``, ``N = prod(fft_lengths)``); the trailing axes of ``x`` are ``fft_lengths``.
* ``RFFT``: real to complex, ``numpy.fft.rfftn``: the last axis of the result holds the
  non-negative frequencies only, ``fft_lengths[-1] // 2 + 1`` of them.
* ``IRFFT``: complex to real, ``numpy.fft.irfftn`` with ``s=fft_lengths``: the input's last
  axis is such a half spectrum (``fft_lengths[-1] // 2 + 1`` entries), the result's trailing
  axes are ``fft_lengths``. The imaginary parts of the bins that must be real (the zero
  frequency, and the Nyquist frequency of an even length) are ignored, as NumPy does.

Precision is kept: complex64 and float32 inputs give complex64/float32 results. The
primitive is linear, so its JVP is itself; its transposes are JAX's, under JAX's bilinear
pairing ``Re(sum(u * v))`` with no conjugation: the DFT matrix is symmetric, so ``FFT`` and
``IFFT`` are their own transposes, and the real transforms weigh each half-spectrum bin by
how often it stands for a pair of bins of the full spectrum (twice, except the zero and
Nyquist frequencies).

>>> x = np.array([1.0, 2.0, 0.0, -1.0])
>>> fft(x, "rfft", (4,))
array([2.+0.j, 1.-3.j, 0.+0.j])
>>> fft(fft(x, FftType.RFFT, (4,)), FftType.IRFFT, (4,))
array([ 1.,  2.,  0., -1.])
"""
from __future__ import annotations

import enum
import math
from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.trace import Tracer
from ..interpreters.codegen import Emit
from ..interpreters.jvp import deflinear
from . import elementwise as ew
from . import shapes
from ._declare import complex_dtype, real_dtype

__all__ = ["FftType", "fft", "fft_p"]


class FftType(enum.IntEnum):
  """Which transform ``fft`` computes (JAX's ``jax.lax.FftType``)."""

  FFT = 0
  """Forward complex-to-complex transform."""
  IFFT = 1
  """Inverse complex-to-complex transform (scaled by ``1/N``)."""
  RFFT = 2
  """Forward real-to-complex transform (the non-negative frequencies of the last axis)."""
  IRFFT = 3
  """Inverse complex-to-real transform of such a half spectrum."""

  def __repr__(self) -> str:
    return f"FftType.{self.name}"

  __str__ = __repr__


def _fft_type(fft_type) -> FftType:
  if isinstance(fft_type, FftType):
    return fft_type
  if isinstance(fft_type, str) and fft_type.upper() in FftType.__members__:
    return FftType[fft_type.upper()]
  raise ValueError(f"lax.fft: unknown FFT type {fft_type!r}: use a vjpkit.lax.FftType "
                   "(FFT, IFFT, RFFT, IRFFT) or one of the strings 'fft', 'ifft', 'rfft', 'irfft'")


def _axes(fft_lengths) -> tuple[int, ...]:
  return tuple(range(-len(fft_lengths), 0))


_NUMPY_FUNCTIONS: dict[FftType, Callable[..., np.ndarray]] = {FftType.FFT: np.fft.fftn, FftType.IFFT: np.fft.ifftn,
                    FftType.RFFT: np.fft.rfftn, FftType.IRFFT: np.fft.irfftn}


def _fft_impl(x, *, fft_type: FftType, fft_lengths: tuple[int, ...]):
  x, axes = np.asarray(x), _axes(fft_lengths)
  out_aval = _fft_abstract_eval(ShapedArray(x.shape, x.dtype), fft_type=fft_type,
                                fft_lengths=fft_lengths)
  if fft_type == FftType.IRFFT:
    out = np.fft.irfftn(x, s=fft_lengths, axes=axes)
  else:
    out = _NUMPY_FUNCTIONS[fft_type](x, axes=axes)
  return out.astype(out_aval.dtype, copy=False)  # NumPy 1.x computes in double precision


def _fft_abstract_eval(x: ShapedArray, *, fft_type: FftType,
                       fft_lengths: tuple[int, ...]) -> ShapedArray:
  k = len(fft_lengths)
  if not 1 <= k <= x.ndim:
    raise TypeError(f"fft: fft_lengths {fft_lengths} must name between 1 and {x.ndim} (the "
                    f"rank of the operand {x.str_short()}) trailing axes")
  if any(n < 1 for n in fft_lengths):
    raise TypeError(f"fft: fft_lengths {fft_lengths} must be positive")
  lead, trail = x.shape[:-k], x.shape[-k:]
  if fft_type == FftType.RFFT:
    if x.dtype not in (np.float32, np.float64):
      raise TypeError(f"fft: RFFT needs a float32 or float64 operand, got {x.str_short()}")
    if trail != fft_lengths:
      raise TypeError(f"fft: RFFT operand {x.str_short()} must end in fft_lengths {fft_lengths}")
    return ShapedArray(lead + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,),
                       complex_dtype(x.dtype))
  if x.dtype.kind != "c":
    raise TypeError(f"fft: {fft_type.name} needs a complex64 or complex128 operand, got "
                    f"{x.str_short()}")
  if fft_type == FftType.IRFFT:
    half = fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,)
    if trail != half:
      raise TypeError(f"fft: IRFFT operand {x.str_short()} must end in {half} (fft_lengths "
                      f"{fft_lengths}, the last one halved: n // 2 + 1)")
    return ShapedArray(lead + fft_lengths, real_dtype(x.dtype))
  if trail != fft_lengths:
    raise TypeError(f"fft: {fft_type.name} operand {x.str_short()} must end in fft_lengths "
                    f"{fft_lengths}")
  return ShapedArray(x.shape, x.dtype)


def _half_spectrum_weights(aval: ShapedArray, n: int, single: float, pair: float):
  """A constant of ``aval`` (a half spectrum of a last axis of length ``n``) that is
  ``single`` at the zero frequency (and at the Nyquist frequency of an even ``n``) and
  ``pair`` at the other bins, each of which stands for two bins of the full spectrum."""
  m = aval.shape[-1]
  w = np.full(m, pair, aval.dtype)
  w[0] = single
  if n % 2 == 0:
    w[-1] = single
  return shapes.broadcast_in_dim(w, aval.shape, (aval.ndim - 1,))


def _rfft_transpose(ct, fft_lengths):
  # <ct, rfft(x)> = sum(x * Re(F^T ct_full)) where ct_full is ct with the negative
  # frequencies zero: N irfft(conj(ct) / w) with w = 2 at the bins irfft doubles
  N = math.prod(fft_lengths)
  w = _half_spectrum_weights(get_aval(ct), fft_lengths[-1], N, N / 2)
  return fft_p.bind(ew.mul(ew.conj(ct), w), fft_type=FftType.IRFFT, fft_lengths=fft_lengths)


def _irfft_transpose(ct, fft_lengths):
  # irfft(y) = Re(sum_k w_k y_k exp(+2 pi i k.j / N)) / N, so its transpose is
  # conj(w * rfft(ct)) / N
  N = math.prod(fft_lengths)
  y = fft_p.bind(ct, fft_type=FftType.RFFT, fft_lengths=fft_lengths)
  return ew.conj(ew.mul(y, _half_spectrum_weights(get_aval(y), fft_lengths[-1], 1 / N, 2 / N)))


def _fft_transpose(ct, x, *, fft_type: FftType, fft_lengths: tuple[int, ...]):
  if fft_type == FftType.RFFT:
    return [_rfft_transpose(ct, fft_lengths)]
  if fft_type == FftType.IRFFT:
    return [_irfft_transpose(ct, fft_lengths)]
  return [fft_p.bind(ct, fft_type=fft_type, fft_lengths=fft_lengths)]  # F is symmetric


def _fft_batch(args, dims, *, fft_type: FftType, fft_lengths: tuple[int, ...]):
  (x,), (d,) = args, dims
  x = shapes.moveaxis(x, d, 0)  # the transform acts on trailing axes: batch in front
  return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths), 0


_KEEPS_PRECISION = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def _fft_codegen(eqn, args, env) -> Emit | None:
  if not _KEEPS_PRECISION:  # NumPy 1.x computes in double precision: call the impl
    return None
  fft_type, fft_lengths = eqn.params["fft_type"], eqn.params["fft_lengths"]
  f = _NUMPY_FUNCTIONS[fft_type]
  s = f"s={fft_lengths!r}, " if fft_type == FftType.IRFFT else ""
  return Emit(f"{env.ref(f, f.__name__)}({args[0]}, {s}axes={_axes(fft_lengths)!r})", "fresh")


fft_p = Primitive("fft", impl=_fft_impl, abstract_eval=_fft_abstract_eval)
deflinear(fft_p, _fft_transpose)
fft_p.def_batching(_fft_batch)
fft_p.def_codegen(_fft_codegen)


def fft(x: Any, fft_type: FftType | str, fft_lengths: Sequence[int]) -> Any:
  """The FFT of type ``fft_type`` over the trailing ``len(fft_lengths)`` axes of ``x``
  (``jax.lax.fft``). ``x`` is converted first: to complex for FFT/IFFT/IRFFT (float32 ->
  complex64), to floating for RFFT (complex input is an error). Empty ``fft_lengths``
  return the converted ``x``.

  >>> fft(np.array([1.0, 0.0, 0.0]), FftType.FFT, (3,))
  array([1.+0.j, 1.+0.j, 1.+0.j])
  >>> fft(np.ones((2, 3), np.complex64), "ifft", (2, 3)).dtype
  dtype('complex64')
  """
  fft_type = _fft_type(fft_type)
  fft_lengths = tuple(int(n) for n in fft_lengths)
  x = x if isinstance(x, Tracer) else np.asarray(x)
  dtype = get_aval(x).dtype
  if fft_type == FftType.RFFT:
    if dtype.kind == "c":
      raise TypeError(f"lax.fft: RFFT needs a real operand, got {dtype.name}: use FftType.FFT "
                      "for complex input")
    target = np.dtype(np.float32) if dtype in (np.float16, np.float32) else np.dtype(np.float64)
  else:
    target = complex_dtype(dtype)
  x = ew.convert_element_type(x, target)
  if not fft_lengths:
    return x
  return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths)
