"""``vmap``: the pytree wrapper around ``interpreters.batching.vmap_flat``.

``in_axes``/``out_axes`` are pytree prefixes of the arguments/outputs; every error
names the argument leaf and the sizes involved.
"""
from __future__ import annotations

import collections
import functools
import reprlib
from typing import Any, Callable

import numpy as np

from .api import _check_leaf, _flat_fun, _to_users
from .api_array import has_foreign, route
from .core.avals import get_aval
from .core.errors import check_callable
from .interpreters.batching import vmap_flat
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten

__all__ = ["vmap"]


# -- vmap ----------------------------------------------------------------------

def _axes_for_leaves(spec, tree: PyTreeDef, who: str, what: str) -> list:
  """Expand an axis spec that is a pytree prefix of ``tree`` to one entry per leaf
  (walking both with an explicit stack, so any depth works)."""
  out: list = []
  stack = [(spec, tree)]
  while stack:
    spec, tree = stack.pop()
    if spec is None or (isinstance(spec, (int, np.integer)) and not isinstance(spec, bool)):
      out.extend([None if spec is None else int(spec)] * tree.num_leaves)
      continue
    kind = tree.kind
    if isinstance(spec, dict) and kind is dict:
      if tuple(sorted(spec)) != tree.aux:
        raise ValueError(f"{who}: {what} has keys {sorted(spec)}, but the value has keys "
                         f"{list(tree.aux)}")
      stack.extend((spec[k], c) for k, c in zip(reversed(tree.aux), reversed(tree.children)))
      continue
    sequence_kind = kind in (tuple, list) or (isinstance(kind, tuple) and kind[0] == "namedtuple")
    if isinstance(spec, (tuple, list)) and sequence_kind:
      if len(spec) != len(tree.children):
        raise ValueError(f"{who}: {what} has {len(spec)} entries, but the value it describes "
                         f"has {len(tree.children)} ({tree})")
      stack.extend(zip(reversed(spec), reversed(tree.children)))
      continue
    if not isinstance(spec, (tuple, list, dict)):
      raise TypeError(f"{who}: {what} entries must be integers or None, got {reprlib.repr(spec)}")
    raise ValueError(f"{who}: {what}={reprlib.repr(spec)} does not match the structure {tree}; use "
                     "an int, None, or a tuple/list/dict with one entry per element")
  return out


def _leaf_paths(tree: PyTreeDef, root: str) -> list[str]:
  """A readable name for each leaf of ``tree``, e.g. ``args[1]['w']`` (for error messages)."""
  paths, stack = [], [(tree, root)]
  while stack:
    node, path = stack.pop()
    if node.kind is None:
      paths.append(path)
      continue
    if node.kind in (dict, collections.OrderedDict):
      names = [f"{path}[{k!r}]" for k in node.aux]
    elif isinstance(node.kind, tuple) and node.kind[0] == "namedtuple":
      names = [f"{path}.{f}" for f in node.kind[1]._fields]
    else:
      names = [f"{path}[{i}]" for i in range(len(node.children))]
    stack.extend(reversed(list(zip(node.children, names))))
  return paths


def _mapped_axis_size(flat, dims, names, axis_size) -> int:
  """Normalise negative in_axes in place and return the one size of the mapped axis."""
  sizes = {}
  for i, (x, d) in enumerate(zip(flat, dims)):
    if d is None:
      continue
    shape = get_aval(x).shape
    if not -len(shape) <= d < len(shape):
      raise ValueError(f"vmap: in_axes={d} is out of range for {names[i]} of shape {shape} "
                       f"(rank {len(shape)}); use an axis in [{-len(shape)}, {len(shape) - 1}] "
                       "or None")
    dims[i] = d % len(shape)
    sizes[i] = shape[dims[i]]
  if len(set(sizes.values())) > 1:
    detail = "; ".join(f"{names[i]} has size {n} (axis {dims[i]} of shape "
                       f"{get_aval(flat[i]).shape})" for i, n in sizes.items())
    raise ValueError(f"vmap got inconsistent sizes for the mapped axis: {detail}")
  if not sizes and axis_size is None:
    raise ValueError("vmap needs at least one mapped argument (in_axes not all None) "
                     "or an explicit axis_size")
  n = next(iter(sizes.values())) if sizes else axis_size
  if axis_size is not None and n != axis_size:
    raise ValueError(f"vmap: axis_size={axis_size} but the mapped axis has size {n}")
  return n


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0, axis_name: Any = None,
         axis_size: int | None = None, spmd_axis_name: Any = None) -> Callable:
  """Vectorise ``fun`` over a batch axis of its arguments.

  ``in_axes``/``out_axes``: an int (negative counts from the end), ``None`` (not
  batched: the same value for every batch member), or a pytree prefix of the
  arguments/outputs (a tuple with one entry per positional argument). Keyword
  arguments are mapped over axis 0. ``axis_size`` is needed only when no
  argument is mapped. ``axis_name`` (hashable) names the axis for the collectives of
  ``vjpkit.lax`` (``psum``, ``pmean``, ``all_gather``, ``axis_index``, ...), as in JAX;
  ``spmd_axis_name`` (sharding) must be None.

  Each primitive's batching rule computes the whole batch at once; nothing loops
  over the batch, and vmap composes with grad, jvp, vjp and itself.

  >>> import vjpkit.numpy as vnp
  >>> vmap(lambda x: vnp.sum(x * x))(vnp.asarray([[1.0, 2.0], [3.0, 4.0]]))
  array([ 5., 25.])
  >>> vmap(lambda x, y: x * y, in_axes=(1, None), out_axes=1)(vnp.ones((3, 2)), 2.0)
  array([[2., 2.],
         [2., 2.],
         [2., 2.]])
  """
  check_callable(fun, "vmap")
  if isinstance(axis_size, str) or (axis_size is not None and not isinstance(
      axis_size, (int, np.integer))):
    raise TypeError(f"vmap: axis_size must be an int or None, got {axis_size!r} (vjpkit's "
                    "order is JAX's: vmap(fun, in_axes, out_axes, axis_name, axis_size))")
  if spmd_axis_name is not None:
    raise NotImplementedError("vmap: spmd_axis_name (sharding) is not supported; vjpkit runs "
                              "on one device")
  try:
    hash(axis_name)
  except TypeError:
    raise TypeError(f"vmap: axis_name must be hashable, got {axis_name!r}") from None
  spec = tuple(in_axes) if isinstance(in_axes, list) else in_axes

  @functools.wraps(fun)
  def vmapped(*args, **kwargs):
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      mapped = (None if not isinstance(spec, tuple) else  # NumPy leaves unmapped: concrete
                tuple(i for i, axis in enumerate(spec) if axis is not None))
      if mapped is not None or spec is None:
        mapped = (mapped or ()) + tuple(kwargs)  # keyword arguments are mapped over axis 0
      return route(vmapped, args, kwargs, who="vmap", dynamic_argnums=mapped)
    flat, in_tree = tree_flatten((args, kwargs))
    if isinstance(spec, tuple) and len(spec) != len(args):
      raise ValueError(f"vmap: in_axes has {len(spec)} entries but the function was called "
                       f"with {len(args)} positional argument(s)")
    args_tree, kwargs_tree = in_tree.children
    dims = (_axes_for_leaves(spec, args_tree, "vmap", "in_axes")
            + [0] * kwargs_tree.num_leaves)
    # An unmapped leaf reaches fun as it is (a Python int stays hashable for a static
    # argument of jit, a string stays a string), as in JAX.
    flat = [x if d is None else _check_leaf(x, "vmap", "the argument")
            for x, d in zip(flat, dims)]
    names = _leaf_paths(args_tree, "args") + _leaf_paths(kwargs_tree, "kwargs")
    n = _mapped_axis_size(flat, dims, names, axis_size)
    f, store = _flat_fun(lambda a, k: fun(*a, **k), in_tree, "vmap")
    out_dims: list = []

    def resolve_out_axes(n_out):
      out_dims[:] = _axes_for_leaves(out_axes, store.tree, "vmap", "out_axes")
      return out_dims
    outs = vmap_flat(f, n, flat, dims, resolve_out_axes, axis_name=axis_name)
    # an output with out_axes=None is the same for every member: it may be closed over
    return tree_unflatten(store.tree, _to_users(outs, flat, [d is None for d in out_dims]))
  return vmapped
