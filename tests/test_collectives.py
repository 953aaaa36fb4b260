"""Collectives over a named vmap axis (psum, pmean, pmax, pmin, all_gather, ppermute,
axis_index, axis_size): values vs NumPy, derivatives on both sides of vmap, under jit
(outside and inside), nested vmaps, scan bodies, several names; and vs JAX if installed."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import lax
from vjpkit.testing.check_grads import check_grads

X = np.random.default_rng(0).normal(size=(3, 4))

# name -> (per-member function of (module numpy, module lax, x), NumPy reference on the batch)
CASES = {
    "psum": (lambda m, L, x: x / L.psum(x, "i"), lambda X: X / X.sum(0)),
    "pmean": (lambda m, L, x: x - L.pmean(x, "i"), lambda X: X - X.mean(0)),
    "pmax": (lambda m, L, x: L.pmax(x, "i") * x, lambda X: X.max(0) * X),
    "pmin": (lambda m, L, x: L.pmin(x * x, "i") + x, lambda X: (X * X).min(0) + X),
    "all_gather": (lambda m, L, x: m.sum(L.all_gather(x, "i") * x, axis=1),
                   lambda X: np.stack([(X * x).sum(1) for x in X])),
    "all_gather_tiled": (lambda m, L, x: L.all_gather(x, "i", tiled=True)[:4] * x,
                         lambda X: X[0] * X),
    "axis_index": (lambda m, L, x: x * L.axis_index("i"), lambda X: X * np.arange(3)[:, None]),
    "psum_unbatched": (lambda m, L, x: x * L.psum(1.0, "i"), lambda X: X * 3),
    "ppermute": (lambda m, L, x: L.ppermute(x, "i", [(0, 1), (1, 2), (2, 0)]) * x,
                 lambda X: np.roll(X, 1, 0) * X),
    "psum_of_reduction": (lambda m, L, x: x / L.psum(m.sum(x), "i"), lambda X: X / X.sum()),
}


def _batched(name):
  f = CASES[name][0]
  return vjpkit.vmap(lambda x: f(vnp, lax, x), axis_name="i")


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_derivatives_and_jit(name):
  f, ref = CASES[name]
  g = _batched(name)
  np.testing.assert_allclose(g(X), ref(X), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.jit(g)(X), ref(X), rtol=1e-12)
  np.testing.assert_allclose(vjpkit.vmap(vjpkit.jit(lambda x: f(vnp, lax, x)), axis_name="i")(X),
                             ref(X), rtol=1e-12)
  check_grads(g, (X,), order=2)
  inner = vjpkit.vmap(vjpkit.grad(lambda x: vnp.sum(vnp.sin(f(vnp, lax, x)))), axis_name="i")(X)
  outer = vjpkit.grad(lambda X: vnp.sum(vnp.sin(g(X))))(X)
  if name not in ("pmax", "pmin"):  # a member's gradient includes the others' terms
    np.testing.assert_allclose(inner, outer, rtol=1e-10)


@pytest.mark.parametrize("name", ["psum", "all_gather", "axis_index", "ppermute"])
def test_nested_vmaps_and_scan_bodies(name):
  f, ref = CASES[name]
  xs = np.stack([X, 2 * X], axis=-1)
  got = vjpkit.vmap(vjpkit.vmap(lambda x: f(vnp, lax, x), in_axes=-1, out_axes=-1),
                    axis_name="i")(xs)
  np.testing.assert_allclose(got, np.stack([ref(X), ref(2 * X)], -1), rtol=1e-12)
  got = vjpkit.vmap(lambda x: lax.scan(lambda c, y: (c + y * f(vnp, lax, x), None),
                                       0 * f(vnp, lax, x), np.arange(3.0))[0], axis_name="i")(X)
  np.testing.assert_allclose(got, 3 * ref(X), rtol=1e-12)


def test_several_names_and_errors():
  two = vjpkit.vmap(vjpkit.vmap(lambda x: lax.psum(x, ("i", "j")) + lax.axis_index(("i", "j")),
                                axis_name="j"), axis_name="i")(X)
  np.testing.assert_allclose(two, X.sum() + np.arange(12).reshape(3, 4))
  outer = vjpkit.vmap(vjpkit.vmap(lambda x: lax.psum(x, "i"), axis_name="j"), axis_name="i")(X)
  np.testing.assert_allclose(outer, np.broadcast_to(X.sum(0), X.shape))
  assert vjpkit.vmap(lambda x: x * lax.axis_size("i"), axis_name="i")(np.ones(5)).tolist() == [5.0] * 5
  with pytest.raises(NameError, match="unbound axis name 'k'"):
    lax.psum(1.0, "k")
  with pytest.raises(NameError, match="unbound axis name 'k'"):
    vjpkit.vmap(lambda x: lax.psum(x, "k"), axis_name="i")(X)
  with pytest.raises(NotImplementedError, match="axis_index_groups"):
    vjpkit.vmap(lambda x: lax.psum(x, "i", axis_index_groups=[[0]]), axis_name="i")(X)
  with pytest.raises(ValueError, match="twice"):
    lax.ppermute(1.0, "i", [(0, 1), (1, 1)])
  with pytest.raises(NotImplementedError, match="spmd_axis_name"):
    vjpkit.vmap(lambda x: x, spmd_axis_name="s")
  with pytest.raises(TypeError, match="hashable"):
    vjpkit.vmap(lambda x: x, axis_name=["i"])


@pytest.mark.parametrize("name", sorted(set(CASES) - {"pmax", "pmin"}))
def test_matches_jax(name):
  jax = pytest.importorskip("jax")
  jax.config.update("jax_enable_x64", True)
  import jax.lax as jl
  import jax.numpy as jnp
  f = CASES[name][0]
  ours = vjpkit.grad(lambda X: vnp.sum(vnp.sin(_batched(name)(X))))(X)
  theirs = jax.grad(lambda X: jnp.sum(jnp.sin(jax.vmap(lambda x: f(jnp, jl, x), axis_name="i")(X))))(X)
  np.testing.assert_allclose(ours, theirs, rtol=1e-12)
