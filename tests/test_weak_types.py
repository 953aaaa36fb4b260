"""Weak types: a Python-scalar argument of a transform promotes like the Python scalar.

Eagerly, ``vnp.add(float32_array, 2.0)`` is float32 (NumPy 2, NEP 50: Python scalars
are weak). A transform's tracer for the argument ``2.0`` has ``weak_type=True`` so the
transformed function computes the same dtypes. Only arguments are weak: results of
operations are strong, as eager results (NumPy values) are. The gradient with respect
to a Python float is float64, the dtype of a Python float, under every transform.
"""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.core.avals import ShapedArray

A32 = np.ones(3, np.float32)


def _sum_scaled(s):
  return vnp.sum(A32 * s)


# -- the reported cases, under every transform ------------------------------------

def test_jit_add_python_float_keeps_float32():
  assert vnp.add(A32, 2.0).dtype == np.float32
  assert vjpkit.jit(vnp.add)(A32, 2.0).dtype == np.float32
  assert vjpkit.jit(vnp.add)(2.0, A32).dtype == np.float32


def test_jit_multiply_numpy_scalar_and_python_float():
  out = vjpkit.jit(vnp.multiply)(np.float32(1), 3.0)
  assert out.dtype == np.float32 and out == 3
  assert np.multiply(np.float32(1), 3.0).dtype == np.float32


def test_value_and_grad_of_python_float():
  v, g = vjpkit.value_and_grad(_sum_scaled)(2.0)
  assert v.dtype == np.float32 and v == 6
  assert g.dtype == np.float64 and g == 3  # the cotangent of a Python float (float64)
  assert vjpkit.grad(_sum_scaled)(2.0).dtype == np.float64


def test_grad_under_jit_and_jit_under_grad_agree_with_eager():
  eager = vjpkit.value_and_grad(_sum_scaled)(2.0)
  for f in (vjpkit.jit(vjpkit.value_and_grad(_sum_scaled)),
            vjpkit.value_and_grad(vjpkit.jit(_sum_scaled))):
    v, g = f(2.0)
    assert (v.dtype, g.dtype) == (eager[0].dtype, eager[1].dtype)
    assert (v, g) == eager


def test_jvp_of_python_float():
  y, t = vjpkit.jvp(lambda s: A32 * s, (2.0,), (1.0,))
  assert y.dtype == np.float32 and t.dtype == np.float32
  np.testing.assert_array_equal(y, 2 * A32)
  np.testing.assert_array_equal(t, A32)


def test_vjp_and_linearize_of_python_float():
  y, f_vjp = vjpkit.vjp(lambda s: A32 * s, 2.0)
  assert y.dtype == np.float32
  (ct,) = f_vjp(np.ones(3, np.float32))
  assert ct.dtype == np.float64 and ct == 3
  y, f_jvp = vjpkit.linearize(lambda s: A32 * s, 2.0)
  assert y.dtype == np.float32 and f_jvp(1.0).dtype == np.float32


def test_make_jaxpr_records_a_weak_argument_and_the_conversion():
  closed = vjpkit.make_jaxpr(lambda a, s: a * s)(A32, 2.0)
  assert str(closed) == (
      "{ lambda ; a:f32[3] b:f64[]. let\n"
      "    c:f32[] = convert_element_type[new_dtype=float32] b\n"
      "    d:f32[3] = mul a c\n"
      "  in (d,) }")
  # printed like JAX: str_short hides the flag, repr shows it
  assert [a.weak_type for a in closed.in_avals] == [False, True]
  assert repr(closed.in_avals[1]) == "ShapedArray(f64[], weak_type=True)"


def test_make_jaxpr_numpy_scalar_argument_is_strong():
  closed = vjpkit.make_jaxpr(lambda a, s: a * s)(A32, np.float64(2.0))
  assert closed.out_avals[0].dtype == np.float64
  assert not closed.in_avals[1].weak_type


def test_vmap_in_axes_none_and_mapped_jit():
  a = np.ones((2, 3), np.float32)
  assert vjpkit.vmap(lambda x, s: x * s, in_axes=(0, None))(a, 2.0).dtype == np.float32
  f = vjpkit.vmap(vjpkit.jit(lambda x, s: x * s), in_axes=(0, None))
  assert f(a, 2.0).dtype == np.float32


def test_nested_jit():
  inner = vjpkit.jit(lambda a, s: a * s)
  assert vjpkit.jit(lambda s: inner(A32, s))(2.0).dtype == np.float32
  assert vjpkit.jit(lambda a, s: inner(a, s))(A32, 2.0).dtype == np.float32
  # a strong float64 tracer reaching the same inner jit is another signature
  assert vjpkit.jit(lambda s: inner(A32, vnp.asarray(s)))(2.0).dtype == np.float64
  assert vjpkit.jit(lambda s: inner(A32, s))(np.float64(2.0)).dtype == np.float64


def test_jit_cache_distinguishes_weak_from_strong():
  f = vjpkit.jit(vnp.multiply)
  assert f(A32, 2.0).dtype == np.float32
  assert f(A32, np.float64(2.0)).dtype == np.float64
  assert f(A32, np.array(2.0)).dtype == np.float64
  assert f(A32, 3.0).dtype == np.float32


# -- what stays weak: Python arithmetic on weak values; vnp functions give strong results

def _agree_with_eager(f, *args):
  eager = f(*args)
  assert vjpkit.jit(f)(*args).dtype == eager.dtype
  assert vjpkit.jvp(f, args, args)[0].dtype == eager.dtype
  assert vjpkit.value_and_grad(lambda *xs: vnp.sum(f(*xs)))(*args)[0].dtype == eager.dtype
  assert vjpkit.make_jaxpr(f)(*args).out_avals[0].dtype == eager.dtype
  return eager


@pytest.mark.parametrize("g", [
    lambda s: vnp.multiply(s, s), lambda s: vnp.negative(s), lambda s: vnp.asarray(s),
    lambda s: vnp.positive(s), lambda s: vnp.sin(s), lambda s: vnp.reshape(s, (1,)),
    lambda s: vnp.add(s, 1), lambda s: vjpkit.jit(lambda t: t)(s),
    lambda s: lax.stop_gradient(vnp.asarray(s)), lambda s: vnp.asarray(s) * 2.0],
    ids=["multiply", "negative", "asarray", "positive", "sin", "reshape", "add", "jit_identity",
         "stop_gradient", "asarray_times_2"])
def test_results_of_vnp_functions_are_strong_as_in_eager(g):
  eager = _agree_with_eager(lambda s: A32 * g(s), 2.0)
  assert eager.dtype == np.float64  # NumPy functions return np.float64: not weak


@pytest.mark.parametrize("g", [
    lambda s: s, lambda s: s * s, lambda s: -s, lambda s: +s, lambda s: 1 - s,
    lambda s: s ** 2, lambda s: 2 ** s, lambda s: s / 3, lambda s: 2 * s, lambda s: abs(-s),
    lambda s: s // 1, lambda s: s % 1.5, lambda s: divmod(s, 1.5)[1], lambda s: (s + 1) * s],
    ids=["identity", "square", "neg", "pos", "rsub", "pow", "rpow", "div", "rmul", "abs",
         "floordiv", "mod", "divmod", "chain"])
def test_python_arithmetic_on_weak_values_stays_weak_as_in_eager(g):
  eager = _agree_with_eager(lambda s: A32 * g(s), 2.0)
  assert eager.dtype == np.float32  # Python arithmetic on a Python float: a Python float


def test_python_arithmetic_on_two_weak_arguments():
  assert _agree_with_eager(lambda s, t: A32 * (s * t - s), 2.0, 3.0).dtype == np.float32
  i8 = np.arange(3, dtype=np.int8)
  f = vjpkit.jit(lambda n, m: i8 * (n * m + 1))
  assert f(2, 3).dtype == (i8 * (2 * 3 + 1)).dtype == np.int8
  f = vjpkit.jit(lambda n, m: A32 * (n / m))  # int / int: a Python float
  assert f(2, 3).dtype == np.float32
  f = vjpkit.jit(lambda n, s: i8 * (n * s))  # int * float: a Python float
  assert f(2, 3.0).dtype == (i8 * (2 * 3.0)).dtype == np.float64


def test_python_arithmetic_with_a_strong_value_is_strong():
  f = lambda s: A32 * (s * np.float64(2.0))  # noqa: E731
  assert _agree_with_eager(f, 2.0).dtype == np.float64


def test_weak_values_under_vmap():
  a = np.ones((2, 3), np.float32)
  f = vjpkit.vmap(lambda x, s: x * (1 - s), in_axes=(0, None))
  assert f(a, 0.5).dtype == np.float32
  g = vjpkit.jit(lambda s: vjpkit.vmap(lambda x: x * (s * s))(a))
  assert g(0.5).dtype == np.float32


def test_python_int_argument_with_int8_and_float_arrays():
  i8 = np.arange(3, dtype=np.int8)
  assert vjpkit.jit(vnp.add)(i8, 3).dtype == np.int8
  assert vjpkit.jit(vnp.add)(i8, 3.0).dtype == np.float64
  assert vjpkit.jit(vnp.add)(A32, 3).dtype == np.float32
  assert vjpkit.jit(vnp.add)(3, 2.0).dtype == np.float64


def test_python_bool_is_not_weak():
  assert vjpkit.jit(vnp.add)(np.int8(1), True).dtype == vnp.add(np.int8(1), True).dtype


def test_control_flow_with_a_weak_carry():
  def f(s):
    return lax.fori_loop(0, 3, lambda i, c: c * 2.0, s)
  assert vjpkit.jit(f)(1.0) == f(1.0) == 8.0
  assert vjpkit.grad(f)(1.0) == 8.0


def test_weak_type_does_not_change_aval_equality():
  weak, strong = ShapedArray((), np.float64, weak_type=True), ShapedArray((), np.float64)
  assert weak == strong and hash(weak) == hash(strong)
  assert weak.strong() == strong and not weak.strong().weak_type
  assert not weak.update(shape=(2,)).weak_type


# -- jit equals eager for every binary ufunc ------------------------------------------

_BINARY = [n for n in dir(vnp) if isinstance(getattr(np, n, None), np.ufunc)
           and getattr(np, n).nin == 2 and n != "matmul"]

_PAIRS = {
    "f32_array_py_float": (np.array([0.5, 1.5, -2.0], np.float32), 2.0),
    "i8_array_py_int": (np.array([1, 5, -3], np.int8), 3),
    "f32_scalar_py_float": (np.float32(1.5), 2.0),
    "py_int_py_float": (3, 2.0),
}


def _eager_or_error(f, args):
  with np.errstate(all="ignore"):
    try:
      return f(*args), None
    except Exception as e:  # noqa: BLE001 - the same error is expected from jit
      return None, type(e)


@pytest.mark.parametrize("pair", list(_PAIRS))
@pytest.mark.parametrize("name", _BINARY)
def test_jit_equals_eager_binary_ufuncs(name, pair):
  f = getattr(vnp, name)
  x, y = _PAIRS[pair]
  for args in ((x, y), (y, x)):
    eager, err = _eager_or_error(f, args)
    if err is not None:
      with pytest.raises(err):
        vjpkit.jit(f)(*args)
      continue
    with np.errstate(all="ignore"):
      out = vjpkit.jit(f)(*args)
    for e, o in zip(*(v if isinstance(v, tuple) else (v,) for v in (eager, out))):
      assert np.asarray(o).dtype == np.asarray(e).dtype, (args, e, o)
      np.testing.assert_allclose(np.asarray(o, np.float64), np.asarray(e, np.float64),
                                 rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev", "hessian"])
def test_jacobians_of_python_float_jit_equals_eager(jac):
  f = getattr(vjpkit, jac)(lambda s: vnp.sum(A32 * (s * s)) if jac == "hessian" else A32 * s)
  eager, jitted = f(2.0), vjpkit.jit(f)(2.0)
  assert eager.dtype == jitted.dtype
  np.testing.assert_array_equal(eager, jitted)


def test_python_number_operands_of_cond_and_checkpoint_are_weak():
  # as in JAX: a float32 operand with a Python number stays float32, eagerly and under
  # grad, jit and vmap
  x = np.float32(2.0)
  branches = (lambda a, b: a * b, lambda a, b: a + b)
  assert lax.cond(True, *branches, x, 2.0).dtype == np.float32
  assert vjpkit.jit(lambda x: lax.cond(x > 0, *branches, x, 2.0))(x).dtype == np.float32
  assert vjpkit.grad(lambda x: lax.cond(x > 0, *branches, x, 2.0))(x).dtype == np.float32
  assert vjpkit.vmap(lambda x: lax.cond(x > 0, *branches, x, 2.0))(np.ones(2, np.float32)).dtype == np.float32
  mul = vjpkit.checkpoint(lambda a, b: a * b)
  assert mul(x, 2.0).dtype == np.float32
  assert vjpkit.grad(mul)(x, 2.0).dtype == np.float32
  assert vjpkit.grad(mul, argnums=1)(x, 2.0) == 2.0
  assert lax.cond(True, *branches, 3.0, 2.0) == 6.0  # two Python numbers: float64 as NumPy


def test_python_number_loop_carry_takes_the_body_dtype_as_in_jax():
  x = np.float32(2.0)
  r = lax.fori_loop(0, 3, lambda i, c: c * x, 2.0)
  assert r.dtype == np.float32 and r == 16.0
  assert lax.scan(lambda c, a: (c * a, c), 1.0, np.ones(3, np.float32))[0].dtype == np.float32
  assert lax.while_loop(lambda c: c < 10, lambda c: c * x, 1.0).dtype == np.float32
  assert vjpkit.jit(lambda s: lax.fori_loop(0, 3, lambda i, c: c * x, s))(1.0).dtype == np.float32
  assert vjpkit.jit(lambda s: lax.while_loop(lambda c: c < 10, lambda c: c * x, s))(1.0) == 16.0
  assert vjpkit.grad(lambda y: lax.fori_loop(0, 3, lambda i, c: c * y, 1.0))(x) == 12.0
  assert vjpkit.grad(lambda s: lax.fori_loop(0, 3, lambda i, c: c * x, s))(1.0) == 8.0
  batched = vjpkit.vmap(lambda y: lax.fori_loop(0, 3, lambda i, c: c * y, 1.0))(np.full(2, x))
  assert batched.dtype == np.float32
  assert lax.fori_loop(0, 3, lambda i, c: c * 1.5, 1) == 3.375  # int -> float, as JAX
  with pytest.raises(TypeError, match="changes the type of the carry"):  # strong: an error
    lax.fori_loop(0, 3, lambda i, c: c * np.float64(2.0), x)
