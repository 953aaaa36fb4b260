"""The Dask benchmark in quick mode: it runs, and vjpkit's gradient equals dask-glm's."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

pytest.importorskip("dask.distributed")
pytest.importorskip("array_api_compat")

from benchmarks import dask_logreg  # noqa: E402


def test_quick_dask_logreg_benchmark(capsys):
  code = dask_logreg.main(["--quick", "--threads"])
  out = capsys.readouterr().out
  assert code == 0, out
  assert "| vjpkit.grad |" in out and "relative difference of the gradients" in out
