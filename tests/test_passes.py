"""Program passes: each is checked on the printed program before and after."""
from __future__ import annotations

import numpy as np
from hypothesis import given

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.core.ir import Eqn, Jaxpr, Var
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.passes import (cse_jaxpr, dce_jaxpr, fold_constants, inline_calls, optimize,
                           simplify_jaxpr)
from vjpkit.testing import strategies as vst


def _text(j) -> str:
  return str(j).strip()


def _lines(*lines: str) -> str:
  return "\n".join(lines)


# -- dead-code elimination ---------------------------------------------------------------

def test_dce_drops_unused_equations_and_constants():
  c = np.arange(3.0)
  closed = vjpkit.make_jaxpr(lambda x: (vnp.sin(x * c), x)[1] + 1.0)(np.ones(3))
  assert _text(closed) == _lines(
      "{ lambda a:f64[3]; b:f64[3]. let",
      "    c:f64[3] = mul b a",
      "    d:f64[3] = sin c",
      "    e:f64[3] = add b 1.0:f64[]",
      "  in (e,) }")
  assert _text(dce_jaxpr(closed.jaxpr)) == _lines(
      "{ lambda ; a:f64[3]. let",
      "    b:f64[3] = add a 1.0:f64[]",
      "  in (b,) }")


# -- common subexpressions ---------------------------------------------------------------

def test_optimize_keeps_constants_with_their_variables_when_simplify_drops_one():
  # the uniform predicate selects the first case, so simplify no longer reads b: the
  # constants after it used to shift by one (c got b's value)
  p, a, b, c = np.zeros(2, bool), np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([100.0, 300.0])
  f = lambda x: lax.select_n(p, x * a, x * b) * c
  closed = vjpkit.make_jaxpr(f)(np.ones(2))
  jaxpr, consts = optimize(closed.jaxpr, closed.consts)
  np.testing.assert_array_equal(eval_jaxpr(jaxpr, consts, [np.ones(2)])[0], [100.0, 600.0])
  np.testing.assert_array_equal(vjpkit.jit(f)(np.ones(2)), [100.0, 600.0])


def test_cse_merges_repeats_and_commuted_operands():
  closed = vjpkit.make_jaxpr(lambda x, y: vnp.sin(x) * y + y * vnp.sin(x))(1.0, 2.0)
  assert _text(closed) == _lines(
      "{ lambda ; a:f64[] b:f64[]. let",
      "    c:f64[] = sin a",
      "    d:f64[] = mul c b",
      "    e:f64[] = sin a",
      "    f:f64[] = mul b e",
      "    g:f64[] = add d f",
      "  in (g,) }")
  assert _text(cse_jaxpr(closed.jaxpr)) == _lines(
      "{ lambda ; a:f64[] b:f64[]. let",
      "    c:f64[] = sin a",
      "    d:f64[] = mul c b",
      "    e:f64[] = add d d",
      "  in (e,) }")


def test_cse_keeps_non_commutative_order_and_different_params():
  closed = vjpkit.make_jaxpr(lambda x, y: (x - y) * (y - x) + vnp.sum(x, 0) * vnp.sum(x, 1))(
      np.ones((2, 2)), np.ones((2, 2)))
  assert len(cse_jaxpr(closed.jaxpr).eqns) == len(closed.eqns)


# -- constant folding --------------------------------------------------------------------

def _as_constants(closed, n: int):
  """The program with its first ``n`` inputs turned into constants (as after hoisting)."""
  j = closed.jaxpr
  return Jaxpr(j.invars[:n], j.invars[n:], j.eqns, j.outvars)


def test_fold_constants_computes_small_constant_subexpressions():
  k = np.array([1.0, 2.0, 3.0])
  closed = vjpkit.make_jaxpr(lambda k, x: x * vnp.exp(k) + lax.neg(2.0) * x)(k, np.ones(3))
  jaxpr = _as_constants(closed, 1)
  assert _text(jaxpr) == _lines(
      "{ lambda a:f64[3]; b:f64[3]. let",
      "    c:f64[3] = exp a",
      "    d:f64[3] = mul b c",
      "    e:f64[3] = mul -2.0:f64[] b",
      "    f:f64[3] = add d e",
      "  in (f,) }")
  jaxpr, consts = fold_constants(jaxpr, [k])
  assert _text(jaxpr) == _lines(
      "{ lambda a:f64[3]; b:f64[3]. let",
      "    c:f64[3] = mul b a",
      "    d:f64[3] = mul -2.0:f64[] b",
      "    e:f64[3] = add c d",
      "  in (e,) }")
  np.testing.assert_array_equal(consts[0], np.exp(k))


def test_fold_constants_turns_uniform_constants_into_broadcast_literals():
  closed = vjpkit.make_jaxpr(lambda x: x * np.ones(4))(np.arange(4.0))
  jaxpr, consts = fold_constants(closed.jaxpr, closed.consts)
  assert consts == []
  assert _text(jaxpr) == _lines(
      "{ lambda ; a:f64[4]. let",
      "    b:f64[4] = broadcast_in_dim[broadcast_dimensions=() shape=(4,)] 1.0:f64[]",
      "    c:f64[4] = mul a b",
      "  in (c,) }")
  assert _text(simplify_jaxpr(jaxpr)) == _lines("{ lambda ; a:f64[4]. let", "  in (a,) }")


def test_fold_constants_leaves_big_results_to_run_time():
  big = np.random.default_rng(0).standard_normal(1000)
  f = lambda b, x: x * vnp.sum(b[:, None] * b)  # noqa: E731
  closed = vjpkit.make_jaxpr(f)(big, 1.0)
  jaxpr, consts = fold_constants(_as_constants(closed, 1), [big])
  # the 10⁶-element outer product of 10³ values is not materialised as a constant
  assert all(np.size(c) <= 1000 for c in consts)
  assert "reduce_sum" in _text(jaxpr)
  np.testing.assert_allclose(eval_jaxpr(jaxpr, consts, [2.0])[0], 2.0 * np.sum(np.outer(big, big)))


# -- algebraic simplification ------------------------------------------------------------

def test_simplify_multiply_by_one_and_zero_add_zero_neg_neg():
  # (x + (-0.0) is x bit for bit; x + 0.0 is not, at x = -0.0)
  closed = vjpkit.make_jaxpr(lambda x, n: ((-(-(x * 1.0)) + -0.0) * 1.0 - 0.0, n * 0))(  # noqa: B002
      np.ones(2), np.arange(3))
  assert _text(closed) == _lines(
      "{ lambda ; a:f64[2] b:i64[3]. let",
      "    c:f64[2] = mul a 1.0:f64[]",
      "    d:f64[2] = neg c",
      "    e:f64[2] = neg d",
      "    f:f64[2] = add e -0.0:f64[]",
      "    g:f64[2] = mul f 1.0:f64[]",
      "    h:f64[2] = sub g 0.0:f64[]",
      "    i:i64[3] = mul b 0:i64[]",
      "  in (h i) }")
  assert _text(simplify_jaxpr(closed.jaxpr)) == _lines(
      "{ lambda ; a:f64[2] b:i64[3]. let",
      "    c:i64[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 0:i64[]",
      "  in (a c) }")


def test_simplify_keeps_float_times_zero_because_of_nan():
  closed = vjpkit.make_jaxpr(lambda x: x * 0.0)(np.ones(2))
  j = simplify_jaxpr(closed.jaxpr)
  assert len(j.eqns) == 1
  with np.errstate(invalid="ignore"):
    assert np.isnan(eval_jaxpr(j, [], [np.array([np.inf])])[0][0])


def test_simplify_transpose_of_transpose_and_of_a_matrix_product():
  closed = vjpkit.make_jaxpr(lambda a, b: ((a @ b).T, a.T.T, vnp.transpose(a.T, (1, 0))))(
      np.ones((2, 3)), np.ones((3, 4)))
  assert _text(closed) == _lines(
      "{ lambda ; a:f64[2,3] b:f64[3,4]. let",
      "    c:f64[2,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b",
      "    d:f64[4,2] = transpose[permutation=(1, 0)] c",
      "    e:f64[3,2] = transpose[permutation=(1, 0)] a",
      "    f:f64[2,3] = transpose[permutation=(1, 0)] e",
      "    g:f64[3,2] = transpose[permutation=(1, 0)] a",
      "    h:f64[2,3] = transpose[permutation=(1, 0)] g",
      "  in (d f h) }")
  assert _text(simplify_jaxpr(closed.jaxpr)) == _lines(
      "{ lambda ; a:f64[2,3] b:f64[3,4]. let",
      "    c:f64[4,2] = dot_general[dimension_numbers=(((0,), (1,)), ((), ()))] b a",
      "  in (c a a) }")


def test_simplify_reduce_of_broadcast():
  closed = vjpkit.make_jaxpr(lambda v: (vnp.sum(vnp.broadcast_to(v, (5, 3)), axis=0),
                                        vnp.sum(vnp.broadcast_to(v, (5, 3)))))(np.ones(3))
  assert _text(simplify_jaxpr(closed.jaxpr)) == _lines(
      "{ lambda ; a:f64[3]. let",
      "    b:f64[3] = mul a 5.0:f64[]",
      "    c:f64[] = reduce_sum[axes=(0,)] a",
      "    d:f64[] = mul c 5.0:f64[]",
      "  in (b d) }")


def test_simplify_cleans_up_a_transposed_program():
  f = lambda x: vnp.sum(vnp.sin(x))  # noqa: E731
  closed = vjpkit.make_jaxpr(vjpkit.grad(f))(np.ones(3))
  assert _text(closed) == _lines(
      "{ lambda a:f64[3]; b:f64[3]. let",
      "    c:f64[3] = sin b",
      "    d:f64[3] = cos b",
      "    e:f64[] = reduce_sum[axes=(0,)] c",
      "    f:f64[3] = mul a d",
      "  in (f,) }")
  assert _text(optimize(closed.jaxpr, closed.consts)[0]) == _lines(
      "{ lambda ; a:f64[3]. let",
      "    b:f64[3] = cos a",
      "  in (b,) }")


# -- inlining ----------------------------------------------------------------------------

def test_inline_replaces_calls_by_fresh_copies_of_their_bodies():
  g = vjpkit.jit(lambda x: vnp.sin(x) * 2.0)
  closed = vjpkit.make_jaxpr(lambda x: g(g(x)))(1.0)
  assert [e.prim.name for e in closed.eqns] == ["jit", "jit"]
  inlined = inline_calls(closed.jaxpr)
  typecheck_jaxpr(inlined)
  assert _text(inlined) == _lines(
      "{ lambda ; a:f64[]. let",
      "    b:f64[] = sin a",
      "    c:f64[] = mul b 2.0:f64[]",
      "    d:f64[] = sin c",
      "    e:f64[] = mul d 2.0:f64[]",
      "  in (e,) }")


def test_inline_deeply_nested_calls_without_recursion():
  body = Jaxpr([], [x := Var(lax.sin_p.abstract_eval(vjpkit.core.get_aval(1.0)))], [],
               [x])
  for _ in range(3000):  # a call of a call of ... (deeper than Python's recursion limit)
    v = Var(body.in_avals[0])
    out = Var(body.in_avals[0])
    body = Jaxpr([], [v], [Eqn(lax.closed_call_p, [v], {"call_jaxpr": body}, [out])], [out])
  assert _text(inline_calls(body)) == _lines("{ lambda ; a:f64[]. let", "  in (a,) }")


# -- the pipeline ------------------------------------------------------------------------

@given(vst.programs(n_inputs=2, max_ops=8))
def test_optimize_preserves_values_of_random_programs(program):
  f, _ = program
  xs = [np.linspace(-1, 1, 4), np.linspace(0.5, 2, 4)]
  for g in (f, vjpkit.grad(lambda x, y: vnp.sum(f(x, y)))):
    closed = vjpkit.make_jaxpr(g)(*xs)
    jaxpr, consts = optimize(closed.jaxpr, closed.consts)
    typecheck_jaxpr(jaxpr)
    assert len(jaxpr.eqns) <= len(closed.eqns)
    np.testing.assert_allclose(eval_jaxpr(jaxpr, consts, xs)[0],
                               eval_jaxpr(closed.jaxpr, closed.consts, xs)[0], rtol=1e-12)


def test_select_of_two_literals_merges_only_bit_equal_ones():
  # 0.0 and -0.0 compare equal in Python: the selection between them used to be dropped
  f = lambda x: vnp.where(x > 0, 0.0, -0.0)
  x = np.array([1.0, -1.0])
  got = vjpkit.jit(f)(x)
  np.testing.assert_array_equal(np.signbit(got), [False, True])
  closed = vjpkit.make_jaxpr(f)(x)
  assert "select_n" in str(optimize(closed.jaxpr, closed.consts)[0])
  closed = vjpkit.make_jaxpr(lambda x: vnp.where(x > 0, np.nan, np.nan))(x)
  assert "select_n" not in str(optimize(closed.jaxpr, closed.consts)[0])


def test_simplifier_keeps_the_sign_of_zero():
  # 0.0 - x was rewritten to -x (and x + 0.0 to x, x * 0.0 to +0.0): 1/(0.0 - 0.0) gave -inf
  z, one = np.zeros(1), np.ones(1)
  cases = [(lambda x: 1.0 / (0.0 - x), z), (lambda x: 1.0 / (x + 0.0), -z),
           (lambda x: 1.0 / (x - (-0.0)), -z), (lambda x: 1.0 / (x * 0.0), -one),
           (lambda x: 1.0 / (-0.0 - x), z), (lambda x: 1.0 / (x - 0.0), -z)]
  with np.errstate(divide="ignore"):
    for f, x in cases:
      np.testing.assert_array_equal(vjpkit.jit(f)(x), f(x))
  # the exact identities still apply
  closed = vjpkit.make_jaxpr(lambda x: (x + (-0.0)) * 1.0 - 0.0)(one)
  assert not optimize(closed.jaxpr, closed.consts)[0].eqns
