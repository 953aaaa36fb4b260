"""The rule tables of the interpreters: one dict per transform, keyed by primitive.

``Primitive.def_jvp``, ``def_transpose``, ``def_batching``, ``def_codegen``, ...
(``core/primitive.py``) write here; each interpreter (a layer above core) reads
its own table with one dict lookup per equation, so a rule costs nothing
until it is used. Rule signatures are documented on the ``def_*`` methods.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Rule = Callable[..., Any]

# rule(primals, tangents, **params) -> (primal_out, tangent_out); tangents may be Zero
jvp_rules: dict[Any, Rule] = {}
# rule(ct, *args, **params) -> [ct or None per arg]; linear args are UndefPrimal
transpose_rules: dict[Any, Rule] = {}
# rule(args, dims, **params) -> (out, out_dim); dims[i] is None when args[i] is unbatched
batch_rules: dict[Any, Rule] = {}
# rule(trace, args, params) -> outs: staging with some inputs known (sub-programs)
pe_rules: dict[Any, Rule] = {}
# rule(used_outputs, eqn) -> eqn | None: dead-code elimination inside sub-programs
dce_rules: dict[Any, Rule] = {}
# primitives with effects (debug callbacks): never removed, merged or moved by a pass
effectful: set[Any] = set()
# rule(eqn, args: list[str], env) -> Emit | None: how jit's generated code writes an equation
emit_rules: dict[Any, Rule] = {}
# rule(eqn) -> np.ufunc | None: the ufunc computing the equation elementwise, if any
ufunc_rules: dict[Any, Rule] = {}
# rule(eqn) -> expanded shape: the result is the operand reshaped to it, then broadcast
broadcast_rules: dict[Any, Rule] = {}
# rule(backend, *args, **params) -> value (a list for multiple_results): the equation run
# with an array-API namespace (``interpreters/array_api.py``; Dask, CuPy, array-api-strict)
array_api_rules: dict[Any, Rule] = {}
# primitives whose array-API rule is elementwise and broadcasts like NumPy's ufuncs
array_api_elementwise: set[Any] = set()
