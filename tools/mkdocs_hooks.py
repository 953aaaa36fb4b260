"""MkDocs hooks for the documentation site (mkdocs.yml).

- The user guide (docs/index.md) takes its body from README.md, so the two cannot drift
  apart; links from the README into docs/ are made relative to the site.
- Docstrings are plain text with doctest examples; the ``>>>`` runs in them (outside code
  fences) are shown as Python code blocks instead of nested block quotes.
"""
from __future__ import annotations

import pathlib
import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
MARKER = "<!-- README.md -->"


def on_page_markdown(markdown, page, config, files):
  if page.file.src_uri != "index.md":
    return markdown
  body = README.read_text(encoding="utf-8")
  body = re.sub(r"\]\(docs/", "](", body)
  return markdown.replace(MARKER, body)


class _DoctestFences(Preprocessor):
  """Wraps each doctest example run (from a ``>>>`` line to the next blank line) that is not
  inside a code fence in a fenced ``pycon`` block."""

  def run(self, lines):
    out, fenced, in_example, indent = [], False, False, ""
    for line in lines:
      stripped = line.lstrip()
      if in_example and not stripped:
        out.append(indent + "```")
        in_example = False
      elif not in_example and stripped.startswith("```"):
        fenced = not fenced
      elif not fenced and not in_example and stripped.startswith(">>>"):
        indent = line[:len(line) - len(stripped)]
        out.extend(["", indent + "```pycon"])
        in_example = True
      out.append(line)
    if in_example:
      out.append(indent + "```")
    return out


class _DoctestFencesExtension(Extension):
  def extendMarkdown(self, md):
    md.preprocessors.register(_DoctestFences(md), "doctest_fences", 40)


def on_config(config):
  config.markdown_extensions.append(_DoctestFencesExtension())
  return config
