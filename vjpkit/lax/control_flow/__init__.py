"""Structured control flow as primitives with sub-programs: cond/switch, while_loop/fori_loop, scan.

Each primitive carries constvar-free programs as params, so it prints as one
equation with its sub-programs inline, and every transform (jvp, linearize,
transpose, vmap, DCE) maps it to the same kind of primitive.
"""
from .cond import cond, cond_p, switch
from .loops import fori_loop, while_loop, while_p
from .scan import map, scan, scan_p

__all__ = ["cond", "cond_p", "switch", "fori_loop", "while_loop", "while_p", "map", "scan",
           "scan_p"]
