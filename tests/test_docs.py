"""The examples in docs/*.md run as doctests (``>>>`` lines inside the code blocks)."""
from __future__ import annotations

import doctest
import pathlib
import warnings

import numpy as np
import pytest

DOCS = sorted((pathlib.Path(__file__).parent.parent / "docs").glob("*.md"))


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_examples(path):
  flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore", RuntimeWarning)  # the examples make NaNs on purpose
    result = doctest.testfile(str(path), module_relative=False, optionflags=flags,
                              verbose=False, report=True)
  assert result.attempted > 0, f"{path.name} has no examples"
  assert result.failed == 0, f"{result.failed} example(s) of {path.name} failed (see above)"
