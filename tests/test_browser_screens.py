"""A layout for each size in real Chromium (issue 19): phone, tablets and a laptop, and matrices that
strain the heatmap's geometry (150-character labels, 8 x 40, 150 x 150, 4 x 4 with a missing cell)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from components import ids
from transfer.figures import MISSING_GREY
from transfer.matrix import TransferMatrix
from web import services

from browser import HEATMAP_PLOT, hover_cell, save_screenshot, wait_for_heatmap, wait_for_panels

PHONE, TABLET, TABLET_WIDE, LAPTOP = (390, 844), (820, 1180), (1024, 768), (1280, 720)
LONG = [(f"task {i} " + "abcdefghij" * 15)[:150] for i in range(12)]


@pytest.fixture
def screens(app, live_server):
    """The live app with the matrices that strain the layout, by name -> dataset id."""
    rng = np.random.default_rng(19)
    store = app.server.config[services.DATASETS_KEY]

    def put(name, rows, cols, values):
        return store.put(TransferMatrix(rows=rows, cols=cols, values=values, name=name, metric="AUC difference"))

    small = rng.normal(0, 0.1, (4, 4))
    small[1, 2] = np.nan
    labels = [f"dataset_{i:03d}" for i in range(150)]
    return live_server, {
        "small": put("small", [f"r{i}" for i in range(4)], [f"c{i}" for i in range(4)], small),
        "wide": put("wide", [f"row{i}" for i in range(8)], [f"col{i}" for i in range(40)], rng.normal(0, 0.1, (8, 40))),
        "long": put("long", LONG, LONG, rng.normal(0, 0.1, (12, 12))),
        "many": put("many", labels, labels, rng.normal(0, 0.1, (150, 150))),
    }


def show(page, url: str, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    wait_for_heatmap(page)
    fitted(page)


def fitted(page) -> None:
    """Until assets/fit.js has fitted the drawn heatmap (and no relayout of its ticks is pending)."""
    page.wait_for_function(f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
        const done = gd && gd.getAttribute("data-tmx-cell-text") && window.tmx.fit.fit();
        return done && !done.relayout; }}""")
    page.wait_for_timeout(200)


BOX = "(e => { const b = e.getBoundingClientRect(); return {l: b.left, t: b.top, r: b.right, b: b.bottom}; })"

GEOMETRY_JS = f"""() => {{
  const box = {BOX}, gd = document.querySelector("{HEATMAP_PLOT}"), fl = gd._fullLayout, g = gd.getBoundingClientRect();
  const plot = {{l: g.left + fl.xaxis._offset, t: g.top + fl.yaxis._offset,
                r: g.left + fl.xaxis._offset + fl.xaxis._length, b: g.top + fl.yaxis._offset + fl.yaxis._length}};
  const card = cls => document.querySelector(cls);
  return {{scroll: document.documentElement.scrollWidth, width: innerWidth, height: innerHeight,
          graph: box(gd), plot: plot, modebar: gd.querySelector(".modebar") ? box(gd.querySelector(".modebar")) : null,
          dataset: box(document.getElementById("{ids.DATASET}")),
          share: box(document.getElementById("{ids.SHARE_BUTTON}")),
          rowPanel: box(card(".tmx-breakdown-row")), colPanel: box(card(".tmx-breakdown-col"))}};
}}"""


def geometry(page) -> dict:
    return page.evaluate(GEOMETRY_JS)


def inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (inner["l"] >= outer["l"] - slack and inner["t"] >= outer["t"] - slack and inner["r"] <= outer["r"] + slack
            and inner["b"] <= outer["b"] + slack)


def intersects(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def assert_fits_the_screen(page) -> dict:
    """No sideways scrolling, the header's dataset and Copy link inside the screen, the modebar off the cells."""
    at = geometry(page)
    screen = {"l": 0, "t": 0, "r": at["width"], "b": at["height"]}
    assert at["scroll"] <= at["width"], at
    assert inside(at["dataset"], screen) and at["dataset"]["r"] - at["dataset"]["l"] >= 200, at
    assert inside(at["share"], screen), at
    centre = page.evaluate(f"""() => {{ const b = document.getElementById("{ids.SHARE_BUTTON}").getBoundingClientRect();
        return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2).id; }}""")
    assert centre == ids.SHARE_BUTTON  # nothing covers it: a tap presses it
    assert at["modebar"] is None or not intersects(at["modebar"], at["plot"]), at
    return at


# Each visible cell text's box and its cell's box (from the axes: cell i spans i +- 0.5), in pixels.
CELL_TEXTS_JS = f"""() => {{
  const gd = document.querySelector("{HEATMAP_PLOT}"), fl = gd._fullLayout, g = gd.getBoundingClientRect();
  const xa = fl.xaxis, ya = fl.yaxis, out = [];
  gd.querySelectorAll(".subplot.xy .heatmaplayer text").forEach(t => {{
    if (getComputedStyle(t).display === "none" || !t.textContent) return;
    const b = t.getBoundingClientRect();
    const j = Math.round(xa.p2l((b.left + b.right) / 2 - g.left - xa._offset));
    const i = Math.round(ya.p2l((b.top + b.bottom) / 2 - g.top - ya._offset));
    const xs = [xa.l2p(j - 0.5), xa.l2p(j + 0.5)].map(p => p + g.left + xa._offset);
    const ys = [ya.l2p(i - 0.5), ya.l2p(i + 0.5)].map(p => p + g.top + ya._offset);
    out.push({{text: {{l: b.left, t: b.top, r: b.right, b: b.bottom}},
              cell: {{l: Math.min(...xs), r: Math.max(...xs), t: Math.min(...ys), b: Math.max(...ys)}}}});
  }});
  return {{shown: out, all: gd.querySelectorAll(".subplot.xy .heatmaplayer text").length}};
}}"""


def cell_texts(page) -> dict:
    return page.evaluate(CELL_TEXTS_JS)


def assert_cell_texts_fit(page) -> int:
    texts = cell_texts(page)
    outside = [t for t in texts["shown"] if not inside(t["text"], t["cell"], slack=0.6)]
    assert not outside, outside[:3]
    return len(texts["shown"])


# The shown tick labels of an axis as their four corners on screen (slanted labels are slanted
# boxes), the axis title's box, and whether any two labels, or a label and the title, overlap
# (separating axis test on the convex boxes).
TICKS_JS = f"""(letter) => {{
  const gd = document.querySelector("{HEATMAP_PLOT}");
  const quad = t => {{ const b = t.getBBox(), m = t.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]); }};
  const apart = (p, q) => {{
    for (const poly of [p, q]) for (let k = 0; k < 4; k++) {{
      const [x1, y1] = poly[k], [x2, y2] = poly[(k + 1) % 4], nx = y2 - y1, ny = x1 - x2;
      const span = s => s.map(([x, y]) => x * nx + y * ny);
      const a = span(p), c = span(q);
      if (Math.max(...a) <= Math.min(...c) + 0.5 || Math.max(...c) <= Math.min(...a) + 0.5) return true;
    }}
    return false;
  }};
  const labels = Array.from(gd.querySelectorAll(`.subplot.xy .${{letter}}tick text`))
    .filter(t => getComputedStyle(t).display !== "none" && t.textContent)
    .map(t => ({{text: t.textContent, quad: quad(t)}}));
  const title = gd.querySelector(`.g-${{letter}}title text`);
  let overlaps = 0, onTitle = 0;
  labels.forEach((a, i) => labels.slice(i + 1).forEach(b => {{ if (!apart(a.quad, b.quad)) overlaps++; }}));
  if (title) labels.forEach(a => {{ if (!apart(a.quad, quad(title))) onTitle++; }});
  return {{shown: labels.map(l => l.text), overlaps: overlaps, onTitle: onTitle, title: !!title}};
}}"""


def ticks(page, letter: str) -> dict:
    return page.evaluate(TICKS_JS, letter)


def plot_size(at: dict) -> tuple[float, float]:
    return at["plot"]["r"] - at["plot"]["l"], at["plot"]["b"] - at["plot"]["t"]


# The colour bar, the track legend's annotations and every subplot's plot area (cells, strips).
KEYS_JS = f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}"), box = {BOX};
  return {{bar: Array.from(gd.querySelectorAll(".colorbar")).map(box),
          legend: Array.from(gd.querySelectorAll(".annotation"))
            .filter(a => a.textContent.includes("task_type")).map(box),
          plots: Array.from(gd.querySelectorAll(".draglayer .nsewdrag")).map(box)}}; }}"""


def assert_keys_clear(page) -> dict:
    """The colour bar and the track legend drawn, inside the graph, off the plots and each other."""
    keys, graph = page.evaluate(KEYS_JS), geometry(page)["graph"]
    assert len(keys["bar"]) == 1 and keys["legend"] and len(keys["plots"]) >= 3, keys
    for key in keys["bar"] + keys["legend"]:
        assert inside(key, graph, slack=1) and not any(intersects(key, plot) for plot in keys["plots"]), keys
    assert not any(intersects(bar, note) for bar in keys["bar"] for note in keys["legend"]), keys
    return keys


def test_phone_tablet_and_laptop_layouts(live_server, page):
    # A phone: nothing scrolls sideways, the header wraps, the heatmap first at full width.
    show(page, live_server.url + "/", PHONE)
    # The skip link: the first Tab stop, shown when focused, and it moves the focus to the heatmap.
    page.keyboard.press("Tab")
    skip = page.evaluate("() => { const a = document.activeElement, b = a.getBoundingClientRect();"
                         " return [a.className, a.getAttribute('href'), a.textContent,"
                         "         b.width > 20 && b.height > 10]; }")
    assert "tmx-skip" in skip[0] and skip[1] == f"#{ids.HEATMAP_KEYS}" and skip[2] == "Skip to the heatmap" and skip[3]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == ids.HEATMAP_KEYS
    assert "#" not in page.url  # the link keeps the view's address

    at = assert_fits_the_screen(page)
    assert at["graph"]["r"] - at["graph"]["l"] >= PHONE[0] - 40
    # the cells get the width (136 px before the flat colour bar and the flowed legend: assets/fit.js)
    assert min(plot_size(at)) >= 240 and abs(plot_size(at)[0] - plot_size(at)[1]) < 1, at
    keys = assert_keys_clear(page)
    assert keys["bar"][0]["r"] - keys["bar"][0]["l"] > keys["bar"][0]["b"] - keys["bar"][0]["t"], keys  # flat
    assert at["graph"]["b"] <= at["rowPanel"]["t"] <= at["colPanel"]["t"]  # the panels below it
    assert_cell_texts_fit(page)  # 14 px cells: no room for "-0.12", the hover has it
    assert cell_texts(page)["all"] == 100
    # The controls fold: closed on a phone, a tap on the header's toggle opens and closes them.
    section = ".tmx-section-thresholds"
    toggle, body = page.locator(f"{section} .tmx-section-toggle"), page.locator(f"{section} > .card-body")
    assert toggle.get_attribute("aria-expanded") == "false" and not body.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and body.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false" and not body.is_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    assert save_screenshot(page, "screenshot-phone.png").stat().st_size > 10_000

    # Tablets: the heatmap at full width with both breakdown panels under it on the first screen,
    # the sections open; the wide one puts them beside it.
    show(page, live_server.url + "/", TABLET)
    at = assert_fits_the_screen(page)
    screen = {"l": 0, "t": 0, "r": TABLET[0], "b": TABLET[1]}
    assert at["graph"]["r"] - at["graph"]["l"] >= TABLET[0] - 40 and at["graph"]["b"] <= at["rowPanel"]["t"]
    assert inside(at["graph"], screen) and inside(at["rowPanel"], screen) and inside(at["colPanel"], screen), at
    assert toggle.get_attribute("aria-expanded") == "true" and body.is_visible()
    show(page, live_server.url + "/", TABLET_WIDE)
    at = assert_fits_the_screen(page)
    screen = {"l": 0, "t": 0, "r": TABLET_WIDE[0], "b": TABLET_WIDE[1]}
    assert inside(at["graph"], screen) and inside(at["rowPanel"], screen) and inside(at["colPanel"], screen), at

    # A laptop, with a cell selected: the heatmap and both panels (numbers and bars) on the first screen.
    show(page, live_server.url + "/?row=TriviaQA&col=Movies", LAPTOP)
    wait_for_panels(page, "TriviaQA", "Movies")
    at = assert_fits_the_screen(page)
    screen = {"l": 0, "t": 0, "r": LAPTOP[0], "b": LAPTOP[1]}
    assert inside(at["graph"], screen) and inside(at["rowPanel"], screen) and inside(at["colPanel"], screen), at
    assert at["graph"]["r"] <= at["rowPanel"]["l"]  # side by side
    assert min(plot_size(at)) >= 250, at
    keys = assert_keys_clear(page)
    assert keys["bar"][0]["b"] - keys["bar"][0]["t"] > keys["bar"][0]["r"] - keys["bar"][0]["l"], keys  # upright
    assert assert_cell_texts_fit(page) == 100


def missing_and_padding_colours(page) -> dict:
    """Screen colours of the 4 x 4 heatmap: the missing cell's centre and the pixels between the
    cells' edges and the figure's (left of the cells, and above them under the modebar's room)."""
    places = page.evaluate(f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}"), fl = gd._fullLayout;
        const g = gd.getBoundingClientRect(), xa = fl.xaxis, ya = fl.yaxis;
        const x = j => g.left + xa._offset + xa.l2p(j), y = i => g.top + ya._offset + ya.l2p(i);
        const j = xa._categories.indexOf("c2"), i = ya._categories.indexOf("r1");  // the missing cell (any order)
        return {{missing: [x(j), y(i)], cell: [x(j === 0 ? 1 : 0), y(i)],
                left: [(g.left + x(-0.5)) / 2, y(-0.3)], gap: [x(-0.5) - 3, y(1.7)],
                above: [x(1.7), y(-0.5) - 4]}}; }}""")
    shot = base64.b64encode(page.screenshot()).decode()
    return page.evaluate("""async ([shot, places]) => {
        const img = new Image(); img.src = "data:image/png;base64," + shot; await img.decode();
        const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
        const ctx = c.getContext("2d"); ctx.drawImage(img, 0, 0); const out = {};
        for (const [name, [x, y]] of Object.entries(places)) {
          const d = ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data;
          out[name] = "#" + [d[0], d[1], d[2]].map(v => v.toString(16).padStart(2, "0")).join("");
        }
        return out; }""", [shot, places])


def test_long_labels_dense_tiny_and_large_matrices_fit_their_pixels(screens, page):
    server, dataset = screens
    # 150-character labels: cut with an ellipsis, the plot keeps its size, the page its width.
    show(page, f"{server.url}/?dataset={dataset['long']}", LAPTOP)
    at = assert_fits_the_screen(page)
    assert min(plot_size(at)) >= 250, at
    for letter in "xy":
        shown = ticks(page, letter)
        assert shown["shown"] and all(len(text) <= 28 and text.endswith("\u2026") for text in shown["shown"]), shown
        assert shown["overlaps"] == 0 and shown["title"] and shown["onTitle"] == 0, shown
    assert assert_cell_texts_fit(page) >= 0
    assert LONG[3] in hover_cell(page, LONG[3], LONG[5])  # the hover names the whole label
    chips = page.evaluate("() => Array.from(document.querySelectorAll('.tmx-insight-chip'))"
                          ".map(c => c.getBoundingClientRect().right)")
    assert chips and max(chips) <= LAPTOP[0]
    # on a phone: cut shorter still, the page no wider than the screen
    show(page, f"{server.url}/?dataset={dataset['long']}", PHONE)
    at = assert_fits_the_screen(page)
    assert min(plot_size(at)) >= 120, at
    shown = ticks(page, "y")
    assert shown["overlaps"] == 0 and all(len(text) <= 16 for text in shown["shown"]), shown

    # 8 x 40 on a phone and on a desktop, the default matrix on a phone: text only inside its cell.
    for size in (PHONE, (1400, 900)):
        show(page, f"{server.url}/?dataset={dataset['wide']}", size)
        assert_fits_the_screen(page)
        assert_cell_texts_fit(page)
        assert ticks(page, "x")["overlaps"] == 0

    # 150 x 150: plotly's own ticks, thinned until no two labels overlap.
    show(page, f"{server.url}/?dataset={dataset['many']}", LAPTOP)
    assert_fits_the_screen(page)
    for letter in "xy":
        shown = ticks(page, letter)
        assert len(shown["shown"]) >= 5 and shown["overlaps"] == 0 and shown["onTitle"] == 0, shown

    # 4 x 4 with a missing cell: white around the cells, the missing cell grey, at two sizes.
    for size in (LAPTOP, PHONE):
        show(page, f"{server.url}/?dataset={dataset['small']}", size)
        at = assert_fits_the_screen(page)
        colours = missing_and_padding_colours(page)
        assert colours["missing"] == MISSING_GREY, colours
        assert colours["left"] == colours["gap"] == colours["above"] == "#ffffff", colours
        assert colours["cell"] not in ("#ffffff", MISSING_GREY), colours
    # and in cluster order: no grey bands beside the dendrograms
    show(page, f"{server.url}/?dataset={dataset['small']}&order=cluster", LAPTOP)
    colours = missing_and_padding_colours(page)
    assert colours["missing"] == MISSING_GREY and colours["left"] == colours["above"] == "#ffffff", colours
