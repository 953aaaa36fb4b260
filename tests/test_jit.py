"""jit: caching per signature, composition with every transform, errors, threads."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.testing import strategies as vst

from call_counting import counting


def test_traces_once_per_signature():
  f, calls = counting(lambda x, y: vnp.sin(x) * y)
  jf = vjpkit.jit(f)
  np.testing.assert_allclose(jf(np.ones(3), 2.0), np.sin(1.0) * 2.0)
  jf(np.zeros(3), 5.0)
  assert len(calls) == 1
  jf(np.zeros(4), 5.0)                      # new shape
  jf(np.zeros(4, np.float32), np.float32(1))  # new dtypes
  assert len(calls) == 3
  jf(np.zeros(4), 1.0)
  assert len(calls) == 3


def test_pytrees_kwargs_and_outputs():
  def f(params, x, *, scale):
    w, b = params["w"], params["b"]
    return {"y": vnp.tanh(x @ w + b) * scale, "n": [vnp.sum(w), None]}
  params = {"w": np.ones((3, 2)), "b": np.zeros(2)}
  x = np.arange(3.0)
  out = vjpkit.jit(f)(params, x, scale=2.0)
  expected = f(params, x, scale=2.0)
  np.testing.assert_allclose(out["y"], expected["y"])
  assert out["n"][1] is None and isinstance(out["n"][0], np.float64)


def test_static_argnums_and_argnames():
  f, calls = counting(lambda x, n, mode="sin": (vnp.sin(x) if mode == "sin" else vnp.cos(x)) ** n)
  jf = vjpkit.jit(f, static_argnums=1, static_argnames="mode")
  assert jf(1.0, 2) == pytest.approx(np.sin(1.0) ** 2)
  assert jf(1.0, 3, mode="cos") == pytest.approx(np.cos(1.0) ** 3)
  assert jf(2.0, 3, mode="cos") == pytest.approx(np.cos(2.0) ** 3)
  assert len(calls) == 2
  with pytest.raises(TypeError, match="not hashable"):
    jf(1.0, [2])


def test_equal_static_values_of_different_types_are_different_keys():
  # 2 == 2.0 == True (and they hash alike), but a function may treat them differently
  h = vjpkit.jit(lambda x, n: x / n if isinstance(n, float) else x // n, static_argnums=1)
  np.testing.assert_array_equal(h(np.array([3.0]), 2), [1.0])
  np.testing.assert_array_equal(h(np.array([3.0]), 2.0), [1.5])
  x = np.ones(2)
  for g in (vjpkit.jit(lambda x, n: vnp.full((2,), n), static_argnums=1),
            vjpkit.jit(lambda x, n: vnp.full((2,), n), static_argnames="n")):
    for n in (2, 2.0, True, np.float32(2), 2, 2.0):
      assert g(x, n=n).dtype == np.full((2,), n).dtype, n
  k = vjpkit.jit(lambda x, n: vnp.full((2,), n[0]), static_argnums=1)
  assert k(x, (2,)).dtype == np.int64 and k(x, (2.0,)).dtype == np.float64
  assert len(k._cache) == 2
  k(x, (2,))
  assert len(k._cache) == 2


def test_the_shape_rule_cache_tells_param_types_apart():
  from vjpkit.extend import Primitive, ShapedArray
  p = Primitive("fill_like")
  p.def_impl(lambda x, *, value: np.full_like(x, value, dtype=np.result_type(value)))
  p.def_abstract_eval(lambda x, *, value: ShapedArray(x.shape, np.result_type(value)))
  for v in (2, 2.0, True):
    out, = vjpkit.make_jaxpr(lambda x, v=v: p.bind(x, value=v))(np.ones(2)).out_avals
    assert out.dtype == np.result_type(v)


def test_static_arguments_are_found_by_name_and_by_position():
  def f(x, n, mode="sin"):
    for _ in range(n):  # Python control flow on static values
      x = vnp.sin(x) if mode == "sin" else vnp.cos(x)
    return x
  by_num = vjpkit.jit(f, static_argnums=(1, 2))
  by_name = vjpkit.jit(f, static_argnames=("n", "mode"))
  for jf in (by_num, by_name):
    assert jf(1.0, 2) == pytest.approx(np.sin(np.sin(1.0)))
    assert jf(1.0, n=1, mode="cos") == pytest.approx(np.cos(1.0))
    assert jf(1.0, 1, "cos") == pytest.approx(np.cos(1.0))


def test_results_are_numpy_values_and_inputs_are_never_mutated():
  x = np.linspace(-1, 1, 5)
  x0 = x.copy()
  jf = vjpkit.jit(lambda x: (vnp.exp(vnp.tanh(x) * 2.0) + 1.0, x, vnp.sum(x), x.reshape(5, 1)))
  a, same, total, col = jf(x)
  np.testing.assert_array_equal(x, x0)
  assert isinstance(total, np.float64)
  # outputs never alias inputs or each other: writing to them leaves x alone
  same[:] = 7.0
  col[:] = 8.0
  np.testing.assert_array_equal(x, x0)
  a2, *_ = jf(x)
  np.testing.assert_allclose(a, a2)


def test_constant_outputs_are_fresh_on_every_call():
  k = np.arange(3.0)
  jf = vjpkit.jit(lambda x: (x, k))
  _, first = jf(1.0)
  first[:] = -1
  np.testing.assert_array_equal(jf(1.0)[1], np.arange(3.0))
  np.testing.assert_array_equal(k, np.arange(3.0))


# -- composition ----------------------------------------------------------------------

def _loss(w, x):
  return vnp.sum(vnp.tanh(x @ w) ** 2) + 0.5 * vnp.sum(w * w)


W = np.random.default_rng(0).standard_normal((3, 2))
X = np.random.default_rng(1).standard_normal((4, 3))


def test_jit_of_grad_and_grad_of_jit():
  g = vjpkit.grad(_loss)(W, X)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(_loss))(W, X), g, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.grad(vjpkit.jit(_loss))(W, X), g, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.grad(vjpkit.jit(_loss)))(W, X), g, rtol=1e-12)
  v, g2 = vjpkit.jit(vjpkit.value_and_grad(_loss, argnums=(0, 1)))(W, X)
  assert v == pytest.approx(_loss(W, X))
  np.testing.assert_allclose(g2[0], g, rtol=1e-12)


def test_jit_with_forward_mode_vmap_and_higher_order():
  f = vjpkit.jit(lambda x: vnp.sin(x) * x)
  _, t = vjpkit.jvp(f, (1.5,), (2.0,))
  assert t == pytest.approx(2.0 * (np.cos(1.5) * 1.5 + np.sin(1.5)))
  xs = np.linspace(0, 1, 5)
  np.testing.assert_allclose(vjpkit.vmap(f)(xs), np.sin(xs) * xs)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.vmap(vjpkit.grad(lambda x: vnp.sin(x) * x)))(xs),
                             np.cos(xs) * xs + np.sin(xs))
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(f))(xs), np.cos(xs) * xs + np.sin(xs))
  d2 = vjpkit.grad(vjpkit.grad(f))(0.3)
  assert d2 == pytest.approx(2 * np.cos(0.3) - 0.3 * np.sin(0.3))
  assert vjpkit.jit(vjpkit.grad(vjpkit.grad(f)))(0.3) == pytest.approx(d2)


def test_vmap_of_jit_keeps_unbatched_outputs_unbatched():
  # jacfwd vmaps a JVP whose primal output must stay unbatched; through a jit call it did not
  f = lambda x: vnp.sum(vnp.sin(x) * x ** 2)
  x = np.array([0.1, 0.2, 0.3])
  h = np.diag(2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x))
  np.testing.assert_allclose(vjpkit.hessian(vjpkit.jit(f))(x), h, rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jacfwd(vjpkit.jit(vnp.sin))(x), np.diag(np.cos(x)))
  jf = vjpkit.jit(lambda a, b: (a * 2.0, b + 1.0))
  assert vjpkit.vmap(jf, in_axes=(0, None), out_axes=(0, None))(x, 1.0)[1] == 2.0


def test_grad_of_call_whose_output_ignores_the_differentiated_argument():
  # the linear program then holds a call with no outputs; the backward pass crashed on it
  f = lambda x, y: vnp.sum(vnp.sin(y))
  for g in (vjpkit.jit(f), vjpkit.checkpoint(f)):
    np.testing.assert_array_equal(vjpkit.grad(g)(np.ones(3), np.ones(2)), np.zeros(3))
    np.testing.assert_array_equal(vjpkit.jit(vjpkit.grad(g))(np.ones(3), np.ones(2)), np.zeros(3))


def test_transforms_of_jit_reuse_their_compiled_programs(monkeypatch):
  from vjpkit.interpreters import codegen
  compiled = []
  real = codegen.compile_jaxpr
  monkeypatch.setattr(codegen, "compile_jaxpr", lambda *a, **k: compiled.append(1) or real(*a, **k))
  monkeypatch.setattr(vjpkit.api_jit, "compile_jaxpr", codegen.compile_jaxpr)
  f, calls = counting(_loss)
  jf = vjpkit.jit(f)
  for g, args in [(vjpkit.grad(jf), (W, X)), (vjpkit.vmap(jf, (None, 0)), (W, np.stack([X, X]))),
                  (lambda w: vjpkit.jvp(lambda v: jf(v, X), (w,), (w,)), (W,))]:
    g(*args)
    n_calls, n_compiled = len(calls), len(compiled)
    for _ in range(3):
      g(*args)
    assert (len(calls), len(compiled)) == (n_calls, n_compiled)


def test_jit_inside_jit_is_inlined():
  inner = vjpkit.jit(lambda x: vnp.sin(x) * 2.0)
  outer = vjpkit.jit(lambda x: inner(inner(x)))
  assert outer(0.5) == pytest.approx(2 * np.sin(2 * np.sin(0.5)))
  assert "jit" not in str(outer.lower(0.5).jaxpr)


def test_closing_over_outer_tracers():
  def f(x):
    return vjpkit.jit(lambda y: x * y)(3.0)
  assert vjpkit.grad(f)(2.0) == pytest.approx(3.0)
  g = vjpkit.jit(lambda y: y * 2.0)
  assert vjpkit.grad(lambda x: g(x) * x)(3.0) == pytest.approx(12.0)


@given(vst.programs(n_inputs=2, max_ops=6))
def test_random_programs_agree_with_eager(program):
  f, _ = program
  x, y = np.linspace(-1, 1, 3), np.linspace(0.5, 1.5, 3)
  np.testing.assert_allclose(vjpkit.jit(f)(x, y), f(x, y), rtol=1e-12)
  loss = lambda x, y: vnp.sum(f(x, y))  # noqa: E731
  expected = vjpkit.grad(loss, argnums=(0, 1))(x, y)
  for g in (vjpkit.jit(vjpkit.grad(loss, argnums=(0, 1))),
            vjpkit.grad(vjpkit.jit(loss), argnums=(0, 1))):
    for a, b in zip(g(x, y), expected):
      np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# -- errors ---------------------------------------------------------------------------

def test_python_control_flow_on_traced_values_is_a_clear_error():
  def f(x, n):
    return x if n > 0 else -x
  with pytest.raises(vjpkit.ConcretizationTypeError) as info:
    vjpkit.jit(f)(1.0, 2.0)
  message = str(info.value)
  assert "depends on n" in message
  assert "lax.cond" in message and "static_argnums" in message
  assert vjpkit.jit(f, static_argnums=1)(1.0, -2.0) == -1.0


def test_leaked_tracers_are_a_clear_error():
  leaked = []
  jf = vjpkit.jit(lambda x: leaked.append(x) or x * 2)
  jf(1.0)
  with pytest.raises(vjpkit.UnexpectedTracerError, match="tracer leak"):
    vjpkit.jit(lambda y: y + leaked[0])(1.0)
  with pytest.raises(vjpkit.UnexpectedTracerError, match="tracer leak"):
    leaked[0] + 1.0


def test_non_array_arguments_are_rejected():
  with pytest.raises(TypeError, match="not an array"):
    vjpkit.jit(lambda s: s)("text")


# -- caching across threads -----------------------------------------------------------

def test_the_cache_is_thread_safe():
  f, calls = counting(lambda x: vnp.tanh(x) * x)
  jf = vjpkit.jit(f)
  shapes = [(n,) for n in range(1, 6)]
  errors = []

  def work(seed):
    rng = np.random.default_rng(seed)
    try:
      for _ in range(40):
        x = rng.standard_normal(shapes[rng.integers(len(shapes))])
        np.testing.assert_allclose(jf(x), np.tanh(x) * x)
    except Exception as e:  # noqa: BLE001
      errors.append(e)
  threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert not errors
  assert len(jf._cache) == len(shapes)


# -- size ------------------------------------------------------------------------------

def test_a_hundred_thousand_equations_trace_optimise_compile_and_run():
  def chain(x):
    for _ in range(50_000):
      x = lax.sin(x)
      x = lax.mul(x, 1.0001)
    return x
  jf = vjpkit.jit(chain)
  lowered = jf.lower(0.5)
  assert len(lowered.jaxpr.eqns) == 100_000
  assert lowered.source.count("\n") > 100_000
  x = 0.5
  for _ in range(50_000):
    x = np.sin(x) * 1.0001
  assert jf(0.5) == pytest.approx(x)
