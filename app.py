"""Transfer Matrix Explorer: a Dash app for cross-dataset transfer matrices.

`python app.py [FILE] [--host H] [--port P] [--debug]` runs it for a person; `server` is the
WSGI app for gunicorn (`gunicorn app:server`). The app itself is built by
`web.factory.create_app(config)`; `explore` (web/notebook.py) opens a DataFrame in a notebook.
"""

from __future__ import annotations

import argparse

from transfer.matrix import MatrixError
from web.config import Config
from web.factory import create_app
from web.notebook import explore

__all__ = ["Config", "create_app", "explore", "main", "server"]


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


if __name__ == "__main__":
    main()
else:
    server = create_app().server
