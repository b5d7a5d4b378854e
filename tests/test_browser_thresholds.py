"""Thresholds in real Chromium: typed and dragged values highlight exactly the cells the core
classifies, the link follows, a reload reproduces it, and no callback request leaves the page."""

from __future__ import annotations

import numpy as np

from components import ids
from transfer.figures import HeatmapImage, HeatmapShape
from transfer.matrix import TransferMatrix
from transfer.thresholds import classify
from web import services

from browser import (
    HEATMAP_PLOT,
    PANEL_BARS,
    choose_dropdown,
    click_cell,
    drawn_highlight,
    heatmap_data,
    panel_bars,
    query_of,
    wait_for_heatmap,
)
from conftest import get_json

DEFAULT = "mistral-7b-instruct_auc-diff"


def drawn_matrix(page) -> TransferMatrix:
    data = heatmap_data(page)
    values = np.array([[np.nan if v is None else v for v in row] for row in data["z"]], dtype=float)
    return TransferMatrix(rows=data["rows"], cols=data["cols"], values=values)


def unit_edges(outline: dict) -> set:
    """Outline polyline segments (null-separated) split into unit cell edges."""
    edges, xs, ys = set(), outline["x"], outline["y"]
    for k in range(len(xs) - 1):
        if xs[k] is None or xs[k + 1] is None:
            continue
        (x0, x1), (y0, y1) = sorted((xs[k], xs[k + 1])), sorted((ys[k], ys[k + 1]))
        if y0 == y1:
            edges |= {("h", y0, x0 + t) for t in range(round(x1 - x0))}
        else:
            edges |= {("v", x0, y0 + t) for t in range(round(y1 - y0))}
    return edges


def boundary_edges(mask: np.ndarray) -> set:
    """Unit edges between a marked cell and an unmarked one (or the border), in cell units."""
    padded = np.pad(mask, 1)
    edges = set()
    for i, j in zip(*np.nonzero(padded[1:, 1:-1] != padded[:-1, 1:-1])):  # row boundary i-0.5
        edges.add(("h", i - 0.5, j - 0.5))
    for i, j in zip(*np.nonzero(padded[1:-1, 1:] != padded[1:-1, :-1])):  # column boundary j-0.5
        edges.add(("v", j - 0.5, i - 0.5))
    return edges


def assert_highlight_matches_core(page, pos, neg, diag=True) -> None:
    matrix = drawn_matrix(page)
    expected = classify(matrix, pos, neg, diag)
    drawn = drawn_highlight(page)
    assert set(np.unique(drawn["fade"])) <= {0, 1}  # every cell's pixel veiled or clear, nothing between
    faded = np.array(drawn["fade"]) == 1
    present = ~np.isnan(matrix.values)
    assert np.array_equal(faded, present & ~expected.positive & ~expected.negative)
    assert unit_edges(drawn["positive"]) == boundary_edges(expected.positive)
    assert unit_edges(drawn["negative"]) == boundary_edges(expected.negative)
    assert page.inner_text(f"#{ids.THRESHOLD_COUNTS}").startswith(counts_sentence(expected.counts(), pos, neg))


def counts_sentence(counts: dict, pos: float, neg: float) -> str:
    p, n = counts["positive"], counts["negative"]
    return (f"{p} {'cell shows' if p == 1 else 'cells show'} positive transfer ≥ {pos:g}, "
            f"{n} {'shows' if n == 1 else 'show'} negative transfer ≤ {neg:g}")


TYPED_BOX = {ids.THRESHOLD_POS_SLIDER: ids.THRESHOLD_POS_INPUT, ids.THRESHOLD_NEG_SLIDER: ids.THRESHOLD_NEG_INPUT}


def type_threshold(page, slider_id: str, value: str) -> None:
    box = page.locator(f"#{TYPED_BOX[slider_id]}")
    box.fill(value)
    box.press("Enter")


def callback_requests(requests: list[str]) -> list[str]:
    # Chromium itself re-fetches the favicon when the address changes; anything else is the app.
    return [url for url in requests if "_favicon.ico" not in url]


def test_typed_and_dragged_thresholds_highlight_what_the_core_classifies_without_a_request(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('Switch on')")
    page.wait_for_timeout(500)  # let the load's callbacks finish before recording
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.click(f"#{ids.THRESHOLD_POS_ON}")
    page.wait_for_function("() => location.search.includes('pos=0.1')")  # starts at the suggested 0.1
    # Drag the negative slider from its suggested -0.15 to the far left, then type the value back.
    page.wait_for_timeout(350)
    page.click(f"#{ids.THRESHOLD_NEG_ON}")
    thumb = page.locator(f"#{ids.THRESHOLD_NEG_SLIDER} [role=slider]")
    track = page.locator(f"#{ids.THRESHOLD_NEG_SLIDER} .dash-slider-track").bounding_box()
    start = thumb.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] - 20, start["y"] + start["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('neg=-0.33')")
    assert_highlight_matches_core(page, 0.1, -0.33)
    type_threshold(page, ids.THRESHOLD_POS_SLIDER, "0.25")
    type_threshold(page, ids.THRESHOLD_NEG_SLIDER, "-0.15")
    type_threshold(page, ids.THRESHOLD_POS_SLIDER, "0.1")
    page.wait_for_function("() => location.search.endsWith('&pos=0.1&neg=-0.15')")
    assert query_of(page) == f"?dataset={DEFAULT}&pos=0.1&neg=-0.15"
    assert_highlight_matches_core(page, 0.1, -0.15)
    page.wait_for_timeout(300)
    assert callback_requests(requests) == []

    api = get_json(live_server.url + "/api/view" + query_of(page))["highlight"]
    assert page.inner_text(f"#{ids.THRESHOLD_COUNTS}").startswith(counts_sentence(api["counts"], 0.1, -0.15))

    page.reload()
    wait_for_heatmap(page)
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('show positive')"
    )
    assert page.is_checked(f"#{ids.THRESHOLD_POS_ON}") and page.is_checked(f"#{ids.THRESHOLD_NEG_ON}")
    assert page.input_value(f"#{ids.THRESHOLD_NEG_INPUT}") == "-0.15"
    assert_highlight_matches_core(page, 0.1, -0.15)
    assert query_of(page) == f"?dataset={DEFAULT}&pos=0.1&neg=-0.15"


def test_diagonal_switch_out_of_range_notice_and_a_dataset_with_other_units(live_server, page):
    page.goto(live_server.url + f"/?dataset={DEFAULT}&pos=5&neg=-0.15")
    wait_for_heatmap(page)
    assert "pos=5 is outside 0..0.33; using 0.33" in page.inner_text(f"#{ids.NOTICES}")
    page.wait_for_function("() => location.search.includes('pos=0.33')")
    assert_highlight_matches_core(page, 0.33, -0.15)

    page.click(f"#{ids.THRESHOLD_DIAG}")
    page.wait_for_function("() => location.search.endsWith('&diag=0')")
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('in-domain cells excluded')"
    )
    assert_highlight_matches_core(page, 0.33, -0.15, diag=False)

    # Raw AUC has other units: the thresholds restart from its suggestions around 0.5.
    choose_dropdown(page, ids.DATASET, "Mistral-7B-Instruct: probe AUC")
    page.wait_for_function("() => location.search.includes('mistral-7b-instruct_auc&pos=0.6&neg=0.4&diag=0')")
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_NEUTRAL}').innerText.startsWith('neutral value 0.5 (AUC)')"
    )
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('≥ 0.6')")
    page.wait_for_function(f"""() => document.querySelector("{HEATMAP_PLOT}").data[0].zmax === 1""")
    assert_highlight_matches_core(page, 0.6, 0.4, diag=False)


def test_breakdown_panels_draw_the_thresholds_as_lines(live_server, page):
    page.goto(live_server.url + "/?dataset=mistral-7b-instruct_auc-diff&row=NLI&col=TriviaQA&pos=0.1&neg=-0.15")
    wait_for_heatmap(page)

    def rules(axis):
        return {k: v for k, v in ((panel_bars(page, axis) or {}).get("rules") or {}).items() if k != "neutral"}

    for axis in ("row", "col"):
        page.wait_for_function(
            f"() => document.querySelectorAll('#{PANEL_BARS[axis]} line.tmx-rule').length === 3", timeout=15_000,
        )
        assert rules(axis) == {"neg": [-0.15, "2 2"], "pos": [0.1, ""]}  # solid for positive, dotted for negative
    # Moving a threshold moves the lines in the browser; switching one off removes its line.
    type_threshold(page, ids.THRESHOLD_POS_SLIDER, "0.2")
    page.wait_for_function(
        f"() => document.querySelector('#{ids.BREAKDOWN_ROW_BARS} line.tmx-rule[data-name=pos]').dataset.value === "
        "'0.2'",
        timeout=15_000,
    )
    page.click(f"#{ids.THRESHOLD_NEG_ON}")
    page.wait_for_function(
        f"() => document.querySelectorAll('#{ids.BREAKDOWN_COL_BARS} line.tmx-rule').length === 2", timeout=15_000,
    )
    assert rules("col") == {"pos": [0.2, ""]}


# Counts every draw of the heatmap's figure (Plotly.react / newPlot / restyle / update on its
# graph div) from the page's start: wrapped as soon as plotly.js has run (a script's load event,
# seen at the document before the script's own onload handlers).
COUNT_DRAWS_JS = """(() => {
  const draws = window.__draws = [];
  const wrap = () => { const P = window.Plotly; if (!P || P.__counted) return; P.__counted = true;
    for (const name of ["react", "newPlot", "restyle", "update"]) { const f = P[name];
      P[name] = function (gd) { const div = typeof gd === "string" ? document.getElementById(gd) : gd;
        if (div && div.closest && div.closest("#heatmap")) draws.push(name); return f.apply(this, arguments); }; } };
  document.addEventListener("load", wrap, true);
})();"""


def test_a_link_with_thresholds_draws_the_heatmap_once_and_a_scattered_highlight_stays_drawable(app, live_server,
                                                                                               page):
    """A link's highlight is in the heatmap's first drawing (no second drawing on load), and a
    highlight scattered over a third of a 150 x 150 matrix (its dotted outline would be ~11,000
    separate SVG paths, each drawn by plotly) keeps its fade and positive outline: the negative
    outline is left out, and the counts say so."""
    rng = np.random.default_rng(3)
    labels = [f"t{i:03d}" for i in range(150)]
    matrix = TransferMatrix(rows=labels, cols=labels, values=rng.normal(-0.1, 0.1, (150, 150)), name="scattered")
    dataset_id = app.server.config[services.DATASETS_KEY].put(matrix)
    page.add_init_script(COUNT_DRAWS_JS)
    page.goto(f"{live_server.url}/?dataset={dataset_id}&pos=0.1&neg=-0.15")
    wait_for_heatmap(page, timeout=60_000)
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('show positive')"
    )
    page.wait_for_timeout(1500)  # the load's callbacks and any later drawing
    assert page.evaluate("() => window.__draws") == ["react"]
    drawn = drawn_highlight(page)
    expected = classify(matrix, 0.1, -0.15)
    assert unit_edges(drawn["positive"]) == boundary_edges(expected.positive)
    assert drawn["negative"] == {"x": [], "y": []}
    faded = np.array(drawn["fade"]) == 1
    assert (faded == ~(expected.positive | expected.negative)).all()
    counts = page.inner_text(f"#{ids.THRESHOLD_COUNTS}")
    assert counts.startswith(counts_sentence(expected.counts(), 0.1, -0.15))
    assert "Outlines of negative cells are not drawn" in counts


def selection_and_cluster(page) -> dict:
    """The selection's outlines (names and centres) and the cluster outline's path, as drawn."""
    return page.evaluate(
        f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}"), shapes = gd._fullLayout.shapes;
                    const fade = gd.layout.images[{int(HeatmapImage.FADE)}].source;
                    const drawn = i => !!gd.querySelector(`.layer-above .shapelayer path[data-index="${{i}}"]`);
                    return {{selection: shapes.slice({int(HeatmapShape.SELECTION)}).map(
                               s => s.name + ":" + (s.y0 + s.y1) / 2 + "," + (s.x0 + s.x1) / 2),
                             cluster: shapes[{int(HeatmapShape.CLUSTER)}].path,
                             clusterDrawn: drawn({int(HeatmapShape.CLUSTER)}),
                             fadeDrawn: Array.from(gd.querySelectorAll(".layer-above .imagelayer image")).some(image =>
                               (image.getAttribute("href") || image.getAttribute("xlink:href")) === fade)}}; }}"""
    )


def test_thresholds_a_click_a_cluster_and_more_thresholds_keep_each_others_layers(live_server, page):
    """A threshold change after the heatmap is drawn relays out the layout's picture and lines
    (written into the figure Dash holds too); a click outlines the selection the same way; a
    picked cluster comes as a patch of the figure from the server. Each step keeps what the others
    drew, and a reload of the link draws the same."""
    page.goto(f"{live_server.url}/?dataset={DEFAULT}&order=cluster&k=3&pos=0.1&neg=-0.15")
    wait_for_heatmap(page)
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('show positive')"
    )
    assert_highlight_matches_core(page, 0.1, -0.15)
    type_threshold(page, ids.THRESHOLD_POS_SLIDER, "0.05")
    page.wait_for_function("() => location.search.includes('pos=0.05')")
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('≥ 0.05')")
    assert_highlight_matches_core(page, 0.05, -0.15)

    rows = heatmap_data(page)["rows"]
    click_cell(page, rows[2], rows[5])
    page.wait_for_function(f"() => location.search.includes('row={rows[2]}')")
    centres = [f"selected-row:2,{(len(rows) - 1) / 2:g}", f"selected-col:{(len(rows) - 1) / 2:g},5"]
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}")._fullLayout.shapes.length === {HeatmapShape.SELECTION + 2}"""
    )
    assert sorted(selection_and_cluster(page)["selection"]) == sorted(centres)
    assert_highlight_matches_core(page, 0.05, -0.15)

    page.get_by_role("tab", name="Dendrogram").click()
    page.locator(f"#{ids.CLUSTER_MEMBERS} .list-group-item").nth(0).click()
    page.wait_for_function("() => location.search.includes('cluster=1')")
    page.get_by_role("tab", name="Heatmap").click()
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}")._fullLayout.shapes[{int(HeatmapShape.CLUSTER)}].path"""
    )
    layers = selection_and_cluster(page)
    assert sorted(layers["selection"]) == sorted(centres) and layers["clusterDrawn"] and layers["fadeDrawn"]
    assert_highlight_matches_core(page, 0.05, -0.15)

    type_threshold(page, ids.THRESHOLD_NEG_SLIDER, "-0.2")
    page.wait_for_function("() => location.search.includes('neg=-0.2')")
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('≤ -0.2')")
    assert_highlight_matches_core(page, 0.05, -0.2)
    assert selection_and_cluster(page) == layers  # the selection and the cluster outline kept, the fade redrawn

    page.reload()
    wait_for_heatmap(page)
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('≤ -0.2')")
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}")._fullLayout.shapes[{int(HeatmapShape.CLUSTER)}].path"""
    )
    assert_highlight_matches_core(page, 0.05, -0.2)
    reloaded = selection_and_cluster(page)
    assert sorted(reloaded["selection"]) == sorted(centres) and reloaded["cluster"] == layers["cluster"]
