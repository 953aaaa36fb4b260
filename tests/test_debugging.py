"""debug_nans / debug_infs: the first NaN or infinity is reported where it is made, eagerly,
under grad (forward and backward pass), vmap and jit; with the flags off nothing is checked."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from vjpkit.config import Config, _env_flag
from vjpkit.core.primitive import Primitive

HERE = __file__


@pytest.fixture(autouse=True)
def _quiet():
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore", RuntimeWarning)
    yield


def _line(marker: str) -> int:
  """The line of this file that holds ``marker``."""
  with open(HERE) as f:
    return next(i for i, text in enumerate(f, 1) if marker in text and "_line(" not in text)


def sqrt_where(x):
  return vnp.sum(vnp.where(x > 0, vnp.sqrt(x), 0.0))  # MARK-sqrt


def sqrt_double_where(x):
  safe = vnp.where(x > 0, x, 1.0)
  return vnp.sum(vnp.where(x > 0, vnp.sqrt(safe), 0.0))


def test_config_values_update_and_errors(monkeypatch):
  assert vjpkit.config.debug_nans is False and vjpkit.config.debug_infs is False
  assert "debug_nans=False" in repr(vjpkit.config)
  with pytest.raises(AttributeError, match="no setting 'debug_nan'; the settings are debug_infs"):
    vjpkit.config.update("debug_nan", True)
  with pytest.raises(TypeError, match="must be True or False"):
    vjpkit.config.update("debug_nans", "yes")
  monkeypatch.setenv("VJPKIT_DEBUG_NANS", "1")
  monkeypatch.setenv("VJPKIT_DEBUG_INFS", "off")
  fresh = Config()
  assert fresh.debug_nans is True and fresh.debug_infs is False
  monkeypatch.setenv("VJPKIT_DEBUG_NANS", "maybe")
  with pytest.raises(ValueError, match="VJPKIT_DEBUG_NANS='maybe' is not a boolean"):
    _env_flag("VJPKIT_DEBUG_NANS")


def test_context_managers_restore_the_previous_setting():
  plain_bind = Primitive.__dict__["bind"]
  with vjpkit.debug_nans():
    assert vjpkit.config.debug_nans
    assert Primitive.__dict__["bind"] is not plain_bind
    with vjpkit.debug_nans(False):
      assert not vjpkit.config.debug_nans
    assert vjpkit.config.debug_nans
    with vjpkit.debug_infs():
      assert vjpkit.config.debug_infs and vjpkit.config.debug_nans
    assert not vjpkit.config.debug_infs
  assert not vjpkit.config.debug_nans
  assert Primitive.__dict__["bind"] is plain_bind  # off: the plain bind, nothing checked


def test_off_checks_nothing():
  assert np.isnan(vnp.log(np.array([-1.0]))).all()
  assert np.isnan(vjpkit.grad(sqrt_where)(np.array([0.0, 4.0]))).any()


def test_eager_forward_names_primitive_shapes_and_line():
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    vnp.log(np.array([1.0, -1.0, -2.0]))  # MARK-log
  msg = str(err.value)
  assert "debug_nans: the primitive 'log' returned NaN in the forward pass" in msg
  assert "(f64[3], 2 of 3 elements; inputs: f64[3])" in msg
  assert f"{HERE}:{_line('MARK-log')}" in msg
  assert "vjpkit.config.update('debug_nans', False)" in msg


def test_backward_pass_where_trap_names_the_forward_line():
  x = np.array([0.0, 4.0])
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    vjpkit.grad(sqrt_where)(x)
  msg = str(err.value)
  assert re.search(r"primitive '\w+' returned NaN in the backward \(gradient\) pass", msg)
  assert f"gradient of the operation created at {HERE}:{_line('MARK-sqrt')}" in msg
  assert "docs/sharp-bits.md" in msg
  with vjpkit.debug_nans():  # the double-where fix: no NaN anywhere
    np.testing.assert_allclose(vjpkit.grad(sqrt_double_where)(x), [0.0, 0.25])


def test_derivative_rule_in_the_forward_pass_is_named():
  with vjpkit.debug_infs(), pytest.raises(FloatingPointError, match=(
      r"'div' returned inf in the forward pass, in the derivative rule of 'sqrt'")):
    vjpkit.jvp(vnp.sqrt, (np.array([0.0, 1.0]),), (np.ones(2),))


def test_jit_forward_and_backward_are_rerun_to_find_the_equation():
  f = vjpkit.jit(lambda x: vnp.log(x) * 2.0)  # MARK-jit
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    f(np.array([-1.0, 1.0]))
  assert "'log' returned NaN in the forward pass" in str(err.value)
  assert f"{HERE}:{_line('MARK-jit')}" in str(err.value)
  g = vjpkit.jit(vjpkit.grad(sqrt_where))
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    g(np.array([0.0, 4.0]))
  assert "in the backward (gradient) pass" in str(err.value)
  assert f"{HERE}:{_line('MARK-sqrt')}" in str(err.value)
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    vjpkit.grad(vjpkit.jit(sqrt_where))(np.array([0.0, 4.0]))
  # the backward program of a jit call is derived from the staged one, which knows the line
  assert "in the backward (gradient) pass" in str(err.value)
  assert f"{HERE}:{_line('MARK-sqrt')}" in str(err.value)
  np.testing.assert_allclose(f(np.array([1.0])), [0.0])  # off again: compiled, unchecked


def test_vmap_and_infs_only_when_asked():
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError, match="'sqrt' returned NaN"):
    vjpkit.vmap(vnp.sqrt)(np.array([1.0, -1.0]))
  with vjpkit.debug_nans():
    assert np.isinf(vnp.exp(np.float64(1000.0)))  # an infinity is not a NaN
  with vjpkit.debug_infs(), pytest.raises(FloatingPointError, match="'exp' returned inf"):
    vnp.exp(np.float64(1000.0))


def test_nan_input_is_reported_as_coming_from_outside():
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError, match="An input already holds NaN"):
    vnp.sin(np.array([np.nan]))


def test_program_staged_while_off_names_the_call():
  f = vjpkit.jit(lambda x: vnp.log(x) * 2.0)
  f(np.array([1.0]))  # staged and compiled with the flags off: no recorded lines
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    f(np.array([-1.0]))  # MARK-unrecorded
  assert "'log' returned NaN in the forward pass" in str(err.value)
  assert f"not known: called from {HERE}:{_line('MARK-unrecorded')}" in str(err.value)


def test_inside_control_flow_names_the_body_line():
  from vjpkit import lax

  def body(c, x):
    return c * 2.0, vnp.log(x - c)  # MARK-scan
  with vjpkit.debug_nans(), pytest.raises(FloatingPointError) as err:
    lax.scan(body, 1.0, np.arange(5.0))
  assert "'log' returned NaN in the forward pass (f64[], 1 of 1 elements" in str(err.value)
  assert f"{HERE}:{_line('MARK-scan')}" in str(err.value)


def test_environment_variable_turns_the_check_on_at_import():
  import os
  import pathlib
  import subprocess
  import sys
  root = str(pathlib.Path(vjpkit.__file__).parent.parent)
  env = dict(os.environ, VJPKIT_DEBUG_NANS="1",
             PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
  code = ("import numpy as np, vjpkit, vjpkit.numpy as vnp\n"
          "assert vjpkit.config.debug_nans\n"
          "vnp.log(np.array([-1.0]))\n")
  done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], env=env,
                        capture_output=True, text=True, timeout=60)
  assert done.returncode != 0
  assert "FloatingPointError: debug_nans: the primitive 'log' returned NaN" in done.stderr
