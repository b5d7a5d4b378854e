""""The link is always the view", in real Chromium: regression tests for the defects users found.

After every change a person makes, the address bar's query string must be the canonical link
(/api/view of it answers the same `query`), the screen must show exactly what /api/view says that
link shows, a reload must show it again, Back and Forward must walk through the changes, typed
thresholds must apply the value the link then carries, uploads must stay listed, and notices
must describe the view on screen only. Real interactions only (clicks, keys, files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pytest

from components import ids
from transfer.viewstate import format_number

from browser import click_bar, click_cell
from link_checks import (
    DEFAULT,
    SWITCH,
    THRESHOLD_INPUT_STATUS,
    PageWatch,
    api_view,
    check_link_is_view,
    check_reload_shows_the_same,
    choose_dropdown,
    choose_radio,
    choose_tab,
    dataset_of,
    dropdown_options,
    observe,
    open_link,
    same_screen,
    settle,
    type_threshold,
    typed_box,
    upload_file,
)

SAME_UNITS = "Mistral-7B: probe AUC minus logit baseline"  # mistral-7b_auc-diff
OTHER_UNITS = "Mistral-7B-Instruct: probe AUC"  # mistral-7b-instruct_auc (neutral 0.5)
OTHER_UNITS_ID = "mistral-7b-instruct_auc"
UPLOAD_NAME = "Probe sweep 42"
# Three of the bundled tasks (so it shares labels with every bundled matrix) and one of its own.
UPLOAD = (
    f"# name: {UPLOAD_NAME}\n# metric: AUC difference\n# neutral: 0\n"
    "train\\test,TriviaQA,Movies,NLI,Extra\nTriviaQA,0.12,-0.04,0.02,0.05\nMovies,0.03,0.2,-0.1,0.0\n"
    "NLI,-0.02,0.01,0.15,-0.06\nExtra,0.04,0.0,-0.03,0.1\n"
).encode()


@pytest.fixture
def watched(page):
    PageWatch.attach(page)
    return page


# --- steps of a two-step sequence --------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    act: Callable
    # state fields the link must carry afterwards (a callable: a test on the value)
    expect: dict = field(
        default_factory=dict
    )


def _cell(page):
    click_cell(page, "HotpotQA", "Movies")


def _bar(page):
    page.locator(f"#{ids.BREAKDOWN_ROW_BARS} svg.tmx-bars").wait_for()  # the link's row has its panel
    click_bar(page, "row", "NLI")


CELL = Step("cell", _cell, {"row": "HotpotQA", "col": "Movies"})
BAR = Step("bar", _bar, {"row": "HotpotQA", "col": "NLI"})
SORT = Step("sort", lambda page: choose_radio(page, ids.BREAKDOWN_SORT, "value"), {"sort": "value"})
POS_ON = Step("threshold", lambda page: page.click(f"#{SWITCH['pos']}"), {"pos": 0.1})
NEG_ON = Step("neg-threshold", lambda page: page.click(f"#{SWITCH['neg']}"), {"neg": -0.15})
DIAG_OFF = Step("diag", lambda page: page.click(f"#{ids.THRESHOLD_DIAG}"), {"diag": False})
CLUSTER = Step("cluster-order", lambda page: choose_radio(page, ids.CLUSTER_ORDER, "cluster"), {"order": "cluster"})
SAME_UNITS_DATASET = Step(
    "dataset", lambda page: choose_dropdown(page, ids.DATASET, SAME_UNITS), {"dataset": "mistral-7b_auc-diff"},
)
# Other units: a threshold that is on restarts from the new matrix's suggestion (0.5 + 0.1).
OTHER_UNITS_DATASET = Step(
    "dataset-other-units", lambda page: choose_dropdown(page, ids.DATASET, OTHER_UNITS),
    {"dataset": OTHER_UNITS_ID, "pos": 0.6},
)
UPLOAD_STEP = Step(
    "upload", lambda page: upload_file(page, "sweep.csv", UPLOAD), {"dataset": lambda v: v not in (None, DEFAULT)},
)
NORM = Step("norm", lambda page: choose_radio(page, ids.NORM, "diag"), {"norm": "diag"})
TAB = Step("tab", lambda page: choose_tab(page, "dendrogram"), {"tab": "dendrogram"})
DISTANCE = Step("distance", lambda page: choose_dropdown(page, ids.CLUSTER_DISTANCE, "Cosine"), {"distance": "cosine"})
COMPARE = Step(
    "compare", lambda page: choose_dropdown(page, ids.COMPARE, SAME_UNITS), {"compare": "mistral-7b_auc-diff"},
)

ROW_LINK = f"?dataset={DEFAULT}&row=HotpotQA"
SEQUENCES = [
    # (start link, first step, second step): a change written in the browser, then one the server answers
    (f"?dataset={DEFAULT}", CELL, CLUSTER),
    (ROW_LINK, SORT, CLUSTER),
    (f"?dataset={DEFAULT}", POS_ON, SAME_UNITS_DATASET),
    (f"?dataset={DEFAULT}", POS_ON, OTHER_UNITS_DATASET),
    (ROW_LINK, BAR, SAME_UNITS_DATASET),
    (f"?dataset={DEFAULT}", CELL, UPLOAD_STEP),
    (f"?dataset={DEFAULT}", NEG_ON, NORM),
    (f"?dataset={DEFAULT}", CELL, TAB),
    (f"?dataset={DEFAULT}", DIAG_OFF, DISTANCE),
    (f"?dataset={DEFAULT}", CELL, COMPARE),
]


def _carries(state: dict, expect: dict) -> list[str]:
    wrong = []
    for key, wanted in expect.items():
        ok = wanted(state[key]) if callable(wanted) else state[key] == wanted
        if not ok:
            wrong.append(f"{key}={state[key]!r}")
    return wrong


@pytest.mark.parametrize(
    "start, first, second", SEQUENCES,
    ids=[f"{first.name}-then-{second.name}" for _, first, second in SEQUENCES],
)
def test_the_link_is_the_view_after_each_step_and_a_reload(live_server, watched, start, first, second):
    page = watched
    open_link(page, live_server.url + "/" + start)
    check_link_is_view(page, live_server.url, "on arrival")
    kept: dict = {}
    for step in (first, second):
        step.act(page)
        settle(page)
        seen, api = check_link_is_view(page, live_server.url, f"after the {step.name} step")
        if step is UPLOAD_STEP:
            kept = {}  # an upload opens a view of its own: what came before it is not carried over
        kept.update(step.expect)
        wrong = _carries(api["state"], kept)
        assert not wrong, (
            f"after the {step.name} step the link {seen['search']!r} lost what was done: {', '.join(wrong)}")
    check_reload_shows_the_same(page, live_server.url, seen)


# --- 2, 3: typed thresholds ----------------------------------------------------------------------

TYPED = [
    # (link's thresholds, box, typed text, key, value in force afterwards; None: refused, nothing changes)
    ("", "pos", "0.4", "Enter", 0.33),
    ("", "pos", "0.5", "Tab", 0.33),
    ("", "pos", "1", "Enter", 0.33),
    ("", "neg", "-0.5", "Enter", -0.33),
    ("", "pos", "0,1", "Enter", 0.1),  # a decimal comma, never "01"
    ("", "neg", "-0,2", "Tab", -0.2),
    ("", "pos", "abc", "Enter", None),
    ("&neg=-0.2", "neg", "abc", "Tab", None),
    ("&pos=0.2", "pos", "", "Enter", None),  # a box emptied (an empty box left empty is no request at all)
    ("&pos=0.2", "pos", "", "Tab", None),
]


def _counts_line(page) -> str:
    return page.inner_text(f"#{ids.THRESHOLD_COUNTS}")


def _check_applied(page, base_url: str, which: str, value: float, typed: str) -> None:
    seen, api = check_link_is_view(page, base_url, f"after typing {typed!r}")
    assert api["state"][which] == value, (
        f"typing {typed!r} applied {which}={api['state'][which]} (link {seen['search']!r}), not {value}")
    assert page.is_checked(f"#{SWITCH[which]}"), f"typing {typed!r} left the {which} threshold switched off"
    box = typed_box(page, which).input_value()
    assert box == format_number(value), (
        f"the {which} box shows {box!r} after typing {typed!r}, not the value in force {format_number(value)}")
    count = api["highlight"]["counts"]["positive" if which == "pos" else "negative"]
    sign = "≥" if which == "pos" else "≤"
    kind = "positive" if which == "pos" else "negative"
    line = _counts_line(page)
    pattern = rf"\b{count} (cells? )?shows? {kind} transfer {sign} {re.escape(format_number(value))}\b"
    assert re.search(pattern, line), (
        f"the counts line reads {line!r}, /api/view counts {count} {kind} cells at {format_number(value)}")


@pytest.mark.parametrize("start, which, typed, key, value", TYPED,
                         ids=[f"{w}-{t or 'empty'}-{k}{'-when-on' if s else ''}" for s, w, t, k, _ in TYPED])
def test_a_typed_threshold_applies_the_value_the_link_gets(live_server, watched, start, which, typed, key, value):
    page = watched
    open_link(page, f"{live_server.url}/?dataset={DEFAULT}{start}")
    before = observe(page)
    type_threshold(page, which, typed, key)
    settle(page, pause=400)
    status = page.inner_text(f"#{THRESHOLD_INPUT_STATUS}").strip()
    if value is None:
        after = observe(page)
        assert after["search"] == before["search"], f"typing {typed!r} changed the link to {after['search']!r}"
        assert not same_screen(before, after), f"typing {typed!r} changed the view: {same_screen(before, after)}"
        assert status, f"typing {typed!r} gave no message in #{THRESHOLD_INPUT_STATUS}"
        return
    _check_applied(page, live_server.url, which, value, typed)
    # A value outside the slider's range: the same notice a link with it gets.
    notices = api_view(live_server.url, f"dataset={DEFAULT}&{which}={typed.replace(',', '.')}")["notices"]
    for notice in notices:
        assert notice in status, f"typing {typed!r}: the status line reads {status!r}, a link with it gets {notice!r}"


PRECISE = [("pos", "0.125", 0.125, 5), ("neg", "-0.155", -0.155, None)]


@pytest.mark.parametrize("which, typed, value, count", PRECISE, ids=[t for _, t, _, _ in PRECISE])
def test_a_typed_threshold_keeps_its_full_precision(live_server, watched, which, typed, value, count):
    page = watched
    open_link(page, f"{live_server.url}/?dataset={DEFAULT}")
    type_threshold(page, which, typed, "Enter")
    settle(page, pause=400)
    _check_applied(page, live_server.url, which, value, typed)
    assert f"{which}={typed}" in page.evaluate("() => location.search")
    if count is not None:
        counts = api_view(live_server.url, f"dataset={DEFAULT}&{which}={typed}")["highlight"]["counts"]
        assert counts["positive"] == count


# --- 5: Back is never trapped, and walks through the changes ---------------------------------------

ARRIVALS = ["/", "/?pos=0.5", f"/?order=cluster&dataset={DEFAULT}"]
ELSEWHERE = ["about:blank", "/healthz"]


@pytest.mark.parametrize("arrival", ARRIVALS, ids=["bare", "clamped", "unordered"])
@pytest.mark.parametrize("elsewhere", ELSEWHERE, ids=["blank", "other-page"])
def test_back_leaves_the_app_and_back_and_forward_walk_through_changes(live_server, watched, elsewhere, arrival):
    page = watched
    other = elsewhere if elsewhere.startswith("about:") else live_server.url + elsewhere
    page.goto(other)
    open_link(page, live_server.url + arrival)
    check_link_is_view(page, live_server.url, "on arrival")
    page.go_back()
    page.wait_for_timeout(1000)  # time for an app that would push its link again
    assert page.url == other, f"Back from {arrival!r} left the browser at {page.url}, not at the page before ({other})"
    page.go_forward()
    settle(page)
    check_link_is_view(page, live_server.url, "after Forward")

    # A few changes, then Back restores each earlier view in turn and Forward redoes them.
    views = [observe(page)]
    other_order = "data" if views[0]["order"] == "cluster" else "cluster"  # each act changes the view
    for act in (lambda: choose_radio(page, ids.CLUSTER_ORDER, other_order), lambda: click_cell(page, "Movies", "NLI"),
                lambda: page.click(f"#{SWITCH['pos']}")):
        act()
        settle(page)
        views.append(check_link_is_view(page, live_server.url, f"after change {len(views)}")[0])
    for name, step, indices in (("Back", page.go_back, (2, 1, 0)), ("Forward", page.go_forward, (1, 2, 3))):
        for index in indices:
            step()
            settle(page)
            seen, _ = check_link_is_view(page, live_server.url, f"after {name} to view {index}")
            wrong = same_screen(views[index], seen)
            assert not wrong, f"{name} did not restore view {index} ({views[index]['search']!r}):\n" + "\n".join(wrong)


# --- 6: uploads stay listed until forgotten --------------------------------------------------------


def _listed(page, component_id: str, dataset_id: str) -> list[dict]:
    return [o for o in dropdown_options(page, component_id) if o["value"] == dataset_id]


def _forget_button(page, name: str):
    buttons = page.get_by_role("button", name=re.compile("Forget"))
    named = buttons.filter(has_text=name)
    for candidates in (named, buttons):
        for k in range(candidates.count()):
            if candidates.nth(k).is_visible():
                return candidates.nth(k)
    return None


def test_an_upload_stays_listed_in_this_browser_until_forgotten(live_server, watched):
    page = watched
    open_link(page, f"{live_server.url}/?dataset={DEFAULT}")
    upload_file(page, "sweep.csv", UPLOAD)
    page.wait_for_function(f"() => !location.search.includes('dataset={DEFAULT}')", timeout=20_000)
    settle(page)
    _, api = check_link_is_view(page, live_server.url, "after the upload")
    upload_id = api["state"]["dataset"]
    assert api["dataset"]["name"] == UPLOAD_NAME

    choose_dropdown(page, ids.DATASET, SAME_UNITS)
    page.wait_for_function("() => location.search.includes('dataset=mistral-7b_auc-diff')", timeout=20_000)
    settle(page)
    check_link_is_view(page, live_server.url, "after picking a bundled matrix")
    for component_id, where in ((ids.DATASET, "the dataset selector"),
                                (ids.COMPARE, "the 'Subtract another matrix' selector")):
        listed = _listed(page, component_id, upload_id)
        assert listed, f"the upload {UPLOAD_NAME!r} ({upload_id}) is no longer listed in {where}"
        assert UPLOAD_NAME in listed[0]["text"], f"{where} lists the upload as {listed[0]['text']!r}"

    choose_tab(page, "multiples")
    page.locator(f"#{ids.MULTIPLES} .js-plotly-plot").first.wait_for()
    settle(page)
    assert UPLOAD_NAME in page.inner_text(f"#{ids.MULTIPLES}"), (
        "the upload (its labels match) is missing from the small multiples")

    page.reload()
    settle(page)
    assert _listed(page, ids.DATASET, upload_id), "after a reload the dataset selector no longer lists the upload"

    button = _forget_button(page, UPLOAD_NAME)
    if button is None:  # the control may sit in the open selector
        page.click(f"#{ids.DATASET}")
        button = _forget_button(page, UPLOAD_NAME)
    assert button is not None, "no visible button whose accessible name contains 'Forget'"
    button.click()
    settle(page)
    if page.locator("[role=listbox]").count():
        page.keyboard.press("Escape")
    assert not _listed(page, ids.DATASET, upload_id), "the dataset selector still lists the upload after 'Forget'"


# --- 7: notices describe the current view ------------------------------------------------------------


def _to_ward(page):
    choose_dropdown(page, ids.CLUSTER_DISTANCE, "Correlation (1 - r)")
    settle(page)
    choose_dropdown(page, ids.CLUSTER_METHOD, "ward")


NOTICE_CASES = [
    # (start link, what brings the notice, notice text, a later change without a problem)
    ("?dataset=nope", None, "Unknown dataset", lambda page: choose_radio(page, ids.CLUSTER_ORDER, "cluster")),
    ("?dataset=nope", None, "Unknown dataset", lambda page: click_cell(page, "TriviaQA", "IMDB")),
    ("?dataset=nope", None, "Unknown dataset", lambda page: page.click(f"#{SWITCH['pos']}")),
    (
        f"?dataset={DEFAULT}", _to_ward, "Ward linkage",
        lambda page: choose_dropdown(page, ids.CLUSTER_METHOD, "complete"),
    ),
    (
        f"?dataset={DEFAULT}", _to_ward, "Ward linkage",
        lambda page: choose_dropdown(page, ids.CLUSTER_DISTANCE, "Euclidean"),
    ),
]


@pytest.mark.parametrize(
    "start, cause, notice, later", NOTICE_CASES,
    ids=[
        "unknown-then-order", "unknown-then-cell", "unknown-then-threshold", "ward-then-complete",
        "ward-then-euclidean",
    ],
)
def test_notices_describe_the_current_view_only(live_server, watched, start, cause, notice, later):
    page = watched
    open_link(page, live_server.url + "/" + start)
    if cause:
        cause(page)
        settle(page)
    shown = observe(page)["notices"]
    assert any(notice in text for text in shown), f"expected a notice {notice!r}, the page shows {shown}"
    later(page)
    settle(page)
    seen, api = check_link_is_view(page, live_server.url, "after a later change")
    assert api["notices"] == [], f"the later change has a problem of its own: {api['notices']}"
    assert seen["notices"] == [], (
        f"after a later change without a problem the page still shows {seen['notices']} (link {seen['search']!r})")
    assert dataset_of(seen["search"]) is not None
