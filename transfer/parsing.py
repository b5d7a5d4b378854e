"""One parser for every way a matrix arrives: the page's drop zone, the command line, the HTTP
API, a notebook DataFrame and the bundled catalogue.

`parse_matrix(bytes)` detects the format (wide CSV/TSV, long CSV/TSV, JSON, an Excel .xlsx
workbook), reads optional metadata (name, metric, neutral value), enforces the size and cell
limits, and returns a `TransferMatrix` or raises `MatrixError` (`TooLarge` for the limits) with a
message that names the line, the row and column labels and the text it found. A file is accepted
whole or refused whole.

Replicates (seeds, runs, folds) arrive in every format: a long table with a replicate column
(several rows per pair), the summary form (value, std, n columns), or JSON (3-D `values`, or `std`
and `n` beside them). The matrix's values are then the per-cell means and its `spread` holds the
replicates as given (`transfer.replicates`); a file in which no cell has two replicates gives a
matrix without a spread, exactly as before replicates existed. The long reader recognises the
column names people use (`COLUMN_NAMES`); where they do not say which column is which it raises
`ColumnsAmbiguous` with the header and its best guesses, and `parse_matrix(columns=...)` reads
with a mapping a person chose. The writers at the end produce what the parser reads back (the CSV
download, templates).

Well-formed CSV/TSV is read by pandas' C reader and checked as a whole (`_fast_body` and what
reads it: about the speed of `pandas.read_csv`); a file it has any doubt about is read record by
record, by the reader whose messages name the line, so both give the same matrix or the same message.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import collections
import csv
import io
import itertools
import json
import math
import os
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from .matrix import MAX_LABEL_LENGTH, MatrixError, TransferMatrix
from .replicates import Spread, sample_means

FORMATS = ("wide", "long", "json")
METADATA_KEYS = ("name", "metric", "neutral", "description", "source", "scale")
MAX_TEXT_METADATA = 2000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", "\t", ";")
DEFAULT_NAME = "Uploaded matrix"
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})
ACCEPTED = "CSV, TSV, JSON or an Excel workbook (.xlsx)"

# The long table's columns by role, as people name them (compared case-insensitively). The first
# name of train, test and value is the canonical one: where it is present it wins over the others.
COLUMN_NAMES = {
    "train": ("train", "source", "src", "train_dataset", "train_task", "from"),
    "test": ("test", "target", "tgt", "test_dataset", "test_task", "eval", "to"),
    "replicate": ("seed", "run", "replicate", "rep", "fold", "trial", "restart"),
    "value": ("value", "score"),
    "std": ("std", "sd", "stdev", "std_dev"),
    "n": ("n", "count", "n_runs", "n_seeds"),
}
MAPPING_ROLES = ("train", "test", "replicate", "value")  # what a person maps (the page, the API)
COLUMN_ROLES = (*MAPPING_ROLES, "std", "n")  # what `parse_matrix(columns=...)` takes
_STD_SUFFIXES = tuple(f"_{name}" for name in COLUMN_NAMES["std"])  # <metric>_std, as trackers export
_N_SUFFIXES = ("_n", "_count")
# Replicates are matched by id across cells; more ids than this many values per cell is a layout
# that would make a huge, nearly empty array (an id unique to each run, say).
REPLICATE_ARRAY_FACTOR = 4


class TooLarge(MatrixError):
    """The file is over the size limit or the matrix over the cell limit (HTTP 413)."""


class ColumnsAmbiguous(MatrixError):
    """A table whose column names do not say which column is the train, test, replicate or value
    one. The message says which columns and how to name them; `columns` is the header and
    `guesses` the best guess for each of `MAPPING_ROLES` (None: no such column), so that a page or
    a client can ask a person and read again with `parse_matrix(columns=...)`."""

    def __init__(self, message: str, columns: Iterable[str], guesses: Mapping[str, str | None]):
        super().__init__(message)
        self.columns = [str(column).strip() for column in columns]
        self.guesses = {role: guesses.get(role) for role in MAPPING_ROLES}

    def to_json(self) -> dict:
        return {"error": str(self), "columns": self.columns, "guesses": self.guesses}


@dataclass(frozen=True)
class Limits:
    """What the server accepts from any entry point; configurable through `web.config.Config`."""

    max_bytes: int = 64 * 2**20  # a 2000 x 2000 matrix at full float precision is ~40 MB
    max_cells: int = 4_000_000

    def describe(self) -> str:
        return f"up to {format_size(self.max_bytes)} and {self.max_cells:,} cells"


DEFAULT_LIMITS = Limits()


def format_size(n_bytes: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1024 or unit == "MB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}".replace(".0 ", " ")
        n_bytes /= 1024
    raise AssertionError("unreachable")


def check_size(n_bytes: int, limits: Limits) -> None:
    """TooLarge if a file of `n_bytes` is over the limit (callers check before reading it all)."""
    if n_bytes > limits.max_bytes:
        raise TooLarge(f"the file is {format_size(n_bytes)}; the limit is {format_size(limits.max_bytes)}")


def _check_cells(n_cells: int, limits: Limits, shape: str = "") -> None:
    if n_cells > limits.max_cells:
        detail = f" ({shape})" if shape else ""
        raise TooLarge(
            f"the matrix has more than {limits.max_cells:,} cells{detail}; the limit is {limits.max_cells:,}"
        )


def parse_number(text: str, row: str, col: str) -> float:
    """A cell's text as a float; NaN for the missing-value tokens; MatrixError otherwise."""
    token = text.strip()
    if token.lower() in MISSING_TOKENS:
        return math.nan
    try:
        value = float(token)
    except ValueError:
        raise MatrixError(f"row '{row}', column '{col}': '{_shorten(token)}' is not a number") from None
    if math.isinf(value):
        raise MatrixError(f"row '{row}', column '{col}': infinite value '{_shorten(token)}'; expected a finite number")
    return value


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_label(text: str) -> bool:
    """Text that can only be a label: not empty, not a missing-value token, not a number."""
    token = text.strip()
    return bool(token) and token.lower() not in MISSING_TOKENS and not _is_number(token)


# --- binary files ------------------------------------------------------------------------------

# (leading bytes, what the file looks like, what to do): checked only for data that is not text.
_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or another old Office file",
     "save it as .xlsx or CSV"),
    (b"%PDF", "a PDF document", None),
    (b"\x89PNG", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"GIF8", "a GIF image", None),
    (b"PAR1", "a Parquet file", "write it with pandas' to_csv, or open it with explore(frame) in a notebook"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
    (b"BZh", "a bzip2-compressed file", "decompress it first"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "decompress it first"),
    (b"(\xb5/\xfd", "a zstd-compressed file", "decompress it first"),
    (b"7z\xbc\xaf'\x1c", "a 7-Zip archive", "unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database", None),
    (b"\x89HDF", "an HDF5 file", None),
    (b"\x93NUMPY", "a NumPy array (.npy)", None),
    (b"ARROW1", "an Arrow/Feather file", None),
)


def _not_text(what: str, advice: str | None = None) -> MatrixError:
    return MatrixError(f"the file is not text: it looks like {what}; {advice or 'expected ' + ACCEPTED}")


def _binary_kind(data: bytes) -> MatrixError | None:
    """The error for data that starts like a known binary format, None for anything else."""
    for magic, what, advice in _SIGNATURES:
        if data.startswith(magic):
            return _not_text(what, advice)
    return None


def _is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _zip_parts(data: bytes) -> list[str]:
    """The names inside a ZIP file (an .xlsx is one), or MatrixError for what is not a workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = archive.open("mimetype").read(100) if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError):
        raise _not_text("a ZIP archive (an .xlsx workbook is one) that cannot be opened: damaged or cut short",
                        "save it again, as .xlsx or CSV") from None
    if "xl/workbook.bin" in names:
        raise _not_text("an Excel binary workbook (.xlsb)", "save it as .xlsx or CSV")
    if any(name.startswith("xl/") for name in names):
        return names
    if b"opendocument.spreadsheet" in mimetype:
        raise _not_text("an OpenDocument spreadsheet (.ods)", "save it as .xlsx or CSV")
    kinds = {"word/": "a Word document (.docx)", "ppt/": "a PowerPoint presentation (.pptx)"}
    for prefix, what in kinds.items():
        if any(name.startswith(prefix) for name in names):
            raise _not_text(what)
    raise _not_text("a ZIP archive without a workbook in it (no xl/ parts)",
                    f"unzip it and send the file inside; expected {ACCEPTED}")


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM stripped) or UTF-16 (with its BOM, as Excel's 'Unicode text' saves) text, or
    MatrixError for binary or undecodable data (naming the format when it is a known one)."""
    if data[:2] in _UTF16_BOMS:
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise MatrixError("the file starts like UTF-16 text but is not valid UTF-16; save it as UTF-8") from None
    if b"\x00" in data[:4096]:
        raise _binary_kind(data) or MatrixError(
            "the file is not text (it contains NUL bytes); expected CSV, TSV or JSON"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        known = _binary_kind(data)
        if known is not None:
            raise known from None
        raise MatrixError(f"the file is not UTF-8 text (invalid byte at position {err.start})") from None


# --- entry -----------------------------------------------------------------------------------


def parse_matrix(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    metadata: Mapping[str, Any] | None = None,
    columns: Mapping[str, str | None] | None = None,
    sheet: str | int | None = None,
) -> TransferMatrix:
    """Bytes of a wide or long CSV/TSV, JSON or .xlsx file -> TransferMatrix, or MatrixError.

    `filename` and `content_type` are hints for the format (the content decides when they are
    absent); `metadata` (name, metric, neutral, ...) overrides what the file says. `columns` maps
    roles (`COLUMN_ROLES`: train, test, replicate, value, std, n) to the header's column names and
    reads the table as long with them (any subset; the rest is recognised as usual; None or ""
    for replicate, std or n: no such column). `sheet` picks a workbook's sheet by name or 1-based
    number (default: the first).
    """
    check_size(len(data), limits)
    data = bytes(data)
    columns = _clean_mapping(columns)
    overrides = _clean_metadata(metadata or {}, "metadata")
    if _is_zip(data):
        _zip_parts(data)  # MatrixError unless it is an Excel workbook
        source, title, others = _read_workbook(data, sheet, limits)
        try:
            table = _read_table(source, limits, columns)
            return _build(table, {**table.metadata, **overrides}, filename)
        except MatrixError as err:
            raise _in_sheet(err, title, others if sheet in (None, "") else []) from None
    else:
        if sheet not in (None, ""):
            raise MatrixError(f"a sheet was named ('{_shorten(str(sheet))}'), but the file is not an Excel workbook")
        text = decode_text(data)
        if not text.strip():
            raise MatrixError(
                "the file is empty; expected a wide CSV/TSV, a long CSV/TSV with train,test,value columns, or JSON"
            )
        if detect_format(text, filename, content_type) == "json":
            table = _read_json(text, limits, columns)
        else:
            utf8 = data[3:] if data.startswith(codecs.BOM_UTF8) else data if data[:2] not in _UTF16_BOMS else None
            table = _read_delimited(text, limits, columns, utf8)
    return _build(table, {**table.metadata, **overrides}, filename)


def parse_wide(text: str, **metadata) -> TransferMatrix:
    """Text of a matrix file (any format `parse_matrix` reads) with metadata."""
    return parse_matrix(text.encode("utf-8"), metadata=metadata)


def detect_format(text: str, filename: str | None = None, content_type: str | None = None) -> str:
    """'json' or 'delimited' (wide or long is decided from the header): hints first, then content."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    mime = (content_type or "").split(";")[0].strip().lower()
    if suffix == ".json" or mime.endswith("json"):
        return "json"
    if suffix in (".csv", ".tsv", ".tab", ".txt") or mime in ("text/csv", "text/tab-separated-values"):
        return "delimited"
    return "json" if text.lstrip()[:1] in ("{", "[") else "delimited"


def _clean_mapping(columns: Mapping[str, str | None] | None) -> dict[str, str | None] | None:
    """The column mapping with its roles checked; "" and None mean 'no such column'."""
    if columns is None:
        return None
    if not isinstance(columns, Mapping):
        raise MatrixError("the column mapping must map roles (train, test, replicate, value, std, n) to column names")
    unknown = [str(role) for role in columns if role not in COLUMN_ROLES]
    if unknown:
        raise MatrixError(
            f"unknown column role {', '.join(repr(r) for r in unknown)}; the roles are {', '.join(COLUMN_ROLES)}"
        )
    clean: dict[str, str | None] = {}
    for role, column in columns.items():
        text = "" if column is None else str(column).strip()
        if not text and role in ("train", "test", "value"):
            raise MatrixError(f"the {role} column cannot be left out; name the column that holds the {role} values")
        clean[role] = text or None
    return clean


@dataclass
class _Table:
    rows: list[str]
    cols: list[str]
    values: np.ndarray
    metadata: dict
    format: str
    spread: Spread | None = None


def _build(table: _Table, metadata: dict, filename: str | None) -> TransferMatrix:
    """The shared last step: shape and content checks, metadata defaults, the model's own checks."""
    n_rows, n_cols = len(table.rows), len(table.cols)
    if n_rows < 2 or n_cols < 2:
        raise MatrixError(
            f"the matrix has {n_rows} train x {n_cols} test datasets; a transfer matrix needs at least 2 of each "
            "(one row or one column only is not a matrix)"
        )
    finite = table.values[np.isfinite(table.values)]
    if not np.isinf(table.values).any() and finite.size == 0:
        raise MatrixError("every cell is missing; expected at least one number")
    if "name" not in metadata:
        metadata["name"] = (PurePath(filename).stem[:MAX_LABEL_LENGTH] if filename and PurePath(filename).stem
                            else DEFAULT_NAME)
    if "neutral" not in metadata:
        metadata["neutral"] = None  # inferred from the metric and the values (transfer.matrix.infer_neutral)
    if "scale" in metadata:
        metadata["scale"] = tuple(metadata["scale"])
    return TransferMatrix(rows=table.rows, cols=table.cols, values=table.values, spread=table.spread, **metadata)


# --- metadata --------------------------------------------------------------------------------


def _clean_metadata(raw: Mapping[str, Any], where: str) -> dict:
    """Validated metadata from a JSON object, CSV comment lines or overrides; unknown keys ignored."""
    clean: dict[str, Any] = {}
    for key in METADATA_KEYS:
        if key not in raw or raw[key] is None:
            continue
        value = raw[key]
        if key == "neutral":
            clean[key] = _metadata_number(value, f"{where} 'neutral'")
        elif key == "scale":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise MatrixError(f"{where} 'scale' must be two numbers [low, high]")
            low, high = (_metadata_number(v, f"{where} 'scale'") for v in value)
            if not low < high:
                raise MatrixError(f"{where} 'scale' must have low < high, got [{low:g}, {high:g}]")
            clean[key] = (low, high)
        else:
            if not isinstance(value, str):
                raise MatrixError(f"{where} '{key}' must be text, got {type(value).__name__}")
            limit = MAX_LABEL_LENGTH if key in ("name", "metric") else MAX_TEXT_METADATA
            value = " ".join(value.split())
            if len(value) > limit:
                raise MatrixError(f"{where} '{key}' is {len(value)} characters long; at most {limit} allowed")
            if value or key != "metric":
                clean[key] = value
    return clean


def _metadata_number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise MatrixError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise MatrixError(f"{what} must be a number, got '{_shorten(str(value))}'") from None
    if not math.isfinite(number):
        raise MatrixError(f"{what} must be a finite number, got '{_shorten(str(value))}'")
    return number


# --- tables: CSV / TSV and spreadsheet sheets ------------------------------------------------

_METADATA_LINE = re.compile(r"^#\s*([A-Za-z]+)\s*[:=]\s*(.*)$", re.S)
_COMMA_NUMBER = re.compile(r"^\s*[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?\s*$")
_COMMA_DIGIT = re.compile(r",\d")
_POINT_NUMBER = re.compile(r"^\s*[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")


@dataclass
class _Source:
    """A table's records, (number, fields) for each non-blank one, and how messages name a record:
    'line 4' of a text file, 'sheet row 4' of a workbook."""

    records: Iterable[tuple[int, list[str]]]
    unit: str = "line"
    join: str = ","  # how a comment record's fields are joined back into its text
    decimal_comma: bool = False
    text: str | None = None  # the whole text, for the fast path (`_fast_body`); None: records only
    encoded: bytes | None = None  # the text in UTF-8, when it arrived so

    def at(self, number: int) -> str:
        return f"{self.unit} {number}"


def _read_delimited(text: str, limits: Limits, columns: dict | None = None, encoded: bytes | None = None) -> _Table:
    """Wide or long CSV/TSV. Leading lines starting with '#' are comments; `# key: value` ones are metadata."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(_text_lines(text), delimiter=delimiter)
    source = _Source(_records(reader), join=delimiter, text=text, encoded=encoded)
    if delimiter != "," and _COMMA_DIGIT.search(text):
        source = _decimal_commas(source)  # (without the text: the fast path reads decimal points only)
    return _read_table(source, limits, columns)


def _decimal_commas(source: _Source) -> _Source:
    """A semicolon- or tab-separated table whose numbers use a decimal comma ('0,53'), as European
    spreadsheets export them, with those numbers rewritten with a point; unchanged if none does.
    Commas in some numbers and points in others is ambiguous, and refused."""
    records = list(source.records)
    comma = point = None
    cells: list[tuple[list[str], int]] = []
    header_seen = False
    for line, record in records:
        if not header_seen:  # comment lines and the header hold no numbers to read
            header_seen = not record[0].lstrip().startswith("#")
            continue
        for k, cell in enumerate(record):
            if _COMMA_NUMBER.match(cell):
                cells.append((record, k))
                comma = comma or (line, cell.strip())
            elif point is None and _POINT_NUMBER.match(cell):
                point = (line, cell.strip())
    if comma and point:
        raise MatrixError(
            f"{source.at(comma[0])} has a number with a decimal comma ('{_shorten(comma[1])}') and "
            f"{source.at(point[0])} one with a decimal point ('{_shorten(point[1])}'); use one decimal mark "
            "throughout the file"
        )
    for record, k in cells:
        record[k] = record[k].replace(",", ".")
    return _Source(records, source.unit, source.join, decimal_comma=bool(cells))


def _read_table(source: _Source, limits: Limits, columns: dict | None = None) -> _Table:
    """A table's records (a text file's or a sheet's) -> wide or long _Table."""
    records = iter(source.records)
    metadata: dict[str, Any] = {}
    for line, record in records:
        if not record[0].lstrip().startswith("#"):
            header_line, header = line, record
            break
        fields = list(record)
        while fields and not fields[-1].strip():  # a spreadsheet's comment row ends in empty cells
            fields.pop()
        match = _METADATA_LINE.match(source.join.join(fields).strip())
        if match and match.group(1).lower() in METADATA_KEYS:
            metadata[match.group(1).lower()] = match.group(2).strip()
    else:
        raise MatrixError("the file has only comment lines; expected a header row and data rows")
    if "scale" in metadata:
        metadata["scale"] = metadata["scale"].strip("[]() ").replace(";", ",").split(",")
    if source.decimal_comma and _COMMA_NUMBER.match(metadata.get("neutral", "")):
        metadata["neutral"] = metadata["neutral"].replace(",", ".")
    names = [cell.strip().lower() for cell in header]
    first, records = _peek(records)
    if columns is not None or _looks_long(names, first):
        table = _read_long(header_line, header, names, records, limits, source, columns, first)
    else:
        try:
            table = _read_wide(header_line, header, records, limits, source)
        except TooLarge:
            raise
        except MatrixError as err:
            if "is not a number" in str(err) and _unnamed_long_table(header, first):
                raise _ambiguous(
                    f"{err}, so this is not a wide matrix; if it is a long table (one row per train and test "
                    "pair), name its columns train, test and value (and seed for replicates), or choose them",
                    header, names, {}, first,
                ) from None
            raise
    table.metadata = {**_clean_metadata(metadata, "comment line"), **table.metadata}
    return table


def _peek(records: Iterator) -> tuple[Any, Iterator]:
    """The first item and an iterator over all of them, the first included."""
    for item in records:
        return item, itertools.chain([item], records)
    return None, iter(())


def _candidates(names: list[str], role: str, taken: Iterable[int] = ()) -> list[int]:
    taken = set(taken)
    return [j for j, name in enumerate(names) if name in COLUMN_NAMES[role] and j not in taken]


def _looks_long(names: list[str], first) -> bool:
    """A long table's header: 'train' and 'test' columns, or columns named like them whose first
    cells are labels (a wide matrix's header may hold a dataset called 'target', over numbers)."""
    if "train" in names and "test" in names:
        return True
    train, test = _candidates(names, "train"), _candidates(names, "test")
    if not train or not test:
        return False
    if first is None:
        return True
    record = first[1]
    return all(_is_label(record[j]) for j in train + test if j < len(record))


def _unnamed_long_table(header: list[str], first) -> bool:
    """A table that reads as long, with its train and test labels in its first two columns, but
    whose header does not say so (model,dataset,seed,acc)."""
    if first is None or len(header) < 3 or len(first[1]) < 3:
        return False
    record = first[1]
    return _is_label(record[0]) and _is_label(record[1]) and any(_is_number(cell) for cell in record[2:])


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever splits the first non-comment line into the most fields."""
    header = next(
        (line for line in _leading_lines(text) if line.strip() and not line.lstrip().lstrip('"').startswith("#")), "",
    )
    return max(DELIMITERS, key=lambda d: len(next(csv.reader([header], delimiter=d), [])))


def _text_lines(text: str, first: int = 64) -> Iterator[str]:
    """The lines of `io.StringIO(text)` ('\\n' ends one, kept); the first few found directly, so
    that a file the fast path reads is not copied whole into a StringIO."""
    start = 0
    for _ in range(first):
        end = text.find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1
    yield from io.StringIO(text[start:])


def _leading_lines(text: str, chunk: int = 1 << 16) -> Iterator[str]:
    """`text.splitlines()`, split as far as it is read (a long file's header is near its start)."""
    start = 0
    while True:
        size = chunk
        while start + size < len(text):  # the last line of a prefix may be cut short: not yet given
            lines = text[start:start + size].splitlines(keepends=True)
            if len(lines) > 1:
                break
            size *= 2
        else:
            yield from text[start:].splitlines()
            return
        for line in lines[:-1]:
            yield line.splitlines()[0]
            start += len(line)


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank record; malformed CSV becomes a MatrixError."""
    try:
        for record in reader:
            if "".join(record).strip():
                yield reader.line_num, record
    except csv.Error as err:
        raise MatrixError(f"line {reader.line_num}: malformed CSV ({err})") from None


def _unguard(text: str) -> str:
    """Text with the download's formula guard (a leading apostrophe) undone."""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        return text[1:]
    return text


def clean_label(text: str, where: str) -> str:
    """A label as read from a cell: trimmed, the download's formula guard (a leading apostrophe) undone."""
    label = _unguard(text.strip())
    if not label:
        raise MatrixError(f"{where}: empty label; every train and test dataset needs a name")
    if len(label) > MAX_LABEL_LENGTH:
        raise MatrixError(
            f"{where}: label '{_shorten(label)}' is {len(label)} characters long; at most {MAX_LABEL_LENGTH} allowed"
        )
    return label


def _row_values(cells: list[str], row: str, cols: list[str]) -> list[float]:
    try:  # fast path: every cell a plain number (missing tokens and errors take the careful path)
        return [float(cell) for cell in cells]
    except ValueError:
        return [parse_number(cell, row, col) for cell, col in zip(cells, cols)]


def _read_wide(header_line: int, header: list[str], records, limits: Limits, source: _Source) -> _Table:
    at = source.at
    cols = [clean_label(cell, f"{at(header_line)}, column {j + 1} of the header") for j, cell in enumerate(header[1:])]
    if not cols:
        raise MatrixError(
            "the header has no test dataset columns (one column only); expected 'train\\test,<test 1>,<test 2>,...' "
            "or a long file with train,test,value columns"
        )
    width = len(header)
    fast = _fast_wide(source, header_line, width, len(cols), limits)
    if fast is not None:
        return _Table(fast[0], cols, fast[1], {}, "wide")
    rows: list[str] = []
    values: list[list[float]] = []
    for line, record in records:
        _check_cells((len(rows) + 1) * len(cols), limits)
        if len(record) != width:
            raise MatrixError(
                f"{at(line)} (row '{_shorten(record[0].strip())}'): {len(record)} fields, expected {width} like the "
                "header (ragged rows)"
            )
        label = clean_label(record[0], f"{at(line)}, first column")
        rows.append(label)
        values.append(_row_values(record[1:], label, cols))
    if not rows:
        raise MatrixError("the file has a header but no data rows (one row only); expected one row per train dataset")
    return _Table(rows, cols, np.array(values, dtype=np.float64), {}, "wide")


# --- the fast path: well-formed text through pandas' C reader ----------------------------------
#
# The records after the header of a plain text file (no quotes, NUL bytes or lone carriage
# returns, decimal points) are read by `pandas.read_csv` and checked as a whole: the field count
# of every line, labels, numbers, duplicates. The result is the table the detailed readers
# (`_read_wide`, `_read_long`) would build, bit for bit; on any doubt the fast path declines
# (returns None) and the detailed reader reads the file again, to accept it or to explain its
# refusal. Numbers are identical because pandas >= 3.1 converts them correctly rounded
# (fast_float), as float() does; `tests/test_parsing_fast.py` holds both readers to the same result.

# The missing-value spellings pandas turns into NaN; each one is a MISSING_TOKENS entry.
_NA_SPELLINGS = sorted({form for token in MISSING_TOKENS for form in (token, token.upper(), token.title())}
                       | {"NaN", "N/A"})
# Tokens that pandas (fast_float) reads as NaN but float() reads otherwise ("-nan": its sign) or refuses.
_ODD_NANS = (b"-nan", b"+nan", b"nan(")


class _Declined(Exception):
    """The fast path's doubt: the detailed reader takes over."""


def _fast_body(source: _Source, header_line: int) -> tuple[bytes, str] | None:
    """The records after the header as UTF-8 bytes and the delimiter, when the text is plain: no
    NUL bytes or lone carriage returns, and after the header no quotes and no BOM (pandas drops one)."""
    text = source.text
    if text is None or "\x00" in text or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    end = -1
    for _ in range(header_line):  # the csv reader's line count: lines read, up to the header's last
        end = text.find("\n", end + 1)
        if end < 0:
            return None
    if source.encoded is None:
        body = text[end + 1:].encode("utf-8")
    else:
        body = source.encoded[len(text[:end + 1].encode("utf-8")):]
    if b'"' in body or body.startswith(codecs.BOM_UTF8):
        return None
    return body, source.join


def _fast_frame(body: bytes, delimiter: str, width: int, low_memory: bool = False, **options):
    """`pandas.read_csv` of the body, header-less, every line `width` fields (else _Declined).
    `low_memory` reads in chunks (quicker), for columns whose types are given."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pd.read_csv(
            io.BytesIO(body), sep=delimiter, header=None, engine="c", quoting=csv.QUOTE_NONE, comment=None,
            skip_blank_lines=True, skipinitialspace=False, keep_default_na=False, low_memory=low_memory,
            encoding="utf-8", **options,
        )
    # Every line width fields: no line has more (pandas refuses one), none fewer (pandas pads it).
    if (frame.shape[1] + ("index_col" in options) != width or not len(frame)
            or body.count(delimiter.encode()) != len(frame) * (width - 1)
            or _longest_field(body, delimiter) >= csv.field_size_limit()):
        raise _Declined
    return frame


def _longest_field(body: bytes, delimiter: str) -> int:
    """The length of the body's longest line, or if that is over the csv module's field size
    limit (which the detailed reader enforces), of its longest field."""
    buffer = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(buffer == ord("\n"))
    longest = int(np.diff(ends, prepend=-1, append=len(buffer)).max()) - 1
    if longest >= csv.field_size_limit():
        ends = np.flatnonzero((buffer == ord("\n")) | (buffer == ord(delimiter)))
        longest = int(np.diff(ends, prepend=-1, append=len(buffer)).max()) - 1
    return longest


def _fast_numbers(values: np.ndarray, body: bytes, labels: Iterable[str] = ()) -> np.ndarray:
    """The numbers as float() reads them: no infinity (the detailed reader refuses it), NaN only
    from missing-value spellings. (No letter n in the body but the `labels`' ones: no NaN token.)"""
    if np.isinf(values).any():
        raise _Declined
    if np.isnan(values).any() and body.count(b"n") + body.count(b"N") != sum(
            label.count("n") + label.count("N") for label in labels):
        lowered = body.lower()
        if any(odd in lowered for odd in _ODD_NANS):
            raise _Declined
    return np.ascontiguousarray(values, dtype=np.float64)


def _fast_wide(source: _Source, header_line: int, width: int, n_cols: int,
               limits: Limits) -> tuple[list[str], np.ndarray] | None:
    """A wide table's row labels and values, or None (declined)."""
    read = _fast_body(source, header_line)
    if read is None:
        return None
    body, delimiter = read
    from pandas.api.types import is_float_dtype

    try:
        # pandas infers the columns' types quicker than it reads the types given, but reads "-0" as
        # an integer (0, not -0.0) and labels that look like numbers as numbers: those take types.
        negative_zero = body.endswith(b"-0") or any(b"-0" + end in body for end in (
            delimiter.encode(), b"\n", b"\r", b" ", b"\t", b"0"))
        frame = labels = None
        if not negative_zero:
            frame = _fast_frame(body, delimiter, width, index_col=0, na_values=_NA_SPELLINGS)
            labels = frame.index.tolist()
        # whole numbers come as int64, which becomes float64 as float() reads them (rounded to nearest)
        if frame is None or not all(is_float_dtype(dtype) or dtype == np.int64 for dtype in frame.dtypes) or not all(
                isinstance(x, str) for x in labels):
            frame = _fast_frame(body, delimiter, width, index_col=0, na_values=_NA_SPELLINGS,
                                dtype=collections.defaultdict(lambda: np.float64, {0: object}))
            labels = frame.index.tolist()
        if len(frame) * n_cols > limits.max_cells or not all(isinstance(x, str) for x in labels):
            return None
        rows = [clean_label(label, "") for label in labels]
        return rows, _fast_numbers(frame.to_numpy(dtype=np.float64), body, labels)
    except Exception:  # any doubt at all (pandas' parser errors, a label, a number): the detailed reader
        return None


def _fast_codes(column) -> tuple[list[str], np.ndarray]:
    """A label column's distinct raw texts in the order they first appear, and each row's index
    into them (a categorical column's categories must all be text: raw, not read as numbers)."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories.tolist()
        codes, first = pd.factorize(column.cat.codes.to_numpy())
        raw = [categories[k] for k in first]
    else:
        codes, raw = pd.factorize(column.to_numpy(dtype=object))
        raw = list(raw)
    if (codes < 0).any() or not all(isinstance(text, str) for text in raw):
        raise _Declined
    return raw, codes.astype(np.int64)


def _fast_labels(column, clean: Callable[[str], str]) -> tuple[list[str], np.ndarray]:
    """The cleaned labels in first-seen order and each row's code, as the detailed reader maps them."""
    raw, codes = _fast_codes(column)
    by_label: dict[str, int] = {}
    index = np.array([by_label.setdefault(clean(text), len(by_label)) for text in raw], dtype=np.int64)
    return list(by_label), index[codes]


def _fast_replicate(raw: str) -> str:
    replicate = _unguard(raw.strip())
    if not replicate:
        raise _Declined
    return replicate


def _fast_long(source: _Source, header_line: int, header: list[str], layout: "_Layout",
               limits: Limits) -> _Table | None:
    """A long table (train, test, value and optionally replicate columns), or None (declined)."""
    read = _fast_body(source, header_line) if layout.std is None else None
    if read is None:
        return None
    body, delimiter = read
    width = len(header)
    max_records = limits.max_cells * (REPLICATE_ARRAY_FACTOR if layout.replicate is not None else 1)
    try:
        for labels in ("category", object):  # categories are quicker; labels that look like numbers need text
            dtype = {layout.train: labels, layout.test: labels, layout.value: np.float64}
            if layout.replicate is not None:
                dtype[layout.replicate] = object
            frame = _fast_frame(body, delimiter, width, low_memory=True, dtype=dtype,
                                na_values={layout.value: _NA_SPELLINGS})
            if len(frame) > max_records:
                return None
            try:
                rows, row_codes = _fast_labels(frame[layout.train], lambda text: clean_label(text, ""))
                cols, col_codes = _fast_labels(frame[layout.test], lambda text: clean_label(text, ""))
                break
            except _Declined:
                if labels is object:
                    raise
        ids, rep_codes = [], np.zeros(0, dtype=np.int64)
        if layout.replicate is not None:
            ids, rep_codes = _fast_labels(frame[layout.replicate], _fast_replicate)
        values = _fast_numbers(frame[layout.value].to_numpy(dtype=np.float64), body)
        return _long_table(header, layout, rows, cols, ids, row_codes, col_codes, rep_codes, values, limits,
                           None, source.at, [], [])
    except Exception:  # any doubt at all: the detailed reader
        return None


# --- the long table's columns ------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Which column holds what in a long table (indices into the header)."""

    train: int
    test: int
    value: int
    replicate: int | None = None
    std: int | None = None
    n: int | None = None


def _listed(header: list[str], indices: Iterable[int]) -> str:
    return ", ".join(f"'{_shorten(header[j].strip())}'" for j in indices)


def _ambiguous(message: str, header, names, found: Mapping[str, int | None], first) -> ColumnsAmbiguous:
    return ColumnsAmbiguous(message, header, _guesses(header, names, found, first))


def _guesses(header: list[str], names: list[str], found: Mapping[str, int | None], first) -> dict[str, str | None]:
    """The best guess of each mapped role's column, for a person to confirm: what was recognised,
    else columns named like the role, else the first unused columns for the labels and the last
    numeric one for the value."""
    record = first[1] if first else []
    numeric = {j for j, cell in enumerate(record) if _is_number(cell.strip())}
    taken: set[int] = {j for j in found.values() if j is not None}
    guess: dict[str, int | None] = {}
    for role in MAPPING_ROLES:
        if found.get(role) is not None:
            guess[role] = found[role]
            continue
        free = [j for j in range(len(header)) if j not in taken]
        named = [j for j in free if names[j] in COLUMN_NAMES[role]]
        if role in ("train", "test"):
            loose = [j for j in free if role in names[j]]
            pick = (named or loose or [j for j in free if j not in numeric] or free or [None])[0]
        elif role == "replicate":
            loose = [j for j in free if any(word in names[j] for word in COLUMN_NAMES["replicate"])]
            pick = (named or loose or [None])[0]
        else:
            spread_like = {j for j in free if _spread_name(names[j], names)}
            pick = (named or [j for j in free if j in numeric and j not in spread_like][-1:] or free[-1:] or [None])[0]
        guess[role] = pick
        if pick is not None:
            taken.add(pick)
    return {role: None if j is None else header[j].strip() for role, j in guess.items()}


def _spread_name(name: str, names: list[str]) -> str | None:
    """'std' or 'n' for a column named like a standard deviation or a count ('std', 'acc_std' beside
    an 'acc' column), else None."""
    if name in COLUMN_NAMES["std"] or any(name.endswith(s) and name[: -len(s)] in names for s in _STD_SUFFIXES):
        return "std"
    if name in COLUMN_NAMES["n"] or any(name.endswith(s) and name[: -len(s)] in names for s in _N_SUFFIXES):
        return "n"
    return None


def _mapped_columns(header: list[str], names: list[str], columns: Mapping[str, str | None]) -> dict[str, int | None]:
    """The mapping's column names as header indices; MatrixError naming the columns for an unknown one."""
    found: dict[str, int | None] = {}
    for role, column in columns.items():
        if column is None:
            found[role] = None
            continue
        exact = [j for j, cell in enumerate(header) if cell.strip() == column]
        matches = exact or [j for j, name in enumerate(names) if name == column.lower()]
        if len(matches) > 1:
            raise MatrixError(f"the header has the column '{_shorten(column)}' {len(matches)} times; rename one")
        if not matches:
            raise MatrixError(
                f"the {role} column '{_shorten(column)}' is not in the header; the columns are "
                f"{_listed(header, range(len(header)))}"
            )
        found[role] = matches[0]
    chosen = [j for j in found.values() if j is not None]
    if len(chosen) != len(set(chosen)):
        twice = next(j for j in chosen if chosen.count(j) > 1)
        roles = [role for role, j in found.items() if j == twice]
        raise MatrixError(f"the column '{_shorten(header[twice].strip())}' is chosen as {' and '.join(roles)}; "
                          "choose a different column for each")
    return found


def _long_layout(header: list[str], names: list[str], columns: Mapping[str, str | None] | None, first,
                 numeric: Callable[[list[int]], set[int]]) -> _Layout:
    """The long table's columns: those the mapping names, the rest recognised by name
    (`COLUMN_NAMES`), the value column if need be as the one numeric column left."""
    found = _mapped_columns(header, names, columns) if columns else {}

    def ambiguous(message: str) -> ColumnsAmbiguous:
        return _ambiguous(message, header, names, found, first)

    for role in ("train", "test"):
        if role in found:
            continue
        taken = [j for j in found.values() if j is not None]
        exact = [j for j, name in enumerate(names) if name == role and j not in taken]
        if len(exact) > 1:
            raise MatrixError(f"the header has the column '{role}' twice")
        candidates = exact or _candidates(names, role, taken)
        if len(candidates) > 1:
            raise ambiguous(
                f"the header has several {role} columns ({_listed(header, candidates)}); name the one to use "
                f"'{role}', or choose the columns"
            )
        if not candidates:
            raise ambiguous(
                f"the header has no {role} column; name it '{role}' (or {', '.join(COLUMN_NAMES[role][1:])}), "
                "or choose the columns"
            )
        found[role] = candidates[0]
    if "replicate" not in found:
        candidates = _candidates(names, "replicate", [j for j in found.values() if j is not None])
        if len(candidates) > 1:
            raise ambiguous(
                f"the header has several replicate columns ({_listed(header, candidates)}); keep one, or name the "
                "one that tells the replicates apart 'replicate', or choose the columns"
            )
        found["replicate"] = candidates[0] if candidates else None
    taken = {j for j in found.values() if j is not None}
    others = [j for j in range(len(names)) if j not in taken]
    if "value" not in found:
        found["value"] = _value_column(header, names, others, found["replicate"], numeric, ambiguous)
    value = found["value"]
    taken.add(value)
    for role, suffixes in (("std", _STD_SUFFIXES), ("n", _N_SUFFIXES)):
        if role in found:
            continue
        own = [j for j, name in enumerate(names) if j not in taken and name in {names[value] + s for s in suffixes}]
        plain = [j for j in _candidates(names, role, taken)]
        candidates = own or plain
        if len(candidates) > 1:
            raise ambiguous(
                f"the header has several {'standard deviation' if role == 'std' else 'count'} columns "
                f"({_listed(header, candidates)}); keep one, or name the one to use '{role}'"
            )
        found[role] = candidates[0] if candidates else None
        if candidates:
            taken.add(candidates[0])
    std, n, replicate = found["std"], found["n"], found["replicate"]
    if std is not None and n is None:
        own = f", or '{header[value].strip()}_n'" if names[std] != names[value] and names[std].startswith(
            names[value] + "_") else ""
        raise MatrixError(
            f"the column '{header[std].strip()}' gives standard deviations but no column gives how many replicates "
            f"each comes from; add an n column (n, count, n_runs or n_seeds{own})"
        )
    if std is not None and replicate is not None:
        raise MatrixError(
            f"the table has a replicate column ('{header[replicate].strip()}') and a standard deviation column "
            f"('{header[std].strip()}'); give either one row per replicate, or each pair's mean, std and n"
        )
    return _Layout(found["train"], found["test"], value, replicate, std, n if std is not None else None)


def _value_column(header: list[str], names: list[str], others: list[int], replicate: int | None,
                  numeric: Callable[[list[int]], set[int]], ambiguous) -> int:
    """The value column among `others`: 'value', 'score', the metric of a '<metric>_std' column,
    or the one (numeric) column left besides standard deviations and counts."""
    for name in COLUMN_NAMES["value"]:
        named = [j for j in others if names[j] == name]
        if named:
            return named[0]
    tracked = [j for j in others if any(names[j] + s in names for s in _STD_SUFFIXES)]
    if len(tracked) == 1:
        return tracked[0]
    candidates = [j for j in others if _spread_name(names[j], names) is None]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        if len(others) == 1:
            return others[0]
        if not others and replicate is None:
            raise MatrixError("the long format needs a third column with the values: train,test,value")
        given = "train, test" + (f" and the replicate column '{header[replicate].strip()}'" if replicate is not None
                                 else "")
        found = f" (besides {_listed(header, others)})" if others else ""
        raise MatrixError(f"the long format needs a value column besides {given}{found}: train,test,seed,value")
    numbers = [j for j in candidates if j in numeric(candidates)]
    if len(numbers) == 1:
        return numbers[0]
    raise ambiguous(
        f"the long format has several value columns ({_listed(header, numbers if len(numbers) > 1 else candidates)}); "
        "keep one, or name the one to use 'value'"
    )


class _Kept:
    """Records read once as they come, or kept in a list when a column must be looked at first."""

    def __init__(self, records: Iterator):
        self._records, self._kept = records, None

    def kept(self) -> list:
        if self._kept is None:
            self._kept = list(self._records)
        return self._kept

    def __iter__(self):
        return iter(self._kept if self._kept is not None else self._records)


def _numeric_columns(records: list, candidates: list[int]) -> set[int]:
    """The candidates whose cells are all numbers or missing, at least one a number."""
    numeric = set()
    for j in candidates:
        seen = False
        for _, record in records:
            if j >= len(record):
                continue
            token = record[j].strip()
            if token.lower() in MISSING_TOKENS:
                continue
            if not _is_number(token):
                break
            seen = True
        else:
            if seen:
                numeric.add(j)
    return numeric


# --- the long table's rows ------------------------------------------------------------------


def _finite(raw: Any) -> float | None:
    """A finite number from text or a JSON number, else None."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        number = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _count(raw: Any) -> float | None:
    """A replicate count: a whole number >= 1, else None."""
    number = _finite(raw)
    return number if number is not None and number >= 1 and number == math.floor(number) else None


def _deviation(raw: Any) -> float | None:
    """A standard deviation: a finite number >= 0, else None."""
    number = _finite(raw)
    return number if number is not None and number >= 0 else None


def _shown(raw: Any) -> str:
    return _shorten(raw.strip() if isinstance(raw, str) else json.dumps(raw))


def _summary_cell(value: float, std_raw: Any, n_raw: Any, where: Callable[[], str], std_name: str,
                  n_name: str) -> tuple[float, float]:
    """(std, n) of one cell of the summary form. A missing value has no replicates (n 0); n must
    be a whole number >= 1; a std is read (finite, >= 0) only where n >= 2."""
    if math.isnan(value):
        return math.nan, 0.0
    n = _count(n_raw)
    if n is None:
        raise MatrixError(
            f"{where()}: {n_name} '{_shown(n_raw)}' is not a number of replicates; expected a whole number, 1 or more"
        )
    if n < 2:
        return math.nan, n
    std = _deviation(std_raw)
    if std is None:
        raise MatrixError(
            f"{where()}: {std_name} '{_shown(std_raw)}' is not a standard deviation; expected a finite number, 0 or "
            f"more (over {n:.0f} replicates)"
        )
    return std, n


def _read_long(header_line: int, header: list[str], names: list[str], records, limits: Limits, source: _Source,
               columns: Mapping[str, str | None] | None, first) -> _Table:
    at = source.at
    records = _Kept(records)
    layout = _long_layout(header, names, columns, first, lambda cand: _numeric_columns(records.kept(), cand))
    fast = _fast_long(source, header_line, header, layout, limits)
    if fast is not None:
        return fast
    i_train, i_test, i_value, i_rep = layout.train, layout.test, layout.value, layout.replicate
    summary = layout.std is not None
    std_name, n_name = (header[layout.std].strip(), header[layout.n].strip()) if summary else ("", "")
    width = len(header)
    # Labels repeat on every line: each raw text is cleaned once and mapped to its index.
    axes = {"train": ({}, {}), "test": ({}, {})}  # kind -> (raw text -> index, clean label -> index)
    replicate_ids: dict[str, int] = {}  # replicate id -> index, in first-seen order

    def index_of(kind: str, raw: str, line: int) -> int:
        by_raw, by_label = axes[kind]
        index = by_raw.get(raw)
        if index is None:
            label = clean_label(raw, f"{at(line)}, {kind} column")
            index = by_raw[raw] = by_label.setdefault(label, len(by_label))
        return index

    def replicate_of(raw: str, line: int) -> int:
        replicate = _unguard(raw.strip())
        if not replicate:
            raise MatrixError(
                f"{at(line)}: empty {header[i_rep].strip()} (the replicate column); every row needs the id of its "
                "replicate"
            )
        return replicate_ids.setdefault(replicate, len(replicate_ids))

    row_codes, col_codes, rep_codes, values, lines, stds, counts = [], [], [], [], [], [], []
    max_records = limits.max_cells * (REPLICATE_ARRAY_FACTOR if i_rep is not None else 1)
    for line, record in records:
        if len(record) != width:
            raise MatrixError(f"{at(line)}: {len(record)} fields, expected {width} like the header (ragged rows)")
        i, j = index_of("train", record[i_train], line), index_of("test", record[i_test], line)
        text = record[i_value]
        try:
            value = float(text)
        except ValueError:
            value = parse_number(text, record[i_train].strip(), record[i_test].strip())
        row_codes.append(i)
        col_codes.append(j)
        values.append(value)
        lines.append(line)
        if i_rep is not None:
            rep_codes.append(replicate_of(record[i_rep], line))
        if summary:
            std, n = _summary_cell(
                value, record[layout.std], record[layout.n],
                lambda: f"{at(line)} (train '{_shorten(record[i_train].strip())}', test "
                        f"'{_shorten(record[i_test].strip())}')",
                std_name, n_name,
            )
            stds.append(std)
            counts.append(n)
        if len(values) > max_records:
            _too_many_records(len(values), limits, i_rep is not None)
    return _long_table(
        header, layout, list(axes["train"][1]), list(axes["test"][1]), list(replicate_ids),
        np.array(row_codes, dtype=np.int64), np.array(col_codes, dtype=np.int64), np.array(rep_codes, dtype=np.int64),
        np.array(values, dtype=np.float64), limits, lines, at, stds, counts,
    )


def _long_table(header: list[str], layout: _Layout, rows: list[str], cols: list[str], ids: list[str],
                row_codes: np.ndarray, col_codes: np.ndarray, rep_codes: np.ndarray, values: np.ndarray,
                limits: Limits, lines: list[int] | None, at: Callable[[int], str], stds: list[float],
                counts: list[float]) -> _Table:
    """A long table from its rows as codes (train, test and replicate labels by index) and
    values: duplicates refused, replicates matched, summary spreads built. Without `lines` (the
    fast path) a duplicate raises `_Declined`, for the detailed reader to name its lines."""
    i_rep, summary = layout.replicate, layout.std is not None
    metric_name = header[layout.value].strip()
    _check_cells(len(rows) * len(cols), limits, f"{len(rows)} train x {len(cols)} test datasets")
    cells = row_codes * max(len(cols), 1) + col_codes
    metadata = {} if metric_name.lower() == "value" else {"metric": metric_name}
    metadata = _clean_metadata(metadata, "the value column")

    def describe(key: int) -> str:
        cell = key // max(len(ids), 1) if ids else key
        pair = f"train '{_shorten(rows[cell // len(cols)])}', test '{_shorten(cols[cell % len(cols)])}'"
        return f"replicate {pair}, {header[i_rep].strip()} '{_shorten(ids[key % len(ids)])}'" if ids else f"pair {pair}"

    if i_rep is not None:
        _refuse_duplicates(cells * len(ids) + rep_codes, lines, describe, at)
        grid, spread = _from_samples(cells, rep_codes, values, (len(rows), len(cols)), ids, limits)
        return _Table(rows, cols, grid, metadata, "long", spread)
    hint = "" if summary else (
        "; several values of one pair are replicates only with a replicate column: name it "
        f"{', '.join(COLUMN_NAMES['replicate'][:-1])} or {COLUMN_NAMES['replicate'][-1]}"
    )
    _refuse_duplicates(cells, lines, describe, at, hint)
    grid = np.full(len(rows) * len(cols), np.nan)
    grid[cells] = values
    spread = None
    if summary:
        n = np.zeros(grid.size)
        n[cells] = counts
        if n.max(initial=0) >= 2:
            std = np.full(grid.size, np.nan)
            std[cells] = stds
            spread = Spread.from_summary(std.reshape(len(rows), len(cols)), n.reshape(len(rows), len(cols)))
    return _Table(rows, cols, grid.reshape(len(rows), len(cols)), metadata, "long", spread)


def _too_many_records(n_records: int, limits: Limits, replicates: bool) -> None:
    if not replicates:
        _check_cells(n_records, limits)
    limit = limits.max_cells * REPLICATE_ARRAY_FACTOR
    raise TooLarge(f"the file has more than {limit:,} values (rows); the limit is {limit:,}")


def _refuse_duplicates(keys: np.ndarray, lines: list[int] | None, describe: Callable[[int], str],
                       at: Callable[[int], str], hint: str = "") -> None:
    """MatrixError naming the first line that repeats a key (a pair, or a pair's replicate), and
    where it was first given (`_Declined` without `lines`)."""
    order = np.argsort(keys, kind="stable")
    repeats = order[1:][keys[order][1:] == keys[order][:-1]]
    if repeats.size and lines is None:
        raise _Declined
    if repeats.size:
        later = int(repeats.min())
        first = int(np.argmax(keys == keys[later]))
        raise MatrixError(
            f"{at(lines[later])}: duplicate {describe(int(keys[later]))} (first given on {at(lines[first])}){hint}"
        )


def _from_samples(cells: np.ndarray, reps: np.ndarray, values: np.ndarray, shape: tuple[int, int], ids: list[str],
                  limits: Limits) -> tuple[np.ndarray, Spread | None]:
    """The values and spread of replicates given one by one (cell index, replicate index, value).

    Where no cell has two replicates the matrix is one without a spread, its values as given;
    otherwise the values are the means. Replicate ids without any value are left out.
    """
    size = shape[0] * shape[1]
    present = ~np.isnan(values)
    cells, reps, values = cells[present], reps[present], values[present]
    if np.bincount(cells, minlength=size).max(initial=0) <= 1:
        grid = np.full(size, np.nan)
        grid[cells] = values
        return grid.reshape(shape), None
    used = np.flatnonzero(np.bincount(reps, minlength=len(ids)))  # codes were given in first-seen order
    _check_replicates(size, len(used), limits)
    column = np.full(len(ids), -1, dtype=np.int64)
    column[used] = np.arange(len(used))
    samples = np.full((size, len(used)), np.nan)
    samples[cells, column[reps]] = values
    samples = samples.reshape(*shape, len(used))
    return sample_means(samples)[1], Spread.from_samples(samples, [ids[k] for k in used])


def _check_replicates(n_cells: int, n_ids: int, limits: Limits) -> None:
    limit = limits.max_cells * REPLICATE_ARRAY_FACTOR
    if n_cells * n_ids > limit:
        raise TooLarge(
            f"the replicates make {n_cells:,} cells x {n_ids:,} replicate ids = {n_cells * n_ids:,} values; the limit "
            f"is {limit:,}. Replicates are matched by their id across cells (seed 1 of every cell, seed 2, ...): "
            "use the same few ids in every cell"
        )


# --- spreadsheets ----------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A workbook cell as the CSV reader would see it: numbers at full precision, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _pick_sheet(book, sheet: str | int | None):
    names = list(book.sheetnames)
    listed = ", ".join(f"'{_shorten(name)}'" for name in names)
    if sheet in (None, ""):
        chosen = names[0]
    elif str(sheet).strip() in names:
        chosen = str(sheet).strip()
    elif str(sheet).strip().isdigit() and 1 <= int(str(sheet).strip()) <= len(names):
        chosen = names[int(str(sheet).strip()) - 1]
    else:
        raise MatrixError(
            f"the workbook has no sheet '{_shorten(str(sheet))}'; its sheets are {listed} (name one, or give its "
            "number, 1 for the first)"
        )
    worksheet = book[chosen]
    if not hasattr(worksheet, "iter_rows"):
        raise MatrixError(f"the sheet '{_shorten(chosen)}' is a chart, not a table; its sheets are {listed}")
    return worksheet


def _in_sheet(err: MatrixError, title: str, others: list[str]) -> MatrixError:
    """The same error, its message saying which sheet (and which others there are, when the
    first was read without being chosen)."""
    message = f"sheet '{_shorten(title)}': {err}"
    if others:
        message += f" (the first sheet was read; the workbook also has {', '.join(repr(o) for o in others)})"
    if isinstance(err, ColumnsAmbiguous):
        return ColumnsAmbiguous(message, err.columns, err.guesses)
    return type(err)(message)


def _read_workbook(data: bytes, sheet: str | int | None, limits: Limits) -> tuple[_Source, str, list[str]]:
    """The chosen sheet of an .xlsx workbook as a table's records (cells as text), through
    openpyxl; with the sheet's title and the other sheets' titles."""
    import openpyxl  # only for workbooks

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > 4 * limits.max_bytes:
        raise TooLarge(
            f"the workbook unpacks to {format_size(unpacked)}; the limit is {format_size(4 * limits.max_bytes)}"
        )
    try:
        with warnings.catch_warnings():  # openpyxl warns of styles and extensions it skips: not the reader's concern
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds of error on a damaged workbook
        raise MatrixError(f"the Excel workbook cannot be read ({_shorten(str(err) or type(err).__name__, 80)})") \
            from None
    try:
        worksheet = _pick_sheet(book, sheet)
        title = worksheet.title
        worksheet.reset_dimensions()  # a workbook's own dimensions can be wrong: read every cell
        rows, width, n_cells = [], 0, 0
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            row = [_cell_text(value) for value in cells]
            while row and not row[-1].strip():
                row.pop()
            if row:
                rows.append((number, row))
                width = max(width, len(row))
                n_cells += len(row)
                if n_cells > 6 * limits.max_cells:
                    raise TooLarge(f"the sheet '{_shorten(title)}' has more than {6 * limits.max_cells:,} cells")
    except MatrixError:
        raise
    except Exception as err:
        raise MatrixError(f"the Excel workbook cannot be read ({_shorten(str(err) or type(err).__name__, 80)})") \
            from None
    finally:
        book.close()
    if not rows:
        others = ", ".join(repr(name) for name in book.sheetnames if name != title)
        raise MatrixError(f"the sheet '{_shorten(title)}' is empty; expected a matrix or a long table on it"
                          + (f" (the workbook also has {others})" if others else ""))
    records = [(number, row + [""] * (width - len(row))) for number, row in rows if "".join(row).strip()]
    return _Source(records, unit="sheet row"), title, [name for name in book.sheetnames if name != title]


# --- JSON ------------------------------------------------------------------------------------


def _read_json(text: str, limits: Limits, columns: dict | None = None) -> _Table:
    """{"rows", "cols", "values", name?, metric?, neutral?} (values 2-D, or 3-D with replicates,
    or 2-D with "std" and "n") or a list of {train, test, value} records."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise MatrixError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise MatrixError("not valid JSON: nested too deeply") from None
    if isinstance(document, list):
        return _json_records(document, limits, columns)
    if not isinstance(document, dict):
        raise MatrixError('the JSON must be an object {"rows": [...], "cols": [...], "values": [[...]]}')
    if columns is not None:
        raise MatrixError(
            "a column mapping applies to tables (CSV, TSV, spreadsheets, JSON lists of records), not to a JSON "
            "object with rows, cols and values"
        )
    missing = [key for key in ("rows", "cols", "values") if key not in document]
    if missing:
        raise MatrixError(
            f"the JSON object lacks {', '.join(repr(k) for k in missing)}; expected rows, cols and values"
        )
    rows = _json_labels(document["rows"], "rows")
    cols = _json_labels(document["cols"], "cols")
    _check_cells(len(rows) * len(cols), limits, f"{len(rows)} rows x {len(cols)} cols")
    grid = _json_grid(document["values"], "values", rows, cols)
    metadata = _clean_metadata(document, "JSON field")
    if any(isinstance(entry, list) for entries in grid for entry in entries):
        if "std" in document or "n" in document:
            raise MatrixError(
                "the JSON gives replicates ('values' with a list per cell) and 'std'/'n'; give one or the other"
            )
        values, spread = _json_replicates(grid, document.get("replicates"), rows, cols, limits)
        return _Table(rows, cols, values, metadata, "json", spread)
    if document.get("replicates") is not None:
        raise MatrixError(
            "the JSON names 'replicates', but 'values' holds one number per cell; give each cell the list of its "
            "replicates' values (null where one is absent)"
        )
    values = np.empty((len(rows), len(cols)))
    for i, (label, entries) in enumerate(zip(rows, grid)):
        values[i] = [_json_number(v, label, col) for v, col in zip(entries, cols)]
    spread = _json_summary(document, values, rows, cols) if ("std" in document or "n" in document) else None
    return _Table(rows, cols, values, metadata, "json", spread)


def _json_grid(grid: Any, key: str, rows: list[str], cols: list[str]) -> list[list]:
    """A rows x cols nested list (its entries not yet checked), or MatrixError."""
    if not isinstance(grid, list) or len(grid) != len(rows):
        size = len(grid) if isinstance(grid, list) else type(grid).__name__
        raise MatrixError(f"'{key}' must be a list of {len(rows)} rows (one per row label), got {size}")
    for i, (label, entries) in enumerate(zip(rows, grid)):
        if not isinstance(entries, list) or len(entries) != len(cols):
            size = len(entries) if isinstance(entries, list) else type(entries).__name__
            name = "values" if key == "values" else f"'{key}'"
            raise MatrixError(
                f"{name} row {i + 1} (row '{_shorten(label)}') has {size} entries, expected {len(cols)} (ragged rows)"
            )
    return grid


def _json_labels(labels: Any, key: str) -> list[str]:
    if not isinstance(labels, list):
        raise MatrixError(f"'{key}' must be a list of labels, got {type(labels).__name__}")
    for position, label in enumerate(labels, start=1):
        if not isinstance(label, str):
            raise MatrixError(f"'{key}' entry {position} must be text, got {_shorten(json.dumps(label))}")
    return [clean_label(label, f"'{key}' entry {position}") for position, label in enumerate(labels, start=1)]


def _json_number(value: Any, row: str, col: str, replicate: str | None = None) -> float:
    where = f"row '{_shorten(row)}', column '{_shorten(col)}'" + (
        f", replicate '{_shorten(replicate)}'" if replicate is not None else ""
    )
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MatrixError(f"{where}: {_shorten(json.dumps(value))} is not a number or null")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isinf(number):
        raise MatrixError(f"{where}: infinite value '{_shorten(str(value))}'; expected a finite number")
    return number


def _json_replicate_ids(ids: Any) -> list[str] | None:
    if ids is None:
        return None
    if not isinstance(ids, list) or not ids:
        raise MatrixError("'replicates' must be a list of replicate ids (e.g. the seeds), one per replicate")
    clean = []
    for position, rid in enumerate(ids, start=1):
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not str(rid).strip():
            raise MatrixError(f"'replicates' entry {position} must be a name or a whole number, got "
                              f"{_shorten(json.dumps(rid))}")
        clean.append(str(rid).strip())
    if len(set(clean)) != len(clean):
        twice = next(rid for rid in clean if clean.count(rid) > 1)
        raise MatrixError(f"'replicates' lists '{_shorten(twice)}' twice; every replicate needs its own id")
    return clean


def _json_replicates(grid: list[list], ids: Any, rows: list[str], cols: list[str],
                     limits: Limits) -> tuple[np.ndarray, Spread | None]:
    """Values and spread of 3-D `values`: per cell a list of its replicates' values (null where
    absent), listed in the order of `replicates` (default "1", "2", ...); without `replicates` the
    lists may have different lengths."""
    ids = _json_replicate_ids(ids)
    named = ids is not None
    longest = max((len(entry) for entries in grid for entry in entries if isinstance(entry, list)), default=0)
    depth = len(ids) if ids is not None else longest
    _check_replicates(len(rows) * len(cols), depth, limits)
    ids = ids if ids is not None else [str(k + 1) for k in range(depth)]
    samples = np.full((len(rows), len(cols), depth), np.nan)
    for i, (label, entries) in enumerate(zip(rows, grid)):
        for j, (col, entry) in enumerate(zip(cols, entries)):
            if entry is None:
                continue
            if not isinstance(entry, list):
                raise MatrixError(
                    f"row '{_shorten(label)}', column '{_shorten(col)}': {_shorten(json.dumps(entry))} is not a list "
                    "of replicate values or null (the other cells are lists)"
                )
            if named and len(entry) != depth:
                raise MatrixError(
                    f"row '{_shorten(label)}', column '{_shorten(col)}' has {len(entry)} replicate values; "
                    f"'replicates' names {depth} (give null where a replicate is absent)"
                )
            samples[i, j, : len(entry)] = [_json_number(v, label, col, ids[k]) for k, v in enumerate(entry)]
    flat = samples.reshape(-1, depth)
    cells, reps = np.nonzero(~np.isnan(flat))
    return _from_samples(cells, reps, flat[cells, reps], (len(rows), len(cols)), ids, limits)


def _json_summary(document: dict, values: np.ndarray, rows: list[str], cols: list[str]) -> Spread | None:
    """The spread of `std` and `n` matrices beside 2-D values (None if no cell has n >= 2)."""
    if "n" not in document:
        raise MatrixError(
            "the JSON gives 'std' but no 'n'; add an 'n' matrix with the number of replicates behind each value"
        )
    if "std" not in document:
        raise MatrixError("the JSON gives 'n' but no 'std'; add a 'std' matrix with each value's standard deviation")
    std_grid = _json_grid(document["std"], "std", rows, cols)
    n_grid = _json_grid(document["n"], "n", rows, cols)
    std, n = np.full(values.shape, np.nan), np.zeros(values.shape)
    for i, label in enumerate(rows):
        for j, col in enumerate(cols):
            std[i, j], n[i, j] = _summary_cell(
                values[i, j], std_grid[i][j], n_grid[i][j],
                lambda: f"row '{_shorten(label)}', column '{_shorten(col)}'", "std", "n",
            )
    return Spread.from_summary(std, n) if n.max(initial=0) >= 2 else None


def _json_records(records: list, limits: Limits, columns: dict | None = None) -> _Table:
    """A JSON list of {"train", "test", "value"} objects (pandas `to_json(orient="records")`), read as long CSV."""
    if not records or not all(isinstance(r, dict) for r in records):
        raise MatrixError('a JSON list must hold {"train": ..., "test": ..., "value": ...} objects')
    header = list(records[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for position, record in enumerate(records, start=1):
        if set(record) != set(header):
            raise MatrixError(
                f"JSON record {position} has the keys {sorted(record)}, expected {sorted(header)} like the first"
            )
        cells = (record[key] for key in header)
        writer.writerow(["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in cells])
    return _read_delimited(out.getvalue(), limits, columns)


# --- DataFrames (notebooks) ------------------------------------------------------------------


def _names_look_long(names: list[str]) -> bool:
    return bool(_candidates(names, "train")) and bool(_candidates(names, "test"))


def matrix_from_frame(frame, *, limits: Limits = DEFAULT_LIMITS, columns: Mapping[str, str | None] | None = None,
                      **metadata) -> TransferMatrix:
    """A pandas DataFrame, wide (index = train, columns = test) or long (train, test, value
    columns, optionally a replicate column such as seed, or std and n; named as `parse_matrix`
    recognises them, or mapped with `columns`), through the same parser as files. A long frame
    whose train and test are its index (a groupby result) is read with the index as columns."""
    import pandas as pd

    names = [str(c).strip().lower() for c in frame.columns]
    index_names = [str(n).strip().lower() for n in frame.index.names if n is not None]
    mapped = {str(c).strip().lower() for c in (columns or {}).values() if c}
    if index_names and (mapped & set(index_names)
                        or not _names_look_long(names) and _names_look_long(index_names + names)):
        frame = frame.reset_index()
        names = [str(c).strip().lower() for c in frame.columns]
    if columns is not None or _names_look_long(names):
        text = frame.to_csv(index=False)
    else:
        if (isinstance(frame.index, pd.RangeIndex) and len(frame.columns)
                and not pd.api.types.is_numeric_dtype(frame.iloc[:, 0])):
            frame = frame.set_index(frame.columns[0])  # labels in the first column, not in the index
        frame = frame.rename_axis(index="train\\test")
        text = frame.to_csv()
    return parse_matrix(
        text.encode("utf-8"), filename="frame.csv", limits=limits, metadata={"name": "DataFrame", **metadata},
        columns=columns,
    )


# --- writers ---------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it: a leading apostrophe before =, +, -, @, tab
    or CR, unless the text is a plain number (so '-0.05' stays a number)."""
    if text.startswith(FORMULA_PREFIXES):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _number_text(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def _metadata_lines(matrix: TransferMatrix) -> list[list[str]]:
    """Comment lines; the neutral value only when declared (an inferred one is inferred again)."""
    neutral = repr(matrix.neutral) if matrix.neutral_declared else ""
    fields = (("name", matrix.name), ("metric", matrix.metric), ("neutral", neutral))
    return [[f"# {key}: {value}"] for key, value in fields if value]


def to_wide_csv(matrix: TransferMatrix) -> str:
    """Wide CSV with `# name/metric/neutral` comment lines, safe to open in a spreadsheet. With
    replicates, the cells are their means (the replicates themselves: `to_long_csv`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(_metadata_lines(matrix))
    writer.writerow(["train\\test", *map(neutralise, matrix.cols)])
    for label, row in zip(matrix.rows, matrix.values.tolist()):
        writer.writerow([neutralise(label), *map(_number_text, row)])
    return out.getvalue()


def _long_rows(matrix: TransferMatrix, present: np.ndarray, fields: Callable[[int], list[str]],
               blank: list[str] | None) -> Iterator[list[str]]:
    """train,test,<fields> rows of the cells where `present` (flat, row by row). With `blank`, a
    missing cell that is the first of its row or column gets a row with those empty fields: the
    labels then read back in the matrix's order (the parser takes them in the order it meets them)."""
    n_cols = len(matrix.cols)
    rows, cols = [neutralise(label) for label in matrix.rows], [neutralise(label) for label in matrix.cols]
    edge = np.zeros(present.shape, dtype=bool)
    if blank is not None:
        edge.reshape(-1, n_cols)[0, :] = edge.reshape(-1, n_cols)[:, 0] = True
    for cell in np.flatnonzero(present | edge).tolist():
        i, j = divmod(cell, n_cols)
        yield [rows[i], cols[j], *(fields(cell) if present[cell] else blank)]


def to_long_csv(matrix: TransferMatrix) -> str:
    """Long CSV that reads back to the same matrix (and content id): train,test,value rows; with
    replicates train,test,replicate,value rows, replicate by replicate (so that their ids read back
    in the same order); with a summary spread train,test,value,std,n rows. Missing cells are left
    out, except where an empty row keeps the order of the labels."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(_metadata_lines(matrix))
    spread = matrix.spread
    values = matrix.values.ravel()
    if spread is not None and spread.samples is not None:
        writer.writerow(["train", "test", "replicate", "value"])
        flat = spread.samples.reshape(values.size, -1)
        for k, rid in enumerate(spread.ids or ()):
            column, rid = flat[:, k], neutralise(rid)
            writer.writerows(_long_rows(matrix, ~np.isnan(column), lambda cell: [rid, repr(float(column[cell]))],
                                        [rid, ""] if k == 0 else None))
        return out.getvalue()
    if spread is not None:
        writer.writerow(["train", "test", "value", "std", "n"])
        std, n = spread.std.ravel().tolist(), spread.n.ravel().tolist()
        writer.writerows(_long_rows(
            matrix, ~np.isnan(values),
            lambda cell: [repr(float(values[cell])), _number_text(std[cell]), str(max(int(n[cell]), 1))], ["", "", ""],
        ))
        return out.getvalue()
    writer.writerow(["train", "test", "value"])
    writer.writerows(_long_rows(matrix, ~np.isnan(values), lambda cell: [repr(float(values[cell]))], [""]))
    return out.getvalue()


def _json_floats(values) -> list:
    """Nested lists of floats with None for NaN (any depth)."""
    if isinstance(values, list):
        return [_json_floats(v) for v in values]
    return None if math.isnan(values) else float(values)


def json_document(matrix: TransferMatrix) -> dict:
    """The JSON form the parser reads back: `TransferMatrix.to_json_dict()`, with replicates as
    3-D `values` (rows x cols x replicates, null where absent) and their ids in `replicates`, or
    with a summary spread as `std` and `n` matrices beside the values."""
    document = matrix.to_json_dict()
    if not matrix.neutral_declared:
        document["neutral"] = None  # read back, it is inferred again (transfer.matrix.infer_neutral)
    spread = matrix.spread
    if spread is not None and spread.samples is not None:
        document["replicates"] = list(spread.ids or ())
        document["values"] = _json_floats(spread.samples.tolist())
    elif spread is not None:
        document["std"] = _json_floats(spread.std.tolist())
        document["n"] = [[int(n) for n in row] for row in spread.n.tolist()]
    return document


def to_json_text(matrix: TransferMatrix) -> str:
    """JSON, one matrix row per line."""
    data = {key: value for key, value in json_document(matrix).items() if value not in ("", None)}
    grids = {key: data.pop(key) for key in ("values", "std", "n") if key in data}
    fields = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]
    for key, grid in grids.items():
        lines = ",\n  ".join(json.dumps(row, allow_nan=False) for row in grid)
        fields.append(f' "{key}": [\n  {lines}\n ]')
    return "{\n" + ",\n".join(fields) + "\n}\n"


WRITERS = {
    "wide": (to_wide_csv, "csv", "text/csv"), "long": (to_long_csv, "csv", "text/csv"),
    "json": (to_json_text, "json", "application/json"),
}
TEMPLATES = {"wide.csv": "wide", "long.csv": "long", "matrix.json": "json"}  # downloadable file -> format


def example_matrix() -> TransferMatrix:
    """The matrix of the downloadable templates."""
    return TransferMatrix(
        rows=("TriviaQA", "HotpotQA", "Movies"),
        cols=("TriviaQA", "HotpotQA", "Movies"),
        values=np.array([[0.11, -0.05, 0.04], [0.05, 0.08, np.nan], [-0.01, -0.08, 0.08]]),
        name="Example: probe AUC minus baseline",
        metric="AUC difference",
        neutral=0.0,
    )


def file_slug(name: str) -> str:
    """A file name from a matrix name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "transfer-matrix"


# --- transports ------------------------------------------------------------------------------


def read_matrix_file(path, limits: Limits = DEFAULT_LIMITS, *, sheet: str | int | None = None,
                     columns: Mapping[str, str | None] | None = None, **metadata) -> TransferMatrix:
    """A matrix file from disk (the command line); the size is checked before reading."""
    path = PurePath(path)
    try:
        with open(path, "rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, limits)
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        raise MatrixError(f"cannot read the file: {err.strerror or err}") from None
    return parse_matrix(data, filename=path.name, limits=limits, metadata=metadata, columns=columns, sheet=sheet)


def decode_data_url(contents: str, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str | None]:
    """(bytes, content type) of a `data:<type>;base64,<data>` URL (dcc.Upload's `contents`),
    refusing one over the size limit before decoding it."""
    head, comma, payload = (contents if isinstance(contents, str) else "").partition(",")
    if not comma or not head.startswith("data:") or not head.endswith(";base64"):
        raise MatrixError("the upload did not arrive as a base64 data URL; try again")
    check_size(len(payload) * 3 // 4 - payload.endswith("=") - payload.endswith("=="), limits)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise MatrixError("the upload is not valid base64; try again") from None
    return data, head[5:].removesuffix(";base64") or None
