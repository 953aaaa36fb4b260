"""Primitives: named operations, and the ``def_*`` methods that give them their rules.

This class is the public ``vjpkit.extend.Primitive``, and every primitive of
``vjpkit.lax`` is declared with it: an implementation (``def_impl``), a
shape/dtype rule (``def_abstract_eval``), and, as needed, a JVP (``def_jvp``),
a transpose for linear primitives (``def_transpose``), a batching rule
(``def_batching``) and how ``jit``'s generated code writes it (``def_codegen``).
The rules are kept in the tables of ``core/rules.py``, one dict per transform,
which the interpreters read.

>>> import numpy as np, vjpkit
>>> twice_p = Primitive("twice")
>>> _ = twice_p.def_impl(lambda x: 2 * x)
>>> _ = twice_p.def_abstract_eval(lambda x: x)
>>> _ = twice_p.def_jvp(lambda primals, tangents: (twice_p.bind(*primals), 2.0 * tangents[0]))
>>> vjpkit.grad(lambda x: twice_p.bind(x))(3.0)   # reverse mode: linearize + transpose
np.float64(2.0)
>>> print(vjpkit.make_jaxpr(lambda x: twice_p.bind(x))(1.0))
{ lambda ; a:f64[]. let
    b:f64[] = twice a
  in (b,) }
"""
from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np

from . import rules
from .avals import ShapedArray, get_aval, is_inexact, tangent_aval
from .trace import Tracer, escaped_tracer_error
from .zeros import Zero, instantiate

# Arithmetic ufuncs on two NumPy float64 scalars: the operator gives the same float64
# result (NumPy's scalar math) without the ufunc machinery's overhead.
_SCALAR_OPERATORS: dict[Any, Callable[..., Any]] = {np.add: operator.add, np.subtract: operator.sub,
                     np.multiply: operator.mul, np.true_divide: operator.truediv,
                     np.negative: operator.neg}


class Primitive:
  """An operation of the IR: ``p.bind(*arrays, **params)`` applies it.

  Arrays are passed positionally, static parameters as keywords (hashable: they
  key caches). With ``multiple_results=True`` (an attribute, or a keyword here)
  the impl and the shape rule return lists. ``impl=`` and ``abstract_eval=``
  are shorthands for ``def_impl`` and ``def_abstract_eval``.
  """
  __slots__ = ("_scalar_impl", "abstract_eval", "impl", "multiple_results", "name")

  def __init__(self, name: str, *, impl: Callable | None = None,
               abstract_eval: Callable | None = None, multiple_results: bool = False):
    self.name = name
    self.multiple_results = multiple_results
    self.impl: Callable = functools.partial(_missing, self, "implementation", "def_impl")
    self.abstract_eval: Callable = functools.partial(
        _missing, self, "abstract evaluation rule", "def_abstract_eval")
    self._scalar_impl: Callable | None = None
    if impl is not None:
      self.def_impl(impl)
    if abstract_eval is not None:
      self.def_abstract_eval(abstract_eval)

  def bind(self, *args: Any, **params: Any) -> Any:
    """Evaluate, or hand the application to the innermost trace among ``args``.

    Lower-level tracers and plain arrays are constants to that trace; a tracer of a
    finished trace is a leak. (While debug_nans/debug_infs is on, vjpkit.debugging puts a
    checking version of this method in its place: nothing is checked here.)"""
    top = None
    for x in args:
      if isinstance(x, Tracer):
        t = x._trace
        if not t.active:
          raise escaped_tracer_error(x, self)
        if top is None or t.level > top.level:
          top = t
    if top is None:
      fast = self._scalar_impl
      if fast is not None and type(args[0]) is np.float64 and type(args[-1]) is np.float64:
        return fast(*args)  # same value as the ufunc, a fraction of the call overhead
      return self.impl(*args, **params)
    return top.process_primitive(self, args, params)

  # -- rules -----------------------------------------------------------------
  def def_impl(self, impl: Callable) -> Callable:
    """``impl(*arrays, **params)``: compute the result with NumPy (concrete values)."""
    self.impl = impl
    self._scalar_impl = _SCALAR_OPERATORS.get(impl) if isinstance(impl, np.ufunc) else None
    return impl

  def def_abstract_eval(self, rule: Callable) -> Callable:
    """``rule(*avals, **params)``: the result's shape and dtype.

    Avals have ``.shape``, ``.dtype`` (and ``.ndim``, ``.size``); the rule returns
    one object with ``.shape`` and ``.dtype`` (a list for ``multiple_results``),
    e.g. an input aval, ``vjpkit.ShapeDtypeStruct`` or ``ShapedArray``. It runs
    whenever the primitive is staged (``jit``, ``make_jaxpr``, tangent programs)."""
    self.abstract_eval = functools.partial(_checked_abstract_eval, self, rule)
    return rule

  def def_jvp(self, rule: Callable, *, symbolic_zeros: bool = False) -> Callable:
    """``rule(primals, tangents, **params) -> (primal_out, tangent_out)``: forward mode.

    Written with vjpkit operations (``vjpkit.lax``, ``vjpkit.numpy``), the rule
    also gives reverse mode (linearize, then transpose) and higher derivatives:
    no transpose rule is needed unless the rule applies this primitive itself to
    tangents. Tangents of zero arrive as arrays of zeros; with
    ``symbolic_zeros=True`` they arrive as ``vjpkit.extend.Zero`` (skip them,
    and return ``Zero`` for an output with no tangent), which saves work."""
    rules.jvp_rules[self] = rule if symbolic_zeros else _instantiating_jvp(self, rule)
    return rule

  def def_transpose(self, rule: Callable) -> Callable:
    """``rule(ct, *args, **params) -> [cotangent or None per arg]``, for a primitive
    linear in some arguments: those arrive as ``UndefinedPrimal`` (test with
    ``vjpkit.extend.is_undefined_primal``; ``.aval`` gives the shape), the
    others as their values. ``ct`` is a list for ``multiple_results``."""
    rules.transpose_rules[self] = rule
    return rule

  def def_batching(self, rule: Callable) -> Callable:
    """``rule(args, dims, **params) -> (out, out_dim)``: ``vmap``.

    ``dims[i]`` is the batch axis of ``args[i]``, ``None`` when it is the same for
    every batch member (at least one is batched); ``out_dim`` likewise (a list for
    ``multiple_results``). The rule usually binds the primitive on the batched arrays."""
    rules.batch_rules[self] = rule
    return rule

  def def_codegen(self, rule: Callable | None = None, *, ufunc: Callable | None = None,
                  broadcast: Callable | None = None) -> Callable | None:
    """How ``jit``'s generated NumPy code writes an equation of this primitive.

    Optional: without it the code calls the impl. ``rule(eqn, args, env) -> Emit |
    str | None`` returns a Python expression over the operand names ``args``
    (``env.ref(obj, hint)`` names a global such as a NumPy function; ``None``: call
    the impl). A plain string is taken as an ``Emit(expr, "opaque")``: a value that
    may share memory with its inputs. ``ufunc(eqn) -> np.ufunc | None``: the ufunc
    that computes the equation, which lets the compiler reuse buffers;
    ``broadcast(eqn) -> shape``: the result is the operand reshaped to that shape
    and broadcast, which the compiler may leave to NumPy's broadcasting."""
    if rule is not None:
      rules.emit_rules[self] = rule
    if ufunc is not None:
      rules.ufunc_rules[self] = ufunc
    if broadcast is not None:
      rules.broadcast_rules[self] = broadcast
    return rule

  def def_array_api(self, rule: Callable, *, elementwise: bool = False) -> Callable:
    """How the equation runs on a non-NumPy array library (Dask, CuPy, array-api-strict).

    ``rule(backend, *arrays, **params)`` computes the result with ``backend.xp``, the
    library's array-API namespace (``vjpkit/interpreters/array_api.py``; a list for
    ``multiple_results``); it raises ``backend.unsupported(prim, why)`` where the library
    cannot do it. ``elementwise=True``: the rule broadcasts its operands like a NumPy
    ufunc, so operands that are broadcasts of small arrays may reach it unexpanded.
    Without a rule, transforms of such arrays raise a NotImplementedError naming the
    primitive (``docs/array-backends.md``)."""
    rules.array_api_rules[self] = rule
    if elementwise:
      rules.array_api_elementwise.add(self)
    else:
      rules.array_api_elementwise.discard(self)
    return rule

  def def_partial_eval(self, rule: Callable) -> Callable:
    """``rule(trace, args, params) -> outs``: staging with some inputs known. For
    primitives with sub-programs, so that their known part is evaluated now; see
    ``vjpkit/lax/call.py`` for the template."""
    rules.pe_rules[self] = rule
    return rule

  def def_dce(self, rule: Callable) -> Callable:
    """``rule(used_outputs, eqn) -> eqn | None``: dead-code elimination inside the
    sub-programs of a primitive (``vjpkit/passes/dce.py``)."""
    rules.dce_rules[self] = rule
    return rule

  def __repr__(self) -> str:
    return self.name


def _missing(prim: Primitive, what: str, method: str, /, *args: Any, **params: Any) -> NoReturn:
  raise NotImplementedError(f"Primitive '{prim.name}' has no {what}: call "
                            f"{prim.name}_p.{method}(...)")


def missing_rule_error(prim: Primitive, what: str, method: str, hint: str = "") -> str:
  """The message for a transform that finds no rule: what is missing, and the fix."""
  return (f"Primitive '{prim.name}' has no {what}: call {prim.name}_p.{method}(...) to "
          f"define one{hint}")


def _as_aval(prim: Primitive, x: Any) -> ShapedArray:
  if type(x) is ShapedArray:
    return x
  shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
  if shape is None or dtype is None:
    raise TypeError(f"the abstract evaluation rule of '{prim.name}' returned a value of type "
                    f"{type(x).__name__!r}, not an object with .shape and .dtype (return an "
                    "input aval, vjpkit.ShapeDtypeStruct(shape, dtype) or a list of them)")
  return ShapedArray(tuple(shape), dtype)


def _checked_abstract_eval(prim: Primitive, rule: Callable, /, *avals: Any, **params: Any) -> Any:
  out = rule(*avals, **params)
  if prim.multiple_results:
    if not isinstance(out, (list, tuple)):
      raise TypeError(f"the abstract evaluation rule of '{prim.name}' (multiple_results) "
                      f"must return a list of avals, got a {type(out).__name__}")
    return [_as_aval(prim, a) for a in out]
  if isinstance(out, (list, tuple)):
    raise TypeError(f"the abstract evaluation rule of '{prim.name}' returned a "
                    f"{type(out).__name__}; for several results set "
                    f"{prim.name}_p.multiple_results = True")
  return _as_aval(prim, out)


def _instantiating_jvp(prim: Primitive, rule: Callable) -> Callable:
  """A user's JVP rule: it sees zero tangents as arrays; its outputs are checked."""
  def jvp(primals: Sequence[Any], tangents: Sequence[Any], /, **params: Any) -> tuple[Any, Any]:
    out = rule(list(primals), [instantiate(t) for t in tangents], **params)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
      raise TypeError(f"the JVP rule of '{prim.name}' must return a pair (primal_out, "
                      f"tangent_out), got {type(out).__name__}")
    primal_out, tangent_out = out
    if not prim.multiple_results:
      return primal_out, _checked_tangent(prim, primal_out, tangent_out, "")
    if not isinstance(tangent_out, (list, tuple)) or len(tangent_out) != len(primal_out):
      raise TypeError(f"the JVP rule of '{prim.name}' (multiple_results) must return one "
                      f"tangent per output ({len(primal_out)})")
    return primal_out, [_checked_tangent(prim, p, t, f" {i}")
                        for i, (p, t) in enumerate(zip(primal_out, tangent_out))]
  return jvp


def _checked_tangent(prim: Primitive, primal: Any, tangent: Any, which: str) -> Any:
  aval = get_aval(primal)
  if tangent is None or type(tangent) is Zero or not is_inexact(aval.dtype):
    return Zero(tangent_aval(aval))
  got = get_aval(tangent)
  if got.shape != aval.shape or got.dtype != aval.dtype:
    raise TypeError(f"the JVP rule of '{prim.name}' returned a tangent {got.str_short()} "
                    f"for output{which}, whose primal is {aval.str_short()}; they must match")
  return tangent
