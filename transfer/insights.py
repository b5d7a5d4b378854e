"""Observations that read a transfer matrix, as a paper's paragraph would, each with its cells.

Every insight is a small function of the displayed matrix that returns an `Insight` or None when
it does not apply (no diagonal without shared train/test labels, nothing to compare with too few
cells). `build_insights` collects those that apply; it never raises on a valid matrix.

Conventions, the same for every insight:
- Only non-missing cells count; a mean over no cells is no mean (the insight is left out).
- "Off-diagonal" and "in-domain" are decided by label (`TransferMatrix.diagonal_mask`), so a
  matrix whose columns are in another order than its rows still has its diagonal.
- "Positive" and "negative" transfer are relative to the matrix's neutral value (0 for
  differences, 0.5 for AUC): strictly above or strictly below it.
- Ranked lists are stable: equal values keep row order, then column order.

A matrix with replicates adds two insights from its cells' statistics
(`transfer.uncertainty.summary`): how many cells are significant after Benjamini-Hochberg
correction, and which large effects are not distinguishable from no transfer.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import numpy as np

from .matrix import TransferMatrix
from .taskgroups import PERMUTATIONS, GroupStats
from .uncertainty import CellStats, summary

TOP = 3
ARROW = "\u2192"
DEFAULT_ALPHA = 0.05  # q-value level of "significant" when the view sets no `sig`


@dataclass(frozen=True)
class Insight:
    """One observation: a sentence, the cells it talks about and its numbers.

    `cells` are `(train, test)` label pairs; `rows` and `cols` name whole rows or columns the
    sentence is about (donors, receivers); `numbers` holds the values the sentence quotes.
    """

    kind: str
    title: str
    text: str
    cells: tuple[tuple[str, str], ...] = ()
    rows: tuple[str, ...] = ()
    cols: tuple[str, ...] = ()
    numbers: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "cells": [list(cell) for cell in self.cells],
            "rows": list(self.rows),
            "cols": list(self.cols),
            "numbers": self.numbers,
        }


def fmt(value: float) -> str:
    """Two decimals as the heatmap prints them, with a true minus sign and no '-0.00'."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return "0.00"
    return text.replace("-", "\u2212")


def _num(value: float) -> float:
    """A JSON-ready float, rounded to hide float noise (0.1 - 0.3 -> -0.2, not -0.19999...)."""
    return round(float(value), 10)


def _tie_key(value: float) -> float:
    """Computed differences and means as sort keys: 0.01 - -0.24 and 0.04 - -0.21 are both 0.25
    for a reader, so float noise must not decide their order (row order does)."""
    return round(value, 9)


def pair_text(train: str, test: str, value: float) -> str:
    return f"{train} {ARROW} {test} ({fmt(value)})"


def _off_diagonal_values(matrix: TransferMatrix) -> np.ndarray:
    """The matrix with in-domain cells blanked (NaN): only off-diagonal cells are present."""
    return np.where(matrix.diagonal_mask, np.nan, matrix.values)


def _top(values: np.ndarray, key: np.ndarray, top: int) -> tuple[np.ndarray, int, int]:
    """The `top` present cells by ascending key, ties in row-major (row, then column) order.

    Returns their flat indices, how many cells were present, and how many more cells tie with
    the last one chosen. Partitions first, so a 1000 x 1000 matrix is not fully sorted.
    """
    flat = np.flatnonzero(~np.isnan(values))
    keys = key.ravel()[flat]
    if flat.size > top > 0:
        keep = keys <= np.partition(keys, top - 1)[top - 1]  # every cell tied with the k-th stays
        flat, keys = flat[keep], keys[keep]
    order = np.lexsort((flat, keys))
    chosen = flat[order][:top]
    more_tied = (int(np.sum(keys == keys[order][top - 1]) - np.sum(keys[order][:top] == keys[order][top - 1]))
                 if flat.size >= top > 0 else 0)
    return chosen, int((~np.isnan(values)).sum()), more_tied


def _diagonal(matrix: TransferMatrix) -> list[tuple[int, int]]:
    """(row index, column index) of each in-domain cell, in row order."""
    col_index = {label: j for j, label in enumerate(matrix.cols)}
    return [(i, col_index[label]) for i, label in enumerate(matrix.rows) if label in col_index]


def diagonal_dominance(matrix: TransferMatrix) -> Insight | None:
    """How many rows and columns peak on their in-domain cell; mean in-domain vs off-diagonal.

    A row (column) counts when its in-domain value is present and strictly above every other
    present value of that row (column): with ties there is no single peak, so an all-equal
    matrix has no dominant row. Needs at least two shared labels and a present in-domain cell.
    """
    values = matrix.values
    diagonal = [(i, j) for i, j in _diagonal(matrix) if not math.isnan(values[i, j])]
    off = _off_diagonal_values(matrix)
    if len(_diagonal(matrix)) < 2 or not diagonal or np.isnan(off).all():
        return None
    # The best other value of each row and column (-inf where a line has no other present cell).
    others = np.where(np.isnan(values), -np.inf, values)
    others[tuple(np.array(diagonal).T)] = -np.inf
    row_best, col_best = others.max(axis=1), others.max(axis=0)
    row_peaks = [(i, j) for i, j in diagonal if np.isfinite(row_best[i]) and values[i, j] > row_best[i]]
    col_peaks = [(i, j) for i, j in diagonal if np.isfinite(col_best[j]) and values[i, j] > col_best[j]]
    exceptions = [cell for cell in diagonal if cell not in set(row_peaks)]
    mean_in = float(np.mean([values[i, j] for i, j in diagonal]))
    mean_off = float(np.nanmean(off))
    n = len(diagonal)
    text = (
        f"{len(row_peaks)} of {n} train sets do best on their own test set and {len(col_peaks)} of {n} "
        f"test sets are best served by their own train set; mean in-domain {fmt(mean_in)} against "
        f"{fmt(mean_off)} off the diagonal."
    )
    if exceptions:
        text += " Not peaking in-domain: " + ", ".join(matrix.rows[i] for i, _ in exceptions) + "."
    return Insight(
        kind="diagonal_dominance",
        title="Diagonal dominance",
        text=text,
        cells=tuple((matrix.rows[i], matrix.cols[j]) for i, j in exceptions),
        numbers={
            "rows_peaking": len(row_peaks),
            "cols_peaking": len(col_peaks),
            "in_domain_cells": n,
            "mean_in_domain": _num(mean_in),
            "mean_off_diagonal": _num(mean_off),
        },
    )


def strongest_transfers(matrix: TransferMatrix, sign: int, top: int = TOP) -> Insight | None:
    """The `top` off-diagonal cells furthest below (sign -1) or above (sign +1) the neutral value.

    Sorted by value (most extreme first), ties by row then column order. When more cells tie
    with the last one listed, `numbers["more_tied"]` says how many were left out.
    """
    off = _off_diagonal_values(matrix)
    if np.isnan(off).all():
        return None
    kind, word = ("strongest_negative", "negative") if sign < 0 else ("strongest_positive", "positive")
    beyond = np.where((off - matrix.neutral) * sign > 0, off, np.nan)
    picked, count, more_tied = _top(beyond, -sign * beyond, top)
    cols = matrix.shape[1]
    chosen = [(int(k // cols), int(k % cols), float(beyond.flat[k])) for k in picked]
    # Without a neutral value (a sequential scale) there is no positive or negative transfer: the
    # lowest and highest cells, below and above the middle of the range.
    sequential = matrix.scale_kind == "sequential"
    lead = ("Lowest" if sign < 0 else "Highest") if sequential else f"Strongest {word}"
    title = f"{lead} transfer"
    if not chosen:
        side = "below" if sign < 0 else "above"
        reference = "the middle of the range" if sequential else "the neutral value"
        text = f"No off-diagonal transfer is {side} {reference} {fmt(matrix.neutral)}."
    else:
        text = f"{lead} off-diagonal transfer{'s' if len(chosen) > 1 else ''}: " + ", ".join(
            pair_text(matrix.rows[i], matrix.cols[j], v) for i, j, v in chosen
        ) + "."
        if more_tied:
            text += f" {more_tied} more {'pair ties' if more_tied == 1 else 'pairs tie'} at {fmt(chosen[-1][2])}."
    return Insight(
        kind=kind,
        title=title,
        text=text,
        cells=tuple((matrix.rows[i], matrix.cols[j]) for i, j, _ in chosen),
        numbers={"values": [_num(v) for _, _, v in chosen], "count": count, "more_tied": more_tied},
    )


def most_asymmetric(matrix: TransferMatrix, top: int = TOP) -> Insight | None:
    """Pairs of shared labels whose A -> B and B -> A differ the most (both cells present).

    Each unordered pair appears once, as the direction with the higher value first; ties keep
    the order of the first label in the rows, then of the second.
    """
    shared = matrix.shared_labels
    row_index = {label: i for i, label in enumerate(matrix.rows)}
    col_index = {label: j for j, label in enumerate(matrix.cols)}
    # square[a, b]: shared label a -> shared label b, in row order of the labels.
    square = matrix.values[np.ix_([row_index[x] for x in shared], [col_index[x] for x in shared])]
    upper = np.triu(np.ones(square.shape, dtype=bool), k=1)
    gaps = np.where(upper, np.abs(square - square.T), np.nan)  # NaN where either direction is missing
    picked, _, _ = _top(gaps, -np.round(gaps, 9), top)
    if picked.size == 0:
        return None
    n = len(shared)
    chosen = []
    for k in picked:
        a, b = int(k // n), int(k % n)
        ab, ba = float(square[a, b]), float(square[b, a])
        high, low = (((shared[a], shared[b], ab), (shared[b], shared[a], ba)) if ab >= ba
                     else ((shared[b], shared[a], ba), (shared[a], shared[b], ab)))
        chosen.append((float(gaps[a, b]), high, low))
    parts = [
        f"{high[0]} {ARROW} {high[1]} {fmt(high[2])} against {low[0]} {ARROW} {low[1]} {fmt(low[2])} (gap {fmt(gap)})"
        for gap, high, low in chosen
    ]
    return Insight(
        kind="asymmetric",
        title="Most asymmetric pairs",
        text="Most asymmetric pairs: " + "; ".join(parts) + ".",
        cells=tuple(cell for _, high, low in chosen for cell in ((high[0], high[1]), (low[0], low[1]))),
        numbers={
            "gaps": [_num(gap) for gap, _, _ in chosen],
            "pairs": [[_num(high[2]), _num(low[2])] for _, high, low in chosen],
        },
    )


def _off_diagonal_means(matrix: TransferMatrix, axis: str) -> list[tuple[int, float]]:
    """(index, mean of present off-diagonal cells) per row or column; lines with none are skipped."""
    off = _off_diagonal_values(matrix)
    present = ~np.isnan(off)
    along = 1 if axis == "row" else 0
    counts = present.sum(axis=along)
    sums = np.where(present, off, 0.0).sum(axis=along)
    return [(int(k), float(sums[k] / counts[k])) for k in np.flatnonzero(counts)]


def extremes(matrix: TransferMatrix, axis: str) -> Insight | None:
    """Best and worst donors (axis 'row': train sets by mean transfer out) or the most and least
    receptive test sets (axis 'col': mean transfer in), off the diagonal. Needs two lines."""
    means = _off_diagonal_means(matrix, axis)
    if len(means) < 2:
        return None
    labels = matrix.labels(axis)
    best = max(means, key=lambda m: _tie_key(m[1]))  # max/min return the first of equals: row/column order
    worst = min(means, key=lambda m: _tie_key(m[1]))
    if axis == "row":
        kind, title = "donors", "Best and worst donors"
        text = (
            f"Best donor: {labels[best[0]]} (mean transfer to other test sets {fmt(best[1])}); "
            f"worst donor: {labels[worst[0]]} ({fmt(worst[1])})."
        )
    else:
        kind, title = "receivers", "Most and least receptive test sets"
        text = (
            f"Most receptive test set: {labels[best[0]]} (mean transfer from other train sets {fmt(best[1])}); "
            f"least receptive: {labels[worst[0]]} ({fmt(worst[1])})."
        )
    named = (labels[best[0]], labels[worst[0]])
    return Insight(
        kind=kind,
        title=title,
        text=text,
        rows=named if axis == "row" else (),
        cols=named if axis == "col" else (),
        numbers={"best": _num(best[1]), "worst": _num(worst[1])},
    )


def specialist(matrix: TransferMatrix) -> Insight | None:
    """The task with the largest gap between its in-domain value and its mean transfer out."""
    means = dict(_off_diagonal_means(matrix, "row"))
    gaps = []
    for i, j in _diagonal(matrix):
        value = matrix.values[i, j]
        if i in means and not math.isnan(value):
            gaps.append((float(value) - means[i], i, j, float(value), means[i]))
    if not gaps:
        return None
    gap, i, j, home, away = max(gaps, key=lambda g: _tie_key(g[0]))
    label = matrix.rows[i]
    return Insight(
        kind="specialist",
        title="The specialist",
        text=(
            f"{label} is the specialist: {fmt(home)} in-domain against {fmt(away)} on average when "
            f"transferred to the other test sets (gap {fmt(gap)})."
        ),
        cells=((label, matrix.cols[j]),),
        rows=(label,),
        numbers={"in_domain": _num(home), "mean_off_diagonal": _num(away), "gap": _num(gap)},
    )


def cluster_groups(matrix: TransferMatrix, clusters: dict[str, int]) -> Insight | None:
    """The groups at the current cut, named by their members (in display order, rows then
    columns); groups numbered by their first member. Needs at least two groups."""
    order: list[str] = []
    for label in (*matrix.rows, *matrix.cols):
        if label in clusters and label not in order:
            order.append(label)
    groups: dict[int, list[str]] = {}
    for label in order:
        groups.setdefault(clusters[label], []).append(label)
    if len(groups) < 2:
        return None
    members = list(groups.values())
    text = f"{len(members)} clusters at this cut: " + "; ".join("{" + ", ".join(g) + "}" for g in members) + "."
    return Insight(
        kind="clusters",
        title="Clusters",
        text=text,
        numbers={"k": len(members), "groups": members, "ids": list(groups.keys())},
    )


def group_transfer(stats: GroupStats, neutral: float) -> Insight:
    """Transfer between different tasks of the same group against transfer between groups, with
    the permutation p-value of the difference (`transfer.taskgroups.group_stats`)."""
    text = (
        f"Transfer within the same {stats.field} averages {signed(stats.within, neutral)} vs "
        f"{signed(stats.between, neutral)} between groups (difference {signed(stats.difference, 0)}, "
        f"permutation p = {stats.p:.2g}, {stats.permutations:,} permutations of {stats.field}"
        + (f"; fewer than {PERMUTATIONS:,} at this size, so p is resolved to 1/{stats.permutations + 1:,})."
           if stats.permutations < PERMUTATIONS else ").")
    )
    return Insight(kind="groups", title=f"Within vs between {stats.field}", text=text, numbers=stats.to_json())


def signed(value: float, neutral: float) -> str:
    """`fmt`, with a plus sign above a neutral value of 0 (a difference reads as +0.07)."""
    return ("+" if neutral == 0 and value > 0 and fmt(value) != "0.00" else "") + fmt(value)


def interval_text(low: float, high: float, level: int) -> str:
    return f"{level}% CI [{fmt(low)}, {fmt(high)}]"


_SUMMARIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def significance_summary(matrix: TransferMatrix, stats: CellStats, alpha: float) -> dict:
    """`transfer.uncertainty.summary`, memoised per statistics object (one per displayed matrix
    and level, immutable) and alpha: both insights read it."""
    memo = _SUMMARIES.setdefault(stats, {})
    if alpha not in memo:
        memo[alpha] = summary(stats, matrix, alpha, limit=TOP)
    return memo[alpha]


def significance(matrix: TransferMatrix, stats: CellStats, alpha: float, top: int = TOP) -> Insight | None:
    """How many tested cells are significant after Benjamini-Hochberg correction (q < alpha),
    naming the `top` with the smallest q-values (ties: the larger effect, then row, then column
    order). None when no cell could be tested (the view's notice says why)."""
    counts = significance_summary(matrix, stats, alpha)
    tested, significant = counts["tested"], counts["significant"]
    if tested == 0:
        return None
    hits = np.flatnonzero(stats.significant(alpha))  # row by row
    effect = np.round(np.abs(matrix.values - matrix.neutral).flat[hits], 9)  # as _tie_key
    order = np.lexsort((np.arange(hits.size), -effect, stats.q.flat[hits]))[:top]
    chosen = [divmod(int(k), matrix.shape[1]) for k in hits[order]]
    text = (f"{significant:,} of {tested:,} tested cell{'s' if tested != 1 else ''} "
            f"{'is' if significant == 1 else 'are'} significant after Benjamini-Hochberg correction "
            f"(q < {alpha:g}; {stats.test_name} against the neutral value {fmt(matrix.neutral)}).")
    if chosen:
        text += " Most significant: " + ", ".join(
            f"{matrix.rows[i]} {ARROW} {matrix.cols[j]} ({fmt(matrix.values[i, j])}, q = {stats.q[i, j]:.2g})"
            for i, j in chosen) + "."
    return Insight(
        kind="significance",
        title="Significant after correction",
        text=text,
        cells=tuple((matrix.rows[i], matrix.cols[j]) for i, j in chosen),
        numbers={"tested": tested, "significant": significant, "alpha": alpha, "correction": "bh",
                 "test": stats.test_name, "q": [float(stats.q[i, j]) for i, j in chosen]},
    )


def uncertain_effects(matrix: TransferMatrix, stats: CellStats, alpha: float, top: int = TOP) -> Insight | None:
    """The large effects (the top tenth by distance from the neutral value) whose interval
    crosses the neutral value: not distinguishable from no transfer. None when every large
    effect's interval excludes it, or nothing was tested."""
    found = significance_summary(matrix, stats, alpha)["large_not_significant"]
    if not found:
        return None
    shown = found[:top]
    text = "; ".join(
        f"{train} {ARROW} {test} {signed(value, matrix.neutral)}, {interval_text(low, high, stats.level)}"
        for train, test, value, low, high in shown
    )
    total = significance_summary(matrix, stats, alpha)["large_not_significant_total"]
    if total > len(shown):
        text += f" (and {total - len(shown):,} more)"
    text += (f": not distinguishable from no transfer (the interval{'s cross' if total > 1 else ' crosses'} "
             f"the neutral value {fmt(matrix.neutral)}).")
    return Insight(
        kind="uncertain_effects",
        title="Large but uncertain",
        text=text,
        cells=tuple((train, test) for train, test, *_ in shown),
        numbers={"level": stats.level, "count": total,
                 "effects": [[_num(value), _num(low), _num(high)] for _, _, value, low, high in shown]},
    )


def build_insights(matrix: TransferMatrix, clusters: dict[str, int] | None = None, top: int = TOP,
                   stats: CellStats | None = None, sig: float | None = None,
                   groups: GroupStats | None = None) -> list[Insight]:
    """Every insight that applies to the displayed matrix, in a fixed order; with `stats` (a
    matrix with replicates), significance at q < `sig` (default DEFAULT_ALPHA) first; with
    `groups`, transfer within vs between the groups of a field."""
    alpha = sig or DEFAULT_ALPHA
    candidates = [
        significance(matrix, stats, alpha, top) if stats is not None else None,
        uncertain_effects(matrix, stats, alpha, top) if stats is not None else None,
        diagonal_dominance(matrix),
        strongest_transfers(matrix, -1, top),
        strongest_transfers(matrix, +1, top),
        most_asymmetric(matrix, top),
        extremes(matrix, "row"),
        extremes(matrix, "col"),
        specialist(matrix),
        cluster_groups(matrix, clusters) if clusters else None,
        group_transfer(groups, matrix.neutral) if groups is not None else None,
    ]
    return [insight for insight in candidates if insight is not None]
