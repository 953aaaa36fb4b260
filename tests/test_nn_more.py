"""vjpkit.nn beyond the elementwise table: glu, derivatives at the kinks (JAX's), and
dot_product_attention against a NumPy reference (masks, causal and local windows,
padding by lengths, grouped-query heads), with its derivatives, vmap and jit."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special as ss

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import nn
from vjpkit.testing.check_grads import check_grads


def test_glu():
  x = np.random.default_rng(0).normal(size=(3, 4))
  a, b = x[:, :2], x[:, 2:]
  np.testing.assert_allclose(nn.glu(x), a * ss.expit(b), rtol=1e-13)
  check_grads(nn.glu, (x,), order=2)
  with pytest.raises(ValueError, match="odd length"):
    nn.glu(x, axis=0)


# derivative at each kink, as JAX computes it (jax.grad of jax.nn.<name>)
KINKS = {
    "relu6": ([0.0, 6.0], [0.0, 0.0]),
    "hard_tanh": ([-1.0, 1.0], [1.0, 1.0]),
    "leaky_relu": ([0.0], [1.0]),
    "elu": ([0.0], [1.0]),
    "celu": ([0.0], [1.0]),
    "hard_sigmoid": ([-3.0, 3.0], [0.0, 0.0]),
    "sparse_plus": ([-1.0, 1.0], [0.0, 1.0]),
    "sparse_sigmoid": ([-1.0, 1.0], [0.25, 0.25]),
}


@pytest.mark.parametrize("name", sorted(KINKS))
def test_derivatives_at_kinks_are_jaxs(name):
  points, expected = KINKS[name]
  got = vjpkit.vmap(vjpkit.grad(getattr(nn, name)))(np.array(points))
  np.testing.assert_allclose(got, expected, rtol=1e-15)


# at ±inf both modes agree: the unselected piece's infinite derivative gave reverse mode
# 0 * inf = NaN (sparse_plus), and x * hard_sigmoid'(x) = inf * 0 forward mode NaN (hard_silu;
# JAX's modes disagree the same ways); hard_silu(-inf) = -inf * 0 is NaN (JAX's value)
INFINITE = {"sparse_plus": ([np.inf, -np.inf], [np.inf, 0.0], [1.0, 0.0]),
            "hard_silu": ([np.inf, -np.inf], [np.inf, np.nan], [1.0, 0.0])}


@pytest.mark.parametrize("name", sorted(INFINITE))
def test_derivatives_at_infinity_agree_in_both_modes(name):
  points, values, expected = (np.array(p) for p in INFINITE[name])
  f = getattr(nn, name)
  with np.errstate(invalid="ignore"):
    value, tangent = vjpkit.jvp(f, (points,), (np.ones(2),))
    np.testing.assert_array_equal(value, values)
    np.testing.assert_array_equal(tangent, expected)
    np.testing.assert_array_equal(vjpkit.vjp(f, points)[1](np.ones(2))[0], expected)
    np.testing.assert_array_equal(vjpkit.jit(vjpkit.vmap(vjpkit.grad(f)))(points), expected)
  x = np.linspace(-5.0, 5.0, 41) + 0.01
  check_grads(f, (x,), order=2)


def test_log1mexp_is_accurate_at_both_ends():
  x = np.array([1e-300, 1e-10, 0.5, 1.0, 40.0, 800.0])
  ref = np.where(x > np.log(2), np.log1p(-np.exp(-x)), np.log(-np.expm1(-x)))
  np.testing.assert_allclose(nn.log1mexp(x), ref, rtol=1e-14)
  assert nn.log1mexp(40.0) == -np.exp(-40.0)  # log(1 - exp(-x)) would round to 0
  g = vjpkit.grad(lambda x: vnp.sum(nn.log1mexp(x)))(x[1:5])
  np.testing.assert_allclose(g, 1 / np.expm1(x[1:5]), rtol=1e-9)


def test_logmeanexp_and_standardize_options():
  x = np.random.default_rng(1).normal(size=(3, 4))
  m = x > -0.3
  ref = [ss.logsumexp(r[k]) - np.log(k.sum()) for r, k in zip(x, m)]
  np.testing.assert_allclose(nn.logmeanexp(x, axis=1, where=m), ref, rtol=1e-13)
  assert nn.logmeanexp(x, axis=1, keepdims=True).shape == (3, 1)
  check_grads(lambda x: nn.logmeanexp(x, axis=1, where=m), (x,), order=2)
  s = nn.standardize(x, axis=0, algorithm="stable", epsilon=0.0)
  np.testing.assert_allclose(s, (x - x.mean(0)) / x.std(0), rtol=1e-12)
  s = nn.standardize(x, mean=0.5, variance=4.0, epsilon=0.0)
  np.testing.assert_allclose(s, (x - 0.5) / 2, rtol=1e-14)
  with pytest.raises(ValueError, match="unknown algorithm"):
    nn.standardize(x, algorithm="exact")


def _attention_ref(q, k, v, bias=None, mask=None, scale=None, is_causal=False, q_len=None,
                   kv_len=None, window=None):
  """A loop over batches and heads in NumPy."""
  B, T, N, H = q.shape
  S, K = k.shape[1], k.shape[2]
  scale = 1 / np.sqrt(H) if scale is None else scale
  out = np.zeros_like(q)
  for b in range(B):
    for n in range(N):
      kn = n // (N // K)
      lg = scale * q[b, :, n] @ k[b, :, kn].T
      if bias is not None:
        lg = lg + np.broadcast_to(bias, (B, N, T, S))[b, n]
      keep = np.ones((T, S), bool)
      if mask is not None:
        keep &= np.broadcast_to(mask, (B, N, T, S))[b, n]
      i, j = np.arange(T)[:, None], np.arange(S)[None, :]
      if is_causal:
        keep &= i >= j
      if window is not None:
        keep &= (i - j <= window[0]) & (j - i <= window[1])
      if q_len is not None:
        keep &= i < q_len[b]
      if kv_len is not None:
        keep &= j < kv_len[b]
      lg = np.where(keep, lg, -0.7 * np.finfo(np.float32).max)
      out[b, :, n] = ss.softmax(lg, axis=-1) @ v[b, :, kn]
      if q_len is not None:
        out[b, q_len[b]:, n] = 0
  return out


RNG = np.random.default_rng(2)
Q, KK, V = RNG.normal(size=(2, 4, 4, 3)), RNG.normal(size=(2, 5, 2, 3)), RNG.normal(size=(2, 5, 2, 3))
BIAS, MASK = RNG.normal(size=(2, 4, 4, 5)), RNG.uniform(size=(1, 1, 4, 5)) > 0.3
ATTENTION = {
    "plain": {},
    "causal": dict(is_causal=True),
    "bias_mask": dict(bias=BIAS, mask=MASK),
    "window": dict(local_window_size=(1, 2)),
    "lengths": dict(query_seq_lengths=np.array([3, 4]), key_value_seq_lengths=np.array([5, 2])),
    "scale_causal_bias": dict(is_causal=True, scale=0.3, bias=BIAS[:1, :1]),
}


@pytest.mark.parametrize("name", sorted(ATTENTION))
def test_dot_product_attention(name):
  kw = ATTENTION[name]
  ref_kw = {"bias": kw.get("bias"), "mask": kw.get("mask"), "scale": kw.get("scale"),
            "is_causal": kw.get("is_causal", False), "q_len": kw.get("query_seq_lengths"),
            "kv_len": kw.get("key_value_seq_lengths"), "window": kw.get("local_window_size")}
  out = nn.dot_product_attention(Q, KK, V, **kw)
  np.testing.assert_allclose(out, _attention_ref(Q, KK, V, **ref_kw), rtol=1e-12, atol=1e-14)
  f = lambda q, k, v: nn.dot_product_attention(q, k, v, **kw)  # noqa: E731
  np.testing.assert_allclose(vjpkit.jit(f)(Q, KK, V), out, rtol=1e-13, atol=1e-14)
  if name in ("plain", "bias_mask", "lengths"):
    check_grads(f, (Q, KK, V), order=1)


def test_dot_product_attention_unbatched_residual_and_vmap():
  out, lse = nn.dot_product_attention(Q[0], KK[0], V[0], return_residual=True)
  np.testing.assert_allclose(out, _attention_ref(Q[:1], KK[:1], V[:1])[0], rtol=1e-12)
  lg = np.einsum("tnh,snh->nts", Q[0], np.repeat(KK[0], 2, axis=1)) / np.sqrt(3)
  np.testing.assert_allclose(lse, ss.logsumexp(lg, axis=-1).T, rtol=1e-12)
  got = vjpkit.vmap(lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=True))(Q, KK, V)
  np.testing.assert_allclose(got, nn.dot_product_attention(Q, KK, V, is_causal=True), rtol=1e-13)


def test_dot_product_attention_errors():
  with pytest.raises(ValueError, match="K dividing N"):
    nn.dot_product_attention(Q, KK[:, :, :1].repeat(3, 2), V[:, :, :1].repeat(3, 2))
  with pytest.raises(TypeError, match="mask must be boolean"):
    nn.dot_product_attention(Q, KK, V, mask=BIAS)
  with pytest.raises(ValueError, match="implementation"):
    nn.dot_product_attention(Q, KK, V, implementation="cudnn")
  with pytest.raises(ValueError, match="all be"):
    nn.dot_product_attention(Q, KK[0], V[0])
