"""vjpkit.lax: the primitives, each declared with all of its rules in one place.

Functions here are thin wrappers that bind one primitive. They do not promote
dtypes or broadcast (beyond rank-0 operands of elementwise ops); that is the
job of ``vjpkit.numpy``. Every public function and ``*_p`` primitive defined in
a family module is re-exported here.
"""
from ..core.primitive import Primitive as _Primitive
from . import call, cumulative, elementwise, indexing, linalg, reductions, shapes, sorting


def _export(module) -> None:
  for name, value in vars(module).items():
    if name.startswith("_"):
      continue
    if isinstance(value, _Primitive) or (
        callable(value) and getattr(value, "__module__", None) == module.__name__):
      globals()[name] = value


for _m in (elementwise, shapes, reductions, linalg, call, cumulative, indexing, sorting):
  _export(_m)

from . import decompositions, solves, special  # noqa: E402  (linear algebra, special functions)
for _m in (solves, decompositions, special):
  _export(_m)

from . import composites  # noqa: E402  (select, clamp, reduce, iota, dot, index_in_dim)
from .control_flow import (cond, cond_p, fori_loop, map, scan, scan_p, switch,  # noqa: E402
                           while_loop, while_p)

_export(composites)

from . import codegen_rules as _codegen_rules  # noqa: E402,F401 - registers NumPy emitters
from . import pass_rules as _pass_rules  # noqa: E402,F401 - registers the primitives passes build
