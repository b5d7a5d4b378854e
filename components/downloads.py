"""The CSV downloads of the displayed matrix (on the *Your matrix* card): its values as wide CSV,
and for a matrix with replicates its replicates as long CSV (or its std and n, for summary-form
data). What each file holds and its name are transfer/exports.py's.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from transfer.exports import second_kind, view_export
from transfer.view import View

from . import ids
from .state import current_view, props_of, view_dependencies

PLAIN_LABEL = "Download CSV (displayed order)"
MEANS_LABEL = "Download means (wide CSV)"
SECOND_LABELS = {"replicates": "Download replicates (long CSV)", "summary": "Download std and n (CSV)"}
HIDDEN = {"display": "none"}

OUTPUTS = [
    Output(ids.DOWNLOAD_CSV, "children"),
    Output(ids.DOWNLOAD_REPLICATES, "children"),
    Output(ids.DOWNLOAD_REPLICATES, "style"),
]


def layout() -> html.Div:
    button = {"size": "sm", "color": "secondary", "outline": True}
    return html.Div(
        [
            dbc.Button(PLAIN_LABEL, id=ids.DOWNLOAD_CSV, **button),
            dbc.Button(SECOND_LABELS["replicates"], id=ids.DOWNLOAD_REPLICATES, style=HIDDEN, **button),
            dcc.Download(id=ids.DOWNLOAD_CSV_FILE),
            dcc.Download(id=ids.DOWNLOAD_REPLICATES_FILE),
        ],
        className="d-flex flex-wrap gap-2 mt-2",
    )


def buttons(view: View) -> list:
    """The buttons' labels and the second one's visibility for the displayed matrix."""
    kind = second_kind(view.matrix)
    if kind is None:
        return [PLAIN_LABEL, SECOND_LABELS["replicates"], HIDDEN]
    return [MEANS_LABEL, SECOND_LABELS[kind], {}]


def download(view: View, kind: str) -> dict:
    """dcc.Download's data for file `kind` of the view."""
    exported = view_export(view, kind)  # named and titled after what the view is
    return {"content": exported.content, "filename": exported.filename, "type": exported.content_type}


def initial(view: View) -> dict:
    return props_of(OUTPUTS, buttons(view))


def register(app) -> None:
    # After every drawing of the heatmap (its meta changes with the displayed data).
    @app.callback(*OUTPUTS, Input(ids.HEATMAP_META, "data"), *view_dependencies(), prevent_initial_call=True)
    def show(*_):
        return buttons(current_view())

    @app.callback(
        Output(ids.DOWNLOAD_CSV_FILE, "data"), Input(ids.DOWNLOAD_CSV, "n_clicks"), *view_dependencies(),
        prevent_initial_call=True,
    )
    def download_means(*_):
        return download(current_view(), "means")

    @app.callback(
        Output(ids.DOWNLOAD_REPLICATES_FILE, "data"), Input(ids.DOWNLOAD_REPLICATES, "n_clicks"),
        *view_dependencies(), prevent_initial_call=True,
    )
    def download_replicates(*_):
        view = current_view()
        kind = second_kind(view.matrix)
        if kind is None:
            raise PreventUpdate  # the button is hidden: the displayed matrix has no replicates
        return download(view, kind)
