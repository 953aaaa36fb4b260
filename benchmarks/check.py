"""Does an implementation's gradient agree with the hand-written NumPy one?

A fast but wrong gradient must be visible in the table, so every
implementation's first result is compared leaf by leaf with the baseline:
same nesting, same shapes, float64, and equal to a tight tolerance (every
implementation computes the same float64 formula, so only rounding differs).
"""

import numpy as np

RTOL = 1e-7
ATOL = 1e-10  # relative to the largest magnitude in the expected leaf


def to_numpy(leaf):
    """A NumPy array from a NumPy, JAX, PyTorch or vjpkit array or scalar."""
    if hasattr(leaf, "detach"):  # torch.Tensor
        leaf = leaf.detach().cpu().numpy()
    return np.asarray(leaf)


def structure(tree):
    """Nesting of lists/tuples/dicts, with list and tuple treated alike."""
    if isinstance(tree, dict):
        return {key: structure(tree[key]) for key in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        return [structure(item) for item in tree]
    return "leaf"


def leaves(tree):
    """Leaves of a pytree as NumPy arrays, in a fixed order."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [to_numpy(tree)]


def compare(result, expected):
    """Return (agrees, note); the note says what differs when it does not."""
    if structure(result) != structure(expected):
        return False, "different pytree structure"
    worst = 0.0
    for got, want in zip(leaves(result), leaves(expected)):
        if got.shape != want.shape:
            return False, f"shape {got.shape} != {want.shape}"
        if got.dtype != np.float64:
            return False, f"dtype {got.dtype}"
        scale = float(np.max(np.abs(want), initial=0.0))
        error = float(np.max(np.abs(got - want), initial=0.0))
        if not np.all(np.isfinite(got)):
            return False, "non-finite values"
        worst = max(worst, error / max(scale, 1e-300))
        if error > ATOL * max(scale, 1.0) + RTOL * scale:
            return False, f"max rel err {worst:.1e}"
    return True, f"max rel err {worst:.1e}"
