"""Cost of the NaN/Inf checks: eager calls and a small gradient with the flags off and on.

``python -m benchmarks.debug_flags`` prints one line per case. Off, ``Primitive.bind`` is the
plain method (the checking one is put in place only while a flag is on), so "off" is the
cost of vjpkit without the feature.
"""
from __future__ import annotations

import timeit
from typing import Callable

import numpy as np


def cases() -> dict[str, tuple[Callable[[], object], int]]:
  import vjpkit
  import vjpkit.numpy as vnp
  from vjpkit import lax
  a, b, x = np.float64(1.5), np.float64(2.5), np.ones(100)
  g = vjpkit.grad(lambda w: vnp.sum(vnp.tanh(w * 2.0 + 1.0) ** 2))
  return {"lax.add of two float64 scalars": (lambda: lax.add(a, b), 20000),
          "lax.sin of f64[100]": (lambda: lax.sin(x), 20000),
          "grad of a small tanh loss, f64[100]": (lambda: g(x), 2000)}


def measure(repeat: int = 7) -> list[tuple[str, float, float]]:
  """(case, microseconds off, microseconds on) for each case, best of ``repeat``."""
  import vjpkit
  rows = []
  for name, (fn, n) in cases().items():
    off = min(timeit.repeat(fn, number=n, repeat=repeat)) / n * 1e6
    with vjpkit.debug_nans(), vjpkit.debug_infs():
      on = min(timeit.repeat(fn, number=n, repeat=repeat)) / n * 1e6
    rows.append((name, off, on))
  return rows


def main() -> None:
  for name, off, on in measure():
    print(f"{name:38s} off {off:8.2f} us   on {on:8.2f} us   ({on / off:.1f}x)")


if __name__ == "__main__":
  main()
