"""The heatmap panel: the transfer matrix as displayed, with PNG and SVG downloads."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.clustering import fingerprint
from transfer.figures import graph_config, heatmap_figure, selection_shapes
from transfer.view import selection_json

from . import ids
from .clustering import decorate_heatmap
from .state import DATA_FIELDS, current_view, view_dependencies


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span("Transfer heatmap", className="fw-semibold"),
                    dbc.ButtonGroup(
                        [
                            dbc.Button("PNG", id=ids.DOWNLOAD_PNG, size="sm", color="secondary", outline=True, title="Download the figure as PNG"),
                            dbc.Button("SVG", id=ids.DOWNLOAD_SVG, size="sm", color="secondary", outline=True, title="Download the figure as SVG (for a paper)"),
                        ],
                        className="ms-auto",
                    ),
                ],
                className="d-flex align-items-center gap-2",
            ),
            dbc.CardBody(
                [
                    dcc.Graph(id=ids.HEATMAP, config=graph_config(), className="tmx-heatmap tmx-progress", responsive=True, style={"height": "min(80vh, 860px)", "minHeight": "420px"}),
                    dcc.Store(id=ids.HEATMAP_META),
                ],
                className="p-1",
            ),
        ],
        className="h-100",
    )


def register(app) -> None:
    @app.callback(
        Output(ids.HEATMAP, "figure"),
        Output(ids.HEATMAP_META, "data"),
        *view_dependencies(*DATA_FIELDS),
        prevent_initial_call=True,
    )
    def draw(*_):
        view = current_view()
        matrix = view.matrix
        # A rebuild signal (an input of the threshold and cluster patches, so the browser sends it
        # back with them): the drawn matrix's content hash, not its labels (26 KB at 1000 tasks).
        meta = {"key": view.dataset_id, "matrix": fingerprint(matrix), "neutral": matrix.neutral, "metric": matrix.metric,
                "query": view.query,  # the drawn view's link: the panels ask /api/selection with it ...
                "selection": selection_json(view, values=False).get("selection"),  # ... for any other selection
                "cut": [view.state.k, view.state.cluster]}  # what the figure's cluster layers show
        figure = heatmap_figure(matrix, comparison=view.comparison)
        figure.layout.shapes = selection_shapes(matrix.rows, matrix.cols, view.state.row, view.state.col)
        decorate_heatmap(figure, view)
        return figure, meta

    for button, fmt in ((ids.DOWNLOAD_PNG, "png"), (ids.DOWNLOAD_SVG, "svg")):
        app.clientside_callback(
            ClientsideFunction("tmx", f"download_{fmt}"),
            Output(button, "title"),
            Input(button, "n_clicks"),
            State(ids.HEATMAP, "id"),
            State(ids.HEATMAP_META, "data"),  # its key names the file
            prevent_initial_call=True,
        )
