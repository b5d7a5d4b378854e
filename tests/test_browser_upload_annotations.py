"""Task annotations through the drop zone in real Chromium: a matrix and its annotations dropped
together open with both; an annotations file dropped alone attaches to the matrix on screen; a bad
one shows its message (which file, which line) and the page keeps working."""

from __future__ import annotations

from urllib.parse import parse_qs

from components import ids

from browser import drop, heatmap_data, query_of, wait_for_heatmap, wait_for_rows
from conftest import get_json

MATRIX = b"train\\test,Alpha,Beta,Gamma\nAlpha,0.5,-0.25,0.1\nBeta,0.2,0.3,\nGamma,-0.1,0.0,0.4\n"
TASKS = b"task,kind,domain\nAlpha,QA,web\nBeta,QA,\nGamma,math,school\n"
FAMILIES = b"task,family\nAlpha,reading\nBeta,reading\nGamma,numbers\n"
DUPLICATE = b"task,kind\nAlpha,QA\nBeta,QA\nAlpha,math\n"
OTHER = b"train,test,AUC\nSST-2,SST-2,0.91\nSST-2,IMDB,0.84\nIMDB,SST-2,0.80\nIMDB,IMDB,0.93\n"


def drop_files(page, files: list[tuple[str, bytes]]) -> None:
    """Several files dropped on the upload card at once."""
    page.set_input_files(f"#{ids.UPLOAD} input[type=file]",
                         files=[{"name": name, "mimeType": "text/csv", "buffer": data} for name, data in files])


def wait_for_status(page, text: str) -> str:
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent.includes(text)",
        arg=[ids.UPLOAD_STATUS, text], timeout=20_000,
    )
    return page.inner_text(f"#{ids.UPLOAD_STATUS}")


def wait_for_query(page, key: str, value: str | None = None) -> dict:
    """Until the address bar has `key` (with `value` if given); its fields."""
    page.wait_for_function(
        """([key, value]) => { const v = new URLSearchParams(window.location.search).get(key);
                               return v !== null && (value === null || v === value); }""",
        arg=[key, value], timeout=20_000,
    )
    return {k: v[0] for k, v in parse_qs(query_of(page).lstrip("?")).items()}


def test_drop_matrix_with_annotations_then_annotations_alone_then_a_bad_file(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)

    # A matrix and its annotations together: the link carries both.
    drop_files(page, [("results.csv", MATRIX), ("tasks.csv", TASKS)])
    wait_for_rows(page, ["Alpha", "Beta", "Gamma"])
    status = wait_for_status(page, "Annotations:")
    assert status == "Opened 'results': 3 train x 3 test datasets. Annotations: 3 tasks, 2 fields (kind, domain)."
    first = wait_for_query(page, "ann")
    assert len(first["dataset"]) == 32 and len(first["ann"]) == 32
    view = get_json(f"{live_server.url}/api/view{query_of(page)}")
    assert view["annotations"]["id"] == first["ann"] and view["annotations"]["fields"] == ["kind", "domain"]
    assert view["annotations"]["rows"][0] == {"kind": "QA", "domain": "web"}

    # Annotations alone: attached to the matrix on screen, the rest of the view kept.
    drop(page, "families.csv", FAMILIES)
    assert wait_for_status(page, "Annotations: 3 tasks, 1 field") == "Annotations: 3 tasks, 1 field (family)."
    page.wait_for_function("(ann) => !window.location.search.includes(ann)", arg=first["ann"], timeout=20_000)
    second = wait_for_query(page, "ann")
    assert second["dataset"] == first["dataset"] and second["ann"] != first["ann"]
    assert heatmap_data(page)["rows"] == ["Alpha", "Beta", "Gamma"]
    assert get_json(f"{live_server.url}/api/view{query_of(page)}")["annotations"]["fields"] == ["family"]

    # A bad annotations file: its message, the view as it was.
    before = query_of(page)
    drop(page, "dup.csv", DUPLICATE)
    message = wait_for_status(page, "dup.csv (annotations)")
    assert message.startswith("dup.csv (annotations): line 4: task 'Alpha' is annotated twice (line 2 and line 4)")
    assert query_of(page) == before and heatmap_data(page)["rows"] == ["Alpha", "Beta", "Gamma"]

    # Beside a good matrix: neither is opened, and the message names the bad file.
    drop_files(page, [("other.csv", OTHER), ("dup.csv", DUPLICATE)])
    page.wait_for_function(
        "(id) => document.getElementById(id).textContent.startsWith('dup.csv (annotations)')",
        arg=ids.UPLOAD_STATUS, timeout=20_000,
    )
    assert query_of(page) == before

    # The page keeps working: the next drop opens.
    drop(page, "other.csv", OTHER)
    wait_for_rows(page, ["SST-2", "IMDB"])
    assert "ann" not in wait_for_query(page, "dataset")
    assert "Opened 'other'" in page.inner_text(f"#{ids.UPLOAD_STATUS}")


def test_two_matrices_dropped_together_are_refused(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    before = query_of(page)
    drop_files(page, [("a.csv", MATRIX), ("b.csv", OTHER)])
    message = wait_for_status(page, "both read as matrices")
    assert message.startswith("a.csv and b.csv both read as matrices")
    assert query_of(page) == before
