"""Access from callbacks to the app's services, kept on the Flask app, never in module globals."""

from __future__ import annotations

import flask

from transfer.datasets import Datasets
from transfer.parsing import Limits

DATASETS_KEY = "TMX_DATASETS"
LIMITS_KEY = "TMX_LIMITS"


def datasets() -> Datasets:
    return flask.current_app.config[DATASETS_KEY]


def limits() -> Limits:
    """The upload limits of this app (`Config.max_upload_bytes`, `Config.max_cells`)."""
    return flask.current_app.config[LIMITS_KEY]
