"""Transfer Matrix Explorer: a Dash app for cross-dataset transfer matrices.

`python app.py [FILE] [--annotations TASKS] [--host H] [--port P] [--debug]` runs it for a person;
`server` is the WSGI app for gunicorn (`gunicorn app:server`). The app itself is built by
`web.factory.create_app(config)`; `explore` (web/notebook.py) opens a DataFrame in a notebook.
"""

from __future__ import annotations

import argparse
import os

from transfer.annotations import Annotations, AnnotationsTooLarge, parse_annotations
from transfer.matrix import MatrixError
from transfer.parsing import Limits, TooLarge, check_size
from web.config import Config
from web.factory import create_app
from web.notebook import explore, open_with_annotations
from web.services import DATASETS_KEY

__all__ = ["Config", "create_app", "explore", "main", "server"]


def read_annotations_file(path: str, limits: Limits) -> Annotations:
    """An annotations file from disk; the size is checked before reading (AnnotationError, or
    MatrixError for a file that cannot be read)."""
    try:
        with open(path, "rb") as handle:
            try:
                check_size(os.fstat(handle.fileno()).st_size, limits)
            except TooLarge as err:
                raise AnnotationsTooLarge(str(err)) from None
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        raise MatrixError(f"cannot read the file: {err.strerror or err}") from None
    return parse_annotations(data, filename=os.path.basename(path), limits=limits)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run Transfer Matrix Explorer.")
    parser.add_argument("file", nargs="?", help="a transfer matrix to open (default: the bundled paper matrix)")
    parser.add_argument("--annotations", metavar="TASKS",
                        help="task metadata for the matrix (CSV/TSV/JSON: the task label, then one column per field)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (never in production)")
    args = parser.parse_args(argv)
    try:
        config = Config(initial_file=args.file, debug=args.debug)
    except ValueError as err:  # a TMX_* variable that cannot be read: the message names it
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    annotations = None
    if args.annotations:  # read before the app is built: a bad file stops here, nothing stored
        try:
            annotations = read_annotations_file(args.annotations, config.limits)
        except MatrixError as err:
            parser.exit(2, f"{parser.prog}: error: {args.annotations}: {err}\n")
    try:
        app = create_app(config)
    except MatrixError as err:
        parser.exit(2, f"{parser.prog}: error: {args.file}: {err}\n")
    except ValueError as err:  # TMX_LIMIT_STORAGE that cannot be used
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    if annotations is not None:
        query = open_with_annotations(app, annotations)
        datasets = app.server.config[DATASETS_KEY]
        matrix = datasets.get(datasets.default_id)
        print(f"Annotations: {len(annotations.tasks)} tasks, {len(annotations.fields)} fields "
              f"({', '.join(annotations.fields)}); the view with them: http://{args.host}:{args.port}/?{query}",
              flush=True)
        for notice in annotations.coverage_notices(matrix.rows, matrix.cols):
            print(f"Note: {notice}.", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
else:
    server = create_app().server
