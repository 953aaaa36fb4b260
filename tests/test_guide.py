"""The guides docs/adding-a-primitive.md and docs/complex.md are doctests: their examples run
as written."""
from __future__ import annotations

import doctest
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "adding-a-primitive.md"


def test_adding_a_primitive_guide_runs() -> None:
  results = doctest.testfile(str(GUIDE), module_relative=False,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert results.attempted > 40
  assert results.failed == 0, f"{results.failed} examples of {GUIDE.name} failed (see above)"


def test_complex_numbers_guide_runs() -> None:
  page = GUIDE.parent / "complex.md"
  results = doctest.testfile(str(page), module_relative=False,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert results.attempted > 15
  assert results.failed == 0, f"{results.failed} examples of {page.name} failed (see above)"
