"""checkpoint (remat): same gradients, fewer stored residuals, recomputation in the backward pass."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import vjpkit.numpy as vnp
from vjpkit import checkpoint, grad, jvp, lax, make_jaxpr, remat, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.interpreters.linearize import linearize_flat
from vjpkit.testing.check_grads import check_grads


def layer(x):
  return vnp.sin(vnp.tanh(x) * 1.1)


def block(x, depth=5):
  for _ in range(depth):
    x = layer(x)
  return x


def chain(x, n_blocks=10, wrap=lambda f: f):
  for _ in range(n_blocks):
    x = wrap(block)(x)
  return vnp.sum(x)


def test_gradients_agree_in_every_mode():
  x = np.linspace(-1, 1, 7)
  plain = lambda x: chain(x, 3)  # noqa: E731
  ck = lambda x: chain(x, 3, checkpoint)  # noqa: E731
  np.testing.assert_allclose(grad(ck)(x), grad(plain)(x), rtol=1e-14)
  np.testing.assert_allclose(jvp(ck, (x,), (x,))[1], jvp(plain, (x,), (x,))[1], rtol=1e-14)
  np.testing.assert_allclose(vmap(grad(ck))(np.stack([x, 2 * x])),
                             vmap(grad(plain))(np.stack([x, 2 * x])), rtol=1e-14)
  np.testing.assert_allclose(grad(lambda x: vnp.sum(grad(ck)(x)))(x),
                             grad(lambda x: vnp.sum(grad(plain)(x)))(x), rtol=1e-12)
  check_grads(lambda x: chain(x, 2, remat), (x,), order=2)
  closed = make_jaxpr(grad(ck))(x)  # staged, as jit does
  typecheck_jaxpr(closed.jaxpr)
  np.testing.assert_allclose(eval_jaxpr(closed.jaxpr, closed.consts, [x])[0], grad(plain)(x),
                             rtol=1e-14)


def test_only_inputs_are_saved_and_the_backward_pass_recomputes():
  x = np.linspace(-1, 1, 5)
  _, plain = linearize_flat(lambda x: [block(x, 3)], [x])
  _, ck = linearize_flat(lambda x: checkpoint(lambda x: [block(x, 3)])(x), [x])
  assert len(plain.consts) == 6  # 1 - tanh² and cos for each of 3 layers
  assert len(ck.consts) == 1 and ck.consts[0] is x
  (eqn,) = ck.jaxpr.eqns
  assert eqn.prim.name == "checkpoint"
  names = [e.prim.name for e in eqn.params["call_jaxpr"].eqns]
  assert names.count("tanh") == 3 and names.count("cos") == 3  # the forward pass, again


def test_pytrees_static_argnums_and_closures():
  w = np.array([0.5, -1.5])

  @checkpoint
  def f(p, x):
    return {"y": vnp.tanh(p["a"] * x + w), "z": p["b"] * x}
  p = {"a": np.array([1.0, 2.0]), "b": 3.0}
  loss = lambda p, x: vnp.sum(f(p, x)["y"]) + vnp.sum(f(p, x)["z"])  # noqa: E731
  g = grad(loss)(p, np.ones(2))
  np.testing.assert_allclose(g["a"], 1 - np.tanh(p["a"] + w) ** 2)
  np.testing.assert_allclose(g["b"], 2.0)
  scaled = checkpoint(lambda x, n: x * float(n), static_argnums=(1,))
  assert float(grad(scaled)(1.0, 4)) == 4.0
  with pytest.raises(NotImplementedError, match="policy"):
    checkpoint(layer, policy=lambda *a: True)


def test_checkpointed_scan_body():
  def f(x, ck):
    body = (lambda c, _: (layer(c), None))
    return vnp.sum(lax.scan(checkpoint(body) if ck else body, x, None, length=6)[0])
  x = np.linspace(-1, 1, 4)
  np.testing.assert_allclose(grad(f)(x, True), grad(f)(x, False), rtol=1e-14)
  _, plain = linearize_flat(lambda x: [f(x, False)], [x])
  _, ck = linearize_flat(lambda x: [f(x, True)], [x])
  assert sorted(np.shape(c) for c in plain.consts) == [(6, 4), (6, 4)]
  assert sorted(np.shape(c) for c in ck.consts) == [(6, 4)]  # just the carries


def _peak_grad_memory(f, x) -> float:
  grad(f)(x)  # warm up (imports, caches)
  tracemalloc.start()
  try:
    grad(f)(x)
    return tracemalloc.get_traced_memory()[1] / 1e6
  finally:
    tracemalloc.stop()


def test_memory_of_a_deep_chain():
  """50 layers of sin(1.1 tanh(x)) on 10^5 float64s (0.8 MB per array)."""
  x = np.linspace(-1, 1, 10**5)
  plain = _peak_grad_memory(lambda x: chain(x, 10), x)
  per_layer = _peak_grad_memory(lambda x: chain(x, 50, lambda b: checkpoint(lambda x: b(x, 1))), x)
  blocks = _peak_grad_memory(lambda x: chain(x, 10, checkpoint), x)
  print(f"\npeak memory of grad, 50 layers x 10^5: plain {plain:.1f} MB, checkpoint per layer "
        f"{per_layer:.1f} MB, checkpoint per 5-layer block {blocks:.1f} MB")
  assert per_layer < 0.65 * plain  # one saved input instead of two residuals per layer
  assert blocks < 0.3 * plain     # ten saved inputs plus one block's recomputation
  np.testing.assert_allclose(grad(lambda x: chain(x, 10, checkpoint))(x[:5]),
                             grad(lambda x: chain(x, 10))(x[:5]), rtol=1e-14)


def test_nested_checkpoints():
  """The recomputation of an outer block contains inner checkpoints, each split into a
  primal and a linear equation (transposition needs every equation to be one or the other)."""
  inner = checkpoint(layer)
  outer = checkpoint(lambda x: inner(inner(x)) * x)
  plain = lambda x: layer(layer(x)) * x  # noqa: E731
  x = np.linspace(-1, 1, 3)
  loss = lambda f: lambda x: vnp.sum(f(x))  # noqa: E731
  np.testing.assert_allclose(grad(loss(outer))(x), grad(loss(plain))(x), rtol=1e-14)
  np.testing.assert_allclose(grad(lambda x: vnp.sum(grad(loss(outer))(x)))(x),
                             grad(lambda x: vnp.sum(grad(loss(plain))(x)))(x), rtol=1e-13)
  f = lambda x: lax.scan(lambda c, _: (outer(c), None), x, None, length=3)[0]  # noqa: E731
  g = lambda x: lax.scan(lambda c, _: (plain(c), None), x, None, length=3)[0]  # noqa: E731
  np.testing.assert_allclose(vmap(grad(loss(f)))(np.stack([x, -x])),
                             vmap(grad(loss(g)))(np.stack([x, -x])), rtol=1e-13)
  typecheck_jaxpr(make_jaxpr(grad(loss(outer)))(x).jaxpr)
