"""Linked breakdown panels in real Chromium: click a cell, read both panels, share, click a bar."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from browser import HEATMAP_PLOT, choose_dropdown, click_cell, query_of, wait_for_heatmap
from components import ids

NLI_ROW = [-0.24, -0.21, -0.19, -0.03, 0.05, 0.32, -0.21, -0.07, -0.16, -0.15]
TRIVIAQA_COL = [0.11, 0.05, -0.01, -0.21, -0.15, -0.24, -0.12, -0.19, -0.10, -0.07]
LABELS = ["TriviaQA", "HotpotQA", "Movies", "Winobias", "Winogrande", "NLI", "IMDB", "Math", "HotpotQA_WC", "NQ_WC"]


def bars(page, graph_id: str) -> dict:
    """What the panel's bar chart draws: its name (the selected label) and label -> value."""
    return page.evaluate(
        """(id) => { const gd = document.querySelector(`#${id} .js-plotly-plot`);
                     if (!gd || !gd._fullData || !gd._fullData.length) return null;
                     const t = gd._fullData[0];
                     return {name: t.name, labels: Array.from(t.y), values: t.customdata.map(c => c[0]),
                             outlined: Array.from(t.marker.line.width).map((w, i) => w > 0 ? t.y[i] : null).filter(Boolean)}; }""",
        graph_id,
    )


def wait_for_panels(page, row: str, col: str) -> None:
    page.wait_for_function(
        """([rowId, colId, row, col]) => {
             const name = id => { const gd = document.querySelector(`#${id} .js-plotly-plot`);
                                  return gd && gd._fullData && gd._fullData[0] && gd._fullData[0].name; };
             return name(rowId) === row && name(colId) === col; }""",
        arg=[ids.BREAKDOWN_ROW_GRAPH, ids.BREAKDOWN_COL_GRAPH, row, col],
        timeout=15_000,
    )


def outlines(page) -> list[str]:
    return page.evaluate(f"""() => (document.querySelector("{HEATMAP_PLOT}").layout.shapes || []).map(s => s.name + ':' + (s.y0 + s.y1) / 2 + ',' + (s.x0 + s.x1) / 2)""")


def click_bar(page, graph_id: str, label: str) -> None:
    page.locator(f"#{graph_id} .js-plotly-plot").scroll_into_view_if_needed()
    point = page.evaluate(
        """([id, label]) => { const gd = document.querySelector(`#${id} .js-plotly-plot`);
             const t = gd._fullData[0], i = Array.from(t.y).indexOf(label);
             const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
             const middle = t.base + t.x[i] / 2;
             return {x: box.left + xa._offset + xa.l2p(middle), y: box.top + ya._offset + ya.l2p(ya._categories.indexOf(label))}; }""",
        [graph_id, label],
    )
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(query_of(page).lstrip("?")).items()}


def test_click_cell_shows_linked_panels_that_survive_reload_and_bars_move_the_selection(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    page.wait_for_timeout(500)  # let the load's callbacks settle before recording the click's
    responses = []
    page.on("response", lambda r: responses.append(r) if "_dash-update-component" in r.url else None)
    click_cell(page, "NLI", "TriviaQA")
    wait_for_panels(page, "NLI", "TriviaQA")

    row, col = bars(page, ids.BREAKDOWN_ROW_GRAPH), bars(page, ids.BREAKDOWN_COL_GRAPH)
    assert row["labels"] == LABELS and row["values"] == pytest.approx(NLI_ROW)
    assert col["labels"] == LABELS and col["values"] == pytest.approx(TRIVIAQA_COL)
    assert row["outlined"] == ["NLI"] and col["outlined"] == ["TriviaQA"]  # in-domain bars marked
    stats = page.inner_text(f"#{ids.BREAKDOWN_ROW_STATS}")
    assert "In-domain\n0.32" in stats and "Winogrande (0.05)" in stats and "TriviaQA (-0.24)" in stats
    assert "10 of 10" in stats  # NLI transfers out worst of all rows
    page.wait_for_function("() => new URLSearchParams(location.search).get('col') === 'TriviaQA'")
    assert query(page) == {"dataset": "mistral-7b-instruct_auc-diff", "row": "NLI", "col": "TriviaQA"}
    page.wait_for_function(f"""() => (document.querySelector("{HEATMAP_PLOT}").layout.shapes || []).length === 2""")
    assert sorted(outlines(page)) == ["selected-col:4.5,0", "selected-row:5,4.5"]
    # One request for the click, the panels': the outline and the link are the browser's work,
    # and the heatmap is neither sent again nor patched.
    outputs = [r.request.post_data_json["output"] for r in responses]
    assert len(outputs) == 1 and ids.BREAKDOWN_ROW_GRAPH in outputs[0] and ids.HEATMAP + "." not in outputs[0]

    # The link alone rebuilds the same panels, outlines and dropdowns.
    shared = page.url
    page.goto(shared)
    wait_for_heatmap(page)
    wait_for_panels(page, "NLI", "TriviaQA")
    assert bars(page, ids.BREAKDOWN_ROW_GRAPH)["values"] == pytest.approx(NLI_ROW)
    assert sorted(outlines(page)) == ["selected-col:4.5,0", "selected-row:5,4.5"]
    assert page.inner_text(f"#{ids.ROW}").strip().startswith("NLI")

    # A bar in the row panel is a test dataset: it moves the column; the column panel's bars move the row.
    click_bar(page, ids.BREAKDOWN_ROW_GRAPH, "Winogrande")
    wait_for_panels(page, "NLI", "Winogrande")
    page.wait_for_function("() => new URLSearchParams(location.search).get('col') === 'Winogrande'")
    click_bar(page, ids.BREAKDOWN_COL_GRAPH, "Math")
    wait_for_panels(page, "Math", "Winogrande")
    page.wait_for_function("() => new URLSearchParams(location.search).get('row') === 'Math'")
    page.wait_for_function(f"""() => document.querySelector("{HEATMAP_PLOT}").layout.shapes.some(s => s.name === 'selected-row' && s.y0 === 6.5)""")

    # Without a mouse on the heatmap: the dropdown selects, and sorting reorders bars by value.
    choose_dropdown(page, ids.ROW, "Winobias")
    wait_for_panels(page, "Winobias", "Winogrande")
    page.get_by_text("Sorted by value").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('sort') === 'value'")
    page.wait_for_function(
        """(id) => { const t = document.querySelector(`#${id} .js-plotly-plot`)._fullData[0]; return t.y[0] === 'Winobias'; }""",
        arg=ids.BREAKDOWN_ROW_GRAPH,
    )
    values = bars(page, ids.BREAKDOWN_ROW_GRAPH)["values"]
    assert values == sorted(values, reverse=True)


def test_clicking_the_selected_cell_again_keeps_the_selection(live_server, page):
    page.goto(live_server.url + "/?row=Math&col=IMDB")
    wait_for_heatmap(page)
    wait_for_panels(page, "Math", "IMDB")
    click_cell(page, "Math", "IMDB")
    page.wait_for_timeout(600)
    assert query(page)["row"] == "Math" and query(page)["col"] == "IMDB"
    assert bars(page, ids.BREAKDOWN_COL_GRAPH)["name"] == "IMDB"
