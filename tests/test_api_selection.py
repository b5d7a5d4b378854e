"""/api/view with row and col: the selection section, at full precision."""

from __future__ import annotations

import pytest

from transfer.matrix import TransferMatrix


def test_selection_has_both_breakdowns_and_the_cell(client):
    data = client.get("/api/view?row=NLI&col=TriviaQA").get_json()
    selection = data["selection"]
    assert selection["cell"] == {"row": "NLI", "col": "TriviaQA", "value": -0.24}
    row = selection["row"]
    assert row["values"] == [-0.24, -0.21, -0.19, -0.03, 0.05, 0.32, -0.21, -0.07, -0.16, -0.15]
    assert row["in_domain"] == 0.32 and row["rank"] == 10 and row["ranked"] == 10
    assert row["mean_off_diagonal"] == pytest.approx(-1.21 / 9, abs=1e-15)  # never rounded
    assert row["mean_off_diagonal"] != round(row["mean_off_diagonal"], 6)
    assert selection["col"]["label"] == "TriviaQA" and selection["col"]["best"] == {"label": "HotpotQA", "value": 0.05}
    assert data["query"].endswith("row=NLI&col=TriviaQA")


def test_no_selection_without_row_or_col_and_unknown_labels_get_a_notice(client):
    assert "selection" not in client.get("/api/view").get_json()
    data = client.get("/api/view?row=NLI&col=Nope").get_json()
    assert data["selection"]["col"] is None and data["selection"]["cell"] is None
    assert data["selection"]["row"]["label"] == "NLI"
    assert any("'Nope' is not a test dataset" in n for n in data["notices"])


def test_non_square_upload_with_missing_cells(app, client):
    from web.services import DATASETS_KEY

    matrix = TransferMatrix(rows=["A", "B"], cols=["X", "A", "Y"], values=[[0.3, 0.6, -0.1], [float("nan"), 0.2, 0.5]])
    dataset_id = app.server.config[DATASETS_KEY].put(matrix)
    selection = client.get(f"/api/view?dataset={dataset_id}&row=B&col=X").get_json()["selection"]
    assert selection["row"]["values"] == [None, 0.2, 0.5] and selection["row"]["in_domain"] is None
    assert selection["row"]["missing"] == 1 and selection["cell"]["value"] is None
    assert selection["col"]["in_domain"] is None and selection["col"]["values"] == [0.3, None]


def test_api_selection_is_the_views_selection_without_the_bars_values(client):
    """What a click asks the server: the same numbers as /api/view's selection, minus the values
    the page already holds (it draws the bars from the heatmap's cells)."""
    full = client.get("/api/view?row=NLI&col=TriviaQA&order=cluster").get_json()["selection"]
    lean = client.get("/api/selection?row=NLI&col=TriviaQA&order=cluster").get_json()
    assert lean["notices"] == []
    for axis in ("row", "col"):
        assert lean["selection"][axis] == {k: v for k, v in full[axis].items() if k not in ("labels", "values")}
    assert lean["selection"]["row"]["in_domain_index"] == full["row"]["labels"].index("NLI")
    assert lean["selection"]["cell"] == {"row": "NLI", "col": "TriviaQA", "value": -0.24}
    # Nothing selected, an unknown label or garbage: a clean answer that says what it ignored.
    assert client.get("/api/selection").get_json() == {"selection": None, "notices": []}
    data = client.get("/api/selection?row=Nope&col=%00%ff&dataset=zzz").get_json()
    assert data["selection"] is None and len(data["notices"]) >= 2
