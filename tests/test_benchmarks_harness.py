"""The benchmark harness must flag wrong gradients and errors, and must treat
a missing vjpkit feature as "n/a" rather than crash: NumPy-only, so fast."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import check, harness, run  # noqa: E402
from benchmarks.workloads import scalar_chain  # noqa: E402


def test_compare_accepts_rounding_and_rejects_wrong_values():
    expected = [(np.ones((2, 3)), np.arange(3.0))]
    assert check.compare([(np.ones((2, 3)) + 1e-15, np.arange(3.0))], expected)[0]
    assert not check.compare([(np.ones((2, 3)), np.arange(3.0) * 1.01)], expected)[0]
    assert not check.compare([(np.ones((3, 2)), np.arange(3.0))], expected)[0]
    assert not check.compare([(np.ones((2, 3), np.float32), np.arange(3.0))], expected)[0]
    assert not check.compare([np.ones((2, 3)), np.arange(3.0)], expected)[0]


def test_autorange_and_formatting():
    assert harness.autorange(lambda: None, 0.0) == 1
    assert harness.autorange(lambda: None, 1e-4) >= 2
    assert harness.format_seconds(1.5e-3) == "1.5 ms"
    assert harness.format_seconds(2e-8) == "20 ns"
    assert harness.format_bytes(3 * 2**20) == "3 MiB"


def _run(capsys, *argv):
    code = run.main(["--quick", "--only", "scalar chain", "--no-memory", *argv])
    return code, capsys.readouterr().out


def test_numpy_only_run_prints_a_table(capsys):
    code, out = _run(capsys, "--impl", "numpy")
    assert code == 0
    assert "| scalar chain | numpy |" in out and "| 1.00 |" in out


def test_wrong_gradient_fails_the_run(capsys, monkeypatch):
    def wrong(data):
        return lambda: np.float64(0.0)

    monkeypatch.setitem(scalar_chain.IMPLEMENTATIONS, "autograd", wrong)
    code, out = _run(capsys, "--impl", "autograd")
    assert code == 1
    assert "✗" in out


def test_missing_vjpkit_feature_is_not_applicable(capsys, monkeypatch):
    def unfinished(data):
        raise NotImplementedError("jit of this is coming")

    monkeypatch.setitem(scalar_chain.IMPLEMENTATIONS, "vjpkit jit", unfinished)
    code, out = _run(capsys, "--impl", "vjpkit jit")
    assert code == 0
    assert "n/a (NotImplementedError: jit of this is coming)" in out


def test_unexpected_error_is_reported_and_fails(capsys, monkeypatch):
    def broken(data):
        raise TypeError("boom")

    monkeypatch.setitem(scalar_chain.IMPLEMENTATIONS, "vjpkit eager", broken)
    code, out = _run(capsys, "--impl", "vjpkit eager")
    assert code == 1
    assert "error (TypeError: boom)" in out


def test_an_implementations_settings_hold_while_it_runs_only():
    import vjpkit

    seen = []

    def build(data):
        seen.append(vjpkit.config.jit_scalar_libm)
        return lambda: seen.append(vjpkit.config.jit_scalar_libm) or 1.0

    class Workload:
        NAME, MEASURE_MEMORY = "w", False
        IMPLEMENTATIONS = {"vjpkit jit libm": build}

    class Args:
        min_time, repeats, no_memory = 0.0, 1, True

    row, _ = run.measure(Workload, "vjpkit jit libm", None, 1.0, Args)
    assert row.agrees and set(seen) == {True}
    assert vjpkit.config.jit_scalar_libm is False
