"""The selection outlines and the numbers' rounding: pure builders checked on tiny inputs (the
bars themselves are drawn in the browser: tests/test_browser_breakdown.py)."""

from __future__ import annotations

import math

import pytest

from transfer.figures import display_number, selection_shapes


@pytest.mark.parametrize(
    "rows, cols, row, col, expected",
    [
        (
            ["a", "b", "c"], ["x", "y"], "b", "y",
            [("selected-row", -0.5, 1.5, 0.5, 1.5), ("selected-col", 0.5, 1.5, -0.5, 2.5)],
        ),
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
