"""The "Tasks" card in real Chromium, as a person uses it: colour tracks drawn in each value's own
colour with a hover naming the task's annotations, group order with gaps, the search box, kept
values of a field, a collapsed matrix with its block hover, the clusters' agreement with a field,
the within-vs-between insight; after every step the link is the view, Back and Forward walk the
steps back and forth, a fresh browser opens the last link as the same screen, and the card works
on a phone."""

from __future__ import annotations

import zlib
from urllib.parse import urlencode

import pytest

from components import ids
from transfer.annotations import parse_annotations
from web.services import DATASETS_KEY

from browser import HEATMAP_PLOT, hover_cell, open_section, save_screenshot
from conftest import ROOT
from link_checks import (
    PageWatch,
    check_link_is_view,
    choose_option,
    choose_radio,
    clear_search,
    same_screen,
    search_tasks,
    settle,
)

DATASET = "mistral-7b-instruct_auc-diff"
ORGAD = parse_annotations((ROOT / "data" / "orgad2025-tasks.csv").read_bytes(), "orgad2025-tasks.csv")
# Groups that cut across the file's order (the bundled file lists tasks by type already), and a
# task left unannotated.
FAMILIES = (b"task,family,size\nTriviaQA,open,big\nHotpotQA,multi,big\nMovies,open,small\nWinobias,multi,small\n"
            b"Winogrande,open,small\nNLI,multi,big\nIMDB,open,big\nMath,multi,small\nHotpotQA_WC,open,small\n")
BY_FAMILY = ["TriviaQA", "Movies", "Winogrande", "IMDB", "HotpotQA_WC", "HotpotQA", "Winobias", "NLI", "Math", "NQ_WC"]


# --- reading the screen -------------------------------------------------------------------------

_STRIP_JS = """([selector, field, label, axis]) => {
  const gd = document.querySelector(selector), L = gd._fullLayout, box = gd.getBoundingClientRect();
  const strips = axis === "row" ? L.xaxis6 : L.yaxis6, cells = axis === "row" ? L.yaxis : L.xaxis;
  if (!strips) return null;
  // the strips' axis names its fields: as categories, or ticks at each field's position
  const ticks = strips.ticktext || [], at = ticks.indexOf(field);
  const fi = (strips._categories || []).length ? strips._categories.indexOf(field)
                                                : (at < 0 ? -1 : strips.tickvals[at]);
  const li = cells._categories.indexOf(label);
  if (fi < 0 || li < 0) return null;
  const along = box[axis === "row" ? "top" : "left"] + cells._offset + cells.l2p(li);
  const across = box[axis === "row" ? "left" : "top"] + strips._offset + strips.l2p(fi);
  return axis === "row" ? {x: across, y: along} : {x: along, y: across};
}"""


def strip_point(page, field: str, label: str, axis: str) -> dict:
    """The page pixel at the middle of `label`'s square in `field`'s strip along `axis`."""
    page.locator(HEATMAP_PLOT).scroll_into_view_if_needed()
    point = page.evaluate(_STRIP_JS, [HEATMAP_PLOT, field, label, axis])
    assert point is not None, f"no {axis} strip of {field!r} with {label!r} on the heatmap"
    return point


def pixel(page, point: dict) -> tuple[int, int, int]:
    """The colour of one page pixel as drawn (a 1 x 1 screenshot: one PNG scanline whose filter
    cannot change a first pixel, so its bytes are the colour)."""
    png = page.screenshot(clip={"x": int(point["x"]), "y": int(point["y"]), "width": 1, "height": 1})
    position, data = 8, b""
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        if png[position + 4:position + 8] == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(data)
    return raw[1], raw[2], raw[3]


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def close_to(seen, wanted, tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen, wanted))


def hover_at(page, point: dict) -> str:
    page.mouse.move(point["x"] - 2, point["y"] - 2)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(f"{HEATMAP_PLOT} .hoverlayer .hovertext", timeout=10_000)
    return page.evaluate(f"""() => Array.from(document.querySelectorAll("{HEATMAP_PLOT} .hoverlayer .hovertext text"))
                                   .map(t => t.textContent).join(" ")""")


def traces_named(page, name: str) -> list[dict]:
    return page.evaluate(f"""(name) => document.querySelector("{HEATMAP_PLOT}")._fullData
                             .filter(t => t.name === name).map(t => ({{x: Array.from(t.x || []),
                                                                     y: Array.from(t.y || [])}}))""", name)


def text_of(page, component_id: str) -> str:
    return page.locator(f"#{component_id}").inner_text()


def wait_for_link(page, part: str, present: bool = True) -> None:
    page.wait_for_function("([part, present]) => window.location.search.includes(part) === present",
                           arg=[part, present], timeout=15_000)


@pytest.fixture
def watched(page):
    PageWatch.attach(page)
    return page


def step(page, base: str, what: str, history: list) -> dict:
    """Settle, check the link is the view, keep the screen for Back and Forward."""
    settle(page)
    seen, api = check_link_is_view(page, base, what)
    assert not page.watch.errors, f"errors after {what}: {page.watch.errors}"
    history.append((what, seen))
    return api


# --- the tests -----------------------------------------------------------------------------------


def test_tracks_are_drawn_in_each_values_colour_and_hover_names_the_annotations(live_server, watched):
    page = watched
    page.goto(f"{live_server.url}/?dataset={DATASET}")
    settle(page)
    check_link_is_view(page, live_server.url, "the default view")
    page.mouse.move(1, 1)
    # the first field is drawn by default, along both axes, each task in its value's colour
    for label in ("TriviaQA", "Winobias", "NLI", "Math", "NQ_WC"):
        wanted = rgb(ORGAD.colour("task_type", ORGAD.value(label, "task_type")))
        for axis in ("row", "col"):
            seen = pixel(page, strip_point(page, "task_type", label, axis))
            assert close_to(seen, wanted), f"{label}'s {axis} strip is {seen}, its value's colour is {wanted}"
    # the hover of a strip names the task and its annotations
    text = hover_at(page, strip_point(page, "task_type", "Math", "row"))
    assert "Math" in text and "task_type: math" in text and "with_context: no" in text
    page.mouse.move(1, 1)

    # a second track, then none: one step each, the selects in step with the link
    assert choose_option(page, ids.ANN_TRACK_FIELDS, "with_context")
    wait_for_link(page, "track=task_type%2Cwith_context")
    settle(page)
    check_link_is_view(page, live_server.url, "two tracks")
    wanted = rgb(ORGAD.colour("with_context", "yes"))
    assert close_to(pixel(page, strip_point(page, "with_context", "HotpotQA_WC", "col")), wanted)
    assert close_to(pixel(page, strip_point(page, "task_type", "HotpotQA_WC", "col")),
                    rgb(ORGAD.colour("task_type", "reading comprehension")))
    page.locator(f"#{ids.ANN_TRACK_FIELDS} .dash-dropdown-clear").click()
    wait_for_link(page, "track=none")
    settle(page)
    check_link_is_view(page, live_server.url, "no tracks")
    assert not traces_named(page, "track task_type")
    page.go_back()
    wait_for_link(page, "track=task_type%2Cwith_context")
    settle(page)
    check_link_is_view(page, live_server.url, "Back to two tracks")
    assert len(traces_named(page, "track with_context")) == 2  # a strip along each axis


def test_each_step_of_the_card_is_the_link_and_back_and_forward_walk_them(app, live_server, watched, browser):
    page, base = watched, live_server.url
    ann_id = app.server.config[DATASETS_KEY].put_annotations(parse_annotations(FAMILIES, "families.csv"))
    history: list = []
    page.goto(f"{base}/?dataset={DATASET}&ann={ann_id}")
    api = step(page, base, "arrival with uploaded annotations", history)
    assert api["annotations"]["id"] == ann_id and api["annotations"]["tracks"] == ["family"]
    status = text_of(page, ids.ANN_STATUS)
    assert f"uploaded annotations {ann_id[:8]}" in status and "family, size" in status

    # group order: both axes sorted by the family's values, unannotated last, gaps between groups
    assert choose_option(page, ids.ANN_GROUP_BY, "family")
    wait_for_link(page, "group=family")
    api = step(page, base, "group by family", history)
    assert api["state"]["order"] == "group" and api["rows"] == BY_FAMILY == api["cols"]
    (gaps,) = traces_named(page, "group gaps")
    # between open | multi (after 5 tasks) and multi | (none) (after 9), along both axes
    assert sorted({y for y in gaps["y"] if y is not None and y not in (-0.5, 9.5)}) == [4.5, 8.5]
    insight = page.locator(f"#{ids.INSIGHTS}").inner_text()
    assert "family" in insight and "permutation p =" in insight
    assert page.locator(f"#{ids.CLUSTER_ORDER} input[value=group]").is_checked()

    # a cut: the clustering card says how far its clusters match the families
    handle = page.locator(f"#{ids.CLUSTER_K} [role=slider]")
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    wait_for_link(page, "k=2")
    api = step(page, base, "a cut at k=2", history)
    agreement = api["clusters"]["agreement"]
    assert agreement["field"] == "family"
    page.wait_for_function(f"""() => document.getElementById("{ids.CLUSTER_INFO}").innerText.includes("ARI")""")
    assert f"Clusters vs family: ARI {agreement['ari']:.2f}" in text_of(page, ids.CLUSTER_INFO)

    # the search box: Enter applies at once, and narrows the heatmap and the link
    search_tasks(page, "qa")
    wait_for_link(page, "filter=qa")
    api = step(page, base, "search 'qa'", history)
    assert sorted(api["rows"]) == ["HotpotQA", "HotpotQA_WC", "TriviaQA"]
    assert "Showing 3 of 10 train and 3 of 10 test tasks" in text_of(page, ids.ANN_STATUS)
    # ... and so does a pause in typing, without Enter
    search_tasks(page, "hotpot", key=None)
    wait_for_link(page, "filter=hotpot")
    api = step(page, base, "search 'hotpot' (a pause)", history)
    assert sorted(api["rows"]) == ["HotpotQA", "HotpotQA_WC"]
    clear_search(page)
    wait_for_link(page, "filter=", present=False)
    api = step(page, base, "search cleared", history)
    assert len(api["rows"]) == 10

    # keep the tasks of some values of a field: the values of the field chosen
    assert choose_option(page, ids.ANN_WHERE_FIELD, "size")
    assert choose_option(page, ids.ANN_WHERE_VALUES, "big")
    wait_for_link(page, "where=size%3Abig")
    api = step(page, base, "keep size big", history)
    assert api["rows"] == ["TriviaQA", "IMDB", "HotpotQA", "NLI"]  # in the families' order still
    assert choose_option(page, ids.ANN_WHERE_VALUES, "(none)")
    wait_for_link(page, "where=size%3Abig%7C%28none%29")
    api = step(page, base, "keep size big or unannotated", history)
    assert api["rows"][-1] == "NQ_WC" and len(api["rows"]) == 5

    # collapse: the group x group matrix, its blocks' hover naming their cells and members
    assert choose_option(page, ids.ANN_COLLAPSE, "family")
    wait_for_link(page, "collapse=family")
    api = step(page, base, "collapse by family", history)
    assert api["rows"] == ["open", "multi", "(none)"] == api["cols"]
    assert "Collapsed by family: 3 x 3 groups" in text_of(page, ids.ANN_STATUS)
    text = hover_cell(page, "open", "multi")
    assert "open → multi" in text and "cells" in text and "train: TriviaQA, IMDB" in text
    assert "test: HotpotQA, NLI" in text

    # Back walks every step back, each screen as it was; Forward walks them again
    for what, seen in reversed(history[:-1]):
        page.go_back()
        page.wait_for_function("(search) => window.location.search === search", arg=seen["search"])
        settle(page)
        again, _ = check_link_is_view(page, base, f"Back to {what}")
        wrong = same_screen(seen, again)
        assert not wrong, f"Back to {what} shows another screen:\n" + "\n".join(wrong)
    for what, seen in history[1:]:
        page.go_forward()
        page.wait_for_function("(search) => window.location.search === search", arg=seen["search"])
        settle(page)
        again, _ = check_link_is_view(page, base, f"Forward to {what}")
        assert not same_screen(seen, again), f"Forward to {what} shows another screen"

    # the copied link, in a fresh browser: the same screen
    final = history[-1][1]
    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        PageWatch.attach(other)
        other.goto(f"{base}/{final['search']}")
        settle(other)
        seen, _ = check_link_is_view(other, base, "the last link in a fresh browser")
        wrong = same_screen(final, seen)
        assert not wrong, "the last link opens another screen in a fresh browser:\n" + "\n".join(wrong)
        assert not other.watch.errors, other.watch.errors
    finally:
        fresh.close()


def test_the_order_control_offers_the_groups_and_the_card_says_without_annotations(live_server, watched):
    page, base = watched, live_server.url
    page.goto(f"{base}/?{urlencode({'dataset': DATASET, 'collapse': 'task_type'})}")
    settle(page)
    check_link_is_view(page, base, "collapsed by task_type")
    text = hover_cell(page, "factual QA", "factual QA")
    assert "factual QA → factual QA" in text and "6 cells" in text  # 3 x 3 less the 3 in-domain cells
    page.mouse.move(1, 1)
    assert choose_option(page, ids.ANN_COLLAPSE, "with_context")
    wait_for_link(page, "collapse=with_context")
    settle(page)
    check_link_is_view(page, base, "collapsed by with_context")
    # the order control's "Annotation groups" sorts by the first field
    page.locator(f"#{ids.ANN_COLLAPSE} .dash-dropdown-clear").click()
    wait_for_link(page, "collapse=", present=False)
    settle(page)
    choose_radio(page, ids.CLUSTER_ORDER, "group")
    wait_for_link(page, "order=group")
    settle(page)
    _, api = check_link_is_view(page, base, "order by the annotation groups")
    assert api["state"]["group"] == "task_type"
    page.evaluate("() => window.scrollTo(0, 0)")
    save_screenshot(page, "screenshot-tasks.png")  # the user guide's: tracks, legend, gaps
    assert page.locator(f"#{ids.ANN_GROUP_BY}").inner_text().strip() == "task_type"
    # clearing "Group by" goes back to the file's order
    page.locator(f"#{ids.ANN_GROUP_BY} .dash-dropdown-clear").click()
    wait_for_link(page, "order=group", present=False)
    settle(page)
    check_link_is_view(page, base, "no grouping")

    # an upload without annotations: the field selects are off, the search still works
    data = b"train\\test,Alpha,Beta,Gamma,Delta\nAlpha,0.5,-0.25,0.1,0\nBeta,0.2,0.3,,0.1\nGamma,-0.1,0,0.4,0.2\n" \
           b"Delta,0.1,0.2,0.3,0.4\n"
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]",
                         files=[{"name": "bare.csv", "mimeType": "text/csv", "buffer": data}])
    page.wait_for_function(f"() => document.getElementById('{ids.UPLOAD_STATUS}').textContent.includes('Opened')",
                           timeout=20_000)
    settle(page)
    check_link_is_view(page, base, "an upload without annotations")
    assert "no task annotations" in text_of(page, ids.ANN_STATUS)
    assert page.locator(f"#{ids.CLUSTER_ORDER} input[value=group]").count() == 0
    for select in (ids.ANN_WHERE_VALUES, ids.ANN_TRACK_FIELDS, ids.ANN_GROUP_BY, ids.ANN_COLLAPSE):
        assert page.locator(f"#{select}").is_disabled(), select
    search_tasks(page, "ta")
    wait_for_link(page, "filter=ta")
    settle(page)
    _, api = check_link_is_view(page, base, "search in an upload")
    assert api["rows"] == ["Beta", "Delta"]


def test_the_card_is_usable_on_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        PageWatch.attach(page)
        page.goto(f"{live_server.url}/?dataset={DATASET}")
        settle(page)
        open_section(page, "annotations")  # folded on a phone: a tap on its header's toggle opens it
        card = page.locator(".tmx-tasks")
        card.scroll_into_view_if_needed()
        # every control is on screen, within the phone's width, with a label a person can read
        controls = [ids.ANN_FILTER, ids.ANN_FILTER_CLEAR, ids.ANN_WHERE_FIELD, ids.ANN_WHERE_VALUES,
                    ids.ANN_TRACK_FIELDS, ids.ANN_GROUP_BY, ids.ANN_COLLAPSE]
        for control in controls:
            box = page.locator(f"#{control}").bounding_box()
            assert box and box["width"] >= 32 and box["height"] >= 32, (control, box)  # a finger-sized target
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (control, box)
        for label in ("Search tasks", "Keep tasks whose", "Tracks (up to 3 fields)", "Group by", "Collapse by"):
            assert page.locator("label", has_text=label).first.is_visible(), label
        assert page.get_by_role("button", name="Clear the search").is_visible()
        spilled = page.evaluate("""() => Array.from(document.querySelectorAll('.tmx-tasks *'))
                                     .filter(e => e.getBoundingClientRect().right > 390)
                                     .map(e => e.outerHTML.slice(0, 80))""")
        assert not spilled, f"the card spills past the phone's width: {spilled}"
        # and it works by touch: group by a field
        page.locator(f"#{ids.ANN_GROUP_BY}").tap()
        page.get_by_role("option", name="with_context").tap()
        wait_for_link(page, "group=with_context")
        settle(page)
        check_link_is_view(page, live_server.url, "grouped on a phone")
        card.scroll_into_view_if_needed()
        save_screenshot(page, "tasks-card-phone.png")
        assert not page.watch.errors, page.watch.errors
    finally:
        context.close()
