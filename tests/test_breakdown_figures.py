"""The breakdown bar chart and the selection outlines: pure builders checked on tiny matrices."""

from __future__ import annotations

import math

import pytest

from transfer.breakdown import breakdown, display_order
from transfer.figures import DIVERGING, MISSING_COLOR, breakdown_figure, display_number, scale_colors, selection_shapes
from transfer.matrix import TransferMatrix

AUC = TransferMatrix(
    rows=["A", "B"], cols=["B", "A", "C"],
    values=[[0.7, 0.9, math.nan], [0.95, 0.4, 0.6]],
    neutral=0.5, scale=(0.0, 1.0), metric="AUC",
)


@pytest.mark.parametrize(
    "sort, labels, lengths",
    [("data", ["B", "A", "C"], [0.2, 0.4, None]), ("value", ["A", "B", "C"], [0.4, 0.2, None])],
    ids=["data-order", "sorted-missing-last"],
)
def test_bars_start_at_neutral_in_heatmap_colours_with_in_domain_outlined(sort, labels, lengths):
    item = breakdown(AUC, "row", "A")
    figure = breakdown_figure(item, AUC, display_order(item, sort))
    bars, missing = figure["data"]
    assert bars["y"] == labels and bars["base"] == 0.5
    assert bars["x"] == [None if v is None else pytest.approx(v) for v in lengths]  # missing is no bar, not 0
    # Colours as hex strings from the heatmap's scale (0..1 here); the missing value's is grey.
    values = [0.5 + v if v is not None else math.nan for v in lengths]
    assert bars["marker"]["color"] == scale_colors(values, 0.0, 1.0) and bars["marker"]["color"][-1] == MISSING_COLOR
    assert [w > 0 for w in bars["marker"]["line"]["width"]] == [label == "A" for label in labels]
    assert missing["y"] == ["C"] and missing["x"] == [0.5] and missing["text"] == "missing"
    neutral_line = figure["layout"]["shapes"][0]
    assert (neutral_line["x0"], neutral_line["x1"]) == (0.5, 0.5)
    assert figure["layout"]["yaxis"]["categoryarray"] == labels


@pytest.mark.parametrize(
    "value, color",
    [(0.0, DIVERGING[0][1]), (0.5, DIVERGING[2][1]), (1.0, DIVERGING[4][1]), (-3.0, DIVERGING[0][1]), (0.125, "#5a96c5"), (math.nan, MISSING_COLOR)],
    ids=["low-end", "neutral-white", "high-end", "clipped", "between-stops", "missing"],
)
def test_scale_colors_follow_the_heatmap_scale(value, color):
    assert scale_colors([value], 0.0, 1.0) == [color.lower()]


@pytest.mark.parametrize(
    "rows, cols, row, col, expected",
    [
        (["a", "b", "c"], ["x", "y"], "b", "y", [("selected-row", -0.5, 1.5, 0.5, 1.5), ("selected-col", 0.5, 1.5, -0.5, 2.5)]),
        (["a", "b", "c"], ["x", "y"], None, "x", [("selected-col", -0.5, 0.5, -0.5, 2.5)]),
        (["a", "b", "c"], ["x", "y"], "zzz", None, []),
        (["c", "a", "b"], ["y", "x"], "b", None, [("selected-row", -0.5, 1.5, 1.5, 2.5)]),
    ],
    ids=["row-and-col", "col-only", "unknown-label-skipped", "follows-display-order"],
)
def test_selection_shapes(rows, cols, row, col, expected):
    shapes = selection_shapes(rows, cols, row, col)
    assert [(s["name"], s["x0"], s["x1"], s["y0"], s["y1"]) for s in shapes] == expected


@pytest.mark.parametrize(
    "value, text",
    [(0.32, "0.32"), (-0.1344444, "-0.134"), (-0.0001, "0"), (None, "missing"), (math.nan, "missing")],
    ids=["two-decimals", "rounded", "no-negative-zero", "none", "nan"],
)
def test_display_number(value, text):
    assert display_number(value) == text
