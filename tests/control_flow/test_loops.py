"""fori_loop against a Python loop; while_loop in forward mode, under vmap, and its reverse-mode error."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit.numpy as vnp
from vjpkit import grad, jit, jvp, lax, linearize, make_jaxpr, vjp, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads


def body(i, carry):
  x, w = carry
  return vnp.sin(x) * w + 0.1 * i, w


def fori(x, w, n=5):
  return lax.fori_loop(0, n, body, (x, w))[0]


def python_loop(x, w, n=5):
  carry = (x, w)
  for i in range(n):
    carry = body(i, carry)
  return carry[0]


def test_fori_loop_matches_python_loop():
  x, w = np.array([0.3, -1.2]), 0.9
  np.testing.assert_allclose(fori(x, w), python_loop(x, w), rtol=1e-15)
  loss = lambda f: lambda x, w: vnp.sum(f(x, w) ** 2)  # noqa: E731
  for a, b in zip(grad(loss(fori), (0, 1))(x, w), grad(loss(python_loop), (0, 1))(x, w)):
    np.testing.assert_allclose(a, b, rtol=1e-13)
  check_grads(fori, (x, np.asarray(w)), order=2)
  assert float(lax.fori_loop(3, 3, lambda i, c: c + 1.0, 0.0)) == 0.0
  assert float(lax.fori_loop(np.int32(1), np.int32(4), lambda i, c: c + i, 0.0)) == 6.0


def test_fori_loop_index_dtype_and_carry_type_errors():
  # the index has the bounds' dtype (a Python int bound is weak); a body that promotes a
  # float32 carry through the index raised scan's error, naming the internal counter
  for lo, hi, dtype in ((0, 3, np.int64), (np.int32(0), np.int32(3), np.int32),
                        (np.int32(0), 3, np.int32), (0, np.int32(3), np.int32),
                        (2 ** 40, np.int32(0), np.int64)):  # (too large for int32)
    assert lax.fori_loop(lo, hi, lambda i, c: i, np.array(0, dtype)).dtype == dtype
  assert lax.fori_loop(np.int32(0), 3, lambda i, c: c + i, np.int32(1)) == 4
  out = lax.fori_loop(0, 3, lambda i, c: c + i.astype(c.dtype), np.float32(0.5))
  assert out.dtype == np.float32 and out == 3.5
  for f in (lambda: lax.fori_loop(0, 3, lambda i, c: c + i, np.float32(0.5)),
            lambda: jit(lambda n: lax.fori_loop(0, n, lambda i, c: c + i, np.float32(0.5)))(3)):
    with pytest.raises(TypeError, match=r"fori_loop: body_fun changes the type of the carry "
                       r"from \(f32\[\]\) to \(f64\[\]\).*i.astype\(c.dtype\)"):
      f()
  with pytest.raises(TypeError, match=r"scan: .*carry leaf 0: f32\[\] -> f64\[\].*"
                     r"\.astype\(np\.float32\)"):
    lax.scan(lambda c, t: (c + t, c), np.float32(0), np.arange(3))


def test_fori_loop_with_concrete_bounds_is_a_scan():
  closed = make_jaxpr(lambda x: fori(x, 0.9))(np.ones(2))
  assert [e.prim.name for e in closed.eqns] == ["scan"]


def test_fori_loop_with_traced_bounds_is_a_while_loop():
  f = lambda x, n: lax.fori_loop(0, n, lambda i, c: c * x, 1.0)  # noqa: E731
  closed = make_jaxpr(f)(2.0, 3)
  assert "while[" in str(closed)
  assert float(eval_jaxpr(closed.jaxpr, closed.consts, [2.0, 5])[0]) == 32.0
  h = lambda x: eval_jaxpr(closed.jaxpr, closed.consts, [x, 3])[0]  # noqa: E731
  assert float(jvp(h, (2.0,), (1.0,))[1]) == 12.0
  with pytest.raises(TypeError, match="fori_loop with concrete"):
    grad(h)(2.0)


def collatz_steps(x):
  """A loop whose trip count depends on the data."""
  def cond(c):
    return c[0] > 1.5
  def step(c):
    v, n, acc = c
    odd = v - 2.0 * lax.floor(v / 2.0) > 0.5
    return lax.cond(odd, lambda v: 3.0 * v + 1.0, lambda v: v / 2.0, v), n + 1, acc * 1.1
  return lax.while_loop(cond, step, (x, 0, x))


def test_while_loop_values_and_forward_mode():
  v, n, acc = collatz_steps(6.0)
  assert (float(v), int(n)) == (1.0, 8)
  np.testing.assert_allclose(jvp(lambda x: collatz_steps(x)[2], (6.0,), (1.0,))[1], 1.1 ** 8)
  f = lambda x: lax.while_loop(lambda c: c[0] < 10.0, lambda c: (c[0] * 2.0, vnp.sin(c[1]) * x),  # noqa: E731
                               (x, x))[1]
  check_grads(f, (np.asarray(0.7),), order=2, modes=("fwd",))
  y, f_lin = linearize(f, 0.7)
  _, t = jvp(f, (0.7,), (1.0,))
  np.testing.assert_allclose(f_lin(1.0), t)


def test_while_loop_reverse_mode_raises_clear_error():
  f = lambda x: lax.while_loop(lambda c: c < 10.0, lambda c: c * x, 1.0)  # noqa: E731
  for reverse in (grad(f), lambda x: vjp(f, x)[1](1.0)):
    with pytest.raises(TypeError, match="Reverse-mode.*while_loop.*scan.*fori_loop"):
      reverse(2.0)


def test_while_loop_vmap_batched_predicate():
  f = lambda x: lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, x)  # noqa: E731
  xs = np.array([1.0, 3.0, 11.0, 0.5])
  np.testing.assert_allclose(vmap(f)(xs), [f(x) for x in xs])
  ts = vmap(lambda x: jvp(f, (x,), (1.0,))[1])(xs)
  np.testing.assert_allclose(ts, [jvp(f, (x,), (1.0,))[1] for x in xs])
  out = vmap(collatz_steps)(np.array([6.0, 7.0, 1.0]))
  np.testing.assert_array_equal(out[1], [8, 16, 0])
  closed = make_jaxpr(vmap(f))(xs)
  typecheck_jaxpr(closed.jaxpr)


def test_while_loop_vmap_unbatched_predicate():
  f = lambda x, w: lax.while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, c[1] * w), (0, x))[1]  # noqa: E731
  xs = np.array([1.0, 2.0, 3.0])
  np.testing.assert_allclose(vmap(f, (0, None))(xs, 2.0), xs * 16)
  closed = make_jaxpr(vmap(f, (0, None)))(xs, 2.0)
  assert "reduce_max" not in str(closed)  # the trip count is shared: no per-member masking


def test_while_loop_errors():
  with pytest.raises(TypeError, match="boolean scalar"):
    lax.while_loop(lambda c: c, lambda c: c, 1.0)
  with pytest.raises(TypeError, match="same structure and types"):
    lax.while_loop(lambda c: c < 1.0, lambda c: (c, c), 0.0)
  with pytest.raises(TypeError, match="integers"):
    lax.fori_loop(0.0, 3, lambda i, c: c, 0.0)
