"""Links survive what deployments do: SIGKILL and restart, several instances on one database.

gunicorn runs exactly as the Dockerfile runs it; datasets arrive through `POST /api/datasets`
as a user's upload does.
"""

from __future__ import annotations

import json
import signal
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from transfer.matrix import TransferMatrix


def upload(server_url: str, matrix: TransferMatrix) -> str:
    """POST the matrix as a CSV file, as a training script would, and return its dataset id."""
    query = urllib.parse.urlencode({"name": matrix.name, "metric": matrix.metric})
    request = urllib.request.Request(f"{server_url}/api/datasets?{query}", data=matrix.to_csv().encode(),
                                     headers={"Content-Type": "text/csv"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        body = json.loads(response.read())
    assert body["url"].endswith(f"?dataset={body['id']}")
    return body["id"]


def shared_matrix() -> TransferMatrix:
    rng = np.random.default_rng(42)
    labels = ("TriviaQA", "HotpotQA", "Movies", "Winobias", "IMDB")
    values = rng.normal(scale=0.1, size=(5, 5))
    values[1, 3] = np.nan
    return TransferMatrix(rows=labels, cols=labels, values=values, name="shared upload", metric="AUC difference")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def view_bytes(server, query: str) -> bytes:
    status, body = fetch(f"{server.url}/api/view?{query}")
    assert status == 200, body[:300]
    return body


def link_query(dataset_id: str) -> str:
    return f"dataset={dataset_id}&order=cluster&k=3&row=Movies&col=Winobias&pos=0.05&neg=-0.05&diag=0"


FORBIDDEN_KEYS = ("time", "date", "created", "pid", "host", "elapsed", "duration", "worker", "server")


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def test_a_link_reopens_the_same_view_after_sigkill_and_restart(gunicorn_factory, sqlite_url):
    server = gunicorn_factory(sqlite_url)
    matrix = shared_matrix()
    dataset_id = upload(server.url, matrix)
    before = view_bytes(server, link_query(dataset_id))
    view = json.loads(before)
    assert view["notices"] == [] and view["dataset"]["id"] == dataset_id
    cell = {(r, c): v for r, row in zip(view["rows"], view["values"]) for c, v in zip(view["cols"], row)}
    assert cell[("HotpotQA", "Winobias")] is None  # missing stays missing, in cluster order too
    assert cell[("TriviaQA", "TriviaQA")] == float(matrix.values[0, 0])  # full precision
    server.stop(signal.SIGKILL)

    restarted = gunicorn_factory(sqlite_url)
    assert view_bytes(restarted, link_query(dataset_id)) == before


def test_two_instances_on_one_postgresql_serve_the_same_links(gunicorn_factory, postgres_databases):
    database_url = postgres_databases.new()
    first, second = gunicorn_factory(database_url), gunicorn_factory(database_url)
    matrix = shared_matrix()
    # Asked on the second instance before the upload: unknown, and that answer is not kept.
    early = json.loads(view_bytes(second, f"dataset={matrix.content_id()}"))
    assert early["notices"] == [f"Unknown dataset '{matrix.content_id()}'; showing the default dataset."]

    dataset_id = upload(first.url, matrix)
    for query in (link_query(dataset_id), f"dataset={dataset_id}", "dataset=llama-3-8b_auc&row=Movies&k=2"):
        on_first, on_second = view_bytes(first, query), view_bytes(second, query)
        assert on_first == on_second, query
        # Asked again (another worker or thread may answer): still byte for byte the same.
        assert view_bytes(first, query) == on_first
    view = json.loads(view_bytes(second, link_query(dataset_id)))
    assert view["dataset"]["name"] == "shared upload" and view["notices"] == []
    assert view["state"]["row"] == "Movies" and view["state"]["k"] == 3
    assert not {key for key in keys_of(view) if any(word in key.lower() for word in FORBIDDEN_KEYS)}


def test_long_links_get_a_clear_answer_never_a_500(gunicorn_factory, sqlite_url):
    server = gunicorn_factory(sqlite_url)
    # Under gunicorn's request-line limit but over the app's own: the default view, with a notice.
    status, body = fetch(f"{server.url}/api/view?dataset=mistral-7b_auc&row={'x' * 4040}")
    assert status == 200
    assert "characters long" in json.loads(body)["notices"][0]
    # Longer links reach the app (gunicorn's request line limit is raised), which refuses them:
    # JSON for the API, its HTML page with a way back for a person.
    status, body = fetch(f"{server.url}/api/view?row={'x' * 5000}")
    assert status == 414 and "query string" in json.loads(body)["error"]
    status, body = fetch(f"{server.url}/?row={'x' * 5000}")
    assert status == 414 and b"<html" in body.lower() and b'href="/"' in body
