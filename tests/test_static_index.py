"""``x[i]`` as one ``index_in_dim`` (transpose ``embed_in_dim``), and the eager fast paths of
the likelihood-Hessian workload (issue 16): jacrev of a size-1 output without a vmap, the
elementwise batcher's NumPy broadcasting of concrete operands, promotion with rank-0
operands, small broadcast_in_dim results. Values against NumPy, derivatives against finite
differences and the other mode, vmap against a loop, jit against eager."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, hessian, jacfwd, jacrev, jit, jvp, lax, make_jaxpr, vjp, vmap
from vjpkit.testing import check_grads

rng = np.random.default_rng(0)


# -- index_in_dim / embed_in_dim -------------------------------------------------------

def test_an_integer_index_is_one_equation_and_its_transpose_one_more():
  prims = [e.prim.name for e in make_jaxpr(lambda x: x[-1])(np.ones(3)).eqns]
  assert prims == ["index_in_dim"]
  backward = make_jaxpr(vjp(lambda x: x[1], np.ones(3))[1])(1.0)
  assert [e.prim.name for e in backward.eqns] == ["embed_in_dim"]
  assert "embed_in_dim[axis=0 index=1 size=3]" in str(backward)


@given(shape=st.sampled_from([(1,), (4,), (3, 2), (2, 1, 3)]), seed=st.integers(0, 2**31),
       data=st.data())
def test_values_match_numpy_under_every_transform(shape, seed, data):
  x = np.random.default_rng(seed).normal(size=shape)
  i = data.draw(st.integers(-shape[0], shape[0] - 1))
  want = x[i]
  np.testing.assert_array_equal(jit(lambda x: x[i])(x), want)
  np.testing.assert_array_equal(jvp(lambda x: x[i], (x,), (x,))[1], want)
  np.testing.assert_array_equal(vmap(lambda x: x[i], in_axes=-1, out_axes=-1)(x[..., None]),
                                want[..., None])
  ct = np.random.default_rng(seed + 1).normal(size=want.shape)
  (back,) = vjp(lambda x: x[i], x)[1](ct)
  expected = np.zeros_like(x)
  expected[i] = ct
  np.testing.assert_array_equal(back, expected)
  np.testing.assert_array_equal(jit(lambda c: vjp(lambda x: x[i], x)[1](c)[0])(ct), expected)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_vmap_of_both_primitives_at_every_batch_axis(axis):
  x = rng.normal(size=(3, 4, 2))
  for d in range(3):
    xb = np.moveaxis(x, 0, d)  # batch of 3 at axis d, per example (4, 2)
    if axis < 2:
      got = vmap(lambda v: lax.index_in_dim(v, 1, axis, keepdims=False), in_axes=d)(xb)
      np.testing.assert_array_equal(got, np.stack([lax.index_in_dim(v, 1, axis, keepdims=False)
                                                   for v in x]))
    got = vmap(lambda v: lax.embed_in_dim_p.bind(v, index=2, axis=axis, size=3), in_axes=d)(xb)
    want = np.stack([lax.embed_in_dim_p.bind(v, index=2, axis=axis, size=3) for v in x])
    np.testing.assert_array_equal(got, want)


def test_derivatives_to_second_order():
  x = rng.normal(size=(3, 2))
  check_grads(lambda x: vnp.sin(x[1]) * x[-1] ** 2, (x,), order=2)
  check_grads(lambda x: lax.embed_in_dim_p.bind(vnp.tanh(x), index=0, axis=1, size=2) ** 2,
              (x,), order=2)


def test_jit_results_do_not_alias_the_input():
  x = np.arange(6.0).reshape(3, 2)
  y = jit(lambda x: x[1])(x)
  y[0] = 99.0
  assert x[1, 0] == 2.0


def test_bad_indices_raise_clear_errors():
  with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
    grad(lambda x: x[3])(np.ones(3))
  with pytest.raises(IndexError, match="too many indices"):
    grad(lambda x: vnp.sum(x[0]))(np.ones(()))
  with pytest.raises(TypeError, match="index_in_dim: index 5 of axis 0 is out of range"):
    make_jaxpr(lambda x: lax.index_in_dim_p.bind(x, index=5, axis=0))(np.ones(3))
  with pytest.raises(TypeError, match="embed_in_dim: index 3 of a new axis 0 of size 3"):
    make_jaxpr(lambda x: lax.embed_in_dim_p.bind(x, index=3, axis=0, size=3))(np.ones(2))


# -- the likelihood Hessian (benchmarks/workloads/likelihood.py) --------------------------

def test_likelihood_gradient_and_hessian_match_the_hand_written_ones():
  from benchmarks.workloads import likelihood
  data = likelihood.make_data(quick=True)
  x, logy = data["x"], data["logy"]
  f = lambda t: likelihood.negloglik(t, x, logy, vnp)  # noqa: E731
  for theta in (np.zeros(3), np.array([0.3, -0.2, 0.5])):
    g, h = likelihood.numpy_grad_hess(theta, x, logy)
    np.testing.assert_allclose(grad(f)(theta), g, rtol=1e-10)
    np.testing.assert_allclose(hessian(f)(theta), h, rtol=1e-10)
    np.testing.assert_allclose(jit(hessian(f))(theta), h, rtol=1e-10)
    np.testing.assert_allclose(vmap(hessian(f))(np.stack([theta, theta])), [h, h], rtol=1e-10)


# -- jacrev of a size-1 output: one VJP, the same result as the batch of one -----------

@pytest.mark.parametrize("out_shape", [(), (1,), (1, 1)])
def test_jacrev_of_a_size_one_output(out_shape):
  x = rng.normal(size=(2, 3))
  f = lambda x: vnp.reshape(vnp.sum(vnp.sin(x) * x), out_shape)  # noqa: E731
  J = jacrev(f)(x)
  assert J.shape == out_shape + x.shape
  np.testing.assert_allclose(J, jacfwd(f)(x), rtol=1e-12)
  np.testing.assert_allclose(jit(jacrev(f))(x), J, rtol=1e-12)
  np.testing.assert_allclose(vmap(jacrev(f))(np.stack([x, 2 * x]))[1], jacrev(f)(2 * x),
                             rtol=1e-12)


def test_jacrev_of_a_size_one_output_with_pytrees_aux_and_unused_inputs():
  def f(p):
    return vnp.sum(p["a"] ** 2) * p["b"], {"aux": p["a"]}
  p = {"a": rng.normal(size=3), "b": np.float64(2.0), "c": np.ones(2)}
  J, aux = jacrev(f, has_aux=True)(p)
  np.testing.assert_allclose(J["a"], 4.0 * p["a"])
  np.testing.assert_allclose(J["b"], np.sum(p["a"] ** 2))
  np.testing.assert_array_equal(J["c"], np.zeros(2))
  np.testing.assert_array_equal(aux["aux"], p["a"])


def test_holomorphic_jacrev_of_a_size_one_output():
  z = np.array([1.0 + 2.0j, -0.5j])
  J = jacrev(lambda z: vnp.sum(z ** 3), holomorphic=True)(z)
  np.testing.assert_allclose(J, 3 * z ** 2)


# -- the eager fast paths -----------------------------------------------------------------

@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (1, None), (0, 1), (1, 0)])
def test_elementwise_batcher_broadcasts_concrete_operands(in_axes):
  a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
  args = [a if ax is not None else a[0] for ax, a in zip(in_axes, (a, b))]

  def member(k):
    return [x if ax is None else x.take(k, ax) for ax, x in zip(in_axes, args)]
  for fun in (lambda u, v: u * v, lambda u, v: lax.add_any(u, v), lambda u, v: u - 2.0 * v):
    got = vmap(fun, in_axes=in_axes)(*args)
    np.testing.assert_allclose(got, np.stack([fun(*member(k)) for k in range(4)]), rtol=1e-15)
  s = rng.normal(size=3)  # batched scalars
  got = vmap(lambda c, v: c * v, in_axes=(0, None))(s, a)  # a batched scalar times a matrix
  np.testing.assert_allclose(got, s[:, None, None] * a[None])
  got = vmap(lambda c, v: lax.mul(c, v), in_axes=(0, 1))(s, a[:3].T)
  np.testing.assert_allclose(got, s[:, None] * a[:3])


def test_promotion_with_rank_zero_operands_keeps_numpy_dtypes():
  x32 = np.ones(3, np.float32)
  assert vjpkit.grad(lambda t: vnp.sum(t * x32))(np.float32(2.0)).dtype == np.float32
  assert vjpkit.grad(lambda t: vnp.sum(t * x32))(2.0).dtype == np.float64  # strong arg
  assert jit(lambda t, x: t * x)(2.0, x32).dtype == np.float32  # weak Python scalar
  assert jit(lambda t, x: t + x)(np.float64(2.0), x32).dtype == np.float64
  with pytest.raises(ValueError, match="could not be broadcast"):
    jit(lambda a, b: a * b)(np.ones(3), np.ones(2))


@pytest.mark.parametrize("shape", [(3, 5), (2, 4096)])
def test_broadcast_in_dim_small_and_large(shape):
  v = rng.normal(size=shape[1])
  got = lax.broadcast_in_dim(v, shape, (1,))
  np.testing.assert_array_equal(got, np.broadcast_to(v, shape))
  unit = lax.broadcast_in_dim(v, (1,) + shape[1:], (1,))  # only a unit axis: a reshape
  np.testing.assert_array_equal(unit, v[None])
  assert np.shares_memory(unit, v) and not unit.flags.writeable and v.flags.writeable
  assert np.shares_memory(got, v) == (np.prod(shape) >= 4096)  # small: a copy
  assert not got.flags.writeable  # either way read-only, as NumPy's broadcast_to
