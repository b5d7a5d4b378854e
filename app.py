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
from components import context, header, heatmap, page, state, thresholds
from transfer.datasets import Datasets
from transfer.matrix import parse_wide
from transfer.store import DatasetStore

HERE = Path(__file__).resolve().parent


def _default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{HERE / 'instance' / 'transfer.sqlite'}"


@dataclass
class Config:
    database_url: str = field(default_factory=_default_database_url)
    initial_file: str | None = None  # a matrix file to open as the default view
    debug: bool = False


PANELS = (header, heatmap, thresholds)


def create_app(config: Config | None = None) -> Dash:
    """A fully wired app; each call is independent (tests make many)."""
    config = config or Config()
    if config.database_url.startswith("sqlite:///"):
        Path(config.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    datasets = Datasets(DatasetStore(config.database_url))
    if config.initial_file:
        matrix = parse_wide(Path(config.initial_file).read_text(encoding="utf-8-sig"), name=Path(config.initial_file).stem)
        datasets.default_id = datasets.put(matrix)

    app = Dash(
        __name__,
        title="Transfer Matrix Explorer",
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        compress=True,
        update_title=None,
    )
    app.server.config[context.DATASETS_KEY] = datasets
    app.server.register_blueprint(api.blueprint)
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
    app = create_app(Config(initial_file=args.file, debug=args.debug))
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
else:
    server = create_app().server
