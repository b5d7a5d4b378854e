"""Server throughput of the selection request under gunicorn, next to trivial floors, same run.

    /work/main/.venv/bin/python benchmarks/bench_throughput.py [--seconds 30] [--clients 20] [--quick]

gunicorn runs as the Dockerfile runs it (its CMD and gunicorn.conf.py: 2 gthread workers with 4
threads each, access log on) on a loopback port. 20 client threads, each with its own keep-alive
connection, send the request a click on a cell makes (`GET /api/selection` with the link of the
drawn view and the new row and column: the numbers beside the breakdown bars, which the browser
draws itself) for `--seconds`, selecting a new row and column every request: on the bundled
default matrix (10 x 10) and on an uploaded seeded 1000 x 1000 one in cluster order. The
floors, in the same run: `GET /healthz` on the same server (Flask plus a `SELECT 1`), and the
one-output callback of a minimal Dash app (benchmarks/floor_app.py) served by the same gunicorn
command. The clients share the 2 cores with the server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

# The repository's packages, for a script run from anywhere (dash_client adds them too, later).
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from transfer.matrix import TransferMatrix  # noqa: E402
from transfer.viewstate import ViewState  # noqa: E402

from dash_client import Gunicorn, connect, request  # noqa: E402

FLOOR_BODY = (b'{"output": "floor-out.children", "outputs": {"id": "floor-out", "property": "children"}, '
              b'"inputs": [{"id": "floor-button", "property": "n_clicks", "value": 1}], '
              b'"changedPropIds": ["floor-button.n_clicks"], "state": []}')


def synthetic(n: int, seed: int = 0) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, max(2, n // 20), size=n)
    values = np.round(0.1 * rng.normal(size=(n, n)) + 0.2 * (groups[:, None] == groups[None, :]), 4)
    labels = [f"task-{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values, name=f"synthetic {n}x{n}", metric="AUC difference")


def load(base_url: str, method: str, calls: list[tuple[str, bytes | None]], clients: int, seconds: float) -> dict:
    """`clients` threads for `seconds` (bounded: each stops at the deadline); latencies and errors."""
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]

    def client(index: int) -> None:
        connection = connect(base_url)
        i = index
        while time.perf_counter() < deadline:
            path, body = calls[i % len(calls)]
            i += clients
            start = time.perf_counter()
            try:
                status, _ = request(base_url, method, path, body, connection=connection)
            except Exception as err:  # a dropped connection counts as an error, then reconnect
                errors[index].append(type(err).__name__)
                connection.close()
                connection = connect(base_url)
                continue
            latencies[index].append(time.perf_counter() - start)
            if status != 200:
                errors[index].append(str(status))
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - started
    flat = sorted(x for lat in latencies for x in lat)
    count = len(flat)
    return {
        "requests": count, "rps": count / elapsed, "errors": sum(len(e) for e in errors),
        "p50_ms": 1000 * statistics.median(flat) if flat else float("nan"),
        "p99_ms": 1000 * flat[min(count - 1, int(0.99 * count))] if flat else float("nan"),
    }


def selection_calls(dataset: str | None, labels: list[str], order: str, count: int = 40) -> list[tuple[str, None]]:
    """What a click asks the server: the numbers of a new row and column of the drawn view."""
    n = len(labels)
    states = (ViewState(dataset=dataset, order=order, row=labels[(7 * i + 3) % n], col=labels[(3 * i + 1) % n])
              for i in range(count))
    return [("/api/selection?" + state.to_query(), None) for state in states]


def run(seconds: float = 30, clients: int = 20, big: int = 1000) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"})
        try:
            matrix = synthetic(big)
            status, body = request(server.url, "POST", "/api/datasets", matrix.to_csv().encode(),
                                   content_type="text/csv")
            if status != 201:
                raise RuntimeError(f"upload failed: {status} {body[:200]!r}")
            big_id = json.loads(body)["id"]
            default = json.loads(request(server.url, "GET", "/api/view")[1])
            cases = [
                (
                    "selection", f"{len(default['rows'])}x{len(default['cols'])}", "GET",
                    selection_calls(None, default["rows"], "data"),
                ),
                (
                    "selection", f"{big}x{big} cluster order", "GET",
                    selection_calls(big_id, list(matrix.rows), "cluster"),
                ),
                ("floor: GET /healthz", "-", "GET", [("/healthz", None)]),
            ]
            for name, size, method, calls in cases:
                for path, body in calls[:3]:  # warm: the first request of a dataset loads and clusters it
                    status, text = request(server.url, method, path, body)
                    if status != 200:
                        raise RuntimeError(f"{name} answered {status}: {text[:300]!r}")
                load(server.url, method, calls, clients, min(3.0, seconds))  # both workers warm
                results.append({"case": name, "size": size, **load(server.url, method, calls, clients, seconds)})
        finally:
            server.stop()
        floor = Gunicorn({}, target="benchmarks.floor_app:server")
        try:
            request(floor.url, "POST", "/_dash-update-component", FLOOR_BODY)
            floor_calls = [("/_dash-update-component", FLOOR_BODY)]
            load(floor.url, "POST", floor_calls, clients, min(3.0, seconds))
            results.append(
                {
                    "case": "floor: trivial Dash callback", "size": "-",
                    **load(floor.url, "POST", floor_calls, clients, seconds),
                }
            )
        finally:
            floor.stop()
    return results


def table_rows(results: list[dict], seconds: float, clients: int) -> list[dict]:
    """Rows for run_all.py: requests/s of each case against the trivial Dash callback."""
    floor = next(r for r in results if r["case"] == "floor: trivial Dash callback")
    rows = []
    for r in results:
        note = (f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, {r['errors']} errors, "
                f"{clients} clients x {seconds:g} s")
        rows.append({
            "metric": f"6 throughput: {r['case']}", "size": r["size"], "value": round(r["rps"], 1), "unit": "req/s",
            "baseline": round(floor["rps"], 1), "ratio": round(r["rps"] / floor["rps"], 3),
            "target": "report; no errors", "met": r["errors"] == 0, "note": note,
            "p50_ms": round(r["p50_ms"], 2), "p99_ms": round(r["p99_ms"], 2), "errors": r["errors"],
        })
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 s per case and a 300 x 300 matrix")
    args = parser.parse_args(argv)
    seconds, big = (5.0, 300) if args.quick else (args.seconds, 1000)
    results = run(seconds, args.clients, big)
    print(
        f"\nThroughput under gunicorn (Dockerfile CMD, gunicorn.conf.py), {args.clients} clients, {seconds:g} s per "
        "case\n"
    )
    print(f"{'case':<30} {'matrix':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'requests':>9}")
    for r in results:
        print(
            f"{r['case']:<30} {r['size']:<22} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['errors']:>7} {r['requests']:>9}"
        )
    return table_rows(results, seconds, args.clients)


if __name__ == "__main__":
    main()
