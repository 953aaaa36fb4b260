"""Interpreters of the IR: eval, jvp, staging/partial eval, transpose, batching.

The package exports nothing itself: each transform is its own module
(``vjpkit.interpreters.jvp``, ...), imported by name, so that importing one
does not import the others.
"""

__all__: list[str] = []
