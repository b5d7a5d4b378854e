"""Parsing beside `pandas.read_csv` of the same bytes (target: at most 3x, issue 20): a wide
1000 x 1000 CSV (2% missing cells, as the app's download writes it) and long CSVs with seeds
(`train,test,seed,value`, 5 rows a cell, as bench_replicates writes them) at 200 and 500 tasks;
`--all-formats` also times every writer's format (wide, long, JSON) at `--sizes`.

`parse_matrix` reads well-formed text through pandas' C reader and checks it as a whole (the fast
path), and only a file it declines through the detailed reader that names a refusal's line; the
baseline is `pandas.read_csv` alone (`comment="#", index_col=0` for the wide file). Medians of
`--repeat` runs of each, taking turns, wall time.

    python benchmarks/bench_parsing.py [--repeat 7] [--quick] [--all-formats --sizes 100 1000 2000]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.parsing import WRITERS, Limits, parse_matrix  # noqa: E402
from transfer.replicates import Spread, sample_means  # noqa: E402

TARGET_RATIO = 3.0
REPLICATES = 5
ROOMY = Limits(max_bytes=512 * 2**20)  # the long 500-task file is over the default upload size


def median_seconds(fn, repeat: int, clock=time.perf_counter) -> float:
    """Median of `repeat` runs of fn() by `clock` (wall time; `time.process_time` for the CPU time
    of the process's threads, what the work costs whatever else the machine runs)."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def side_by_side(ours, theirs, repeat: int) -> tuple[float, float]:
    """Medians of ours() and theirs(), run in turns (so that a busy moment slows both)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def wide_matrix(n: int, seed: int = 0) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(-1, 1, size=(n, n)), 6)
    values[rng.random((n, n)) < 0.02] = np.nan
    return TransferMatrix(rows=[f"train-{i}" for i in range(n)], cols=[f"test-{j}" for j in range(n)],
                          values=values, metric="AUC difference")


def replicated(n: int, seed: int = 0, shift: float = 0.0) -> TransferMatrix:
    """A seeded n x n matrix of 5 seeds per cell shaped like real transfer (strong diagonal)."""
    rng = np.random.default_rng(seed)
    means = rng.normal(-0.1, 0.1, (n, n))
    np.fill_diagonal(means, rng.uniform(0.1, 0.4, n))
    samples = (means[..., None] + shift + rng.normal(0, 0.03, (n, n, REPLICATES))).round(4)
    _, mean = sample_means(samples)
    labels = [f"task{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=mean, name=f"synthetic {n}x{n}x{REPLICATES}",
                          metric="AUC difference", spread=Spread.from_samples(samples, [str(s) for s in range(5)]))


def long_csv(matrix: TransferMatrix) -> bytes:
    """The replicates as a long CSV train,test,seed,value, one row a replicate (pandas `to_csv`)."""
    samples = matrix.spread.samples
    n_rows, n_cols, reps = samples.shape
    frame = pd.DataFrame({
        "train": np.repeat(matrix.rows, n_cols * reps), "test": np.tile(np.repeat(matrix.cols, reps), n_rows),
        "seed": np.tile(matrix.spread.ids, n_rows * n_cols), "value": samples.ravel(),
    })
    return frame.to_csv(index=False).encode()


def target_rows(repeat: int, wide_n: int, long_sizes: list[int]) -> list[dict]:
    from bench_browser import result

    wide = WRITERS["wide"][0](wide_matrix(wide_n)).encode()
    cases = [(f"{wide_n}x{wide_n}", "parse wide CSV vs pandas.read_csv", wide, {"comment": "#", "index_col": 0})]
    cases += [(f"{n}x{n}x{REPLICATES}", "parse long CSV with seeds vs pandas.read_csv", long_csv(replicated(n)), {})
              for n in long_sizes]
    rows = []
    for size, metric, data, options in cases:
        ours, pandas = side_by_side(lambda: parse_matrix(data, filename="m.csv", limits=ROOMY),
                                    lambda: pd.read_csv(io.BytesIO(data), **options), repeat)
        rows.append(result(metric, size, ours * 1000, "ms", baseline=pandas * 1000, ratio_limit=TARGET_RATIO))
        rows[-1]["note"] = f"{len(data) / 2**20:.1f} MB, median of {repeat} runs"
    return rows


def all_formats(sizes: list[int], repeat: int) -> None:
    """Every writer's format at each size: ours beside pandas.read_csv (CSV formats)."""
    print(f"{'n x n':>11} {'format':>6} {'MB':>7} {'parse_matrix s':>15} {'pandas.read_csv s':>18} {'ratio':>6}")
    for n in sizes:
        matrix = wide_matrix(n)
        for fmt, (write, suffix, _) in WRITERS.items():
            data = write(matrix).encode()
            if len(data) > Limits().max_bytes:
                print(f"{n:>5} x {n:<5} {fmt:>6} {len(data) / 2**20:7.1f}  over the default size limit")
                continue
            ours = median_seconds(lambda: parse_matrix(data, filename=f"m.{suffix}"), repeat)
            if suffix == "csv":
                pandas = median_seconds(
                    lambda: pd.read_csv(io.BytesIO(data), comment="#", index_col=0 if fmt == "wide" else None),
                    repeat,
                )
                reference = f"{pandas:18.3f} {ours / pandas:6.1f}"
            else:
                reference = f"{'-':>18} {'-':>6}"
            print(f"{n:>5} x {n:<5} {fmt:>6} {len(data) / 2**20:7.1f} {ours:15.3f} {reference}")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="300 x 300 wide, 100 tasks long, 3 runs")
    parser.add_argument("--all-formats", action="store_true", help="also every format at --sizes")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    # Imported by benchmarks/run_all.py: defaults, never the runner's own command line.
    args = parser.parse_args(argv if argv is not None or __name__ == "__main__" else [])
    repeat = 3 if args.quick else args.repeat
    rows = target_rows(repeat, *((300, [100]) if args.quick else (1000, [200, 500])))
    from bench_browser import print_table

    print_table(rows)
    if args.all_formats:
        all_formats(args.sizes, repeat)
    return rows


if __name__ == "__main__":
    main()
