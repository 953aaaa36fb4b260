"""vjpkit.jit next to hand-written NumPy, timed interleaved: robust ratios on a busy machine.

    python -m benchmarks.jit_ratios            # scalar chain, elementwise 10^6, per-call
    python -m benchmarks.jit_ratios --quick    # tiny sizes, a few rounds (smoke test)

The main report (``python -m benchmarks``) times each implementation in its own
block of repeats, so on a shared machine a change of load between two blocks
moves the ratio. Here the baseline and the jitted function alternate, round
after round, and each side's best round is kept: the ratio of two minima taken
over the same period (short rounds, so that some of them run undisturbed). It measures the issue-16 jit goals: the scalar chain
(all-scalar programs as Python ``math``), the 10^6 elementwise gradient (blocked
evaluation) with its tracemalloc peak, and the per-call dispatch of a cached
jitted function on a NumPy scalar.
"""

import argparse
import sys
import timeit
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness, peers  # noqa: E402
from benchmarks.workloads import elementwise, scalar_chain  # noqa: E402


def interleaved(base, fn, number, rounds):
    """(best seconds per call of base, of fn), alternating rounds of ``number`` calls."""
    tb, tf = [], []
    for _ in range(rounds):
        tb.append(timeit.timeit(base, number=number) / number)
        tf.append(timeit.timeit(fn, number=number) / number)
    return min(tb), min(tf)


def measure(quick=False):
    """Rows of (what, baseline seconds, vjpkit jit seconds, extra note)."""
    vjpkit, vnp = peers.load_vjpkit()
    rows = []
    x = scalar_chain.make_data(quick)["x"]
    f = vjpkit.jit(vjpkit.grad(lambda x: scalar_chain.forward(x, vnp)))
    f(x)
    b, j = interleaved(lambda: scalar_chain.numpy_value_and_grad(x)[1], lambda: f(x),
                       200 if quick else 1000, 3 if quick else 200)
    rows.append(("scalar chain (gradient)", b, j, ""))

    def tiny(x):
        return x * 2.0 + 1.0

    t = vjpkit.jit(tiny)
    t(x)
    b, j = interleaved(lambda: tiny(x), lambda: t(x), 200 if quick else 2000,
                       3 if quick else 200)
    rows.append(("per call: x * 2.0 + 1.0", b, j, "baseline: the plain Python function"))
    xe = elementwise.make_data(quick)["x"]
    g = vjpkit.jit(vjpkit.grad(lambda x: elementwise.forward(x, vnp)))
    g(xe)

    def base():
        return elementwise.numpy_value_and_grad(xe)[1]

    b, j = interleaved(base, lambda: g(xe), 1, 3 if quick else 40)
    peak_b, peak_j = harness.peak_memory(base), harness.peak_memory(lambda: g(xe))
    rows.append((f"elementwise {xe.size} (gradient)", b, j,
                 f"peak memory {peak_j / 2**20:.1f} MiB vs {peak_b / 2**20:.1f} MiB: "
                 f"{peak_j / peak_b:.2f}"))
    return rows


def report(rows):
    lines = ["| workload | NumPy | vjpkit jit | ratio | note |", "|---|---:|---:|---:|---|"]
    for what, b, j, note in rows:
        lines.append(f"| {what} | {harness.format_seconds(b)} | {harness.format_seconds(j)} | "
                     f"{j / b:.2f} | {note} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jit_ratios",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few rounds")
    args = parser.parse_args(argv)
    print(report(measure(args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
