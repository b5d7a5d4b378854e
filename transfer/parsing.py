"""One parser for every way a matrix arrives: the page's drop zone, the command line, the HTTP
API, a notebook DataFrame and the bundled catalogue.

`parse_matrix(bytes)` detects the format (wide CSV/TSV, long CSV/TSV, JSON), reads optional
metadata (name, metric, neutral value), enforces the size and cell limits, and returns a
`TransferMatrix` or raises `MatrixError` (`TooLarge` for the limits) with a message that names
the line, the row and column labels and the text it found. A file is accepted whole or refused
whole. The writers at the end produce what the parser reads back (the CSV download, templates).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterator, Mapping

import numpy as np

from .matrix import MAX_LABEL_LENGTH, MatrixError, TransferMatrix

FORMATS = ("wide", "long", "json")
METADATA_KEYS = ("name", "metric", "neutral", "description", "source", "scale")
MAX_TEXT_METADATA = 2000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", "\t", ";")
DEFAULT_NAME = "Uploaded matrix"
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})


class TooLarge(MatrixError):
    """The file is over the size limit or the matrix over the cell limit (HTTP 413)."""


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


def decode_text(data: bytes) -> str:
    """UTF-8 text (BOM stripped) or MatrixError for binary or undecodable data."""
    if b"\x00" in data[:4096]:
        raise MatrixError("the file is not text (it contains NUL bytes); expected CSV, TSV or JSON")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise MatrixError(f"the file is not UTF-8 text (invalid byte at position {err.start})") from None


# --- entry -----------------------------------------------------------------------------------


def parse_matrix(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    metadata: Mapping[str, Any] | None = None,
) -> TransferMatrix:
    """Bytes of a wide or long CSV/TSV or JSON file -> TransferMatrix, or MatrixError.

    `filename` and `content_type` are hints for the format (the content decides when they are
    absent); `metadata` (name, metric, neutral, ...) overrides what the file says.
    """
    check_size(len(data), limits)
    text = decode_text(bytes(data))
    if not text.strip():
        raise MatrixError(
            "the file is empty; expected a wide CSV/TSV, a long CSV/TSV with train,test,value columns, or JSON"
        )
    if detect_format(text, filename, content_type) == "json":
        table = _read_json(text, limits)
    else:
        table = _read_delimited(text, limits)
    overrides = _clean_metadata(metadata or {}, "metadata")
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


@dataclass
class _Table:
    rows: list[str]
    cols: list[str]
    values: np.ndarray
    metadata: dict
    format: str


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
    if "neutral" not in metadata and finite.size:
        metadata["neutral"] = default_neutral(finite)
    if "scale" in metadata:
        metadata["scale"] = tuple(metadata["scale"])
    return TransferMatrix(rows=table.rows, cols=table.cols, values=table.values, **metadata)


def default_neutral(values: np.ndarray) -> float:
    """0 when the values straddle zero (differences), else the middle of their range (raw scores)."""
    low, high = float(np.min(values)), float(np.max(values))
    return 0.0 if low <= 0.0 <= high else (low + high) / 2


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


# --- CSV / TSV -------------------------------------------------------------------------------

_METADATA_LINE = re.compile(r"^#\s*([A-Za-z]+)\s*[:=]\s*(.*)$", re.S)


def _read_delimited(text: str, limits: Limits) -> _Table:
    """Wide or long CSV/TSV. Leading lines starting with '#' are comments; `# key: value` ones are metadata."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = _records(reader)
    metadata: dict[str, str] = {}
    for line, record in records:
        if not record[0].lstrip().startswith("#"):
            header_line, header = line, record
            break
        match = _METADATA_LINE.match(delimiter.join(record).strip())
        if match and match.group(1).lower() in METADATA_KEYS:
            metadata[match.group(1).lower()] = match.group(2).strip()
    else:
        raise MatrixError("the file has only comment lines; expected a header row and data rows")
    if "scale" in metadata:
        metadata["scale"] = metadata["scale"].strip("[]() ").replace(";", ",").split(",")
    names = [cell.strip().lower() for cell in header]
    if "train" in names and "test" in names:
        table = _read_long(header, names, records, limits)
    else:
        table = _read_wide(header_line, header, records, limits)
    table.metadata = {**_clean_metadata(metadata, "comment line"), **table.metadata}
    return table


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever splits the first non-comment line into the most fields."""
    header = next(
        (line for line in text.splitlines() if line.strip() and not line.lstrip().lstrip('"').startswith("#")), "",
    )
    return max(DELIMITERS, key=lambda d: len(next(csv.reader([header], delimiter=d), [])))


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank record; malformed CSV becomes a MatrixError."""
    try:
        for record in reader:
            if "".join(record).strip():
                yield reader.line_num, record
    except csv.Error as err:
        raise MatrixError(f"line {reader.line_num}: malformed CSV ({err})") from None


def clean_label(text: str, where: str) -> str:
    """A label as read from a cell: trimmed, the download's formula guard (a leading apostrophe) undone."""
    label = text.strip()
    if label.startswith("'") and label[1:2] in FORMULA_PREFIXES and label[1:2]:
        label = label[1:]
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


def _read_wide(header_line: int, header: list[str], records, limits: Limits) -> _Table:
    cols = [clean_label(cell, f"line {header_line}, column {j + 1} of the header") for j, cell in enumerate(header[1:])]
    if not cols:
        raise MatrixError(
            "the header has no test dataset columns (one column only); expected 'train\\test,<test 1>,<test 2>,...' "
            "or a long file with train,test,value columns"
        )
    width = len(header)
    rows: list[str] = []
    values: list[list[float]] = []
    for line, record in records:
        _check_cells((len(rows) + 1) * len(cols), limits)
        if len(record) != width:
            raise MatrixError(
                f"line {line} (row '{_shorten(record[0].strip())}'): {len(record)} fields, expected {width} like the "
                "header (ragged rows)"
            )
        label = clean_label(record[0], f"line {line}, first column")
        rows.append(label)
        values.append(_row_values(record[1:], label, cols))
    if not rows:
        raise MatrixError("the file has a header but no data rows (one row only); expected one row per train dataset")
    return _Table(rows, cols, np.array(values, dtype=np.float64), {}, "wide")


def _value_column(header: list[str], names: list[str]) -> int:
    others = [j for j, name in enumerate(names) if name not in ("train", "test")]
    if "value" in names:
        return names.index("value")
    if len(others) == 1:
        return others[0]
    if not others:
        raise MatrixError("the long format needs a third column with the values: train,test,value")
    listed = ", ".join(f"'{header[j].strip()}'" for j in others)
    raise MatrixError(f"the long format has several value columns ({listed}); keep one, or name the one to use 'value'")


def _read_long(header: list[str], names: list[str], records, limits: Limits) -> _Table:
    for name in ("train", "test"):
        if names.count(name) > 1:
            raise MatrixError(f"the header has the column '{name}' twice")
    i_train, i_test, i_value = names.index("train"), names.index("test"), _value_column(header, names)
    metric_name = header[i_value].strip()
    width = len(header)
    # Labels repeat on every line: each raw text is cleaned once and mapped to its index.
    axes = {"train": ({}, {}), "test": ({}, {})}  # kind -> (raw text -> index, clean label -> index)

    def index_of(kind: str, raw: str, line: int) -> int:
        by_raw, by_label = axes[kind]
        index = by_raw.get(raw)
        if index is None:
            label = clean_label(raw, f"line {line}, {kind} column")
            index = by_raw[raw] = by_label.setdefault(label, len(by_label))
        return index

    row_codes, col_codes, values, lines = [], [], [], []
    for line, record in records:
        if len(record) != width:
            raise MatrixError(f"line {line}: {len(record)} fields, expected {width} like the header (ragged rows)")
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
        if len(values) > limits.max_cells:
            _check_cells(len(values), limits)
    rows, cols = list(axes["train"][1]), list(axes["test"][1])
    _check_cells(len(rows) * len(cols), limits, f"{len(rows)} train x {len(cols)} test datasets")
    flat = np.array(row_codes, dtype=np.int64) * max(len(cols), 1) + np.array(col_codes, dtype=np.int64)
    _refuse_duplicate_pairs(flat, lines, rows, cols)
    grid = np.full(len(rows) * len(cols), np.nan)
    grid[flat] = values
    metadata = {} if metric_name.lower() == "value" else {"metric": metric_name}
    return _Table(rows, cols, grid.reshape(len(rows), len(cols)), _clean_metadata(metadata, "the value column"), "long")


def _refuse_duplicate_pairs(flat: np.ndarray, lines: list[int], rows: list[str], cols: list[str]) -> None:
    """MatrixError naming the first line that repeats a (train, test) pair, and where it was first given."""
    order = np.argsort(flat, kind="stable")
    repeats = order[1:][flat[order][1:] == flat[order][:-1]]
    if repeats.size:
        later = int(repeats.min())
        first = int(np.argmax(flat == flat[later]))
        train, test = rows[flat[later] // len(cols)], cols[flat[later] % len(cols)]
        raise MatrixError(
            f"line {lines[later]}: duplicate pair train '{_shorten(train)}', test '{_shorten(test)}' (first given on "
            f"line {lines[first]})"
        )


# --- JSON ------------------------------------------------------------------------------------


def _read_json(text: str, limits: Limits) -> _Table:
    """{"rows", "cols", "values", name?, metric?, neutral?} or a list of {train, test, value} records."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise MatrixError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise MatrixError("not valid JSON: nested too deeply") from None
    if isinstance(document, list):
        return _json_records(document, limits)
    if not isinstance(document, dict):
        raise MatrixError('the JSON must be an object {"rows": [...], "cols": [...], "values": [[...]]}')
    missing = [key for key in ("rows", "cols", "values") if key not in document]
    if missing:
        raise MatrixError(
            f"the JSON object lacks {', '.join(repr(k) for k in missing)}; expected rows, cols and values"
        )
    rows = _json_labels(document["rows"], "rows")
    cols = _json_labels(document["cols"], "cols")
    _check_cells(len(rows) * len(cols), limits, f"{len(rows)} rows x {len(cols)} cols")
    grid = document["values"]
    if not isinstance(grid, list) or len(grid) != len(rows):
        size = len(grid) if isinstance(grid, list) else type(grid).__name__
        raise MatrixError(f"'values' must be a list of {len(rows)} rows (one per row label), got {size}")
    values = np.empty((len(rows), len(cols)))
    for i, (label, entries) in enumerate(zip(rows, grid)):
        if not isinstance(entries, list) or len(entries) != len(cols):
            size = len(entries) if isinstance(entries, list) else type(entries).__name__
            raise MatrixError(
                f"values row {i + 1} (row '{_shorten(label)}') has {size} entries, expected {len(cols)} (ragged rows)"
            )
        values[i] = [_json_number(v, label, col) for v, col in zip(entries, cols)]
    return _Table(rows, cols, values, _clean_metadata(document, "JSON field"), "json")


def _json_labels(labels: Any, key: str) -> list[str]:
    if not isinstance(labels, list):
        raise MatrixError(f"'{key}' must be a list of labels, got {type(labels).__name__}")
    for position, label in enumerate(labels, start=1):
        if not isinstance(label, str):
            raise MatrixError(f"'{key}' entry {position} must be text, got {_shorten(json.dumps(label))}")
    return [clean_label(label, f"'{key}' entry {position}") for position, label in enumerate(labels, start=1)]


def _json_number(value: Any, row: str, col: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MatrixError(
            f"row '{_shorten(row)}', column '{_shorten(col)}': {_shorten(json.dumps(value))} is not a number or null"
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isinf(number):
        raise MatrixError(
            f"row '{_shorten(row)}', column '{_shorten(col)}': infinite value '{_shorten(str(value))}'; expected a "
            "finite number"
        )
    return number


def _json_records(records: list, limits: Limits) -> _Table:
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
    return _read_delimited(out.getvalue(), limits)


# --- DataFrames (notebooks) ------------------------------------------------------------------


def matrix_from_frame(frame, *, limits: Limits = DEFAULT_LIMITS, **metadata) -> TransferMatrix:
    """A pandas DataFrame, wide (index = train, columns = test) or long (train, test, value
    columns), through the same parser as files."""
    import pandas as pd

    columns = [str(c).strip().lower() for c in frame.columns]
    if "train" in columns and "test" in columns:
        text = frame.to_csv(index=False)
    else:
        if (isinstance(frame.index, pd.RangeIndex) and len(frame.columns)
                and not pd.api.types.is_numeric_dtype(frame.iloc[:, 0])):
            frame = frame.set_index(frame.columns[0])  # labels in the first column, not in the index
        frame = frame.rename_axis(index="train\\test")
        text = frame.to_csv()
    return parse_matrix(
        text.encode("utf-8"), filename="frame.csv", limits=limits, metadata={"name": "DataFrame", **metadata},
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
    fields = (("name", matrix.name), ("metric", matrix.metric), ("neutral", repr(matrix.neutral)))
    return [[f"# {key}: {value}"] for key, value in fields if value]


def to_wide_csv(matrix: TransferMatrix) -> str:
    """Wide CSV with `# name/metric/neutral` comment lines, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(_metadata_lines(matrix))
    writer.writerow(["train\\test", *map(neutralise, matrix.cols)])
    for label, row in zip(matrix.rows, matrix.values.tolist()):
        writer.writerow([neutralise(label), *map(_number_text, row)])
    return out.getvalue()


def to_long_csv(matrix: TransferMatrix) -> str:
    """Long CSV: train,test,<metric> rows, missing cells left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(_metadata_lines(matrix))
    writer.writerow(["train", "test", "value"])
    for label, row in zip(matrix.rows, matrix.values.tolist()):
        writer.writerows([neutralise(label), neutralise(col), _number_text(v)]
                         for col, v in zip(matrix.cols, row) if not math.isnan(v))
    return out.getvalue()


def to_json_text(matrix: TransferMatrix) -> str:
    """JSON, one matrix row per line."""
    data = {key: value for key, value in matrix.to_json_dict().items() if value not in ("", None)}
    grid = ",\n  ".join(json.dumps(row, allow_nan=False) for row in data.pop("values"))
    fields = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()]
    return "{\n" + ",\n".join([*fields, f' "values": [\n  {grid}\n ]']) + "\n}\n"


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


def read_matrix_file(path, limits: Limits = DEFAULT_LIMITS, **metadata) -> TransferMatrix:
    """A matrix file from disk (the command line); the size is checked before reading."""
    path = PurePath(path)
    try:
        with open(path, "rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, limits)
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        raise MatrixError(f"cannot read the file: {err.strerror or err}") from None
    return parse_matrix(data, filename=path.name, limits=limits, metadata=metadata)


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
