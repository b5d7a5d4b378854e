"""The page arrives drawn for its link (a link opens drawn): `/_dash-layout`, asked for with the
page's address in its Referer (as the renderer does), already holds the view. No browser here:
the layout's JSON and the callbacks' answers through Flask's test client."""

from __future__ import annotations

import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from components import ids  # noqa: E402
from transfer.viewstate import ViewState, parse_query  # noqa: E402

from dash_client import Callbacks  # noqa: E402

LINK = "?dataset=mistral-7b-instruct_auc&order=cluster&k=3&row=NLI&col=TriviaQA&pos=0.75"


def arrived(client, link: str | None) -> dict:
    """(id, prop) -> value of every component of the layout asked for by the page at `link`."""
    headers = {"Referer": f"http://localhost/{link}"} if link is not None else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and "Referer" in response.headers["Vary"]
    props: dict = {}

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            own = node.get("props", {}) if "type" in node else {}
            if isinstance(own.get("id"), str):
                props.update({(own["id"], key): value for key, value in own.items()})
            for value in (own or node).values():
                walk(value)

    walk(response.get_json())
    return props


def test_the_layout_holds_the_links_view(client):
    props = arrived(client, LINK)
    figure, meta = props[(ids.HEATMAP, "figure")], props[(ids.HEATMAP_META, "data")]
    assert meta["query"] == LINK[1:] and meta["key"] == "mistral-7b-instruct_auc"
    assert meta["selection"]["row"]["label"] == "NLI" and meta["cut"] == [3, None]
    assert len(figure["data"]) > 5  # cluster order: dendrograms and bands in the margins
    assert [shape["name"] for shape in figure["layout"]["shapes"]] == [
        "positive", "negative", "cluster", "selected-row", "selected-col"]
    # every bound control shows the link; the dropdowns list the chosen label until the page is drawn
    assert props[(ids.DATASET, "value")] == "mistral-7b-instruct_auc"
    assert props[(ids.CLUSTER_ORDER, "value")] == "cluster" and props[(ids.CLUSTER_K, "value")] == 3
    assert props[(ids.THRESHOLD_POS, "data")] == 0.75
    assert props[(ids.ROW, "value")] == "NLI" and props[(ids.ROW, "options")] == ["NLI"]
    later = props[(ids.SELECT_OPTIONS, "data")]
    assert "NLI" in later["row"] and len(later["row"]) == len(figure["data"][0]["y"]) == 10
    # and the panels' server-side content: the dataset line, the sliders' range, the cut's maximum
    assert "AUC" in json.dumps(props[(ids.DATASET_INFO, "children")])
    assert (props[(ids.THRESHOLD_POS_SLIDER, "min")], props[(ids.THRESHOLD_POS_SLIDER, "max")]) == (0.5, 1.0)
    assert props[(ids.THRESHOLD_SCALE, "data")]["neutral"] == 0.5
    assert props[(ids.CLUSTER_K, "max")] == 10
    assert props.get((ids.NOTICES, "children")) == []


def test_the_layouts_figures_are_written_once_and_spliced_in_as_dash_writes_them(app, client):
    """The layout response equals Dash's own JSON of the layout, and a second load of the link
    reuses the heatmap's traces' text (the figure cache keeps the very list)."""
    from dash._utils import to_json

    headers = {"Referer": f"http://localhost/{LINK}"}
    first = client.get("/_dash-layout", headers=headers).get_data(as_text=True)
    with app.server.test_request_context("/_dash-layout", headers=headers):
        expected = json.loads(to_json(app.get_layout()))
    assert json.loads(first) == expected
    kept = len(app._traces_json)
    assert kept >= 1
    assert client.get("/_dash-layout", headers=headers).get_data(as_text=True) == first
    assert len(app._traces_json) == kept  # nothing written again
    other = client.get("/_dash-layout", headers={"Referer": "http://localhost/?dataset=mistral-7b-instruct_auc"})
    assert json.loads(other.get_data(as_text=True))  # another view: its own traces, valid JSON
    assert len(app._traces_json) == kept + 1


def test_without_a_referer_the_default_view_and_a_bad_link_gets_its_notices(client):
    default = arrived(client, None)
    assert default[(ids.HEATMAP_META, "data")]["key"] == default[(ids.DATASET, "value")]
    bad = arrived(client, "?dataset=nope&k=abc&row=Unknown")
    notices = json.dumps(bad[(ids.NOTICES, "children")])
    assert "Unknown dataset 'nope'" in notices and bad[(ids.DATASET, "value")] == default[(ids.DATASET, "value")]


def test_a_link_with_the_old_distance_key_arrives_as_the_same_view(client):
    """`metric=` was the clustering distance's key: the page arrives showing that distance, and
    the view's query (which the browser writes into the address bar) says `distance=`."""
    old = arrived(client, "?dataset=mistral-7b-instruct_auc&order=cluster&metric=cosine&k=2")
    new = arrived(client, "?dataset=mistral-7b-instruct_auc&order=cluster&distance=cosine&k=2")
    assert old[(ids.CLUSTER_DISTANCE, "value")] == "cosine"
    canonical = "dataset=mistral-7b-instruct_auc&order=cluster&distance=cosine&k=2"
    assert old[(ids.VIEW, "data")] == new[(ids.VIEW, "data")] == canonical
    assert old[(ids.HEATMAP, "figure")] == new[(ids.HEATMAP, "figure")]
    assert old.get((ids.NOTICES, "children")) == []


def sync(client, request: dict) -> dict:
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    body = callbacks.body(
        "view-answer.data", ViewState(), changed=ids.VIEW_REQUEST, extra={(ids.VIEW_REQUEST, "data"): request},
    )
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 200
    return response.get_json()["response"]


def test_the_layout_holds_the_view_and_the_link_it_was_asked_for(client):
    props = arrived(client, LINK)
    assert props[(ids.VIEW, "data")] == LINK[1:]
    assert props[(ids.VIEW_ANSWER, "data")] == {"serial": 0, "query": LINK[1:], "requested": LINK[1:], "datasets": []}
    spec = props[(ids.VIEW_SPEC, "data")]
    assert spec["fields"][:2] == ["dataset", "compare"] and "pos" not in spec["server"] and "order" in spec["server"]
    assert arrived(client, None)[(ids.VIEW_ANSWER, "data")]["requested"] == ""


def test_sync_answers_a_request_with_its_canonical_view_and_the_options_of_new_data(client):
    request = {"serial": 3, "query": "dataset=mistral-7b-instruct_auc&k=3&order=cluster&pos=5&row=NLI&col=TriviaQA",
               "before": "dataset=mistral-7b-instruct_auc-diff", "carry": False}
    answer = sync(client, request)
    assert answer[ids.VIEW_ANSWER]["data"] == {
        "serial": 3, "datasets": [],
        "query": "dataset=mistral-7b-instruct_auc&order=cluster&k=3&row=NLI&col=TriviaQA&pos=1",
    }
    assert "pos=5 is outside 0.5..1; using 1." in json.dumps(answer[ids.NOTICES]["children"])
    assert answer[ids.ROW]["options"] == answer[ids.SELECT_OPTIONS]["data"]["row"]
    assert len(answer[ids.ROW]["options"]) == 10
    # the same data as before: no options sent again, and no notice left from the last answer
    again = sync(client, {**request, "query": answer[ids.VIEW_ANSWER]["data"]["query"], "before": request["query"]})
    assert ids.ROW not in again and again[ids.NOTICES]["children"] == []


def test_a_change_of_data_carries_thresholds_into_the_new_units_and_a_restored_link_keeps_its_own(client):
    request = {"serial": 1, "query": "dataset=mistral-7b-instruct_auc&pos=0.1&neg=-0.15",
               "before": "dataset=mistral-7b-instruct_auc-diff&pos=0.1&neg=-0.15", "carry": True}
    carried = sync(client, request)[ids.VIEW_ANSWER]["data"]["query"]
    assert carried == "dataset=mistral-7b-instruct_auc&pos=0.6&neg=0.4"  # the AUC matrix's suggestions
    restored = sync(client, {**request, "carry": False})[ids.VIEW_ANSWER]["data"]["query"]
    assert restored == client.get("/api/view?" + request["query"]).get_json()["query"]  # the link's values, clamped
    assert restored != carried


def test_sync_ignores_what_the_page_never_sends(client):
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    for bad in (None, "dataset=x", {"query": 5, "serial": 1}, {"query": "dataset=x"}):
        body = callbacks.body(
            "view-answer.data", ViewState(), changed=ids.VIEW_REQUEST, extra={(ids.VIEW_REQUEST, "data"): bad},
        )
        assert client.post("/_dash-update-component", data=body, content_type="application/json").status_code == 204


def test_the_heatmap_is_not_sent_again_for_the_view_it_shows(client):
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    state, _ = parse_query(LINK)
    meta = arrived(client, LINK)[(ids.HEATMAP_META, "data")]
    shown = callbacks.body(
        "heatmap-meta.data", state, changed=ids.CLUSTER_ORDER, extra={(ids.HEATMAP_META, "data"): meta},
    )
    assert client.post("/_dash-update-component", data=shown, content_type="application/json").status_code == 204
    other = callbacks.body("heatmap-meta.data", ViewState(dataset="mistral-7b-instruct_auc"), changed=ids.CLUSTER_ORDER,
                           extra={(ids.HEATMAP_META, "data"): meta})
    response = client.post("/_dash-update-component", data=other, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["response"]["heatmap-meta"]["data"]["query"] == "dataset=mistral-7b-instruct_auc"


def test_fingerprinted_assets_are_cached_for_good_and_plotly_is_preloaded(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="preload" as="script" id="tmx-plotly"' in page and "/web.plotlyjs/plotly-tmx.v" in page
    asset = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/assets/tmx.js?m="))
    assert "immutable" in client.get(asset).headers["Cache-Control"]
    assert "immutable" not in client.get("/assets/tmx.js").headers.get("Cache-Control", "")
