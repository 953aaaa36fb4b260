"""Elementwise function on 10^6 float64 values, gradient wrt all of them.

Memory-bound: shows the temporaries each framework keeps for the backward
pass (peak memory is reported) and whether it fuses anything.
"""

import numpy as np

from benchmarks.workloads._builders import gradient_of_x

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


IMPLEMENTATIONS = gradient_of_x(forward, numpy_value_and_grad)
