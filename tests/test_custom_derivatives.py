"""custom_jvp and custom_vjp: the user's rule is what grad, jvp and vmap use, at any nesting."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import custom_jvp, custom_vjp, grad, jvp, lax, make_jaxpr, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads


def staged(f, *example):
  """``f`` as make_jaxpr (and so jit) stages it, run by eval_jaxpr."""
  closed = make_jaxpr(f)(*example)
  typecheck_jaxpr(closed.jaxpr)
  return lambda *args: eval_jaxpr(closed.jaxpr, closed.consts, list(args))[0]


# -- a numerically stable log(1 + exp(x)) ------------------------------------------------

@custom_jvp
def log1pexp(x):
  return vnp.log(1.0 + vnp.exp(x))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
  (x,), (t,) = primals, tangents
  return log1pexp(x), t * (1.0 - 1.0 / (1.0 + vnp.exp(x)))


def naive_log1pexp(x):
  return vnp.log(1.0 + vnp.exp(x))


def test_log1pexp_is_stable_where_the_plain_derivative_is_not():
  with np.errstate(over="ignore", invalid="ignore"):
    assert np.isnan(grad(naive_log1pexp)(800.0))
    assert float(grad(log1pexp)(800.0)) == 1.0
  xs = np.linspace(-5, 5, 7)
  np.testing.assert_allclose(vmap(grad(log1pexp))(xs), 1 / (1 + np.exp(-xs)), rtol=1e-13)
  check_grads(log1pexp, (xs,), order=2)


@pytest.mark.parametrize("mode", ["eager", "staged"])
def test_log1pexp_under_every_transform(mode):
  f = log1pexp if mode == "eager" else staged(log1pexp, 0.0)
  sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
  x = 0.7
  np.testing.assert_allclose(grad(f)(x), sigmoid(x))
  np.testing.assert_allclose(jvp(f, (x,), (2.0,))[1], 2 * sigmoid(x))
  np.testing.assert_allclose(grad(grad(f))(x), sigmoid(x) * (1 - sigmoid(x)))
  xs = np.array([-1.0, 0.0, 3.0])
  np.testing.assert_allclose(vmap(grad(f))(xs), sigmoid(xs))
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(f)(xs)))(xs), sigmoid(xs))
  np.testing.assert_allclose(vmap(lambda x: jvp(f, (x,), (1.0,))[1])(xs), sigmoid(xs))


# -- the custom rule is really the one used ------------------------------------------------

def test_a_deliberately_wrong_rule_shows_up_in_every_mode():
  @custom_jvp
  def f(x, y):
    return vnp.sin(x) * y
  f.defjvps(lambda g, ans, x, y: 100.0 * g, lambda g, ans, x, y: -g)
  x, y = 0.3, 2.0
  assert grad(f, (0, 1))(x, y) == (100.0, -1.0)
  assert float(jvp(f, (x, y), (1.0, 1.0))[1]) == 99.0
  assert float(grad(staged(f, x, y))(x, y)) == 100.0
  np.testing.assert_allclose(vmap(grad(f))(np.ones(3), np.ones(3)), [100.0] * 3)
  # the primal value is the function's own
  np.testing.assert_allclose(f(x, y), np.sin(x) * y)


def test_straight_through_estimator_and_gradient_clipping():
  @custom_vjp
  def round_ste(x):
    return lax.round(x)
  round_ste.defvjp(lambda x: (lax.round(x), None), lambda _, g: (g,))
  xs = np.array([0.2, 1.7, -2.4])
  np.testing.assert_array_equal(round_ste(xs), [0.0, 2.0, -2.0])
  assert np.all(grad(lambda x: vnp.sum(lax.round(x) * x))(xs) == np.round(xs))  # d round = 0
  np.testing.assert_allclose(grad(lambda x: vnp.sum(round_ste(x) * x))(xs), np.round(xs) + xs)

  @custom_vjp
  def clip_grad(x, bound):
    return x
  clip_grad.defvjp(lambda x, b: (x, b),
                   lambda b, g: (vnp.minimum(vnp.maximum(g, -b), b), None))
  g = grad(lambda x: vnp.sum(clip_grad(x, 0.5) * np.array([3.0, -0.1, -7.0])))(np.ones(3))
  np.testing.assert_allclose(g, [0.5, -0.1, -0.5])


def test_custom_vjp_residuals_transforms_and_second_order():
  @custom_vjp
  def f(x):
    return vnp.sin(x)

  def f_fwd(x):
    return vnp.sin(x), {"cos": vnp.cos(x)}

  def f_bwd(res, g):
    return (7.0 * res["cos"] * g,)  # seven times the true derivative
  f.defvjp(f_fwd, f_bwd)
  x = 0.4
  np.testing.assert_allclose(grad(f)(x), 7 * np.cos(x))
  np.testing.assert_allclose(grad(grad(f))(x), -7 * np.sin(x))  # bwd is differentiated
  np.testing.assert_allclose(grad(staged(f, x))(x), 7 * np.cos(x))
  xs = np.array([0.1, 0.2])
  np.testing.assert_allclose(vmap(grad(f))(xs), 7 * np.cos(xs))
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(f)(xs)))(xs), 7 * np.cos(xs))
  # forward over reverse: the bwd rule is ordinary code, so jvp differentiates it
  np.testing.assert_allclose(jvp(grad(f), (x,), (1.0,))[1], -7 * np.sin(x))


def test_custom_vjp_forward_mode_raises():
  @custom_vjp
  def f(x):
    return x * 2.0
  f.defvjp(lambda x: (x * 2.0, None), lambda _, g: (g * 2.0,))
  with pytest.raises(TypeError, match="forward-mode.*custom_vjp"):
    jvp(f, (1.0,), (1.0,))
  assert float(grad(f)(1.0)) == 2.0


def test_nondiff_argnums_and_pytrees():
  @functools.partial(custom_jvp, nondiff_argnums=(0,))
  def apply(fn, p):
    return fn(p["a"]) * p["b"]

  @apply.defjvp
  def apply_jvp(fn, primals, tangents):
    (p,), (t,) = primals, tangents
    return apply(fn, p), 3.0 * t["a"] + t["b"]
  p = {"a": 0.5, "b": 2.0}
  g = grad(lambda p: apply(vnp.exp, p))(p)
  assert (float(g["a"]), float(g["b"])) == (3.0, 1.0)

  @custom_vjp
  def scale(k, x):
    return x * k
  scale = custom_vjp(scale.fun, nondiff_argnums=(0,))
  scale.defvjp(lambda k, x: (x * k, None), lambda k, _, g: (g * k * 10.0,))
  assert float(grad(lambda x: scale(3.0, x))(1.0)) == 30.0
  with pytest.raises(TypeError, match="nondiff_argnums"):
    grad(lambda k: scale(k, 1.0))(3.0)


def test_inside_scan_and_cond():
  def f(x):
    c, _ = lax.scan(lambda c, _: (log1pexp(c) - 1.0, None), x, None, length=3)
    return lax.cond(c > 0, log1pexp, lambda y: y, c)

  def plain(x):
    c, _ = lax.scan(lambda c, _: (naive_log1pexp(c) - 1.0, None), x, None, length=3)
    return lax.cond(c > 0, naive_log1pexp, lambda y: y, c)
  for x in [0.5, 3.0]:
    np.testing.assert_allclose(grad(f)(x), grad(plain)(x), rtol=1e-12)
    np.testing.assert_allclose(grad(staged(f, 0.5))(x), grad(plain)(x), rtol=1e-12)


def test_closing_over_a_differentiated_value_is_an_error():
  def outer(a):
    @custom_jvp
    def f(x):
      return x * a
    f.defjvp(lambda p, t: (f(*p), t[0] * a))
    return f(2.0) + f(a)
  with pytest.raises(TypeError, match="closes over a value"):
    grad(outer)(1.0)
  # closing over plain arrays is fine
  w = np.array([1.0, 2.0])

  @custom_jvp
  def g(x):
    return vnp.sum(x * w)
  g.defjvp(lambda p, t: (g(*p), vnp.sum(t[0] * w)))
  np.testing.assert_allclose(grad(g)(np.ones(2)), w)


def test_rule_errors_are_clear():
  @custom_jvp
  def f(x):
    return x
  with pytest.raises(AttributeError, match="No JVP defined"):
    f(1.0)
  with pytest.raises(TypeError, match="defjvp expected a callable value as the JVP rule"):
    custom_jvp(lambda fn, x: fn(x)).defjvp(None)
  with pytest.raises(TypeError, match="nondiff_argnums"):
    h = custom_jvp(lambda fn, x: fn(x))
    h.defjvp(lambda p, t: p)
    h(vnp.sin, 1.0)
  f.defjvp(lambda p, t: (p[0], np.ones(3)))
  with pytest.raises(TypeError, match="tangent output 0 has shape"):
    grad(f)(1.0)

  @custom_vjp
  def g(x, y):
    return x * y
  g.defvjp(lambda x, y: (x * y, None), lambda _, ct: (ct,))
  with pytest.raises(TypeError, match="one cotangent per argument"):
    grad(g)(1.0, 2.0)


def test_make_jaxpr_shows_the_custom_call():
  text = str(make_jaxpr(log1pexp)(1.0))
  assert text.startswith("{ lambda ; a:f64[]. let\n    b:f64[] = custom_jvp_call[call_jaxpr=")
  assert "jvp=_log1pexp_jvp" in text
  backward = make_jaxpr(grad(log1pexp))(1.0)
  typecheck_jaxpr(backward.jaxpr)
  # the primal comes from the rule's call of log1pexp, the derivative from the rule's formula
  assert [e.prim.name for e in backward.eqns] == ["custom_jvp_call", "exp", "add", "div", "sub",
                                                  "mul"]


def test_closures_over_batched_or_differentiated_values_raise():
  def make(a):
    @custom_vjp
    def f(x):
      return x * a
    f.defvjp(lambda x: (x * a, None), lambda _, g: (g * a,))
    return f
  with pytest.raises(TypeError, match="closes over a value"):
    grad(lambda a: make(a)(2.0) * 1.0 + make(a)(a))(1.0)
  with pytest.raises(NotImplementedError, match="pass the value as an argument"):
    vmap(lambda a, x: make(a)(x))(np.ones(2), np.ones(2))
  assert float(grad(make(3.0))(2.0)) == 3.0  # closing over constants is fine


def test_custom_vjp_with_jacobians_and_linear_transpose():
  @custom_vjp
  def f(x):
    return vnp.sin(x)
  f.defvjp(lambda x: (vnp.sin(x), vnp.cos(x)), lambda c, g: (3.0 * c * g,))
  x = np.array([0.1, 0.5, 0.9])
  np.testing.assert_allclose(vjpkit.jacrev(f)(x), np.diag(3 * np.cos(x)))
  np.testing.assert_allclose(vjpkit.hessian(lambda x: vnp.sum(f(x)))(x), np.diag(-3 * np.sin(x)))
  _, f_lin = vjpkit.linearize(f, x)  # its tangent map can be transposed, not evaluated
  np.testing.assert_allclose(vjpkit.linear_transpose(f_lin, x)(np.ones(3))[0], 3 * np.cos(x))
  cts = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
  (batched,) = vjpkit.linear_transpose(vmap(f_lin), np.zeros((2, 3)))(cts)
  np.testing.assert_allclose(batched, cts * 3 * np.cos(x))
  with pytest.raises(TypeError, match="forward-mode"):
    f_lin(x)
  with pytest.raises(TypeError, match="forward-mode"):
    vjpkit.jacfwd(f)(x)
