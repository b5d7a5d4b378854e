"""Resident memory of one gunicorn worker over 1,000 mixed interactions on a 2000 x 2000 matrix.

    /work/main/.venv/bin/python benchmarks/bench_memory.py [--interactions 1000] [--quick]

gunicorn as the Dockerfile runs it, with TMX_WORKERS=1 so that one worker serves every request
(its RSS, from /proc, is the figure), and `--timeout 900`: a cold clustering of 2000 tasks (SciPy's
optimal leaf ordering) can outlast the configured 60 s on this loaded 2-core machine, and a
restarted worker would hide the figure measured here (the slowest response of each kind is
printed). A seeded 2000 x 2000 matrix is uploaded through POST /api/datasets; then one client
sends the browser's exact requests in a fixed seeded mix: 50% a new cell selection (a click's
GET /api/selection), 15% a full heatmap redraw under another normalisation / order / linkage
(12 combinations: every cache sees evictions and hits), 15% a new cut or cluster (the heatmap's
margin patch), 10% the clustering card and dendrogram tab, 10% the insights. RSS is read after
loading and after every interaction, once the worker has finished it (its CPU time stops
moving); "growth" is the second half: the median RSS of the last tenth of the interactions
minus that of the tenth before the midpoint (single readings swing by tens of MB with what the
allocator has returned yet; they are printed too).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# The repository's packages, for a script run from anywhere (dash_client adds them too, later).
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from bench_throughput import synthetic  # noqa: E402

from transfer.viewstate import ViewState  # noqa: E402

from dash_client import Callbacks, Gunicorn, connect, request, rss_mb  # noqa: E402

UPDATE = "/_dash-update-component"
# Not `diag` at 2000: SciPy's optimal leaf ordering of that tree alone takes over 60 s here, and
# gunicorn's timeout (60 s) restarts the worker, which would hide the figure this measures.
NORMS = ("none", "zrow", "zcol")


def interactions(
    callbacks: Callbacks, dataset: str, labels: list[str], count: int, seed: int = 0,
) -> list[tuple[str, str, str, bytes | None]]:
    """(kind, method, path, body) of each interaction, as the page sends them."""
    rng = random.Random(seed)
    n = len(labels)
    out = []
    for i in range(count):
        norm, order, method = rng.choice(NORMS), rng.choice(("data", "cluster")), rng.choice(("average", "complete"))
        k = rng.randint(1, 8)
        state = ViewState(dataset=dataset, norm=norm, order=order, method=method, k=k if k > 1 else None,
                          cluster=rng.randint(1, k) if k > 1 else None, row=labels[rng.randrange(n)],
                          col=labels[rng.randrange(n)])
        roll = rng.random()
        if roll < 0.5:
            out.append(("selection", "GET", "/api/selection?" + state.to_query(), None))  # a click's numbers
            continue
        elif roll < 0.65:
            kind, body = "redraw", callbacks.body("heatmap-meta.data", state, changed="norm")
        elif roll < 0.80:
            meta = {"key": dataset, "cut": [None, None]}
            kind, body = ("cut patch",
                callbacks.body("heatmap.figure@", state, changed="cluster-k", extra={("heatmap-meta", "data"): meta}))
        elif roll < 0.90:
            # on the open dendrogram tab (otherwise the callback does not draw it)
            kind, body = ("dendrogram",
                          callbacks.body("dendrogram.figure", replace(state, tab="dendrogram"), changed="cluster-k"))
        else:
            kind, body = "insights", callbacks.body("insights.children", state, changed="heatmap-meta",
                                                    # after a redraw
                                                    extra={
                                                        ("heatmap-meta", "data"): {"key": dataset}
                                                    })
        out.append((kind, "POST", UPDATE, body))
    return out


def cpu_ticks(pid: int) -> int:
    """A process's user + system CPU time so far, in clock ticks (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def settled_rss_mb(pid: int, step: float = 0.02, limit: float = 1.0) -> float:
    """RSS once the worker has finished the request: gunicorn sends the response before it drops
    the request's objects and runs post_request (malloc_trim), so a reading taken the moment the
    response arrives catches tens of MB on their way out. Waits until the worker's CPU time stops
    moving (at most `limit` seconds)."""
    deadline, before = time.monotonic() + limit, cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(step)
        now = cpu_ticks(pid)
        if now == before:
            break
        before = now
    return rss_mb(pid)


def run(n: int = 2000, count: int = 1000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(
            {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "TMX_WORKERS": "1"}, extra_args=("--timeout", "900"),
        )
        try:
            (worker,) = server.worker_pids()
            idle = rss_mb(worker)
            matrix = synthetic(n, seed=7)
            import json

            status, body = request(server.url, "POST", "/api/datasets", matrix.to_csv().encode(),
                                   content_type="text/csv")
            if status != 201:
                raise RuntimeError(f"upload failed: {status} {body[:200]!r}")
            dataset = json.loads(body)["id"]
            callbacks = Callbacks.fetch(server.url)
            loaded = rss_mb(worker)
            plan = interactions(callbacks, dataset, list(matrix.rows), count)
            connection = connect(server.url)
            rss, statuses, kinds = [], {}, {}
            started = time.perf_counter()
            slowest: dict[str, float] = {}
            for kind, method, path, payload in plan:
                sent = time.perf_counter()
                status, _ = request(server.url, method, path, payload, connection=connection)
                slowest[kind] = max(slowest.get(kind, 0.0), time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
                kinds[kind] = kinds.get(kind, 0) + 1
                rss.append(settled_rss_mb(worker))
            connection.close()
            elapsed = time.perf_counter() - started
        finally:
            server.stop()
    half, window = len(rss) // 2, max(1, len(rss) // 10)
    # Even settled, RSS swings by tens of MB from one request to the next: "growth" compares the
    # medians of the tenth before the midpoint and the last tenth, not two single readings (which
    # are printed too).
    return {"n": n, "count": count, "idle": idle, "loaded": loaded, "mid": rss[half - 1], "end": rss[-1],
            "peak": max(rss), "mid_median": statistics.median(rss[half - window:half]),
            "end_median": statistics.median(rss[-window:]), "second_half_max": max(rss[half:]), "statuses": statuses,
            "kinds": kinds, "seconds": elapsed, "slowest": slowest}


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interactions", type=int, default=1000)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a 500 x 500 matrix and 200 interactions")
    args = parser.parse_args(argv)
    n, count = (500, 200) if args.quick else (args.size, args.interactions)
    r = run(n, count)
    growth = r["end_median"] - r["mid_median"]
    print(f"\nOne gunicorn worker, {n} x {n} matrix, {count} mixed interactions in {r['seconds']:.0f} s: {r['kinds']}")
    print(f"responses by status: {r['statuses']} (204: the callback had nothing to change)")
    slowest = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["slowest"].items()))
    print(f"slowest response of each kind (s): {slowest}\n")
    print(f"{'RSS MB':<34} {'value':>8}")
    for label, key in (("worker idle", "idle"), ("after upload", "loaded"), (f"after {count // 2} interactions", "mid"),
                       (f"after {count} interactions", "end"), ("peak", "peak")):
        print(f"{label:<34} {r[key]:>8.1f}")
    tenth = max(1, count // 10)
    print(f"{f'median of interactions {count // 2 - tenth + 1}-{count // 2}':<34} {r['mid_median']:>8.1f}")
    print(f"{f'median of the last {tenth}':<34} {r['end_median']:>8.1f}")
    print(f"{'growth over the second half':<34} {growth:>8.1f}")
    errors = sum(v for k, v in r["statuses"].items() if k not in (200, 204))
    return [{
        "metric": "7 memory: one worker RSS after interactions (median of a tenth)", "size": f"{n}x{n}",
        "value": round(r["end_median"], 1),
        "unit": "MB", "baseline": round(r["mid_median"], 1), "ratio": round(r["end_median"] / r["mid_median"], 3),
        "target": "no growth over the second half",
        # growth within 2% of the midpoint: allocator noise, not a leak
        "met": errors == 0 and growth <= 0.02 * r["mid_median"],
        "note": f"idle {r['idle']:.0f} MB, after upload {r['loaded']:.0f}, at half {r['mid']:.0f}, end {r['end']:.0f}, "
                f"peak {r['peak']:.0f} "
                f"(single readings); medians {r['mid_median']:.0f} -> {r['end_median']:.0f}; "
                f"{count} interactions, {errors} errors; slowest "
                + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(r["slowest"].items())),
        "rss_mb": {
            k: round(r[k], 1)
            for k in ("idle", "loaded", "mid", "end", "peak", "second_half_max", "mid_median", "end_median")
        },
        "errors": errors,
    }]


if __name__ == "__main__":
    main()
