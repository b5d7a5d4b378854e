"""What is known of each cell's spread: the replicates (seeds, runs, folds) behind its value.

A matrix with replicates has as its values the mean of each cell's replicates, and a `Spread`
beside them. It arrives in one of two forms and is stored as it arrived:

- **replicates**: every replicate's value (`samples`, rows x cols x R, NaN where a cell lacks
  one) under its id (`ids`, e.g. the seeds). Cells may have different numbers of replicates.
- **summary**: a standard deviation and a count per cell (`std`, `n`), as papers and experiment
  trackers report them.

Derived views (a comparison, `norm=diag`) carry a derived `Spread`: per cell the standard error of
the value shown, its degrees of freedom and the test that goes with them (`transfer.compare`).
The statistics of a displayed matrix are `transfer.uncertainty`'s.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class TTest(IntEnum):
    """The t-test behind a cell's interval and p-value (per cell: a comparison may mix them)."""

    NONE = 0  # fewer than two replicates, or no spread: a value without an interval
    ONE_SAMPLE = 1  # the replicates of one matrix against the neutral value
    PAIRED = 2  # per-replicate differences (the same replicate ids on both sides)
    WELCH = 3  # two independent sets of replicates (Welch-Satterthwaite degrees of freedom)


TEST_NAMES = {TTest.ONE_SAMPLE: "one-sample t", TTest.PAIRED: "paired t", TTest.WELCH: "Welch t"}


def sample_means(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell the number of replicates and their mean (NaN where there is none)."""
    present = ~np.isnan(samples)
    n = present.sum(axis=2).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(present, samples, 0.0).sum(axis=2) / n, np.nan)
    return n, mean


def _frozen(array: np.ndarray, dtype=np.float64) -> np.ndarray:
    array = np.asarray(array, dtype=dtype)  # arrays made here, or handed over by their maker
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Spread:
    """Per-cell `n`, `std` (ddof=1), `se` and `df` (NaN where undefined) and `test` (a `TTest`
    code); `samples` and `ids` when the replicates themselves are known."""

    n: np.ndarray
    std: np.ndarray
    se: np.ndarray
    df: np.ndarray
    test: np.ndarray
    samples: np.ndarray | None = None
    ids: tuple[str, ...] | None = None

    # --- the two stored forms -------------------------------------------------------------

    @classmethod
    def from_samples(cls, samples: np.ndarray, ids) -> "Spread":
        """From every replicate's value (rows x cols x R, NaN where absent) and their ids."""
        samples = _frozen(samples)
        n, mean = sample_means(samples)
        with np.errstate(invalid="ignore", divide="ignore"):
            squares = np.nansum((samples - mean[..., None]) ** 2, axis=2)
            std = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
        return cls._one_sample(n, std, samples, tuple(str(i) for i in ids))

    @classmethod
    def from_summary(cls, std: np.ndarray, n: np.ndarray) -> "Spread":
        """From a standard deviation and a replicate count per cell (std NaN where n < 2)."""
        n = np.nan_to_num(np.asarray(n, dtype=np.float64), nan=0.0)
        std = np.where(n >= 2, np.asarray(std, dtype=np.float64), np.nan)
        return cls._one_sample(n, std)

    @classmethod
    def _one_sample(cls, n, std, samples=None, ids=None) -> "Spread":
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(n >= 2, std / np.sqrt(n), np.nan)
        defined = ~np.isnan(se)
        return cls(
            n=_frozen(n), std=_frozen(std), se=_frozen(se), df=_frozen(np.where(defined, n - 1, np.nan)),
            test=_frozen(np.where(defined, TTest.ONE_SAMPLE, TTest.NONE), np.uint8), samples=samples, ids=ids,
        )

    @property
    def form(self) -> str:
        """'replicates' (the values of each replicate are known) or 'summary' (std and n)."""
        return "replicates" if self.samples is not None else "summary"

    @property
    def max_n(self) -> int:
        return int(np.max(self.n)) if self.n.size else 0

    # --- derived matrices -----------------------------------------------------------------

    def take(self, row_index, col_index) -> "Spread":
        """The spread of the cells at these row and column indices (a reordering or a subset)."""
        row_index, col_index = list(row_index), list(col_index)
        if row_index == list(range(self.n.shape[0])) and col_index == list(range(self.n.shape[1])):
            return self
        pick = np.ix_(list(row_index), list(col_index))
        return Spread(
            n=_frozen(self.n[pick]), std=_frozen(self.std[pick]), se=_frozen(self.se[pick]),
            df=_frozen(self.df[pick]), test=_frozen(self.test[pick], np.uint8),
            samples=None if self.samples is None else _frozen(self.samples[pick]), ids=self.ids,
        )

    # --- storage --------------------------------------------------------------------------

    def stored_arrays(self) -> list[np.ndarray]:
        """The arrays of the stored form, in order: samples, or std and n."""
        return [self.samples] if self.samples is not None else [self.std, self.n]

    def header(self) -> dict:
        """What the stored form says besides its arrays (JSON-ready)."""
        if self.samples is not None:
            return {"form": "replicates", "ids": list(self.ids or ())}
        return {"form": "summary"}

    @classmethod
    def from_stored(cls, header: dict, arrays: list[np.ndarray]) -> "Spread":
        if header.get("form") == "replicates":
            return cls.from_samples(arrays[0], header["ids"])
        return cls.from_summary(arrays[0], arrays[1])

    def digest(self) -> bytes:
        """Bytes that identify the stored form (part of the matrix's content address)."""
        hasher = hashlib.sha256(json.dumps(self.header(), sort_keys=True).encode())
        for array in self.stored_arrays():
            hasher.update(np.where(np.isnan(array), np.nan, array).astype("<f8").tobytes())
        return hasher.digest()


# --- the spread of a difference ---------------------------------------------------------------


def _aligned(spread: Spread, ids: tuple[str, ...]) -> np.ndarray:
    """The samples with one slot per id of `ids` (NaN where this spread lacks the id)."""
    if spread.ids == ids:
        return spread.samples
    own = {name: k for k, name in enumerate(spread.ids)}
    out = np.full((*spread.n.shape, len(ids)), np.nan)
    for k, name in enumerate(ids):
        if name in own:
            out[..., k] = spread.samples[..., own[name]]
    return out


def difference(
    a: Spread | None, b: Spread | None, a_values: np.ndarray, b_values: np.ndarray, same: np.ndarray | None = None,
) -> Spread | None:
    """The spread of `a - b`, cell by cell (both already aligned to the same cells).

    A cell whose two sides have the same replicate ids (two or more) is paired: its spread is
    that of the per-replicate differences. Other cells are two independent samples: Welch's
    standard error and Welch-Satterthwaite degrees of freedom. A side without any replicates is
    taken as exact: the difference has the other side's spread, and its replicates minus (or
    subtracted from) the exact values. Cells where `same` is True are a cell minus itself: no
    spread at all (`norm=diag`'s in-domain cells). `a_values`, `b_values`: both sides' values.
    """
    if a is None and b is None:
        return None
    if a is None or b is None:
        kept = a if a is not None else b
        samples = None
        if kept.samples is not None:
            samples = kept.samples - b_values[..., None] if a is not None else a_values[..., None] - kept.samples
        return Spread(n=kept.n, std=kept.std, se=kept.se, df=kept.df, test=kept.test, samples=samples, ids=kept.ids)
    shape = a.n.shape
    paired = np.zeros(shape, dtype=bool)
    samples = ids = None
    if a.samples is not None and b.samples is not None:
        ids = tuple(dict.fromkeys((*a.ids, *b.ids)))
        left, right = _aligned(a, ids), _aligned(b, ids)
        present = ~np.isnan(left)
        paired = (present == ~np.isnan(right)).all(axis=2) & (present.sum(axis=2) >= 2)
        samples = np.where(paired[..., None], left - right, np.nan)
    diffs = Spread.from_samples(samples, ids) if samples is not None else None
    with np.errstate(invalid="ignore", divide="ignore"):
        var_a, var_b = a.se**2, b.se**2
        welch_se = np.sqrt(var_a + var_b)
        welch_df = (var_a + var_b) ** 2 / (var_a**2 / a.df + var_b**2 / b.df)
    welch = ~paired & ~np.isnan(welch_se)
    welch_df = np.where(welch & (welch_se == 0), np.minimum(a.df, b.df), welch_df)  # no spread on either side
    n = np.where(paired, diffs.n if diffs else 0, np.where(welch, a.n + b.n, 0)).astype(np.float64)
    std = np.where(paired, diffs.std if diffs else np.nan, np.nan)
    se = np.where(paired, diffs.se if diffs else np.nan, np.where(welch, welch_se, np.nan))
    df = np.where(paired, diffs.df if diffs else np.nan, np.where(welch, welch_df, np.nan))
    test = np.where(paired, TTest.PAIRED, np.where(welch, TTest.WELCH, TTest.NONE))
    if same is not None:
        n = np.where(same, a.n, n)
        std, se = np.where(same, 0.0, std), np.where(same, 0.0, se)
        df, test = np.where(same, np.nan, df), np.where(same, TTest.NONE, test)
    return Spread(n=_frozen(n), std=_frozen(std), se=_frozen(se), df=_frozen(df), test=_frozen(test, np.uint8),
                  samples=None if diffs is None else diffs.samples, ids=ids)


def broadcast(spread: Spread, row_index: np.ndarray, col_index: np.ndarray) -> Spread:
    """The spread at cells (row_index[i, j], col_index[i, j]): e.g. each row's reference cell
    repeated along the row (indices must be valid)."""
    pick = (row_index, col_index)
    return Spread(
        n=spread.n[pick], std=spread.std[pick], se=spread.se[pick], df=spread.df[pick], test=spread.test[pick],
        samples=None if spread.samples is None else spread.samples[pick], ids=spread.ids,
    )
