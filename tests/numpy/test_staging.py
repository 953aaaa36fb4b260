"""Every row of the other vjpkit.numpy tables, staged: ``make_jaxpr`` records a program
that type-checks (each equation against its primitive's shape rule) and evaluates to
the eager value, and so does its linearization (the program reverse mode transposes).
This is what jit relies on.
"""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
from vjpkit.core.typecheck import typecheck_jaxpr
from vjpkit.interpreters.eval import eval_jaxpr
from vjpkit.interpreters.linearize import linearize_flat
from vjpkit.tree_util import tree_flatten
import test_dispatch
import test_products
import test_reductions
import test_shapes
import test_ufuncs
from numpy_testutil import uniform

RNG = np.random.default_rng(0)


def _rows():
  for name, (domains, _order) in test_ufuncs.TABLE.items():
    vf, _ = test_ufuncs._functions(name)
    yield f"ufunc-{name}", vf, test_ufuncs._draw_args(name, domains, test_ufuncs._shapes(len(domains), 1), 0)
  for name, (call, kind, _order, special) in test_reductions.TABLE.items():
    axis = None if kind != "int" else 0
    yield f"reduction-{name}", (lambda call, axis: lambda x: call(vjpkit.numpy, x, axis, False))(
        call, axis), [test_reductions._values((2, 3), special, 0)]
  for table, prefix in ((test_shapes.TABLE, "shape"), (test_products.TABLE, "product")):
    for name, (call, shapes) in table.items():
      yield f"{prefix}-{name}", (lambda call: lambda *xs: call(vjpkit.numpy, *xs))(call), [
          uniform(RNG, s) for s in shapes]
  for name, (f, shape) in test_dispatch.TABLE.items():
    yield f"dispatch-{name}", f, [uniform(RNG, shape, avoid=(0.0,))]


ROWS = {name: (f, args) for name, f, args in _rows()}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_staged_program_typechecks_and_evaluates(name):
  f, args = ROWS[name]
  flat_f = lambda *xs: tree_flatten(f(*xs))[0]  # noqa: E731
  closed = vjpkit.make_jaxpr(flat_f)(*args)
  typecheck_jaxpr(closed.jaxpr)
  with np.errstate(all="ignore"):
    staged = eval_jaxpr(closed.jaxpr, closed.consts, args)
    eager = flat_f(*args)
  for s, e in zip(staged, eager):
    np.testing.assert_allclose(s, e, rtol=1e-12, equal_nan=True)
  if any(np.asarray(a).dtype.kind == "f" for a in args):
    with np.errstate(all="ignore"):
      _, lin = linearize_flat(flat_f, args)
    typecheck_jaxpr(lin.jaxpr)


def test_traced_mask_under_staging_names_where():
  with pytest.raises(TypeError, match="where"):
    vjpkit.make_jaxpr(lambda x: x[x > 0])(np.ones(3))
