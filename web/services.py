"""What callbacks use from the running app: its datasets, upload limits and token, and the link
the page was opened with. Kept on the Flask app (`web.factory` puts them there), never in module
globals: each app (tests make many) has its own."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask

from transfer.datasets import Datasets
from transfer.parsing import Limits
from transfer.store import StoreUnavailable
from transfer.view import View, view_from_query

from . import security

DATASETS_KEY = "TMX_DATASETS"
LIMITS_KEY = "TMX_LIMITS"


def datasets() -> Datasets:
    return flask.current_app.config[DATASETS_KEY]


def limits() -> Limits:
    """The upload limits of this app (`web.config.Config.max_upload_bytes`, `.max_cells`)."""
    return flask.current_app.config[LIMITS_KEY]


def upload_token_required() -> bool:
    return bool(flask.current_app.config.get(security.UPLOAD_TOKEN_KEY))


def upload_allowed(token) -> bool:
    """Whether `token` lets this request store a dataset (always, when the deployer set none)."""
    return security.token_matches(token, flask.current_app.config.get(security.UPLOAD_TOKEN_KEY))


def link_query() -> str | None:
    """The query string of the page the layout is fetched for (its Referer), None outside a request."""
    return urlsplit(flask.request.referrer or "").query if flask.has_request_context() else None


def link_view() -> View | None:
    """The view the page's link asks for, while Dash's renderer fetches the layout: its request
    names the page in the Referer header (same-origin: sent whole under our Referrer-Policy).
    Without one, the default view: `sync` then sets the controls from the address bar as it
    would for any link. None outside a request (Dash validating the layout at start-up) and
    while the dataset store cannot be reached (the page then arrives empty, and `sync` shows why).
    """
    if not flask.has_request_context():
        return None
    try:
        return view_from_query(datasets(), "?" + link_query())
    except StoreUnavailable:
        return None
