"""How long the one parser takes per format and size, beside pandas.read_csv on the same bytes.

Run: python benchmarks/bench_parsing.py [--sizes 100 1000 2000] [--repeat 3]
Prints medians; nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.parsing import WRITERS, Limits, parse_matrix  # noqa: E402


def median_seconds(fn, repeat: int, clock=time.perf_counter) -> float:
    """Median of `repeat` runs of fn() by `clock` (wall time; `time.process_time` for the CPU time
    of the process's threads, what the work costs whatever else the machine runs)."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'n x n':>11} {'format':>6} {'MB':>7} {'parse_matrix s':>15} {'pandas.read_csv s':>18} {'ratio':>6}")
    for n in args.sizes:
        values = np.round(rng.uniform(-1, 1, size=(n, n)), 6)
        values[rng.random((n, n)) < 0.02] = np.nan
        matrix = TransferMatrix(
            rows=[f"train-{i}" for i in range(n)], cols=[f"test-{j}" for j in range(n)], values=values,
            metric="AUC difference",
        )
        for fmt, (write, suffix, _) in WRITERS.items():
            data = write(matrix).encode()
            if len(data) > Limits().max_bytes:
                print(f"{n:>5} x {n:<5} {fmt:>6} {len(data) / 2**20:7.1f}  over the default size limit")
                continue
            ours = median_seconds(lambda: parse_matrix(data, filename=f"m.{suffix}"), args.repeat)
            if suffix == "csv":
                pandas = median_seconds(
                    lambda: pd.read_csv(io.BytesIO(data), comment="#", index_col=0 if fmt == "wide" else None),
                    args.repeat,
                )
                reference = f"{pandas:18.3f} {ours / pandas:6.1f}"
            else:
                reference = f"{'-':>18} {'-':>6}"
            print(f"{n:>5} x {n:<5} {fmt:>6} {len(data) / 2**20:7.1f} {ours:15.3f} {reference}")


if __name__ == "__main__":
    main()
