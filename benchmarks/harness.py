"""Timing, peak memory and the markdown tables.

Kept free of any framework: it only calls zero-argument functions that compute
a gradient (already synchronised, see ``peers.jax_blocking``) and formats what
it measured.
"""

import gc
import statistics
import time
import timeit
import tracemalloc
from dataclasses import dataclass
from typing import Optional

# The clock timing loops read: wall time, or with ``--cpu-time`` this process's CPU time
# (``time.process_time``), which on a shared, oversubscribed machine leaves out the time
# spent waiting for a core. Only fair to single-threaded implementations (NumPy with one
# BLAS thread, autograd, vjpkit); JAX and PyTorch may count several threads.
CLOCK = time.perf_counter

# Table order; "numpy" is the hand-written baseline every ratio refers to.
IMPLEMENTATIONS = (
    "numpy",
    "autograd",
    "jax eager",
    "jax jit",
    "torch eager",
    "vjpkit eager",
    "vjpkit jit",
    "vjpkit jit libm",  # jit with vjpkit.config.jit_scalar_libm on (scalar workloads only)
)

# implementation -> the vjpkit settings (``vjpkit.config.update``) it is built and timed with
SETTINGS = {"vjpkit jit libm": {"jit_scalar_libm": True}}

# Allocations of these go through NumPy, which reports to tracemalloc. JAX and
# PyTorch use their own allocators, so tracemalloc cannot see them and a
# number for them would be a misleading near-zero.
MEMORY_TRACED = ("numpy", "autograd", "vjpkit eager", "vjpkit jit")


@dataclass
class Row:
    """What was measured for one implementation of one workload."""

    workload: str
    impl: str
    seconds: Optional[float] = None  # median time of one gradient
    first_call: Optional[float] = None  # includes tracing / compilation
    agrees: Optional[bool] = None  # gradient matches the NumPy baseline
    check_note: str = ""
    skipped: str = ""  # "n/a" reason: peer or vjpkit feature missing
    error: str = ""  # unexpected exception: counts as a failure
    traceback: str = ""  # of that exception, printed to stderr at the end
    peak_bytes: Optional[int] = None
    memory_note: str = ""

    @property
    def failed(self):
        return bool(self.error) or self.agrees is False


def autorange(fn, min_time):
    """Smallest loop count in 1, 2, 5, 10, 20, 50, ... taking >= min_time.

    Same idea as ``timeit.Timer.autorange`` but with a settable target, so the
    quick mode can ask for a single call.
    """
    timer = timeit.Timer(fn, timer=CLOCK)
    scale = 1
    while True:
        for step in (1, 2, 5):
            number = step * scale
            if min_time <= 0 or timer.timeit(number) >= min_time:
                return number
        scale *= 10


def median_time(fn, min_time, repeats):
    """Median over ``repeats`` of the mean per-call time of an autoranged loop.

    The median rather than the minimum, so that noise from the shared machine
    shows neither as a lucky best case nor as an outlier.
    """
    number = autorange(fn, min_time)
    timer = timeit.Timer(fn, timer=CLOCK)  # timeit switches the garbage collector off
    return statistics.median(timer.repeat(repeat=repeats, number=number)) / number


def peak_memory(fn):
    """Peak bytes allocated (as seen by tracemalloc) during one call of fn."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def format_seconds(seconds):
    """Human units with three significant digits: 812 ns, 1.23 ms, 4.56 s."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_bytes(count):
    """Bytes in KiB / MiB with three significant digits."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} B"


def _cell(text):
    """Keep a cell on one line and free of the markdown column separator."""
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= 80 else text[:77] + "..."


def _baseline(rows, workload, attribute):
    for row in rows:
        if row.workload == workload and row.impl == "numpy":
            return getattr(row, attribute)
    return None


def _ratio(value, base):
    if value is None or not base:
        return "—"
    return f"{value / base:.2f}"


def time_table(rows):
    """Markdown table: median time, ratio to NumPy, first call, gradient check."""
    lines = [
        "| workload | implementation | median time | vs NumPy | first call | grad ok |",
        "|---|---|---:|---:|---:|:---:|",
    ]
    for row in rows:
        if row.skipped or row.error:
            reason = f"n/a ({row.skipped})" if row.skipped else f"error ({row.error})"
            check = "—" if row.skipped else "✗"
            cells = [row.workload, row.impl, reason, "—", "—", check]
        else:
            base = _baseline(rows, row.workload, "seconds")
            check = "✓" if row.agrees else f"✗ {row.check_note}"
            cells = [
                row.workload,
                row.impl,
                format_seconds(row.seconds),
                _ratio(row.seconds, base),
                format_seconds(row.first_call),
                check,
            ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def memory_table(rows):
    """Markdown table of peak traced memory, for rows where it was measured."""
    lines = [
        "| workload | implementation | peak memory | vs NumPy |",
        "|---|---|---:|---:|",
    ]
    for row in rows:
        if row.peak_bytes is None and not row.memory_note:
            continue
        if row.peak_bytes is None:
            cells = [row.workload, row.impl, f"n/a ({row.memory_note})", "—"]
        else:
            base = _baseline(rows, row.workload, "peak_bytes")
            cells = [
                row.workload,
                row.impl,
                format_bytes(row.peak_bytes),
                _ratio(row.peak_bytes, base),
            ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)
