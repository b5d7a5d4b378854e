"""Time insights, comparison and normalisations on seeded random square matrices.

Run: /work/main/.venv/bin/python benchmarks/bench_insights.py
Prints medians (ms) per size, side by side in one run; 5% of cells missing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transfer.compare import compare, normalise  # noqa: E402
from transfer.insights import build_insights  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402


def random_matrix(n: int, seed: int) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 0.1, (n, n))
    values[rng.random((n, n)) < 0.05] = np.nan
    labels = [f"task{i}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values, name=f"m{seed}")


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    print(f"{'n':>6} {'insights':>10} {'compare':>10} {'diag':>10} {'zrow':>10} {'zcol':>10}  (median ms)")
    for n, repeats in ((10, 50), (100, 10), (300, 5), (1000, 3)):
        a, b = random_matrix(n, 1), random_matrix(n, 2)
        row = [
            median_ms(lambda: build_insights(a), repeats),
            median_ms(lambda: compare(a, b), repeats),
            *(median_ms(lambda norm=norm: normalise(a, norm), repeats) for norm in ("diag", "zrow", "zcol")),
        ]
        print(f"{n:>6} " + " ".join(f"{value:>10.2f}" for value in row))


if __name__ == "__main__":
    main()
