"""CI smoke test of the benchmark suite: quick mode, vjpkit and NumPy only.

Not a timing assertion: it checks that every vjpkit entry runs and computes
the same gradient as the hand-written NumPy code (✓ in the table).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run  # noqa: E402
from benchmarks.workloads import ALL  # noqa: E402


def test_quick_benchmarks_vjpkit_gradients_agree(capsys):
  code = run.main(["--quick", "--impl", "numpy,vjpkit eager,vjpkit jit"])
  out = capsys.readouterr().out
  assert code == 0, out
  rows = [line.split("|") for line in out.splitlines() if line.startswith("| ")]
  timed = [r for r in rows if len(r) == 8 and r[2].strip().startswith("vjpkit")]
  assert len(timed) == 2 * len(ALL)
  for row in timed:
    workload, impl, ok = row[1].strip(), row[2].strip(), row[6].strip()
    assert not row[3].strip().startswith("n/a"), (workload, impl, row[3])
    assert ok == "✓", (workload, impl, row)
  memory = [r for r in rows if len(r) == 6 and r[2].strip() == "vjpkit jit"]
  assert memory and all("n/a" not in r[3] for r in memory)


def test_quick_jit_ratios_run(capsys):
  from benchmarks import jit_ratios
  assert jit_ratios.main(["--quick"]) == 0
  out = capsys.readouterr().out
  assert sum(line.startswith("| ") for line in out.splitlines()) == 4
  assert "scalar chain" in out and "peak memory" in out
