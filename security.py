"""Security headers and error pages: safe defaults for a server anyone with a link can reach."""

from __future__ import annotations

import flask
from werkzeug.exceptions import HTTPException


def content_security_policy(script_hashes: list[str], frame_ancestors: str) -> str:
    """Only the app's own scripts (plus Dash's inline bootstrap, by hash); no eval anywhere.

    plotly.js writes style attributes and draws images from data: URLs, so styles may be inline
    and images may be data:/blob:; nothing may be loaded from another origin.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def install(app, frame_ancestors: str = "'none'") -> None:
    """Add the headers to every response and answer errors without internals."""
    server: flask.Flask = app.server
    policy = content_security_policy(app.csp_hashes(), frame_ancestors)

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if frame_ancestors == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @server.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if flask.request.path.startswith("/api/"):
            return flask.jsonify({"error": f"{err.code} {err.name}: {err.description}"}), err.code
        return err

    @server.errorhandler(Exception)
    def unexpected_error(err: Exception):
        # Logged with its traceback for the operator; the client sees no internals.
        server.logger.exception("unhandled error on %s", flask.request.path)
        if isinstance(err, HTTPException):
            return http_error(err)
        return flask.jsonify({"error": "internal error; the problem was logged"}), 500
