"""grad, value_and_grad, vjp, jvp, vmap and jit on array-API arrays: routing, pytrees,
NumPy leaves lifted, caching, and the errors."""
import numpy as np
import pytest
from array_api_testutil import assert_close, is_backend_array, no_compute, require, to_backend

import vjpkit
import vjpkit.numpy as vnp

BACKENDS = ["array_api_strict", "dask"]
rng = np.random.default_rng(1)
Xn = rng.normal(size=(12, 3))
yn = (rng.random(12) > 0.5).astype(np.float64)
wn = rng.normal(size=3)


def loss(w, X, y):
  z = X @ w
  return vnp.sum(vnp.log1p(vnp.exp(z)) - y * z)


def mlp(params, X):
  h = vnp.tanh(X @ params["W1"] + params["b1"])
  return vnp.mean((h @ params["W2"]) ** 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_and_value_and_grad(backend):
  X, y = to_backend(backend, Xn), to_backend(backend, yn)
  with no_compute(backend):
    g = vjpkit.grad(loss)(wn, X, y)                      # w is NumPy: lifted
    v, g2 = vjpkit.value_and_grad(loss)(wn, X, y)
    gs = vjpkit.grad(loss, argnums=(0, 1))(to_backend(backend, wn), X, y)
  assert is_backend_array(backend, g) and is_backend_array(backend, v)
  assert_close(g, vjpkit.grad(loss)(wn, Xn, yn))
  assert_close(g2, vjpkit.grad(loss)(wn, Xn, yn))
  assert_close(v, loss(wn, Xn, yn))
  assert_close(gs, vjpkit.grad(loss, argnums=(0, 1))(wn, Xn, yn))


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_of_a_pytree_with_aux_and_keyword_arguments(backend):
  params = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2))}
  X = to_backend(backend, Xn)

  def f(params, X, scale=1.0):
    out = mlp(params, X) * scale
    return out, {"loss": out}
  g, aux = vjpkit.grad(f, has_aux=True)(params, X, scale=2.0)
  g_ref, aux_ref = vjpkit.grad(f, has_aux=True)(params, Xn, scale=2.0)
  assert sorted(g) == ["W1", "W2", "b1"]
  assert_close(g, g_ref)
  assert_close(aux, aux_ref)


@pytest.mark.parametrize("backend", BACKENDS)
def test_python_numbers_outside_argnums_stay_python_values(backend):
  def f(w, X, n, mode):
    assert isinstance(n, int) and mode == "twice"   # usable in Python control flow
    for _ in range(n):
      w = vnp.sin(X @ w)[:3] + w
    return vnp.sum(w)
  X = to_backend(backend, np.ones((3, 3)))
  assert_close(vjpkit.grad(f)(wn, X, 2, "twice"), vjpkit.grad(f)(wn, np.ones((3, 3)), 2, "twice"))
  assert_close(vjpkit.grad(lambda s, X: vnp.sum(s * X))(2.0, X), np.float64(9.0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_vjp_splits_forward_and_backward(backend):
  X = to_backend(backend, Xn)
  f = lambda X, w: {"a": vnp.tanh(X @ w), "b": vnp.sum(X ** 2)}  # noqa: E731
  with no_compute(backend):
    out, f_vjp = vjpkit.vjp(f, X, wn)
    ct = {"a": np.ones(12), "b": np.float64(2.0)}
    cts = f_vjp(ct)
  out_ref, f_vjp_ref = vjpkit.vjp(f, Xn, wn)
  assert_close(out, out_ref)
  assert_close(cts, f_vjp_ref(ct))
  assert_close(f_vjp({"a": to_backend(backend, np.arange(12.0)), "b": 0.5}),
               f_vjp_ref({"a": np.arange(12.0), "b": 0.5}))
  with pytest.raises(ValueError, match="cotangent has structure"):
    f_vjp(np.ones(12))
  y, f_vjp, aux = vjpkit.vjp(lambda X: (vnp.sum(X), X[0]), X, has_aux=True)
  assert_close(aux, Xn[0])
  assert_close(f_vjp(np.float64(3.0)), (np.full((12, 3), 3.0),))


@pytest.mark.parametrize("backend", BACKENDS)
def test_jvp(backend):
  X, T = to_backend(backend, Xn), to_backend(backend, np.ones_like(Xn))
  with no_compute(backend):
    y, t = vjpkit.jvp(lambda X, w: vnp.tanh(X @ w), (X, wn), (T, np.zeros(3)))
  y_ref, t_ref = vjpkit.jvp(lambda X, w: vnp.tanh(X @ w), (Xn, wn), (np.ones_like(Xn), np.zeros(3)))
  assert_close((y, t), (y_ref, t_ref))


@pytest.mark.parametrize("backend", BACKENDS)
def test_vmap_and_per_example_gradients(backend):
  X, y = to_backend(backend, Xn), to_backend(backend, yn)
  per_example = vjpkit.vmap(vjpkit.grad(lambda w, x, y: loss(w, x[None], y[None])),
                            in_axes=(None, 0, 0))
  with no_compute(backend):
    g = per_example(wn, X, y)
  assert_close(g, per_example(wn, Xn, yn))
  assert_close(vjpkit.vmap(lambda x: x * 2, out_axes=1)(X), (Xn * 2).T)


@pytest.mark.parametrize("backend", BACKENDS)
def test_jit_with_static_arguments_and_cache(backend):
  traces = []

  def f(X, n, *, power):
    traces.append(1)
    return vnp.sum(X ** power, axis=0) * n
  jf = vjpkit.jit(f, static_argnums=1, static_argnames="power")
  ref2, ref3 = f(Xn, 3, power=2), f(Xn, 4, power=3)
  X = to_backend(backend, Xn)
  traces.clear()
  assert_close(jf(X, 3, power=2), ref2)
  assert_close(jf(X, 3, power=2), ref2)
  assert len(traces) == 1  # traced once for these shapes and static values
  assert_close(jf(X, 4, power=3), ref3)
  assert len(traces) == 2  # new static values: a new trace


def test_numpy_inputs_keep_the_numpy_path():
  g = vjpkit.grad(loss)(wn, Xn, yn)
  assert type(g) is np.ndarray
  assert type(vjpkit.jit(lambda x: x * 2)(Xn)) is np.ndarray


def test_mixing_two_array_libraries_is_an_error():
  require("dask")
  require("array_api_strict")
  with pytest.raises(TypeError, match="mix arrays of"):
    vjpkit.grad(loss)(wn, to_backend("dask", Xn), to_backend("array_api_strict", yn))


def test_asarray_never_pulls_a_dask_array_into_memory():
  require("dask")
  X = to_backend("dask", Xn)
  with no_compute("dask"):
    with pytest.raises(TypeError, match="got a dask array .* does not convert it"):
      vnp.sum(X)
    with pytest.raises(TypeError, match="got a dask array"):
      vjpkit.grad(lambda w: vnp.sum(X @ w))(wn)   # closed over: pass it as an argument
    with pytest.raises(TypeError, match="got a dask array"):
      vnp.asarray([X, X])


def test_dask_arrays_of_unknown_shape_are_an_error():
  da = require("dask")
  X = to_backend("dask", Xn)
  rows = X[X[:, 0] > 0]
  with pytest.raises(ValueError, match="unknown shape"):
    vjpkit.jit(lambda x: x * 2)(rows)
  assert da is not None


@pytest.mark.parametrize("backend", BACKENDS)
def test_numpy_arguments_that_are_not_traced_stay_concrete(backend):
  def f(w, X, order):
    k = int(order[0])             # concrete, as on the NumPy path
    return vnp.sum((X @ w) ** k)
  X = to_backend(backend, Xn)
  assert_close(vjpkit.grad(f)(wn, X, np.array([3])), vjpkit.grad(f)(wn, Xn, np.array([3])))
  per_row = vjpkit.vmap(lambda x, order: vnp.sum(x ** int(order[0])), in_axes=(0, None))
  assert_close(per_row(X, np.array([2])), per_row(Xn, np.array([2])))


def test_results_of_a_mutable_library_share_no_memory_with_inputs():
  xp = require("array_api_strict")
  x = xp.asarray(Xn)
  outs = vjpkit.jit(lambda x: (x, x, x[1:3], vnp.reshape(x, (36,))))(x)
  assert len({id(o) for o in outs}) == 4 and all(o is not x for o in outs)
  outs[0][0, 0] = 100.0
  outs[2][0, 0] = 100.0
  assert float(x[0, 0]) == Xn[0, 0] and float(x[1, 0]) == Xn[1, 0]
  assert float(outs[1][0, 0]) == Xn[0, 0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_linearize_and_jacobians(backend):
  X = to_backend(backend, Xn[:4])
  f = lambda X, w: vnp.tanh(X @ w)  # noqa: E731
  with no_compute(backend):
    y, f_jvp = vjpkit.linearize(f, X, wn)
    t = f_jvp(np.ones((4, 3)), np.zeros(3))
  y_ref, f_jvp_ref = vjpkit.linearize(f, Xn[:4], wn)
  assert_close((y, t), (y_ref, f_jvp_ref(np.ones((4, 3)), np.zeros(3))))
  for jac in (vjpkit.jacrev, vjpkit.jacfwd):
    assert_close(jac(f, argnums=1)(X, wn), jac(f, argnums=1)(Xn[:4], wn))
  assert_close(vjpkit.hessian(lambda w, X: vnp.sum(f(X, w) ** 2))(wn, X),
               vjpkit.hessian(lambda w, X: vnp.sum(f(X, w) ** 2))(wn, Xn[:4]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_sees_the_current_values_of_closed_over_state(backend):
  state = {"scale": 2.0, "shift": np.ones(3)}
  g = vjpkit.grad(lambda w, X: vnp.sum(X @ (w * state["scale"] + state["shift"]) ** 2))
  X = to_backend(backend, Xn)
  first = g(wn, X)
  state["scale"] = 3.0
  state["shift"][:] = -1.0
  assert_close(g(wn, X), vjpkit.grad(lambda w, X: vnp.sum(X @ (w * 3.0 - 1.0) ** 2))(wn, Xn))
  assert_close(first, vjpkit.grad(lambda w, X: vnp.sum(X @ (w * 2.0 + 1.0) ** 2))(wn, Xn))
