"""Bring your own matrix: the drop zone, the templates, the neutral value and the CSV download.

A dropped file is checked for size in the browser (assets/upload.js), then parsed and stored on
the server by the same parser as every other entry point; on success the page opens it by
setting the URL to its id, on failure the message appears under the drop zone and the view
stays as it was.
"""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from transfer.matrix import MatrixError, TransferMatrix
from transfer.parsing import TEMPLATES, decode_data_url, file_slug, format_size, parse_matrix, to_wide_csv
from transfer.store import StoreUnavailable
from transfer.thresholds import threshold_scale
from transfer.view import View, open_view
from transfer.viewstate import ViewState, format_number, parse_neutral, resolve_thresholds
from web.services import datasets, limits, upload_allowed, upload_token_required

from . import ids
from .state import current_view, props_of, view_dependencies

OUTPUTS = [Output(ids.NEUTRAL_INPUT, "value")]  # the shown matrix's neutral value, to edit

FORMATS_HELP = (
    "Wide CSV/TSV (first column: train datasets, header: test datasets), long CSV/TSV "
    "(train, test, value columns) or JSON ({rows, cols, values}). Optional metadata: "
    "'# name: ...', '# metric: ...', '# neutral: ...' lines on top, or JSON fields."
)
STATUS_OK = "small text-success tmx-upload-status"
STATUS_ERROR = "small text-danger tmx-upload-status"
TOKEN_REFUSED = "this server stores matrices only with its upload token: type it in the field above"


def _token_field() -> dbc.InputGroup:
    """Where a person types the deployer's upload token; hidden when the server needs none.
    Not persisted: the token lives in this page only."""
    return dbc.InputGroup(
        [dbc.InputGroupText("Upload token"), dbc.Input(id=ids.UPLOAD_TOKEN, type="password", autoComplete="off")],
        size="sm",
        className="mb-1",
        style=None if upload_token_required() else {"display": "none"},
    )


def layout() -> dbc.Card:
    limit = limits()
    templates = [html.A(name, href=f"/api/templates/{name}", download=f"transfer-matrix-{name}", className="me-2")
                 for name in TEMPLATES]
    return dbc.Card(
        [
            dbc.CardHeader("Your matrix", className="fw-semibold py-1"),
            dbc.CardBody(
                [
                    _token_field(),
                    dcc.Upload(
                        id=ids.UPLOAD,
                        children=html.Div(
                            ["Drop a matrix file here or ", html.A("choose one", href="#", className="link-primary")]
                        ),
                        accept=".csv,.tsv,.tab,.txt,.json,text/csv,text/tab-separated-values,text/plain,application/json",
                        multiple=False,
                        className="tmx-upload border border-2 rounded text-center p-3 mb-1",
                        style={"cursor": "pointer"},
                    ),
                    html.Div(id=ids.UPLOAD_STATUS, className=STATUS_OK, role="status"),
                    html.Div(
                        [FORMATS_HELP, f" Up to {format_size(limit.max_bytes)} and {limit.max_cells:,} cells."],
                        className="small text-muted mt-1",
                    ),
                    html.Div(["Templates: ", *templates], className="small mt-1"),
                    dbc.InputGroup(
                        [
                            # The value meaning "no transfer": the colour centre and where thresholds start.
                            html.Label("Neutral value", htmlFor=ids.NEUTRAL_INPUT, className="input-group-text"),
                            # Text, not a number box: a number box reads '0,5' as 5 (or as nothing,
                            # by locale) and drops what it cannot read; the server parses the
                            # text (transfer.viewstate.parse_neutral) and says what is wrong.
                            dbc.Input(id=ids.NEUTRAL_INPUT, type="text", inputMode="decimal", autoComplete="off"),
                            dbc.Button("Apply", id=ids.NEUTRAL_APPLY, color="secondary", outline=True),
                        ],
                        size="sm",
                        className="mt-2",
                    ),
                    dbc.Button(
                        "Download CSV (displayed order)", id=ids.DOWNLOAD_CSV, size="sm", color="secondary",
                        outline=True, className="mt-2",
                    ),
                    dcc.Download(id=ids.DOWNLOAD_CSV_FILE),
                    dcc.Store(id=ids.UPLOAD_STAGED),
                    dcc.Store(id=ids.UPLOAD_LIMIT, data=limit.max_bytes),
                ],
                className="py-2",
            ),
        ]
    )


def _open(dataset_id: str) -> dict:
    """VIEW_OPEN's data: the browser opens the view as a person's step (assets/view.js)."""
    return {"query": ViewState(dataset=dataset_id).to_query()}


def neutral_text(value: float) -> str:
    """The neutral value as the box shows it: as links write numbers, unless that rounds it."""
    text = format_number(value)
    return text if float(text) == value else repr(value)


def keep_thresholds(state: ViewState, copy: TransferMatrix) -> ViewState:
    """Thresholds that still lie in their range on `copy` (another neutral value moves the
    ranges) are kept; one that no longer does restarts from the copy's suggestion; off stays off."""
    clamped, _ = resolve_thresholds(state, copy)  # the range a link's thresholds are held to
    moved = [name for name in ("pos", "neg") if getattr(clamped, name) != getattr(state, name)]
    if not moved:
        return state
    scale = threshold_scale(copy)
    suggested = {"pos": scale.suggested_pos, "neg": scale.suggested_neg}
    return replace(state, **{name: suggested[name] for name in moved})


def copy_query(view: View, dataset_id: str, copy: TransferMatrix) -> str:
    """The query that opens `copy` (stored as `dataset_id`) with the rest of `view` kept: the
    selection, order, cut, tab, thresholds still in range (canonical, as the page would write it)."""
    state = keep_thresholds(replace(view.state, dataset=dataset_id), copy)
    return open_view(datasets(), state).query


def neutral_copy(view: View, text, token) -> tuple[dict | None, str, str]:
    """Apply a typed neutral value: (VIEW_OPEN data or None, status message, status class).
    A valid value other than the current one stores a copy of the matrix with it."""
    stored = view.stored
    try:
        neutral = parse_neutral(text, stored)
    except ValueError as err:
        return None, f"Neutral value: {err}.", STATUS_ERROR
    if neutral == stored.neutral:
        return None, f"Neutral value: {neutral_text(neutral)} is already this matrix's neutral value.", STATUS_OK
    if not upload_allowed(token):
        return None, f"Neutral value: {TOKEN_REFUSED}", STATUS_ERROR
    copy = replace(stored, neutral=neutral)
    try:
        dataset_id = datasets().put(copy)
    except (MatrixError, StoreUnavailable) as err:
        return None, f"Neutral value: {err}", STATUS_ERROR
    return ({"query": copy_query(view, dataset_id, copy)},
            f"Opened a copy of '{stored.name}' with neutral value {neutral_text(neutral)}.", STATUS_OK)


def receive_upload(contents: str, filename: str | None) -> tuple[str, str]:
    """Parse and store a dropped file: (query that opens it, message); MatrixError if refused."""
    data, content_type = decode_data_url(contents, limits())
    matrix = parse_matrix(data, filename=filename, content_type=content_type, limits=limits())
    dataset_id = datasets().put(matrix)
    return _open(dataset_id), f"Opened '{matrix.name}': {matrix.shape[0]} train x {matrix.shape[1]} test datasets."


def initial(view) -> dict:
    return props_of(OUTPUTS, [neutral_text(view.stored.neutral)])


def register(app) -> None:
    app.clientside_callback(
        ClientsideFunction("tmx", "stage_upload"),
        Output(ids.UPLOAD_STAGED, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Output(ids.UPLOAD_STATUS, "className"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        State(ids.UPLOAD_LIMIT, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.VIEW_OPEN, "data", allow_duplicate=True),
        Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
        Output(ids.UPLOAD_STATUS, "className", allow_duplicate=True),
        Input(ids.UPLOAD_STAGED, "data"),
        State(ids.UPLOAD_TOKEN, "value"),
        prevent_initial_call=True,
    )
    def receive(staged, token):
        if not isinstance(staged, dict):
            raise PreventUpdate
        filename = str(staged.get("filename") or "the file")
        if not upload_allowed(token):
            return no_update, f"{filename}: {TOKEN_REFUSED}", STATUS_ERROR
        try:
            query, message = receive_upload(staged.get("contents"), filename)
        except (MatrixError, StoreUnavailable) as err:
            return no_update, f"{filename}: {err}", STATUS_ERROR
        return query, message, STATUS_OK

    @app.callback(*OUTPUTS, *view_dependencies("dataset"), prevent_initial_call=True)
    def show_neutral(*_):
        return neutral_text(current_view().stored.neutral)

    @app.callback(
        Output(ids.VIEW_OPEN, "data", allow_duplicate=True),
        Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
        Output(ids.UPLOAD_STATUS, "className", allow_duplicate=True),
        Input(ids.NEUTRAL_APPLY, "n_clicks"),
        Input(ids.NEUTRAL_INPUT, "n_submit"),  # Enter in the box
        State(ids.NEUTRAL_INPUT, "value"),
        State(ids.UPLOAD_TOKEN, "value"),
        *view_dependencies(),
        prevent_initial_call=True,
    )
    def apply_neutral(_clicks, _submits, text, token, *_):
        opened, message, status = neutral_copy(current_view(), text, token)
        return opened if opened is not None else no_update, message, status

    @app.callback(
        Output(ids.DOWNLOAD_CSV_FILE, "data"), Input(ids.DOWNLOAD_CSV, "n_clicks"), *view_dependencies(),
        prevent_initial_call=True,
    )
    def download_csv(*_):
        view = current_view()
        return {
            "content": to_wide_csv(view.matrix), "filename": file_slug(view.stored.name) + ".csv", "type": "text/csv",
        }
