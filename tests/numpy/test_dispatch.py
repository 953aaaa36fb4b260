"""Unmodified NumPy code under transforms: tracers implement ``__array_ufunc__`` and
``__array_function__``. One table of plain NumPy functions (written for ndarrays, not
for vjpkit), each differentiated through the real ``numpy`` module; then the errors
for what cannot be supported.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import vjpkit
from numpy_testutil import check, seeds, uniform


def logsumexp(x):
  m = np.max(x, axis=-1, keepdims=True)
  return np.squeeze(m, -1) + np.log(np.sum(np.exp(x - m), axis=-1))


def softmax_cross_entropy(logits, labels):
  z = logits - logsumexp(logits)[..., None]
  return -np.mean(np.take_along_axis(z, labels[..., None], axis=-1))


def mlp(x):
  W = np.arange(12.0).reshape(4, 3) / 10
  h = np.tanh(W @ x.T)
  return np.sum(np.maximum(h, 0.1) ** 2) + np.dot(x.ravel(), x.ravel())


def polynomial_features(x):
  powers = np.stack([x ** k for k in range(3)], axis=-1)
  return np.einsum("...k,k->...", powers, np.array([1.0, -2.0, 0.5]))


def normalize(x):
  return (x - np.mean(x, axis=0)) / np.sqrt(np.var(x, axis=0) + 1.0)


def pairwise_distances(x):
  d = x[:, None, :] - x[None, :, :]
  return np.sqrt(np.sum(d ** 2, axis=-1) + 1e-3)


def piecewise(x):
  y = np.where(x > 0, np.sin(x), np.expm1(x))
  return np.cumsum(np.clip(y, -0.5, 0.5) * np.abs(x), axis=-1)


def ndarray_on_the_left(x):
  a = np.linspace(1.0, 2.0, x.shape[-1])
  return a * x + a - x / a + a ** 2 * (a @ x.T).sum() + (np.float64(2.0) * x) ** 2


def ufunc_methods(x):
  return np.add.reduce(x, axis=0) + np.multiply.accumulate(x, axis=-1)[0] + np.maximum.reduce(x)


def sort_and_select(x):
  s = np.sort(x, axis=-1)
  return s[..., -1] - s[..., 0] + np.median(x) + np.trace(np.outer(x[0], x[0]))


def shapes_and_joins(x):
  parts = np.split(x, 3, axis=-1)
  return np.concatenate([np.flip(p) for p in parts] + [np.roll(x, 1), np.pad(x, 1)[1:-1, 1:-1]], axis=1)


def spectral(x):
  spectrum = np.fft.rfft(x, axis=-1) * np.exp(-np.fft.rfftfreq(x.shape[-1]))
  return np.fft.irfft(spectrum, x.shape[-1]) + np.abs(np.fft.fftshift(np.fft.fft2(x))) ** 2


# name -> (function of NumPy arrays, shape of its argument)
TABLE = {
    "logsumexp": (logsumexp, (2, 3)),
    "mlp": (mlp, (2, 3)),
    "polynomial_features": (polynomial_features, (2, 3)),
    "normalize": (normalize, (4, 3)),
    "pairwise_distances": (pairwise_distances, (3, 2)),
    "piecewise": (piecewise, (2, 3)),
    "ndarray_on_the_left": (ndarray_on_the_left, (2, 3)),
    "ufunc_methods": (ufunc_methods, (2, 3)),
    "sort_and_select": (sort_and_select, (2, 3)),
    "shapes_and_joins": (shapes_and_joins, (2, 3)),
    "spectral": (spectral, (2, 3)),
}


@pytest.mark.parametrize("name", sorted(TABLE))
@settings(max_examples=4)
@given(seed=seeds)
def test_unmodified_numpy_code(name, seed):
  f, shape = TABLE[name]
  x = uniform(np.random.default_rng(seed), shape, avoid=(0.0,))
  check(f, f, [x], order=2, rtol=1e-10)
  out = vjpkit.vmap(f)(np.stack([x, 2 * x]))
  np.testing.assert_allclose(out, np.stack([f(x), f(2 * x)]), rtol=1e-10)


def test_grad_of_cross_entropy_with_integer_labels():
  logits = np.random.default_rng(0).standard_normal((4, 3))
  labels = np.array([0, 2, 1, 2])
  g = vjpkit.grad(softmax_cross_entropy)(logits, labels)
  p = np.exp(logits - logsumexp(logits)[:, None])
  np.testing.assert_allclose(g, (p - np.eye(3)[labels]) / 4, rtol=1e-12)


def test_grad_through_the_real_numpy_module():
  g = vjpkit.grad(lambda x: np.sum(np.sin(x) * x))(np.array([0.0, 1.0]))
  np.testing.assert_allclose(g, np.cos([0.0, 1.0]) * [0.0, 1.0] + np.sin([0.0, 1.0]))


def g(f):
  return lambda: vjpkit.grad(f)(np.ones(3))


def test_unsupported_functions_raise_naming_them():
  with pytest.raises(TypeError, match=r"numpy\.lib\.stride_tricks\.sliding_window_view"):
    g(lambda x: np.sum(np.lib.stride_tricks.sliding_window_view(x, 2)))()
  with pytest.raises(TypeError, match=r"numpy\.convolve"):
    g(lambda x: np.sum(np.convolve(x, x)))()
  with pytest.raises(TypeError, match=r"numpy\.isnat"):
    vjpkit.vmap(lambda i: np.isnat(i))(np.arange(3.0))
  with pytest.raises(TypeError, match=r"numpy\.add\.reduceat"):
    g(lambda x: np.sum(np.add.reduceat(x, [0, 1])))()


def test_out_and_where_and_in_place_raise():
  acc = np.zeros(3)
  def in_place(x):
    a = np.zeros(3)
    a += x
    return np.sum(a)
  with pytest.raises(TypeError, match="out="):
    g(in_place)()
  with pytest.raises(TypeError, match="out="):
    g(lambda x: np.sum(np.sin(x, out=acc)))()
  with pytest.raises(TypeError, match="where="):
    g(lambda x: np.sum(np.sin(x, where=x > 0)))()
  with pytest.raises(TypeError, match="in place"):
    g(lambda x: np.add.at(x, [0], 1.0))()
  with pytest.raises(TypeError, match="immutable"):
    g(lambda x: x.sort())()


def test_conversion_to_ndarray_still_raises():
  with pytest.raises(vjpkit.TracerArrayConversionError):
    g(lambda x: np.sum(np.asarray(x)))()
  with pytest.raises(vjpkit.TracerArrayConversionError):
    g(lambda x: np.array(x).sum())()
