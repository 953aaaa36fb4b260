"""Tiny scalar chain: per-call overhead of taking a gradient.

About a dozen scalar operations, so the arithmetic is negligible and the time
is what each framework spends on tracing, dispatch and bookkeeping.
"""

import numpy as np

from benchmarks.workloads._builders import gradient_of_x

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


IMPLEMENTATIONS = gradient_of_x(forward, numpy_value_and_grad)
# the same jitted gradient, run with vjpkit.config.jit_scalar_libm on (benchmarks.harness)
IMPLEMENTATIONS["vjpkit jit libm"] = IMPLEMENTATIONS["vjpkit jit"]
