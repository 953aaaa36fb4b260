"""The examples in README.md and docs/*.md run as doctests (``>>>`` lines inside the code
blocks); guides with a test of their own are left to it.

The flags are pyproject's ``doctest_optionflags`` that the standard library has (ELLIPSIS,
NORMALIZE_WHITESPACE); NUMBER is pytest's own, and no example here prints a rounded float."""
from __future__ import annotations

import doctest
import pathlib
import warnings

import numpy as np
import pytest

# guides with a test of their own (which also checks how many examples they hold)
OWN_TEST = {"adding-a-primitive.md": "tests/test_guide.py", "complex.md": "tests/test_guide.py",
            "index.md": "test_readme_examples (the site's hook fills its body from README.md)",
            "api.md": "--doctest-modules (generated from the docstrings)"}
ROOT = pathlib.Path(__file__).parent.parent
DOCS = sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in OWN_TEST)
README_EXAMPLES = 15   # so that examples cannot vanish from the README unnoticed


def _run(path):
  flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
  with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore", RuntimeWarning)  # the examples make NaNs on purpose
    result = doctest.testfile(str(path), module_relative=False, optionflags=flags,
                              verbose=False, report=True)
  return result


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_examples(path):
  result = _run(path)
  assert result.attempted > 0, f"{path.name} has no examples"
  assert result.failed == 0, f"{result.failed} example(s) of {path.name} failed (see above)"


def test_readme_examples():
  result = _run(ROOT / "README.md")
  assert result.failed == 0, f"{result.failed} example(s) of README.md failed (see above)"
  assert result.attempted >= README_EXAMPLES, f"README.md has {result.attempted} examples"
