"""The guide docs/adding-a-primitive.md is a doctest: its examples run as written."""
from __future__ import annotations

import doctest
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "adding-a-primitive.md"


def test_adding_a_primitive_guide_runs() -> None:
  results = doctest.testfile(str(GUIDE), module_relative=False,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert results.attempted > 40
  assert results.failed == 0, f"{results.failed} examples of {GUIDE.name} failed (see above)"
