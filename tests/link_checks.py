"""Checks that the address bar is the whole view ("the link is always the view").

What a browser test needs beyond tests/browser.py to compare a page with the JSON twin of its
own link: wait until the page has settled, read what the screen shows (heatmap labels, control
values, counts text, notices), read what /api/view says the same link shows, and compare the two
field by field with a message that names every difference. Plus a few real interactions
(radio items, dropdown option lists, typed thresholds, uploads, the Tasks card's search box and
multi-selects) that tests/browser.py lacks.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, field

from components import ids
from components.annotations import FILTER_PAUSE_MS
from transfer.palettes import PALETTES
from transfer.viewstate import format_number

from browser import HEATMAP_PLOT, choose_dropdown  # noqa: F401  (re-exported for the tests)
from conftest import get_json

DEFAULT = "mistral-7b-instruct_auc-diff"
# The typed-threshold boxes and their status line are being added to components/ids.py; until
# then, the ids the engineers announced.
THRESHOLD_POS_INPUT = getattr(ids, "THRESHOLD_POS_INPUT", "threshold-pos-input")
THRESHOLD_NEG_INPUT = getattr(ids, "THRESHOLD_NEG_INPUT", "threshold-neg-input")
THRESHOLD_INPUT_STATUS = getattr(ids, "THRESHOLD_INPUT_STATUS", "threshold-input-status")
TYPED_BOX = {"pos": THRESHOLD_POS_INPUT, "neg": THRESHOLD_NEG_INPUT}
SWITCH = {"pos": ids.THRESHOLD_POS_ON, "neg": ids.THRESHOLD_NEG_ON}
SLIDER = {"pos": ids.THRESHOLD_POS_SLIDER, "neg": ids.THRESHOLD_NEG_SLIDER}


# --- watching the page ------------------------------------------------------------------------


@dataclass
class PageWatch:
    """Errors the page reports and the requests it has in flight (callbacks, /api/selection)."""

    errors: list[str] = field(default_factory=list)
    pending: set = field(default_factory=set)
    started: int = 0

    @classmethod
    def attach(cls, page) -> "PageWatch":
        watch = cls()
        page.on("pageerror", lambda err: watch.errors.append(f"page error: {err}"))
        page.on(
            "console",
            lambda msg: watch.errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.on("request", watch._started)
        page.on("requestfinished", watch._ended)
        page.on("requestfailed", watch._ended)
        page.watch = watch
        return watch

    def _started(self, request) -> None:
        if request.resource_type in ("fetch", "xhr"):
            self.pending.add(request)
            self.started += 1

    def _ended(self, request) -> None:
        self.pending.discard(request)


# Nothing loading, and the heatmap drawn with data (in whichever tab it sits).
SETTLED_JS = f"""() => {{
  if (document.querySelectorAll('[data-dash-is-loading]').length) return false;
  const gd = document.querySelector("{HEATMAP_PLOT}");
  return !!(gd && gd._fullData && gd._fullData.length && gd._fullData[0].z && gd._fullData[0].z.length
            && !gd.classList.contains('dash-graph--pending'));
}}"""


def settle(page, pause: int = 250, timeout: float = 20.0) -> None:
    """Wait until no Dash callback is pending, no request is in flight, the heatmap is drawn,
    and that has stayed so for `pause` ms (the link of a threshold is written ~120 ms late)."""
    watch: PageWatch | None = getattr(page, "watch", None)
    deadline = time.monotonic() + timeout
    while True:
        remaining = max(deadline - time.monotonic(), 0.5)
        try:
            page.wait_for_function(SETTLED_JS, timeout=remaining * 1000)
        except Exception as err:  # a Playwright timeout: say what the page was doing
            raise AssertionError(
                f"the page did not settle within {timeout:.0f} s (link {page.url}): {str(err).splitlines()[0]}"
            ) from None
        before = watch.started if watch else 0
        page.wait_for_timeout(pause)
        quiet = not watch or (not watch.pending and watch.started == before)
        if quiet and page.evaluate(SETTLED_JS):
            return
        if time.monotonic() > deadline:
            in_flight = [r.url for r in watch.pending] if watch else []
            raise AssertionError(
                f"the page did not settle within {timeout:.0f} s (link {page.url}); requests in flight: {in_flight}"
            )


# --- what the screen shows ---------------------------------------------------------------------

OBSERVE_JS = f"""() => {{
  const api = window.dash_component_api;
  const prop = (id, name) => {{ const l = api && api.getLayout(id);
    return l && l.props ? (l.props[name] === undefined ? null : l.props[name]) : null; }};
  const plain = t => typeof t === "string" ? t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") : t;
  const checked = id => {{ const i = document.querySelector(`#${{id}} input:checked`); return i ? i.value : null; }};
  const shown = id => {{ const v = document.getElementById(`${{id}}-value`);
                         return !v || v.classList.contains("dash-dropdown-placeholder") ? null : v.textContent; }};
  const gd = document.querySelector("{HEATMAP_PLOT}"), trace = gd && gd._fullData && gd._fullData[0];
  const links = Array.from(document.querySelectorAll("#{ids.TABS} .nav-link"));
  const active = links.findIndex(a => a.classList.contains("active"));
  const tabs = (api.getLayout("{ids.TABS}").props.children || []).map(c => c.props.tab_id);
  const thumb = document.querySelector("#{ids.CLUSTER_K} [role=slider]");
  return {{
    search: window.location.search,
    rows: trace ? Array.from(trace.y).map(plain) : null,
    cols: trace ? Array.from(trace.x).map(plain) : null,
    dataset: prop("{ids.DATASET}", "value"),
    compare: prop("{ids.COMPARE}", "value"),
    row: prop("{ids.ROW}", "value"), row_shown: shown("{ids.ROW}"),
    col: prop("{ids.COL}", "value"), col_shown: shown("{ids.COL}"),
    norm: checked("{ids.NORM}"),
    order: checked("{ids.CLUSTER_ORDER}"),
    method: prop("{ids.CLUSTER_METHOD}", "value"),
    distance: prop("{ids.CLUSTER_DISTANCE}", "value"),
    k: thumb ? Number(thumb.getAttribute("aria-valuenow")) : null,
    sort: checked("{ids.BREAKDOWN_SORT}"),
    pos_on: document.getElementById("{ids.THRESHOLD_POS_ON}").checked,
    neg_on: document.getElementById("{ids.THRESHOLD_NEG_ON}").checked,
    diag: document.getElementById("{ids.THRESHOLD_DIAG}").checked,
    sig: document.getElementById("{ids.THRESHOLD_SIG}").value,
    ci: document.getElementById("{ids.UNCERTAINTY_CI}").value,
    marks: document.getElementById("{ids.UNCERTAINTY_MARKS}").checked,
    unc: document.getElementById("{ids.UNCERTAINTY_PALETTE}").value,
    palette: (v => v === "default" ? null : v)(document.getElementById("{ids.PALETTE}").value),
    colours: trace && trace.colorscale ? trace.colorscale.map(stop => stop[1]) : null,
    tab: active >= 0 ? tabs[active] : null,
    counts_text: document.getElementById("{ids.THRESHOLD_COUNTS}").innerText,
    // the Tasks card (components/annotations.py): the search box as typed, the selects as set
    ann: prop("{ids.ANN}", "data"),
    filter: document.getElementById("{ids.ANN_FILTER}").value || null,
    where: (() => {{ const kept = prop("{ids.ANN_WHERE_VALUES}", "value");
                    return kept && kept.length ? [prop("{ids.ANN_WHERE_FIELD}", "value"), kept] : null; }})(),
    tracks: prop("{ids.ANN_TRACK_FIELDS}", "value") || [],
    group: prop("{ids.ANN_GROUP_BY}", "value"),
    collapse: prop("{ids.ANN_COLLAPSE}", "value"), collapse_shown: shown("{ids.ANN_COLLAPSE}"),
    notices: Array.from(document.querySelectorAll("#{ids.NOTICES} .alert")).map(a => a.innerText.trim()),
    // the table tab (components/table.py): its link fields, and its window while it is open
    tsort: prop("{ids.TABLE_SORT}", "data"), trpage: prop("{ids.TABLE_ROW_PAGE}", "data"),
    tcpage: prop("{ids.TABLE_COL_PAGE}", "data"),
    table_rows: tabs[active] === "{ids.TABLE_TAB}"
      ? Array.from(document.querySelectorAll("#{ids.TABLE} tbody th")).map(th => th.textContent) : null,
    table_cols: tabs[active] === "{ids.TABLE_TAB}"
      ? Array.from(document.querySelectorAll("#{ids.TABLE} thead th .tmx-table-label")).slice(1)
          .map(s => s.textContent) : null,
  }};
}}"""

COUNT_PATTERNS = {
    "positive": re.compile(r"(\d+) (?:cells? )?shows? positive transfer ≥ (-?\d+(?:\.\d+)?)"),
    "negative": re.compile(r"(\d+) (?:cells? )?shows? negative transfer ≤ (-?\d+(?:\.\d+)?)"),
}


def parse_counts(text: str) -> dict:
    """{"positive": [count, threshold text] or None, "negative": ...} read from the counts line."""
    result = {}
    for kind, pattern in COUNT_PATTERNS.items():
        match = pattern.search(text or "")
        result[kind] = [int(match.group(1)), match.group(2)] if match else None
    return result


def observe(page) -> dict:
    """What the page shows now (see OBSERVE_JS), with the counts line parsed."""
    seen = page.evaluate(OBSERVE_JS)
    seen["counts"] = parse_counts(seen["counts_text"])
    seen["palette_drawn"] = drawn_palette(seen.pop("colours"))
    return seen


def drawn_palette(colours: list[str] | None) -> str | None:
    """The palette whose colours the heatmap's cells trace is drawn with (its stops may be moved,
    never recoloured: transfer.palettes.centred)."""
    if not colours:
        return None
    names = [name for name, palette in PALETTES.items() if set(colours) <= {colour for _, colour in palette.stops}]
    return names[0] if len(names) == 1 else f"not one palette: {colours}"


def api_view(base_url: str, search: str) -> dict:
    """/api/view for a link's query string (with or without its '?')."""
    return get_json(f"{base_url}/api/view?{search.lstrip('?')}")


def expected_screen(api: dict) -> dict:
    """What a page showing /api/view's view must show, in `observe`'s terms."""
    state, highlight = api["state"], api.get("highlight") or {}
    counts = highlight.get("counts", {})
    return {
        "rows": api["rows"], "cols": api["cols"],
        "dataset": state["dataset"], "compare": state["compare"],
        "row": state["row"], "row_shown": state["row"], "col": state["col"], "col_shown": state["col"],
        "norm": state["norm"], "order": state["order"], "method": state["method"], "distance": state["distance"],
        "k": state["k"] or 1, "sort": state["sort"],
        "pos_on": state["pos"] is not None, "neg_on": state["neg"] is not None, "diag": state["diag"],
        "sig": "off" if state["sig"] is None else format_number(state["sig"]), "ci": str(state["ci"]),
        "marks": state["marks"], "unc": state["unc"],
        "palette": state["palette"], "palette_drawn": api["displayed"]["palette"],
        "tab": state["tab"],
        "ann": state["ann"], "filter": state["filter"], "where": state["where"],
        "tracks": (api.get("annotations") or {}).get("tracks", []), "group": state["group"],
        "collapse": state["collapse"], "collapse_shown": state["collapse"],
        "tsort": None if state["tsort"] is None else ":".join(part for part in state["tsort"] if part is not None),
        "trpage": state["trpage"], "tcpage": state["tcpage"],
        "table_rows": api["table"]["rows"] if state["tab"] == ids.TABLE_TAB else None,
        "table_cols": api["table"]["cols"] if state["tab"] == ids.TABLE_TAB else None,
        "counts": {
            "positive": None if state["pos"] is None else [counts.get("positive"), format_number(state["pos"])],
            "negative": None if state["neg"] is None else [counts.get("negative"), format_number(state["neg"])],
        },
    }


def differences(seen: dict, expected: dict) -> list[str]:
    return [f"  {key}: screen {seen.get(key)!r}, link {value!r}"
            for key, value in expected.items() if seen.get(key) != value]


def check_link_is_view(page, base_url: str, context: str = "") -> tuple[dict, dict]:
    """The address bar's query is canonical (/api/view answers it with the same query) and the
    screen shows that view. Returns (observation, /api/view answer)."""
    seen = observe(page)
    api = api_view(base_url, seen["search"])
    where = f" ({context})" if context else ""
    assert seen["search"] == "?" + api["query"], (
        f"the link is not canonical{where}: location.search is {seen['search']!r}, /api/view answers query "
        f"{api['query']!r}"
    )
    wrong = differences(seen, expected_screen(api))
    assert not wrong, f"the screen does not show its link {seen['search']!r}{where}:\n" + "\n".join(wrong)
    return seen, api


SCREEN_KEYS = ("search", "rows", "cols", "dataset", "compare", "row", "col", "norm", "order", "method", "distance", "k",
               "sort", "pos_on", "neg_on", "diag", "sig", "ci", "marks", "unc", "palette", "palette_drawn", "tab",
               "counts",
               "ann", "filter", "where", "tracks", "group", "collapse", "tsort", "trpage", "tcpage", "table_rows",
               "table_cols")


def same_screen(first: dict, second: dict) -> list[str]:
    """Differences between two observations (notices left out: a link opened anew has none of
    the messages a change produced on the way)."""
    return [f"  {key}: {first.get(key)!r} then {second.get(key)!r}"
            for key in SCREEN_KEYS if first.get(key) != second.get(key)]


def check_reload_shows_the_same(page, base_url: str, before: dict) -> dict:
    page.reload()
    settle(page)
    after, _ = check_link_is_view(page, base_url, "after a reload")
    wrong = same_screen(before, after)
    assert not wrong, "a reload shows another view:\n" + "\n".join(wrong)
    return after


# --- interactions --------------------------------------------------------------------------------


def open_link(page, url: str) -> None:
    page.goto(url)
    settle(page)


def choose_radio(page, component_id: str, value: str) -> None:
    """Click the label of a dbc.RadioItems option (its input may be visually hidden)."""
    input_id = page.locator(f"#{component_id} input[value='{value}']").get_attribute("id")
    page.click(f"label[for='{input_id}']")


def open_dropdown(page, component_id: str, timeout: float = 5000):
    """Click a dcc.Dropdown open; its list of options (fails with the dropdown's props if none opens)."""
    page.click(f"#{component_id}")
    listbox = page.locator("[role=listbox]")
    try:
        listbox.wait_for(timeout=timeout)
    except Exception:
        props = page.evaluate(
            "(id) => JSON.stringify(window.dash_component_api.getLayout(id).props).slice(0, 600)", component_id,
        )
        raise AssertionError(
            f"clicking the dropdown #{component_id} opened no list of options; its props: {props}"
        ) from None
    return listbox


def dropdown_options(page, component_id: str) -> list[dict]:
    """Open a dcc.Dropdown, read its listed options ({value, text}), close it again."""
    listbox = open_dropdown(page, component_id)
    options = listbox.evaluate(
        """(box) => Array.from(box.querySelectorAll("[role=option]")).map(o => {
             const input = o.querySelector("input");
             return {value: input ? input.value : null, text: o.innerText.trim()}; })"""
    )
    page.keyboard.press("Escape")
    listbox.wait_for(state="detached")
    return options


def choose_option(page, component_id: str, value: str) -> bool:
    """Pick a dropdown option by value as a person would (open, click its line); False, with the
    list closed again, if the dropdown does not offer it."""
    listbox = open_dropdown(page, component_id)
    option = listbox.locator("[role=option]").filter(has=page.locator(f"input[value={quote_css(value)}]"))
    if option.count() == 0:
        page.keyboard.press("Escape")
        listbox.wait_for(state="detached")
        return False
    option.first.click()
    try:  # choosing the option already chosen leaves Dash 4's list open: close it as a person would
        listbox.wait_for(state="detached", timeout=1000)
    except Exception:
        page.keyboard.press("Escape")
        listbox.wait_for(state="detached")
    return True


def quote_css(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clear_dropdown(page, component_id: str) -> bool:
    clear = page.locator(f"#{component_id} .dash-dropdown-clear")
    if clear.count() == 0:
        return False
    clear.click()
    return True


def choose_tab(page, tab_id: str) -> None:
    """Click the tab whose tab_id is `tab_id` (its label read from the page's layout)."""
    index = page.evaluate(f"""(tabId) => window.dash_component_api.getLayout("{ids.TABS}").props.children
                                          .map(c => c.props.tab_id).indexOf(tabId)""", tab_id)
    assert index >= 0, f"no tab {tab_id!r}"
    page.locator(f"#{ids.TABS} .nav-link").nth(index).click()


def typed_box(page, which: str, timeout: float = 5000):
    """The text box of a threshold ("pos" or "neg"); fails clearly when the page has none."""
    box = page.locator(f"#{TYPED_BOX[which]}")
    try:
        box.wait_for(state="visible", timeout=timeout)
    except Exception:
        raise AssertionError(
            f"the thresholds card has no visible text box #{TYPED_BOX[which]} to type a {which} threshold in"
        ) from None
    return box


def type_threshold(page, which: str, text: str, key: str = "Enter") -> None:
    """Type `text` into a threshold's box as a person would, then press Enter or Tab."""
    box = typed_box(page, which)
    box.click()
    box.fill("")
    if text:
        box.press_sequentially(text)
    box.press(key)


def search_tasks(page, text: str, key: str | None = "Enter") -> None:
    """Type into the Tasks card's search box as a person would; Enter applies it at once, without
    a key the pause in typing does."""
    box = page.locator(f"#{ids.ANN_FILTER}")
    box.scroll_into_view_if_needed()
    box.click()
    box.fill("")
    box.press_sequentially(text, delay=30)
    if key:
        box.press(key)
    else:  # typed text is not the view yet: wait for the pause that applies it
        page.wait_for_timeout(FILTER_PAUSE_MS + 150)


def clear_search(page) -> None:
    page.locator(f"#{ids.ANN_FILTER_CLEAR}").click()


def upload_file(page, name: str, data: bytes, mime: str = "text/csv") -> None:
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])


def dataset_of(search: str) -> str | None:
    return dict(urllib.parse.parse_qsl(search.lstrip("?"))).get("dataset")
