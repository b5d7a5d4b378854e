"""Browser-side targets of "fast at every size", in real headless Chromium, side by side in one run.

- first visit: bytes transferred (compressed, as on the wire) for a fresh browser opening the page;
- click -> both breakdown panels drawn, next to a trivial one-output callback on the same page
  (the floor), at 10x10 (the bundled matrix) and 1000x1000 (seeded synthetic);
- warm loads at 1000x1000, next to a bare Dash page holding one plain go.Heatmap of the same
  matrix: the full clustered view (cluster order, k=4, a selected cell, both panels), the same
  with thresholds from the link, and the matrix's order with thresholds from the link;
- 2000x2000: from navigation to heatmap drawn, a hover tooltip and a click's panels;
- threshold change -> highlight: callback requests sent, and script time in the page;
- keyboard step: an arrow key on the focused heatmap -> the next frame with the focus cell moved.

Medians of repeated runs. `main()` prints a table and returns its rows (dicts with metric, size,
value, unit, baseline, ratio, target, met); the rows of a full run (no --only) are also written to
benchmarks/results/browser.json.

    python benchmarks/bench_browser.py [--clicks 15] [--loads 3] [--quick] [--only load,threshold]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import plotly.graph_objects as go  # noqa: E402
from dash import Dash, Input, Output, dcc, html  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from components import ids  # noqa: E402
from transfer.cluster_figures import FIRST_MARGIN_TRACE  # noqa: E402
from transfer.figures import HeatmapImage  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from web import services  # noqa: E402
from web.config import Config  # noqa: E402
from web.factory import create_app  # noqa: E402

from browser import HEATMAP_PLOT, PANELS_SHOWN_JS, pixel_near_cell, wait_for_heatmap, wait_for_panels  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "browser.json"
FLOOR_BUTTON, FLOOR_OUT = "bench-floor-button", "bench-floor-out"
VIEWPORT = {"width": 1400, "height": 900}
PANEL_BOXES = (ids.BREAKDOWN_ROW_BARS, ids.BREAKDOWN_ROW_STATS, ids.BREAKDOWN_COL_BARS, ids.BREAKDOWN_COL_STATS)

# Page-side probes: the moment a condition first holds, on animation frames (performance.now()
# counts from the navigation start). A click's panels are done when both show the wanted
# selection, bars and numbers (checked on every change of their DOM).
INSTALL_CLICK_PROBE = f"""([boxes, outId]) => {{
  window.__bench = {{t0: 0, want: null, done: 0, floor: 0}};
  document.addEventListener("mousedown", () => {{ window.__bench.t0 = performance.now(); }}, true);
  const shown = {PANELS_SHOWN_JS};
  const check = () => {{ const b = window.__bench;
    if (b.want && !b.done && JSON.stringify(shown()) === b.want) b.done = performance.now(); }};
  for (const id of boxes) new MutationObserver(check)
    .observe(document.getElementById(id), {{childList: true, subtree: true, attributes: true}});
  new MutationObserver(() => {{ window.__bench.floor = performance.now(); }})
    .observe(document.getElementById(outId), {{childList: true, characterData: true, subtree: true}});
}}"""
HEATMAP_DRAWN_JS = """([selector, n]) => { const gd = document.querySelector(selector);
  return !!(gd && gd._fullData && gd._fullData[0] && gd._fullData[0].z && gd._fullData[0].z.length === n
            && gd.querySelector("g.hm image")); }"""


def synthetic(n: int, seed: int = 0) -> TransferMatrix:
    """A seeded n x n matrix shaped like real transfer: mostly mild negative, strong diagonal."""
    rng = np.random.default_rng(seed)
    values = rng.normal(-0.1, 0.1, (n, n))
    np.fill_diagonal(values, rng.uniform(0.1, 0.4, n))
    labels = [f"task{i:04d}" for i in range(n)]
    return TransferMatrix(rows=labels, cols=labels, values=values, name=f"synthetic {n}x{n}", metric="AUC difference")


def bench_app(database_url: str) -> Dash:
    """The app plus a fixed corner button whose one server callback writes a number (the floor)."""
    app = create_app(Config(database_url=database_url))
    page_layout = app.layout
    corner = {"position": "fixed", "left": "4px", "bottom": "4px", "zIndex": 9999}
    app.layout = lambda: html.Div([page_layout(), floor_corner(corner)])

    @app.callback(Output(FLOOR_OUT, "children"), Input(FLOOR_BUTTON, "n_clicks"), prevent_initial_call=True)
    def floor(n_clicks):
        return str(n_clicks)

    return app


def bare_app(matrix: TransferMatrix) -> Dash:
    """The baseline: a bare Dash page with one plain go.Heatmap (float32 values, labels)."""
    app = Dash(__name__)
    figure = go.Figure(go.Heatmap(z=matrix.values.astype(np.float32), x=list(matrix.cols), y=list(matrix.rows)))
    app.layout = html.Div(dcc.Graph(id=ids.HEATMAP, figure=figure, style={"height": "860px"}))
    return app


def result(metric: str, size: str, value: float, unit: str, *, baseline: float | None = None,
           limit: float | None = None, ratio_limit: float | None = None) -> dict:
    """One row: `limit` bounds the value, `ratio_limit` bounds value / baseline."""
    ratio = value / baseline if baseline else None
    if ratio_limit is not None:
        target, met = f"<= {ratio_limit:g}x baseline", ratio is not None and ratio <= ratio_limit
    elif limit is not None:
        target, met = f"<= {limit:g} {unit}", value <= limit
    else:
        target, met = "", None
    return {"metric": metric, "size": size, "value": round(value, 1), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 1),
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "met": met}


def click_at(page, point) -> None:
    page.wait_for_timeout(400)  # never a plotly double-click
    page.mouse.click(point["x"], point["y"])


def floor_corner(style: dict) -> html.Div:
    return html.Div([html.Button("floor", id=FLOOR_BUTTON), html.Span(id=FLOOR_OUT)], style=style)


def time_until(page, condition: str, arg, timeout: float = 120_000) -> float:
    """performance.now() (ms since navigation start) of the first animation frame where `condition` holds."""
    page.wait_for_function(
        f"(arg) => {{ if (window.__doneAt) return true; if (({condition})(arg)) window.__doneAt = performance.now(); "
        f"return !!window.__doneAt; }}",
        arg=arg, polling="raf", timeout=timeout,
    )
    return page.evaluate("() => window.__doneAt")


# --- first visit -------------------------------------------------------------------------------


def first_visit(browser, url: str) -> list[dict]:
    """Bytes on the wire for a fresh browser: every response of the page until it is drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    wire, bodies, scripts = {}, {}, []
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on(
        "Network.dataReceived",
        lambda e: bodies.__setitem__(e["requestId"], bodies.get(e["requestId"], 0) + e["dataLength"]),
    )
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: scripts.append(e["request"]["url"]) if e.get("type") == "Script" else None,
    )
    page.goto(url)
    wait_for_heatmap(page, timeout=60_000)
    page.wait_for_timeout(1500)  # the load's callbacks and lazily loaded bundles
    context.close()
    unused = [s for s in scripts if "dash_table" in s]
    rows = [
        result("first visit: transferred", "10x10", sum(wire.values()) / 1e6, "MB", limit=1.0),
        result("first visit: uncompressed", "10x10", sum(bodies.values()) / 1e6, "MB"),
        result("first visit: scripts", "10x10", len(scripts), "files"),
        result("first visit: unused dash_table bundles", "10x10", len(unused), "files", limit=0),
    ]
    return rows


# --- click to panels ------------------------------------------------------------------------------


def measure_floor(page, clicks: int) -> list[float]:
    box = page.locator(f"#{FLOOR_BUTTON}").bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    start = int(page.inner_text(f"#{FLOOR_OUT}") or 0)
    times = []
    for i in range(clicks):
        page.evaluate("() => { window.__bench.floor = 0; }")
        click_at(page, point)
        page.wait_for_function(
            f"""() => document.getElementById("{FLOOR_OUT}").textContent === "{start + i + 1}" && """
            """window.__bench.floor > window.__bench.t0"""
        )
        times.append(page.evaluate("() => window.__bench.floor - window.__bench.t0"))
    return times


def measure_clicks(page, labels: list[str], clicks: int) -> list[float]:
    """Mousedown on a cell -> both panels (bars and numbers) show its row and column (a new row
    and column each time)."""
    times = []
    n = len(labels)
    for i in range(clicks):
        # Away from the plot's corners, where plotly's 20-pixel zoom handles take the clicks.
        point = pixel_near_cell(page, labels[(n // 2 + 37 * i) % n], labels[(n // 3 + 53 * i) % n])
        want = json.dumps([[point["row"], point["row"]], [point["col"], point["col"]]], separators=(",", ":"))
        page.evaluate("(want) => { window.__bench.want = want; window.__bench.done = 0; }", want)
        click_at(page, point)
        wait_for_panels(page, point["row"], point["col"], timeout=60_000)
        page.wait_for_function("() => window.__bench.done > window.__bench.t0")
        times.append(page.evaluate("() => window.__bench.done - window.__bench.t0"))
    return times


def open_view(browser, url: str, dataset_id: str):
    """A new page on the dataset's default view, its heatmap drawn."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{url}/?dataset={dataset_id}")
    wait_for_heatmap(page, timeout=120_000)
    return page


def click_rows(browser, url: str, cases, clicks: int) -> list[dict]:
    rows = []
    for size, dataset_id, matrix in cases:
        page = open_view(browser, url, dataset_id)
        labels, n = list(matrix.rows), matrix.shape[0]
        point = pixel_near_cell(page, labels[n // 4], labels[n // 4])
        click_at(page, point)  # mounts the panels' plots
        wait_for_panels(page, point["row"], point["col"], timeout=60_000)
        page.evaluate(INSTALL_CLICK_PROBE, [list(PANEL_BOXES), FLOOR_OUT])
        floor = statistics.median(measure_floor(page, clicks))
        click = statistics.median(measure_clicks(page, labels, clicks))
        rows.append(result("click -> both panels", size, click, "ms", baseline=floor, ratio_limit=1.5))
        page.close()
    return rows


# --- loads ---------------------------------------------------------------------------------------


def warm_loads(browser, pages: list[tuple[str, str, object]], loads: int) -> list[float]:
    """Median time from navigation start to its condition for each (url, condition, arg), each in
    its own context after a first (cold) load, the pages taking turns: a slow spell of a shared
    machine then falls on all of them alike."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in pages]
    tabs = [context.new_page() for context in contexts]
    times: list[list[float]] = [[] for _ in pages]
    for i in range(loads + 1):
        for tab, (url, condition, arg), spent in zip(tabs, pages, times):
            tab.goto(url, wait_until="commit")
            elapsed = time_until(tab, condition, arg)
            if i:
                spent.append(elapsed)
            tab.goto("about:blank")  # nothing of it runs during the other page's load
    for context in contexts:
        context.close()
    return [statistics.median(spent) for spent in times]


FULL_VIEW_JS = f"""([selector, n, row, col]) => {{
  const drawn = ({HEATMAP_DRAWN_JS})([selector, n]);
  const gd = document.querySelector(selector);
  const margins = drawn && gd._fullData.slice({FIRST_MARGIN_TRACE}).some(t => t.x && t.x.length);
  return !!(margins && JSON.stringify(({PANELS_SHOWN_JS})()) === JSON.stringify([[row, row], [col, col]])); }}"""
# The heatmap drawn with the link's highlight (its fade; outlines as many as are drawn) and its counts.
HIGHLIGHT_DRAWN_JS = f"""(gd) => {{ const images = gd && gd._fullLayout && gd._fullLayout.images;
  return !!(images && images[{int(HeatmapImage.FADE)}] && images[{int(HeatmapImage.FADE)}].source
            && document.getElementById("{ids.THRESHOLD_COUNTS}").textContent.includes("show positive")); }}"""
THRESHOLD_VIEW_JS = f"""([selector, n]) => ({HEATMAP_DRAWN_JS})([selector, n])
  && ({HIGHLIGHT_DRAWN_JS})(document.querySelector(selector))"""
FULL_THRESHOLD_VIEW_JS = f"""([selector, n, row, col]) => ({FULL_VIEW_JS})([selector, n, row, col])
  && ({HIGHLIGHT_DRAWN_JS})(document.querySelector(selector))"""
THRESHOLDS = "pos=0.1&neg=-0.15"  # about 4% and 27% of the synthetic matrix's cells


def load_rows(browser, url: str, bare_url: str, dataset_id: str, matrix: TransferMatrix, loads: int) -> list[dict]:
    """Warm loads of three views of the 1000 x 1000 matrix against the bare page, taking turns:
    the clustered view with a selected cell (both panels), the same with thresholds from the
    link, and the matrix's order with thresholds from the link (each done when its highlight is drawn)."""
    n = matrix.shape[0]
    row, col = matrix.rows[n // 3], matrix.cols[n // 2]
    full_link = f"{url}/?dataset={dataset_id}&order=cluster&k=4&row={row}&col={col}"
    bare, full, full_thresholds, thresholds = warm_loads(browser, [
        (bare_url, HEATMAP_DRAWN_JS, [HEATMAP_PLOT, n]),
        (full_link, FULL_VIEW_JS, [HEATMAP_PLOT, n, row, col]),
        (f"{full_link}&{THRESHOLDS}", FULL_THRESHOLD_VIEW_JS, [HEATMAP_PLOT, n, row, col]),
        (f"{url}/?dataset={dataset_id}&{THRESHOLDS}", THRESHOLD_VIEW_JS, [HEATMAP_PLOT, n]),
    ], loads)
    size = f"{n}x{n}"
    return [result("warm load: clustered view, both panels", size, full, "ms", baseline=bare, ratio_limit=1.15),
            result("warm load: clustered, panels, thresholds", size, full_thresholds, "ms", baseline=bare,
                   ratio_limit=1.15),
            result("warm load: thresholds in the link", size, thresholds, "ms", baseline=bare, ratio_limit=1.15)]


def interactive_rows(browser, url: str, dataset_id: str, matrix: TransferMatrix, loads: int) -> list[dict]:
    """Navigation -> heatmap drawn -> a hover tooltip -> a click's panels, on a warm browser."""
    n = matrix.shape[0]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    totals, drawn = [], []
    for i in range(loads + 1):
        row, col = matrix.rows[(i * 37 + 11) % n], matrix.cols[(i * 53 + 7) % n]
        start = time.perf_counter()
        page.goto(f"{url}/?dataset={dataset_id}", wait_until="commit")
        drawn_at = time_until(page, HEATMAP_DRAWN_JS, [HEATMAP_PLOT, n])
        point = pixel_near_cell(page, row, col)
        page.mouse.move(point["x"] - 2, point["y"] - 2)
        page.mouse.move(point["x"], point["y"])
        page.wait_for_function(
            f"""(label) => Array.from(document.querySelectorAll("{HEATMAP_PLOT} .hoverlayer .hovertext text"))"""
            """.some(t => t.textContent.includes(label))""",
            arg=point["row"],
        )
        page.mouse.click(point["x"], point["y"])
        wait_for_panels(page, point["row"], point["col"], timeout=60_000)
        if i:
            drawn.append(drawn_at)
            totals.append((time.perf_counter() - start) * 1000)
    context.close()
    size = f"{n}x{n}"
    return [result("load -> heatmap drawn", size, statistics.median(drawn), "ms"),
            result("load -> hover -> click -> panels", size, statistics.median(totals), "ms", limit=5000)]


# --- thresholds ---------------------------------------------------------------------------------


def threshold_rows(browser, url: str, cases, changes: int) -> list[dict]:
    """Typing new positive thresholds: callback requests sent, and Chromium's ScriptDuration per
    change (all JavaScript: ours, Dash, React and plotly redrawing the highlight layers)."""
    from bench_thresholds import CHANGE_JS

    rows = []
    for size, dataset_id, _ in cases:
        page = browser.new_page(viewport=VIEWPORT)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(f"{url}/?dataset={dataset_id}&pos=0.1&neg=-0.15")
        wait_for_heatmap(page, timeout=120_000)
        page.wait_for_function(
            f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('show positive')",
            timeout=120_000,
        )
        page.wait_for_timeout(1000)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url) if "_dash-update-component" in r.url else None)
        script = []
        for k in range(changes):
            before = _script_seconds(cdp)
            page.evaluate(CHANGE_JS, [ids.THRESHOLD_POS_INPUT, round(0.11 + 0.01 * (k % 10), 2)])
            page.wait_for_timeout(300)  # the frame and the delayed link write settle
            script.append((_script_seconds(cdp) - before) * 1000)
        page.close()
        rows.append(result("threshold change: callback requests", size, len(requests), "req", limit=0))
        rows.append(
            result(
                "threshold change: script time", size, statistics.median(script), "ms",
                limit=16 if size == "10x10" else 200,
            )
        )
    return rows


def _script_seconds(cdp) -> float:
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ScriptDuration")


# --- keyboard ------------------------------------------------------------------------------------

# keydown (capture, before assets/keyboard.js) -> two animation frames later: the frame drawn
# with the focus cell moved has been painted.
INSTALL_KEY_PROBE = """() => {
  window.__keys = {t0: 0, done: 0};
  document.addEventListener("keydown", () => { const k = window.__keys; k.t0 = performance.now(); k.done = 0;
    requestAnimationFrame(() => requestAnimationFrame(() => { k.done = performance.now(); })); }, true);
}"""


def keyboard_rows(browser, url: str, cases, presses: int) -> list[dict]:
    """An arrow key on the focused heatmap -> the focus cell drawn at its next cell."""
    rows = []
    for size, dataset_id, matrix in cases:
        page = open_view(browser, url, dataset_id)
        page.wait_for_timeout(1000)
        page.evaluate(INSTALL_KEY_PROBE)
        page.focus(f"#{ids.HEATMAP_KEYS}")
        page.wait_for_timeout(1000)
        times = []
        for k in range(presses):
            page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowDown")
            page.wait_for_function("() => window.__keys.done > window.__keys.t0", timeout=60_000)
            times.append(page.evaluate("() => window.__keys.done - window.__keys.t0"))
            page.wait_for_timeout(100)
        last = (presses // 2, (presses + 1) // 2)
        page.wait_for_function(  # the live region reads the cell the keys reached
            "([sel, text]) => document.querySelector(sel).textContent.startsWith(text)",
            arg=[f"#{ids.HEATMAP_LIVE}", f"Train {matrix.rows[last[0]]}, test {matrix.cols[last[1]]}:"])
        page.close()
        rows.append(result("keyboard step -> focus cell drawn", size, statistics.median(times), "ms", limit=50))
    return rows


# --- report --------------------------------------------------------------------------------------


def print_table(rows: list[dict]) -> None:
    print(f"\n{'metric':<42} {'size':>10} {'value':>10} {'unit':<6} {'baseline':>9} {'ratio':>7}  {'target':<18} met")
    for r in rows:
        baseline = "" if r["baseline"] is None else f"{r['baseline']:.1f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(
            f"{r['metric']:<42} {r['size']:>10} {r['value']:>10.1f} {r['unit']:<6} {baseline:>9} {ratio:>7}  "
            f"{r['target']:<18} {met}"
        )


PARTS = ("first", "click", "threshold", "keyboard", "load", "interactive")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=15, help="clicks per median (default 15)")
    parser.add_argument("--loads", type=int, default=3, help="warm loads per median (default 3)")
    parser.add_argument("--quick", action="store_true", help="5 clicks and 1 warm load per median (a smoke run)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to run (default all: {','.join(PARTS)})")
    # Imported by benchmarks/run_all.py: defaults, never the runner's own command line.
    args = parser.parse_args(argv if argv is not None or __name__ == "__main__" else [])
    if args.quick:
        args.clicks, args.loads = 5, 1
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if only - set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(only - set(PARTS)))}; known: {', '.join(PARTS)}")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(f"sqlite:///{tmp}/bench.sqlite")
        datasets = app.server.config[services.DATASETS_KEY]
        big = synthetic(1000)
        huge = synthetic(2000, seed=1) if "interactive" in only else big
        big_id, huge_id = datasets.put(big), datasets.put(huge)
        server, bare = LiveServer(app), LiveServer(bare_app(big))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cases = [("10x10", datasets.default_id, datasets.get(datasets.default_id)), ("1000x1000", big_id, big)]
                parts = {
                    "first": lambda: first_visit(browser, server.url),
                    "click": lambda: click_rows(browser, server.url, cases, args.clicks),
                    "threshold": lambda: threshold_rows(browser, server.url, cases, args.clicks),
                    "keyboard": lambda: keyboard_rows(browser, server.url, cases, args.clicks),
                    "load": lambda: load_rows(browser, server.url, bare.url, big_id, big, args.loads),
                    "interactive": lambda: interactive_rows(browser, server.url, huge_id, huge, max(1, args.loads - 1)),
                }
                for part in PARTS:
                    if part in only:
                        rows += parts[part]()
                browser.close()
        finally:
            server.stop()
            bare.stop()
    print_table(rows)
    if only != set(PARTS):
        return rows  # a partial run leaves the full run's results file as it is
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"machine": "2 cores, headless Chromium (Debian), --disable-gpu", "rows": rows}, indent=2) + "\n"
    )
    return rows


if __name__ == "__main__":
    main()
