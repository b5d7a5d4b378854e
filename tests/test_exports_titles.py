"""Exports say what the view is (transfer/exports.py view_title / view_filename): the matrix, the
matrix it is compared with, the normalisation, the filter, `where` and `collapse` in force; file
names in safe characters and of bounded length; the CSV's title line reads back through the parser."""

from __future__ import annotations

import re

import numpy as np
import pytest

from components import downloads
from transfer.annotations import parse_annotations
from transfer.exports import STEM_LIMIT, TITLE_LIMIT, view_filename, view_title
from transfer.matrix import TransferMatrix
from transfer.parsing import parse_matrix
from transfer.view import view_from_query

from replicated import DatasetsStub

TASKS = ("qa1", "nli1", "qa2", "nli2")
VALUES = np.array([[0.9, -0.1, 0.3, -0.2], [-0.1, 0.7, -0.2, 0.4], [0.2, -0.3, 0.8, 0.0], [0.0, 0.5, -0.4, 0.6]])
ANNOTATIONS = parse_annotations(b"task,kind\nqa1,QA\nqa2,QA\nnli1,NLI\nnli2,NLI\n", "tasks.csv")
LONG = "Mistral-7B-Instruct: probe AUC minus logit baseline, " * 6  # 318 characters
SAFE = re.compile(r"[A-Za-z0-9._-]+")


class Datasets(DatasetsStub):
    def default_annotations(self, dataset_id):
        return ANNOTATIONS


def matrix(name: str) -> TransferMatrix:
    return TransferMatrix(rows=TASKS, cols=TASKS, values=VALUES, name=name)


DATASETS = Datasets(m=matrix("Mistral 7B"), o=matrix("Llama/3 <8B>"), long=matrix(LONG.strip()[:199]))


@pytest.mark.parametrize("query, title, stem", [
    ("dataset=m", "Mistral 7B", "Mistral-7B"),
    ("dataset=m&compare=o", "Mistral 7B · minus Llama/3 <8B>", "Mistral-7B-minus-Llama-3-8B"),
    ("dataset=m&norm=zrow", "Mistral 7B · z-score per row", "Mistral-7B-norm-zrow"),
    ("dataset=m&norm=diag", "Mistral 7B · row minus in-domain", "Mistral-7B-norm-diag"),
    ("dataset=m&filter=qa", "Mistral 7B · filter \u201cqa\u201d", "Mistral-7B-filter-qa"),
    ("dataset=m&where=kind:QA", "Mistral 7B · where kind is QA", "Mistral-7B-where-kind-QA"),
    ("dataset=m&collapse=kind", "Mistral 7B · means by kind", "Mistral-7B-by-kind"),
    ("dataset=m&compare=o&norm=zcol&filter=qa",
     "Mistral 7B · minus Llama/3 <8B> · z-score per column · filter \u201cqa\u201d",
     "Mistral-7B-minus-Llama-3-8B-norm-zcol-filter-qa"),
    ("dataset=m&filter=zzz", "Mistral 7B", "Mistral-7B"),  # a filter that leaves nothing is dropped
], ids=["raw", "compare", "zrow", "diag", "filter", "where", "collapse", "compare-norm-filter", "filter-dropped"])
def test_title_and_file_name_say_what_the_view_is(query, title, stem):
    view = view_from_query(DATASETS, query)
    assert view_title(view) == title
    assert view_filename(view) == stem and SAFE.fullmatch(stem)


def test_order_and_selection_do_not_change_what_the_file_is():
    plain = view_from_query(DATASETS, "dataset=m")
    ordered = view_from_query(DATASETS, "dataset=m&order=cluster&row=qa1&col=nli1&pos=0.1")
    assert (view_title(ordered), view_filename(ordered)) == (view_title(plain), view_filename(plain))


def test_long_names_are_cut_and_what_was_done_stays():
    view = view_from_query(DATASETS, "dataset=long&compare=m&norm=zrow&where=kind:QA")
    stem, title = view_filename(view), view_title(view)
    assert len(stem) <= STEM_LIMIT and SAFE.fullmatch(stem)
    assert stem.endswith("-minus-Mistral-7B-norm-zrow-where-kind-QA") and stem.startswith("Mistral-7B-Instruct")
    assert len(title) <= TITLE_LIMIT and title.endswith("\u2026") and title.startswith("Mistral-7B-Instruct: probe")


def test_csv_carries_the_title_and_reads_back_as_the_same_matrix():
    view = view_from_query(DATASETS, "dataset=m&compare=o&norm=zrow")
    data = downloads.download(view, "means")
    assert data["filename"] == "Mistral-7B-minus-Llama-3-8B-norm-zrow.csv"
    first = data["content"].splitlines()[0]
    assert first == "# title: Mistral 7B · minus Llama/3 <8B> · z-score per row"
    back = parse_matrix(data["content"].encode(), filename=data["filename"])
    assert back.rows == view.matrix.rows and back.cols == view.matrix.cols
    assert np.allclose(back.values, view.matrix.values, equal_nan=True)
    assert back.name == view.matrix.name


def test_a_title_with_a_comma_stays_one_comment_line():
    named = Datasets(c=matrix("a, b"))
    data = downloads.download(view_from_query(named, "dataset=c&filter=x,y"), "means")
    back = parse_matrix(data["content"].encode(), filename="x.csv")
    assert back.rows == TASKS and back.name == "a, b"
