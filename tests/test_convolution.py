"""lax.conv_general_dilated and its wrappers: values and gradients against JAX's (CPU,
float64) over random configurations, derivatives by finite differences, vmap against a
loop, jit against eager, and the errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import vjpkit
from vjpkit import lax
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.testing import check_grads

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
jlax = jax.lax


@st.composite
def configs(draw, max_spatial=2):
  """A random valid convolution: shapes, strides, padding, dilations, groups, layouts."""
  nsp = draw(st.integers(1, max_spatial))
  groups = draw(st.sampled_from([(1, 1), (1, 1), (2, 1), (3, 1), (1, 2)]))
  G, B = groups
  n = draw(st.integers(1, 2)) * B
  cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
  ksize = [draw(st.integers(1, 3)) for _ in range(nsp)]
  insize = [draw(st.integers(1, 6)) for _ in range(nsp)]
  strides = tuple(draw(st.integers(1, 2)) for _ in range(nsp))
  lhs_d = tuple(draw(st.sampled_from([1, 1, 2])) for _ in range(nsp))
  rhs_d = tuple(draw(st.sampled_from([1, 1, 2])) for _ in range(nsp))
  if draw(st.booleans()) and all(d == 1 for d in lhs_d):
    padding = draw(st.sampled_from(["SAME", "VALID", "SAME_LOWER"]))
  else:
    padding = tuple((draw(st.integers(-1, 2)), draw(st.integers(-1, 2))) for _ in range(nsp))
  perms = [tuple(draw(st.permutations(range(nsp + 2)))) for _ in range(3)]
  dn = lax.ConvDimensionNumbers(*perms) if draw(st.booleans()) else None
  canon_l = [n, cg * G] + insize
  canon_r = [og * G * B, cg] + ksize
  lspec, rspec = (dn.lhs_spec, dn.rhs_spec) if dn else (range(nsp + 2),) * 2
  lshape, rshape = [0] * (nsp + 2), [0] * (nsp + 2)
  for c, a in enumerate(lspec):
    lshape[a] = canon_l[c]
  for c, a in enumerate(rspec):
    rshape[a] = canon_r[c]
  if not isinstance(padding, str):  # keep the padded input at least as large as the window
    for i in range(nsp):
      lo, hi = padding[i]
      size = (insize[i] - 1) * lhs_d[i] + 1 + lo + hi
      window = (ksize[i] - 1) * rhs_d[i] + 1
      if size < window:
        padding = padding[:i] + ((lo + window - size, hi),) + padding[i + 1:]
  seed = draw(st.integers(0, 2**31 - 1))
  rng = np.random.default_rng(seed)
  x, w = rng.standard_normal(lshape), rng.standard_normal(rshape)
  params = dict(window_strides=strides, padding=padding, lhs_dilation=lhs_d,
                rhs_dilation=rhs_d, dimension_numbers=dn, feature_group_count=G,
                batch_group_count=B)
  return x, w, params


def _jax_params(params):
  p = dict(params)
  if p["dimension_numbers"] is not None:
    p["dimension_numbers"] = jlax.ConvDimensionNumbers(*p["dimension_numbers"])
  return p


@given(configs(max_spatial=3))
def test_values_match_jax(cfg):
  x, w, params = cfg
  out = lax.conv_general_dilated(x, w, **params)
  ref = np.asarray(jlax.conv_general_dilated(x, w, **_jax_params(params)))
  assert out.shape == ref.shape and out.dtype == ref.dtype
  np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


@given(configs())
def test_vjp_matches_jax_and_jit_matches_eager(cfg):
  x, w, params = cfg
  f = lambda x, w: lax.conv_general_dilated(x, w, **params)  # noqa: E731
  out, f_vjp = vjpkit.vjp(f, x, w)
  g = np.random.default_rng(1).standard_normal(out.shape)
  gx, gw = f_vjp(g)
  ref_out, ref_vjp = jax.vjp(lambda x, w: jlax.conv_general_dilated(x, w, **_jax_params(params)),
                             x, w)
  rx, rw = ref_vjp(g)
  np.testing.assert_allclose(gx, rx, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(gw, rw, rtol=1e-10, atol=1e-10)
  loss = lambda x, w: (f(x, w) * g).sum()  # noqa: E731
  jx, jw = vjpkit.jit(vjpkit.grad(loss, argnums=(0, 1)))(x, w)
  np.testing.assert_allclose(jx, rx, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(jw, rw, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(vjpkit.jit(f)(x, w), ref_out, rtol=1e-12, atol=1e-12)
  typecheck_jaxpr(vjpkit.make_jaxpr(vjpkit.grad(loss, argnums=(0, 1)))(x, w).jaxpr)


@given(configs(), st.sampled_from(["lhs", "rhs", "both"]), st.integers(0, 2))
def test_vmap_matches_loop(cfg, which, axis):
  x, w, params = cfg
  rng = np.random.default_rng(2)
  k = 3
  xs = np.stack([x + rng.standard_normal(x.shape) for _ in range(k)], axis=min(axis, x.ndim))
  ws = np.stack([w + rng.standard_normal(w.shape) for _ in range(k)], axis=min(axis, w.ndim))
  ax = min(axis, x.ndim)
  f = lambda x, w: lax.conv_general_dilated(x, w, **params)  # noqa: E731
  if which == "lhs":
    got = vjpkit.vmap(f, in_axes=(ax, None))(xs, w)
    want = [f(np.take(xs, i, ax), w) for i in range(k)]
  elif which == "rhs":
    got = vjpkit.vmap(f, in_axes=(None, ax))(x, ws)
    want = [f(x, np.take(ws, i, ax)) for i in range(k)]
  else:
    got = vjpkit.vmap(f, in_axes=(ax, ax))(xs, ws)
    want = [f(np.take(xs, i, ax), np.take(ws, i, ax)) for i in range(k)]
  np.testing.assert_allclose(got, np.stack(want), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("params", [
    dict(window_strides=(2, 1), padding="SAME"),
    dict(window_strides=(1, 2), padding=((1, -1), (0, 2)), lhs_dilation=(2, 1),
         rhs_dilation=(1, 2)),
    dict(window_strides=(1, 1), padding="VALID", feature_group_count=2),
    dict(window_strides=(1, 1), padding="VALID", batch_group_count=2),
])
def test_check_grads_second_order(params):
  rng = np.random.default_rng(0)
  G, B = params.get("feature_group_count", 1), params.get("batch_group_count", 1)
  x = rng.standard_normal((2 * B, 2 * G, 5, 4))
  w = rng.standard_normal((2 * G * B, 2, 2, 3))
  f = lambda x, w: lax.conv_general_dilated(x, w, **params)  # noqa: E731
  check_grads(f, (x, w), order=2)
  check_grads(vjpkit.vmap(f, in_axes=(None, 0)), (x, np.stack([w, 2 * w])), order=1)


def test_wrappers_match_jax():
  rng = np.random.default_rng(3)
  x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
  np.testing.assert_allclose(lax.conv(x, w, (1, 2), "SAME"),
                             jlax.conv(x, w, (1, 2), "SAME"), atol=1e-12)
  np.testing.assert_allclose(
      lax.conv_with_general_padding(x, w, (2, 1), [(1, 2), (0, 1)], (1, 2), (2, 1)),
      jlax.conv_with_general_padding(x, w, (2, 1), [(1, 2), (0, 1)], (1, 2), (2, 1)), atol=1e-12)
  xt, wt = rng.standard_normal((2, 5, 4, 3)), rng.standard_normal((3, 2, 3, 3))
  for padding in ["SAME", "VALID", ((1, 1), (0, 2))]:
    for tk in (False, True):
      for consistent in (False, True):
        args = (xt, wt, (2, 3), padding)
        kw = dict(rhs_dilation=(1, 2), transpose_kernel=tk, use_consistent_padding=consistent)
        np.testing.assert_allclose(lax.conv_transpose(*args, **kw),
                                   jlax.conv_transpose(*args, **kw), atol=1e-12)
  for dn in [("NHWC", "HWIO", "NHWC"), ("NCHW", "OIHW", "NHWC"), ("NWHC", "WHOI", "CNHW")]:
    got = lax.conv_dimension_numbers((1, 2, 3, 4), (5, 6, 7, 8), dn)
    assert tuple(map(tuple, got)) == tuple(map(tuple, jlax.conv_dimension_numbers(
        (1, 2, 3, 4), (5, 6, 7, 8), dn)))


def test_float32_int_and_preferred_element_type():
  rng = np.random.default_rng(4)
  x, w = rng.standard_normal((1, 2, 5)).astype(np.float32), rng.standard_normal((3, 2, 2))
  out = lax.conv(x, w.astype(np.float32), (1,), "VALID")
  assert out.dtype == np.float32
  np.testing.assert_allclose(out, lax.conv(x.astype(float), w, (1,), "VALID"), rtol=1e-5)
  xi, wi = np.arange(10, dtype=np.int8).reshape(1, 2, 5), np.ones((1, 2, 2), np.int8)
  out = lax.conv(xi, wi, (1,), "VALID", preferred_element_type=np.int32)
  assert out.dtype == np.int32
  np.testing.assert_array_equal(out, np.asarray(jlax.conv(
      xi, wi, (1,), "VALID", preferred_element_type=np.int32)))


def test_jaxpr_and_jit_source():
  x, w = np.ones((1, 1, 4)), np.ones((1, 1, 2))
  text = str(vjpkit.make_jaxpr(lambda x, w: lax.conv(x, w, (1,), "VALID"))(x, w))
  assert "conv_general_dilated" in text
  src = vjpkit.jit(lambda x, w: lax.conv(x, w, (1,), "VALID")).lower(x, w).source
  assert "_conv_general_dilated" in src


def test_zero_sized():
  x, w = np.ones((0, 2, 4)), np.ones((3, 2, 2))
  out = lax.conv(x, w, (1,), "VALID")
  assert out.shape == (0, 3, 3)
  gx, gw = vjpkit.grad(lambda x, w: lax.conv(x, w, (1,), "VALID").sum(), argnums=(0, 1))(x, w)
  assert gx.shape == x.shape and not gw.any()


@pytest.mark.parametrize("call, match", [
    (lambda: lax.conv(np.ones((1, 2, 4)), np.ones((1, 3, 2)), (1,), "VALID"),
     "feature dimension"),
    (lambda: lax.conv(np.ones((1, 2, 4)), np.ones((1, 2, 2, 2)), (1,), "VALID"),
     "ndim to be equal"),
    (lambda: lax.conv(np.ones((1, 2, 4)), np.ones((1, 2, 2), np.float32), (1,), "VALID"),
     "same dtype"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1,), "SAME",
                                      lhs_dilation=(2,)), "String padding"),
    (lambda: lax.conv(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1,), "FULL"), "padding must be"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1,),
                                      [(-3, -2)]), "negative padding"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1,), "VALID",
                                      dimension_numbers=("NCW", "OIW")), "length 3"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1,), "VALID",
                                      dimension_numbers=("NCW", "OIH", "NCW")), "spatial"),
    (lambda: lax.conv_general_dilated(np.ones((3, 2, 4)), np.ones((2, 2, 2)), (1,), "VALID",
                                      batch_group_count=2), "batch_group_count"),
    (lambda: lax.conv(np.ones((1, 2, 4)), np.ones((1, 2, 2)), (1, 1), "VALID"),
     "one entry per spatial dimension"),
])
def test_errors(call, match):
  with pytest.raises((TypeError, ValueError), match=match):
    call()


def test_complex_values_and_vjp_match_jax():
  rng = np.random.default_rng(6)
  x = rng.standard_normal((2, 4, 5)) + 1j * rng.standard_normal((2, 4, 5))
  w = rng.standard_normal((4, 2, 3)) + 1j * rng.standard_normal((4, 2, 3))
  params = dict(window_strides=(2,), padding=[(1, 2)], rhs_dilation=(2,), feature_group_count=2)
  out, f_vjp = vjpkit.vjp(lambda x, w: lax.conv_general_dilated(x, w, **params), x, w)
  ref, j_vjp = jax.vjp(lambda x, w: jlax.conv_general_dilated(x, w, **params), x, w)
  np.testing.assert_allclose(out, ref, atol=1e-12)
  g = rng.standard_normal(out.shape) + 1j * rng.standard_normal(out.shape)
  for got, want in zip(f_vjp(g), j_vjp(g)):
    np.testing.assert_allclose(got, want, atol=1e-12)
