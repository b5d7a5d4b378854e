"""Comparisons between matrices and normalisations of one: the `compare` and `norm` view steps.

`compare(this, other)` is `this - other` over the train and test labels both share (in this
matrix's order), and says which labels only one of them has. `normalise(matrix, norm)`:

- `none`: the values as they are.
- `diag`: each row minus its own in-domain value (train label == test label): the cost of
  leaving the home dataset. A row whose in-domain cell is missing, or whose label is not a test
  set, has no reference: the whole row becomes missing (never silently left unnormalised), and a
  notice names it. With no shared label at all the step does not apply and is dropped.
- `zrow` / `zcol`: z-score within each row / column, `(x - mean) / std` over the present cells
  with the population standard deviation (ddof=0). Missing cells stay missing. A line with no
  spread (one present cell, or all equal) has every present cell at its mean: those become 0,
  and a notice names the line.

`derive` chains both (comparison first, then normalisation) and returns the notices and the
state corrections the view needs; it never raises on valid matrices.

A matrix with replicates keeps a spread through `compare` and `diag` (each a difference, paired
by replicate id where both sides have the same ids, Welch otherwise:
`transfer.replicates.difference`); the z-scores have none, and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .matrix import DECLARED, TransferMatrix
from .replicates import Spread, broadcast
from .replicates import difference as spread_difference

NORM_LABELS = {
    "none": "Values",
    "diag": "Row minus in-domain",
    "zrow": "z-score per row",
    "zcol": "z-score per column",
}
_LISTED = 5  # labels named in a notice before "and N more"


def _names(labels) -> str:
    labels = list(labels)
    shown = ", ".join(f"'{label[:40]}'" for label in labels[:_LISTED])
    return shown + (f" and {len(labels) - _LISTED} more" if len(labels) > _LISTED else "")


@dataclass(frozen=True)
class Comparison:
    """`this - other` over shared labels, with both sources kept for the hover."""

    this: TransferMatrix
    other: TransferMatrix
    other_id: str
    matrix: TransferMatrix  # the difference, in this matrix's order
    rows_only_this: tuple[str, ...]
    rows_only_other: tuple[str, ...]
    cols_only_this: tuple[str, ...]
    cols_only_other: tuple[str, ...]

    def sources_at(self, rows, cols) -> tuple[np.ndarray, np.ndarray]:
        """Both source values for the given labels (any order, e.g. the displayed one)."""
        return _pick(self.this, rows, cols), _pick(self.other, rows, cols)

    def notices(self) -> list[str]:
        notes = []
        if self.this.metric != self.other.metric:
            notes.append(
                f"Comparing different metrics ({self.this.metric} minus {self.other.metric}); "
                "the difference mixes their units."
            )
        for labels, kind, where in (
            (self.rows_only_this, "train", "only in this matrix"),
            (self.rows_only_other, "train", "only in the compared matrix"),
            (self.cols_only_this, "test", "only in this matrix"),
            (self.cols_only_other, "test", "only in the compared matrix"),
        ):
            if labels:
                notes.append(f"Comparison leaves out {kind} datasets {where}: {_names(labels)}.")
        return notes

    def to_json(self) -> dict:
        return {
            "other": self.other_id,
            "other_name": self.other.name,
            "shared_rows": list(self.matrix.rows),
            "shared_cols": list(self.matrix.cols),
            "rows_only_this": list(self.rows_only_this),
            "rows_only_other": list(self.rows_only_other),
            "cols_only_this": list(self.cols_only_this),
            "cols_only_other": list(self.cols_only_other),
        }


class CompareError(ValueError):
    """Two matrices that cannot be compared; the message says why."""


def _indices(matrix: TransferMatrix, rows, cols) -> tuple[list[int], list[int]]:
    row_index = {label: i for i, label in enumerate(matrix.rows)}
    col_index = {label: j for j, label in enumerate(matrix.cols)}
    return [row_index[r] for r in rows], [col_index[c] for c in cols]


def _pick(matrix: TransferMatrix, rows, cols) -> np.ndarray:
    return matrix.values[np.ix_(*_indices(matrix, rows, cols))]


def _picked_spread(matrix: TransferMatrix, rows, cols) -> Spread | None:
    return None if matrix.spread is None else matrix.spread.take(*_indices(matrix, rows, cols))


def compare(this: TransferMatrix, other: TransferMatrix, other_id: str = "") -> Comparison:
    """`this - other` over shared labels; missing in either -> missing. CompareError if none shared."""
    other_rows, other_cols = set(other.rows), set(other.cols)
    rows = tuple(label for label in this.rows if label in other_rows)
    cols = tuple(label for label in this.cols if label in other_cols)
    if not rows or not cols:
        axis = "train" if not rows else "test"
        raise CompareError(f"'{other.name or other_id}' shares no {axis} dataset with this matrix")
    difference = TransferMatrix(
        rows=rows,
        cols=cols,
        values=_pick(this, rows, cols) - _pick(other, rows, cols),
        name=f"{this.name} minus {other.name}",
        metric=f"\u0394 {this.metric}" if this.metric == other.metric else f"{this.metric} \u2212 {other.metric}",
        neutral=0.0,
        description=f"{this.name} minus {other.name}, over their shared train and test datasets.",
        source=this.source,
        spread=spread_difference(_picked_spread(this, rows, cols), _picked_spread(other, rows, cols),
                                 _pick(this, rows, cols), _pick(other, rows, cols)),
    )
    return Comparison(
        this=this,
        other=other,
        other_id=other_id,
        matrix=difference,
        rows_only_this=tuple(label for label in this.rows if label not in other_rows),
        rows_only_other=tuple(label for label in other.rows if label not in set(this.rows)),
        cols_only_this=tuple(label for label in this.cols if label not in other_cols),
        cols_only_other=tuple(label for label in other.cols if label not in set(this.cols)),
    )


@dataclass(frozen=True)
class Normalised:
    matrix: TransferMatrix
    notices: tuple[str, ...] = ()
    applied: bool = True  # False when the normalisation does not apply to this matrix


def _zscore(values: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """z-scores along `axis` (1: within rows, 0: within columns) and a mask of flat lines."""
    present = ~np.isnan(values)
    counts = present.sum(axis=axis, keepdims=True)
    safe_counts = np.maximum(counts, 1)
    mean = np.where(present, values, 0.0).sum(axis=axis, keepdims=True) / safe_counts
    centred = np.where(present, values - mean, 0.0)
    std = np.sqrt((centred**2).sum(axis=axis, keepdims=True) / safe_counts)
    # A line whose spread is only float noise around its mean is flat, not noisy data.
    flat = (counts > 0) & (std <= 1e-12 * np.maximum(1.0, np.abs(mean)))
    z = np.where(flat, 0.0, centred / np.where(flat | (std == 0), 1.0, std))
    return np.where(present, z, np.nan), flat.ravel()


def normalise(matrix: TransferMatrix, norm: str) -> Normalised:
    """The matrix under `norm` (none, diag, zrow, zcol); see the module docstring."""
    if norm == "none":
        return Normalised(matrix)
    notices: list[str] = []
    if norm == "diag":
        if not matrix.shared_labels:
            return Normalised(
                matrix,
                ("norm=diag needs train and test datasets with the same names; showing the values as they are.",),
                applied=False,
            )
        col_index = {label: j for j, label in enumerate(matrix.cols)}
        reference = np.array([matrix.values[i, col_index[label]] if label in col_index else np.nan
                              for i, label in enumerate(matrix.rows)])
        values = matrix.values - reference[:, None]
        spread = _diag_spread(matrix, col_index)
        has_values = (~np.isnan(matrix.values)).any(axis=1)
        lost = [label for label, ref, present in zip(matrix.rows, reference, has_values) if np.isnan(ref) and present]
        if lost:
            notices.append(f"norm=diag: no in-domain value for {_names(lost)}; shown as missing.")
        metric, description = f"{matrix.metric} minus in-domain", "each row minus its in-domain value"
    elif norm in ("zrow", "zcol"):
        axis_name = "row" if norm == "zrow" else "column"
        values, flat = _zscore(matrix.values, axis=1 if norm == "zrow" else 0)
        flat_labels = [label for label, is_flat in zip(matrix.rows if norm == "zrow" else matrix.cols, flat) if is_flat]
        if flat_labels:
            notices.append(
                f"norm={norm}: no spread in {axis_name} {_names(flat_labels)}; its cells are at the mean (z = 0)."
            )
        metric, description = f"z-score within {axis_name}", f"{matrix.metric} as a z-score within each {axis_name}"
        spread = None
        if matrix.spread is not None:
            notices.append(f"norm={norm}: z-scores have no interval or significance; the statistics of the "
                           "replicates apply to the values and to norm=diag.")
    else:
        raise ValueError(f"unknown normalisation '{norm}'")
    result = replace(
        matrix,
        values=values,
        metric=metric,
        neutral=0.0,
        neutral_basis=DECLARED,  # a difference or a z-score: diverging around 0
        scale=None,
        description=f"{matrix.description} ({description})".strip(),
        spread=spread,
    )
    return Normalised(result, tuple(notices))


def _diag_spread(matrix: TransferMatrix, col_index: dict[str, int]) -> Spread | None:
    """The spread of each cell minus its row's in-domain cell, paired by replicate where both
    have the same replicate ids (`transfer.replicates.difference`)."""
    if matrix.spread is None:
        return None
    n_rows, n_cols = matrix.shape
    reference = np.array([col_index.get(label, 0) for label in matrix.rows])
    rows = np.repeat(np.arange(n_rows)[:, None], n_cols, axis=1)
    ref_cols = np.repeat(reference[:, None], n_cols, axis=1)
    ref = broadcast(matrix.spread, rows, ref_cols)
    return spread_difference(matrix.spread, ref, matrix.values, matrix.values[rows, ref_cols],
                             same=matrix.diagonal_mask)


@dataclass(frozen=True)
class Derived:
    """The displayed values before ordering, with what the view must say and correct."""

    matrix: TransferMatrix
    comparison: Comparison | None = None
    notices: tuple[str, ...] = ()
    changes: dict = field(default_factory=dict)  # ViewState fields to reset (a step that does not apply)


def derive(
    source: TransferMatrix, norm: str = "none", other: TransferMatrix | None = None, other_id: str | None = None,
) -> Derived:
    """Comparison (if `other`) then normalisation; steps that cannot apply are dropped with a notice."""
    notices: list[str] = []
    changes: dict = {}
    comparison = None
    matrix = source
    if other is not None:
        try:
            comparison = compare(source, other, other_id or "")
        except CompareError as err:
            notices.append(f"Ignored compare: {err}.")
            changes["compare"] = None
        else:
            matrix = comparison.matrix
            notices.extend(comparison.notices())
    normalised = normalise(matrix, norm)
    notices.extend(normalised.notices)
    if not normalised.applied:
        changes["norm"] = "none"
    return Derived(matrix=normalised.matrix, comparison=comparison, notices=tuple(notices), changes=changes)
