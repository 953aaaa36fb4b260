"""``jax.nn.dot_product_attention``: scaled dot-product attention, with a bias, a boolean
mask, causal and local-window masks, padding by sequence lengths, and grouped-query
attention (fewer key/value heads than query heads).

>>> import numpy as np
>>> q = k = v = np.eye(2)[None, :, None, :]   # batch 1, 2 positions, 1 head, dim 2
>>> dot_product_attention(q, k, v, is_causal=True)[0, :, 0]
array([[1.        , 0.        ],
       [0.33023845, 0.66976155]])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import lax
from ..core.avals import get_aval
from ..numpy._core import arraylike, asarray, convert, result_type
from ..numpy.einsum import einsum
from ..numpy.shapes import broadcast_to, reshape
from ..numpy.ufuncs import less, logical_and, where
from ..scipy.special import logsumexp, softmax

Array = Any

__all__ = ["dot_product_attention"]


def dot_product_attention(query: Array, key: Array, value: Array, bias: Array | None = None,
                          mask: Array | None = None, *, scale: float | None = None,
                          is_causal: bool = False, query_seq_lengths: Array | None = None,
                          key_value_seq_lengths: Array | None = None,
                          local_window_size: int | tuple[int, int] | None = None,
                          implementation: str | None = None,
                          return_residual: bool = False) -> Any:
  """``softmax(scale * q k^T + bias, masked) v`` per batch and head, as ``jax.nn``'s.

  ``query`` is ``(B, T, N, H)`` (batch, query positions, heads, head size) or ``(T, N, H)``;
  ``key`` and ``value`` are ``(B, S, K, H)`` with ``N`` a multiple of ``K`` (each key/value
  head serves ``N // K`` query heads). ``bias`` and ``mask`` (boolean, True keeps a logit)
  broadcast to ``(B, N, T, S)``. ``scale`` defaults to ``1/sqrt(H)``. ``is_causal`` keeps
  the logits of keys at or before the query's position; ``local_window_size=(l, r)`` (or
  ``w`` for ``(w, w)``) those at most ``l`` before and ``r`` after; the sequence lengths
  (``(B,)`` integers) mask padding, and the outputs at padded query positions are 0.
  Masked logits get a large negative value, so a fully masked row attends uniformly (as
  in JAX). The softmax is computed in the logits' dtype (float64 for float64 inputs;
  JAX computes it in float32). ``implementation`` may be None or ``"xla"`` (this one);
  ``return_residual`` adds the logsumexp of the logits, ``(B, T, N)``.

  >>> rng = np.random.default_rng(0)
  >>> q, k, v = (rng.normal(size=(1, 3, 4, 2)) for _ in range(3))
  >>> dot_product_attention(q, k[:, :, :2], v[:, :, :2]).shape   # 4 query heads, 2 kv heads
  (1, 3, 4, 2)
  """
  if implementation not in (None, "xla"):
    raise ValueError(f"dot_product_attention: implementation={implementation!r} is not "
                     "available; vjpkit has only the reference (None or 'xla')")
  query, key, value = (arraylike(t) for t in (query, key, value))
  dtype = result_type(query, key, value)
  dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
  query, key, value = (convert(t, dtype) for t in (query, key, value))
  shapes = [get_aval(t).shape for t in (query, key, value)]
  nd = len(shapes[0])
  if nd not in (3, 4) or any(len(s) != nd for s in shapes):
    raise ValueError(f"dot_product_attention: query, key and value must all be (B, T, N, H) or "
                     f"all (T, N, H); got shapes {shapes[0]}, {shapes[1]}, {shapes[2]}")
  if nd == 3:
    query, key, value = (reshape(t, (1,) + s) for t, s in zip((query, key, value), shapes))
    bias = None if bias is None else asarray(bias)[None] if get_aval(asarray(bias)).ndim == 3 \
        else bias
    mask = None if mask is None else asarray(mask)[None] if get_aval(asarray(mask)).ndim == 3 \
        else mask
  B, T, N, H = get_aval(query).shape
  _, S, K, _ = get_aval(key).shape
  if get_aval(key).shape != get_aval(value).shape or get_aval(key).shape[0] != B or \
     get_aval(key).shape[3] != H or N % K:
    raise ValueError(f"dot_product_attention: key and value must be (B, S, K, H) with the "
                     f"query's B and H and K dividing N; got query {get_aval(query).shape}, key "
                     f"{get_aval(key).shape}, value {get_aval(value).shape}")
  G = N // K
  scale = 1.0 / float(np.sqrt(H)) if scale is None else scale
  q = reshape(query, (B, T, K, G, H))
  logits = einsum("btkgh,bskh->bkgts", q, key) * scale
  if bias is not None:
    logits = logits + _grouped(bias, B, N, T, S, K, G, "bias")
  keep = _keep_mask(mask, is_causal, local_window_size, query_seq_lengths,
                    key_value_seq_lengths, B, N, T, S, K, G)
  if keep is not None:
    dtype = get_aval(logits).dtype
    big = -0.7 * float(min(np.finfo(dtype).max, np.finfo(np.float32).max))
    logits = where(keep, logits, big)
  probs = softmax(logits, axis=-1)
  out = reshape(einsum("bkgts,bskh->btkgh", probs, value), (B, T, N, H))
  if query_seq_lengths is not None:
    qpad = less(np.arange(T)[None, :], asarray(query_seq_lengths)[:, None])
    out = where(qpad[:, :, None, None], out, 0.0)
  if nd == 3:
    out = out[0]
  if not return_residual:
    return out
  lse = lax.stop_gradient(logsumexp(logits, axis=-1))            # (B, K, G, T)
  lse = lax.transpose(reshape(lse, (B, N, T)), (0, 2, 1))
  return out, (lse[0] if nd == 3 else lse)


def _grouped(t, B, N, T, S, K, G, what):
  """A (..., N or 1, T, S)-broadcastable array as (B, K, G, T, S)."""
  t = asarray(t)
  try:
    t = broadcast_to(t, (B, N, T, S))
  except ValueError:
    raise ValueError(f"dot_product_attention: {what} of shape {get_aval(t).shape} does not "
                     f"broadcast to (B, N, T, S) = {(B, N, T, S)}") from None
  return reshape(t, (B, K, G, T, S))


def _keep_mask(mask, is_causal, window, q_len, kv_len, B, N, T, S, K, G):
  keep = None
  if mask is not None:
    if get_aval(asarray(mask)).dtype != np.dtype(bool):
      raise TypeError("dot_product_attention: mask must be boolean (True keeps a logit); for "
                      "additive masking pass it as bias=")
    keep = _grouped(mask, B, N, T, S, K, G, "mask")
  qpos, kpos = np.arange(T)[:, None], np.arange(S)[None, :]
  fixed = np.ones((T, S), bool)
  if is_causal:
    fixed &= qpos >= kpos
  if window is not None:
    left, right = (window, window) if isinstance(window, int) else window
    fixed &= (qpos <= kpos + left) & (qpos >= kpos - right)
  if is_causal or window is not None:
    keep = fixed if keep is None else logical_and(keep, fixed)
  for lengths, shape in ((q_len, (1, 1, 1, T, 1)), (kv_len, (1, 1, 1, 1, S))):
    if lengths is not None:
      pos = np.arange(max(shape)).reshape(shape)
      m = less(pos, reshape(asarray(lengths), (B, 1, 1, 1, 1)))
      keep = m if keep is None else logical_and(keep, m)
  return keep
