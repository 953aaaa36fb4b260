"""Issue 11, "no silent wrong numbers": every result is right or a clear error.

Hazards covered here: non-callables given to transforms, bad ``argnums``, jit's
static-argument checks, Python-number conversions of differentiated values, and results
that share memory with the caller's arrays (inputs, tangents, cotangents, constants).
"""
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
