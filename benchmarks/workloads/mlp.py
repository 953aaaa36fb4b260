"""MLP 784-256-256-10, batch 128, tanh hidden layers, softmax cross-entropy.

The typical training step: a few large matmuls dominate, so this shows the
cost of the framework around BLAS rather than per-op overhead. The gradient is
a pytree: a list of (W, b) tuples.
"""

import numpy as np

from benchmarks import peers
from benchmarks.workloads._builders import implementations

NAME = "mlp"
MEASURE_MEMORY = True

FULL = {"sizes": (784, 256, 256, 10), "batch": 128}
QUICK = {"sizes": (20, 16, 16, 5), "batch": 8}


def make_data(quick):
    """Random inputs, one-hot labels and 1/sqrt(fan-in) scaled parameters."""
    shape = QUICK if quick else FULL
    sizes, batch = shape["sizes"], shape["batch"]
    rng = np.random.default_rng(0)
    params = [
        (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), 0.1 * rng.normal(size=n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]
    x = rng.normal(size=(batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=batch)
    # One-hot labels keep the loss to sums and products: no integer indexing.
    y = np.eye(sizes[-1])[labels]
    return {"params": params, "x": x, "y": y}


def loss(params, x, y, m):
    """Mean softmax cross-entropy; ``m`` is numpy, jax.numpy, autograd.numpy
    or vjpkit.numpy.

    NumPy constants (x, y) only ever appear as arguments of ``m`` functions or
    as right operands: with a NumPy array on the left, NumPy's own operator
    would get the traced value first. Hence ``m.dot(x, W)`` rather than
    ``x @ W`` and ``(z - log_norm) * y``.
    """
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = m.tanh(m.dot(x, w1) + b1)
    h2 = m.tanh(h1 @ w2 + b2)
    z = h2 @ w3 + b3
    z_max = m.max(z, axis=1, keepdims=True)
    log_norm = m.log(m.sum(m.exp(z - z_max), axis=1, keepdims=True)) + z_max
    return -m.sum((z - log_norm) * y) / x.shape[0]


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_grad(params, x, y):
    """Forward, then backpropagation written out; the gradient is a list of
    (dW, db) like the params."""
    (w1, b1), (w2, b2), (w3, b3) = params
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    z = h2 @ w3 + b3
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    norm = e.sum(axis=1, keepdims=True)
    value = -np.sum(y * (z - np.log(norm))) / x.shape[0]
    dz = (e / norm - y) / x.shape[0]  # softmax minus one-hot, batch mean
    da2 = (dz @ w3.T) * (1 - h2 * h2)
    da1 = (da2 @ w2.T) * (1 - h1 * h1)
    return value, [
        (x.T @ da1, da1.sum(axis=0)),
        (h1.T @ da2, da2.sum(axis=0)),
        (h2.T @ dz, dz.sum(axis=0)),
    ]


def build_numpy(data):
    params, x, y = data["params"], data["x"], data["y"]
    return lambda: numpy_value_and_grad(params, x, y)[1]


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    grad = autograd.grad(lambda p: loss(p, data["x"], data["y"], anp))
    params = data["params"]
    return lambda: grad(params)


def _jax_inputs(jnp, data):
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in data["params"]]
    return params, jnp.asarray(data["x"]), jnp.asarray(data["y"])


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    params, x, y = _jax_inputs(jnp, data)
    grad = peers.jax_blocking(jax.grad(lambda p: loss(p, x, y, jnp)))
    return lambda: grad(params)


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    params, x, y = _jax_inputs(jnp, data)
    grad = peers.jax_blocking(jax.jit(jax.grad(lambda p: loss(p, x, y, jnp))))
    return lambda: grad(params)


def build_torch_eager(data):
    torch = peers.load_torch()
    params = [
        (peers.torch_f64(torch, w, True), peers.torch_f64(torch, b, True))
        for w, b in data["params"]
    ]
    x, y = peers.torch_f64(torch, data["x"]), peers.torch_f64(torch, data["y"])
    flat = [t for pair in params for t in pair]

    def step():
        (w1, b1), (w2, b2), (w3, b3) = params
        h1 = torch.tanh(x @ w1 + b1)
        h2 = torch.tanh(h1 @ w2 + b2)
        z = h2 @ w3 + b3
        value = -(y * torch.log_softmax(z, dim=1)).sum() / x.shape[0]
        g = torch.autograd.grad(value, flat)
        return [(g[0], g[1]), (g[2], g[3]), (g[4], g[5])]

    return step


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    grad = vjpkit.grad(lambda p: loss(p, data["x"], data["y"], vnp))
    params = data["params"]
    return lambda: grad(params)


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    x, y = data["x"], data["y"]
    grad = vjpkit.jit(vjpkit.grad(lambda p: loss(p, x, y, vnp)))
    params = data["params"]
    return lambda: grad(params)


IMPLEMENTATIONS = implementations(globals())
