"""Products of vjpkit.numpy, one row each: values equal NumPy's, JVP vs finite
differences, VJP vs JVP, second order (bilinear: the second derivative is the cross term).

A row is ``name: (call(module, *arrays), argument shapes)``; einsum rows cover
matrix products, traces, diagonals, outer products, ellipses and three operands.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import check_module_row, seeds


def _einsum(spec):
  return lambda m, *xs: m.einsum(spec, *xs)


TABLE = {
    "dot_vv": (lambda m, a, b: m.dot(a, b), [(3,), (3,)]),
    "dot_nd": (lambda m, a, b: m.dot(a, b), [(2, 3, 4), (5, 4, 2)]),
    "dot_scalar": (lambda m, a, b: m.dot(a, b), [(), (2, 3)]),
    "vdot": (lambda m, a, b: m.vdot(a, b), [(2, 3), (6,)]),
    "inner": (lambda m, a, b: m.inner(a, b), [(2, 3), (4, 3)]),
    "outer": (lambda m, a, b: m.outer(a, b), [(2, 2), (3,)]),
    "matmul": (lambda m, a, b: m.matmul(a, b), [(2, 1, 3, 4), (5, 4, 2)]),
    "matmul_vec": (lambda m, a, b: m.matmul(a, b), [(4,), (3, 4, 2)]),
    "tensordot_int": (lambda m, a, b: m.tensordot(a, b, 2), [(2, 3, 4), (3, 4, 5)]),
    "tensordot_axes": (lambda m, a, b: m.tensordot(a, b, ([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)]),
    "tensordot_0": (lambda m, a, b: m.tensordot(a, b, 0), [(2,), (3,)]),
    "kron": (lambda m, a, b: m.kron(a, b), [(2, 3), (2, 2)]),
    "kron_ranks": (lambda m, a, b: m.kron(a, b), [(3,), (2, 2)]),
    "einsum_matmul": (_einsum("ij,jk->ik"), [(2, 3), (3, 4)]),
    "einsum_implicit": (_einsum("ij,jk"), [(2, 3), (3, 4)]),
    "einsum_trace": (_einsum("ii"), [(3, 3)]),
    "einsum_diag": (_einsum("ii->i"), [(3, 3)]),
    "einsum_sum": (_einsum("ijk->j"), [(2, 3, 4)]),
    "einsum_transpose": (_einsum("ijk->kij"), [(2, 3, 4)]),
    "einsum_outer": (_einsum("i,j->ij"), [(2,), (3,)]),
    "einsum_batch": (_einsum("bij,bjk->bik"), [(2, 3, 4), (2, 4, 2)]),
    "einsum_ellipsis": (_einsum("...ij,...jk->...ik"), [(2, 3, 4), (4, 2)]),
    "einsum_ellipsis_bcast": (_einsum("...i,...i->..."), [(2, 1, 3), (4, 3)]),
    "einsum_three": (_einsum("ij,jk,kl->il"), [(2, 3), (3, 4), (4, 2)]),
    "einsum_three_shared": (_einsum("ij,ij,ij->i"), [(2, 3), (2, 3), (2, 3)]),
    "einsum_repeat_two": (_einsum("iij,jk->ik"), [(3, 3, 2), (2, 4)]),
    "einsum_bilinear": (_einsum("i,ij,j"), [(3,), (3, 4), (4,)]),
    "einsum_spaces": (_einsum("ab, bc -> ca"), [(2, 3), (3, 2)]),
    "einsum_empty_contraction": (_einsum("ij,j->i"), [(2, 0), (0,)]),
}


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=5)
@given(seed=seeds)
def test_values_and_derivatives(name, seed):
  call, shapes = TABLE[name]
  check_module_row(call, shapes, seed, rtol=1e-10)


def test_integer_and_mixed_dtypes():
  i = np.arange(6).reshape(2, 3)
  assert vnp.dot(i, i.T).dtype == np.dot(i, i.T).dtype
  assert vnp.einsum("ij,ij->", i, i) == np.einsum("ij,ij->", i, i)
  assert vnp.matmul(i.astype(np.float32), np.ones(3, np.float32)).dtype == np.float32


def test_einsum_errors():
  with pytest.raises(ValueError, match="subscripts"):
    vnp.einsum("ij->i", np.ones(3))
  with pytest.raises(ValueError, match="output"):
    vnp.einsum("ij->k", np.ones((2, 2)))


def test_einsum_under_vmap_and_grad():
  a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(2, 3, 2)
  out = vjpkit.vmap(lambda x, y: vnp.einsum("i,ij->j", x, y))(a, b)
  np.testing.assert_allclose(out, np.einsum("bi,bij->bj", a, b))
  g = vjpkit.grad(lambda x: vnp.einsum("ii", x))(np.ones((3, 3)))
  np.testing.assert_array_equal(g, np.eye(3))


@pytest.mark.parametrize("name", ["dot", "vdot", "inner", "outer", "kron", "matmul", "vecdot",
                                  "matvec", "tensordot"])
def test_products_of_booleans_are_booleans_as_numpy(name):
  # NumPy (and JAX): the `or` of the `and`s, a boolean; they were counts (int64)
  a = np.array([[True, False, True], [False, True, True], [False, False, False]])
  args = {"vdot": (a, a), "outer": (a[0], a[1]), "kron": (a, a[:2]), "matvec": (a, a[0]),
          "vecdot": (a, a[1]), "tensordot": (a, a)}.get(name, (a, a.T))
  ref = getattr(np, name)(*args)
  for fn in (getattr(vnp, name), vjpkit.jit(getattr(vnp, name))):
    out = fn(*args)
    assert np.asarray(out).dtype == np.bool_ and type(out) is type(ref) or not np.isscalar(ref)
    np.testing.assert_array_equal(out, ref, strict=not np.isscalar(ref))
  # a boolean with a number is a number, as NumPy
  np.testing.assert_array_equal(getattr(vnp, name)(args[0], np.ones_like(args[1], float)),
                                getattr(np, name)(args[0], np.ones_like(args[1], float)))
