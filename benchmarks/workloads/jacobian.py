"""Dense 50x50 Jacobian of F(x) = tanh(A x) ⊙ x, R^50 -> R^50.

A full Jacobian is 50 vjps (reverse) or 50 jvps (forward): it shows whether a
framework batches them (vmap) or loops in Python. Every framework uses its
reverse-mode Jacobian (jacrev / autograd.jacobian) so they do the same job.
"""

import numpy as np

from benchmarks import peers
from benchmarks.workloads._builders import implementations

NAME = "jacobian"
MEASURE_MEMORY = False


def make_data(quick):
    n = 5 if quick else 50
    rng = np.random.default_rng(4)
    return {"a": rng.normal(size=(n, n)) / np.sqrt(n), "x": rng.normal(size=n)}


def forward(a, x, m):
    """F(x) = tanh(A x) ⊙ x; ``m`` is numpy, jax.numpy, autograd.numpy or
    vjpkit.numpy (A is a plain NumPy array)."""
    return m.tanh(m.dot(a, x)) * x


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_jacobian(a, x):
    """F and J_ij = (1 − t_i²)·A_ij·x_i + t_i·δ_ij with t = tanh(Ax)."""
    t = np.tanh(a @ x)
    jac = ((1 - t * t) * x)[:, None] * a
    jac[np.diag_indices_from(jac)] += t
    return t * x, jac


def build_numpy(data):
    a, x = data["a"], data["x"]
    return lambda: numpy_value_and_jacobian(a, x)[1]


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    a, x = data["a"], data["x"]
    jac = autograd.jacobian(lambda x: forward(a, x, anp))
    return lambda: jac(x)


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    a, x = jnp.asarray(data["a"]), jnp.asarray(data["x"])
    jac = peers.jax_blocking(jax.jacrev(lambda x: forward(a, x, jnp)))
    return lambda: jac(x)


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    a, x = jnp.asarray(data["a"]), jnp.asarray(data["x"])
    jac = peers.jax_blocking(jax.jit(jax.jacrev(lambda x: forward(a, x, jnp))))
    return lambda: jac(x)


def build_torch_eager(data):
    torch = peers.load_torch()
    from torch.func import jacrev  # vmap over vjps, eager

    a, x = peers.torch_f64(torch, data["a"]), peers.torch_f64(torch, data["x"])
    jac = jacrev(lambda x: torch.tanh(a @ x) * x)
    return lambda: jac(x)


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    a, x = data["a"], data["x"]
    jac = vjpkit.jacrev(lambda x: forward(a, x, vnp))
    return lambda: jac(x)


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    a, x = data["a"], data["x"]
    jac = vjpkit.jit(vjpkit.jacrev(lambda x: forward(a, x, vnp)))
    return lambda: jac(x)


IMPLEMENTATIONS = implementations(globals())
