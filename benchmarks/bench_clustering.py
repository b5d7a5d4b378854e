"""Clustering + figure build time and figure bytes, ours next to dash_bio.Clustergram, same run.

    /work/main/.venv/bin/python benchmarks/bench_clustering.py [--sizes 10 100 500 1000 2000] [--repeats 3]

Both sides get the same seeded n x n matrices (tasks on both axes, with block structure) and the
same options (average linkage, euclidean distance, optimal leaf order, no centring). Ours: the
cached-linkage path run cold (cache cleared), the heatmap in cluster order with both dendrograms
and bands, serialised with `Figure.to_json()`. dash_bio orders rows and columns independently
(its default `cluster="all"`). Times are medians of `--repeats` runs (one run above 1000 tasks);
bytes are the JSON the browser would receive. dash_bio needs `pip install -r benchmarks/requirements.txt`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transfer import clustering  # noqa: E402
from transfer.cluster_figures import add_cluster_margins, add_cluster_overlay  # noqa: E402
from transfer.clustering import ClusterOptions, cluster_matrix  # noqa: E402
from transfer.figures import heatmap_figure  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402


def make_matrix(n: int, seed: int = 0) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, max(2, n // 20), size=n)
    values = 0.1 * rng.normal(size=(n, n)) + 0.2 * (groups[:, None] == groups[None, :])
    labels = [f"task-{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values)


def ours(matrix: TransferMatrix) -> tuple[float, int, int]:
    clustering.cache_clear()
    start = time.perf_counter()
    result = cluster_matrix(matrix, ClusterOptions())
    shown = matrix.reordered(result.row_order(matrix), result.col_order(matrix))
    fig = heatmap_figure(shown)
    add_cluster_overlay(fig, shown)
    add_cluster_margins(fig, shown, result, 3)
    text = fig.to_json()
    return time.perf_counter() - start, len(text.encode()), len(fig.data)


def dash_bio_clustergram(matrix: TransferMatrix):
    import dash_bio

    def run() -> tuple[float, int, int]:
        start = time.perf_counter()
        fig = dash_bio.Clustergram(
            data=matrix.values, row_labels=list(matrix.rows), column_labels=list(matrix.cols),
            link_method="average", optimal_leaf_order=True, center_values=False, height=800, width=800,
        )
        text = fig.to_json()
        return time.perf_counter() - start, len(text.encode()), len(fig.data)

    return run


def median_of(run, repeats: int) -> tuple[float, int, int]:
    results = [run() for _ in range(repeats)]
    return statistics.median(r[0] for r in results), results[0][1], results[0][2]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    try:
        import dash_bio  # noqa: F401

        peer = "dash_bio " + dash_bio.__version__
    except Exception as err:  # ImportError, or its missing `six`
        peer = None
        print(f"dash_bio is not available ({type(err).__name__}: {err}); install benchmarks/requirements.txt. Showing ours only.\n")

    header = f"{'tasks':>6} | {'ours s':>8} {'ours MB':>8} {'traces':>6}"
    if peer:
        header += f" | {'dash_bio s':>10} {'dash_bio MB':>11} {'traces':>6} | {'time ratio':>10} {'bytes ratio':>11}"
    print(f"Clustering + figure build + JSON; median of {args.repeats} (1 above 1000 tasks). Peer: {peer or 'none'}")
    print(header)
    print("-" * len(header))
    warm = make_matrix(12, seed=1)  # first calls pay for imports and plotly's validators
    ours(warm)
    if peer:
        dash_bio_clustergram(warm)()
    for n in args.sizes:
        matrix = make_matrix(n)
        repeats = 1 if n > 1000 else args.repeats
        t_ours, b_ours, tr_ours = median_of(lambda: ours(matrix), repeats)
        line = f"{n:>6} | {t_ours:>8.3f} {b_ours / 1e6:>8.2f} {tr_ours:>6}"
        if peer:
            t_bio, b_bio, tr_bio = median_of(dash_bio_clustergram(matrix), repeats)
            line += f" | {t_bio:>10.3f} {b_bio / 1e6:>11.2f} {tr_bio:>6} | {t_bio / t_ours:>9.1f}x {b_bio / b_ours:>10.1f}x"
        print(line, flush=True)
    if peer:
        print("\nRatios are dash_bio / ours (higher: ours is faster or smaller).")


if __name__ == "__main__":
    main()
