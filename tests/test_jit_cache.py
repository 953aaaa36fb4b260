"""jit's cache: cache_info/clear_cache, the LRU bound, explain_cache_misses, log_compiles."""
from __future__ import annotations

import logging

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.config import Config, config

from call_counting import counting


@pytest.fixture
def settings():
  """Set config values for one test; restored afterwards."""
  saved = dict(config._values)

  def update(**kw):
    for k, v in kw.items():
      config.update(k, v)
  yield update
  for k, v in saved.items():
    if config._values[k] != v:
      config.update(k, v)


def _messages(caplog):
  return [r.getMessage() for r in caplog.records if r.name == "vjpkit"]


# -- cache_info and clear_cache ------------------------------------------------------

def test_cache_info_counts_hits_misses_and_entries_on_every_path():
  f = vjpkit.jit(lambda x, y=1.0: x * y)
  info = f.cache_info()
  assert (info.hits, info.misses, info.currsize, info.entries) == (0, 0, 0, 0)
  assert info.maxsize == config.jit_cache_size
  f(np.ones(3))                  # miss
  f(np.ones(3))                  # hit: arrays
  f(np.float64(2.0))             # miss
  f(np.float64(3.0))             # hit: the array path, which installs the scalar path
  f(np.float64(4.0))             # hit: the scalar path
  f(np.array(2.0))               # hit: a 0-d array has the same signature
  f(2.0)                         # miss: a weak Python float
  f(3.0)                         # hit
  f(np.ones(3), y=np.ones(3))    # miss: keywords
  f(np.ones(3), y=np.ones(3))    # hit
  f.lower(np.ones(3))            # hit
  assert f.cache_info() == (7, 4, config.jit_cache_size, 4)


def test_clear_cache_forgets_everything_and_retraces():
  g, calls = counting(lambda x: vnp.sin(x))
  f = vjpkit.jit(g)
  f(1.0), f(1.0), f(np.ones(2))
  assert len(calls) == 2
  f.clear_cache()
  assert f.cache_info() == (0, 0, config.jit_cache_size, 0)
  assert f(1.0) == np.sin(1.0)
  assert len(calls) == 3
  assert f.cache_info().misses == 1


def test_results_are_unchanged_by_the_scalar_path():
  f = vjpkit.jit(lambda x, n: vnp.cos(x) ** 2 + n)
  for args in [(np.float64(0.3), 2), (np.float32(0.3), 2), (0.3, True), (np.int64(1), 1)]:
    first, second = f(*args), f(*args)   # traced, then cached (the fast path)
    assert type(first) is type(second) and first == second


# -- the bound -----------------------------------------------------------------------

def test_the_cache_is_lru_bounded_by_jit_cache_size(settings):
  settings(jit_cache_size=2)
  g, calls = counting(lambda x: x + 1.0)
  f = vjpkit.jit(g)
  a, b, c = np.ones(1), np.ones(2), np.ones(3)
  f(a), f(b), f(a), f(c)     # c evicts b, the least recently used
  assert len(calls) == 3 and f.cache_info().currsize == 2
  f(a)
  assert len(calls) == 3     # a was used recently: still cached
  f(b)
  assert len(calls) == 4     # b was dropped
  assert f.cache_info() == (2, 4, 2, 2)


def test_scalar_fast_path_hits_count_for_recency(settings):
  settings(jit_cache_size=2)
  g, calls = counting(lambda x: x * 2)
  f = vjpkit.jit(g)
  f(np.float64(1)), f(np.float64(1)), f(np.float32(1))
  f(np.float64(1))           # a fast-path hit: float64 becomes the most recent
  f(1.0)                     # evicts float32, not float64
  f(np.float64(1))
  assert len(calls) == 3
  f(np.float32(1))
  assert len(calls) == 4
  assert type(f(np.float32(1))) is np.float32


def test_shrinking_the_size_trims_existing_caches(settings):
  f = vjpkit.jit(lambda x: x)
  for n in range(5):
    f(np.ones(n))
  assert f.cache_info().currsize == 5
  settings(jit_cache_size=3)
  assert f.cache_info().currsize == 3


def test_size_zero_caches_nothing(settings):
  settings(jit_cache_size=0)
  g, calls = counting(lambda x: x * 3.0)
  f = vjpkit.jit(g)
  assert f(2.0) == 6.0 and f(2.0) == 6.0
  assert len(calls) == 2 and f.cache_info() == (0, 2, 0, 0)


def test_jit_cache_size_is_validated(monkeypatch):
  for bad in (-1, True, 2.0, "3"):
    with pytest.raises(TypeError, match="non-negative int"):
      config.update("jit_cache_size", bad)
  with pytest.raises(TypeError, match="True or False"):
    config.update("log_compiles", 2)
  monkeypatch.setenv("VJPKIT_JIT_CACHE_SIZE", "7")
  monkeypatch.setenv("VJPKIT_LOG_COMPILES", "yes")
  fresh = Config()
  assert fresh.jit_cache_size == 7 and fresh.log_compiles and not fresh.explain_cache_misses
  monkeypatch.setenv("VJPKIT_JIT_CACHE_SIZE", "many")
  with pytest.raises(ValueError, match="VJPKIT_JIT_CACHE_SIZE"):
    Config()


def test_debug_nans_still_checks_calls_that_took_the_scalar_path(settings):
  f = vjpkit.jit(lambda x: vnp.log(x))
  with np.errstate(all="ignore"):
    f(np.float64(2.0)), f(np.float64(2.0)), f(-1.0), f(-1.0)
    settings(debug_nans=True)
    for x in (np.float64(-1.0), -1.0):
      with pytest.raises(FloatingPointError, match="log"):
        f(x)
    settings(debug_nans=False)
    assert np.isnan(f(np.float64(-1.0)))


# -- explain_cache_misses ------------------------------------------------------------

def test_explain_cache_misses_names_the_argument_and_the_difference(settings, caplog):
  settings(explain_cache_misses=True)
  def loss(params, x, n=2):
    return vnp.sum(params["w"]) * vnp.sum(x ** n)
  f = vjpkit.jit(loss, static_argnames="n")
  p = {"w": np.ones(3)}
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    f(p, np.ones(3))
    f(p, np.ones(3))                       # a hit: no message
    f(p, np.ones(4))                       # shape
    f(p, np.ones(3, np.float32))           # dtype
    f(p, 1.0)                              # weak type (and shape)
    f(p, np.ones(3), n=3)                  # static value
    f({"w": np.ones(3), "b": 0.0}, np.ones(3))  # pytree structure
  msgs = _messages(caplog)
  assert len(msgs) == 6
  assert "jit(loss)" in msgs[0] and "first time" in msgs[0] and "test_jit_cache.py" in msgs[0]
  assert "argument 'x' (position 1) has shape (4,) now, (3,)" in msgs[1]
  assert "argument 'x' (position 1) has dtype float32 now, float64" in msgs[2]
  assert "argument 'x' (position 1) is weakly typed" in msgs[3]
  assert "argument 'n' (keyword) (static, 3) is passed now" in msgs[4]
  assert "argument 'params' (position 0) has pytree structure" in msgs[5]
  assert all("argument 'params'" not in m for m in msgs[1:5])  # only what differs


def test_explain_cache_misses_static_values_and_types(settings, caplog):
  settings(explain_cache_misses=True)
  f = vjpkit.jit(lambda x, n: x * n, static_argnums=1)
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    f(np.ones(2), 2)
    f(np.ones(2), 2.0)
  assert "static argument 'n' (position 1) is 2.0 (float) now, 2 (int)" in _messages(caplog)[1]


def test_explain_cache_misses_says_when_an_entry_was_evicted(settings, caplog):
  settings(explain_cache_misses=True, jit_cache_size=1)
  f = vjpkit.jit(lambda x: x)
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    f(np.ones(1)), f(np.ones(2)), f(np.ones(1))
  last = _messages(caplog)[-1]
  assert "dropped as the least recently used" in last and "jit_cache_size=1" in last


def test_no_messages_when_the_settings_are_off(caplog):
  assert not config.explain_cache_misses and not config.log_compiles
  f = vjpkit.jit(lambda x: x + 1)
  with caplog.at_level(logging.DEBUG, logger="vjpkit"):
    f(np.ones(2)), f(np.ones(3))
  assert _messages(caplog) == []


# -- log_compiles --------------------------------------------------------------------

def test_log_compiles_reports_each_compilation_with_its_phases(settings, caplog):
  settings(log_compiles=True)
  f = vjpkit.jit(lambda x: vnp.sum(vnp.tanh(x)))
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    f(np.ones(3)), f(np.ones(3)), f(np.ones(4))
  msgs = _messages(caplog)
  assert len(msgs) == 2
  assert msgs[0].startswith("jit(lambda): compiled for (f64[3]) in ")
  for phase in ("trace", "optimize", "codegen"):
    assert all(f"{phase} " in m for m in msgs)
  caplog.clear()
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    vjpkit.grad(f)(np.ones(5))   # under a transform: traced, and its derivative compiled
  msgs = _messages(caplog)
  assert any("traced for (f64[5])" in m for m in msgs)
  assert any("compiled a transformed program" in m for m in msgs)


def test_explain_cache_misses_of_programs_closing_over_tracers(settings, caplog):
  settings(explain_cache_misses=True)

  def outer(w):
    inner = vjpkit.jit(lambda x: x * w)   # closes over the tracer w
    return inner(2.0) + inner(3.0)
  with caplog.at_level(logging.WARNING, logger="vjpkit"):
    assert vjpkit.grad(outer)(1.5) == 5.0
  msgs = _messages(caplog)
  assert len(msgs) == 2 and "closes over values traced by an enclosing" in msgs[1]


def test_threads_with_a_small_cache_get_right_results(settings):
  import threading
  settings(jit_cache_size=2)
  f = vjpkit.jit(lambda x: vnp.sin(x) * 2.0)
  inputs = [np.float64(0.5), np.float32(0.5), 0.5, np.ones(3), np.ones(2, np.float32)]
  errors = []

  def work(seed):
    rng = np.random.default_rng(seed)
    try:
      for _ in range(60):
        x = inputs[rng.integers(len(inputs))]
        out = f(x)
        expected = np.sin(x) * 2.0 if not isinstance(x, float) else np.sin(np.float64(x)) * 2.0
        assert np.asarray(out).dtype == np.asarray(expected).dtype
        np.testing.assert_allclose(out, expected, rtol=1e-6)
    except Exception as e:  # noqa: BLE001
      errors.append(e)
  threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert not errors, errors[0]
  assert f.cache_info().currsize <= 2


# -- the scalar fast paths -----------------------------------------------------------

def test_disable_jit_turns_the_fast_paths_off_and_on_again():
  seen = []
  f = vjpkit.jit(lambda x: seen.append(type(x)) or x * 2.0)
  for x in (np.float64(1.0), 1.0, np.array(1.0)):
    f(x), f(x), f(x)                     # traced once each, then on a fast path
  assert len(seen) == 2                  # np.float64 and the 0-d array share a signature
  with vjpkit.disable_jit():
    for x in (np.float64(1.0), 1.0, np.array(1.0)):
      assert f(x) == 2.0
    assert seen[2:] == [np.float64, float, np.ndarray]   # the function itself, eagerly
    with vjpkit.disable_jit(False):
      assert f(np.float64(3.0)) == 6.0
    assert len(seen) == 5
  for x in (np.float64(4.0), 4.0, np.array(4.0)):
    assert f(x) == 8.0 and f(x) == 8.0
  assert len(seen) == 5


def test_disable_jit_on_another_thread_does_not_change_this_one():
  import threading
  f = vjpkit.jit(lambda x: x + 1.0)
  f(np.float64(1.0)), f(np.float64(1.0))
  inside, release = threading.Event(), threading.Event()

  def hold():
    with vjpkit.disable_jit():
      inside.set()
      release.wait(10)
  t = threading.Thread(target=hold)
  t.start()
  try:
    inside.wait(10)
    before = f.cache_info()
    assert f(np.float64(2.0)) == 3.0     # compiled code here (a hit), not the function
    assert f.cache_info().hits == before.hits + 1
  finally:
    release.set()
    t.join()


@pytest.mark.parametrize("x", [np.float64(0.5), 0.5, np.array(0.5), np.float32(0.5),
                               np.array(0.5, np.float32), np.int64(3), np.array(3)])
def test_every_fast_path_keeps_values_types_and_counts(x):
  f = vjpkit.jit(lambda x: x * 3 + 1)
  expected = x * 3 + 1
  expected = expected[()] if isinstance(expected, np.ndarray) else np.asarray(expected)[()]
  outs = [f(x) for _ in range(4)]
  for out in outs:
    assert type(out) is type(expected) and out == expected
  assert f.cache_info() == (3, 1, config.jit_cache_size, 1)


def test_fast_paths_of_several_arguments_and_recency(settings):
  settings(jit_cache_size=2)
  g, calls = counting(lambda x, y: x * y)
  f = vjpkit.jit(g)
  a, b = (np.float64(2.0), np.float64(3.0)), (np.float32(2.0), 3.0)
  f(*a), f(*a), f(*b), f(*b)
  f(*a), f(*a)                           # fast-path hits: a is the most recent
  f(np.ones(2), np.ones(2))              # evicts b, not a
  assert len(calls) == 3
  assert f(*a) == 6.0 and len(calls) == 3
  assert type(f(*b)) is np.float32 and len(calls) == 4


def test_the_one_array_fast_path_keeps_results_owned_and_counted():
  f = vjpkit.jit(lambda x: x)
  g = vjpkit.jit(lambda x: (x * 2.0, {"s": vnp.sum(x)}))
  x = np.arange(3.0)
  for _ in range(3):
    y = f(x)
    assert y is not x and not np.shares_memory(y, x) and y.tolist() == [0.0, 1.0, 2.0]
    a, d = g(x)
    assert a.tolist() == [0.0, 2.0, 4.0] and type(d["s"]) is np.float64 and d["s"] == 3.0
  assert f.cache_info() == (2, 1, config.jit_cache_size, 1)
  assert g.cache_info() == (2, 1, config.jit_cache_size, 1)
  assert f(x.astype(np.float32)).dtype == np.float32 and f(np.ones((3, 1))).shape == (3, 1)
  assert f.cache_info().misses == 3
