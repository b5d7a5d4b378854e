"""The view state and its query-string codec: the URL is the single source of view state.

`parse_query` turns any query string into a `ViewState` plus notices for whatever it ignored;
`resolve` checks the state against the matrix it shows (labels exist, numbers in range);
`to_query` writes the canonical form: fixed key order, defaults dropped, numbers normalised.
Each later control is one more field here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode

from .matrix import MAX_LABEL_LENGTH, TransferMatrix

MAX_QUERY_LENGTH = 4000
MAX_QUERY_FIELDS = 64

ORDERS = ("data", "cluster")
METHODS = ("average", "complete", "single", "weighted", "ward")
METRICS = ("euclidean", "correlation", "cosine", "cityblock")
PROFILES = ("both", "rows", "cols")
NORMS = ("none", "diag", "zrow", "zcol")
SORTS = ("data", "value")
TABS = ("heatmap", "dendrogram", "multiples")
MAX_CLUSTERS = 2000


def format_number(value: float) -> str:
    """Numbers as the URL writes them: up to 6 decimals, trailing zeros dropped, no '-0'.

    The browser side (assets/tmx.js, `tmx.formatNumber`) writes the same text.
    """
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"'{text}' is not one of {', '.join(options)}")
        return text

    return parse


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is not a finite number")
    return float(format_number(value))


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):  # not '²' or other Unicode digits
        raise ValueError(f"'{text}' is not a whole number")
    value = int(text[:6])
    if not 1 <= value <= MAX_CLUSTERS:
        raise ValueError(f"{text} is outside 1..{MAX_CLUSTERS}")
    return value


def _label(text: str) -> str:
    if not text.strip():
        raise ValueError("empty label")
    if len(text) > MAX_LABEL_LENGTH:
        raise ValueError(f"label longer than {MAX_LABEL_LENGTH} characters")
    return text


def _dataset_id(text: str) -> str:
    if not text or len(text) > 100 or not all(c.isalnum() or c in "-_." for c in text):
        raise ValueError(f"'{text[:40]}' is not a dataset id")
    return text


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"'{text}' is not 0 or 1")
    return text == "1"


def _codec(parse: Callable[[str], Any], encode: Callable[[Any], str] = str) -> dict:
    return {"parse": parse, "encode": encode}


@dataclass(frozen=True)
class ViewState:
    """Everything a link says about a view. Field order is the canonical query order."""

    dataset: str | None = field(default=None, metadata=_codec(_dataset_id))
    compare: str | None = field(default=None, metadata=_codec(_dataset_id))
    norm: str = field(default="none", metadata=_codec(_choice(NORMS)))
    order: str = field(default="data", metadata=_codec(_choice(ORDERS)))
    method: str = field(default="average", metadata=_codec(_choice(METHODS)))
    metric: str = field(default="euclidean", metadata=_codec(_choice(METRICS)))
    profile: str = field(default="both", metadata=_codec(_choice(PROFILES)))
    k: int | None = field(default=None, metadata=_codec(_count))
    cluster: int | None = field(default=None, metadata=_codec(_count))
    row: str | None = field(default=None, metadata=_codec(_label))
    col: str | None = field(default=None, metadata=_codec(_label))
    sort: str = field(default="data", metadata=_codec(_choice(SORTS)))
    pos: float | None = field(default=None, metadata=_codec(_number, format_number))
    neg: float | None = field(default=None, metadata=_codec(_number, format_number))
    diag: bool = field(default=True, metadata=_codec(_flag, lambda v: "1" if v else "0"))
    tab: str = field(default="heatmap", metadata=_codec(_choice(TABS)))

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


def parse_query(query: str | None) -> tuple[ViewState, list[str]]:
    """Any query string -> (state, notices). Never raises: bad parts fall back to defaults."""
    query = (query if isinstance(query, str) else "").lstrip("?")  # a client may send any JSON
    notices: list[str] = []
    if len(query) > MAX_QUERY_LENGTH:
        return ViewState(), [f"The link's query is {len(query)} characters long (limit {MAX_QUERY_LENGTH}); showing the default view."]
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
    except ValueError:
        return ViewState(), [f"The link has more than {MAX_QUERY_FIELDS} parameters; showing the default view."]
    values: dict[str, Any] = {}
    for key, text in pairs:
        spec = _FIELDS.get(key)
        if spec is None:
            notices.append(f"Ignored unknown parameter '{key[:40]}'.")
            continue
        try:
            values[key] = spec.metadata["parse"](text)
        except ValueError as err:
            notices.append(f"Ignored {key}: {err}.")
    return ViewState(**values), notices


def state_from_values(values: dict[str, Any]) -> tuple[ViewState, list[str]]:
    """A state from control values (already typed, possibly None); invalid ones are dropped."""
    query = {}
    for name, value in values.items():
        if name not in _FIELDS or value is None or value == "":
            continue
        if not isinstance(value, (str, int, float)):  # bool is an int
            continue  # no control of the page holds a list or an object: a forged request
        spec = _FIELDS[name]
        query[name] = spec.metadata["encode"](value) if not isinstance(value, str) else value
    return parse_query(urlencode(query))


def resolve(state: ViewState, matrix: TransferMatrix, known_dataset: Callable[[str], bool] = lambda _: True) -> tuple[ViewState, list[str]]:
    """Check the state against the matrix it shows; returns the nearest valid state and notices."""
    notices: list[str] = []
    changes: dict[str, Any] = {}
    for axis, labels in (("row", matrix.rows), ("col", matrix.cols)):
        label = getattr(state, axis)
        if label is not None and label not in labels:
            changes[axis] = None
            kind = "train" if axis == "row" else "test"
            notices.append(f"Ignored {axis}: '{label[:60]}' is not a {kind} dataset of this matrix.")
    if state.compare is not None and (state.compare == state.dataset or not known_dataset(state.compare)):
        changes["compare"] = None
        notices.append(f"Ignored compare: '{state.compare}' is not another known dataset.")
    if state.method == "ward" and state.metric != "euclidean":
        changes["method"] = "average"
        notices.append(f"Ward linkage needs the euclidean metric, not {state.metric}; using average linkage.")
    if state.profile != "both" and not matrix.is_square_tasks:
        changes["profile"] = "both"
        notices.append(f"Ignored profile={state.profile}: train and test datasets differ, so rows are clustered by their rows and columns by their columns.")
    n_leaves = max(matrix.shape)
    if state.k is not None and state.k > n_leaves:
        changes["k"] = n_leaves
        notices.append(f"k={state.k} is more than the {n_leaves} tasks; using k={n_leaves}.")
    k = changes.get("k", state.k)
    if state.cluster is not None and (k is None or state.cluster > k):
        changes["cluster"] = None
        notices.append(f"Ignored cluster={state.cluster}: there are only {k or 0} clusters at this cut.")
    # Bounds as the URL writes them (6 decimals): a value clamped to an unrounded bound would be
    # rounded past it in the link and clamped again, with a notice, every time the link opens.
    low, high, neutral = (float(format_number(v)) for v in (*matrix.value_range(), matrix.neutral))
    for name, lo, hi in (("pos", neutral, high), ("neg", low, neutral)):
        value = getattr(state, name)
        if value is not None and not lo <= value <= hi:
            clamped = min(max(value, lo), hi)
            changes[name] = clamped
            notices.append(f"{name}={format_number(value)} is outside {format_number(lo)}..{format_number(hi)}; using {format_number(clamped)}.")
    return replace(state, **changes), notices
