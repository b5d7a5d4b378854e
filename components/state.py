"""URL <-> controls: the one place where the link becomes the view and controls write the link.

Each control that carries part of the view is a `Binding` of a ViewState field. One callback
(`sync`) reads the URL on load (and on back/forward), sets every bound control, and writes the
canonical link whenever a server-side control changes. Client bindings (threshold sliders, the
selected row/col, the bar sort) write the link in the browser (assets/thresholds.js,
assets/selection.js): moving them never waits for the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from transfer.thresholds import carry_thresholds
from transfer.view import View, open_view
from transfer.viewstate import ViewState, parse_query, state_from_values

from . import ids, options
from .context import datasets


def _identity(value: Any) -> Any:
    return value


def _cut(value: Any) -> int | None:
    """The k slider's value as the state's k (None for one cluster or anything but a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 1:
        return None
    return int(value)


@dataclass(frozen=True)
class Binding:
    field: str
    id: str
    prop: str = "value"
    client: bool = False  # the browser writes this field to the URL (no server round trip)
    to_state: Callable[[Any], Any] = field(default=_identity)
    from_state: Callable[[Any], Any] = field(default=_identity)
    # Choices that depend on the data (View -> options), sent by `sync` in the same response as
    # the value: a dcc.Dropdown clears a value that is not among its options when they arrive.
    options: Callable[[View], list] | None = None
    # A page arriving drawn lists only the chosen option; the rest (in SELECT_OPTIONS) follow once
    # the heatmap is drawn: Dash 4's dropdown indexes every substring of every option on receipt
    # (~0.1 s for 2 x 1000 labels), which held back the first drawing.
    deferred: bool = False


BINDINGS: list[Binding] = [
    Binding("dataset", ids.DATASET, options=options.dataset_options),
    Binding("tab", ids.TABS, "active_tab"),
    Binding("compare", ids.COMPARE, options=options.compare_options),
    Binding("norm", ids.NORM),
    # Selection fields are written to the link in the browser (assets/selection.js): as inputs of
    # `sync` they would hold every callback reading them until sync had answered.
    Binding("row", ids.ROW, client=True, options=options.row_options, deferred=True),
    Binding("col", ids.COL, client=True, options=options.col_options, deferred=True),
    Binding("order", ids.CLUSTER_ORDER),
    Binding("method", ids.CLUSTER_METHOD),
    Binding("metric", ids.CLUSTER_METRIC),
    Binding("profile", ids.CLUSTER_PROFILE),
    # the slider's 1 (one cluster) is the uncut tree, k absent from the link
    Binding("k", ids.CLUSTER_K, to_state=_cut, from_state=lambda k: k or 1),
    Binding("cluster", ids.CLUSTER_SELECTED, "data"),
    Binding("sort", ids.BREAKDOWN_SORT, client=True),
    Binding("pos", ids.THRESHOLD_POS, "data", client=True),
    Binding("neg", ids.THRESHOLD_NEG, "data", client=True),
    Binding("diag", ids.THRESHOLD_DIAG, client=True),
]

DATA_FIELDS = ("dataset", "compare", "norm", "order", "method", "metric", "profile")


def _bound(names) -> list[Binding]:
    return [b for b in BINDINGS if b.field in names]


def view_dependencies(*input_fields: str) -> list:
    """Inputs for the bound controls of `input_fields`, States for every other bound control and
    the URL: a callback given these can rebuild the whole view with `current_view()`."""
    inputs = _bound(input_fields)
    return [
        *(Input(b.id, b.prop) for b in inputs),
        *(State(b.id, b.prop) for b in BINDINGS if b not in inputs),
        State(ids.URL, "search"),
    ]


def _control_values() -> dict[str, Any]:
    raw = {**ctx.states, **ctx.inputs}
    values = {}
    for b in BINDINGS:
        key = f"{b.id}.{b.prop}"
        if key in raw:
            values[b.field] = b.to_state(raw[key])
    return values


def state_from_controls(search: str | None) -> tuple[ViewState, list[str]]:
    """The URL's state with every bound control's current value laid over it."""
    base, _ = parse_query(search)
    merged = {**{k: v for k, v in base.as_dict().items() if v is not None}, **_control_values()}
    return state_from_values(merged)


def current_view() -> View:
    """The view the callback's controls and URL describe (for callbacks built with view_dependencies)."""
    search = {**ctx.states, **ctx.inputs}.get(f"{ids.URL}.search")
    state, notices = state_from_controls(search)
    return open_view(datasets(), state, notices)


def notice_children(notices) -> list:
    import dash_bootstrap_components as dbc

    return [dbc.Alert(text, color="warning", dismissable=True, className="py-1 px-3 mb-1 small") for text in notices]


def register(app) -> None:
    server_bindings = [b for b in BINDINGS if not b.client]
    client_bindings = [b for b in BINDINGS if b.client]

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.NOTICES, "children"),
        *(Output(b.id, b.prop) for b in BINDINGS),
        *(Output(b.id, "options") for b in _with_options()),
        Output(ids.SELECT_OPTIONS, "data"),
        Input(ids.URL, "search"),
        *(Input(b.id, b.prop) for b in server_bindings),
        *(State(b.id, b.prop) for b in client_bindings),
    )
    def sync(search, *_):
        if search is None:  # the Location has not read the address bar yet
            raise PreventUpdate
        if ctx.triggered_id in (None, ids.URL):
            return _load(search)
        return _write(search)


def _with_options() -> list[Binding]:
    return [b for b in BINDINGS if b.options is not None]


def _options(view: View, changed: bool = True) -> list:
    """Every option list, then the deferred ones again for SELECT_OPTIONS (no_update for all unless `changed`)."""
    if not changed:
        return [no_update] * (len(_with_options()) + 1)
    lists = {b.field: b.options(view) for b in _with_options()}
    return [*lists.values(), {b.field: lists[b.field] for b in _with_options() if b.deferred}]


def _load(search: str):
    """Address bar -> controls (page load, back/forward). Controls that already show the link
    are left alone: the page arrives drawn for its link (components.page), so on load nothing
    changes and no callback runs."""
    state, notices = parse_query(search)
    view = open_view(datasets(), state, notices)
    query = "?" + view.query
    current = _control_values()
    changed = {b.field for b in BINDINGS if current.get(b.field) != getattr(view.state, b.field)}
    if not changed and query == search:
        raise PreventUpdate  # the page shows this link already
    controls = [b.from_state(getattr(view.state, b.field)) if b.field in changed else no_update for b in BINDINGS]
    notices = notice_children(view.notices) if changed else no_update
    # options with any change: a value the dropdown does not list yet (its list may still be the
    # one option a drawn page arrives with) would be cleared
    return (query if query != search else no_update), notices, *controls, *_options(view, bool(changed))


def props_of(outputs: list[Output], values) -> dict:
    """A callback's answer as {(id, prop): value}, no_update left out: what the page's layout
    sets when it arrives drawn for its link (components.page)."""
    return {(o.component_id, o.component_property): v for o, v in zip(outputs, values) if v is not no_update}


def initial(view: View) -> dict:
    """Every bound control (and its options) showing the view, and the link's notices."""
    props = {(b.id, b.prop): b.from_state(getattr(view.state, b.field)) for b in BINDINGS}
    *lists, later = _options(view)
    for b, choices in zip(_with_options(), lists):
        chosen = props[(b.id, b.prop)]
        props[(b.id, "options")] = ([chosen] if chosen is not None else []) if b.deferred else choices
    props[(ids.SELECT_OPTIONS, "data")] = later
    props[(ids.NOTICES, "children")] = notice_children(view.notices)
    return props


def _write(search: str):
    """Controls -> canonical address; controls the state had to correct are set back."""
    state, notices = state_from_controls(search)
    data_changed = ctx.triggered_id in {b.id for b in _bound(DATA_FIELDS)}
    if data_changed:
        state = _carry_units(search, state)
    view = open_view(datasets(), state, notices)
    query = "?" + view.query
    current = _control_values()
    controls = [
        b.from_state(getattr(view.state, b.field)) if current.get(b.field) != getattr(view.state, b.field) else no_update
        for b in BINDINGS
    ]
    notices = notice_children(view.notices) if view.notices else no_update
    return (query if query != search else no_update), notices, *controls, *_options(view, data_changed)


def _carry_units(search: str, state: ViewState) -> ViewState:
    """Thresholds restart from the new matrix's suggestions when a data control changes their units."""
    before = open_view(datasets(), parse_query(search)[0]).matrix
    return carry_thresholds(state, before, open_view(datasets(), state).matrix)
