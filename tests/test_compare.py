"""Comparisons (alignment over shared labels) and normalisations, with known answers; the view
and /api/view wiring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transfer.compare import CompareError, compare, derive, normalise
from transfer.matrix import TransferMatrix
from transfer.view import view_from_query, view_json

NAN = math.nan


def matrix(values, rows, cols=None, **meta) -> TransferMatrix:
    cols = rows if cols is None else cols
    return TransferMatrix(rows=list(rows), cols=list(cols), values=np.array(values, dtype=float), **meta)


def same(a, b) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


# --- compare ---


def test_compare_aligns_partially_shared_labels_in_this_order():
    this = matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]], rows="ABC", cols="XYZ", name="this")
    # Other matrix: rows in another order, one extra row (D), one missing row (B), columns Z, X, W.
    other = matrix([[10, 20, 30], [40, 50, 60], [70, 80, 90]], rows="CAD", cols="ZXW", name="other")
    result = compare(this, other, "other-id")
    assert result.matrix.rows == ("A", "C") and result.matrix.cols == ("X", "Z")
    # A/X: 1 - 50, A/Z: 3 - 40, C/X: 7 - 20, C/Z: 9 - 10
    assert same(result.matrix.values, [[1 - 50, 3 - 40], [7 - 20, 9 - 10]])
    assert result.rows_only_this == ("B",) and result.rows_only_other == ("D",)
    assert result.cols_only_this == ("Y",) and result.cols_only_other == ("W",)
    assert result.matrix.neutral == 0 and result.matrix.scale is None  # diverging at 0
    notices = " ".join(result.notices())
    assert "train datasets only in this matrix: 'B'" in notices
    assert "test datasets only in the compared matrix: 'W'" in notices


def test_compare_keeps_missing_cells_missing_and_gives_both_sources_in_any_order():
    this = matrix([[1, NAN], [3, 4]], rows="AB", name="this")
    other = matrix([[0.5, 1], [NAN, 1]], rows="AB", name="other")
    result = compare(this, other)
    assert same(result.matrix.values, [[0.5, NAN], [NAN, 3]])
    here, there = result.sources_at(("B", "A"), ("B", "A"))  # a reordered display
    assert same(here, [[4, 3], [NAN, 1]]) and same(there, [[1, NAN], [1, 0.5]])


def test_compare_with_nothing_shared_is_an_error_and_derive_drops_it():
    this, other = matrix([[1]], rows="A"), matrix([[1]], rows="B", name="B-only")
    with pytest.raises(CompareError, match="shares no train dataset"):
        compare(this, other)
    derived = derive(this, "none", other, "b-only")
    assert derived.matrix is this and derived.comparison is None
    assert derived.changes == {"compare": None}
    assert "Ignored compare" in derived.notices[0]


def test_compare_warns_when_metrics_differ():
    this = matrix([[1]], rows="A", metric="AUC")
    other = matrix([[1]], rows="A", metric="AUC difference")
    assert "different metrics" in compare(this, other).notices()[0]


# --- normalisations ---


def test_norm_none_is_the_identity():
    m = matrix([[1, 2], [3, 4]], rows="AB")
    assert normalise(m, "none").matrix is m


def test_norm_diag_subtracts_each_rows_in_domain_value_by_label():
    m = matrix([[0.1, 0.5, 0.3], [0.2, 0.6, 0.4]], rows="AB", cols="BAX", neutral=0.5, scale=(0, 1))
    result = normalise(m, "diag")
    # A's in-domain cell is column A (0.5); B's is column B (0.2).
    assert same(result.matrix.values, [[-0.4, 0.0, -0.2], [0.0, 0.4, 0.2]])
    assert result.matrix.neutral == 0 and result.matrix.scale is None and result.notices == ()


def test_norm_diag_blanks_rows_without_an_in_domain_value_and_says_so():
    m = matrix([[0.1, NAN], [0.2, 0.6], [0.3, 0.7]], rows="ABC", cols="AB")
    result = normalise(m, "diag")
    assert same(result.matrix.values, [[0.0, NAN], [-0.4, 0.0], [NAN, NAN]])
    assert "no in-domain value for 'C'" in result.notices[0]


def test_norm_diag_does_not_apply_without_shared_labels():
    m = matrix([[1, 2]], rows="A", cols="XY")
    result = normalise(m, "diag")
    assert not result.applied and result.matrix is m
    assert derive(m, "diag").changes == {"norm": "none"}


Z_INPUT = [[1, 3, NAN], [5, 5, 5], [0, 1, 2]]


def test_zrow_uses_present_cells_and_population_std():
    result = normalise(matrix(Z_INPUT, rows="ABC"), "zrow")
    # Row A: 1, 3 -> -1, +1; row B has no spread -> 0; row C: 0, 1, 2 -> std sqrt(2/3).
    assert same(result.matrix.values, [[-1, 1, NAN], [0, 0, 0], [-math.sqrt(1.5), 0, math.sqrt(1.5)]])
    assert result.matrix.neutral == 0 and result.matrix.metric == "z-score within row"


def test_zcol_is_the_same_code_path_along_columns():
    result = normalise(matrix(Z_INPUT, rows="ABC"), "zcol")
    std_a = math.sqrt(((1 - 2) ** 2 + (5 - 2) ** 2 + (0 - 2) ** 2) / 3)  # column A: mean 2
    assert same(result.matrix.values[:, 0], [-1 / std_a, 3 / std_a, -2 / std_a])
    assert same(result.matrix.values[:, 2], [NAN, 1, -1])  # column C: 5, 2 with A missing
    transposed = normalise(matrix(np.array(Z_INPUT).T, rows="ABC"), "zrow").matrix.values
    assert same(result.matrix.values, transposed.T)
    assert result.matrix.metric == "z-score within column" and result.notices == ()


def test_z_score_of_a_flat_or_single_cell_line_is_zero_with_a_notice():
    m = matrix([[2, 2, 2], [NAN, 7, NAN], [NAN, NAN, NAN]], rows="ABC")
    result = normalise(m, "zrow")
    assert same(result.matrix.values, [[0, 0, 0], [NAN, 0, NAN], [NAN, NAN, NAN]])
    assert "no spread in row 'A', 'B'" in result.notices[0]  # the all-missing row is not listed


def test_unknown_norm_is_a_programming_error():
    with pytest.raises(ValueError):
        normalise(matrix([[1]], rows="A"), "log")


# --- through the view and the API ---


@pytest.fixture(scope="module")
def datasets():
    from transfer.datasets import Datasets
    from transfer.store import DatasetStore

    return Datasets(DatasetStore("sqlite://"))


def test_view_compares_mistral_instruct_with_llama(datasets):
    view = view_from_query(datasets, "compare=llama-3-8b_auc-diff")
    this = datasets.get("mistral-7b-instruct_auc-diff")
    other = datasets.get("llama-3-8b_auc-diff")
    assert same(view.matrix.values, this.values - other.values)
    assert view.state.compare == "llama-3-8b_auc-diff" and view.notices == ()
    body = view_json(view)
    assert body["comparison"]["other"] == "llama-3-8b_auc-diff"
    assert body["displayed"]["neutral"] == 0
    low, high = body["color_range"]
    assert low == -high  # diverging, centred at 0


def test_view_compare_with_itself_is_ignored(datasets):
    view = view_from_query(datasets, "compare=mistral-7b-instruct_auc-diff")
    assert view.comparison is None and "compare" not in view.query


def test_api_view_has_insights_and_comparison(client):
    body = client.get("/api/view?norm=diag").get_json()
    assert body["state"]["norm"] == "diag"
    assert body["comparison"] is None
    kinds = [item["kind"] for item in body["insights"]]
    assert "strongest_negative" in kinds and "specialist" in kinds
    default = client.get("/api/view").get_json()
    negative = next(item for item in default["insights"] if item["kind"] == "strongest_negative")
    assert negative["cells"][0] == ["NLI", "TriviaQA"] and negative["numbers"]["values"][0] == -0.24
    compared = client.get("/api/view?compare=llama-3-8b_auc-diff&norm=zcol").get_json()
    assert compared["query"] == "dataset=mistral-7b-instruct_auc-diff&compare=llama-3-8b_auc-diff&norm=zcol"
    assert compared["comparison"]["shared_rows"][0] == "TriviaQA"
    assert compared["displayed"]["metric"] == "z-score within column"


def test_comparison_hover_carries_both_sources_as_customdata(datasets):
    from transfer.figures import HeatmapTrace, heatmap_figure

    view = view_from_query(datasets, "compare=llama-3-8b_auc-diff")
    cells = heatmap_figure(view.matrix, comparison=view.comparison).data[HeatmapTrace.CELLS]
    custom = np.asarray(cells.customdata)
    assert custom.shape == (10, 10, 2)
    assert custom[0, 0, 0] == pytest.approx(0.11) and custom[0, 0, 1] == pytest.approx(0.06)
    assert "%{customdata[0]" in cells.hovertemplate and "Mistral" not in cells.hovertemplate
    assert list(cells.meta[1:]) == [view.comparison.this.name, view.comparison.other.name]
