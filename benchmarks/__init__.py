"""Benchmarks: vjpkit against hand-written NumPy, autograd, JAX and PyTorch.

Run ``python -m benchmarks`` (or ``--quick``) from the repository root; see
README.md in this folder.
"""
