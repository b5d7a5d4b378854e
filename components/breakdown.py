"""Linked breakdown panels: the selected train row ("Trained on X") and test column ("Tested on Y").

A heatmap click sets both dropdowns in the browser (assets/selection.js); the dropdowns are the
`row`/`col` fields of the link, which the browser writes itself. The browser draws the bars from
the heatmap's own cells (assets/breakdown.js: no request, no plotly redraw) and outlines the
selection on the heatmap; one server callback computes the numbers beside the bars
(transfer/breakdown.py). The matrix is never sent or redrawn again.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.breakdown import Breakdown, breakdown
from transfer.figures import display_number
from transfer.matrix import TransferMatrix

from . import ids
from .state import DATA_FIELDS, current_view, view_dependencies

AXES = {
    # axis: (dropdown, bars, stats, title, what the other axis is, what the mean measures)
    "row": (ids.ROW, ids.BREAKDOWN_ROW_BARS, ids.BREAKDOWN_ROW_STATS, "Trained on", "target", "transfer out"),
    "col": (ids.COL, ids.BREAKDOWN_COL_BARS, ids.BREAKDOWN_COL_STATS, "Tested on", "source", "transfer in"),
}
HIDDEN = {"display": "none"}


def _panel(axis: str) -> dbc.Card:
    select, bars, stats, title, _, _ = AXES[axis]
    kind = "train" if axis == "row" else "test"
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span(title, className="fw-semibold text-nowrap"),
                    dcc.Dropdown(id=select, placeholder=f"a {kind} dataset", className="flex-grow-1 tmx-select", searchable=True),
                ],
                className="d-flex align-items-center gap-2 py-1",
            ),
            dbc.CardBody(
                [
                    html.Div(id=stats, className="small", children=_hint(axis)),
                    html.Div(id=bars, style=HIDDEN, className="tmx-bars-box"),  # assets/breakdown.js draws here
                ],
                className="p-2 position-relative",
            ),
        ],
        className=f"tmx-breakdown tmx-breakdown-{axis}",
    )


def layout() -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Span("Breakdown bars", className="small text-muted"),
                    dbc.RadioItems(
                        id=ids.BREAKDOWN_SORT,
                        options=[{"label": "Data order", "value": "data"}, {"label": "Sorted by value", "value": "value"}],
                        value="data",
                        inline=True,
                        className="btn-group btn-group-sm",
                        inputClassName="btn-check",
                        labelClassName="btn btn-outline-secondary",
                        labelCheckedClassName="active",
                    ),
                ],
                className="d-flex align-items-center gap-2",
            ),
            _panel("row"),
            _panel("col"),
        ],
        className="d-flex flex-column gap-2",
    )


def _hint(axis: str) -> str:
    kind = "train" if axis == "row" else "test"
    return f"Click a heatmap cell, or choose a {kind} dataset above, to see its breakdown."


def _extreme(item) -> str:
    return "n/a" if item is None else f"{item.label} ({display_number(item.value)})"


def stats_children(item: Breakdown, axis: str) -> html.Dl:
    """The numbers beside the bars, rounded for reading (the JSON keeps full precision)."""
    _, _, _, _, other, measure = AXES[axis]
    rank = "n/a" if item.rank is None else f"{item.rank} of {item.ranked}"
    in_domain = "not in this matrix" if item.in_domain_index is None else display_number(item.in_domain)
    rows = [
        ("In-domain", in_domain),
        (f"Mean off-diagonal ({measure})", display_number(item.mean_off_diagonal)),
        (f"Best {other}", _extreme(item.best)),
        (f"Worst {other}", _extreme(item.worst)),
        (f"Rank by mean {measure}", rank),
    ]
    if item.missing:
        rows.append(("Missing values", str(item.missing)))
    children = []
    for term, value in rows:
        children += [html.Dt(term, className="col-7 fw-normal text-muted"), html.Dd(value, className="col-5 mb-0")]
    # data-label: which selection these numbers describe (the bars carry the same attribute)
    return html.Dl(children, className="row mb-1 tmx-breakdown-stats", **{"data-label": item.label})


def _stats(matrix: TransferMatrix, axis: str, label: str | None):
    if label is None or label not in matrix.labels(axis):
        return _hint(axis)
    return stats_children(breakdown(matrix, axis, label), axis)


def register(app) -> None:
    @app.callback(
        *(Output(AXES[axis][2], "children") for axis in AXES),
        *view_dependencies(*DATA_FIELDS, "row", "col"),
        prevent_initial_call=True,
    )
    def describe_panels(*_):
        view = current_view()
        return tuple(_stats(view.matrix, axis, getattr(view.state, axis)) for axis in AXES)

    # The bars: drawn in the browser whenever the selection, the sort, a threshold or the drawn
    # matrix (its meta) changes.
    app.clientside_callback(
        ClientsideFunction("tmx", "draw_breakdowns"),
        *(Output(AXES[axis][1], "style") for axis in AXES),
        Input(ids.ROW, "value"),
        Input(ids.COL, "value"),
        Input(ids.BREAKDOWN_SORT, "value"),
        Input(ids.THRESHOLD_POS, "data"),
        Input(ids.THRESHOLD_NEG, "data"),
        Input(ids.HEATMAP_META, "data"),
        State(ids.HEATMAP, "figure"),
        State(ids.BREAKDOWN_ROW_BARS, "id"),  # the containers and the dropdowns a bar click sets
        State(ids.BREAKDOWN_COL_BARS, "id"),
        State(ids.ROW, "id"),
        State(ids.COL, "id"),
        prevent_initial_call=True,
    )

    # The outline is drawn in the browser with a relayout of the heatmap's shapes alone: any
    # new figure for the graph (even a Patch of its layout) makes plotly redraw every cell.
    app.clientside_callback(
        ClientsideFunction("tmx", "outline_selection"),
        Input(ids.ROW, "value"),
        Input(ids.COL, "value"),
        State(ids.HEATMAP, "figure"),
        State(ids.HEATMAP, "id"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("tmx", "write_selection_link"),
        Input(ids.ROW, "value"),
        Input(ids.COL, "value"),
        Input(ids.BREAKDOWN_SORT, "value"),
        State(ids.QUERY_KEYS, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("tmx", "select_cell"),
        Output(ids.ROW, "value", allow_duplicate=True),
        Output(ids.COL, "value", allow_duplicate=True),
        Input(ids.HEATMAP, "clickData"),
        State(ids.ROW, "value"),
        State(ids.COL, "value"),
        prevent_initial_call=True,
    )
