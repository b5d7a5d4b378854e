"""The table tab's server callback (components/table.py `draw`) at 1000 x 1000 (target: well
under 100 ms a request).

Each case posts the callback's request as the browser sends it (`/_dash-update-component`,
through Flask's test client: routing, request checks, the callback, the JSON answer) for a view
of a seeded matrix with 1% missing cells: the first window, a window deep in the matrix, sorted
by a column, by the row label, with both thresholds and `diag=0`, under cluster order (its
linkage cached, as after the heatmap was drawn) and, with 5 replicates a cell, with `sig`. The
view's derived matrices and statistics are cached by the app after the first request of a view
(a warm-up run), as when a person pages or sorts. Prints the median and the slowest of
`--repeat` requests per case, in milliseconds, and the answer's size; `main()` returns the
medians as benchmarks/run_all.py's rows.

    .venv/bin/python benchmarks/bench_table.py [--size 1000] [--repeat 20] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from components import ids  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.replicates import Spread  # noqa: E402
from web import services  # noqa: E402
from web.config import Config  # noqa: E402
from web.factory import create_app  # noqa: E402

from callbacks import CALLBACK_PATH, callback_body, callback_key  # noqa: E402

TARGET_MS = 100


def matrices(n: int) -> tuple[TransferMatrix, TransferMatrix]:
    """A seeded n x n matrix (1% missing), and the same means with 5 replicates a cell."""
    rng = np.random.default_rng(7)
    labels = [f"task{i:04d}" for i in range(n)]
    values = rng.normal(0, 0.1, (n, n))
    values[rng.random((n, n)) < 0.01] = np.nan
    plain = TransferMatrix(rows=labels, cols=labels, values=values, name="bench", metric="AUC difference")
    std = np.where(np.isnan(values), np.nan, 0.05)
    n_rep = np.where(np.isnan(values), 0, 5).astype(float)
    spread = Spread.from_summary(std, n_rep)
    replicated = TransferMatrix(rows=labels, cols=labels, values=values, name="bench-seeds",
                                metric="AUC difference", spread=spread)
    return plain, replicated


def main(argv: list[str] | None = None) -> list[dict]:
    from bench_browser import result

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="300 x 300, 5 requests a case")
    # Imported by benchmarks/run_all.py: defaults, never the runner's own command line.
    args = parser.parse_args(argv if argv is not None or __name__ == "__main__" else [])
    if args.quick:
        args.size, args.repeat = 300, 5
    n = args.size
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(database_url=f"sqlite:///{tmp}/bench.sqlite"))
        store = app.server.config[services.DATASETS_KEY]
        plain, replicated = matrices(n)
        plain_id, replicated_id = store.put(plain), store.put(replicated)
        client = app.server.test_client()
        key = callback_key(app, ids.TABLE_QUERY)
        middle = f"task{n // 2:04d}"
        cases = {
            "first window": f"dataset={plain_id}",
            "deep window (trpage=15, tcpage=40)": f"dataset={plain_id}&trpage=15&tcpage=40",
            "sorted by a column, descending": f"dataset={plain_id}&tsort=desc%3A{middle}",
            "sorted by the row label, descending": f"dataset={plain_id}&tsort=desc",
            "pos, neg and diag=0": f"dataset={plain_id}&pos=0.1&neg=-0.15&diag=0",
            "cluster order, sorted, thresholds": f"dataset={plain_id}&order=cluster&pos=0.1&tsort=asc%3A{middle}",
            "replicates: sig=0.05, marks, intervals": f"dataset={replicated_id}&pos=0.1&neg=-0.1&sig=0.05",
        }
        print(f"table callback at {n} x {n}, {args.repeat} requests a case (ms)")
        print(f"{'case':44} {'median':>7} {'max':>7} {'answer KB':>10}")
        worst = 0.0
        for name, query in cases.items():
            body = callback_body(app, key, {ids.TABLE_QUERY: query})
            first = client.post(CALLBACK_PATH, json=body)  # warm-up: the view's derived matrices
            assert first.status_code == 200, first.get_data(as_text=True)[:300]
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.post(CALLBACK_PATH, json=body)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            median = statistics.median(times)
            worst = max(worst, median)
            print(f"{name:44} {median:7.1f} {max(times):7.1f} {len(response.data) / 1024:10.1f}")
            rows.append(result(f"table view: {name}", f"{n}x{n}", median, "ms", limit=TARGET_MS))
        print(f"slowest median {worst:.1f} ms (target: under {TARGET_MS} ms)")
    return rows


if __name__ == "__main__":
    main()
