"""The heatmap panel: the transfer matrix as displayed, with PNG and SVG downloads."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from transfer import wire
from transfer.cluster_figures import decorate_heatmap
from transfer.clustering import fingerprint
from transfer.exports import view_filename, view_title
from transfer.figures import HeatmapShape, HeatmapTrace, graph_config, heatmap_figure, selection_shapes
from transfer.lru import ByteLRU
from transfer.view import selection_json

from . import ids
from .state import DATA_FIELDS, current_view, props_of, view_dependencies

OUTPUTS = [Output(ids.HEATMAP, "figure"), Output(ids.HEATMAP_META, "data")]


# Figures as plain dicts, per matrix and everything of the view they draw but the selection:
# building one with plotly's validation takes ~60 ms at 1000 tasks, and the same view comes back
# (a shared link opened by many, back and forth between datasets). Bounded by the arrays' bytes.
FIGURE_CACHE_BYTES = 64 * 2**20


def _list_bytes(value: list) -> int:
    """About 64 bytes an item, an item of a list of lists (cell texts) counted as its row's items."""
    return 64 * sum(len(item) if isinstance(item, list) else 1 for item in value)


def _figure_bytes(figure: dict) -> int:
    """Its typed arrays' base64 text (the cells above all), and its lists roughly."""
    return sum(_list_bytes(value) if isinstance(value, list) else wire.payload_bytes(value)
               for trace in figure["data"] for value in trace.values())


_FIGURES = ByteLRU(FIGURE_CACHE_BYTES, _figure_bytes)
# What of the link the figure shows (the rest, `sig` included, the browser draws): ci, marks and unc
# only change the figure of a matrix with replicates (`resolve_uncertainty` drops them elsewhere).
# `track`: the annotation fields drawn along the axes.
DRAWN_FIELDS = (*DATA_FIELDS, "k", "cluster", "ci", "marks", "unc", "track", "palette")


def _figure(view) -> dict:
    """The figure without the selection's outline (the browser draws the highlight in it)."""
    key = (fingerprint(view.matrix), *(getattr(view.state, name) for name in DRAWN_FIELDS))
    figure = _FIGURES.get(key)
    if figure is None:
        built = heatmap_figure(view.matrix, comparison=view.comparison, stats=view.stats, marks=view.state.marks,
                               unc=view.state.unc, palette=view.state.palette)
        decorate_heatmap(built, view)
        figure = built.to_dict()
        # the cells packed (transfer.wire: fewer bytes, lossless), decoded in the browser by assets/wire.js
        figure["data"][HeatmapTrace.CELLS] = wire.pack_z(figure["data"][HeatmapTrace.CELLS])
        _FIGURES.add(key, figure)
    return figure


def render(view) -> tuple:
    """The figure and its meta for a view."""
    matrix = view.matrix
    # A rebuild signal (an input of the threshold and cluster patches, so the browser sends it
    # back with them): the drawn matrix's content hash, not its labels (26 KB at 1000 tasks).
    # "neutral": where the breakdowns' bars start: the neutral value, or a sequential scale's start
    colours = view.colours
    meta = {"key": view.dataset_id, "matrix": fingerprint(matrix), "metric": matrix.metric,
            "neutral": colours.zmin if colours.centre is None else colours.centre,
            "query": view.query,  # the drawn view's link: the panels ask /api/selection with it ...
            "selection": selection_json(view, values=False).get("selection"),  # ... for any other selection
            "cut": [view.state.k, view.state.cluster],  # what the figure's cluster layers show
            "title": view_title(view), "filename": view_filename(view)}  # the PNG's and SVG's (assets/tmx.js)
    figure = _figure(view)
    # the outlines' slots (HeatmapShape), then the selection's
    shapes = [*figure["layout"]["shapes"][:HeatmapShape.SELECTION],
              *selection_shapes(matrix.rows, matrix.cols, view.state.row, view.state.col)]
    return {**figure, "layout": {**figure["layout"], "shapes": shapes}}, meta


def initial(view) -> dict:
    return props_of(OUTPUTS, render(view))


# The heatmap's accessible name (assets/keyboard.js adds the matrix's size once it is drawn).
KEYS_LABEL = ("Transfer heatmap: arrow keys move between cells, Home and End to the row's ends, Page Up and "
              "Page Down by 10 rows, Enter selects the cell, Escape clears the selection")


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span("Transfer heatmap", className="fw-semibold"),
                    dbc.ButtonGroup(
                        [
                            dbc.Button(
                                "PNG", id=ids.DOWNLOAD_PNG, size="sm", color="secondary", outline=True,
                                title="Download the figure as PNG",
                            ),
                            dbc.Button(
                                "SVG", id=ids.DOWNLOAD_SVG, size="sm", color="secondary", outline=True,
                                title="Download the figure as SVG (for a paper)",
                            ),
                        ],
                        className="ms-auto",
                    ),
                ],
                className="d-flex align-items-center gap-2",
            ),
            dbc.CardBody(
                [
                    # One tab stop for the whole heatmap (assets/keyboard.js): arrow keys move a focus
                    # cell, the live region reads it, Enter selects it, Escape clears the selection.
                    html.Div(
                        dcc.Graph(
                            id=ids.HEATMAP, config=graph_config(), className="tmx-heatmap tmx-progress",
                            responsive=True,  # its height: assets/responsive.css (.tmx-heatmap)
                        ),
                        id=ids.HEATMAP_KEYS, tabIndex="0", role="application", className="tmx-heatmap-keys",
                        **{"aria-label": KEYS_LABEL,
                           "data-graph": ids.HEATMAP, "data-live": ids.HEATMAP_LIVE},
                    ),
                    html.Div(id=ids.HEATMAP_LIVE, className="visually-hidden",
                             **{"aria-live": "polite", "aria-atomic": "true"}),
                    dcc.Store(id=ids.HEATMAP_META),
                ],
                className="p-1",
            ),
        ],
        className="h-100",
    )


def register(app) -> None:
    @app.callback(
        *OUTPUTS, *view_dependencies(*DATA_FIELDS, "ci", "marks", "unc", "track", "palette"),
        State(ids.HEATMAP_META, "data"),
        prevent_initial_call=True,
    )
    def draw(*args):
        view, drawn = current_view(), args[-1]
        if isinstance(drawn, dict) and drawn.get("query") == view.query:
            raise PreventUpdate  # the graph shows this view already (a link's drawn page)
        return render(view)

    for button, fmt in ((ids.DOWNLOAD_PNG, "png"), (ids.DOWNLOAD_SVG, "svg")):
        app.clientside_callback(
            ClientsideFunction("tmx", f"download_{fmt}"),
            Output(button, "title"),
            Input(button, "n_clicks"),
            State(ids.HEATMAP, "id"),
            State(ids.HEATMAP_META, "data"),  # its title and filename name the file
            prevent_initial_call=True,
        )
