#!/usr/bin/env python
"""Differential test of vjpkit against JAX (jax_enable_x64) where tools/difftest.py does not
look: complex inputs, numpy.linalg, numpy.fft, scipy.special, scipy.stats, lax control flow,
custom_vjp / custom_jvp under vmap / jit / hessian, checkpoint.

Each case is a function of a namespace (``M.np``, ``M.sp``, ``M.st``, ``M.la``, ``M.lax``,
``M.L`` the library itself) returning a function of array arguments, and an input generator.
Every case is run through: value (eager and jit), grad of a real scalar loss
``sum(real(f * conj(W))) `` with respect to every inexact argument, jvp with random
(complex where the input is complex) tangents, vjp with a random cotangent, hessian (real
smooth cases), vmap over the first argument against a Python loop, and jit of grad.
Results are compared with JAX's, relative to the largest magnitude of the reference
(``rel`` below, reported in ulps of float64).  ``--edge`` runs the scalar edge-point table
(0, +-inf, nan, support boundaries): value and grad against JAX's.

Usage:  PYTHONPATH=<tree> nice -n 10 python tools/difftest_more.py [--seeds 3] [-k SUBSTR]
Exit status 0 when no mismatch above --rtol was found.
"""
from __future__ import annotations

import argparse
import math
import sys
import traceback
from typing import Any, Callable

import numpy as onp

import jax
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jla  # noqa: E402
import jax.scipy.special as jsp  # noqa: E402
import jax.scipy.stats as jst  # noqa: E402

import vjpkit  # noqa: E402
import vjpkit.lax as vlax  # noqa: E402
import vjpkit.numpy as vnp  # noqa: E402
import vjpkit.scipy.linalg as vla  # noqa: E402
import vjpkit.scipy.special as vsp  # noqa: E402
import vjpkit.scipy.stats as vst  # noqa: E402

__all__ = ["main", "CASES"]

EPS = float(onp.finfo(onp.float64).eps)


class NS:
  def __init__(self, **kw: Any) -> None:
    self.__dict__.update(kw)


V = NS(name="vjpkit", np=vnp, sp=vsp, st=vst, la=vla, lax=vlax, L=vjpkit,
       ckpt=vjpkit.checkpoint)
J = NS(name="jax", np=jnp, sp=jsp, st=jst, la=jla, lax=jax.lax, L=jax, ckpt=jax.checkpoint)

# --------------------------------------------------------------------------- inputs


def _r(*shape: int, lo: float = -2.0, hi: float = 2.0) -> Callable:
  return lambda rng: rng.uniform(lo, hi, shape)


def _c(*shape: int, s: float = 1.0) -> Callable:
  return lambda rng: s * (rng.normal(size=shape) + 1j * rng.normal(size=shape))


def _spd(n: int, cplx: bool = False) -> Callable:
  def g(rng):
    a = rng.normal(size=(n, n)) + (1j * rng.normal(size=(n, n)) if cplx else 0)
    return a @ a.conj().T + n * onp.eye(n)
  return g


def _sym(n: int) -> Callable:
  def g(rng):
    a = rng.normal(size=(n, n))
    return a + a.T
  return g


def _herm(n: int) -> Callable:
  def g(rng):
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return a + a.conj().T
  return g


def _wc(n: int) -> Callable:   # well conditioned square
  return lambda rng: rng.normal(size=(n, n)) + n * onp.eye(n)


def _wcc(n: int) -> Callable:
  return lambda rng: rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)) + n * onp.eye(n)


# --------------------------------------------------------------------------- cases
# name -> (builder(M) -> f, [input generators], options)
CASES: dict[str, tuple[Callable, list[Callable], dict]] = {}


def case(name: str, args: list[Callable], **opts: Any) -> Callable:
  def deco(b: Callable) -> Callable:
    CASES[name] = (b, args, opts)
    return b
  return deco


def _simple(name: str, src: str, args: list[Callable], **opts: Any) -> None:
  """src: a lambda over M's namespaces, e.g. 'lambda x: np.sin(x)'."""
  def b(M):
    g = {"np": M.np, "sp": M.sp, "st": M.st, "la": M.la, "lax": M.lax, "L": M.L}
    return eval(src, g)
  CASES[name] = (b, args, opts)


# complex elementwise (holomorphic and not)
for fn in ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "arcsin",
           "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log1p", "expm1", "square",
           "reciprocal", "log10", "log2", "exp2", "conj", "real", "imag", "abs", "angle"]:
  # JAX's complex arccosh derivative has the wrong sign where Re z < 0 (docs/complex.md)
  nojax = {"grad": False, "jvp": False, "vjp": False} if fn == "arccosh" else {}
  _simple(f"cplx.{fn}", f"lambda z: np.{fn}(z)", [_c(5)], **nojax)
_simple("cplx.mul_conj", "lambda z, w: z * np.conj(w) + z * z", [_c(4), _c(4)])
_simple("cplx.div", "lambda z, w: z / (w + 3.0)", [_c(4), _c(4)])
_simple("cplx.pow", "lambda z, w: (z + 3.0) ** (0.3 * w)", [_c(4), _c(4)])
_simple("cplx.pow_real", "lambda z, p: (z + 3.0) ** p", [_c(4), _r(4, lo=0.5, hi=2)])
_simple("cplx.ipow", "lambda z: z ** 3 + z ** -2", [_c(4)])
_simple("cplx.abs2", "lambda z: np.abs(z) ** 2 + np.real(z * np.conj(z))", [_c(4)])
_simple("cplx.absangle", "lambda z: np.abs(z) * np.angle(z)", [_c(4)])
_simple("cplx.make", "lambda x, y: lax.complex(x, y) ** 2", [_r(4), _r(4)])
_simple("cplx.make_np", "lambda x, y: np.exp(x + 1j * y)", [_r(4), _r(4)])
_simple("cplx.sum", "lambda z: np.sum(z * z, axis=0)", [_c(3, 4)])
_simple("cplx.prod", "lambda z: np.prod(z, axis=1)", [_c(3, 4)])
_simple("cplx.cumsum", "lambda z: np.cumsum(z)", [_c(5)])
_simple("cplx.cumprod", "lambda z: np.cumprod(z)", [_c(5)])
_simple("cplx.matmul", "lambda a, b: a @ b", [_c(3, 4), _c(4, 2)])
_simple("cplx.vdot", "lambda a, b: np.vdot(a, b)", [_c(4), _c(4)])
_simple("cplx.dot_real", "lambda a, b: a @ b", [_c(3, 4), _r(4, 2)])
_simple("cplx.einsum", "lambda a, b: np.einsum('ij,jk->ik', a, np.conj(b))", [_c(3, 4), _c(4, 2)])
_simple("cplx.logsumexp", "lambda z: sp.logsumexp(z)", [_c(5)])
_simple("cplx.where", "lambda z: np.where(np.real(z) > 0, z * z, np.conj(z))", [_c(6)])
_simple("cplx.mean_var", "lambda z: np.var(z) + np.mean(z)", [_c(6)])
_simple("cplx.norm", "lambda z: np.linalg.norm(z)", [_c(6)])
_simple("cplx.astype_real", "lambda x: np.exp(1j * x).astype(np.complex128) * x", [_r(4)])
_simple("cplx.sort_abs", "lambda z: np.sort(np.abs(z))", [_c(5)])
_simple("cplx.maxabs", "lambda z: np.max(np.abs(z))", [_c(5)])
_simple("cplx.indexing", "lambda z: z[::2] * z[1::2] + z[np.array([0, 0, 1])].sum()", [_c(6)])
_simple("cplx.scatter", "lambda z, w: z.at[np.array([0, 2, 2])].add(w)", [_c(5), _c(3)],
        value=False)  # eager vjpkit arrays are NumPy arrays: no .at outside a transform
_simple("cplx.roll_flip", "lambda z: np.roll(np.flip(z), 2) * z", [_c(5)])
_simple("cplx.concat", "lambda z, x: np.concatenate([z, x])", [_c(3), _r(2)])
_simple("cplx.real_of_cplx_fn", "lambda x: np.real(np.exp(1j * x) * (1 + 2j))", [_r(4)])
_simple("cplx.sign", "lambda z: np.sign(z) * 2.0", [_c(4)],  # JAX: sign(z)' = 0 (docs/complex.md)
        grad=False, jvp=False, vjp=False)
_simple("cplx.clip_abs", "lambda z: z / (1.0 + np.abs(z))", [_c(4)])

# numpy.linalg
_simple("la.inv", "lambda a: np.linalg.inv(a)", [_wc(4)])
_simple("la.inv_c", "lambda a: np.linalg.inv(a)", [_wcc(3)])
_simple("la.solve", "lambda a, b: np.linalg.solve(a, b)", [_wc(4), _r(4, 2)])
_simple("la.solve_c", "lambda a, b: np.linalg.solve(a, b)", [_wcc(3), _c(3, 2)])
_simple("la.solve_vec", "lambda a, b: np.linalg.solve(a, b)", [_wc(4), _r(4)])
_simple("la.solve_batch", "lambda a, b: np.linalg.solve(a, b)", [
    lambda rng: rng.normal(size=(2, 3, 3)) + 3 * onp.eye(3), _r(2, 3, 2)])
_simple("la.det", "lambda a: np.linalg.det(a)", [_wc(4)])
_simple("la.det_c", "lambda a: np.linalg.det(a)", [_wcc(3)])
_simple("la.det_batch", "lambda a: np.linalg.det(a)", [_r(2, 3, 3)])
_simple("la.slogdet", "lambda a: np.linalg.slogdet(a)[1] + np.linalg.slogdet(a)[0]", [_r(4, 4)])
_simple("la.slogdet_c", "lambda a: np.linalg.slogdet(a)[1] + np.linalg.slogdet(a)[0]", [_wcc(3)])
_simple("la.eigh_vals", "lambda a: np.linalg.eigh(a)[0]", [_sym(4)])
_simple("la.eigh_proj", "lambda a: (lambda w, v: (v * np.tanh(w)) @ v.T)(*np.linalg.eigh(a))",
        [_sym(4)])
_simple("la.eigh_vsq", "lambda a: np.linalg.eigh(a)[1] ** 2", [_sym(4)])
_simple("la.eigh_lower_only", "lambda a: np.linalg.eigh(a)[0]", [_r(3, 3)])
_simple("la.eigh_c_vals", "lambda a: np.linalg.eigh(a)[0]", [_herm(3)])
_simple("la.eigh_c_proj", "lambda a: (lambda w, v: (v * w) @ np.conj(v).T)(*np.linalg.eigh(a))",
        [_herm(3)])
_simple("la.eigvalsh", "lambda a: np.linalg.eigvalsh(a)", [_sym(4)])
_simple("la.svd_s", "lambda a: np.linalg.svd(a, compute_uv=False)", [_r(4, 3)])
_simple("la.svd_s_wide", "lambda a: np.linalg.svd(a, compute_uv=False)", [_r(2, 4)])
_simple("la.svd_recon", "lambda a: (lambda u, s, vh: (u * np.sin(s)) @ vh)"
        "(*np.linalg.svd(a, full_matrices=False))", [_r(4, 3)])
_simple("la.svd_c_s", "lambda a: np.linalg.svd(a, compute_uv=False)", [_c(3, 3)])
_simple("la.svd_c_recon", "lambda a: (lambda u, s, vh: (u * np.sin(s)) @ vh)"
        "(*np.linalg.svd(a, full_matrices=False))", [_c(3, 2)])
_simple("la.svdvals", "lambda a: np.linalg.svdvals(a)", [_r(3, 4)])
_simple("la.qr", "lambda a: (lambda q, r: q * 2 + r)(*np.linalg.qr(a))", [_r(3, 3)])
_simple("la.qr_tall", "lambda a: (lambda q, r: (q, r))(*np.linalg.qr(a))", [_r(5, 3)])
_simple("la.qr_wide", "lambda a: (lambda q, r: (q, r))(*np.linalg.qr(a))", [_r(3, 5)])
_simple("la.qr_r", "lambda a: np.linalg.qr(a, mode='r')", [_r(4, 3)])
_simple("la.qr_complete", "lambda a: np.linalg.qr(a, mode='complete')[0]", [_r(4, 2)])
_simple("la.qr_c", "lambda a: (lambda q, r: (q, r))(*np.linalg.qr(a))", [_c(4, 3)])
_simple("la.cholesky", "lambda a: np.linalg.cholesky(a)", [_spd(4)])
_simple("la.cholesky_c", "lambda a: np.linalg.cholesky(a)", [_spd(3, True)])
_simple("la.cholesky_sym", "lambda a: np.linalg.cholesky((a + a.T) / 2)", [_spd(4)])
_simple("la.pinv", "lambda a: np.linalg.pinv(a)", [_r(4, 3)])
_simple("la.pinv_wide", "lambda a: np.linalg.pinv(a)", [_r(2, 4)])
_simple("la.pinv_c", "lambda a: np.linalg.pinv(a)", [_c(3, 2)])
_simple("la.lstsq", "lambda a, b: np.linalg.lstsq(a, b)[0]", [_r(5, 3), _r(5, 2)])
_simple("la.lstsq_vec", "lambda a, b: np.linalg.lstsq(a, b)[0]", [_r(5, 3), _r(5)])
for o in ["None", "1", "2", "-1", "-2", "'fro'", "'nuc'", "np.inf", "-np.inf"]:
  _simple(f"la.norm_mat_{o}", f"lambda a: np.linalg.norm(a, ord={o})", [_r(3, 4)])
for o in ["None", "1", "2", "3", "0.5", "np.inf", "-np.inf", "-1"]:
  _simple(f"la.norm_vec_{o}", f"lambda a: np.linalg.norm(a, ord={o})", [_r(5)])
_simple("la.norm_axis", "lambda a: np.linalg.norm(a, ord=3, axis=0, keepdims=True)", [_r(3, 4)])
_simple("la.norm_c_vec", "lambda a: np.linalg.norm(a, ord=1)", [_c(4)])
_simple("la.norm_c_2", "lambda a: np.linalg.norm(a, ord=2)", [_c(3, 3)])
for p in [0, 1, 3, -2]:
  _simple(f"la.matrix_power_{p}", f"lambda a: np.linalg.matrix_power(a, {p})", [_wc(3)])
_simple("la.expm", "lambda a: la.expm(a)", [_r(3, 3, lo=-1, hi=1)])
_simple("la.expm_big", "lambda a: la.expm(a)", [_r(3, 3, lo=-4, hi=4)])
_simple("la.expm_c", "lambda a: la.expm(a)", [_c(3, 3, s=0.5)])
_simple("la.multi_dot", "lambda a, b, c: np.linalg.multi_dot([a, b, c])", [_r(2, 3), _r(3, 4),
                                                                            _r(4, 2)])
_simple("la.sp_solve_triangular", "lambda a, b: la.solve_triangular(np.triu(a), b)",
        [_wc(3), _r(3, 2)])
_simple("la.sp_cho_solve", "lambda a, b: la.cho_solve(la.cho_factor(a), b)", [_spd(3), _r(3)])
_simple("la.sp_lu_solve", "lambda a, b: la.lu_solve(la.lu_factor(a), b)", [_wc(3), _r(3)])
_simple("la.sp_sqrtm", "lambda a: np.real(la.sqrtm(a))", [_spd(3)])
_simple("la.sp_det", "lambda a: la.det(a)", [_wc(3)])
_simple("la.trace_inv", "lambda a: np.trace(np.linalg.inv(a))", [_wc(3)])
_simple("la.cond", "lambda a: np.linalg.cond(a)", [_wc(3)])

# numpy.fft
for fn, arg in [("fft", _c(6)), ("ifft", _c(6)), ("fft", _r(6)), ("rfft", _r(6)),
                ("irfft", _c(4)), ("hfft", _c(4)), ("ihfft", _r(6))]:
  for kw in ["", "norm='ortho'", "norm='forward'", "n=8", "n=4", "n=5, norm='ortho'"]:
    key = f"fft.{fn}[{kw}]{'c' if arg(onp.random.default_rng(0)).dtype.kind == 'c' else 'r'}"
    _simple(key, f"lambda x: np.fft.{fn}(x, {kw})", [arg])
for fn in ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]:
  cplx_in = fn.startswith("i") or fn in ("fftn", "fft2")
  gen = _c(3, 4, 4) if cplx_in else _r(3, 4, 4)
  for kw in ["", "axes=(0, 2)", "s=(3, 6), axes=(1, 2)", "norm='ortho'", "axes=(-1,)",
             "s=(2, 2), axes=(0, 1), norm='forward'"]:
    if fn.endswith("2") and "axes=(-1,)" in kw:
      continue
    _simple(f"fft.{fn}[{kw}]", f"lambda x: np.fft.{fn}(x, {kw})", [gen])
_simple("fft.fft_axis0", "lambda x: np.fft.fft(x, axis=0, n=3)", [_c(4, 3)])
_simple("fft.rfft_axis0", "lambda x: np.fft.rfft(x, axis=0)", [_r(5, 3)])
_simple("fft.irfft_axis0_n", "lambda x: np.fft.irfft(x, n=7, axis=0)", [_c(4, 2)])
_simple("fft.fftshift", "lambda x: np.fft.ifftshift(np.fft.fftshift(x) * x)", [_r(5, 4)])
_simple("fft.abs_rfft", "lambda x: np.abs(np.fft.rfft(x)) ** 2", [_r(8)])

# scipy.special
P = dict(lo=0.2, hi=4.0)
for src, args in [
    ("sp.gammaln(x)", [_r(5, lo=-3.5, hi=5)]), ("sp.digamma(x)", [_r(5, **P)]),
    ("sp.digamma(x)", [_r(5, lo=-3.7, hi=-0.1)]),
    ("sp.betainc(a, b, x)", [_r(4, **P), _r(4, **P), _r(4, lo=0.05, hi=0.95)]),
    ("sp.gammainc(a, x)", [_r(4, **P), _r(4, lo=0.1, hi=6)]),
    ("sp.gammaincc(a, x)", [_r(4, **P), _r(4, lo=0.1, hi=6)]),
    ("sp.erf(x)", [_r(5)]), ("sp.erfc(x)", [_r(5)]), ("sp.erfinv(x)", [_r(5, lo=-.99, hi=.99)]),
    ("sp.erfcx(x)", [_r(5, lo=-2, hi=8)]),
    ("sp.logsumexp(x, axis=0)", [_r(3, 4)]),
    ("sp.logsumexp(x, axis=1, b=y)", [_r(3, 4), _r(3, 4, lo=0.1, hi=2)]),
    ("sp.logsumexp(x, b=y, return_sign=True)[0]", [_r(4), _r(4, lo=-1, hi=1)]),
    ("sp.logsumexp(x, keepdims=True)", [_r(3, 4)]),
    ("sp.xlogy(x, y)", [_r(4, **P), _r(4, **P)]), ("sp.xlog1py(x, y)", [_r(4, **P), _r(4, **P)]),
    ("sp.expit(x)", [_r(5, lo=-8, hi=8)]), ("sp.logit(x)", [_r(5, lo=0.02, hi=0.98)]),
    ("sp.i0e(x)", [_r(5, lo=-5, hi=5)]), ("sp.i1e(x)", [_r(5, lo=-5, hi=5)]),
    ("sp.i0(x)", [_r(5, lo=-5, hi=5)]), ("sp.i1(x)", [_r(5, lo=-5, hi=5)]),
    ("sp.polygamma(1, x)", [_r(4, **P)]), ("sp.polygamma(3, x)", [_r(4, **P)]),
    ("sp.zeta(x, y)", [_r(4, lo=1.5, hi=5), _r(4, lo=0.5, hi=3)]),
    ("sp.gamma(x)", [_r(5, lo=-2.5, hi=5)]), ("sp.rgamma(x)", [_r(5, lo=-2.5, hi=5)]),
    ("sp.beta(x, y)", [_r(4, **P), _r(4, **P)]), ("sp.betaln(x, y)", [_r(4, **P), _r(4, **P)]),
    ("sp.ndtr(x)", [_r(5, lo=-6, hi=6)]), ("sp.ndtri(x)", [_r(5, lo=0.01, hi=0.99)]),
    ("sp.log_ndtr(x)", [_r(5, lo=-30, hi=8)]),
    ("sp.entr(x)", [_r(5, lo=0.05, hi=3)]), ("sp.kl_div(x, y)", [_r(4, **P), _r(4, **P)]),
    ("sp.rel_entr(x, y)", [_r(4, **P), _r(4, **P)]),
    ("sp.multigammaln(x, 3)", [_r(4, lo=1.5, hi=5)]),
    ("sp.exp1(x)", [_r(4, lo=0.1, hi=5)]), ("sp.expi(x)", [_r(4, lo=-4, hi=5)]),
    ("sp.expn(2, x)", [_r(4, lo=0.1, hi=5)]), ("sp.spence(x)", [_r(4, lo=0.1, hi=4)]),
    ("sp.sinc(x)", [_r(5)]), ("sp.poch(x, y)", [_r(4, **P), _r(4, lo=0.1, hi=2)]),
    ("sp.gammaincinv(a, x)", [_r(4, **P), _r(4, lo=0.05, hi=0.95)]),
    ("sp.betaincinv(a, b, x)", [_r(4, **P), _r(4, **P), _r(4, lo=0.05, hi=0.95)]),
    ("sp.softmax(x, axis=0)", [_r(3, 4)]), ("sp.log_softmax(x, axis=-1)", [_r(3, 4)]),
    ("sp.loggamma(x)", [_r(4, **P)]), ("sp.ndtri_exp(x)", [_r(4, lo=-5, hi=-0.1)]),
    ("sp.stdtr(a, x)", [_r(4, lo=1, hi=6), _r(4)]),
    ("sp.kv(a, x)", [_r(4, lo=0, hi=3), _r(4, lo=0.2, hi=4)]),
    ("sp.iv(a, x)", [_r(4, lo=0, hi=3), _r(4, lo=0.2, hi=4)]),
    ("sp.jv(a, x)", [_r(4, lo=0, hi=3), _r(4, lo=0.2, hi=4)]),
    ("sp.j0(x)", [_r(4, lo=0, hi=8)]), ("sp.y1(x)", [_r(4, lo=0.5, hi=8)]),
    ("sp.boxcox(x, y)", [_r(4, **P), _r(4, lo=-1, hi=1)]),
    ("sp.boxcox1p(x, y)", [_r(4, **P), _r(4, lo=-1, hi=1)]),
    ("sp.xlogy(x, y) + sp.xlog1py(x, y)", [_r(4, lo=0, hi=2), _r(4, lo=0.1, hi=2)]),
]:
  names = "xyz" if "a, b" not in src and "a, x" not in src else ("abx" if "b" in src else "ax")
  nm = ", ".join(names[:len(args)])
  if src.startswith("sp.betainc") or src.startswith("sp.betaincinv"):
    nm = "a, b, x"
  elif "(a, x)" in src:
    nm = "a, x"
  else:
    nm = ", ".join("xyz"[:len(args)])
  _simple(f"sp.{src}", f"lambda {nm}: {src}", args, hess="inv" not in src)

# scipy.stats
Q = dict(lo=0.5, hi=2.0)
for dist, extra, xg in [
    ("norm", "", _r(4)), ("t", "d, ", _r(4)), ("cauchy", "", _r(4)), ("laplace", "", _r(4)),
    ("logistic", "", _r(4)), ("expon", "", _r(4, lo=2.1, hi=5)),
    ("gamma", "d, ", _r(4, lo=2.1, hi=5)), ("beta", "d, d, ", _r(4, lo=2.1, hi=2.9)),
    ("chi2", "d, ", _r(4, lo=2.1, hi=5)), ("pareto", "d, ", _r(4, lo=4.1, hi=6)),
    ("uniform", "", _r(4, lo=2.1, hi=2.4)), ("gumbel_r", "", _r(4)),
    ("gumbel_l", "", _r(4)), ("gennorm", "d, ", _r(4)), ("vonmises", "d, ", _r(4, lo=-1, hi=1)),
    ("truncnorm", "-1.0, 1.5, ", _r(4, lo=-0.4, hi=0.4))]:
  for meth in ["logpdf", "pdf", "logcdf", "cdf", "sf", "logsf", "ppf"]:
    if meth == "ppf":
      xg2 = _r(4, lo=0.05, hi=0.95)
    else:
      xg2 = xg
    ex = extra.replace("d, ", "d, ", 1)
    nd = ex.count("d")
    dn = ["d%d" % i for i in range(nd)]
    ex2 = ex
    for d in dn:
      ex2 = ex2.replace("d, ", d + "!, ", 1)
    ex2 = ex2.replace("!", "")
    params = ", ".join(["x"] + dn + ["loc", "scale"])
    loc_hi = 1.0 if dist not in ("expon", "gamma", "chi2", "pareto", "uniform", "beta") else 2.0
    gens = [xg2] + [_r(4, lo=1.2, hi=3.0)] * nd + [_r(4, lo=loc_hi - 0.5, hi=loc_hi)]
    gens += [_r(4, **Q) if dist not in ("uniform",) else _r(4, lo=0.5, hi=1.0)]
    _simple(f"st.{dist}.{meth}", f"lambda {params}: st.{dist}.{meth}(x, {ex2}loc, scale)", gens)
_simple("st.poisson.logpmf", "lambda mu, loc: st.poisson.logpmf(np.array([0., 1, 3, 7]), mu, loc)",
        [_r(4, lo=0.5, hi=4), lambda rng: onp.zeros(4)])
_simple("st.binom.logpmf", "lambda p: st.binom.logpmf(np.array([0., 1, 3, 7]), 9.0, p)",
        [_r(4, lo=0.1, hi=0.9)])
_simple("st.mvn.logpdf", "lambda x, m, c: st.multivariate_normal.logpdf(x, m, c)",
        [_r(4, 3), _r(3), _spd(3)])
_simple("st.dirichlet.logpdf", "lambda a: st.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), a)",
        [_r(3, lo=0.5, hi=3)])
_simple("st.multinomial.logpmf",
        "lambda p: st.multinomial.logpmf(np.array([1., 2, 3]), 6, p / np.sum(p))",
        [_r(3, lo=0.5, hi=3)])


# lax control flow
@case("cf.while_jvp", [_r(3, lo=0.1, hi=1)], grad=False, vjp=False, hess=False)
def _b(M):
  def f(x):
    def body(c):
      i, y = c
      return i + 1, M.np.sin(y) * 1.5 + x
    return M.lax.while_loop(lambda c: c[0] < 5, body, (0, x))[1]
  return f


@case("cf.while_data_dep_jvp", [_r(2, lo=0.5, hi=1)], grad=False, vjp=False, hess=False)
def _b(M):
  def f(x):
    return M.lax.while_loop(lambda y: M.np.sum(y) < 10.0, lambda y: y * 1.7 + 0.1, x)
  return f


@case("cf.fori_grad", [_r(3), _r(3)])
def _b(M):
  def f(x, w):
    return M.lax.fori_loop(0, 4, lambda i, y: M.np.tanh(y * w) + i * x, x)
  return f


@case("cf.fori_dyn_bounds_jvp", [_r(3)], grad=False, vjp=False, hess=False, jit=False)
def _b(M):
  def f(x):
    n = M.np.asarray(3)
    return M.lax.fori_loop(0, n, lambda i, y: M.np.sin(y) + x, x)
  return f


@case("cf.cond", [_r(3), _r(1)])
def _b(M):
  def f(x, p):
    return M.lax.cond(p[0] > 0, lambda a: M.np.sin(a) * p, lambda a: M.np.cos(a) * p[0] ** 2, x)
  return f


@case("cf.cond_multi", [_r(3), _r(2)])
def _b(M):
  def f(x, y):
    return M.lax.cond(M.np.sum(x) > 0, lambda a, b: (a * b[0], b * 2),
                      lambda a, b: (a + b[1], b ** 2), x, y)
  return f


@case("cf.cond_cplx", [_c(3), _r(1)])
def _b(M):
  def f(z, p):
    return M.lax.cond(p[0] > 0, lambda a: a * a * p, lambda a: M.np.conj(a) * p, z)
  return f


@case("cf.switch", [_r(3), lambda rng: onp.array(rng.integers(-1, 4), dtype=onp.int64)])
def _b(M):
  def f(x, i):
    return M.lax.switch(i, [lambda a: M.np.sin(a), lambda a: a ** 3, lambda a: M.np.exp(a)], x)
  return f


@case("cf.scan", [_r(3), _r(5, 3)])
def _b(M):
  def f(c0, xs):
    def body(c, x):
      c = M.np.tanh(c * x + 0.5 * c)
      return c, M.np.sum(c * x)
    c, ys = M.lax.scan(body, c0, xs)
    return c, ys
  return f


@case("cf.scan_reverse", [_r(3), _r(4, 3)])
def _b(M):
  def f(c0, xs):
    def body(c, x):
      return c * M.np.cos(x), c + x
    return M.lax.scan(body, c0, xs, reverse=True)
  return f


@case("cf.scan_cplx", [_c(2), _c(4, 2)])
def _b(M):
  def f(c0, xs):
    def body(c, x):
      return c * x + M.np.conj(c) * 0.3, M.np.abs(c)
    return M.lax.scan(body, c0, xs)
  return f


@case("cf.scan_nonexs", [_r(2)])
def _b(M):
  def f(x):
    return M.lax.scan(lambda c, _: (M.np.sin(c) * 2, c), x, None, length=4)
  return f


@case("cf.scan_in_cond", [_r(3)])
def _b(M):
  def f(x):
    def br(a):
      return M.lax.scan(lambda c, y: (c * y, c), 1.0, a)[1]
    return M.lax.cond(M.np.sum(x) > 100, lambda a: a, br, x)
  return f


@case("cf.nested_fori_cond", [_r(3)])
def _b(M):
  def f(x):
    def body(i, y):
      return M.lax.cond(i % 2 == 0, lambda a: M.np.sin(a), lambda a: a * 1.1, y)
    return M.lax.fori_loop(0, 5, body, x)
  return f


@case("cf.map", [_r(4, 3)])
def _b(M):
  return lambda xs: M.lax.map(lambda x: M.np.sum(M.np.sin(x) * x), xs)


@case("cf.assoc_scan", [_r(6)])
def _b(M):
  return lambda x: M.lax.associative_scan(lambda a, b: a * M.np.tanh(b) + b, x)


# custom derivatives
def _cvjp(M):
  @M.L.custom_vjp
  def f(x, y):
    return M.np.sin(x) * y

  def fwd(x, y):
    return f(x, y), (M.np.cos(x), M.np.sin(x), y)

  def bwd(res, g):
    c, s, y = res
    return (c * y * g, s * g)
  f.defvjp(fwd, bwd)
  return f


def _cjvp(M):
  @M.L.custom_jvp
  def f(x):
    return M.np.log1p(M.np.exp(x))

  @f.defjvp
  def fj(p, t):
    (x,), (tx,) = p, t
    return f(x), tx * M.sp.expit(x)
  return f


@case("cd.custom_vjp", [_r(4), _r(4)], hess=False)
def _b(M):
  f = _cvjp(M)
  return lambda x, y: f(x * 2.0, y) + x


@case("cd.custom_jvp", [_r(4)])
def _b(M):
  f = _cjvp(M)
  return lambda x: f(f(x) * x)


@case("cd.custom_jvp_in_scan", [_r(3), _r(4, 3)])
def _b(M):
  f = _cjvp(M)
  return lambda c, xs: M.lax.scan(lambda c, x: (f(c * x), f(c)), c, xs)


@case("cd.custom_vjp_in_scan", [_r(3), _r(4, 3)], hess=False, jvp=False)
def _b(M):
  f = _cvjp(M)
  return lambda c, xs: M.lax.scan(lambda c, x: (f(c, x), c), c, xs)


@case("cd.custom_vjp_in_cond", [_r(3), _r(3)], hess=False, jvp=False)
def _b(M):
  f = _cvjp(M)
  return lambda x, y: M.lax.cond(M.np.sum(x) > 0, lambda a: f(a, y), lambda a: a * y, x)


@case("cd.custom_jvp_nondiff", [_r(4)])
def _b(M):
  from functools import partial

  @partial(M.L.custom_jvp, nondiff_argnums=(1,))
  def f(x, n):
    return x ** n

  @f.defjvp
  def fj(n, p, t):
    (x,), (tx,) = p, t
    return f(x, n), n * x ** (n - 1) * tx
  return lambda x: f(M.np.sin(x), 3)


@case("cd.custom_vjp_nondiff", [_r(4)], hess=False, jvp=False)
def _b(M):
  from functools import partial

  @partial(M.L.custom_vjp, nondiff_argnums=(1,))
  def f(x, k):
    return x * k

  f.defvjp(lambda x, k: (x * k, None), lambda k, r, g: (g * k * 1.0,))
  return lambda x: f(M.np.sin(x), 3.0) * x


@case("cd.custom_vjp_pytree", [_r(3), _r(3)], hess=False, jvp=False)
def _b(M):
  @M.L.custom_vjp
  def f(d):
    return d["a"] * d["b"]

  f.defvjp(lambda d: (f(d), d), lambda d, g: ({"a": g * d["b"], "b": g * d["a"]},))
  return lambda a, b: f({"a": M.np.exp(a), "b": b})


@case("cd.checkpoint", [_r(4)])
def _b(M):
  g = M.ckpt(lambda x: M.np.sin(M.np.sin(x)) * M.np.exp(x))
  return lambda x: g(g(x))


@case("cd.checkpoint_policy_scan", [_r(3), _r(4, 3)])
def _b(M):
  body = M.ckpt(lambda c, x: (M.np.tanh(c * x), c))
  return lambda c, xs: M.lax.scan(body, c, xs)


@case("cd.checkpoint_static", [_r(4)])
def _b(M):
  from functools import partial

  @partial(M.ckpt, static_argnums=(1,))
  def g(x, n):
    for _ in range(n):
      x = M.np.sin(x)
    return x
  return lambda x: g(x, 3) * x


@case("cd.custom_jvp_cplx", [_c(4)])
def _b(M):
  @M.L.custom_jvp
  def f(z):
    return z * z

  @f.defjvp
  def fj(p, t):
    (z,), (tz,) = p, t
    return f(z), 2 * z * tz
  return lambda z: f(M.np.sin(z))


@case("cd.custom_vjp_cplx", [_c(4)], hess=False, jvp=False)
def _b(M):
  @M.L.custom_vjp
  def f(z):
    return z * z

  f.defvjp(lambda z: (z * z, z), lambda z, g: (2 * M.np.conj(z) * g,))
  return lambda z: f(z + 1.0)


@case("cd.custom_root", [_r(3, lo=1, hi=3)], hess=False)
def _b(M):
  def solve(f, x0):
    x = x0
    for _ in range(30):
      x = x - f(x) / (2 * x)
    return x

  def tangent_solve(g, y):  # f is elementwise: its Jacobian is diagonal
    return y / g(M.np.ones_like(y))
  return lambda a: M.lax.custom_root(lambda x: x * x - a, a, solve, tangent_solve)


@case("cd.custom_linear_solve", [_spd(3), _r(3)], hess=False)
def _b(M):
  def f(a, b):
    mv = lambda x: a @ x  # noqa: E731
    sol = lambda mv_, y: M.np.linalg.solve(a, y)  # noqa: E731
    return M.lax.custom_linear_solve(mv, b, sol, symmetric=True)
  return f


# --------------------------------------------------------------------------- comparison


def _np(x: Any) -> onp.ndarray:
  return onp.asarray(x)


def _leaves(t: Any) -> list:
  return [_np(x) for x in jax.tree_util.tree_leaves(t)]


def _vleaves(t: Any) -> list:
  return [_np(x) for x in vjpkit.tree_util.tree_leaves(t)]


def rel_err(ref: onp.ndarray, got: onp.ndarray) -> float:
  """max |got - ref| / max |ref| (nan/inf must match exactly); inf on shape mismatch."""
  ref, got = onp.asarray(ref), onp.asarray(got)
  if ref.shape != got.shape:
    return math.inf
  if ref.size == 0:
    return 0.0
  if ref.dtype.kind == "c" and got.dtype.kind != "c":
    got = got.astype(ref.dtype)
  if got.dtype.kind == "c" and ref.dtype.kind != "c":
    if onp.any(got.imag != 0):
      return math.inf
    got = got.real
  bad_r, bad_g = ~onp.isfinite(ref), ~onp.isfinite(got)
  if onp.any(bad_r != bad_g):
    return math.inf
  if onp.any(bad_r):
    r, g = ref[bad_r], got[bad_g]
    same = (onp.isnan(r) & onp.isnan(g)) | (r == g)
    if not onp.all(same):
      return math.inf
  fin = ~bad_r
  if not onp.any(fin):
    return 0.0
  d = onp.max(onp.abs(ref[fin] - got[fin]))
  s = onp.max(onp.abs(ref[fin]))
  return float(d / s) if s > 0 else (0.0 if d == 0 else math.inf)


FINDINGS: list[tuple[str, str, str]] = []
COUNTS: dict[str, int] = {}


def report(name: str, check: str, msg: str) -> None:
  FINDINGS.append((name, check, msg))
  print(f"MISMATCH {name} [{check}]: {msg}", flush=True)


def compare(name: str, check: str, ref_fn: Callable, got_fn: Callable, rtol: float) -> None:
  COUNTS[check] = COUNTS.get(check, 0) + 1
  try:
    ref = _leaves(ref_fn())
  except Exception as e:  # JAX refuses: skip
    COUNTS[check + "-jax-skip"] = COUNTS.get(check + "-jax-skip", 0) + 1
    del e
    return
  try:
    got = _vleaves(got_fn())
  except Exception as e:
    tb = traceback.extract_tb(e.__traceback__)[-1]
    report(name, check, f"vjpkit raised {type(e).__name__}: {str(e)[:200]} "
                        f"(at {tb.filename.split('/')[-1]}:{tb.lineno})")
    return
  if len(ref) != len(got):
    report(name, check, f"{len(got)} leaves, JAX {len(ref)}")
    return
  worst = 0.0
  for r, g in zip(ref, got):
    if r.dtype != g.dtype and not (check.startswith("grad") and r.dtype.kind == g.dtype.kind):
      report(name, check, f"dtype {g.dtype} vs JAX {r.dtype} (shape {r.shape})")
    worst = max(worst, rel_err(r, g))
  if worst > rtol:
    report(name, check, f"rel err {worst:.3g} ({worst / EPS:.3g} ulp)"
                        f"  got {_short(got)} ref {_short(ref)}")


def _short(xs: list) -> str:
  s = onp.array2string(onp.asarray(xs[0]).ravel()[:4], precision=6)
  return s


def _rand_like(rng: onp.random.Generator, x: onp.ndarray) -> onp.ndarray:
  if x.dtype.kind == "c":
    return rng.normal(size=x.shape) + 1j * rng.normal(size=x.shape)
  return rng.normal(size=x.shape)


def run_case(name: str, seed: int, rtol: float) -> None:
  builder, gens, opts = CASES[name]
  rng = onp.random.default_rng(seed)
  args = [g(rng) for g in gens]
  fv, fj = builder(V), builder(J)
  diff = [i for i, a in enumerate(args) if onp.asarray(a).dtype.kind in "fc"]
  jargs = [jnp.asarray(a) for a in args]
  vargs = [vnp.asarray(a) for a in args]
  if opts.get("value", True):
    compare(name, "value", lambda: fj(*jargs), lambda: fv(*vargs), rtol)
  if opts.get("jit", True):
    compare(name, "jit", lambda: fj(*jargs), lambda: vjpkit.jit(fv)(*vargs), rtol)
  try:
    out = jax.eval_shape(fj, *jargs)
  except Exception:
    return
  outs, tdef = jax.tree_util.tree_flatten(out)
  wts = []
  for o in outs:
    if jnp.issubdtype(o.dtype, jnp.inexact):
      w = rng.normal(size=o.shape) + (1j * rng.normal(size=o.shape)
                                      if jnp.issubdtype(o.dtype, jnp.complexfloating) else 0)
      wts.append(w)
    else:
      wts.append(None)

  def loss(M, f):
    def L(*a):
      o = f(*a)
      leaves = (jax.tree_util.tree_leaves(o) if M is J else vjpkit.tree_util.tree_leaves(o))
      tot = 0.0
      for x, w in zip(leaves, wts):
        if w is not None:
          tot = tot + M.np.sum(M.np.real(x * M.np.conj(M.np.asarray(w))))
      return tot
    return L
  lj, lv = loss(J, fj), loss(V, fv)
  if diff and opts.get("grad", True):
    compare(name, "grad", lambda: jax.grad(lj, argnums=tuple(diff))(*jargs),
            lambda: vjpkit.grad(lv, argnums=tuple(diff))(*vargs), rtol)
    if opts.get("jit", True):
      compare(name, "grad-jit", lambda: jax.grad(lj, argnums=tuple(diff))(*jargs),
              lambda: vjpkit.jit(vjpkit.grad(lv, argnums=tuple(diff)))(*vargs), rtol)
  if diff and opts.get("jvp", True):
    tans = [_rand_like(rng, args[i]) for i in diff]

    def pj(M, f, A):
      def g(*d):
        full = list(A)
        for i, x in zip(diff, d):
          full[i] = x
        return f(*full)
      return g
    compare(name, "jvp", lambda: jax.jvp(pj(J, fj, jargs), [jargs[i] for i in diff],
                                         [jnp.asarray(t) for t in tans]),
            lambda: vjpkit.jvp(pj(V, fv, vargs), [vargs[i] for i in diff],
                               [vnp.asarray(t) for t in tans]), rtol)
  if diff and opts.get("vjp", True):
    cts = []
    for o, w in zip(outs, wts):
      cts.append(w if w is not None else onp.zeros(o.shape, jax.dtypes.float0))
    ctj = jax.tree_util.tree_unflatten(tdef, [jnp.asarray(c) if c.dtype != jax.dtypes.float0
                                              else c for c in cts])

    def vj():
      _, pb = jax.vjp(fj, *jargs)
      return [r for i, r in enumerate(pb(ctj)) if i in diff]

    def vv():
      o, pb = vjpkit.vjp(fv, *vargs)
      ol = vjpkit.tree_util.tree_leaves(o)
      cl = [vnp.asarray(w) if w is not None else vnp.zeros(x.shape, x.dtype)
            for x, w in zip(ol, wts)]
      ctv = vjpkit.tree_util.tree_unflatten(vjpkit.tree_util.tree_structure(o), cl)
      return [r for i, r in enumerate(pb(ctv)) if i in diff]
    compare(name, "vjp", vj, vv, rtol)
  real_in = all(onp.asarray(args[i]).dtype.kind == "f" for i in diff)
  if diff and real_in and opts.get("hess", True) and opts.get("grad", True):
    i0 = diff[0]
    compare(name, "hessian", lambda: jax.hessian(lj, argnums=i0)(*jargs),
            lambda: vjpkit.hessian(lv, argnums=i0)(*vargs), max(rtol, 1e-8))
  # vmap over first argument (batch of 3) vs a loop
  if opts.get("vmap", True) and onp.asarray(args[0]).ndim >= 0:
    b0 = [gens[0](rng) for _ in range(3)]
    bat = onp.stack([onp.asarray(b) for b in b0])
    rest = vargs[1:]
    compare(name, "vmap", lambda: [fj(jnp.asarray(b), *jargs[1:]) for b in b0],  # noqa: B023
            lambda: _unstack(vjpkit.vmap(lambda a: fv(a, *rest))(vnp.asarray(bat)), 3), rtol)
    if diff and diff[0] == 0 and opts.get("grad", True):
      compare(name, "vmap-grad",
              lambda: jnp.stack([jax.grad(lj)(jnp.asarray(b), *jargs[1:]) for b in b0]),
              lambda: vjpkit.vmap(lambda a: vjpkit.grad(lv)(a, *rest))(vnp.asarray(bat)),
              rtol)


def _unstack(t: Any, n: int) -> list:
  leaves, td = vjpkit.tree_util.tree_flatten(t)
  return [vjpkit.tree_util.tree_unflatten(td, [x[i] for x in leaves]) for i in range(n)]


# --------------------------------------------------------------------------- edge points
EDGES: list[tuple[str, tuple]] = []
_ED = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0]


def _edge(src: str, *points: tuple) -> None:
  for p in points:
    EDGES.append((src, p))


for s in ["sp.gammaln(x)", "sp.digamma(x)", "sp.erf(x)", "sp.erfc(x)", "sp.erfinv(x)",
          "sp.expit(x)", "sp.logit(x)", "sp.i0e(x)", "sp.i1e(x)", "sp.ndtr(x)", "sp.ndtri(x)",
          "sp.log_ndtr(x)", "sp.entr(x)", "sp.gamma(x)", "sp.rgamma(x)", "sp.sinc(x)",
          "sp.erfcx(x)", "sp.exp1(x)", "sp.spence(x)", "np.sqrt(x)", "np.log(x)",
          "np.arctanh(x)", "np.arcsin(x)", "np.cbrt(x)", "np.abs(x)", "np.log1p(x)",
          "sp.polygamma(1, x)", "np.sign(x)", "np.tanh(x)", "np.exp(x)", "np.expm1(x)"]:
  _edge(s, *[(v,) for v in _ED + [-2.0, 2.0, 1e-300, 40.0]])
for s in ["sp.xlogy(x, y)", "sp.xlog1py(x, y)", "sp.gammainc(x, y)", "sp.gammaincc(x, y)",
          "sp.zeta(x, y)", "sp.kl_div(x, y)", "sp.rel_entr(x, y)", "sp.beta(x, y)",
          "sp.betaln(x, y)", "np.power(x, y)", "np.arctan2(x, y)", "np.hypot(x, y)",
          "np.logaddexp(x, y)", "np.maximum(x, y)", "np.fmax(x, y)", "sp.poch(x, y)",
          "np.float_power(x, y)"]:
  _edge(s, *[(a, b) for a in [0.0, 1.0, 2.0, math.inf, -1.0] for b in
             [0.0, 1.0, 2.5, math.inf, -1.0, -math.inf]])
for s in ["sp.betainc(x, y, z)"]:
  _edge(s, *[(a, b, c) for a in [0.5, 2.0] for b in [1.0, 3.0] for c in [0.0, 1.0, 0.5, -0.1]])
for dist, extra in [("norm", ""), ("t", "3.0, "), ("gamma", "2.0, "), ("beta", "2.0, 3.0, "),
                    ("expon", ""), ("uniform", ""), ("laplace", ""), ("pareto", "2.0, "),
                    ("chi2", "3.0, ")]:
  for meth in ["logpdf", "logcdf", "cdf", "logsf"]:
    _edge(f"st.{dist}.{meth}(x, {extra}0.0, y)",
          *[(a, 1.0) for a in [0.0, 1.0, -1.0, math.inf, -math.inf, 0.5, 2.0]])
_edge("sp.logsumexp(np.stack([x, y]))", *[(a, b) for a in [-math.inf, math.inf, 0.0]
                                         for b in [-math.inf, 0.0, math.inf]])


def run_edges(rtol: float, filt: str | None) -> None:
  for src, pt in EDGES:
    if not filt or filt in src:
      _edge_one(src, pt, rtol)


def _edge_one(src: str, pt: tuple, rtol: float) -> None:
  if True:
    names = "xyz"[:len(pt)]
    fj = eval(f"lambda {', '.join(names)}: {src}",
              {"np": jnp, "sp": jsp, "st": jst})
    fv = eval(f"lambda {', '.join(names)}: {src}",
              {"np": vnp, "sp": vsp, "st": vst})
    nm = f"edge {src} at {pt}"
    ja = [jnp.asarray(p) for p in pt]
    va = [vnp.asarray(p) for p in pt]
    compare(nm, "edge-value", lambda: fj(*ja), lambda: fv(*va), rtol)
    compare(nm, "edge-jit", lambda: fj(*ja), lambda: vjpkit.jit(fv)(*va), rtol)
    an = tuple(range(len(pt)))
    compare(nm, "edge-grad", lambda: jax.grad(fj, argnums=an)(*ja),
            lambda: vjpkit.grad(fv, argnums=an)(*va), rtol)
    compare(nm, "edge-grad-jit", lambda: jax.grad(fj, argnums=an)(*ja),
            lambda: vjpkit.jit(vjpkit.grad(fv, argnums=an))(*va), rtol)


def main(argv: list[str] | None = None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--seeds", type=int, default=2)
  ap.add_argument("--rtol", type=float, default=1e-10)
  ap.add_argument("-k", default=None, help="only cases whose name contains this")
  ap.add_argument("--edge", action="store_true", help="run the edge-point table too")
  ap.add_argument("--edge-only", action="store_true")
  ap.add_argument("--list", action="store_true")
  a = ap.parse_args(argv)
  if a.list:
    print("\n".join(CASES))
    return 0
  import warnings
  warnings.simplefilter("ignore")
  if not a.edge_only:
    for name in CASES:
      if a.k and a.k not in name:
        continue
      for seed in range(a.seeds):
        try:
          run_case(name, seed, a.rtol)
        except Exception as e:
          report(name, "harness", f"{type(e).__name__}: {e}"[:300])
  if a.edge or a.edge_only:
    run_edges(a.rtol, a.k)
  print(f"{len(CASES)} cases, checks: {COUNTS}")
  print(f"{len(FINDINGS)} mismatches")
  return 1 if FINDINGS else 0


if __name__ == "__main__":
  sys.exit(main())
