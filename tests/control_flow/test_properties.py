"""Property tests: random loop bodies and branches, every transform against its Python-loop twin.

A body is a random straight-line program over the carry ``c``, the per-step
input ``x`` and a closed-over weight ``w`` (elementwise ops plus a reduction),
returning a bounded new carry and an output. Each property compares the
control-flow primitive with the same computation written as Python control
flow, which vjpkit differentiates operation by operation.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import checkpoint, grad, jvp, lax, make_jaxpr, vmap
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads

UNARY = {"sin": vnp.sin, "cos": vnp.cos, "tanh": vnp.tanh, "half": lambda a: a * 0.5}
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "summul": lambda a, b: vnp.sum(a) * b}


@st.composite
def programs(draw):
  """A list of (op, i, j): op applied to the i-th (and j-th) value of the pool [c, x, w, ...]."""
  n = draw(st.integers(1, 5))
  ops = []
  for k in range(n):
    name = draw(st.sampled_from(sorted(UNARY) + sorted(BINARY)))
    ops.append((name, draw(st.integers(0, 2 + k)), draw(st.integers(0, 2 + k))))
  return ops


def run(ops, c, x, w):
  pool = [c, x, w]
  for name, i, j in ops:
    pool.append(UNARY[name](pool[i]) if name in UNARY else BINARY[name](pool[i], pool[j]))
  return vnp.tanh(pool[-1] + 0.5 * c), pool[-1] * pool[1]


def arrays(draw, shape, scale=1.0):
  seed = draw(st.integers(0, 2**31))
  return np.random.default_rng(seed).uniform(-scale, scale, size=shape)


def scan_fn(ops, reverse=False, remat=False):
  step = lambda w: lambda c, x: run(ops, c, x, w)  # noqa: E731
  if remat:
    step = lambda w: checkpoint(lambda c, x: run(ops, c, x, w))  # noqa: E731

  def f(w, c0, xs):
    c, ys = lax.scan(step(w), c0, xs, reverse=reverse)
    return vnp.sum(c) + vnp.sum(ys * ys)
  return f


def loop_fn(ops, reverse=False):
  def f(w, c0, xs):
    c, total = c0, 0.0
    order = range(xs.shape[0] - 1, -1, -1) if reverse else range(xs.shape[0])
    for t in order:
      c, y = run(ops, c, xs[t], w)
      total = total + vnp.sum(y * y)
    return vnp.sum(c) + total
  return f


def close(a, b, rtol=1e-9):
  for x, y in zip(vjpkit.tree_util.tree_leaves(a), vjpkit.tree_util.tree_leaves(b)):
    np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-12)


@given(ops=programs(), reverse=st.booleans(), data=st.data())
def test_scan_matches_python_loop_in_every_mode(ops, reverse, data):
  w, c0, xs = arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, (4, 2))
  f, g = scan_fn(ops, reverse), loop_fn(ops, reverse)
  close(f(w, c0, xs), g(w, c0, xs), 1e-13)
  close(grad(f, (0, 1, 2))(w, c0, xs), grad(g, (0, 1, 2))(w, c0, xs))
  tangents = (arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, (4, 2)))
  close(jvp(f, (w, c0, xs), tangents), jvp(g, (w, c0, xs), tangents))
  c0s = np.stack([c0, -c0, 0.5 * c0])
  close(vmap(f, (None, 0, None))(w, c0s, xs), np.stack([g(w, c, xs) for c in c0s]))
  close(vmap(grad(f), (None, 0, None))(w, c0s, xs), np.stack([grad(g)(w, c, xs) for c in c0s]))
  closed = make_jaxpr(grad(f, (0, 1, 2)))(w, c0, xs)  # staged (as jit does), then run
  close(eval_jaxpr(closed.jaxpr, closed.consts, [w, c0, xs]), grad(f, (0, 1, 2))(w, c0, xs))


@given(ops=programs(), data=st.data())
def test_scan_check_grads_and_checkpointed_body(ops, data):
  w, c0, xs = arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, (3, 2))
  f = scan_fn(ops)
  check_grads(f, (w, c0, xs), order=2, rtol=1e-4, atol=1e-4)
  close(grad(scan_fn(ops, remat=True), (0, 1, 2))(w, c0, xs), grad(f, (0, 1, 2))(w, c0, xs),
        1e-12)


@given(true_ops=programs(), false_ops=programs(), data=st.data())
def test_cond_is_the_taken_branch_in_every_mode(true_ops, false_ops, data):
  w, c, x = arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, 2)
  branch = lambda ops: lambda c, x: vnp.sum(run(ops, c, x, w)[0] + run(ops, c, x, w)[1])  # noqa: E731
  f = lambda p, c, x: lax.cond(p > 0, branch(true_ops), branch(false_ops), c, x)  # noqa: E731
  for p in [1.0, -1.0]:
    taken = branch(true_ops if p > 0 else false_ops)
    close(f(p, c, x), taken(c, x), 1e-14)
    close(grad(f, (1, 2))(p, c, x), grad(taken, (0, 1))(c, x), 1e-13)
    staged = make_jaxpr(f)(p, c, x)
    h = lambda c, x: eval_jaxpr(staged.jaxpr, staged.consts, [p, c, x])[0]  # noqa: E731
    close(grad(h, (0, 1))(c, x), grad(taken, (0, 1))(c, x), 1e-13)
  ps = np.array([1.0, -1.0, 2.0])
  close(vmap(grad(f, 1), (0, None, None))(ps, c, x), np.stack([grad(f, 1)(p, c, x) for p in ps]),
        1e-13)


@given(ops=programs(), n=st.integers(0, 4), data=st.data())
def test_fori_and_while_match_python_loop(ops, n, data):
  w, c0, x = arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, 2)
  body = lambda i, c: run(ops, c, x * i, w)[0]  # noqa: E731

  def loop(c):
    for i in range(n):
      c = body(i, c)
    return vnp.sum(c)
  fori = lambda c: vnp.sum(lax.fori_loop(0, n, body, c))  # noqa: E731
  close(fori(c0), loop(c0), 1e-14)
  close(grad(fori)(c0), grad(loop)(c0), 1e-12)
  wl = lambda c: vnp.sum(lax.while_loop(lambda s: s[0] < n,  # noqa: E731
                                        lambda s: (s[0] + 1, body(s[0], s[1])), (0, c))[1])
  t = arrays(data.draw, 2)
  close(jvp(wl, (c0,), (t,)), jvp(loop, (c0,), (t,)), 1e-12)


@given(ops_a=programs(), ops_b=programs(), remat=st.booleans(), data=st.data())
def test_nested_control_flow_matches_python(ops_a, ops_b, remat, data):
  """A scan whose body branches (cond) between two random programs, one of them possibly
  checkpointed, against the same loop with a Python ``if``."""
  w, c0, xs = arrays(data.draw, 2), arrays(data.draw, 2), arrays(data.draw, (4, 2))
  branch_a = lambda c, x: run(ops_a, c, x, w)  # noqa: E731
  branch_a_ck = checkpoint(branch_a) if remat else branch_a
  branch_b = lambda c, x: run(ops_b, c, x, w)  # noqa: E731

  def f(c0, xs):
    step = lambda c, x: lax.cond(vnp.sum(c) > 0, branch_a_ck, branch_b, c, x)  # noqa: E731
    c, ys = lax.scan(step, c0, xs)
    return vnp.sum(c) + vnp.sum(ys * ys)

  def g(c0, xs):
    c, total = c0, 0.0
    for t in range(xs.shape[0]):
      c, y = (branch_a if vnp.sum(c) > 0 else branch_b)(c, xs[t])
      total = total + vnp.sum(y * y)
    return vnp.sum(c) + total
  close(f(c0, xs), g(c0, xs), 1e-13)
  close(grad(f, (0, 1))(c0, xs), grad(g, (0, 1))(c0, xs))
  t = (arrays(data.draw, 2), arrays(data.draw, (4, 2)))
  close(jvp(f, (c0, xs), t), jvp(g, (c0, xs), t))
  close(grad(lambda c0: vnp.sum(grad(f)(c0, xs)))(c0),
        grad(lambda c0: vnp.sum(grad(g)(c0, xs)))(c0), 1e-8)
  closed = make_jaxpr(grad(f, (0, 1)))(c0, xs)
  close(eval_jaxpr(closed.jaxpr, closed.consts, [c0, xs]), grad(f, (0, 1))(c0, xs))
