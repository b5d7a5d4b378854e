"""The HTTP API beside the Dash page: the view's JSON twin, dataset and annotation uploads,
templates and the health check (a Flask blueprint, registered by `web.factory`)."""

from __future__ import annotations

import gzip
import re

import flask
from werkzeug.exceptions import RequestEntityTooLarge

from transfer.annotations import Annotations, parse_annotations
from transfer.lru import ByteLRU
from transfer.matrix import MatrixError
from transfer.parsing import (
    COLUMN_ROLES,
    TEMPLATES,
    WRITERS,
    ColumnsAmbiguous,
    TooLarge,
    example_matrix,
    format_size,
    parse_matrix,
)
from transfer.store import StoreFull, StoreUnavailable
from transfer.view import selection_json, view_from_query, view_json
from transfer.viewstate import ViewState

from . import abuse
from .security import error_response
from .services import datasets, limits, upload_allowed

blueprint = flask.Blueprint("api", __name__)


def error(status: int, message: str):
    return flask.jsonify({"error": message}), status


# /api/view answers of recent views, gzipped, by the view they show: its resolved link (the
# datasets and annotations it names are stored by content, and a link to an unknown one resolves
# to another view) and its notices. A 2000 x 2000 view of z-scores is ~80 MB of JSON: ~3 s to
# write, then 1 s to gzip at level 1 (flask-compress's level 6 took 6 s for 8% fewer bytes),
# 3-39 MB gzipped. Kept when a client takes gzip (browsers, curl --compressed, Python's
# requests), sent as they are; a client that takes no gzip gets the JSON written for it, or a
# kept answer unzipped (~0.3 s). One cache per app (its settings, such as the leaf-order budget,
# shape its answers too).
ANSWER_CACHE_BYTES = 64 * 2**20
ANSWERS_KEY = "tmx-answers"


def _gzipped_answer(key: tuple, build) -> flask.Response:
    answers = flask.current_app.extensions.setdefault(ANSWERS_KEY, ByteLRU(ANSWER_CACHE_BYTES, len))
    accepts = flask.request.accept_encodings["gzip"] > 0
    body = answers.get(key)
    if body is None:
        written = flask.jsonify(build())
        if not accepts:
            return written  # flask-compress answers any other encoding the client takes
        body = gzip.compress(written.get_data(), compresslevel=1)
        answers.add(key, body)
    response = flask.Response(body if accepts else gzip.decompress(body), mimetype="application/json")
    if accepts:
        response.headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded answer alone
    return response


@blueprint.get("/api/view")
def api_view():
    """The view that the same query string opens in the page, as JSON."""
    view = view_from_query(datasets(), flask.request.query_string.decode("utf-8", "replace"))
    return _gzipped_answer((view.query, view.notices), lambda: view_json(view))


@blueprint.get("/api/selection")
def api_selection():
    """The numbers of the link's selected row and column (/api/view's `selection`, without the
    bars' values): what the page's breakdown panels show beside the bars they draw themselves."""
    view = view_from_query(datasets(), flask.request.query_string.decode("utf-8", "replace"))
    return flask.jsonify({"selection": None, **selection_json(view, values=False), "notices": list(view.notices)})


def _refused_without_token():
    """401 unless the request carries the upload token (or the server needs none); else None."""
    scheme, _, token = flask.request.headers.get("Authorization", "").partition(" ")
    if upload_allowed(token.strip() if scheme.lower() == "bearer" else None):
        return None
    response = flask.jsonify(
        {"error": "this server stores datasets only with its upload token: send 'Authorization: Bearer <token>'"}
    )
    return response, 401, {"WWW-Authenticate": 'Bearer realm="uploads"'}


def _read_part(upload) -> tuple[bytes, str | None, str | None]:
    """A multipart file's bytes (up to one byte over the limit: enough to refuse it), name and type."""
    return upload.stream.read(limits().max_bytes + 1), upload.filename, upload.mimetype


def read_annotations(data: bytes, filename: str | None, content_type: str | None) -> Annotations:
    """Annotations from an upload under this app's byte limit (a TooLarge over it, an
    AnnotationError for a file that is not an annotations file)."""
    return parse_annotations(data, filename=filename, content_type=content_type, limits=limits())


@blueprint.post("/api/datasets")
def api_post_dataset():
    """Store a matrix file (multipart field `file`, or the raw body with its content type);
    `?name=&metric=&neutral=` override the file's metadata; `?train=&test=&replicate=&value=`
    (and `std=`, `n=`) name a long table's columns; `?sheet=` picks a workbook's sheet (name or
    1-based number). A multipart field `annotations` (a file) stores its task annotations with it:
    both are read before either is stored, and stored both or neither. 201 with the id and the
    link; 400 with the columns and their best guesses for a table whose columns are ambiguous;
    429 past the client's upload budget, 507 past the store's quota (web/abuse.py)."""
    request = flask.request
    abuse.count_upload()  # 429 past this client's budget (web/abuse.py), before anything is read
    refused = _refused_without_token()
    if refused is not None:
        return refused
    annotations_part = None
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            return error(400, "expected the matrix in the multipart field 'file' (curl -F file=@results.csv ...)")
        data, filename, content_type = _read_part(upload)
        annotations_part = request.files.get("annotations")
    else:
        data, filename, content_type = request.get_data(cache=False), None, request.mimetype
    overrides = {key: request.args[key] for key in ("name", "metric", "neutral") if key in request.args}
    mapping = {role: request.args[role] for role in COLUMN_ROLES if role in request.args}
    try:
        matrix = parse_matrix(
            data, filename=filename, content_type=content_type, limits=limits(), metadata=overrides,
            columns=mapping or None, sheet=request.args.get("sheet") or None,
        )
    except TooLarge as err:
        return error(413, str(err))
    except ColumnsAmbiguous as err:
        return flask.jsonify(err.to_json()), 400
    except MatrixError as err:
        return error(400, str(err))
    annotations = None
    if annotations_part is not None:
        name = annotations_part.filename or "annotations"
        try:
            annotations = read_annotations(*_read_part(annotations_part))
        except TooLarge as err:
            return error(413, f"annotations file '{name}': {err}")
        except MatrixError as err:  # AnnotationError, or a file that cannot be read at all
            return error(400, f"annotations file '{name}': {err}")
    dataset_id, ann_id = datasets().put_both(matrix, annotations)  # both or neither (507 over the quota)
    url = request.url_root + "?" + ViewState(dataset=dataset_id, ann=ann_id).to_query()
    body = {"id": dataset_id, "url": url, "name": matrix.name, "shape": list(matrix.shape)}
    if annotations is not None:
        body["annotations"] = ann_id
        body["notices"] = annotations.coverage_notices(matrix.rows, matrix.cols)
    return flask.jsonify(body), 201, {"Location": url}


@blueprint.post("/api/annotations")
def api_post_annotations():
    """Store task annotations (multipart field `file`, or the raw body with its content type):
    CSV/TSV/JSON, the first column the task label, further columns fields. 201 with the id (for
    `ann=` in a link), the fields and the number of tasks; 400 with what is wrong; 429 and 507
    as for datasets."""
    request = flask.request
    abuse.count_upload()
    refused = _refused_without_token()
    if refused is not None:
        return refused
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            return error(400, "expected the annotations in the multipart field 'file' (curl -F file=@tasks.csv ...)")
        data, filename, content_type = _read_part(upload)
    else:
        data, filename, content_type = request.get_data(cache=False), None, request.mimetype
    try:
        annotations = read_annotations(data, filename, content_type)
    except TooLarge as err:
        return error(413, str(err))
    except MatrixError as err:
        return error(400, str(err))
    ann_id = datasets().put_annotations(annotations)
    return flask.jsonify({"id": ann_id, "fields": list(annotations.fields), "tasks": len(annotations.tasks)}), 201


@blueprint.get("/api/templates/<name>")
def api_template(name: str):
    """A small example file in each accepted format, to download and fill in."""
    if name not in TEMPLATES:
        return error(404, f"no template '{name[:40]}'; there are {', '.join(TEMPLATES)}")
    write, _, mimetype = WRITERS[TEMPLATES[name]]
    return flask.Response(
        write(example_matrix()), mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=transfer-matrix-{name}"},
    )


@blueprint.get("/healthz")
def healthz():
    """Liveness and readiness for orchestrators: the app answers and its store is reachable."""
    ok = datasets().store.ping()
    return flask.jsonify({"status": "ok" if ok else "degraded", "store": ok}), 200 if ok else 503


@blueprint.app_errorhandler(StoreUnavailable)
def store_unavailable(err):
    return error_response(503, "Service Unavailable", str(err))  # JSON on the API, a page elsewhere


@blueprint.app_errorhandler(StoreFull)
def store_full(err):
    return abuse.store_full(err)  # 507 with the quota and what is used


@blueprint.route("/api/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def api_not_found(_rest):
    """Unknown API paths answer 404 JSON (Dash would otherwise serve its page for any path)."""
    return error(404, f"no API route {flask.request.path}")


@blueprint.app_errorhandler(RequestEntityTooLarge)
def request_too_large(_err):
    return error_response(
        413, "Content Too Large",
        f"the request is too large; files up to {format_size(limits().max_bytes)} are accepted",
    )


_ESCAPED_SLASH = re.compile(rb"(?<!\\)((?:\\\\)*)\\u002f")


def unescape_slashes(body: bytes) -> bytes:
    """JSON with plotly's `\\u002f` escapes written back as `/`.

    plotly's encoder (which Dash uses for callback responses) escapes every "/" so that JSON can
    sit inside an HTML <script>; callback responses are never embedded, and the base64 of typed
    arrays is 1/64 slashes: the escape adds ~8% to a large heatmap. A literal backslash before
    `u002f` (written `\\\\u002f` in JSON) is left alone.
    """
    if b"\\u002f" not in body:
        return body
    if b"\\\\" not in body:  # no escaped backslash anywhere: every match is an escaped slash
        return body.replace(b"\\u002f", b"/")
    return _ESCAPED_SLASH.sub(rb"\1/", body)


@blueprint.after_app_request
def compact_callback_json(response: flask.Response):
    """Callback responses without plotly's slash escapes (before flask-compress compresses them)."""
    if (flask.request.path.endswith("/_dash-update-component") and response.mimetype == "application/json"
            and not response.direct_passthrough):
        response.set_data(unescape_slashes(response.get_data()))
    return response
