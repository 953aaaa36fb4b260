"""vjpkit.nn, one row per function: values vs NumPy/SciPy references, derivatives to
second order, vmap vs loop, float32; then the conventions at kinks and for extremes."""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
import scipy.special as ss
from hypothesis import given, settings, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import nn
from vjpkit.testing import strategies as vst
from vjpkit.testing.check_grads import check_grads


class Row(NamedTuple):
  fn: Callable
  ref: Callable
  low: float = -4.0
  high: float = 4.0
  avoid: tuple = ()
  axis: bool = False  # takes an axis argument (drawn at random)


def _gelu_tanh(x):
  return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


NN: dict[str, Row] = {
    "relu": Row(nn.relu, lambda x: np.maximum(x, 0), avoid=(0.0,)),
    "sigmoid": Row(nn.sigmoid, ss.expit),
    "softplus": Row(nn.softplus, lambda x: np.logaddexp(x, 0)),
    "log_sigmoid": Row(nn.log_sigmoid, lambda x: -np.logaddexp(0, -x)),
    "silu": Row(nn.silu, lambda x: x * ss.expit(x)),
    "gelu": Row(nn.gelu, _gelu_tanh),
    "gelu_exact": Row(lambda x: nn.gelu(x, approximate=False), lambda x: x * ss.ndtr(x)),
    "softmax": Row(nn.softmax, ss.softmax, axis=True),
    "log_softmax": Row(nn.log_softmax, ss.log_softmax, axis=True),
    "logsumexp": Row(nn.logsumexp, ss.logsumexp, axis=True),
    "elu": Row(nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)), avoid=(0.0,)),
    "celu": Row(lambda x: nn.celu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x / 0.5)),
                avoid=(0.0,)),
    "selu": Row(nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 *
                                                                 np.expm1(x)), avoid=(0.0,)),
    "leaky_relu": Row(nn.leaky_relu, lambda x: np.where(x >= 0, x, 0.01 * x), avoid=(0.0,)),
    "relu6": Row(nn.relu6, lambda x: np.clip(x, 0, 6), low=-2.0, high=8.0, avoid=(0.0, 6.0)),
    "hard_sigmoid": Row(nn.hard_sigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, avoid=(-3.0, 3.0)),
    "hard_silu": Row(nn.hard_silu, lambda x: x * np.clip(x + 3, 0, 6) / 6, avoid=(-3.0, 3.0)),
    "hard_tanh": Row(nn.hard_tanh, lambda x: np.clip(x, -1, 1), avoid=(-1.0, 1.0)),
    "soft_sign": Row(nn.soft_sign, lambda x: x / (np.abs(x) + 1), avoid=(0.0,)),
    "squareplus": Row(nn.squareplus, lambda x: (x + np.sqrt(x * x + 4)) / 2),
    "sparse_plus": Row(nn.sparse_plus, lambda x: np.where(x <= -1, 0, np.where(
        x >= 1, x, (x + 1) ** 2 / 4)), avoid=(-1.0, 1.0)),
    "sparse_sigmoid": Row(nn.sparse_sigmoid, lambda x: np.clip(x + 1, 0, 2) / 2,
                          avoid=(-1.0, 1.0)),
    "mish": Row(nn.mish, lambda x: x * np.tanh(np.logaddexp(x, 0))),
    "log1mexp": Row(nn.log1mexp, lambda x: np.log(-np.expm1(-x)), low=0.05, high=6.0,
                    avoid=(float(np.log(2)),)),
    "identity": Row(nn.identity, lambda x: x),
    "standardize": Row(lambda x, axis=-1: nn.standardize(x, axis, epsilon=0.1),
                       lambda x, axis=-1: (x - x.mean(axis, keepdims=True)) / np.sqrt(
                           x.var(axis, keepdims=True) + 0.1), axis=True),
    "logmeanexp": Row(nn.logmeanexp, lambda x, axis=None: ss.logsumexp(x, axis) - np.log(
        x.size / ss.logsumexp(x, axis, keepdims=True).size), axis=True),
}


def _draw(data, row):
  x = data.draw(vst.arrays(vst.shapes(max_dims=3), low=row.low, high=row.high, avoid=row.avoid))
  if not row.axis:
    return x, {}
  if x.ndim == 0:
    x = x.reshape(1)
  return x, {"axis": data.draw(st.integers(-x.ndim, x.ndim - 1))}


@pytest.mark.parametrize("name", sorted(NN))
@given(data=st.data())
def test_values_and_derivatives(name, data):
  row = NN[name]
  x, kw = _draw(data, row)
  out, ref = np.asarray(row.fn(x, **kw)), np.asarray(row.ref(x, **kw))
  assert out.shape == ref.shape and out.dtype == ref.dtype
  np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-14)
  check_grads(lambda x: row.fn(x, **kw), (x,), order=2)


@pytest.mark.parametrize("name", sorted(NN))
@settings(max_examples=5)
@given(data=st.data())
def test_vmap_matches_loop(name, data):
  row = NN[name]
  x, kw = _draw(data, row)
  if kw:
    kw = {"axis": kw["axis"] % x.ndim}
  xs = np.stack([x, x * 0.5, x - 0.25], axis=-1)
  out = vjpkit.vmap(lambda x: row.fn(x, **kw), in_axes=-1)(xs)
  for k in range(3):
    np.testing.assert_allclose(out[k], row.fn(xs[..., k], **kw), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(NN))
def test_float32(name):
  x = np.linspace(-3, 3, 7).astype(np.float32)
  row = NN[name]
  assert np.asarray(row.fn(x)).dtype == np.float32
  np.testing.assert_allclose(row.fn(x), row.ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)
  assert vjpkit.grad(lambda x: vnp.sum(row.fn(x)))(x).dtype == np.float32


def test_derivatives_at_kinks_match_jax():
  assert vjpkit.grad(nn.relu)(0.0) == 0.0
  assert vjpkit.grad(nn.softplus)(0.0) == 0.5
  assert vjpkit.grad(lambda x: vjpkit.grad(nn.softplus)(x))(0.0) == 0.25
  assert np.isnan(nn.relu(np.nan))


def test_extremes_are_stable():
  x = np.array([-1000.0, 1000.0])
  np.testing.assert_allclose(nn.softplus(x), [0.0, 1000.0])
  np.testing.assert_allclose(vjpkit.grad(lambda x: vnp.sum(nn.softplus(x)))(x), [0.0, 1.0])
  np.testing.assert_allclose(nn.log_sigmoid(x), [-1000.0, 0.0])
  np.testing.assert_allclose(nn.softmax(x), [0.0, 1.0])
  np.testing.assert_allclose(nn.log_softmax(x), [-2000.0, 0.0])
  g = vjpkit.grad(lambda x: nn.log_softmax(x)[0])(np.array([1.0, 2.0, 3.0]))
  np.testing.assert_allclose(np.sum(g), 0.0, atol=1e-15)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot(axis):
  x = np.array([[0, 2], [5, -1]])
  out = nn.one_hot(x, 3, axis=axis)
  ref = np.moveaxis((x[..., None] == np.arange(3)).astype(np.float64), -1, axis)
  np.testing.assert_array_equal(out, ref)
  assert out.dtype == np.float64
  assert nn.one_hot(x, 3, dtype=np.float32).dtype == np.float32
  np.testing.assert_array_equal(vjpkit.vmap(lambda r: nn.one_hot(r, 3, axis=axis))(x),
                                [nn.one_hot(r, 3, axis=axis) for r in x])


def test_one_hot_carries_no_derivative():
  g = vjpkit.grad(lambda x: vnp.sum(nn.one_hot(x, 4) * 2.0 * vnp.expand_dims(x, -1)))(
      np.array([1.0, 3.0]))
  np.testing.assert_array_equal(g, [2.0, 2.0])  # only the explicit factor x
  with pytest.raises(TypeError, match="concrete integer"):
    nn.one_hot(np.array([1]), None)
