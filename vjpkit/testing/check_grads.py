"""Numerical gradient checks: JVPs against central differences, VJPs against JVPs.

``check_grads(f, args, order=2)`` checks, for each differentiable argument in
turn, that

* forward mode agrees with a central finite difference along a random
  direction ``v``: ``jvp(f)(x; v) ≈ (f(x + εv) - f(x - εv)) / 2ε``;
* reverse mode satisfies the dot-product identity ``<u, J v> == <Jᵀ u, v>``
  for a random cotangent ``u``, where ``J v`` is the finite difference;

Complex arguments are perturbed along a real and along an imaginary direction, and
the pairing is JAX's ``<u, v> = Re(sum(u * v))`` (no conjugation: the one that
vjpkit's, JAX's and autograd's transposes satisfy);

and then does the same for the derivative functions themselves up to
``order``. Random directions come from a fixed seed, so a check is repeatable.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..api import jvp, vjp
from ..core.avals import float0, is_inexact
from ..tree_util import tree_flatten, tree_unflatten

_DEFAULT_TOL = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 2e-2, np.dtype(np.float16): 1e-1}
_DEFAULT_EPS = {np.dtype(np.float64): 1e-5, np.dtype(np.float32): 1e-2, np.dtype(np.float16): 1e-1}


class GradientCheckError(AssertionError):
  """A derivative disagrees with its numerical or transposed counterpart."""


def _as_arrays(tree):
  """Leaves as arrays; the float0 cotangents of integer inputs carry nothing, read as zeros."""
  leaves, t = tree_flatten(tree)
  arrays = [np.asarray(x) for x in leaves]
  return [np.zeros(a.shape) if a.dtype == float0 else a for a in arrays], t


def _wide(x) -> np.ndarray:
  """``x`` in float64, or complex128 when complex (differences and errors in full precision)."""
  x = np.asarray(x)
  return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def _inner(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> float:
  """The real pairing Re(sum(x * y)) over leaves (no conjugation)."""
  return float(sum(np.real(np.sum(_wide(x) * _wide(y))) for x, y in zip(xs, ys)))


def _random_like(rng, x: np.ndarray, imaginary: bool = False) -> np.ndarray:
  """A random direction of ``x``'s dtype (zeros for integers); ``imaginary``: purely
  imaginary (for complex ``x``); a complex ``x`` gets complex entries otherwise."""
  if not is_inexact(x.dtype):
    return np.zeros(x.shape)
  r = rng.standard_normal(x.shape)
  if x.dtype.kind == "c":
    r = 1j * r if imaginary else r + 1j * rng.standard_normal(x.shape)
  return r.astype(x.dtype)


def _directions(a: np.ndarray) -> tuple[bool, ...]:
  """The perturbations of an argument: real, then (complex ones) imaginary."""
  return (False, True) if a.dtype.kind == "c" else (False,)


def numerical_jvp(f: Callable, args: Sequence[Any], tangents: Sequence[Any], eps: float) -> list:
  """Central difference of ``f`` at ``args`` along ``tangents`` (flat output leaves)."""
  plus = [a + eps * t if is_inexact(np.asarray(a).dtype) else a for a, t in zip(args, tangents)]
  minus = [a - eps * t if is_inexact(np.asarray(a).dtype) else a for a, t in zip(args, tangents)]
  fp, _ = _as_arrays(f(*plus))
  fm, _ = _as_arrays(f(*minus))
  return [(_wide(p) - _wide(m)) / (2 * eps) for p, m in zip(fp, fm)]


def _worst(expected: Sequence[np.ndarray], actual: Sequence[np.ndarray]) -> tuple[float, str]:
  worst, where = 0.0, ""
  for k, (e, a) in enumerate(zip(expected, actual)):
    err = np.abs(_wide(a) - _wide(e))
    if err.size and float(np.max(err)) >= worst:
      idx = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
      worst = float(np.max(err))
      where = (f"output leaf {k}, index {tuple(int(i) for i in idx)}: got {np.asarray(a)[idx]!r}, "
               f"expected {np.asarray(e)[idx]!r}")
  return worst, where


def _close(expected, actual, atol, rtol) -> bool:
  return all(np.allclose(_wide(a), _wide(e), atol=atol, rtol=rtol, equal_nan=True)
             for e, a in zip(expected, actual))


def _tols(args, atol, rtol, eps):
  dtypes = [np.empty((), np.asarray(a).dtype).real.dtype for a in args
            if is_inexact(np.asarray(a).dtype)]
  low = min(dtypes, key=lambda d: d.itemsize) if dtypes else np.dtype(np.float64)
  return (_DEFAULT_TOL.get(low, 1e-5) if atol is None else atol,
          _DEFAULT_TOL.get(low, 1e-5) if rtol is None else rtol,
          _DEFAULT_EPS.get(low, 1e-5) if eps is None else eps)


def check_jvp(f: Callable, args: Sequence[Any], *, atol=None, rtol=None, eps=None,
              rng: np.random.Generator | None = None, label: str = "") -> None:
  """Forward mode against central differences, one argument at a time."""
  args = [np.asarray(a) for a in args]
  atol, rtol, eps = _tols(args, atol, rtol, eps)
  rng = rng or np.random.default_rng(0)
  for i, a in enumerate(args):
    if not is_inexact(a.dtype):
      continue
    for imaginary in _directions(a):
      tangents = [_random_like(rng, x, imaginary) if j == i else np.zeros_like(x)
                  for j, x in enumerate(args)]
      _, t_out = jvp(f, tuple(args), tuple(tangents))
      actual, _ = _as_arrays(t_out)
      expected = numerical_jvp(f, args, tangents, eps)
      if not _close(expected, actual, atol, rtol):
        err, where = _worst(expected, actual)
        along = " along an imaginary direction" if imaginary else ""
        raise GradientCheckError(
            f"JVP check failed{label} (mode fwd) for argument {i}{along}: largest error "
            f"{err:.3g} at {where} (finite differences with eps={eps}, atol={atol}, rtol={rtol})")


def check_vjp(f: Callable, args: Sequence[Any], *, atol=None, rtol=None, eps=None,
              rng: np.random.Generator | None = None, label: str = "") -> None:
  """Reverse mode by the dot-product identity ``<u, J v> == <Jᵀ u, v>``."""
  args = [np.asarray(a) for a in args]
  atol, rtol, eps = _tols(args, atol, rtol, eps)
  rng = rng or np.random.default_rng(1)
  out, f_vjp = vjp(f, *args)
  out_leaves, out_tree = _as_arrays(out)
  u = [_random_like(rng, o) for o in out_leaves]
  cts = f_vjp(tree_unflatten(out_tree, u))
  for i, a in enumerate(args):
    if not is_inexact(a.dtype):
      continue
    for imaginary in _directions(a):
      v = [_random_like(rng, x, imaginary) if j == i else np.zeros_like(x)
           for j, x in enumerate(args)]
      jv = numerical_jvp(f, args, v, eps)
      lhs = _inner(u, jv)
      rhs = _inner(tree_flatten(cts[i])[0], [v[i]])
      scale = max(1.0, abs(lhs), abs(rhs))
      if not abs(lhs - rhs) <= atol * scale + rtol * scale:
        along = " along an imaginary direction" if imaginary else ""
        raise GradientCheckError(
            f"VJP check failed{label} (mode rev) for argument {i}{along}: <u, J v> = "
            f"{lhs:.10g} (finite differences) but <J^T u, v> = {rhs:.10g}; error "
            f"{abs(lhs - rhs):.3g}")


def check_grads(f: Callable, args: Sequence[Any], order: int = 2,
                modes: Sequence[str] = ("fwd", "rev"), atol=None, rtol=None, eps=None) -> None:
  """Check ``f``'s derivatives up to ``order`` in the given modes; raise on disagreement.

  >>> import vjpkit.numpy as vnp
  >>> check_grads(lambda x: vnp.sin(x) * x, (np.array([0.5, 1.0]),), order=2)
  """
  args = tuple(np.asarray(a) for a in args)
  rng = np.random.default_rng(0)
  for mode in modes:
    if mode not in ("fwd", "rev"):
      raise ValueError(f"check_grads: unknown mode {mode!r} (use 'fwd' and/or 'rev')")

  def check(f, args, k):
    label = f" at order {k}"
    if "fwd" in modes:
      check_jvp(f, args, atol=atol, rtol=rtol, eps=eps, rng=rng, label=label)
    if "rev" in modes:
      check_vjp(f, args, atol=atol, rtol=rtol, eps=eps, rng=rng, label=label)
    if k >= order:
      return
    if "fwd" in modes:
      tangents = tuple(_random_like(rng, a) for a in args)
      check(lambda *xs: jvp(f, xs, tangents)[1], args, k + 1)
    if "rev" in modes:
      out = f(*args)
      u_leaves, u_tree = _as_arrays(out)
      u = tree_unflatten(u_tree, [_random_like(rng, o) for o in u_leaves])
      check(lambda *xs: vjp(f, *xs)[1](u), args, k + 1)
  check(f, args, 1)
