"""`create_app(config)`: the dataset store, the Dash app with its security and serving behaviour,
the HTTP API and every panel of components/registry.py, wired into one app."""

from __future__ import annotations

from pathlib import Path

from dash import Dash

from components import page, registry
from transfer import clustering
from transfer.datasets import Datasets
from transfer.parsing import read_matrix_file
from transfer.store import DatasetStore

from . import abuse, routes, security, services, serving
from .config import ROOT, Config, request_size_limit


def create_app(config: Config | None = None) -> Dash:
    """A fully wired app; each call is independent (tests make many)."""
    config = config or Config()
    clustering.configure(config.leaf_order_seconds)  # process-wide: the trees' cache is too
    if config.database_url.startswith("sqlite:///"):
        Path(config.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    datasets = Datasets(DatasetStore(config.database_url, quota=config.store_quota))
    initial = config.initial_matrix
    if config.initial_file:
        initial = read_matrix_file(config.initial_file, config.limits)  # MatrixError for a bad file
    if initial is not None:
        datasets.default_id = datasets.put_both(initial, None, quota=False)[0]  # the operator's: no quota

    app = serving.App(
        __name__,
        server=serving.make_server(__name__),
        on_error=serving.callback_error,
        title="Transfer Matrix Explorer",
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        compress=True,
        update_title=None,
    )
    app.server.config[services.DATASETS_KEY] = datasets
    app.server.config[services.LIMITS_KEY] = config.limits
    app.server.config["MAX_CONTENT_LENGTH"] = request_size_limit(config.limits)
    app.server.config[security.UPLOAD_TOKEN_KEY] = config.upload_token
    app.server.register_blueprint(routes.blueprint)
    security.install(app, config.frame_ancestors)
    abuse.install(app, config.upload_rate, config.limit_storage, config.trusted_proxies)
    with app.server.app_context():  # Dash calls the layout once here; panels read the app's config
        app.layout = page.layout
    registry.register(app)
    return app
