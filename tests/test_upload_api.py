"""Uploads over HTTP, from the command line and from a DataFrame: stored whole or refused whole."""

from __future__ import annotations

import io
import subprocess
import sys
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from transfer.parsing import WRITERS, example_matrix, to_wide_csv

from conftest import ROOT

EXAMPLE = example_matrix()
FILES = {fmt: write(EXAMPLE).encode() for fmt, (write, _, _) in WRITERS.items()}


def assert_opens_example(client, body):
    assert set(body) >= {"id", "url"} and len(body["id"]) == 32
    url = urlsplit(body["url"])
    assert url.query == f"dataset={body['id']}"
    view = client.get(f"/api/view?{url.query}").get_json()
    assert view["dataset"]["id"] == body["id"] and view["notices"] == []
    assert view["rows"] == list(EXAMPLE.rows) and view["cols"] == list(EXAMPLE.cols)
    assert view["values"][1] == [0.05, 0.08, None]
    assert view["dataset"]["metric"] == "AUC difference"


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_post_multipart_round_trip(client, fmt):
    suffix = WRITERS[fmt][1]
    response = client.post(
        "/api/datasets", data={"file": (io.BytesIO(FILES[fmt]), f"results.{suffix}")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == response.get_json()["url"]
    assert_opens_example(client, response.get_json())


@pytest.mark.parametrize(("fmt", "content_type"),
                         [("wide", "text/csv"), ("long", "text/csv"), ("json", "application/json"),
                          ("wide", "application/x-www-form-urlencoded")],
                         ids=["wide-csv", "long-csv", "json", "curl-data-binary-default"])
def test_post_raw_body_round_trip(client, fmt, content_type):
    response = client.post("/api/datasets", data=FILES[fmt], content_type=content_type)
    assert response.status_code == 201, response.get_json()
    assert_opens_example(client, response.get_json())


def test_post_same_content_twice_gives_the_same_id_and_overrides_apply(client):
    first = client.post("/api/datasets", data=FILES["wide"], content_type="text/csv").get_json()
    again = client.post("/api/datasets", data=FILES["long"], content_type="text/csv").get_json()
    assert first["id"] == again["id"]
    renamed = client.post(
        "/api/datasets?name=Run%2042&neutral=0.1", data=FILES["wide"], content_type="text/csv",
    ).get_json()
    assert renamed["id"] != first["id"] and renamed["name"] == "Run 42"
    assert client.get(f"/api/view?dataset={renamed['id']}").get_json()["dataset"]["neutral"] == 0.1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"data": b"", "content_type": "text/csv"}, "empty"),
        ({"data": b"t,A,B\nA,1,2\nB,3,x\n", "content_type": "text/csv"}, "row 'B', column 'B': 'x' is not a number"),
        ({"data": b'{"rows": [}', "content_type": "application/json"}, "not valid JSON"),
        (
            {"data": {"other": (io.BytesIO(b"t,A\n"), "a.csv")}, "content_type": "multipart/form-data"},
            "multipart field 'file'",
        ),
        ({"data": b"train,test,value\nA,A,1\nA,A,2\n", "content_type": "text/csv"}, "duplicate pair"),
        ({"data": b"\x00\x01binary", "content_type": "application/octet-stream"}, "not text"),
    ],
    ids=["empty", "non-numeric", "bad-json", "no-file-field", "duplicate-pair", "binary"],
)
def test_post_refused_with_400_and_a_message(client, kwargs, fragment):
    response = client.post("/api/datasets", **kwargs)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]


def test_post_over_limits_gives_413_json(make_app):
    client = make_app(max_upload_bytes=1000, max_cells=9).server.test_client()
    big = b"t,A,B\nA,1,2\nB,3,4\n" + b"#" * 1000
    response = client.post("/api/datasets", data=big, content_type="text/csv")
    assert response.status_code == 413 and "the limit is 1000 bytes" in response.get_json()["error"]
    multipart = client.post(
        "/api/datasets", data={"file": (io.BytesIO(big), "a.csv")}, content_type="multipart/form-data",
    )
    assert multipart.status_code == 413 and "the limit is 1000 bytes" in multipart.get_json()["error"]
    cells = client.post("/api/datasets", data=b"t,A,B,C,D\nA,1,2,3,4\nB,1,2,3,4\nC,1,2,3,4\n", content_type="text/csv")
    assert cells.status_code == 413 and "more than 9 cells" in cells.get_json()["error"]
    # Over Flask's MAX_CONTENT_LENGTH: refused before the body is read, still as JSON.
    huge = client.post("/api/datasets", data=b"x" * (3 * 2**20), content_type="text/csv")
    assert huge.status_code == 413 and "too large" in huge.get_json()["error"]


@pytest.mark.parametrize("name", ["wide.csv", "long.csv", "matrix.json"])
def test_templates_post_back(client, name):
    template = client.get(f"/api/templates/{name}")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    posted = client.post(
        "/api/datasets", data={"file": (io.BytesIO(template.data), name)}, content_type="multipart/form-data",
    )
    assert posted.status_code == 201
    assert client.get("/api/templates/nope.csv").status_code == 404


# --- command line ------------------------------------------------------------------------------

def test_cli_bad_file_exits_2_with_a_message_and_no_traceback(tmp_path, sqlite_url):
    path = tmp_path / "results.csv"
    path.write_bytes(b"t,A,B\nA,1,2\nB,3,oops\n")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": sqlite_url}
    result = subprocess.run(
        [sys.executable, "app.py", str(path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "results.csv: row 'B', column 'B': 'oops' is not a number" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "fragment"), [(b"", "empty"), (None, "cannot read the file"), (b"\x00\x01", "not text")],
    ids=["empty", "missing-file", "binary"],
)
def test_cli_main_refuses_bad_files(tmp_path, monkeypatch, capsys, sqlite_url, content, fragment):
    from app import main

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    path = tmp_path / "results.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        main([str(path)])
    assert exited.value.code == 2
    assert fragment in capsys.readouterr().err


def test_cli_file_becomes_the_default_view(make_app, tmp_path):
    path = tmp_path / "probe-results.tsv"
    path.write_text(to_wide_csv(EXAMPLE).replace(",", "\t"))
    client = make_app(initial_file=str(path)).server.test_client()
    view = client.get("/api/view").get_json()
    assert view["rows"] == list(EXAMPLE.rows) and view["dataset"]["name"] == EXAMPLE.name


# --- notebook ----------------------------------------------------------------------------------

def test_explore_builds_an_app_on_the_dataframe_without_jupyter(sqlite_url):
    from app import explore
    from web.config import Config

    frame = pd.DataFrame(np.array([[0.8, 0.6], [0.55, 0.9]]), index=["SST-2", "IMDB"], columns=["SST-2", "IMDB"])
    app = explore(frame, name="Sentiment", metric="accuracy", run=False, config=Config(database_url=sqlite_url))
    view = app.server.test_client().get("/api/view").get_json()
    assert view["dataset"]["name"] == "Sentiment" and view["dataset"]["metric"] == "accuracy"
    assert view["dataset"]["neutral"] == pytest.approx(0.725)  # midpoint: all values positive
    assert view["values"] == [[0.8, 0.6], [0.55, 0.9]]
    long = frame.stack().rename("acc").rename_axis(["train", "test"]).reset_index()
    app = explore(long, run=False, config=Config(database_url=sqlite_url))
    assert app.server.test_client().get("/api/view").get_json()["values"] == [[0.8, 0.6], [0.55, 0.9]]
