"""Package metadata: one source of the version, the licence shipped, a changelog entry."""
from __future__ import annotations

import pathlib

import pytest

import vjpkit

ROOT = pathlib.Path(__file__).parent.parent


@pytest.fixture(scope="module")
def pyproject() -> dict:
  tomllib = pytest.importorskip("tomllib")  # Python 3.11+
  return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_has_one_source(pyproject):
  project = pyproject["project"]
  assert "version" not in project, "set the version in vjpkit/__init__.py only"
  assert "version" in project["dynamic"]
  assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "vjpkit.__version__"}


def test_licence_is_spdx_and_shipped(pyproject):
  project = pyproject["project"]
  assert project["license"] == "Apache-2.0"
  assert project["license-files"] == ["LICENSE"]
  text = (ROOT / "LICENSE").read_text()
  assert "Apache License" in text and "Version 2.0, January 2004" in text
  assert "END OF TERMS AND CONDITIONS" in text  # the full text, not a pointer to it
  # PEP 639: a licence expression excludes licence classifiers (setuptools >= 77 rejects both)
  assert not any(c.startswith("License ::") for c in project["classifiers"])
  assert pyproject["build-system"]["requires"] == ["setuptools>=77"]


def test_changelog_names_the_version():
  text = (ROOT / "CHANGELOG.md").read_text()
  assert "## Unreleased" in text
  assert f"## {vjpkit.__version__}" in text
