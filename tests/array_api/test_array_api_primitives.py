"""Each lax primitive's array-API rule, on NumPy, array-api-strict and Dask (small chunks):
values (jit) and gradients against NumPy's."""
import numpy as np
import pytest
from array_api_testutil import BACKENDS, check, require, to_backend, to_numpy

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax

rng = np.random.default_rng(0)
X = rng.normal(size=(7, 4))
Y = rng.normal(size=(7, 4))
POS = rng.uniform(0.5, 2.0, size=(7, 4))
UNIT = rng.uniform(-0.9, 0.9, size=(7, 4))
V = rng.normal(size=7)

UNARY = {
    "sin": vnp.sin, "cos": vnp.cos, "tan": vnp.tan, "tanh": vnp.tanh, "exp": vnp.exp,
    "expm1": vnp.expm1, "sinh": vnp.sinh, "cosh": vnp.cosh, "asinh": vnp.arcsinh,
    "atan": vnp.arctan, "abs": vnp.abs, "neg": vnp.negative, "cbrt": vnp.cbrt,
    "logistic": lax.logistic, "square": vnp.square, "cube": lambda x: x ** 3,
    "inverse_square": lambda x: x ** -2, "sign": lambda x: vnp.sign(x) * x,
    "floor": lambda x: vnp.floor(x) + x, "ceil": lambda x: vnp.ceil(x) * x,
    "round": lambda x: vnp.round(3 * x) + x, "relu": vjpkit.nn.relu,
    "softplus": vjpkit.nn.softplus, "stop_gradient": lambda x: lax.stop_gradient(x) * x,
}
POSITIVE = {"log": vnp.log, "log1p": vnp.log1p, "sqrt": vnp.sqrt, "acosh": lambda x: vnp.arccosh(1 + x),
            "pow": lambda x: x ** 1.5}
BOUNDED = {"asin": vnp.arcsin, "acos": vnp.arccos, "atanh": vnp.arctanh}
BINARY = {
    "add": vnp.add, "sub": vnp.subtract, "mul": vnp.multiply, "div": vnp.divide,
    "atan2": vnp.arctan2, "max": vnp.maximum, "min": vnp.minimum, "fmod": vnp.fmod,
    "where": lambda x, y: vnp.where(x > y, x, 2 * y),
    "logical": lambda x, y: vnp.where(vnp.logical_or(vnp.logical_and(x > 0, y < 0),
                                                     vnp.logical_not(x != y)), x, y),
    "compare": lambda x, y: x * (x >= y) + y * (x <= y) + (x == y) - (x < y),
    "hypot": vnp.hypot, "logaddexp": vnp.logaddexp, "clip": lambda x, y: vnp.clip(x, -0.5, y),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(backend, name):
  check(backend, UNARY[name], X)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_unary_positive(backend, name):
  check(backend, POSITIVE[name], POS)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_unary_bounded(backend, name):
  check(backend, BOUNDED[name], UNIT)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(backend, name):
  check(backend, BINARY[name], X, Y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_arithmetic(backend):
  a = np.array([[7, -7, 5], [-5, 9, -9]], np.int64)
  b = np.array([[2, 2, -3], [3, -4, -4]], np.int64)
  check(backend, lambda a, b: (lax.div(a, b), lax.rem(a, b), a // b, a % b, a * b - a,
                               vnp.sum(a, axis=0), a.astype(np.float32)), a, b, grad=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dtypes_float32_and_bool(backend):
  x = X.astype(np.float32)
  check(backend, lambda x: (vnp.sin(x) * 2, (x > 0).astype(np.float32), vnp.sum(x, 0)), x,
        grad=False, rtol=1e-5, atol=1e-6)


SHAPES = {
    "reshape": lambda x: vnp.reshape(x, (4, 7)) * 2,
    "reshape_unit": lambda x: vnp.reshape(x, (7, 1, 4)) * 2,
    "transpose": lambda x: x.T @ x,
    "expand_squeeze": lambda x: vnp.squeeze(vnp.expand_dims(x, (0, 2)), 0) * 1.5,
    "flip": lambda x: vnp.flip(x, 0) * x,
    "concatenate": lambda x: vnp.concatenate([x, 2 * x[:, :2]], axis=1),
    "concatenate0": lambda x: vnp.concatenate([x, x[:3]], axis=0),
    "slice": lambda x: x[1:6:2, ::3] * 3,
    "pad": lambda x: vnp.pad(x, ((1, 2), (0, 3))),
    "pad_interior": lambda x: lax.pad(x, np.float64(0.5), ((1, 0, 1), (0, 2, 2))),
    "broadcast": lambda x: vnp.broadcast_to(x[:, :1], (7, 4)) * x + x[0],
    "stack": lambda x: vnp.stack([x, x * 2], axis=1),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes(backend, name):
  if backend == "dask" and name == "reshape":  # (7, 4) -> (4, 7): no way through the chunks
    require("dask")
    with pytest.raises(NotImplementedError, match="'reshape' cannot run on dask arrays"):
      vjpkit.jit(SHAPES[name])(to_backend(backend, X))
    return
  check(backend, SHAPES[name], X)


REDUCTIONS = {
    "sum": lambda x: vnp.sum(x, axis=0), "sum_all": vnp.sum, "mean": lambda x: vnp.mean(x, 1),
    "max": lambda x: vnp.max(x, axis=0), "min": lambda x: vnp.min(x, axis=1),
    "argmax": lambda x: vnp.argmax(x, axis=0), "argmin": lambda x: vnp.argmin(x, axis=1),
    "var": lambda x: vnp.var(x, axis=0), "logsumexp": lambda x: vjpkit.nn.logsumexp(x, axis=1),
    "softmax": lambda x: vjpkit.nn.softmax(x, axis=-1), "prod": lambda x: vnp.prod(x, axis=0),
    "norm": lambda x: vnp.linalg.norm(x, axis=1),
    "any_all": lambda x: vnp.where(vnp.any(x > 1, axis=1) & vnp.all(x > -3), vnp.sum(x, 1), 0.0),
    "median": lambda x: vnp.median(x, axis=1),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions(backend, name):
  check(backend, REDUCTIONS[name], X, grad=not name.startswith("arg"))


PRODUCTS = {
    "matmul": (lambda x, y: x.T @ y, (X, Y)),
    "matvec": (lambda x, v: v @ x, (X, V)),
    "vdot": (lambda v, w: vnp.dot(v, w), (V, 2 * V)),
    "outer": (lambda v, w: vnp.outer(v, w), (V, V[:3])),
    "batched": (lambda a, b: vnp.einsum("bij,bjk->bik", a, b),
                (rng.normal(size=(3, 2, 4)), rng.normal(size=(3, 4, 5)))),
    "tensordot": (lambda a, b: vnp.tensordot(a, b, axes=([1, 2], [0, 1])),
                  (rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 4, 5)))),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products(backend, name):
  f, args = PRODUCTS[name]
  check(backend, f, *args)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cumulative(backend):
  check(backend, lambda x: (vnp.cumsum(x, axis=0), vnp.cumprod(x, axis=1),
                            lax.cumsum(x, axis=0, reverse=True)), X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sorting_along_an_unchunked_axis(backend):
  check(backend, lambda x: (vnp.sort(x, axis=1) * 2, vnp.argsort(-x, axis=1),
                            lax.argsort(x, axis=1, descending=True)), X, grad=False)
  check(backend, lambda x: vnp.sort(x, axis=1) * x, X)
  a = np.sort(V)
  check(backend, lambda a, v: vnp.searchsorted(a, v), a, X, grad=False, chunks=[(7,), (3, 4)])


INDEXING = {
    "gather": lambda x: x[np.array([0, 3, 3, 6])] * 2,
    "gather_2d": lambda x: x[np.array([0, 6, 2]), np.array([1, 1, 3])],
    "gather_axis1": lambda x: x[:, np.array([3, 0])],
    "take_along_axis": lambda x: vnp.take_along_axis(x, np.argsort(X, axis=1), axis=1),
    "scatter_add": lambda x: lax.scatter_add(x, np.array([[0], [2], [2], [9]]), x[:4] * 5, (0,)),
    "scatter_add_2d": lambda x: lax.scatter_add(x, np.array([[0, 1], [2, 1], [2, 1], [-1, 0]]),
                                                x[0] * 3, (0, 1), mode="drop"),
    "scatter_add_clip": lambda x: lax.scatter_add(x, np.array([[0, 1], [2, 9]]), x[0, :2], (0, 1),
                                                  mode="clip"),
    "scatter_set": lambda x: lax.scatter(x, np.array([[0], [2], [2], [9], [5]]), x[:5] * 5, (0,)),
    "scatter_set_2d": lambda x: lax.scatter(x, np.array([[0, 1], [2, 3], [6, 0]]), x[0, :3] * 3,
                                            (0, 1), mode="clip"),
    "scatter_set_axis1": lambda x: lax.scatter(x, np.array([[3], [1]]), x[:, :2].T * 2, (1,)),
    "dynamic_slice": lambda x: lax.dynamic_slice(x, (vnp.argmax(x[:, 0]), np.int64(1)), (3, 2)),
    "dynamic_update_slice": lambda x: lax.dynamic_update_slice(
        x, x[:2, :2] * 7, (vnp.argmin(x[:, 0]), np.int64(2))),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing(backend, name):
  check(backend, INDEXING[name], X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_control_flow(backend):
  def f(x):
    y = lax.cond(vnp.sum(x) > 0, lambda x: x * 2, lambda x: vnp.sin(x), x)
    y = lax.fori_loop(0, 3, lambda i, c: c * 0.5 + vnp.cos(c), y)
    carry, ys = lax.scan(lambda c, row: (c + row, c * row), vnp.zeros(4), y)
    return carry + ys[-1] + lax.switch(2, [lambda: 0.0, lambda: 1.0, lambda: 2.0])
  check(backend, f, X)
  check(backend, f, -np.abs(X))


@pytest.mark.parametrize("backend", BACKENDS)
def test_linalg_small_matrices(backend):
  a = rng.normal(size=(4, 4))
  spd = a @ a.T + 4 * np.eye(4)
  b = rng.normal(size=(4, 2))
  one_chunk = (4, 4)
  check(backend, lambda s: vnp.linalg.cholesky(s), spd, chunks=one_chunk)
  check(backend, lambda s, b: vnp.linalg.solve(s, b), spd, b, chunks=one_chunk)
  check(backend, lambda s: vnp.linalg.slogdet(s)[1], spd, chunks=one_chunk)
  check(backend, lambda s: vnp.linalg.eigh(s)[0], spd, chunks=one_chunk)
  check(backend, lambda s: vnp.abs(vnp.linalg.qr(s)[1]), spd, chunks=one_chunk)
  check(backend, lambda s: vnp.linalg.svd(s, compute_uv=False), spd, chunks=one_chunk)
  check(backend, lambda s: vnp.linalg.inv(s), spd, chunks=one_chunk)
  check(backend, lambda s: vnp.linalg.pinv(s[:, :3]), spd, chunks=one_chunk)
  check(backend, lambda s, b: lax.triangular_solve(s, b, left_side=True, lower=True),
        spd, b, chunks=one_chunk)
  # LU with pivoting (the factors of solve's and slogdet's derivatives), both solve directions
  check(backend, lambda a: lax.lu(a)[0], a, chunks=one_chunk)
  if backend != "dask":  # (the derivative of a wide LU concatenates blocks: two chunks)
    check(backend, lambda a: lax.lu(a[:3])[0], a)
  for trans in (0, 1):
    check(backend, lambda a, b: lax.lu_solve(lax.lu(a)[0], lax.lu(a)[2], b, trans), a, b,
          chunks=one_chunk)


# -- what a library cannot do: clear errors, never a conversion -------------------------

def test_special_functions_on_dask_run_block_by_block():
  require("dask")
  import vjpkit.scipy.special as vsp
  check("dask", lambda x: (vsp.erf(x), vsp.gammaln(x), vsp.digamma(x)), POS)


def test_special_functions_are_unsupported_on_array_api_strict():
  require("array_api_strict")
  import vjpkit.scipy.special as vsp
  with pytest.raises(NotImplementedError, match="'erf' cannot run on array_api_strict arrays"):
    vjpkit.jit(vsp.erf)(to_backend("array_api_strict", X))


def test_sorting_across_dask_chunks_is_unsupported():
  require("dask")
  with pytest.raises(NotImplementedError, match=r"'argsort' cannot run on dask.*rechunk"):
    vjpkit.jit(lambda x: vnp.sort(x, axis=0))(to_backend("dask", X))


def test_decomposition_of_a_chunked_dask_matrix_is_unsupported():
  require("dask")
  a = to_backend("dask", np.eye(6) * 2, chunks=(3, 3))
  with pytest.raises(NotImplementedError, match="'cholesky' cannot run on dask"):
    vjpkit.jit(vnp.linalg.cholesky)(a)


def test_while_loop_on_dask_is_unsupported_and_runs_on_eager_libraries():
  def f(x):
    return lax.while_loop(lambda c: vnp.sum(c) < 100.0, lambda c: c * 2.0, x)
  x = np.abs(X) + 0.1
  check("array_api_strict", f, x, grad=False)
  require("dask")
  with pytest.raises(NotImplementedError, match="'while' cannot run on dask arrays: the loop condition"):
    vjpkit.jit(f)(to_backend("dask", x))


@pytest.mark.parametrize("backend", ["array_api_strict", "dask"])
def test_scatter_and_callbacks_are_unsupported(backend):
  x = to_backend(backend, X)
  with pytest.raises(NotImplementedError, match=f"'scatter_mul' cannot run on {backend}"):
    vjpkit.jit(lambda x: lax.scatter_mul(x, np.array([[0], [1]]), x[:2], (0,)))(x)
  with pytest.raises(NotImplementedError, match=f"'pure_callback' cannot run on {backend}"):
    vjpkit.jit(lambda x: vjpkit.pure_callback(np.sin, vjpkit.ShapeDtypeStruct(X.shape, X.dtype), x))(x)
  with pytest.raises(NotImplementedError, match=f"'cummax' cannot run on {backend}"):
    vjpkit.jit(lambda x: lax.cummax(x, axis=1))(x)


@vjpkit.custom_jvp
def _sin_jvp(x):
  return vnp.sin(x)


_sin_jvp.defjvp(lambda p, t: (_sin_jvp(p[0]), t[0] * vnp.cos(p[0])))


@vjpkit.custom_vjp
def _sin_vjp(x):
  return vnp.sin(x)


_sin_vjp.defvjp(lambda x: (_sin_vjp(x), x), lambda r, c: (c * vnp.cos(r),))
CALLS = {
    "custom_jvp": _sin_jvp, "custom_vjp": _sin_vjp, "jit": vjpkit.jit(lambda x: vnp.exp(x) * x),
    "checkpoint": vjpkit.checkpoint(lambda x: vnp.sin(vnp.cos(x))),
    "nested_jit_of_custom_vjp": vjpkit.jit(_sin_vjp),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_calls_and_custom_derivatives(backend, name):
  check(backend, CALLS[name], X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_complex_values(backend):
  z = X + 1j * Y
  check(backend, lambda z: (vnp.real(z) * vnp.imag(z), vnp.conj(z) * z, vnp.abs(z),
                            lax.complex(vnp.real(z), vnp.imag(z) * 2)), z, grad=False)
  check(backend, lambda x, y: vnp.abs(lax.complex(x, y)) ** 2, X, Y)
  special = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0, 1.5])
  re = np.array([1.0, -2.0, 3.0, -0.0, -0.0, np.inf])
  converted = [to_backend(backend, v, (3,)) for v in (re, special)]
  got = vjpkit.jit(lax.complex)(*converted)
  expected = lax.complex(re, special)
  np.testing.assert_array_equal(to_numpy(got).view(np.float64), expected.view(np.float64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fft_along_unchunked_axes(backend):
  fft = pytest.importorskip("vjpkit.numpy.fft")
  check(backend, lambda x: vnp.abs(fft.rfft(x, axis=-1)) ** 2, X, rtol=1e-10)
  check(backend, lambda x: vnp.real(fft.ifft(fft.fft(x * 1.0 + 0.0j))) * x, X, rtol=1e-10)
  check(backend, lambda x: fft.irfft(fft.rfft(x), n=4) * 2, X, rtol=1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_more_elementwise(backend):
  more = pytest.importorskip("vjpkit.lax.elementwise_more")
  check(backend, lambda x: (lax.rsqrt(x), lax.square(x), lax.exp2(x), more.is_finite_p.bind(x),
                            lax.nextafter(x, x * 0.0)), POS, grad=False)
  check(backend, lambda x: lax.rsqrt(x) * lax.square(x) + lax.exp2(x), POS)
  a = np.array([[5, -7, 12], [1, -1, 0]], np.int64)
  s = np.array([[1, 2, 70], [-1, 3, 0]], np.int64)
  check(backend, lambda a, s: (more.xor_p.bind(a, s), more.shift_left_p.bind(a, s),
                               more.shift_right_arithmetic_p.bind(a, s),
                               more.xor_p.bind(a > 0, s > 0)), a, s, grad=False)
