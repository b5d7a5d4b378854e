"""Load and faults against gunicorn as the Dockerfile runs it (short versions of
benchmarks/load.py; `scripts/soak` runs the long ones and prints the figures).

Each run mixes fresh page loads (the page, its bundles, the lazy chunks), the renderer's
callbacks with the browser's payloads, /api/view links and uploads; every acknowledged upload
is read back afterwards with identical labels and values. No timings are asserted.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from benchmarks import load
from components import ids

from conftest import get_json
from postgres_instance import PostgresInstance
from test_share_serving import fetch

KINDS = {"page", "asset", "view", "selection", "upload"} | {
    "callback view-answer <- view-request", "callback heatmap <- dataset",
}


def kinds_answered(report: load.Report) -> set[str]:
    return {s.kind for s in report.samples if s.status in (200, 201)}


def test_ten_clients_lose_nothing_and_see_no_error(gunicorn_factory, sqlite_url):
    server = gunicorn_factory(sqlite_url, **load.SERVER_ENV)
    report = load.run(server.url, clients=10, seconds=8)
    load.verify(server.url, report)
    print("\n" + report.table())
    assert report.errors == [] and report.dropped == []
    assert len(report.uploads) >= 10 and report.lost == []
    assert kinds_answered(report) >= KINDS
    # The lazily loaded chunks (recorded from Chromium) exist in this Dash version.
    for path in load.LAZY_CHUNKS:
        assert fetch(server.url + path)[0] == 200, path


def test_a_killed_worker_is_replaced_and_only_its_connections_drop(gunicorn_factory, postgres_databases):
    """SIGKILL one of the two workers mid-run (PostgreSQL store). The connections it held get no
    answer: each client retries such a request once, as a browser does for a reused keep-alive
    connection (every route is safe to repeat; uploads are content-addressed). Visible errors: 0."""
    server = gunicorn_factory(postgres_databases.new(), **load.SERVER_ENV)
    fault = {}
    # Runs until the new worker has answered 5 requests (it loads the app first), at most 60 s.
    report = load.run(server.url, clients=10, seconds=60, during=lambda r, started: fault.update(
        load.kill_one_worker(server.process.pid, 2.0, r, started, log=server.output, answers=5, stop=True)))
    load.verify(server.url, report)
    print("\n" + report.table() + f"\nfault: {fault}")
    assert fault["forked_after"] is not None and fault["answering_after"] is not None, fault
    new_workers = fault["after"] - fault["before"]
    assert fault["killed"] not in fault["after"] and len(fault["after"]) == 2 and len(new_workers) == 1
    assert report.errors == [] and report.lost == []
    # At most one dropped request per client connection, none before the kill.
    assert len(report.dropped) <= report.clients
    dropped = [s for s in report.samples if s.status == 0]
    assert all(s.at + s.seconds >= fault["killed_at"] for s in dropped)
    # The surviving worker answered while the new one loaded the app; then the new one answered too.
    killed_at = fault["killed_at"]
    assert sum(1 for s in report.samples if killed_at < s.at < killed_at + 2 and s.status in (200, 201)) > 10
    assert server.process.poll() is None and "Traceback" not in server.output()


def test_every_acknowledged_upload_survives_killing_the_whole_server_under_load(gunicorn_factory, sqlite_url):
    server = gunicorn_factory(sqlite_url, **load.SERVER_ENV)
    moment = {}

    def kill_everything(report, started):
        time.sleep(3)
        report.stop.set()
        moment["at"] = time.monotonic() - started
        server.stop(signal.SIGKILL)  # master and workers, mid-request

    report = load.run(server.url, clients=10, seconds=10, during=kill_everything)
    # Everything that finished before the kill succeeded; requests in flight then got no answer.
    assert all(s.status in (200, 201, 204) for s in report.samples if s.at + s.seconds < moment["at"])
    assert len(report.uploads) >= 3

    restarted = gunicorn_factory(sqlite_url, **load.SERVER_ENV)
    load.verify(restarted.url, report)
    assert report.lost == []
    for upload in report.uploads[:3]:  # a link with options reopens the same view after the restart
        query = f"dataset={upload.id}&row={upload.rows[-1]}&col={upload.cols[0]}&sort=value"
        status, body = fetch(f"{restarted.url}/api/view?{query}")
        view = json.loads(body)
        assert status == 200 and view["notices"] == [] and view["selection"]["cell"]["value"] == upload.values[-1][0]


@pytest.fixture
def private_postgres():
    instance = PostgresInstance()
    yield instance
    instance.destroy()


def test_postgresql_stopped_mid_run_answers_503_and_recovers_by_itself(gunicorn_factory, private_postgres):
    server = gunicorn_factory(private_postgres.url, **load.SERVER_ENV)
    before = load.run(server.url, clients=4, seconds=1.5)
    assert before.errors == [] and before.uploads
    unseen = before.uploads[-1].id  # possibly never read since: not in any worker's cache
    workers = load.worker_pids(server.process.pid)

    private_postgres.stop()
    status, body = fetch(f"{server.url}/healthz")
    assert status == 503 and json.loads(body) == {"status": "degraded", "store": False}
    # Uploads and links to uploads that are not cached: 503 with a message, never 500.
    status, body = fetch(f"{server.url}/api/view?dataset={'0' * 32}")
    assert status == 503 and "try again shortly" in json.loads(body)["error"]
    assert fetch(f"{server.url}/api/view?dataset=llama-3-8b_auc")[0] == 200
    during = load.run(server.url, clients=4, seconds=2, allow_unavailable=True, seed=2)
    print("\nduring the outage:\n" + during.table())
    assert during.errors == [] and during.unavailable
    assert any(s.kind == "upload" and s.status == 503 for s in during.samples)
    # The page's callbacks answer 200 with a visible notice instead of an HTTP error.
    site, conn = load.discover(server.url), load.Connection(server.url)
    request = {"serial": 1, "query": f"dataset={'0' * 32}", "before": "", "carry": False}
    answer = load.call(
        conn, site.end_id, site.sync, {**site.initial, (ids.VIEW_REQUEST, "data"): request},
        [(ids.VIEW_REQUEST, "data")],
    )
    conn.close()
    assert set(answer) == {"__side__"}  # every output left as it was (the link is kept)
    notices = json.dumps(answer["__side__"].get("notices", {}))
    assert "try again shortly" in notices and "Bundled datasets still open" in notices
    assert server.process.poll() is None and load.worker_pids(server.process.pid) == workers  # nothing crashed

    private_postgres.start()
    deadline = time.monotonic() + 30
    while fetch(f"{server.url}/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the app did not recover within 30 s of PostgreSQL's return"
        time.sleep(0.2)
    assert get_json(f"{server.url}/api/view?dataset={unseen}")["dataset"]["id"] == unseen
    after = load.run(server.url, clients=4, seconds=2, seed=3)
    load.verify(server.url, after)
    load.verify(server.url, before)
    assert after.errors == [] and after.lost == [] and before.lost == []
    assert "Traceback" not in server.output()
