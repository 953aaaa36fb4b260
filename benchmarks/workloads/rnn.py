"""100-step RNN unrolled in a Python loop, gradient wrt (W, U, b).

Many small ops on a long tape: h = tanh(W h + U x_t + b), hidden 64, input 32,
loss = sum(h_T²). Shows per-op overhead on a deep graph, and for jit the cost
of tracing and compiling an unrolled loop (in the first-call column).
"""

import numpy as np

from benchmarks import peers
from benchmarks.workloads._builders import implementations

NAME = "rnn"
MEASURE_MEMORY = False

FULL = {"steps": 100, "hidden": 64, "inputs": 32}
QUICK = {"steps": 5, "hidden": 8, "inputs": 4}


def make_data(quick):
    """Parameters scaled so h neither saturates nor vanishes over 100 steps."""
    shape = QUICK if quick else FULL
    steps, hidden, inputs = shape["steps"], shape["hidden"], shape["inputs"]
    rng = np.random.default_rng(3)
    params = (
        0.9 * rng.normal(size=(hidden, hidden)) / np.sqrt(hidden),
        rng.normal(size=(hidden, inputs)) / np.sqrt(inputs),
        0.1 * rng.normal(size=hidden),
    )
    return {
        "params": params,
        "xs": [rng.normal(size=inputs) for _ in range(steps)],
        "h0": np.zeros(hidden),
    }


def loss(params, xs, h0, m):
    """Unrolled recurrence; ``m`` is numpy, jax.numpy, autograd.numpy, torch
    or vjpkit.numpy. The inputs xs and h0 are constants (not differentiated),
    as arrays of the same kind as the params for torch, NumPy otherwise."""
    w, u, b = params
    h = h0
    for x in xs:
        h = m.tanh(w @ h + u @ x + b)
    return m.sum(h * h)


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_grad(params, xs, h0):
    """Forward keeping every h_t, then backpropagation through time."""
    w, u, b = params
    hs = [h0]
    for x in xs:
        hs.append(np.tanh(w @ hs[-1] + u @ x + b))
    value = np.sum(hs[-1] * hs[-1])
    dw, du, db = np.zeros_like(w), np.zeros_like(u), np.zeros_like(b)
    dh = 2 * hs[-1]
    for t in range(len(xs) - 1, -1, -1):
        da = dh * (1 - hs[t + 1] * hs[t + 1])  # through tanh
        dw += np.outer(da, hs[t])
        du += np.outer(da, xs[t])
        db += da
        dh = w.T @ da
    return value, (dw, du, db)


def build_numpy(data):
    params, xs, h0 = data["params"], data["xs"], data["h0"]
    return lambda: numpy_value_and_grad(params, xs, h0)[1]


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    xs, h0 = data["xs"], data["h0"]
    grad = autograd.grad(lambda p: loss(p, xs, h0, anp))
    params = data["params"]
    return lambda: grad(params)


def _jax_grad(jax, jnp, data):
    xs = [jnp.asarray(x) for x in data["xs"]]
    h0 = jnp.asarray(data["h0"])
    params = tuple(jnp.asarray(p) for p in data["params"])
    return jax.grad(lambda p: loss(p, xs, h0, jnp)), params


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    grad, params = _jax_grad(jax, jnp, data)
    grad = peers.jax_blocking(grad)
    return lambda: grad(params)


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    grad, params = _jax_grad(jax, jnp, data)
    grad = peers.jax_blocking(jax.jit(grad))
    return lambda: grad(params)


def build_torch_eager(data):
    torch = peers.load_torch()
    params = tuple(peers.torch_f64(torch, p, True) for p in data["params"])
    xs = [peers.torch_f64(torch, x) for x in data["xs"]]
    h0 = peers.torch_f64(torch, data["h0"])
    return lambda: torch.autograd.grad(loss(params, xs, h0, torch), params)


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    xs, h0 = data["xs"], data["h0"]
    grad = vjpkit.grad(lambda p: loss(p, xs, h0, vnp))
    params = data["params"]
    return lambda: grad(params)


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    xs, h0 = data["xs"], data["h0"]
    grad = vjpkit.jit(vjpkit.grad(lambda p: loss(p, xs, h0, vnp)))
    params = data["params"]
    return lambda: grad(params)


IMPLEMENTATIONS = implementations(globals())
