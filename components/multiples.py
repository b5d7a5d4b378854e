"""The small-multiples tab: every catalogue matrix, and every upload opened in this browser,
sharing labels with the shown one, on one colour scale per metric; clicking a panel (or its
"Open" button) opens that matrix."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, ctx, dcc, html
from dash.exceptions import PreventUpdate

from transfer.figures import small_multiple_figure
from transfer.multiples import MultiplesGroup, small_multiples
from transfer.viewstate import format_number
from web.services import datasets

from . import ids
from .state import current_view, props_of, view_dependencies


def layout() -> html.Div:
    return html.Div(id=ids.MULTIPLES, className="pt-2 tmx-progress")


def _group(group: MultiplesGroup, palette: str | None = None) -> html.Div:
    low, high = group.color_range
    cards = []
    for member in group.members:
        header = [
            html.Span(member.name, className="small fw-semibold text-truncate", title=member.name),
            html.Span("shown", className="badge text-bg-secondary ms-1") if member.shown else
            dbc.Button(
                "Open", id={"type": ids.MULTIPLE_OPEN, "index": member.dataset_id}, size="sm", color="primary",
                outline=True, className="ms-auto py-0",
            ),
        ]
        graph = dcc.Graph(
            id={"type": ids.MULTIPLE, "index": member.dataset_id},
            figure=small_multiple_figure(member.matrix, group.color_range, palette),
            config={"displayModeBar": False},
            style={"height": "300px"},
        )
        cards.append(
            dbc.Col(
                dbc.Card(
                    [
                        dbc.CardHeader(header, className="d-flex align-items-center py-1 px-2"),
                        dbc.CardBody(graph, className="p-1"),
                    ],
                    className="border-primary" if member.shown else "",
                ),
                md=6, xl=4, className="mb-2",
            )
        )
    caption = (f"{group.metric}: one colour scale {format_number(low)} to {format_number(high)}, "
               + (f"white at {format_number(group.neutral)}." if group.neutral is not None
                  else "sequential (no neutral value)."))
    return html.Div(
        [html.Div(caption, className="small text-muted mb-1"), dbc.Row(cards, className="g-2")], className="mb-3",
    )


OUTPUTS = [Output(ids.MULTIPLES, "children")]


MAX_REMEMBERED = 24  # uploads of this browser drawn beside the catalogue, the latest first


def remembered_ids(remembered) -> list[str]:
    """The ids in the browser's list of opened datasets (REMEMBERED), whatever a client sent."""
    items = remembered if isinstance(remembered, list) else []
    ids_ = [item.get("id") for item in items if isinstance(item, dict)]
    return [i for i in ids_ if isinstance(i, str) and 0 < len(i) <= 100][-MAX_REMEMBERED:][::-1]


def multiples(view, remembered=None) -> list:
    store = datasets()
    uploads = [(i, store.get(i)) for i in remembered_ids(remembered) if not store.is_bundled(i)]
    catalogue = [(entry.id, store.get(entry.id)) for entry in store.entries]
    catalogue += [(i, m) for i, m in uploads if m is not None]
    return [_group(group, view.state.palette) for group in small_multiples(view.dataset_id, view.stored, catalogue)]


def initial(view) -> dict:
    # built when the tab is opened, not on every dataset change
    return props_of(OUTPUTS, [multiples(view)]) if view.state.tab == ids.MULTIPLES_TAB else {}


def register(app) -> None:
    @app.callback(
        *OUTPUTS, *view_dependencies("dataset", "tab", "palette"), Input(ids.REMEMBERED, "data"),
        prevent_initial_call=True,
    )
    def show(*args):
        view = current_view()
        if view.state.tab != ids.MULTIPLES_TAB:
            raise PreventUpdate  # built when the tab is opened, not on every dataset change
        return multiples(view, args[-1])

    @app.callback(
        Output(ids.DATASET, "value", allow_duplicate=True),
        Output(ids.TABS, "active_tab", allow_duplicate=True),
        Input({"type": ids.MULTIPLE, "index": ALL}, "clickData"),
        Input({"type": ids.MULTIPLE_OPEN, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_dataset(*_):
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:
            raise PreventUpdate
        return ctx.triggered_id["index"], ids.HEATMAP_TAB
