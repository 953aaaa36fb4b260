"""Complex numbers: JAX's differentiation conventions, and every complex-capable function
checked against JAX's gradients and against finite differences (real and imaginary
directions, the pairing Re(sum(u * v)))."""
import warnings

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.testing import check_grads

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

RNG = np.random.default_rng(0)


def _c(*shape):
  return RNG.uniform(-1.5, 1.5, shape) + 1j * RNG.uniform(-1.5, 1.5, shape)


# -- the conventions ------------------------------------------------------------------

def test_grad_of_a_real_function_of_a_complex_input_is_the_conjugate_convention():
  assert vjpkit.grad(lambda z: vnp.abs(z) ** 2)(3 + 4j) == 6 - 8j
  z = _c(3)
  f = lambda z: vnp.sum(vnp.real(z * vnp.conj(z) * vnp.exp(z)))  # noqa: E731
  g = lambda z: jnp.sum(jnp.real(z * jnp.conj(z) * jnp.exp(z)))  # noqa: E731
  np.testing.assert_allclose(vjpkit.grad(f)(z), jax.grad(g)(z), rtol=1e-12)
  # df/dx - i df/dy, by finite differences of the parts
  eps = 1e-6
  dx = (f(z + eps * np.eye(3)[0]) - f(z - eps * np.eye(3)[0])) / (2 * eps)
  dy = (f(z + 1j * eps * np.eye(3)[0]) - f(z - 1j * eps * np.eye(3)[0])) / (2 * eps)
  np.testing.assert_allclose(vjpkit.grad(f)(z)[0], dx - 1j * dy, rtol=1e-7)


def test_holomorphic_grad_is_the_complex_derivative():
  assert vjpkit.grad(lambda z: z ** 2, holomorphic=True)(3 + 4j) == 6 + 8j
  z = 0.3 + 0.7j
  np.testing.assert_allclose(vjpkit.grad(vnp.sin, holomorphic=True)(z), np.cos(z), rtol=1e-14)
  v, g = vjpkit.value_and_grad(vnp.exp, holomorphic=True)(z)
  np.testing.assert_allclose([v, g], [np.exp(z), np.exp(z)], rtol=1e-14)


def test_holomorphic_errors():
  with pytest.raises(TypeError, match="holomorphic=True requires inputs with complex dtype"):
    vjpkit.grad(lambda x: x ** 2, holomorphic=True)(3.0)
  with pytest.raises(TypeError, match="holomorphic=True requires outputs with complex dtype"):
    vjpkit.grad(lambda z: vnp.abs(z), holomorphic=True)(3 + 4j)
  with pytest.raises(TypeError, match="pass holomorphic=True"):
    vjpkit.grad(lambda z: z ** 2)(3 + 4j)
  with pytest.raises(TypeError, match="pass holomorphic=True"):
    vjpkit.grad(lambda x: x * 1j)(3.0)
  with pytest.raises(TypeError, match="jacfwd requires real-valued inputs.*holomorphic=True"):
    vjpkit.jacfwd(lambda z: vnp.abs(z))(np.array([1j]))
  with pytest.raises(TypeError, match="jacrev requires real-valued outputs.*holomorphic=True"):
    vjpkit.jacrev(lambda z: z * 2)(np.array([1j]))
  with pytest.raises(TypeError, match="holomorphic=True requires inputs with complex dtype"):
    vjpkit.jacrev(lambda x: x * 2, holomorphic=True)(np.array([1.0]))


def test_vjp_and_jvp_check_complex_cotangents_and_tangents():
  z = _c(2)
  y, f_vjp = vjpkit.vjp(lambda z: z * z, z)
  np.testing.assert_allclose(f_vjp(np.ones(2, complex))[0], 2 * z)
  with pytest.raises(ValueError, match="c128.*c128|f64.*c128"):
    f_vjp(np.ones(2))
  with pytest.raises(ValueError, match="tangent 0 has shape/dtype f64"):
    vjpkit.jvp(lambda z: z * z, (z,), (np.ones(2),))
  _, t = vjpkit.jvp(lambda z: z * z, (z,), (np.ones(2, complex),))
  np.testing.assert_allclose(t, 2 * z)


def test_holomorphic_jacobians_and_hessian():
  z = _c(3)
  f = lambda z: vnp.sin(z) * vnp.sum(z ** 2)  # noqa: E731
  g = lambda z: jnp.sin(z) * jnp.sum(z ** 2)  # noqa: E731
  want = jax.jacfwd(g, holomorphic=True)(z)
  np.testing.assert_allclose(vjpkit.jacfwd(f, holomorphic=True)(z), want, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jacrev(f, holomorphic=True)(z), want, rtol=1e-12)
  h = lambda z: vnp.sum(vnp.exp(z) * z ** 2)  # noqa: E731
  hj = lambda z: jnp.sum(jnp.exp(z) * z ** 2)  # noqa: E731
  np.testing.assert_allclose(vjpkit.hessian(h, holomorphic=True)(z),
                             jax.hessian(hj, holomorphic=True)(z), rtol=1e-12)


def test_jacrev_of_a_real_function_of_complex_inputs_and_jacfwd_of_complex_outputs():
  z = _c(2)
  f = lambda z: vnp.abs(z) ** 2  # noqa: E731
  np.testing.assert_allclose(vjpkit.jacrev(f)(z), jax.jacrev(lambda z: jnp.abs(z) ** 2)(z))
  x = np.array([0.3, -0.2])
  np.testing.assert_allclose(vjpkit.jacfwd(lambda x: vnp.exp(1j * x))(x),
                             jax.jacfwd(lambda x: jnp.exp(1j * x))(x), rtol=1e-12)


# -- promotion and conversion -------------------------------------------------------

def test_promotion_follows_numpy():
  f64, c64, f32 = np.ones(2), np.ones(2, np.complex64), np.ones(2, np.float32)
  for a, b in [(f64, c64), (f32, c64), (c64, 1j), (f32, 1j), (f64, 2j)]:
    want = (a * b).dtype
    assert vnp.multiply(a, b).dtype == want
    assert vjpkit.jit(lambda a, b: a * b)(a, b).dtype == want


def test_astype_float_of_complex_warns_and_keeps_the_real_part():
  z = np.array([1 + 2j, 3 - 4j])
  with pytest.warns(np.exceptions.ComplexWarning):
    g = vjpkit.grad(lambda z: vnp.sum(z.astype(float) ** 2))(z)
  np.testing.assert_allclose(g, 2 * z.real)
  with pytest.warns(np.exceptions.ComplexWarning):
    out = vjpkit.jit(lambda z: z.astype(np.float64))(z)
  np.testing.assert_array_equal(out, z.real)


# -- functions: gradients against JAX, finite differences ---------------------------

UNARY = ["exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos",
         "arctan", "arcsinh", "arccosh", "arctanh", "expm1", "log1p", "log2", "log10", "exp2",
         "abs", "angle", "real", "imag", "conj", "conjugate", "sign", "reciprocal", "square",
         "negative", "positive"]


# JAX's JVP of arccosh is 1/sqrt((z-1)(z+1)), which has the wrong sign where Re(z) < 0
# (finite differences agree with vjpkit's 1/(sqrt(z-1) sqrt(z+1))); JAX takes the derivative
# of the complex sign z/|z| as 0, vjpkit differentiates it. Both are checked by FD only.
JAX_DIFFERS = {"arccosh", "sign"}


@pytest.mark.parametrize("name", UNARY)
def test_unary_complex(name):
  z = _c(4)
  f, g = getattr(vnp, name), getattr(jnp, name)
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    np.testing.assert_allclose(f(z), getattr(np, name)(z), rtol=1e-12, atol=1e-14)
  loss = lambda f: lambda z: vnp.sum(vnp.abs(f(z) + 0.5) ** 2)  # noqa: E731
  jloss = lambda z: jnp.sum(jnp.abs(g(z) + 0.5) ** 2)  # noqa: E731
  if name not in JAX_DIFFERS:
    np.testing.assert_allclose(vjpkit.grad(loss(f))(z), jax.grad(jloss)(z), rtol=1e-9,
                               atol=1e-12)
  check_grads(f, (z,), order=2)
  check_grads(loss(f), (z,), order=2)


BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "power", "float_power"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_complex(name):
  z, w = _c(3), _c(3)
  f = getattr(vnp, name)
  np.testing.assert_allclose(f(z, w), getattr(np, name)(z, w), rtol=1e-12)
  np.testing.assert_allclose(f(z, 2.0), getattr(np, name)(z, 2.0), rtol=1e-12)
  check_grads(f, (z, w), order=2)
  check_grads(lambda z: f(z, 2.5), (z,), order=2)
  check_grads(lambda x: f(x, w), (z.real,), order=1)  # real input, complex output


REDUCTIONS = ["sum", "mean", "prod", "cumsum", "cumprod", "var", "std"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_complex(name):
  z = _c(2, 3)
  f = getattr(vnp, name)
  for axis in (None, 0, 1):
    got, want = f(z, axis=axis), getattr(np, name)(z, axis=axis)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.asarray(got).dtype == np.asarray(want).dtype
  check_grads(lambda z: f(z, axis=1), (z,), order=2)
  jf = getattr(jnp, name)
  np.testing.assert_allclose(vjpkit.grad(lambda z: vnp.sum(vnp.abs(f(z, axis=0)) ** 2))(z),
                             jax.grad(lambda z: jnp.sum(jnp.abs(jf(z, axis=0)) ** 2))(z),
                             rtol=1e-9)


PRODUCTS = {
    "dot": lambda m, a, b: m.dot(a, b), "matmul": lambda m, a, b: m.matmul(a, b),
    "einsum": lambda m, a, b: m.einsum("ij,jk->ik", a, b),
    "tensordot": lambda m, a, b: m.tensordot(a, b, 1), "vdot": lambda m, a, b: m.vdot(a, b),
    "inner": lambda m, a, b: m.inner(a, b), "outer": lambda m, a, b: m.outer(a, b),
    "kron": lambda m, a, b: m.kron(a, b),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products_complex(name):
  a, b = _c(2, 2), _c(2, 2)
  op = PRODUCTS[name]
  np.testing.assert_allclose(op(vnp, a, b), op(np, a, b), rtol=1e-12)
  check_grads(lambda a, b: op(vnp, a, b), (a, b), order=2)
  check_grads(lambda a: op(vnp, a, b.real), (a,), order=1)  # mixed real/complex


def test_where_indexing_at_joining_shapes_complex():
  z, w = _c(2, 3), _c(2, 3)

  def f(z, w):
    u = vnp.where(vnp.real(z) > 0, z, w)[:, 1:]
    u = u.at[0, 0].add(w[1, 1]).at[1].set(z[0, :2] * 2j)
    v = vnp.concatenate([u, vnp.stack([z[0], w[1]])[:, :2]], axis=0)
    return vnp.transpose(vnp.reshape(v, (2, 4)))

  def g(z, w):
    u = jnp.where(jnp.real(z) > 0, z, w)[:, 1:]
    u = u.at[0, 0].add(w[1, 1]).at[1].set(z[0, :2] * 2j)
    v = jnp.concatenate([u, jnp.stack([z[0], w[1]])[:, :2]], axis=0)
    return jnp.transpose(jnp.reshape(v, (2, 4)))
  f = vjpkit.jit(f)  # .at on the plain arrays of an eager call is another issue's
  np.testing.assert_allclose(f(z, w), g(z, w))
  check_grads(f, (z, w), order=2)
  loss = lambda f: lambda z, w: vnp.sum(vnp.abs(f(z, w)) ** 2)  # noqa: E731
  jl = lambda z, w: jnp.sum(jnp.abs(g(z, w)) ** 2)  # noqa: E731
  for a, b in zip(vjpkit.grad(loss(f), argnums=(0, 1))(z, w), jax.grad(jl, argnums=(0, 1))(z, w)):
    np.testing.assert_allclose(a, b, rtol=1e-12)


# -- transforms: vmap, jit, control flow, custom rules, checkpoint -------------------

def _program(z):
  return vnp.sum(vnp.abs(vnp.exp(z) * vnp.conj(z) + z ** 2) ** 2)


def test_vmap_jit_and_their_compositions_with_grad():
  zs = _c(4, 3)
  want = np.stack([vjpkit.grad(_program)(z) for z in zs])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(_program))(zs), want, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.vmap(vjpkit.grad(_program)))(zs), want, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(_program)(zs[0]), _program(zs[0]), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.jit(_program))(zs[0]), want[0], rtol=1e-12)


def test_control_flow_with_complex_carries():
  z = _c(3)

  def scan_f(z):
    def body(c, x):
      c = c * x + 1j * vnp.sin(c)
      return c, vnp.real(c)
    c, ys = lax.scan(body, z, vnp.stack([z, 2 * z]))
    return vnp.sum(vnp.abs(c) ** 2) + vnp.sum(ys)

  def jscan_f(z):
    def body(c, x):
      c = c * x + 1j * jnp.sin(c)
      return c, jnp.real(c)
    c, ys = jax.lax.scan(body, z, jnp.stack([z, 2 * z]))
    return jnp.sum(jnp.abs(c) ** 2) + jnp.sum(ys)
  np.testing.assert_allclose(vjpkit.grad(scan_f)(z), jax.grad(jscan_f)(z), rtol=1e-10)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(scan_f))(z), jax.grad(jscan_f)(z), rtol=1e-10)

  def loop_f(z):
    return vnp.sum(vnp.real(lax.fori_loop(0, 3, lambda i, c: c * z + 0.5j, z)))
  np.testing.assert_allclose(
      vjpkit.grad(loop_f)(z),
      jax.grad(lambda z: jnp.sum(jnp.real(jax.lax.fori_loop(0, 3, lambda i, c: c * z + 0.5j, z))))(z),
      rtol=1e-10)

  def cond_f(z):
    return vnp.real(lax.cond(vnp.real(z[0]) > 0, lambda z: vnp.sum(z * z), lambda z: vnp.sum(z), z))
  check_grads(cond_f, (z,), order=2)
  check_grads(scan_f, (z,), order=2)


def test_custom_jvp_vjp_and_checkpoint_with_complex():
  @vjpkit.custom_jvp
  def f(z):
    return vnp.exp(z)
  f.defjvp(lambda primals, tangents: (vnp.exp(primals[0]), vnp.exp(primals[0]) * tangents[0]))

  @vjpkit.custom_vjp
  def g(z):
    return z * z
  g.defvjp(lambda z: (z * z, z), lambda z, ct: (2 * z * ct,))
  z = _c(3)
  loss = lambda z: vnp.sum(vnp.abs(f(z) + g(z)) ** 2)  # noqa: E731
  jl = lambda z: jnp.sum(jnp.abs(jnp.exp(z) + z * z) ** 2)  # noqa: E731
  np.testing.assert_allclose(vjpkit.grad(loss)(z), jax.grad(jl)(z), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.checkpoint(loss))(z), jax.grad(jl)(z), rtol=1e-12)
  check_grads(f, (z,), order=2)


def test_make_jaxpr_prints_complex_types():
  text = str(vjpkit.make_jaxpr(lambda z: lax.real(z * 2j))(np.ones(2, complex)))
  assert "c128[2]" in text and "real" in text


# -- shape, joining and other array functions: the table ----------------------------

SHAPE_FUNCTIONS = {
    "reshape": lambda m, z: m.reshape(z, (3, 2)), "transpose": lambda m, z: m.transpose(z),
    "ravel": lambda m, z: m.ravel(z), "concatenate": lambda m, z: m.concatenate([z, 2 * z]),
    "stack": lambda m, z: m.stack([z, z * 1j]), "hstack": lambda m, z: m.hstack([z, z]),
    "flip": lambda m, z: m.flip(z, 1), "roll": lambda m, z: m.roll(z, 1, axis=1),
    "tile": lambda m, z: m.tile(z, (2, 1)), "repeat": lambda m, z: m.repeat(z, 2, axis=0),
    "pad": lambda m, z: m.pad(z, 1), "moveaxis": lambda m, z: m.moveaxis(z, 0, 1),
    "swapaxes": lambda m, z: m.swapaxes(z, 0, 1), "expand_dims": lambda m, z: m.expand_dims(z, 0),
    "broadcast_to": lambda m, z: m.broadcast_to(z, (2, 2, 3)), "split": lambda m, z: m.split(z, 3, 1)[1],
    "diag": lambda m, z: m.diag(z[0]), "diagonal": lambda m, z: m.diagonal(z),
    "trace": lambda m, z: m.trace(z), "tril": lambda m, z: m.tril(z), "triu": lambda m, z: m.triu(z),
    "sort": lambda m, z: m.sort(z + m.arange(3.0) * 3), "diff": lambda m, z: m.diff(z),
    "gradient": lambda m, z: m.gradient(z[0]), "trapezoid": lambda m, z: m.trapezoid(z),
    "cross": lambda m, z: m.cross(z[0], z[1]), "polyval": lambda m, z: m.polyval(z[0], z[1]),
    "vander": lambda m, z: m.vander(z[0], 3), "vecdot": lambda m, z: m.vecdot(z, z * 2),
    "matvec": lambda m, z: m.matvec(z, z[0]), "vecmat": lambda m, z: m.vecmat(z[:, 0], z),
    "where": lambda m, z: m.where(m.real(z) > 0, z, 1j), "take": lambda m, z: m.take(z, [2, 0, 1], 1),
    "getitem": lambda m, z: z[::-1, [0, 2]], "atleast_3d": lambda m, z: m.atleast_3d(z),
    "rot90": lambda m, z: m.rot90(z), "squeeze": lambda m, z: m.squeeze(z[None]),
    "average": lambda m, z: m.average(z, axis=0, weights=[1.0, 3.0]),
    "nansum": lambda m, z: m.nansum(z, 1), "nanmean": lambda m, z: m.nanmean(z, 0),
    "cumulative_sum": lambda m, z: m.cumulative_sum(z, axis=1), "kron": lambda m, z: m.kron(z, z),
    "linspace": lambda m, z: m.linspace(z[0], z[1], 4), "append": lambda m, z: m.append(z, z[0]),
    "cov": lambda m, z: m.cov(z), "corrcoef": lambda m, z: m.corrcoef(z),
    "cov_weighted": lambda m, z: m.cov(z, aweights=[1.0, 2.0, 0.5]),
    # orderings of complex values are lexicographic (real part, then imaginary), as in NumPy
    "max": lambda m, z: m.max(z, axis=1), "min": lambda m, z: m.min(z, axis=0),
    "ptp": lambda m, z: m.ptp(z, axis=1), "maximum": lambda m, z: m.maximum(z, z[::-1]),
    "fmin": lambda m, z: m.fmin(z, z[::-1]), "argmax": lambda m, z: m.argmax(z, axis=1),
}


@pytest.mark.parametrize("name", sorted(SHAPE_FUNCTIONS))
def test_array_functions_complex(name):
  f = SHAPE_FUNCTIONS[name]
  z = _c(2, 3)
  np.testing.assert_allclose(f(vnp, z), f(np, z), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(lambda z: f(vnp, z))(z), f(np, z), rtol=1e-12)
  if name != "argmax":
    check_grads(lambda z: f(vnp, z), (z,), order=2)
  zs = _c(3, 2, 3)
  np.testing.assert_allclose(vjpkit.vmap(lambda z: f(vnp, z))(zs),
                             np.stack([f(np, z) for z in zs]), rtol=1e-12)


def test_strategies_draw_complex_arrays():
  from hypothesis import find

  from vjpkit.testing.strategies import arrays
  x = find(arrays(shape=3, dtype=np.complex128), lambda x: bool(np.all(x.imag != 0)))
  assert x.dtype == np.complex128 and np.all(np.abs(x.real) <= 3) and np.all(x.imag != 0)


def test_predicates_and_helpers():
  z = np.array([1 + 1j, 2 + 0j])
  assert vnp.iscomplexobj(z) and not vnp.isrealobj(z) and vnp.isrealobj(1.0)
  np.testing.assert_array_equal(vnp.iscomplex(z), np.iscomplex(z))
  np.testing.assert_array_equal(vnp.isreal(z), np.isreal(z))
  np.testing.assert_array_equal(vnp.iscomplex(np.ones(2)), [False, False])
  np.testing.assert_array_equal(vnp.real_if_close(z + 1e-16j * 0), z)
  np.testing.assert_array_equal(vnp.real_if_close(np.array([1 + 1e-16j])), np.array([1.0]))
  np.testing.assert_array_equal(vnp.sort_complex(np.array([[3, 1j, 2]])),
                                np.sort_complex(np.array([[3, 1j, 2]])))
  np.testing.assert_allclose(vnp.angle(z, deg=True), np.angle(z, deg=True))
  np.testing.assert_array_equal(vnp.imag(np.ones(2)), np.imag(np.ones(2)))
  with pytest.raises(Exception, match="real_if_close"):
    vjpkit.jit(vnp.real_if_close)(z)
  # traced values: attributes as on arrays
  g = vjpkit.grad(lambda z: vnp.sum(z.real * z.imag))(z)
  np.testing.assert_allclose(g, z.imag - 1j * z.real)


# -- set operations, lexsort and searchsorted order complex values as NumPy -------------

def _complex_sample(rng, n, nan_every):
  re, im = rng.integers(-2, 3, n).astype(float), rng.integers(-2, 3, n).astype(float)
  if n and nan_every:
    re[rng.integers(0, n)] = np.nan
    im[rng.integers(0, n)] = np.nan if nan_every > 1 else im[0]
  return re + 1j * im


SET_FUNCTIONS = {
    "unique": lambda m, a, b: m.unique(a),
    "unique_no_equal_nan": lambda m, a, b: m.unique(a, equal_nan=False),
    "unique_all": lambda m, a, b: m.unique(a, return_index=True, return_inverse=True,
                                           return_counts=True),
    "isin": lambda m, a, b: m.isin(a, b),
    "union1d": lambda m, a, b: m.union1d(a, b),
    "intersect1d": lambda m, a, b: m.intersect1d(a, b),
    "setdiff1d": lambda m, a, b: m.setdiff1d(a, b),
    "setxor1d": lambda m, a, b: m.setxor1d(a, b),
    "lexsort": lambda m, a, b: m.lexsort((a, np.real(a) * 0 + np.arange(a.size) % 2)),
    "searchsorted": lambda m, a, b: m.searchsorted(np.sort(b), a),
}


@pytest.mark.parametrize("name", sorted(SET_FUNCTIONS))
def test_complex_set_operations_match_numpy(name):
  f, rng = SET_FUNCTIONS[name], np.random.default_rng(7)
  for trial in range(60):
    a = _complex_sample(rng, int(rng.integers(0, 8)), trial % 3)
    b = _complex_sample(rng, 4, 0)
    expected, got = f(np, a, b), f(vnp, a, b)
    for e, g in zip(expected if isinstance(expected, tuple) else (expected,),
                    got if isinstance(got, tuple) else (got,)):
      assert np.asarray(g).dtype == np.asarray(e).dtype
      np.testing.assert_array_equal(g, e)


def test_complex_unique_under_jit_and_its_derivative():
  z = np.array([1 + 2j, 1 - 1j, 1 + 2j, -3j])
  got = vjpkit.jit(lambda z: vnp.unique(z, size=4, fill_value=0))(z)
  np.testing.assert_array_equal(got, [-3j, 1 - 1j, 1 + 2j, 0])
  np.testing.assert_array_equal(vjpkit.jit(lambda v: vnp.searchsorted(np.sort(z), v))(z),
                                np.searchsorted(np.sort(z), z))
  # each unique value's derivative is its first occurrence's: Re(sum(conj(w) u)) pairs
  w = np.array([1 - 1j, 2 + 0.5j, -1j])
  g = vjpkit.grad(lambda z: vnp.real(vnp.sum(w * vnp.unique(z))))(z)
  np.testing.assert_allclose(g, [w[2], w[1], 0, w[0]])


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nancumsum", "nancumprod", "nanmax",
                                  "nanmin", "nanargmax", "nanargmin", "nanmean"])
def test_complex_nan_functions_skip_values_with_a_nan_part_as_numpy(name):
  # nansum, nanprod, nancumsum and nancumprod used to propagate complex NaNs (wrong values)
  rng = np.random.default_rng(11)
  for _ in range(40):
    n = int(rng.integers(1, 6))
    z = (rng.integers(-2, 3, n) + 1j * rng.integers(-2, 3, n)).astype(complex)
    for _ in range(int(rng.integers(0, n))):
      i = rng.integers(0, n)
      z[i] = complex(np.nan, z[i].imag) if rng.random() < 0.5 else complex(z[i].real, np.nan)
    if np.isnan(z).all():
      continue
    got, want = getattr(vnp, name)(z), getattr(np, name)(z)
    np.testing.assert_array_equal(got, want)
  z = np.array([1 + 2j, complex(np.nan, 1.0), 3 - 1j])
  np.testing.assert_array_equal(vjpkit.grad(lambda z: vnp.real(vnp.nansum(2j * z)))(z),
                                [2j, 0, 2j])  # d Re(2iz) = -2 dy
  np.testing.assert_array_equal(vjpkit.jit(vnp.nanmax)(z), 3 - 1j)


def test_complex_isinf_isfinite_nan_to_num_and_log_bases_at_nonfinite_values():
  # isinf/isfinite of complex values were wrong (NaN tested instead of inf); nan_to_num left
  # complex NaNs and infinities alone; log2/log10/exp2 gave inf·0 NaNs at infinite parts
  z = np.array([complex(np.inf, 1), 1j, complex(-np.inf, np.nan), 0j, complex(np.nan, 1),
                complex(2, np.nan), complex(1, -np.inf), 3 - 4j])
  for name in ("isinf", "isfinite", "isnan", "nan_to_num", "log2", "log10", "exp2", "log",
               "sort_complex"):
    with np.errstate(all="ignore"):
      want = getattr(np, name)(z)
      for got in (getattr(vnp, name)(z), vjpkit.jit(getattr(vnp, name))(z)):
        assert got.dtype == want.dtype, name
        for part in (np.real, np.imag):  # to rounding; infinities and NaNs where NumPy's are
          np.testing.assert_allclose(part(got), part(want), rtol=1e-15, err_msg=name)
  w = np.array([1 + 2j, -0.5 + 0.3j])
  for name in ("log2", "log10", "exp2", "nan_to_num"):
    check_grads(getattr(vnp, name), (w,), order=2)
