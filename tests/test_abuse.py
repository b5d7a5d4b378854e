"""Abuse limits (web/abuse.py): one upload budget per client address shared by every way of
storing data (429 with Retry-After, a message under the drop zone), viewing never counted, the
store's quota (507, a message; nothing half-written) on SQLite and PostgreSQL, and the
settings' start-up checks."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
from test_annotations_api import MATRIX, TASKS, drop, rows, staged
from test_neutral_input import AUC, apply

from components import ids
from transfer.matrix import TransferMatrix
from transfer.store import DatasetStore, StoredAnnotations, StoredDataset, StoreFull
from web.abuse import parse_quota, parse_rate
from web.config import Config
from web.factory import create_app

from callbacks import CALLBACK_PATH, callback_body, callback_key
from conftest import ROOT

UPLOADS = {ids.UPLOAD_STAGED, ids.UPLOAD_MAP_READ, ids.NEUTRAL_APPLY}


def post_dataset(client, data: bytes = MATRIX, address: str = "127.0.0.1", **kwargs):
    return client.post("/api/datasets", data=data, content_type="text/csv", environ_base={"REMOTE_ADDR": address},
                       **kwargs)


def post_annotations(client, address: str = "127.0.0.1"):
    return client.post("/api/annotations", data={"file": (io.BytesIO(TASKS), "tasks.csv")},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": address})


def assert_too_many(response, rate: str = "3 per 1 hour"):
    assert response.status_code == 429, response.get_data(as_text=True)
    retry = int(response.headers["Retry-After"])
    assert 3500 < retry <= 3600  # an hour's window, opened moments ago
    assert response.get_json() == {
        "error": f"too many uploads from your address (at most {rate}); try again in {-(-retry // 60)} minutes"}


def matrix_csv(seed: int, n: int = 40) -> bytes:
    """A matrix of distinct content (so a distinct stored row) whose values do not compress."""
    values = np.random.default_rng(seed).normal(size=(n, n))
    labels = [f"t{i}" for i in range(n)]
    lines = ["train\\test," + ",".join(labels)]
    lines += [label + "," + ",".join(f"{v:.17g}" for v in row) for label, row in zip(labels, values)]
    return "\n".join(lines).encode()


# --- the upload budget ---------------------------------------------------------------------------


def test_one_budget_per_address_across_the_api_the_drop_zone_and_the_neutral_value(make_app):
    app = make_app(upload_rate="3/hour")
    client = app.server.test_client()
    client.get("/")
    assert post_dataset(client).status_code == 201
    assert post_annotations(client).status_code == 201
    answer = drop(client, app, staged((MATRIX, "results.csv")))
    assert answer[ids.UPLOAD_STATUS]["className"].endswith("text-success tmx-upload-status")
    # the budget is spent: every way in is refused, and says when to try again
    assert_too_many(post_dataset(client, matrix_csv(1)))
    assert_too_many(post_annotations(client))
    answer = drop(client, app, staged((matrix_csv(2), "more.csv")))
    status = answer[ids.UPLOAD_STATUS]["children"]
    assert status.startswith("more.csv: Too many uploads from your address (at most 3 per 1 hour); try again in ")
    assert status.endswith(" minutes; nothing was stored.") and "text-danger" in answer[ids.UPLOAD_STATUS]["className"]
    assert ids.VIEW_OPEN not in answer and ids.UPLOAD_MAPPING not in answer  # the view on screen stays
    opened, status, status_class = apply(app, client, "0,6", f"dataset={AUC}")
    assert opened is None and status.startswith("Neutral value: Too many uploads") and "text-danger" in status_class
    assert rows(app, StoredDataset) == 2 and rows(app, StoredAnnotations) == 1  # the first three only
    # another address has a budget of its own
    assert post_dataset(client, matrix_csv(1), address="10.0.0.2").status_code == 201
    assert post_annotations(client, address="10.0.0.2").status_code == 201


def test_the_column_mapping_step_counts_and_keeps_the_staged_file(make_app):
    app = make_app(upload_rate="1/hour")
    client = app.server.test_client()
    assert post_dataset(client).status_code == 201
    body = callback_body(app, callback_key(app, ids.UPLOAD_MAP_READ),
                         {ids.UPLOAD_MAP_READ: 1, ids.UPLOAD_STAGED: staged((MATRIX, "results.csv"))})
    answer = client.post(CALLBACK_PATH, json=body).get_json()["response"]
    assert "Too many uploads" in answer[ids.UPLOAD_STATUS]["children"]
    assert ids.UPLOAD_MAPPING not in answer and ids.UPLOAD_STAGED not in answer


def view_requests(app, client):
    """Page loads, the layout, the JSON views, the health check and every callback of the page
    that stores nothing, round robin."""
    keys = sorted(key for key, callback in app.callback_map.items()
                  if "callback" in callback and not {i["id"] for i in callback["inputs"]} & UPLOADS)
    assert len(keys) > 10
    gets = ["/", f"/?dataset={AUC}&order=cluster", "/_dash-layout", "/_dash-dependencies", f"/api/view?dataset={AUC}",
            "/api/selection?row=TriviaQA", "/healthz", "/api/templates/wide.csv"]
    for key, path in zip(itertools.cycle(keys), itertools.cycle(gets)):
        yield client.post(CALLBACK_PATH, json=callback_body(app, key))
        yield client.get(path)


def test_viewing_is_never_counted_nor_refused(make_app):
    app = make_app(upload_rate="2/hour")
    client = app.server.test_client()
    requests = view_requests(app, client)
    answers = [next(requests) for _ in range(200)]
    assert {r.status_code for r in answers} <= {200, 204}, {r.status_code for r in answers}
    # none of them counted: the whole budget is left
    assert [post_dataset(client, matrix_csv(seed)).status_code for seed in range(3)] == [201, 201, 429]
    # and once it is spent, viewing still answers
    answers = [next(requests) for _ in range(200)]
    assert {r.status_code for r in answers} <= {200, 204}, {r.status_code for r in answers}
    assert not any("Retry-After" in r.headers for r in answers)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(make_app):
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    direct = make_app(upload_rate="1/hour").server.test_client()
    assert post_dataset(direct, headers=forwarded).status_code == 201
    # without a trusted proxy the header is a client's say-so: it buys no new budget
    assert post_dataset(direct, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 429
    proxied = make_app(upload_rate="1/hour", trusted_proxies=1).server.test_client()
    assert post_dataset(proxied, headers=forwarded).status_code == 201
    assert post_dataset(proxied, headers=forwarded).status_code == 429
    assert post_dataset(proxied, headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 201


def test_no_rate_means_no_limit(make_app):
    client = make_app(upload_rate=None).server.test_client()
    assert {post_dataset(client).status_code for _ in range(40)} == {201}


# --- the store's quota ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_databases").new()


def example(seed: int, n: int = 40) -> TransferMatrix:
    labels = tuple(f"t{i}" for i in range(n))
    return TransferMatrix(rows=labels, cols=labels, values=np.random.default_rng(seed).normal(size=(n, n)),
                          name=f"m{seed}")


def test_the_store_sums_its_payloads_and_refuses_past_its_quota(store_url):
    from transfer.annotations import parse_annotations

    open_store = DatasetStore(store_url)
    assert open_store.used_bytes() == 0
    open_store.put(example(1))
    one = open_store.used_bytes()
    assert 40 * 40 * 8 < one < 40 * 40 * 9  # random doubles do not compress; plus the labels
    annotations = parse_annotations(TASKS, filename="tasks.csv")
    open_store.put_annotations(annotations)
    with_annotations = open_store.used_bytes()
    assert with_annotations > one
    store = DatasetStore(store_url, quota=with_annotations + one // 2)  # room for half a matrix more
    with pytest.raises(StoreFull) as refused:
        store.put(example(2))
    assert (refused.value.quota, refused.value.used) == (with_annotations + one // 2, with_annotations)
    assert refused.value.needed > one // 2
    assert str(refused.value).startswith("the dataset store is full: ")
    assert store.used_bytes() == with_annotations and store.get(example(2).content_id()) is None
    # the same content again adds nothing: still stored, from another instance too (cold cache)
    assert DatasetStore(store_url, quota=1).put(example(1)) == example(1).content_id()
    assert store.put_both(example(1), annotations) == (example(1).content_id(), annotations.content_id())
    # a matrix with new annotations that do not fit: neither is stored
    other = parse_annotations(b"task,kind\n" + b"".join(b"t%d,%s\n" % (i, b"k" * 150) for i in range(40)),
                              filename="tasks.csv")  # 6 KB
    tight = DatasetStore(store_url, quota=with_annotations + one + 1000)
    with pytest.raises(StoreFull):
        tight.put_both(example(3), other)
    assert tight.used_bytes() == with_annotations and tight.get(example(3).content_id()) is None
    assert tight.get_annotations(other.content_id()) is None
    assert tight.put(example(3)) == example(3).content_id()  # alone it fits
    # the operator's own data is stored whatever the quota
    assert tight.put_both(example(4), None, quota=False)[0] == example(4).content_id()


def test_uploads_past_the_quota_answer_507_and_the_drop_zone_says_so(store_url, make_app):
    first = matrix_csv(1)
    quota = 40 * 40 * 8 * 3 // 2  # room for one and a half of these (random doubles: 8 bytes a value stored)
    app = make_app(database_url=store_url, store_quota=quota)
    client = app.server.test_client()
    client.get("/")
    assert post_dataset(client, first).status_code == 201
    used = app.server.config["TMX_DATASETS"].store.used_bytes()
    response = post_dataset(client, matrix_csv(2))
    assert response.status_code == 507
    body = response.get_json()
    assert body["quota_bytes"] == quota and body["used_bytes"] == used and body["needed_bytes"] > quota - used
    assert body["error"].startswith("the dataset store is full: ") and "nothing was stored" in body["error"]
    assert post_dataset(client, first).status_code == 201  # a re-upload adds nothing
    # both files of a multipart upload, or neither
    response = client.post("/api/datasets", data={"file": (io.BytesIO(matrix_csv(3)), "m.csv"),
                                                  "annotations": (io.BytesIO(TASKS), "tasks.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 507 and rows(app, StoredAnnotations) == 0
    answer = drop(client, app, staged((matrix_csv(4), "big.csv"), (TASKS, "tasks.csv")))
    assert answer[ids.UPLOAD_STATUS]["children"].startswith("big.csv and tasks.csv: the dataset store is full: ")
    assert ids.VIEW_OPEN not in answer
    assert rows(app, StoredDataset) == 1 and rows(app, StoredAnnotations) == 0


# --- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "rate"), [("30/minute", "30/minute"), (" 10 per hour ", "10 per hour"),
                                            ("5/second;100/day", "5/second;100/day"), ("none", None), ("0", None)])
def test_rates_in_flask_limiters_notation(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["30", "thirty/minute", "30/fortnight", "0/minute", "-1/hour"])
def test_a_rate_that_is_not_one_is_refused_at_start_up(monkeypatch, text):
    monkeypatch.setenv("TMX_UPLOAD_RATE", text)
    with pytest.raises(ValueError, match=r"TMX_UPLOAD_RATE='.*' is not a rate: write a count per period, e\.g\. "):
        Config()


@pytest.mark.parametrize(("text", "size"), [("2GB", 2 * 2**30), ("500 MB", 500 * 2**20), ("1.5G", 3 * 2**29),
                                            ("64KiB", 65536), ("1048576", 2**20), ("none", None), ("0", None)])
def test_quotas_in_bytes_with_units(text, size):
    assert parse_quota(text) == size


@pytest.mark.parametrize("text", ["2XB", "lots", "-1GB", "1,5GB"])
def test_a_quota_that_is_not_a_size_is_refused_at_start_up(monkeypatch, text):
    monkeypatch.setenv("TMX_STORE_QUOTA", text)
    with pytest.raises(ValueError, match=r"TMX_STORE_QUOTA='.*' is not a size: write bytes with a unit"):
        Config()


@pytest.mark.parametrize("text", ["-1", "one", "1.5"])
def test_a_proxy_count_that_is_not_one_is_refused_at_start_up(monkeypatch, text):
    monkeypatch.setenv("TMX_TRUSTED_PROXIES", text)
    with pytest.raises(ValueError, match=r"TMX_TRUSTED_PROXIES='.*' is not a number of proxies: write 0"):
        Config()


def test_the_defaults_and_an_unusable_limit_storage(monkeypatch, sqlite_url):
    for name in ("TMX_UPLOAD_RATE", "TMX_STORE_QUOTA", "TMX_LIMIT_STORAGE", "TMX_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    config = Config()
    assert (config.upload_rate, config.store_quota, config.limit_storage, config.trusted_proxies) == (
        "30/minute", 2**30, "memory://", 0)
    with pytest.raises(ValueError, match=r"TMX_LIMIT_STORAGE='nowhere://x' cannot be used: .*unknown storage"):
        create_app(Config(database_url=sqlite_url, limit_storage="nowhere://x"))
    with pytest.raises(ValueError, match=r"TMX_UPLOAD_RATE='often' is not a rate"):
        create_app(Config(database_url=sqlite_url, upload_rate="often"))


def test_the_command_line_names_the_variable_it_cannot_read():
    env = {**os.environ, "TMX_UPLOAD_RATE": "30"}
    result = subprocess.run([sys.executable, "app.py", "--port", "1"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("app.py: error: TMX_UPLOAD_RATE='30' is not a rate: write a count per period, e.g. "
                             "'30/minute', '10 per hour' or '5/second;100/day' (or 'none' for no limit)\n")
