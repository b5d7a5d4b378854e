"""The app in a notebook: `explore(frame)` shows a DataFrame (or a TransferMatrix) inline in
Jupyter, with task annotations if given. `from app import explore` is the same function."""

from __future__ import annotations

from typing import Mapping

from dash import Dash

from transfer.annotations import Annotations, annotations_from_frame
from transfer.matrix import TransferMatrix
from transfer.parsing import matrix_from_frame
from transfer.viewstate import ViewState

from .config import Config
from .factory import create_app
from .services import DATASETS_KEY


def open_with_annotations(app: Dash, annotations: Annotations) -> str:
    """Store `annotations` in the app's store and make them the default view's (the page opened
    without a link shows them; its link carries `ann=`). Returns the default view's query."""
    datasets = app.server.config[DATASETS_KEY]
    datasets.default_ann = datasets.put_both(None, annotations, quota=False)[1]  # the operator's: no quota
    return ViewState(dataset=datasets.default_id, ann=datasets.default_ann).to_query()


def explore(frame, *, annotations=None, name: str | None = None, metric: str | None = None,
            neutral: float | None = None, columns: Mapping[str, str | None] | None = None,
            jupyter_mode: str = "inline", port: int = 8050, run: bool = True, config: Config | None = None,
            **run_options) -> Dash:
    """Open a pandas DataFrame (wide: index = train, columns = test; or long: train, test, value
    columns, with a seed/run column for replicates or std and n columns) or a TransferMatrix in
    the app, shown inline in Jupyter (Dash's `jupyter_mode`). `columns` names a long frame's
    columns ({"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}) where
    their names do not say.

    `annotations`: task metadata, a DataFrame (the task labels in its first column, or in its
    index when the index is named; the other columns are fields such as task_type) or
    `Annotations`; AnnotationError (a ValueError) says what is wrong with it.

    Returns the app; `run=False` builds it without serving (for scripts and tests).
    """
    config = config or Config()
    if isinstance(frame, TransferMatrix):
        matrix = frame
    else:
        given = (("name", name), ("metric", metric), ("neutral", neutral))
        metadata = {key: value for key, value in given if value is not None}
        matrix = matrix_from_frame(frame, limits=config.limits, columns=columns, **metadata)
    if annotations is not None and not isinstance(annotations, Annotations):
        annotations = annotations_from_frame(annotations, limits=config.limits)  # before anything is stored
    config.initial_matrix, config.initial_file = matrix, None
    app = create_app(config)
    if annotations is not None:
        open_with_annotations(app, annotations)
    if run:
        app.run(jupyter_mode=jupyter_mode, port=port, **run_options)
    return app
