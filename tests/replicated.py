"""Matrices with replicates for the tests, workbooks, and the smallest Datasets a view needs."""

from __future__ import annotations

import io

import numpy as np
import openpyxl

from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, sample_means


def replicated_matrix(samples: np.ndarray, ids=None, labels=None, **fields) -> TransferMatrix:
    """The matrix of the means of `samples` (rows x cols x replicates, NaN where absent), with
    replicate ids "0".."R-1" unless given and labels t0, t1, ... unless given."""
    rows, cols, count = samples.shape
    labels = list(labels or [f"t{i}" for i in range(max(rows, cols))])
    _, mean = sample_means(samples)
    return TransferMatrix(rows=labels[:rows], cols=labels[:cols], values=mean,
                          spread=Spread.from_samples(samples, ids or [str(k) for k in range(count)]), **fields)


class DatasetsStub:
    """The smallest Datasets a view needs: matrices by id, the first one the default, no annotations."""

    def default_annotations(self, _dataset_id):
        return None


    def __init__(self, **matrices):
        self.matrices = matrices
        self.default_id = next(iter(matrices))
        self.default_ann = None

    def get(self, dataset_id):
        return self.matrices.get(dataset_id)


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook made with openpyxl: a sheet per entry, its rows as given (None: an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
