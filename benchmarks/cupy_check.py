"""Gradients on a GPU with CuPy, against NumPy: the one short check to run where a GPU is.

    python -m benchmarks.cupy_check             # 10^8 elements, MLP 784-1024-1024-10, batch 4096
    python -m benchmarks.cupy_check --quick     # 10^6 elements, a small MLP

Two gradients, each computed by ``vjpkit.grad`` on CuPy arrays (traced, optimised and
evaluated with CuPy's array API) and on NumPy arrays (vjpkit's NumPy path, jitted):
``sum(sin(x) exp(-x^2) + tanh(x))`` over ``--elements`` float64 values, and a tanh MLP's
softmax cross-entropy over a batch. Reported: the median time of each (CuPy times include
the device synchronisation), the speed-up, and the largest relative difference. Exits 1
when the gradients disagree (rtol 1e-10); prints a line and exits 0 without CuPy or a GPU.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: python benchmarks/cupy_check.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _time(fn, repeats, sync=lambda: None):
    fn()
    sync()  # the first call traces (and warms the GPU); not timed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cupy_check")
    parser.add_argument("--elements", type=int, default=10**8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.elements, args.repeats = 10**6, 2
    try:
        import cupy as cp

        if cp.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("no GPU")
    except Exception as e:  # noqa: BLE001 - no CuPy, no driver or no device
        print(f"cupy_check: no CuPy GPU here ({type(e).__name__}: {e}); skipped")
        return 0
    import vjpkit
    import vjpkit.numpy as vnp

    sync = cp.cuda.Device().synchronize
    rows = []

    def elementwise(x):
        return vnp.sum(vnp.sin(x) * vnp.exp(-x * x) + vnp.tanh(x))

    x = np.random.default_rng(0).uniform(-3, 3, args.elements)
    g_np, t_np = _time(lambda: vjpkit.jit(vjpkit.grad(elementwise))(x), args.repeats)
    x_gpu = cp.asarray(x)
    g_cp, t_cp = _time(lambda: vjpkit.grad(elementwise)(x_gpu), args.repeats, sync)
    rows.append((f"elementwise, {args.elements:.0e} float64", t_np, t_cp, cp.asnumpy(g_cp), g_np))

    sizes = (32, 64, 64, 10) if args.quick else (784, 1024, 1024, 10)
    batch = 64 if args.quick else 4096
    rng = np.random.default_rng(1)
    params = [(rng.normal(size=(m, n)) / np.sqrt(m), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(batch, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]

    def mlp_loss(params, X, Y):
        h = X
        for W, b in params[:-1]:
            h = vnp.tanh(h @ W + b)
        W, b = params[-1]
        return -vnp.mean(vnp.sum(vjpkit.nn.log_softmax(h @ W + b) * Y, axis=1))

    m_np, t_np = _time(lambda: vjpkit.jit(vjpkit.grad(mlp_loss))(params, X, Y), args.repeats)
    p_gpu = [(cp.asarray(W), cp.asarray(b)) for W, b in params]
    X_gpu, Y_gpu = cp.asarray(X), cp.asarray(Y)
    m_cp, t_cp = _time(lambda: vjpkit.grad(mlp_loss)(p_gpu, X_gpu, Y_gpu), args.repeats, sync)
    flat_cp = np.concatenate([cp.asnumpy(a).ravel() for Wb in m_cp for a in Wb])
    flat_np = np.concatenate([np.asarray(a).ravel() for Wb in m_np for a in Wb])
    rows.append((f"MLP {'-'.join(map(str, sizes))}, batch {batch}", t_np, t_cp, flat_cp, flat_np))

    print(f"## vjpkit.grad on CuPy ({cp.cuda.runtime.getDeviceProperties(0)['name'].decode()}) "
          "against NumPy (vjpkit.jit)\n")
    print("| gradient | NumPy | CuPy | speed-up | max rel. difference |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for name, tn, tc, got, want in rows:
        rel = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
        worst = max(worst, rel)
        print(f"| {name} | {tn * 1e3:.1f} ms | {tc * 1e3:.1f} ms | {tn / tc:.1f}x | {rel:.1e} |")
    return 0 if worst <= 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
