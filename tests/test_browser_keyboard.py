"""Keyboard, screen reader and touch in real Chromium (issue 19, assets/keyboard.js): the heatmap
as one tab stop with a live region, the tabs, a switch and a slider, the breakdown bars, the
clusters and the Copy-link popover by keys alone; a tap on a cell selects it on a phone and a tablet."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import numpy as np
import pytest
from test_browser_replicates import TASKS, seeded

from components import ids
from transfer.figures import HeatmapShape, _d3_fixed, _d3_general, display_number
from transfer.uncertainty import cell_stats

from browser import (
    HEATMAP_PLOT,
    cell_center,
    click_cell,
    heatmap_data,
    query_of,
    wait_for_heatmap,
    wait_for_panels,
    wait_for_rows,
)
from link_checks import settle

KEYS = f"#{ids.HEATMAP_KEYS}"
LIVE = f"#{ids.HEATMAP_LIVE}"

# The focus cell (an element over the graph): [row, col] of the cell whose pixel box, from the
# axes, is its box (cut to the plot area), null while hidden, its box where it matches no cell.
FOCUS_JS = f"""() => {{
  const gd = document.querySelector("{HEATMAP_PLOT}"), el = document.querySelector("{KEYS} > .tmx-focus-cell");
  if (!el || el.hidden) return null;
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const g = gd.getBoundingClientRect(), b = el.getBoundingClientRect();
  const j = Math.round(xa.p2l(b.left + b.width / 2 - g.left - xa._offset));
  const i = Math.round(ya.p2l(b.top + b.height / 2 - g.top - ya._offset));
  const edges = (a, k) => [a.l2p(k - 0.5), a.l2p(k + 0.5)].map(p => Math.min(a._length, Math.max(0, p)) + a._offset)
                            .sort((p, q) => p - q);
  const [x0, x1] = edges(xa, j), [y0, y1] = edges(ya, i);
  const near = (p, q) => Math.abs(p - q) < 0.5;
  const ok = near(b.left - g.left, x0) && near(b.right - g.left, x1) && near(b.top - g.top, y0) &&
             near(b.bottom - g.top, y1) && getComputedStyle(el).pointerEvents === "none";
  return ok ? [i, j] : [b.left - g.left, b.top - g.top, b.width, b.height];
}}"""
RELAYOUT_JS = f"""(update) => window.Plotly.relayout(document.querySelector("{HEATMAP_PLOT}"), update)"""


@pytest.fixture
def replicated(app, live_server):
    from web import services

    matrix = seeded()
    return matrix, app.server.config[services.DATASETS_KEY].put(matrix)


def link(page) -> dict:
    return {key: values[0] for key, values in parse_qs(query_of(page).lstrip("?")).items()}


def heard(page, text: str) -> None:
    """The live region reads `text` (it is emptied first, then set: the same text is read again)."""
    page.wait_for_function("([sel, text]) => document.querySelector(sel).textContent === text", arg=[LIVE, text],
                           timeout=5_000)


def cell_text(data: dict, i: int, j: int) -> str:
    v = data["z"][i][j]
    return f"Train {data['rows'][i]}, test {data['cols'][j]}: " + ("missing" if v is None else _d3_fixed(v, 4))


def press(page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)


def test_everything_by_keyboard(replicated, live_server, page):
    matrix, replicated_id = replicated
    page.goto(f"{live_server.url}/?dataset=llama-3-8b_auc&k=3")
    wait_for_heatmap(page)
    settle(page)
    data = heatmap_data(page)
    n = len(data["rows"])

    # Tab from the top of the page reaches the heatmap: one stop, named, its graph's parts none.
    page.locator("body").focus()
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("() => [document.activeElement.id, !!document.activeElement.closest('#heatmap')]"))
        if stops[-1][0] == ids.HEATMAP_KEYS:
            break
    assert stops[-1][0] == ids.HEATMAP_KEYS, stops
    assert not any(inside for _, inside in stops), "a part of the graph takes a tab stop of its own"
    heatmap = page.get_by_role("application", name=re.compile("heatmap"))
    assert heatmap.count() == 1 and heatmap.get_attribute("id") == ids.HEATMAP_KEYS
    name = heatmap.get_attribute("aria-label")
    assert re.match(rf"Transfer heatmap, {n} train x {n} test datasets: arrow keys", name)
    assert page.get_attribute(LIVE, "aria-live") == "polite"

    # Nothing selected: the focus starts at the top-left cell; arrows, End, Ctrl+Home, Page Down.
    heard(page, cell_text(data, 0, 0))
    assert page.evaluate(FOCUS_JS) == [0, 0]
    press(page, "ArrowRight", "ArrowRight", "ArrowDown")
    heard(page, cell_text(data, 1, 2))
    assert page.evaluate(FOCUS_JS) == [1, 2]
    # It follows a zoom (no redraw of its own), hides outside the zoomed range, and is no part of
    # the figure (the exports).
    page.evaluate(RELAYOUT_JS, {"xaxis.range": [1.5, 4.5]})
    assert page.evaluate(FOCUS_JS) == [1, 2]
    page.evaluate(RELAYOUT_JS, {"xaxis.range": [3.5, 6.5]})
    assert page.evaluate(FOCUS_JS) is None
    page.evaluate(RELAYOUT_JS, {"xaxis.autorange": True})
    assert page.evaluate(FOCUS_JS) == [1, 2]
    # no selection outline (the focus cell is an element over the graph, never a shape)
    shapes = page.evaluate(f"() => (document.querySelector('{HEATMAP_PLOT}').layout.shapes || []).length")
    assert shapes == HeatmapShape.SELECTION
    press(page, "End")
    heard(page, cell_text(data, 1, n - 1))
    press(page, "Control+Home", "PageDown")
    heard(page, cell_text(data, min(10, n - 1), 0))
    press(page, "Control+Home", "ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight", "ArrowRight")
    heard(page, cell_text(data, 2, 3))

    # Enter selects the focused cell as a click does: the link and both panels.
    row, col = data["rows"][2], data["cols"][3]
    press(page, "Enter")
    wait_for_panels(page, row, col)
    page.wait_for_function("([r, c]) => { const q = new URLSearchParams(location.search);"
                           " return q.get('row') === r && q.get('col') === c; }", arg=[row, col])
    assert page.evaluate("() => document.activeElement.id") == ids.HEATMAP_KEYS

    # A breakdown panel: one tab stop, arrows move its focus bar, Enter selects that bar.
    bars = page.locator(f"#{ids.BREAKDOWN_ROW_BARS}")
    assert bars.get_attribute("tabindex") == "0" and bars.get_attribute("role") == "application"
    bars.focus()
    j = data["cols"].index(col)
    heard(page, f"Test {col}: {display_number(data['z'][2][j])}")  # starts at the selected bar
    press(page, "ArrowDown")
    other = data["cols"][j + 1]
    heard(page, f"Test {other}: {display_number(data['z'][2][j + 1])}")
    assert page.locator(f"#{ids.BREAKDOWN_ROW_BARS} rect.tmx-bar-focus").count() == 1
    press(page, "Enter")
    wait_for_panels(page, row, other)
    assert link(page)["col"] == other

    # Back on the heatmap the focus starts at the selection; Escape clears it.
    page.focus(KEYS)
    heard(page, cell_text(data, 2, j + 1))
    press(page, "Escape")
    heard(page, "Selection cleared")
    page.wait_for_function("() => !/[?&](row|col)=/.test(location.search)")

    # Another matrix drawn while the heatmap has the focus: the focus cell is clamped to it, and
    # the live region reads its replicates' statistics as the hover does.
    press(page, "Control+End")
    heard(page, cell_text(data, n - 1, n - 1))
    page.evaluate("(id) => window.tmx.view.change({dataset: id})", replicated_id)
    wait_for_rows(page, TASKS)
    last = len(TASKS) - 1
    page.wait_for_function(f"() => JSON.stringify(({FOCUS_JS})()) === '[{last},{last}]'")
    press(page, "ArrowLeft")
    small = heatmap_data(page)
    stats = cell_stats(matrix, 95)
    i, j = last, last - 1
    f32 = lambda name: float(np.float32(getattr(stats, name)[i, j]))  # noqa: E731
    heard(page, cell_text(small, i, j) + f" ± {_d3_fixed(f32('std'), 4)} sd, n = {int(stats.n[i, j])}, "
          f"95% CI [{_d3_fixed(f32('ci_low'), 4)}, {_d3_fixed(f32('ci_high'), 4)}], "
          f"p = {_d3_general(f32('p'))}, q = {_d3_general(f32('q'))}")
    page.evaluate("() => window.tmx.view.change({dataset: 'llama-3-8b_auc'})")
    wait_for_rows(page, data["rows"])
    settle(page)

    # A switch and a slider by keys: the link's pos.
    page.focus(f"#{ids.THRESHOLD_POS_ON}")
    press(page, "Space")
    page.wait_for_function("() => new URLSearchParams(location.search).has('pos')")
    before = float(link(page)["pos"])
    page.focus(f"#{ids.THRESHOLD_POS_SLIDER} [role=slider]")
    press(page, "ArrowRight", "ArrowRight")
    page.wait_for_function("(p) => Number(new URLSearchParams(location.search).get('pos')) > p", arg=before)

    # A dropdown (Dash 4): Down opens it on its search box, typing filters, Down reaches the option,
    # Enter picks it.
    page.focus(f"#{ids.ROW}")
    press(page, "ArrowDown")
    page.wait_for_function("() => document.activeElement.matches('input:not([type=radio])')")  # its search box
    page.keyboard.type("Math")
    page.wait_for_function("() => Array.from(document.querySelectorAll('[role=option]')).map(o => o.textContent)"
                           ".join() === 'Math'")
    press(page, "ArrowDown")
    page.wait_for_function("() => (document.activeElement.closest('[role=option]') || {}).textContent === 'Math'")
    press(page, "Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('row') === 'Math'")

    # The tabs: each a tab stop, arrows move between them, Enter or Space switches.
    tabs = page.locator("[role=tab]")
    assert all(t == "0" for t in tabs.evaluate_all("ts => ts.map(t => t.getAttribute('tabindex'))"))
    tabs.first.focus()
    press(page, "ArrowRight")
    assert page.evaluate("() => document.activeElement.textContent") == "Dendrogram"
    press(page, "Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('tab') === 'dendrogram'")
    assert page.evaluate("() => document.activeElement.getAttribute('tabindex')") == "0"  # still a tab stop

    # A cluster by keyboard: the member list's entries are buttons.
    item = page.locator(f"[id*='{ids.CLUSTER_ITEM}']").first
    item.wait_for()
    assert item.evaluate("e => e.tagName") == "BUTTON"
    item.focus()
    press(page, "Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('cluster') === '1'")
    press(page, "Shift+Tab")  # back to the tabs (the list follows the dendrogram tab)
    tabs.first.focus()
    press(page, "Space")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('tab')")

    # The Copy-link popover: Escape closes it and gives the focus back to its button.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.focus(f"#{ids.SHARE_BUTTON}")
    press(page, "Enter")
    page.wait_for_selector(f"#{ids.SHARE_LINK}", state="visible")
    page.wait_for_timeout(200)
    press(page, "Escape")
    page.wait_for_selector(f"#{ids.SHARE_LINK}", state="detached")
    assert page.evaluate("() => document.activeElement.id") == ids.SHARE_BUTTON

    # A click focuses the heatmap without showing a focus cell; the first key shows it on the
    # clicked cell, the next moves it.
    click_cell(page, "Movies", "IMDB")
    wait_for_panels(page, "Movies", "IMDB")
    assert page.evaluate("() => document.activeElement.id") == ids.HEATMAP_KEYS
    assert page.evaluate(FOCUS_JS) is None
    i, j = data["rows"].index("Movies"), data["cols"].index("IMDB")
    press(page, "ArrowRight")
    heard(page, cell_text(data, i, j))
    assert page.evaluate(FOCUS_JS) == [i, j]
    press(page, "ArrowRight")
    heard(page, cell_text(data, i, j + 1))


@pytest.mark.parametrize("size", [(390, 844), (820, 1180)], ids=["phone", "tablet"])
def test_a_tap_selects_a_cell(browser, live_server, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{live_server.url}/?dataset=llama-3-8b_auc")
        wait_for_heatmap(page)
        settle(page)
        ranges = "() => { const l = document.querySelector(`%s`)._fullLayout; return [l.xaxis.range, l.yaxis.range]; }"
        before = page.evaluate(ranges % HEATMAP_PLOT)
        point = cell_center(page, "Movies", "IMDB")
        page.touchscreen.tap(point["x"], point["y"])
        wait_for_panels(page, "Movies", "IMDB")
        page.wait_for_function("() => new URLSearchParams(location.search).get('col') === 'IMDB'")
        assert link(page)["row"] == "Movies"
        point = cell_center(page, "Math", "NLI")
        page.wait_for_timeout(400)  # not a double tap
        page.touchscreen.tap(point["x"], point["y"])
        wait_for_panels(page, "Math", "NLI")
        assert page.evaluate(ranges % HEATMAP_PLOT) == before  # a tap zooms nothing
        assert not errors
    finally:
        context.close()
