"""Command line: every workload x every implementation, one markdown report.

    python -m benchmarks            # full sizes, about two minutes
    python -m benchmarks --quick    # tiny sizes, one call per repeat: smoke test

Exits 1 when an implementation raised an unexpected error or computed a
gradient that disagrees with the NumPy baseline; "n/a" rows (framework not
installed, vjpkit feature not written yet) do not fail the run.
"""

import argparse
import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import check, harness, overhead, peers  # noqa: E402
from benchmarks.workloads import ALL  # noqa: E402

# What makes a row "n/a" rather than an error. A peer counts as missing only
# when it cannot be imported; vjpkit is still being written, so a missing
# function or an unimplemented case is also just "not there yet".
PEER_MISSING = (ImportError,)
VJPKIT_MISSING = (ImportError, AttributeError, NotImplementedError)

FULL_SETTINGS = {"min_time": 0.2, "repeats": 5}
QUICK_SETTINGS = {"min_time": 0.0, "repeats": 2}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="tiny sizes, 2 single-call repeats (smoke test)")
    add("--repeats", type=int, help="timing repeats; the median is reported")
    add("--min-time", type=float, help="seconds each repeat's autoranged loop must last")
    add("--only", help="comma-separated workload names, e.g. mlp,rnn")
    add("--impl", help="comma-separated implementations (numpy is always run)")
    add("--no-memory", action="store_true", help="skip the tracemalloc runs")
    add("--cpu-time", action="store_true",
        help="time with this process's CPU time instead of wall time (a loaded machine)")
    add("--json", metavar="PATH", help="also write every row (and the compile-scaling series) "
        "as JSON to PATH")
    add("--compile-scaling", action="store_true",
        help="also run the compile-scaling series (jit(grad) of 1k/10k/100k-op chains; "
        "100/300/1000 with --quick), each size in its own process")
    args = parser.parse_args(argv)
    defaults = QUICK_SETTINGS if args.quick else FULL_SETTINGS
    if args.repeats is None:
        args.repeats = defaults["repeats"]
    if args.min_time is None:
        args.min_time = defaults["min_time"]
    return args


def _describe(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _selected(names, available, what):
    if not names:
        return list(available)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise SystemExit(
            f"unknown {what}: {', '.join(unknown)}; choose from {', '.join(available)}"
        )
    return [name for name in available if name in wanted]


def measure(workload, impl, data, expected, args):
    """Build, call once (checked against ``expected``), time, trace memory.

    Returns the row and the first result, which for "numpy" is the baseline.
    """
    row = harness.Row(workload.NAME, impl)
    builder = workload.IMPLEMENTATIONS.get(impl)
    if builder is None:
        row.skipped = "no entry in this workload"
        return row, None
    missing = VJPKIT_MISSING if impl.startswith("vjpkit") else PEER_MISSING
    try:
        with settings(impl):
            return _measure(workload, impl, builder, data, expected, args, row)
    except missing as exc:
        if impl == "numpy":
            raise
        row = harness.Row(workload.NAME, impl, skipped=_describe(exc))
    except Exception as exc:  # noqa: BLE001 - reported in the table, fails the run
        if impl == "numpy":
            raise
        row = harness.Row(
            workload.NAME, impl, error=_describe(exc), traceback=traceback.format_exc()
        )
    return row, None


@contextlib.contextmanager
def settings(impl):
    """``impl``'s vjpkit settings (``harness.SETTINGS``) inside the block, restored after it."""
    changes = harness.SETTINGS.get(impl, {})
    if not changes:
        yield
        return
    vjpkit, _ = peers.load_vjpkit()
    saved = {name: getattr(vjpkit.config, name) for name in changes}
    for name, value in changes.items():
        vjpkit.config.update(name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            vjpkit.config.update(name, value)


def _measure(workload, impl, builder, data, expected, args, row):
    fn = builder(data)
    start = time.perf_counter()
    result = fn()
    row.first_call = time.perf_counter() - start
    if expected is None:  # this is the baseline itself
        expected = result
    row.agrees, row.check_note = check.compare(result, expected)
    row.seconds = harness.median_time(fn, args.min_time, args.repeats)
    if workload.MEASURE_MEMORY and not args.no_memory:
        if impl in harness.MEMORY_TRACED:
            row.peak_bytes = harness.peak_memory(fn)
        else:
            row.memory_note = "own allocator, invisible to tracemalloc"
    return row, result


SCALAR_CHAIN_OPS = 13  # x*x, sin, *, exp, /, tanh, 1+, log, cos, *, +, +, -


def per_op_table(rows):
    lines = ["| implementation | per operation | vs autograd |", "|---|---:|---:|"]
    chain = {r.impl: r.seconds for r in rows if r.workload == "scalar chain" and r.seconds}
    ref = chain.get("autograd")
    for impl, seconds in chain.items():
        if impl == "numpy":
            continue
        vs = f"{seconds / ref:.2f}" if ref else "n/a"
        lines.append(f"| {impl} | {harness.format_seconds(seconds / SCALAR_CHAIN_OPS)} | {vs} |")
    return "\n".join(lines)


def write_json(path, rows, scaling, versions, mode):
    """Every row as a dict (seconds, ratio to NumPy, first call, check), for notebooks."""
    baseline = {r.workload: r.seconds for r in rows if r.impl == "numpy" and r.seconds}
    out = {"mode": mode, "versions": versions, "cpus": os.cpu_count(), "rows": [
        {"workload": r.workload, "impl": r.impl, "seconds": r.seconds,
         "vs_numpy": (r.seconds / baseline[r.workload]
                      if r.seconds and baseline.get(r.workload) else None),
         "first_call": r.first_call, "agrees": r.agrees, "check": r.check_note,
         "skipped": r.skipped, "error": r.error, "peak_bytes": r.peak_bytes}
        for r in rows]}
    if scaling is not None:
        out["compile_scaling"] = scaling
    Path(path).write_text(json.dumps(out, indent=1))


def main(argv=None):
    args = parse_args(argv)
    harness.CLOCK = time.process_time if args.cpu_time else time.perf_counter
    names = [workload.NAME for workload in ALL]
    chosen = _selected(args.only, names, "workload")
    wanted = _selected(args.impl, harness.IMPLEMENTATIONS, "implementation")
    impls = ["numpy"] + [impl for impl in wanted if impl != "numpy"]

    versions = peers.versions(sorted({impl.split()[0] for impl in impls} - {"numpy"}))
    mode = "quick (tiny sizes, smoke test only)" if args.quick else "full"
    print(f"# vjpkit benchmarks: {mode} mode\n")
    found = ", ".join(f"{name} {version}" for name, version in versions.items())
    print(f"{found}; {os.cpu_count()} CPUs\n")

    rows = []
    for workload in ALL:
        if workload.NAME not in chosen:
            continue
        data = workload.make_data(args.quick)
        expected = None
        for impl in impls:
            print(f"[{workload.NAME}] {impl} ...", file=sys.stderr, flush=True)
            row, baseline = measure(workload, impl, data, expected, args)
            if impl == "numpy":
                expected = baseline
            rows.append(row)

    print("## Time per gradient (forward + backward)\n")
    print(harness.time_table(rows))
    print(
        f"\nMedian of {args.repeats} repeats of an autoranged loop (each at least "
        f"{args.min_time:g} s{', CPU time' if args.cpu_time else ''}); \"vs NumPy\" divides by the hand-written NumPy time; "
        "\"first call\" includes tracing and compilation; \"grad ok\" compares "
        f"with the NumPy gradient (rtol {check.RTOL:g}, float64).\n"
    )
    if "scalar chain" in chosen and any(impl.endswith("jit") for impl in impls):
        print("## Per-call overhead of a cached jitted function\n")
        print(overhead.table(overhead.measure(impls, args.min_time, args.repeats)))
        print(f"\n`{overhead.tiny.__name__}(x) = x * 2.0 + 1.0` on a float64 scalar, "
              "already compiled: the time is dispatch, not arithmetic.\n")
    if "scalar chain" in chosen:
        print("## Eager cost per user operation (scalar chain)\n")
        print(per_op_table(rows))
        print(f"\nThe scalar chain's median time divided by its {SCALAR_CHAIN_OPS} NumPy-level "
              "operations (forward and backward together).\n")
    scaling = None
    if args.compile_scaling:
        from benchmarks import compile_scaling

        sizes = compile_scaling.QUICK_SIZES if args.quick else compile_scaling.FULL_SIZES
        scaling = compile_scaling.run_series(sizes)
        print("## Compile time against program size: jit(grad(f)) of an n-operation chain\n")
        print(compile_scaling.table(scaling))
        print()
    if args.json:
        write_json(args.json, rows, scaling, versions, mode)
    memory = harness.memory_table(rows)
    if memory.count("\n") > 1:
        print("## Peak memory of one gradient (tracemalloc)\n")
        print(memory)
        print()

    failed = [row for row in rows if row.failed]
    for row in failed:
        what = row.error or row.check_note
        print(f"FAILED: {row.workload} / {row.impl}: {what}", file=sys.stderr)
        if row.traceback:
            print(row.traceback, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
