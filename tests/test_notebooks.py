"""Every notebook in notebooks/ is executed from top to bottom, so none can go stale; a notebook
that draws must show its plots (inline images in its outputs)."""
from __future__ import annotations

import os
import pathlib
import re
import time

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
# a non-interactive backend chosen in the notebook hides every plot in Jupyter, on GitHub and in CI
_HIDDEN_BACKEND = re.compile(r"matplotlib\.use\(|%matplotlib\s+(agg|pdf|svg|ps|cairo|template)\b",
                             re.IGNORECASE)


def _code(nb) -> str:
  return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _images(nb) -> int:
  return sum("image/png" in out.get("data", {})
             for c in nb.cells if c.cell_type == "code" for out in c.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
  import nbclient
  import nbformat

  import vjpkit
  # the kernel imports the same vjpkit as this test process, installed or not
  root = str(pathlib.Path(vjpkit.__file__).parent.parent)
  monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
  # an MPLBACKEND from the environment (Agg on headless CI machines) must not hide the plots:
  # the notebooks ask for the inline backend themselves
  monkeypatch.setenv("MPLBACKEND", "Agg")
  nb = nbformat.read(path, as_version=4)
  code = _code(nb)
  assert not _HIDDEN_BACKEND.search(code), (
      f"{path.name} selects a non-interactive matplotlib backend, so its plots never show; "
      "use '%matplotlib inline' instead")
  start = time.perf_counter()
  nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                          resources={"metadata": {"path": str(path.parent)}}).execute()
  elapsed = time.perf_counter() - start
  print(f"{path.name}: {elapsed:.1f} s")
  assert elapsed < 60, f"{path.name} took {elapsed:.0f} s; notebooks must run in well under a minute"
  if "matplotlib" in code:
    assert _images(nb) > 0, (
        f"{path.name} draws with matplotlib but shows no image/png output; start it with "
        "'%matplotlib inline' and end each plotting cell with plt.show()")
