"""Access from callbacks to the app's services, kept on the Flask app, never in module globals."""

from __future__ import annotations

import flask

import security

from transfer.datasets import Datasets
from transfer.parsing import Limits

DATASETS_KEY = "TMX_DATASETS"
LIMITS_KEY = "TMX_LIMITS"


def datasets() -> Datasets:
    return flask.current_app.config[DATASETS_KEY]


def limits() -> Limits:
    """The upload limits of this app (`Config.max_upload_bytes`, `Config.max_cells`)."""
    return flask.current_app.config[LIMITS_KEY]


def upload_token_required() -> bool:
    return bool(flask.current_app.config.get(security.UPLOAD_TOKEN_KEY))


def upload_allowed(token) -> bool:
    """Whether `token` lets this request store a dataset (always, when the deployer set none)."""
    return security.token_matches(token, flask.current_app.config.get(security.UPLOAD_TOKEN_KEY))
