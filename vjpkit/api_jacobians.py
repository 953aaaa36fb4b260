"""Jacobians in numerator layout (``jacfwd``, ``jacrev``) and ``hessian``.

``jacrev(f)(x).shape == f(x).shape + x.shape``; with pytrees the result is a pytree of
blocks, the output structure outside and the input structure inside.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from . import lax
from .api import (_argnums_tuple, _arg_leaves, _flat_fun, _flatten_args, _OutStore, _partial,
                  _split_aux, _to_users, check_argnums)
from .api_array import has_foreign, route
from .core.avals import ShapedArray, get_aval
from .core.errors import check_callable, check_output_dtype
from .core.zeros import Zero, instantiate
from .interpreters.batching import vmap_flat
from .interpreters.jvp import jvp_flat
from .interpreters.linearize import linearize_flat
from .passes.dce import dce_closed
from .tree_util import PyTreeDef, tree_unflatten

__all__ = ["jacfwd", "jacrev", "hessian"]


# -- Jacobians (numerator layout) and Hessians ------------------------------------
#
# A Jacobian is a batch of VJPs (one per output element: jacrev) or of JVPs (one per
# input element: jacfwd), so both are vmaps over the standard basis. Each leaf gets its
# own basis, and the other leaves' (co)tangents stay symbolic zeros: no identity matrix
# over all outputs or inputs together is ever built.

def _basis(aval) -> np.ndarray:
  """The standard basis of the space of ``aval``: ``e_k`` is row ``k``, in C order."""
  return np.eye(aval.size, dtype=aval.dtype).reshape((aval.size,) + aval.shape)


def _check_jac_outputs(outs: Sequence[Any], who: str, holomorphic: bool) -> None:
  """jacrev needs real outputs (complex ones with ``holomorphic``); jacfwd takes real or
  complex ones (only complex with ``holomorphic``)."""
  for k, y in enumerate(outs):
    dtype = get_aval(y).dtype
    if dtype.kind not in "fc":
      raise TypeError(f"{who} requires floating-point outputs, but output leaf {k} has "
                      f"dtype {dtype.name}; convert it (e.g. .astype(float)) or return it "
                      "as aux with has_aux=True")
    if who == "jacrev" or holomorphic:
      check_output_dtype(dtype, who, holomorphic, "vjp")


def _jac_setup(fun, args, kwargs, argnums, has_aux: bool, who: str, holomorphic: bool):
  """The flat function of the differentiated arguments, their leaves and structure, and
  the store where the function leaves its output (and aux) structure."""
  partial_f, dyn = _partial(fun, args, kwargs, argnums, who, holomorphic, who != "jacrev")
  flat, in_tree = _flatten_args(dyn, who, weak=True)
  f, store = _flat_fun(partial_f, in_tree, who)
  return (_split_aux(f, store, who) if has_aux else f), flat, in_tree, store


def _jac_result(blocks, store: _OutStore, in_tree: PyTreeDef, argnums, has_aux: bool, aux,
                aux_constant: Sequence[bool], args: tuple, kwargs: dict):
  """Blocks ``blocks[j][i]`` (output leaf j, input leaf i) as a pytree of pytrees: the
  output structure outside, the differentiated arguments' structure inside; with
  ``has_aux``, paired with the aux leaves ``aux`` as a pytree. No result shares memory
  with the arguments ``args``/``kwargs`` or another result, nor is an aux leaf flagged in
  ``aux_constant`` (one that may be a closed-over array)."""
  inner = in_tree if isinstance(argnums, (tuple, list)) else in_tree.children[0]
  flat = [b for row in blocks for b in row]
  results = _to_users(flat + list(aux), _arg_leaves(args, kwargs),
                      [False] * len(flat) + list(aux_constant))
  it = iter(results)
  jac = tree_unflatten(store.tree, [tree_unflatten(inner, [next(it) for _ in row])
                                    for row in blocks])
  return (jac, tree_unflatten(store.aux_tree, list(it))) if has_aux else jac


def _zero_block(shape, dtype):
  return instantiate(Zero(ShapedArray(shape, dtype)))


def _vjp_rows(lin, j: int, y_aval, in_avals) -> list:
  """The blocks of output leaf ``j``: its VJPs with every basis cotangent, as one vmap."""
  if y_aval.size == 0:
    return [_zero_block(y_aval.shape + a.shape, a.dtype) for a in in_avals]
  if y_aval.size == 1:  # a scalar loss: one VJP, no batch of one (the same values)
    cts = lin.transpose([np.ones(y_aval.shape, y_aval.dtype) if k == j else Zero(a)
                         for k, a in enumerate(lin.out_avals)])
    return [_zero_block(y_aval.shape + a.shape, a.dtype) if type(c) is Zero
            else lax.reshape(c, y_aval.shape + a.shape) for a, c in zip(in_avals, cts)]
  zero: list[bool] = []

  def pullback(ct):
    cts = lin.transpose([ct if k == j else Zero(a) for k, a in enumerate(lin.out_avals)])
    zero[:] = [type(c) is Zero for c in cts]
    return [c for c in cts if type(c) is not Zero]
  live = iter(vmap_flat(pullback, y_aval.size, [_basis(y_aval)], [0], lambda n: [0] * n))
  return [_zero_block(y_aval.shape + a.shape, a.dtype) if z
          else lax.reshape(next(live), y_aval.shape + a.shape) for a, z in zip(in_avals, zero)]


def jacrev(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
  """The Jacobian of ``fun`` by reverse mode: one batched VJP per output leaf.

  Numerator layout, as in JAX: ``jacrev(f)(x).shape == f(x).shape + x.shape``,
  entry ``[i..., j...]`` is ``∂f[i...]/∂x[j...]``, so row ``i`` is the VJP with the
  basis cotangent ``e_i``. For pytrees the result is a pytree of blocks: the
  output's structure outside, the differentiated argument's inside (a tuple of
  those for a tuple ``argnums``). Cheaper than ``jacfwd`` when the outputs are
  fewer than the inputs. For a scalar loss the Jacobian is the gradient: a
  1 × n row in numerator layout, which ``grad`` returns shaped like ``x``
  (the denominator-layout column, its transpose).

  >>> import vjpkit.numpy as vnp
  >>> W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  >>> jacrev(lambda x: W @ x)(np.ones(3))              # (2,) + (3,)
  array([[1., 2., 3.],
         [4., 5., 6.]])
  >>> J = jacrev(lambda W, x: vnp.tanh(W @ x), argnums=(0, 1))(W, np.zeros(3))
  >>> J[0].shape, J[1].shape                          # blocks for W and for x
  ((2, 2, 3), (2, 3))
  """
  check_callable(fun, "jacrev")
  check_argnums(argnums, "jacrev")
  @functools.wraps(fun)
  def jacrev_f(*args, **kwargs):
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      return route(jacrev_f, args, kwargs, who="jacrev",
                   dynamic_argnums=_argnums_tuple(argnums, len(args), "jacrev"))
    f, flat, in_tree, store = _jac_setup(fun, args, kwargs, argnums, has_aux, "jacrev",
                                            holomorphic)
    out, lin = linearize_flat(f, flat, dce=False, who="jacrev")
    n_out = store.n_out if has_aux else len(out)
    _check_jac_outputs(out[:n_out], "jacrev", holomorphic)
    if n_out != 1 or get_aval(out[0]).size != 1:  # several VJPs: drop dead tangent work once
      lin.jaxpr, lin.consts = dce_closed(lin.jaxpr, lin.consts)
    in_avals = [get_aval(x) for x in flat]
    blocks = [_vjp_rows(lin, j, get_aval(y), in_avals) for j, y in enumerate(out[:n_out])]
    return _jac_result(blocks, store, in_tree, argnums, has_aux, out[n_out:],
                       [not live for live in lin.out_live[n_out:]], args, kwargs)
  return jacrev_f


def _jvp_columns(f, flat, i: int, in_avals):
  """The outputs of ``f`` and the blocks of input leaf ``i`` (its JVPs with every basis
  tangent, as one vmap); a block is ``None`` where the output does not depend on it."""
  x = in_avals[i]
  n_y: list[int] = []
  nonzero: list[bool] = []

  def push(t):
    tangents = [t if k == i else Zero(a) for k, a in enumerate(in_avals)]
    ys, ts = jvp_flat(f, flat, tangents, instantiate_zeros=False, who="jacfwd")
    n_y[:] = [len(ys)]
    nonzero[:] = [type(t) is not Zero for t in ts]
    return list(ys) + [t for t in ts if type(t) is not Zero]
  res = vmap_flat(push, x.size, [_basis(x)], [0],
                  lambda n: [None] * n_y[0] + [-1] * (n - n_y[0]))
  ys, live = res[:n_y[0]], iter(res[n_y[0]:])
  return ys, [lax.reshape(next(live), get_aval(y).shape + x.shape) if nz else None
              for y, nz in zip(ys, nonzero)]


def jacfwd(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
  """The Jacobian of ``fun`` by forward mode: one batched JVP per input leaf.

  Same numerator layout and pytree blocks as ``jacrev`` (``jacfwd(f)(x).shape ==
  f(x).shape + x.shape``; column ``j`` is the JVP with the basis tangent ``e_j``);
  cheaper when the inputs are fewer than the outputs. Each input leaf's pass also
  evaluates ``fun`` itself (unbatched), so ``fun`` runs once per input leaf.

  >>> import vjpkit.numpy as vnp
  >>> jacfwd(lambda x: vnp.stack([x[0] * x[1], vnp.sin(x[0])]))(np.array([0.0, 3.0]))
  array([[3., 0.],
         [1., 0.]])
  >>> jacfwd(lambda x: {"sq": x * x, "sum": vnp.sum(x)})(np.array([1.0, 2.0]))["sq"]
  array([[2., 0.],
         [0., 4.]])
  """
  check_callable(fun, "jacfwd")
  check_argnums(argnums, "jacfwd")
  return _jacfwd(fun, argnums, has_aux, holomorphic, "jacfwd")


def _jacfwd(fun: Callable, argnums, has_aux: bool, holomorphic: bool, who: str) -> Callable:
  """``jacfwd``'s function; its arguments are checked as ``who``'s (jacfwd or hessian)."""
  @functools.wraps(fun)
  def jacfwd_f(*args, **kwargs):
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      return route(jacfwd_f, args, kwargs, who=who,
                   dynamic_argnums=_argnums_tuple(argnums, len(args), who))
    f, flat, in_tree, store = _jac_setup(fun, args, kwargs, argnums, has_aux, who, holomorphic)
    in_avals = [get_aval(x) for x in flat]
    columns, ys = [], None
    for i, a in enumerate(in_avals):
      if a.size:
        ys, col = _jvp_columns(f, flat, i, in_avals)
        columns.append(col)
      else:
        columns.append(None)
    if ys is None:  # nothing to perturb: the outputs alone give the block shapes
      ys = f(*flat)
    n_out = store.n_out if has_aux else len(ys)
    _check_jac_outputs(ys[:n_out], "jacfwd", holomorphic)
    blocks = [[_zero_block(get_aval(y).shape + a.shape, get_aval(y).dtype)
               if col is None or col[j] is None else col[j]
               for a, col in zip(in_avals, columns)] for j, y in enumerate(ys[:n_out])]
    # whether an aux output depends on the inputs is not recorded: it may be closed over
    return _jac_result(blocks, store, in_tree, argnums, has_aux, ys[n_out:],
                       [True] * (len(ys) - n_out), args, kwargs)
  return jacfwd_f


def hessian(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
            holomorphic: bool = False) -> Callable:
  """The Hessian of a scalar ``fun``: ``jacfwd(jacrev(fun))`` (forward over reverse).

  For a pytree argument the result is nested blocks: ``hessian(f)(p)[a][b]`` is
  ``∂²f/∂p[a]∂p[b]`` with shape ``p[a].shape + p[b].shape``. To multiply by a vector
  without building the matrix, take a Hessian-vector product, the JVP of the
  gradient (forward over reverse): ``jvp(grad(f), (x,), (v,))[1]``.

  >>> import vjpkit.numpy as vnp
  >>> from vjpkit import grad, jvp
  >>> f = lambda x: vnp.sum(x ** 3)
  >>> hessian(f)(np.array([1.0, 2.0]))                 # diag(6 x)
  array([[ 6.,  0.],
         [ 0., 12.]])
  >>> jvp(grad(f), (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))[1]   # H v
  array([ 6., 12.])
  """
  check_callable(fun, "hessian")
  check_argnums(argnums, "hessian")
  return _jacfwd(jacrev(fun, argnums, has_aux, holomorphic), argnums, has_aux, holomorphic,
                 "hessian")  # bad arguments are named as hessian's
