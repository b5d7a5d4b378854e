"""Transfer Matrix Explorer: a Dash app for cross-dataset transfer matrices.

`create_app(config)` wires the panels, the API routes and the dataset store; `server` is the
WSGI app for gunicorn; `python app.py [FILE] [--host H] [--port P]` runs it for a person.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import Dash

import api
import security
import serving
from components import breakdown, clustering, compare, context, header, heatmap, insights, multiples, page, share, state, thresholds, upload
from transfer.datasets import Datasets
from transfer.matrix import MatrixError, TransferMatrix
from transfer.parsing import DEFAULT_LIMITS, Limits, matrix_from_frame, read_matrix_file
from transfer.store import DatasetStore

HERE = Path(__file__).resolve().parent


def _default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{HERE / 'instance' / 'transfer.sqlite'}"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass
class Config:
    database_url: str = field(default_factory=_default_database_url)
    initial_file: str | None = None  # a matrix file to open as the default view
    initial_matrix: TransferMatrix | None = None  # or a matrix already parsed (notebooks)
    debug: bool = False
    # CSP frame-ancestors: "'none'" forbids embedding; e.g. "https://wiki.example.org" allows it.
    frame_ancestors: str = field(default_factory=lambda: os.environ.get("TMX_FRAME_ANCESTORS", "'none'"))
    # Upload limits for every entry point (page, API, command line, notebook).
    max_upload_bytes: int = field(default_factory=lambda: _env_int("TMX_MAX_UPLOAD_BYTES", DEFAULT_LIMITS.max_bytes))
    max_cells: int = field(default_factory=lambda: _env_int("TMX_MAX_CELLS", DEFAULT_LIMITS.max_cells))
    # When set, storing a dataset needs it: `Authorization: Bearer <token>` on POST /api/datasets,
    # and typed into the page's "Upload token" field for the drop zone and the neutral value.
    upload_token: str | None = field(default_factory=lambda: os.environ.get("TMX_UPLOAD_TOKEN") or None)

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_upload_bytes, max_cells=self.max_cells)


def request_size_limit(limits: Limits) -> int:
    """Flask's MAX_CONTENT_LENGTH: room for the largest file base64-encoded in a Dash callback
    (4/3 of its size) plus the request around it; the exact limit is the parser's."""
    return limits.max_bytes * 4 // 3 + 2**20


PANELS = (header, heatmap, share, upload, compare, breakdown, thresholds, insights, multiples, clustering)


def create_app(config: Config | None = None) -> Dash:
    """A fully wired app; each call is independent (tests make many)."""
    config = config or Config()
    if config.database_url.startswith("sqlite:///"):
        Path(config.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    datasets = Datasets(DatasetStore(config.database_url))
    initial = config.initial_matrix
    if config.initial_file:
        initial = read_matrix_file(config.initial_file, config.limits)  # MatrixError for a bad file
    if initial is not None:
        datasets.default_id = datasets.put(initial)

    app = serving.App(
        __name__,
        server=serving.make_server(__name__),
        on_error=serving.callback_error,
        title="Transfer Matrix Explorer",
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        compress=True,
        update_title=None,
    )
    app.server.config[context.DATASETS_KEY] = datasets
    app.server.config[context.LIMITS_KEY] = config.limits
    app.server.config["MAX_CONTENT_LENGTH"] = request_size_limit(config.limits)
    app.server.config[security.UPLOAD_TOKEN_KEY] = config.upload_token
    app.server.register_blueprint(api.blueprint)
    security.install(app, config.frame_ancestors)
    with app.server.app_context():  # Dash calls the layout once here; panels read the app's config
        app.layout = page.layout
    state.register(app)
    for panel in PANELS:
        panel.register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Transfer Matrix Explorer.")
    parser.add_argument("file", nargs="?", help="a transfer matrix to open (default: the bundled paper matrix)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (never in production)")
    args = parser.parse_args(argv)
    try:
        app = create_app(Config(initial_file=args.file, debug=args.debug))
    except MatrixError as err:
        parser.exit(2, f"{parser.prog}: error: {args.file}: {err}\n")
    app.run(host=args.host, port=args.port, debug=args.debug)


def explore(frame, *, name: str | None = None, metric: str | None = None, neutral: float | None = None,
            jupyter_mode: str = "inline", port: int = 8050, run: bool = True, config: Config | None = None, **run_options) -> Dash:
    """Open a pandas DataFrame (wide: index = train, columns = test; or long: train, test, value
    columns) or a TransferMatrix in the app, shown inline in Jupyter (Dash's `jupyter_mode`).

    Returns the app; `run=False` builds it without serving (for scripts and tests).
    """
    config = config or Config()
    if isinstance(frame, TransferMatrix):
        matrix = frame
    else:
        metadata = {key: value for key, value in (("name", name), ("metric", metric), ("neutral", neutral)) if value is not None}
        matrix = matrix_from_frame(frame, limits=config.limits, **metadata)
    config.initial_matrix, config.initial_file = matrix, None
    app = create_app(config)
    if run:
        app.run(jupyter_mode=jupyter_mode, port=port, **run_options)
    return app


if __name__ == "__main__":
    main()
else:
    server = create_app().server
