"""Task metadata: an annotations file gives each task (a train row, a test column, or both) a value
per field (`task_type`, `domain`, `with_context`, ...).

`parse_annotations(bytes)` reads CSV, TSV or JSON (formats in docs/data-formats.md) and returns
`Annotations` or raises `AnnotationError` with a message that names the line, the column and what
was expected, as matrix files do (`transfer.parsing`, whose decoding, binary-file detection and
size limit it shares). A file is accepted whole or refused whole.

Each field's values are coloured from one fixed qualitative palette (`PALETTE`), by their order of
first appearance in the file: the same annotations give the same colour to the same value in every
view, every matrix and every export. A task without a value shows as `NONE_LABEL` in `NONE_COLOUR`.
Grouping, filtering and statistics by a field are `transfer.taskgroups`'.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .matrix import MAX_LABEL_LENGTH, MatrixError
from .parsing import (
    DEFAULT_LIMITS,
    MISSING_TOKENS,
    Limits,
    TooLarge,
    _binary_kind,
    _is_zip,
    _records,
    _shorten,
    _unguard,
    check_size,
    decode_text,
    detect_format,
    format_size,
    sniff_delimiter,
)

NONE_LABEL = "(none)"  # how an unannotated task's value is shown (and selected: `where=field:(none)`)
MAX_FIELDS = 20  # fields (columns after the task column) per file
MAX_VALUES = 24  # distinct values per field: the qualitative palette's size
# A matrix within the cell limit has at most this many labels on an axis (2 x max_cells/2).
MAX_ANNOTATED_TASKS = DEFAULT_LIMITS.max_cells // 2
ACCEPTED = "CSV, TSV or JSON"
# Links write `where=<field>:<value>|<value>` and `track=<field>,<field>` (`track=none`: no tracks).
FIELD_FORBIDDEN = (":", ",")
VALUE_FORBIDDEN = ("|",)
RESERVED_FIELDS = ("none",)

# Paul Tol's muted and light schemes (designed for colour-blind readers), then Okabe & Ito (2008),
# also colour-blind safe. The cluster bands (transfer.cluster_figures) draw in Okabe-Ito beside the
# tracks, so a field's first 16 values take none of their colours. None of them is the heatmap's
# missing-cell grey (#e9ecef, transfer.figures) or NONE_COLOUR. Value i of a field is PALETTE[i].
PALETTE = (
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255",
    "#aa4499", "#77aadd", "#ee8866", "#ffaabb", "#bbcc33", "#99ddff", "#ee3377", "#663333",
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000",
)
NONE_COLOUR = "#bdbdbd"  # lighter than the palette's darks, darker than the missing-cell grey
assert len(PALETTE) == MAX_VALUES

_FORMAT = "annotations/1"  # part of the content address: a change of the stored form changes ids


class AnnotationError(MatrixError):
    """An annotations file (or DataFrame) that cannot be accepted; the message says why, for a person."""


class AnnotationsTooLarge(TooLarge, AnnotationError):
    """An annotations file over the size limit (HTTP 413, like a matrix file)."""


@dataclass(frozen=True)
class Annotations:
    """Fields (in file order), tasks (in file order) and per task one value per field (None: blank).

    Built by `parse_annotations`, `annotations_from_frame` or `from_json_dict`, which check the
    content; the constructor checks only that the table matches the fields and tasks.
    """

    fields: tuple[str, ...]
    tasks: tuple[str, ...]
    table: dict[str, tuple[str | None, ...]]

    def __post_init__(self):
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "tasks", tuple(self.tasks))
        table = {task: tuple(self.table[task]) for task in self.tasks} if set(self.table) == set(self.tasks) else None
        if table is None or len(table) != len(self.tasks):
            raise AnnotationError("the annotations table must have exactly one entry per task")
        if len(set(self.fields)) != len(self.fields):
            raise AnnotationError("the annotations' field names must be distinct")
        if any(len(values) != len(self.fields) for values in table.values()):
            raise AnnotationError("every task needs one value (or None) per field")
        object.__setattr__(self, "table", table)
        column = {name: k for k, name in enumerate(self.fields)}
        distinct = {
            name: tuple(dict.fromkeys(v[k] for v in table.values() if v[k] is not None)) for name, k in column.items()
        }
        object.__setattr__(self, "_column", column)
        object.__setattr__(self, "_values", distinct)
        object.__setattr__(self, "_index", {name: {v: i for i, v in enumerate(vs)} for name, vs in distinct.items()})

    def __hash__(self) -> int:
        return hash(self.content_id())

    def values(self, field: str) -> tuple[str, ...]:
        """The field's distinct values in order of first appearance (KeyError for an unknown field)."""
        return self._values[field]

    def value(self, task: str, field: str) -> str | None:
        """The task's value of the field; None when the task is not annotated or its value is blank."""
        values = self.table.get(task)
        return None if values is None else values[self._column[field]]

    def of(self, task: str) -> dict[str, str | None]:
        """Field -> value for every field (all None for a task the file does not name)."""
        values = self.table.get(task, (None,) * len(self.fields))
        return dict(zip(self.fields, values))

    def colour(self, field: str, value: str | None) -> str:
        """The value's palette colour (its index in `values(field)`); NONE_COLOUR for None,
        NONE_LABEL or a value the field does not have. KeyError for an unknown field."""
        index = self._index[field].get(value) if value is not None else None
        return NONE_COLOUR if index is None else PALETTE[index % len(PALETTE)]  # (files have at most 24)

    def colours(self, field: str) -> dict[str, str]:
        """Value -> colour for every value of the field, and NONE_LABEL -> NONE_COLOUR (a legend)."""
        return {**{v: self.colour(field, v) for v in self.values(field)}, NONE_LABEL: NONE_COLOUR}

    def has_field(self, field: str) -> bool:
        return field in self._column

    # --- the stored form ----------------------------------------------------------------------

    def to_json_dict(self) -> dict:
        """{"fields": [...], "tasks": {task: {field: value or null}}}: the stored form, readable by
        `from_json_dict` and by `parse_annotations` as a JSON file (key order is file order)."""
        return {
            "fields": list(self.fields),
            "tasks": {task: dict(zip(self.fields, values)) for task, values in self.table.items()},
        }

    @classmethod
    def from_json_dict(cls, document: Mapping) -> "Annotations":
        """The stored form back (checked as a JSON file is: AnnotationError for a bad one)."""
        return _read_json_document(document, DEFAULT_LIMITS)

    def content_id(self) -> str:
        """128-bit content address (32 hex digits) of fields, tasks and values, in their order (the
        order decides the colours): the same content, the same id."""
        cached = self.__dict__.get("_content_id")
        if cached is None:
            canonical = {
                "format": _FORMAT,
                "fields": list(self.fields),
                "tasks": [[task, *values] for task, values in self.table.items()],
            }
            text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            cached = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
            object.__setattr__(self, "_content_id", cached)
        return cached

    # --- against a matrix ---------------------------------------------------------------------

    def coverage_notices(self, rows: Iterable[str], cols: Iterable[str]) -> list[str]:
        """What does not match a matrix's labels: the file's labels that are in neither axis, and
        the matrix's tasks the file does not annotate (up to 5 named, then a count); [] when
        every label matches."""
        labels = list(dict.fromkeys([*rows, *cols]))
        present = set(labels)
        extra = [task for task in self.tasks if task not in present]
        missing = [label for label in labels if label not in self.table]
        notices = []
        if extra:
            notices.append(
                f"{_count(len(extra), 'label')} in the annotations {'is' if len(extra) == 1 else 'are'} not in the "
                f"matrix: {_named(extra)}"
            )
        if missing:
            notices.append(
                f"{_count(len(missing), 'task')} of the matrix {'has' if len(missing) == 1 else 'have'} no "
                f"annotation (shown as '{NONE_LABEL}'): {_named(missing)}"
            )
        return notices


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _named(labels: list[str], limit: int = 5) -> str:
    named = ", ".join(f"'{_shorten(label)}'" for label in labels[:limit])
    return named if len(labels) <= limit else f"{named} and {len(labels) - limit:,} more"


# --- reading -----------------------------------------------------------------------------------


def parse_annotations(
    data: bytes,
    filename: str | None = None,
    content_type: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Annotations:
    """Bytes of an annotations file (CSV, TSV or JSON) -> Annotations, or AnnotationError
    (AnnotationsTooLarge over the size limit). `filename` and `content_type` are hints for the
    format; the content decides when they are absent."""
    try:
        check_size(len(data), limits)
    except TooLarge as err:
        raise AnnotationsTooLarge(str(err)) from None
    data = bytes(data)
    if _is_zip(data):
        raise AnnotationError(
            f"the file is not text: it looks like a ZIP archive or an Excel workbook; save the sheet as CSV "
            f"(annotations are read from {ACCEPTED})"
        )
    try:
        text = decode_text(data)
    except MatrixError as err:
        known = _binary_kind(data)
        message = str(err) if known is None else str(known).split("; ")[0] + f"; expected {ACCEPTED}"
        raise AnnotationError(message) from None
    if not text.strip():
        raise AnnotationError(
            "the file is empty; expected a header row (the task column, then field names such as task_type) and "
            "one row per task"
        )
    if detect_format(text, filename, content_type) == "json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            raise AnnotationError(f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
        except RecursionError:
            raise AnnotationError("not valid JSON: nested too deeply") from None
        return _read_json_document(document, limits)
    return _read_delimited(text, limits)


def annotations_from_frame(frame, *, limits: Limits = DEFAULT_LIMITS) -> Annotations:
    """A pandas DataFrame: the task labels in its index when the index is named or holds labels
    (`set_index("task")`, `read_csv(..., index_col=0)`), else (a default 0, 1, 2, ... index) in its
    first column; the other columns are fields. Read through the same checks as files."""
    import pandas as pd

    if frame.index.nlevels == 1 and (frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex)):
        frame = frame.rename_axis(frame.index.name or "task").reset_index()
    text = frame.to_csv(index=False)
    return parse_annotations(text.encode("utf-8"), filename="frame.csv", limits=limits)


# --- CSV / TSV ---------------------------------------------------------------------------------


def _read_delimited(text: str, limits: Limits) -> Annotations:
    """Header row (task column, then field names), one row per task; leading '#' lines are comments."""
    delimiter = sniff_delimiter(text)
    records = _records(csv.reader(io.StringIO(text), delimiter=delimiter))
    builder = None
    try:
        for line, record in records:
            if builder is None:
                if record[0].lstrip().startswith("#"):
                    continue
                builder = _Builder([_unguard(cell.strip()) for cell in record[1:]], limits, header_line=line)
                width = len(record)
                continue
            first = _shorten(record[0].strip())
            if len(record) != width:
                raise AnnotationError(
                    f"line {line} (task '{first}'): {len(record)} fields, expected {width} like the header "
                    "(ragged rows)"
                )
            builder.add(
                record[0],
                record[1:],
                f"line {line}",
                lambda k, line=line: f"line {line}, column {k + 2}",
                f"line {line}, column 1",
            )
    except AnnotationError:
        raise
    except MatrixError as err:  # malformed CSV (an unclosed quote)
        raise AnnotationError(str(err)) from None
    if builder is None:
        raise AnnotationError("the file has only comment lines; expected a header row and one row per task")
    return builder.build()


class _Builder:
    """Checks fields, tasks and values as they arrive; `where` strings name each place for messages."""

    def __init__(self, fields: list[str], limits: Limits, header_line: int | None = None):
        short = (lambda k: f"column {k + 2}") if header_line else (lambda k: f"field {k + 1}")
        at = (lambda k: f"line {header_line}, column {k + 2} of the header") if header_line else short
        if not fields:
            raise AnnotationError(
                f"{'line ' + str(header_line) + ': ' if header_line else ''}no field columns; expected the task "
                "column, then one column per field (for example task,task_type,domain)"
            )
        if len(fields) > MAX_FIELDS:
            raise AnnotationError(
                f"{'line ' + str(header_line) + ': ' if header_line else ''}{len(fields)} fields; at most "
                f"{MAX_FIELDS} are allowed (MAX_FIELDS): keep the fields you want to group, filter or colour by"
            )
        seen: dict[str, int] = {}
        for k, name in enumerate(fields):
            if not name:
                raise AnnotationError(f"{at(k)}: empty field name; every field column needs a name")
            if len(name) > MAX_LABEL_LENGTH:
                raise AnnotationError(
                    f"{at(k)}: field name '{_shorten(name)}' is {len(name)} characters long; at most "
                    f"{MAX_LABEL_LENGTH} allowed"
                )
            bad = next((c for c in FIELD_FORBIDDEN if c in name), None)
            if bad is not None:
                raise AnnotationError(
                    f"{at(k)}: field name '{_shorten(name)}' contains '{bad}'; field names cannot contain "
                    f"{' or '.join(repr(c) for c in FIELD_FORBIDDEN)} (links use them to separate fields and values)"
                )
            if name.lower() in RESERVED_FIELDS:
                raise AnnotationError(f"{at(k)}: '{name}' cannot be a field name (links use it for 'no tracks')")
            if name in seen:
                raise AnnotationError(
                    f"{at(k)}: field '{_shorten(name)}' appears twice (also {short(seen[name])}); every field needs "
                    "its own name"
                )
            seen[name] = k
        self.fields = fields
        self.limits = limits
        self.max_tasks = limits.max_cells // 2
        self.table: dict[str, tuple[str | None, ...]] = {}
        self.where: dict[str, str] = {}
        self.distinct: list[dict[str, str]] = [{} for _ in fields]  # value -> where it first appears

    def add(self, raw_label: Any, raw_values: list, where: str, cell_at, label_at: str | None = None) -> None:
        label = _unguard(raw_label.strip()) if isinstance(raw_label, str) else raw_label
        if not isinstance(label, str):
            raise AnnotationError(f"{where}: the task label must be text, got {_shorten(json.dumps(label))}")
        if not label:
            raise AnnotationError(f"{label_at or where}: empty task label; every annotated task needs a name")
        if len(label) > MAX_LABEL_LENGTH:
            raise AnnotationError(
                f"{label_at or where}: task label '{_shorten(label)}' is {len(label)} characters long; at most "
                f"{MAX_LABEL_LENGTH} allowed"
            )
        if label in self.table:
            raise AnnotationError(
                f"{where}: task '{_shorten(label)}' is annotated twice ({self.where[label]} and {where}); give each "
                "task one row"
            )
        if len(self.table) >= self.max_tasks:
            raise AnnotationsTooLarge(
                f"more than {self.max_tasks:,} tasks; a matrix within the cell limit has at most that many labels"
            )
        values = tuple(self._value(raw, k, label, cell_at) for k, raw in enumerate(raw_values))
        self.table[label] = values
        self.where[label] = where

    def _value(self, raw: Any, k: int, label: str, cell_at) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, bool):
            raw = "true" if raw else "false"
        elif isinstance(raw, (int, float)):
            raw = json.dumps(raw)
        elif not isinstance(raw, str):
            raise AnnotationError(
                f"{cell_at(k)} (task '{_shorten(label)}', field '{_shorten(self.fields[k])}'): "
                f"{_shorten(json.dumps(raw))} is not a value; expected text, a number, true/false or null"
            )
        value = " ".join(_unguard(raw.strip()).split())
        if value.lower() in MISSING_TOKENS or value == NONE_LABEL:
            return None
        field = self.fields[k]
        if len(value) > MAX_LABEL_LENGTH:
            raise AnnotationError(
                f"{cell_at(k)} (task '{_shorten(label)}', field '{_shorten(field)}'): the value is {len(value)} "
                f"characters long; at most {MAX_LABEL_LENGTH} allowed"
            )
        bad = next((c for c in VALUE_FORBIDDEN if c in value), None)
        if bad is not None:
            raise AnnotationError(
                f"{cell_at(k)} (task '{_shorten(label)}', field '{_shorten(field)}'): the value '{_shorten(value)}' "
                f"contains '{bad}'; values cannot contain it (links use it to separate values)"
            )
        distinct = self.distinct[k]
        if value not in distinct:
            distinct[value] = cell_at(k)
        return value

    def build(self) -> Annotations:
        if not self.table:
            raise AnnotationError("the file has a header but no task rows; expected one row per task")
        for field, distinct in zip(self.fields, self.distinct):
            if len(distinct) > MAX_VALUES:
                value, where = list(distinct.items())[MAX_VALUES]
                raise AnnotationError(
                    f"field '{_shorten(field)}' has {len(distinct):,} distinct values; at most {MAX_VALUES} "
                    f"(MAX_VALUES) can be told apart by colour (value {MAX_VALUES + 1}, '{_shorten(value)}', is at "
                    f"{where}): merge values, or leave the field out"
                )
        return Annotations(tuple(self.fields), tuple(self.table), self.table)


# --- JSON --------------------------------------------------------------------------------------

_JSON_SHAPES = (
    'expected {"tasks": {"<task>": {"<field>": "<value>", ...}, ...}}, a list of {"task": "<task>", '
    '"<field>": "<value>", ...} objects, or {"<task>": {"<field>": "<value>"}, ...}'
)


def _read_json_document(document: Any, limits: Limits) -> Annotations:
    """The JSON forms: {"fields"?: [...], "tasks": {task: {field: value}} or [records]}, a bare
    {task: {field: value}} object (pandas `set_index("task").to_json(orient="index")`), or a list of
    {"task": ..., field: value} records (pandas `to_json(orient="records")`)."""
    fields = None
    if isinstance(document, dict) and "tasks" in document and not isinstance(document.get("tasks"), (str, type(None))):
        fields = document.get("fields")
        tasks = document["tasks"]
        if fields is not None and (not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)):
            raise AnnotationError("'fields' must be a list of field names (text)")
    else:
        tasks = document
    if isinstance(tasks, list):
        return _json_records(tasks, fields, limits)
    if isinstance(tasks, dict) and tasks and all(isinstance(entry, dict) for entry in tasks.values()):
        return _json_mapping(tasks, fields, limits)
    if isinstance(tasks, dict) and tasks:
        label, entry = next((k, v) for k, v in tasks.items() if not isinstance(v, dict))
        raise AnnotationError(
            f"JSON task '{_shorten(label)}': {_shorten(json.dumps(entry))} is not an object of field values; "
            + _JSON_SHAPES
        )
    if isinstance(tasks, (dict, list)):
        raise AnnotationError("the JSON names no task; " + _JSON_SHAPES)
    raise AnnotationError("the JSON is not an annotations document; " + _JSON_SHAPES)


def _field_order(entries: Iterable[dict], fields: list[str] | None, skip: str | None = None) -> list[str]:
    if fields is not None:
        return [f.strip() for f in fields]
    return [
        key.strip() if isinstance(key, str) else key
        for key in dict.fromkeys(key for entry in entries for key in entry if key != skip)
    ]


def _check_keys(entry: dict, known: set, where: str, skip: str | None = None) -> None:
    unknown = [key for key in entry if key != skip and key.strip() not in known]
    if unknown:
        raise AnnotationError(f"{where}: field '{_shorten(unknown[0])}' is not in 'fields'; list it there")


def _json_mapping(tasks: dict, fields: list[str] | None, limits: Limits) -> Annotations:
    builder = _Builder(_field_order(tasks.values(), fields), limits)
    known = set(builder.fields)
    for label, entry in tasks.items():
        where = f"JSON task '{_shorten(label)}'"
        if fields is not None:
            _check_keys(entry, known, where)
        stripped = {key.strip(): value for key, value in entry.items()}
        builder.add(
            label,
            [stripped.get(name) for name in builder.fields],
            where,
            lambda k, where=where: f"{where}, field '{_shorten(builder.fields[k])}'",
        )
    return builder.build()


def _json_records(records: list, fields: list[str] | None, limits: Limits) -> Annotations:
    if not records:
        raise AnnotationError("the JSON names no task; " + _JSON_SHAPES)
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise AnnotationError(
                f"JSON record {position}: {_shorten(json.dumps(record))} is not an object; " + _JSON_SHAPES
            )
    keys = [key for key in records[0] if isinstance(key, str) and key.strip().lower() == "task"]
    if not keys:
        raise AnnotationError(
            f'JSON record 1 has no "task" key (it has {", ".join(repr(k) for k in records[0]) or "none"}); '
            'every record names its task under "task"'
        )
    task_key = keys[0]
    builder = _Builder(_field_order(records, fields, skip=task_key), limits)
    known = set(builder.fields)
    for position, record in enumerate(records, start=1):
        where = f"JSON record {position}"
        if task_key not in record:
            raise AnnotationError(f'{where} has no "{task_key}" key; every record names its task')
        if fields is not None:
            _check_keys(record, known, where, skip=task_key)
        stripped = {key.strip(): value for key, value in record.items() if key != task_key}
        builder.add(
            record[task_key],
            [stripped.get(name) for name in builder.fields],
            where,
            lambda k, where=where: f"{where}, field '{_shorten(builder.fields[k])}'",
        )
    return builder.build()


def describe_limits(limits: Limits = DEFAULT_LIMITS) -> str:
    """The limits in words (for the drop zone and errors)."""
    return f"up to {format_size(limits.max_bytes)}, {MAX_FIELDS} fields and {MAX_VALUES} distinct values per field"
