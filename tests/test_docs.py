"""The examples in docs/*.md run as doctests (``>>>`` lines inside the code blocks); guides
with a test of their own are left to it."""
from __future__ import annotations

import doctest
import pathlib
import warnings

import numpy as np
import pytest

# guides with a test of their own (which also checks how many examples they hold)
OWN_TEST = {"adding-a-primitive.md": "tests/test_guide.py"}
DOCS = sorted(p for p in (pathlib.Path(__file__).parent.parent / "docs").glob("*.md")
              if p.name not in OWN_TEST)


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_examples(path):
  flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore", RuntimeWarning)  # the examples make NaNs on purpose
    result = doctest.testfile(str(path), module_relative=False, optionflags=flags,
                              verbose=False, report=True)
  assert result.attempted > 0, f"{path.name} has no examples"
  assert result.failed == 0, f"{result.failed} example(s) of {path.name} failed (see above)"
