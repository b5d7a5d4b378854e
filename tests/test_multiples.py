"""Small multiples: which matrices share labels, their alignment and one colour scale per metric."""

from __future__ import annotations

import numpy as np

from transfer.matrix import TransferMatrix
from transfer.multiples import common_range, small_multiples


def m(values, rows, cols, **meta) -> TransferMatrix:
    return TransferMatrix(rows=list(rows), cols=list(cols), values=np.array(values, dtype=float), **meta)


def test_groups_by_metric_align_to_the_shown_order_and_skip_unrelated_matrices():
    shown = m([[0.1, -0.2], [0.0, 0.3]], "AB", "AB", metric="diff")
    other = m([[0.5, 0.6, 0.7], [0.4, -0.8, 0.0]], "BA", "CBA", metric="diff")  # extra test set C
    auc = m([[0.9, 0.6], [0.7, 0.8]], "AB", "AB", metric="AUC", neutral=0.5, scale=(0, 1))
    unrelated = m([[1.0]], "X", "Y", metric="diff")
    groups = small_multiples(
        "shown", shown, [("auc", auc), ("other", other), ("shown", shown), ("unrelated", unrelated)],
    )
    assert [g.metric for g in groups] == ["diff", "AUC"]  # the shown matrix's group first
    diff = groups[0]
    assert [x.dataset_id for x in diff.members] == ["other", "shown"] and diff.members[1].shown
    aligned = diff.members[0].matrix
    assert aligned.rows == ("A", "B") and aligned.cols == ("A", "B", "C")  # shared first, extra after
    assert aligned.values[0, 1] == -0.8 and aligned.values[1, 1] == 0.6  # A -> B and B -> B follow their labels
    assert diff.color_range == (-0.8, 0.8)  # one symmetric scale over both members
    assert groups[1].color_range == (0, 1)


def test_an_uploaded_matrix_is_shown_with_the_catalogue():
    shown = m([[0.2]], "A", "A")
    groups = small_multiples("upload-id", shown, [("cat", m([[0.1]], "A", "A"))])
    assert [x.dataset_id for x in groups[0].members] == ["upload-id", "cat"]


def test_common_range_of_all_missing_or_flat_matrices_is_not_empty():
    assert common_range([m([[np.nan]], "A", "A")], 0.0) == (-1.0, 1.0)
    assert common_range([m([[0.0]], "A", "A")], 0.0) == (-1.0, 1.0)
