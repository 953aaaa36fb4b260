"""Per-call overhead of a cached jitted function: vjpkit.jit next to jax.jit.

The function is tiny (``2x + 1`` on a float64 scalar), so the time is almost
all dispatch: looking up the compiled program for the argument signature,
calling it, and handing back the result. The same NumPy expression called as a
plain Python function is the floor.
"""

import numpy as np

from benchmarks import harness, peers


def tiny(x, m=None):
    return x * 2.0 + 1.0


def _python(x):
    return lambda: tiny(x)


def _vjpkit_jit(x):
    vjpkit, _ = peers.load_vjpkit()
    f = vjpkit.jit(tiny)
    return lambda: f(x)


def _jax_jit(x):
    jax, jnp = peers.load_jax()
    f = peers.jax_blocking(jax.jit(tiny))
    xj = jnp.asarray(x)
    return lambda: f(xj)


BUILDERS = {"python (no jit)": _python, "vjpkit jit": _vjpkit_jit, "jax jit": _jax_jit}


def measure(impls, min_time, repeats):
    """Rows of (implementation, median seconds per call or an n/a reason)."""
    x = np.float64(0.5)
    rows = []
    for name, build in BUILDERS.items():
        peer = name.split()[0]
        if peer not in ("python", "vjpkit") and not any(i.startswith(peer) for i in impls):
            continue
        try:
            fn = build(x)
            fn()
            rows.append((name, harness.median_time(fn, min_time, repeats)))
        except ImportError as exc:
            rows.append((name, f"n/a ({type(exc).__name__})"))
    return rows


def table(rows):
    lines = ["| implementation | time per call |", "|---|---:|"]
    for name, value in rows:
        cell = harness.format_seconds(value) if isinstance(value, float) else value
        lines.append(f"| {name} | {cell} |")
    return "\n".join(lines)
