"""Click-to-both-panels time in real Chromium, next to a trivial one-output callback (the floor).

For the default 10x10 matrix and a seeded 500x500 synthetic one (stored through the app's
Datasets and opened with ?dataset=<id>): the median of 20 heatmap clicks, each selecting a new
row and column, measured in the page from the mousedown to the moment plotly has finished drawing
both breakdown panels; and the median of 20 clicks on a button whose one server callback writes a
number into a div (mousedown to the DOM change). Also the bytes of every callback response a click
causes: the heatmap only ever receives a Patch of its shapes, never the matrix again.

    python benchmarks/bench_selection.py [--clicks 20]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from dash import Input, Output, html  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from app import Config, create_app  # noqa: E402
from browser import HEATMAP_PLOT, cell_center, wait_for_heatmap  # noqa: E402
from components import context, ids  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402

FLOOR_BUTTON, FLOOR_OUT = "bench-floor-button", "bench-floor-out"

INSTALL = """([rowId, colId, outId]) => {
  window.__bench = {t0: 0, plotted: {}, floor: 0};
  document.addEventListener("mousedown", () => { window.__bench.t0 = performance.now(); }, true);
  for (const id of [rowId, colId]) {
    const gd = document.querySelector(`#${id} .js-plotly-plot`);
    gd.on("plotly_afterplot", () => { window.__bench.plotted[id] = performance.now(); });
  }
  new MutationObserver(() => { window.__bench.floor = performance.now(); })
    .observe(document.getElementById(outId), {childList: true, characterData: true, subtree: true});
}"""


def synthetic(n: int, seed: int = 0) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    values = rng.normal(-0.1, 0.1, (n, n))
    np.fill_diagonal(values, rng.uniform(0.1, 0.4, n))
    labels = [f"task{i:03d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values, name=f"synthetic {n}x{n}", metric="AUC difference")


def bench_app(database_url: str):
    app = create_app(Config(database_url=database_url))
    page_layout = app.layout
    corner = {"position": "fixed", "left": "4px", "bottom": "4px", "zIndex": 9999}  # always on screen
    app.layout = lambda: html.Div([page_layout(), html.Div([html.Button("floor", id=FLOOR_BUTTON), html.Span(id=FLOOR_OUT)], style=corner)])

    @app.callback(Output(FLOOR_OUT, "children"), Input(FLOOR_BUTTON, "n_clicks"), prevent_initial_call=True)
    def floor(n_clicks):
        return str(n_clicks)

    return app


def click_at(page, point) -> None:
    page.wait_for_timeout(400)  # never a plotly double-click
    page.mouse.click(point["x"], point["y"])


def measure_clicks(page, labels: list[str], clicks: int) -> tuple[list[float], list[dict]]:
    times, sizes = [], []
    n = len(labels)
    for i in range(clicks):
        # A new row and a new column every click, spread over the matrix.
        row, col = labels[(7 * i + 3) % n], labels[(3 * i + 1) % n]
        responses = []
        handler = lambda r: responses.append(r) if "_dash-update-component" in r.url else None  # noqa: E731
        page.on("response", handler)
        click_at(page, cell_center(page, row, col))
        page.wait_for_function(
            f"""() => {{ const b = window.__bench; return b.plotted["{ids.BREAKDOWN_ROW_GRAPH}"] > b.t0 && b.plotted["{ids.BREAKDOWN_COL_GRAPH}"] > b.t0; }}""",
            timeout=30_000,
        )
        times.append(page.evaluate(f"""() => {{ const b = window.__bench; return Math.max(b.plotted["{ids.BREAKDOWN_ROW_GRAPH}"], b.plotted["{ids.BREAKDOWN_COL_GRAPH}"]) - b.t0; }}"""))
        page.wait_for_timeout(300)  # the URL write may still be in flight
        page.remove_listener("response", handler)
        sizes.append({_callback_name(r): len(r.body()) for r in responses if r.status == 200})
    return times, sizes


def _callback_name(response) -> str:
    outputs = response.request.post_data_json.get("output", "")
    if ids.HEATMAP + ".figure" in outputs:
        return "heatmap outline (Patch)"
    if ids.BREAKDOWN_ROW_GRAPH in outputs:
        return "both panels"
    if ids.URL in outputs:
        return "URL sync"
    return outputs[:40]


def measure_floor(page, clicks: int) -> list[float]:
    box = page.locator(f"#{FLOOR_BUTTON}").bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    times = []
    for i in range(clicks):
        page.evaluate("() => { window.__bench.floor = 0; }")
        click_at(page, point)
        page.wait_for_function(f"""() => document.getElementById("{FLOOR_OUT}").textContent === "{i + 1}" && window.__bench.floor > window.__bench.t0""")
        times.append(page.evaluate("() => window.__bench.floor - window.__bench.t0"))
    return times


def heatmap_response_bytes(page, url: str) -> int:
    """Bytes of the full heatmap figure response when the page loads (what a resend would cost)."""
    sizes = []
    handler = lambda r: sizes.append(len(r.body())) if "_dash-update-component" in r.url and r.status == 200 and ids.HEATMAP + ".figure" in r.request.post_data_json.get("output", "") else None  # noqa: E731
    page.on("response", handler)
    page.goto(url)
    wait_for_heatmap(page, timeout=60_000)
    page.wait_for_timeout(500)
    page.remove_listener("response", handler)
    return max(sizes, default=0)


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=20)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(f"sqlite:///{tmp}/bench.sqlite")
        datasets = app.server.config[context.DATASETS_KEY]
        big = synthetic(500)
        cases = [("default 10x10", datasets.default_id, datasets.get(datasets.default_id)), ("synthetic 500x500", datasets.put(big), big)]
        server = LiveServer(app)
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, dataset_id, matrix in cases:
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    full = heatmap_response_bytes(page, f"{server.url}/?dataset={dataset_id}")
                    labels = list(matrix.rows)
                    # Warm up: the first selection mounts the panels' plots (and plotly's bar code).
                    click_at(page, cell_center(page, labels[0], labels[0]))
                    page.wait_for_function(f"""() => {{ const gd = document.querySelector("#{ids.BREAKDOWN_COL_GRAPH} .js-plotly-plot"); return gd && gd._fullData && gd._fullData[0] && gd._fullData[0].name === "{labels[0]}"; }}""")
                    page.evaluate(INSTALL, [ids.BREAKDOWN_ROW_GRAPH, ids.BREAKDOWN_COL_GRAPH, FLOOR_OUT])
                    floor = measure_floor(page, args.clicks)
                    times, sizes = measure_clicks(page, labels, args.clicks)
                    rows.append((name, statistics.median(times), statistics.median(floor), full, sizes))
                    page.close()
                browser.close()
        finally:
            server.stop()

    print(f"\nClick on a heatmap cell -> both breakdown panels drawn (Chromium, median of {args.clicks} clicks)\n")
    print(f"{'matrix':<20} {'click->panels ms':>17} {'floor ms':>9} {'ratio':>6}")
    for name, median, floor, _, _ in rows:
        print(f"{name:<20} {median:>17.1f} {floor:>9.1f} {median / floor:>6.2f}x")
    print("\nCallback responses per click (median bytes, uncompressed JSON) vs the heatmap figure sent on load\n")
    for name, _, _, full, sizes in rows:
        names = sorted({key for size in sizes for key in size})
        parts = ", ".join(f"{key}: {statistics.median(s.get(key, 0) for s in sizes):,.0f}" for key in names)
        print(f"{name:<20} {parts}; full heatmap figure: {full:,} bytes")
    # Rows for run_all.py (issue 9, target 3: within 1.5x of the trivial-callback floor).
    return [{"metric": "3 click to both panels (Chromium)", "size": name, "value": round(median, 1), "unit": "ms",
             "baseline": round(floor, 1), "ratio": round(median / floor, 2), "target": "<= 1.5x the trivial callback",
             "met": median / floor <= 1.5, "note": f"median of {args.clicks} clicks"} for name, median, floor, _, _ in rows]


if __name__ == "__main__":
    main()
