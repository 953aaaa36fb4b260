"""How compile time grows with program size: ``jit(grad(f))`` of an n-operation chain.

Each size runs in its own Python process (a fresh interpreter, so peak memory is that
compile's alone) and reports its phases: trace (staging ``grad(f)`` into a program),
optimize (``vjpkit.passes.optimize``), codegen (writing the NumPy source) and Python
compile (``compile()`` of that source, measured as one text: the compiler itself
compiles it function by function), next to one eager ``grad(f)`` of the same program.
Programs of ``codegen.PLAN_MIN_EQNS`` equations or more compile to an execution plan
(``vjpkit/interpreters/plan.py``) instead of source: their codegen column is building
the plan, and there is no Python compile. The phases run with the garbage collector
paused, as ``jit`` runs them (``vjpkit/jit_gc.py``).
Times are CPU times of the process (``time.process_time``: the machine may be shared).
Time per operation should be flat across sizes: every phase linear.

    python -m benchmarks.compile_scaling            # 1k, 10k, 100k operations
    python -m benchmarks.compile_scaling --quick    # 100, 300, 1000: smoke test
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (100, 300, 1_000)
OPS_PER_STEP = 3  # tanh, mul, add


def chain(x, n, m):
    """n operations (n // 3 steps of y = tanh(y) * 0.5 + y) on a scalar: all overhead."""
    y = x
    for _ in range(max(n // OPS_PER_STEP, 1)):
        y = m.tanh(y) * 0.5 + y
    return y


def _rss_bytes():
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage if sys.platform == "darwin" else usage * 1024


def measure_one(n):
    """Phases of ``jit(grad(chain))`` at size n, in this process (see ``main``)."""
    import numpy as np

    import vjpkit
    import vjpkit.numpy as vnp
    from vjpkit.core.avals import get_aval
    from vjpkit.interpreters.codegen import compile_jaxpr
    from vjpkit.interpreters.partial_eval import trace_to_jaxpr
    from vjpkit.interpreters.plan import PlanCompiled
    from vjpkit.jit_gc import gc_paused
    from vjpkit.passes import optimize

    x = np.float64(0.3)
    f = lambda x: chain(x, n, vnp)  # noqa: E731
    grad = vjpkit.grad(f)
    grad(np.float64(0.1))  # imports and caches warm
    start = time.process_time()
    expected = grad(x)
    eager = time.process_time() - start
    base_rss = _rss_bytes()

    start = time.process_time()
    jitted = vjpkit.jit(grad)
    got = jitted(x)
    total = time.process_time() - start
    peak_rss = _rss_bytes()  # before the phases below keep a second program alive
    ok = bool(np.allclose(got, expected, rtol=1e-12, atol=0))
    del jitted, got

    phases = {}
    with gc_paused():  # as jit compiles (vjpkit/jit_gc.py)
      start = time.process_time()
      jaxpr, consts = trace_to_jaxpr(lambda x: [grad(x)], [get_aval(x)])
      phases["trace"] = time.process_time() - start
      n_staged = len(jaxpr.eqns)
      start = time.process_time()
      jaxpr, consts = optimize(jaxpr, consts)
      phases["optimize"] = time.process_time() - start
      start = time.process_time()
      compiled = compile_jaxpr(jaxpr, consts, "grad")
      generate_and_compile = time.process_time() - start
    plan = isinstance(compiled, PlanCompiled)
    if plan:  # no Python source is compiled: the plan is built directly
      phases["python compile"] = 0.0
    else:
      source = compiled.source
      start = time.process_time()
      compile(source, "<grad>", "exec")
      phases["python compile"] = time.process_time() - start
    del compiled
    phases["codegen"] = max(generate_and_compile - phases["python compile"], 0.0)
    return {"ops": n, "staged_eqns": n_staged, "optimized_eqns": len(jaxpr.eqns),
            "eager_grad_s": eager, "jit_first_call_s": total, "phases_s": phases,
            "backend": "plan" if plan else "source",
            "peak_rss_bytes": peak_rss, "base_rss_bytes": base_rss, "agrees": ok}


def run_series(sizes, timeout=900):
    """One subprocess per size; returns the list of result dicts (or error entries)."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    results = []
    for n in sizes:
        print(f"[compile scaling] {n} ops ...", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, "-m", "benchmarks.compile_scaling", "--one", str(n)],
                              capture_output=True, text=True, env=env, cwd=root, timeout=timeout)
        if proc.returncode != 0:
            results.append({"ops": n, "error": proc.stderr.strip().splitlines()[-1:]})
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


def table(results):
    from benchmarks.harness import format_seconds

    lines = ["| operations | staged eqns | eager grad | jit(grad) first call | ratio | trace | "
             "optimize | codegen | Python compile | backend | µs per op (jit) | peak RSS | ok |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|:---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['ops']} | error: {' '.join(r['error'])} |" + " |" * 11)
            continue
        p = r["phases_s"]
        lines.append(
            f"| {r['ops']:,} | {r['staged_eqns']:,} | {format_seconds(r['eager_grad_s'])} | "
            f"{format_seconds(r['jit_first_call_s'])} | "
            f"{r['jit_first_call_s'] / r['eager_grad_s']:.1f}× | "
            + " | ".join(format_seconds(p[k]) for k in ("trace", "optimize", "codegen",
                                                        "python compile"))
            + f" | {r.get('backend', 'source')} | {r['jit_first_call_s'] / r['ops'] * 1e6:.1f} | "
            f"{r['peak_rss_bytes'] / 2**20:.0f} MB (+{(r['peak_rss_bytes'] - r['base_rss_bytes']) / 2**20:.0f}) | "
            f"{'✓' if r['agrees'] else '✗'} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compile_scaling",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 100, 300, 1000")
    parser.add_argument("--sizes", help="comma-separated operation counts")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the per-size subprocess
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one)))
        return 0
    sizes = (tuple(int(s) for s in args.sizes.split(",")) if args.sizes
             else QUICK_SIZES if args.quick else FULL_SIZES)
    results = run_series(sizes)
    print("## Compile time against program size: jit(grad(f)) of an n-operation chain\n")
    print(table(results))
    print("\nEach size in a fresh process; ratio = jit(grad) first call / one eager grad; "
          "peak RSS is the whole process's (in brackets: added by the compile, over the eager run).\n")
    return 0 if all("error" not in r and r["agrees"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
