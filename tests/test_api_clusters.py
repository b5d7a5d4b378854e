"""/api/view `clusters`: the options, leaf orders, flat clusters at k and the cophenetic correlation."""

from __future__ import annotations

import numpy as np
import pytest

from transfer.matrix import TransferMatrix


def view(client, query: str) -> dict:
    response = client.get("/api/view?" + query)
    assert response.status_code == 200
    return response.get_json()


def test_cluster_order_reorders_both_axes_and_reports_the_tree(client):
    data = view(client, "order=cluster&k=3&method=complete&distance=correlation&profile=rows")
    clusters = data["clusters"]
    assert clusters["shared"] and clusters["method"] == "complete" and clusters["distance"] == "correlation"
    assert data["rows"] == data["cols"] == clusters["rows"]["order"]
    assert sorted(set(clusters["rows"]["cluster_of"].values())) == [1, 2, 3]
    assert 0 < clusters["rows"]["cophenetic"] <= 1
    # the values travel with their labels
    plain = view(client, "")
    i, j = plain["rows"].index("Winobias"), plain["cols"].index("NLI")
    assert data["values"][data["rows"].index("Winobias")][data["cols"].index("NLI")] == plain["values"][i][j]
    assert plain["clusters"]["k"] == 1 and plain["rows"] != data["rows"]


@pytest.mark.parametrize(
    "old",
    [
        "order=cluster&k=3&method=complete&metric=correlation&profile=rows",
        "metric=cosine&order=cluster&k=2&cluster=1", "method=ward&metric=cosine",
    ],
    ids=["correlation", "cosine-cluster", "ward-fallback"],
)
def test_links_written_with_metric_open_the_same_view_as_with_distance(client, old):
    """Links from before the clustering distance's key was renamed (`metric` -> `distance`)."""
    before, after = view(client, old), view(client, old.replace("metric=", "distance="))
    assert before == after  # the same view, the same JSON, the same notices
    assert "distance=" in before["query"] or "distance" not in old
    assert "metric=" not in before["query"]


def test_ward_with_cosine_falls_back_with_a_notice(client):
    data = view(client, "method=ward&distance=cosine&order=cluster")
    assert data["clusters"]["method"] == "average"
    assert any("Ward linkage works only with the Euclidean distance" in n for n in data["notices"])
    assert "method=" not in data["query"]


def test_rectangular_upload_clusters_rows_and_columns_apart(app, client):
    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, 7))
    values[1, 2] = np.nan
    matrix = TransferMatrix(rows=[f"r{i}" for i in range(5)], cols=[f"c{j}" for j in range(7)], values=values)
    with app.server.app_context():
        dataset_id = app.server.config["TMX_DATASETS"].put(matrix)
    data = view(client, f"dataset={dataset_id}&order=cluster&profile=cols&k=2")
    clusters = data["clusters"]
    assert not clusters["shared"] and clusters["profile"] is None
    assert any("Ignored profile=cols" in n for n in data["notices"])
    assert data["rows"] == clusters["rows"]["order"] and data["cols"] == clusters["cols"]["order"]
    assert sorted(set(clusters["cols"]["cluster_of"].values())) == [1, 2]


def test_insights_name_the_clusters_at_the_cut(client):
    body = client.get("/api/view?dataset=mistral-7b-instruct_auc-diff&order=cluster&k=3").get_json()
    groups = [i for i in body["insights"] if i["kind"] == "clusters"]
    assert len(groups) == 1 and groups[0]["numbers"]["k"] == 3
    members = body["clusters"]["rows"]["members"]
    assert sorted(map(sorted, groups[0]["numbers"]["groups"])) == sorted(map(sorted, members))
    uncut = client.get("/api/view?dataset=mistral-7b-instruct_auc-diff").get_json()
    assert not [i for i in uncut["insights"] if i["kind"] == "clusters"]
