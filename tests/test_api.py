"""/api/view (the JSON twin of the page) and /healthz through Flask's test client."""

from __future__ import annotations

import csv
from pathlib import Path

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
