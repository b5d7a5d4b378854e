"""The page's CSV downloads of a view: which files it offers and what they are called.

Every view offers its displayed matrix (after compare and normalise, in display order) as wide
CSV: the values, for a matrix with replicates their means. A displayed matrix with replicates
offers a second file, long CSV (`transfer.parsing.to_long_csv`, which reads back through the
parser): its replicates, `train,test,replicate,value` rows, when the values of each replicate
are known (a comparison's or `norm=diag`'s are the per-replicate differences of its paired
cells; Welch cells have none), or its summary, `train,test,value,std,n` rows, otherwise.

File names and titles say what the view is (`view_title`, `view_filename`; the PNG and SVG of the
heatmap use the same two): the matrix's name, the matrix it is compared with, the normalisation,
the filter, the `where` and the `collapse` in force, so that a shared file never passes for the raw
matrix. The CSV carries the title as a `# title:` comment line (the parser ignores unknown keys,
so the file still reads back to the same matrix). A matrix without replicates has no kind in its
file name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .compare import NORM_LABELS
from .matrix import TransferMatrix
from .parsing import file_slug, to_long_csv, to_wide_csv

if TYPE_CHECKING:
    from .view import View

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


TITLE_LIMIT = 240  # characters of a title; a longer one ends in an ellipsis
STEM_LIMIT = 120  # characters of a file name before its kind and extension
_PART_LIMIT = 40  # characters of each part of a file name after the matrix's name (a filter, values)


@dataclass(frozen=True)
class _Part:
    title: str  # how the title says it
    stem: str  # how the file name says it (safe characters)


def _slug(text: str, limit: int = _PART_LIMIT) -> str:
    return file_slug(text)[:limit].strip("-.") or "x"


def _view_parts(view: View) -> list[_Part]:
    """What makes the view differ from the raw matrix, in the link's order."""
    state = view.state
    name = view.stored.name or "transfer matrix"
    parts = [_Part(name, _slug(name, STEM_LIMIT))]
    if view.comparison is not None:
        other = view.comparison.other.name or state.compare or "another matrix"
        parts.append(_Part(f"minus {other}", f"minus-{_slug(other)}"))
    if state.norm != "none":
        parts.append(_Part(NORM_LABELS[state.norm].lower(), f"norm-{state.norm}"))
    if state.filter:
        parts.append(_Part(f"filter \u201c{state.filter}\u201d", f"filter-{_slug(state.filter)}"))
    if state.where is not None:
        field, values = state.where
        parts.append(_Part(f"where {field} is {' or '.join(values)}",
                           f"where-{_slug(field)}-{_slug('-'.join(values))}"))
    if view.collapsed is not None:
        parts.append(_Part(f"means by {state.collapse}", f"by-{_slug(state.collapse)}"))
    return parts


def view_title(view: View) -> str:
    """A title that says what the view is: "A minus B · z-score per row · filter “qa”" (bounded)."""
    title = " · ".join(part.title for part in _view_parts(view))
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1].rstrip() + "\u2026"


def view_filename(view: View) -> str:
    """A file name stem (no extension) that says what the view is, in `[A-Za-z0-9._-]`, at most
    STEM_LIMIT characters: the matrix's name is cut first, so that what was done to it stays."""
    name, *rest = [part.stem for part in _view_parts(view)]
    room = STEM_LIMIT - sum(len(part) + 1 for part in rest)
    if room < 8:  # many long parts: the start of the name and as much of the rest as fits
        return "-".join([name, *rest])[:STEM_LIMIT].strip("-.")
    return "-".join([name[:room].strip("-.") or "x", *rest])


def export_filename(matrix: TransferMatrix, norm: str, kind: str, stem: str | None = None) -> str:
    """`<stem>[-<kind>].csv` (no kind without replicates); without a stem (a matrix outside a
    view), `<matrix name>[-norm-<norm>]`."""
    if stem is None:
        stem = file_slug(matrix.name or "transfer-matrix") + (f"-norm-{norm}" if norm != "none" else "")
    return stem + (f"-{kind}" if matrix.spread is not None else "") + ".csv"


def _title_line(title: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([f"# title: {' '.join(title.split())}"])
    return out.getvalue()


def export_file(matrix: TransferMatrix, norm: str, kind: str, *, stem: str | None = None,
                title: str | None = None) -> ExportFile:
    """The download `kind` of the displayed `matrix` (shown under normalisation `norm`); a title
    is written as the first line, a comment."""
    if kind not in WRITERS or (kind != "means" and kind != second_kind(matrix)):
        raise ValueError(f"no {kind!r} file for this matrix")
    content = (_title_line(title) if title else "") + WRITERS[kind](matrix)
    return ExportFile(kind=kind, filename=export_filename(matrix, norm, kind, stem), content=content)


def view_export(view: View, kind: str) -> ExportFile:
    """The download `kind` of a view: named and titled after what the view is."""
    return export_file(view.matrix, view.state.norm, kind, stem=view_filename(view), title=view_title(view))
