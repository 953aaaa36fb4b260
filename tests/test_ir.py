"""The IR: printing, type checking, evaluation, and programs of 100,000 equations."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.core.typecheck import JaxprTypeError, typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr


def test_constants_literals_and_multiple_outputs():
  c = np.arange(3.0)
  closed = vjpkit.make_jaxpr(lambda x, y: (x * c + 2.0, y))(np.ones(3), np.float32(1))
  assert str(closed) == (
      "{ lambda a:f64[3]; b:f64[3] c:f32[]. let\n"
      "    d:f64[3] = mul b a\n"
      "    e:f64[3] = add d 2.0:f64[]\n"
      "  in (e c) }")
  assert closed.consts[0] is c


def test_typecheck_accepts_transformed_programs_and_rejects_bad_ones():
  f = lambda x: vnp.sum(vnp.tanh(x) @ np.ones((3, 2)))  # noqa: E731
  x = np.ones((4, 3))
  for closed in [vjpkit.make_jaxpr(f)(x), vjpkit.make_jaxpr(vjpkit.grad(f))(x),
                 vjpkit.make_jaxpr(vjpkit.grad(vjpkit.grad(lambda y: f(x * y))))(1.0)]:
    typecheck_jaxpr(closed.jaxpr)
  bad = vjpkit.make_jaxpr(f)(x).jaxpr
  bad.eqns[0].outvars[0].aval = bad.eqns[0].outvars[0].aval.update(shape=(9,))
  with pytest.raises(JaxprTypeError, match="tanh"):
    typecheck_jaxpr(bad)


def test_eval_jaxpr_reproduces_function():
  f = lambda x: vnp.max(vnp.exp(x) - x, axis=0)  # noqa: E731
  x = np.random.default_rng(0).standard_normal((3, 2))
  closed = vjpkit.make_jaxpr(f)(x)
  np.testing.assert_allclose(eval_jaxpr(closed.jaxpr, closed.consts, [x])[0], f(x))


def test_lax_requires_explicit_promotion():
  # Shape rules run whenever a primitive is traced (eager calls go straight to NumPy).
  with pytest.raises(TypeError, match="one dtype"):
    vjpkit.make_jaxpr(lambda x: lax.add(x, np.ones(2)))(np.ones(2, np.float32))
  with pytest.raises(TypeError, match="one shape"):
    vjpkit.make_jaxpr(lambda x: lax.mul(x, np.ones(3)))(np.ones(2))


N = 100_000


def _long_chain(x):
  for _ in range(N // 2):
    x = lax.sin(x)
    x = lax.mul(x, 1.0001)
  return x


def test_hundred_thousand_equations():
  closed = vjpkit.make_jaxpr(_long_chain)(0.5)
  assert len(closed.eqns) == N
  typecheck_jaxpr(closed.jaxpr)
  assert len(str(closed)) > N
  y = eval_jaxpr(closed.jaxpr, closed.consts, [0.5])[0]
  g = vjpkit.grad(_long_chain)(0.5)
  _, g_fwd = vjpkit.jvp(_long_chain, (0.5,), (1.0,))
  assert np.isfinite(y) and np.isclose(g, g_fwd)
