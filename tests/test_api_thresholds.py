"""/api/view with pos/neg/diag: the highlight section, and bad thresholds dropped or clamped with notices."""

from __future__ import annotations

import pytest

from transfer.thresholds import classify


def view(client, query: str) -> dict:
    response = client.get("/api/view?" + query)
    assert response.status_code == 200
    return response.get_json()


def test_highlight_lists_the_cells_and_counts_of_the_core(app, client):
    body = view(client, "pos=0.1&neg=-0.15")
    matrix = app.server.config["TMX_DATASETS"].get(body["dataset"]["id"])
    expected = classify(matrix, 0.1, -0.15)
    highlight = body["highlight"]
    assert highlight["counts"] == {"positive": 9, "negative": 24} == expected.counts()
    assert highlight["positive"] == expected.pairs("positive")
    assert ["Winobias", "Winobias"] in highlight["positive"]  # 0.33, in-domain
    assert ["TriviaQA", "IMDB"] in highlight["negative"]  # -0.19
    assert all(row != col for row, col in view(client, "pos=0.1&neg=-0.15&diag=0")["highlight"]["positive"])
    assert body["query"] == "dataset=mistral-7b-instruct_auc-diff&pos=0.1&neg=-0.15"


def test_selected_row_and_column_get_their_own_counts(client):
    highlight = view(client, "pos=0.1&neg=-0.15&row=Winobias&col=TriviaQA")["highlight"]
    assert highlight["row_counts"] == {"label": "Winobias", "positive": 2, "negative": 5}
    assert highlight["col_counts"]["label"] == "TriviaQA"


def test_no_highlight_while_both_thresholds_are_off(client):
    assert "highlight" not in view(client, "diag=0")


@pytest.mark.parametrize(
    "query, notice, highlight",
    [
        ("pos=abc&neg=-0.15", "Ignored pos: 'abc' is not a number.", {"pos": None, "neg": -0.15}),
        ("pos=nan", "Ignored pos: 'nan' is not a finite number.", None),
        ("pos=-0.2", "pos=-0.2 is outside 0..0.33; using 0.", {"pos": 0.0, "neg": None}),
        ("dataset=mistral-7b-instruct_auc&neg=0.9", "neg=0.9 is outside 0..0.5; using 0.5.", {"pos": None, "neg": 0.5}),
        ("diag=2&pos=0.1", "Ignored diag: '2' is not 0 or 1.", {"pos": 0.1, "neg": None}),
    ],
    ids=["malformed", "not-finite", "below-neutral", "above-neutral-raw-auc", "bad-diag"],
)
def test_bad_thresholds_are_dropped_or_clamped_with_a_notice(client, query, notice, highlight):
    body = view(client, query)
    assert notice in body["notices"]
    if highlight is None:
        assert "highlight" not in body
    else:
        assert {key: body["highlight"][key] for key in highlight} == highlight


@pytest.mark.parametrize(
    "data",
    [
        "dataset=llama-3-8b_auc&norm=zrow",
        "dataset=llama-3-8b_auc&norm=zcol",
        "dataset=mistral-7b-instruct_auc&norm=diag",
        "dataset=mistral-7b-instruct_auc&compare=mistral-7b_auc",
    ],
    ids=["zrow", "zcol", "diag", "compare"],
)
def test_thresholds_clamp_to_the_displayed_matrix_as_the_sliders_do(client, data):
    # The sliders and typed boxes run over the displayed (normalised, compared) values: a link
    # holds the thresholds to the same range, so what the page writes is already canonical.
    shown = view(client, data)
    (low, high), neutral = shown["color_range"], shown["displayed"]["neutral"]
    for pos, neg in ((100, -100), (0.3, -0.3), (1.1, -1.1)):
        body = view(client, f"{data}&pos={pos}&neg={neg}")
        state = body["state"]
        assert min(low, neutral) - 1e-6 <= state["neg"] <= neutral <= state["pos"] <= max(high, neutral) + 1e-6
        again = view(client, body["query"])  # the canonical link is a fixed point: nothing clamped twice
        assert again["query"] == body["query"] and not any("outside" in n for n in again["notices"])
