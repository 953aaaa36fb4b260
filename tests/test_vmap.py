"""vmap: every primitive's batching rule against a Python loop, composition, errors.

``ROWS`` has one entry per primitive of the library (keyed by primitive name), each a
list of ``Row``s: a function of arrays that applies the primitive, and the per-example
argument shapes. A new primitive needs a row here; ``test_every_primitive_has_a_row``
fails until it has one. Each row is run with random ``in_axes`` (any position, or
``None`` for an unbatched argument), random ``out_axes`` and batch sizes, and compared
with stacking the function's results over the batch.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, strategies as st

import vjpkit
import vjpkit.numpy as vnp
from vjpkit import grad, jacrev, jvp, lax, make_jaxpr, vjp, vmap
from vjpkit.core.primitive import Primitive
from vjpkit.interpreters.batching import batch_rules, collective_rules
from vjpkit.interpreters.jvp import jvp_rules
from vjpkit.interpreters.transpose import transpose_rules
from vjpkit.scipy.integrate import odeint as _odeint
from vjpkit.tree_util import tree_leaves, tree_map, tree_structure, tree_unflatten


@dataclass
class Row:
  """``fun`` applied to arguments of per-example ``shapes``; ``kinds`` says how to draw
  each: "f" floats in [-2, 2], "pos" floats in [0.5, 2], "f32" float32, "b" booleans,
  "i3" integers in [0, 3), "c" complex with parts in [-2, 2]."""
  fun: Callable
  shapes: tuple
  kinds: tuple | None = None

  def draw(self, rng, i):
    kind = (self.kinds or ("f",) * len(self.shapes))[i]
    shape = self.shapes[i]
    if kind == "b":
      return rng.random(shape) < 0.5
    if kind == "i3":
      return rng.integers(0, 3, shape)
    if kind == "c":
      return rng.uniform(-2.0, 2.0, shape) + 1j * rng.uniform(-2.0, 2.0, shape)
    x = rng.uniform(0.5, 2.0, shape) if kind == "pos" else rng.uniform(-2.0, 2.0, shape)
    return x.astype(np.float32) if kind == "f32" else x


def _unary(f, kind="f"):
  return [Row(f, ((2, 3),), (kind,)), Row(f, ((),), (kind,)), Row(f, ((3,),), (kind,))]


def _binary(f, kind="f"):
  return [Row(f, (s, t), (kind, kind)) for s, t in
          [((2, 3), (2, 3)), ((), (2, 3)), ((3,), ()), ((), ())]]


def _shift(a):
  return lax.add(a, lax.mul(np.eye(a.shape[-1]), 4.0))


def _spd(a):
  return lax.add(lax.dot_general(a, a, (((1,), (1,)), ((), ()))), np.eye(a.shape[-1]))


def _call(f):
  return lambda *xs: lax.closed_call(f, *xs)


@vjpkit.custom_jvp
def _softplus(x):
  return lax.log1p(lax.exp(x))


_softplus.defjvps(lambda g, ans, x: lax.mul(g, lax.logistic(x)))


@vjpkit.custom_vjp
def _sin_times(x, w):
  return lax.mul(lax.sin(x), w)


_sin_times.defvjp(lambda x, w: (_sin_times(x, w), (x, w)),
                  lambda r, g: (lax.mul(lax.mul(g, lax.cos(r[0])), r[1]),
                                lax.reduce_sum(lax.mul(g, lax.sin(r[0])))))


def _callback(vmap_method):
  """A pure_callback of NumPy code, batched with ``vmap_method``."""
  return lambda x, y: vjpkit.pure_callback(lambda a, b: np.sin(a) * b,
                                           vjpkit.ShapeDtypeStruct(np.shape(x), np.float64),
                                           x, y, vmap_method=vmap_method)


def _square(x):
  return np.square(x)


# An @primitive function: a primitive named "_square", with a VJP and a JVP (whose
# evaluation under jvp is the user_lin equation).
_square_fn = vjpkit.extend.primitive(_square, result_shape_dtypes=lambda x: x)
vjpkit.extend.defvjp(_square_fn, lambda ans, x: lambda g: lax.mul(lax.mul(2.0, x), g))
vjpkit.extend.defjvp(_square_fn, lambda g, ans, x: lax.mul(lax.mul(2.0, x), g))


ROWS: dict[str, list[Row]] = {
    # elementwise, one argument
    "neg": _unary(lax.neg), "exp": _unary(lax.exp), "log": _unary(lax.log, "pos"),
    "expm1": _unary(lax.expm1), "log1p": _unary(lax.log1p, "pos"), "sin": _unary(lax.sin),
    "cos": _unary(lax.cos), "tanh": _unary(lax.tanh), "logistic": _unary(lax.logistic),
    "sqrt": _unary(lax.sqrt, "pos"), "abs": _unary(lax.abs), "sign": _unary(lax.sign),
    "floor": _unary(lax.floor), "ceil": _unary(lax.ceil), "round": _unary(lax.round),
    "integer_pow": _unary(lambda x: lax.integer_pow(x, 3)),
    "stop_gradient": _unary(lax.stop_gradient), "not": _unary(lax.logical_not, "b"),
    "real": _unary(lax.real, "c"), "imag": _unary(lax.imag, "c"), "conj": _unary(lax.conj, "c"),
    "complex": _binary(lax.complex),
    "convert_element_type": _unary(lambda x: lax.convert_element_type(x, np.float64), "f32")
    + _unary(lambda x: lax.convert_element_type(x, np.int64)),
    # elementwise, several arguments (a rank-0 operand broadcasts)
    "add": _binary(lax.add), "sub": _binary(lax.sub), "mul": _binary(lax.mul),
    "div": _binary(lax.div, "pos"), "pow": _binary(lax.pow, "pos"), "max": _binary(lax.max),
    "min": _binary(lax.min), "add_any": [Row(lax.add_any, ((2, 3), (2, 3))),
                                         Row(lax.add_any, ((), ()))],
    "eq": _binary(lax.eq), "ne": _binary(lax.ne), "lt": _binary(lax.lt), "le": _binary(lax.le),
    "gt": _binary(lax.gt), "ge": _binary(lax.ge),
    "and": _binary(lax.logical_and, "b"), "or": _binary(lax.logical_or, "b"),
    "select_n": [Row(lax.select_n, ((2, 3),) * 3, ("b", "f", "f")),
                 Row(lax.select_n, ((), (3,), (3,)), ("b", "f", "f")),
                 Row(lax.select_n, ((), (), ()), ("b", "f", "f")),
                 Row(lax.select_n, ((3,),) * 4, ("i3", "f", "f", "f"))],
    # shapes
    "broadcast_in_dim": [Row(lambda x: lax.broadcast_in_dim(x, (4, 2, 3), (1, 2)), ((2, 3),)),
                         Row(lambda x: lax.broadcast_in_dim(x, (2, 3), (1,)), ((1,),)),
                         Row(lambda x: lax.broadcast_in_dim(x, (2,), ()), ((),))],
    "reshape": [Row(lambda x: lax.reshape(x, (3, 2)), ((2, 3),)),
                Row(lambda x: lax.reshape(x, (1, 1)), ((),))],
    "transpose": [Row(lambda x: lax.transpose(x, (2, 0, 1)), ((2, 3, 4),)),
                  Row(lambda x: lax.transpose(x, (1, 0)), ((2, 3),))],
    "squeeze": [Row(lambda x: lax.squeeze(x, (1,)), ((2, 1, 3),)),
                Row(lambda x: lax.squeeze(x, (0,)), ((1,),))],
    "expand_dims": [Row(lambda x: lax.expand_dims(x, (0, 2)), ((2, 3),)),
                    Row(lambda x: lax.expand_dims(x, (0,)), ((),))],
    "rev": [Row(lambda x: lax.rev(x, (0, 2)), ((2, 3, 2),)),
            Row(lambda x: lax.rev(x, (0,)), ((3,),))],
    "concatenate": [Row(lambda x, y: lax.concatenate([x, y, x], 1), ((2, 3), (2, 1))),
                    Row(lambda x, y: lax.concatenate([x, y], 0), ((3,), (2,)))],
    "slice": [Row(lambda x: lax.slice(x, (0, 1), (2, 3)), ((2, 3),)),
              Row(lambda x: lax.slice(x, (1,), (5,), (2,)), ((5,),))],
    "pad": [Row(lambda x, v: lax.pad(x, v, [(1, 2, 1), (0, 1, 0)]), ((2, 3), ())),
            Row(lambda x, v: lax.pad(x, v, [(2, 0, 0)]), ((3,), ()))],
    "index_in_dim": [Row(lambda x: lax.index_in_dim(x, 1, axis=1, keepdims=False), ((2, 3),)),
                     Row(lambda x: lax.index_in_dim(x, -1, keepdims=False), ((3,),))],
    "embed_in_dim": [Row(lambda x: lax.embed_in_dim_p.bind(x, index=1, axis=1, size=3), ((2, 4),)),
                     Row(lambda x: lax.embed_in_dim_p.bind(x, index=0, axis=0, size=2), ((),))],
    # reductions
    "reduce_sum": [Row(lambda x: lax.reduce_sum(x, (0, 2)), ((2, 3, 2),)),
                   Row(lambda x: lax.reduce_sum(x), ((3,),))],
    "reduce_max": [Row(lambda x: lax.reduce_max(x, (1,)), ((2, 3),)),
                   Row(lambda x: lax.reduce_max(x), ((2, 3),))],
    "reduce_min": [Row(lambda x: lax.reduce_min(x, (0,)), ((2, 3),))],
    "reduce_prod": [Row(lambda x: lax.reduce_prod(x, (0, 2)), ((2, 3, 2),)),
                    Row(lambda x: lax.reduce_prod(x, (0,)), ((3,),))],
    "argmax": [Row(lambda x: lax.argmax(x, 1), ((2, 3),)), Row(lambda x: lax.argmax(x, 0), ((3,),))],
    "argmin": [Row(lambda x: lax.argmin(x, 0), ((2, 3),))],
    # linear algebra
    "dot_general": [Row(lambda x, y, dims=dims: lax.dot_general(x, y, dims), shapes) for shapes, dims in [
        (((3,), (3,)), (((0,), (0,)), ((), ()))),                 # inner product
        (((2, 3), (3,)), (((1,), (0,)), ((), ()))),               # matvec
        (((2, 3), (3, 4)), (((1,), (0,)), ((), ()))),             # matmul
        (((2,), (3,)), (((), ()), ((), ()))),                     # outer product
        (((2, 5, 3), (3, 4, 5)), (((2,), (0,)), ((1,), (2,)))),   # batch dims in odd places
    ]],
    # elementwise additions of vjpkit.numpy
    "tan": _unary(lambda x: lax.tan(lax.mul(x, 0.5))), "asin": _unary(lambda x: lax.asin(lax.mul(x, 0.4))),
    "acos": _unary(lambda x: lax.acos(lax.mul(x, 0.4))), "atan": _unary(lax.atan),
    "sinh": _unary(lax.sinh), "cosh": _unary(lax.cosh), "asinh": _unary(lax.asinh),
    "acosh": _unary(lambda x: lax.acosh(lax.add(x, 1.0)), "pos"),
    "atanh": _unary(lambda x: lax.atanh(lax.mul(x, 0.4))), "cbrt": _unary(lax.cbrt),
    "atan2": _binary(lax.atan2), "rem": _binary(lax.rem, "pos"),
    "floor_divide": _binary(lax.floor_divide, "pos"), "remainder": _binary(lax.remainder, "pos"),
    "hypot": _binary(lax.hypot), "i0": _unary(lax.i0),
    # cumulative
    "cumsum": [Row(lambda x: lax.cumsum(x, 1, reverse=True), ((2, 4),)),
               Row(lambda x: lax.cumsum(x, 0), ((3,),))],
    "cumprod": [Row(lambda x: lax.cumprod(x, 0), ((3, 2),))],
    "cummax": [Row(lambda x: lax.cummax(x, 1), ((2, 4),))],
    "cummin": [Row(lambda x: lax.cummin(x, 0, reverse=True), ((4, 2),))],
    # indexing (integer arguments drawn in [0, 3): repeated indices included)
    "gather": [Row(lambda x, i: lax.gather(x, i, (0,)), ((3, 2), (4, 1)), ("f", "i3")),
               Row(lambda x, i: lax.gather(x, i, (1, 0)), ((3, 3), (2, 2)), ("f", "i3"))],
    "scatter": [Row(lambda x, i, u: lax.scatter(x, i, u, (0,)), ((3, 2), (4, 1), (4, 2)), ("f", "i3", "f"))],
    "scatter_add": [Row(lambda x, i, u: lax.scatter_add(x, i, u, (0,)), ((3, 2), (4, 1), (4, 2)),
                        ("f", "i3", "f"))],
    "scatter_mul": [Row(lambda x, i, u: lax.scatter_mul(x, i, u, (0,)), ((3, 2), (4, 1), (4, 2)),
                        ("f", "i3", "f"))],
    "scatter_min": [Row(lambda x, i, u: lax.scatter_min(x, i, u, (0,)), ((3, 2), (4, 1), (4, 2)),
                        ("f", "i3", "f"))],
    "scatter_max": [Row(lambda x, i, u: lax.scatter_max(x, i, u, (0,)), ((3, 2), (4, 1), (4, 2)),
                        ("f", "i3", "f"))],
    "dynamic_slice": [Row(lambda x, i: lax.dynamic_slice(x, (i, np.int64(1)), (2, 2)), ((4, 3), ()),
                          ("f", "i3"))],
    "dynamic_update_slice": [Row(lambda x, u, i: lax.dynamic_update_slice(x, u, (np.int64(1), i)),
                                 ((4, 3), (2, 2), ()), ("f", "f", "i3"))],
    # sorting (no derivative)
    "argsort": [Row(lambda x: lax.argsort(x, -1), ((2, 4),)), Row(lambda x: lax.argsort(x, 0), ((3,),))],
    "searchsorted": [Row(lambda a, v: lax.searchsorted(lax.cummax(a, 0), v), ((4,), (3,)))],
    # special functions
    "erf": _unary(lax.erf), "erfc": _unary(lax.erfc), "erf_inv": _unary(lambda x: lax.erf_inv(lax.mul(x, 0.4))),
    "lgamma": _unary(lax.lgamma, "pos"), "digamma": _unary(lax.digamma, "pos"),
    "polygamma": _unary(lambda x: lax.polygamma(1, x), "pos"),
    # special functions of vjpkit.scipy.stats (probabilities q = 0.4 x in [0.2, 0.8])
    "log_ndtr": _unary(lax.log_ndtr), "ndtri": _unary(lambda q: lax.ndtri(lax.mul(q, 0.4)), "pos"),
    "ndtri_exp": _unary(lambda y: lax.ndtri_exp(lax.neg(y)), "pos"),
    "i0e": _unary(lax.i0e), "i1e": _unary(lax.i1e, "pos"),
    "gammainc": _binary(lax.gammainc, "pos"), "gammaincc": _binary(lax.gammaincc, "pos"),
    "gammaincinv": _binary(lambda a, q: lax.gammaincinv(a, lax.mul(q, 0.4)), "pos"),
    "gammainccinv": _binary(lambda a, q: lax.gammainccinv(a, lax.mul(q, 0.4)), "pos"),
    "betaln": _binary(lax.betaln, "pos"), "stdtr": _binary(lax.stdtr, "pos"),
    "stdtrit": _binary(lambda df, q: lax.stdtrit(df, lax.mul(q, 0.4)), "pos"),
    "betainc": [Row(lambda a, b, x: lax.betainc(a, b, lax.mul(x, 0.4)), shapes, ("pos",) * 3)
                for shapes in [((2, 3),) * 3, ((), (2, 3), ()), ((3,), (), (3,))]],
    "betaincinv": [Row(lambda a, b, q: lax.betaincinv(a, b, lax.mul(q, 0.4)), shapes, ("pos",) * 3)
                   for shapes in [((2, 3),) * 3, ((), (), (3,))]],
    # special functions of vjpkit.scipy.special (Bessel orders v in [0.5, 2])
    "gamma": _unary(lax.gamma, "pos"), "gammasgn": _unary(lax.gammasgn),
    "loggamma": _unary(lax.loggamma, "pos"), "rgamma": _unary(lax.rgamma),
    "beta": _binary(lax.beta, "pos"), "poch": _binary(lax.poch, "pos"),
    "zeta": _binary(lambda s, q: lax.zeta(lax.add(s, 1.0), q), "pos"),
    "riemann_zeta": _unary(lax.riemann_zeta), "factorial": _unary(lax.factorial, "pos"),
    "comb": _binary(lambda n, k: lax.comb(lax.mul(n, 3.0), k), "pos"),
    "igamma_grad_a": _binary(lax.igamma_grad_a, "pos"),
    "betainc_grad": [Row(lambda a, b, x: lax.betainc_grad(a, b, lax.mul(x, 0.4), "ab"), shapes,
                         ("pos",) * 3) for shapes in [((2, 3),) * 3, ((), (2, 3), ())]],
    "bessel_i0": _unary(lax.bessel_i0), "bessel_i1": _unary(lax.bessel_i1),
    "bessel_j0": _unary(lax.bessel_j0), "bessel_j1": _unary(lax.bessel_j1),
    "bessel_y0": _unary(lax.bessel_y0, "pos"), "bessel_y1": _unary(lax.bessel_y1, "pos"),
    "bessel_iv": _binary(lax.bessel_iv, "pos"), "bessel_ive": _binary(lax.bessel_ive, "pos"),
    "bessel_jv": _binary(lax.bessel_jv, "pos"), "bessel_yv": _binary(lax.bessel_yv, "pos"),
    "bessel_yn": _binary(lambda n, x: lax.bessel_yn(lax.round(n), x), "pos"),
    "bessel_kv": _binary(lax.bessel_kv, "pos"), "bessel_kve": _binary(lax.bessel_kve, "pos"),
    "logit": _unary(lambda x: lax.logit(lax.mul(x, 0.25)), "pos"),
    "logit_dk": _unary(lambda x: lax.logit_dk_p.bind(lax.mul(x, 0.25), k=2), "pos"),
    "log1p_scipy": _unary(lax.log1p_scipy, "pos"),
    "logaddexp": _binary(lax.logaddexp), "logaddexp2": _binary(lax.logaddexp2),
    "erfcx": _unary(lax.erfcx), "expi": _unary(lax.expi, "pos"), "exp1": _unary(lax.exp1, "pos"),
    "expn": _binary(lambda n, x: lax.expn(lax.round(n), x), "pos"), "spence": _unary(lax.spence, "pos"),
    "entr": _unary(lax.entr, "pos"), "rel_entr": _binary(lax.rel_entr, "pos"),
    "kl_div": _binary(lax.kl_div, "pos"),
    "vonmises_cdf": _binary(lax.vonmises_cdf), "vonmises_cdf_grad": _binary(
        lambda x, k: lax.vonmises_cdf_grad(x, lax.abs(k))),
    "vonmises_ppf": _binary(lambda q, k: lax.vonmises_ppf(lax.mul(q, 0.4), k), "pos"),
    "discrete_ppf": [Row(lambda q, mu, loc: lax.discrete_ppf("poisson", lax.mul(q, 0.4), mu,
                                                               lax.round(loc)), shapes, ("pos",) * 3)
                     for shapes in [((2, 3),) * 3, ((), (3,), ())]],
    # matrices (shifted or symmetrized to stay well conditioned)
    "solve": [Row(lambda a, b: lax.solve(_shift(a), b), ((3, 3), (3, 2)))],
    "triangular_solve": [Row(lambda a, b: lax.triangular_solve(_shift(a), b, left_side=True, lower=True),
                             ((3, 3), (3, 2)))],
    "slogdet": [Row(lambda a: lax.slogdet(_shift(a)), ((3, 3),))],
    "pinv": [Row(lambda a: lax.pinv(a), ((3, 2),))],
    "cholesky": [Row(lambda a: lax.cholesky(_spd(a)), ((3, 3),))],
    "eigh": [Row(lambda a: lax.eigh(_spd(a)), ((3, 3),))],
    "eig": [Row(lambda a: lax.eig(a), ((3, 3),)), Row(lambda a: lax.eig(a), ((3, 3),), ("c",)),
            Row(lambda a: lax.eig(a, compute_eigenvectors=False), ((3, 3),))],
    "svd": [Row(lambda a: lax.svd(a, full_matrices=False), ((3, 2),))],
    "qr": [Row(lambda a: lax.qr(a), ((3, 2),))],
    "lu": [Row(lambda a: lax.lu(_shift(a)), ((3, 3),)), Row(lambda a: lax.lu(a), ((3, 2),))],
    "lu_pivots_to_permutation": [Row(lambda p: lax.lu_pivots_to_permutation(p, 4), ((3,),),
                                     ("i3",))],
    "lu_solve": [Row(lambda a, b: lax.lu_solve(*lax.lu(_shift(a))[::2], b, trans=t),
                     ((3, 3), (3, 2))) for t in (0, 1)],
    "positive_definite_solve": [Row(lambda a, b: lax.positive_definite_solve(_spd(a), b),
                                    ((3, 3), (3, 2)))],
    "solve_sylvester": [Row(lambda a, b, q: lax.solve_sylvester(_shift(a), _shift(b), q),
                            ((3, 3), (2, 2), (3, 2)))],
    "expm": [Row(lambda a: lax.expm(a), ((3, 3),))],
    "expm_frechet": [Row(lambda a, e: lax.expm_frechet(a, e), ((3, 3), (3, 3)))],
    "sqrtm": [Row(lambda a: lax.sqrtm(_spd(a)), ((3, 3),))],
    "polar": [Row(lambda a: lax.polar(a), ((3, 2),))],
    "schur": [Row(lambda a: lax.schur(a), ((3, 3),))],
    "hessenberg": [Row(lambda a: lax.hessenberg(a), ((3, 3),))],
    # sub-programs
    "closed_call": [
        Row(_call(lambda x, y: [lax.mul(lax.sin(x), y), lax.reduce_sum(y)]), ((3,), (3,))),
        Row(_call(lambda x: [_call(lambda z: [lax.exp(z)])(x)[0], lax.neg(x)]), ((2,),)),
    ],
    "jit": [Row(lambda x, y: vjpkit.jit(lambda a, b: [lax.mul(lax.sin(a), b), lax.reduce_sum(b)])(
                    x, y), ((3,), (3,))),
            Row(lambda x: vjpkit.jit(lambda a: lax.mul(vjpkit.jit(lax.exp)(a), 2.0))(x), ((2,),))],
    "checkpoint": [Row(lambda x, y: vjpkit.checkpoint(lambda a, b: lax.mul(lax.sin(a), b))(x, y),
                       ((3,), (3,)))],
    # the discrete Fourier transform (over trailing axes: the batch axis moves to the front)
    "fft": [Row(lambda x: lax.fft(x, lax.FftType.FFT, (2, 3)), ((2, 3),), ("c",)),
            Row(lambda x: lax.fft(x, lax.FftType.IFFT, (3,)), ((2, 3),), ("c",)),
            Row(lambda x: lax.fft(x, lax.FftType.RFFT, (5,)), ((2, 5),)),
            Row(lambda x: lax.fft(x, lax.FftType.IRFFT, (2, 4)), ((2, 3),), ("c",))],
    # control flow (a batched predicate turns cond into a select, and while into masking)
    "cond": [Row(lambda p, x: lax.cond(p, lax.sin, lambda y: lax.mul(y, y), x), ((), (3,)), ("b", "f")),
             Row(lambda i, x, y: lax.switch(i, [lax.mul, lax.sub, lambda a, b: lax.exp(a)], x, y),
                 ((), (2,), ()), ("i3", "f", "f"))],
    "scan": [Row(lambda c, xs, w: lax.scan(lambda c, x: (lax.tanh(lax.add(lax.mul(c, w), x)),
                                                         lax.mul(c, x)), c, xs), ((2,), (4, 2), (2,))),
             Row(lambda xs: lax.scan(lambda c, x: (lax.add(c, x), c), 0.0, xs, reverse=True), ((3,),))],
    "while": [Row(lambda x, w: lax.while_loop(lambda c: lax.lt(c[0], 3), lambda c: (
                  lax.add(c[0], 1), lax.sin(lax.mul(c[1], w))), (0, x))[1], ((3,), ())),
              Row(lambda x: lax.while_loop(lambda c: lax.lt(c, 10.0), lambda c: lax.mul(c, 2.0), x),
                  ((),), ("pos",))],
    # convolution and the ODE solve
    "conv_general_dilated": [
        Row(lambda x, w: lax.conv_general_dilated(x, w, (1, 2), "SAME", rhs_dilation=(2, 1)),
            ((2, 3, 5, 4), (4, 3, 2, 2))),
        Row(lambda x, w: lax.conv_general_dilated(x, w, (1,), [(1, 0)], lhs_dilation=(2,),
                                                  feature_group_count=2), ((1, 4, 3), (2, 2, 2))),
        Row(lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID", batch_group_count=2),
            ((4, 2, 5), (2, 2, 3))),
        Row(lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "VALID",
                                                  dimension_numbers=("NHWC", "HWIO", "NHWC")),
            ((1, 4, 4, 2), (2, 2, 2, 3)))],
    "odeint": [Row(lambda y0, k: _odeint(lambda y, t, k: -k * y * y, y0, np.linspace(0, 1, 3), k),
                   ((2,), ()), ("pos", "pos")),
               Row(lambda t, y0: _odeint(lambda y, t: lax.sin(lax.mul(t, y)), y0,
                                         lax.cumsum(t, 0)), ((3,), ()), ("pos", "f"))],
    # custom derivatives
    "custom_jvp_call": [Row(_softplus, ((3,),)), Row(_softplus, ((),))],
    "custom_vjp_call": [Row(_sin_times, ((3,), ()))],
    # callbacks and user primitives (vjpkit.extend)
    "pure_callback": [Row(_callback("sequential"), ((3,), ())),
                      Row(_callback("expand_dims"), ((3,), (3,))),
                      Row(_callback("broadcast_all"), ((2,), (2,)))],
    "_square": [Row(_square_fn, ((3,),)), Row(_square_fn, ((),))],
    "user_lin": [Row(lambda x, t: vjpkit.jvp(_square_fn, (x,), (t,))[1], ((3,), (3,)))],
    # more of jax.lax (issue 15)
    "rsqrt": _unary(lax.rsqrt, "pos"), "square": _unary(lax.square), "exp2": _unary(lax.exp2),
    "is_finite": _unary(lax.is_finite), "signbit": _unary(lax.signbit),
    "log2": _unary(lax.log2, "pos"), "log10": _unary(lax.log10, "pos"), "sinc": _unary(lax.sinc),
    "nextafter": _binary(lax.nextafter),
    "xor": _binary(lax.bitwise_xor, "i3"), "shift_left": _binary(lax.shift_left, "i3"),
    "shift_right_logical": _binary(lax.shift_right_logical, "i3"),
    "shift_right_arithmetic": _binary(lax.shift_right_arithmetic, "i3"),
    "population_count": _unary(lax.population_count, "i3"), "clz": _unary(lax.clz, "i3"),
    "cumlogsumexp": [Row(lambda x: lax.cumlogsumexp(x, 1, reverse=True), ((2, 3),)),
                     Row(lambda x: lax.cumlogsumexp(x), ((3,),))],
    "custom_root": [Row(lambda a: lax.custom_root(
        lambda x: lax.sub(lax.mul(x, x), a), lax.full_like(a, 1.0), lambda f, x0: lax.fori_loop(
            0, 30, lambda i, x: lax.sub(x, lax.div(f(x), lax.mul(x, 2.0))), x0),
        lambda g, y: lax.div(y, g(lax.full_like(y, 1.0)))), ((3,),), ("pos",))],
    "custom_linear_solve": [Row(lambda d, b: lax.custom_linear_solve(
        lambda x: lax.mul(d, x), b, lambda mv, b: lax.div(b, d), symmetric=True),
        ((3,), (3,)), ("pos", "f"))],
    "debug_callback": [Row(lambda x: (vjpkit.debug.callback(lambda v: None, x), lax.sin(x))[1],
                           ((3,),))],
}

# Primitives no eagerly evaluable function can apply: custom_lin, the tangent map of a
# custom_vjp function, only exists inside linearize, to be transposed (evaluating it would
# be forward mode of a custom_vjp function, an error). It still has a batching rule.
NO_ROW = {"custom_lin"}
# Collectives need a named axis (vmap(..., axis_name=...)); they are batched by the rules of
# ``collective_rules`` and tested in tests/test_collectives.py.
NO_ROW |= {"psum", "pmax", "pmin", "all_gather", "ppermute"}
# Likewise odeint_adjoint, the tangent map of an odeint solve, transposed by reverse mode.
NO_ROW |= {"odeint_adjoint"}


def _draw_case(row, data):
  """Per-example arguments for a batch, their in_axes, and the batched arguments."""
  rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
  size = data.draw(st.integers(1, 3))
  in_axes = [data.draw(st.one_of(st.none(), st.integers(-len(s) - 1, len(s))))
             for s in row.shapes]
  examples = [[row.draw(rng, i) for _ in range(size)] for i in range(len(row.shapes))]
  batched = [xs[0] if ax is None else np.stack(xs, axis=ax) for xs, ax in zip(examples, in_axes)]
  per_member = [[xs[0] if ax is None else xs[k] for xs, ax in zip(examples, in_axes)]
                for k in range(size)]
  return size, tuple(in_axes), batched, per_member


CASES = [(name, k) for name in sorted(ROWS) for k in range(len(ROWS[name]))]


@pytest.mark.parametrize("name,k", CASES)
@given(data=st.data())
def test_vmap_matches_loop(name, k, data):
  row = ROWS[name][k]
  size, in_axes, batched, per_member = _draw_case(row, data)
  outs = [row.fun(*args) for args in per_member]
  leaves = [tree_leaves(o) for o in outs]
  out_axes = [data.draw(st.integers(-np.ndim(y) - 1, np.ndim(y))) for y in leaves[0]]
  spec = tree_unflatten(tree_structure(outs[0]), out_axes)  # one axis per output leaf
  axis_size = size if all(ax is None for ax in in_axes) else None
  got = tree_leaves(vmap(row.fun, in_axes=in_axes, out_axes=spec, axis_size=axis_size)(*batched))
  for j, ax in enumerate(out_axes):
    want = np.stack([np.asarray(leaf[j]) for leaf in leaves], axis=ax)
    assert got[j].dtype == want.dtype and got[j].shape == want.shape
    np.testing.assert_allclose(got[j], want, rtol=1e-12, atol=1e-12)


# -- the table covers every primitive ----------------------------------------------

# Rule tables as they are when tests are collected, before any test function declares a
# primitive of its own.
_REGISTERED = set(batch_rules) | set(jvp_rules) | set(transpose_rules)


def _library_primitives() -> set:
  """Every primitive of vjpkit: module attributes of its modules, and whatever is in the
  rule tables (except primitives that test modules declare for themselves)."""
  for info in pkgutil.walk_packages(vjpkit.__path__, "vjpkit."):
    importlib.import_module(info.name)
  own, foreign = set(), set()
  for name, module in list(sys.modules.items()):
    is_vjpkit = name == "vjpkit" or name.startswith("vjpkit.")
    if not (is_vjpkit or name.split(".")[-1].startswith(("test_", "conftest"))):
      continue
    for value in vars(module).values():
      if isinstance(value, Primitive):
        (own if is_vjpkit else foreign).add(value)
  return own | (_REGISTERED - foreign)


def test_every_primitive_has_a_row_and_a_batching_rule():
  prims = _library_primitives()
  missing_rows = sorted(p.name for p in prims if p.name not in ROWS and p.name not in NO_ROW)
  assert not missing_rows, f"add rows for these primitives to ROWS in {__file__}: {missing_rows}"
  missing_rules = sorted(p.name for p in prims
                         if p not in batch_rules and p not in collective_rules)
  assert not missing_rules, f"these primitives have no batching rule: {missing_rules}"


@pytest.mark.parametrize("name", sorted(ROWS))
def test_rows_apply_their_primitive(name):
  rng = np.random.default_rng(0)
  for row in ROWS[name]:
    args = [row.draw(rng, i) for i in range(len(row.shapes))]
    used = {e.prim.name for e in make_jaxpr(row.fun)(*args).eqns}
    assert name in used, f"a row of '{name}' records only {sorted(used)}"


# -- batching rule details ------------------------------------------------------------

def test_pad_with_a_batched_padding_value():
  x, v = np.arange(6.0).reshape(2, 3), np.array([-1.0, -2.0])
  got = vmap(lambda x, v: lax.pad(x, v, [(1, 1, 1)]))(x, v)
  np.testing.assert_array_equal(got, [[-1, 0, -1, 1, -1, 2, -1], [-2, 3, -2, 4, -2, 5, -2]])
  got = vmap(lambda v: lax.pad(x[0], v, [(1, 0, 0)]))(v)  # only the padding value batched
  np.testing.assert_array_equal(got, [[-1, 0, 1, 2], [-2, 0, 1, 2]])


def test_unbatched_outputs_are_broadcast_to_any_out_axis():
  out = vmap(lambda x: (x, np.ones(3)), out_axes=(0, -1))(np.zeros(2))
  assert out[0].shape == (2,) and out[1].shape == (3, 2)


# -- composition ----------------------------------------------------------------------

def _f(x):
  return vnp.sum(vnp.sin(x) * x)


def test_nested_vmap_is_a_double_loop():
  a, b = np.random.default_rng(0).standard_normal((2, 3, 4))
  got = vmap(lambda x: vmap(lambda y: vnp.sum(x * vnp.tanh(y)))(b))(a)
  want = np.array([[np.sum(x * np.tanh(y)) for y in b] for x in a])
  np.testing.assert_allclose(got, want)
  # outer batch over axis 1 of A and axis 0 of c; inner batch over the rows of A's slice
  got = vmap(vmap(lambda x, y: x * y, in_axes=(0, None)), in_axes=(1, 0), out_axes=1)(a, b[0])
  want = np.stack([np.stack([a[i, j] * b[0, j] for i in range(3)]) for j in range(4)], axis=1)
  np.testing.assert_allclose(got, want)


def test_vmap_of_grad_and_grad_of_vmap():
  xs = np.random.default_rng(1).standard_normal((3, 4))
  want = np.stack([grad(_f)(x) for x in xs])
  np.testing.assert_allclose(vmap(grad(_f))(xs), want)
  np.testing.assert_allclose(vmap(grad(_f), in_axes=1, out_axes=1)(xs.T), want.T)
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(_f)(xs)))(xs), want)
  np.testing.assert_allclose(vmap(grad(grad(lambda x: vnp.sin(x) * x)))(xs[0]),
                             2 * np.cos(xs[0]) - xs[0] * np.sin(xs[0]))


def test_jvp_and_vjp_of_a_vmapped_function():
  rng = np.random.default_rng(2)
  W, xs, ts = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
  f = vmap(lambda x: vnp.tanh(W @ x))
  _, t_out = jvp(f, (xs,), (ts,))
  np.testing.assert_allclose(t_out, (1 - np.tanh(xs @ W.T) ** 2) * (ts @ W.T))
  u = rng.standard_normal((5, 3))
  (ct,) = vjp(f, xs)[1](u)
  np.testing.assert_allclose(ct, (u * (1 - np.tanh(xs @ W.T) ** 2)) @ W)


def test_vmap_through_closed_call_under_grad():
  def f(x):
    (y,) = lax.closed_call(lambda a: [lax.mul(lax.sin(a), a)], x)
    return vnp.sum(y)
  xs = np.random.default_rng(3).standard_normal((2, 3))
  np.testing.assert_allclose(vmap(grad(f))(xs), np.sin(xs) + xs * np.cos(xs))
  np.testing.assert_allclose(grad(lambda xs: vnp.sum(vmap(f)(xs)))(xs), np.sin(xs) + xs * np.cos(xs))


def test_vmap_of_jacrev_is_a_batch_of_jacobians():
  xs = np.random.default_rng(4).standard_normal((3, 2))
  got = vmap(jacrev(lambda x: vnp.sin(x) * x[0]))(xs)
  for x, J in zip(xs, got):
    np.testing.assert_allclose(J, np.diag(np.cos(x) * x[0]) + np.outer(np.sin(x), [1, 0]))


def test_pytree_in_axes_kwargs_and_axis_size():
  p = {"w": np.ones((2, 3)), "b": np.arange(4.0)}
  got = vmap(lambda p, s: p["w"] * s + vnp.sum(p["b"]), in_axes=({"w": 1, "b": None}, None))(p, 2.0)
  np.testing.assert_allclose(got, np.full((3, 2), 8.0))
  np.testing.assert_allclose(vmap(lambda x, y: x - y)(np.ones(2), y=np.arange(2.0)), [1, 0])
  np.testing.assert_allclose(vmap(lambda x: x + 1.0, in_axes=None, axis_size=3)(1.0), [2, 2, 2])



def test_unmapped_arguments_reach_the_function_as_they_are():
  # as in JAX: a string or a static argument of jit with in_axes=None is passed through
  f = lambda x, mode: vnp.sin(x) if mode == "sin" else vnp.cos(x)
  np.testing.assert_allclose(vmap(f, in_axes=(0, None))(np.arange(3.0), "sin"), np.sin(np.arange(3.0)))
  g = vjpkit.jit(lambda x, n: x * n, static_argnums=1)
  np.testing.assert_allclose(vmap(g, in_axes=(0, None))(np.arange(3.0), 2), [0, 2, 4])
  with pytest.raises(TypeError, match="type 'str'"):
    vmap(f, in_axes=(0, 0))(np.arange(3.0), "sin")

# -- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("call,error,match", [
    (lambda: vmap(lambda x, y: x + y)(np.ones(2), np.ones(3)), ValueError,
     r"inconsistent sizes.*args\[0\] has size 2 \(axis 0 of shape \(2,\)\); args\[1\] has size 3"),
    (lambda: vmap(lambda p: p["w"], in_axes=({"w": 1, "b": 0},))({"w": np.ones((2, 3)), "b": np.ones(4)}),
     ValueError, r"args\[0\]\['b'\] has size 4.*args\[0\]\['w'\] has size 3 \(axis 1"),
    (lambda: vmap(lambda x: x, in_axes=2)(np.ones((2, 3))), ValueError,
     r"in_axes=2 is out of range for args\[0\] of shape \(2, 3\) \(rank 2\); use an axis in \[-2, 1\]"),
    (lambda: vmap(lambda x: x, in_axes=0)(np.float64(1.0)), ValueError, r"out of range.*shape \(\)"),
    (lambda: vmap(lambda x: x, in_axes=(0, 0))(np.ones(3)), ValueError,
     r"in_axes has 2 entries but the function was called with 1 positional"),
    (lambda: vmap(lambda p: p, in_axes=({"a": 0},))({"b": np.ones(2)}), ValueError,
     r"in_axes has keys \['a'\], but the value has keys \['b'\]"),
    (lambda: vmap(lambda x: x, in_axes=((0, 0),))(np.ones(3)), ValueError, "does not match"),
    (lambda: vmap(lambda x: x, in_axes=0.5)(np.ones(3)), TypeError, "integers or None, got 0.5"),
    (lambda: vmap(lambda x: x, out_axes=2)(np.ones(3)), ValueError,
     r"out_axes=2 is out of range for output 0, which has rank 1 .* \[-1, 0\]"),
    (lambda: vmap(lambda x: x, out_axes=None)(np.ones(3)), ValueError, "out_axes=None for output 0"),
    (lambda: vmap(lambda x: x, in_axes=None)(np.ones(3)), ValueError, "axis_size"),
    (lambda: vmap(lambda x: x, axis_size=4)(np.ones(3)), ValueError, "axis_size=4 but .* size 3"),
    (lambda: vmap(lambda x: x if x > 0 else -x)(np.ones(3)), vjpkit.ConcretizationTypeError,
     "vmap"),
])
def test_errors(call, error, match):
  with pytest.raises(error, match=match):
    call()


def test_outer_values_are_constants_of_an_inner_vmap():
  # the inner vmap sees the outer batch tracer as an unbatched constant
  xs = np.arange(3.0)
  got = vmap(lambda x: vmap(lambda y: x * y)(xs))(xs)
  np.testing.assert_allclose(got, np.outer(xs, xs))
  assert tree_map(np.shape, vmap(lambda x: {"a": x, "b": (x, x)})(xs)) == {"a": (3,), "b": ((3,), (3,))}
