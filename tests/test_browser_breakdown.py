"""Linked breakdown panels in real Chromium: click a cell, read both panels, share, click a bar."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from components import ids
from transfer.figures import HeatmapShape

from browser import (
    HEATMAP_PLOT,
    choose_dropdown,
    click_bar,
    click_cell,
    panel_bars,
    query_of,
    wait_for_heatmap,
    wait_for_panels,
)

NLI_ROW = [-0.24, -0.21, -0.19, -0.03, 0.05, 0.32, -0.21, -0.07, -0.16, -0.15]
TRIVIAQA_COL = [0.11, 0.05, -0.01, -0.21, -0.15, -0.24, -0.12, -0.19, -0.10, -0.07]
LABELS = ["TriviaQA", "HotpotQA", "Movies", "Winobias", "Winogrande", "NLI", "IMDB", "Math", "HotpotQA_WC", "NQ_WC"]


def outlines(page) -> list[str]:
    return page.evaluate(
        f"""() => (document.querySelector("{HEATMAP_PLOT}").layout.shapes || []).slice({int(HeatmapShape.SELECTION)})"""
        """.map(s => s.name + ':' + (s.y0 + """
        """s.y1) / 2 + ',' + (s.x0 + s.x1) / 2)"""
    )


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(query_of(page).lstrip("?")).items()}


def test_click_cell_shows_linked_panels_that_survive_reload_and_bars_move_the_selection(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    page.wait_for_timeout(500)  # let the load's callbacks settle before recording the click's
    requests = []
    page.on(
        "request", lambda r: requests.append(r.url) if "_dash-update-component" in r.url or "/api/" in r.url else None,
    )
    click_cell(page, "NLI", "TriviaQA")
    wait_for_panels(page, "NLI", "TriviaQA")

    row, col = panel_bars(page, "row"), panel_bars(page, "col")
    assert row["labels"] == LABELS and row["values"] == pytest.approx(NLI_ROW)
    assert col["labels"] == LABELS and col["values"] == pytest.approx(TRIVIAQA_COL)
    assert row["in_domain"] == ["NLI"] and col["in_domain"] == ["TriviaQA"]  # in-domain bars marked
    assert row["rules"] == {"neutral": [0, "5 3"]}  # a dashed line at the neutral value, no thresholds
    # Colours from the heatmap's scale: white at the neutral value, red above, blue below.
    colors = dict(zip(row["labels"], row["colors"]))
    assert colors["NLI"].startswith("rgb(") and colors["NLI"] != colors["TriviaQA"]
    red, blue = (tuple(map(int, colors[k][4:-1].split(","))) for k in ("NLI", "TriviaQA"))
    assert red[0] > red[2] and blue[2] > blue[0]
    # One number format per panel: TriviaQA's column has -0.1 among two-decimal values (-0.10), and
    # the list's mean (-1.21 / 9 = -0.134) gives its other numbers three decimals.
    bar_texts = page.eval_on_selector_all(f"#{ids.BREAKDOWN_COL_BARS} text.tmx-bar-value",
                                          "ts => ts.map(t => t.textContent)")
    assert "-0.10" in bar_texts and {len(t.split()[0].split(".")[1]) for t in bar_texts} == {2}, bar_texts
    stats = page.inner_text(f"#{ids.BREAKDOWN_ROW_STATS}")
    assert "In-domain\n0.320" in stats and "Winogrande (0.050)" in stats and "TriviaQA (-0.240)" in stats
    assert "-0.134" in stats
    assert "10 of 10" in stats  # NLI transfers out worst of all rows
    page.wait_for_function("() => new URLSearchParams(location.search).get('col') === 'TriviaQA'")
    assert query(page) == {"dataset": "mistral-7b-instruct_auc-diff", "row": "NLI", "col": "TriviaQA"}
    shapes = HeatmapShape.SELECTION + 2  # the outlines' slots, the row's and the column's
    page.wait_for_function(
        f"""() => (document.querySelector("{HEATMAP_PLOT}").layout.shapes || []).length === {shapes}"""
    )
    assert sorted(outlines(page)) == ["selected-col:4.5,0", "selected-row:5,4.5"]
    # One request for the click, the panels' numbers for the link's view and this selection: the
    # bars, the outline and the link are the browser's work; no Dash callback goes to the server.
    assert [url.split("/", 3)[3] for url in requests] == [
        "api/selection?dataset=mistral-7b-instruct_auc-diff&row=NLI&col=TriviaQA"]

    # The link alone rebuilds the same panels, outlines and dropdowns.
    shared = page.url
    page.goto(shared)
    wait_for_heatmap(page)
    wait_for_panels(page, "NLI", "TriviaQA")
    assert panel_bars(page, "row")["values"] == pytest.approx(NLI_ROW)
    assert sorted(outlines(page)) == ["selected-col:4.5,0", "selected-row:5,4.5"]
    assert page.inner_text(f"#{ids.ROW}").strip().startswith("NLI")

    # A bar in the row panel is a test dataset: it moves the column; the column panel's bars move the row.
    click_bar(page, "row", "Winogrande")
    wait_for_panels(page, "NLI", "Winogrande")
    page.wait_for_function("() => new URLSearchParams(location.search).get('col') === 'Winogrande'")
    click_bar(page, "col", "Math")
    wait_for_panels(page, "Math", "Winogrande")
    page.wait_for_function("() => new URLSearchParams(location.search).get('row') === 'Math'")
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}").layout.shapes.some(s => s.name === 'selected-row' && s.y0 """
        """=== 6.5)"""
    )

    # Without a mouse on the heatmap: the dropdown selects, and sorting reorders bars by value.
    choose_dropdown(page, ids.ROW, "Winobias")
    wait_for_panels(page, "Winobias", "Winogrande")
    page.get_by_text("Sorted by value").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('sort') === 'value'")
    page.wait_for_function(
        f"() => document.querySelector('#{ids.BREAKDOWN_ROW_BARS} g.tmx-bar').dataset.label === 'Winobias'"
    )
    values = panel_bars(page, "row")["values"]
    assert values == sorted(values, reverse=True)


def test_clicking_the_selected_cell_again_keeps_the_selection(live_server, page):
    page.goto(live_server.url + "/?row=Math&col=IMDB")
    wait_for_heatmap(page)
    wait_for_panels(page, "Math", "IMDB")
    click_cell(page, "Math", "IMDB")
    page.wait_for_timeout(600)
    assert query(page)["row"] == "Math" and query(page)["col"] == "IMDB"
    assert panel_bars(page, "col")["label"] == "IMDB"


@pytest.fixture
def ragged(app, live_server):
    """The live app holding a non-square matrix with a missing cell and a label that is markup."""
    from transfer.matrix import TransferMatrix
    from web import services

    matrix = TransferMatrix(rows=["A", "<b>B</b>"], cols=["<b>B</b>", "C", "A"],
                            values=[[0.7, float("nan"), 0.9], [0.95, 0.4, 0.6]], neutral=0.5, scale=(0.0, 1.0),
                            metric="AUC", name="ragged")
    return live_server, app.server.config[services.DATASETS_KEY].put(matrix)


def test_bars_of_a_non_square_matrix_show_missing_as_missing_and_hover_exact_values(ragged, page):
    server, dataset_id = ragged
    page.goto(f"{server.url}/?dataset={dataset_id}&row=A&col=%3Cb%3EB%3C%2Fb%3E&sort=value&pos=0.8")
    wait_for_heatmap(page)
    wait_for_panels(page, "A", "<b>B</b>")
    row = panel_bars(page, "row")
    # Sorted by value, missing last and never drawn as 0; the in-domain bar is A's own column,
    # found by label in a non-square matrix; the neutral line at 0.5 and the pos threshold drawn.
    assert row["labels"] == ["A", "<b>B</b>", "C"] and row["values"] == [pytest.approx(0.9), pytest.approx(0.7), None]
    assert row["in_domain"] == ["A"] and row["colors"][2] is None
    assert row["rules"] == {"neutral": [0.5, "5 3"], "pos": [0.8, ""]}
    assert page.locator(f"#{ids.BREAKDOWN_ROW_BARS} g.tmx-bar").nth(2).text_content() == "× missingC"
    # The markup label is text in the tick, the bars and the hover; the hover has 4 decimals.
    assert page.locator(f"#{ids.BREAKDOWN_ROW_BARS} text.tmx-bar-tick").nth(1).text_content() == "<b>B</b>"
    box = page.locator(f"#{ids.BREAKDOWN_ROW_BARS} .tmx-bars-hit").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.5)
    tip = page.locator(".tmx-bars-tip:visible")
    assert tip.inner_text().splitlines() == ["Test: <b>B</b>", "AUC: 0.7"]
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.1)
    assert tip.inner_text().splitlines() == ["Test: A (in-domain)", "AUC: 0.9"]
    # The column panel: the train datasets that were tested on <b>B</b>.
    col = panel_bars(page, "col")
    assert col["labels"] == ["<b>B</b>", "A"] and col["values"] == [pytest.approx(0.95), pytest.approx(0.7)]
    assert col["in_domain"] == ["<b>B</b>"]
    assert "Missing values" not in page.inner_text(f"#{ids.BREAKDOWN_COL_STATS}")
    assert "Missing values\n1" in page.inner_text(f"#{ids.BREAKDOWN_ROW_STATS}")


def test_bar_helpers_follow_the_python_rules(live_server, page):
    """The browser's rounding and colours are transfer.figures.display_number and the heatmap's scale."""
    from transfer.figures import DIVERGING, display_number

    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    values = [0.32, -0.1344444, -0.0001, 0.0005, 12.5, -3.0]
    shown = page.evaluate("(vs) => vs.map(v => window.tmx.displayNumber(v))", values)
    assert shown == [display_number(v) for v in values]
    assert page.evaluate("() => window.tmx.displayNumber(NaN)") == "missing"
    colors = page.evaluate(
        "([scale, vs]) => vs.map(v => window.tmx.scaleColor(v, scale, 0, 1))",
        [DIVERGING, [0.0, 0.5, 1.0, -3.0, 0.125]],
    )
    hexes = ["#%02x%02x%02x" % tuple(int(c) for c in color[4:-1].split(",")) for color in colors]
    # the ends, white at the middle, clipped below the range, and interpolated in RGB between stops
    assert hexes == [DIVERGING[0][1], DIVERGING[2][1], DIVERGING[4][1], DIVERGING[0][1], "#5a96c5"]
