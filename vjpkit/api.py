"""The differentiation transforms: grad, value_and_grad, vjp, jvp, linearize,
linear_transpose, and make_jaxpr (vmap: ``api_vmap``; Jacobians: ``api_jacobians``;
jit: ``api_jit``).

Each is a thin pytree wrapper around a ``*_flat`` core in ``vjpkit.interpreters``:
flatten the arguments, check them, run the core on flat lists, unflatten.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .api_array import has_foreign, linearize_foreign, route, vjp_foreign
from .core.aliasing import Held, detached, unaliased
from .core.avals import arg_aval, float0, get_aval, is_array_value, is_inexact, is_weak_scalar
from .core.errors import check_callable, check_output_dtype, describe_value
from .core.ir import ClosedJaxpr, Jaxpr, Var
from .core.trace import Tracer
from .core.zeros import Zero, instantiate
from .interpreters.eval import eval_jaxpr
from .interpreters.jvp import jvp_flat
from .interpreters.linearize import check_cotangents, linearize_flat
from .interpreters.partial_eval import trace_to_jaxpr
from .interpreters.transpose import backward_pass, transpose_rules
from .passes.dce import dce_closed
from .tree_util import PyTreeDef, tree_flatten, tree_unflatten

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "linearize", "make_jaxpr", "linear_transpose"]


# -- pytree plumbing ----------------------------------------------------------------

def _check_leaf(x, who: str, what: str, weak: bool = False):
  """A transform input leaf as an array or tracer; anything else is a TypeError.

  ``weak``: Python ints, floats and complexes stay as they are, so that the transform
  gives them weak avals (see ``vjpkit.core.avals``); otherwise they become arrays."""
  if isinstance(x, Tracer):
    return x
  if isinstance(x, (bool, int, float, complex)):
    return x if weak and is_weak_scalar(x) else np.asarray(x)
  if is_array_value(x):
    get_aval(x)  # rejects object and string arrays
    return x
  raise TypeError(
      f"{who}: {what} contains a value of type {type(x).__name__!r}, which is not an array. "
      "Arguments must be arrays, numbers, or pytrees of them (tuples, lists, dicts, "
      "namedtuples, None); register other containers with "
      "vjpkit.tree_util.register_pytree_node.")


def _flatten_args(args, who: str, what: str = "the argument",
                  weak: bool = False) -> tuple[list, PyTreeDef]:
  leaves, tree = tree_flatten(args)
  return [_check_leaf(x, who, what, weak) for x in leaves], tree


class _OutStore:
  """Where a flattened function leaves the structure of its output (and aux, if split)."""
  __slots__ = ("tree", "n_out", "aux_tree")

  def __init__(self):
    self.tree = self.n_out = self.aux_tree = None


def _flat_fun(fun: Callable, in_tree: PyTreeDef, who: str) -> tuple[Callable, _OutStore]:
  store = _OutStore()

  def flat(*leaves):
    out = fun(*tree_unflatten(in_tree, leaves))
    out_leaves, store.tree = tree_flatten(out)
    return [_check_leaf(x, who, "the function's output") for x in out_leaves]
  return flat, store


def _to_users(xs: Sequence[Any], protected: Iterable[Any] = (),
              constant: Sequence[bool] | None = None, held: Held | None = None) -> list:
  """A transform's concrete results as users get them: ordinary NumPy values, NumPy
  scalars for 0-d results (as NumPy's own reductions return), and writable arrays that
  share memory with nothing in ``protected`` (the caller's inputs, tangents or cotangents,
  the residuals a later call reads), with no other result, and with no constant (outputs
  flagged in ``constant`` depend on no input, so they may be closed-over arrays): such
  results are copies (``core.aliasing``)."""
  return unaliased(list(xs), protected, constant, scalars=True, held=held)


def _arg_leaves(args: tuple, kwargs: dict | None = None, known: Sequence[Any] = (),
                known_nums: Sequence[int] = ()) -> Iterator[Any]:
  """The leaves of a call's arguments, generated (walked only if a result needs checking);
  ``known`` are the leaves of the arguments ``known_nums``, already flattened."""
  yield from known
  for i, a in enumerate(args):
    if i in known_nums:
      continue
    if isinstance(a, np.ndarray):
      yield a
    else:
      yield from tree_flatten(a)[0]
  if kwargs:
    yield from tree_flatten(kwargs)[0]


def _is_index(i) -> bool:
  return isinstance(i, (int, np.integer)) and not isinstance(i, bool)


def check_argnums(argnums, who: str) -> tuple[int, ...]:
  """``argnums`` as a tuple of positions, checked when a transform is created: an int,
  or a tuple (or list) of ints naming each position once."""
  if _is_index(argnums):
    return (int(argnums),)
  if not isinstance(argnums, (tuple, list)) or not all(_is_index(i) for i in argnums):
    hint = " (did you mean has_aux=True?)" if isinstance(argnums, bool) else ""
    raise TypeError(f"{who}: argnums must be an int or a tuple of ints (the positions of the "
                    f"arguments to differentiate), got {describe_value(argnums)}{hint}")
  nums = tuple(int(i) for i in argnums)
  for k, i in enumerate(nums):
    if i in nums[:k]:
      raise ValueError(f"{who}: argnums={argnums!r} repeats position {i}: each argument can "
                       "be differentiated once; remove the repeat, argnums="
                       f"{tuple(dict.fromkeys(nums))!r}")
  return nums


def _argnums_tuple(argnums, nargs: int, who: str) -> tuple[int, ...]:
  """The checked ``argnums`` as non-negative positions for a call with ``nargs`` arguments."""
  nums = check_argnums(argnums, who)
  for i in nums:
    if not -nargs <= i < nargs:
      raise TypeError(f"{who}: argnums={argnums} refers to positional argument {i}, but the "
                      f"function was called with {nargs} positional argument(s)")
  out = tuple(i % nargs for i in nums)
  for k, i in enumerate(out):
    if i in out[:k]:
      raise ValueError(f"{who}: argnums={argnums!r} refers to positional argument {i} twice "
                       f"(as {nums[out.index(i)]} and {nums[k]}) in a call with {nargs} "
                       "positional arguments: each argument can be differentiated once")
  return out


# -- forward mode -------------------------------------------------------------------

def jvp(fun: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
  """Evaluate ``fun`` and its directional derivative (a Jacobian-vector product).

  >>> import vjpkit.numpy as vnp
  >>> y, t = jvp(vnp.sin, (0.0,), (2.0,))
  >>> float(y), float(t)
  (0.0, 2.0)
  """
  check_callable(fun, "jvp")
  if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
    raise TypeError("jvp: primals and tangents must be tuples or lists of arguments, "
                    f"got {type(primals).__name__} and {type(tangents).__name__}")
  if has_foreign((primals, tangents)):  # Dask, CuPy, ...: run there (api_array)
    return route(lambda p, t: jvp(fun, p, t), (tuple(primals), tuple(tangents)), {}, who="jvp")
  flat_p, tree_p = _flatten_args(tuple(primals), "jvp", "primals", weak=True)
  flat_t, tree_t = _flatten_args(tuple(tangents), "jvp", "tangents")
  if tree_p != tree_t:
    raise ValueError(f"jvp: primals and tangents must have the same structure, got {tree_p} "
                     f"and {tree_t}")
  for i, (p, t) in enumerate(zip(flat_p, flat_t)):
    ap, at = get_aval(p), get_aval(t)
    if ap.shape != at.shape or (is_inexact(ap.dtype) and ap.dtype != at.dtype):
      raise ValueError(f"jvp: tangent {i} has shape/dtype {at.str_short()} but its primal has "
                       f"{ap.str_short()}; they must match.")
  given = flat_p + flat_t
  flat_t = [t if is_inexact(get_aval(p).dtype) else Zero.like(p) for p, t in zip(flat_p, flat_t)]
  f, store = _flat_fun(fun, tree_p, "jvp")
  out_p, out_t = jvp_flat(lambda *xs: f(*xs), flat_p, flat_t, instantiate_zeros=False, who="jvp")
  n = len(out_p)
  constant = [type(t) is Zero for t in out_t] + [False] * n  # a constant may be closed over
  outs = _to_users(out_p + [instantiate(t) for t in out_t], given, constant)
  return tree_unflatten(store.tree, outs[:n]), tree_unflatten(store.tree, outs[n:])


def linearize(fun: Callable, *primals) -> tuple[Any, Callable]:
  """``fun(*primals)`` and its linearization, a function of tangents.

  The primal computation happens once; the returned function only runs the
  recorded linear program. It is an ordinary traceable function, so ``vmap`` and
  ``jit`` accept it, and ``linear_transpose(f_jvp, *primals)`` is the VJP.

  >>> import vjpkit.numpy as vnp
  >>> y, f_jvp = linearize(vnp.exp, 0.0)
  >>> float(f_jvp(3.0))
  3.0
  >>> linear_transpose(f_jvp, 0.0)(2.0)
  (np.float64(2.0),)
  """
  check_callable(fun, "linearize")
  if has_foreign(primals):  # Dask, CuPy, ...: run there (api_array)
    return linearize_foreign(linearize, fun, primals)
  flat, in_tree = _flatten_args(primals, "linearize", weak=True)
  f, store = _flat_fun(fun, in_tree, "linearize")
  out, lin = linearize_flat(f, flat, who="linearize")
  out_tree = store.tree
  detached(lin.consts, flat)  # later writes into the inputs do not change f_jvp
  held = Held([*flat, *lin.consts])  # what a later call of f_jvp reads (and the inputs)

  def f_jvp(*tangents):
    flat_t, tree_t = _flatten_args(tangents, "linearize", "tangents")
    if tree_t != in_tree:
      raise ValueError(f"linearized function: tangents have structure {tree_t}, expected {in_tree}")
    for i, (t, a) in enumerate(zip(flat_t, lin.in_avals)):
      if get_aval(t).shape != a.shape:
        raise ValueError(f"linearized function: tangent {i} has shape {get_aval(t).shape}, "
                         f"expected {a.shape}")
    return tree_unflatten(out_tree, _to_users(lin(flat_t), flat_t, held=held))
  outs = _to_users(out, (), [not live for live in lin.out_live], held)
  return tree_unflatten(out_tree, outs), f_jvp


# -- reverse mode -------------------------------------------------------------------

def vjp(fun: Callable, *primals, has_aux: bool = False):
  """``fun(*primals)`` and a function pulling output cotangents back to the inputs.

  The returned ``f_vjp(ct)`` gives a tuple with one cotangent per primal. It
  runs the transposed linear program only: the forward pass is not repeated.

  >>> import numpy as np
  >>> W, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
  >>> y, f_vjp = vjp(lambda W, x: W @ x, W, x)
  >>> gW, gx = f_vjp(np.array([1.0, 0.0]))   # g x^T and W^T g
  >>> gW
  array([[ 1., -1.],
         [ 0.,  0.]])
  >>> gx
  array([1., 2.])
  """
  check_callable(fun, "vjp")
  if has_foreign(primals):  # Dask, CuPy, ...: run there (api_array)
    return vjp_foreign(vjp, fun, primals, has_aux)
  flat, in_tree = _flatten_args(primals, "vjp", weak=True)
  f, store = _flat_fun(fun, in_tree, "vjp")
  if has_aux:
    f = _split_aux(f, store, "vjp")
  out, lin = linearize_flat(f, flat, who="vjp")
  out_tree, aux = store.tree, None
  detached(lin.consts, flat)  # later writes into the inputs do not change f_vjp
  held = Held([*flat, *lin.consts])  # what a later call of f_vjp reads (and the inputs)
  n_out = store.n_out if has_aux else len(out)
  out_avals = [get_aval(x) for x in out[:n_out]]
  outs = _to_users(out, (), [not live for live in lin.out_live], held)
  if has_aux:
    aux = tree_unflatten(store.aux_tree, outs[n_out:])

  def f_vjp(ct):
    flat_ct = _flat_cotangent(ct, out_tree, out_avals, "vjp function")
    cts = lin.transpose(flat_ct + [Zero(a) for a in lin.out_avals[len(flat_ct):]])
    return tree_unflatten(in_tree, _to_users([_zero_ct(c) for c in cts], flat_ct, held=held))
  primal_out = tree_unflatten(out_tree, outs[:n_out])
  return (primal_out, f_vjp, aux) if has_aux else (primal_out, f_vjp)


def _flat_cotangent(ct, out_tree: PyTreeDef, out_avals, who: str) -> list:
  """The leaves of a user's cotangent, checked against the output's structure and types."""
  flat_ct, ct_tree = _flatten_args(ct, who, "the cotangent")
  if ct_tree != out_tree:
    raise ValueError(f"{who}: the cotangent has structure {ct_tree}, but the "
                     f"function's output has structure {out_tree}")
  check_cotangents(flat_ct, out_avals, who)
  return flat_ct


def _zero_ct(ct):
  if type(ct) is Zero:
    if ct.aval.dtype == float0:
      return np.zeros(ct.aval.shape, float0)
    return np.zeros(ct.aval.shape, ct.aval.dtype)
  return ct


def _split_aux(f, store, who):
  """Wrap a flat ``f`` returning ``(out, aux)``: outputs first, then aux leaves."""
  def g(*leaves):
    outs = f(*leaves)
    tree = store.tree
    if tree.kind is not tuple or len(tree.children) != 2:
      raise TypeError(f"{who} with has_aux=True: the function must return a pair (output, aux), "
                      f"got a value of structure {tree}")
    store.n_out = tree.children[0].num_leaves
    store.aux_tree = tree.children[1]
    store.tree = tree.children[0]
    return outs
  return g


def value_and_grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False) -> Callable:
  """A function returning ``(fun(*args), grad(fun)(*args))`` from one forward pass.

  ``holomorphic`` is as for ``grad``.

  >>> import vjpkit.numpy as vnp
  >>> v, g = value_and_grad(lambda x: vnp.sum(x ** 2))(vnp.asarray([1.0, 2.0]))
  >>> float(v), g
  (5.0, array([2., 4.]))
  """
  return _value_and_grad(fun, argnums, has_aux, "value_and_grad", holomorphic)


def _value_and_grad(fun: Callable, argnums, has_aux: bool, who: str,
                    holomorphic: bool = False, value: bool = True) -> Callable:
  """``value_and_grad`` (``value=False``: ``grad``, the gradient alone)."""
  check_callable(fun, who)
  nums0 = check_argnums(argnums, who)  # bad argnums fail here, not at the first call
  single = _is_index(argnums)
  first = nums0[0] if single else None
  fast = single and not has_aux
  @functools.wraps(fun)
  def value_and_grad_f(*args, **kwargs):
    # vjp, specialised: one linearization, one transpose with a unit seed, and as
    # little pytree work as possible (this wrapper is most of the overhead of a
    # gradient of a small function)
    nargs = len(args)
    nums = (first % nargs,) if single and -nargs <= first < nargs else \
        _argnums_tuple(argnums, nargs, who)
    if has_foreign(args) or (kwargs and has_foreign(kwargs)):  # Dask, CuPy, ...: api_array
      return route(value_and_grad_f, args, kwargs, who=who, dynamic_argnums=nums)
    if fast and type(args[nums[0]]) in _PLAIN_LEAVES:
      return _grad_of_leaf(fun, args, kwargs, nums[0], who, holomorphic, value)
    diff = [args[i] for i in nums]
    if all(type(a) in _PLAIN_LEAVES for a in diff):  # no containers: skip the pytree work
      flat, in_tree = diff, None
      for x, i in zip(flat, nums):
        _check_grad_input(x, i, who, holomorphic)
    else:
      flat, in_tree = tree_flatten(tuple(diff))
      _check_grad_inputs(flat, in_tree, nums, who, holomorphic)
    flat = [_check_leaf(x, "grad", "the argument", weak=True) for x in flat]
    store = _OutStore()

    def flat_f(*leaves):
      full = list(args)
      for i, x in zip(nums, leaves if in_tree is None else tree_unflatten(in_tree, leaves)):
        full[i] = x
      out = fun(*full, **kwargs)
      if has_aux:
        if not isinstance(out, tuple) or len(out) != 2:
          raise TypeError("grad with has_aux=True: the function must return a pair "
                          f"(output, aux), got a value of type {type(out).__name__}")
        out, aux = out
        aux_leaves, store.aux_tree = tree_flatten(aux)
      else:
        aux_leaves = []
      out_leaves, store.tree = tree_flatten(out)
      store.n_out = len(out_leaves)
      return [_check_leaf(x, "grad", "the function's output") for x in out_leaves + aux_leaves]
    outs, lin = linearize_flat(flat_f, flat, dce=False, who=who)
    n_out = store.n_out
    _check_single_output(outs[:n_out], store.tree, who, holomorphic)
    cts = lin.transpose([_one(get_aval(outs[0]).dtype)] + [Zero(a) for a in lin.out_avals[1:]])
    # the caller's arguments, and no other result, share memory with what is returned; an
    # aux output that depends on no differentiated input may be a closed-over array
    constant = [not live for live in lin.out_live] + [False] * len(cts) if has_aux else None
    results = _to_users(outs + [_zero_ct(c) for c in cts],
                        _arg_leaves(args, kwargs, flat, nums), constant)
    cts = results[len(outs):]
    g = cts if in_tree is None else tree_unflatten(in_tree, cts)
    g = g[0] if single else tuple(g)
    if has_aux:
      aux = tree_unflatten(store.aux_tree, results[n_out:len(outs)])
      return ((results[0], aux), g) if value else (g, aux)
    return (results[0], g) if value else g
  return value_and_grad_f


def _grad_of_leaf(fun: Callable, args: tuple, kwargs: dict, i: int, who: str,
                  holomorphic: bool, value: bool):
  """``value_and_grad`` (``grad`` without ``value``) with respect to the single array or
  scalar ``args[i]``, without aux: the common case, with none of the pytree work."""
  x = args[i]
  aval = get_aval(x)  # (rejects object arrays)
  if holomorphic or aval.dtype.kind != "f":
    _check_grad_input(x, i, who, holomorphic)
  nargs = len(args)
  outs_tree: list = [None]

  def flat_f(leaf):
    if nargs == 1:
      out = fun(leaf, **kwargs)
    else:
      full = list(args)
      full[i] = leaf
      out = fun(*full, **kwargs)
    if isinstance(out, Tracer):  # the usual result: a leaf, which needs no checking
      outs_tree[0] = _LEAF_TREE
      return [out]
    out_leaves, outs_tree[0] = tree_flatten(out)
    return [_check_leaf(x, "grad", "the function's output") for x in out_leaves]
  # (a Python float stays weak, as _check_leaf leaves it; NumPy scalars stay scalars)
  outs, lin = linearize_flat(flat_f, [x], dce=False, who=who)
  _check_single_output(outs, outs_tree[0], who, holomorphic)
  out = outs[0]
  g = lin.transpose([_one(get_aval(out).dtype)])[0]
  if type(g) is Zero:
    g = _zero_ct(g)
  if type(out) is np.ndarray or type(g) is np.ndarray:  # see _to_users
    out, g = _to_users([out, g], _arg_leaves(args, kwargs, [x], (i,)))
  return (out, g) if value else g


_LEAF_TREE = tree_flatten(0.0)[1]
_PLAIN_LEAVES = frozenset((np.ndarray, np.float64, np.float32, np.float16, float))
_ONES: dict = {}


def _one(dtype) -> Any:
  """The seed of reverse mode: a NumPy scalar 1 (scalars keep NumPy's fast scalar math)."""
  one = _ONES.get(dtype)
  if one is None:
    one = _ONES[dtype] = np.array(1, dtype)[()]
  return one


def _check_grad_inputs(flat: list, in_tree: PyTreeDef, nums: tuple, who: str = "grad",
                       holomorphic: bool = False) -> None:
  k = 0
  for child, i in zip(in_tree.children, nums):
    for leaf in flat[k:k + child.num_leaves]:
      _check_grad_input(leaf, i, who, holomorphic)
    k += child.num_leaves


def grad(fun: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable:
  """The gradient of a scalar-valued ``fun`` with respect to argument(s) ``argnums``.

  The gradient has the structure of the differentiated argument (a pytree of
  arrays for a pytree of parameters).

  >>> import vjpkit.numpy as vnp
  >>> grad(lambda x: vnp.sum(vnp.sin(x)))(vnp.asarray([0.0, 1.0]))   # = cos(x)
  array([1.        , 0.54030231])
  >>> grad(lambda W, b: W * b, argnums=(0, 1))(2.0, 3.0)
  (np.float64(3.0), np.float64(2.0))

  Complex inputs follow JAX's convention: for a real-valued ``fun`` of ``z = x + iy``
  the result is ``∂f/∂x - i ∂f/∂y`` (the conjugate of the steepest-ascent direction, so
  gradient descent steps along ``-conj(grad)``). A complex-valued ``fun`` needs
  ``holomorphic=True`` (and complex inputs); the result is then the complex derivative.

  >>> grad(lambda z: vnp.abs(z) ** 2)(3 + 4j)
  np.complex128(6-8j)
  >>> grad(lambda z: z ** 2, holomorphic=True)(3 + 4j)
  np.complex128(6+8j)
  """
  return _value_and_grad(fun, argnums, has_aux, "grad", holomorphic, value=False)


def _partial(fun: Callable, args: tuple, kwargs: dict, argnums, who: str,
             holomorphic: bool = False, real_inputs: bool = False) -> tuple[Callable, tuple]:
  """``fun`` as a function of the arguments ``argnums`` only (the others fixed), and
  those arguments, checked to be floats (or complex: with ``holomorphic``, only complex;
  with ``real_inputs`` and not ``holomorphic``, only real)."""
  nums = _argnums_tuple(argnums, len(args), who)
  for i in nums:
    for leaf in tree_flatten(args[i])[0]:
      _check_grad_input(leaf, i, who, holomorphic)
      if real_inputs and not holomorphic and get_aval(leaf).dtype.kind == "c":
        raise TypeError(
            f"{who} requires real-valued inputs, but argument {i} has dtype "
            f"{get_aval(leaf).dtype.name}. For holomorphic differentiation, pass "
            f"holomorphic=True. For non-holomorphic functions of complex inputs, use "
            "vjpkit.jvp directly, or jacrev for a real-valued output.")

  def partial_f(*dyn):
    full = list(args)
    for i, x in zip(nums, dyn):
      full[i] = x
    return fun(*full, **kwargs)
  return partial_f, tuple(args[i] for i in nums)


def _check_grad_input(x, i: int, who: str = "grad", holomorphic: bool = False):
  dtype = get_aval(x).dtype if (isinstance(x, Tracer) or is_array_value(x)) else None
  if dtype is None:
    return
  if holomorphic:
    if dtype.kind != "c":
      raise TypeError(f"{who} with holomorphic=True requires inputs with complex dtype, but "
                      f"argument {i} has dtype {dtype.name}. Pass complex values (e.g. "
                      "x + 0j), or drop holomorphic=True for real inputs.")
  elif not is_inexact(dtype):
    raise TypeError(
        f"{who} requires real- or complex-valued (float) inputs, but argument {i} has integer "
        f"or boolean dtype {dtype.name}. Differentiate with respect to floats (e.g. 1.0 "
        "instead of 1, or x.astype(float)), or move integer arguments out of argnums.")


def _check_grad_output(out, who: str = "grad", holomorphic: bool = False):
  leaves = tree_flatten(out)[0]
  if len(leaves) != 1:
    raise TypeError(
        f"{who} requires a function returning a single scalar, but it returned a pytree with "
        f"{len(leaves)} leaves. Use vjp or jacrev for functions with several outputs.")
  _check_grad_output_leaf(leaves[0], who, holomorphic)


def _check_single_output(outs: list, tree: PyTreeDef, who: str, holomorphic: bool) -> None:
  """The flattened output of a function under grad is one scalar leaf (not a container)."""
  if len(outs) != 1 or tree.kind is not None:
    _check_grad_output(tree_unflatten(tree, outs), who, holomorphic)
    raise TypeError(f"grad requires a function returning a single scalar, but it returned "
                    f"a pytree of structure {tree}. Return the scalar itself.")
  _check_grad_output_leaf(outs[0], who, holomorphic)


def _check_grad_output_leaf(leaf, who: str = "grad", holomorphic: bool = False):
  aval = get_aval(leaf)
  if aval.shape != ():
    raise TypeError(
        f"{who} requires a scalar output (shape ()), but the function returned shape "
        f"{aval.shape}. For a non-scalar output use vjp (a vector-Jacobian product) or "
        "jacrev (the full Jacobian), or reduce the output, e.g. with vjpkit.numpy.sum.")
  check_output_dtype(aval.dtype, who, holomorphic, "vjp")


def make_jaxpr(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable[..., ClosedJaxpr]:
  """A function returning the program that ``fun`` records for given arguments.

  >>> import vjpkit.numpy as vnp
  >>> print(make_jaxpr(lambda x: vnp.sum(vnp.sin(x) * 2.0))(vnp.ones(3)))
  { lambda ; a:f64[3]. let
      b:f64[3] = sin a
      c:f64[3] = mul b 2.0:f64[]
      d:f64[] = reduce_sum[axes=(0,)] c
    in (d,) }
  """
  check_callable(fun, "make_jaxpr")
  static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

  @functools.wraps(fun)
  def make(*args, **kwargs):
    dyn = [a for i, a in enumerate(args) if i not in static]
    flat, in_tree = _flatten_args(tuple(dyn), "make_jaxpr", weak=True)

    def f(*dyn_args):
      it = iter(dyn_args)
      full = [a if i in static else next(it) for i, a in enumerate(args)]
      return fun(*full, **kwargs)
    flat_f, _ = _flat_fun(f, in_tree, "make_jaxpr")
    jaxpr, consts = trace_to_jaxpr(flat_f, [arg_aval(x) for x in flat], keep_weak=True)
    return ClosedJaxpr(jaxpr, consts)
  return make


# -- linear_transpose --------------------------------------------------------------

def _flow(jaxpr, in_flags: Sequence[bool], visit: Callable | None = None) -> list[bool]:
  """Which outputs of ``jaxpr`` depend on its flagged inputs. ``visit(eqn)`` sees every
  equation reading a flagged value; a sub-program taking the equation's operands one to
  one (``call_jaxpr`` of closed_call, jit) is followed inside instead."""
  flagged = {id(v) for v, f in zip(jaxpr.invars, in_flags, strict=True) if f}
  for eqn in jaxpr.eqns:
    flags = [type(v) is Var and id(v) in flagged for v in eqn.invars]
    if not any(flags):
      continue
    sub = eqn.params.get("call_jaxpr")
    if isinstance(sub, Jaxpr) and len(sub.invars) == len(flags):
      out_flags = _flow(sub, flags, visit)
    else:
      if visit is not None:
        visit(eqn)
      out_flags = [True] * len(eqn.outvars)
    flagged.update(id(v) for v, f in zip(eqn.outvars, out_flags) if f)
  return [type(v) is Var and id(v) in flagged for v in jaxpr.outvars]


def _check_linear(f: Callable, jaxpr, consts, in_avals) -> None:
  """Raise unless the staged ``f`` is linear: built from linear operations only, with a
  derivative that does not depend on the point (no products of inputs) and f(0) = 0."""
  def not_linear(eqn):
    if eqn.prim not in transpose_rules:
      raise TypeError(f"linear_transpose: the function is not linear in its inputs: it "
                      f"applies '{eqn.prim.name}' to a value that depends on them. Only "
                      "linear functions can be transposed; for the transpose of a "
                      "function's derivative use vjp.")
  _flow(jaxpr, [True] * len(in_avals), not_linear)

  n = len(in_avals)

  def tangent_out(*xs_ts):
    _, ts = jvp_flat(f, xs_ts[:n], xs_ts[n:], instantiate_zeros=False,
                     who="linear_transpose")
    return [t for t in ts if type(t) is not Zero]
  jvp_program, _ = trace_to_jaxpr(tangent_out, list(in_avals) * 2)
  if any(_flow(jvp_program, [True] * n + [False] * n)):
    raise TypeError("linear_transpose: the function is not linear in its inputs: its "
                    "derivative depends on them (e.g. a product of two input-dependent values "
                    "such as x * x, or a division by one). Only linear functions can be "
                    "transposed; for the transpose of a function's derivative use vjp.")
  at_zero = eval_jaxpr(jaxpr, consts, [np.zeros(a.shape, a.dtype) for a in in_avals])
  for k, y in enumerate(at_zero):
    if not isinstance(y, Tracer) and np.any(np.asarray(y) != 0):
      raise TypeError(f"linear_transpose: the function is affine, not linear: output leaf {k} "
                      "is not zero when every input is (a constant is added). Subtract "
                      "f(0) to transpose the linear part.")


def linear_transpose(fun: Callable, *primals) -> Callable:
  """The transpose of a linear ``fun``: a function from output cotangents to input ones.

  ``primals`` only give the input shapes and dtypes (like ``linearize``'s tangents).
  The result ``f_t(ct)`` returns a tuple with one cotangent per primal, satisfying
  ``<ct, fun(t)> == <f_t(ct), t>``. ``fun`` is staged once, checked to be linear (a
  non-linear or affine ``fun`` raises a TypeError), and its transpose is the same
  backward program that reverse mode runs. Transposing the linearization
  ``linearize(f, x)[1]`` gives ``vjp(f, x)[1]``.

  >>> W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  >>> f_t = linear_transpose(lambda x: W @ x, np.zeros(3))
  >>> f_t(np.array([1.0, 0.0]))                       # Wᵀ e_0
  (array([1., 2., 3.]),)
  """
  check_callable(fun, "linear_transpose")
  flat, in_tree = _flatten_args(primals, "linear_transpose", "primals")
  in_avals = [get_aval(x) for x in flat]
  for i, a in enumerate(in_avals):
    if not is_inexact(a.dtype):
      raise TypeError(f"linear_transpose requires floating-point or complex inputs, but input leaf "
                      f"{i} has dtype {a.dtype.name}")
  f, store = _flat_fun(fun, in_tree, "linear_transpose")
  jaxpr, consts = dce_closed(*trace_to_jaxpr(f, in_avals))
  out_tree, out_avals = store.tree, jaxpr.out_avals
  for k, a in enumerate(out_avals):
    if not is_inexact(a.dtype):
      raise TypeError(f"linear_transpose requires floating-point or complex outputs, but output "
                      f"leaf {k} has dtype {a.dtype.name}")
  _check_linear(f, jaxpr, consts, in_avals)
  held = Held(consts)  # closed-over arrays: no result may share memory with them

  def transposed(ct):
    flat_ct = _flat_cotangent(ct, out_tree, out_avals, "linear_transpose function")
    cts = backward_pass(jaxpr, consts, flat_ct)
    return tree_unflatten(in_tree, _to_users([_zero_ct(c) for c in cts], flat_ct, held=held))
  return transposed
