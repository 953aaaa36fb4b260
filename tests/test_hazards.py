"""Issue 11, "no silent wrong numbers": every result is right or a clear error.

Hazards covered here: non-callables given to transforms, bad ``argnums``, jit's
static-argument checks, Python-number conversions of differentiated values, and results
that share memory with the caller's arrays (inputs, tangents, cotangents, constants).
"""
import math

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax


# -- non-callables -------------------------------------------------------------------------

_NOT_CALLABLE = [
    ("grad", lambda f: vjpkit.grad(f)),
    ("value_and_grad", lambda f: vjpkit.value_and_grad(f)),
    ("vjp", lambda f: vjpkit.vjp(f, 1.0)),
    ("jvp", lambda f: vjpkit.jvp(f, (1.0,), (1.0,))),
    ("linearize", lambda f: vjpkit.linearize(f, 1.0)),
    ("linear_transpose", lambda f: vjpkit.linear_transpose(f, 1.0)),
    ("make_jaxpr", lambda f: vjpkit.make_jaxpr(f)),
    ("vmap", lambda f: vjpkit.vmap(f)),
    ("jit", lambda f: vjpkit.jit(f)),
    ("checkpoint", lambda f: vjpkit.checkpoint(f)),
    ("custom_jvp", lambda f: vjpkit.custom_jvp(f)),
    ("custom_vjp", lambda f: vjpkit.custom_vjp(f)),
    ("jacfwd", lambda f: vjpkit.jacfwd(f)),
    ("jacrev", lambda f: vjpkit.jacrev(f)),
    ("hessian", lambda f: vjpkit.hessian(f)),
]


@pytest.mark.parametrize("who,make", _NOT_CALLABLE, ids=[w for w, _ in _NOT_CALLABLE])
def test_non_callable_is_rejected_at_once(who, make):
  with pytest.raises(TypeError, match=rf"^{who} expected a callable value .*got 3 \(of type int\)"):
    make(3)


def test_non_callable_message_describes_arrays_by_shape():
  with pytest.raises(TypeError, match=r"got an array of shape \(3,\) and dtype float64\. "
                                      r"Pass the function itself"):
    vjpkit.grad(np.ones(3))


_NOT_CALLABLE_ARGS = [
    ("cond", "true_fun", lambda: lax.cond(True, 3, abs, 1.0)),
    ("cond", "false_fun", lambda: lax.cond(True, abs, 3, 1.0)),
    ("switch", "branch 1", lambda: lax.switch(0, [abs, 3], 1.0)),
    ("while_loop", "cond_fun", lambda: lax.while_loop(3, abs, 1.0)),
    ("while_loop", "body_fun", lambda: lax.while_loop(abs, 3, 1.0)),
    ("fori_loop", "body_fun", lambda: lax.fori_loop(0, 1, 3, 1.0)),
    ("scan", "the body function f", lambda: lax.scan(3, 1.0, None, length=2)),
    ("map", "the function f", lambda: lax.map(3, np.ones(2))),
    ("custom_jvp.defjvp", "the JVP rule", lambda: vjpkit.custom_jvp(abs).defjvp(3)),
    ("custom_vjp.defvjp", "bwd", lambda: vjpkit.custom_vjp(abs).defvjp(abs, 3)),
]


@pytest.mark.parametrize("who,what,call", _NOT_CALLABLE_ARGS,
                         ids=[f"{w}-{a}" for w, a, _ in _NOT_CALLABLE_ARGS])
def test_non_callable_control_flow_arguments(who, what, call):
  with pytest.raises(TypeError, match=rf"^{who} expected a callable value as {what}, got 3"):
    call()


def test_switch_needs_a_sequence_of_branches():
  with pytest.raises(TypeError, match="switch expected a sequence of callables as branches"):
    lax.switch(0, abs, 1.0)


# -- argnums --------------------------------------------------------------------------------

def _sum_sq(x):
  return vnp.sum(x * x)


def _dot(x, y):
  return vnp.sum(x * y)


_ARGNUMS_TRANSFORMS = {"grad": vjpkit.grad, "value_and_grad": vjpkit.value_and_grad,
                       "jacfwd": vjpkit.jacfwd, "jacrev": vjpkit.jacrev,
                       "hessian": vjpkit.hessian}


@pytest.mark.parametrize("who", sorted(_ARGNUMS_TRANSFORMS))
def test_repeated_argnums_raise_when_the_transform_is_created(who):
  # was: (zeros, 2x), the first cotangent silently lost
  with pytest.raises(ValueError, match=rf"^{who}: argnums=\(0, 0\) repeats position 0"):
    _ARGNUMS_TRANSFORMS[who](_sum_sq, argnums=(0, 0))


@pytest.mark.parametrize("who", sorted(_ARGNUMS_TRANSFORMS))
def test_argnums_repeated_through_a_negative_position_raise_at_the_call(who):
  f = _ARGNUMS_TRANSFORMS[who](_dot, argnums=(1, -1))
  with pytest.raises(ValueError, match=rf"^{who}: argnums=\(1, -1\) refers to positional "
                                       r"argument 1 twice"):
    f(np.ones(2), np.ones(2))


@pytest.mark.parametrize("who", sorted(_ARGNUMS_TRANSFORMS))
@pytest.mark.parametrize("bad", ["x", 0.5, None, (0, "y"), True])
def test_argnums_of_the_wrong_type_raise_a_type_error(who, bad):
  with pytest.raises(TypeError, match=rf"^{who}: argnums must be an int or a tuple of ints"):
    _ARGNUMS_TRANSFORMS[who](_dot, argnums=bad)


def test_a_boolean_argnums_suggests_has_aux():
  with pytest.raises(TypeError, match=r"did you mean has_aux=True\?"):
    vjpkit.grad(_sum_sq, True)


@pytest.mark.parametrize("argnums,expected", [(np.int64(1), 1.0), ([1], (1.0,)), ((), ())])
def test_numpy_integers_lists_and_empty_argnums_are_accepted(argnums, expected):
  assert vjpkit.grad(_dot, argnums=argnums)(1.0, 2.0) == expected


# -- jit's static arguments ------------------------------------------------------------------

def _two(a, b):
  return a + b


def test_static_argnums_past_the_signature_raise():
  # was: silently ignored (the argument was traced)
  with pytest.raises(ValueError, match=r"^jit: static_argnums=\(3,\) refers to positional "
                                       r"argument 3, but _two takes only 2 positional "
                                       r"argument\(s\) \(a, b\); use a position in \[-2, 1\]"):
    vjpkit.jit(_two, static_argnums=3)
  with pytest.raises(ValueError, match="refers to positional argument -3"):
    vjpkit.jit(_two, static_argnums=(0, -3))
  assert vjpkit.jit(_two, static_argnums=-1)(1.0, 2) == 3.0


def test_unknown_static_argnames_raise():
  with pytest.raises(ValueError, match=r"^jit: static_argnames=\('c',\) names c, which _two "
                                       r"does not take \(its parameters: a, b\)"):
    vjpkit.jit(_two, static_argnames="c")


def test_static_argnames_of_positional_only_parameters_raise():
  def f(a, /, b):
    return a + b
  with pytest.raises(ValueError, match="positional-only parameter"):
    vjpkit.jit(f, static_argnames="a")


def test_varargs_and_varkwargs_accept_any_static_argument():
  def f(*args, **kwargs):
    return args[0]
  assert vjpkit.jit(f, static_argnums=3, static_argnames="anything")(1.0) == 1.0

  def g(a, *, b):
    return a * b
  assert vjpkit.jit(g, static_argnames="b")(2.0, b=3.0) == 6.0
  with pytest.raises(ValueError, match="takes only 1 positional argument"):
    vjpkit.jit(g, static_argnums=1)


@pytest.mark.parametrize("kw,match", [
    (dict(static_argnums="a"), r"^jit: static_argnums must be an int or a tuple of ints"),
    (dict(static_argnums=1.0), r"^jit: static_argnums must be an int or a tuple of ints"),
    (dict(static_argnames=1), r"^jit: static_argnames must be a str or a tuple of strs")])
def test_static_arguments_of_the_wrong_type_raise(kw, match):
  with pytest.raises(TypeError, match=match):
    vjpkit.jit(_two, **kw)


# -- Python numbers from differentiated values ------------------------------------------------

_CONVERSIONS = {
    "float": (lambda x: float(x) * x, r"float\(\)"),
    "item": (lambda x: x.item() * x, r"x\.item\(\)"),
    "tolist": (lambda x: x.tolist() * x, r"x\.tolist\(\)"),
    "complex": (lambda x: complex(x).real * x, r"complex\(\)"),
    "math.exp": (lambda x: math.exp(x) * x, r"math\.\*"),
    "np.float64": (lambda x: np.float64(x) * x, r"numpy\.float64\(x\)"),
    "np.float32": (lambda x: np.float32(x) * x, r"numpy\.float64\(x\)"),
}
_DIFFERENTIATING = {
    "grad": lambda f: vjpkit.grad(f)(2.0),
    "value_and_grad": lambda f: vjpkit.value_and_grad(f)(2.0),
    "jvp": lambda f: vjpkit.jvp(f, (2.0,), (1.0,)),
    "vjp": lambda f: vjpkit.vjp(f, 2.0),
    "linearize": lambda f: vjpkit.linearize(f, 2.0),
    "jacfwd": lambda f: vjpkit.jacfwd(f)(2.0),
    "jacrev": lambda f: vjpkit.jacrev(f)(2.0),
    "hessian": lambda f: vjpkit.hessian(f)(2.0),
    "jit(grad)": lambda f: vjpkit.jit(vjpkit.grad(f))(2.0),
    "vmap(grad)": lambda f: vjpkit.vmap(vjpkit.grad(f))(np.array([2.0, 3.0])),
}


@pytest.mark.parametrize("who", sorted(_DIFFERENTIATING))
@pytest.mark.parametrize("conversion", sorted(_CONVERSIONS))
def test_converting_a_differentiated_value_to_a_number_raises(who, conversion):
  # was: the derivative through the conversion silently dropped (float(x) * x gave 2.0, not 4.0)
  f, what = _CONVERSIONS[conversion]
  with pytest.raises(vjpkit.ConcretizationTypeError, match=what) as info:
    _DIFFERENTIATING[who](f)
  message = str(info.value)
  transform = "jacrev" if who == "hessian" else who.split("(")[-1].rstrip(")")
  assert transform in message and "stop_gradient" in message and "vjpkit.numpy" in message


def test_the_number_conversion_message():
  with pytest.raises(vjpkit.TracerNumberConversionError, match=(
      r"^float\(\) \(or math\.\*, numpy\.float64\) converts a f64\[\] value that grad is "
      r"differentiating to a Python number, which has no derivative: every derivative computed "
      r"from it would be silently wrong\. Compute with vjpkit\.numpy functions")):
    vjpkit.grad(lambda x: float(x) * x)(2.0)


@pytest.mark.parametrize("who", ["grad", "jvp", "vjp", "jacfwd", "jacrev"])
def test_bool_int_index_and_comparisons_keep_working(who):
  def f(x):
    y = x * x if x > 1.0 else x  # comparison and bool()
    scale = [1.0, 2.0, 3.0][int(x)]  # int() and __index__ of an integer value
    k = vnp.argmax(vnp.stack([x, 2 * x]))
    return y * scale + x * float(k) + x * k.item()  # an integer value has no derivative
  expected = (2 * 2.0) * 3.0 + 2.0
  run = {"grad": lambda: vjpkit.grad(f)(2.0), "jvp": lambda: vjpkit.jvp(f, (2.0,), (1.0,))[1],
         "vjp": lambda: vjpkit.vjp(f, 2.0)[1](1.0)[0], "jacfwd": lambda: vjpkit.jacfwd(f)(2.0),
         "jacrev": lambda: vjpkit.jacrev(f)(2.0)}[who]
  np.testing.assert_allclose(run(), expected)


@pytest.mark.parametrize("convert", [float, lambda x: x.item(), lambda x: math.exp(x) / np.e,
                                     lambda x: np.float64(x), lambda x: x.tolist()])
def test_converting_a_stopped_value_is_a_constant(convert):
  assert vjpkit.grad(lambda x: convert(vjpkit.stop_gradient(x)) * x)(1.0) == 1.0
  assert vjpkit.jvp(lambda x: convert(vjpkit.stop_gradient(x)) * x, (1.0,), (1.0,))[1] == 1.0
  # nested: the inner grad's constant that the outer grad differentiates is still an error
  with pytest.raises(vjpkit.TracerNumberConversionError):
    vjpkit.grad(lambda x: vjpkit.grad(lambda y: float(x) * y)(1.0))(2.0)
  assert vjpkit.grad(lambda x: vjpkit.grad(
      lambda y: convert(vjpkit.stop_gradient(x)) * x * y)(1.0))(1.0) == 1.0


def test_an_outer_derivative_is_not_dropped_under_an_inner_vmap():
  def f(x, c):
    return vnp.sum(vjpkit.vmap(lambda y: y * c(x))(np.ones(3)))
  with pytest.raises(vjpkit.TracerNumberConversionError, match="that grad is differentiating"):
    vjpkit.grad(f)(2.0, float)
  assert vjpkit.grad(f)(2.0, lambda x: x * float(vjpkit.stop_gradient(x))) == 3 * 2.0
  # vmap alone: float() of a batched value is impossible, of an unbatched constant fine
  with pytest.raises(vjpkit.ConcretizationTypeError, match="abstract under vmap"):
    vjpkit.vmap(float)(np.ones(3))
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.grad(lambda y: y * float(np.float64(2.0))))(
      np.ones(3)), 2.0)


def test_tolist_of_a_concrete_value_works_under_a_transform():
  assert vjpkit.grad(lambda x: x * len(vjpkit.stop_gradient(x * np.ones(3)).tolist()))(2.0) == 3


# -- results that share memory with the caller's arrays ------------------------------------------

def _arrays(tree):
  return [x for x in vjpkit.tree_util.tree_flatten(tree)[0] if isinstance(x, np.ndarray)]


def _assert_owned(results, protected):
  """No result shares memory with a protected array or another result, every result is
  writable, and writing into the results leaves the protected arrays unchanged."""
  outs, before = _arrays(results), [p.copy() for p in protected]
  for i, o in enumerate(outs):
    for p in protected:
      assert not np.shares_memory(o, p), "a result shares memory with a caller's array"
    for q in outs[:i]:
      assert not np.shares_memory(o, q), "two results share memory"
  for o in outs:
    o[...] = -123.0  # raises if read-only
  for p, b in zip(protected, before):
    np.testing.assert_array_equal(p, b)


# name -> a vjpkit.numpy call on _V, which NumPy answers with a new writable array
_V = np.arange(1.0, 4.0)
_NEW_ARRAYS = {
    "full": lambda v: vnp.full((2, 3), 1.0), "full_like": lambda v: vnp.full_like(v, 2.0),
    "full_like of an array": lambda v: vnp.full_like(v, v), "tile": lambda v: vnp.tile(v, (2, 1)),
    "tile once": lambda v: vnp.tile(v, 1), "repeat": lambda v: vnp.repeat(v, 2),
    "repeat a scalar": lambda v: vnp.repeat(v[0], 3), "array": lambda v: vnp.array(v),
    "copy": lambda v: vnp.copy(v), "meshgrid": lambda v: vnp.meshgrid(v, v),
    "concatenate one": lambda v: vnp.concatenate([v]), "stack one": lambda v: vnp.stack([v]),
    "vstack one": lambda v: vnp.vstack([v]), "hstack one": lambda v: vnp.hstack([v]),
    "roll by 0": lambda v: vnp.roll(v, 0), "conj": lambda v: vnp.conj(v),
    "positive": lambda v: vnp.positive(v), "sum over no axis": lambda v: vnp.sum(v, axis=()),
    "max over no axis": lambda v: vnp.max(v, axis=()),
    "round an int": lambda v: vnp.round(v), "floor an int": lambda v: vnp.floor(v),
    "nan_to_num an int": lambda v: vnp.nan_to_num(v),
}


@pytest.mark.parametrize("name", sorted(_NEW_ARRAYS))
def test_numpy_functions_that_return_new_arrays_do(name):
  v = _V.astype(int) if "an int" in name else _V.copy()
  _assert_owned(_NEW_ARRAYS[name](v), [v])


def test_numpy_views_and_read_only_broadcasts_stay_as_in_numpy():
  v = _V.copy()
  assert np.shares_memory(vnp.reshape(v, (3, 1)), v) and np.shares_memory(v[1:], v)
  assert np.shares_memory(vnp.transpose(v), v) and np.shares_memory(vnp.asarray(v), v)
  assert not vnp.broadcast_to(v, (2, 3)).flags.writeable
  assert not np.broadcast_to(v, (2, 3)).flags.writeable
