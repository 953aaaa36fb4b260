"""CuPy (GPU): gradients computed on the device, against NumPy. Skipped, with the reason,
where CuPy or a GPU is missing."""
import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp


def _cupy():
  cp = pytest.importorskip("cupy", reason="CuPy is not installed (pip install 'vjpkit[cupy]')")
  pytest.importorskip("array_api_compat", reason="array-api-compat is needed for CuPy")
  try:
    if cp.cuda.runtime.getDeviceCount() < 1:
      pytest.skip("CuPy finds no GPU")
  except Exception as e:  # noqa: BLE001 - no driver, no device: nothing to test on
    pytest.skip(f"CuPy finds no GPU ({type(e).__name__}: {e})")
  return cp


def test_elementwise_gradient_on_the_gpu():
  cp = _cupy()
  x = np.linspace(-3, 3, 10_001)
  f = lambda x: vnp.sum(vnp.tanh(x) * vnp.exp(-x * x) + vjpkit.nn.softplus(x))  # noqa: E731
  g = vjpkit.grad(f)(cp.asarray(x))
  assert isinstance(g, cp.ndarray)
  np.testing.assert_allclose(cp.asnumpy(g), vjpkit.grad(f)(x), rtol=1e-12, atol=1e-14)


def test_mlp_gradient_on_the_gpu():
  cp = _cupy()
  rng = np.random.default_rng(0)
  params = {"W1": rng.normal(size=(8, 16)) / 3, "b1": np.zeros(16), "W2": rng.normal(size=(16, 3)) / 4}
  X, y = rng.normal(size=(64, 8)), rng.integers(0, 3, 64)
  onehot = np.eye(3)[y]

  def loss(p, X, Y):
    h = vnp.tanh(X @ p["W1"] + p["b1"])
    return -vnp.mean(vnp.sum(vjpkit.nn.log_softmax(h @ p["W2"]) * Y, axis=1))
  g = vjpkit.grad(loss)({k: cp.asarray(v) for k, v in params.items()}, cp.asarray(X), cp.asarray(onehot))
  ref = vjpkit.grad(loss)(params, X, onehot)
  for k in params:
    assert isinstance(g[k], cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(g[k]), ref[k], rtol=1e-10, atol=1e-12)


def test_special_functions_use_cupyx():
  cp = _cupy()
  pytest.importorskip("cupyx.scipy.special")
  import vjpkit.scipy.special as vsp
  x = np.linspace(0.5, 3, 101)
  g = vjpkit.grad(lambda x: vnp.sum(vsp.erf(x) + vsp.gammaln(x)))(cp.asarray(x))
  ref = vjpkit.grad(lambda x: vnp.sum(vsp.erf(x) + vsp.gammaln(x)))(x)
  np.testing.assert_allclose(cp.asnumpy(g), ref, rtol=1e-10)
