"""vjpkit.numpy.fft and lax.fft: values against numpy.fft, round trips, derivatives.

Derivatives of the complex transforms are checked with JAX's conventions: JVPs against
central differences along real and imaginary directions; VJPs against JVPs by the
dot-product identity with the real pairing ``Re(sum(ct * jvp(t))) == Re(sum(vjp(ct) * t))``;
gradients of real losses against ``jax.numpy.fft`` (when JAX is installed) and Parseval's
theorem; second order, vmap against a loop, jit against eager.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.lax import FftType
from vjpkit.testing import check_grads

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]
REAL_INPUT = {"rfft", "ihfft", "rfftn", "rfft2"}  # complex input is an error there
DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int64]


def _draw(rng, shape, dtype=np.float64):
  dtype = np.dtype(dtype)
  if dtype.kind == "c":
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
  if dtype.kind in "iu":
    return rng.integers(-3, 4, shape).astype(dtype)
  return rng.standard_normal(shape).astype(dtype)


def _direction(rng, x):
  """A random tangent of ``x`` (complex for complex ``x``)."""
  return _draw(rng, np.shape(x), np.asarray(x).dtype)


def _assert_close(got, want, dtype=None):
  got, want = np.asarray(got), np.asarray(want)
  assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.shape,
                                                                want.dtype)
  tol = 2e-5 if want.dtype in (np.float32, np.complex64) else 1e-11
  scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
  np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


# -- values --------------------------------------------------------------------------

def _call(module, name, x, kwargs):
  return getattr(module.fft, name)(x, **kwargs)


@given(data=st.data())
def test_values_match_numpy(data):
  name = data.draw(st.sampled_from(ONE_D + N_D))
  two_d = name.endswith("2")
  ndim = data.draw(st.integers(2 if two_d else 1, 3))
  shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim)))
  dtype = data.draw(st.sampled_from([d for d in DTYPES if name not in REAL_INPUT
                                     or np.dtype(d).kind != "c"]))
  kwargs = {"norm": data.draw(st.sampled_from([None, "backward", "ortho", "forward"]))}
  if name in ONE_D:
    kwargs["axis"] = data.draw(st.integers(-ndim, ndim - 1))
    kwargs["n"] = data.draw(st.one_of(st.none(), st.integers(1, 6)))
  else:
    if not two_d and data.draw(st.booleans()):
      k = data.draw(st.integers(1, ndim))
      axes = data.draw(st.permutations(range(ndim)))[:k]
      kwargs["axes"] = [a - ndim if data.draw(st.booleans()) else a for a in axes]
    if data.draw(st.booleans()) and (two_d or "axes" in kwargs):
      k = 2 if two_d else len(kwargs["axes"])
      kwargs["s"] = data.draw(st.lists(st.integers(1, 6), min_size=k, max_size=k))
  x = _draw(np.random.default_rng(data.draw(st.integers(0, 2**31))), shape, dtype)
  try:
    want = _call(np, name, x, kwargs)
  except ValueError:  # e.g. irfft's default n = 2 (m - 1) = 0
    with pytest.raises(ValueError):
      _call(vnp, name, x, kwargs)
    return
  _assert_close(_call(vnp, name, x, kwargs), want)
  traced = vjpkit.jit(lambda x: _call(vnp, name, x, kwargs))(x)
  _assert_close(traced, want)


@pytest.mark.parametrize("name,axes", [("fftn", (0, 0)), ("ifftn", (1, 0, 1)),
                                       ("rfftn", (1, 1)), ("irfftn", (0, 1, 0))])
def test_repeated_axes_transform_again_like_numpy(name, axes):
  x = _draw(np.random.default_rng(0), (4, 3), np.complex128 if name != "rfftn" else np.float64)
  _assert_close(getattr(vnp.fft, name)(x, axes=axes), getattr(np.fft, name)(x, axes=axes))


def test_empty_axes_return_the_input_like_numpy():
  x = np.arange(3.0)
  np.testing.assert_array_equal(vnp.fft.fftn(x, axes=()), np.fft.fftn(x, axes=()))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128,
                                   np.int32, np.bool_])
def test_dtypes_like_numpy(dtype):
  x = np.array([1, 0, 1, 1], dtype)
  for name in ["fft", "ifft", "irfft", "hfft"] + (["rfft", "ihfft"] if np.dtype(dtype).kind != "c"
                                                  else []):
    got, want = getattr(vnp.fft, name)(x), getattr(np.fft, name)(x)
    assert got.dtype == want.dtype, (name, got.dtype, want.dtype)


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_frequencies_and_shifts(n):
  for d in (1.0, 0.25, np.float32(0.5)):
    _assert_close(vnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d))
    _assert_close(vnp.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d))
  x = np.arange(n * 3.0).reshape(n, 3)
  for axes in (None, 0, (1,), (0, 1), -1):
    np.testing.assert_array_equal(vnp.fft.fftshift(x, axes), np.fft.fftshift(x, axes))
    np.testing.assert_array_equal(vnp.fft.ifftshift(x, axes), np.fft.ifftshift(x, axes))


def test_fftfreq_is_differentiable_in_the_spacing():
  g = vjpkit.grad(lambda d: vnp.sum(vnp.fft.fftfreq(4, d) ** 2))(0.5)
  k = np.fft.fftfreq(4)  # f = k / d, so d/dd sum(f^2) = -2 sum(k^2) / d^3
  np.testing.assert_allclose(g, -2 * np.sum(k ** 2) / 0.5 ** 3)


# -- round trips ---------------------------------------------------------------------

@settings(max_examples=10)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 7),
       norm=st.sampled_from([None, "ortho", "forward"]))
def test_round_trips(seed, n, norm):
  rng = np.random.default_rng(seed)
  z = _draw(rng, (2, n), np.complex128)
  x = _draw(rng, (3, n))
  _assert_close(vnp.fft.ifft(vnp.fft.fft(z, norm=norm), norm=norm), z)
  _assert_close(vnp.fft.irfft(vnp.fft.rfft(x, norm=norm), n, norm=norm), x)  # even and odd n
  _assert_close(vnp.fft.hfft(vnp.fft.ihfft(x, norm=norm), n, norm=norm), x)
  _assert_close(vnp.fft.irfftn(vnp.fft.rfftn(x, norm=norm), x.shape, norm=norm), x)
  _assert_close(vnp.fft.ifftn(vnp.fft.fftn(z, axes=(0, 1)), axes=(0, 1)), z)


# -- derivatives: JVP, VJP, against JAX ------------------------------------------------

# (name, function of one array, input dtype); each a linear map, composed with a nonlinear
# one in the losses below
MAPS = [
    ("fft", lambda x: vnp.fft.fft(x), np.complex128),
    ("fft-n-crop", lambda x: vnp.fft.fft(x, n=3, axis=0), np.complex128),
    ("ifft-ortho-pad", lambda x: vnp.fft.ifft(x, n=7, norm="ortho"), np.complex128),
    ("fft2", lambda x: vnp.fft.fft2(x, norm="forward"), np.complex128),
    ("fftn-axes", lambda x: vnp.fft.fftn(x, axes=(1, 0), s=(4, 2)), np.complex128),
    ("fft-real-input", lambda x: vnp.fft.fft(x), np.float64),
    ("rfft-even", lambda x: vnp.fft.rfft(x), np.float64),
    ("rfft-odd", lambda x: vnp.fft.rfft(x, n=5, norm="ortho"), np.float64),
    ("rfftn", lambda x: vnp.fft.rfftn(x), np.float64),
    ("rfft2-odd", lambda x: vnp.fft.rfft2(x, s=(3, 3)), np.float64),
    ("irfft-even", lambda x: vnp.fft.irfft(x), np.complex128),
    ("irfft-odd", lambda x: vnp.fft.irfft(x, n=7), np.complex128),
    ("irfftn", lambda x: vnp.fft.irfftn(x, norm="ortho"), np.complex128),
    ("irfft2-odd", lambda x: vnp.fft.irfft2(x, s=(4, 5)), np.complex128),
    ("irfft-real-input", lambda x: vnp.fft.irfft(x, axis=0), np.float64),
    ("hfft", lambda x: vnp.fft.hfft(x, n=5), np.complex128),
    ("ihfft", lambda x: vnp.fft.ihfft(x, norm="forward"), np.float64),
    ("fftshift-of-fft", lambda x: vnp.fft.fftshift(vnp.fft.fft(x)), np.complex128),
]
SHAPE = (4, 4)


def _linear_and_nonlinear(f):
  """``f`` itself and a nonlinear map built on it (derivatives depend on the point)."""
  return [f, lambda x: f(x * x) * vnp.abs(f(x)) + vnp.exp(vnp.real(f(x)) / 8)]


@pytest.mark.parametrize("name,f,dtype", MAPS, ids=[m[0] for m in MAPS])
def test_jvp_matches_central_differences_along_real_and_imaginary_directions(name, f, dtype):
  rng = np.random.default_rng(0)
  x = _draw(rng, SHAPE, dtype)
  directions = [rng.standard_normal(SHAPE)]
  if np.dtype(dtype).kind == "c":
    directions += [1j * rng.standard_normal(SHAPE), _draw(rng, SHAPE, dtype)]
  eps = 1e-6
  for g in _linear_and_nonlinear(f):
    for v in directions:
      v = v.astype(dtype)
      _, t = vjpkit.jvp(g, (x,), (v,))
      fd = (np.asarray(g(x + eps * v)) - np.asarray(g(x - eps * v))) / (2 * eps)
      np.testing.assert_allclose(t, fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,f,dtype", MAPS, ids=[m[0] for m in MAPS])
def test_vjp_satisfies_the_dot_product_identity_with_the_real_pairing(name, f, dtype):
  rng = np.random.default_rng(1)
  x = _draw(rng, SHAPE, dtype)
  for g in _linear_and_nonlinear(f):
    y, pullback = vjpkit.vjp(g, x)
    for _ in range(2):
      t, ct = _direction(rng, x), _direction(rng, y)
      _, jt = vjpkit.jvp(g, (x,), (t,))
      (vt,) = pullback(ct)
      assert np.asarray(vt).dtype == np.asarray(x).dtype
      lhs, rhs = np.real(np.sum(ct * jt)), np.real(np.sum(vt * t))
      np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name,f,dtype", MAPS, ids=[m[0] for m in MAPS])
def test_check_grads_to_second_order(name, f, dtype):
  x = _draw(np.random.default_rng(13), (3, 4), dtype)
  check_grads(_linear_and_nonlinear(f)[1], (x,), order=2)


def _lax_dot_product_identity(fft_type, lengths, in_shape, dtype):
  rng = np.random.default_rng(2)
  x = _draw(rng, in_shape, dtype)
  f = lambda x: lax.fft(x, fft_type, lengths)  # noqa: E731
  y, pullback = vjpkit.vjp(f, x)
  t, ct = _direction(rng, x), _direction(rng, y)
  _, jt = vjpkit.jvp(f, (x,), (t,))
  (vt,) = pullback(ct)
  np.testing.assert_allclose(np.real(np.sum(ct * jt)), np.real(np.sum(vt * t)), rtol=1e-10)


@pytest.mark.parametrize("lengths", [(1,), (2,), (5,), (6,), (3, 4), (2, 3, 5), (4, 1)])
def test_lax_transposes_exactly_with_the_hermitian_half_spectrum(lengths):
  half = lengths[:-1] + (lengths[-1] // 2 + 1,)
  _lax_dot_product_identity(FftType.FFT, lengths, (2,) + lengths, np.complex128)
  _lax_dot_product_identity(FftType.IFFT, lengths, lengths, np.complex128)
  _lax_dot_product_identity(FftType.RFFT, lengths, (2,) + lengths, np.float64)
  _lax_dot_product_identity(FftType.IRFFT, lengths, half, np.complex128)


@pytest.fixture(scope="module")
def jax_x64():
  jax = pytest.importorskip("jax")
  previous = jax.config.jax_enable_x64
  jax.config.update("jax_enable_x64", True)
  yield jax
  jax.config.update("jax_enable_x64", previous)


# real losses written once for both modules: loss(np_module, x)
LOSSES = {
    "power": (lambda m, x: m.sum(m.abs(m.fft.fft(x)) ** 2 * m.arange(4.0)), np.float64),
    "power-complex": (lambda m, x: m.sum(m.abs(m.fft.fft2(x, norm="ortho")) ** 3), np.complex128),
    "real-part": (lambda m, x: m.sum(m.real(m.fft.ifft(x, n=6)) * m.arange(6.0)), np.complex128),
    "rfft-band": (lambda m, x: m.sum(m.abs(m.fft.rfft(x, n=5)[..., 1:]) ** 2), np.float64),
    "rfftn-phase": (lambda m, x: m.sum(m.imag(m.fft.rfftn(x)) * m.real(m.fft.rfftn(x))),
                    np.float64),
    "irfft": (lambda m, x: m.sum(m.sin(m.fft.irfft(x, n=5, axis=0))), np.complex128),
    "irfftn-even": (lambda m, x: m.sum(m.fft.irfftn(x) ** 3), np.complex128),
    "hfft": (lambda m, x: m.sum(m.fft.hfft(x) ** 2), np.complex128),
    "ihfft": (lambda m, x: m.sum(m.abs(m.fft.ihfft(x, norm="ortho")) ** 2), np.float64),
    "spectral-filter": (lambda m, x: m.sum(m.fft.irfft(m.fft.rfft(x) * m.exp(-m.arange(3.0)), 4)
                                           ** 2), np.float64),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradients_of_real_losses_match_jax(name, jax_x64):
  jnp = pytest.importorskip("jax.numpy")
  loss, dtype = LOSSES[name]
  x = _draw(np.random.default_rng(3), (4, 4), dtype)
  got = vjpkit.grad(lambda x: loss(vnp, x))(x)
  want = np.asarray(jax_x64.grad(lambda x: loss(jnp, x))(x))
  assert got.dtype == want.dtype
  np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(lambda x: loss(vnp, x)))(x), want,
                             rtol=1e-10, atol=1e-10)


def test_hessian_through_rfft_matches_jax(jax_x64):
  jnp = pytest.importorskip("jax.numpy")
  loss = lambda m, x: m.sum(m.abs(m.fft.rfft(x, norm="ortho")) ** 4)  # noqa: E731
  x = _draw(np.random.default_rng(4), (5,))
  got = vjpkit.hessian(lambda x: loss(vnp, x))(x)
  want = np.asarray(jax_x64.hessian(lambda x: loss(jnp, x))(x))
  np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(vjpkit.jacfwd(vjpkit.grad(lambda x: loss(vnp, x)))(x), want,
                             rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape,axes", [((5,), None), ((3, 4), None), ((3, 4), (0,)),
                                        ((2, 3, 2), (2, 0))])
def test_parseval_gradient(shape, axes):
  x = _draw(np.random.default_rng(5), shape)
  n = int(np.prod([shape[a] for a in (axes or range(len(shape)))]))
  g = vjpkit.grad(lambda x: vnp.sum(vnp.abs(vnp.fft.fftn(x, axes=axes)) ** 2))(x)
  np.testing.assert_allclose(g, 2 * n * x, rtol=1e-12, atol=1e-12)
  g = vjpkit.grad(lambda x: vnp.sum(vnp.abs(vnp.fft.fftn(x, axes=axes, norm="ortho")) ** 2))(x)
  np.testing.assert_allclose(g, 2 * x, rtol=1e-12, atol=1e-12)
  z = _draw(np.random.default_rng(6), shape, np.complex128)  # grad = conj(2 n z)
  g = vjpkit.grad(lambda z: vnp.sum(vnp.abs(vnp.fft.fftn(z, axes=axes)) ** 2))(z)
  np.testing.assert_allclose(g, 2 * n * np.conj(z), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n", [4, 5])
def test_second_order_of_real_to_real_functions(n):
  x = _draw(np.random.default_rng(7), (2, n))
  check_grads(lambda x: vnp.fft.irfft(vnp.fft.rfft(x) ** 2, n), (x,), order=2)
  check_grads(lambda x: vnp.abs(vnp.fft.fft(vnp.sin(x), axis=0)) ** 2, (x,), order=2)
  check_grads(lambda x: vnp.fft.hfft(vnp.fft.ihfft(x) * vnp.fft.ihfft(x), n), (x,), order=2)


# -- vmap, jit, precision --------------------------------------------------------------

@pytest.mark.parametrize("name,f,dtype", MAPS[:12], ids=[m[0] for m in MAPS[:12]])
def test_vmap_matches_a_loop(name, f, dtype):
  xs = _draw(np.random.default_rng(8), (3,) + SHAPE, dtype)
  for axis in (0, 2):
    batched = np.moveaxis(xs, 0, axis)
    got = vjpkit.vmap(f, in_axes=axis)(batched)
    np.testing.assert_allclose(got, np.stack([f(x) for x in xs]), rtol=1e-12, atol=1e-12)
  loss = lambda x: vnp.sum(vnp.abs(f(x)) ** 2)  # noqa: E731
  got = vjpkit.vmap(vjpkit.grad(loss))(xs)
  np.testing.assert_allclose(got, np.stack([vjpkit.grad(loss)(x) for x in xs]), rtol=1e-12)


def test_jit_matches_eager_and_calls_numpy_fft():
  x = _draw(np.random.default_rng(9), (3, 4))
  f = lambda x: vnp.fft.irfft(vnp.fft.rfft(x, norm="ortho") * 2j, 4, norm="ortho")  # noqa: E731
  np.testing.assert_allclose(vjpkit.jit(f)(x), f(x), rtol=1e-12, atol=1e-12)
  source = vjpkit.jit(f).lower(x).source
  assert "rfftn" in source and "irfftn" in source
  g = vjpkit.grad(lambda x: vnp.sum(f(x) ** 2))
  np.testing.assert_allclose(vjpkit.jit(g)(x), g(x), rtol=1e-12, atol=1e-12)


def test_float32_precision_is_kept_through_derivatives():
  x = _draw(np.random.default_rng(10), (6,), np.float32)
  assert vnp.fft.rfft(x).dtype == np.complex64
  assert vnp.fft.irfft(vnp.fft.rfft(x), 6, norm="ortho").dtype == np.float32
  assert vnp.fft.fft(x, norm="forward").dtype == np.complex64
  assert vnp.fft.hfft(x.astype(np.complex64)).dtype == np.float32
  g = vjpkit.grad(lambda x: vnp.sum(vnp.abs(vnp.fft.fft(x, norm="ortho")) ** 2))(x)
  assert g.dtype == np.float32
  np.testing.assert_allclose(g, 2 * x, rtol=1e-5, atol=1e-5)
  z = x.astype(np.complex64)
  g = vjpkit.grad(lambda z: vnp.sum(vnp.abs(vnp.fft.ifft(z)) ** 2))(z)
  assert g.dtype == np.complex64
  jaxpr = vjpkit.make_jaxpr(vjpkit.grad(lambda x: vnp.sum(vnp.fft.irfft(vnp.fft.rfft(x)))))(x)
  assert "f64" not in str(jaxpr) and "c128" not in str(jaxpr)


# -- NumPy dispatch ------------------------------------------------------------------

def test_unmodified_numpy_fft_code_runs_under_transforms():
  def smooth(x):  # plain NumPy
    spectrum = np.fft.rfft(x)
    return np.sum(np.fft.irfft(spectrum * np.exp(-np.fft.rfftfreq(x.shape[-1])), x.shape[-1]) ** 2
                  + np.abs(np.fft.fftshift(np.fft.fft(x))) ** 2)
  x = _draw(np.random.default_rng(11), (5,))
  expected = vjpkit.grad(_vnp_smooth)(x)
  np.testing.assert_allclose(vjpkit.grad(smooth)(x), expected, rtol=1e-12)
  check_grads(smooth, (x,), order=2)


def _vnp_smooth(x):
  spectrum = vnp.fft.rfft(x)
  return vnp.sum(vnp.fft.irfft(spectrum * vnp.exp(-vnp.fft.rfftfreq(x.shape[-1])), x.shape[-1]) ** 2
                 + vnp.abs(vnp.fft.fftshift(vnp.fft.fft(x))) ** 2)


# -- errors --------------------------------------------------------------------------

def test_errors_name_what_is_unsupported():
  x = np.ones(4)
  with pytest.raises(TypeError, match="rfft needs a real input"):
    vnp.fft.rfft(x + 1j)
  with pytest.raises(TypeError, match="real operand"):
    lax.fft(x + 1j, "rfft", (4,))
  with pytest.raises(ValueError, match="Invalid norm value"):
    vnp.fft.fft(x, norm="unitary")
  with pytest.raises(ValueError, match="Invalid number of FFT data points"):
    vnp.fft.fft(x, n=0)
  with pytest.raises(ValueError, match="Invalid number of FFT data points"):
    vnp.fft.irfft(np.ones(1))
  with pytest.raises(ValueError, match="Shape and axes"):
    vnp.fft.fftn(np.ones((2, 2)), s=(2,), axes=(0, 1))
  with pytest.raises(TypeError, match="out= is not supported"):
    vnp.fft.fft(x, out=np.empty(4, complex))
  with pytest.raises(TypeError, match="axis must be an integer"):
    vnp.fft.fft(np.ones((2, 2)), axis=(0, 1))
  with pytest.raises(np.exceptions.AxisError):
    vnp.fft.fft(x, axis=1)
  with pytest.raises(vjpkit.ConcretizationTypeError, match="fft.fftn: s is traced"):
    vjpkit.jit(lambda x, n: vnp.fft.fftn(x, s=(n,), axes=(0,)))(x, 2)
  with pytest.raises(vjpkit.ConcretizationTypeError, match="fft.rfft: n is traced"):
    vjpkit.jit(lambda x, n: vnp.fft.rfft(x, n))(x, 2)
  with pytest.raises(ValueError, match="unknown FFT type"):
    lax.fft(x, "dct", (4,))
  with pytest.raises(TypeError, match="must end in fft_lengths"):
    lax.fft_p.bind(x + 0j, fft_type=FftType.FFT, fft_lengths=(3,))
  with pytest.raises(TypeError, match=r"must end in \(3,\)"):
    lax.fft_p.bind(np.ones(4, complex), fft_type=FftType.IRFFT, fft_lengths=(4,))
  with pytest.raises(TypeError, match="between 1 and 1"):
    lax.fft_p.bind(x + 0j, fft_type=FftType.FFT, fft_lengths=(1, 4))
  with pytest.raises(TypeError, match="needs a complex64 or complex128"):
    vjpkit.jit(lambda x: lax.fft_p.bind(x, fft_type=FftType.FFT, fft_lengths=(4,)))(x)


def test_lax_fft_with_no_lengths_converts_only():
  out = lax.fft(np.arange(3.0, dtype=np.float32), FftType.FFT, ())
  assert out.dtype == np.complex64
  np.testing.assert_array_equal(out, [0, 1, 2])


def test_spectral_time_stepping_in_a_loop_differentiates_like_one_step():
  # the heat equation u_t = u_xx, stepped in Fourier space inside fori_loop and scan
  n, steps, dt = 8, 5, 0.01
  decay = np.exp(-(2 * np.pi * np.fft.rfftfreq(n, 1 / n)) ** 2 * dt / n ** 2)

  def step(u):
    return vnp.fft.irfft(vnp.fft.rfft(u) * decay, n)

  def looped(u):
    return vnp.sum(lax.fori_loop(0, steps, lambda i, u: step(u), u) ** 2)

  def scanned(u):
    return vnp.sum(lax.scan(lambda u, _: (step(u), None), u, None, length=steps)[0] ** 2)

  def one_step(u):
    return vnp.sum(vnp.fft.irfft(vnp.fft.rfft(u) * decay ** steps, n) ** 2)

  u0 = _draw(np.random.default_rng(12), (n,))
  want = vjpkit.grad(one_step)(u0)
  for f in (looped, scanned, vjpkit.jit(scanned)):
    np.testing.assert_allclose(vjpkit.grad(f)(u0), want, rtol=1e-12, atol=1e-12)
  check_grads(scanned, (u0,), order=2)
