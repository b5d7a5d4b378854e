"""The drop zone in real Chromium with files it could not read before: an .xlsx workbook opens;
a table whose columns are ambiguous shows the mapping step and opens once a person chooses the
columns; an unsupported binary shows what it looks like and replaces the previous file's message."""

from __future__ import annotations

import io

import openpyxl
import pytest

from components import ids

from browser import choose_dropdown, drop, heatmap_data, query_of, wait_for_heatmap, wait_for_rows

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A long table whose header names none of its columns' roles: the value guess is the last
# numeric column (loss); the person picks acc.
RUNS = (b"model,dataset,seed,acc,loss\nbert,mnli,1,0.5,2.5\nbert,mnli,2,0.7,2.1\nbert,snli,1,0.6,2.2\n"
        b"roberta,mnli,1,0.1,2.9\nroberta,snli,1,0.2,2.8\nroberta,snli,2,0.4,2.4\n")



def workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Seeds"
    for row in [["train", "test", "seed", "auc"], ["SST-2", "SST-2", 1, 0.9], ["SST-2", "SST-2", 2, 0.92],
                ["SST-2", "IMDB", 1, 0.84], ["IMDB", "SST-2", 1, 0.8], ["IMDB", "IMDB", 1, 0.93]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def status(page) -> str:
    return page.inner_text(f"#{ids.UPLOAD_STATUS}")


def wait_for_status(page, fragment: str) -> None:
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).textContent.includes(text)", arg=[ids.UPLOAD_STATUS, fragment],
        timeout=20_000,
    )


def dropdown_value(page, component_id: str) -> str:
    return page.inner_text(f"#{component_id}").strip()


def test_workbook_mapping_step_and_unsupported_binary(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    assert page.locator(f"#{ids.UPLOAD_MAPPING}").is_hidden()

    drop(page, "seeds.xlsx", workbook(), XLSX_TYPE)
    wait_for_rows(page, ["SST-2", "IMDB"])
    assert heatmap_data(page)["z"][0] == [pytest.approx(0.91), pytest.approx(0.84)]  # the mean of two seeds
    assert status(page) == "Opened 'seeds': 2 train x 2 test datasets, up to 2 replicates per cell."
    xlsx_query = query_of(page)

    drop(page, "runs.csv", RUNS)
    page.wait_for_selector(f"#{ids.UPLOAD_MAPPING}", state="visible", timeout=20_000)
    assert "runs.csv: row 'bert', column 'dataset': 'mnli' is not a number" in status(page)
    assert [dropdown_value(page, field) for field in
            (ids.UPLOAD_MAP_TRAIN, ids.UPLOAD_MAP_TEST, ids.UPLOAD_MAP_REPLICATE, ids.UPLOAD_MAP_VALUE)] == [
        "model", "dataset", "seed", "loss"]
    assert query_of(page) == xlsx_query  # nothing opened yet
    choose_dropdown(page, ids.UPLOAD_MAP_VALUE, "acc")
    page.click(f"#{ids.UPLOAD_MAP_READ}")
    wait_for_rows(page, ["bert", "roberta"])
    assert [pytest.approx(row) for row in heatmap_data(page)["z"]] == [[0.6, 0.6], [0.1, 0.3]]
    assert status(page).startswith("Opened 'runs': 2 train x 2 test datasets")
    page.wait_for_selector(f"#{ids.UPLOAD_MAPPING}", state="hidden", timeout=10_000)
    runs_query = query_of(page)
    assert runs_query != xlsx_query

    # A PDF: the success message about runs.csv is replaced, the view stays as it was.
    drop(page, "paper.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf")
    wait_for_status(page, "paper.pdf:")
    assert "paper.pdf: the file is not text: it looks like a PDF document" in status(page)
    assert "Opened" not in status(page) and "text-danger" in page.get_attribute(f"#{ids.UPLOAD_STATUS}", "class")
    assert query_of(page) == runs_query and heatmap_data(page)["rows"] == ["bert", "roberta"]

    # An ambiguous file then a good one: the mapping step of the first does not stay.
    drop(page, "runs-again.csv", RUNS.replace(b"0.5,", b"0.55,"))
    page.wait_for_selector(f"#{ids.UPLOAD_MAPPING}", state="visible", timeout=20_000)
    drop(page, "seeds.xlsx", workbook(), XLSX_TYPE)
    wait_for_rows(page, ["SST-2", "IMDB"])
    page.wait_for_selector(f"#{ids.UPLOAD_MAPPING}", state="hidden", timeout=10_000)
    assert status(page).startswith("Opened 'seeds'")
