"""Hessian-vector product on R^100, forward-over-reverse.

The building block of Newton-CG and curvature estimates: a jvp of a grad. It
exercises differentiating through the backward pass itself, on arrays small
enough that overhead still matters.
"""

import numpy as np

from benchmarks import peers
from benchmarks.workloads._builders import implementations

NAME = "hvp"
MEASURE_MEMORY = False


def make_data(quick):
    n = 8 if quick else 100
    rng = np.random.default_rng(2)
    return {
        "a": rng.normal(size=(n, n)) / np.sqrt(n),
        "x": rng.normal(size=n),
        "v": rng.normal(size=n),
    }


def forward(a, x, m):
    """f(x) = sum(tanh(A x)) + ½ x·x with a fixed A; ``m`` is numpy,
    jax.numpy, autograd.numpy or vjpkit.numpy (A is a plain NumPy array)."""
    return m.sum(m.tanh(m.dot(a, x))) + 0.5 * m.dot(x, x)


# --- hand-written NumPy forward + backward (the baseline) -------------------


def numpy_value_and_grad(a, x):
    """f and ∇f = Aᵀ(1 − tanh²(Ax)) + x."""
    t = np.tanh(a @ x)
    return np.sum(t) + 0.5 * (x @ x), a.T @ (1 - t * t) + x


def numpy_grad_and_hvp(a, x, v):
    """∇f and its directional derivative along v, by hand forward-over-reverse.

    Tangents (dotted) are pushed through the gradient computation:
    u = Ax, t = tanh(u), ∇f = Aᵀ(1 − t²) + x, so with u̇ = Av and
    ṫ = (1 − t²)u̇ the tangent of ∇f is Aᵀ(−2tṫ) + v.
    """
    t = np.tanh(a @ x)
    dt = 1 - t * t
    grad = a.T @ dt + x
    t_dot = dt * (a @ v)
    return grad, a.T @ (-2 * t * t_dot) + v


def build_numpy(data):
    a, x, v = data["a"], data["x"], data["v"]
    return lambda: numpy_grad_and_hvp(a, x, v)[1]


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    from autograd.differential_operators import make_jvp  # forward mode

    a, x, v = data["a"], data["x"], data["v"]
    grad = autograd.grad(lambda x: forward(a, x, anp))
    return lambda: make_jvp(grad)(x)(v)[1]


def _jax_hvp(jax, jnp, a):
    grad = jax.grad(lambda x: forward(a, x, jnp))
    return lambda x, v: jax.jvp(grad, (x,), (v,))[1]


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    a, x, v = (jnp.asarray(data[k]) for k in ("a", "x", "v"))
    hvp = peers.jax_blocking(_jax_hvp(jax, jnp, a))
    return lambda: hvp(x, v)


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    a, x, v = (jnp.asarray(data[k]) for k in ("a", "x", "v"))
    hvp = peers.jax_blocking(jax.jit(_jax_hvp(jax, jnp, a)))
    return lambda: hvp(x, v)


def build_torch_eager(data):
    torch = peers.load_torch()
    from torch.func import grad, jvp  # eager function transforms

    a, x, v = (peers.torch_f64(torch, data[k]) for k in ("a", "x", "v"))

    def f(x):
        return torch.sum(torch.tanh(a @ x)) + 0.5 * (x @ x)

    grad_f = grad(f)
    return lambda: jvp(grad_f, (x,), (v,))[1]


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def _vjpkit_hvp(vjpkit, vnp, a):
    grad = vjpkit.grad(lambda x: forward(a, x, vnp))
    return lambda x, v: vjpkit.jvp(grad, (x,), (v,))[1]


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    hvp = _vjpkit_hvp(vjpkit, vnp, data["a"])
    x, v = data["x"], data["v"]
    return lambda: hvp(x, v)


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    hvp = vjpkit.jit(_vjpkit_hvp(vjpkit, vnp, data["a"]))
    x, v = data["x"], data["v"]
    return lambda: hvp(x, v)


IMPLEMENTATIONS = implementations(globals())
