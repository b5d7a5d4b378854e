"""Linked breakdown panels: the selected train row ("Trained on X") and test column ("Tested on Y").

The dropdowns show the view's `row`/`col` fields, which change in the browser alone. Both panels
are drawn in the browser (assets/breakdown.js): the bars from the heatmap's own cells (no request,
no plotly redraw), the numbers beside them from /api/selection (transfer/breakdown.py computes
them). A heatmap click draws the panels first, then changes the view (assets/view.js); the
dropdowns, the outline on the heatmap and the link follow from it. The matrix is never sent again.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from . import ids

AXES = {
    # axis: (dropdown, bars, numbers, title)
    "row": (ids.ROW, ids.BREAKDOWN_ROW_BARS, ids.BREAKDOWN_ROW_STATS, "Trained on"),
    "col": (ids.COL, ids.BREAKDOWN_COL_BARS, ids.BREAKDOWN_COL_STATS, "Tested on"),
}
HIDDEN = {"display": "none"}


def _panel(axis: str) -> dbc.Card:
    select, bars, stats, title = AXES[axis]
    kind = "train" if axis == "row" else "test"
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span(title, className="fw-semibold text-nowrap"),
                    dcc.Dropdown(
                        id=select, placeholder=f"a {kind} dataset", className="flex-grow-1 tmx-select", searchable=True,
                    ),
                ],
                className="d-flex align-items-center gap-2 py-1",
            ),
            dbc.CardBody(
                [
                    # assets/breakdown.js draws both: the numbers (or the hint) and the bars
                    html.Div(id=stats, className="small", **{"data-hint": _hint(axis)}),
                    html.Div(id=bars, style=HIDDEN, className="tmx-bars-box"),
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
                        options=[
                            {"label": "Data order", "value": "data"}, {"label": "Sorted by value", "value": "value"},
                        ],
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
            dcc.Store(id=ids.SELECT_OPTIONS),
        ],
        className="d-flex flex-column gap-2",
    )


def _hint(axis: str) -> str:
    kind = "train" if axis == "row" else "test"
    return f"Click a heatmap cell, or choose a {kind} dataset above, to see its breakdown."


def register(app) -> None:
    # Both panels, drawn in the browser whenever the selection, the sort, a threshold or the drawn
    # matrix (its meta) changes: the bars from the heatmap's cells, the numbers from /api/selection.
    # It also listens to heatmap clicks (they draw the panels first, then set the dropdowns).
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
        # the graph and the containers
        *(State(i, "id") for i in (ids.HEATMAP, ids.BREAKDOWN_ROW_BARS, ids.BREAKDOWN_COL_BARS, ids.BREAKDOWN_ROW_STATS,
                                  ids.BREAKDOWN_COL_STATS)),
        prevent_initial_call=False,  # on load: the page arrives with the link's selection and figure
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
        ClientsideFunction("tmx", "fill_select_options"),
        Output(ids.SELECT_OPTIONS, "id"),  # nothing to output: it sets the dropdowns' options later
        Input(ids.SELECT_OPTIONS, "data"),
        *(State(i, "id") for i in (ids.ROW, ids.COL, ids.HEATMAP)),
    )
