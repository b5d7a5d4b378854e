"""Replicates: parsing and statistics at 100, 500 and 1000 tasks x 5 replicates, and the clustered
1000 x 1000 warm load with the uncertainty palette beside the same view of the means alone.

- parse: a long CSV `train,test,seed,value` (5 rows per cell) through `parse_matrix`, beside
  `pandas.read_csv` of the same bytes;
- statistics: `transfer.uncertainty.cell_stats` of the matrix (intervals, t-tests, BH q-values),
  of a comparison with another replicated matrix (paired) and of norm=diag (target: the
  1000 x 1000 x 5 statistics under 1 s);
- browser: warm load of the clustered view with both panels (cluster order, k=4, a selected
  cell) of the replicated matrix with `unc=vsup`, beside the same link on a matrix of its means
  alone (target: within 1.3x), in one run, the two pages taking turns.

Medians. `main()` prints a table and returns its rows (like bench_browser's).

    python benchmarks/bench_replicates.py [--sizes 100 500 1000] [--repeat 3] [--loads 3] [--no-browser]
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_browser import print_table  # noqa: E402
from bench_browser import result as row  # noqa: E402
from bench_parsing import REPLICATES, long_csv, median_seconds, replicated  # noqa: E402

from transfer.compare import derive  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.parsing import Limits, parse_matrix  # noqa: E402
from transfer.uncertainty import cell_stats  # noqa: E402

# A 1000 x 1000 x 5 long CSV is ~100 MB, over the default upload limit (64 MB): parsed here
# with room, as a deployment that raises TMX_MAX_UPLOAD_BYTES would.
BENCH_LIMITS = Limits(max_bytes=512 * 2**20)


def core_rows(sizes: list[int], repeat: int) -> list[dict]:
    rows = []
    for n in sizes:
        size = f"{n}x{n}x{REPLICATES}"
        matrix, other = replicated(n), replicated(n, seed=1, shift=0.02)
        data = long_csv(matrix)
        parse = median_seconds(lambda: parse_matrix(data, filename="runs.csv", limits=BENCH_LIMITS), repeat)
        pandas = median_seconds(lambda: pd.read_csv(io.BytesIO(data)), repeat)
        rows.append(row("parse long CSV with seeds", size, parse * 1000, "ms", baseline=pandas * 1000))

        def fresh(m: TransferMatrix) -> TransferMatrix:  # cell_stats memoises on the matrix object
            return TransferMatrix(rows=m.rows, cols=m.cols, values=m.values, spread=m.spread)

        stats_s = median_seconds(lambda: cell_stats(fresh(matrix), 95), repeat)
        rows.append(row("statistics (CI, t-test, BH)", size, stats_s * 1000, "ms",
                        limit=1000 if n == 1000 else None))
        compared = median_seconds(lambda: cell_stats(derive(matrix, "none", other, "o").matrix), repeat)
        rows.append(row("comparison (paired) + statistics", size, compared * 1000, "ms"))
        diag = median_seconds(lambda: cell_stats(derive(matrix, "diag").matrix), repeat)
        rows.append(row("norm=diag (paired) + statistics", size, diag * 1000, "ms"))
    return rows


def browser_rows(loads: int) -> list[dict]:
    from bench_browser import FULL_VIEW_JS, bench_app, warm_loads
    from playwright.sync_api import sync_playwright

    from web import services

    from browser import HEATMAP_PLOT
    from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(f"sqlite:///{tmp}/bench.sqlite")
        datasets = app.server.config[services.DATASETS_KEY]
        matrix = replicated(1000)
        means = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values, name=matrix.name,
                               metric=matrix.metric)
        with_id, means_id = datasets.put(matrix), datasets.put(means)
        server = LiveServer(app)
        n = 1000
        r, c = matrix.rows[n // 3], matrix.cols[n // 2]
        link = f"{server.url}/?dataset={{}}&order=cluster&k=4&row={r}&col={c}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                plain, vsup = warm_loads(browser, [(link.format(means_id), FULL_VIEW_JS, [HEATMAP_PLOT, n, r, c]),
                                                   (link.format(with_id), FULL_VIEW_JS, [HEATMAP_PLOT, n, r, c])],
                                         loads)
                browser.close()
        finally:
            server.stop()
    return [row("warm load: clustered view, both panels, unc=vsup", "1000x1000x5", vsup, "ms", baseline=plain,
                ratio_limit=1.3)]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loads", type=int, default=3, help="warm loads per median (default 3)")
    parser.add_argument("--no-browser", action="store_true", help="parsing and statistics only")
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 300, 1 repeat, 1 warm load")
    args = parser.parse_args(argv if argv is not None or __name__ == "__main__" else [])
    if args.quick:
        args.sizes, args.repeat, args.loads = [100, 300], 1, 1
    rows = core_rows(args.sizes, args.repeat)
    if not args.no_browser:
        rows += browser_rows(args.loads)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
