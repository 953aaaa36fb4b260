#!/usr/bin/env python
"""Differential test of vjpkit against JAX (jax_enable_x64) and NumPy.

Random programs are generated as Python source over a namespace ``np`` (vjpkit.numpy or
jax.numpy), ``sp`` (scipy.special), ``lax`` and ``cj`` (a custom_jvp function), executed
with both libraries and compared through every transform, eagerly and under jit (first
call, cached second call, retrace with another signature or batch size).

Usage (run with the library under test on PYTHONPATH):

  PYTHONPATH=/work/main nice -n 10 /work/main/.venv/bin/python tools/difftest.py \
      --programs 60 --seed 0 --out /tmp/difftest-main.json

  ... tools/difftest.py --show SEED [--kind random|loop|scalar|big|chain]   # print a program

Suites: random programs (~45 vjpkit.numpy functions and forms: elementwise with
broadcasting, reductions with axis/keepdims, static integer/slice/array indexing,
reshape/transpose/concatenate/stack, matmul/dot/einsum/outer/norm, where/maximum,
logsumexp, custom_jvp, Python-number constants) through value, grad (several argnums,
one-argument and scalar-argument forms), value_and_grad, vjp, jvp, hessian, jacfwd,
jacrev, vmap (over theta, over a non-leading axis of x, over s), jvp-of-grad, each also
under jit (first call, cached call, retrace), in float64 and float32, with s a Python
float, a 0-d array or a float64 0-d array; fori_loop/scan bodies; 0-d float64 programs at
edge values (the scalar math path); 512x512 elementwise programs (blocked code, threads,
Fortran-order and strided inputs); jit dispatch with mixed argument kinds and a small
cache; a 300-copy program (20k-36k equations: the plan backend); 300-8,000-op chains.

Typical workflow (each run writes the JAX references to --refcache, so that later runs
against other trees do no JAX work):

  base:   PYTHONPATH=<pre-session tree> ... --out base.json --results base.pkl
  branch: PYTHONPATH=<branch tree>      ... --out br.json --results br.pkl
  tools/difftest.py --diff-findings base.json br.json   # findings new on the branch
  tools/difftest.py --diff-results base.pkl br.pkl      # any bit, dtype, type changed
  (VJPKIT_JIT_PLAN_MIN_EQNS=1 runs every jit through the plan backend; --blocked-small
  runs every array of 2+ elements through the blocked elementwise code.)

Exit status 0 when no mismatch was found, 1 otherwise.  Findings are printed (one line
each) and written as JSON with --out; --show SEED prints a program, --shrink random:SEED
finds the shortest prefix program that still fails.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import re
import os
import sys
import time
import traceback
from typing import Callable

import numpy as onp

import jax
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp  # noqa: E402
import jax.scipy.special as jsp  # noqa: E402

import vjpkit  # noqa: E402
import vjpkit.lax as vlax  # noqa: E402
import vjpkit.numpy as vnp  # noqa: E402
import vjpkit.scipy.special as vsp  # noqa: E402
import scipy.special as ssp  # noqa: E402

__all__ = ["main"]

# --------------------------------------------------------------------------- namespaces


class NS:
  def __init__(self, **kw):
    self.__dict__.update(kw)


def _custom_jvp_for(lib, np_):
  """softplus with a hand-written JVP, defined with the library's own custom_jvp."""
  @lib.custom_jvp
  def cj(x):
    return np_.logaddexp(x, 0.0)

  @cj.defjvp
  def cj_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return cj(x), t * (1.0 / (1.0 + np_.exp(-x)))
  return cj


V = NS(name="vjpkit", np=vnp, sp=vsp, lax=vlax, grad=vjpkit.grad,
       value_and_grad=vjpkit.value_and_grad, vjp=vjpkit.vjp, jvp=vjpkit.jvp,
       hessian=vjpkit.hessian, jacfwd=vjpkit.jacfwd, jacrev=vjpkit.jacrev, vmap=vjpkit.vmap,
       jit=vjpkit.jit, leaves=vjpkit.tree_util.tree_leaves)
V.cj = _custom_jvp_for(vjpkit, vnp)
class _Strong:
  """jax.numpy / jax.scipy.special with NumPy's rule for functions of Python numbers: a
  vjpkit.numpy function gives a strongly typed result (vnp.sin(2.0) is float64 even next to
  float32 arrays), where jnp's stays weak (sharp-bits.md, 'float64 by default')."""

  def __init__(self, mod):
    self._mod = mod

  def __getattr__(self, name):
    obj = getattr(self._mod, name)
    if name == "linalg":
      return _Strong(obj)
    if not callable(obj) or isinstance(obj, type):
      return obj

    def wrapped(*a, **k):
      return jax.tree_util.tree_map(_strongify, obj(*a, **k))
    return wrapped


def _strongify(x):
  try:
    if jax.typeof(x).weak_type:
      return jax.lax.convert_element_type(x, x.dtype)
  except TypeError:
    pass
  return x


J = NS(name="jax", np=_Strong(jnp), sp=_Strong(jsp), lax=jax.lax, grad=jax.grad,
       value_and_grad=jax.value_and_grad, vjp=jax.vjp, jvp=jax.jvp, hessian=jax.hessian,
       jacfwd=jax.jacfwd, jacrev=jax.jacrev, vmap=jax.vmap, jit=jax.jit,
       leaves=jax.tree_util.tree_leaves)
J.cj = _custom_jvp_for(jax, J.np)


def _np_cj(x):
  return onp.logaddexp(x, 0.0)


N = NS(name="numpy", np=onp, sp=ssp, lax=None, cj=_np_cj)


def build(src: str, M: NS, fname: str = "f") -> Callable:
  g = {"np": M.np, "sp": M.sp, "lax": M.lax, "cj": M.cj, "onp": onp}
  exec(compile(src, f"<difftest {M.name}>", "exec"), g)
  return g[fname]


# --------------------------------------------------------------------------- generator
# A program is a list of lines "vK = <expr>" over a pool of (name, shape) values.

MAXSIZE = 120


def _bshape(a, b):
  try:
    s = onp.broadcast_shapes(a, b)
  except ValueError:
    return None
  return s if int(onp.prod(s)) <= MAXSIZE else None


SAFE_UNARY = [  # (template, keeps shape)
  "np.sin({a})", "np.cos({a})", "np.tanh({a})", "np.arctan({a})", "np.arcsinh({a})",
  "-{a}", "np.square({a})", "np.abs({a})", "np.exp(np.tanh({a}))",
  "np.log(1.0 + {a} * {a})", "np.log1p({a} * {a})", "np.sqrt({a} * {a} + 0.5)",
  "np.expm1(np.tanh({a}))", "1.0 / ({a} * {a} + 1.0)", "{a} ** 3", "({a} * {a} + 1.0) ** 0.5",
  "np.sinh(np.tanh({a}))", "np.cosh(np.tanh({a}))", "sp.expit({a})", "sp.erf({a})",
  "np.logaddexp({a}, 0.0)", "{a} * 2.5", "1.0 - {a}", "{a} / 3.0", "{a} + 2",
  "cj({a})", "np.clip({a}, -0.7, 0.7)", "np.cbrt({a} * {a} + 0.1)", "np.exp2(np.tanh({a}))",
  "np.log2({a} * {a} + 1.5)", "np.sinc({a})",
]
SAFE_BINARY = [
  "np.add({a}, {b})", "{a} - {b}", "{a} * {b}", "{a} / (1.0 + {b} * {b})",
  "np.maximum({a}, {b})", "np.minimum({a}, {b})", "np.where({a} > {b}, {a}, {b} * 2.0)",
  "np.arctan2({a}, {b} * {b} + 0.3)", "({a} * {a} + 1.0) ** np.tanh({b})",
  "np.hypot({a}, {b})", "np.logaddexp({a}, {b})",
]
REDUCTIONS = ["np.sum", "np.mean", "np.max", "np.min", "np.prod", "sp.logsumexp", "np.var",
              "np.std"]


def _pick(rng, pool, bias_inputs=0.35):
  if rng.random() < bias_inputs:
    return pool[int(rng.integers(min(3, len(pool))))]
  # prefer recent values (long dependency chains)
  k = len(pool)
  i = k - 1 - int(min(k - 1, rng.geometric(0.35) - 1))
  return pool[i]


def gen_op(rng, pool, kinds=None):
  """One new line (expr, shape) or None."""
  kind = rng.choice(kinds or ["unary"] * 5 + ["binary"] * 5 + ["reduce"] * 2 + ["shape"] * 2
                    + ["index"] * 3 + ["linalg"] * 2)
  a, sa = _pick(rng, pool)
  if kind == "unary":
    t = SAFE_UNARY[int(rng.integers(len(SAFE_UNARY)))]
    return t.format(a=a), sa
  if kind == "binary":
    cands = [(n, s) for n, s in pool if _bshape(sa, s) is not None]
    b, sb = cands[int(rng.integers(len(cands)))]
    if rng.random() < 0.5:
      a, b, sa, sb = b, a, sb, sa
    t = SAFE_BINARY[int(rng.integers(len(SAFE_BINARY)))]
    return t.format(a=a, b=b), _bshape(sa, sb)
  if kind == "reduce":
    if len(sa) == 0:
      return None
    r = REDUCTIONS[int(rng.integers(len(REDUCTIONS)))]
    arg = a
    if r == "np.prod":
      arg = f"np.tanh({a}) + 1.5"
    if r == "np.std":
      arg = f"{a} + 0.01 * np.arange({sa[-1]}.0)"  # std at zero spread is not differentiable
    if rng.random() < 0.3:
      return f"{r}({arg})", ()
    ax = int(rng.integers(-len(sa), len(sa)))
    keep = bool(rng.random() < 0.4)
    shp = list(sa)
    if keep:
      shp[ax] = 1
    else:
      del shp[ax]
    return f"{r}({arg}, axis={ax}, keepdims={keep})", tuple(shp)
  if kind == "shape":
    n = int(onp.prod(sa))
    opts = []
    if len(sa) == 2:
      opts += [(f"{a}.T", sa[::-1]), (f"np.transpose({a})", sa[::-1]),
               (f"np.reshape({a}, (-1,))", (n,)), (f"np.flip({a}, axis=1)", sa)]
      if sa[0] == 1:
        opts.append((f"np.squeeze({a}, axis=0)", sa[1:]))
    if len(sa) == 1:
      opts += [(f"{a}[:, None]", (sa[0], 1)), (f"np.expand_dims({a}, 0)", (1, sa[0])),
               (f"np.cumsum({a})", sa), (f"np.flip({a})", sa)]
      if n % 2 == 0 and n > 2:
        opts.append((f"{a}.reshape((2, {n // 2}))", (2, n // 2)))
    if len(sa) == 0:
      opts += [(f"np.broadcast_to({a}, (3,))", (3,)), (f"np.reshape({a}, (1,))", (1,)),
               (f"np.stack([{a}, 2.0 * {a}])", (2,))]
    if len(sa) >= 1 and 2 * n <= MAXSIZE:
      same = [(nm, s) for nm, s in pool if len(s) == len(sa) and s[1:] == sa[1:]]
      b, sb = same[int(rng.integers(len(same)))]
      opts.append((f"np.concatenate([{a}, {b}])", (sa[0] + sb[0],) + sa[1:]))
      same = [(nm, s) for nm, s in pool if s == sa]
      b, _ = same[int(rng.integers(len(same)))]
      opts.append((f"np.stack([{a}, {b}], axis=-1)", sa + (2,)))
    if not opts:
      return None
    return opts[int(rng.integers(len(opts)))]
  if kind == "index":
    if len(sa) == 0:
      return None
    d0 = sa[0]
    opts = [(f"{a}[0]", sa[1:]), (f"{a}[{d0 - 1}]", sa[1:]), (f"{a}[-1]", sa[1:]),
            (f"{a}[::-1]", sa), (f"{a}[onp.array([0, {d0 - 1}, 0])]", (3,) + sa[1:])]
    if d0 >= 3:
      opts.append((f"{a}[1:3]", (2,) + sa[1:]))
      opts.append((f"{a}[{int(rng.integers(d0))}]", sa[1:]))
    opts.append((f"{a}[onp.int64({d0 - 1})]", sa[1:]))
    opts.append((f"{a}[{-d0}]", sa[1:]))
    if len(sa) == 2:
      opts.append((f"{a}[:, 0]", (d0,)))
      opts.append((f"{a}[..., -1]", (d0,)))
      opts.append((f"{a}[1 % {d0}, -1]", ()))
      opts.append((f"{a}[-1, :]", sa[1:]))
      opts.append((f"{a}[:, {sa[1] - 1}]", (d0,)))
    return opts[int(rng.integers(len(opts)))]
  if kind == "linalg":
    opts = []
    for b, sb in pool:
      if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0] and sa[0] * sb[1] <= MAXSIZE:
        opts += [(f"{a} @ {b}", (sa[0], sb[1])), (f"np.matmul({a}, {b})", (sa[0], sb[1])),
                 (f"np.einsum('ij,jk->ik', {a}, {b})", (sa[0], sb[1]))]
      if len(sa) == 2 and len(sb) == 1 and sa[1] == sb[0]:
        opts += [(f"{a} @ {b}", (sa[0],)), (f"np.dot({a}, {b})", (sa[0],)),
                 (f"np.einsum('ij,j->i', {a}, {b})", (sa[0],))]
      if len(sa) == 1 and len(sb) == 1 and sa == sb:
        opts += [(f"np.dot({a}, {b})", ()), (f"np.einsum('i,i->', {a}, {b})", ())]
      if len(sa) == 1 and len(sb) == 1 and sa[0] * sb[0] <= MAXSIZE:
        opts.append((f"np.outer({a}, {b})", (sa[0], sb[0])))
      if len(sa) == 2 and sa == sb:
        opts += [(f"np.einsum('ij,ij->', {a}, {b})", ()),
                 (f"np.einsum('ij,kj->ik', {a}, {b})", (sa[0], sa[0]))]
    if len(sa) == 2:
      opts.append((f"np.linalg.norm({a}, axis=1)", (sa[0],)))
    if len(sa) == 1:
      opts.append((f"np.linalg.norm({a} + 0.01)", ()))
    if not opts:
      return None
    return opts[int(rng.integers(len(opts)))]
  raise AssertionError(kind)


INPUT_SHAPES = {"theta": (5,), "x": (3, 4), "s": ()}


def gen_program(seed: int, n_ops: int | None = None):
  """A random program: (source, shapes of the values), of f(theta, x, s) -> array."""
  rng = onp.random.default_rng(seed)
  n_ops = n_ops or int(rng.integers(3, 16))
  pool = [("theta", (5,)), ("x", (3, 4)), ("s", ())]
  lines = []
  while len(lines) < n_ops:
    r = gen_op(rng, pool)
    if r is None:
      continue
    expr, shp = r
    name = f"v{len(lines)}"
    lines.append(f"  {name} = {expr}")
    pool.append((name, tuple(shp)))
  # the output mixes the last value with an earlier one (so most inputs matter)
  last, sl = pool[-1]
  other, so = pool[int(rng.integers(len(pool) - 1))]
  if _bshape(sl, so) == sl:
    out = f"{last} + 0.5 * np.tanh({other})"
  else:
    out = f"{last} + 0.5 * np.sum(np.tanh({other}))"
  src = "def f(theta, x, s):\n" + "\n".join(lines) + f"\n  return {out}\n"
  src += "def fs(theta, x, s):\n  return np.sum(f(theta, x, s) ** 2) * 0.5\n"
  return src, sl


def gen_body(rng, pool, n_ops, kinds):
  lines = []
  pool = list(pool)
  while len(lines) < n_ops:
    r = gen_op(rng, pool, kinds)
    if r is None:
      continue
    expr, shp = r
    name = f"w{len(lines)}"
    lines.append(f"    {name} = {expr}")
    pool.append((name, tuple(shp)))
  return lines, pool[-1]


def gen_loop_program(seed: int):
  """fori_loop / scan bodies: random elementwise code on a carry."""
  rng = onp.random.default_rng(seed)
  kinds = ["unary", "binary", "binary", "reduce"]
  loop = ["fori", "scan"][seed % 2]
  if loop == "fori":
    lines, (last, sl) = gen_body(rng, [("c", (5,)), ("theta", (5,)), ("s", ())],
                                 int(rng.integers(2, 7)), kinds)
    src = ("def f(theta, x, s):\n  def body(i, c):\n" + "\n".join(lines)
           + f"\n    return np.tanh({last} + 0.0 * c) * 0.9 + 0.1 * c\n"
           + "  return lax.fori_loop(0, 3, body, theta * 0.5)\n")
  else:
    lines, (last, sl) = gen_body(rng, [("c", (5,)), ("theta", (5,)), ("xr", (4,)), ("s", ())],
                                 int(rng.integers(2, 7)), kinds)
    tail = f"np.tanh({last} + 0.0 * c)" if sl in ((5,), ()) else \
        f"np.tanh(np.sum({last}) + c)"
    src = ("def f(theta, x, s):\n  def body(c, xr):\n" + "\n".join(lines)
           + f"\n    cn = {tail} * 0.9 + 0.1 * c\n    return cn, np.sum(cn * xr[0])\n"
           + "  c, ys = lax.scan(body, theta * 0.5, x)\n  return c + np.sum(ys)\n")
  src += "def fs(theta, x, s):\n  return np.sum(f(theta, x, s) ** 2) * 0.5\n"
  return src, (5,)


# --------------------------------------------------------------------------- comparison

FINDINGS: list[dict] = []
NOTES: list[dict] = []
COUNTS = {"programs": 0, "cases": 0, "compared_leaves": 0, "skipped": 0}


def _asnp(x):
  return onp.asarray(x)


def _ulps(a, b):
  """Max distance in ulps between float arrays (nan==nan, inf==inf), exact."""
  a, b = onp.asarray(a), onp.asarray(b)
  if a.dtype != b.dtype or a.shape != b.shape or a.dtype.kind != "f":
    return None
  ut = onp.uint64 if a.itemsize == 8 else onp.uint32
  top = ut(1) << ut(a.itemsize * 8 - 1)

  def ordered(v):  # a monotonic map of the floats onto unsigned integers
    u = onp.ascontiguousarray(v).view(ut).astype(onp.uint64)
    t = onp.uint64(top)
    return onp.where(u & t, ~u & (t | (t - onp.uint64(1))), u | t)
  oa, ob = ordered(a), ordered(b)
  d = onp.where(oa > ob, oa - ob, ob - oa)
  d = onp.where(onp.isnan(a) & onp.isnan(b), onp.uint64(0), d)
  return int(d.max()) if d.size else 0


def close(ref, got, rtol, tree_scale=0.0):
  ref, got = onp.asarray(ref), onp.asarray(got)
  if ref.dtype.kind not in "fc":
    return bool(onp.array_equal(ref, got))
  fin = onp.isfinite(ref)
  if not onp.array_equal(fin, onp.isfinite(got)):
    return False
  if not onp.array_equal(ref[~fin], got[~fin], equal_nan=True):
    return False
  if not fin.any():
    return True
  scale = max(float(onp.max(onp.abs(ref[fin]))), tree_scale)
  # rounding-level absolute errors next to O(1) intermediates are not findings
  atol = rtol * max(scale, 1e-2) + (1e-300 if ref.dtype == onp.float64 else 1e-37)
  return bool(onp.allclose(ref[fin], got[fin], rtol=rtol, atol=atol))


def record(kind, ctx, case, msg, **extra):
  d = dict(kind=kind, case=case, msg=msg, **ctx, **extra)
  (FINDINGS if kind != "note" else NOTES).append(d)
  if kind != "note":
    print(f"  MISMATCH [{ctx.get('prog')}] {case}: {msg}", flush=True)


RESULTS: dict[str, list] = {}


def capture(ctx, case, tree):
  """Keep vjpkit's result (type, dtype, shape, value) to diff two runs (--diff-results):
  the performance branches should give main's results bit for bit."""
  out = []
  for leaf in V.leaves(tree):
    a = onp.asarray(leaf)
    val = a.copy() if a.size <= 2000 else hashlib.sha1(onp.ascontiguousarray(a).tobytes()
                                                       ).hexdigest()
    out.append((type(leaf).__name__, a.dtype.str, a.shape, val))
  RESULTS[f"{ctx.get('prog')}|{ctx.get('dtype')}|{ctx.get('s')}|{case}"] = out


def diff_results(path_a, path_b):
  with open(path_a, "rb") as fh:
    ra = pickle.load(fh)
  with open(path_b, "rb") as fh:
    rb = pickle.load(fh)
  common = sorted(set(ra) & set(rb))
  print(f"{len(common)} common cases ({len(ra)} in {path_a}, {len(rb)} in {path_b})")
  nd = 0
  for k in common:
    a, b = ra[k], rb[k]
    if len(a) != len(b):
      print(f"  {k}: {len(a)} vs {len(b)} leaves")
      nd += 1
      continue
    for i, (x, y) in enumerate(zip(a, b)):
      if x[:3] != y[:3]:
        print(f"  {k} leaf {i}: {x[:3]} vs {y[:3]}")
        nd += 1
      elif isinstance(x[3], str) or isinstance(y[3], str):
        if x[3] != y[3]:
          print(f"  {k} leaf {i}: digests differ")
          nd += 1
      elif x[3].dtype.kind == "f" and not onp.array_equal(x[3], y[3], equal_nan=True):
        print(f"  {k} leaf {i}: {_ulps(x[3], y[3])} ulp  {_short(x[3])} vs {_short(y[3])}")
        nd += 1
      elif x[3].dtype.kind != "f" and not onp.array_equal(x[3], y[3]):
        print(f"  {k} leaf {i}: values differ")
        nd += 1
  print(f"{nd} differences")
  return 1 if nd else 0


def diff_findings(path_a, path_b):
  """Findings of run B (a branch) that run A (main) does not have."""
  def keys(path):
    with open(path) as fh:
      d = json.load(fh)
    return {(f["prog"], f["dtype"], f["s"], f["case"], f["kind"]): f for f in d["findings"]}
  ka, kb = keys(path_a), keys(path_b)
  new = [kb[k] for k in sorted(set(kb) - set(ka))]
  gone = sorted(set(ka) - set(kb))
  print(f"{len(kb)} findings in {path_b}, {len(ka)} in {path_a}: {len(new)} new, "
        f"{len(gone)} gone")
  for f in new:
    print(f"  NEW [{f['prog']} {f['dtype']} s={f['s']}] {f['case']} {f['kind']}: {f['msg']}")
  for k in gone:
    print(f"  gone {k}")
  return 1 if new else 0


def compare_trees(ref, got, ctx, case, rtol, check_types=True):
  capture(ctx, case, got)
  rl, gl = J.leaves(ref), V.leaves(got)
  COUNTS["cases"] += 1
  if len(rl) != len(gl):
    record("structure", ctx, case, f"{len(rl)} leaves expected, {len(gl)} got")
    return False
  ok = True
  tree_scale = 0.0
  for r in rl:
    r = _asnp(r)
    if r.dtype.kind == "f" and r.size and onp.isfinite(r).any():
      tree_scale = max(tree_scale, float(onp.max(onp.abs(r[onp.isfinite(r)]))))
  for i, (r, g) in enumerate(zip(rl, gl)):
    COUNTS["compared_leaves"] += 1
    if check_types and not isinstance(g, (onp.ndarray, onp.generic)):
      record("type", ctx, case, f"leaf {i}: result is {type(g).__name__}, not a NumPy array")
      ok = False
      continue
    rn, gn = _asnp(r), _asnp(g)
    if rn.shape != gn.shape:
      record("shape", ctx, case, f"leaf {i}: shape {rn.shape} expected, {gn.shape} got")
      ok = False
      continue
    if rn.dtype != gn.dtype:
      record("dtype", ctx, case, f"leaf {i}: dtype {rn.dtype} expected, {gn.dtype} got")
      ok = False
      continue
    if not close(rn, gn, rtol, tree_scale):
      with onp.errstate(all="ignore"):
        err = onp.nanmax(onp.abs(rn.astype(float) - gn.astype(float))) if rn.size else 0
      record("value", ctx, case, f"leaf {i} {rn.dtype}{list(rn.shape)}: max abs err {err:.3g}",
             expected=_short(rn), got=_short(gn))
      ok = False
  return ok


def _short(a):
  a = onp.asarray(a)
  return onp.array2string(a.ravel()[:6], precision=17, separator=", ")


def bitwise(a_tree, b_tree, ctx, case):
  """eager vs jit of the same vjpkit transform: report any ulp difference."""
  capture(ctx, case + "#eager", a_tree)
  capture(ctx, case + "#jit", b_tree)
  al, bl = V.leaves(a_tree), V.leaves(b_tree)
  if len(al) != len(bl):
    record("structure", ctx, case, "eager and jit give different pytrees")
    return
  worst = 0
  for a, b in zip(al, bl):
    a, b = _asnp(a), _asnp(b)
    if a.dtype != b.dtype or a.shape != b.shape:
      record("dtype", ctx, case, f"eager {a.dtype}{a.shape} vs jit {b.dtype}{b.shape}")
      return
    if a.dtype.kind != "f":
      if not onp.array_equal(a, b):
        worst = max(worst, 10 ** 9)
      continue
    if onp.any(onp.signbit(a) != onp.signbit(b)) and onp.array_equal(a, b):
      NOTES.append(dict(kind="note", case=case, msg="sign of zero differs eager/jit", **ctx))
    u = _ulps(a, b)
    worst = max(worst, u or 0)
  ULPS.setdefault(case.split(":")[0], []).append(worst)
  if 0 < worst <= 2:
    NOTES.append(dict(kind="note", case=case, msg=f"eager vs jit: {worst} ulp", **ctx))
  elif worst > 2:
    record("eager-vs-jit", ctx, case, f"eager vs jit differ by {worst} ulp")


ULPS: dict[str, list[int]] = {}


REFCACHE: dict = {}
REFSTATS = {"hit": 0, "miss": 0}


def _key(*parts):
  h = hashlib.sha256()
  for p in parts:
    if isinstance(p, (tuple, list)):
      h.update(b"(" + _key(*p).encode() + b")")
    elif isinstance(p, onp.ndarray) or isinstance(p, onp.generic):
      h.update(repr((type(p).__name__, p.dtype.str, p.shape)).encode() + p.tobytes())
    else:
      h.update(repr((type(p).__name__, p)).encode())
  return h.hexdigest()


def jax_ref(key, fn, *a, use_jit=True):
  """JAX's result of fn(*a) (jax.jit'ed: one XLA compile per program and transform), as a
  list of NumPy leaves; cached on disk by key so later runs against other branches reuse it.
  Returns (ok, leaves or error)."""
  if key in REFCACHE:
    REFSTATS["hit"] += 1
    return REFCACHE[key]
  REFSTATS["miss"] += 1
  ok, r = run(jax.jit(fn) if use_jit else fn, *a)
  res = (True, [onp.asarray(x) for x in jax.tree_util.tree_leaves(r)]) if ok else \
      (False, _errmsg(r))
  REFCACHE[key] = res
  return res


def run(fn, *a):
  try:
    return True, fn(*a)
  except Exception as e:  # noqa: BLE001
    return False, e


def _errmsg(e):
  return f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"


# --------------------------------------------------------------------------- transforms


def transforms(M: NS, f, fs, out_shape, args, ct, tans, batch, batch2, xb, xb2, sb, sb2):
  """name -> (retrace args or None, thunk of the argument tuple, args) for library M."""
  theta, x, s = args
  return {
    "value": (None, lambda a: f(*a), args),
    "value_s": (None, lambda a: fs(*a), args),
    "grad": (None, lambda a: M.grad(fs, argnums=(0, 1, 2))(*a), args),
    "value_and_grad": (None, lambda a: M.value_and_grad(fs)(*a), args),
    # one-argument functions (the grad fast paths): an array, and a scalar
    "grad1": (None, lambda a: M.grad(lambda t: fs(t, a[1], a[2]))(a[0]), args),
    "value_and_grad1": (None, lambda a: M.value_and_grad(lambda t: fs(t, a[1], a[2]))(a[0]),
                        args),
    "grad_s": (None, lambda a: M.grad(lambda ss: fs(a[0], a[1], ss))(a[2]), args),
    "value_and_grad_s": (None, lambda a: M.value_and_grad(lambda ss: fs(a[0], a[1], ss))(a[2]),
                         args),
    "vjp": (None, lambda a: M.vjp(lambda t, xx: f(t, xx, a[2]), a[0], a[1])[1](a[3]),
            args + (ct,)),
    "jvp": (None, lambda a: M.jvp(f, (a[0], a[1], a[2]), (a[3], a[4], a[5])),
            args + tans),
    "hessian": (None, lambda a: M.hessian(fs)(*a), args),
    "jacfwd": (None, lambda a: M.jacfwd(f, argnums=(0, 1))(*a), args),
    "jacrev": (None, lambda a: M.jacrev(f, argnums=(0, 1))(*a), args),
    "vmap": ((batch2, x, s), lambda a: M.vmap(f, in_axes=(0, None, None))(*a), (batch, x, s)),
    "vmap_grad": ((batch2, x, s), lambda a: M.vmap(M.grad(fs), in_axes=(0, None, None))(*a),
                  (batch, x, s)),
    # a batch axis inside x (not leading), and a batch of scalars
    "vmap_x": ((theta, xb2, s), lambda a: M.vmap(f, in_axes=(None, 1, None))(*a),
               (theta, xb, s)),
    "vmap_s_grad": ((theta, x, sb2), lambda a: M.vmap(M.grad(fs, argnums=(0, 2)),
                                                      in_axes=(None, None, 0))(*a),
                    (theta, x, sb)),
    "jvp_grad": (None, lambda a: M.jvp(lambda t: M.grad(fs)(t, a[1], a[2]), (a[0],),
                                       (a[3],)), (theta, x, s, tans[0])),
  }


def _args_for(rng, dtype, s_kind):
  theta = rng.normal(size=5).astype(dtype)
  x = rng.normal(size=(3, 4)).astype(dtype)
  sv = float(rng.normal())
  s = {"py": sv, "0d": onp.array(sv, dtype), "0d64": onp.array(sv)}[s_kind]
  return theta, x, s


def check_owned(out, args, ctx, case):
  """A transform's results are writable arrays of their own (README): never read-only,
  never sharing memory with the inputs or with each other."""
  ins = [x for x in V.leaves(args) if isinstance(x, onp.ndarray)]
  outs = [x for x in V.leaves(out) if isinstance(x, onp.ndarray)]
  for i, o in enumerate(outs):
    if not o.flags.writeable:
      record("readonly", ctx, case, f"result leaf {i} {o.dtype}{list(o.shape)} is read-only")
    for x in ins:
      if o.size and onp.shares_memory(o, x):
        record("aliasing", ctx, case, f"result leaf {i} shares memory with an input")
    for o2 in outs[i + 1:]:
      if o.size and o2.size and onp.shares_memory(o, o2):
        record("aliasing", ctx, case, f"result leaf {i} shares memory with another result")


def _retrace_args(name, re_args, a, s_kind):
  """Arguments with a new jit signature: another batch size, or s given another way."""
  if re_args is not None:
    return re_args
  if s_kind == "py":
    a2 = a[:2] + (onp.float64(a[2]),) + a[3:]
    if name == "jvp":
      a2 = a2[:5] + (onp.float64(a2[5]),)
  else:
    a2 = a[:2] + (float(a[2]),) + a[3:]
    if name == "jvp":
      a2 = a2[:5] + (float(a2[5]),)
  return a2


def prefetch_refs(src, ctx, tj, names, s_kind):
  """Compute the missing JAX references of a program in one jax.jit (one XLA compile)."""
  todo = []
  for name in names:
    re_args, thunk, a = tj[name]
    for aa in (a, _retrace_args(name, re_args, a, s_kind)):
      k = _key(src, name, ctx["dtype"], ctx["s"], aa)
      if k not in REFCACHE:
        todo.append((k, thunk, aa))
  if len(todo) < 2:
    return
  thunks = [t for _, t, _ in todo]

  def all_of(arglist):
    return [t(aa) for t, aa in zip(thunks, arglist)]
  ok, out = run(jax.jit(all_of), [aa for _, _, aa in todo])
  if not ok:
    return  # one of them fails: each is computed (and its error kept) on its own
  REFSTATS["batched"] = REFSTATS.get("batched", 0) + len(todo)
  for (k, _, _), r in zip(todo, out):
    REFCACHE[k] = (True, [onp.asarray(x) for x in jax.tree_util.tree_leaves(r)])


def check_program(pid, src, out_shape, dtype, s_kind, rng, do_jit=True, names=None):
  ctx = dict(prog=pid, dtype=onp.dtype(dtype).name, s=s_kind)
  rtol = 1e-10 if dtype == onp.float64 else 2e-5
  args = _args_for(rng, dtype, s_kind)
  theta, x, s = args
  sd = onp.result_type(s) if s_kind != "py" else onp.float64
  ct = rng.normal(size=out_shape)
  tans = (rng.normal(size=5).astype(dtype), rng.normal(size=(3, 4)).astype(dtype),
          float(rng.normal()) if s_kind == "py" else onp.array(rng.normal(), sd))
  batch = rng.normal(size=(3, 5)).astype(dtype)
  batch2 = rng.normal(size=(4, 5)).astype(dtype)
  xb = rng.normal(size=(3, 2, 4)).astype(dtype)
  xb2 = rng.normal(size=(3, 5, 4)).astype(dtype)
  sdt = onp.float64 if s_kind in ("py", "0d64") else dtype
  sb = rng.normal(size=3).astype(sdt)
  sb2 = rng.normal(size=2).astype(sdt)
  fj, fsj = build(src, J, "f"), build(src, J, "fs")
  fv, fsv = build(src, V, "f"), build(src, V, "fs")
  # the cotangent has the output's dtype
  ok, jout = jax_ref(_key(src, "value", ctx["dtype"], ctx["s"], args), fj, *args)
  if not ok:
    COUNTS["skipped"] += 1
    return
  ct = ct.astype(jout[0].dtype)
  bs = (batch, batch2, xb, xb2, sb, sb2)
  tj = transforms(J, fj, fsj, out_shape, args, ct, tans, *bs)
  tv = transforms(V, fv, fsv, out_shape, args, ct, tans, *bs)
  prefetch_refs(src, ctx, tj, names or list(tj), s_kind)
  for name in (names or tj):
    re_args, thunk_j, a = tj[name]
    _, thunk_v, _ = tv[name]
    okj, ref = jax_ref(_key(src, name, ctx["dtype"], ctx["s"], a),
                       lambda *aa, _t=thunk_j: _t(aa), *a)
    if not okj:
      COUNTS["skipped"] += 1
      continue
    okv, got = run(thunk_v, a)
    if not okv:
      record("error", ctx, name, "eager " + _errmsg(got), tb=traceback.format_exception(got)[-3:])
      continue
    plain = name in ("value", "value_s")  # f itself: Python arithmetic may give floats
    compare_trees(ref, got, ctx, name, rtol, check_types=not plain)
    if not name.startswith("value"):
      check_owned(got, a, ctx, name)
    if not do_jit:
      continue
    jf = vjpkit.jit(lambda *aa, _t=thunk_v: _t(aa))
    for call in ("jit1", "jit2"):
      okv, gj = run(jf, *a)
      if not okv:
        record("error", ctx, f"{name}:{call}", _errmsg(gj), tb=traceback.format_exception(gj)[-3:])
        break
      compare_trees(ref, gj, ctx, f"{name}:{call}", rtol)
      check_owned(gj, a, ctx, f"{name}:{call}")
      bitwise(got, gj, ctx, f"{name}:{call}")
    a2 = _retrace_args(name, re_args, a, s_kind)
    okj, ref2 = jax_ref(_key(src, name, ctx["dtype"], ctx["s"], a2),
                        lambda *aa, _t=thunk_j: _t(aa), *a2)
    if not okj:
      continue
    okv, gj2 = run(jf, *a2)
    if not okv:
      record("error", ctx, f"{name}:retrace", _errmsg(gj2))
      continue
    compare_trees(ref2, gj2, ctx, f"{name}:retrace", rtol)
    okv, ge2 = run(thunk_v, a2)
    if okv:
      compare_trees(ref2, ge2, ctx, f"{name}:retrace-eager", rtol,
                    check_types=name not in ("value", "value_s"))
      bitwise(ge2, gj2, ctx, f"{name}:retrace")


# --------------------------------------------------------------------------- special suites

SCALAR_UNARY = ["np.sin({a})", "np.cos({a})", "np.tan({a})", "np.tanh({a})", "np.exp({a})",
                "np.log({a})", "np.sqrt({a})", "np.log1p({a})", "np.expm1({a})", "-{a}",
                "np.abs({a})", "{a} * {a}", "{a} ** 3", "{a} ** 0.5", "1.0 / {a}",
                "np.arcsin({a})", "np.arccos({a})", "np.arctan({a})", "np.sinh({a})",
                "np.cosh({a})", "np.arcsinh({a})", "{a} * 1e300", "{a} - 1.0", "2.0 * {a}",
                "np.square({a})", "np.cbrt({a})", "np.exp2({a})", "np.log2({a})",
                "np.log10({a})", "sp.expit({a})", "sp.erf({a})", "np.sign({a}) * {a}",
                "np.floor({a})", "{a} / 7.0"]
SCALAR_BINARY = ["{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / {b}", "np.maximum({a}, {b})",
                 "np.minimum({a}, {b})", "np.arctan2({a}, {b})", "np.hypot({a}, {b})",
                 "{a} ** {b}", "np.where({a} > {b}, {a}, {b})", "np.logaddexp({a}, {b})",
                 "np.power({a}, 2.0)", "np.fmax({a}, {b})", "np.copysign({a}, {b})"]
EDGES = [0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, float("inf"), float("-inf"),
         float("nan"), -1.0, -2.5, 0.5, 1.0, 3.0, 5e-324, 710.0, -745.0]


def gen_scalar_program(seed):
  rng = onp.random.default_rng(seed)
  pool = [("a", ()), ("b", ())]
  lines = []
  for k in range(int(rng.integers(2, 9))):
    if rng.random() < 0.55:
      t = SCALAR_UNARY[int(rng.integers(len(SCALAR_UNARY)))]
      e = t.format(a=_pick(rng, pool, 0.4)[0])
    else:
      t = SCALAR_BINARY[int(rng.integers(len(SCALAR_BINARY)))]
      e = t.format(a=_pick(rng, pool, 0.4)[0], b=_pick(rng, pool, 0.5)[0])
    lines.append(f"  u{k} = {e}")
    pool.append((f"u{k}", ()))
  return "def f(a, b):\n" + "\n".join(lines) + f"\n  return {pool[-1][0]}\n"


def check_scalar(pid, src, rng):
  """0-d float64 programs at edge values: numpy value, vjpkit eager, jit (scalar path),
  grad / value_and_grad eager vs jit, and JAX's derivatives."""
  fv, fn, fj = build(src, V), build(src, N), build(src, J)
  gv = vjpkit.grad(fv, argnums=(0, 1))
  vgv = vjpkit.value_and_grad(fv, argnums=(0, 1))
  jf, jg, jvg = vjpkit.jit(fv), vjpkit.jit(gv), vjpkit.jit(vgv)
  gj = jax.grad(fj, argnums=(0, 1))
  ctx = dict(prog=pid, dtype="float64", s="scalar")
  for _ in range(6):
    pts = [EDGES[int(rng.integers(len(EDGES)))] if rng.random() < 0.6 else float(rng.normal())
           for _ in range(2)]
    kinds = [str(k) for k in rng.choice(["py", "0d", "np64", "py", "0d", "np64", "f32"],
                                        size=2)]
    a = [p if k == "py" else onp.array(p) if k == "0d" else onp.float64(p) if k == "np64"
         else onp.float32(p) for p, k in zip(pts, kinds)]
    case = f"scalar{pts}{kinds}"
    if "f32" in kinds:
      check_scalar_f32(ctx, case, fv, jf, jg, gv, a)
      continue
    edge = any(p in EDGES or not math.isfinite(p) for p in pts)
    with onp.errstate(all="ignore"):
      ref = onp.float64(fn(*[onp.float64(p) for p in pts]))
      # eagerly, Python floats would do Python arithmetic (complex powers, ZeroDivisionError):
      # the eager reference takes them as NumPy float64 scalars, jit gets them as they are
      ae = [onp.float64(x) if type(x) is float else x for x in a]
      okv, ev = run(fv, *ae)
      if not okv:
        record("error", ctx, case + ":eager", _errmsg(ev))
        continue
      capture(ctx, case + ":eager", ev)
      COUNTS["cases"] += 1
      # vjpkit's values are NumPy's (bit for bit, eager)
      if _asnp(ev).dtype != onp.float64 or _asnp(ev).shape != ():
        record("dtype", ctx, case + ":eager", f"{_asnp(ev).dtype}{_asnp(ev).shape}")
      elif _ulps(ref, _asnp(ev)) != 0:
        u = _ulps(ref, _asnp(ev))
        (record if u > 2 else _note)("value", ctx, case + ":eager-vs-numpy",
                                     f"{u} ulp: numpy {ref!r} vjpkit {ev!r}")
      for call in ("jit1", "jit2"):
        okv, jv = run(jf, *a)
        if not okv:
          record("error", ctx, f"{case}:{call}", _errmsg(jv))
          break
        COUNTS["cases"] += 1
        capture(ctx, f"{case}:{call}", jv)
        u = _ulps(_asnp(ev), _asnp(jv))
        if u is None:
          record("dtype", ctx, f"{case}:{call}", f"eager {_asnp(ev).dtype} jit {_asnp(jv).dtype}")
        elif u > 1:
          record("eager-vs-jit", ctx, f"{case}:{call}",
                 f"{u} ulp: eager {ev!r} jit {jv!r}")
        elif u == 1 or (onp.signbit(ev) != onp.signbit(jv)):
          _note("value", ctx, f"{case}:{call}", f"{u} ulp/sign: eager {ev!r} jit {jv!r}")
      okv, eg = run(gv, *ae)
      if not okv:
        record("error", ctx, case + ":grad", _errmsg(eg))
        continue
      capture(ctx, case + ":grad", eg)
      okj, rg = jax_ref(_key(src, "scalar-grad", pts), gj, *[onp.float64(p) for p in pts])
      if okj:
        COUNTS["cases"] += 1
        for i in range(2):
          r, g = _asnp(rg[i]), _asnp(eg[i])
          if g.dtype != onp.float64:
            record("dtype", ctx, case + ":grad", f"grad {i} dtype {g.dtype}")
          elif not close(r, g, 1e-10, tree_scale=1e-2):
            if edge:
              NOTES.append(dict(kind="note", case=case + ":grad-vs-jax",
                                msg=f"d/d{'ab'[i]}: jax {r!r} vjpkit {g!r}", **ctx))
              GRAD_EDGE.append((src, pts, i, float(r), float(g)))
            else:
              record("value", ctx, case + ":grad", f"d/d{'ab'[i]}: jax {r!r} vjpkit {g!r}")
      for fn2, e2, nm in ((jg, eg, "jit-grad"), (jvg, None, "jit-value_and_grad")):
        for call in ("1", "2"):
          okv, out = run(fn2, *a)
          if not okv:
            record("error", ctx, f"{case}:{nm}{call}", _errmsg(out))
            break
          COUNTS["cases"] += 1
          capture(ctx, f"{case}:{nm}{call}", out)
          exp = e2 if e2 is not None else (ev, eg)
          el, ol = V.leaves(exp), V.leaves(out)
          for x1, x2 in zip(el, ol):
            u = _ulps(_asnp(x1), _asnp(x2))
            if u is None:
              record("dtype", ctx, f"{case}:{nm}{call}",
                     f"eager {_asnp(x1).dtype} jit {_asnp(x2).dtype}")
            elif u > 2:
              record("eager-vs-jit", ctx, f"{case}:{nm}{call}",
                     f"{u} ulp: eager {x1!r} jit {x2!r}")
            elif u:
              _note("value", ctx, f"{case}:{nm}{call}", f"{u} ulp: eager {x1!r} jit {x2!r}")


GRAD_EDGE: list = []


def check_scalar_f32(ctx, case, fv, jf, jg, gv, a):
  """float32 scalars (not the float64 scalar path): eager vs jit, dtype and value."""
  with onp.errstate(all="ignore"):
    for fn_e, fn_j, nm in ((fv, jf, "f32"), (gv, jg, "f32-grad")):
      oke, e = run(fn_e, *a)
      if not oke or any(_asnp(x).dtype.kind != "f" for x in V.leaves(e)):
        continue  # Python arithmetic on a Python float (a complex power, an exception)
      capture(ctx, f"{case}:{nm}:eager", e)
      for call in ("1", "2"):
        okj, j = run(fn_j, *a)
        if not okj:
          record("error", ctx, f"{case}:{nm}:jit{call}", _errmsg(j))
          break
        COUNTS["cases"] += 1
        capture(ctx, f"{case}:{nm}:jit{call}", j)
        for x1, x2 in zip(V.leaves(e), V.leaves(j)):
          x1, x2 = _asnp(x1), _asnp(x2)
          u = _ulps(x1, x2)
          if u is None:
            record("dtype", ctx, f"{case}:{nm}:jit{call}",
                   f"eager {x1.dtype}{x1.shape} jit {x2.dtype}{x2.shape}")
          elif u > 2:
            record("eager-vs-jit", ctx, f"{case}:{nm}:jit{call}",
                   f"{u} ulp: eager {x1!r} jit {x2!r}")


def _note(kind, ctx, case, msg):
  NOTES.append(dict(kind="note", sub=kind, case=case, msg=msg, **ctx))


def chain_source(seed, n, width=5):
  """A long chain of contractive elementwise ops on a vector (no error amplification)."""
  rng = onp.random.default_rng(seed)
  ops = ["np.sin({a})", "np.tanh({a}) * 0.9", "{a} * 0.7 + 0.1", "np.cos({a}) * 0.5",
         "np.arctan({a})", "0.5 * ({a} + {b})", "np.maximum({a}, {b}) * 0.8",
         "{a} * {b} * 0.5", "np.exp(-{a} * {a})", "{a} - 0.3 * {b}", "sp.expit({a})",
         "np.sqrt({a} * {a} + 1.0) - 1.0", "np.where({a} > 0.2, {a}, {b}) * 0.9",
         "np.sum({a}) * 0.1 + {b} * 0.5", "{a}[::-1] * 0.9", "np.log1p({a} * {a})"]
  lines = ["  v = theta", "  w = np.cos(theta)"]
  for _ in range(n):
    t = ops[int(rng.integers(len(ops)))]
    lines.append(f"  v, w = {t.format(a='v', b='w')}, v")
  return ("def f(theta):\n" + "\n".join(lines) + "\n  return v\n"
          "def fs(theta):\n  return np.sum(f(theta) * np.arange(1.0, 6.0))\n")


def check_chain(pid, n, seed, use_jax=True):
  src = chain_source(seed, n)
  fv, fsv = build(src, V, "f"), build(src, V, "fs")
  fn = build(src, N, "f")
  theta = onp.random.default_rng(seed).normal(size=5)
  ctx = dict(prog=pid, dtype="float64", s=f"chain{n}")
  t0 = time.time()
  ref = fn(theta)
  ev = fv(theta)
  eg = vjpkit.grad(fsv)(theta)
  COUNTS["cases"] += 2
  if _ulps(ref, _asnp(ev)) != 0:
    u = _ulps(ref, _asnp(ev))
    (record if u > 2 else _note)("value", ctx, "chain:eager-vs-numpy", f"{u} ulp")
  jf = vjpkit.jit(fv)
  jgv = vjpkit.jit(vjpkit.value_and_grad(fsv))
  jgj = vjpkit.jit(vjpkit.jacrev(fv)) if n <= 2000 else None
  for call in ("1", "2"):
    okv, jv = run(jf, theta)
    if not okv:
      record("error", ctx, f"chain:jit{call}", _errmsg(jv))
    else:
      bitwise(ev, jv, ctx, f"chain-value:jit{call}")
    okv, out = run(jgv, theta)
    if not okv:
      record("error", ctx, f"chain:jit-vg{call}", _errmsg(out),
             tb=traceback.format_exception(out)[-3:])
    else:
      bitwise((fsv(theta), eg), out, ctx, f"chain-value_and_grad:jit{call}")
    COUNTS["cases"] += 2
  if use_jax:
    fj, fsj = build(src, J, "f"), build(src, J, "fs")
    okj, rj = jax_ref(_key(src, "chain-grad", theta), jax.grad(fsj), theta)
    if okj:
      compare_trees(rj, eg, ctx, "chain-grad:eager", 1e-9)
    if okv and okj:
      compare_trees(rj, out[1], ctx, "chain-grad:jit", 1e-9)
    if jgj is not None:
      okj, rjac = jax_ref(_key(src, "chain-jacrev", theta), jax.jacrev(fj), theta)
      okv, gjac = run(jgj, theta)
      if okv and okj:
        compare_trees(rjac, gjac, ctx, "chain-jacrev:jit", 1e-9)
      else:
        record("error", ctx, "chain-jacrev:jit", _errmsg(gjac))
  # the program size the jit compiled (to know which backend ran)
  try:
    neq = len(vjpkit.make_jaxpr(vjpkit.value_and_grad(fsv))(theta).jaxpr.eqns)
  except Exception:  # noqa: BLE001
    neq = -1
  print(f"  chain n={n}: {neq} eqns in value_and_grad, {time.time() - t0:.1f}s", flush=True)


def big_source(seed):
  rng = onp.random.default_rng(seed)
  pool = [("x", (512, 512)), ("y", (512, 512)), ("r", (512,)), ("c", ())]
  kinds = ["unary", "unary", "binary", "binary"]
  global MAXSIZE
  old, MAXSIZE = MAXSIZE, 1 << 19
  try:
    lines = []
    while len(lines) < int(rng.integers(4, 14)):
      r = gen_op(rng, pool, kinds)
      if r is None:
        continue
      lines.append(f"  b{len(lines)} = {r[0]}")
      pool.append((f"b{len(lines) - 1}", r[1]))
  finally:
    MAXSIZE = old
  last = pool[-1][0]
  return ("def f(x, y, r, c):\n" + "\n".join(lines)
          + f"\n  return {last} + 0.0 * x\ndef fs(x, y, r, c):\n  return np.sum(f(x, y, r, c))\n")


def check_big(pid, seed, dtype):
  src = big_source(seed)
  rng = onp.random.default_rng(seed)
  args = (rng.normal(size=(512, 512)).astype(dtype), rng.normal(size=(512, 512)).astype(dtype),
          rng.normal(size=512).astype(dtype), 0.7)
  ctx = dict(prog=pid, dtype=onp.dtype(dtype).name, s="big")
  rtol = 1e-10 if dtype == onp.float64 else 2e-5
  fv, fsv = build(src, V, "f"), build(src, V, "fs")
  fj, fsj = build(src, J, "f"), build(src, J, "fs")
  g_args = (0, 1, 2)
  for name, tv, tj in (("big-value", fv, fj),
                       ("big-grad", vjpkit.grad(fsv, argnums=g_args),
                        jax.grad(fsj, argnums=g_args))):
    okj, ref = jax_ref(_key(src, name, ctx["dtype"], args), tj, *args)
    okv, ev = run(tv, *args)
    if not okv:
      record("error", ctx, name, _errmsg(ev))
      continue
    COUNTS["cases"] += 1
    if okj:
      compare_trees(ref, ev, ctx, name + ":eager", rtol if name == "big-value" else rtol * 100)
    jf = vjpkit.jit(tv)
    for call in [f"jit{i}" for i in range(1, 13)]:  # threads or not: decided call by call
      okv, jv = run(jf, *args)
      if not okv:
        record("error", ctx, f"{name}:{call}", _errmsg(jv))
        break
      COUNTS["cases"] += 1
      bitwise(ev, jv, ctx, f"{name}:{call}")
  # non-contiguous inputs (Fortran order, strided views) to the blocked code
  xf = onp.asfortranarray(args[0])
  ys = onp.repeat(args[1], 2, axis=0)[::2]
  for nm, aa in (("big-fortran", (xf,) + args[1:]), ("big-strided", args[:1] + (ys,) + args[2:])):
    okv, ev = run(fv, *aa)
    okj, jv = run(vjpkit.jit(fv), *aa)
    if okv and okj:
      COUNTS["cases"] += 1
      bitwise(ev, jv, ctx, nm + ":jit")
    elif okv:
      record("error", ctx, nm + ":jit", _errmsg(jv))
  # the blocked path is meant to be bit-for-bit the unblocked one: also a small shape
  small = tuple(a[:8, :8] if getattr(a, "ndim", 0) == 2 else a[:8] if getattr(a, "ndim", 0)
                else a for a in args)
  okv, ev = run(fv, *small)
  okj, jv = run(vjpkit.jit(fv), *small)
  if okv and okj:
    bitwise(ev, jv, ctx, "big-small:jit")


DISPATCH_SRC = """def f(a, b):
  return np.sin(a) * b + a / (1.0 + b * b) - np.exp(-a * a) * 0.5
"""


def check_dispatch(pid, seed, cache_size):
  """One jitted function called with a random sequence of argument kinds (Python
  float/int, NumPy scalars, 0-d arrays of several dtypes, small arrays) with a small jit
  cache (evictions): each call must give the eager result (type, dtype, value)."""
  rng = onp.random.default_rng(seed)
  fv = build(DISPATCH_SRC, V)
  makers = {
    "py": lambda v: float(v), "int": lambda v: int(round(v * 3)), "np64": onp.float64,
    "np32": onp.float32, "0d64": lambda v: onp.array(v), "0d32": lambda v: onp.array(v, onp.float32),
    "0di": lambda v: onp.array(int(round(v * 3))), "i32": lambda v: onp.int32(round(v * 3)),
    "1d": lambda v: onp.array([v, 2 * v]), "1d32": lambda v: onp.array([v], onp.float32),
  }
  names = list(makers)
  ctx = dict(prog=pid, dtype="mixed", s=f"cache{cache_size}")
  old = vjpkit.config.jit_cache_size
  vjpkit.config.update("jit_cache_size", cache_size)
  try:
    fns = {"f": (fv, vjpkit.jit(fv)),
           "grad": (vjpkit.grad(fv), vjpkit.jit(vjpkit.grad(fv))),
           "vg": (vjpkit.value_and_grad(fv, argnums=(0, 1)),
                  vjpkit.jit(vjpkit.value_and_grad(fv, argnums=(0, 1))))}
    for _ in range(60):
      ka, kb = names[int(rng.integers(len(names)))], names[int(rng.integers(len(names)))]
      va, vb = float(rng.normal()), float(rng.normal())
      a, b = makers[ka](va), makers[kb](vb)
      for nm, (fe, fj) in fns.items():
        with onp.errstate(all="ignore"):
          oke, e = run(fe, a, b)
          okj, j = run(fj, a, b)
        case = f"dispatch-{nm}({ka},{kb})"
        if not oke:
          if okj:
            _note("error", ctx, case, f"eager raises {_errmsg(e)}, jit does not")
          continue
        if not okj:
          record("error", ctx, case, "jit: " + _errmsg(j))
          continue
        COUNTS["cases"] += 1
        capture(ctx, case + f"[{va!r},{vb!r}]#eager", e)
        capture(ctx, case + f"[{va!r},{vb!r}]#jit", j)
        for x1, x2 in zip(V.leaves(e), V.leaves(j)):
          if type(x1) is not type(x2) and not _zero_d_pair(x1, x2):
            record("type", ctx, case, f"eager {type(x1).__name__} jit {type(x2).__name__}")
            continue
          x1, x2 = _asnp(x1), _asnp(x2)
          u = _ulps(x1, x2)
          if u is None:
            record("dtype", ctx, case, f"eager {x1.dtype}{x1.shape} jit {x2.dtype}{x2.shape}")
          elif u > 1:
            record("eager-vs-jit", ctx, case, f"{u} ulp: eager {x1!r} jit {x2!r}")
          elif u:
            _note("value", ctx, case, f"{u} ulp")
    # one-array functions (the wrapper's (shape, dtype) fast path)
    one = {"g": build("def g(x):\n  return np.sum(np.sin(x) * x)\n", V, "g"),
           "h": build("def h(x):\n  return np.tanh(x) * 2.0 + x[..., :1]\n", V, "h")}
    fns1 = {"g": (one["g"], vjpkit.jit(one["g"])), "h": (one["h"], vjpkit.jit(one["h"])),
            "grad-g": (vjpkit.grad(one["g"]), vjpkit.jit(vjpkit.grad(one["g"]))),
            "jac-h": (vjpkit.jacrev(one["h"]), vjpkit.jit(vjpkit.jacrev(one["h"])))}
    base = rng.normal(size=(6, 4))
    arrays = {"3": lambda: rng.normal(size=3), "4": lambda: rng.normal(size=4),
              "2x3": lambda: rng.normal(size=(2, 3)),
              "3f32": lambda: rng.normal(size=3).astype(onp.float32),
              "F2x3": lambda: onp.asfortranarray(rng.normal(size=(2, 3))),
              "view": lambda: base[::2, 1:], "T": lambda: base.T[:3],
              "0d": lambda: onp.array(rng.normal()), "np64": lambda: onp.float64(rng.normal()),
              "py": lambda: float(rng.normal()), "1": lambda: rng.normal(size=1),
              "ro": lambda: _readonly(rng.normal(size=3))}
    kinds = list(arrays)
    for _ in range(60):
      k = kinds[int(rng.integers(len(kinds)))]
      x = arrays[k]()
      for nm, (fe, fj) in fns1.items():
        with onp.errstate(all="ignore"):
          oke, e = run(fe, x)
          okj, j = run(fj, x)
        case = f"dispatch1-{nm}({k})"
        if not oke:
          if okj:
            _note("error", ctx, case, f"eager raises {_errmsg(e)}, jit does not")
          continue
        if not okj:
          record("error", ctx, case, "jit: " + _errmsg(j))
          continue
        COUNTS["cases"] += 1
        capture(ctx, case + f"[{_short(x)}]#eager", e)
        capture(ctx, case + f"[{_short(x)}]#jit", j)
        for x1, x2 in zip(V.leaves(e), V.leaves(j)):
          if type(x1) is not type(x2) and not _zero_d_pair(x1, x2):
            record("type", ctx, case, f"eager {type(x1).__name__} jit {type(x2).__name__}")
            continue
          x1, x2 = _asnp(x1), _asnp(x2)
          u = _ulps(x1, x2)
          if u is None:
            record("dtype", ctx, case, f"eager {x1.dtype}{x1.shape} jit {x2.dtype}{x2.shape}")
          elif u > 1:
            record("eager-vs-jit", ctx, case, f"{u} ulp: eager {x1!r} jit {x2!r}")
  finally:
    vjpkit.config.update("jit_cache_size", old)


def _zero_d_pair(e, j):
  """vjpkit.numpy reductions on 0-d inputs give 0-d arrays eagerly (NumPy: scalars);
  jit gives NumPy scalars. Not what this suite looks for."""
  return type(e) is onp.ndarray and e.shape == () and isinstance(j, onp.generic)


def _readonly(a):
  a.flags.writeable = False
  return a


def plan_source(seed, copies):
  """A random program repeated `copies` times with perturbed inputs: a big program with
  every kind of primitive (jit(grad) of it is past the plan backend's threshold)."""
  src, _ = gen_program(seed)
  src = src.replace("def f(", "def f0(").replace("def fs(", "def fs0(").replace(
      "f(theta, x, s)", "f0(theta, x, s)")
  return src + f"""def fs(theta, x, s):
  acc = 0.0
  for k in range({copies}):
    acc = acc + fs0(theta * (1.0 + 1e-3 * k), x, s) * (1.0 / {copies})
  return acc
def f(theta, x, s):
  return np.stack([fs0(theta * (1.0 + 1e-3 * k), x, s) for k in range({copies})])
"""


def check_plan(pid, seed, copies):
  src = plan_source(seed, copies)
  rng = onp.random.default_rng(seed)
  args = _args_for(rng, onp.float64, "py")
  ct = rng.normal(size=copies)
  ctx = dict(prog=pid, dtype="float64", s=f"plan{copies}")
  fv, fsv = build(src, V, "f"), build(src, V, "fs")
  fj, fsj = build(src, J, "f"), build(src, J, "fs")
  t0 = time.time()
  cases = {"plan-vg": (lambda *a: vjpkit.value_and_grad(fsv, argnums=(0, 1))(*a),
                       lambda *a: jax.value_and_grad(fsj, argnums=(0, 1))(*a), args),
           "plan-vjp": (lambda *a: vjpkit.vjp(fv, *a[:3])[1](a[3]),
                        lambda *a: jax.vjp(fj, *a[:3])[1](a[3]), args + (ct,))}
  for name, (tv, tj, a) in cases.items():
    okj, ref = jax_ref(_key(src, name, a), tj, *a)
    oke, ev = run(tv, *a)
    if not oke:
      record("error", ctx, name + ":eager", _errmsg(ev))
      continue
    if okj:
      compare_trees(ref, ev, ctx, name + ":eager", 1e-9)
    jf = vjpkit.jit(tv)
    for call in ("jit1", "jit2"):
      okv, jv = run(jf, *a)
      if not okv:
        record("error", ctx, f"{name}:{call}", _errmsg(jv), tb=traceback.format_exception(jv)[-3:])
        break
      if okj:
        compare_trees(ref, jv, ctx, f"{name}:{call}", 1e-9)
      bitwise(ev, jv, ctx, f"{name}:{call}")
  try:
    neq = len(vjpkit.make_jaxpr(cases["plan-vg"][0])(*args).jaxpr.eqns)
  except Exception:  # noqa: BLE001
    neq = -1
  print(f"  plan seed={seed} copies={copies}: {neq} eqns in value_and_grad, "
        f"{time.time() - t0:.1f}s", flush=True)


# --------------------------------------------------------------------------- shrinking


def _dce(lines, ret):
  """Keep the lines ``ret`` depends on."""
  need, keep = {ret}, []
  for ln in reversed(lines):
    name, expr = ln.strip().split(" = ", 1)
    if name in need:
      keep.append(ln)
      need |= set(re.findall(r"\b[vw]\d+\b", expr))
  return keep[::-1]


def shrink(src, dtype, s_kind, case, seed, want=None):
  """The shortest prefix program (dead lines removed) still giving a finding of this
  case's transform; prints it with the finding."""
  head, rest = src.split("\n", 1)
  body = rest.split("  return")[0].rstrip("\n").split("\n")
  tname = case.split(":")[0]
  best = None
  for k in range(len(body)):
    ret = body[k].strip().split(" = ")[0]
    lines = _dce(body[:k + 1], ret)
    cand = (head + "\n" + "\n".join(lines) + f"\n  return {ret}\n"
            "def fs(theta, x, s):\n  return np.sum(f(theta, x, s) ** 2) * 0.5\n")
    shp = jax.eval_shape(build(cand, J, "f"), *_args_for(onp.random.default_rng(0), dtype,
                                                          s_kind)).shape
    n0 = len(FINDINGS)
    check_program("shrink", cand, shp, dtype, s_kind, onp.random.default_rng(seed + 7),
                  names=[tname])
    new = [f for f in FINDINGS[n0:] if want is None or f["kind"] == want]
    del FINDINGS[n0:]
    if new and (best is None or len(lines) < best[0]):
      best = (len(lines), cand, new)
      break
  if best is None:
    print("no smaller program reproduces it; the original:\n" + src)
    return
  print(best[1])
  for f in best[2]:
    print(" ", f["case"], f["msg"], f.get("expected", ""), f.get("got", ""))


# --------------------------------------------------------------------------- main


def _save_cache(path):
  tmp = f"{path}.{os.getpid()}.tmp"
  with open(tmp, "wb") as fh:
    pickle.dump(REFCACHE, fh)
  os.replace(tmp, path)


def main(argv=None):
  p = argparse.ArgumentParser()
  p.add_argument("--programs", type=int, default=40, help="random programs (x4 configs)")
  p.add_argument("--loops", type=int, default=10)
  p.add_argument("--scalars", type=int, default=40)
  p.add_argument("--big", type=int, default=4)
  p.add_argument("--chains", default="2000,8000", help="chain lengths under jit")
  p.add_argument("--dispatch", type=int, default=6)
  p.add_argument("--plans", type=int, default=2)
  p.add_argument("--plan-copies", type=int, default=400)
  p.add_argument("--chain-jax-max", type=int, default=300,
                 help="longest chain also run by JAX (XLA on a 2,000-op jacrev took >20 GB)")
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--out")
  p.add_argument("--refcache", default="/tmp/difftest-refcache.pkl",
                 help="pickle of JAX's results, reused across runs ('' for none)")
  p.add_argument("--show", type=int)
  p.add_argument("--kind", default="random")
  p.add_argument("--only", help="comma list of transform names for random programs")
  p.add_argument("--shrink", help="random:SEED: shrink the failing program; with --dtype,"
                 " --s and --case")
  p.add_argument("--diff-results", nargs=2, metavar=("A.pkl", "B.pkl"),
                 help="compare the vjpkit results saved by two runs (--results)")
  p.add_argument("--diff-findings", nargs=2, metavar=("A.json", "B.json"),
                 help="findings of run B that run A does not have")
  p.add_argument("--results", help="save vjpkit's results (pickle) for --diff-results")
  p.add_argument("--want", help="with --shrink: the kind of finding to keep (value, dtype,"
                 " eager-vs-jit, ...)")
  p.add_argument("--dtype", default="float64")
  p.add_argument("--s", default="py")
  p.add_argument("--case", default="value")
  p.add_argument("--blocked-small", action="store_true",
                 help="blocked elementwise code for every array of 2+ elements, blocks of 4"
                      " (threads from 8 elements): the blocked path on every random program")
  o = p.parse_args(argv)
  if o.blocked_small:
    from vjpkit.interpreters import codegen_blocked as cb
    cb.MIN_SIZE, cb.BLOCK = 2, 4
    if hasattr(cb, "THREADS_MIN_SIZE"):
      cb.THREADS_MIN_SIZE, cb.CHUNK_BLOCKS = 8, 1
  if o.diff_results:
    return diff_results(*o.diff_results)
  if o.diff_findings:
    return diff_findings(*o.diff_findings)
  if o.shrink:
    seed = int(o.shrink.split(":")[1])
    src, _ = gen_program(seed)
    shrink(src, onp.dtype(o.dtype).type, o.s, o.case, seed, o.want)
    return 0
  if o.show is not None:
    src = {"random": lambda s: gen_program(s)[0], "loop": lambda s: gen_loop_program(s)[0],
           "scalar": gen_scalar_program, "big": big_source,
           "chain": lambda s: chain_source(s, 20)}[o.kind](o.show)
    print(src)
    return 0
  names = o.only.split(",") if o.only else None
  if o.refcache and os.path.exists(o.refcache):
    with open(o.refcache, "rb") as fh:
      REFCACHE.update(pickle.load(fh))
  t0 = time.time()
  print(f"vjpkit from {os.path.dirname(vjpkit.__file__)}", flush=True)
  configs = [(onp.float64, "py"), (onp.float64, "0d"), (onp.float32, "py"),
             (onp.float32, "0d64")]
  for k in range(o.programs):
    seed = o.seed + k
    src, shp = gen_program(seed)
    dt, sk = configs[k % len(configs)]
    COUNTS["programs"] += 1
    check_program(f"random:{seed}", src, shp, dt, sk, onp.random.default_rng(seed + 7),
                  names=names)
    if k % 10 == 9 and o.refcache:
      _save_cache(o.refcache)
    if k % 20 == 19:
      print(f"  {k + 1} random programs, {len(FINDINGS)} findings, {time.time() - t0:.0f}s",
            flush=True)
  print(f"random programs done {time.time() - t0:.0f}s", flush=True)
  for k in range(o.loops):
    seed = o.seed + k
    src, shp = gen_loop_program(seed)
    dt, sk = configs[k % 2]
    COUNTS["programs"] += 1
    check_program(f"loop:{seed}", src, shp, dt, sk, onp.random.default_rng(seed + 9),
                  names=["value", "grad", "vjp", "jvp", "hessian", "jacrev", "vmap_grad"])
  if o.refcache:
    _save_cache(o.refcache)
  print(f"loop programs done {time.time() - t0:.0f}s", flush=True)
  for k in range(o.scalars):
    seed = o.seed + k
    COUNTS["programs"] += 1
    check_scalar(f"scalar:{seed}", gen_scalar_program(seed), onp.random.default_rng(seed))
  if o.refcache:
    _save_cache(o.refcache)
  print(f"scalar programs done {time.time() - t0:.0f}s", flush=True)
  for k in range(o.big):
    COUNTS["programs"] += 1
    check_big(f"big:{o.seed + k}", o.seed + k, [onp.float64, onp.float32][k % 2])
  if o.refcache:
    _save_cache(o.refcache)
  print(f"big programs done {time.time() - t0:.0f}s", flush=True)
  for k in range(o.dispatch):
    COUNTS["programs"] += 1
    check_dispatch(f"dispatch:{o.seed + k}", o.seed + k, [2, 3, 128][k % 3])
  print(f"dispatch done {time.time() - t0:.0f}s", flush=True)
  for k in range(o.plans):
    COUNTS["programs"] += 1
    check_plan(f"plan:{o.seed + k}", o.seed + k, o.plan_copies)
  if o.refcache:
    _save_cache(o.refcache)
  print(f"plan programs done {time.time() - t0:.0f}s", flush=True)
  for n in [int(c) for c in o.chains.split(",") if c]:
    COUNTS["programs"] += 1
    check_chain(f"chain:{n}", n, o.seed + n, use_jax=n <= o.chain_jax_max)
  if o.results:
    with open(o.results, "wb") as fh:
      pickle.dump(RESULTS, fh)
  if o.refcache:
    _save_cache(o.refcache)
  dt = time.time() - t0
  ulp_summary = {k: dict(n=len(v), nonzero=sum(1 for u in v if u), max=max(v))
                 for k, v in ULPS.items()}
  summary = dict(counts=COUNTS, refcache=REFSTATS, findings=len(FINDINGS), notes=len(NOTES),
                 seconds=round(dt),
                 vjpkit=os.path.dirname(vjpkit.__file__))
  print(json.dumps(summary), flush=True)
  print("eager-vs-jit ulps:", json.dumps(ulp_summary))
  print(f"grad-vs-jax differences at edge values: {len(GRAD_EDGE)}")
  if o.out:
    with open(o.out, "w") as fh:
      json.dump(dict(summary=summary, findings=FINDINGS, notes=NOTES, ulps=ulp_summary,
                     grad_edge=GRAD_EDGE), fh, indent=1, default=str)
  return 1 if FINDINGS else 0


if __name__ == "__main__":
  sys.exit(main())
