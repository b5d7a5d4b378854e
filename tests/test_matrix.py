"""The TransferMatrix model (parser failures are covered table by table in test_parsing.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transfer.matrix import MatrixError, TransferMatrix
from transfer.parsing import parse_wide


def matrix(rows, cols, values, **meta) -> TransferMatrix:
    return TransferMatrix(rows=rows, cols=cols, values=np.array(values, dtype=float), **meta)


def test_parse_wide_reads_labels_values_and_missing_cells():
    m = parse_wide("train\\test,A,B,C\nA,1,2,\nB,NA,0.5,-0.25\n")
    assert m.rows == ("A", "B") and m.cols == ("A", "B", "C")
    assert m.values[0, 1] == 2 and m.values[1, 2] == -0.25
    assert math.isnan(m.values[0, 2]) and math.isnan(m.values[1, 0])


@pytest.mark.parametrize(
    "text",
    [
        "\ufefftrain\\test,A,B\nA,1,2\nB,3,4\n",
        "train\\test\tA\tB\nA\t1\t2\nB\t3\t4\n",
        ",A,B\r\nA,1,2\r\nB,3,4\r\n",
        "x;A;B\nA;1;2\n\nB;3;4\n",
    ],
    ids=["bom", "tsv", "crlf-empty-corner", "semicolon-blank-line"],
)
def test_parse_wide_variants(text):
    m = parse_wide(text)
    assert m.rows == ("A", "B") and m.cols == ("A", "B")
    assert m.values.tolist() == [[1, 2], [3, 4]]


def test_quoted_labels_with_commas():
    m = parse_wide('t,"QA, long",B\n"QA, long",1,2\nB,3,4\n')
    assert m.rows[0] == "QA, long" and m.cols[0] == "QA, long"


def test_diagonal_is_defined_by_labels_not_positions():
    m = matrix(["B", "A", "X"], ["A", "B"], [[1, 2], [3, 4], [5, 6]])
    assert m.diagonal_mask.tolist() == [[False, True], [True, False], [False, False]]
    assert m.shared_labels == ("B", "A")
    assert not m.is_square_tasks


def test_value_range_is_symmetric_about_neutral_unless_fixed():
    m = matrix(["A"], ["A", "B"], [[-0.1, 0.3]])
    assert m.value_range() == pytest.approx((-0.3, 0.3))
    shifted = matrix(["A"], ["A", "B"], [[0.45, 0.9]], neutral=0.5)
    assert shifted.value_range() == pytest.approx((0.1, 0.9))
    fixed = matrix(["A"], ["A"], [[0.7]], neutral=0.5, scale=(0.0, 1.0))
    assert fixed.value_range() == (0.0, 1.0)
    all_missing = matrix(["A"], ["A"], [[np.nan]])
    assert all_missing.value_range() == (-1.0, 1.0)


def test_values_are_read_only_and_reordering_permutes_labels_with_values():
    m = matrix(["A", "B"], ["C", "D"], [[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        m.values[0, 0] = 9
    r = m.reordered([1, 0], [1, 0])
    assert r.rows == ("B", "A") and r.cols == ("D", "C") and r.values.tolist() == [[4, 3], [2, 1]]


def test_csv_round_trip_keeps_full_precision_and_missing():
    m = matrix(["A", "B"], ["A", "B"], [[0.1234567890123, np.nan], [-1e-9, 3]])
    back = parse_wide(m.to_csv())
    np.testing.assert_array_equal(back.values, m.values)
    assert back.rows == m.rows and back.cols == m.cols


def test_content_id_depends_on_content_only():
    a = matrix(["A"], ["B"], [[1.0]], name="x")
    assert a.content_id() == matrix(["A"], ["B"], [[1.0]], name="x").content_id()
    assert a.content_id() != matrix(["A"], ["B"], [[1.5]], name="x").content_id()
    assert len(a.content_id()) == 32


def test_shape_mismatch_is_refused():
    with pytest.raises(MatrixError, match="expected 2 rows x 1 columns"):
        TransferMatrix(rows=["A", "B"], cols=["C"], values=np.zeros((1, 1)))
