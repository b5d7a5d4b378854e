"""Server-side hardening: headers on every kind of response, limits, the upload token, errors
without internals, production defaults and what the container image leaves out."""

from __future__ import annotations

import base64
import json
import re

import pytest

from components import ids
from web.security import MAX_QUERY_BYTES

from callbacks import CALLBACK_PATH, callback_body, callback_key
from conftest import ROOT

WIDE = b"train\\test,a,b\na,0.1,0.2\nb,0.3,0.4\n"
# What no answer may show a client: tracebacks, source paths, module internals.
INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/app/|/home/|KeyError|TypeError|AttributeError", re.I,
)


def upload_body(app, token: str | None = None) -> dict:
    contents = "data:text/csv;base64," + base64.b64encode(WIDE).decode()
    return callback_body(
        app, callback_key(app, ids.UPLOAD_STAGED),
        {ids.UPLOAD_STAGED: {"contents": contents, "filename": "m.csv"}, ids.UPLOAD_TOKEN: token},
    )


def assert_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def assert_clean_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.is_json and isinstance(response.get_json()["error"], str)
    assert not INTERNALS.search(response.get_data(as_text=True)), response.get_data(as_text=True)
    assert_headers(response)


def test_headers_on_assets_dash_endpoints_and_errors(app, client):
    client.get("/")  # Dash registers its component suites while serving the page
    for path in ("/assets/tmx.js", app.plotly_js_url(), "/_dash-layout",
                 "/_dash-dependencies", "/_favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response)
    assert_headers(client.post(CALLBACK_PATH, json=upload_body(app)))
    for path in ("/_dash-component-suites/nothing/x.js", "/_dash-component-suites/dash/../../../etc/passwd"):
        assert_clean_error(client.get(path), 404)
    assert_headers(client.delete("/healthz"))  # 405


def test_request_limits(make_app):
    app = make_app(max_upload_bytes=1000)
    client = app.server.test_client()
    too_big = json.dumps(upload_body(app)) + " " * 3 * 2**20
    assert_clean_error(client.post(CALLBACK_PATH, data=too_big, content_type="application/json"), 413)
    assert_clean_error(client.post("/api/datasets", data=b"x" * 3 * 2**20, content_type="text/csv"), 413)
    long_query = "?row=" + "a" * MAX_QUERY_BYTES
    for path in ("/api/view", "/_dash-layout"):
        assert_clean_error(client.get(path + long_query), 414)
    page = client.get("/" + long_query)  # a page: the small HTML error page (tests/test_link_notices.py)
    assert page.status_code == 414 and page.mimetype == "text/html"
    assert not INTERNALS.search(page.get_data(as_text=True))
    assert_headers(page)
    assert client.get("/api/view?row=" + "a" * 3000).status_code == 200  # long but allowed: a notice, not an error


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'"text"',
        b'{"output": 12}',
        b'{"output": "no.such.output"}',
        b'{"output": "dataset-info.children"}',
        b'{"output": "dataset-info.children", "inputs": [{"id": "dataset"}], "state": []}',
        b'{"output": "dataset-info.children", "inputs": "x", "state": {}}',
    ],
    ids=[
        "broken-json", "list", "string", "output-number", "unknown-output", "no-inputs", "wrong-inputs", "wrong-types",
    ],
)
def test_malformed_callback_requests_are_clean_400s(client, body):
    assert_clean_error(client.post(CALLBACK_PATH, data=body, content_type="application/json"), 400)


def test_errors_in_routes_and_callbacks_hide_internals(app, caplog):
    @app.server.get("/api/boom")
    def boom():
        raise RuntimeError("secret /srv/app/x.py")

    client = app.server.test_client()
    assert_clean_error(client.get("/api/boom"), 500)
    # A callback that fails (here: the store breaks under it) answers the same clean 500.
    app.server.config["TMX_DATASETS"].get = lambda *_: (_ for _ in ()).throw(RuntimeError("secret /srv/db"))
    response = client.post(
        CALLBACK_PATH,
        json=callback_body(app, callback_key(app, ids.NEUTRAL_APPLY), {ids.NEUTRAL_APPLY: 1, ids.NEUTRAL_INPUT: 3}),
    )
    assert_clean_error(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "secret /srv/db" in caplog.text  # the operator sees it in the log


def test_production_defaults(app):
    assert app.server.debug is False
    assert not app._dev_tools.ui and not app._dev_tools.hot_reload  # noqa: SLF001 (no Dash dev UI)
    index = app.server.test_client().get("/").get_data(as_text=True)
    assert "dash-debug-menu" not in index and not INTERNALS.search(index)


def test_upload_token_guards_every_way_to_store(make_app):
    app = make_app(upload_token="s3cret-token")
    client = app.server.test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"},
                    {"Authorization": "Basic s3cret-token"}):
        response = client.post("/api/datasets", data=WIDE, content_type="text/csv", headers=headers)
        assert_clean_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.post(
        "/api/datasets", data=WIDE, content_type="text/csv", headers={"Authorization": "Bearer s3cret-token"},
    )
    assert response.status_code == 201

    # The page: the drop zone and the neutral value need the token typed into the page.
    refused = client.post(CALLBACK_PATH, json=upload_body(app, "wrong")).get_json()["response"]
    assert "upload token" in refused["upload-status"]["children"] and ids.VIEW_OPEN not in refused
    opened = client.post(CALLBACK_PATH, json=upload_body(app, "s3cret-token")).get_json()["response"]
    assert opened[ids.VIEW_OPEN]["data"]["query"].startswith("dataset=")
    neutral = callback_body(app, callback_key(app, ids.NEUTRAL_APPLY), {ids.NEUTRAL_APPLY: 1, ids.NEUTRAL_INPUT: 0.25})
    answer = client.post(CALLBACK_PATH, json=neutral).get_json()["response"]
    assert "upload token" in answer["upload-status"]["children"]


def test_without_a_token_uploads_are_open(client, app):
    assert client.post("/api/datasets", data=WIDE, content_type="text/csv").status_code == 201
    answer = client.post(CALLBACK_PATH, json=upload_body(app)).get_json()["response"]
    assert answer[ids.VIEW_OPEN]["data"]["query"].startswith("dataset=")


def test_image_leaves_out_secrets_and_local_state():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "instance", "tests/artifacts", "*.sqlite", ".env"} <= ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "COPY . " not in dockerfile  # only the app's own files, listed one by one
