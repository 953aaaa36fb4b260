"""NumPy's names that need no vjpkit code: dtypes and the scalar type hierarchy (NumPy's
own objects), ``finfo``/``iinfo``, print options, reading arrays from buffers, files and
iterables, ``euler_gamma``; and ``astype`` and ``einsum_path``, which work on traced
values too.

>>> astype(np.arange(3), np.float32)
array([0., 1., 2.], dtype=float32)
>>> finfo is np.finfo
True
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ._core import asarray

Array = Any

__all__ = ["array_repr", "array_str", "astype", "bool", "cdouble", "character", "complex_",
           "complexfloating", "csingle", "double", "dtype",
           "einsum_path", "euler_gamma", "finfo", "flexible", "float16", "float_", "floating",
           "from_dlpack", "frombuffer", "fromfile", "fromiter", "fromstring", "generic",
           "get_printoptions", "iinfo", "inexact", "int16", "int8", "int_", "integer", "load",
           "number", "object_", "printoptions", "save", "savez", "set_printoptions",
           "signedinteger", "single", "uint", "uint16", "uint32", "uint64", "uint8",
           "unsignedinteger"]

# dtypes and abstract scalar types: NumPy's objects themselves
bool = np.bool_  # noqa: A001 - NumPy's (and JAX's) name
float16, float_, double, single = np.float16, np.float64, np.float64, np.float32
int8, int16, int_ = np.int8, np.int16, np.int64
uint, uint8, uint16, uint32, uint64 = np.uint64, np.uint8, np.uint16, np.uint32, np.uint64
dtype = np.dtype
generic, number, inexact, floating = np.generic, np.number, np.inexact, np.floating
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger
character, flexible, object_ = np.character, np.flexible, np.object_
complexfloating, cdouble, csingle, complex_ = (np.complexfloating, np.complex128, np.complex64,
                                               np.complex128)

finfo, iinfo = np.finfo, np.iinfo
euler_gamma = np.euler_gamma
printoptions, get_printoptions, set_printoptions = (np.printoptions, np.get_printoptions,
                                                    np.set_printoptions)
array_repr, array_str = np.array_repr, np.array_str
frombuffer, fromfile, fromiter, fromstring = np.frombuffer, np.fromfile, np.fromiter, np.fromstring
load, save, savez = np.load, np.save, np.savez


def from_dlpack(x: Any, /, *, device: Any = None, copy: builtins.bool | None = None) -> np.ndarray:
  """An array from an object with ``__dlpack__`` (NumPy's ``from_dlpack``; host only).

  >>> from_dlpack(np.arange(2.0))
  array([0., 1.])
  """
  if device is not None:
    raise ValueError("from_dlpack: vjpkit arrays live on the host; pass device=None")
  return np.from_dlpack(x, copy=copy) if copy is not None else np.from_dlpack(x)


def astype(x: Array, dtype: Any, /, *, copy: builtins.bool = False, device: Any = None) -> Array:
  """``x`` converted to ``dtype`` (the array API's ``astype``; a traced value too). The
  derivative passes between float dtypes; a conversion to an integer has none.

  >>> astype(np.array([1.7, -1.7]), np.int32)
  array([ 1, -1], dtype=int32)
  """
  if device is not None:
    raise ValueError("astype: vjpkit arrays live on the host; pass device=None")
  x = asarray(x)
  out = lax.convert_element_type(x, np.dtype(dtype))
  if copy and out is x and isinstance(x, np.ndarray):
    return x.copy()
  return out


def einsum_path(subscripts: str, *operands: Any, optimize: Any = "greedy") -> tuple:
  """NumPy's ``einsum_path`` (the contraction order and its report) for operands of the
  given shapes; traced operands are fine (only their shapes are used).

  >>> einsum_path("ij,jk,kl->il", np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 5)))[0]
  ['einsum_path', (1, 2), (0, 1)]
  """
  if optimize is True or optimize == "auto":
    optimize = "greedy"
  shaped = [np.broadcast_to(np.zeros((), get_aval(asarray(o)).dtype), get_aval(asarray(o)).shape)
            for o in operands]
  return np.einsum_path(subscripts, *shaped, optimize=optimize)
