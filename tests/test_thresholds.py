"""Threshold classification, counts, suggested slider positions and the /api/view highlight."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transfer.matrix import TransferMatrix
from transfer.thresholds import carry_thresholds, classify, highlight_json, threshold_scale
from transfer.viewstate import ViewState

NAN = math.nan


def square(values, labels=("A", "B", "C"), **meta) -> TransferMatrix:
    return TransferMatrix(rows=labels, cols=labels, values=np.array(values, dtype=float), **meta)


SQUARE = square([[0.10, -0.15, 0.0999999], [NAN, 0.30, -0.1500001], [-0.149, 0.11, -0.40]])


def cells(mask, matrix) -> set[tuple[str, str]]:
    return {(matrix.rows[i], matrix.cols[j]) for i, j in zip(*np.nonzero(mask))}


@pytest.mark.parametrize(
    "pos, neg, diag, positive, negative",
    [
        (0.1, -0.15, True, {("A", "A"), ("B", "B"), ("C", "B")}, {("A", "B"), ("B", "C"), ("C", "C")}),
        (0.1, -0.15, False, {("C", "B")}, {("A", "B"), ("B", "C")}),
        (0.3, -0.4, True, {("B", "B")}, {("C", "C")}),
        (0.30001, -0.40001, True, set(), set()),
        (None, -0.15, True, set(), {("A", "B"), ("B", "C"), ("C", "C")}),
        (0.1, None, True, {("A", "A"), ("B", "B"), ("C", "B")}, set()),
        (None, None, True, set(), set()),
        # pos at the neutral value: every non-missing cell >= 0, including the exact 0 cell
        (0.0, None, True, {("A", "A"), ("A", "C"), ("B", "B"), ("C", "B")}, set()),
    ],
    ids=[
        "boundaries-inclusive", "diag-excluded", "extremes-inclusive", "beyond-extremes", "pos-off", "neg-off",
        "both-off", "pos-at-neutral",
    ],
)
def test_classify_square(pos, neg, diag, positive, negative):
    result = classify(SQUARE, pos, neg, diag)
    assert cells(result.positive, SQUARE) == positive
    assert cells(result.negative, SQUARE) == negative
    assert result.counts() == {"positive": len(positive), "negative": len(negative)}


def test_missing_cells_are_never_highlighted_even_by_thresholds_that_cover_everything():
    matrix = square([[NAN, NAN, NAN], [NAN, NAN, NAN], [NAN, NAN, 1.0]])
    result = classify(matrix, -1e9, 1e9)
    assert cells(result.positive, matrix) == {("C", "C")} == cells(result.negative, matrix)


def test_non_square_diag_matches_labels_not_positions():
    # Rows and columns share only "B" and "C", at different positions; "A" is never in-domain.
    matrix = TransferMatrix(
        rows=("A", "B", "C"), cols=("C", "B"), values=np.array([[0.5, 0.5], [0.5, 0.5], [-0.5, 0.5]]),
    )
    with_diag = classify(matrix, 0.5, -0.5, diag=True)
    without = classify(matrix, 0.5, -0.5, diag=False)
    assert with_diag.counts() == {"positive": 5, "negative": 1}
    assert cells(without.positive, matrix) == {("A", "C"), ("A", "B"), ("B", "C"), ("C", "B")}  # not B x B
    assert cells(without.negative, matrix) == set()  # C x C is in-domain although not on the main diagonal
    assert without.counts("row", "A") == {"positive": 2, "negative": 0}
    assert without.counts("col", "B") == {"positive": 2, "negative": 0}
    assert with_diag.counts("row", "C") == {"positive": 1, "negative": 1}
    assert with_diag.pairs("negative") == [["C", "C"]]


def test_counts_for_an_unknown_label_say_which_axis():
    with pytest.raises(KeyError, match="'Z' is not a test dataset"):
        classify(SQUARE, 0.1, None).counts("col", "Z")


def test_pairs_are_train_test_in_row_order():
    assert classify(SQUARE, 0.1, -0.15).pairs("positive") == [["A", "A"], ["B", "B"], ["C", "B"]]


def _matrix(values, **meta):
    return TransferMatrix(rows=("A", "B"), cols=("A", "B"), values=np.array(values, dtype=float), **meta)


@pytest.mark.parametrize(
    "matrix, expected",
    [
        (_matrix([[0.33, -0.2], [0.1, 0.0]], metric="AUC difference"), (0.0, -0.33, 0.33, 0.01, 0.1, -0.15)),
        (
            _matrix([[0.86, 0.5], [0.7, 0.6]], metric="AUC", neutral=0.5, scale=(0.0, 1.0)),
            (0.5, 0.0, 1.0, 0.01, 0.6, 0.4),
        ),
        # differences too small for +0.1/-0.15: 40% of the way to the end of the range
        (_matrix([[0.05, -0.02], [0.01, 0.0]]), (0.0, -0.05, 0.05, 0.001, 0.02, -0.02)),
        # accuracy gains in percentage points
        (_matrix([[12.0, -30.0], [4.0, 0.0]], metric="accuracy gain (pp)"), (0.0, -30.0, 30.0, 1.0, 12.0, -12.0)),
        # raw accuracy in percent, neutral 50, fixed scale
        (_matrix([[80.0, 40.0], [55.0, 62.0]], neutral=50.0, scale=(0.0, 100.0)), (50.0, 0.0, 100.0, 1.0, 70.0, 30.0)),
        # a constant matrix (no spread) still gets a usable slider
        (_matrix([[0.0, 0.0], [0.0, 0.0]]), (0.0, -1.0, 1.0, 0.01, 0.1, -0.15)),
    ],
    ids=["auc-diff", "raw-auc", "small-diffs", "percentage-points", "percent-scale", "constant"],
)
def test_threshold_scale(matrix, expected):
    scale = threshold_scale(matrix)
    got = (scale.neutral, scale.low, scale.high, scale.step, scale.suggested_pos, scale.suggested_neg)
    assert got == pytest.approx(expected)
    assert scale.low <= scale.suggested_neg <= scale.neutral <= scale.suggested_pos <= scale.high


AUC_DIFF = _matrix([[0.33, -0.2], [0.1, 0.0]], metric="AUC difference")
OTHER_AUC_DIFF = _matrix([[0.2, -0.3], [0.1, 0.0]], metric="AUC difference")
RAW_AUC = _matrix([[0.86, 0.5], [0.7, 0.6]], metric="AUC", neutral=0.5, scale=(0.0, 1.0))


@pytest.mark.parametrize(
    "state, previous, matrix, expected",
    [
        (ViewState(pos=0.12, neg=-0.2), AUC_DIFF, OTHER_AUC_DIFF, (0.12, -0.2)),
        (ViewState(pos=0.12, neg=-0.2), AUC_DIFF, RAW_AUC, (0.6, 0.4)),
        (ViewState(pos=0.12), AUC_DIFF, RAW_AUC, (0.6, None)),
        (ViewState(pos=0.7, neg=0.3), RAW_AUC, AUC_DIFF, (0.1, -0.15)),
        (ViewState(pos=0.7), None, AUC_DIFF, (0.7, None)),
    ],
    ids=["same-units-kept", "new-units-restart", "off-stays-off", "back-to-differences", "no-previous"],
)
def test_carry_thresholds(state, previous, matrix, expected):
    carried = carry_thresholds(state, previous, matrix)
    assert (carried.pos, carried.neg) == expected


def test_highlight_json_absent_when_off_and_complete_when_on():
    assert highlight_json(SQUARE, ViewState()) is None
    section = highlight_json(SQUARE, ViewState(pos=0.1, neg=-0.15, diag=False, row="C", col="Z"))
    assert section == {
        "pos": 0.1, "neg": -0.15, "diag": False,
        "positive": [["C", "B"]], "negative": [["A", "B"], ["B", "C"]],
        "counts": {"positive": 1, "negative": 2},
        "row_counts": {"label": "C", "positive": 1, "negative": 0},
    }


def test_cells_compare_as_drawn_in_float32_like_the_browser():
    # A difference of two stored scores is 0.09999999999999998 in float64; the heatmap (float32)
    # shows 0.1 and the browser highlights it at pos=0.1: so does the core.
    difference = np.array([[0.6 - 0.5, 0.7 - 0.5], [0.5 - 0.6, 0.0]])
    matrix = TransferMatrix(rows=["a", "b"], cols=["c", "d"], values=difference)
    result = classify(matrix, 0.1, -0.1)
    assert result.counts() == {"positive": 2, "negative": 1}
