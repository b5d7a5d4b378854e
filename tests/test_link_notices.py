"""What a tampered or mistyped link is told: consistent clamping of k and cluster, short numbers
and short echoes in every notice, and error pages a browser can show (HTML; the API keeps JSON)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from transfer.matrix import TransferMatrix
from transfer.viewstate import parse_query, resolve, resolve_shown, resolve_thresholds
from web.security import MAX_QUERY_BYTES

# Ten tasks on both axes, values in -0.5..0.5 around neutral 0.
TEN = TransferMatrix(
    rows=[f"t{i}" for i in range(10)],
    cols=[f"t{i}" for i in range(10)],
    values=np.linspace(-0.5, 0.5, 100).reshape(10, 10),
)


def opened(query: str, matrix: TransferMatrix = TEN):
    """(resolved state, every notice) of a link on `matrix`, as the page opens it."""
    state, notices = parse_query(query)
    resolved, more = resolve(state, matrix)
    resolved, hidden = resolve_shown(resolved, matrix, matrix)
    resolved, clamped = resolve_thresholds(resolved, matrix)
    return resolved, notices + more + hidden + clamped


# --- k and cluster: one rule whatever the size of the number ---------------------------------


@pytest.mark.parametrize(
    "k", ["11", "2000", "2001", "999999", "1" * 30], ids=["just-over", "2000", "2001", "999999", "30-digits"],
)
def test_k_above_the_number_of_tasks_clamps_to_it_with_one_notice(k):
    state, notices = opened(f"k={k}")
    assert state.k == 10
    (notice,) = notices
    assert re.fullmatch(r"k=\S+ is more than the 10 tasks; using k=10\.", notice), notice
    assert len(notice) < 80


@pytest.mark.parametrize("k", ["0", "-3", "-0", "-999999"], ids=["zero", "minus-3", "minus-zero", "very-negative"])
def test_k_below_one_means_no_cut_with_a_notice_that_says_so(k):
    state, notices = opened(f"k={k}")
    assert state.k is None
    (notice,) = notices
    assert "not a whole number" not in notice
    assert "less than 1" in notice and "uncut" in notice, notice


@pytest.mark.parametrize(
    "k", ["abc", "3.5", "1e3", "²", "+3"], ids=["word", "fraction", "exponent", "superscript", "plus"],
)
def test_k_that_is_not_a_whole_number_is_ignored(k):
    state, notices = opened(f"k={k}".replace("+", "%2B"))
    assert state.k is None
    assert notices == [f"Ignored k: '{k}' is not a whole number."]


@pytest.mark.parametrize(
    "query, cluster, fragment",
    [
        ("k=3&cluster=2", 2, None),
        ("k=3&cluster=4", None, "Ignored cluster=4: there are only 3 clusters at this cut."),
        ("k=3&cluster=999999", None, "Ignored cluster=999999: there are only 3 clusters at this cut."),
        ("k=3&cluster=0", None, "less than 1"),
        ("k=3&cluster=-2", None, "less than 1"),
        ("k=3&cluster=abc", None, "Ignored cluster: 'abc' is not a whole number."),
        ("k=50&cluster=12", None, "Ignored cluster=12: there are only 10 clusters at this cut."),
        ("cluster=2", None, "Ignored cluster=2: the tree is not cut"),
    ],
    ids=["valid", "over-k", "huge", "zero", "negative", "word", "over-clamped-k", "no-cut"],
)
def test_cluster_follows_the_same_rules(query, cluster, fragment):
    state, notices = opened(query)
    assert state.cluster == cluster
    if fragment is None:
        assert notices == []
    else:
        assert any(fragment in n for n in notices), notices
        assert not any("not a whole number" in n for n in notices if "abc" not in query)


def test_clamped_k_is_canonical():
    state, _ = opened("k=999999&cluster=2")
    assert state.to_query() == "k=10&cluster=2"
    again, notices = opened(state.to_query())
    assert again == state and notices == []


# --- numbers in notices are short -----------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [(0.25, "0.25"), (-0.15, "-0.15"), (0.0, "0"), (3, "3"), (1e308, "1e+308"), (-1e308, "-1e+308"),
     (1e-9, "1e-09"), (123456.5, "123456.5"), (10**40, "1e+40"), (int("1" * 300), "1.11111e+299")],
    ids=["plain", "negative", "zero", "int", "huge", "huge-negative", "tiny", "large-plain", "huge-int", "300-digits"],
)
def test_notice_number(value, text):
    from transfer.viewstate import notice_number

    assert notice_number(value) == text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("pos=1e308", "pos=1e+308 is outside 0..0.5; using 0.5."),
        ("neg=-1e308", "neg=-1e+308 is outside -0.5..0; using -0.5."),
        ("pos=" + "9" * 300, "pos=1e+300 is outside 0..0.5; using 0.5."),
    ],
    ids=["pos-1e308", "neg-minus-1e308", "300-nines"],
)
def test_huge_thresholds_are_echoed_short(query, expected):
    _, notices = opened(query)
    assert notices == [expected]


def test_huge_matrix_values_are_written_short_in_the_notice():
    wide = TransferMatrix(rows=["a", "b"], cols=["a", "b"], values=np.array([[0.0, 3e20], [-3e20, 1.0]]))
    _, notices = opened("pos=1e308", wide)
    assert notices == ["pos=1e+308 is outside 0..3e+20; using 3e+20."]


# --- user text is echoed truncated ----------------------------------------------------------

LONG = "x" * 3000


@pytest.mark.parametrize(
    "query",
    [
        f"order={LONG}", f"pos={LONG}", "pos=" + "9" * 3000, f"k={LONG}", f"cluster={LONG}", f"diag={LONG}",
        f"tab={LONG}", f"dataset={LONG}", f"{LONG}=1", f"row={'y' * 300}", f"compare={'z' * 100}",
        "k=" + "1" * 3000,
    ],
    ids=["choice", "number", "infinite-number", "k", "cluster", "flag", "tab", "dataset", "unknown-key", "row",
         "compare", "k-3000-digits"],
)
def test_every_notice_is_short(query):
    state, notices = parse_query(query)
    state, more = resolve(state, TEN, known_dataset=lambda _: False)
    _, shown = resolve_shown(state, TEN, TEN)
    assert notices + more + shown
    for notice in notices + more + shown:
        assert len(notice) <= 160, notice


# --- wording for people ---------------------------------------------------------------------


def test_ward_with_another_distance_is_explained_in_the_pages_words():
    state, notices = opened("method=ward&distance=cosine")
    assert state.method == "average"
    assert notices == ["Ward linkage works only with the Euclidean distance; using average linkage."]


# --- error pages: HTML for the browser, JSON for the API ------------------------------------

TOO_LONG = "row=" + "x" * 5000


def assert_self_contained_html(response, status: int) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html" and response.mimetype_params.get("charset") == "utf-8"
    body = response.get_data(as_text=True)
    assert body.lstrip().lower().startswith("<!doctype html>")
    assert '<a href="/">' in body  # a way back to the default view
    # nothing loaded from anywhere: no scripts, stylesheets, images or fonts
    assert not re.search(r"<script|<link|<img|src=|url\(|@import|https?://", body, re.IGNORECASE), body
    assert not response.is_json
    assert response.headers["Content-Security-Policy"] and response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(body) < 4000
    return body


def test_a_too_long_page_link_answers_an_html_page(client):
    assert len(TOO_LONG) > MAX_QUERY_BYTES
    body = assert_self_contained_html(client.get("/?" + TOO_LONG), 414)
    assert "5,004 bytes" in body and "4,096" in body


def test_a_too_long_link_to_any_page_path_answers_html(client):
    assert_self_contained_html(client.get("/some/page?" + TOO_LONG), 414)
    assert_self_contained_html(
        client.get("/?" + TOO_LONG, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}), 414,
    )


@pytest.mark.parametrize("path", ["/api/view", "/api/selection", "/_dash-layout", "/_dash-dependencies"])
def test_the_api_and_dash_endpoints_keep_json_errors(client, path):
    response = client.get(path + "?" + TOO_LONG, headers={"Accept": "text/html"})
    assert response.status_code == 414 and response.is_json
    assert "query string" in response.get_json()["error"]


def test_a_client_that_asks_for_json_gets_json(client):
    response = client.get("/?" + TOO_LONG, headers={"Accept": "application/json"})
    assert response.status_code == 414 and response.is_json


def test_other_page_errors_are_html_too(app):
    @app.server.get("/boom")
    def boom():
        raise RuntimeError("secret /srv/app/x.py")

    client = app.server.test_client()
    assert_self_contained_html(client.post("/"), 405)
    body = assert_self_contained_html(client.get("/boom"), 500)
    assert "secret" not in body and "Traceback" not in body
    assert client.get("/api/nothing").is_json


def test_html_error_pages_escape_what_they_show(client):
    body = assert_self_contained_html(client.get("/?" + "row=<script>alert(1)</script>" + "x" * 5000), 414)
    assert "<script>" not in body
