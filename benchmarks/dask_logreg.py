"""A logistic-regression gradient on a Dask cluster: vjpkit.grad against dask-glm.

    python -m benchmarks.dask_logreg                     # 10,000,000 x 20 float64, 100 chunks
    python -m benchmarks.dask_logreg --rows 2000000      # when memory is short
    python -m benchmarks.dask_logreg --quick             # tiny: a smoke test (seconds)

X (rows x cols, float64, in ``--chunks`` row chunks) and y are generated on the workers
of a ``LocalCluster`` (2 workers x 1 thread; ``--threads`` for in-process workers) and
persisted. The gradient of the loss dask-glm uses,
``sum(z + log1p(exp(-z))) - y . z`` with ``z = X beta``, is computed by ``jit(grad(loss))``
on the Dask arrays (traced, optimised and evaluated with Dask's array API) and by
dask-glm's hand-written ``X.T . (sigmoid(z) - y)`` (``dask_glm.families.Logistic``;
without dask-glm installed, the same formula written here, which the report says).
Reported: the relative difference of the gradients, the time to trace and build
vjpkit's graph, the compute time of each and its peak cluster memory growth over the
persisted data (in chunks of X): medians of ``--repeats``, after one warm-up run of each,
alternating which runs first.
Optional: it needs dask[array,distributed] and array-api-compat.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: python benchmarks/dask_logreg.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dask_logreg",
                                     description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--rows", type=int, default=10_000_000)
    add("--cols", type=int, default=20)
    add("--chunks", type=int, default=100, help="row chunks of X")
    add("--repeats", type=int, default=3)
    add("--threads", action="store_true", help="in-process workers (processes=False)")
    add("--quick", action="store_true", help="20,000 x 20 in 4 chunks, one repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.chunks, args.repeats = 20_000, 4, 1
    return args


def vjpkit_loss(beta, X, y):
    import vjpkit.numpy as vnp

    z = X @ beta
    return vnp.sum(z + vnp.log1p(vnp.exp(-z))) - vnp.dot(y, z)


def by_hand_gradient():
    """dask-glm's hand-written gradient, and where it comes from."""
    try:
        from dask_glm.families import Logistic

        return Logistic.pointwise_gradient, "dask_glm.families.Logistic.pointwise_gradient"
    except ImportError:
        import dask.array as da

        def gradient(beta, X, y):  # dask-glm's formula
            return X.T.dot(1 / (1 + da.exp(-X.dot(beta))) - y)

        return gradient, "X.T.dot(sigmoid(X.dot(beta)) - y), dask-glm's formula (dask-glm not installed)"


def _peak_growth(client, fn):
    """Run ``fn`` (a compute) and return (result, seconds, peak growth in bytes of the
    cluster's process memory over what it held before)."""
    from distributed.diagnostics import MemorySampler

    sampler = MemorySampler()
    with sampler.sample("run", interval=0.05, measure="process"):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    series = sampler.samples["run"]
    values = [v for _, v in series]
    base = values[0] if values else 0
    return result, seconds, (max(values) - base) if values else float("nan")


def main(argv=None):
    args = parse_args(argv)
    try:
        import dask
        import dask.array as da
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        print(f"dask_logreg: needs dask[array,distributed] ({e}); skipped")
        return 0
    import vjpkit

    gradient, source = by_hand_gradient()
    rows, cols = args.rows, args.cols
    chunk_rows = -(-rows // args.chunks)
    chunk_bytes = chunk_rows * cols * 8
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=not args.threads,
                      dashboard_address=None, memory_limit=None) as cluster, \
            Client(cluster) as client:
        rng = da.random.default_rng(0)
        X = rng.normal(size=(rows, cols), chunks=(chunk_rows, cols))
        beta_true = np.linspace(-1, 1, cols)
        y = (rng.random(rows, chunks=chunk_rows) < 1 / (1 + da.exp(-X @ beta_true))).astype(np.float64)
        X, y = client.persist([X, y])
        dask.distributed.wait([X, y])
        beta = np.full(cols, 0.05)

        grad = vjpkit.jit(vjpkit.grad(vjpkit_loss))   # traced once, then only evaluated
        start = time.perf_counter()
        g_graph = grad(beta, X, y)
        build = time.perf_counter() - start
        runs = {"ours": lambda: grad(beta, X, y).compute(),
                "theirs": lambda: gradient(beta, X, y).compute()}
        for run in runs.values():  # warm-up: the workers' first allocations are not growth
            run()
        times = {"ours": [], "theirs": []}
        memory = {"ours": [], "theirs": []}
        results = {}
        for i in range(args.repeats):  # alternating which goes first
            for name in (("ours", "theirs") if i % 2 == 0 else ("theirs", "ours")):
                results[name], t, m = _peak_growth(client, runs[name])
                times[name].append(t)
                memory[name].append(m)
        g_auto, g_hand = results["ours"], results["theirs"]
        ours, theirs = times["ours"], times["theirs"]
        ours_mem, theirs_mem = memory["ours"], memory["theirs"]
        rel = float(np.max(np.abs(g_auto - g_hand)) / np.max(np.abs(g_hand)))
        tasks = len(g_graph.__dask_graph__())

    mode = "threads" if args.threads else "processes"
    print(f"## Logistic-regression gradient on Dask: X {rows:,} x {cols} float64 in "
          f"{args.chunks} chunks ({chunk_bytes / 2**20:.1f} MiB each), persisted; "
          f"LocalCluster 2 workers x 1 thread ({mode})\n")
    print(f"hand-written gradient: {source}\n")
    print("| implementation | compute (median) | peak memory growth | graph |")
    print("|---|---|---|---|")
    print(f"| vjpkit.grad | {statistics.median(ours):.3f} s | "
          f"{statistics.median(ours_mem) / chunk_bytes:.2f} chunks | traced and built in {build * 1e3:.0f} ms, "
          f"{tasks} tasks |")
    print(f"| dask-glm (by hand) | {statistics.median(theirs):.3f} s | "
          f"{statistics.median(theirs_mem) / chunk_bytes:.2f} chunks | |")
    print(f"\nrelative difference of the gradients: {rel:.2e}; vjpkit / by hand: "
          f"{statistics.median(ours) / statistics.median(theirs):.2f}")
    return 0 if rel <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
