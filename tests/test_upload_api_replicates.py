"""Replicates over HTTP, through the drop zone's callbacks, from the command line and from a
notebook: the column mapping (`?train=&test=&replicate=&value=`), `?sheet=`, the 400 answer for
an ambiguous table (with its columns and guesses), and spreadsheets everywhere."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from components import ids
from transfer.parsing import parse_matrix

from callbacks import CALLBACK_PATH, callback_body, callback_key
from conftest import ROOT
from replicated import xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNNAMED = (b"model,dataset,seed,acc\nbert,mnli,1,0.5\nbert,mnli,2,0.7\nbert,snli,1,0.6\nrob,mnli,1,0.1\n"
           b"rob,snli,1,0.2\nrob,snli,2,0.4\n")
UNNAMED_MEANS = [[0.6, 0.6], [0.1, 0.30000000000000004]]
SEEDS = b"train,test,seed,auc\nA,A,1,0.5\nA,A,2,0.7\nA,B,1,0.1\nB,A,1,0.2\nB,B,1,0.3\nB,B,2,0.5\n"
SEEDS_MEANS = [[0.6, 0.1], [0.2, 0.4]]



def rows_of(text: bytes) -> list[list]:
    """A CSV's rows as a sheet holds them: numbers as numbers."""
    def cell(value: str):
        try:
            return float(value)
        except ValueError:
            return value
    return [[cell(v) for v in line.split(",")] for line in text.decode().splitlines()]


WORKBOOK = xlsx({"Notes": [["the results are on the next sheet"]], "Seeds": rows_of(SEEDS)})


def post(client, data: bytes, query: str = "", filename: str | None = None, content_type: str = "text/csv"):
    if filename:
        return client.post(f"/api/datasets{query}", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    return client.post(f"/api/datasets{query}", data=data, content_type=content_type)


def view_of(client, body: dict) -> dict:
    return client.get(f"/api/view?dataset={body['id']}").get_json()


# --- POST /api/datasets ----------------------------------------------------------------------------

def test_post_long_file_with_replicates_stores_the_means_and_the_replicates(app, client):
    response = post(client, SEEDS, filename="seeds.csv")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert view_of(client, body)["values"] == SEEDS_MEANS
    stored = app.server.config["TMX_DATASETS"].get(body["id"])
    assert stored.spread.ids == ("1", "2") and stored.content_id() == body["id"]


@pytest.mark.parametrize("multipart", [True, False], ids=["multipart", "raw-body"])
def test_post_with_a_column_mapping(client, multipart):
    query = "?train=model&test=dataset&replicate=seed&value=acc"
    response = post(client, UNNAMED, query, filename="runs.csv" if multipart else None)
    assert response.status_code == 201, response.get_json()
    view = view_of(client, response.get_json())
    assert view["rows"] == ["bert", "rob"] and view["cols"] == ["mnli", "snli"]
    assert view["values"] == UNNAMED_MEANS and view["dataset"]["metric"] == "acc"


def test_post_mapping_subset_and_no_replicate(client):
    response = post(client, UNNAMED, "?train=model&test=dataset")  # seed and acc recognised
    assert response.status_code == 201 and view_of(client, response.get_json())["values"] == UNNAMED_MEANS
    refused = post(client, UNNAMED, "?train=model&test=dataset&replicate=&value=acc")  # no replicate column
    assert refused.status_code == 400 and "duplicate pair train 'bert', test 'mnli'" in refused.get_json()["error"]


def test_post_ambiguous_table_answers_400_with_its_columns_and_guesses(client):
    response = post(client, UNNAMED, filename="runs.csv")
    assert response.status_code == 400
    body = response.get_json()
    assert "'mnli' is not a number" in body["error"] and "long table" in body["error"]
    assert body["columns"] == ["model", "dataset", "seed", "acc"]
    assert body["guesses"] == {"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}
    several = post(client, b"train,test,auc,acc\nA,A,1,2\n").get_json()
    assert several["columns"] == ["train", "test", "auc", "acc"] and "several value columns" in several["error"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [("?train=nope", "the train column 'nope' is not in the header; the columns are 'model', 'dataset', 'seed', "
                     "'acc'"),
     ("?train=model&test=model", "chosen as train and test"),
     ("?value=", "the value column cannot be left out")],
    ids=["unknown-column", "same-column", "empty-value"],
)
def test_post_bad_mapping_is_refused_with_a_message(client, query, fragment):
    response = post(client, UNNAMED, query)
    assert response.status_code == 400 and fragment in response.get_json()["error"]
    assert "columns" not in response.get_json()


@pytest.mark.parametrize("sheet", ["Seeds", "2"], ids=["by-name", "by-number"])
def test_post_workbook_sheet(client, sheet):
    response = post(client, WORKBOOK, f"?sheet={sheet}", filename="results.xlsx")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "results" and view_of(client, body)["values"] == SEEDS_MEANS


def test_post_workbook_raw_body_and_its_refusals(client):
    ok = post(client, WORKBOOK, "?sheet=Seeds", content_type=XLSX_TYPE)
    assert ok.status_code == 201 and view_of(client, ok.get_json())["values"] == SEEDS_MEANS
    first = post(client, WORKBOOK, content_type=XLSX_TYPE)  # the first sheet is notes
    assert first.status_code == 400 and "sheet 'Notes'" in first.get_json()["error"]
    assert "also has 'Seeds'" in first.get_json()["error"]
    missing = post(client, WORKBOOK, "?sheet=Summary", content_type=XLSX_TYPE)
    assert missing.status_code == 400
    assert "no sheet 'Summary'; its sheets are 'Notes', 'Seeds'" in missing.get_json()["error"]
    csv_with_sheet = post(client, SEEDS, "?sheet=1")
    assert csv_with_sheet.status_code == 400 and "not an Excel workbook" in csv_with_sheet.get_json()["error"]


def test_post_workbook_needing_a_mapping(client):
    data = xlsx({"Runs": rows_of(UNNAMED)})
    ambiguous = post(client, data, filename="runs.xlsx")
    assert ambiguous.status_code == 400 and ambiguous.get_json()["guesses"]["value"] == "acc"
    mapped = post(client, data, "?train=model&test=dataset&value=acc", filename="runs.xlsx")
    assert mapped.status_code == 201 and view_of(client, mapped.get_json())["values"] == UNNAMED_MEANS


@pytest.mark.parametrize(
    ("data", "fragment"),
    [(b"%PDF-1.7\n\xe2\xe3\xcf\xd3", "a PDF document"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "(.xls)"),
     (b"PK\x05\x06" + b"\x00" * 18, "ZIP archive without a workbook")],
    ids=["pdf", "xls", "empty-zip"],
)
def test_post_other_binaries_say_what_they_look_like(client, data, fragment):
    response = post(client, data, filename="upload.bin")
    assert response.status_code == 400 and fragment in response.get_json()["error"]


# --- the drop zone's callbacks, through Dash's endpoint ---------------------------------------------

def data_url(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def callback(client, app, input_id: str, values: dict) -> dict:
    response = client.post(CALLBACK_PATH, json=callback_body(app, callback_key(app, input_id), values))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def test_drop_of_an_ambiguous_table_shows_the_mapping_step_and_reading_it_opens_the_matrix(app, client):
    client.get("/")
    staged = {"contents": data_url(UNNAMED), "filename": "runs.csv"}
    answer = callback(client, app, ids.UPLOAD_STAGED, {ids.UPLOAD_STAGED: staged})
    assert answer[ids.UPLOAD_MAPPING] == {"hidden": False}
    assert "runs.csv: row 'bert', column 'dataset'" in answer[ids.UPLOAD_STATUS]["children"]
    assert [o["value"] for o in answer[ids.UPLOAD_MAP_TRAIN]["options"]] == ["model", "dataset", "seed", "acc"]
    guesses = {field: answer[field]["value"] for field in
               (ids.UPLOAD_MAP_TRAIN, ids.UPLOAD_MAP_TEST, ids.UPLOAD_MAP_REPLICATE, ids.UPLOAD_MAP_VALUE)}
    assert guesses == {ids.UPLOAD_MAP_TRAIN: "model", ids.UPLOAD_MAP_TEST: "dataset", ids.UPLOAD_MAP_REPLICATE: "seed",
                       ids.UPLOAD_MAP_VALUE: "acc"}
    assert ids.VIEW_OPEN not in answer

    opened = callback(client, app, ids.UPLOAD_MAP_READ, {ids.UPLOAD_MAP_READ: 1, ids.UPLOAD_STAGED: staged, **guesses})
    assert opened[ids.UPLOAD_MAPPING] == {"hidden": True}
    assert opened[ids.UPLOAD_STATUS]["children"] == ("Opened 'runs': 2 train x 2 test datasets, up to 2 replicates "
                                                     "per cell.")
    query = opened[ids.VIEW_OPEN]["data"]["query"]
    assert client.get(f"/api/view?{query}").get_json()["values"] == UNNAMED_MEANS

    # A mapping that does not read keeps the step open and says why.
    wrong = {**guesses, ids.UPLOAD_MAP_VALUE: "dataset"}
    refused = callback(client, app, ids.UPLOAD_MAP_READ, {ids.UPLOAD_MAP_READ: 2, ids.UPLOAD_STAGED: staged, **wrong})
    assert refused[ids.UPLOAD_MAPPING] == {"hidden": False}
    assert refused[ids.UPLOAD_STATUS]["children"] == ("runs.csv: the column 'dataset' is chosen as test and value; "
                                                      "choose a different column for each")


def test_drop_of_a_workbook_and_of_a_pdf(app, client):
    client.get("/")
    staged = {"contents": data_url(WORKBOOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              "filename": "seeds.xlsx"}
    answer = callback(client, app, ids.UPLOAD_STAGED, {ids.UPLOAD_STAGED: staged})
    assert "seeds.xlsx: sheet 'Notes'" in answer[ids.UPLOAD_STATUS]["children"]  # its first sheet is notes
    single = {"contents": data_url(xlsx({"Seeds": rows_of(SEEDS)}), "application/octet-stream"), "filename": "s.xlsx"}
    answer = callback(client, app, ids.UPLOAD_STAGED, {ids.UPLOAD_STAGED: single})
    assert answer[ids.UPLOAD_STATUS]["children"].startswith("Opened 's': 2 train x 2 test datasets")
    pdf = {"contents": data_url(b"%PDF-1.4\n%\xe2\xe3", "application/pdf"), "filename": "paper.pdf"}
    answer = callback(client, app, ids.UPLOAD_STAGED, {ids.UPLOAD_STAGED: pdf})
    assert answer[ids.UPLOAD_STATUS]["children"].startswith("paper.pdf: the file is not text: it looks like a PDF")
    assert answer[ids.UPLOAD_MAPPING] == {"hidden": True}


# --- the command line -------------------------------------------------------------------------------

FORMS = {
    "long-replicates.csv": SEEDS,
    "summary.csv": b"train,test,auc,auc_std,auc_n\nA,A,0.6,0.1,2\nA,B,0.1,,1\nB,A,0.2,,1\nB,B,0.4,0.1,2\n",
    "replicates.json": json.dumps({"rows": ["A", "B"], "cols": ["A", "B"], "replicates": ["1", "2"],
                                   "values": [[[0.5, 0.7], [0.1, None]], [[0.2, None], [0.3, 0.5]]]}).encode(),
    "summary.json": json.dumps({"rows": ["A", "B"], "cols": ["A", "B"], "values": SEEDS_MEANS,
                                "std": [[0.1, None], [None, 0.1]], "n": [[2, 1], [1, 2]]}).encode(),
    "seeds.xlsx": xlsx({"Seeds": rows_of(SEEDS)}),
    "semicolon.csv": b"train;test;seed;auc\nA;A;1;0,5\nA;A;2;0,7\nA;B;1;0,1\nB;A;1;0,2\nB;B;1;0,3\nB;B;2;0,5\n",
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_command_line_file_in_each_form_becomes_the_default_view(make_app, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(FORMS[name])
    view = make_app(initial_file=str(path)).server.test_client().get("/api/view").get_json()
    assert view["rows"] == ["A", "B"] and np.allclose(view["values"], SEEDS_MEANS)
    assert view["dataset"]["name"] == path.stem


def test_command_line_refuses_an_old_excel_file_with_a_message(tmp_path, sqlite_url):
    path = tmp_path / "results.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    result = subprocess.run(
        [sys.executable, "app.py", str(path)], cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": sqlite_url},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "results.xls: the file is not text: it looks like an Excel 97-2003 workbook (.xls)" in result.stderr


# --- the notebook -----------------------------------------------------------------------------------

def test_explore_a_long_frame_with_seeds_and_with_a_mapping(sqlite_url):
    from app import explore
    from web.config import Config

    frame = pd.read_csv(io.BytesIO(SEEDS))
    app = explore(frame, name="Seeds", run=False, config=Config(database_url=sqlite_url))
    view = app.server.test_client().get("/api/view").get_json()
    assert view["values"] == SEEDS_MEANS and view["dataset"]["name"] == "Seeds"
    runs = pd.read_csv(io.BytesIO(UNNAMED))
    app = explore(runs, columns={"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}, run=False,
                  config=Config(database_url=sqlite_url))
    assert app.server.test_client().get("/api/view").get_json()["values"] == UNNAMED_MEANS


def test_means_shown_are_the_parsers():
    assert parse_matrix(UNNAMED, columns={"train": "model", "test": "dataset"}).values.tolist() == UNNAMED_MEANS
