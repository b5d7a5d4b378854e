"""/api/view (the JSON twin of the page) and /healthz through Flask's test client."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from transfer.matrix import TransferMatrix
from web.routes import ANSWERS_KEY
from web.services import DATASETS_KEY

DATA = Path(__file__).resolve().parent.parent / "data"


def read_csv(name):
    with open(DATA / name, encoding="utf-8") as f:
        records = list(csv.reader(f))
    return [r[0] for r in records[1:]], records[0][1:], [[float(x) for x in r[1:]] for r in records[1:]]


def test_default_view_is_the_paper_figure(client):
    body = client.get("/api/view").get_json()
    rows, cols, values = read_csv("mistral-7b-instruct_auc-diff.csv")
    assert body["dataset"]["id"] == "mistral-7b-instruct_auc-diff"
    assert body["dataset"]["metric"] == "AUC difference" and body["dataset"]["neutral"] == 0
    assert body["rows"] == rows and body["cols"] == cols and body["values"] == values
    assert body["query"] == "dataset=mistral-7b-instruct_auc-diff" and body["notices"] == []


def test_each_bundled_dataset_is_served(client):
    for name in ("mistral-7b_auc", "llama-3-8b_auc-diff"):
        body = client.get(f"/api/view?dataset={name}").get_json()
        assert body["dataset"]["id"] == name
        assert body["values"] == read_csv(f"{name}.csv")[2]


def test_unknown_dataset_falls_back_with_notice(client):
    response = client.get("/api/view?dataset=nope&zzz=1")
    body = response.get_json()
    assert response.status_code == 200
    assert body["dataset"]["id"] == "mistral-7b-instruct_auc-diff"
    assert "Unknown dataset 'nope'; showing the default dataset." in body["notices"]
    assert "Ignored unknown parameter 'zzz'." in body["notices"]


def test_same_link_same_json(client):
    a = client.get("/api/view?dataset=llama-3-8b_auc&row=NLI").get_data()
    b = client.get("/api/view?row=NLI&dataset=llama-3-8b_auc").get_data()
    assert a == b


def test_an_answer_is_written_once_and_served_gzipped_or_plain(app, client):
    """A view's answer is kept gzipped: the same view again (however its link is spelled) is not
    written again, and it reaches a client that takes gzip as it is, another unzipped."""
    link, gzip_ok = "/api/view?dataset=llama-3-8b_auc-diff&row=NLI&pos=0.1", {"Accept-Encoding": "gzip, br"}
    first = client.get(link)  # a client that takes no gzip: written for it, not kept
    assert ANSWERS_KEY not in app.server.extensions or not app.server.extensions[ANSWERS_KEY]
    zipped = client.get(link, headers=gzip_ok)
    answers = app.server.extensions[ANSWERS_KEY]
    kept = answers.bytes
    plain = client.get(link)  # the kept answer, unzipped
    respelled = client.get("/api/view?pos=0.1&row=NLI&dataset=llama-3-8b_auc-diff", headers=gzip_ok)
    assert len(answers) == 1 and answers.bytes == kept > 0 and plain.get_data() == first.get_data()
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data() == gzip.decompress(respelled.get_data())
    assert plain.get_json()["query"] == "dataset=llama-3-8b_auc-diff&row=NLI&pos=0.1"
    client.get("/api/view?dataset=llama-3-8b_auc-diff&row=NLI&pos=0.2", headers=gzip_ok)  # another view
    assert len(answers) == 2


def test_a_link_to_a_dataset_stored_later_answers_that_dataset(app, client):
    """A link to an unknown dataset answers the default with a notice; once the dataset is
    stored, the same link answers it (no kept answer of the fallback stands in)."""
    matrix = TransferMatrix(rows=["a", "b"], cols=["a", "b"], values=[[0.1, 0.2], [0.3, 0.4]], name="later")
    link = f"/api/view?dataset={matrix.content_id()}"
    client.get(link, headers={"Accept-Encoding": "gzip"})  # the fallback's answer kept
    before = client.get(link).get_json()
    assert before["dataset"]["id"] == "mistral-7b-instruct_auc-diff" and before["notices"]
    assert app.server.config[DATASETS_KEY].put(matrix) == matrix.content_id()
    after = client.get(link).get_json()
    assert after["dataset"]["id"] == matrix.content_id() and after["values"] == [[0.1, 0.2], [0.3, 0.4]]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "store": True}


def test_page_and_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "Transfer Matrix Explorer" in html
    assert "/assets/00_bootstrap.min.css" in html
    for marker in ("cdn.", "unpkg", "jsdelivr", "cdnjs"):
        assert marker not in html
    assert client.get("/assets/00_bootstrap.min.css").status_code == 200
