"""Breakdowns of one train row or one test column: what the linked side panels and /api/view show.

One code path for both axes (`axis="row"`: a train dataset across every test dataset, its
transfer out; `axis="col"`: a test dataset across every train dataset, its transfer in). The
in-domain cell is found by equal labels, never by position, so non-square and reordered matrices
work; missing cells stay NaN and are left out of every statistic.

A matrix with replicates (`transfer.replicates`) adds each bar's interval and replicate values,
and the interval of the line's mean off-diagonal (`LineUncertainty`), from the displayed cells'
statistics (`transfer.uncertainty.cell_stats`): the browser draws them as whiskers and dots.
"""

from __future__ import annotations

import math
import warnings
import weakref
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from .matrix import TransferMatrix
from .uncertainty import CellStats

AXES = ("row", "col")


@dataclass(frozen=True)
class Extreme:
    label: str
    value: float


def _float_list(values: np.ndarray) -> list:
    """Full-precision floats, None for NaN."""
    return [None if math.isnan(v) else v for v in np.asarray(values, dtype=np.float64).tolist()]


@dataclass(frozen=True)
class Interval:
    """A mean and its t-interval at `level` percent, over `n` replicates (or cells), and how
    it was found: 'replicate means' (one mean per replicate, the same replicates in every cell)
    or 'independent cells' (each cell's standard error, Welch-Satterthwaite degrees of freedom)."""

    mean: float
    n: int
    ci_low: float
    ci_high: float
    level: int
    method: str

    def to_json(self) -> dict:
        return {"mean": self.mean, "n": self.n, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "level": self.level, "method": self.method}


@dataclass(frozen=True, eq=False)
class LineUncertainty:
    """Per bar (in the breakdown's `labels` order, NaN where undefined): the replicate count and
    the interval at `level`; the replicate values under their ids (bars x replicates, NaN where a
    cell lacks one) when the displayed spread has them (None for summary-form data; all NaN for a
    comparison's Welch cells); the interval of the line's mean off-diagonal where it has one."""

    level: int
    n: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    replicate_ids: tuple[str, ...] | None
    replicates: np.ndarray | None
    mean_interval: Interval | None

    def to_json(self) -> dict:
        return {
            "level": self.level,
            "n": [None if math.isnan(v) else int(v) for v in self.n.tolist()],
            "ci_low": _float_list(self.ci_low),
            "ci_high": _float_list(self.ci_high),
            "replicate_ids": None if self.replicate_ids is None else list(self.replicate_ids),
            "replicates": None if self.replicates is None else [_float_list(bar) for bar in self.replicates],
            "mean_interval": None if self.mean_interval is None else self.mean_interval.to_json(),
        }


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
    uncertainty: LineUncertainty | None = None  # set for a matrix with replicates

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
            data["values"] = _float_list(self.values)
        if self.uncertainty is not None:  # the page draws whiskers and dots from these: always sent
            data.update(self.uncertainty.to_json())
        return data


def _oriented(matrix: TransferMatrix, axis: str) -> tuple[np.ndarray, np.ndarray]:
    """Values and diagonal mask with the breakdown axis first (columns become rows for 'col')."""
    values, mask = _axis_first(axis, matrix.values, matrix.diagonal_mask)
    return values, mask


def _axis_first(axis: str, *arrays: np.ndarray) -> list[np.ndarray]:
    """Each array (rows x cols x ...) with the breakdown axis first: one code path for both axes."""
    if axis not in AXES:
        raise ValueError(f"axis must be 'row' or 'col', not {axis!r}")
    return [a if axis == "row" else np.swapaxes(a, 0, 1) for a in arrays]


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


def breakdown(matrix: TransferMatrix, axis: str, label: str, stats: CellStats | None = None) -> Breakdown:
    """The breakdown of train dataset `label` (axis 'row') or test dataset `label` (axis 'col');
    with `stats` (the displayed cells' statistics of a matrix with replicates) its uncertainty.

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
        uncertainty=None if stats is None or matrix.spread is None else line_uncertainty(matrix, stats, axis, index),
    )


def line_uncertainty(matrix: TransferMatrix, stats: CellStats, axis: str, index: int) -> LineUncertainty:
    """The uncertainty of line `index` on `axis` of a matrix with replicates (see LineUncertainty)."""
    spread = matrix.spread
    values, mask, n, low, high, se, df = (
        a[index] for a in _axis_first(axis, matrix.values, matrix.diagonal_mask, stats.n, stats.ci_low, stats.ci_high,
                                      spread.se, spread.df)
    )
    samples = None
    if spread.samples is not None:
        samples = _axis_first(axis, spread.samples)[0][index]
        samples = np.where(np.isnan(values)[:, None], np.nan, samples)  # a missing cell has no dots
    off = ~mask & ~np.isnan(values)
    return LineUncertainty(
        level=stats.level, n=n, ci_low=low, ci_high=high, replicate_ids=spread.ids if samples is not None else None,
        replicates=samples, mean_interval=mean_interval(values[off], None if samples is None else samples[off],
                                                        se[off], df[off], stats.level),
    )


def mean_interval(values: np.ndarray, samples: np.ndarray | None, se: np.ndarray, df: np.ndarray,
                  level: int) -> Interval | None:
    """The t-interval of the mean of `values` (cells), or None where it has none.

    When every cell has the same two or more replicates (`samples`: cells x replicates), the
    mean of each replicate over the cells is one observation (a seed that does badly everywhere
    counts once, not once per cell): a one-sample interval over them. Otherwise, when every cell
    has a standard error, the cells are taken as independent: the standard error of their mean
    is sqrt(sum se^2) / m, with Welch-Satterthwaite degrees of freedom. A cell without a standard
    error (one replicate) leaves the mean without an interval.
    """
    m = values.size
    if m == 0:
        return None
    mean = float(np.mean(values))
    if samples is not None:
        present = ~np.isnan(samples)
        kept = present[0]
        if kept.sum() >= 2 and (present == kept).all():
            per_replicate = samples[:, kept].mean(axis=0)
            count = per_replicate.size
            half = _critical(level, count - 1) * float(np.std(per_replicate, ddof=1)) / math.sqrt(count)
            return Interval(mean, count, mean - half, mean + half, level, "replicate means")
    if np.isnan(se).any():
        return None
    variances = se**2
    total = float(variances.sum())
    if total == 0:
        return Interval(mean, m, mean, mean, level, "independent cells")
    spread_cells = variances > 0
    if np.isnan(df[spread_cells]).any():
        return None
    dof = total**2 / float(np.sum(variances[spread_cells] ** 2 / df[spread_cells]))
    half = _critical(level, dof) * math.sqrt(total) / m
    return Interval(mean, m, mean - half, mean + half, level, "independent cells")


def _critical(level: int, dof: float) -> float:
    """The t quantile of a two-sided interval at `level` percent (as transfer.uncertainty's)."""
    return float(scipy_stats.t.ppf(0.5 + level / 200, dof))


def cell_uncertainty(stats: CellStats, i: int, j: int) -> dict:
    """The selected cell's replicate count and interval (JSON-ready, None where undefined)."""
    n, low, high = (float(stats.n[i, j]), float(stats.ci_low[i, j]), float(stats.ci_high[i, j]))
    return {"n": None if math.isnan(n) else int(n), "ci_low": None if math.isnan(low) else low,
            "ci_high": None if math.isnan(high) else high, "level": stats.level}
