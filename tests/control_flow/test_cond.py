"""cond and switch: the taken branch's value and derivative, abstract predicates, vmap."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit.numpy as vnp
from vjpkit import grad, jvp, lax, make_jaxpr, vjp, vmap
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.testing.check_grads import check_grads


def piecewise(x):
  return lax.cond(x > 0, lambda y: vnp.sin(y) * y, lambda y: y ** 3, x)


def via_program(f, *example):
  """``f`` staged by make_jaxpr (as jit does) and run by eval_jaxpr: the predicate is abstract."""
  closed = make_jaxpr(f)(*example)
  typecheck_jaxpr(closed.jaxpr)
  return lambda *args: eval_jaxpr(closed.jaxpr, closed.consts, list(args))[0]


@pytest.mark.parametrize("x", [1.3, -0.7])
@pytest.mark.parametrize("staged", [False, True])
def test_gradient_is_the_taken_branch(x, staged):
  f = via_program(piecewise, 1.0) if staged else piecewise
  expected = np.sin(x) + x * np.cos(x) if x > 0 else 3 * x ** 2
  np.testing.assert_allclose(f(x), np.sin(x) * x if x > 0 else x ** 3)
  np.testing.assert_allclose(grad(f)(x), expected, rtol=1e-14)
  np.testing.assert_allclose(jvp(f, (x,), (1.0,))[1], expected, rtol=1e-14)
  check_grads(f, (np.asarray(x),), order=2)


def test_staged_cond_prints_both_branches():
  assert str(make_jaxpr(piecewise)(1.0)) == (
      "{ lambda ; a:f64[]. let\n"
      "    b:bool[] = gt a 0.0:f64[]\n"
      "    c:i32[] = convert_element_type[new_dtype=int32] b\n"
      "    d:f64[] = cond[branches=({ lambda ; e:f64[]. let\n"
      "          f:f64[] = integer_pow[y=3] e\n"
      "        in (f,) }, { lambda ; g:f64[]. let\n"
      "          h:f64[] = sin g\n"
      "          i:f64[] = mul h g\n"
      "        in (i,) })] c a\n"
      "  in (d,) }")


def test_abstract_predicate_under_grad_keeps_a_cond():
  """The linear program of a staged cond is a cond over the branches' tangent programs."""
  g = make_jaxpr(grad(via_program(piecewise, 1.0)))(1.0)
  typecheck_jaxpr(g.jaxpr)
  assert [e.prim.name for e in g.eqns].count("cond") == 2  # primal (with residuals) and linear
  for x in [0.4, -0.4]:
    np.testing.assert_allclose(eval_jaxpr(g.jaxpr, g.consts, [x])[0], grad(piecewise)(x))


def test_switch_clamps_and_differentiates():
  branches = [lambda x: x * 2.0, lambda x: vnp.sin(x), lambda x: vnp.exp(x)]
  for i, expected in [(-3, 2.0), (0, 2.0), (1, np.cos(0.5)), (2, np.exp(0.5)), (7, np.exp(0.5))]:
    f = lambda x, i=i: lax.switch(i, branches, x)  # noqa: E731
    np.testing.assert_allclose(grad(f)(0.5), expected)
    staged = make_jaxpr(lambda i, x: lax.switch(i, branches, x))(0, 0.5)
    h = lambda x, i=i: eval_jaxpr(staged.jaxpr, staged.consts, [i, x])[0]  # noqa: E731
    np.testing.assert_allclose(grad(h)(0.5), expected)


def test_pytrees_closures_and_integer_outputs():
  w = np.array([1.0, -2.0])

  def f(p, x):
    return lax.cond(p, lambda a: {"v": a["x"] * w, "n": 1}, lambda a: {"v": a["x"] + w, "n": 2},
                    {"x": x})
  out = f(True, np.ones(2))
  np.testing.assert_array_equal(out["v"], w)
  assert int(out["n"]) == 1
  g = grad(lambda x: vnp.sum(f(False, x)["v"] ** 2))(np.ones(2))
  np.testing.assert_allclose(g, 2 * (1 + w))
  staged = make_jaxpr(f)(True, np.ones(2))
  typecheck_jaxpr(staged.jaxpr)


def test_vmap_batched_predicate_selects():
  xs = np.array([-1.5, -0.2, 0.3, 2.0])
  np.testing.assert_allclose(vmap(piecewise)(xs), [piecewise(x) for x in xs])
  np.testing.assert_allclose(vmap(grad(piecewise))(xs), [grad(piecewise)(x) for x in xs])
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(piecewise)(xs)))(xs),
                             [grad(piecewise)(x) for x in xs])
  closed = make_jaxpr(vmap(piecewise))(xs)
  assert "select_n" in str(closed) and "cond" not in str(closed)


def test_vmap_unbatched_predicate_keeps_cond():
  f = lambda p, x: lax.cond(p, lambda y: vnp.sin(y), lambda y: -y, x)  # noqa: E731
  xs = np.linspace(-1, 1, 3)
  closed = make_jaxpr(vmap(f, (None, 0)))(True, xs)
  assert "cond" in str(closed)
  for p in [True, False]:
    np.testing.assert_allclose(vmap(f, (None, 0))(p, xs), [f(p, x) for x in xs])
    np.testing.assert_allclose(eval_jaxpr(closed.jaxpr, closed.consts, [p, xs])[0],
                               [f(p, x) for x in xs])


def test_switch_batched_index():
  branches = [lambda x: x + 1.0, lambda x: x * 10.0, lambda x: -x]
  idx, xs = np.array([0, 2, 1, 5]), np.array([1.0, 2.0, 3.0, 4.0])
  out = vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs)
  np.testing.assert_allclose(out, [2.0, -2.0, 30.0, -4.0])
  g = vmap(grad(lambda x, i: lax.switch(i, branches, x)))(xs, idx)
  np.testing.assert_allclose(g, [1.0, -1.0, 10.0, -1.0])


def test_nested_cond_and_second_order():
  def f(x):
    return lax.cond(x > 0, lambda y: lax.cond(y > 1, vnp.exp, vnp.sin, y), lambda y: y * y, x)
  staged = via_program(f, 0.5)
  for x in [-0.5, 0.5, 1.5]:
    np.testing.assert_allclose(grad(grad(staged))(x), grad(grad(f))(x), rtol=1e-13)
  np.testing.assert_allclose(grad(grad(f))(0.5), -np.sin(0.5))


def test_vjp_with_partially_known_operands():
  def f(x, y):
    return lax.cond(x[0] > 0, lambda a, b: (a * b, a), lambda a, b: (a + b, b * 2.0), x, y)
  x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
  out, f_vjp = vjp(f, x, y)
  gx, gy = f_vjp((np.ones(2), np.ones(2)))
  np.testing.assert_allclose(gx, y + 1)
  np.testing.assert_allclose(gy, x)


def test_errors():
  with pytest.raises(TypeError, match="same shapes and dtypes"):
    lax.cond(True, lambda x: x, lambda x: vnp.stack([x, x]), 1.0)
  with pytest.raises(TypeError, match="same structure"):
    lax.cond(True, lambda x: (x, x), lambda x: x, 1.0)
  with pytest.raises(TypeError, match="scalar"):
    lax.cond(np.array([True, False]), lambda x: x, lambda x: x, 1.0)
