"""The view state and its query-string codec: the URL is the single source of view state.

`parse_query` turns any query string into a `ViewState` plus notices for whatever it ignored;
`resolve` checks the state against the matrix it shows (labels exist, numbers in range);
`to_query` writes the canonical form: fixed key order, defaults dropped, numbers normalised.
Each later control is one more field here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

import numpy as np

from . import palettes
from .matrix import MAX_LABEL_LENGTH, TransferMatrix

MAX_QUERY_LENGTH = 4000
MAX_QUERY_FIELDS = 64

ORDERS = ("data", "cluster", "group")
METHODS = ("average", "complete", "single", "weighted", "ward")
DISTANCES = ("euclidean", "correlation", "cosine", "cityblock")  # between task profiles, for clustering
PROFILES = ("both", "rows", "cols")
NORMS = ("none", "diag", "zrow", "zcol")
SORTS = ("data", "value")
TABS = ("heatmap", "dendrogram", "multiples", "table")
CI_LEVELS = (90, 95, 99)  # percent, the t-intervals of cells with replicates
SIG_LEVELS = (0.1, 0.05, 0.01, 0.001)  # q-value levels of "significant only" (transfer.uncertainty)
UNCERTAINTY_DISPLAYS = ("vsup", "none")  # a value-suppressing palette, or plain colours


def format_number(value: float) -> str:
    """Numbers as the URL writes them: up to 6 decimals, trailing zeros dropped, no '-0'.

    The browser side (assets/tmx.js, `tmx.formatNumber`) writes the same text.
    """
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def notice_number(value: float) -> str:
    """A number as a notice shows it: as `format_number` writes it, except for magnitudes that
    would take more than a dozen digits (or round to 0), which read like '1e+308' or '1e-09'."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) < 10**12:
            return str(value)
        try:
            digits = str(abs(value))
        except ValueError:  # beyond Python's int-to-text limit (thousands of digits)
            return "a number too large to show"
        mantissa = f"{digits[0]}.{digits[1:6]}".rstrip("0").rstrip(".")
        return f"{'-' if value < 0 else ''}{mantissa}e+{len(digits) - 1}"
    if value != 0 and math.isfinite(value) and not 1e-6 <= abs(value) < 1e12:
        return f"{value:.6g}"
    return format_number(value)


def echo(text: str, limit: int = 40) -> str:
    """User text as a notice quotes it: at most `limit` characters, cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"'{echo(text)}' is not one of {', '.join(options)}")
        return text

    return parse


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"'{echo(text)}' is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"'{echo(text)}' is not a finite number")
    return float(format_number(value))


def _whole(text: str) -> int:
    """A whole number as a link writes it: ASCII digits with an optional minus (not '²', '+3',
    '3.0' or '1e3'). Any size: `resolve` clamps what is too large for the matrix shown."""
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"'{echo(text)}' is not a whole number")
    # parse_query reads at most MAX_QUERY_LENGTH characters: far below Python's int-to-text limit
    return int(text)


def _cut_count(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise ValueError(f"{notice_number(value)} is less than 1; the tree is shown uncut")
    return value


def _cluster_number(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise ValueError(f"{notice_number(value)} is less than 1; clusters are numbered from 1")
    return value


def _label(text: str) -> str:
    if not text.strip():
        raise ValueError("empty label")
    if len(text) > MAX_LABEL_LENGTH:
        raise ValueError(f"label longer than {MAX_LABEL_LENGTH} characters")
    return text


def _dataset_id(text: str) -> str:
    if not text or len(text) > 100 or not all(c.isalnum() or c in "-_." for c in text):
        raise ValueError(f"'{echo(text)}' is not a dataset id")
    return text


def _ci_level(text: str) -> int:
    if text not in tuple(map(str, CI_LEVELS)):
        raise ValueError(f"'{echo(text)}' is not one of {', '.join(map(str, CI_LEVELS))} (percent)")
    return int(text)


def _sig_level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value not in SIG_LEVELS:
        raise ValueError(f"'{echo(text)}' is not one of {', '.join(map(format_number, SIG_LEVELS))}")
    return value


MAX_FILTER_LENGTH = 100
MAX_TRACKS = 3
NO_TRACKS = "none"  # `track=none`: no annotation tracks (without `track`, the first field is drawn)


def _annotations_id(text: str) -> str:
    if len(text) != 32 or not all(c in "0123456789abcdef" for c in text):
        raise ValueError(f"'{echo(text)}' is not an annotations id (32 hexadecimal digits)")
    return text


def _field_name(text: str) -> str:
    if not text.strip() or len(text) > MAX_LABEL_LENGTH:
        raise ValueError(f"'{echo(text)}' is not a field name")
    return text


def _filter_text(text: str) -> str:
    if not text.strip():
        raise ValueError("empty text")
    if len(text) > MAX_FILTER_LENGTH:
        raise ValueError(f"the text is {len(text)} characters long; at most {MAX_FILTER_LENGTH} allowed")
    return text


def _where(text: str) -> tuple[str, tuple[str, ...]]:
    """`field:value|value`: the first ':' ends the field's name; values are separated by '|'."""
    name, colon, values = text.partition(":")
    if not colon or not values:
        raise ValueError(f"'{echo(text)}' is not field:value (several values separated by |)")
    kept = tuple(dict.fromkeys(v for v in values.split("|") if v))
    if not kept:
        raise ValueError(f"'{echo(text)}' names no value")
    return _field_name(name), kept


def _encode_where(where: tuple[str, tuple[str, ...]]) -> str:
    return f"{where[0]}:{'|'.join(where[1])}"


def _tracks(text: str) -> tuple[str, ...]:
    if text == NO_TRACKS:
        return ()
    names = tuple(dict.fromkeys(_field_name(name) for name in text.split(",")))
    if len(names) > MAX_TRACKS:
        raise ValueError(f"{len(names)} fields; at most {MAX_TRACKS} tracks are drawn")
    return names


def _encode_tracks(tracks: tuple[str, ...]) -> str:
    return ",".join(tracks) if tracks else NO_TRACKS


# The table view (`tab=table`, transfer/table.py): a window of this many rows and columns a page.
TABLE_PAGE_ROWS = 50
TABLE_PAGE_COLS = 20
TABLE_SORT_DIRECTIONS = ("asc", "desc")


def _table_sort(text: str) -> tuple[str, str | None]:
    """`asc` or `desc` (by the row label), or `asc:label` / `desc:label` (by that test dataset's
    values): the first ':' ends the direction."""
    direction, colon, label = text.partition(":")
    if direction not in TABLE_SORT_DIRECTIONS:
        raise ValueError(f"'{echo(text)}' is not asc or desc, optionally followed by ':' and a test dataset")
    return direction, _label(label) if colon else None


def _encode_table_sort(sort: tuple[str, str | None]) -> str:
    direction, column = sort
    return direction if column is None else f"{direction}:{column}"


def _page_number(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise ValueError(f"{notice_number(value)} is less than 1; pages are numbered from 1")
    return value


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"'{echo(text)}' is not 0 or 1")
    return text == "1"


def _codec(parse: Callable[[str], Any], encode: Callable[[Any], str] = str) -> dict:
    return {"parse": parse, "encode": encode}


@dataclass(frozen=True)
class ViewState:
    """Everything a link says about a view. Field order is the canonical query order."""

    dataset: str | None = field(default=None, metadata=_codec(_dataset_id))
    compare: str | None = field(default=None, metadata=_codec(_dataset_id))
    ann: str | None = field(default=None, metadata=_codec(_annotations_id))
    norm: str = field(default="none", metadata=_codec(_choice(NORMS)))
    filter: str | None = field(default=None, metadata=_codec(_filter_text))
    where: tuple[str, tuple[str, ...]] | None = field(default=None, metadata=_codec(_where, _encode_where))
    collapse: str | None = field(default=None, metadata=_codec(_field_name))
    order: str = field(default="data", metadata=_codec(_choice(ORDERS)))
    group: str | None = field(default=None, metadata=_codec(_field_name))
    method: str = field(default="average", metadata=_codec(_choice(METHODS)))
    distance: str = field(default="euclidean", metadata=_codec(_choice(DISTANCES)))
    profile: str = field(default="both", metadata=_codec(_choice(PROFILES)))
    k: int | None = field(default=None, metadata=_codec(_cut_count))
    cluster: int | None = field(default=None, metadata=_codec(_cluster_number))
    row: str | None = field(default=None, metadata=_codec(_label))
    col: str | None = field(default=None, metadata=_codec(_label))
    sort: str = field(default="data", metadata=_codec(_choice(SORTS)))
    pos: float | None = field(default=None, metadata=_codec(_number, format_number))
    neg: float | None = field(default=None, metadata=_codec(_number, format_number))
    diag: bool = field(default=True, metadata=_codec(_flag, lambda v: "1" if v else "0"))
    ci: int = field(default=95, metadata=_codec(_ci_level))
    sig: float | None = field(default=None, metadata=_codec(_sig_level, format_number))
    marks: bool = field(default=True, metadata=_codec(_flag, lambda v: "1" if v else "0"))
    unc: str = field(default="vsup", metadata=_codec(_choice(UNCERTAINTY_DISPLAYS)))
    # the colour palette (transfer.palettes); None: the default of the matrix's kind of scale
    palette: str | None = field(default=None, metadata=_codec(_choice(palettes.NAMES)))
    track: tuple[str, ...] | None = field(default=None, metadata=_codec(_tracks, _encode_tracks))
    tab: str = field(default="heatmap", metadata=_codec(_choice(TABS)))
    # the table view's sort (None: the heatmap's order) and pages of rows and of columns
    tsort: tuple[str, str | None] | None = field(default=None, metadata=_codec(_table_sort, _encode_table_sort))
    trpage: int = field(default=1, metadata=_codec(_page_number))
    tcpage: int = field(default=1, metadata=_codec(_page_number))

    def to_query(self) -> str:
        """Canonical query string (no leading '?'); the dataset is always written."""
        pairs = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (value == f.default and f.name != "dataset"):
                continue
            pairs.append((f.name, f.metadata["encode"](value)))
        return urlencode(pairs)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELD_NAMES = tuple(f.name for f in fields(ViewState))
_FIELDS = {f.name: f for f in fields(ViewState)}
# Keys that links written before a field was renamed carry: read as the field (without a notice)
# unless the link also carries the field's own key, and never written (`to_query` writes the
# field's name). `metric` was the clustering distance's key; `metric` elsewhere is the score.
ALIASES = {"metric": "distance"}


def parse_query(query: str | None) -> tuple[ViewState, list[str]]:
    """Any query string -> (state, notices). Never raises: bad parts fall back to defaults."""
    query = (query if isinstance(query, str) else "").lstrip("?")  # a client may send any JSON
    notices: list[str] = []
    if len(query) > MAX_QUERY_LENGTH:
        return (ViewState(),
            [f"The link's query is {len(query)} characters long (limit {MAX_QUERY_LENGTH}); showing the default view."])
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return ViewState(), [f"The link has more than {MAX_QUERY_FIELDS} parameters; showing the default view."]
    values: dict[str, Any] = {}
    given = {key for key, _ in pairs}
    for key, text in pairs:
        name = ALIASES.get(key, key)
        spec = _FIELDS.get(name)
        if spec is None:
            notices.append(f"Ignored unknown parameter '{echo(key)}'.")
            continue
        if name != key and name in given:
            continue  # the field's own key wins over an old one
        try:
            values[name] = spec.metadata["parse"](text)
        except ValueError as err:
            notices.append(f"Ignored {key}: {err}.")
    return ViewState(**values), notices


# A number as a person types it, whatever the locale of their browser: ASCII digits, an optional
# sign, one decimal mark, an optional exponent. Not '1_000', '١٢' or ' 1 2' (Python's float takes
# the first two).
_TYPED_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def parse_typed_number(text: Any) -> float:
    """A number typed into a text box: '0.5', '.5', '-1e-3', and '0,5' (one comma and no point is
    read as a decimal comma). ValueError, with a message for the person, for anything else."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):  # a number box's value
        text = repr(text)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("type a number")
    cleaned = text.strip().replace("\u2212", "-")  # a typographic minus, as pasted from a paper
    if "," in cleaned:
        if cleaned.count(",") > 1 or "." in cleaned:
            raise ValueError(
                f"'{echo(text)}' is not a number: write it without thousands separators, with one decimal point"
            )
        cleaned = cleaned.replace(",", ".")
    if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueError(f"'{echo(text)}' is not a finite number")
    if not _TYPED_NUMBER.fullmatch(cleaned):
        raise ValueError(f"'{echo(text)}' is not a number")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(f"'{echo(text)}' is too large a number")
    return value


def value_span(matrix: TransferMatrix) -> tuple[float, float]:
    """The values a matrix can be said to cover: its colour range and every measured value."""
    low, high = matrix.value_range()
    finite = matrix.values[np.isfinite(matrix.values)]
    if finite.size:
        low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return low, high


def parse_neutral(text: Any, matrix: TransferMatrix) -> float:
    """The neutral value typed for `matrix` (see `parse_typed_number`); ValueError when it is not
    a number or lies outside the matrix's values (`value_span`): almost always a typo."""
    value = parse_typed_number(text)
    low, high = value_span(matrix)
    if not low <= value <= high:
        raise ValueError(f"{notice_number(value)} is outside this matrix's values "
                         f"({notice_number(low)} to {notice_number(high)}); the neutral value must lie within them")
    return value


def state_from_values(values: dict[str, Any]) -> tuple[ViewState, list[str]]:
    """A state from control values (already typed, possibly None); invalid ones are dropped."""
    query = {}
    for name, value in values.items():
        if name not in _FIELDS or value is None or value == "":
            continue
        spec = _FIELDS[name]
        if isinstance(value, tuple):  # a state's own value (`as_dict`); JSON never decodes to a tuple
            value = spec.metadata["encode"](value)
        if not isinstance(value, (str, int, float)):  # bool is an int
            continue  # controls hand over text or numbers (lists are joined by their binding): a forged request
        query[name] = spec.metadata["encode"](value) if not isinstance(value, str) else value
    return parse_query(urlencode(query))


def resolve(
    state: ViewState, matrix: TransferMatrix, known_dataset: Callable[[str], bool] = lambda _: True,
) -> tuple[ViewState, list[str]]:
    """Check the state against the matrix it shows; returns the nearest valid state and notices."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    if state.compare is not None and (state.compare == state.dataset or not known_dataset(state.compare)):
        changes["compare"] = None
        notices.append(f"Ignored compare: '{echo(state.compare)}' is not another known dataset.")
    if state.method == "ward" and state.distance != "euclidean":
        changes["method"] = "average"
        notices.append("Ward linkage works only with the Euclidean distance; using average linkage.")
    if state.profile != "both" and not matrix.is_square_tasks:
        changes["profile"] = "both"
        notices.append(
            f"Ignored profile={state.profile}: train and test datasets differ, so rows are clustered by their rows and "
            "columns by their columns."
        )
    return replace(state, **changes), notices


def resolve_shown(state: ViewState, shown: TransferMatrix, stored: TransferMatrix) -> tuple[ViewState, list[str]]:
    """row and col name a displayed row and column (a filter or a collapse may hide a stored
    one); k and cluster fit the displayed matrix's trees."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    for axis, labels in (("row", shown.rows), ("col", shown.cols)):
        label = getattr(state, axis)
        if label is not None and label not in labels:
            changes[axis] = None
            notices.append(f"Ignored {axis}: '{echo(label, 60)}' {_not_shown(state, axis, label, stored)}.")
    # k and cluster: any whole number >= 1 parses (smaller ones are ignored there); a k larger
    # than the tree is clamped to its leaves, whatever its size; a cluster the cut does not
    # have is ignored.
    n_leaves = max(shown.shape)
    if state.k is not None and state.k > n_leaves:
        changes["k"] = n_leaves
        leaves = "groups" if state.collapse is not None else "tasks"
        notices.append(f"k={notice_number(state.k)} is more than the {n_leaves} {leaves}; using k={n_leaves}.")
    k = changes.get("k", state.k)
    if state.cluster is not None and (k is None or k < 2):
        changes["cluster"] = None
        notices.append(f"Ignored cluster={notice_number(state.cluster)}: the tree is not cut into clusters (k is 1).")
    elif state.cluster is not None and state.cluster > k:
        changes["cluster"] = None
        notices.append(f"Ignored cluster={notice_number(state.cluster)}: there are only {k} clusters at this cut.")
    return replace(state, **changes), notices


def _not_shown(state: ViewState, axis: str, label: str, stored: TransferMatrix) -> str:
    """Why a label the link names is not among the displayed matrix's (`axis` 'row' or 'col')."""
    if state.collapse is not None:
        return f"is not a {state.collapse} of the collapsed matrix"
    if label in stored.labels(axis):
        return "is not shown: the filter leaves it out"
    return f"is not a {'train' if axis == 'row' else 'test'} dataset of this matrix"


def resolve_table(state: ViewState, shown: TransferMatrix, stored: TransferMatrix) -> tuple[ViewState, list[str]]:
    """The table's sort names a displayed test dataset (else it is dropped), and its pages lie
    within the displayed matrix (a page past the end is the last page)."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    column = state.tsort[1] if state.tsort is not None else None
    if column is not None and column not in shown.cols:
        changes["tsort"] = None
        notices.append(f"Ignored tsort: '{echo(column, 60)}' {_not_shown(state, 'col', column, stored)}.")
    for name, count, size, what in (("trpage", shown.shape[0], TABLE_PAGE_ROWS, "rows"),
                                    ("tcpage", shown.shape[1], TABLE_PAGE_COLS, "columns")):
        last = max(1, -(-count // size))
        if getattr(state, name) > last:
            changes[name] = last
            notices.append(f"{name}={notice_number(getattr(state, name))} is past the last page of {what} "
                           f"({last}); using {name}={last}.")
    return replace(state, **changes), notices


ANNOTATION_FIELDS = ("where", "collapse", "group", "track")


def resolve_annotations(state: ViewState, fields: tuple[str, ...] | None) -> tuple[ViewState, list[str]]:
    """where, collapse, group and track name fields of the view's annotations (`fields`, None
    when the view has none); order=group without a group sorts by the first field."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    if fields is None:
        given = [name for name in ANNOTATION_FIELDS if getattr(state, name) is not None]
        given += ["order=group"] if state.order == "group" else []
        if given:
            changes = {name: None for name in ANNOTATION_FIELDS} | ({"order": "data"} if state.order == "group" else {})
            notices.append(f"Ignored {', '.join(given)}: this matrix has no task annotations.")
        return replace(state, **changes), notices
    known = ", ".join(fields)

    def unknown(key: str, name: str) -> str:
        return f"Ignored {key}: '{echo(name)}' is not a field of the annotations ({echo(known, 120)})."

    if state.where is not None and state.where[0] not in fields:
        changes["where"] = None
        notices.append(unknown("where", state.where[0]))
    for key in ("collapse", "group"):
        if getattr(state, key) is not None and getattr(state, key) not in fields:
            changes[key] = None
            notices.append(unknown(key, getattr(state, key)))
    if state.track:
        kept = tuple(name for name in state.track if name in fields)
        for name in state.track:
            if name not in fields:
                notices.append(unknown("track", name))
        if kept != state.track:
            changes["track"] = kept if kept else None
    if changes.get("track", state.track) == fields[:1]:
        changes["track"] = None  # the default: the first field
    if state.order == "group" and changes.get("group", state.group) is None:
        changes["group"] = fields[0]
    return replace(state, **changes), notices


def resolve_thresholds(state: ViewState, displayed: TransferMatrix) -> tuple[ViewState, list[str]]:
    """pos and neg clamped to the displayed matrix's range (a comparison or normalisation has
    other units than the stored matrix), as the sliders and typed boxes of the page clamp them."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    # Bounds as the URL writes them (6 decimals): a value clamped to an unrounded bound would be
    # rounded past it in the link and clamped again, with a notice, every time the link opens.
    low, high, neutral = (float(format_number(v)) for v in (*displayed.value_range(), displayed.neutral))
    for name, lo, hi in (("pos", neutral, high), ("neg", low, neutral)):
        value = getattr(state, name)
        if value is not None and not lo <= value <= hi:
            clamped = min(max(value, lo), hi)
            changes[name] = clamped
            notices.append(
                f"{name}={notice_number(value)} is outside {notice_number(lo)}..{notice_number(hi)}; using "
                f"{notice_number(clamped)}."
            )
    return replace(state, **changes), notices


def resolve_uncertainty(state: ViewState, displayed: TransferMatrix) -> tuple[ViewState, list[str]]:
    """ci, sig, marks and unc apply to a displayed matrix with replicates only: elsewhere they are
    dropped from the link with a notice (a z-score normalisation, for one, has no interval)."""
    if displayed.spread is not None:
        if state.sig is not None and displayed.scale_kind == "sequential":
            return replace(state, sig=None), [
                "Ignored sig: this matrix has no neutral value, so its cells are not tested."]
        return state, []
    defaults = ViewState()
    given = [name for name in ("ci", "sig", "marks", "unc") if getattr(state, name) != getattr(defaults, name)]
    if not given:
        return state, []
    reason = "z-scores have no interval" if state.norm in ("zrow", "zcol") else "this matrix has no replicates"
    return (replace(state, **{name: getattr(defaults, name) for name in given}),
            [f"Ignored {', '.join(given)}: {reason}."])


def resolve_palette(state: ViewState, displayed: TransferMatrix) -> tuple[ViewState, list[str]]:
    """`palette` names a palette of the displayed matrix's kind of scale (diverging or
    sequential), else it is dropped with a notice; the kind's default is left out of the link."""
    if state.palette is None:
        return state, []
    kind = displayed.scale_kind
    if palettes.PALETTES[state.palette].kind != kind:
        return replace(state, palette=None), [
            f"Ignored palette={state.palette}: this matrix's colour scale is {kind} "
            f"({', '.join(palettes.names_of(kind))})."]
    return (replace(state, palette=None) if state.palette == palettes.DEFAULT[kind] else state), []
