"""vjpkit.extend: full primitives (Primitive and its def_* rules) and autograd-style opaque
functions (primitive, defvjp, defjvp), under every transform, and their error messages.

Primitives are made inside functions, so the registry test of test_vmap.py (every library
primitive has a row) does not see them."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import extend, lax
from vjpkit.core import rules
from vjpkit.extend import (
  Emit,
  Primitive,
  ShapeDtypeStruct,
  Zero,
  defjvp,
  defvjp,
  primitive,
)
from vjpkit.interpreters import batching, codegen, jvp, partial_eval, transpose
from vjpkit.testing import check_grads

M = np.array([0.1, 0.5, 0.9])
DK = np.array([0.44200235, 0.84721308, 4.70536401])  # dK/dm at M
X = np.array([0.3, -1.2, 2.0])


def _dk(m, k, e):
  return (e - (1 - m) * k) / (2 * m * (1 - m))


# -- Primitive ---------------------------------------------------------------------------

def _ellip_primitives():
  """ellipk and ellipe as full primitives: impl, shape rule, JVP, batching."""
  k_p, e_p = Primitive("ellipk"), Primitive("ellipe")
  for p, impl in ((k_p, scipy.special.ellipk), (e_p, scipy.special.ellipe)):
    p.def_impl(impl)
    p.def_abstract_eval(lambda m: m)
    p.def_batching(lambda args, dims, p=p: (p.bind(*args), dims[0]))
  k_p.def_jvp(lambda ps, ts: (k_p.bind(ps[0]),
                              ts[0] * _dk(ps[0], k_p.bind(ps[0]), e_p.bind(ps[0]))))
  e_p.def_jvp(lambda ps, ts: (e_p.bind(ps[0]),
                              ts[0] * (e_p.bind(ps[0]) - k_p.bind(ps[0])) / (2 * ps[0])))
  return k_p, e_p


def test_primitive_with_a_jvp_rule_is_reverse_differentiable():
  k_p, _ = _ellip_primitives()
  ellipk = k_p.bind
  assert vjpkit.grad(ellipk)(0.5) == pytest.approx(DK[1])
  assert vjpkit.jit(vjpkit.grad(ellipk))(0.5) == pytest.approx(DK[1])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(ellipk))(M), DK)
  np.testing.assert_allclose(vjpkit.jacfwd(ellipk)(M), np.diag(DK), atol=1e-7)
  np.testing.assert_allclose(vjpkit.jacrev(ellipk)(M), np.diag(DK), atol=1e-7)
  check_grads(ellipk, (M,), order=2)
  check_grads(vjpkit.jit(vjpkit.vmap(ellipk)), (M,), order=2)
  assert k_p not in rules.transpose_rules  # reverse mode came from linearize + transpose


def test_def_methods_return_their_rule_and_fill_the_interpreters_tables():
  p = Primitive("foo")
  rule = lambda args, dims: (p.bind(*args), dims[0])
  assert p.def_batching(rule) is rule and batching.batch_rules[p] is rule
  assert rules.jvp_rules is jvp.jvp_rules and rules.transpose_rules is transpose.transpose_rules
  assert rules.pe_rules is partial_eval.pe_rules and rules.emit_rules is codegen.emit_rules


def test_missing_rules_name_the_primitive_and_the_fix():
  p = Primitive("foo")
  with pytest.raises(NotImplementedError, match=r"Primitive 'foo' has no implementation: call "
                                                r"foo_p\.def_impl\(\.\.\.\)"):
    p.bind(1.0)
  p.def_impl(np.sin)
  with pytest.raises(NotImplementedError, match=r"Primitive 'foo' has no abstract evaluation "
                                                r"rule: call foo_p\.def_abstract_eval\(\.\.\.\)"):
    vjpkit.jit(p.bind)(1.0)
  p.def_abstract_eval(lambda x: x)
  with pytest.raises(NotImplementedError, match=r"'foo' has no differentiation \(JVP\) rule: "
                                                r"call foo_p\.def_jvp"):
    vjpkit.grad(p.bind)(1.0)
  with pytest.raises(NotImplementedError, match=r"'foo' has no batching rule: call "
                                                r"foo_p\.def_batching"):
    vjpkit.vmap(p.bind)(M)
  p.def_jvp(lambda ps, ts: (p.bind(*ps), p.bind(*ts)))  # linear in the tangent: transpose it
  assert vjpkit.jvp(p.bind, (1.0,), (0.5,))[1] == pytest.approx(np.sin(0.5))
  with pytest.raises(NotImplementedError, match=r"'foo' has no transpose rule: call "
                                                r"foo_p\.def_transpose"):
    vjpkit.grad(p.bind)(1.0)


def test_shape_rule_results_are_checked_and_normalised():
  p = Primitive("bar")
  p.def_impl(lambda x: np.stack([x, x]))
  p.def_abstract_eval(lambda x: ShapeDtypeStruct((2,) + x.shape, x.dtype))
  assert vjpkit.jit(p.bind)(M).shape == (2, 3)
  p.def_abstract_eval(lambda x: (x, x))  # (jit caches compiled code: a new function each time)
  with pytest.raises(TypeError, match=r"set bar_p\.multiple_results = True"):
    vjpkit.jit(lambda x: p.bind(x))(M)
  p.def_abstract_eval(lambda x: 3)
  with pytest.raises(TypeError, match=r"returned a value of type 'int'.*\.shape and \.dtype"):
    vjpkit.jit(lambda x: p.bind(x))(M)


def test_multiple_results_jvp_with_zero_tangents_and_checks():
  seen = []
  p = Primitive("sincos", multiple_results=True)
  p.def_impl(lambda x, y: [np.sin(x) * y, np.cos(x) * y])
  p.def_abstract_eval(lambda x, y: [x, x])

  @p.def_jvp
  def _jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    seen.append(type(ty).__name__)
    s, c = p.bind(x, y)
    return [s, c], [c * tx + s / y * ty, -s * tx + c / y * ty]
  p.def_batching(lambda args, dims: (p.bind(*[vnp.moveaxis(a, d, 0) if d is not None else a
                                              for a, d in zip(args, dims)]), [0, 0]))
  f = lambda x, y: vnp.sum(p.bind(x, y)[0] + 2 * p.bind(x, y)[1])
  check_grads(f, (X, np.full(3, 1.5)), order=2)
  assert vjpkit.grad(f)(X, 1.5).shape == (3,)
  assert "ndarray" in seen or "float64" in seen  # a zero tangent arrives as an array
  np.testing.assert_allclose(vjpkit.vmap(lambda x: p.bind(x, 2.0)[1])(X), 2.0 * np.cos(X))
  bad = Primitive("bad")
  bad.def_impl(np.sin)
  bad.def_abstract_eval(lambda x: x)
  bad.def_jvp(lambda ps, ts: (np.sin(ps[0]), np.ones(4)))
  with pytest.raises(TypeError, match=r"JVP rule of 'bad' returned a tangent f64\[4\]"):
    vjpkit.jvp(bad.bind, (X,), (X,))


def test_symbolic_zeros_jvp_sees_zero():
  seen = []
  p = Primitive("addmul")
  p.def_impl(lambda x, y: x * y)
  p.def_abstract_eval(lambda x, y: x)

  def rule(primals, tangents):
    seen.append([type(t) is Zero for t in tangents])
    (x, y), (tx, ty) = primals, tangents
    out = None if type(tx) is Zero else tx * y
    if type(ty) is not Zero:
      out = x * ty if out is None else out + x * ty
    return p.bind(x, y), out
  p.def_jvp(rule, symbolic_zeros=True)
  assert vjpkit.grad(p.bind)(2.0, 3.0) == 3.0
  assert seen == [[False, True]]


def test_linear_primitive_transpose_batching_and_codegen():
  cumsum_p = Primitive("cumsum_test")
  cumsum_p.def_impl(lambda x, *, axis: np.cumsum(x, axis=axis))
  cumsum_p.def_abstract_eval(lambda x, *, axis: x)
  cumsum_p.def_jvp(lambda ps, ts, *, axis: (cumsum_p.bind(ps[0], axis=axis),
                                            cumsum_p.bind(ts[0], axis=axis)))

  @cumsum_p.def_transpose
  def _t(ct, x, *, axis):
    assert extend.is_undefined_primal(x) and x.aval.shape == np.shape(ct)
    return [vnp.flip(cumsum_p.bind(vnp.flip(ct, axis), axis=axis), axis)]
  cumsum_p.def_batching(lambda args, dims, *, axis: (
      cumsum_p.bind(args[0], axis=axis + (dims[0] <= axis)), dims[0]))
  f = lambda x: vnp.sum(vnp.sin(cumsum_p.bind(x, axis=1)))
  x = np.arange(6.0).reshape(2, 3) / 10
  check_grads(f, (x,), order=2)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(f))(np.stack([x, x])),
                             np.stack([vjpkit.grad(f)(x)] * 2))
  # without a codegen rule, jit calls the impl; with one, it writes the given expression
  assert "_cumsum_test" in vjpkit.jit(lambda x: cumsum_p.bind(x, axis=1)).lower(x).source
  cumsum_p.def_codegen(lambda eqn, args, env: Emit(
      f"{env.ref(np.cumsum, 'np_cumsum')}({args[0]}, axis={eqn.params['axis']})", "fresh"))
  g = vjpkit.jit(lambda x: cumsum_p.bind(x, axis=1) * 2.0)
  assert "_np_cumsum0(a, axis=1)" in g.lower(x).source
  np.testing.assert_allclose(g(x), 2 * np.cumsum(x, axis=1))
  cumsum_p.def_codegen(lambda eqn, args, env: f"{env.ref(np.cumsum, 'cs')}({args[0]}, axis=1)")
  np.testing.assert_allclose(vjpkit.jit(lambda x: cumsum_p.bind(x, axis=1))(x),
                             np.cumsum(x, axis=1))


def test_every_lax_primitive_is_declared_through_the_api():
  """Each has an impl and a shape rule (def_impl, def_abstract_eval), a batching rule, and
  a JVP rule except the few that are not differentiable at all."""
  import importlib
  import pkgutil

  from vjpkit.core.primitive import _missing
  prims = set()
  for info in pkgutil.walk_packages(lax.__path__, "vjpkit.lax."):
    module = importlib.import_module(info.name)
    prims |= {v for v in vars(module).values() if isinstance(v, Primitive)}
  assert len(prims) > 80
  for p in prims:
    assert getattr(p.impl, "func", None) is not _missing, p
    assert p.abstract_eval.func is not _missing, p
    assert p in rules.batch_rules, p
  assert sorted(p.name for p in prims if p not in rules.jvp_rules) == []


# -- primitive / defvjp / defjvp -----------------------------------------------------------

def _ellip_functions(vmap_method="expand_dims", jvps=False):
  same = lambda m: m
  k = primitive(scipy.special.ellipk, result_shape_dtypes=same, vmap_method=vmap_method)
  e = primitive(scipy.special.ellipe, result_shape_dtypes=same, vmap_method=vmap_method)
  defvjp(k, lambda ans, m: lambda g: g * _dk(m, ans, e(m)))
  defvjp(e, lambda ans, m: lambda g: g * (ans - k(m)) / (2 * m))
  if jvps:
    defjvp(k, lambda g, ans, m: g * _dk(m, ans, e(m)))
    defjvp(e, lambda g, ans, m: g * (ans - k(m)) / (2 * m))
  return k, e


@pytest.mark.parametrize("vmap_method", ["expand_dims", "sequential", "broadcast_all"])
def test_primitive_function_reverse_mode(vmap_method):
  ellipk, _ = _ellip_functions(vmap_method)
  assert vjpkit.grad(ellipk)(0.5) == pytest.approx(DK[1])
  value, g = vjpkit.value_and_grad(ellipk)(0.5)
  assert (value, g) == (pytest.approx(scipy.special.ellipk(0.5)), pytest.approx(DK[1]))
  _, f_vjp = vjpkit.vjp(ellipk, M)
  np.testing.assert_allclose(f_vjp(np.ones(3))[0], DK)
  assert vjpkit.jit(vjpkit.grad(ellipk))(0.5) == pytest.approx(DK[1])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(ellipk))(M), DK)
  np.testing.assert_allclose(vjpkit.grad(lambda m: vnp.sum(vjpkit.vmap(ellipk)(m)))(M), DK)
  np.testing.assert_allclose(vjpkit.jacrev(ellipk)(M), np.diag(DK), atol=1e-7)
  check_grads(ellipk, (M,), order=2, modes=["rev"])
  with pytest.raises(TypeError, match=r"forward-mode .* 'ellipk' needs a JVP for argument 0.*"
                                      r"defjvp\(ellipk"):
    vjpkit.jvp(ellipk, (0.5,), (1.0,))


def test_primitive_function_forward_mode_and_second_order():
  ellipk, _ = _ellip_functions(jvps=True)
  np.testing.assert_allclose(vjpkit.jvp(ellipk, (M,), (np.ones(3),))[1], DK)
  np.testing.assert_allclose(vjpkit.jacfwd(ellipk)(M), np.diag(DK), atol=1e-7)
  np.testing.assert_allclose(vjpkit.jit(vjpkit.jacfwd(ellipk))(M), np.diag(DK), atol=1e-7)
  assert vjpkit.hessian(ellipk)(0.5) == pytest.approx(vjpkit.grad(vjpkit.grad(ellipk))(0.5))
  check_grads(ellipk, (M,), order=2)
  _, lin = vjpkit.linearize(ellipk, M)
  np.testing.assert_allclose(lin(np.ones(3)), DK)


def test_makers_see_one_example_at_a_time_under_vmap():
  """With vmap_method="expand_dims" the function sees the batch (it broadcasts over leading
  axes), but the makers were written for one example (with full reductions): they are
  vmapped, never fed the batch."""
  f = primitive(lambda x: x / np.sum(x, axis=-1, keepdims=True), result_shape_dtypes=lambda x: x,
                vmap_method="expand_dims")
  defvjp(f, lambda ans, x: lambda g: (g - vnp.sum(g * ans)) / vnp.sum(x))
  defjvp(f, lambda g, ans, x: (g - ans * vnp.sum(g)) / vnp.sum(x))
  xs = np.array([[1.0, 2.0, 3.0], [0.5, 0.25, 4.0]])
  loss = lambda x: vnp.sum(vnp.sin(f(x)))
  want = np.stack([vjpkit.grad(loss)(x) for x in xs])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(loss))(xs), want)
  np.testing.assert_allclose(vjpkit.grad(lambda x: vnp.sum(vjpkit.vmap(loss)(x)))(xs), want)
  np.testing.assert_allclose(vjpkit.jacfwd(vjpkit.vmap(f))(xs),
                             vjpkit.jacrev(vjpkit.vmap(f))(xs), atol=1e-12)
  check_grads(vjpkit.vmap(loss), (xs,), order=2)


def test_jvp_only_primitive_function_is_reverse_differentiable():
  cube = primitive(lambda x: x ** 3)
  defjvp(cube, lambda g, ans, x: 3.0 * x ** 2 * g)
  assert vjpkit.grad(cube)(2.0) == 12.0
  assert vjpkit.grad(vjpkit.grad(cube))(2.0) == 12.0
  check_grads(cube, (X,), order=2)


def test_kwargs_static_args_argnums_and_none():
  calls = []

  @primitive
  def power(x, y, mode="mul", *, p=2):
    calls.append((type(x).__name__, mode, p))
    return (x * y) ** p if mode == "mul" else x + y
  dx = lambda ans, x, y, mode="mul", *, p=2: lambda g: g * p * (x * y) ** (p - 1) * y
  dy = lambda ans, x, y, mode="mul", *, p=2: lambda g: g * p * (x * y) ** (p - 1) * x
  defvjp(power, dx, dy)
  assert vjpkit.grad(power, argnums=(0, 1))(2.0, 3.0, "mul", p=3) == (324.0, 216.0)
  assert calls[-1][1:] == ("mul", 3) and calls[-1][0] in ("float64", "ndarray")
  with pytest.raises(TypeError, match="keyword argument 'p' is being differentiated"):
    vjpkit.grad(lambda p: power(2.0, 3.0, p=p))(3.0)
  defvjp(power, None, dy)  # None: argument 0 has no derivative
  assert vjpkit.grad(power, argnums=(0, 1))(2.0, 3.0) == (0.0, 24.0)
  defvjp(power, dx, argnums=[0])  # replaces the rules, as in autograd
  assert vjpkit.grad(power)(2.0, 3.0) == 36.0
  with pytest.raises(NotImplementedError, match=r"no derivative with respect to its argument 1: "
                                                r"define one with vjpkit\.extend\.defvjp"):
    vjpkit.grad(power, argnums=1)(2.0, 3.0)


def test_pytree_arguments_and_results():
  @primitive
  def polar(xy):
    x, y = xy
    return {"r": np.hypot(x, y), "t": np.arctan2(y, x)}
  defvjp(polar, lambda ans, xy: lambda g: (
      g["r"] * xy[0] / ans["r"] - g["t"] * xy[1] / ans["r"] ** 2,
      g["r"] * xy[1] / ans["r"] + g["t"] * xy[0] / ans["r"] ** 2))
  f = lambda x, y: polar((x, y))["r"] + 2.0 * polar((x, y))["t"]
  check_grads(f, (1.0, 2.0), order=1, modes=["rev"])
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(f))(M, M), [vjpkit.grad(f)(m, m) for m in M])
  defvjp(polar, lambda ans, xy: lambda g: g["r"])
  with pytest.raises(TypeError, match="cotangent of structure"):
    vjpkit.grad(f)(1.0, 2.0)


def test_result_types_under_jit():
  f = primitive(np.sin)
  defvjp(f, lambda ans, x: lambda g: g * vnp.cos(x))
  assert vjpkit.grad(f)(0.5) == pytest.approx(np.cos(0.5))  # eager: no types needed
  np.testing.assert_allclose(vjpkit.vmap(f)(M), np.sin(M))
  with pytest.raises(TypeError, match=r"'sin' was traced with abstract values.*"
                                      r"result_shape_dtypes="):
    vjpkit.jit(f)(M)
  g = primitive(np.sin, result_shape_dtypes=ShapeDtypeStruct((3,), np.float64))
  np.testing.assert_allclose(vjpkit.jit(g)(M), np.sin(M))
  with pytest.raises(TypeError, match=r"returned f64\[2\] for output 0.*declares f64\[3\]"):
    g(M[:2])
  h = primitive(lambda x: x.astype(np.float32), result_shape_dtypes=lambda x: x)
  with pytest.raises(TypeError, match=r"returned f32\[3\].*declares f64\[3\]"):
    vjpkit.jit(h)(M)
  assert "sin[fun=sin]" in str(vjpkit.make_jaxpr(g)(M))


def test_defvjp_and_defjvp_arguments_are_checked():
  with pytest.raises(TypeError, match="decorated with @vjpkit.extend.primitive"):
    defvjp(np.sin, lambda ans, x: lambda g: g)
  with pytest.raises(TypeError, match="use its def_jvp"):
    defvjp(Primitive("p"), lambda ans, x: lambda g: g)
  f = primitive(np.sin)
  with pytest.raises(TypeError, match="a function or None"):
    defvjp(f, 3)
  with pytest.raises(ValueError, match="argnums"):
    defvjp(f, None, argnums=[0, 1])
  with pytest.raises(ValueError, match="vmap_method"):
    primitive(np.sin, vmap_method="parallel")
  # defjvp on a full Primitive: one rule per argument, params as keywords
  p = Primitive("scaled")
  p.def_impl(lambda x, *, c: c * np.sin(x))
  p.def_abstract_eval(lambda x, *, c: x)
  defjvp(p, lambda g, ans, x, *, c: c * vnp.cos(x) * g)
  check_grads(lambda x: p.bind(x, c=2.0), (X,), order=1)


def test_primitive_functions_compose_with_control_flow_and_checkpoint():
  ellipk, _ = _ellip_functions(jvps=True)
  body = lambda c, m: (c + ellipk(m), c)
  f = lambda ms: lax.scan(body, 0.0, ms)[0]
  assert vjpkit.grad(f)(M) == pytest.approx(DK)
  assert vjpkit.grad(vjpkit.checkpoint(lambda m: ellipk(m) * 2.0))(0.5) == pytest.approx(2 * DK[1])
  g = lambda m: lax.cond(m > 0.4, ellipk, lambda m: m * m, m)
  assert vjpkit.jit(vjpkit.grad(g))(0.5) == pytest.approx(DK[1])
