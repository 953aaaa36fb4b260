"""What ``jit``'s cache holds and why it missed: ``CacheInfo``, call signatures, log lines.

Every jitted function keeps its compiled signatures in a least-recently-used cache of
``vjpkit.config.jit_cache_size`` entries (128 by default). ``f.cache_info()`` counts its
hits and misses, ``f.clear_cache()`` empties it. Two settings log to the ``"vjpkit"``
logger (level WARNING, so that they show without configuring ``logging``):

* ``explain_cache_misses``: each miss, with what differs from the closest cached
  signature (an argument's shape, dtype, weak type, static value or pytree structure);
* ``log_compiles``: each compilation, with the time of tracing, optimisation and code
  generation.

>>> import logging, numpy as np, vjpkit
>>> f = vjpkit.jit(lambda x: x * 2.0)
>>> _ = f(np.ones(3)), f(np.ones(3)), f(np.ones(4))
>>> f.cache_info()
CacheInfo(hits=1, misses=2, maxsize=128, currsize=2)
"""
from __future__ import annotations

import logging
from typing import Any, NamedTuple

import numpy as np

from .core.avals import arg_aval, short_dtype
from .core.trace import Tracer
from .tree_util import tree_flatten

__all__ = ["CacheInfo", "CallSignature", "describe_call", "describe_where", "explain_miss", "logger"]

logger = logging.getLogger("vjpkit")


class CacheInfo(NamedTuple):
  """A jitted function's cache statistics, as ``functools.lru_cache`` reports them:
  ``hits`` (calls that ran cached code), ``misses`` (calls that traced), ``maxsize`` (the
  bound: ``vjpkit.config.jit_cache_size``) and ``currsize`` (signatures cached now)."""
  hits: int
  misses: int
  maxsize: int
  currsize: int

  @property
  def entries(self) -> int:
    """The number of cached signatures (``currsize``)."""
    return self.currsize


# One argument of a call: ("static", type, value), or ("dynamic", pytree structure or
# None for a single leaf, per-leaf (shape, dtype, weak) or a type name for non-arrays).
Item = tuple


class CallSignature(NamedTuple):
  """What a call's cache key is made of, argument by argument, in words.

  ``items`` maps a label (``"argument 'x' (position 0)"``) to the argument's description."""
  items: dict[str, Item]

  def distance(self, other: CallSignature) -> int:
    """How different two calls are: one per differing leaf property, static value or
    missing argument, three per differing pytree structure."""
    return sum(len(d) for d in self.differences(other).values())

  def differences(self, other: CallSignature) -> dict[str, list[str]]:
    """What differs, argument by argument (label -> sentences), from ``other``."""
    out = {}
    for label in dict.fromkeys([*self.items, *other.items]):
      new, old = self.items.get(label), other.items.get(label)
      if new != old:
        out[label] = _item_diffs(label, new, old)
    return out


def _leaf(x) -> Any:
  if isinstance(x, Tracer):
    aval = x.aval
  else:
    try:
      aval = arg_aval(x)
    except Exception:  # not an array: tracing reports it
      return type(x).__name__
  return (tuple(aval.shape), np.dtype(aval.dtype), bool(aval.weak_type))


def describe_call(args: tuple, kwargs: dict, static_nums: tuple, static_names: tuple,
                  param_names: list[str]) -> CallSignature:
  """The signature of ``f(*args, **kwargs)`` as the cache sees it, argument by argument.

  >>> import numpy as np
  >>> describe_call((np.ones(3), 2), {}, (1,), (), ["x", "n"]).items
  {"argument 'x' (position 0)": ('dynamic', None, (((3,), dtype('float64'), False),)), \
"argument 'n' (position 1)": ('static', 'int', 2)}
  """
  items: dict[str, Item] = {}
  nargs = len(args)
  for i, a in enumerate(args):
    label = (f"argument {param_names[i]!r} (position {i})" if i < len(param_names)
             else f"argument {i}")
    if i in static_nums or i - nargs in static_nums:
      items[label] = ("static", type(a).__name__, a)
    else:
      items[label] = _dynamic(a)
  for k in sorted(kwargs):
    label = f"argument {k!r} (keyword)"
    items[label] = ("static", type(kwargs[k]).__name__, kwargs[k]) if k in static_names \
        else _dynamic(kwargs[k])
  return CallSignature(items)


def _dynamic(a) -> Item:
  leaves, tree = tree_flatten(a)
  return ("dynamic", None if tree.kind is None else tree, tuple(_leaf(x) for x in leaves))


def _aval_str(leaf) -> str:
  if isinstance(leaf, str):
    return f"a {leaf}"
  shape, dtype, weak = leaf
  return f"{short_dtype(dtype)}[{','.join(map(str, shape))}]" + (" (weak)" if weak else "")


def _leaf_diffs(where: str, new, old) -> list[str]:
  if isinstance(new, str) or isinstance(old, str):
    return [f"{where} is {_aval_str(new)} now, {_aval_str(old)} in the cached signature"]
  (ns, nd, nw), (os_, od, ow) = new, old
  out = []
  if ns != os_:
    out.append(f"{where} has shape {ns} now, {os_} in the cached signature")
  if nd != od:
    out.append(f"{where} has dtype {nd} now, {od} in the cached signature")
  if nw != ow:
    now, then = ("weakly typed (from a Python scalar)", "not weakly typed") if nw else \
        ("not weakly typed", "weakly typed (from a Python scalar)")
    out.append(f"{where} is {now} now, {then} in the cached signature")
  return out


def _item_diffs(label: str, new: Item | None, old: Item | None) -> list[str]:
  if old is None:
    assert new is not None
    value = f" (static, {new[2]!r})" if new[0] == "static" else ""
    return [f"{label}{value} is passed now, not in the cached signature"]
  if new is None:
    value = f" (static, {old[2]!r})" if old[0] == "static" else ""
    return [f"{label}{value} is not passed now, it is in the cached signature"]
  if new[0] != old[0]:
    return [f"{label} is {new[0]} now, {old[0]} in the cached signature"]
  if new[0] == "static":
    return [f"static {label} is {new[2]!r} ({new[1]}) now, {old[2]!r} ({old[1]}) in the "
            "cached signature"]
  _, ntree, nleaves = new
  _, otree, oleaves = old
  if ntree != otree or len(nleaves) != len(oleaves):
    def show(tree, leaves):
      return repr(tree) if tree is not None else _aval_str(leaves[0]) if leaves else "?"
    sentence = (f"{label} has pytree structure {show(ntree, nleaves)} now, "
                f"{show(otree, oleaves)} in the cached signature")
    return [sentence] * 3  # counted thrice: a new structure is a bigger difference
  out = []
  for j, (n, o) in enumerate(zip(nleaves, oleaves)):
    if n != o:
      out += _leaf_diffs(label if ntree is None else f"leaf {j} of {label}", n, o)
  return out


def explain_miss(name: str, where: str, sig: CallSignature, cached: list[CallSignature],
                 evicted: bool, maxsize: int, uncacheable: bool = False) -> str:
  """The log line for a cache miss of the jitted function ``name`` (defined at ``where``)."""
  head = f"jit({name}) at {where}: cache miss, tracing"
  if uncacheable:
    return (f"{head}: with these arguments its program closes over values traced by an "
            "enclosing transformation (grad, vmap, jit), so it is traced at every call; "
            "pass those values as arguments to cache it")
  if evicted:
    return (f"{head}: this signature was compiled before but dropped as the least recently "
            f"used of more than jit_cache_size={maxsize} signatures; raise it with "
            "vjpkit.config.update('jit_cache_size', n)")
  if not cached:
    return f"{head} for the first time"
  closest = min(reversed(cached), key=sig.distance)  # ties: the most recently used
  diffs = [d for ds in sig.differences(closest).values() for d in dict.fromkeys(ds)]
  if not diffs:
    diffs = ["no argument differs (the function's traced program could not be cached: it "
             "closes over values traced by an enclosing transformation)"]
  return (f"{head} because, compared with the closest of {len(cached)} cached signature(s):\n"
          + "\n".join(f"  - {d}" for d in diffs))


def describe_where(fun) -> str:
  """``file:line`` of a function's definition, when Python knows it."""
  code = getattr(fun, "__code__", None)
  if code is None:
    return "an unknown location"
  return f"{code.co_filename}:{code.co_firstlineno}"

