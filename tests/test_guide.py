"""The guides in docs/ are doctests: their examples run as written."""
from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"

# page -> the least number of examples it holds (so that a page cannot silently lose them)
PAGES = {"adding-a-primitive.md": 40, "complex.md": 15, "sharp-bits.md": 40, "design.md": 10,
         "array-backends.md": 20}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(PAGES))
def test_guide_runs(name: str) -> None:
  if name == "array-backends.md":
    pytest.importorskip("dask.array")
  results = doctest.testfile(str(DOCS / name), module_relative=False,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert results.attempted >= PAGES[name]
  assert results.failed == 0, f"{results.failed} examples of {name} failed (see above)"
