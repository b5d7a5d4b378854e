"""Every view draws with the page's plotly.js (web/plotlyjs: only the traces the app draws) in
real Chromium: the heatmap in cluster order with a selection and its breakdown panels, the
value-suppressing palette's wedge (on screen and in the PNG download), the dendrogram tab, the
small multiples; each plotly graph's every trace has its module, nothing is logged, and the
page never loads Dash's own plotly.js. tests/test_plotly_bundle.py checks every figure's traces
without a browser."""

from __future__ import annotations

import re

from components import ids
from web import plotlyjs

from browser import HEATMAP_PLOT, wait_for_heatmap, wait_for_panels

SEEDS = "dataset=example-seeds"  # bundled, with replicates
TASKS = "dataset=mistral-7b-instruct_auc-diff"

# Every plotly graph on the page: drawn, and each trace with a registered module (plotly.js drops a
# trace of a type it does not have: no module, and not drawn).
GRAPHS_JS = """() => Array.from(document.querySelectorAll(".js-plotly-plot")).map(gd => ({
  id: gd.closest("[id]") && gd.closest("[id]").id, drawn: !!gd._fullLayout,
  types: (gd._fullData || []).map(t => t.type), modules: (gd._fullData || []).every(t => !!t._module)}))"""

# The exported PNG (as assets/tmx.js makes it: Plotly.toImage) read back: the colour at a point of
# the wedge, in wedge units (the figure's x7/y7 axes).
EXPORTED_WEDGE_JS = """async ([radius, angle]) => {
  const gd = document.querySelector("%s"), L = gd._fullLayout;
  const url = await Plotly.toImage(gd, {format: "png", width: L.width, height: L.height, scale: 1});
  const img = new Image(); img.src = url; await img.decode();
  const canvas = document.createElement("canvas"); canvas.width = img.width; canvas.height = img.height;
  const context = canvas.getContext("2d"); context.drawImage(img, 0, 0);
  const a = angle * Math.PI / 180, xa = L.xaxis7, ya = L.yaxis7;
  const x = xa._offset + xa.l2p(radius * Math.cos(a)), y = ya._offset + ya.l2p(radius * Math.sin(a));
  return Array.from(context.getImageData(Math.round(x), Math.round(y), 1, 1).data).slice(0, 3);
}""" % HEATMAP_PLOT

WEDGE_JS = f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
  const wedge = Array.from(gd.querySelectorAll("image")).map(i => i.href.baseVal)
    .filter(h => h.startsWith("data:image/svg+xml;base64,"));
  const svg = wedge.length === 1 ? atob(wedge[0].split(",")[1]) : "";
  return {{fills: Array.from(svg.matchAll(/fill="([^"]+)"/g), m => m[1]),
          texts: Array.from(gd.querySelectorAll(".annotation text")).map(t => t.textContent)}}; }}"""


def check_graphs(page, at_least: int) -> list[dict]:
    graphs = page.evaluate(GRAPHS_JS)
    assert len(graphs) >= at_least, graphs
    for graph in graphs:
        assert graph["drawn"] and graph["modules"] and set(graph["types"]) <= plotlyjs.traces(), graph
    return graphs


def rgb(css: str) -> list[int]:
    return [int(v) for v in re.findall(r"\d+", css)[:3]]


def test_every_view_draws_with_the_small_bundle(live_server, page):
    logged, scripts = [], []
    page.on("console", lambda m: logged.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    url = live_server.url

    # The heatmap in cluster order (margins, dendrograms, bands), a selection and both panels.
    page.goto(f"{url}/?{TASKS}&order=cluster&k=3&row=TriviaQA&col=Movies")
    wait_for_heatmap(page)
    wait_for_panels(page, "TriviaQA", "Movies")
    running = page.evaluate("""() => { const schema = Plotly.PlotSchema.get();
      return {version: Plotly.version, traces: Object.keys(schema.traces).sort(),
              layout: Object.keys(schema.layout.layoutAttributes)}; }""")
    assert running["version"] == plotlyjs.__version__ and set(running["traces"]) == plotlyjs.traces()
    assert not {"polar", "geo", "ternary", "scene", "mapbox", "map", "smith"} & set(running["layout"])
    types = check_graphs(page, 1)[0]["types"]
    assert types.count("heatmap") >= 3 and "scatter" in types  # cells, overlays, bands, dendrograms

    # The value-suppressing palette: its wedge drawn on screen, and in the PNG download.
    page.goto(f"{url}/?{SEEDS}&order=cluster&k=2")
    wait_for_heatmap(page)
    page.wait_for_function(f"() => document.querySelectorAll('{HEATMAP_PLOT} .annotation text').length >= 5")
    wedge = page.evaluate(WEDGE_JS)
    assert len(wedge["fills"]) == 15 and {"less certain", "more certain"} <= set(wedge["texts"])
    check_graphs(page, 1)
    # the most certain ring's top bin (radius 3.5, the 8th of 8 bins) and the apex (the neutral colour)
    for (radius, angle), fill in (((3.5, 35 - 70 / 16), wedge["fills"][7]), ((0.5, 0.0), wedge["fills"][14])):
        exported = page.evaluate(EXPORTED_WEDGE_JS, [radius, angle])
        assert all(abs(a - b) <= 3 for a, b in zip(exported, rgb(fill))), (radius, exported, fill)
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_SVG}")
    svg = open(download.value.path(), encoding="utf-8").read()
    assert "data:image/svg+xml;base64," in svg and "less certain" in svg

    # The dendrogram tab (with the heatmap beneath it in cluster order).
    page.goto(f"{url}/?{TASKS}&order=cluster&k=3&track=task_type&tab=dendrogram")
    page.wait_for_selector(f"#{ids.DENDROGRAM} .js-plotly-plot .scatterlayer")
    assert ids.DENDROGRAM in {g["id"] for g in check_graphs(page, 1)}

    # The small multiples: one graph per bundled matrix.
    page.goto(f"{url}/?tab=multiples")
    page.locator(f"#{ids.MULTIPLES} .js-plotly-plot").nth(3).wait_for()
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll("#{ids.MULTIPLES} .js-plotly-plot"))
                                     .every(gd => gd._fullLayout)""")
    check_graphs(page, 4)

    assert not logged, logged
    plotly_scripts = [s for s in scripts if "plotly" in s.lower() and "/assets/" not in s]
    assert plotly_scripts and all("/web.plotlyjs/plotly-tmx." in s for s in plotly_scripts), plotly_scripts
