"""The table tab in real Chromium: scoped headers, sorting from the keyboard with aria-sort and the
link, threshold marks in text, Back, a fresh browser on the link, and a 1000 x 1000 matrix shown
a window at a time with its pagers."""

from __future__ import annotations

import numpy as np

from components import ids
from transfer.matrix import TransferMatrix
from web import services

from browser import save_screenshot
from link_checks import DEFAULT, SLIDER, SWITCH, PageWatch, check_link_is_view, settle

SNAPSHOT_JS = f"""() => {{
  const root = document.getElementById("{ids.TABLE}");
  const heads = Array.from(root.querySelectorAll("thead th"));
  return {{
    search: location.search,
    status: document.getElementById("{ids.TABLE_STATUS}").textContent,
    head_scopes: heads.map(th => th.getAttribute("scope")),
    row_scopes: Array.from(root.querySelectorAll("tbody th")).map(th => th.getAttribute("scope")),
    cols: heads.slice(1).map(th => th.querySelector(".tmx-table-label").textContent),
    rows: Array.from(root.querySelectorAll("tbody th")).map(th => th.textContent),
    sorted: heads.map(th => th.getAttribute("aria-sort")).map((s, i) => s ? [i, s] : null).filter(Boolean),
    cells: Array.from(root.querySelectorAll("tbody tr")).map(tr => Array.from(tr.querySelectorAll("td"))
      .map(td => td.textContent)),
    visible_marks: Array.from(root.querySelectorAll("tbody .tmx-mark")).map(m => m.textContent.trim()),
    described: Array.from(root.querySelectorAll("tbody td .visually-hidden")).map(s => s.textContent),
    legend: document.getElementById("{ids.TABLE_LEGEND}").textContent,
    focused: document.activeElement && (document.activeElement.getAttribute("data-table-key")
                                       || document.activeElement.getAttribute("aria-label")),
  }};
}}"""


def snapshot(page) -> dict:
    return page.evaluate(SNAPSHOT_JS)


def wait_for_status(page, text: str) -> None:
    page.wait_for_function(f"""(text) => {{ const s = document.getElementById("{ids.TABLE_STATUS}");
                                          return !!s && s.textContent.includes(text); }}""", arg=text, timeout=30_000)


def press_from_keyboard(page, key: str, pressed: str = "Enter") -> None:
    """Tab from the first header button to the sort button of `key` (data-table-key), then press it."""
    page.locator(f"#{ids.TABLE} thead button").first.focus()
    for _ in range(40):
        if page.evaluate("() => document.activeElement.getAttribute('data-table-key')") == key:
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('data-table-key')") == key
    page.keyboard.press(pressed)


def test_the_table_sorts_from_the_keyboard_marks_thresholds_in_text_and_is_its_link(live_server, page, browser):
    PageWatch.attach(page)
    page.goto(f"{live_server.url}/?dataset={DEFAULT}&tab=table")
    settle(page)
    seen, api = check_link_is_view(page, live_server.url, "opened on the table tab")
    table = snapshot(page)
    assert table["rows"] == api["rows"] and table["cols"] == api["cols"]  # the heatmap's order
    assert set(table["head_scopes"]) == {"col"} and set(table["row_scopes"]) == {"row"}
    assert table["status"] == f"Rows 1–{len(api['rows'])} of {len(api['rows'])}, columns 1–{len(api['cols'])} of " \
                              f"{len(api['cols'])}."
    assert table["cells"] == api["table"]["text"] and table["sorted"] == [] and table["visible_marks"] == []
    assert "No threshold is on" in table["legend"]

    # Sort by the third test dataset from the keyboard: ascending, then (Enter again) descending.
    column = api["cols"][2]
    values = np.array([[np.nan if v is None else v for v in row] for row in api["values"]])[:, 2]
    press_from_keyboard(page, f"sort:{column}")
    page.wait_for_function(f"""() => document.querySelector("#{ids.TABLE} thead th:nth-child(4)")
                                   .getAttribute("aria-sort") === "ascending" """)
    settle(page)
    check_link_is_view(page, live_server.url, "sorted ascending")
    table = snapshot(page)
    assert table["search"].endswith(f"&tab=table&tsort=asc%3A{column}")
    assert table["sorted"] == [[3, "ascending"]]
    assert table["rows"] == [api["rows"][i] for i in np.argsort(values, kind="stable")]
    assert table["focused"] == f"sort:{column}"  # the redrawn table keeps the keyboard's place
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => location.search.endsWith('tsort=desc%3A{column}')")
    settle(page)
    check_link_is_view(page, live_server.url, "sorted descending")
    descending = snapshot(page)
    assert descending["sorted"] == [[3, "descending"]]
    assert descending["rows"] == [api["rows"][i] for i in np.argsort(-values, kind="stable")]

    # A threshold switched on, then moved by its slider's keys: marks appear as text, described.
    page.click(f"#{SWITCH['pos']}")
    page.wait_for_function("() => location.search.includes('pos=')")
    settle(page)
    _, on = check_link_is_view(page, live_server.url, "positive threshold on")
    marked = snapshot(page)
    positives = sum(row.count("positive") for row in on["table"]["marks"])
    assert positives > 0 and marked["visible_marks"] == ["▲"] * positives
    assert set(marked["described"]) == {f", positive transfer: at or above the positive threshold {on['state']['pos']}"}
    assert "▲ positive transfer: at or above the positive threshold" in marked["legend"]
    # not colour alone: each marked cell's own text says it
    assert all("▲" in cell for row in marked["cells"] for cell in row if "positive transfer" in cell)
    page.wait_for_timeout(1100)  # a later step: moves of one threshold within a second are one history entry
    thumb = page.locator(f"#{SLIDER['pos']} [role=slider]")
    thumb.focus()
    for _ in range(5):
        thumb.press("ArrowLeft")
    page.wait_for_function("(pos) => !location.search.includes('pos=' + pos)", arg=str(on["state"]["pos"]))
    settle(page)
    _, lower = check_link_is_view(page, live_server.url, "positive threshold lowered")
    more = sum(row.count("positive") for row in lower["table"]["marks"])
    assert more > positives and snapshot(page)["visible_marks"] == ["▲"] * more
    save_screenshot(page, "table-view.png")

    # Back: the threshold before the slider moved, then the sort before the last press.
    page.go_back()
    settle(page)
    check_link_is_view(page, live_server.url, "after Back")
    assert snapshot(page)["visible_marks"] == ["▲"] * positives
    page.go_back()
    settle(page)
    check_link_is_view(page, live_server.url, "after Back again")
    page.go_back()
    settle(page)
    check_link_is_view(page, live_server.url, "after Back a third time")
    back = snapshot(page)
    assert back["sorted"] == [[3, "ascending"]] and back["visible_marks"] == []

    # A fresh browser on the link shows the same table.
    page.go_forward()
    page.go_forward()
    settle(page)
    before = snapshot(page)
    assert before["sorted"] == [[3, "descending"]] and before["visible_marks"]
    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        watch = PageWatch.attach(other)
        other.goto(f"{live_server.url}/{before['search']}")
        settle(other)
        check_link_is_view(other, live_server.url, "the link in a fresh browser")
        after = snapshot(other)
        assert {**after, "focused": None} == {**before, "focused": None}
        assert not watch.errors
    finally:
        fresh.close()
    assert not page.watch.errors


N = 1000


def test_a_1000_by_1000_matrix_shows_a_window_and_pages_through_it(app, live_server, page, browser):
    rng = np.random.default_rng(11)
    labels = [f"t{i:04d}" for i in range(N)]
    values = rng.normal(0, 0.1, (N, N))
    values[rng.random((N, N)) < 0.01] = np.nan
    matrix = TransferMatrix(rows=labels, cols=labels, values=values, name="big", metric="AUC difference")
    dataset_id = app.server.config[services.DATASETS_KEY].put(matrix)
    PageWatch.attach(page)
    page.goto(f"{live_server.url}/?dataset={dataset_id}&tab=table")
    settle(page, timeout=90)
    table = snapshot(page)
    assert table["status"] == "Rows 1–50 of 1000, columns 1–20 of 1000."
    assert table["rows"] == labels[:50] and table["cols"] == labels[:20]
    assert len(table["cells"]) == 50 and {len(row) for row in table["cells"]} == {20}
    assert page.locator(f"#{ids.TABLE} button[aria-label='Previous rows']").is_disabled()

    page.click(f"#{ids.TABLE} button[aria-label='Next rows']")
    wait_for_status(page, "Rows 51–100 of 1000, columns 1–20")
    page.locator(f"#{ids.TABLE} button[aria-label='Next columns']").press("Enter")
    wait_for_status(page, "Rows 51–100 of 1000, columns 21–40 of 1000.")
    settle(page, timeout=60)
    check_link_is_view(page, live_server.url, "rows and columns paged")
    paged = snapshot(page)
    assert paged["search"].endswith("&tab=table&trpage=2&tcpage=2")
    assert paged["rows"] == labels[50:100] and paged["cols"] == labels[20:40]
    assert paged["focused"] == "tcpage:Next"  # the redrawn table keeps the keyboard's place

    page.go_back()
    wait_for_status(page, "Rows 51–100 of 1000, columns 1–20 of 1000.")
    settle(page, timeout=60)
    check_link_is_view(page, live_server.url, "after Back")

    # Sorting goes back to the first page of rows, sorted by the whole column.
    page.click(f"#{ids.TABLE} thead button[data-table-key='sort:t0007']")
    page.click(f"#{ids.TABLE} thead button[data-table-key='sort:t0007']")
    page.wait_for_function("() => location.search.endsWith('tsort=desc%3At0007')")
    wait_for_status(page, "Rows 1–50 of 1000, columns 1–20 of 1000; sorted by t0007, descending.")
    settle(page, timeout=60)
    _, api = check_link_is_view(page, live_server.url, "sorted")
    table = snapshot(page)
    assert table["rows"] == [labels[i] for i in np.argsort(-values[:, 7], kind="stable")[:50]]
    assert api["table"]["rows"] == table["rows"]

    fresh = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        other = fresh.new_page()
        other.goto(f"{live_server.url}/{table['search']}")
        settle(other, timeout=90)
        assert {**snapshot(other), "focused": None} == {**table, "focused": None}
    finally:
        fresh.close()
    assert not page.watch.errors
