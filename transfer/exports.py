"""The page's CSV downloads of a view: which files it offers and what they are called.

Every view offers its displayed matrix (after compare and normalise, in display order) as wide
CSV: the values, for a matrix with replicates their means. A displayed matrix with replicates
offers a second file, long CSV (`transfer.parsing.to_long_csv`, which reads back through the
parser): its replicates, `train,test,replicate,value` rows, when the values of each replicate
are known (a comparison's or `norm=diag`'s are the per-replicate differences of its paired
cells; Welch cells have none), or its summary, `train,test,value,std,n` rows, otherwise.

File names say what the view is: the displayed matrix's name (a comparison's is "A minus B"),
the normalisation, and which of the files it is. A matrix without replicates keeps the plain
name its download always had.
"""

from __future__ import annotations

from dataclasses import dataclass

from .matrix import TransferMatrix
from .parsing import file_slug, to_long_csv, to_wide_csv

WRITERS = {"means": to_wide_csv, "replicates": to_long_csv, "summary": to_long_csv}


@dataclass(frozen=True)
class ExportFile:
    kind: str  # a key of WRITERS
    filename: str
    content: str
    content_type: str = "text/csv"


def second_kind(matrix: TransferMatrix) -> str | None:
    """The file offered beside the means: 'replicates', 'summary', or None without replicates."""
    if matrix.spread is None:
        return None
    return "replicates" if matrix.spread.samples is not None else "summary"


def export_filename(matrix: TransferMatrix, norm: str, kind: str) -> str:
    """`<displayed matrix>[-norm-<norm>][-<kind>].csv` (no kind without replicates)."""
    parts = [file_slug(matrix.name or "transfer-matrix")]
    if norm != "none":
        parts.append(f"norm-{norm}")
    if matrix.spread is not None:
        parts.append(kind)
    return "-".join(parts) + ".csv"


def export_file(matrix: TransferMatrix, norm: str, kind: str) -> ExportFile:
    """The download `kind` of the displayed `matrix` (shown under normalisation `norm`)."""
    if kind not in WRITERS or (kind != "means" and kind != second_kind(matrix)):
        raise ValueError(f"no {kind!r} file for this matrix")
    return ExportFile(kind=kind, filename=export_filename(matrix, norm, kind), content=WRITERS[kind](matrix))
