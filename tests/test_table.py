"""The table view (`tab=table`): transfer/table.py's model of the displayed matrix (sort, window,
values as the heatmap writes them, highlight marks), the link's `tsort`/`trpage`/`tcpage`, the
JSON twin, the page's table (components/table.py) and its browser twin (assets/table.js)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pytest
from test_view_annotations import DATASETS as ANNOTATED

from components import ids
from components.table import TABLE_FIELDS, render, table_query
from transfer.figures import cell_labels
from transfer.matrix import TransferMatrix
from transfer.table import (
    IN_DOMAIN,
    NEGATIVE,
    NEGATIVE_NS,
    POSITIVE,
    POSITIVE_NS,
    page_of,
    row_order,
    table_model,
)
from transfer.uncertainty import cell_stats
from transfer.view import open_view, view_from_query, view_json
from transfer.viewstate import TABLE_PAGE_COLS, TABLE_PAGE_ROWS, ViewState, parse_query

from callbacks import CALLBACK_PATH, callback_body, callback_key
from conftest import ROOT
from replicated import DatasetsStub, replicated_matrix
from test_arrival import arrived

NAN = math.nan
LABELS = ("b", "A", "c", "D", "e")
# column "c": 0.3, NaN, 0.1, 0.3, -0.2: a tie (b and D) and a missing value (A)
VALUES = np.array([
    [0.125, 0.5, 0.3, -0.004, 0.0],
    [0.2, 0.9, NAN, 1 / 3, -0.5],
    [-0.25, 0.05, 0.1, 0.0, 0.7],
    [0.0, -0.1, 0.3, 0.6, 0.2],
    [0.4, NAN, -0.2, 0.1, 0.8],
])
SMALL = TransferMatrix(rows=LABELS, cols=LABELS, values=VALUES, name="small", metric="AUC difference")


def state(**fields) -> ViewState:
    return ViewState(dataset="m", **fields)


def rows_of(sort) -> list[str]:
    return [SMALL.rows[i] for i in row_order(SMALL, sort)]


@pytest.mark.parametrize(
    "sort, expected",
    [
        (None, ["b", "A", "c", "D", "e"]),
        # missing last in both directions, the tie (b, D at 0.3) in the display order in both
        (("asc", "c"), ["e", "c", "b", "D", "A"]),
        (("desc", "c"), ["b", "D", "c", "e", "A"]),
        (("asc", None), ["A", "b", "c", "D", "e"]),  # the row label, case-insensitively
        (("desc", None), ["e", "D", "c", "b", "A"]),
            (("desc", "A"), ["A", "b", "c", "D", "e"]),  # column A: 0.9, 0.5, 0.05, -0.1, missing
    ],
    ids=["display-order", "col-asc", "col-desc", "label-asc", "label-desc", "other-col-desc"],
)
def test_rows_sort_by_a_column_or_the_label_with_missing_last_and_ties_in_display_order(sort, expected):
    assert rows_of(sort) == expected


def test_the_table_window_is_sorted_before_it_is_cut():
    table = table_model(SMALL, state(tsort=("desc", "c")))
    assert table.rows == ("b", "D", "c", "e", "A") and table.cols == LABELS
    assert [row[2].text for row in table.cells] == ["0.30", "0.30", "0.10", "-0.20", "missing"]


@pytest.mark.parametrize(
    "total, size, page, expected",
    [(1000, 50, 1, (1, 20, 0, 50)), (1000, 50, 20, (20, 20, 950, 1000)), (120, 50, 3, (3, 3, 100, 120)),
     (120, 50, 9, (3, 3, 100, 120)), (5, 50, 1, (1, 1, 0, 5)), (0, 50, 1, (1, 1, 0, 0))],
    ids=["first", "last", "short-last", "past-end-clamps", "one-page", "empty"],
)
def test_pages_cut_an_axis_and_clamp(total, size, page, expected):
    window = page_of(total, size, page)
    assert (window.page, window.pages, window.start, window.stop) == expected


def big(n_rows: int, n_cols: int) -> TransferMatrix:
    rng = np.random.default_rng(1)
    return TransferMatrix(rows=[f"r{i:04d}" for i in range(n_rows)], cols=[f"c{j:04d}" for j in range(n_cols)],
                          values=rng.normal(0, 0.1, (n_rows, n_cols)), name="big")


def test_a_window_is_the_pages_rows_and_columns_of_the_sorted_table():
    matrix = big(120, 45)
    table = table_model(matrix, state(trpage=3, tcpage=3))
    assert table.rows == matrix.rows[100:120] and table.cols == matrix.cols[40:45]
    assert table.to_json()["row_page"] == {"page": 3, "pages": 3, "first": 101, "last": 120, "total": 120}
    assert table.to_json()["col_page"] == {"page": 3, "pages": 3, "first": 41, "last": 45, "total": 45}
    whole = table_model(matrix, state())
    assert len(whole.rows) == TABLE_PAGE_ROWS and len(whole.cols) == TABLE_PAGE_COLS
    sorted_table = table_model(matrix, state(tsort=("desc", "c0044"), tcpage=1))
    column = matrix.values[:, 44]
    assert sorted_table.rows == tuple(matrix.rows[i] for i in np.argsort(-column)[:TABLE_PAGE_ROWS])


def test_values_read_as_the_heatmaps_cell_text():
    table = table_model(SMALL, state())
    texts = [[cell.text for cell in row] for row in table.cells]
    heatmap = [[text or "missing" for text in row] for row in cell_labels(SMALL, None, False)]
    assert texts == heatmap
    # d3's '.2f' of the float32 value: halves away from zero, no '-0.00'
    assert texts[0] == ["0.13", "0.50", "0.30", "0.00", "0.00"] and texts[1][3] == "0.33"


def test_with_replicates_values_carry_the_heatmaps_stars_and_the_hovers_interval():
    rng = np.random.default_rng(4)
    samples = rng.normal(0.2, 0.05, (3, 3, 6))
    samples[0, 1] = rng.normal(0.0, 0.05, 6)
    matrix = replicated_matrix(samples)
    stats = cell_stats(matrix, 95)
    table = table_model(matrix, ViewState(dataset="m", marks=True), stats)
    assert [[c.text for c in row] for row in table.cells] == cell_labels(matrix, stats, True)
    assert "*" in table.cells[0][0].text and "*" not in table.cells[0][1].text
    low, high = stats.ci_low[0, 0], stats.ci_high[0, 0]
    assert table.cells[0][0].interval == f"[{float(np.float32(low)):.4f}, {float(np.float32(high)):.4f}]"
    plain = table_model(matrix, ViewState(dataset="m", marks=False), stats)
    assert "*" not in plain.cells[0][0].text and plain.interval_level == 95


def marks_of(table) -> dict:
    return {(table.rows[i], table.cols[j]): cell.mark for i, row in enumerate(table.cells)
            for j, cell in enumerate(row) if cell.mark}


def test_highlight_marks_follow_the_thresholds_and_the_diagonal():
    assert marks_of(table_model(SMALL, state())) == {}
    marks = marks_of(table_model(SMALL, state(pos=0.6, neg=-0.2)))
    assert marks == {("A", "A"): POSITIVE, ("A", "e"): NEGATIVE, ("c", "b"): NEGATIVE, ("c", "e"): POSITIVE,
                     ("D", "D"): POSITIVE, ("e", "c"): NEGATIVE, ("e", "e"): POSITIVE}
    without_diagonal = marks_of(table_model(SMALL, state(pos=0.6, neg=-0.2, diag=False)))
    # in-domain cells are left out, and marked so (A, c, ... have values; missing cells never)
    assert without_diagonal == {**{k: v for k, v in marks.items() if k[0] != k[1]},
                                **{(label, label): IN_DOMAIN for label in LABELS}}


def test_significant_only_marks_cells_past_a_threshold_but_not_significant_apart():
    rng = np.random.default_rng(5)
    samples = rng.normal(0.3, 0.02, (2, 2, 8))
    spread = np.array([-1.5, 1.5, -1.2, 1.2, -0.9, 0.9, -0.6, 0.6])  # mean 0, a wide spread
    samples[1, 0] = 0.3 + spread  # past the thresholds, far from significant
    samples[1, 1] = -0.3 + spread
    matrix = replicated_matrix(samples)
    stats = cell_stats(matrix, 95)
    mean = matrix.values
    assert mean[1, 0] >= 0.1 and mean[1, 1] <= -0.1 and stats.q[1, 0] > 0.05 and stats.q[1, 1] > 0.05
    table = table_model(matrix, ViewState(dataset="m", pos=0.1, neg=-0.1, sig=0.05), stats)
    assert [[c.mark for c in row] for row in table.cells] == [[POSITIVE, POSITIVE], [POSITIVE_NS, NEGATIVE_NS]]
    table = table_model(matrix, ViewState(dataset="m", pos=0.1, neg=-0.1), stats)
    assert [[c.mark for c in row] for row in table.cells] == [[POSITIVE, POSITIVE], [POSITIVE, NEGATIVE]]


# --- the link: tsort, trpage, tcpage ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, tsort, trpage",
    [("tsort=desc%3Aa%3Ab&trpage=2", ("desc", "a:b"), 2), ("tsort=asc", ("asc", None), 1),
     ("tsort=asc%3A+x%26y&tcpage=3", ("asc", " x&y"), 1)],
    ids=["colon-in-label", "row-label", "spaces-and-amp"],
)
def test_table_keys_round_trip(query, tsort, trpage):
    parsed, notices = parse_query(query)
    assert notices == [] and parsed.tsort == tsort and parsed.trpage == trpage
    assert parse_query(parsed.to_query())[0] == parsed


@pytest.mark.parametrize(
    "query, notice",
    [("tsort=up", "Ignored tsort: 'up' is not asc or desc, optionally followed by ':' and a test dataset."),
     ("tsort=asc%3A", "Ignored tsort: empty label."),
     ("trpage=0", "Ignored trpage: 0 is less than 1; pages are numbered from 1."),
     ("tcpage=2.5", "Ignored tcpage: '2.5' is not a whole number.")],
    ids=["direction", "empty-label", "page-zero", "page-fraction"],
)
def test_malformed_table_keys_are_ignored_with_a_notice(query, notice):
    parsed, notices = parse_query(query)
    assert notices == [notice] and parsed == ViewState()


def test_a_sort_by_a_column_not_shown_is_dropped_and_a_page_past_the_end_clamps():
    datasets = DatasetsStub(m=big(120, 45))
    view = view_from_query(datasets, "dataset=m&tab=table&tsort=desc%3Anope&trpage=7&tcpage=99")
    assert view.state.tsort is None and view.state.trpage == 3 and view.state.tcpage == 3
    assert list(view.notices) == [
        "Ignored tsort: 'nope' is not a test dataset of this matrix.",
        "trpage=7 is past the last page of rows (3); using trpage=3.",
        "tcpage=99 is past the last page of columns (3); using tcpage=3.",
    ]
    again = view_from_query(datasets, view.query)
    assert again.notices == () and again.query == view.query == "dataset=m&tab=table&trpage=3&tcpage=3"


def test_the_table_follows_filter_collapse_and_order():
    for query in ("dataset=m&tab=table", "dataset=m&tab=table&filter=qa", "dataset=m&tab=table&collapse=kind",
                  "dataset=m&tab=table&order=group&group=kind", "dataset=m&tab=table&order=cluster",
                  "dataset=m&tab=table&norm=zrow&pos=0.5"):
        view = view_from_query(ANNOTATED, query)
        table = view_json(view)["table"]
        assert table["rows"] == list(view.matrix.rows) and table["cols"] == list(view.matrix.cols), query
        assert table["text"] == [[t or "missing" for t in row] for row in cell_labels(view.matrix, None, False)]
    collapsed = view_from_query(ANNOTATED, "dataset=m&collapse=kind&tsort=desc%3AQA")
    assert view_json(collapsed)["table"]["rows"] == ["QA", "NLI"]  # QA->QA 0.25 above NLI->QA -0.175
    hidden = view_from_query(ANNOTATED, "dataset=m&filter=qa&tsort=asc%3Anli1")
    assert hidden.state.tsort is None
    assert "Ignored tsort: 'nli1' is not shown: the filter leaves it out." in hidden.notices


def test_the_json_twin_describes_the_window():
    view = open_view(DatasetsStub(m=SMALL), state(tsort=("asc", "c"), pos=0.6))
    table = view_json(view)["table"]
    assert table["sort"] == {"direction": "asc", "col": "c"}
    assert table["rows"] == ["e", "c", "b", "D", "A"] and table["text"][-1][2] == "missing"
    assert table["marks"][0][4] == "positive" and table["intervals"] is None


# --- the page's table ------------------------------------------------------------------------------


def elements(node, tag: str) -> list[dict]:
    """Every component JSON of `tag` (html) under node (a layout answer)."""
    found = []
    if isinstance(node, list):
        for child in node:
            found += elements(child, tag)
    elif isinstance(node, dict):
        if node.get("type") == tag:
            found.append(node)
        for value in (node.get("props", node) or {}).values():
            found += elements(value, tag)
    return found


def plain(node) -> dict | list:
    return json.loads(json.dumps(node, default=lambda c: c.to_plotly_json()))


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(text_of(child) for child in node)
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children"))
    return ""


def test_the_rendered_table_has_scoped_headers_sort_buttons_and_marks_in_text():
    view = open_view(DatasetsStub(m=SMALL), state(tsort=("desc", "c"), pos=0.6, neg=-0.2, tab="table"))
    content = plain(render(view))
    table = elements(content, "Table")[0]
    assert text_of(elements(table, "Caption")).startswith("AUC difference: train datasets (rows)")
    header = elements(elements(table, "Thead"), "Th")
    assert [th["props"]["scope"] for th in header] == ["col"] * 6
    assert [th["props"].get("aria-sort") for th in header] == [None, None, None, "descending", None, None]
    buttons = [elements(th, "Button")[0]["props"] for th in header]
    assert json.loads(buttons[3]["data-view-change"]) == {"tsort": "asc%3Ac", "trpage": None}
    assert json.loads(buttons[1]["data-view-change"]) == {"tsort": "asc%3Ab", "trpage": None}
    assert json.loads(buttons[0]["data-view-change"]) == {"tsort": "asc", "trpage": None}
    body = elements(table, "Tbody")[0]
    row_headers = [th for th in elements(body, "Th")]
    assert [th["props"]["scope"] for th in row_headers] == ["row"] * 5
    assert [text_of(th) for th in row_headers] == ["b", "D", "c", "e", "A"]
    cells = elements(body, "Td")
    marked = [text_of(td) for td in cells if td["props"].get("className") == "tmx-positive"]
    assert marked == [f"{v} ▲, positive transfer: at or above the positive threshold 0.6"
                      for v in ("0.60", "0.70", "0.80", "0.90")]  # rows D, c, e, A
    legend = text_of(elements(content, "P")[0])
    assert "▲ positive transfer: at or above the positive threshold 0.6" in legend and "▼" in legend
    status = text_of([d for d in elements(content, "Div") if d["props"].get("id") == ids.TABLE_STATUS])
    assert status == "Rows 1–5 of 5, columns 1–5 of 5; sorted by c, descending."


def test_the_pagers_say_what_they_page_and_stop_at_the_ends():
    view = open_view(DatasetsStub(m=big(120, 45)), state(trpage=3, tab="table"))
    buttons = [b["props"] for b in elements(plain(render(view)), "Button") if "aria-label" in b["props"]]
    found = {b["aria-label"]: (b["disabled"], json.loads(b["data-view-change"])) for b in buttons}
    assert found == {"Previous rows": (False, {"trpage": "2"}), "Next rows": (True, {"trpage": "3"}),
                     "Previous columns": (True, {"tcpage": None}), "Next columns": (False, {"tcpage": "2"})}


def test_a_page_arriving_on_the_table_tab_has_its_table(client):
    props = arrived(client, "?dataset=mistral-7b-instruct_auc-diff&tab=table&tsort=desc%3AMovies&pos=0.1")
    query = props[(ids.TABLE_QUERY, "data")]
    assert query == "dataset=mistral-7b-instruct_auc-diff&pos=0.1&tsort=desc%3AMovies"
    assert props[(ids.TABLE_SORT, "data")] == "desc:Movies"
    content = props[(ids.TABLE, "children")]
    assert elements(content, "Table") and "sorted by Movies, descending" in text_of(content)
    elsewhere = arrived(client, "?dataset=mistral-7b-instruct_auc-diff")
    assert elsewhere.get((ids.TABLE, "children")) is None  # drawn when its tab is open


def test_the_callback_draws_the_table_for_the_views_table_fields(app, client):
    key = callback_key(app, ids.TABLE_QUERY)
    body = callback_body(app, key, {ids.TABLE_QUERY: "dataset=mistral-7b-instruct_auc-diff&neg=-0.1&trpage=9"})
    response = client.post(CALLBACK_PATH, json=body)
    assert response.status_code == 200
    content = response.get_json()["response"][ids.TABLE]["children"]
    assert "▼" in text_of(content) and "Rows 1–10 of 10" in text_of(content)


def test_the_browser_keeps_the_same_table_fields_as_the_server():
    node = shutil.which("node")
    assert node, "node is missing: scripts/test installs Debian's nodejs package"
    queries = [
        "dataset=x&order=cluster&row=a&col=b&pos=0.1&tab=table&tsort=desc%3Aa%26b&trpage=2",
        "dataset=x&sort=value&k=3&cluster=1&tab=table",
        "dataset=x&norm=zrow&filter=qa+b&diag=0&sig=0.05&marks=0&unc=none&track=none&tab=table&tcpage=4",
        "dataset=x&pos=0.1",  # another tab: nothing
    ]
    script = (f"const {{loadAssets}} = require({json.dumps(str(ROOT / 'tests' / 'js' / 'fake_page.js'))});"
              "const w = loadAssets(['table.js']); const spec = JSON.parse(process.argv[1]);"
              "const out = JSON.parse(process.argv[2]).map(q => w.dash_clientside.tmx.table_query(q, null, spec));"
              "process.stdout.write(JSON.stringify(out.map(v => v && v.noUpdate ? null : v)));")
    spec = {"fields": list(TABLE_FIELDS), "tab": ids.TABLE_TAB, "container": ids.TABLE}
    done = subprocess.run([node, "-e", script, json.dumps(spec), json.dumps(queries)], capture_output=True,
                          text=True, timeout=30, check=True)
    answers = json.loads(done.stdout)
    assert answers == [table_query(q) for q in queries[:3]] + [None]
    assert answers[0] == "dataset=x&order=cluster&pos=0.1&tsort=desc%3Aa%26b&trpage=2"
    again = subprocess.run([node, "-e", script.replace("null, spec", "'dataset=x', spec"), json.dumps(spec),
                            json.dumps(["dataset=x&tab=table"])],
                           capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(again.stdout) == [None]  # unchanged: no redraw
