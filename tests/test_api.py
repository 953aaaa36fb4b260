"""grad, value_and_grad, vjp, jvp, linearize: JAX semantics, pytrees, nesting, errors."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, jvp, linearize, value_and_grad, vjp


def test_grad_matches_closed_form():
  x = np.linspace(-1, 1, 5)
  np.testing.assert_allclose(grad(lambda x: vnp.sum(vnp.sin(x)))(x), np.cos(x))


def test_argnums_tuple_and_has_aux():
  f = lambda a, b: (vnp.sum(a * b), {"aux": a + 1})  # noqa: E731
  (ga, gb), aux = grad(f, argnums=(0, 1), has_aux=True)(np.ones(2), np.full(2, 3.0))
  np.testing.assert_allclose(ga, [3, 3])
  np.testing.assert_allclose(gb, [1, 1])
  np.testing.assert_allclose(aux["aux"], [2, 2])
  (v, aux), g = value_and_grad(f, has_aux=True)(np.ones(2), np.full(2, 3.0))
  assert float(v) == 6.0 and g.shape == (2,)


def test_pytree_gradients():
  Params = collections.namedtuple("Params", "w b")
  p = {"layer": [Params(np.ones(3), 2.0)], "scale": np.float64(3.0)}

  def loss(p):
    q = p["layer"][0]
    return p["scale"] * vnp.sum(q.w * q.b)
  g = grad(loss)(p)
  assert isinstance(g["layer"][0], Params)
  np.testing.assert_allclose(g["layer"][0].w, [6, 6, 6])
  np.testing.assert_allclose(g["layer"][0].b, 9.0)
  np.testing.assert_allclose(g["scale"], 6.0)


def test_nested_grad_no_perturbation_confusion():
  assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(2.0) == 1.0
  # d/dx [x * d/dy (x*y)] = d/dx x^2 = 2x
  assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0


def test_higher_order():
  f = lambda x: vnp.sin(x) * x  # noqa: E731
  x = 0.7
  d2 = grad(grad(f))(x)
  np.testing.assert_allclose(d2, 2 * np.cos(x) - x * np.sin(x))
  _, d2_fwd = jvp(grad(f), (x,), (1.0,))
  np.testing.assert_allclose(d2_fwd, d2)
  np.testing.assert_allclose(grad(grad(grad(vnp.exp)))(0.3), np.exp(0.3))


def test_python_control_flow_under_grad():
  def f(x):
    total = 0.0
    while x > 0.5:
      x = x * 0.5
      total = total + x
    return total if x < 10 else -total  # comparisons work; float(x) would drop x's derivative
  np.testing.assert_allclose(grad(f)(3.0), 0.5 + 0.25 + 0.125)


def test_fan_out_sums_cotangents():
  # x is used by three children: y1 = x², y2 = sin x, y3 = 3x
  f = lambda x: x * x + vnp.sin(x) + 3 * x  # noqa: E731
  np.testing.assert_allclose(grad(f)(0.4), 2 * 0.4 + np.cos(0.4) + 3)


def test_vjp_and_jvp_agree():
  rng = np.random.default_rng(0)
  W, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
  f = lambda x: vnp.tanh(W @ x)  # noqa: E731
  u, v = rng.standard_normal(3), rng.standard_normal(4)
  _, f_vjp = vjp(f, x)
  _, jv = jvp(f, (x,), (v,))
  np.testing.assert_allclose(np.dot(u, jv), np.dot(f_vjp(u)[0], v))


def test_linearize_reuses_primal():
  y, f_jvp = linearize(lambda x: vnp.exp(x) * 2, np.array([0.0, 1.0]))
  np.testing.assert_allclose(y, [2, 2 * np.e])
  np.testing.assert_allclose(f_jvp(np.array([1.0, 1.0])), [2, 2 * np.e])


def test_stop_gradient():
  assert grad(lambda x: vjpkit.stop_gradient(x) * x)(3.0) == 3.0


def test_gradient_independent_of_input_is_zero():
  g = grad(lambda x, y: vnp.sum(y * 2.0), argnums=0)(np.ones(3), np.ones(3))
  np.testing.assert_array_equal(g, np.zeros(3))
  assert g.flags.writeable  # an ordinary array


def test_inputs_not_mutated():
  x = np.array([1.0, 2.0])
  before = x.copy()
  grad(lambda x: vnp.sum(x * x))(x)
  vjp(lambda x: x * 3, x)[1](np.ones(2))
  np.testing.assert_array_equal(x, before)


def test_float32_stays_float32():
  x = np.ones(3, np.float32)
  g = grad(lambda x: vnp.sum(x * 2.0))(x)
  assert g.dtype == np.float32
  assert grad(lambda x: vnp.sum(x * x))(np.ones(2)).dtype == np.float64


def test_results_are_numpy():
  g = grad(lambda x: vnp.sum(x))(np.ones(2))
  assert type(g) is np.ndarray and g.flags.writeable


# -- errors ---------------------------------------------------------------------------

def test_grad_of_nonscalar_output():
  with pytest.raises(TypeError, match=r"scalar output.*shape \(3,\).*vjp.*jacrev"):
    grad(lambda x: x * 2)(np.ones(3))


def test_grad_wrt_integer():
  with pytest.raises(TypeError, match=r"argument 0 has integer.*int64.*float"):
    grad(lambda x: x * 2)(3)


def test_bad_cotangent_shape():
  _, f_vjp = vjp(lambda x: x * 2, np.ones(3))
  with pytest.raises(ValueError, match=r"cotangent 0 has shape/dtype f64\[2\].*f64\[3\]"):
    f_vjp(np.ones(2))
  with pytest.raises(ValueError, match="structure"):
    f_vjp((np.ones(3), np.ones(3)))


def test_non_array_leaf():
  with pytest.raises(TypeError, match=r"type 'str'.*register_pytree_node"):
    grad(lambda x: x)("hello")

  class Opaque:
    pass
  with pytest.raises(TypeError, match="'Opaque'"):
    vjp(lambda x: x, Opaque())


def test_setitem_on_tracer_points_to_at():
  def f(x):
    x[0] = 1.0
    return x.sum()
  with pytest.raises(TypeError, match=r"x.at\[idx\].set"):
    grad(f)(np.ones(3))


def test_tracer_leak_is_reported():
  leaked = []

  def f(x):
    leaked.append(x)
    return x * 2
  grad(f)(1.0)
  with pytest.raises(vjpkit.UnexpectedTracerError, match="leak"):
    vnp.sin(leaked[0])


def test_converting_tracer_to_numpy_is_an_error():
  with pytest.raises(TypeError, match="converted to a NumPy array"):
    grad(lambda x: np.asarray(x).sum())(np.ones(2))


def test_jvp_mismatched_tangent():
  with pytest.raises(ValueError, match=r"tangent 0 has shape/dtype f64\[2\]"):
    jvp(vnp.sin, (np.ones(3),), (np.ones(2),))


def test_argnums_out_of_range():
  with pytest.raises(TypeError, match="argnums"):  # TypeError, as in JAX
    grad(lambda x: x, argnums=2)(1.0)
