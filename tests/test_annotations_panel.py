"""The "Tasks" card (components/annotations.py, assets/annotations.js) without a browser: its
bindings write the link as the server does, a link with annotation fields arrives with the card's
selects showing it, its callbacks answer through the Dash endpoint, the clustering card names the
clusters' agreement with a field, and the browser-side selects (run in Node.js) show every view
as the server would draw it and turn a person's choice into one canonical change of the link."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import urlencode

import pytest

from components import annotations as panel
from components import ids
from components.heatmap import DRAWN_FIELDS
from components.state import BINDINGS, DATA_FIELDS, view_spec
from transfer.annotations import NONE_LABEL
from transfer.view import view_from_query
from transfer.viewstate import ViewState, parse_query
from web.services import DATASETS_KEY

from conftest import ROOT
from test_arrival import Callbacks, arrived, sync  # Callbacks: benchmarks/dash_client.py, on the path it sets

DATASET = "mistral-7b-instruct_auc-diff"  # bundled, with the Orgad et al. task annotations
TYPES = ["factual QA", "coreference", "classification", "math", "reading comprehension"]
FIELDS = ["task_type", "with_context"]
ANNOTATION_FIELDS = ("ann", "filter", "where", "collapse", "group", "track")
MATRIX = (b"train\\test,Alpha,Beta,Gamma,Delta\nAlpha,0.5,-0.25,0.1,0\nBeta,0.2,0.3,,0.1\nGamma,-0.1,0.0,0.4,0.2\n"
          b"Delta,0.1,0.2,0.3,0.4\n")


def run_harness(states: list[ViewState]) -> list[dict]:
    """tests/js/view_harness.js (as tests/test_view_js.py runs it): the query view.js writes for
    the controls' values of each state, and the controls it shows for the state's query."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: scripts/test installs Debian's nodejs package")
    cases = [{"controls": {b.field: b.from_state(getattr(s, b.field)) for b in BINDINGS}, "query": s.to_query()}
             for s in states]
    done = subprocess.run([node, str(ROOT / "tests" / "js" / "view_harness.js")],
                          input=json.dumps({"spec": view_spec(), "cases": cases}), capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def link(**fields) -> str:
    return "?" + urlencode({"dataset": DATASET, **fields})


def text_of(component) -> str:
    return json.dumps(component, ensure_ascii=False)


# --- bindings --------------------------------------------------------------------------------


def test_the_annotation_fields_are_bound_to_controls_holding_the_links_text():
    bound = {b.field: b for b in BINDINGS}
    assert set(ANNOTATION_FIELDS) <= set(bound)
    where, track = bound["where"].from_state, bound["track"].from_state
    assert where(("task_type", ("factual QA", "math"))) == "task_type:factual QA|math" and where(None) is None
    assert track(("task_type", "with_context")) == "task_type,with_context" and track(()) == "none"
    assert track(None) is None
    # the server reads what the controls hold as a link's text
    state, notices = parse_query(urlencode({"where": "task_type:math|(none)", "track": "none"}))
    assert state.where == ("task_type", ("math", "(none)")) and state.track == () and not notices
    assert {"ann", "filter", "where", "collapse", "group"} <= set(DATA_FIELDS)
    assert "track" in DRAWN_FIELDS and "track" not in DATA_FIELDS
    assert bound["collapse"].options is not None and bound["order"].options is not None


@pytest.mark.parametrize("fields", [
    {"filter": "QA", "where": ("task_type", ("factual QA", "math")), "track": ("task_type", "with_context")},
    {"ann": "a" * 32, "filter": "R&D <x>+ 50%", "where": ("kind", (NONE_LABEL,)), "collapse": "kind",
     "order": "group", "group": "kind", "track": ()},
    {"filter": "é中 a=b", "where": ("f", ("a b", "c/d", "e,f")), "group": "f", "track": ("f",)},
])
def test_the_browser_writes_and_reads_the_annotation_fields_as_the_server_does(fields):
    state = parse_query(ViewState(dataset=DATASET, **fields).to_query())[0]
    (answer,) = run_harness([state])
    assert answer["query"] == state.to_query()
    assert answer["controls"] == {b.field: b.from_state(getattr(state, b.field)) for b in BINDINGS}


# --- a link arrives --------------------------------------------------------------------------


def test_a_link_with_annotation_fields_arrives_with_the_card_showing_it(client):
    props = arrived(client, link(where="task_type:factual QA|coreference", track="task_type,with_context",
                                 order="group", group="task_type", k="3"))
    assert props[(ids.ANN_WHERE, "data")] == "task_type:factual QA|coreference"
    assert props[(ids.ANN_TRACK, "data")] == "task_type,with_context" and props[(ids.ANN_GROUP, "data")] == "task_type"
    assert props.get((ids.ANN, "data")) is None and props.get((ids.ANN_FILTER, "value")) is None
    assert props[(ids.ANN_WHERE_FIELD, "value")] == "task_type"
    assert [o["value"] for o in props[(ids.ANN_WHERE_FIELD, "options")]] == FIELDS
    assert props[(ids.ANN_WHERE_VALUES, "value")] == ["factual QA", "coreference"]
    assert [o["value"] for o in props[(ids.ANN_WHERE_VALUES, "options")]] == TYPES
    assert props[(ids.ANN_TRACK_FIELDS, "value")] == FIELDS
    assert props[(ids.ANN_GROUP_BY, "value")] == "task_type"
    assert [o["value"] for o in props[(ids.ANN_COLLAPSE, "options")]] == FIELDS
    assert not props[(ids.ANN_WHERE_VALUES, "disabled")] and not props[(ids.ANN_COLLAPSE, "disabled")]
    assert props[(ids.CLUSTER_ORDER, "value")] == "group"
    assert [o["value"] for o in props[(ids.CLUSTER_ORDER, "options")]] == ["data", "cluster", "group"]
    info = props[(ids.ANN_INFO, "data")]
    assert info["id"] is None and info["fields"] == FIELDS and info["values"]["with_context"] == ["no", "yes"]
    status = text_of(props[(ids.ANN_STATUS, "children")])
    assert "the dataset's own annotations" in status and "task_type, with_context" in status
    assert "Showing 5 of 10 train and 5 of 10 test tasks" in status
    # the heatmap keeps the five tasks, in their groups' order
    assert props[(ids.HEATMAP, "figure")]["data"][0]["y"] == ["TriviaQA", "HotpotQA", "Movies", "Winobias",
                                                              "Winogrande"]
    assert "Clusters vs task_type: ARI" in text_of(props[(ids.CLUSTER_INFO, "children")])


def test_the_default_view_draws_the_first_field_and_lists_every_field(client):
    props = arrived(client, link())
    assert props[(ids.ANN_TRACK_FIELDS, "value")] == ["task_type"]  # no `track`: the first field
    assert props[(ids.ANN_WHERE_FIELD, "value")] == "task_type" and props[(ids.ANN_WHERE_VALUES, "value")] == []
    assert props.get((ids.ANN_GROUP_BY, "value")) is None and props.get((ids.ANN_COLLAPSE, "value")) is None
    assert "Showing" not in text_of(props[(ids.ANN_STATUS, "children")])
    assert "ARI" not in text_of(props[(ids.CLUSTER_INFO, "children")])  # no field chosen


def test_a_collapsed_link_arrives_with_its_groups_and_says_so(client):
    props = arrived(client, link(collapse="task_type", row="factual QA"))
    assert props[(ids.ANN_COLLAPSE, "value")] == "task_type"
    assert props[(ids.HEATMAP, "figure")]["data"][0]["y"] == TYPES
    assert props[(ids.ROW, "value")] == "factual QA"
    assert props[(ids.SELECT_OPTIONS, "data")]["row"] == TYPES  # the dropdowns list the groups
    assert "Collapsed by task_type: 5 x 5 groups" in text_of(props[(ids.ANN_STATUS, "children")])


def test_a_matrix_without_annotations_disables_the_fields_but_keeps_the_search(client):
    uploaded = client.post("/api/datasets", data=MATRIX, content_type="text/csv").get_json()["id"]
    props = arrived(client, f"?dataset={uploaded}&filter=TA")
    for select in (*panel.SELECTS, ids.ANN_COLLAPSE):
        assert props[(select, "disabled")] is True, select
    assert props.get((ids.ANN_INFO, "data")) is None and props[(ids.ANN_COLLAPSE, "options")] == []
    assert [o["value"] for o in props[(ids.CLUSTER_ORDER, "options")]] == ["data", "cluster"]
    status = text_of(props[(ids.ANN_STATUS, "children")])
    assert "no task annotations" in status and "Showing 2 of 4 train and 2 of 4 test tasks" in status
    assert props[(ids.ANN_FILTER, "value")] == "TA"  # Beta and Delta


# --- callbacks -------------------------------------------------------------------------------


def test_sync_sends_the_field_options_with_a_view_that_changes_the_annotations(client):
    request = {"serial": 2, "query": f"dataset={DATASET}&collapse=task_type", "before": "dataset=example-seeds",
               "carry": False}
    answer = sync(client, request)
    assert answer[ids.VIEW_ANSWER]["data"]["query"] == f"dataset={DATASET}&collapse=task_type"
    assert [o["value"] for o in answer[ids.ANN_COLLAPSE]["options"]] == FIELDS
    assert [o["value"] for o in answer[ids.CLUSTER_ORDER]["options"]] == ["data", "cluster", "group"]
    assert answer[ids.ROW]["options"] == TYPES


def describe(client, state: ViewState, changed: str) -> dict:
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    body = callbacks.body(f"{ids.ANN_INFO}.data", state, changed=changed)
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 200
    return response.get_json()["response"]


def test_the_card_describes_what_the_search_and_the_kept_values_leave(client):
    answer = describe(client, ViewState(dataset=DATASET, filter="qa"), ids.ANN_FILTER)
    status = text_of(answer[ids.ANN_STATUS]["children"])
    # TriviaQA, HotpotQA, HotpotQA_WC (the search ignores case)
    assert "Showing 3 of 10 train and 3 of 10 test tasks" in status
    assert answer[ids.ANN_INFO]["data"]["fields"] == FIELDS
    answer = describe(client, ViewState(dataset=DATASET, where=("with_context", ("yes",))), ids.ANN_WHERE)
    assert "Showing 2 of 10 train and 2 of 10 test tasks" in text_of(answer[ids.ANN_STATUS]["children"])


def test_the_clustering_card_names_the_agreement_of_the_cut_with_the_field(client):
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    state = ViewState(dataset=DATASET, order="group", group="task_type", k=5)
    body = callbacks.body(f"{ids.CLUSTER_INFO}.children", state, changed=ids.CLUSTER_K)
    answer = client.post("/_dash-update-component", data=body, content_type="application/json").get_json()["response"]
    api = client.get("/api/view?" + state.to_query()).get_json()
    agreement = api["clusters"]["agreement"]
    assert agreement["field"] == "task_type" and agreement["ari"] is not None
    assert f"Clusters vs task_type: ARI {agreement['ari']:.2f}" in text_of(answer[ids.CLUSTER_INFO]["children"])
    # and the dendrogram tab says it above its member list
    tab = ViewState(dataset=DATASET, order="group", group="task_type", k=5, tab="dendrogram")
    body = callbacks.body(f"{ids.CLUSTER_INFO}.children", tab, changed=ids.TABS)
    answer = client.post("/_dash-update-component", data=body, content_type="application/json").get_json()["response"]
    assert f"Clusters vs task_type: ARI {agreement['ari']:.2f}" in text_of(answer[ids.CLUSTER_MEMBERS]["children"])
    # without a chosen field there is nothing to compare the clusters with
    plain = ViewState(dataset=DATASET, k=5)
    body = callbacks.body(f"{ids.CLUSTER_INFO}.children", plain, changed=ids.CLUSTER_K)
    answer = client.post("/_dash-update-component", data=body, content_type="application/json").get_json()["response"]
    assert "ARI" not in text_of(answer[ids.CLUSTER_INFO]["children"])


# --- the browser side (Node.js) --------------------------------------------------------------

HARNESS = """
"use strict";
const fs = require("fs");
const {loadAssets} = require(%s);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const answers = input.cases.map((c) => {
  // a fresh page per case, arrived at the case's view
  const window = loadAssets(["plotly_workarounds.js", "tmx.js", "view.js", "annotations.js"]);
  const tmx = window.dash_clientside.tmx;
  const states = input.spec.bindings.map((b) => b.empty);
  tmx.view_to_controls(c.current, ...states, input.spec, {serial: 0, query: c.current, requested: null, datasets: []});
  const values = [c.current, c.info, c.chosen.whereField, c.chosen.whereValues, c.chosen.tracks, c.chosen.group];
  window.dash_clientside.callback_context = {
    inputs_list: input.inputs.map((i, n) => ({id: i[0], property: i[1], value: values[n]})),
    triggered: c.fired.map((n) => ({prop_id: input.inputs[n][0] + "." + input.inputs[n][1], value: values[n]})),
  };
  const outputs = tmx.annotation_controls(...values, ...c.states);
  return {query: window.tmx.view.current(), outputs: outputs.map((o) => (o && o.noUpdate ? "no_update" : o))};
});
process.stdout.write(JSON.stringify(answers));
"""
INPUTS = [(ids.VIEW, "data"), (ids.ANN_INFO, "data"), *((select, "value") for select in panel.SELECTS)]
CHOSEN = ("whereField", "whereValues", "tracks", "group")
# the callback's outputs, in its order (components/annotations.py register)
OUTPUTS = [(select, prop) for select in panel.SELECTS for prop in panel.SELECT_PROPS] + [(ids.ANN_COLLAPSE, "disabled")]


def run_controls(tmp_path, cases: list[dict]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: scripts/test installs Debian's nodejs package")
    script = tmp_path / "annotations_harness.js"
    script.write_text(HARNESS % json.dumps(str(ROOT / "tests" / "js" / "fake_page.js")))
    data = {"spec": view_spec(), "inputs": INPUTS, "cases": cases}
    done = subprocess.run([node, str(script)], input=json.dumps(data), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def case(current: str, info, fired=(), states=None, **chosen) -> dict:
    return {"current": current, "info": info, "fired": [INPUTS.index((panel.SELECTS[CHOSEN.index(name)], "value"))
                                                       for name in fired],
            "chosen": {name: chosen.get(name) for name in CHOSEN}, "states": states or [None] * 9}


QUERIES = [
    f"dataset={DATASET}",
    f"dataset={DATASET}&where=with_context%3Ayes&collapse=task_type&track=none",
    f"dataset={DATASET}&filter=qa&order=group&group=with_context&track=with_context%2Ctask_type",
    f"dataset={DATASET}&where=task_type%3Amath%7Cfactual+QA&order=cluster&group=task_type&track=task_type",
    "dataset=example-seeds&ann=" + "f" * 32,
]


def test_the_browser_shows_every_view_in_the_selects_as_the_server_does(app, tmp_path):
    datasets = app.server.config[DATASETS_KEY]
    views = [view_from_query(datasets, query) for query in QUERIES]
    infos = [panel.annotation_info(view) for view in views]
    answers = run_controls(tmp_path, [case(view.query, info) for view, info in zip(views, infos)])
    for view, info, answer in zip(views, infos, answers):
        expected = panel.shown(view, info)
        # the selects held nothing (None): what is None already is not sent again
        sent = [None if got == "no_update" else got for got in answer["outputs"]]
        assert sent == [expected[key] for key in OUTPUTS], view.query
        assert answer["query"] == view.query  # showing a view changes nothing


INFO = {"id": None, "fields": FIELDS, "values": {"task_type": TYPES, "with_context": ["no", "yes"]}}
BASE = f"dataset={DATASET}"
CHOICES = [
    # (the view, the select a person changed, what the selects then hold, the view after it)
    (BASE, "group", {"group": "task_type"}, f"{BASE}&order=group&group=task_type"),
    (f"{BASE}&order=group&group=task_type", "group", {"group": "with_context"},
     f"{BASE}&order=group&group=with_context"),
    (f"{BASE}&order=group&group=task_type", "group", {"group": None}, BASE),
    (f"{BASE}&order=cluster&group=task_type", "group", {"group": None}, f"{BASE}&order=cluster"),
    (BASE, "tracks", {"tracks": []}, f"{BASE}&track=none"),
    (BASE, "tracks", {"tracks": ["with_context", "task_type"]}, f"{BASE}&track=with_context%2Ctask_type"),
    (f"{BASE}&track=none", "tracks", {"tracks": ["task_type"]}, f"{BASE}&track=task_type"),
    (BASE, "tracks", {"tracks": ["task_type"]}, BASE),  # what the view draws already
    (BASE, "whereValues", {"whereField": "task_type", "whereValues": ["factual QA", "math"]},
     f"{BASE}&where=task_type%3Afactual+QA%7Cmath"),
    (f"{BASE}&where=task_type%3Amath", "whereValues", {"whereField": "task_type", "whereValues": []}, BASE),
    (f"{BASE}&where=task_type%3Amath", "whereValues", {"whereField": "task_type", "whereValues": None}, BASE),
    # another field: the values kept of the first one go (values of one field at a time)
    (f"{BASE}&where=task_type%3Amath", "whereField", {"whereField": "with_context", "whereValues": ["math"]}, BASE),
    (BASE, "whereField", {"whereField": "with_context", "whereValues": []}, BASE),
]


@pytest.mark.parametrize("current, fired, chosen, after", CHOICES)
def test_a_choice_in_the_selects_is_one_canonical_change_of_the_link(tmp_path, current, fired, chosen, after):
    (answer,) = run_controls(tmp_path, [case(current, INFO, [fired], **chosen)])
    assert answer["query"] == after
    assert parse_query(after)[0].to_query() == after  # canonical, as the server writes it
    # and the selects show the view it leads to
    shown = dict(zip(OUTPUTS, answer["outputs"]))
    if fired == "group":
        assert shown[(ids.ANN_GROUP_BY, "value")] in ("no_update", parse_query(after)[0].group)
    if fired == "whereField":
        assert shown[(ids.ANN_WHERE_FIELD, "value")] == "no_update"  # it shows the chosen field already
        # no value kept of the new field (sent unless the select holds none already)
        assert shown[(ids.ANN_WHERE_VALUES, "value")] == ("no_update" if chosen["whereValues"] == [] else [])
        listed = INFO["values"][chosen["whereField"]]
        assert shown[(ids.ANN_WHERE_VALUES, "options")] == [{"label": v, "value": v} for v in listed]


def test_a_fourth_track_is_not_offered_and_not_written(tmp_path):
    info = {"id": None, "fields": ["a", "b", "c", "d"], "values": {name: ["x"] for name in "abcd"}}
    (answer,) = run_controls(tmp_path, [case(BASE, info, ["tracks"], tracks=["a", "b", "c", "d"])])
    assert answer["query"] == f"{BASE}&track=a%2Cb%2Cc"
    options = dict(zip(OUTPUTS, answer["outputs"]))[(ids.ANN_TRACK_FIELDS, "options")]
    assert [o.get("disabled", False) for o in options] == [False, False, False, True]
