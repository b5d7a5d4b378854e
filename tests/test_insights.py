"""Insights on hand-made matrices with known answers, and on the bundled paper matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from transfer.datasets import Datasets
from transfer.insights import (
    build_insights,
    cluster_groups,
    diagonal_dominance,
    extremes,
    fmt,
    most_asymmetric,
    specialist,
    strongest_transfers,
)
from transfer.matrix import TransferMatrix
from transfer.store import DatasetStore

NAN = math.nan


def matrix(values, rows="ABC", cols=None, neutral=0.0) -> TransferMatrix:
    cols = rows if cols is None else cols
    return TransferMatrix(rows=list(rows), cols=list(cols), values=np.array(values, dtype=float), neutral=neutral)


def kinds(insights) -> list[str]:
    return [i.kind for i in insights]


@pytest.fixture(scope="module")
def paper() -> TransferMatrix:
    datasets = Datasets(DatasetStore("sqlite://"))
    return datasets.get(datasets.default_id)


# --- the paper matrix: numbers checked by hand against data/mistral-7b-instruct_auc-diff.csv ---


def test_paper_strongest_negative_is_nli_to_triviaqa(paper):
    insight = strongest_transfers(paper, -1)
    assert insight.cells == (("NLI", "TriviaQA"), ("IMDB", "HotpotQA"), ("Winobias", "Movies"))
    assert insight.numbers["values"] == [-0.24, -0.23, -0.22]
    # Math -> HotpotQA is also -0.22: row order puts Winobias first and the tie is reported.
    assert insight.numbers["more_tied"] == 1
    assert "NLI \u2192 TriviaQA (\u22120.24)" in insight.text


def test_paper_strongest_positive_off_diagonal_is_winobias_to_winogrande(paper):
    insight = strongest_transfers(paper, +1)
    assert insight.cells[0] == ("Winobias", "Winogrande")
    assert insight.numbers["values"] == [0.12, 0.10, 0.07]
    assert insight.numbers["count"] == 22  # off-diagonal cells above 0


def test_paper_specialist_is_nli(paper):
    insight = specialist(paper)
    assert insight.rows == ("NLI",) and insight.cells == (("NLI", "NLI"),)
    assert insight.numbers["in_domain"] == 0.32
    assert insight.numbers["mean_off_diagonal"] == pytest.approx(-1.21 / 9)
    assert "0.32 in-domain against \u22120.13" in insight.text


def test_paper_diagonal_dominates_every_row_and_column(paper):
    insight = diagonal_dominance(paper)
    assert insight.numbers["rows_peaking"] == 10 and insight.numbers["cols_peaking"] == 10
    assert insight.numbers["mean_in_domain"] == pytest.approx(1.73 / 10)
    assert insight.cells == ()  # no exceptions to point at


def test_paper_donors_and_receivers(paper):
    donors, receivers = extremes(paper, "row"), extremes(paper, "col")
    assert donors.rows == ("HotpotQA", "NLI")
    assert receivers.cols == ("NLI", "HotpotQA")
    assert receivers.numbers["worst"] == pytest.approx(-1.28 / 9)


def test_paper_asymmetric_pairs_break_equal_gaps_by_row_order(paper):
    insight = most_asymmetric(paper)
    # TriviaQA/NLI and IMDB/NLI both differ by 0.25 (up to float noise): TriviaQA comes first.
    assert insight.cells[:2] == (("TriviaQA", "Math"), ("Math", "TriviaQA"))
    assert insight.cells[2:4] == (("TriviaQA", "NLI"), ("NLI", "TriviaQA"))
    assert insight.numbers["gaps"] == [0.29, 0.25, 0.25]


def test_paper_builds_every_insight_but_clusters(paper):
    assert kinds(build_insights(paper)) == [
        "diagonal_dominance", "strongest_negative", "strongest_positive", "asymmetric", "donors", "receivers",
        "specialist",
    ]


# --- hand-made matrices ---


def test_ties_are_broken_by_row_then_column_order():
    m = matrix([[0, -1, -1], [-1, 0, -2], [-1, -1, 0]])
    insight = strongest_transfers(m, -1, top=3)
    assert insight.cells == (("B", "C"), ("A", "B"), ("A", "C"))
    assert insight.numbers["more_tied"] == 3  # (B, A), (C, A), (C, B) also at -1, left out
    assert "3 more pairs tie at \u22121.00" in insight.text


def test_missing_cells_are_not_counted():
    m = matrix([[1.0, NAN, -0.5], [NAN, 2.0, NAN], [0.3, NAN, NAN]])
    negative = strongest_transfers(m, -1)
    assert negative.cells == (("A", "C"),) and negative.numbers["count"] == 1
    dominance = diagonal_dominance(m)
    # C's in-domain cell is missing: two in-domain cells count; B's row has no other present cell.
    assert dominance.numbers["in_domain_cells"] == 2
    assert dominance.numbers["rows_peaking"] == 1  # A only
    assert dominance.numbers["mean_off_diagonal"] == pytest.approx(-0.1)
    assert most_asymmetric(m).cells == (("C", "A"), ("A", "C"))  # the only pair with both present


def test_all_equal_matrix_has_no_peaks_and_ties_everywhere():
    m = matrix(np.full((3, 3), 0.4))
    dominance = diagonal_dominance(m)
    assert dominance.numbers["rows_peaking"] == 0 and dominance.numbers["cols_peaking"] == 0
    assert dominance.cells == (("A", "A"), ("B", "B"), ("C", "C"))  # none peaks in-domain
    positive = strongest_transfers(m, +1)
    assert positive.cells == (("A", "B"), ("A", "C"), ("B", "A")) and positive.numbers["more_tied"] == 3
    assert strongest_transfers(m, -1).cells == ()
    assert "No off-diagonal transfer is below the neutral value 0.00" in strongest_transfers(m, -1).text
    assert most_asymmetric(m).numbers["gaps"] == [0, 0, 0]
    assert specialist(m).numbers["gap"] == 0 and specialist(m).rows == ("A",)  # first of equals
    assert extremes(m, "row").rows == ("A", "A")


def test_non_square_matrix_without_shared_labels_keeps_only_what_applies():
    m = matrix([[0.1, -0.3], [0.2, 0.0], [-0.1, 0.4]], rows="ABC", cols="XY")
    built = build_insights(m)
    assert kinds(built) == ["strongest_negative", "strongest_positive", "donors", "receivers"]
    assert built[0].cells == (("A", "Y"), ("C", "X"))  # every cell is off-diagonal


def test_diagonal_is_found_by_label_not_position():
    m = matrix([[0.0, 0.9], [0.8, 0.1]], rows="AB", cols="BA")  # in-domain: A/A=0.9, B/B=0.8
    assert specialist(m).cells == (("A", "A"),)
    assert diagonal_dominance(m).numbers["rows_peaking"] == 2


def test_neutral_value_decides_positive_and_negative():
    m = matrix([[0.9, 0.6], [0.4, 0.8]], rows="AB", neutral=0.5)
    assert strongest_transfers(m, +1).cells == (("A", "B"),)
    assert strongest_transfers(m, -1).cells == (("B", "A"),)


def test_single_cell_and_all_missing_matrices_do_not_fail():
    assert build_insights(matrix([[0.5]], rows="A")) == []
    assert build_insights(matrix(np.full((2, 2), NAN), rows="AB")) == []


def test_clusters_are_named_by_their_members_in_display_order():
    m = matrix(np.eye(4), rows="ABCD")
    insight = cluster_groups(m, {"A": 2, "B": 1, "C": 2, "D": 1})
    assert insight.numbers["groups"] == [["A", "C"], ["B", "D"]]
    assert insight.text == "2 clusters at this cut: {A, C}; {B, D}."
    assert cluster_groups(m, {label: 1 for label in "ABCD"}) is None  # one group says nothing
    assert kinds(build_insights(m, clusters={"A": 1, "B": 1, "C": 2, "D": 2}))[-1] == "clusters"


def test_text_uses_true_minus_and_no_negative_zero():
    assert fmt(-0.24) == "\u22120.24" and fmt(-0.0001) == "0.00" and fmt(0.1) == "0.10"


def test_json_form_has_pairs_and_numbers(paper):
    item = strongest_transfers(paper, -1).to_json()
    assert item["kind"] == "strongest_negative"
    assert item["cells"][0] == ["NLI", "TriviaQA"]
    assert item["numbers"]["values"][0] == -0.24
