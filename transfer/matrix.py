"""The transfer matrix model.

A transfer matrix has train datasets as rows, test datasets as columns and a float score per
cell; missing cells are NaN, never 0. A `TransferMatrix` checks itself (shape, labels, finite
values) and raises `MatrixError` with a message that names the row, the column and what was
expected; reading files into one is `transfer.parsing`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .replicates import Spread

MAX_LABEL_LENGTH = 200

# Where a matrix's neutral value comes from (`TransferMatrix.neutral_basis`). Only a declared one
# is written to exports; the others are inferred again from the metric and the values when read
# (`infer_neutral`), so a file without a neutral value reads back without one.
DECLARED = "declared"  # the file, the catalogue, the upload card or the app (a difference: 0)
CHANCE = "chance level"  # the metric's name says it: AUC, ROC-AUC, AUROC -> 0.5
SIGNS = "both signs"  # values below and above 0 -> 0
NO_NEUTRAL = "none"  # none: a sequential scale; `neutral` is only the thresholds' reference
NEUTRAL_BASES = (DECLARED, CHANCE, SIGNS, NO_NEUTRAL)
# Metric names (whole, case-insensitive, spaces and hyphens alike) whose chance level is 0.5.
CHANCE_METRICS = frozenset({"auc", "roc auc", "auroc"})


class MatrixError(ValueError):
    """A file or a matrix that cannot be accepted; the message says why, for a person."""


@dataclass(frozen=True, eq=False)
class TransferMatrix:
    """Row labels (train datasets), column labels (test datasets) and their scores.

    `neutral` is the value that means "no transfer" (0 for differences, 0.5 for raw AUC): the
    colour scale is white there and thresholds run away from it. `scale` optionally fixes the
    colour range (for example (0, 1) for AUC); otherwise it is symmetric around `neutral`.
    `neutral_basis` says where it comes from (`NEUTRAL_BASES`): a matrix without a neutral value
    (`NO_NEUTRAL`, `scale_kind` "sequential") is coloured from its minimum to its maximum, and its
    `neutral` is the middle of that range, the reference of the threshold sliders. `neutral=None`
    infers it (`infer_neutral`), as the parser does for a file that declares none.
    `spread` is set when the values are means over replicates (`transfer.replicates`).
    """

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    values: np.ndarray
    name: str = ""
    metric: str = "value"
    neutral: float | None = 0.0
    description: str = ""
    scale: tuple[float, float] | None = None
    source: str = ""
    extra: dict = field(default_factory=dict)
    spread: Spread | None = None
    neutral_basis: str = DECLARED

    def __post_init__(self):
        values = np.array(self.values, dtype=np.float64)
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "cols", tuple(self.cols))
        if values.shape != (len(self.rows), len(self.cols)):
            raise MatrixError(
                f"values have shape {values.shape}, expected {len(self.rows)} rows x {len(self.cols)} columns"
            )
        _check_labels(self.rows, "row")
        _check_labels(self.cols, "column")
        if np.isinf(values).any():
            i, j = map(int, np.argwhere(np.isinf(values))[0])
            raise MatrixError(
                f"row '{self.rows[i]}', column '{self.cols[j]}': infinite value; expected a finite number"
            )
        if self.neutral is None:
            neutral, basis = infer_neutral(values, self.metric, self.scale)
            object.__setattr__(self, "neutral", neutral)
            object.__setattr__(self, "neutral_basis", basis)
        if self.neutral_basis not in NEUTRAL_BASES:
            raise MatrixError(f"unknown neutral basis '{self.neutral_basis}'")
        if not math.isfinite(self.neutral):
            raise MatrixError("the neutral value must be a finite number")
        if self.spread is not None and self.spread.n.shape != values.shape:
            raise MatrixError(f"replicate counts have shape {self.spread.n.shape}, expected {values.shape}")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

    def labels(self, axis: str) -> tuple[str, ...]:
        """Row labels for axis 'row', column labels for axis 'col'."""
        return self.rows if axis == "row" else self.cols

    @property
    def diagonal_mask(self) -> np.ndarray:
        """True where the train and the test label are equal (in-domain cells), by label, not position."""
        col_index = {label: j for j, label in enumerate(self.cols)}
        mask = np.zeros(self.shape, dtype=bool)
        for i, label in enumerate(self.rows):
            j = col_index.get(label)
            if j is not None:
                mask[i, j] = True
        return mask

    @property
    def shared_labels(self) -> tuple[str, ...]:
        """Labels that are both a train and a test dataset, in row order."""
        cols = set(self.cols)
        return tuple(label for label in self.rows if label in cols)

    @property
    def is_square_tasks(self) -> bool:
        """Same tasks on both axes (possibly in another order): the diagonal is meaningful."""
        return len(self.rows) == len(self.cols) and set(self.rows) == set(self.cols)

    @property
    def neutral_declared(self) -> bool:
        return self.neutral_basis == DECLARED

    @property
    def scale_kind(self) -> str:
        """'diverging' (white at the neutral value) or 'sequential' (no neutral value)."""
        return "sequential" if self.neutral_basis == NO_NEUTRAL else "diverging"

    def value_range(self) -> tuple[float, float]:
        """The colour range: `scale` if fixed, else symmetric around the neutral value, or from
        the minimum to the maximum without one (sequential)."""
        if self.scale is not None:
            return self.scale
        cached = self.__dict__.get("_value_range")  # memoised: matrices are immutable, and every
        if cached is not None:  # figure of every click asks (3.5 ms at 1000 x 1000)
            return cached
        finite = self.values[~np.isnan(self.values)]
        if self.scale_kind == "sequential":
            cached = data_range(finite)
            object.__setattr__(self, "_value_range", cached)
            return cached
        spread = float(np.max(np.abs(finite - self.neutral))) if finite.size else 1.0
        spread = spread or 1.0
        cached = (self.neutral - spread, self.neutral + spread)
        object.__setattr__(self, "_value_range", cached)
        return cached

    def reordered(self, row_order, col_order) -> "TransferMatrix":
        """The same matrix with rows and columns permuted (orders are index sequences)."""
        row_order, col_order = list(row_order), list(col_order)
        return replace(
            self,
            rows=tuple(self.rows[i] for i in row_order),
            cols=tuple(self.cols[j] for j in col_order),
            values=self.values[np.ix_(row_order, col_order)],
            spread=None if self.spread is None else self.spread.take(row_order, col_order),
        )

    def metadata(self) -> dict:
        """The descriptive fields, JSON-ready. `neutral` is None without a neutral value (a
        sequential scale); an inferred one (`CHANCE`, `SIGNS`) is given like a declared one, so
        that a matrix keeps the content id it had before the basis existed."""
        return {
            "name": self.name,
            "metric": self.metric,
            "neutral": None if self.neutral_basis == NO_NEUTRAL else self.neutral,
            "description": self.description,
            "scale": list(self.scale) if self.scale else None,
            "source": self.source,
        }

    def to_json_dict(self) -> dict:
        """Labels, values (None for missing) and metadata: the stored and the JSON form."""
        return {
            "rows": list(self.rows), "cols": list(self.cols), "values": values_to_json(self.values), **self.metadata(),
        }

    def content_id(self) -> str:
        """128-bit content address of labels, values and metadata (same content, same id)."""
        header = {"rows": list(self.rows), "cols": list(self.cols), **self.metadata()}
        digest = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":"), allow_nan=False).encode())
        # The values' bytes, not their JSON: hashing 1000x1000 cells as text took a second.
        # Every NaN is written with one bit pattern; -0.0 stays distinct, as it is in the data.
        digest.update(np.where(np.isnan(self.values), np.nan, self.values).astype("<f8").tobytes())
        if self.spread is not None:  # a matrix without replicates keeps the id it always had
            digest.update(self.spread.digest())
        return digest.hexdigest()[:32]

    def to_csv(self) -> str:
        """Wide CSV as the parser reads it back."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["train\\test", *self.cols])
        for label, row in zip(self.rows, self.values):
            writer.writerow([label, *("" if math.isnan(v) else repr(float(v)) for v in row)])
        return out.getvalue()


def is_chance_metric(metric: str) -> bool:
    """AUC, ROC-AUC, ROC AUC, AUROC (the whole name, any case): chance level 0.5."""
    return " ".join(metric.lower().replace("-", " ").split()) in CHANCE_METRICS


def data_range(finite: np.ndarray) -> tuple[float, float]:
    """The minimum and maximum of finite values; a single value v gives v - 0.5 .. v + 0.5."""
    if not finite.size:
        return (0.0, 1.0)
    low, high = float(np.min(finite)), float(np.max(finite))
    return (low, high) if low < high else (low - 0.5, high + 0.5)


def infer_neutral(values: np.ndarray, metric: str, scale: tuple[float, float] | None = None) -> tuple[float, str]:
    """(neutral value, basis) of a matrix that declares none: 0.5 for a chance-level metric, 0
    when the values have both signs, else no neutral value (`NO_NEUTRAL`: a sequential scale)
    with the middle of the colour range (`scale`, or the values' range) as the reference."""
    if is_chance_metric(metric):
        return 0.5, CHANCE
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size and float(np.min(finite)) < 0.0 < float(np.max(finite)):
        return 0.0, SIGNS
    low, high = scale if scale is not None else data_range(finite)
    return (low + high) / 2, NO_NEUTRAL


def values_to_json(values: np.ndarray) -> list[list[float | None]]:
    """Nested lists with None for NaN, at full float64 precision (a 2000 x 2000 matrix in ~0.2 s:
    numpy's own `tolist`, with None put in through an object array only where values are missing)."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    if not missing.any():
        return values.tolist()
    boxed = values.astype(object)
    boxed[missing] = None
    return boxed.tolist()


def _check_labels(labels: tuple[str, ...], kind: str) -> None:
    seen: dict[str, int] = {}
    for position, label in enumerate(labels, start=1):
        if not isinstance(label, str) or not label.strip():
            raise MatrixError(f"{kind} {position}: empty label; every {kind} needs a name")
        if len(label) > MAX_LABEL_LENGTH:
            raise MatrixError(
                f"{kind} {position}: label is {len(label)} characters long; at most {MAX_LABEL_LENGTH} allowed"
            )
        if label in seen:
            raise MatrixError(f"duplicate {kind} label '{label}' ({kind}s {seen[label]} and {position})")
        seen[label] = position

