"""Threshold slider -> updated highlight, in headless Chromium, on the default and a 500x500 matrix.

For 20 changes of the positive threshold's number box (median reported) it measures:
  - input -> drawn: from the input event to plotly's `afterplot` with the new highlight;
  - our JS: the time inside `threshold_highlight` (classify, outlines, fade, counts);
  - script: Chromium's ScriptDuration (all JavaScript: React, Dash, plotly, ours) per change;
  - main thread: Chromium's TaskDuration per change (script, style, layout and plotly's
    re-rendering of the heatmap layers, in software here: no GPU);
  - requests the page sent during the changes (callback requests, and any others);
and, side by side, plotly alone redrawing after a relayout of the outlines and the fade (the floor
for a highlight drawn as layout shapes and a layout image) and a server round trip for the same highlight
(`GET /api/view?...`), which a server-side highlight would add.

Run: /work/main/.venv/bin/python benchmarks/bench_thresholds.py [SIZE [CHANGES]]   (500, 20)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from components import ids  # noqa: E402
from transfer.figures import HeatmapImage  # noqa: E402
from transfer.matrix import TransferMatrix  # noqa: E402
from web.config import Config  # noqa: E402
from web.factory import create_app  # noqa: E402

from browser import wait_for_heatmap  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402

# Positional numbers only when run as a script (bench_browser.py imports CHANGE_JS from here).
_NUMBERS = [int(a) for a in sys.argv[1:3] if a.isdigit()] if __name__ == "__main__" else []
SIZE = _NUMBERS[0] if len(_NUMBERS) > 0 else 500
CHANGES = _NUMBERS[1] if len(_NUMBERS) > 1 else 20

# Wraps the clientside callback once to time our own code, then types the value into the
# threshold's box and presses Enter, as a person does, and resolves when plotly has drawn the new
# highlight (a relayout of the layout's pictures and lines, or a full drawing: whichever comes).
CHANGE_JS = """async ([boxId, value]) => {
  const gd = document.querySelector('#heatmap .js-plotly-plot');
  const tmx = window.dash_clientside.tmx;
  if (!tmx._timed) {
    const inner = tmx.threshold_highlight;
    window.__ours = [];
    tmx.threshold_highlight = function () {
      const t = performance.now(); const r = inner.apply(this, arguments);
      window.__ours.push(performance.now() - t); return r;
    };
    tmx._timed = true;
  }
  const box = document.getElementById(boxId);
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  return await new Promise(resolve => {
    const start = performance.now();
    const events = ['plotly_afterplot', 'plotly_relayout'];
    const stop = () => events.forEach(name => gd.removeListener(name, done));
    const done = () => { stop(); resolve(performance.now() - start); };
    events.forEach(name => gd.on(name, done));
    setTimeout(() => { stop(); resolve(NaN); }, 10000);
    setter.call(box, String(value));
    box.dispatchEvent(new Event('input', {bubbles: true}));
    for (const type of ['keydown', 'keypress', 'keyup']) {
      box.dispatchEvent(new KeyboardEvent(type, {key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true}));
    }
  });
}"""


# The floor for the highlight, drawn as layout shapes and a layout image: plotly redrawing after a
# relayout of the shapes (a new list, as assets/thresholds.js gives them) and the fade, with their
# values as they are, with no Dash and none of our code.
RELAYOUT_JS = f"""() => new Promise(resolve => {{
  const gd = document.querySelector('#heatmap .js-plotly-plot'), layout = gd.layout;
  const update = {{shapes: JSON.parse(JSON.stringify(layout.shapes))}};
  update["images[{int(HeatmapImage.FADE)}].source"] = layout.images[{int(HeatmapImage.FADE)}].source;
  const start = performance.now();
  window.Plotly.relayout(gd, update).then(() => resolve(performance.now() - start));
}})"""


def synthetic(size: int) -> TransferMatrix:
    rng = np.random.default_rng(0)
    labels = [f"task-{i:03d}" for i in range(size)]
    values = np.clip(rng.normal(0, 0.1, (size, size)), -0.5, 0.5).round(3)
    values[rng.random((size, size)) < 0.02] = np.nan
    return TransferMatrix(rows=labels, cols=labels, values=values, name="synthetic", metric="AUC difference")


def measure(page, cdp, base_url: str, query: str) -> dict:
    page.goto(f"{base_url}/?{query}&pos=0.1&neg=-0.15")
    wait_for_heatmap(page, timeout=120_000)
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('show positive')", timeout=120_000,
    )
    page.wait_for_timeout(1000)
    requests: list[str] = []

    def record(request):
        requests.append(request.url)

    page.on("request", record)
    drawn, script, busy = [], [], []
    for k in range(CHANGES):
        value = round(0.11 + 0.01 * (k % 10), 2)  # on the slider's 0.01 grid
        before = _metrics(cdp)
        drawn.append(page.evaluate(CHANGE_JS, [ids.THRESHOLD_POS_INPUT, value]))
        page.wait_for_timeout(300)  # let the frame (and the delayed link write) settle
        after = _metrics(cdp)
        script.append((after["ScriptDuration"] - before["ScriptDuration"]) * 1000)
        busy.append((after["TaskDuration"] - before["TaskDuration"]) * 1000)
    ours = page.evaluate("window.__ours")
    relayout = [page.evaluate(RELAYOUT_JS) for _ in range(5)]
    page.remove_listener("request", record)
    return {
        "drawn": statistics.median(drawn),
        "ours": statistics.median(ours),
        "relayout": statistics.median(relayout),
        "script": statistics.median(script),
        "busy": statistics.median(busy),
        "callbacks": sum("_dash-update-component" in url for url in requests),
        "any": len(requests),
        "favicon": sum("_favicon.ico" in url for url in requests),
        "api": _api_round_trip(base_url, query),
        "query_ok": page.evaluate("location.search").endswith(f"pos={value:g}&neg=-0.15"),
    }


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _api_round_trip(base_url: str, query: str) -> float:
    times = []
    for k in range(CHANGES):
        start = time.perf_counter()
        with urllib.request.urlopen(
            f"{base_url}/api/view?{query}&pos={0.11 + 0.01 * (k % 10):.2f}&neg=-0.15"
        ) as response:
            response.read()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(database_url=f"sqlite:///{tmp}/bench.sqlite"))
        big = app.server.config["TMX_DATASETS"].put(synthetic(SIZE))
        server = LiveServer(app)
        cases = [
            ("default 10x10", "dataset=mistral-7b-instruct_auc-diff"), (f"synthetic {SIZE}x{SIZE}", f"dataset={big}"),
        ]
        rows = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            for name, query in cases:
                rows.append((name, measure(page, cdp, server.url, query)))
            browser.close()
        server.stop()

    print(f"Threshold slider -> highlight, median of {CHANGES} changes (headless Chromium, no GPU)")
    header = (f"{'matrix':<18} {'input->drawn ms':>15} {'our JS ms':>10} {'script ms':>10} {'main thread ms':>15} "
              f"{'plotly relayout ms':>18} {'API trip ms':>12} {'callback req':>13} {'other req':>10} {'link ok':>8}")
    print(header)
    print("-" * len(header))
    for name, r in rows:
        print(f"{name:<18} {r['drawn']:>15.1f} {r['ours']:>10.2f} {r['script']:>10.1f} {r['busy']:>15.1f} "
              f"{r['relayout']:>18.1f} {r['api']:>12.1f} {r['callbacks']:>13} {r['any'] - r['callbacks']:>10} "
              f"{str(r['query_ok']):>8}")
    if all(r["any"] - r["callbacks"] == r["favicon"] for _, r in rows):
        print("other req: requests that were not callbacks; all are Chromium re-fetching the favicon after the "
              "address changed")
    else:
        print("other req: includes requests other than the favicon!")


if __name__ == "__main__":
    main()
