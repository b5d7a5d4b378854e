"""The view state: one query string (`ViewState.to_query`) that the link, the controls and every
callback agree on.

The browser owns it (assets/view.js, `tmx.view`): every control, click and key writes one change
to it, and it alone writes the link (`history.pushState` for a person's step, `replaceState`
when the server canonicalised what it asked for). The `VIEW` store holds that query for Dash:
`show` sets every bound control from it, and server callbacks read it (never the controls'
other values, which may not have caught up). A change of a field only the server can check
(a dataset, an option of the clustering, ...) goes to `sync` as a request; its answer is the
canonical query, with the notices of that view and the options that depend on the data.

Each control that carries part of the view is a `Binding` of a ViewState field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from transfer.thresholds import carry_thresholds
from transfer.view import View, open_view
from transfer.viewstate import FIELD_NAMES, ViewState, format_number, parse_query, state_from_values
from web.services import datasets

from . import ids, options


def _identity(value: Any) -> Any:
    return value


def _cut(value: Any) -> int | None:
    """The k slider's value as the state's k (None for one cluster or anything but a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 1:
        return None
    return int(value)


SIG_OFF = "off"  # the "significant only" select's value for none


def _link_text(name: str) -> Callable[[Any], Any]:
    """from_state of a control that holds the field's text as the link writes it (before URL
    quoting): `where` as field:value|value, `track` as a,b or none. The browser encodes such a
    control's value as any text, and the server parses it as a link's (to_state: as it is)."""
    encode = next(f for f in fields(ViewState) if f.name == name).metadata["encode"]
    return lambda value: None if value is None else encode(value)


@dataclass(frozen=True)
class Binding:
    field: str
    id: str
    prop: str = "value"
    client: bool = False  # the browser checks this field itself (no server round trip)
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
    # dataset and compare list the catalogue and the datasets opened in this browser, built in
    # the browser (assets/view.js) from CATALOGUE and REMEMBERED
    Binding("dataset", ids.DATASET),
    Binding("tab", ids.TABS, "active_tab"),
    Binding("compare", ids.COMPARE),
    # Task annotations (components/annotations.py): `ann`, `where`, `group` and `track` are kept in
    # stores, in the link's own text; the card's selects write them (assets/annotations.js).
    Binding("ann", ids.ANN, "data"),
    Binding("norm", ids.NORM),
    Binding("filter", ids.ANN_FILTER),
    Binding("where", ids.ANN_WHERE, "data", from_state=_link_text("where")),
    Binding("collapse", ids.ANN_COLLAPSE, options=options.field_options),
    Binding("group", ids.ANN_GROUP, "data"),
    Binding("track", ids.ANN_TRACK, "data", from_state=_link_text("track")),
    # Selection, sort and thresholds change in the browser alone: a click never waits for the server.
    Binding("row", ids.ROW, client=True, options=options.row_options, deferred=True),
    Binding("col", ids.COL, client=True, options=options.col_options, deferred=True),
    Binding("order", ids.CLUSTER_ORDER, options=options.order_options),
    Binding("method", ids.CLUSTER_METHOD),
    Binding("distance", ids.CLUSTER_DISTANCE),
    Binding("profile", ids.CLUSTER_PROFILE),
    # the slider's 1 (one cluster) is the uncut tree, k absent from the link
    Binding("k", ids.CLUSTER_K, to_state=_cut, from_state=lambda k: k or 1),
    Binding("cluster", ids.CLUSTER_SELECTED, "data"),
    Binding("sort", ids.BREAKDOWN_SORT, client=True),
    Binding("pos", ids.THRESHOLD_POS, "data", client=True),
    Binding("neg", ids.THRESHOLD_NEG, "data", client=True),
    Binding("diag", ids.THRESHOLD_DIAG, client=True),
    # "significant only": a select whose option values are the link's own text ("off" for none: the
    # select's own placeholder option holds ""), so the browser checks it (assets/thresholds.js)
    Binding("sig", ids.THRESHOLD_SIG, client=True, to_state=lambda value: None if value == SIG_OFF else value,
            from_state=lambda sig: SIG_OFF if sig is None else format_number(sig)),
    # the interval level, the marks and the palette change the figure: the server draws them
    Binding("ci", ids.UNCERTAINTY_CI, from_state=str),
    Binding("marks", ids.UNCERTAINTY_MARKS),
    Binding("unc", ids.UNCERTAINTY_PALETTE),
    # the colour palette (components/thresholds.py): option PALETTE_DEFAULT for the default of the
    # matrix's kind (the select's own placeholder option holds "")
    Binding("palette", ids.PALETTE, to_state=lambda value: None if value == options.PALETTE_DEFAULT else value,
            from_state=lambda name: name or options.PALETTE_DEFAULT, options=options.palette_options),
    # the table view's sort and pages (components/table.py): its buttons change the view
    # (assets/table.js), the stores follow it; the server checks them against the displayed matrix
    Binding("tsort", ids.TABLE_SORT, "data", from_state=_link_text("tsort")),
    Binding("trpage", ids.TABLE_ROW_PAGE, "data"),
    Binding("tcpage", ids.TABLE_COL_PAGE, "data"),
]

# A change of one of these changes the displayed matrix (its values, labels or order).
DATA_FIELDS = ("dataset", "compare", "ann", "norm", "filter", "where", "collapse", "order", "group", "method",
               "distance", "profile")
SERVER_FIELDS = tuple(b.field for b in BINDINGS if not b.client)


def _bound(names) -> list[Binding]:
    return [b for b in BINDINGS if b.field in names]


def view_dependencies(*input_fields: str) -> list:
    """Inputs for the bound controls of `input_fields` and the view's query as a State: a
    callback given these rebuilds the view with `current_view()`."""
    return [*(Input(b.id, b.prop) for b in _bound(input_fields)), State(ids.VIEW, "data")]


def current_view() -> View:
    """The view a callback built with `view_dependencies` works on: the VIEW query, with the
    controls that fired it laid over (the browser may not have written their change into VIEW
    yet when the callback was sent)."""
    values = {**ctx.states, **ctx.inputs}
    state, notices = parse_query(values.get(f"{ids.VIEW}.data"))
    fired = {b.field: b.to_state(values[key]) for b in BINDINGS
             if (key := f"{b.id}.{b.prop}") in ctx.triggered_prop_ids and key in values}
    if fired:
        state, more = state_from_values({**state.as_dict(), **fired})
        notices += more
    return open_view(datasets(), state, notices)


def notice_children(notices) -> list:
    import dash_bootstrap_components as dbc

    return [dbc.Alert(text, color="warning", dismissable=True, className="py-1 px-3 mb-1 small") for text in notices]


# How view.js encodes a field's control value (default: text, quoted as urlencode does).
KINDS = {"k": "count", "cluster": "count", "pos": "number", "neg": "number", "diag": "flag", "marks": "flag",
         "trpage": "count", "tcpage": "count"}


def view_spec() -> dict:
    """What assets/view.js needs to write the canonical query as ViewState.to_query does: the
    field order, the fields only the server checks, and each binding's control, the kind of its
    value and the control value that leaves the field out of the link (its default)."""
    defaults = ViewState()
    return {
        "fields": list(FIELD_NAMES),
        "server": list(SERVER_FIELDS),
        "data": list(DATA_FIELDS),
        "ids": {
            "view": ids.VIEW, "request": ids.VIEW_REQUEST, "notices": ids.NOTICES, "remembered": ids.REMEMBERED,
            "forget": ids.FORGET,
        },
        "bindings": [{"field": b.field, "id": b.id, "prop": b.prop, "kind": KINDS.get(b.field, "text"),
                      "empty": None if b.field == "dataset" else b.from_state(getattr(defaults, b.field))}
                     for b in BINDINGS],
    }


def _with_options() -> list[Binding]:
    return [b for b in BINDINGS if b.options is not None]


def _options(view: View, changed: bool = True) -> list:
    """Every option list, then the deferred ones again for SELECT_OPTIONS (no_update for all unless `changed`)."""
    if not changed:
        return [no_update] * (len(_with_options()) + 1)
    lists = {b.field: b.options(view) for b in _with_options()}
    return [*lists.values(), {b.field: lists[b.field] for b in _with_options() if b.deferred}]


def _opened(view: View) -> list[dict]:
    """The uploads the view shows (its dataset, the one it compares with), for the browser to remember."""
    shown = [(view.dataset_id, view.stored)]
    if view.comparison is not None:
        shown.append((view.state.compare, view.comparison.other))
    return [{"id": dataset_id, "name": matrix.name or dataset_id[:8]} for dataset_id, matrix in shown
            if not datasets().is_bundled(dataset_id)]


def answer(request: Any) -> tuple:
    """`sync`: a request of the browser -> its canonical view (VIEW_ANSWER), its notices, and the
    options that depend on the data when they changed. A request that changes the data (`carry`)
    moves the thresholds to the new units (`carry_thresholds`); one that restores a link (back,
    forward) takes the link as it is."""
    if (not isinstance(request, dict) or not isinstance(request.get("query"), str)
            or not isinstance(request.get("serial"), int)):
        raise PreventUpdate  # not a request the page sends
    state, notices = parse_query(request["query"])
    shown_before = open_view(
        datasets(), parse_query(request.get("before") if isinstance(request.get("before"), str) else "")[0],
    )
    if request.get("carry") is True:
        state = carry_thresholds(state, shown_before.matrix, open_view(datasets(), state).matrix)
    view = open_view(datasets(), state, notices)
    data_changed = any(getattr(view.state, name) != getattr(shown_before.state, name) for name in DATA_FIELDS)
    reply = {"serial": request["serial"], "query": view.query, "datasets": _opened(view)}
    return reply, notice_children(view.notices), *_options(view, data_changed)


def props_of(outputs: list[Output], values) -> dict:
    """A callback's answer as {(id, prop): value}, no_update left out: what the page's layout
    sets when it arrives drawn for its link (components.page)."""
    return {(o.component_id, o.component_property): v for o, v in zip(outputs, values) if v is not no_update}


def initial(view: View, requested: str | None = None) -> dict:
    """Every bound control (and its options) showing the view, the view's query and the link's
    notices. `requested` is the query the page was asked for (None when unknown): the browser
    asks again when its address bar holds another link (a Referer stripped on the way)."""
    props = {(b.id, b.prop): b.from_state(getattr(view.state, b.field)) for b in BINDINGS}
    *lists, later = _options(view)
    for b, choices in zip(_with_options(), lists):
        chosen = props[(b.id, b.prop)]
        props[(b.id, "options")] = ([chosen] if chosen is not None else []) if b.deferred else choices
    props[(ids.SELECT_OPTIONS, "data")] = later
    # the dataset lists as the browser builds them (assets/view.js), less what only it remembers
    listed = catalogue() + [{"label": f"Uploaded: {d['name']}", "value": d["id"]} for d in _opened(view)]
    props[(ids.DATASET, "options")] = listed
    props[(ids.COMPARE, "options")] = [option for option in listed if option["value"] != view.dataset_id]
    props[(ids.NOTICES, "children")] = notice_children(view.notices)
    props[(ids.VIEW, "data")] = view.query
    props[(ids.VIEW_ANSWER, "data")] = {
        "serial": 0, "query": view.query, "requested": requested, "datasets": _opened(view),
    }
    return props


def catalogue() -> list[dict]:
    return [{"label": entry.name, "value": entry.id} for entry in datasets().entries]


def register(app) -> None:
    @app.callback(
        Output(ids.VIEW_ANSWER, "data"),
        Output(ids.NOTICES, "children"),
        *(Output(b.id, "options") for b in _with_options()),
        Output(ids.SELECT_OPTIONS, "data"),
        Input(ids.VIEW_REQUEST, "data"),
        prevent_initial_call=True,
    )
    def sync(request):
        return answer(request)

    controls = [(b.id, b.prop) for b in BINDINGS]
    # Controls -> the view: a person's change of any bound control (not the echo of `show`).
    app.clientside_callback(
        ClientsideFunction("tmx", "view_from_controls"),
        *(Input(i, p) for i, p in controls),
        prevent_initial_call=True,
    )
    # The view -> controls; on load, the view the page arrived with.
    app.clientside_callback(
        ClientsideFunction("tmx", "view_to_controls"),
        *(Output(i, p, allow_duplicate=True) for i, p in controls),
        Input(ids.VIEW, "data"),
        *(State(i, p) for i, p in controls),
        State(ids.VIEW_SPEC, "data"),
        State(ids.VIEW_ANSWER, "data"),
        prevent_initial_call="initial_duplicate",
    )
    app.clientside_callback(
        ClientsideFunction("tmx", "view_answered"), Input(ids.VIEW_ANSWER, "data"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("tmx", "view_open"), Input(ids.VIEW_OPEN, "data"), prevent_initial_call=True,
    )
    # The dataset lists: the catalogue and the datasets opened in this browser.
    app.clientside_callback(
        ClientsideFunction("tmx", "dataset_lists"),
        Output(ids.DATASET, "options"),
        Output(ids.COMPARE, "options"),
        Output(ids.REMEMBERED_LIST, "children"),
        Input(ids.REMEMBERED, "data"),
        Input(ids.VIEW, "data"),
        State(ids.CATALOGUE, "data"),
        State(ids.VIEW_SPEC, "data"),
    )
    app.clientside_callback(
        ClientsideFunction("tmx", "forget_dataset"),
        Output(ids.REMEMBERED, "data", allow_duplicate=True),
        Input({"type": ids.FORGET, "index": ALL}, "n_clicks"),
        State(ids.REMEMBERED, "data"),
        prevent_initial_call=True,
    )
