"""Task metadata: filter, collapse and the within-vs-between permutation test at 100, 500 and 1000
tasks in 10 groups (target: the permutation test, 9,999 shuffles, under 0.5 s at 1000 tasks).

- filter: `filter_matrix` with a text filter and a `where` on the field (both axes), beside
  `TransferMatrix.reordered` of the same rows and columns (the subsetting alone);
- collapse: `collapse` to the 10 x 10 group matrix (block means without in-domain cells), and with
  5 replicates per cell (per-replicate block means and their spread);
- group_stats: within and between means and the permutation p-value (`transfer.taskgroups`),
  with threads as configured (`taskgroups.THREADS`, 2) and on one thread.

Medians of wall-clock time (the machine's other load counts), and for the permutation test also
of the process's CPU time (what it costs, whatever else runs). `main()` prints a table and returns
its rows (like bench_browser's).

- browser: warm load of a clustered view with both panels, a track and a `where` filter (1000
  tasks -> 800) beside the same view of those 800 tasks stored without annotations (target:
  within 1.1x), the two pages taking turns.

    python benchmarks/bench_annotations.py [--sizes 100 500 1000] [--repeat 5] [--groups 10] [--loads 3] [--no-browser]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_browser import print_table  # noqa: E402
from bench_browser import result as row  # noqa: E402
from bench_parsing import median_seconds  # noqa: E402

import transfer.taskgroups as taskgroups  # noqa: E402
from transfer.annotations import Annotations  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.replicates import Spread, sample_means  # noqa: E402
from transfer.taskgroups import collapse, filter_matrix, group_stats  # noqa: E402

PERMUTATION_LIMIT_S = 0.5  # at 1000 tasks, 10 groups, 9,999 permutations


def grouped(n: int, groups: int, seed: int = 0, replicates: int = 0) -> tuple[TransferMatrix, Annotations]:
    """A seeded n x n matrix whose tasks fall in `groups` groups (group g: tasks g, g + groups, ...),
    transfer slightly higher within a group, a strong diagonal, 1% missing cells; with
    `replicates`, that many seeds per cell."""
    rng = np.random.default_rng(seed)
    kind = np.arange(n) % groups
    means = rng.normal(-0.1, 0.1, (n, n)) + 0.03 * (kind[:, None] == kind[None, :])
    np.fill_diagonal(means, rng.uniform(0.1, 0.4, n))
    means[rng.random((n, n)) < 0.01] = np.nan
    labels = [f"task{i:04d}_{'qa' if i % 3 else 'nli'}" for i in range(n)]
    spread = None
    if replicates:
        samples = means[..., None] + rng.normal(0, 0.03, (n, n, replicates))
        _, means = sample_means(samples)
        spread = Spread.from_samples(samples, [str(s) for s in range(replicates)])
    matrix = TransferMatrix(rows=labels, cols=labels, values=means, name=f"synthetic {n}x{n}", spread=spread)
    fields = ("task_type", "with_context")
    table = {label: (f"type {kind[i]}", "yes" if i % 2 else "no") for i, label in enumerate(labels)}
    return matrix, Annotations(fields, tuple(labels), table)


def core_rows(sizes: list[int], groups: int, repeat: int) -> list[dict]:
    rows = []
    for n in sizes:
        size = f"{n}x{n}"
        matrix, annotations = grouped(n, groups)
        where = ("task_type", tuple(f"type {g}" for g in range(0, groups, 2)))  # half the groups
        kept = [i for i, label in enumerate(matrix.rows) if "qa" in label and int(label[4:8]) % groups % 2 == 0]
        filtered = median_seconds(lambda: filter_matrix(matrix, annotations, "QA", where), repeat)
        subset = median_seconds(lambda: matrix.reordered(kept, kept), repeat)
        rows.append(row("filter (text + where, both axes)", size, filtered * 1000, "ms", baseline=subset * 1000))
        collapsed = median_seconds(lambda: collapse(matrix, annotations, "task_type"), repeat)
        rows.append(row(f"collapse to {groups} groups", size, collapsed * 1000, "ms"))
        replicated, _ = grouped(n, groups, replicates=5)
        collapsed = median_seconds(lambda: collapse(replicated, annotations, "task_type"), repeat)
        rows.append(row(f"collapse to {groups} groups, 5 replicates", f"{size}x5", collapsed * 1000, "ms"))
        stats = median_seconds(lambda: group_stats(matrix, annotations, "task_type"), repeat)
        threads, taskgroups.THREADS = taskgroups.THREADS, 1
        try:
            single = median_seconds(lambda: group_stats(matrix, annotations, "task_type"), repeat)
        finally:
            taskgroups.THREADS = threads
        rows.append(
            row(
                f"within vs between, {taskgroups.PERMUTATIONS:,} permutations",
                size,
                stats * 1000,
                "ms",
                baseline=single * 1000,
                limit=PERMUTATION_LIMIT_S * 1000 if n == 1000 else None,
            )
        )
        cpu = median_seconds(lambda: group_stats(matrix, annotations, "task_type"), repeat, time.process_time)
        rows.append(row("within vs between, CPU time of both threads", size, cpu * 1000, "ms"))
    return rows


def browser_rows(groups: int, loads: int) -> list[dict]:
    """Warm load of a clustered 1000-task view with both panels, an annotation track and a filter
    (`where` keeping 8 of the 10 groups: 800 tasks) beside the same view of those 800 tasks stored
    without annotations, in one run, the two pages taking turns (target: within 1.1x)."""
    from bench_browser import FULL_VIEW_JS, bench_app, warm_loads
    from playwright.sync_api import sync_playwright

    from web import services

    from browser import HEATMAP_PLOT
    from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    matrix, annotations = grouped(1000, groups)
    kept_values = tuple(f"type {g}" for g in range(groups - 2))
    kept = [i for i, label in enumerate(matrix.rows) if annotations.value(label, "task_type") in kept_values]
    bare = matrix.reordered(kept, kept)
    n = len(kept)
    r, c = bare.rows[n // 3], bare.cols[n // 2]
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(f"sqlite:///{tmp}/bench.sqlite")
        datasets = app.server.config[services.DATASETS_KEY]
        matrix_id, bare_id, ann_id = datasets.put(matrix), datasets.put(bare), datasets.put_annotations(annotations)
        where = urlencode({"where": f"task_type:{'|'.join(kept_values)}"})
        common = f"order=cluster&k=4&row={r}&col={c}"
        plain_link = f"/?dataset={bare_id}&{common}&track=none"
        annotated_link = f"/?dataset={matrix_id}&ann={ann_id}&{where}&{common}&track=task_type"
        server = LiveServer(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                plain, annotated = warm_loads(
                    browser, [(server.url + link, FULL_VIEW_JS, [HEATMAP_PLOT, n, r, c])
                              for link in (plain_link, annotated_link)], loads,
                )
                browser.close()
        finally:
            server.stop()
    return [row("warm load: clustered view, both panels, a track and a filter", f"1000 -> {n}", annotated, "ms",
                baseline=plain, ratio_limit=1.1)]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loads", type=int, default=3, help="warm loads per median (default 3)")
    parser.add_argument("--no-browser", action="store_true", help="the core steps only")
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 300, 1 repeat, 1 warm load")
    args = parser.parse_args(argv if argv is not None or __name__ == "__main__" else [])
    if args.quick:
        args.sizes, args.repeat, args.loads = [100, 300], 1, 1
    rows = core_rows(args.sizes, args.groups, args.repeat)
    if not args.no_browser:
        rows += browser_rows(args.groups, args.loads)
    print("(within vs between: baseline = the same on one thread)")
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
