"""The CSV downloads of a view (transfer/exports.py, components/downloads.py): the means as wide
CSV, and for a matrix with replicates its replicates (long) or its std and n; file names that say
what the view is; a matrix without replicates keeps its one download as it was."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from components import downloads
from transfer.exports import export_file, export_filename, second_kind
from transfer.matrix import TransferMatrix
from transfer.parsing import parse_matrix, to_wide_csv
from transfer.replicates import Spread
from transfer.view import view_from_query

from replicated import DatasetsStub, replicated_matrix

N = math.nan
LABELS = ["A", "B", "C"]
IDS = ["s1", "s2", "s3"]
SAMPLES = np.array([
    [[0.90, 0.92, 0.88], [0.10, 0.14, N], [-0.30, -0.26, -0.35]],
    [[0.20, N, N], [0.80, 0.83, 0.79], [N, N, N]],
    [[0.33, 0.29, 0.35], [0.05, 0.05, 0.05], [0.60, 0.66, 0.58]],
])


def replicated(samples=SAMPLES, **fields) -> TransferMatrix:
    return replicated_matrix(samples, IDS, LABELS, **fields)



def rows_of(text: str) -> list[list[str]]:
    """The header and the rows with a value (the writer may add empty ones to keep the label order)."""
    return [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#") and row[-1] != ""]


def summary_matrix() -> TransferMatrix:
    spread = Spread.from_summary(np.array([[0.02, 0.05], [0.1, N]]), np.array([[5, 3], [4, 1]]))
    return TransferMatrix(rows="AB", cols="AB", values=[[0.5, 0.1], [-0.2, 0.4]], name="summ", spread=spread)


def test_replicates_file_has_one_row_per_replicate_value_of_the_displayed_cells():
    view = view_from_query(DatasetsStub(rep=replicated(name="Seeds: probe")), "order=cluster")
    exported = export_file(view.matrix, view.state.norm, "replicates")
    header, *body = rows_of(exported.content)
    assert header == ["train", "test", "replicate", "value"]
    expected = {(LABELS[i], LABELS[j], IDS[k], float(SAMPLES[i, j, k]))
                for i, j, k in np.argwhere(~np.isnan(SAMPLES))}
    assert {(r, c, k, float(v)) for r, c, k, v in body} == expected and len(body) == len(expected)
    assert exported.filename == "Seeds-probe-replicates.csv"
    back = parse_matrix(exported.content.encode(), filename=exported.filename)  # reads back as the same replicates
    order = [back.rows.index(label) for label in LABELS], [back.cols.index(label) for label in LABELS]
    assert back.spread.ids == tuple(IDS)
    assert np.array_equal(back.spread.samples[np.ix_(*order)], SAMPLES, equal_nan=True)


def test_means_file_is_the_wide_csv_of_the_displayed_matrix():
    view = view_from_query(DatasetsStub(rep=replicated(name="Seeds")), "order=cluster&norm=diag")
    exported = export_file(view.matrix, view.state.norm, "means")
    assert exported.content == to_wide_csv(view.matrix) and exported.filename == "Seeds-norm-diag-means.csv"


def test_a_comparisons_files_are_named_for_it_and_hold_the_paired_differences():
    this, other = replicated(name="Mistral"), replicated(SAMPLES + 0.1, name="Llama")
    view = view_from_query(DatasetsStub(this=this, other=other), "compare=other")
    assert export_filename(view.matrix, "none", "replicates") == "Mistral-minus-Llama-replicates.csv"
    _, *body = rows_of(export_file(view.matrix, "none", "replicates").content)
    assert body and all(math.isclose(float(v), -0.1, abs_tol=1e-12) for *_, v in body)


def test_summary_form_offers_std_and_n():
    matrix = summary_matrix()
    assert second_kind(matrix) == "summary"
    exported = export_file(matrix, "none", "summary")
    header, *body = rows_of(exported.content)
    assert header == ["train", "test", "value", "std", "n"] and exported.filename == "summ-summary.csv"
    assert body == [["A", "A", "0.5", "0.02", "5"], ["A", "B", "0.1", "0.05", "3"], ["B", "A", "-0.2", "0.1", "4"],
                    ["B", "B", "0.4", "", "1"]]
    with pytest.raises(ValueError):
        export_file(matrix, "none", "replicates")


def test_a_matrix_without_replicates_keeps_its_one_plain_download():
    plain = TransferMatrix(rows="ab", cols="ab", values=[[0.1, 0.2], [0.3, 0.4]], name="long results")
    assert second_kind(plain) is None
    assert export_filename(plain, "none", "means") == "long-results.csv"
    with pytest.raises(ValueError):
        export_file(plain, "none", "replicates")
    view = view_from_query(DatasetsStub(plain=plain), "")
    assert downloads.buttons(view) == [downloads.PLAIN_LABEL, downloads.SECOND_LABELS["replicates"], downloads.HIDDEN]


@pytest.mark.parametrize("matrix, second", [(replicated(name="r"), "replicates"), (summary_matrix(), "summary")],
                         ids=["replicates", "summary"])
def test_the_buttons_offer_the_means_and_the_second_file(matrix, second):
    view = view_from_query(DatasetsStub(m=matrix), "")
    assert downloads.buttons(view) == [downloads.MEANS_LABEL, downloads.SECOND_LABELS[second], {}]
    data = downloads.download(view, second)
    assert data["type"] == "text/csv" and data["filename"].endswith(f"-{second}.csv")
