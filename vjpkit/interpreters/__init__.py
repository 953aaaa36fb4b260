"""Interpreters of the IR: eval, jvp, staging/partial eval, transpose, batching."""
