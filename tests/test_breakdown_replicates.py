"""Breakdowns of matrices with replicates: each bar's n, interval and replicate values, the
interval of the line's mean and the selected cell's, in the selection JSON (/api/view's
`selection`, /api/selection), against direct scipy.stats / numpy on hand-made data; a matrix
without replicates answers exactly as the committed code did (tests/golden/no_replicates.json)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from transfer.breakdown import breakdown, mean_interval
from transfer.datasets import Datasets
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread
from transfer.uncertainty import cell_stats
from transfer.view import selection_json, view_from_query, view_insights

from conftest import ROOT
from replicated import DatasetsStub, replicated_matrix

N = math.nan
LABELS = ["A", "B", "C", "D"]
IDS = ["s1", "s2", "s3", "s4"]
# 4 tasks x 4 replicates. Row A is complete (every cell has every replicate); row B has a cell
# with one replicate (B -> C) and one missing a replicate (B -> D); C -> A is missing entirely;
# D -> B has four equal replicates (a zero-width interval, no test).
SAMPLES = np.array([
    [[0.90, 0.92, 0.88, 0.91], [0.10, 0.14, 0.12, 0.08], [-0.30, -0.26, -0.35, -0.31], [0.05, 0.02, 0.09, 0.04]],
    [[0.20, 0.25, 0.15, 0.22], [0.80, 0.83, 0.79, 0.81], [0.40, N, N, N], [0.01, -0.03, N, 0.02]],
    [[N, N, N, N], [0.00, 0.03, -0.02, 0.01], [0.70, 0.72, 0.69, 0.71], [-0.11, -0.09, -0.14, -0.10]],
    [[0.33, 0.29, 0.35, 0.31], [0.05, 0.05, 0.05, 0.05], [0.12, 0.18, 0.07, 0.10], [0.60, 0.66, 0.58, 0.61]],
])


def replicated(samples=SAMPLES, ids=IDS, labels=LABELS, **fields) -> TransferMatrix:
    return replicated_matrix(samples, ids, labels, **fields)



def selection(query: str, values: bool = True, **matrices) -> dict:
    view = view_from_query(DatasetsStub(**(matrices or {"rep": replicated()})), query)
    return selection_json(view, values)["selection"]


def t_interval(x: np.ndarray, level: int) -> tuple[float, float]:
    """scipy's t-interval of the mean of x (n >= 2, not all equal)."""
    return stats.t.interval(level / 100, x.size - 1, loc=np.mean(x), scale=stats.sem(x))


def present(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def line_samples(samples: np.ndarray, axis: str, index: int) -> np.ndarray:
    return samples[index] if axis == "row" else samples[:, index]


@pytest.mark.parametrize("order", ["data", "cluster"])
@pytest.mark.parametrize("level", [90, 95, 99])
@pytest.mark.parametrize("axis, label", [("row", "A"), ("row", "B"), ("col", "D"), ("col", "A"), ("col", "B")])
def test_each_bar_has_scipys_interval_and_its_replicate_values(axis, label, level, order):
    item = selection(f"{axis}={label}&ci={level}&order={order}")[axis]
    assert item["level"] == level and item["replicate_ids"] == IDS
    index = LABELS.index(label)
    others = item["labels"]  # in display order
    for position, other in enumerate(others):
        x = line_samples(SAMPLES, axis, index)[LABELS.index(other)]
        got = {key: item[key][position] for key in ("n", "ci_low", "ci_high", "replicates", "values")}
        assert got["replicates"] == [None if math.isnan(v) else v for v in x.tolist()]  # exact, under their ids
        kept = present(x)
        if kept.size == 0:
            assert got["n"] is None and got["ci_low"] is None and got["values"] is None
            continue
        assert got["n"] == kept.size and close(got["values"], float(np.mean(kept)))
        if kept.size < 2:
            assert got["ci_low"] is None and got["ci_high"] is None
        elif np.ptp(kept) == 0:
            assert got["ci_low"] == got["ci_high"] == kept[0]
        else:
            low, high = t_interval(kept, level)
            assert close(got["ci_low"], low) and close(got["ci_high"], high)


def test_the_page_gets_the_same_uncertainty_without_labels_and_values():
    full, page = selection("row=B&col=C&order=cluster"), selection("row=B&col=C&order=cluster", values=False)
    for axis in ("row", "col"):
        assert "labels" not in page[axis] and "values" not in page[axis]
        for key in ("level", "n", "ci_low", "ci_high", "replicate_ids", "replicates", "mean_interval"):
            assert page[axis][key] == full[axis][key]
    assert page["cell"] == full["cell"]
    json.dumps(page, allow_nan=False)  # no NaN reaches the browser: null where undefined


def test_a_complete_line_has_the_interval_of_its_mean_over_replicate_means():
    item = selection("row=A&ci=99")["row"]
    off = SAMPLES[0, 1:]  # A's off-diagonal cells, every replicate present
    per_replicate = off.mean(axis=0)
    low, high = t_interval(per_replicate, 99)
    mean = item["mean_interval"]
    assert mean["method"] == "replicate means" and mean["n"] == 4 and mean["level"] == 99
    assert close(mean["mean"], item["mean_off_diagonal"])
    assert close(mean["ci_low"], low) and close(mean["ci_high"], high)


def test_a_ragged_line_takes_its_cells_as_independent_and_one_replicate_leaves_no_interval():
    # Column D: A, B and C have replicate values (B -> D lacks s3): independent cells.
    item = selection("col=D&ci=95")["col"]
    cells = [present(SAMPLES[i, 3]) for i in range(3)]
    se = np.array([stats.sem(x) for x in cells])
    df = np.array([x.size - 1 for x in cells])
    total = float(np.sum(se**2))
    dof = total**2 / float(np.sum(se**4 / df))
    mean = float(np.mean([x.mean() for x in cells]))
    low, high = stats.t.interval(0.95, dof, loc=mean, scale=math.sqrt(total) / 3)
    got = item["mean_interval"]
    assert got["method"] == "independent cells" and got["n"] == 3
    assert close(got["mean"], mean) and close(got["ci_low"], low) and close(got["ci_high"], high)
    # Row B: B -> C has one replicate, so the mean of B's cells has no interval.
    assert selection("row=B")["row"]["mean_interval"] is None


def test_mean_interval_of_equal_replicates_is_the_mean_itself():
    values = np.array([0.05, 0.05])
    samples = np.array([[0.05, 0.05], [0.05, 0.05]])
    got = mean_interval(values, samples, np.zeros(2), np.ones(2), 95)
    assert (got.ci_low, got.ci_high, got.n, got.method) == (0.05, 0.05, 2, "replicate means")
    assert mean_interval(np.array([]), None, np.array([]), np.array([]), 95) is None


def test_the_selected_cell_has_its_n_and_interval():
    cell = selection("row=D&col=C&ci=90")["cell"]
    x = SAMPLES[3, 2]
    low, high = t_interval(x, 90)
    assert cell["n"] == 4 and cell["level"] == 90 and close(cell["value"], float(x.mean()))
    assert close(cell["ci_low"], low) and close(cell["ci_high"], high)
    single = selection("row=B&col=C")["cell"]
    assert single["n"] == 1 and single["ci_low"] is None and single["ci_high"] is None


def test_summary_form_has_intervals_from_std_and_n_and_no_dots():
    means = np.array([[0.5, 0.1], [-0.2, 0.4]])
    std = np.array([[0.02, 0.05], [0.1, N]])
    n = np.array([[5, 3], [4, 1]])
    matrix = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=means, spread=Spread.from_summary(std, n))
    item = selection("row=A&col=B", summ=matrix)["row"]
    assert item["replicates"] is None and item["replicate_ids"] is None and item["n"] == [5, 3]
    for j in range(2):
        low, high = stats.t.interval(0.95, n[0, j] - 1, loc=means[0, j], scale=std[0, j] / math.sqrt(n[0, j]))
        assert close(item["ci_low"][j], low) and close(item["ci_high"][j], high)
    col = selection("row=A&col=B", summ=matrix)["col"]
    assert col["ci_low"][1] is None and col["n"] == [3, 1]  # B -> B: one replicate, no interval
    # A's only off-diagonal cell: the mean's interval is that cell's.
    mean = item["mean_interval"]
    assert mean["method"] == "independent cells" and close(mean["ci_low"], item["ci_low"][1])


def test_a_comparison_shows_paired_differences_as_dots_and_none_for_welch_cells():
    this = SAMPLES[:2, :2].copy()
    other = this + np.array([[0.1, -0.05, 0.0, 0.02]])  # per-replicate shifts
    other[1, 1, 2] = N  # B -> B lacks s3 in the other matrix: Welch there
    datasets = {"this": replicated(this, name="this"), "other": replicated(other, name="other")}
    picked = selection("compare=other&row=B&col=B", **datasets)
    row = picked["row"]
    # B -> A: paired, the per-replicate differences
    assert np.allclose(row["replicates"][0], this[1, 0] - other[1, 0], rtol=0, atol=1e-15)
    diffs = this[1, 0] - other[1, 0]
    low, high = t_interval(diffs, 95)
    assert close(row["ci_low"][0], low) and close(row["ci_high"][0], high)
    # B -> B: Welch (different replicates on the two sides): an interval, no dots
    assert row["replicates"][1] == [None] * 4
    welch = stats.ttest_ind(this[1, 1], present(other[1, 1]), equal_var=False).confidence_interval(0.95)
    assert close(row["ci_low"][1], welch.low) and close(row["ci_high"][1], welch.high)
    assert row["n"][1] == 4 + 3


def test_norm_diag_dots_are_differences_from_the_in_domain_replicates():
    item = selection("norm=diag&row=A&col=B")["row"]
    expected = SAMPLES[0] - SAMPLES[0, 0]
    for j, label in enumerate(item["labels"]):
        k = LABELS.index(label)
        assert np.allclose(item["replicates"][j], expected[k], rtol=0, atol=1e-15)
    assert item["ci_low"][0] == item["ci_high"][0] == 0.0  # the in-domain cell minus itself


def test_a_comparison_with_a_matrix_without_replicates_shows_shifted_dots():
    this = SAMPLES[:2, :2]
    other = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=[[0.5, 0.5], [0.5, 0.5]], name="plain")
    row = selection("compare=plain&row=A", this=replicated(this), plain=other)["row"]
    assert np.allclose(row["replicates"][1], this[0, 1] - 0.5)


def test_breakdown_without_stats_has_no_uncertainty_and_the_same_json():
    matrix = replicated()
    plain = breakdown(matrix, "row", "B")
    with_stats = breakdown(matrix, "row", "B", cell_stats(matrix, 95))
    assert plain.uncertainty is None and with_stats.uncertainty is not None
    base = plain.to_json()
    extended = with_stats.to_json()
    assert {k: extended[k] for k in base} == base
    assert set(extended) - set(base) == {"level", "n", "ci_low", "ci_high", "replicate_ids", "replicates",
                                         "mean_interval"}


class BundledAndRagged:
    """The bundled catalogue and one small ragged matrix (tests/golden/no_replicates.json)."""

    def __init__(self):
        self.bundled = Datasets(None)
        self.default_id, self.default_ann = self.bundled.default_id, None
        self.default_annotations = self.bundled.default_annotations
        self.ragged = TransferMatrix(rows=["A", "B"], cols=["B", "C", "A"],
                                     values=[[0.7, N, 0.9], [0.95, 0.4, 0.6]], neutral=0.5,
                                     scale=(0.0, 1.0), metric="AUC", name="ragged")

    def get(self, dataset_id):
        return self.ragged if dataset_id == "ragged" else self.bundled.get(dataset_id)


GOLDEN = json.loads((ROOT / "tests" / "golden" / "no_replicates.json").read_text())


@pytest.mark.parametrize("query", list(GOLDEN), ids=list(GOLDEN))
def test_a_matrix_without_replicates_answers_exactly_as_before(query):
    """The selection JSON (both forms) and the insights, as the code before replicates wrote them."""
    view = view_from_query(BundledAndRagged(), query)
    now = {"selection": selection_json(view), "page": selection_json(view, values=False),
           "insights": [insight.to_json() for insight in view_insights(view)]}
    assert json.loads(json.dumps(now, allow_nan=False)) == GOLDEN[query]


def test_api_selection_carries_the_uncertainty(app, client):
    from web import services

    dataset_id = app.server.config[services.DATASETS_KEY].put(replicated(name="rep"))
    body = client.get(f"/api/selection?dataset={dataset_id}&row=A&col=C&ci=99").get_json()
    row = body["selection"]["row"]
    assert row["level"] == 99 and "values" not in row and row["replicate_ids"] == IDS
    low, high = t_interval(SAMPLES[0, 2], 99)
    assert close(row["ci_low"][2], low) and close(body["selection"]["cell"]["ci_high"], high)
    view = client.get(f"/api/view?dataset={dataset_id}&row=A&col=C&ci=99").get_json()
    assert view["selection"]["row"]["ci_low"] == row["ci_low"] and view["selection"]["row"]["values"][2] is not None
