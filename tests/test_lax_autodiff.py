"""Every primitive, one row each: JVP vs finite differences, VJP vs JVP, second order.

Shapes, values and dtypes are drawn by hypothesis; each row says how to draw
the arguments (domain) and up to which order the primitive is smooth.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from vjpkit import lax
from vjpkit.testing.check_grads import check_grads

shapes = st.sampled_from([(), (1,), (3,), (2, 3), (2, 1, 3)])


def arrays(shape, lo=-2.0, hi=2.0, avoid=None):
  def draw(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, size=shape)
    if avoid is not None:  # keep away from non-differentiable points
      x = np.where(np.abs(x - avoid) < 0.1, x + 0.3, x)
    return x
  return st.integers(0, 2**31).map(draw)


# name -> (function of arrays, number of args, domain (lo, hi, avoid), order)
UNARY = {
    "neg": (lax.neg, (-2, 2, None), 2),
    "exp": (lax.exp, (-2, 2, None), 2),
    "log": (lax.log, (0.2, 3, None), 2),
    "log1p": (lax.log1p, (-0.5, 3, None), 2),
    "log2": (lax.log2, (0.2, 3, None), 2),
    "log10": (lax.log10, (0.2, 3, None), 2),
    "expm1": (lax.expm1, (-2, 2, None), 2),
    "sin": (lax.sin, (-3, 3, None), 2),
    "cos": (lax.cos, (-3, 3, None), 2),
    "tanh": (lax.tanh, (-2, 2, None), 2),
    "logistic": (lax.logistic, (-4, 4, None), 2),
    "sqrt": (lax.sqrt, (0.2, 3, None), 2),
    "abs": (lax.abs, (-2, 2, 0.0), 2),
    "integer_pow3": (lambda x: lax.integer_pow(x, 3), (-2, 2, None), 2),
    "integer_pow_neg2": (lambda x: lax.integer_pow(x, -2), (0.5, 2, None), 2),
    "sign_times_x": (lambda x: lax.mul(lax.sign(x), x), (-2, 2, 0.0), 2),
    "floor_plus_x": (lambda x: lax.add(lax.floor(x), x), (-2, 2, None), 2),
    "reduce_sum_all": (lambda x: lax.reduce_sum(x), (-2, 2, None), 2),
    "reduce_sum_0": (lambda x: lax.reduce_sum(x, 0) if x.ndim else x, (-2, 2, None), 2),
    "reduce_max": (lambda x: lax.reduce_max(x), (-2, 2, None), 1),
    "reduce_min_last": (lambda x: lax.reduce_min(x, -1) if x.ndim else x, (-2, 2, None), 1),
    "reshape": (lambda x: lax.reshape(x, (x.size,)), (-2, 2, None), 2),
    "transpose": (lambda x: lax.transpose(x, tuple(reversed(range(x.ndim)))), (-2, 2, None), 2),
    "expand_squeeze": (lambda x: lax.squeeze(lax.expand_dims(x, (0,)), (0,)), (-2, 2, None), 2),
    "broadcast_in_dim": (lambda x: lax.broadcast_in_dim(x, (2,) + x.shape, tuple(range(1, x.ndim + 1))),
                         (-2, 2, None), 2),
    "rev": (lambda x: lax.rev(x, tuple(range(x.ndim))), (-2, 2, None), 2),
    "slice_strided": (lambda x: lax.slice(x, (0,) * x.ndim, x.shape, (2,) * x.ndim), (-2, 2, None), 2),
    "pad": (lambda x: lax.pad(x, 0.5, [(1, 2, 1)] * x.ndim), (-2, 2, None), 2),
    "index_in_dim": (lambda x: lax.index_in_dim(x, -1, x.ndim - 1, keepdims=False) if x.ndim
                     else x, (-2, 2, None), 2),
    "embed_in_dim": (lambda x: lax.embed_in_dim_p.bind(x, index=1, axis=x.ndim, size=3),
                     (-2, 2, None), 2),
    "concatenate": (lambda x: lax.concatenate([x, lax.mul(x, x)], 0) if x.ndim else x, (-2, 2, None), 2),
    "convert_f32_to_f64": (lambda x: lax.sin(lax.convert_element_type(x, np.float64)),
                           (-2, 2, None), 2),
    "select_n": (lambda x: lax.select_n(lax.gt(x, 0.0), lax.sin(x), lax.mul(x, x)), (-2, 2, 0.0), 2),
}

BINARY = {
    "add": (lax.add, (-2, 2, None), 2),
    "sub": (lax.sub, (-2, 2, None), 2),
    "mul": (lax.mul, (-2, 2, None), 2),
    "div": (lax.div, (0.5, 2, None), 2),
    "pow": (lax.pow, (0.5, 2, None), 2),
    "max": (lax.max, (-2, 2, None), 1),
    "min": (lax.min, (-2, 2, None), 1),
    "add_any": (lax.add_any, (-2, 2, None), 2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, data=st.data())
def test_unary(name, shape, data):
  f, (lo, hi, avoid), order = UNARY[name]
  x = data.draw(arrays(shape, lo, hi, avoid))
  if name.startswith("convert_f32"):
    x = x.astype(np.float32)
  if name.startswith("reduce_max") and x.size:  # a clear maximum: no near-tie within the
    x = x.copy()                                 # finite differences' step
    x.reshape(-1)[np.argmax(x)] += 0.1
  check_grads(f, (x,), order=order)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shape=shapes, scalar=st.sampled_from([None, 0, 1]), data=st.data())
def test_binary(name, shape, scalar, data):
  f, (lo, hi, avoid), order = BINARY[name]
  x = data.draw(arrays(shape, lo, hi))
  y = data.draw(arrays(shape, lo, hi))
  if name in ("max", "min"):  # keep away from ties
    y = np.where(np.abs(x - y) < 0.1, y + 0.3, y)
  if scalar == 0 and name != "add_any":  # a rank-0 operand broadcasts against the other
    x = np.asarray(x.reshape(-1)[0] if x.size else 1.0)
  elif scalar == 1 and name != "add_any":
    y = np.asarray(y.reshape(-1)[0] if y.size else 1.0)
  check_grads(f, (x, y), order=order)


DOT_CASES = [
    ((3,), (3,), (((0,), (0,)), ((), ()))),                 # vector dot
    ((2, 3), (3,), (((1,), (0,)), ((), ()))),               # matvec W @ x
    ((2, 3), (3, 4), (((1,), (0,)), ((), ()))),             # matmul
    ((3, 2), (3, 4), (((0,), (0,)), ((), ()))),             # Aᵀ B
    ((2,), (3,), (((), ()), ((), ()))),                     # outer product
    ((5, 2, 3), (5, 3, 4), (((2,), (1,)), ((0,), (0,)))),   # batched matmul
    ((2, 5, 3), (3, 4, 5), (((2,), (0,)), ((1,), (2,)))),   # batch dims in odd places
    ((2, 3, 4), (4, 3), (((1, 2), (1, 0)), ((), ()))),      # two contracted dims, crossed
]


@pytest.mark.parametrize("xs,ys,dims", DOT_CASES)
@given(seed=st.integers(0, 2**31))
def test_dot_general(xs, ys, dims, seed):
  rng = np.random.default_rng(seed)
  x, y = rng.standard_normal(xs), rng.standard_normal(ys)
  check_grads(lambda x, y: lax.dot_general(x, y, dims), (x, y), order=2)
  expected = np.einsum(_einsum_spec(len(xs), len(ys), dims), x, y)
  np.testing.assert_allclose(lax.dot_general(x, y, dims), expected, rtol=1e-12, atol=1e-12)


def _einsum_spec(nx, ny, dims):
  (lc, rc), (lb, rb) = dims
  letters = iter("abcdefghijklmn")
  xl = [next(letters) for _ in range(nx)]
  yl = [None] * ny
  for a, b in zip(lc + lb, rc + rb):
    yl[b] = xl[a]
  yl = [l or next(letters) for l in yl]
  out = [xl[i] for i in lb] + [xl[i] for i in range(nx) if i not in lc + lb] + [
      yl[i] for i in range(ny) if i not in rc + rb]
  return f"{''.join(xl)},{''.join(yl)}->{''.join(out)}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes_preserved(dtype):
  import vjpkit
  x = np.linspace(0.1, 1.0, 4).astype(dtype)
  g = vjpkit.grad(lambda x: lax.reduce_sum(lax.mul(lax.sin(x), x)))(x)
  assert g.dtype == dtype
  np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-5 if dtype == np.float32 else 1e-12)
