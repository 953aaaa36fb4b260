"""Tiny scalar chain: per-call overhead of taking a gradient.

About a dozen scalar operations, so the arithmetic is negligible and the time
is what each framework spends on tracing, dispatch and bookkeeping.
"""

import numpy as np

from benchmarks import peers

NAME = "scalar chain"
MEASURE_MEMORY = False


def make_data(quick):
    """The point x; the function is the same in both modes."""
    return {"x": np.float64(0.7)}


def forward(x, m):
    """f(x) = sin(x)·x + exp(x)/2 + tanh(x·x) − log(1 + x·x)·cos(x).

    ``m`` is the array namespace: numpy, jax.numpy, autograd.numpy, torch or
    vjpkit.numpy all provide sin, cos, exp, tanh and log.
    """
    xx = x * x
    return m.sin(x) * x + m.exp(x) / 2 + m.tanh(xx) - m.log(1 + xx) * m.cos(x)


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_grad(x):
    """Forward pass keeping intermediates, then the reverse sweep by hand."""
    s, c, e = np.sin(x), np.cos(x), np.exp(x)
    xx = x * x
    t = np.tanh(xx)
    lg = np.log(1 + xx)
    value = s * x + e / 2 + t - lg * c
    # Adjoints of each term of the sum (the output adjoint is 1).
    dx = s + c * x  # sin(x)·x
    dx = dx + e / 2  # exp(x)/2
    dxx = 1 - t * t  # tanh(xx)
    dxx = dxx - c / (1 + xx)  # −log(1 + xx)·cos(x), through log
    dx = dx + lg * s  # −log(1 + xx)·cos(x), through cos
    dx = dx + 2 * x * dxx  # xx = x·x
    return value, dx


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
