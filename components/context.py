"""Access from callbacks to the app's services, kept on the Flask app, never in module globals."""

from __future__ import annotations

import flask

from transfer.datasets import Datasets

DATASETS_KEY = "TMX_DATASETS"


def datasets() -> Datasets:
    return flask.current_app.config[DATASETS_KEY]
