"""Fuzzing the two ways in that take a body: POST /api/datasets and Dash's callback endpoint.

Random and mutated files (wide, long, JSON), raw or multipart, under odd content types, with
odd `name`/`metric`/`neutral` parameters and Authorization headers; random JSON and mutated
real callback requests. Every answer is a clean 2xx or 4xx (JSON with a message for errors),
never a 500, nothing is logged at ERROR, and every acknowledged upload can be opened.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks import CALLBACK_PATH, callback_body

SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SEEDS = [
    b"train\\test,TriviaQA,HotpotQA\nTriviaQA,0.11,-0.05\nHotpotQA,0.05,0.08\n",
    b"# name: probes\n# metric: AUC\n# neutral: 0.5\ntrain,test,AUC\nA,A,0.9\nA,B,0.7\nB,A,0.6\nB,B,0.95\n",
    b'{"name": "j", "rows": ["a", "b"], "cols": ["a", "b"], "values": [[0.1, null], [0.3, 0.4]]}',
    b"train\ttest\tvalue\nx\ty\t1\ny\tx\t2\nx\tx\t3\ny\ty\t4\n",
]
CONTENT_TYPES = [
    "text/csv", "application/json", "text/plain", "text/tab-separated-values", "application/octet-stream", "",
    "multipart/form-data", "multipart/form-data; boundary=zzz", "application/x-www-form-urlencoded",
    "application/json; charset=utf-16", "image/png", "text/csv; charset=latin-1", "x/" + "y" * 300,
]
PARAM_VALUES = st.one_of(
    st.sampled_from(
        [
            "nan", "NaN", "inf", "-inf", "1e309", "-1e309", "", " ", "0", "-0", "1e-320", "0x10", "١", "True", "None",
            "[1]", "x" * 5000,
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=300),
)


@st.composite
def mutated(draw) -> bytes:
    """A real file with a few random edits: flips, cuts, insertions, repeats."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 20))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(max_size=12) | st.sampled_from(
                [b",", b"\n", b'"', b"\t", b"{", b"]", b"\x00", b"\xff\xfe", b"nan", b"=1+1"]))
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 40))] * draw(st.integers(1, 30))
    return bytes(data)


bodies = st.one_of(mutated(), st.binary(max_size=400), st.text(max_size=200).map(str.encode), st.sampled_from(SEEDS))


class ErrorLog(logging.Handler):
    """Records logged at ERROR or above anywhere (Flask's unhandled errors, werkzeug, Dash)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def app(make_app):
    """Hundreds of uploads from one address: without the upload budget (tests/test_abuse.py tests
    it), so that every example reaches the parser."""
    return make_app(upload_rate=None)


@pytest.fixture
def error_log():
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def assert_clean(response, error_log) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert response.is_json and response.get_json()["error"], response.get_data()[:300]
    assert not error_log.records, [r.getMessage() for r in error_log.records]


@SETTINGS
@given(
    body=bodies,
    content_type=st.sampled_from(CONTENT_TYPES),
    multipart=st.sampled_from([None, "file", "other"]),
    filename=st.sampled_from(
        ["m.csv", "m.json", "m.tsv", "", "../../etc/passwd", "x" * 300, "a.exe", "m.csv\x00.json"]
    ),
    params=st.dictionaries(st.sampled_from(["name", "metric", "neutral", "dataset", "x"]), PARAM_VALUES, max_size=3),
    authorization=st.sampled_from([None, "", "Bearer", "Bearer x", "Basic Zm9vOmJhcg==", "\u00e9" * 10]),
)
def test_post_datasets_never_fails(client, error_log, body, content_type, multipart, filename, params, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    if multipart:
        response = client.post("/api/datasets", query_string=params, headers=headers,
                               data={multipart: (io.BytesIO(body), filename)}, content_type="multipart/form-data")
    else:
        response = client.post(
            "/api/datasets", query_string=params, headers=headers, data=body, content_type=content_type,
        )
    assert_clean(response, error_log)
    if response.status_code == 201:
        stored = response.get_json()
        view = client.get("/api/view?dataset=" + stored["id"])
        assert view.status_code == 200 and view.get_json()["dataset"]["id"] == stored["id"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def component_ids(callback: dict) -> list:
    return [item["id"] for item in callback["inputs"] + callback["state"] if not item["id"].startswith("{")]


@SETTINGS
@given(data=st.data(), garble=st.sampled_from([None, None, "drop-key", "random-body", "truncate"]), noise=json_values)
def test_callback_endpoint_never_fails(app, client, error_log, data, garble, noise):
    """Every server callback of the page, with random values for any of its inputs and states."""
    key = data.draw(st.sampled_from(sorted(app.callback_map)), label="callback")
    names = component_ids(app.callback_map[key])
    values = (data.draw(st.dictionaries(st.sampled_from(names), json_values, max_size=4), label="values") if names
              else {})
    body = callback_body(app, key, values)
    if garble == "drop-key":
        body.pop(data.draw(st.sampled_from(sorted(body)), label="dropped"))
    elif garble == "random-body":
        body = noise
    text = json.dumps(body)
    if garble == "truncate":
        text = text[: len(text) // 2]
    response = client.post(CALLBACK_PATH, data=text, content_type="application/json")
    assert_clean(response, error_log)
