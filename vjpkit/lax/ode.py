"""The ODE solver behind ``vjpkit.scipy.integrate.odeint``: an adaptive Dormand-Prince (RK45)
solve as one primitive, ``odeint``, differentiated by the adjoint method (JAX's
``jax.experimental.ode``).

``func`` is staged once into a program (what it closes over becomes operands, so
closed-over values are differentiated too), and the implementation steps it in NumPy,
with JAX's step-size control and its fourth-order interpolation at the requested times.
Reverse mode never differentiates the solver steps: the JVP rule emits a linear
``odeint_adjoint`` whose transpose solves the augmented system (state, adjoint, time and
parameter cotangents) backwards, one segment between each pair of output times, as in
JAX. The backward solves are ``odeint`` again, so they run under ``jit`` and ``vmap`` and
can be differentiated once more. ``vmap`` folds the batch into the state; each member
keeps its own time, step size and step count, so the result equals a loop. Forward mode
(``jvp``, ``jacfwd``, ``hessian``; beyond JAX's, which has none) evaluates the same linear
primitive directly: the forward-sensitivity system solved together with the state.

The pytree interface (``y0`` a pytree, ``*args``) is ``vjpkit.scipy.integrate.odeint``;
here states are arrays.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core.avals import ShapedArray, get_aval, is_float
from ..core.primitive import Primitive
from ..core.zeros import Zero, instantiate, is_undef
from ..interpreters.batching import batch_jaxpr, batch_size
from ..interpreters.eval import eval_jaxpr
from ..interpreters.jvp import jvp_flat
from ..interpreters.linearize import vjp_flat
from ..core.ir import hoist_consts
from ..tree_util import tree_flatten
from . import elementwise as ew
from . import reductions, shapes
from .control_flow import scan
from .control_flow.common import stage_function, to_front

__all__ = ["odeint_adjoint_p", "odeint_p"]

# -- Dormand-Prince coefficients (JAX's jax.experimental.ode) ------------------------

_ALPHA = np.array([1 / 5, 3 / 10, 4 / 5, 8 / 9, 1., 1., 0])
_BETA = np.array([
    [1 / 5, 0, 0, 0, 0, 0, 0], [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0]])
_C_SOL = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
_C_ERR = np.array([35 / 384 - 1951 / 21600, 0, 500 / 1113 - 22642 / 50085,
                   125 / 192 - 451 / 720, -2187 / 6784 - -12231 / 42400,
                   11 / 84 - 649 / 6300, -1. / 60.])
_C_MID = np.array([6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2,
                   -2691868925 / 45128329728 / 2, 187940372067 / 1594534317056 / 2,
                   -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2])


def _rms(x: np.ndarray) -> np.ndarray:
  """The RMS of each member's entries: ``x`` is ``(members, ...)``."""
  return np.sqrt(np.mean(np.square(x).reshape(x.shape[0], -1), axis=1))


def _norm(x: np.ndarray) -> np.ndarray:
  return np.sqrt(np.sum(np.square(x).reshape(x.shape[0], -1), axis=1))


def _initial_step(fun, col, t0, y0, f0, rtol, atol) -> np.ndarray:
  """Hairer, Norsett and Wanner, Solving ODEs I, Sec. II.4 (order 4), as JAX's."""
  scale = atol + np.abs(y0) * rtol
  d0, d1 = _norm(y0 / scale), _norm(f0 / scale)
  h0 = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1)
  f1 = fun(y0 + col(h0) * f0, t0 + h0)
  d2 = _norm((f1 - f0) / scale) / h0
  h1 = np.where((d1 <= 1e-15) & (d2 <= 1e-15), np.maximum(1e-6, h0 * 1e-3),
                (0.01 / np.maximum(d1, d2)) ** (1. / 5.))
  return np.minimum(100. * h0, h1)


def _rk_step(fun, col, y0, f0, t0, dt):
  ks = [f0]
  for i in range(1, 7):
    yi = y0 + col(dt) * np.tensordot(_BETA[i - 1, :i], np.stack(ks), 1)
    ks.append(fun(yi, t0 + dt * _ALPHA[i - 1]))
  k = np.stack(ks)
  y1 = col(dt) * np.tensordot(_C_SOL, k, 1) + y0
  return y1, ks[-1], col(dt) * np.tensordot(_C_ERR, k, 1), k


def _interp_fit(col, y0, y1, k, dt):
  """The coefficients of the fourth-order interpolant of one step (highest power first)."""
  dt = col(dt)
  y_mid = y0 + dt * np.tensordot(_C_MID, k, 1)
  dy0, dy1 = k[0], k[-1]
  a = -2. * dt * dy0 + 2. * dt * dy1 - 8. * y0 - 8. * y1 + 16. * y_mid
  b = 5. * dt * dy0 - 3. * dt * dy1 + 18. * y0 + 14. * y1 - 32. * y_mid
  c = -4. * dt * dy0 + dt * dy1 - 11. * y0 - 5. * y1 + 16. * y_mid
  return np.stack([a, b, c, dt * dy0, y0])


def _optimal_step(last, ratio):
  dfactor = np.where(ratio < 1, 1.0, 0.2)
  factor = np.minimum(10.0, np.maximum(ratio ** (-1.0 / 5.0) * 0.9, dfactor))
  return np.where(ratio == 0, last * 10.0, last * factor)


def _check_times(ts: np.ndarray) -> None:
  if ts.ndim != 1 or ts.shape[0] == 0:
    raise ValueError(f"odeint: t must be a non-empty 1-D array of times, got shape {ts.shape}")
  if ts.shape[0] > 1 and not np.all(np.diff(ts) > 0):
    raise ValueError("odeint: the times t must be strictly increasing")


def _odeint_impl(*operands, jaxpr, num_consts, rtol, atol, mxstep, hmax, batch_ndim):
  nc = num_consts
  consts, y0, ts, args = operands[:nc], operands[nc], operands[nc + 1], operands[nc + 2:]

  def field(y, t):
    return eval_jaxpr(jaxpr, [], [*consts, y, t, *args])[0]
  return _solve_numpy(field, np.asarray(y0), np.asarray(ts), rtol, atol, mxstep, hmax,
                      batch_ndim)


def _solve_numpy(field, y0: np.ndarray, ts: np.ndarray, rtol, atol, mxstep, hmax,
                 batch_ndim: int) -> np.ndarray:
  """JAX's algorithm for ``dy/dt = field(y, t)`` (``t`` one time per batch member),
  vectorised over the batch members (the leading ``batch_ndim`` axes of the state): each
  member has its own time, step size and step count, exactly as if it were solved alone;
  the vector field is evaluated for all of them at once."""
  _check_times(ts)
  batch, dtype = y0.shape[:batch_ndim], y0.dtype
  M = int(np.prod(batch, dtype=np.int64))
  y = y0.reshape((M,) + y0.shape[batch_ndim:])

  def col(v):
    return np.asarray(v, dtype).reshape((M,) + (1,) * (y.ndim - 1))

  def fun(y, t):
    out = field(y.astype(dtype).reshape(y0.shape), np.asarray(t, ts.dtype).reshape(batch))
    return np.asarray(out, dtype).reshape(y.shape)
  out = np.full((ts.shape[0],) + y.shape, np.nan, dtype)
  out[0] = y
  if M == 0:
    return out.reshape((ts.shape[0],) + y0.shape)
  with np.errstate(all="ignore"):
    t = np.full(M, ts[0], np.float64)
    f = fun(y, t)
    dt = np.clip(_initial_step(fun, col, t, y, f, rtol, atol), 0., hmax)
    last_t, coeff = t.copy(), np.stack([y] * 5)
    failed = np.zeros(M, bool)
    for j in range(1, ts.shape[0]):
      target = float(ts[j])
      steps = np.zeros(M)
      active = ~failed & (t < target) & (steps < mxstep) & (dt > 0)
      while active.any():
        next_y, next_f, err, kk = _rk_step(fun, col, y, f, t, dt)
        ratio = _rms(err / (atol + rtol * np.maximum(np.abs(y), np.abs(next_y))))
        new_coeff = _interp_fit(col, y, next_y, kk, dt)
        new_dt = np.clip(_optimal_step(dt, ratio), 0., hmax)
        accept = active & (ratio <= 1.)
        a = col(accept).astype(bool)
        y, f = np.where(a, next_y, y), np.where(a, next_f, f)
        coeff = np.where(a[None], new_coeff, coeff)
        last_t, t = np.where(accept, t, last_t), np.where(accept, t + dt, t)
        dt = np.where(active, new_dt, dt)
        steps = steps + active
        active = ~failed & (t < target) & (steps < mxstep) & (dt > 0)
      failed |= t < target  # mxstep steps did not get there: this and later outputs are nan
      r = col((target - last_t) / (t - last_t))
      value = (((coeff[0] * r + coeff[1]) * r + coeff[2]) * r + coeff[3]) * r + coeff[4]
      out[j] = np.where(col(failed).astype(bool), np.nan, value)
  return out.reshape((ts.shape[0],) + y0.shape)


def _odeint_abstract_eval(*avals, jaxpr, num_consts, batch_ndim, **opts):
  y, t = avals[num_consts], avals[num_consts + 1]
  return ShapedArray((t.shape[0],) + y.shape, y.dtype)


# -- staging the vector field ---------------------------------------------------------

def _check_real(xs: Sequence[Any]) -> None:
  if any(get_aval(x).dtype.kind == "c" for x in xs):
    raise TypeError("odeint does not support complex values (in y0, t, the arguments or what "
                    "func closes over); integrate the real and imaginary parts as separate "
                    "real states")


def _solve(fun: Callable, y, t, params: Sequence[Any], opts: dict, batch_ndim: int):
  """``odeint_p`` of ``fun(y, t, *params) -> dy`` (arrays; ``y`` has ``batch_ndim``
  leading batch axes), staged here: what ``fun`` closes over becomes operands."""
  y_aval = get_aval(y)
  avals = [y_aval, ShapedArray(y_aval.shape[:batch_ndim], get_aval(t).dtype)] + [
      get_aval(p) for p in params]
  in_tree = tree_flatten(tuple(range(len(avals))))[1]

  def flat(*xs):
    out = fun(*xs)
    if get_aval(out).shape != avals[0].shape:
      raise TypeError(f"odeint: func must return the derivative with the shape of y "
                      f"{avals[0].shape}, got {get_aval(out).shape}")
    return ew.convert_element_type(out, avals[0].dtype)
  _check_real([y, t, *params])
  jaxpr, consts, _ = stage_function(flat, in_tree, avals, "odeint func")
  _check_real(consts)
  return odeint_p.bind(*consts, y, t, *params, jaxpr=jaxpr, num_consts=len(consts),
                       batch_ndim=batch_ndim, **opts)


def _field(jaxpr, nc: int):
  """The staged vector field as a function ``f(y, t, params)``, params = consts + args."""
  def f(y, t, params):
    return eval_jaxpr(jaxpr, [], [*params[:nc], y, t, *params[nc:]])[0]
  return f


def _ravel(leaves: Sequence[Any], k: int):
  """One array ``(batch..., n)`` of leaves that share ``k`` leading batch axes, and the inverse."""
  avals = [get_aval(x) for x in leaves]
  batch = avals[0].shape[:k]
  dtype = np.result_type(*[a.dtype for a in avals])
  sizes = [int(np.prod(a.shape[k:], dtype=np.int64)) for a in avals]
  flat = shapes.concatenate([ew.convert_element_type(shapes.reshape(x, batch + (s,)), dtype)
                          for x, s in zip(leaves, sizes)], k)

  def unravel(v):
    lead = get_aval(v).shape[:-1]
    out, start = [], 0
    for a, s in zip(avals, sizes):
      piece = shapes.slice_in_dim(v, start, start + s, axis=len(lead))
      out.append(ew.convert_element_type(shapes.reshape(piece, lead + a.shape[k:]), a.dtype))
      start += s
    return out
  return flat, unravel


# -- differentiation: the adjoint method ---------------------------------------------

def _odeint_jvp(primals, tangents, **params):
  ys = odeint_p.bind(*primals, **params)
  diff = tuple(type(t) is not Zero and is_float(get_aval(p).dtype)
               for p, t in zip(primals, tangents))
  if not any(diff):
    return ys, Zero(get_aval(ys))
  tangents = [instantiate(t) for t in tangents]
  nc, k = params["num_consts"], params["batch_ndim"]
  if k and diff[nc + 1]:  # the tangent of the shared times, one per member: (T, batch...)
    T, batch = get_aval(primals[nc + 1]).shape[0], get_aval(primals[nc]).shape[:k]
    tangents[nc + 1] = shapes.broadcast_in_dim(tangents[nc + 1], (T,) + batch, (0,))
  lin = odeint_adjoint_p.bind(*primals, ys, *[t for t, d in zip(tangents, diff) if d],
                              diff=diff, **params)
  return ys, lin


_NO_FORWARD = ("forward-mode differentiation of odeint's tangent map with respect to the "
               "solution point (jvp of jvp) is not supported; use reverse mode (grad, jacrev) "
               "for higher derivatives")


def _adjoint_impl(*operands, diff, jaxpr, num_consts, rtol, atol, mxstep, hmax, batch_ndim):
  """Forward mode: the tangent-linear (forward sensitivity) system solved with the state,
  ``ds/dt = J_y f s + J_p f dp``, from ``s(t0) = dy0 - f(y0, t0) dt0``; a moved output
  time ``t_i`` adds ``f(y(t_i), t_i) dt_i``."""
  m, nc = len(diff), num_consts
  primals, ys, given = operands[:m], np.asarray(operands[m]), operands[m + 1:]
  if all(not np.any(t) for t in given):
    return np.zeros(ys.shape, ys.dtype)
  it = iter(given)
  tangents = [next(it) if d else None for d in diff]
  y0, ts = np.asarray(primals[nc]), np.asarray(primals[nc + 1])
  k = batch_ndim
  batch, n = y0.shape[:k], int(np.prod(y0.shape[k:], dtype=np.int64))
  field_in = [*primals[:nc], None, None, *primals[nc + 2:]]
  field_t = [Zero.like(p) if t is None else t for p, t in zip(primals, tangents)]

  def field_jvp(y, t, s):
    ins, tans = list(field_in), list(field_t)
    ins[nc], ins[nc + 1], tans[nc], tans[nc + 1] = y, t, s, Zero.like(t)
    (f,), (f_dot,) = jvp_flat(lambda *xs: [eval_jaxpr(jaxpr, [], list(xs))[0]], ins, tans)
    return np.asarray(f), np.asarray(f_dot)

  def field(y, t):
    return np.asarray(eval_jaxpr(jaxpr, [], [*field_in[:nc], y, t, *field_in[nc + 2:]])[0])

  def member_times(t):
    return np.broadcast_to(np.asarray(t, ts.dtype), batch)

  def per_member(dt):  # a tangent of one output time, one per member: (batch...)
    return np.asarray(dt, y0.dtype).reshape(batch + (1,) * (y0.ndim - k))
  dy0 = tangents[nc]
  s0 = np.zeros(y0.shape, y0.dtype) if dy0 is None else np.asarray(dy0, y0.dtype)
  dts = tangents[nc + 1]  # (T, batch...): each member moves its own times
  if dts is not None:
    s0 = s0 - field(y0, member_times(ts[0])) * per_member(dts[0])

  def aug(state, t):
    y, s = state[..., :n].reshape(y0.shape), state[..., n:].reshape(y0.shape)
    f, f_dot = field_jvp(y, t, s)
    return np.concatenate([f.reshape(batch + (n,)), f_dot.reshape(batch + (n,))], -1)
  state0 = np.concatenate([y0.reshape(batch + (n,)), s0.reshape(batch + (n,))], -1)
  out = _solve_numpy(aug, state0, ts, rtol, atol, mxstep, hmax, k)
  ys_dot = out[..., n:].reshape(ys.shape)
  if dts is not None:
    for i in range(ts.shape[0]):
      ys_dot[i] += field(ys[i], member_times(ts[i])) * per_member(dts[i])
  return ys_dot


def _adjoint_abstract_eval(*avals, diff, **params):
  return avals[len(diff)]


def _adjoint_jvp(primals, tangents, *, diff, **params):
  n = len(diff) + 1
  if any(type(t) is not Zero for t in tangents[:n]):
    raise TypeError(_NO_FORWARD)
  outs = odeint_adjoint_p.bind(*primals, diff=diff, **params)
  return outs, odeint_adjoint_p.bind(*primals[:n], *[instantiate(t) for t in tangents[n:]],
                                     diff=diff, **params)


def _adjoint_transpose(ct, *operands, diff, jaxpr, num_consts, batch_ndim, **opts):
  """JAX's ``_odeint_rev``: the augmented system solved backwards between output times."""
  m = len(diff)
  nc, k = num_consts, batch_ndim
  primals = operands[:m]
  y0, ts, ys = primals[nc], primals[nc + 1], operands[m]
  params = list(primals[:nc]) + list(primals[nc + 2:])
  pdiff = list(diff[:nc]) + list(diff[nc + 2:])
  if type(ct) is Zero:
    return [None] * (m + 1) + [None] * sum(diff)
  g = ct
  f = _field(jaxpr, nc)
  float_params = [p for p, d in zip(params, pdiff) if d]

  def with_float(fp):
    it = iter(fp)
    return [next(it) if d else p for p, d in zip(params, pdiff)]

  batch = get_aval(y0).shape[:k]
  tdtype = get_aval(ts).dtype
  zeros_t = shapes.full(batch, 0, tdtype)
  zero_bars = [shapes.full(get_aval(p).shape, 0, get_aval(p).dtype) for p in float_params]
  _, unravel = _ravel([y0, y0, zeros_t] + zero_bars, k)

  def aug_dynamics(state, t, *fp):
    y, y_bar, _, *_ = unravel(state)
    tau = ew.neg(t)
    ps = with_float(list(fp))

    def field(y, *fp2):
      return [f(y, tau, with_float(list(fp2)))]
    (y_dot,), pullback = vjp_flat(field, [y, *fp])
    y_bar_dot, *p_bar_dot = pullback([y_bar])
    ones = np.ones(get_aval(tau).shape, get_aval(tau).dtype)
    _, (f_t,) = jvp_flat(lambda tt: [f(y, tt, ps)], [tau], [ones])
    t_bar_dot = reductions.reduce_sum(ew.mul(f_t, y_bar), tuple(range(k, get_aval(y).ndim)))
    return _ravel([ew.neg(y_dot), y_bar_dot, ew.convert_element_type(t_bar_dot, tdtype),
                   *[instantiate(p) for p in p_bar_dot]], k)[0]

  def step(carry, x):
    y_bar, t0_bar, p_bar = carry
    y_i, g_i, g_prev, t_i, t_prev = x
    t_member = shapes.broadcast_in_dim(t_i, batch, ()) if k else t_i
    t_bar = reductions.reduce_sum(ew.mul(f(y_i, t_member, params), g_i),
                           tuple(range(k, get_aval(y_i).ndim)))
    t_bar = ew.convert_element_type(t_bar, tdtype)
    t0_bar = ew.sub(t0_bar, t_bar)
    state, _ = _ravel([y_i, y_bar, t0_bar, *p_bar], k)
    span = shapes.concatenate([shapes.reshape(ew.neg(t_i), (1,)), shapes.reshape(ew.neg(t_prev), (1,))], 0)
    out = _solve(aug_dynamics, state, span, float_params, opts, k)
    _, y_bar, t0_bar, *p_bar = unravel(shapes.squeeze(shapes.slice_in_dim(out, 1, 2, axis=0), (0,)))
    return (ew.add(y_bar, g_prev), t0_bar, p_bar), t_bar

  T = get_aval(ts).shape[0]
  g_last = shapes.squeeze(shapes.slice_in_dim(g, T - 1, T, axis=0), (0,))
  carry = (g_last, zeros_t, zero_bars)
  if T > 1:
    rev = lambda x, lo, hi: shapes.rev(shapes.slice_in_dim(x, lo, hi, axis=0), (0,))  # noqa: E731
    xs = (rev(ys, 1, T), rev(g, 1, T), rev(g, 0, T - 1), rev(ts, 1, T), rev(ts, 0, T - 1))
    carry, rev_ts_bar = scan(step, carry, xs)
    y_bar, t0_bar, p_bar = carry
    ts_bar = shapes.concatenate([shapes.expand_dims(t0_bar, (0,)), shapes.rev(rev_ts_bar, (0,))], 0)
  else:
    y_bar, t0_bar, p_bar = carry
    ts_bar = shapes.expand_dims(t0_bar, (0,))
  # ts_bar is (T, batch...): the tangent of t has one per member (see _adjoint_batch)
  p_it = iter(p_bar)
  bars = [next(p_it) if d else None for d in pdiff]
  by_operand = bars[:nc] + [y_bar, ts_bar] + bars[nc:]
  cts = [b for b, d in zip(by_operand, diff) if d]
  lin = operands[m + 1:]
  return [None] * (m + 1) + [c if is_undef(x) else None for c, x in zip(cts, lin)]


# -- batching: the batch folded into the state ------------------------------------------

def _member(x, d, b):
  return x if d is None else shapes.squeeze(shapes.slice_in_dim(x, b, b + 1, axis=d), (d,))


def _odeint_batch(vals, dims, *, jaxpr, num_consts, batch_ndim, **opts):
  nc = num_consts
  size = batch_size(vals, dims)
  params = dict(jaxpr=jaxpr, num_consts=nc, batch_ndim=batch_ndim, **opts)
  if dims[nc + 1] is not None:  # each member its own times: one solve per member
    outs = [odeint_p.bind(*[_member(x, d, b) for x, d in zip(vals, dims)], **params)
            for b in range(size)]
    return shapes.concatenate([shapes.expand_dims(o, (0,)) for o in outs], 0), 0
  vals = [x if i == nc + 1 else to_front(x, d, size, True)
          for i, (x, d) in enumerate(zip(vals, dims))]
  in_dims = [0] * len(vals)  # the field's time input is per member too
  new, new_consts = batch_jaxpr(jaxpr, size, in_dims)
  out = odeint_p.bind(*new_consts, *vals, jaxpr=hoist_consts(new),
                      num_consts=len(new_consts) + nc, batch_ndim=batch_ndim + 1, **opts)
  return out, 1


def _adjoint_batch(vals, dims, *, diff, jaxpr, num_consts, batch_ndim, **opts):
  """Folded like odeint's batch; the tangent of t gets the batch axis after time, as ys:
  the members share the time grid, but each moves its times by its own tangent."""
  m, nc = len(diff), num_consts
  if dims[nc + 1] is not None:
    raise NotImplementedError("vmap of the derivative of odeint over the time grid t is not "
                              "supported; vmap over y0 and the arguments, or loop over the grids")
  lin_t = [i for i, d in enumerate(diff) if d]
  after_time = {m} | {m + 1 + j for j, i in enumerate(lin_t) if i == nc + 1}
  size = batch_size(vals, dims)
  new_vals = []
  for i, (x, d) in enumerate(zip(vals, dims)):
    if i == nc + 1:
      new_vals.append(x)
    elif i in after_time:  # ys and the tangent of t: (T, batch..., ...), new axis after time
      new_vals.append(shapes.moveaxis(to_front(x, d, size, True), 0, 1))
    else:
      new_vals.append(to_front(x, d, size, True))
  new, new_consts = batch_jaxpr(jaxpr, size, [0] * m)
  nn = len(new_consts)
  out = odeint_adjoint_p.bind(*new_consts, *new_vals, diff=(False,) * nn + tuple(diff),
                              jaxpr=hoist_consts(new), num_consts=nn + nc,
                              batch_ndim=batch_ndim + 1, **opts)
  return out, 1


odeint_p = Primitive("odeint", impl=_odeint_impl, abstract_eval=_odeint_abstract_eval)
odeint_p.def_jvp(_odeint_jvp, symbolic_zeros=True)
odeint_p.def_batching(_odeint_batch)

# odeint_adjoint(*operands, ys, *tangents): the tangent of an odeint solve, linear in the
# tangents of the operands marked in ``diff``; reverse mode transposes it (the adjoint).
odeint_adjoint_p = Primitive("odeint_adjoint", impl=_adjoint_impl,
                             abstract_eval=_adjoint_abstract_eval)
odeint_adjoint_p.def_jvp(_adjoint_jvp, symbolic_zeros=True)
odeint_adjoint_p.def_transpose(_adjoint_transpose)
odeint_adjoint_p.def_batching(_adjoint_batch)


