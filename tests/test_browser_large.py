"""A 1000x1000 matrix in real Chromium: lean figure, exact clicks on sub-pixel cells, one request
per click; and the progress veil for slow waits. Behaviour only: timings are in benchmarks/."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from components import ids
from transfer.figures import HeatmapShape
from transfer.matrix import TransferMatrix
from web import services

from browser import HEATMAP_PLOT, panel_bars, pixel_near_cell, wait_for_heatmap, wait_for_panels

N = 1000


@pytest.fixture
def big(app, live_server):
    """The live app holding a seeded 1000x1000 matrix, and that matrix's id."""
    rng = np.random.default_rng(3)
    labels = [f"t{i:04d}" for i in range(N)]
    values = rng.normal(0, 0.1, (N, N))
    matrix = TransferMatrix(rows=labels, cols=labels, values=values, name="big", metric="AUC difference")
    dataset_id = app.server.config[services.DATASETS_KEY].put(matrix)
    return live_server, dataset_id


def test_large_matrix_is_sent_as_float32_without_labels_and_clicks_select_the_cell_under_the_pointer(big, page):
    server, dataset_id = big
    page.goto(f"{server.url}/?dataset={dataset_id}")
    wait_for_heatmap(page, timeout=60_000)
    cells = page.evaluate(f"""() => {{ const t = document.querySelector("{HEATMAP_PLOT}").data[0];
                                       return {{dtype: t.z.dtype, shape: String(t.z.shape).replace(" ", ""),
                                                texttemplate: t.texttemplate || null}}; }}""")
    assert cells == {"dtype": "f4", "shape": f"{N},{N}", "texttemplate": None}
    assert page.locator(f"{HEATMAP_PLOT} .hm text, {HEATMAP_PLOT} .textpoint").count() == 0
    page.wait_for_timeout(500)  # the load's callbacks settle

    requests: list[str] = []
    page.on(
        "request", lambda r: requests.append(r.url) if "_dash-update-component" in r.url or "/api/" in r.url else None,
    )
    # Cells are under a pixel wide here: the click must land on the cell under the pointer's pixel
    # (edges included; the plot's corners belong to plotly's zoom handles).
    for row, col in (("t0001", "t0500"), ("t0500", "t0501"), ("t0999", "t0250")):
        point = pixel_near_cell(page, row, col)
        page.wait_for_timeout(400)  # never a plotly double-click
        page.mouse.click(point["x"], point["y"])
        wait_for_panels(page, point["row"], point["col"], timeout=30_000)
        page.wait_for_function(
            "([row, col]) => { const q = new URLSearchParams(location.search); "
            "return q.get('row') === row && q.get('col') === col; }",
            arg=[point["row"], point["col"]])
    # One request per click, the panels' numbers; the heatmap never goes back to the server.
    assert len(requests) == 3 and all("/api/selection?" in url for url in requests)
    # The bars are the heatmap's cells (float32), a thousand of them, too thin for text.
    bars = panel_bars(page, "row")
    assert bars["label"] == point["row"] and len(bars["values"]) == N and bars["labels"][:2] == ["t0000", "t0001"]
    assert bars["in_domain"] == [point["row"]] and bars["painted_rows"] > 0.95  # painted over the whole band
    assert page.locator(f"#{ids.BREAKDOWN_ROW_BARS} .tmx-bar-tick").count() == 0
    outline = page.evaluate(
        f"""() => document.querySelector("{HEATMAP_PLOT}")._fullLayout.shapes.slice({int(HeatmapShape.SELECTION)})"""
        """.map(s => s.name + ":" + (s.y0 + s.y1) / 2 + "," + (s.x0 + s.x1) / 2)"""
    )
    middle = f"{(N - 1) / 2:g}"
    at_row, at_col = int(point["row"][1:]), int(point["col"][1:])
    assert sorted(outline) == [f"selected-col:{middle},{at_col}", f"selected-row:{at_row},{middle}"]


def test_a_graph_waiting_for_the_server_shows_progress_only_after_300_ms(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    veil = f"""() => getComputedStyle(document.getElementById("{ids.HEATMAP}"), "::after").opacity"""
    page.evaluate(f"""() => document.getElementById("{ids.HEATMAP}").setAttribute("data-dash-is-loading", "true")""")
    page.wait_for_timeout(150)
    assert float(page.evaluate(veil)) < 0.5  # a quick answer never flickers
    page.wait_for_function(f"() => ({veil})() === '1'", timeout=3_000)
    page.evaluate(f"""() => document.getElementById("{ids.HEATMAP}").removeAttribute("data-dash-is-loading")""")
    veil_content = f"""() => getComputedStyle(document.getElementById("{ids.HEATMAP}"), "::after").content"""
    assert page.evaluate(veil_content) == "none"


def test_scripts_are_sent_compressed(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    html = gzip.decompress(page.data).decode()
    bundles = [src.split('"')[0] for src in html.split('src="')[1:] if "dash_core_components.v" in src]
    plotly_js = html.split('id="tmx-plotly" href="')[1].split('"')[0]  # the page's preload (web/plotlyjs)
    for path in bundles[:1] + [plotly_js]:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.headers.get("Content-Encoding") == "gzip", path
        assert len(response.data) < len(gzip.decompress(response.data)) / 2.5, path  # plotly.js: 1.1 MB -> ~0.4 MB
    assert len(bundles) == 1
    scripts = [src.split('"')[0] for src in html.split('<script src="')[1:]]
    assert scripts and not [src for src in scripts if "dash_table" in src]  # only what the page uses
