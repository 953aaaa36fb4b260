"""Every notebook in notebooks/ is executed from top to bottom, so none can go stale."""
from __future__ import annotations

import os
import pathlib
import time

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
  import nbclient
  import nbformat

  import vjpkit
  # the kernel imports the same vjpkit as this test process, installed or not
  root = str(pathlib.Path(vjpkit.__file__).parent.parent)
  monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
  nb = nbformat.read(path, as_version=4)
  start = time.perf_counter()
  nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                          resources={"metadata": {"path": str(path.parent)}}).execute()
  elapsed = time.perf_counter() - start
  print(f"{path.name}: {elapsed:.1f} s")
  assert elapsed < 60, f"{path.name} took {elapsed:.0f} s; notebooks must run in well under a minute"
