"""Small multiples: every catalogue matrix that shares labels with the shown one, side by side.

Matrices are grouped by what their numbers mean (metric and neutral value, or metric alone for
matrices without one: sequential scales): one common colour scale per group, so equal colours mean
equal values within a group. Each matrix is laid out in
the shown matrix's label order (shared labels first, its own extra labels after), so the same
cell sits at the same place in every panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matrix import TransferMatrix


@dataclass(frozen=True)
class Multiple:
    dataset_id: str
    name: str
    matrix: TransferMatrix  # aligned to the shown matrix's order
    shown: bool  # the matrix the view shows


@dataclass(frozen=True)
class MultiplesGroup:
    metric: str
    neutral: float | None  # None: no neutral value, a sequential scale
    color_range: tuple[float, float]  # common to every member
    members: tuple[Multiple, ...]


def _aligned_order(own: tuple[str, ...], reference: tuple[str, ...]) -> list[int]:
    index = {label: k for k, label in enumerate(own)}
    shared = [index[label] for label in reference if label in index]
    return shared + [k for k, label in enumerate(own) if label not in set(reference)]


def shares_labels(matrix: TransferMatrix, reference: TransferMatrix) -> bool:
    """At least one train and one test label in common."""
    return bool(set(matrix.rows) & set(reference.rows)) and bool(set(matrix.cols) & set(reference.cols))


def common_range(matrices: list[TransferMatrix], neutral: float | None) -> tuple[float, float]:
    """One fixed scale if every matrix has the same one, else symmetric around `neutral` over all
    (without a neutral value: from the lowest colour range's start to the highest one's end)."""
    scales = {m.scale for m in matrices}
    if len(scales) == 1 and None not in scales:
        return next(iter(scales))
    if neutral is None:
        ranges = [m.value_range() for m in matrices]
        return (min(low for low, _ in ranges), max(high for _, high in ranges))
    spreads = [float(np.nanmax(np.abs(m.values - neutral))) for m in matrices if not np.isnan(m.values).all()]
    spread = max(spreads, default=0.0) or 1.0
    return (neutral - spread, neutral + spread)


def small_multiples(
    shown_id: str, shown: TransferMatrix, catalogue: list[tuple[str, TransferMatrix]],
) -> list[MultiplesGroup]:
    """Groups of aligned matrices sharing labels with `shown` (itself included); the shown
    matrix's group first, then groups in catalogue order."""
    candidates = list(catalogue)
    if shown_id not in {dataset_id for dataset_id, _ in candidates}:
        candidates.insert(0, (shown_id, shown))
    groups: dict[tuple[str, float | None], list[Multiple]] = {}
    for dataset_id, matrix in candidates:
        if not shares_labels(matrix, shown):
            continue
        aligned = matrix.reordered(_aligned_order(matrix.rows, shown.rows), _aligned_order(matrix.cols, shown.cols))
        member = Multiple(dataset_id, matrix.name or dataset_id, aligned, dataset_id == shown_id)
        neutral = matrix.neutral if matrix.scale_kind == "diverging" else None
        groups.setdefault((matrix.metric, neutral), []).append(member)
    ordered = sorted(groups.items(), key=lambda item: not any(m.shown for m in item[1]))  # stable
    return [
        MultiplesGroup(metric, neutral, common_range([m.matrix for m in members], neutral), tuple(members))
        for (metric, neutral), members in ordered
    ]
