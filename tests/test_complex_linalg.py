"""Complex linear algebra: values against NumPy, gradients of phase-invariant real losses
against JAX, finite differences (real and imaginary directions), vmap and jit."""
import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.testing import check_grads

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

RNG = np.random.default_rng(3)


def _c(*shape):
  return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def _hpd(m, a):
  return a @ m.conj(m.swapaxes(a, -1, -2)) + 3 * m.eye(a.shape[-1])


def _jax_eig(a):
  return jax.lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)


# name -> (function of (module, a), input shape, NumPy equivalent or None, order)
CASES = {
    "inv": (lambda m, a: m.linalg.inv(a), (3, 3), 2),
    "det": (lambda m, a: m.linalg.det(a), (3, 3), 2),
    "solve": (lambda m, a: m.linalg.solve(a, m.ones((3, 2)) * (1 + 2j)), (3, 3), 2),
    "slogdet_sign": (lambda m, a: m.linalg.slogdet(a)[0], (3, 3), 2),
    "slogdet_log": (lambda m, a: m.linalg.slogdet(a)[1], (3, 3), 2),
    "cholesky": (lambda m, a: m.linalg.cholesky(_hpd(m, a)), (3, 3), 2),
    "eigh_values": (lambda m, a: m.linalg.eigh(_hpd(m, a))[0], (3, 3), 2),
    "eigh_vectors": (lambda m, a: m.abs(m.linalg.eigh(_hpd(m, a))[1]), (3, 3), 1),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(_hpd(m, a)), (3, 3), 2),
    "svd_values": (lambda m, a: m.linalg.svd(a, compute_uv=False), (3, 2), 2),
    "svd_projector": (lambda m, a: (lambda u, s, vh: u @ m.conj(u.T))(
        *m.linalg.svd(a, full_matrices=False)), (3, 2), 1),
    "svd_wide_projector": (lambda m, a: (lambda u, s, vh: m.conj(vh.T) @ vh)(
        *m.linalg.svd(a, full_matrices=False)), (2, 3), 1),
    "svd_product": (lambda m, a: (lambda u, s, vh: (u * s) @ vh)(
        *m.linalg.svd(a, full_matrices=False)), (3, 3), 1),
    "qr_square": (lambda m, a: (lambda q, r: q @ r + q)(*m.linalg.qr(a)), (3, 3), 1),
    "qr_tall": (lambda m, a: (lambda q, r: m.concatenate([q.ravel(), r.ravel()]))(
        *m.linalg.qr(a)), (4, 2), 1),
    "qr_wide": (lambda m, a: (lambda q, r: m.concatenate([q.ravel(), r.ravel()]))(
        *m.linalg.qr(a)), (2, 3), 1),
    "pinv": (lambda m, a: m.linalg.pinv(a), (3, 2), 1),
    "norm_fro": (lambda m, a: m.linalg.norm(a), (3, 2), 2),
    "norm_2": (lambda m, a: m.linalg.norm(a, 2), (3, 2), 1),
    "norm_nuc": (lambda m, a: m.linalg.norm(a, "nuc"), (3, 2), 1),
    "norm_vector": (lambda m, a: m.linalg.norm(a[0]), (3, 2), 2),
    "norm_1": (lambda m, a: m.linalg.norm(a, 1), (3, 2), 1),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, 3), (3, 3), 2),
    "eigvals": (lambda m, a: m.linalg.eigvals(a), (3, 3), 2),
}


def _jax_fn(f):
  """``f`` with jax.numpy, its eig routed to the eigenvector-derivative opt-in."""
  class J:
    linalg = type("L", (), {k: staticmethod(getattr(jnp.linalg, k)) for k in dir(jnp.linalg)
                            if not k.startswith("_")})
  for k in dir(jnp):
    if not k.startswith("_") and not hasattr(J, k):
      setattr(J, k, getattr(jnp, k))
  J.linalg.eig = staticmethod(_jax_eig)
  J.linalg.eigvals = staticmethod(lambda a: _jax_eig(a)[0])
  return lambda a: f(J, a)


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_linalg(name):
  f, shape, order = CASES[name]
  a = _c(*shape)
  if name not in ("eigh_vectors", "qr_square", "qr_tall", "qr_wide", "svd_projector",
                  "svd_wide_projector"):
    np.testing.assert_allclose(f(vnp, a), f(np, a), rtol=1e-10, atol=1e-12)
  loss = lambda a: vnp.sum(vnp.abs(f(vnp, a) + 0.3) ** 2)  # noqa: E731
  jf = _jax_fn(f)
  jloss = lambda a: jnp.sum(jnp.abs(jf(a) + 0.3) ** 2)  # noqa: E731
  np.testing.assert_allclose(vjpkit.grad(loss)(a), jax.grad(jloss)(a), rtol=1e-8, atol=1e-10)
  check_grads(lambda a: f(vnp, a), (a,), order=order, atol=1e-4, rtol=1e-4)
  batch = np.stack([a, _c(*shape)])
  want = np.stack([vjpkit.grad(loss)(b) for b in batch])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(loss))(batch), want, rtol=1e-10, atol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(loss))(a), want[0], rtol=1e-10, atol=1e-12)


def test_real_input_eig_is_complex_and_differentiable():
  a = RNG.normal(size=(4, 4))
  w, v = vnp.linalg.eig(a)
  assert w.dtype == np.complex128 and v.dtype == np.complex128
  np.testing.assert_allclose(a @ v, v * w, atol=1e-12)
  g = vjpkit.grad(lambda a: vnp.sum(vnp.abs(vnp.linalg.eig(a)[1]) ** 3))(a)
  gj = jax.grad(lambda a: jnp.sum(jnp.abs(_jax_eig(a)[1]) ** 3))(a)
  assert g.dtype == np.float64
  np.testing.assert_allclose(g, gj, rtol=1e-8, atol=1e-10)
  check_grads(lambda a: vnp.real(vnp.linalg.eigvals(a)), (a,), order=2)


def test_hermitian_eigh_closed_form():
  # d(w_k)/dA = v_k v_k^H (as a real function of A's parts: grad = conj(v_k v_k^H))
  a = _hpd(np, _c(3, 3))
  w, v = np.linalg.eigh(a)
  g = vjpkit.grad(lambda a: vnp.linalg.eigh(a)[0][2])(a)
  np.testing.assert_allclose(g, np.conj(np.outer(v[:, 2], v[:, 2].conj())), atol=1e-10)
