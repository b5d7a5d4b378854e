"""Bring your own matrix: the drop zone, the templates, the neutral value and the CSV downloads
(components/downloads.py).

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
from transfer.parsing import TEMPLATES, ColumnsAmbiguous, decode_data_url, format_size, parse_matrix
from transfer.store import StoreUnavailable
from transfer.thresholds import threshold_scale
from transfer.view import View, open_view
from transfer.viewstate import ViewState, format_number, parse_neutral, resolve_thresholds
from web.services import datasets, limits, upload_allowed, upload_token_required

from . import downloads, ids
from .state import current_view, props_of, view_dependencies

OUTPUTS = [Output(ids.NEUTRAL_INPUT, "value")]  # the shown matrix's neutral value, to edit

FORMATS_HELP = (
    "Wide CSV/TSV (first column: train datasets, header: test datasets), long CSV/TSV "
    "(train, test, value columns; a seed column for replicates, or std and n columns), JSON "
    "({rows, cols, values}) or an Excel .xlsx workbook (first sheet) in any of these forms. Optional "
    "metadata: '# name: ...', '# metric: ...', '# neutral: ...' lines on top, or JSON fields."
)
STATUS_OK = "small text-success tmx-upload-status"
STATUS_ERROR = "small text-danger tmx-upload-status"
TOKEN_REFUSED = "this server stores matrices only with its upload token: type it in the field above"
# The mapping step shown for a table whose columns are ambiguous: a dropdown per role
# (transfer.parsing.MAPPING_ROLES, in that order).
MAPPING_FIELDS = {
    "train": (ids.UPLOAD_MAP_TRAIN, "Train datasets"),
    "test": (ids.UPLOAD_MAP_TEST, "Test datasets"),
    "replicate": (ids.UPLOAD_MAP_REPLICATE, "Replicate (optional)"),
    "value": (ids.UPLOAD_MAP_VALUE, "Value"),
}


def _token_field() -> dbc.InputGroup:
    """Where a person types the deployer's upload token; hidden when the server needs none.
    Not persisted: the token lives in this page only."""
    return dbc.InputGroup(
        [dbc.InputGroupText("Upload token"), dbc.Input(id=ids.UPLOAD_TOKEN, type="password", autoComplete="off")],
        size="sm",
        className="mb-1",
        style=None if upload_token_required() else {"display": "none"},
    )


def _mapping_step() -> html.Div:
    """Which column is which, for a dropped table whose header does not say: hidden until then."""
    fields = [
        dbc.Col(
            [
                dbc.Label(label, html_for=field_id, className="small mb-0"),
                dcc.Dropdown(id=field_id, options=[], clearable=role == "replicate", searchable=False,
                             placeholder="none" if role == "replicate" else "choose a column"),
            ],
            xs=6, className="mb-1",
        )
        for role, (field_id, label) in MAPPING_FIELDS.items()
    ]
    return html.Div(
        [
            html.Div("Which column is which?", className="small fw-semibold"),
            dbc.Row(fields, className="g-2"),
            dbc.Button("Read with these columns", id=ids.UPLOAD_MAP_READ, size="sm", color="primary", className="mt-1"),
        ],
        id=ids.UPLOAD_MAPPING, hidden=True, className="border rounded p-2 mt-1",
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
                        # No `accept`: a file it filters out (an .xlsx, a PDF) would vanish without a
                        # word; the server reads or refuses every file and says why.
                        multiple=False,
                        className="tmx-upload border border-2 rounded text-center p-3 mb-1",
                        style={"cursor": "pointer"},
                    ),
                    html.Div(id=ids.UPLOAD_STATUS, className=STATUS_OK, role="status"),
                    _mapping_step(),
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
                    downloads.layout(),  # the CSV downloads (components/downloads.py)
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


def receive_upload(contents: str, filename: str | None, columns: dict | None = None) -> tuple[str, str]:
    """Parse and store a dropped file, with a column mapping if a person chose one: (query that
    opens it, message); MatrixError if refused (ColumnsAmbiguous: ask which column is which)."""
    data, content_type = decode_data_url(contents, limits())
    matrix = parse_matrix(data, filename=filename, content_type=content_type, limits=limits(), columns=columns)
    dataset_id = datasets().put(matrix)
    replicates = "" if matrix.spread is None else f", up to {matrix.spread.max_n} replicates per cell"
    return (_open(dataset_id),
            f"Opened '{matrix.name}': {matrix.shape[0]} train x {matrix.shape[1]} test datasets{replicates}.")


def upload_outcome(staged, token, columns: dict | None = None) -> tuple:
    """What the drop zone shows after reading the staged file (RECEIVED's values): the view to
    open, the status, and the mapping step (shown with the header's columns and the parser's
    guesses when the columns are ambiguous, hidden otherwise)."""
    filename = str(staged.get("filename") or "the file")
    keep = (no_update,) * (2 * len(MAPPING_FIELDS))
    if not upload_allowed(token):
        return (no_update, f"{filename}: {TOKEN_REFUSED}", STATUS_ERROR, True, *keep)
    try:
        query, message = receive_upload(staged.get("contents"), filename, columns)
    except ColumnsAmbiguous as err:
        options = [{"label": column or f"(column {k + 1})", "value": column} for k, column in enumerate(err.columns)]
        guesses = [err.guesses.get(role) for role in MAPPING_FIELDS]
        return (no_update, f"{filename}: {err}", STATUS_ERROR, False, *[options] * len(MAPPING_FIELDS), *guesses)
    except (MatrixError, StoreUnavailable) as err:
        return (no_update, f"{filename}: {err}", STATUS_ERROR, columns is None, *keep)
    return (query, message, STATUS_OK, True, *keep)


def chosen_columns(values) -> dict:
    """The mapping step's choices as `parse_matrix(columns=...)`: replicate left empty means none."""
    return {role: value or None for role, value in zip(MAPPING_FIELDS, values) if value or role == "replicate"}


def initial(view) -> dict:
    return props_of(OUTPUTS, [neutral_text(view.stored.neutral)])


# The outputs of reading the staged file, by drop or by the mapping step (upload_outcome).
RECEIVED = [
    Output(ids.VIEW_OPEN, "data", allow_duplicate=True),
    Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
    Output(ids.UPLOAD_STATUS, "className", allow_duplicate=True),
    Output(ids.UPLOAD_MAPPING, "hidden", allow_duplicate=True),
    *[Output(field_id, "options", allow_duplicate=True) for field_id, _ in MAPPING_FIELDS.values()],
    *[Output(field_id, "value", allow_duplicate=True) for field_id, _ in MAPPING_FIELDS.values()],
]


def register(app) -> None:
    # Every new drop replaces the status line and hides a mapping step left from the last file.
    app.clientside_callback(
        ClientsideFunction("tmx", "stage_upload"),
        Output(ids.UPLOAD_STAGED, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Output(ids.UPLOAD_STATUS, "className"),
        Output(ids.UPLOAD_MAPPING, "hidden"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        State(ids.UPLOAD_LIMIT, "data"),
        prevent_initial_call=True,
    )

    @app.callback(*RECEIVED, Input(ids.UPLOAD_STAGED, "data"), State(ids.UPLOAD_TOKEN, "value"),
                  prevent_initial_call=True)
    def receive(staged, token):
        if not isinstance(staged, dict):
            raise PreventUpdate
        return upload_outcome(staged, token)

    @app.callback(
        *RECEIVED,
        Input(ids.UPLOAD_MAP_READ, "n_clicks"),
        State(ids.UPLOAD_STAGED, "data"),
        *[State(field_id, "value") for field_id, _ in MAPPING_FIELDS.values()],
        State(ids.UPLOAD_TOKEN, "value"),
        prevent_initial_call=True,
    )
    def read_with_columns(_clicks, staged, *values_and_token):
        if not isinstance(staged, dict):
            raise PreventUpdate
        *values, token = values_and_token
        return upload_outcome(staged, token, chosen_columns(values))

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
