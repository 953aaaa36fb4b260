"""Implicitly differentiated solvers, as JAX's ``lax.custom_root`` and
``lax.custom_linear_solve``: the solver runs as given (any iteration, on concrete values
under ``jit`` too) and is never differentiated itself; derivatives come from the implicit
function theorem, with the tangent (or transpose) solve the caller provides.

The functions ``f``/``matvec`` may close over traced values (parameters): those are the
inputs the derivatives are taken with respect to.

>>> import vjpkit
>>> def sqrt_newton(a):   # the root of x² - a, by Newton's method, differentiated implicitly
...   f = lambda x: x * x - a
...   solve = lambda f, x0: vjpkit.lax.fori_loop(0, 30, lambda i, x: x - f(x) / (2 * x), x0)
...   return custom_root(f, 1.0, solve, lambda g, y: y / g(1.0))
>>> float(sqrt_newton(2.0)), float(vjpkit.grad(sqrt_newton)(2.0))
(1.414213562373095, 0.3535533905932738)
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core.avals import ShapedArray, get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef
from ..interpreters.batching import vmap_flat
from ..interpreters.eval import eval_jaxpr
from ..interpreters.jvp import jvp_flat
from ..interpreters.partial_eval import trace_to_jaxpr
from ..interpreters.transpose import backward_pass
from ..tree_util import tree_flatten, tree_unflatten
from . import elementwise as ew, shapes

__all__ = ["custom_linear_solve", "custom_linear_solve_p", "custom_root", "custom_root_p"]


def _convert(fun: Callable, tree, avals, n_trees: int, who: str, what: str):
  """``fun`` (``n_trees`` pytrees of structure ``tree`` in, one out) as a function of flat
  arrays ``(*consts, *leaves)`` and the values it closes over (``consts``), which become
  operands of the primitive: that is how traced values it closes over reach the
  transforms (JAX's closure conversion)."""
  n = len(avals)

  def flat(*xs):
    trees = [tree_unflatten(tree, list(xs[k * n:(k + 1) * n])) for k in range(n_trees)]
    out, out_tree = tree_flatten(fun(*trees))
    if out_tree != tree:
      raise TypeError(f"{who}: {what} must return a pytree like {tree}, got {out_tree}")
    return [ew.convert_element_type(o, a.dtype) if hasattr(o, "aval") else np.asarray(o, a.dtype)
            for o, a in zip(out, avals)]
  jaxpr, consts = trace_to_jaxpr(flat, list(avals) * n_trees)
  nc = len(consts)
  return (lambda *args: eval_jaxpr(jaxpr, list(args[:nc]), list(args[nc:]))), list(consts)


def _tree_fn(fn: Callable, consts: list, tree) -> Callable:
  """A flat function of ``(*consts, *leaves)`` as a function of one pytree."""
  return lambda t: tree_unflatten(tree, fn(*consts, *tree_flatten(t)[0]))


def _broadcast_all(vals, dims, n):
  """Every operand with its batch axis at 0 (unbatched ones broadcast)."""
  out = []
  for v, d in zip(vals, dims):
    out.append(shapes.broadcast_batch(v, n, 0) if d is None else shapes.moveaxis(v, d, 0))
  return out


def _vmapped(fn: Callable, n: int, num: int) -> Callable:
  """``fn(*flat_arrays) -> list`` mapped over axis 0 of all its ``num`` arguments."""
  def batched(*args):
    return vmap_flat(lambda *a: list(fn(*a)), n, list(args), [0] * num, lambda k: [0] * k)
  return batched


# -- custom_root ---------------------------------------------------------------------
# operands: f's consts (nf), solve's (ns), tangent_solve's (nt), the initial guess; only
# the tangents of f's consts matter (solve and tangent_solve are not differentiated, as JAX)

def _root_impl(*args, nf, ns, nt, f_fn, solve_fn, tangent_fn):
  return list(solve_fn(*args[nf:nf + ns], *args[nf + ns + nt:]))


def _root_abstract_eval(*avals, nf, ns, nt, **params):
  return [ShapedArray(a.shape, a.dtype) for a in avals[nf + ns + nt:]]


custom_root_p = Primitive("custom_root", multiple_results=True, impl=_root_impl,
                          abstract_eval=_root_abstract_eval)


def _root_jvp(primals, tangents, *, nf, ns, nt, f_fn, solve_fn, tangent_fn):
  xstar = custom_root_p.bind(*primals, nf=nf, ns=ns, nt=nt, f_fn=f_fn, solve_fn=solve_fn,
                             tangent_fn=tangent_fn)
  fc, dfc = list(primals[:nf]), list(tangents[:nf])
  if all(type(t) is Zero for t in dfc):
    return xstar, [Zero.like(x) for x in xstar]
  # f(x*(θ), θ) = 0  =>  ∂f/∂x dx = -∂f/∂θ dθ
  _, rhs = jvp_flat(lambda *c: f_fn(*c, *xstar), fc, dfc)
  dx = tangent_fn(*primals[nf + ns:nf + ns + nt], *xstar, *rhs)
  return xstar, [ew.neg(t) for t in dx]


def _root_batch(vals, dims, *, nf, ns, nt, f_fn, solve_fn, tangent_fn):
  n = next(get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
  vals = _broadcast_all(vals, dims, n)
  nx = len(vals) - nf - ns - nt
  out = custom_root_p.bind(*vals, nf=nf, ns=ns, nt=nt, f_fn=_vmapped(f_fn, n, nf + nx),
                           solve_fn=_vmapped(solve_fn, n, ns + nx),
                           tangent_fn=_vmapped(tangent_fn, n, nt + 2 * nx))
  return out, [0] * len(out)


custom_root_p.def_jvp(_root_jvp, symbolic_zeros=True)
custom_root_p.def_batching(_root_batch)


def custom_root(f: Callable, initial_guess: Any, solve: Callable, tangent_solve: Callable,
                has_aux: bool = False) -> Any:
  """The root ``x`` of ``f`` found by ``solve(f, initial_guess)``, differentiated
  implicitly: ``dx = -tangent_solve(g, ∂f/∂θ dθ)`` with ``g`` the linear map
  ``v -> ∂f/∂x v`` at the root (``tangent_solve(g, y)`` solves ``g(x) = y``; for a scalar
  root, ``lambda g, y: y / g(1.0)``). ``solve`` is traced (write it with ``vjpkit.lax``
  loops) but never differentiated; ``f`` may close over traced values, the parameters
  the derivatives are for. ``initial_guess`` is a pytree; ``f`` maps it to one like it.

  >>> import vjpkit.numpy as vnp
  >>> import vjpkit
  >>> def cube_root(a):
  ...   bisect = lambda f, x0: vjpkit.lax.fori_loop(0, 60, lambda i, lh: vnp.where(
  ...       f((lh[0] + lh[1]) / 2) > 0, vnp.stack([lh[0], (lh[0] + lh[1]) / 2]),
  ...       vnp.stack([(lh[0] + lh[1]) / 2, lh[1]])), vnp.stack([0.0, 10.0]))[0]
  ...   return custom_root(lambda x: x ** 3 - a, 1.0, bisect, lambda g, y: y / g(1.0))
  >>> round(float(cube_root(8.0)), 12), round(float(vjpkit.grad(cube_root)(8.0)), 10)
  (2.0, 0.0833333333)
  """
  if has_aux:
    raise NotImplementedError("custom_root(has_aux=True) is not supported; return the auxiliary "
                              "values from a separate call of the solver")
  x0, tree = tree_flatten(initial_guess)
  x0 = [np.asarray(x) if not hasattr(x, "aval") else x for x in x0]
  avals = [get_aval(x).strong() for x in x0]
  f_fn, fc = _convert(f, tree, avals, 1, "custom_root", "f")
  solve_fn, sc = _convert(lambda x: solve(_tree_fn(f_fn, fc, tree), x), tree, avals, 1,
                          "custom_root", "solve")

  def tangent(xstar, rhs):
    def g(v):
      _, t = jvp_flat(lambda *x: f_fn(*fc, *x), tree_flatten(xstar)[0], tree_flatten(v)[0])
      return tree_unflatten(tree, t)
    return tangent_solve(g, rhs)
  tangent_fn, tc = _convert(tangent, tree, avals, 2, "custom_root", "tangent_solve")
  outs = custom_root_p.bind(*fc, *sc, *tc, *x0, nf=len(fc), ns=len(sc), nt=len(tc), f_fn=f_fn,
                            solve_fn=solve_fn, tangent_fn=tangent_fn)
  return tree_unflatten(tree, outs)


# -- custom_linear_solve ---------------------------------------------------------------
# operands: matvec's consts (nm), solve's (ns), transpose_solve's (nt), b

def _lin_impl(*args, nm, ns, nt, matvec_fn, vecmat_fn, solve_fn, transpose_fn):
  return list(solve_fn(*args[nm:nm + ns], *args[nm + ns + nt:]))


def _lin_abstract_eval(*avals, nm, ns, nt, **params):
  return [ShapedArray(a.shape, a.dtype) for a in avals[nm + ns + nt:]]


custom_linear_solve_p = Primitive("custom_linear_solve", multiple_results=True, impl=_lin_impl,
                                  abstract_eval=_lin_abstract_eval)


def _lin_jvp(primals, tangents, **params):
  nm, ns, nt = params["nm"], params["ns"], params["nt"]
  x = custom_linear_solve_p.bind(*primals, **params)
  mc, dmc = list(primals[:nm]), list(tangents[:nm])
  db = list(tangents[nm + ns + nt:])
  # A x = b  =>  A dx = db - dA x
  rhs: list = [None if type(t) is Zero else t for t in db]
  if any(type(t) is not Zero for t in dmc):
    _, dax = jvp_flat(lambda *c: params["matvec_fn"](*c, *x), mc, dmc)
    rhs = [ew.neg(a) if r is None else ew.sub(r, a) for r, a in zip(rhs, dax)]
  if all(r is None for r in rhs):
    return x, [Zero.like(v) for v in x]
  rhs = [shapes.full_like(v, 0) if r is None else r for r, v in zip(rhs, x)]
  return x, custom_linear_solve_p.bind(*primals[:nm + ns + nt], *rhs, **params)


def _lin_transpose(cts, *args, nm, ns, nt, matvec_fn, vecmat_fn, solve_fn, transpose_fn):
  if any(is_undef(c) for c in args[:nm + ns + nt]):
    raise ValueError("custom_linear_solve is linear in b only, not in the matrix")
  if transpose_fn is None:
    raise NotImplementedError(
        "reverse-mode differentiation (grad, vjp) of custom_linear_solve needs transpose_solve= "
        "(or symmetric=True): the cotangent is a solve with the transposed matrix")
  mc, sc, tc = args[:nm], args[nm:nm + ns], args[nm + ns:nm + ns + nt]
  cts = [instantiate(c) for c in cts]
  # the transpose of b -> A^-1 b is a solve with A^T: the same primitive, roles swapped
  out = custom_linear_solve_p.bind(*mc, *tc, *sc, *cts, nm=nm, ns=nt, nt=ns, matvec_fn=vecmat_fn,
                                   vecmat_fn=matvec_fn, solve_fn=transpose_fn,
                                   transpose_fn=solve_fn)
  return [None] * (nm + ns + nt) + list(out)


def _lin_batch(vals, dims, *, nm, ns, nt, matvec_fn, vecmat_fn, solve_fn, transpose_fn):
  n = next(get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
  vals = _broadcast_all(vals, dims, n)
  nb = len(vals) - nm - ns - nt
  out = custom_linear_solve_p.bind(
      *vals, nm=nm, ns=ns, nt=nt, matvec_fn=_vmapped(matvec_fn, n, nm + nb),
      vecmat_fn=_vmapped(vecmat_fn, n, nm + nb), solve_fn=_vmapped(solve_fn, n, ns + nb),
      transpose_fn=None if transpose_fn is None else _vmapped(transpose_fn, n, nt + nb))
  return out, [0] * len(out)


custom_linear_solve_p.def_jvp(_lin_jvp, symbolic_zeros=True)
custom_linear_solve_p.def_transpose(_lin_transpose)
custom_linear_solve_p.def_batching(_lin_batch)


def custom_linear_solve(matvec: Callable, b: Any, solve: Callable,
                        transpose_solve: Callable | None = None, symmetric: bool = False,
                        has_aux: bool = False) -> Any:
  """The solution ``x`` of ``matvec(x) = b`` computed by ``solve(matvec, b)``, with
  derivatives from the linear system instead of through ``solve``: forward mode solves
  again (``A dx = db - dA x``), reverse mode with ``transpose_solve(vecmat, ct)``
  (``vecmat`` the transpose of ``matvec``; ``symmetric=True`` reuses ``solve``).
  ``matvec`` may close over traced values (the matrix's parameters); ``solve`` and
  ``transpose_solve`` are traced but not differentiated (as JAX).

  >>> import vjpkit, vjpkit.numpy as vnp
  >>> def solve2(a, b):
  ...   mv = lambda x: a @ x
  ...   return custom_linear_solve(mv, b, lambda mv, b: vnp.linalg.solve(a, b),
  ...                              lambda vm, b: vnp.linalg.solve(a.T, b))
  >>> a = np.array([[3.0, 1.0], [1.0, 2.0]])
  >>> solve2(a, np.array([9.0, 8.0]))
  array([2., 3.])
  >>> vjpkit.grad(lambda b: vnp.sum(solve2(a, b)))(np.array([9.0, 8.0]))
  array([0.2, 0.4])
  """
  if has_aux:
    raise NotImplementedError("custom_linear_solve(has_aux=True) is not supported")
  bs, tree = tree_flatten(b)
  bs = [np.asarray(v) if not hasattr(v, "aval") else v for v in bs]
  avals = [get_aval(v).strong() for v in bs]
  matvec_fn, mc = _convert(matvec, tree, avals, 1, "custom_linear_solve", "matvec")
  nm = len(mc)

  def vecmat_fn(*args):
    c, y = list(args[:nm]), list(args[nm:])
    lin, lin_consts = trace_to_jaxpr(lambda *x: matvec_fn(*c, *x), avals)
    cts = backward_pass(lin, lin_consts, y)
    return [shapes.full(a.shape, 0, a.dtype) if type(t) is Zero else t
            for t, a in zip(cts, avals)]

  solve_fn, sc = _convert(lambda v: solve(_tree_fn(matvec_fn, mc, tree), v), tree, avals, 1,
                          "custom_linear_solve", "solve")
  transpose_fn: Any = None
  tc: list = []
  if symmetric:
    transpose_fn, tc = solve_fn, sc
  elif transpose_solve is not None:
    transpose_fn, tc = _convert(lambda v: transpose_solve(_tree_fn(vecmat_fn, mc, tree), v), tree,
                                avals, 1, "custom_linear_solve", "transpose_solve")
  outs = custom_linear_solve_p.bind(*mc, *sc, *tc, *bs, nm=nm, ns=len(sc), nt=len(tc),
                                    matvec_fn=matvec_fn, vecmat_fn=vecmat_fn, solve_fn=solve_fn,
                                    transpose_fn=transpose_fn)
  return tree_unflatten(tree, outs)
