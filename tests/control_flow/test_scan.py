"""scan: JAX semantics, the RNN gradient check against a Python loop, every transform."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, jvp, lax, make_jaxpr, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.interpreters.linearize import linearize_flat
from vjpkit.testing.check_grads import check_grads

rng = np.random.default_rng(0)


def assert_trees_close(a, b, rtol=1e-12):
  la, ta = vjpkit.tree_util.tree_flatten(a)
  lb, tb = vjpkit.tree_util.tree_flatten(b)
  assert ta == tb
  for x, y in zip(la, lb):
    np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-14)
H, D, T = 4, 3, 6
PARAMS = {"W": rng.standard_normal((H, H)) * 0.5, "U": rng.standard_normal((H, D)) * 0.5,
          "b": rng.standard_normal(H) * 0.1}
H0, XS = rng.standard_normal(H), rng.standard_normal((T, D))


def rnn_step(p, h, x):
  return vnp.tanh(h @ p["W"].T + p["U"] @ x + p["b"])


def rnn_scan(p, h0, xs):
  def step(h, x):
    h = rnn_step(p, h, x)
    return h, vnp.sum(h * h)
  h, losses = lax.scan(step, h0, xs)
  return vnp.sum(losses) + vnp.sum(h)


def rnn_unrolled(p, h0, xs):
  h, total = h0, 0.0
  for t in range(xs.shape[0]):
    h = rnn_step(p, h, xs[t])
    total = total + vnp.sum(h * h)
  return total + vnp.sum(h)


def test_rnn_scan_gradient_matches_unrolled_loop():
  g_scan = grad(rnn_scan, argnums=(0, 1, 2))(PARAMS, H0, XS)
  g_loop = grad(rnn_unrolled, argnums=(0, 1, 2))(PARAMS, H0, XS)
  leaves_scan, tree = vjpkit.tree_util.tree_flatten(g_scan)
  leaves_loop, tree_loop = vjpkit.tree_util.tree_flatten(g_loop)
  assert tree == tree_loop
  worst = max(float(np.max(np.abs(a - b))) for a, b in zip(leaves_scan, leaves_loop))
  print(f"\nscan RNN vs unrolled loop: max |grad difference| = {worst:.3g}")
  assert worst < 1e-12
  np.testing.assert_allclose(rnn_scan(PARAMS, H0, XS), rnn_unrolled(PARAMS, H0, XS), rtol=1e-14)


def test_rnn_scan_check_grads_second_order():
  f = lambda W, h0, xs: rnn_scan(dict(PARAMS, W=W), h0, xs)  # noqa: E731
  check_grads(f, (PARAMS["W"], H0, XS), order=2)


def test_rnn_backward_is_a_reverse_scan_without_stacked_weights():
  """Residuals: the weights are passed as consts (never stacked per step), the per-step
  values are stacked once, and the backward program is one reverse scan."""
  f = lambda W, h0, xs: [rnn_scan(dict(PARAMS, W=W), h0, xs)]  # noqa: E731
  _, lin = linearize_flat(f, [PARAMS["W"], H0, XS])
  shapes = sorted(np.shape(c) for c in lin.consts)
  # U and W.T (computed once, outside the loop); per step: h_in, 1 - tanh², h_out
  assert shapes == [(H, D), (H, H), (T, H), (T, H), (T, H)], shapes
  scans = [e for e in make_jaxpr(grad(rnn_scan))(PARAMS, H0, XS).eqns if e.prim is lax.scan_p]
  assert [e.params["reverse"] for e in scans] == [False, True]


def test_values_and_pytrees():
  def f(carry, x):
    a, b = carry
    return (a + x["u"], b * 2.0), {"s": a * x["u"], "n": None}
  (a, b), ys = lax.scan(f, (0.0, np.ones(2)), {"u": np.arange(1.0, 4.0), "n": None})
  assert float(a) == 6.0
  np.testing.assert_array_equal(b, [8.0, 8.0])
  np.testing.assert_array_equal(ys["s"], [0.0, 2.0, 9.0])
  assert ys["n"] is None


def test_reverse_and_length():
  xs = np.arange(1.0, 5.0)
  c, ys = lax.scan(lambda c, x: (c * 10 + x, c), 0.0, xs, reverse=True)
  assert float(c) == 4321.0
  np.testing.assert_array_equal(ys, [432.0, 43.0, 4.0, 0.0])  # ys stay aligned with xs
  c, ys = lax.scan(lambda c, _: (c + 1.0, c), 0.0, None, length=3)
  np.testing.assert_array_equal(ys, [0.0, 1.0, 2.0])
  c, ys = lax.scan(lambda c, x: (c, x), 1.0, np.zeros((0, 2)))
  assert ys.shape == (0, 2) and float(c) == 1.0


def test_reverse_gradient_matches_loop():
  def f_scan(w, xs):
    return lax.scan(lambda c, x: (vnp.sin(c * w + x), c), 0.3, xs, reverse=True)[0]

  def f_loop(w, xs):
    c = 0.3
    for x in xs[::-1]:
      c = vnp.sin(c * w + x)
    return c
  xs = rng.standard_normal(5)
  assert_trees_close(grad(f_scan, (0, 1))(0.7, xs), grad(f_loop, (0, 1))(0.7, xs))
  check_grads(f_scan, (0.7, xs), order=2)


def test_make_jaxpr_prints_body():
  text = str(make_jaxpr(lambda c, xs: lax.scan(lambda c, x: (c + x, c * x), c, xs))(0.0, np.ones(3)))
  assert text == (
      "{ lambda ; a:f64[] b:f64[3]. let\n"
      "    c:f64[] d:f64[3] = scan[jaxpr={ lambda ; e:f64[] f:f64[]. let\n"
      "          g:f64[] = add e f\n"
      "          h:f64[] = mul e f\n"
      "        in (g h) } length=3 num_carry=1 num_consts=0 reverse=False] a b\n"
      "  in (c d) }")


@pytest.mark.parametrize("transform", ["grad", "jvp", "vmap", "vmap_grad", "grad_vmap", "grad_grad"])
def test_transformed_programs_typecheck_and_evaluate(transform):
  w, xs = 0.8, rng.standard_normal((4, 2))
  f = lambda w, xs: vnp.sum(lax.scan(lambda c, x: (vnp.sin(c * w) + x, c * x), np.zeros(2), xs)[1])  # noqa: E731
  g = {"grad": grad(f), "jvp": lambda w, xs: jvp(f, (w, xs), (1.0, xs))[1],
       "vmap": lambda w, xs: vmap(f, (None, 0))(w, vnp.stack([xs, xs * 2])),
       "vmap_grad": lambda w, xs: vmap(grad(f), (0, None))(vnp.stack([w, w + 1]), xs),
       "grad_vmap": grad(lambda w, xs: vnp.sum(vmap(f, (0, None))(vnp.stack([w, w + 1]), xs))),
       "grad_grad": grad(grad(f))}[transform]
  closed = make_jaxpr(g)(w, xs)
  typecheck_jaxpr(closed.jaxpr)
  np.testing.assert_allclose(eval_jaxpr(closed.jaxpr, closed.consts, [w, xs])[0], g(w, xs),
                             rtol=1e-12)


def test_vmap_matches_loop_over_batch():
  def f(w, c0, xs):
    return lax.scan(lambda c, x: (vnp.tanh(c * w + x), c + x), c0, xs)
  ws, c0s, xss = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal((3, 5))
  batched = vmap(f)(ws, c0s, xss)
  for i in range(3):
    c, ys = f(ws[i], c0s[i], xss[i])
    np.testing.assert_allclose(batched[0][i], c, rtol=1e-13)
    np.testing.assert_allclose(batched[1][i], ys, rtol=1e-13)
  # batch axis of xs elsewhere than 0; unbatched carry that becomes batched in the body
  out = vmap(lambda x: lax.scan(lambda c, y: (c + y, c), 0.0, x), in_axes=1)(xss.T)
  np.testing.assert_allclose(out[0], xss.sum(1), rtol=1e-13)


def test_nested_scan_gradient():
  def inner(w, x):
    return lax.scan(lambda c, _: (vnp.sin(c) * w + x, None), x, None, length=3)[0]

  def outer(w, xs):
    return lax.scan(lambda c, x: (c + inner(w, x * c), None), 0.1, xs)[0]

  def loop(w, xs):
    c = 0.1
    for x in xs:
      y = x * c
      z = y
      for _ in range(3):
        z = vnp.sin(z) * w + y
      c = c + z
    return c
  xs = rng.standard_normal(4) * 0.5
  np.testing.assert_allclose(outer(0.9, xs), loop(0.9, xs), rtol=1e-13)
  assert_trees_close(grad(outer, (0, 1))(0.9, xs), grad(loop, (0, 1))(0.9, xs))
  np.testing.assert_allclose(grad(grad(outer))(0.9, xs), grad(grad(loop))(0.9, xs), rtol=1e-11)


def test_integer_carry_and_closures():
  w = np.array([1.0, 2.0])

  def f(x):
    (i, c), ys = lax.scan(lambda carry, _: ((carry[0] + 1, vnp.sum(carry[1] * x * w) + carry[0]),
                                            carry[0]), (0, 1.0), None, length=4)
    return c * 1.0, ys
  (c, ys) = f(0.5)
  np.testing.assert_array_equal(ys, [0, 1, 2, 3])
  assert ys.dtype == np.int64
  g = grad(lambda x: f(x)[0])(0.5)
  eps = 1e-6
  assert abs(g - (f(0.5 + eps)[0] - f(0.5 - eps)[0]) / (2 * eps)) < 1e-6


def test_unused_outputs_are_dead_code():
  from vjpkit.passes.dce import dce_jaxpr
  f = lambda x: lax.scan(lambda c, y: (c + y, (vnp.sin(c), c * 2.0)), x, np.ones(3))  # noqa: E731
  closed = make_jaxpr(lambda x: f(x)[1][1])(1.0)
  pruned = dce_jaxpr(closed.jaxpr)
  (eqn,) = pruned.eqns
  assert len(eqn.outvars) == 2 and "sin" not in str(pruned)  # the carry feeds the used ys
  typecheck_jaxpr(pruned)
  np.testing.assert_allclose(eval_jaxpr(pruned, closed.consts, [1.0])[0], f(1.0)[1][1])


def test_hundred_thousand_steps():
  """No recursion per step anywhere: evaluation, JVP, linearize and the backward scan."""
  xs = np.full(100_000, 1e-5)
  f = lambda a: lax.scan(lambda c, x: (c + vnp.sin(c * a) * x, None), 0.5, xs)[0]  # noqa: E731
  g = grad(f)(0.3)
  _, t = jvp(f, (0.3,), (1.0,))
  assert np.isfinite(g) and abs(g - t) < 1e-10 * max(1.0, abs(g)) and g != 0


def test_errors():
  with pytest.raises(TypeError, match="changes the type of the carry"):
    lax.scan(lambda c, x: (c * x, None), np.int64(0), np.ones(3))
  # a Python number takes the body's dtype, as in JAX
  assert lax.scan(lambda c, x: (c * x, None), 1, np.full(3, 2.0))[0] == 8.0
  with pytest.raises(ValueError, match="disagree"):
    lax.scan(lambda c, x: (c, None), 0.0, (np.ones(3), np.ones(4)))
  with pytest.raises(ValueError, match="length="):
    lax.scan(lambda c, x: (c, None), 0.0)
  with pytest.raises(TypeError, match="pair"):
    lax.scan(lambda c, x: c, 0.0, np.ones(3))


def test_loop_invariant_residuals_are_computed_once():
  """A body (here built directly) may compute from consts only; such residuals are
  evaluated once outside the loop and passed as consts, not stacked per step."""
  from vjpkit.core.ir import hoist_consts
  from vjpkit.core.avals import ShapedArray
  from vjpkit.interpreters.partial_eval import trace_to_jaxpr
  a = ShapedArray((3,), np.float64)
  body, consts = trace_to_jaxpr(lambda k, c, x: [lax.add(lax.mul(c, lax.sin(k)), x)], [a, a, a])
  assert not consts
  k, xs = rng.standard_normal(3), rng.standard_normal((T, 3))

  def f(c0):
    (c,) = lax.scan_p.bind(k, c0, xs, jaxpr=hoist_consts(body), num_consts=1, num_carry=1,
                           length=T, reverse=False)
    return [c]
  _, lin = linearize_flat(f, [np.ones(3)])
  assert [np.shape(c) for c in lin.consts] == [(3,)]  # sin(k), once
  np.testing.assert_allclose(lin.consts[0], np.sin(k))
  np.testing.assert_allclose(lin([np.ones(3)])[0], np.sin(k) ** T)
  np.testing.assert_allclose(grad(lambda c0: vnp.sum(f(c0)[0]))(np.ones(3)), np.sin(k) ** T)
