"""Shape functions of vjpkit.numpy, one row each: values equal NumPy's, JVP vs finite
differences, VJP vs JVP, second order (all are linear, so this checks the transposes).

A row is ``name: (call(module, *arrays), argument shapes)``; ``module`` is ``numpy``
or ``vjpkit.numpy``, so one lambda serves both.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import check_module_row, seeds

A, M, T = (2, 3), (3, 3), (2, 3, 4)
TABLE = {
    "reshape": (lambda m, x: m.reshape(x, (3, -1)), [A]),
    "ravel": (lambda m, x: m.ravel(x), [T]),
    "transpose": (lambda m, x: m.transpose(x, (2, 0, 1)), [T]),
    "moveaxis": (lambda m, x: m.moveaxis(x, 0, -1), [T]),
    "moveaxis_several": (lambda m, x: m.moveaxis(x, [0, -1], [-1, 0]), [T]),
    "swapaxes": (lambda m, x: m.swapaxes(x, 0, 2), [T]),
    "squeeze": (lambda m, x: m.squeeze(x, 1), [(2, 1, 3)]),
    "expand_dims": (lambda m, x: m.expand_dims(x, (0, 3)), [A]),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (4, 2, 3)), [(2, 1)]),
    "broadcast_arrays": (lambda m, x, y: m.broadcast_arrays(x, y), [(2, 1), (3,)]),
    "concatenate": (lambda m, x, y: m.concatenate([x, y], axis=1), [A, (2, 1)]),
    "concatenate_flat": (lambda m, x, y: m.concatenate([x, y], axis=None), [A, ()]),
    "stack": (lambda m, x, y: m.stack([x, y], axis=-1), [A, A]),
    "hstack": (lambda m, x, y: m.hstack([x, y]), [A, (2, 2)]),
    "vstack": (lambda m, x, y: m.vstack([x, y]), [(3,), A]),
    "dstack": (lambda m, x, y: m.dstack([x, y]), [A, A]),
    "column_stack": (lambda m, x, y: m.column_stack([x, y]), [(2,), (2, 2)]),
    "append": (lambda m, x, y: m.append(x, y), [A, (3,)]),
    "split": (lambda m, x: m.split(x, [1, 3], axis=2), [T]),
    "array_split": (lambda m, x: m.array_split(x, 3, axis=-1), [T]),
    "hsplit": (lambda m, x: m.hsplit(x, 3), [A]),
    "vsplit": (lambda m, x: m.vsplit(x, 2), [A]),
    "tile": (lambda m, x: m.tile(x, (2, 1, 2)), [A]),
    "repeat": (lambda m, x: m.repeat(x, 2, axis=1), [A]),
    "repeat_counts": (lambda m, x: m.repeat(x, [2, 0, 1], axis=1), [A]),
    "repeat_flat": (lambda m, x: m.repeat(x, 2), [A]),
    "flip": (lambda m, x: m.flip(x, (0, 2)), [T]),
    "fliplr": (lambda m, x: m.fliplr(x), [A]),
    "flipud": (lambda m, x: m.flipud(x), [A]),
    "rot90": (lambda m, x: m.rot90(x, 3), [A]),
    "roll": (lambda m, x: m.roll(x, (1, -2), axis=(0, 2)), [T]),
    "roll_flat": (lambda m, x: m.roll(x, 4), [A]),
    "pad": (lambda m, x: m.pad(x, ((1, 0), (2, 1))), [A]),
    "pad_value": (lambda m, x, v: m.pad(x, 1, constant_values=v), [A, ()]),
    "triu": (lambda m, x: m.triu(x, 1), [T]),
    "tril": (lambda m, x: m.tril(x, -1), [(3, 4)]),
    "diag": (lambda m, x: m.diag(x, -1), [(3,)]),
    "diag_of_matrix": (lambda m, x: m.diag(x, 1), [(3, 4)]),
    "diagflat": (lambda m, x: m.diagflat(x), [A]),
    "diagonal": (lambda m, x: m.diagonal(x, 1, 2, 0), [T]),
    "diagonal_negative": (lambda m, x: m.diagonal(x, -1), [(4, 3)]),
    "trace": (lambda m, x: m.trace(x, 0, 1, 2), [T]),
    "atleast_1d": (lambda m, x: m.atleast_1d(x), [()]),
    "atleast_2d": (lambda m, x: m.atleast_2d(x), [(3,)]),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), [A]),
    "copy": (lambda m, x: m.copy(x), [A]),
    "linspace": (lambda m, a, b: m.linspace(a, b, 5), [(), (2,)]),
    "linspace_axis": (lambda m, a, b: m.linspace(a, b, 4, endpoint=False, axis=-1), [(2,), (2,)]),
    "meshgrid": (lambda m, x, y: m.meshgrid(x, y), [(3,), (2,)]),
    "meshgrid_ij": (lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [(3,), (2,)]),
    "full_like": (lambda m, x, v: m.full_like(x, v), [A, ()]),
}


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=5)
@given(seed=seeds)
def test_values_and_derivatives(name, seed):
  call, shapes = TABLE[name]
  check_module_row(call, shapes, seed)


def test_errors_name_the_problem():
  x = np.ones((2, 3))
  with pytest.raises(ValueError, match="equal division"):
    vnp.split(x, 2, axis=1)
  with pytest.raises(NotImplementedError, match="constant"):
    vnp.pad(x, 1, mode="reflect")
  with pytest.raises(ValueError, match="reshape"):
    vnp.reshape(x, (4, -1))
  with pytest.raises(TypeError, match="concrete"):
    import vjpkit
    vjpkit.vmap(lambda n: vnp.arange(n))(np.arange(3))


def test_copy_and_array_return_fresh_arrays_asarray_shares():
  # vnp.copy and vnp.array returned x itself eagerly: writing to the "copy" changed x
  x = np.arange(3.0)
  for y in (vnp.copy(x), vnp.array(x), vnp.array(x, ndmin=2), vnp.array(x, np.float32),
            vnp.copy([1.0, 2.0])):
    assert not np.shares_memory(x, y) and y.flags.writeable
    y[..., 0] = 7.0
  np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])
  for y in (vnp.asarray(x), vnp.array(x, copy=None), vnp.array(x, copy=False)):
    assert y is x  # NumPy's semantics: no copy when none is needed
  with pytest.raises(ValueError):
    vnp.array(x, np.float32, copy=False)
  assert vnp.array(x, ndmin=2).shape == (1, 3) and vnp.copy(2.0).shape == ()
  # traced values are immutable: returned as they are, and differentiable
  g = vjpkit.grad(lambda x: vnp.sum(vnp.array(x, ndmin=2) * vnp.copy(x) + vnp.array([x, x])))
  np.testing.assert_array_equal(g(np.ones(2)), [6.0, 6.0])  # (1, 2) * (2,) + (2, 2)
  assert vjpkit.jit(lambda x: vnp.array(x, ndmin=3))(np.ones(2)).shape == (1, 1, 2)
