"""The insights panel: sentences that read the displayed matrix; each names cells to select.
For a matrix with replicates, what is significant at the view's `sig` and `ci` comes first.

A chip under an insight selects its cell (or its row or column) by writing the `row` and `col`
controls, which the URL sync turns into the link: the panel knows nothing else of selection.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from transfer.insights import ARROW, Insight
from transfer.view import view_insights

from . import ids
from .state import current_view, view_dependencies

MAX_CHIPS = 6  # per insight: a sentence about ten diagonal cells should not grow ten buttons


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Span("Insights", className="fw-semibold")),
            dbc.CardBody(
                [html.Div(id=ids.INSIGHTS, className="tmx-insights"), dcc.Store(id=ids.INSIGHT_TARGETS, data=[]),
                 dcc.Store(id=ids.INSIGHTS_DUE)],
                className="p-0",
            ),
        ]
    )


def targets(insight: Insight) -> list[tuple[str, dict]]:
    """(chip label, selection) for everything an insight points at: cells, then rows, then columns."""
    found = [(f"{train} {ARROW} {test}", {"row": train, "col": test}) for train, test in insight.cells]
    found += [(f"Row {label}", {"row": label, "col": None}) for label in insight.rows]
    found += [(f"Column {label}", {"row": None, "col": label}) for label in insight.cols]
    unique, seen = [], set()
    for label, target in found:
        if label not in seen:
            seen.add(label)
            unique.append((label, target))
    return unique[:MAX_CHIPS]


def render(insights: list[Insight]) -> tuple[list, list[dict]]:
    """List items and the selection each chip makes (chip index -> target)."""
    items, all_targets = [], []
    for insight in insights:
        chips = []
        for label, target in targets(insight):
            chips.append(
                dbc.Button(
                    label,
                    id={"type": ids.INSIGHT_CELL, "index": len(all_targets)},
                    size="sm", color="primary", outline=True,
                    className="tmx-insight-chip py-0 px-2",
                    title="Select " + ("this cell" if target["row"] and target["col"]
                                       else "this " + ("row" if target["row"] else "column")),
                )
            )
            all_targets.append(target)
        items.append(
            dbc.ListGroupItem(
                [
                    html.Div(insight.title, className="small fw-semibold text-muted"),
                    html.Div(insight.text, className="small"),
                    html.Div(chips, className="d-flex flex-wrap gap-1 mt-1") if chips else None,
                ],
                className="py-2",
            )
        )
    if not items:
        items = [
            dbc.ListGroupItem(
                "No insight applies to this matrix (too few present cells).", className="small text-muted",
            )
        ]
    return [dbc.ListGroup(items, flush=True)], all_targets


def register(app) -> None:
    @app.callback(
        Output(ids.INSIGHTS, "children"),
        Output(ids.INSIGHT_TARGETS, "data"),
        # After the heatmap (its meta: every data change redraws it), not beside it: computed at
        # the same time, the insights of a 1000-task matrix held the heatmap's answer back.
        Input(ids.HEATMAP_META, "data"),
        # k: the groups at the cut; sig and ci: what counts as significant (when they are bound)
        *view_dependencies("k", "sig", "ci"),
        # On load: once the heatmap is drawn and the page idle. The panel is below the first
        # screen; its answer and chips, arriving during the load, held the heatmap's drawing back.
        Input(ids.INSIGHTS_DUE, "data"),
        prevent_initial_call=True,
    )
    def show(*_):
        return render(view_insights(current_view()))

    app.clientside_callback(
        ClientsideFunction("tmx", "when_drawn"),
        Output(ids.INSIGHTS_DUE, "data"),
        Input(ids.INSIGHTS_DUE, "id"),
        State(ids.HEATMAP, "id"),
    )

    # in the browser (assets/tmx.js): no round trip when the chips arrive, nor on a click
    app.clientside_callback(
        ClientsideFunction("tmx", "insight_select"),
        Output(ids.ROW, "value", allow_duplicate=True),
        Output(ids.COL, "value", allow_duplicate=True),
        Input({"type": ids.INSIGHT_CELL, "index": ALL}, "n_clicks"),
        State(ids.INSIGHT_TARGETS, "data"),
        prevent_initial_call=True,
    )
