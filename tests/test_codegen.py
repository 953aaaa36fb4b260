"""Code generation: the source it writes, buffer reuse, liveness, chunking, safety."""
from __future__ import annotations

import traceback

import numpy as np
import pytest
from hypothesis import given

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.interpreters import codegen
from vjpkit.interpreters.codegen import compile_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.passes import optimize
from vjpkit.testing import strategies as vst


def _compile(f, *args):
  closed = vjpkit.make_jaxpr(f)(*args)
  return compile_jaxpr(closed.jaxpr, closed.consts, "f"), closed


def test_source_of_an_elementwise_chain_reuses_dying_buffers():
  c, _ = _compile(lambda x: vnp.exp(vnp.tanh(x) * 2.0) + x, np.ones(3))
  assert c.source == "\n".join([
      "def f(a):",
      "    b = _tanh0(a)",
      "    b = _multiply1(b, 2.0, out=b)",
      "    b = _exp2(b, out=b)",
      "    b = _add3(b, a, out=b)",
      "    return (b,)"])


def test_scalars_use_operators_and_are_never_written_in_place():
  c, _ = _compile(lambda x: vnp.sin(x) * x + 1.0, 0.5)
  assert c.source == "\n".join([
      "def f(a):",
      "    b = _sin0(a)",
      "    c = b * a",
      "    d = c + 1.0",
      "    return (d,)"])


def test_intermediates_are_deleted_after_their_last_use():
  c, _ = _compile(lambda x: vnp.sum(vnp.sin(x)) * vnp.cos(x), np.ones(3))
  assert c.source == "\n".join([
      "def f(a):",
      "    b = _sin1(a)",
      "    c = _add_reduce2(b, axis=(0,))",
      "    del b",
      "    d = _cos3(a)",
      "    d = _multiply4(c, d, out=d)",
      "    return (d,)"])


def test_backward_program_of_a_layer_is_written_like_by_hand():
  x = np.random.default_rng(0).standard_normal((4, 3))
  f = vjpkit.grad(lambda w, b: vnp.sum(vnp.tanh(vnp.dot(x, w) + b)), argnums=(0, 1))
  source = vjpkit.codegen.to_source(f, np.ones((3, 2)), np.zeros(2))
  assert "broadcast_to" not in source       # the bias is broadcast by NumPy itself
  assert "_const0 @ a" in source             # x @ w
  assert "_const0.T @" in source             # xᵀ g: no transpose of a product
  assert "_add_reduce" in source             # the bias gradient


def test_dot_general_forms_match_numpy():
  rng = np.random.default_rng(0)
  a, b, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
  cases = [(a, b.T, ((1,), (0,))), (a, b, ((0,), (0,))), (a, b, ((1,), (1,))),
           (a.T, b, ((0,), (1,))), (a, v, ((0,), (0,))), (v, a, ((0,), (0,))),
           (v, v, ((0,), (0,))), (a.reshape(3, 2, 2), b.reshape(3, 2, 2), ((0, 2), (0, 2)))]
  for x, y, (lc, rc) in cases:
    dims = ((lc, rc), ((), ()))
    c, _ = _compile(lambda x, y: lax.dot_general(x, y, dims), x, y)
    np.testing.assert_allclose(c(x, y)[0], np.tensordot(x, y, (lc, rc)), rtol=1e-12)


def test_free_broadcasts_keep_leading_unit_axes():
  # (1,) and (3,) broadcast to (1, 3) each: NumPy's own broadcasting of the sources gives (3,)
  def f(c, a):
    return lax.rev(lax.broadcast_in_dim(c, (1, 3), (0,)) * lax.broadcast_in_dim(a, (1, 3), (1,)),
                   (1,))
  c, a = np.array([2.0]), np.arange(3.0)
  np.testing.assert_array_equal(vjpkit.jit(f)(c, a), [[4.0, 2.0, 0.0]])
  x = np.array([0.3, -0.5, 0.8])
  np.testing.assert_allclose(vjpkit.hessian(vjpkit.jit(lambda x: vnp.sum(x[::-1] * x)))(x),
                             np.fliplr(2 * np.eye(3)))


def test_constant_broadcasts_are_built_once_and_outputs_never_read_only():
  jf = vjpkit.jit(lambda w: (vnp.dot(np.ones((2, 3)), w), vnp.zeros(3) + 0.0 * w[0]))
  source = jf.lower(np.eye(3)).source
  assert "_full" in source and "broadcast_to" not in source
  y, z = jf(np.eye(3))
  np.testing.assert_array_equal(y, np.ones((2, 3)))
  assert y.flags.writeable and z.flags.writeable


def test_a_view_keeps_its_buffer_from_being_reused():
  def f(x):
    t = vnp.tanh(x)
    v = t.T                   # a view of t
    u = vnp.exp(t)            # t dies here, but v still reads its buffer
    return v * 2.0 + u.T
  x = np.arange(6.0).reshape(2, 3) / 6
  c, _ = _compile(f, x)
  np.testing.assert_allclose(c(x)[0], f(x), rtol=1e-12)


@given(vst.programs(n_inputs=2, max_ops=8))
def test_compiled_programs_agree_and_never_write_to_inputs(program):
  f, _ = program
  xs = [np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(0.5, 2, 6).reshape(2, 3)]
  loss = lambda x, y: vnp.sum(f(x, y) * f(y, x))  # noqa: E731
  for g in (f, vjpkit.grad(loss, argnums=(0, 1))):
    closed = vjpkit.make_jaxpr(g)(*xs)
    jaxpr, consts = optimize(closed.jaxpr, closed.consts)
    copies = [x.copy() for x in xs]
    out = compile_jaxpr(jaxpr, consts)(*xs)
    for x, x0 in zip(xs, copies):
      np.testing.assert_array_equal(x, x0)
    for a, b in zip(out, eval_jaxpr(closed.jaxpr, closed.consts, xs)):
      np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@given(vst.programs(n_inputs=2, max_ops=8))
def test_chunked_programs_agree(program):
  f, _ = program
  xs = [np.linspace(-1, 1, 3), np.linspace(0.5, 2, 3)]
  g = vjpkit.grad(lambda x, y: vnp.sum(f(x, y)), argnums=(0, 1))
  closed = vjpkit.make_jaxpr(g)(*xs)
  old = codegen.CHUNK
  codegen.CHUNK = 2
  try:
    c = compile_jaxpr(closed.jaxpr, closed.consts)
  finally:
    codegen.CHUNK = old
  for a, b in zip(c(*xs), g(*xs)):
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_consts_can_be_arguments_and_primitives_without_rules_call_their_impl():
  closed = vjpkit.make_jaxpr(lambda x: lax.round(x * np.arange(3.0)))(np.full(3, 1.6))
  c = compile_jaxpr(closed.jaxpr)  # constants become leading parameters
  assert c.source.startswith("def f(a, b):")
  assert "_round" in c.source
  np.testing.assert_array_equal(c(np.arange(3.0), np.full(3, 1.6))[0], [0.0, 2.0, 3.0])


def test_tracebacks_show_the_generated_line():
  c, _ = _compile(lambda x: lax.div(x, x), np.ones(2, np.int64))
  with pytest.raises(Exception) as info:
    c(np.array(["a"]))
  text = "".join(traceback.format_exception(info.value))
  assert "_div" in text


@given(vst.programs(n_inputs=2, max_ops=8))
def test_eager_reverse_mode_with_a_compiled_backward_pass_agrees(program):
  from vjpkit.interpreters import linearize
  f, _ = program
  xs = [np.linspace(-1, 1, 4), np.linspace(0.5, 2, 4)]
  loss = lambda x, y: vnp.sum(f(x, y))  # noqa: E731
  expected = vjpkit.grad(loss, argnums=(0, 1))(*xs)
  old = linearize.COMPILE_BACKWARD
  linearize.COMPILE_BACKWARD = 0  # compile every backward pass
  try:
    got = vjpkit.grad(loss, argnums=(0, 1))(*xs)
    _, f_vjp = vjpkit.vjp(lambda x, y, n: (f(x, y), n * 2, x), *xs, np.arange(4))
    cts = f_vjp((np.ones(4), np.zeros(4, np.int64), np.ones(4)))
  finally:
    linearize.COMPILE_BACKWARD = old
  for a, b in zip(got, expected):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
  assert cts[2].dtype == vjpkit.core.float0
  np.testing.assert_allclose(cts[0], expected[0] + 1.0, rtol=1e-12, atol=1e-14)


def test_compiled_backward_programs_are_cached_by_structure_only():
  from vjpkit.interpreters import compiled_backward, linearize
  old = linearize.COMPILE_BACKWARD
  linearize.COMPILE_BACKWARD = 0
  try:
    g = vjpkit.grad(lambda x, c: vnp.sum(vnp.sin(x) * x * c), argnums=(0, 1))
    x = np.linspace(-1, 1, 5)
    first = g(x, 2.0)
    n = compiled_backward.cache_size()
    for xv, c in ((x * 3, 2.0), (x + 1, -1.5), (np.zeros(5), 0.0)):  # new residuals, same program
      gx, gc = g(xv, c)
      np.testing.assert_allclose(gx, c * (np.cos(xv) * xv + np.sin(xv)), rtol=1e-14, atol=1e-15)
      np.testing.assert_allclose(gc, np.sum(np.sin(xv) * xv), rtol=1e-14, atol=1e-15)
    assert compiled_backward.cache_size() == n and len(first) == 2
    # literals that compare equal are told apart by their bits: -0.0 is not 0.0
    neg = vjpkit.grad(lambda x: vnp.sum(lax.mul(x, -0.0) * x))(np.ones(3))
    pos = vjpkit.grad(lambda x: vnp.sum(lax.mul(x, 0.0) * x))(np.ones(3))
    assert np.all(np.signbit(neg)) and not np.any(np.signbit(pos))
    # another shape, or another set of given cotangents, is another program
    g(np.ones(7), 1.0)
    assert compiled_backward.cache_size() == n + 3
  finally:
    linearize.COMPILE_BACKWARD = old
  key = compiled_backward.structure_key
  _, lin = linearize.linearize_flat(lambda x: [x * 0.0], [np.ones(2)])
  _, lin2 = linearize.linearize_flat(lambda x: [x * -0.0], [np.ones(2)])
  assert key(lin.jaxpr, [True]) != key(lin2.jaxpr, [True])
  assert key(lin.jaxpr, [True]) != key(lin.jaxpr, [False])
