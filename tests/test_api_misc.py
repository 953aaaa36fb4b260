"""Top-level conveniences: eval_shape, disable_jit, debug.print/callback (eagerly, under
jit, grad and vmap), named_call, block_until_ready, device_get/put, typeof, vjpkit.tree."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp


def test_eval_shape():
  S = vjpkit.ShapeDtypeStruct
  out = vjpkit.eval_shape(lambda d, y: {"a": d["x"] @ d["x"].T, "b": y.sum()},
                          {"x": S((2, 3), np.float32)}, np.ones(4))
  assert out == {"a": S((2, 2), np.float32), "b": S((), np.float64)}
  calls = []
  vjpkit.eval_shape(lambda x: calls.append(type(x)) or x, np.ones(2))
  assert calls and calls[0] is not np.ndarray  # traced, not run on the data
  assert vjpkit.eval_shape(lambda x: vnp.zeros((x.shape[0], 5)), S((7,), np.int32)) == S((7, 5), np.float64)


def test_disable_jit():
  seen = []
  f = vjpkit.jit(lambda x: seen.append(type(x)) or x * 2)
  with vjpkit.disable_jit():
    assert f(np.ones(2)).tolist() == [2.0, 2.0]
    with vjpkit.disable_jit(False):
      f(np.ones(3))
  f(np.ones(4))
  assert seen[0] is np.ndarray and seen[1] is not np.ndarray and seen[2] is not np.ndarray


def test_debug_print_everywhere(capsys):
  def f(x):
    vjpkit.debug.print("x={x} s={}", vnp.sum(x), x=x)
    return vnp.sum(vnp.sin(x))
  x = np.arange(2.0)
  f(x)
  vjpkit.jit(f)(x)
  vjpkit.grad(f)(x)
  vjpkit.jit(vjpkit.grad(f))(x + 1)
  vjpkit.vmap(f)(np.arange(4.0).reshape(2, 2))
  out = capsys.readouterr().out.splitlines()
  assert out == ["x=[0. 1.] s=1.0"] * 3 + ["x=[1. 2.] s=3.0", "x=[0. 1.] s=1.0", "x=[2. 3.] s=5.0"]
  jaxpr = str(vjpkit.make_jaxpr(vjpkit.jit(f))(x))
  assert "debug_callback" in jaxpr  # an effect: dead-code elimination keeps it
  got = []
  vjpkit.jit(lambda t: vjpkit.debug.callback(lambda a, b: got.append((a, b)), t, "tag") or t)(2.0)
  assert got == [(2.0, "tag")]


def test_small_functions():
  inc = vjpkit.named_call(lambda x: x + 1, name="inc")
  assert inc.__name__ == "inc" and vjpkit.grad(inc)(1.0) == 1.0
  x = [np.ones(2)]
  assert vjpkit.block_until_ready(x) is x
  assert vjpkit.device_get({"a": 1.0}) == {"a": 1.0}
  assert isinstance(vjpkit.device_put([1.0])[0], np.ndarray)
  with pytest.raises(ValueError, match="host"):
    vjpkit.device_put(1.0, device="gpu")
  assert vjpkit.typeof(np.ones((2, 3), np.float32)).shape == (2, 3)
  assert vjpkit.tree.leaves({"b": 1, "a": 2}) == [2, 1]
