"""Running a function on NumPy, array-api-strict and Dask, and comparing with NumPy."""
import contextlib

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp

BACKENDS = ["numpy", "array_api_strict", "dask"]


def require(backend):
  """The backend's module, or skip the test when it is not installed."""
  if backend == "numpy":
    return np
  if backend == "dask":
    pytest.importorskip("array_api_compat", reason="array-api-compat is needed for Dask")
    return pytest.importorskip("dask.array")
  return pytest.importorskip(backend)


def to_backend(backend, x, chunks=None):
  """A NumPy value as an array of ``backend``; Dask arrays get small chunks (axis 0 split
  in about three) unless ``chunks`` is given."""
  mod = require(backend)
  x = np.asarray(x)
  if backend == "numpy":
    return x
  if backend == "dask":
    if chunks is None:
      chunks = tuple(max(1, -(-n // 3)) if i == 0 else max(n, 1) for i, n in enumerate(x.shape))
    return mod.from_array(x, chunks=chunks)
  return mod.asarray(x)


def to_numpy(x):
  if hasattr(x, "compute"):
    x = x.compute()
  if type(x).__module__.startswith("array_api_strict"):
    return np.from_dlpack(x)
  return np.asarray(x)


def is_backend_array(backend, x) -> bool:
  return type(x).__module__.split(".")[0] == ("numpy" if backend == "numpy" else backend)


@contextlib.contextmanager
def no_compute(backend):
  """Dask: fail if anything is computed inside the block (building must be lazy)."""
  if backend != "dask":
    yield
    return
  import dask

  starts = []

  class Count(dask.callbacks.Callback):
    def _start(self, dsk):
      starts.append(len(dsk))
  with Count():
    yield
  assert not starts, f"{len(starts)} compute(s) were triggered while building the graph"


def assert_close(got, expected, rtol=1e-11, atol=1e-12):
  got_leaves, expected_leaves = vjpkit.tree_util.tree_leaves(got), vjpkit.tree_util.tree_leaves(expected)
  assert len(got_leaves) == len(expected_leaves)
  for g, e in zip(got_leaves, expected_leaves):
    g = to_numpy(g)
    e = np.asarray(e)
    assert g.shape == e.shape, (g.shape, e.shape)
    assert g.dtype == e.dtype, (g.dtype, e.dtype)
    np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def check(backend, f, *args, grad=True, chunks=None, rtol=1e-11, atol=1e-12):
  """``jit(f)`` (and ``grad`` of a scalar function of its result w.r.t. the first
  argument) on ``backend`` equals NumPy's; results are arrays of ``backend``."""
  per_arg = chunks if isinstance(chunks, list) else [chunks] * len(args)
  converted = [to_backend(backend, a, c) for a, c in zip(args, per_arg)]
  expected = f(*args)
  with no_compute(backend):
    got = vjpkit.jit(f)(*converted)
  for leaf in vjpkit.tree_util.tree_leaves(got):
    assert is_backend_array(backend, leaf), type(leaf)
  assert_close(got, expected, rtol, atol)
  if grad:
    def scalar(x, *rest):
      return vnp.sum(vnp.sin(f(x, *rest)))
    expected_g = vjpkit.grad(scalar)(*args)
    with no_compute(backend):
      got_g = vjpkit.grad(scalar)(*converted)
    assert is_backend_array(backend, got_g), type(got_g)
    assert_close(got_g, expected_g, rtol, atol)
