"""pure_callback and ShapeDtypeStruct: eager, jit, vmap methods, checked results, no derivative,
and differentiable opaque functions through custom_jvp/custom_vjp (scipy.special.ellipk)."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import ShapeDtypeStruct, pure_callback
from vjpkit.testing import check_grads

M = np.array([0.1, 0.5, 0.9])
DK = np.array([0.44200235, 0.84721308, 4.70536401])  # dK/dm at M


def _like(x):
  x = vnp.asarray(x)
  return ShapeDtypeStruct(x.shape, x.dtype)


def _cb(fun, *args, vmap_method="sequential"):
  return pure_callback(fun, _like(args[0]), *args, vmap_method=vmap_method)


class Recorder:
  """A callback that records the types of the arrays it is called with."""

  def __init__(self, fun):
    self.fun, self.calls = fun, []

  def __call__(self, *args):
    self.calls.append(tuple((type(a).__name__, np.shape(a)) for a in args))
    return self.fun(*args)


def test_shape_dtype_struct():
  s = ShapeDtypeStruct([2, 3], "float32")
  assert (s.shape, s.dtype, s.ndim, s.size) == ((2, 3), np.dtype(np.float32), 2, 6)
  assert s == ShapeDtypeStruct((2, 3), np.float32) and hash(s) == hash(ShapeDtypeStruct((2, 3), "f4"))
  assert repr(s) == "ShapeDtypeStruct(shape=(2, 3), dtype=float32)"


def test_eager_and_jit_call_numpy_with_arrays():
  rec = Recorder(np.sin)
  f = lambda x: _cb(rec, x)
  np.testing.assert_allclose(f(M), np.sin(M))
  np.testing.assert_allclose(vjpkit.jit(f)(M), np.sin(M))
  np.testing.assert_allclose(vjpkit.jit(f)(2 * M), np.sin(2 * M))
  assert all(c == (("ndarray", (3,)),) for c in rec.calls)  # concrete NumPy, never tracers
  jaxpr = vjpkit.make_jaxpr(f)(M)
  assert [e.prim.name for e in jaxpr.eqns] == ["pure_callback"]
  assert "pure_callback[callback=Recorder" in str(jaxpr)
  assert "_callback" in vjpkit.jit(f).lower(M).source


def test_kwargs_and_pytree_results():
  def fun(x, y, *, scale):
    return {"sum": x + y * scale, "total": np.sum(x)}
  out_type = {"sum": ShapeDtypeStruct((3,), np.float64), "total": ShapeDtypeStruct((), np.float64)}
  f = lambda x, y: pure_callback(fun, out_type, x, y, scale=np.float64(2.0))
  for g in (f, vjpkit.jit(f)):
    out = g(M, 1.0)
    np.testing.assert_allclose(out["sum"], M + 2.0)
    assert out["total"] == pytest.approx(M.sum())


def test_result_is_checked():
  with pytest.raises(TypeError, match=r"returned f32\[3\] for output 0, but result_shape_dtypes "
                                      r"declares f64\[3\]"):
    pure_callback(lambda x: x.astype(np.float32), _like(M), M)
  with pytest.raises(TypeError, match=r"returned f64\[2\] for output 0.*declares f64\[3\]"):
    vjpkit.jit(lambda x: pure_callback(lambda a: a[:2], _like(x), x))(M)
  with pytest.raises(TypeError, match="structure"):
    pure_callback(lambda x: (x, x), _like(M), M)
  with pytest.raises(TypeError, match=r"\.shape and \.dtype"):
    pure_callback(np.sin, (3,), M)
  with pytest.raises(TypeError, match="operands must be arrays"):
    pure_callback(lambda x, s: x, _like(M), M, "mode")
  with pytest.raises(TypeError, match="callable"):
    pure_callback(3, _like(M), M)


def test_no_derivative():
  f = lambda x: _cb(np.sin, x)
  for transform in (lambda: vjpkit.grad(f)(0.3), lambda: vjpkit.jvp(f, (0.3,), (1.0,)),
                    lambda: vjpkit.jit(vjpkit.grad(f))(0.3)):
    with pytest.raises(ValueError, match="cannot be differentiated.*custom_jvp"):
      transform()
  # a callback of values that are not differentiated is fine under grad
  assert vjpkit.grad(lambda x: x * _cb(np.sin, 2.0))(3.0) == pytest.approx(np.sin(2.0))


@pytest.mark.parametrize("method, seen", [
    ("sequential", [(("ndarray", (3,)), ("ndarray", (3,)))] * 2),
    ("sequential_unrolled", [(("ndarray", (3,)), ("ndarray", (3,)))] * 2),
    ("expand_dims", [(("ndarray", (2, 3)), ("ndarray", (1, 3)))]),
    ("broadcast_all", [(("ndarray", (2, 3)), ("ndarray", (2, 3)))]),
    ("legacy_vectorized", [(("ndarray", (2, 3)), ("ndarray", (3,)))]),
])
def test_vmap_methods(method, seen):
  rec = Recorder(lambda a, b: np.sin(a) * b)
  f = vjpkit.vmap(lambda x, y: _cb(rec, x, y, vmap_method=method), in_axes=(0, None))
  xs = np.stack([M, 2 * M])
  np.testing.assert_allclose(f(xs, M), np.sin(xs) * M)
  assert rec.calls == seen
  np.testing.assert_allclose(vjpkit.jit(f)(xs, M), np.sin(xs) * M)
  np.testing.assert_allclose(vjpkit.vmap(f, in_axes=(1, None))(np.stack([xs, xs], 1), M),
                             np.stack([np.sin(xs) * M] * 2))


def test_vmap_needs_a_method():
  with pytest.raises(NotImplementedError, match="needs a vmap_method.*'sequential'"):
    vjpkit.vmap(lambda x: pure_callback(np.sin, _like(x), x))(M)
  with pytest.raises(ValueError, match="vmap_method must be one of"):
    pure_callback(np.sin, _like(M), M, vmap_method="parallel")


def test_batch_axis_elsewhere_and_empty_batch():
  f = vjpkit.vmap(lambda x: _cb(np.cumsum, x), in_axes=1, out_axes=1)
  x = np.arange(6.0).reshape(3, 2)
  np.testing.assert_allclose(f(x), np.cumsum(x, axis=0))
  assert vjpkit.vmap(lambda x: _cb(np.sin, x))(np.zeros((0, 3))).shape == (0, 3)


def test_unused_results_are_not_computed_under_jit():
  rec = Recorder(np.sin)
  assert vjpkit.jit(lambda x: (_cb(rec, x), x * 2.0)[1])(M).shape == (3,)
  assert rec.calls == []  # pure: dead code is removed, as in JAX


# -- differentiable opaque functions -----------------------------------------------------

def test_custom_rules_around_numpy_code_say_how_to_wrap_it():
  @vjpkit.custom_vjp
  def k(m):
    return scipy.special.ellipk(m)
  k.defvjp(lambda m: (k(m), m), lambda m, g: (g,))

  @vjpkit.custom_jvp
  def double(m):
    return np.asarray(m) * 2
  double.defjvp(lambda p, t: (double(*p), t[0]))
  outer = vjpkit.custom_jvp(lambda x: double(x))
  outer.defjvp(lambda p, t: (outer(*p), t[0]))
  for f in (k, double, outer):
    with pytest.raises(TypeError, match=r"(?s)traces .* with abstract values.*pure_callback") as e:
      f(0.3)
    assert str(e.value).count("adding-a-primitive") == 1

def _ellipe_cb(m):
  return _cb(scipy.special.ellipe, m, vmap_method="expand_dims")


@vjpkit.custom_jvp
def ellipk(m):
  return _cb(scipy.special.ellipk, m, vmap_method="expand_dims")


@vjpkit.custom_jvp
def ellipe(m):
  return _ellipe_cb(m)


@ellipk.defjvp
def _ellipk_jvp(primals, tangents):
  (m,), (dm,) = primals, tangents
  k = ellipk(m)
  return k, dm * (ellipe(m) - (1 - m) * k) / (2 * m * (1 - m))


@ellipe.defjvp
def _ellipe_jvp(primals, tangents):
  (m,), (dm,) = primals, tangents
  e = ellipe(m)
  return e, dm * (e - ellipk(m)) / (2 * m)


def test_custom_jvp_around_a_callback():
  assert vjpkit.grad(ellipk)(0.5) == pytest.approx(DK[1])
  assert vjpkit.jit(vjpkit.grad(ellipk))(0.5) == pytest.approx(DK[1])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(ellipk))(M), DK)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.vmap(vjpkit.grad(ellipk)))(M), DK)
  np.testing.assert_allclose(vjpkit.jacfwd(ellipk)(M), np.diag(DK), atol=1e-7)
  np.testing.assert_allclose(vjpkit.jacrev(ellipk)(M), np.diag(DK), atol=1e-7)
  np.testing.assert_allclose(vjpkit.jvp(ellipk, (M,), (np.ones(3),))[1], DK)
  check_grads(ellipk, (M,), order=2)
  check_grads(vjpkit.jit(ellipk), (M,), order=1)


@vjpkit.custom_vjp
def ellipk_rev(m):
  return _cb(scipy.special.ellipk, m, vmap_method="sequential")


ellipk_rev.defvjp(lambda m: (ellipk_rev(m), (m, ellipk_rev(m))),
                  lambda res, g: (g * (_ellipe_cb(res[0]) - (1 - res[0]) * res[1])
                                  / (2 * res[0] * (1 - res[0])),))


def test_custom_vjp_around_a_callback():
  assert vjpkit.grad(ellipk_rev)(0.5) == pytest.approx(DK[1])
  assert vjpkit.jit(vjpkit.grad(ellipk_rev))(0.5) == pytest.approx(DK[1])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(ellipk_rev))(M), DK)
  np.testing.assert_allclose(vjpkit.jacrev(ellipk_rev)(M), np.diag(DK), atol=1e-7)
  check_grads(ellipk_rev, (M,), order=1, modes=["rev"])
  with pytest.raises(TypeError, match="forward-mode"):
    vjpkit.jacfwd(ellipk_rev)(M)
