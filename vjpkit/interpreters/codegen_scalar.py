"""Compile all-scalar float64 programs to Python ``math`` on floats.

A program whose every value is a float64 scalar (a typical scalar loss, or its
gradient) spends most of its time in NumPy's per-call machinery: ``np.sin`` on a
NumPy scalar costs several times ``math.sin`` on a float. ``compile_scalar``
writes such a program with Python floats and ``math`` instead, when every
equation has a rule in ``scalar_rules`` (filled by ``vjpkit.lax.codegen_rules``),
and returns None otherwise (the caller keeps the NumPy code):

* arithmetic (``+ - * /``, negation, ``abs``) is IEEE on both sides: bit for bit;
* a ``math`` function is used only where it agrees with NumPy's bit for bit on a
  fixed probe sample of inputs (``agrees_with_numpy``: moderate values, and decades
  from subnormals to 1e308, both signs), checked once per function when first needed.
  NumPy's SIMD kernels differ from the C library by 1-3 ulp for some functions
  (``tanh``; ``sinh``, ``acosh`` on AVX-512 machines) and ``math.hypot`` is not C's:
  those are computed by the NumPy ufunc on the float, so their values are NumPy's;
* where Python raises and NumPy returns inf or NaN (``math.log(0)``,
  ``1.0 / 0.0``, ``math.exp(1000)``, ``math.sin(inf)``) and where a result is not
  finite, the call is redone by the NumPy code (``fallback``), so that values,
  warnings and ``np.errstate`` settings are NumPy's. (An overflow or invalid
  operation in an intermediate whose effect does not reach a result, such as
  ``1 / (x * 1e300)`` being 0 where ``x * 1e300`` overflows, gives NumPy's value
  without NumPy's warning.)

Results are NumPy float64 scalars, as the NumPy code returns them.

>>> import math, numpy as np, vjpkit
>>> import vjpkit.numpy as vnp
>>> jaxpr = vjpkit.make_jaxpr(lambda x: vnp.sin(x) * x + 1.0)(0.5).jaxpr
>>> f = compile_scalar(jaxpr, [], "f", fallback=None)
>>> print(f.source)
def f(x0):
    v0 = float(x0)
    try:
        v1 = (_sin0(v0) * v0) + 1.0
    except _ERRORS:
        return _fallback(x0)
    if v1 - v1 != 0.0:
        return _fallback(x0)
    return v1 * _one
>>> bool(f(0.5) == np.sin(0.5) * 0.5 + 1.0), type(f(0.5))
(True, <class 'numpy.float64'>)
"""
from __future__ import annotations

import functools
import itertools
import linecache
import math
from typing import Any, Callable, Sequence

import numpy as np

from ..core.ir import Jaxpr, Lit, Var

__all__ = ["compile_scalar", "scalar_rules", "ScalarCompiled", "agrees_with_numpy", "libm",
           "use_libm", "MAX_EQNS"]

# prim -> rule(eqn, args: list[str], env: ScalarEnv) -> Python expression on floats, or
# None when this equation cannot be written so (the program then stays on NumPy)
scalar_rules: dict[Any, Callable] = {}

_MAX_INLINE = 120  # characters: longer expressions get a variable
MAX_EQNS = 2000  # longer scalar programs stay on NumPy (CPython compiles huge functions slowly)
_F64 = np.dtype(np.float64)
# whether the C library's math functions are used even where they differ from NumPy's in
# the last bits (``vjpkit.config.jit_scalar_libm``, set by ``api_jit``)
ALWAYS_LIBM = False
_ERRORS = (ValueError, OverflowError, ZeroDivisionError)


class ScalarEnv:
  """Globals of a generated scalar module."""

  def __init__(self) -> None:
    self.globals: dict[str, Any] = {"_ERRORS": _ERRORS, "_one": _ONE}
    self._count = itertools.count()

  def ref(self, value: Any, hint: str) -> str:
    name = f"_{hint}{next(self._count)}"
    self.globals[name] = value
    return name


class ScalarCompiled:
  """A compiled scalar program: ``fn(*args)`` returns NumPy float64 scalars."""
  __slots__ = ("fn", "source")

  def __init__(self, fn: Callable, source: str) -> None:
    self.fn, self.source = fn, source

  def __call__(self, *args):
    return self.fn(*args)


def _is_f64_scalar(a) -> bool:
  aval = a.aval
  return aval.shape == () and aval.dtype == _F64


def _literal(val, env: ScalarEnv) -> str:
  x = float(val)
  if math.isfinite(x):
    text = repr(x)
    return f"({text})" if text.startswith("-") else text
  return env.ref(x, "c")


def compile_scalar(jaxpr: Jaxpr, consts: Sequence[Any], name: str,
                   fallback: Callable | None, finish: Callable | None = None,
                   single: bool = True) -> ScalarCompiled | None:
  """``jaxpr`` (constvars bound to ``consts``) as Python ``math`` on floats, or None when
  some value is not a float64 scalar or some equation has no scalar rule.

  The function takes the invars and returns ``np.float64(result)`` when ``single`` (and
  the program has one output), else ``finish(tuple of np.float64)`` (``finish`` defaults
  to the tuple itself). ``fallback(*args)``, which must return the same, is called where
  Python's floats would not behave like NumPy's (see the module docstring)."""
  if len(jaxpr.eqns) > MAX_EQNS:
    return None
  if not all(_is_f64_scalar(v) for v in [*jaxpr.invars, *jaxpr.constvars, *jaxpr.outvars]):
    return None
  env = ScalarEnv()
  names: dict[int, str] = {}
  for v, c in zip(jaxpr.constvars, consts, strict=True):
    if np.asarray(c).dtype != _F64 or np.shape(c) != ():
      return None
    names[id(v)] = _literal(c, env)
  params = [f"x{i}" for i in range(len(jaxpr.invars))]
  lines = []
  for i, v in enumerate(jaxpr.invars):
    names[id(v)] = f"v{len(names)}"
    lines.append(f"    {names[id(v)]} = float({params[i]})")

  # a value read once by a later equation is written into that equation's expression
  # (parenthesised: the same operations in the same order, without the local variable)
  uses: dict[int, int] = {}
  for eqn in jaxpr.eqns:
    for a in eqn.invars:
      if type(a) is Var:
        uses[id(a)] = uses.get(id(a), 0) + 1
  for a in jaxpr.outvars:
    if type(a) is Var:
      uses[id(a)] = uses.get(id(a), 0) + 2
  inline: dict[int, str] = {}

  def atom(a) -> str:
    if type(a) is Lit:
      return _literal(a.val, env)
    return inline.get(id(a)) or names[id(a)]

  body = []
  for eqn in jaxpr.eqns:
    rule = scalar_rules.get(eqn.prim)
    if rule is None or eqn.prim.multiple_results or len(eqn.outvars) != 1:
      return None
    if not all(_is_f64_scalar(a) for a in [*eqn.invars, *eqn.outvars]):
      return None
    expr = rule(eqn, [atom(a) for a in eqn.invars], env)
    if expr is None:
      return None
    out = eqn.outvars[0]
    if uses.get(id(out), 0) == 1 and len(expr) <= _MAX_INLINE:
      inline[id(out)] = expr if _is_call(expr) else f"({expr})"
      continue
    names[id(out)] = f"v{len(names)}"
    body.append(f"        {names[id(out)]} = {expr}")
  outs = [atom(v) for v in jaxpr.outvars]
  call_fallback = f"return _fallback({', '.join(params)})"
  lines.append("    try:")
  lines += body or ["        pass"]
  lines.append("    except _ERRORS:")
  lines.append(f"        {call_fallback}")
  finite = " or ".join(f"{o} - {o} != 0.0" for o in dict.fromkeys(outs))
  lines.append(f"    if {finite}:")
  lines.append(f"        {call_fallback}")
  # a float times NumPy's 1.0 is that float as a NumPy float64 (the same value, exactly:
  # results are finite here), made faster than by np.float64(v)
  if single and len(outs) == 1:
    lines.append(f"    return {_mul_one(outs[0])}")
  else:
    wrapped = ", ".join(_mul_one(o) for o in outs) + ("," if len(outs) == 1 else "")
    lines.append(f"    return _finish(({wrapped}))" if finish is not None else
                 f"    return ({wrapped})")
    env.globals["_finish"] = finish
  fname = name
  source = "\n".join([f"def {fname}({', '.join(params)}):", *lines])
  env.globals["_fallback"] = fallback
  filename = f"<vjpkit-scalar-{next(_counter)}:{fname}>"
  linecache.cache[filename] = (len(source), None, [line + "\n" for line in source.split("\n")],
                               filename)
  exec(compile(source, filename, "exec"), env.globals)  # noqa: S102 - our own generated code
  return ScalarCompiled(env.globals.pop(fname), source)


_counter = itertools.count()
_ONE = np.float64(1.0)


def _mul_one(atom: str) -> str:
  return f"{atom} * _one"


def _is_call(expr: str) -> bool:
  """Whether ``expr`` is one call ``name(...)`` (needs no parentheses around it)."""
  start = expr.find("(")
  if start <= 0 or not expr[:start].replace("_", "a").isalnum() or not expr.endswith(")"):
    return False
  depth = 0
  for i in range(start, len(expr)):
    depth += {"(": 1, ")": -1}.get(expr[i], 0)
    if depth == 0:
      return i == len(expr) - 1
  return False


# -- rules ---------------------------------------------------------------------------

def _probe_points(domain: str) -> np.ndarray:
  rng = np.random.default_rng(20261201)
  decades = 10.0 ** np.arange(-300, 301, 10.0)  # 1e-300, 1e-290, ..., 1e300
  extremes = np.array([5e-324, 1e-320, 1e-310, 2.2250738585072014e-308, 1.7976931348623157e308])
  magnitudes = np.concatenate([decades, decades * 3.7, extremes])
  x = np.concatenate([rng.normal(size=1500), rng.normal(size=500) * 30,
                      rng.uniform(-1, 1, 500), rng.uniform(-1e-6, 1e-6, 100),
                      np.exp(rng.uniform(-700, 700, 400)) * rng.choice([-1, 1], 400),
                      magnitudes, -magnitudes])
  if domain == "positive":
    return np.abs(x)
  if domain == "above -1":
    return np.abs(x) - 0.999
  if domain == "unit":
    return np.clip(x, -0.99999, 0.99999)
  if domain == "at least 1":
    return np.abs(x) + 1.0
  return x


def _same(a: float, b: float) -> bool:
  """Equal bits as far as a float's value goes: equal, with equal signs (of zeros too),
  or both NaN."""
  if a != a or b != b:
    return a != a and b != b
  return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@functools.lru_cache(maxsize=None)
def agrees_with_numpy(math_fn: Callable, np_fn: np.ufunc, domain: str = "real") -> bool:
  """Whether ``math_fn`` gives NumPy's ``np_fn``'s values bit for bit on a fixed sample
  of ``domain`` (``"real"``, ``"positive"``, ``"above -1"``, ``"unit"``, ``"at least 1"``;
  binary functions are probed on pairs of sample points): eager and jit results must
  not differ, not even in the last bit."""
  x = _probe_points(domain)
  binary = np_fn.nin == 2
  y = np.roll(x, 7)
  with np.errstate(all="ignore"):
    expected = np_fn(x, y) if binary else np_fn(x)
  for i in range(len(x)):
    try:
      got = math_fn(float(x[i]), float(y[i])) if binary else math_fn(float(x[i]))
    except _ERRORS:
      continue  # the generated code falls back to NumPy there
    if not _same(got, float(expected[i])):
      return False
  return True


def use_libm(math_fn: Callable, np_fn: np.ufunc, domain: str = "real") -> bool:
  """Whether generated code calls ``math_fn`` for NumPy's ``np_fn``: where it agrees bit
  for bit, or everywhere under ``ALWAYS_LIBM``."""
  return ALWAYS_LIBM or agrees_with_numpy(math_fn, np_fn, domain)


def libm(math_fn: Callable, np_fn: np.ufunc, domain: str = "real") -> Callable:
  """A scalar rule calling ``math_fn`` if it may stand for NumPy's ``np_fn`` (``use_libm``),
  else ``np_fn`` itself on the float (NumPy's value exactly, at NumPy's per-call cost)."""
  def rule(eqn, args, env):
    if use_libm(math_fn, np_fn, domain):
      return f"{env.ref(math_fn, math_fn.__name__)}({', '.join(args)})"
    return f"float({env.ref(np_fn, np_fn.__name__)}({', '.join(args)}))"
  return rule
