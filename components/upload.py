"""Bring your own matrix: the drop zone, the templates, the neutral value and the CSV downloads
(components/downloads.py).

A dropped file is checked for size in the browser (assets/upload.js), then parsed and stored on
the server by the same parser as every other entry point; on success the page opens it by
setting the URL to its id, on failure the message appears under the drop zone and the view
stays as it was.

The drop zone also takes task annotations (`transfer.annotations`): a matrix and its annotations
file dropped together open with both (`ann=` in the link); an annotations file dropped alone
attaches to the view on screen. Which file is which is read from the content: a file that is not
a matrix, and has a column of text values after the task column (task_type: "factual QA", ...),
is read as annotations.

Each drop, each *Read with these columns* and each neutral-value copy counts against the client's
upload budget (web/abuse.py) before anything is read; past it, or past the store's quota, the
message says so under the drop zone and nothing changes on screen.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from transfer.annotations import AnnotationError, Annotations, parse_annotations
from transfer.matrix import DECLARED, MatrixError, TransferMatrix
from transfer.parsing import (
    COLUMN_NAMES,
    MISSING_TOKENS,
    TEMPLATES,
    ColumnsAmbiguous,
    TooLarge,
    decode_data_url,
    decode_text,
    detect_format,
    format_size,
    parse_matrix,
    sniff_delimiter,
)
from transfer.store import StoreUnavailable
from transfer.thresholds import threshold_scale
from transfer.view import View, open_view
from transfer.viewstate import ViewState, format_number, parse_neutral, parse_query, resolve_thresholds
from web.abuse import page_upload_refusal
from web.services import datasets, limits, upload_allowed, upload_token_required

from . import downloads, ids
from .state import current_view, props_of, view_dependencies

OUTPUTS = [Output(ids.NEUTRAL_INPUT, "value")]  # the shown matrix's neutral value, to edit

FORMATS_HELP = (
    "Wide CSV/TSV (first column: train datasets, header: test datasets), long CSV/TSV "
    "(train, test, value columns; a seed column for replicates, or std and n columns), JSON "
    "({rows, cols, values}) or an Excel .xlsx workbook (first sheet) in any of these forms. Optional "
    "metadata: '# name: ...', '# metric: ...', '# neutral: ...' lines on top, or JSON fields. "
    "Task annotations: CSV/TSV/JSON, the task label, then one column per field (task_type, domain, ...); drop "
    "them with the matrix, or alone to colour the matrix on screen."
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
                    html.Div(dcc.Upload(
                        id=ids.UPLOAD,
                        children=html.Div(
                            ["Drop a matrix file (and its annotations file, if any) here or ",
                             html.A("choose them", href="#", className="link-primary")]
                        ),
                        # No `accept`: a file it filters out (an .xlsx, a PDF) would vanish without a
                        # word; the server reads or refuses every file and says why.
                        multiple=True,  # a matrix and its annotations together
                        className="tmx-upload border border-2 rounded text-center p-3 mb-1",
                        style={"cursor": "pointer"},
                    ), **{"data-a11y-name": "Matrix and annotations files to open"}),  # assets/a11y.js
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
                            # empty for a matrix without one (a sequential scale): typing a value declares it
                            dbc.Input(id=ids.NEUTRAL_INPUT, type="text", inputMode="decimal", autoComplete="off",
                                      placeholder="none"),
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


def neutral_text(value: float) -> str:
    """The neutral value as the box shows it: as links write numbers, unless that rounds it."""
    text = format_number(value)
    return text if float(text) == value else repr(value)


def shown_neutral(matrix: TransferMatrix) -> str:
    """The box's text: the neutral value, empty when the matrix has none (a sequential scale)."""
    return neutral_text(matrix.neutral) if matrix.scale_kind == "diverging" else ""


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
    if neutral == stored.neutral and stored.scale_kind == "diverging":  # else: declares one
        return None, f"Neutral value: {neutral_text(neutral)} is already this matrix's neutral value.", STATUS_OK
    refusal = page_upload_refusal()  # a copy is stored: it counts as an upload
    if refusal is not None:
        return None, f"Neutral value: {refusal}", STATUS_ERROR
    if not upload_allowed(token):
        return None, f"Neutral value: {TOKEN_REFUSED}", STATUS_ERROR
    copy = replace(stored, neutral=neutral, neutral_basis=DECLARED)
    try:
        dataset_id = datasets().put(copy)
    except (MatrixError, StoreUnavailable) as err:
        return None, f"Neutral value: {err}", STATUS_ERROR
    return ({"query": copy_query(view, dataset_id, copy)},
            f"Opened a copy of '{stored.name}' with neutral value {neutral_text(neutral)}.", STATUS_OK)


MIXED_UP = ("drop one matrix file, an annotations file (the task label, then columns of text values such as "
            "task_type), or one of each")


def _text_columns(text: str, limit: int = 5000) -> tuple[list[str], bool]:
    """A delimited file's header, and whether a column after the first holds only text (no
    number) in its first `limit` rows: the mark of an annotations file (a matrix's columns hold
    numbers)."""
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    header, seen = None, {}
    try:
        for record in reader:
            if not "".join(record).strip() or (header is None and record[0].lstrip().startswith("#")):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            for k, cell in enumerate(record[1:], start=1):
                token = cell.strip()
                if token.lower() not in MISSING_TOKENS:
                    seen.setdefault(k, set()).add(_is_number(token))
            if reader.line_num > limit:
                break
    except csv.Error:
        pass
    return header or [], any(kinds == {False} for kinds in seen.values())


def _is_number(token: str) -> bool:
    try:
        float(token.replace(",", "."))
    except ValueError:
        return False
    return True


def _looks_like_annotations(data: bytes, filename: str | None, content_type: str | None) -> bool:
    """Whether a file that is neither a matrix nor good annotations was meant as annotations (so
    that its message is the annotations parser's): JSON shaped like annotations, or a table with a
    column of text values that is not a long table (train and test columns)."""
    try:
        text = decode_text(data)
    except MatrixError:
        return False
    if detect_format(text, filename, content_type) == "json":
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return False
        if isinstance(document, dict):
            return "tasks" in document or (bool(document) and all(isinstance(v, dict) for v in document.values()))
        return isinstance(document, list) and bool(document) and isinstance(document[0], dict) and any(
            isinstance(key, str) and key.strip().lower() == "task" for key in document[0])
    header, text_column = _text_columns(text)
    names = {name.lower() for name in header}
    long = names & set(COLUMN_NAMES["train"]) and names & set(COLUMN_NAMES["test"])
    return text_column and not long


def read_dropped(data: bytes, filename: str | None, content_type: str | None,
                 columns: dict | None = None) -> TransferMatrix | Annotations:
    """A dropped file as a matrix, or as annotations when it is not a matrix but reads as them
    (with a column of text values). MatrixError (ColumnsAmbiguous: ask which column is which) or
    AnnotationError, whichever the file looks meant as; a column mapping chosen by a person
    means a matrix was meant."""
    try:
        return parse_matrix(data, filename=filename, content_type=content_type, limits=limits(), columns=columns)
    except TooLarge:
        raise
    except MatrixError as matrix_error:
        if not _looks_like_annotations(data, filename, content_type):
            raise
        try:
            return parse_annotations(data, filename=filename, content_type=content_type, limits=limits())
        except AnnotationError:
            if columns is not None or isinstance(matrix_error, ColumnsAmbiguous):
                raise matrix_error from None
            raise


def _staged_files(staged: dict) -> list[tuple]:
    """(contents, filename) of each staged file: {"files": [...]} from assets/upload.js, or one
    {"contents", "filename"}."""
    files = staged.get("files")
    if isinstance(files, list):
        return [(f.get("contents"), str(f.get("filename") or "the file")) for f in files if isinstance(f, dict)]
    return [(staged.get("contents"), str(staged.get("filename") or "the file"))]


class DropRefused(MatrixError):
    """A drop that cannot be opened: `filename` names the file at fault (None: the drop as a whole)."""

    def __init__(self, message: str, filename: str | None = None, cause: MatrixError | None = None):
        super().__init__(message)
        self.filename, self.cause = filename, cause


def _describe(annotations: Annotations) -> str:
    tasks, fields = len(annotations.tasks), len(annotations.fields)
    return (f"Annotations: {tasks:,} task{'' if tasks == 1 else 's'}, {fields} field{'' if fields == 1 else 's'} "
            f"({', '.join(annotations.fields)}).")


def attached_query(view_query, ann_id: str, annotations: Annotations) -> str:
    """The query of the view on screen with these annotations attached (`ann`); a field the
    view groups, filters, collapses or draws by that the new annotations lack is dropped."""
    state, _ = parse_query(view_query if isinstance(view_query, str) else "")
    known = annotations.has_field
    changes = {"ann": ann_id}
    if state.where is not None and not known(state.where[0]):
        changes["where"] = None
    for name in ("collapse", "group"):
        if getattr(state, name) is not None and not known(getattr(state, name)):
            changes[name] = None
    if state.track and not all(known(field) for field in state.track):
        changes["track"] = tuple(field for field in state.track if known(field)) or None
    return open_view(datasets(), replace(state, **changes)).query


def receive_upload(staged: dict, columns: dict | None = None, view_query: str | None = None) -> tuple[dict, str]:
    """Parse and store the dropped file(s), with a column mapping if a person chose one: (VIEW_OPEN
    data, message). A matrix opens alone; a matrix and an annotations file open together; an
    annotations file alone attaches to the view on screen (`view_query`). DropRefused (its cause
    a ColumnsAmbiguous: ask which column is which) if refused."""
    files = _staged_files(staged)
    if not 1 <= len(files) <= 2:
        raise DropRefused(f"{len(files)} files dropped; {MIXED_UP}")
    read: list[tuple[str, TransferMatrix | Annotations]] = []
    for contents, filename in files:
        try:
            data, content_type = decode_data_url(contents, limits())
            read.append((filename, read_dropped(data, filename, content_type, columns)))
        except MatrixError as err:
            raise DropRefused(str(err), filename, err) from None
    matrices = [(name, item) for name, item in read if isinstance(item, TransferMatrix)]
    annotated = [(name, item) for name, item in read if isinstance(item, Annotations)]
    if len(matrices) > 1:
        raise DropRefused(f"{' and '.join(name for name, _ in matrices)} both read as matrices; {MIXED_UP}")
    if len(annotated) > 1:
        raise DropRefused(f"{' and '.join(name for name, _ in annotated)} both read as annotations; {MIXED_UP}")
    matrix = matrices[0][1] if matrices else None
    # both or neither (StoreFull past the store's quota)
    dataset_id, ann_id = datasets().put_both(matrix, annotated[0][1] if annotated else None)
    if matrix is None:
        return {"query": attached_query(view_query, ann_id, annotated[0][1])}, _describe(annotated[0][1])
    replicates = "" if matrix.spread is None else f", up to {matrix.spread.max_n} replicates per cell"
    message = f"Opened '{matrix.name}': {matrix.shape[0]} train x {matrix.shape[1]} test datasets{replicates}."
    if annotated:
        message += " " + _describe(annotated[0][1])
    return {"query": ViewState(dataset=dataset_id, ann=ann_id).to_query()}, message


def upload_outcome(staged, token, columns: dict | None = None, view_query: str | None = None) -> tuple:
    """What the drop zone shows after reading the staged file(s) (RECEIVED's values): the view to
    open, the status, and the mapping step (shown with the header's columns and the parser's
    guesses when the columns are ambiguous, hidden otherwise)."""
    names = " and ".join(name for _, name in _staged_files(staged)) or "the file"
    keep = (no_update,) * (2 * len(MAPPING_FIELDS))
    refusal = page_upload_refusal()  # the client's upload budget (web/abuse.py), before any parsing
    if refusal is not None:  # the view, the staged file and the mapping step stay as they are
        return (no_update, f"{names}: {refusal}", STATUS_ERROR, no_update, *keep)
    if not upload_allowed(token):
        return (no_update, f"{names}: {TOKEN_REFUSED}", STATUS_ERROR, True, *keep)
    try:
        query, message = receive_upload(staged, columns, view_query)
    except DropRefused as err:
        cause = err.cause
        # The file at fault, and what it was read as when not a matrix; a drop refused as a whole
        # names its files in the message.
        where = "" if err.filename is None else f"{err.filename}: "
        if isinstance(cause, AnnotationError):
            where = f"{err.filename} (annotations): "
        if isinstance(cause, ColumnsAmbiguous):
            options = [{"label": column or f"(column {k + 1})", "value": column}
                       for k, column in enumerate(cause.columns)]
            guesses = [cause.guesses.get(role) for role in MAPPING_FIELDS]
            return (no_update, f"{where}{err}", STATUS_ERROR, False, *[options] * len(MAPPING_FIELDS), *guesses)
        return (no_update, f"{where}{err}", STATUS_ERROR, columns is None, *keep)
    except StoreUnavailable as err:  # StoreFull too: nothing stored, the quota in the message
        return (no_update, f"{names}: {err}", STATUS_ERROR, columns is None, *keep)
    return (query, message, STATUS_OK, True, *keep)


def chosen_columns(values) -> dict:
    """The mapping step's choices as `parse_matrix(columns=...)`: replicate left empty means none."""
    return {role: value or None for role, value in zip(MAPPING_FIELDS, values) if value or role == "replicate"}


def initial(view) -> dict:
    return props_of(OUTPUTS, [shown_neutral(view.stored)])


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
                  State(ids.VIEW, "data"), prevent_initial_call=True)
    def receive(staged, token, view_query):
        if not isinstance(staged, dict):
            raise PreventUpdate
        return upload_outcome(staged, token, view_query=view_query)

    @app.callback(
        *RECEIVED,
        Input(ids.UPLOAD_MAP_READ, "n_clicks"),
        State(ids.UPLOAD_STAGED, "data"),
        *[State(field_id, "value") for field_id, _ in MAPPING_FIELDS.values()],
        State(ids.UPLOAD_TOKEN, "value"),
        State(ids.VIEW, "data"),
        prevent_initial_call=True,
    )
    def read_with_columns(_clicks, staged, *values_token_view):
        if not isinstance(staged, dict):
            raise PreventUpdate
        *values, token, view_query = values_token_view
        return upload_outcome(staged, token, chosen_columns(values), view_query)

    @app.callback(*OUTPUTS, *view_dependencies("dataset"), prevent_initial_call=True)
    def show_neutral(*_):
        return shown_neutral(current_view().stored)

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
