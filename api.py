"""HTTP routes beside the Dash page: the view's JSON twin and the health check."""

from __future__ import annotations

import flask

from components.context import datasets
from transfer.store import StoreUnavailable
from transfer.view import view_from_query, view_json

blueprint = flask.Blueprint("api", __name__)


def error(status: int, message: str):
    return flask.jsonify({"error": message}), status


@blueprint.get("/api/view")
def api_view():
    """The view that the same query string opens in the page, as JSON."""
    view = view_from_query(datasets(), flask.request.query_string.decode("utf-8", "replace"))
    return flask.jsonify(view_json(view))


@blueprint.get("/healthz")
def healthz():
    """Liveness and readiness for orchestrators: the app answers and its store is reachable."""
    ok = datasets().store.ping()
    return flask.jsonify({"status": "ok" if ok else "degraded", "store": ok}), 200 if ok else 503


@blueprint.app_errorhandler(StoreUnavailable)
def store_unavailable(err):
    return error(503, str(err))


@blueprint.route("/api/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def api_not_found(_rest):
    """Unknown API paths answer 404 JSON (Dash would otherwise serve its page for any path)."""
    return error(404, f"no API route {flask.request.path}")
