"""Elementwise function on 10^6 float64 values, gradient wrt all of them.

Memory-bound: shows the temporaries each framework keeps for the backward
pass (peak memory is reported) and whether it fuses anything.
"""

import numpy as np

from benchmarks import peers

NAME = "elementwise"
MEASURE_MEMORY = True


def make_data(quick):
    size = 1_000 if quick else 1_000_000
    return {"x": np.random.default_rng(1).normal(size=size)}


def forward(x, m):
    """sum(sin(x)·exp(−x²) + tanh(x)); ``m`` is any of the array namespaces."""
    return m.sum(m.sin(x) * m.exp(-(x * x)) + m.tanh(x))


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_grad(x):
    """Forward keeping sin, exp and tanh; backward
    d/dx = (cos(x) − 2x·sin(x))·exp(−x²) + 1 − tanh²(x)."""
    s = np.sin(x)
    e = np.exp(-(x * x))
    t = np.tanh(x)
    value = np.sum(s * e + t)
    return value, (np.cos(x) - 2 * x * s) * e + (1 - t * t)


def build_numpy(data):
    x = data["x"]
    return lambda: numpy_value_and_grad(x)[1]


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    grad = autograd.grad(lambda x: forward(x, anp))
    x = data["x"]
    return lambda: grad(x)


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    grad = peers.jax_blocking(jax.grad(lambda x: forward(x, jnp)))
    x = jnp.asarray(data["x"])
    return lambda: grad(x)


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    grad = peers.jax_blocking(jax.jit(jax.grad(lambda x: forward(x, jnp))))
    x = jnp.asarray(data["x"])
    return lambda: grad(x)


def build_torch_eager(data):
    torch = peers.load_torch()
    x = peers.torch_f64(torch, data["x"], requires_grad=True)

    def step():
        (dx,) = torch.autograd.grad(forward(x, torch), x)
        return dx

    return step


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    grad = vjpkit.grad(lambda x: forward(x, vnp))
    x = data["x"]
    return lambda: grad(x)


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    grad = vjpkit.jit(vjpkit.grad(lambda x: forward(x, vnp)))
    x = data["x"]
    return lambda: grad(x)


IMPLEMENTATIONS = {
    "numpy": build_numpy,
    "autograd": build_autograd,
    "jax eager": build_jax_eager,
    "jax jit": build_jax_jit,
    "torch eager": build_torch_eager,
    "vjpkit eager": build_vjpkit_eager,
    "vjpkit jit": build_vjpkit_jit,
}
