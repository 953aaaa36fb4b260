"""Argument handling shared by vjpkit.scipy.linalg: dtypes, shapes and batch broadcasting.

Integer and bool inputs become float64 and float16 becomes float32, as in
SciPy; complex inputs raise (real matrices only). Matrices may carry leading
batch dimensions, which broadcast between operands.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import lax
from ...core.avals import get_aval
from ...numpy._core import asarray, convert
from ...numpy.shapes import broadcast_to

__all__ = ["broadcast_batch", "factor_pair", "float_arg", "matrix_arg", "rhs_arg", "same_dtype",
           "unvector"]


def float_arg(x: Any, who: str, name: str = "a"):
  """``x`` as a float32/float64 array, promoted as SciPy does; complex raises."""
  x = asarray(x)
  dtype = get_aval(x).dtype
  if dtype.kind == "c":
    raise TypeError(f"vjpkit.scipy.linalg.{who}: complex input ('{name}' has dtype "
                    f"{dtype.name}) is not supported; pass real arrays")
  if dtype.kind == "f" and dtype != np.float16:
    return x
  if dtype.kind not in "biuf":
    raise TypeError(f"vjpkit.scipy.linalg.{who}: '{name}' has dtype {dtype.name}; pass a real "
                    "numeric array")
  return convert(x, np.dtype(np.float32 if dtype == np.float16 else np.float64))


def matrix_arg(x: Any, who: str, name: str = "a", square: bool = True):
  """A (stack of) matrices, with SciPy's ValueError for anything else."""
  x = float_arg(x, who, name)
  shape = get_aval(x).shape
  if len(shape) < 2:
    raise ValueError(f"vjpkit.scipy.linalg.{who}: '{name}' must be at least 2-D (a matrix or a "
                     f"stack of matrices), got shape {shape}")
  if square and shape[-1] != shape[-2]:
    raise ValueError(f"vjpkit.scipy.linalg.{who}: expected square matrices for '{name}', got "
                     f"shape {shape}")
  return x


def factor_pair(pair: Any, who: str, names: str, factor: str) -> tuple:
  """The two parts of the ``pair`` (named ``names``, e.g. ``"(c, lower)"``) that ``factor``
  returns, with a TypeError for anything else.

  >>> factor_pair((1.0, True), "cho_solve", "(c, lower)", "cho_factor")
  (1.0, True)
  """
  try:
    first, second = pair
  except (TypeError, ValueError):
    raise TypeError(f"vjpkit.scipy.linalg.{who}: the first argument must be the pair "
                    f"{names} that {factor} returns") from None
  return first, second


def same_dtype(*xs):
  """The arrays converted to their common float dtype."""
  dtype = np.result_type(*[get_aval(x).dtype for x in xs])
  return [convert(x, dtype) for x in xs]


def broadcast_batch(a, b, core_a: int = 2, core_b: int = 2):
  """``a`` and ``b`` with their leading (batch) dimensions broadcast against each other."""
  sa, sb = get_aval(a).shape, get_aval(b).shape
  ba, bb = sa[:len(sa) - core_a], sb[:len(sb) - core_b]
  batch = np.broadcast_shapes(ba, bb)
  return (broadcast_to(a, batch + sa[len(ba):]), broadcast_to(b, batch + sb[len(bb):]))


def rhs_arg(a, b: Any, who: str):
  """``(a, b, vector)``: a right-hand side ``b`` for square ``a (..., n, n)``, as matrices
  ``(..., n, k)`` with the batch dimensions of both broadcast. ``b`` is a (stack of) vector(s)
  when it has one dimension less than ``a`` (JAX's rule; for a single matrix, SciPy's)."""
  b = float_arg(b, who, "b")
  a, b = same_dtype(a, b)
  na, nb = get_aval(a).ndim, get_aval(b).ndim
  vector = nb == na - 1 or nb == 1
  if vector:
    b = lax.expand_dims(b, (nb,))
  n = get_aval(a).shape[-1]
  shape = get_aval(b).shape
  if shape[-2] != n:
    raise ValueError(f"vjpkit.scipy.linalg.{who}: incompatible dimensions: 'a' is "
                     f"{get_aval(a).shape} and 'b' {shape[:-1] if vector else shape} "
                     f"(b needs {n} rows)")
  a, b = broadcast_batch(a, b)
  return a, b, vector


def unvector(x, vector: bool):
  """Undo the column added by ``rhs_arg`` for a vector right-hand side."""
  return lax.squeeze(x, (get_aval(x).ndim - 1,)) if vector else x
