"""Issue 11, "no silent wrong numbers": every result is right or a clear error.

Hazards covered here: non-callables given to transforms, bad ``argnums``, jit's
static-argument checks, Python-number conversions of differentiated values, and results
that share memory with the caller's arrays (inputs, tangents, cotangents, constants).
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

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


def _identity_jvp():
  f = vjpkit.custom_jvp(lambda x: x)
  f.defjvp(lambda p, t: (p[0], t[0]))
  return f


def _identity_vjp():
  f = vjpkit.custom_vjp(lambda x: x)
  f.defvjp(lambda x: (x, x), lambda res, g: (g,))
  return f


def _bwd_returns_residual():
  f = vjpkit.custom_vjp(lambda x: x * 2.0)
  f.defvjp(lambda x: (x * 2.0, x), lambda res, g: (res,))  # (not linear, but must not alias)
  return f


_X = np.arange(1.0, 7.0).reshape(2, 3)
_CT = np.full((2, 3), 0.5)
_C = np.full((2, 3), 7.0)  # a closed-over constant

# name -> (function of (x, ct, C) returning the results; the arrays they must not share)
_ALIASING = {
    "vjp identity": lambda x, ct, c: vjpkit.vjp(lambda x: x, x)[0],
    "vjp pullback of x + 1": lambda x, ct, c: vjpkit.vjp(lambda x: x + 1.0, x)[1](ct),
    "vjp pullback of reshape": lambda x, ct, c: vjpkit.vjp(lambda x: vnp.reshape(x, (6,)), x)[1](
        ct.reshape(6)),
    "vjp pullback of two inputs": lambda x, ct, c: vjpkit.vjp(lambda a, b: a + b, x, x * 2)[1](ct),
    "vjp constant output": lambda x, ct, c: vjpkit.vjp(lambda x: (x * 2.0, c, c.T), x)[0],
    "vjp has_aux": lambda x, ct, c: vjpkit.vjp(lambda x: (x * 2.0, (x, c)), x, has_aux=True)[2],
    "jvp identity": lambda x, ct, c: vjpkit.jvp(lambda x: x, (x,), (ct,)),
    "jvp constant output": lambda x, ct, c: vjpkit.jvp(lambda x: (x, c[0]), (x,), (ct,)),
    "linearize identity": lambda x, ct, c: (lambda y, f: (y, f(ct)))(
        *vjpkit.linearize(lambda x: x, x)),
    "linear_transpose identity": lambda x, ct, c: vjpkit.linear_transpose(lambda x: x, x)(ct),
    "linear_transpose of a slice": lambda x, ct, c: vjpkit.linear_transpose(
        lambda x: x[0], x)(ct[0]),
    "grad of a sum of two inputs": lambda x, ct, c: vjpkit.grad(
        lambda a, b: vnp.sum((a + b) * 2.0), argnums=(0, 1))(x, ct),
    "grad aux": lambda x, ct, c: vjpkit.grad(
        lambda x, y: (vnp.sum(x), (x.T, y, c, c)), has_aux=True)(x, ct),
    "value_and_grad aux": lambda x, ct, c: vjpkit.value_and_grad(
        lambda x: (vnp.sum(x), vnp.reshape(x, (3, 2))), has_aux=True)(x),
    "vmap identity": lambda x, ct, c: vjpkit.vmap(lambda r: r)(x),
    "vmap unbatched output": lambda x, ct, c: vjpkit.vmap(lambda r: (r, c))(x),
    "vmap out_axes=None": lambda x, ct, c: vjpkit.vmap(lambda r: (r, c), out_axes=(0, None))(x),
    "vmap unmapped argument": lambda x, ct, c: vjpkit.vmap(lambda r, y: y, in_axes=(0, None),
                                                           out_axes=None)(x, ct),
    "jacfwd identity": lambda x, ct, c: vjpkit.jacfwd(lambda x: x)(x[0]),
    "jacrev of a sum of two inputs": lambda x, ct, c: vjpkit.jacrev(
        lambda a, b: a + b, argnums=(0, 1))(x[0], ct[0]),
    "jacrev aux": lambda x, ct, c: vjpkit.jacrev(lambda x: (x, (x, c)), has_aux=True)(x[0]),
    "jacfwd aux": lambda x, ct, c: vjpkit.jacfwd(lambda x: (x, (x, c)), has_aux=True)(x[0]),
    "hessian": lambda x, ct, c: vjpkit.hessian(lambda x: vnp.sum(x ** 3))(x[0]),
    "jit identity": lambda x, ct, c: vjpkit.jit(lambda x: (x, x.T, x))(x),
    "jit constant": lambda x, ct, c: vjpkit.jit(lambda x: (x * 2.0, c, vnp.full((2,), 3.0)))(x),
    "checkpoint identity": lambda x, ct, c: vjpkit.checkpoint(lambda x: (x, c))(x),
    "custom_jvp identity": lambda x, ct, c: _identity_jvp()(x),
    "custom_jvp jvp": lambda x, ct, c: vjpkit.jvp(_identity_jvp(), (x,), (ct,)),
    "custom_vjp identity": lambda x, ct, c: _identity_vjp()(x),
    "custom_vjp pullback": lambda x, ct, c: vjpkit.vjp(_identity_vjp(), x)[1](ct),
    "custom_vjp bwd returning a residual": lambda x, ct, c: vjpkit.vjp(
        _bwd_returns_residual(), x)[1](ct),
    "cond identity": lambda x, ct, c: lax.cond(True, lambda v: v, lambda v: -v, x),
    "cond constant": lambda x, ct, c: lax.cond(True, lambda v: c, lambda v: v, x),
    "switch identity": lambda x, ct, c: lax.switch(0, [lambda v: v], x),
    "while_loop of no iteration": lambda x, ct, c: lax.while_loop(lambda v: False, lambda v: v, x),
    "fori_loop of no iteration": lambda x, ct, c: lax.fori_loop(0, 0, lambda i, v: v, x),
    "scan carrying its input": lambda x, ct, c: lax.scan(lambda k, r: (k, r), x, ct),
    "scan carrying a slice": lambda x, ct, c: lax.scan(lambda k, r: (r, k), x[0], x),
    "map identity": lambda x, ct, c: lax.map(lambda r: r, x),
    "stop_gradient": lambda x, ct, c: lax.stop_gradient(x),
    "pure_callback identity": lambda x, ct, c: vjpkit.pure_callback(
        lambda a: a, vjpkit.ShapeDtypeStruct(x.shape, x.dtype), x),
    "grad through cond": lambda x, ct, c: vjpkit.grad(
        lambda x: (vnp.sum(x), lax.cond(True, lambda v: v, lambda v: c, x)), has_aux=True)(x),
}


@pytest.mark.parametrize("name", sorted(_ALIASING))
def test_results_own_their_memory(name):
  x, ct, c = _X.copy(), _CT.copy(), _C.copy()
  _assert_owned(_ALIASING[name](x, ct, c), [x, ct, c])


def test_writing_into_a_primal_output_leaves_the_pullback_right():
  # exp's residual is its output: vjp handed it out, and y *= 2 doubled the gradient
  x = np.zeros(3)
  y, f_vjp = vjpkit.vjp(vnp.exp, x)
  y *= 2.0
  np.testing.assert_array_equal(f_vjp(np.ones(3)), (np.ones(3),))
  y, f_jvp = vjpkit.linearize(vnp.exp, x)
  y[:] = 5.0
  np.testing.assert_array_equal(f_jvp(np.ones(3)), np.ones(3))


def test_writing_into_a_pullback_result_leaves_later_calls_right():
  w = np.array([1.0, 2.0, 3.0])
  _, f_vjp = vjpkit.vjp(lambda x: x * w, np.ones(3))
  ct = np.ones(3)
  g = f_vjp(ct)[0]
  g *= 10.0  # e.g. scaling by a learning rate
  np.testing.assert_array_equal(f_vjp(ct)[0], w)
  np.testing.assert_array_equal(ct, np.ones(3))
  np.testing.assert_array_equal(w, [1.0, 2.0, 3.0])


def test_stop_gradient_inside_grad_is_a_copy():
  x = np.ones(3)

  def f(v):
    s = vjpkit.stop_gradient(v)
    s[s > 0] = 0.0  # NumPy-style in-place edit of what is a plain array here
    return vnp.sum(v * v) + vnp.sum(s)
  np.testing.assert_array_equal(vjpkit.grad(f)(x), 2 * np.ones(3))
  np.testing.assert_array_equal(x, np.ones(3))


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
    "block of one array": lambda v: vnp.block(v),
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


# -- property: no transform's result shares memory with the caller's arrays ----------------------

_W = np.linspace(-1.0, 1.0, 6).reshape(2, 3)

# shape-preserving steps on a (2, 3) value v (x, w are the inputs, c a closed-over constant);
# many are views or identities, the operations prone to aliasing
_STEPS = {
    "identity": lambda v, x, w, c: v,
    "reshape": lambda v, x, w, c: vnp.reshape(vnp.reshape(v, (-1,)), (2, 3)),
    "transpose twice": lambda v, x, w, c: v.T.T,
    "full slice": lambda v, x, w, c: v[:, :],
    "flip twice": lambda v, x, w, c: vnp.flip(vnp.flip(v, 0), 0),
    "add constant": lambda v, x, w, c: v + c,
    "times w": lambda v, x, w, c: v * w,
    "sin": lambda v, x, w, c: vnp.sin(v),
    "where": lambda v, x, w, c: vnp.where(c > 0, v, c),
    "cond": lambda v, x, w, c: lax.cond(True, lambda a: a, lambda a: -a, v),
    "scan": lambda v, x, w, c: lax.scan(lambda k, _: (k, None), v, None, length=1)[0],
    "checkpoint": lambda v, x, w, c: vjpkit.checkpoint(lambda a: a)(v),
    "custom_jvp": lambda v, x, w, c: _identity_jvp()(v),
    "copy": lambda v, x, w, c: vnp.copy(v),
    "concatenate": lambda v, x, w, c: vnp.concatenate([v]),
    "stop_gradient": lambda v, x, w, c: lax.stop_gradient(v) + v,
    "the constant": lambda v, x, w, c: c,
    "the input w": lambda v, x, w, c: w,
}
# the outputs, from the final value y: views of it, the inputs and the constant themselves
_OUTPUTS = {
    "y": lambda y, x, w, c: (y,),
    "transposed": lambda y, x, w, c: (y.T,),
    "a row": lambda y, x, w, c: (y[0],),
    "raveled": lambda y, x, w, c: (vnp.ravel(y),),
    "twice": lambda y, x, w, c: (y, y),
    "and a view": lambda y, x, w, c: (y, y.T),
    "and the constant": lambda y, x, w, c: (y, c),
    "and a row of the constant": lambda y, x, w, c: (y, c[1]),
    "and the input x": lambda y, x, w, c: (y, x),
    "and a view of w": lambda y, x, w, c: (y, vnp.reshape(w, (-1,))),
}


def _program(steps, output, c):
  def f(x, w):
    v = x
    for s in steps:
      v = _STEPS[s](v, x, w, c)
    return _OUTPUTS[output](v, x, w, c)
  return f


def _grad(f, x, w, t, ct):
  loss = lambda x, w: (vnp.sum(vnp.sin(f(x, w)[0])), f(x, w))  # noqa: E731
  return vjpkit.value_and_grad(loss, argnums=(0, 1), has_aux=True)(x, w)


# transform -> run(f, x, w, tangent, cotangent-maker): (results, a function giving later results)
_TRANSFORMS = {
    "grad": lambda f, x, w, t, ct: (_grad(f, x, w, t, ct), lambda: _grad(f, x, w, t, ct)),
    "vjp": lambda f, x, w, t, ct: (lambda out, pb: ((out, pb(ct(out))), lambda: pb(ct(out))))(
        *vjpkit.vjp(f, x, w)),
    "jvp": lambda f, x, w, t, ct: (vjpkit.jvp(f, (x, w), (t, t)),
                                   lambda: vjpkit.jvp(f, (x, w), (t, t))),
    "linearize": lambda f, x, w, t, ct: (lambda out, lin: ((out, lin(t, t)), lambda: lin(t, t)))(
        *vjpkit.linearize(f, x, w)),
    "vmap": lambda f, x, w, t, ct: (vjpkit.vmap(f, in_axes=(0, None))(np.stack([x, t]), w),
                                    lambda: vjpkit.vmap(f, in_axes=(0, None))(np.stack([x, t]), w)),
    "jit": lambda f, x, w, t, ct: (vjpkit.jit(f)(x, w), lambda: vjpkit.jit(f)(x, w)),
    "jacrev": lambda f, x, w, t, ct: (vjpkit.jacrev(f, argnums=(0, 1))(x, w),
                                      lambda: vjpkit.jacrev(f, argnums=(0, 1))(x, w)),
}


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.sampled_from(sorted(_STEPS)), min_size=1, max_size=4),
       output=st.sampled_from(sorted(_OUTPUTS)), transform=st.sampled_from(sorted(_TRANSFORMS)))
def test_no_result_shares_memory_with_an_input_tangent_cotangent_or_constant(steps, output,
                                                                             transform):
  x, w, c, t = _X.copy(), _W.copy(), _C.copy(), _CT.copy()
  cts = []

  def ct(out):  # cotangents like the outputs, kept to check them too
    if not cts:
      cts.extend(np.full(np.shape(o), 0.25) for o in out)
    return tuple(cts)
  results, later = _TRANSFORMS[transform](_program(steps, output, c), x, w, t, ct)
  expected_later = [np.array(r, copy=True) for r in _arrays(later())]
  _assert_owned(results, [x, w, c, t, *cts])
  for got, want in zip(_arrays(later()), expected_later):  # later results are unchanged
    np.testing.assert_array_equal(got, want)


# -- writes into the inputs after vjp/linearize ------------------------------------------

def test_writing_into_inputs_after_vjp_or_linearize_does_not_change_the_derivative():
  x, W = np.array([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
  f = lambda W, x: vnp.sum(vnp.sin(W @ x) * x)  # noqa: E731
  want = vjpkit.vjp(f, W.copy(), x.copy())[1](1.0)
  _, f_vjp = vjpkit.vjp(f, W, x)
  x += 5.0
  W[0, 0] = -3.0
  for got, w in zip(f_vjp(1.0), want):
    np.testing.assert_array_equal(got, w)
  x = np.array([1.0, 2.0])
  _, f_jvp = vjpkit.linearize(lambda x: x * x, x)
  x[:] = 7.0
  np.testing.assert_array_equal(f_jvp(np.ones(2)), [2.0, 4.0])
  y = np.arange(6.0)
  _, f_vjp = vjpkit.vjp(lambda v: vnp.sum(v[1:3] ** 2), y)  # a view of the input
  y[1:3] = 0.0
  np.testing.assert_array_equal(f_vjp(1.0)[0], [0.0, 2.0, 4.0, 0.0, 0.0, 0.0])
