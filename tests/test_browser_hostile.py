"""Hostile labels, names and metrics in real Chromium: every view shows them as text.

Two matrices whose labels are markup (script, img onerror, javascript: and https links, <b>),
entities, a spreadsheet formula, right-to-left scripts, emoji and a 200-character label go
through the API and the drop zone, then every view is opened. No dialog opens, no injected
script runs (it would set window.__pwned), no element from a label reaches the DOM, plotly
draws no markup from them (no bold, no links), and the text appears literally.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from components import ids
from transfer.exports import view_filename, view_title
from transfer.figures import plot_text
from transfer.view import view_from_query
from transfer.viewstate import parse_query
from web.services import DATASETS_KEY

from browser import HEATMAP_PLOT, PANEL_BARS, panel_bars, query_of, wait_for_heatmap, wait_for_panels

IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "<script>window.__pwned=1;alert(1)</script>"
JS_LINK = '<a href="javascript:window.__pwned=1;alert(1)">x</a>'
BOLD = "<b>bold</b>"
WEB_LINK = '<a href="https://example.org/">site</a>'
ENTITIES = "Q&amp;A &lt;b&gt;"
FORMULA = '=HYPERLINK("http://evil.example","click")'
ARABIC = "ترجمة آلية"
HEBREW = "תרגום מכונה"
EMOJI = "🧪 probe 🔥"
LONG = "long-" + "x" * 195
LABELS = [IMG, SCRIPT, JS_LINK, BOLD, WEB_LINK, ENTITIES, FORMULA, ARABIC, HEBREW, EMOJI, LONG]


def matrix_json(name: str, metric: str, shift: float) -> bytes:
    n = len(LABELS)
    values = [[round(((i * 7 + j * 3) % 11) / 10 - 0.5 + shift, 3) for j in range(n)] for i in range(n)]
    return json.dumps({"name": name, "metric": metric, "rows": LABELS, "cols": LABELS, "values": values}).encode()


INERT_JS = """() => {
  const problems = [];
  if (window.__pwned) problems.push("an injected script ran");
  if (document.querySelector('img[src="x"]')) problems.push("an <img src=x> from a label is in the DOM");
  for (const s of document.scripts) {
    if (s.textContent.includes("__pwned")) problems.push("a <script> from a label is in the DOM");
  }
  for (const a of document.querySelectorAll("a")) {
    const href = a.getAttribute("href") || a.getAttribute("xlink:href")
      || a.getAttributeNS("http://www.w3.org/1999/xlink", "href") || "";
    if (/^\\s*javascript:/i.test(href)) problems.push("a javascript: link: " + a.outerHTML);
    if (a.closest("svg")) problems.push("plotly drew a link from a label: " + a.outerHTML);
  }
  for (const t of document.querySelectorAll("svg tspan")) {
    if (/bold/.test(t.getAttribute("style") || "")) problems.push("plotly drew markup from a label: " + t.outerHTML);
  }
  return problems;
}"""

TICKS_JS = """(selector) => Array.from(
  document.querySelectorAll(selector + " .xtick text, " + selector + " .ytick text")).map(t => t.textContent)"""


def shown_as_text(ticks) -> bool:
    """Every tick is a label's own characters: the whole label, or its start cut with an ellipsis
    (long labels: transfer.figures.short_label; the hover has them whole)."""
    return bool(ticks) and all(tick in LABELS or (tick.endswith("\u2026") and any(
        label.startswith(tick[:-1].rstrip()) for label in LABELS)) for tick in ticks)


@pytest.fixture
def dialogs(page):
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def assert_inert(page, dialogs) -> None:
    assert dialogs == []
    assert page.evaluate(INERT_JS) == []


def test_hostile_labels_are_text_in_every_view(app, live_server, page, dialogs):
    import urllib.request

    request = urllib.request.Request(live_server.url + "/api/datasets", data=matrix_json(IMG, SCRIPT, 0.0),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as response:
        first = json.loads(response.read())["id"]

    # The second matrix comes through the drop zone: its status line names it.
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('dataset')", timeout=20_000)
    shown = parse_query(query_of(page))[0].dataset
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]",
                         files=[
                             {
                                 "name": "evil.json", "mimeType": "application/json",
                                 "buffer": matrix_json(BOLD + IMG, JS_LINK, 0.1),
                             }
                         ])
    status = f"Opened '{BOLD + IMG}'"
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent.includes(text)", arg=[ids.UPLOAD_STATUS, status],
        timeout=20_000,
    )
    # The status comes with the answer that opens the matrix; the link names it one round trip later.
    page.wait_for_function(
        "(shown) => { const d = new URLSearchParams(window.location.search).get('dataset'); return d && d !== shown; }",
        arg=shown, timeout=20_000,
    )
    second = parse_query(query_of(page))[0].dataset
    # The heatmap has drawn the dropped matrix (the bundled one before it carries a track legend
    # whose field name is bold on purpose): its ticks are the hostile labels.
    page.wait_for_function(
        """([selector, labels]) => { const ticks = Array.from(document.querySelectorAll(
             selector + " .xtick text, " + selector + " .ytick text")).map(t => t.textContent);
           return ticks.length > 0 && ticks.every(t => labels.includes(t) || t.endsWith("\u2026")); }""",
        arg=[HEATMAP_PLOT, LABELS], timeout=20_000,
    )
    assert_inert(page, dialogs)

    # Heatmap in cluster order, compared with the second, a row and a column selected.
    query = urlencode(
        {"dataset": first, "compare": second, "order": "cluster", "k": 2, "row": BOLD, "col": IMG, "pos": 0.05}
    )
    page.goto(f"{live_server.url}/?{query}")
    wait_for_heatmap(page)
    page.wait_for_function(
        "(id) => document.getElementById(id).textContent.includes('In-domain')", arg=ids.BREAKDOWN_COL_STATS,
        timeout=20_000,
    )
    # The long label leaves room for some heatmap ticks only (plotly thins them); the bars show all.
    ticks = page.evaluate(TICKS_JS, HEATMAP_PLOT)
    assert shown_as_text(ticks)
    # The threshold counts of the selection name the labels as the link holds them.
    page.wait_for_function("([id, text]) => document.getElementById(id).textContent.includes(text)",
                           arg=[ids.THRESHOLD_SELECTION_COUNTS, f"Train {BOLD}:"], timeout=20_000)
    assert f"Test {IMG}:" in page.inner_text(f"#{ids.THRESHOLD_SELECTION_COUNTS}")
    info = page.inner_text(f"#{ids.DATASET_INFO}")
    assert IMG in info and SCRIPT in info
    for axis in ("row", "col"):
        wait_for_panels(page, BOLD, IMG, timeout=20_000)
        assert set(LABELS) <= set(panel_bars(page, axis)["labels"])
        # Tick text is the label, literally, or its beginning cut with an ellipsis to fit the gutter.
        ticks = page.evaluate(
            "(id) => Array.from(document.querySelectorAll(`#${id} text.tmx-bar-tick`)).map(t => t.textContent)",
            PANEL_BARS[axis],
        )
        assert len(ticks) == len(LABELS)
        assert all(t in LABELS or (t.endswith("…") and any(label.startswith(t[:-1]) for label in LABELS))
                   for t in ticks)
        # Every tick ends inside its gutter (text-anchor end at x): the 200-character label is cut.
        assert any(t.endswith("…") for t in ticks) and page.evaluate(
            "(id) => Array.from(document.querySelectorAll(`#${id} text.tmx-bar-tick`)).every(t => "
            "t.getComputedTextLength() <= Number(t.getAttribute('x')) + 0.5)",
            PANEL_BARS[axis])
    assert_inert(page, dialogs)

    # Hover: both labels, the metric and the compared names, literally.
    row, col = WEB_LINK, JS_LINK
    page.wait_for_load_state("networkidle")
    point = page.evaluate(
        """([sel, row, col]) => {
             const gd = document.querySelector(sel), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
             const box = gd.getBoundingClientRect();
             return {x: box.left + xa._offset + xa.l2p(xa._categories.indexOf(col)),
                     y: box.top + ya._offset + ya.l2p(ya._categories.indexOf(row))}; }""",
        [HEATMAP_PLOT, plot_text(row), plot_text(col)],
    )
    page.mouse.move(1, 1)  # cells are small beside 200-character labels: arrive in one move
    page.wait_for_timeout(100)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(f"{HEATMAP_PLOT} .hoverlayer .hovertext", timeout=5_000)
    hover = page.evaluate(f"""() => document.querySelector("{HEATMAP_PLOT} .hoverlayer .hovertext").textContent""")
    for text in (row, col, IMG, BOLD + IMG):
        assert text in hover
    assert_inert(page, dialogs)

    # A click selects the labels themselves (not their escaped form): the link carries them.
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("(q) => window.location.search !== q", arg="?" + query, timeout=20_000)
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('col') !== null", timeout=20_000)
    state = parse_query(query_of(page))[0]
    assert (state.row, state.col) == (row, col)

    insights = page.inner_text(f"#{ids.INSIGHTS}")
    assert any(label in insights for label in LABELS)
    assert_inert(page, dialogs)

    # Dendrogram tab: leaf labels and the member list.
    page.click("a.nav-link:has-text('Dendrogram')")
    # drawn when the tab opens (until then the graph is empty, with default numeric ticks)
    page.wait_for_function("() => (document.querySelector('#dendrogram .js-plotly-plot')?.data || []).length > 0"
                           " && document.querySelectorAll('#dendrogram .ytick text').length > 0", timeout=20_000)
    assert set(LABELS) <= set(page.evaluate(TICKS_JS, f"#{ids.DENDROGRAM}"))
    members = page.inner_text(f"#{ids.CLUSTER_MEMBERS}")
    assert SCRIPT in members and HEBREW in members
    assert_inert(page, dialogs)

    # Small multiples: the shown matrix (no catalogue matrix shares its labels), named in its header.
    page.click("a.nav-link:has-text('Small multiples')")
    page.wait_for_function(
        "(text) => document.getElementById('multiples').textContent.includes(text)", arg=IMG, timeout=20_000,
    )
    page.wait_for_function("() => document.querySelectorAll('#multiples .xtick text').length > 0", timeout=20_000)
    ticks = page.evaluate(TICKS_JS, f"#{ids.MULTIPLES}")
    assert shown_as_text(ticks)
    assert_inert(page, dialogs)

    # The SVG download (plotly's own export, under the page's CSP) holds the labels as text.
    page.click("a.nav-link:has-text('Heatmap')")
    wait_for_heatmap(page)
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_SVG}")
    # named and titled after the view shown (a comparison): the title is text, its markup escaped
    shown_view = view_from_query(app.server.config[DATASETS_KEY], query)
    assert download.value.suggested_filename == f"{view_filename(shown_view)}.svg"
    svg = ElementTree.parse(download.value.path()).getroot()
    tags = {element.tag.split("}")[-1] for element in svg.iter()}
    assert not tags & {"script", "img", "a", "foreignObject"}, tags
    images = [
        image.get("{http://www.w3.org/1999/xlink}href") or image.get("href") for image in svg.iter("{http://www.w3.org/2000/svg}image")
    ]
    assert all(href.startswith("data:image/png;base64,") for href in images)  # the heatmap's own raster
    texts = {"".join(text.itertext()) for text in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert view_title(shown_view) in texts  # the title names the (hostile) matrix names literally
    assert any(text.startswith(SCRIPT[:12]) for text in texts)  # a label's tick: its own characters

    # Share popover and the CSV download of the displayed matrix.
    page.click(f"#{ids.SHARE_BUTTON}")
    page.wait_for_selector(f"#{ids.SHARE_LINK}", state="visible")
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_CSV}")
    text = open(download.value.path(), encoding="utf-8").read()
    assert "'" + FORMULA.replace('"', '""') in text  # formula neutralised, CSV-quoted
    assert IMG.replace('"', '""') in text and ARABIC in text and EMOJI in text
    assert download.value.suggested_filename.endswith(".csv") and "<" not in download.value.suggested_filename
    assert_inert(page, dialogs)
