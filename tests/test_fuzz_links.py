"""Tampered links: random query strings against the page and /api/view (800 per run, each sent
as typed and in its canonical form; the page's index itself never reads the query).

Every answer must be a valid view (never a 500): the canonical query it reports parses back to
itself with no notices, reopening it gives the same view with nothing ignored, and the page's
own URL callback writes the same canonical query as /api/view.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import ids
from transfer.matrix import TransferMatrix
from transfer.viewstate import (
    ALIASES,
    DISTANCES,
    FIELD_NAMES,
    METHODS,
    NORMS,
    ORDERS,
    PROFILES,
    SORTS,
    TABS,
    parse_query,
)
from web import services
from web.security import MAX_QUERY_BYTES

# Thresholds clamp to value ranges that are not round numbers here: clamping must still give a
# value that the canonical link carries without a notice.
AWKWARD = TransferMatrix(
    rows=("a", "b", "c"),
    cols=("a", "b", "d"),
    values=np.array(
        [[0.123456789, -0.987654321, np.nan], [0.3333333333, 0.0, 0.7777777777], [-0.1, 0.2, 0.30000000000000004]]
    ),
    name="awkward",
    neutral=0.0101010101,
)

WORDS = (
    *ORDERS, *METHODS, *DISTANCES, *PROFILES, *NORMS, *SORTS, *TABS,
    "TriviaQA", "Winobias", "Movies", "a", "b", "d", "mistral-7b_auc", "llama-3-8b_auc-diff", AWKWARD.content_id(),
    "0" * 32, "", "0", "1", "2", "-1", "nan", "inf", "-inf", "1e309", "-0", "1_0", "١٢", "²", "0x10", " 3 ", "9" * 40,
    "0.0000004", "-0.0000004", "1e-7", "%zz", "%ff%fe", "\x00", "a\u0301",
)
KEYS = (*FIELD_NAMES, *ALIASES, "", "Dataset", "k[]", "utm_source", "row ", "\x00", "pos%00")

value = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-2, max_value=2).map(lambda x: f"{x:.9f}"),
    st.text(max_size=24),
)
encoded_pairs = st.lists(st.tuples(st.sampled_from(KEYS), value), max_size=18).map(
    lambda pairs: "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in pairs)
)
# Hand-typed or mangled links: separators and escapes in the wrong places.
raw_text = st.text(alphabet="&=%+;?#/ abcdfkrowspgnlt0123456789.-_xé\x00", max_size=120)
# A real dataset first, so that the other fields are checked against its labels and ranges.
on_a_dataset = st.tuples(
    st.sampled_from(("mistral-7b-instruct_auc", "llama-3-8b_auc-diff", AWKWARD.content_id())), encoded_pairs
).map(lambda parts: f"dataset={parts[0]}&{parts[1]}")
queries = st.one_of(on_a_dataset, encoded_pairs, raw_text, st.binary(max_size=60).map(lambda b: quote(b, safe="&=")))


def ascii_query(query: str) -> str:
    """What a browser sends: non-ASCII percent-encoded, everything else as typed."""
    return quote(query, safe="&=%+;?/:@!$'()*,~#[] ")


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    from web.config import Config
    from web.factory import create_app

    app = create_app(Config(database_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.sqlite'}"))
    app.server.config[services.DATASETS_KEY].put(AWKWARD)
    return app


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app):
    return fuzz_app.server.test_client()


@pytest.fixture(scope="module")
def url_callback(fuzz_client):
    """The page's view request (components.state.sync) as the browser sends it for a link it
    restores (back, forward, an address bar the layout was not drawn for): the canonical query
    it answers, as a search string."""
    fuzz_client.get("/")
    spec = next(
        d for d in fuzz_client.get("/_dash-dependencies").get_json() if f"{ids.VIEW_ANSWER}.data" in d["output"]
    )
    outputs = [dict(zip(("id", "property"), part.split("."))) for part in spec["output"].strip(".").split("...")]

    def call(search: str) -> str:
        request = {"serial": 1, "query": search.lstrip("?"), "before": "", "carry": False}
        payload = {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{**i, "value": request if i["id"] == ids.VIEW_REQUEST else None} for i in spec["inputs"]],
            "state": [{**s, "value": None} for s in spec["state"]],
            "changedPropIds": [f"{ids.VIEW_REQUEST}.data"],
        }
        response = fuzz_client.post(
            "/_dash-update-component", data=json.dumps(payload), content_type="application/json",
        )
        assert response.status_code == 200, (search, response.get_data(as_text=True)[:500])
        return "?" + response.get_json()["response"][ids.VIEW_ANSWER]["data"]["query"]

    return call


def check_valid_view(client, query: str) -> dict:
    response = client.get("/api/view?" + query)
    assert response.status_code == 200, (query, response.get_data(as_text=True)[:300])
    view = response.get_json()
    canonical = view["query"]
    state, notices = parse_query(canonical)
    assert notices == [], (query, canonical, notices)
    assert state.to_query() == canonical
    assert json.loads(json.dumps(state.as_dict())) == view["state"]
    again = client.get("/api/view?" + canonical).get_json()
    # Reopening the canonical link is a fixed point: the same view, nothing more ignored or
    # corrected (informative notices about the view itself, such as mixed metrics, may remain).
    assert set(again["notices"]) <= set(view["notices"]), (query, canonical, again["notices"])
    assert not any(n.startswith("Ignored") for n in again["notices"]), (query, canonical, again["notices"])
    assert {**again, "notices": []} == {**view, "notices": []}
    return view


@settings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries)
def test_random_links_open_a_valid_view_in_the_api_and_the_page(fuzz_client, url_callback, query):
    query = ascii_query(query)
    view = check_valid_view(fuzz_client, query)
    # A click's request for the same link: the view's selection, without the bars' values.
    lean = fuzz_client.get("/api/selection?" + query)
    assert lean.status_code == 200, (query, lean.get_data(as_text=True)[:300])
    full = view.get("selection")
    strip = lambda part: part and {k: v for k, v in part.items() if k not in ("labels", "values")}  # noqa: E731
    assert lean.get_json()["selection"] == (full and {**full, "row": strip(full["row"]), "col": strip(full["col"])})
    search = "?" + query if query else ""
    written = url_callback(search)
    assert written == "?" + view["query"], (query, written, view["query"])


@pytest.mark.parametrize(
    "query",
    [
        "row=" + "x" * 4001,
        "dataset=" + "a" * 200_000,
        "&" * 10_000,
        "k=1&" * 1_000,
        "row=" + "%" * 3_000,
        "pos=" + "9" * 3_900,
        "k=" + "1" * 3_900,
    ],
    ids=["just-over-limit", "200k", "10k-separators", "1000-fields", "percent-signs", "long-number", "long-count"],
)
def test_huge_and_repetitive_queries_open_the_default_or_nearest_view(fuzz_client, url_callback, query):
    if len(query) > MAX_QUERY_BYTES:
        # The server refuses such a request line (414, as gunicorn does); a link pasted into an
        # open page reaches the URL callback in the body and opens the default view.
        for path in ("/api/view?", "/api/selection?"):
            response = fuzz_client.get(path + query)
            assert response.status_code == 414 and "query string" in response.get_json()["error"]
        page = fuzz_client.get("/?" + query)  # a page answers the HTML error page
        assert page.status_code == 414 and page.mimetype == "text/html"
        assert url_callback("?" + query) == "?" + fuzz_client.get("/api/view").get_json()["query"]
        return
    view = check_valid_view(fuzz_client, query)
    assert view["notices"], "what was ignored must be said"
    assert fuzz_client.get("/?" + query).status_code == 200
    assert url_callback("?" + query) == "?" + view["query"]
