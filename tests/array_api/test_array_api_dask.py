"""Dask: the gradient graph is built without computing, embeds no data, keeps the input
chunks, tree-reduces, and runs on a dask.distributed cluster."""
import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp

da = pytest.importorskip("dask.array")
pytest.importorskip("array_api_compat")
import dask  # noqa: E402

from array_api_testutil import no_compute  # noqa: E402


def loss(w, X, y):
  z = X @ w
  return vnp.sum(vnp.logaddexp(0.0, z) - y * z)


def data(n=4000, d=5, chunk=250):
  X = da.random.default_rng(0).normal(size=(n, d), chunks=(chunk, d))
  y = (da.random.default_rng(1).random(n, chunks=chunk) > 0.5).astype(np.float64)
  return X, y


def _numpy_arrays(obj, found):
  """Every NumPy array in a task (walking tuples, lists, dicts and task arguments)."""
  stack = [obj]
  while stack:
    o = stack.pop()
    if isinstance(o, np.ndarray):
      found.append(o)
    elif isinstance(o, (tuple, list)):
      stack.extend(o)
    elif isinstance(o, dict):
      stack.extend(o.values())
    else:
      for attr in ("args", "kwargs", "value"):
        v = getattr(o, attr, None)
        if isinstance(v, (tuple, list, dict, np.ndarray)):
          stack.append(v)
  return found


def test_gradient_graph_is_lazy_small_and_keeps_the_chunks():
  X, y = data()
  w = np.zeros(5)
  with no_compute("dask"):
    g = vjpkit.grad(loss)(w, X, y)
    v, g2 = vjpkit.value_and_grad(loss)(w, X, y)
  assert isinstance(g, da.Array) and isinstance(v, da.Array)
  graph = g.__dask_graph__()
  layers = list(graph.layers)
  assert not any(name.startswith("rechunk") for name in layers), layers
  assert any("partial" in name for name in layers), "the reduction over 16 chunks is a tree"
  arrays = []
  for task in dict(graph).values():
    _numpy_arrays(task, arrays)
  assert max((a.size for a in arrays), default=0) <= 5, sorted(a.size for a in arrays)[-3:]
  # the intermediates keep X's row chunks: the elementwise work is one task per chunk
  Xc, yc = X.compute(), y.compute()
  np.testing.assert_allclose(g.compute(), vjpkit.grad(loss)(w, Xc, yc), rtol=1e-12)
  np.testing.assert_allclose(g2.compute(), g.compute(), rtol=1e-12)


def test_the_unit_seed_stays_a_broadcast():
  X = da.ones((1000, 2), chunks=(100, 2))
  g = vjpkit.grad(lambda X: vnp.sum(X))(X)   # the gradient is the broadcast seed itself
  arrays = []
  for task in dict(g.__dask_graph__()).values():
    _numpy_arrays(task, arrays)
  assert max((a.size for a in arrays), default=0) <= 1
  np.testing.assert_array_equal(g.compute(), np.ones((1000, 2)))
  assert g.chunks == X.chunks  # chunked like the input it is the gradient of


def test_jit_keeps_the_chunks_of_elementwise_work():
  X, _ = data()
  out = vjpkit.jit(lambda X: vnp.tanh(X) * 2.0 + 1.0)(X)
  assert out.chunks == X.chunks


def test_gradient_on_a_local_cluster():
  distributed = pytest.importorskip("dask.distributed")
  X, y = data(n=2000, chunk=200)
  w = np.full(5, 0.1)
  with dask.config.set(scheduler="synchronous"):
    expected = vjpkit.grad(loss)(w, X.compute(), y.compute())
  with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                dashboard_address=None) as cluster, \
      distributed.Client(cluster) as client:
    X, y = client.persist([X, y])
    g = vjpkit.grad(loss)(w, X, y)
    got = g.compute()
  np.testing.assert_allclose(got, expected, rtol=1e-12)
