"""Thresholds of positive and negative transfer: which cells they highlight, and where they start.

A cell shows *positive transfer* when its value is >= `pos` and *negative transfer* when it is
<= `neg`, both in the matrix's own units; `None` switches a threshold off. Missing cells are never
highlighted, and with `diag=False` the in-domain cells (train label == test label, matched by
label so any display order works) are left out of highlighting and counts. With `sig` (a matrix
with replicates), only cells whose q-value is below it are highlighted ("significant only").

The browser repeats `classify` in `assets/thresholds.js` so that moving a slider never asks the
server; `/api/view` answers with this module's result for the same link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .matrix import TransferMatrix
from .uncertainty import cell_stats
from .viewstate import ViewState, format_number

# Defaults for scores on a unit scale (AUC, accuracy, their differences): +0.1 above the neutral
# value; below it -0.15 for differences (neutral 0), -0.1 for raw scores (neutral 0.5 -> 0.4).
UNIT_POS_OFFSET = 0.1
UNIT_NEG_OFFSET = {0.0: 0.15}
UNIT_NEG_OFFSET_DEFAULT = 0.1
# Other units: this fraction of the way from the neutral value to the end of the colour range.
GENERIC_FRACTION = 0.4
SLIDER_STEPS = 50  # at least this many steps across the whole range


def _rounded(value: float) -> float:
    """A number as the URL writes it (6 decimals), so bounds and suggestions survive a link."""
    return float(format_number(value))


@dataclass(frozen=True)
class ThresholdScale:
    """Where the threshold sliders run and start, in the matrix's units.

    `pos` runs over [neutral, high] and `neg` over [low, neutral]; `suggested_pos`/`suggested_neg`
    are the positions a switched-on threshold starts from.
    """

    neutral: float
    low: float
    high: float
    step: float
    suggested_pos: float
    suggested_neg: float

    def as_dict(self) -> dict:
        return {
            "neutral": self.neutral, "low": self.low, "high": self.high, "step": self.step,
            "pos": self.suggested_pos, "neg": self.suggested_neg,
        }


def _is_unit_scale(matrix: TransferMatrix, low: float, high: float) -> bool:
    return -1.0 <= low and high <= 1.0 and -1.0 <= matrix.neutral <= 1.0


def _snap(value: float, origin: float, step: float) -> float:
    return _rounded(origin + round((value - origin) / step) * step)


def threshold_scale(matrix: TransferMatrix) -> ThresholdScale:
    """Slider bounds, step and suggested positions for a matrix (see the module constants)."""
    neutral = _rounded(matrix.neutral)
    low, high = (_rounded(v) for v in matrix.value_range())
    low, high = min(low, neutral), max(high, neutral)
    unit = _is_unit_scale(matrix, low, high)
    span = (high - low) or 1.0
    step = _rounded(10.0 ** math.floor(math.log10(span / SLIDER_STEPS))) or 1e-6

    def suggest(unit_offset: float, end: float) -> float:
        direction = 1.0 if end >= neutral else -1.0
        if unit:
            candidate = _rounded(neutral + direction * unit_offset)
            if min(neutral, end) < candidate < max(neutral, end):
                return candidate
        candidate = _snap(neutral + GENERIC_FRACTION * (end - neutral), neutral, step)
        return min(max(candidate, min(neutral, end)), max(neutral, end))

    neg_offset = UNIT_NEG_OFFSET.get(neutral, UNIT_NEG_OFFSET_DEFAULT)
    return ThresholdScale(neutral, low, high, step, suggest(UNIT_POS_OFFSET, high), suggest(neg_offset, low))


@dataclass(frozen=True)
class Highlight:
    """The cells two thresholds pick out of a matrix, as boolean masks in the matrix's order."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    positive: np.ndarray
    negative: np.ndarray
    pos: float | None
    neg: float | None
    diag: bool

    def counts(self, axis: str | None = None, label: str | None = None) -> dict[str, int]:
        """{"positive": n, "negative": m} over the whole matrix, or along one row or column by label."""
        positive, negative = self.positive, self.negative
        if axis is not None:
            labels = self.rows if axis == "row" else self.cols
            if label not in labels:
                raise KeyError(f"'{label}' is not a {'train' if axis == 'row' else 'test'} dataset of this matrix")
            index = labels.index(label)
            positive, negative = (m[index] if axis == "row" else m[:, index] for m in (positive, negative))
        return {"positive": int(positive.sum()), "negative": int(negative.sum())}

    def pairs(self, kind: str) -> list[list[str]]:
        """[train, test] label pairs of the highlighted cells of `kind`, row by row."""
        mask = self.positive if kind == "positive" else self.negative
        return [[self.rows[i], self.cols[j]] for i, j in zip(*np.nonzero(mask))]


def classify(
    matrix: TransferMatrix, pos: float | None, neg: float | None, diag: bool = True,
    significant: np.ndarray | None = None,
) -> Highlight:
    """Cells >= pos (positive) and <= neg (negative); missing and (diag=False) in-domain cells
    never, nor, when `significant` is given ("significant only"), the cells it marks False.

    Compared as the heatmap draws them, in float32 (cells and thresholds alike), as the browser
    classifies: a difference of two stored scores, 0.6 - 0.5 = 0.09999999999999998 in float64,
    reads 0.1 and is >= 0.1 on the page and here alike."""
    values = matrix.values.astype(np.float32)
    eligible = ~np.isnan(values)
    if not diag:
        eligible &= ~matrix.diagonal_mask
    if significant is not None:
        eligible &= significant
    none = np.zeros(values.shape, dtype=bool)
    positive = eligible & (values >= np.float32(pos)) if pos is not None else none
    negative = eligible & (values <= np.float32(neg)) if neg is not None else none
    return Highlight(matrix.rows, matrix.cols, positive, negative, pos, neg, diag)


def highlight_json(matrix: TransferMatrix, state: ViewState) -> dict | None:
    """The `highlight` section of /api/view; None while both thresholds are off."""
    if state.pos is None and state.neg is None:
        return None
    stats = cell_stats(matrix, state.ci) if state.sig is not None else None
    result = classify(matrix, state.pos, state.neg, state.diag, stats.significant(state.sig) if stats else None)
    section = {
        "pos": state.pos, "neg": state.neg, "diag": state.diag, **({"sig": state.sig} if stats else {}),
        "positive": result.pairs("positive"), "negative": result.pairs("negative"),
        "counts": result.counts(),
    }
    for axis in ("row", "col"):
        label = getattr(state, axis)
        if label is not None and label in matrix.labels(axis):
            section[f"{axis}_counts"] = {"label": label, **result.counts(axis, label)}
    return section


def units(matrix: TransferMatrix) -> tuple:
    """What a threshold's number means: two matrices with equal units can share thresholds."""
    return (matrix.metric, matrix.neutral, matrix.scale)


def carry_thresholds(state: ViewState, previous: TransferMatrix | None, matrix: TransferMatrix) -> ViewState:
    """The state after switching from `previous` to `matrix`: thresholds that are on keep their
    values when the units are the same, and restart from the new suggestions when they differ
    (0.1 AUC difference means nothing on a raw AUC matrix); thresholds that are off stay off."""
    if previous is None or units(previous) == units(matrix):
        return state
    scale = threshold_scale(matrix)
    return replace(
        state,
        pos=None if state.pos is None else scale.suggested_pos,
        neg=None if state.neg is None else scale.suggested_neg,
    )
