"""The link is always the view, under any sequence of what a person does (a Hypothesis state machine).

One Playwright page against a live server; every rule is a real interaction (a click on a cell or
a bar, a dropdown choice, a radio, a switch, typed text, slider keys, a file, Back, Forward, a
reload, a window resize). After every step the page must settle and then:
  (a) location.search is canonical: '?' + /api/view(location.search)['query'];
  (b) the screen shows that view: heatmap labels, train/test dropdowns, order/norm/sort/tab
      controls, linkage/distance/k, threshold switches, the counts line and the Tasks card (search
      box, kept values, tracks, group, collapse) all agree with /api/view;
  (c) the page reported no console error and no page error.
At the end of a run the final link, opened in a fresh browser, must show the same.

Short and seeded by default (well under 90 s); longer runs through scripts/test-sequences or
  TMX_SEQUENCE_EXAMPLES=20 TMX_SEQUENCE_STEPS=30 [TMX_SEQUENCE_SEED=n] [TMX_SEQUENCE_SHRINK=1]
A failure prints the sequence of steps (`state.click_cell(row='Movies', col='NLI')` ...).
"""

from __future__ import annotations

import csv
import functools
import json
import os

from hypothesis import HealthCheck, Phase, Verbosity, note, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test, initialize, invariant, precondition, rule

from components import ids
from transfer.annotations import NONE_LABEL, parse_annotations
from transfer.viewstate import (
    CI_LEVELS,
    DISTANCES,
    METHODS,
    NORMS,
    ORDERS,
    SIG_LEVELS,
    TABS,
    UNCERTAINTY_DISPLAYS,
    format_number,
)

from browser import click_bar, click_cell
from conftest import ROOT
from link_checks import (
    DEFAULT,
    SLIDER,
    SWITCH,
    TYPED_BOX,
    PageWatch,
    check_link_is_view,
    choose_option,
    choose_radio,
    choose_tab,
    clear_dropdown,
    clear_search,
    same_screen,
    search_tasks,
    settle,
    type_threshold,
    upload_file,
)

EXAMPLES = int(os.environ.get("TMX_SEQUENCE_EXAMPLES", "3"))
STEPS = int(os.environ.get("TMX_SEQUENCE_STEPS", "8"))
SEED = os.environ.get("TMX_SEQUENCE_SEED")
SHRINK = os.environ.get("TMX_SEQUENCE_SHRINK") == "1"
VERBOSE = os.environ.get("TMX_SEQUENCE_VERBOSE") == "1"  # print every sequence as it runs

CATALOGUE = json.loads((ROOT / "data" / "catalog.json").read_text())
BUNDLED = tuple(entry["id"] for entry in CATALOGUE["datasets"])
REPLICATED = "example-seeds"  # the bundled example with replicates
with open(ROOT / "data" / f"{DEFAULT}.csv", newline="") as handle:
    TASKS = tuple(next(row for row in csv.reader(handle) if row and not row[0].startswith("#"))[1:])

UPLOADS = {
    # a few of the bundled tasks (so it can be compared and sits among the small multiples) and one of its own
    "shared-tasks.csv": ("# name: Shared tasks\n# metric: AUC difference\n# neutral: 0\n"
                         f"train\\test,{TASKS[0]},{TASKS[2]},{TASKS[5]},R&D <new>\n"
                         f"{TASKS[0]},0.12,-0.04,0.02,0.05\n{TASKS[2]},0.03,0.2,-0.1,0.0\n"
                         f"{TASKS[5]},-0.02,0.01,0.15,-0.06\nR&D <new>,0.04,0.0,-0.03,0.1\n"),
    # long format, raw scores, not square
    "long-scores.csv": (f"train,test,AUC\n{TASKS[1]},{TASKS[1]},0.91\n{TASKS[1]},{TASKS[3]},0.62\n"
                        f"{TASKS[4]},{TASKS[1]},0.55\n{TASKS[4]},{TASKS[3]},0.83\nSolo,{TASKS[3]},0.7\n"),
}
# The bundled matrices' task annotations (data/orgad2025-tasks.csv): the Tasks card's choices.
ANNOTATIONS = parse_annotations((ROOT / "data" / "orgad2025-tasks.csv").read_bytes(), "orgad2025-tasks.csv")
FIELDS = ANNOTATIONS.fields
FIELD_VALUES = tuple((name, value) for name in FIELDS for value in (*ANNOTATIONS.values(name), NONE_LABEL))
SEARCHES = ("qa", "QA", "Hotpot", "wc", "i", "zz", "")  # "zz" leaves no task: refused; "": the clear button
START_LINKS = (
    f"?dataset={DEFAULT}",
    "",  # the bare address: the page writes the canonical link
    f"?dataset={DEFAULT}&order=cluster&k=3&row={TASKS[2]}&pos=0.1",
    f"?dataset={BUNDLED[-1]}&col={TASKS[5]}&neg=0.45&tab=dendrogram",
    f"?dataset={REPLICATED}&sig=0.05&pos=0.1&row={TASKS[1]}",
    f"?dataset={DEFAULT}&filter=qa&order=group&group=task_type&track=task_type%2Cwith_context",
    f"?dataset={DEFAULT}&where=task_type%3Afactual+QA%7Ccoreference&collapse=task_type&row=coreference",
    # the table, sorted, with a page past the end (clamped, with a notice)
    f"?dataset={DEFAULT}&pos=0.1&tab=table&tsort=desc%3A{TASKS[3]}&trpage=2",
)
SIG_CHOICES = ("off", *map(format_number, SIG_LEVELS))
SIZES = ("390x844", "768x1024", "1400x900")
POS_TEXTS = ("0.2", "0.125", "0,05", "1", "-0.5", "abc", "")
NEG_TEXTS = ("-0.1", "-0.155", "-0,2", "-1", "0.5", "x", "")
SLIDER_KEYS = ("ArrowRight", "ArrowLeft", "PageUp", "PageDown", "Home", "End")

tasks = st.sampled_from(TASKS)
thresholds = st.sampled_from(("pos", "neg"))


def step(method):
    """A rule body: marks the page unsettled until the invariant has checked it."""
    @functools.wraps(method)
    def run(self, **kwargs):
        self.settled = False
        self.steps += 1
        self.last = f"{method.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        return method(self, **kwargs)
    return run


class TransferMatrixExplorer(RuleBasedStateMachine):
    """One browser page; `base` and `browser` are set by the test (see make_machine)."""

    base: str = ""
    browser = None

    def __init__(self):
        super().__init__()
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.watch = PageWatch.attach(self.page)
        self.seen: dict | None = None
        self.state: dict | None = None
        self.settled = False
        self.last = "opening the page"
        self.steps = 0
        self.can_back = self.can_forward = False
        self.typed_boxes = False
        self.replicated = False  # the view shows a matrix with replicates
        self.fields: tuple[str, ...] = ()  # the fields of the view's task annotations (none: none)
        self.uploads: list[str] = []
        self.pending_upload: str | None = None  # an upload's link is known once the page has settled

    # --- helpers ------------------------------------------------------------------------------

    def present(self, axis: str, name: str) -> str:
        """`name` if the shown matrix has it on `axis`, else the label at its place (noted)."""
        labels = self.seen["rows" if axis == "row" else "cols"]
        if name in labels:
            return name
        label = labels[TASKS.index(name) % len(labels)]
        note(f"  ({name!r} is not a {'train' if axis == 'row' else 'test'} label here: using {label!r})")
        return label

    def other(self, choices: tuple, field: str, wanted):
        """`wanted`, or the next of `choices` when the view has it already: a step that changes nothing
        teaches nothing."""
        if self.state[field] != wanted:
            return wanted
        chosen = choices[(choices.index(wanted) + 1) % len(choices)]
        note(f"  ({field} is {wanted!r} already: choosing {chosen!r})")
        return chosen

    def dataset_value(self, which: str) -> str | None:
        if which == "upload":
            return self.uploads[-1] if self.uploads else None
        return which

    # --- rules --------------------------------------------------------------------------------

    @initialize(start=st.sampled_from(START_LINKS))
    def open_link(self, start):
        self.last = f"open_link({start!r})"
        self.page.goto(f"{self.base}/{start}")
        settle(self.page)
        self.typed_boxes = self.page.locator(f"#{TYPED_BOX['pos']}").count() > 0

    @precondition(lambda self: self.state and self.state["tab"] == "heatmap")  # a hidden heatmap takes no clicks
    @rule(row=tasks, col=tasks)
    @step
    def click_cell(self, row, col):
        click_cell(self.page, self.present("row", row), self.present("col", col))

    @precondition(lambda self: self.state and (self.state["row"] or self.state["col"]))
    @rule(label=tasks)
    @step
    def click_bar(self, label):
        axis = "row" if self.state["row"] else "col"  # the row panel's bars are test datasets
        click_bar(self.page, axis, self.present("col" if axis == "row" else "row", label))

    @rule(axis=st.sampled_from(("row", "col")), label=tasks)
    @step
    def choose_train_or_test(self, axis, label):
        label = self.present(axis, label)
        if not choose_option(self.page, ids.ROW if axis == "row" else ids.COL, label):
            note(f"  ({label!r} not offered)")

    @rule()
    @step
    def toggle_sort(self):
        choose_radio(self.page, ids.BREAKDOWN_SORT, "data" if self.state["sort"] == "value" else "value")

    @rule(which=thresholds)
    @step
    def switch_threshold(self, which):
        self.page.click(f"#{SWITCH[which]}")

    @precondition(lambda self: self.typed_boxes)
    @rule(which=thresholds, text=st.sampled_from(POS_TEXTS + NEG_TEXTS), key=st.sampled_from(("Enter", "Tab")))
    @step
    def type_threshold(self, which, text, key):
        type_threshold(self.page, which, text, key)

    @precondition(lambda self: self.state and (self.state["pos"] is not None or self.state["neg"] is not None))
    @rule(key=st.sampled_from(SLIDER_KEYS), times=st.integers(1, 3))
    @step
    def slider_keys(self, key, times):
        which = "pos" if self.state["pos"] is not None else "neg"
        note(f"  (on the {which} slider)")
        thumb = self.page.locator(f"#{SLIDER[which]} [role=slider]")
        thumb.focus()
        for _ in range(times):
            thumb.press(key)

    @precondition(lambda self: not self.last.startswith("toggle_diagonal"))  # a second toggle only undoes the first
    @rule()
    @step
    def toggle_diagonal(self):
        self.page.click(f"#{ids.THRESHOLD_DIAG}")

    @rule()
    @step
    def toggle_order(self):
        # "Annotation groups" is offered only for a matrix with annotations
        offered = tuple(order for order in ORDERS if order != "group" or self.fields)
        now = self.state["order"]
        choose_radio(self.page, ids.CLUSTER_ORDER, offered[(offered.index(now) + 1) % len(offered)
                                                           if now in offered else 0])

    @rule(method=st.sampled_from(METHODS))
    @step
    def choose_linkage(self, method):
        choose_option(self.page, ids.CLUSTER_METHOD, self.other(METHODS, "method", method))

    @rule(distance=st.sampled_from(DISTANCES))
    @step
    def choose_distance(self, distance):
        choose_option(self.page, ids.CLUSTER_DISTANCE, self.other(DISTANCES, "distance", distance))

    @rule(key=st.sampled_from(("ArrowRight", "ArrowLeft", "End", "Home")))
    @step
    def change_k(self, key):
        thumb = self.page.locator(f"#{ids.CLUSTER_K} [role=slider]")
        thumb.scroll_into_view_if_needed()
        thumb.focus()
        thumb.press(key)

    @rule(other=st.sampled_from(("none", "upload") + BUNDLED))
    @step
    def choose_compare(self, other):
        value = self.dataset_value(other)
        if other == "none":
            if not clear_dropdown(self.page, ids.COMPARE):
                note("  (no comparison to clear)")
        elif value is None or not choose_option(self.page, ids.COMPARE, value):
            note(f"  ({other!r} not offered)")

    @rule(norm=st.sampled_from(NORMS))
    @step
    def choose_norm(self, norm):
        choose_radio(self.page, ids.NORM, self.other(NORMS, "norm", norm))

    @precondition(lambda self: self.replicated)
    @rule(level=st.sampled_from(SIG_CHOICES))
    @step
    def choose_significant_only(self, level):
        current = "off" if self.state["sig"] is None else format_number(self.state["sig"])
        chosen = level if level != current else SIG_CHOICES[(SIG_CHOICES.index(level) + 1) % len(SIG_CHOICES)]
        self.page.locator(f"#{ids.THRESHOLD_SIG}").select_option(chosen)

    @precondition(lambda self: self.replicated)
    @rule(level=st.sampled_from(CI_LEVELS))
    @step
    def choose_interval(self, level):
        self.page.locator(f"#{ids.UNCERTAINTY_CI}").select_option(str(self.other(CI_LEVELS, "ci", level)))

    @precondition(lambda self: self.replicated)
    @rule(palette=st.sampled_from(UNCERTAINTY_DISPLAYS))
    @step
    def choose_palette(self, palette):
        self.page.locator(f"#{ids.UNCERTAINTY_PALETTE}").select_option(self.other(UNCERTAINTY_DISPLAYS, "unc", palette))

    # "Colours": the palettes of the matrix's kind of scale (the select offers only those; "" is the default)
    @rule(choice=st.integers(0, 4))
    @step
    def choose_colours(self, choice):
        select = self.page.locator(f"#{ids.PALETTE}")
        offered = select.locator("option:not([value=''])").evaluate_all("options => options.map(o => o.value)")
        others = [value for value in offered if value != (self.state["palette"] or "default")]
        note(f"  (offered {offered})")
        select.select_option(others[choice % len(others)])

    @precondition(lambda self: self.replicated)
    @rule()
    @step
    def toggle_marks(self):
        self.page.locator(f"#{ids.UNCERTAINTY_MARKS}").click()

    @rule(tab=st.sampled_from(TABS))
    @step
    def switch_tab(self, tab):
        choose_tab(self.page, self.other(TABS, "tab", tab))

    # The table tab: a column header's sort button pressed from the keyboard (ascending, then
    # descending), and its pagers (the bundled matrices fit one page: their buttons are disabled).
    @precondition(lambda self: self.state and self.state["tab"] == ids.TABLE_TAB)
    @rule(column=st.integers(0, 12), key=st.sampled_from(("Enter", "Space")))
    @step
    def sort_table(self, column, key):
        buttons = self.page.locator(f"#{ids.TABLE} thead button")
        button = buttons.nth(column % buttons.count())
        note(f"  (the header {button.inner_text()!r})")
        button.focus()
        button.press(key)

    @precondition(lambda self: self.state and self.state["tab"] == ids.TABLE_TAB)
    @rule(label=st.sampled_from(("Next rows", "Previous rows", "Next columns", "Previous columns")))
    @step
    def page_table(self, label):
        button = self.page.locator(f"#{ids.TABLE} button[aria-label='{label}']")
        if button.is_disabled():
            note(f"  ({label} is disabled: one page)")
            return
        button.click()

    @rule(dataset=st.sampled_from(BUNDLED + ("upload",)))
    @step
    def switch_dataset(self, dataset):
        value = self.dataset_value(dataset)
        if value is not None and value == self.state["dataset"] and dataset != "upload":
            value = self.other(BUNDLED, "dataset", value)
        if value is None or not choose_option(self.page, ids.DATASET, value):
            note(f"  ({dataset!r} not offered)")

    @rule(name=st.sampled_from(sorted(UPLOADS)))
    @step
    def upload(self, name):
        before = self.page.evaluate("() => location.search")
        upload_file(self.page, name, UPLOADS[name].encode())
        self.page.wait_for_function(
            f"() => document.getElementById('{ids.UPLOAD_STATUS}').textContent.includes('Opened')", timeout=20_000,
        )
        self.pending_upload = before

    # --- the Tasks card ---------------------------------------------------------------------------

    @rule(text=st.sampled_from(SEARCHES), key=st.sampled_from(("Enter", None)))
    @step
    def search(self, text, key):
        if text:
            search_tasks(self.page, text, key)  # Enter, or the pause in typing applies it
        else:
            clear_search(self.page)

    @precondition(lambda self: self.fields)
    @rule(choice=st.sampled_from(FIELD_VALUES))
    @step
    def keep_value(self, choice):
        field, value = choice
        if self.seen["where"] is None or self.seen["where"][0] != field:
            shown = self.page.evaluate(
                f"() => window.dash_component_api.getLayout('{ids.ANN_WHERE_FIELD}').props.value")
            if shown != field and not choose_option(self.page, ids.ANN_WHERE_FIELD, field):
                note(f"  (field {field!r} not offered)")
                return
        if not choose_option(self.page, ids.ANN_WHERE_VALUES, value):  # a chosen value: chosen again, it goes
            note(f"  ({value!r} not among the values of the tasks shown)")

    @precondition(lambda self: self.fields)
    @rule(field=st.sampled_from(FIELDS + ("none",)))
    @step
    def toggle_track(self, field):
        if field == "none":
            if not clear_dropdown(self.page, ids.ANN_TRACK_FIELDS):
                note("  (no tracks to clear)")
        elif not choose_option(self.page, ids.ANN_TRACK_FIELDS, field):
            note(f"  ({field!r} not offered)")

    @precondition(lambda self: self.fields)
    @rule(field=st.sampled_from(FIELDS + ("none",)))
    @step
    def group_by(self, field):
        if field == "none":
            if not clear_dropdown(self.page, ids.ANN_GROUP_BY):
                note("  (no grouping to clear)")
        elif not choose_option(self.page, ids.ANN_GROUP_BY, self.other(FIELDS, "group", field)):
            note(f"  ({field!r} not offered)")

    @precondition(lambda self: self.fields)
    @rule(field=st.sampled_from(FIELDS + ("none",)))
    @step
    def collapse_by(self, field):
        if field == "none":
            if not clear_dropdown(self.page, ids.ANN_COLLAPSE):
                note("  (no collapse to clear)")
        elif not choose_option(self.page, ids.ANN_COLLAPSE, self.other(FIELDS, "collapse", field)):
            note(f"  ({field!r} not offered)")

    # Back then Forward (or Forward then Back) is checked once, not over and over.
    @precondition(lambda self: self.can_back and not self.last.startswith("forward"))
    @rule()
    @step
    def back(self):
        self.page.go_back()

    @precondition(lambda self: self.can_forward and not self.last.startswith("back"))
    @rule()
    @step
    def forward(self):
        self.page.go_forward()

    # Not at the start, nor twice in a row: a reload there adds nothing (and the run's end opens
    # its final link afresh anyway). So the first, simplest sequence Hypothesis tries is
    # toggle_diagonal, toggle_order, ...: a change the browser writes, then one the server answers.
    @precondition(lambda self: self.steps >= 2 and not self.last.startswith("reload"))
    @rule()
    @step
    def reload(self):
        self.page.reload()

    @rule(size=st.sampled_from(SIZES))
    @step
    def resize(self, size):
        width, height = (int(n) for n in size.split("x"))
        self.page.set_viewport_size({"width": width, "height": height})

    # --- the invariant and the end ------------------------------------------------------------

    @invariant()
    def the_link_is_the_view(self):
        settle(self.page)
        seen, api = check_link_is_view(self.page, self.base, f"after {self.last}")
        assert not self.watch.errors, f"errors in the page after {self.last}: {self.watch.errors}"
        if self.pending_upload is not None:
            self.pending_upload = None
            self.uploads.append(api["state"]["dataset"])
        self.seen, self.state = seen, api["state"]
        self.replicated = api["uncertainty"] is not None
        self.fields = tuple((api.get("annotations") or {}).get("fields") or ())
        self.can_back, self.can_forward = self.page.evaluate(
            "() => window.navigation ? [navigation.canGoBack, navigation.canGoForward] : [false, false]")
        self.settled = True

    def teardown(self):
        try:
            if self.settled and self.seen is not None:
                self.fresh_browser_shows_the_same()
        finally:
            self.context.close()

    def fresh_browser_shows_the_same(self):
        fresh = self.browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = fresh.new_page()
            watch = PageWatch.attach(page)
            page.goto(f"{self.base}/{self.seen['search']}")
            settle(page)
            seen, _ = check_link_is_view(page, self.base, "the final link in a fresh browser")
            wrong = same_screen(self.seen, seen)
            assert not wrong, (
                f"the final link {self.seen['search']!r} opens another view in a fresh browser:\n" + "\n".join(wrong))
            assert not watch.errors, f"errors in the fresh page: {watch.errors}"
        finally:
            fresh.close()


def run_settings() -> settings:
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if SHRINK else [])
    return settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        derandomize=SEED is None, phases=phases, suppress_health_check=list(HealthCheck), print_blob=False,
        verbosity=Verbosity.debug if VERBOSE else Verbosity.normal,
    )


def test_any_sequence_of_interactions_keeps_the_link_the_view(live_server, browser):
    machine = type("TransferMatrixExplorer", (TransferMatrixExplorer,), {"base": live_server.url, "browser": browser})
    run = get_state_machine_test(machine, settings=run_settings())
    if SEED is not None:
        run = seed(int(SEED))(run)
    run()
