"""Helpers for browser tests: find heatmap cells on screen and act on them as a person would."""

from __future__ import annotations

import json
import os
from pathlib import Path

from components import ids
from transfer.cluster_figures import FIRST_MARGIN_TRACE
from transfer.figures import HeatmapImage, HeatmapShape

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ARTIFACTS = ROOT / "tests" / "artifacts"

HEATMAP_PLOT = f"#{ids.HEATMAP} .js-plotly-plot"

_CELL_JS = """([selector, row, col]) => {
  const gd = document.querySelector(selector);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const esc = t => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");  // as plot_text draws labels
  const xi = xa._categories.indexOf(esc(col)), yi = ya._categories.indexOf(esc(row));
  if (xi < 0 || yi < 0) return null;
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa.l2p(xi), y: box.top + ya._offset + ya.l2p(yi)};
}"""


_PIXEL_JS = """([selector, row, col]) => {
  const gd = document.querySelector(selector);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  const esc = t => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");  // as plot_text draws labels
  const xi = xa._categories.indexOf(esc(col)), yi = ya._categories.indexOf(esc(row));
  if (xi < 0 || yi < 0) return null;
  // The whole pixel nearest the centre that is clearly inside one cell (a cell spans its index
  // +- 0.5; a pixel on an edge would leave the answer to rounding), and that cell.
  const pick = (axis, offset, index) => {
    const centre = Math.round(offset + axis.l2p(index));
    for (const px of [centre, centre - 1, centre + 1, centre - 2, centre + 2]) {
      const at = axis.p2l(px - offset);
      if (0.5 - Math.abs(at - Math.round(at)) > 0.05) return [px, axis._categories[Math.round(at)]];
    }
    return [centre, axis._categories[index]];
  };
  const [x, c] = pick(xa, box.left + xa._offset, xi), [y, r] = pick(ya, box.top + ya._offset, yi);
  const plain = t => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return {x: x, y: y, row: plain(r), col: plain(c)};
}"""


def pixel_near_cell(page, row: str, col: str) -> dict:
    """The whole page pixel nearest a cell's centre and the cell under it ({x, y, row, col}).

    A mouse event lands on a whole pixel: where cells are narrower than a pixel (1000 cells in
    900 pixels) that pixel's cell can be a neighbour of the one asked for.
    """
    page.locator(HEATMAP_PLOT).scroll_into_view_if_needed()
    point = page.evaluate(_PIXEL_JS, [HEATMAP_PLOT, row, col])
    assert point is not None, f"cell {row} x {col} is not on the heatmap"
    return point


def wait_for_heatmap(page, timeout: float = 20_000) -> None:
    """Wait until the heatmap has been drawn with data."""
    page.wait_for_function(
        f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
                   return gd && gd._fullData && gd._fullData.length && gd._fullData[0].z
                     && gd._fullData[0].z.length; }}""",
        timeout=timeout,
    )


def wait_for_order(page, cluster: bool = True) -> None:
    """Wait until the heatmap is drawn in cluster order (its dendrograms in the first margin
    slot, on the x3 axis), or, with `cluster=False`, in another order (annotation tracks and
    group gaps come after the fixed slots too)."""
    drawn = (f"plot.data.length > {FIRST_MARGIN_TRACE} && plot.data[{FIRST_MARGIN_TRACE}].xaxis === 'x3'")
    page.wait_for_function(
        f"""() => {{ const plot = document.querySelector("{HEATMAP_PLOT}");
                   return !!plot && !!plot.data && {'' if cluster else '!'}({drawn}); }}"""
    )


def heatmap_data(page) -> dict:
    """Labels and values of the drawn heatmap (what plotly has, after decoding typed arrays)."""
    return page.evaluate(
        f"""() => {{ const t = document.querySelector("{HEATMAP_PLOT}")._fullData[0];
                    return {{rows: Array.from(t.y), cols: Array.from(t.x), z: t.z.map(r => Array.from(r))}}; }}"""
    )


# An SVG path of straight pieces (M, L, H, V, absolute) as x and y lists, pieces null-separated.
PATH_POINTS_JS = """(d) => {
  const xs = [], ys = [];
  let x = null, y = null;
  for (const [, op, args] of (d || "").matchAll(/([MLHV])([^MLHV]*)/g)) {
    const n = (args.match(/-?[0-9.]+(?:e-?[0-9]+)?/g) || []).map(Number);
    if (op === "M") { if (xs.length) { xs.push(null); ys.push(null); } x = n[0]; y = n[1]; }
    else if (op === "L") { x = n[0]; y = n[1]; }
    else if (op === "H") x = n[0];
    else y = n[0];
    xs.push(x); ys.push(y);
  }
  return {x: xs, y: ys}; }"""

# The heatmap's threshold and cluster highlight as drawn: each cell veiled or not (read back from
# the fade's picture, the pixel at the cell's centre), the picture's pixels a cell, and the
# outlines' pieces in cell units.
_HIGHLIGHT_JS = f"""async () => {{
  const gd = document.querySelector("{HEATMAP_PLOT}"), layout = gd.layout, points = {PATH_POINTS_JS};
  const rows = gd._fullLayout.yaxis._categories.length, cols = gd._fullLayout.xaxis._categories.length;
  const shape = i => points((layout.shapes[i] || {{}}).path);
  const out = {{positive: shape({int(HeatmapShape.POSITIVE)}), negative: shape({int(HeatmapShape.NEGATIVE)}),
               cluster: shape({int(HeatmapShape.CLUSTER)}), fade: [], scale: null}};
  const source = layout.images[{int(HeatmapImage.FADE)}].source;
  if (!source) {{ out.fade = Array.from({{length: rows}}, () => new Array(cols).fill(0)); return out; }}
  const image = new Image();
  image.src = source;
  await image.decode();
  out.scale = [image.naturalWidth / cols, image.naturalHeight / rows];
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < rows; i++) {{
    const row = [], py = Math.floor((i + 0.5) * out.scale[1]);
    for (let j = 0; j < cols; j++) {{
      const px = Math.floor((j + 0.5) * out.scale[0]), k = (py * canvas.width + px) * 4;
      row.push(pixels[k] === 255 && pixels[k + 3] === 199 ? 1 : pixels[k + 3] === 0 ? 0 : -1);
    }}
    out.fade.push(row);
  }}
  return out; }}"""


def drawn_highlight(page) -> dict:
    """What the heatmap draws of thresholds and the selected cluster: `fade` (rows x cols: 1 a
    veiled cell, 0 a clear one, -1 anything else), `scale` (the picture's pixels a cell, None
    without a fade) and the `positive`, `negative` and `cluster` outlines ({x, y} in cell units,
    pieces None-separated)."""
    return page.evaluate(_HIGHLIGHT_JS)


def cell_center(page, row: str, col: str) -> dict:
    """The cell's centre in viewport coordinates, after scrolling the heatmap into view (a
    control further down the page may have scrolled it away, as it would for a person)."""
    page.locator(HEATMAP_PLOT).scroll_into_view_if_needed()
    point = page.evaluate(_CELL_JS, [HEATMAP_PLOT, row, col])
    assert point is not None, f"cell {row} x {col} is not on the heatmap"
    return point


def hover_cell(page, row: str, col: str) -> str:
    """Move the mouse over a cell and return the tooltip text."""
    point = cell_center(page, row, col)
    page.mouse.move(point["x"] - 3, point["y"] - 3)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(f"{HEATMAP_PLOT} .hoverlayer .hovertext", timeout=15_000)
    return page.evaluate(
        f"""() => Array.from(document.querySelectorAll("{HEATMAP_PLOT} .hoverlayer .hovertext text"))
                  .map(t => t.textContent).join(" ")"""
    )


def click_cell(page, row: str, col: str) -> None:
    """Click a cell; waits first so two clicks never form a plotly double-click."""
    point = cell_center(page, row, col)
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])


def open_section(page, key: str) -> None:
    """Unfold a side section (components/page.py `section`, folded by default on a phone), as a
    person taps its header's toggle; nothing when it is open."""
    toggle = page.locator(f".tmx-section-{key} .tmx-section-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        page.wait_for_function("(s) => document.querySelector(s).getAttribute('aria-expanded') === 'true'",
                               arg=f".tmx-section-{key} .tmx-section-toggle")


def choose_dropdown(page, component_id: str, label: str) -> None:
    """Pick an option of a dcc.Dropdown by its visible label, as a person would."""
    page.click(f"#{component_id}")
    page.get_by_role("option", name=label, exact=True).click()


# --- breakdown panels (drawn by assets/breakdown.js as SVG) ------------------------------------

PANEL_BARS = {"row": ids.BREAKDOWN_ROW_BARS, "col": ids.BREAKDOWN_COL_BARS}
PANEL_STATS = {"row": ids.BREAKDOWN_ROW_STATS, "col": ids.BREAKDOWN_COL_STATS}

# Which selection each panel shows: its bars' label and its numbers' label (null until drawn).
PANELS_SHOWN_JS = f"""() => {json.dumps([[PANEL_BARS[axis], PANEL_STATS[axis]] for axis in ("row", "col")])}
  .map(([bars, stats]) => {{ const svg = document.querySelector(`#${{bars}} svg.tmx-bars`),
                                   dl = document.querySelector(`#${{stats}} dl`);
                             return [svg ? svg.dataset.label : null, dl ? dl.dataset.label : null]; }})"""


def wait_for_panels(page, row: str, col: str, timeout: float = 15_000) -> None:
    """Both panels show the selection: bars and numbers."""
    page.wait_for_function(
        f"([row, col]) => JSON.stringify(({PANELS_SHOWN_JS})()) === JSON.stringify([[row, row], [col, col]])",
        arg=[row, col], timeout=timeout,
    )


def panel_bars(page, axis: str) -> dict | None:
    """What a panel's bar chart draws, top to bottom: its label, the bars' labels and values (None
    for missing), the in-domain bars, their fill colours, and its vertical rules (neutral, pos,
    neg) by name. Bars with text are SVG nodes, read from the page; more bars than fit with text
    are painted on a canvas: those are read from what the panel painted from (`svg.tmxLine`),
    with `colors` None and `painted_rows` the share of bar rows with painted pixels."""
    return page.evaluate(
        """(id) => { const svg = document.querySelector(`#${id} svg.tmx-bars`);
                     if (!svg) return null;
                     const rules = {};
                     svg.querySelectorAll("line.tmx-rule").forEach(l => {
                       rules[l.dataset.name] = [Number(l.dataset.value), l.getAttribute("stroke-dasharray")];
                     });
                     const bars = Array.from(svg.querySelectorAll("g.tmx-bar"));
                     if (bars.length) return {label: svg.dataset.label, labels: bars.map(b => b.dataset.label),
                             values: bars.map(b => b.dataset.value === "" ? null : Number(b.dataset.value)),
                             in_domain: bars.filter(b => b.dataset.inDomain).map(b => b.dataset.label),
                             colors: bars.map(b => {
                               const r = b.querySelector("rect"); return r ? r.getAttribute("fill") : null;
                             }),
                             rules: rules, painted_rows: null};
                     const line = svg.tmxLine, canvas = svg.querySelector("foreignObject.tmx-bars-paint canvas");
                     const hit = svg.querySelector(".tmx-bars-hit"), ratio = canvas.width / canvas.clientWidth;
                     const top = Math.ceil(Number(hit.getAttribute("y")) * ratio),
                           rows = Math.floor(Number(hit.getAttribute("height")) * ratio);
                     const pixels = canvas.getContext("2d").getImageData(0, top, canvas.width, rows).data;
                     let painted = 0;
                     for (let r = 0; r < rows; r++) {
                       for (let c = 0; c < canvas.width; c++) {
                         if (pixels[(r * canvas.width + c) * 4 + 3]) { painted++; break; }
                       }
                     }
                     return {label: svg.dataset.label, labels: line.order.map(j => line.labels[j]),
                             values: line.order.map(j => Number.isNaN(line.values[j]) ? null : line.values[j]),
                             in_domain: line.inDomain >= 0 ? [line.labels[line.inDomain]] : [], colors: null,
                             rules: rules, painted_rows: painted / rows}; }""",
        PANEL_BARS[axis],
    )


def click_bar(page, axis: str, label: str) -> None:
    """Click the band of bar `label` in a panel (the whole band takes clicks, however thin the bar)."""
    page.locator(f"#{PANEL_BARS[axis]} svg").scroll_into_view_if_needed()
    point = page.evaluate(
        """([id, label]) => { const svg = document.querySelector(`#${id} svg.tmx-bars`), line = svg.tmxLine;
             const position = line.order.findIndex(j => line.labels[j] === label);
             const box = svg.querySelector(".tmx-bars-hit").getBoundingClientRect();
             const band = box.height / line.order.length;
             return {x: box.left + box.width * 0.7, y: box.top + (position + 0.5) * band}; }""",
        [PANEL_BARS[axis], label],
    )
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])


def query_of(page) -> str:
    return page.evaluate("() => window.location.search")


def save_screenshot(page, name: str) -> Path:
    """A README screenshot, taken by the test that checks what it shows.

    `TMX_UPDATE_SCREENSHOTS=1 scripts/test -k browser` refreshes docs/; ordinary runs write to
    tests/artifacts/ so that running the suite leaves the work tree clean.
    """
    folder = DOCS if os.environ.get("TMX_UPDATE_SCREENSHOTS") == "1" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path))
    return path


def drop(page, name: str, data: bytes, mime: str = "text/csv") -> None:
    """A file dropped on the upload card."""
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]", files=[{"name": name, "mimeType": mime, "buffer": data}])


def wait_for_rows(page, rows: list[str], timeout: float = 20_000) -> None:
    """Until the heatmap shows these train datasets, in this order."""
    page.wait_for_function(
        f"""(rows) => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
                     return gd && gd._fullData && gd._fullData[0]
                       && JSON.stringify(Array.from(gd._fullData[0].y)) === JSON.stringify(rows); }}""",
        arg=rows, timeout=timeout,
    )
