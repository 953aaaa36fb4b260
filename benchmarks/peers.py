"""Lazy, configured imports of the frameworks being compared.

Every peer is optional: a loader raises ImportError when its framework is
missing, and the harness turns that into an "n/a" row instead of a crash.
Keeping the configuration here (float64 for JAX, CPU only) means no workload
can forget it.
"""

import os
import sys

# Set before anything can import jax: the comparison is CPU against CPU.
os.environ.setdefault("JAX_PLATFORMS", "cpu")


def load_autograd():
    """Return (autograd, autograd.numpy)."""
    import autograd
    import autograd.numpy as anp

    return autograd, anp


def load_jax():
    """Return (jax, jax.numpy) with 64-bit floats enabled, pinned to the CPU.

    The NumPy baseline runs on the CPU in float64, so JAX must too for the
    ratios to mean anything. XLA runs its CPU code on one thread (unless
    ``XLA_FLAGS`` says otherwise), as BLAS does here: its idle pool threads
    otherwise keep spinning on the cores the implementations timed after JAX use.
    """
    if "jax" not in sys.modules:
        os.environ.setdefault(
            "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        )
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    return jax, jnp


def load_torch():
    """Return torch (eager mode, float64 tensors are created by the workloads)."""
    import torch

    return torch


def load_vjpkit():
    """Return (vjpkit, vjpkit.numpy): the library under test.

    Imported from the working tree (the repository root is on sys.path when
    the suite runs as ``python -m benchmarks``), so no install is needed.
    """
    import vjpkit
    import vjpkit.numpy as vnp

    return vjpkit, vnp


def jax_blocking(fn):
    """Wrap a JAX callable so timing includes the work, not just the dispatch.

    JAX returns before its asynchronous computation has finished.
    """
    jax, _ = load_jax()

    def run(*args):
        return jax.block_until_ready(fn(*args))

    return run


def torch_f64(torch, array, requires_grad=False):
    """A float64 torch tensor holding the same values as a NumPy array."""
    return torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad)


def versions(frameworks=("autograd", "jax", "torch", "vjpkit")):
    """Versions of the given frameworks (those importable), for the header."""
    import platform

    import numpy

    found = {"python": platform.python_version(), "numpy": numpy.__version__}
    loaders = {
        "autograd": load_autograd,
        "jax": load_jax,
        "torch": load_torch,
        "vjpkit": load_vjpkit,
    }
    for name in frameworks:
        loader = loaders[name]
        try:
            loaded = loader()
        except Exception as exc:  # noqa: BLE001 - any failure means "not available"
            found[name] = f"n/a ({type(exc).__name__})"
        else:
            module = loaded[0] if isinstance(loaded, tuple) else loaded
            found[name] = getattr(module, "__version__", None) or _dist_version(name)
    return found


def _dist_version(name):
    """Installed distribution version, for modules without ``__version__``."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"
