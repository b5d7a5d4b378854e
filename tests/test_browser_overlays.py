"""Overlays on their cells in real Chromium, at every size and after every change.

The threshold outlines and the cluster outline (layout shapes) and the margin dendrograms
(traces) are drawn on hidden numeric axes laid over the heatmap's category axes
(transfer.figures.OVERLAY_AXES); the threshold fade is a layout image on the heatmap's own
axes. Here the pixels plotly actually drew (the SVG paths through their screen transforms) are
compared with where the heatmap's own axes put the cells: cell (i, j) spans index +- 0.5 on the
main axes.
"""

from __future__ import annotations

import pytest

from components import ids
from transfer.cluster_figures import COLOUR_TRACES, FIRST_MARGIN_TRACE
from transfer.figures import OVERLAY_AXES, HeatmapImage, HeatmapShape, heatmap_figure
from transfer.matrix import TransferMatrix

from browser import HEATMAP_PLOT, PATH_POINTS_JS, open_section, wait_for_heatmap, wait_for_order

DATASET = "mistral-7b-instruct_auc-diff"
LINK = f"/?dataset={DATASET}&row=NLI&col=Math&pos=0.1&neg=-0.15"
PHONE_LINK = "/?pos=0.2&neg=-0.225"
CLUSTER_LINK = f"/?dataset={DATASET}&order=cluster&k=3&cluster=1&pos=0.1&neg=-0.15"
VIEWPORTS = [(1920, 1080), (1280, 720), (768, 1024), (390, 844), (360, 740)]
TOLERANCE = 1.0  # px

# What is drawn, in viewport pixels: for each asked overlay (a trace, or a layout shape) its
# rendered line pieces (path vertices through their screen transform) and its data runs
# (null/NaN-separated) mapped through the *main* axes, which the cells use; the cells' image and the
# fade's picture (a layout image) with its pixels a cell; the cell boundaries.
_DRAWN_JS = f"""async ([selector, overlays, fade]) => {{
  const gd = document.querySelector(selector), L = gd._fullLayout, box = gd.getBoundingClientRect();
  const points = {PATH_POINTS_JS};
  const follow = (L.meta && L.meta.follow) || {{}};
  const main = name => L[follow[name] || name];
  const px = (axis, v) => (axis._id.charAt(0) === "x" ? box.left : box.top) + axis._offset + axis.l2p(v);
  const xa = L.xaxis, ya = L.yaxis, cols = xa._categories.length, rows = ya._categories.length;
  const edges = (axis, n) => Array.from({{length: n + 1}}, (_, k) => px(axis, k - 0.5));
  const gap = v => v === null || v === undefined || Number.isNaN(v);
  const onScreen = (element, xy) => {{
    const m = element.getScreenCTM(), pieces = [];
    let piece = [];
    for (let k = 0; k <= xy.x.length; k++) {{
      if (k === xy.x.length || gap(xy.x[k])) {{ if (piece.length) pieces.push(piece); piece = []; continue; }}
      const x = xy.x[k], y = xy.y[k];
      piece.push([m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    }}
    return pieces;
  }};
  const drawn = {{}};
  for (const [kind, index] of overlays) {{
    const shape = kind === "shape" ? gd.layout.shapes[index] : null, trace = shape ? null : gd._fullData[index];
    const data = shape ? points(shape.path) : trace;
    const axes = shape ? [shape.xref, shape.yref] : [trace.xaxis, trace.yaxis];
    const xName = "xaxis" + axes[0].slice(1), yName = "yaxis" + axes[1].slice(1);
    const xMain = follow[xName] ? main(xName) : null, yMain = follow[yName] ? main(yName) : null;
    const runs = [];
    let run = [];
    for (let k = 0; k <= data.x.length; k++) {{
      const x = data.x[k], y = data.y[k];
      if (k === data.x.length || gap(x) || gap(y)) {{ if (run.length) runs.push(run); run = []; continue; }}
      run.push([xMain ? px(xMain, x) : null, yMain ? px(yMain, y) : null]);
    }}
    let elements;
    if (shape) {{
      elements = Array.from(gd.querySelectorAll(`.layer-above .shapelayer path[data-index="${{index}}"]`));
    }} else {{
      const group = Array.from(gd.querySelectorAll(".scatterlayer g.trace"))
        .find(g => g.__data__ && g.__data__[0] && g.__data__[0].trace.index === index);
      elements = group ? Array.from(group.querySelectorAll("path.js-line")) : [];
    }}
    const pieces = [].concat(...elements.map(path => onScreen(path, points(path.getAttribute("d")))));
    drawn[kind + index] = {{runs: runs, pieces: pieces, follows: [!!xMain, !!yMain]}};
  }}
  let cells = null, faded = null, scale = null;
  gd.querySelectorAll(".heatmaplayer g.hm").forEach(g => {{
    const cd = g.__data__, image = g.querySelector("image");
    if (!cd || !cd[0] || !image || cd[0].trace.index !== 0) return;
    const r = image.getBoundingClientRect();
    cells = [r.left, r.right, r.top, r.bottom];
  }});
  const source = gd.layout.images[fade].source;
  const picture = source && Array.from(gd.querySelectorAll(".layer-above .imagelayer image"))
    .find(image => image.getAttribute("href") === source || image.getAttribute("xlink:href") === source);
  if (picture) {{
    const r = picture.getBoundingClientRect(), image = new Image();
    faded = [r.left, r.right, r.top, r.bottom];
    image.src = source;
    await image.decode();
    scale = [image.naturalWidth / cols, image.naturalHeight / rows];
  }}
  return {{overlays: drawn, cellsImage: cells, fade: faded, scale: scale,
           cells: [px(xa, -0.5), px(xa, cols - 0.5), px(ya, -0.5), px(ya, rows - 0.5)],
           xEdges: edges(xa, cols), yEdges: edges(ya, rows), size: [window.innerWidth, window.innerHeight]}};
}}"""


def settle(page) -> None:
    """Until plotly has drawn what the page asked for (resizes are debounced) and painted it."""
    page.wait_for_function(
        f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
                    return gd && gd._fullLayout && !gd.classList.contains("dash-graph--pending")
                           && Math.abs(gd._fullLayout.width - gd.clientWidth) < 1; }}"""
    )
    page.wait_for_timeout(600)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def wait_for_outlines(page, *overlays: tuple) -> None:
    """Until each asked layout shape has a path (the highlight or the cluster outline arrived)."""
    shapes = [int(index) for kind, index in overlays if kind == "shape"]
    page.wait_for_function(
        f"""() => {{ const shapes = document.querySelector("{HEATMAP_PLOT}").layout.shapes || [];
                    return {shapes}.every(i => shapes[i] && shapes[i].path); }}"""
    )


def near(value: float, targets, tolerance: float = TOLERANCE) -> bool:
    return any(abs(value - t) <= tolerance for t in targets)


def assert_overlays_on_cells(page, overlays, *, where: str, on_boundaries=(), fade: bool = True) -> None:
    """Every asked overlay (("trace", index) or ("shape", index)) is drawn where the main axes put
    its cells, within a pixel.

    Each drawn line piece starts and ends where its data run does (mapped through the main axes);
    for the overlays in `on_boundaries`, every drawn vertex lies on a cell boundary. The cells'
    image fills the cell range and the fade's picture coincides with it, a whole number of pixels a cell.
    """
    settle(page)
    drawn = page.evaluate(_DRAWN_JS, [HEATMAP_PLOT, [[kind, int(i)] for kind, i in overlays], int(HeatmapImage.FADE)])
    label = f"{where} at {drawn['size'][0]}x{drawn['size'][1]}"
    cells = drawn["cellsImage"]
    assert all(abs(a - b) <= TOLERANCE for a, b in zip(cells, drawn["cells"])), (
        f"{label}: cells {cells} vs axes {drawn['cells']}")
    if fade:
        faded = drawn["fade"]
        assert faded is not None, f"{label}: no fade drawn"
        assert all(abs(a - b) <= TOLERANCE for a, b in zip(faded, cells)), f"{label}: fade {faded} vs cells {cells}"
        scale = drawn["scale"]
        assert scale[0] == scale[1] and scale[0] == int(scale[0]) >= 1, f"{label}: fade of {scale} pixels a cell"
    for kind, index in overlays:
        overlay = drawn["overlays"][f"{kind}{int(index)}"]
        runs, pieces = overlay["runs"], overlay["pieces"]
        assert runs, f"{label}: {kind} {index} has no data"
        assert len(pieces) == len(runs), f"{label}: {kind} {index} drew {len(pieces)} pieces for {len(runs)} runs"
        for run, piece in zip(runs, pieces):
            for want, got in ((run[0], piece[0]), (run[-1], piece[-1])):
                for axis, follows in enumerate(overlay["follows"]):
                    if follows:
                        assert abs(want[axis] - got[axis]) <= TOLERANCE, (
                            f"{label}: {kind} {index} drawn at {got}, its cells are at {want} (off by "
                            f"{got[axis] - want[axis]:.1f} px)")
        if (kind, index) in on_boundaries:
            for piece in pieces:
                for x, y in piece:
                    assert near(x, drawn["xEdges"]) and near(y, drawn["yEdges"]), (
                        f"{label}: {kind} {index} vertex {(x, y)} is off the cell boundaries")


THRESHOLDS = (("shape", HeatmapShape.POSITIVE), ("shape", HeatmapShape.NEGATIVE))
CLUSTER = ("shape", HeatmapShape.CLUSTER)


def open_view(page, url: str, width: int, height: int, *overlays: tuple) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    wait_for_heatmap(page)
    wait_for_outlines(page, *overlays)


@pytest.mark.parametrize("width,height", VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_threshold_outlines_and_fade_sit_on_their_cells_on_arrival(live_server, page, width, height):
    for link in (LINK, PHONE_LINK):
        open_view(page, live_server.url + link, width, height, *THRESHOLDS)
        assert_overlays_on_cells(page, THRESHOLDS, where=link, on_boundaries=THRESHOLDS)


def test_outlines_follow_threshold_changes_resizes_and_rotation(live_server, page):
    # thresholds switched on at 1920 px, then the window shrinks to 768 px
    open_view(page, f"{live_server.url}/?dataset={DATASET}&row=NLI&col=Math", 1920, 1080)
    settle(page)
    page.click(f"#{ids.THRESHOLD_POS_ON}")
    page.wait_for_timeout(350)
    page.click(f"#{ids.THRESHOLD_NEG_ON}")
    wait_for_outlines(page, *THRESHOLDS)
    assert_overlays_on_cells(page, THRESHOLDS, where="switched on", on_boundaries=THRESHOLDS)
    page.set_viewport_size({"width": 768, "height": 1024})
    assert_overlays_on_cells(page, THRESHOLDS, where="resized 1920 -> 768", on_boundaries=THRESHOLDS)
    handle = page.locator(f"#{ids.THRESHOLD_POS_SLIDER} [role=slider]")  # the keyboard, as a person would
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("() => !location.search.includes('pos=0.1&')")
    assert_overlays_on_cells(page, THRESHOLDS, where="threshold moved", on_boundaries=THRESHOLDS)
    # a link opened wide, then narrowed
    open_view(page, live_server.url + LINK, 1920, 1080, *THRESHOLDS)
    assert_overlays_on_cells(page, THRESHOLDS, where="arrival", on_boundaries=THRESHOLDS)
    for width, height in ((768, 1024), (390, 844), (844, 390), (1280, 720), (360, 740), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        assert_overlays_on_cells(page, THRESHOLDS, where="after resizes", on_boundaries=THRESHOLDS)


DENDROGRAMS = tuple(range(FIRST_MARGIN_TRACE, FIRST_MARGIN_TRACE + 2 * COLOUR_TRACES))


@pytest.mark.parametrize("width,height", [(1920, 1080), (768, 1024), (390, 844)], ids=["1920", "768", "390"])
def test_cluster_outline_and_dendrograms_sit_on_their_cells(live_server, page, width, height):
    open_view(page, live_server.url + CLUSTER_LINK, width, height, CLUSTER, *THRESHOLDS)
    wait_for_order(page, cluster=True)
    drawn_trees = page.evaluate(
        f"""() => {list(DENDROGRAMS)}.filter(i => {{ const t = document.querySelector("{HEATMAP_PLOT}")._fullData[i];
                                                     return t.x && t.x.length > 0; }})"""
    )
    drawn_trees = [("trace", index) for index in drawn_trees]
    outlines = (CLUSTER, *THRESHOLDS)
    assert_overlays_on_cells(page, (*outlines, *drawn_trees), where="cluster order", on_boundaries=outlines)
    page.set_viewport_size({"width": 1280 if width != 1280 else 768, "height": 720})
    assert_overlays_on_cells(page, (*outlines, *drawn_trees), where="cluster order resized", on_boundaries=outlines)


def test_overlay_axes_overlay_the_heatmap_and_stay_out_of_scale_constraints():
    """The layer placement in the browser (assets/plotly_workarounds.js placeOverlays) is all the overlay axes
    need: overlaying, fixed ranges, no scale constraint (one would make every copied range a full
    redraw, and a zoom could undo itself racing Dash's copy of the layout)."""
    fig = heatmap_figure(
        TransferMatrix(rows=["a", "b", "c"], cols=["a", "b"], values=[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    )
    layout = fig.layout.to_plotly_json()
    assert layout["meta"]["follow"] == OVERLAY_AXES
    for axis, main in OVERLAY_AXES.items():
        own = layout[axis]
        assert own["overlaying"] == main.replace("axis", "") and own["fixedrange"] is True
        assert "scaleanchor" not in own and "constrain" not in own and "matches" not in own
        assert list(own["range"]) == list(layout[main]["range"])


def test_overlays_stay_on_their_cells_when_the_order_switches(live_server, page):
    # file order keeps cells square (a shrunk domain); cluster order lays the heatmap out beside
    # its dendrograms (a fixed one): the overlays move with it both ways
    open_view(page, live_server.url + LINK, 1920, 1080, *THRESHOLDS)
    assert_overlays_on_cells(page, THRESHOLDS, where="file order", on_boundaries=THRESHOLDS)
    page.get_by_label("Cluster order").check()
    wait_for_order(page, cluster=True)
    wait_for_outlines(page, *THRESHOLDS)
    assert_overlays_on_cells(page, THRESHOLDS, where="switched to cluster order", on_boundaries=THRESHOLDS)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_overlays_on_cells(page, THRESHOLDS, where="cluster order on a phone", on_boundaries=THRESHOLDS)
    open_section(page, "clustering")  # folded on a phone
    page.get_by_label("File order").check()
    wait_for_order(page, cluster=False)
    wait_for_outlines(page, *THRESHOLDS)
    assert_overlays_on_cells(page, THRESHOLDS, where="back to file order", on_boundaries=THRESHOLDS)
