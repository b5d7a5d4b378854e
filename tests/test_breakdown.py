"""Breakdown statistics on tiny hand-made matrices with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transfer.breakdown import breakdown, off_diagonal_means
from transfer.matrix import TransferMatrix

N = math.nan

SQUARE = TransferMatrix(
    rows=["A", "B", "C"], cols=["A", "B", "C"],
    values=[[0.9, 0.1, -0.3],
            [0.2, 0.8, 0.4],
            [-0.5, 0.0, 0.7]],
)
# Columns in another order than rows: the diagonal follows labels, not positions.
SHUFFLED = TransferMatrix(
    rows=["A", "B", "C"], cols=["C", "A", "B"],
    values=[[-0.3, 0.9, 0.1],
            [0.4, 0.2, 0.8],
            [0.7, -0.5, 0.0]],
)
# Two train rows, three test columns; only "A" is on both axes; a missing cell in row B.
RECT = TransferMatrix(
    rows=["A", "B"], cols=["X", "A", "Y"],
    values=[[0.3, 0.6, -0.1],
            [N, 0.2, 0.5]],
)
# Missing in-domain cell and a row with nothing but its diagonal.
GAPS = TransferMatrix(
    rows=["A", "B", "C"], cols=["A", "B", "C"],
    values=[[N, 0.4, 0.2],
            [N, 0.5, N],
            [0.1, 0.3, 0.6]],
    neutral=0.5,
)
# Ties: B and C have equal means.
TIES = TransferMatrix(
    rows=["A", "B", "C"], cols=["A", "B", "C"],
    values=[[1.0, 0.2, 0.2],
            [0.1, 1.0, 0.3],
            [0.3, 0.1, 1.0]],
)

CASES = [
    # matrix, axis, label, in_domain, mean, best, worst, rank, ranked
    (SQUARE, "row", "B", 0.8, 0.3, ("C", 0.4), ("A", 0.2), 1, 3),
    (SQUARE, "row", "C", 0.7, -0.25, ("B", 0.0), ("A", -0.5), 3, 3),
    (SQUARE, "col", "A", 0.9, -0.15, ("B", 0.2), ("C", -0.5), 3, 3),
    (SQUARE, "col", "B", 0.8, 0.05, ("A", 0.1), ("C", 0.0), 1, 3),
    (SHUFFLED, "row", "B", 0.8, 0.3, ("C", 0.4), ("A", 0.2), 1, 3),
    (SHUFFLED, "col", "A", 0.9, -0.15, ("B", 0.2), ("C", -0.5), 3, 3),
    (RECT, "row", "A", 0.6, 0.1, ("X", 0.3), ("Y", -0.1), 2, 2),
    (RECT, "row", "B", None, 0.35, ("Y", 0.5), ("A", 0.2), 1, 2),
    (RECT, "col", "X", None, 0.3, ("A", 0.3), ("A", 0.3), 1, 3),
    (RECT, "col", "A", 0.6, 0.2, ("B", 0.2), ("B", 0.2), 2, 3),
    (GAPS, "row", "A", None, 0.3, ("B", 0.4), ("C", 0.2), 1, 2),
    (GAPS, "row", "B", 0.5, None, None, None, None, 2),
    (GAPS, "col", "C", 0.6, 0.2, ("A", 0.2), ("A", 0.2), 2, 3),
    (TIES, "row", "B", 1.0, 0.2, ("C", 0.3), ("A", 0.1), 1, 3),
    (TIES, "row", "C", 1.0, 0.2, ("A", 0.3), ("B", 0.1), 1, 3),
    (TIES, "row", "A", 1.0, 0.2, ("B", 0.2), ("B", 0.2), 1, 3),
]
IDS = [
    "square-row-best-mean", "square-row-worst-mean", "square-col", "square-col-float-tie-shares-rank",
    "shuffled-cols-row", "shuffled-cols-col", "rect-row-with-diagonal", "rect-row-no-diagonal-missing-cell",
    "rect-col-not-a-train-dataset", "rect-col-shared", "gaps-missing-in-domain", "gaps-only-diagonal",
    "gaps-col-missing-off-diagonal", "ties-share-rank-1", "ties-second-of-tie",
    "ties-best-equals-worst-first-occurrence",
]


@pytest.mark.parametrize("matrix, axis, label, in_domain, mean, best, worst, rank, ranked", CASES, ids=IDS)
def test_breakdown_statistics(matrix, axis, label, in_domain, mean, best, worst, rank, ranked):
    item = breakdown(matrix, axis, label)
    assert item.in_domain == (pytest.approx(in_domain) if in_domain is not None else None)
    assert item.mean_off_diagonal == (pytest.approx(mean) if mean is not None else None)
    for got, wanted in ((item.best, best), (item.worst, worst)):
        assert (None if got is None else (got.label, got.value)) == (
            None if wanted is None else (wanted[0], pytest.approx(wanted[1])))
    assert (item.rank, item.ranked) == (rank, ranked)


@pytest.mark.parametrize(
    "matrix, axis, label, labels, values, in_domain_index",
    [
        (SQUARE, "row", "A", ("A", "B", "C"), [0.9, 0.1, -0.3], 0),
        (SHUFFLED, "row", "A", ("C", "A", "B"), [-0.3, 0.9, 0.1], 1),
        (SHUFFLED, "col", "C", ("A", "B", "C"), [-0.3, 0.4, 0.7], 2),
        (RECT, "row", "B", ("X", "A", "Y"), [N, 0.2, 0.5], None),
        (RECT, "col", "Y", ("A", "B"), [-0.1, 0.5], None),
    ],
    ids=["square-row", "shuffled-row-in-matrix-order", "shuffled-col", "rect-row-missing-stays-nan", "rect-col"],
)
def test_values_follow_matrix_order_and_missing_stays_missing(matrix, axis, label, labels, values, in_domain_index):
    item = breakdown(matrix, axis, label)
    assert item.labels == labels
    np.testing.assert_array_equal(item.values, np.array(values))
    assert item.in_domain_index == in_domain_index


def test_json_keeps_full_precision_and_null_for_missing():
    matrix = TransferMatrix(rows=["A", "B"], cols=["A", "B"], values=[[0.123456789012345, N], [0.1, 0.2]])
    data = breakdown(matrix, "row", "A").to_json()
    assert data["values"] == [0.123456789012345, None]
    assert data["in_domain"] == 0.123456789012345
    assert data["mean_off_diagonal"] is None and data["best"] is None and data["rank"] is None
    assert data["missing"] == 1


@pytest.mark.parametrize(
    "axis, label, error",
    [("row", "Z", KeyError), ("col", "B", KeyError), ("diag", "A", ValueError)],
    ids=["unknown-row", "train-label-asked-as-test", "bad-axis"],
)
def test_bad_requests_raise_specific_errors(axis, label, error):
    with pytest.raises(error):
        breakdown(RECT, axis, label)


def test_off_diagonal_means_are_nan_for_lines_without_values():
    means = off_diagonal_means(GAPS, "row")
    assert means[0] == pytest.approx(0.3) and math.isnan(means[1]) and means[2] == pytest.approx(0.2)
