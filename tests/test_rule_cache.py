"""Eager reverse mode replays JVP and transpose rules from traces cached per signature
(``vjpkit/interpreters/rule_cache.py``). The replay must record the very program the
rules record, compute the same numbers bit for bit, and step aside whenever it cannot."""
import contextlib

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.core.primitive import Primitive
from vjpkit.interpreters import rule_cache
from vjpkit.interpreters.jvp import defjvp
from vjpkit.interpreters.linearize import linearize_flat


@contextlib.contextmanager
def cache(on: bool):
  before = rule_cache.ENABLED
  rule_cache.ENABLED = on
  try:
    yield
  finally:
    rule_cache.ENABLED = before


rng = np.random.default_rng(0)
A = rng.normal(size=(4, 3))
V = rng.normal(size=3)

FUNCTIONS = {
    "scalar chain": (lambda x: vnp.sin(x) * x + vnp.exp(x) / 2 + vnp.tanh(x * x)
                     - vnp.log(1 + x * x) * vnp.cos(x), np.float64(0.7)),
    "broadcasting": (lambda x: vnp.sum(vnp.tanh(A @ x + 1.0) ** 2 * 0.5) + vnp.sum(x * 3.0),
                     V),
    "rank-0 against array": (lambda x: vnp.sum(x[0] * V + x[1] / (V * V + 1.0)), V),
    "choosers and select": (lambda x: vnp.max(x) + vnp.sum(vnp.where(x > 0, x, -2 * x))
                            + vnp.sum(vnp.maximum(x, 0.1) ** 3), V),
    "powers and roots": (lambda x: vnp.sum(vnp.sqrt(x * x + 1.0) + x ** 3 + vnp.abs(x)
                                           + 2.0 ** x), V),
    "reductions and shapes": (lambda x: vnp.sum(vnp.reshape(vnp.outer(x, x), (9,))[::2])
                              + vnp.mean(vnp.cumsum(x)), V),
    "float32": (lambda x: vnp.sum(vnp.sin(x) * x), V.astype(np.float32)),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_replay_records_the_rules_program_and_values(name):
  f, x = FUNCTIONS[name]
  programs, grads = [], []
  for on in (False, True, True):  # off, then on twice: a fresh trace, then a replay
    with cache(on):
      out, lin = linearize_flat(lambda x: [f(x)], [x])
      programs.append(str(lin.jaxpr))
      grads.append(vjpkit.grad(f)(x))
  assert programs[0] == programs[1] == programs[2]
  for g in grads[1:]:
    np.testing.assert_array_equal(g, grads[0])
    assert np.result_type(g) == np.result_type(grads[0])


@pytest.mark.parametrize("transform", ["hessian", "grad of grad", "jvp of grad", "vmap of grad",
                                       "jacrev", "jit of grad"])
def test_nested_transforms_agree_with_the_rules(transform):
  def f(x):
    return vnp.sum(vnp.tanh(A @ x) * x[0]) + vnp.sum(vnp.exp(x) / 3.0)
  g = vjpkit.grad(f)
  cases = {
      "hessian": lambda: vjpkit.hessian(f)(V),
      "grad of grad": lambda: vjpkit.grad(lambda x: vnp.sum(g(x) ** 2))(V),
      "jvp of grad": lambda: vjpkit.jvp(g, (V,), (np.ones(3),))[1],
      "vmap of grad": lambda: vjpkit.vmap(g)(np.stack([V, 2 * V])),
      "jacrev": lambda: vjpkit.jacrev(lambda x: vnp.sin(A @ x) * 2.0)(V),
      "jit of grad": lambda: vjpkit.jit(g)(V),
  }
  with cache(False):
    want = cases[transform]()
  with cache(True):
    got = [cases[transform](), cases[transform]()]
  for x in got:
    np.testing.assert_allclose(x, want, rtol=1e-14, atol=1e-15)


def test_shapes_and_dtypes_key_the_cache():
  f = lambda x: vnp.sum(vnp.sin(x) * x)  # noqa: E731
  for x in (np.float64(0.5), np.ones(2), np.ones((2, 3)), np.ones(2, np.float32), 0.5):
    with cache(False):
      want = vjpkit.grad(f)(x)
    with cache(True):
      got = vjpkit.grad(f)(x)
    np.testing.assert_array_equal(got, want)
    assert np.shape(got) == np.shape(want) and np.result_type(got) == np.result_type(want)


def test_a_users_rule_runs_every_time():
  calls = []
  p = Primitive("counted_square")
  p.def_impl(lambda x: x * x)
  p.def_abstract_eval(lambda x: x)

  def jvp(primals, tangents):
    calls.append(1)
    (x,), (t,) = primals, tangents
    return p.bind(x), 2.0 * x * t
  p.def_jvp(jvp)
  for _ in range(3):
    assert vjpkit.grad(lambda x: p.bind(x))(3.0) == 6.0
  assert len(calls) == 3


def test_a_redefined_rule_is_not_replayed():
  p = Primitive("redefined")
  p.def_impl(np.sin)
  p.def_abstract_eval(lambda x: x)
  defjvp(p, lambda t, ans, x: lax.mul(t, lax.cos(x)))
  assert vjpkit.grad(lambda x: p.bind(x))(0.3) == np.cos(0.3)
  defjvp(p, lambda t, ans, x: lax.mul(t, lax.cos(x) * 2.0))  # a new rule: no stale replay
  assert vjpkit.grad(lambda x: p.bind(x))(0.3) == 2.0 * np.cos(0.3)


def test_a_rule_that_needs_concrete_values_runs_directly():
  p = Primitive("concrete_slope")
  p.def_impl(lambda x: x * x)
  p.def_abstract_eval(lambda x: x)
  # float(x) cannot be traced abstractly: the cache marks the signature and steps aside
  defjvp(p, lambda t, ans, x: lax.mul(t, np.float64(2.0 * float(x))))
  for x in (1.5, 2.5):
    assert vjpkit.grad(lambda x: p.bind(x))(np.float64(x)) == 2.0 * x


def test_debug_nans_turns_the_replay_off():
  with vjpkit.debug_nans():
    assert not rule_cache.ENABLED
  assert rule_cache.ENABLED


def test_complex_values_replay_alike():
  def f(z):
    return vnp.sum(vnp.sin(z) * z + z * z / 3.0)
  z = np.array([1 + 2j, 0.5 - 1j])
  programs, transposed, grads = [], [], []
  for on in (False, True, True):
    with cache(on):
      _, lin = linearize_flat(lambda z: [f(z)], [z])
      programs.append(str(lin.jaxpr))
      transposed.append(lin.transpose([np.complex128(1.0)])[0])
      grads.append(vjpkit.grad(f, holomorphic=True)(z))
  assert programs[0] == programs[1] == programs[2]
  for got in transposed[1:]:
    np.testing.assert_array_equal(got, transposed[0])
  for got in grads[1:]:
    np.testing.assert_array_equal(got, grads[0])
