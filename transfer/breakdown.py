"""Breakdowns of one train row or one test column: what the linked side panels and /api/view show.

One code path for both axes (`axis="row"`: a train dataset across every test dataset, its
transfer out; `axis="col"`: a test dataset across every train dataset, its transfer in). The
in-domain cell is found by equal labels, never by position, so non-square and reordered matrices
work; missing cells stay NaN and are left out of every statistic.
"""

from __future__ import annotations

import math
import warnings
import weakref
from dataclasses import dataclass

import numpy as np

from .matrix import TransferMatrix

AXES = ("row", "col")


@dataclass(frozen=True)
class Extreme:
    label: str
    value: float


@dataclass(frozen=True)
class Breakdown:
    """One row's or one column's values (in the matrix's order) and their statistics.

    `labels` are the other axis's labels; `mean_off_diagonal`, `best` and `worst` leave out the
    in-domain cell and missing cells (None when nothing is left). `rank` is 1 for the highest
    mean among all rows (or columns) that have one, out of `ranked`.
    """

    axis: str
    label: str
    labels: tuple[str, ...]
    values: np.ndarray  # float64, NaN for missing cells
    in_domain_index: int | None  # position in `labels` of the same dataset, if it is there
    in_domain: float | None  # its value; None when it is absent or missing
    mean_off_diagonal: float | None
    best: Extreme | None
    worst: Extreme | None
    rank: int | None
    ranked: int

    @property
    def missing(self) -> int:
        return int(np.isnan(self.values).sum())

    def to_json(self, values: bool = True) -> dict:
        """Full-precision JSON (None for missing values); without the labels and values when
        `values` is False (the page draws the bars from the heatmap's cells it already has)."""
        data = {
            "axis": self.axis,
            "label": self.label,
            "in_domain_index": self.in_domain_index,
            "in_domain": self.in_domain,
            "mean_off_diagonal": self.mean_off_diagonal,
            "best": None if self.best is None else {"label": self.best.label, "value": self.best.value},
            "worst": None if self.worst is None else {"label": self.worst.label, "value": self.worst.value},
            "rank": self.rank,
            "ranked": self.ranked,
            "missing": self.missing,
        }
        if values:
            data["labels"] = list(self.labels)
            data["values"] = [None if math.isnan(v) else v for v in self.values.tolist()]
        return data


def _oriented(matrix: TransferMatrix, axis: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and diagonal mask with the breakdown axis first (columns become rows for 'col')."""
    if axis not in AXES:
        raise ValueError(f"axis must be 'row' or 'col', not {axis!r}")
    values, mask = matrix.values, matrix.diagonal_mask
    return (values, mask) if axis == "row" else (values.T, mask.T)


def off_diagonal_means(matrix: TransferMatrix, axis: str) -> np.ndarray:
    """Mean of each row's (or column's) off-diagonal, non-missing values; NaN where there are none.

    Memoised per matrix object (matrices are immutable; views reuse cached ones): every click
    ranks the selection among all lines, 10 ms per axis at 1000 x 1000.
    """
    memo = _MEANS.setdefault(matrix, {})
    if axis not in memo:
        values, mask = _oriented(matrix, axis)
        off = np.where(mask, np.nan, values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN lines: NaN is the answer
            means = np.nanmean(off, axis=1) if off.shape[1] else np.full(off.shape[0], np.nan)
        means.setflags(write=False)
        memo[axis] = means
    return memo[axis]


_MEANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def breakdown(matrix: TransferMatrix, axis: str, label: str) -> Breakdown:
    """The breakdown of train dataset `label` (axis 'row') or test dataset `label` (axis 'col').

    Raises KeyError when `label` is not on that axis.
    """
    values, mask = _oriented(matrix, axis)
    own = matrix.labels(axis)
    others = matrix.labels("col" if axis == "row" else "row")
    try:
        index = own.index(label)
    except ValueError:
        raise KeyError(f"'{label}' is not a {'train' if axis == 'row' else 'test'} dataset of this matrix") from None
    line = values[index].copy()
    diagonal = np.flatnonzero(mask[index])
    in_domain_index = int(diagonal[0]) if diagonal.size else None

    off = np.flatnonzero(~mask[index] & ~np.isnan(line))
    best = worst = None
    if off.size:
        # First occurrence on ties, so the answer follows the matrix order, deterministically.
        hi, lo = off[np.argmax(line[off])], off[np.argmin(line[off])]
        best, worst = Extreme(others[hi], float(line[hi])), Extreme(others[lo], float(line[lo]))

    means = off_diagonal_means(matrix, axis)
    mean = means[index]
    ranked = int((~np.isnan(means)).sum())
    # Competition ranking ("1224"): ties share the better rank. Means of decimal data that are
    # equal on paper differ in the last bits (0.05 vs 0.05000000000000002), hence isclose.
    known = means[~np.isnan(means)]
    rank = (None if math.isnan(mean)
            else 1 + int(((known > mean) & ~np.isclose(known, mean, rtol=1e-9, atol=1e-12)).sum()))
    line.setflags(write=False)
    return Breakdown(
        axis=axis,
        label=label,
        labels=others,
        values=line,
        in_domain_index=in_domain_index,
        in_domain=None if in_domain_index is None else _optional(line[in_domain_index]),
        mean_off_diagonal=_optional(mean),
        best=best,
        worst=worst,
        rank=rank,
        ranked=ranked,
    )
