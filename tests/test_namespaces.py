"""Public namespaces and the layering of the packages.

Every package states what it exports (``__all__``), and every name there exists;
``vjpkit.lax`` re-exports every public function and primitive of its family
modules; and no layer imports a layer above it (``core`` < ``interpreters``,
``passes`` < ``lax`` < ``numpy`` < ``scipy``, ``nn`` < the public transforms).
"""
import ast
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import vjpkit
import vjpkit.lax
from vjpkit.core.primitive import Primitive

ROOT = Path(vjpkit.__file__).parent


def _all_modules() -> list[str]:
  names = ["vjpkit"]
  for info in pkgutil.walk_packages(vjpkit.__path__, "vjpkit."):
    names.append(info.name)
  return names


def _packages() -> list[str]:
  return [n for n in _all_modules() if hasattr(importlib.import_module(n), "__path__")]


@pytest.mark.parametrize("name", _packages())
def test_every_package_has_an_explicit_all(name):
  module = importlib.import_module(name)
  assert isinstance(getattr(module, "__all__", None), list), f"{name} has no __all__ list"


@pytest.mark.parametrize("name", [n for n in _all_modules()
                                  if hasattr(importlib.import_module(n), "__all__")])
def test_every_name_in_all_exists(name):
  module = importlib.import_module(name)
  exported = module.__all__
  assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
  missing = [n for n in exported if not hasattr(module, n)]
  assert not missing, f"{name}.__all__ names what it does not define: {missing}"


# Packages whose __init__ only re-exports: every public name they hold is in __all__
# (so a function added to the namespace but not to __all__ is noticed).
REEXPORTING = ["vjpkit", "vjpkit.core", "vjpkit.lax", "vjpkit.lax.control_flow", "vjpkit.numpy",
               "vjpkit.scipy", "vjpkit.testing"]


@pytest.mark.parametrize("name", REEXPORTING)
def test_public_namespace_is_all(name):
  module = importlib.import_module(name)
  public = {n for n, v in vars(module).items()
            if not n.startswith("_") and not isinstance(v, types.ModuleType)}
  assert public <= set(module.__all__), (
      f"public in {name} but not in its __all__: {sorted(public - set(module.__all__))}")


# Modules of vjpkit.lax that hold helpers for the family modules, not primitives' API.
LAX_HELPER_MODULES = {"vjpkit.lax.control_flow.common"}


def _lax_modules() -> list[types.ModuleType]:
  out = []
  for info in pkgutil.walk_packages(vjpkit.lax.__path__, "vjpkit.lax."):
    out.append(importlib.import_module(info.name))
  return out


def test_lax_exports_every_primitive():
  """Every primitive bound to a name in any lax module (``*_p``) is in ``vjpkit.lax``."""
  missing = []
  for module in _lax_modules():
    for n, v in vars(module).items():
      if isinstance(v, Primitive) and not n.startswith("_"):
        if n not in vjpkit.lax.__all__ or getattr(vjpkit.lax, n) is not v:
          missing.append(f"{module.__name__}.{n}")
  assert not missing, f"primitives not exported by vjpkit.lax: {missing}"


def test_lax_exports_every_public_function():
  """The public functions of every family module are in ``vjpkit.lax.__all__``."""
  missing = []
  for module in _lax_modules():
    parts = module.__name__.split(".")
    if module.__name__ in LAX_HELPER_MODULES or any(p.startswith("_") for p in parts):
      continue
    for n, v in vars(module).items():
      if (not n.startswith("_") and callable(v) and not isinstance(v, type)
          and getattr(v, "__module__", None) == module.__name__):
        if n not in vjpkit.lax.__all__ or getattr(vjpkit.lax, n) is not v:
          missing.append(f"{module.__name__}.{n}")
  assert not missing, f"functions not exported by vjpkit.lax: {missing}"


# The layers, lowest first; a module may import its own layer and those below.
# tree_util (pytrees) depends on nothing and serves every layer. Modules named in
# no layer (api*, jit, checkpoint, custom_derivatives, testing, ...) are the top.
LAYERS = [
    ["vjpkit.core", "vjpkit.tree_util"],
    ["vjpkit.interpreters", "vjpkit.passes"],
    ["vjpkit.lax"],
    ["vjpkit.numpy"],
    ["vjpkit.scipy", "vjpkit.nn"],
]


def _layer_of(module: str) -> int:
  for i, prefixes in enumerate(LAYERS):
    if any(module == p or module.startswith(p + ".") for p in prefixes):
      return i
  return len(LAYERS) if module != "vjpkit" else len(LAYERS) + 1


_IMPORT_LAYER = """
import importlib, importlib.util, json, pkgutil, sys, types
# A bare 'vjpkit' package, so that vjpkit/__init__ (which imports everything) is not run.
spec = importlib.util.find_spec("vjpkit")
pkg = types.ModuleType("vjpkit")
pkg.__path__ = list(spec.submodule_search_locations)
sys.modules["vjpkit"] = pkg
for name in json.loads(sys.argv[1]):
  module = importlib.import_module(name)
  if hasattr(module, "__path__"):
    for info in pkgutil.walk_packages(module.__path__, name + "."):
      importlib.import_module(info.name)
print(json.dumps(sorted(n for n in sys.modules if n.startswith("vjpkit."))))
"""


@pytest.mark.parametrize("layer", range(len(LAYERS)))
def test_importing_a_layer_imports_nothing_above_it(layer):
  """E.g. importing all of ``vjpkit.core``, ``vjpkit.interpreters`` and ``vjpkit.passes``
  imports neither ``vjpkit.lax`` nor ``vjpkit.numpy`` (checked in a fresh interpreter)."""
  names = [n for prefixes in LAYERS[:layer + 1] for n in prefixes]
  env = dict(os.environ, PYTHONPATH=os.pathsep.join(
      [str(ROOT.parent)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
  out = subprocess.run([sys.executable, "-c", _IMPORT_LAYER, json.dumps(names)], env=env,
                       capture_output=True, text=True, check=True).stdout
  imported = json.loads(out)
  above = [n for n in imported if _layer_of(n) > layer]
  assert not above, f"importing {names} imports higher layers: {above}"


def _imports(path: Path, module: str):
  """The vjpkit modules ``path`` imports anywhere (also inside functions), with line numbers."""
  package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
  for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
    if isinstance(node, ast.ImportFrom):
      if node.level:
        base = package.split(".")[:len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
      else:
        target = node.module or ""
      if node.module is None:  # from . import a, b: the targets are submodules
        yield from ((f"{target}.{a.name}", node.lineno) for a in node.names)
      else:
        yield target, node.lineno
    elif isinstance(node, ast.Import):
      yield from ((a.name, node.lineno) for a in node.names)


def test_no_module_imports_a_higher_layer_even_lazily():
  """A static check of every import statement, including those inside functions."""
  bad = []
  for path in sorted(ROOT.rglob("*.py")):
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
      parts.pop()
    module = ".".join(parts)
    own = _layer_of(module)
    if own >= len(LAYERS):
      continue  # the top may import anything
    for target, line in _imports(path, module):
      if target.split(".")[0] == "vjpkit" and _layer_of(target) > own:
        bad.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
  assert not bad, "imports of a higher layer:\n" + "\n".join(bad)
