"""The app in a notebook: `explore(frame)` shows a DataFrame (or a TransferMatrix) inline in
Jupyter. `from app import explore` is the same function."""

from __future__ import annotations

from typing import Mapping

from dash import Dash

from transfer.matrix import TransferMatrix
from transfer.parsing import matrix_from_frame

from .config import Config
from .factory import create_app


def explore(frame, *, name: str | None = None, metric: str | None = None, neutral: float | None = None,
            columns: Mapping[str, str | None] | None = None, jupyter_mode: str = "inline", port: int = 8050,
            run: bool = True, config: Config | None = None, **run_options) -> Dash:
    """Open a pandas DataFrame (wide: index = train, columns = test; or long: train, test, value
    columns, with a seed/run column for replicates or std and n columns) or a TransferMatrix in
    the app, shown inline in Jupyter (Dash's `jupyter_mode`). `columns` names a long frame's
    columns ({"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}) where
    their names do not say.

    Returns the app; `run=False` builds it without serving (for scripts and tests).
    """
    config = config or Config()
    if isinstance(frame, TransferMatrix):
        matrix = frame
    else:
        given = (("name", name), ("metric", metric), ("neutral", neutral))
        metadata = {key: value for key, value in given if value is not None}
        matrix = matrix_from_frame(frame, limits=config.limits, columns=columns, **metadata)
    config.initial_matrix, config.initial_file = matrix, None
    app = create_app(config)
    if run:
        app.run(jupyter_mode=jupyter_mode, port=port, **run_options)
    return app
