"""``grad``/``value_and_grad`` of one array or scalar argument (no aux) take a fast path
(``vjpkit/api.py``, ``_grad_of_leaf``) with none of the pytree work. It must give what
the general path gives (reached here with ``argnums=(0,)``), bit for bit, with the same
result types, the same aliasing guarantees and the same errors."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vjpkit
import vjpkit.numpy as vnp


def chain(x):
  xx = x * x
  return vnp.sin(x) * x + vnp.exp(x) / 2 + vnp.tanh(xx) - vnp.log(1 + xx) * vnp.cos(x)


def chain_grad(x):
  x = np.float64(x)
  s, c, e, xx = np.sin(x), np.cos(x), np.exp(x), x * x
  t = np.tanh(xx)
  return s + c * x + e / 2 + 2 * x * (1 - t * t - c / (1 + xx)) + np.log(1 + xx) * s


V = np.array([0.3, -1.2, 2.0])
ARRAY_FUNCTIONS = {
    "sum of squares": lambda x: vnp.sum(x * x),
    "tanh of a product": lambda x: vnp.sum(vnp.tanh(np.outer(V, V) @ x + 1.0)),
    "division": lambda x: vnp.sum(V / (x * x + 1.0)),
    "fan-out": lambda x: vnp.sum(x * V) * vnp.sum(x) + vnp.max(x),
}


def general(fun, **kw):
  """The general path: the same gradient, through argnums=(0,)."""
  vg = vjpkit.value_and_grad(fun, argnums=(0,), **kw)

  def f(*args, **kwargs):
    v, (g,) = vg(*args, **kwargs)
    return v, g
  return f


def same(a, b):
  assert type(a) is type(b), (type(a), type(b))
  assert np.shape(a) == np.shape(b) and np.result_type(a) == np.result_type(b)
  np.testing.assert_array_equal(a, b)


@given(st.floats(-3, 3))
def test_scalar_chain_matches_closed_form_and_general_path(x):
  for arg in (np.float64(x), float(x), np.array(x)):
    g = vjpkit.grad(chain)(arg)
    np.testing.assert_allclose(g, chain_grad(x), rtol=1e-12, atol=1e-12)
    v, g2 = vjpkit.value_and_grad(chain)(arg)
    same(g2, g)
    v_ref, g_ref = general(chain)(arg)
    same(v, v_ref)
    same(g, g_ref)
    assert type(g) is np.float64


@pytest.mark.parametrize("name", ARRAY_FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_arrays_match_general_path(name, dtype):
  fun = ARRAY_FUNCTIONS[name]
  x = np.array([0.5, -0.25, 1.5], dtype)
  v, g = vjpkit.value_and_grad(fun)(x)
  v_ref, g_ref = general(fun)(x)
  same(v, v_ref)
  same(g, g_ref)
  assert g.dtype == dtype
  same(vjpkit.grad(fun)(x), g)


def test_float32_scalar_stays_float32():
  g = vjpkit.grad(lambda x: x * x * 3.0)(np.float32(2.0))
  assert type(g) is np.float32 and g == 12.0


def test_other_arguments_kwargs_and_negative_argnums():
  def f(a, x, b, *, scale):
    return vnp.sum(a * x ** 2 + b) * scale
  a = np.array([1.0, 2.0])
  x = np.array([3.0, -1.0])
  g = vjpkit.grad(f, argnums=1)(a, x, 5.0, scale=2.0)
  np.testing.assert_array_equal(g, 4.0 * a * x)
  same(vjpkit.grad(f, argnums=-2)(a, x, 5.0, scale=2.0), g)
  same(vjpkit.grad(f, argnums=2)(a, x, 5.0, scale=2.0), np.float64(4.0))


def test_second_and_third_derivatives():
  d1 = vjpkit.grad(vnp.sin)
  d2 = vjpkit.grad(d1)
  d3 = vjpkit.grad(d2)
  for x in (np.float64(0.3), 0.3):
    np.testing.assert_allclose([d1(x), d2(x), d3(x)],
                               [np.cos(0.3), -np.sin(0.3), -np.cos(0.3)], rtol=1e-14)


def test_under_jit_and_vmap():
  g = vjpkit.grad(chain)
  xs = np.array([0.1, 0.7, -2.0])
  np.testing.assert_allclose(vjpkit.vmap(g)(xs), [chain_grad(x) for x in xs], rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(g)(0.7), chain_grad(0.7), rtol=1e-12)


def test_zero_gradients():
  same(vjpkit.grad(lambda x: 1.0)(np.float64(2.0)), np.float64(0.0))
  same(vjpkit.grad(lambda x: vnp.sum(V))(np.ones(2)), np.zeros(2))
  same(vjpkit.value_and_grad(lambda x: 1.5)(2.0)[0], np.float64(1.5))


def test_results_do_not_share_memory():
  x = np.array([1.0, 2.0])
  for fun in (lambda x: vnp.sum(x), lambda x: vnp.sum(x * V[:2]), lambda x: vnp.vdot(V[:2], x)):
    v, g = vjpkit.value_and_grad(fun)(x)
    assert not np.shares_memory(g, x) and not np.shares_memory(g, V)
    g += 1.0  # writable, and writing changes nothing else
  np.testing.assert_array_equal(x, [1.0, 2.0])
  np.testing.assert_array_equal(V, [0.3, -1.2, 2.0])
  w = np.array([1.0, 2.0])
  v, g = vjpkit.value_and_grad(lambda x: vnp.sum(x * w))(np.ones(2))
  assert not np.shares_memory(g, w)


def test_complex_inputs():
  same(vjpkit.grad(lambda z: vnp.abs(z) ** 2)(np.complex128(3 + 4j)), np.complex128(6 - 8j))
  same(vjpkit.grad(lambda z: z ** 2, holomorphic=True)(np.complex128(3 + 4j)),
       np.complex128(6 + 8j))


@pytest.mark.parametrize("fun, arg, error, match", [
    (lambda x: x * 2, np.int64(3), TypeError, "integer or boolean dtype int64"),
    (lambda x: x * 2, np.array([1, 2]), TypeError, "integer or boolean dtype int64"),
    (lambda x: x, np.array(["a"], object), TypeError, "not supported"),
    (lambda x: x * 2.0, np.ones(3), TypeError, "scalar output"),
    (lambda x: (x, x), 1.0, TypeError, "single scalar"),
    (lambda x: [x], 1.0, TypeError, "single scalar"),
    (lambda x: x * 1j, 1.0, TypeError, "real-valued outputs"),
    (lambda x: "nope", 1.0, TypeError, "not an array"),
])
def test_errors_match_general_path(fun, arg, error, match):
  with pytest.raises(error, match=match) as fast:
    vjpkit.grad(fun)(arg)
  with pytest.raises(error) as slow:
    vjpkit.grad(fun, argnums=(0,))(arg)
  assert str(fast.value) == str(slow.value)


def test_holomorphic_needs_complex_input():
  with pytest.raises(TypeError, match="holomorphic=True requires inputs with complex dtype"):
    vjpkit.grad(lambda z: z * z, holomorphic=True)(np.float64(1.0))


def test_grad_keeps_metadata():
  def loss(x):
    """A loss."""
    return x * x
  assert vjpkit.grad(loss).__name__ == "loss"
  assert vjpkit.value_and_grad(loss).__doc__ == "A loss."


def test_float64_division_keeps_numpy_semantics():
  # div's impl takes NumPy's scalar path for two float64 scalars: same values and warnings
  for x, y in [(1.0, 0.0), (-1.0, 0.0), (0.0, 0.0)]:
    with pytest.warns(RuntimeWarning):
      got = vnp.true_divide(np.float64(x), np.float64(y))
    with np.errstate(all="ignore"):
      want = np.true_divide(np.array(x), np.array(y))[()]
    np.testing.assert_equal(got, want)
    assert type(got) is np.float64
  same(vnp.true_divide(np.float64(1.0), np.float64(3.0)), np.float64(1.0) / np.float64(3.0))
  same(vjpkit.grad(lambda x: 1.0 / x)(np.float64(4.0)), np.float64(-1.0 / 16.0))


def test_backward_sums_like_add_any():
  # backward_pass sums concrete cotangents with add_any's impl directly
  from vjpkit.lax.elementwise import add_any_p
  assert add_any_p.impl is np.add
  x = np.array([0.5, 2.0], np.float32)
  g = vjpkit.grad(lambda x: vnp.sum(x * x + vnp.sin(x) * x))(x)
  assert g.dtype == np.float32
  np.testing.assert_allclose(g, 2 * x + np.cos(x) * x + np.sin(x), rtol=1e-6)
